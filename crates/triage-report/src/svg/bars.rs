//! Grouped bar charts: one group of bars per category, one bar per series.

use schemars::JsonSchema;
use serde::Serialize;

use super::axes::{frame, nice_ticks, Area};
use super::{color, truncate, Anchor, Svg};

/// One series of bars (e.g. one split).
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct BarSeries {
    /// Legend entry.
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
}

/// A grouped bar chart.
#[derive(Debug, Clone, Serialize, PartialEq, Default, JsonSchema)]
pub struct BarChart {
    /// Category names (x axis).
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<BarSeries>,
    /// y-axis title.
    pub y_label: String,
    /// x-axis title.
    pub x_label: String,
}

const HEIGHT: f64 = 330.0;
const LEGEND: f64 = 120.0;

impl BarChart {
    /// Draw into `svg`; returns the (width, height) used.
    pub fn render(&self, svg: &mut Svg) -> (f64, f64) {
        let k = self.categories.len().max(1);
        let s = self.series.len().max(1);
        // Wide enough for the bars, at least as wide as a line plot.
        let width = (56.0 + LEGEND + (k * (s * 8 + 6)) as f64).clamp(580.0, 1180.0);
        let rotate = k > 8;
        let bottom = if rotate { HEIGHT - 90.0 } else { HEIGHT - 42.0 };
        let area = Area {
            left: 56.0,
            top: 14.0,
            right: width - LEGEND,
            bottom,
        };
        let max = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (y0, y1, yt) = nice_ticks(0.0, max.max(1e-9), 5);
        let (_, ys) = frame(svg, area, (0.0, 1.0, &[]), (y0, y1, &yt), "", &self.y_label);
        let slot = (area.right - area.left) / k as f64;
        let bar = (slot * 0.8 / s as f64).max(0.5);
        for (c, name) in self.categories.iter().enumerate() {
            let x0 = area.left + c as f64 * slot + slot * 0.1;
            for (j, series) in self.series.iter().enumerate() {
                let v = series.values.get(c).copied().unwrap_or(0.0);
                if !v.is_finite() {
                    continue;
                }
                let top = ys.map(v);
                svg.rect_titled(
                    x0 + j as f64 * bar,
                    top,
                    bar,
                    area.bottom - top,
                    color(j),
                    "",
                    &format!("{name}: {} {v}", series.name),
                );
            }
            let cx = area.left + (c as f64 + 0.5) * slot;
            let label = truncate(name, 14);
            if rotate {
                let y = area.bottom + 10.0;
                svg.text(
                    cx,
                    y,
                    Anchor::End,
                    &label,
                    &format!(" transform=\"rotate(-45 {cx:.1} {y:.1})\" font-size=\"11\""),
                );
            } else {
                svg.text(cx, area.bottom + 15.0, Anchor::Middle, &label, "");
            }
        }
        svg.text(
            (area.left + area.right) / 2.0,
            HEIGHT - 6.0,
            Anchor::Middle,
            &self.x_label,
            "",
        );
        for (j, series) in self.series.iter().enumerate() {
            let y = area.top + 8.0 + j as f64 * 17.0;
            svg.rect(area.right + 12.0, y - 6.0, 12.0, 12.0, color(j), "");
            svg.text(
                area.right + 30.0,
                y + 4.0,
                Anchor::Start,
                &truncate(&series.name, 14),
                "",
            );
        }
        (width, HEIGHT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_category_and_series() {
        let chart = BarChart {
            categories: vec!["cat".into(), "<dog>".into(), "bird".into()],
            series: vec![
                BarSeries {
                    name: "train".into(),
                    values: vec![10.0, 20.0, 5.0],
                },
                BarSeries {
                    name: "test".into(),
                    values: vec![1.0, 2.0, 0.0],
                },
            ],
            y_label: "images".into(),
            x_label: "class".into(),
        };
        let mut svg = Svg::default();
        chart.render(&mut svg);
        // 6 bars + 2 legend swatches + the frame.
        assert_eq!(svg.body.matches("<rect").count(), 9);
        assert!(svg.body.contains("&lt;dog&gt;"));
        assert!(!svg.body.contains("<dog>"));
    }
}
