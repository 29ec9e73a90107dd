//! "The training": per run, how it ended, the learning curves (loss and
//! accuracy, the selected epoch marked) and the learning-rate schedule.

use super::f3;
use crate::inputs::{EpochRecord, ReportInputs, RunDir};
use crate::model::{slug, Block, Figure, KeyValue};
use crate::svg::line::{LinePlot, Marker, Series};
use crate::svg::Plot;

pub(super) fn blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, run) in inputs.runs.iter().enumerate() {
        let id = format!("{i}-{}", slug(&run.name));
        out.push(Block::Heading {
            text: format!("Run `{}`", run.name),
        });
        out.push(Block::KeyValues { items: facts(run) });
        if run.log.is_empty() {
            out.push(Block::Paragraph {
                text: format!("`{}` has no `log.jsonl` records.", run.path.display()),
            });
            continue;
        }
        let marker: Vec<Marker> = run
            .summary
            .as_ref()
            .and_then(|s| s.best_epoch)
            .map(|e| Marker {
                x: e as f64,
                label: format!("selected epoch {e}"),
            })
            .into_iter()
            .collect();
        let curve = |f: fn(&EpochRecord) -> Option<f64>| -> Vec<[f64; 2]> {
            // Non-finite values (a diverged loss) are gaps in the line.
            run.log
                .iter()
                .map(|e| [e.epoch as f64, f(e).unwrap_or(f64::NAN)])
                .collect()
        };
        let lines = |y_label: &str,
                     train: fn(&EpochRecord) -> Option<f64>,
                     val: fn(&EpochRecord) -> Option<f64>| {
            LinePlot {
                x_label: "epoch".into(),
                y_label: y_label.into(),
                series: vec![
                    Series::new(format!("train {y_label}"), curve(train), 0).dashed(),
                    Series::new(format!("val {y_label}"), curve(val), 1),
                ],
                markers: marker.clone(),
                ..LinePlot::default()
            }
        };
        out.push(Block::Figure(Figure {
            id: format!("loss-curves-{id}"),
            caption: format!("Training and validation loss of `{}` per epoch; the dashed vertical line is the selected epoch.", run.name),
            plot: Plot::Line(lines("loss", |e| finite(e.train_loss), |e| e.val_loss)),
        }));
        let mut acc = lines("accuracy", |e| finite(e.train_acc), |e| e.val_acc);
        acc.y_range = Some([0.0, 1.0]);
        out.push(Block::Figure(Figure {
            id: format!("accuracy-curves-{id}"),
            caption: format!(
                "Training and validation accuracy of `{}` per epoch.",
                run.name
            ),
            plot: Plot::Line(acc),
        }));
        out.push(Block::Figure(Figure {
            id: format!("lr-schedule-{id}"),
            caption: format!(
                "Learning rate of `{}` per epoch (value logged at the end of each epoch).",
                run.name
            ),
            plot: Plot::Line(LinePlot {
                x_label: "epoch".into(),
                y_label: "learning rate".into(),
                series: vec![Series::new("learning rate", curve(|e| finite(e.lr)), 4)],
                ..LinePlot::default()
            }),
        }));
    }
    out
}

fn facts(run: &RunDir) -> Vec<KeyValue> {
    let mut items = Vec::new();
    if let Some(s) = &run.summary {
        items.push(KeyValue::new("status", s.status.clone()));
        items.push(KeyValue::new(
            "selected epoch",
            s.best_epoch.map_or("—".into(), |e| e.to_string()),
        ));
        items.push(KeyValue::new(
            "validation loss / accuracy there",
            format!("{} / {}", f3(s.best_val_loss), f3(s.best_val_acc)),
        ));
        items.push(KeyValue::new("epochs run", s.epochs_run.to_string()));
    } else {
        items.push(KeyValue::new(
            "status",
            "no summary.json (still running, or killed)",
        ));
    }
    let seconds: f64 = run.log.iter().filter_map(|e| finite(e.seconds)).sum();
    if seconds > 0.0 {
        items.push(KeyValue::new("training time", format!("{seconds:.0} s")));
    }
    let speeds: Vec<f64> = run
        .log
        .iter()
        .filter_map(|e| finite(e.images_per_sec))
        .collect();
    if !speeds.is_empty() {
        let mean = speeds.iter().sum::<f64>() / speeds.len() as f64;
        items.push(KeyValue::new("throughput", format!("{mean:.0} images/s")));
    }
    items
}

/// `Some(v)` for a finite value.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}
