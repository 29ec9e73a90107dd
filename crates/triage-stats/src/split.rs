//! Seeded, stratified random splits of sample indices (e.g. the calibration
//! split on which a temperature is fitted).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

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

#[cfg(test)]
mod tests {
    use super::*;

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
