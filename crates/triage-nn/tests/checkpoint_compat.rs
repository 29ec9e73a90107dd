//! Checkpoints written before the convolutional models shared one
//! classifier head (format version 2, record paths `fc.*` at the model's
//! root) still load, and give the logits they gave when written.
//!
//! The fixtures under `tests/fixtures/checkpoint-v2/` were written by
//! `write_fixtures` below (run with `--ignored` on the layout it
//! describes); the test reads them with the current build.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use triage_nn::checkpoint;
use triage_nn::{InitModel, InputShape, ModelKind, ModelSpec, TrainState};

const INPUT: InputShape = InputShape {
    channels: 3,
    height: 8,
    width: 8,
};
const CLASSES: usize = 3;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checkpoint-v2")
}

/// Tiny models of the three families whose layout changed.
fn specs() -> Vec<(&'static str, ModelSpec)> {
    let spec = |kind, widths: &[usize], dropout| ModelSpec {
        kind,
        widths: Some(widths.to_vec()),
        blocks: Some(vec![1; widths.len()]),
        norm: None,
        dropout,
        block_dropout: 0.0,
        halve_after_pool: false,
        cardinality: (kind == ModelKind::Resnext).then_some(2),
        bottleneck_width: (kind == ModelKind::Resnext).then_some(2),
        stem: (kind == ModelKind::Resnext).then_some(4),
    };
    vec![
        ("vgg", spec(ModelKind::Vgg, &[4, 8], 0.5)),
        ("resnet", spec(ModelKind::Resnet, &[4, 8], 0.2)),
        ("resnext", spec(ModelKind::Resnext, &[8, 16], 0.0)),
    ]
}

/// A fixed input batch of two images.
fn input(device: &Device) -> Tensor<4> {
    let n = 2 * INPUT.len();
    let values: Vec<f32> = (0..n)
        .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
        .collect();
    Tensor::from_data(TensorData::new(values, [2, 3, 8, 8]), device)
}

fn logits(model: &triage_nn::Model, device: &Device) -> Vec<f32> {
    model
        .clone()
        .valid()
        .forward(input(device))
        .try_into_vec_as::<f32>()
        .unwrap()
}

#[test]
#[ignore = "writes the fixtures; run only on the layout they describe"]
fn write_fixtures() {
    let device = Device::default();
    for (name, spec) in specs() {
        device.seed(7);
        let model = spec.init(INPUT, CLASSES, &device).unwrap();
        let path = fixtures().join(format!("{name}.ckpt"));
        checkpoint::save(&path, &TrainState::default(), &model, None).unwrap();
        let out = serde_json::json!({ "spec": spec, "logits": logits(&model, &device) });
        std::fs::write(
            fixtures().join(format!("{name}.json")),
            serde_json::to_string_pretty(&out).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn version_2_checkpoints_load_and_give_the_same_logits() {
    let device = Device::default();
    for (name, spec) in specs() {
        let path = fixtures().join(format!("{name}.ckpt"));
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(expected["spec"], serde_json::to_value(&spec).unwrap());
        device.seed(99); // different initial weights: the record must replace them
        let model = spec.init(INPUT, CLASSES, &device).unwrap();
        let loaded = checkpoint::load(&path).unwrap();
        let model = checkpoint::load_model(model, loaded.model, loaded.version, &path)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = logits(&model, &device);
        let want: Vec<f32> = serde_json::from_value(expected["logits"].clone()).unwrap();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                "{name}: {got:?} vs {want:?}"
            );
        }
    }
}
