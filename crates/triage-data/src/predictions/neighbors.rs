//! Neighbour lists on disk (`triage knn`): a folder with `knn.json`
//! ([`KnnDoc`]), `indices.npy` (`<u4`, rows × k, global reference
//! indices) and `distances.npy` (`<f8`, rows × k), nearest first. The
//! description is written last, so a folder without it is unfinished.

use std::path::Path;

use triage_docs::knn::KnnDoc;

use super::error::PredictionsError;
use super::npy_array::NpyArray;

/// Largest neighbour array read, bytes (8 GiB).
pub const MAX_NEIGHBOR_BYTES: u64 = 8 << 30;

/// Neighbour lists with their description.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighborLists {
    /// What they are.
    pub doc: KnnDoc,
    /// Row-major `rows × k` reference indices.
    pub indices: Vec<u32>,
    /// Their distances.
    pub distances: Vec<f64>,
}

/// The BLAKE3 hash of a file's bytes, in hex (read in 1 MiB pieces).
///
/// # Errors
/// The file cannot be read.
pub fn file_blake3(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut file = std::fs::File::open(path)?;
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// Write `lists` into the folder `dir` (created).
///
/// # Errors
/// I/O errors; `InvalidInput` when the arrays are not `rows × k`.
pub fn write_neighbors(dir: &Path, lists: &NeighborLists) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let (rows, k) = (lists.doc.rows as usize, lists.doc.k as usize);
    crate::npy_write::write_npy(&dir.join("indices.npy"), &lists.indices, rows, k)?;
    crate::npy_write::write_npy(&dir.join("distances.npy"), &lists.distances, rows, k)?;
    let json = serde_json::to_vec_pretty(&lists.doc).map_err(std::io::Error::other)?;
    crate::output::write_atomic(&dir.join("knn.json"), &json)
}

/// Read the neighbour lists in the folder `dir`.
///
/// # Errors
/// A missing or invalid `knn.json` (another document, an unfinished
/// folder), arrays of another type or shape than it describes.
pub fn read_neighbors(dir: &Path) -> Result<NeighborLists, PredictionsError> {
    let meta = dir.join("knn.json");
    let format = |path: &Path, array: &str, reason: String| PredictionsError::NpyFormat {
        path: path.to_path_buf(),
        array: array.into(),
        reason,
    };
    let text = std::fs::read_to_string(&meta).map_err(|e| {
        format(
            &meta,
            "knn.json",
            format!("{e} (not a folder written by `triage knn`, or one it did not finish)"),
        )
    })?;
    let doc: KnnDoc =
        triage_docs::read_str(&text).map_err(|e| format(&meta, "knn.json", e.to_string()))?;
    let (rows, k) = (doc.rows as usize, doc.k as usize);
    let load = |name: &str| -> Result<NpyArray, PredictionsError> {
        let path = dir.join(name);
        let bytes =
            crate::bounded_read::read_bounded(&path, MAX_NEIGHBOR_BYTES).map_err(|error| {
                PredictionsError::Io {
                    path: path.clone(),
                    error,
                }
            })?;
        let array = NpyArray::parse(bytes).map_err(|r| format(&path, name, r))?;
        if array.fortran_order || array.shape != [rows, k] {
            return Err(PredictionsError::BadShape {
                path,
                array: name.into(),
                shape: array.shape.clone(),
                expected: "(rows, k) as knn.json says, C order",
            });
        }
        Ok(array)
    };
    let indices: Vec<u32> = load("indices.npy")?
        .integers()
        .ok_or_else(|| format(&dir.join("indices.npy"), "indices", "not integers".into()))?
        .into_iter()
        .map(|v| {
            u32::try_from(v)
                .ok()
                .filter(|&i| u64::from(i) < doc.n_reference)
        })
        .collect::<Option<_>>()
        .ok_or_else(|| {
            format(
                &dir.join("indices.npy"),
                "indices",
                format!("an index outside the {} reference points", doc.n_reference),
            )
        })?;
    let distances = load("distances.npy")?
        .floats()
        .ok_or_else(|| format(&dir.join("distances.npy"), "distances", "not floats".into()))?;
    Ok(NeighborLists {
        doc,
        indices,
        distances,
    })
}
