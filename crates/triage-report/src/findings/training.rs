//! Rules on training runs: checkpoint selection, the loss curves and the
//! optimiser.

use triage_docs::optimizer::OptimizerSpec;
use triage_docs::schedule::Schedule;
use triage_docs::training::Select;

use super::{Finding, Severity};
use crate::inputs::{EpochRecord, ReportInputs, RunDir};
use crate::model::SectionKind;

/// Relative rise of the last validation loss over its minimum from which
/// rising validation loss counts as overconfidence: 10 % is beyond the
/// epoch-to-epoch noise of a validation set of a few thousand images.
pub const OVERCONFIDENCE_LOSS_RISE: f64 = 0.10;

/// Epochs over which a steadily rising training loss counts as divergence.
pub const DIVERGENCE_WINDOW: usize = 3;

/// Relative rise of the last training loss over its minimum that, with a
/// rising trend over [`DIVERGENCE_WINDOW`] epochs, signals divergence.
pub const DIVERGENCE_RISE: f64 = 0.10;

/// Epochs over which a flat training loss counts as a plateau.
pub const PLATEAU_WINDOW: usize = 5;

/// Largest relative decrease of the training loss over
/// [`PLATEAU_WINDOW`] epochs that still counts as flat (1 %).
pub const PLATEAU_MAX_DECREASE: f64 = 0.01;

/// Training accuracy below which a plateau matters: a model that already
/// fits its training set may well stop improving.
pub const PLATEAU_MAX_TRAIN_ACC: f64 = 0.98;

const SWITCH_OPTIMIZER: &str = "use SGD with Nesterov momentum 0.9 and a one-cycle schedule (`triage train --optimizer sgd --momentum 0.9 --nesterov --schedule one-cycle`), or AdamW with cosine decay and warm-up";

/// Checkpoint selected on validation accuracy.
pub fn select_on_accuracy(inputs: &ReportInputs) -> Vec<Finding> {
    inputs
        .runs
        .iter()
        .filter(|r| selection(r).as_deref() == Some("accuracy"))
        .map(|r| {
            Finding::new(
                "select-on-accuracy",
                Severity::Warning,
                SectionKind::Training,
                "The checkpoint was selected on validation accuracy",
                "accuracy is a step function of the scores: on a small validation set it picks the epoch that was luckiest, and it rewards overconfident epochs whose loss has already risen",
                "select on validation loss (`triage train --select loss`), and report test metrics of that checkpoint",
            )
            .about(&r.name)
            .scored(1.0)
            .with("select", "accuracy")
        })
        .collect()
}

fn selection(run: &RunDir) -> Option<String> {
    Some(match run.config.train.select {
        Select::Loss => "loss".into(),
        Select::Accuracy => "accuracy".into(),
    })
}

/// Validation loss rising while validation accuracy does not fall: the
/// model grows overconfident.
pub fn overconfidence(inputs: &ReportInputs) -> Vec<Finding> {
    inputs.runs.iter().filter_map(overconfident_run).collect()
}

fn overconfident_run(run: &RunDir) -> Option<Finding> {
    let val: Vec<(usize, f64, f64)> = run
        .log
        .iter()
        .filter_map(|e| Some((e.epoch, e.val_loss?, e.val_acc?)))
        .filter(|(_, l, a)| l.is_finite() && a.is_finite())
        .collect();
    let (min_epoch, min_loss, acc_at_min) =
        val.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let &(last_epoch, last_loss, last_acc) = val.last()?;
    let rise = (last_loss - min_loss) / min_loss.abs().max(1e-12);
    if last_epoch == min_epoch || rise <= OVERCONFIDENCE_LOSS_RISE || last_acc < acc_at_min {
        return None;
    }
    Some(
        Finding::new(
            "overconfidence",
            Severity::Warning,
            SectionKind::Training,
            "Validation loss rises while validation accuracy holds: the model grows overconfident",
            format!(
                "validation loss {min_loss:.3} at epoch {min_epoch} → {last_loss:.3} at epoch {last_epoch} (+{:.0} %), while validation accuracy went {:.3} → {last_acc:.3}",
                100.0 * rise,
                acc_at_min
            ),
            "select the checkpoint on validation loss, add label smoothing (0.1) or stronger augmentation, and apply temperature scaling to the predictions",
        )
        .about(&run.name)
        .scored(rise)
        .with("min_val_loss", format!("{min_loss:.4} (epoch {min_epoch})"))
        .with("last_val_loss", format!("{last_loss:.4} (epoch {last_epoch})"))
        .with("val_acc", format!("{acc_at_min:.4} → {last_acc:.4}")),
    )
}

/// Divergence (NaN loss, a `diverged` status, or a training loss rising
/// over the last epochs) and plateaus (a flat training loss while the
/// training accuracy is low).
pub fn loss_curve(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for run in &inputs.runs {
        if let Some(f) = divergence(run) {
            out.push(f);
        } else if let Some(f) = plateau(&run.log) {
            out.push(f.about(&run.name));
        }
    }
    out
}

fn divergence(run: &RunDir) -> Option<Finding> {
    let lr = run
        .log
        .last()
        .map(|e| e.lr)
        .filter(|lr| lr.is_finite())
        .map_or(String::new(), |lr| format!(", last learning rate {lr:.3e}"));
    let fix = "lower the (peak) learning rate by 3–10×, add warm-up, or clip gradients; check the inputs are normalised";
    let nan_epoch = run
        .log
        .iter()
        .find(|e| !e.train_loss.is_finite())
        .map(|e| e.epoch);
    let diverged = run.summary.as_ref().is_some_and(|s| s.status == "diverged");
    if nan_epoch.is_some() || diverged {
        let evidence = match nan_epoch {
            Some(e) => format!("the training loss became NaN/∞ at epoch {e}{lr}"),
            None => format!("the run ended with status `diverged`{lr}"),
        };
        return Some(
            Finding::new(
                "divergence",
                Severity::Critical,
                SectionKind::Training,
                "Training diverged",
                evidence,
                fix,
            )
            .about(&run.name)
            .scored(2.0),
        );
    }
    let losses: Vec<(usize, f64)> = run
        .log
        .iter()
        .map(|e| (e.epoch, e.train_loss))
        .filter(|(_, l)| l.is_finite())
        .collect();
    if losses.len() <= DIVERGENCE_WINDOW {
        return None;
    }
    let tail = &losses[losses.len() - DIVERGENCE_WINDOW - 1..];
    let rising = tail.windows(2).all(|w| w[1].1 > w[0].1);
    let min = losses.iter().map(|l| l.1).fold(f64::INFINITY, f64::min);
    let (last_epoch, last) = losses[losses.len() - 1];
    let rise = (last - min) / min.abs().max(1e-12);
    if !(rising && rise > DIVERGENCE_RISE) {
        return None;
    }
    Some(
        Finding::new(
            "divergence",
            Severity::Critical,
            SectionKind::Training,
            "The training loss is rising: the learning rate is too high",
            format!(
                "training loss rose over the last {DIVERGENCE_WINDOW} epochs to {last:.3} at epoch {last_epoch}, {:.0} % above its minimum {min:.3}{lr}",
                100.0 * rise
            ),
            fix,
        )
        .about(&run.name)
        .scored(1.0 + rise)
        .with("train_loss_min", format!("{min:.4}"))
        .with("train_loss_last", format!("{last:.4}")),
    )
}

fn plateau(log: &[EpochRecord]) -> Option<Finding> {
    let pts: Vec<&EpochRecord> = log.iter().filter(|e| e.train_loss.is_finite()).collect();
    if pts.len() < PLATEAU_WINDOW {
        return None;
    }
    let first = pts[pts.len() - PLATEAU_WINDOW];
    let last = pts[pts.len() - 1];
    let (a, b) = (first.train_loss, last.train_loss);
    let decrease = (a - b) / a.abs().max(1e-12);
    let acc = if last.train_acc.is_finite() {
        last.train_acc
    } else {
        0.0
    };
    if decrease.abs() >= PLATEAU_MAX_DECREASE || acc >= PLATEAU_MAX_TRAIN_ACC {
        return None;
    }
    Some(
        Finding::new(
            "plateau",
            Severity::Warning,
            SectionKind::Training,
            "The training loss is flat: training has stalled",
            format!(
                "training loss {a:.3} at epoch {} → {b:.3} at epoch {} ({:+.1} %) with training accuracy {acc:.3}",
                first.epoch,
                last.epoch,
                -100.0 * decrease
            ),
            "raise the learning rate (an LR range test finds the largest stable one) or use a schedule that anneals it (one-cycle, cosine); if it stays flat the model is too small for the data",
        )
        .scored(1.0 - acc)
        .with("train_loss", format!("{a:.4} → {b:.4}"))
        .with("train_acc", format!("{acc:.4}")),
    )
}

/// Adadelta, SGD without momentum, or a constant learning rate.
pub fn optimizer(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for run in &inputs.runs {
        match &run.config.train.optimizer {
            OptimizerSpec::Adadelta => out.push(
                Finding::new(
                    "optimizer-adadelta",
                    Severity::Warning,
                    SectionKind::Model,
                    "Adadelta optimiser",
                    "Adadelta adapts per-parameter step sizes from running averages and in practice trains image classifiers to lower accuracy, more slowly, than tuned SGD or AdamW",
                    SWITCH_OPTIMIZER,
                )
                .about(&run.name)
                .scored(1.0)
                .with("optimizer", "adadelta"),
            ),
            OptimizerSpec::Sgd { momentum, .. } => {
                let momentum = *momentum;
                if momentum == 0.0 {
                    out.push(
                        Finding::new(
                            "sgd-without-momentum",
                            Severity::Warning,
                            SectionKind::Model,
                            "SGD without momentum",
                            "plain SGD (momentum 0) converges much more slowly on ill-conditioned losses",
                            SWITCH_OPTIMIZER,
                        )
                        .about(&run.name)
                        .scored(0.9)
                        .with("momentum", momentum),
                    );
                }
            }
            _ => {}
        }
        let constant = matches!(run.config.train.schedule, Schedule::Constant { .. });
        // Adadelta's own step-size adaptation is no substitute for a schedule,
        // but one finding per run about the optimiser is enough when both fire.
        if constant {
            out.push(
                Finding::new(
                    "no-lr-schedule",
                    Severity::Warning,
                    SectionKind::Model,
                    "No learning-rate schedule",
                    format!("the learning rate is constant ({})", run.config.schedule_kind()),
                    "anneal the learning rate: one-cycle (`--schedule one-cycle`) for SGD, cosine with warm-up for AdamW; annealing alone is typically worth several points of accuracy",
                )
                .about(&run.name)
                .scored(0.8),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::run::sample_meta;

    fn run(losses: &[f64], acc: f64) -> ReportInputs {
        let log = losses
            .iter()
            .enumerate()
            .map(|(i, &l)| EpochRecord {
                epoch: i + 1,
                train_loss: l,
                train_acc: acc,
                val_loss: None,
                val_acc: None,
                val_ece: None,
                lr: 0.1,
                images_per_sec: 100.0,
                seconds: 1.0,
            })
            .collect();
        ReportInputs {
            runs: vec![RunDir {
                name: "r".into(),
                path: "r".into(),
                config: sample_meta(),
                log,
                summary: None,
            }],
            ..ReportInputs::default()
        }
    }

    fn ids(inputs: &ReportInputs) -> Vec<String> {
        loss_curve(inputs).into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn rising_training_loss_is_divergence() {
        assert_eq!(ids(&run(&[1.0, 0.5, 0.6, 0.7, 0.9], 0.5)), ["divergence"]);
        assert_eq!(ids(&run(&[1.0, f64::NAN], 0.5)), ["divergence"]);
    }

    #[test]
    fn flat_training_loss_is_a_plateau_unless_already_fit() {
        assert_eq!(
            ids(&run(&[2.0, 1.0, 1.0, 1.0, 1.0, 0.999], 0.6)),
            ["plateau"]
        );
        assert!(ids(&run(&[2.0, 1.0, 1.0, 1.0, 1.0, 0.999], 0.99)).is_empty());
        assert!(ids(&run(&[2.0, 1.5, 1.2, 1.0, 0.8, 0.6], 0.6)).is_empty());
    }

    #[test]
    fn sgd_without_momentum_and_no_schedule() {
        let mut inputs = run(&[1.0], 0.5);
        inputs.runs[0].config.train.optimizer = OptimizerSpec::Sgd {
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        };
        inputs.runs[0].config.train.schedule = Schedule::Constant { lr: 0.1 };
        let found: Vec<String> = optimizer(&inputs).into_iter().map(|f| f.id).collect();
        assert_eq!(found, ["sgd-without-momentum", "no-lr-schedule"]);
        inputs.runs[0].config.train.optimizer = OptimizerSpec::Sgd {
            momentum: 0.9,
            nesterov: true,
            weight_decay: 0.0,
        };
        inputs.runs[0].config.train.schedule = Schedule::OneCycle { max_lr: 0.1 };
        assert!(optimizer(&inputs).is_empty());
    }
}
