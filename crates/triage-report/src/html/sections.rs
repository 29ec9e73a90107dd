//! HTML of sections and their blocks.

use std::fmt::Write;

use super::escape::{escape, inline};
use crate::findings::Finding;
use crate::model::{Block, Gallery, KeyValue, Section, Table};
use crate::svg;

/// One `<section>`; an empty one shows its kind's hint.
pub fn section(s: &Section) -> String {
    let mut out = format!(
        "<section id=\"{}\"><h2>{}</h2>",
        s.kind.anchor(),
        escape(&s.title)
    );
    if s.blocks.is_empty() {
        let _ = write!(
            out,
            "<p class=\"empty\">{}</p>",
            inline(s.kind.empty_hint())
        );
    }
    for b in &s.blocks {
        out.push_str(&block(b));
    }
    out.push_str("</section>");
    out
}

fn block(b: &Block) -> String {
    match b {
        Block::Heading { text } => format!("<h3>{}</h3>", inline(text)),
        Block::Paragraph { text } => format!("<p>{}</p>", inline(text)),
        Block::KeyValues { items } => key_values(items),
        Block::Table(t) => table(t),
        Block::Figure(f) => format!(
            "<figure>{}<figcaption>{}</figcaption></figure>",
            svg::render(&f.plot, &f.id, &f.caption),
            inline(&f.caption)
        ),
        Block::Gallery(g) => gallery(g),
        Block::Findings { findings } => findings_list(findings),
    }
}

fn key_values(items: &[KeyValue]) -> String {
    let mut out = String::from("<dl class=\"facts\">");
    for kv in items {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&kv.key),
            escape(&kv.value)
        );
    }
    out.push_str("</dl>");
    out
}

fn table(t: &Table) -> String {
    let mut out = format!(
        "<div class=\"scroll\"><table id=\"{}\"><caption>{}</caption><thead><tr>",
        escape(&t.id),
        inline(&t.caption)
    );
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", inline(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

fn gallery(g: &Gallery) -> String {
    let mut out = format!(
        "<figure class=\"gallery\" id=\"{}\"><figcaption>{}</figcaption><div class=\"tiles\">",
        escape(&g.id),
        inline(&g.caption)
    );
    for t in &g.tiles {
        out.push_str("<div class=\"tile\">");
        match &t.image {
            // The URI is built by this crate from base64 (no quotes possible);
            // escaped anyway.
            Some(uri) => {
                let _ = write!(
                    out,
                    "<img src=\"{}\" alt=\"{}\">",
                    escape(uri),
                    escape(&t.label)
                );
            }
            None => out.push_str("<div class=\"noimg\">no image</div>"),
        }
        let _ = write!(out, "<div class=\"id\">{}</div>", escape(&t.label));
        for line in &t.lines {
            let _ = write!(out, "<div>{}</div>", escape(line));
        }
        out.push_str("</div>");
    }
    out.push_str("</div></figure>");
    out
}

/// A list of findings, each with severity, evidence and fix.
pub fn findings_list(findings: &[Finding]) -> String {
    let mut out = String::from("<ol class=\"findings\">");
    for f in findings {
        let subject = f.subject.as_ref().map_or(String::new(), |s| {
            format!(" <span class=\"subject\">({})</span>", escape(s))
        });
        let _ = write!(
            out,
            "<li class=\"finding {sev}\" data-rule=\"{id}\"><span class=\"badge {sev}\">{sev}</span> <strong>{title}</strong>{subject}<div class=\"evidence\"><em>Evidence:</em> {evidence}</div><div class=\"fix\"><em>Fix:</em> {fix}</div></li>",
            sev = f.severity.name(),
            id = escape(&f.id),
            title = inline(&f.title),
            evidence = inline(&f.evidence),
            fix = inline(&f.fix),
        );
    }
    out.push_str("</ol>");
    out
}
