//! The learning-rate range test: train with an exponentially increasing
//! learning rate and watch the loss.
//!
//! Step `i` of `steps` uses `lr_i = start·(end/start)^(i/(steps−1))`
//! (default 1e-7 → 10, 100 steps). The loss is smoothed with a
//! bias-corrected exponential moving average (β = 0.98):
//! `m_i = β·m_{i−1} + (1−β)·loss_i`, `s_i = m_i/(1 − β^{i+1})`. The test
//! stops when `s_i > 4·min_{j≤i} s_j` (divergence) or at `end`.
//!
//! Two suggestions, as in fastai: **steepest** — the rate where the
//! smoothed loss falls fastest, `argmin_i (s_{i+1} − s_{i−1})/(log lr_{i+1}
//! − log lr_{i−1})`; **valley** — the longest strictly descending run of
//! the loss (longest decreasing subsequence), taking the point 2/3 of the
//! way down it (fastai's default since 2.5, more robust than steepest).
//! Both skip the first tenth and the last 5 points of the curve, as fastai.
//!
//! # References
//!
//! L. N. Smith, *Cyclical Learning Rates for Training Neural Networks*,
//! WACV 2017; fastai `LRFinder` and `valley` (fastai 2.5, `callback/schedule.py`).

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::error::NnError;
use crate::images::{image_tensor, label_tensor, scalar, ImageSet};
use crate::model::Model;
use crate::optimizer::{BuildOptimizer, OptimizerSpec};

/// Settings of the range test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LrFindConfig {
    /// First learning rate (default 1e-7).
    pub start: f64,
    /// Last learning rate (default 10).
    pub end: f64,
    /// Number of steps (default 100).
    pub steps: usize,
    /// Minibatch size.
    pub batch_size: usize,
    /// Smoothing factor β of the loss average (default 0.98).
    pub beta: f64,
    /// Stop when the smoothed loss exceeds this multiple of its minimum
    /// (default 4).
    pub diverge_factor: f64,
    /// Seed of the batch order.
    pub seed: u64,
}

impl Default for LrFindConfig {
    fn default() -> Self {
        Self {
            start: 1e-7,
            end: 10.0,
            steps: 100,
            batch_size: 128,
            beta: 0.98,
            diverge_factor: 4.0,
            seed: 0,
        }
    }
}

pub use triage_docs::lr_find::{LrFindResult, LrPoint};

/// Run the range test on a copy of `model` (the caller's model is
/// untouched).
///
/// # Errors
///
/// [`NnError::InvalidConfig`] for a bad range, [`NnError::Empty`] for no
/// images, [`NnError::LabelOutOfRange`] for a label ≥ `num_classes`.
pub fn lr_find(
    model: &Model,
    set: &ImageSet,
    num_classes: usize,
    optimizer: &OptimizerSpec,
    config: &LrFindConfig,
    device: &Device,
) -> Result<LrFindResult, NnError> {
    if !(config.start > 0.0 && config.end > config.start && config.steps >= 2) {
        return Err(NnError::invalid(
            "lr-find range",
            format!(
                "needs 0 < start < end and steps >= 2, got {} → {} in {} steps",
                config.start, config.end, config.steps
            ),
        ));
    }
    if set.is_empty() {
        return Err(NnError::Empty);
    }
    set.check_labels(num_classes)?;
    let mut model = model.clone();
    let mut optim = optimizer.build()?;
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let d = set.shape.len();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let mut order: Vec<usize> = Vec::new();
    let (mut avg, mut best) = (0.0, f64::INFINITY);
    let mut points = Vec::with_capacity(config.steps);
    let mut diverged = false;
    let ratio = config.end / config.start;
    for i in 0..config.steps {
        if order.len() < config.batch_size.min(set.len()) {
            let mut fresh: Vec<usize> = (0..set.len()).collect();
            fresh.shuffle(&mut rng);
            order.extend(fresh);
        }
        let take = config.batch_size.min(set.len());
        let batch: Vec<usize> = order.drain(..take).collect();
        let mut buf = Vec::with_capacity(take * d);
        for &j in &batch {
            buf.extend_from_slice(set.image(j));
        }
        let labels: Vec<usize> = batch.iter().map(|&j| set.labels[j]).collect();
        let lr = config.start * ratio.powf(i as f64 / (config.steps - 1) as f64);
        let logits = model.forward(image_tensor(buf, take, set.shape, device));
        let loss = loss_fn.forward(logits, label_tensor(&labels, device));
        let value = scalar(loss.clone())?;
        avg = config.beta * avg + (1.0 - config.beta) * value;
        let smoothed = avg / (1.0 - config.beta.powi(i as i32 + 1));
        points.push(LrPoint {
            lr,
            loss: value,
            smoothed,
        });
        if !smoothed.is_finite() || smoothed > config.diverge_factor * best {
            diverged = true;
            break;
        }
        best = best.min(smoothed);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(lr, model, grads);
    }
    let finite: Vec<LrPoint> = points
        .iter()
        .copied()
        .filter(|p| p.smoothed.is_finite())
        .collect();
    Ok(LrFindResult {
        steepest: steepest(trimmed(&finite)),
        valley: valley(trimmed(&finite)),
        points,
        diverged,
    })
}

/// The rate of the most negative central difference of the smoothed loss
/// against log lr.
pub fn steepest(points: &[LrPoint]) -> Option<f64> {
    (1..points.len().saturating_sub(1))
        .map(|i| {
            let slope = (points[i + 1].smoothed - points[i - 1].smoothed)
                / (points[i + 1].lr.ln() - points[i - 1].lr.ln());
            (i, slope)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| points[i].lr)
}

/// fastai's valley, exactly: with `lds[i]` the length of the longest
/// strictly decreasing subsequence ending at `i`, `end` the first index of
/// the longest one and `start = end − lds[end]`, return the rate at
/// `start + ⌊(end − start)/3⌋ + ⌊(end − start)/6⌋`.
pub fn valley(points: &[LrPoint]) -> Option<f64> {
    let n = points.len();
    if n == 0 {
        return None;
    }
    let losses: Vec<f64> = points.iter().map(|p| p.smoothed).collect();
    let mut lds = vec![1usize; n];
    let (mut max_start, mut max_end) = (0isize, 0usize);
    for i in 1..n {
        for j in 0..i {
            if losses[i] < losses[j] && lds[i] < lds[j] + 1 {
                lds[i] = lds[j] + 1;
            }
            if lds[max_end] < lds[i] {
                max_end = i;
                max_start = max_end as isize - lds[max_end] as isize;
            }
        }
    }
    let sections = (max_end as isize - max_start) as f64 / 3.0;
    let idx = max_start + sections as isize + (sections / 2.0) as isize;
    points
        .get(idx.clamp(0, n as isize - 1) as usize)
        .map(|p| p.lr)
}

/// The part of the curve the suggestions use, as fastai: without the first
/// tenth and the last 5 points (when that leaves at least 3).
pub fn trimmed(points: &[LrPoint]) -> &[LrPoint] {
    let (a, b) = (points.len() / 10, points.len().saturating_sub(5));
    if b >= a + 3 {
        &points[a..b]
    } else {
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(losses: &[f64]) -> Vec<LrPoint> {
        losses
            .iter()
            .enumerate()
            .map(|(i, &l)| LrPoint {
                lr: 10f64.powi(i as i32 - 5),
                loss: l,
                smoothed: l,
            })
            .collect()
    }

    #[test]
    fn steepest_finds_the_largest_drop() {
        let c = curve(&[2.0, 1.99, 1.9, 1.0, 0.9, 0.85, 3.0]);
        // Central differences: i=2: (1.0-1.99)=-0.99, i=3: (0.9-1.9)=-1.0.
        assert_eq!(steepest(&c), Some(c[3].lr));
    }

    #[test]
    fn valley_matches_fastai_on_hand_computed_curves() {
        // lds = 1..=6 over indices 0..=5: end 5, start 5 − 6 = −1,
        // sections 6/3 = 2 → idx −1 + 2 + 1 = 2 (fastai gives the same).
        let c = curve(&[2.0, 1.9, 1.5, 1.0, 0.9, 0.8, 3.0, 5.0]);
        assert_eq!(valley(&c), Some(c[2].lr));
        // Longest decreasing subsequence 3.0 2.9 2.8 2.5 2.0 1.5 1.0 0.5:
        // lds[8] = 8, end 8, start 0, sections 8/3 → idx 0 + 2 + 1 = 3.
        let c = curve(&[3.0, 2.9, 3.1, 2.8, 2.5, 2.0, 1.5, 1.0, 0.5]);
        assert_eq!(valley(&c), Some(c[3].lr));
    }

    #[test]
    fn trimming_drops_the_ends() {
        let c = curve(&[1.0; 30]);
        assert_eq!(trimmed(&c).len(), 30 - 3 - 5);
        assert_eq!(trimmed(&c[..6]).len(), 6);
    }
}
