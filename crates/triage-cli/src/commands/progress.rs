//! Progress on stderr: the bars and lines the library calls report
//! through [`Progress`] and [`TrainProgress`] (indicatif hides the bars
//! when stderr is not a terminal).

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use triage_data::progress::Progress;
use triage_nn::pipeline::TrainProgress;
use triage_nn::train::{BatchProgress, TrainState};

/// A bar of `len` steps labelled `what`, or a hidden one when `show` is off.
pub fn bar(len: u64, what: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let template =
        format!("{what:<10} {{bar:30}} {{pos}}/{{len}} [{{elapsed}} < {{eta}}, {{per_sec}}]");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Bars (one per stage, one per training epoch) and notes on stderr.
pub struct Bars {
    show: bool,
    /// Print the one-line summary of every epoch.
    epoch_lines: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars drawn when `show`; notes are always printed.
    pub fn new(show: bool) -> Self {
        Self {
            show,
            epoch_lines: true,
            bar: Mutex::new(None),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Clear whatever bar is drawn.
    pub fn clear(&self) {
        if let Some(bar) = self.slot().take() {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bars {
    fn note(&self, message: &str) {
        // Notes name files (skipped images, run directories): escaped.
        let message = triage_data::escape::terminal_safe(message);
        match &*self.slot() {
            Some(bar) => bar.suspend(|| eprintln!("triage: {message}")),
            None => eprintln!("triage: {message}"),
        }
    }

    fn stage(&self, name: &str, len: u64) {
        *self.slot() = Some(bar(len, name, self.show));
    }

    fn step(&self) {
        if let Some(bar) = &*self.slot() {
            bar.inc(1);
        }
    }

    fn done(&self) {
        self.clear();
    }
}

impl TrainProgress for Bars {
    fn batch(&self, p: &BatchProgress) {
        if !self.show {
            return;
        }
        let mut slot = self.slot();
        let bar = slot.get_or_insert_with(|| {
            let bar = ProgressBar::new(p.batches as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "epoch {prefix} {bar:28} {pos}/{len} {msg} [{elapsed} < {eta}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        bar.set_prefix(format!("{}/{}", p.epoch, p.epochs));
        bar.set_position(p.batch as u64);
        bar.set_message(format!("loss {:.4} {:.0} img/s", p.loss, p.images_per_sec));
    }

    fn epoch(&self, state: &TrainState, epochs: usize, is_best: bool) {
        self.clear();
        if !self.epoch_lines {
            return;
        }
        if let Some(r) = state.history.last() {
            let val = match (r.val_loss, r.val_acc, r.val_ece) {
                (Some(l), Some(a), Some(e)) => {
                    format!("  val loss {l:.4} acc {a:.4} ece {e:.4}")
                }
                _ => String::new(),
            };
            eprintln!(
                "epoch {:>3}/{epochs}  train loss {:.4} acc {:.4}{val}  lr {:.3e}  {:.0} img/s  {:.1}s{}",
                r.epoch,
                r.train_loss,
                r.train_acc,
                r.lr,
                r.images_per_sec,
                r.seconds,
                if is_best { "  *best" } else { "" }
            );
        }
        if state.stopped_early {
            eprintln!(
                "early stopping: no better validation metric for {} epochs",
                state.since_best
            );
        }
    }
}
