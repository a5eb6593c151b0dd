//! Sample quantiles.

/// Linear-interpolation quantile of sorted data: numpy's default (`np.quantile(x, q)`), Hyndman–Fan
/// type 7. `q` is clamped to `0..=1`; empty data give NaN.
///
/// ```
/// use voc_core::stats::quantile_sorted;
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 1.0), 4.0);
/// assert!(quantile_sorted(&[], 0.5).is_nan());
/// ```
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = last as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_type_7() {
        // np.quantile([3, 1, 4, 1, 5], [0.1, 0.25, 0.9]) = [1.0, 1.0, 4.6]
        let s = [1.0, 1.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&s, 0.1), 1.0);
        assert_eq!(quantile_sorted(&s, 0.25), 1.0);
        assert!((quantile_sorted(&s, 0.9) - 4.6).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
        assert_eq!(quantile_sorted(&s, 2.0), 5.0);
    }
}
