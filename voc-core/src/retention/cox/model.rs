//! The fitted Cox model and its predictions.

use ndarray::{Array2, ArrayView2};

use super::Ties;
use super::fit::check_matrix;
use crate::error::{Error, Result};
use crate::traits::Predict;

/// A fitted Cox model. Vectors run over the covariate columns.
///
/// ```
/// use ndarray::array;
/// use voc_core::retention::{cox_ph, CoxOptions};
/// let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let fit = cox_ph(x.view(), &t, &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0], &CoxOptions::default())?;
/// assert!(fit.lr_statistic > 0.0 && fit.lr_df == 1);
/// assert!((fit.se[0] - fit.covariance[0].sqrt()).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CoxPh {
    /// Coefficients β (log hazard ratios).
    pub coef: Vec<f64>,
    /// Standard errors from the inverse observed information (of the penalised objective if penalised).
    pub se: Vec<f64>,
    /// Wald z = coef / se.
    pub z: Vec<f64>,
    /// Two-sided normal p-values.
    pub p_value: Vec<f64>,
    /// Lower Wald bound of coef.
    pub ci_low: Vec<f64>,
    /// Upper Wald bound of coef.
    pub ci_high: Vec<f64>,
    /// Hazard ratios exp(coef).
    pub hazard_ratio: Vec<f64>,
    /// Covariance matrix of coef, row-major p × p (as an `Array2`: [`covariance_matrix`](CoxPh::covariance_matrix)).
    pub covariance: Vec<f64>,
    /// Partial log-likelihood at the estimate (without the penalty).
    pub log_likelihood: f64,
    /// Objective at the estimate: the log-likelihood minus the penalty (lifelines' `log_likelihood_`).
    pub penalized_log_likelihood: f64,
    /// Partial log-likelihood at β = 0.
    pub null_log_likelihood: f64,
    /// Likelihood-ratio statistic 2(objective(β̂) − ℓ(0)), as lifelines `log_likelihood_ratio_test()`
    /// (with a penalty the objective includes it, so the statistic is only indicative).
    pub lr_statistic: f64,
    /// Degrees of freedom of the likelihood-ratio test (number of covariates).
    pub lr_df: usize,
    /// χ² p-value of the likelihood-ratio test.
    pub lr_p_value: f64,
    /// Harrell's concordance of the linear predictor, as lifelines `concordance_index_`.
    pub concordance: f64,
    /// Subjects.
    pub n: usize,
    /// Observed events.
    pub n_events: usize,
    /// Newton–Raphson iterations used.
    pub iterations: usize,
    /// Ties method used.
    pub ties: Ties,
    /// Penalty used.
    pub penalizer: f64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Mean of each covariate column in the training data: the centre of
    /// [`log_partial_hazard`](CoxPh::log_partial_hazard), as lifelines' `_norm_mean`.
    pub mean: Vec<f64>,
    /// Covariate names, one per column (`x0`, `x1`, ... when the data had none).
    pub names: Vec<String>,
    /// Rows left out because a covariate, duration or event was missing (NaN), under
    /// [`MissingPolicy::Skip`](crate::MissingPolicy::Skip).
    pub n_missing: usize,
}

/// One row of [`CoxPh::summary`]: a covariate's coefficient with its Wald test and interval, and the
/// same on the hazard-ratio scale (lifelines' `summary` columns `coef`, `exp(coef)`, `se(coef)`,
/// `coef lower/upper`, `exp(coef) lower/upper`, `z`, `p`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CoxCoef {
    /// Covariate name.
    pub name: String,
    /// Coefficient β (log hazard ratio).
    pub coef: f64,
    /// Standard error of β.
    pub se: f64,
    /// Wald z = β / se.
    pub z: f64,
    /// Two-sided normal p-value of z.
    pub p_value: f64,
    /// Lower Wald bound of β at [`CoxPh::confidence`].
    pub ci_low: f64,
    /// Upper Wald bound of β.
    pub ci_high: f64,
    /// Hazard ratio exp(β).
    pub hazard_ratio: f64,
    /// Lower bound of the hazard ratio, exp(`ci_low`).
    pub hazard_ratio_ci_low: f64,
    /// Upper bound of the hazard ratio, exp(`ci_high`).
    pub hazard_ratio_ci_high: f64,
}

impl CoxPh {
    /// The coefficient table, a row per covariate: β, its SE, Wald z and p, its interval, and the
    /// hazard ratio exp(β) with its interval exp(ci_low), exp(ci_high), as lifelines' `summary`.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::retention::{cox_ph, CoxOptions};
    /// let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
    /// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    /// let fit = cox_ph(x.view(), &t, &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0], &CoxOptions::default())?;
    /// let row = &fit.summary()[0];
    /// assert_eq!((row.name.as_str(), row.coef), ("x0", fit.coef[0]));
    /// assert_eq!(row.hazard_ratio_ci_low, row.ci_low.exp());
    /// assert!(row.hazard_ratio_ci_low < row.hazard_ratio && row.hazard_ratio < row.hazard_ratio_ci_high);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn summary(&self) -> Vec<CoxCoef> {
        let at = |v: &[f64], j: usize| v.get(j).copied().unwrap_or(f64::NAN);
        (0..self.coef.len())
            .map(|j| {
                let (ci_low, ci_high) = (at(&self.ci_low, j), at(&self.ci_high, j));
                CoxCoef {
                    name: super::fit::column_name(&self.names, j),
                    coef: at(&self.coef, j),
                    se: at(&self.se, j),
                    z: at(&self.z, j),
                    p_value: at(&self.p_value, j),
                    ci_low,
                    ci_high,
                    hazard_ratio: at(&self.hazard_ratio, j),
                    hazard_ratio_ci_low: ci_low.exp(),
                    hazard_ratio_ci_high: ci_high.exp(),
                }
            })
            .collect()
    }

    /// Linear predictor `x·β` of each row of `x` (subjects × covariates, any memory layout), uncentred:
    /// the log partial hazard up to the constant `mean·β`.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::retention::{cox_ph, CoxOptions};
    /// let x = array![[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]];
    /// let fit = cox_ph(x.view(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0; 6], &CoxOptions::default())?;
    /// assert_eq!(fit.linear_predictor(array![[2.0]].view())?, vec![2.0 * fit.coef[0]]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn linear_predictor(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.check_columns(&x)?;
        Ok(x.rows()
            .into_iter()
            .map(|r| r.iter().zip(&self.coef).map(|(a, b)| a * b).sum())
            .collect())
    }

    /// Log partial hazard `(x − mean)·β` of each row of `x` (any memory layout), centred on the
    /// training means as lifelines `CoxPHFitter.predict_log_partial_hazard`. A NaN or infinite value is
    /// an error naming its row and column (`covariates['x0'][3]`).
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::retention::{cox_ph, CoxOptions};
    /// let x = array![[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]];
    /// let fit = cox_ph(x.view(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0; 6], &CoxOptions::default())?;
    /// assert_eq!(fit.log_partial_hazard(array![[0.5]].view())?, vec![0.0]); // at the mean
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn log_partial_hazard(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.check_columns(&x)?;
        Ok(x.rows()
            .into_iter()
            .map(|r| {
                r.iter()
                    .zip(&self.mean)
                    .zip(&self.coef)
                    .map(|((a, m), b)| (a - m) * b)
                    .sum()
            })
            .collect())
    }

    /// Partial hazard `exp((x − mean)·β)` of each row of `x` (any memory layout), as lifelines
    /// `CoxPHFitter.predict_partial_hazard`.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::retention::{cox_ph, CoxOptions};
    /// let x = array![[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]];
    /// let fit = cox_ph(x.view(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0; 6], &CoxOptions::default())?;
    /// let h = fit.partial_hazard(array![[1.0], [0.0]].view())?;
    /// assert!((h[0] / h[1] - fit.hazard_ratio[0]).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn partial_hazard(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        let mut v = self.log_partial_hazard(x)?;
        v.iter_mut().for_each(|h| *h = h.exp());
        Ok(v)
    }

    /// The covariance matrix of the coefficients as a p × p array.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::retention::{cox_ph, CoxOptions};
    /// let x = array![[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]];
    /// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    /// let fit = cox_ph(x.view(), &t, &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0], &CoxOptions::default())?;
    /// // the standard error is the square root of the variance on the diagonal
    /// assert!((fit.covariance_matrix()[[0, 0]] - fit.se[0] * fit.se[0]).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn covariance_matrix(&self) -> Array2<f64> {
        let p = self.coef.len();
        Array2::from_shape_fn((p, p), |(a, b)| {
            self.covariance.get(a * p + b).copied().unwrap_or(f64::NAN)
        })
    }

    fn check_columns(&self, x: &ArrayView2<'_, f64>) -> Result<()> {
        let p = self.coef.len();
        if x.ncols() != p {
            return Err(Error::LengthMismatch {
                arg: "covariates (columns)",
                len: x.ncols(),
                other: "coef",
                other_len: p,
            });
        }
        check_matrix(x, &self.names)?;
        Ok(())
    }
}

/// Predicts the log partial hazard `(x − mean)·β` of each row (centred on the training means, as
/// lifelines `predict_log_partial_hazard`; see [`CoxPh::log_partial_hazard`]). For the uncentred
/// linear predictor use [`CoxPh::linear_predictor`].
///
/// ```
/// use ndarray::array;
/// use voc_core::Predict;
/// use voc_core::retention::{cox_ph, CoxOptions};
/// let x = array![[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]];
/// let fit = cox_ph(x.view(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0; 6], &CoxOptions::default())?;
/// assert_eq!(fit.predict(x.view())?, fit.log_partial_hazard(x.view())?);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Predict<ArrayView2<'_, f64>> for CoxPh {
    type Output = Vec<f64>;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.log_partial_hazard(x)
    }
}
