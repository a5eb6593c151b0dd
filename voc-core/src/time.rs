//! Timestamps and calendar periods (UTC, proleptic Gregorian).

/// A time that is missing or has not happened (a survey answer without a date, a return not yet
/// received): `i64::MIN`, which is also numpy's and Arrow's NaT, so time columns pass from numpy
/// without a copy. Functions that take times say whether `NAT` is an error, skipped or "not yet".
///
/// ```
/// use voc_core::metrics::{trend, Batch, Nps, NpsOptions, Scale};
/// use voc_core::time::{NAT, Period, TimeUnit};
/// let r = trend::<Nps, _>(Scale::new(0, 10)?, Batch::new(&[9_u8, 3]), &[0, NAT], TimeUnit::Days, Period::Day, &NpsOptions::default());
/// assert!(r.is_err()); // missing times are an error unless MissingPolicy::Skip
/// # Ok::<(), voc_core::Error>(())
/// ```
pub const NAT: i64 = i64::MIN;

/// Unit of an integer timestamp counted from 1970-01-01T00:00:00Z.
///
/// ```
/// use voc_core::time::TimeUnit;
/// assert_eq!(TimeUnit::Nanos.day(86_400_000_000_000), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TimeUnit {
    /// Seconds (the default).
    #[default]
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds (numpy `datetime64[ns]`, pandas).
    Nanos,
    /// Whole days.
    Days,
}

impl TimeUnit {
    /// Units per day.
    ///
    /// ```
    /// assert_eq!(voc_core::time::TimeUnit::Millis.per_day(), 86_400_000);
    /// ```
    pub fn per_day(self) -> i64 {
        match self {
            TimeUnit::Seconds => 86_400,
            TimeUnit::Millis => 86_400_000,
            TimeUnit::Micros => 86_400_000_000,
            TimeUnit::Nanos => 86_400_000_000_000,
            TimeUnit::Days => 1,
        }
    }

    /// Seconds since 1970-01-01 (floor) of a timestamp; `i64::MIN` (NaT) stays `i64::MIN`, and day counts
    /// too large for seconds saturate.
    ///
    /// ```
    /// use voc_core::time::TimeUnit;
    /// assert_eq!(TimeUnit::Millis.seconds(-1), -1);
    /// assert_eq!(TimeUnit::Days.seconds(2), 172_800);
    /// assert_eq!(TimeUnit::Nanos.seconds(i64::MIN), i64::MIN);
    /// ```
    pub fn seconds(self, t: i64) -> i64 {
        if t == i64::MIN {
            return t;
        }
        match self {
            TimeUnit::Seconds => t,
            TimeUnit::Millis => t.div_euclid(1_000),
            TimeUnit::Micros => t.div_euclid(1_000_000),
            TimeUnit::Nanos => t.div_euclid(1_000_000_000),
            // i64::MIN + 1 keeps a huge negative day from turning into NaT.
            TimeUnit::Days => t.saturating_mul(86_400).max(i64::MIN + 1),
        }
    }

    /// [`seconds`](Self::seconds) of every timestamp of a column (NaT stays NaT); long columns are
    /// converted in parallel with the `parallel` feature.
    ///
    /// ```
    /// use voc_core::time::{NAT, TimeUnit};
    /// assert_eq!(TimeUnit::Micros.to_seconds(&[1_500_000, -1, NAT]), vec![1, -1, NAT]);
    /// assert_eq!(TimeUnit::Days.to_seconds(&[1]), vec![86_400]);
    /// ```
    pub fn to_seconds(self, values: &[i64]) -> Vec<i64> {
        let mut out = vec![0; values.len()];
        #[cfg(feature = "parallel")]
        if values.len() >= 1 << 16 {
            use rayon::prelude::*;
            out.par_chunks_mut(1 << 15)
                .zip(values.par_chunks(1 << 15))
                .for_each(|(dst, src)| self.seconds_into(src, dst));
            return out;
        }
        self.seconds_into(values, &mut out);
        out
    }

    /// Writes the seconds of `src` into `dst` (same length), one loop per unit so the division is by a
    /// constant.
    fn seconds_into(self, src: &[i64], dst: &mut [i64]) {
        let floor_div = |k: i64, dst: &mut [i64]| {
            for (dst, src) in dst.chunks_mut(FLOOR_BLOCK).zip(src.chunks(FLOOR_BLOCK)) {
                // The vector form is exact for |⌊t / 2^s⌋| < 2^53, k = 2^s·m with m odd: times
                // within ±146 years of 1970 in nanoseconds, ±18,000 years in microseconds. A block
                // holding a larger one is redone with the integer division.
                let s = k.trailing_zeros();
                if !floor_div_small(src, dst, s, (k >> s) as f64) {
                    for (d, &t) in dst.iter_mut().zip(src) {
                        *d = if t == NAT { NAT } else { t.div_euclid(k) };
                    }
                }
            }
        };
        match self {
            TimeUnit::Seconds => {
                for (d, &t) in dst.iter_mut().zip(src) {
                    *d = t;
                }
            }
            TimeUnit::Millis => floor_div(1_000, dst),
            TimeUnit::Micros => floor_div(1_000_000, dst),
            TimeUnit::Nanos => floor_div(1_000_000_000, dst),
            TimeUnit::Days => {
                for (d, &t) in dst.iter_mut().zip(src) {
                    *d = self.seconds(t);
                }
            }
        }
    }

    /// Day number (days since 1970-01-01, floor) of a timestamp.
    ///
    /// ```
    /// use voc_core::time::TimeUnit;
    /// assert_eq!(TimeUnit::Seconds.day(-1), -1);
    /// assert_eq!(TimeUnit::Seconds.day(86_400), 1);
    /// ```
    pub fn day(self, t: i64) -> i64 {
        t.div_euclid(self.per_day())
    }
}

/// Timestamps converted at once by [`floor_div_small`].
const FLOOR_BLOCK: usize = 1024;

/// 2^52 + 2^51: adding it to a whole `f64` below 2^51 in magnitude puts the integer in the low mantissa
/// bits (and back), so `i64` and `f64` convert by one integer add and one float add, which vectorise.
const MAGIC: f64 = 6_755_399_441_055_744.0;

/// A whole number below 2^51 in magnitude as `f64`, exactly.
#[inline(always)]
fn small_to_f64(x: i64) -> f64 {
    f64::from_bits((x as u64).wrapping_add(MAGIC.to_bits())) - MAGIC
}

#[inline(always)]
fn floor_div_small_imp(src: &[i64], dst: &mut [i64], shift: u32, m: f64) -> bool {
    const LIMIT: i64 = 1 << 53;
    let magic = MAGIC.to_bits();
    let mut large = 0u8;
    for (d, &t) in dst.iter_mut().zip(src) {
        // ⌊t / (2^shift · m)⌋ = ⌊⌊t / 2^shift⌋ / m⌋, and the first floor is an arithmetic shift.
        let q = t >> shift;
        large |= u8::from(((q <= -LIMIT) | (q >= LIMIT)) & (t != NAT));
        // |q| < 2^53 as f64, exactly: its high and low 32 bits each convert exactly, and so does
        // their sum.
        let x = small_to_f64(q >> 32) * 4_294_967_296.0 + small_to_f64(q & 0xFFFF_FFFF);
        // |x / m| < 2^53 / m, so its rounding error is below 1 / m (m odd, so 2^53 / m is not a power
        // of two), while a quotient that is not whole lies at least 1 / m from the next whole number:
        // the floor is exact. It is below 2^51, so it converts back the same way.
        let q = ((x / m).floor() + MAGIC).to_bits().wrapping_sub(magic) as i64;
        *d = if t == NAT { NAT } else { q };
    }
    large == 0
}

crate::simd::simd_dispatch! {
    /// `t.div_euclid(2^shift · m)` of each timestamp (NaT stays NaT) for odd `m`, when every set one
    /// is below 2^(53 + shift) in magnitude, computed in `f64` so it vectorises; `false` (and `dst`
    /// unspecified) otherwise.
    fn floor_div_small(src: &[i64], dst: &mut [i64], shift: u32, m: f64) -> bool => floor_div_small_imp
}

/// A calendar period for trends. Spelled "day", "week", "month", "quarter" or "year" (pandas-style
/// "D", "W", "M", "MS", "ME", "Q", "QS", "QE", "Y", "YS", "YE" parse too).
///
/// ```
/// use voc_core::time::{days_from_civil, Period};
/// let day = days_from_civil(2026, 5, 17);
/// assert_eq!(Period::Quarter.label(Period::Quarter.index(day)), "2026-Q2");
/// assert_eq!("MS".parse::<Period>()?, Period::Month);
/// assert_eq!(Period::Week.to_string(), "week");
/// assert!("fortnight".parse::<Period>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Period {
    /// Calendar day.
    Day,
    /// ISO 8601 week (Monday to Sunday).
    Week,
    /// Calendar month.
    Month,
    /// Calendar quarter.
    Quarter,
    /// Calendar year.
    Year,
}

crate::named_enum!(Period, "period", {
    Day => "day" | "D",
    Week => "week" | "W",
    Month => "month" | "M" | "MS" | "ME",
    Quarter => "quarter" | "Q" | "QS" | "QE",
    Year => "year" | "Y" | "YS" | "YE",
});

impl Period {
    /// Index of the period containing day number `day` (consecutive periods have consecutive indices).
    ///
    /// ```
    /// use voc_core::time::Period;
    /// // 2024-02-29 is day 19782.
    /// assert_eq!(Period::Month.index(19_782), 2024 * 12 + 1);
    /// ```
    pub fn index(self, day: i64) -> i64 {
        match self {
            Period::Day => day,
            // 1970-01-05 was a Monday: week 0 starts there.
            Period::Week => (day - 4).div_euclid(7),
            Period::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + (m - 1)
            }
            Period::Quarter => {
                let (y, m, _) = civil_from_days(day);
                y * 4 + (m - 1) / 3
            }
            Period::Year => civil_from_days(day).0,
        }
    }

    /// First day (day number) of period `index`.
    ///
    /// ```
    /// use voc_core::time::{Period, date_string};
    /// assert_eq!(date_string(Period::Quarter.start_day(2026 * 4 + 2)), "2026-07-01");
    /// ```
    pub fn start_day(self, index: i64) -> i64 {
        match self {
            Period::Day => index,
            Period::Week => index * 7 + 4,
            Period::Month => days_from_civil(index.div_euclid(12), index.rem_euclid(12) + 1, 1),
            Period::Quarter => days_from_civil(index.div_euclid(4), index.rem_euclid(4) * 3 + 1, 1),
            Period::Year => days_from_civil(index, 1, 1),
        }
    }

    /// Human label: "2026-03-04", "2026-W09" (ISO week-year), "2026-03", "2026-Q1", "2026".
    ///
    /// ```
    /// use voc_core::time::Period;
    /// // 2021-01-03 (day 18630) belongs to ISO week 53 of 2020.
    /// assert_eq!(Period::Week.label(Period::Week.index(18_630)), "2020-W53");
    /// ```
    pub fn label(self, index: i64) -> String {
        match self {
            Period::Day => date_string(index),
            Period::Week => {
                let thursday = self.start_day(index) + 3;
                let (y, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
                format!("{y:04}-W{week:02}")
            }
            Period::Month => format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            ),
            Period::Quarter => format!("{:04}-Q{}", index.div_euclid(4), index.rem_euclid(4) + 1),
            Period::Year => format!("{index:04}"),
        }
    }
}

/// (year, month 1–12, day 1–31) of a day number (H. Hinnant's civil-from-days algorithm).
///
/// ```
/// assert_eq!(voc_core::time::civil_from_days(0), (1970, 1, 1));
/// assert_eq!(voc_core::time::civil_from_days(-1), (1969, 12, 31));
/// ```
pub fn civil_from_days(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Day number of a civil date (inverse of [`civil_from_days`]).
///
/// ```
/// assert_eq!(voc_core::time::days_from_civil(2000, 3, 1), 11_017);
/// ```
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// ISO date "YYYY-MM-DD" of a day number.
///
/// ```
/// assert_eq!(voc_core::time::date_string(0), "1970-01-01");
/// ```
pub fn date_string(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Timestamps near the edges of the vector conversion: whole multiples of the unit and their
    /// neighbours, the ±2^51 limit, NaT and the extremes.
    fn stamp() -> impl Strategy<Value = i64> {
        let near = |c: i64| (-3i64..=3).prop_map(move |d| c.saturating_add(d));
        prop_oneof![
            Just(NAT),
            Just(i64::MAX),
            near(1 << 56),
            near(-(1 << 56)),
            near(1 << 59),
            near(-(1 << 59)),
            near(1 << 62),
            near(-(1 << 62)),
            // Nanosecond times of real dates.
            1_500_000_000_000_000_000i64..2_000_000_000_000_000_000,
            (-2_000_000i64..2_000_000, 0u8..4).prop_map(|(q, u)| q * [
                1_000,
                1_000_000,
                1_000_000_000,
                1
            ][u as usize]),
            (-2_000_000_000i64..2_000_000_000).prop_map(|q| q * 1_000_000 - 1),
            any::<i64>(),
            (-(1i64 << 51)..(1 << 51)),
        ]
    }

    /// Raw timestamps, brought below each divisor's limit by the test (NaT kept).
    fn small_stamp() -> impl Strategy<Value = i64> {
        prop_oneof![
            Just(NAT),
            Just(i64::MAX),
            Just(-i64::MAX),
            (-3i64..=3),
            (-2_000_000_000i64..2_000_000_000).prop_map(|q| q * 1_000_000 - 1),
            (-2_000_000_000i64..2_000_000_000).prop_map(|q| q * 1_000),
            1_500_000_000_000_000_000i64..2_000_000_000_000_000_000,
            // Whole seconds of real dates in nanoseconds, and their neighbours.
            (1_500_000_000i64..2_000_000_000, -1i64..=1).prop_map(|(q, d)| q * 1_000_000_000 + d),
            any::<i64>(),
        ]
    }

    proptest! {
        /// The conversion equals the exact floor division, NaT to NaT, for every unit (blocks holding
        /// a timestamp beyond ±2^51 take the exact path).
        #[test]
        fn seconds_of_a_column_equal_the_exact_floor_division(
            values in proptest::collection::vec(stamp(), 0..1200),
        ) {
            for unit in [TimeUnit::Millis, TimeUnit::Micros, TimeUnit::Nanos, TimeUnit::Seconds, TimeUnit::Days] {
                let want: Vec<i64> = values.iter().map(|&t| unit.seconds(t)).collect();
                prop_assert_eq!(unit.to_seconds(&values), want);
            }
        }

        /// Within its domain the vector form itself is exact for each divisor.
        #[test]
        fn vector_floor_division_is_exact_in_its_domain(
            values in proptest::collection::vec(small_stamp(), 0..300),
        ) {
            for k in [1_000i64, 1_000_000, 1_000_000_000] {
                // The domain: |⌊t / 2^s⌋| < 2^53 for k = 2^s·m, so |t| < 2^(53 + s) − 2^s; the
                // remainder keeps each value's low digits, and the domain's ends are added.
                let shift = k.trailing_zeros();
                let limit = (1i64 << (53 + shift)) - (1 << shift);
                let mut values: Vec<i64> =
                    values.iter().map(|&t| if t == NAT { NAT } else { t % limit }).collect();
                values.extend([limit - 1, 1 - limit]);
                let mut got = vec![0; values.len()];
                prop_assert!(super::floor_div_small(&values, &mut got, shift, (k >> shift) as f64));
                let want: Vec<i64> =
                    values.iter().map(|&t| if t == NAT { NAT } else { t.div_euclid(k) }).collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    use super::*;

    proptest::proptest! {
        /// The column conversion (parallel for long columns) equals the one-value conversion.
        #[test]
        fn to_seconds_equals_seconds_of_each(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::i64::ANY,
                    -3_000_000_000_000i64..3_000_000_000_000,
                    proptest::strategy::Just(NAT),
                ],
                0..300,
            ),
            repeat in 1usize..400,
        ) {
            // Repeated past the parallel threshold for some cases.
            let long: Vec<i64> = values.iter().copied().cycle().take(values.len() * repeat).collect();
            for unit in [TimeUnit::Seconds, TimeUnit::Millis, TimeUnit::Micros, TimeUnit::Nanos, TimeUnit::Days] {
                let want: Vec<i64> = long.iter().map(|&t| unit.seconds(t)).collect();
                proptest::prop_assert_eq!(unit.to_seconds(&long), want);
            }
        }
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for day in -146_097..146_097 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }

    #[test]
    fn periods_are_consecutive_and_start_where_they_should() {
        for p in [
            Period::Day,
            Period::Week,
            Period::Month,
            Period::Quarter,
            Period::Year,
        ] {
            for day in 17_000..21_000 {
                let i = p.index(day);
                assert!(
                    p.start_day(i) <= day && day < p.start_day(i + 1),
                    "{p:?} {day}"
                );
            }
        }
    }

    #[test]
    fn supported_date_range_constants() {
        assert_eq!(days_from_civil(-9999, 1, 1), -4_371_587);
        assert_eq!(days_from_civil(9999, 12, 31), 2_932_896);
    }

    #[test]
    fn iso_week_labels() {
        // 2026-01-01 is a Thursday: ISO week 1 of 2026; 2027-01-01 is a Friday: week 53 of 2026.
        assert_eq!(
            Period::Week.label(Period::Week.index(days_from_civil(2026, 1, 1))),
            "2026-W01"
        );
        assert_eq!(
            Period::Week.label(Period::Week.index(days_from_civil(2027, 1, 1))),
            "2026-W53"
        );
        assert_eq!(
            Period::Week.label(Period::Week.index(days_from_civil(2024, 12, 30))),
            "2025-W01"
        );
        assert_eq!(
            Period::Month.label(Period::Month.index(days_from_civil(1969, 12, 31))),
            "1969-12"
        );
    }
}
