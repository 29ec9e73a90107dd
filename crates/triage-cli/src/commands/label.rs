//! `triage label serve DATA --sample N --db FILE`: the blind labelling
//! page ([`triage_label`]).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_label::queue::{Queue, QueueKind};
use triage_label::review::QueueInputs;
use triage_label::sample::opaque_id;
use triage_label::server::router;
use triage_label::{LabelError, Session, SessionSpec};

use crate::commands::progress::Bars;
use crate::label_args::{LabelArgs, LabelCommand, ReportArgs, ServeArgs};

/// Run `triage label …`.
pub fn run(args: &LabelArgs) -> Result<ExitCode> {
    match &args.command {
        LabelCommand::Serve(a) => serve(a),
        LabelCommand::Report(a) => report(a),
    }
}

fn report(args: &ReportArgs) -> Result<ExitCode> {
    if !args.db.is_file() {
        anyhow::bail!(
            "{}: no such database (made by `triage label serve --db`)",
            args.db.display()
        );
    }
    let store = triage_label::store::Store::open(&args.db)?;
    let meta = |key: &str| -> Result<String> {
        store.meta(key)?.with_context(|| {
            format!(
                "{}: not a labelling database (no `{key}`)",
                args.db.display()
            )
        })
    };
    let classes: Vec<String> = serde_json::from_str(&meta("classes")?)
        .with_context(|| format!("{}: unreadable class list", args.db.display()))?;
    let answers = store.answers()?;
    let predictions = args
        .predictions
        .as_deref()
        .map(|p| triage_data::read_predictions(p, &triage_data::ReadOptions::default()))
        .transpose()?;
    if let Some(p) = &predictions {
        if p.classes != classes {
            anyhow::bail!(
                "{} names classes [{}] but the labelling database has [{}]",
                p.source.display(),
                p.classes.join(", "),
                classes.join(", ")
            );
        }
    }
    if !(0.0..=1.0).contains(&args.attention_min) {
        anyhow::bail!(
            "--attention-min {}: give a pass rate from 0 to 1",
            args.attention_min
        );
    }
    let sample: u64 = meta("sample")?.parse().unwrap_or(0);
    let kind = store
        .meta("queue")?
        .filter(|q| !q.is_empty())
        .map(|q| QueueKind::parse(&q))
        .transpose()?;
    let items = store.items()?;
    let queue = match kind {
        Some(kind) => Some(QueueInputs {
            kind,
            file: meta("queue_file")?,
            items: &items,
        }),
        None => None,
    };
    if let (Some(q), Some(p)) = (&queue, &args.predictions) {
        anyhow::bail!(
            "{}: humans and a model are compared on a random sample, but {} holds a review queue ({}); serve a sample (--sample N) to compare",
            p.display(),
            args.db.display(),
            q.kind
        );
    }
    if queue.is_none() && (args.corrections_out.is_some() || args.corrected_manifest.is_some()) {
        anyhow::bail!(
            "{} holds a random sample, not a review queue: --corrections-out and --corrected-manifest need a database served with --queue",
            args.db.display()
        );
    }
    let overlap = store
        .meta("overlap")?
        .and_then(|m| m.parse::<u64>().ok())
        .filter(|&m| m < sample);
    let doc = triage_label::report::report(&triage_label::report::ReportInputs {
        dataset: meta("dataset")?,
        sample,
        seed: meta("seed")?.parse().unwrap_or(0),
        classes: &classes,
        answers: &answers,
        predictions: predictions.as_ref(),
        overlap,
        attention: store.meta("attention")?.as_deref() == Some("true"),
        attention_min: args.attention_min,
        queue,
    });
    if let Some(review) = &doc.review {
        write_review_outputs(args, review, &meta("dataset")?, &classes)?;
    }
    if let Some(out) = &args.soft_labels_out {
        let mut text = String::from("id");
        for c in &classes {
            text.push(',');
            text.push_str(&csv_field(c));
        }
        text.push_str(",count\n");
        let counted = triage_label::report::counted_answers(&answers, &doc);
        let soft = triage_label::report::soft_counts(&counted, classes.len());
        if soft.is_empty() {
            eprintln!(
                "triage: no item has answers from two annotators yet: `{}` holds the header only (serve with --overlap M, or let several people label)",
                safe(&out.display().to_string())
            );
        }
        for (id, counts) in soft {
            text.push_str(&csv_field(&id));
            for c in &counts {
                text.push_str(&format!(",{c}"));
            }
            text.push_str(&format!(",{}\n", counts.iter().sum::<u64>()));
        }
        triage_data::output::check_not_an_input(out, [args.db.as_path()])?;
        triage_data::output::write_atomic(out, text.as_bytes())
            .with_context(|| format!("failed to write `{}`", out.display()))?;
    }
    crate::stdout::print_document(&doc, args.json, true, |out| {
        triage_report::terminal::write_human_summary(out, &doc)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `--corrections-out` and `--corrected-manifest`.
fn write_review_outputs(
    args: &ReportArgs,
    review: &triage_docs::human::Review,
    dataset: &str,
    classes: &[String],
) -> Result<()> {
    if let Some(out) = &args.corrections_out {
        let mut text = String::from("id,other,verdict,given,corrected");
        for c in classes {
            text.push(',');
            text.push_str(&csv_field(c));
        }
        text.push_str(",not_sure\n");
        for item in &review.items {
            let verdict = serde_json::to_value(item.verdict)?;
            text.push_str(&format!(
                "{},{},{},{},{}",
                csv_field(&item.id),
                csv_field(item.other.as_deref().unwrap_or("")),
                verdict.as_str().unwrap_or(""),
                csv_field(item.given.as_deref().unwrap_or("")),
                csv_field(item.corrected.as_deref().unwrap_or(""))
            ));
            for v in &item.votes {
                text.push_str(&format!(",{v}"));
            }
            text.push_str(&format!(",{}\n", item.unsure));
        }
        triage_data::output::check_not_an_input(out, [args.db.as_path()])?;
        triage_data::output::write_atomic(out, text.as_bytes())
            .with_context(|| format!("failed to write `{}`", out.display()))?;
    }
    if let Some(manifest) = &args.corrected_manifest {
        let data = args
            .data
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from(dataset));
        let opened = triage_data::dataset::open_dataset(
            &data,
            &triage_data::dataset::OpenOptions::default(),
        )
        .with_context(|| {
            format!(
                "failed to open the dataset `{}` (moved? give --data)",
                data.display()
            )
        })?;
        let corrected = triage_label::corrections::apply(&opened, review).map_err(|id| {
            anyhow::anyhow!(
                "the review names `{id}`, which `{}` does not hold: give the dataset the queue was served from (--data)",
                data.display()
            )
        })?;
        triage_data::output::check_not_an_input(manifest, [args.db.as_path()])?;
        let splits: Vec<_> = corrected.dataset.items.iter().map(|i| i.split).collect();
        triage_data::split::write_manifest(&corrected.dataset, &splits, manifest)?;
        eprintln!(
            "triage: wrote {}: {} item(s) relabelled, {} put in a duplicate group",
            safe(&manifest.display().to_string()),
            corrected.relabelled,
            corrected.grouped
        );
    }
    Ok(())
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn serve(args: &ServeArgs) -> Result<ExitCode> {
    let token = match (&args.token, args.bind.ip().is_loopback()) {
        (Some(t), _) => Some(t.clone()),
        (None, false) => Some(opaque_id()),
        (None, true) => None,
    };
    let queue = args
        .queue
        .as_ref()
        .map(|q| -> Result<Queue> {
            Ok(Queue {
                kind: QueueKind::parse(&q[0])?,
                file: std::path::PathBuf::from(&q[1]),
            })
        })
        .transpose()?;
    let spec = SessionSpec {
        dataset: args.data.display().to_string(),
        sample: args.sample.unwrap_or(0),
        queue,
        seed: args.seed,
        overlap: args.overlap,
        attention: args.attention,
    };
    let bars = Bars::new(!args.no_progress);
    let session = Session::open(&args.data, &args.db, &spec, &bars);
    bars.clear();
    let session = session?;
    for (id, reason) in &session.skipped {
        eprintln!("triage: skipped `{}`: {}", safe(id), safe(reason));
    }
    let served = session.store().items()?.len();
    let what = match session.queue() {
        Some(QueueKind::Pairs) => "pairs",
        Some(QueueKind::LabelIssues) => "suspected label errors",
        None => "items",
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .map_err(|source| LabelError::Bind {
                addr: args.bind.to_string(),
                source,
            })?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let url = match &token {
            Some(t) => format!("http://{addr}/?token={t}"),
            None => format!("http://{addr}/"),
        };
        let mut out = crate::stdout::stdout();
        writeln!(out, "{url}")?;
        out.flush()?;
        eprintln!(
            "triage: serving {} {} of {} (answers in {}); Ctrl-C stops",
            served,
            what,
            safe(&args.data.display().to_string()),
            safe(&args.db.display().to_string())
        );
        let app = router(Arc::new(session), token);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
