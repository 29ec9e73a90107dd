//! Agreement statistics against `tests/golden/agreement.json`, written by
//! `tools/golden/make_agreement.py` (scikit-learn's `cohen_kappa_score`,
//! statsmodels' `fleiss_kappa` and `mcnemar`; versions in the file).

use serde_json::Value;
use triage_stats::agreement::{cohen_kappa, fleiss_kappa, mcnemar};

fn golden() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/agreement.json");
    serde_json::from_str(
        &std::fs::read_to_string(path).expect("run tools/golden/make_agreement.py"),
    )
    .unwrap()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1e-300) + 1e-15,
        "{what}: {got} vs {want}"
    );
}

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

#[test]
fn cohen_fleiss_and_mcnemar_match_sklearn_and_statsmodels() {
    let g = golden();
    for (i, c) in g["cohen"].as_array().unwrap().iter().enumerate() {
        let k = c["classes"].as_u64().unwrap() as usize;
        let got = cohen_kappa(&u32s(&c["a"]), &u32s(&c["b"]), k)
            .unwrap()
            .unwrap();
        close(&format!("cohen {i}"), got, c["kappa"].as_f64().unwrap());
    }
    for (i, c) in g["fleiss"].as_array().unwrap().iter().enumerate() {
        let k = c["classes"].as_u64().unwrap() as usize;
        let counts: Vec<u64> = c["counts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()))
            .collect();
        close(
            &format!("fleiss {i}"),
            fleiss_kappa(&counts, k).unwrap().unwrap(),
            c["kappa"].as_f64().unwrap(),
        );
    }
    for c in g["mcnemar"].as_array().unwrap() {
        let (b, cc) = (c["b"].as_u64().unwrap(), c["c"].as_u64().unwrap());
        let m = mcnemar(b, cc);
        close(
            &format!("mcnemar exact {b}/{cc}"),
            m.p_exact,
            c["p_exact"].as_f64().unwrap(),
        );
        close(
            &format!("mcnemar chi2 {b}/{cc}"),
            m.chi2,
            c["chi2"].as_f64().unwrap(),
        );
        close(
            &format!("mcnemar p_chi2 {b}/{cc}"),
            m.p_chi2,
            c["p_chi2"].as_f64().unwrap(),
        );
    }
}
