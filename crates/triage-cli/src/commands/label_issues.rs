//! `triage label-issues`: confident learning on a predictions file.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_data::Predictions;
use triage_docs::label_issues::{
    InSample, LabelIssue, LabelIssuesDoc, LabelIssuesUsed, LABEL_ISSUES_FORMAT,
    LABEL_ISSUES_VERSION,
};
use triage_docs::predict::PredictDoc;
use triage_docs::run::RunMeta;
use triage_stats::label_issues::{find_label_issues, LabelIssuesParams};

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
    let found = find_label_issues(&predictions.labels, &predictions.proba, &settings)
        .with_context(|| {
            format!(
                "cannot look for label issues in `{}`",
                args.input.predictions.display()
            )
        })?;
    let in_sample = in_sample(&args.input.predictions);
    let params = settings.params();
    let doc = LabelIssuesDoc {
        format: LABEL_ISSUES_FORMAT.into(),
        version: LABEL_ISSUES_VERSION,
        source: predictions.source.display().to_string(),
        n: predictions.len(),
        classes: predictions.classes.clone(),
        settings: LabelIssuesUsed {
            filter_by: params.filter_by.to_string(),
            rank_by: params.rank_by.to_string(),
            frac_noise: params.frac_noise,
            min_examples_per_class: params.min_examples_per_class,
        },
        in_sample,
        label_counts: found.label_counts.clone(),
        thresholds: found.thresholds.clone(),
        confident_joint: found.calibrated_confident_joint.clone(),
        noise_matrix: found.noise_matrix.clone(),
        inverse_noise_matrix: found.inverse_noise_matrix.clone(),
        true_label_prior: found.true_label_prior.clone(),
        num_label_issues: found.num_label_issues,
        num_label_issues_calibrated: found.num_label_issues_calibrated,
        issues: found.n_issues(),
        listed: found
            .ranked
            .iter()
            .take(args.max_listed)
            .enumerate()
            .map(|(r, &row)| LabelIssue {
                rank: r + 1,
                row,
                id: predictions.ids[row].clone(),
                given: predictions.labels[row],
                suggested: found.suggested_label[row],
                self_confidence: found.self_confidence[row],
                normalized_margin: found.normalized_margin[row],
            })
            .collect(),
    };
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

/// Whether `predict.json` beside the predictions says that the model saw
/// these items: it predicted every item, or the train split, of the data
/// its run trained on.
fn in_sample(predictions: &Path) -> Option<InSample> {
    let dir = if predictions.is_dir() {
        predictions
    } else {
        predictions.parent()?
    };
    let text = std::fs::read_to_string(dir.join("predict.json")).ok()?;
    let predict: PredictDoc = triage_docs::read_str(&text).ok()?;
    let covers_train = match predict.split.as_deref() {
        None => "every item",
        Some("train") => "the train split",
        Some(_) => return None,
    };
    let run_json = Path::new(&predict.run).join("run.json");
    let trained_on = std::fs::read_to_string(&run_json)
        .ok()
        .and_then(|t| triage_docs::read_str::<RunMeta>(&t).ok())
        .map(|m| m.data);
    match trained_on {
        Some(data) if !same_data(&data, &predict.data) => None,
        _ => Some(InSample {
            run: predict.run.clone(),
            reason: format!(
                "predict.json: run `{}` predicted {covers_train} of `{}`, the data it trained on",
                predict.run, predict.data
            ),
        }),
    }
}

/// Whether two spellings of a dataset path name the same data: equal
/// canonical paths when both exist (`ds`, `./ds/`, `/abs/ds`, a link),
/// else equal paths after dropping `.` components and trailing slashes.
fn same_data(a: &str, b: &str) -> bool {
    let (pa, pb) = (Path::new(a), Path::new(b));
    if let (Ok(ca), Ok(cb)) = (pa.canonicalize(), pb.canonicalize()) {
        return ca == cb;
    }
    let lexical = |p: &Path| -> std::path::PathBuf {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    lexical(pa) == lexical(pb)
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
