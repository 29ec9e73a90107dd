//! `triage train`, `triage predict` and `triage lr-find` end to end on a
//! small synthetic dataset.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::util::{run_ok, stderr, triage};

/// 3 classes × 24 images of 16×16 with train/val/test splits.
fn synth(dir: &Path) -> String {
    crate::util::small_synth(dir).display().to_string()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn train_predict_evaluate_and_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synth(tmp.path());
    let run = tmp.path().join("run");
    let run_s = run.to_str().unwrap();
    let spec = tmp.path().join("tiny.toml");
    fs::write(
        &spec,
        "kind = \"vgg\"\nwidths = [8, 16]\nblocks = [1, 1]\nblock_dropout = 0.1\nhalve_after_pool = false\n",
    )
    .unwrap();
    let spec_s = spec.to_str().unwrap();
    let settings = [
        "train",
        &data,
        "--model",
        spec_s,
        "--optimizer",
        "nesterov",
        "--epochs",
        "3",
        "--batch-size",
        "16",
        "--select",
        "accuracy",
        "--cutout",
        "4",
        "--label-smoothing",
        "0.1",
        "--out",
        run_s,
        "--no-progress",
    ];
    let out = run_ok(&settings);
    assert!(out.contains("status: completed"), "{out}");

    // run.json records what a reviewer needs.
    let meta = json(&run.join("run.json"));
    assert_eq!(meta["format"], "triage-run");
    assert_eq!(meta["select"], "accuracy");
    assert_eq!(meta["seed"], 0);
    assert_eq!(meta["epochs"], 3);
    assert_eq!(meta["optimizer"]["kind"], "sgd");
    assert_eq!(meta["optimizer"]["nesterov"], true);
    assert_eq!(meta["schedule"]["kind"], "one_cycle");
    assert_eq!(meta["augment"]["cutout"], 4);
    assert_eq!(meta["augment"]["crop_padding"], 2);
    assert_eq!(meta["augment"]["flip"], true);
    assert_eq!(meta["label_smoothing"], 0.1);
    assert_eq!(meta["model"]["spec"]["kind"], "vgg");
    assert_eq!(meta["input"]["height"], 16);
    assert_eq!(meta["classes"].as_array().unwrap().len(), 3);
    assert_eq!(meta["burn_version"], "0.22.1");
    assert!(meta.get("git_commit").is_some());
    assert_eq!(meta["val_source"], "the dataset's val split");

    // One log line per epoch with every field.
    let log = fs::read_to_string(run.join("log.jsonl")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["epoch"], i + 1);
        for key in [
            "train_loss",
            "train_acc",
            "val_loss",
            "val_acc",
            "val_ece",
            "lr",
            "images_per_sec",
            "seconds",
        ] {
            assert!(l[key].is_number(), "{key} in {l}");
        }
    }
    let summary = json(&run.join("summary.json"));
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["select"], "accuracy");
    assert!(run.join("best.ckpt").exists() && run.join("last.ckpt").exists());

    // predict writes the evaluate format and aligned embeddings.
    let pred = tmp.path().join("pred");
    run_ok(&[
        "predict",
        run_s,
        &data,
        "--split",
        "test",
        "--out",
        pred.to_str().unwrap(),
    ]);
    let csv = fs::read_to_string(pred.join("predictions.csv")).unwrap();
    let rows = csv.lines().count() - 1;
    assert_eq!(rows, 18);
    assert!(csv.starts_with("id,label,path,p_"), "{csv}");
    let npy = fs::read(pred.join("embeddings.npy")).unwrap();
    let header_len = u16::from_le_bytes([npy[8], npy[9]]) as usize;
    let header = String::from_utf8_lossy(&npy[10..10 + header_len]).into_owned();
    assert!(header.contains("'shape': (18, 16)"), "{header}");
    assert_eq!(npy.len(), 10 + header_len + 18 * 16 * 4);
    let eval: Value = serde_json::from_str(&run_ok(&[
        "evaluate",
        "--predictions",
        pred.join("predictions.csv").to_str().unwrap(),
        "--json",
        "--bootstrap",
        "20",
        "--no-progress",
    ]))
    .unwrap();
    assert_eq!(eval["n"], 18);

    // An existing run is neither overwritten nor silently continued.
    let again = triage(&[
        "train",
        &data,
        "--model",
        "linear",
        "--out",
        run_s,
        "--no-progress",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
    // --resume with other settings is refused, naming the field (it once
    // continued with run.json's settings without a word).
    let changed = triage(&[
        "train",
        &data,
        "--model",
        "linear",
        "--out",
        run_s,
        "--resume",
        "--no-progress",
    ]);
    assert_eq!(changed.status.code(), Some(2));
    assert!(stderr(&changed).contains("`model."), "{}", stderr(&changed));
    // --resume on a finished run has nothing left to do and keeps it.
    let out = run_ok(&[&settings[..], &["--resume"]].concat());
    assert!(out.contains("status: completed"), "{out}");
    let log2 = fs::read_to_string(run.join("log.jsonl")).unwrap();
    assert_eq!(log2.lines().count(), 3);
}

#[test]
fn lr_find_writes_the_curve_and_suggestions() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synth(tmp.path());
    let out_dir = tmp.path().join("lr");
    let out = run_ok(&[
        "lr-find",
        &data,
        "--model",
        "mlp",
        "--optimizer",
        "adam",
        "--steps",
        "30",
        "--batch-size",
        "16",
        "--json",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let result: Value = serde_json::from_str(&out).unwrap();
    let points = result["points"].as_array().unwrap();
    assert!(points.len() >= 10 && points.len() <= 30);
    // The ramp is exponential from 1e-7.
    assert!((points[0]["lr"].as_f64().unwrap() - 1e-7).abs() < 1e-12);
    let ratio = points[2]["lr"].as_f64().unwrap() / points[1]["lr"].as_f64().unwrap();
    let ratio0 = points[1]["lr"].as_f64().unwrap() / points[0]["lr"].as_f64().unwrap();
    assert!((ratio / ratio0 - 1.0).abs() < 1e-9);
    assert!(result["valley"].is_number() && result["steepest"].is_number());
    let csv = fs::read_to_string(out_dir.join("lr_find.csv")).unwrap();
    assert_eq!(csv.lines().count(), points.len() + 1);
}

#[test]
fn training_errors_exit_2_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synth(tmp.path());
    let out_dir = tmp.path().join("r");
    let o = triage(&[
        "train",
        &data,
        "--model",
        "resnet1000",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("resnet1000") && stderr(&o).contains("resnet20"),
        "{}",
        stderr(&o)
    );
    let o = triage(&[
        "predict",
        out_dir.to_str().unwrap(),
        &data,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("run.json"), "{}", stderr(&o));
    let o = triage(&[
        "train",
        &data,
        "--model",
        "vgg-like",
        "--size",
        "4x4",
        "--out",
        out_dir.to_str().unwrap(),
        "--no-progress",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("too small"), "{}", stderr(&o));
    // The default build has no GPU backend: asking for one is a clear error.
    if !cfg!(feature = "wgpu") {
        let o = triage(&[
            "train",
            &data,
            "--device",
            "wgpu",
            "--out",
            out_dir.to_str().unwrap(),
            "--no-progress",
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--features wgpu"), "{}", stderr(&o));
    }
}

/// A run stopped before its first epoch, a damaged checkpoint, and a
/// diverged run: each once left a run that could not go forward, resumed
/// damaged weights, or was reported as `failed` with checkpoints that did
/// not exist.
#[test]
fn faults_in_a_run_are_named_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synth(tmp.path());
    let run = tmp.path().join("run");
    let run_s = run.to_str().unwrap();
    let call = |epochs: &str, extra: &[&str]| {
        let mut a = vec![
            "train",
            &data,
            "--model",
            "linear",
            "--epochs",
            epochs,
            "--batch-size",
            "16",
            "--out",
            run_s,
            "--no-progress",
        ];
        a.extend_from_slice(extra);
        triage(&a)
    };
    let ok = call("2", &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    // Killed after setup, before the first epoch ended: run.json and an
    // empty log. --resume starts it cleanly.
    for f in ["last.ckpt", "best.ckpt", "summary.json"] {
        fs::remove_file(run.join(f)).unwrap();
    }
    fs::write(run.join("log.jsonl"), "").unwrap();
    let resumed = call("2", &["--resume"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains("starting from epoch 1"),
        "{}",
        stderr(&resumed)
    );
    assert_eq!(
        fs::read_to_string(run.join("log.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );

    // A changed --epochs is refused, naming the field.
    let changed = call("5", &["--resume"]);
    assert_eq!(changed.status.code(), Some(2));
    assert!(
        stderr(&changed).contains("`train.epochs` is 5 now but 2"),
        "{}",
        stderr(&changed)
    );

    // The report of the run does not write over the run's own files.
    let run_json = fs::read(run.join("run.json")).unwrap();
    let o = triage(&[
        "report",
        run_s,
        "-o",
        run.join("run.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to write"), "{}", stderr(&o));
    assert_eq!(fs::read(run.join("run.json")).unwrap(), run_json);

    // A checkpoint that claims 9 epochs of a 2-epoch run (checksum made
    // valid again) is refused; it once resumed "after epoch 9 of 2".
    let ckpt = run.join("last.ckpt");
    let good = fs::read(&ckpt).unwrap();
    let mut body = good[..good.len() - 32].to_vec();
    let text = String::from_utf8_lossy(&body).into_owned();
    let at = text
        .find("\"epochs_done\":2")
        .expect("state JSON in the checkpoint");
    body[at + 14] = b'9';
    let hash = blake3::hash(&body);
    body.extend_from_slice(hash.as_bytes());
    fs::write(&ckpt, &body).unwrap();
    let o = call("2", &["--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("9 epochs done"), "{}", stderr(&o));
    fs::write(&ckpt, &good).unwrap();

    // A flipped byte in the weights: an error naming the file.
    let mut bytes = fs::read(&ckpt).unwrap();
    let at = bytes.len() - 40;
    bytes[at] ^= 0x10;
    fs::write(&ckpt, &bytes).unwrap();
    let damaged = call("2", &["--resume"]);
    assert_eq!(damaged.status.code(), Some(2));
    let err = stderr(&damaged);
    assert!(
        err.contains("last.ckpt") && err.contains("checksum"),
        "{err}"
    );

    // A learning rate of 1e30 diverges: status `diverged`, the epoch and
    // batch named, and no claim of a checkpoint that does not exist.
    let wild = tmp.path().join("wild");
    let o = triage(&[
        "train",
        &data,
        "--model",
        "linear",
        "--epochs",
        "2",
        "--batch-size",
        "16",
        "--lr",
        "1e30",
        "--out",
        wild.to_str().unwrap(),
        "--no-progress",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("diverged") && err.contains("epoch 1"), "{err}");
    let summary = json(&wild.join("summary.json"));
    assert_eq!(summary["status"], "diverged", "{summary}");
    if !wild.join("last.ckpt").exists() {
        assert!(err.contains("no checkpoint was written"), "{err}");
    }
}

#[test]
fn folds_give_out_of_fold_predictions_for_every_training_item() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synth(tmp.path());
    let manifest = fs::read_to_string(&data).unwrap();
    let train_paths: Vec<String> = manifest
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(2) == Some("train"))
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let per_class_min = (0..3)
        .map(|c| {
            manifest
                .lines()
                .skip(1)
                .filter(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    f[2] == "train" && f[1] == ["circle", "square", "triangle"][c]
                })
                .count()
        })
        .min()
        .unwrap();
    let spec = tmp.path().join("tiny.toml");
    fs::write(
        &spec,
        "kind = \"vgg\"\nwidths = [8]\nblocks = [1]\nblock_dropout = 0.0\nhalve_after_pool = false\n",
    )
    .unwrap();
    let out = tmp.path().join("cv");
    let args = |folds: &str, extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "train",
            &data,
            "--model",
            spec.to_str().unwrap(),
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--folds",
            folds,
            "--out",
            out.to_str().unwrap(),
            "--no-progress",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    // More folds than a class has training items: exit 2 naming it, nothing written.
    let too_many = (per_class_min + 1).to_string();
    let failed = triage(&refs(&args(&too_many, &[])));
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("fewer than the"),
        "{}",
        stderr(&failed)
    );
    assert!(!out.join("out_of_fold.csv").exists());

    let text = run_ok(&refs(&args("3", &[])));
    assert!(text.contains("out_of_fold.csv"), "{text}");
    let oof = fs::read_to_string(out.join("out_of_fold.csv")).unwrap();
    let mut lines = oof.lines();
    assert!(lines.next().unwrap().starts_with("id,label,path,p_"));
    let ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    // Every training item once, in the manifest's order.
    assert_eq!(ids.len(), train_paths.len());
    let mut seen = std::collections::HashSet::new();
    assert!(ids.iter().all(|id| seen.insert(*id)));
    // Each fold predicted only what its run did not train on.
    let mut predicted = 0;
    for f in 0..3 {
        let fold = out.join(format!("fold-{f}"));
        let info = json(&fold.join("predictions/predict.json"));
        assert_eq!(info["split"], format!("fold {f} of 3 (held out)"));
        let n = info["n"].as_u64().unwrap() as usize;
        predicted += n;
        let meta = json(&fold.join("run.json"));
        assert_eq!(
            meta["train_size"].as_u64().unwrap() as usize + n,
            train_paths.len()
        );
    }
    assert_eq!(predicted, train_paths.len());

    // Confident learning reads it, without an in-sample warning.
    let issues = triage(&[
        "label-issues",
        "--predictions",
        out.join("out_of_fold.csv").to_str().unwrap(),
    ]);
    assert!(issues.status.success(), "{}", stderr(&issues));
    assert!(
        !stderr(&issues).contains("in-sample"),
        "{}",
        stderr(&issues)
    );

    // --resume keeps the finished folds: same file, nothing retrained.
    let before = fs::metadata(out.join("fold-0/last.ckpt"))
        .unwrap()
        .modified()
        .unwrap();
    run_ok(&refs(&args("3", &["--resume"])));
    assert_eq!(
        fs::read_to_string(out.join("out_of_fold.csv")).unwrap(),
        oof
    );
    let after = fs::metadata(out.join("fold-0/last.ckpt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);

    // Resuming with another K, seed or training setting would mix two
    // cross-validations: refused naming the setting, nothing changed.
    for (folds, extra, named) in [
        ("2", &["--resume"][..], "`folds` is 2 now but 3"),
        ("5", &["--resume"][..], "`folds` is 5 now but 3"),
        (
            "3",
            &["--resume", "--seed", "1"][..],
            "`seed` is 1 now but 0",
        ),
        ("3", &["--resume", "--lr", "0.5"][..], "0.5"),
        ("3", &[][..], "already holds a cross-validation"),
    ] {
        let a = args(folds, extra);
        let o = triage(&refs(&a));
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(named), "{a:?}: {}", stderr(&o));
        assert_eq!(
            fs::read_to_string(out.join("out_of_fold.csv")).unwrap(),
            oof
        );
    }
}
