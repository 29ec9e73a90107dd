//! The synthetic dataset generator (`triage synth`): labelled images of
//! simple figures with known properties (class balance, label noise and so
//! the Bayes error, synthetic or real-like look), to test classifiers and
//! the diagnostics themselves.
//!
//! # Brief overview
//!
//! - **Classes.** Up to 26, in a fixed order ([`CLASS_NAMES`]): the shapes
//!   circle, square, triangle, star, ring, cross, hexagon, arrow and heart,
//!   then letters `glyph_A` … `glyph_R` (no O) of a built-in stroke font.
//!   Clean classes are separable by shape.
//! - **Samples.** Every image is drawn from its own Xoshiro256++ stream,
//!   seeded from `(seed, class, index)` by SplitMix64 mixing: random scale
//!   (0.45–0.8 of the side), position (figure kept inside), rotation (any
//!   angle for shapes, ±15° for letters) and colours (luma contrast ≥ 60).
//!   Figures are signed-distance functions rendered with 4 × 4
//!   supersampling. See [`render`].
//! - **Looks.** [`Domain::Clean`] is flat; [`Domain::RealLike`] adds
//!   texture, lighting, colour cast, blur, sensor noise and JPEG artefacts.
//! - **Labels.** Geometric class imbalance, label noise (replacement by a
//!   uniform draw over all K classes with probability ρ, so the Bayes error
//!   is ρ(K−1)/K), splits stratified by the clean label. See
//!   [`SynthConfig`].
//! - **Output.** ImageFolder layout plus `manifest.csv` and `synth.json`,
//!   byte-identical for the same config whatever the thread count. See
//!   [`generate`]. Reproducibility is per platform and
//!   [`GENERATOR_VERSION`]: the drawing uses the platform's `sin`, `cos`
//!   and `ln`, and the JPEG codec may pick SIMD paths by CPU.
//!
//! # Example
//!
//! ```
//! use triage_synth::{generate, Domain, SynthConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let config = SynthConfig {
//!     classes: 4,
//!     per_class: 10,
//!     imbalance: 5.0,
//!     label_noise: 0.1,
//!     domain: Domain::RealLike,
//!     test_fraction: 0.2,
//!     ..Default::default()
//! };
//! let summary = generate(&config, &dir.path().join("data"))?;
//! assert_eq!(config.class_counts(), [10, 6, 3, 2]);
//! assert_eq!(summary.files, 21);
//! assert!((summary.bayes_error - 0.075).abs() < 1e-12);
//! # Ok(()) }
//! ```

mod codec;
mod config;
mod error;
mod figure;
mod generate;
mod glyph;
mod plan;
mod real_like;
mod render;
mod rng;
mod sdf;
mod summary;

pub use config::class_names;
pub use error::SynthError;
pub use figure::CLASS_NAMES;
pub use generate::{generate, synth_doc, GENERATOR_VERSION};
pub use render::render;
pub use summary::SynthSummary;
// Defined with the document in triage-docs (named here for the callers
// of the generator).
pub use triage_docs::synth::{
    ClassCounts, ClassSplitCounts, Domain, ImageFormat, LabelNoise, SynthConfig, SynthDoc,
    MAX_CLASSES, MAX_PER_CLASS, MAX_SIZE, MIN_SIZE, SYNTH_FORMAT, SYNTH_VERSION,
};
