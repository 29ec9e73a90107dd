//! Seed inputs: the test fixtures of the other crates, and small files
//! that triage itself writes (a synthetic dataset's images and manifest,
//! an IDX pair, a CIFAR batch, documents upgraded to the current version).

use std::path::{Path, PathBuf};

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bytes of a fixture (panics when it is missing: seeds must exist).
pub(crate) fn fixture(relative: &str) -> Vec<u8> {
    let path = repo().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("seed {}: {e}", path.display()))
}

/// The predictions CSVs of the tests, in the shapes users write.
pub(crate) fn predictions_csv() -> Vec<Vec<u8>> {
    [
        "id,label,p_cat,p_dog,p_bird\na,cat,0.8,0.1,0.1\nb,dog,0.1,0.8,0.1\nc,bird,0.2,0.2,0.6\nd,cat,0.5,0.4,0.1\n",
        "id,label,path,p_0,p_1\nx1,0,img/a.png,0.9,0.1\nx2,1,img/b.png,0.3,0.7\n",
        "id,label,logit_a,logit_b\n1,a,2.5,-1\n2,b,-3,4\n",
        "\u{feff}id,label,p_a,p_b\r\n\"q,1\",a,1,0\r\n\"q2\",b,0,1\r\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    // Shapes of endless input, cut to a fuzzable size: a long line without
    // a newline, a stream of NUL bytes, the same row repeated.
    .chain([
        [&b"id,label,p_a,p_b\n"[..], &[b'x'; 4096][..]].concat(),
        vec![0u8; 4096],
        b"id,label,p_a,p_b\n".iter().copied().chain(b"a,a,0.5,0.5\n".repeat(300)).collect(),
    ])
    .collect()
}

/// A small synthetic dataset written by triage: PNG and JPEG images and
/// its manifest.
pub(crate) struct SynthFiles {
    /// Image files' bytes.
    pub(crate) images: Vec<Vec<u8>>,
    /// `manifest.csv`'s bytes, and its folder (images stay there).
    pub(crate) manifest: Vec<u8>,
}

pub(crate) fn synth_files() -> SynthFiles {
    use triage_synth::{generate, ImageFormat, SynthConfig};
    let dir = tempfile::tempdir().expect("scratch directory");
    let mut images = Vec::new();
    let mut manifest = Vec::new();
    let jpeg = ImageFormat::Jpeg { quality: 90 };
    for (format, name) in [(ImageFormat::Png, "png"), (jpeg, "jpg")] {
        let out = dir.path().join(name);
        let config = SynthConfig {
            classes: 2,
            per_class: 2,
            size: 8,
            format,
            ..SynthConfig::default()
        };
        generate(&config, &out).expect("synth for seeds");
        let mut paths = Vec::new();
        collect_files(&out, &mut paths);
        paths.sort();
        for p in paths {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext == name {
                images.push(std::fs::read(&p).expect("seed image"));
            }
        }
        if format == ImageFormat::Png {
            manifest = std::fs::read(out.join("manifest.csv")).expect("seed manifest");
        }
    }
    SynthFiles { images, manifest }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// An IDX images file of `n` images of `rows × cols`.
pub(crate) fn idx_images(n: u32, rows: u32, cols: u32) -> Vec<u8> {
    let mut out = vec![0, 0, 8, 3];
    for d in [n, rows, cols] {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend((0..n * rows * cols).map(|i| (i * 37 % 256) as u8));
    out
}

/// An IDX labels file.
pub(crate) fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 8, 1];
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}

/// A CIFAR-10 batch of `n` records.
pub(crate) fn cifar_batch(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 3073);
    for r in 0..n {
        out.push((r % 10) as u8);
        out.extend((0..3072).map(|i| ((i + r * 7) % 256) as u8));
    }
    out
}

/// A legacy fixture document and the same document upgraded to the
/// current version, as JSON bytes.
pub(crate) fn document<D: triage_docs::Document>(relative: &str) -> Vec<Vec<u8>> {
    let legacy = fixture(relative);
    let mut seeds = vec![legacy.clone()];
    let text = String::from_utf8(legacy).expect("fixture is UTF-8");
    let doc: D = triage_docs::read_str(&text).expect("fixture reads");
    seeds.push(serde_json::to_vec_pretty(&doc).expect("document serialises"));
    seeds
}
