//! Split keys for the profile: the three splits plus `unsplit`, and the
//! JSON maps keyed by them.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::dataset::Split;

/// A split, or `unsplit` for items whose layout names no split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitKey {
    /// Training data.
    Train,
    /// Validation data.
    Val,
    /// Test data.
    Test,
    /// No split given.
    Unsplit,
}

impl SplitKey {
    /// All keys, in output order.
    pub const ALL: [SplitKey; 4] = [
        SplitKey::Train,
        SplitKey::Val,
        SplitKey::Test,
        SplitKey::Unsplit,
    ];

    /// The key of an item's split.
    pub fn of(split: Option<Split>) -> Self {
        match split {
            Some(Split::Train) => SplitKey::Train,
            Some(Split::Val) => SplitKey::Val,
            Some(Split::Test) => SplitKey::Test,
            None => SplitKey::Unsplit,
        }
    }

    /// The name used in JSON and text (`train`, `val`, `test`, `unsplit`).
    pub fn name(self) -> &'static str {
        match self {
            SplitKey::Train => "train",
            SplitKey::Val => "val",
            SplitKey::Test => "test",
            SplitKey::Unsplit => "unsplit",
        }
    }

    /// Position in [`SplitKey::ALL`] (0–3).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether this is a real split (not `unsplit`): only pairs of two
    /// different real splits count as leakage.
    pub fn is_split(self) -> bool {
        self != SplitKey::Unsplit
    }
}

/// Item counts per split key; serialized as
/// `{"train": n, "val": n, "test": n, "unsplit": n}` (all four keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SplitCounts {
    /// Items in `train`.
    pub train: usize,
    /// Items in `val`.
    pub val: usize,
    /// Items in `test`.
    pub test: usize,
    /// Items without a split.
    pub unsplit: usize,
}

impl SplitCounts {
    /// The count of one key.
    pub fn get(&self, key: SplitKey) -> usize {
        match key {
            SplitKey::Train => self.train,
            SplitKey::Val => self.val,
            SplitKey::Test => self.test,
            SplitKey::Unsplit => self.unsplit,
        }
    }

    /// Add one item under `key`.
    pub fn add(&mut self, key: SplitKey) {
        match key {
            SplitKey::Train => self.train += 1,
            SplitKey::Val => self.val += 1,
            SplitKey::Test => self.test += 1,
            SplitKey::Unsplit => self.unsplit += 1,
        }
    }

    /// Total over all keys.
    pub fn total(&self) -> usize {
        self.train + self.val + self.test + self.unsplit
    }
}

/// Values keyed by split, serialized as a JSON object whose keys follow
/// [`SplitKey::ALL`] order; keys without a value are absent.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitMap<T>(pub Vec<(SplitKey, T)>);

impl<T> SplitMap<T> {
    /// The value of `key`, if present.
    pub fn get(&self, key: SplitKey) -> Option<&T> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The entries, in split order.
    pub fn iter(&self) -> impl Iterator<Item = &(SplitKey, T)> {
        self.0.iter()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Default for SplitMap<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Serialize> Serialize for SplitMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key.name(), value)?;
        }
        map.end()
    }
}

/// Counts per unordered pair of split keys (including a key with itself),
/// serialized as an object such as `{"train-train": 3, "train-test": 1}`:
/// keys `"a-b"` with `a` not after `b` in [`SplitKey::ALL`] order, only
/// nonzero counts, in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SplitPairCounts {
    counts: [[u64; 4]; 4],
}

impl SplitPairCounts {
    /// Add `n` to the pair `(a, b)` (order does not matter).
    pub fn add(&mut self, a: SplitKey, b: SplitKey, n: u64) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        self.counts[lo.index()][hi.index()] += n;
    }

    /// Subtract `n` from the pair `(a, b)`.
    pub(crate) fn sub(&mut self, a: SplitKey, b: SplitKey, n: u64) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        self.counts[lo.index()][hi.index()] -= n;
    }

    /// The count of the pair `(a, b)`.
    pub fn get(&self, a: SplitKey, b: SplitKey) -> u64 {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        self.counts[lo.index()][hi.index()]
    }

    /// Add every count of `other`.
    pub(crate) fn merge(&mut self, other: &SplitPairCounts) {
        for (row, other_row) in self.counts.iter_mut().zip(&other.counts) {
            for (c, o) in row.iter_mut().zip(other_row) {
                *c += o;
            }
        }
    }

    /// The nonzero pairs as `("a-b", count)`, in output order.
    pub fn entries(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        for (i, a) in SplitKey::ALL.iter().enumerate() {
            for b in &SplitKey::ALL[i..] {
                let n = self.get(*a, *b);
                if n > 0 {
                    out.push((format!("{}-{}", a.name(), b.name()), n));
                }
            }
        }
        out
    }
}

impl Serialize for SplitPairCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self.entries();
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (key, n) in &entries {
            map.serialize_entry(key, n)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_counts_are_unordered_and_serialize_in_split_order() {
        let mut c = SplitPairCounts::default();
        c.add(SplitKey::Test, SplitKey::Train, 2);
        c.add(SplitKey::Train, SplitKey::Train, 1);
        c.add(SplitKey::Train, SplitKey::Test, 1);
        assert_eq!(c.get(SplitKey::Train, SplitKey::Test), 3);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"train-train":1,"train-test":3}"#);
    }

    #[test]
    fn split_map_keeps_split_order() {
        let m = SplitMap(vec![(SplitKey::Train, 1), (SplitKey::Test, 2)]);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"train":1,"test":2}"#
        );
        assert_eq!(m.get(SplitKey::Test), Some(&2));
        assert_eq!(m.get(SplitKey::Val), None);
    }
}
