//! The embeddings readers: `.npy` (row-aligned) and CSV (with ids), and
//! their errors naming the file and the row.

use triage_data::npy_write::write_npy_f32;
use triage_data::predictions::{read_embeddings, read_embeddings_csv};

use crate::Scratch;

#[test]
fn npy_embeddings_are_read_and_bad_ones_refused() {
    let s = Scratch::new();
    let path = s.path("e.npy");
    let values: Vec<f32> = (0..12).map(|i| i as f32 * 0.5).collect();
    write_npy_f32(&path, &values, 4, 3).unwrap();
    let e = read_embeddings(&path).unwrap();
    assert_eq!((e.n, e.dim), (4, 3));
    assert_eq!(e.rows, values);

    let mut bad = values.clone();
    bad[7] = f32::INFINITY;
    write_npy_f32(&path, &bad, 4, 3).unwrap();
    let err = read_embeddings(&path).unwrap_err().to_string();
    assert!(
        err.contains("row 3 (index 2)") && err.contains("e.npy"),
        "{err}"
    );

    let text = s.write("t.npy", "not an array");
    let err = read_embeddings(&text).unwrap_err().to_string();
    assert!(err.contains("t.npy"), "{err}");
}

#[test]
fn csv_embeddings_keep_their_ids_and_errors_name_the_line() {
    let s = Scratch::new();
    let good = s.write("e.csv", "id,f0,f1\nb,1,2\na,3.5,-4e2\n");
    let e = read_embeddings_csv(&good).unwrap();
    assert_eq!(e.ids, ["b", "a"]);
    assert_eq!((e.matrix.n, e.matrix.dim), (2, 2));
    assert_eq!(e.matrix.rows, [1.0, 2.0, 3.5, -400.0]);

    let cases = [
        ("", "is empty"),
        ("name,f0\na,1\n", "`id`"),
        ("id,f0\n", "no prediction rows"),
        ("id,f0\na,1\nb\n", "line 3: expected 2 fields"),
        ("id,f0\n,1\n", "line 2: column `id` is empty"),
        ("id,f0\na,x\n", "line 2, column `f0`: `x` is not a number"),
        ("id,f0\na,NaN\n", "line 2, column `f0`"),
        ("id,f0\na,1e39\n", "line 2, column `f0`"),
        (
            "id,f0\na,1\na,2\n",
            "duplicate id `a` (first seen on line 2)",
        ),
    ];
    for (text, part) in cases {
        let path = s.write("bad.csv", text);
        let err = read_embeddings_csv(&path).unwrap_err().to_string();
        assert!(
            err.contains("bad.csv") && err.contains(part),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn embeddings_with_ids_come_from_the_csv_or_the_ids_file_beside_the_npy() {
    use triage_data::predictions::{ids_path, read_embeddings_with_ids, write_embedding_ids};
    use triage_data::PredictionsError;
    let s = Scratch::new();
    let npy = s.path("e.npy");
    write_npy_f32(&npy, &[0.0, 1.0, 2.0, 3.0], 2, 2).unwrap();
    let (m, ids) = read_embeddings_with_ids(&npy).unwrap();
    assert_eq!(((m.n, m.dim), ids), ((2, 2), None));
    write_embedding_ids(&ids_path(&npy), ["a", "b"]).unwrap();
    assert_eq!(
        read_embeddings_with_ids(&npy).unwrap().1,
        Some(vec!["a".to_string(), "b".to_string()])
    );
    write_embedding_ids(&ids_path(&npy), ["a", "b", "c"]).unwrap();
    let err = read_embeddings_with_ids(&npy).unwrap_err();
    assert!(matches!(
        err,
        PredictionsError::IdsCount {
            ids: 3,
            rows: 2,
            ..
        }
    ));
    assert!(err.to_string().contains("e.ids.csv"), "{err}");
    let csv = s.write("e.csv", "id,f0\nx,1.5\ny,2.5\n");
    let (m, ids) = read_embeddings_with_ids(&csv).unwrap();
    assert_eq!(
        (m.rows, ids.unwrap()),
        (vec![1.5, 2.5], vec!["x".to_string(), "y".to_string()])
    );
}
