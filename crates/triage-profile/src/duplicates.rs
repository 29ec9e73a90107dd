//! Exact duplicates: items whose decoded images are identical, found by
//! hashing the decoded pixels (so a PNG and a lossless re-encode of it
//! match, while two files with equal bytes but different names do too).

use std::collections::HashMap;
use triage_docs::profile::{DuplicateGroup, ExactDuplicates, SplitKey, SplitPairCounts};

use super::context::Context;
use super::features::ImageFeatures;

/// Exact-duplicate classes of the decoded items.
pub(crate) struct PixelClasses {
    /// Dense class id of every item (`None` if it was not decoded); items
    /// with equal ids have identical decoded images.
    pub(crate) class_of: Vec<Option<u32>>,
}

/// Listing order of a group: cross-split first, then conflicting, then
/// larger, then earlier in file order.
type GroupKey = (bool, bool, std::cmp::Reverse<usize>, usize);

fn hex_prefix(hash: &u128) -> String {
    format!("{:016x}", hash >> 64)
}

pub(crate) fn exact_duplicates(
    ctx: &Context<'_>,
    features: &[Option<ImageFeatures>],
    max_listed: usize,
) -> (ExactDuplicates, PixelClasses) {
    let mut ids: HashMap<u128, u32> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut class_of = vec![None; features.len()];
    for (i, f) in features.iter().enumerate() {
        let Some(f) = f else { continue };
        let next = members.len() as u32;
        let id = *ids.entry(f.pixel_hash).or_insert(next);
        if id == next {
            members.push(Vec::new());
        }
        members[id as usize].push(i);
        class_of[i] = Some(id);
    }

    let mut report = ExactDuplicates {
        groups: 0,
        items: 0,
        cross_split_groups: 0,
        conflicting_label_groups: 0,
        groups_by_split_pair: SplitPairCounts::default(),
        listed: Vec::new(),
    };
    // (sort key, group members) of every group.
    let mut groups: Vec<(GroupKey, &[usize])> = Vec::new();
    for m in members.iter().filter(|m| m.len() >= 2) {
        report.groups += 1;
        report.items += m.len();
        let mut per_key = [0usize; 4];
        for &i in m {
            per_key[ctx.key(i).index()] += 1;
        }
        for (a, ka) in SplitKey::ALL.iter().enumerate() {
            for (b, kb) in SplitKey::ALL.iter().enumerate().skip(a) {
                let spans = if a == b {
                    per_key[a] >= 2
                } else {
                    per_key[a] > 0 && per_key[b] > 0
                };
                if spans {
                    report.groups_by_split_pair.add(*ka, *kb, 1);
                }
            }
        }
        let real_splits = SplitKey::ALL
            .iter()
            .filter(|k| k.is_split() && per_key[k.index()] > 0)
            .count();
        let cross = real_splits >= 2;
        let conflicting = m.iter().any(|&i| ctx.label(i) != ctx.label(m[0]));
        report.cross_split_groups += usize::from(cross);
        report.conflicting_label_groups += usize::from(conflicting);
        groups.push(((!cross, !conflicting, std::cmp::Reverse(m.len()), m[0]), m));
    }
    groups.sort_unstable_by_key(|(key, _)| *key);
    report.listed = groups
        .iter()
        .take(max_listed)
        .map(|&((not_cross, not_conflicting, _, _), m)| {
            let hash = features[m[0]]
                .as_ref()
                .map(|f| hex_prefix(&f.pixel_hash))
                .unwrap_or_default();
            DuplicateGroup {
                hash,
                size: m.len(),
                items: m
                    .iter()
                    .take(max_listed)
                    .map(|&i| ctx.item_ref(i))
                    .collect(),
                cross_split: !not_cross,
                conflicting_labels: !not_conflicting,
            }
        })
        .collect();
    (report, PixelClasses { class_of })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dataset, features_of, Spec};

    #[test]
    fn train_test_duplicate_is_leakage_and_conflicts_are_flagged() {
        // Items 0 (train, a) and 2 (test, a) share pixels; items 1 and 3
        // (both train) share pixels with different labels; 4 is unique.
        let ds = dataset(&[
            Spec::new("train", 0),
            Spec::new("train", 0),
            Spec::new("test", 0),
            Spec::new("train", 1),
            Spec::new("val", 1),
        ]);
        let ctx = Context::new(&ds);
        let feats = features_of(&[Some(1), Some(2), Some(1), Some(2), Some(3)]);
        let (report, classes) = exact_duplicates(&ctx, &feats, 10);
        assert_eq!(report.groups, 2);
        assert_eq!(report.items, 4);
        assert_eq!(report.cross_split_groups, 1);
        assert_eq!(report.conflicting_label_groups, 1);
        assert_eq!(
            report
                .groups_by_split_pair
                .get(SplitKey::Train, SplitKey::Test),
            1
        );
        assert_eq!(
            report
                .groups_by_split_pair
                .get(SplitKey::Train, SplitKey::Train),
            1
        );
        let leak = &report.listed[0];
        assert!(leak.cross_split && !leak.conflicting_labels);
        assert_eq!(leak.items[1].split, SplitKey::Test);
        let conflict = &report.listed[1];
        assert!(!conflict.cross_split && conflict.conflicting_labels);
        assert_eq!(classes.class_of[0], classes.class_of[2]);
        assert_ne!(classes.class_of[0], classes.class_of[4]);
    }

    #[test]
    fn undecoded_items_are_ignored_and_listing_is_capped() {
        let ds = dataset(&[
            Spec::new("train", 0),
            Spec::new("train", 0),
            Spec::new("train", 0),
            Spec::new("train", 0),
        ]);
        let ctx = Context::new(&ds);
        let feats = features_of(&[Some(1), None, Some(1), Some(1)]);
        let (report, classes) = exact_duplicates(&ctx, &feats, 1);
        assert_eq!((report.groups, report.items), (1, 3));
        assert_eq!(report.listed.len(), 1);
        assert_eq!(report.listed[0].size, 3);
        assert_eq!(report.listed[0].items.len(), 1);
        assert_eq!(classes.class_of[1], None);
        let (report, _) = exact_duplicates(&ctx, &feats, 0);
        assert!(report.listed.is_empty());
    }
}
