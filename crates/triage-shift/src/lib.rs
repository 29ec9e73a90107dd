//! Will it survive deployment: does the deployment (target) sample differ
//! from the training (source) sample, how, how much, and what are the
//! target's class priors — without target labels.
//!
//! [`analyze`] takes one [`Side`] per sample (a model's predictions, its
//! embeddings, or both) and runs every test the inputs allow, with the
//! statistics of `triage_stats::shift`:
//!
//! | question | test | needs |
//! |---|---|---|
//! | do the images look different | per image property of the profile: two-sample KS (Bonferroni over the properties), Wasserstein-1, standardised mean difference, overlaid histograms; the drift in plain words | datasets |
//! | covariate shift in the representation | unbiased MMD², Gaussian kernel, median heuristic, permutation test | embeddings |
//! | can a classifier tell the sides apart | classifier two-sample test: cross-fitted logistic regression, held-out AUC with DeLong's interval, binomial test | embeddings |
//! | covariate shift seen by the model | BBSD: KS per softmax output (Bonferroni) and χ² on predicted labels | predictions |
//! | label shift | BBSE and MLLS/EM with bias-corrected temperature scaling, likelihood-ratio test, bootstrap intervals, prior-corrected predictions | labelled source predictions, target predictions |
//!
//! The covariate tests form one family: each is judged at α divided by the
//! number that ran (Bonferroni), so running more tests does not multiply
//! false alarms. Every p-value comes with its effect size, and a
//! significant but negligible effect (large n) is named in the verdict.
//! The result is the `triage-shift` document ([`triage_docs::shift`]).
//!
//! | module | holds |
//! |---|---|
//! | [`inputs`] | the two sides and reading them from files |
//! | [`images`] | a seeded sample of a dataset's images, measured |
//! | `properties` | image-property drift |
//! | `analysis` | [`analyze`]: the tests, their family and the document |
//! | `label` | the label-shift section |
//! | `verdict` | the overall answer and the negligible-effect thresholds |

pub mod images;
pub mod inputs;

mod analysis;
mod error;
mod label;
mod properties;
mod verdict;

pub use analysis::{analyze, Analysis, ShiftOptions, Tests, LABEL_SHIFT_ASSUMPTION, MIN_ITEMS};
pub use error::ShiftError;
pub use images::SampleOptions;
pub use inputs::{EmbeddingSide, Side};
pub use label::SMALL_SIGMA_FRACTION;
pub use properties::{BINS, NEGLIGIBLE_SMD};
pub use verdict::{NEGLIGIBLE_AUC, NEGLIGIBLE_PRIOR, NEGLIGIBLE_V};
