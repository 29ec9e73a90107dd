//! One table of what triage tells the user about a dataset.
//!
//! Each [`ProfileRule`] has an id, a base severity, a description, a fix
//! and a check over a [`DatasetProfile`]; its thresholds are named
//! constants in [`checks`] with their reasons. The same table serves
//! `triage profile` (each verdict becomes a [`Warning`] of the document,
//! printed by the terminal summary) and `triage report` (each verdict
//! becomes a finding with the rule's severity, evidence and fix), so a
//! dataset is judged once, by one rule, wherever it is shown.

pub mod checks;
mod wording;

use triage_docs::profile::{DatasetProfile, Warning, WarningKind};
use triage_docs::severity::Severity;

/// What a rule found: one problem, in words and numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The rule's severity for this case (a rule may raise its base
    /// severity, e.g. class imbalance from 10:1).
    pub severity: Severity,
    /// One-line statement (the report's finding title).
    pub title: String,
    /// One sentence with the numbers, without a final period (the
    /// profile's warning message and the finding's evidence).
    pub message: String,
    /// The evidence as key/values.
    pub values: Vec<(&'static str, String)>,
    /// Rank among findings of the same severity (higher first).
    pub score: f64,
}

impl Verdict {
    fn new(severity: Severity, title: impl Into<String>, message: String, score: f64) -> Self {
        Self {
            severity,
            title: title.into(),
            message,
            values: Vec::new(),
            score,
        }
    }

    fn with(mut self, key: &'static str, value: impl ToString) -> Self {
        self.values.push((key, value.to_string()));
        self
    }
}

/// A rule on the dataset profile.
#[derive(Debug, Clone, Copy)]
pub struct ProfileRule {
    /// The profile warning's kind; the finding id is its kebab-case form
    /// ([`ProfileRule::id`]).
    pub kind: WarningKind,
    /// The severity of its verdicts unless the check raises it.
    pub severity: Severity,
    /// What it checks, for README and the report.
    pub description: &'static str,
    /// A concrete action.
    pub fix: &'static str,
    /// The check: one verdict per problem found (empty when clean).
    pub check: fn(&DatasetProfile, &ProfileRule) -> Vec<Verdict>,
}

impl ProfileRule {
    /// The finding id: the kind in kebab-case (`sorted-order`).
    pub fn id(&self) -> String {
        self.kind.name().replace('_', "-")
    }
}

/// Every rule on a dataset profile, in the order its warnings are listed
/// (what makes numbers untrustworthy first, cosmetics last).
pub static PROFILE_RULES: &[ProfileRule] = &[
    ProfileRule {
        kind: WarningKind::CorruptFiles,
        severity: Severity::Warning,
        description: "files that failed to decode or that the reader skipped",
        fix: "repair or remove the listed files (`triage profile DATA --json` lists each with its reason); a training loader that skips them silently trains on fewer images than you think",
        check: checks::corrupt_files,
    },
    ProfileRule {
        kind: WarningKind::Leakage,
        severity: Severity::Critical,
        description: "identical images shared between splits",
        fix: "remove the duplicates from val/test, or re-split with `triage split DATA --group-column …` so that copies share a split; then re-evaluate",
        check: checks::leakage,
    },
    ProfileRule {
        kind: WarningKind::NearDuplicateLeakage,
        severity: Severity::Warning,
        description: "near-duplicate images (shifted, rescaled, recoloured, re-encoded) shared between splits",
        fix: "look at the pairs in the report's gallery; drop the copies from val/test or re-split so that they share a split, then re-evaluate (`triage evaluate --profile` measures what they cost)",
        check: checks::near_duplicate_leakage,
    },
    ProfileRule {
        kind: WarningKind::GroupLeakage,
        severity: Severity::Critical,
        description: "a group (patient, video, session) with items in two or more splits",
        fix: "re-split by group: `triage split DATA --group-column GROUP`",
        check: checks::group_leakage,
    },
    ProfileRule {
        kind: WarningKind::ConflictingDuplicateLabels,
        severity: Severity::Warning,
        description: "identical images with different labels",
        fix: "relabel or drop the conflicting copies (`triage profile DATA --json` lists them)",
        check: checks::conflicting_duplicate_labels,
    },
    ProfileRule {
        kind: WarningKind::SortedOrder,
        severity: Severity::Warning,
        description: "labels sorted or blocked in file order (the tail-split trap)",
        fix: "shuffle before any tail split (Keras `validation_split` takes the last files) and shuffle every training epoch; or split with `triage split DATA`",
        check: checks::sorted_order,
    },
    ProfileRule {
        kind: WarningKind::EmptyClass,
        severity: Severity::Warning,
        description: "a class with no item",
        fix: "add images of the class or drop it from the class list; a model cannot learn a class it never sees",
        check: checks::empty_class,
    },
    ProfileRule {
        kind: WarningKind::MissingClass,
        severity: Severity::Warning,
        description: "a split without any item of some class",
        fix: "re-split with stratification (`triage split DATA`) so that every split holds every class",
        check: checks::missing_class,
    },
    ProfileRule {
        kind: WarningKind::ClassImbalance,
        severity: Severity::Warning,
        description: "largest/smallest class count at or above 3:1 (critical from 10:1)",
        fix: "report balanced accuracy and per-class recall rather than accuracy; re-weight the loss by inverse class frequency or oversample the small classes; collect more images of the smallest classes",
        check: checks::class_imbalance,
    },
    ProfileRule {
        kind: WarningKind::Duplicates,
        severity: Severity::Info,
        description: "identical images within the dataset (any splits)",
        fix: "drop the extra copies: they weigh their image more than the others in training",
        check: checks::duplicates,
    },
    ProfileRule {
        kind: WarningKind::MixedChannels,
        severity: Severity::Info,
        description: "gray and colour images mixed",
        fix: "convert every image to one mode explicitly before training (and at deployment)",
        check: checks::mixed_channels,
    },
    ProfileRule {
        kind: WarningKind::TooDark,
        severity: Severity::Info,
        description: "images darker than the fixed and the robust bound",
        fix: "look at the listed images: drop broken captures, or keep them if deployment sees such images",
        check: checks::too_dark,
    },
    ProfileRule {
        kind: WarningKind::TooBright,
        severity: Severity::Info,
        description: "images brighter than the fixed and the robust bound",
        fix: "look at the listed images: drop over-exposed captures, or keep them if deployment sees such images",
        check: checks::too_bright,
    },
    ProfileRule {
        kind: WarningKind::LowContrast,
        severity: Severity::Info,
        description: "images with RMS contrast below the fixed and the robust bound",
        fix: "look at the listed images: blank or washed-out frames carry no label information",
        check: checks::low_contrast,
    },
    ProfileRule {
        kind: WarningKind::Blurry,
        severity: Severity::Info,
        description: "images much less sharp than the rest of the dataset",
        fix: "look at the listed images: drop out-of-focus captures, or add blur augmentation if deployment sees such images",
        check: checks::blurry,
    },
];

/// Every verdict of every rule on `profile` (whose `warnings` field is
/// ignored), in table order.
pub fn judge(profile: &DatasetProfile) -> Vec<(&'static ProfileRule, Verdict)> {
    PROFILE_RULES
        .iter()
        .flat_map(|rule| {
            (rule.check)(profile, rule)
                .into_iter()
                .map(move |v| (rule, v))
        })
        .collect()
}

/// The profile's warnings: one per verdict, in table order.
pub(crate) fn collect_warnings(profile: &DatasetProfile) -> Vec<Warning> {
    judge(profile)
        .into_iter()
        .map(|(rule, v)| Warning {
            kind: rule.kind,
            message: v.message,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dataset, Spec};
    use crate::{profile_dataset, ItemOutcome, ProfileOptions};
    use triage_data::image::{ColorMode, DecodedImage};
    use triage_docs::profile::{CorruptFile, SplitKey, SplitMap};

    /// The profile of 60 distinct noise images, 3 interleaved classes,
    /// train and test interleaved: nothing to say about it.
    fn clean() -> DatasetProfile {
        let specs: Vec<Spec> = (0..60)
            .map(|i| Spec::new(if i % 4 == 3 { "test" } else { "train" }, i % 3))
            .collect();
        let ds = dataset(&specs);
        let decode = |i: usize| {
            let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let pixels = (0..256)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    64 + (x >> 57) as u8
                })
                .collect();
            ItemOutcome::Decoded {
                image: DecodedImage {
                    width: 16,
                    height: 16,
                    channels: 1,
                    pixels,
                },
                mode: ColorMode::Gray,
                file_bytes: 100,
            }
        };
        profile_dataset(&ds, &ProfileOptions::default(), &decode, &|| {})
    }

    /// `p` with the problem of `kind` planted in its numbers.
    fn plant(kind: WarningKind, p: &mut DatasetProfile) {
        match kind {
            WarningKind::CorruptFiles => {
                p.corrupt_files.count = 1;
                p.corrupt_files.decode_failures = 1;
                p.corrupt_files.files.push(CorruptFile {
                    path: "x.png".into(),
                    reason: "truncated".into(),
                });
            }
            WarningKind::Leakage => p.duplicates.cross_split_groups = 1,
            WarningKind::NearDuplicateLeakage => p.near_duplicates.cross_split_pairs = 1,
            WarningKind::GroupLeakage => p.groups.cross_split_groups = 1,
            WarningKind::ConflictingDuplicateLabels => p.duplicates.conflicting_label_groups = 1,
            WarningKind::SortedOrder => p.order.all.sorted = true,
            WarningKind::EmptyClass => p.empty_classes.push("c9".into()),
            WarningKind::MissingClass => {
                p.missing_classes = SplitMap(vec![(SplitKey::Test, vec!["c0".into()])]);
            }
            WarningKind::ClassImbalance => {
                p.classes[0].count = 60;
                p.imbalance_ratio = Some(3.0);
            }
            WarningKind::Duplicates => {
                p.duplicates.groups = 1;
                p.duplicates.items = 2;
            }
            WarningKind::MixedChannels => {
                p.channels.insert(3, 5);
            }
            WarningKind::TooDark => p.outliers.too_dark.count = 1,
            WarningKind::TooBright => p.outliers.too_bright.count = 1,
            WarningKind::LowContrast => p.outliers.low_contrast.count = 1,
            WarningKind::Blurry => p.outliers.blurry.count = 1,
        }
    }

    #[test]
    fn every_rule_fires_on_its_planted_case_and_is_quiet_on_a_clean_one() {
        let clean = clean();
        assert!(judge(&clean).is_empty(), "{:?}", judge(&clean));
        for rule in PROFILE_RULES {
            let mut p = clean.clone();
            plant(rule.kind, &mut p);
            let verdicts = judge(&p);
            assert_eq!(verdicts.len(), 1, "{:?}: {verdicts:?}", rule.kind);
            let (fired, v) = &verdicts[0];
            assert_eq!(fired.kind, rule.kind);
            assert_eq!(v.severity, rule.severity, "{:?}", rule.kind);
            assert!(!v.message.is_empty() && !v.message.ends_with('.'));
            assert!(!v.values.is_empty(), "{:?} gives no values", rule.kind);
        }
    }

    #[test]
    fn ids_are_the_kinds_in_kebab_case_and_unique() {
        let mut ids: Vec<String> = PROFILE_RULES.iter().map(ProfileRule::id).collect();
        assert_eq!(ids[0], "corrupt-files");
        assert!(ids.iter().all(|id| !id.contains('_')));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), PROFILE_RULES.len());
    }

    #[test]
    fn sorted_scopes_make_one_verdict() {
        let mut p = clean();
        p.order.all.sorted = true;
        let mut train = p.order.all.clone();
        train.runs = 3;
        p.order.by_split = SplitMap(vec![(SplitKey::Train, train)]);
        let v = checks::sorted_order(&p, &PROFILE_RULES[5]);
        assert_eq!(v.len(), 1);
        assert!(v[0].message.contains("all items") && v[0].message.contains("split `train`"));
        assert!(v[0].values.contains(&("sorted_scopes", "2".to_string())));
    }

    #[test]
    fn class_imbalance_is_critical_from_ten_to_one() {
        let mut p = clean();
        p.classes[0].count = 200;
        p.imbalance_ratio = Some(10.0);
        let v = checks::class_imbalance(&p, &PROFILE_RULES[8]);
        assert_eq!(v[0].severity, Severity::Critical);
        p.imbalance_ratio = Some(2.9);
        assert!(checks::class_imbalance(&p, &PROFILE_RULES[8]).is_empty());
    }
}
