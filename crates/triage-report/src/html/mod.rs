//! The report as one self-contained HTML page: inline CSS, inline SVG,
//! thumbnails as `data:` URIs; no JavaScript, no external resource.

pub mod escape;
pub mod sections;

use std::fmt::Write;

use crate::model::Report;
use escape::escape;

/// Style sheet, inlined in `<style>`.
const CSS: &str = r#"
:root { --fg: #1d232a; --muted: #5b6570; --line: #d9dee3; --bg: #fff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); font-size: 22px; }
h3 { margin: 24px 0 8px; font-size: 17px; }
.meta { color: var(--muted); font-size: 13px; }
nav { margin: 12px 0; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 14px; }
nav a { color: #2d5d8a; text-decoration: none; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--panel); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.top { border: 1px solid var(--line); border-left: 5px solid #e15759; background: var(--panel); padding: 8px 16px; margin: 12px 0; }
.top h2 { border: 0; margin: 6px 0; font-size: 18px; }
p.empty { color: var(--muted); font-style: italic; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; font-size: 14px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left; vertical-align: top; }
td { font-variant-numeric: tabular-nums; }
figure { display: inline-block; vertical-align: top; margin: 8px 16px 8px 0; max-width: 100%; }
figure svg.plot { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; width: 0; min-width: 100%; }
figure.gallery { display: block; }
figure.gallery figcaption { width: auto; margin-bottom: 6px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 8px; }
.tile { border: 1px solid var(--line); border-radius: 4px; padding: 6px; font-size: 11px; line-height: 1.35; overflow-wrap: anywhere; }
.tile img { width: 64px; height: 64px; object-fit: contain; image-rendering: pixelated; display: block; margin-bottom: 4px; background: var(--panel); }
.tile .noimg { width: 64px; height: 64px; background: var(--panel); color: var(--muted); display: flex; align-items: center; justify-content: center; margin-bottom: 4px; }
.tile .id { font-weight: 600; }
ol.findings { padding-left: 22px; }
li.finding { margin: 10px 0; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; padding: 0 6px; border-radius: 3px; color: #fff; }
.badge.critical { background: #c0392b; }
.badge.warning { background: #c77c02; }
.badge.info { background: #4e79a7; }
.subject { color: var(--muted); }
.evidence, .fix { font-size: 14px; margin-left: 4px; }
footer { color: var(--muted); font-size: 12px; margin: 40px auto 24px; }
"#;

/// Render the whole page.
pub fn render_html(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = escape(&report.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"{}\"><title>{title}</title><style>{CSS}</style></head><body><header><h1>{title}</h1>",
        escape(&report.generator)
    );
    let inputs: Vec<String> = report
        .inputs
        .iter()
        .map(|i| format!("{} <code>{}</code>", escape(&i.kind), escape(&i.path)))
        .collect();
    let _ = write!(
        out,
        "<div class=\"meta\">Written by {}. Inputs: {}.</div><nav>",
        escape(&report.generator),
        if inputs.is_empty() {
            "none".to_string()
        } else {
            inputs.join(", ")
        }
    );
    for s in &report.sections {
        let _ = write!(
            out,
            "<a href=\"#{}\">{}</a>",
            s.kind.anchor(),
            escape(&s.title)
        );
    }
    out.push_str("</nav></header><main>");
    if !report.top_findings.is_empty() {
        out.push_str("<div class=\"top\" id=\"top-findings\"><h2>Top findings</h2>");
        out.push_str(&sections::findings_list(&report.top_findings));
        out.push_str("</div>");
    }
    for s in &report.sections {
        out.push_str(&sections::section(s));
    }
    let _ = writeln!(
        out,
        "</main><footer>Every number above comes from the input files listed at the top; the JSON model of this page is written by <code>triage report --json</code>. {}</footer></body></html>",
        escape(&report.generator)
    );
    out
}
