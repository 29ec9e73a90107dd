//! Ablation sweeps: a plan of configurations × seeds (or 5×2
//! cross-validation) read and checked ([`plan`]), its tasks laid out in a
//! shared output folder that any worker can resume ([`layout`]), the
//! halves of 5×2cv ([`cv`]), the Slurm job array and Kubernetes Indexed
//! Job that run the tasks on a cluster ([`emit`]), and the collection of
//! finished tasks into the `triage-sweep` document ([`collect`]).
//!
//! Training itself is not here (this crate has no framework): the CLI's
//! `triage sweep run-task` trains one task with triage-nn.

pub mod collect;
pub mod cv;
pub mod emit;
pub mod error;
pub mod layout;
pub mod plan;

pub use error::SweepError;
pub use plan::{Config, Plan, PlanRules, Task};
