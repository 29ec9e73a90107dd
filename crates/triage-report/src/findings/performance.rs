//! Rules on the performance numbers: their uncertainty and gaps between
//! evaluations.

use triage_stats::intervals::normal_quantile;

use super::{pct, Finding, Severity};
use crate::inputs::{NamedEvaluation, ReportInputs};
use crate::model::SectionKind;

/// Full width of the accuracy interval above which it is too wide to
/// support claims: ±2.5 points cannot tell apart most model changes worth
/// making.
pub const MAX_CI_WIDTH: f64 = 0.05;

/// Half-width of the accuracy interval to aim for when sizing the test set
/// (±1 point).
pub const TARGET_HALF_WIDTH: f64 = 0.01;

/// Accuracy gap between two evaluations of the same model (e.g. synthetic
/// test vs. real-like data) above which a domain gap is reported: 10 points
/// is far beyond the sampling noise of a few hundred images per set.
pub const DOMAIN_GAP: f64 = 0.10;

/// Test-set size for an interval of half-width `h` on an accuracy `p` at
/// confidence `level`, by the normal approximation n = z² p(1 − p) / h²
/// (p is clamped to [0.05, 0.95] so that near-perfect accuracies still ask
/// for a usable n).
pub fn samples_needed(p: f64, h: f64, level: f64) -> u64 {
    let z = normal_quantile(0.5 + level / 2.0);
    let p = p.clamp(0.05, 0.95);
    (z * z * p * (1.0 - p) / (h * h)).ceil() as u64
}

/// The accuracy interval is wider than [`MAX_CI_WIDTH`].
pub fn wide_interval(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &inputs.evaluations {
        let (Some(acc), Some([lo, hi])) = (e.doc.metric("accuracy"), e.doc.interval("accuracy"))
        else {
            continue;
        };
        let width = hi - lo;
        if width <= MAX_CI_WIDTH {
            continue;
        }
        let level = e.doc.confidence();
        let need = samples_needed(acc, TARGET_HALF_WIDTH, level);
        let need_25 = samples_needed(acc, MAX_CI_WIDTH / 2.0, level);
        out.push(
            Finding::new(
                "wide-interval",
                Severity::Warning,
                SectionKind::Performance,
                format!("The test set is too small to support claims (n = {})", e.doc.n),
                format!(
                    "accuracy {} has a {:.0} % interval {}–{} ({:.1} points wide); differences smaller than that between models are noise",
                    pct(acc),
                    100.0 * level,
                    pct(lo),
                    pct(hi),
                    100.0 * width
                ),
                format!(
                    "collect more test data: about n ≈ {need} images for ±{:.0} point (n ≈ {need_25} for ±{:.1}), by n = z²·p(1−p)/h²",
                    100.0 * TARGET_HALF_WIDTH,
                    50.0 * MAX_CI_WIDTH
                ),
            )
            .about(&e.name)
            .scored(width)
            .with("n", e.doc.n)
            .with("accuracy_interval", format!("[{lo:.4}, {hi:.4}]"))
            .with("n_needed", need),
        );
    }
    out
}

/// Two evaluations of the same model (same run, or both given directly) on
/// the same classes, the first more than [`DOMAIN_GAP`] more accurate: the
/// model does not transfer from one domain to the other. The shift checks
/// refine this rule.
pub fn domain_gap(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    let evals = &inputs.evaluations;
    for (i, a) in evals.iter().enumerate() {
        for b in evals.iter().skip(i + 1) {
            if a.run != b.run || a.doc.classes != b.doc.classes {
                continue;
            }
            let (Some(acc_a), Some(acc_b)) = (a.doc.metric("accuracy"), b.doc.metric("accuracy"))
            else {
                continue;
            };
            let (hi, lo) = if acc_a >= acc_b { (a, b) } else { (b, a) };
            if let Some(f) = gap_finding(hi, lo) {
                out.push(f);
            }
        }
    }
    out
}

fn gap_finding(hi: &NamedEvaluation, lo: &NamedEvaluation) -> Option<Finding> {
    let (ah, al) = (hi.doc.metric("accuracy")?, lo.doc.metric("accuracy")?);
    let gap = ah - al;
    if gap <= DOMAIN_GAP {
        return None;
    }
    let ci = |e: &NamedEvaluation| {
        e.doc
            .interval("accuracy")
            .map_or(String::new(), |[l, h]| format!(" [{}–{}]", pct(l), pct(h)))
    };
    let separated = match (hi.doc.interval("accuracy"), lo.doc.interval("accuracy")) {
        (Some([l_hi, _]), Some([_, h_lo])) => l_hi > h_lo,
        _ => false,
    };
    let mut evidence = format!(
        "accuracy {}{} on `{}` but {}{} on `{}`: {:.1} points lower",
        pct(ah),
        ci(hi),
        hi.name,
        pct(al),
        ci(lo),
        lo.name,
        100.0 * gap
    );
    if separated {
        evidence.push_str("; the intervals do not overlap");
    }
    Some(
        Finding::new(
            "domain-gap",
            if separated { Severity::Critical } else { Severity::Warning },
            SectionKind::Deployment,
            format!("Accuracy drops {:.0} points from `{}` to `{}`", 100.0 * gap, hi.name, lo.name),
            evidence,
            format!(
                "train (or fine-tune) on data that looks like `{}`: add such images to training, or augment towards it (noise, blur, colour jitter, JPEG)",
                lo.name
            ),
        )
        .about(&lo.name)
        .scored(gap)
        .with("accuracy_high", format!("{ah:.4} ({})", hi.name))
        .with("accuracy_low", format!("{al:.4} ({})", lo.name))
        .with("gap", format!("{gap:.4}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(name: &str, acc: f64, ci: [f64; 2]) -> NamedEvaluation {
        let mut doc = crate::inputs::EvaluationDoc {
            n: 500,
            classes: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        doc.metrics.accuracy = Some(acc);
        doc.ci.accuracy = Some(ci);
        NamedEvaluation {
            name: name.into(),
            path: "e.json".into(),
            run: None,
            doc,
            predictions: None,
        }
    }

    #[test]
    fn domain_gap_fires_on_a_large_disjoint_drop() {
        let inputs = ReportInputs {
            evaluations: vec![
                eval("synthetic-test", 0.95, [0.93, 0.97]),
                eval("real-like", 0.60, [0.56, 0.64]),
            ],
            ..ReportInputs::default()
        };
        let found = domain_gap(&inputs);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Critical);
        assert_eq!(found[0].subject.as_deref(), Some("real-like"));
        let close = ReportInputs {
            evaluations: vec![eval("a", 0.95, [0.93, 0.97]), eval("b", 0.90, [0.87, 0.93])],
            ..ReportInputs::default()
        };
        assert!(domain_gap(&close).is_empty());
        // Only real-like's interval (0.08 wide) is wider than MAX_CI_WIDTH.
        let wide: Vec<Option<String>> = wide_interval(&inputs)
            .into_iter()
            .map(|f| f.subject)
            .collect();
        assert_eq!(wide, [Some("real-like".to_string())]);
    }

    #[test]
    fn sample_size_by_normal_approximation() {
        // 1.96² · 0.25 / 0.01² = 9604.
        assert_eq!(samples_needed(0.5, 0.01, 0.95), 9604);
        assert!(samples_needed(0.9, 0.025, 0.95) < samples_needed(0.9, 0.01, 0.95));
    }
}
