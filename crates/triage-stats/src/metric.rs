//! A metric value that may be undefined, with the reason.

use serde::Serialize;

/// The value of a metric, or why it has none.
///
/// scikit-learn returns NaN and emits an `UndefinedMetricWarning` where this
/// returns [`Metric::Undefined`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Metric {
    /// A defined value.
    Value(f64),
    /// The metric is undefined for this input.
    Undefined {
        /// Why, in words (e.g. "class 3 has no positive samples").
        reason: String,
    },
}

impl Metric {
    /// An undefined metric with the given reason.
    pub fn undefined(reason: impl Into<String>) -> Self {
        Metric::Undefined {
            reason: reason.into(),
        }
    }

    /// The value, if defined.
    pub fn value(&self) -> Option<f64> {
        match self {
            Metric::Value(v) => Some(*v),
            Metric::Undefined { .. } => None,
        }
    }

    /// The reason, if undefined.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Metric::Value(_) => None,
            Metric::Undefined { reason } => Some(reason),
        }
    }

    /// The value, or NaN when undefined (for numeric pipelines only).
    pub fn or_nan(&self) -> f64 {
        self.value().unwrap_or(f64::NAN)
    }
}

impl From<f64> for Metric {
    fn from(v: f64) -> Self {
        Metric::Value(v)
    }
}
