//! `triage split`: a stratified, group-aware split written as a manifest.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use triage_data::dataset::{open_dataset, DatasetFormat, OpenOptions, Split};
use triage_data::split::{assign_splits, write_manifest, SplitConfig};

use crate::args::SplitArgs;

/// Run `triage split`.
pub fn run(args: &SplitArgs) -> Result<ExitCode> {
    let config = SplitConfig {
        val: args.val,
        test: args.test,
        seed: args.seed,
    };
    config.validate()?;
    let options = OpenOptions {
        group_column: args.group_column.clone(),
        ..OpenOptions::default()
    };
    let dataset = open_dataset(&args.data, &options)
        .with_context(|| format!("failed to open the dataset `{}`", args.data.display()))?;
    if args.group_column.is_some() && dataset.format != DatasetFormat::Manifest {
        bail!(
            "--group-column needs a CSV manifest; `{}` is not one",
            args.data.display()
        );
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.data));
    // Even with --force: the manifest read is not replaced by the one written.
    triage_data::output::check_not_an_input(&out, [args.data.as_path()])?;
    if out.exists() && !args.force {
        bail!(
            "`{}` exists; pass --force to replace it or --out to choose another file",
            out.display()
        );
    }
    // --force replaces only a manifest `triage split` wrote.
    triage_data::output_folder::claim_file(&out, "split")?;
    let labels: Vec<usize> = dataset.items.iter().map(|i| i.label).collect();
    let groups: Vec<Option<String>> = dataset.items.iter().map(|i| i.group.clone()).collect();
    let splits = assign_splits(&labels, &groups, &config)?;
    let rows: Vec<Option<Split>> = splits.iter().copied().map(Some).collect();
    write_manifest(&dataset, &rows, &out)?;
    triage_data::output_folder::record_file(&out, "split")?;
    let mut stdout = crate::stdout::stdout();
    let count = |s: Split| splits.iter().filter(|&&x| x == s).count();
    let n_groups = groups
        .iter()
        .flatten()
        .collect::<std::collections::HashSet<_>>()
        .len();
    eprintln!(
        "triage: wrote {} ({} train, {} val, {} test{})",
        triage_data::escape::terminal_safe(&out.display().to_string()),
        count(Split::Train),
        count(Split::Val),
        count(Split::Test),
        if n_groups > 0 {
            format!("; {n_groups} groups kept whole")
        } else {
            String::new()
        }
    );
    writeln!(stdout, "{}", out.display())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn default_out(data: &Path) -> PathBuf {
    if data.is_dir() {
        data.join("split.csv")
    } else {
        data.with_extension("split.csv")
    }
}
