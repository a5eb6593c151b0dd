//! Input checks shared by every module, so that the same bad value gets the same error everywhere.

use crate::error::{Error, Result};

/// Checks that `v` (at `index` of `arg`) is a 0/1 label and says whether it is 1. NaN is
/// [`Error::Missing`], ±inf [`Error::NonFinite`], anything else but 0 and 1 [`Error::InvalidValue`].
pub(crate) fn label(arg: &'static str, index: usize, v: f64) -> Result<bool> {
    if v == 1.0 {
        Ok(true)
    } else if v == 0.0 {
        Ok(false)
    } else if v.is_nan() {
        Err(Error::Missing { arg, index })
    } else if !v.is_finite() {
        Err(Error::NonFinite {
            arg,
            index,
            value: v,
        })
    } else {
        Err(Error::InvalidValue {
            arg,
            index,
            value: v,
            reason: "labels must be 0 or 1",
        })
    }
}

/// Checks that `value`, element `index` of `arg`, is finite ([`Error::NonFinite`]) and not negative
/// ([`Error::InvalidValue`] with `reason`).
pub(crate) fn non_negative(
    arg: &'static str,
    index: usize,
    value: f64,
    reason: &'static str,
) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::NonFinite { arg, index, value });
    }
    if value < 0.0 {
        return Err(Error::InvalidValue {
            arg,
            index,
            value,
            reason,
        });
    }
    Ok(())
}

/// Checks a column of 0/1 labels and counts the ones.
pub(crate) fn labels(arg: &'static str, y: &[f64]) -> Result<usize> {
    let mut ones = 0;
    for (i, &v) in y.iter().enumerate() {
        ones += usize::from(label(arg, i, v)?);
    }
    Ok(ones)
}

/// Whether every value is finite: `v · 0` is 0 for a finite value and NaN otherwise, summed in four
/// lanes (vectorised, no branch per value).
pub(crate) fn all_finite(x: &[f64]) -> bool {
    let (chunks, rest) = x.as_chunks::<4>();
    let mut acc = [0.0f64; 4];
    for c in chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v * 0.0;
        }
    }
    acc.iter().chain(rest).all(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_bad_row() {
        assert_eq!(labels("y", &[0.0, 1.0, 1.0]), Ok(2));
        let e = labels("y", &[0.0, 2.0]).unwrap_err();
        assert_eq!(e.to_string(), "y[1] = 2 is invalid: labels must be 0 or 1");
        assert!(matches!(
            labels("y", &[f64::NAN]),
            Err(Error::Missing { index: 0, .. })
        ));
        assert!(matches!(
            labels("y", &[1.0, f64::INFINITY]),
            Err(Error::NonFinite { index: 1, .. })
        ));
    }
}
