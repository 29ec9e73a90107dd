//! Keras models without TensorFlow: a Keras 3 `.keras` file (a zip whose
//! `config.json` holds the model config and its `compile_config`) or the
//! JSON of Keras 2/3 `model.to_json()`. Sequential and Functional models;
//! inbound nodes in both the Keras 2 (`[[["name", 0, 0, {}]]]`) and the
//! Keras 3 (`{"args": [{"config": {"keras_history": ["name", 0, 0]}}]}`)
//! forms. A layer's fused `activation` becomes a node of its own
//! (`name/activation`), so that `Dense(..., activation="softmax")` is seen
//! as a softmax.

use std::io::Read;
use std::path::Path;

use serde_json::Value;
use triage_docs::lint::SetupDoc;

use crate::error::LintError;
use crate::graph::{Graph, Op, Padding, PoolKind, RawNode};

/// Largest `config.json` read from a `.keras` archive.
pub const MAX_CONFIG_BYTES: u64 = 64 << 20;

/// A Keras model: its graph and what its `compile_config` says of the
/// training setup.
#[derive(Debug, Clone)]
pub struct KerasModel {
    /// The layer graph.
    pub graph: Graph,
    /// Optimizer and loss, when the file was saved compiled.
    pub setup: Option<SetupDoc>,
    /// Layer classes not understood (listed, passed through).
    pub unknown: Vec<String>,
}

fn not_keras(path: &Path, reason: impl Into<String>) -> LintError {
    LintError::NotAModel {
        path: path.to_path_buf(),
        expected: "a Keras model",
        reason: reason.into(),
    }
}

/// The `config.json` of a `.keras` archive.
///
/// # Errors
/// [`LintError::NotAModel`] for a zip without `config.json`, a corrupt
/// archive or an oversized entry.
pub fn config_of_archive(path: &Path, file: std::fs::File) -> Result<Value, LintError> {
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| not_keras(path, format!("not a readable zip archive ({e})")))?;
    let entry = zip.by_name("config.json").map_err(|_| {
        not_keras(
            path,
            "a zip archive without `config.json` (not a Keras 3 `.keras` file)",
        )
    })?;
    let mut text = String::new();
    entry
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| not_keras(path, format!("`config.json` cannot be read ({e})")))?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(not_keras(path, "`config.json` is larger than 64 MiB"));
    }
    serde_json::from_str(&text)
        .map_err(|e| not_keras(path, format!("`config.json` is not JSON ({e})")))
}

/// Read a Keras model config (the value of `config.json` or of
/// `model.to_json()`).
///
/// # Errors
/// [`LintError::NotAModel`] when it is not a Sequential or Functional
/// config; [`LintError::Graph`] for a dangling inbound node or a cycle.
pub fn read_config(path: &Path, root: &Value) -> Result<KerasModel, LintError> {
    let class = root["class_name"].as_str().unwrap_or("");
    let config = &root["config"];
    let functional = matches!(class, "Functional" | "Model");
    if !functional && class != "Sequential" {
        let found = match root["format"].as_str() {
            Some(format) => format!("a `{format}` document"),
            None if class.is_empty() => "JSON without `class_name`".to_owned(),
            None => format!("class `{class}`"),
        };
        return Err(not_keras(
            path,
            format!("{found}; expected `Sequential` or `Functional`"),
        ));
    }
    let layers = config["layers"]
        .as_array()
        .ok_or_else(|| not_keras(path, format!("no `config.layers` (class `{class}`)")))?;
    let mut raw = Vec::new();
    let mut unknown = Vec::new();
    let mut input_shape = config
        .get("build_input_shape")
        .and_then(|s| shape_of(s, channels_first(config)));
    // The node each layer's output is read from (after its activation).
    let mut output_of: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut previous: Option<String> = None;
    if !functional {
        raw.push(RawNode {
            name: "input".into(),
            op: Op::Input,
            inputs: Vec::new(),
        });
        previous = Some("input".into());
    }
    for (i, layer) in layers.iter().enumerate() {
        let lc = layer["class_name"].as_str().unwrap_or("");
        let cfg = &layer["config"];
        let name = layer["name"]
            .as_str()
            .or_else(|| cfg["name"].as_str())
            .map_or_else(|| format!("layer_{i}"), str::to_owned);
        for key in ["batch_shape", "batch_input_shape"] {
            if let Some(s) = cfg.get(key).and_then(|s| shape_of(s, channels_first(cfg))) {
                input_shape.get_or_insert(s);
            }
        }
        let inputs: Vec<String> = if functional {
            let mut names = Vec::new();
            histories(&layer["inbound_nodes"], &mut names);
            names
                .into_iter()
                .map(|n| output_of.get(&n).cloned().unwrap_or(n))
                .collect()
        } else {
            previous.clone().into_iter().collect()
        };
        if lc == "InputLayer" {
            if functional {
                raw.push(RawNode {
                    name: name.clone(),
                    op: Op::Input,
                    inputs: Vec::new(),
                });
                output_of.insert(name.clone(), name.clone());
            }
            continue;
        }
        let op = layer_op(lc, cfg);
        if let Op::Unknown(c) = &op {
            unknown.push(c.clone());
        }
        raw.push(RawNode {
            name: name.clone(),
            op,
            inputs,
        });
        let mut last = name.clone();
        if let Some(act) = cfg["activation"].as_str().filter(|a| *a != "linear") {
            if lc != "Activation" {
                let node = format!("{name}/activation");
                raw.push(RawNode {
                    name: node.clone(),
                    op: activation(act),
                    inputs: vec![name.clone()],
                });
                last = node;
            }
        }
        output_of.insert(name, last.clone());
        previous = Some(last);
    }
    let mut graph = Graph::from_raw(path, raw, input_shape)?;
    if input_shape.is_none() {
        graph.notes.push(
            "no input shape in the config: shapes, MACs and receptive fields are not inferred"
                .into(),
        );
    }
    let mut setup = root
        .get("compile_config")
        .filter(|c| !c.is_null())
        .map(compile_setup);
    let l2 = layers.iter().any(|l| {
        let r = &l["config"]["kernel_regularizer"];
        let class = r["class_name"].as_str().unwrap_or("");
        class == "L2" || class == "L1L2" || r["config"]["l2"].as_f64().is_some_and(|x| x > 0.0)
    });
    if let (Some(s), true) = (&mut setup, l2) {
        s.l2_in_loss = Some(true);
    }
    Ok(KerasModel {
        graph,
        setup,
        unknown,
    })
}

fn channels_first(cfg: &Value) -> bool {
    cfg["data_format"].as_str() == Some("channels_first")
}

/// `[null, H, W, C]` (or `[null, C, H, W]` channels-first) as `[C, H, W]`.
fn shape_of(v: &Value, channels_first: bool) -> Option<[usize; 3]> {
    let dims: Vec<Option<usize>> = v
        .as_array()?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize))
        .collect();
    match dims.as_slice() {
        [_, Some(a), Some(b), Some(c)] if channels_first => Some([*a, *b, *c]),
        [_, Some(h), Some(w), Some(c)] => Some([*c, *h, *w]),
        _ => None,
    }
}

/// Every `keras_history` layer name (Keras 3) or `[name, i, j, …]` entry
/// (Keras 2) in an `inbound_nodes` value, in order.
fn histories(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(h) = map.get("keras_history").and_then(Value::as_array) {
                if let Some(n) = h.first().and_then(Value::as_str) {
                    out.push(n.to_owned());
                }
                return;
            }
            for value in map.values() {
                histories(value, out);
            }
        }
        Value::Array(items) => {
            // Keras 2: ["name", node_index, tensor_index, {kwargs}].
            if let (Some(Value::String(n)), Some(Value::Number(_))) = (items.first(), items.get(1))
            {
                out.push(n.clone());
                return;
            }
            for item in items {
                histories(item, out);
            }
        }
        _ => {}
    }
}

fn pair(v: &Value, default: usize) -> [usize; 2] {
    match v {
        Value::Number(n) => {
            let n = n.as_u64().unwrap_or(default as u64) as usize;
            [n, n]
        }
        Value::Array(a) => {
            let get = |i: usize| {
                a.get(i)
                    .and_then(Value::as_u64)
                    .map_or(default, |x| x as usize)
            };
            [get(0), get(1)]
        }
        _ => [default, default],
    }
}

fn padding(v: &Value) -> Padding {
    if v.as_str() == Some("same") {
        Padding::Same
    } else {
        Padding::Valid
    }
}

fn activation(name: &str) -> Op {
    match name {
        "softmax" => Op::Softmax,
        "log_softmax" => Op::LogSoftmax,
        other => Op::Activation(other.to_owned()),
    }
}

fn layer_op(class: &str, cfg: &Value) -> Op {
    let rate = cfg["rate"].as_f64();
    match class {
        "Conv2D" | "Convolution2D" => Op::Conv {
            filters: cfg["filters"].as_u64().unwrap_or(0) as usize,
            in_channels: None,
            kernel: pair(&cfg["kernel_size"], 1),
            stride: pair(&cfg["strides"], 1),
            padding: padding(&cfg["padding"]),
            groups: cfg["groups"].as_u64().unwrap_or(1) as usize,
            bias: cfg["use_bias"].as_bool().unwrap_or(true),
        },
        "Dense" => Op::Dense {
            units: cfg["units"].as_u64().unwrap_or(0) as usize,
            in_features: None,
            bias: cfg["use_bias"].as_bool().unwrap_or(true),
        },
        "BatchNormalization" => Op::BatchNorm,
        "LayerNormalization" | "GroupNormalization" | "UnitNormalization" => {
            Op::OtherNorm(class.to_owned())
        }
        "Dropout" | "SpatialDropout2D" | "GaussianDropout" | "AlphaDropout" => Op::Dropout { rate },
        "Activation" => activation(cfg["activation"].as_str().unwrap_or("linear")),
        "Softmax" => Op::Softmax,
        "ReLU" | "LeakyReLU" | "ELU" | "PReLU" => Op::Activation(class.to_lowercase()),
        "MaxPooling2D" | "MaxPool2D" | "AveragePooling2D" | "AvgPool2D" => {
            let kernel = pair(&cfg["pool_size"], 2);
            let stride = if cfg["strides"].is_null() {
                kernel
            } else {
                pair(&cfg["strides"], 2)
            };
            Op::Pool {
                kind: if class.starts_with("Max") {
                    PoolKind::Max
                } else {
                    PoolKind::Avg
                },
                kernel,
                stride,
                padding: padding(&cfg["padding"]),
            }
        }
        "GlobalAveragePooling2D" | "GlobalAvgPool2D" => Op::GlobalPool(PoolKind::Avg),
        "GlobalMaxPooling2D" | "GlobalMaxPool2D" => Op::GlobalPool(PoolKind::Max),
        "Flatten" => Op::Flatten,
        "Add" => Op::Add,
        "Concatenate" => Op::Concat,
        "Rescaling"
        | "Normalization"
        | "RandomFlip"
        | "RandomRotation"
        | "RandomZoom"
        | "RandomTranslation"
        | "RandomContrast"
        | "RandomCrop"
        | "GaussianNoise"
        | "ActivityRegularization" => Op::Passthrough(class.to_owned()),
        other => Op::Unknown(other.to_owned()),
    }
}

/// The training setup a `compile_config` states: optimizer (class, momentum,
/// Nesterov, weight decay; AdamW's decay is decoupled), a learning-rate
/// schedule object or a constant rate, and whether the loss takes logits.
pub fn compile_setup(c: &Value) -> SetupDoc {
    let opt = &c["optimizer"];
    let (name, cfg) = match opt {
        Value::String(s) => (s.to_lowercase(), &Value::Null),
        _ => (
            opt["class_name"].as_str().unwrap_or("").to_lowercase(),
            &opt["config"],
        ),
    };
    let schedule = match &cfg["learning_rate"] {
        Value::Object(m) => m
            .get("class_name")
            .and_then(Value::as_str)
            .map(str::to_lowercase),
        Value::Number(_) => Some("constant".to_owned()),
        _ => None,
    };
    let loss = &c["loss"];
    let from_logits = match loss {
        Value::Object(_) => loss["config"]["from_logits"].as_bool(),
        Value::String(_) => Some(false),
        _ => None,
    };
    SetupDoc {
        from: vec!["the Keras compile_config".to_owned()],
        optimizer: (!name.is_empty()).then(|| name.clone()),
        momentum: cfg["momentum"].as_f64(),
        nesterov: cfg["nesterov"].as_bool(),
        weight_decay: cfg["weight_decay"].as_f64(),
        // Keras 3 applies every optimizer's `weight_decay` to the weights
        // directly (decoupled), as AdamW does.
        decoupled_decay: cfg["weight_decay"].as_f64().map(|_| true),
        schedule,
        loss_from_logits: from_logits,
        ..SetupDoc::default()
    }
}
