//! Kendall's τ-b and τ-c by Knight's O(n log n) algorithm (counting sorts and a merge-sort inversion
//! count), with the exact null distribution for small untied samples and the tie-corrected normal
//! approximation otherwise.

use super::rank::{dense_by_counting, sorted_keys, whole_range};
use super::{
    Alternative, Correlation, CorrelationMethod, CorrelationOptions, KendallVariant, PValueMethod,
    check_pair, constant, fisher_interval, join, se_fisher,
};
use crate::error::Result;
use crate::stats::dist::normal_two_sided_p;
use crate::stats::radix::order_key as key;

/// Insertion sort counting the moves: the inversions of a short run.
fn insertion_count<T: Copy + Ord>(v: &mut [T]) -> u64 {
    let mut count = 0u64;
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
        count += (i - j) as u64;
    }
    count
}

/// Merges the sorted `l` and `r` into `out` (length `l.len() + r.len()`), counting the pairs
/// (a in l, b in r) with b < a. Branch-free: the choice of side is a select, not a jump, so random
/// data costs no mispredictions.
#[inline(always)]
fn merge_count<T: Copy + Ord>(l: &[T], r: &[T], out: &mut [T]) -> u64 {
    let (nl, nr) = (l.len(), r.len());
    let out = &mut out[..nl + nr];
    let (mut i, mut j) = (0usize, 0usize);
    let mut count = 0u64;
    while i < nl && j < nr {
        let (a, b) = (l[i], r[j]);
        let take_r = b < a;
        out[i + j] = if take_r { b } else { a };
        count += if take_r { (nl - i) as u64 } else { 0 };
        i += usize::from(!take_r);
        j += usize::from(take_r);
    }
    out[i + j..i + j + (nl - i)].copy_from_slice(&l[i..]);
    out[nl + j..].copy_from_slice(&r[j..]);
    count
}

/// Two independent [`merge_count`]s stepped together: each merge step waits on its own compare and
/// load, so two chains in one loop keep the core twice as busy. Finishes each with [`merge_count`].
#[inline(always)]
fn merge_count2<T: Copy + Ord>(
    (l1, r1, o1): (&[T], &[T], &mut [T]),
    (l2, r2, o2): (&[T], &[T], &mut [T]),
) -> u64 {
    let (nl1, nr1, nl2, nr2) = (l1.len(), r1.len(), l2.len(), r2.len());
    let o1 = &mut o1[..nl1 + nr1];
    let o2 = &mut o2[..nl2 + nr2];
    let (mut i1, mut j1, mut i2, mut j2) = (0usize, 0usize, 0usize, 0usize);
    let mut count = 0u64;
    while i1 < nl1 && j1 < nr1 && i2 < nl2 && j2 < nr2 {
        let (a1, b1, a2, b2) = (l1[i1], r1[j1], l2[i2], r2[j2]);
        let (t1, t2) = (b1 < a1, b2 < a2);
        o1[i1 + j1] = if t1 { b1 } else { a1 };
        o2[i2 + j2] = if t2 { b2 } else { a2 };
        count += if t1 { (nl1 - i1) as u64 } else { 0 };
        count += if t2 { (nl2 - i2) as u64 } else { 0 };
        i1 += usize::from(!t1);
        j1 += usize::from(t1);
        i2 += usize::from(!t2);
        j2 += usize::from(t2);
    }
    count += merge_count(&l1[i1..], &r1[j1..], &mut o1[i1 + j1..]);
    count += merge_count(&l2[i2..], &r2[j2..], &mut o2[i2 + j2..]);
    count
}

/// Runs sorted by insertion at the bottom of the merge sort.
const RUN: usize = 8;
/// Largest slice sorted bottom-up in one piece (stays in cache), and smallest split across threads.
const LEAF: usize = 1 << 18;
const PAR_SPLIT: usize = 1 << 16;

/// Bottom-up merge sort of `v` (ping-pong with `buf`), counting inversions.
fn inversions_leaf<T: Copy + Ord>(v: &mut [T], buf: &mut [T]) -> u64 {
    let n = v.len();
    let buf = &mut buf[..n];
    let mut count: u64 = v.chunks_mut(RUN).map(insertion_count).sum();
    let mut width = RUN;
    let mut in_v = true;
    while width < n {
        let (src, dst): (&[T], &mut [T]) = if in_v {
            (&*v, &mut *buf)
        } else {
            (&*buf, &mut *v)
        };
        // Merges two at a time (two dependency chains), the last one alone.
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let mid2 = (end + width).min(n);
            let end2 = (end + 2 * width).min(n);
            if end2 > mid2 {
                let (d1, d2) = dst[start..end2].split_at_mut(end - start);
                count += merge_count2(
                    (&src[start..mid], &src[mid..end], d1),
                    (&src[end..mid2], &src[mid2..end2], d2),
                );
                start = end2;
            } else {
                count += merge_count(&src[start..mid], &src[mid..end], &mut dst[start..end]);
                start = end;
            }
        }
        in_v = !in_v;
        width *= 2;
    }
    if !in_v {
        v.copy_from_slice(buf);
    }
    count
}

/// Number of pairs i < j with v[i] > v[j] (strict), by merge sort; sorts `v` (`buf` is scratch of the
/// same length). Halves above [`PAR_SPLIT`] are counted on two threads (the count is exact, so the
/// result does not depend on how the work was split).
pub(super) fn inversions<T: Copy + Ord + Send>(v: &mut [T], buf: &mut [T]) -> u64 {
    let n = v.len();
    if n <= LEAF || buf.len() < n {
        return inversions_leaf(v, buf);
    }
    let mid = n / 2;
    let count = {
        let (l, r) = v.split_at_mut(mid);
        let (bl, br) = buf[..n].split_at_mut(mid);
        let (a, b) = join(n >= PAR_SPLIT, || inversions(l, bl), || inversions(r, br));
        a + b + merge_count(l, r, buf)
    };
    v.copy_from_slice(&buf[..n]);
    count
}

#[derive(Default)]
struct TieSums {
    /// Σ t(t − 1)/2.
    pairs: u128,
    /// Σ t(t − 1)(t − 2).
    v0: f64,
    /// Σ t(t − 1)(2t + 5).
    v1: f64,
    /// Number of distinct values.
    distinct: usize,
}

impl TieSums {
    /// One distinct value held `c` times.
    #[inline]
    fn add(&mut self, c: u64) {
        if c == 0 {
            return;
        }
        self.distinct += 1;
        if c > 1 {
            let t = u128::from(c);
            self.pairs += t * (t - 1) / 2;
            self.v0 += (t * (t - 1) * (t - 2)) as f64;
            self.v1 += (t * (t - 1) * (2 * t + 5)) as f64;
        }
    }

    /// The tie sums of the runs of equal values in a sorted slice.
    fn of_sorted<T: PartialEq>(v: &[T]) -> Self {
        let mut s = TieSums::default();
        let mut start = 0;
        for i in 1..=v.len() {
            if i == v.len() || v[i] != v[i - 1] {
                s.add((i - start) as u64);
                start = i;
            }
        }
        s
    }
}

/// What Kendall's τ needs from the pairs: discordant pairs, pairs tied in both columns, and each
/// column's tie sums.
struct PairCounts {
    dis: u128,
    joint: u128,
    tx: TieSums,
    ty: TieSums,
}

/// Largest contingency table (cells) counted directly when both columns are small whole numbers.
const TABLE_MAX: usize = 1 << 16;

/// Both columns small whole numbers (survey scales): the pair counts from their contingency table, in
/// one pass over the rows and O(cells) after — no sort.
fn table_counts(x: &[f64], y: &[f64]) -> Option<PairCounts> {
    let (lx, hx) = whole_range(x)?;
    let (ly, hy) = whole_range(y)?;
    let (kx, ky) = ((hx - lx) as usize + 1, (hy - ly) as usize + 1);
    let cells = kx.checked_mul(ky)?;
    if cells > TABLE_MAX || cells > 16 * x.len().max(64) {
        return None;
    }
    let mut t = vec![0u32; cells];
    for (&u, &v) in x.iter().zip(y) {
        let c = (u - lx) as usize * ky + (v - ly) as usize;
        if let Some(slot) = t.get_mut(c) {
            *slot += 1;
        }
    }
    // Rows in increasing x: a cell's discordant partners in earlier rows are those with larger y.
    let mut earlier = vec![0u64; ky];
    let mut col_sums = vec![0u64; ky];
    let (mut dis, mut joint) = (0u128, 0u128);
    let mut tx = TieSums::default();
    for row in t.chunks_exact(ky) {
        let mut above = 0u64; // Σ earlier[b'] over b' > b
        let mut row_sum = 0u64;
        for b in (0..ky).rev() {
            let c = u64::from(row[b]);
            dis += u128::from(c) * u128::from(above);
            joint += u128::from(c) * u128::from(c.saturating_sub(1)) / 2;
            row_sum += c;
            above += earlier[b];
        }
        for ((e, s), &c) in earlier.iter_mut().zip(col_sums.iter_mut()).zip(row) {
            *e += u64::from(c);
            *s += u64::from(c);
        }
        tx.add(row_sum);
    }
    let mut ty = TieSums::default();
    for &c in &col_sums {
        ty.add(c);
    }
    Some(PairCounts { dis, joint, tx, ty })
}

/// Positions in increasing order of x, with x's order-preserving keys in that order.
fn order_by_x(x: &[f64]) -> (Vec<u64>, Vec<u32>) {
    if let Some(d) = dense_by_counting(x) {
        // Small whole numbers: a stable counting sort.
        let mut start = Vec::with_capacity(d.counts.len());
        let mut s = 0usize;
        for &c in &d.counts {
            start.push(s);
            s += c as usize;
        }
        let mut idx = vec![0u32; x.len()];
        for (i, &code) in d.dense.iter().enumerate() {
            if let Some(pos) = start.get_mut(code as usize) {
                if let Some(slot) = idx.get_mut(*pos) {
                    *slot = i as u32;
                }
                *pos += 1;
            }
        }
        let keys = idx.iter().map(|&i| key(x[i as usize])).collect();
        return (keys, idx);
    }
    sorted_keys(x)
}

/// Knight's algorithm: order the pairs by (x, y), then the discordant pairs are the inversions of
/// the y sequence (counted by merge sort); ties come from the runs of the sorted columns.
fn sort_counts(x: &[f64], y: &[f64]) -> PairCounts {
    let (xkeys, idx) = order_by_x(x);
    let mut ys: Vec<u64> = idx.iter().map(|&i| key(y[i as usize])).collect();
    let mut tx = TieSums::default();
    let mut joint = 0u128;
    let n = xkeys.len();
    let mut start = 0;
    for i in 1..=n {
        if i == n || xkeys[i] != xkeys[i - 1] {
            let run = &mut ys[start..i];
            tx.add(run.len() as u64);
            if run.len() > 1 {
                run.sort_unstable();
                let t = TieSums::of_sorted(run);
                joint += t.pairs;
            }
            start = i;
        }
    }
    drop(xkeys);
    drop(idx);
    let mut buf = vec![0u64; n];
    let dis = u128::from(inversions(&mut ys, &mut buf));
    let ty = TieSums::of_sorted(&ys);
    PairCounts { dis, joint, tx, ty }
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
    let PairCounts { dis, joint, tx, ty } = match table_counts(x, y) {
        Some(c) => c,
        None => sort_counts(x, y),
    };
    if tx.distinct < 2 {
        return Err(constant("x", n));
    }
    if ty.distinct < 2 {
        return Err(constant("y", n));
    }
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
            let m = tx.distinct.min(ty.distinct) as f64;
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
