//! The log-rank test for two or more groups.

use super::{check_durations, check_events, complete_rows, kept, key};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::dist::chi2_sf;

/// Most groups [`logrank_test`] compares (its covariance matrix has k² entries, 32 MB at the limit,
/// and is solved once in O(k³/3)); more raise [`Error::TooLarge`] naming `groups`.
pub const MAX_LOGRANK_GROUPS: usize = 2_000;

/// Options of [`logrank_test`].
///
/// ```
/// use voc_core::MissingPolicy;
/// use voc_core::retention::LogRankOptions;
/// assert_eq!(LogRankOptions::default().missing, MissingPolicy::Error);
/// assert_eq!(LogRankOptions::default().missing(MissingPolicy::Skip).missing, MissingPolicy::Skip);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LogRankOptions {
    /// Rows whose duration or event is NaN: an error naming the first ([`MissingPolicy::Error`], the
    /// default) or left out and counted in [`LogRank::n_missing`] ([`MissingPolicy::Skip`]).
    pub missing: MissingPolicy,
}

crate::setters!(LogRankOptions {
    missing: MissingPolicy
});

/// Result of [`logrank_test`].
///
/// ```
/// use voc_core::retention::{logrank_test, LogRankOptions};
/// let lr = logrank_test(&[1.0, 2.0, 3.0, 4.0], &[1.0; 4], &[0, 1, 0, 1], &LogRankOptions::default())?;
/// assert_eq!(lr.observed, vec![2.0, 2.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LogRank {
    /// χ² statistic `(O − E)ᵀ V⁻¹ (O − E)` over the first k − 1 groups.
    pub statistic: f64,
    /// Degrees of freedom, k − 1.
    pub df: usize,
    /// Upper-tail χ² p-value.
    pub p_value: f64,
    /// Subjects per group.
    pub n: Vec<u64>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under the null of equal hazards.
    pub expected: Vec<f64>,
    /// Rows left out because their duration or event was missing (NaN), under [`MissingPolicy::Skip`].
    pub n_missing: usize,
}

/// Log-rank (Mantel–Cox) test that the groups share one survival function.
///
/// With k groups (dense codes `0..k`, k ≥ 2) the statistic is χ² with k − 1 degrees of freedom, built
/// from observed minus expected events and the hypergeometric covariance summed over the distinct
/// times, as lifelines `multivariate_logrank_test` (which `logrank_test` calls for two groups). A NaN
/// duration or event is missing, handled as [`LogRankOptions::missing`] says.
///
/// ```
/// use voc_core::retention::{logrank_test, LogRankOptions};
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let e = [1.0; 8];
/// let g = [0, 0, 0, 0, 1, 1, 1, 1];
/// let lr = logrank_test(&t, &e, &g, &LogRankOptions::default())?;
/// assert_eq!(lr.df, 1);
/// assert!(lr.p_value < 0.05);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn logrank_test(
    durations: &[f64],
    events: &[f64],
    groups: &[u32],
    options: &LogRankOptions,
) -> Result<LogRank> {
    check_len("durations", durations.len(), "events", events.len())?;
    check_len("durations", durations.len(), "groups", groups.len())?;
    if let Some(keep) = complete_rows(&[durations, events], options.missing) {
        let mut lr = complete(
            &kept(durations, &keep),
            &kept(events, &keep),
            &kept(groups, &keep),
        )?;
        lr.n_missing = keep.iter().filter(|k| !**k).count();
        return Ok(lr);
    }
    complete(durations, events, groups)
}

/// [`logrank_test`] on rows without missing values (a NaN is reported as an error).
fn complete(durations: &[f64], events: &[f64], groups: &[u32]) -> Result<LogRank> {
    check_durations(durations)?;
    check_events(events)?;
    let k = groups.iter().copied().max().map_or(0, |m| m as usize + 1);
    if k > MAX_LOGRANK_GROUPS {
        return Err(Error::too_large(
            "groups",
            k,
            MAX_LOGRANK_GROUPS,
            "the log-rank test compares at most this many groups (group ids are dense codes 0..k; \
             its covariance has k² entries)",
        ));
    }
    let mut n = vec![0u64; k];
    for &g in groups {
        n[g as usize] += 1;
    }
    if k < 2 || n.iter().filter(|&&c| c > 0).count() < 2 {
        return Err(Error::InsufficientData(
            "the log-rank test needs at least two non-empty groups".into(),
        ));
    }
    if events.iter().all(|&e| e == 0.0) {
        return Err(Error::InsufficientData(
            "the log-rank test needs at least one observed event (all subjects are censored)"
                .into(),
        ));
    }
    // (time key, group << 1 | event), sorted once.
    let mut rows: Vec<(u64, u32)> = durations
        .iter()
        .zip(events)
        .zip(groups)
        .map(|((&d, &e), &g)| (key(d), (g << 1) | u32::from(e == 1.0)))
        .collect();
    rows.sort_unstable();
    let mut acc = Accumulator::new(&n);
    let mut observed = vec![0.0; k];
    let mut d_g = vec![0.0; k];
    let mut r_g = vec![0.0; k];
    let mut i = 0;
    while i < rows.len() {
        let t = rows[i].0;
        let start = i;
        while i < rows.len() && rows[i].0 == t {
            let code = rows[i].1;
            let g = (code >> 1) as usize;
            r_g[g] += 1.0;
            if code & 1 == 1 {
                d_g[g] += 1.0;
            }
            i += 1;
        }
        let mut d = 0.0;
        for row in &rows[start..i] {
            let g = (row.1 >> 1) as usize;
            d += d_g[g];
            observed[g] += d_g[g];
            d_g[g] = 0.0;
        }
        acc.event_time(d);
        for row in &rows[start..i] {
            let g = (row.1 >> 1) as usize;
            if r_g[g] > 0.0 {
                acc.leave(g, r_g[g]);
                r_g[g] = 0.0;
            }
        }
    }
    let (expected, v) = acc.finish();
    let statistic = quadratic_form_pinv(&observed, &expected, &v, k);
    let df = k - 1;
    Ok(LogRank {
        statistic,
        df,
        p_value: chi2_sf(statistic, df as f64),
        n,
        observed,
        expected,
        n_missing: 0,
    })
}

/// The expected events and the hypergeometric covariance of the log-rank test, summed over the event
/// times without touching every group at every time.
///
/// At an event time with d events among N at risk, group a expects R_a·d/N events and the covariance
/// gains f·R_a·(δ_ab·N − R_b), f = d(N − d)/((N − 1)N²). The at-risk counts R_a are piecewise constant,
/// so each sum is kept as a running total over time (F = Σf, G = Σf·N, H = Σd/N) and a group's share is
/// added only when its R_a changes: O(k) per group leaving the risk set, O(1) per event time, instead
/// of O(k²) per event time.
struct Accumulator {
    k: usize,
    at_risk: Vec<f64>,
    total: f64,
    /// Running sums F, G, H and their values when each group last changed.
    f: f64,
    g: f64,
    h: f64,
    last: Vec<(f64, f64, f64)>,
    expected: Vec<f64>,
    /// Σ f·N·R_a per group.
    diag: Vec<f64>,
    /// Σ f·R_a·R_b, row-major k × k.
    cross: Vec<f64>,
}

impl Accumulator {
    fn new(n: &[u64]) -> Self {
        let k = n.len();
        let at_risk: Vec<f64> = n.iter().map(|&c| c as f64).collect();
        Accumulator {
            k,
            total: at_risk.iter().sum(),
            at_risk,
            f: 0.0,
            g: 0.0,
            h: 0.0,
            last: vec![(0.0, 0.0, 0.0); k],
            expected: vec![0.0; k],
            diag: vec![0.0; k],
            cross: vec![0.0; k * k],
        }
    }

    /// An event time with `d` events among the current risk set (before anyone leaves).
    fn event_time(&mut self, d: f64) {
        if d > 0.0 {
            let n = self.total;
            let f = if n > 1.0 {
                d * (n - d) / (n - 1.0) / (n * n)
            } else {
                0.0
            };
            self.f += f;
            self.g += f * n;
            self.h += d / n;
        }
    }

    /// Adds group `a`'s share since its last change, at its current at-risk count.
    fn flush(&mut self, a: usize) {
        let ra = self.at_risk[a];
        let (fa, ga, ha) = self.last[a];
        if ra > 0.0 {
            for b in 0..self.k {
                let rb = self.at_risk[b];
                if b != a && rb > 0.0 {
                    let since = fa.max(self.last[b].0);
                    let add = ra * rb * (self.f - since);
                    self.cross[a * self.k + b] += add;
                    self.cross[b * self.k + a] += add;
                }
            }
            self.cross[a * self.k + a] += ra * ra * (self.f - fa);
            self.diag[a] += ra * (self.g - ga);
            self.expected[a] += ra * (self.h - ha);
        }
        self.last[a] = (self.f, self.g, self.h);
    }

    /// `count` subjects of group `a` leave the risk set after the current time.
    fn leave(&mut self, a: usize, count: f64) {
        self.flush(a);
        self.at_risk[a] -= count;
        self.total -= count;
    }

    /// Expected events per group and the covariance V (row-major k × k).
    fn finish(mut self) -> (Vec<f64>, Vec<f64>) {
        for a in 0..self.k {
            self.flush(a);
        }
        let k = self.k;
        let mut v = self.cross;
        v.iter_mut().for_each(|x| *x = -*x);
        for a in 0..k {
            v[a * k + a] += self.diag[a];
        }
        (self.expected, v)
    }
}

/// `zᵀ V⁺ z` over the first k − 1 groups, with the pseudo-inverse as lifelines (a group never at risk
/// at an event time makes V singular). Groups whose variance is zero (never at risk at an event time:
/// their row of V and their O − E are zero) are left out, and the rest solved by Cholesky, O(k³/3);
/// only a covariance that is still singular goes through the eigen-decomposition.
fn quadratic_form_pinv(observed: &[f64], expected: &[f64], v: &[f64], k: usize) -> f64 {
    use crate::stats::linalg::{chol_solve, cholesky, pinv_quadratic_form};
    let m = k - 1;
    let scale = (0..m).map(|i| v[i * k + i]).fold(0.0_f64, f64::max);
    let keep: Vec<usize> = (0..m).filter(|&i| v[i * k + i] > 1e-12 * scale).collect();
    let p = keep.len();
    let z: Vec<f64> = keep.iter().map(|&i| observed[i] - expected[i]).collect();
    let a: Vec<f64> = keep
        .iter()
        .flat_map(|&i| keep.iter().map(move |&j| v[i * k + j]))
        .collect();
    if let Ok(l) = cholesky(&a, p) {
        let mut x = z.clone();
        chol_solve(&l, p, &mut x);
        return z.iter().zip(&x).map(|(a, b)| a * b).sum();
    }
    pinv_quadratic_form(&a, p, &z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_is_missing_and_skip_leaves_the_row_out() -> Result<()> {
        let o = LogRankOptions::default();
        let t = [1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0, 3.0];
        let e = [1.0, 1.0, 1.0, 0.0, 1.0, f64::NAN, 1.0];
        let g = [0, 0, 1, 1, 1, 0, 1];
        assert_eq!(
            logrank_test(&t, &e, &g, &o).unwrap_err(),
            Error::Missing {
                arg: "durations",
                index: 2
            }
        );
        let skipped = logrank_test(&t, &e, &g, &o.missing(MissingPolicy::Skip))?;
        let want = logrank_test(
            &[1.0, 2.0, 4.0, 5.0, 3.0],
            &[1.0, 1.0, 0.0, 1.0, 1.0],
            &[0, 0, 1, 1, 1],
            &o,
        )?;
        assert_eq!(skipped.n_missing, 2);
        assert_eq!(skipped.statistic, want.statistic);
        assert_eq!(skipped.n, vec![2, 3]);
        Ok(())
    }
}
