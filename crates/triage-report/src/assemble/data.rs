//! "The data": per profile, the counts and checks, and the class
//! frequencies per split.

use triage_docs::profile::SplitKey;

use crate::inputs::{NamedProfile, ReportInputs};
use crate::model::{slug, Block, Figure, KeyValue};
use crate::svg::bars::{BarChart, BarSeries};
use crate::svg::Plot;

/// Most classes drawn in the class-frequency chart (the largest ones);
/// beyond it bars are too thin to read.
pub const MAX_BAR_CLASSES: usize = 40;

pub(super) fn blocks(inputs: &ReportInputs, options: &super::ReportOptions) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, p) in inputs.profiles.iter().enumerate() {
        out.push(Block::Heading {
            text: format!("Dataset `{}`", p.name),
        });
        out.push(Block::KeyValues { items: facts(p) });
        out.push(Block::Figure(class_frequencies(
            p,
            &format!("class-frequencies-{i}-{}", slug(&p.name)),
        )));
        out.extend(crate::pair_gallery::block(
            p,
            &format!("leak-pairs-{i}-{}", slug(&p.name)),
            options,
        ));
        // The profile's warnings are not repeated here: the same rules
        // (triage_profile::rules) make the data findings.
    }
    for (i, l) in inputs.label_issues.iter().enumerate() {
        out.extend(crate::label_gallery::blocks(
            l,
            &format!("label-suspects-{i}-{}", slug(&l.name)),
            options,
        ));
    }
    out
}

fn facts(p: &NamedProfile) -> Vec<KeyValue> {
    let d = &p.doc;
    let splits: Vec<String> = SplitKey::ALL
        .iter()
        .map(|&s| (s.name(), d.splits.get(s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    vec![
        KeyValue::new("root", format!("{} ({})", d.root, d.layout.name())),
        KeyValue::new(
            "images",
            format!("{} in {} classes", d.n_items, d.classes.len()),
        ),
        KeyValue::new("splits", splits.join(", ")),
        KeyValue::new(
            "imbalance (largest/smallest class)",
            d.imbalance_ratio
                .map_or("— (a class is empty)".into(), |r| format!("{r:.2}")),
        ),
        KeyValue::new(
            "effective number of classes",
            d.effective_classes
                .map_or("—".into(), |e| format!("{e:.2}")),
        ),
        KeyValue::new(
            "exact duplicates",
            format!(
                "{} groups ({} across splits, {} with conflicting labels)",
                d.duplicates.groups,
                d.duplicates.cross_split_groups,
                d.duplicates.conflicting_label_groups
            ),
        ),
        KeyValue::new(
            "near-duplicates",
            format!(
                "{} pairs ({} across splits)",
                d.near_duplicates.pairs, d.near_duplicates.cross_split_pairs
            ),
        ),
        KeyValue::new(
            "corrupt or skipped files",
            d.corrupt_files.count.to_string(),
        ),
    ]
}

/// Grouped bars: one group per class, one bar per split present.
fn class_frequencies(p: &NamedProfile, id: &str) -> Figure {
    let mut classes: Vec<_> = p.doc.classes.iter().collect();
    let mut caption = format!("Images per class and split in `{}`.", p.name);
    if classes.len() > MAX_BAR_CLASSES {
        classes.sort_by_key(|c| std::cmp::Reverse(c.count));
        classes.truncate(MAX_BAR_CLASSES);
        caption.push_str(&format!(
            " The {MAX_BAR_CLASSES} largest of {} classes.",
            p.doc.classes.len()
        ));
    }
    let splits: Vec<SplitKey> = SplitKey::ALL
        .into_iter()
        .filter(|&s| p.doc.splits.get(s) > 0)
        .collect();
    let series = splits
        .iter()
        .map(|&s| BarSeries {
            name: s.name().to_string(),
            values: classes.iter().map(|c| c.counts.get(s) as f64).collect(),
        })
        .collect();
    Figure {
        id: id.to_string(),
        caption,
        plot: Plot::Bars(BarChart {
            categories: classes.iter().map(|c| c.name.clone()).collect(),
            series,
            y_label: "images".into(),
            x_label: "class".into(),
        }),
    }
}
