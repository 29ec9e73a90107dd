//! The training and prediction pipeline: a dataset on disk → host image
//! sets → a model → a run directory or a predictions file. This is what
//! `triage train`, `triage predict`, `triage lr-find` and `triage demo`
//! call; the CLI only parses flags into the plans here and draws the
//! progress reported through [`TrainProgress`].
//!
//! | step | module |
//! |---|---|
//! | decode items at one shape, normalise | [`host_images`] |
//! | what to train (flags resolved against the data) | [`plan`] |
//! | train into a run directory, resume | [`train_run`] |
//! | predict a dataset with a run's model | [`predict_run`] |
//! | learning-rate range test | [`lr_find_run`] |

pub mod cross_validation;
pub mod host_images;
pub mod lr_find_run;
pub mod plan;
pub mod predict_run;
pub mod train_run;

use std::path::PathBuf;

use thiserror::Error;
use triage_data::dataset::DatasetError;
use triage_data::progress::Progress;

use crate::error::NnError;
use crate::train::{BatchProgress, TrainState};

/// Why a pipeline step failed.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// The model, optimizer, checkpoint or run directory failed.
    #[error(transparent)]
    Nn(#[from] NnError),
    /// The dataset could not be opened.
    #[error("failed to open {path}")]
    Open {
        /// The path given.
        path: PathBuf,
        /// The reader's error.
        #[source]
        source: DatasetError,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Training diverged; `summary.json` says `diverged`.
    #[error("{source}; {kept}")]
    Diverged {
        /// [`NnError::Diverged`] or [`NnError::DivergedOnValidation`].
        #[source]
        source: NnError,
        /// Which checkpoint is kept: `the checkpoint after epoch 3 is kept
        /// in RUN/last.ckpt`, or that none was written.
        kept: String,
    },
    /// The output folder is not triage's to write.
    #[error(transparent)]
    Output(#[from] triage_data::output_folder::OutputError),
    /// The images would not fit in memory.
    #[error(transparent)]
    TooLarge(#[from] triage_data::memory::TooLarge),
    /// The data or the request cannot be used (no training items, classes
    /// the run does not know, a model spec file that does not parse, …).
    #[error("{0}")]
    Invalid(String),
}

/// Refuse a model whose parameters, optimizer state and activations for
/// one batch would not fit in the memory available, before it is built
/// ([`triage_docs::model_spec::ModelSpec::size_estimate`]): a spec whose
/// every field is within its limits can still ask for terabytes.
///
/// # Errors
///
/// [`PipelineError::TooLarge`] with the parameters, the batch and the bytes.
pub(crate) fn check_model_fits(
    spec: &triage_docs::model_spec::ModelSpec,
    shape: triage_docs::model_spec::InputShape,
    classes: usize,
    batch: usize,
) -> Result<(), PipelineError> {
    let size = spec.size_estimate(shape, classes);
    triage_data::memory::check_fits(
        || {
            format!(
                "training a {:?} model of about {} parameters on {}×{}×{} images in batches of {batch} (weights, gradients, optimizer state and activations)",
                spec.kind, size.parameters, shape.channels, shape.height, shape.width
            )
        },
        size.training_bytes(batch),
        1,
    )?;
    Ok(())
}

impl PipelineError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Progress of training: the [`Progress`] stages of decoding plus batches
/// and epochs. Every method defaults to doing nothing.
pub trait TrainProgress: Progress {
    /// A training batch finished.
    fn batch(&self, progress: &BatchProgress) {
        let _ = progress;
    }
    /// An epoch finished (its record is `state.history.last()`), after the
    /// run directory was updated; `epochs` is the number requested.
    fn epoch(&self, state: &TrainState, epochs: usize, is_best: bool) {
        let _ = (state, epochs, is_best);
    }
}

impl TrainProgress for triage_data::progress::Silent {}
