//! The fitted model and what it predicts: log-odds, churn probabilities and per-feature contributions.

use super::inference::CoefInference;
use super::options::{Impute, LogisticOptions};
use super::solver::Convergence;
use crate::error::{Error, Result};
use crate::stats::linalg::sigmoid;

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LogisticModel {
    /// Feature names.
    pub names: Vec<String>,
    /// Coefficients on the original feature scale.
    pub coef: Vec<f64>,
    /// Intercept on the original scale.
    pub intercept: f64,
    /// Coefficients on the standardised scale (equal to `coef` without standardisation).
    pub coef_std: Vec<f64>,
    /// Intercept on the standardised scale.
    pub intercept_std: f64,
    /// Column means (0 without standardisation; imputation uses the true means below).
    pub center: Vec<f64>,
    /// Column scales (1 without standardisation).
    pub scale: Vec<f64>,
    /// Training means of the columns (used to impute NaN under [`Impute::Mean`]).
    pub means: Vec<f64>,
    /// Columns that were constant in the training data: their coefficient is 0.
    pub constant: Vec<bool>,
    /// Coefficient inference (maximum likelihood only): intercept first, then one per feature.
    pub inference: Option<Vec<CoefInference>>,
    /// Log-likelihood (weighted) at the fit.
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub null_log_likelihood: f64,
    /// Likelihood-ratio statistic `2 (ℓ − ℓ₀)` and its chi-square p-value (maximum likelihood only).
    pub lr_test: Option<(f64, f64)>,
    /// Rows and churners (class 1) used.
    pub n: usize,
    /// Rows of class 1.
    pub n_positive: usize,
    /// The options used.
    pub options: LogisticOptions,
    /// Solver report.
    pub convergence: Convergence,
}

impl LogisticModel {
    /// Checks prediction columns against the model and returns row count.
    fn check_x(&self, x: &[&[f64]]) -> Result<usize> {
        crate::error::check_len("model features", self.names.len(), "X", x.len())?;
        let n = x.first().map_or(0, |c| c.len());
        for col in x {
            crate::error::check_len("X", n, "X", col.len())?;
        }
        Ok(n)
    }

    /// The linear predictor (log-odds) of each row; NaN features are imputed under [`Impute::Mean`].
    pub fn decision_function(&self, x: &[&[f64]]) -> Result<Vec<f64>> {
        let n = self.check_x(x)?;
        let p = x.len();
        let mut eta = vec![self.intercept; n];
        for (j, col) in x.iter().enumerate() {
            let (c, m) = (self.coef[j], self.means[j]);
            for (i, (e, &v)) in eta.iter_mut().zip(col.iter()).enumerate() {
                let v = if v.is_nan() {
                    if self.options.impute == Impute::Error {
                        return Err(Error::Missing {
                            arg: "X",
                            index: i * p + j,
                        });
                    }
                    m
                } else if !v.is_finite() {
                    return Err(Error::NonFinite {
                        arg: "X",
                        index: i * p + j,
                        value: v,
                    });
                } else {
                    v
                };
                if c != 0.0 {
                    *e += c * v;
                }
            }
        }
        Ok(eta)
    }

    /// Churn probability of each row.
    ///
    /// ```
    /// use voc_core::risk::{fit, LogisticOptions};
    /// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    /// let m = fit(&[&x], &["x".into()], &y, None, &LogisticOptions::default())?;
    /// let p = m.predict_proba(&[&[0.0, 10.0]])?;
    /// assert!(p[0] < 0.5 && p[1] > 0.5);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn predict_proba(&self, x: &[&[f64]]) -> Result<Vec<f64>> {
        Ok(self
            .decision_function(x)?
            .into_iter()
            .map(sigmoid)
            .collect())
    }

    /// Each feature's contribution to each row's log-odds relative to an average customer:
    /// `coef_std · (x − mean) / scale` (row-major, rows × features). Ranks the reasons behind a score.
    pub fn contributions(&self, x: &[&[f64]]) -> Result<Vec<f64>> {
        let n = self.check_x(x)?;
        let p = x.len();
        let mut out = vec![0.0; n * p];
        for (j, col) in x.iter().enumerate() {
            let (c, m) = (self.coef[j], self.means[j]);
            for (i, &v) in col.iter().enumerate() {
                let v = if v.is_nan() {
                    if self.options.impute == Impute::Error {
                        return Err(Error::Missing {
                            arg: "X",
                            index: i * p + j,
                        });
                    }
                    m
                } else {
                    v
                };
                out[i * p + j] = c * (v - m);
            }
        }
        Ok(out)
    }

    /// McFadden's pseudo-R² `1 − ℓ/ℓ₀` (statsmodels `prsquared`).
    pub fn pseudo_r2(&self) -> f64 {
        1.0 - self.log_likelihood / self.null_log_likelihood
    }
}
