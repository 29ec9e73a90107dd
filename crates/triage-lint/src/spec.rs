//! triage's own runs: the model spec of `run.json` as a layer graph (the
//! layouts triage-nn builds, described in its module docs) and the
//! training setup of its `train` section.

use triage_docs::lint::SetupDoc;
use triage_docs::model_spec::{
    ModelKind, ModelSpec, Norm, RESNEXT_DEFAULT_BOTTLENECK_WIDTH, RESNEXT_DEFAULT_CARDINALITY,
    RESNEXT_DEFAULT_STEM,
};
use triage_docs::optimizer::OptimizerSpec;
use triage_docs::run::RunMeta;
use triage_docs::training::Select;

use crate::graph::{Graph, Node, Op, Padding, PoolKind};

/// Builds a graph node by node.
struct Builder {
    nodes: Vec<Node>,
}

impl Builder {
    fn push(&mut self, name: String, op: Op, inputs: Vec<usize>) -> usize {
        self.nodes.push(Node { name, op, inputs });
        self.nodes.len() - 1
    }

    fn then(&mut self, name: String, op: Op, from: usize) -> usize {
        self.push(name, op, vec![from])
    }
}

fn conv(filters: usize, k: usize, stride: usize, groups: usize) -> Op {
    Op::Conv {
        filters,
        in_channels: None,
        kernel: [k, k],
        stride: [stride, stride],
        padding: Padding::Explicit([k / 2; 4]),
        groups,
        bias: false,
    }
}

/// `conv → BN (if norm) → ReLU`, named `prefix.conv`, …
fn unit(b: &mut Builder, prefix: &str, op: Op, norm: bool, relu: bool, from: usize) -> usize {
    let mut x = b.then(format!("{prefix}.conv"), op, from);
    if norm {
        x = b.then(format!("{prefix}.bn"), Op::BatchNorm, x);
    }
    if relu {
        x = b.then(format!("{prefix}.relu"), Op::Activation("relu".into()), x);
    }
    x
}

/// The stages of a residual network: for stage s, `blocks[s]` blocks of
/// width `widths[s]` (stride 2 at the start of every stage but the first),
/// each `branch(b, prefix, s, width, stride, input)` joined with its
/// shortcut; the last block's output.
fn residual_stages(
    b: &mut Builder,
    widths: &[usize],
    blocks: &[usize],
    mut channels: usize,
    norm: bool,
    mut x: usize,
    branch: impl Fn(&mut Builder, &str, usize, usize, usize, usize) -> usize,
) -> usize {
    for (s, (&w, &n)) in widths.iter().zip(blocks).enumerate() {
        for k in 0..n {
            let p = format!("stage{s}.block{k}");
            let stride = if s > 0 && k == 0 { 2 } else { 1 };
            let out = branch(b, &p, s, w, stride, x);
            let shortcut = Shortcut {
                from: x,
                channels,
                width: w,
                stride,
                norm,
            };
            x = join(b, &p, shortcut, out);
            channels = w;
        }
    }
    x
}

/// Where a residual block's shortcut starts and what it must match.
struct Shortcut {
    from: usize,
    channels: usize,
    width: usize,
    stride: usize,
    norm: bool,
}

/// The end of a residual block: the shortcut (identity, or a 1×1
/// projection with BatchNorm where the shape changes, He et al.'s option
/// B) added to the branch, then ReLU.
fn join(b: &mut Builder, p: &str, s: Shortcut, branch: usize) -> usize {
    let shortcut = if s.stride != 1 || s.channels != s.width {
        unit(
            b,
            &format!("{p}.shortcut"),
            conv(s.width, 1, s.stride, 1),
            s.norm,
            false,
            s.from,
        )
    } else {
        s.from
    };
    let sum = b.push(format!("{p}.add"), Op::Add, vec![branch, shortcut]);
    b.then(format!("{p}.relu"), Op::Activation("relu".into()), sum)
}

fn head(b: &mut Builder, spec: &ModelSpec, classes: usize, from: usize) {
    let mut x = from;
    if spec.dropout > 0.0 {
        x = b.then(
            "head.dropout".into(),
            Op::Dropout {
                rate: Some(spec.dropout),
            },
            x,
        );
    }
    b.then(
        "head.fc".into(),
        Op::Dense {
            units: classes,
            in_features: None,
            bias: true,
        },
        x,
    );
}

/// The layer graph of a triage model spec for `input` (C, H, W) and
/// `classes` (`None` is kept for families added later).
pub fn graph_of(spec: &ModelSpec, input: [usize; 3], classes: usize) -> Option<Graph> {
    let mut b = Builder { nodes: Vec::new() };
    let mut x = b.push("input".into(), Op::Input, Vec::new());
    let norm = spec.effective_norm() == Norm::Batch;
    let widths = spec.effective_widths();
    let blocks = spec.effective_blocks();
    match spec.kind {
        ModelKind::Linear | ModelKind::Mlp => {
            x = b.then("flatten".into(), Op::Flatten, x);
            for (i, w) in widths.iter().enumerate() {
                x = b.then(
                    format!("hidden{i}.fc"),
                    Op::Dense {
                        units: *w,
                        in_features: None,
                        bias: true,
                    },
                    x,
                );
                x = b.then(format!("hidden{i}.relu"), Op::Activation("relu".into()), x);
                if spec.dropout > 0.0 {
                    x = b.then(
                        format!("hidden{i}.dropout"),
                        Op::Dropout {
                            rate: Some(spec.dropout),
                        },
                        x,
                    );
                }
            }
            b.then(
                "head.fc".into(),
                Op::Dense {
                    units: classes,
                    in_features: None,
                    bias: true,
                },
                x,
            );
        }
        ModelKind::Vgg => {
            for (s, (&w, &n)) in widths.iter().zip(&blocks).enumerate() {
                for k in 0..n {
                    let p = format!("stage{s}.block{k}");
                    x = unit(&mut b, &p, conv(w, 3, 1, 1), norm, true, x);
                    if spec.block_dropout > 0.0 {
                        x = b.then(
                            format!("{p}.dropout"),
                            Op::Dropout {
                                rate: Some(spec.block_dropout),
                            },
                            x,
                        );
                    }
                }
                x = b.then(
                    format!("stage{s}.pool"),
                    Op::Pool {
                        kind: PoolKind::Max,
                        kernel: [2, 2],
                        stride: [2, 2],
                        padding: Padding::Valid,
                    },
                    x,
                );
            }
            x = b.then("gap".into(), Op::GlobalPool(PoolKind::Avg), x);
            let last = widths.last().copied().unwrap_or(0);
            x = b.then(
                "penultimate.fc".into(),
                Op::Dense {
                    units: last,
                    in_features: None,
                    bias: true,
                },
                x,
            );
            x = b.then("penultimate.relu".into(), Op::Activation("relu".into()), x);
            head(&mut b, spec, classes, x);
        }
        ModelKind::Resnet => {
            let first = widths.first().copied().unwrap_or(16);
            x = unit(&mut b, "stem", conv(first, 3, 1, 1), norm, true, x);
            // Basic blocks: 3×3 (stride) + BN + ReLU, 3×3 + BN.
            x = residual_stages(
                &mut b,
                &widths,
                &blocks,
                first,
                norm,
                x,
                |b, p, _, w, stride, x| {
                    let a = unit(b, &format!("{p}.a"), conv(w, 3, stride, 1), norm, true, x);
                    unit(b, &format!("{p}.b"), conv(w, 3, 1, 1), norm, false, a)
                },
            );
            x = b.then("gap".into(), Op::GlobalPool(PoolKind::Avg), x);
            head(&mut b, spec, classes, x);
        }
        ModelKind::Resnext => {
            let card = spec.cardinality.unwrap_or(RESNEXT_DEFAULT_CARDINALITY);
            let width = spec
                .bottleneck_width
                .unwrap_or(RESNEXT_DEFAULT_BOTTLENECK_WIDTH);
            let stem = spec.stem.unwrap_or(RESNEXT_DEFAULT_STEM);
            x = unit(&mut b, "stem", conv(stem, 3, 1, 1), norm, true, x);
            // Bottlenecks: 1×1 to inner, grouped 3×3 (stride), 1×1 to the
            // stage width; inner = cardinality × width × 2^stage.
            x = residual_stages(
                &mut b,
                &widths,
                &blocks,
                stem,
                norm,
                x,
                |b, p, s, w, stride, x| {
                    let inner = card.saturating_mul(width).saturating_mul(1 << s.min(20));
                    let a = unit(
                        b,
                        &format!("{p}.reduce"),
                        conv(inner, 1, 1, 1),
                        norm,
                        true,
                        x,
                    );
                    let g = unit(
                        b,
                        &format!("{p}.grouped"),
                        conv(inner, 3, stride, card),
                        norm,
                        true,
                        a,
                    );
                    unit(b, &format!("{p}.expand"), conv(w, 1, 1, 1), norm, false, g)
                },
            );
            x = b.then("gap".into(), Op::GlobalPool(PoolKind::Avg), x);
            head(&mut b, spec, classes, x);
        }
        ModelKind::Resnet9 => {
            let w = |i: usize| widths.get(i).copied().unwrap_or(0);
            let pool = || Op::Pool {
                kind: PoolKind::Max,
                kernel: [2, 2],
                stride: [2, 2],
                padding: Padding::Valid,
            };
            x = unit(&mut b, "prep", conv(w(0), 3, 1, 1), norm, true, x);
            for (layer, width, residual) in [(1, w(1), true), (2, w(2), false), (3, w(3), true)] {
                x = unit(
                    &mut b,
                    &format!("layer{layer}"),
                    conv(width, 3, 1, 1),
                    norm,
                    true,
                    x,
                );
                x = b.then(format!("layer{layer}.pool"), pool(), x);
                if residual {
                    let r1 = unit(
                        &mut b,
                        &format!("layer{layer}.res1"),
                        conv(width, 3, 1, 1),
                        norm,
                        true,
                        x,
                    );
                    let r2 = unit(
                        &mut b,
                        &format!("layer{layer}.res2"),
                        conv(width, 3, 1, 1),
                        norm,
                        true,
                        r1,
                    );
                    x = b.push(format!("layer{layer}.add"), Op::Add, vec![r2, x]);
                }
            }
            x = b.then("gmp".into(), Op::GlobalPool(PoolKind::Max), x);
            x = b.then(
                "head.fc".into(),
                Op::Dense {
                    units: classes,
                    in_features: None,
                    bias: false,
                },
                x,
            );
            b.then(
                "head.scale".into(),
                Op::Passthrough("scale 0.125".into()),
                x,
            );
        }
    }
    Some(Graph {
        nodes: b.nodes,
        input: Some(input),
        notes: Vec::new(),
    })
}

/// The training setup of a triage run: triage always shuffles; its
/// validation set is a stratified split or the dataset's own.
pub fn run_setup(run: &RunMeta) -> SetupDoc {
    let t = &run.train;
    let (optimizer, momentum, nesterov, weight_decay, decoupled) = match t.optimizer {
        OptimizerSpec::Sgd {
            momentum,
            nesterov,
            weight_decay,
        } => (
            "sgd",
            Some(momentum),
            Some(nesterov),
            Some(weight_decay),
            Some(false),
        ),
        OptimizerSpec::Adam => ("adam", None, None, Some(0.0), Some(false)),
        OptimizerSpec::AdamW { weight_decay } => {
            ("adamw", None, None, Some(weight_decay), Some(true))
        }
        OptimizerSpec::RmsProp => ("rmsprop", None, None, Some(0.0), Some(false)),
        OptimizerSpec::Adadelta => ("adadelta", None, None, Some(0.0), Some(false)),
    };
    let schedule = serde_json::to_value(&t.schedule)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_owned));
    SetupDoc {
        from: vec!["run.json".to_owned()],
        optimizer: Some(optimizer.to_owned()),
        momentum,
        nesterov,
        weight_decay,
        decoupled_decay: decoupled,
        schedule,
        batch_size: Some(t.batch_size as u64),
        select: Some(
            match t.select {
                Select::Loss => "loss",
                Select::Accuracy => "accuracy",
            }
            .to_owned(),
        ),
        shuffle: Some(true),
        validation_split: Some(
            if run.val_source.contains("stratified") {
                "stratified"
            } else {
                "given"
            }
            .to_owned(),
        ),
        loss_from_logits: Some(true),
        l2_in_loss: Some(false),
    }
}
