//! The `triage` binary.
//!
//! Exit codes: 0 success, 1 a check failed, 2 an error (bad input, I/O).
//! Data goes to stdout; logs and progress to stderr.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use triage_data::escape::terminal_safe as safe;

use triage_cli::args::{Cli, Command};
use triage_cli::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(&args),
        Command::Evaluate(args) => commands::evaluate::run(&args),
        Command::LabelIssues(args) => commands::label_issues::run(&args),
        Command::Profile(args) => commands::profile::run(&args),
        Command::Split(args) => commands::split::run(&args),
        Command::Synth(args) => commands::synth::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Train(args) => commands::train::run(&args),
        Command::Predict(args) => commands::predict::run(&args),
        Command::LrFind(args) => commands::lr_find::run(&args),
        Command::Shift(args) => commands::shift::run(&args),
        Command::Bayes(args) => commands::bayes::run(&args),
        Command::Label(args) => commands::label::run(&args),
        Command::Lint(args) => commands::lint::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Sweep(args) => commands::sweep::run(&args),
        Command::Knn(args) => commands::knn::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            // File and class names in the message are escaped: a name holding
            // a newline or an ANSI escape must not forge or hide a line.
            let message = chain_message(&err);
            let _ = writeln!(stderr, "triage: error: {}", safe(&message));
            if let Some(hint) = commands::hint_for(&err) {
                let _ = writeln!(stderr, "\nhint: {}", safe(&hint));
            }
            ExitCode::from(2)
        }
    }
}

/// The error and its causes joined by `: `, each cause once: a cause whose
/// text the message already holds (an error that prints its source in its
/// own message and also chains it) is not repeated.
fn chain_message(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io_kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| cause.downcast_ref::<serde_json::Error>()?.io_error_kind());
        io_kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
