//! The halves of 5×2 cross-validation (Dietterich 1998): replication r
//! splits the training items into two stratified halves with seed
//! `seed + r`; every configuration uses the same halves, so the
//! differences between configurations are paired.

use triage_data::dataset::{Dataset, Split};
use triage_stats::stratify::stratified_folds;

use crate::error::SweepError;

/// The two halves (dataset indices, ascending) of the training items of
/// `dataset` (its `train` split, or every item without a split) for the
/// replication seeded `seed`.
///
/// # Errors
/// A class with fewer than two training items (named).
pub fn halves(dataset: &Dataset, seed: u64) -> Result<[Vec<usize>; 2], SweepError> {
    let items: Vec<usize> = (0..dataset.items.len())
        .filter(|&i| matches!(dataset.items[i].split, None | Some(Split::Train)))
        .collect();
    let labels: Vec<usize> = items.iter().map(|&i| dataset.items[i].label).collect();
    let fold = stratified_folds(&labels, 2, seed).map_err(|e| {
        SweepError::Data(format!(
            "5×2 cross-validation needs every class twice among the training items: {e}"
        ))
    })?;
    let mut out = [Vec::new(), Vec::new()];
    for (&i, &f) in items.iter().zip(&fold) {
        out[f].push(i);
    }
    Ok(out)
}
