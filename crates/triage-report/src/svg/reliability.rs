//! Reliability diagrams (Guo et al. 2017): per confidence bin, the accuracy
//! as a bar against the diagonal of perfect calibration, the gap to the
//! bin's mean confidence shaded, and below, the count histogram.

use schemars::JsonSchema;
use serde::Serialize;

use super::axes::{border, format_tick, y_title, Area, Scale};
use super::{Anchor, Svg};

/// One bin (lower, upper].
#[derive(Debug, Clone, Serialize, PartialEq, JsonSchema)]
pub struct Bin {
    /// Lower edge of the confidence bin.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Samples in the bin.
    pub count: f64,
    /// Mean top-label confidence; `None` if empty.
    pub confidence: Option<f64>,
    /// Accuracy; `None` if empty.
    pub accuracy: Option<f64>,
}

/// A reliability diagram.
#[derive(Debug, Clone, Serialize, PartialEq, Default, JsonSchema)]
pub struct ReliabilityPlot {
    /// The bins, in increasing confidence.
    pub bins: Vec<Bin>,
    /// Expected calibration error, shown in the corner.
    pub ece: Option<f64>,
}

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 400.0;

impl ReliabilityPlot {
    /// Draw into `svg`; returns the (width, height) used.
    pub fn render(&self, svg: &mut Svg) -> (f64, f64) {
        let top = Area {
            left: 56.0,
            top: 12.0,
            right: WIDTH - 16.0,
            bottom: 262.0,
        };
        let hist = Area {
            top: 282.0,
            bottom: HEIGHT - 42.0,
            ..top
        };
        let xs = Scale {
            d0: 0.0,
            d1: 1.0,
            r0: top.left,
            r1: top.right,
        };
        let ys = Scale {
            d0: 0.0,
            d1: 1.0,
            r0: top.bottom,
            r1: top.top,
        };
        for i in 0..=5 {
            let v = i as f64 / 5.0;
            svg.line(top.left, ys.map(v), top.right, ys.map(v), "#e4e4e4", "");
            svg.text(
                top.left - 5.0,
                ys.map(v) + 4.0,
                Anchor::End,
                &format_tick(v, 0.2),
                "",
            );
            svg.text(
                xs.map(v),
                hist.bottom + 15.0,
                Anchor::Middle,
                &format_tick(v, 0.2),
                "",
            );
        }
        for b in &self.bins {
            let (Some(acc), Some(conf)) = (b.accuracy, b.confidence) else {
                continue;
            };
            let x = xs.map(b.lower);
            let w = xs.map(b.upper) - x;
            svg.rect(
                x,
                ys.map(acc),
                w,
                top.bottom - ys.map(acc),
                "#4e79a7",
                " stroke=\"#fff\"",
            );
            let (lo, hi) = (acc.min(conf), acc.max(conf));
            svg.rect(
                x,
                ys.map(hi),
                w,
                ys.map(lo) - ys.map(hi),
                "#e15759",
                " fill-opacity=\"0.35\" stroke=\"#e15759\" stroke-width=\"0.5\"",
            );
        }
        svg.line(
            xs.map(0.0),
            ys.map(0.0),
            xs.map(1.0),
            ys.map(1.0),
            "#333",
            " stroke-dasharray=\"4 3\"",
        );
        border(svg, top);
        y_title(svg, (top.top + top.bottom) / 2.0, "accuracy");
        if let Some(ece) = self.ece {
            svg.text(
                top.left + 8.0,
                top.top + 16.0,
                Anchor::Start,
                &format!("ECE = {ece:.3}"),
                "",
            );
        }
        svg.rect(top.left + 8.0, top.top + 26.0, 10.0, 10.0, "#4e79a7", "");
        svg.text(
            top.left + 22.0,
            top.top + 35.0,
            Anchor::Start,
            "accuracy",
            " font-size=\"11\"",
        );
        svg.rect(
            top.left + 8.0,
            top.top + 42.0,
            10.0,
            10.0,
            "#e15759",
            " fill-opacity=\"0.35\"",
        );
        svg.text(
            top.left + 22.0,
            top.top + 51.0,
            Anchor::Start,
            "gap to confidence",
            " font-size=\"11\"",
        );
        // Count histogram.
        let max = self
            .bins
            .iter()
            .map(|b| b.count)
            .fold(0.0, f64::max)
            .max(1.0);
        let hs = Scale {
            d0: 0.0,
            d1: max,
            r0: hist.bottom,
            r1: hist.top,
        };
        for b in &self.bins {
            let x = xs.map(b.lower);
            let w = xs.map(b.upper) - x;
            svg.rect(
                x,
                hs.map(b.count),
                w,
                hist.bottom - hs.map(b.count),
                "#9c755f",
                " stroke=\"#fff\"",
            );
        }
        border(svg, hist);
        svg.text(
            hist.left - 5.0,
            hist.top + 9.0,
            Anchor::End,
            &format!("{max:.0}"),
            " font-size=\"10\"",
        );
        svg.text(
            hist.left - 5.0,
            hist.bottom,
            Anchor::End,
            "0",
            " font-size=\"10\"",
        );
        y_title(svg, (hist.top + hist.bottom) / 2.0, "count");
        svg.text(
            (top.left + top.right) / 2.0,
            HEIGHT - 8.0,
            Anchor::Middle,
            "confidence (top-label probability)",
            "",
        );
        (WIDTH, HEIGHT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bins_draw_no_accuracy_bar() {
        let bins = vec![
            Bin {
                lower: 0.0,
                upper: 0.5,
                count: 0.0,
                confidence: None,
                accuracy: None,
            },
            Bin {
                lower: 0.5,
                upper: 1.0,
                count: 10.0,
                confidence: Some(0.9),
                accuracy: Some(0.6),
            },
        ];
        let mut svg = Svg::default();
        ReliabilityPlot {
            bins,
            ece: Some(0.3),
        }
        .render(&mut svg);
        assert!(svg.body.contains("ECE = 0.300"));
        // 1 accuracy bar + 1 gap + 2 legend swatches + 2 frames + 2 histogram bars.
        assert_eq!(svg.body.matches("<rect").count(), 8);
    }
}
