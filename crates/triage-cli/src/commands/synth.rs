//! `triage synth`: generate a deterministic synthetic dataset.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use triage_data::output_folder::{OutputFolder, Previous};
use triage_synth::{generate, synth_doc, Domain, ImageFormat, SynthConfig};

use crate::args::{DomainArg, FormatArg, SynthArgs};

/// Run `triage synth`.
pub fn run(args: &SynthArgs) -> Result<ExitCode> {
    let config = SynthConfig {
        classes: args.classes,
        per_class: args.per_class,
        seed: args.seed,
        size: args.size,
        imbalance: args.imbalance,
        label_noise: args.label_noise,
        domain: match args.domain {
            DomainArg::Clean => Domain::Clean,
            DomainArg::RealLike => Domain::RealLike,
        },
        format: match args.format {
            FormatArg::Png => ImageFormat::Png,
            FormatArg::Jpeg => ImageFormat::Jpeg {
                quality: args.jpeg_quality,
            },
        },
        val_fraction: args.val,
        test_fraction: args.test,
    };
    // Settings first: a typo fails before the folder is touched.
    config.validate().map_err(triage_synth::SynthError::from)?;
    let folder = OutputFolder::claim(&args.out, "synth", Previous::Replace)?;
    let summary = generate(&config, &args.out)
        .with_context(|| format!("failed to generate `{}`", args.out.display()))?;
    folder.finish()?;
    let mut out = crate::stdout::stdout();
    if args.json {
        serde_json::to_writer(&mut out, &synth_doc(&config, &summary))?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "wrote {} images to {}",
            summary.files,
            args.out.display()
        )?;
        for (name, counts) in summary.classes.iter().zip(&summary.counts) {
            writeln!(
                out,
                "  {name:<12} {:>6} (train {}, val {}, test {})",
                counts.total(),
                counts.train,
                counts.val,
                counts.test
            )?;
        }
        writeln!(
            out,
            "labels changed by noise: {}; Bayes error of the written labels: {:.4}",
            summary.flipped, summary.bayes_error
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
