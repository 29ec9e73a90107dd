//! The findings engine: rules read the inputs and each returns findings —
//! a severity, the evidence (the numbers) and a concrete fix — ranked by
//! severity and then by a score the rule gives.
//!
//! A rule is a plain function `fn(&ReportInputs) -> Vec<Finding>`
//! registered in [`RULES`]; later checks (Bayes error, shift, lint) add
//! their rules to that table. Each threshold is a named constant with its
//! reason in its doc comment.

pub mod calibration;
pub mod comparison;
pub mod data;
pub mod deployment;
pub mod limits;
pub mod lint;
pub mod performance;
pub mod sweep;
pub mod training;

pub use lint::lint_findings;
use schemars::JsonSchema;
use serde::Serialize;
pub use triage_docs::severity::Severity;

use crate::inputs::ReportInputs;
use crate::model::{KeyValue, SectionKind};

/// One finding.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct Finding {
    /// Rule id (kebab-case, stable).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// One-line statement.
    pub title: String,
    /// The evidence, in words with the numbers.
    pub evidence: String,
    /// The evidence as key/values.
    pub values: Vec<KeyValue>,
    /// A concrete action.
    pub fix: String,
    /// The section it belongs to.
    pub section: SectionKind,
    /// The run, evaluation or profile it is about.
    pub subject: Option<String>,
    /// Rank within a severity (higher first), given by the rule.
    pub score: f64,
}

impl Finding {
    /// A finding without key/values, subject or score.
    pub fn new(
        id: &str,
        severity: Severity,
        section: SectionKind,
        title: impl Into<String>,
        evidence: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            id: id.to_string(),
            severity,
            title: title.into(),
            evidence: evidence.into(),
            values: Vec::new(),
            fix: fix.into(),
            section,
            subject: None,
            score: 0.0,
        }
    }

    /// Set the subject.
    pub fn about(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_string());
        self
    }

    /// Set the score.
    pub fn scored(mut self, score: f64) -> Self {
        self.score = score;
        self
    }

    /// Add a key/value of evidence.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.values.push(KeyValue::new(key, value.to_string()));
        self
    }
}

/// A rule: an id, what it checks, and the check.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Id of the findings it makes (a prefix when it makes several kinds).
    pub id: &'static str,
    /// What it checks, for the README and `--help`.
    pub description: &'static str,
    /// The check.
    pub check: fn(&ReportInputs) -> Vec<Finding>,
}

/// Every rule, in no particular order (findings are ranked afterwards).
pub static RULES: &[Rule] = &[
    Rule {
        id: "profile",
        description: "every rule of the dataset profile's table (`triage_profile::rules::PROFILE_RULES`: leakage, class imbalance, sorted order, corrupt files, …), the same verdicts `triage profile` prints",
        check: data::profile_rules,
    },
    Rule {
        id: "leakage-cost",
        description: "accuracy with and without the evaluated items that have a copy in another split (`triage evaluate --profile`)",
        check: data::leakage_cost,
    },
    Rule {
        id: "label-issues",
        description: "examples whose given label is probably wrong (confident learning, `triage label-issues`); in-sample predictions",
        check: data::label_issues,
    },
    Rule {
        id: "select-on-accuracy",
        description: "checkpoint selected on validation accuracy",
        check: training::select_on_accuracy,
    },
    Rule {
        id: "overconfidence",
        description: "validation loss rising while validation accuracy rises",
        check: training::overconfidence,
    },
    Rule {
        id: "loss-curve",
        description: "divergence (NaN or rising training loss) or plateau (flat training loss)",
        check: training::loss_curve,
    },
    Rule {
        id: "optimizer",
        description: "Adadelta, SGD without momentum, or a constant learning rate",
        check: training::optimizer,
    },
    Rule {
        id: "miscalibration",
        description: "expected calibration error above the threshold",
        check: calibration::miscalibration,
    },
    Rule {
        id: "wide-interval",
        description: "accuracy interval too wide to support claims",
        check: performance::wide_interval,
    },
    Rule {
        id: "bayes-",
        description: "the model's test error against `triage bayes`'s tightest bracket: headroom (warning) when its interval lies above the upper estimate's, at the limit (information) when they meet, and a lower bound the model beats (information: not valid on those features)",
        check: limits::against_bayes,
    },
    Rule {
        id: "human-level",
        description: "the model's test error against the humans' of a blind sample (`triage label report`): below human level (warning) when its interval lies above the majority vote's, at or above human level (information) otherwise",
        check: limits::against_humans,
    },
    Rule {
        id: "lint",
        description: "every finding of a `triage lint` document (architecture and training setup: Dropout feeding BatchNorm, channels shrinking after down-sampling, deep plain stacks, softmax misuse, dense heads, optimizer, selection, batch size, tail validation splits, …)",
        check: lint::lints,
    },
    Rule {
        id: "difference-",
        description: "`triage compare`: a difference between two models that is not significant (warning; McNemar, Holm-corrected) or that is (information)",
        check: comparison::comparisons,
    },
    Rule {
        id: "sweep-",
        description: "`triage sweep`: an accuracy difference between configurations that is not significant over their seeds (warning; Welch or 5×2cv combined F, Holm-corrected), one that is (information), and a sweep whose runs have not all finished (warning)",
        check: sweep::sweeps,
    },
    Rule {
        id: "covariate-shift",
        description: "a `triage shift` covariate test fired (MMD, classifier two-sample test, BBSD); critical when a classifier separates the sides (AUC ≥ 0.9), information when the effect is negligible",
        check: deployment::covariate_shift,
    },
    Rule {
        id: "label-shift",
        description: "`triage shift`'s likelihood-ratio test of no label shift fired (EM priors against the source's); BBSE flagged unreliable when σ_min is small",
        check: deployment::label_shift,
    },
    Rule {
        id: "domain-gap",
        description: "accuracy of one evaluation far below another of the same model",
        check: performance::domain_gap,
    },
];

/// Run every rule and rank the findings: severity first, then score
/// (higher first), then id for a stable order.
pub fn run_rules(inputs: &ReportInputs) -> Vec<Finding> {
    let mut all: Vec<Finding> = RULES.iter().flat_map(|r| (r.check)(inputs)).collect();
    all.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.score.total_cmp(&a.score))
            .then(a.id.cmp(&b.id))
    });
    all
}

/// `x` as a percentage with one decimal.
pub(crate) fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }

    #[test]
    fn no_inputs_no_findings() {
        assert!(run_rules(&ReportInputs::default()).is_empty());
    }
}
