//! A small stroke font: letters as polylines (straight segments and arcs
//! flattened to 15° steps) that the renderer draws as capsules, i.e. the set
//! of points within [`STROKE_RADIUS`] of a segment.
//!
//! Letters are designed in a box u ∈ [0, 1] (left to right), v ∈ [0, 1]
//! (top to bottom) and mapped to the unit frame x ∈ ±[`HALF_WIDTH`],
//! y ∈ ±[`HALF_HEIGHT`], so that every stroke lies within the unit circle:
//! √(0.48² + 0.74²) + 0.1 ≈ 0.98.

use super::sdf::Point;

/// Half width of the letter box in the unit frame.
const HALF_WIDTH: f64 = 0.48;
/// Half height of the letter box in the unit frame.
const HALF_HEIGHT: f64 = 0.74;
/// Half the stroke width in the unit frame.
pub(crate) const STROKE_RADIUS: f64 = 0.1;
/// Angular step of flattened arcs, in degrees.
const ARC_STEP_DEG: f64 = 15.0;

/// The letters the font draws, in class order. `O` is left out: a stroked
/// O is too close to the `ring` figure.
pub(crate) const LETTERS: &str = "ABCDEFGHIJKLMNPQR";

/// Collects the segments of one letter.
#[derive(Debug, Default)]
struct Pen {
    segments: Vec<(Point, Point)>,
}

impl Pen {
    fn map(u: f64, v: f64) -> Point {
        [(u - 0.5) * 2.0 * HALF_WIDTH, (v - 0.5) * 2.0 * HALF_HEIGHT]
    }

    /// A polyline through box points `(u, v)`.
    fn line(&mut self, points: &[(f64, f64)]) {
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            self.segments
                .push((Self::map(a.0, a.1), Self::map(b.0, b.1)));
        }
    }

    /// An elliptic arc centred on `c` with radii `r`, from angle `from` to
    /// `to` in degrees (0° points to +u, 90° to the top of the box).
    fn arc(&mut self, c: (f64, f64), r: (f64, f64), from: f64, to: f64) {
        let steps = ((to - from).abs() / ARC_STEP_DEG).ceil().max(1.0) as usize;
        let points: Vec<(f64, f64)> = (0..=steps)
            .map(|i| {
                let angle = (from + (to - from) * i as f64 / steps as f64).to_radians();
                (c.0 + r.0 * angle.cos(), c.1 - r.1 * angle.sin())
            })
            .collect();
        self.line(&points);
    }
}

/// The stroke segments of `letter` in the unit frame; empty for a letter
/// the font does not have (not one of [`LETTERS`]).
pub(crate) fn strokes(letter: char) -> Vec<(Point, Point)> {
    let mut pen = Pen::default();
    match letter {
        'A' => {
            pen.line(&[(0.0, 1.0), (0.5, 0.0), (1.0, 1.0)]);
            pen.line(&[(0.22, 0.62), (0.78, 0.62)]);
        }
        'B' => {
            pen.line(&[(0.6, 0.0), (0.0, 0.0), (0.0, 1.0), (0.65, 1.0)]);
            pen.arc((0.6, 0.25), (0.32, 0.25), 90.0, -90.0);
            pen.line(&[(0.0, 0.5), (0.65, 0.5)]);
            pen.arc((0.65, 0.75), (0.35, 0.25), 90.0, -90.0);
        }
        'C' => pen.arc((0.5, 0.5), (0.5, 0.5), 45.0, 315.0),
        'D' => {
            pen.line(&[(0.45, 0.0), (0.0, 0.0), (0.0, 1.0), (0.45, 1.0)]);
            pen.arc((0.45, 0.5), (0.55, 0.5), 90.0, -90.0);
        }
        'E' => {
            pen.line(&[(1.0, 0.0), (0.0, 0.0), (0.0, 1.0), (1.0, 1.0)]);
            pen.line(&[(0.0, 0.5), (0.8, 0.5)]);
        }
        'F' => {
            pen.line(&[(1.0, 0.0), (0.0, 0.0), (0.0, 1.0)]);
            pen.line(&[(0.0, 0.5), (0.8, 0.5)]);
        }
        'G' => {
            pen.arc((0.5, 0.5), (0.5, 0.5), 45.0, 360.0);
            pen.line(&[(1.0, 0.5), (0.55, 0.5)]);
        }
        'H' => {
            pen.line(&[(0.0, 0.0), (0.0, 1.0)]);
            pen.line(&[(1.0, 0.0), (1.0, 1.0)]);
            pen.line(&[(0.0, 0.5), (1.0, 0.5)]);
        }
        'I' => {
            pen.line(&[(0.5, 0.0), (0.5, 1.0)]);
            pen.line(&[(0.15, 0.0), (0.85, 0.0)]);
            pen.line(&[(0.15, 1.0), (0.85, 1.0)]);
        }
        'J' => {
            pen.line(&[(0.3, 0.0), (1.0, 0.0)]);
            pen.line(&[(0.8, 0.0), (0.8, 0.65)]);
            pen.arc((0.45, 0.65), (0.35, 0.35), 0.0, -180.0);
        }
        'K' => {
            pen.line(&[(0.0, 0.0), (0.0, 1.0)]);
            pen.line(&[(1.0, 0.0), (0.0, 0.6)]);
            pen.line(&[(0.32, 0.41), (1.0, 1.0)]);
        }
        'L' => pen.line(&[(0.0, 0.0), (0.0, 1.0), (0.9, 1.0)]),
        'M' => pen.line(&[(0.0, 1.0), (0.0, 0.0), (0.5, 0.65), (1.0, 0.0), (1.0, 1.0)]),
        'N' => pen.line(&[(0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0)]),
        'P' | 'R' => {
            pen.line(&[(0.0, 1.0), (0.0, 0.0), (0.6, 0.0)]);
            pen.arc((0.6, 0.27), (0.4, 0.27), 90.0, -90.0);
            pen.line(&[(0.6, 0.54), (0.0, 0.54)]);
            if letter == 'R' {
                pen.line(&[(0.45, 0.54), (1.0, 1.0)]);
            }
        }
        'Q' => {
            pen.arc((0.5, 0.5), (0.5, 0.5), 0.0, 360.0);
            pen.line(&[(0.6, 0.68), (1.0, 1.0)]);
        }
        _ => {}
    }
    pen.segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_has_strokes_inside_the_unit_circle() {
        for letter in LETTERS.chars() {
            let segments = strokes(letter);
            assert!(!segments.is_empty(), "{letter}");
            for (a, b) in segments {
                for p in [a, b] {
                    assert!(p[0].hypot(p[1]) + STROKE_RADIUS <= 1.0, "{letter}: {p:?}");
                }
            }
        }
        assert!(strokes('?').is_empty());
    }
}
