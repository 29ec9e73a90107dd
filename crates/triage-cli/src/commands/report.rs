//! `triage report`: the whole diagnosis as one HTML page.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::output::{check_not_an_input, write_atomic};
use triage_data::output_folder::{claim_file, record_file};
use triage_report::terminal::write_report_summary;
use triage_report::{build_report, load_inputs, render_html, InputSpec, ReportOptions};

use crate::args::ReportArgs;

/// Run `triage report`.
pub fn run(args: &ReportArgs) -> Result<ExitCode> {
    let specs: Vec<InputSpec> = args.inputs.iter().map(|s| InputSpec::parse(s)).collect();
    let predictions: Vec<InputSpec> = args
        .predictions
        .iter()
        .map(|s| InputSpec::parse(s))
        .collect();
    let inputs = load_inputs(&specs, &predictions).context("failed to read the report inputs")?;
    let options = ReportOptions {
        title: args.title.clone(),
        top_losses: args.top_losses,
        confused_pairs: args.confused_pairs,
        leak_pairs: args.leak_pairs,
        ..ReportOptions::default()
    };
    let read = inputs.files();
    check_not_an_input(&args.out, read.iter().map(PathBuf::as_path))?;
    claim_file(&args.out, "report")?;
    let report = build_report(&inputs, &options).context("failed to build the report")?;
    let html = render_html(&report);
    write_atomic(&args.out, html.as_bytes())
        .with_context(|| format!("failed to write the report to `{}`", args.out.display()))?;
    record_file(&args.out, "report")?;
    crate::stdout::print_document(&report, args.json, false, |out| {
        write_report_summary(out, &report, &args.out, html.len())
    })?;
    let findings = triage_report::findings::run_rules(&inputs);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}
