//! Score element types and how a value maps onto a scale point.

use crate::error::Error;

/// Where a raw value lands on a scale.
///
/// ```
/// use voc_core::metrics::{Located, Score};
/// assert_eq!(7_i32.locate(1, 7), Located::Point(6));
/// assert_eq!(f64::NAN.locate(1, 7), Located::Missing);
/// assert_eq!(2.5_f64.locate(1, 7), Located::Invalid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Located {
    /// A valid point: index from the bottom of the scale.
    Point(usize),
    /// A missing value (NaN for floats).
    Missing,
    /// Not a point of the scale (out of range, fractional or infinite).
    Invalid,
}

/// A numeric type that survey scores can arrive in (all primitive integers and floats).
///
/// Integers are points directly; floats must be whole and finite, and NaN means "missing".
///
/// ```
/// use voc_core::metrics::Score;
/// assert_eq!(200_u8.to_f64(), 200.0);
/// assert!(matches!((-1_i8).locate(0, 10), voc_core::metrics::Located::Invalid));
/// ```
pub trait Score: Copy + Send + Sync + 'static {
    /// Maps the value onto the scale `min..=max`.
    fn locate(self, min: i32, max: i32) -> Located;
    /// The value as `f64`, for error messages and means.
    fn to_f64(self) -> f64;
    /// Whether every value is a point of the scale `min..=max` (none missing or invalid). Integer
    /// types answer with a min / max fold, which vectorises.
    ///
    /// ```
    /// use voc_core::metrics::Score;
    /// assert!(u8::all_points(&[0, 10, 7], 0, 10));
    /// assert!(!f64::all_points(&[1.0, f64::NAN], 0, 10));
    /// ```
    fn all_points(data: &[Self], min: i32, max: i32) -> bool {
        data.iter()
            .all(|s| matches!(s.locate(min, max), Located::Point(_)))
    }
    /// Fast histogram for byte-sized types; `None` means "use the generic path".
    #[doc(hidden)]
    fn byte_histogram(
        _data: &[Self],
        _min: i32,
        _k: usize,
    ) -> Option<[u64; super::kernel::MAX_BYTE_BINS]> {
        None
    }
}

macro_rules! int_score {
    ($($t:ty),*) => {$(
        impl Score for $t {
            #[inline(always)]
            fn locate(self, min: i32, max: i32) -> Located {
                let v = self as i128;
                if v >= min as i128 && v <= max as i128 {
                    Located::Point((v - min as i128) as usize)
                } else {
                    Located::Invalid
                }
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn all_points(data: &[Self], min: i32, max: i32) -> bool {
                let (lo, hi) = data.iter().fold((<$t>::MAX, <$t>::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                data.is_empty() || (lo as i128 >= min as i128 && hi as i128 <= max as i128)
            }
        }
    )*};
}
int_score!(i16, i32, i64, u16, u32, u64);

macro_rules! byte_score {
    ($($t:ty),*) => {$(
        impl Score for $t {
            #[inline(always)]
            fn locate(self, min: i32, max: i32) -> Located {
                // One unsigned comparison: `v - min` wraps past `max - min` below `min`.
                let p = (self as i64 - min as i64) as u64;
                if min <= max && p <= (max as i64 - min as i64) as u64 {
                    Located::Point(p as usize)
                } else {
                    Located::Invalid
                }
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn all_points(data: &[Self], min: i32, max: i32) -> bool {
                let (lo, hi) = data.iter().fold((<$t>::MAX, <$t>::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                data.is_empty() || (lo as i128 >= min as i128 && hi as i128 <= max as i128)
            }
            fn byte_histogram(data: &[Self], min: i32, k: usize) -> Option<[u64; super::kernel::MAX_BYTE_BINS]> {
                // Wrapping byte arithmetic counts exactly when the whole scale lies within the type's range;
                // otherwise out-of-range values could wrap onto a valid bin, so use the generic path.
                let max = min + k as i32 - 1;
                let fits = min >= <$t>::MIN as i32 && max <= <$t>::MAX as i32;
                if !fits || k > super::kernel::MAX_BYTE_BINS {
                    return None;
                }
                let base = min as $t as u8;
                Some(super::kernel::byte_histogram(data, k, move |x: $t| (x as u8).wrapping_sub(base)))
            }
        }
    )*};
}
byte_score!(i8, u8);

macro_rules! float_score {
    ($($t:ty),*) => {$(
        impl Score for $t {
            #[inline(always)]
            fn locate(self, min: i32, max: i32) -> Located {
                if self.is_nan() {
                    return Located::Missing;
                }
                if self >= min as $t && self <= max as $t && self.fract() == 0.0 {
                    Located::Point((self as i64 - min as i64) as usize)
                } else {
                    Located::Invalid
                }
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
float_score!(f32, f64);

/// The precise error for a value that [`Score::locate`] called invalid.
pub(crate) fn invalid_score(
    arg: &'static str,
    index: usize,
    value: f64,
    scale: &'static str,
    min: i32,
    max: i32,
) -> Error {
    if !value.is_finite() {
        Error::NonFinite { arg, index, value }
    } else if value.fract() != 0.0 && value >= min as f64 && value <= max as f64 {
        Error::NotWhole { arg, index, value }
    } else {
        Error::OutOfRange {
            arg,
            index,
            value,
            scale,
            min,
            max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The range test as two comparisons, in wide arithmetic.
    fn reference(v: i64, min: i32, max: i32) -> Located {
        if v >= i64::from(min) && v <= i64::from(max) {
            Located::Point((v - i64::from(min)) as usize)
        } else {
            Located::Invalid
        }
    }

    proptest! {
        /// Bytes are located by one unsigned comparison: the same points as two comparisons, for
        /// every byte and any bounds (reversed, or as wide as `i32` allows).
        #[test]
        fn bytes_locate_as_two_comparisons(
            min in prop_oneof![-300_i32..300, Just(i32::MIN), Just(i32::MAX), any::<i32>()],
            max in prop_oneof![-300_i32..300, Just(i32::MIN), Just(i32::MAX), any::<i32>()],
        ) {
            for v in i8::MIN..=i8::MAX {
                prop_assert_eq!(v.locate(min, max), reference(i64::from(v), min, max));
            }
            for v in u8::MIN..=u8::MAX {
                prop_assert_eq!(v.locate(min, max), reference(i64::from(v), min, max));
            }
        }
    }
}
