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

/// Compact JSON of a free-form object ("—" when absent).
fn compact(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "—".into(), ToString::to_string)
}

fn facts(run: &RunDir) -> Vec<KeyValue> {
    let c = &run.config;
    let spec = c.model.get("spec").unwrap_or(&Value::Null);
    vec![
        KeyValue::new(
            "model",
            run.config.model_name().unwrap_or_else(|| "—".into()),
        ),
        KeyValue::new("model spec", compact(spec)),
        KeyValue::new("optimizer", compact(&c.optimizer)),
        KeyValue::new("learning-rate schedule", compact(&c.schedule)),
        KeyValue::new(
            "epochs × batch size",
            format!("{} × {}", opt(&c.epochs), opt(&c.batch_size)),
        ),
        KeyValue::new(
            "checkpoint selection",
            format!("validation {}", opt(&c.select)),
        ),
        KeyValue::new("early-stopping patience", opt(&c.patience)),
        KeyValue::new("label smoothing", opt(&c.label_smoothing)),
        KeyValue::new("augmentation", compact(&c.augment)),
        KeyValue::new("input", compact(&c.input)),
        KeyValue::new(
            "classes",
            format!("{} ({})", c.classes.len(), c.classes.join(", ")),
        ),
        KeyValue::new(
            "train / val images",
            format!("{} / {}", opt(&c.train_size), opt(&c.val_size)),
        ),
        KeyValue::new("data", opt(&c.data)),
        KeyValue::new("seed", opt(&c.seed)),
        KeyValue::new(
            "versions",
            format!(
                "triage {}, burn {}, commit {}",
                opt(&c.triage_version),
                opt(&c.burn_version),
                opt(&c.git_commit)
            ),
        ),
        KeyValue::new("created", opt(&c.created)),
        KeyValue::new("command", c.command.join(" ")),
    ]
}
