//! Cohort retention: acquisition month × months since acquisition, and the repurchase rate.

use crate::error::{Error, Result, check_len};
use crate::time::{Period, TimeUnit};

/// Options of [`cohort_retention`].
///
/// ```
/// use voc_core::retention::CohortOptions;
/// assert_eq!(CohortOptions::default().repurchase_window_days, 365);
/// let o = CohortOptions::default().observation_end(400).repurchase_window_days(90);
/// assert_eq!((o.observation_end, o.repurchase_window_days), (Some(400), 90));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CohortOptions {
    /// Unit of the order timestamps.
    pub unit: TimeUnit,
    /// End of observation (timestamp in `unit`); the last order when `None`. Later orders are ignored.
    pub observation_end: Option<i64>,
    /// Window of the repurchase rate in days after the first order (365: the 12-month rate).
    pub repurchase_window_days: i64,
}

impl Default for CohortOptions {
    fn default() -> Self {
        CohortOptions {
            unit: TimeUnit::Days,
            observation_end: None,
            repurchase_window_days: 365,
        }
    }
}

impl CohortOptions {
    /// Sets [`observation_end`](CohortOptions::observation_end) to a timestamp in `unit`.
    ///
    /// ```
    /// assert_eq!(voc_core::retention::CohortOptions::default().observation_end(9).observation_end, Some(9));
    /// ```
    pub fn observation_end(mut self, end: i64) -> Self {
        self.observation_end = Some(end);
        self
    }
    /// Sets [`repurchase_window_days`](CohortOptions::repurchase_window_days).
    ///
    /// ```
    /// let o = voc_core::retention::CohortOptions::default().repurchase_window_days(30);
    /// assert_eq!(o.repurchase_window_days, 30);
    /// ```
    pub fn repurchase_window_days(mut self, days: i64) -> Self {
        self.repurchase_window_days = days;
        self
    }
    /// Checks every option: `repurchase_window_days` ≥ 1. Called once at the start of
    /// [`cohort_retention`].
    ///
    /// ```
    /// assert!(voc_core::retention::CohortOptions::default().repurchase_window_days(0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.repurchase_window_days < 1 {
            return Err(Error::option(
                "repurchase_window_days",
                self.repurchase_window_days,
                "must be at least 1",
            ));
        }
        if self.observation_end == Some(crate::time::NAT) {
            return Err(Error::option(
                "observation_end",
                "NaT",
                "is missing (NaT): pass a date or leave it out",
            ));
        }
        Ok(())
    }
}

crate::setters!(CohortOptions { unit: TimeUnit });

/// Most calendar months from the first acquisition month to the end of observation that
/// [`cohort_retention`] lays out (100 years): its matrices have up to that many rows and columns, so the
/// limit bounds them at 1,440,000 cells. A longer span (typically timestamps in the wrong unit, such as
/// nanoseconds read as seconds) is an [`Error::TooLarge`] naming `timestamps`.
pub const MAX_COHORT_MONTHS: i64 = 1_200;

/// Cohort retention matrix and repurchase rates. Matrices are row-major, `cohort.len()` rows ×
/// `n_offsets` columns (months since acquisition 0, 1, ...).
///
/// ```
/// use voc_core::retention::{cohort_retention, CohortOptions};
/// let c = cohort_retention(&[0, 0, 1], &[0, 400, 10], &CohortOptions::default())?;
/// // both first orders are >= 365 days before the end; the second order came after 400 days
/// assert_eq!((c.repurchase_eligible.iter().sum::<u64>(), c.repurchased.iter().sum::<u64>()), (2, 0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CohortRetention {
    /// Acquisition month of each cohort as a month index (see [`Period::index`]), ascending; only
    /// months in which some customer placed a first order.
    pub cohort: Vec<i64>,
    /// Cohort labels, "YYYY-MM".
    pub label: Vec<String>,
    /// Customers acquired in each cohort.
    pub size: Vec<u64>,
    /// Columns of the matrices.
    pub n_offsets: usize,
    /// Customers of the cohort with an order in month `cohort + k` (0 where not yet observed).
    pub active: Vec<u64>,
    /// `active / size`; NaN where month `cohort + k` is after the end of observation.
    pub retention: Vec<f64>,
    /// Customers of each cohort acquired at least `window` days before the end of observation (eligible
    /// for the repurchase rate).
    pub repurchase_eligible: Vec<u64>,
    /// Eligible customers with a second order on a later day within the window after the first.
    pub repurchased: Vec<u64>,
    /// `repurchased / repurchase_eligible` per cohort (NaN with none eligible).
    pub repurchase_rate: Vec<f64>,
    /// Repurchase rate over all eligible customers (NaN with none eligible).
    pub overall_repurchase_rate: f64,
    /// Window of the repurchase rate, days.
    pub repurchase_window_days: i64,
}

/// Builds the cohort retention matrix from an order log.
///
/// `customers` are dense codes (see [`crate::group`]) and `timestamps` order times in `options.unit`.
/// A customer's cohort is the calendar month of their first order; cell (c, k) counts the customers of
/// cohort c with at least one order in calendar month c + k. The repurchase rate is the share of
/// customers, first seen at least `repurchase_window_days` before the end, who ordered again on a later
/// day within that many days. One sort of (customer, month) keys: O(n log n).
///
/// ```
/// use voc_core::retention::{cohort_retention, CohortOptions};
/// use voc_core::time::days_from_civil;
/// let d = |m, day| days_from_civil(2026, m, day);
/// let cust = [0, 0, 1, 1, 2];
/// let days = [d(1, 5), d(2, 9), d(1, 20), d(1, 25), d(2, 1)];
/// let c = cohort_retention(&cust, &days, &CohortOptions::default())?;
/// assert_eq!(c.label, vec!["2026-01", "2026-02"]);
/// assert_eq!(c.size, vec![2, 1]);
/// assert_eq!(c.active, vec![2, 1, 1, 0]); // Jan cohort: 2 in Jan, 1 in Feb
/// assert!(c.retention[3].is_nan()); // Feb cohort, month 1 = March: not observed
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn cohort_retention(
    customers: &[u32],
    timestamps: &[i64],
    options: &CohortOptions,
) -> Result<CohortRetention> {
    options.validate()?;
    check_len("customers", customers.len(), "timestamps", timestamps.len())?;
    super::summary::check_no_nat(timestamps)?;
    if customers.is_empty() {
        return Err(Error::Empty {
            arg: "customers",
            what: "no orders",
        });
    }
    let unit = options.unit;
    let end = options
        .observation_end
        .or_else(|| timestamps.iter().copied().max())
        .unwrap_or(0);
    let end_day = unit.day(end);
    let end_month = Period::Month.index(end_day);
    let k = customers
        .iter()
        .copied()
        .max()
        .map_or(0, |m| m as usize + 1);
    if k > customers.len().max(1 << 16) {
        return Err(Error::too_large(
            "customers",
            k - 1,
            customers.len().max(1 << 16),
            "customer ids must be dense codes 0..n (factorize them first)",
        ));
    }
    let mut first = vec![i64::MAX; k];
    for (&c, &ts) in customers.iter().zip(timestamps) {
        if ts <= end {
            let d = unit.day(ts);
            let f = &mut first[c as usize];
            *f = (*f).min(d);
        }
    }
    let mut second = vec![i64::MAX; k];
    for (&c, &ts) in customers.iter().zip(timestamps) {
        if ts <= end {
            let d = unit.day(ts);
            let c = c as usize;
            if d > first[c] && d < second[c] {
                second[c] = d;
            }
        }
    }
    let first_month: Vec<i64> = first
        .iter()
        .map(|&d| {
            if d == i64::MAX {
                i64::MAX
            } else {
                Period::Month.index(d)
            }
        })
        .collect();
    let Some(min_cohort) = first_month.iter().copied().filter(|&m| m != i64::MAX).min() else {
        return Err(Error::InsufficientData(
            "no order at or before observation_end".into(),
        ));
    };
    let span = end_month.saturating_sub(min_cohort).saturating_add(1);
    if span > MAX_COHORT_MONTHS {
        return Err(Error::too_large(
            "timestamps",
            format!("a span of {span} months"),
            format!("{MAX_COHORT_MONTHS} months"),
            "the orders span more months than a cohort matrix holds; check the time unit \
             (nanoseconds read as days or seconds?) and observation_end",
        ));
    }
    let n_offsets = span.max(1) as usize;
    // Distinct (customer, months since acquisition).
    let mut keys: Vec<u64> = customers
        .iter()
        .zip(timestamps)
        .filter(|&(_, &ts)| ts <= end)
        .map(|(&c, &ts)| {
            let off = Period::Month.index(unit.day(ts)) - first_month[c as usize];
            (u64::from(c) << 32) | off as u64
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    // Cohort rows: the distinct first months.
    let mut cohort: Vec<i64> = first_month
        .iter()
        .copied()
        .filter(|&m| m != i64::MAX)
        .collect();
    cohort.sort_unstable();
    cohort.dedup();
    let rows = cohort.len();
    let row_of = |m: i64| cohort.partition_point(|&x| x < m);
    let mut size = vec![0u64; rows];
    let mut eligible = vec![0u64; rows];
    let mut repurchased = vec![0u64; rows];
    let w = options.repurchase_window_days;
    for c in 0..k {
        if first[c] == i64::MAX {
            continue;
        }
        let r = row_of(first_month[c]);
        size[r] += 1;
        if first[c] + w <= end_day {
            eligible[r] += 1;
            if second[c] <= first[c] + w {
                repurchased[r] += 1;
            }
        }
    }
    let mut active = vec![0u64; rows * n_offsets];
    for key in keys {
        let c = (key >> 32) as usize;
        let off = (key & 0xffff_ffff) as usize;
        let r = row_of(first_month[c]);
        if off < n_offsets {
            active[r * n_offsets + off] += 1;
        }
    }
    let mut retention = vec![f64::NAN; rows * n_offsets];
    for r in 0..rows {
        for off in 0..n_offsets {
            if cohort[r] + off as i64 <= end_month {
                retention[r * n_offsets + off] =
                    active[r * n_offsets + off] as f64 / size[r] as f64;
            }
        }
    }
    let ratio = |a: u64, b: u64| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    Ok(CohortRetention {
        label: cohort.iter().map(|&m| Period::Month.label(m)).collect(),
        repurchase_rate: repurchased
            .iter()
            .zip(&eligible)
            .map(|(&a, &b)| ratio(a, b))
            .collect(),
        overall_repurchase_rate: ratio(repurchased.iter().sum(), eligible.iter().sum()),
        cohort,
        size,
        n_offsets,
        active,
        retention,
        repurchase_eligible: eligible,
        repurchased,
        repurchase_window_days: w,
    })
}
