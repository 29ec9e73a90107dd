//! Profile a dataset on disk, as `triage profile` does: open it with any
//! reader, decode every image (through the decoded-image cache, or
//! streaming without it), note files whose extension lies about their
//! content, and profile.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use triage_docs::profile::{DatasetProfile, ExtensionMismatch};

use thiserror::Error;

use crate::{profile_dataset, ItemOutcome, NamedEmbeddings, ProfileOptions};
use triage_data::cache::{cache_key, default_cache_dir, load_or_decode, CacheError, DecodeResult};
use triage_data::dataset::{open_dataset, Dataset, DatasetError, OpenOptions, Source};
use triage_data::decode::{decode_item, extension_mismatch_in, DecodeOptions};
use triage_data::progress::Progress;

/// How to profile files.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRun {
    /// Largest image (in pixels) decoded; larger headers are refused
    /// before allocating (decompression bombs).
    pub max_pixels: u64,
    /// Near-duplicate search and listing settings.
    pub options: ProfileOptions,
    /// Where decoded images are cached; `None` streams without a cache.
    pub cache_dir: Option<PathBuf>,
}

impl ProfileRun {
    /// The `triage profile` defaults, with the cache under
    /// [`default_cache_dir`].
    pub fn with_cache() -> Self {
        Self {
            max_pixels: 100_000_000,
            options: ProfileOptions::default(),
            cache_dir: Some(default_cache_dir()),
        }
    }
}

/// Why a dataset could not be profiled.
#[derive(Debug, Error)]
pub enum ProfileFilesError {
    /// The dataset could not be opened.
    #[error("failed to open the dataset `{path}`")]
    Open {
        /// The path given.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: DatasetError,
    },
    /// The decoded-image cache failed.
    #[error("decoded-image cache failed")]
    Cache(#[from] CacheError),
    /// An item has no row in embeddings given with an id column.
    #[error("the embeddings `{name}` have no row for item `{id}`, whose image decodes ({missing} such items); give one row per item (only images that cannot be decoded, which `triage predict` skips, may be left out)")]
    EmbeddingMissing {
        /// The embeddings' name.
        name: String,
        /// The first item without a row.
        id: String,
        /// How many items have none.
        missing: usize,
    },
    /// A row of embeddings given with an id column names no item.
    #[error("the embeddings `{name}` have a row for `{id}`, which is not an item of the dataset ({unknown} such rows); give the embeddings of this dataset")]
    EmbeddingUnknownId {
        /// The embeddings' name.
        name: String,
        /// The first unknown id.
        id: String,
        /// How many rows name no item.
        unknown: usize,
    },
    /// The embeddings do not have one row per item.
    #[error("the embeddings `{name}` have {rows} rows but the dataset has {items} items; give one row per item, in the dataset's order")]
    EmbeddingRows {
        /// The embeddings' name.
        name: String,
        /// Their rows.
        rows: usize,
        /// The dataset's items.
        items: usize,
    },
}

/// A path that a document names (`written`): as written when it exists
/// (relative to the working folder), else relative to the document's
/// folder when that exists.
pub fn named_path(written: &str, document: &Path) -> Option<PathBuf> {
    let as_written = PathBuf::from(written);
    let beside = document.parent().map(|d| d.join(&as_written));
    [Some(as_written), beside]
        .into_iter()
        .flatten()
        .find(|p| p.exists())
}

/// The dataset a profile (read from `document`) was made of, reopened
/// from its `root` ([`named_path`]); `None` when it is not found or no
/// longer opens.
pub fn reopen_profiled(profile: &DatasetProfile, document: &Path) -> Option<Dataset> {
    let root = named_path(&profile.root, document)?;
    open_dataset(&root, &OpenOptions::default()).ok()
}

/// The rows of `e` (which has ids) in the dataset's item order, and the
/// items without a row (given zeros: allowed only for images that do not
/// decode, which no statistic uses; checked after decoding).
fn align_by_id(
    e: &NamedEmbeddings,
    dataset: &Dataset,
) -> Result<(NamedEmbeddings, Vec<usize>), ProfileFilesError> {
    let ids = e.ids.as_deref().unwrap_or_default();
    let row_of: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(r, id)| (id.as_str(), r))
        .collect();
    let items: std::collections::HashSet<&str> =
        dataset.items.iter().map(|i| i.id.as_str()).collect();
    let unknown: Vec<&String> = ids
        .iter()
        .filter(|id| !items.contains(id.as_str()))
        .collect();
    if let Some(first) = unknown.first() {
        return Err(ProfileFilesError::EmbeddingUnknownId {
            name: e.name.clone(),
            id: (*first).clone(),
            unknown: unknown.len(),
        });
    }
    let dim = e.matrix.dim;
    let mut missing = Vec::new();
    let mut rows = Vec::with_capacity(dataset.items.len() * dim);
    for (i, item) in dataset.items.iter().enumerate() {
        match row_of.get(item.id.as_str()) {
            Some(&r) => rows.extend_from_slice(&e.matrix.rows[r * dim..(r + 1) * dim]),
            None => {
                missing.push(i);
                rows.extend(std::iter::repeat_n(0.0, dim));
            }
        }
    }
    let aligned = NamedEmbeddings {
        name: e.name.clone(),
        matrix: triage_data::predictions::Embeddings {
            n: dataset.items.len(),
            dim,
            rows,
        },
        ids: None,
    };
    Ok((aligned, missing))
}

/// Profile the dataset at `path` (any layout [`open_dataset`] reads),
/// decoding through the cache in `run.cache_dir` unless it is `None`, with
/// the files whose extension does not match their content in
/// `extension_mismatches`.
///
/// # Errors
///
/// An unreadable dataset or a failing cache.
pub fn profile_files(
    path: &Path,
    run: &ProfileRun,
    progress: &dyn Progress,
) -> Result<DatasetProfile, ProfileFilesError> {
    let open = OpenOptions {
        max_pixels: run.max_pixels,
        ..OpenOptions::default()
    };
    let dataset = open_dataset(path, &open).map_err(|source| ProfileFilesError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let n = dataset.items.len();
    let (aligned, without_row) = match &run.options.embeddings {
        Some(e) if e.ids.is_some() => {
            let (aligned, missing) = align_by_id(e, &dataset)?;
            (Some(aligned), missing)
        }
        _ => (None, Vec::new()),
    };
    let mut with_aligned;
    let run = match aligned {
        Some(e) => {
            with_aligned = run.clone();
            with_aligned.options.embeddings = Some(std::sync::Arc::new(e));
            &with_aligned
        }
        None => run,
    };
    if let Some(e) = &run.options.embeddings {
        if e.matrix.n != n {
            return Err(ProfileFilesError::EmbeddingRows {
                name: e.name.clone(),
                rows: e.matrix.n,
                items: n,
            });
        }
    }
    progress.note(&format!(
        "{} items in {} classes ({} layout){}",
        n,
        dataset.classes.len(),
        dataset.format.name(),
        if dataset.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} files skipped", dataset.skipped.len())
        }
    ));
    let decode_options = DecodeOptions {
        max_pixels: run.max_pixels,
        ..DecodeOptions::default()
    };
    let options = &run.options;
    // Files whose extension names another format than their content, noted
    // while the files are read anyway (decoding or hashing for the cache).
    let mismatches: Mutex<Vec<(usize, ExtensionMismatch)>> = Mutex::new(Vec::new());
    let note = |i: usize, found: Option<(String, &'static str)>| {
        if let Some((ext, actual)) = found {
            let m = ExtensionMismatch {
                path: dataset.items[i].id.clone(),
                reason: format!("extension .{ext} but the content is {actual}"),
            };
            mismatches
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, m));
        }
    };
    let profile = if let Some(dir) = &run.cache_dir {
        cached(
            &dataset,
            dir,
            run.max_pixels,
            &decode_options,
            options,
            &note,
            progress,
        )?
    } else {
        // Stream: decode, measure, drop the pixels.
        progress.stage("profile", n as u64);
        let decode = |i: usize| match decode_item(&dataset, i, &decode_options) {
            Ok(d) => {
                note(i, d.extension_mismatch);
                ItemOutcome::Decoded {
                    image: d.image,
                    mode: d.mode,
                    file_bytes: d.file_bytes,
                }
            }
            Err(e) => ItemOutcome::Failed {
                reason: e.to_string(),
            },
        };
        let profile = profile_dataset(&dataset, options, &decode, &|| progress.step());
        progress.done();
        profile
    };
    let mut mismatches = mismatches.into_inner().unwrap_or_else(|e| e.into_inner());
    mismatches.sort_by_key(|(i, _)| *i);
    // Items without an embedding row must be images that do not decode.
    let decodable: Vec<usize> = without_row
        .iter()
        .copied()
        .filter(|&i| decode_item(&dataset, i, &decode_options).is_ok())
        .collect();
    if let (Some(&first), Some(e)) = (decodable.first(), &run.options.embeddings) {
        return Err(ProfileFilesError::EmbeddingMissing {
            name: e.name.clone(),
            id: dataset.items[first].id.clone(),
            missing: decodable.len(),
        });
    }
    let mut profile = profile;
    profile.extension_mismatches = mismatches.into_iter().map(|(_, m)| m).collect();
    Ok(profile)
}

/// Decode through the cache in `dir`, then profile.
fn cached(
    dataset: &Dataset,
    dir: &Path,
    max_pixels: u64,
    decode_options: &DecodeOptions,
    options: &ProfileOptions,
    note: &(dyn Fn(usize, Option<(String, &'static str)>) + Sync),
    progress: &dyn Progress,
) -> Result<DatasetProfile, ProfileFilesError> {
    let n = dataset.items.len();
    {
        let settings = format!("decode max_pixels={max_pixels} keep-size keep-channels");
        let read = |i: usize| {
            let bytes = content(dataset, i)?;
            if let Source::File(path) = &dataset.items[i].source {
                note(i, extension_mismatch_in(path, &bytes));
            }
            Ok(bytes)
        };
        let key = cache_key(n, &settings, &|i| describe(dataset, i), &read)?;
        progress.stage("decode", n as u64);
        let decode = |i: usize| -> DecodeResult {
            decode_item(dataset, i, decode_options)
                .map(|d| (d.image, d.mode, d.file_bytes))
                .map_err(|e| e.to_string())
        };
        let set = load_or_decode(n, &key, Some(dir), &decode, &|| progress.step())?;
        progress.done();
        if let Some(path) = &set.path {
            let state = if set.hit { "reused" } else { "written" };
            progress.note(&format!("decoded-image cache {state}: {}", path.display()));
        }
        progress.stage("profile", n as u64);
        let from_cache = |i: usize| match set.get(i) {
            Ok(v) => ItemOutcome::Decoded {
                image: v.to_image(),
                mode: v.mode,
                file_bytes: v.file_bytes,
            },
            Err(reason) => ItemOutcome::Failed {
                reason: reason.to_string(),
            },
        };
        let profile = profile_dataset(dataset, options, &from_cache, &|| progress.step());
        progress.done();
        Ok(profile)
    }
}

fn describe(dataset: &Dataset, i: usize) -> String {
    let item = &dataset.items[i];
    format!("{}\u{1f}{}", item.id, item.label)
}

fn content(dataset: &Dataset, i: usize) -> Result<Vec<u8>, (std::path::PathBuf, std::io::Error)> {
    match &dataset.items[i].source {
        Source::File(path) => std::fs::read(path).map_err(|e| (path.clone(), e)),
        Source::Record { file, .. } => {
            let records = dataset
                .records
                .as_ref()
                .ok_or_else(|| (file.clone(), std::io::Error::other("record store missing")))?;
            let len = records.width as usize * records.height as usize * records.channels as usize;
            Ok(records
                .pixels
                .get(i * len..(i + 1) * len)
                .map(<[u8]>::to_vec)
                .unwrap_or_default())
        }
    }
}
