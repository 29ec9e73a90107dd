//! The synthetic dataset generator: determinism, counts, label noise,
//! splits, output checks, domains and class separability.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use triage_data::image::DecodedImage;
use triage_synth::{
    generate, render, Domain, ImageFormat, SynthConfig, SynthError, CLASS_NAMES, GENERATOR_VERSION,
};

/// Every file under `root`, by `/`-separated relative path.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// `manifest.csv` as rows of (path, label, split, clean_label).
fn manifest(root: &Path) -> Vec<[String; 4]> {
    let text = fs::read_to_string(root.join("manifest.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("path,label,split,clean_label"));
    lines
        .map(|line| {
            let fields: Vec<String> = line.split(',').map(str::to_string).collect();
            fields.try_into().unwrap()
        })
        .collect()
}

fn generate_with_threads(config: &SynthConfig, out: &Path, threads: usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| generate(config, out)).unwrap();
}

#[test]
fn same_config_gives_identical_bytes_whatever_the_thread_count() {
    let configs = [
        SynthConfig {
            classes: 5,
            per_class: 12,
            size: 24,
            imbalance: 3.0,
            label_noise: 0.3,
            domain: Domain::RealLike,
            val_fraction: 0.2,
            test_fraction: 0.2,
            seed: 42,
            ..Default::default()
        },
        SynthConfig {
            classes: 26,
            per_class: 2,
            size: 16,
            format: ImageFormat::Jpeg { quality: 85 },
            ..Default::default()
        },
    ];
    for config in configs {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        generate_with_threads(&config, &a, 1);
        generate_with_threads(&config, &b, 2);
        generate_with_threads(&config, &c, 3);
        let files_a = files(&a);
        assert_eq!(
            files_a.len(),
            config.class_counts().iter().sum::<usize>() + 2
        );
        assert!(files_a == files(&b), "1 and 2 threads differ");
        assert!(files_a == files(&c), "1 and 3 threads differ");
    }
    // A different seed gives different images.
    let dir = tempfile::tempdir().unwrap();
    let base = SynthConfig {
        classes: 2,
        per_class: 3,
        ..Default::default()
    };
    generate(&base, &dir.path().join("s0")).unwrap();
    generate(&SynthConfig { seed: 1, ..base }, &dir.path().join("s1")).unwrap();
    assert!(files(&dir.path().join("s0")) != files(&dir.path().join("s1")));
}

#[test]
fn files_hold_the_rendered_samples() {
    let dir = tempfile::tempdir().unwrap();
    let config = SynthConfig {
        classes: 3,
        per_class: 1,
        size: 20,
        seed: 9,
        ..Default::default()
    };
    generate(&config, dir.path()).unwrap();
    for [path, label, split, clean] in manifest(dir.path()) {
        assert_eq!(label, clean);
        assert_eq!(split, "");
        let class = CLASS_NAMES.iter().position(|&n| n == clean).unwrap();
        let decoded = image::open(dir.path().join(&path)).unwrap().to_rgb8();
        let expected = render(&config, class, 0);
        assert_eq!(decoded.into_raw(), expected.pixels, "{path}");
    }
    // A sample does not depend on the number of classes or the counts.
    let other = SynthConfig {
        classes: 20,
        per_class: 50,
        imbalance: 4.0,
        ..config.clone()
    };
    assert_eq!(render(&other, 2, 0), render(&config, 2, 0));
}

#[test]
fn imbalance_gives_a_geometric_profile() {
    let dir = tempfile::tempdir().unwrap();
    let config = SynthConfig {
        classes: 6,
        per_class: 200,
        size: 8,
        imbalance: 8.0,
        ..Default::default()
    };
    let summary = generate(&config, dir.path()).unwrap();
    let totals: Vec<usize> = summary.clean_counts.iter().map(|c| c.total()).collect();
    assert_eq!(totals, config.class_counts());
    assert_eq!(totals, [200, 132, 87, 57, 38, 25]);
    let ratio = totals[0] as f64 / totals[5] as f64;
    assert!((ratio - 8.0).abs() < 0.05, "{ratio}");
    assert_eq!(summary.counts, summary.clean_counts);
    // The class folders hold those counts.
    for (name, &n) in triage_synth::class_names(&config).iter().zip(&totals) {
        assert_eq!(
            fs::read_dir(dir.path().join(name)).unwrap().count(),
            n,
            "{name}"
        );
    }
    assert_eq!(summary.files, totals.iter().sum::<usize>());
}

#[test]
fn label_noise_flips_at_the_stated_rate() {
    let dir = tempfile::tempdir().unwrap();
    let (rho, k, n) = (0.2, 4usize, 2000usize);
    let config = SynthConfig {
        classes: k,
        per_class: n / k,
        size: 8,
        label_noise: rho,
        ..Default::default()
    };
    let summary = generate(&config, dir.path()).unwrap();
    let p = rho * (k as f64 - 1.0) / k as f64;
    assert!((summary.bayes_error - p).abs() < 1e-12);
    let sigma = (n as f64 * p * (1.0 - p)).sqrt();
    let expected = n as f64 * p;
    assert!(
        (summary.flipped as f64 - expected).abs() <= 3.0 * sigma,
        "{} flips, expected {expected} ± {:.1}",
        summary.flipped,
        3.0 * sigma
    );
    // The manifest agrees, and the folder is the written label.
    let rows = manifest(dir.path());
    assert_eq!(rows.len(), n);
    let flipped = rows
        .iter()
        .filter(|[_, label, _, clean]| label != clean)
        .count();
    assert_eq!(flipped, summary.flipped);
    for [path, label, _, _] in &rows {
        assert!(path.starts_with(&format!("{label}/{label}_")), "{path}");
    }
    // Flips go to every other class about equally often.
    let mut targets: HashMap<(&str, &str), usize> = HashMap::new();
    for [_, label, _, clean] in &rows {
        if label != clean {
            *targets.entry((clean.as_str(), label.as_str())).or_default() += 1;
        }
    }
    assert_eq!(targets.len(), k * (k - 1));
    assert!(
        targets.values().all(|&c| (10..60).contains(&c)),
        "{targets:?}"
    );
    // synth.json states the model and the Bayes error.
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("synth.json")).unwrap()).unwrap();
    assert_eq!(json["generator_version"], GENERATOR_VERSION);
    assert_eq!(json["flipped"], summary.flipped);
    assert!((json["bayes_error"].as_f64().unwrap() - p).abs() < 1e-12);
    assert_eq!(json["label_noise"]["bayes_error_formula"], "rho*(K-1)/K");
    assert_eq!(json["config"]["label_noise"], rho);
    assert_eq!(json["counts"][0]["class"], "circle");
    assert_eq!(json["files"], n);
}

#[test]
fn splits_are_stratified_by_the_clean_label() {
    let dir = tempfile::tempdir().unwrap();
    let config = SynthConfig {
        classes: 3,
        per_class: 100,
        size: 8,
        imbalance: 2.0,
        label_noise: 0.1,
        val_fraction: 0.2,
        test_fraction: 0.1,
        ..Default::default()
    };
    let summary = generate(&config, dir.path()).unwrap();
    let rows = manifest(dir.path());
    for (k, (&n, name)) in config
        .class_counts()
        .iter()
        .zip(triage_synth::class_names(&config))
        .enumerate()
    {
        let count = |split: &str| {
            rows.iter()
                .filter(|r| r[3] == *name && r[2] == split)
                .count()
        };
        let (val, test) = (
            (n as f64 * 0.2).round() as usize,
            (n as f64 * 0.1).round() as usize,
        );
        assert_eq!(
            (count("train"), count("val"), count("test")),
            (n - val - test, val, test),
            "{name}"
        );
        let c = summary.clean_counts[k];
        assert_eq!((c.train, c.val, c.test), (n - val - test, val, test));
    }
    for [path, label, split, _] in &rows {
        assert!(
            path.starts_with(&format!("{split}/{label}/{label}_")),
            "{path}"
        );
    }
    assert!(dir.path().join("train/circle").is_dir() && dir.path().join("test/triangle").is_dir());
    assert!(!dir.path().join("circle").exists());
}

#[test]
fn refuses_a_non_empty_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep.txt"), "mine").unwrap();
    let config = SynthConfig {
        classes: 2,
        per_class: 2,
        ..Default::default()
    };
    let err = generate(&config, &out).unwrap_err();
    assert!(matches!(err, SynthError::OutputNotEmpty { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&out.display().to_string()),
        "{err}"
    );
    assert_eq!(files(&out).len(), 1);
    // A file is refused too; an existing empty directory is fine.
    let file = dir.path().join("file");
    fs::write(&file, "").unwrap();
    assert!(matches!(
        generate(&config, &file),
        Err(SynthError::OutputNotDirectory { .. })
    ));
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_eq!(generate(&config, &empty).unwrap().files, 4);
    // An invalid config writes nothing.
    let bad = dir.path().join("bad");
    let err = generate(
        &SynthConfig {
            classes: 30,
            ..config
        },
        &bad,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            SynthError::InvalidConfig {
                field: "classes",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!bad.exists());
}

/// Luma of an RGB image as rows.
fn luma(image: &DecodedImage) -> Vec<f32> {
    image.luma()
}

/// Median absolute 4-neighbour Laplacian of the luma: about 0 for flat
/// images, about 2.2 σ for white noise of standard deviation σ.
fn noise_estimate(image: &DecodedImage) -> f32 {
    let n = image.width as usize;
    let l = luma(image);
    let mut values: Vec<f32> = Vec::new();
    for y in 1..n - 1 {
        for x in 1..n - 1 {
            let c = l[y * n + x];
            let lap = 4.0 * c
                - l[y * n + x - 1]
                - l[y * n + x + 1]
                - l[(y - 1) * n + x]
                - l[(y + 1) * n + x];
            values.push(lap.abs());
        }
    }
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

#[test]
fn real_like_images_are_noisier_than_clean_ones() {
    let clean = SynthConfig {
        size: 48,
        ..Default::default()
    };
    let real = SynthConfig {
        domain: Domain::RealLike,
        ..clean.clone()
    };
    let mut clean_noise = 0.0;
    let mut real_noise = 0.0;
    let mut clean_colours = 0;
    let mut real_colours = 0;
    for i in 0..40u64 {
        let class = (i % 26) as usize;
        let (a, b) = (render(&clean, class, i), render(&real, class, i));
        clean_noise += noise_estimate(&a);
        real_noise += noise_estimate(&b);
        let colours = |img: &DecodedImage| {
            let mut set: Vec<&[u8]> = img.pixels.chunks(3).collect();
            set.sort();
            set.dedup();
            set.len()
        };
        clean_colours += colours(&a);
        real_colours += colours(&b);
    }
    assert!(
        clean_noise / 40.0 < 0.01,
        "clean images are flat away from edges: {clean_noise}"
    );
    assert!(
        real_noise / 40.0 > 1.0,
        "real-like noise estimate {}",
        real_noise / 40.0
    );
    assert!(
        real_colours > 10 * clean_colours,
        "{real_colours} vs {clean_colours}"
    );
}

/// A scale- and translation-normalised silhouette: the figure's mask
/// (pixels whose luma is more than 30 levels from the corner's) cropped to
/// its centred square bounding box and sampled on a 12 × 12 grid.
fn silhouette(image: &DecodedImage) -> Vec<f32> {
    const GRID: usize = 12;
    let n = image.width as usize;
    let l = luma(image);
    let background = l[0];
    let mask: Vec<bool> = l.iter().map(|v| (v - background).abs() > 30.0).collect();
    let (mut x0, mut x1, mut y0, mut y1) = (n, 0, n, 0);
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        let (x, y) = (i % n, i / n);
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let side = ((x1 - x0).max(y1 - y0) + 1) as f32;
    let (cx, cy) = ((x0 + x1) as f32 / 2.0, (y0 + y1) as f32 / 2.0);
    (0..GRID * GRID)
        .map(|g| {
            let u = cx + ((g % GRID) as f32 + 0.5) / GRID as f32 * side - side / 2.0;
            let v = cy + ((g / GRID) as f32 + 0.5) / GRID as f32 * side - side / 2.0;
            let (x, y) = (u.round(), v.round());
            let inside = x >= 0.0 && y >= 0.0 && (x as usize) < n && (y as usize) < n;
            f32::from(u8::from(inside && mask[y as usize * n + x as usize]))
        })
        .collect()
}

#[test]
fn clean_classes_are_separable_by_shape() {
    // 1-nearest-neighbour on silhouettes, 30 training and 10 test samples
    // per class over all 26 classes; chance is 1/26 (this reached 0.98).
    let config = SynthConfig {
        classes: 26,
        ..Default::default()
    };
    let (train, test) = (30u64, 10u64);
    let mut exemplars: Vec<(usize, Vec<f32>)> = Vec::new();
    for class in 0..26 {
        for index in 0..train {
            exemplars.push((class, silhouette(&render(&config, class, index))));
        }
    }
    let mut correct = 0;
    for class in 0..26 {
        for index in train..train + test {
            let s = silhouette(&render(&config, class, index));
            let distance = |e: &Vec<f32>| e.iter().zip(&s).map(|(a, b)| (a - b).abs()).sum::<f32>();
            let nearest = exemplars
                .iter()
                .min_by(|a, b| distance(&a.1).total_cmp(&distance(&b.1)))
                .unwrap();
            correct += usize::from(nearest.0 == class);
        }
    }
    let accuracy = correct as f64 / (26 * test) as f64;
    assert!(accuracy > 0.9, "1-NN accuracy {accuracy}");
}
