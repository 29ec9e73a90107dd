//! Split keys for the profile: the three splits plus `unsplit`, and the
//! JSON maps keyed by them.

use std::borrow::Cow;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{Deserializer, Error as _};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A split, or `unsplit` for items whose layout names no split.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
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

    /// The name used in JSON and text (`train`, `val`, `test`, `unsplit`).
    pub fn name(self) -> &'static str {
        match self {
            SplitKey::Train => "train",
            SplitKey::Val => "val",
            SplitKey::Test => "test",
            SplitKey::Unsplit => "unsplit",
        }
    }

    /// The key named `name` (`train`, `val`, `test`, `unsplit`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
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

impl<'de, T: Deserialize<'de>> Deserialize<'de> for SplitMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = IndexMap::<String, T>::deserialize(deserializer)?;
        let mut entries = Vec::with_capacity(map.len());
        for (name, value) in map {
            let key = SplitKey::from_name(&name).ok_or_else(|| {
                D::Error::custom(format!(
                    "unknown split `{name}` (expected train, val, test or unsplit)"
                ))
            })?;
            entries.push((key, value));
        }
        entries.sort_by_key(|(k, _)| *k);
        Ok(Self(entries))
    }
}

impl<T: JsonSchema> JsonSchema for SplitMap<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("SplitMap_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<T>();
        schemars::json_schema!({
            "type": "object",
            "description": "Values keyed by split: `train`, `val`, `test`, `unsplit`.",
            "propertyNames": { "enum": ["train", "val", "test", "unsplit"] },
            "additionalProperties": value,
        })
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

    /// The count of the pair `(a, b)`.
    pub fn get(&self, a: SplitKey, b: SplitKey) -> u64 {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        self.counts[lo.index()][hi.index()]
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

impl<'de> Deserialize<'de> for SplitPairCounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = IndexMap::<String, u64>::deserialize(deserializer)?;
        let mut out = SplitPairCounts::default();
        for (name, n) in map {
            let pair = name
                .split_once('-')
                .and_then(|(a, b)| Some((SplitKey::from_name(a)?, SplitKey::from_name(b)?)));
            let Some((a, b)) = pair else {
                return Err(D::Error::custom(format!(
                    "`{name}` is not a split pair such as `train-test`"
                )));
            };
            out.add(a, b, n);
        }
        Ok(out)
    }
}

impl JsonSchema for SplitPairCounts {
    fn schema_name() -> Cow<'static, str> {
        "SplitPairCounts".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "Counts per pair of splits, keyed `a-b` (e.g. `train-test`); only nonzero pairs are present.",
            "additionalProperties": { "type": "integer", "minimum": 0 },
        })
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
