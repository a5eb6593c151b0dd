//! Evaluating churn scores: ROC AUC (ties counted half, as scikit-learn), average precision, Brier
//! score, calibration table, lift and gains by decile, and the confusion matrix at a threshold.

use crate::error::{Error, Result, check_len};
use crate::stats::check::label;
use crate::stats::{IntervalOptions, ShareInterval, proportion_interval};

/// `num / den`, `None` when `den` is 0.
fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Checks labels (0/1) and scores (finite) and returns the number of positives.
fn check(y: &[f64], score: &[f64]) -> Result<usize> {
    check_len("y", y.len(), "scores", score.len())?;
    if y.is_empty() {
        return Err(Error::Empty {
            arg: "y",
            what: "no rows to evaluate",
        });
    }
    let mut pos = 0;
    for (i, (&v, &s)) in y.iter().zip(score).enumerate() {
        pos += usize::from(label("y", i, v)?);
        if !s.is_finite() {
            return Err(Error::NonFinite {
                arg: "scores",
                index: i,
                value: s,
            });
        }
    }
    Ok(pos)
}

fn both_classes(pos: usize, n: usize, what: &str) -> Result<()> {
    if pos == 0 || pos == n {
        return Err(Error::InsufficientData(format!(
            "{what} needs both classes; y has only {}",
            if pos == 0 { "0s" } else { "1s" }
        )));
    }
    Ok(())
}

/// Order-preserving map of a finite f64 to u64 (−0 and +0 map together).
#[inline]
fn key(x: f64) -> u64 {
    let b = (x + 0.0).to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// Most buckets of the one-level MSD split (2¹⁴: the counts and the scatter targets stay in cache; at
/// 10M rows a bucket holds about 600 scores, sorted in cache).
const MAX_BUCKET_BITS: u32 = 14;

/// Sorted keys of the positives' and the negatives' scores.
///
/// One pass finds the key range, one counts rows per bucket (the top bits of `key − min`) and class, one
/// places each key in its class's bucket; buckets are then sorted on their own, in cache (and skipped when
/// all their keys are equal, as with rounded scores). Concatenated, they are the sorted keys.
fn split_sorted(y: &[f64], score: &[f64], pos: usize) -> (Vec<u64>, Vec<u64>) {
    let n = y.len();
    // Keys are recomputed in each pass rather than stored: cheaper than writing and reading them back.
    let (lo, hi) = score.iter().fold((u64::MAX, 0u64), |(lo, hi), &s| {
        (lo.min(key(s)), hi.max(key(s)))
    });
    let span = hi - lo;
    let bits = (n.max(2).ilog2() + 1).min(MAX_BUCKET_BITS);
    let used = 64 - span.leading_zeros();
    let shift = used.saturating_sub(bits);
    let buckets = ((span >> shift) + 1) as usize;
    // Bucket starts, per class.
    let mut start_p = vec![0u32; buckets + 1];
    let mut start_q = vec![0u32; buckets + 1];
    for (&s, &v) in score.iter().zip(y) {
        let b = ((key(s) - lo) >> shift) as usize + 1;
        if v == 1.0 {
            start_p[b] += 1;
        } else {
            start_q[b] += 1;
        }
    }
    for b in 0..buckets {
        start_p[b + 1] += start_p[b];
        start_q[b + 1] += start_q[b];
    }
    let mut p = vec![0u64; pos];
    let mut q = vec![0u64; n - pos];
    {
        let (mut next_p, mut next_q) = (start_p.clone(), start_q.clone());
        for (&s, &v) in score.iter().zip(y) {
            let k = key(s);
            let b = ((k - lo) >> shift) as usize;
            if v == 1.0 {
                p[next_p[b] as usize] = k;
                next_p[b] += 1;
            } else {
                q[next_q[b] as usize] = k;
                next_q[b] += 1;
            }
        }
    }
    sort_buckets(&mut p, &start_p);
    sort_buckets(&mut q, &start_q);
    (p, q)
}

/// Sorts each bucket `start[b]..start[b + 1]` of `v` (buckets are disjoint, so in parallel for large
/// inputs); buckets whose keys are all equal are left as they are.
fn sort_buckets(v: &mut [u64], start: &[u32]) {
    let sort = |seg: &mut [u64]| {
        if seg.len() > 1 && seg.iter().any(|&k| k != seg[0]) {
            seg.sort_unstable();
        }
    };
    let mut segs: Vec<&mut [u64]> = Vec::with_capacity(start.len());
    let mut rest = v;
    for w in start.windows(2) {
        let (seg, tail) = rest.split_at_mut((w[1] - w[0]) as usize);
        segs.push(seg);
        rest = tail;
    }
    #[cfg(feature = "parallel")]
    if start.last().is_some_and(|&n| n > 1 << 20) {
        use rayon::prelude::*;
        segs.par_iter_mut().for_each(|seg| sort(seg));
        return;
    }
    segs.into_iter().for_each(sort);
}

/// Area under the ROC curve: the probability that a random churner scores above a random stayer, ties
/// counting one half (Mann–Whitney U / (n₁ n₀)); equal to `sklearn.metrics.roc_auc_score`.
///
/// ```
/// use voc_core::risk::roc_auc;
/// assert_eq!(roc_auc(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8])?, 0.75);
/// assert_eq!(roc_auc(&[0.0, 1.0], &[0.5, 0.5])?, 0.5);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn roc_auc(y: &[f64], score: &[f64]) -> Result<f64> {
    let pos = check(y, score)?;
    both_classes(pos, y.len(), "ROC AUC")?;
    let (p, q) = split_sorted(y, score, pos);
    // 2U counted in integers: each positive gains 2 per lower negative and 1 per tie.
    let (mut twice_u, mut j, mut i) = (0u128, 0usize, 0usize);
    while i < p.len() {
        let v = p[i];
        let mut cp = 0u128;
        while i < p.len() && p[i] == v {
            cp += 1;
            i += 1;
        }
        while j < q.len() && q[j] < v {
            j += 1;
        }
        let mut eq = 0usize;
        while j + eq < q.len() && q[j + eq] == v {
            eq += 1;
        }
        twice_u += cp * (2 * j as u128 + eq as u128);
    }
    Ok(twice_u as f64 / (2.0 * pos as f64 * (y.len() - pos) as f64))
}

/// Average precision: `Σ (Rₖ − Rₖ₋₁) Pₖ` over score thresholds from high to low, as
/// `sklearn.metrics.average_precision_score`.
///
/// ```
/// use voc_core::risk::average_precision;
/// let ap = average_precision(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8])?;
/// assert!((ap - 0.8333333333333333).abs() < 1e-15);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn average_precision(y: &[f64], score: &[f64]) -> Result<f64> {
    let pos = check(y, score)?;
    if pos == 0 {
        return Err(Error::InsufficientData(
            "average precision needs at least one positive".into(),
        ));
    }
    let (p, q) = split_sorted(y, score, pos);
    let (mut i, mut j) = (p.len(), q.len());
    let (mut tp, mut fp, mut ap) = (0usize, 0usize, 0.0);
    while i > 0 || j > 0 {
        let v = match (i > 0, j > 0) {
            (true, true) => p[i - 1].max(q[j - 1]),
            (true, false) => p[i - 1],
            _ => q[j - 1],
        };
        let before = tp;
        while i > 0 && p[i - 1] == v {
            tp += 1;
            i -= 1;
        }
        while j > 0 && q[j - 1] == v {
            fp += 1;
            j -= 1;
        }
        if tp > before {
            ap += (tp - before) as f64 / pos as f64 * (tp as f64 / (tp + fp) as f64);
        }
    }
    Ok(ap)
}

/// Brier score: mean squared difference between probability and outcome (`brier_score_loss`).
///
/// ```
/// assert_eq!(voc_core::risk::brier_score(&[0.0, 1.0], &[0.5, 1.0])?, 0.125);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn brier_score(y: &[f64], p: &[f64]) -> Result<f64> {
    check(y, p)?;
    let b = y.iter().zip(p).map(|(a, b)| (b - a) * (b - a)).sum::<f64>() / y.len() as f64;
    if !b.is_finite() {
        // Scores beyond ±1.3e154 (not probabilities): the squared errors overflow.
        let i = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map_or(0, |(i, _)| i);
        return Err(Error::InvalidValue {
            arg: "scores",
            index: i,
            value: p[i],
            reason: "is so large that the Brier score (mean squared error) overflows; \
                     the Brier score is meant for probabilities in [0, 1]",
        });
    }
    Ok(b)
}

/// One bin of a calibration table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CalibrationBin {
    /// Lower and upper edge.
    pub edges: (f64, f64),
    /// Rows in the bin.
    pub n: usize,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// Observed churn rate.
    pub observed: f64,
    /// Wilson 95% interval of the observed rate.
    pub observed_ci: (f64, f64),
}

/// Calibration table with `bins` equal-width bins on [0, 1], assigned as
/// `sklearn.calibration.calibration_curve(strategy="uniform")` does (upper edges inclusive, the first bin
/// closed); empty bins are left out.
///
/// ```
/// let t = voc_core::risk::calibration(&[0.0, 1.0, 1.0, 0.0], &[0.1, 0.9, 0.8, 0.3], 2)?;
/// assert_eq!(t.len(), 2);
/// assert_eq!((t[0].n, t[0].observed), (2, 0.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn calibration(y: &[f64], p: &[f64], bins: usize) -> Result<Vec<CalibrationBin>> {
    check(y, p)?;
    if bins == 0 || bins > 1000 {
        return Err(Error::option("bins", bins, "must lie in 1..=1000"));
    }
    if let Some(i) = p.iter().position(|&v| !(0.0..=1.0).contains(&v)) {
        return Err(Error::InvalidValue {
            arg: "probabilities",
            index: i,
            value: p[i],
            reason: "probabilities lie in [0, 1]",
        });
    }
    // Edges as numpy's `linspace(0, 1, bins + 1)` computes them (k · step, last exactly 1), so that
    // values at an edge fall in the same bin as in scikit-learn.
    let step = 1.0 / bins as f64;
    let edges: Vec<f64> = (0..=bins)
        .map(|k| if k == bins { 1.0 } else { k as f64 * step })
        .collect();
    let inner = &edges[1..bins];
    let mut acc = vec![(0usize, 0.0, 0.0); bins];
    for (&v, &pr) in y.iter().zip(p) {
        let b = inner.partition_point(|&e| e < pr);
        acc[b].0 += 1;
        acc[b].1 += pr;
        acc[b].2 += v;
    }
    let wilson95 = IntervalOptions {
        confidence: 0.95,
        method: ShareInterval::Wilson,
    };
    let mut out = Vec::new();
    for (b, &(n, sp, sy)) in acc.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let ci = proportion_interval(sy, n as f64, &wilson95)?;
        out.push(CalibrationBin {
            edges: (edges[b], edges[b + 1]),
            n,
            mean_predicted: sp / n as f64,
            observed: sy / n as f64,
            observed_ci: (ci.low, ci.high),
        });
    }
    Ok(out)
}

/// One group of a lift / gains table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LiftRow {
    /// Group number, 1 = highest scores.
    pub group: usize,
    /// Rows in the group.
    pub n: usize,
    /// Lowest and highest score in the group.
    pub score_range: (f64, f64),
    /// Churners in the group.
    pub positives: usize,
    /// Churn rate in the group.
    pub rate: f64,
    /// Rate / overall rate.
    pub lift: f64,
    /// Share of all churners found in groups 1..=this one (cumulative gains).
    pub cumulative_gain: f64,
    /// Cumulative rate / overall rate.
    pub cumulative_lift: f64,
}

/// Lift and gains by score group (deciles for `bins = 10`): rows sorted by score from high to low,
/// ties by input order, split into groups of equal size (the first `n mod bins` get one more row).
///
/// ```
/// let t = voc_core::risk::lift(&[1.0, 0.0, 1.0, 0.0], &[0.9, 0.8, 0.7, 0.1], 2)?;
/// assert_eq!((t[0].positives, t[0].lift, t[1].cumulative_gain), (1, 1.0, 1.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn lift(y: &[f64], score: &[f64], bins: usize) -> Result<Vec<LiftRow>> {
    let pos = check(y, score)?;
    let n = y.len();
    if bins == 0 || bins > n {
        return Err(Error::option(
            "bins",
            bins,
            format!("must lie in 1..={n} (the number of rows)"),
        ));
    }
    if pos == 0 {
        return Err(Error::InsufficientData(
            "a lift table needs at least one churner".into(),
        ));
    }
    let mut order: Vec<(u64, u32)> = score
        .iter()
        .enumerate()
        .map(|(i, &s)| (!key(s), i as u32))
        .collect();
    order.sort_unstable();
    let base = pos as f64 / n as f64;
    let (size, extra) = (n / bins, n % bins);
    let (mut at, mut cum) = (0usize, 0usize);
    let mut out = Vec::with_capacity(bins);
    for g in 0..bins {
        let len = size + usize::from(g < extra);
        let rows = &order[at..at + len];
        let k = rows.iter().filter(|&&(_, i)| y[i as usize] == 1.0).count();
        cum += k;
        at += len;
        let (hi, lo) = (score[rows[0].1 as usize], score[rows[len - 1].1 as usize]);
        let rate = k as f64 / len as f64;
        out.push(LiftRow {
            group: g + 1,
            n: len,
            score_range: (lo, hi),
            positives: k,
            rate,
            lift: rate / base,
            cumulative_gain: cum as f64 / pos as f64,
            cumulative_lift: (cum as f64 / at as f64) / base,
        });
    }
    Ok(out)
}

/// Confusion matrix at a threshold (score ≥ threshold → predicted churner) and its rates.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Confusion {
    /// The threshold.
    pub threshold: f64,
    /// Churners flagged.
    pub true_positives: usize,
    /// Stayers flagged.
    pub false_positives: usize,
    /// Stayers not flagged.
    pub true_negatives: usize,
    /// Churners missed.
    pub false_negatives: usize,
}

impl Confusion {
    /// Share of flagged customers who churn, `tp / (tp + fp)`; `None` when no row is flagged (0/0:
    /// scikit-learn's `precision_score` warns and returns its `zero_division` value there).
    ///
    /// ```
    /// let c = voc_core::risk::confusion(&[1.0, 0.0], &[0.2, 0.1], 0.5)?; // nothing flagged
    /// assert_eq!((c.precision(), c.recall(), c.f1()), (None, Some(0.0), Some(0.0)));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn precision(&self) -> Option<f64> {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    /// Share of churners flagged, `tp / (tp + fn)`; `None` when there is no churner.
    pub fn recall(&self) -> Option<f64> {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    /// F1, the harmonic mean of precision and recall in the form `2 tp / (2 tp + fp + fn)` (as
    /// scikit-learn's `f1_score`: 0 when nothing flagged is a churner, even if precision is
    /// undefined); `None` only when there is no churner and no row is flagged.
    pub fn f1(&self) -> Option<f64> {
        ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }
    /// Why some rates are undefined (`None`): no row is flagged (precision) and / or there is no
    /// churner (recall; F1 too when both hold); `None` when every rate is defined.
    ///
    /// ```
    /// let c = voc_core::risk::confusion(&[0.0, 0.0], &[0.2, 0.1], 0.5)?;
    /// assert_eq!(c.undefined_reason().as_deref(),
    ///            Some("no row is flagged (score >= threshold): precision is 0/0; \
    ///                  there is no churner: recall and F1 are 0/0"));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn undefined_reason(&self) -> Option<String> {
        let flagged = self.true_positives + self.false_positives;
        let churners = self.true_positives + self.false_negatives;
        match (flagged == 0, churners == 0) {
            (false, false) => None,
            (true, false) => {
                Some("no row is flagged (score >= threshold): precision is 0/0".to_string())
            }
            (false, true) => Some("there is no churner: recall is 0/0".to_string()),
            (true, true) => Some(
                "no row is flagged (score >= threshold): precision is 0/0; \
                 there is no churner: recall and F1 are 0/0"
                    .to_string(),
            ),
        }
    }
    /// Share of churners among all rows.
    pub fn base_rate(&self) -> f64 {
        let n =
            self.true_positives + self.false_positives + self.true_negatives + self.false_negatives;
        (self.true_positives + self.false_negatives) as f64 / n as f64
    }

    /// Share of rows classified correctly.
    pub fn accuracy(&self) -> f64 {
        let n =
            self.true_positives + self.false_positives + self.true_negatives + self.false_negatives;
        (self.true_positives + self.true_negatives) as f64 / n as f64
    }
}

/// The confusion matrix at `threshold`.
///
/// ```
/// let c = voc_core::risk::confusion(&[1.0, 0.0, 1.0, 0.0], &[0.9, 0.8, 0.3, 0.1], 0.5)?;
/// assert_eq!((c.true_positives, c.false_positives, c.false_negatives), (1, 1, 1));
/// assert_eq!(c.precision(), Some(0.5));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn confusion(y: &[f64], score: &[f64], threshold: f64) -> Result<Confusion> {
    check(y, score)?;
    if !threshold.is_finite() {
        return Err(Error::option("threshold", threshold, "must be finite"));
    }
    let mut c = Confusion {
        threshold,
        true_positives: 0,
        false_positives: 0,
        true_negatives: 0,
        false_negatives: 0,
    };
    for (&v, &s) in y.iter().zip(score) {
        match (s >= threshold, v == 1.0) {
            (true, true) => c.true_positives += 1,
            (true, false) => c.false_positives += 1,
            (false, false) => c.true_negatives += 1,
            (false, true) => c.false_negatives += 1,
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_brute_force_with_ties() {
        let y: Vec<f64> = (0..3000)
            .map(|i| f64::from(u8::from((i * 7919) % 13 < 5)))
            .collect();
        let s: Vec<f64> = (0..3000)
            .map(|i| ((i * 104_729) % 97) as f64 / 10.0 - 3.0)
            .collect();
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..y.len() {
            for j in 0..y.len() {
                if y[i] == 1.0 && y[j] == 0.0 {
                    den += 1.0;
                    num += if s[i] > s[j] {
                        1.0
                    } else if s[i] == s[j] {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        assert!((roc_auc(&y, &s).unwrap() - num / den).abs() < 1e-14);
        assert!(roc_auc(&[1.0, 1.0], &[0.1, 0.2]).is_err());
        assert!(roc_auc(&[1.0, 0.0], &[f64::NAN, 0.2]).is_err());
    }

    #[test]
    fn split_sorts_signed_values_by_class() {
        let mut v: Vec<f64> = (0..5000)
            .map(|i| ((i * 7_919) % 1_000) as f64 - 500.5)
            .collect();
        v.extend([f64::MAX, f64::MIN, -0.0, 0.0, 1e-300, -1e-300, 3.0, 3.0]);
        let y: Vec<f64> = (0..v.len())
            .map(|i| f64::from(u8::from(i % 3 == 0)))
            .collect();
        let pos = y.iter().filter(|&&c| c == 1.0).count();
        let (p, q) = split_sorted(&y, &v, pos);
        let want = |class: f64| {
            let mut k: Vec<u64> = v
                .iter()
                .zip(&y)
                .filter(|(_, c)| **c == class)
                .map(|(&x, _)| key(x))
                .collect();
            k.sort_unstable();
            k
        };
        assert_eq!(p, want(1.0));
        assert_eq!(q, want(0.0));
        // One distinct score.
        let (p, q) = split_sorted(&[1.0, 0.0, 1.0], &[0.5; 3], 2);
        assert_eq!((p.len(), q.len()), (2, 1));
    }
}

/// The usual evaluation of churn scores on labelled data: [`roc_auc`], [`average_precision`],
/// [`brier_score`] and the [`Confusion`] matrix at a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Evaluation {
    /// ROC AUC (ties count half).
    pub roc_auc: f64,
    /// Average precision.
    pub average_precision: f64,
    /// Brier score (mean squared error of the probabilities).
    pub brier: f64,
    /// The confusion matrix at the threshold.
    pub confusion: Confusion,
}

/// Evaluates churn probabilities `p` against labels `y` (0/1), with the confusion matrix at `threshold`.
///
/// ```
/// let e = voc_core::risk::evaluate(&[1.0, 1.0, 0.0, 1.0, 0.0], &[0.9, 0.8, 0.7, 0.6, 0.1], 0.65)?;
/// assert_eq!(e.roc_auc, 5.0 / 6.0);
/// assert_eq!((e.confusion.true_positives, e.confusion.false_positives), (2, 1));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn evaluate(y: &[f64], p: &[f64], threshold: f64) -> Result<Evaluation> {
    Ok(Evaluation {
        roc_auc: roc_auc(y, p)?,
        average_precision: average_precision(y, p)?,
        brier: brier_score(y, p)?,
        confusion: confusion(y, p, threshold)?,
    })
}
