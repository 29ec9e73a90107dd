//! Assemble the [`Report`] model from the inputs: one builder per section
//! kind, plus the findings.

mod comparison;
pub mod data;
mod limits;
mod model;
pub mod performance;
mod shift;
mod sweep;

pub(crate) use shift::fmt_p as shift_fmt_p;
mod training;

use crate::error::ReportError;
use crate::findings::{run_rules, Finding};
use crate::inputs::ReportInputs;
use crate::model::{Block, InputRef, Report, Section, SectionKind};

/// Findings shown in the box at the top of the report.
pub const TOP_FINDINGS: usize = 5;

/// Settings of [`build_report`].
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Title; default "triage report".
    pub title: Option<String>,
    /// Thumbnails in the top-losses gallery (default 24).
    pub top_losses: usize,
    /// Most-confused class pairs shown (default 6).
    pub confused_pairs: usize,
    /// Example thumbnails per confused pair (default 4).
    pub per_pair: usize,
    /// Largest thumbnail side in pixels (default 64).
    pub thumbnail_px: u32,
    /// Pairs shown in the gallery of copies across splits (default 12).
    pub leak_pairs: usize,
    /// Suspects shown per label-issues document (default 24).
    pub label_suspects: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            title: None,
            top_losses: 24,
            confused_pairs: 6,
            per_pair: 4,
            thumbnail_px: 64,
            leak_pairs: 12,
            label_suspects: 24,
        }
    }
}

/// Build the report: sections in [`SectionKind::ORDER`], every section
/// present (empty ones are rendered with a hint), findings ranked.
///
/// # Errors
/// A predictions file (for the galleries) that cannot be read or does not
/// match its evaluation.
pub fn build_report(inputs: &ReportInputs, options: &ReportOptions) -> Result<Report, ReportError> {
    let findings = run_rules(inputs);
    let mut sections = Vec::with_capacity(SectionKind::ORDER.len());
    for kind in SectionKind::ORDER {
        let mut blocks = match kind {
            SectionKind::Data => data::blocks(inputs, options),
            SectionKind::Model => model::blocks(inputs),
            SectionKind::Training => training::blocks(inputs),
            SectionKind::Performance => {
                let mut blocks = performance::blocks(inputs, options)?;
                blocks.extend(comparison::blocks(inputs));
                blocks.extend(sweep::blocks(inputs));
                blocks
            }
            SectionKind::Limits => limits::blocks(inputs),
            SectionKind::Deployment => {
                let mut blocks = performance::deployment_blocks(inputs);
                blocks.extend(shift::blocks(inputs, options));
                blocks
            }
            SectionKind::Findings => {
                if findings.is_empty() {
                    Vec::new()
                } else {
                    vec![Block::Findings {
                        findings: findings.clone(),
                    }]
                }
            }
        };
        if kind != SectionKind::Findings {
            let own: Vec<Finding> = findings
                .iter()
                .filter(|f| f.section == kind)
                .cloned()
                .collect();
            if !own.is_empty() && !blocks.is_empty() {
                blocks.push(Block::Heading {
                    text: format!("Findings about {}", kind.title().to_lowercase()),
                });
                blocks.push(Block::Findings { findings: own });
            }
        }
        sections.push(Section {
            kind,
            title: kind.title().to_string(),
            blocks,
        });
    }
    Ok(Report {
        format: crate::model::REPORT_FORMAT.into(),
        version: crate::model::REPORT_VERSION,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| "triage report".to_string()),
        generator: format!("triage {}", env!("CARGO_PKG_VERSION")),
        inputs: input_refs(inputs),
        top_findings: findings.iter().take(TOP_FINDINGS).cloned().collect(),
        sections,
    })
}

fn input_refs(inputs: &ReportInputs) -> Vec<InputRef> {
    let r = |kind: &str, name: &str, path: &std::path::Path| InputRef {
        kind: kind.into(),
        name: name.into(),
        path: path.display().to_string(),
    };
    let mut out: Vec<InputRef> = inputs
        .runs
        .iter()
        .map(|x| r("run", &x.name, &x.path))
        .collect();
    out.extend(
        inputs
            .profiles
            .iter()
            .map(|x| r("profile", &x.name, &x.path)),
    );
    for e in &inputs.evaluations {
        out.push(r("evaluation", &e.name, &e.path));
        if let Some(p) = &e.predictions {
            out.push(r("predictions", &e.name, p));
        }
    }
    out.extend(
        inputs
            .label_issues
            .iter()
            .map(|x| r("label issues", &x.name, &x.path)),
    );
    out.extend(inputs.shifts.iter().map(|x| r("shift", &x.name, &x.path)));
    out.extend(inputs.bayes.iter().map(|x| r("bayes", &x.name, &x.path)));
    out
}

/// A number with three decimals, or "—".
pub(crate) fn f3(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or_else(|| "—".to_string(), |x| format!("{x:.3}"))
}

/// `0.912 [0.890, 0.930]`, or without the interval.
pub(crate) fn with_ci(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) if v.is_some() => format!("{} [{lo:.3}, {hi:.3}]", f3(v)),
        _ => f3(v),
    }
}
