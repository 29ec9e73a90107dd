//! The classes: one figure each, first geometric shapes, then letters of
//! the stroke font.
//!
//! Every figure is defined in a unit frame (y down) and fits in the unit
//! circle around the origin, so that rotating it about the origin and
//! scaling it by the radius `r` keeps it inside a disc of radius `r`. The
//! figures are pairwise distinct under translation, scaling and the
//! rotations they are drawn with (any angle for shapes, ±15° for letters),
//! which makes the clean classes separable by shape alone.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use triage_docs::synth::MAX_CLASSES;

use super::glyph;
use super::sdf::{self, Point};

/// Class names in class order: class `k` of every dataset with at least
/// `k + 1` classes is [`CLASS_NAMES`]`[k]`. Letters are `glyph_A` …
/// `glyph_R` without `glyph_O` (too close to `ring`).
pub const CLASS_NAMES: [&str; MAX_CLASSES] = [
    "circle", "square", "triangle", "star", "ring", "cross", "hexagon", "arrow", "heart",
    "glyph_A", "glyph_B", "glyph_C", "glyph_D", "glyph_E", "glyph_F", "glyph_G", "glyph_H",
    "glyph_I", "glyph_J", "glyph_K", "glyph_L", "glyph_M", "glyph_N", "glyph_P", "glyph_Q",
    "glyph_R",
];

/// Number of geometric shapes before the letters.
const SHAPES: usize = 9;

/// Largest rotation of a letter either way, in degrees: letters turned
/// further start to look like other letters (N and Z, M and W).
pub(crate) const LETTER_TILT_DEG: f64 = 15.0;

/// Inner radius of the star's points, relative to the outer radius 1.
const STAR_INNER: f64 = 0.45;
/// Half width of the cross's arms.
const CROSS_HALF_WIDTH: f64 = 0.3;
/// Half length of the cross's arms (√(0.3² + 0.95²) < 1).
const CROSS_HALF_LENGTH: f64 = 0.95;
/// Scale of Quilez's heart (its farthest point from (0, 0.55) is at 0.674).
const HEART_SCALE: f64 = 1.45;
/// Vertical centre of Quilez's heart in its own frame.
const HEART_CENTRE: f64 = 0.55;

/// The outline of one class, ready to be evaluated.
#[derive(Debug, Clone)]
pub(crate) enum Outline {
    /// The unit disc.
    Disc,
    /// An annulus between radii 0.6 and 1.
    Ring,
    /// A heart.
    Heart,
    /// A polygon (vertices in order).
    Polygon(Vec<Point>),
    /// Capsule strokes of a letter.
    Strokes(Vec<(Point, Point)>),
}

impl Outline {
    /// The outline of class `class`.
    ///
    /// # Panics
    ///
    /// If `class >= MAX_CLASSES`.
    pub(crate) fn of_class(class: usize) -> Self {
        assert!(
            class < MAX_CLASSES,
            "class {class} out of range 0..{MAX_CLASSES}"
        );
        match class {
            0 => Outline::Disc,
            1 => {
                let h = FRAC_1_SQRT_2;
                Outline::Polygon(vec![[-h, -h], [h, -h], [h, h], [-h, h]])
            }
            2 => Outline::Polygon(regular(3, 1.0, -PI / 2.0)),
            3 => {
                let outer = regular(5, 1.0, -PI / 2.0);
                let inner = regular(5, STAR_INNER, -PI / 2.0 + PI / 5.0);
                Outline::Polygon(
                    outer
                        .into_iter()
                        .zip(inner)
                        .flat_map(|(o, i)| [o, i])
                        .collect(),
                )
            }
            4 => Outline::Ring,
            5 => {
                let (w, l) = (CROSS_HALF_WIDTH, CROSS_HALF_LENGTH);
                Outline::Polygon(vec![
                    [-w, -l],
                    [w, -l],
                    [w, -w],
                    [l, -w],
                    [l, w],
                    [w, w],
                    [w, l],
                    [-w, l],
                    [-w, w],
                    [-l, w],
                    [-l, -w],
                    [-w, -w],
                ])
            }
            6 => Outline::Polygon(regular(6, 1.0, 0.0)),
            7 => Outline::Polygon(vec![
                [-0.95, -0.2],
                [0.1, -0.2],
                [0.1, -0.6],
                [0.95, 0.0],
                [0.1, 0.6],
                [0.1, 0.2],
                [-0.95, 0.2],
            ]),
            8 => Outline::Heart,
            letter => {
                let c = glyph::LETTERS.chars().nth(letter - SHAPES).unwrap_or(' ');
                Outline::Strokes(glyph::strokes(c))
            }
        }
    }

    /// Whether class `class` is a letter (drawn upright ± [`LETTER_TILT_DEG`]).
    pub(crate) fn is_letter(class: usize) -> bool {
        class >= SHAPES
    }

    /// Whether `p` (unit frame) is inside: `distance(p) < 0`, computed
    /// faster for polygons.
    pub(crate) fn contains(&self, p: Point) -> bool {
        match self {
            Outline::Polygon(vertices) => sdf::polygon_contains(vertices, p),
            _ => self.distance(p) < 0.0,
        }
    }

    /// Signed distance from `p` (unit frame) to the outline.
    pub(crate) fn distance(&self, p: Point) -> f64 {
        match self {
            Outline::Disc => sdf::disc(p, 1.0),
            Outline::Ring => sdf::annulus(p, 0.8, 0.2),
            Outline::Heart => {
                let q = [p[0] / HEART_SCALE, p[1] / HEART_SCALE + HEART_CENTRE];
                sdf::heart(q) * HEART_SCALE
            }
            Outline::Polygon(vertices) => sdf::polygon(vertices, p),
            Outline::Strokes(segments) => {
                let d2 = segments
                    .iter()
                    .map(|&(a, b)| sdf::segment_squared(p, a, b))
                    .fold(f64::INFINITY, f64::min);
                d2.sqrt() - glyph::STROKE_RADIUS
            }
        }
    }
}

/// The `n` vertices of a regular polygon with circumradius `r`, the first
/// at angle `start` (radians, y down).
fn regular(n: usize, r: f64, start: f64) -> Vec<Point> {
    (0..n)
        .map(|i| {
            let a = start + 2.0 * PI * i as f64 / n as f64;
            [r * a.cos(), r * a.sin()]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inside-points of class `k` on a grid over [-1.1, 1.1]².
    fn mask(k: usize, n: usize) -> Vec<bool> {
        let outline = Outline::of_class(k);
        (0..n * n)
            .map(|i| {
                let x = -1.1 + 2.2 * ((i % n) as f64 + 0.5) / n as f64;
                let y = -1.1 + 2.2 * ((i / n) as f64 + 0.5) / n as f64;
                outline.distance([x, y]) < 0.0
            })
            .collect()
    }

    #[test]
    fn figures_fit_in_the_unit_circle_and_are_not_empty() {
        let n = 120;
        for (k, name) in CLASS_NAMES.iter().enumerate() {
            let m = mask(k, n);
            let area = m.iter().filter(|&&b| b).count();
            assert!(area > n * n / 50, "{name} is nearly empty");
            for (i, &inside) in m.iter().enumerate() {
                let x = -1.1 + 2.2 * ((i % n) as f64 + 0.5) / n as f64;
                let y = -1.1 + 2.2 * ((i / n) as f64 + 0.5) / n as f64;
                assert!(
                    !inside || x.hypot(y) <= 1.0,
                    "{name} leaves the unit circle"
                );
            }
        }
    }

    #[test]
    fn figures_differ_pairwise() {
        let n = 64;
        let masks: Vec<Vec<bool>> = (0..MAX_CLASSES).map(|k| mask(k, n)).collect();
        for a in 0..MAX_CLASSES {
            for b in a + 1..MAX_CLASSES {
                let inter = masks[a]
                    .iter()
                    .zip(&masks[b])
                    .filter(|(x, y)| **x && **y)
                    .count();
                let union = masks[a]
                    .iter()
                    .zip(&masks[b])
                    .filter(|(x, y)| **x || **y)
                    .count();
                let iou = inter as f64 / union as f64;
                assert!(
                    iou < 0.9,
                    "{} and {}: IoU {iou}",
                    CLASS_NAMES[a],
                    CLASS_NAMES[b]
                );
            }
        }
    }

    #[test]
    fn names_follow_the_letters() {
        let letters: String = CLASS_NAMES[SHAPES..]
            .iter()
            .filter_map(|n| n.strip_prefix("glyph_"))
            .collect();
        assert_eq!(letters, glyph::LETTERS);
    }
}
