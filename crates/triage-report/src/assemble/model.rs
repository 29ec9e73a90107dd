//! "The model": per run, the architecture, optimiser, schedule and the
//! rest of `run.json`; per `triage lint` document, the layer table, the
//! stage profile and what the lint could not see (its findings are ranked
//! with the others).

use serde_json::Value;

use crate::inputs::{ReportInputs, RunDir};
use crate::model::{slug, Block, KeyValue, Table};

pub(super) fn blocks(inputs: &ReportInputs) -> Vec<Block> {
    let mut out = Vec::new();
    for run in &inputs.runs {
        out.push(Block::Heading {
            text: format!("Run `{}`", run.name),
        });
        out.push(Block::KeyValues { items: facts(run) });
    }
    for lint in &inputs.lints {
        out.extend(lint_blocks(&lint.name, &lint.doc));
    }
    out
}

/// One lint document: totals, the layer table, the stages, notes.
fn lint_blocks(name: &str, d: &triage_docs::lint::LintDoc) -> Vec<Block> {
    use crate::terminal::lint::{grouped, shape};
    let t = &d.totals;
    let mut out = vec![
        Block::Heading {
            text: format!("Architecture lint: {name}"),
        },
        Block::KeyValues {
            items: vec![
                KeyValue::new("model", format!("{} ({})", d.source, d.model_format)),
                KeyValue::new(
                    "input",
                    d.input.map_or("unknown".into(), |(c, h, w)| format!("{c}×{h}×{w}")),
                ),
                KeyValue::new(
                    "parameters",
                    format!("{} ({} in dense layers)", grouped(t.params), grouped(t.dense_params)),
                ),
                KeyValue::new("MACs per image", grouped(t.macs)),
                KeyValue::new("depth (weight layers)", t.depth.to_string()),
                KeyValue::new(
                    "receptive field at the head",
                    t.receptive_field.map_or("—".into(), |r| format!("{r} px")),
                ),
                KeyValue::new("findings", d.findings.len().to_string()),
            ],
        },
        Block::Table(Table {
            id: format!("lint-layers-{}", slug(name)),
            caption: "Layers in topological order: output shape, trainable parameters, multiply-accumulates per image, receptive field.".into(),
            header: ["layer", "type", "output", "params", "MACs", "RF"]
                .map(String::from)
                .to_vec(),
            rows: d
                .layers
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone(),
                        l.kind.clone(),
                        shape(&l.shape),
                        grouped(l.params),
                        grouped(l.macs),
                        l.receptive_field.map_or(String::new(), |r| r.to_string()),
                    ]
                })
                .collect(),
        }),
        Block::Table(Table {
            id: format!("lint-stages-{}", slug(name)),
            caption: "Stages between spatial down-samplings: channels, map size and compute.".into(),
            header: ["stage", "channels", "size", "M MACs"].map(String::from).to_vec(),
            rows: d
                .stages
                .iter()
                .map(|s| {
                    vec![
                        s.stage.to_string(),
                        s.channels.map_or("—".into(), |c| c.to_string()),
                        s.size.map_or("—".into(), |(h, w)| format!("{h}×{w}")),
                        format!("{:.1}", s.macs as f64 / 1e6),
                    ]
                })
                .collect(),
        }),
    ];
    for u in &d.unknown_ops {
        out.push(Block::Paragraph {
            text: format!("Not understood (skipped): `{}` × {}.", u.op, u.count),
        });
    }
    for n in &d.notes {
        out.push(Block::Paragraph {
            text: format!("{n}."),
        });
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
