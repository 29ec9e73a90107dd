//! `triage label-issues`: confident learning on a predictions file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_data::predictions::in_sample::in_sample;
use triage_data::Predictions;
use triage_docs::label_issues::LabelIssuesDoc;
use triage_stats::label_issues::{label_issues_document, LabelIssuesParams, LabeledPredictions};

use crate::args::LabelIssuesArgs;

/// Issues shown in the terminal summary.
const SHOWN: usize = 20;

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
    let mut out = crate::stdout::stdout();
    if args.json {
        serde_json::to_writer(&mut out, &doc).context("failed to write JSON")?;
        writeln!(out).context("failed to write JSON")?;
    } else {
        write_summary(&mut out, &doc, &predictions).context("failed to write the summary")?;
    }
    out.flush().context("failed to write output")?;
    let findings = crate::commands::fail_on::label_issues_findings(&predictions.source, &doc);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}

/// The terminal summary.
fn write_summary(
    out: &mut impl Write,
    doc: &LabelIssuesDoc,
    predictions: &Predictions,
) -> std::io::Result<()> {
    let name = |c: usize| safe(&doc.classes[c]).into_owned();
    writeln!(out, "triage label-issues: {}", safe(&doc.source))?;
    writeln!(
        out,
        "n = {} samples, K = {} classes",
        doc.n,
        doc.classes.len()
    )?;
    writeln!(out)?;
    let share = |x: usize| 100.0 * x as f64 / doc.n.max(1) as f64;
    writeln!(
        out,
        "estimated label errors   {:>8} ({:.2} %; calibrated estimate {}, {:.2} %)",
        doc.num_label_issues,
        share(doc.num_label_issues),
        doc.num_label_issues_calibrated,
        share(doc.num_label_issues_calibrated)
    )?;
    writeln!(
        out,
        "flagged ({})  {:>8} ({:.2} %)",
        doc.settings.filter_by,
        doc.issues,
        share(doc.issues)
    )?;
    // The largest off-diagonal noise rates: which labels are confused.
    let mut rates: Vec<(f64, usize, usize)> = Vec::new();
    for (given, row) in doc.noise_matrix.iter().enumerate() {
        for (truth, &p) in row.iter().enumerate() {
            if given != truth && p > 0.0 {
                rates.push((p, given, truth));
            }
        }
    }
    rates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    if !rates.is_empty() {
        writeln!(out)?;
        writeln!(out, "largest noise rates P(given | true):")?;
        for (p, given, truth) in rates.iter().take(5) {
            writeln!(
                out,
                "  true {} labelled {}: {:.4}",
                name(*truth),
                name(*given),
                p
            )?;
        }
    }
    if !doc.listed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "worst {} (ranked by {}):",
            doc.listed.len().min(SHOWN),
            doc.settings.rank_by
        )?;
        writeln!(
            out,
            "{:>5}  {:<30} {:<14} {:<14} {:>8}",
            "rank", "id", "given", "suggested", "p(given)"
        )?;
        for issue in doc.listed.iter().take(SHOWN) {
            writeln!(
                out,
                "{:>5}  {:<30} {:<14} {:<14} {:>8.4}",
                issue.rank,
                safe(&predictions.ids[issue.row]),
                name(issue.given),
                name(issue.suggested),
                issue.self_confidence
            )?;
        }
    }
    if doc.in_sample.is_some() {
        writeln!(out)?;
        writeln!(
            out,
            "warning: in-sample predictions (see stderr); the counts above are too low"
        )?;
    }
    Ok(())
}
