//! `triage profile`: what is in a dataset, and what is wrong with it.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context, Result};
use triage_data::cache::{cache_key, default_cache_dir, load_or_decode, DecodeResult};
use triage_data::dataset::{open_dataset, Dataset, OpenOptions, Source};
use triage_data::decode::{decode_item, extension_mismatch_in, DecodeOptions};
use triage_data::profile::{
    profile_dataset, write_summary, DatasetProfile, ItemOutcome, ProfileOptions,
};

use crate::args::ProfileArgs;
use crate::commands::progress;

/// Run `triage profile`.
pub fn run(args: &ProfileArgs) -> Result<ExitCode> {
    let (profile, mismatches) = compute(args)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = profile_json(&profile, &mismatches)?;
        serde_json::to_writer(&mut out, &doc).context("failed to write JSON")?;
        writeln!(out).context("failed to write JSON")?;
    } else {
        write_summary(&mut out, &profile).context("failed to write the summary")?;
        if !mismatches.is_empty() {
            writeln!(
                out,
                "\nfiles whose extension does not match their content: {}",
                mismatches.len()
            )?;
            for m in mismatches.iter().take(args.max_listed.min(10)) {
                writeln!(out, "  {}: {}", m.path, m.reason)?;
            }
        }
    }
    out.flush().context("failed to write output")?;
    Ok(ExitCode::SUCCESS)
}

/// The JSON document of `triage profile --json`: the profile plus
/// `extension_mismatches`.
///
/// # Errors
///
/// When serialisation fails.
pub fn profile_json(
    profile: &DatasetProfile,
    mismatches: &[Mismatch],
) -> Result<serde_json::Value> {
    let mut doc = serde_json::to_value(profile).context("failed to build the JSON document")?;
    if let Some(map) = doc.as_object_mut() {
        map.insert(
            "extension_mismatches".into(),
            serde_json::to_value(mismatches)?,
        );
    }
    Ok(doc)
}

/// Profile the dataset of `args` (decoding through the cache unless
/// `--no-cache`); return the profile and the files whose extension does
/// not match their content.
///
/// # Errors
///
/// An unreadable dataset or a failing cache.
pub fn compute(args: &ProfileArgs) -> Result<(DatasetProfile, Vec<Mismatch>)> {
    let open = OpenOptions {
        max_pixels: args.max_pixels,
        ..OpenOptions::default()
    };
    let dataset = open_dataset(&args.data, &open)
        .with_context(|| format!("failed to open the dataset `{}`", args.data.display()))?;
    let n = dataset.items.len();
    eprintln!(
        "triage: {} items in {} classes ({:?} layout){}",
        n,
        dataset.classes.len(),
        dataset.format,
        if dataset.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} files skipped", dataset.skipped.len())
        }
    );
    let decode_options = DecodeOptions {
        max_pixels: args.max_pixels,
        ..DecodeOptions::default()
    };
    let options = ProfileOptions {
        near_duplicate_distance: args.near_distance,
        max_listed: args.max_listed,
    };
    let show = !args.no_progress;
    // Files whose extension names another format than their content, noted
    // while the files are read anyway (decoding or hashing for the cache).
    let mismatches: Mutex<Vec<(usize, Mismatch)>> = Mutex::new(Vec::new());
    let note = |i: usize, found: Option<(String, &'static str)>| {
        if let Some((ext, actual)) = found {
            let m = Mismatch {
                path: dataset.items[i].id.clone(),
                reason: format!("extension .{ext} but the content is {actual}"),
            };
            mismatches
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, m));
        }
    };
    let profile = if args.no_cache {
        // Stream: decode, measure, drop the pixels.
        let bar = progress::bar(n as u64, "profile", show);
        let decode = |i: usize| match decode_item(&dataset, i, &decode_options) {
            Ok(d) => {
                note(i, d.extension_mismatch);
                ItemOutcome::Decoded {
                    image: d.image,
                    mode: d.mode,
                    file_bytes: d.file_bytes,
                }
            }
            Err(e) => ItemOutcome::Failed {
                reason: e.to_string(),
            },
        };
        let profile = profile_dataset(&dataset, &options, &decode, &|| bar.inc(1));
        bar.finish_and_clear();
        profile
    } else {
        let dir = args.cache_dir.clone().unwrap_or_else(default_cache_dir);
        let settings = format!(
            "decode max_pixels={} keep-size keep-channels",
            args.max_pixels
        );
        let read = |i: usize| {
            let bytes = content(&dataset, i)?;
            if let Source::File(path) = &dataset.items[i].source {
                note(i, extension_mismatch_in(path, &bytes));
            }
            Ok(bytes)
        };
        let key = cache_key(n, &settings, &|i| describe(&dataset, i), &read)
            .context("failed to hash the dataset for the decoded-image cache")?;
        let bar = progress::bar(n as u64, "decode", show);
        let decode = |i: usize| -> DecodeResult {
            decode_item(&dataset, i, &decode_options)
                .map(|d| (d.image, d.mode, d.file_bytes))
                .map_err(|e| e.to_string())
        };
        let set = load_or_decode(n, &key, Some(&dir), &decode, &|| bar.inc(1))
            .context("decoded-image cache failed")?;
        bar.finish_and_clear();
        if let Some(path) = &set.path {
            let state = if set.hit { "reused" } else { "written" };
            eprintln!("triage: decoded-image cache {state}: {}", path.display());
        }
        let bar = progress::bar(n as u64, "profile", show);
        let from_cache = |i: usize| match set.get(i) {
            Ok(v) => ItemOutcome::Decoded {
                image: v.to_image(),
                mode: v.mode,
                file_bytes: v.file_bytes,
            },
            Err(reason) => ItemOutcome::Failed {
                reason: reason.to_string(),
            },
        };
        let profile = profile_dataset(&dataset, &options, &from_cache, &|| bar.inc(1));
        bar.finish_and_clear();
        profile
    };
    let mut mismatches = mismatches.into_inner().unwrap_or_else(|e| e.into_inner());
    mismatches.sort_by_key(|(i, _)| *i);
    let mismatches: Vec<Mismatch> = mismatches.into_iter().map(|(_, m)| m).collect();
    Ok((profile, mismatches))
}

/// A file whose extension names another format than its content.
#[derive(Debug, serde::Serialize)]
pub struct Mismatch {
    /// The file.
    pub path: String,
    /// What its content is.
    pub reason: String,
}

fn describe(dataset: &Dataset, i: usize) -> String {
    let item = &dataset.items[i];
    format!("{}\u{1f}{}", item.id, item.label)
}

fn content(dataset: &Dataset, i: usize) -> Result<Vec<u8>, (std::path::PathBuf, std::io::Error)> {
    match &dataset.items[i].source {
        Source::File(path) => std::fs::read(path).map_err(|e| (path.clone(), e)),
        Source::Record { file, .. } => {
            let records = dataset
                .records
                .as_ref()
                .ok_or_else(|| (file.clone(), std::io::Error::other("record store missing")))?;
            let len = records.width as usize * records.height as usize * records.channels as usize;
            Ok(records
                .pixels
                .get(i * len..(i + 1) * len)
                .map(<[u8]>::to_vec)
                .unwrap_or_default())
        }
    }
}
