//! The distances the engine ranks by, computed exactly in `f64`.

/// A distance between points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distance {
    /// `Σ_i (x_i − y_i)²`, accumulated in `f64` in index order.
    #[default]
    SquaredEuclidean,
    /// `1 − x·y / (‖x‖ ‖y‖)`, in `f64`, clipped to `[0, 2]` (as
    /// scikit-learn's `cosine_distances`). A zero vector has similarity 0
    /// to everything (distance 1), as in scikit-learn, which normalises a
    /// zero row to zero.
    Cosine,
}

/// Squared Euclidean distance in `f64`, summed in index order.
pub fn squared_euclidean(x: &[f32], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| {
            let d = f64::from(a) - f64::from(b);
            d * d
        })
        .sum()
}

/// `Σ x_i²` in `f64`, summed in index order.
pub fn squared_norm(x: &[f32]) -> f64 {
    x.iter().map(|&a| f64::from(a) * f64::from(a)).sum()
}

/// Cosine distance given the two squared norms (see [`Distance::Cosine`]).
pub fn cosine_with_norms(x: &[f32], y: &[f32], nx2: f64, ny2: f64) -> f64 {
    if nx2 == 0.0 || ny2 == 0.0 {
        return 1.0;
    }
    let dot: f64 = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| f64::from(a) * f64::from(b))
        .sum();
    (1.0 - dot / (nx2.sqrt() * ny2.sqrt())).clamp(0.0, 2.0)
}

/// Cosine distance (see [`Distance::Cosine`]).
pub fn cosine(x: &[f32], y: &[f32]) -> f64 {
    cosine_with_norms(x, y, squared_norm(x), squared_norm(y))
}

impl Distance {
    /// The exact distance between `x` and `y`.
    pub fn distance(self, x: &[f32], y: &[f32]) -> f64 {
        match self {
            Distance::SquaredEuclidean => squared_euclidean(x, y),
            Distance::Cosine => cosine(x, y),
        }
    }
}
