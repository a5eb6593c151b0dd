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

/// Four compensated running sums, one per vector lane (the two-sum of [`Acc`] lane by lane).
#[derive(Clone, Copy, Default)]
struct Lanes {
    s: [f64; 4],
    c: [f64; 4],
}

impl Lanes {
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // lane by lane: the shape the vectoriser maps to registers
    fn add(&mut self, x: [f64; 4]) {
        for l in 0..4 {
            let t = self.s[l] + x[l];
            let bb = t - self.s[l];
            self.c[l] += (self.s[l] - (t - bb)) + (x[l] - bb);
            self.s[l] = t;
        }
    }

    /// The total of the lanes and of `tail`, compensated.
    fn value(self, tail: impl Iterator<Item = f64>) -> f64 {
        let mut a = Acc::default();
        for l in 0..4 {
            a.add(self.s[l]);
        }
        for l in 0..4 {
            a.add(self.c[l]);
        }
        for t in tail {
            a.add(t);
        }
        a.value()
    }
}

/// Rows per block of [`block_sums`]: a block's two columns stay in L1 between its two passes.
const BLOCK: usize = 2048;

/// One block's sums, centred on the block's own means `mx`, `my`: the residuals `rx = Σ(x − mx)`,
/// `ry` (zero but for rounding) and the centred squares and products.
#[derive(Clone, Copy, Default)]
struct BlockSums {
    n: f64,
    sx: f64,
    sy: f64,
    mx: f64,
    my: f64,
    rx: f64,
    ry: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

#[inline(always)]
fn block_sums_plain(x: &[f64], y: &[f64]) -> BlockSums {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let (xc, xr) = x.as_chunks::<4>();
    let (yc, yr) = y.as_chunks::<4>();
    let (mut sx, mut sy) = (Lanes::default(), Lanes::default());
    for (a, b) in xc.iter().zip(yc) {
        sx.add(*a);
        sy.add(*b);
    }
    let sx = sx.value(xr.iter().copied());
    let sy = sy.value(yr.iter().copied());
    let (mx, my) = (sx / n as f64, sy / n as f64);
    let mut acc = [Lanes::default(); 5];
    for (a, b) in xc.iter().zip(yc) {
        let mut du = [0.0; 4];
        let mut dv = [0.0; 4];
        for l in 0..4 {
            du[l] = a[l] - mx;
            dv[l] = b[l] - my;
        }
        let mut sq = [[0.0; 4]; 3];
        for l in 0..4 {
            sq[0][l] = du[l] * du[l];
            sq[1][l] = dv[l] * dv[l];
            sq[2][l] = du[l] * dv[l];
        }
        acc[0].add(du);
        acc[1].add(dv);
        acc[2].add(sq[0]);
        acc[3].add(sq[1]);
        acc[4].add(sq[2]);
    }
    let tail = || xr.iter().zip(yr).map(move |(&u, &v)| (u - mx, v - my));
    BlockSums {
        n: n as f64,
        sx,
        sy,
        mx,
        my,
        rx: acc[0].value(tail().map(|(u, _)| u)),
        ry: acc[1].value(tail().map(|(_, v)| v)),
        sxx: acc[2].value(tail().map(|(u, _)| u * u)),
        syy: acc[3].value(tail().map(|(_, v)| v * v)),
        sxy: acc[4].value(tail().map(|(u, v)| u * v)),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_sums_avx2(x: &[f64], y: &[f64]) -> BlockSums {
    block_sums_plain(x, y)
}

/// [`block_sums_plain`], in the AVX2 build when the CPU has AVX2 (the same operations in the same
/// order, so the same result).
#[allow(unsafe_code)] // one call to the AVX2 build, after checking that the CPU has AVX2
fn block_sums(x: &[f64], y: &[f64]) -> BlockSums {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `block_sums_avx2` only requires AVX2, which the CPU has (checked just above).
        return unsafe { block_sums_avx2(x, y) };
    }
    block_sums_plain(x, y)
}

/// Sxx, Syy and Sxy about the overall means, from blocks of [`BLOCK`] rows in one pass over the
/// data: each block is summed about its own means (compensated, four lanes), and the blocks are
/// combined exactly by `Σ(x − m)(y − m') = Σ(x − c)(y − c') + (c − m)Σ(y − c') + (c' − m')Σ(x − c) +
/// n(c − m)(c' − m')`, all terms compensated. Blocks run in parallel above [`PARALLEL_MIN`]
/// rows; the blocks are fixed by n and combined in order, so the result does not depend on threads.
fn centred_sums(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let n = x.len().min(y.len());
    let blocks = n.div_ceil(BLOCK);
    let one = |b: usize| {
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        block_sums(&x[lo..hi], &y[lo..hi])
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<BlockSums> = if n >= PARALLEL_MIN {
        use rayon::prelude::*;
        (0..blocks).into_par_iter().map(one).collect()
    } else {
        (0..blocks).map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<BlockSums> = (0..blocks).map(one).collect();
    let (mut sx, mut sy) = (Acc::default(), Acc::default());
    for p in &parts {
        sx.add(p.sx);
        sy.add(p.sy);
    }
    let (mx, my) = (sx.value() / n as f64, sy.value() / n as f64);
    let (mut sxx, mut syy, mut sxy) = (Acc::default(), Acc::default(), Acc::default());
    for p in &parts {
        let (dx, dy) = (p.mx - mx, p.my - my);
        sxx.add(p.sxx);
        sxx.add(2.0 * dx * p.rx);
        sxx.add(p.n * dx * dx);
        syy.add(p.syy);
        syy.add(2.0 * dy * p.ry);
        syy.add(p.n * dy * dy);
        sxy.add(p.sxy);
        sxy.add(dx * p.ry);
        sxy.add(dy * p.rx);
        sxy.add(p.n * dx * dy);
    }
    (sxx.value(), syy.value(), sxy.value())
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
    let (sxx, syy, sxy) = centred_sums(x, y);
    let safe = |s: f64| s.is_finite() && s > 1e-250;
    if safe(sxx) && safe(syy) && sxy.is_finite() {
        return Ok((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0));
    }
    pearson_r_scaled(x, y)
}

/// Pearson r by the blocked one-pass sums or (`two_pass`) the two compensated passes: the tests
/// compare them.
#[cfg(test)]
pub(super) fn pearson_r_for_tests(x: &[f64], y: &[f64], two_pass: bool) -> Result<f64> {
    if two_pass {
        pearson_r_scaled(x, y)
    } else {
        pearson_r(x, y)
    }
}

/// Pearson r by two compensated passes (the means, then the sums), scaling the deviations by their
/// largest magnitude when the squares over- or underflow: the path for extreme values.
fn pearson_r_scaled(x: &[f64], y: &[f64]) -> Result<f64> {
    let n = x.len();
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
