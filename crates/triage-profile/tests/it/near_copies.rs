//! Planted copies among real images: the precision and recall of the
//! near-duplicate stage on data like the data it is meant for.
//!
//! Each test takes real images from `shared/data` (and passes, saying so,
//! when they are absent), puts them in the `train` split, and adds to the
//! `test` split altered copies of some of them (colour jitter, shifts of
//! 1–2 px, crops of 1–3 px rescaled back, JPEG re-encoding at quality
//! 40–90, and all of these at once) and, on MNIST, other real images of
//! the same classes (hard negatives). Recall: copies paired with their
//! source. False alarms: any other pair with a test item or between two
//! originals.
//!
//! Measured (2026-12-02, `cargo test -p triage-data --test it near_copies
//! -- --nocapture`): CIFAR-10, 200 copies among 2,000 originals: recall
//! 0.98 (jitter, shift, crop, JPEG 40/40 each; all at once 36/40), no test
//! image flagged wrongly, one pair of originals flagged (test 605 and 711
//! of the cat folder). MNIST, 200 copies among 3,000 originals and 1,000
//! other digits: jitter and JPEG 40/40, shift 22/40, crop 20/40, all at
//! once 12/40; 3 of 1,200 test images (0.25 %) flagged wrongly, no
//! originals. The asserts are the goals (recall ≥ 0.8, under 1 %
//! flagged wrongly), not these figures.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::path::PathBuf;

use flate2::read::GzDecoder;
use image::{imageops, DynamicImage, GrayImage, RgbImage};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use triage_data::dataset::{Dataset, DatasetFormat, Item, Source, Split};
use triage_data::decode::{decode_item, DecodeOptions};
use triage_data::image::{ColorMode, DecodedImage};
use triage_profile::{profile_dataset, ItemOutcome, ProfileOptions};

use super::{open, required_data};

/// The alterations planted, in turn.
const KINDS: [&str; 5] = ["jitter", "shift", "crop", "jpeg", "all"];

fn to_dynamic(d: &DecodedImage) -> DynamicImage {
    match d.channels {
        1 => DynamicImage::ImageLuma8(
            GrayImage::from_raw(d.width, d.height, d.pixels.clone()).unwrap(),
        ),
        _ => DynamicImage::ImageRgb8(
            RgbImage::from_raw(d.width, d.height, d.pixels.clone()).unwrap(),
        ),
    }
}

fn from_dynamic(img: DynamicImage, channels: u8) -> DecodedImage {
    let (width, height) = (img.width(), img.height());
    let pixels = if channels == 1 {
        img.to_luma8().into_raw()
    } else {
        img.to_rgb8().into_raw()
    };
    DecodedImage {
        width,
        height,
        channels,
        pixels,
    }
}

/// Per-channel gain 0.8–1.2 and offset −20…20.
fn jitter(img: &DecodedImage, rng: &mut Xoshiro256PlusPlus) -> DecodedImage {
    let c = usize::from(img.channels);
    let gains: Vec<(f64, f64)> = (0..c)
        .map(|_| (rng.random_range(0.8..1.2), rng.random_range(-20.0..20.0)))
        .collect();
    let mut out = img.clone();
    for (i, v) in out.pixels.iter_mut().enumerate() {
        let (g, o) = gains[i % c];
        *v = (f64::from(*v) * g + o).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Shift by 1–2 px in x and/or y, edges replicated.
fn shift(img: &DecodedImage, rng: &mut Xoshiro256PlusPlus) -> DecodedImage {
    let (dx, dy) = loop {
        let d = (rng.random_range(-2i64..=2), rng.random_range(-2i64..=2));
        if d != (0, 0) {
            break d;
        }
    };
    let (w, h, c) = (
        i64::from(img.width),
        i64::from(img.height),
        usize::from(img.channels),
    );
    let mut out = img.clone();
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = ((x - dx).clamp(0, w - 1), (y - dy).clamp(0, h - 1));
            for ch in 0..c {
                out.pixels[((y * w + x) as usize) * c + ch] =
                    img.pixels[((sy * w + sx) as usize) * c + ch];
            }
        }
    }
    out
}

/// Crop 1–3 px off the side at a random place, rescaled back (bilinear).
fn crop(img: &DecodedImage, rng: &mut Xoshiro256PlusPlus) -> DecodedImage {
    let cut = rng.random_range(1..=3u32);
    let (w, h) = (img.width - cut, img.height - cut);
    let (x, y) = (rng.random_range(0..=cut), rng.random_range(0..=cut));
    let cropped = to_dynamic(img).crop_imm(x, y, w, h);
    let back = cropped.resize_exact(img.width, img.height, imageops::FilterType::Triangle);
    from_dynamic(back, img.channels)
}

/// JPEG re-encoding at quality 40–90.
fn jpeg(img: &DecodedImage, rng: &mut Xoshiro256PlusPlus) -> DecodedImage {
    let quality = rng.random_range(40..=90u8);
    let mut bytes = Vec::new();
    let dynamic = to_dynamic(img);
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    dynamic.write_with_encoder(encoder).unwrap();
    from_dynamic(image::load_from_memory(&bytes).unwrap(), img.channels)
}

fn alter(kind: &str, img: &DecodedImage, rng: &mut Xoshiro256PlusPlus) -> DecodedImage {
    match kind {
        "jitter" => jitter(img, rng),
        "shift" => shift(img, rng),
        "crop" => crop(img, rng),
        "jpeg" => jpeg(img, rng),
        _ => {
            let c = crop(img, rng);
            let s = shift(&c, rng);
            let j = jitter(&s, rng);
            jpeg(&j, rng)
        }
    }
}

/// What the stage found among planted copies.
#[derive(Debug)]
struct Outcome {
    /// Copies found, by alteration: (found, planted).
    recall: BTreeMap<&'static str, (usize, usize)>,
    /// Test items in some pair that is not (copy, its source).
    wrongly_flagged_test: usize,
    /// Test items in all.
    test_items: usize,
    /// Train items paired with another train item.
    flagged_originals: usize,
}

impl Outcome {
    /// Recall over the alterations `kinds` (all if empty).
    fn recall(&self, kinds: &[&str]) -> f64 {
        let (found, planted) = self
            .recall
            .iter()
            .filter(|(k, _)| kinds.is_empty() || kinds.contains(k))
            .fold((0, 0), |(f, p), (_, (a, b))| (f + a, p + b));
        found as f64 / planted as f64
    }
}

/// Profile `originals` (train) + copies of every `every`-th original and
/// `negatives` (test), and score the pairs found.
fn plant_and_profile(
    originals: &[DecodedImage],
    negatives: &[DecodedImage],
    every: usize,
    mode: ColorMode,
    seed: u64,
) -> Outcome {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut images: Vec<DecodedImage> = originals.to_vec();
    let mut items: Vec<Item> = (0..originals.len())
        .map(|i| item(format!("orig{i:05}"), Split::Train))
        .collect();
    // Source of each copy, by item index.
    let mut source_of: BTreeMap<usize, (usize, &'static str)> = BTreeMap::new();
    for (n, src) in (0..originals.len()).step_by(every).enumerate() {
        let kind = KINDS[n % KINDS.len()];
        source_of.insert(images.len(), (src, kind));
        items.push(item(format!("copy{src:05}"), Split::Test));
        images.push(alter(kind, &originals[src], &mut rng));
    }
    for (i, neg) in negatives.iter().enumerate() {
        items.push(item(format!("other{i:05}"), Split::Test));
        images.push(neg.clone());
    }
    let dataset = Dataset {
        root: PathBuf::from("mem"),
        format: DatasetFormat::Manifest,
        classes: vec!["all".into()],
        items,
        skipped: Vec::new(),
        records: None,
    };
    let decode = |i: usize| ItemOutcome::Decoded {
        image: images[i].clone(),
        mode,
        file_bytes: 1000,
    };
    let options = ProfileOptions {
        max_listed: usize::MAX,
        ..ProfileOptions::default()
    };
    let profile = profile_dataset(&dataset, &options, &decode, &|| {});
    let near = &profile.near_duplicates;
    assert_eq!(near.listed.len() as u64, near.pairs, "every pair listed");

    let index: BTreeMap<&str, usize> = dataset
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    let mut found: HashSet<usize> = HashSet::new();
    let mut wrong_test: HashSet<usize> = HashSet::new();
    let mut flagged_originals: HashSet<usize> = HashSet::new();
    for pair in &near.listed {
        let (a, b) = (index[pair.a.id.as_str()], index[pair.b.id.as_str()]);
        let n = originals.len();
        match (a < n, b < n) {
            (true, true) => {
                if flagged_originals.len() < 100 {
                    eprintln!(
                        "originals paired: {} {} score {:.3} reference {:.3} runner-up {:.3} {:?}",
                        pair.a.id,
                        pair.b.id,
                        pair.score,
                        pair.reference_score,
                        pair.runner_up_score,
                        pair.kind
                    );
                }
                flagged_originals.insert(a);
                flagged_originals.insert(b);
            }
            (true, false) if source_of.get(&b).is_some_and(|s| s.0 == a) => {
                eprintln!(
                    "planted {} {:?}: score {:.3} reference {:.3} runner-up {:.3} ratio {:.3}",
                    source_of[&b].1,
                    pair.kind,
                    pair.score,
                    pair.reference_score,
                    pair.runner_up_score,
                    (1.0 - pair.score) / (1.0 - pair.reference_score)
                );
                found.insert(b);
            }
            _ => {
                if wrong_test.len() < 100 {
                    eprintln!(
                        "not a planted pair: {} {} score {:.3} reference {:.3} runner-up {:.3} {:?}",
                        pair.a.id, pair.b.id, pair.score, pair.reference_score, pair.runner_up_score, pair.kind
                    );
                }
                for t in [a, b].into_iter().filter(|&t| t >= n) {
                    wrong_test.insert(t);
                }
            }
        }
    }
    let mut recall: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    for (&copy, &(_, kind)) in &source_of {
        let entry = recall.entry(kind).or_default();
        entry.1 += 1;
        entry.0 += usize::from(found.contains(&copy));
    }
    // A copy found next to a wrong pair is still found; a wrong pair is
    // counted only for test items that are not found copies.
    wrong_test.retain(|t| !found.contains(t));
    Outcome {
        recall,
        wrongly_flagged_test: wrong_test.len(),
        test_items: source_of.len() + negatives.len(),
        flagged_originals: flagged_originals.len(),
    }
}

fn item(id: String, split: Split) -> Item {
    Item {
        source: Source::File(PathBuf::from(&id)),
        id,
        label: 0,
        split: Some(split),
        group: None,
    }
}

/// The goals: recall ≥ 0.8 over the alterations `kinds` (all if
/// empty), under 1 % of test images and of originals flagged wrongly.
fn check(name: &str, outcome: &Outcome, originals: usize, kinds: &[&str]) {
    eprintln!("{name}: {outcome:#?}, recall {:.3}", outcome.recall(&[]));
    assert!(outcome.recall(kinds) >= 0.8, "{name}: {outcome:#?}");
    assert!(
        (outcome.wrongly_flagged_test as f64) < 0.01 * outcome.test_items as f64,
        "{name}: {outcome:#?}"
    );
    assert!(
        (outcome.flagged_originals as f64) < 0.01 * originals as f64,
        "{name}: {outcome:#?}"
    );
}

#[test]
#[ignore = "needs ../shared/data"]
fn planted_copies_among_mnist_digits() {
    let images = required_data("mnist/t10k-images-idx3-ubyte.gz");
    let ds = open(&images);
    let decoded: Vec<DecodedImage> = (0..4000)
        .map(|i| {
            decode_item(&ds, i, &DecodeOptions::default())
                .unwrap()
                .image
        })
        .collect();
    let (originals, negatives) = decoded.split_at(3000);
    let outcome = plant_and_profile(originals, negatives, 15, ColorMode::Gray, 11);
    // Thin strokes moved by a pixel or resampled are as far from
    // themselves as from another writer's digit at this resolution: on
    // digits only the same picture re-encoded or recoloured is asserted.
    check("MNIST", &outcome, originals.len(), &["jitter", "jpeg"]);
}

#[test]
#[ignore = "needs ../shared/data"]
fn planted_copies_among_cifar10_photos() {
    let tarball = required_data("cifar10/cifar10-test-jpg.tar.gz");
    // The first 200 test images of each class, read from the tarball.
    let mut archive = tar::Archive::new(GzDecoder::new(File::open(&tarball).unwrap()));
    let mut originals: Vec<(String, DecodedImage)> = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let Some(stem) = path.strip_suffix(".jpg") else {
            continue;
        };
        if stem.rsplit('/').next().unwrap().parse::<u32>().unwrap() >= 200 {
            continue;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        originals.push((path, from_dynamic(img, 3)));
    }
    originals.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(originals.len(), 2000);
    let originals: Vec<DecodedImage> = originals.into_iter().map(|(_, d)| d).collect();
    let outcome = plant_and_profile(&originals, &[], 10, ColorMode::Rgb, 7);
    check("CIFAR-10", &outcome, originals.len(), &[]);
}
