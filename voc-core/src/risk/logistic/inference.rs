//! From the solver's coefficients to the fitted model: both scales, likelihoods and, for maximum
//! likelihood, standard errors, z, p-values, intervals and the likelihood-ratio test (as statsmodels).

use super::design::Prepared;
use super::model::LogisticModel;
use super::options::{LogisticOptions, Penalty};
use super::solver::{Convergence, collinear, data_loss, derivatives};
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
) -> Result<LogisticModel> {
    let q = prep.active.len();
    let mut coef_std = vec![0.0; p];
    for (k, &j) in prep.active.iter().enumerate() {
        coef_std[j] = beta[k + 1];
    }
    let coef: Vec<f64> = (0..p).map(|j| coef_std[j] / prep.scale[j]).collect();
    let intercept = beta[0] - (0..p).map(|j| coef[j] * prep.center[j]).sum::<f64>();
    let ll = -data_loss(&prep.z, q, y, s, &beta);
    let total: f64 = s.iter().sum();
    let p0 = y.iter().zip(s).map(|(a, b)| a * b).sum::<f64>() / total;
    let ll0 = y
        .iter()
        .zip(s)
        .map(|(&yi, &si)| si * if yi == 1.0 { p0.ln() } else { (1.0 - p0).ln() })
        .sum::<f64>();
    let (inference, lr_test) = if opts.penalty == Penalty::None {
        let (_, _, h) = derivatives(&prep.z, q, y, s, &beta, true);
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
        n_positive: n_pos,
        options: opts.clone(),
        convergence: conv,
    })
}
