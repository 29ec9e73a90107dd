//! The report model: an ordered list of sections, each a list of blocks
//! (text, key/values, tables, figures, galleries, findings). It is what
//! `--json` prints and what [`crate::html`] renders; all text in it is
//! plain (renderers escape it), and `` `code` `` spans are shown as code.

use schemars::JsonSchema;
use serde::Serialize;

use crate::findings::Finding;
use crate::svg::Plot;

/// `format` of the report document (`triage report --json`).
pub const REPORT_FORMAT: &str = "triage-report";
/// Version of the report document.
pub const REPORT_VERSION: u32 = 1;

/// The whole report (format `triage-report`, version 1). Written, not read
/// back by triage: its schema is for Python and JavaScript readers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Title (user-given or default).
    pub title: String,
    /// `triage <version>`.
    pub generator: String,
    /// What the report was made from.
    pub inputs: Vec<InputRef>,
    /// The most important findings (also listed in the Findings section).
    pub top_findings: Vec<Finding>,
    /// Sections in [`SectionKind::ORDER`].
    pub sections: Vec<Section>,
}

impl Report {
    /// The section of a kind.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

/// One input file or directory.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InputRef {
    /// `run`, `evaluation`, `profile` or `predictions`.
    pub kind: String,
    /// Display name.
    pub name: String,
    /// Path as given.
    pub path: String,
}

/// The kinds of sections, in the order a reviewer asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Dataset: classes, splits, duplicates, order.
    Data,
    /// Model and optimiser configuration.
    Model,
    /// Learning curves and how training ended.
    Training,
    /// Metrics, curves, calibration, galleries.
    Performance,
    /// Bayes-error estimates against the model's error.
    Limits,
    /// Domain gaps between evaluations and `triage shift` documents.
    Deployment,
    /// All findings, ranked.
    Findings,
}

impl SectionKind {
    /// Every kind, in report order.
    pub const ORDER: [SectionKind; 7] = [
        Self::Data,
        Self::Model,
        Self::Training,
        Self::Performance,
        Self::Limits,
        Self::Deployment,
        Self::Findings,
    ];

    /// Heading of the section.
    pub fn title(self) -> &'static str {
        match self {
            Self::Data => "The data",
            Self::Model => "The model",
            Self::Training => "The training",
            Self::Performance => "The performance",
            Self::Limits => "How good can it get",
            Self::Deployment => "Will it survive deployment",
            Self::Findings => "Findings",
        }
    }

    /// HTML anchor (`id`) of the section.
    pub fn anchor(self) -> &'static str {
        match self {
            Self::Data => "data",
            Self::Model => "model",
            Self::Training => "training",
            Self::Performance => "performance",
            Self::Limits => "limits",
            Self::Deployment => "deployment",
            Self::Findings => "findings",
        }
    }

    /// What to run to fill the section when it has no input.
    pub fn empty_hint(self) -> &'static str {
        match self {
            Self::Data => "No dataset profile was given. Run `triage profile DATA --json > profile.json` and pass `profile.json` (or a run directory holding one).",
            Self::Model | Self::Training => "No training run was given. Train with `triage train` and pass its run directory.",
            Self::Performance => "No evaluation was given. Run `triage evaluate --predictions FILE --json > eval.json` and pass `eval.json` (name it with `NAME=eval.json`).",
            Self::Limits => "Not measured yet. Run `triage bayes --embeddings TRAIN.npy --labels TRAIN.csv --test-embeddings TEST.npy --test-labels TEST.csv --out bayes.json` (embeddings and predictions from `triage predict` on the training and test splits, or any framework's; `--data DATA` for raw pixels, `--soft-labels` for annotation counts) and pass `bayes.json`, or a run directory holding one. Human accuracy is not measured in this version of triage.",
            Self::Deployment => "Not measured yet. Run `triage shift --source VAL_PREDICTIONS --target DEPLOYMENT_PREDICTIONS --json > shift.json` (add `--source-embeddings`/`--target-embeddings` for MMD and the classifier test) and pass `shift.json`, or pass a second evaluation of the same model on deployment-like data (e.g. `real-like=eval-real.json`) to compare domains.",
            Self::Findings => "No findings: none of the rules fired on the inputs given.",
        }
    }
}

/// One section.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Section {
    /// Kind.
    pub kind: SectionKind,
    /// Heading.
    pub title: String,
    /// Content; when empty the renderers show [`SectionKind::empty_hint`].
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A sub-heading (one per run or evaluation).
    Heading {
        /// Text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// Text (`` `code` `` spans allowed).
        text: String,
    },
    /// A definition list.
    KeyValues {
        /// Pairs, in order.
        items: Vec<KeyValue>,
    },
    /// A table.
    Table(Table),
    /// A plot with a caption.
    Figure(Figure),
    /// Image thumbnails with captions.
    Gallery(Gallery),
    /// A list of findings.
    Findings {
        /// The findings, ranked.
        findings: Vec<Finding>,
    },
}

/// A key and a value, both text.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct KeyValue {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

impl KeyValue {
    /// A pair.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A table of text cells.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Table {
    /// `id` attribute.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// A plot with its caption.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Figure {
    /// `id` attribute of the `<svg>` (unique in the report).
    pub id: String,
    /// Caption.
    pub caption: String,
    /// The plot.
    pub plot: Plot,
}

/// Thumbnails with captions.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Gallery {
    /// `id` attribute.
    pub id: String,
    /// Caption.
    pub caption: String,
    /// The tiles.
    pub tiles: Vec<Tile>,
}

/// One thumbnail.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tile {
    /// `data:image/png;base64,…` URI, or `None` when the image could not be read.
    pub image: Option<String>,
    /// Sample id or file name.
    pub label: String,
    /// Caption lines (true/predicted class, confidence).
    pub lines: Vec<String>,
}

/// A string safe for use in an `id`: lower-case ASCII letters, digits and
/// `-` (other characters become `-`).
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Synthetic Test/<x>"), "synthetic-test-x");
        assert_eq!(slug("\"><img>"), "img");
    }

    #[test]
    fn order_starts_with_data_and_ends_with_findings() {
        assert_eq!(SectionKind::ORDER[0], SectionKind::Data);
        assert_eq!(SectionKind::ORDER[6], SectionKind::Findings);
    }
}
