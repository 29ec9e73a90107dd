//! Optimizer choice, built into a burn [`ModuleOptimizer`] with PyTorch's
//! defaults.
//!
//! burn's own defaults differ from PyTorch's in several places, so every
//! value that matters is set explicitly here:
//!
//! | Optimizer | Set here (PyTorch default) | burn 0.22 default |
//! |---|---|---|
//! | SGD | dampening 0 | dampening 0.1 |
//! | Adam / AdamW | ε = 1e-8 | ε = 1e-5 |
//! | AdamW | weight_decay as given (PyTorch: 1e-2) | 1e-4 |
//! | RMSprop | α = 0.99, ε = 1e-8, momentum 0 | momentum 0.9, ε = 1e-5 |
//! | Adadelta | ρ = 0.9, ε = 1e-6 ([`Adadelta`]) | not in burn |
//!
//! The learning rate is not part of the spec: it comes from the
//! [`Schedule`](crate::schedule::Schedule) at every step.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig};
pub use triage_docs::optimizer::OptimizerSpec;

use crate::adadelta::Adadelta;
use crate::error::NnError;

/// PyTorch's Adam/AdamW ε.
const ADAM_EPS: f32 = 1e-8;
/// PyTorch's RMSprop smoothing constant α.
const RMSPROP_ALPHA: f32 = 0.99;
/// PyTorch's RMSprop ε.
const RMSPROP_EPS: f32 = 1e-8;

/// Build [`OptimizerSpec`]s into burn optimizers.
pub trait BuildOptimizer {
    /// Build the burn optimizer for a whole module.
    ///
    /// # Errors
    ///
    /// As [`OptimizerSpec::validate`].
    fn build(&self) -> Result<ModuleOptimizer, NnError>;
}

impl BuildOptimizer for OptimizerSpec {
    fn build(&self) -> Result<ModuleOptimizer, NnError> {
        self.validate()?;
        Ok(match *self {
            OptimizerSpec::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => sgd_config(momentum, nesterov, weight_decay).init(),
            OptimizerSpec::Adam => AdamConfig::new().with_epsilon(ADAM_EPS).init(),
            OptimizerSpec::AdamW { weight_decay } => AdamWConfig::new()
                .with_epsilon(ADAM_EPS)
                .with_weight_decay(weight_decay as f32)
                .init(),
            OptimizerSpec::RmsProp => RmsPropConfig::new()
                .with_alpha(RMSPROP_ALPHA)
                .with_epsilon(RMSPROP_EPS)
                .with_momentum(0.0)
                .init(),
            OptimizerSpec::Adadelta => Adadelta::default().init(),
        })
    }
}

/// burn's SGD with PyTorch semantics: dampening 0 (burn defaults to 0.1).
fn sgd_config(momentum: f64, nesterov: bool, weight_decay: f64) -> SgdConfig {
    let momentum = (momentum > 0.0).then_some(MomentumConfig {
        momentum,
        dampening: 0.0,
        nesterov,
    });
    let weight_decay = (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay as f32));
    SgdConfig::new()
        .with_momentum(momentum)
        .with_weight_decay(weight_decay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::GradientsParams;
    use burn::tensor::{Device, Tensor, TensorData};

    fn weight(l: &Linear) -> f64 {
        let v = l.weight.val().try_into_vec_as::<f32>().unwrap();
        f64::from(v[0])
    }

    /// One step of `loss = 2w` (gradient 2) on a 1×1 linear layer.
    fn step(opt: &mut ModuleOptimizer, l: Linear, lr: f64) -> Linear {
        let dev = l.weight.val().device();
        let x = Tensor::<2>::from_data(TensorData::from([[2.0f32]]), &dev);
        let loss = l.forward(x).sum();
        let grads = GradientsParams::from_grads(loss.backward(), &l);
        opt.step(lr, l, grads)
    }

    #[test]
    fn sgd_momentum_has_no_dampening() {
        // PyTorch SGD(momentum=0.9, dampening=0), constant gradient g = 2:
        // step 1: buf = g = 2, θ −= 0.1·2 = 0.2;
        // step 2: buf = 0.9·2 + 2 = 3.8, θ −= 0.1·3.8 = 0.38.
        // burn's default dampening 0.1 would give 0.9·2 + 0.9·2 = 3.6.
        let dev = Device::default().autodiff();
        let l = LinearConfig::new(1, 1).with_bias(false).init(&dev);
        let spec = OptimizerSpec::Sgd {
            momentum: 0.9,
            nesterov: false,
            weight_decay: 0.0,
        };
        let mut opt = spec.build().unwrap();
        let w0 = weight(&l);
        let l = step(&mut opt, l, 0.1);
        let w1 = weight(&l);
        let l = step(&mut opt, l, 0.1);
        let w2 = weight(&l);
        assert!((w0 - w1 - 0.2).abs() < 1e-6, "{w0} {w1}");
        assert!((w1 - w2 - 0.38).abs() < 1e-6, "{w1} {w2}");
    }

    #[test]
    fn nesterov_matches_pytorch() {
        // Nesterov, μ 0.9, g = 2: step 1: buf = 2, g' = 2 + 0.9·2 = 3.8;
        // step 2: buf = 3.8, g' = 2 + 0.9·3.8 = 5.42. lr 0.1.
        let dev = Device::default().autodiff();
        let l = LinearConfig::new(1, 1).with_bias(false).init(&dev);
        let spec = OptimizerSpec::Sgd {
            momentum: 0.9,
            nesterov: true,
            weight_decay: 0.0,
        };
        let mut opt = spec.build().unwrap();
        let w0 = weight(&l);
        let l = step(&mut opt, l, 0.1);
        let w1 = weight(&l);
        let l = step(&mut opt, l, 0.1);
        let w2 = weight(&l);
        assert!((w0 - w1 - 0.38).abs() < 1e-6);
        assert!((w1 - w2 - 0.542).abs() < 1e-6);
    }

    /// Weights before and after each of `steps` steps with gradient 2.
    fn trajectory(spec: &OptimizerSpec, lr: f64, steps: usize) -> Vec<f64> {
        let dev = Device::default().autodiff();
        let mut l = LinearConfig::new(1, 1).with_bias(false).init(&dev);
        let mut opt = spec.build().unwrap();
        let mut w = vec![weight(&l)];
        for _ in 0..steps {
            l = step(&mut opt, l, lr);
            w.push(weight(&l));
        }
        w
    }

    #[test]
    fn rmsprop_matches_pytorch() {
        // PyTorch RMSprop(lr=0.01) defaults α 0.99, ε 1e-8, g = 2:
        // step 1: v = 0.01·4 = 0.04, Δ = 0.01·2/(√0.04 + 1e-8) = 0.1;
        // step 2: v = 0.99·0.04 + 0.04 = 0.0796, Δ = 0.02/√0.0796
        //   = 0.0708881205008336.
        let w = trajectory(&OptimizerSpec::RmsProp, 0.01, 2);
        assert!((w[0] - w[1] - 0.1).abs() < 1e-6, "{w:?}");
        assert!(
            (w[1] - w[2] - 0.070_888_120_500_833_6).abs() < 1e-6,
            "{w:?}"
        );
    }

    #[test]
    fn adam_and_adamw_first_step_match_pytorch() {
        // Adam, first step: m̂ = g, v̂ = g², Δ = lr·g/(|g| + 1e-8) = lr.
        let w = trajectory(&OptimizerSpec::Adam, 0.01, 1);
        assert!((w[0] - w[1] - 0.01).abs() < 1e-6, "{w:?}");
        // AdamW(λ = 0.1): θ ← θ·(1 − lr·λ) − lr, so Δ = lr·(1 + λθ₀).
        let w = trajectory(&OptimizerSpec::AdamW { weight_decay: 0.1 }, 0.01, 1);
        let expected = 0.01 * (1.0 + 0.1 * w[0]);
        assert!((w[0] - w[1] - expected).abs() < 1e-6, "{w:?}");
    }

    #[test]
    fn every_optimizer_builds_and_steps() {
        let dev = Device::default().autodiff();
        for spec in [
            OptimizerSpec::Adam,
            OptimizerSpec::AdamW { weight_decay: 1e-2 },
            OptimizerSpec::RmsProp,
            OptimizerSpec::Adadelta,
        ] {
            let l = LinearConfig::new(1, 1).with_bias(false).init(&dev);
            let mut opt = spec.build().unwrap();
            let w0 = weight(&l);
            let l = step(&mut opt, l, 0.01);
            assert!(weight(&l) < w0, "{spec:?} did not descend");
            assert!(l.num_params() == 1);
        }
    }

    #[test]
    fn nesterov_without_momentum_is_rejected() {
        let spec = OptimizerSpec::Sgd {
            momentum: 0.0,
            nesterov: true,
            weight_decay: 0.0,
        };
        assert!(matches!(
            spec.build(),
            Err(NnError::InvalidConfig {
                what: "nesterov",
                ..
            })
        ));
    }
}
