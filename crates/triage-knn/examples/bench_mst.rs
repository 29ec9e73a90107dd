//! Time `triage_knn::mst::exact_mst` on a raw little-endian f32 file
//! written by `tools/bench/bench_bayes.py`: `bench_mst FILE N DIM`.
//! Prints one JSON line: best-of-3 seconds and the tree's total weight
//! (squared Euclidean edge weights).

use std::time::Instant;

use triage_knn::mst::exact_mst;
use triage_knn::{Distance, Points};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(&args[1]);
    let dim: usize = args[3].parse().unwrap();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let data: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let points = Points::new(&data, dim).unwrap();
    let mut best = f64::INFINITY;
    let mut weight = 0.0;
    for _ in 0..3 {
        let t = Instant::now();
        let tree = exact_mst(points, Distance::SquaredEuclidean);
        best = best.min(t.elapsed().as_secs_f64());
        weight = tree.total_weight();
    }
    println!(
        "{{\"seconds\": {best:.4}, \"total_weight\": {weight}, \"threads\": {}}}",
        rayon::current_num_threads()
    );
}
