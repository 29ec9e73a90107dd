//! Classification metrics, calibration and bootstrap intervals for triage.
//!
//! Pure Rust, `f64` throughout, no I/O. Definitions follow scikit-learn's
//! `sklearn.metrics` (names, argument order, tie handling); golden tests
//! compare every value with scikit-learn to a relative 1e-10.
//!
//! Undefined metric values are never silently replaced: they are
//! [`Metric::Undefined`] with the reason (scikit-learn returns NaN with a
//! warning in the same cases).

#![deny(missing_docs)]

pub mod agreement;
pub mod bayes;
pub mod bootstrap;
pub mod calibration;
pub mod compare;
pub mod confusion;
pub mod error;
pub mod evaluation;
pub mod intervals;
pub mod key_sort;
pub mod label_issues;
pub mod leakage;
pub mod metric;
pub mod multiclass;
pub mod precision_recall;
pub mod proba;
pub mod probabilistic;
pub mod ranking;
pub mod roc;
pub mod shift;
pub mod stratify;
pub mod student_t;
pub mod temperature;

pub use error::StatsError;
pub use metric::Metric;
pub use proba::ProbMatrix;
