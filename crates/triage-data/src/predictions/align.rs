//! Prediction files of several models over the same items, aligned by id
//! (the first file's order), for paired comparisons.

use std::collections::HashMap;
use std::path::PathBuf;

use thiserror::Error;
use triage_stats::proba::ProbMatrix;

use super::Predictions;

/// Why prediction files cannot be compared item by item.
#[derive(Debug, Error)]
pub enum AlignError {
    /// The files name different classes.
    #[error("{other} names classes [{theirs}] but {first} names [{ours}]")]
    Classes {
        /// The first file.
        first: PathBuf,
        /// The file that differs.
        other: PathBuf,
        /// The first file's classes.
        ours: String,
        /// The other's.
        theirs: String,
    },
    /// The files do not cover the same ids.
    #[error("{other} and {first} do not cover the same items: {missing} id(s) of the first are not in the other (e.g. {missing_examples}), {extra} of the other are not in the first (e.g. {extra_examples})")]
    Ids {
        /// The first file.
        first: PathBuf,
        /// The file that differs.
        other: PathBuf,
        /// Ids of the first missing from the other.
        missing: usize,
        /// Up to five of them.
        missing_examples: String,
        /// Ids of the other missing from the first.
        extra: usize,
        /// Up to five of them.
        extra_examples: String,
    },
    /// An item has another label in another file.
    #[error("item `{id}` is labelled `{ours}` in {first} but `{theirs}` in {other}")]
    Label {
        /// The item.
        id: String,
        /// The first file.
        first: PathBuf,
        /// The file that differs.
        other: PathBuf,
        /// Its label in the first.
        ours: String,
        /// In the other.
        theirs: String,
    },
}

/// The files' items in the first file's order.
#[derive(Debug, Clone)]
pub struct Aligned {
    /// Item ids.
    pub ids: Vec<String>,
    /// Their labels.
    pub labels: Vec<usize>,
    /// Class names.
    pub classes: Vec<String>,
    /// Each file's probabilities, rows in `ids` order.
    pub proba: Vec<ProbMatrix>,
}

fn examples(ids: &[&String]) -> String {
    let shown: Vec<String> = ids.iter().take(5).map(|s| format!("`{s}`")).collect();
    if shown.is_empty() {
        "none".to_owned()
    } else {
        shown.join(", ")
    }
}

/// Align `files` on the first file's ids.
///
/// # Errors
/// [`AlignError`] naming the files, and the ids or classes that differ.
pub fn align(files: &[Predictions]) -> Result<Aligned, AlignError> {
    let first = &files[0];
    let mut proba = vec![first.proba.clone()];
    for other in &files[1..] {
        if other.classes != first.classes {
            return Err(AlignError::Classes {
                first: first.source.clone(),
                other: other.source.clone(),
                ours: first.classes.join(", "),
                theirs: other.classes.join(", "),
            });
        }
        let index: HashMap<&str, usize> = other
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let missing: Vec<&String> = first
            .ids
            .iter()
            .filter(|id| !index.contains_key(id.as_str()))
            .collect();
        if !missing.is_empty() || other.ids.len() != first.ids.len() {
            let ours: std::collections::HashSet<&str> =
                first.ids.iter().map(String::as_str).collect();
            let extra: Vec<&String> = other
                .ids
                .iter()
                .filter(|id| !ours.contains(id.as_str()))
                .collect();
            return Err(AlignError::Ids {
                first: first.source.clone(),
                other: other.source.clone(),
                missing: missing.len(),
                missing_examples: examples(&missing),
                extra: extra.len(),
                extra_examples: examples(&extra),
            });
        }
        let k = other.proba.k();
        let mut data = Vec::with_capacity(first.ids.len() * k);
        for (id, &label) in first.ids.iter().zip(&first.labels) {
            let row = index[id.as_str()];
            if other.labels[row] != label {
                return Err(AlignError::Label {
                    id: id.clone(),
                    first: first.source.clone(),
                    other: other.source.clone(),
                    ours: first.classes[label].clone(),
                    theirs: other.classes[other.labels[row]].clone(),
                });
            }
            data.extend_from_slice(other.proba.row(row));
        }
        // Rows of a valid matrix, reordered: still valid.
        proba.push(ProbMatrix::new(data, k, f64::INFINITY).unwrap_or_else(|_| other.proba.clone()));
    }
    Ok(Aligned {
        ids: first.ids.clone(),
        labels: first.labels.clone(),
        classes: first.classes.clone(),
        proba,
    })
}
