//! Time `label_issues::find_label_issues` (default settings) on `labels.npy`
//! (int64, n) and `probs.npy` (float64, n×K, C order) in the directory given
//! as the argument; best of 3. Prints
//! `{"seconds":…,"n_issues":…,"n":…,"k":…,"threads":…,"ranked_path":…}` and
//! writes the ranked issue indices (ranked by self-confidence) to
//! `DIR/triage_ranked.txt`, one a line, for the comparison script.
//!
//! `cargo run --release -p triage-stats --example bench_label_issues -- DIR`
//! (used by `tools/bench/bench_label_issues.py`).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use triage_stats::label_issues::{find_label_issues, LabelIssuesSettings};
use triage_stats::ProbMatrix;

fn read_npy(path: &Path) -> npyz::NpyFile<BufReader<File>> {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    npyz::NpyFile::new(BufReader::new(file)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: bench_label_issues DIR (with labels.npy and probs.npy)");
    let dir = Path::new(&dir);
    let labels_file = read_npy(&dir.join("labels.npy"));
    let labels: Vec<i64> = labels_file.into_vec().expect("labels.npy: int64 values");
    let probs_file = read_npy(&dir.join("probs.npy"));
    let shape = probs_file.shape().to_vec();
    assert_eq!(shape.len(), 2, "probs.npy must be n×K");
    assert_eq!(
        probs_file.order(),
        npyz::Order::C,
        "probs.npy must be C order"
    );
    let k = shape[1] as usize;
    let data: Vec<f64> = probs_file.into_vec().expect("probs.npy: float64 values");
    let labels: Vec<usize> = labels
        .iter()
        .map(|&l| usize::try_from(l).expect("labels must be non-negative"))
        .collect();
    let probs = ProbMatrix::new(data, k, 1e-6).expect("valid probabilities");
    let settings = LabelIssuesSettings::default();

    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..3 {
        let start = Instant::now();
        let r = find_label_issues(&labels, &probs, &settings).expect("find_label_issues");
        best = best.min(start.elapsed().as_secs_f64());
        result = Some(r);
    }
    let r = result.expect("three runs");
    let ranked_path = dir.join("triage_ranked.txt");
    let mut out = BufWriter::new(File::create(&ranked_path).expect("create triage_ranked.txt"));
    for i in &r.ranked {
        writeln!(out, "{i}").expect("write");
    }
    out.flush().expect("flush");
    println!(
        "{{\"seconds\":{best},\"n_issues\":{},\"n\":{},\"k\":{k},\"threads\":{},\"ranked_path\":{:?}}}",
        r.n_issues(),
        probs.n(),
        rayon::current_num_threads(),
        ranked_path.display().to_string()
    );
}
