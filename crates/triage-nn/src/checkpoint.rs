//! Checkpoint files: model weights, optimizer state and the training state
//! in one file, written atomically.
//!
//! Layout (little-endian): the magic `TRIAGECK`, a `u32` format version,
//! three `u64` section lengths, then the sections: the training state as
//! JSON ([`TrainState`]), the model record and the optimizer record (both
//! burnpack bytes from burn; the optimizer section is empty in a
//! weights-only checkpoint), then (from format version 2) a BLAKE3 hash
//! of everything before it, verified on read: a checkpoint with flipped
//! bytes is an error naming the file, never weights silently resumed.
//! Version-1 files (no hash) are still read. One file means one rename: a
//! reader never sees weights from one epoch with the optimizer state of
//! another.

use std::fs;
use std::path::Path;

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use triage_data::checksum;

use crate::error::NnError;
use crate::model::Model;
use crate::train::TrainState;

const MAGIC: &[u8; 8] = b"TRIAGECK";
/// Version 3: the convolutional models' classifier is a shared
/// [`crate::classifier_head::ClassifierHead`] (`head.fc.*`); versions 1–2
/// kept it at `fc.*`, and [`load_model`] moves it.
const VERSION: u32 = 3;
const HEADER: usize = 8 + 4 + 3 * 8;

/// Write `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over `path`.
///
/// # Errors
///
/// [`NnError::Io`] naming the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), NnError> {
    triage_data::output::write_atomic(path, bytes).map_err(|e| NnError::io(path, e))
}

/// Save `model` (and `optimizer`, when given) with `state` to `path`.
///
/// # Errors
///
/// [`NnError::Io`] when the file cannot be written, [`NnError::Corrupt`]
/// when burn cannot serialise a record.
pub fn save(
    path: &Path,
    state: &TrainState,
    model: &Model,
    optimizer: Option<&ModuleOptimizer>,
) -> Result<(), NnError> {
    let bad = |reason: String| NnError::Corrupt {
        path: path.to_path_buf(),
        what: "checkpoint",
        reason,
    };
    let state = serde_json::to_vec(state).map_err(|e| bad(e.to_string()))?;
    let model = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| bad(format!("model record: {e:?}")))?;
    let optim = match optimizer {
        Some(o) => Some(
            o.into_bytes()
                .map_err(|e| bad(format!("optimizer record: {e:?}")))?,
        ),
        None => None,
    };
    let optim: &[u8] = optim.as_deref().unwrap_or(&[]);
    let mut out = Vec::with_capacity(HEADER + state.len() + model.len() + optim.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    for len in [state.len(), model.len(), optim.len()] {
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
    out.extend_from_slice(&state);
    out.extend_from_slice(&model);
    out.extend_from_slice(optim);
    checksum::seal(&mut out);
    write_atomic(path, &out)
}

/// A checkpoint read back.
#[derive(Debug)]
pub struct Loaded {
    /// The file's format version (give it to [`load_model`]).
    pub version: u32,
    /// The training state at the time of the checkpoint.
    pub state: TrainState,
    /// The model record bytes (apply with [`load_model`]).
    pub model: Vec<u8>,
    /// The optimizer record bytes (empty in a weights-only checkpoint).
    pub optimizer: Vec<u8>,
}

/// Read the checkpoint at `path`.
///
/// # Errors
///
/// [`NnError::Io`] when it cannot be read, [`NnError::Corrupt`] when it is
/// not a checkpoint of this format (wrong magic or version, truncated, bad
/// state JSON).
pub fn load(path: &Path) -> Result<Loaded, NnError> {
    let bytes = fs::read(path).map_err(|e| NnError::io(path, e))?;
    let bad = |reason: String| NnError::Corrupt {
        path: path.to_path_buf(),
        what: "checkpoint",
        reason,
    };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(bad("missing the TRIAGECK header".into()));
    }
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    let bytes = match version {
        1 => &bytes[..],
        2..=VERSION if bytes.len() < HEADER + checksum::CHECKSUM_LEN => {
            return Err(bad("truncated before its checksum".into()));
        }
        2..=VERSION => match checksum::unseal(&bytes) {
            Some(body) => body,
            None => {
                return Err(bad(
                    "its BLAKE3 checksum does not match its contents (the file was damaged)".into(),
                ))
            }
        },
        _ => {
            return Err(bad(format!(
                "format version {version}, this triage reads 1 to {VERSION}: it was written by a newer triage"
            )))
        }
    };
    let lens = [u64_at(12), u64_at(20), u64_at(28)];
    let total = lens
        .iter()
        .try_fold(HEADER as u64, |acc, &l| acc.checked_add(l));
    if total != Some(bytes.len() as u64) {
        return Err(bad(format!(
            "sections of {lens:?} bytes do not add up to the file size {} (truncated?)",
            bytes.len()
        )));
    }
    let (a, b) = (
        HEADER + lens[0] as usize,
        HEADER + (lens[0] + lens[1]) as usize,
    );
    let state: TrainState =
        serde_json::from_slice(&bytes[HEADER..a]).map_err(|e| bad(format!("state: {e}")))?;
    Ok(Loaded {
        version,
        state,
        model: bytes[a..b].to_vec(),
        optimizer: bytes[b..].to_vec(),
    })
}

/// Apply model record bytes of a checkpoint of format `version` to
/// `model` (built from the same spec). Records of version ≤ 2 of a model
/// with a shared classifier head get their `fc.*` weights moved to
/// `head.fc.*` first.
///
/// # Errors
///
/// [`NnError::Corrupt`] when the record does not fit the model.
pub fn load_model(
    model: Model,
    record: Vec<u8>,
    version: u32,
    path: &Path,
) -> Result<Model, NnError> {
    let bad = |reason: String| NnError::Corrupt {
        path: path.to_path_buf(),
        what: "checkpoint",
        reason,
    };
    let record = if version <= 2 && model.has_shared_head() {
        move_to_shared_head(record).map_err(|e| bad(format!("model record: {e}")))?
    } else {
        record
    };
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record))
        .map_err(|e| bad(format!("model record: {e:?}")))?;
    model.try_load_record(record).map_err(|e| {
        let written = if version < VERSION {
            format!(" (a checkpoint of format version {version}, from an older triage)")
        } else {
            String::new()
        };
        bad(format!(
            "the weights do not fit the model of run.json{written}: {e:?}"
        ))
    })
}

/// A record with every `…fc.weight`/`…fc.bias` not already under `head`
/// renamed `…head.fc.…` (parameter ids and data unchanged, so optimizer
/// state still matches).
fn move_to_shared_head(record: Vec<u8>) -> Result<Vec<u8>, String> {
    let reader = burn_pack::Reader::from_bytes(burn_pack::Bytes::from_bytes_vec(record))
        .map_err(|e| format!("{e:?}"))?;
    let tensors = reader
        .into_tensors()
        .map_err(|e| format!("{e:?}"))?
        .into_iter()
        .map(|t| {
            let (name, dtype, shape, id, bytes) = t.into_parts().map_err(|e| format!("{e:?}"))?;
            let parts: Vec<&str> = name.split('.').collect();
            let n = parts.len();
            let name = if n >= 2
                && parts[n - 2] == "fc"
                && matches!(parts[n - 1], "weight" | "bias")
                && !parts.contains(&"head")
            {
                let mut moved = parts[..n - 2].to_vec();
                moved.extend(["head", "fc", parts[n - 1]]);
                moved.join(".")
            } else {
                name
            };
            Ok(burn_pack::Tensor::new(name, dtype, shape, id, bytes))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let bytes = burn_pack::Writer::new(tensors)
        .into_bytes()
        .map_err(|e| format!("{e:?}"))?;
    Ok(bytes.to_vec())
}

/// Apply optimizer record bytes to a freshly built optimizer.
///
/// # Errors
///
/// [`NnError::Corrupt`] when the record cannot be read.
pub fn load_optimizer(
    optimizer: ModuleOptimizer,
    record: Vec<u8>,
    path: &Path,
) -> Result<ModuleOptimizer, NnError> {
    if record.is_empty() {
        return Ok(optimizer);
    }
    optimizer
        .from_bytes(Bytes::from_bytes_vec(record))
        .map_err(|e| NnError::Corrupt {
            path: path.to_path_buf(),
            what: "checkpoint",
            reason: format!("optimizer record: {e:?}"),
        })
}
