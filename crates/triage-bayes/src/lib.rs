//! How good can it get: Bayes-error estimates for triage.
//!
//! The Bayes error is the error of the best possible classifier on the
//! data's distribution; no model, however tuned, goes below it. This
//! crate estimates it several ways, each with its interval and what it
//! assumes (formulas and references in `triage_stats::bayes`):
//!
//! - on each set of features — raw pixels of a dataset
//!   ([`features::pixels`]), embeddings from `triage predict` or any
//!   framework ([`features::embeddings`]) — the k-NN error (upper) with
//!   the Cover–Hart / Devroye lower bound, 1NN-kNN, kNN-Extrapolate and
//!   the GHP bounds on a minimum spanning tree, train → test or
//!   leave-one-out, for the squared Euclidean and the cosine distance;
//! - the tightest bracket over feature sets;
//! - from soft labels (annotation counts such as CIFAR-10H), Ishida et
//!   al.'s direct binary estimates and the multiclass plug-in (human
//!   disagreement);
//! - FeeBee's self-check: uniform label noise ρ and whether the estimates
//!   stay inside the feasible band.
//!
//! [`analyze`] returns the `triage-bayes` document
//! (`triage_docs::bayes::BayesDoc`).

#![deny(missing_docs)]

pub mod analysis;
pub mod error;
pub mod estimates;
pub mod features;
pub mod geometry;
pub mod soft_labels;

pub use analysis::{analyze, BayesInputs, BayesOptions};
pub use error::BayesError;
