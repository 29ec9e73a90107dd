//! The model description ([`ModelSpec`], serde-friendly for TOML/JSON
//! configs) and the built model ([`Model`]).

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::error::NnError;
use crate::mlp::{LinearNet, Mlp};
use crate::resnet::ResNet;
use crate::resnet9::ResNet9;
use crate::resnext::{ResNeXt, ResNeXtLayout};
use crate::vgg::{Vgg, VggLayout};

/// Hidden widths of an `mlp` whose spec gives none.
pub const MLP_DEFAULT_WIDTHS: [usize; 1] = [128];
/// Stage widths of a `resnet` whose spec gives none (ResNet-20, He et al.
/// 2016).
pub const RESNET_DEFAULT_WIDTHS: [usize; 3] = [16, 32, 64];
/// Blocks per stage of a `resnet` whose spec gives none (ResNet-20).
pub const RESNET_DEFAULT_BLOCKS: [usize; 3] = [3, 3, 3];
/// Stage widths of a `vgg` whose spec gives none.
pub const VGG_DEFAULT_WIDTHS: [usize; 3] = [32, 64, 128];
/// Convolutions per stage of a `vgg` whose spec gives none.
pub const VGG_DEFAULT_BLOCKS: [usize; 3] = [2, 2, 2];
/// Stage widths of a `resnext` whose spec gives none.
pub const RESNEXT_DEFAULT_WIDTHS: [usize; 3] = [64, 128, 256];
/// Blocks per stage of a `resnext` whose spec gives none (ResNeXt-29).
pub const RESNEXT_DEFAULT_BLOCKS: [usize; 3] = [3, 3, 3];
/// Cardinality of a `resnext` whose spec gives none.
pub const RESNEXT_DEFAULT_CARDINALITY: usize = 4;
/// Bottleneck width (channels per group, first stage) of a `resnext` whose
/// spec gives none.
pub const RESNEXT_DEFAULT_BOTTLENECK_WIDTH: usize = 4;
/// Stem width of a `resnext` whose spec gives none.
pub const RESNEXT_DEFAULT_STEM: usize = 64;
/// The four widths of a `resnet9` whose spec gives none (Page 2018).
pub const RESNET9_DEFAULT_WIDTHS: [usize; 4] = [64, 128, 256, 512];

/// Architecture family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Softmax regression on the flattened image.
    Linear,
    /// ReLU multilayer perceptron on the flattened image.
    Mlp,
    /// VGG-style plain network ([`crate::vgg`]).
    Vgg,
    /// ResNet of basic blocks ([`crate::resnet`]): ResNet-20/32/56/18.
    Resnet,
    /// ResNeXt of grouped bottleneck blocks ([`crate::resnext`]).
    Resnext,
    /// Page's fast ResNet-9 ([`crate::resnet9`]).
    Resnet9,
}

impl ModelKind {
    fn is_convolutional(self) -> bool {
        !matches!(self, ModelKind::Linear | ModelKind::Mlp)
    }
}

/// Normalisation layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// BatchNorm after every convolution (convolutional kinds only).
    Batch,
    /// No normalisation.
    None,
}

/// What to build, e.g. `{"kind": "resnet", "widths": [16, 32, 64],
/// "blocks": [5, 5, 5]}` (ResNet-32) or, in TOML, `kind = "vgg"`,
/// `widths = [64, 128]`, `block_dropout = 0.3`, `halve_after_pool = true`.
/// Every field but `kind` is optional and takes the family default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Architecture family.
    pub kind: ModelKind,
    /// Hidden widths (`mlp`, default `[128]`) or stage widths (`vgg`
    /// `[32, 64, 128]`, `resnet` `[16, 32, 64]`, `resnext` `[64, 128, 256]`,
    /// `resnet9` exactly four, `[64, 128, 256, 512]`); absent for `linear`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widths: Option<Vec<usize>>,
    /// Blocks per stage, one per width (`vgg`: convolutions, default 2
    /// each; `resnet`/`resnext`: residual blocks, default 3 each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<usize>>,
    /// Normalisation: default `batch` for the convolutional kinds, `none`
    /// for `linear` and `mlp` (which cannot have `batch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub norm: Option<Norm>,
    /// Dropout probability in [0, 1) before the classifier (and after
    /// every hidden layer of an `mlp`); default 0.
    #[serde(default)]
    pub dropout: f64,
    /// `vgg` only: dropout after every convolution block; default 0.
    #[serde(default)]
    pub block_dropout: f64,
    /// `vgg` only: every stage after the first gets half the channels of
    /// the one before (overriding `widths[1..]`), as in the seed's model;
    /// default false.
    #[serde(default)]
    pub halve_after_pool: bool,
    /// `resnext` only: groups of the 3×3 convolutions (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cardinality: Option<usize>,
    /// `resnext` only: channels per group in the first stage (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottleneck_width: Option<usize>,
    /// `resnext` only: width of the stem convolution (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stem: Option<usize>,
}

/// Shape of one input image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputShape {
    /// Channels C.
    pub channels: usize,
    /// Height H in pixels.
    pub height: usize,
    /// Width W in pixels.
    pub width: usize,
}

impl InputShape {
    /// Values per image, C·H·W.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether an image of this shape holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ModelSpec {
    /// Create a spec with the family's defaults.
    pub fn new(kind: ModelKind) -> Self {
        Self {
            kind,
            widths: None,
            blocks: None,
            norm: None,
            dropout: 0.0,
            block_dropout: 0.0,
            halve_after_pool: false,
            cardinality: None,
            bottleneck_width: None,
            stem: None,
        }
    }

    /// Return the normalisation in effect (the explicit one or the family
    /// default).
    pub fn effective_norm(&self) -> Norm {
        self.norm.unwrap_or(if self.kind.is_convolutional() {
            Norm::Batch
        } else {
            Norm::None
        })
    }

    /// Return the widths in effect: the explicit or default ones, halved
    /// after every pooling for a `vgg` with `halve_after_pool`.
    pub fn effective_widths(&self) -> Vec<usize> {
        let default: &[usize] = match self.kind {
            ModelKind::Linear => &[],
            ModelKind::Mlp => &MLP_DEFAULT_WIDTHS,
            ModelKind::Vgg => &VGG_DEFAULT_WIDTHS,
            ModelKind::Resnet => &RESNET_DEFAULT_WIDTHS,
            ModelKind::Resnext => &RESNEXT_DEFAULT_WIDTHS,
            ModelKind::Resnet9 => &RESNET9_DEFAULT_WIDTHS,
        };
        let mut widths = self.widths.clone().unwrap_or_else(|| default.to_vec());
        if self.kind == ModelKind::Vgg && self.halve_after_pool {
            for i in 1..widths.len() {
                widths[i] = (widths[i - 1] / 2).max(1);
            }
        }
        widths
    }

    /// Return the blocks per stage in effect (empty for the kinds without
    /// stages).
    pub fn effective_blocks(&self) -> Vec<usize> {
        let stages = self.effective_widths().len();
        match self.kind {
            ModelKind::Vgg => self
                .blocks
                .clone()
                .unwrap_or_else(|| vec![VGG_DEFAULT_BLOCKS[0]; stages]),
            ModelKind::Resnet => self
                .blocks
                .clone()
                .unwrap_or_else(|| vec![RESNET_DEFAULT_BLOCKS[0]; stages]),
            ModelKind::Resnext => self
                .blocks
                .clone()
                .unwrap_or_else(|| vec![RESNEXT_DEFAULT_BLOCKS[0]; stages]),
            ModelKind::Linear | ModelKind::Mlp | ModelKind::Resnet9 => Vec::new(),
        }
    }

    /// Check the spec against itself (widths and blocks, norm, dropout,
    /// family-specific fields).
    ///
    /// # Errors
    ///
    /// [`NnError::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<(), NnError> {
        for (name, p) in [
            ("dropout", self.dropout),
            ("block_dropout", self.block_dropout),
        ] {
            if !(0.0..1.0).contains(&p) {
                return Err(NnError::invalid(
                    name,
                    format!("must be in [0, 1), got {p}"),
                ));
            }
        }
        for (name, v) in [("widths", &self.widths), ("blocks", &self.blocks)] {
            if let Some(w) = v {
                if w.contains(&0) {
                    return Err(NnError::invalid(name, format!("must be > 0, got {w:?}")));
                }
            }
        }
        let kind = self.kind;
        let only = |set: bool, field: &'static str, allowed: ModelKind| {
            if set && kind != allowed {
                Err(NnError::invalid(
                    field,
                    format!("only applies to kind {allowed:?}, not {kind:?}"),
                ))
            } else {
                Ok(())
            }
        };
        only(self.block_dropout > 0.0, "block_dropout", ModelKind::Vgg)?;
        only(self.halve_after_pool, "halve_after_pool", ModelKind::Vgg)?;
        only(
            self.cardinality.is_some(),
            "cardinality",
            ModelKind::Resnext,
        )?;
        only(
            self.bottleneck_width.is_some(),
            "bottleneck_width",
            ModelKind::Resnext,
        )?;
        only(self.stem.is_some(), "stem", ModelKind::Resnext)?;
        for (name, v) in [
            ("cardinality", self.cardinality),
            ("bottleneck_width", self.bottleneck_width),
            ("stem", self.stem),
        ] {
            if v == Some(0) {
                return Err(NnError::invalid(name, "must be > 0, got 0"));
            }
        }
        if !kind.is_convolutional() && self.effective_norm() == Norm::Batch {
            return Err(NnError::invalid(
                "norm",
                "batch norm is only available in the convolutional kinds",
            ));
        }
        let widths = self.effective_widths();
        match kind {
            ModelKind::Linear if self.widths.is_some() || self.blocks.is_some() => {
                return Err(NnError::invalid(
                    "widths",
                    "a linear model has no hidden widths or blocks",
                ))
            }
            ModelKind::Mlp | ModelKind::Resnet9 if self.blocks.is_some() => {
                return Err(NnError::invalid(
                    "blocks",
                    format!("kind {kind:?} has no blocks per stage"),
                ))
            }
            ModelKind::Resnet9 if widths.len() != 4 => {
                return Err(NnError::invalid(
                    "widths",
                    format!("resnet9 needs exactly 4 widths, got {}", widths.len()),
                ))
            }
            _ => {}
        }
        if kind != ModelKind::Linear && widths.is_empty() {
            return Err(NnError::invalid(
                "widths",
                format!("kind {kind:?} needs at least one width"),
            ));
        }
        let blocks = self.effective_blocks();
        if !blocks.is_empty() && blocks.len() != widths.len() {
            return Err(NnError::invalid(
                "blocks",
                format!(
                    "needs one entry per width: {} widths, {} blocks",
                    widths.len(),
                    blocks.len()
                ),
            ));
        }
        Ok(())
    }

    /// Smallest height and width an input must have (pooling halves it).
    pub fn min_input_side(&self) -> usize {
        match self.kind {
            ModelKind::Vgg => 1 << self.effective_widths().len().min(16),
            ModelKind::Resnet9 => 8,
            _ => 1,
        }
    }

    /// Build the model for images of `input` shape and `num_classes`
    /// classes on `device` (use an autodiff device to train it). The
    /// weights are drawn from the device's RNG: seed it with
    /// [`Device::seed`] for reproducible initialisation.
    ///
    /// # Errors
    ///
    /// As [`ModelSpec::validate`], plus [`NnError::InvalidConfig`] for an
    /// empty input shape, an input smaller than [`ModelSpec::min_input_side`]
    /// or fewer than 2 classes.
    pub fn init(
        &self,
        input: InputShape,
        num_classes: usize,
        device: &Device,
    ) -> Result<Model, NnError> {
        self.validate()?;
        if input.is_empty() {
            return Err(NnError::invalid(
                "input shape",
                format!("is empty: {input:?}"),
            ));
        }
        let side = self.min_input_side();
        if input.height < side || input.width < side {
            return Err(NnError::invalid(
                "input shape",
                format!(
                    "{}×{} is too small for kind {:?}: it needs at least {side}×{side} pixels (each pooling halves the size); use fewer stages or larger images",
                    input.height, input.width, self.kind
                ),
            ));
        }
        if num_classes < 2 {
            return Err(NnError::invalid(
                "num_classes",
                format!("must be >= 2, got {num_classes}"),
            ));
        }
        let widths = self.effective_widths();
        let blocks = self.effective_blocks();
        let norm = self.effective_norm() == Norm::Batch;
        let c = input.channels;
        Ok(match self.kind {
            ModelKind::Linear => Model::Linear(LinearNet::new(input.len(), num_classes, device)),
            ModelKind::Mlp => Model::Mlp(Mlp::new(
                input.len(),
                &widths,
                num_classes,
                self.dropout,
                device,
            )),
            ModelKind::Vgg => Model::Vgg(Vgg::new(
                &VggLayout {
                    in_channels: c,
                    widths,
                    blocks,
                    norm,
                    block_dropout: self.block_dropout,
                    dropout: self.dropout,
                },
                num_classes,
                device,
            )),
            ModelKind::Resnet => Model::ResNet(ResNet::new(
                c,
                &widths,
                &blocks,
                num_classes,
                norm,
                self.dropout,
                device,
            )),
            ModelKind::Resnext => Model::ResNeXt(ResNeXt::new(
                &ResNeXtLayout {
                    in_channels: c,
                    stem: self.stem.unwrap_or(RESNEXT_DEFAULT_STEM),
                    widths,
                    blocks,
                    cardinality: self.cardinality.unwrap_or(RESNEXT_DEFAULT_CARDINALITY),
                    bottleneck_width: self
                        .bottleneck_width
                        .unwrap_or(RESNEXT_DEFAULT_BOTTLENECK_WIDTH),
                    norm,
                    dropout: self.dropout,
                },
                num_classes,
                device,
            )),
            ModelKind::Resnet9 => {
                let w = [widths[0], widths[1], widths[2], widths[3]];
                Model::ResNet9(ResNet9::new(c, w, num_classes, norm, self.dropout, device))
            }
        })
    }
}

/// A built classifier.
// Enum variants hold layer handles (the weights live on the device); moving
// one per optimizer step costs nothing measurable, and burn 0.22 has no
// `Module` impl for `Box<T>`.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Model {
    /// See [`LinearNet`].
    Linear(LinearNet),
    /// See [`Mlp`].
    Mlp(Mlp),
    /// See [`Vgg`].
    Vgg(Vgg),
    /// See [`ResNet`].
    ResNet(ResNet),
    /// See [`ResNeXt`].
    ResNeXt(ResNeXt),
    /// See [`ResNet9`].
    ResNet9(ResNet9),
}

impl Model {
    /// Return the logits, shape `[N, K]`, of images `[N, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Linear(m) => m.forward(x),
            Model::Mlp(m) => m.forward(x),
            Model::Vgg(m) => m.forward(x),
            Model::ResNet(m) => m.forward(x),
            Model::ResNeXt(m) => m.forward(x),
            Model::ResNet9(m) => m.forward(x),
        }
    }

    /// Return the logits `[N, K]` of penultimate features `[N, D]`:
    /// `forward(x) = head(embed(x))`.
    pub fn head(&self, features: Tensor<2>) -> Tensor<2> {
        match self {
            Model::Linear(m) => m.head(features),
            Model::Mlp(m) => m.head(features),
            Model::Vgg(m) => m.head(features),
            Model::ResNet(m) => m.head(features),
            Model::ResNeXt(m) => m.head(features),
            Model::ResNet9(m) => m.head(features),
        }
    }

    /// Return the penultimate features `[N, D]` (the classifier's input).
    pub fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Linear(m) => m.embed(x),
            Model::Mlp(m) => m.embed(x),
            Model::Vgg(m) => m.embed(x),
            Model::ResNet(m) => m.embed(x),
            Model::ResNeXt(m) => m.embed(x),
            Model::ResNet9(m) => m.embed(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zoo::{preset, PRESETS};
    use burn::tensor::Distribution;

    const IN: InputShape = InputShape {
        channels: 3,
        height: 16,
        width: 16,
    };

    #[test]
    fn resnet20_shapes() {
        let dev = Device::default();
        dev.seed(0);
        let m = preset("resnet20")
            .unwrap()
            .init(IN, 5, &dev)
            .unwrap()
            .valid();
        let x = Tensor::<4>::random([2, 3, 16, 16], Distribution::Normal(0.0, 1.0), &dev);
        assert_eq!(m.forward(x.clone()).dims(), [2, 5]);
        assert_eq!(m.embed(x).dims(), [2, 64]);
    }

    #[test]
    fn resnet20_has_the_bakeoff_parameter_count() {
        // 272,474 trainable + 1,568 BatchNorm running statistics.
        let dev = Device::default();
        let input = InputShape {
            channels: 3,
            height: 32,
            width: 32,
        };
        let m = preset("resnet20").unwrap().init(input, 10, &dev).unwrap();
        assert_eq!(m.num_params(), 274_042);
    }

    #[test]
    fn resnet_depths_follow_6n_plus_2() {
        // Trainable convolution+linear layers: stem + 2 per block + fc.
        for (name, n) in [("resnet20", 3), ("resnet32", 5), ("resnet56", 9)] {
            let spec = preset(name).unwrap();
            assert_eq!(spec.effective_blocks(), vec![n; 3], "{name}");
            assert_eq!(1 + 2 * 3 * n + 1, 6 * n + 2);
        }
        let r18 = preset("resnet18").unwrap();
        assert_eq!(r18.effective_widths(), vec![64, 128, 256, 512]);
        assert_eq!(r18.effective_blocks(), vec![2; 4]);
    }

    #[test]
    fn every_preset_builds_and_runs_on_small_inputs() {
        // Tiny widths so that the test is fast; the structure is the preset's.
        let dev = Device::default();
        dev.seed(3);
        let input = InputShape {
            channels: 1,
            height: 12,
            width: 10,
        };
        for p in PRESETS {
            let mut spec = preset(p.name).unwrap();
            if let Some(w) = spec.widths.as_mut() {
                for v in w.iter_mut() {
                    *v = (*v / 16).max(4);
                }
            }
            if spec.kind == ModelKind::Resnext {
                spec.stem = Some(8);
            }
            let m = spec.init(input, 3, &dev).unwrap().valid();
            let x = Tensor::<4>::random([2, 1, 12, 10], Distribution::Normal(0.0, 1.0), &dev);
            let logits = m.forward(x.clone());
            assert_eq!(logits.dims(), [2, 3], "{}", p.name);
            let v = logits.try_into_vec_as::<f32>().unwrap();
            assert!(v.iter().all(|x| x.is_finite()), "{}: {v:?}", p.name);
            assert_eq!(m.embed(x).dims()[0], 2, "{}", p.name);
        }
    }

    #[test]
    fn resnext_uses_grouped_convolutions() {
        // A grouped 3×3 conv has C_out·(C_in/groups)·9 weights: with
        // cardinality 4 the model is smaller than with cardinality 1.
        let dev = Device::default();
        let spec = |c| ModelSpec {
            cardinality: Some(c),
            widths: Some(vec![16, 32]),
            blocks: Some(vec![1, 1]),
            stem: Some(16),
            bottleneck_width: Some(8 / c),
            ..ModelSpec::new(ModelKind::Resnext)
        };
        let grouped = spec(4).init(IN, 2, &dev).unwrap().num_params();
        let dense = spec(1).init(IN, 2, &dev).unwrap().num_params();
        // Inner widths 8 and 16 in both; the grouped 3×3 convs hold 1/4 of
        // the dense ones' weights: (8·8·9 + 16·16·9)·3/4 = 2160 fewer.
        assert_eq!(dense - grouped, 2160);
    }

    #[test]
    fn vgg_can_halve_channels_after_pooling() {
        let spec = ModelSpec {
            widths: Some(vec![64, 128, 256]),
            halve_after_pool: true,
            ..ModelSpec::new(ModelKind::Vgg)
        };
        assert_eq!(spec.effective_widths(), vec![64, 32, 16]);
        let dev = Device::default();
        let m = spec.init(IN, 4, &dev).unwrap();
        let x = Tensor::<4>::random([2, 3, 16, 16], Distribution::Default, &dev);
        assert_eq!(m.embed(x).dims(), [2, 16]);
    }

    #[test]
    fn too_small_inputs_are_rejected_with_the_reason() {
        let dev = Device::default();
        let tiny = InputShape {
            channels: 1,
            height: 4,
            width: 4,
        };
        let err = ModelSpec::new(ModelKind::Vgg)
            .init(tiny, 2, &dev)
            .unwrap_err();
        assert!(err.to_string().contains("at least 8×8"), "{err}");
        assert!(ModelSpec::new(ModelKind::Resnet9)
            .init(tiny, 2, &dev)
            .is_err());
    }

    #[test]
    fn mlp_and_linear_shapes() {
        let dev = Device::default();
        let x = Tensor::<4>::random([3, 3, 16, 16], Distribution::Default, &dev);
        let spec = ModelSpec {
            widths: Some(vec![8, 6]),
            dropout: 0.2,
            ..ModelSpec::new(ModelKind::Mlp)
        };
        let m = spec.init(IN, 4, &dev).unwrap();
        assert_eq!(m.forward(x.clone()).dims(), [3, 4]);
        assert_eq!(m.embed(x.clone()).dims(), [3, 6]);
        let m = ModelSpec::new(ModelKind::Linear).init(IN, 4, &dev).unwrap();
        assert_eq!(m.forward(x.clone()).dims(), [3, 4]);
        assert_eq!(m.embed(x).dims(), [3, 768]);
    }

    #[test]
    fn spec_parses_from_json_with_defaults() {
        let s: ModelSpec = serde_json::from_str(r#"{"kind":"resnet"}"#).unwrap();
        assert_eq!(s, ModelSpec::new(ModelKind::Resnet));
        assert_eq!(s.effective_norm(), Norm::Batch);
        assert_eq!(s.effective_blocks(), vec![3, 3, 3]);
        let s: ModelSpec =
            serde_json::from_str(r#"{"kind":"mlp","widths":[64,32],"dropout":0.1}"#).unwrap();
        assert_eq!(s.widths, Some(vec![64, 32]));
        assert!(serde_json::from_str::<ModelSpec>(r#"{"kind":"mlp","depth":3}"#).is_err());
    }

    #[test]
    fn invalid_specs_are_rejected() {
        let bad = [
            ModelSpec {
                blocks: Some(vec![3, 3]),
                ..ModelSpec::new(ModelKind::Resnet)
            },
            ModelSpec {
                norm: Some(Norm::Batch),
                ..ModelSpec::new(ModelKind::Mlp)
            },
            ModelSpec {
                dropout: 1.0,
                ..ModelSpec::new(ModelKind::Mlp)
            },
            ModelSpec {
                widths: Some(vec![]),
                ..ModelSpec::new(ModelKind::Mlp)
            },
            ModelSpec {
                halve_after_pool: true,
                ..ModelSpec::new(ModelKind::Resnet)
            },
            ModelSpec {
                cardinality: Some(0),
                ..ModelSpec::new(ModelKind::Resnext)
            },
            ModelSpec {
                widths: Some(vec![8, 8, 8]),
                ..ModelSpec::new(ModelKind::Resnet9)
            },
        ];
        for s in bad {
            assert!(s.validate().is_err(), "{s:?}");
        }
        let dev = Device::default();
        assert!(ModelSpec::new(ModelKind::Linear).init(IN, 1, &dev).is_err());
    }
}
