//! Linear scales, "nice" tick values and the axis frame.

use super::{Anchor, Svg};

/// Maps the data interval `[d0, d1]` to the pixel interval `[r0, r1]`.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Data start.
    pub d0: f64,
    /// Data end.
    pub d1: f64,
    /// Pixel position of `d0`.
    pub r0: f64,
    /// Pixel position of `d1`.
    pub r1: f64,
}

impl Scale {
    /// The pixel position of `v` (clamped to the range ±10 %).
    pub fn map(&self, v: f64) -> f64 {
        let span = if self.d1 == self.d0 {
            1.0
        } else {
            self.d1 - self.d0
        };
        let t = ((v - self.d0) / span).clamp(-0.1, 1.1);
        self.r0 + t * (self.r1 - self.r0)
    }
}

/// About `target` round tick values covering `[lo, hi]` (steps 1, 2, 5 ×
/// 10^k); the range is widened to the outer ticks.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if !lo.is_finite() || !hi.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        let pad = if lo.abs() > 1e-12 {
            lo.abs() * 0.1
        } else {
            1.0
        };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let n = ((end - start) / step).round() as usize;
    let ticks = (0..=n).map(|i| start + i as f64 * step).collect();
    (start, end, ticks)
}

/// Format a tick value with as many decimals as its step needs.
pub fn format_tick(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let s = format!("{v:.decimals$}");
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The plotting area in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

/// Draw grid lines, tick labels, the frame and the axis titles; returns the
/// x and y scales.
pub fn frame(
    svg: &mut Svg,
    area: Area,
    x: (f64, f64, &[f64]),
    y: (f64, f64, &[f64]),
    x_label: &str,
    y_label: &str,
) -> (Scale, Scale) {
    let xs = Scale {
        d0: x.0,
        d1: x.1,
        r0: area.left,
        r1: area.right,
    };
    let ys = Scale {
        d0: y.0,
        d1: y.1,
        r0: area.bottom,
        r1: area.top,
    };
    let step = |t: &[f64]| if t.len() > 1 { t[1] - t[0] } else { 1.0 };
    for &t in x.2 {
        let px = xs.map(t);
        svg.line(px, area.top, px, area.bottom, "#e4e4e4", "");
        svg.text(
            px,
            area.bottom + 15.0,
            Anchor::Middle,
            &format_tick(t, step(x.2)),
            "",
        );
    }
    for &t in y.2 {
        let py = ys.map(t);
        svg.line(area.left, py, area.right, py, "#e4e4e4", "");
        svg.text(
            area.left - 5.0,
            py + 4.0,
            Anchor::End,
            &format_tick(t, step(y.2)),
            "",
        );
    }
    border(svg, area);
    svg.text(
        (area.left + area.right) / 2.0,
        area.bottom + 32.0,
        Anchor::Middle,
        x_label,
        "",
    );
    y_title(svg, (area.top + area.bottom) / 2.0, y_label);
    (xs, ys)
}

/// The grey border of a plotting area.
pub fn border(svg: &mut Svg, area: Area) {
    svg.rect(
        area.left,
        area.top,
        area.right - area.left,
        area.bottom - area.top,
        "none",
        " stroke=\"#888\"",
    );
}

/// A y-axis title, rotated, centred on `cy`.
pub fn y_title(svg: &mut Svg, cy: f64, text: &str) {
    svg.text(
        14.0,
        cy,
        Anchor::Middle,
        text,
        &format!(" transform=\"rotate(-90 14 {cy:.1})\""),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let (lo, hi, t) = nice_ticks(0.13, 0.92, 5);
        assert!(lo <= 0.13 && hi >= 0.92);
        assert_eq!(t.first().copied(), Some(lo));
        assert!((t[1] - t[0] - 0.2).abs() < 1e-12, "{t:?}");
        assert_eq!(format_tick(0.4, 0.2), "0.4");
        assert_eq!(format_tick(3000.0, 1000.0), "3000");
    }

    #[test]
    fn degenerate_range_is_widened() {
        let (lo, hi, t) = nice_ticks(1.0, 1.0, 5);
        assert!(lo < 1.0 && hi > 1.0 && t.len() >= 2);
    }

    #[test]
    fn scale_maps_ends() {
        let s = Scale {
            d0: 0.0,
            d1: 10.0,
            r0: 100.0,
            r1: 0.0,
        };
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(10.0), 0.0);
    }
}
