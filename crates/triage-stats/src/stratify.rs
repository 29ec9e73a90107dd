//! Seeded, stratified random splits of sample indices (e.g. the calibration
//! split on which a temperature is fitted).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::error::StatsError;

/// Split indices `0..y.len()` into (first, rest), taking from every class
/// round(`fraction` · count) of its samples, chosen by a seeded shuffle
/// (Xoshiro256++). Both parts come back sorted.
pub fn stratified_split(y: &[usize], fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let fraction = fraction.clamp(0.0, 1.0);
    let k = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut first, mut rest) = (Vec::new(), Vec::new());
    for mut members in by_class {
        members.shuffle(&mut rng);
        let take = (members.len() as f64 * fraction).round() as usize;
        first.extend_from_slice(&members[..take]);
        rest.extend_from_slice(&members[take..]);
    }
    first.sort_unstable();
    rest.sort_unstable();
    (first, rest)
}

/// Assign samples to `folds` cross-validation folds, stratified: each
/// class's samples are shuffled (Xoshiro256++, `seed`) and dealt round-robin,
/// class after class, continuing where the previous class stopped, so every
/// fold gets ⌊n_c/K⌋ or ⌈n_c/K⌉ samples of class c and fold sizes differ by
/// at most one (scikit-learn's `StratifiedKFold(shuffle=True)` makes the
/// same guarantee, with another generator). Returns the fold of each sample.
///
/// # Errors
///
/// [`StatsError::InvalidParameter`] for fewer than 2 folds;
/// [`StatsError::FewerSamplesThanFolds`] when a class that occurs has fewer
/// samples than folds (some fold would not contain it,
/// so its model could never predict that class), naming the class and its
/// count.
pub fn stratified_folds(y: &[usize], folds: usize, seed: u64) -> Result<Vec<usize>, StatsError> {
    if folds < 2 {
        return Err(StatsError::InvalidParameter {
            name: "folds",
            reason: format!("at least 2 folds are needed, got {folds}"),
        });
    }
    let k = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    if let Some((c, members)) = by_class
        .iter()
        .enumerate()
        .find(|(_, m)| !m.is_empty() && m.len() < folds)
    {
        return Err(StatsError::FewerSamplesThanFolds {
            class: c,
            count: members.len(),
            folds,
        });
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut fold_of = vec![0usize; y.len()];
    let mut next = 0usize;
    for mut members in by_class {
        members.shuffle(&mut rng);
        for i in members {
            fold_of[i] = next;
            next = (next + 1) % folds;
        }
    }
    Ok(fold_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_balanced_and_seeded() {
        let y: Vec<usize> = (0..103)
            .map(|i| usize::from(i >= 80) + usize::from(i >= 97))
            .collect();
        let f = stratified_folds(&y, 5, 1).unwrap();
        let sizes: Vec<usize> = (0..5)
            .map(|k| f.iter().filter(|&&x| x == k).count())
            .collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
        for c in 0..3 {
            let n_c = y.iter().filter(|&&v| v == c).count();
            for k in 0..5 {
                let m = (0..y.len()).filter(|&i| y[i] == c && f[i] == k).count();
                assert!(
                    m == n_c / 5 || m == n_c.div_ceil(5),
                    "class {c} fold {k}: {m}"
                );
            }
        }
        assert_eq!(stratified_folds(&y, 5, 1).unwrap(), f);
        assert_ne!(stratified_folds(&y, 5, 2).unwrap(), f);
        // Class 2 has 6 items: 7 folds are refused, naming it.
        let err = stratified_folds(&y, 7, 1).unwrap_err().to_string();
        assert!(err.contains("class 2 has 6"), "{err}");
        assert!(stratified_folds(&y, 1, 1).is_err());
    }

    #[test]
    fn stratified_and_seeded() {
        let y: Vec<usize> = (0..100).map(|i| usize::from(i >= 80)).collect();
        let (a, b) = stratified_split(&y, 0.25, 3);
        assert_eq!(a.len(), 25);
        assert_eq!(a.iter().filter(|&&i| y[i] == 1).count(), 5);
        assert_eq!(a.len() + b.len(), 100);
        assert_eq!(stratified_split(&y, 0.25, 3), (a, b));
    }
}
