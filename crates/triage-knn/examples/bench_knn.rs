//! Time `triage_knn::search` on raw little-endian f32 files written by
//! `tools/bench/bench_knn.py`: `bench_knn DIR N_REF N_QUERY DIM K`.
//! Prints one JSON line: best-of-3 seconds and the neighbour indices file.

use std::time::Instant;

use triage_knn::{search, Distance, KnnParams, Points};

fn read_f32(path: &std::path::Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::Path::new(&args[1]);
    let dim: usize = args[4].parse().unwrap();
    let k: usize = args[5].parse().unwrap();
    let reference = read_f32(&dir.join("reference.f32"));
    let queries = read_f32(&dir.join("queries.f32"));
    let r = Points::new(&reference, dim).unwrap();
    let q = Points::new(&queries, dim).unwrap();
    let settings = KnnParams {
        k,
        metric: Distance::SquaredEuclidean,
        ..Default::default()
    }
    .check()
    .unwrap();
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let nn = search(r, q, &settings).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(nn);
    }
    let nn = last.unwrap();
    let out: Vec<u8> = nn
        .all_indices()
        .iter()
        .flat_map(|i| i.to_le_bytes())
        .collect();
    std::fs::write(dir.join("triage_indices.u32"), out).unwrap();
    println!(
        "{{\"seconds\": {best:.4}, \"threads\": {}}}",
        rayon::current_num_threads()
    );
}
