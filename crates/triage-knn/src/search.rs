//! Blocked exact k-NN search: `f32` GEMM candidates with a proven error
//! margin, then exact `f64` re-ranking.

use rayon::prelude::*;

use crate::candidates::Candidates;
use crate::distance::{cosine_with_norms, squared_euclidean, squared_norm, Distance};
use crate::error::KnnError;
use crate::points::Points;

/// Default [`KnnParams::k`].
pub const DEFAULT_K: usize = 10;
/// Default [`KnnParams::query_block`]: queries per GEMM block.
pub const DEFAULT_QUERY_BLOCK: usize = 256;
/// Default [`KnnParams::reference_block`]: reference points per GEMM block.
pub const DEFAULT_REFERENCE_BLOCK: usize = 4096;

/// Unchecked settings of [`search`] and [`search_within`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnnParams {
    /// Neighbours per query. Default 10 ([`DEFAULT_K`]).
    pub k: usize,
    /// The distance. Default [`Distance::SquaredEuclidean`].
    pub metric: Distance,
    /// Queries per block (default 256). With the reference block it bounds
    /// the scratch memory: `query_block × reference_block` `f32` per
    /// thread (4 MiB by default), never an n × n matrix.
    pub query_block: usize,
    /// Reference points per block (default 4096).
    pub reference_block: usize,
}

impl Default for KnnParams {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            metric: Distance::SquaredEuclidean,
            query_block: DEFAULT_QUERY_BLOCK,
            reference_block: DEFAULT_REFERENCE_BLOCK,
        }
    }
}

impl KnnParams {
    /// Check the settings.
    ///
    /// # Errors
    /// [`KnnError::Zero`] for k or a block size of 0.
    pub fn check(self) -> Result<KnnSettings, KnnError> {
        for (what, v) in [
            ("k", self.k),
            ("query_block", self.query_block),
            ("reference_block", self.reference_block),
        ] {
            if v == 0 {
                return Err(KnnError::Zero { what });
            }
        }
        Ok(KnnSettings(self))
    }
}

/// Checked [`KnnParams`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnnSettings(KnnParams);

impl KnnSettings {
    /// The settings.
    pub fn params(&self) -> &KnnParams {
        &self.0
    }
}

/// The k nearest neighbours of each query, nearest first; equal distances
/// in increasing index order.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbors {
    k: usize,
    indices: Vec<u32>,
    distances: Vec<f64>,
}

impl Neighbors {
    /// Neighbours assembled elsewhere (the merge of shards), row-major.
    pub(crate) fn from_parts(k: usize, indices: Vec<u32>, distances: Vec<f64>) -> Self {
        Self {
            k,
            indices,
            distances,
        }
    }

    /// Neighbours per query.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Number of queries.
    pub fn n_queries(&self) -> usize {
        self.indices.len().checked_div(self.k).unwrap_or(0)
    }

    /// Indices (into the reference set) of the neighbours of query `q`.
    pub fn indices(&self, q: usize) -> &[u32] {
        &self.indices[q * self.k..(q + 1) * self.k]
    }

    /// Exact distances to the neighbours of query `q` (same order).
    pub fn distances(&self, q: usize) -> &[f64] {
        &self.distances[q * self.k..(q + 1) * self.k]
    }

    /// All indices, row-major `n_queries × k`.
    pub fn all_indices(&self) -> &[u32] {
        &self.indices
    }

    /// All distances, row-major `n_queries × k`.
    pub fn all_distances(&self) -> &[f64] {
        &self.distances
    }
}

/// The `k` nearest points of `reference` to each of `queries`.
///
/// # Method
/// For a block of queries Q and a block of reference points R, one `f32`
/// GEMM gives the dot products; the approximate distance is
/// `‖q‖² + ‖r‖² − 2 q·r` (squared Euclidean) or `1 − q̂·r̂` on rows
/// normalised in `f64` (cosine). A point is kept as a candidate while its
/// approximate distance is at most the running k-th smallest plus a
/// margin `3 γ_{d+5} (‖q‖ + max‖r‖)²` (cosine: `3 γ_{d+5}`), where
/// `γ_m = m u / (1 − m u)` and `u = 2⁻²⁴` bound the rounding of any
/// `f32` dot product of length d (Higham 2002, §3.1), whatever the
/// summation order or FMA use of the GEMM. Three times the bound covers
/// the two-sided error of the pair compared, so no point that could be
/// among the exact k nearest is dropped. The candidates are then ranked
/// by their exact `f64` distance ([`Distance`]) and index.
///
/// The result is therefore identical to a brute-force `f64` search, on
/// every CPU and for every thread count and block size: the GEMM only
/// chooses candidates. Memory: the candidate lists (at most
/// `max(4k, k + 64)` per query) and one `query_block × reference_block`
/// buffer per thread; cosine also keeps a normalised `f32` copy of the
/// reference set.
///
/// # Errors
/// [`KnnError::DimensionMismatch`], [`KnnError::KTooLarge`] when k exceeds
/// the number of reference points.
pub fn search(
    reference: Points<'_>,
    queries: Points<'_>,
    settings: &KnnSettings,
) -> Result<Neighbors, KnnError> {
    run(reference, queries, settings, false)
}

/// Leave-one-out search within one set: the `k` nearest *other* points of
/// each point (a point is never its own neighbour; exact copies of it are,
/// at distance 0). Same method and guarantees as [`search`].
///
/// # Errors
/// [`KnnError::KTooLarge`] when k ≥ n.
pub fn search_within(points: Points<'_>, settings: &KnnSettings) -> Result<Neighbors, KnnError> {
    run(points, points, settings, true)
}

struct Prepared {
    /// GEMM operand of the reference set (normalised for cosine).
    gemm_rows: Option<Vec<f32>>,
    /// `f32` squared norms for the approximate squared distances.
    norms_f32: Vec<f32>,
    /// Exact squared norms (cosine re-ranking).
    norms_f64: Vec<f64>,
    max_norm: f64,
}

fn prepare(points: Points<'_>, metric: Distance) -> Prepared {
    let norms_f64: Vec<f64> = (0..points.n())
        .into_par_iter()
        .map(|i| squared_norm(points.row(i)))
        .collect();
    let max_norm = norms_f64.iter().fold(0.0f64, |m, &v| m.max(v.sqrt()));
    let (gemm_rows, norms_f32) = match metric {
        Distance::SquaredEuclidean => (None, norms_f64.iter().map(|&v| v as f32).collect()),
        Distance::Cosine => (Some(normalised(points, &norms_f64)), Vec::new()),
    };
    Prepared {
        gemm_rows,
        norms_f32,
        norms_f64,
        max_norm,
    }
}

fn normalised(points: Points<'_>, norms: &[f64]) -> Vec<f32> {
    let mut out = vec![0.0f32; points.n() * points.dim()];
    out.par_chunks_mut(points.dim())
        .enumerate()
        .for_each(|(i, row)| {
            let norm = norms[i].sqrt();
            if norm > 0.0 {
                for (o, &v) in row.iter_mut().zip(points.row(i)) {
                    *o = (f64::from(v) / norm) as f32;
                }
            }
        });
    out
}

fn gamma(m: usize) -> f64 {
    let u = f64::from(f32::EPSILON) / 2.0;
    let mu = m as f64 * u;
    mu / (1.0 - mu).max(1e-3)
}

fn run(
    reference: Points<'_>,
    queries: Points<'_>,
    settings: &KnnSettings,
    leave_one_out: bool,
) -> Result<Neighbors, KnnError> {
    let p = settings.params();
    if queries.dim() != reference.dim() {
        return Err(KnnError::DimensionMismatch {
            queries: queries.dim(),
            reference: reference.dim(),
        });
    }
    let available = reference.n() - usize::from(leave_one_out).min(reference.n());
    if p.k > available {
        return Err(KnnError::KTooLarge { k: p.k, available });
    }
    let dim = reference.dim();
    let metric = p.metric;
    let refs = prepare(reference, metric);
    let qprep = if leave_one_out {
        None
    } else {
        Some(prepare(queries, metric))
    };
    let qinfo = qprep.as_ref().unwrap_or(&refs);
    let g = gamma(dim + 5);
    let threads = rayon::current_num_threads().max(1);
    let qblock = p.query_block.min(queries.n().div_ceil(threads).max(1));
    let k = p.k;
    let blocks: Vec<(usize, usize)> = (0..queries.n())
        .step_by(qblock)
        .map(|s| (s, (s + qblock).min(queries.n())))
        .collect();
    let per_block: Vec<(Vec<u32>, Vec<f64>)> = blocks
        .par_iter()
        .map(|&(qs, qe)| {
            let m = qe - qs;
            let qrows: &[f32] = match &qinfo.gemm_rows {
                Some(rows) => &rows[qs * dim..qe * dim],
                None => queries.rows(qs..qe),
            };
            let margins: Vec<f32> = (qs..qe)
                .map(|q| match metric {
                    Distance::SquaredEuclidean => {
                        let s = qinfo.norms_f64[q].sqrt() + refs.max_norm;
                        (3.0 * g * s * s) as f32
                    }
                    Distance::Cosine => (3.0 * g) as f32,
                })
                .collect();
            let mut cands: Vec<Candidates> =
                margins.iter().map(|&mg| Candidates::new(k, mg)).collect();
            let rb_max = p.reference_block.min(reference.n()).max(1);
            let mut dots = vec![0.0f32; m * rb_max];
            for rs in (0..reference.n()).step_by(rb_max) {
                let re = (rs + rb_max).min(reference.n());
                let n = re - rs;
                let rrows: &[f32] = match &refs.gemm_rows {
                    Some(rows) => &rows[rs * dim..re * dim],
                    None => reference.rows(rs..re),
                };
                gemm_block(&mut dots[..m * n], qrows, rrows, m, n, dim);
                for (i, c) in cands.iter_mut().enumerate() {
                    let q = qs + i;
                    let row = &dots[i * n..(i + 1) * n];
                    let skip = if leave_one_out && (rs..re).contains(&q) {
                        Some(q - rs)
                    } else {
                        None
                    };
                    match metric {
                        Distance::SquaredEuclidean => {
                            let qn = qinfo.norms_f32[q];
                            let rn = &refs.norms_f32[rs..re];
                            c.scan(row, rs, skip, |j, dot| qn + rn[j] - 2.0 * dot);
                        }
                        Distance::Cosine => c.scan(row, rs, skip, |_, dot| 1.0 - dot),
                    }
                }
            }
            let mut idx = Vec::with_capacity(m * k);
            let mut dist = Vec::with_capacity(m * k);
            for (i, c) in cands.into_iter().enumerate() {
                let q = qs + i;
                let qv = queries.row(q);
                let exact = |j: u32| {
                    let r = reference.row(j as usize);
                    match metric {
                        Distance::SquaredEuclidean => squared_euclidean(qv, r),
                        Distance::Cosine => {
                            cosine_with_norms(qv, r, qinfo.norms_f64[q], refs.norms_f64[j as usize])
                        }
                    }
                };
                let (ii, dd) = c.finish(exact);
                idx.extend(ii);
                dist.extend(dd);
            }
            (idx, dist)
        })
        .collect();
    let mut indices = Vec::with_capacity(queries.n() * k);
    let mut distances = Vec::with_capacity(queries.n() * k);
    for (i, d) in per_block {
        indices.extend(i);
        distances.extend(d);
    }
    Ok(Neighbors {
        k,
        indices,
        distances,
    })
}

/// `dots[i, j] = q_i · r_j` for row-major `q` (m × dim) and `r` (n × dim).
fn gemm_block(dots: &mut [f32], q: &[f32], r: &[f32], m: usize, n: usize, dim: usize) {
    assert!(dots.len() == m * n && q.len() == m * dim && r.len() == n * dim);
    // SAFETY: `gemm` reads m×dim values of `q` at q + i*dim + l (i < m,
    // l < dim), n×dim values of `r` at r + j*dim + l (j < n) and writes
    // m×n values of `dots` at dots + i*n + j; the assert above makes all of
    // them in bounds, the slices do not overlap (dots is borrowed mutably),
    // and read_dst = false means the uninitialised-value case never arises
    // (dots is initialised anyway).
    #[allow(unsafe_code)]
    unsafe {
        gemm::gemm(
            m,
            n,
            dim,
            dots.as_mut_ptr(),
            1,
            n as isize,
            false,
            q.as_ptr(),
            1,
            dim as isize,
            r.as_ptr(),
            dim as isize,
            1,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}
