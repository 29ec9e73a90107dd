//! The optimizer of a training run, as `run.json` records it (triage-nn
//! builds it with PyTorch's defaults; see its `optimizer` module).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// Which optimizer to train with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerSpec {
    /// SGD, optionally with (Nesterov) momentum and L2 weight decay:
    /// `g ← g + λθ; v ← μv + g; g ← g + μv` (Nesterov) or `g ← v`;
    /// `θ ← θ − lr·g`. Dampening is always 0, as in PyTorch.
    Sgd {
        /// Momentum μ (0 for plain SGD; He et al. use 0.9).
        momentum: f64,
        /// Nesterov momentum (needs `momentum > 0`).
        nesterov: bool,
        /// L2 penalty λ added to the gradient (0 for none).
        weight_decay: f64,
    },
    /// Adam, β = (0.9, 0.999), ε = 1e-8, no weight decay.
    Adam,
    /// AdamW (Loshchilov & Hutter, ICLR 2019), β = (0.9, 0.999), ε = 1e-8,
    /// decoupled weight decay `θ ← θ − lr·λθ`.
    AdamW {
        /// Decoupled weight decay λ (PyTorch's default is 1e-2).
        weight_decay: f64,
    },
    /// RMSprop, α = 0.99, ε = 1e-8, no momentum, not centred.
    RmsProp,
    /// Adadelta (Zeiler 2012), ρ = 0.9, ε = 1e-6; use lr 1.0 for PyTorch's
    /// default.
    Adadelta,
}

/// SGD's default L2 weight decay (He et al. 2016 on CIFAR).
pub const SGD_DEFAULT_WEIGHT_DECAY: f64 = 5e-4;
/// AdamW's default decoupled weight decay (PyTorch's).
pub const ADAMW_DEFAULT_WEIGHT_DECAY: f64 = 1e-2;

impl OptimizerSpec {
    /// The learning rate used when none is given: 0.1 for SGD (He et al.
    /// 2016 with batch 128), 1e-3 for Adam, AdamW and RMSprop (PyTorch's
    /// defaults), 1.0 for Adadelta (PyTorch's).
    pub fn default_lr(&self) -> f64 {
        match self {
            Self::Sgd { .. } => 0.1,
            Self::Adam | Self::AdamW { .. } | Self::RmsProp => 1e-3,
            Self::Adadelta => 1.0,
        }
    }

    /// Check the hyperparameters: momentum in [0, 1), Nesterov only with
    /// momentum > 0, weight decay finite and ≥ 0.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the first bad value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let decay_ok = |wd: f64| {
            if wd.is_finite() && wd >= 0.0 {
                Ok(())
            } else {
                Err(ConfigError::new(
                    "weight_decay",
                    format!("must be finite and >= 0, got {wd}"),
                ))
            }
        };
        match *self {
            OptimizerSpec::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                if !(0.0..1.0).contains(&momentum) {
                    return Err(ConfigError::new(
                        "momentum",
                        format!("must be in [0, 1), got {momentum}"),
                    ));
                }
                if nesterov && momentum == 0.0 {
                    return Err(ConfigError::new(
                        "nesterov",
                        "Nesterov momentum requires momentum > 0",
                    ));
                }
                decay_ok(weight_decay)
            }
            OptimizerSpec::AdamW { weight_decay } => decay_ok(weight_decay),
            OptimizerSpec::Adam | OptimizerSpec::RmsProp | OptimizerSpec::Adadelta => Ok(()),
        }
    }
}
