//! Exact k-nearest neighbours for triage: no I/O, `f32` storage, `f64`
//! answers.
//!
//! [`search`] finds the k nearest reference points of each query,
//! [`search_within`] the k nearest other points of each point of one set
//! (leave-one-out), for the squared Euclidean or the cosine distance
//! ([`Distance`]). Candidates come from blocked `f32` matrix products (the
//! `gemm` crate, one block per thread); the answer is ranked by exact `f64`
//! distances, with equal distances in index order, so it equals a
//! brute-force search bit for bit on every machine and thread count. It is
//! reused by the near-duplicate stage of `triage profile`, and is meant for
//! the Bayes-error, shift and labelling diagnostics.
//!
//! ```
//! use triage_knn::{search, KnnParams, Distance, Points};
//!
//! let reference = [0.0f32, 0.0, 1.0, 0.0, 5.0, 5.0];
//! let queries = [0.9f32, 0.1];
//! let settings = KnnParams { k: 2, metric: Distance::SquaredEuclidean, ..Default::default() }
//!     .check()
//!     .unwrap();
//! let nn = search(Points::new(&reference, 2).unwrap(), Points::new(&queries, 2).unwrap(), &settings)
//!     .unwrap();
//! assert_eq!(nn.indices(0), &[1, 0]);
//! ```

#![deny(missing_docs)]

mod candidates;
pub mod distance;
pub mod error;
pub mod mst;
pub mod points;
pub mod search;
pub mod shard;

pub use distance::Distance;
pub use error::KnnError;
pub use points::Points;
pub use search::{search, search_within, KnnParams, KnnSettings, Neighbors};
