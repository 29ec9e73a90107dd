//! The model description ([`ModelSpec`], serde-friendly for TOML/JSON
//! configs) and the built model ([`Model`]).

use burn::module::Module;
use burn::tensor::{Device, Tensor};
pub use triage_docs::model_spec::{
    InputShape, ModelKind, ModelSpec, Norm, MLP_DEFAULT_WIDTHS, RESNET9_DEFAULT_WIDTHS,
    RESNET_DEFAULT_BLOCKS, RESNET_DEFAULT_WIDTHS, RESNEXT_DEFAULT_BLOCKS,
    RESNEXT_DEFAULT_BOTTLENECK_WIDTH, RESNEXT_DEFAULT_CARDINALITY, RESNEXT_DEFAULT_STEM,
    RESNEXT_DEFAULT_WIDTHS, VGG_DEFAULT_BLOCKS, VGG_DEFAULT_WIDTHS,
};

use crate::error::NnError;
use crate::mlp::{LinearNet, Mlp};
use crate::resnet::ResNet;
use crate::resnet9::ResNet9;
use crate::resnext::{ResNeXt, ResNeXtLayout};
use crate::vgg::{Vgg, VggLayout};

/// Build a [`ModelSpec`] into burn layers.
pub trait InitModel {
    /// Build the model for images of `input` shape and `num_classes`
    /// classes on `device` (use an autodiff device to train it). The
    /// weights are drawn from the device's RNG: seed it with
    /// [`Device::seed`] for reproducible initialisation.
    ///
    /// # Errors
    ///
    /// As [`ModelSpec::check_input`].
    fn init(
        &self,
        input: InputShape,
        num_classes: usize,
        device: &Device,
    ) -> Result<Model, NnError>;
}

impl InitModel for ModelSpec {
    fn init(
        &self,
        input: InputShape,
        num_classes: usize,
        device: &Device,
    ) -> Result<Model, NnError> {
        self.check_input(input, num_classes)?;
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

/// What every model of [`Model`] does: penultimate features of an image
/// batch, and logits of features; `forward` is the two in turn.
pub trait Classifier {
    /// The penultimate features `[N, D]` of images `[N, C, H, W]` (the
    /// embeddings `triage predict` writes).
    fn embed(&self, x: Tensor<4>) -> Tensor<2>;

    /// The logits `[N, K]` of features from [`Classifier::embed`].
    fn head(&self, features: Tensor<2>) -> Tensor<2>;

    /// The logits `[N, K]` of images `[N, C, H, W]`.
    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.head(self.embed(x))
    }
}

impl Model {
    /// The model as a [`Classifier`] (the one place that lists the
    /// families).
    fn classifier(&self) -> &dyn Classifier {
        match self {
            Model::Linear(m) => m,
            Model::Mlp(m) => m,
            Model::Vgg(m) => m,
            Model::ResNet(m) => m,
            Model::ResNeXt(m) => m,
            Model::ResNet9(m) => m,
        }
    }

    /// Return the logits, shape `[N, K]`, of images `[N, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.classifier().forward(x)
    }

    /// Return the logits of penultimate features from [`Self::embed`].
    pub fn head(&self, features: Tensor<2>) -> Tensor<2> {
        self.classifier().head(features)
    }

    /// Return the penultimate features (the embeddings `triage predict`
    /// writes).
    pub fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        self.classifier().embed(x)
    }

    /// Whether the model's classifier is a shared
    /// [`ClassifierHead`](crate::classifier_head::ClassifierHead)
    /// (record paths `head.fc.*`), whose weights checkpoints of format
    /// version ≤ 2 kept at `fc.*`.
    pub(crate) fn has_shared_head(&self) -> bool {
        matches!(self, Model::Vgg(_) | Model::ResNet(_) | Model::ResNeXt(_))
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
    fn the_size_estimate_is_close_to_the_built_model() {
        // The memory check before building uses the estimate: it must track
        // the real parameter count (within 10 %) for the families it claims.
        let dev = Device::default();
        let input = InputShape {
            channels: 3,
            height: 32,
            width: 32,
        };
        for name in ["linear", "mlp", "vgg-like", "resnet20", "resnet32"] {
            let Some(spec) = preset(name) else {
                continue;
            };
            let real = spec.init(input, 10, &dev).unwrap().num_params() as f64;
            let estimate = spec.size_estimate(input, 10).parameters as f64;
            assert!(
                (estimate - real).abs() <= 0.1 * real,
                "{name}: estimate {estimate}, built {real}"
            );
        }
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
