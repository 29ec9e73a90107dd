//! Hostile but realistic input: each case here once panicked, aborted,
//! overwrote an input, or printed a misleading message.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::util::{run_ok, stderr, stdout, tiny_synth, triage};

const CSV: &str =
    "id,label,p_cat,p_dog\na,cat,0.8,0.2\nb,dog,0.3,0.7\nc,cat,0.6,0.4\nd,dog,0.1,0.9\n";

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit status 2 and the stderr text.
fn fails(args: &[&str]) -> String {
    let o = triage(args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "triage {args:?}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    stderr(&o)
}

/// A folder of the dataset that holds PNG images.
fn class_folder(dir: &Path) -> std::path::PathBuf {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries: Vec<_> = fs::read_dir(&d).unwrap().filter_map(Result::ok).collect();
        if entries
            .iter()
            .any(|e| e.path().extension().is_some_and(|x| x == "png"))
        {
            return d;
        }
        stack.extend(entries.into_iter().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    panic!("no images under {}", dir.display())
}

#[test]
fn no_command_writes_over_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let csv = t.join("p.csv");
    fs::write(&csv, CSV).unwrap();
    let ev = t.join("ev.json");
    fs::write(
        &ev,
        run_ok(&[
            "evaluate",
            "--predictions",
            path(&csv),
            "--json",
            "--bootstrap",
            "0",
        ]),
    )
    .unwrap();
    let before = fs::read(&ev).unwrap();
    // The evaluation itself, under another spelling, and its predictions.
    let dotted = t.join(".").join("ev.json");
    for out in [ev.as_path(), dotted.as_path(), csv.as_path()] {
        let err = fails(&[
            "report",
            path(&ev),
            "--predictions",
            path(&csv),
            "--out",
            path(out),
        ]);
        assert!(err.contains("refusing to write"), "{err}");
        assert!(err.contains("--out"), "the hint names the fix: {err}");
    }
    assert_eq!(fs::read(&ev).unwrap(), before, "ev.json was changed");
    assert_eq!(fs::read_to_string(&csv).unwrap(), CSV);
    // A report to a new file is written whole, with no temporary left.
    let html = t.join("r.html");
    run_ok(&["report", path(&ev), "--out", path(&html)]);
    assert!(fs::read_to_string(&html).unwrap().contains("</html>"));
    let leftovers: Vec<_> = fs::read_dir(t)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // split --force does not replace the manifest it reads.
    let data = tiny_synth(t);
    let manifest = data.join("manifest.csv");
    let text = fs::read_to_string(&manifest).unwrap();
    let err = fails(&[
        "split",
        path(&manifest),
        "--out",
        path(&manifest),
        "--force",
    ]);
    assert!(err.contains("refusing to write"), "{err}");
    assert_eq!(fs::read_to_string(&manifest).unwrap(), text);
}

#[test]
fn sizes_that_scale_memory_are_refused_with_what_they_need() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    // 10,001 classes: K×K matrices of 1.6 GB; once an abort at 100,000.
    let k = 10_001;
    let mut text = String::from("id,label");
    for c in 0..k {
        text.push_str(&format!(",p_{c}"));
    }
    text.push('\n');
    for (id, label) in [("a", 0), ("b", 1)] {
        text.push_str(&format!("{id},{label}"));
        for c in 0..k {
            text.push_str(if c == label { ",1" } else { ",0" });
        }
        text.push('\n');
    }
    let wide = t.join("wide.csv");
    fs::write(&wide, text).unwrap();
    let err = fails(&["evaluate", "--predictions", path(&wide), "--bootstrap", "0"]);
    assert!(
        err.contains("10001 classes") && err.contains("GiB") && err.contains("at most 10000"),
        "{err}"
    );

    let csv = t.join("p.csv");
    fs::write(&csv, CSV).unwrap();
    let err = fails(&[
        "evaluate",
        "--predictions",
        path(&csv),
        "--bootstrap",
        "1000000000000",
    ]);
    assert!(err.contains("at most 1000000"), "{err}");

    let data = tiny_synth(t);
    let manifest = data.join("manifest.csv");
    let out = t.join("run");
    let err = fails(&[
        "train",
        path(&manifest),
        "--size",
        "100000x100000",
        "--out",
        path(&out),
    ]);
    assert!(err.contains("at most 4096 pixels"), "{err}");
    let spec = t.join("wide.toml");
    fs::write(&spec, "kind = \"vgg\"\nwidths = [100000]\nblocks = [1]\n").unwrap();
    let err = fails(&[
        "train",
        path(&manifest),
        "--model",
        path(&spec),
        "--out",
        path(&out),
        "--no-progress",
    ]);
    assert!(
        err.contains("widths") && err.contains("at most 4096"),
        "{err}"
    );
    let err = fails(&[
        "synth",
        path(&t.join("big")),
        "--per-class",
        "10000000000000",
    ]);
    assert!(
        err.contains("per_class") && err.contains("at most 1000000"),
        "{err}"
    );
    assert!(!t.join("big").join("manifest.csv").exists());
    let err = fails(&[
        "train",
        path(&manifest),
        "--max-train",
        "0",
        "--out",
        path(&out),
    ]);
    assert!(err.contains("at least 1"), "{err}");
}

#[test]
fn messages_say_what_is_true() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    // Blank lines are counted: the bad row is on line 7.
    let blank = t.join("blank.csv");
    fs::write(
        &blank,
        "id,label,p_cat,p_dog\n\na,cat,0.5,0.5\n\n\nb,dog,0.5,0.5\nc,dog,x,0.5\n",
    )
    .unwrap();
    let err = fails(&["evaluate", "--predictions", path(&blank)]);
    assert!(err.contains("line 7"), "{err}");
    // 1e400 overflows; it is not "inf".
    let huge = t.join("huge.csv");
    fs::write(
        &huge,
        "id,label,p_cat,p_dog\na,cat,1e400,0.5\nb,dog,0.5,0.5\n",
    )
    .unwrap();
    let err = fails(&["evaluate", "--predictions", path(&huge)]);
    assert!(err.contains("`1e400`") && err.contains("range"), "{err}");
    assert!(!err.contains("value inf"), "{err}");
    // A class named twice.
    let csv = t.join("p.csv");
    fs::write(&csv, CSV).unwrap();
    let err = fails(&[
        "evaluate",
        "--predictions",
        path(&csv),
        "--class-names",
        "a,a",
    ]);
    assert!(err.contains("`a` is given 2 times"), "{err}");

    // synth's own manifest.csv and synth.json are not corrupt files; five
    // corrupt images are summarised with "and 2 more".
    let data = tiny_synth(t);
    let cache = t.join("cache");
    let profile = |args: &[&str]| {
        let mut all = vec![
            "profile",
            path(&data),
            "--no-progress",
            "--cache-dir",
            path(&cache),
        ];
        all.extend_from_slice(args);
        run_ok(&all)
    };
    let doc: Value = serde_json::from_str(&profile(&["--json"])).unwrap();
    assert_eq!(doc["corrupt_files"]["count"], 0, "{}", doc["corrupt_files"]);
    let class_dir = class_folder(&data);
    for i in 0..5 {
        fs::write(class_dir.join(format!("bad{i}.png")), b"not a png").unwrap();
    }
    let summary = profile(&[]);
    assert!(summary.contains("corrupt files: 5"), "{summary}");
    assert!(summary.contains("… and 2 more"), "{summary}");
}

#[cfg(unix)]
#[test]
fn names_cannot_forge_terminal_lines_and_links_cannot_escape() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let data = tiny_synth(t);
    let class_dir = class_folder(&data);
    fs::write(
        class_dir.join("evil\nwarning[fake]: all good\x1b[2J.png"),
        b"junk",
    )
    .unwrap();
    let out = run_ok(&[
        "profile",
        path(&data),
        "--no-progress",
        "--cache-dir",
        path(&t.join("c")),
    ]);
    assert!(
        !out.lines().any(|l| l.starts_with("warning[fake]")),
        "a file name forged a line:\n{out}"
    );
    assert!(!out.contains('\x1b'), "an escape reached the terminal");
    assert!(out.contains("evil\\nwarning[fake]"), "{out}");

    // A link inside the manifest's folder that leads out of it.
    let m = t.join("m");
    fs::create_dir_all(&m).unwrap();
    let image = fs::read_dir(&class_dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "png") && fs::metadata(p).unwrap().len() > 4)
        .unwrap();
    fs::copy(&image, m.join("a.png")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", m.join("b.png")).unwrap();
    fs::write(m.join("manifest.csv"), "path,label\na.png,x\nb.png,y\n").unwrap();
    let err = fails(&["profile", path(&m.join("manifest.csv")), "--no-progress"]);
    assert!(
        err.contains("line 3") && err.contains("/etc/passwd"),
        "{err}"
    );
}
