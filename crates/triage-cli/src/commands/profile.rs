//! `triage profile`: what is in a dataset, and what is wrong with it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use std::sync::Arc;
use triage_data::cache::default_cache_dir;
use triage_data::escape::terminal_safe as safe;
use triage_profile::files::{profile_files, ProfileRun};

use triage_data::predictions::read_embeddings_with_ids;
use triage_profile::{DatasetProfile, NamedEmbeddings, ProfileOptions};
use triage_report::terminal::write_profile_summary;

use crate::args::ProfileArgs;
use crate::commands::progress::Bars;

/// Run `triage profile`.
pub fn run(args: &ProfileArgs) -> Result<ExitCode> {
    let profile = profile_of(args)?;
    let mismatches = &profile.extension_mismatches;
    let mut out = crate::stdout::stdout();
    if args.json {
        serde_json::to_writer(&mut out, &profile).context("failed to write JSON")?;
        writeln!(out).context("failed to write JSON")?;
    } else {
        write_profile_summary(&mut out, &profile).context("failed to write the summary")?;
        if !mismatches.is_empty() {
            writeln!(
                out,
                "\nfiles whose extension does not match their content: {}",
                mismatches.len()
            )?;
            for m in mismatches.iter().take(args.max_listed.min(10)) {
                writeln!(out, "  {}: {}", safe(&m.path), safe(&m.reason))?;
            }
        }
    }
    out.flush().context("failed to write output")?;
    let findings = crate::commands::fail_on::profile_findings(&args.data, &profile);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}

/// Profile the dataset of `args` (decoding through the cache unless
/// `--no-cache`).
///
/// # Errors
///
/// An unreadable dataset or a failing cache.
pub fn profile_of(args: &ProfileArgs) -> Result<DatasetProfile> {
    let embeddings = match &args.embeddings {
        Some(path) => {
            // The message only: the predictions reader's hint (about CSV
            // and NPZ predictions) does not apply to embeddings.
            let explain = |e: triage_data::PredictionsError| {
                anyhow::anyhow!(
                    "failed to read the embeddings `{}`: {e}; expected a 2-D float .npy (C order), \
                     one row per item in the dataset's order, as `triage predict` writes \
                     embeddings.npy, or a CSV `id,<features…>` with one row per item id",
                    path.display()
                )
            };
            let (matrix, ids) = read_embeddings_with_ids(path).map_err(explain)?;
            Some(Arc::new(NamedEmbeddings {
                name: path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                matrix,
                ids,
            }))
        }
        None => None,
    };
    let run = ProfileRun {
        max_pixels: args.max_pixels,
        options: ProfileOptions {
            near_duplicate_k: usize::from(args.near_k),
            embeddings,
            max_listed: args.max_listed,
        },
        cache_dir: (!args.no_cache)
            .then(|| args.cache_dir.clone().unwrap_or_else(default_cache_dir)),
    };
    let bars = Bars::new(!args.no_progress);
    let result = profile_files(&args.data, &run, &bars);
    bars.clear();
    Ok(result?)
}
