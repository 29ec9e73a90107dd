//! Arguments of `triage lint`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::args::FailOn;

/// `--select` of the user's own setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SelectArg {
    /// The epoch with the lowest validation loss.
    Loss,
    /// The epoch with the highest validation accuracy.
    Accuracy,
    /// The last epoch.
    Last,
}

/// `--validation-split` of the user's own setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidationSplitArg {
    /// The last fraction of the data as given (Keras `validation_split`).
    Tail,
    /// A random split.
    Random,
    /// A stratified random split.
    Stratified,
    /// A separate validation set.
    Given,
}

/// `triage lint MODEL`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The model: an ONNX file (`torch.onnx.export`, tf2onnx), a Keras 3
    /// `.keras` file, Keras `model.to_json()` output, or a triage run
    /// directory (its `run.json`).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,

    /// The optimizer you train with (`sgd`, `adam`, `adamw`, `adadelta`,
    /// `rmsprop`, …); with the flags below it describes your own training
    /// setup (they override what the file says).
    #[arg(long, value_name = "NAME")]
    pub optimizer: Option<String>,

    /// SGD momentum.
    #[arg(long, value_name = "M")]
    pub momentum: Option<f64>,

    /// Nesterov momentum.
    #[arg(long)]
    pub nesterov: bool,

    /// Weight decay (PyTorch semantics: coupled L2 for `sgd`/`adam`,
    /// decoupled for `adamw`).
    #[arg(long, value_name = "W")]
    pub weight_decay: Option<f64>,

    /// The learning-rate schedule (`constant`, `cosine`, `onecycle`,
    /// `step`, …).
    #[arg(long, value_name = "NAME")]
    pub schedule: Option<String>,

    /// Batch size.
    #[arg(long, value_name = "N")]
    pub batch_size: Option<u64>,

    /// What the best epoch is chosen on.
    #[arg(long, value_enum)]
    pub select: Option<SelectArg>,

    /// The training data is not shuffled.
    #[arg(long)]
    pub no_shuffle: bool,

    /// How the validation set is cut.
    #[arg(long, value_enum)]
    pub validation_split: Option<ValidationSplitArg>,

    /// Whether the loss takes logits (PyTorch CrossEntropyLoss: true).
    #[arg(long, value_name = "BOOL")]
    pub loss_from_logits: Option<bool>,

    /// A `triage profile --json` document of the training data: its order
    /// check is the evidence for a tail validation split.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// Input shape `C,H,W` when the file does not fix it.
    #[arg(long, value_name = "C,H,W")]
    pub input: Option<String>,

    /// Largest model file read, bytes (ONNX files carry their weights).
    #[arg(long, value_name = "BYTES", default_value_t = triage_lint::lint::MAX_MODEL_BYTES)]
    pub max_bytes: u64,

    /// Write the JSON document here as well.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Print the JSON document (format `triage-lint`) instead of the
    /// summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a finding at or above this severity fires.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}
