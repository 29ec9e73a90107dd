//! One module per subcommand; each exposes `run(&Args) -> Result<ExitCode>`.

pub mod bayes;
pub mod compare;
pub mod demo;
pub mod evaluate;
pub mod fail_on;
pub mod knn;
pub mod label;
pub mod label_issues;
pub mod lint;
pub mod lr_find;
pub mod predict;
pub mod profile;
pub mod progress;
pub mod report;
pub mod shift;
pub mod split;
pub mod sweep;
pub mod synth;
pub mod train;

/// Read the predictions named on the command line.
///
/// # Errors
/// The file cannot be read or is not a valid predictions file (the error
/// names it).
pub fn read_predictions(
    input: &crate::args::PredictionsInput,
) -> anyhow::Result<triage_data::Predictions> {
    use anyhow::Context;
    let options = triage_data::ReadOptions {
        logits: input.logits,
        renormalize: input.renormalize,
        labels_path: input.labels.clone(),
        class_names: input.class_names.clone(),
        unlabelled: false,
    };
    triage_data::read_predictions(&input.predictions, &options).with_context(|| {
        format!(
            "failed to read predictions from `{}`",
            input.predictions.display()
        )
    })
}

/// A hint for errors whose fix is known, printed after the error.
pub fn hint_for(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        let predictions = cause.downcast_ref::<triage_data::PredictionsError>();
        let dataset = cause.downcast_ref::<triage_data::dataset::DatasetError>();
        let report = cause.downcast_ref::<triage_report::ReportError>();
        if let Some(label) = cause.downcast_ref::<triage_label::LabelError>() {
            return label.hint().map(str::to_string);
        }
        if let Some(lint) = cause.downcast_ref::<triage_lint::LintError>() {
            return lint.hint().map(str::to_string);
        }
        if let Some(bayes) = cause.downcast_ref::<triage_bayes::BayesError>() {
            return bayes.hint().map(str::to_string);
        }
        if let Some(memory) = cause.downcast_ref::<triage_data::memory::TooLarge>() {
            return Some(memory.hint().to_string());
        }
        if let Some(overwrite) = cause.downcast_ref::<triage_data::output::OverwriteError>() {
            return Some(overwrite.hint().to_string());
        }
        if let Some(output) = cause.downcast_ref::<triage_data::output_folder::OutputError>() {
            return output.hint().map(str::to_string);
        }
        if let Some(nn) = cause.downcast_ref::<triage_nn::NnError>() {
            return nn_hint(nn).map(str::to_string);
        }
        predictions
            .and_then(|e| e.hint())
            .or_else(|| dataset.and_then(|e| e.hint()))
            .or_else(|| report.and_then(|e| e.hint()))
            .map(str::to_string)
    })
}

/// A hint for training errors.
fn nn_hint(err: &triage_nn::NnError) -> Option<&'static str> {
    use triage_nn::NnError;
    match err {
        NnError::Diverged { .. } | NnError::DivergedOnValidation { .. } => Some(
            "lower the learning rate (try `triage lr-find` for a good one), or add a warmup (--schedule cosine / one-cycle)",
        ),
        NnError::Corrupt { .. } => Some("the run directory is damaged; train again with --force"),
        NnError::InvalidConfig { what: "output directory", .. } => None,
        NnError::InvalidConfig { .. } => Some("see `triage train --help` for the valid values"),
        _ => None,
    }
}
