//! Seasonal alerts from rows: a count per (group, period) row, added up per group and period and laid
//! out as one gap-free series per group.

use super::{AlertOptions, AlertRow, MAX_PERIODS, seasonal_alerts};
use crate::error::{Error, Result, check_len};
use crate::time::Period;

/// One period of one group's series of [`seasonal_alerts_by`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupAlertRow {
    /// Group code (0 without groups).
    pub group: u32,
    /// Period index ([`Period::index`]).
    pub period: i64,
    /// The alert row (its `index` is the position in the group's series).
    pub row: AlertRow,
}

/// Seasonal alerts on rows of counts: row `i` holds `counts[i]` of period `periods[i]` (a
/// [`Period::index`] of `period`) in group `groups[i]`; rows of one group and period are added up,
/// and each group's series runs from its first period to its last, a period without rows counting 0
/// (with a `population`, a period without rows is an error: its offset would be 0). Groups are
/// returned in code order, each evaluated by [`seasonal_alerts`].
///
/// The counts are checked row by row first (a NaN count is [`Error::Missing`], a negative one
/// [`Error::InvalidValue`], naming `counts` and the row).
///
/// ```
/// use voc_core::anomaly::{AlertOptions, seasonal_alerts_by};
/// use voc_core::time::Period;
/// // Two stores, eight weeks each, rows in any order; store 1 has a jump in its last week.
/// let mut counts = Vec::new();
/// let mut weeks = Vec::new();
/// let mut stores = Vec::new();
/// for w in 0..8i64 {
///     for s in 0..2u32 {
///         counts.push(if s == 1 && w == 7 { 40.0 } else { 10.0 + (w % 2) as f64 });
///         weeks.push(2_900 + w);
///         stores.push(s);
///     }
/// }
/// let rows = seasonal_alerts_by(&counts, &weeks, Some(&stores), None, Period::Week, &AlertOptions::default())?;
/// assert_eq!(rows.len(), 8); // weeks 4..=7 of each store
/// let alerts: Vec<(u32, i64)> = rows.iter().filter(|r| r.row.alert).map(|r| (r.group, r.period)).collect();
/// assert_eq!(alerts, [(1, 2_907)]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn seasonal_alerts_by(
    counts: &[f64],
    periods: &[i64],
    groups: Option<&[u32]>,
    population: Option<&[f64]>,
    period: Period,
    opts: &AlertOptions,
) -> Result<Vec<GroupAlertRow>> {
    opts.validate()?;
    let n = counts.len();
    check_rows("counts", n, periods, groups)?;
    if let Some(p) = population {
        check_len("counts", n, "population", p.len())?;
    }
    check_not_empty("counts", n)?;
    super::check_counts(counts, "row")?;
    if let Some(p) = population {
        super::check_population(p)?;
    }
    let mut out = Vec::new();
    for span in group_rows(n, groups) {
        crate::interrupt::check()?;
        let (lo, len) = span.periods(periods, period)?;
        let (g, rows_of) = (span.group, &span.rows);
        let mut series = vec![0.0; len];
        let mut pop = population.map(|_| vec![0.0; len]);
        for &i in rows_of {
            let j = (periods[i] - lo) as usize;
            series[j] += counts[i];
            if let (Some(p), Some(src)) = (pop.as_mut(), population) {
                p[j] += src[i];
            }
        }
        if let Some(p) = &pop
            && let Some(j) = p.iter().position(|&v| v <= 0.0)
        {
            return Err(Error::InvalidValue {
                arg: "time",
                index: j,
                value: (lo + j as i64) as f64,
                reason: "a period without rows inside a group's series has no population (offset)",
            });
        }
        let rows = seasonal_alerts(&series, lo, period, pop.as_deref(), opts)?;
        out.extend(rows.into_iter().map(|row| GroupAlertRow {
            group: g,
            period: lo + row.index as i64,
            row,
        }));
    }
    Ok(out)
}

/// The rows of one group.
pub(super) struct GroupRows {
    /// Group code (0 without groups).
    pub group: u32,
    /// The group's rows.
    pub rows: Vec<usize>,
}

impl GroupRows {
    /// The group's first period and the number of periods from its first to its last (at most
    /// [`MAX_PERIODS`]).
    pub(super) fn periods(&self, periods: &[i64], period: Period) -> Result<(i64, usize)> {
        let lo = self.rows.iter().map(|&i| periods[i]).min().unwrap_or(0);
        let hi = self.rows.iter().map(|&i| periods[i]).max().unwrap_or(0);
        let len = hi
            .checked_sub(lo)
            .and_then(|d| usize::try_from(d).ok())
            .and_then(|d| d.checked_add(1))
            .filter(|&d| d <= MAX_PERIODS)
            .ok_or_else(|| {
                Error::too_large(
                    "time",
                    format!("{} to {}", period.label(lo), period.label(hi)),
                    MAX_PERIODS,
                    "periods from a group's first row to its last",
                )
            })?;
        Ok((lo, len))
    }
}

/// Checks that `periods` and `groups` have one entry per row of `arg` (`n` rows).
pub(super) fn check_rows(
    arg: &'static str,
    n: usize,
    periods: &[i64],
    groups: Option<&[u32]>,
) -> Result<()> {
    check_len(arg, n, "time", periods.len())?;
    if let Some(g) = groups {
        check_len(arg, n, "by", g.len())?;
    }
    Ok(())
}

/// No rows is [`Error::Empty`].
pub(super) fn check_not_empty(arg: &'static str, n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Empty {
            arg,
            what: "no rows to alert on",
        });
    }
    Ok(())
}

/// The rows of each group, in code order (codes need not be dense).
pub(super) fn group_rows(n: usize, groups: Option<&[u32]>) -> Vec<GroupRows> {
    let mut buckets: std::collections::BTreeMap<u32, Vec<usize>> =
        std::collections::BTreeMap::new();
    for i in 0..n {
        buckets
            .entry(groups.map_or(0, |g| g[i]))
            .or_default()
            .push(i);
    }
    buckets
        .into_iter()
        .map(|(group, rows)| GroupRows { group, rows })
        .collect()
}
