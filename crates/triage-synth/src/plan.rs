//! The plan of a dataset: every sample's clean class, index, written label,
//! split and file path, decided before any pixel is drawn.

use triage_docs::synth::{ClassSplitCounts, SynthConfig};

use super::config::class_names;
use super::rng::{SampleRng, Stream};
use super::summary::count_one;
use triage_data::dataset::Split;

/// One image to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sample {
    /// The clean class (the figure drawn).
    pub(crate) class: usize,
    /// Index of the sample within its clean class.
    pub(crate) index: u64,
    /// The written label.
    pub(crate) label: usize,
    /// The split, or `None` without held-out splits.
    pub(crate) split: Option<Split>,
    /// The file's path relative to the output directory, `/`-separated.
    pub(crate) path: String,
}

/// All samples and their counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// Samples by clean class, then index.
    pub(crate) samples: Vec<Sample>,
    /// Counts by written label and split.
    pub(crate) counts: Vec<ClassSplitCounts>,
    /// Counts by clean label and split.
    pub(crate) clean_counts: Vec<ClassSplitCounts>,
    /// Samples whose written label differs from the clean class.
    pub(crate) flipped: usize,
}

/// The split of sample `index` of a class of `n` images: the first
/// n − n_val − n_test indices train, the next n_val validate, the last
/// n_test test, with n_test = round(n · test_fraction) and n_val =
/// min(round(n · val_fraction), n − n_test). Samples are drawn
/// independently, so contiguous index ranges are random subsets.
fn split_of(config: &SynthConfig, n: usize, index: usize) -> Option<Split> {
    if !config.has_splits() {
        return None;
    }
    let n_test = ((n as f64 * config.test_fraction).round() as usize).min(n);
    let n_val = ((n as f64 * config.val_fraction).round() as usize).min(n - n_test);
    let n_train = n - n_test - n_val;
    Some(if index < n_train {
        Split::Train
    } else if index < n_train + n_val {
        Split::Val
    } else {
        Split::Test
    })
}

/// The written label of sample `(class, index)`: with probability ρ a
/// uniform draw over all K classes, else the clean class. Drawn from the
/// sample's own label stream.
fn written_label(config: &SynthConfig, class: usize, index: u64) -> usize {
    let mut rng = SampleRng::new(config.seed, Stream::Label, class, index);
    if rng.uniform() < config.label_noise {
        rng.below(config.classes)
    } else {
        class
    }
}

impl Plan {
    /// Plan the dataset of a valid `config`.
    ///
    /// Files are named `<label>_<id>` with ids 0..N−1 (at least 5 digits)
    /// assigned by a seeded random permutation, so that neither names nor
    /// their order give away the clean class.
    pub(crate) fn new(config: &SynthConfig) -> Self {
        let names = class_names(config);
        let sizes = config.class_counts();
        let total: usize = sizes.iter().sum();
        let mut ids: Vec<usize> = (0..total).collect();
        let mut rng = SampleRng::new(config.seed, Stream::FileIds, 0, 0);
        for i in (1..total).rev() {
            ids.swap(i, rng.below(i + 1));
        }
        let extension = config.format.extension();
        let mut counts = vec![ClassSplitCounts::default(); config.classes];
        let mut clean_counts = vec![ClassSplitCounts::default(); config.classes];
        let mut flipped = 0;
        let mut samples = Vec::with_capacity(total);
        for (class, &n) in sizes.iter().enumerate() {
            for i in 0..n {
                let index = i as u64;
                let label = written_label(config, class, index);
                let split = split_of(config, n, i);
                let name = names[label];
                let id = ids[samples.len()];
                let path = match split {
                    None => format!("{name}/{name}_{id:05}.{extension}"),
                    Some(split) => format!("{split}/{name}/{name}_{id:05}.{extension}"),
                };
                let counted = split.unwrap_or(Split::Train);
                count_one(&mut counts[label], counted);
                count_one(&mut clean_counts[class], counted);
                flipped += usize::from(label != class);
                samples.push(Sample {
                    class,
                    index,
                    label,
                    split,
                    path,
                });
            }
        }
        Plan {
            samples,
            counts,
            clean_counts,
            flipped,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn paths_are_unique_and_named_by_the_written_label() {
        let config = SynthConfig {
            classes: 3,
            per_class: 50,
            label_noise: 0.5,
            test_fraction: 0.2,
            ..Default::default()
        };
        let plan = Plan::new(&config);
        assert_eq!(plan.samples.len(), 150);
        let paths: HashSet<&str> = plan.samples.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths.len(), 150);
        for s in &plan.samples {
            let name = class_names(&config)[s.label];
            let split = s.split.unwrap();
            assert!(
                s.path.starts_with(&format!("{split}/{name}/{name}_")),
                "{}",
                s.path
            );
        }
        assert!(plan.flipped > 0);
        assert_eq!(
            plan.flipped,
            plan.samples.iter().filter(|s| s.label != s.class).count()
        );
    }

    #[test]
    fn splits_are_stratified_by_clean_class() {
        let config = SynthConfig {
            classes: 4,
            per_class: 40,
            imbalance: 4.0,
            val_fraction: 0.25,
            test_fraction: 0.5,
            label_noise: 0.3,
            ..Default::default()
        };
        let plan = Plan::new(&config);
        for (k, (c, n)) in plan
            .clean_counts
            .iter()
            .zip(config.class_counts())
            .enumerate()
        {
            assert_eq!(c.total(), n, "class {k}");
            assert_eq!(c.test, (n as f64 * 0.5).round() as usize);
            assert_eq!(c.val, (n as f64 * 0.25).round() as usize);
        }
        let written: usize = plan.counts.iter().map(ClassSplitCounts::total).sum();
        assert_eq!(written, plan.samples.len());
    }

    #[test]
    fn no_splits_means_class_folders() {
        let plan = Plan::new(&SynthConfig {
            classes: 2,
            per_class: 3,
            ..Default::default()
        });
        assert!(plan
            .samples
            .iter()
            .all(|s| s.split.is_none() && s.label == s.class));
        assert!(plan.samples[0].path.starts_with("circle/circle_0000"));
        assert!(plan.samples[0].path.ends_with(".png"));
    }
}
