//! `triage sweep`: a 2 × 2-configuration plan with 2 seeds on tiny
//! synthetic data, killed, resumed and collected; 5×2 cross-validation;
//! one task as a cluster array element runs it; bad plans and tampered
//! results exit 2 naming the cause.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{run_ok, small_synth, stderr, triage};

const GRID_PLAN: &str = r#"
[sweep]
name = "grid"
data = "syn/manifest.csv"
seeds = [0, 1]

[train]
epochs = 4
batch-size = 8

[[config]]
name = "plain"
model = { kind = "vgg", widths = [8, 16], blocks = [1, 1] }

[[config]]
name = "dropout"
extends = "plain"
model = { block_dropout = 0.3 }

[grid]
optimizer = ["adamw", "nesterov"]
"#;

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn task_dirs(out: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(out.join("tasks"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
// Every path waits for the child: try_wait in the loop, wait after the
// kill, kill and wait when it ended by itself.
#[allow(clippy::zombie_processes)]
fn a_killed_sweep_resumes_and_collects() {
    let tmp = tempfile::tempdir().unwrap();
    small_synth(tmp.path());
    let plan = tmp.path().join("plan.toml");
    // Long enough that a task is caught between its first checkpoint and
    // its end.
    fs::write(&plan, GRID_PLAN.replace("epochs = 4", "epochs = 12")).unwrap();
    let out = tmp.path().join("plan-runs");

    // Start it in its own process group, and kill the group (the sweep and
    // its workers) once a task has finished and another has begun.
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args([
            "sweep",
            plan.to_str().unwrap(),
            "--workers",
            "2",
            "--no-progress",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut killed = false;
    while start.elapsed() < Duration::from_secs(300) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let dirs = task_dirs(&out);
        let done = dirs
            .iter()
            .filter(|d| d.join("done.json").is_file())
            .count();
        let started = dirs
            .iter()
            .filter(|d| d.join("run/run.json").is_file() && !d.join("done.json").is_file())
            .count();
        if done >= 1 && started >= 1 {
            Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status()
                .unwrap();
            child.wait().unwrap();
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if !killed {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(killed, "the sweep ended before it could be killed");
    let dirs = task_dirs(&out);
    let done_before: Vec<(std::path::PathBuf, String)> = dirs
        .iter()
        .filter(|d| d.join("done.json").is_file())
        .map(|d| (d.clone(), fs::read_to_string(d.join("done.json")).unwrap()))
        .collect();
    let interrupted: Vec<_> = dirs
        .iter()
        .filter(|d| d.join("run/run.json").is_file() && !d.join("done.json").is_file())
        .cloned()
        .collect();
    assert!(done_before.len() < 8 && !interrupted.is_empty());
    let status = run_ok(&["sweep", "status", plan.to_str().unwrap()]);
    assert!(
        status.contains(&format!("done:    {:>4}", done_before.len())),
        "{status}"
    );

    // Resume: finished tasks are kept as they were, interrupted ones
    // continue from their checkpoint, and the results are collected.
    let summary = run_ok(&["sweep", plan.to_str().unwrap(), "--no-progress"]);
    assert!(summary.contains("8 of 8 runs finished"), "{summary}");
    for (dir, text) in &done_before {
        assert_eq!(&fs::read_to_string(dir.join("done.json")).unwrap(), text);
    }
    for dir in &interrupted {
        let log = fs::read_to_string(dir.join("task.log")).unwrap();
        assert!(log.contains("resuming from its last checkpoint"), "{log}");
        let summary = json(&dir.join("run/summary.json"));
        assert_eq!(summary["epochs_run"], 12, "{summary}");
    }
    let results = json(&out.join("results.json"));
    assert_eq!(results["format"], "triage-sweep");
    assert_eq!(results["tasks_done"], 8);
    assert_eq!(results["configs"].as_array().unwrap().len(), 4);
    assert_eq!(results["configs"][2]["name"], "dropout,optimizer=adamw");
    // Every pair of the 4 configurations, accuracy and log loss.
    assert_eq!(results["comparisons"].as_array().unwrap().len(), 12);
    for run in results["configs"][0]["runs"].as_array().unwrap() {
        assert_eq!(run["items"], 18, "the test split: 3 classes × 6");
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Which configuration is better: sweep grid"));

    // collect alone gives the same document.
    let collected: Value = serde_json::from_str(&run_ok(&[
        "sweep",
        "collect",
        plan.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(collected, results);

    // Prediction files over different items: a clear error, exit 2.
    let csv = task_dirs(&out)[5].join("predictions/predictions.csv");
    let text = fs::read_to_string(&csv).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    fs::write(&csv, cut[..cut.len() - 1].join("\n") + "\n").unwrap();
    let o = triage(&["sweep", "collect", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("task 5 predicted other items than task 0"),
        "{e}"
    );
}

#[test]
fn five_by_two_cross_validation_pairs_the_halves() {
    let tmp = tempfile::tempdir().unwrap();
    small_synth(tmp.path());
    let plan = tmp.path().join("cv.toml");
    fs::write(
        &plan,
        r#"
[sweep]
name = "cv"
data = "syn/manifest.csv"
design = "5x2cv"
seeds = [4]
baseline = "small"

[train]
epochs = 1
batch-size = 8
model = "linear"

[[config]]
name = "small"
lr = 0.0001

[[config]]
name = "large"
lr = 0.01
"#,
    )
    .unwrap();
    run_ok(&["sweep", plan.to_str().unwrap(), "--no-progress"]);
    let results = json(&tmp.path().join("cv-runs/results.json"));
    assert_eq!(results["design"], "five-by-two");
    let tests: Vec<&str> = results["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["test"].as_str().unwrap())
        .collect();
    assert_eq!(tests, ["5x2cv-t", "5x2cv-f"]);
    assert_eq!(results["comparisons"][0]["a"], "large");
    // Each half predicted the other: together a replication covers the
    // 36 training items (3 × 12 of the train split) once.
    let runs = results["configs"][0]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 10);
    let total: u64 = runs[..2].iter().map(|r| r["items"].as_u64().unwrap()).sum();
    assert_eq!(total, 36);
}

#[test]
fn run_task_takes_its_index_from_the_cluster() {
    let tmp = tempfile::tempdir().unwrap();
    small_synth(tmp.path());
    let plan = tmp.path().join("plan.toml");
    fs::write(&plan, GRID_PLAN.replace("epochs = 4", "epochs = 1")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["sweep", "run-task", plan.to_str().unwrap()])
        .env("SLURM_ARRAY_TASK_ID", "6")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let done = json(
        &tmp.path()
            .join("plan-runs/tasks/0006-c3-dropout_optimizer_nesterov-seed0/done.json"),
    );
    assert_eq!(done["config"], "dropout,optimizer=nesterov");
    // A second time: done already, nothing rerun.
    let o = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["sweep", "run-task", plan.to_str().unwrap(), "--index", "6"])
        .output()
        .unwrap();
    assert!(stderr(&o).contains("is done already"), "{}", stderr(&o));
    let o = triage(&["sweep", "run-task", plan.to_str().unwrap(), "--index", "8"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("has 8 tasks (0–7)"), "{}", stderr(&o));
    // The Slurm script covers the tasks left.
    let script = run_ok(&["sweep", plan.to_str().unwrap(), "--emit", "slurm"]);
    let text = fs::read_to_string(script.trim()).unwrap();
    assert!(text.contains("#SBATCH --array=0-5,7\n"), "{text}");
    assert!(text.contains("--index \"$SLURM_ARRAY_TASK_ID\""), "{text}");
}

#[test]
fn bad_plans_exit_2_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    small_synth(tmp.path());
    let cases = [
        (
            GRID_PLAN.replace("batch-size = 8", "batch-size = 8\nepoch = 3"),
            "[train]: unknown key `epoch`",
        ),
        (
            GRID_PLAN.replace("optimizer = [\"adamw\", \"nesterov\"]", "optimizer = [\"adamw\", \"adagrad\"]"),
            "task 2 (configuration \"plain,optimizer=adagrad\", seed 0): `triage train` rejects its options",
        ),
        (
            GRID_PLAN.replace("batch-size = 8", "batch-size = 8\nlabel-smoothing = 1.5"),
            "task 0 (configuration \"plain,optimizer=adamw\", seed 0) would be rejected by the trainer",
        ),
        (
            GRID_PLAN.replace("syn/manifest.csv", "nowhere"),
            "[sweep] data",
        ),
    ];
    for (text, expect) in cases {
        let plan = tmp.path().join("bad.toml");
        fs::write(&plan, &text).unwrap();
        let o = triage(&["sweep", plan.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{expect}");
        let e = stderr(&o);
        assert!(e.contains(expect), "expected {expect:?} in {e}");
        assert!(
            !tmp.path().join("bad-runs").exists(),
            "nothing may run: {expect}"
        );
    }
}
