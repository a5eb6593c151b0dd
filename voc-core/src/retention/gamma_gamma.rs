//! The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV") and CLV.

use statrs::function::gamma::{digamma, ln_gamma};

use super::bgnbd::{BgNbd, RfmData, check_optimiser, check_rfm, frequency_codes};
use super::optim::{log_param_se, minimise_log_params};
use crate::error::{Error, Result, check_len};
use crate::traits::{Fit, Predict};

/// Options (parameters) of the Gamma-Gamma fit: [`GammaGamma::fit`], or [`Fit`] on a [`SpendData`].
///
/// ```
/// use voc_core::retention::GammaGammaOptions;
/// assert_eq!(GammaGammaOptions::default().tol, 1e-10);
/// assert_eq!(GammaGammaOptions::default().max_iter(50).max_iter, 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct GammaGammaOptions {
    /// Quasi-Newton iterations before [`Error::NotConverged`].
    pub max_iter: usize,
    /// Convergence: largest gradient component of the mean log-likelihood in log-parameters, reached by
    /// BFGS and finished by Newton steps on a finite-difference Hessian of the analytic gradient.
    pub tol: f64,
}

impl Default for GammaGammaOptions {
    fn default() -> Self {
        GammaGammaOptions {
            max_iter: 500,
            tol: 1e-10,
        }
    }
}

impl GammaGammaOptions {
    /// Checks every option: `max_iter` ≥ 1, `tol` > 0. Called once at the start of the fit.
    ///
    /// ```
    /// assert!(voc_core::retention::GammaGammaOptions::default().tol(0.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_optimiser(self.max_iter, self.tol)
    }
}

crate::setters!(GammaGammaOptions {
    max_iter: usize,
    tol: f64
});

/// Per-customer spend, borrowed: `frequency` = repeat purchases x (whole, ≥ 0) and `monetary` = mean
/// spend of the repeat purchases (> 0 where x > 0). What [`GammaGammaOptions`] fits through [`Fit`] and
/// what [`GammaGamma`] predicts from.
///
/// ```
/// use voc_core::{Fit, Predict};
/// use voc_core::retention::{GammaGammaOptions, SpendData};
/// let x = [5.0, 1.0, 1.0, 2.0, 1.0, 5.0, 5.0, 3.0, 1.0, 1.0, 2.0, 3.0, 0.0];
/// let m = [19.0, 17.9, 7.2, 2.0, 9.2, 6.8, 4.0, 7.7, 10.1, 9.2, 3.0, 11.1, 0.0];
/// let gg = GammaGammaOptions::default().fit(SpendData::new(&x, &m))?;
/// assert!((gg.p - 3.03803).abs() < 1e-4); // lifetimes: 3.03802949
/// let spend = gg.predict(SpendData::new(&x, &m))?; // conditional expected average profit
/// assert!((spend[12] - gg.mean_spend()).abs() < 1e-9); // no repeat purchase: the population mean
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SpendData<'a> {
    /// Repeat purchases x.
    pub frequency: &'a [f64],
    /// Mean spend of the repeat purchases.
    pub monetary: &'a [f64],
}

impl<'a> SpendData<'a> {
    /// Bundles the two columns (checked where they are used).
    ///
    /// ```
    /// let d = voc_core::retention::SpendData::new(&[2.0], &[30.0]);
    /// assert_eq!(d.monetary, &[30.0]);
    /// ```
    pub fn new(frequency: &'a [f64], monetary: &'a [f64]) -> Self {
        SpendData {
            frequency,
            monetary,
        }
    }
}

/// A Gamma-Gamma spend model: a customer's spend per transaction is gamma(p, ν) with ν ~ gamma(q, v)
/// across customers. The mean spend of a new customer is `p·v/(q − 1)`.
///
/// ```
/// let gg = voc_core::retention::GammaGamma::new(6.25, 3.74, 15.44)?; // FHL, CDNOW
/// assert!((gg.mean_spend() - 35.22).abs() < 0.01);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GammaGamma {
    /// Shape of spend per transaction.
    pub p: f64,
    /// Shape of the gamma distribution of the transaction-level rate ν.
    pub q: f64,
    /// Scale of the gamma distribution of ν.
    pub v: f64,
    /// Standard errors of (p, q, v) (delta method from log-parameters); NaN when not fitted.
    pub se: [f64; 3],
    /// Log-likelihood at the estimate (sum over the customers used).
    pub log_likelihood: f64,
    /// Customers used (those with at least one repeat purchase).
    pub n: usize,
    /// Customers left out because they have no repeat purchase.
    pub n_skipped: usize,
    /// Optimiser iterations.
    pub iterations: usize,
}

struct Data<'a> {
    xs: Vec<f64>,
    codes: Vec<u32>,
    m: &'a [f64],
    /// ln x and ln m per customer
    ln_x: Vec<f64>,
    ln_m: Vec<f64>,
}

impl Data<'_> {
    fn eval(&self, lp: &[f64], grad: &mut [f64]) -> f64 {
        let (p, q, v) = (lp[0].exp(), lp[1].exp(), lp[2].exp());
        let (lg_q, dg_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
        let tab: Vec<(f64, f64, f64)> = self
            .xs
            .iter()
            .map(|&x| {
                let px = p * x;
                (
                    ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v,
                    digamma(px + q) - digamma(px),
                    digamma(px + q) - dg_q + ln_v,
                )
            })
            .collect();
        let (mut ll, mut gp, mut gq, mut gv) = (0.0, 0.0, 0.0, 0.0);
        let mut ticker = crate::interrupt::Ticker::new();
        for (i, &c) in self.codes.iter().enumerate() {
            if ticker.tick().is_err() {
                // interrupted: the optimiser sees the pending interrupt and stops
                return f64::NAN;
            }
            let c = c as usize;
            let (base, dp, dq) = tab[c];
            let x = self.xs[c];
            let px = p * x;
            let s = x * self.m[i] + v;
            let ln_s = s.ln();
            ll += base + (px - 1.0) * self.ln_m[i] + px * self.ln_x[i] - (px + q) * ln_s;
            gp += x * (dp + self.ln_m[i] + self.ln_x[i] - ln_s);
            gq += dq - ln_s;
            gv += q / v - (px + q) / s;
        }
        let n = self.codes.len() as f64;
        grad[0] = -gp * p / n;
        grad[1] = -gq * q / n;
        grad[2] = -gv * v / n;
        -ll / n
    }
}

impl GammaGamma {
    /// A model with given parameters, without standard errors.
    ///
    /// ```
    /// let gg = voc_core::retention::GammaGamma::new(6.25, 3.74, 15.44)?;
    /// assert!((gg.mean_spend() - 6.25 * 15.44 / 2.74).abs() < 1e-12);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(p: f64, q: f64, v: f64) -> Result<Self> {
        for (name, val) in [("p", p), ("q", q), ("v", v)] {
            if !(val > 0.0) || !val.is_finite() {
                return Err(Error::option(
                    name,
                    val,
                    "Gamma-Gamma parameters must be finite and > 0",
                ));
            }
        }
        Ok(GammaGamma {
            p,
            q,
            v,
            se: [f64::NAN; 3],
            log_likelihood: f64::NAN,
            n: 0,
            n_skipped: 0,
            iterations: 0,
        })
    }

    /// Population mean spend per transaction `p·v/(q − 1)` (infinite when q ≤ 1).
    ///
    /// ```
    /// let gg = voc_core::retention::GammaGamma::new(2.0, 0.5, 10.0)?;
    /// assert_eq!(gg.mean_spend(), f64::INFINITY);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn mean_spend(&self) -> f64 {
        if self.q > 1.0 {
            self.p * self.v / (self.q - 1.0)
        } else {
            f64::INFINITY
        }
    }

    /// Fits by maximum likelihood on customers with at least one repeat purchase, as lifetimes
    /// `GammaGammaFitter` on the returning customers; the same as [`Fit`] on a [`SpendData`] for
    /// [`GammaGammaOptions`].
    ///
    /// `frequency` = repeat purchases x (whole), `monetary` = mean spend of the repeat purchases
    /// (> 0 where x > 0). Customers with x = 0 carry no spend information and are skipped (counted in
    /// `n_skipped`). The model assumes spend is independent of frequency; check their correlation.
    ///
    /// ```
    /// use voc_core::retention::{GammaGamma, GammaGammaOptions};
    /// let x = [5.0, 1.0, 1.0, 2.0, 1.0, 5.0, 5.0, 3.0, 1.0, 1.0, 2.0, 3.0, 0.0];
    /// let m = [19.0, 17.9, 7.2, 2.0, 9.2, 6.8, 4.0, 7.7, 10.1, 9.2, 3.0, 11.1, 0.0];
    /// let gg = GammaGamma::fit(&x, &m, &GammaGammaOptions::default())?;
    /// assert_eq!((gg.n, gg.n_skipped), (12, 1));
    /// assert!((gg.p - 3.03803).abs() < 1e-4); // lifetimes: 3.03802949
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn fit(frequency: &[f64], monetary: &[f64], options: &GammaGammaOptions) -> Result<Self> {
        options.validate()?;
        check_spend(frequency, monetary)?;
        let keep: Vec<usize> = (0..frequency.len())
            .filter(|&i| frequency[i] > 0.0)
            .collect();
        if keep.len() < 2 {
            return Err(Error::InsufficientData(format!(
                "the Gamma-Gamma model needs at least two customers with a repeat purchase, got {}",
                keep.len()
            )));
        }
        // Each step of the set-up reads every customer once: tens of millions take a while, so an
        // interrupt is looked for between them.
        crate::interrupt::check()?;
        let fx: Vec<f64> = keep.iter().map(|&i| frequency[i]).collect();
        let mx: Vec<f64> = keep.iter().map(|&i| monetary[i]).collect();
        crate::interrupt::check()?;
        let (xs, codes) = frequency_codes(&fx);
        crate::interrupt::check()?;
        let ln_x = fx.iter().map(|x| x.ln()).collect();
        crate::interrupt::check()?;
        let ln_m = mx.iter().map(|m| m.ln()).collect();
        crate::interrupt::check()?;
        let data = Data {
            ln_x,
            ln_m,
            xs,
            codes,
            m: &mx,
        };
        let min = minimise_log_params(|lp, g| data.eval(lp, g), 3, options.max_iter, options.tol)?;
        let lp = &min.x;
        let mut gg = GammaGamma::new(lp[0].exp(), lp[1].exp(), lp[2].exp())?;
        let n = keep.len();
        gg.n = n;
        gg.n_skipped = frequency.len() - n;
        gg.iterations = min.iterations;
        gg.log_likelihood = -min.f * n as f64;
        gg.se = log_param_se(min.inv_hessian.as_deref(), [gg.p, gg.q, gg.v], n as f64);
        Ok(gg)
    }

    /// Expected mean spend per transaction of each customer given x repeat purchases of mean value m:
    /// `(q − 1)/(px + q − 1) · pv/(q − 1) + px/(px + q − 1) · m`, as lifetimes
    /// `conditional_expected_average_profit` (the population mean for x = 0).
    ///
    /// ```
    /// let gg = voc_core::retention::GammaGamma::new(6.25, 3.74, 15.44)?;
    /// let e = gg.expected_spend(&[0.0, 10.0], &[0.0, 40.0])?;
    /// assert!((e[0] - gg.mean_spend()).abs() < 1e-12 && e[1] > 35.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn expected_spend(&self, frequency: &[f64], monetary: &[f64]) -> Result<Vec<f64>> {
        check_spend(frequency, monetary)?;
        Ok(frequency
            .iter()
            .zip(monetary)
            .map(|(&x, &m)| self.expected_one(x, m))
            .collect())
    }

    fn expected_one(&self, x: f64, m: f64) -> f64 {
        let px = self.p * x;
        let w = px / (px + self.q - 1.0);
        (1.0 - w) * self.p * self.v / (self.q - 1.0) + w * m
    }
}

impl Fit<SpendData<'_>> for GammaGammaOptions {
    type Model = GammaGamma;

    /// [`GammaGamma::fit`] on the bundled columns.
    fn fit(&self, data: SpendData<'_>) -> Result<GammaGamma> {
        GammaGamma::fit(data.frequency, data.monetary, self)
    }
}

/// Predicts the conditional expected average profit (mean spend per transaction) of each customer:
/// [`GammaGamma::expected_spend`].
impl Predict<SpendData<'_>> for GammaGamma {
    type Output = Vec<f64>;

    fn predict(&self, data: SpendData<'_>) -> Result<Vec<f64>> {
        self.expected_spend(data.frequency, data.monetary)
    }
}

fn check_spend(frequency: &[f64], monetary: &[f64]) -> Result<()> {
    check_len("frequency", frequency.len(), "monetary", monetary.len())?;
    if frequency.is_empty() {
        return Err(Error::Empty {
            arg: "frequency",
            what: "no customers",
        });
    }
    for (index, (&x, &m)) in frequency.iter().zip(monetary).enumerate() {
        if !x.is_finite() {
            return Err(Error::NonFinite {
                arg: "frequency",
                index,
                value: x,
            });
        }
        if x < 0.0 || x.fract() != 0.0 {
            return Err(Error::InvalidValue {
                arg: "frequency",
                index,
                value: x,
                reason: "repeat purchases are a whole number >= 0",
            });
        }
        if !m.is_finite() {
            return Err(Error::NonFinite {
                arg: "monetary",
                index,
                value: m,
            });
        }
        if x > 0.0 && !(m > 0.0) {
            return Err(Error::InvalidValue {
                arg: "monetary",
                index,
                value: m,
                reason: "mean spend of a customer with repeat purchases must be > 0",
            });
        }
    }
    Ok(())
}

/// Options of [`clv`]: the horizon, the length of a period and the discount rate.
///
/// ```
/// let o = voc_core::retention::ClvOptions::default().periods(24).discount_rate(0.02);
/// assert_eq!((o.periods, o.period_length), (24, 30.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClvOptions {
    /// Future periods summed (default 12, lifetimes' `time=12` months).
    pub periods: u32,
    /// Length of one period in the time units of the BG/NBD model (default 30: days per month, as
    /// lifetimes with `freq="D"`; 4.345 for weekly data and monthly periods).
    pub period_length: f64,
    /// Discount rate per period (default 0.01, as lifetimes).
    pub discount_rate: f64,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            periods: 12,
            period_length: 30.0,
            discount_rate: 0.01,
        }
    }
}

crate::setters!(ClvOptions {
    periods: u32,
    period_length: f64,
    discount_rate: f64
});

impl ClvOptions {
    /// Checks every option ([`Error::InvalidOption`] names the first bad one).
    pub fn validate(&self) -> Result<()> {
        if self.periods > MAX_CLV_PERIODS {
            return Err(Error::too_large(
                "periods",
                self.periods,
                MAX_CLV_PERIODS,
                "future periods summed per customer (100 years of months); each costs a \
                 hypergeometric series that lengthens with the horizon",
            ));
        }
        if !(self.period_length > 0.0) || !self.period_length.is_finite() {
            return Err(Error::option(
                "period_length",
                self.period_length,
                "must be finite and > 0",
            ));
        }
        if !(self.discount_rate > -1.0) || !self.discount_rate.is_finite() {
            return Err(Error::option(
                "discount_rate",
                self.discount_rate,
                "must be finite and > -1",
            ));
        }
        Ok(())
    }
}

/// Most future periods [`ClvOptions::periods`] may sum (100 years of monthly periods): the cost per
/// customer grows with the square of the periods (each period's expected purchases is a hypergeometric
/// series whose length grows with the horizon), so the limit keeps a call within seconds. More are an
/// [`Error::TooLarge`] naming `periods`.
pub const MAX_CLV_PERIODS: u32 = 1_200;

/// Customer lifetime value: discounted expected spend over `opts.periods` future periods, as lifetimes
/// `GammaGammaFitter.customer_lifetime_value`.
///
/// For period k = 1..=periods (each `period_length` time units of the BG/NBD model) the expected
/// purchases in that period (the difference of [`BgNbd::expected_purchases`] at k and k − 1 periods)
/// times the Gamma-Gamma expected spend are discounted by `(1 + discount_rate)^k`.
///
/// ```
/// use voc_core::retention::{clv, BgNbd, ClvOptions, GammaGamma, RfmData};
/// let bg = BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
/// let gg = GammaGamma::new(6.25, 3.74, 15.44)?;
/// let customers = RfmData::new(&[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86]);
/// let v = clv(&bg, &gg, customers, &[22.35, 0.0], &ClvOptions::default().period_length(4.345))?;
/// assert!(v[0] > v[1] && v[1] > 0.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn clv(
    bgnbd: &BgNbd,
    gamma_gamma: &GammaGamma,
    customers: RfmData<'_>,
    monetary: &[f64],
    opts: &ClvOptions,
) -> Result<Vec<f64>> {
    opts.validate()?;
    let RfmData {
        frequency,
        recency,
        t,
    } = customers;
    check_rfm(frequency, recency, t)?;
    check_spend(frequency, monetary)?;
    let mut out = Vec::with_capacity(frequency.len());
    let mut ticker = crate::interrupt::Ticker::new();
    for (((&x, &tx), &tt), &m) in frequency.iter().zip(recency).zip(t).zip(monetary) {
        let spend = gamma_gamma.expected_one(x, m);
        let mut prev = 0.0;
        let mut value = 0.0;
        for k in 1..=opts.periods {
            ticker.tick()?;
            let cum = bgnbd.expected_one(f64::from(k) * opts.period_length, x, tx, tt)?;
            value += spend * (cum - prev) / (1.0 + opts.discount_rate).powi(k as i32);
            prev = cum;
        }
        out.push(value);
    }
    Ok(out)
}
