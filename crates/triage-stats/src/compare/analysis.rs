//! Every pair of models on the same items, as the `triage-compare`
//! document: McNemar (exact and χ², [`crate::agreement::mcnemar`]), the
//! paired bootstrap of [`super::paired`], DeLong ([`super::delong`]; the
//! positive class of a binary problem, each class one-vs-rest otherwise,
//! Holm across classes), Connor's sample size, and a verdict. McNemar's
//! p-values are Holm-corrected across pairs; a pair is significant when
//! its corrected p-value is below α.

use triage_docs::compare::{
    CompareDoc, DeLongDoc, McNemarDoc, MetricDiffDoc, PairDoc, COMPARE_FORMAT, COMPARE_VERSION,
};

use super::delong::delong_paired;
use super::hypothesis::{holm, mcnemar_sample_size};
use super::paired::{paired_bootstrap, PairedOptions};
use crate::agreement::mcnemar;
use crate::error::StatsError;
use crate::proba::{argmax, ProbMatrix};

/// Power used for the sample size in verdicts.
pub const POWER: f64 = 0.8;

/// Settings of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    /// Significance level (default 0.05).
    pub alpha: f64,
    /// Bootstrap settings.
    pub bootstrap: PairedOptions,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            bootstrap: PairedOptions::default(),
        }
    }
}

/// Compare every pair of `models` (named `names`, rows aligned with
/// `labels`).
///
/// # Errors
/// Fewer than two models; what [`paired_bootstrap`] refuses.
pub fn compare_models(
    names: &[String],
    labels: &[usize],
    classes: &[String],
    models: &[ProbMatrix],
    opts: &CompareOptions,
) -> Result<CompareDoc, StatsError> {
    if models.len() < 2 || names.len() != models.len() {
        return Err(StatsError::TooFewSamples {
            what: "the models compared",
            got: models.len(),
            min: 2,
        });
    }
    let correct: Vec<Vec<bool>> = models
        .iter()
        .map(|p| p.rows().zip(labels).map(|(r, &y)| argmax(r) == y).collect())
        .collect();
    let mut pairs = Vec::new();
    for i in 0..models.len() {
        for j in i + 1..models.len() {
            pairs.push(pair(i, j, names, labels, classes, models, &correct, opts)?);
        }
    }
    let adjusted = holm(&pairs.iter().map(|p| p.mcnemar.p_value).collect::<Vec<_>>());
    for (p, adj) in pairs.iter_mut().zip(adjusted) {
        p.mcnemar.p_holm = adj;
        p.significant = adj < opts.alpha;
        p.verdict = verdict(p, labels.len(), opts.alpha);
    }
    let mut notes = Vec::new();
    if pairs.len() > 1 {
        notes.push(format!(
            "{} pairs compared: McNemar's p-values are Holm-corrected across them",
            pairs.len()
        ));
    }
    Ok(CompareDoc {
        format: COMPARE_FORMAT.to_owned(),
        version: COMPARE_VERSION,
        files: names.to_vec(),
        items: labels.len() as u64,
        classes: classes.to_vec(),
        alpha: opts.alpha,
        resamples: opts.bootstrap.resamples as u64,
        seed: opts.bootstrap.seed,
        pairs,
        notes,
    })
}

#[allow(clippy::too_many_arguments)]
fn pair(
    i: usize,
    j: usize,
    names: &[String],
    labels: &[usize],
    classes: &[String],
    models: &[ProbMatrix],
    correct: &[Vec<bool>],
    opts: &CompareOptions,
) -> Result<PairDoc, StatsError> {
    let (mut only_a, mut only_b) = (0u64, 0u64);
    for (&x, &y) in correct[i].iter().zip(&correct[j]) {
        only_a += u64::from(x && !y);
        only_b += u64::from(y && !x);
    }
    let m = mcnemar(only_a, only_b);
    let metrics = paired_bootstrap(labels, &models[i], &models[j], &opts.bootstrap)?
        .into_iter()
        .map(|d| MetricDiffDoc {
            metric: d.metric.to_owned(),
            a: d.a,
            b: d.b,
            diff: d.diff,
            low: (!d.low.is_nan()).then_some(d.low),
            high: (!d.high.is_nan()).then_some(d.high),
            higher_is_better: d.higher_is_better,
            valid_resamples: d.valid_resamples as u64,
        })
        .collect();
    let k = classes.len();
    let targets: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
    let mut delong = Vec::new();
    for c in targets {
        let positive: Vec<bool> = labels.iter().map(|&y| y == c).collect();
        let score = |p: &ProbMatrix| p.rows().map(|r| r[c]).collect::<Vec<f64>>();
        if let Ok(d) = delong_paired(&positive, &score(&models[i]), &score(&models[j])) {
            delong.push(DeLongDoc {
                class: classes[c].clone(),
                auc_a: d.auc_a,
                auc_b: d.auc_b,
                se: d.se,
                p_value: d.p_value,
                p_holm: d.p_value,
            });
        }
    }
    let adjusted = holm(&delong.iter().map(|d| d.p_value).collect::<Vec<_>>());
    for (d, adj) in delong.iter_mut().zip(adjusted) {
        d.p_holm = adj;
    }
    Ok(PairDoc {
        a: names[i].clone(),
        b: names[j].clone(),
        mcnemar: McNemarDoc {
            only_a,
            only_b,
            p_exact: m.p_exact,
            chi2: m.chi2,
            p_chi2: m.p_chi2,
            p_value: m.p_value,
            method: m.method().to_owned(),
            p_holm: m.p_value,
        },
        metrics,
        delong,
        items_needed: mcnemar_sample_size(only_a, only_b, labels.len() as u64, opts.alpha, POWER),
        significant: false,
        verdict: String::new(),
    })
}

/// The verdict in words.
fn verdict(p: &PairDoc, n: usize, alpha: f64) -> String {
    let acc = p.metrics.iter().find(|m| m.metric == "accuracy");
    let diff = acc.map_or(0.0, |m| m.diff);
    // Said from the better model's side: B − A when B is more accurate.
    let sign = if diff >= 0.0 { 1.0 } else { -1.0 };
    let interval = acc
        .and_then(|m| Some((m.low?, m.high?)))
        .map_or(String::new(), |(l, h)| {
            let (l, h) = if sign > 0.0 { (l, h) } else { (-h, -l) };
            // No "-0.00".
            let tidy = |v: f64| if v == 0.0 { 0.0 } else { 100.0 * v };
            format!(" [{:+.2}, {:+.2}]", tidy(l), tidy(h))
        });
    let (better, worse) = if sign > 0.0 {
        (&p.a, &p.b)
    } else {
        (&p.b, &p.a)
    };
    let size = format!("{:+.2} points{interval}", 100.0 * sign * diff);
    if p.significant {
        format!(
            "{better} is more accurate than {worse}: {} (McNemar p {}{})",
            size,
            p_text(p.mcnemar.p_holm),
            if p.mcnemar.p_holm != p.mcnemar.p_value {
                ", Holm"
            } else {
                ""
            }
        )
    } else {
        let need = match p.items_needed {
            Some(items) if items > n as f64 => format!(
                "; a difference of this size would need about {} test items to detect ({:.0} % power), {} are here",
                round_up(items),
                100.0 * POWER,
                n
            ),
            Some(_) => String::new(),
            None => "; the two models are right on exactly as many items".to_owned(),
        };
        format!(
            "no evidence of a difference at α = {alpha}: accuracy {better} − {worse} = {size} (McNemar p {}){need}",
            p_text(p.mcnemar.p_holm)
        )
    }
}

/// `= 0.042`, or `< 0.001`.
pub(crate) fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        format!("= {p:.3}")
    }
}

/// Two significant digits, rounded up (`12,345` → `13,000`).
pub(crate) fn round_up(x: f64) -> String {
    let magnitude = 10f64.powi((x.log10().floor() as i32 - 1).max(0));
    let v = ((x / magnitude).ceil() * magnitude) as u64;
    let digits = v.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
