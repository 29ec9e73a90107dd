//! The human-labelling report: per-annotator accuracy (Wilson), pooled
//! and majority-vote accuracy, Cohen's κ per pair, Fleiss' κ, the human
//! confusion matrix, the "not sure" rate, humans against a model
//! (McNemar), and the soft labels of the items several people answered.
//!
//! Attention checks: a repeat counts when the annotator gave a class both
//! times; it passes when the classes agree. An annotator with at least
//! [`MIN_CHECKS`] checks and a pass rate below `attention_min` is excluded
//! from every figure but their own row (and said to be). Repeats count in
//! no figure but the checks.

use std::collections::{BTreeMap, HashMap};

use triage_data::Predictions;
use triage_docs::human::{
    AnnotatorStats, FleissKappa, HumanLabelsDoc, ModelComparison, PairKappa, Proportion,
    HUMAN_FORMAT, HUMAN_VERSION,
};

/// Attention checks needed before an annotator can be excluded.
pub const MIN_CHECKS: u64 = 2;
use triage_stats::agreement::{cohen_kappa, fleiss_kappa, mcnemar};
use triage_stats::intervals::wilson_interval;

use crate::queue::QueueKind;
use crate::review::{review, QueueInputs};
use crate::store::StoredAnswer;

/// `k` of `n` with its 95 % Wilson interval (`None` for n = 0).
pub fn proportion(k: u64, n: u64) -> Option<Proportion> {
    let (low, high) = wilson_interval(k, n, 0.95).ok()?;
    Some(Proportion {
        k,
        n,
        value: k as f64 / n as f64,
        low,
        high,
    })
}

/// What the report is about.
#[derive(Debug, Clone)]
pub struct ReportInputs<'a> {
    /// The dataset, as the session recorded it.
    pub dataset: String,
    /// Items in the sample.
    pub sample: u64,
    /// Seed of the sample.
    pub seed: u64,
    /// Class names.
    pub classes: &'a [String],
    /// Every live answer.
    pub answers: &'a [StoredAnswer],
    /// A model's predictions, matched to the items by id.
    pub predictions: Option<&'a Predictions>,
    /// Items of the overlap stratum (`None`: the whole sample for all).
    pub overlap: Option<u64>,
    /// Attention checks were on.
    pub attention: bool,
    /// Lowest attention-check pass rate kept.
    pub attention_min: f64,
    /// A review queue's kind, file and items (then no accuracy is given:
    /// its items are suspects, not a random sample).
    pub queue: Option<QueueInputs<'a>>,
}

/// Each annotator's attention checks: (passed, counted).
pub fn attention_checks(answers: &[StoredAnswer]) -> BTreeMap<String, (u64, u64)> {
    let mut first: HashMap<(&str, &str), Option<u32>> = HashMap::new();
    for a in answers.iter().filter(|a| !a.repeat) {
        first
            .entry((a.annotator.as_str(), a.item_id.as_str()))
            .or_insert(a.class);
    }
    let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for a in answers.iter().filter(|a| a.repeat) {
        let before = first
            .get(&(a.annotator.as_str(), a.item_id.as_str()))
            .copied()
            .flatten();
        if let (Some(before), Some(now)) = (before, a.class) {
            let entry = out.entry(a.annotator.clone()).or_default();
            entry.0 += u64::from(before == now);
            entry.1 += 1;
        }
    }
    out
}

/// The answers every figure counts: no repeat, no excluded annotator.
pub fn counted_answers(answers: &[StoredAnswer], doc: &HumanLabelsDoc) -> Vec<StoredAnswer> {
    let excluded: Vec<&str> = doc
        .annotators
        .iter()
        .filter(|a| a.excluded)
        .map(|a| a.name.as_str())
        .collect();
    keep(answers, &excluded)
}

fn keep(answers: &[StoredAnswer], excluded: &[&str]) -> Vec<StoredAnswer> {
    answers
        .iter()
        .filter(|a| !a.repeat && !excluded.contains(&a.annotator.as_str()))
        .cloned()
        .collect()
}

/// The plurality answer of each item (`None` on a tie) from the answers
/// with a class, in item-id order.
pub fn majority(answers: &[StoredAnswer], classes: usize) -> BTreeMap<String, (u32, Option<u32>)> {
    let mut counts: BTreeMap<String, (u32, Vec<u64>)> = BTreeMap::new();
    for a in answers {
        if let Some(c) = a.class {
            let entry = counts
                .entry(a.item_id.clone())
                .or_insert_with(|| (a.label, vec![0; classes]));
            entry.1[c as usize] += 1;
        }
    }
    counts
        .into_iter()
        .map(|(id, (label, votes))| {
            let top = votes.iter().copied().max().unwrap_or(0);
            let winners: Vec<usize> = (0..classes).filter(|&c| votes[c] == top).collect();
            let vote = (winners.len() == 1).then(|| winners[0] as u32);
            (id, (label, vote))
        })
        .collect()
}

/// The annotation counts of each item at least two people answered with
/// a class (item id, counts per class) — the overlap stratum — for
/// `triage bayes --soft-labels`. Pass [`counted_answers`].
pub fn soft_counts(answers: &[StoredAnswer], classes: usize) -> BTreeMap<String, Vec<u64>> {
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for a in answers.iter().filter(|a| !a.repeat) {
        if let Some(c) = a.class {
            out.entry(a.item_id.clone())
                .or_insert_with(|| vec![0; classes])[c as usize] += 1;
        }
    }
    out.retain(|_, counts| counts.iter().sum::<u64>() >= 2);
    out
}

/// Build the report.
pub fn report(inputs: &ReportInputs<'_>) -> HumanLabelsDoc {
    let k = inputs.classes.len();
    let checks = attention_checks(inputs.answers);
    let mut notes = Vec::new();
    let mut by_annotator: BTreeMap<&str, Vec<&StoredAnswer>> = BTreeMap::new();
    for a in inputs.answers.iter().filter(|a| !a.repeat) {
        by_annotator.entry(&a.annotator).or_default().push(a);
    }
    let annotators: Vec<AnnotatorStats> = by_annotator
        .iter()
        .map(|(name, list)| {
            let (passed, counted) = checks.get(*name).copied().unwrap_or((0, 0));
            let attention = proportion(passed, counted);
            let excluded = counted >= MIN_CHECKS
                && (passed as f64) < inputs.attention_min * counted as f64;
            if excluded {
                notes.push(format!(
                    "{name} is excluded: {passed} of {counted} attention checks passed, below {:.0} %",
                    inputs.attention_min * 100.0
                ));
            } else if counted > 0 && counted < MIN_CHECKS && passed < counted {
                notes.push(format!(
                    "{name} failed their only attention check (not excluded: {MIN_CHECKS} checks are needed)"
                ));
            }
            let classed: Vec<&&StoredAnswer> = list.iter().filter(|a| a.class.is_some()).collect();
            let right = classed.iter().filter(|a| a.class == Some(a.label)).count() as u64;
            let mut times: Vec<u64> = list.iter().map(|a| a.reaction_ms).collect();
            times.sort_unstable();
            AnnotatorStats {
                name: (*name).to_owned(),
                answered: list.len() as u64,
                unsure: list.iter().filter(|a| a.unsure).count() as u64,
                accuracy: proportion(right, classed.len() as u64),
                median_reaction_ms: times.get(times.len() / 2).copied().unwrap_or(0),
                attention,
                excluded,
            }
        })
        .collect();
    let excluded: Vec<&str> = annotators
        .iter()
        .filter(|a| a.excluded)
        .map(|a| a.name.as_str())
        .collect();
    let counted = keep(inputs.answers, &excluded);
    let answers = counted.as_slice();
    by_annotator.retain(|name, _| !excluded.contains(name));
    let classed: Vec<&StoredAnswer> = answers.iter().filter(|a| a.class.is_some()).collect();
    let pooled = proportion(
        classed.iter().filter(|a| a.class == Some(a.label)).count() as u64,
        classed.len() as u64,
    );
    let votes = majority(answers, k);
    let decided: Vec<(u32, u32)> = votes
        .values()
        .filter_map(|&(label, vote)| vote.map(|v| (label, v)))
        .collect();
    let majority_acc = proportion(
        decided.iter().filter(|(l, v)| l == v).count() as u64,
        decided.len() as u64,
    );
    let mut confusion = vec![vec![0u64; k]; k];
    for a in &classed {
        if let Some(c) = a.class {
            confusion[a.label as usize][c as usize] += 1;
        }
    }
    // Each annotator's class per item, for κ.
    let per: Vec<(&str, HashMap<&str, u32>)> = by_annotator
        .iter()
        .map(|(name, list)| {
            let map = list
                .iter()
                .filter_map(|a| a.class.map(|c| (a.item_id.as_str(), c)))
                .collect();
            (*name, map)
        })
        .collect();
    let mut cohen = Vec::new();
    for i in 0..per.len() {
        for j in i + 1..per.len() {
            let (mut xa, mut xb) = (Vec::new(), Vec::new());
            for (item, &c) in &per[i].1 {
                if let Some(&d) = per[j].1.get(item) {
                    xa.push(c);
                    xb.push(d);
                }
            }
            cohen.push(PairKappa {
                a: per[i].0.to_owned(),
                b: per[j].0.to_owned(),
                items: xa.len() as u64,
                kappa: cohen_kappa(&xa, &xb, k).ok().flatten(),
            });
        }
    }
    let fleiss = (per.len() >= 3).then(|| {
        let mut counts = Vec::new();
        let mut items = 0u64;
        for item in per[0].1.keys() {
            let row: Option<Vec<u32>> = per.iter().map(|(_, m)| m.get(item).copied()).collect();
            if let Some(row) = row {
                let mut c = vec![0u64; k];
                for v in row {
                    c[v as usize] += 1;
                }
                counts.extend(c);
                items += 1;
            }
        }
        FleissKappa {
            items,
            raters: per.len() as u64,
            kappa: if items > 0 {
                fleiss_kappa(&counts, k).ok().flatten()
            } else {
                None
            },
        }
    });
    let model = inputs.predictions.map(|p| compare(p, &votes));
    if inputs.attention && checks.is_empty() {
        notes.push("attention checks are on, but none has been answered yet (the first comes after 10 answers)".to_owned());
    }
    if answers.is_empty() {
        notes.push("no answers yet".to_owned());
    }
    let mut doc = HumanLabelsDoc {
        format: HUMAN_FORMAT.to_owned(),
        version: HUMAN_VERSION,
        dataset: inputs.dataset.clone(),
        sample: inputs.sample,
        seed: inputs.seed,
        classes: inputs.classes.to_vec(),
        overlap: inputs.overlap,
        attention: inputs.attention,
        attention_min: inputs.attention_min,
        annotators,
        pooled,
        majority: majority_acc,
        majority_ties: votes.values().filter(|(_, v)| v.is_none()).count() as u64,
        cohen,
        fleiss,
        confusion,
        unsure_rate: if answers.is_empty() {
            0.0
        } else {
            answers.iter().filter(|a| a.unsure).count() as f64 / answers.len() as f64
        },
        model,
        review: None,
        notes,
    };
    if let Some(q) = &inputs.queue {
        doc.review = Some(review(q, answers, inputs.classes));
        doc.pooled = None;
        doc.majority = None;
        doc.majority_ties = 0;
        doc.model = None;
        for a in &mut doc.annotators {
            a.accuracy = None;
        }
        if q.kind == QueueKind::Pairs {
            doc.confusion = vec![vec![0; k]; k];
        }
        doc.notes.push(format!(
            "a review queue ({}) holds suspects, not a random sample: no accuracy is given, and the humans' error does not join the limits",
            q.kind
        ));
    }
    doc
}

fn compare(p: &Predictions, votes: &BTreeMap<String, (u32, Option<u32>)>) -> ModelComparison {
    let index: HashMap<&str, usize> = p
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let (mut n, mut human_right, mut model_right, mut human_only, mut model_only) = (0, 0, 0, 0, 0);
    for (id, &(label, vote)) in votes {
        let (Some(vote), Some(&row)) = (vote, index.get(id.as_str())) else {
            continue;
        };
        let probs = p.proba.row(row);
        let predicted = probs
            .iter()
            .enumerate()
            .fold(0, |best, (c, &v)| if v > probs[best] { c } else { best })
            as u32;
        let (h, m) = (vote == label, predicted == label);
        n += 1;
        human_right += u64::from(h);
        model_right += u64::from(m);
        human_only += u64::from(h && !m);
        model_only += u64::from(m && !h);
    }
    let test = mcnemar(human_only, model_only);
    let empty = Proportion {
        k: 0,
        n: 0,
        value: 0.0,
        low: 0.0,
        high: 1.0,
    };
    ModelComparison {
        predictions: p.source.display().to_string(),
        items: n,
        human: proportion(human_right, n).unwrap_or(empty),
        model: proportion(model_right, n).unwrap_or(empty),
        human_only,
        model_only,
        mcnemar_p: test.p_value,
        mcnemar_method: test.method().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(who: &str, item: &str, label: u32, class: Option<u32>) -> StoredAnswer {
        StoredAnswer {
            annotator: who.into(),
            item_id: item.into(),
            label,
            class,
            unsure: class.is_none(),
            reaction_ms: 1000,
            repeat: false,
            other: None,
        }
    }

    fn inputs<'a>(classes: &'a [String], answers: &'a [StoredAnswer]) -> ReportInputs<'a> {
        ReportInputs {
            dataset: "d".into(),
            sample: 3,
            seed: 0,
            classes,
            answers,
            predictions: None,
            overlap: None,
            attention: true,
            attention_min: triage_docs::human::ATTENTION_MIN,
            queue: None,
        }
    }

    #[test]
    fn failing_attention_checks_exclude_an_annotator_from_every_figure() {
        let classes = vec!["x".to_owned(), "y".to_owned()];
        let mut answers = Vec::new();
        for item in 0..6u32 {
            let id = item.to_string();
            answers.push(a("good", &id, item % 2, Some(item % 2)));
            answers.push(a("bad", &id, item % 2, Some(1 - item % 2)));
        }
        for (who, item, class) in [
            ("good", "0", 0),
            ("good", "1", 1),
            ("bad", "0", 0), // first answered 1: fails
            ("bad", "1", 1), // first answered 0: fails
            ("bad", "2", 1), // first answered 1: passes
        ] {
            let mut r = a(who, item, 0, Some(class));
            r.repeat = true;
            answers.push(r);
        }
        let doc = report(&inputs(&classes, &answers));
        let bad = &doc.annotators[0];
        assert_eq!(bad.name, "bad");
        assert!(bad.excluded);
        assert_eq!((bad.attention.unwrap().k, bad.attention.unwrap().n), (1, 3));
        assert_eq!(bad.answered, 6, "repeats are not answers of their own");
        let good = &doc.annotators[1];
        assert!(!good.excluded);
        assert_eq!(
            (good.attention.unwrap().k, good.attention.unwrap().n),
            (2, 2)
        );
        // Only `good` counts: 6 of 6, no pair for κ, the excluded one named.
        assert_eq!((doc.pooled.unwrap().k, doc.pooled.unwrap().n), (6, 6));
        assert_eq!((doc.majority.unwrap().k, doc.majority.unwrap().n), (6, 6));
        assert!(doc.cohen.is_empty());
        assert!(doc.notes.iter().any(|n| n.starts_with("bad is excluded")));
        assert!(soft_counts(&counted_answers(&answers, &doc), 2).is_empty());
        // One failed check is said, not punished.
        let one: Vec<StoredAnswer> = answers
            .iter()
            .filter(|x| !(x.repeat && x.annotator == "bad" && x.item_id != "0"))
            .cloned()
            .collect();
        let doc = report(&inputs(&classes, &one));
        assert!(!doc.annotators[0].excluded);
        assert!(doc.notes.iter().any(|n| n.contains("failed their only")));
    }

    #[test]
    fn accuracy_majority_kappa_and_confusion() {
        let classes = vec!["x".to_owned(), "y".to_owned()];
        let answers = vec![
            a("p", "1", 0, Some(0)),
            a("q", "1", 0, Some(0)),
            a("r", "1", 0, Some(1)),
            a("p", "2", 1, Some(1)),
            a("q", "2", 1, Some(0)),
            a("r", "2", 1, Some(1)),
            a("p", "3", 1, None),
        ];
        let doc = report(&inputs(&classes, &answers));
        assert_eq!(doc.annotators.len(), 3);
        let p = &doc.annotators[0];
        assert_eq!(
            (
                p.answered,
                p.unsure,
                p.accuracy.unwrap().k,
                p.accuracy.unwrap().n
            ),
            (3, 1, 2, 2)
        );
        assert_eq!(doc.pooled.unwrap().k, 4);
        assert_eq!(doc.majority.unwrap().k, 2);
        assert_eq!(doc.confusion, vec![vec![2, 1], vec![1, 2]]);
        assert_eq!(doc.cohen.len(), 3);
        assert_eq!(doc.fleiss.as_ref().unwrap().items, 2);
        assert!((doc.unsure_rate - 1.0 / 7.0).abs() < 1e-15);
        assert_eq!(soft_counts(&answers, 2)["1"], vec![2, 1]);
    }
}
