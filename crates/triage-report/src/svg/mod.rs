//! Plots as inline SVG: axes with ticks, line plots, grouped bars,
//! heatmaps, reliability diagrams and interval charts. Every label is a real `<text>`
//! element with escaped content; sizes are in SVG user units (px at 100 %).

pub mod axes;
pub mod bars;
pub mod heatmap;
pub mod intervals;
pub mod line;
pub mod reliability;

use schemars::JsonSchema;
use serde::Serialize;

pub use bars::BarChart;
pub use heatmap::Heatmap;
pub use intervals::{IntervalChart, IntervalRow};
pub use line::{LinePlot, Series};
pub use reliability::ReliabilityPlot;

/// Colour-blind-safe categorical palette (Tableau 10).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Colour number `i` of [`PALETTE`], cycling.
pub fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A plot of any kind.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plot {
    /// Lines against a numeric x axis.
    Line(LinePlot),
    /// Grouped bars over categories.
    Bars(BarChart),
    /// A matrix of coloured cells.
    Heatmap(Heatmap),
    /// Accuracy against confidence per bin, with the count histogram.
    Reliability(ReliabilityPlot),
    /// Points with intervals, one row each.
    Intervals(IntervalChart),
}

/// Render `plot` as one `<svg>` element with the given `id` (escaped).
pub fn render(plot: &Plot, id: &str, title: &str) -> String {
    let mut svg = Svg::default();
    let (w, h) = match plot {
        Plot::Line(p) => p.render(&mut svg),
        Plot::Bars(p) => p.render(&mut svg),
        Plot::Heatmap(p) => p.render(&mut svg),
        Plot::Reliability(p) => p.render(&mut svg),
        Plot::Intervals(p) => p.render(&mut svg),
    };
    format!(
        "<svg id=\"{}\" class=\"plot\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\" font-family=\"system-ui, sans-serif\" font-size=\"12\"><title>{}</title>{}</svg>",
        esc(id),
        esc(title),
        esc(title),
        svg.body
    )
}

/// Escape text for SVG/HTML text and attribute context.
pub(crate) fn esc(s: &str) -> String {
    crate::html::escape::escape(s)
}

/// An SVG body under construction.
#[derive(Debug, Default)]
pub struct Svg {
    /// The elements written so far.
    pub body: String,
}

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    /// Text starts at x.
    Start,
    /// Text is centred on x.
    Middle,
    /// Text ends at x.
    End,
}

impl Svg {
    /// A line segment.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, extra: &str) {
        self.body.push_str(&format!(
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\"{extra}/>"
        ));
    }

    /// A rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        self.body.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"{extra}/>",
            w.max(0.0),
            h.max(0.0)
        ));
    }

    /// A rectangle with a tooltip (`<title>`, escaped).
    #[allow(clippy::too_many_arguments)]
    pub fn rect_titled(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        extra: &str,
        title: &str,
    ) {
        self.body.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"{extra}><title>{}</title></rect>",
            w.max(0.0),
            h.max(0.0),
            esc(title)
        ));
    }

    /// Text (escaped) at (x, y); `extra` holds further attributes.
    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, text: &str, extra: &str) {
        let a = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        self.body.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{a}\"{extra}>{}</text>",
            esc(text)
        ));
    }

    /// Raw markup (callers escape their text).
    pub fn raw(&mut self, s: &str) {
        self.body.push_str(s);
    }
}

/// Shorten `s` to at most `max` characters, with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
