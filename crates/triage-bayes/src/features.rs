//! The feature sets the k-NN family and GHP run on: raw pixels of a
//! dataset, or embeddings (any framework) with their labels.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use triage_data::dataset::{open_dataset, Dataset, OpenOptions, Split};
use triage_data::decode::{decode_item, ChannelPolicy, DecodeOptions};
use triage_data::predictions::read_embeddings_with_ids;
use triage_data::progress::Progress;
use triage_data::{read_predictions, ReadOptions};
use triage_docs::bayes::{FeatureKind, NeighbourMode};
use triage_stats::shift::seeded_subsample;

use crate::error::BayesError;

/// Items of one side of a feature set: row-major features and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// `n × dim` values.
    pub values: Vec<f32>,
    /// One label per row, below the number of classes.
    pub labels: Vec<u32>,
}

impl Rows {
    /// Rows.
    pub fn n(&self) -> usize {
        self.labels.len()
    }
}

/// One set of features: the reference (training) items and, for train →
/// test estimates, the query (test) items.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// A short name (the file's stem, or `pixels`).
    pub name: String,
    /// Pixels or embeddings.
    pub kind: FeatureKind,
    /// The file or dataset read.
    pub path: PathBuf,
    /// For pixels: the size measured, `WxHxC`.
    pub size: Option<String>,
    /// Values per item.
    pub dim: usize,
    /// Class names, in label order.
    pub classes: Vec<String>,
    /// The reference items.
    pub reference: Rows,
    /// The query items (none: leave-one-out within the reference).
    pub queries: Option<Rows>,
    /// The labels file of the query items, when they came from one.
    pub query_labels: Option<PathBuf>,
}

impl Features {
    /// Train → test or leave-one-out.
    pub fn mode(&self) -> NeighbourMode {
        if self.queries.is_some() {
            NeighbourMode::TrainTest
        } else {
            NeighbourMode::LeaveOneOut
        }
    }

    /// The query side (the reference itself in leave-one-out).
    pub fn query_rows(&self) -> &Rows {
        self.queries.as_ref().unwrap_or(&self.reference)
    }

    /// Items per class of `rows`.
    pub fn per_class(&self, rows: &Rows) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for &l in &rows.labels {
            counts[l as usize] += 1;
        }
        counts
    }
}

/// How a dataset's pixels become features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelOptions {
    /// Resize every image to (width, height) first; `None` keeps the
    /// images' own size, which must then be shared.
    pub resize: Option<(u32, u32)>,
    /// Convert to one grey channel.
    pub grayscale: bool,
    /// Items per side at most (a seeded subsample above).
    pub max_items: usize,
    /// Seed of the subsample.
    pub seed: u64,
}

/// Default [`PixelOptions::max_items`]: every item of CIFAR-10 and MNIST.
pub const DEFAULT_MAX_ITEMS: usize = 60_000;

impl Default for PixelOptions {
    fn default() -> Self {
        Self {
            resize: None,
            grayscale: false,
            max_items: DEFAULT_MAX_ITEMS,
            seed: 0,
        }
    }
}

/// Raw pixels of a dataset, each sample scaled to [0, 1] (`v / 255`), in
/// the channel order of the decoded image (row-major, channels
/// interleaved). The training split is the reference; the test split (or
/// else the validation split) the queries; a dataset without splits is
/// used leave-one-out.
///
/// # Errors
/// [`BayesError::Open`], [`BayesError::Decode`] naming the item,
/// [`BayesError::MixedSizes`], [`BayesError::TooLarge`].
pub fn pixels(
    path: &Path,
    options: &PixelOptions,
    progress: &dyn Progress,
) -> Result<Features, BayesError> {
    let dataset =
        open_dataset(path, &OpenOptions::default()).map_err(|source| BayesError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let on = |splits: &[Option<Split>]| -> Vec<usize> {
        (0..dataset.items.len())
            .filter(|&i| splits.contains(&dataset.items[i].split))
            .collect()
    };
    let test = on(&[Some(Split::Test)]);
    let val = on(&[Some(Split::Val)]);
    let (reference, queries) = match (test.is_empty(), val.is_empty()) {
        (false, _) => (on(&[Some(Split::Train), None]), Some(test)),
        (true, false) => (on(&[Some(Split::Train), None]), Some(val)),
        (true, true) => (on(&[Some(Split::Train), None]), None),
    };
    let pick = |items: Vec<usize>, salt: u64| -> Vec<usize> {
        seeded_subsample(items.len(), options.max_items, options.seed ^ salt)
            .into_iter()
            .map(|i| items[i])
            .collect()
    };
    let reference = pick(reference, 0xBA7E_0001);
    let queries = queries.map(|q| pick(q, 0xBA7E_0002));
    let decode = DecodeOptions {
        resize: options.resize,
        channels: ChannelPolicy::gray_if(options.grayscale),
        ..DecodeOptions::default()
    };
    let total = reference.len() + queries.as_ref().map_or(0, Vec::len);
    let first = reference
        .first()
        .or_else(|| queries.as_ref().and_then(|q| q.first()))
        .copied();
    let Some(first) = first else {
        return Err(BayesError::TooFewClasses {
            path: path.to_path_buf(),
            k: 0,
        });
    };
    let probe = decode_one(&dataset, path, first, &decode)?;
    let dim = probe.1.len();
    triage_data::memory::check_fits(
        || format!("the raw pixels of {total} images of {}", probe.0),
        total as u64,
        dim as u64 * 4,
    )?;
    progress.stage("decode", total as u64);
    let rows = |items: &[usize]| -> Result<Rows, BayesError> {
        let decoded: Vec<Vec<f32>> = items
            .par_iter()
            .map(|&i| {
                let (size, values) = decode_one(&dataset, path, i, &decode)?;
                progress.step();
                if size != probe.0 {
                    return Err(BayesError::MixedSizes {
                        path: path.to_path_buf(),
                        id: dataset.items[i].id.clone(),
                        found: size,
                        expected: probe.0.clone(),
                    });
                }
                Ok(values)
            })
            .collect::<Result<_, _>>()?;
        Ok(Rows {
            values: decoded.concat(),
            labels: items
                .iter()
                .map(|&i| dataset.items[i].label as u32)
                .collect(),
        })
    };
    let reference_rows = rows(&reference)?;
    let query_rows = queries.as_deref().map(rows).transpose()?;
    progress.done();
    Ok(Features {
        name: "pixels".to_owned(),
        kind: FeatureKind::Pixels,
        path: path.to_path_buf(),
        size: Some(probe.0),
        dim,
        classes: dataset.classes.clone(),
        reference: reference_rows,
        queries: query_rows,
        query_labels: None,
    })
}

fn decode_one(
    dataset: &Dataset,
    path: &Path,
    index: usize,
    options: &DecodeOptions,
) -> Result<(String, Vec<f32>), BayesError> {
    let decoded = decode_item(dataset, index, options).map_err(|e| BayesError::Decode {
        path: path.to_path_buf(),
        id: dataset.items[index].id.clone(),
        reason: e.to_string(),
    })?;
    let image = decoded.image;
    let size = format!("{}x{}x{}", image.width, image.height, image.channels);
    Ok((
        size,
        image.pixels.iter().map(|&v| f32::from(v) / 255.0).collect(),
    ))
}

/// An embeddings file and the labels of its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingFiles {
    /// Embeddings (`.npy`, with `NAME.ids.csv` beside it when `triage
    /// predict` wrote it, or a CSV `id,<features…>`).
    pub embeddings: PathBuf,
    /// A labelled predictions file of the same items (any format `triage
    /// evaluate` reads) giving each id's label and the class names.
    pub labels: PathBuf,
}

/// Embeddings as a feature set: `reference` (training items) and, for
/// train → test, `queries` (test items). Rows are matched to labels by id
/// when the embeddings carry ids, else by position.
///
/// # Errors
/// [`BayesError::Read`] (NaN rows included, with their row),
/// [`BayesError::Mismatch`] naming missing ids or differing counts,
/// [`BayesError::Inconsistent`] when the two sides differ in width or
/// classes.
pub fn embeddings(
    reference: &EmbeddingFiles,
    queries: Option<&EmbeddingFiles>,
) -> Result<Features, BayesError> {
    let (classes, dim, reference_rows) = labelled_rows(reference)?;
    let query_rows = match queries {
        Some(q) => {
            let (q_classes, q_dim, rows) = labelled_rows(q)?;
            if q_classes != classes {
                return Err(BayesError::Inconsistent {
                    what: format!(
                        "{} names classes [{}] but {} names [{}]",
                        reference.labels.display(),
                        classes.join(", "),
                        q.labels.display(),
                        q_classes.join(", ")
                    ),
                });
            }
            if q_dim != dim {
                return Err(BayesError::Inconsistent {
                    what: format!(
                        "{} has {dim} columns but {} has {q_dim}; give embeddings of one model",
                        reference.embeddings.display(),
                        q.embeddings.display()
                    ),
                });
            }
            Some(rows)
        }
        None => None,
    };
    let name = reference.embeddings.file_stem().map_or_else(
        || "embeddings".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    Ok(Features {
        name,
        kind: FeatureKind::Embeddings,
        path: reference.embeddings.clone(),
        size: None,
        dim,
        classes,
        reference: reference_rows,
        queries: query_rows,
        query_labels: queries.map(|q| q.labels.clone()),
    })
}

fn labelled_rows(files: &EmbeddingFiles) -> Result<(Vec<String>, usize, Rows), BayesError> {
    let (matrix, ids) = read_embeddings_with_ids(&files.embeddings)?;
    let predictions = read_predictions(&files.labels, &ReadOptions::default())?;
    let mismatch = |reason: String| BayesError::Mismatch {
        features: files.embeddings.clone(),
        reason,
    };
    let labels: Vec<u32> = match ids {
        Some(ids) => {
            let by_id: HashMap<&str, usize> = predictions
                .ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i))
                .collect();
            let missing: Vec<&str> = ids
                .iter()
                .filter(|id| !by_id.contains_key(id.as_str()))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                return Err(mismatch(format!(
                    "{} of its {} ids are not in {} (first: {})",
                    missing.len(),
                    ids.len(),
                    files.labels.display(),
                    missing
                        .iter()
                        .take(3)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            ids.iter()
                .map(|id| predictions.labels[by_id[id.as_str()]] as u32)
                .collect()
        }
        None => {
            if matrix.n != predictions.len() {
                return Err(mismatch(format!(
                    "{} rows and no ids, but {} has {} rows",
                    matrix.n,
                    files.labels.display(),
                    predictions.len()
                )));
            }
            predictions.labels.iter().map(|&l| l as u32).collect()
        }
    };
    Ok((
        predictions.classes,
        matrix.dim,
        Rows {
            values: matrix.rows,
            labels,
        },
    ))
}
