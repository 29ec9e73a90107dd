//! One module per subcommand; each exposes `run(&Args) -> Result<ExitCode>`.

pub mod evaluate;

/// A hint for errors whose fix is known, printed after the error.
pub fn hint_for(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        cause
            .downcast_ref::<triage_data::PredictionsError>()
            .and_then(|e| e.hint().map(str::to_string))
    })
}
