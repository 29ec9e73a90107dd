//! Rules on the dataset profile.

use super::{Finding, Severity};
use crate::inputs::ReportInputs;
use crate::model::SectionKind;

/// Imbalance ratio (largest / smallest class) from which a finding is
/// made: at 3:1 a plain cross-entropy model already trades minority recall
/// for majority accuracy, and plain accuracy starts to hide it.
pub const IMBALANCE_WARNING_RATIO: f64 = 3.0;

/// Imbalance ratio from which the finding is critical: at 10:1 a model can
/// reach high accuracy while ignoring the smallest classes.
pub const IMBALANCE_CRITICAL_RATIO: f64 = 10.0;

/// Class imbalance: ratio of the largest to the smallest class count.
pub fn class_imbalance(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &inputs.profiles {
        let Some(ratio) = p.doc.imbalance_ratio else {
            continue;
        };
        if ratio < IMBALANCE_WARNING_RATIO {
            continue;
        }
        let severity = if ratio >= IMBALANCE_CRITICAL_RATIO {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let largest = p.doc.classes.iter().max_by_key(|c| c.count);
        let smallest = p.doc.classes.iter().min_by_key(|c| c.count);
        let (Some(l), Some(s)) = (largest, smallest) else {
            continue;
        };
        out.push(
            Finding::new(
                "class-imbalance",
                severity,
                SectionKind::Data,
                format!("Classes are imbalanced {ratio:.1}:1"),
                format!(
                    "the largest class `{}` has {} images, the smallest `{}` has {} (ratio {ratio:.1}, warning from {IMBALANCE_WARNING_RATIO}:1)",
                    l.name, l.count, s.name, s.count
                ),
                "report balanced accuracy and per-class recall rather than accuracy; re-weight the loss by inverse class frequency or oversample the small classes; collect more images of the smallest classes",
            )
            .about(&p.name)
            .scored(ratio)
            .with("imbalance_ratio", format!("{ratio:.2}"))
            .with("largest", format!("{} ({})", l.name, l.count))
            .with("smallest", format!("{} ({})", s.name, s.count)),
        );
    }
    out
}

/// Duplicates and near-duplicates shared between splits (leakage), and
/// duplicates whose copies carry different labels.
pub fn leakage(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &inputs.profiles {
        let d = &p.doc.duplicates;
        let nd = &p.doc.near_duplicates;
        if d.cross_split_groups > 0 || nd.cross_split_pairs > 0 {
            let pairs: Vec<String> = d
                .groups_by_split_pair
                .entries()
                .into_iter()
                .chain(nd.pairs_by_split_pair.entries())
                .filter(|(k, _)| split_pair_crosses(k))
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            // Exact copies across splits are leakage for certain; pairs that
            // are only perceptually close may be distinct images of a simple
            // domain, so they warn.
            let (severity, title) = if d.cross_split_groups > 0 {
                (
                    Severity::Critical,
                    "The same images appear in more than one split (leakage)",
                )
            } else {
                (
                    Severity::Warning,
                    "Near-duplicate images appear in more than one split (possible leakage)",
                )
            };
            out.push(
                Finding::new(
                    "leakage",
                    severity,
                    SectionKind::Data,
                    title,
                    format!(
                        "{} exact-duplicate groups and {} near-duplicate pairs span splits ({}); test accuracy is measured partly on training images",
                        d.cross_split_groups,
                        nd.cross_split_pairs,
                        pairs.join(", ")
                    ),
                    "remove the duplicates from val/test, or re-split with `triage split DATA --group-column …` so that copies share a split; then re-evaluate",
                )
                .about(&p.name)
                .scored((d.cross_split_groups as u64 + nd.cross_split_pairs) as f64)
                .with("cross_split_duplicate_groups", d.cross_split_groups)
                .with("cross_split_near_duplicate_pairs", nd.cross_split_pairs),
            );
        }
        if d.conflicting_label_groups > 0 {
            out.push(
                Finding::new(
                    "conflicting-duplicate-labels",
                    Severity::Warning,
                    SectionKind::Data,
                    "Identical images carry different labels",
                    format!(
                        "{} groups of identical images have more than one label: label noise that caps the reachable accuracy",
                        d.conflicting_label_groups
                    ),
                    "relabel or drop the conflicting copies (`triage profile DATA` lists them)",
                )
                .about(&p.name)
                .scored(d.conflicting_label_groups as f64)
                .with("conflicting_label_groups", d.conflicting_label_groups),
            );
        }
    }
    out
}

/// Whether a split-pair key such as `train-test` names two different splits.
fn split_pair_crosses(key: &str) -> bool {
    key.split_once('-').is_some_and(|(a, b)| a != b)
}

/// Labels sorted or blocked in file order: a tail split (Keras'
/// `validation_split`) or an unshuffled loader sees a few classes only.
pub fn sorted_order(inputs: &ReportInputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &inputs.profiles {
        let order = &p.doc.order;
        let mut sorted: Vec<String> = order
            .by_split
            .iter()
            .filter(|(_, c)| c.sorted)
            .map(|(s, c)| {
                format!(
                    "{} ({} label runs where ≈{:.0} are expected)",
                    s.name(),
                    c.runs,
                    c.expected_runs
                )
            })
            .collect();
        if let Some(all) = Some(&order.all).filter(|c| c.sorted) {
            sorted.insert(
                0,
                format!(
                    "all items ({} runs where ≈{:.0} are expected)",
                    all.runs, all.expected_runs
                ),
            );
        }
        if sorted.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                "sorted-order",
                Severity::Warning,
                SectionKind::Data,
                "Files are sorted by class",
                format!("labels come in long runs in file order: {}", sorted.join("; ")),
                "shuffle before any tail split (Keras `validation_split` takes the last files) and shuffle every training epoch; or split with `triage split DATA`",
            )
            .about(&p.name)
            .scored(sorted.len() as f64)
            .with("sorted", sorted.join("; ")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::NamedProfile;

    use triage_data::profile::files::{profile_files, ProfileRun};
    use triage_data::profile::SplitKey;
    use triage_data::progress::Silent;
    use triage_data::synth::{generate, SynthConfig};

    /// The profile of a small synthetic dataset, as `triage profile`
    /// computes it.
    fn real_profile() -> crate::inputs::ProfileDoc {
        let dir = tempfile::tempdir().unwrap();
        let config = SynthConfig {
            classes: 2,
            per_class: 6,
            size: 12,
            test_fraction: 0.3,
            ..SynthConfig::default()
        };
        generate(&config, dir.path()).unwrap();
        let run = ProfileRun {
            cache_dir: None,
            ..ProfileRun::with_cache()
        };
        profile_files(&dir.path().join("manifest.csv"), &run, &Silent).unwrap()
    }

    fn profile(exact_groups: usize, near_pairs: u64) -> ReportInputs {
        let mut doc = real_profile();
        doc.duplicates.cross_split_groups = exact_groups;
        doc.near_duplicates.cross_split_pairs = near_pairs;
        doc.near_duplicates.pairs_by_split_pair = Default::default();
        doc.near_duplicates
            .pairs_by_split_pair
            .add(SplitKey::Train, SplitKey::Test, near_pairs);
        ReportInputs {
            profiles: vec![NamedProfile {
                name: "p".into(),
                path: "p.json".into(),
                doc,
            }],
            ..ReportInputs::default()
        }
    }

    #[test]
    fn exact_copies_across_splits_are_critical_near_duplicates_warn() {
        let f = leakage(&profile(2, 5));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].title.starts_with("The same images"));
        let f = leakage(&profile(0, 5));
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].title.starts_with("Near-duplicate"), "{}", f[0].title);
        assert!(leakage(&profile(0, 0)).is_empty());
    }
}
