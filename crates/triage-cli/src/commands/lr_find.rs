//! `triage lr-find DATA --model M --optimizer O --out DIR`: the
//! learning-rate range test ([`triage_nn::pipeline::lr_find_run`]).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use triage_nn::pipeline::lr_find_run::lr_find_run;

use crate::commands::progress::Bars;
use crate::train_args::LrFindArgs;

/// Run `triage lr-find`.
///
/// # Errors
///
/// Unreadable data, invalid settings, I/O errors.
pub fn run(args: &LrFindArgs) -> Result<ExitCode> {
    let plan = args.plan()?;
    let bars = Bars::new(!args.json);
    let result = lr_find_run(&plan, &bars);
    bars.clear();
    let (doc, csv_path) = result?;
    let mut out = crate::stdout::stdout();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let r = &doc.result;
        let fmt = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("{v:.3e}"));
        writeln!(
            out,
            "steps: {} of {}{}",
            r.points.len(),
            plan.config.steps,
            if r.diverged {
                " (stopped: smoothed loss > 4x its minimum)"
            } else {
                ""
            }
        )?;
        writeln!(out, "suggested lr (valley):   {}", fmt(r.valley))?;
        writeln!(out, "suggested lr (steepest): {}", fmt(r.steepest))?;
        writeln!(out, "curve: {}", csv_path.display())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
