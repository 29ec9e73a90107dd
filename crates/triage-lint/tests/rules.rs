//! Each rule on hand-built graphs: the case it flags and the case it must
//! not; triage's own specs as graphs (ResNet-20's parameter count as
//! triage-nn documents it); broken graphs refused.

use triage_docs::lint::{LintFinding, SetupDoc};
use triage_docs::model_spec::{ModelKind, ModelSpec};
use triage_docs::profile::{OrderCheck, OrderReport};
use triage_docs::severity::Severity;
use triage_lint::graph::{chain, Graph, Op, Padding, PoolKind, RawNode};
use triage_lint::infer::infer;
use triage_lint::rules::{run_all, Context};

fn conv(filters: usize, stride: usize, bias: bool) -> Op {
    Op::Conv {
        filters,
        in_channels: None,
        kernel: [3, 3],
        stride: [stride, stride],
        padding: Padding::Same,
        groups: 1,
        bias,
    }
}

fn pool() -> Op {
    Op::Pool {
        kind: PoolKind::Max,
        kernel: [2, 2],
        stride: [2, 2],
        padding: Padding::Valid,
    }
}

fn relu() -> Op {
    Op::Activation("relu".into())
}

fn dense(units: usize) -> Op {
    Op::Dense {
        units,
        in_features: None,
        bias: true,
    }
}

fn findings(g: &Graph, setup: Option<&SetupDoc>, order: Option<&OrderReport>) -> Vec<LintFinding> {
    let layers = infer(g);
    run_all(&Context {
        graph: g,
        layers: &layers,
        setup,
        order,
        inference_export: false,
    })
}

fn ids(g: &Graph, setup: Option<&SetupDoc>) -> Vec<String> {
    findings(g, setup, None).into_iter().map(|f| f.id).collect()
}

const INPUT: Option<[usize; 3]> = Some([3, 32, 32]);

/// A small GAP-headed net: conv-BN-relu per stage, widths doubling.
fn good(widths: &[usize]) -> Vec<(&'static str, Op)> {
    let mut ops = Vec::new();
    for &w in widths {
        ops.push(("c", conv(w, 1, false)));
        ops.push(("bn", Op::BatchNorm));
        ops.push(("r", relu()));
        ops.push(("p", pool()));
    }
    ops.push(("gap", Op::GlobalPool(PoolKind::Avg)));
    ops.push(("fc", dense(10)));
    ops
}

fn named(ops: Vec<(&'static str, Op)>) -> Graph {
    // Unique names: the rules quote them.
    let mut g = chain(ops, INPUT);
    for (i, n) in g.nodes.iter_mut().enumerate() {
        n.name = format!("{}{i}", n.name);
    }
    g
}

#[test]
fn a_sound_net_has_no_findings() {
    let g = named(good(&[32, 64, 128, 256, 256]));
    assert_eq!(ids(&g, None), Vec::<String>::new());
}

#[test]
fn dropout_before_batchnorm_and_after_it() {
    let mut ops = good(&[32, 64, 128, 256, 256]);
    ops.insert(3, ("drop", Op::Dropout { rate: Some(0.5) }));
    let found = findings(&named(ops), None, None);
    let f = found
        .iter()
        .find(|f| f.id == "dropout-before-batchnorm")
        .unwrap();
    assert!(f.evidence.contains("2.00×"), "{}", f.evidence);
    // Before the classifier only: fine.
    let mut ops = good(&[32, 64, 128, 256, 256]);
    let fc = ops.len() - 1;
    ops.insert(fc, ("drop", Op::Dropout { rate: Some(0.5) }));
    assert!(!ids(&named(ops), None).contains(&"dropout-before-batchnorm".to_owned()));
}

#[test]
fn channels_shrinking_after_pooling_but_not_constant_ones() {
    assert!(ids(&named(good(&[64, 32, 16])), None)
        .contains(&"channels-shrink-after-downsampling".to_owned()));
    assert!(!ids(&named(good(&[64, 64, 64, 64, 64])), None)
        .contains(&"channels-shrink-after-downsampling".to_owned()));
}

#[test]
fn a_deep_plain_stack_but_not_a_residual_one() {
    let mut ops = Vec::new();
    for _ in 0..21 {
        ops.push(("c", conv(16, 1, false)));
        ops.push(("bn", Op::BatchNorm));
        ops.push(("r", relu()));
    }
    ops.push(("gap", Op::GlobalPool(PoolKind::Avg)));
    ops.push(("fc", dense(10)));
    let plain = named(ops);
    assert!(ids(&plain, None).contains(&"deep-plain-stack".to_owned()));
    // The same with one shortcut joining.
    let mut raw: Vec<RawNode> = plain
        .nodes
        .iter()
        .map(|n| RawNode {
            name: n.name.clone(),
            op: n.op.clone(),
            inputs: n
                .inputs
                .iter()
                .map(|&j| plain.nodes[j].name.clone())
                .collect(),
        })
        .collect();
    let last = raw.len() - 3; // the last relu
    raw.insert(
        last + 1,
        RawNode {
            name: "add".into(),
            op: Op::Add,
            inputs: vec![raw[last].name.clone(), raw[3].name.clone()],
        },
    );
    raw[last + 2].inputs = vec!["add".into()];
    let residual = Graph::from_raw(std::path::Path::new("t"), raw, INPUT).unwrap();
    assert!(!ids(&residual, None).contains(&"deep-plain-stack".to_owned()));
}

#[test]
fn softmax_rules() {
    let mut ops = good(&[32, 64, 128, 256, 256]);
    ops.push(("sm", Op::Softmax));
    let g = named(ops.clone());
    assert!(ids(&g, None).contains(&"softmax-output".to_owned()));
    let logits = SetupDoc {
        loss_from_logits: Some(true),
        ..SetupDoc::default()
    };
    let f = findings(&g, Some(&logits), None);
    let double = f.iter().find(|f| f.id == "double-softmax").unwrap();
    assert_eq!(double.severity, Severity::Critical);
    let probs = SetupDoc {
        loss_from_logits: Some(false),
        ..SetupDoc::default()
    };
    assert!(!ids(&g, Some(&probs)).iter().any(|i| i.contains("softmax")));
    ops.push(("log", Op::Log));
    assert!(ids(&named(ops), None).contains(&"log-of-softmax".to_owned()));
}

#[test]
fn dense_heads_normalisation_and_bias() {
    // VGG head: flatten a 4×4 map into big dense layers.
    let mut ops = good(&[16, 32, 32]);
    ops.truncate(ops.len() - 2);
    ops.extend([("f", Op::Flatten), ("d", dense(512)), ("o", dense(10))]);
    assert!(ids(&named(ops), None).contains(&"dense-head-dominates".to_owned()));
    // Twelve convolutions and no normalisation; biases before BatchNorm.
    let mut ops = Vec::new();
    for _ in 0..12 {
        ops.push(("c", conv(16, 1, true)));
        ops.push(("r", relu()));
    }
    ops.push(("gap", Op::GlobalPool(PoolKind::Avg)));
    ops.push(("fc", dense(10)));
    assert!(ids(&named(ops), None).contains(&"no-normalisation".to_owned()));
    let g = named(vec![
        ("c", conv(16, 1, true)),
        ("bn", Op::BatchNorm),
        ("r", relu()),
        ("gap", Op::GlobalPool(PoolKind::Avg)),
        ("fc", dense(10)),
    ]);
    assert!(ids(&g, None).contains(&"bias-before-batchnorm".to_owned()));
}

#[test]
fn receptive_field_collapse_and_stem() {
    // Two 3×3 convolutions then GAP: each feature sees 5 of 32 pixels.
    let g = named(vec![
        ("c", conv(16, 1, false)),
        ("bn", Op::BatchNorm),
        ("c", conv(32, 1, false)),
        ("bn", Op::BatchNorm),
        ("gap", Op::GlobalPool(PoolKind::Avg)),
        ("fc", dense(10)),
    ]);
    let f = findings(&g, None, None);
    let rf = f.iter().find(|f| f.id == "receptive-field-small").unwrap();
    assert!(rf.title.contains("5 of 32"), "{}", rf.title);
    // Five poolings of a 32 px image, then three convolutions on 1×1.
    let mut ops = good(&[32, 64, 128, 256, 256]);
    let gap = ops.len() - 2;
    for _ in 0..3 {
        ops.insert(gap, ("late", conv(256, 1, false)));
    }
    assert!(ids(&named(ops), None).contains(&"spatial-collapse".to_owned()));
    // A 7×7/2 stem on 32 px.
    let mut ops = good(&[32, 64, 128, 256, 256]);
    ops[0].1 = Op::Conv {
        filters: 32,
        in_channels: None,
        kernel: [7, 7],
        stride: [2, 2],
        padding: Padding::Same,
        groups: 1,
        bias: false,
    };
    assert!(ids(&named(ops), None).contains(&"large-first-kernel".to_owned()));
}

#[test]
fn training_rules_and_their_negatives() {
    let g = named(good(&[32, 64, 128, 256, 256]));
    let bad = SetupDoc {
        from: vec!["test".into()],
        optimizer: Some("adam".into()),
        weight_decay: Some(1e-4),
        decoupled_decay: Some(false),
        schedule: Some("constant".into()),
        batch_size: Some(8),
        select: Some("accuracy".into()),
        shuffle: Some(false),
        ..SetupDoc::default()
    };
    let found = ids(&g, Some(&bad));
    for rule in [
        "adam-l2",
        "no-schedule",
        "small-batch-batchnorm",
        "select-on-accuracy",
        "no-shuffle",
    ] {
        assert!(found.contains(&rule.to_owned()), "{rule}: {found:?}");
    }
    let good_setup = SetupDoc {
        optimizer: Some("sgd".into()),
        momentum: Some(0.9),
        nesterov: Some(true),
        weight_decay: Some(5e-4),
        decoupled_decay: Some(false),
        schedule: Some("cosine".into()),
        batch_size: Some(128),
        select: Some("loss".into()),
        shuffle: Some(true),
        validation_split: Some("stratified".into()),
        ..SetupDoc::default()
    };
    assert_eq!(ids(&g, Some(&good_setup)), Vec::<String>::new());
    let plain_sgd = SetupDoc {
        optimizer: Some("sgd".into()),
        ..SetupDoc::default()
    };
    assert!(ids(&g, Some(&plain_sgd)).contains(&"sgd-without-momentum".to_owned()));
    let adamw = SetupDoc {
        optimizer: Some("adamw".into()),
        weight_decay: Some(0.05),
        decoupled_decay: Some(true),
        ..SetupDoc::default()
    };
    assert!(ids(&g, Some(&adamw)).is_empty());
}

#[test]
fn a_tail_split_on_sorted_data_is_critical() {
    let g = named(good(&[32, 64, 128, 256, 256]));
    let tail = SetupDoc {
        validation_split: Some("tail".into()),
        ..SetupDoc::default()
    };
    let check = |sorted: bool| OrderReport {
        all: OrderCheck {
            n: 1000,
            classes_present: 10,
            runs: if sorted { 10 } else { 900 },
            expected_runs: 901.0,
            sorted,
            tail_splits: Vec::new(),
        },
        by_split: Default::default(),
    };
    let severity = |sorted: bool| {
        findings(&g, Some(&tail), Some(&check(sorted)))
            .into_iter()
            .find(|f| f.id == "tail-validation-split")
            .unwrap()
            .severity
    };
    assert_eq!(severity(true), Severity::Critical);
    assert_eq!(severity(false), Severity::Info);
    let unknown = findings(&g, Some(&tail), None);
    assert_eq!(unknown[0].severity, Severity::Warning);
}

#[test]
fn triage_specs_become_graphs() {
    let resnet20 = ModelSpec {
        widths: Some(vec![16, 32, 64]),
        blocks: Some(vec![3, 3, 3]),
        ..ModelSpec::new(ModelKind::Resnet)
    };
    let g = triage_lint::spec::graph_of(&resnet20, [3, 32, 32], 10).unwrap();
    let params: u64 = infer(&g).iter().map(|l| l.params).sum();
    // triage-nn's resnet module: "ResNet-20 with 3 input channels has
    // 272,474 trainable parameters for 10 classes".
    assert_eq!(params, 272_474);
    assert_eq!(triage_lint::infer::depth(&g), 20);
    assert!(findings(&g, None, None)
        .iter()
        .all(|f| f.severity == Severity::Info));
    // The seed's VGG-like spec: halved channels, dropout in every block.
    let seed = ModelSpec {
        kind: ModelKind::Vgg,
        widths: Some(vec![64, 128, 256]),
        block_dropout: 0.3,
        halve_after_pool: true,
        ..resnet20
    };
    let g = triage_lint::spec::graph_of(&seed, [3, 32, 32], 10).unwrap();
    let found = ids(&g, None);
    for rule in [
        "dropout-before-batchnorm",
        "channels-shrink-after-downsampling",
        "dropout-every-block",
    ] {
        assert!(found.contains(&rule.to_owned()), "{rule}: {found:?}");
    }
}

#[test]
fn broken_graphs_are_refused() {
    let node = |name: &str, inputs: &[&str]| RawNode {
        name: name.into(),
        op: Op::Activation("relu".into()),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
    };
    let p = std::path::Path::new("m.onnx");
    let cycle = Graph::from_raw(p, vec![node("a", &["b"]), node("b", &["a"])], None).unwrap_err();
    assert!(cycle.to_string().contains("cycle"), "{cycle}");
    let dangling = Graph::from_raw(p, vec![node("a", &["zz"])], None).unwrap_err();
    assert!(dangling.to_string().contains("`zz`"), "{dangling}");
    let twice = Graph::from_raw(p, vec![node("a", &[]), node("a", &[])], None).unwrap_err();
    assert!(twice.to_string().contains("two layers"), "{twice}");
}
