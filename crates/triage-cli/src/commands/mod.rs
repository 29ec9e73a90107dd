//! One module per subcommand; each exposes `run(&Args) -> Result<ExitCode>`.

pub mod evaluate;
pub mod profile;
pub mod progress;
pub mod report;
pub mod split;
pub mod synth;

/// A hint for errors whose fix is known, printed after the error.
pub fn hint_for(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        let predictions = cause.downcast_ref::<triage_data::PredictionsError>();
        let dataset = cause.downcast_ref::<triage_data::dataset::DatasetError>();
        let report = cause.downcast_ref::<triage_report::ReportError>();
        predictions
            .and_then(|e| e.hint())
            .or_else(|| dataset.and_then(|e| e.hint()))
            .or_else(|| report.and_then(|e| e.hint()))
            .map(str::to_string)
    })
}
