//! Image-property drift between datasets: triage's clean synthetic images
//! against their real-like rendering (texture, lighting, blur, noise,
//! JPEG) — the demo's training and deployment sets — and against the
//! clean set drawn with another seed.

use std::path::Path;

use triage_data::progress::Silent;
use triage_shift::images::{sample_images, SampleOptions};
use triage_shift::{analyze, ShiftError, ShiftOptions, Side};
use triage_synth::{generate, Domain, ImageFormat, SynthConfig};

fn synth(dir: &Path, domain: Domain, seed: u64) -> std::path::PathBuf {
    let config = SynthConfig {
        classes: 3,
        per_class: 60,
        size: 24,
        seed,
        domain,
        format: if domain == Domain::RealLike {
            ImageFormat::Jpeg { quality: 85 }
        } else {
            ImageFormat::Png
        },
        ..SynthConfig::default()
    };
    generate(&config, dir).unwrap();
    dir.join("manifest.csv")
}

fn side(path: &Path) -> Side {
    Side {
        images: Some(sample_images(path, &SampleOptions::default(), &Silent).unwrap()),
        predictions: None,
        embeddings: None,
    }
}

#[test]
fn real_like_images_drift_from_clean_ones_in_plain_words() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = side(&synth(&tmp.path().join("clean"), Domain::Clean, 1));
    let real = side(&synth(&tmp.path().join("real"), Domain::RealLike, 1));
    let d = analyze(&clean, &real, &ShiftOptions::default(), &Silent)
        .unwrap()
        .doc;
    let p = d.properties.as_ref().unwrap();
    assert_eq!(p.tests.len(), 7);
    assert!(d.verdict.covariate_shift);
    assert_eq!(d.verdict.detected_by, ["properties"]);
    // Optical blur: the real-like images are blurrier (Laplacian variance
    // down); texture: more grey levels (entropy up).
    let smd = |name: &str| {
        p.tests
            .iter()
            .find(|t| t.property == name)
            .and_then(|t| t.shifted.then_some(t.smd).flatten())
    };
    assert!(smd("sharpness").is_some_and(|d| d < -0.5), "{:?}", p.tests);
    assert!(smd("entropy").is_some_and(|d| d > 0.5), "{:?}", p.tests);
    let summary = p.summary.as_deref().unwrap();
    assert!(summary.contains("blurrier"), "{summary}");
    assert!(summary.starts_with("deployment images are"), "{summary}");
    assert!(d.verdict.summary.contains(summary), "{}", d.verdict.summary);
    for t in &p.tests {
        assert_eq!(t.histogram.source.iter().sum::<u64>(), 180);
        assert_eq!(t.histogram.target.iter().sum::<u64>(), 180);
    }
    assert_eq!(d.source.kind, "dataset");
    assert_eq!((d.source.n, d.source.used), (180, 180));
}

#[test]
fn the_same_domain_does_not_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let a = side(&synth(&tmp.path().join("a"), Domain::Clean, 1));
    let b = side(&synth(&tmp.path().join("b"), Domain::Clean, 2));
    let d = analyze(&a, &b, &ShiftOptions::default(), &Silent)
        .unwrap()
        .doc;
    let p = d.properties.as_ref().unwrap();
    assert!(p.drifted.is_empty(), "{:?}", p.tests);
    assert!(!d.verdict.covariate_shift, "{}", d.verdict.summary);
}

#[test]
fn sizes_that_differ_must_be_resized() {
    let tmp = tempfile::tempdir().unwrap();
    let small = side(&synth(&tmp.path().join("a"), Domain::Clean, 1));
    let config = SynthConfig {
        classes: 3,
        per_class: 30,
        size: 32,
        ..SynthConfig::default()
    };
    generate(&config, &tmp.path().join("b")).unwrap();
    let big_path = tmp.path().join("b/manifest.csv");
    let big = side(&big_path);
    let err = analyze(&small, &big, &ShiftOptions::default(), &Silent).unwrap_err();
    assert!(matches!(err, ShiftError::Setting(_)));
    assert!(err.to_string().contains("--resize 24x24"), "{err}");
    // Resized to one size, they compare.
    let resized = SampleOptions {
        resize: Some((24, 24)),
        ..SampleOptions::default()
    };
    let big = Side {
        images: Some(sample_images(&big_path, &resized, &Silent).unwrap()),
        predictions: None,
        embeddings: None,
    };
    assert!(analyze(&small, &big, &ShiftOptions::default(), &Silent).is_ok());
    // A missing dataset names itself.
    let err =
        sample_images(&tmp.path().join("nope"), &SampleOptions::default(), &Silent).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}
