//! From the solver's coefficients to the fitted model: both scales, likelihoods and, for maximum
//! likelihood, standard errors, z, p-values, intervals and the likelihood-ratio test (as statsmodels).

use super::design::Prepared;
use super::model::LogisticModel;
use super::options::{LogisticOptions, Penalty};
use super::solver::{Convergence, collinear};
use crate::error::Result;
use crate::stats::dist::{normal_quantile, normal_two_sided_p};
use crate::stats::linalg::{chol_inverse, cholesky};

/// Inference on one coefficient (maximum likelihood fits only).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CoefInference {
    /// Standard error (from the inverse observed information).
    pub se: f64,
    /// Wald z = coefficient / SE.
    pub z: f64,
    /// Two-sided p-value of z.
    pub p_value: f64,
    /// Confidence interval of the coefficient.
    pub ci: (f64, f64),
}

/// One row of a fitted model's summary ([`LogisticModel::summary`]): a term (the intercept or a
/// feature) with its coefficient on both scales, its odds ratio and, for maximum-likelihood fits, its
/// inference with the odds ratio's interval.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Term {
    /// `"(intercept)"` or the feature name.
    pub term: String,
    /// Coefficient on the original feature scale.
    pub coef: f64,
    /// Coefficient on the standardised scale (comparable across features).
    pub coef_std: f64,
    /// Odds ratio per unit of the feature, `exp(coef)`.
    pub odds_ratio: f64,
    /// Standard error, z, p-value and interval of the coefficient (maximum likelihood only).
    pub inference: Option<CoefInference>,
    /// Interval of the odds ratio, `exp` of the coefficient's interval (maximum likelihood only).
    pub odds_ratio_ci: Option<(f64, f64)>,
}

impl LogisticModel {
    /// The model term by term: the intercept first, then each feature in order.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::Fit;
    /// use voc_core::risk::{LogisticOptions, Penalty};
    /// let x = array![[0.5], [1.5], [2.0], [3.5], [4.0], [5.5], [1.0], [4.5]];
    /// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    /// let m = LogisticOptions::default().penalty(Penalty::None).fit((x.view(), &y[..]))?;
    /// let terms = m.summary();
    /// assert_eq!(terms[0].term, "(intercept)");
    /// assert_eq!(terms[1].term, "x0");
    /// assert_eq!(terms[1].odds_ratio, m.coef[0].exp());
    /// let (lo, hi) = terms[1].odds_ratio_ci.unwrap_or((f64::NAN, f64::NAN));
    /// assert!(lo < terms[1].odds_ratio && terms[1].odds_ratio < hi);
    /// // Penalised fits have no inference.
    /// let l2 = LogisticOptions::default().fit((x.view(), &y[..]))?;
    /// assert!(l2.summary()[1].inference.is_none());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn summary(&self) -> Vec<Term> {
        let mut out = Vec::with_capacity(self.names.len() + 1);
        let rows = std::iter::once(("(intercept)", self.intercept, self.intercept_std)).chain(
            self.names
                .iter()
                .zip(self.coef.iter().zip(&self.coef_std))
                .map(|(n, (&c, &s))| (n.as_str(), c, s)),
        );
        for (i, (term, coef, coef_std)) in rows.enumerate() {
            let inference = self.inference.as_ref().and_then(|v| v.get(i)).copied();
            out.push(Term {
                term: term.to_string(),
                coef,
                coef_std,
                odds_ratio: coef.exp(),
                inference,
                odds_ratio_ci: inference.map(|c| (c.ci.0.exp(), c.ci.1.exp())),
            });
        }
        out
    }
}

/// What the solver's last pass already computed at the solution (so [`finish`] need not pass over the
/// rows again): the data loss and, when that pass computed it, the Hessian.
pub(super) struct AtSolution {
    pub(super) loss: f64,
    pub(super) hessian: Option<Vec<f64>>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    p: usize,
    names: &[String],
    y: &[f64],
    s: &[f64],
    prep: Prepared,
    beta: Vec<f64>,
    conv: Convergence,
    opts: &LogisticOptions,
    n_pos: usize,
    at: AtSolution,
) -> Result<LogisticModel> {
    let q = prep.active.len();
    let mut coef_std = vec![0.0; p];
    for (k, &j) in prep.active.iter().enumerate() {
        coef_std[j] = beta[k + 1];
    }
    let coef: Vec<f64> = (0..p).map(|j| coef_std[j] / prep.scale[j]).collect();
    let intercept = beta[0] - (0..p).map(|j| coef[j] * prep.center[j]).sum::<f64>();
    // The solver's last pass computed the loss at the solution.
    let ll = -at.loss;
    let total: f64 = s.iter().sum();
    let p0 = y.iter().zip(s).map(|(a, b)| a * b).sum::<f64>() / total;
    let ll0 = y
        .iter()
        .zip(s)
        .map(|(&yi, &si)| si * if yi == 1.0 { p0.ln() } else { (1.0 - p0).ln() })
        .sum::<f64>();
    let (inference, lr_test) = if opts.penalty == Penalty::None {
        let Some(h) = at.hessian else {
            return Err(crate::error::Error::Internal {
                function: "risk::logistic::finish".into(),
                message: "the maximum-likelihood fit ended without the Hessian at its solution"
                    .into(),
            });
        };
        let l = cholesky(&h, q + 1).map_err(|pivot| collinear(names, &prep.active, pivot))?;
        let cov_std = chol_inverse(&l, q + 1);
        // θ_orig = A θ_std over (intercept, active columns).
        let d = q + 1;
        let mut a = vec![0.0; d * d];
        a[0] = 1.0;
        for (k, &j) in prep.active.iter().enumerate() {
            a[k + 1] = -prep.center[j] / prep.scale[j];
            a[(k + 1) * d + k + 1] = 1.0 / prep.scale[j];
        }
        let zq = normal_quantile(0.5 + opts.confidence / 2.0);
        let var = |r: usize| -> f64 {
            let mut v = 0.0;
            for i in 0..d {
                for k in 0..d {
                    v += a[r * d + i] * cov_std[i * d + k] * a[r * d + k];
                }
            }
            v
        };
        let infer = |b: f64, v: f64| {
            let se = v.max(0.0).sqrt();
            let z = b / se;
            CoefInference {
                se,
                z,
                p_value: normal_two_sided_p(z),
                ci: (b - zq * se, b + zq * se),
            }
        };
        let mut inf = vec![infer(intercept, var(0))];
        let nan = CoefInference {
            se: f64::NAN,
            z: f64::NAN,
            p_value: f64::NAN,
            ci: (0.0, 0.0),
        };
        let mut per = vec![nan; p];
        for (k, &j) in prep.active.iter().enumerate() {
            per[j] = infer(coef[j], var(k + 1));
        }
        inf.extend(per);
        let stat = 2.0 * (ll - ll0);
        let p_lr = crate::stats::dist::chi2_sf(stat.max(0.0), q as f64);
        (Some(inf), Some((stat, p_lr)))
    } else {
        (None, None)
    };
    Ok(LogisticModel {
        names: names.to_vec(),
        coef,
        intercept,
        coef_std,
        intercept_std: beta[0],
        center: prep.center,
        scale: prep.scale,
        means: prep.means,
        constant: prep.constant,
        inference,
        log_likelihood: ll,
        null_log_likelihood: ll0,
        lr_test,
        n: y.len(),
        n_missing: 0,
        n_positive: n_pos,
        options: opts.clone(),
        convergence: conv,
    })
}
