//! "How good can it get": per `triage bayes` document, a chart of the
//! model's test error against each estimate's interval, the estimates per
//! feature set, the soft-label estimates, the noise sweep and the
//! warnings.

use triage_docs::bayes::{BayesDoc, BayesEstimate, Interval, NeighbourMode};

use crate::findings::limits::{compared, model_error};
use crate::inputs::{NamedBayes, ReportInputs};
use crate::model::{slug, Block, Figure, KeyValue, Table};
use crate::svg::{IntervalChart, IntervalRow, Plot};

fn pct(i: &Interval) -> String {
    format!(
        "{:.2} % [{:.2}, {:.2}]",
        100.0 * i.value,
        100.0 * i.low,
        100.0 * i.high
    )
}

/// Human error rows (1 − majority-vote accuracy, and pooled) of the
/// human-labelling reports of `classes`.
fn human_rows(inputs: &ReportInputs, classes: &[String]) -> Vec<IntervalRow> {
    let mut rows = Vec::new();
    for h in inputs.humans.iter().filter(|h| h.doc.classes == classes) {
        for (what, p) in [
            ("majority vote", &h.doc.majority),
            ("pooled answers", &h.doc.pooled),
        ] {
            if let Some(p) = p {
                rows.push(IntervalRow {
                    label: format!("humans ({}): error, {what}", h.name),
                    value: 100.0 * (1.0 - p.value),
                    low: 100.0 * (1.0 - p.high),
                    high: 100.0 * (1.0 - p.low),
                    color: 4,
                });
            }
        }
    }
    rows
}

/// The human-labelling blocks: accuracy per annotator and agreement, and
/// a chart against the models when no Bayes document draws one.
fn human_blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = Vec::new();
    for h in &inputs.humans {
        let d = &h.doc;
        out.push(Block::Heading {
            text: format!("Human accuracy: {}", h.name),
        });
        let fmt = crate::terminal::human::pct;
        let mut items = vec![
            KeyValue::new(
                "sample",
                format!("{} items of {} (seed {})", d.sample, d.dataset, d.seed),
            ),
            KeyValue::new(
                "shown to every annotator",
                d.overlap.map_or("the whole sample".to_owned(), |m| {
                    format!("{m} items (the others to one annotator each)")
                }),
            ),
            KeyValue::new("majority-vote accuracy", fmt(&d.majority)),
            KeyValue::new("pooled accuracy", fmt(&d.pooled)),
            KeyValue::new(
                "not sure",
                format!("{:.1} % of answers", 100.0 * d.unsure_rate),
            ),
        ];
        if let Some(f) = &d.fleiss {
            items.push(KeyValue::new(
                "Fleiss' κ",
                f.kappa.map_or("-".into(), |k| {
                    format!("{k:.3} ({} raters, {} items)", f.raters, f.items)
                }),
            ));
        }
        if let Some(m) = &d.model {
            items.push(KeyValue::new(
                "humans vs model",
                format!(
                    "{:.1} % vs {:.1} % on {} items, McNemar p = {:.4} ({})",
                    100.0 * m.human.value,
                    100.0 * m.model.value,
                    m.items,
                    m.mcnemar_p,
                    m.mcnemar_method
                ),
            ));
        }
        out.push(Block::KeyValues { items });
        out.push(Block::Table(Table {
            id: format!("humans-{}", slug(&h.name)),
            caption: "Accuracy of each annotator against the dataset's labels (Wilson 95 %)."
                .into(),
            header: [
                "annotator",
                "accuracy",
                "answered",
                "not sure",
                "median reaction",
                "attention checks",
            ]
            .map(String::from)
            .to_vec(),
            rows: d
                .annotators
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        fmt(&a.accuracy),
                        a.answered.to_string(),
                        a.unsure.to_string(),
                        format!("{} ms", a.median_reaction_ms),
                        match (&a.attention, a.excluded) {
                            (Some(p), true) => format!("{} of {} passed: excluded", p.k, p.n),
                            (Some(p), false) => format!("{} of {} passed", p.k, p.n),
                            (None, _) => "none".to_owned(),
                        },
                    ]
                })
                .collect(),
        }));
        if let Some(r) = &d.review {
            out.push(review_table(&h.name, r));
        }
        for note in &d.notes {
            out.push(Block::Paragraph {
                text: format!("{note}."),
            });
        }
        let charted = inputs.bayes.iter().any(|b| b.doc.classes == d.classes);
        if !charted && d.review.is_none() {
            let mut rows: Vec<IntervalRow> = inputs
                .evaluations
                .iter()
                .filter(|e| e.doc.classes == d.classes)
                .filter_map(|e| {
                    model_error(e).map(|(v, lo, hi)| IntervalRow {
                        label: format!("model: error on {}", e.name),
                        value: 100.0 * v,
                        low: 100.0 * lo,
                        high: 100.0 * hi,
                        color: 0,
                    })
                })
                .collect();
            rows.extend(human_rows(inputs, &d.classes));
            out.push(Block::Figure(Figure {
                id: format!("humans-chart-{}", slug(&h.name)),
                caption: "The models' test error (blue) against the humans' error (green) on a blind sample, with their intervals.".into(),
                plot: Plot::Intervals(IntervalChart {
                    rows,
                    x_label: "error (%)".into(),
                }),
            }));
        }
    }
    out
}

/// A review queue's items and what people decided.
fn review_table(name: &str, r: &triage_docs::human::Review) -> Block {
    let pairs = r.kind == "pairs";
    let header: Vec<String> = if pairs {
        vec![
            "item".into(),
            "other item".into(),
            "votes (different, same)".into(),
            "not sure".into(),
            "verdict".into(),
        ]
    } else {
        vec![
            "item".into(),
            "given label".into(),
            "votes per class".into(),
            "not sure".into(),
            "verdict".into(),
        ]
    };
    let verdict = |v: triage_docs::human::Verdict| {
        serde_json::to_value(v)
            .ok()
            .and_then(|x| x.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default()
    };
    Block::Table(Table {
        id: format!("review-{}", slug(name)),
        caption: format!(
            "Review of {} from {}: {} reviewed ({} not yet), {} confirmed, {} rejected, {} undecided.",
            r.kind, r.file, r.reviewed, r.unreviewed, r.confirmed, r.rejected, r.undecided
        ),
        header,
        rows: r
            .items
            .iter()
            .map(|i| {
                let second = if pairs {
                    i.other.clone().unwrap_or_default()
                } else {
                    i.given.clone().unwrap_or_default()
                };
                let v = match &i.corrected {
                    Some(c) => format!("{} → {c}", verdict(i.verdict)),
                    None => verdict(i.verdict),
                };
                vec![
                    i.id.clone(),
                    second,
                    format!("{:?}", i.votes),
                    i.unsure.to_string(),
                    v,
                ]
            })
            .collect(),
    })
}

/// The blocks of the section.
pub(super) fn blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = human_blocks(inputs);
    for b in &inputs.bayes {
        out.push(Block::Heading {
            text: format!("Bayes error: {}", b.name),
        });
        out.push(Block::Paragraph {
            text: "The Bayes error is the error of the best possible classifier on this data: no model goes below it. Each estimate comes with its interval and what it assumes; a nearest-neighbour error is an upper estimate (a finite sample overestimates it), the Cover–Hart bound computed from it a lower one that holds only where the nearest-neighbour error is near its limit.".into(),
        });
        if let Some(figure) = chart(inputs, b) {
            out.push(Block::Figure(figure));
        }
        if let Some(t) = &b.doc.tightest {
            out.push(Block::KeyValues {
                items: vec![
                    KeyValue::new("tightest upper estimate", pct(&t.upper.estimate)),
                    KeyValue::new("its lower bound", pct(&t.lower.estimate)),
                    KeyValue::new("from", t.upper.from.clone()),
                ],
            });
        }
        for (i, set) in b.doc.feature_sets.iter().enumerate() {
            out.push(Block::Table(Table {
                id: format!("bayes-{}-{i}-{}", slug(&b.name), slug(&set.name)),
                caption: format!(
                    "{} ({}, d = {}{}): {} training items, {} queries, {}; smallest class {} items. Intervals at {:.0} %.",
                    set.name,
                    set.path,
                    set.dim,
                    set.size.as_deref().map_or(String::new(), |s| format!(", {s}")),
                    set.reference_per_class.iter().sum::<usize>(),
                    set.query_per_class.iter().sum::<usize>(),
                    match set.mode {
                        NeighbourMode::TrainTest => "train → test",
                        NeighbourMode::LeaveOneOut => "leave-one-out",
                    },
                    set.reference_per_class.iter().filter(|&&n| n > 0).min().copied().unwrap_or(0),
                    100.0 * b.doc.settings.confidence
                ),
                header: ["estimator", "distance", "k", "upper", "lower", "interval", "assumes"]
                    .map(String::from)
                    .to_vec(),
                rows: set
                    .estimates
                    .iter()
                    .map(|e| {
                        vec![
                            e.estimator.name().to_owned(),
                            e.metric.clone(),
                            e.k.map_or("-".into(), |k| k.to_string()),
                            pct(&e.upper),
                            pct(&e.lower),
                            e.interval.clone(),
                            e.note.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            }));
        }
        for set in &b.doc.feature_sets {
            for note in &set.notes {
                out.push(Block::Paragraph {
                    text: format!("{}: {note}.", set.name),
                });
            }
        }
        out.extend(soft_labels(b));
        out.extend(sweep(b));
        for w in &b.doc.warnings {
            out.push(Block::Paragraph {
                text: format!("Warning ({}): {}", w.kind, w.message),
            });
        }
    }
    out
}

/// The smallest-upper estimate of each estimator on each feature set.
fn best_per_estimator(doc: &BayesDoc) -> Vec<(&str, &BayesEstimate)> {
    let mut out: Vec<(&str, &BayesEstimate)> = Vec::new();
    for set in &doc.feature_sets {
        for e in &set.estimates {
            match out
                .iter_mut()
                .find(|(s, x)| *s == set.name && x.estimator == e.estimator)
            {
                Some(slot) if e.upper.value < slot.1.upper.value => *slot = (&set.name, e),
                Some(_) => {}
                None => out.push((&set.name, e)),
            }
        }
    }
    out
}

fn chart(inputs: &ReportInputs, b: &NamedBayes) -> Option<Figure> {
    let mut rows = Vec::new();
    for e in compared(inputs, b) {
        if let Some((v, lo, hi)) = model_error(e) {
            rows.push(IntervalRow {
                label: format!("model: error on {}", e.name),
                value: 100.0 * v,
                low: 100.0 * lo,
                high: 100.0 * hi,
                color: 0,
            });
        }
    }
    rows.extend(human_rows(inputs, &b.doc.classes));
    for (set, e) in best_per_estimator(&b.doc) {
        let metric = match e.metric.as_str() {
            "squared-euclidean" => "L2",
            "cosine" => "cos",
            other => other,
        };
        let what = format!(
            "{set} · {} ({metric}{})",
            e.estimator.name(),
            e.k.map_or(String::new(), |k| format!(", k={k}"))
        );
        for (side, i, color) in [("upper", &e.upper, 1), ("lower", &e.lower, 2)] {
            rows.push(IntervalRow {
                label: format!("{what} {side}"),
                value: 100.0 * i.value,
                low: 100.0 * i.low,
                high: 100.0 * i.high,
                color,
            });
        }
    }
    if rows.is_empty() {
        return None;
    }
    Some(Figure {
        id: format!("bayes-chart-{}", slug(&b.name)),
        caption: "The model's test error (blue) and the humans' (green, when measured with `triage label`) against each estimator's upper estimate (orange) and lower bound (red), the best of each estimator per feature set, with their intervals. A model whose error lies above every upper estimate has headroom; one inside the band is at the limit of this data.".into(),
        plot: Plot::Intervals(IntervalChart {
            rows,
            x_label: "error (%)".into(),
        }),
    })
}

fn soft_labels(b: &NamedBayes) -> Vec<Block> {
    let Some(s) = &b.doc.soft_labels else {
        return Vec::new();
    };
    let mut rows: Vec<Vec<String>> = s
        .binary
        .iter()
        .map(|t| {
            let names: Vec<&str> = t
                .positive
                .iter()
                .filter_map(|&c| b.doc.classes.get(c).map(String::as_str))
                .collect();
            vec![
                format!("{} ({} vs rest)", t.name, names.join(", ")),
                pct(&t.estimate),
                "Bayes error of the binary task (Ishida et al. 2023)".into(),
            ]
        })
        .collect();
    rows.push(vec![
        "multiclass plug-in mean(1 − max p)".into(),
        pct(&s.plugin_disagreement),
        "how often a random annotator disagrees with the item's most common answer: human disagreement, not an error against the labels".into(),
    ]);
    vec![Block::Table(Table {
        id: format!("bayes-soft-{}", slug(&b.name)),
        caption: format!(
            "Soft labels: {} ({}, {} items{}), t-intervals.",
            s.path,
            s.kind,
            s.n,
            s.annotations
                .map_or(String::new(), |a| format!(", {a} annotations"))
        ),
        header: ["task", "estimate", "what it is"]
            .map(String::from)
            .to_vec(),
        rows,
    })]
}

fn sweep(b: &NamedBayes) -> Vec<Block> {
    let Some(sweep) = &b.doc.noise_sweep else {
        return Vec::new();
    };
    let rows = sweep
        .scores
        .iter()
        .enumerate()
        .map(|(i, score)| {
            let mut row = vec![score.from.clone()];
            for level in &sweep.levels {
                let e = &level.estimates[i];
                let mark = |inside: bool| if inside { "" } else { " ✗" };
                row.push(format!(
                    "{:.1}{} / {:.1}{}",
                    100.0 * e.lower,
                    mark(e.lower_inside),
                    100.0 * e.upper,
                    mark(e.upper_inside)
                ));
            }
            row.push(format!("{:.4} / {:.4}", score.lower, score.upper));
            row
        })
        .collect();
    let mut header = vec!["estimate".to_owned()];
    header.extend(sweep.levels.iter().map(|l| {
        format!(
            "ρ = {:.2}: band [{:.1}, {:.1}] %",
            l.rho,
            100.0 * l.band_low,
            100.0 * l.band_high
        )
    }));
    header.push("score lower / upper".into());
    vec![Block::Table(Table {
        id: format!("bayes-sweep-{}", slug(&b.name)),
        caption: format!(
            "FeeBee's self-check: a share ρ of the labels replaced by uniform random ones moves the Bayes error into the band [ρ(C−1)/C, SOTA + ρ((C−1)/C − SOTA)], SOTA = {:.2} % ({}). Cells: lower / upper estimate in %, ✗ where its interval misses the band; the score is the mean distance outside (0 is perfect).",
            100.0 * sweep.sota_error,
            sweep.sota_source
        ),
        header,
        rows,
    })]
}
