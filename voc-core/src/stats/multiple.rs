//! Adjusting p-values for multiple tests (a trend table tests every period of every group).

use crate::error::{Error, Result};

/// How to adjust a family of p-values.
///
/// ```
/// use voc_core::stats::Adjustment;
/// assert_eq!("fdr_bh".parse::<Adjustment>()?, Adjustment::BenjaminiHochberg);
/// assert_eq!(Adjustment::BenjaminiHochberg.to_string(), "bh");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Adjustment {
    /// Holm (1979) step-down: controls the family-wise error rate; uniformly better than Bonferroni.
    Holm,
    /// Benjamini–Hochberg (1995) step-up: controls the false discovery rate.
    BenjaminiHochberg,
}

crate::named_enum!(Adjustment, "adjust", {
    Holm => "holm",
    BenjaminiHochberg => "bh" | "fdr_bh" | "benjamini_hochberg",
});

/// Adjusted p-values, in the input order, as statsmodels `multipletests(p, method="holm" | "fdr_bh")[1]`.
/// NaN entries (tests that could not be run) are left out of the family and stay NaN.
///
/// ```
/// use voc_core::stats::{adjust_p_values, Adjustment};
/// let p = [0.01, 0.04, 0.03, 0.005, f64::NAN];
/// let holm = adjust_p_values(&p, Adjustment::Holm)?;
/// assert_eq!(&holm[..4], &[0.03, 0.06, 0.06, 0.02]);
/// assert!(holm[4].is_nan());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn adjust_p_values(p: &[f64], method: Adjustment) -> Result<Vec<f64>> {
    if let Some(index) = p
        .iter()
        .position(|&x| !x.is_nan() && !(0.0..=1.0).contains(&x))
    {
        return Err(Error::InvalidValue {
            arg: "p",
            index,
            value: p[index],
            reason: "p-values lie in 0..=1",
        });
    }
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len() as f64;
    let mut out = vec![f64::NAN; p.len()];
    match method {
        Adjustment::Holm => {
            let mut running = 0.0_f64;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max(((m - rank as f64) * p[i]).min(1.0));
                out[i] = running;
            }
        }
        Adjustment::BenjaminiHochberg => {
            let mut running = 1.0_f64;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min((m / (rank as f64 + 1.0) * p[i]).min(1.0));
                out[i] = running;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// statsmodels 0.15 `multipletests([0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.04], method=...)[1]`.
    const P: [f64; 7] = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.04];

    #[test]
    fn holm_matches_statsmodels() {
        let expected = [0.06, 0.16, 0.15, 0.035, 0.4, 0.5, 0.16];
        for (a, e) in adjust_p_values(&P, Adjustment::Holm)
            .unwrap()
            .iter()
            .zip(expected)
        {
            assert!((a - e).abs() < 1e-15, "{a} vs {e}");
        }
    }

    #[test]
    fn benjamini_hochberg_matches_statsmodels() {
        let expected = [0.035, 0.056, 0.056, 0.035, 0.23333333333333336, 0.5, 0.056];
        for (a, e) in adjust_p_values(&P, Adjustment::BenjaminiHochberg)
            .unwrap()
            .iter()
            .zip(expected)
        {
            assert!((a - e).abs() < 1e-15, "{a} vs {e}");
        }
    }

    #[test]
    fn out_of_range_p_values_are_rejected() {
        assert!(adjust_p_values(&[0.5, 1.5], Adjustment::Holm).is_err());
        assert!(adjust_p_values(&[], Adjustment::Holm).unwrap().is_empty());
    }
}
