//! The fitted model and what it predicts: log-odds, churn probabilities and per-feature contributions.

use ndarray::{Array2, ArrayView2};

use super::design::{CHUNK, Design};
use super::exp::sigmoid_in_place;
use super::inference::CoefInference;
use super::options::{LogisticOptions, Missing};
use super::solver::Convergence;
use crate::Predict;
use crate::error::{Error, Result, check_len};

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
    /// Training means of the columns (used to impute NaN under [`Missing::ImputeMean`]).
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
    /// Rows used.
    pub n: usize,
    /// Rows left out because a feature, the label or the weight was missing (NaN), under
    /// [`Missing::Skip`]; 0 otherwise.
    pub n_missing: usize,
    /// Rows of class 1.
    pub n_positive: usize,
    /// The options used.
    pub options: LogisticOptions,
    /// Solver report.
    pub convergence: Convergence,
}

#[inline]
fn clean(v: f64, mean: f64, impute: bool) -> Option<f64> {
    if v.is_nan() {
        impute.then_some(mean)
    } else if v.is_finite() {
        Some(v)
    } else {
        None
    }
}

impl LogisticModel {
    /// Checks the columns of `x` against the model and the model against itself; returns the shape.
    fn check_x(&self, x: &ArrayView2<'_, f64>) -> Result<(usize, usize)> {
        let p = self.names.len();
        check_len("model features", p, "X", x.ncols())?;
        if self.coef.len() != p || self.means.len() != p {
            return Err(Error::Incompatible(format!(
                "the model has {p} feature names but {} coefficients and {} means",
                self.coef.len(),
                self.means.len()
            )));
        }
        Ok(x.dim())
    }

    /// The error for the first bad value of `x` in row-major order, so every layout reports the same one.
    fn bad_value(&self, x: &ArrayView2<'_, f64>, infinite_too: bool) -> Error {
        let p = x.ncols();
        let impute = self.options.missing == Missing::ImputeMean;
        for ((i, j), &v) in x.indexed_iter() {
            if v.is_nan() && !impute {
                return Error::Missing {
                    arg: "X",
                    index: i * p + j,
                };
            }
            if infinite_too && v.is_infinite() {
                return Error::NonFinite {
                    arg: "X",
                    index: i * p + j,
                    value: v,
                };
            }
        }
        Error::Incompatible("X changed while it was read".into())
    }

    /// The linear predictor (log-odds) of each row of `x` (rows × the model's features, any memory
    /// layout, read in place); NaN features are imputed under [`Missing::ImputeMean`], otherwise an error
    /// naming the first one (`X[row · columns + column]`, row-major whatever the layout).
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::Fit;
    /// use voc_core::risk::LogisticOptions;
    /// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
    /// let m = LogisticOptions::default().fit((x.view(), &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0][..]))?;
    /// let eta = m.decision_function(array![[3.5]].view())?;
    /// assert!((eta[0] - (m.intercept + 3.5 * m.coef[0])).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        let (n, p) = self.check_x(&x)?;
        let mut eta = vec![self.intercept; n];
        if n == 0 || p == 0 {
            return Ok(eta);
        }
        let impute = self.options.missing == Missing::ImputeMean;
        let terms = || self.coef.iter().zip(&self.means);
        // One row's log-odds: its terms in column order (the same sum on every layout and thread
        // count); false at a value that is neither finite nor imputed.
        let add = |e: &mut f64, v: f64, c: f64, m: f64| -> bool {
            clean(v, m, impute)
                .map(|v| {
                    if c != 0.0 {
                        *e += c * v;
                    }
                })
                .is_some()
        };
        let design = Design::new(x);
        // Rows `start..start + out.len()`, each row's terms in column order.
        let fill = |start: usize, out: &mut [f64]| -> bool {
            match design {
                Design::Rows { values, .. } => out
                    .iter_mut()
                    .zip(values[start * p..].chunks_exact(p))
                    .all(|(e, row)| {
                        row.iter()
                            .zip(terms())
                            .all(|(&v, (&c, &m))| add(e, v, c, m))
                    }),
                Design::Columns { values, n } => {
                    values.chunks_exact(n).zip(terms()).all(|(col, (&c, &m))| {
                        out.iter_mut()
                            .zip(&col[start..])
                            .all(|(e, &v)| add(e, v, c, m))
                    })
                }
                _ => out.iter_mut().enumerate().all(|(k, e)| {
                    terms()
                        .enumerate()
                        .all(|(j, (&c, &m))| add(e, design.get(start + k, j), c, m))
                }),
            }
        };
        #[cfg(feature = "parallel")]
        let ok = {
            use rayon::prelude::*;
            eta.par_chunks_mut(CHUNK)
                .enumerate()
                .all(|(c, out)| fill(c * CHUNK, out))
        };
        #[cfg(not(feature = "parallel"))]
        let ok = eta
            .chunks_mut(CHUNK)
            .enumerate()
            .all(|(c, out)| fill(c * CHUNK, out));
        if ok {
            Ok(eta)
        } else {
            Err(self.bad_value(&x, true))
        }
    }

    /// Churn probability of each row of `x` (as [`decision_function`](Self::decision_function)); the
    /// same as [`Predict::predict`].
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::Fit;
    /// use voc_core::risk::{LogisticOptions, RiskData};
    /// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
    /// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    /// let names = ["x".to_string()];
    /// let m = LogisticOptions::default().fit(RiskData::new(x.view(), &y).names(&names))?;
    /// let p = m.predict_proba(array![[0.0], [10.0]].view())?;
    /// assert!(p[0] < 0.5 && p[1] > 0.5);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        let mut p = self.decision_function(x)?;
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            p.par_chunks_mut(CHUNK).for_each(sigmoid_in_place);
        }
        #[cfg(not(feature = "parallel"))]
        sigmoid_in_place(&mut p);
        Ok(p)
    }

    /// Each feature's contribution to each row's log-odds relative to an average customer:
    /// `coef · (x − mean)` (rows × features). Ranks the reasons behind a score.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::Fit;
    /// use voc_core::risk::LogisticOptions;
    /// let x = array![[1.0, 5.0], [2.0, 3.0], [3.0, 4.0], [4.0, 1.0], [5.0, 2.0], [6.0, 0.0]];
    /// let m = LogisticOptions::default().fit((x.view(), &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0][..]))?;
    /// let c = m.contributions(x.view())?;
    /// assert_eq!(c.dim(), (6, 2));
    /// assert_eq!(c[[5, 1]], m.coef[1] * (0.0 - m.means[1]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn contributions(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let (n, p) = self.check_x(&x)?;
        let impute = self.options.missing == Missing::ImputeMean;
        let mut out = Array2::zeros((n, p));
        for (mut to, row) in out.rows_mut().into_iter().zip(x.rows()) {
            for ((o, &v), (&c, &m)) in to
                .iter_mut()
                .zip(row)
                .zip(self.coef.iter().zip(&self.means))
            {
                let v = if v.is_nan() {
                    if !impute {
                        return Err(self.bad_value(&x, false));
                    }
                    m
                } else {
                    v
                };
                *o = c * (v - m);
            }
        }
        Ok(out)
    }

    /// McFadden's pseudo-R² `1 − ℓ/ℓ₀` (statsmodels `prsquared`).
    pub fn pseudo_r2(&self) -> f64 {
        1.0 - self.log_likelihood / self.null_log_likelihood
    }
}

/// Churn probabilities: [`LogisticModel::predict_proba`].
///
/// ```
/// use ndarray::array;
/// use voc_core::{Fit, Predict};
/// use voc_core::risk::LogisticOptions;
/// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
/// let m = LogisticOptions::default().fit((x.view(), &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0][..]))?;
/// assert_eq!(m.predict(x.view())?, m.predict_proba(x.view())?);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Predict<ArrayView2<'_, f64>> for LogisticModel {
    type Output = Vec<f64>;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.predict_proba(x)
    }
}
