//! Every terminal summary triage prints, in one place: of a report (the
//! path and the top findings), an evaluation, a dataset profile, a
//! label-issues run, a shift analysis and a Bayes-error estimate. Plain text on the writer given; every outside string
//! (file, class and id names) goes through
//! [`triage_data::escape::terminal_safe`].

mod bayes;
mod compare;
mod evaluation;
pub(crate) mod human;
mod label_issues;
pub(crate) mod lint;
mod profile;
mod report;
mod shift;
pub(crate) mod sweep;

pub use bayes::write_bayes_summary;
pub use compare::write_compare_summary;
pub use evaluation::write_evaluation_summary;
pub use human::write_human_summary;
pub use label_issues::write_label_issues_summary;
pub use lint::write_lint_summary;
pub use profile::write_profile_summary;
pub use report::{write_report_summary, TERMINAL_FINDINGS};
pub use shift::write_shift_summary;
pub use sweep::write_sweep_summary;
