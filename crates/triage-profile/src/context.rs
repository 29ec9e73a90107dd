//! What every part of the profile needs to know about an item: its id,
//! split key and class name.

use crate::split_key::split_key;
use triage_docs::profile::{ItemRef, SplitKey};

use triage_data::dataset::{Dataset, Source};

/// The dataset with resolved class names and split keys.
pub(crate) struct Context<'a> {
    pub(crate) dataset: &'a Dataset,
    /// Class names, extended with `#<index>` for any label beyond
    /// `dataset.classes` (a reader bug, but never a panic here).
    pub(crate) class_names: Vec<String>,
    /// Split key of every item.
    pub(crate) keys: Vec<SplitKey>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(dataset: &'a Dataset) -> Self {
        let max_label = dataset
            .items
            .iter()
            .map(|it| it.label + 1)
            .max()
            .unwrap_or(0);
        let k = dataset.classes.len().max(max_label);
        let class_names = (0..k)
            .map(|c| {
                dataset
                    .classes
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("#{c}"))
            })
            .collect();
        let keys = dataset.items.iter().map(|it| split_key(it.split)).collect();
        Self {
            dataset,
            class_names,
            keys,
        }
    }

    /// Number of items.
    pub(crate) fn len(&self) -> usize {
        self.dataset.items.len()
    }

    /// Number of classes (K).
    pub(crate) fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// Label of item `i`.
    pub(crate) fn label(&self, i: usize) -> usize {
        self.dataset.items[i].label
    }

    /// Split key of item `i`.
    pub(crate) fn key(&self, i: usize) -> SplitKey {
        self.keys[i]
    }

    /// Class name of item `i`.
    pub(crate) fn label_name(&self, i: usize) -> &str {
        &self.class_names[self.label(i)]
    }

    /// Item `i` as listed in the profile.
    pub(crate) fn item_ref(&self, i: usize) -> ItemRef {
        ItemRef {
            id: self.dataset.items[i].id.clone(),
            split: self.key(i),
            label: self.label_name(i).to_string(),
        }
    }

    /// The file of item `i` (`file#index` for records).
    pub(crate) fn path(&self, i: usize) -> String {
        match &self.dataset.items[i].source {
            Source::File(path) => path.display().to_string(),
            Source::Record { file, index } => format!("{}#{index}", file.display()),
        }
    }

    /// The real splits (not `unsplit`) holding at least one item, in order.
    pub(crate) fn present_splits(&self) -> Vec<SplitKey> {
        let mut seen = [false; 4];
        for key in &self.keys {
            seen[key.index()] = true;
        }
        SplitKey::ALL
            .into_iter()
            .filter(|k| k.is_split() && seen[k.index()])
            .collect()
    }
}
