//! Settings of [`super::find_label_issues`]: [`LabelIssuesParams`] as a
//! caller writes them, checked once into [`LabelIssuesSettings`].

use std::fmt;
use std::str::FromStr;

use crate::error::StatsError;

/// How the examples with label issues are chosen (cleanlab's `filter_by`).
///
/// Every filter except the two `Low…` ones finally keeps an example only if
/// the model does not (nearly) agree with its given label: an example whose
/// given label wins the argmax once its probability is raised by 10⁻⁶ is
/// never an issue (cleanlab's `_reduce_issues`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterBy {
    /// cleanlab's default `"prune_by_noise_rate"`: for every off-diagonal
    /// cell (given i, true j) of the pruning matrix, the `C[i][j]` examples
    /// given label i with the largest margin `p_j − p_i`.
    #[default]
    PruneByNoiseRate,
    /// `"prune_by_class"`: in every given class i, the `n_i − C[i][i]`
    /// examples with the smallest `p_i`.
    PruneByClass,
    /// `"both"`: examples chosen by both of the above.
    Both,
    /// `"confident_learning"`: the examples counted off the diagonal of the
    /// confident joint.
    ConfidentLearning,
    /// `"predicted_neq_given"`: `argmax p ≠ given label`.
    PredictedNeqGiven,
    /// `"low_normalized_margin"`: the `num_label_issues` examples with the
    /// smallest normalized margin.
    LowNormalizedMargin,
    /// `"low_self_confidence"`: the `num_label_issues` examples with the
    /// smallest self-confidence.
    LowSelfConfidence,
}

impl FilterBy {
    /// Every filter, in cleanlab's documentation order.
    pub const ALL: [FilterBy; 7] = [
        FilterBy::PruneByClass,
        FilterBy::PruneByNoiseRate,
        FilterBy::Both,
        FilterBy::ConfidentLearning,
        FilterBy::PredictedNeqGiven,
        FilterBy::LowNormalizedMargin,
        FilterBy::LowSelfConfidence,
    ];

    /// cleanlab's name of the filter (`"prune_by_noise_rate"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FilterBy::PruneByNoiseRate => "prune_by_noise_rate",
            FilterBy::PruneByClass => "prune_by_class",
            FilterBy::Both => "both",
            FilterBy::ConfidentLearning => "confident_learning",
            FilterBy::PredictedNeqGiven => "predicted_neq_given",
            FilterBy::LowNormalizedMargin => "low_normalized_margin",
            FilterBy::LowSelfConfidence => "low_self_confidence",
        }
    }

    /// Whether `frac_noise` and the pruning matrix are used.
    pub fn prunes(self) -> bool {
        matches!(
            self,
            FilterBy::PruneByNoiseRate | FilterBy::PruneByClass | FilterBy::Both
        )
    }
}

impl fmt::Display for FilterBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FilterBy {
    type Err = StatsError;

    /// Parse cleanlab's name of a filter.
    fn from_str(s: &str) -> Result<Self, StatsError> {
        FilterBy::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| StatsError::InvalidParameter {
                name: "filter_by",
                reason: format!(
                    "unknown filter {s:?}; expected one of {}",
                    FilterBy::ALL.map(FilterBy::as_str).join(", ")
                ),
            })
    }
}

/// The label quality score that ranks the issues, lowest (worst) first
/// (cleanlab's `return_indices_ranked_by` / `rank.get_label_quality_scores`
/// `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RankBy {
    /// `"self_confidence"` (cleanlab's default score): `p[given]`.
    #[default]
    SelfConfidence,
    /// `"normalized_margin"`: `(p[given] − max_{c≠given} p[c] + 1) / 2`.
    NormalizedMargin,
}

impl RankBy {
    /// Both scores.
    pub const ALL: [RankBy; 2] = [RankBy::SelfConfidence, RankBy::NormalizedMargin];

    /// cleanlab's name of the score.
    pub fn as_str(self) -> &'static str {
        match self {
            RankBy::SelfConfidence => "self_confidence",
            RankBy::NormalizedMargin => "normalized_margin",
        }
    }
}

impl fmt::Display for RankBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RankBy {
    type Err = StatsError;

    /// Parse cleanlab's name of a score.
    fn from_str(s: &str) -> Result<Self, StatsError> {
        RankBy::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| StatsError::InvalidParameter {
                name: "rank_by",
                reason: format!(
                    "unknown score {s:?}; expected self_confidence or normalized_margin \
                     (confidence_weighted_entropy is not implemented)"
                ),
            })
    }
}

/// Default of [`LabelIssuesParams::min_examples_per_class`] (cleanlab's).
pub const DEFAULT_MIN_EXAMPLES_PER_CLASS: usize = 1;
/// Default of [`LabelIssuesParams::frac_noise`] (cleanlab's).
pub const DEFAULT_FRAC_NOISE: f64 = 1.0;

/// What to compute, unchecked. `LabelIssuesParams::default()` has the
/// defaults of cleanlab 2.9's `filter.find_label_issues` (and ranks by
/// self-confidence, the default of `rank.order_label_issues`);
/// [`LabelIssuesParams::check`] validates.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelIssuesParams {
    /// How issues are chosen; default [`FilterBy::PruneByNoiseRate`].
    pub filter_by: FilterBy,
    /// Score that orders the issues; default [`RankBy::SelfConfidence`].
    pub rank_by: RankBy,
    /// The pruning filters leave at least this many examples in every given
    /// class (its diagonal count is raised to it) and flag nothing in a class
    /// with at most this many examples; default 1.
    pub min_examples_per_class: usize,
    /// Share of the off-diagonal counts of the pruning matrix that is
    /// pruned, in [0, 1]; default 1 (all). Only the pruning filters use it:
    /// another value with another filter is refused (cleanlab warns and
    /// ignores it).
    pub frac_noise: f64,
    /// Iterate the prior and both noise matrices into agreement
    /// (cleanlab's `estimate_latent(converge_latent_estimates=True)`);
    /// default `false`, estimate_latent's default. Only the reported
    /// matrices change, not the issues.
    pub converge_latent_estimates: bool,
}

impl Default for LabelIssuesParams {
    fn default() -> Self {
        Self {
            filter_by: FilterBy::default(),
            rank_by: RankBy::default(),
            min_examples_per_class: DEFAULT_MIN_EXAMPLES_PER_CLASS,
            frac_noise: DEFAULT_FRAC_NOISE,
            converge_latent_estimates: false,
        }
    }
}

impl LabelIssuesParams {
    /// Check every setting.
    ///
    /// # Errors
    ///
    /// [`StatsError::InvalidParameter`] naming the first bad one:
    /// `frac_noise` outside [0, 1] (or NaN), or different from 1 with a
    /// filter that does not prune.
    pub fn check(self) -> Result<LabelIssuesSettings, StatsError> {
        if !(0.0..=1.0).contains(&self.frac_noise) {
            return Err(StatsError::InvalidParameter {
                name: "frac_noise",
                reason: format!("must be in [0, 1], got {}", self.frac_noise),
            });
        }
        if self.frac_noise != 1.0 && !self.filter_by.prunes() {
            return Err(StatsError::InvalidParameter {
                name: "frac_noise",
                reason: format!(
                    "is only used by the filters prune_by_noise_rate, prune_by_class and both, \
                     not by {}; leave it at 1",
                    self.filter_by
                ),
            });
        }
        Ok(LabelIssuesSettings(self))
    }
}

/// Checked settings; made only by [`LabelIssuesParams::check`] (or
/// `default()`, the checked defaults).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelIssuesSettings(LabelIssuesParams);

impl LabelIssuesSettings {
    /// The checked values.
    pub fn params(&self) -> &LabelIssuesParams {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_cleanlabs() {
        let p = LabelIssuesParams::default();
        assert_eq!(p.filter_by.as_str(), "prune_by_noise_rate");
        assert_eq!(p.rank_by.as_str(), "self_confidence");
        assert_eq!(p.min_examples_per_class, 1);
        assert_eq!(p.frac_noise, 1.0);
        assert!(!p.converge_latent_estimates);
        assert!(p.check().is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        for frac_noise in [f64::NAN, -0.1, 1.5] {
            let err = LabelIssuesParams {
                frac_noise,
                ..Default::default()
            }
            .check()
            .unwrap_err();
            assert!(matches!(
                err,
                StatsError::InvalidParameter {
                    name: "frac_noise",
                    ..
                }
            ));
        }
        let err = LabelIssuesParams {
            frac_noise: 0.5,
            filter_by: FilterBy::ConfidentLearning,
            ..Default::default()
        }
        .check()
        .unwrap_err();
        assert!(err.to_string().contains("confident_learning"));
        assert!(LabelIssuesParams {
            frac_noise: 0.0,
            filter_by: FilterBy::Both,
            ..Default::default()
        }
        .check()
        .is_ok());
    }

    #[test]
    fn names_round_trip() {
        for f in FilterBy::ALL {
            assert_eq!(f.as_str().parse::<FilterBy>().unwrap(), f);
        }
        for r in RankBy::ALL {
            assert_eq!(r.as_str().parse::<RankBy>().unwrap(), r);
        }
        assert!("confidence_weighted_entropy".parse::<RankBy>().is_err());
        assert!("nope".parse::<FilterBy>().is_err());
    }
}
