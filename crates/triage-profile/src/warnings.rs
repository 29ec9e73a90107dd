//! Warnings: one human sentence per problem found, with a stable `kind`
//! code for scripts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::document::DatasetProfile;
use super::order::OrderCheck;
use super::outliers::OutlierList;
use super::split_key::SplitKey;

/// A class is rare when its share of the items is below this fraction of
/// the balanced share 1/K (cleanlab's `class_imbalance` rule, threshold
/// 0.1).
pub const RARE_CLASS_FRACTION: f64 = 0.1;

/// Names listed in a warning before "and N more".
const NAMES_SHOWN: usize = 5;

/// What a warning is about (serialized in snake_case, e.g.
/// `"sorted_order"`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Images that failed to decode, or files the reader skipped.
    CorruptFiles,
    /// Identical images in two different splits.
    Leakage,
    /// Near-duplicate images in two different splits.
    NearDuplicateLeakage,
    /// A group (patient, video…) with items in two different splits.
    GroupLeakage,
    /// Identical images with different labels.
    ConflictingDuplicateLabels,
    /// Labels sorted or blocked in file order (the tail-split trap).
    SortedOrder,
    /// A class with no item at all.
    EmptyClass,
    /// A split without any item of some class.
    MissingClass,
    /// A class far rarer than the others.
    ClassImbalance,
    /// Identical images (any splits).
    Duplicates,
    /// Gray and colour images mixed.
    MixedChannels,
    /// Images with brightness below the dark threshold.
    TooDark,
    /// Images with brightness above the bright threshold.
    TooBright,
    /// Images with RMS contrast below the threshold.
    LowContrast,
    /// Images much less sharp than the rest of the dataset.
    Blurry,
}

impl WarningKind {
    /// The stable code used in JSON (`sorted_order`, …).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A problem found by the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// Stable code.
    pub kind: WarningKind,
    /// One sentence, without a final period.
    pub message: String,
}

/// `` `a`, `b`, `c` `` or `` `a`, `b` and 3 more ``.
fn names(list: &[String]) -> String {
    let shown: Vec<String> = list
        .iter()
        .take(NAMES_SHOWN)
        .map(|n| format!("`{n}`"))
        .collect();
    let rest = list.len().saturating_sub(NAMES_SHOWN);
    if rest > 0 {
        format!("{} and {rest} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn verb<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn order_warning(scope: &str, check: &OrderCheck) -> Option<Warning> {
    if !check.sorted {
        return None;
    }
    let tails: Vec<String> = check
        .tail_splits
        .iter()
        .filter(|t| t.missing_classes > 0)
        .map(|t| {
            let classes: Vec<String> = t
                .classes
                .iter()
                .map(|c| format!("{} ({})", c.name, c.count))
                .collect();
            format!(
                "the last {:.0}% would hold only {}",
                t.fraction * 100.0,
                names(&classes)
            )
        })
        .collect();
    let consequence = if tails.is_empty() {
        String::new()
    } else {
        format!(
            "; a tail split taken without shuffling (like Keras `validation_split`): {}",
            tails.join(", ")
        )
    };
    Some(Warning {
        kind: WarningKind::SortedOrder,
        message: format!(
            "{scope} are in label order: {} label runs where ≈{:.0} are expected in random order{consequence}",
            check.runs, check.expected_runs
        ),
    })
}

fn outlier_warning(kind: WarningKind, list: &OutlierList, what: &str) -> Option<Warning> {
    if list.count == 0 {
        return None;
    }
    let examples: Vec<String> = list.items.iter().map(|o| o.item.id.clone()).collect();
    Some(Warning {
        kind,
        message: format!(
            "{} {what}, e.g. {}",
            plural(list.count, "image is", "images are"),
            names(&examples)
        ),
    })
}

/// Every warning about `p` (whose `warnings` field is ignored), in a fixed
/// order of kinds.
pub(crate) fn collect_warnings(p: &DatasetProfile) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut push = |kind, message: String| out.push(Warning { kind, message });

    let c = &p.corrupt_files;
    if c.count > 0 {
        let first: Vec<String> = c.files.iter().map(|f| f.path.clone()).collect();
        push(
            WarningKind::CorruptFiles,
            format!(
                "{} could not be used ({} failed to decode, {} skipped by the reader), e.g. {}",
                plural(c.count, "file", "files"),
                c.decode_failures,
                c.skipped,
                names(&first)
            ),
        );
    }

    let d = &p.duplicates;
    if d.cross_split_groups > 0 {
        let real = [SplitKey::Train, SplitKey::Val, SplitKey::Test];
        let mut pairs = Vec::new();
        for (i, a) in real.iter().enumerate() {
            for b in &real[i + 1..] {
                let n = d.groups_by_split_pair.get(*a, *b);
                if n > 0 {
                    pairs.push(format!("{}-{}: {n}", a.name(), b.name()));
                }
            }
        }
        let example = d
            .listed
            .iter()
            .find(|g| g.cross_split)
            .map(|g| {
                let items: Vec<String> = g
                    .items
                    .iter()
                    .take(2)
                    .map(|i| format!("`{}` ({})", i.id, i.split.name()))
                    .collect();
                format!(", e.g. {}", items.join(" = "))
            })
            .unwrap_or_default();
        push(
            WarningKind::Leakage,
            format!(
                "{} of identical images {} two or more splits ({}){example}",
                plural(d.cross_split_groups, "group", "groups"),
                verb(d.cross_split_groups, "spans", "span"),
                pairs.join(", ")
            ),
        );
    }
    let nd = &p.near_duplicates;
    if nd.cross_split_pairs > 0 {
        let n = usize::try_from(nd.cross_split_pairs).unwrap_or(usize::MAX);
        let example = nd
            .listed
            .iter()
            .find(|x| x.cross_split)
            .map(|x| {
                format!(
                    ", e.g. `{}` ({}) ~ `{}` ({})",
                    x.a.id,
                    x.a.split.name(),
                    x.b.id,
                    x.b.split.name()
                )
            })
            .unwrap_or_default();
        push(
            WarningKind::NearDuplicateLeakage,
            format!(
                "{} of near-duplicate images (the same picture shifted, rescaled, recoloured or re-encoded) {} two splits; {} val/test items have a copy in another split{example}",
                plural(n, "pair", "pairs"),
                verb(n, "spans", "span"),
                nd.leaked_items.len()
            ),
        );
    }
    let g = &p.groups;
    if g.cross_split_groups > 0 {
        let listed: Vec<String> = g.listed.iter().map(|x| x.group.clone()).collect();
        push(
            WarningKind::GroupLeakage,
            format!(
                "{} {} items in two or more splits: {}",
                plural(g.cross_split_groups, "group", "groups"),
                verb(g.cross_split_groups, "has", "have"),
                names(&listed)
            ),
        );
    }
    if d.conflicting_label_groups > 0 {
        push(
            WarningKind::ConflictingDuplicateLabels,
            format!(
                "{} of identical images {} different labels",
                plural(d.conflicting_label_groups, "group", "groups"),
                verb(d.conflicting_label_groups, "carries", "carry")
            ),
        );
    }

    if let Some(w) = order_warning("all items, in file order,", &p.order.all) {
        out.push(w);
    }
    for (key, check) in p.order.by_split.iter() {
        if let Some(w) = order_warning(&format!("the items of split `{}`", key.name()), check) {
            out.push(w);
        }
    }
    let mut push = |kind, message: String| out.push(Warning { kind, message });

    if !p.empty_classes.is_empty() {
        push(
            WarningKind::EmptyClass,
            format!(
                "{} no items: {}",
                plural(p.empty_classes.len(), "class has", "classes have"),
                names(&p.empty_classes)
            ),
        );
    }
    for (key, missing) in p.missing_classes.iter() {
        if !missing.is_empty() {
            push(
                WarningKind::MissingClass,
                format!(
                    "split `{}` has no items of {}: {}",
                    key.name(),
                    plural(missing.len(), "class", "classes"),
                    names(missing)
                ),
            );
        }
    }
    let k = p.classes.len();
    if k >= 2 && p.n_items > 0 {
        let limit = RARE_CLASS_FRACTION / k as f64;
        let rare: Vec<String> = p
            .classes
            .iter()
            .filter(|c| c.count > 0 && (c.count as f64 / p.n_items as f64) < limit)
            .map(|c| format!("{} ({})", c.name, c.count))
            .collect();
        if !rare.is_empty() {
            let ratio = p
                .imbalance_ratio
                .map(|r| format!("; largest/smallest = {r:.1}"))
                .unwrap_or_default();
            push(
                WarningKind::ClassImbalance,
                format!(
                    "{} under {:.2}% of the items (0.1/K): {}{ratio}",
                    plural(rare.len(), "class has", "classes have"),
                    limit * 100.0,
                    names(&rare)
                ),
            );
        }
    }

    if d.groups > 0 {
        push(
            WarningKind::Duplicates,
            format!(
                "{} of identical images ({} items in all)",
                plural(d.groups, "group", "groups"),
                d.items
            ),
        );
    }
    let gray = p.channels.get(&1).copied().unwrap_or(0);
    let rgb = p.channels.get(&3).copied().unwrap_or(0);
    if gray > 0 && rgb > 0 {
        push(
            WarningKind::MixedChannels,
            format!("the images mix gray ({gray}) and colour ({rgb}): convert them to one mode explicitly"),
        );
    }

    let o = &p.outliers;
    let blurry = format!(
        "blurry (sharpness under {}, the lower of the 1st percentile and a tenth of the median)",
        o.blurry
            .threshold
            .map_or_else(|| "n/a".to_string(), |t| format!("{t:.1}"))
    );
    let bound = |t: Option<f64>| t.map_or_else(|| "n/a".to_string(), |t| format!("{t:.3}"));
    let relative = |l: &OutlierList, what: &str, cmp: &str, sign: &str| {
        format!(
            "{what} {cmp} {} and {cmp} {}, the dataset's median {sign} 3·1.4826·MAD",
            bound(l.absolute_threshold),
            bound(l.robust_threshold)
        )
    };
    let rules = [
        (
            WarningKind::TooDark,
            &o.too_dark,
            format!(
                "too dark ({})",
                relative(&o.too_dark, "brightness", "<", "−")
            ),
        ),
        (
            WarningKind::TooBright,
            &o.too_bright,
            format!(
                "too bright ({})",
                relative(&o.too_bright, "brightness", ">", "+")
            ),
        ),
        (
            WarningKind::LowContrast,
            &o.low_contrast,
            format!(
                "low in contrast ({})",
                relative(&o.low_contrast, "RMS contrast", "<", "−")
            ),
        ),
        (WarningKind::Blurry, &o.blurry, blurry),
    ];
    for (kind, list, what) in rules {
        if let Some(w) = outlier_warning(kind, list, &what) {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capped() {
        let list: Vec<String> = (0..7).map(|i| format!("n{i}")).collect();
        assert_eq!(names(&list[..2]), "`n0`, `n1`");
        assert_eq!(names(&list), "`n0`, `n1`, `n2`, `n3`, `n4` and 2 more");
    }

    #[test]
    fn kinds_serialize_as_codes() {
        let json = serde_json::to_string(&WarningKind::ConflictingDuplicateLabels).unwrap();
        assert_eq!(json, r#""conflicting_duplicate_labels""#);
    }
}
