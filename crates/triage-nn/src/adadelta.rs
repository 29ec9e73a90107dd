//! Adadelta (Zeiler 2012) as a burn optimizer; burn 0.22 does not ship one.
//!
//! Update, per parameter θ with gradient g, as PyTorch's `torch.optim.Adadelta`
//! (`maximize = False`):
//!
//! ```text
//! g ← g + λθ                       (only when weight_decay λ > 0)
//! v ← ρv + (1 − ρ)g²               (running average of squared gradients)
//! Δ ← √(u + ε) / √(v + ε) · g
//! u ← ρu + (1 − ρ)Δ²               (running average of squared updates)
//! θ ← θ − lr·Δ
//! ```
//!
//! `v` and `u` start at zero. Defaults are PyTorch's: `lr = 1.0`, `ρ = 0.9`,
//! `ε = 1e-6`, `weight_decay = 0`.
//!
//! # References
//!
//! M. D. Zeiler, *ADADELTA: An Adaptive Learning Rate Method*, arXiv 1212.5701, 2012.

use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

/// PyTorch's default Adadelta learning rate.
pub const ADADELTA_DEFAULT_LR: f64 = 1.0;

/// Adadelta hyperparameters (PyTorch defaults via [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adadelta {
    /// Decay ρ of both running averages (default 0.9).
    pub rho: f32,
    /// ε added inside both square roots (default 1e-6).
    pub eps: f32,
    /// L2 penalty λ added to the gradient (default 0).
    pub weight_decay: f32,
}

impl Default for Adadelta {
    fn default() -> Self {
        Self {
            rho: 0.9,
            eps: 1e-6,
            weight_decay: 0.0,
        }
    }
}

impl Adadelta {
    /// Wrap the optimizer for whole-module updates.
    pub fn init(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }
}

/// Per-parameter Adadelta state: the two running averages.
#[derive(Clone, Debug)]
pub struct AdadeltaState<const D: usize> {
    /// Running average `v` of squared gradients.
    pub square_avg: Tensor<D>,
    /// Running average `u` of squared updates.
    pub acc_delta: Tensor<D>,
}

impl<const D: usize> RecordState for AdadeltaState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "square_avg", self.square_avg.to_data());
        out.push_tensor(prefix, "acc_delta", self.acc_delta.to_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let square_avg = Tensor::from_data(src.take_tensor(prefix, "square_avg")?, device);
        let acc_delta = Tensor::from_data(src.take_tensor(prefix, "acc_delta")?, device);
        Some(Self {
            square_avg,
            acc_delta,
        })
    }
}

impl Optimizer for Adadelta {
    type State<const D: usize> = AdadeltaState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        mut grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if self.weight_decay != 0.0 {
            grad = grad + tensor.clone().mul_scalar(self.weight_decay);
        }
        let (square_avg, acc_delta) = match state {
            Some(s) => (s.square_avg, s.acc_delta),
            None => (grad.zeros_like(), grad.zeros_like()),
        };
        let rho = self.rho;
        let square_avg = square_avg.mul_scalar(rho) + grad.clone().square().mul_scalar(1.0 - rho);
        let std = square_avg.clone().add_scalar(self.eps).sqrt();
        let delta = acc_delta
            .clone()
            .add_scalar(self.eps)
            .sqrt()
            .div(std)
            .mul(grad);
        let acc_delta = acc_delta.mul_scalar(rho) + delta.clone().square().mul_scalar(1.0 - rho);
        let tensor = tensor - delta.mul_scalar(lr);
        (
            tensor,
            Some(AdadeltaState {
                square_avg,
                acc_delta,
            }),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AdadeltaState {
            square_avg: state.square_avg.to_device(device),
            acc_delta: state.acc_delta.to_device(device),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values(t: Tensor<1>) -> Vec<f32> {
        t.try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn two_steps_match_the_pytorch_update_rule() {
        // θ0 = [1, -2], g1 = [1, -2], g2 = [0.5, 0.5], ρ 0.9, ε 1e-6, lr 1.
        // Step 1: v = 0.1·g² = [0.1, 0.4];
        //   Δ = √1e-6/√(v+1e-6)·g = [3.16226e-3, -3.16227e-3];
        //   θ1 = [0.99683773815, -1.99683772629].
        // Step 2: v = [0.115, 0.385]; u from step 1 = 0.1·Δ1²;
        //   θ2 = [0.99475260829, -1.99797732987].
        // (Worked in f64 from the formulas in the module docs.)
        let dev = Device::default();
        let opt = Adadelta::default();
        let theta = Tensor::<1>::from_data(TensorData::from([1.0f32, -2.0]), &dev);
        let g1 = Tensor::<1>::from_data(TensorData::from([1.0f32, -2.0]), &dev);
        let g2 = Tensor::<1>::from_data(TensorData::from([0.5f32, 0.5]), &dev);
        let (theta, state) = opt.step(ADADELTA_DEFAULT_LR, theta, g1, None);
        let got1 = values(theta.clone());
        let (theta, state) = opt.step(ADADELTA_DEFAULT_LR, theta, g2, state);
        let got2 = values(theta);
        let expect1 = [0.996_837_738_151_101_3, -1.996_837_726_292_671_3];
        let expect2 = [0.994_752_608_289_107_6, -1.997_977_329_865_011_9];
        for (g, e) in got1.iter().zip(expect1).chain(got2.iter().zip(expect2)) {
            assert!((f64::from(*g) - e).abs() < 2e-6, "got {g}, expected {e}");
        }
        let state = state.unwrap();
        let v = values(state.square_avg);
        assert!((f64::from(v[0]) - 0.115).abs() < 1e-6);
        assert!((f64::from(v[1]) - 0.385).abs() < 1e-6);
    }

    #[test]
    fn state_round_trips_through_record_state() {
        let dev = Device::default();
        let s = AdadeltaState::<1> {
            square_avg: Tensor::from_data(TensorData::from([1.0f32, 2.0]), &dev),
            acc_delta: Tensor::from_data(TensorData::from([3.0f32]), &dev),
        };
        let mut sink = StateSink::default();
        s.state_flatten("p", &mut sink);
        let mut src = StateSource::default();
        for (name, data) in sink.tensors {
            src.insert_tensor(name, data);
        }
        let back = AdadeltaState::<1>::state_unflatten("p", &mut src, &dev).unwrap();
        assert_eq!(values(back.square_avg), vec![1.0, 2.0]);
        assert_eq!(values(back.acc_delta), vec![3.0]);
    }
}
