//! What a review changes in the dataset: confirmed label errors take the
//! class people chose, and pairs people judged the same photo share a
//! group (so `triage split` keeps them in one split). Written as a CSV of
//! the changes and, for file-based datasets, as a corrected manifest every
//! command reads.

use std::collections::{HashMap, HashSet};

use triage_data::dataset::Dataset;
use triage_docs::human::{Review, Verdict};

/// A dataset with the review applied, and what changed.
#[derive(Debug, Clone)]
pub struct Corrected {
    /// The dataset, relabelled and regrouped.
    pub dataset: Dataset,
    /// Items relabelled.
    pub relabelled: usize,
    /// Items that joined a duplicate group.
    pub grouped: usize,
}

/// Apply the review's confirmed label errors and same-photo pairs to the
/// dataset. Ids the dataset does not hold are returned (the review is
/// then about another dataset).
///
/// # Errors
/// The first id the dataset does not hold.
pub fn apply(dataset: &Dataset, review: &Review) -> Result<Corrected, String> {
    let mut out = dataset.clone();
    let index = dataset.index_by_id();
    let find = |id: &str| index.get(id).copied().ok_or_else(|| id.to_owned());
    let class_of: HashMap<&str, usize> = dataset
        .classes
        .iter()
        .enumerate()
        .map(|(c, name)| (name.as_str(), c))
        .collect();
    let mut relabelled = 0;
    // Union-find over items; items already in one group start joined.
    let mut parent: Vec<usize> = (0..dataset.items.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_of_group: HashMap<&str, usize> = HashMap::new();
    for (i, item) in dataset.items.iter().enumerate() {
        if let Some(g) = &item.group {
            let first = *first_of_group.entry(g.as_str()).or_insert(i);
            let (a, b) = (root(&mut parent, first), root(&mut parent, i));
            parent[b] = a;
        }
    }
    let mut joined = vec![false; dataset.items.len()];
    for item in &review.items {
        match item.verdict {
            Verdict::LabelError => {
                let i = find(&item.id)?;
                let corrected = item.corrected.as_deref().unwrap_or_default();
                let c = class_of
                    .get(corrected)
                    .copied()
                    .ok_or_else(|| corrected.to_owned())?;
                if out.items[i].label != c {
                    out.items[i].label = c;
                    relabelled += 1;
                }
            }
            Verdict::Same => {
                let a = find(&item.id)?;
                let b = find(item.other.as_deref().unwrap_or_default())?;
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                if ra != rb {
                    parent[rb.max(ra)] = ra.min(rb);
                }
                joined[a] = true;
                joined[b] = true;
            }
            _ => {}
        }
    }
    // A component holding a confirmed pair takes its existing group name
    // (the first in file order), else `duplicate-<first item's id>`.
    let mut name_of_root: HashMap<usize, String> = HashMap::new();
    for i in 0..dataset.items.len() {
        let r = root(&mut parent, i);
        if let Some(g) = &dataset.items[i].group {
            name_of_root.entry(r).or_insert_with(|| g.clone());
        }
    }
    let paired: HashSet<usize> = (0..dataset.items.len())
        .filter(|&i| joined[i])
        .map(|i| root(&mut parent, i))
        .collect();
    let mut grouped = 0;
    for i in 0..dataset.items.len() {
        let r = root(&mut parent, i);
        if !paired.contains(&r) {
            continue; // untouched: keeps its group, if any
        }
        let name = name_of_root
            .entry(r)
            .or_insert_with(|| format!("duplicate-{}", dataset.items[r].id))
            .clone();
        if out.items[i].group.as_deref() != Some(name.as_str()) {
            out.items[i].group = Some(name);
            grouped += 1;
        }
    }
    Ok(Corrected {
        dataset: out,
        relabelled,
        grouped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use triage_data::dataset::{DatasetFormat, Item, Source};
    use triage_docs::human::ReviewItem;

    fn dataset() -> Dataset {
        let item = |id: &str, label: usize, group: Option<&str>| Item {
            id: id.into(),
            source: Source::File(PathBuf::from(id)),
            label,
            split: None,
            group: group.map(String::from),
        };
        Dataset {
            items: vec![
                item("a", 0, None),
                item("b", 1, None),
                item("c", 0, Some("g1")),
                item("d", 1, Some("g1")),
                item("e", 0, Some("g2")),
                item("f", 1, None),
            ],
            root: PathBuf::from("root"),
            format: DatasetFormat::Manifest,
            classes: vec!["x".into(), "y".into()],
            skipped: Vec::new(),
            records: None,
        }
    }

    fn reviewed(
        id: &str,
        other: Option<&str>,
        verdict: Verdict,
        corrected: Option<&str>,
    ) -> ReviewItem {
        ReviewItem {
            id: id.into(),
            other: other.map(String::from),
            given: None,
            votes: vec![1, 0],
            unsure: 0,
            verdict,
            corrected: corrected.map(String::from),
        }
    }

    #[test]
    fn label_errors_relabel_and_same_pairs_join_groups() {
        let review = Review {
            kind: "pairs".into(),
            file: "f".into(),
            reviewed: 5,
            unreviewed: 0,
            confirmed: 4,
            rejected: 1,
            undecided: 0,
            items: vec![
                reviewed("a", None, Verdict::LabelError, Some("y")),
                reviewed("b", None, Verdict::LabelConfirmed, None),
                reviewed("a", Some("b"), Verdict::Same, None),
                reviewed("d", Some("e"), Verdict::Same, None),
                reviewed("a", Some("f"), Verdict::Different, None),
            ],
        };
        let out = apply(&dataset(), &review).unwrap();
        let groups: Vec<Option<&str>> = out
            .dataset
            .items
            .iter()
            .map(|i| i.group.as_deref())
            .collect();
        assert_eq!(
            groups,
            [
                Some("duplicate-a"),
                Some("duplicate-a"),
                Some("g1"),
                Some("g1"),
                Some("g1"),
                None
            ]
        );
        assert_eq!(out.dataset.items[0].label, 1);
        assert_eq!((out.relabelled, out.grouped), (1, 3));
        let unknown = Review {
            items: vec![reviewed("zz", None, Verdict::LabelError, Some("y"))],
            ..review
        };
        assert_eq!(apply(&dataset(), &unknown).unwrap_err(), "zz");
    }
}
