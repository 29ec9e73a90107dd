//! "Will it survive deployment", the shift part: per `triage shift`
//! document, the verdict, each covariate test with its effect size, and the
//! estimated target priors.

use triage_docs::shift::ShiftDoc;

use crate::inputs::ReportInputs;
use crate::model::{slug, Block, Figure, KeyValue, Table};
use crate::svg::bars::{BarChart, BarSeries};
use crate::svg::Plot;

/// `p` with 2 significant digits, scientific below 1e-4.
pub(crate) fn fmt_p(p: f64) -> String {
    if p == 0.0 {
        // Below the smallest double: the tail underflowed.
        "< 1e-300".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn tests_table(doc: &ShiftDoc, id: String) -> Option<Table> {
    let mut rows = Vec::new();
    if let Some(m) = &doc.mmd {
        rows.push(vec![
            "MMD".into(),
            m.representation.clone(),
            format!(
                "MMD² {:.5} (95 % of the null below {:.5})",
                m.mmd2, m.null_q95
            ),
            fmt_p(m.p_value),
            yes(m.shifted),
        ]);
    }
    if let Some(c) = &doc.c2st {
        rows.push(vec![
            "classifier two-sample test".into(),
            c.representation.clone(),
            format!(
                "AUC {:.3} [{:.3}, {:.3}], accuracy {:.3}",
                c.auc, c.auc_low, c.auc_high, c.accuracy
            ),
            fmt_p(c.p_value),
            yes(c.shifted),
        ]);
    }
    if let Some(b) = &doc.bbsd {
        let worst = b
            .outputs
            .iter()
            .max_by(|x, y| x.ks.total_cmp(&y.ks))
            .map(|o| format!("; largest KS {:.3} (p_{})", o.ks, o.class))
            .unwrap_or_default();
        rows.push(vec![
            "BBSD".into(),
            "the model's softmax outputs".into(),
            format!("Cramér's V {:.3} of predicted labels{worst}", b.cramers_v),
            format!(
                "KS {} (Bonferroni), χ² {}",
                fmt_p(b.ks_p_adjusted),
                fmt_p(b.chi2_p_value)
            ),
            yes(b.shifted),
        ]);
    }
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        id,
        caption: format!(
            "Covariate-shift tests, each judged at α = {} (α = {} shared by the tests that ran).",
            fmt_p(doc.settings.alpha_per_test),
            doc.settings.alpha
        ),
        header: ["test", "on", "effect", "p-value", "shift"]
            .map(String::from)
            .to_vec(),
        rows,
    })
}

/// Histograms drawn per document at most (the drifted properties, largest
/// effect first).
const MAX_PROPERTY_PLOTS: usize = 3;

fn properties_blocks(doc: &ShiftDoc, id: &dyn Fn(&str) -> String) -> Vec<Block> {
    let Some(p) = &doc.properties else {
        return Vec::new();
    };
    let rows = p
        .tests
        .iter()
        .map(|t| {
            vec![
                t.property.clone(),
                format!("{:.4} → {:.4}", t.source_median, t.target_median),
                t.smd.map_or("—".into(), |d| format!("{d:+.2}")),
                format!("{:.4}", t.wasserstein),
                format!("{:.3}", t.ks),
                fmt_p(t.p_adjusted),
                yes(t.shifted),
            ]
        })
        .collect();
    let mut out = vec![Block::Table(Table {
        id: id("properties"),
        caption: format!(
            "Image properties (the profile's definitions) of the training and deployment images: two-sample KS with Bonferroni over {} properties, the standardised mean difference (deployment − training, pooled SD; negligible below 0.2) and the Wasserstein-1 distance.{}",
            p.tests.len(),
            p.summary
                .as_ref()
                .map(|s| format!(" In words: {s}."))
                .unwrap_or_default()
        ),
        header: ["property", "median", "SMD", "W1", "KS D", "p (adjusted)", "shift"]
            .map(String::from)
            .to_vec(),
        rows,
    })];
    for name in p.drifted.iter().take(MAX_PROPERTY_PLOTS) {
        let Some(t) = p.tests.iter().find(|t| &t.property == name) else {
            continue;
        };
        let h = &t.histogram;
        let share = |c: &[u64]| {
            let total = c.iter().sum::<u64>().max(1) as f64;
            c.iter().map(|&v| v as f64 / total).collect::<Vec<f64>>()
        };
        out.push(Block::Figure(Figure {
            id: id(&format!("hist-{name}")),
            caption: format!(
                "{name}: share of images per bin, training and deployment (bins between the pooled 0.5th and 99.5th percentiles)."
            ),
            plot: Plot::Bars(BarChart {
                categories: h
                    .edges
                    .windows(2)
                    .map(|e| format!("{:.3}", (e[0] + e[1]) / 2.0))
                    .collect(),
                series: vec![
                    BarSeries {
                        name: "training".into(),
                        values: share(&h.source),
                    },
                    BarSeries {
                        name: "deployment".into(),
                        values: share(&h.target),
                    },
                ],
                y_label: "share of images".into(),
                x_label: name.clone(),
            }),
        }));
    }
    out
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn priors_table(doc: &ShiftDoc, id: String) -> Option<Table> {
    let l = doc.label_shift.as_ref()?;
    let interval = |v: &Option<Vec<[f64; 2]>>, c: usize| {
        v.as_ref()
            .map(|v| format!(" [{:.3}, {:.3}]", v[c][0], v[c][1]))
            .unwrap_or_default()
    };
    let rows = l
        .classes
        .iter()
        .enumerate()
        .map(|(c, name)| {
            vec![
                name.clone(),
                format!("{:.3}", l.source_priors[c]),
                format!("{:.3}{}", l.em_priors[c], interval(&l.em_intervals, c)),
                l.bbse_priors.as_ref().map_or("—".into(), |q| {
                    format!("{:.3}{}", q[c], interval(&l.bbse_intervals, c))
                }),
                l.target_priors_observed
                    .as_ref()
                    .map_or("—".into(), |o| format!("{:.3}", o[c])),
            ]
        })
        .collect();
    Some(Table {
        id,
        caption: format!(
            "Class priors: source labels, and the target's estimated without its labels (EM with bias-corrected calibration; BBSE), with 95 % bootstrap intervals. Likelihood-ratio test of no label shift: χ² {:.1}, df {}, p {}. Expected target accuracy {:.3} as is, {:.3} after the prior correction.",
            l.lr_statistic,
            l.lr_dof,
            fmt_p(l.lr_p_value),
            l.expected_accuracy,
            l.expected_accuracy_adjusted
        ),
        header: ["class", "source", "target (EM)", "target (BBSE)", "target (observed)"]
            .map(String::from)
            .to_vec(),
        rows,
    })
}

/// The blocks of every shift document.
pub(super) fn blocks(inputs: &ReportInputs, options: &super::ReportOptions) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, s) in inputs.shifts.iter().enumerate() {
        let d = &s.doc;
        out.push(Block::Heading {
            text: format!("Shift `{}`", s.name),
        });
        out.push(Block::KeyValues {
            items: vec![
                KeyValue::new("verdict", d.verdict.summary.clone()),
                KeyValue::new(
                    "source",
                    format!(
                        "{} ({}, {} items)",
                        d.source.path, d.source.kind, d.source.n
                    ),
                ),
                KeyValue::new(
                    "target",
                    format!(
                        "{} ({}, {} items)",
                        d.target.path, d.target.kind, d.target.n
                    ),
                ),
            ],
        });
        let id = |what: &str| format!("shift-{what}-{i}-{}", slug(&s.name));
        out.extend(properties_blocks(d, &id));
        out.extend(tests_table(d, id("tests")).map(Block::Table));
        out.extend(priors_table(d, id("priors")).map(Block::Table));
        out.extend(crate::shift_gallery::blocks(s, &id, options));
        for n in &d.notes {
            out.push(Block::Paragraph {
                text: format!("Note: {n}."),
            });
        }
    }
    out
}
