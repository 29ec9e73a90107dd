//! `triage lint MODEL`: the architecture and training-setup lint
//! ([`triage_lint`]).

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use triage_docs::lint::SetupDoc;
use triage_docs::profile::DatasetProfile;
use triage_lint::{lint, LintOptions};

use crate::lint_args::{LintArgs, SelectArg, ValidationSplitArg};

/// Run `triage lint`.
pub fn run(args: &LintArgs) -> Result<ExitCode> {
    let order = match &args.profile {
        Some(p) => {
            let text = triage_data::bounded_read::read_document(p)
                .with_context(|| format!("cannot read `{}`", p.display()))?;
            let doc: DatasetProfile = triage_docs::read_str(&text).with_context(|| {
                format!(
                    "`{}` is not a `triage profile --json` document",
                    p.display()
                )
            })?;
            Some(doc.order)
        }
        None => None,
    };
    let opts = LintOptions {
        max_bytes: Some(args.max_bytes),
        setup: setup(args),
        order,
        input: args.input.as_deref().map(parse_input).transpose()?,
    };
    let doc = lint(&args.model, &opts)?;
    if let Some(out) = &args.out {
        triage_data::output::check_not_an_input(out, [args.model.as_path()])?;
        let text = serde_json::to_string_pretty(&doc)?;
        triage_data::output::write_atomic(out, text.as_bytes())
            .with_context(|| format!("failed to write `{}`", out.display()))?;
    }
    crate::stdout::print_document(&doc, args.json, true, |out| {
        triage_report::terminal::write_lint_summary(out, &doc)
    })?;
    let findings = triage_report::findings::lint_findings(&doc, None);
    Ok(crate::commands::fail_on::verdict(&findings, args.fail_on))
}

/// The training setup the flags describe (`None` without any).
fn setup(a: &LintArgs) -> Option<SetupDoc> {
    let optimizer = a.optimizer.as_ref().map(|o| o.to_lowercase());
    let s = SetupDoc {
        from: vec!["the command line".to_owned()],
        decoupled_decay: a
            .weight_decay
            .and(optimizer.as_deref().map(|o| o == "adamw")),
        optimizer,
        momentum: a.momentum,
        nesterov: a.nesterov.then_some(true),
        weight_decay: a.weight_decay,
        schedule: a.schedule.as_ref().map(|s| s.to_lowercase()),
        batch_size: a.batch_size,
        select: a.select.map(|s| {
            match s {
                SelectArg::Loss => "loss",
                SelectArg::Accuracy => "accuracy",
                SelectArg::Last => "last",
            }
            .to_owned()
        }),
        shuffle: a.no_shuffle.then_some(false),
        validation_split: a.validation_split.map(|v| {
            match v {
                ValidationSplitArg::Tail => "tail",
                ValidationSplitArg::Random => "random",
                ValidationSplitArg::Stratified => "stratified",
                ValidationSplitArg::Given => "given",
            }
            .to_owned()
        }),
        loss_from_logits: a.loss_from_logits,
        l2_in_loss: None,
    };
    let empty = SetupDoc {
        from: s.from.clone(),
        ..SetupDoc::default()
    };
    (s != empty).then_some(s)
}

/// `C,H,W` (e.g. `3,32,32`).
fn parse_input(text: &str) -> Result<[usize; 3]> {
    let parts: Vec<Option<usize>> = text.split(',').map(|p| p.trim().parse().ok()).collect();
    match parts.as_slice() {
        [Some(c), Some(h), Some(w)] if *c > 0 && *h > 0 && *w > 0 => Ok([*c, *h, *w]),
        _ => bail!("--input {text}: give channels, height and width, e.g. 3,32,32"),
    }
}
