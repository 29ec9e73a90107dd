//! Arguments of `triage knn`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// `triage knn REFERENCE.npy [--queries Q.npy] --out DIR [--shard I/N]`,
/// or `triage knn merge SHARD… --out DIR`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct KnnArgs {
    /// Merge shards instead of searching.
    #[command(subcommand)]
    pub command: Option<KnnCommand>,

    /// Search.
    #[command(flatten)]
    pub search: KnnSearchArgs,
}

/// The verbs of `triage knn`.
#[derive(Debug, Subcommand)]
pub enum KnnCommand {
    /// Merge the folders of every shard of one search into the whole
    /// answer (equal, bit for bit, to the unsharded search).
    Merge(KnnMergeArgs),
}

/// The distances of `--metric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KnnMetric {
    /// Squared Euclidean distance.
    Euclidean,
    /// Cosine distance, 1 − cos.
    Cosine,
}

/// `triage knn REFERENCE.npy`.
#[derive(Debug, Args)]
pub struct KnnSearchArgs {
    /// Reference embeddings: an `.npy` N × D float array (row i = item i).
    #[arg(value_name = "REFERENCE", required = true)]
    pub reference: Option<PathBuf>,

    /// Query embeddings (`.npy`, same D). Without it: leave-one-out within
    /// the reference set (a point is never its own neighbour).
    #[arg(long, value_name = "Q.npy")]
    pub queries: Option<PathBuf>,

    /// Neighbours per query.
    #[arg(short, long, default_value_t = 10)]
    pub k: usize,

    /// The distance.
    #[arg(long, value_enum, default_value_t = KnnMetric::Euclidean)]
    pub metric: KnnMetric,

    /// Compute only shard I of N (0-based; e.g. `"$SLURM_ARRAY_TASK_ID/8"`):
    /// a block of the queries against a block of the reference points;
    /// then `triage knn merge`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,

    /// Split the reference set into R blocks as well (R divides N; the N
    /// shards are N/R query blocks × R reference blocks), for a reference
    /// set too large for one machine's memory.
    #[arg(long, default_value_t = 1, value_name = "R")]
    pub reference_blocks: usize,

    /// Output folder: `knn.json`, `indices.npy` (`<u4`, rows × k),
    /// `distances.npy` (`<f8`).
    #[arg(long, short = 'o', value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,
}

/// `triage knn merge`.
#[derive(Debug, Args)]
pub struct KnnMergeArgs {
    /// The shard folders (every shard of one search, in any order).
    #[arg(value_name = "SHARD", num_args = 1.., required = true)]
    pub shards: Vec<PathBuf>,

    /// Output folder of the merged neighbour lists.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
}

/// Parse `I/N`.
fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let err = || format!("expected I/N such as 3/8 (shard 3 of 8, 0-based), got {s:?}");
    let (i, n) = s.split_once('/').ok_or_else(err)?;
    let i: usize = i.trim().parse().map_err(|_| err())?;
    let n: usize = n.trim().parse().map_err(|_| err())?;
    if n == 0 || i >= n {
        return Err(format!("shard {i} of {n}: shards are numbered 0 to N − 1"));
    }
    Ok((i, n))
}
