//! Signed distance functions of the primitives the figures are built from.
//!
//! All take a point `p = [x, y]` (y pointing down, as in images) and return
//! its signed Euclidean distance to the boundary: negative inside, positive
//! outside. Unions of exact SDFs (`min`) are exact outside and a lower bound
//! on the distance inside, which is all the renderer's early exit needs.

/// A point or vector in the figure's unit frame.
pub(crate) type Point = [f64; 2];

fn dot(a: Point, b: Point) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// Euclidean length (without `hypot`'s overflow guard, which is slow and
/// not needed at these magnitudes).
fn length(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt()
}

fn sub(a: Point, b: Point) -> Point {
    [a[0] - b[0], a[1] - b[1]]
}

/// Distance to the disc of radius `r` centred on the origin.
pub(crate) fn disc(p: Point, r: f64) -> f64 {
    length(p[0], p[1]) - r
}

/// Distance to the annulus of mid radius `r` and half thickness `w`.
pub(crate) fn annulus(p: Point, r: f64, w: f64) -> f64 {
    (length(p[0], p[1]) - r).abs() - w
}

/// Squared distance from `p` to the segment `a`–`b`.
pub(crate) fn segment_squared(p: Point, a: Point, b: Point) -> f64 {
    let pa = sub(p, a);
    let ba = sub(b, a);
    let len2 = dot(ba, ba);
    let h = if len2 > 0.0 {
        (dot(pa, ba) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let d = [pa[0] - ba[0] * h, pa[1] - ba[1] * h];
    dot(d, d)
}

/// Exact distance to a simple polygon (convex or not) with vertices `v` in
/// order; the sign comes from the crossing number (Inigo Quilez,
/// "2D distance functions", `sdPolygon`).
pub(crate) fn polygon(v: &[Point], p: Point) -> f64 {
    let Some(&first) = v.first() else {
        return f64::INFINITY;
    };
    let mut d = dot(sub(p, first), sub(p, first));
    let mut sign = 1.0;
    let mut j = v.len() - 1;
    for i in 0..v.len() {
        let (vi, vj) = (v[i], v[j]);
        d = d.min(segment_squared(p, vi, vj));
        let e = sub(vj, vi);
        let w = sub(p, vi);
        let c = [p[1] >= vi[1], p[1] < vj[1], e[0] * w[1] > e[1] * w[0]];
        if c.iter().all(|&b| b) || c.iter().all(|&b| !b) {
            sign = -sign;
        }
        j = i;
    }
    sign * d.sqrt()
}

/// Whether `p` is inside the polygon with vertices `v` (crossing number,
/// with the same edge rules as [`polygon`]'s sign).
pub(crate) fn polygon_contains(v: &[Point], p: Point) -> bool {
    let mut inside = false;
    let mut j = v.len().wrapping_sub(1);
    for i in 0..v.len() {
        let (vi, vj) = (v[i], v[j]);
        let e = sub(vj, vi);
        let w = sub(p, vi);
        let c = [p[1] >= vi[1], p[1] < vj[1], e[0] * w[1] > e[1] * w[0]];
        if c.iter().all(|&b| b) || c.iter().all(|&b| !b) {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Exact distance to Quilez's heart (`sdHeart`): two lobes centred at
/// (±0.25, 0.75) with radius √2/4 over a point at the origin, in a frame
/// where the heart points towards −y.
pub(crate) fn heart(p: Point) -> f64 {
    let x = p[0].abs();
    let y = p[1];
    if x + y > 1.0 {
        return length(x - 0.25, y - 0.75) - std::f64::consts::SQRT_2 / 4.0;
    }
    let to_top = dot([x, y - 1.0], [x, y - 1.0]);
    let t = 0.5 * (x + y).max(0.0);
    let to_edge = dot([x - t, y - t], [x - t, y - t]);
    to_top.min(to_edge).sqrt() * (x - y).signum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygon_distance_of_a_unit_square() {
        let square = [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]];
        assert!((polygon(&square, [0.0, 0.0]) + 1.0).abs() < 1e-12);
        assert!((polygon(&square, [3.0, 0.0]) - 2.0).abs() < 1e-12);
        assert!((polygon(&square, [2.0, 2.0]) - 2f64.sqrt()).abs() < 1e-12);
        assert!((polygon(&square, [0.5, 0.9]) + 0.1).abs() < 1e-12);
        for i in 0..400 {
            let p = [
                -1.5 + 0.15 * f64::from(i % 20),
                -1.5 + 0.15 * f64::from(i / 20),
            ];
            assert_eq!(
                polygon_contains(&square, p),
                polygon(&square, p) < 0.0,
                "{p:?}"
            );
        }
    }

    #[test]
    fn primitives_have_the_right_sign() {
        assert!(disc([0.5, 0.0], 1.0) < 0.0 && disc([0.0, 1.5], 1.0) > 0.0);
        assert!(annulus([0.8, 0.0], 0.8, 0.2) < 0.0 && annulus([0.1, 0.0], 0.8, 0.2) > 0.0);
        assert!(heart([0.0, 0.5]) < 0.0 && heart([0.0, -0.2]) > 0.0 && heart([0.25, 0.75]) < 0.0);
        assert!((segment_squared([0.0, 1.0], [-1.0, 0.0], [1.0, 0.0]) - 1.0).abs() < 1e-12);
    }
}
