//! The model description ([`ModelSpec`], serde-friendly for TOML/JSON
//! configs) and the built model ([`Model`]).

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::error::NnError;
use crate::mlp::{LinearNet, Mlp};
use crate::resnet::ResNet;

/// Hidden widths of an `mlp` whose spec gives none.
pub const MLP_DEFAULT_WIDTHS: [usize; 1] = [128];
/// Stage widths of a `resnet20` whose spec gives none (He et al. 2016).
pub const RESNET20_DEFAULT_WIDTHS: [usize; 3] = [16, 32, 64];

/// Architecture family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Softmax regression on the flattened image.
    Linear,
    /// ReLU multilayer perceptron on the flattened image.
    Mlp,
    /// CIFAR ResNet-20 with global average pooling.
    Resnet20,
}

/// Normalisation layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// BatchNorm after every convolution (resnet20 only).
    Batch,
    /// No normalisation.
    None,
}

/// What to build: e.g. `{"kind": "mlp", "widths": [64, 32], "dropout": 0.1}`
/// or, in TOML, `kind = "resnet20"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Architecture family.
    pub kind: ModelKind,
    /// Hidden widths (`mlp`, default `[128]`) or the three stage widths
    /// (`resnet20`, default `[16, 32, 64]`); must be absent for `linear`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widths: Option<Vec<usize>>,
    /// Normalisation: default `batch` for `resnet20`, `none` otherwise
    /// (`batch` is only available in `resnet20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub norm: Option<Norm>,
    /// Dropout probability in [0, 1) before the classifier (and after
    /// every hidden layer of an `mlp`); default 0.
    #[serde(default)]
    pub dropout: f64,
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

impl ModelSpec {
    /// Create a spec with the family's default widths and norm, no dropout.
    pub fn new(kind: ModelKind) -> Self {
        Self {
            kind,
            widths: None,
            norm: None,
            dropout: 0.0,
        }
    }

    /// Return the normalisation in effect (the explicit one or the family
    /// default).
    pub fn effective_norm(&self) -> Norm {
        self.norm.unwrap_or(match self.kind {
            ModelKind::Resnet20 => Norm::Batch,
            ModelKind::Linear | ModelKind::Mlp => Norm::None,
        })
    }

    /// Check the spec against itself (widths count and values, norm,
    /// dropout).
    ///
    /// # Errors
    ///
    /// [`NnError::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<(), NnError> {
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(NnError::invalid(
                "dropout",
                format!("must be in [0, 1), got {}", self.dropout),
            ));
        }
        if let Some(w) = &self.widths {
            if w.contains(&0) {
                return Err(NnError::invalid(
                    "widths",
                    format!("must be > 0, got {w:?}"),
                ));
            }
        }
        match self.kind {
            ModelKind::Linear if self.widths.is_some() => Err(NnError::invalid(
                "widths",
                "a linear model has no hidden widths",
            )),
            ModelKind::Mlp if self.widths.as_ref().is_some_and(Vec::is_empty) => Err(
                NnError::invalid("widths", "an mlp needs at least one hidden width"),
            ),
            ModelKind::Resnet20 if self.widths.as_ref().is_some_and(|w| w.len() != 3) => {
                Err(NnError::invalid(
                    "widths",
                    format!(
                        "resnet20 needs 3 stage widths, got {}",
                        self.widths.as_ref().map_or(0, Vec::len)
                    ),
                ))
            }
            ModelKind::Linear | ModelKind::Mlp if self.effective_norm() == Norm::Batch => Err(
                NnError::invalid("norm", "batch norm is only available in resnet20"),
            ),
            _ => Ok(()),
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
    /// empty input shape or fewer than 2 classes.
    pub fn init(
        &self,
        input: InputShape,
        num_classes: usize,
        device: &Device,
    ) -> Result<Model, NnError> {
        self.validate()?;
        let features = input.channels * input.height * input.width;
        if features == 0 {
            return Err(NnError::invalid(
                "input shape",
                format!("is empty: {input:?}"),
            ));
        }
        if num_classes < 2 {
            return Err(NnError::invalid(
                "num_classes",
                format!("must be >= 2, got {num_classes}"),
            ));
        }
        Ok(match self.kind {
            ModelKind::Linear => Model::Linear(LinearNet::new(features, num_classes, device)),
            ModelKind::Mlp => {
                let widths = self.widths.as_deref().unwrap_or(&MLP_DEFAULT_WIDTHS);
                Model::Mlp(Mlp::new(
                    features,
                    widths,
                    num_classes,
                    self.dropout,
                    device,
                ))
            }
            ModelKind::Resnet20 => {
                let widths = match self.widths.as_deref() {
                    Some(&[a, b, c]) => [a, b, c],
                    _ => RESNET20_DEFAULT_WIDTHS,
                };
                Model::ResNet(ResNet::new(
                    input.channels,
                    widths,
                    num_classes,
                    self.effective_norm() == Norm::Batch,
                    self.dropout,
                    device,
                ))
            }
        })
    }
}

/// A built classifier.
// The ResNet variant is ~850 bytes of layer handles (the weights live on
// the device); moving it once per optimizer step costs nothing measurable,
// and burn 0.22 has no `Module` impl for `Box<T>`.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Model {
    /// See [`LinearNet`].
    Linear(LinearNet),
    /// See [`Mlp`].
    Mlp(Mlp),
    /// See [`ResNet`].
    ResNet(ResNet),
}

impl Model {
    /// Return the logits, shape `[N, K]`, of images `[N, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Linear(m) => m.forward(x),
            Model::Mlp(m) => m.forward(x),
            Model::ResNet(m) => m.forward(x),
        }
    }

    /// Return the penultimate features `[N, D]` (the classifier's input).
    pub fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Model::Linear(m) => m.embed(x),
            Model::Mlp(m) => m.embed(x),
            Model::ResNet(m) => m.embed(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let m = ModelSpec::new(ModelKind::Resnet20)
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
        let m = ModelSpec::new(ModelKind::Resnet20)
            .init(
                InputShape {
                    channels: 3,
                    height: 32,
                    width: 32,
                },
                10,
                &dev,
            )
            .unwrap();
        assert_eq!(m.num_params(), 274_042);
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
        let s: ModelSpec = serde_json::from_str(r#"{"kind":"resnet20"}"#).unwrap();
        assert_eq!(s, ModelSpec::new(ModelKind::Resnet20));
        assert_eq!(s.effective_norm(), Norm::Batch);
        let s: ModelSpec =
            serde_json::from_str(r#"{"kind":"mlp","widths":[64,32],"dropout":0.1}"#).unwrap();
        assert_eq!(s.widths, Some(vec![64, 32]));
        assert!(serde_json::from_str::<ModelSpec>(r#"{"kind":"mlp","depth":3}"#).is_err());
    }

    #[test]
    fn invalid_specs_are_rejected() {
        let bad = [
            ModelSpec {
                widths: Some(vec![8]),
                ..ModelSpec::new(ModelKind::Resnet20)
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
        ];
        for s in bad {
            assert!(s.validate().is_err(), "{s:?}");
        }
        let dev = Device::default();
        assert!(ModelSpec::new(ModelKind::Linear).init(IN, 1, &dev).is_err());
    }
}
