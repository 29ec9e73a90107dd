//! `triage shift --source VAL_PREDICTIONS --target DEPLOYMENT_PREDICTIONS
//! [--source-embeddings E --target-embeddings E]`: will the model survive
//! deployment ([`triage_shift::analyze`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::output::check_not_an_input;
use triage_data::output_folder::{claim_file, record_file};
use triage_data::predictions::{write_predictions_csv, PredictionRow};
use triage_report::inputs::NamedShift;
use triage_report::terminal::write_shift_summary;
use triage_report::ReportInputs;
use triage_shift::images::sample_images;
use triage_shift::{analyze, Side};

use crate::commands::progress::Bars;
use crate::shift_args::ShiftArgs;

/// Run `triage shift`.
pub fn run(args: &ShiftArgs) -> Result<ExitCode> {
    let read = |p: &Option<PathBuf>, e: &Option<PathBuf>, what: &str| {
        Side::read(p.as_deref(), e.as_deref()).with_context(|| format!("failed to read the {what}"))
    };
    let mut source = read(&args.source, &args.source_embeddings, "source")?;
    let mut target = read(&args.target, &args.target_embeddings, "target")?;
    let bars = Bars::new(!args.no_progress);
    for (side, data, salt) in [
        (&mut source, &args.source_data, 0),
        (&mut target, &args.target_data, 0x7A),
    ] {
        if let Some(data) = data {
            let sample = sample_images(data, &args.sample(salt), &bars);
            bars.clear();
            side.images = Some(sample?);
        }
    }
    let result = analyze(&source, &target, &args.options(), &bars);
    bars.clear();
    let mut analysis = result?;
    if let (Some(out), Some(adjusted), Some(tp)) =
        (&args.adjusted_out, &analysis.adjusted, &target.predictions)
    {
        let inputs = [
            &args.source,
            &args.target,
            &args.source_embeddings,
            &args.target_embeddings,
        ];
        check_not_an_input(out, inputs.into_iter().flatten().map(PathBuf::as_path))?;
        claim_file(out, "shift")?;
        let rows = (0..tp.len()).map(|i| PredictionRow {
            id: &tp.ids[i],
            label: tp.labelled.then(|| tp.labels[i]),
            path: tp.paths.as_ref().map_or("", |p| p[i].as_str()),
            probs: adjusted.row(i),
        });
        write_predictions_csv(out, &tp.classes, rows)
            .with_context(|| format!("failed to write `{}`", out.display()))?;
        record_file(out, "shift")?;
        if let Some(l) = analysis.doc.label_shift.as_mut() {
            l.adjusted_predictions = Some(out.display().to_string());
        }
    }
    let doc = analysis.doc;
    crate::stdout::print_document(&doc, args.json, true, |out| write_shift_summary(out, &doc))?;
    let inputs = ReportInputs {
        shifts: vec![NamedShift {
            name: "shift".into(),
            path: PathBuf::new(),
            doc,
        }],
        ..ReportInputs::default()
    };
    let findings = triage_report::findings::run_rules(&inputs);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}
