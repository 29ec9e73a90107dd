//! The human-readable summary of a profile (plain text, for a terminal).

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;

use triage_docs::profile::{DatasetProfile, OrderCheck, PairKind, Property, PropertySet, SplitKey};

/// Examples shown per section (duplicate groups, pairs, corrupt files).
const EXAMPLES: usize = 3;
/// Sizes shown.
const SIZES_SHOWN: usize = 5;

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.digits$}"))
}

/// Write the terminal summary of `profile`: the classes table with counts
/// per split, imbalance and effective classes, the order check, duplicates
/// and leakage with a few examples, corrupt files, sizes and modes, the
/// property table per split, outliers, and the warnings last.
pub fn write_profile_summary(out: &mut impl Write, profile: &DatasetProfile) -> io::Result<()> {
    let p = profile;
    writeln!(
        out,
        "triage profile: {} ({})",
        safe(&p.root),
        p.layout.name()
    )?;
    writeln!(
        out,
        "n = {} items ({} decoded), K = {} classes",
        p.n_items,
        p.n_decoded,
        p.classes.len()
    )?;
    writeln!(out)?;
    write_classes(out, p)?;
    writeln!(out)?;
    write_order(out, p)?;
    writeln!(out)?;
    write_duplicates(out, p)?;
    writeln!(out)?;
    write_files(out, p)?;
    writeln!(out)?;
    write_properties(out, p)?;
    writeln!(out)?;
    let o = &p.outliers;
    writeln!(
        out,
        "outliers: {} too dark, {} too bright, {} low contrast, {} blurry",
        o.too_dark.count, o.too_bright.count, o.low_contrast.count, o.blurry.count
    )?;
    writeln!(out)?;
    if p.warnings.is_empty() {
        writeln!(out, "no warnings")?;
    } else {
        writeln!(out, "{} warnings:", p.warnings.len())?;
        for w in &p.warnings {
            let kind = serde_json::to_value(w.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writeln!(out, "  warning[{kind}]: {}", safe(&w.message))?;
        }
    }
    Ok(())
}

fn write_classes(out: &mut impl Write, p: &DatasetProfile) -> io::Result<()> {
    let width = p
        .classes
        .iter()
        .map(|c| safe(&c.name).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 30);
    let keys: Vec<SplitKey> = SplitKey::ALL
        .into_iter()
        .filter(|&k| p.splits.get(k) > 0)
        .collect();
    let mut header = format!("{:<width$} {:>8}", "class", "total");
    for k in &keys {
        header.push_str(&format!(" {:>8}", k.name()));
    }
    writeln!(out, "{header}")?;
    for c in &p.classes {
        let name: String = safe(&c.name).chars().take(width).collect();
        let mut line = format!("{name:<width$} {:>8}", c.count);
        for k in &keys {
            line.push_str(&format!(" {:>8}", c.counts.get(*k)));
        }
        writeln!(out, "{line}")?;
    }
    let mut total = format!("{:<width$} {:>8}", "(all)", p.n_items);
    for k in &keys {
        total.push_str(&format!(" {:>8}", p.splits.get(*k)));
    }
    writeln!(out, "{total}")?;
    writeln!(
        out,
        "imbalance ratio (max/min): {}; effective classes: {} of {}",
        opt(p.imbalance_ratio, 2),
        opt(p.effective_classes, 2),
        p.classes.len()
    )?;
    if !p.empty_classes.is_empty() {
        writeln!(out, "empty classes: {}", safe(&p.empty_classes.join(", ")))?;
    }
    for (key, missing) in p.missing_classes.iter() {
        if !missing.is_empty() {
            writeln!(
                out,
                "missing from {}: {}",
                key.name(),
                safe(&missing.join(", "))
            )?;
        }
    }
    Ok(())
}

fn order_line(out: &mut impl Write, scope: &str, c: &OrderCheck) -> io::Result<()> {
    writeln!(
        out,
        "  {scope:<8} {} label runs, ≈{:.0} expected in random order{}",
        c.runs,
        c.expected_runs,
        if c.sorted { ": SORTED" } else { "" }
    )?;
    if c.sorted {
        for t in &c.tail_splits {
            let classes: Vec<String> = t
                .classes
                .iter()
                .take(5)
                .map(|s| format!("{} ({})", safe(&s.name), s.count))
                .collect();
            let more = t.classes.len().saturating_sub(5);
            writeln!(
                out,
                "           the last {:.0}% ({} items) would hold {} of {} classes: {}{}",
                t.fraction * 100.0,
                t.n_items,
                t.classes.len(),
                c.classes_present,
                classes.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )?;
        }
    }
    Ok(())
}

fn write_order(out: &mut impl Write, p: &DatasetProfile) -> io::Result<()> {
    writeln!(
        out,
        "order (file order, as a tail validation split would cut it):"
    )?;
    order_line(out, "all", &p.order.all)?;
    for (key, check) in p.order.by_split.iter() {
        order_line(out, key.name(), check)?;
    }
    Ok(())
}

fn write_duplicates(out: &mut impl Write, p: &DatasetProfile) -> io::Result<()> {
    let d = &p.duplicates;
    writeln!(
        out,
        "exact duplicates: {} groups ({} items); {} across splits, {} with conflicting labels",
        d.groups, d.items, d.cross_split_groups, d.conflicting_label_groups
    )?;
    for g in d.listed.iter().take(EXAMPLES) {
        let items: Vec<String> = g
            .items
            .iter()
            .take(4)
            .map(|i| format!("{} ({}, {})", safe(&i.id), i.split.name(), safe(&i.label)))
            .collect();
        writeln!(
            out,
            "  {} × {}{}",
            g.size,
            items.join(", "),
            if g.size > items.len() { ", …" } else { "" }
        )?;
    }
    let n = &p.near_duplicates;
    writeln!(
        out,
        "near-duplicates (k-NN on {}, aligned correlation): {} pairs in {} clusters ({} items); {} across splits, {} with different labels ({} candidate pairs verified)",
        n.candidates_from,
        n.pairs,
        n.clusters,
        n.items_in_clusters,
        n.cross_split_pairs,
        n.different_label_pairs,
        n.candidate_pairs
    )?;
    for pair in n.listed.iter().take(EXAMPLES) {
        writeln!(
            out,
            "  {} score={:.3} (neighbourhood {:.3}) {} ({}, {}) ~ {} ({}, {})",
            match pair.kind {
                PairKind::Exact => "exact",
                PairKind::Near => "near ",
            },
            pair.score,
            pair.reference_score,
            safe(&pair.a.id),
            pair.a.split.name(),
            safe(&pair.a.label),
            safe(&pair.b.id),
            pair.b.split.name(),
            safe(&pair.b.label)
        )?;
    }
    if p.groups.items_with_group > 0 {
        writeln!(
            out,
            "groups: {} ({} items); {} in two or more splits",
            p.groups.groups, p.groups.items_with_group, p.groups.cross_split_groups
        )?;
    }
    Ok(())
}

fn write_files(out: &mut impl Write, p: &DatasetProfile) -> io::Result<()> {
    let c = &p.corrupt_files;
    writeln!(
        out,
        "corrupt files: {} ({} failed to decode, {} skipped)",
        c.count, c.decode_failures, c.skipped
    )?;
    for f in c.files.iter().take(EXAMPLES) {
        writeln!(out, "  {}: {}", safe(&f.path), safe(&f.reason))?;
    }
    let shown = c.files.len().min(EXAMPLES);
    if c.count > shown {
        writeln!(out, "  … and {} more (see --json)", c.count - shown)?;
    }
    let sizes: Vec<String> = p
        .sizes
        .top
        .iter()
        .take(SIZES_SHOWN)
        .map(|s| format!("{}x{}: {}", s.width, s.height, s.count))
        .collect();
    let shown: usize = p.sizes.top.iter().take(SIZES_SHOWN).map(|s| s.count).sum();
    let rest = p.n_decoded.saturating_sub(shown);
    writeln!(
        out,
        "sizes: {} distinct; {}{}",
        p.sizes.distinct,
        sizes.join(", "),
        if rest > 0 {
            format!(", other: {rest}")
        } else {
            String::new()
        }
    )?;
    let channels: Vec<String> = p
        .channels
        .iter()
        .map(|(c, n)| format!("{c}: {n}"))
        .collect();
    let modes: Vec<String> = p
        .modes
        .iter()
        .map(|(m, n)| {
            let name = serde_json::to_value(m)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{name}: {n}")
        })
        .collect();
    writeln!(
        out,
        "channels: {}; modes: {}; files: {} bytes",
        channels.join(", "),
        modes.join(", "),
        p.file_bytes.total
    )?;
    Ok(())
}

fn write_properties(out: &mut impl Write, p: &DatasetProfile) -> io::Result<()> {
    let shown = [
        (Property::Brightness, 3),
        (Property::Contrast, 3),
        (Property::Colorfulness, 1),
        (Property::Sharpness, 0),
        (Property::Noise, 2),
        (Property::Entropy, 2),
    ];
    writeln!(out, "image properties (median per split):")?;
    let mut header = format!("  {:<8}", "split");
    for (prop, _) in &shown {
        header.push_str(&format!(" {:>12}", prop.name()));
    }
    writeln!(out, "{header}")?;
    let row = |out: &mut dyn Write, name: &str, set: &PropertySet| -> io::Result<()> {
        let mut line = format!("  {name:<8}");
        for (prop, digits) in &shown {
            line.push_str(&format!(" {:>12}", opt(set.get(*prop).p50, *digits)));
        }
        writeln!(out, "{line}")
    };
    row(out, "all", &p.properties.all)?;
    for (key, set) in p.properties.by_split.iter() {
        row(out, key.name(), set)?;
    }
    Ok(())
}
