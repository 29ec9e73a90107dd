//! "The performance", continued: `triage sweep` results — per
//! configuration the mean of every metric over its runs with its
//! t-interval (table and chart), then every comparison with its test and
//! verdict.

use triage_docs::sweep::{Design, SweepDoc};

use crate::inputs::ReportInputs;
use crate::model::{slug, Block, Figure, Table};
use crate::svg::{IntervalChart, IntervalRow, Plot};
use crate::terminal::sweep::summary_text;

pub(super) fn blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = Vec::new();
    for s in &inputs.sweeps {
        out.extend(sweep_blocks(&s.name, &s.doc));
    }
    out
}

fn sweep_blocks(name: &str, doc: &SweepDoc) -> Vec<Block> {
    let mut out = vec![
        Block::Heading {
            text: format!("Which configuration is better: sweep {name}"),
        },
        Block::Paragraph {
            text: format!(
                "{} configurations, {} of {} runs finished ({}), each evaluated on {}; α = {}{}.",
                doc.configs.len(),
                doc.tasks_done,
                doc.tasks_total,
                match doc.design {
                    Design::Seeds => "one per seed",
                    Design::FiveByTwo => "5×2 cross-validation",
                },
                doc.evaluated_on,
                doc.alpha,
                doc.baseline.as_ref().map_or(String::new(), |b| format!(
                    "; every configuration against `{b}`"
                )),
            ),
        },
    ];
    let cell = summary_text;
    out.push(Block::Table(Table {
        id: format!("sweep-configs-{}", slug(name)),
        caption: format!(
            "Mean over runs and its {:.0} % t-interval.",
            100.0 * (1.0 - doc.alpha)
        ),
        header: [
            "configuration",
            "runs",
            "accuracy (%)",
            "log loss",
            "ECE (%)",
            "macro AUC",
        ]
        .map(String::from)
        .to_vec(),
        rows: doc
            .configs
            .iter()
            .map(|c| {
                let m = |k: &str| c.metrics.iter().find(|m| m.metric == k);
                vec![
                    c.name.clone(),
                    format!("{}/{}", c.runs.len(), c.tasks),
                    cell(m("accuracy"), 100.0, 2),
                    cell(m("log_loss"), 1.0, 4),
                    cell(m("ece"), 100.0, 2),
                    cell(m("macro_auc"), 1.0, 4),
                ]
            })
            .collect(),
    }));
    let rows: Vec<IntervalRow> = doc
        .configs
        .iter()
        .filter_map(|c| {
            let m = c.metrics.iter().find(|m| m.metric == "accuracy")?;
            (m.n > 0).then(|| IntervalRow {
                label: c.name.clone(),
                value: 100.0 * (1.0 - m.mean),
                low: 100.0 * (1.0 - m.high.unwrap_or(m.mean)),
                high: 100.0 * (1.0 - m.low.unwrap_or(m.mean)),
                color: usize::from(doc.baseline.as_deref() == Some(c.name.as_str())),
            })
        })
        .collect();
    if !rows.is_empty() {
        out.push(Block::Figure(Figure {
            id: format!("sweep-chart-{}", slug(name)),
            caption: "Test error of every configuration: mean over its runs and the t-interval of the mean (the baseline in its own colour).".into(),
            plot: Plot::Intervals(IntervalChart {
                rows,
                x_label: "error (%)".into(),
            }),
        }));
    }
    if !doc.comparisons.is_empty() {
        for c in doc.comparisons.iter().filter(|c| c.metric == "accuracy") {
            out.push(Block::Paragraph {
                text: format!("`{}` vs `{}` ({}): {}.", c.a, c.b, c.test, c.verdict),
            });
        }
        out.push(Block::Table(Table {
            id: format!("sweep-tests-{}", slug(name)),
            caption: "Every test: difference of the means (A − B), its interval (Welch), the statistic, p and Holm's p within the metric and test.".into(),
            header: ["A", "B", "metric", "test", "A − B", "interval", "statistic", "p", "Holm p"]
                .map(String::from)
                .to_vec(),
            rows: doc
                .comparisons
                .iter()
                .map(|c| {
                    vec![
                        c.a.clone(),
                        c.b.clone(),
                        c.metric.clone(),
                        c.test.clone(),
                        format!("{:+.4}", c.diff),
                        match (c.low, c.high) {
                            (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                            _ => "—".into(),
                        },
                        c.statistic.map_or("—".into(), |t| format!("{t:.3}")),
                        format!("{:.4}", c.p_value),
                        format!("{:.4}", c.p_holm),
                    ]
                })
                .collect(),
        }));
    }
    for note in &doc.notes {
        out.push(Block::Paragraph { text: note.clone() });
    }
    out
}
