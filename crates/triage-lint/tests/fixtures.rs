//! The committed fixtures (tools/fixtures/make_lint_fixtures.py): the
//! seed's VGG-like net is flagged with the expected rule ids in every form
//! (ONNX exported both ways, Keras 3 `.keras`, Keras 2 JSON); the ResNet-20
//! passes with nothing above "info". Parameters and MACs match the counts
//! the fixture script computed independently.

use std::path::PathBuf;

use triage_docs::lint::{LintDoc, SetupDoc};
use triage_docs::severity::Severity;
use triage_lint::{lint, LintOptions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn ids(doc: &LintDoc) -> Vec<&str> {
    doc.findings.iter().map(|f| f.id.as_str()).collect()
}

fn expected(name: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    (
        v[name]["params"].as_u64().unwrap(),
        v[name]["macs"].as_u64().unwrap(),
    )
}

fn check_totals(name: &str, doc: &LintDoc) {
    let (params, macs) = expected(name);
    assert_eq!(
        (doc.totals.params, doc.totals.macs),
        (params, macs),
        "{name}"
    );
    assert_eq!(doc.input, Some((3, 32, 32)), "{name}");
}

/// The seed user's training setup, as flags would give it.
fn seed_setup() -> SetupDoc {
    SetupDoc {
        from: vec!["flags".into()],
        batch_size: Some(8),
        select: Some("accuracy".into()),
        validation_split: Some("tail".into()),
        ..SetupDoc::default()
    }
}

const VGG_RULES: [&str; 4] = [
    "dropout-before-batchnorm",
    "dropout-every-block",
    "channels-shrink-after-downsampling",
    "dense-head-dominates",
];

#[test]
fn the_seed_model_is_flagged_in_every_form() {
    for name in [
        "vgg_like_train.onnx",
        "vgg_like.keras",
        "vgg_like_keras2.json",
    ] {
        let doc = lint(&fixture(name), &LintOptions::default()).unwrap();
        let found = ids(&doc);
        for rule in VGG_RULES {
            assert!(
                found.contains(&rule),
                "{name}: {rule} missing from {found:?}"
            );
        }
        check_totals(name, &doc);
        assert!(doc.unknown_ops.is_empty(), "{name}: {:?}", doc.unknown_ops);
        let shrink = doc
            .findings
            .iter()
            .find(|f| f.id == "channels-shrink-after-downsampling")
            .unwrap();
        assert!(
            shrink.evidence.contains("32 → 16") && shrink.evidence.contains("M MACs"),
            "{}",
            shrink.evidence
        );
        let dropout = doc
            .findings
            .iter()
            .find(|f| f.id == "dropout-before-batchnorm")
            .unwrap();
        assert!(dropout.evidence.contains("1.33×"), "{}", dropout.evidence);
    }
}

#[test]
fn an_eval_mode_export_says_what_it_hides() {
    let doc = lint(&fixture("vgg_like_eval.onnx"), &LintOptions::default()).unwrap();
    let found = ids(&doc);
    assert!(found.contains(&"channels-shrink-after-downsampling"));
    assert!(found.contains(&"dense-head-dominates"));
    assert!(
        !found.contains(&"dropout-before-batchnorm"),
        "nothing to see"
    );
    assert!(doc.notes.iter().any(|n| n.starts_with("no Dropout nodes")));
    assert!(doc
        .notes
        .iter()
        .any(|n| n.starts_with("no BatchNormalization nodes")));
    check_totals("vgg_like_eval.onnx", &doc);
    // The train-mode export shows neither note.
    let train = lint(&fixture("vgg_like_train.onnx"), &LintOptions::default()).unwrap();
    assert!(train.notes.is_empty(), "{:?}", train.notes);
}

#[test]
fn the_seed_training_setup_is_flagged() {
    let opts = LintOptions {
        setup: Some(seed_setup()),
        ..LintOptions::default()
    };
    let doc = lint(&fixture("vgg_like.keras"), &opts).unwrap();
    let found = ids(&doc);
    for rule in [
        "adaptive-optimizer",
        "small-batch-batchnorm",
        "select-on-accuracy",
        "tail-validation-split",
    ] {
        assert!(found.contains(&rule), "{rule} missing from {found:?}");
    }
    // The Keras loss takes probabilities: a softmax output is right.
    assert!(!found.contains(&"double-softmax"));
    let setup = doc.setup.as_ref().unwrap();
    assert_eq!(setup.optimizer.as_deref(), Some("adadelta"));
    assert_eq!(setup.batch_size, Some(8), "flags override the file");
    assert_eq!(setup.from.len(), 2);
}

#[test]
fn the_resnet_passes_with_nothing_above_info() {
    for name in ["resnet20_train.onnx", "resnet20.keras"] {
        let doc = lint(&fixture(name), &LintOptions::default()).unwrap();
        let serious: Vec<_> = doc
            .findings
            .iter()
            .filter(|f| f.severity < Severity::Info)
            .collect();
        assert!(serious.is_empty(), "{name}: {serious:#?}");
        check_totals(name, &doc);
        assert_eq!(doc.totals.depth, 20, "{name}: ResNet-20");
        assert!(doc.totals.receptive_field.unwrap() >= 32, "{name}");
        assert!(doc.unknown_ops.is_empty(), "{name}: {:?}", doc.unknown_ops);
    }
    // Its Keras compile_config: SGD, Nesterov, a cosine schedule, logits.
    let doc = lint(&fixture("resnet20.keras"), &LintOptions::default()).unwrap();
    let s = doc.setup.unwrap();
    assert_eq!(
        (s.optimizer.as_deref(), s.nesterov, s.schedule.as_deref()),
        (Some("sgd"), Some(true), Some("cosinedecay"))
    );
    assert_eq!(s.loss_from_logits, Some(true));
}

#[test]
fn a_tf2onnx_graph_reads_through_its_transposes() {
    let doc = lint(&fixture("tf2onnx_style.onnx"), &LintOptions::default()).unwrap();
    // NHWC input read as 3×32×32; Transpose, ReduceMean (global pooling)
    // and MatMul + Add (a dense layer with its bias) all understood.
    check_totals("tf2onnx_style.onnx", &doc);
    assert!(doc.unknown_ops.is_empty(), "{:?}", doc.unknown_ops);
    let kinds: Vec<&str> = doc.layers.iter().map(|l| l.kind.as_str()).collect();
    assert!(kinds.contains(&"global avgpool"), "{kinds:?}");
    assert_eq!(doc.totals.dense_params, 330);
    // Inference graph: BatchNorm folded, no Dropout — and it says so.
    assert_eq!(doc.notes.len(), 2, "{:?}", doc.notes);
    assert!(doc.findings.iter().any(|f| f.id == "softmax-output"));
}
