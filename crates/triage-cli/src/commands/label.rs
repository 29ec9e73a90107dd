//! `triage label serve DATA --sample N --db FILE`: the blind labelling
//! page ([`triage_label`]).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use triage_data::escape::terminal_safe as safe;
use triage_label::sample::opaque_id;
use triage_label::server::router;
use triage_label::{LabelError, Session, SessionSpec};

use crate::commands::progress::Bars;
use crate::label_args::{LabelArgs, LabelCommand, ServeArgs};

/// Run `triage label …`.
pub fn run(args: &LabelArgs) -> Result<ExitCode> {
    match &args.command {
        LabelCommand::Serve(a) => serve(a),
    }
}

fn serve(args: &ServeArgs) -> Result<ExitCode> {
    let token = match (&args.token, args.bind.ip().is_loopback()) {
        (Some(t), _) => Some(t.clone()),
        (None, false) => Some(opaque_id()),
        (None, true) => None,
    };
    let spec = SessionSpec {
        dataset: args.data.display().to_string(),
        sample: args.sample,
        seed: args.seed,
    };
    let bars = Bars::new(!args.no_progress);
    let session = Session::open(&args.data, &args.db, &spec, &bars);
    bars.clear();
    let session = session?;
    for (id, reason) in &session.skipped {
        eprintln!("triage: skipped `{}`: {}", safe(id), safe(reason));
    }
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
            "triage: serving {} items of {} (answers in {}); Ctrl-C stops",
            args.sample,
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
