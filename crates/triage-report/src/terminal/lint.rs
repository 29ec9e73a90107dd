//! The terminal summary of `triage lint`.

use std::io::{self, Write};

use triage_data::escape::terminal_safe as safe;
use triage_docs::lint::{LintDoc, ShapeDoc};

/// Layers printed in the table (all are in the JSON).
const LAYERS_SHOWN: usize = 80;

/// A shape in words: `64×16×16`, `(512)`, `?`.
pub(crate) fn shape(s: &ShapeDoc) -> String {
    match s {
        ShapeDoc::Map { c, h, w } => format!("{c}×{h}×{w}"),
        ShapeDoc::Vector { n } => format!("({n})"),
        ShapeDoc::Unknown => "?".into(),
    }
}

/// A count with thousands separators (`1 234 567`).
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Write the summary of a lint: the layer table, totals and stage
/// profile, the findings ranked with evidence and fix, and what the lint
/// could not see.
///
/// # Errors
///
/// Writing to `out` failed.
pub fn write_lint_summary(out: &mut impl Write, doc: &LintDoc) -> io::Result<()> {
    let input = doc.input.map_or("input shape unknown".into(), |(c, h, w)| {
        format!("input {c}×{h}×{w}")
    });
    writeln!(out, "{} ({}), {input}", safe(&doc.source), doc.model_format)?;
    writeln!(
        out,
        "{:<28} {:<22} {:>12} {:>10} {:>13} {:>5}",
        "layer", "type", "output", "params", "MACs", "RF"
    )?;
    for l in doc.layers.iter().take(LAYERS_SHOWN) {
        let mut name = safe(&l.name).into_owned();
        if name.chars().count() > 28 {
            name = format!("{}…", name.chars().take(27).collect::<String>());
        }
        writeln!(
            out,
            "{name:<28} {:<22} {:>12} {:>10} {:>13} {:>5}",
            safe(&l.kind),
            shape(&l.shape),
            grouped(l.params),
            grouped(l.macs),
            l.receptive_field.map_or(String::new(), |r| r.to_string())
        )?;
    }
    if doc.layers.len() > LAYERS_SHOWN {
        writeln!(
            out,
            "… {} more layers (--json lists all)",
            doc.layers.len() - LAYERS_SHOWN
        )?;
    }
    let t = &doc.totals;
    writeln!(
        out,
        "total: {} parameters ({} in dense layers), {} MACs per image, {} weight layers deep, receptive field {}",
        grouped(t.params),
        grouped(t.dense_params),
        grouped(t.macs),
        t.depth,
        t.receptive_field.map_or("—".into(), |r| format!("{r} px"))
    )?;
    for s in &doc.stages {
        writeln!(
            out,
            "  stage {}: {} channels, {}, {:.1} M MACs",
            s.stage,
            s.channels.map_or("—".into(), |c| c.to_string()),
            s.size.map_or("—".into(), |(h, w)| format!("{h}×{w}")),
            s.macs as f64 / 1e6
        )?;
    }
    if doc.findings.is_empty() {
        writeln!(out, "no findings")?;
    }
    for f in &doc.findings {
        writeln!(out, "[{}] {}: {}", f.severity.name(), f.id, safe(&f.title))?;
        writeln!(out, "    {}", safe(&f.evidence))?;
        writeln!(out, "    fix: {}", safe(&f.fix))?;
    }
    for u in &doc.unknown_ops {
        writeln!(
            out,
            "not understood (skipped): {} × {}",
            safe(&u.op),
            u.count
        )?;
    }
    for n in &doc.notes {
        writeln!(out, "note: {}", safe(n))?;
    }
    Ok(())
}
