//! The split key of an item (the key types are the profile document's,
//! in `triage_docs::profile::split_key`).

use triage_data::dataset::Split;
use triage_docs::profile::SplitKey;

/// The key of an item's split: `unsplit` when it has none.
pub fn split_key(split: Option<Split>) -> SplitKey {
    match split {
        Some(Split::Train) => SplitKey::Train,
        Some(Split::Val) => SplitKey::Val,
        Some(Split::Test) => SplitKey::Test,
        None => SplitKey::Unsplit,
    }
}
