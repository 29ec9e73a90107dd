//! Rules on `triage bayes` documents against the model's test error: is
//! the model already at the Bayes error, or is there headroom?

use super::{Finding, Severity};
use crate::inputs::{NamedBayes, NamedEvaluation, ReportInputs};
use crate::model::SectionKind;

/// The model's test error and its Wilson interval: 1 − accuracy.
pub(crate) fn model_error(e: &NamedEvaluation) -> Option<(f64, f64, f64)> {
    let accuracy = e.doc.metrics.accuracy?;
    let [lo, hi] = e.doc.accuracy_wilson;
    Some((1.0 - accuracy, 1.0 - hi, 1.0 - lo))
}

/// The evaluations a Bayes document is compared with: those of the same
/// classes whose predictions file is a feature set's query labels (the
/// test items the estimates were made on); when none is, every
/// evaluation of the same classes from the same run (or, for a document
/// given on its own, from anywhere).
pub(crate) fn compared<'a>(inputs: &'a ReportInputs, b: &NamedBayes) -> Vec<&'a NamedEvaluation> {
    let same_classes: Vec<&NamedEvaluation> = inputs
        .evaluations
        .iter()
        .filter(|e| e.doc.classes == b.doc.classes && model_error(e).is_some())
        .collect();
    let queries: Vec<std::path::PathBuf> = b
        .doc
        .feature_sets
        .iter()
        .filter_map(|f| f.query_labels.as_ref().map(std::path::PathBuf::from))
        .collect();
    let same_file = |e: &&&NamedEvaluation| {
        e.predictions.as_ref().is_some_and(|p| {
            queries.iter().any(|q| {
                q == p
                    || q.canonicalize()
                        .ok()
                        .zip(p.canonicalize().ok())
                        .is_some_and(|(a, c)| a == c)
            })
        })
    };
    let by_file: Vec<&NamedEvaluation> = same_classes.iter().filter(same_file).copied().collect();
    if !by_file.is_empty() {
        return by_file;
    }
    same_classes
        .into_iter()
        .filter(|e| b.run.is_none() || e.run == b.run)
        .collect()
}

/// Where the model stands against the tightest Bayes bracket: headroom
/// (warning) when its error's interval lies above the upper estimate's;
/// at the limit (information) when the intervals meet; a lower bound the
/// model beats (information: that bound does not hold on its features).
pub fn against_bayes(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in &inputs.bayes {
        let Some(t) = &b.doc.tightest else { continue };
        let (upper, lower) = (&t.upper.estimate, &t.lower.estimate);
        for e in compared(inputs, b) {
            let Some((err, err_lo, err_hi)) = model_error(e) else {
                continue;
            };
            let model = format!(
                "the model's error on {} is {:.2} % [{:.2}, {:.2}]",
                e.name,
                100.0 * err,
                100.0 * err_lo,
                100.0 * err_hi
            );
            let bracket = format!(
                "the estimated Bayes error lies between {:.2} % [{:.2}, {:.2}] and {:.2} % [{:.2}, {:.2}] ({})",
                100.0 * lower.value,
                100.0 * lower.low,
                100.0 * lower.high,
                100.0 * upper.value,
                100.0 * upper.low,
                100.0 * upper.high,
                t.upper.from
            );
            let finding = if err_lo > upper.high {
                let gap = 100.0 * (err - upper.value);
                Finding::new(
                    "bayes-headroom",
                    Severity::Warning,
                    SectionKind::Limits,
                    format!("The model's error is {gap:.1} points above the upper Bayes estimate: there is headroom"),
                    format!("{model}; {bracket}: a nearest-neighbour classifier on these features already does better"),
                    "the model, not the data, is the limit: train longer or with a schedule, try a stronger architecture or better augmentation, and compare runs with paired tests before believing a gain",
                )
                .scored(gap)
            } else if err_hi < lower.low {
                Finding::new(
                    "bayes-lower-bound-beaten",
                    Severity::Info,
                    SectionKind::Limits,
                    "The model beats the Bayes lower bound: that bound does not hold on these features",
                    format!("{model}; {bracket}: the asymptotic bound needs features on which the nearest-neighbour error is near its limit"),
                    "read the upper estimates only, or estimate on better features (embeddings of a trained model: `triage predict --embeddings` on the training and test splits, then `triage bayes --embeddings … --test-embeddings …`)",
                )
            } else {
                Finding::new(
                    "bayes-at-limit",
                    Severity::Info,
                    SectionKind::Limits,
                    "The model is within the estimated Bayes band: more tuning is unlikely to help",
                    format!("{model}; {bracket}"),
                    "look at the data and the labels rather than the model: wrong labels (`triage label-issues`), ambiguous classes, and whether more or cleaner data would lower the Bayes error itself",
                )
            };
            out.push(
                finding
                    .about(&e.name)
                    .with("model_error", format!("{err:.4}"))
                    .with("bayes_upper", format!("{:.4}", upper.value))
                    .with("bayes_lower", format!("{:.4}", lower.value))
                    .with("estimate", &t.upper.from),
            );
        }
    }
    out
}

/// The model against the humans of a blind sample of the same classes:
/// far below them (warning: the model's error interval lies above the
/// majority vote's) or at their level (information: the intervals meet).
pub fn against_humans(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in &inputs.humans {
        let Some(m) = h.doc.majority else { continue };
        let (herr, hlo, hhi) = (1.0 - m.value, 1.0 - m.high, 1.0 - m.low);
        for e in inputs
            .evaluations
            .iter()
            .filter(|e| e.doc.classes == h.doc.classes)
        {
            let Some((err, lo, hi)) = model_error(e) else {
                continue;
            };
            let evidence = format!(
                "the model's error on {} is {:.2} % [{:.2}, {:.2}]; the humans' (majority vote of {} annotator(s), {} items) {:.2} % [{:.2}, {:.2}]",
                e.name, 100.0 * err, 100.0 * lo, 100.0 * hi, h.doc.annotators.len(), m.n, 100.0 * herr, 100.0 * hlo, 100.0 * hhi
            );
            let finding = if lo > hhi {
                Finding::new(
                    "below-human-level",
                    Severity::Warning,
                    SectionKind::Limits,
                    format!("The model is {:.1} points worse than people on this task", 100.0 * (err - herr)),
                    evidence,
                    "people do better from the same images, so the information is there: the model or its training is the limit (architecture, schedule, augmentation, more epochs)",
                )
                .scored(100.0 * (err - herr))
            } else if hi < hlo {
                Finding::new(
                    "above-human-level",
                    Severity::Info,
                    SectionKind::Limits,
                    "The model beats the humans of the blind sample",
                    evidence,
                    "human error is no longer the ceiling: compare with the Bayes-error estimates (`triage bayes`) and look at the labels the model and the people disagree on",
                )
            } else {
                Finding::new(
                    "at-human-level",
                    Severity::Info,
                    SectionKind::Limits,
                    "The model is at human level on this task",
                    evidence,
                    "further gains need better labels or more informative images, not a different model; check the items people found ambiguous",
                )
            };
            out.push(
                finding
                    .about(&e.name)
                    .with("model_error", format!("{err:.4}"))
                    .with("human_error", format!("{herr:.4}")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use triage_docs::bayes::{BayesDoc, BayesSettings, Interval, Sourced, Tightest};
    use triage_docs::evaluation::EvaluationDoc;

    fn bayes(lower: f64, upper: f64) -> NamedBayes {
        let i = |v: f64| Interval {
            value: v,
            low: v - 0.005,
            high: v + 0.005,
        };
        NamedBayes {
            name: "b".into(),
            path: PathBuf::from("b.json"),
            run: None,
            doc: BayesDoc {
                format: triage_docs::bayes::BAYES_FORMAT.into(),
                version: triage_docs::bayes::BAYES_VERSION,
                classes: vec!["a".into(), "b".into()],
                settings: BayesSettings {
                    confidence: 0.95,
                    k: vec![1],
                    metrics: vec!["cosine".into()],
                    extrapolate_order: 0,
                    ghp_exact_max: 0,
                    bootstrap: 0,
                    seed: 0,
                    min_per_class: 1000,
                },
                feature_sets: Vec::new(),
                tightest: Some(Tightest {
                    upper: Sourced {
                        estimate: i(upper),
                        from: "e / knn".into(),
                    },
                    lower: Sourced {
                        estimate: i(lower),
                        from: "e / knn".into(),
                    },
                }),
                soft_labels: None,
                noise_sweep: None,
                warnings: Vec::new(),
            },
        }
    }

    fn evaluation(accuracy: f64) -> NamedEvaluation {
        let mut doc = EvaluationDoc {
            classes: vec!["a".into(), "b".into()],
            accuracy_wilson: [accuracy - 0.01, accuracy + 0.01],
            ..EvaluationDoc::default()
        };
        doc.metrics.accuracy = Some(accuracy);
        NamedEvaluation {
            name: "test".into(),
            path: PathBuf::from("e.json"),
            run: None,
            doc,
            predictions: None,
        }
    }

    fn ids(accuracy: f64, lower: f64, upper: f64) -> Vec<String> {
        let inputs = ReportInputs {
            evaluations: vec![evaluation(accuracy)],
            bayes: vec![bayes(lower, upper)],
            ..ReportInputs::default()
        };
        against_bayes(&inputs).into_iter().map(|f| f.id).collect()
    }

    fn humans(accuracy: f64) -> crate::inputs::NamedHuman {
        use triage_docs::human::{HumanLabelsDoc, Proportion};
        let p = Proportion {
            k: 0,
            n: 200,
            value: accuracy,
            low: accuracy - 0.02,
            high: accuracy + 0.02,
        };
        crate::inputs::NamedHuman {
            name: "people".into(),
            path: PathBuf::from("h.json"),
            doc: HumanLabelsDoc {
                format: triage_docs::human::HUMAN_FORMAT.into(),
                version: triage_docs::human::HUMAN_VERSION,
                dataset: "d".into(),
                sample: 200,
                seed: 0,
                classes: vec!["a".into(), "b".into()],
                overlap: None,
                attention: false,
                attention_min: triage_docs::human::ATTENTION_MIN,
                annotators: Vec::new(),
                pooled: Some(p),
                majority: Some(p),
                majority_ties: 0,
                cohen: Vec::new(),
                fleiss: None,
                confusion: vec![vec![0, 0], vec![0, 0]],
                unsure_rate: 0.0,
                model: None,
                review: None,
                notes: Vec::new(),
            },
        }
    }

    #[test]
    fn model_below_at_and_above_human_level() {
        let ids = |model: f64, people: f64| -> Vec<String> {
            let inputs = ReportInputs {
                evaluations: vec![evaluation(model)],
                humans: vec![humans(people)],
                ..ReportInputs::default()
            };
            against_humans(&inputs).into_iter().map(|f| f.id).collect()
        };
        assert_eq!(ids(0.80, 0.95), vec!["below-human-level"]);
        assert_eq!(ids(0.95, 0.95), vec!["at-human-level"]);
        assert_eq!(ids(0.995, 0.90), vec!["above-human-level"]);
    }

    #[test]
    fn headroom_at_the_limit_and_a_beaten_bound() {
        assert_eq!(ids(0.80, 0.02, 0.05), vec!["bayes-headroom"]);
        assert_eq!(ids(0.96, 0.02, 0.05), vec!["bayes-at-limit"]);
        assert_eq!(ids(0.995, 0.10, 0.20), vec!["bayes-lower-bound-beaten"]);
        // Other classes: not compared.
        let mut other = evaluation(0.8);
        other.doc.classes = vec!["x".into(), "y".into()];
        let inputs = ReportInputs {
            evaluations: vec![other],
            bayes: vec![bayes(0.0, 0.05)],
            ..ReportInputs::default()
        };
        assert!(against_bayes(&inputs).is_empty());
    }
}
