//! The checks of [`super::PROFILE_RULES`], with their thresholds.

use triage_docs::profile::{DatasetProfile, OrderCheck, OutlierList, SplitKey};
use triage_docs::severity::Severity;

use super::wording::{names, plural, verb};
use super::{ProfileRule, Verdict};

/// Imbalance ratio (largest / smallest class) from which the rule fires:
/// at 3:1 a plain cross-entropy model already trades minority recall for
/// majority accuracy, and plain accuracy starts to hide it.
pub const IMBALANCE_WARNING_RATIO: f64 = 3.0;

/// Imbalance ratio from which the verdict is critical: at 10:1 a model can
/// reach high accuracy while ignoring the smallest classes.
pub const IMBALANCE_CRITICAL_RATIO: f64 = 10.0;

fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Files that failed to decode or that the reader skipped.
pub fn corrupt_files(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let c = &p.corrupt_files;
    if c.count == 0 {
        return Vec::new();
    }
    let first: Vec<String> = c.files.iter().map(|f| f.path.clone()).collect();
    vec![Verdict::new(
        rule.severity,
        "Some files cannot be read",
        format!(
            "{} could not be used ({} failed to decode, {} skipped by the reader), e.g. {}",
            plural(c.count, "file", "files"),
            c.decode_failures,
            c.skipped,
            names(&first)
        ),
        c.count as f64,
    )
    .with("corrupt_files", c.count)
    .with("decode_failures", c.decode_failures)
    .with("skipped", c.skipped)]
}

/// Identical images in two or more splits.
pub fn leakage(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let d = &p.duplicates;
    if d.cross_split_groups == 0 {
        return Vec::new();
    }
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
    vec![Verdict::new(
        rule.severity,
        "The same images appear in more than one split (leakage)",
        format!(
            "{} of identical images {} two or more splits ({}){example}",
            plural(d.cross_split_groups, "group", "groups"),
            verb(d.cross_split_groups, "spans", "span"),
            pairs.join(", ")
        ),
        d.cross_split_groups as f64,
    )
    .with("cross_split_duplicate_groups", d.cross_split_groups)]
}

/// Near-duplicate pairs whose images are in two different splits.
pub fn near_duplicate_leakage(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let nd = &p.near_duplicates;
    if nd.cross_split_pairs == 0 {
        return Vec::new();
    }
    let n = count(nd.cross_split_pairs);
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
    // Pairs that are only perceptually close may be distinct images of a
    // simple domain, so this warns where exact copies are critical.
    vec![Verdict::new(
        rule.severity,
        "Near-duplicate images appear in more than one split (possible leakage)",
        format!(
            "{} of near-duplicate images (the same picture shifted, rescaled, recoloured or re-encoded) {} two splits; {} val/test items have a copy in another split{example}",
            plural(n, "pair", "pairs"),
            verb(n, "spans", "span"),
            nd.leaked_items.len()
        ),
        n as f64,
    )
    .with("cross_split_near_duplicate_pairs", n)
    .with("leaked_items", nd.leaked_items.len())]
}

/// Groups with items in two or more splits.
pub fn group_leakage(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let g = &p.groups;
    if g.cross_split_groups == 0 {
        return Vec::new();
    }
    let listed: Vec<String> = g.listed.iter().map(|x| x.group.clone()).collect();
    vec![Verdict::new(
        rule.severity,
        "Groups are split across splits (leakage)",
        format!(
            "{} {} items in two or more splits: {}",
            plural(g.cross_split_groups, "group", "groups"),
            verb(g.cross_split_groups, "has", "have"),
            names(&listed)
        ),
        g.cross_split_groups as f64,
    )
    .with("cross_split_groups", g.cross_split_groups)]
}

/// Identical images with different labels.
pub fn conflicting_duplicate_labels(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let n = p.duplicates.conflicting_label_groups;
    if n == 0 {
        return Vec::new();
    }
    vec![Verdict::new(
        rule.severity,
        "Identical images carry different labels",
        format!(
            "{} of identical images {} different labels: label noise that caps the reachable accuracy",
            plural(n, "group", "groups"),
            verb(n, "carries", "carry")
        ),
        n as f64,
    )
    .with("conflicting_label_groups", n)]
}

fn order_verdict(rule: &ProfileRule, scope: &str, check: &OrderCheck) -> Option<Verdict> {
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
    Some(
        Verdict::new(
            rule.severity,
            "Files are sorted by class",
            format!(
                "{scope} are in label order: {} label runs where ≈{:.0} are expected in random order{consequence}",
                check.runs, check.expected_runs
            ),
            check.expected_runs / check.runs.max(1) as f64,
        )
        .with("runs", check.runs)
        .with("expected_runs", format!("{:.0}", check.expected_runs)),
    )
}

/// Labels in long runs in file order: over all items, and within each
/// split — one verdict naming every scope that is sorted.
pub fn sorted_order(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let mut scopes: Vec<Verdict> = order_verdict(rule, "all items, in file order,", &p.order.all)
        .into_iter()
        .collect();
    for (key, check) in p.order.by_split.iter() {
        scopes.extend(order_verdict(
            rule,
            &format!("the items of split `{}`", key.name()),
            check,
        ));
    }
    let n = scopes.len();
    let mut scopes = scopes.into_iter();
    let Some(mut first) = scopes.next() else {
        return Vec::new();
    };
    for v in scopes {
        first.message = format!("{}; {}", first.message, v.message);
        first.score += v.score;
    }
    vec![first.with("sorted_scopes", n)]
}

/// Classes without any item.
pub fn empty_class(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    if p.empty_classes.is_empty() {
        return Vec::new();
    }
    let n = p.empty_classes.len();
    vec![Verdict::new(
        rule.severity,
        "A class has no images",
        format!(
            "{} no items: {}",
            plural(n, "class has", "classes have"),
            names(&p.empty_classes)
        ),
        n as f64,
    )
    .with("empty_classes", n)]
}

/// Splits without any item of some class.
pub fn missing_class(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    p.missing_classes
        .iter()
        .filter(|(_, missing)| !missing.is_empty())
        .map(|(key, missing)| {
            Verdict::new(
                rule.severity,
                format!("Split `{}` lacks classes", key.name()),
                format!(
                    "split `{}` has no items of {}: {}",
                    key.name(),
                    plural(missing.len(), "class", "classes"),
                    names(missing)
                ),
                missing.len() as f64,
            )
            .with("split", key.name())
            .with("missing_classes", missing.len())
        })
        .collect()
}

/// Largest/smallest class count at or above [`IMBALANCE_WARNING_RATIO`]
/// (critical from [`IMBALANCE_CRITICAL_RATIO`]); the classes under a
/// third of the largest are named. An empty class is [`empty_class`]'s.
pub fn class_imbalance(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let Some(ratio) = p.imbalance_ratio else {
        return Vec::new();
    };
    if ratio < IMBALANCE_WARNING_RATIO {
        return Vec::new();
    }
    let (Some(l), Some(s)) = (
        p.classes.iter().max_by_key(|c| c.count),
        p.classes.iter().min_by_key(|c| c.count),
    ) else {
        return Vec::new();
    };
    let severity = if ratio >= IMBALANCE_CRITICAL_RATIO {
        Severity::Critical
    } else {
        rule.severity
    };
    let small: Vec<String> = p
        .classes
        .iter()
        .filter(|c| (c.count as f64) * IMBALANCE_WARNING_RATIO <= l.count as f64)
        .map(|c| format!("{} ({})", c.name, c.count))
        .collect();
    vec![Verdict::new(
        severity,
        format!("Classes are imbalanced {ratio:.1}:1"),
        format!(
            "the largest class `{}` has {} images, the smallest `{}` has {} (ratio {ratio:.1}, warning from {IMBALANCE_WARNING_RATIO}:1); {} at most a third of the largest: {}",
            l.name,
            l.count,
            s.name,
            s.count,
            plural(small.len(), "class has", "classes have"),
            names(&small)
        ),
        ratio,
    )
    .with("imbalance_ratio", format!("{ratio:.2}"))
    .with("largest", format!("{} ({})", l.name, l.count))
    .with("smallest", format!("{} ({})", s.name, s.count))]
}

/// Identical images anywhere in the dataset.
pub fn duplicates(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let d = &p.duplicates;
    if d.groups == 0 {
        return Vec::new();
    }
    vec![Verdict::new(
        rule.severity,
        "The dataset holds identical images",
        format!(
            "{} of identical images ({} items in all)",
            plural(d.groups, "group", "groups"),
            d.items
        ),
        d.items as f64,
    )
    .with("duplicate_groups", d.groups)
    .with("items", d.items)]
}

/// Gray and colour images in one dataset.
pub fn mixed_channels(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let gray = p.channels.get(&1).copied().unwrap_or(0);
    let rgb = p.channels.get(&3).copied().unwrap_or(0);
    if gray == 0 || rgb == 0 {
        return Vec::new();
    }
    vec![Verdict::new(
        rule.severity,
        "Gray and colour images are mixed",
        format!(
            "the images mix gray ({gray}) and colour ({rgb}): convert them to one mode explicitly"
        ),
        gray.min(rgb) as f64,
    )
    .with("gray", gray)
    .with("colour", rgb)]
}

fn bound(t: Option<f64>) -> String {
    t.map_or_else(|| "n/a".to_string(), |t| format!("{t:.3}"))
}

fn relative(l: &OutlierList, what: &str, cmp: &str, sign: &str) -> String {
    format!(
        "{what} {cmp} {} and {cmp} {}, the dataset's median {sign} 3·1.4826·MAD",
        bound(l.absolute_threshold),
        bound(l.robust_threshold)
    )
}

fn outliers(rule: &ProfileRule, list: &OutlierList, title: &str, what: &str) -> Vec<Verdict> {
    if list.count == 0 {
        return Vec::new();
    }
    let examples: Vec<String> = list.items.iter().map(|o| o.item.id.clone()).collect();
    vec![Verdict::new(
        rule.severity,
        title,
        format!(
            "{} {what}, e.g. {}",
            plural(list.count, "image is", "images are"),
            names(&examples)
        ),
        list.count as f64,
    )
    .with("images", list.count)
    .with("threshold", bound(list.threshold))]
}

/// Brightness below both bounds.
pub fn too_dark(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let l = &p.outliers.too_dark;
    let what = format!("too dark ({})", relative(l, "brightness", "<", "−"));
    outliers(rule, l, "Some images are very dark", &what)
}

/// Brightness above both bounds.
pub fn too_bright(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let l = &p.outliers.too_bright;
    let what = format!("too bright ({})", relative(l, "brightness", ">", "+"));
    outliers(rule, l, "Some images are very bright", &what)
}

/// RMS contrast below both bounds.
pub fn low_contrast(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let l = &p.outliers.low_contrast;
    let what = format!(
        "low in contrast ({})",
        relative(l, "RMS contrast", "<", "−")
    );
    outliers(rule, l, "Some images have almost no contrast", &what)
}

/// Sharpness far below the dataset's.
pub fn blurry(p: &DatasetProfile, rule: &ProfileRule) -> Vec<Verdict> {
    let l = &p.outliers.blurry;
    let what = format!(
        "blurry (sharpness under {}, the lower of the 1st percentile and a tenth of the median)",
        l.threshold
            .map_or_else(|| "n/a".to_string(), |t| format!("{t:.1}"))
    );
    outliers(rule, l, "Some images are blurry", &what)
}
