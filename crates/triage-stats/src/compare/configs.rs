//! Configurations compared over several runs each (the `triage-sweep`
//! document's statistics):
//!
//! - per configuration and metric, the mean over runs with its
//!   t-interval, mean ± t_{1−α/2, n−1} · s/√n ([`crate::student_t::t_interval`]);
//! - between two configurations trained with several seeds, Welch's t-test
//!   ([`super::hypothesis::welch_t`]) and the interval of the difference of
//!   means, (x̄ − ȳ) ± t_{1−α/2, ν} · √(s²ₓ/nₓ + s²ᵧ/nᵧ) with the
//!   Welch–Satterthwaite ν;
//! - both intervals intersected with the values the mean can take
//!   ([`super::paired::metric_range`]: an accuracy's mean lies in [0, 1],
//!   a difference of two in [−1, 1]). With two or three wildly different
//!   runs the t-interval reaches past them (−19 % to 86 % for accuracies
//!   of 18, 25 and 58 %); the intersection covers the true mean exactly
//!   when the t-interval does, so the coverage is unchanged;
//! - between two configurations run by 5×2 cross-validation on shared
//!   halves, Dietterich's 5×2cv t and Alpaydın's combined F
//!   ([`super::hypothesis::five_by_two`]) on the differences of error
//!   rates (1 − accuracy);
//! - the runs per configuration a difference δ would need, by the normal
//!   approximation n = (z_{1−α/2} + z_{1−β})² (s²ₓ + s²ᵧ) / δ² at power
//!   1 − β = 0.8;
//! - Holm's correction across the comparisons of one metric and test.
//!
//! Defaults: α = 0.05, power 0.8.

use triage_docs::sweep::{MetricSummaryDoc, SweepComparisonDoc};

use super::analysis::{p_text, round_up, POWER};
use super::hypothesis::{five_by_two, holm, welch_t};
use super::paired::{higher_is_better, metric_range};
use crate::error::StatsError;
use crate::intervals::normal_quantile;
use crate::student_t::{t_interval, t_quantile};

/// The mean of one metric over a configuration's runs (NaN values, such as
/// an undefined AUC, left out), with its t-interval at 1 − `alpha`
/// intersected with the metric's range.
pub fn summarize(metric: &str, values: &[f64], alpha: f64) -> MetricSummaryDoc {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / n as f64
    };
    let interval = t_interval(&v, 1.0 - alpha).ok();
    let (min, max) = metric_range(metric);
    MetricSummaryDoc {
        metric: metric.to_owned(),
        n: n as u64,
        mean: if mean.is_finite() { mean } else { 0.0 },
        sd: interval.map(|i| i.sem * (n as f64).sqrt()),
        low: interval.map(|i| i.low.max(min)),
        high: interval.map(|i| i.high.min(max)),
        higher_is_better: higher_is_better(metric),
    }
}

fn sample_var(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)
}

/// Runs per configuration that would detect a difference of means `diff`
/// between samples of variances `var_a` and `var_b` (two-sided `alpha`,
/// 80 % power); `None` without a difference.
pub fn runs_needed(diff: f64, var_a: f64, var_b: f64, alpha: f64) -> Option<f64> {
    if diff == 0.0 || !diff.is_finite() {
        return None;
    }
    let z = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(POWER);
    Some((z * z * (var_a + var_b) / (diff * diff)).max(2.0))
}

/// Welch's comparison of `a` and `b` (the values of one metric over each
/// configuration's runs, at least two each), the interval of the
/// difference intersected with the range a difference of the metric can
/// take. `p_holm`, `significant` and `verdict` are set by [`finish`].
///
/// # Errors
/// Fewer than two runs on either side.
pub fn welch_comparison(
    names: (&str, &str),
    metric: &str,
    a: &[f64],
    b: &[f64],
    alpha: f64,
) -> Result<SweepComparisonDoc, StatsError> {
    let test = welch_t(a, b)?;
    let (va, vb) = (sample_var(a), sample_var(b));
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let diff = mean(a) - mean(b);
    let se = (va / a.len() as f64 + vb / b.len() as f64).sqrt();
    let (statistic, df, p_value, low, high) = if se > 0.0 {
        let half = t_quantile(1.0 - alpha / 2.0, test.df) * se;
        let (min, max) = metric_range(metric);
        (
            Some(test.t),
            test.df,
            test.p_value,
            Some((diff - half).max(min - max)),
            Some((diff + half).min(max - min)),
        )
    } else {
        // No spread on either side: the runs are identical copies.
        let p = if diff == 0.0 { 1.0 } else { 0.0 };
        let df = (a.len() + b.len() - 2) as f64;
        (None, df, p, Some(diff), Some(diff))
    };
    Ok(SweepComparisonDoc {
        a: names.0.to_owned(),
        b: names.1.to_owned(),
        metric: metric.to_owned(),
        test: "welch".into(),
        diff,
        low,
        high,
        statistic,
        df,
        df2: None,
        p_value,
        p_holm: p_value,
        significant: false,
        runs_needed: runs_needed(diff, va, vb, alpha),
        verdict: String::new(),
    })
}

/// The 5×2cv t and combined F comparisons of two configurations from
/// their accuracies `acc_a[i][j]`, `acc_b[i][j]` (replication i, half j
/// trained on); the differences tested are of error rates, a − b.
pub fn five_by_two_comparisons(
    names: (&str, &str),
    acc_a: &[[f64; 2]; 5],
    acc_b: &[[f64; 2]; 5],
) -> [SweepComparisonDoc; 2] {
    let mut diffs = [[0.0; 2]; 5];
    for i in 0..5 {
        for j in 0..2 {
            // Error rate of a minus error rate of b.
            diffs[i][j] = (1.0 - acc_a[i][j]) - (1.0 - acc_b[i][j]);
        }
    }
    let (t, f) = five_by_two(&diffs);
    // The accuracy difference a − b, averaged over the ten halves.
    let diff = -diffs.iter().flatten().sum::<f64>() / 10.0;
    let doc = |test: &str, statistic: f64, df: f64, df2: Option<f64>, p: f64| {
        let p = if p.is_nan() {
            // Every difference zero: nothing to tell apart.
            1.0
        } else {
            p
        };
        SweepComparisonDoc {
            a: names.0.to_owned(),
            b: names.1.to_owned(),
            metric: "accuracy".into(),
            test: test.into(),
            diff,
            low: None,
            high: None,
            statistic: statistic.is_finite().then_some(statistic),
            df,
            df2,
            p_value: p,
            p_holm: p,
            significant: false,
            runs_needed: None,
            verdict: String::new(),
        }
    };
    [
        doc("5x2cv-t", -t.t, t.df, None, t.p_value),
        doc("5x2cv-f", f.f, f.df1, Some(f.df2), f.p_value),
    ]
}

/// Holm-correct the p-values within each (metric, test) family, mark the
/// significant comparisons at `alpha` and write their verdicts (`runs`:
/// runs per configuration, for the text).
pub fn finish(comparisons: &mut [SweepComparisonDoc], alpha: f64, runs: usize) {
    let mut families: Vec<(String, String)> = Vec::new();
    for c in comparisons.iter() {
        let key = (c.metric.clone(), c.test.clone());
        if !families.contains(&key) {
            families.push(key);
        }
    }
    for (metric, test) in families {
        let members: Vec<usize> = (0..comparisons.len())
            .filter(|&i| comparisons[i].metric == metric && comparisons[i].test == test)
            .collect();
        let p: Vec<f64> = members.iter().map(|&i| comparisons[i].p_value).collect();
        for (&i, q) in members.iter().zip(holm(&p)) {
            comparisons[i].p_holm = q;
            comparisons[i].significant = q < alpha;
        }
    }
    for c in comparisons.iter_mut() {
        c.verdict = verdict(c, alpha, runs);
    }
}

fn metric_words(metric: &str) -> (&'static str, f64, &'static str) {
    // (comparative, scale, unit)
    match metric {
        "accuracy" => ("is more accurate than", 100.0, " points"),
        "macro_auc" => ("ranks better (macro AUC) than", 100.0, " points"),
        "log_loss" => ("has a lower log loss than", 1.0, ""),
        "brier" => ("has a lower Brier score than", 1.0, ""),
        _ => ("is better calibrated (ECE) than", 100.0, " points"),
    }
}

/// The verdict of one comparison in words, said from the better side.
fn verdict(c: &SweepComparisonDoc, alpha: f64, runs: usize) -> String {
    let (comparative, scale, unit) = metric_words(&c.metric);
    let better_is_a = (c.diff >= 0.0) == higher_is_better(&c.metric);
    let sign = if better_is_a { 1.0 } else { -1.0 };
    let (better, worse) = if better_is_a {
        (&c.a, &c.b)
    } else {
        (&c.b, &c.a)
    };
    let digits = if scale == 1.0 { 4 } else { 2 };
    let shown = |v: f64| {
        let v = sign * scale * v;
        format!("{:+.*}", digits, if v == 0.0 { 0.0 } else { v })
    };
    // The difference from the better side: better − worse (higher-better
    // metrics), worse − better (losses), both shown positive.
    let size = match (c.low, c.high) {
        (Some(l), Some(h)) if c.test == "welch" => {
            let (l, h) = if sign > 0.0 { (l, h) } else { (h, l) };
            format!("{}{unit} [{}, {}]", shown(c.diff), shown(l), shown(h))
        }
        _ => format!("{}{unit}", shown(c.diff)),
    };
    let test = match c.test.as_str() {
        "welch" => "Welch",
        "5x2cv-t" => "5×2cv t",
        _ => "5×2cv combined F",
    };
    let holm = if c.p_holm != c.p_value { ", Holm" } else { "" };
    if c.significant {
        format!(
            "{better} {comparative} {worse}: {size} ({test} p {}{holm})",
            p_text(c.p_holm)
        )
    } else {
        let need = match c.runs_needed {
            Some(n) if n > runs as f64 => format!(
                "; a difference of this size would need about {} runs per configuration to detect ({:.0} % power), {runs} here",
                round_up(n),
                100.0 * POWER
            ),
            _ => String::new(),
        };
        format!(
            "no evidence of a difference at α = {alpha}: {} {better} − {worse} = {size} ({test} p {}{holm}){need}",
            c.metric.replace('_', " "),
            p_text(c.p_holm)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_interval_contains_the_difference_and_matches_the_test() {
        let a = [0.81, 0.83, 0.80, 0.84];
        let b = [0.78, 0.79, 0.77, 0.80];
        let c = welch_comparison(("a", "b"), "accuracy", &a, &b, 0.05).unwrap();
        let (l, h) = (c.low.unwrap(), c.high.unwrap());
        assert!(l < c.diff && c.diff < h);
        // The interval excludes 0 exactly when p < α.
        assert_eq!(l > 0.0, c.p_value < 0.05);
    }

    #[test]
    fn intervals_stay_within_what_the_metric_can_take() {
        // Accuracies of 18, 25 and 58 %: the raw t-interval runs from
        // about −19 % to 86 %.
        let v = [0.18, 0.25, 0.58];
        let raw = t_interval(&v, 0.95).unwrap();
        assert!(raw.low < 0.0);
        let s = summarize("accuracy", &v, 0.05);
        assert_eq!(s.low, Some(0.0));
        assert_eq!(s.high, Some(raw.high));
        assert!((s.mean - raw.mean).abs() < 1e-15);
        // Log loss is bounded below only; an unbounded name is untouched.
        let l = summarize("log_loss", &[0.05, 0.9, 0.1], 0.05);
        assert_eq!(l.low, Some(0.0));
        let raw = t_interval(&[0.05, 0.9, 0.1], 0.95).unwrap();
        assert_eq!(l.high, Some(raw.high));
        let u = summarize("other", &v, 0.05);
        let raw = t_interval(&v, 0.95).unwrap();
        assert_eq!((u.low, u.high), (Some(raw.low), Some(raw.high)));
        // A difference of accuracies lies in [−1, 1].
        let a = [0.99, 0.97, 0.30];
        let b = [0.05, 0.02, 0.60];
        let c = welch_comparison(("a", "b"), "accuracy", &a, &b, 0.05).unwrap();
        assert_eq!(c.high, Some(1.0));
        assert!(c.low.unwrap() >= -1.0 && c.low.unwrap() < c.diff);
    }

    #[test]
    fn identical_runs_give_p_one_and_no_statistic() {
        let a = [0.8, 0.8];
        let c = welch_comparison(("a", "b"), "accuracy", &a, &a, 0.05).unwrap();
        assert_eq!(c.p_value, 1.0);
        assert!(c.statistic.is_none());
        assert!(c.runs_needed.is_none());
    }

    #[test]
    fn verdicts_name_the_better_side_for_losses() {
        let a = [0.50, 0.52, 0.51];
        let b = [0.40, 0.41, 0.39];
        let mut c = vec![welch_comparison(("a", "b"), "log_loss", &a, &b, 0.05).unwrap()];
        finish(&mut c, 0.05, 3);
        assert!(c[0].significant);
        assert!(
            c[0].verdict.starts_with("b has a lower log loss than a"),
            "{}",
            c[0].verdict
        );
    }

    #[test]
    fn holm_applies_within_a_family_only() {
        let a = [0.81, 0.83, 0.80, 0.84];
        let b = [0.78, 0.79, 0.77, 0.80];
        let mut c = vec![
            welch_comparison(("a", "b"), "accuracy", &a, &b, 0.05).unwrap(),
            welch_comparison(("b", "a"), "accuracy", &b, &a, 0.05).unwrap(),
            welch_comparison(("a", "b"), "log_loss", &a, &b, 0.05).unwrap(),
        ];
        finish(&mut c, 0.05, 4);
        assert!((c[0].p_holm - (2.0 * c[0].p_value).min(1.0)).abs() < 1e-12);
        assert_eq!(c[2].p_holm, c[2].p_value);
    }

    #[test]
    fn five_by_two_sign_follows_accuracy() {
        let acc_a = [
            [0.90, 0.91],
            [0.92, 0.90],
            [0.91, 0.93],
            [0.90, 0.92],
            [0.91, 0.90],
        ];
        let acc_b = [
            [0.86, 0.85],
            [0.86, 0.85],
            [0.84, 0.87],
            [0.85, 0.86],
            [0.86, 0.84],
        ];
        let [t, f] = five_by_two_comparisons(("a", "b"), &acc_a, &acc_b);
        assert!(t.diff > 0.0 && t.statistic.unwrap() > 0.0);
        assert!(f.p_value < 0.01, "{}", f.p_value);
    }

    #[test]
    fn runs_needed_shrinks_with_the_difference() {
        let small = runs_needed(0.01, 1e-4, 1e-4, 0.05).unwrap();
        let large = runs_needed(0.05, 1e-4, 1e-4, 0.05).unwrap();
        assert!(small > large);
        // (1.96 + 0.8416)² · 2e-4 / 1e-4 ≈ 15.7.
        assert!((small - 15.7).abs() < 0.1, "{small}");
    }
}
