//! Frequency / recency / T / monetary summaries from raw transactions (the input of BG/NBD and
//! Gamma-Gamma), with the rules of lifetimes' `summary_data_from_transaction_data` and
//! `calibration_and_holdout_data` at daily resolution.

use crate::error::{Error, Result, check_len};
use crate::time::TimeUnit;

/// Options of [`rfm_summary`] and [`calibration_holdout`].
///
/// ```
/// use voc_core::retention::SummaryOptions;
/// let o = SummaryOptions::default().time_scale(7.0); // report in weeks
/// assert_eq!(o.observation_end, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SummaryOptions {
    /// Unit of the timestamps.
    pub unit: TimeUnit,
    /// Days per reported time unit (1 = days, 7 = weeks), lifetimes' `freq_multiplier` with `freq="D"`.
    pub time_scale: f64,
    /// End of observation (a timestamp in `unit`); the last transaction when `None`.
    pub observation_end: Option<i64>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            unit: TimeUnit::Days,
            time_scale: 1.0,
            observation_end: None,
        }
    }
}

impl SummaryOptions {
    /// Sets [`observation_end`](SummaryOptions::observation_end) to a timestamp in `unit`.
    ///
    /// ```
    /// assert_eq!(voc_core::retention::SummaryOptions::default().observation_end(30).observation_end, Some(30));
    /// ```
    pub fn observation_end(mut self, end: i64) -> Self {
        self.observation_end = Some(end);
        self
    }
    /// Checks every option: `time_scale` finite and > 0. Called once at the start of [`rfm_summary`]
    /// and [`calibration_holdout`].
    ///
    /// ```
    /// assert!(voc_core::retention::SummaryOptions::default().time_scale(0.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.time_scale > 0.0) || !self.time_scale.is_finite() {
            return Err(Error::option(
                "time_scale",
                self.time_scale,
                "must be finite and > 0",
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

crate::setters!(SummaryOptions {
    unit: TimeUnit,
    time_scale: f64
});

/// Per-customer summary, one row per customer with a transaction up to the end of observation, in
/// ascending customer code.
///
/// ```
/// use voc_core::retention::{rfm_summary, SummaryOptions};
/// let s = rfm_summary(&[1, 1], &[7, 21], None, &SummaryOptions::default().time_scale(7.0))?;
/// assert_eq!((s.customer, s.frequency, s.recency, s.t), (vec![1], vec![1.0], vec![2.0], vec![2.0]));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RfmSummary {
    /// Customer code (as given).
    pub customer: Vec<u32>,
    /// Repeat purchases: distinct purchase days − 1.
    pub frequency: Vec<f64>,
    /// Last minus first purchase day, in `time_scale` units.
    pub recency: Vec<f64>,
    /// End of observation minus first purchase day, in `time_scale` units.
    pub t: Vec<f64>,
    /// Mean spend of the repeat purchase days (same-day spends summed first); 0 without repeats.
    pub monetary: Vec<f64>,
}

/// Calibration summary plus hold-out outcomes, as lifetimes `calibration_and_holdout_data`.
///
/// ```
/// use voc_core::retention::{calibration_holdout, SummaryOptions};
/// let o = SummaryOptions::default().observation_end(30);
/// let ch = calibration_holdout(&[0, 0, 0], &[1, 20, 22], Some(&[5.0, 6.0, 8.0]), 10, &o)?;
/// assert_eq!((ch.frequency_holdout[0], ch.monetary_holdout[0]), (2.0, 7.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CalibrationHoldout {
    /// Calibration-period summary (customers with a purchase in calibration).
    pub calibration: RfmSummary,
    /// Distinct purchase days in the hold-out period.
    pub frequency_holdout: Vec<f64>,
    /// Mean value of the individual hold-out transactions (not merged by day, as lifetimes); 0 if none.
    pub monetary_holdout: Vec<f64>,
    /// Length of the hold-out period in `time_scale` units.
    pub duration_holdout: f64,
}

/// A missing timestamp ([`NAT`](crate::time::NAT)) is an error naming its position: read as a number it
/// would be the year 1677.
pub(crate) fn check_no_nat(timestamps: &[i64]) -> Result<()> {
    match timestamps.iter().position(|&t| t == crate::time::NAT) {
        Some(index) => Err(Error::Missing {
            arg: "timestamps",
            index,
        }),
        None => Ok(()),
    }
}

fn check_inputs(customers: &[u32], timestamps: &[i64], monetary: Option<&[f64]>) -> Result<()> {
    check_len("customers", customers.len(), "timestamps", timestamps.len())?;
    check_no_nat(timestamps)?;
    if let Some(m) = monetary {
        check_len("customers", customers.len(), "monetary", m.len())?;
        if let Some((index, &value)) = m.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                arg: "monetary",
                index,
                value,
            });
        }
    }
    if customers.is_empty() {
        return Err(Error::Empty {
            arg: "customers",
            what: "no transactions",
        });
    }
    Ok(())
}

/// (customer, day) keys with values, sorted.
fn sorted_days(
    customers: &[u32],
    timestamps: &[i64],
    monetary: Option<&[f64]>,
    unit: TimeUnit,
    keep: impl Fn(i64, i64) -> bool,
) -> Vec<(u32, i64, f64)> {
    let mut rows: Vec<(u32, i64, f64)> = customers
        .iter()
        .zip(timestamps)
        .enumerate()
        .filter(|&(_, (_, &ts))| keep(ts, unit.day(ts)))
        .map(|(i, (&c, &ts))| {
            (
                c,
                unit.day(ts),
                monetary.and_then(|m| m.get(i).copied()).unwrap_or(0.0),
            )
        })
        .collect();
    rows.sort_unstable_by_key(|r| (r.0, r.1));
    rows
}

fn summarise(rows: &[(u32, i64, f64)], end_day: i64, scale: f64) -> RfmSummary {
    let mut out = RfmSummary::default();
    let mut i = 0;
    while i < rows.len() {
        let c = rows[i].0;
        let first = rows[i].1;
        let mut last = first;
        let mut days = 0u64;
        let mut repeat_sum = 0.0;
        while i < rows.len() && rows[i].0 == c {
            let day = rows[i].1;
            let mut value = 0.0;
            while i < rows.len() && rows[i].0 == c && rows[i].1 == day {
                value += rows[i].2;
                i += 1;
            }
            if days > 0 {
                repeat_sum += value;
            }
            days += 1;
            last = day;
        }
        let freq = (days - 1) as f64;
        out.customer.push(c);
        out.frequency.push(freq);
        out.recency.push((last - first) as f64 / scale);
        out.t.push((end_day - first) as f64 / scale);
        out.monetary
            .push(if days > 1 { repeat_sum / freq } else { 0.0 });
    }
    out
}

/// Frequency, recency, T and mean repeat spend per customer from a transaction log.
///
/// `customers` are dense codes (see [`crate::group`]), `timestamps` are in `options.unit`, `monetary`
/// optional. Transactions are taken to days; those after the end of observation's day are left out;
/// purchases on the same day count once (their values summed). Sorted once, O(n log n). Matches
/// lifetimes `summary_data_from_transaction_data(freq="D", freq_multiplier=time_scale)`.
///
/// ```
/// use voc_core::retention::{rfm_summary, SummaryOptions};
/// let cust = [0, 0, 0, 1, 0];
/// let day = [10, 10, 17, 12, 24];
/// let spend = [5.0, 5.0, 20.0, 7.0, 40.0];
/// let s = rfm_summary(&cust, &day, Some(&spend), &SummaryOptions::default())?;
/// assert_eq!(s.frequency, vec![2.0, 0.0]);
/// assert_eq!(s.recency, vec![14.0, 0.0]);
/// assert_eq!(s.t, vec![14.0, 12.0]);
/// assert_eq!(s.monetary, vec![30.0, 0.0]);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn rfm_summary(
    customers: &[u32],
    timestamps: &[i64],
    monetary: Option<&[f64]>,
    options: &SummaryOptions,
) -> Result<RfmSummary> {
    options.validate()?;
    check_inputs(customers, timestamps, monetary)?;
    let end = options
        .observation_end
        .or_else(|| timestamps.iter().copied().max())
        .unwrap_or(0);
    let end_day = options.unit.day(end);
    let rows = sorted_days(customers, timestamps, monetary, options.unit, |_, d| {
        d <= end_day
    });
    Ok(summarise(&rows, end_day, options.time_scale))
}

/// Calibration-period summary and hold-out outcomes for model checking.
///
/// Transactions at or before `calibration_end` (compared as timestamps, as lifetimes) make the
/// calibration summary, with T measured to `calibration_end`'s day; transactions after it and at or
/// before `options.observation_end` (required) give each calibration customer's hold-out purchase days
/// and mean transaction value. Customers first seen in the hold-out period are not included.
///
/// ```
/// use voc_core::retention::{calibration_holdout, SummaryOptions};
/// let cust = [0, 0, 1, 0, 2];
/// let day = [1, 5, 3, 12, 15];
/// let o = SummaryOptions::default().observation_end(20);
/// let ch = calibration_holdout(&cust, &day, None, 10, &o)?;
/// assert_eq!(ch.calibration.customer, vec![0, 1]);
/// assert_eq!(ch.frequency_holdout, vec![1.0, 0.0]);
/// assert_eq!(ch.duration_holdout, 10.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn calibration_holdout(
    customers: &[u32],
    timestamps: &[i64],
    monetary: Option<&[f64]>,
    calibration_end: i64,
    options: &SummaryOptions,
) -> Result<CalibrationHoldout> {
    options.validate()?;
    check_inputs(customers, timestamps, monetary)?;
    let Some(obs_end) = options.observation_end else {
        return Err(Error::option(
            "observation_end",
            "None",
            "the end of the hold-out period is required",
        ));
    };
    if obs_end <= calibration_end {
        return Err(Error::option(
            "observation_end",
            obs_end,
            format!("must be after calibration_end = {calibration_end}"),
        ));
    }
    let unit = options.unit;
    let cal_day = unit.day(calibration_end);
    let cal_rows = sorted_days(customers, timestamps, monetary, unit, |ts, d| {
        ts <= calibration_end && d <= cal_day
    });
    if cal_rows.is_empty() {
        return Err(Error::InsufficientData(
            "no transaction at or before calibration_end".into(),
        ));
    }
    let calibration = summarise(&cal_rows, cal_day, options.time_scale);
    let hold_rows = sorted_days(customers, timestamps, monetary, unit, |ts, _| {
        ts > calibration_end && ts <= obs_end
    });
    let mut frequency_holdout = vec![0.0; calibration.customer.len()];
    let mut monetary_holdout = vec![0.0; calibration.customer.len()];
    let mut i = 0;
    while i < hold_rows.len() {
        let c = hold_rows[i].0;
        let (mut days, mut count, mut sum) = (0u64, 0u64, 0.0);
        let mut prev_day = None;
        while i < hold_rows.len() && hold_rows[i].0 == c {
            if prev_day != Some(hold_rows[i].1) {
                days += 1;
                prev_day = Some(hold_rows[i].1);
            }
            count += 1;
            sum += hold_rows[i].2;
            i += 1;
        }
        if let Ok(pos) = calibration.customer.binary_search(&c) {
            frequency_holdout[pos] = days as f64;
            monetary_holdout[pos] = sum / count as f64;
        }
    }
    Ok(CalibrationHoldout {
        duration_holdout: (unit.day(obs_end) - cal_day) as f64 / options.time_scale,
        calibration,
        frequency_holdout,
        monetary_holdout,
    })
}
