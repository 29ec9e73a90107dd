//! Review queues: the suspects another command found, put before people
//! on the same blind page. `label-issues` reads a `triage label-issues
//! --json` document (the listed issues, in rank order; the annotator picks
//! the class and is not told the given one); `pairs` reads a `triage
//! profile --json` document (the listed near-duplicate pairs; the
//! annotator answers "same photo?").

use std::fmt;
use std::path::{Path, PathBuf};

use triage_docs::label_issues::LabelIssuesDoc;
use triage_docs::profile::DatasetProfile;

use crate::error::LabelError;

/// The answers of a pairs queue, as classes: 0 = different, 1 = same.
pub const PAIR_CLASSES: [&str; 2] = ["different photos", "same photo"];

/// Which queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    /// Suspected label errors.
    LabelIssues,
    /// Near-duplicate pairs.
    Pairs,
}

impl QueueKind {
    /// `label-issues` or `pairs`.
    pub fn name(self) -> &'static str {
        match self {
            QueueKind::LabelIssues => "label-issues",
            QueueKind::Pairs => "pairs",
        }
    }

    /// Parse a queue name.
    ///
    /// # Errors
    /// [`LabelError::Setting`] naming the two kinds.
    pub fn parse(name: &str) -> Result<Self, LabelError> {
        match name {
            "label-issues" => Ok(QueueKind::LabelIssues),
            "pairs" => Ok(QueueKind::Pairs),
            other => Err(LabelError::Setting {
                name: "queue",
                reason: format!(
                    "`{other}` is not a queue: give `label-issues FILE` or `pairs FILE`"
                ),
            }),
        }
    }
}

impl fmt::Display for QueueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A review queue: its kind and the document it is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// Which queue.
    pub kind: QueueKind,
    /// The `label-issues` or `profile` document.
    pub file: PathBuf,
}

/// One entry of a queue: an item id, and for a pair the other item's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The item (a pair's first item).
    pub id: String,
    /// A pair's second item.
    pub other: Option<String>,
}

fn bad(file: &Path, reason: String) -> LabelError {
    LabelError::Queue {
        path: file.to_path_buf(),
        reason,
    }
}

/// The queue's entries in its order, at most `cap` (`None`: all), checked
/// against the dataset's classes (a label-issues document made for other
/// classes is refused).
///
/// # Errors
/// [`LabelError::Queue`]: unreadable, not the expected document, other
/// classes, or nothing listed.
pub fn read_queue(
    queue: &Queue,
    classes: &[String],
    cap: Option<usize>,
) -> Result<Vec<Entry>, LabelError> {
    let file = &queue.file;
    let text = triage_data::bounded_read::read_document(file)
        .map_err(|e| bad(file, format!("cannot read it: {e}")))?;
    let mut entries: Vec<Entry> = match queue.kind {
        QueueKind::LabelIssues => {
            let doc: LabelIssuesDoc = triage_docs::read_str(&text).map_err(|e| {
                bad(
                    file,
                    format!("not a `triage label-issues --json` document: {e}"),
                )
            })?;
            if doc.classes != classes {
                return Err(bad(
                    file,
                    format!(
                        "names classes [{}] but the dataset has [{}]",
                        doc.classes.join(", "),
                        classes.join(", ")
                    ),
                ));
            }
            doc.listed
                .into_iter()
                .map(|i| Entry {
                    id: i.id,
                    other: None,
                })
                .collect()
        }
        QueueKind::Pairs => {
            let doc: DatasetProfile = triage_docs::read_str(&text)
                .map_err(|e| bad(file, format!("not a `triage profile --json` document: {e}")))?;
            doc.near_duplicates
                .listed
                .into_iter()
                .map(|p| Entry {
                    id: p.a.id,
                    other: Some(p.b.id),
                })
                .collect()
        }
    };
    if entries.is_empty() {
        return Err(bad(
            file,
            format!("lists no {}: nothing to review", queue.kind),
        ));
    }
    if let Some(cap) = cap {
        entries.truncate(cap);
    }
    Ok(entries)
}
