//! The promises a command-line tool keeps: it deletes or overwrites only
//! what it wrote itself, exit 1 means a check failed, a closed pipe is not
//! a crash, and a reader cannot be made to read forever.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{run_ok, stderr, stdout, tiny_synth, triage};

const CSV: &str =
    "id,label,p_cat,p_dog\na,cat,0.8,0.2\nb,dog,0.3,0.7\nc,cat,0.6,0.4\nd,dog,0.1,0.9\n";

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Run `triage` in `dir`.
fn triage_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("failed to start triage")
}

fn exit_2(o: &std::process::Output, what: &str) -> String {
    assert_eq!(
        o.status.code(),
        Some(2),
        "{what}: {}{}",
        stdout(o),
        stderr(o)
    );
    stderr(o)
}

/// A trained linear run on `data` in `dir/run`.
fn tiny_run(dir: &Path, data: &Path) -> std::path::PathBuf {
    let run = dir.join("run");
    run_ok(&[
        "train",
        path(&data.join("manifest.csv")),
        "--model",
        "linear",
        "--epochs",
        "1",
        "--out",
        path(&run),
        "--no-progress",
    ]);
    run
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn demo_never_deletes_a_folder_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    // A project folder with a `data/` folder, a repository and a thesis.
    let project = tmp.path().join("p");
    fs::create_dir_all(project.join("data")).unwrap();
    fs::create_dir_all(project.join(".git")).unwrap();
    fs::write(project.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::write(project.join("thesis.tex"), "precious").unwrap();
    let before = contents(&project);
    let err = exit_2(
        &triage_in(
            &project,
            &["demo", "--quick", "--no-progress", "--out", "."],
        ),
        "demo --out .",
    );
    assert!(err.contains("not empty"), "{err}");
    assert!(err.contains("thesis.tex"), "names what is there: {err}");
    assert!(err.contains("--out"), "names the fix: {err}");
    assert_eq!(contents(&project), before, "the project folder changed");

    // An existing unrelated folder, named from elsewhere.
    let err = exit_2(
        &triage(&["demo", "--quick", "--no-progress", "--out", path(&project)]),
        "demo --out project",
    );
    assert!(err.contains("triage did not write it"), "{err}");
    assert_eq!(contents(&project), before);

    // A demo folder is re-run over: only the demo's files are replaced.
    let out = tmp.path().join("demo");
    run_ok(&["demo", "--quick", "--no-progress", "--out", path(&out)]);
    fs::write(out.join("my-notes.txt"), "mine").unwrap();
    fs::write(out.join("data/keep.txt"), "mine too").unwrap();
    run_ok(&["demo", "--quick", "--no-progress", "--out", path(&out)]);
    assert_eq!(
        fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        fs::read_to_string(out.join("data/keep.txt")).unwrap(),
        "mine too"
    );
    assert!(out.join("report.html").is_file());

    // A marker that lists paths outside its folder deletes nothing.
    let victim = tmp.path().join("victim.txt");
    fs::write(&victim, "keep").unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(elsewhere.join("x"), "keep").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&elsewhere, out.join("link")).unwrap();
    for listed in ["../victim.txt", path(&victim), "link/x"] {
        let marker = serde_json::json!({
            "format": "triage-output", "version": 1, "folder_command": "demo",
            "files": [{"path": listed, "command": "demo"}],
        });
        fs::write(out.join(".triage-output.json"), marker.to_string()).unwrap();
        let err = exit_2(
            &triage(&["demo", "--quick", "--no-progress", "--out", path(&out)]),
            listed,
        );
        assert!(err.contains("marker"), "{listed}: {err}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(fs::read_to_string(elsewhere.join("x")).unwrap(), "keep");
    }
}

#[test]
fn no_command_overwrites_a_file_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let data = tiny_synth(t);
    let manifest = data.join("manifest.csv");
    let run = tiny_run(t, &data);

    // train --out a folder with the user's files (and no run).
    let mine = t.join("mine");
    fs::create_dir_all(&mine).unwrap();
    for name in [
        "summary.json",
        "log.jsonl",
        "predictions.csv",
        "lr_find.csv",
    ] {
        fs::write(mine.join(name), "user data").unwrap();
    }
    let before = contents(&mine);
    for args in [
        vec![
            "train",
            path(&manifest),
            "--model",
            "linear",
            "--epochs",
            "1",
        ],
        vec!["predict", path(&run), path(&manifest)],
        vec!["lr-find", path(&manifest), "--model", "linear"],
    ] {
        let mut args = args.clone();
        args.extend(["--out", path(&mine)]);
        if args[0] == "train" {
            args.push("--no-progress");
        }
        let err = exit_2(&triage(&args), args[0]);
        assert!(err.contains("refusing to write"), "{}: {err}", args[0]);
    }
    assert_eq!(contents(&mine), before, "the user's files changed");

    // report --out onto an image or a checkpoint; split --force onto an
    // image.
    let image = contents(&data)
        .into_iter()
        .map(|(p, _)| std::path::PathBuf::from(p))
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("an image in the synthetic set");
    let png = fs::read(&image).unwrap();
    let ckpt = fs::read(run.join("best.ckpt")).unwrap();
    for out in [&image, &run.join("best.ckpt")] {
        let err = exit_2(
            &triage(&["report", path(&run), "--out", path(out)]),
            "report",
        );
        assert!(err.contains("refusing to replace"), "{err}");
    }
    let err = exit_2(
        &triage(&["split", path(&manifest), "--out", path(&image), "--force"]),
        "split",
    );
    assert!(err.contains("refusing to replace"), "{err}");
    assert_eq!(fs::read(&image).unwrap(), png);
    assert_eq!(fs::read(run.join("best.ckpt")).unwrap(), ckpt);

    // What triage wrote it may write again.
    let html = t.join("r.html");
    run_ok(&["report", path(&run), "--out", path(&html)]);
    run_ok(&["report", path(&run), "--out", path(&html)]);
    let split = t.join("split.csv");
    run_ok(&["split", path(&manifest), "--out", path(&split)]);
    run_ok(&["split", path(&manifest), "--out", path(&split), "--force"]);

    // A kill -9 left a temporary checkpoint: the next start of the run
    // removes it.
    let stale = run.join(".last.ckpt.tmp-4294967");
    fs::write(&stale, "half a checkpoint").unwrap();
    run_ok(&[
        "train",
        path(&manifest),
        "--model",
        "linear",
        "--epochs",
        "2",
        "--out",
        path(&run),
        "--force",
        "--no-progress",
    ]);
    assert!(!stale.exists(), "stale temporary left");
}

#[test]
fn a_model_too_large_for_memory_is_refused_before_it_is_built() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_synth(tmp.path());
    let spec = tmp.path().join("huge.toml");
    fs::write(
        &spec,
        "kind = \"resnet\"\nwidths = [4096, 4096, 4096]\nblocks = [256, 256, 256]\n",
    )
    .unwrap();
    let o = triage(&[
        "train",
        path(&data.join("manifest.csv")),
        "--model",
        path(&spec),
        "--epochs",
        "1",
        "--out",
        path(&tmp.path().join("run")),
        "--no-progress",
    ]);
    let err = exit_2(&o, "huge model");
    assert!(err.contains("parameters") && err.contains("TiB"), "{err}");
    // Refused before training: no talk of kept checkpoints.
    assert!(!err.contains("checkpoints"), "{err}");
}

#[test]
fn fail_on_exits_1_when_a_finding_at_or_above_it_fires() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("p.csv");
    fs::write(&csv, CSV).unwrap();
    let eval = |fail_on: &[&str]| {
        let mut args = vec!["evaluate", "--predictions", path(&csv), "--bootstrap", "0"];
        args.extend(fail_on);
        triage(&args)
    };
    // Four samples: the accuracy interval is too wide (a warning).
    let quiet = eval(&[]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stderr(&quiet));
    let tripped = eval(&["--fail-on", "warning"]);
    assert_eq!(tripped.status.code(), Some(1), "{}", stderr(&tripped));
    assert!(
        stderr(&tripped).contains("wide-interval"),
        "{}",
        stderr(&tripped)
    );
    assert_eq!(stdout(&tripped), stdout(&quiet), "the output is the same");
    let not_tripped = eval(&["--fail-on", "critical"]);
    assert_eq!(
        not_tripped.status.code(),
        Some(0),
        "{}",
        stderr(&not_tripped)
    );

    // profile: an imbalanced, class-sorted synthetic set.
    let data = tmp.path().join("imbalanced");
    run_ok(&[
        "synth",
        path(&data),
        "--classes",
        "2",
        "--per-class",
        "16",
        "--imbalance",
        "4",
        "--size",
        "8",
    ]);
    let o = triage(&["profile", path(&data), "--no-cache", "--fail-on", "info"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("check failed (--fail-on info)"),
        "{}",
        stderr(&o)
    );
    let o = triage(&[
        "label-issues",
        "--predictions",
        path(&csv),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // report: the same rules over what it was given.
    let ev = tmp.path().join("ev.json");
    fs::write(&ev, stdout(&eval(&["--json"]))).unwrap();
    let html = tmp.path().join("r.html");
    let o = triage(&[
        "report",
        path(&ev),
        "--out",
        path(&html),
        "--fail-on",
        "warning",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("wide-interval"), "{}", stderr(&o));
    let o = triage(&[
        "report",
        path(&ev),
        "--out",
        path(&html),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Run `args` with stdout a pipe whose reader is closed at once.
fn closed_pipe(args: &[&str]) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait().unwrap().code()
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let data = tiny_synth(t);
    let manifest = data.join("manifest.csv");
    let run = tiny_run(t, &data);
    let csv = t.join("p.csv");
    fs::write(&csv, CSV).unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "split".into(),
            path(&manifest).into(),
            "--out".into(),
            path(&t.join("s.csv")).into(),
        ],
        vec![
            "train".into(),
            path(&manifest).into(),
            "--model".into(),
            "linear".into(),
            "--epochs".into(),
            "1".into(),
            "--out".into(),
            path(&t.join("r2")).into(),
            "--no-progress".into(),
        ],
        vec![
            "train".into(),
            path(&manifest).into(),
            "--model".into(),
            "linear".into(),
            "--epochs".into(),
            "1".into(),
            "--folds".into(),
            "2".into(),
            "--out".into(),
            path(&t.join("cv")).into(),
            "--no-progress".into(),
        ],
        vec![
            "predict".into(),
            path(&run).into(),
            path(&manifest).into(),
            "--out".into(),
            path(&t.join("pred")).into(),
        ],
        vec![
            "lr-find".into(),
            path(&manifest).into(),
            "--model".into(),
            "linear".into(),
            "--steps".into(),
            "10".into(),
            "--out".into(),
            path(&t.join("lr")).into(),
        ],
        vec![
            "evaluate".into(),
            "--predictions".into(),
            path(&csv).into(),
            "--bootstrap".into(),
            "0".into(),
        ],
        vec![
            "label-issues".into(),
            "--predictions".into(),
            path(&csv).into(),
        ],
        vec![
            "profile".into(),
            path(&data).into(),
            "--no-cache".into(),
            "--no-progress".into(),
        ],
        vec![
            "synth".into(),
            path(&t.join("syn2")).into(),
            "--classes".into(),
            "2".into(),
            "--per-class".into(),
            "4".into(),
            "--size".into(),
            "8".into(),
        ],
        vec![
            "report".into(),
            path(&run).into(),
            "--out".into(),
            path(&t.join("r.html")).into(),
        ],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let code = closed_pipe(&args);
        assert!(
            matches!(code, Some(0 | 141)),
            "triage {args:?} | (closed): exit {code:?}"
        );
    }
}

#[test]
fn readers_stop_at_their_limits() {
    // A device without end.
    let started = Instant::now();
    let err = exit_2(
        &triage(&["evaluate", "--predictions", "/dev/zero"]),
        "/dev/zero",
    );
    assert!(err.contains("/dev/zero") && err.contains("bytes"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60));

    let tmp = tempfile::tempdir().unwrap();
    // A line of 17 MiB without a newline.
    let long = tmp.path().join("long.csv");
    let mut text = String::from("id,label,p_a,p_b\n");
    text.push_str(&"x".repeat(17 << 20));
    fs::write(&long, text).unwrap();
    let err = exit_2(
        &triage(&["evaluate", "--predictions", path(&long)]),
        "long line",
    );
    assert!(err.contains("long.csv") && err.contains("line"), "{err}");

    // A FIFO nobody writes to: an error at once, not a hang.
    let fifo = tmp.path().join("fifo.csv");
    if Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
            .args(["evaluate", "--predictions", path(&fifo)])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("triage waited on a FIFO without a writer");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(2), "{err}");
        assert!(err.contains("fifo.csv"), "{err}");
    }
}

#[test]
fn predicted_embeddings_line_up_with_the_profile_when_images_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let data = tiny_synth(t);
    let manifest = data.join("manifest.csv");
    let run = tiny_run(t, &data);
    // One image becomes undecodable: predict skips it.
    let broken = contents(&data)
        .into_iter()
        .map(|(p, _)| std::path::PathBuf::from(p))
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .unwrap();
    fs::write(&broken, b"not a png").unwrap();
    let pred = t.join("pred");
    run_ok(&["predict", path(&run), path(&manifest), "--out", path(&pred)]);
    let npy = pred.join("embeddings.npy");
    let ids = fs::read_to_string(pred.join("embeddings.ids.csv")).unwrap();
    assert_eq!(
        ids.lines().count(),
        1 + 11,
        "header + 11 of 12 items: {ids}"
    );
    let profile = |data: &Path| {
        triage(&[
            "profile",
            path(data),
            "--embeddings",
            path(&npy),
            "--no-cache",
            "--no-progress",
            "--json",
        ])
    };
    let o = profile(&manifest);
    assert!(o.status.success(), "{}", stderr(&o));
    // An ids file that does not match the rows is refused. (A decodable
    // item without a row is refused too: datasets.rs, embeddings CSV.)
    let mut lines: Vec<&str> = ids.lines().collect();
    lines.remove(1);
    fs::write(pred.join("embeddings.ids.csv"), lines.join("\n") + "\n").unwrap();
    let err = exit_2(&profile(&manifest), "ids and rows differ");
    assert!(err.contains("10 ids") && err.contains("11 rows"), "{err}");
}
