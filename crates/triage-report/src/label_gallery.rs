//! The label-issues part of the data section: the counts of a
//! `triage label-issues` document and a gallery of its top suspects, each
//! with the given and the suggested label.
//!
//! The images come from the `path` column of the predictions file the
//! document names (`source`, tried as written and then relative to the
//! document's folder); without one the tiles carry the captions only.
//! Size budget: at most [`ReportOptions::label_suspects`] thumbnails (24 by
//! default) of at most `thumbnail_px` a side.

use std::path::PathBuf;

use triage_data::{read_predictions, ReadOptions};
use triage_docs::label_issues::LabelIssue;
use triage_profile::files::named_path;

use crate::assemble::ReportOptions;
use crate::gallery::{path_from_predictions, thumbnail_uri};
use crate::inputs::NamedLabelIssues;
use crate::model::{Block, Gallery, KeyValue, Tile};

/// The predictions file a document names, if it can be found from here.
fn predictions_file(l: &NamedLabelIssues) -> Option<PathBuf> {
    named_path(&l.doc.source, &l.path).filter(|p| p.is_file())
}

/// The blocks of one label-issues document.
pub fn blocks(l: &NamedLabelIssues, id: &str, options: &ReportOptions) -> Vec<Block> {
    let d = &l.doc;
    let share = |x: usize| 100.0 * x as f64 / d.n.max(1) as f64;
    let mut out = vec![
        Block::Heading {
            text: format!("Label issues `{}`", l.name),
        },
        Block::KeyValues {
            items: vec![
                KeyValue::new("predictions", format!("{} ({} items)", d.source, d.n)),
                KeyValue::new(
                    "estimated label errors",
                    format!(
                        "{} ({:.2} %; calibrated {}, {:.2} %)",
                        d.num_label_issues,
                        share(d.num_label_issues),
                        d.num_label_issues_calibrated,
                        share(d.num_label_issues_calibrated)
                    ),
                ),
                KeyValue::new(
                    format!("flagged ({})", d.settings.filter_by),
                    format!("{} ({:.2} %)", d.issues, share(d.issues)),
                ),
            ],
        },
    ];
    if let Some(warn) = &d.in_sample {
        out.push(Block::Paragraph {
            text: format!(
                "These predictions look in-sample ({}): the model saw these labels in training, so it agrees with many wrong ones and too few are found.",
                warn.reason
            ),
        });
    }
    let shown: Vec<_> = d.listed.iter().take(options.label_suspects).collect();
    if shown.is_empty() {
        return out;
    }
    let preds = predictions_file(l).and_then(|p| {
        let preds = read_predictions(&p, &ReadOptions::default()).ok()?;
        Some((p, preds))
    });
    // The file must still be the one the document was made from: same
    // length, same id at the row.
    let path_of = |issue: &LabelIssue| -> Option<PathBuf> {
        let (file, preds) = preds.as_ref()?;
        if preds.len() != d.n || preds.ids.get(issue.row)? != &issue.id {
            return None;
        }
        Some(path_from_predictions(
            file,
            &preds.paths.as_ref()?[issue.row],
        ))
    };
    let name = |c: usize| d.classes.get(c).cloned().unwrap_or_else(|| format!("#{c}"));
    let tiles = shown
        .iter()
        .map(|issue| Tile {
            image: path_of(issue).and_then(|p| thumbnail_uri(&p, options.thumbnail_px)),
            label: issue.id.clone(),
            lines: vec![
                format!("given: {}", name(issue.given)),
                format!("suggested: {}", name(issue.suggested)),
                format!("p(given) = {:.3}", issue.self_confidence),
            ],
        })
        .collect();
    out.push(Block::Gallery(Gallery {
        id: id.to_string(),
        caption: format!(
            "The {} examples of `{}` whose given label is most probably wrong (ranked by {}), with the label the model suggests.",
            shown.len(),
            l.name,
            d.settings.rank_by
        ),
        tiles,
    }));
    out
}
