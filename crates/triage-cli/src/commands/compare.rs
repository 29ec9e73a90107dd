//! `triage compare A B [C …]`: is one model really better than another on
//! the same items ([`triage_stats::compare`]).

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use triage_data::predictions::align::align;
use triage_data::{read_predictions, ReadOptions};
use triage_stats::compare::analysis::{compare_models, CompareOptions};
use triage_stats::compare::paired::PairedOptions;

use crate::compare_args::CompareArgs;

/// Run `triage compare`.
pub fn run(args: &CompareArgs) -> Result<ExitCode> {
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail!("--alpha {}: give a level in (0, 1), e.g. 0.05", args.alpha);
    }
    if args.bootstrap == 0 {
        bail!("--bootstrap 0: give at least 1 resample (2000 by default)");
    }
    let options = ReadOptions {
        logits: args.logits,
        renormalize: args.renormalize,
        ..ReadOptions::default()
    };
    let files = args
        .files
        .iter()
        .map(|p| read_predictions(p, &options))
        .collect::<Result<Vec<_>, _>>()?;
    let aligned = align(&files)?;
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let doc = compare_models(
        &names,
        &aligned.labels,
        &aligned.classes,
        &aligned.proba,
        &CompareOptions {
            alpha: args.alpha,
            bootstrap: PairedOptions {
                resamples: args.bootstrap,
                seed: args.seed,
                confidence: 0.95,
            },
        },
    )
    .context("comparing the models")?;
    if let Some(out) = &args.out {
        triage_data::output::check_not_an_input(out, args.files.iter().map(|p| p.as_path()))?;
        triage_data::output::write_atomic(out, serde_json::to_string_pretty(&doc)?.as_bytes())
            .with_context(|| format!("failed to write `{}`", out.display()))?;
    }
    crate::stdout::print_document(&doc, args.json, true, |out| {
        triage_report::terminal::write_compare_summary(out, &doc)
    })?;
    let findings = triage_report::findings::comparison::compare_findings(&doc, None);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}
