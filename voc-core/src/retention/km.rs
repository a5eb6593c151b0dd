//! Kaplan–Meier survival curves with right censoring.

use super::km_chunks::{CURVE_CHUNK, curve_from_sorted};
use super::{check_durations, check_events, complete_rows, kept, key};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::check_confidence;
use crate::stats::dist::normal_quantile;

/// Options of [`kaplan_meier`].
///
/// ```
/// use voc_core::MissingPolicy;
/// use voc_core::retention::KmOptions;
/// assert_eq!(KmOptions::default().confidence, 0.95);
/// assert_eq!(KmOptions::default().missing, MissingPolicy::Error);
/// assert_eq!(KmOptions::default().confidence(0.9).confidence, 0.9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct KmOptions {
    /// Confidence level of the pointwise intervals and of the median's interval.
    pub confidence: f64,
    /// Rows whose duration or event is NaN: an error naming the first ([`MissingPolicy::Error`], the
    /// default) or left out and counted in [`KaplanMeier::n_missing`] ([`MissingPolicy::Skip`]).
    pub missing: MissingPolicy,
}

impl Default for KmOptions {
    fn default() -> Self {
        KmOptions {
            confidence: 0.95,
            missing: MissingPolicy::Error,
        }
    }
}

impl KmOptions {
    /// Checks every option: `confidence` in (0, 1). Called once at the start of [`kaplan_meier`].
    ///
    /// ```
    /// assert!(voc_core::retention::KmOptions::default().confidence(95.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence).map(|_| ())
    }
}

crate::setters!(KmOptions {
    confidence: f64,
    missing: MissingPolicy
});

/// One Kaplan–Meier curve: a row per distinct duration (events or censorings), as lifelines'
/// `event_table` joined with `survival_function_` and `confidence_interval_`.
///
/// ```
/// use voc_core::retention::{kaplan_meier, KmOptions};
/// let c = &kaplan_meier(&[3.0, 1.0, 3.0], &[1.0, 1.0, 0.0], None, &KmOptions::default())?.curves[0];
/// assert_eq!((c.at_risk.clone(), c.events.clone(), c.censored.clone()), (vec![3, 2], vec![1, 1], vec![0, 1]));
/// # Ok::<(), voc_core::Error>(())
/// ```
///
/// The interval is the exponential Greenwood ("log(−log)") interval
/// `exp(−exp(log(−log S) ± z·√G / log S))` where `G = Σ d/(n(n−d))` is Greenwood's sum; a term with
/// `n = d` counts as 0 and rows with `S = 1` get the interval `[1, 1]`, both as lifelines.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KmCurve {
    /// Distinct durations, ascending.
    pub time: Vec<f64>,
    /// Subjects at risk just before each time.
    pub at_risk: Vec<u64>,
    /// Events at each time.
    pub events: Vec<u64>,
    /// Censorings at each time.
    pub censored: Vec<u64>,
    /// Survival S(t) just after each time.
    pub survival: Vec<f64>,
    /// Greenwood variance of S(t), `S² · Σ d/(n(n−d))`.
    pub variance: Vec<f64>,
    /// Lower bound of the log(−log) interval.
    pub ci_low: Vec<f64>,
    /// Upper bound of the log(−log) interval.
    pub ci_high: Vec<f64>,
    /// Number of subjects.
    pub n: u64,
    /// Number of observed events.
    pub n_events: u64,
    /// Median survival: the first time with S(t) ≤ 0.5, `inf` if the curve stays above (NaN if empty).
    pub median: f64,
    /// Lower bound of the median's interval: first time the lower pointwise bound is ≤ 0.5
    /// (as lifelines `median_survival_times(confidence_interval_)`).
    pub median_low: f64,
    /// Upper bound of the median's interval: first time the upper pointwise bound is ≤ 0.5.
    pub median_high: f64,
}

impl KmCurve {
    /// S(t) of the step function (1 before the first time).
    ///
    /// ```
    /// use voc_core::retention::{kaplan_meier, KmOptions};
    /// let km = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 0.0, 1.0], None, &KmOptions::default())?;
    /// assert_eq!(km.curves[0].survival_at(0.5), 1.0);
    /// assert_eq!(km.curves[0].survival_at(2.5), 0.5);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn survival_at(&self, t: f64) -> f64 {
        let i = self.time.partition_point(|&x| x <= t);
        if i == 0 {
            1.0
        } else {
            self.survival.get(i - 1).copied().unwrap_or(f64::NAN)
        }
    }

    /// S(t) at each of `times` ([`survival_at`](KmCurve::survival_at)); a NaN time is an error naming
    /// its position (`survival_at(NaN)` alone would read as "before the first time": 1.0).
    ///
    /// ```
    /// use voc_core::retention::{kaplan_meier, KmOptions};
    /// let km = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 0.0, 1.0], None, &KmOptions::default())?;
    /// assert_eq!(km.curves[0].survival_at_times(&[0.5, 2.5])?, vec![1.0, 0.5]);
    /// assert!(km.curves[0].survival_at_times(&[1.0, f64::NAN]).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn survival_at_times(&self, times: &[f64]) -> Result<Vec<f64>> {
        if let Some(index) = times.iter().position(|t| t.is_nan()) {
            return Err(Error::Missing {
                arg: "times",
                index,
            });
        }
        Ok(times.iter().map(|&t| self.survival_at(t)).collect())
    }

    /// The first time with S(t) ≤ `q`, as lifelines `qth_survival_time`: `inf` when the curve never
    /// falls to `q` (too few events), NaN for an empty curve. `q` must lie in 0..=1 (a survival
    /// probability); anything else is an error.
    ///
    /// ```
    /// use voc_core::retention::{kaplan_meier, KmOptions};
    /// let km = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[1.0; 4], None, &KmOptions::default())?;
    /// assert_eq!(km.curves[0].percentile(0.25)?, 3.0);
    /// assert!(km.curves[0].percentile(-0.1).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn percentile(&self, q: f64) -> Result<f64> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::option(
                "q",
                q,
                "must be a survival probability in 0..=1 (0.5 for the median)",
            ));
        }
        Ok(first_at_or_below(&self.time, &self.survival, q))
    }
}

impl KmCurve {
    /// The interval of [`percentile`](KmCurve::percentile)`(q)`: the first times at which the lower and
    /// the upper pointwise bounds fall to `q` or below (lifelines `qth_survival_times(q,
    /// confidence_interval_)`; for `q = 0.5` the median's interval). `inf` where a bound never falls
    /// that far.
    ///
    /// ```
    /// use voc_core::retention::{kaplan_meier, KmOptions};
    /// let km = kaplan_meier(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5], None, &KmOptions::default())?;
    /// let c = &km.curves[0];
    /// assert_eq!(c.percentile_interval(0.5)?, (c.median_low, c.median_high));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn percentile_interval(&self, q: f64) -> Result<(f64, f64)> {
        self.percentile(q)?;
        Ok((
            first_at_or_below(&self.time, &self.ci_low, q),
            first_at_or_below(&self.time, &self.ci_high, q),
        ))
    }
}

pub(super) fn first_at_or_below(time: &[f64], s: &[f64], q: f64) -> f64 {
    if time.is_empty() {
        return f64::NAN;
    }
    s.iter()
        .position(|&v| v <= q)
        .and_then(|i| time.get(i).copied())
        .unwrap_or(f64::INFINITY)
}

/// Kaplan–Meier curves, one per group (one in all when there are no groups).
///
/// ```
/// use voc_core::retention::{kaplan_meier, KmOptions};
/// let km = kaplan_meier(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0], Some(&[0, 1, 1]), &KmOptions::default())?;
/// assert_eq!(km.curves.len(), 2);
/// assert_eq!(km.curves[1].survival, vec![1.0, 0.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KaplanMeier {
    /// One curve per group code `0..groups`.
    pub curves: Vec<KmCurve>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Rows left out because their duration or event was missing (NaN), under [`MissingPolicy::Skip`].
    pub n_missing: usize,
}

/// Kaplan–Meier estimate of the survival function, by group.
///
/// `durations` are non-negative and finite; `events` are 1 (event observed, e.g. churn) or 0 (right
/// censored: still a customer at the end of observation); `groups` are dense codes (`0..k`, see
/// [`crate::group`]) or `None`. Rows are sorted once (O(n log n)); a curve has a row per distinct time.
/// Matches lifelines `KaplanMeierFitter` (survival, log(−log) interval, median and its interval).
///
/// A NaN duration or event is missing: [`Error::Missing`](crate::Error::Missing) under
/// [`MissingPolicy::Error`], a row left out and counted in [`KaplanMeier::n_missing`] under
/// [`MissingPolicy::Skip`].
///
/// ```
/// use voc_core::retention::{kaplan_meier, KmOptions};
/// let t = [5.0, 6.0, 6.0, 2.0, 4.0, 4.0];
/// let e = [1.0, 0.0, 1.0, 1.0, 1.0, 0.0];
/// let km = kaplan_meier(&t, &e, None, &KmOptions::default())?;
/// let c = &km.curves[0];
/// assert_eq!(c.time, vec![2.0, 4.0, 5.0, 6.0]);
/// assert!((c.survival[1] - 5.0 / 6.0 * 4.0 / 5.0).abs() < 1e-15);
/// assert_eq!(c.median, 5.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn kaplan_meier(
    durations: &[f64],
    events: &[f64],
    groups: Option<&[u32]>,
    options: &KmOptions,
) -> Result<KaplanMeier> {
    options.validate()?;
    check_len("durations", durations.len(), "events", events.len())?;
    if let Some(groups) = groups {
        check_len("durations", durations.len(), "groups", groups.len())?;
    }
    if let Some(keep) = complete_rows(&[durations, events], options.missing) {
        let n_missing = keep.iter().filter(|k| !**k).count();
        let groups = groups.map(|g| kept(g, &keep));
        let mut km = complete(
            &kept(durations, &keep),
            &kept(events, &keep),
            groups.as_deref(),
            options.confidence,
        )?;
        km.n_missing = n_missing;
        return Ok(km);
    }
    complete(durations, events, groups, options.confidence)
}

/// [`kaplan_meier`] on rows without missing values (a NaN is reported as an error).
fn complete(
    durations: &[f64],
    events: &[f64],
    groups: Option<&[u32]>,
    confidence: f64,
) -> Result<KaplanMeier> {
    // The histogram path validates as it goes; anything unusual falls through to the checks below,
    // which name the offending value.
    let histogram = IntegerHistogram::new(durations, events, groups);
    if histogram.is_none() && groups.is_none() {
        let z = normal_quantile(0.5 + 0.5 * confidence);
        return Ok(KaplanMeier {
            curves: vec![packed_curve(durations, events, z)?],
            confidence,
            n_missing: 0,
        });
    }
    if histogram.is_none() {
        check_durations(durations)?;
        check_events(events)?;
    }
    let z = normal_quantile(0.5 + 0.5 * confidence);
    if let Some(h) = histogram {
        let curves = (0..h.k)
            .map(|g| {
                let (ev, ce) = h.group(g);
                let (mut time, mut de, mut ce2) = (Vec::new(), Vec::new(), Vec::new());
                for (i, (&d, &c)) in ev.iter().zip(ce).enumerate() {
                    if d + c > 0 {
                        time.push((h.min + i as i64) as f64);
                        de.push(d);
                        ce2.push(c);
                    }
                }
                finish(time, de, ce2, z)
            })
            .collect();
        return Ok(KaplanMeier {
            curves,
            confidence,
            n_missing: 0,
        });
    }
    let sorted = SortedGroups::new(durations, events, groups)?;
    let curves = (0..sorted.k)
        .map(|g| {
            let (ev, ce) = sorted.group(g);
            let (mut time, mut de, mut dc) = (Vec::new(), Vec::new(), Vec::new());
            walk(ev, ce, |t, _, d, c| {
                time.push(f64::from_bits(t));
                de.push(d);
                dc.push(c);
            });
            finish(time, de, dc, z)
        })
        .collect();
    Ok(KaplanMeier {
        curves,
        confidence,
        n_missing: 0,
    })
}

/// Event and censoring counts per whole-number duration, for data on a compact integer grid (tenure in
/// days): O(n + range) instead of a sort.
struct IntegerHistogram {
    k: usize,
    min: i64,
    span: usize,
    events: Vec<u64>,
    censored: Vec<u64>,
}

impl IntegerHistogram {
    /// `None` unless the input is valid (durations finite, ≥ 0 and whole; events 0/1), not empty, and
    /// groups × range is at most about 2n.
    fn new(durations: &[f64], events: &[f64], groups: Option<&[u32]>) -> Option<Self> {
        let n = durations.len();
        if n == 0 {
            return None;
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &d in durations {
            // Negatives are caught by `lo` below; continuous data leave at the first value.
            // A whole number survives the round trip through i64 (NaN and ±inf do not); cheaper
            // than `fract`, which is a library call on baseline x86-64.
            if d != (d as i64) as f64 {
                return None;
            }
            lo = lo.min(d);
            hi = hi.max(d);
        }
        if !(lo >= 0.0) || !(hi - lo < (1u64 << 40) as f64) {
            return None;
        }
        let span = (hi - lo) as usize + 1;
        let k = groups.map_or(1, |g| g.iter().copied().max().map_or(0, |m| m as usize + 1));
        if k.saturating_mul(span) > 2 * n + 1024 {
            return None;
        }
        let min = lo as i64;
        // Interleaved (censored, event) counts per cell, filled without branches.
        let mut counts = vec![0u64; 2 * k * span];
        let mut bad_event = false;
        match groups {
            None => {
                for (&d, &e) in durations.iter().zip(events) {
                    bad_event |= e != 0.0 && e != 1.0;
                    let cell = (d as i64 - min) as usize;
                    counts[2 * cell + usize::from(e == 1.0)] += 1;
                }
            }
            Some(codes) => {
                for ((&d, &e), &g) in durations.iter().zip(events).zip(codes) {
                    bad_event |= e != 0.0 && e != 1.0;
                    let cell = g as usize * span + (d as i64 - min) as usize;
                    counts[2 * cell + usize::from(e == 1.0)] += 1;
                }
            }
        }
        if bad_event {
            return None;
        }
        let (censored, events) = counts.chunks_exact(2).map(|c| (c[0], c[1])).unzip();
        Some(IntegerHistogram {
            k,
            min,
            span,
            events,
            censored,
        })
    }

    fn group(&self, g: usize) -> (&[u64], &[u64]) {
        let r = g * self.span..(g + 1) * self.span;
        (&self.events[r.clone()], &self.censored[r])
    }
}

/// One curve from one sort of packed keys `duration bits << 1 | event` (a non-negative duration has a
/// zero sign bit, so the shift loses nothing and keeps the order), validating while packing.
fn packed_curve(durations: &[f64], events: &[f64], z: f64) -> Result<KmCurve> {
    if durations.is_empty() {
        check_durations(durations)?;
    }
    let valid = |d: f64, e: f64| d >= 0.0 && d.is_finite() && (e == 0.0 || e == 1.0);
    let pack = |d: f64, e: f64| ((d + 0.0).to_bits() << 1) | u64::from(e == 1.0);
    #[cfg(feature = "parallel")]
    if durations.len() >= PARALLEL_SORT_MIN && durations.len() == events.len() {
        // Packed on several threads (which also share the first touch of the fresh buffer); on a bad
        // row the sequential loop below names it.
        use rayon::prelude::*;
        let mut keys = vec![0u64; durations.len()];
        let ok = keys
            .par_chunks_mut(CURVE_CHUNK)
            .zip(durations.par_chunks(CURVE_CHUNK))
            .zip(events.par_chunks(CURVE_CHUNK))
            .map(|((k, d), e)| {
                let mut ok = true;
                for ((k, &d), &e) in k.iter_mut().zip(d).zip(e) {
                    ok &= valid(d, e);
                    *k = pack(d, e);
                }
                ok
            })
            .reduce(|| true, |a, b| a && b);
        if ok {
            return Ok(curve_from_keys(keys, z));
        }
    }
    let mut keys = Vec::with_capacity(durations.len());
    for (index, (&d, &e)) in durations.iter().zip(events).enumerate() {
        if !valid(d, e) {
            // Report as the column checks do (durations first).
            check_durations(&durations[..=index])?;
            check_events(&events[..=index])?;
        }
        keys.push(pack(d, e));
    }
    Ok(curve_from_keys(keys, z))
}

/// One curve from packed keys `duration bits << 1 | event` of valid rows (durations finite and ≥ 0,
/// `+0.0` for zero): sorted, then one row per distinct time. For callers whose durations are checked
/// already (the follow-up clocks); `z` is the normal quantile of the intervals.
pub(crate) fn curve_from_keys(mut keys: Vec<u64>, z: f64) -> KmCurve {
    sort_keys(&mut keys);
    curve_from_sorted(&keys, z, CURVE_CHUNK)
}

/// Event and censoring durations (as sortable bit patterns), bucketed by group and sorted within each.
pub(crate) struct SortedGroups {
    pub(crate) k: usize,
    events: Vec<u64>,
    censored: Vec<u64>,
    ev_start: Vec<usize>,
    ce_start: Vec<usize>,
}

impl SortedGroups {
    /// Inputs must be validated; `groups` is checked here.
    pub(crate) fn new(durations: &[f64], events: &[f64], groups: Option<&[u32]>) -> Result<Self> {
        let n = durations.len();
        let Some(codes) = groups else {
            let n_ev = events.iter().filter(|&&e| e == 1.0).count();
            let mut ev = Vec::with_capacity(n_ev);
            let mut ce = Vec::with_capacity(n - n_ev);
            for (&d, &e) in durations.iter().zip(events) {
                if e == 1.0 {
                    ev.push(key(d));
                } else {
                    ce.push(key(d));
                }
            }
            sort_pair(&mut ev, &mut ce);
            let (ne, nc) = (ev.len(), ce.len());
            return Ok(SortedGroups {
                k: 1,
                events: ev,
                censored: ce,
                ev_start: vec![0, ne],
                ce_start: vec![0, nc],
            });
        };
        check_len("durations", n, "groups", codes.len())?;
        let k = codes.iter().copied().max().map_or(0, |m| m as usize + 1);
        let mut ev_start = vec![0usize; k + 1];
        let mut ce_start = vec![0usize; k + 1];
        for (&g, &e) in codes.iter().zip(events) {
            let slot = g as usize + 1;
            if e == 1.0 {
                ev_start[slot] += 1;
            } else {
                ce_start[slot] += 1;
            }
        }
        for g in 0..k {
            ev_start[g + 1] += ev_start[g];
            ce_start[g + 1] += ce_start[g];
        }
        let mut ev = vec![0u64; ev_start[k]];
        let mut ce = vec![0u64; ce_start[k]];
        let mut ev_pos = ev_start.clone();
        let mut ce_pos = ce_start.clone();
        for ((&d, &e), &g) in durations.iter().zip(events).zip(codes) {
            let g = g as usize;
            if e == 1.0 {
                ev[ev_pos[g]] = key(d);
                ev_pos[g] += 1;
            } else {
                ce[ce_pos[g]] = key(d);
                ce_pos[g] += 1;
            }
        }
        for g in 0..k {
            sort_keys(&mut ev[ev_start[g]..ev_start[g + 1]]);
            sort_keys(&mut ce[ce_start[g]..ce_start[g + 1]]);
        }
        Ok(SortedGroups {
            k,
            events: ev,
            censored: ce,
            ev_start,
            ce_start,
        })
    }

    /// Sorted event and censoring keys of group `g < k`.
    pub(crate) fn group(&self, g: usize) -> (&[u64], &[u64]) {
        (
            &self.events[self.ev_start[g]..self.ev_start[g + 1]],
            &self.censored[self.ce_start[g]..self.ce_start[g + 1]],
        )
    }
}

/// Sorts duration keys (in parallel above a size threshold with the `parallel` feature).
pub(crate) fn sort_keys(v: &mut [u64]) {
    #[cfg(feature = "parallel")]
    if v.len() >= PARALLEL_SORT_MIN {
        use rayon::slice::ParallelSliceMut;
        v.par_sort_unstable();
        return;
    }
    v.sort_unstable();
}

/// Sorts two key sets, side by side on two threads when they are large.
fn sort_pair(a: &mut [u64], b: &mut [u64]) {
    #[cfg(feature = "parallel")]
    if a.len() + b.len() >= PARALLEL_SORT_MIN {
        rayon::join(|| a.sort_unstable(), || b.sort_unstable());
        return;
    }
    sort_keys(a);
    sort_keys(b);
}

/// Below this many keys a parallel sort costs more than it saves.
#[cfg(feature = "parallel")]
const PARALLEL_SORT_MIN: usize = 1 << 17;

/// Walks the merged sorted event and censoring times, calling `f(time_key, at_risk, d, c)` per
/// distinct time.
pub(crate) fn walk(ev: &[u64], ce: &[u64], mut f: impl FnMut(u64, u64, u64, u64)) {
    let mut at_risk = (ev.len() + ce.len()) as u64;
    let (mut i, mut j) = (0, 0);
    while i < ev.len() || j < ce.len() {
        let t = match (ev.get(i), ce.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let i0 = i;
        while ev.get(i) == Some(&t) {
            i += 1;
        }
        let j0 = j;
        while ce.get(j) == Some(&t) {
            j += 1;
        }
        let (d, c) = ((i - i0) as u64, (j - j0) as u64);
        f(t, at_risk, d, c);
        at_risk -= d + c;
    }
}

/// Completes a curve from its distinct times (ascending) and the events and censorings at each: at
/// risk, survival and Greenwood variance in one pass, then the log(−log) interval (rows without events
/// repeat the row before: S and Greenwood's sum are unchanged there), then the median.
pub(super) fn finish(time: Vec<f64>, events: Vec<u64>, censored: Vec<u64>, z: f64) -> KmCurve {
    let m = time.len();
    let total: u64 = events.iter().sum::<u64>() + censored.iter().sum::<u64>();
    let mut c = KmCurve {
        n: total,
        n_events: events.iter().sum(),
        at_risk: Vec::with_capacity(m),
        survival: Vec::with_capacity(m),
        variance: Vec::with_capacity(m),
        ci_low: vec![0.0; m],
        ..KmCurve::default()
    };
    // Greenwood's sum per row, kept in the upper bound's column until the bounds replace it.
    let mut greenwood = Vec::with_capacity(m);
    let (mut s, mut g, mut n) = (1.0, 0.0, total);
    for (&d, &cens) in events.iter().zip(&censored) {
        if d > 0 {
            s *= 1.0 - d as f64 / n as f64;
            if n > d {
                g += d as f64 / (n as f64 * (n - d) as f64);
            }
        }
        c.at_risk.push(n);
        c.survival.push(s);
        c.variance.push(s * s * g);
        greenwood.push(g);
        n -= d + cens;
    }
    c.ci_high = greenwood;
    bounds(&events, &c.survival, &mut c.ci_low, &mut c.ci_high, z);
    c.time = time;
    c.events = events;
    c.censored = censored;
    c.median = first_at_or_below(&c.time, &c.survival, 0.5);
    c.median_low = first_at_or_below(&c.time, &c.ci_low, 0.5);
    c.median_high = first_at_or_below(&c.time, &c.ci_high, 0.5);
    c
}

/// Rows per task of the interval pass (a curve this long or longer is split, with the `parallel`
/// feature).
#[cfg_attr(not(feature = "parallel"), allow(dead_code))]
const BOUNDS_CHUNK: usize = 1 << 15;

/// The log(−log) interval of every row from S and Greenwood's sum (`high` holds the sum on input):
/// computed where the row has events; a row without events repeats the row before, whose S and sum it
/// shares, so a chunk starting on such a row computes it from them (the same values as the row with
/// the last events, or `[1, 1]` before any). Chunks are independent: the result does not depend on
/// how the rows are split.
fn bounds(events: &[u64], s: &[f64], low: &mut [f64], high: &mut [f64], z: f64) {
    let chunk = |events: &[u64], s: &[f64], low: &mut [f64], high: &mut [f64]| {
        let mut prev = (1.0, 1.0);
        for (i, (&d, &si)) in events.iter().zip(s).enumerate() {
            if d > 0 || i == 0 {
                prev = loglog_interval(si, high[i], z);
            }
            low[i] = prev.0;
            high[i] = prev.1;
        }
    };
    #[cfg(feature = "parallel")]
    if events.len() >= 2 * BOUNDS_CHUNK {
        use rayon::prelude::*;
        events
            .par_chunks(BOUNDS_CHUNK)
            .zip(s.par_chunks(BOUNDS_CHUNK))
            .zip(low.par_chunks_mut(BOUNDS_CHUNK))
            .zip(high.par_chunks_mut(BOUNDS_CHUNK))
            .for_each(|(((e, s), l), h)| chunk(e, s, l, h));
        return;
    }
    chunk(events, s, low, high);
}

/// The exponential Greenwood interval of lifelines (`[1, 1]` where S = 1, `[0, 0]` where S = 0):
/// `exp(−exp(log(−v) ∓ w)) = S^exp(∓w)` with `v = log S`, `w = z·√G / v`.
pub(super) fn loglog_interval(s: f64, g: f64, z: f64) -> (f64, f64) {
    if s >= 1.0 {
        return (1.0, 1.0);
    }
    if s <= 0.0 {
        return (0.0, 0.0);
    }
    let v = s.ln();
    let ew = (z * g.sqrt() / v).exp();
    ((v / ew).exp(), (v * ew).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interval pass in one sequential sweep, as it was before it was split into chunks.
    fn sequential_bounds(c: &KmCurve, z: f64) -> (Vec<f64>, Vec<f64>) {
        let (mut low, mut high) = (Vec::new(), Vec::new());
        let (mut s, mut g, mut n) = (1.0, 0.0, c.n);
        let mut prev = (1.0, 1.0);
        for (&d, &cens) in c.events.iter().zip(&c.censored) {
            if d > 0 {
                s *= 1.0 - d as f64 / n as f64;
                if n > d {
                    g += d as f64 / (n as f64 * (n - d) as f64);
                }
                prev = loglog_interval(s, g, z);
            }
            low.push(prev.0);
            high.push(prev.1);
            n -= d + cens;
        }
        (low, high)
    }

    #[test]
    fn chunked_bounds_equal_one_sweep() -> Result<()> {
        // Long runs of censorings cross the chunk boundaries; the curve is long enough to be split.
        let n = 3 * BOUNDS_CHUNK + 1_000;
        let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.25 + 0.125).collect();
        let e: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from((i / 5_000) % 2 == 0 && i % 3 != 0)))
            .collect();
        let o = KmOptions::default();
        let c = &kaplan_meier(&t, &e, None, &o)?.curves[0];
        let z = normal_quantile(0.5 + 0.5 * o.confidence);
        let (low, high) = sequential_bounds(c, z);
        assert_eq!(c.time.len(), n);
        assert_eq!(c.ci_low, low);
        assert_eq!(c.ci_high, high);
        // One group goes through `finish` and its chunked interval pass: the same curve.
        let grouped = &kaplan_meier(&t, &e, Some(&vec![0; n]), &o)?.curves[0];
        assert_eq!(grouped, c);
        Ok(())
    }

    /// The curve of packed keys as it was built before the chunked passes: one sweep over the sorted
    /// keys for the distinct times and counts, then [`finish`].
    fn swept_curve(mut keys: Vec<u64>, z: f64) -> KmCurve {
        keys.sort_unstable();
        let (mut time, mut de, mut dc) = (Vec::new(), Vec::new(), Vec::new());
        let mut i = 0;
        while i < keys.len() {
            let t = keys[i] >> 1;
            let start = i;
            let mut d = 0;
            while i < keys.len() && keys[i] >> 1 == t {
                d += keys[i] & 1;
                i += 1;
            }
            time.push(f64::from_bits(t));
            de.push(d);
            dc.push((i - start) as u64 - d);
        }
        finish(time, de, dc, z)
    }

    /// Bit-for-bit equality of two curves (NaN medians included).
    fn same_bits(a: &KmCurve, b: &KmCurve) -> bool {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        bits(&a.time) == bits(&b.time)
            && (&a.at_risk, &a.events, &a.censored) == (&b.at_risk, &b.events, &b.censored)
            && bits(&a.survival) == bits(&b.survival)
            && bits(&a.variance) == bits(&b.variance)
            && bits(&a.ci_low) == bits(&b.ci_low)
            && bits(&a.ci_high) == bits(&b.ci_high)
            && (a.n, a.n_events) == (b.n, b.n_events)
            && bits(&[a.median, a.median_low, a.median_high])
                == bits(&[b.median, b.median_low, b.median_high])
    }

    proptest::proptest! {
        #[test]
        fn chunked_curve_equals_one_sweep(
            rows in proptest::collection::vec((0_u32..60, 0_u8..4), 1..400),
            chunk in 1_usize..50,
            scale in proptest::sample::select(vec![1.0, 0.37, 1e-3]),
        ) {
            // Few distinct times (long runs of ties cross the chunk ends), events about 3 in 4, runs
            // ending with every subject at risk failing (S = 0) included.
            let keys: Vec<u64> = rows
                .iter()
                .map(|&(t, e)| ((f64::from(t) * scale + 0.0).to_bits() << 1) | u64::from(e != 0))
                .collect();
            let z = normal_quantile(0.975);
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let want = swept_curve(keys, z);
            proptest::prop_assert!(same_bits(&curve_from_sorted(&sorted, z, chunk), &want));
            proptest::prop_assert!(same_bits(&curve_from_sorted(&sorted, z, CURVE_CHUNK), &want));
        }
    }

    #[test]
    fn parallel_packing_equals_the_sequential_curve() -> Result<()> {
        // Long enough for the parallel packing and several chunks; distinct continuous times and ties.
        let n = 3 * CURVE_CHUNK + 4_321;
        let t: Vec<f64> = (0..n)
            .map(|i| ((i * 7_919) % 100_003) as f64 * if i % 3 == 0 { 1.0 } else { 0.013 })
            .collect();
        let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 5 < 3))).collect();
        let o = KmOptions::default();
        let z = normal_quantile(0.5 + 0.5 * o.confidence);
        let keys: Vec<u64> = t
            .iter()
            .zip(&e)
            .map(|(&d, &v)| ((d + 0.0_f64).to_bits() << 1) | u64::from(v == 1.0))
            .collect();
        let c = &kaplan_meier(&t, &e, None, &o)?.curves[0];
        assert!(c.time.len() > 2 * CURVE_CHUNK);
        assert!(same_bits(c, &swept_curve(keys, z)));
        // A bad row in a large input is still named, durations first.
        let mut bad = t.clone();
        bad[n - 10] = -1.0;
        let mut bad_e = e.clone();
        bad_e[n - 20] = 2.0;
        let err = kaplan_meier(&bad, &bad_e, None, &o).unwrap_err();
        assert_eq!(err, kaplan_meier(&t, &bad_e, None, &o).unwrap_err());
        assert!(kaplan_meier(&bad, &e, None, &o).is_err());
        Ok(())
    }

    #[test]
    fn curve_from_keys_is_the_curve_of_the_durations() -> Result<()> {
        let t = [3.5, 0.0, 2.25, 3.5, 7.0, 2.25, 1.0];
        let e = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let o = KmOptions::default();
        let keys: Vec<u64> = t
            .iter()
            .zip(&e)
            .map(|(&d, &v)| ((d + 0.0_f64).to_bits() << 1) | u64::from(v == 1.0))
            .collect();
        let z = normal_quantile(0.5 + 0.5 * o.confidence);
        assert_eq!(
            curve_from_keys(keys, z),
            kaplan_meier(&t, &e, None, &o)?.curves[0]
        );
        Ok(())
    }

    #[test]
    fn all_censored_is_flat() -> Result<()> {
        let km = kaplan_meier(&[1.0, 2.0], &[0.0, 0.0], None, &KmOptions::default())?;
        assert_eq!(km.curves[0].survival, vec![1.0, 1.0]);
        assert_eq!(km.curves[0].median, f64::INFINITY);
        Ok(())
    }

    #[test]
    fn bad_input() {
        let o = &KmOptions::default();
        assert!(kaplan_meier(&[-1.0], &[1.0], None, o).is_err());
        assert!(kaplan_meier(&[1.0], &[2.0], None, o).is_err());
        assert!(kaplan_meier(&[f64::NAN], &[1.0], None, o).is_err());
        assert!(kaplan_meier(&[], &[], None, o).is_err());
        assert!(kaplan_meier(&[1.0], &[1.0, 0.0], None, o).is_err());
        assert!(kaplan_meier(&[1.0], &[1.0], Some(&[0, 1]), o).is_err());
    }

    #[test]
    fn nan_is_missing_and_skip_leaves_the_row_out() -> Result<()> {
        let o = KmOptions::default();
        let err = kaplan_meier(&[1.0, f64::NAN], &[1.0, 0.0], None, &o).unwrap_err();
        assert_eq!(
            err,
            crate::Error::Missing {
                arg: "durations",
                index: 1
            }
        );
        let err = kaplan_meier(
            &[1.0, 2.0, 3.0],
            &[1.0, 1.0, f64::NAN],
            Some(&[0, 1, 1]),
            &o,
        )
        .unwrap_err();
        assert_eq!(
            err,
            crate::Error::Missing {
                arg: "events",
                index: 2
            }
        );
        let skip = o.missing(MissingPolicy::Skip);
        let t = [1.0, f64::NAN, 3.0, 4.0, 2.0];
        let e = [1.0, 1.0, f64::NAN, 0.0, 1.0];
        let g = [0, 0, 1, 1, 1];
        let km = kaplan_meier(&t, &e, Some(&g), &skip)?;
        let want = kaplan_meier(&[1.0, 4.0, 2.0], &[1.0, 0.0, 1.0], Some(&[0, 1, 1]), &o)?;
        assert_eq!(km.n_missing, 2);
        assert_eq!(km.curves, want.curves);
        // Without a NaN, skipping changes nothing.
        assert_eq!(
            kaplan_meier(&[1.0, 2.0], &[1.0, 0.0], None, &skip)?.n_missing,
            0
        );
        Ok(())
    }
}
