//! Sharded k-NN: the merge of 4 shards (query blocks, reference blocks or
//! both) equals the unsharded search, bit for bit, within one set and
//! between two, for both distances, with duplicate points.

use proptest::prelude::*;
use triage_knn::shard::{merge, search_shard, Shard};
use triage_knn::{search, search_within, Distance, KnnParams, Points};

fn points(n: usize, d: usize, seed: u64) -> Vec<f32> {
    // A small grid of values, so that duplicates and ties are common.
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut v = Vec::with_capacity(n * d);
    for _ in 0..n * d {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        v.push(((s >> 33) % 5) as f32 - 2.0);
    }
    v
}

fn sharded(
    reference: &[f32],
    queries: &[f32],
    d: usize,
    k: usize,
    metric: Distance,
    blocks: usize,
    within: bool,
) -> triage_knn::Neighbors {
    let settings = KnnParams {
        k,
        metric,
        ..Default::default()
    }
    .check()
    .unwrap();
    let parts: Vec<_> = (0..4)
        .rev()
        .map(|i| {
            search_shard(
                Points::new(reference, d).unwrap(),
                Points::new(queries, d).unwrap(),
                &settings,
                Shard::new(i, 4, blocks).unwrap(),
                within,
            )
            .unwrap()
        })
        .collect();
    merge(&parts).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn four_shards_equal_the_unsharded_search(
        n in 24usize..80,
        m in 1usize..40,
        d in 1usize..6,
        k in 1usize..5,
        seed in any::<u64>(),
        blocks in prop::sample::select(vec![1usize, 2, 4]),
        cosine in any::<bool>(),
    ) {
        let metric = if cosine { Distance::Cosine } else { Distance::SquaredEuclidean };
        let reference = points(n, d, seed);
        let queries = points(m, d, seed ^ 0xABCD);
        let settings = KnnParams { k, metric, ..Default::default() }.check().unwrap();
        let whole = search_within(Points::new(&reference, d).unwrap(), &settings).unwrap();
        let merged = sharded(&reference, &reference, d, k, metric, blocks, true);
        prop_assert_eq!(merged, whole);
        let whole = search(Points::new(&reference, d).unwrap(), Points::new(&queries, d).unwrap(), &settings).unwrap();
        let merged = sharded(&reference, &queries, d, k, metric, blocks, false);
        prop_assert_eq!(merged, whole);
    }
}

#[test]
fn missing_repeated_and_mismatched_shards_are_refused() {
    let data = points(40, 3, 1);
    let settings = KnnParams {
        k: 2,
        ..Default::default()
    }
    .check()
    .unwrap();
    let part = |i: usize| {
        search_shard(
            Points::new(&data, 3).unwrap(),
            Points::new(&data, 3).unwrap(),
            &settings,
            Shard::new(i, 4, 2).unwrap(),
            true,
        )
        .unwrap()
    };
    let all: Vec<_> = (0..4).map(part).collect();
    let e = merge(&all[..3]).unwrap_err().to_string();
    assert!(e.contains("shard 3 of 4 is missing"), "{e}");
    let mut twice = all.clone();
    twice[3] = all[2].clone();
    let e = merge(&twice).unwrap_err().to_string();
    assert!(e.contains("shard 2 given twice"), "{e}");
    assert!(Shard::new(4, 4, 1)
        .unwrap_err()
        .to_string()
        .contains("numbered 0 to 3"));
    assert!(Shard::new(0, 4, 3)
        .unwrap_err()
        .to_string()
        .contains("do not divide"));
    // A reference block smaller than k.
    let small = points(6, 2, 2);
    let settings = KnnParams {
        k: 3,
        ..Default::default()
    }
    .check()
    .unwrap();
    let e = search_shard(
        Points::new(&small, 2).unwrap(),
        Points::new(&small, 2).unwrap(),
        &settings,
        Shard::new(0, 4, 4).unwrap(),
        true,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("use fewer reference blocks"), "{e}");
}
