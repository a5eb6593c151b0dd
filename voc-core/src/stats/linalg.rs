//! Small dense symmetric solvers for the model fits (p × p, row-major).

/// Cholesky factor `L` (row-major, lower) of a symmetric positive-definite matrix, or the index of
/// the first pivot that is not positive (relative to the largest diagonal entry).
pub(crate) fn cholesky(a: &[f64], p: usize) -> Result<Vec<f64>, usize> {
    let scale = (0..p).map(|i| a[i * p + i].abs()).fold(0.0_f64, f64::max);
    let tol = scale * 1e-13;
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= l[j * p + k] * l[j * p + k];
        }
        if !(d > tol) {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            l[i * p + j] = s / d;
        }
    }
    Ok(l)
}

/// Solves `L Lᵀ x = b` in place.
pub(crate) fn chol_solve(l: &[f64], p: usize, b: &mut [f64]) {
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * p + k] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = b[i];
        for k in i + 1..p {
            s -= l[k * p + i] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
}

/// Inverse of `L Lᵀ`.
pub(crate) fn chol_inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    let mut col = vec![0.0; p];
    for j in 0..p {
        col.iter_mut().for_each(|x| *x = 0.0);
        col[j] = 1.0;
        chol_solve(l, p, &mut col);
        for i in 0..p {
            inv[i * p + j] = col[i];
        }
    }
    inv
}

/// `zᵀ A⁺ z` for a symmetric positive semi-definite `A` (Moore–Penrose inverse, as numpy `pinv` with
/// its default cut-off of 1e-15 × the largest eigenvalue, here 1e-12 for sums of rounded terms), from
/// the eigen-decomposition [`sym_eigen`].
pub(crate) fn pinv_quadratic_form(a: &[f64], p: usize, z: &[f64]) -> f64 {
    let (values, v) = sym_eigen(a, p);
    let lmax = values.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    (0..p)
        .filter(|&i| values[i] > 1e-12 * lmax)
        .map(|i| {
            let proj: f64 = (0..p).map(|k| v[k * p + i] * z[k]).sum();
            proj * proj / values[i]
        })
        .sum()
}

/// Eigenvalues and eigenvectors of a symmetric `p × p` matrix (row-major) by cyclic Jacobi rotations
/// (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5): returns `(values, vectors)` with
/// eigenvector `i` in column `i` of the row-major `vectors`, in no particular order.
///
/// Jacobi is chosen over a tridiagonal QR because the matrices here are small (p ≤ a few hundred) and
/// it is accurate to a few ulps relative to the largest eigenvalue, with a dozen lines of code and no
/// dependency. Sweeps stop when the off-diagonal mass is below 1e-30 of the diagonal's (at most 100).
pub(crate) fn sym_eigen(a: &[f64], p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; p * p];
    for i in 0..p {
        v[i * p + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..p)
            .flat_map(|i| (0..p).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * p + j] * m[i * p + j])
            .sum();
        let diag: f64 = (0..p).map(|i| m[i * p + i] * m[i * p + i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                let aij = m[i * p + j];
                if aij == 0.0 {
                    continue;
                }
                let theta = (m[j * p + j] - m[i * p + i]) / (2.0 * aij);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..p {
                    let (mki, mkj) = (m[k * p + i], m[k * p + j]);
                    m[k * p + i] = c * mki - s * mkj;
                    m[k * p + j] = s * mki + c * mkj;
                }
                for k in 0..p {
                    let (mik, mjk) = (m[i * p + k], m[j * p + k]);
                    m[i * p + k] = c * mik - s * mjk;
                    m[j * p + k] = s * mik + c * mjk;
                }
                for k in 0..p {
                    let (vki, vkj) = (v[k * p + i], v[k * p + j]);
                    v[k * p + i] = c * vki - s * vkj;
                    v[k * p + j] = s * vki + c * vkj;
                }
            }
        }
    }
    ((0..p).map(|i| m[i * p + i]).collect(), v)
}

/// Dot product with four running sums, so the compiler can use vector lanes (a fixed order: results do
/// not depend on the machine).
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// The logistic function `1 / (1 + e^−η)`, without overflow for large |η|.
#[inline]
pub(crate) fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_spd() -> Result<(), usize> {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2)?;
        let inv = chol_inverse(&l, 2);
        // inverse of [[4,2],[2,3]] is [[3,-2],[-2,4]]/8
        let want = [0.375, -0.25, -0.25, 0.5];
        for (x, y) in inv.iter().zip(want) {
            assert!((x - y).abs() < 1e-15);
        }
        assert_eq!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2), Err(1));
        // full rank: z' A^-1 z
        let q = pinv_quadratic_form(&a, 2, &[1.0, 2.0]);
        assert!((q - (0.375 - 4.0 * 0.25 + 4.0 * 0.5)).abs() < 1e-14);
        // rank one [[1,-1],[-1,1]]/4: pinv = [[1,-1],[-1,1]]; z = (1,-1) gives 4
        let q = pinv_quadratic_form(&[0.25, -0.25, -0.25, 0.25], 2, &[1.0, -1.0]);
        assert!((q - 4.0).abs() < 1e-14);
        Ok(())
    }

    #[test]
    fn eigen_reconstructs() {
        // A 4 x 4 correlation-like matrix: V diag(values) V' gives it back, V is orthonormal, and the
        // values are those of numpy.linalg.eigvalsh to 1e-14.
        let a = [
            1.0, 0.5, 0.3, -0.2, 0.5, 1.0, 0.4, 0.1, 0.3, 0.4, 1.0, 0.25, -0.2, 0.1, 0.25, 1.0,
        ];
        let p = 4;
        let (values, v) = sym_eigen(&a, p);
        for i in 0..p {
            for j in 0..p {
                let back: f64 = (0..p)
                    .map(|k| v[i * p + k] * values[k] * v[j * p + k])
                    .sum();
                assert!((back - a[i * p + j]).abs() < 1e-14, "A[{i}][{j}]");
                let dot: f64 = (0..p).map(|k| v[k * p + i] * v[k * p + j]).sum();
                assert!(
                    (dot - f64::from(u8::from(i == j))).abs() < 1e-14,
                    "V'V[{i}][{j}]"
                );
            }
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        // numpy.linalg.eigvalsh of the matrix above
        let want = [
            0.4172231624407511,
            0.5711588031287146,
            1.1977661129974495,
            1.813851921433085,
        ];
        for (x, y) in sorted.iter().zip(want) {
            assert!((x - y).abs() < 1e-14, "{x} vs {y}");
        }
        assert!((values.iter().sum::<f64>() - 4.0).abs() < 1e-14);
    }
}
