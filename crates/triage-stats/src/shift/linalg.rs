//! Small dense linear algebra for label-shift estimation (K × K).

/// Solve A x = b (A row-major n × n) by Gaussian elimination with partial
/// pivoting; `None` when a pivot is below `1e-12 · max|A|` (singular).
pub(crate) fn solve(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    if scale == 0.0 {
        return None;
    }
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| m[i * n + col].abs().total_cmp(&m[j * n + col].abs()))?;
        if m[pivot * n + col].abs() < 1e-12 * scale {
            return None;
        }
        if pivot != col {
            for c in 0..n {
                m.swap(pivot * n + c, col * n + c);
            }
            x.swap(pivot, col);
        }
        for r in col + 1..n {
            let f = m[r * n + col] / m[col * n + col];
            if f != 0.0 {
                for c in col..n {
                    m[r * n + c] -= f * m[col * n + c];
                }
                x[r] -= f * x[col];
            }
        }
    }
    for r in (0..n).rev() {
        let mut s = x[r];
        for c in r + 1..n {
            s -= m[r * n + c] * x[c];
        }
        x[r] = s / m[r * n + r];
    }
    Some(x)
}

/// Singular values of A (row-major n × n), descending: square roots of the
/// eigenvalues of AᵀA by the cyclic Jacobi method (Golub & Van Loan,
/// *Matrix Computations*, §8.5), to about 1e-12 relative.
pub(crate) fn singular_values(a: &[f64], n: usize) -> Vec<f64> {
    let mut s = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            s[i * n + j] = (0..n).map(|k| a[k * n + i] * a[k * n + j]).sum();
        }
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| s[i * n + j] * s[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| s[i * n + i] * s[i * n + i]).sum();
        if off <= 1e-30 * diag.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = s[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (s[q * n + q] - s[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * c;
                for k in 0..n {
                    let (skp, skq) = (s[k * n + p], s[k * n + q]);
                    s[k * n + p] = c * skp - sn * skq;
                    s[k * n + q] = sn * skp + c * skq;
                }
                for k in 0..n {
                    let (spk, sqk) = (s[p * n + k], s[q * n + k]);
                    s[p * n + k] = c * spk - sn * sqk;
                    s[q * n + k] = sn * spk + c * sqk;
                }
            }
        }
    }
    let mut values: Vec<f64> = (0..n).map(|i| s[i * n + i].max(0.0).sqrt()).collect();
    values.sort_by(|a, b| b.total_cmp(a));
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_finds_singular_values() {
        let a = [4.0, 1.0, 0.0, 1.0, 3.0, 1.0, 0.0, 1.0, 2.0];
        let x = solve(&a, &[1.0, 2.0, 3.0]).unwrap();
        for r in 0..3 {
            let got: f64 = (0..3).map(|c| a[r * 3 + c] * x[c]).sum();
            assert!((got - [1.0, 2.0, 3.0][r]).abs() < 1e-12);
        }
        // diag(3, 2) rotated: singular values 3, 2.
        let (c, s) = (0.6f64, 0.8f64);
        let r = [c * 3.0, -s * 2.0, s * 3.0, c * 2.0];
        let sv = singular_values(&r, 2);
        assert!(
            (sv[0] - 3.0).abs() < 1e-12 && (sv[1] - 2.0).abs() < 1e-12,
            "{sv:?}"
        );
        assert!(solve(&[1.0, 2.0, 2.0, 4.0], &[1.0, 1.0]).is_none());
    }
}
