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
        Ok(())
    }
}
