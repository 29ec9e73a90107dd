//! Blind human labelling: `triage label serve`, a local web app (axum +
//! SQLite) that shows one image at a time and records what a person says
//! it is — without ever sending the browser the dataset's label, a
//! model's prediction, the class folder or the file name.
//!
//! - [`sample`]: the seeded sample, re-encoded as PNG under random opaque
//!   ids, and each annotator's own order;
//! - [`store`]: the SQLite database (WAL, synchronous = FULL; answers are
//!   on disk before they are acknowledged, a retried request is stored
//!   once);
//! - [`session`]: validation of every request against the sample;
//! - [`server`]: the routes and the page.

#![deny(missing_docs)]

pub mod corrections;
pub mod error;
pub mod queue;
pub mod report;
pub mod review;
pub mod sample;
pub mod server;
pub mod session;
pub mod store;

pub use error::LabelError;
pub use session::{Session, SessionSpec};
