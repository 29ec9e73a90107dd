//! Settings of an evaluation: [`EvaluationParams`] as a caller writes them,
//! checked once into [`EvaluationSettings`], which is all [`super::evaluate`]
//! takes — so no library caller can run with `confidence = 1.7`.

use crate::error::StatsError;

/// Default number of bootstrap resamples.
pub const DEFAULT_BOOTSTRAP: usize = 1000;
/// Default confidence level of every interval.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// Default share of samples used to fit the temperature.
pub const DEFAULT_CALIBRATE_FRACTION: f64 = 0.3;
/// Default largest number of points written per curve.
pub const DEFAULT_MAX_CURVE_POINTS: usize = 1000;
/// Most bootstrap resamples accepted. Each resample stores 13 metric
/// values (8 bytes each) and costs one O(n) pass per metric; 10⁶ resamples
/// of 10⁶ samples would already run for hours.
pub const MAX_BOOTSTRAP: usize = 1_000_000;

/// What to compute, unchecked. `EvaluationParams::default()` gives the
/// `triage evaluate` defaults; [`EvaluationParams::check`] validates.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationParams {
    /// Bootstrap resamples (0 = no bootstrap intervals; at most
    /// [`MAX_BOOTSTRAP`]).
    pub bootstrap: usize,
    /// Seed of the bootstrap and of the calibration split.
    pub seed: u64,
    /// Confidence level of every interval, in (0, 1).
    pub confidence: f64,
    /// Share of samples used to fit the temperature, in [0, 1) (0 = skip).
    pub calibrate_fraction: f64,
    /// Largest number of points written per curve (0 = all, else ≥ 2).
    pub max_curve_points: usize,
}

impl Default for EvaluationParams {
    fn default() -> Self {
        Self {
            bootstrap: DEFAULT_BOOTSTRAP,
            seed: 0,
            confidence: DEFAULT_CONFIDENCE,
            calibrate_fraction: DEFAULT_CALIBRATE_FRACTION,
            max_curve_points: DEFAULT_MAX_CURVE_POINTS,
        }
    }
}

impl EvaluationParams {
    /// Check every setting.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] naming the first bad one.
    pub fn check(self) -> Result<EvaluationSettings, StatsError> {
        let bad =
            |name: &'static str, reason: String| Err(StatsError::InvalidParameter { name, reason });
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return bad(
                "confidence",
                format!("must be in (0, 1), got {}", self.confidence),
            );
        }
        if !(0.0..1.0).contains(&self.calibrate_fraction) {
            return bad(
                "calibrate_fraction",
                format!("must be in [0, 1), got {}", self.calibrate_fraction),
            );
        }
        if self.bootstrap > MAX_BOOTSTRAP {
            return bad(
                "bootstrap",
                format!(
                    "{} resamples requested; at most {MAX_BOOTSTRAP} are accepted (1000 give 95 % intervals good to about ±0.2 points)",
                    self.bootstrap
                ),
            );
        }
        if self.max_curve_points == 1 {
            return bad(
                "max_curve_points",
                "must be 0 (all points) or at least 2, got 1".into(),
            );
        }
        Ok(EvaluationSettings(self))
    }
}

/// Checked settings; made only by [`EvaluationParams::check`] (or
/// `default()`, the checked defaults).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvaluationSettings(EvaluationParams);

impl EvaluationSettings {
    /// The checked values.
    pub fn params(&self) -> &EvaluationParams {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_are_named() {
        assert!(EvaluationParams::default().check().is_ok());
        let cases = [
            (
                EvaluationParams {
                    confidence: 1.7,
                    ..Default::default()
                },
                "confidence",
            ),
            (
                EvaluationParams {
                    confidence: f64::NAN,
                    ..Default::default()
                },
                "confidence",
            ),
            (
                EvaluationParams {
                    calibrate_fraction: 1.0,
                    ..Default::default()
                },
                "calibrate_fraction",
            ),
            (
                EvaluationParams {
                    bootstrap: 1_000_000_000_000,
                    ..Default::default()
                },
                "bootstrap",
            ),
            (
                EvaluationParams {
                    max_curve_points: 1,
                    ..Default::default()
                },
                "max_curve_points",
            ),
        ];
        for (p, field) in cases {
            match p.check() {
                Err(StatsError::InvalidParameter { name, .. }) => assert_eq!(name, field),
                other => panic!("{field}: expected an error, got {other:?}"),
            }
        }
    }
}
