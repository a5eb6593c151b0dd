//! Johnson's (2000) relative weights, identical to Genizi's (1993) decomposition (relaimpo's
//! "genizi"): from the symmetric square root of the drivers' correlation matrix.

use ndarray::ArrayView2;

use super::data::{check_collinear, matrix_to_correlation};
use super::lmg::R2Decomposition;
use super::{MAX_DRIVERS, too_many};
use crate::error::{Error, Result};
use crate::stats::linalg::sym_eigen;

/// Johnson's relative weights (= relaimpo's "genizi") from the covariance or correlation matrix of
/// `[outcome, driver 1, …, driver p]` (a square `(p + 1) × (p + 1)` matrix, any layout).
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::relative_weights_from_matrix;
/// let c = array![[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]];
/// let d = relative_weights_from_matrix(c.view())?;
/// assert!((d.importance[0] - 0.25).abs() < 1e-15 && (d.r2 - 0.34).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn relative_weights_from_matrix(matrix: ArrayView2<'_, f64>) -> Result<R2Decomposition> {
    let corr = matrix_to_correlation(matrix)?;
    let p = matrix.nrows() - 1;
    if p > MAX_DRIVERS {
        return Err(too_many(p, MAX_DRIVERS));
    }
    check_collinear(&corr, p, &|j| format!("driver {}", j + 1))?;
    let (r2, importance) = johnson(&corr, p)?;
    Ok(R2Decomposition { r2, importance })
}

/// `Λ = R^{1/2}` (symmetric square root of the drivers' correlation matrix), `β = Λ⁻¹ r_xy`,
/// `ε_j = Σ_k Λ_jk² β_k²`, R² = Σ β_k².
pub(super) fn johnson(corr: &[f64], p: usize) -> Result<(f64, Vec<f64>)> {
    let dim = p + 1;
    let rxx: Vec<f64> = (1..dim)
        .flat_map(|a| (1..dim).map(move |b| (a, b)))
        .map(|(a, b)| corr[a * dim + b])
        .collect();
    let r: Vec<f64> = (1..dim).map(|j| corr[j]).collect();
    let (values, v) = sym_eigen(&rxx, p);
    if values.iter().any(|l| !(*l > 0.0)) {
        return Err(Error::InsufficientData(
            "the drivers' correlation matrix is singular".into(),
        ));
    }
    let sq: Vec<f64> = values.iter().map(|l| l.sqrt()).collect();
    // Vᵀ r scaled by 1/√λ, then back: β = V diag(1/√λ) Vᵀ r
    let proj: Vec<f64> = (0..p)
        .map(|k| (0..p).map(|i| v[i * p + k] * r[i]).sum::<f64>() / sq[k])
        .collect();
    let beta: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|k| v[i * p + k] * proj[k]).sum())
        .collect();
    let beta2: Vec<f64> = beta.iter().map(|b| b * b).collect();
    let eps = (0..p)
        .map(|j| {
            (0..p)
                .map(|k| {
                    let lam: f64 = (0..p).map(|m| v[j * p + m] * sq[m] * v[k * p + m]).sum();
                    lam * lam * beta2[k]
                })
                .sum()
        })
        .collect();
    Ok((beta2.iter().sum(), eps))
}
