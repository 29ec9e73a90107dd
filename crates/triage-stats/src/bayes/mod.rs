//! Bayes-error estimators: how low can the error of any classifier go on
//! this data (Cover & Hart 1967; Renggli et al., FeeBee, arXiv 2108.13034;
//! Ishida et al., ICLR 2023).
//!
//! - [`bounds`]: the Cover–Hart inverse and FeeBee's lower bounds from a
//!   k-NN error.
//! - [`knn`]: the k-NN error of neighbour lists (majority vote), and
//!   1NN-kNN (the 1-NN error estimated from the class mix of k
//!   neighbourhoods).
//! - [`extrapolate`]: kNN-Extrapolate, the 1-NN error fitted over nested
//!   subsets and extrapolated to infinitely many samples.
//! - [`ghp`]: the generalised Henze–Penrose bounds from the edges of a
//!   Euclidean minimum spanning tree (the tree itself is
//!   `triage_knn::mst`).
//! - [`soft_label`]: the direct estimator from soft labels (binary), and
//!   the multiclass plug-in (human disagreement).
//! - [`noise`]: uniform label noise and FeeBee's feasible band, the
//!   estimators' self-check.
//!
//! Every function is pure and deterministic for a given seed; neighbour
//! lists and trees come from the caller.

pub mod bounds;
pub mod extrapolate;
pub mod ghp;
pub mod knn;
pub mod noise;
pub mod soft_label;

/// An estimate with its interval at the caller's confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

impl Estimate {
    /// Map value and interval through a non-decreasing function (a lower
    /// bound computed from an upper estimate keeps the interval's
    /// coverage).
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            value: f(self.value),
            low: f(self.low),
            high: f(self.high),
        }
    }
}

/// An upper estimate of the Bayes error and the lower bound computed from
/// it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bracket {
    /// The upper estimate (an error some classifier reaches).
    pub upper: Estimate,
    /// The lower bound.
    pub lower: Estimate,
}
