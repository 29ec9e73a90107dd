//! One fuzz target per parser of outside input. Each writes the input where
//! its parser reads it (in a scratch folder of its own) and runs the parser
//! the way the CLI does; it returns whether the input was accepted.

use std::fs;
use std::path::Path;

use triage_data::dataset::{open_dataset, OpenOptions};
use triage_data::decode::{decode_file, decode_item, DecodeOptions};
use triage_data::{read_predictions, ReadOptions};
use triage_docs::evaluation::EvaluationDoc;
use triage_docs::model_spec::ModelSpec;
use triage_docs::run::{RunMeta, Summary};
use triage_report::{build_report, load_inputs, render_html, InputSpec, ReportOptions};

use crate::seeds;

/// A parser under fuzzing.
pub struct Target {
    /// Name (also the folder of its regressions).
    pub name: &'static str,
    /// Whether inputs are JSON (adds tree mutations).
    pub json: bool,
    /// The seed inputs.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Run one input in a fresh folder; `true` when it was accepted.
    pub run: fn(&[u8], &Path) -> bool,
}

/// Every target.
pub const TARGETS: [Target; 19] = [
    Target {
        name: "predictions_csv",
        json: false,
        seeds: seeds::predictions_csv,
        run: predictions_csv,
    },
    Target {
        name: "predictions_npy",
        json: false,
        seeds: npy_seeds,
        run: predictions_npy,
    },
    Target {
        name: "embeddings_npy",
        json: false,
        seeds: npy_seeds,
        run: embeddings_npy,
    },
    Target {
        name: "embeddings_csv",
        json: false,
        seeds: embeddings_csv_seeds,
        run: embeddings_csv,
    },
    Target {
        name: "soft_labels_csv",
        json: false,
        seeds: soft_labels_csv_seeds,
        run: soft_labels_csv,
    },
    Target {
        name: "soft_labels_npy",
        json: false,
        seeds: soft_labels_npy_seeds,
        run: soft_labels_npy,
    },
    Target {
        name: "predictions_npz",
        json: false,
        seeds: npz_seeds,
        run: predictions_npz,
    },
    Target {
        name: "manifest",
        json: false,
        seeds: manifest_seeds,
        run: manifest,
    },
    Target {
        name: "idx",
        json: false,
        seeds: idx_seeds,
        run: idx,
    },
    Target {
        name: "cifar",
        json: false,
        seeds: cifar_seeds,
        run: cifar,
    },
    Target {
        name: "image",
        json: false,
        seeds: image_seeds,
        run: image,
    },
    Target {
        name: "evaluation_report",
        json: true,
        seeds: evaluation_seeds,
        run: evaluation_report,
    },
    Target {
        name: "run_report",
        json: false,
        seeds: run_seeds,
        run: run_report,
    },
    Target {
        name: "profile_report",
        json: true,
        seeds: profile_seeds,
        run: profile_report,
    },
    Target {
        name: "model_spec",
        json: false,
        seeds: spec_seeds,
        run: model_spec,
    },
    Target {
        name: "lint_onnx",
        json: false,
        seeds: lint_onnx_seeds,
        run: lint_onnx,
    },
    Target {
        name: "lint_keras_json",
        json: true,
        seeds: lint_keras_json_seeds,
        run: lint_keras_json,
    },
    Target {
        name: "lint_keras_zip",
        json: false,
        seeds: lint_keras_zip_seeds,
        run: lint_keras_zip,
    },
    Target {
        name: "sweep_plan",
        json: false,
        seeds: sweep_plan_seeds,
        run: sweep_plan,
    },
];

fn sweep_plan_seeds() -> Vec<Vec<u8>> {
    vec![
        include_bytes!("../../../examples/sweeps/seed-ablations.toml").to_vec(),
        include_bytes!("../../../examples/sweeps/seed-ablations-usps.toml").to_vec(),
    ]
}

/// `triage sweep`'s plan reader: parse, check, expand into tasks.
fn sweep_plan(input: &[u8], dir: &Path) -> bool {
    let Ok(text) = std::str::from_utf8(input) else {
        return false;
    };
    let options: Vec<String> = [
        "model",
        "optimizer",
        "epochs",
        "lr",
        "schedule",
        "batch-size",
        "max-train",
        "no-flip",
    ]
    .map(String::from)
    .to_vec();
    let preset = |name: &str| {
        (name == "vgg-like").then(|| {
            triage_docs::model_spec::ModelSpec::new(triage_docs::model_spec::ModelKind::Vgg)
        })
    };
    let rules = triage_sweep::PlanRules {
        train_options: &options,
        preset: &preset,
    };
    match triage_sweep::Plan::parse(text, &dir.join("plan.toml"), None, &rules) {
        Ok(plan) => {
            let tasks = plan.tasks();
            let _ = plan.tasks_doc();
            !tasks.is_empty()
        }
        Err(_) => false,
    }
}

/// `triage lint` on a file: read, graph, inference, rules.
fn lint_file(path: &Path) -> bool {
    triage_lint::lint(path, &triage_lint::LintOptions::default()).is_ok()
}

fn lint_onnx_seeds() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../triage-lint/tests/fixtures/vgg_like_train.onnx").to_vec()]
}

fn lint_onnx(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("model.onnx");
    write(&path, input);
    lint_file(&path)
}

fn lint_keras_json_seeds() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../triage-lint/tests/fixtures/vgg_like_keras2.json").to_vec()]
}

fn lint_keras_json(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("model.json");
    write(&path, input);
    lint_file(&path)
}

fn lint_keras_zip_seeds() -> Vec<Vec<u8>> {
    vec![
        include_bytes!("../../triage-lint/tests/fixtures/vgg_like.keras").to_vec(),
        include_bytes!("../../triage-lint/tests/fixtures/resnet20.keras").to_vec(),
    ]
}

fn lint_keras_zip(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("model.keras");
    write(&path, input);
    lint_file(&path)
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).expect("scratch write");
}

fn predictions_csv(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("p.csv");
    write(&path, input);
    // Read as `triage shift` reads a target too (labels optional): it must
    // not panic either.
    let unlabelled = ReadOptions {
        unlabelled: true,
        ..ReadOptions::default()
    };
    let _ = read_predictions(&path, &unlabelled);
    read_predictions(&path, &ReadOptions::default()).is_ok()
}

const LABELS_NPY: &str = "crates/triage-data/tests/fixtures/fortran/labels.npy";

fn npy_seeds() -> Vec<Vec<u8>> {
    vec![
        seeds::fixture("crates/triage-data/tests/fixtures/fortran/probs.npy"),
        seeds::fixture("crates/triage-data/tests/fixtures/big_endian_probs.npy"),
        seeds::fixture("crates/triage-data/tests/fixtures/float16_probs.npy"),
    ]
}

fn predictions_npy(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("probs.npy");
    write(&path, input);
    let options = ReadOptions {
        labels_path: Some(seeds::repo().join(LABELS_NPY)),
        ..ReadOptions::default()
    };
    read_predictions(&path, &options).is_ok()
}

fn embeddings_npy(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("embeddings.npy");
    write(&path, input);
    triage_data::predictions::read_embeddings(&path).is_ok()
}

fn embeddings_csv_seeds() -> Vec<Vec<u8>> {
    vec![
        b"id,e0,e1\ntrain/a/0.png,0.5,-1e3\ntrain/b/1.png,2,3.25\n".to_vec(),
        b"id,x\n\"quoted, id\",1\n".to_vec(),
    ]
}

fn embeddings_csv(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("embeddings.csv");
    write(&path, input);
    triage_data::predictions::read_embeddings_csv(&path).is_ok()
}

fn soft_labels_csv_seeds() -> Vec<Vec<u8>> {
    vec![
        b"id,cat,dog,owl,count\na,3,1,0,4\nb,0,4,0,4\nc,1,1,2,4\n".to_vec(),
        b"cat,dog\n0.25,0.75\n1,0\n".to_vec(),
    ]
}

/// Read soft labels as `triage bayes` does, then estimate a binary task
/// and the plug-in on what was accepted.
fn soft_labels(path: &Path) -> bool {
    let Ok(file) = triage_bayes::soft_labels::read_soft_labels(path, Default::default()) else {
        return false;
    };
    let k = file.labels.classes();
    let group: Vec<bool> = (0..k).map(|c| c == 0).collect();
    let _ = file.labels.binary_error(&group, 0.95);
    file.labels.plugin_disagreement(0.95).is_ok()
}

fn soft_labels_csv(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("soft.csv");
    write(&path, input);
    soft_labels(&path)
}

fn soft_labels_npy_seeds() -> Vec<Vec<u8>> {
    // int64 counts, shape (2, 3), as numpy.save writes it.
    let header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }";
    let mut header = header.to_owned();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in [3i64, 1, 0, 0, 2, 2] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    vec![bytes]
}

fn soft_labels_npy(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("soft.npy");
    write(&path, input);
    soft_labels(&path)
}

fn npz_seeds() -> Vec<Vec<u8>> {
    vec![seeds::fixture(
        "crates/triage-data/tests/fixtures/compressed.npz",
    )]
}

fn predictions_npz(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("p.npz");
    write(&path, input);
    read_predictions(&path, &ReadOptions::default()).is_ok()
}

/// Open a dataset and decode its first items, as `profile` would.
fn open_and_decode(path: &Path) -> bool {
    let Ok(dataset) = open_dataset(path, &OpenOptions::default()) else {
        return false;
    };
    let options = DecodeOptions::default();
    for i in 0..dataset.items.len().min(8) {
        let _ = decode_item(&dataset, i, &options);
    }
    true
}

fn manifest_seeds() -> Vec<Vec<u8>> {
    let synth = seeds::synth_files();
    vec![
        synth.manifest,
        b"path,label,split,group\na.png,cat,train,g1\nb.png,dog,test,g2\nc.png,cat,val,\n".to_vec(),
        b"path,label\n./a.png,x\nsub/../b.png,y\n".to_vec(),
    ]
}

fn manifest(input: &[u8], dir: &Path) -> bool {
    // The files a manifest may name: two images and a folder.
    let synth_images = images_for_manifest();
    write(&dir.join("a.png"), &synth_images[0]);
    write(&dir.join("b.png"), &synth_images[1]);
    fs::create_dir_all(dir.join("sub")).expect("scratch dir");
    let path = dir.join("manifest.csv");
    write(&path, input);
    open_and_decode(&path)
}

fn images_for_manifest() -> Vec<Vec<u8>> {
    use std::sync::OnceLock;
    static IMAGES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    IMAGES.get_or_init(|| seeds::synth_files().images).clone()
}

fn idx_seeds() -> Vec<Vec<u8>> {
    vec![seeds::idx_images(3, 4, 4), seeds::idx_images(1, 28, 28)]
}

fn idx(input: &[u8], dir: &Path) -> bool {
    write(&dir.join("train-images-idx3-ubyte"), input);
    write(
        &dir.join("train-labels-idx1-ubyte"),
        &seeds::idx_labels(&[0, 1, 2]),
    );
    open_and_decode(dir)
}

fn cifar_seeds() -> Vec<Vec<u8>> {
    vec![seeds::cifar_batch(2), seeds::cifar_batch(3)]
}

fn cifar(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("data_batch_1.bin");
    write(&path, input);
    open_and_decode(&path)
}

fn image_seeds() -> Vec<Vec<u8>> {
    let mut images = seeds::synth_files().images;
    images.truncate(6);
    images
}

fn image(input: &[u8], dir: &Path) -> bool {
    // Both extensions: the decoder sniffs the content, not the name.
    let png = dir.join("x.png");
    write(&png, input);
    decode_file(&png, &DecodeOptions::default()).is_ok()
}

/// Build and render the report of `inputs`, as `triage report` does.
fn report(inputs: &[&Path]) -> bool {
    let specs: Vec<InputSpec> = inputs
        .iter()
        .map(|p| InputSpec::parse(&p.display().to_string()))
        .collect();
    let Ok(inputs) = load_inputs(&specs, &[]) else {
        return false;
    };
    match build_report(&inputs, &ReportOptions::default()) {
        Ok(report) => {
            let html = render_html(&report);
            assert!(html.ends_with("</html>\n") || html.contains("</html>"));
            true
        }
        Err(_) => false,
    }
}

const FIXTURES: &str = "crates/triage-cli/tests/fixtures/v0.1.0";

fn evaluation_seeds() -> Vec<Vec<u8>> {
    seeds::document::<EvaluationDoc>(&format!("{FIXTURES}/evaluation.json"))
}

fn evaluation_report(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("ev.json");
    write(&path, input);
    report(&[&path])
}

/// The files of a run folder in one input, separated by a record separator
/// line: `run.json`, `log.jsonl`, `summary.json`.
const SEPARATOR: &[u8] = b"\n\x1e\n";

fn run_seeds() -> Vec<Vec<u8>> {
    let run = seeds::document::<RunMeta>(&format!("{FIXTURES}/run/run.json"));
    let summary = seeds::document::<Summary>(&format!("{FIXTURES}/run/summary.json"));
    let log = seeds::fixture(&format!("{FIXTURES}/run/log.jsonl"));
    run.iter()
        .zip(&summary)
        .map(|(r, s)| [r.as_slice(), &log, s].join(SEPARATOR))
        .collect()
}

fn run_report(input: &[u8], dir: &Path) -> bool {
    let run = dir.join("run");
    fs::create_dir_all(&run).expect("scratch dir");
    let mut parts = split_on(input, SEPARATOR).into_iter();
    for name in ["run.json", "log.jsonl", "summary.json"] {
        if let Some(part) = parts.next() {
            write(&run.join(name), part);
        }
    }
    report(&[&run])
}

fn split_on<'a>(input: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = input;
    while let Some(i) = rest.windows(separator.len()).position(|w| w == separator) {
        parts.push(&rest[..i]);
        rest = &rest[i + separator.len()..];
    }
    parts.push(rest);
    parts
}

fn profile_seeds() -> Vec<Vec<u8>> {
    vec![seeds::fixture(&format!("{FIXTURES}/profile.json"))]
}

fn profile_report(input: &[u8], dir: &Path) -> bool {
    let path = dir.join("profile.json");
    write(&path, input);
    report(&[&path])
}

fn spec_seeds() -> Vec<Vec<u8>> {
    [
        "kind = \"vgg\"\nwidths = [8, 16]\nblocks = [1, 1]\nblock_dropout = 0.2\ndropout = 0.5\n",
        "kind = \"resnet\"\nwidths = [4, 8, 16]\nblocks = [1, 1, 1]\n",
        "kind = \"resnext\"\ncardinality = 4\nbottleneck_width = 4\nstem = 16\n",
        "kind = \"mlp\"\nwidths = [64]\nnorm = \"layer\"\n",
        "kind = \"linear\"\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn model_spec(input: &[u8], _dir: &Path) -> bool {
    let Ok(text) = std::str::from_utf8(input) else {
        return false;
    };
    match toml::from_str::<ModelSpec>(text) {
        Ok(spec) => {
            let valid = spec.validate().is_ok();
            if valid {
                // What the model builders read from a valid spec.
                let _ = (spec.effective_widths(), spec.effective_norm());
            }
            valid
        }
        Err(_) => false,
    }
}
