//! Stratified, group-aware train/val/test splits (`triage split`).
//!
//! Units are *groups*: items sharing a group id (a patient, a video, a
//! photographer) always land in the same split; an item without a group is
//! its own unit. Each unit is stratified by its majority class: within every
//! class the units are shuffled with a seeded Xoshiro256++ and taken, in that
//! order, into test until the class's test share reaches `test · n_class`
//! items, then into val likewise, the rest into train. Without groups this is
//! the per-class proportional split of scikit-learn's `train_test_split(...,
//! stratify=y)`; with groups it is the greedy scheme behind
//! `StratifiedGroupKFold` (shares are met as closely as group sizes allow).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use thiserror::Error;

use crate::dataset::{Dataset, Source, Split};

/// Split fractions and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitConfig {
    /// Share of items for validation (default 0.1).
    pub val: f64,
    /// Share of items for test (default 0.1).
    pub test: f64,
    /// Seed of the shuffle (default 0).
    pub seed: u64,
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            val: 0.1,
            test: 0.1,
            seed: 0,
        }
    }
}

/// Why a split cannot be made or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SplitError {
    /// Fractions out of range.
    #[error("invalid split fractions: val {val}, test {test} (each in [0, 1), val + test < 1)")]
    BadFractions {
        /// Validation share.
        val: f64,
        /// Test share.
        test: f64,
    },
    /// The dataset's items are records inside IDX/CIFAR files.
    #[error("`{}` holds records inside IDX/CIFAR files, which a manifest cannot list; these datasets come with their own train/test split", .0.display())]
    RecordDataset(PathBuf),
    /// An item's file is not below the manifest's directory.
    #[error("`{}` is not inside `{}`: a manifest lists paths relative to its own directory", .file.display(), .dir.display())]
    OutsideManifestDir {
        /// The item's file.
        file: PathBuf,
        /// The manifest's directory.
        dir: PathBuf,
    },
    /// Writing failed.
    #[error("cannot write `{}`: {error}", .path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
}

impl SplitConfig {
    /// Check the fractions.
    ///
    /// # Errors
    /// [`SplitError::BadFractions`].
    pub fn validate(&self) -> Result<(), SplitError> {
        let ok = |f: f64| (0.0..1.0).contains(&f);
        if ok(self.val) && ok(self.test) && self.val + self.test < 1.0 {
            Ok(())
        } else {
            Err(SplitError::BadFractions {
                val: self.val,
                test: self.test,
            })
        }
    }
}

/// Assign a split to every item (indices into `labels`), keeping each group
/// whole. `groups[i]` is item i's group, if any.
///
/// # Errors
/// [`SplitError::BadFractions`].
pub fn assign_splits(
    labels: &[usize],
    groups: &[Option<String>],
    config: &SplitConfig,
) -> Result<Vec<Split>, SplitError> {
    config.validate()?;
    // Units: groups (in first-appearance order) and lone items.
    let mut unit_of_group: BTreeMap<&str, usize> = BTreeMap::new();
    let mut units: Vec<Vec<usize>> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        match g {
            Some(g) => {
                let u = *unit_of_group.entry(g.as_str()).or_insert_with(|| {
                    units.push(Vec::new());
                    units.len() - 1
                });
                units[u].push(i);
            }
            None => units.push(vec![i]),
        }
    }
    let k = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (u, members) in units.iter().enumerate() {
        by_class[majority_label(members, labels, k)].push(u);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let mut splits = vec![Split::Train; labels.len()];
    for class_units in &mut by_class {
        class_units.shuffle(&mut rng);
        let total: usize = class_units.iter().map(|&u| units[u].len()).sum();
        let test_target = config.test * total as f64;
        let val_target = config.val * total as f64;
        let (mut test_n, mut val_n) = (0usize, 0usize);
        for &u in class_units.iter() {
            let size = units[u].len();
            // Take the unit if that brings the share closer to its target.
            let split = if closer(test_n, size, test_target) {
                test_n += size;
                Split::Test
            } else if closer(val_n, size, val_target) {
                val_n += size;
                Split::Val
            } else {
                Split::Train
            };
            for &i in &units[u] {
                splits[i] = split;
            }
        }
    }
    Ok(splits)
}

/// Whether adding `size` to `have` gets nearer to `target`.
fn closer(have: usize, size: usize, target: f64) -> bool {
    ((have + size) as f64 - target).abs() < (have as f64 - target).abs()
}

fn majority_label(members: &[usize], labels: &[usize], k: usize) -> usize {
    let mut counts = vec![0usize; k];
    for &i in members {
        counts[labels[i]] += 1;
    }
    // First class with the highest count (deterministic).
    let mut best = 0;
    for (c, &n) in counts.iter().enumerate() {
        if n > counts[best] {
            best = c;
        }
    }
    best
}

/// Write a manifest `path,label,split[,group]` listing every item of a
/// file-based dataset with its split (empty for `None`); paths are
/// relative to the manifest's directory (which must contain every file).
///
/// # Errors
/// [`SplitError::RecordDataset`], [`SplitError::OutsideManifestDir`] or
/// [`SplitError::Io`].
pub fn write_manifest(
    dataset: &Dataset,
    splits: &[Option<Split>],
    manifest: &Path,
) -> Result<(), SplitError> {
    let io = |error| SplitError::Io {
        path: manifest.to_path_buf(),
        error,
    };
    let dir = manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = absolute(dir).map_err(io)?;
    let with_groups = dataset.items.iter().any(|i| i.group.is_some());
    let mut rows = Vec::with_capacity(dataset.items.len());
    for item in &dataset.items {
        let Source::File(file) = &item.source else {
            return Err(SplitError::RecordDataset(dataset.root.clone()));
        };
        let file = absolute(file).map_err(io)?;
        let relative = file
            .strip_prefix(&dir)
            .map_err(|_| SplitError::OutsideManifestDir {
                file: file.clone(),
                dir: dir.clone(),
            })?;
        rows.push(relative.to_string_lossy().replace('\\', "/"));
    }
    let mut text = Vec::new();
    let mut w = csv::Writer::from_writer(&mut text);
    let header: &[&str] = if with_groups {
        &["path", "label", "split", "group"]
    } else {
        &["path", "label", "split"]
    };
    let csv_err = |e: csv::Error| io(std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(csv_err)?;
    for ((item, path), split) in dataset.items.iter().zip(&rows).zip(splits) {
        let mut record = vec![
            path.as_str(),
            dataset.classes[item.label].as_str(),
            split.map_or("", Split::name),
        ];
        if with_groups {
            record.push(item.group.as_deref().unwrap_or(""));
        }
        w.write_record(&record).map_err(csv_err)?;
    }
    w.flush().map_err(io)?;
    drop(w);
    // Written next to the target, then renamed: never a half-written manifest.
    crate::output::write_atomic(manifest, &text).map_err(io)
}

/// An absolute, lexically normalised path (no symlink resolution).
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_shares_per_class() {
        let labels: Vec<usize> = (0..1000).map(|i| usize::from(i % 10 == 0)).collect();
        let groups = vec![None; 1000];
        let cfg = SplitConfig {
            val: 0.1,
            test: 0.2,
            seed: 1,
        };
        let s = assign_splits(&labels, &groups, &cfg).unwrap();
        for class in 0..2 {
            let n = labels.iter().filter(|&&l| l == class).count();
            let test = (0..1000)
                .filter(|&i| labels[i] == class && s[i] == Split::Test)
                .count();
            let val = (0..1000)
                .filter(|&i| labels[i] == class && s[i] == Split::Val)
                .count();
            assert_eq!(test, (0.2 * n as f64).round() as usize);
            assert_eq!(val, (0.1 * n as f64).round() as usize);
        }
        assert_eq!(assign_splits(&labels, &groups, &cfg).unwrap(), s);
        let other = assign_splits(&labels, &groups, &SplitConfig { seed: 2, ..cfg }).unwrap();
        assert_ne!(other, s);
    }

    #[test]
    fn groups_never_cross_splits() {
        let labels: Vec<usize> = (0..600).map(|i| i % 3).collect();
        let groups: Vec<Option<String>> = (0..600).map(|i| Some(format!("g{}", i / 7))).collect();
        let s = assign_splits(&labels, &groups, &SplitConfig::default()).unwrap();
        let mut seen: BTreeMap<&str, Split> = BTreeMap::new();
        for (g, split) in groups.iter().zip(&s) {
            let g = g.as_deref().unwrap();
            assert_eq!(
                *seen.entry(g).or_insert(*split),
                *split,
                "group {g} crosses splits"
            );
        }
        let test = s.iter().filter(|&&x| x == Split::Test).count();
        assert!((40..=80).contains(&test), "{test}");
    }

    #[test]
    fn bad_fractions_are_refused() {
        assert!(assign_splits(
            &[0],
            &[None],
            &SplitConfig {
                val: 0.6,
                test: 0.5,
                seed: 0
            }
        )
        .is_err());
        assert!(assign_splits(
            &[0],
            &[None],
            &SplitConfig {
                val: -0.1,
                test: 0.1,
                seed: 0
            }
        )
        .is_err());
    }
}
