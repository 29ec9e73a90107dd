//! Integration tests of dataset profiling: small in-memory datasets whose
//! images are synthesised by the decode closure (the item paths need not
//! exist), with planted duplicates, near-duplicates, corrupt files and
//! sorted labels.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_data::dataset::{Dataset, DatasetFormat, Item, Skipped, Source, Split};
use triage_data::image::{ColorMode, DecodedImage};
use triage_profile::{
    profile_dataset, DatasetProfile, ItemOutcome, PairKind, ProfileOptions, SplitKey, WarningKind,
    EXACT_SCORE, MIN_SCORE,
};

/// A smooth 32×32 RGB scene determined by `seed` (a few random waves per
/// channel), brightened by `lift` levels.
fn scene(seed: u64, lift: u8) -> DecodedImage {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut next = move || rng.random::<f64>();
    let waves: Vec<[f64; 4]> = (0..4)
        .map(|_| {
            [
                0.5 + 3.5 * next(),
                0.5 + 3.5 * next(),
                6.3 * next(),
                20.0 + 30.0 * next(),
            ]
        })
        .collect();
    let mut pixels = Vec::with_capacity(32 * 32 * 3);
    for y in 0..32 {
        for x in 0..32 {
            let (u, v) = (f64::from(x) / 32.0, f64::from(y) / 32.0);
            let mut base = 128.0;
            for [fx, fy, phase, amp] in &waves {
                base += amp * (std::f64::consts::TAU * (fx * u + fy * v) + phase).sin();
            }
            for c in 0..3 {
                let value = base + 10.0 * f64::from(c) + f64::from(lift);
                pixels.push(value.clamp(0.0, 255.0).round() as u8);
            }
        }
    }
    DecodedImage {
        width: 32,
        height: 32,
        channels: 3,
        pixels,
    }
}

fn item(i: usize, label: usize, split: Option<Split>) -> Item {
    Item {
        id: format!("img{i:03}.png"),
        source: Source::File(PathBuf::from(format!("/nowhere/img{i:03}.png"))),
        label,
        split,
        group: None,
    }
}

fn dataset(items: Vec<Item>, classes: &[&str]) -> Dataset {
    Dataset {
        root: PathBuf::from("/nowhere"),
        format: DatasetFormat::Manifest,
        classes: classes.iter().map(|c| c.to_string()).collect(),
        items,
        skipped: Vec::new(),
        records: None,
    }
}

/// 48 items, labels cycling over 3 classes: 36 train, 6 val, 6 test.
/// Planted: test item 40 = exact copy of train item 1 (same label);
/// train items 2 and 3 identical with different labels; val item 37 =
/// train item 4 brightened (a near-duplicate); item 10 fails to decode;
/// one file skipped by the reader.
fn planted() -> (Dataset, impl Fn(usize) -> ItemOutcome + Sync) {
    let items: Vec<Item> = (0..48)
        .map(|i| {
            let split = match i {
                0..36 => Split::Train,
                36..39 | 42..45 => Split::Val,
                _ => Split::Test,
            };
            item(i, i % 3, Some(split))
        })
        .collect();
    let mut ds = dataset(items, &["cat", "dog", "bird"]);
    ds.skipped.push(Skipped {
        path: "/nowhere/empty.png".into(),
        reason: "zero-byte file".into(),
    });
    let decode = |i: usize| {
        let (seed, lift) = match i {
            40 => (1, 0),
            3 => (2, 0),
            37 => (4, 6),
            10 => {
                return ItemOutcome::Failed {
                    reason: "truncated PNG".into(),
                }
            }
            _ => (i as u64, 0),
        };
        ItemOutcome::Decoded {
            image: scene(seed, lift),
            mode: ColorMode::Rgb,
            file_bytes: 1000,
        }
    };
    (ds, decode)
}

fn run(ds: &Dataset, decode: &(dyn Fn(usize) -> ItemOutcome + Sync)) -> DatasetProfile {
    profile_dataset(ds, &ProfileOptions::default(), decode, &|| {})
}

#[test]
fn planted_duplicates_leakage_and_corrupt_files() {
    let (ds, decode) = planted();
    // Item splits as built: 0..36 train, 36..39 val, 39..42 test,
    // 42..45 val, 45..48 test.
    assert_eq!(ds.items[1].split, Some(Split::Train));
    assert_eq!(ds.items[40].split, Some(Split::Test));
    assert_eq!(ds.items[37].split, Some(Split::Val));
    assert_eq!(ds.items[1].label, ds.items[40].label);
    assert_ne!(ds.items[2].label, ds.items[3].label);

    let calls = AtomicUsize::new(0);
    let profile = profile_dataset(&ds, &ProfileOptions::default(), &decode, &|| {
        calls.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(calls.load(Ordering::Relaxed), 48);
    let json = serde_json::to_value(&profile).unwrap();

    let keys = [
        "format",
        "version",
        "n_items",
        "layout",
        "root",
        "n_decoded",
        "classes",
        "splits",
        "imbalance_ratio",
        "empty_classes",
        "effective_classes",
        "missing_classes",
        "order",
        "groups",
        "duplicates",
        "near_duplicates",
        "corrupt_files",
        "sizes",
        "channels",
        "modes",
        "file_bytes",
        "properties",
        "outliers",
        "warnings",
        "extension_mismatches",
    ];
    assert_eq!(json["format"], "triage-profile");
    assert_eq!(json["version"], 3);
    let object = json.as_object().unwrap();
    for key in keys {
        assert!(object.contains_key(key), "missing key {key}");
    }
    assert_eq!(object.len(), keys.len());

    assert_eq!(json["n_items"], 48);
    assert_eq!(json["n_decoded"], 47);
    assert_eq!(json["layout"], "manifest");
    assert_eq!(json["splits"]["train"], 36);
    assert_eq!(json["splits"]["val"], 6);
    assert_eq!(json["splits"]["test"], 6);
    assert_eq!(json["splits"]["unsplit"], 0);
    assert_eq!(json["classes"][0]["name"], "cat");
    assert_eq!(json["classes"][0]["count"], 16);
    assert_eq!(json["classes"][0]["counts"]["train"], 12);
    assert_eq!(json["imbalance_ratio"], 1.0);
    let effective = json["effective_classes"].as_f64().unwrap();
    assert!((effective - 3.0).abs() < 1e-12);
    assert_eq!(json["missing_classes"]["test"], serde_json::json!([]));

    let dup = &json["duplicates"];
    assert_eq!(dup["groups"], 2);
    assert_eq!(dup["items"], 4);
    assert_eq!(dup["cross_split_groups"], 1);
    assert_eq!(dup["conflicting_label_groups"], 1);
    assert_eq!(
        dup["groups_by_split_pair"],
        serde_json::json!({"train-train": 1, "train-test": 1})
    );
    assert_eq!(dup["listed"][0]["cross_split"], true);
    assert_eq!(dup["listed"][0]["items"][0]["id"], "img001.png");
    assert_eq!(dup["listed"][0]["items"][1]["split"], "test");
    assert_eq!(dup["listed"][1]["conflicting_labels"], true);

    let near = &json["near_duplicates"];
    assert_eq!(near["candidates_from"], "pixels");
    assert_eq!(near["listed"][0]["kind"], "exact", "{near:#}");
    assert_eq!(near["pairs"], 1, "{near:#}");
    assert_eq!(near["cross_split_pairs"], 1);
    assert_eq!(
        near["pairs_by_split_pair"],
        serde_json::json!({"train-val": 1})
    );
    assert_eq!(near["clusters"], 1);
    assert_eq!(near["listed"][0]["a"]["id"], "img004.png");
    assert_eq!(near["listed"][0]["b"]["id"], "img037.png");

    let corrupt = &json["corrupt_files"];
    assert_eq!(corrupt["count"], 2);
    assert_eq!(corrupt["decode_failures"], 1);
    assert_eq!(corrupt["files"][0]["path"], "/nowhere/img010.png");
    assert_eq!(corrupt["files"][0]["reason"], "truncated PNG");
    assert_eq!(corrupt["files"][1]["reason"], "zero-byte file");

    assert_eq!(
        json["sizes"]["top"][0],
        serde_json::json!({"width": 32, "height": 32, "count": 47})
    );
    assert_eq!(json["channels"], serde_json::json!({"3": 47}));
    assert_eq!(json["modes"], serde_json::json!({"rgb": 47}));
    assert_eq!(json["file_bytes"]["total"], 47_000);
    assert_eq!(json["properties"]["all"]["brightness"]["n"], 47);
    assert_eq!(json["properties"]["by_split"]["test"]["entropy"]["n"], 6);
    assert_eq!(json["properties"]["by_class"][2]["class"], "bird");
    assert_eq!(json["order"]["all"]["sorted"], false);

    let kinds: Vec<WarningKind> = profile.warnings.iter().map(|w| w.kind).collect();
    for kind in [
        WarningKind::CorruptFiles,
        WarningKind::Leakage,
        WarningKind::NearDuplicateLeakage,
        WarningKind::ConflictingDuplicateLabels,
        WarningKind::Duplicates,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} in {kinds:?}");
    }
    assert!(!kinds.contains(&WarningKind::SortedOrder));
    assert!(!kinds.contains(&WarningKind::ClassImbalance));

    let mut text = Vec::new();
    triage_report::terminal::write_profile_summary(&mut text, &profile).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("exact duplicates: 2 groups (4 items); 1 across splits"),
        "{text}"
    );
    assert!(text.contains("warning[leakage]"), "{text}");
    assert!(text.contains("corrupt files: 2"), "{text}");
}

/// Random-looking 8×8 gray images, one per seed.
fn noise_image(seed: u64) -> DecodedImage {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let pixels = (0..64)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect();
    DecodedImage {
        width: 8,
        height: 8,
        channels: 1,
        pixels,
    }
}

#[test]
fn sorted_labels_fire_the_order_trap() {
    let labels: Vec<usize> = (0..3).flat_map(|c| std::iter::repeat_n(c, 40)).collect();
    let items = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| item(i, l, None))
        .collect();
    let ds = dataset(items, &["ant", "bee", "wasp", "moth"]);
    let decode = |i: usize| ItemOutcome::Decoded {
        image: noise_image(i as u64),
        mode: ColorMode::Gray,
        file_bytes: 0,
    };
    let profile = run(&ds, &decode);
    let order = &profile.order.all;
    assert!(order.sorted);
    assert_eq!(order.runs, 3);
    assert_eq!(order.tail_splits[0].n_items, 12);
    assert_eq!(order.tail_splits[0].classes.len(), 1);
    assert_eq!(order.tail_splits[0].classes[0].name, "wasp");
    assert!(profile.order.by_split.is_empty());
    let sorted = profile
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::SortedOrder)
        .expect("a sorted_order warning");
    assert!(
        sorted.message.contains("would hold only `wasp (12)`"),
        "{}",
        sorted.message
    );
    // The fourth class has no item.
    assert_eq!(profile.imbalance_ratio, None);
    assert_eq!(profile.empty_classes, ["moth"]);
    assert!(profile
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::EmptyClass));
    assert_eq!(profile.splits.get(SplitKey::Unsplit), 120);
    assert_eq!(profile.duplicates.groups, 0);
    assert_eq!(profile.near_duplicates.pairs, 0);

    // Interleaved labels: no trap.
    let items = (0..120)
        .map(|i| item(i, i % 3, Some(Split::Train)))
        .collect();
    let ds = dataset(items, &["ant", "bee", "wasp"]);
    let profile = run(&ds, &decode);
    assert!(!profile.order.all.sorted);
    assert!(!profile.order.by_split.get(SplitKey::Train).unwrap().sorted);
    assert!(!profile
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::SortedOrder));
}

/// `image` with the pixels as an RGB buffer.
fn rgb(image: &DecodedImage) -> image::RgbImage {
    image::RgbImage::from_raw(image.width, image.height, image.pixels.clone()).unwrap()
}

fn decoded(img: image::RgbImage) -> ItemOutcome {
    ItemOutcome::Decoded {
        image: DecodedImage {
            width: img.width(),
            height: img.height(),
            channels: 3,
            pixels: img.into_raw(),
        },
        mode: ColorMode::Rgb,
        file_bytes: 1000,
    }
}

#[test]
fn reencoded_and_shifted_copies_match_and_other_scenes_do_not() {
    // 0 (train): a scene; 1 (test): its JPEG re-encode at quality 75;
    // 2 (val): the scene shifted right by 2 px (edge column repeated);
    // 3..: unrelated scenes.
    let items = (0..12)
        .map(|i| {
            let split = [Split::Train, Split::Test, Split::Val][i.min(2)];
            item(i, i % 2, Some(split))
        })
        .collect();
    let ds = dataset(items, &["a", "b"]);
    let decode = |i: usize| {
        let base = rgb(&scene(50, 0));
        match i {
            0 => decoded(base),
            1 => {
                let mut jpeg = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 75)
                    .encode_image(&base)
                    .unwrap();
                decoded(image::load_from_memory(&jpeg).unwrap().to_rgb8())
            }
            2 => decoded(image::RgbImage::from_fn(32, 32, |x, y| {
                *base.get_pixel(x.saturating_sub(2), y)
            })),
            _ => decoded(rgb(&scene(60 + i as u64, 0))),
        }
    };
    let profile = run(&ds, &decode);
    let near = &profile.near_duplicates;
    assert_eq!(near.k, 10);
    assert!(near.candidate_pairs >= 11, "{near:#?}");
    // Three pairs among the three copies, none with the other scenes.
    assert_eq!(near.pairs, 3, "{near:#?}");
    assert_eq!(near.cross_split_pairs, 3);
    assert_eq!(near.clusters, 1);
    assert_eq!(near.largest_cluster, 3);
    assert_eq!(near.leaked_items, ["img001.png", "img002.png"]);
    let pair = |a: &str, b: &str| {
        near.listed
            .iter()
            .find(|p| p.a.id == a && p.b.id == b)
            .unwrap_or_else(|| panic!("{a}–{b} not listed: {near:#?}"))
    };
    let jpeg = pair("img000.png", "img001.png");
    assert_eq!(jpeg.kind, PairKind::Exact, "{jpeg:?}");
    assert!(jpeg.score >= EXACT_SCORE, "{jpeg:?}");
    let shifted = pair("img000.png", "img002.png");
    assert_eq!(shifted.kind, PairKind::Near, "{shifted:?}");
    assert_eq!(shifted.dx.abs(), 2, "{shifted:?}");
    assert_eq!(shifted.dy, 0, "{shifted:?}");
    assert!(shifted.score > shifted.reference_score, "{shifted:?}");
    let json = serde_json::to_value(&profile).unwrap();
    assert_eq!(json["near_duplicates"]["min_score"], MIN_SCORE);
    assert_eq!(json["near_duplicates"]["listed"][0]["kind"], "exact");
}

#[test]
fn a_dark_dataset_flags_only_its_own_outliers() {
    // MNIST-like: 100 images of a white bar on black, mean brightness
    // 0.064–0.115 (most under the absolute 0.1 bound), and one black image.
    let items = (0..101).map(|i| item(i, 0, Some(Split::Train))).collect();
    let ds = dataset(items, &["digit"]);
    let decode = |i: usize| {
        let rows = if i == 100 {
            0
        } else {
            10 + 2 * (i % 4) + i % 3
        };
        let pixels = (0..28 * 28)
            .map(|k| {
                let (x, y) = (k % 28, k / 28);
                if (10..15).contains(&x) && y < rows {
                    255
                } else {
                    0
                }
            })
            .collect();
        ItemOutcome::Decoded {
            image: DecodedImage {
                width: 28,
                height: 28,
                channels: 1,
                pixels,
            },
            mode: ColorMode::Gray,
            file_bytes: 0,
        }
    };
    let profile = run(&ds, &decode);
    let brightness = &profile.properties.all.brightness;
    assert!(brightness.p50.unwrap() < 0.1, "{brightness:?}");
    let dark = &profile.outliers.too_dark;
    assert_eq!(dark.count, 1, "{dark:?}");
    assert_eq!(dark.items[0].item.id, "img100.png");
    assert_eq!(dark.absolute_threshold, Some(0.1));
    let robust = dark.robust_threshold.unwrap();
    assert!(robust > 0.0 && robust < 0.1, "{robust}");
    assert_eq!(dark.threshold, Some(robust));
    let json = serde_json::to_value(&profile).unwrap();
    assert_eq!(json["outliers"]["too_dark"]["absolute_threshold"], 0.1);
    let warning = profile
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::TooDark)
        .unwrap();
    assert!(
        warning.message.contains("median − 3·1.4826·MAD"),
        "{}",
        warning.message
    );
}
