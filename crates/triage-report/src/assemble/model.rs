//! "The model": per run, the architecture, optimiser, schedule and the
//! rest of `run.json`.

use serde_json::Value;

use crate::inputs::{ReportInputs, RunDir};
use crate::model::{Block, KeyValue};

pub(super) fn blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = Vec::new();
    for run in &inputs.runs {
        out.push(Block::Heading {
            text: format!("Run `{}`", run.name),
        });
        out.push(Block::KeyValues { items: facts(run) });
    }
    out
}

/// Compact JSON of a value ("—" when absent).
fn compact<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::Null) | Err(_) => "—".into(),
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "—".into(), ToString::to_string)
}

fn facts(run: &RunDir) -> Vec<KeyValue> {
    let c = &run.config;
    let t = &c.train;
    vec![
        KeyValue::new("model", c.model_name()),
        KeyValue::new("model spec", compact(&c.model.spec)),
        KeyValue::new("optimizer", compact(&t.optimizer)),
        KeyValue::new("learning-rate schedule", compact(&t.schedule)),
        KeyValue::new(
            "epochs × batch size",
            format!("{} × {}", t.epochs, t.batch_size),
        ),
        KeyValue::new(
            "checkpoint selection",
            format!("validation {}", compact(&t.select)),
        ),
        KeyValue::new("early-stopping patience", opt(&t.patience)),
        KeyValue::new("label smoothing", t.label_smoothing.to_string()),
        KeyValue::new("augmentation", compact(&t.augment)),
        KeyValue::new("input", compact(&c.input)),
        KeyValue::new(
            "classes",
            format!("{} ({})", c.classes.len(), c.classes.join(", ")),
        ),
        KeyValue::new(
            "train / val images",
            format!("{} / {}", c.train_size, c.val_size),
        ),
        KeyValue::new("data", c.data.clone()),
        KeyValue::new("seed", t.seed.to_string()),
        KeyValue::new(
            "versions",
            format!(
                "triage {}, burn {}, commit {}",
                c.triage_version,
                c.burn_version,
                opt(&c.git_commit)
            ),
        ),
        KeyValue::new("created", c.created.clone()),
        KeyValue::new("command", c.command.join(" ")),
    ]
}
