//! The log-rank test for two or more groups.

use super::{check_durations, check_events, complete_rows, kept, key};
use crate::MissingPolicy;
use crate::error::{Error, Result, check_len};
use crate::stats::dist::chi2_sf;

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
    let mut at_risk: Vec<f64> = n.iter().map(|&c| c as f64).collect();
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut v = vec![0.0; k * k];
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
        let d: f64 = d_g.iter().sum();
        if d > 0.0 {
            let total: f64 = at_risk.iter().sum();
            let f = if total > 1.0 {
                d * (total - d) / (total - 1.0) / (total * total)
            } else {
                0.0
            };
            for a in 0..k {
                observed[a] += d_g[a];
                expected[a] += at_risk[a] * d / total;
                for b in 0..k {
                    let delta = if a == b { total } else { 0.0 };
                    v[a * k + b] += f * at_risk[a] * (delta - at_risk[b]);
                }
            }
        }
        for row in &rows[start..i] {
            let g = (row.1 >> 1) as usize;
            at_risk[g] -= r_g[g];
            r_g[g] = 0.0;
            d_g[g] = 0.0;
        }
    }
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

/// `zᵀ V⁺ z` over the first k − 1 groups, with the pseudo-inverse as lifelines (a group never at risk
/// at an event time makes V singular).
fn quadratic_form_pinv(observed: &[f64], expected: &[f64], v: &[f64], k: usize) -> f64 {
    let m = k - 1;
    let z: Vec<f64> = (0..m).map(|i| observed[i] - expected[i]).collect();
    let a: Vec<f64> = (0..m)
        .flat_map(|i| (0..m).map(move |j| v[i * k + j]))
        .collect();
    crate::stats::linalg::pinv_quadratic_form(&a, m, &z)
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
