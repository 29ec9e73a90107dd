//! The order check: label runs in file order and tail splits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::split_key::SplitMap;

/// The classes found in a tail split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TailSplit {
    /// Fraction of the items taken from the end (0.1 or 0.2).
    pub fraction: f64,
    /// Items in the tail: n − ⌊n·(1 − fraction)⌋, as Keras computes it.
    pub n_items: usize,
    /// Classes present in the tail, with their counts, in class order.
    pub classes: Vec<ClassShare>,
    /// Classes present in the whole list but absent from the tail.
    pub missing_classes: usize,
}

/// A class and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClassShare {
    /// Class name.
    pub name: String,
    /// Items.
    pub count: usize,
}

/// The order check of one list of items (all items, or one split).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderCheck {
    /// Items in the list.
    pub n: usize,
    /// Classes with at least one item in the list (K).
    pub classes_present: usize,
    /// Label runs R: maximal blocks of consecutive equal labels.
    pub runs: usize,
    /// Runs expected if the same labels were in random order
    /// ([`expected_runs`]).
    pub expected_runs: f64,
    /// Whether the labels look sorted or blocked: K ≥ 2, E\[R\] ≥ 4K, and
    /// R ≤ 2K or R ≤ 0.05·E\[R\].
    pub sorted: bool,
    /// Classes a tail split of each of [`TAIL_FRACTIONS`] would hold.
    pub tail_splits: Vec<TailSplit>,
}

/// The order checks of the whole item list and of each split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderReport {
    /// All items, in file order.
    pub all: OrderCheck,
    /// The items of each split present, in file order.
    pub by_split: SplitMap<OrderCheck>,
}
