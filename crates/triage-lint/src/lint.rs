//! Read a model (ONNX, Keras, a triage run), infer its layers, run the
//! rules, and write the `triage-lint` document.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use triage_docs::lint::{
    LayerDoc, LintDoc, SetupDoc, ShapeDoc, StageDoc, Totals, UnknownOp, LINT_FORMAT, LINT_VERSION,
};
use triage_docs::profile::OrderReport;
use triage_docs::run::RunMeta;

use crate::error::LintError;
use crate::graph::{Graph, Op, PoolKind};
use crate::infer::{depth, infer, saturating_sum, Layer, Shape};
use crate::rules::{run_all, Context};

/// Default size limit of a model file (ONNX files carry their weights).
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files larger than this are refused (default [`MAX_MODEL_BYTES`]).
    pub max_bytes: Option<u64>,
    /// The training setup given on the command line (overrides what the
    /// file says, field by field).
    pub setup: Option<SetupDoc>,
    /// The dataset's order check, from a profile.
    pub order: Option<OrderReport>,
    /// Input shape (C, H, W) when the file does not state it.
    pub input: Option<[usize; 3]>,
}

/// A model as read from a file.
struct Loaded {
    format: &'static str,
    graph: Graph,
    setup: Option<SetupDoc>,
    unknown: Vec<String>,
    inference_export: bool,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> LintError + '_ {
    move |source| LintError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Lint the model at `path`: an ONNX file, a Keras `.keras` file or
/// `to_json()` output, or a triage run directory (or its `run.json`).
///
/// # Errors
/// [`LintError`]: unreadable, too large, not a model, a broken graph.
pub fn lint(path: &Path, opts: &LintOptions) -> Result<LintDoc, LintError> {
    let mut read = read_model(path, opts)?;
    if read.graph.input.is_none() {
        read.graph.input = opts.input;
    }
    let setup = merge(read.setup.take(), opts.setup.clone());
    let layers = infer(&read.graph);
    // A run directory holds the profile of its training data.
    let order = opts.order.clone().or_else(|| run_profile_order(path));
    let cx = Context {
        graph: &read.graph,
        layers: &layers,
        setup: setup.as_ref(),
        order: order.as_ref(),
        inference_export: read.inference_export,
    };
    let findings = run_all(&cx);
    let mut notes = read.graph.notes.clone();
    if !read.unknown.is_empty() {
        notes.push(
            "operators triage does not understand are passed through unchanged: shapes after them may be off"
                .to_owned(),
        );
    }
    Ok(LintDoc {
        format: LINT_FORMAT.to_owned(),
        version: LINT_VERSION,
        source: path.display().to_string(),
        model_format: read.format.to_owned(),
        input: read
            .graph
            .input
            .map(|[c, h, w]| (c as u64, h as u64, w as u64)),
        layers: layer_rows(&read.graph, &layers),
        totals: totals(&read.graph, &layers),
        stages: stage_rows(&read.graph, &layers),
        setup,
        findings,
        unknown_ops: count(&read.unknown),
        notes,
    })
}

/// The order check of a run directory's `profile.json`, if it has one.
fn run_profile_order(path: &Path) -> Option<OrderReport> {
    let profile = path.join(triage_docs::run_layout::PROFILE);
    let text = triage_data::bounded_read::read_document(&profile).ok()?;
    triage_docs::read_str::<triage_docs::profile::DatasetProfile>(&text)
        .ok()
        .map(|p| p.order)
}

fn read_model(path: &Path, opts: &LintOptions) -> Result<Loaded, LintError> {
    if path.is_dir() {
        return read_run(&path.join("run.json"), opts);
    }
    let meta = std::fs::metadata(path).map_err(io(path))?;
    let limit = opts.max_bytes.unwrap_or(MAX_MODEL_BYTES);
    if meta.len() > limit {
        return Err(LintError::TooLarge {
            path: path.to_path_buf(),
            bytes: meta.len(),
            limit,
        });
    }
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(io(path))?;
    if head[..n].starts_with(b"PK\x03\x04") {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let config = crate::keras::config_of_archive(path, file)?;
        return keras(path, &config, "keras");
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') {
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| LintError::NotAModel {
                path: path.to_path_buf(),
                expected: "a model",
                reason: format!("JSON that does not parse ({e})"),
            })?;
        if value.get("format").and_then(|f| f.as_str()) == Some(triage_docs::run::RUN_FORMAT) {
            return read_run(path, opts);
        }
        return keras(path, &value, "keras-json");
    }
    let model = crate::onnx::read(path, &bytes)?;
    Ok(Loaded {
        format: "onnx",
        graph: model.graph,
        setup: None,
        unknown: model.unknown,
        inference_export: model.inference_export,
    })
}

fn keras(
    path: &Path,
    config: &serde_json::Value,
    format: &'static str,
) -> Result<Loaded, LintError> {
    let m = crate::keras::read_config(path, config)?;
    Ok(Loaded {
        format,
        graph: m.graph,
        setup: m.setup,
        unknown: m.unknown,
        inference_export: false,
    })
}

fn read_run(path: &Path, opts: &LintOptions) -> Result<Loaded, LintError> {
    let text = triage_data::bounded_read::read_document(path).map_err(io(path))?;
    let run: RunMeta = triage_docs::read_str(&text).map_err(|e| LintError::NotAModel {
        path: path.to_path_buf(),
        expected: "a triage run (`run.json`)",
        reason: e.to_string(),
    })?;
    // Widths and blocks within triage's own limits (a hostile run.json
    // must not make the graph huge).
    run.model
        .spec
        .check_input(run.input, run.classes.len())
        .map_err(|e| LintError::NotAModel {
            path: path.to_path_buf(),
            expected: "a triage run (`run.json`)",
            reason: format!("its model spec cannot be built: {e}"),
        })?;
    let input = [run.input.channels, run.input.height, run.input.width];
    let input = opts.input.unwrap_or(input);
    let mut graph = crate::spec::graph_of(&run.model.spec, input, run.classes.len()).unwrap_or_else(|| {
        let mut g = crate::graph::chain(Vec::new(), Some(input));
        g.notes.push(format!(
            "the layers of a `{:?}` spec are not described to the lint yet: only the training setup is checked",
            run.model.spec.kind
        ));
        g
    });
    graph.notes.retain(|n| !n.is_empty());
    Ok(Loaded {
        format: "triage-spec",
        graph,
        setup: Some(crate::spec::run_setup(&run)),
        unknown: Vec::new(),
        inference_export: false,
    })
}

/// `base` with every field `over` states replaced; `from` lists both.
fn merge(base: Option<SetupDoc>, over: Option<SetupDoc>) -> Option<SetupDoc> {
    let (mut b, o) = match (base, over) {
        (b, None) => return b,
        (None, o) => return o,
        (Some(b), Some(o)) => (b, o),
    };
    b.from.extend(o.from);
    macro_rules! take {
        ($($f:ident),*) => { $( if o.$f.is_some() { b.$f = o.$f; } )* };
    }
    take!(
        optimizer,
        momentum,
        nesterov,
        weight_decay,
        decoupled_decay,
        schedule,
        batch_size,
        select,
        shuffle,
        validation_split,
        loss_from_logits,
        l2_in_loss
    );
    Some(b)
}

fn count(names: &[String]) -> Vec<UnknownOp> {
    let mut map: BTreeMap<&str, u64> = BTreeMap::new();
    for n in names {
        *map.entry(n.as_str()).or_default() += 1;
    }
    map.into_iter()
        .map(|(op, count)| UnknownOp {
            op: op.to_owned(),
            count,
        })
        .collect()
}

fn shape_doc(s: Shape) -> ShapeDoc {
    match s {
        Shape::Map { c, h, w } => ShapeDoc::Map {
            c: c as u64,
            h: h as u64,
            w: w as u64,
        },
        Shape::Vector(n) => ShapeDoc::Vector { n: n as u64 },
        Shape::Unknown => ShapeDoc::Unknown,
    }
}

/// The layer's type in words.
pub fn kind_of(op: &Op) -> String {
    let pool = |k: PoolKind| if k == PoolKind::Max { "max" } else { "avg" };
    match op {
        Op::Input => "input".into(),
        Op::Conv {
            kernel,
            stride,
            groups,
            ..
        } => {
            let g = if *groups > 1 {
                format!(" groups {groups}")
            } else {
                String::new()
            };
            format!("conv {}×{}/{}{g}", kernel[0], kernel[1], stride[0])
        }
        Op::Dense { .. } => "dense".into(),
        Op::BatchNorm => "batchnorm".into(),
        Op::OtherNorm(n) => n.to_lowercase(),
        Op::Dropout { rate } => rate.map_or("dropout".into(), |r| format!("dropout {r}")),
        Op::Activation(a) => a.clone(),
        Op::Pool {
            kind,
            kernel,
            stride,
            ..
        } => {
            format!(
                "{}pool {}×{}/{}",
                pool(*kind),
                kernel[0],
                kernel[1],
                stride[0]
            )
        }
        Op::GlobalPool(k) => format!("global {}pool", pool(*k)),
        Op::Flatten => "flatten".into(),
        Op::Add => "add".into(),
        Op::Concat => "concat".into(),
        Op::Softmax => "softmax".into(),
        Op::LogSoftmax => "log_softmax".into(),
        Op::Log => "log".into(),
        Op::Passthrough(n) => n.to_lowercase(),
        Op::Unknown(n) => format!("{n} (not understood)"),
    }
}

fn layer_rows(g: &Graph, layers: &[Layer]) -> Vec<LayerDoc> {
    g.nodes
        .iter()
        .zip(layers)
        .map(|(n, l)| LayerDoc {
            name: n.name.clone(),
            kind: kind_of(&n.op),
            shape: shape_doc(l.shape),
            params: l.params,
            macs: l.macs,
            receptive_field: match l.shape {
                Shape::Map { .. } => l.rf.map(|(r, _)| r),
                _ => None,
            },
            stage: l.stage,
        })
        .collect()
}

fn totals(g: &Graph, layers: &[Layer]) -> Totals {
    let head = g
        .nodes
        .iter()
        .find(|n| matches!(n.op, Op::GlobalPool(_) | Op::Flatten))
        .and_then(|n| n.inputs.first())
        .and_then(|&i| layers[i].rf)
        .map(|(r, _)| r);
    Totals {
        params: saturating_sum(layers.iter().map(|l| l.params)),
        macs: saturating_sum(layers.iter().map(|l| l.macs)),
        depth: depth(g),
        receptive_field: head,
        dense_params: saturating_sum(
            g.nodes
                .iter()
                .zip(layers)
                .filter(|(n, _)| matches!(n.op, Op::Dense { .. }))
                .map(|(_, l)| l.params),
        ),
    }
}

fn stage_rows(g: &Graph, layers: &[Layer]) -> Vec<StageDoc> {
    let mut out: BTreeMap<u64, StageDoc> = BTreeMap::new();
    for (n, l) in g.nodes.iter().zip(layers) {
        let e = out.entry(l.stage).or_insert(StageDoc {
            stage: l.stage,
            channels: None,
            size: None,
            macs: 0,
        });
        e.macs = e.macs.saturating_add(l.macs);
        if let Shape::Map { c, h, w } = l.shape {
            if matches!(n.op, Op::Conv { .. }) {
                e.channels = Some(c as u64);
            }
            e.size = Some((h as u64, w as u64));
        }
    }
    out.into_values()
        .filter(|s| s.size.is_some() && (s.channels.is_some() || s.macs > 0))
        .collect()
}
