//! NPY pairs, directories of them, and NPZ archives.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use npyz::npz::NpzWriter;
use npyz::{AutoSerialize, WriterBuilder};
use triage_data::{read_predictions, Location, PredictionsError as E, ReadOptions};

use crate::{fixture, read, read_err, read_err_in, Scratch};

/// Write an array with npyz in C order.
fn save<T: AutoSerialize + Copy>(path: &Path, shape: &[u64], data: &[T]) {
    let file = BufWriter::new(File::create(path).unwrap());
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(shape)
        .writer(file)
        .begin_nd()
        .unwrap();
    writer.extend(data.iter().copied()).unwrap();
    writer.finish().unwrap();
}

/// One array of an NPZ archive.
enum Array<'a> {
    F64(&'a [u64], &'a [f64]),
    F32(&'a [u64], &'a [f32]),
    I64(&'a [i64]),
}

fn save_npz(path: &Path, arrays: &[(&str, Array<'_>)]) {
    let mut npz = NpzWriter::create(path).unwrap();
    for (name, array) in arrays {
        match array {
            Array::F64(shape, data) => {
                let mut w = npz
                    .array::<f64>(name, Default::default())
                    .unwrap()
                    .default_dtype()
                    .shape(shape)
                    .begin_nd()
                    .unwrap();
                w.extend(data.iter().copied()).unwrap();
                w.finish().unwrap();
            }
            Array::F32(shape, data) => {
                let mut w = npz
                    .array::<f32>(name, Default::default())
                    .unwrap()
                    .default_dtype()
                    .shape(shape)
                    .begin_nd()
                    .unwrap();
                w.extend(data.iter().copied()).unwrap();
                w.finish().unwrap();
            }
            Array::I64(data) => {
                let mut w = npz
                    .array::<i64>(name, Default::default())
                    .unwrap()
                    .default_dtype()
                    .shape(&[data.len() as u64])
                    .begin_nd()
                    .unwrap();
                w.extend(data.iter().copied()).unwrap();
                w.finish().unwrap();
            }
        }
    }
}

const PROBS: [f64; 6] = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1];

fn with_labels(path: PathBuf) -> ReadOptions {
    ReadOptions {
        labels_path: Some(path),
        ..ReadOptions::default()
    }
}

#[test]
fn reads_a_directory_of_f64_probs_and_i64_labels() {
    let s = Scratch::new();
    save(&s.path("probs.npy"), &[2, 3], &PROBS);
    save(&s.path("labels.npy"), &[2], &[0i64, 2]);
    let p = read(s.dir.path()).unwrap();
    assert_eq!(p.ids, ["0", "1"]);
    assert_eq!(p.classes, ["0", "1", "2"]);
    assert_eq!(p.labels, [0, 2]);
    assert_eq!(p.proba.as_slice(), PROBS);
    assert_eq!(p.paths, None);
    assert_eq!(p.source, s.dir.path());
    assert!(!p.input_was_f32);
}

#[test]
fn reads_f32_probs_with_separate_labels_of_several_int_types() {
    let s = Scratch::new();
    let probs: Vec<f32> = PROBS.iter().map(|&v| v as f32).collect();
    save(&s.path("scores.npy"), &[2, 3], &probs);
    let labels = s.path("labels.npy");
    for write in [
        (|p: &Path| save(p, &[2], &[1i32, 0])) as fn(&Path),
        |p| save(p, &[2], &[1i64, 0]),
        |p| save(p, &[2], &[1u8, 0]),
        |p| save(p, &[2], &[1i8, 0]),
        |p| save(p, &[2], &[1u64, 0]),
        |p| save(p, &[2], &[1i16, 0]),
    ] {
        write(&labels);
        let p = read_predictions(&s.path("scores.npy"), &with_labels(labels.clone())).unwrap();
        assert_eq!(p.labels, [1, 0]);
        assert!(p.input_was_f32);
        assert_eq!(p.proba.get(0, 0), f64::from(0.7f32));
    }
}

#[test]
fn float32_rows_get_a_wider_tolerance() {
    // K = 50: tolerance max(1e-6, 50 · 2^-23 ≈ 5.96e-6).
    let k = 50;
    let mut row = vec![0.02f64; k];
    row[0] += 3e-6;
    let s = Scratch::new();
    let as_f32: Vec<f32> = row.iter().map(|&v| v as f32).collect();
    save(&s.path("probs.npy"), &[1, k as u64], &as_f32);
    save(&s.path("labels.npy"), &[1], &[0i64]);
    assert!(read(s.dir.path()).is_ok());
    save(&s.path("probs.npy"), &[1, k as u64], &row);
    let err = read_err_in(
        s.dir.path(),
        &ReadOptions::default(),
        &s.path("probs.npy"),
        &["row 1 (index 0)", "1e-6"],
    );
    assert!(matches!(
        err,
        E::RowSum {
            location: Location::Row(0),
            ..
        }
    ));
}

#[test]
fn reads_logits_from_a_directory() {
    let s = Scratch::new();
    save(&s.path("logits.npy"), &[1, 2], &[0.0f64, 0.0]);
    save(&s.path("labels.npy"), &[1], &[1i64]);
    let p = read(s.dir.path()).unwrap();
    assert_eq!(p.proba.row(0), [0.5, 0.5]);
    // With both files present, --logits picks logits.npy.
    save(&s.path("probs.npy"), &[1, 2], &[0.25f64, 0.75]);
    assert_eq!(read(s.dir.path()).unwrap().proba.row(0), [0.25, 0.75]);
    let opts = ReadOptions {
        logits: true,
        ..ReadOptions::default()
    };
    assert_eq!(
        read_predictions(s.dir.path(), &opts).unwrap().proba.row(0),
        [0.5, 0.5]
    );
}

#[test]
fn reads_npz_archives() {
    let s = Scratch::new();
    let path = s.path("preds.npz");
    save_npz(
        &path,
        &[
            ("labels", Array::I64(&[2, 1])),
            ("probs", Array::F64(&[2, 3], &PROBS)),
        ],
    );
    let p = read(&path).unwrap();
    assert_eq!(p.labels, [2, 1]);
    assert_eq!(p.proba.as_slice(), PROBS);

    let path = s.path("logits.npz");
    let logits = [0.0f32, 0.0, 1.0, 1.0];
    save_npz(
        &path,
        &[
            ("logits", Array::F32(&[2, 2], &logits)),
            ("labels", Array::I64(&[0, 1])),
        ],
    );
    let p = read(&path).unwrap();
    assert!(p.input_was_f32);
    assert_eq!(p.proba.row(1), [0.5, 0.5]);

    let path = s.path("nolabels.npz");
    save_npz(&path, &[("probs", Array::F64(&[2, 3], &PROBS))]);
    let err = read_err(&path, &ReadOptions::default(), &["`labels`"]);
    assert!(matches!(err, E::MissingArray { .. }));
    assert!(err.hint().unwrap().contains("savez"));
}

#[test]
fn reads_numpy_made_fixtures() {
    let expected = [
        0.75, 0.125, 0.125, 0.25, 0.5, 0.25, 0.0, 0.0, 1.0, 0.5, 0.25, 0.25,
    ];
    let p = read(&fixture("compressed.npz")).unwrap();
    assert_eq!(p.labels, [0, 1, 2, 1]);
    assert_eq!(p.proba.as_slice(), expected);
    let p = read(&fixture("fortran")).unwrap();
    assert_eq!(p.labels, [0, 1, 2, 1]);
    assert_eq!(p.proba.as_slice(), expected);
    let opts = with_labels(fixture("big_endian_labels.npy"));
    let p = read_predictions(&fixture("big_endian_probs.npy"), &opts).unwrap();
    assert_eq!(p.labels, [0, 1, 2, 1]);
    assert_eq!(p.proba.as_slice(), expected);
    let opts = with_labels(fixture("big_endian_labels.npy"));
    let err = read_err(
        &fixture("float16_probs.npy"),
        &opts,
        &["<f2", "float32 or float64"],
    );
    assert!(matches!(err, E::UnsupportedDtype { .. }));
}

#[test]
fn class_names_name_the_columns() {
    let s = Scratch::new();
    save(&s.path("probs.npy"), &[2, 3], &PROBS);
    save(&s.path("labels.npy"), &[2], &[0i64, 2]);
    let names = |n: &[&str]| ReadOptions {
        class_names: Some(n.iter().map(|s| s.to_string()).collect()),
        ..ReadOptions::default()
    };
    let p = read_predictions(s.dir.path(), &names(&["cat", "dog", "bird"])).unwrap();
    assert_eq!(p.classes, ["cat", "dog", "bird"]);
    let err = read_err_in(
        s.dir.path(),
        &names(&["cat", "dog"]),
        &s.path("probs.npy"),
        &["3 classes"],
    );
    assert!(matches!(err, E::ClassNamesMismatch { .. }));
}

#[test]
fn label_errors_name_the_row() {
    let s = Scratch::new();
    let labels = s.path("labels.npy");
    save(&s.path("probs.npy"), &[2, 3], &PROBS);
    save(&labels, &[2], &[0i8, -3]);
    let opts = ReadOptions::default();
    let err = read_err_in(s.dir.path(), &opts, &labels, &["row 2 (index 1)", "-3"]);
    assert!(matches!(
        err,
        E::NegativeLabel {
            location: Location::Row(1),
            value: -3,
            ..
        }
    ));
    let err = read_err_in(
        &s.path("probs.npy"),
        &with_labels(labels.clone()),
        &labels,
        &["row 2"],
    );
    assert!(matches!(err, E::NegativeLabel { .. }));
    save(&labels, &[2], &[3u16, 0]);
    let err = read_err_in(
        s.dir.path(),
        &opts,
        &labels,
        &["row 1 (index 0)", "`3`", "0..=2"],
    );
    assert!(matches!(err, E::UnknownLabel { .. }));
}

#[test]
fn value_errors_name_row_and_column() {
    let s = Scratch::new();
    let probs = s.path("probs.npy");
    let labels = s.path("labels.npy");
    let opts = with_labels(labels.clone());
    save(&labels, &[2], &[0i64, 1]);
    save(&probs, &[2, 2], &[0.5, 0.5, f64::NAN, 1.0]);
    let err = read_err(&probs, &opts, &["row 2 (index 1)", "`probs[:, 0]`", "NaN"]);
    assert!(matches!(
        err,
        E::NotFinite {
            location: Location::Row(1),
            ..
        }
    ));
    save(&probs, &[2, 2], &[0.5, 0.5, 1.5, -0.5]);
    let err = read_err(&probs, &opts, &["`probs[:, 1]`", "-0.5"]);
    assert!(matches!(err, E::Negative { .. }));
    save(&probs, &[2, 2], &[0.5, 0.5, 1.0, 3.0]);
    assert!(matches!(
        read_err(&probs, &opts, &["sum to 4"]),
        E::RowSum { .. }
    ));
    let renormalize = ReadOptions {
        renormalize: true,
        ..ReadOptions::default()
    };
    assert_eq!(
        read_predictions(s.dir.path(), &renormalize)
            .unwrap()
            .proba
            .row(1),
        [0.25, 0.75]
    );
    // A bad value before a bad label is reported first, and vice versa.
    save(&probs, &[2, 2], &[f64::NAN, 1.0, 0.5, 0.5]);
    save(&labels, &[2], &[0i64, 7]);
    assert!(matches!(read(s.dir.path()), Err(E::NotFinite { .. })));
    save(&labels, &[2], &[7i64, 0]);
    assert!(matches!(read(s.dir.path()), Err(E::UnknownLabel { .. })));
}

#[test]
fn shape_and_dtype_errors() {
    let s = Scratch::new();
    let probs = s.path("probs.npy");
    let labels = s.path("labels.npy");
    let opts = with_labels(labels.clone());
    save(&labels, &[2], &[0i64, 1]);
    save(&probs, &[4], &[0.5, 0.5, 0.5, 0.5]);
    let err = read_err(&probs, &opts, &["[4]", "2-D"]);
    assert!(matches!(err, E::BadShape { .. }));
    save(&probs, &[2, 2], &[1i64, 0, 0, 1]);
    assert!(matches!(
        read_err(&probs, &opts, &["<i8"]),
        E::UnsupportedDtype { .. }
    ));
    save(&probs, &[2, 1], &[1.0, 1.0]);
    assert!(matches!(
        read_err(&probs, &opts, &["at least 2"]),
        E::TooFewClasses { k: 1, .. }
    ));
    save(&probs, &[3, 2], &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    let err = read_err_in(&probs, &opts, &labels, &["2 labels", "3 rows", "probs.npy"]);
    assert!(matches!(
        err,
        E::LengthMismatch {
            labels: 2,
            rows: 3,
            ..
        }
    ));
    save(&probs, &[2, 2], &[1.0, 0.0, 1.0, 0.0]);
    save(&labels, &[2], &[0.0f64, 1.0]);
    let err = read_err_in(&probs, &opts, &labels, &["<f8", "integer"]);
    assert!(err.hint().unwrap().contains("int64"));
    save(&labels, &[2, 1], &[0i64, 1]);
    let err = read_err_in(&probs, &opts, &labels, &["[2, 1]", "1-D"]);
    assert!(matches!(err, E::BadShape { .. }));
    save(&probs, &[0, 2], &[] as &[f64]);
    save(&labels, &[0], &[] as &[i64]);
    assert!(matches!(
        read_err(&probs, &opts, &["no prediction rows"]),
        E::NoRows { .. }
    ));
}

#[test]
fn missing_and_corrupt_inputs() {
    let s = Scratch::new();
    let opts = ReadOptions::default();
    let probs = s.path("probs.npy");
    save(&probs, &[1, 2], &[0.5, 0.5]);
    assert!(matches!(
        read_err(&probs, &opts, &["no labels"]),
        E::MissingLabels { .. }
    ));
    let labels = s.path("labels.npy");
    let err = read_err_in(
        &probs,
        &with_labels(labels.clone()),
        &labels,
        &["cannot read"],
    );
    assert!(matches!(err, E::Io { .. }));
    // The directory is named in the message; check it by its own name.
    let err = read_predictions(s.dir.path(), &opts).unwrap_err();
    assert!(matches!(err, E::MissingArray { ref name, .. } if name == "labels.npy"));
    std::fs::remove_file(&probs).unwrap();
    let err = read_predictions(s.dir.path(), &opts).unwrap_err();
    assert!(matches!(err, E::MissingArray { ref name, .. } if name == "probs.npy"));

    let garbage = s.write("garbage.npy", "id,label\n");
    let opts = with_labels(labels);
    assert!(matches!(
        read_err(&garbage, &opts, &["magic"]),
        E::NpyFormat { .. }
    ));
    let mut truncated = std::fs::read(fixture("big_endian_probs.npy")).unwrap();
    truncated.truncate(truncated.len() - 1);
    let path = s.path("truncated.npy");
    std::fs::write(&path, truncated).unwrap();
    assert!(matches!(
        read_err(&path, &opts, &["truncated"]),
        E::NpyFormat { .. }
    ));
    let garbage = s.write("garbage.npz", "not a zip");
    assert!(matches!(
        read_err(&garbage, &opts, &[".npz"]),
        E::Npz { .. }
    ));
    let err = read_err(&s.path("absent.npz"), &opts, &["cannot read"]);
    assert!(matches!(err, E::Io { .. }));
}

#[test]
fn example_archive_reads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/predictions-small.npz");
    let p = read(&path).unwrap();
    assert_eq!(p.proba.k(), 5);
    assert!(p.input_was_f32);
    assert!(p.len() >= 100);
}

#[test]
fn mutated_npz_archives_never_panic() {
    let good = std::fs::read(fixture("compressed.npz")).unwrap();
    let s = Scratch::new();
    let path = s.path("mutated.npz");
    // A small deterministic generator (xorshift) picks bytes to corrupt.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = next() as u8;
        }
        std::fs::write(&path, &bytes).unwrap();
        let _ = read(&path);
    }
}
