//! Writing a dataset: images in ImageFolder layout, `manifest.csv` and
//! `synth.json`.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use super::codec;
use triage_docs::synth::{
    ClassCounts, ClassSplitCounts, LabelNoise, SynthConfig, SynthDoc, SYNTH_FORMAT, SYNTH_VERSION,
};

use super::config::class_names;
use super::error::SynthError;
use super::plan::{Plan, Sample};
use super::render::try_render;
use super::summary::SynthSummary;

/// Version of the generator's output: bumped whenever the same config
/// would give different files (drawing, random streams, layout).
pub const GENERATOR_VERSION: u32 = 1;

/// The label-noise model, as stated in `synth.json`.
const NOISE_MODEL: &str = "with probability rho the written label is replaced by a uniform draw over all K \
     classes (possibly the clean class again), independently of the image; the written label differs \
     from the clean one with probability rho*(K-1)/K";

/// The Bayes error statement, as written in `synth.json`.
const BAYES_STATEMENT: &str =
    "the clean classes are separable by shape, so the Bayes classifier predicts \
     the clean class and its error against the written labels is rho*(K-1)/K (exact for the clean \
     domain, a lower bound for real-like images)";

/// Generate the dataset of `config` into `out`.
///
/// Layout, with `<label>` the written (possibly noisy) class name and
/// `<id>` a file number of at least 5 digits:
///
/// ```text
/// OUT/<label>/<label>_<id>.png                 without val/test fractions
/// OUT/{train,val,test}/<label>/<label>_<id>.png  otherwise (empty splits are left out)
/// OUT/manifest.csv   path,label,split,clean_label (paths relative to OUT, sorted;
///                    split empty without held-out splits)
/// OUT/synth.json     config, classes, counts, flips, label-noise model, Bayes error
/// ```
///
/// which `torchvision.datasets.ImageFolder` and Keras
/// `image_dataset_from_directory` read as is. Only class folders that hold
/// images are created. Images are rendered in parallel with rayon (see
/// [`crate::render`]); the files are byte-identical for the same
/// config whatever the number of threads.
///
/// # Errors
///
/// [`SynthError::InvalidConfig`] from [`SynthConfig::validate`];
/// [`SynthError::OutputNotEmpty`] or [`SynthError::OutputNotDirectory`]
/// if `out` exists and is not an empty directory (nothing is written
/// then); [`SynthError::Io`], [`SynthError::Encode`] or
/// [`SynthError::Json`] if a file cannot be written.
///
/// # Example
///
/// ```
/// use triage_synth::{generate, SynthConfig};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let out = dir.path().join("shapes");
/// let config = SynthConfig { classes: 3, per_class: 4, label_noise: 0.2, ..Default::default() };
/// let summary = generate(&config, &out)?;
/// assert_eq!(summary.files, 12);
/// assert_eq!(summary.classes, ["circle", "square", "triangle"]);
/// assert!(out.join("manifest.csv").is_file() && out.join("synth.json").is_file());
/// # Ok(()) }
/// ```
pub fn generate(config: &SynthConfig, out: &Path) -> Result<SynthSummary, SynthError> {
    config.validate()?;
    prepare_output(out)?;
    let plan = Plan::new(config);
    let folders: BTreeSet<&str> = plan
        .samples
        .iter()
        .filter_map(|s| s.path.rsplit_once('/').map(|(folder, _)| folder))
        .collect();
    for folder in folders {
        let path = out.join(folder);
        fs::create_dir_all(&path).map_err(|error| SynthError::io(path, error))?;
    }
    plan.samples
        .par_iter()
        .try_for_each(|sample| write_image(config, out, sample))?;
    let summary = SynthSummary {
        classes: class_names(config)
            .iter()
            .map(|name| name.to_string())
            .collect(),
        counts: plan.counts.clone(),
        clean_counts: plan.clean_counts.clone(),
        flipped: plan.flipped,
        bayes_error: config.bayes_error(),
        files: plan.samples.len(),
    };
    write_manifest(config, out, &plan)?;
    write_document(config, out, &summary)?;
    Ok(summary)
}

/// Check that `out` is absent or an empty directory (but for triage's
/// output marker), and create it.
fn prepare_output(out: &Path) -> Result<(), SynthError> {
    match fs::metadata(out) {
        Ok(meta) if !meta.is_dir() => Err(SynthError::OutputNotDirectory {
            path: out.to_path_buf(),
        }),
        Ok(_) => {
            let mut entries = fs::read_dir(out)
                .map_err(|error| SynthError::io(out, error))?
                .filter(|e| {
                    e.as_ref().map_or(true, |e| {
                        e.file_name() != triage_docs::output_marker::OUTPUT_MARKER_FILE
                    })
                });
            match entries.next() {
                None => Ok(()),
                Some(_) => Err(SynthError::OutputNotEmpty {
                    path: out.to_path_buf(),
                }),
            }
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(out).map_err(|error| SynthError::io(out, error))
        }
        Err(error) => Err(SynthError::io(out, error)),
    }
}

/// Render, encode and write one sample.
fn write_image(config: &SynthConfig, out: &Path, sample: &Sample) -> Result<(), SynthError> {
    let image = try_render(config, sample.class, sample.index)?;
    let path = out.join(&sample.path);
    let bytes = codec::encode_rgb(&image.pixels, image.width, image.height, config.format)
        .map_err(|error| SynthError::Encode {
            path: path.clone(),
            error,
        })?;
    fs::write(&path, bytes).map_err(|error| SynthError::io(path, error))
}

/// Write `manifest.csv`: `path,label,split,clean_label`, sorted by path.
/// Class names and paths contain no commas or quotes, so no field needs
/// quoting.
fn write_manifest(config: &SynthConfig, out: &Path, plan: &Plan) -> Result<(), SynthError> {
    let names = class_names(config);
    let mut rows: Vec<&Sample> = plan.samples.iter().collect();
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    let mut text = String::from("path,label,split,clean_label\n");
    for s in rows {
        let split = s.split.map_or("", |split| split.name());
        text.push_str(&format!(
            "{},{},{split},{}\n",
            s.path, names[s.label], names[s.class]
        ));
    }
    let path = out.join("manifest.csv");
    fs::write(&path, text).map_err(|error| SynthError::io(path, error))
}

fn class_rows(classes: &[String], counts: &[ClassSplitCounts]) -> Vec<ClassCounts> {
    classes
        .iter()
        .zip(counts)
        .map(|(class, &counts)| ClassCounts {
            class: class.clone(),
            counts,
            total: counts.total(),
        })
        .collect()
}

/// The `synth.json` document of a generated set.
pub fn synth_doc(config: &SynthConfig, summary: &SynthSummary) -> SynthDoc {
    SynthDoc {
        format: SYNTH_FORMAT.into(),
        version: SYNTH_VERSION,
        generator: "triage synth".into(),
        generator_version: GENERATOR_VERSION,
        triage_version: env!("CARGO_PKG_VERSION").into(),
        config: config.clone(),
        layout: if config.has_splits() {
            "split/class/file"
        } else {
            "class/file"
        }
        .into(),
        classes: summary.classes.clone(),
        files: summary.files,
        counts: class_rows(&summary.classes, &summary.counts),
        clean_counts: class_rows(&summary.classes, &summary.clean_counts),
        flipped: summary.flipped,
        bayes_error: summary.bayes_error,
        label_noise: LabelNoise {
            rho: config.label_noise,
            model: NOISE_MODEL.into(),
            expected_flip_rate: config.bayes_error(),
            flipped: summary.flipped,
            bayes_error: summary.bayes_error,
            bayes_error_formula: "rho*(K-1)/K".into(),
            statement: BAYES_STATEMENT.into(),
        },
    }
}

/// Write `synth.json` (pretty-printed, trailing newline).
fn write_document(
    config: &SynthConfig,
    out: &Path,
    summary: &SynthSummary,
) -> Result<(), SynthError> {
    let document = synth_doc(config, summary);
    let path = out.join("synth.json");
    let mut text = serde_json::to_string_pretty(&document).map_err(|error| SynthError::Json {
        path: path.clone(),
        error,
    })?;
    text.push('\n');
    fs::write(&path, text).map_err(|error| SynthError::io(path, error))
}
