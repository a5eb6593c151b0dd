//! The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way".

use statrs::function::gamma::{digamma, ln_gamma};

use super::optim::{log_param_se, minimise_log_params};
use crate::error::{Error, Result, check_len};
use crate::traits::{Fit, Predict};

/// Options (parameters) of the BG/NBD fit: [`BgNbd::fit`], or [`Fit`] on an [`RfmData`].
///
/// ```
/// use voc_core::retention::BgNbdOptions;
/// assert_eq!(BgNbdOptions::default().max_iter, 500);
/// assert_eq!(BgNbdOptions::default().max_iter(2000).tol(1e-9).max_iter, 2000);
/// assert!(BgNbdOptions::default().max_iter(0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BgNbdOptions {
    /// Quasi-Newton iterations before [`Error::NotConverged`].
    pub max_iter: usize,
    /// Convergence: largest gradient component of the mean log-likelihood in log-parameters, reached by
    /// BFGS and finished by Newton steps on a finite-difference Hessian of the analytic gradient.
    pub tol: f64,
}

impl Default for BgNbdOptions {
    fn default() -> Self {
        BgNbdOptions {
            max_iter: 500,
            tol: 1e-10,
        }
    }
}

impl BgNbdOptions {
    /// Checks every option: `max_iter` ≥ 1, `tol` > 0. Called once at the start of the fit.
    ///
    /// ```
    /// assert!(voc_core::retention::BgNbdOptions::default().tol(-1.0).validate().is_err());
    /// assert!(voc_core::retention::BgNbdOptions::default().tol(f64::INFINITY).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_optimiser(self.max_iter, self.tol)
    }
}

crate::setters!(BgNbdOptions {
    max_iter: usize,
    tol: f64
});

/// Checks the options shared by the maximum-likelihood fits.
pub(crate) fn check_optimiser(max_iter: usize, tol: f64) -> Result<()> {
    if max_iter == 0 {
        return Err(Error::option("max_iter", 0, "must be at least 1"));
    }
    if !(tol > 0.0 && tol < 1.0) {
        // A tolerance of 1 or more (or infinite) stops at the starting values and reports them as the fit.
        return Err(Error::option("tol", tol, "must lie in (0, 1), e.g. 1e-10"));
    }
    Ok(())
}

/// Per-customer purchase histories, borrowed: `frequency` = repeat purchases x (whole, ≥ 0),
/// `recency` = time of the last repeat purchase since the first (t_x), `t` = age since the first
/// purchase (T), in one time unit (see [`rfm_summary`](super::rfm_summary)). What [`BgNbdOptions`] fits
/// through [`Fit`], and (with a horizon) what [`BgNbd`] predicts from.
///
/// ```
/// use voc_core::{Fit, Predict};
/// use voc_core::retention::{BgNbd, BgNbdOptions, RfmData};
/// let bg = BgNbd::new(0.243, 4.414, 0.793, 2.426)?; // FHL 2005, CDNOW, weeks
/// let data = RfmData::new(&[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86]);
/// let next_39_weeks = bg.predict((39.0, data))?;
/// assert!(next_39_weeks[0] > next_39_weeks[1]);
/// # let _ = BgNbdOptions::default().fit(data);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RfmData<'a> {
    /// Repeat purchases x.
    pub frequency: &'a [f64],
    /// Time of the last repeat purchase since the first, t_x.
    pub recency: &'a [f64],
    /// Age of the customer since the first purchase, T.
    pub t: &'a [f64],
}

impl<'a> RfmData<'a> {
    /// Bundles the three columns (checked where they are used).
    ///
    /// ```
    /// let d = voc_core::retention::RfmData::new(&[1.0], &[3.0], &[5.0]);
    /// assert_eq!(d.t, &[5.0]);
    /// ```
    pub fn new(frequency: &'a [f64], recency: &'a [f64], t: &'a [f64]) -> Self {
        RfmData {
            frequency,
            recency,
            t,
        }
    }
}

/// A BG/NBD model: purchases follow a Poisson process with a gamma(r, α) rate across customers; after
/// each purchase a customer drops out with a beta(a, b) probability.
///
/// Time is in whatever unit `recency` and `T` were given (days, weeks); `alpha` is in that unit.
///
/// ```
/// let m = voc_core::retention::BgNbd::new(0.243, 4.414, 0.793, 2.426)?; // FHL 2005, CDNOW, weeks
/// assert_eq!(m.p_alive(&[0.0], &[0.0], &[38.86])?, vec![1.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BgNbd {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in time units) of the gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the beta distribution of the drop-out probability.
    pub a: f64,
    /// Second shape of the beta distribution of the drop-out probability.
    pub b: f64,
    /// Standard errors of (r, alpha, a, b) from the inverse observed information (delta method from
    /// log-parameters, as lifetimes `standard_errors_`); NaN when not fitted.
    pub se: [f64; 4],
    /// Log-likelihood of the data at the estimate (sum over customers).
    pub log_likelihood: f64,
    /// Customers fitted on.
    pub n: usize,
    /// Optimiser iterations.
    pub iterations: usize,
}

/// Checked (frequency, recency, T) columns: x whole and ≥ 0, 0 ≤ t_x ≤ T, t_x = 0 when x = 0.
pub(crate) fn check_rfm(frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<()> {
    check_len("frequency", frequency.len(), "recency", recency.len())?;
    check_len("frequency", frequency.len(), "T", t.len())?;
    if frequency.is_empty() {
        return Err(Error::Empty {
            arg: "frequency",
            what: "no customers",
        });
    }
    for (index, ((&x, &tx), &tt)) in frequency.iter().zip(recency).zip(t).enumerate() {
        for (arg, value) in [("frequency", x), ("recency", tx), ("T", tt)] {
            crate::stats::check::non_negative(arg, index, value, "cannot be negative")?;
        }
        if x.fract() != 0.0 {
            return Err(Error::NotWhole {
                arg: "frequency",
                index,
                value: x,
            });
        }
        if tx > tt {
            return Err(Error::InvalidValue {
                arg: "recency",
                index,
                value: tx,
                reason: "recency (time of the last purchase) cannot exceed T (age of the customer)",
            });
        }
        if x == 0.0 && tx != 0.0 {
            return Err(Error::InvalidValue {
                arg: "recency",
                index,
                value: tx,
                reason: "a customer with no repeat purchase (frequency 0) has recency 0",
            });
        }
    }
    Ok(())
}

/// Distinct frequencies and the code of each customer in them.
pub(crate) fn frequency_codes(frequency: &[f64]) -> (Vec<f64>, Vec<u32>) {
    let mut uniq: Vec<u64> = frequency.iter().map(|&x| x as u64).collect();
    uniq.sort_unstable();
    uniq.dedup();
    let codes = frequency
        .iter()
        .map(|&x| uniq.partition_point(|&u| u < x as u64) as u32)
        .collect();
    (uniq.into_iter().map(|u| u as f64).collect(), codes)
}

/// Distinct (x, t_x, T) rows with their multiplicities (customers with the same history contribute
/// the same likelihood term; in practice most customers without repeat purchases share a few rows).
struct Data {
    xs: Vec<f64>,
    codes: Vec<u32>,
    recency: Vec<f64>,
    t: Vec<f64>,
    weight: Vec<f64>,
    n: f64,
    scale: f64,
}

impl Data {
    /// Inputs must be checked; times are stored rescaled by `scale`.
    fn new(frequency: &[f64], recency: &[f64], t: &[f64], scale: f64) -> Data {
        let mut rows: Vec<(u64, u64, u64)> = frequency
            .iter()
            .zip(recency)
            .zip(t)
            .map(|((&x, &r), &tt)| (x as u64, (r + 0.0).to_bits(), (tt + 0.0).to_bits()))
            .collect();
        rows.sort_unstable();
        let mut fx = Vec::new();
        let mut rec = Vec::new();
        let mut tt = Vec::new();
        let mut weight = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if i > 0 && rows[i - 1] == *row {
                if let Some(w) = weight.last_mut() {
                    *w += 1.0;
                }
                continue;
            }
            fx.push(row.0 as f64);
            rec.push(f64::from_bits(row.1) * scale);
            tt.push(f64::from_bits(row.2) * scale);
            weight.push(1.0);
        }
        let (xs, codes) = frequency_codes(&fx);
        Data {
            xs,
            codes,
            recency: rec,
            t: tt,
            weight,
            n: frequency.len() as f64,
            scale,
        }
    }
}

/// Per-distinct-frequency terms of the log-likelihood and their derivatives.
struct Tables {
    a12: Vec<f64>,
    d_r: Vec<f64>,
    d_a: Vec<f64>,
    d_b: Vec<f64>,
    ln_a4: Vec<f64>,
    inv_b: Vec<f64>,
}

impl Data {
    /// Mean log-likelihood (scaled time) and its gradient in log-parameters.
    fn eval(&self, lp: &[f64], grad: &mut [f64]) -> f64 {
        let (r, alpha, a, b) = (lp[0].exp(), lp[1].exp(), lp[2].exp(), lp[3].exp());
        let m = self.xs.len();
        let mut tb = Tables {
            a12: Vec::with_capacity(m),
            d_r: Vec::with_capacity(m),
            d_a: Vec::with_capacity(m),
            d_b: Vec::with_capacity(m),
            ln_a4: Vec::with_capacity(m),
            inv_b: Vec::with_capacity(m),
        };
        let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
        let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(a + b));
        let ln_alpha = alpha.ln();
        for &x in &self.xs {
            tb.a12.push(
                ln_gamma(r + x) - lg_r + r * ln_alpha + lg_ab + ln_gamma(b + x)
                    - lg_b
                    - ln_gamma(a + b + x),
            );
            tb.d_r.push(digamma(r + x) - dg_r + ln_alpha);
            let dabx = digamma(a + b + x);
            tb.d_a.push(dg_ab - dabx);
            tb.d_b.push(dg_ab + digamma(b + x) - dg_b - dabx);
            tb.ln_a4
                .push(a.ln() - (b + x - 1.0).max(f64::MIN_POSITIVE).ln());
            tb.inv_b.push(1.0 / (b + x - 1.0));
        }
        let (mut ll, mut gr, mut gal, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut ticker = crate::interrupt::Ticker::new();
        for (((&c, &rec), &tt), &w8) in self
            .codes
            .iter()
            .zip(&self.recency)
            .zip(&self.t)
            .zip(&self.weight)
        {
            if ticker.tick().is_err() {
                // interrupted: the optimiser sees the pending interrupt and stops
                return f64::NAN;
            }
            let c = c as usize;
            let x = self.xs[c];
            let rx = r + x;
            let l_t = (alpha + tt).ln();
            let a3 = -rx * l_t;
            let mut v = tb.a12[c];
            let mut dr = tb.d_r[c];
            let mut dal = r / alpha;
            let mut da = tb.d_a[c];
            let mut db = tb.d_b[c];
            if x > 0.0 {
                let l_x = (alpha + rec).ln();
                let a4 = tb.ln_a4[c] - rx * l_x;
                // log(e^a3 + e^a4) and w = e^a4 / (e^a3 + e^a4)
                let (hi, lo) = if a3 > a4 { (a3, a4) } else { (a4, a3) };
                let e = (lo - hi).exp();
                v += hi + e.ln_1p();
                let w = if a4 > a3 {
                    1.0 / (1.0 + e)
                } else {
                    e / (1.0 + e)
                };
                dr -= (1.0 - w) * l_t + w * l_x;
                dal -= rx * ((1.0 - w) / (alpha + tt) + w / (alpha + rec));
                da += w / a;
                db -= w * tb.inv_b[c];
            } else {
                v += a3;
                dr -= l_t;
                dal -= rx / (alpha + tt);
            }
            ll += w8 * v;
            gr += w8 * dr;
            gal += w8 * dal;
            ga += w8 * da;
            gb += w8 * db;
        }
        let n = self.n;
        // gradient of the negative mean log-likelihood in log-parameters
        grad[0] = -gr * r / n;
        grad[1] = -gal * alpha / n;
        grad[2] = -ga * a / n;
        grad[3] = -gb * b / n;
        -ll / n
    }
}

impl BgNbd {
    /// A model with given parameters (e.g. published ones), without standard errors.
    ///
    /// ```
    /// let m = voc_core::retention::BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// assert!(m.se[0].is_nan());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        for (name, v) in [("r", r), ("alpha", alpha), ("a", a), ("b", b)] {
            if !(v > 0.0) || !v.is_finite() {
                return Err(Error::option(
                    name,
                    v,
                    "BG/NBD parameters must be finite and > 0",
                ));
            }
        }
        Ok(BgNbd {
            r,
            alpha,
            a,
            b,
            se: [f64::NAN; 4],
            log_likelihood: f64::NAN,
            n: 0,
            iterations: 0,
        })
    }

    /// Fits the model by maximum likelihood (likelihood of FHL 2005, eq. 6, as lifetimes
    /// `BetaGeoFitter`); the same as [`Fit`] on an [`RfmData`] for [`BgNbdOptions`].
    ///
    /// `frequency` = repeat purchases x (whole, ≥ 0), `recency` = time of the last repeat purchase
    /// since the first t_x, `T` = age since the first purchase (see [`rfm_summary`](super::rfm_summary)).
    /// The log-likelihood and its analytic gradient are minimised by BFGS over log-parameters, with time
    /// rescaled so that max T = 10 (as lifetimes does); terms that depend on x alone are computed once per
    /// distinct x. Standard errors come from a central-difference Hessian of the analytic gradient.
    ///
    /// On the CDNOW data this gives the published estimates r = 0.243, α = 4.414, a = 0.793, b = 2.426.
    ///
    /// ```
    /// use voc_core::retention::{BgNbd, BgNbdOptions};
    /// // 40 customers simulated from BG/NBD(0.5, 4, 0.8, 2.5) over 20 weeks
    /// let x = [0., 0., 0., 1., 0., 1., 0., 2., 0., 1., 0., 7., 0., 0., 0., 0., 0., 11., 0., 1.,
    ///          1., 5., 6., 4., 4., 0., 3., 0., 0., 1., 2., 1., 0., 0., 1., 1., 0., 10., 0., 0.];
    /// let tx = [0.0, 0.0, 0.0, 0.5, 0.0, 10.9, 0.0, 7.4, 0.0, 10.8, 0.0, 11.2, 0.0, 0.0, 0.0, 0.0,
    ///           0.0, 18.8, 0.0, 1.6, 8.7, 18.6, 14.4, 12.3, 10.8, 0.0, 8.2, 0.0, 0.0, 2.3, 18.6, 0.2,
    ///           0.0, 0.0, 7.4, 14.6, 0.0, 19.4, 0.0, 0.0];
    /// let t = [20.0; 40];
    /// let m = BgNbd::fit(&x, &tx, &t, &BgNbdOptions::default())?;
    /// assert!((m.r - 0.30625).abs() < 1e-4); // lifetimes: 0.30624993
    /// let p = m.p_alive(&x, &tx, &t)?;
    /// assert_eq!(p[0], 1.0); // no repeat purchase: never seen to drop out
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn fit(
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        options: &BgNbdOptions,
    ) -> Result<Self> {
        options.validate()?;
        check_rfm(frequency, recency, t)?;
        let t_max = t.iter().copied().fold(0.0, f64::max);
        if !(t_max > 0.0) {
            return Err(Error::InsufficientData(
                "all customers have T = 0: nothing was observed".into(),
            ));
        }
        if frequency.iter().all(|&x| x == 0.0) {
            return Err(Error::InsufficientData(
                "no customer made a repeat purchase: the purchase and drop-out processes are not identified"
                    .into(),
            ));
        }
        let data = Data::new(frequency, recency, t, 10.0 / t_max);
        let min = minimise_log_params(|lp, g| data.eval(lp, g), 4, options.max_iter, options.tol)?;
        let n = frequency.len();
        let lp = &min.x;
        let mut model = BgNbd::new(
            lp[0].exp(),
            lp[1].exp() / data.scale,
            lp[2].exp(),
            lp[3].exp(),
        )?;
        model.n = n;
        model.iterations = min.iterations;
        // Mean-scaled log-likelihood in scaled time differs from the original by Σx·ln(scale).
        let sum_x: f64 = frequency.iter().sum();
        model.log_likelihood = -min.f * n as f64 + sum_x * data.scale.ln();
        model.se = log_param_se(
            min.inv_hessian.as_deref(),
            [model.r, model.alpha, model.a, model.b],
            n as f64,
        );
        Ok(model)
    }

    /// Probability that each customer is still alive (has not dropped out), as lifetimes
    /// `conditional_probability_alive`: `1 / (1 + [x > 0]·a/(b + x − 1)·((α + T)/(α + t_x))^(r + x))`.
    ///
    /// ```
    /// let m = voc_core::retention::BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// let p = m.p_alive(&[2.0], &[30.43], &[38.86])?;
    /// assert!(p[0] > 0.5 && p[0] < 1.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn p_alive(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        check_rfm(frequency, recency, t)?;
        Ok(frequency
            .iter()
            .zip(recency)
            .zip(t)
            .map(|((&x, &tx), &tt)| self.p_alive_one(x, tx, tt))
            .collect())
    }

    fn p_alive_one(&self, x: f64, tx: f64, tt: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let log_div = (self.r + x) * ((self.alpha + tt) / (self.alpha + tx)).ln()
            + (self.a / (self.b + x - 1.0)).ln();
        1.0 / (1.0 + log_div.exp())
    }

    /// Expected repeat purchases of each customer in the next `horizon` time units, given their
    /// history (FHL 2005 eq. 10, as lifetimes `conditional_expected_number_of_purchases_up_to_time`).
    ///
    /// The Gauss hypergeometric function is summed after Euler's transformation,
    /// `₂F₁(r+x, b+x; c; z) = (1−z)^(a−1−r−x) ₂F₁(a+b−1−r, a−1; c; z)` with `c = a+b+x−1`, whose series
    /// converges quickly for any x and stays finite where the direct form overflows.
    ///
    /// ```
    /// let m = voc_core::retention::BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// let e = m.expected_purchases(39.0, &[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86])?;
    /// assert!(e[0] > e[1]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn expected_purchases(
        &self,
        horizon: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        check_horizon(horizon)?;
        check_rfm(frequency, recency, t)?;
        let mut out = Vec::with_capacity(frequency.len());
        for ((&x, &tx), &tt) in frequency.iter().zip(recency).zip(t) {
            out.push(self.expected_one(horizon, x, tx, tt)?);
        }
        Ok(out)
    }

    pub(crate) fn expected_one(&self, horizon: f64, x: f64, tx: f64, tt: f64) -> Result<f64> {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        if horizon == 0.0 {
            return Ok(0.0);
        }
        let z = horizon / (alpha + tt + horizon);
        let c = a + b + x - 1.0;
        let f = hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)?;
        // (1 − z)^(r+x) · ₂F₁(r+x, b+x; c; z) = (1 − z)^(a−1) · f
        let second = 1.0 - ((a - 1.0) * (-z).ln_1p()).exp() * f;
        let first = c / (a - 1.0);
        let denom = 1.0
            + if x > 0.0 {
                (a / (b + x - 1.0)) * ((alpha + tt) / (alpha + tx)).powf(r + x)
            } else {
                0.0
            };
        Ok(first * second / denom)
    }

    /// Expected repeat purchases of a new customer in `horizon` time units (FHL 2005 eq. 9, as
    /// lifetimes `expected_number_of_purchases_up_to_time`).
    ///
    /// ```
    /// let m = voc_core::retention::BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// assert!(m.expected_purchases_new(39.0)? > 0.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn expected_purchases_new(&self, horizon: f64) -> Result<f64> {
        check_horizon(horizon)?;
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let z = horizon / (alpha + horizon);
        let f = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b - 1.0, z)?;
        Ok((a + b - 1.0) / (a - 1.0) * (1.0 - ((a - 1.0) * (-z).ln_1p()).exp() * f))
    }
}

impl Fit<RfmData<'_>> for BgNbdOptions {
    type Model = BgNbd;

    /// [`BgNbd::fit`] on the bundled columns.
    fn fit(&self, data: RfmData<'_>) -> Result<BgNbd> {
        BgNbd::fit(data.frequency, data.recency, data.t, self)
    }
}

/// Predicts the expected repeat purchases of each customer in the next `horizon` time units, from
/// `(horizon, history)`: [`BgNbd::expected_purchases`].
///
/// ```
/// use voc_core::Predict;
/// use voc_core::retention::{BgNbd, RfmData};
/// let m = BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
/// let (x, tx, t) = ([2.0], [30.43], [38.86]);
/// assert_eq!(m.predict((39.0, RfmData::new(&x, &tx, &t)))?, m.expected_purchases(39.0, &x, &tx, &t)?);
/// # Ok::<(), voc_core::Error>(())
/// ```
impl Predict<(f64, RfmData<'_>)> for BgNbd {
    type Output = Vec<f64>;

    fn predict(&self, (horizon, data): (f64, RfmData<'_>)) -> Result<Vec<f64>> {
        self.expected_purchases(horizon, data.frequency, data.recency, data.t)
    }
}

fn check_horizon(h: f64) -> Result<()> {
    if h.is_finite() && h >= 0.0 {
        Ok(())
    } else {
        Err(Error::option("horizon", h, "must be finite and >= 0"))
    }
}

/// Gauss hypergeometric ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64> {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..1_000_000u32 {
        let k = f64::from(k);
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() {
            return Ok(sum);
        }
    }
    Err(Error::NotConverged {
        iterations: 1_000_000,
        last_change: term,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyp2f1_known_values() -> Result<()> {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z
        let z = 0.9;
        assert!((hyp2f1(1.0, 1.0, 2.0, z)? - (-(1.0f64 - z).ln() / z)).abs() < 1e-13);
        assert_eq!(hyp2f1(1.5, 2.5, 3.0, 0.0)?, 1.0);
        Ok(())
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let x = [0.0, 1.0, 4.0, 2.0, 0.0];
        let tx = [0.0, 3.0, 8.0, 5.0, 0.0];
        let t = [9.0, 9.5, 10.0, 7.0, 3.0];
        let d = Data::new(&x, &tx, &t, 1.0);
        let p = [-0.3, 0.4, 0.1, 0.6];
        let mut g = [0.0; 4];
        d.eval(&p, &mut g);
        let mut dummy = [0.0; 4];
        for j in 0..4 {
            let h = 1e-6;
            let mut pp = p;
            pp[j] += h;
            let fp = d.eval(&pp, &mut dummy);
            pp[j] -= 2.0 * h;
            let fm = d.eval(&pp, &mut dummy);
            assert!(((fp - fm) / (2.0 * h) - g[j]).abs() < 1e-7, "param {j}");
        }
    }

    #[test]
    fn bad_input() {
        let o = &BgNbdOptions::default();
        assert!(BgNbd::fit(&[1.5], &[1.0], &[2.0], o).is_err());
        assert!(BgNbd::fit(&[1.0], &[3.0], &[2.0], o).is_err());
        assert!(BgNbd::fit(&[0.0], &[1.0], &[2.0], o).is_err());
        assert!(BgNbd::fit(&[0.0, 0.0], &[0.0, 0.0], &[2.0, 3.0], o).is_err());
        assert!(BgNbd::fit(&[1.0], &[f64::NAN], &[2.0], o).is_err());
        assert!(BgNbd::fit(&[], &[], &[], o).is_err());
    }

    /// Data whose likelihood keeps rising as a and b grow without bound (lifetimes fails on it too).
    #[test]
    fn boundary_optimum_is_not_converged() {
        let (mut xs, mut txs, mut ts) = (vec![], vec![], vec![]);
        for i in 0..40u32 {
            let t = 20.0 + f64::from(i % 7);
            let x = f64::from((i * 7) % 5);
            let tx = if x == 0.0 {
                0.0
            } else {
                t * (f64::from((i * 3) % 10) + 1.0) / 11.0
            };
            xs.push(x);
            txs.push(tx);
            ts.push(t);
        }
        assert!(matches!(
            BgNbd::fit(&xs, &txs, &ts, &BgNbdOptions::default()),
            Err(Error::NotConverged { .. })
        ));
    }
}
