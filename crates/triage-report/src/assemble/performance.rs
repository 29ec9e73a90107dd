//! "The performance": a table over all evaluations, then per evaluation the
//! headline metrics, per-class scores with intervals, ROC and PR curves,
//! the confusion matrix, reliability before/after temperature scaling, and
//! the image galleries. Also the domain comparison of "Will it survive
//! deployment".

use super::{f3, with_ci, ReportOptions};
use crate::error::ReportError;
use crate::gallery;
use crate::inputs::evaluation::{ReliabilityBin, RocDoc};
use crate::inputs::{NamedEvaluation, ReportInputs};
use crate::model::{slug, Block, Figure, KeyValue, Table};
use crate::svg::heatmap::Heatmap;
use crate::svg::line::{LinePlot, Series};
use crate::svg::reliability::{Bin, ReliabilityPlot};
use crate::svg::Plot;

/// Most per-class ROC/PR curves drawn (the classes with the lowest AUC);
/// more lines are unreadable.
pub const MAX_CLASS_CURVES: usize = 10;

/// Largest confusion matrix drawn; above it, the classes with the most
/// errors are kept.
pub const MAX_HEATMAP_CLASSES: usize = 30;

/// Headline metrics of the summary table: key and heading.
const HEADLINE: [(&str, &str); 6] = [
    ("accuracy", "accuracy"),
    ("balanced_accuracy", "balanced accuracy"),
    ("roc_auc_ovr_macro", "macro ROC AUC"),
    ("log_loss", "log loss"),
    ("brier", "Brier"),
    ("ece", "ECE"),
];

pub(super) fn blocks(
    inputs: &ReportInputs,
    options: &ReportOptions,
) -> Result<Vec<Block>, ReportError> {
    let evals = &inputs.evaluations;
    if evals.is_empty() {
        return Ok(Vec::new());
    }
    let mut header = vec!["evaluation".to_string(), "n".to_string()];
    header.extend(HEADLINE.iter().map(|(_, h)| (*h).to_string()));
    let rows = evals
        .iter()
        .map(|e| {
            let mut row = vec![e.name.clone(), e.doc.n.to_string()];
            row.extend(
                HEADLINE
                    .iter()
                    .map(|(k, _)| with_ci(e.doc.metric(k), e.doc.interval(k))),
            );
            row
        })
        .collect();
    let mut out = vec![Block::Table(Table {
        id: "metrics-summary".into(),
        caption: format!(
            "Headline metrics with {:.0} % intervals (percentile bootstrap; Wilson for accuracy without bootstrap).",
            100.0 * evals[0].doc.confidence()
        ),
        header,
        rows,
    })];
    for (i, e) in evals.iter().enumerate() {
        out.extend(evaluation_blocks(
            e,
            &format!("{i}-{}", slug(&e.name)),
            options,
        )?);
    }
    Ok(out)
}

fn evaluation_blocks(
    e: &NamedEvaluation,
    id: &str,
    options: &ReportOptions,
) -> Result<Vec<Block>, ReportError> {
    let d = &e.doc;
    let mut out = vec![
        Block::Heading {
            text: format!("Evaluation `{}`", e.name),
        },
        Block::KeyValues {
            items: vec![
                KeyValue::new("file", e.path.display().to_string()),
                KeyValue::new(
                    "samples × classes",
                    format!("{} × {}", d.n, d.classes.len()),
                ),
                KeyValue::new(
                    "accuracy",
                    with_ci(d.metric("accuracy"), d.interval("accuracy")),
                ),
                KeyValue::new(
                    "macro F1 / MCC / Cohen's κ",
                    format!(
                        "{} / {} / {}",
                        f3(d.summary.as_ref().and_then(|s| s.f1_macro)),
                        f3(d.metric("mcc")),
                        f3(d.metric("cohen_kappa"))
                    ),
                ),
            ],
        },
        Block::Table(per_class_table(e, id)),
    ];
    if !d.roc_curves.per_class.is_empty() {
        out.push(Block::Figure(roc_figure(
            e,
            &d.roc_curves.per_class,
            d.roc_curves.micro.as_ref(),
            id,
        )));
    }
    if !d.pr_curves.per_class.is_empty() {
        out.push(Block::Figure(pr_figure(e, id)));
    }
    {
        let cm = &d.confusion_matrix;
        let keep = heatmap_classes(&cm.counts);
        let note = if keep.len() < cm.counts.len() {
            format!(
                " The {} classes with the most errors, of {}.",
                keep.len(),
                cm.counts.len()
            )
        } else {
            String::new()
        };
        let names: Vec<String> = keep
            .iter()
            .map(|&c| d.classes.get(c).cloned().unwrap_or_default())
            .collect();
        let counts: Vec<Vec<f64>> = keep
            .iter()
            .map(|&r| keep.iter().map(|&c| cm.counts[r][c] as f64).collect())
            .collect();
        let max = counts.iter().flatten().copied().fold(0.0, f64::max);
        out.push(Block::Figure(Figure {
            id: format!("confusion-counts-{id}"),
            caption: format!(
                "Confusion matrix of `{}`, counts (rows: true class, columns: predicted).{note}",
                e.name
            ),
            plot: Plot::Heatmap(Heatmap {
                rows: names.clone(),
                columns: names.clone(),
                annotations: counts
                    .iter()
                    .map(|r| r.iter().map(|v| format!("{v:.0}")).collect())
                    .collect(),
                values: counts
                    .iter()
                    .map(|r| r.iter().map(|v| Some(*v)).collect())
                    .collect(),
                max,
                row_label: "true class".into(),
                column_label: "predicted class".into(),
            }),
        }));
        let norm: Vec<Vec<Option<f64>>> = keep
            .iter()
            .map(|&r| {
                let total: u64 = cm.counts[r].iter().sum();
                keep.iter()
                    .map(|&c| (total > 0).then(|| cm.counts[r][c] as f64 / total as f64))
                    .collect()
            })
            .collect();
        out.push(Block::Figure(Figure {
            id: format!("confusion-normalized-{id}"),
            caption: format!("Confusion matrix of `{}`, each row divided by its count (the diagonal is the recall).{note}", e.name),
            plot: Plot::Heatmap(Heatmap {
                rows: names.clone(),
                columns: names,
                annotations: norm.iter().map(|r| r.iter().map(|v| v.map_or(String::new(), |v| format!("{v:.2}"))).collect()).collect(),
                values: norm,
                max: 1.0,
                row_label: "true class".into(),
                column_label: "predicted class".into(),
            }),
        }));
    }
    {
        let rel = &d.reliability;
        out.push(Block::Figure(Figure {
            id: format!("reliability-{id}"),
            caption: format!("Reliability of `{}` on all {} samples: accuracy per confidence bin against the diagonal of perfect calibration; counts below.", e.name, d.n),
            plot: Plot::Reliability(reliability(&rel.bins, Some(rel.ece))),
        }));
    }
    if let Some(t) = &d.temperature {
        out.push(Block::Paragraph {
            text: format!(
                "Temperature scaling: T = {:.3} fitted on {} samples; on the other {} the ECE goes {:.3} → {:.3}, the log loss {:.3} → {:.3} (accuracy {:.3} unchanged).",
                t.temperature, t.n_fit, t.n_eval, t.before.ece, t.after.ece, t.before.log_loss, t.after.log_loss, t.before.accuracy
            ),
        });
        for (which, bins, ece) in [
            ("before", &t.bins_before, t.before.ece),
            ("after", &t.bins_after, t.after.ece),
        ] {
            if bins.is_empty() {
                continue;
            }
            out.push(Block::Figure(Figure {
                id: format!("reliability-{which}-{id}"),
                caption: format!("Reliability of `{}` on the {} held-out samples {which} temperature scaling (T = {:.3}).", e.name, t.n_eval, t.temperature),
                plot: Plot::Reliability(reliability(bins, Some(ece))),
            }));
        }
    }
    out.extend(gallery::blocks(e, id, options)?);
    Ok(out)
}

/// Per-class precision and recall with their Wilson intervals (computed by
/// the evaluation), F1, ROC AUC and AP.
fn per_class_table(e: &NamedEvaluation, id: &str) -> Table {
    let d = &e.doc;
    let level = d.confidence();
    let rows = d
        .per_class
        .iter()
        .map(|row| {
            let (recall_ci, precision_ci) = (row.recall_wilson, row.precision_wilson);
            vec![
                row.class.clone(),
                row.support.to_string(),
                with_ci(row.precision, precision_ci),
                with_ci(row.recall, recall_ci),
                f3(row.f1),
                f3(row.roc_auc),
                f3(row.average_precision),
            ]
        })
        .collect();
    Table {
        id: format!("per-class-{id}"),
        caption: format!(
            "Per-class scores of `{}`; precision and recall with {:.0} % Wilson intervals.",
            e.name,
            100.0 * level
        ),
        header: [
            "class",
            "support",
            "precision",
            "recall",
            "F1",
            "ROC AUC",
            "AP",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// Classes drawn in a curve plot: all, or the [`MAX_CLASS_CURVES`] with
/// the lowest score.
fn curve_classes(scores: &[Option<f64>]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    if idx.len() > MAX_CLASS_CURVES {
        idx.sort_by(|&a, &b| {
            scores[a]
                .unwrap_or(2.0)
                .total_cmp(&scores[b].unwrap_or(2.0))
        });
        idx.truncate(MAX_CLASS_CURVES);
        idx.sort_unstable();
    }
    idx
}

fn roc_figure(
    e: &NamedEvaluation,
    per_class: &[RocDoc],
    micro: Option<&RocDoc>,
    id: &str,
) -> Figure {
    let auc = |a: Option<f64>| a.map_or("—".into(), |a| format!("{a:.3}"));
    let keep = curve_classes(&per_class.iter().map(|r| r.auc).collect::<Vec<_>>());
    let mut series: Vec<Series> = keep
        .iter()
        .map(|&c| {
            let r = &per_class[c];
            Series::new(
                format!("{} (AUC {})", r.class, auc(r.auc)),
                zip(&r.fpr, &r.tpr),
                c,
            )
        })
        .collect();
    if let Some(m) = micro {
        series.push(
            Series::new(
                format!("micro (AUC {})", auc(m.auc)),
                zip(&m.fpr, &m.tpr),
                7,
            )
            .bold()
            .dashed(),
        );
    }
    if let Some(m) = e.doc.summary.as_ref().and_then(|s| s.roc_macro.as_ref()) {
        series.push(
            Series::new(
                format!("macro (AUC {})", auc(e.doc.metric("roc_auc_ovr_macro"))),
                zip(&m.fpr, &m.tpr),
                8,
            )
            .bold(),
        );
    }
    let note = if keep.len() < per_class.len() {
        format!(
            " The {} classes with the lowest AUC of {} are drawn; the averages use all.",
            keep.len(),
            per_class.len()
        )
    } else {
        String::new()
    };
    Figure {
        id: format!("roc-{id}"),
        caption: format!("One-vs-rest ROC curves of `{}` with micro and macro averages (AUCs in the legend; macro AUC is the mean of the per-class AUCs; the macro curve averages the exact per-class curves, as computed by `triage evaluate`).{note}", e.name),
        plot: Plot::Line(LinePlot {
            x_label: "false positive rate".into(),
            y_label: "true positive rate".into(),
            x_range: Some([0.0, 1.0]),
            y_range: Some([0.0, 1.0]),
            series,
            markers: Vec::new(),
            diagonal: true,
        }),
    }
}

fn pr_figure(e: &NamedEvaluation, id: &str) -> Figure {
    let pr = &e.doc.pr_curves;
    let ap = |a: Option<f64>| a.map_or("—".into(), |a| format!("{a:.3}"));
    let keep = curve_classes(
        &pr.per_class
            .iter()
            .map(|r| r.average_precision)
            .collect::<Vec<_>>(),
    );
    let mut series: Vec<Series> = keep
        .iter()
        .map(|&c| {
            let r = &pr.per_class[c];
            Series::new(
                format!("{} (AP {})", r.class, ap(r.average_precision)),
                zip(&r.recall, &r.precision),
                c,
            )
        })
        .collect();
    if let Some(m) = &pr.micro {
        series.push(
            Series::new(
                format!("micro (AP {})", ap(m.average_precision)),
                zip(&m.recall, &m.precision),
                7,
            )
            .bold()
            .dashed(),
        );
    }
    let note = if keep.len() < pr.per_class.len() {
        format!(
            " The {} classes with the lowest AP of {} are drawn.",
            keep.len(),
            pr.per_class.len()
        )
    } else {
        String::new()
    };
    Figure {
        id: format!("pr-{id}"),
        caption: format!(
            "One-vs-rest precision–recall curves of `{}` (average precision in the legend).{note}",
            e.name
        ),
        plot: Plot::Line(LinePlot {
            x_label: "recall".into(),
            y_label: "precision".into(),
            x_range: Some([0.0, 1.0]),
            y_range: Some([0.0, 1.0]),
            series,
            markers: Vec::new(),
            diagonal: false,
        }),
    }
}

fn zip(x: &[f64], y: &[f64]) -> Vec<[f64; 2]> {
    x.iter().zip(y).map(|(a, b)| [*a, *b]).collect()
}

fn reliability(bins: &[ReliabilityBin], ece: Option<f64>) -> ReliabilityPlot {
    ReliabilityPlot {
        bins: bins
            .iter()
            .map(|b| Bin {
                lower: b.lower,
                upper: b.upper,
                count: b.count,
                confidence: b.confidence,
                accuracy: b.accuracy,
            })
            .collect(),
        ece,
    }
}

/// Classes kept in a confusion heatmap: all up to
/// [`MAX_HEATMAP_CLASSES`], else those with the most errors (row plus
/// column, off the diagonal), in class order.
fn heatmap_classes(counts: &[Vec<u64>]) -> Vec<usize> {
    let k = counts.len();
    let mut idx: Vec<usize> = (0..k).collect();
    if k > MAX_HEATMAP_CLASSES {
        let errors = |c: usize| -> u64 {
            let row: u64 = counts[c]
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != c)
                .map(|(_, v)| v)
                .sum();
            let col: u64 = counts
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != c)
                .map(|(_, r)| r[c])
                .sum();
            row + col
        };
        idx.sort_by_key(|&c| std::cmp::Reverse(errors(c)));
        idx.truncate(MAX_HEATMAP_CLASSES);
        idx.sort_unstable();
    }
    idx
}

/// "Will it survive deployment": accuracy of each model on each of its
/// evaluations, when a model has more than one (e.g. synthetic test and
/// real-like data).
pub(super) fn deployment_blocks(inputs: &ReportInputs) -> Vec<Block> {
    let evals = &inputs.evaluations;
    let multi: Vec<&NamedEvaluation> = evals
        .iter()
        .filter(|e| {
            evals
                .iter()
                .filter(|o| o.run == e.run && o.doc.classes == e.doc.classes)
                .count()
                > 1
        })
        .collect();
    if multi.is_empty() {
        return Vec::new();
    }
    let rows = multi
        .iter()
        .map(|e| {
            vec![
                e.run.clone().unwrap_or_else(|| "—".into()),
                e.name.clone(),
                e.doc.n.to_string(),
                with_ci(e.doc.metric("accuracy"), e.doc.interval("accuracy")),
                with_ci(e.doc.metric("ece"), e.doc.interval("ece")),
            ]
        })
        .collect();
    vec![
        Block::Paragraph {
            text: "The same model on different data: a large drop from one evaluation to another is a domain gap.".into(),
        },
        Block::Table(Table {
            id: "domain-comparison".into(),
            caption: "Accuracy and ECE of each model on each of its evaluations.".into(),
            header: ["run", "evaluation", "n", "accuracy", "ECE"].map(String::from).to_vec(),
            rows,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_keeps_the_most_confused_classes() {
        let k = MAX_HEATMAP_CLASSES + 5;
        let mut counts = vec![vec![0u64; k]; k];
        counts[k - 1][0] = 50;
        let keep = heatmap_classes(&counts);
        assert_eq!(keep.len(), MAX_HEATMAP_CLASSES);
        assert!(keep.contains(&(k - 1)) && keep.contains(&0));
    }
}
