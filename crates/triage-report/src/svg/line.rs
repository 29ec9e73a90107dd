//! Line plots: several series against a numeric x axis, with a legend on
//! the right, optional vertical markers and the y = x diagonal.

use schemars::JsonSchema;
use serde::Serialize;

use super::axes::{frame, nice_ticks, Area};
use super::{color, truncate, Anchor, Svg};

/// Largest number of points drawn per series; longer series are thinned
/// evenly (ends kept) when the plot is built.
pub const MAX_POINTS: usize = 250;

/// One line.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// (x, y) points in x order; a non-finite y breaks the line.
    pub points: Vec<[f64; 2]>,
    /// Palette index of the colour.
    pub color: usize,
    /// Dashed instead of solid.
    pub dashed: bool,
    /// Drawn thicker (averages, headline curves).
    pub bold: bool,
}

impl Series {
    /// A solid series with at most [`MAX_POINTS`] points.
    pub fn new(name: impl Into<String>, points: Vec<[f64; 2]>, color: usize) -> Self {
        Self {
            name: name.into(),
            points: thin_points(points, MAX_POINTS),
            color,
            dashed: false,
            bold: false,
        }
    }

    /// The same series, dashed.
    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }

    /// The same series, bold.
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
}

/// A vertical marker line at `x` with a label.
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct Marker {
    /// Position on the x axis.
    pub x: f64,
    /// Label drawn at the top.
    pub label: String,
}

/// A line plot.
#[derive(Debug, Clone, Serialize, PartialEq, Default, JsonSchema)]
pub struct LinePlot {
    /// x-axis title.
    pub x_label: String,
    /// y-axis title.
    pub y_label: String,
    /// Fixed x range (else from the data).
    pub x_range: Option<[f64; 2]>,
    /// Fixed y range (else from the data).
    pub y_range: Option<[f64; 2]>,
    /// The lines.
    pub series: Vec<Series>,
    /// Vertical markers.
    pub markers: Vec<Marker>,
    /// Draw the y = x diagonal (ROC chance line).
    pub diagonal: bool,
}

const WIDTH: f64 = 580.0;
const HEIGHT: f64 = 330.0;
const LEGEND: f64 = 190.0;

impl LinePlot {
    /// Draw into `svg`; returns the (width, height) used.
    pub fn render(&self, svg: &mut Svg) -> (f64, f64) {
        let area = Area {
            left: 56.0,
            top: 14.0,
            right: WIDTH - LEGEND,
            bottom: HEIGHT - 42.0,
        };
        let finite = |i: usize| {
            self.series
                .iter()
                .flat_map(move |s| s.points.iter().map(move |p| p[i]))
                .filter(|v| v.is_finite())
        };
        let range = |fixed: Option<[f64; 2]>, i: usize| match fixed {
            Some([a, b]) => (a, b),
            None => finite(i).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            }),
        };
        let (x0, x1) = range(self.x_range, 0);
        let (y0, y1) = range(self.y_range, 1);
        let (x0, x1, xt) = match self.x_range {
            Some(_) => fixed_ticks(x0, x1),
            None => nice_ticks(x0, x1, 6),
        };
        let (y0, y1, yt) = match self.y_range {
            Some(_) => fixed_ticks(y0, y1),
            None => nice_ticks(y0, y1, 5),
        };
        let (xs, ys) = frame(
            svg,
            area,
            (x0, x1, &xt),
            (y0, y1, &yt),
            &self.x_label,
            &self.y_label,
        );
        if self.diagonal {
            svg.line(
                xs.map(x0),
                ys.map(y0),
                xs.map(x1),
                ys.map(y1),
                "#999",
                " stroke-dasharray=\"2 3\"",
            );
        }
        for m in &self.markers {
            let px = xs.map(m.x);
            svg.line(
                px,
                area.top,
                px,
                area.bottom,
                "#333",
                " stroke-dasharray=\"4 3\"",
            );
            // Label on the side with more room, so that it never runs into the legend.
            if px > (area.left + area.right) / 2.0 {
                svg.text(
                    px - 3.0,
                    area.top + 11.0,
                    Anchor::End,
                    &m.label,
                    " font-size=\"11\"",
                );
            } else {
                svg.text(
                    px + 3.0,
                    area.top + 11.0,
                    Anchor::Start,
                    &m.label,
                    " font-size=\"11\"",
                );
            }
        }
        for s in &self.series {
            let mut d = String::new();
            let mut pen_up = true;
            for p in &s.points {
                if !(p[0].is_finite() && p[1].is_finite()) {
                    pen_up = true;
                    continue;
                }
                let cmd = if pen_up { 'M' } else { 'L' };
                d.push_str(&format!("{cmd}{:.1},{:.1}", xs.map(p[0]), ys.map(p[1])));
                pen_up = false;
            }
            let dash = if s.dashed {
                " stroke-dasharray=\"6 3\""
            } else {
                ""
            };
            let width = if s.bold { 2.6 } else { 1.5 };
            svg.raw(&format!(
                "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"{dash}/>",
                color(s.color)
            ));
            if s.points.len() == 1 {
                let p = s.points[0];
                svg.raw(&format!(
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"/>",
                    xs.map(p[0]),
                    ys.map(p[1]),
                    color(s.color)
                ));
            }
        }
        legend(svg, area.right + 12.0, area.top, &self.series);
        (WIDTH, HEIGHT)
    }
}

/// Ticks at fifths of a fixed range.
fn fixed_ticks(a: f64, b: f64) -> (f64, f64, Vec<f64>) {
    (
        a,
        b,
        (0..=5).map(|i| a + (b - a) * i as f64 / 5.0).collect(),
    )
}

/// The legend: one row per series (at most 16; the rest counted).
fn legend(svg: &mut Svg, x: f64, y: f64, series: &[Series]) {
    const MAX_ROWS: usize = 16;
    for (i, s) in series.iter().take(MAX_ROWS).enumerate() {
        let ry = y + 8.0 + i as f64 * 17.0;
        let dash = if s.dashed {
            " stroke-dasharray=\"6 3\""
        } else {
            ""
        };
        let width = if s.bold { 2.6 } else { 1.5 };
        svg.line(
            x,
            ry,
            x + 22.0,
            ry,
            color(s.color),
            &format!(" stroke-width=\"{width}\"{dash}"),
        );
        svg.text(
            x + 27.0,
            ry + 4.0,
            Anchor::Start,
            &truncate(&s.name, 26),
            "",
        );
    }
    if series.len() > MAX_ROWS {
        let ry = y + 8.0 + MAX_ROWS as f64 * 17.0;
        let more = format!("… {} more", series.len() - MAX_ROWS);
        svg.text(x, ry + 4.0, Anchor::Start, &more, "");
    }
}

/// At most `max` evenly spaced points, first and last kept.
pub fn thin_points(points: Vec<[f64; 2]>, max: usize) -> Vec<[f64; 2]> {
    if points.len() <= max || max < 2 {
        return points;
    }
    let n = points.len();
    let mut keep: Vec<usize> = (0..max)
        .map(|j| (j as f64 * (n - 1) as f64 / (max - 1) as f64).round() as usize)
        .collect();
    keep.dedup();
    keep.into_iter().map(|i| points[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot() -> LinePlot {
        LinePlot {
            x_label: "epoch".into(),
            y_label: "loss".into(),
            series: vec![
                Series::new(
                    "train <loss>",
                    vec![[1.0, 2.0], [2.0, 1.0], [3.0, f64::NAN], [4.0, 0.5]],
                    0,
                ),
                Series::new("val", vec![[1.0, 2.5], [2.0, 1.5]], 1).dashed(),
            ],
            markers: vec![Marker {
                x: 2.0,
                label: "best".into(),
            }],
            ..LinePlot::default()
        }
    }

    #[test]
    fn draws_one_path_per_series_with_escaped_legend() {
        let mut svg = Svg::default();
        plot().render(&mut svg);
        assert_eq!(svg.body.matches("<path").count(), 2);
        assert!(svg.body.contains("train &lt;loss&gt;"));
        assert!(!svg.body.contains("<loss>"));
        assert!(svg.body.contains(">best</text>"));
        // The NaN breaks the first line into two sub-paths.
        let first = svg.body.split("<path d=\"").nth(1).unwrap();
        let d = first.split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
    }

    #[test]
    fn thinning_keeps_the_ends() {
        let pts: Vec<[f64; 2]> = (0..1000).map(|i| [i as f64, 0.0]).collect();
        let t = thin_points(pts, 10);
        assert_eq!(t.len(), 10);
        assert_eq!((t[0][0], t[9][0]), (0.0, 999.0));
    }
}
