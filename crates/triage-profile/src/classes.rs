//! Class statistics: counts per class and split, imbalance, effective
//! number of classes, and classes missing from a split.

use triage_docs::profile::{ClassCount, SplitCounts, SplitKey, SplitMap};

use super::context::Context;

/// Everything the profile reports about classes.
pub(crate) struct ClassStats {
    pub(crate) classes: Vec<ClassCount>,
    pub(crate) splits: SplitCounts,
    pub(crate) imbalance_ratio: Option<f64>,
    pub(crate) empty_classes: Vec<String>,
    pub(crate) effective_classes: Option<f64>,
    pub(crate) missing_classes: SplitMap<Vec<String>>,
}

/// Imbalance ratio: the largest class count divided by the smallest, over
/// classes with at least one item; `None` if some class has no item (the
/// ratio would be infinite) or there are no items. 1 when balanced.
pub fn imbalance_ratio(counts: &[usize]) -> Option<f64> {
    let max = counts.iter().copied().max()?;
    let min = counts.iter().copied().min()?;
    (min > 0).then(|| max as f64 / min as f64)
}

/// Effective number of classes: exp(H), with H = −Σ_k p_k ln p_k the
/// Shannon entropy (natural log) of the label distribution p_k = n_k / n.
/// It is K for K balanced classes, 1 for a single class, and in between
/// otherwise (the Hill number of order 1 in ecology); `None` for no items.
///
/// # References
/// M. O. Hill, "Diversity and evenness: a unifying notation and its
/// consequences", Ecology 54(2):427–432, 1973.
pub fn effective_classes(counts: &[usize]) -> Option<f64> {
    let n: usize = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum();
    Some(entropy.exp())
}

pub(crate) fn class_stats(ctx: &Context<'_>) -> ClassStats {
    let k = ctx.n_classes();
    let mut per_class = vec![SplitCounts::default(); k];
    let mut splits = SplitCounts::default();
    for i in 0..ctx.len() {
        per_class[ctx.label(i)].add(ctx.key(i));
        splits.add(ctx.key(i));
    }
    let totals: Vec<usize> = per_class.iter().map(SplitCounts::total).collect();
    let classes = ctx
        .class_names
        .iter()
        .zip(&per_class)
        .map(|(name, counts)| ClassCount {
            name: name.clone(),
            count: counts.total(),
            counts: *counts,
        })
        .collect();
    let empty_classes = ctx
        .class_names
        .iter()
        .zip(&totals)
        .filter(|(_, &n)| n == 0)
        .map(|(name, _)| name.clone())
        .collect();
    let missing_classes = SplitMap(
        ctx.present_splits()
            .into_iter()
            .map(|key: SplitKey| {
                let missing = ctx
                    .class_names
                    .iter()
                    .zip(&per_class)
                    .filter(|(_, c)| c.get(key) == 0)
                    .map(|(name, _)| name.clone())
                    .collect();
                (key, missing)
            })
            .collect(),
    );
    ClassStats {
        classes,
        splits,
        imbalance_ratio: imbalance_ratio(&totals),
        empty_classes,
        effective_classes: effective_classes(&totals),
        missing_classes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dataset_with_classes, Spec};

    #[test]
    fn counts_per_split_and_missing_classes() {
        let ds = dataset_with_classes(
            &[
                Spec::new("train", 0),
                Spec::new("train", 1),
                Spec::new("train", 1),
                Spec::new("test", 1),
                Spec::new("", 0),
            ],
            3,
        );
        let s = class_stats(&Context::new(&ds));
        assert_eq!(s.classes[1].count, 3);
        assert_eq!(s.classes[1].counts.train, 2);
        assert_eq!(s.classes[0].counts.unsplit, 1);
        assert_eq!((s.splits.train, s.splits.test, s.splits.unsplit), (3, 1, 1));
        assert_eq!(s.imbalance_ratio, None);
        assert_eq!(s.empty_classes, ["c2"]);
        assert_eq!(
            s.missing_classes.get(SplitKey::Train),
            Some(&vec!["c2".to_string()])
        );
        assert_eq!(
            s.missing_classes.get(SplitKey::Test),
            Some(&vec!["c0".to_string(), "c2".to_string()])
        );
        assert_eq!(s.missing_classes.get(SplitKey::Val), None);
    }

    #[test]
    fn effective_classes_is_k_when_balanced() {
        let e = effective_classes(&[5, 5, 5, 5]).unwrap();
        assert!((e - 4.0).abs() < 1e-12);
        assert!((effective_classes(&[9, 0]).unwrap() - 1.0).abs() < 1e-12);
        // 3:1 → H = −(¾ ln ¾ + ¼ ln ¼) = 0.5623…, exp(H) = 1.7548…
        let e = effective_classes(&[3, 1]).unwrap();
        assert!((e - 1.754_765_350_8).abs() < 1e-9, "{e}");
        assert_eq!(effective_classes(&[0, 0]), None);
    }

    #[test]
    fn imbalance_ratio_needs_every_class() {
        assert_eq!(imbalance_ratio(&[10, 5, 2]), Some(5.0));
        assert_eq!(imbalance_ratio(&[10, 0, 2]), None);
        assert_eq!(imbalance_ratio(&[]), None);
        assert_eq!(imbalance_ratio(&[3, 3]), Some(1.0));
    }
}
