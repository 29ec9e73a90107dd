//! The k-NN of a dataset too large for one machine, split into query ×
//! reference blocks that separate jobs compute (a Slurm or Kubernetes
//! array, as `triage sweep` emits) and a merge that puts them back
//! together — bit for bit the unsharded answer, since every block ranks
//! by exact `f64` distance and index ([`crate::search`]).
//!
//! # Cost model
//! An exact search of n_q queries against n_r reference points of
//! dimension d costs n_q · n_r · d multiply-adds (one GEMM) plus the
//! re-ranking of at most `max(4k, k + 64)` candidates per query. With
//! `count` shards in `reference_blocks` reference blocks, shard I computes
//! queries block ⌊I / R⌋ of Q = count / R against reference block I mod R:
//! (n_q / Q) · (n_r / R) · d multiply-adds, holding (n_q / Q + n_r / R) · d
//! `f32` values; the merge reads count · n_q / Q · k candidates and keeps
//! k per query. MNIST's 60,000 × 784 leave-one-out search is
//! 2.8 · 10¹² multiply-adds: on 8 shards, 3.5 · 10¹¹ each.

use std::ops::Range;

use crate::error::KnnError;
use crate::points::Points;
use crate::search::{search, KnnParams, KnnSettings, Neighbors};

/// One of `count` shards: its query block and reference block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index, below `count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
    /// Reference blocks R (divides `count`; 1: every shard searches the
    /// whole reference set).
    pub reference_blocks: usize,
}

impl Shard {
    /// A checked shard.
    ///
    /// # Errors
    /// [`KnnError::Shard`] for an index outside `0..count`, no shards, or
    /// reference blocks that do not divide the count.
    pub fn new(index: usize, count: usize, reference_blocks: usize) -> Result<Self, KnnError> {
        let bad = |reason: String| Err(KnnError::Shard { reason });
        if count == 0 || reference_blocks == 0 {
            return bad("at least one shard and one reference block".into());
        }
        if index >= count {
            return bad(format!(
                "shard {index} of {count}: shards are numbered 0 to {}",
                count - 1
            ));
        }
        if !count.is_multiple_of(reference_blocks) {
            return bad(format!(
                "{reference_blocks} reference blocks do not divide {count} shards"
            ));
        }
        Ok(Self {
            index,
            count,
            reference_blocks,
        })
    }

    /// The queries of this shard among `n` (contiguous, balanced).
    pub fn queries(&self, n: usize) -> Range<usize> {
        let q = self.count / self.reference_blocks;
        block(n, q, self.index / self.reference_blocks)
    }

    /// The reference points of this shard among `n`.
    pub fn references(&self, n: usize) -> Range<usize> {
        block(n, self.reference_blocks, self.index % self.reference_blocks)
    }
}

fn block(n: usize, parts: usize, i: usize) -> Range<usize> {
    (i * n / parts)..((i + 1) * n / parts)
}

/// What one shard found: the k nearest points of its reference block to
/// each of its queries, with global indices.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardResult {
    /// The shard.
    pub shard: Shard,
    /// Its queries (global indices).
    pub queries: Range<usize>,
    /// Its reference points (global indices).
    pub references: Range<usize>,
    /// Neighbours per query.
    pub k: usize,
    /// Row-major `queries.len() × k` global reference indices.
    pub indices: Vec<u32>,
    /// Their distances.
    pub distances: Vec<f64>,
}

/// The shard's part of [`search`] (`within = false`: `queries` against
/// `reference`) or of [`crate::search_within`] (`within = true`: one set,
/// a point never its own neighbour; `queries` is ignored).
///
/// # Errors
/// A reference block with fewer than k candidates (use fewer reference
/// blocks), and the errors of [`search`].
pub fn search_shard(
    reference: Points<'_>,
    queries: Points<'_>,
    settings: &KnnSettings,
    shard: Shard,
    within: bool,
) -> Result<ShardResult, KnnError> {
    let queries = if within { reference } else { queries };
    let d = reference.dim();
    let (qr, rr) = (shard.queries(queries.n()), shard.references(reference.n()));
    let k = settings.params().k;
    let overlaps = within && qr.start < rr.end && rr.start < qr.end;
    let want = k + usize::from(overlaps);
    if rr.len() < want {
        return Err(KnnError::Shard {
            reason: format!(
                "reference block {} of shard {} holds {} points, fewer than the {want} a query needs; use fewer reference blocks",
                shard.index % shard.reference_blocks,
                shard.index,
                rr.len()
            ),
        });
    }
    let q_points = Points::new(&queries.data()[qr.start * d..qr.end * d], d)?;
    let r_points = Points::new(&reference.data()[rr.start * d..rr.end * d], d)?;
    let block_settings = KnnParams {
        k: want,
        ..*settings.params()
    }
    .check()?;
    let found: Neighbors = if qr.is_empty() {
        return Ok(ShardResult {
            shard,
            queries: qr,
            references: rr,
            k,
            indices: Vec::new(),
            distances: Vec::new(),
        });
    } else {
        search(r_points, q_points, &block_settings)?
    };
    let mut indices = Vec::with_capacity(qr.len() * k);
    let mut distances = Vec::with_capacity(qr.len() * k);
    for (row, q) in qr.clone().enumerate() {
        let mut kept = 0;
        for (&i, &dist) in found.indices(row).iter().zip(found.distances(row)) {
            let global = rr.start + i as usize;
            if (within && global == q) || kept == k {
                continue;
            }
            indices.push(global as u32);
            distances.push(dist);
            kept += 1;
        }
    }
    Ok(ShardResult {
        shard,
        queries: qr,
        references: rr,
        k,
        indices,
        distances,
    })
}

/// Merge every shard's result into the k nearest neighbours of every
/// query, equal to the unsharded search.
///
/// # Errors
/// [`KnnError::Shard`] when a shard is missing or repeated, or the shards
/// disagree on their count or k.
pub fn merge(parts: &[ShardResult]) -> Result<Neighbors, KnnError> {
    let bad = |reason: String| Err(KnnError::Shard { reason });
    let Some(first) = parts.first() else {
        return bad("no shard results to merge".into());
    };
    let (count, blocks, k) = (first.shard.count, first.shard.reference_blocks, first.k);
    let mut seen = vec![None; count];
    for (p, part) in parts.iter().enumerate() {
        if part.shard.count != count || part.shard.reference_blocks != blocks || part.k != k {
            return bad(format!(
                "shard {} is one of {} (k = {}), shard {} one of {count} (k = {k})",
                part.shard.index, part.shard.count, part.k, first.shard.index
            ));
        }
        if let Some(prev) = seen[part.shard.index].replace(p) {
            return bad(format!(
                "shard {} given twice (parts {prev} and {p})",
                part.shard.index
            ));
        }
    }
    if let Some(missing) = seen.iter().position(Option::is_none) {
        return bad(format!("shard {missing} of {count} is missing"));
    }
    let n = parts.iter().map(|p| p.queries.end).max().unwrap_or(0);
    let mut indices = vec![0u32; n * k];
    let mut distances = vec![0.0f64; n * k];
    let mut candidates: Vec<(f64, u32)> = Vec::with_capacity(blocks * k);
    let q_blocks = count / blocks;
    for qb in 0..q_blocks {
        let group: Vec<&ShardResult> = (0..blocks)
            .map(|r| &parts[seen[qb * blocks + r].unwrap_or(0)])
            .collect();
        for q in group[0].queries.clone() {
            candidates.clear();
            for part in &group {
                let row = q - part.queries.start;
                for j in 0..k {
                    candidates.push((part.distances[row * k + j], part.indices[row * k + j]));
                }
            }
            candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (j, &(dist, i)) in candidates.iter().take(k).enumerate() {
                indices[q * k + j] = i;
                distances[q * k + j] = dist;
            }
        }
    }
    Ok(Neighbors::from_parts(k, indices, distances))
}
