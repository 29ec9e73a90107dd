//! `triage label-issues`: confident learning on a predictions file.

use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_data::predictions::in_sample::in_sample;
use triage_report::terminal::write_label_issues_summary;
use triage_stats::label_issues::{label_issues_document, LabelIssuesParams, LabeledPredictions};

use crate::args::LabelIssuesArgs;

/// Run `triage label-issues`.
pub fn run(args: &LabelIssuesArgs) -> Result<ExitCode> {
    let settings = LabelIssuesParams {
        filter_by: args.filter_by.parse().context("invalid --filter-by")?,
        rank_by: args.rank_by.parse().context("invalid --rank-by")?,
        frac_noise: args.frac_noise,
        min_examples_per_class: args.min_examples_per_class,
        converge_latent_estimates: false,
    }
    .check()
    .context("invalid label-issues settings")?;
    let predictions = crate::commands::read_predictions(&args.input)?;
    let source = predictions.source.display().to_string();
    let input = LabeledPredictions {
        source: &source,
        classes: &predictions.classes,
        ids: &predictions.ids,
        labels: &predictions.labels,
        proba: &predictions.proba,
    };
    let doc = label_issues_document(
        &input,
        &settings,
        args.max_listed,
        in_sample(&args.input.predictions),
    )
    .with_context(|| {
        format!(
            "cannot look for label issues in `{}`",
            args.input.predictions.display()
        )
    })?;
    if let Some(warn) = &doc.in_sample {
        eprintln!(
            "triage: warning: these predictions look in-sample ({}); confident learning then \
             finds too few issues. Predict with a model that did not train on these items \
             (a held-out split, or cross-validation).",
            safe(&warn.reason)
        );
    }
    crate::stdout::print_document(&doc, args.json, false, |out| {
        write_label_issues_summary(out, &doc)
    })?;
    let findings = crate::commands::fail_on::label_issues_findings(&predictions.source, &doc);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}
