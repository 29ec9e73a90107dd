//! Errors of the statistics crate.

use thiserror::Error;

/// An input that the metrics cannot work with.
///
/// Metric values that are *mathematically undefined* for valid input (an AUC
/// when a class has no positives, say) are not errors: they are
/// [`crate::Metric::Undefined`] values carrying the reason.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum StatsError {
    /// Two inputs that must have one entry per sample do not.
    #[error("{what} have different lengths: expected {expected}, got {got}")]
    LengthMismatch {
        /// What was compared.
        what: &'static str,
        /// The length of the first input.
        expected: usize,
        /// The length of the second input.
        got: usize,
    },
    /// The probability matrix is empty or its data is not a multiple of K.
    #[error("probability matrix with {len} values cannot have {k} columns")]
    BadShape {
        /// Number of values given.
        len: usize,
        /// Number of columns asked for.
        k: usize,
    },
    /// Fewer than two classes.
    #[error("need at least 2 classes, got {k}")]
    TooFewClasses {
        /// Number of classes.
        k: usize,
    },
    /// More classes than an evaluation handles (its K×K matrices).
    #[error(
        "{k} classes: an evaluation holds K×K matrices ({needed_gib:.1} GiB for K = {k}); at most {max} classes are accepted"
    )]
    TooManyClasses {
        /// Number of classes.
        k: usize,
        /// The limit.
        max: usize,
        /// Memory the K×K matrices would take, GiB.
        needed_gib: f64,
    },
    /// No samples at all.
    #[error("no samples")]
    Empty,
    /// A value is NaN or infinite.
    #[error("row {row}, column {col}: value {value} is not finite")]
    NotFinite {
        /// Zero-based sample index.
        row: usize,
        /// Zero-based class index.
        col: usize,
        /// The value.
        value: f64,
    },
    /// A probability is negative.
    #[error("row {row}, column {col}: probability {value} is negative")]
    Negative {
        /// Zero-based sample index.
        row: usize,
        /// Zero-based class index.
        col: usize,
        /// The value.
        value: f64,
    },
    /// A row of probabilities does not sum to 1 within the tolerance.
    #[error("row {row}: probabilities sum to {sum}, not 1 (tolerance {tolerance:e})")]
    RowSum {
        /// Zero-based sample index.
        row: usize,
        /// The row's sum.
        sum: f64,
        /// The tolerance that was applied.
        tolerance: f64,
    },
    /// A label is not a valid class index.
    #[error("sample {row}: label {label} is not a class index below {k}")]
    LabelOutOfRange {
        /// Zero-based sample index.
        row: usize,
        /// The label.
        label: usize,
        /// Number of classes.
        k: usize,
    },
    /// Every given label is the same class: confident learning compares
    /// classes and needs at least two among the labels.
    #[error(
        "every label is class {class}: confident learning needs examples of at least 2 classes"
    )]
    SingleLabelledClass {
        /// The only class given.
        class: usize,
    },
    /// A class has fewer samples than cross-validation folds, so some
    /// fold would not contain it and its model could never predict it.
    #[error("class {class} has {count} sample{}, fewer than the {folds} folds; use fewer folds, or add samples of that class", if *count == 1 { "" } else { "s" })]
    FewerSamplesThanFolds {
        /// The class index (the first such class).
        class: usize,
        /// Its samples.
        count: usize,
        /// Folds asked for.
        folds: usize,
    },
    /// A parameter is outside its domain.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A sample is too small for a test.
    #[error("{what} has {got} values; at least {min} are needed")]
    TooFewSamples {
        /// Which sample.
        what: &'static str,
        /// Its size.
        got: usize,
        /// The minimum.
        min: usize,
    },
    /// Two inputs that must have the same width do not.
    #[error("{what}: {expected} columns against {got}")]
    WidthMismatch {
        /// What was compared.
        what: &'static str,
        /// The first width.
        expected: usize,
        /// The second width.
        got: usize,
    },
}
