//! Times triage's metrics on one predictions file, for the side-by-side
//! comparison with scikit-learn in `tools/bench/bench_metrics.py`.
//!
//! ```text
//! cargo run --release -p triage-cli --example bench_metrics -- FILE.npz [RESAMPLES]
//! ```
//!
//! Prints one JSON object of seconds (median of repeated runs for the point
//! metrics; one run for the bootstrap) on stdout.

use std::time::Instant;

use triage_data::{read_predictions, ReadOptions};
use triage_stats::bootstrap::{bootstrap_intervals, BootstrapConfig, MetricKey};
use triage_stats::calibration::{expected_calibration_error, DEFAULT_BINS};
use triage_stats::multiclass::{roc_auc_ovr, Average};
use triage_stats::probabilistic::log_loss;

fn median_seconds(repeats: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut times = Vec::with_capacity(repeats);
    let mut value = 0.0;
    for _ in 0..repeats {
        let start = Instant::now();
        value = std::hint::black_box(f());
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], value)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bench_metrics FILE.npz [RESAMPLES]")?;
    let resamples: usize = args.next().map_or(Ok(1000), |s| s.parse())?;
    let p = read_predictions(path.as_ref(), &ReadOptions::default())?;
    let (y, proba) = (&p.labels, &p.proba);
    let (t_macro, v_macro) = median_seconds(5, || {
        roc_auc_ovr(y, proba, Average::Macro).unwrap().or_nan()
    });
    let (t_micro, v_micro) = median_seconds(5, || {
        roc_auc_ovr(y, proba, Average::Micro).unwrap().or_nan()
    });
    let (t_logloss, v_logloss) = median_seconds(5, || log_loss(y, proba).unwrap());
    let (t_ece, v_ece) = median_seconds(5, || {
        expected_calibration_error(y, proba, DEFAULT_BINS).unwrap()
    });
    let config = BootstrapConfig {
        n_resamples: resamples,
        seed: 0,
        confidence: 0.95,
    };
    let keys = [MetricKey::Accuracy, MetricKey::RocAucOvrMacro];
    let start = Instant::now();
    let ci = bootstrap_intervals(y, proba, None, &keys, &config)?;
    let t_boot = start.elapsed().as_secs_f64();
    let auc_ci = ci[&MetricKey::RocAucOvrMacro]
        .clone()
        .ok_or("no interval")?;
    println!(
        "{{\"n\": {}, \"k\": {}, \"threads\": {}, \
         \"roc_auc_ovr_macro\": {t_macro}, \"roc_auc_ovr_micro\": {t_micro}, \
         \"log_loss\": {t_logloss}, \"ece\": {t_ece}, \
         \"bootstrap_resamples\": {resamples}, \"bootstrap_accuracy_and_macro_auc\": {t_boot}, \
         \"values\": {{\"roc_auc_ovr_macro\": {v_macro}, \"roc_auc_ovr_micro\": {v_micro}, \
         \"log_loss\": {v_logloss}, \"ece\": {v_ece}, \"macro_auc_ci\": [{}, {}]}}}}",
        proba.n(),
        proba.k(),
        rayon::current_num_threads(),
        auc_ci.low,
        auc_ci.high
    );
    Ok(())
}
