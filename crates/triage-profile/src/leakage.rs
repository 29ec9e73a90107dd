//! What the copies a profile found across splits cost a model's test
//! accuracy (`triage evaluate --profile`): the predictions' items that the
//! profile lists as leaked (a near-duplicate in another split) are matched
//! by id, or by path when no id matches, and
//! [`triage_stats::leakage::leakage_cost`] measures the accuracy with and
//! without them.
//!
//! The predictions must be of the profiled data: every id (or path) is
//! checked against the dataset reopened from the profile's `root`. When
//! that dataset is not found from here the check cannot be made; the
//! result then says so ([`LeakageMeasured::ids_checked`]), and a result
//! that matched no leaked item at all is refused rather than reported as
//! a zero.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use triage_docs::profile::DatasetProfile;

use triage_data::Predictions;
use triage_docs::evaluation::LeakageDoc;
use triage_stats::leakage::leakage_cost;
use triage_stats::StatsError;

use crate::files::reopen_profiled;

/// Why the cost of leaked items cannot be measured.
#[derive(Debug, thiserror::Error)]
pub enum LeakageError {
    /// A prediction id (or path) is not an item of the profiled dataset.
    #[error("`{}` row {row}: id {id:?} is not an item of `{root}`, the dataset profiled in `{}`; give the profile of the data these predictions cover", predictions.display(), profile.display())]
    NotAnItem {
        /// The predictions file.
        predictions: PathBuf,
        /// 1-based row.
        row: usize,
        /// The id.
        id: String,
        /// The profile's dataset root.
        root: String,
        /// The profile file.
        profile: PathBuf,
    },
    /// Nothing ties the predictions to the profiled data.
    #[error("cannot measure the cost of the leaked items: the dataset `{root}` of `{}` was not found from here, and none of the {n} prediction ids is among its {leaked} leaked items, so whether these predictions cover the profiled data cannot be checked; run from where the dataset's path resolves, or profile the data these predictions cover", profile.display())]
    Unchecked {
        /// The profile's dataset root.
        root: String,
        /// The profile file.
        profile: PathBuf,
        /// Predictions.
        n: usize,
        /// Leaked items in the profile.
        leaked: usize,
    },
    /// The statistics refused the inputs (bad confidence, …).
    #[error("cannot measure the cost of the leaked items: {0}")]
    Stats(#[from] StatsError),
}

/// Settings of the measurement: the percentile bootstrap of the inflation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakageSettings {
    /// Bootstrap resamples (0: no interval).
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

/// The measured cost, and whether the prediction ids could be checked
/// against the profiled dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakageMeasured {
    /// The `leakage` block of the evaluation.
    pub doc: LeakageDoc,
    /// `false` when the profiled dataset was not found from here.
    pub ids_checked: bool,
}

/// Measure the cost of the leaked items of `profile` (read from
/// `profile_path`) among `predictions`; see the module documentation.
///
/// # Errors
///
/// [`LeakageError`].
pub fn measure_leakage(
    profile: &DatasetProfile,
    profile_path: &Path,
    predictions: &Predictions,
    settings: &LeakageSettings,
) -> Result<LeakageMeasured, LeakageError> {
    let ids_checked = check_ids_are_items(profile, profile_path, predictions)?;
    let leaked: HashSet<&str> = profile
        .near_duplicates
        .leaked_items
        .iter()
        .map(String::as_str)
        .collect();
    let by_id: Vec<bool> = predictions
        .ids
        .iter()
        .map(|id| leaked.contains(id.as_str()))
        .collect();
    let flags = match &predictions.paths {
        Some(paths) if !by_id.contains(&true) => {
            paths.iter().map(|p| leaked.contains(p.as_str())).collect()
        }
        _ => by_id,
    };
    let correct: Vec<bool> = predictions
        .proba
        .argmax()
        .iter()
        .zip(&predictions.labels)
        .map(|(p, y)| p == y)
        .collect();
    let cost = leakage_cost(
        &correct,
        &flags,
        settings.bootstrap,
        settings.seed,
        settings.confidence,
    )?;
    if !ids_checked && cost.leaked == 0 {
        // Nothing ties these predictions to the profiled data: a zero here
        // would be a guess, not a measurement.
        return Err(LeakageError::Unchecked {
            root: profile.root.clone(),
            profile: profile_path.to_path_buf(),
            n: predictions.len(),
            leaked: leaked.len(),
        });
    }
    Ok(LeakageMeasured {
        doc: LeakageDoc {
            profile: profile_path.display().to_string(),
            unmatched: leaked.len().saturating_sub(cost.leaked),
            ..cost
        },
        ids_checked,
    })
}

/// Every prediction id (or, failing that, path) must be an item of the
/// profiled dataset, reopened from the profile's `root` (as written, then
/// relative to the profile's folder); `false` when it is not found.
fn check_ids_are_items(
    profile: &DatasetProfile,
    profile_path: &Path,
    predictions: &Predictions,
) -> Result<bool, LeakageError> {
    let Some(dataset) = reopen_profiled(profile, profile_path) else {
        return Ok(false);
    };
    let items: HashSet<&str> = dataset.items.iter().map(|i| i.id.as_str()).collect();
    let by_id = predictions
        .ids
        .iter()
        .position(|id| !items.contains(id.as_str()));
    let by_path = predictions
        .paths
        .as_ref()
        .map(|paths| paths.iter().position(|p| !items.contains(p.as_str())));
    match (by_id, by_path) {
        (None, _) | (_, Some(None)) => Ok(true),
        (Some(row), _) => Err(LeakageError::NotAnItem {
            predictions: predictions.source.clone(),
            row: row + 1,
            id: predictions.ids[row].clone(),
            root: profile.root.clone(),
            profile: profile_path.to_path_buf(),
        }),
    }
}
