//! Inference with the eval-mode model: logits, probabilities, penultimate
//! embeddings and the validation metrics computed from them.

use burn::module::Module;
use triage_stats::calibration::{expected_calibration_error, DEFAULT_BINS};
use triage_stats::ProbMatrix;

use crate::error::NnError;
use crate::images::{image_tensor, to_host, ImageSet};
use crate::model::Model;

/// Outputs of the model on a set, row-aligned with its images.
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    /// Number of classes K.
    pub num_classes: usize,
    /// Logits, `N·K`, image-major.
    pub logits: Vec<f32>,
    /// Penultimate features, `N·D` (empty unless asked for).
    pub embeddings: Vec<f32>,
    /// Embedding dimension D (0 unless asked for).
    pub embedding_dim: usize,
}

impl Outputs {
    /// Softmax probabilities, `N·K` in f64 (stable: `exp(z − max z)`).
    pub fn probabilities(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.logits.len());
        for row in self.logits.chunks(self.num_classes.max(1)) {
            let m = row.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            let start = out.len();
            let mut sum = 0.0;
            for &z in row {
                let e = (f64::from(z) - f64::from(m)).exp();
                sum += e;
                out.push(e);
            }
            for p in &mut out[start..] {
                *p /= sum;
            }
        }
        out
    }
}

/// Run the eval-mode copy of `model` (BatchNorm with running statistics,
/// dropout off, no autodiff) over `set` in batches of `batch_size`.
///
/// The images must have the model's input shape (burn panics on a
/// mismatch; callers compare shapes first, see [`NnError::ShapeMismatch`]).
///
/// # Errors
///
/// [`NnError::TensorRead`] when a result cannot be read back.
pub fn run(
    model: &Model,
    set: &ImageSet,
    batch_size: usize,
    embeddings: bool,
) -> Result<Outputs, NnError> {
    let eval = model.valid();
    let device = eval.devices().into_iter().next().unwrap_or_default();
    let d = set.shape.len();
    let n = set.len();
    let mut logits = Vec::new();
    let mut emb = Vec::new();
    let (mut k, mut dim) = (0, 0);
    let mut start = 0;
    while start < n {
        let end = (start + batch_size.max(1)).min(n);
        let x = image_tensor(
            set.pixels[start * d..end * d].to_vec(),
            end - start,
            set.shape,
            &device,
        );
        let features = eval.embed(x);
        let z = eval.head(features.clone());
        k = z.dims()[1];
        logits.extend(to_host(z)?);
        if embeddings {
            dim = features.dims()[1];
            emb.extend(to_host(features)?);
        }
        start = end;
    }
    Ok(Outputs {
        num_classes: k,
        logits,
        embeddings: emb,
        embedding_dim: dim,
    })
}

/// Loss, accuracy and calibration of a model on a labelled set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetMetrics {
    /// Mean cross-entropy in nats, `mean(logsumexp(z) − z_y)` (no label
    /// smoothing).
    pub loss: f64,
    /// Top-1 accuracy.
    pub accuracy: f64,
    /// Top-label expected calibration error, 15 equal-width bins (Guo et
    /// al. 2017; `triage_stats::calibration`).
    pub ece: f64,
}

/// Compute [`SetMetrics`] from logits and labels.
///
/// # Errors
///
/// [`NnError::Empty`] for no samples, [`NnError::LabelOutOfRange`] for a
/// label ≥ K.
pub fn metrics(outputs: &Outputs, labels: &[usize]) -> Result<SetMetrics, NnError> {
    let k = outputs.num_classes;
    if labels.is_empty() || k == 0 {
        return Err(NnError::Empty);
    }
    if let Some(i) = outputs.logits.iter().position(|z| !z.is_finite()) {
        return Err(NnError::NonFiniteLogits {
            row: i / k,
            col: i % k,
            value: outputs.logits[i],
        });
    }
    let mut loss = 0.0;
    for (row, &y) in outputs.logits.chunks(k).zip(labels) {
        if y >= k {
            return Err(NnError::LabelOutOfRange {
                label: y as i64,
                num_classes: k,
            });
        }
        let m = row
            .iter()
            .fold(f64::NEG_INFINITY, |a, &b| a.max(f64::from(b)));
        let lse = m + row
            .iter()
            .map(|&z| (f64::from(z) - m).exp())
            .sum::<f64>()
            .ln();
        loss += lse - f64::from(row[y]);
    }
    let n = labels.len() as f64;
    let proba = ProbMatrix::new(outputs.probabilities(), k, 1e-6)
        .map_err(|e| NnError::TensorRead(format!("non-finite logits: {e}")))?;
    let correct = proba
        .argmax()
        .iter()
        .zip(labels)
        .filter(|(p, y)| p == y)
        .count();
    let ece = expected_calibration_error(labels, &proba, DEFAULT_BINS)
        .map_err(|e| NnError::TensorRead(e.to_string()))?;
    Ok(SetMetrics {
        loss: loss / n,
        accuracy: correct as f64 / n,
        ece,
    })
}

/// Evaluate `model` on `set`: [`run`] then [`metrics`].
///
/// # Errors
///
/// As [`run`] and [`metrics`].
pub fn evaluate(model: &Model, set: &ImageSet, batch_size: usize) -> Result<SetMetrics, NnError> {
    let out = run(model, set, batch_size, false)?;
    metrics(&out, &set.labels)
}
