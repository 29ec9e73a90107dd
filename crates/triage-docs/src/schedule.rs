//! Learning-rate schedules: pure functions of the step index.
//!
//! `step` is the 0-based index of the optimizer step about to be taken and
//! `total_steps` the number of steps in the whole run (epochs × batches per
//! epoch); the optimizer step `step` uses `lr(step, total_steps)`. Every
//! formula reproduces the PyTorch / Hugging Face reference named on its
//! variant, evaluated at the same 0-based step count (`last_epoch` in
//! PyTorch's schedulers, `current_step` in Hugging Face's).

use serde::{Deserialize, Serialize};

use schemars::JsonSchema;

use crate::ConfigError;

/// A learning-rate schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// `lr` at every step.
    Constant {
        /// The learning rate.
        lr: f64,
    },
    /// PyTorch `StepLR`: `lr · gamma^⌊step / step_size⌋`.
    Step {
        /// The initial learning rate.
        lr: f64,
        /// Steps between two decays (must be > 0).
        step_size: usize,
        /// Multiplicative decay factor (PyTorch's default is 0.1).
        gamma: f64,
    },
    /// Linear warmup from 0, then half a cosine down to `min_lr`.
    ///
    /// With `w = warmup_steps` and `T = total_steps`:
    /// `lr · step / max(1, w)` while `step < w`, then
    /// `min_lr + (lr − min_lr) · ½(1 + cos(π·p))` with
    /// `p = (step − w) / max(1, T − w)`, floored at `min_lr`.
    /// With `min_lr = 0` this is Hugging Face's
    /// `get_cosine_schedule_with_warmup` (`num_cycles = 0.5`); with
    /// `min_lr > 0` it is `get_cosine_with_min_lr_schedule_with_warmup`.
    CosineWithWarmup {
        /// The peak learning rate, reached at the end of the warmup.
        lr: f64,
        /// Steps of linear warmup from 0.
        warmup_steps: usize,
        /// The learning rate at the end of the cosine.
        min_lr: f64,
    },
    /// PyTorch `OneCycleLR` with its defaults: `pct_start = 0.3`,
    /// `anneal_strategy = "cos"`, `div_factor = 25`,
    /// `final_div_factor = 1e4`, `three_phase = False`.
    ///
    /// It starts at `initial = max_lr / 25`, rises by cosine annealing to
    /// `max_lr` at step `0.3·T − 1`, then falls by cosine annealing to
    /// `initial / 1e4` at step `T − 1`. Cosine annealing from `a` to `b` at
    /// fraction `f` of a phase is `b + (a − b)/2 · (1 + cos(π·f))`.
    /// Steps past `T − 1` keep the final value (PyTorch raises instead).
    ///
    /// Reference: Smith & Topin, *Super-Convergence*, 2019 (arXiv 1708.07120).
    OneCycle {
        /// The peak learning rate.
        max_lr: f64,
    },
    /// Linear decay from `lr` at step 0 to 0 at step `total_steps`:
    /// `lr · max(0, (T − step) / max(1, T))` (Hugging Face's
    /// `get_linear_schedule_with_warmup` with no warmup).
    LinearDecay {
        /// The initial learning rate.
        lr: f64,
    },
}

/// `OneCycleLR` `pct_start` default.
const ONE_CYCLE_PCT_START: f64 = 0.3;
/// `OneCycleLR` `div_factor` default: initial lr = max_lr / 25.
const ONE_CYCLE_DIV_FACTOR: f64 = 25.0;
/// `OneCycleLR` `final_div_factor` default: min lr = initial lr / 1e4.
const ONE_CYCLE_FINAL_DIV_FACTOR: f64 = 1e4;

/// PyTorch's `_annealing_cos(start, end, pct)`.
fn annealing_cos(start: f64, end: f64, pct: f64) -> f64 {
    end + (start - end) / 2.0 * ((std::f64::consts::PI * pct).cos() + 1.0)
}

impl Schedule {
    /// Return the learning rate of optimizer step `step` (0-based) in a run
    /// of `total_steps` steps.
    pub fn lr(&self, step: usize, total_steps: usize) -> f64 {
        match *self {
            Schedule::Constant { lr } => lr,
            Schedule::Step {
                lr,
                step_size,
                gamma,
            } => {
                let k = step / step_size.max(1);
                lr * gamma.powi(i32::try_from(k).unwrap_or(i32::MAX))
            }
            Schedule::CosineWithWarmup {
                lr,
                warmup_steps,
                min_lr,
            } => {
                if step < warmup_steps {
                    return lr * step as f64 / warmup_steps.max(1) as f64;
                }
                let span = total_steps.saturating_sub(warmup_steps).max(1);
                let p = (step - warmup_steps) as f64 / span as f64;
                let factor = (0.5 * (1.0 + (std::f64::consts::PI * p).cos())).max(0.0);
                min_lr + (lr - min_lr) * factor
            }
            Schedule::OneCycle { max_lr } => one_cycle(max_lr, step, total_steps),
            Schedule::LinearDecay { lr } => {
                let t = total_steps.max(1) as f64;
                lr * ((total_steps as f64 - step as f64) / t).max(0.0)
            }
        }
    }

    /// Check the hyperparameters: learning rates finite and ≥ 0 (> 0 for
    /// the peak of one-cycle), `step_size > 0`, `gamma` finite and > 0,
    /// `min_lr ≤ lr`.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the first bad value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let nonneg = |what: &'static str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(ConfigError::new(
                    what,
                    format!("must be finite and >= 0, got {v}"),
                ))
            }
        };
        match *self {
            Schedule::Constant { lr } | Schedule::LinearDecay { lr } => nonneg("learning rate", lr),
            Schedule::Step {
                lr,
                step_size,
                gamma,
            } => {
                nonneg("learning rate", lr)?;
                if step_size == 0 {
                    return Err(ConfigError::new("step_size", "must be > 0, got 0"));
                }
                if !(gamma.is_finite() && gamma > 0.0) {
                    return Err(ConfigError::new(
                        "gamma",
                        format!("must be > 0, got {gamma}"),
                    ));
                }
                Ok(())
            }
            Schedule::CosineWithWarmup { lr, min_lr, .. } => {
                nonneg("learning rate", lr)?;
                nonneg("min_lr", min_lr)?;
                if min_lr > lr {
                    return Err(ConfigError::new(
                        "min_lr",
                        format!("must be <= lr ({lr}), got {min_lr}"),
                    ));
                }
                Ok(())
            }
            Schedule::OneCycle { max_lr } => {
                if max_lr.is_finite() && max_lr > 0.0 {
                    Ok(())
                } else {
                    Err(ConfigError::new(
                        "max_lr",
                        format!("must be > 0, got {max_lr}"),
                    ))
                }
            }
        }
    }
}

/// PyTorch `OneCycleLR.get_lr` for the two-phase cosine schedule.
fn one_cycle(max_lr: f64, step: usize, total_steps: usize) -> f64 {
    let initial = max_lr / ONE_CYCLE_DIV_FACTOR;
    let min_lr = initial / ONE_CYCLE_FINAL_DIV_FACTOR;
    let last = total_steps.saturating_sub(1) as f64;
    // Phase ends exactly as PyTorch computes them (floats, not rounded).
    let phase1_end = ONE_CYCLE_PCT_START * total_steps as f64 - 1.0;
    let s = (step as f64).min(last);
    if s <= phase1_end {
        annealing_cos(initial, max_lr, s / phase1_end)
    } else {
        let pct = (s - phase1_end) / (last - phase1_end);
        annealing_cos(max_lr, min_lr, pct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn constant_is_constant() {
        let s = Schedule::Constant { lr: 0.1 };
        assert_eq!(s.lr(0, 10), 0.1);
        assert_eq!(s.lr(9, 10), 0.1);
    }

    #[test]
    fn step_matches_steplr() {
        // StepLR(lr=0.1, step_size=3, gamma=0.1): epochs 0-2 -> 0.1,
        // 3-5 -> 0.01, 6 -> 0.001.
        let s = Schedule::Step {
            lr: 0.1,
            step_size: 3,
            gamma: 0.1,
        };
        let got: Vec<f64> = [0, 2, 3, 5, 6].iter().map(|&i| s.lr(i, 10)).collect();
        for (g, e) in got.iter().zip([0.1, 0.1, 0.01, 0.01, 0.001]) {
            assert_relative_eq!(*g, e, max_relative = 1e-12);
        }
    }

    #[test]
    fn cosine_with_warmup_by_hand() {
        // lr 1, warmup 2, T = 10, min_lr 0: step 0 -> 0, step 1 -> 1/2,
        // step 2 -> p = 0 -> 1, step 6 -> p = 4/8 -> 1/2,
        // step 4 -> p = 2/8 -> (1 + cos(pi/4))/2 = 0.853553390593273...
        let s = Schedule::CosineWithWarmup {
            lr: 1.0,
            warmup_steps: 2,
            min_lr: 0.0,
        };
        assert_eq!(s.lr(0, 10), 0.0);
        assert_relative_eq!(s.lr(1, 10), 0.5, max_relative = 1e-12);
        assert_relative_eq!(s.lr(2, 10), 1.0, max_relative = 1e-12);
        assert_relative_eq!(s.lr(4, 10), 0.853_553_390_593_273_7, max_relative = 1e-12);
        assert_relative_eq!(s.lr(6, 10), 0.5, max_relative = 1e-12);
        assert!(s.lr(10, 10).abs() < 1e-15);
        // With min_lr 0.1 the cosine spans [0.1, 1]: halfway -> 0.55.
        let s = Schedule::CosineWithWarmup {
            lr: 1.0,
            warmup_steps: 2,
            min_lr: 0.1,
        };
        assert_relative_eq!(s.lr(6, 10), 0.55, max_relative = 1e-12);
        assert_relative_eq!(s.lr(10, 10), 0.1, max_relative = 1e-12);
    }

    #[test]
    fn one_cycle_matches_pytorch_formula() {
        // OneCycleLR(max_lr=1, total_steps=10), defaults. initial = 0.04,
        // min = 4e-6, phase 1 ends at 0.3*10 - 1 = 2, phase 2 at 9.
        // step 0: 0.04; step 1: pct 1/2 -> 1 + (0.04-1)/2*(cos(pi/2)+1) = 0.52;
        // step 2: 1; step 3: pct 1/7 ->
        //   4e-6 + (1-4e-6)/2*(cos(pi/7)+1), cos(pi/7) = 0.9009688679024191;
        // step 9: 4e-6.
        let s = Schedule::OneCycle { max_lr: 1.0 };
        assert_relative_eq!(s.lr(0, 10), 0.04, max_relative = 1e-12);
        assert_relative_eq!(s.lr(1, 10), 0.52, max_relative = 1e-12);
        assert_relative_eq!(s.lr(2, 10), 1.0, max_relative = 1e-12);
        let e3 = 4e-6 + (1.0 - 4e-6) / 2.0 * (0.900_968_867_902_419_1 + 1.0);
        assert_relative_eq!(s.lr(3, 10), e3, max_relative = 1e-12);
        assert_relative_eq!(s.lr(9, 10), 4e-6, max_relative = 1e-9);
        // Past the end: the final value.
        assert_relative_eq!(s.lr(12, 10), 4e-6, max_relative = 1e-9);
    }

    #[test]
    fn one_cycle_fractional_phase_end() {
        // T = 7: phase 1 ends at 0.3*7 - 1 = 1.1 (PyTorch keeps the float).
        // step 1: pct 1/1.1 -> 0.1 + (0.004 - 0.1)/2*(cos(pi/1.1)+1) with
        // max_lr 0.1, initial 0.004; cos(pi/1.1) = -0.9594929736144974.
        let s = Schedule::OneCycle { max_lr: 0.1 };
        let e1 = 0.1 + (0.004 - 0.1) / 2.0 * (-0.959_492_973_614_497_3 + 1.0);
        assert_relative_eq!(s.lr(1, 7), e1, max_relative = 1e-12);
        // step 2: phase 2, pct (2 - 1.1)/(6 - 1.1) = 0.9/4.9.
        let min = 0.004 / 1e4;
        let pct: f64 = 0.9 / 4.9;
        let e2 = min + (0.1 - min) / 2.0 * ((std::f64::consts::PI * pct).cos() + 1.0);
        assert_relative_eq!(s.lr(2, 7), e2, max_relative = 1e-12);
    }

    #[test]
    fn linear_decay_to_zero() {
        let s = Schedule::LinearDecay { lr: 0.2 };
        assert_relative_eq!(s.lr(0, 4), 0.2, max_relative = 1e-12);
        assert_relative_eq!(s.lr(1, 4), 0.15, max_relative = 1e-12);
        assert_relative_eq!(s.lr(3, 4), 0.05, max_relative = 1e-12);
        assert_eq!(s.lr(4, 4), 0.0);
        assert_eq!(s.lr(5, 4), 0.0);
    }

    #[test]
    fn validate_rejects_bad_values() {
        assert!(Schedule::OneCycle { max_lr: 0.0 }.validate().is_err());
        assert!(Schedule::Step {
            lr: 0.1,
            step_size: 0,
            gamma: 0.1
        }
        .validate()
        .is_err());
        assert!(Schedule::CosineWithWarmup {
            lr: 0.1,
            warmup_steps: 0,
            min_lr: 0.2
        }
        .validate()
        .is_err());
        assert!(Schedule::Constant { lr: f64::NAN }.validate().is_err());
        assert!(Schedule::LinearDecay { lr: 0.1 }.validate().is_ok());
    }

    #[test]
    fn serde_round_trip() {
        let s = Schedule::Step {
            lr: 0.1,
            step_size: 30,
            gamma: 0.1,
        };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, r#"{"kind":"step","lr":0.1,"step_size":30,"gamma":0.1}"#);
        assert_eq!(serde_json::from_str::<Schedule>(&j).unwrap(), s);
    }
}
