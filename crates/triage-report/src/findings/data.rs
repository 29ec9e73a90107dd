//! Rules on the data: the profile's rule table, the cost of leakage and
//! the suspected wrong labels.

use triage_profile::rules::judge;

use super::{Finding, Severity};
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// Every rule of the profile's table
/// ([`triage_profile::rules::PROFILE_RULES`]) on every
/// profile: the same verdicts `triage profile` prints as warnings, here
/// with the rule's severity, evidence and fix.
pub fn profile_rules(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &inputs.profiles {
        for (rule, v) in judge(&p.doc) {
            let mut f = Finding::new(
                &rule.id(),
                v.severity,
                SectionKind::Data,
                v.title,
                v.message,
                rule.fix,
            )
            .about(&p.name)
            .scored(v.score);
            for (key, value) in v.values {
                f = f.with(key, value);
            }
            out.push(f);
        }
    }
    out
}

/// What the leaked items cost each evaluation that measured it: the
/// accuracy with and without them, and the inflation with its interval.
/// A warning when the interval excludes zero, information otherwise.
pub fn leakage_cost(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &inputs.evaluations {
        let Some(l) = &e.doc.leakage else { continue };
        if l.leaked == 0 {
            continue;
        }
        let (Some(clean), Some(d)) = (l.accuracy_clean, l.inflation) else {
            continue;
        };
        let ci = l
            .inflation_ci
            .map(|[lo, hi]| format!(" ({:+.2} to {:+.2})", 100.0 * lo, 100.0 * hi))
            .unwrap_or_default();
        let significant = l.inflation_ci.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0);
        let [alo, ahi] = l.accuracy_wilson;
        let clean_ci = l
            .accuracy_clean_wilson
            .map(|[lo, hi]| format!(" [{lo:.3}, {hi:.3}]"))
            .unwrap_or_default();
        out.push(
            Finding::new(
                "leakage-cost",
                if significant {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                SectionKind::Data,
                "Copies of training images inflate the measured accuracy",
                format!(
                    "{} of the {} evaluated items have a copy in another split; accuracy is {:.3} [{alo:.3}, {ahi:.3}] with them and {clean:.3}{clean_ci} without them: inflated by {:+.2} points{ci}",
                    l.leaked, e.doc.n, l.accuracy, 100.0 * d
                ),
                "report the accuracy without the copies (or drop them from the test split and re-evaluate)",
            )
            .about(&e.name)
            .scored((100.0 * d).abs())
            .with("leaked", l.leaked)
            .with("accuracy", format!("{:.4}", l.accuracy))
            .with("accuracy_without_copies", format!("{clean:.4}"))
            .with("inflation_points", format!("{:.2}", 100.0 * d)),
        );
    }
    out
}

/// Wrong labels estimated by confident learning: a warning from 1 % of
/// the items, information below; and a warning when the predictions were
/// in-sample (the estimate is then too low).
pub fn label_issues(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in &inputs.label_issues {
        let d = &l.doc;
        let share = d.num_label_issues as f64 / d.n.max(1) as f64;
        if d.num_label_issues > 0 {
            // The most frequent confusion: the largest off-diagonal noise rate.
            let mut worst: Option<(f64, usize, usize)> = None;
            for (given, row) in d.noise_matrix.iter().enumerate() {
                for (truth, &p) in row.iter().enumerate() {
                    if given != truth && worst.is_none_or(|w| p > w.0) {
                        worst = Some((p, given, truth));
                    }
                }
            }
            let confusion = worst
                .filter(|w| w.0 > 0.0)
                .map(|(p, given, truth)| {
                    format!(
                        "; the most frequent: true {} labelled {} ({:.1} % of the {})",
                        d.classes[truth],
                        d.classes[given],
                        100.0 * p,
                        d.classes[truth]
                    )
                })
                .unwrap_or_default();
            out.push(
                Finding::new(
                    "label-issues",
                    if share >= 0.01 {
                        Severity::Warning
                    } else {
                        Severity::Info
                    },
                    SectionKind::Data,
                    "Some labels are probably wrong",
                    format!(
                        "confident learning estimates {} wrong labels among {} items ({:.2} %) and flags {}{confusion}; they cap the accuracy a model can show on them",
                        d.num_label_issues,
                        d.n,
                        100.0 * share,
                        d.issues
                    ),
                    "look at the suspects in the gallery (worst first), relabel or drop the wrong ones, and re-train",
                )
                .about(&l.name)
                .scored(100.0 * share)
                .with("estimated_label_errors", d.num_label_issues)
                .with("flagged", d.issues),
            );
        }
        if let Some(warn) = &d.in_sample {
            out.push(
                Finding::new(
                    "label-issues-in-sample",
                    Severity::Warning,
                    SectionKind::Data,
                    "Label issues were searched with in-sample predictions",
                    format!("{}: a model agrees with the wrong labels it trained on, so too few are found", warn.reason),
                    "predict with a model that did not see these items: a held-out split, or the out-of-fold predictions of a cross-validation",
                )
                .about(&l.name)
                .scored(1.0),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::NamedProfile;

    use triage_data::progress::Silent;
    use triage_docs::profile::SplitKey;
    use triage_profile::files::{profile_files, ProfileRun};
    use triage_synth::{generate, SynthConfig};

    /// The profile of a small synthetic dataset, as `triage profile`
    /// computes it.
    fn real_profile() -> crate::inputs::ProfileDoc {
        let dir = tempfile::tempdir().unwrap();
        let config = SynthConfig {
            classes: 2,
            per_class: 6,
            size: 12,
            test_fraction: 0.3,
            ..SynthConfig::default()
        };
        generate(&config, dir.path()).unwrap();
        let run = ProfileRun {
            cache_dir: None,
            ..ProfileRun::with_cache()
        };
        profile_files(&dir.path().join("manifest.csv"), &run, &Silent).unwrap()
    }

    fn profile(exact_groups: usize, near_pairs: u64) -> ReportInputs {
        let mut doc = real_profile();
        doc.duplicates.cross_split_groups = exact_groups;
        doc.near_duplicates.cross_split_pairs = near_pairs;
        doc.near_duplicates.pairs_by_split_pair = Default::default();
        doc.near_duplicates
            .pairs_by_split_pair
            .add(SplitKey::Train, SplitKey::Test, near_pairs);
        ReportInputs {
            profiles: vec![NamedProfile {
                name: "p".into(),
                path: "p.json".into(),
                doc,
            }],
            ..ReportInputs::default()
        }
    }

    fn leakage_findings(inputs: &ReportInputs) -> Vec<Finding> {
        profile_rules(inputs)
            .into_iter()
            .filter(|f| f.id.ends_with("leakage"))
            .collect()
    }

    #[test]
    fn exact_copies_across_splits_are_critical_near_duplicates_warn() {
        let f = leakage_findings(&profile(2, 5));
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].id.as_str(), f[0].severity),
            ("leakage", Severity::Critical)
        );
        assert!(f[0].title.starts_with("The same images"));
        assert_eq!(f[0].fix, triage_profile::rules::PROFILE_RULES[1].fix);
        let f = leakage_findings(&profile(0, 5));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "near-duplicate-leakage");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].title.starts_with("Near-duplicate"), "{}", f[0].title);
        assert!(leakage_findings(&profile(0, 0)).is_empty());
    }

    fn evaluation_with(leakage: Option<triage_docs::evaluation::LeakageDoc>) -> ReportInputs {
        let doc = crate::inputs::EvaluationDoc {
            n: 1000,
            classes: vec!["a".into(), "b".into()],
            leakage,
            ..Default::default()
        };
        ReportInputs {
            evaluations: vec![crate::inputs::NamedEvaluation {
                name: "test".into(),
                path: "e.json".into(),
                run: None,
                doc,
                predictions: None,
            }],
            ..ReportInputs::default()
        }
    }

    #[test]
    fn leakage_cost_warns_when_the_inflation_interval_excludes_zero() {
        let cost = triage_docs::evaluation::LeakageDoc {
            profile: "p.json".into(),
            leaked: 30,
            accuracy: 0.85,
            accuracy_wilson: [0.83, 0.87],
            accuracy_clean: Some(0.845),
            accuracy_clean_wilson: Some([0.82, 0.87]),
            accuracy_leaked: Some(1.0),
            inflation: Some(0.005),
            inflation_ci: Some([0.002, 0.008]),
            resamples: 1000,
            ..Default::default()
        };
        let f = leakage_cost(&evaluation_with(Some(cost.clone())));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].evidence.contains("+0.50 points"), "{}", f[0].evidence);
        let unsure = triage_docs::evaluation::LeakageDoc {
            inflation_ci: Some([-0.001, 0.008]),
            ..cost.clone()
        };
        assert_eq!(
            leakage_cost(&evaluation_with(Some(unsure)))[0].severity,
            Severity::Info
        );
        let none = triage_docs::evaluation::LeakageDoc { leaked: 0, ..cost };
        assert!(leakage_cost(&evaluation_with(Some(none))).is_empty());
        assert!(leakage_cost(&evaluation_with(None)).is_empty());
    }

    fn label_doc(errors: usize, in_sample: bool) -> ReportInputs {
        use triage_docs::label_issues::{InSample, LabelIssuesDoc, LabelIssuesUsed};
        let doc = LabelIssuesDoc {
            format: "triage-label-issues".into(),
            version: 1,
            source: "p.csv".into(),
            n: 200,
            classes: vec!["cat".into(), "dog".into()],
            settings: LabelIssuesUsed {
                filter_by: "prune_by_noise_rate".into(),
                rank_by: "self_confidence".into(),
                frac_noise: 1.0,
                min_examples_per_class: 1,
            },
            in_sample: in_sample.then(|| InSample {
                run: "runs/a".into(),
                reason: "predict.json: run `runs/a` predicted every item".into(),
            }),
            label_counts: vec![100, 100],
            thresholds: vec![0.8, 0.8],
            confident_joint: vec![vec![95, 5], vec![1, 99]],
            noise_matrix: vec![vec![0.99, 0.05], vec![0.01, 0.95]],
            inverse_noise_matrix: vec![vec![0.95, 0.01], vec![0.05, 0.99]],
            true_label_prior: vec![0.5, 0.5],
            num_label_issues: errors,
            num_label_issues_calibrated: errors,
            issues: errors,
            listed: Vec::new(),
        };
        ReportInputs {
            label_issues: vec![crate::inputs::NamedLabelIssues {
                name: "labels".into(),
                path: "l.json".into(),
                doc,
            }],
            ..ReportInputs::default()
        }
    }

    #[test]
    fn label_issues_warn_from_one_percent_and_on_in_sample_predictions() {
        let f = label_issues(&label_doc(6, false));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].evidence
                .contains("true dog labelled cat (5.0 % of the dog)"),
            "{}",
            f[0].evidence
        );
        assert_eq!(
            label_issues(&label_doc(1, false))[0].severity,
            Severity::Info
        );
        assert!(label_issues(&label_doc(0, false)).is_empty());
        let f = label_issues(&label_doc(0, true));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "label-issues-in-sample");
    }
}
