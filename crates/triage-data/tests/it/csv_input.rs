//! CSV predictions files.

use triage_data::{Location, PredictionsError as E, ReadOptions};

use crate::{read, read_err, Scratch};

fn logits() -> ReadOptions {
    ReadOptions {
        logits: true,
        ..ReadOptions::default()
    }
}

fn renormalize() -> ReadOptions {
    ReadOptions {
        renormalize: true,
        ..ReadOptions::default()
    }
}

#[test]
fn reads_names_as_labels_with_class_order_from_header() {
    let s = Scratch::new();
    let path = s.write(
        "preds.csv",
        "p_dog, id ,p_cat,label,p_bird\n0.1,a,0.8,cat,0.1\n 0.7 ,b,0.2,dog,0.1\n0.25,c,0.25,bird,0.5\n",
    );
    let p = read(&path).unwrap();
    assert_eq!(p.classes, ["dog", "cat", "bird"]);
    assert_eq!(p.ids, ["a", "b", "c"]);
    assert_eq!(p.labels, [1, 0, 2]);
    assert_eq!(p.proba.row(0), [0.1, 0.8, 0.1]);
    assert_eq!(p.proba.row(1), [0.7, 0.2, 0.1]);
    assert_eq!(p.paths, None);
    assert_eq!(p.source, path);
    assert!(!p.input_was_f32);
    assert_eq!(p.len(), 3);
}

#[test]
fn reads_indices_as_labels_but_names_win() {
    let s = Scratch::new();
    let path = s.write("preds.csv", "id,label,p_a,p_b,p_c\nx,0,1,0,0\ny,2,0,0,1\n");
    assert_eq!(read(&path).unwrap().labels, [0, 2]);
    // Class "0" is column 1: the label `0` is that name, not index 0.
    let path = s.write("names.csv", "id,label,p_1,p_0\nx,0,0.5,0.5\ny,1,0.5,0.5\n");
    assert_eq!(read(&path).unwrap().labels, [1, 0]);
}

#[test]
fn reads_path_column_and_bom() {
    let s = Scratch::new();
    let path = s.write(
        "preds.csv",
        "\u{feff}id,path,label,p_cat,p_dog\n1,images/cat/0001.png,cat,0.6,0.4\n2,\"images/dog/a,b.png\",dog,0.3,0.7\n",
    );
    let p = read(&path).unwrap();
    let paths = p.paths.unwrap();
    assert_eq!(paths, ["images/cat/0001.png", "images/dog/a,b.png"]);
}

#[test]
fn applies_softmax_to_logits() {
    let s = Scratch::new();
    let path = s.write(
        "logits.csv",
        "id,label,logit_a,logit_b,logit_c\nx,a,1,2,3\ny,c,1000,1000,-1000\n",
    );
    let p = triage_data::read_predictions(&path, &logits()).unwrap();
    assert_eq!(p.classes, ["a", "b", "c"]);
    let z: f64 = [1.0f64, 2.0, 3.0].iter().map(|v| v.exp()).sum();
    for (c, logit) in [1.0f64, 2.0, 3.0].iter().enumerate() {
        assert!((p.proba.get(0, c) - logit.exp() / z).abs() < 1e-15);
    }
    assert_eq!(p.proba.row(1)[..2], [0.5, 0.5]);
    // p_ columns are accepted with --logits too.
    let path = s.write("p.csv", "id,label,p_a,p_b\nx,a,0,0\n");
    let p = triage_data::read_predictions(&path, &logits()).unwrap();
    assert_eq!(p.proba.row(0), [0.5, 0.5]);
}

#[test]
fn logit_columns_without_logits_hint_at_the_flag() {
    let s = Scratch::new();
    let path = s.write("logits.csv", "id,label,logit_a,logit_b\nx,a,1,2\n");
    let err = read_err(
        &path,
        &ReadOptions::default(),
        &["line 1", "`logit_a`", "column 3"],
    );
    assert!(matches!(
        err,
        E::UnknownColumn {
            looks_like_logits: true,
            position: 3,
            ..
        }
    ));
    assert!(err.hint().unwrap().contains("--logits"));
}

#[test]
fn header_errors() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    let path = s.write("unknown.csv", "id,label,score,p_a,p_b\n");
    let err = read_err(&path, &opts, &["`score`"]);
    assert!(matches!(
        err,
        E::UnknownColumn {
            looks_like_logits: false,
            position: 3,
            ..
        }
    ));
    let path = s.write("prefix.csv", "id,label,p_,p_b\n");
    assert!(matches!(
        read_err(&path, &opts, &["`p_`"]),
        E::UnknownColumn { .. }
    ));
    let path = s.write("noid.csv", "label,p_a,p_b\nx,0.5,0.5\n");
    assert!(matches!(
        read_err(&path, &opts, &["`id`"]),
        E::MissingColumn { column: "id", .. }
    ));
    let path = s.write("nolabel.csv", "id,p_a,p_b\nx,0.5,0.5\n");
    assert!(matches!(
        read_err(&path, &opts, &["`label`"]),
        E::MissingColumn {
            column: "label",
            ..
        }
    ));
    let path = s.write("dup.csv", "id,label,p_a,p_a\n");
    assert!(matches!(
        read_err(&path, &opts, &["`p_a`"]),
        E::DuplicateColumn { .. }
    ));
    let path = s.write("dup_id.csv", "id,id,label,p_a,p_b\n");
    assert!(matches!(
        read_err(&path, &opts, &["`id`"]),
        E::DuplicateColumn { .. }
    ));
    let path = s.write("dup_class.csv", "id,label,p_a,logit_a\n");
    assert!(matches!(
        read_err(&path, &logits(), &["`logit_a`"]),
        E::DuplicateColumn { .. }
    ));
    let path = s.write("one.csv", "id,label,p_a\nx,a,1\n");
    let err = read_err(&path, &opts, &["at least 2 classes", "found 1"]);
    assert!(matches!(err, E::TooFewClasses { k: 1, .. }));
}

#[test]
fn class_names_must_match_the_header() {
    let s = Scratch::new();
    let path = s.write("preds.csv", "id,label,p_a,p_b\nx,a,0.5,0.5\n");
    let names = |n: &[&str]| ReadOptions {
        class_names: Some(n.iter().map(|s| s.to_string()).collect()),
        ..ReadOptions::default()
    };
    assert!(triage_data::read_predictions(&path, &names(&["a", "b"])).is_ok());
    let err = read_err(&path, &names(&["b", "a"]), &["[b, a]", "[a, b]"]);
    assert!(matches!(err, E::ClassNamesMismatch { .. }));
}

#[test]
fn empty_files() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    let path = s.write("empty.csv", "");
    assert!(matches!(
        read_err(&path, &opts, &["is empty"]),
        E::Empty { .. }
    ));
    let path = s.write("blank.csv", "\n\n  \n");
    assert!(matches!(
        read_err(&path, &opts, &["is empty"]),
        E::Empty { .. }
    ));
    let path = s.write("header.csv", "id,label,p_a,p_b\n");
    assert!(matches!(
        read_err(&path, &opts, &["no prediction rows"]),
        E::NoRows { .. }
    ));
}

#[test]
fn missing_file_names_the_path() {
    let s = Scratch::new();
    let path = s.path("absent.csv");
    let err = read_err(&path, &ReadOptions::default(), &["cannot read"]);
    assert!(matches!(err, E::Io { .. }));
    assert!(err.hint().is_some());
}

#[test]
fn non_finite_and_negative_values() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    let path = s.write("nan.csv", "id,label,p_a,p_b\nx,a,0.5,0.5\ny,a,0.5,NaN\n");
    let err = read_err(&path, &opts, &["line 3", "`p_b`", "NaN"]);
    assert!(
        matches!(err, E::NotFinite { location: Location::Line(3), ref column, .. } if column == "p_b")
    );
    let path = s.write("inf.csv", "id,label,p_a,p_b\nx,a,inf,0.5\n");
    let err = read_err(&path, &opts, &["line 2", "`p_a`", "inf"]);
    assert!(matches!(
        err,
        E::NotFinite {
            location: Location::Line(2),
            ..
        }
    ));
    // A NaN logit is reported too.
    let err = read_err(&path, &logits(), &["line 2", "`p_a`"]);
    assert!(matches!(err, E::NotFinite { .. }));
    let path = s.write("neg.csv", "id,label,p_a,p_b\nx,a,0.5,0.5\ny,b,1.5,-0.5\n");
    let err = read_err(&path, &opts, &["line 3", "`p_b`", "-0.5"]);
    assert!(matches!(err, E::Negative { location: Location::Line(3), value, .. } if value == -0.5));
    // Renormalizing does not excuse negative values.
    assert!(matches!(
        read_err(&path, &renormalize(), &["line 3"]),
        E::Negative { .. }
    ));
}

#[test]
fn row_sums_and_renormalize() {
    let s = Scratch::new();
    let path = s.write(
        "sum.csv",
        "id,label,p_a,p_b\nx,a,0.5,0.5\ny,a,0.25,0.5\nz,b,2,6\n",
    );
    let err = read_err(
        &path,
        &ReadOptions::default(),
        &["line 3", "sum to 0.75", "1e-6"],
    );
    assert!(matches!(
        err,
        E::RowSum {
            location: Location::Line(3),
            ..
        }
    ));
    assert!(err.hint().unwrap().contains("--renormalize"));
    let p = triage_data::read_predictions(&path, &renormalize()).unwrap();
    assert!((p.proba.get(1, 0) - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(p.proba.row(2), [0.25, 0.75]);
    // Within the tolerance is accepted as is.
    let path = s.write("close.csv", "id,label,p_a,p_b\nx,a,0.3333335,0.6666670\n");
    assert_eq!(read(&path).unwrap().proba.get(0, 0), 0.3333335);
    let path = s.write("zero.csv", "id,label,p_a,p_b\nx,a,0.5,0.5\ny,a,0,0\n");
    let err = read_err(&path, &renormalize(), &["line 3", "sum to 0"]);
    assert!(err.hint().unwrap().contains("zeros"));
}

#[test]
fn unknown_labels() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    for (label, line) in [("horse", 3), ("3", 3), ("-1", 3), ("1.0", 3)] {
        let text = format!("id,label,p_cat,p_dog,p_bird\nx,cat,1,0,0\ny,{label},1,0,0\n");
        let path = s.write("labels.csv", &text);
        let err = read_err(
            &path,
            &opts,
            &[
                &format!("line {line}"),
                &format!("`{label}`"),
                "cat, dog, bird",
                "0..=2",
            ],
        );
        assert!(matches!(
            err,
            E::UnknownLabel {
                location: Location::Line(3),
                ..
            }
        ));
    }
}

#[test]
fn row_shape_and_field_errors() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    let path = s.write("count.csv", "id,label,p_a,p_b\nx,a,1,0\ny,a,1\n");
    let err = read_err(&path, &opts, &["line 3", "expected 4 fields", "found 3"]);
    assert!(matches!(
        err,
        E::ColumnCount {
            line: 3,
            expected: 4,
            found: 3,
            ..
        }
    ));
    let path = s.write("long.csv", "id,label,p_a,p_b\nx,a,1,0,7\n");
    assert!(matches!(
        read_err(&path, &opts, &["line 2"]),
        E::ColumnCount { found: 5, .. }
    ));
    let path = s.write("bad.csv", "id,label,p_a,p_b\nx,a,1,0\ny,a,0.5,half\n");
    let err = read_err(&path, &opts, &["line 3", "`p_b`", "`half`"]);
    assert!(matches!(err, E::BadNumber { line: 3, .. }));
    let path = s.write("noid.csv", "id,label,p_a,p_b\n ,a,1,0\n");
    assert!(matches!(
        read_err(&path, &opts, &["line 2", "`id`"]),
        E::EmptyField { column: "id", .. }
    ));
    let path = s.write("nolabel.csv", "id,label,p_a,p_b\nx,,1,0\n");
    let err = read_err(&path, &opts, &["line 2", "`label`"]);
    assert!(matches!(
        err,
        E::EmptyField {
            column: "label",
            ..
        }
    ));
    let path = s.path("utf8.csv");
    std::fs::write(&path, b"id,label,p_a,p_b\nx,a,1,0\ny\xff,a,1,0\n").unwrap();
    assert!(matches!(
        read_err(&path, &opts, &["line 3"]),
        E::Csv { line: Some(3), .. }
    ));
}

#[test]
fn duplicate_id_names_both_lines() {
    let s = Scratch::new();
    let path = s.write("dup.csv", "id,label,p_a,p_b\nx,a,1,0\ny,a,1,0\nx,b,0,1\n");
    let err = read_err(&path, &ReadOptions::default(), &["line 4", "`x`", "line 2"]);
    assert!(matches!(
        err,
        E::DuplicateId {
            first_line: 2,
            line: 4,
            ..
        }
    ));
}

#[test]
fn line_numbers_follow_quoted_newlines() {
    let s = Scratch::new();
    let path = s.write(
        "multi.csv",
        "id,path,label,p_a,p_b\nx,\"two\nlines\",a,1,0\ny,p,a,0.5,0.4\n",
    );
    let err = read_err(&path, &ReadOptions::default(), &["line 4"]);
    assert!(matches!(
        err,
        E::RowSum {
            location: Location::Line(4),
            ..
        }
    ));
}

#[test]
fn the_first_problem_in_file_order_is_reported() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    let head = "id,label,p_a,p_b\nw,a,1,0\n";
    let path = s.write("a.csv", &format!("{head}x,a,nan,0\ny,a,1,0\nz,horse,1,0\n"));
    assert!(matches!(
        read_err(&path, &opts, &["line 3"]),
        E::NotFinite { .. }
    ));
    let path = s.write("b.csv", &format!("{head}x,horse,1,0\ny,a,1,0\nz,a,nan,0\n"));
    assert!(matches!(
        read_err(&path, &opts, &["line 3"]),
        E::UnknownLabel { .. }
    ));
    let path = s.write("c.csv", &format!("{head}x,a,0.2,0.2\ny,a,1,0\nw,a,1,0\n"));
    assert!(matches!(
        read_err(&path, &opts, &["line 3"]),
        E::RowSum { .. }
    ));
    let path = s.write("d.csv", &format!("{head}x,a,1,0\nw,a,0.2,0.2\n"));
    assert!(matches!(
        read_err(&path, &opts, &["line 4"]),
        E::DuplicateId { .. }
    ));
    let path = s.write("e.csv", &format!("{head}x,a,-1,2\ny,a,1\n"));
    assert!(matches!(
        read_err(&path, &opts, &["line 3"]),
        E::Negative { .. }
    ));
}

#[test]
fn example_file_reads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/predictions-small.csv");
    let p = read(&path).unwrap();
    assert_eq!(p.classes, ["cat", "dog", "bird"]);
    assert!(p.len() >= 50);
    assert!(p.paths.is_some());
}

#[test]
fn huge_numbers_are_written_short_in_messages() {
    let s = Scratch::new();
    let path = s.write("p.csv", "id,label,p_a,p_b\nx,a,1e300,0\n");
    let err = read_err(&path, &ReadOptions::default(), &["1e300"]);
    assert!(err.to_string().len() < 200, "{err}");
}

fn unlabelled() -> ReadOptions {
    ReadOptions {
        unlabelled: true,
        ..ReadOptions::default()
    }
}

#[test]
fn unlabelled_files_are_read_only_when_asked_and_say_so() {
    let s = Scratch::new();
    // No label column at all.
    let none = s.write("none.csv", "id,p_cat,p_dog\na,0.9,0.1\nb,0.2,0.8\n");
    read_err(&none, &ReadOptions::default(), &["label"]);
    let p = triage_data::read_predictions(&none, &unlabelled()).unwrap();
    assert!(!p.labelled);
    assert_eq!(p.len(), 2);
    assert_eq!(p.proba.row(1), [0.2, 0.8]);
    // An empty label column (as `--adjusted-out` writes for unlabelled data).
    let empty = s.write(
        "empty.csv",
        "id,label,p_cat,p_dog\na,,0.9,0.1\nb,,0.2,0.8\n",
    );
    assert!(
        !triage_data::read_predictions(&empty, &unlabelled())
            .unwrap()
            .labelled
    );
    read_err(&empty, &ReadOptions::default(), &["label"]);
    // A labelled file read with the option is still labelled.
    let full = s.write(
        "full.csv",
        "id,label,p_cat,p_dog\na,dog,0.9,0.1\nb,cat,0.2,0.8\n",
    );
    let p = triage_data::read_predictions(&full, &unlabelled()).unwrap();
    assert!(p.labelled);
    assert_eq!(p.labels, [1, 0]);
    // An unknown label is still an error, not "unlabelled".
    let bad = s.write("bad.csv", "id,label,p_cat,p_dog\na,owl,0.9,0.1\n");
    read_err(&bad, &unlabelled(), &["owl"]);
}
