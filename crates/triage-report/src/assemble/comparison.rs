//! "The performance", continued: `triage compare` documents — per pair the
//! verdict, McNemar's test and the metric differences with their paired
//! bootstrap intervals.

use crate::inputs::ReportInputs;
use crate::model::{slug, Block, Table};

pub(super) fn blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = Vec::new();
    for c in &inputs.compares {
        out.push(Block::Heading {
            text: format!("Is it really better: {}", c.name),
        });
        for (i, p) in c.doc.pairs.iter().enumerate() {
            out.push(Block::Paragraph {
                text: format!("`{}` vs `{}`: {}.", p.a, p.b, p.verdict),
            });
            out.push(Block::Table(Table {
                id: format!("compare-{}-{i}", slug(&c.name)),
                caption: format!(
                    "Metrics of both models on the same {} items and the 95 % paired bootstrap interval of A − B ({} resamples); McNemar {} p = {:.4}{}.",
                    c.doc.items,
                    c.doc.resamples,
                    p.mcnemar.method,
                    p.mcnemar.p_value,
                    if p.mcnemar.p_holm == p.mcnemar.p_value {
                        String::new()
                    } else {
                        format!(" (Holm {:.4})", p.mcnemar.p_holm)
                    }
                ),
                header: ["metric", "A", "B", "A − B", "interval"]
                    .map(String::from)
                    .to_vec(),
                rows: p
                    .metrics
                    .iter()
                    .map(|d| {
                        vec![
                            d.metric.clone(),
                            format!("{:.4}", d.a),
                            format!("{:.4}", d.b),
                            format!("{:+.4}", d.diff),
                            match (d.low, d.high) {
                                (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                                _ => "—".into(),
                            },
                        ]
                    })
                    .collect(),
            }));
        }
    }
    out
}
