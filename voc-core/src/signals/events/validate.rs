//! Row rules shared by every table: the verdict on each row (error or skip) and the checks of
//! customer ids, required times, amounts and optional values.

use super::{RowPolicy, Skipped, flags};
use crate::error::{Error, Result};
use crate::signals::ids::{Ids, NO_ROW};
use crate::time::NAT;

use super::MAX_ABS_TIME;

/// Collects the verdict on each row of one table.
pub(crate) struct Checker {
    table: &'static str,
    policy: RowPolicy,
    pub(crate) skipped: Vec<Skipped>,
    rows: usize,
    /// Whether each row is kept; empty while every row is (the common case needs no pass over it).
    pub(crate) keep: Vec<bool>,
}

impl Checker {
    pub(crate) fn new(table: &'static str, policy: RowPolicy, rows: usize) -> Self {
        Checker {
            table,
            policy,
            skipped: Vec::new(),
            rows,
            keep: Vec::new(),
        }
    }

    /// Records a broken rule at `row`: an error under [`RowPolicy::Error`], a skipped row otherwise.
    pub(crate) fn fail(&mut self, row: usize, err: impl FnOnce() -> Error) -> Result<()> {
        if self.policy == RowPolicy::Error {
            return Err(err());
        }
        if self.keep.is_empty() {
            self.keep = vec![true; self.rows];
        }
        if !std::mem::replace(&mut self.keep[row], false) {
            return Ok(());
        }
        let reason = reason_of(&err());
        match self.skipped.iter_mut().find(|s| s.reason == reason) {
            Some(s) => s.rows += 1,
            None => self.skipped.push(Skipped {
                table: self.table,
                reason,
                rows: 1,
                first: row,
            }),
        }
        Ok(())
    }

    #[inline]
    pub(crate) fn ok(&self, row: usize) -> bool {
        self.keep.get(row).copied().unwrap_or(true)
    }
}

/// The rule an error reports, without the row-specific parts.
fn reason_of(e: &Error) -> String {
    match e {
        Error::UnknownId { arg, what, .. } => format!("{arg} is not {what}"),
        Error::Missing { arg, .. } => format!("{arg} is missing"),
        Error::NonFinite { arg, .. } => format!("{arg} is not finite"),
        Error::InvalidValue { arg, reason, .. } => format!("{arg}: {reason}"),
        Error::OutOfRange { arg, scale, .. } => format!("{arg} outside the {scale} scale"),
        Error::NotWhole { arg, .. } => format!("{arg} is not a whole number"),
        other => other.to_string(),
    }
}

pub(crate) fn time_error(
    arg: &'static str,
    index: usize,
    value: i64,
    reason: &'static str,
) -> Error {
    Error::InvalidValue {
        arg,
        index,
        value: value as f64,
        reason,
    }
}

/// Rows tested at once by [`by_blocks`].
const BLOCK: usize = 1024;

/// Runs the row rule `row` on every row of `0..n` that may break it, in row order. Rows are almost
/// always fine, so each block of rows is first tested as a whole by `block_bad` (a test of
/// [`flags`](super::flags), without a branch per row); `row` runs only on the rows of a block it flags.
/// `block_bad` must flag every block holding a row that `row` would fail, and `row` must do nothing on
/// a fine row.
pub(crate) fn by_blocks(
    n: usize,
    block_bad: impl Fn(std::ops::Range<usize>) -> bool,
    mut row: impl FnMut(usize) -> Result<()>,
) -> Result<()> {
    for b in (0..n).step_by(BLOCK) {
        let block = b..(b + BLOCK).min(n);
        if block_bad(block.clone()) {
            for i in block {
                row(i)?;
            }
        }
    }
    Ok(())
}

/// [`by_blocks`] over one column: `row(i, v)` runs on each `bad` value `v = values[i]`, looked for only
/// in blocks that `block_bad` flags.
pub(crate) fn each_bad<T: Copy>(
    values: &[T],
    block_bad: impl Fn(&[T]) -> bool,
    bad: impl Fn(T) -> bool,
    mut row: impl FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    by_blocks(
        values.len(),
        |r| block_bad(&values[r]),
        |i| {
            let v = values[i];
            if bad(v) { row(i, v) } else { Ok(()) }
        },
    )
}

/// Checks customer codes: an unknown id breaks the rule "is a customer id".
pub(crate) fn check_customers(
    ck: &mut Checker,
    arg: &'static str,
    ids: Ids<'_>,
    codes: &[u32],
) -> Result<()> {
    each_bad(
        codes,
        |b| flags::equal_u32(b, NO_ROW),
        |c| c == NO_ROW,
        |i, _| {
            ck.fail(i, || Error::UnknownId {
                arg,
                index: i,
                id: ids.describe(i),
                what: "a customer id in customers.id",
            })
        },
    )
}

pub(crate) fn check_required_times(
    ck: &mut Checker,
    arg: &'static str,
    time: &[i64],
) -> Result<()> {
    each_bad(
        time,
        flags::nat,
        |t| t == NAT,
        |i, _| ck.fail(i, || Error::Missing { arg, index: i }),
    )?;
    check_time_range(ck, arg, time)
}

/// Times that are set must lie within [`MAX_ABS_TIME`] of 1970 ([`NAT`] passes: "not yet").
pub(crate) fn check_time_range(ck: &mut Checker, arg: &'static str, time: &[i64]) -> Result<()> {
    each_bad(
        time,
        flags::outside_time_range,
        |t| t != NAT && !in_time_range(t),
        |i, t| ck.fail(i, || time_error(arg, i, t, TIME_RANGE)),
    )
}

/// Whether a set time lies within [`MAX_ABS_TIME`] of 1970.
pub(crate) fn in_time_range(t: i64) -> bool {
    t.checked_abs().is_some_and(|a| a <= MAX_ABS_TIME)
}

pub(crate) const TIME_RANGE: &str = "times must lie within ±2^53 seconds of 1970 (MAX_ABS_TIME)";

pub(crate) fn check_amounts(ck: &mut Checker, arg: &'static str, amount: &[f64]) -> Result<()> {
    each_bad(
        amount,
        flags::bad_amount,
        |a| !(a.is_finite() && a >= 0.0),
        |i, a| {
            if a.is_nan() {
                ck.fail(i, || Error::Missing { arg, index: i })
            } else if !a.is_finite() {
                ck.fail(i, || Error::NonFinite {
                    arg,
                    index: i,
                    value: a,
                })
            } else {
                ck.fail(i, || Error::InvalidValue {
                    arg,
                    index: i,
                    value: a,
                    reason: "amounts must not be negative",
                })
            }
        },
    )
}

/// Optional values: NaN means "none"; infinities are errors.
pub(crate) fn check_optional(
    ck: &mut Checker,
    arg: &'static str,
    values: Option<&[f64]>,
) -> Result<()> {
    each_bad(
        values.unwrap_or(&[]),
        flags::infinite,
        f64::is_infinite,
        |i, v| {
            ck.fail(i, || Error::NonFinite {
                arg,
                index: i,
                value: v,
            })
        },
    )
}

pub(crate) fn len_check(arg: &'static str, n: usize, cols: &[(&'static str, usize)]) -> Result<()> {
    for &(other, len) in cols {
        crate::error::check_len(arg, n, other, len)?;
    }
    Ok(())
}
