//! Pearson's r and the point-biserial r (Pearson's r with a 0/1 column), with a compensated
//! two-pass sum that keeps the p-values near |r| = 1 accurate.

use super::{
    Alternative, Correlation, CorrelationMethod, CorrelationOptions, PARALLEL_MIN, PValueMethod,
    check_pair, constant, fisher_interval, join, r_p_value, se_fisher, t_of_r,
};
use crate::error::{Error, Result};
use crate::stats::check_confidence;

/// at a few units in the last place whatever n, which the ill-conditioned p-values near |r| = 1 need.
#[derive(Clone, Copy, Default)]
struct Acc {
    s: f64,
    c: f64,
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, x: f64) {
        let t = self.s + x;
        let bb = t - self.s;
        self.c += (self.s - (t - bb)) + (x - bb);
        self.s = t;
    }

    fn value(self) -> f64 {
        self.s + self.c
    }
}

fn mean(x: &[f64]) -> f64 {
    let mut s = Acc::default();
    for &v in x {
        s.add(v);
    }
    s.value() / x.len() as f64
}

/// Pearson r from finite columns of equal length ≥ 2; errors on a constant column.
fn pearson_r(x: &[f64], y: &[f64]) -> Result<f64> {
    let n = x.len();
    let first = |v: &[f64]| v.first().copied().unwrap_or(0.0);
    let (x0, y0) = (first(x), first(y));
    if x.iter().all(|&v| v == x0) {
        return Err(constant("x", n));
    }
    if y.iter().all(|&v| v == y0) {
        return Err(constant("y", n));
    }
    let (mx, my) = join(n >= PARALLEL_MIN, || mean(x), || mean(y));
    let sums = |fx: f64, fy: f64| {
        let (mut sxx, mut syy, mut sxy) = (Acc::default(), Acc::default(), Acc::default());
        for (&u, &v) in x.iter().zip(y) {
            let (du, dv) = ((u - mx) * fx, (v - my) * fy);
            sxx.add(du * du);
            syy.add(dv * dv);
            sxy.add(du * dv);
        }
        (sxx.value(), syy.value(), sxy.value())
    };
    let (mut sxx, mut syy, mut sxy) = sums(1.0, 1.0);
    let safe = |s: f64| s.is_finite() && s > 1e-250;
    if !(safe(sxx) && safe(syy) && sxy.is_finite()) {
        // Squares over- or underflowed (|values| beyond ~1e150 or below ~1e-125): scale the deviations
        // by their largest magnitude first, as scipy does.
        let spread = |v: &[f64], m: f64| v.iter().fold(0.0f64, |a, &u| a.max((u - m).abs()));
        let (ax, ay) = (spread(x, mx), spread(y, my));
        if ax > 0.0 && ay > 0.0 && ax.is_finite() && ay.is_finite() {
            (sxx, syy, sxy) = sums(1.0 / ax, 1.0 / ay);
        }
    }
    if !(sxx > 0.0) {
        return Err(constant("x", n));
    }
    if !(syy > 0.0) {
        return Err(constant("y", n));
    }
    Ok((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

pub(super) fn r_result(
    method: CorrelationMethod,
    r: f64,
    n: usize,
    alternative: Alternative,
    confidence: f64,
    se: f64,
) -> Correlation {
    let (ci_low, ci_high) = fisher_interval(r, se, confidence, alternative);
    Correlation {
        method,
        variant: None,
        estimate: r,
        statistic: t_of_r(r, n),
        p_value: r_p_value(r, n, alternative),
        p_method: PValueMethod::StudentT,
        alternative,
        ci_low,
        ci_high,
        confidence,
        n,
        n_missing: 0,
    }
}

/// Pearson's r with the t-test p-value and Fisher-z interval, as `scipy.stats.pearsonr(x, y,
/// alternative=...)` and its `confidence_interval(confidence)`.
///
/// ```
/// use voc_core::impact::correlation::{pearson, Alternative, CorrelationOptions};
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let y = [1.2, 1.9, 3.4, 3.9, 5.3, 5.8];
/// let r = pearson(&x, &y, &CorrelationOptions::default().alternative(Alternative::Greater))?;
/// assert!(r.estimate > 0.99 && r.p_value < 1e-4);
/// assert_eq!(r.ci_high, 1.0); // one-sided interval
/// assert!(pearson(&x, &[2.0; 6], &CorrelationOptions::default()).is_err()); // constant y
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// The alternative and the confidence level come from `options`; its `method` is this function's own.
pub fn pearson(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    options.validate()?;
    pearson_at(x, y, options.alternative, options.confidence)
}

/// [`pearson`] with the alternative and the confidence level as values.
pub(super) fn pearson_at(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    pearson_r_result(CorrelationMethod::Pearson, x, y, alternative, confidence)
}

/// Pearson's r of checked `x` and `y` as the result `method` reports, with the Fisher-z interval.
fn pearson_r_result(
    method: CorrelationMethod,
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    let r = pearson_r(x, y)?;
    let n = x.len();
    Ok(r_result(
        method,
        r,
        n,
        alternative,
        confidence,
        se_fisher(n, 1.0, 3.0),
    ))
}

/// Point-biserial r between a 0/1 column `x` and a measurement `y`, as `scipy.stats.pointbiserialr`
/// (which is Pearson's r); any other value of `x` is an [`Error::InvalidValue`].
///
/// ```
/// use voc_core::impact::correlation::{point_biserial, Alternative, CorrelationOptions};
/// let churned = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
/// let tickets = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let r = point_biserial(&churned, &tickets, &CorrelationOptions::default())?;
/// assert!((r.estimate - 0.8660254037844386).abs() < 1e-12);
/// assert!((r.p_value - 0.011724811003954652).abs() < 1e-12);
/// assert!(point_biserial(&[0.0, 2.0, 1.0], &[1.0, 2.0, 3.0], &CorrelationOptions::default()).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// The alternative and the confidence level come from `options`; its `method` is this function's own.
pub fn point_biserial(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    options.validate()?;
    point_biserial_at(x, y, options.alternative, options.confidence)
}

/// [`point_biserial`] with the alternative and the confidence level as values.
pub(super) fn point_biserial_at(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    if let Some(index) = x.iter().position(|&v| v != 0.0 && v != 1.0) {
        return Err(Error::InvalidValue {
            arg: "x",
            index,
            value: x.get(index).copied().unwrap_or(f64::NAN),
            reason: "the point-biserial correlation needs x to be 0 or 1",
        });
    }
    pearson_r_result(
        CorrelationMethod::PointBiserial,
        x,
        y,
        alternative,
        confidence,
    )
}
