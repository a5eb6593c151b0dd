//! Whole-block tests of event columns: "does this block hold a row that may break the rule?".
//!
//! Rows almost always pass, so each rule is first tested on a block of rows at once, with no branch per
//! row, and the row-by-row rule (which names the bad row) runs only on a block a test flags. Each test
//! is a plain loop compiled for AVX-512F or AVX2 when the CPU has them ([`simd_dispatch`]): 64-bit
//! integer compares vectorise only there. A test may flag a block holding no bad row (the row rule
//! then finds none), never the reverse.

// Range tests are written as `(a >= lo) & (a <= hi)`: no short-circuit, so no branch per row.
#![allow(clippy::manual_range_contains)]

use super::SurveyKind;
use crate::simd::simd_dispatch;
use crate::time::NAT;

use super::MAX_ABS_TIME;

/// Folds a per-item flag into "any", as a byte OR (which vectorises; a `bool` fold does not).
#[inline(always)]
fn any<T>(items: impl Iterator<Item = T>, flag: impl Fn(T) -> bool) -> bool {
    items.fold(0u8, |acc, x| acc | u8::from(flag(x))) != 0
}

#[inline(always)]
fn equal_u32_imp(v: &[u32], x: u32) -> bool {
    any(v.iter(), |&c| c == x)
}

#[inline(always)]
fn nat_imp(v: &[i64]) -> bool {
    any(v.iter(), |&t| t == NAT)
}

#[inline(always)]
fn outside_time_range_imp(v: &[i64]) -> bool {
    any(v.iter(), |&t| {
        (t != NAT) & ((t < -MAX_ABS_TIME) | (t > MAX_ABS_TIME))
    })
}

#[inline(always)]
fn bad_amount_imp(v: &[f64]) -> bool {
    // Fine: a finite amount ≥ 0 (NaN fails the comparison).
    any(v.iter(), |&a| !(a >= 0.0) | (a == f64::INFINITY))
}

#[inline(always)]
fn infinite_imp(v: &[f64]) -> bool {
    any(v.iter(), |&a| a.abs() == f64::INFINITY)
}

#[inline(always)]
fn off_csat_imp(v: &[f64]) -> bool {
    // Fine: NaN (no answer) or 1..=5.
    any(v.iter(), |&a| !a.is_nan() & !((a >= 1.0) & (a <= 5.0)))
}

#[inline(always)]
fn return_out_of_order_imp(requested: &[i64], received: &[i64], refunded: &[i64]) -> bool {
    let rows = requested.iter().zip(received).zip(refunded);
    any(rows, |((&req, &rec), &paid)| {
        let paid_after = if rec != NAT { rec } else { req };
        (req != NAT) & (((rec != NAT) & (rec < req)) | ((paid != NAT) & (paid < paid_after)))
    })
}

#[inline(always)]
fn resolved_early_imp(opened: &[i64], resolved: &[i64]) -> bool {
    any(opened.iter().zip(resolved), |(&open, &done)| {
        (open != NAT) & (done != NAT) & (done < open)
    })
}

#[inline(always)]
fn off_scale_imp(scores: &[f64], kinds: &[SurveyKind]) -> bool {
    // Fine: a whole point on the kind's scale (NaN fails every comparison).
    any(scores.iter().zip(kinds), |(&v, &k)| {
        let (nps, csat) = (k == SurveyKind::Nps, k == SurveyKind::Csat);
        let min = if nps { 0.0 } else { 1.0 };
        let max = if nps {
            10.0
        } else if csat {
            5.0
        } else {
            7.0
        };
        !((v >= min) & (v <= max) & (v.floor() == v))
    })
}

#[inline(always)]
fn descent_imp(time: &[i64], codes: &[u32]) -> bool {
    let n = time.len().min(codes.len());
    if n < 2 {
        return false;
    }
    let pairs = time[..n - 1].iter().zip(&time[1..n]);
    let same = codes[..n - 1].iter().zip(&codes[1..n]);
    any(pairs.zip(same), |((a, b), (x, y))| (a > b) & (x == y))
}

#[inline(always)]
fn latest_imp(v: &[i64]) -> i64 {
    // NAT is the smallest i64, so a plain maximum skips it.
    v.iter().fold(NAT, |m, &t| m.max(t))
}

simd_dispatch! {
    /// Whether `v` holds `x`.
    pub(crate) fn equal_u32(v: &[u32], x: u32) -> bool => equal_u32_imp
}
simd_dispatch! {
    /// Whether `v` holds a missing time ([`NAT`]).
    pub(crate) fn nat(v: &[i64]) -> bool => nat_imp
}
simd_dispatch! {
    /// Whether `v` holds a set time farther than [`MAX_ABS_TIME`] from 1970.
    pub(crate) fn outside_time_range(v: &[i64]) -> bool => outside_time_range_imp
}
simd_dispatch! {
    /// Whether `v` holds an amount that is missing, infinite or negative.
    pub(crate) fn bad_amount(v: &[f64]) -> bool => bad_amount_imp
}
simd_dispatch! {
    /// Whether `v` holds an infinity.
    pub(crate) fn infinite(v: &[f64]) -> bool => infinite_imp
}
simd_dispatch! {
    /// Whether `v` holds a CSAT answer off the 1–5 scale (NaN, no answer, passes).
    pub(crate) fn off_csat(v: &[f64]) -> bool => off_csat_imp
}
simd_dispatch! {
    /// Whether a return was received before it was requested, or refunded before it was received (or
    /// requested).
    pub(crate) fn return_out_of_order(requested: &[i64], received: &[i64], refunded: &[i64]) -> bool
        => return_out_of_order_imp
}
simd_dispatch! {
    /// Whether a ticket was resolved before it was opened.
    pub(crate) fn resolved_early(opened: &[i64], resolved: &[i64]) -> bool => resolved_early_imp
}
simd_dispatch! {
    /// Whether a survey score is not a whole point on its kind's scale (or is missing).
    pub(crate) fn off_scale(scores: &[f64], kinds: &[SurveyKind]) -> bool => off_scale_imp
}
simd_dispatch! {
    /// Whether some row is earlier than the row before it with the same code.
    pub(crate) fn descent(time: &[i64], codes: &[u32]) -> bool => descent_imp
}
simd_dispatch! {
    /// The latest time of `v`, [`NAT`] when `v` has no set time.
    pub(crate) fn latest(v: &[i64]) -> i64 => latest_imp
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Times near the rule edges: unset, the range limits and beyond, ordinary values.
    fn time() -> impl Strategy<Value = i64> {
        prop_oneof![
            Just(NAT),
            Just(MAX_ABS_TIME),
            Just(MAX_ABS_TIME + 1),
            Just(-MAX_ABS_TIME),
            Just(-MAX_ABS_TIME - 1),
            Just(i64::MAX),
            -20i64..20,
        ]
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(-0.0),
            Just(-1.0),
            Just(0.5),
            Just(10.5),
            Just(11.0),
            (0u8..12).prop_map(f64::from),
        ]
    }

    fn kind() -> impl Strategy<Value = SurveyKind> {
        prop_oneof![
            Just(SurveyKind::Nps),
            Just(SurveyKind::Csat),
            Just(SurveyKind::Ces)
        ]
    }

    proptest! {
        /// Each dispatched test equals its rule written row by row with branches (the row rules of
        /// the builder), on the build the CPU picks.
        #[test]
        fn block_tests_equal_the_row_rules(
            rows in proptest::collection::vec((time(), time(), time(), value(), kind(), 0u32..4), 0..80),
        ) {
            let a: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let b: Vec<i64> = rows.iter().map(|r| r.1).collect();
            let c: Vec<i64> = rows.iter().map(|r| r.2).collect();
            let v: Vec<f64> = rows.iter().map(|r| r.3).collect();
            let k: Vec<SurveyKind> = rows.iter().map(|r| r.4).collect();
            let codes: Vec<u32> = rows.iter().map(|r| r.5).collect();
            let set = |t: i64| t != NAT;
            let in_range = |t: i64| t.checked_abs().is_some_and(|x| x <= MAX_ABS_TIME);
            prop_assert_eq!(equal_u32(&codes, 3), codes.contains(&3));
            prop_assert_eq!(nat(&a), a.contains(&NAT));
            prop_assert_eq!(outside_time_range(&a), a.iter().any(|&t| set(t) && !in_range(t)));
            prop_assert_eq!(
                bad_amount(&v),
                v.iter().any(|&x| x.is_nan() || !x.is_finite() || x < 0.0)
            );
            prop_assert_eq!(infinite(&v), v.iter().any(|x| x.is_infinite()));
            prop_assert_eq!(
                off_csat(&v),
                v.iter().any(|&x| !x.is_nan() && !(1.0..=5.0).contains(&x))
            );
            let returns = (0..a.len()).any(|i| {
                let (req, rec, paid) = (a[i], b[i], c[i]);
                set(req)
                    && ((set(rec) && rec < req)
                        || (set(paid) && paid < if set(rec) { rec } else { req }))
            });
            prop_assert_eq!(return_out_of_order(&a, &b, &c), returns);
            let early = (0..a.len()).any(|i| set(a[i]) && set(b[i]) && b[i] < a[i]);
            prop_assert_eq!(resolved_early(&a, &b), early);
            let off = v.iter().zip(&k).any(|(&x, &k)| {
                let (_, min, max) = k.scale();
                x.is_nan() || !(f64::from(min)..=f64::from(max)).contains(&x) || x.fract() != 0.0
            });
            prop_assert_eq!(off_scale(&v, &k), off);
            let down = (1..a.len()).any(|i| a[i - 1] > a[i] && codes[i - 1] == codes[i]);
            prop_assert_eq!(descent(&a, &codes), down);
            prop_assert_eq!(latest(&a), a.iter().copied().max().unwrap_or(NAT));
        }
    }
}
