//! The engine equals a brute-force f64 search: random points, integer grids
//! (many exact ties), repeated points, every block size and both metrics.

use proptest::prelude::*;
use triage_knn::{search, search_within, Distance, KnnError, KnnParams, Points};

fn brute(
    reference: &[f32],
    queries: &[f32],
    dim: usize,
    k: usize,
    metric: Distance,
    loo: bool,
) -> Vec<(u32, f64)> {
    let nr = reference.len() / dim;
    let nq = queries.len() / dim;
    let mut out = Vec::new();
    for q in 0..nq {
        let qv = &queries[q * dim..(q + 1) * dim];
        let mut all: Vec<(f64, u32)> = (0..nr)
            .filter(|&j| !(loo && j == q))
            .map(|j| {
                (
                    metric.distance(qv, &reference[j * dim..(j + 1) * dim]),
                    j as u32,
                )
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out.extend(all.into_iter().take(k).map(|(d, j)| (j, d)));
    }
    out
}

fn engine(
    reference: &[f32],
    queries: Option<&[f32]>,
    dim: usize,
    params: KnnParams,
) -> Vec<(u32, f64)> {
    let settings = params.check().unwrap();
    let r = Points::new(reference, dim).unwrap();
    let nn = match queries {
        Some(q) => search(r, Points::new(q, dim).unwrap(), &settings).unwrap(),
        None => search_within(r, &settings).unwrap(),
    };
    nn.all_indices()
        .iter()
        .copied()
        .zip(nn.all_distances().iter().copied())
        .collect()
}

fn metric() -> impl Strategy<Value = Distance> {
    prop_oneof![Just(Distance::SquaredEuclidean), Just(Distance::Cosine)]
}

/// Points on a small integer grid (ties and repeats everywhere) or
/// continuous values with a large offset (cancellation in ‖q‖²+‖r‖²−2q·r).
fn points(dim: usize, n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f32>> {
    prop_oneof![
        prop::collection::vec(
            (-2i32..3).prop_map(|v| v as f32),
            dim * n.start..dim * n.end
        ),
        prop::collection::vec(-1.0f32..1.0, dim * n.start..dim * n.end),
        prop::collection::vec(
            (-1.0f32..1.0).prop_map(|v| 1000.0 + v * 1e-2),
            dim * n.start..dim * n.end
        ),
    ]
    .prop_map(move |mut v| {
        v.truncate(v.len() / dim * dim);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn search_equals_brute_force(
        (dim, reference, queries) in (1usize..9).prop_flat_map(|d| (Just(d), points(d, 6..40), points(d, 1..20))),
        k in 1usize..6,
        metric in metric(),
        qb in 1usize..7,
        rb in 1usize..9,
    ) {
        prop_assume!(reference.len() / dim >= k && !queries.is_empty());
        let params = KnnParams { k, metric, query_block: qb, reference_block: rb };
        let got = engine(&reference, Some(&queries), dim, params);
        let want = brute(&reference, &queries, dim, k, metric, false);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn leave_one_out_equals_brute_force(
        (dim, data) in (1usize..9).prop_flat_map(|d| (Just(d), points(d, 6..50))),
        k in 1usize..6,
        metric in metric(),
        qb in 1usize..7,
        rb in 1usize..9,
    ) {
        prop_assume!(data.len() / dim > k);
        let params = KnnParams { k, metric, query_block: qb, reference_block: rb };
        let got = engine(&data, None, dim, params);
        let want = brute(&data, &data, dim, k, metric, true);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn repeated_points_keep_index_order(copies in 2usize..30, k in 1usize..10) {
        prop_assume!(k < copies);
        let data: Vec<f32> = (0..copies).flat_map(|_| [0.5f32, -1.0, 2.0]).collect();
        let got = engine(&data, None, 3, KnnParams { k, ..Default::default() });
        for (q, row) in got.chunks(k).enumerate() {
            let want: Vec<u32> = (0..copies as u32).filter(|&j| j as usize != q).take(k).collect();
            prop_assert_eq!(row.iter().map(|r| r.0).collect::<Vec<_>>(), want);
            prop_assert!(row.iter().all(|r| r.1 == 0.0));
        }
    }
}

#[test]
fn larger_sets_match_brute_force_across_blocks() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    let dim = 37;
    let reference: Vec<f32> = (0..900 * dim)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let mut queries: Vec<f32> = (0..130 * dim)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    // Some queries are copies of reference points.
    queries[..dim].copy_from_slice(&reference[5 * dim..6 * dim]);
    for metric in [Distance::SquaredEuclidean, Distance::Cosine] {
        let params = KnnParams {
            k: 7,
            metric,
            query_block: 32,
            reference_block: 100,
        };
        assert_eq!(
            engine(&reference, Some(&queries), dim, params),
            brute(&reference, &queries, dim, 7, metric, false)
        );
        assert_eq!(
            engine(&reference, None, dim, params),
            brute(&reference, &reference, dim, 7, metric, true)
        );
    }
}

#[test]
fn thread_count_does_not_change_the_answer() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
    let dim = 16;
    let data: Vec<f32> = (0..2000 * dim)
        .map(|_| rng.random_range(0.0..1.0))
        .collect();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                engine(
                    &data,
                    None,
                    dim,
                    KnnParams {
                        k: 5,
                        ..Default::default()
                    },
                )
            })
    };
    assert_eq!(run(1), run(2));
    assert_eq!(run(1), run(3));
}

#[test]
fn bad_input_is_a_typed_error() {
    assert!(matches!(
        Points::new(&[1.0, 2.0, 3.0], 2),
        Err(KnnError::BadShape { .. })
    ));
    assert!(matches!(
        Points::new(&[1.0], 0),
        Err(KnnError::BadShape { .. })
    ));
    assert!(matches!(
        Points::new(&[1.0, f32::NAN, 0.0, 0.0], 2),
        Err(KnnError::NotFinite { row: 0, col: 1, .. })
    ));
    assert!(matches!(
        Points::new(&[1.0, 0.0, f32::INFINITY, 0.0], 2),
        Err(KnnError::NotFinite { row: 1, col: 0, .. })
    ));
    let s = KnnParams {
        k: 3,
        ..Default::default()
    }
    .check()
    .unwrap();
    let two = [0.0f32, 1.0];
    let p = Points::new(&two, 1).unwrap();
    assert!(matches!(
        search_within(p, &s),
        Err(KnnError::KTooLarge { k: 3, available: 1 })
    ));
    assert!(matches!(
        KnnParams {
            k: 0,
            ..Default::default()
        }
        .check(),
        Err(KnnError::Zero { what: "k" })
    ));
    let q = Points::new(&two, 2).unwrap();
    let s1 = KnnParams {
        k: 1,
        ..Default::default()
    }
    .check()
    .unwrap();
    assert!(matches!(
        search(p, q, &s1),
        Err(KnnError::DimensionMismatch { .. })
    ));
}

#[test]
fn zero_vectors_have_cosine_distance_one() {
    let data = [0.0f32, 0.0, 1.0, 0.0, 2.0, 0.0];
    let nn = engine(
        &data,
        None,
        2,
        KnnParams {
            k: 2,
            metric: Distance::Cosine,
            ..Default::default()
        },
    );
    // Point 0 (zero) is at distance 1 from both others.
    assert_eq!(nn[0], (1, 1.0));
    assert_eq!(nn[1], (2, 1.0));
    // Points 1 and 2 point the same way.
    assert_eq!(nn[2], (2, 0.0));
}
