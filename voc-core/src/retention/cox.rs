//! Cox proportional hazards by Newton–Raphson on the partial likelihood (Efron or Breslow ties).

use super::{check_durations, check_events, key};
use crate::error::{Error, Result, check_len};
use crate::stats::check_confidence;
use crate::stats::dist::chi2_sf;
use crate::stats::dist::{normal_quantile, normal_two_sided_p};
use crate::stats::linalg::{chol_inverse, chol_solve, cholesky};

/// How tied event times enter the partial likelihood.
///
/// ```
/// assert_eq!(voc_core::retention::Ties::default(), voc_core::retention::Ties::Efron);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Ties {
    /// Efron (1977): the tied deaths leave the risk set in equal fractions (lifelines' only method).
    #[default]
    Efron,
    /// Breslow (1974): every tied death sees the full risk set (statsmodels `PHReg` default, R's
    /// `ties = "breslow"`).
    Breslow,
}

impl Ties {
    /// Parses "efron" or "breslow".
    ///
    /// ```
    /// use voc_core::retention::Ties;
    /// assert_eq!(Ties::parse("Breslow")?, Ties::Breslow);
    /// assert!(Ties::parse("exact").is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "efron" => Ok(Ties::Efron),
            "breslow" => Ok(Ties::Breslow),
            _ => Err(Error::option(
                "ties",
                name,
                "expected \"efron\" or \"breslow\"",
            )),
        }
    }
}

/// Options of [`cox_ph`].
///
/// ```
/// let o = voc_core::retention::CoxOptions { penalizer: 0.1, ..Default::default() };
/// assert_eq!(o.max_iter, 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CoxOptions {
    /// Handling of tied event times.
    pub ties: Ties,
    /// L2 penalty λ ≥ 0. The objective is `ℓ(β) − n·λ/2·Σ (β_j·s_j)²` with `s_j` the sample standard
    /// deviation of column j, which is lifelines' `penalizer` with `l1_ratio = 0` (it penalises the
    /// coefficients of standardised covariates).
    pub penalizer: f64,
    /// Confidence level of the coefficient intervals.
    pub confidence: f64,
    /// Newton–Raphson iterations before giving up with [`Error::NotConverged`].
    pub max_iter: usize,
    /// Convergence: the largest Newton step (in standard-deviation units of each covariate) is below
    /// this.
    pub tol: f64,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            penalizer: 0.0,
            confidence: 0.95,
            max_iter: 50,
            tol: 1e-9,
        }
    }
}

/// A fitted Cox model. Vectors run over the covariate columns.
///
/// ```
/// use voc_core::retention::{cox_ph, CoxOptions};
/// let x = [2.0, 0.5, 1.0, 1.5, -0.3, 0.0, 0.7, -1.0];
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let fit = cox_ph(&x, 1, &t, &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0], CoxOptions::default())?;
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
    /// Covariance matrix of coef, row-major p × p.
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
}

impl CoxPh {
    /// Linear predictor `x·β` of each row of a row-major covariate matrix (uncentred; the partial hazard
    /// is its exponential up to a constant).
    ///
    /// ```
    /// use voc_core::retention::{cox_ph, CoxOptions};
    /// let x = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    /// let fit = cox_ph(&x, 1, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0; 6], CoxOptions::default())?;
    /// assert_eq!(fit.linear_predictor(&[2.0], 1)?, vec![2.0 * fit.coef[0]]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn linear_predictor(&self, x: &[f64], n_cols: usize) -> Result<Vec<f64>> {
        let p = self.coef.len();
        if n_cols != p {
            return Err(Error::option(
                "n_cols",
                n_cols,
                format!("the model has {p} covariates"),
            ));
        }
        check_matrix(x, p)?;
        Ok(x.chunks_exact(p.max(1))
            .map(|r| r.iter().zip(&self.coef).map(|(a, b)| a * b).sum())
            .collect())
    }
}

fn check_matrix(x: &[f64], p: usize) -> Result<usize> {
    if p == 0 {
        return Err(Error::option(
            "n_cols",
            0,
            "at least one covariate is needed",
        ));
    }
    if !x.len().is_multiple_of(p) {
        return Err(Error::option(
            "n_cols",
            p,
            format!(
                "covariates has {} values, not a multiple of n_cols",
                x.len()
            ),
        ));
    }
    if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            arg: "covariates",
            index,
            value,
        });
    }
    Ok(x.len() / p)
}

/// Fits a Cox proportional-hazards model.
///
/// `x` is the row-major n × `n_cols` covariate matrix (a bad value is reported at its flat index
/// `row·n_cols + col`), `durations` ≥ 0, `events` 0/1. Rows are sorted once by time; each Newton step
/// sweeps the risk set from the last time backwards (O(n·p²)), and steps that lower the objective are
/// halved. Covariates are centred internally, which changes neither the estimates nor the likelihood.
///
/// Errors: [`Error::InsufficientData`] when no event is observed; [`Error::InvalidValue`] naming the
/// column (as `covariates[j]`, value = its variance left after the other columns) for a constant or
/// collinear column; [`Error::NotConverged`] when the steps do not settle within `max_iter` (e.g. a
/// covariate that perfectly separates early and late events, whose coefficient runs off to ±∞).
///
/// Matches lifelines `CoxPHFitter` (Efron) and statsmodels `PHReg(ties="breslow")` on the rossi data to
/// 1e-6 (see `tests/reference_retention.rs`).
///
/// ```
/// use voc_core::retention::{cox_ph, CoxOptions};
/// // one covariate, higher values tend to fail sooner
/// let x = [2.0, 0.5, 1.0, 1.5, -0.3, 0.0, 0.7, -1.0];
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let e = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
/// let fit = cox_ph(&x, 1, &t, &e, CoxOptions::default())?;
/// assert!((fit.coef[0] - 0.83928678).abs() < 1e-7); // lifelines CoxPHFitter
/// assert!((fit.concordance - 16.0 / 23.0).abs() < 1e-12);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn cox_ph(
    x: &[f64],
    n_cols: usize,
    durations: &[f64],
    events: &[f64],
    options: CoxOptions,
) -> Result<CoxPh> {
    let confidence = check_confidence(options.confidence)?;
    if !(options.penalizer >= 0.0) || !options.penalizer.is_finite() {
        return Err(Error::option(
            "penalizer",
            options.penalizer,
            "must be finite and >= 0",
        ));
    }
    if !(options.tol > 0.0) {
        return Err(Error::option("tol", options.tol, "must be > 0"));
    }
    let p = n_cols;
    check_durations(durations)?;
    let n = check_matrix(x, p)?;
    check_len("durations", durations.len(), "covariates (rows)", n)?;
    check_len("durations", durations.len(), "events", events.len())?;
    check_events(events)?;
    let n_events = events.iter().filter(|&&e| e == 1.0).count();
    if n_events == 0 {
        return Err(Error::InsufficientData(
            "the Cox model needs at least one observed event (all subjects are censored)".into(),
        ));
    }
    if n < 2 {
        return Err(Error::InsufficientData(
            "the Cox model needs at least two subjects".into(),
        ));
    }

    // Column means and sample standard deviations.
    let mut mean = vec![0.0; p];
    for row in x.chunks_exact(p) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    // Sort once by time, descending; centred rows stored in that order.
    let mut order: Vec<(u64, u32)> = durations
        .iter()
        .enumerate()
        .map(|(i, &d)| (key(d), i as u32))
        .collect();
    order.sort_unstable_by_key(|o| std::cmp::Reverse(o.0));
    let mut xs = vec![0.0; n * p];
    let mut ev = vec![false; n];
    let mut starts: Vec<u32> = Vec::new(); // start of each run of equal times
    let mut prev = u64::MAX;
    for (r, &(k, i)) in order.iter().enumerate() {
        let i = i as usize;
        let src = &x[i * p..i * p + p];
        for ((dst, v), m) in xs[r * p..r * p + p].iter_mut().zip(src).zip(&mean) {
            *dst = v - m;
        }
        ev[r] = events[i] == 1.0;
        if k != prev {
            starts.push(r as u32);
            prev = k;
        }
    }
    starts.push(n as u32);
    let data = Sorted {
        xs,
        ev,
        starts,
        p,
        ties: options.ties,
    };

    // Gram matrix of the centred columns: scales, and constant/collinear columns fail its Cholesky.
    let mut gram = vec![0.0; p * p];
    for row in data.xs.chunks_exact(p) {
        for a in 0..p {
            for b in 0..=a {
                gram[a * p + b] += row[a] * row[b];
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            gram[b * p + a] = gram[a * p + b];
        }
    }
    let sd: Vec<f64> = (0..p)
        .map(|j| (gram[j * p + j] / (n as f64 - 1.0)).sqrt())
        .collect();
    let mut corr = gram.clone();
    for a in 0..p {
        for b in 0..p {
            let s = (gram[a * p + a] * gram[b * p + b]).sqrt();
            corr[a * p + b] = if s > 0.0 { gram[a * p + b] / s } else { 0.0 };
        }
        if gram[a * p + a] <= 0.0 {
            corr[a * p + a] = 0.0;
        }
    }
    if let Err(j) = cholesky(&corr, p) {
        let residual = residual_variance(&corr, p, j) * gram[j * p + j] / (n as f64 - 1.0);
        return Err(Error::InvalidValue {
            arg: "covariates",
            index: j,
            value: residual,
            reason: "column is constant or a linear combination of other columns (collinear); drop it",
        });
    }

    let pen: Vec<f64> = sd
        .iter()
        .map(|s| n as f64 * options.penalizer * s * s)
        .collect();
    let mut beta = vec![0.0; p];
    let mut eval = Eval::new(p);
    data.evaluate(&beta, &mut eval);
    let null_ll = eval.ll;
    let objective = |e: &Eval, b: &[f64]| -> f64 {
        e.ll - 0.5 * b.iter().zip(&pen).map(|(bj, w)| w * bj * bj).sum::<f64>()
    };
    let mut obj = objective(&eval, &beta);
    let mut iterations = 0;
    let mut trial = Eval::new(p);
    let mut converged = false;
    let mut last_change = f64::INFINITY;
    while iterations < options.max_iter {
        iterations += 1;
        // Newton direction on the penalised objective: (−H + P) δ = g − P β.
        let mut neg_h = eval.neg_hess.clone();
        let mut g = eval.grad.clone();
        for j in 0..p {
            neg_h[j * p + j] += pen[j];
            g[j] -= pen[j] * beta[j];
        }
        let Ok(l) = cholesky(&neg_h, p) else {
            return Err(Error::NotConverged {
                iterations,
                last_change,
            });
        };
        let mut delta = g;
        chol_solve(&l, p, &mut delta);
        let change = delta
            .iter()
            .zip(&sd)
            .map(|(d, s)| (d * s).abs())
            .fold(0.0, f64::max);
        // Step halving: accept the first step that does not lower the objective.
        let mut step = 1.0;
        let mut accepted = false;
        let mut cand = beta.clone();
        for _ in 0..30 {
            for j in 0..p {
                cand[j] = beta[j] + step * delta[j];
            }
            data.evaluate(&cand, &mut trial);
            let new_obj = objective(&trial, &cand);
            if new_obj.is_finite() && new_obj >= obj - 1e-12 * obj.abs().max(1.0) {
                obj = new_obj;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            return Err(Error::NotConverged {
                iterations,
                last_change: change,
            });
        }
        beta.copy_from_slice(&cand);
        std::mem::swap(&mut eval, &mut trial);
        last_change = change * step;
        if change < options.tol {
            converged = true;
            break;
        }
    }
    if !converged {
        return Err(Error::NotConverged {
            iterations,
            last_change,
        });
    }

    let mut neg_h = eval.neg_hess.clone();
    for j in 0..p {
        neg_h[j * p + j] += pen[j];
    }
    let covariance = match cholesky(&neg_h, p) {
        Ok(l) => chol_inverse(&l, p),
        Err(_) => {
            return Err(Error::NotConverged {
                iterations,
                last_change,
            });
        }
    };
    let zq = normal_quantile(0.5 + 0.5 * confidence);
    let se: Vec<f64> = (0..p).map(|j| covariance[j * p + j].sqrt()).collect();
    let z: Vec<f64> = beta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let lr_statistic = 2.0 * (obj - null_ll);
    let lp: Vec<f64> = data
        .xs
        .chunks_exact(p)
        .map(|r| r.iter().zip(&beta).map(|(a, b)| a * b).sum())
        .collect();
    let times_sorted: Vec<u64> = order.iter().map(|o| o.0).collect();
    let concordance = concordance_sorted_desc(&times_sorted, &lp, &data.ev);
    Ok(CoxPh {
        p_value: z.iter().map(|&v| normal_two_sided_p(v)).collect(),
        ci_low: beta.iter().zip(&se).map(|(b, s)| b - zq * s).collect(),
        ci_high: beta.iter().zip(&se).map(|(b, s)| b + zq * s).collect(),
        hazard_ratio: beta.iter().map(|b| b.exp()).collect(),
        z,
        se,
        covariance,
        log_likelihood: eval.ll,
        penalized_log_likelihood: obj,
        null_log_likelihood: null_ll,
        lr_statistic,
        lr_df: p,
        lr_p_value: chi2_sf(lr_statistic, p as f64),
        concordance,
        n,
        n_events,
        iterations,
        ties: options.ties,
        penalizer: options.penalizer,
        confidence,
        coef: beta,
    })
}

/// Variance of column `j` (of a correlation matrix) not explained by the columns before it.
fn residual_variance(corr: &[f64], p: usize, j: usize) -> f64 {
    if j == 0 {
        return corr[0].max(0.0);
    }
    let sub: Vec<f64> = (0..j)
        .flat_map(|a| (0..j).map(move |b| (a, b)))
        .map(|(a, b)| corr[a * p + b])
        .collect();
    match cholesky(&sub, j) {
        Ok(l) => {
            let mut c: Vec<f64> = (0..j).map(|a| corr[a * p + j]).collect();
            let rhs = c.clone();
            chol_solve(&l, j, &mut c);
            (corr[j * p + j] - c.iter().zip(&rhs).map(|(a, b)| a * b).sum::<f64>()).max(0.0)
        }
        Err(_) => 0.0,
    }
}

struct Sorted {
    xs: Vec<f64>,
    ev: Vec<bool>,
    starts: Vec<u32>,
    p: usize,
    ties: Ties,
}

struct Eval {
    ll: f64,
    grad: Vec<f64>,
    neg_hess: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
    d1: Vec<f64>,
    d2: Vec<f64>,
    xe: Vec<f64>,
    a1: Vec<f64>,
}

impl Eval {
    fn new(p: usize) -> Self {
        Eval {
            ll: 0.0,
            grad: vec![0.0; p],
            neg_hess: vec![0.0; p * p],
            s1: vec![0.0; p],
            s2: vec![0.0; p * p],
            d1: vec![0.0; p],
            d2: vec![0.0; p * p],
            xe: vec![0.0; p],
            a1: vec![0.0; p],
        }
    }
}

impl Sorted {
    /// Partial log-likelihood, gradient and negative Hessian (lower triangle mirrored) at `beta`.
    fn evaluate(&self, beta: &[f64], e: &mut Eval) {
        let p = self.p;
        e.ll = 0.0;
        e.grad.iter_mut().for_each(|v| *v = 0.0);
        e.neg_hess.iter_mut().for_each(|v| *v = 0.0);
        e.s1.iter_mut().for_each(|v| *v = 0.0);
        e.s2.iter_mut().for_each(|v| *v = 0.0);
        let mut s0 = 0.0;
        for w in self.starts.windows(2) {
            let (lo, hi) = (w[0] as usize, w[1] as usize);
            let mut d0 = 0.0;
            let mut d = 0usize;
            let mut eta_sum = 0.0;
            e.d1.iter_mut().for_each(|v| *v = 0.0);
            e.d2.iter_mut().for_each(|v| *v = 0.0);
            e.xe.iter_mut().for_each(|v| *v = 0.0);
            for r in lo..hi {
                let row = &self.xs[r * p..r * p + p];
                let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
                let wt = eta.exp();
                s0 += wt;
                for a in 0..p {
                    let wa = wt * row[a];
                    e.s1[a] += wa;
                    let s2row = &mut e.s2[a * p..a * p + a + 1];
                    for (s, xb) in s2row.iter_mut().zip(&row[..=a]) {
                        *s += wa * xb;
                    }
                }
                if self.ev[r] {
                    d += 1;
                    eta_sum += eta;
                    d0 += wt;
                    for a in 0..p {
                        let wa = wt * row[a];
                        e.xe[a] += row[a];
                        if self.ties == Ties::Efron {
                            e.d1[a] += wa;
                            let d2row = &mut e.d2[a * p..a * p + a + 1];
                            for (s, xb) in d2row.iter_mut().zip(&row[..=a]) {
                                *s += wa * xb;
                            }
                        }
                    }
                }
            }
            if d == 0 {
                continue;
            }
            e.ll += eta_sum;
            for a in 0..p {
                e.grad[a] += e.xe[a];
            }
            match self.ties {
                Ties::Breslow => {
                    let df = d as f64;
                    e.ll -= df * s0.ln();
                    for a in 0..p {
                        let m_a = e.s1[a] / s0;
                        e.grad[a] -= df * m_a;
                        for b in 0..=a {
                            let m_b = e.s1[b] / s0;
                            e.neg_hess[a * p + b] += df * (e.s2[a * p + b] / s0 - m_a * m_b);
                        }
                    }
                }
                Ties::Efron => {
                    let df = d as f64;
                    for l in 0..d {
                        let phi = l as f64 / df;
                        let a0 = s0 - phi * d0;
                        e.ll -= a0.ln();
                        for a in 0..p {
                            e.a1[a] = (e.s1[a] - phi * e.d1[a]) / a0;
                            e.grad[a] -= e.a1[a];
                        }
                        for a in 0..p {
                            for b in 0..=a {
                                let a2 = (e.s2[a * p + b] - phi * e.d2[a * p + b]) / a0;
                                e.neg_hess[a * p + b] += a2 - e.a1[a] * e.a1[b];
                            }
                        }
                    }
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                e.neg_hess[b * p + a] = e.neg_hess[a * p + b];
            }
        }
    }
}

/// Harrell's concordance index of risk scores: among comparable pairs (an observed event before
/// another subject's time, or a censoring at or after it), the share where the earlier event has the
/// higher score, ties in score counting ½. Same pairs and tie rules as lifelines
/// `concordance_index(durations, -scores, events)`; O(n log n).
///
/// ```
/// use voc_core::retention::concordance_index;
/// let c = concordance_index(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], &[1.0, 1.0, 1.0])?;
/// assert_eq!(c, 1.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn concordance_index(durations: &[f64], scores: &[f64], events: &[f64]) -> Result<f64> {
    check_durations(durations)?;
    check_len("durations", durations.len(), "scores", scores.len())?;
    check_len("durations", durations.len(), "events", events.len())?;
    check_events(events)?;
    if let Some((index, &value)) = scores.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            arg: "scores",
            index,
            value,
        });
    }
    let mut order: Vec<(u64, u32)> = durations
        .iter()
        .enumerate()
        .map(|(i, &d)| (key(d), i as u32))
        .collect();
    order.sort_unstable_by_key(|o| std::cmp::Reverse(o.0));
    let t: Vec<u64> = order.iter().map(|o| o.0).collect();
    let s: Vec<f64> = order.iter().map(|o| scores[o.1 as usize]).collect();
    let ev: Vec<bool> = order.iter().map(|o| events[o.1 as usize] == 1.0).collect();
    Ok(concordance_sorted_desc(&t, &s, &ev))
}

/// Concordance on rows sorted by time descending (`t` are sortable keys).
fn concordance_sorted_desc(t: &[u64], score: &[f64], ev: &[bool]) -> f64 {
    // Ranks of the scores of subjects with events (the pool); Fenwick tree of counts over them.
    let mut uniq: Vec<f64> = score
        .iter()
        .zip(ev)
        .filter(|(_, e)| **e)
        .map(|(s, _)| *s)
        .collect();
    uniq.sort_unstable_by(f64::total_cmp);
    uniq.dedup();
    let m = uniq.len();
    let mut tree = vec![0u64; m + 1];
    let add = |tree: &mut [u64], mut i: usize| {
        i += 1;
        while i < tree.len() {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    };
    let prefix = |tree: &[u64], mut i: usize| -> u64 {
        // count of pool items with rank < i
        let mut s = 0;
        while i > 0 {
            s += tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    };
    let (mut pairs, mut correct, mut tied) = (0u64, 0u64, 0u64);
    let mut pool = 0u64;
    // Walk times ascending (the rows are descending, so go from the end).
    let n = t.len();
    let mut hi = n;
    while hi > 0 {
        let k = t[hi - 1];
        let mut lo = hi - 1;
        while lo > 0 && t[lo - 1] == k {
            lo -= 1;
        }
        let query = |tree: &[u64], s: f64, pool: u64| -> (u64, u64, u64) {
            let below = uniq.partition_point(|&u| u < s);
            let upto = uniq.partition_point(|&u| u <= s);
            let n_below = prefix(tree, below);
            let n_upto = prefix(tree, upto);
            // pool members (earlier events) with higher score are concordant
            (pool, pool - n_upto, n_upto - n_below)
        };
        // Events at this time are compared with earlier events only.
        for r in lo..hi {
            if ev[r] {
                let (a, b, c) = query(&tree, score[r], pool);
                pairs += a;
                correct += b;
                tied += c;
            }
        }
        for r in lo..hi {
            if ev[r] {
                let rank = uniq.partition_point(|&u| u < score[r]);
                add(&mut tree, rank);
                pool += 1;
            }
        }
        // Censorings at this time are compared with events up to and including it.
        for r in lo..hi {
            if !ev[r] {
                let (a, b, c) = query(&tree, score[r], pool);
                pairs += a;
                correct += b;
                tied += c;
            }
        }
        hi = lo;
    }
    if pairs == 0 {
        f64::NAN
    } else {
        (correct as f64 + 0.5 * tied as f64) / pairs as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_concordance(t: &[f64], s: &[f64], e: &[f64]) -> f64 {
        let (mut pairs, mut num) = (0.0, 0.0);
        for i in 0..t.len() {
            for j in 0..t.len() {
                if e[i] == 1.0 && (t[i] < t[j] || (t[i] == t[j] && e[j] == 0.0)) {
                    pairs += 1.0;
                    if s[i] > s[j] {
                        num += 1.0;
                    } else if s[i] == s[j] {
                        num += 0.5;
                    }
                }
            }
        }
        num / pairs
    }

    #[test]
    fn concordance_matches_brute_force() -> Result<()> {
        let t: Vec<f64> = (0..60).map(|i| ((i * 37) % 11) as f64).collect();
        let s: Vec<f64> = (0..60).map(|i| ((i * 13) % 7) as f64).collect();
        let e: Vec<f64> = (0..60).map(|i| ((i * 5) % 3 != 0) as u8 as f64).collect();
        let c = concordance_index(&t, &s, &e)?;
        assert!((c - brute_concordance(&t, &s, &e)).abs() < 1e-15);
        Ok(())
    }

    #[test]
    fn bad_input() {
        let o = CoxOptions::default();
        let t = [1.0, 2.0, 3.0, 4.0];
        let e = [1.0, 0.0, 1.0, 1.0];
        // collinear second column
        let x = [1.0, 2.0, 2.0, 4.0, 3.0, 6.0, 5.0, 10.0];
        match cox_ph(&x, 2, &t, &e, o) {
            Err(Error::InvalidValue { index: 1, .. }) => {}
            other => unreachable!("{other:?}"),
        }
        // constant column
        let x = [1.0, 1.0, 1.0, 1.0];
        assert!(matches!(
            cox_ph(&x, 1, &t, &e, o),
            Err(Error::InvalidValue { index: 0, .. })
        ));
        let x = [1.0, f64::NAN, 3.0, 4.0];
        assert!(matches!(
            cox_ph(&x, 1, &t, &e, o),
            Err(Error::NonFinite { index: 1, .. })
        ));
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!(matches!(
            cox_ph(&x, 1, &t, &[0.0; 4], o),
            Err(Error::InsufficientData(_))
        ));
        // perfect separation: coefficient diverges
        let x = [4.0, 3.0, 2.0, 1.0];
        assert!(matches!(
            cox_ph(&x, 1, &t, &[1.0; 4], o),
            Err(Error::NotConverged { .. })
        ));
        assert!(cox_ph(&x, 1, &t, &[1.0, 2.0, 0.0, 1.0], o).is_err());
        assert!(cox_ph(&x, 1, &[-1.0, 2.0, 3.0, 4.0], &e, o).is_err());
    }
}
