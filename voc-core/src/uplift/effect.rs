//! The linear effect model of the X-learner's second stage: least squares of imputed effects on the
//! features.

use ndarray::ArrayView2;

use crate::error::{Error, Result};
use crate::stats::linalg::{chol_solve, cholesky};

/// A linear model of the effect, `intercept + Σ coef_j · x_j` (ordinary least squares; a feature that
/// is constant among the rows fitted gets coefficient 0).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EffectModel {
    /// Coefficients, one per feature.
    pub coef: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
}

impl EffectModel {
    /// The effect of one row (as many values as coefficients).
    pub(crate) fn at(&self, row: impl IntoIterator<Item = f64>) -> f64 {
        let mut e = self.intercept;
        for (c, v) in self.coef.iter().zip(row) {
            if *c != 0.0 {
                e += c * v;
            }
        }
        e
    }

    /// Fits `target` (one value per row of `x`) by least squares on centred columns.
    pub(crate) fn fit(
        x: ArrayView2<'_, f64>,
        target: &[f64],
        names: &[String],
        arm: &str,
    ) -> Result<EffectModel> {
        let (n, p) = x.dim();
        let nf = n as f64;
        let ybar = target.iter().sum::<f64>() / nf;
        let means: Vec<f64> = x.columns().into_iter().map(|c| c.sum() / nf).collect();
        let sds: Vec<f64> = x
            .columns()
            .into_iter()
            .zip(&means)
            .map(|(c, m)| (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / nf).sqrt())
            .collect();
        let active: Vec<usize> = (0..p)
            .filter(|&j| sds[j] > 1e-12 * means[j].abs().max(1e-300))
            .collect();
        let q = active.len();
        let mut xtx = vec![0.0; q * q];
        let mut xty = vec![0.0; q];
        let mut z = vec![0.0; q];
        for (row, &y) in x.rows().into_iter().zip(target) {
            for (k, &j) in active.iter().enumerate() {
                z[k] = (row[j] - means[j]) / sds[j];
            }
            let dy = y - ybar;
            for a in 0..q {
                xty[a] += z[a] * dy;
                for b in 0..=a {
                    xtx[a * q + b] += z[a] * z[b];
                }
            }
        }
        for a in 0..q {
            for b in 0..a {
                xtx[b * q + a] = xtx[a * q + b];
            }
        }
        let mut coef = vec![0.0; p];
        if q > 0 {
            let l = cholesky(&xtx, q).map_err(|pivot| {
                let name = active
                    .get(pivot)
                    .and_then(|&j| names.get(j))
                    .map_or("?", String::as_str);
                Error::InsufficientData(format!(
                    "feature {name:?} is collinear with earlier features among the {arm} rows; \
                     the X-learner's effect model cannot separate them (drop one)"
                ))
            })?;
            chol_solve(&l, q, &mut xty);
            for (k, &j) in active.iter().enumerate() {
                coef[j] = xty[k] / sds[j];
            }
        }
        let intercept = ybar - coef.iter().zip(&means).map(|(c, m)| c * m).sum::<f64>();
        Ok(EffectModel { coef, intercept })
    }
}
