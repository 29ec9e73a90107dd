//! `triage knn`: exact k-nearest neighbours of embeddings, whole or one
//! shard of a query × reference split ([`triage_knn::shard`]), and the
//! merge of the shards — the job-array form of the k-NN that duplicates,
//! Bayes error and shift need on datasets too large for one machine.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use triage_data::predictions::neighbors::{
    file_blake3, read_neighbors, write_neighbors, NeighborLists,
};
use triage_data::predictions::read_embeddings;
use triage_docs::knn::{KnnDoc, KnnShardDoc, KNN_FORMAT, KNN_VERSION};
use triage_knn::shard::{merge, search_shard, Shard, ShardResult};
use triage_knn::{search, search_within, Distance, KnnParams, Points};

use crate::knn_args::{KnnArgs, KnnCommand, KnnMergeArgs, KnnMetric, KnnSearchArgs};

/// Run `triage knn`.
///
/// # Errors
/// Unreadable embeddings, bad shard settings, shards of different
/// searches.
pub fn run(args: &KnnArgs) -> Result<ExitCode> {
    match &args.command {
        Some(KnnCommand::Merge(m)) => run_merge(m),
        None => run_search(&args.search),
    }
}

fn blake3_of(path: &std::path::Path) -> Result<String> {
    file_blake3(path).with_context(|| format!("cannot read `{}`", path.display()))
}

fn run_search(args: &KnnSearchArgs) -> Result<ExitCode> {
    let (Some(reference_path), Some(out)) = (&args.reference, &args.out) else {
        bail!("give the reference embeddings and --out: `triage knn X.npy --out DIR`");
    };
    let reference = read_embeddings(reference_path)?;
    let queries = match &args.queries {
        Some(q) => Some(read_embeddings(q)?),
        None => None,
    };
    let metric = match args.metric {
        KnnMetric::Euclidean => Distance::SquaredEuclidean,
        KnnMetric::Cosine => Distance::Cosine,
    };
    let settings = KnnParams {
        k: args.k,
        metric,
        ..KnnParams::default()
    }
    .check()?;
    let r_points = Points::new(&reference.rows, reference.dim)?;
    let q_emb = queries.as_ref().unwrap_or(&reference);
    if q_emb.dim != reference.dim {
        bail!(
            "--queries has dimension {}, the reference set {}: embeddings of one model are needed",
            q_emb.dim,
            reference.dim
        );
    }
    let q_points = Points::new(&q_emb.rows, q_emb.dim)?;
    let within = queries.is_none();
    let started = Instant::now();
    let (shard_doc, indices, distances, rows, work) = match args.shard {
        Some((i, n)) => {
            let shard = Shard::new(i, n, args.reference_blocks)?;
            let part: ShardResult = search_shard(r_points, q_points, &settings, shard, within)?;
            let work = part.queries.len() as f64 * part.references.len() as f64;
            (
                Some(KnnShardDoc {
                    index: i as u64,
                    count: n as u64,
                    reference_blocks: args.reference_blocks as u64,
                    query_start: part.queries.start as u64,
                    query_end: part.queries.end as u64,
                    reference_start: part.references.start as u64,
                    reference_end: part.references.end as u64,
                }),
                part.indices,
                part.distances,
                part.queries.len(),
                work,
            )
        }
        None => {
            if args.reference_blocks != 1 {
                bail!("--reference-blocks applies to --shard I/N");
            }
            let nn = if within {
                search_within(r_points, &settings)?
            } else {
                search(r_points, q_points, &settings)?
            };
            (
                None,
                nn.all_indices().to_vec(),
                nn.all_distances().to_vec(),
                nn.n_queries(),
                q_emb.n as f64 * reference.n as f64,
            )
        }
    };
    let doc = KnnDoc {
        format: KNN_FORMAT.into(),
        version: KNN_VERSION,
        reference: reference_path.display().to_string(),
        reference_blake3: blake3_of(reference_path)?,
        queries: args.queries.as_ref().map(|q| q.display().to_string()),
        queries_blake3: match &args.queries {
            Some(q) => Some(blake3_of(q)?),
            None => None,
        },
        metric: match args.metric {
            KnnMetric::Euclidean => "euclidean".into(),
            KnnMetric::Cosine => "cosine".into(),
        },
        within,
        n_reference: reference.n as u64,
        n_queries: q_emb.n as u64,
        dim: reference.dim as u64,
        k: args.k as u64,
        shard: shard_doc,
        rows: rows as u64,
    };
    write_neighbors(
        out,
        &NeighborLists {
            doc,
            indices,
            distances,
        },
    )
    .with_context(|| format!("failed to write the neighbour lists to `{}`", out.display()))?;
    let mut stdout = crate::stdout::stdout();
    writeln!(stdout, "{}", out.display())?;
    stdout.flush()?;
    eprintln!(
        "triage: {rows} queries × k = {} in {:.2} s ({:.2e} multiply-adds{})",
        args.k,
        started.elapsed().as_secs_f64(),
        work * reference.dim as f64,
        args.shard.map_or(String::new(), |(i, n)| format!(
            "; shard {i} of {n}, merge with `triage knn merge`"
        ))
    );
    Ok(ExitCode::SUCCESS)
}

fn run_merge(args: &KnnMergeArgs) -> Result<ExitCode> {
    let mut parts = Vec::with_capacity(args.shards.len());
    let mut first: Option<(KnnDoc, &std::path::Path)> = None;
    for dir in &args.shards {
        let lists = read_neighbors(dir)?;
        let Some(s) = lists.doc.shard else {
            bail!(
                "`{}` holds a whole search, not a shard; merge the folders of `triage knn --shard I/N`",
                dir.display()
            );
        };
        if let Some((f, fdir)) = &first {
            let same = f.reference_blake3 == lists.doc.reference_blake3
                && f.queries_blake3 == lists.doc.queries_blake3
                && f.metric == lists.doc.metric
                && f.k == lists.doc.k
                && f.within == lists.doc.within;
            if !same {
                bail!(
                    "`{}` and `{}` are shards of different searches (data, metric or k differ)",
                    fdir.display(),
                    dir.display()
                );
            }
        } else {
            first = Some((lists.doc.clone(), dir.as_path()));
        }
        parts.push(ShardResult {
            shard: Shard::new(
                s.index as usize,
                s.count as usize,
                s.reference_blocks as usize,
            )?,
            queries: s.query_start as usize..s.query_end as usize,
            references: s.reference_start as usize..s.reference_end as usize,
            k: lists.doc.k as usize,
            indices: lists.indices,
            distances: lists.distances,
        });
    }
    let merged = merge(&parts)?;
    let Some((mut doc, _)) = first else {
        bail!("no shards given");
    };
    if merged.n_queries() as u64 != doc.n_queries {
        bail!(
            "the shards cover {} of the {} queries",
            merged.n_queries(),
            doc.n_queries
        );
    }
    doc.shard = None;
    doc.rows = doc.n_queries;
    write_neighbors(
        &args.out,
        &NeighborLists {
            doc,
            indices: merged.all_indices().to_vec(),
            distances: merged.all_distances().to_vec(),
        },
    )
    .with_context(|| format!("failed to write `{}`", args.out.display()))?;
    println!("{}", args.out.display());
    eprintln!("triage: merged {} shards", parts.len());
    Ok(ExitCode::SUCCESS)
}
