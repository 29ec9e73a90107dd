//! The results of a sweep (`triage sweep collect`, format `triage-sweep`):
//! every configuration of a plan trained with several seeds (or by 5×2
//! cross-validation), each run's metrics on the items it predicted, the
//! mean and t-interval of every metric per configuration, and the tests
//! between configurations — Welch's t across seeds, or Dietterich's 5×2cv
//! t and Alpaydın's combined F — Holm-corrected across the comparisons,
//! with a verdict in words.
//!
//! Top-level keys: `format`, `version`, `name`, `plan`, `design`,
//! `evaluated_on`, `alpha`, `baseline`, `tasks_total`, `tasks_done`,
//! `configs`, `comparisons`, `notes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of a sweep's results.
pub const SWEEP_FORMAT: &str = "triage-sweep";
/// Version written by this build.
pub const SWEEP_VERSION: u32 = 1;

/// How the runs of a configuration were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// One run per seed, each trained on the training split and evaluated
    /// on the same evaluation split: configurations are compared by
    /// Welch's t-test on the per-run metrics.
    Seeds,
    /// Dietterich's 5×2 cross-validation: five replications, each a
    /// stratified half/half split shared by every configuration, each half
    /// trained on and the other predicted: configurations are compared by
    /// the 5×2cv paired t-test and Alpaydın's combined F test.
    FiveByTwo,
}

/// One finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepRunDoc {
    /// The task's index in the plan (the job-array index).
    pub task: u64,
    /// Seed of the run.
    pub seed: u64,
    /// 5×2cv: the replication (0–4).
    pub replication: Option<u64>,
    /// 5×2cv: the half trained on (0 or 1).
    pub fold: Option<u64>,
    /// The task's folder, relative to the sweep's output folder.
    pub dir: String,
    /// Items predicted.
    pub items: u64,
    /// Accuracy.
    pub accuracy: f64,
    /// Mean log loss (nats).
    pub log_loss: f64,
    /// Mean Brier score.
    pub brier: f64,
    /// Macro one-vs-rest AUC (null when a class is missing).
    pub macro_auc: Option<f64>,
    /// Expected calibration error (15 equal-width bins).
    pub ece: f64,
}

/// A metric over the runs of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricSummaryDoc {
    /// `accuracy`, `log_loss`, `brier`, `macro_auc` or `ece`.
    pub metric: String,
    /// Runs with a value.
    pub n: u64,
    /// Mean over runs.
    pub mean: f64,
    /// Standard deviation over runs (ddof = 1; null for one run).
    pub sd: Option<f64>,
    /// Lower end of the t-interval of the mean, intersected with the
    /// metric's range (null for one run).
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// Higher is better (accuracy, AUC) or worse (losses, ECE).
    pub higher_is_better: bool,
}

/// One configuration of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepConfigDoc {
    /// Its name in the plan.
    pub name: String,
    /// Its `triage train` options, as the plan sets them.
    pub settings: Vec<String>,
    /// Tasks of this configuration in the plan.
    pub tasks: u64,
    /// Its finished runs.
    pub runs: Vec<SweepRunDoc>,
    /// Every metric over the runs.
    pub metrics: Vec<MetricSummaryDoc>,
}

/// A test between two configurations on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepComparisonDoc {
    /// The first configuration.
    pub a: String,
    /// The second.
    pub b: String,
    /// The metric compared.
    pub metric: String,
    /// `welch`, `5x2cv-t` or `5x2cv-f`.
    pub test: String,
    /// Mean of a − mean of b.
    pub diff: f64,
    /// Lower end of the interval of the difference, intersected with the
    /// range a difference can take (Welch only).
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// The statistic (t or F; null when undefined: runs without spread).
    pub statistic: Option<f64>,
    /// Degrees of freedom (the numerator's for F).
    pub df: f64,
    /// The denominator's degrees of freedom (F only).
    pub df2: Option<f64>,
    /// p-value.
    pub p_value: f64,
    /// Holm-corrected across the comparisons of this metric and test.
    pub p_holm: f64,
    /// `p_holm` < α.
    pub significant: bool,
    /// Runs per configuration that would detect a difference of this size
    /// (two-sided α, 80 % power; Welch only, null without a difference).
    pub runs_needed: Option<f64>,
    /// The verdict in words.
    pub verdict: String,
}

/// The sweep's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepDoc {
    /// Always `triage-sweep`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// The plan's name.
    pub name: String,
    /// The plan file as given.
    pub plan: String,
    /// Seeds or 5×2 cross-validation.
    pub design: Design,
    /// What every run predicted.
    pub evaluated_on: String,
    /// Significance level.
    pub alpha: f64,
    /// The configuration every other one is compared with (null: every
    /// pair).
    pub baseline: Option<String>,
    /// Tasks in the plan.
    pub tasks_total: u64,
    /// Tasks finished.
    pub tasks_done: u64,
    /// Every configuration, in the plan's order.
    pub configs: Vec<SweepConfigDoc>,
    /// The tests between configurations.
    pub comparisons: Vec<SweepComparisonDoc>,
    /// What to keep in mind.
    pub notes: Vec<String>,
}

impl Document for SweepDoc {
    const FORMAT: &'static str = SWEEP_FORMAT;
    const VERSION: u32 = SWEEP_VERSION;
    const WHAT: &'static str = "sweep results";

    fn check(&self) -> Result<(), DocError> {
        let invalid = |reason: String| DocError::Invalid {
            what: Self::WHAT,
            reason,
        };
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(invalid(format!("`alpha` {} is not in (0, 1)", self.alpha)));
        }
        if self.tasks_done > self.tasks_total {
            return Err(invalid(format!(
                "`tasks_done` {} exceeds `tasks_total` {}",
                self.tasks_done, self.tasks_total
            )));
        }
        for c in &self.comparisons {
            for name in [&c.a, &c.b] {
                if !self.configs.iter().any(|k| &k.name == name) {
                    return Err(invalid(format!(
                        "comparison names configuration {name:?}, which `configs` lacks"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// `format` of a sweep's task list.
pub const SWEEP_TASKS_FORMAT: &str = "triage-sweep-tasks";
/// Version written by this build.
pub const SWEEP_TASKS_VERSION: u32 = 1;

/// One task of a sweep: one configuration, one seed (and, under 5×2cv, one
/// replication and half).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepTaskDoc {
    /// Its index (0-based: `$SLURM_ARRAY_TASK_ID`, `$JOB_COMPLETION_INDEX`).
    pub index: u64,
    /// The configuration's name.
    pub config: String,
    /// The seed.
    pub seed: u64,
    /// 5×2cv: the replication (0–4).
    pub replication: Option<u64>,
    /// 5×2cv: the half trained on (0 or 1).
    pub fold: Option<u64>,
    /// Its folder, relative to the sweep's output folder.
    pub dir: String,
    /// The `triage train` options the plan gives it (without data, seed
    /// and output, which the sweep sets).
    pub args: Vec<String>,
}

/// Every task of a plan, as `triage sweep` wrote it into the output folder
/// (`tasks.json`) when it first ran; a later run of another plan into the
/// same folder is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepTasksDoc {
    /// Always `triage-sweep-tasks`.
    pub format: String,
    /// Document version.
    pub version: u32,
    /// The plan's name.
    pub name: String,
    /// The data every task reads (absolute).
    pub data: String,
    /// Seeds or 5×2cv.
    pub design: Design,
    /// The tasks, by index.
    pub tasks: Vec<SweepTaskDoc>,
}

impl Document for SweepTasksDoc {
    const FORMAT: &'static str = SWEEP_TASKS_FORMAT;
    const VERSION: u32 = SWEEP_TASKS_VERSION;
    const WHAT: &'static str = "sweep task list";

    fn check(&self) -> Result<(), DocError> {
        for (i, t) in self.tasks.iter().enumerate() {
            if t.index != i as u64 {
                return Err(DocError::Invalid {
                    what: Self::WHAT,
                    reason: format!("task {i} has index {}", t.index),
                });
            }
        }
        Ok(())
    }
}
