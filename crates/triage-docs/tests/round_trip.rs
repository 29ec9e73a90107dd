//! Documents survive a write and a read unchanged, and inconsistent ones
//! are refused with the key that is wrong.

use triage_docs::evaluation::{
    ClassRow, ConfusionDoc, Curves, EvaluationDoc, Metrics, RocDoc, EVALUATION_FORMAT,
    EVALUATION_VERSION,
};
use triage_docs::{read_str, read_value, DocError};

fn doc() -> EvaluationDoc {
    let classes = vec!["a".to_string(), "b".to_string()];
    EvaluationDoc {
        format: EVALUATION_FORMAT.into(),
        version: EVALUATION_VERSION,
        n: 4,
        classes: classes.clone(),
        metrics: Metrics {
            accuracy: Some(0.75),
            roc_auc_ovr_macro: None,
            ..Metrics::default()
        },
        accuracy_wilson: [0.3, 0.95],
        per_class: classes
            .iter()
            .map(|c| ClassRow {
                class: c.clone(),
                support: 2,
                recall_wilson: Some([0.1, 0.9]),
                ..ClassRow::default()
            })
            .collect(),
        confusion_matrix: ConfusionDoc {
            labels: classes,
            counts: vec![vec![2, 0], vec![1, 1]],
            normalized_true: vec![vec![Some(1.0), Some(0.0)], vec![Some(0.5), Some(0.5)]],
            normalized_pred: vec![vec![None, None], vec![None, None]],
            normalized_all: vec![vec![None, None], vec![None, None]],
        },
        roc_curves: Curves {
            thinned: false,
            per_class: vec![
                RocDoc {
                    class: "a".into(),
                    auc: Some(0.5),
                    fpr: vec![0.0, 1.0],
                    tpr: vec![0.0, 1.0],
                    thresholds: vec![f64::INFINITY, 0.5],
                };
                2
            ],
            micro: None,
        },
        ..EvaluationDoc::default()
    }
}

#[test]
fn evaluation_round_trips_with_nulls_and_infinite_thresholds() {
    let d = doc();
    let text = serde_json::to_string(&d).unwrap();
    assert!(text.contains("\"roc_auc_ovr_macro\":null"));
    assert!(text.contains("\"thresholds\":[null,0.5]"));
    let back: EvaluationDoc = read_str(&text).unwrap();
    assert_eq!(back, d);
}

#[test]
fn inconsistent_evaluations_are_refused_naming_the_key() {
    let mut v = serde_json::to_value(doc()).unwrap();
    v["confusion_matrix"]["counts"][1] = serde_json::json!([3]);
    let err = read_value::<EvaluationDoc>(v).unwrap_err().to_string();
    assert!(
        err.contains("confusion_matrix.counts") && err.contains("row 1"),
        "{err}"
    );

    let mut v = serde_json::to_value(doc()).unwrap();
    v["metrics"]["accuracy"] = serde_json::json!(7.5);
    let err = read_value::<EvaluationDoc>(v).unwrap_err().to_string();
    assert!(err.contains("metrics.accuracy"), "{err}");

    let mut v = serde_json::to_value(doc()).unwrap();
    v["classes"] = serde_json::json!(["a"]);
    assert!(read_value::<EvaluationDoc>(v).is_err());
}

#[test]
fn other_formats_and_newer_versions_are_refused() {
    let mut v = serde_json::to_value(doc()).unwrap();
    v["format"] = "triage-profile".into();
    assert!(matches!(
        read_value::<EvaluationDoc>(v),
        Err(DocError::WrongFormat { .. })
    ));
    let mut v = serde_json::to_value(doc()).unwrap();
    v["version"] = 99.into();
    let err = read_value::<EvaluationDoc>(v).unwrap_err();
    assert!(
        matches!(err, DocError::NewerVersion { found: 99, .. }),
        "{err}"
    );
}

#[test]
fn version_0_evaluations_are_upgraded() {
    let mut v = serde_json::to_value(doc()).unwrap();
    let map = v.as_object_mut().unwrap();
    map.remove("format");
    map.remove("version");
    let back: EvaluationDoc = read_value(v).unwrap();
    assert_eq!(back.format, EVALUATION_FORMAT);
    assert_eq!(back.version, EVALUATION_VERSION);
}

#[test]
fn version_1_evaluations_are_read_without_leakage() {
    let mut v = serde_json::to_value(doc()).unwrap();
    v["version"] = 1.into();
    assert!(v.get("leakage").is_none());
    let back: EvaluationDoc = read_value(v).unwrap();
    assert_eq!(back.version, EVALUATION_VERSION);
    assert_eq!(back.leakage, None);
    // A newer version than this build is refused.
    let mut newer = serde_json::to_value(doc()).unwrap();
    newer["version"] = (EVALUATION_VERSION + 1).into();
    assert!(read_value::<EvaluationDoc>(newer).is_err());
}
