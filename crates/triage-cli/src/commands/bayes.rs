//! `triage bayes [--data DATA] [--embeddings E --labels L …]
//! [--soft-labels S --group NAME=…]`: how good can it get
//! ([`triage_bayes::analyze`]).

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use triage_bayes::features::{embeddings, pixels};
use triage_bayes::soft_labels::{parse_group, read_soft_labels};
use triage_bayes::{analyze, BayesInputs};
use triage_data::output::{check_not_an_input, write_atomic};
use triage_data::output_folder::{claim_file, record_file};
use triage_report::terminal::write_bayes_summary;

use crate::bayes_args::BayesArgs;
use crate::commands::progress::Bars;

/// Run `triage bayes`.
pub fn run(args: &BayesArgs) -> Result<ExitCode> {
    if args.data.is_none() && args.embeddings.is_empty() && args.soft_labels.is_none() {
        bail!(
            "nothing to estimate from: give --data, --embeddings with --labels, or --soft-labels"
        );
    }
    let bars = Bars::new(!args.no_progress);
    let mut inputs = BayesInputs::default();
    if let Some(data) = &args.data {
        let read = pixels(data, &args.pixels(), &bars);
        bars.clear();
        inputs.features.push(
            read.with_context(|| format!("failed to read the pixels of `{}`", data.display()))?,
        );
    }
    for (train, test) in args.embedding_files()? {
        let read = embeddings(&train, test.as_ref()).with_context(|| {
            format!(
                "failed to read the embeddings `{}`",
                train.embeddings.display()
            )
        })?;
        inputs.features.push(read);
    }
    if let Some(path) = &args.soft_labels {
        let file = read_soft_labels(path, args.soft_kind())?;
        let classes: Vec<String> = inputs
            .features
            .first()
            .map(|f| f.classes.clone())
            .or_else(|| file.classes.clone())
            .or_else(|| (!args.classes.is_empty()).then(|| args.classes.clone()))
            .unwrap_or_else(|| (0..file.labels.classes()).map(|i| i.to_string()).collect());
        let groups = args
            .groups
            .iter()
            .map(|g| parse_group(g, &classes))
            .collect::<Result<Vec<_>, _>>()?;
        let mut file = file;
        if file.classes.is_none() && classes.len() == file.labels.classes() {
            file.classes = Some(classes);
        }
        inputs.soft_labels = Some((file, groups));
    } else if !args.groups.is_empty() {
        bail!("--group names a binary task of --soft-labels; give --soft-labels");
    }
    let result = analyze(&inputs, &args.options(), &bars);
    bars.clear();
    let doc = result?;
    if let Some(out) = &args.out {
        let read = [&args.data, &args.soft_labels]
            .into_iter()
            .flatten()
            .chain(&args.embeddings)
            .chain(&args.labels)
            .chain(&args.test_embeddings)
            .chain(&args.test_labels);
        check_not_an_input(out, read.map(std::path::PathBuf::as_path))?;
        claim_file(out, "bayes")?;
        write_atomic(out, &serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("failed to write `{}`", out.display()))?;
        record_file(out, "bayes")?;
    }
    crate::stdout::print_document(&doc, args.json, true, |out| write_bayes_summary(out, &doc))?;
    Ok(ExitCode::SUCCESS)
}
