//! The rules: each looks at the graph (and the training setup, when one is
//! given) and returns findings with an id, a severity, the explanation,
//! the evidence in the graph, the fix and the reference.

mod architecture;
mod training;

use triage_docs::lint::{LintFinding, SetupDoc};
use triage_docs::profile::OrderReport;
use triage_docs::severity::Severity;

use crate::graph::Graph;
use crate::infer::Layer;

pub use architecture::{PLAIN_DEPTH, SMALL_INPUT};
pub use training::MIN_BN_BATCH;

/// What the rules read.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The graph.
    pub graph: &'a Graph,
    /// Its inferred layers, one per node.
    pub layers: &'a [Layer],
    /// The training setup, when known.
    pub setup: Option<&'a SetupDoc>,
    /// The dataset's order check (a profile), when given.
    pub order: Option<&'a OrderReport>,
    /// The file may hide BatchNorm (folded into convolutions by an
    /// inference export) and Dropout (dropped in eval mode).
    pub inference_export: bool,
}

/// Every rule's findings, most severe first (ties in rule order).
pub fn run_all(cx: &Context<'_>) -> Vec<LintFinding> {
    let mut out = architecture::check(cx);
    if let Some(setup) = cx.setup {
        out.extend(training::check(cx, setup));
    }
    out.sort_by_key(|f| f.severity);
    out
}

/// A finding.
pub(crate) fn finding(
    id: &str,
    severity: Severity,
    title: String,
    explanation: &str,
    evidence: String,
    fix: &str,
    reference: &str,
) -> LintFinding {
    LintFinding {
        id: id.to_owned(),
        severity,
        title,
        explanation: explanation.to_owned(),
        evidence,
        fix: fix.to_owned(),
        reference: reference.to_owned(),
    }
}

/// Up to five names, then "and N more".
pub(crate) fn listing(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    match names.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}
