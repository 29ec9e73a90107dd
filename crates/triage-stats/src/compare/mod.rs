//! Is one model really better than another: paired comparisons of two
//! models' predictions on the same items ([`paired`]: McNemar's test is
//! [`crate::agreement::mcnemar`]; paired bootstrap intervals of metric
//! differences; [`delong`]: DeLong's test of two correlated AUCs), tests
//! between configurations trained with several seeds or by 5×2
//! cross-validation ([`hypothesis`]: Welch's t, Dietterich's 5×2cv t,
//! Alpaydın's combined F, Holm's correction), and the sample size a
//! difference would need ([`hypothesis::mcnemar_sample_size`]).

pub mod analysis;
pub mod configs;
pub mod delong;
pub mod hypothesis;
pub mod paired;
