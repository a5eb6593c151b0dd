//! Spearman's ρ: Pearson's r of average ranks, from exact integer sums of centred doubled ranks.

use super::pearson::r_result;
use super::rank::{CentredRanks, centred_ranks};
use super::{
    Alternative, Correlation, CorrelationMethod, CorrelationOptions, PARALLEL_MIN, check_pair,
    constant, join, se_fisher,
};
use crate::error::Result;
use crate::stats::check_confidence;

/// Spearman's ρ from centred ranks: exact integer sums, so no rounding until the final division.
fn spearman_rho(rx: &CentredRanks, ry: &CentredRanks) -> Result<f64> {
    let n = rx.r.len();
    if rx.distinct < 2 {
        return Err(constant("x", n));
    }
    if ry.distinct < 2 {
        return Err(constant("y", n));
    }
    let sum_chunk = |a: &[i32], b: &[i32]| -> i128 {
        // |product| < n² < 2^62; the chunk sum is kept in i128.
        a.iter()
            .zip(b)
            .map(|(&u, &v)| i128::from(i64::from(u) * i64::from(v)))
            .sum()
    };
    let sxy = cross_sum(&rx.r, &ry.r, &sum_chunk);
    // Σ(2r − n − 1)² = (n³ − n)/3 − Σ(t³ − t)/3.
    let nn = n as i128;
    let sxx = (nn * nn * nn - nn - rx.ties) / 3;
    let syy = (nn * nn * nn - nn - ry.ties) / 3;
    Ok((sxy as f64 / (sxx as f64 * syy as f64).sqrt()).clamp(-1.0, 1.0))
}

fn cross_sum(a: &[i32], b: &[i32], f: &(dyn Fn(&[i32], &[i32]) -> i128 + Sync)) -> i128 {
    const CHUNK: usize = 1 << 16;
    #[cfg(feature = "parallel")]
    if a.len() >= PARALLEL_MIN {
        use rayon::prelude::*;
        return a
            .par_chunks(CHUNK)
            .zip(b.par_chunks(CHUNK))
            .map(|(p, q)| f(p, q))
            .sum();
    }
    a.chunks(CHUNK)
        .zip(b.chunks(CHUNK))
        .map(|(p, q)| f(p, q))
        .sum()
}

/// Spearman's ρ (average ranks for ties) with the t-approximation p-value of `scipy.stats.spearmanr`
/// and a Fisher-z interval with the Bonett–Wright standard error √((1 + ρ²/2)/(n − 3)).
///
/// ```
/// use voc_core::impact::correlation::{spearman, Alternative, CorrelationOptions};
/// // Likert answers with heavy ties.
/// let csat = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 5.0];
/// let spend = [10.0, 12.0, 9.0, 20.0, 25.0, 30.0, 28.0, 40.0];
/// let s = spearman(&csat, &spend, &CorrelationOptions::default())?;
/// assert!(s.estimate > 0.85 && s.p_value < 0.01);
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// The alternative and the confidence level come from `options`; its `method` is this function's own.
pub fn spearman(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    options.validate()?;
    spearman_at(x, y, options.alternative, options.confidence)
}

/// [`spearman`] with the alternative and the confidence level as values.
pub(super) fn spearman_at(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<Correlation> {
    check_confidence(confidence)?;
    check_pair(x, y)?;
    let n = x.len();
    let (rx, ry) = join(n >= PARALLEL_MIN, || centred_ranks(x), || centred_ranks(y));
    let rho = spearman_rho(&rx, &ry)?;
    Ok(r_result(
        CorrelationMethod::Spearman,
        rho,
        n,
        alternative,
        confidence,
        se_fisher(n, 1.0 + rho * rho / 2.0, 3.0),
    ))
}
