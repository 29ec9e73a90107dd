//! Interval charts ("forest plots"): one row per quantity, a point with
//! its interval on a shared horizontal axis.

use schemars::JsonSchema;
use serde::Serialize;

use super::axes::{frame, nice_ticks, Area};
use super::{color, truncate, Anchor, Svg};

/// One row: a point estimate and its interval.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct IntervalRow {
    /// Row label.
    pub label: String,
    /// The point.
    pub value: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Colour number (rows of one kind share it).
    pub color: usize,
}

/// Rows of intervals on one axis.
#[derive(Debug, Clone, Serialize, PartialEq, Default, JsonSchema)]
pub struct IntervalChart {
    /// The rows, top to bottom.
    pub rows: Vec<IntervalRow>,
    /// x-axis title.
    pub x_label: String,
}

const WIDTH: f64 = 800.0;
const LABEL: f64 = 340.0;
const ROW: f64 = 22.0;

impl IntervalChart {
    /// Draw into `svg`; returns the (width, height) used.
    pub fn render(&self, svg: &mut Svg) -> (f64, f64) {
        let n = self.rows.len().max(1);
        let height = 14.0 + n as f64 * ROW + 44.0;
        let area = Area {
            left: LABEL,
            top: 14.0,
            right: WIDTH - 20.0,
            bottom: 14.0 + n as f64 * ROW,
        };
        let finite = |v: f64| v.is_finite().then_some(v);
        let max = self
            .rows
            .iter()
            .filter_map(|r| finite(r.high).or(finite(r.value)))
            .fold(0.0, f64::max);
        let (x0, x1, xt) = nice_ticks(0.0, max.max(1e-9), 6);
        let (xs, _) = frame(svg, area, (x0, x1, &xt), (0.0, 1.0, &[]), &self.x_label, "");
        for (i, row) in self.rows.iter().enumerate() {
            let y = area.top + (i as f64 + 0.5) * ROW;
            svg.text(
                area.left - 8.0,
                y + 4.0,
                Anchor::End,
                &truncate(&row.label, 50),
                "",
            );
            if !(row.value.is_finite() && row.low.is_finite() && row.high.is_finite()) {
                continue;
            }
            let c = color(row.color);
            let (a, b) = (xs.map(row.low), xs.map(row.high));
            svg.line(a, y, b, y, c, " stroke-width=\"2\"");
            svg.line(a, y - 5.0, a, y + 5.0, c, "");
            svg.line(b, y - 5.0, b, y + 5.0, c, "");
            svg.rect_titled(
                xs.map(row.value) - 4.0,
                y - 4.0,
                8.0,
                8.0,
                c,
                "",
                &format!(
                    "{}: {:.4} [{:.4}, {:.4}]",
                    row.label, row.value, row.low, row.high
                ),
            );
        }
        (WIDTH, height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_marker_per_row_and_labels_escaped() {
        let chart = IntervalChart {
            rows: vec![
                IntervalRow {
                    label: "model <test>".into(),
                    value: 0.1,
                    low: 0.08,
                    high: 0.12,
                    color: 0,
                },
                IntervalRow {
                    label: "knn".into(),
                    value: 0.05,
                    low: 0.04,
                    high: 0.06,
                    color: 1,
                },
            ],
            x_label: "error (%)".into(),
        };
        let svg = super::super::render(&super::super::Plot::Intervals(chart), "i", "t");
        assert_eq!(svg.matches("<rect").count() - 1, 2, "{svg}");
        assert!(svg.contains("model &lt;test&gt;"));
    }
}
