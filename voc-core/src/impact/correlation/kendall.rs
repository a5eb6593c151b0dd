//! Kendall's τ-b and τ-c by Knight's O(n log n) algorithm (counting sorts and a merge-sort inversion
//! count), with the exact null distribution for small untied samples and the tie-corrected normal
//! approximation otherwise.

use super::rank::dense_ranks;
use super::{
    Alternative, Correlation, CorrelationMethod, CorrelationOptions, KendallVariant, PARALLEL_MIN,
    PValueMethod, check_pair, constant, fisher_interval, join, se_fisher,
};
use crate::error::Result;
use crate::stats::dist::normal_two_sided_p;

/// Counting sort of positions by a dense key (stable).
fn counting_order(keys: &[u32], k: usize, order: &[u32]) -> Vec<u32> {
    let mut start = vec![0usize; k + 1];
    for &i in order {
        if let Some(c) = keys
            .get(i as usize)
            .and_then(|&d| start.get_mut(d as usize + 1))
        {
            *c += 1;
        }
    }
    for j in 1..start.len() {
        let prev = start.get(j - 1).copied().unwrap_or(0);
        if let Some(c) = start.get_mut(j) {
            *c += prev;
        }
    }
    let mut out = vec![0u32; order.len()];
    for &i in order {
        if let Some(pos) = keys
            .get(i as usize)
            .and_then(|&d| start.get_mut(d as usize))
        {
            if let Some(o) = out.get_mut(*pos) {
                *o = i;
            }
            *pos += 1;
        }
    }
    out
}

/// Number of pairs i < j with v[i] > v[j] (strict), by merge sort.
pub(super) fn inversions(v: &mut [u32], buf: &mut [u32]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    if n <= 16 {
        // Insertion sort counting moves.
        let mut count = 0u64;
        for i in 1..n {
            let mut j = i;
            while j > 0 && v.get(j - 1) > v.get(j) {
                v.swap(j - 1, j);
                j -= 1;
                count += 1;
            }
        }
        return count;
    }
    let mid = n / 2;
    let (left, right) = v.split_at_mut(mid);
    let (bl, br) = buf.split_at_mut(mid);
    let mut count = inversions(left, bl) + inversions(right, br);
    let (mut i, mut j, mut k) = (0, 0, 0);
    while let (Some(&a), Some(&b)) = (left.get(i), right.get(j)) {
        if b < a {
            count += (mid - i) as u64;
            if let Some(o) = buf.get_mut(k) {
                *o = b;
            }
            j += 1;
        } else {
            if let Some(o) = buf.get_mut(k) {
                *o = a;
            }
            i += 1;
        }
        k += 1;
    }
    for &a in left.get(i..).unwrap_or(&[]) {
        if let Some(o) = buf.get_mut(k) {
            *o = a;
        }
        k += 1;
    }
    for &b in right.get(j..).unwrap_or(&[]) {
        if let Some(o) = buf.get_mut(k) {
            *o = b;
        }
        k += 1;
    }
    v.copy_from_slice(buf.get(..n).unwrap_or(&[]));
    count
}

struct TieSums {
    /// Σ t(t − 1)/2.
    pairs: u128,
    /// Σ t(t − 1)(t − 2).
    v0: f64,
    /// Σ t(t − 1)(2t + 5).
    v1: f64,
}

fn tie_sums(counts: &[u32]) -> TieSums {
    let mut s = TieSums {
        pairs: 0,
        v0: 0.0,
        v1: 0.0,
    };
    for &c in counts.iter().filter(|&&c| c > 1) {
        let t = u128::from(c);
        s.pairs += t * (t - 1) / 2;
        s.v0 += (t * (t - 1) * (t - 2)) as f64;
        s.v1 += (t * (t - 1) * (2 * t + 5)) as f64;
    }
    s
}

/// Exact p-value of Kendall's statistic with `c` concordant pairs among n untied observations
/// (Kendall 1970, the recursion scipy uses).
fn kendall_exact_p(n: usize, c: u128, alternative: Alternative) -> f64 {
    let tot = (n as u128) * (n as u128 - 1) / 2;
    let in_right_tail = c >= tot - c;
    let c = c.min(tot - c) as usize;
    // n! correctly rounded while it fits u128 (n ≤ 34), as Python's int → float division does.
    let factorial = |m: usize| {
        let exact = (1..=m.min(34)).fold(1u128, |acc, k| acc * k as u128) as f64;
        (35..=m).fold(exact, |acc, k| acc * k as f64)
    };
    let (prob, mass): (f64, f64) = if n == 1 {
        (1.0, 1.0)
    } else if n == 2 {
        (1.0, 0.5)
    } else if c == 0 {
        let p = if n < 171 { 2.0 / factorial(n) } else { 0.0 };
        (p, p / 2.0)
    } else if c == 1 {
        let p = if n < 172 { 2.0 / factorial(n - 1) } else { 0.0 };
        let mass = if n < 171 {
            (n - 1) as f64 / factorial(n)
        } else {
            0.0
        };
        (p, mass)
    } else if 4 * c as u128 == (n as u128) * (n as u128 - 1) && alternative == Alternative::TwoSided
    {
        (1.0, f64::NAN)
    } else {
        // Frequencies of the number of inversions, built one element at a time (a running sum that
        // drops terms older than j).
        let mut new = vec![0.0f64; c + 1];
        for v in new.iter_mut().take(2) {
            *v = 1.0;
        }
        let scaled = n >= 171;
        for j in 3..=n {
            let mut acc = 0.0;
            for v in new.iter_mut() {
                acc += *v;
                *v = if scaled { acc / j as f64 } else { acc };
            }
            if j <= c {
                for i in (j..=c).rev() {
                    let sub = new.get(i - j).copied().unwrap_or(0.0);
                    if let Some(v) = new.get_mut(i) {
                        *v -= sub;
                    }
                }
            }
        }
        let last = new.last().copied().unwrap_or(0.0);
        if scaled {
            (new.iter().sum::<f64>(), last / 2.0)
        } else {
            let f = factorial(n);
            (2.0 * new.iter().sum::<f64>() / f, last / f)
        }
    };
    let p = match alternative {
        Alternative::TwoSided => prob,
        _ => {
            if in_right_tail == (alternative == Alternative::Greater) {
                prob / 2.0
            } else {
                1.0 - prob / 2.0 + mass
            }
        }
    };
    p.clamp(0.0, 1.0)
}

/// Kendall's τ-b (or Stuart's τ-c) by Knight's O(n log n) algorithm, with the p-value of
/// `scipy.stats.kendalltau(method="auto")` (same for both variants) and, for τ-b, a 95% Fisher-z interval
/// with the Fieller–Hartley–Pearson standard error √(0.437/(n − 4)) at `options.confidence` (−1..1 when
/// n ≤ 4; τ-c has none, NaN). The
/// `statistic` is the normal score of S = concordant − discordant with the tie-corrected variance.
///
/// ```
/// use voc_core::impact::correlation::{kendall, CorrelationOptions, PValueMethod};
/// let x = [12.0, 2.0, 1.0, 12.0, 2.0];
/// let y = [1.0, 4.0, 7.0, 1.0, 0.0];
/// let k = kendall(&x, &y, &CorrelationOptions::default())?; // two-sided τ-b
/// assert!((k.estimate - -0.4714045207910316).abs() < 1e-12);
/// assert!((k.p_value - 0.2827454599327748).abs() < 1e-12);
/// assert_eq!(k.p_method, PValueMethod::Normal); // ties: asymptotic
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// The alternative, the variant and the confidence level of the τ-b interval come from `options`; its
/// `method` is this function's own.
pub fn kendall(x: &[f64], y: &[f64], options: &CorrelationOptions) -> Result<Correlation> {
    options.validate()?;
    kendall_valid(
        x,
        y,
        options.alternative,
        options.variant,
        options.confidence,
    )
}

/// Kendall's τ with a valid confidence level for the τ-b interval.
pub(super) fn kendall_valid(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    variant: KendallVariant,
    confidence: f64,
) -> Result<Correlation> {
    check_pair(x, y)?;
    let n = x.len();
    let (dx, dy) = join(n >= PARALLEL_MIN, || dense_ranks(x), || dense_ranks(y));
    if dx.counts.len() < 2 {
        return Err(constant("x", n));
    }
    if dy.counts.len() < 2 {
        return Err(constant("y", n));
    }
    // Order by (x, y): stable counting sorts by y, then by x.
    let all: Vec<u32> = (0..n as u32).collect();
    let by_y = counting_order(&dy.dense, dy.counts.len(), &all);
    let order = counting_order(&dx.dense, dx.counts.len(), &by_y);
    let mut ys: Vec<u32> = order
        .iter()
        .map(|&i| dy.dense.get(i as usize).copied().unwrap_or(0))
        .collect();
    // Joint ties: runs of equal (x, y) in this order.
    let mut joint = 0u128;
    let mut run = 0u128;
    let mut prev: Option<(u32, u32)> = None;
    for (&i, &yv) in order.iter().zip(&ys) {
        let xv = dx.dense.get(i as usize).copied().unwrap_or(0);
        if prev == Some((xv, yv)) {
            run += 1;
        } else {
            joint += run * run.saturating_sub(1) / 2;
            run = 1;
            prev = Some((xv, yv));
        }
    }
    joint += run * run.saturating_sub(1) / 2;
    let mut buf = vec![0u32; n];
    let dis = u128::from(inversions(&mut ys, &mut buf));
    let tx = tie_sums(&dx.counts);
    let ty = tie_sums(&dy.counts);
    let nn = n as u128;
    let tot = nn * (nn - 1) / 2;
    // tot = con + dis + xtie + ytie − joint
    let s = (tot + joint) as f64 - (tx.pairs + ty.pairs) as f64 - 2.0 * dis as f64;
    let s_exact =
        tot as i128 + joint as i128 - tx.pairs as i128 - ty.pairs as i128 - 2 * dis as i128;
    let s = if s_exact.unsigned_abs() < (1u128 << 53) {
        s_exact as f64
    } else {
        s
    };
    let tau = match variant {
        KendallVariant::B => {
            s / ((tot - tx.pairs) as f64).sqrt() / ((tot - ty.pairs) as f64).sqrt()
        }
        KendallVariant::C => {
            let m = dx.counts.len().min(dy.counts.len()) as f64;
            let nf = n as f64;
            2.0 * s / (nf * nf * (m - 1.0) / m)
        }
    }
    .clamp(-1.0, 1.0);
    let nf = n as f64;
    let m = nf * (nf - 1.0);
    let var = (m * (2.0 * nf + 5.0) - tx.v1 - ty.v1) / 18.0
        + (2.0 * tx.pairs as f64 * ty.pairs as f64) / m
        + tx.v0 * ty.v0 / (9.0 * m * (nf - 2.0));
    let z = s / var.sqrt();
    let no_ties = tx.pairs == 0 && ty.pairs == 0;
    let exact = no_ties && (n <= 33 || dis.min(tot - dis) <= 1);
    let (p_value, p_method) = if exact {
        (
            kendall_exact_p(n, tot - dis, alternative),
            PValueMethod::Exact,
        )
    } else {
        let half = 0.5 * normal_two_sided_p(z);
        let p = match alternative {
            Alternative::TwoSided => 2.0 * half,
            Alternative::Greater if z >= 0.0 => half,
            Alternative::Greater => 1.0 - half,
            Alternative::Less if z <= 0.0 => half,
            Alternative::Less => 1.0 - half,
        };
        (p.clamp(0.0, 1.0), PValueMethod::Normal)
    };
    let (ci_low, ci_high) = match variant {
        KendallVariant::B => {
            fisher_interval(tau, se_fisher(n, 0.437, 4.0), confidence, alternative)
        }
        KendallVariant::C => (f64::NAN, f64::NAN),
    };
    Ok(Correlation {
        method: CorrelationMethod::Kendall,
        variant: Some(variant),
        estimate: tau,
        statistic: z,
        p_value,
        p_method,
        alternative,
        ci_low,
        ci_high,
        confidence,
        n,
        n_missing: 0,
    })
}
