//! Calibration error: top-label ECE and MCE with equal-width bins, adaptive
//! (equal-mass) ECE, class-wise ECE, and the bins of a reliability diagram.
//!
//! Definitions (Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern
//! Neural Networks", ICML 2017; Naeini, Cooper & Hauskrecht, AAAI 2015):
//! with confidence confᵢ = maxₖ p̂ᵢₖ and M bins Bₘ,
//!
//! ```text
//! ECE = Σₘ (|Bₘ|/n)·|acc(Bₘ) − conf(Bₘ)|      MCE = maxₘ |acc(Bₘ) − conf(Bₘ)|
//! ```
//!
//! Equal-width bins are ((m−1)/M, m/M] as in Guo's reference code, the
//! boundaries computed as numpy's `linspace(0, 1, M+1)`; a value of exactly
//! 0 (possible only for class-wise ECE) falls in the first bin. Empty bins
//! are skipped. Default M = 15 ([`DEFAULT_BINS`]).
//!
//! Adaptive ECE (Nixon et al., "Measuring Calibration in Deep Learning",
//! CVPR Workshops 2019) sorts the confidences (stable) and splits them into M
//! bins of as equal size as possible (numpy's `array_split`: the first n mod M
//! bins get one more). Class-wise ECE (Kull et al., NeurIPS 2019) is the mean
//! over classes k of the equal-width ECE of p̂ᵢₖ against 1[yᵢ = k].

use rayon::prelude::*;
use serde::Serialize;

use crate::error::StatsError;
use crate::proba::{check_labels, ProbMatrix};

/// Guo et al.'s number of bins.
pub const DEFAULT_BINS: usize = 15;

pub use triage_docs::evaluation::ReliabilityBin;

/// Calibration summary of a set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Top-label ECE, equal-width bins.
    pub ece: f64,
    /// Top-label MCE, equal-width bins.
    pub mce: f64,
    /// Top-label ECE, equal-mass bins.
    pub adaptive_ece: f64,
    /// Mean over classes of the per-class ECE.
    pub classwise_ece: f64,
    /// The equal-width top-label bins.
    pub bins: Vec<ReliabilityBin>,
}

/// Upper edges of M equal-width bins, exactly as `np.linspace(0, 1, M+1)[1:]`.
fn upper_edges(n_bins: usize) -> Vec<f64> {
    let step = 1.0 / n_bins as f64;
    (1..=n_bins)
        .map(|m| if m == n_bins { 1.0 } else { m as f64 * step })
        .collect()
}

/// Equal-width bin index of a value in [0, 1] (value in (b_m, b_{m+1}] → m;
/// numpy's `searchsorted(edges[1:-1], v, side='left')`).
pub fn bin_index(value: f64, n_bins: usize) -> usize {
    let edges = upper_edges(n_bins);
    edges[..n_bins - 1].partition_point(|&b| b < value)
}

/// Equal-width bin index of every value.
pub fn bin_indices(values: &[f64], n_bins: usize) -> Vec<u16> {
    let edges = upper_edges(n_bins);
    let interior = &edges[..n_bins - 1];
    values
        .iter()
        .map(|&v| interior.partition_point(|&b| b < v) as u16)
        .collect()
}

/// Reliability bins from precomputed bin indices (`hit` = correct / positive).
pub fn reliability_bins(
    bins: &[u16],
    values: &[f64],
    hit: &[bool],
    n_bins: usize,
    weights: Option<&[u32]>,
) -> Vec<ReliabilityBin> {
    let mut count = vec![0.0; n_bins];
    let mut conf = vec![0.0; n_bins];
    let mut acc = vec![0.0; n_bins];
    for i in 0..values.len() {
        let w = weights.map_or(1.0, |w| w[i] as f64);
        let b = bins[i] as usize;
        count[b] += w;
        conf[b] += w * values[i];
        if hit[i] {
            acc[b] += w;
        }
    }
    let edges = upper_edges(n_bins);
    (0..n_bins)
        .map(|b| ReliabilityBin {
            lower: if b == 0 { 0.0 } else { edges[b - 1] },
            upper: edges[b],
            count: count[b],
            confidence: (count[b] > 0.0).then(|| conf[b] / count[b]),
            accuracy: (count[b] > 0.0).then(|| acc[b] / count[b]),
        })
        .collect()
}

/// ECE and MCE of reliability bins (empty bins skipped).
pub fn ece_mce(bins: &[ReliabilityBin]) -> (f64, f64) {
    let total: f64 = bins.iter().map(|b| b.count).sum();
    let (mut ece, mut mce) = (0.0, 0.0f64);
    for b in bins {
        if let (Some(c), Some(a)) = (b.confidence, b.accuracy) {
            let gap = (a - c).abs();
            ece += b.count / total * gap;
            mce = mce.max(gap);
        }
    }
    (ece, mce)
}

/// Top-label confidence and correctness of every sample.
pub fn top_label(y_true: &[usize], proba: &ProbMatrix) -> (Vec<f64>, Vec<bool>) {
    y_true
        .iter()
        .zip(proba.rows())
        .map(|(&y, row)| {
            let pred = crate::proba::argmax(row);
            (row[pred], pred == y)
        })
        .unzip()
}

/// Top-label ECE with `n_bins` equal-width bins.
///
/// # Errors
/// Label errors or `n_bins` = 0.
pub fn expected_calibration_error(
    y_true: &[usize],
    proba: &ProbMatrix,
    n_bins: usize,
) -> Result<f64, StatsError> {
    check_labels(y_true, proba)?;
    check_bins(n_bins)?;
    // One fused, parallel pass: argmax, bin and per-bin sums of each row.
    let edges = upper_edges(n_bins);
    let k = proba.k();
    let sums = proba
        .as_slice()
        .par_chunks(k * 4096)
        .zip(y_true.par_chunks(4096))
        .fold(
            || vec![(0.0f64, 0.0f64, 0.0f64); n_bins],
            |mut acc, (rows, labels)| {
                for (row, &y) in rows.chunks_exact(k).zip(labels) {
                    // Branch-free maximum, then its first position (numpy's
                    // argmax convention).
                    let conf = row
                        .iter()
                        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
                    let mut first_max = 0;
                    for (j, &v) in row.iter().enumerate().rev() {
                        first_max = if v == conf { j } else { first_max };
                    }
                    let b = fast_bin_index(conf, &edges);
                    acc[b].0 += 1.0;
                    acc[b].1 += conf;
                    acc[b].2 += f64::from(u8::from(first_max == y));
                }
                acc
            },
        )
        .reduce(
            || vec![(0.0, 0.0, 0.0); n_bins],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| {
                    x.0 += y.0;
                    x.1 += y.1;
                    x.2 += y.2;
                });
                a
            },
        );
    let n = y_true.len() as f64;
    Ok(sums
        .iter()
        .filter(|s| s.0 > 0.0)
        .map(|&(count, conf, acc)| count / n * (acc / count - conf / count).abs())
        .sum())
}

/// [`bin_index`] in O(1): a first guess from ⌊v·M⌋, corrected against
/// the exact edges so that (b_m, b_{m+1}] membership is preserved.
fn fast_bin_index(value: f64, edges: &[f64]) -> usize {
    let last = edges.len() - 1;
    // Truncation, not `ceil` (a libm call on baseline x86-64): the guess is
    // off by at most one and the loops below correct it.
    let mut m = ((value * edges.len() as f64) as usize).min(last);
    while m > 0 && value <= edges[m - 1] {
        m -= 1;
    }
    while m < last && value > edges[m] {
        m += 1;
    }
    m
}

fn check_bins(n_bins: usize) -> Result<(), StatsError> {
    if n_bins == 0 || n_bins > u16::MAX as usize {
        return Err(StatsError::InvalidParameter {
            name: "n_bins",
            reason: format!("must be between 1 and 65535, got {n_bins}"),
        });
    }
    Ok(())
}

/// Adaptive (equal-mass) top-label ECE.
pub fn adaptive_ece(confidence: &[f64], correct: &[bool], n_bins: usize) -> f64 {
    let n = confidence.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| confidence[a].total_cmp(&confidence[b]));
    let (base, extra) = (n / n_bins, n % n_bins);
    let mut start = 0;
    let mut ece = 0.0;
    for b in 0..n_bins {
        let size = base + usize::from(b < extra);
        if size == 0 {
            continue;
        }
        let members = &order[start..start + size];
        start += size;
        let conf: f64 = members.iter().map(|&i| confidence[i]).sum::<f64>() / size as f64;
        let acc = members.iter().filter(|&&i| correct[i]).count() as f64 / size as f64;
        ece += size as f64 / n as f64 * (acc - conf).abs();
    }
    ece
}

/// Class-wise ECE: mean over classes of the equal-width ECE of column k.
pub fn classwise_ece(y_true: &[usize], proba: &ProbMatrix, n_bins: usize) -> f64 {
    let k = proba.k();
    let per_class: Vec<f64> = (0..k)
        .map(|c| {
            let values = proba.column(c);
            let hit: Vec<bool> = y_true.iter().map(|&y| y == c).collect();
            let bins = bin_indices(&values, n_bins);
            ece_mce(&reliability_bins(&bins, &values, &hit, n_bins, None)).0
        })
        .collect();
    per_class.iter().sum::<f64>() / k as f64
}

/// All calibration errors and the top-label reliability bins.
///
/// # Errors
/// Label errors or `n_bins` = 0 or above 65,535.
pub fn calibration_report(
    y_true: &[usize],
    proba: &ProbMatrix,
    n_bins: usize,
) -> Result<CalibrationReport, StatsError> {
    check_labels(y_true, proba)?;
    check_bins(n_bins)?;
    let (conf, correct) = top_label(y_true, proba);
    let idx = bin_indices(&conf, n_bins);
    let bins = reliability_bins(&idx, &conf, &correct, n_bins, None);
    let (ece, mce) = ece_mce(&bins);
    Ok(CalibrationReport {
        ece,
        mce,
        adaptive_ece: adaptive_ece(&conf, &correct, n_bins),
        classwise_ece: classwise_ece(y_true, proba, n_bins),
        bins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_edges_are_left_open() {
        assert_eq!(bin_index(0.0, 10), 0);
        assert_eq!(bin_index(0.1, 10), 0);
        assert_eq!(bin_index(0.1000001, 10), 1);
        assert_eq!(bin_index(1.0, 10), 9);
        assert_eq!(bin_index(1.0 / 15.0, 15), 0);
    }

    #[test]
    fn fast_bin_index_matches_binary_search() {
        for n_bins in [1, 2, 10, 15, 100] {
            let edges = upper_edges(n_bins);
            for i in 0..=10_000 {
                let v = i as f64 / 10_000.0;
                assert_eq!(
                    fast_bin_index(v, &edges),
                    bin_index(v, n_bins),
                    "{v} {n_bins}"
                );
            }
            for m in 0..n_bins {
                let e = edges[m];
                for v in [
                    e,
                    f64::from_bits(e.to_bits() + 1),
                    f64::from_bits(e.to_bits().max(1) - 1),
                ] {
                    if (0.0..=1.0).contains(&v) {
                        assert_eq!(fast_bin_index(v, &edges), bin_index(v, n_bins));
                    }
                }
            }
        }
    }

    #[test]
    fn fused_ece_equals_report_ece() {
        let k = 4;
        let mut data = vec![];
        let mut y = vec![];
        for i in 0..20_000usize {
            let mut row: Vec<f64> = (0..k)
                .map(|j| ((i * 31 + j * 17) % 97) as f64 + 1.0)
                .collect();
            let s: f64 = row.iter().sum();
            row.iter_mut().for_each(|v| *v /= s);
            data.extend(row);
            y.push((i * 7) % k);
        }
        let p = ProbMatrix::new(data, k, 1e-9).unwrap();
        let fused = expected_calibration_error(&y, &p, 15).unwrap();
        let report = calibration_report(&y, &p, 15).unwrap().ece;
        assert!(
            (fused - report).abs() <= 1e-12 * report.max(1e-300),
            "{fused} {report}"
        );
    }

    #[test]
    fn perfectly_calibrated_bin_has_zero_gap() {
        // Four samples at confidence 0.75, three correct.
        let p = ProbMatrix::new([0.75, 0.25].repeat(4), 2, 1e-9).unwrap();
        let r = calibration_report(&[0, 0, 0, 1], &p, 15).unwrap();
        assert!(r.ece.abs() < 1e-15 && r.mce.abs() < 1e-15);
        assert_eq!(r.bins.iter().map(|b| b.count).sum::<f64>(), 4.0);
    }

    #[test]
    fn overconfidence_is_measured() {
        let p = ProbMatrix::new([0.9, 0.1].repeat(2), 2, 1e-9).unwrap();
        let r = calibration_report(&[0, 1], &p, 15).unwrap();
        assert!((r.ece - 0.4).abs() < 1e-12);
        assert!((r.mce - 0.4).abs() < 1e-12);
    }
}
