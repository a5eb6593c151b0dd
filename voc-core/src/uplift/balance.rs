//! The balance check of a randomised test: standardised mean differences of the features between arms.

use ndarray::ArrayView2;

use crate::error::{Error, Result, check_len};
use crate::stats::Moments;
use crate::stats::check::label;

/// Options of [`balance`].
///
/// ```
/// use voc_core::uplift::BalanceOptions;
/// assert_eq!(BalanceOptions::default().threshold, 0.1);
/// assert!(BalanceOptions::default().threshold(-1.0).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BalanceOptions {
    /// A feature is imbalanced when |SMD| exceeds this (default 0.1, Austin 2009).
    pub threshold: f64,
}

impl Default for BalanceOptions {
    fn default() -> Self {
        BalanceOptions { threshold: 0.1 }
    }
}

crate::setters!(BalanceOptions { threshold: f64 });

impl BalanceOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if !(self.threshold > 0.0 && self.threshold.is_finite()) {
            return Err(Error::option(
                "threshold",
                self.threshold,
                "must be positive and finite",
            ));
        }
        Ok(())
    }
}

/// One feature's balance between the arms.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BalanceRow {
    /// The feature.
    pub feature: String,
    /// Its mean among the treated.
    pub mean_treated: f64,
    /// Its mean among the controls.
    pub mean_control: f64,
    /// Its sample standard deviation (n − 1) among the treated.
    pub sd_treated: f64,
    /// Its sample standard deviation among the controls.
    pub sd_control: f64,
    /// Standardised mean difference `(mean_t − mean_c) / √((sd_t² + sd_c²) / 2)`. A feature constant
    /// within both arms has 0 when the constants agree and ±inf when they differ (the arms are then
    /// told apart by the feature alone).
    pub smd: f64,
    /// |smd| > threshold.
    pub imbalanced: bool,
}

/// The balance of every feature.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Balance {
    /// One row per feature, in column order.
    pub rows: Vec<BalanceRow>,
    /// Treated rows.
    pub n_treated: usize,
    /// Control rows.
    pub n_control: usize,
    /// The threshold used.
    pub threshold: f64,
    /// Features with |smd| above the threshold.
    pub n_imbalanced: usize,
}

/// Standardised mean differences of the columns of `x` between the treated (`treatment` 1) and the
/// controls (0): a randomised test should show none above about 0.1 (Austin 2009, "Balance
/// diagnostics for comparing the distribution of baseline covariates between treatment groups in
/// propensity-score matched samples", Statistics in Medicine 28).
///
/// `x` is rows × features in any memory layout; a NaN is [`Error::Missing`] and ±inf
/// [`Error::NonFinite`] at `X[row · columns + column]`. Each arm needs two rows.
///
/// ```
/// use ndarray::array;
/// use voc_core::uplift::{BalanceOptions, balance};
/// let x = array![[1.0, 5.0], [2.0, 5.0], [3.0, 6.0], [2.0, 9.0], [3.0, 8.0], [4.0, 9.0]];
/// let t = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
/// let b = balance(x.view(), &t, None, &BalanceOptions::default())?;
/// assert_eq!(b.rows[0].feature, "x0");
/// assert!((b.rows[0].smd - (-1.0)).abs() < 1e-12);
/// assert_eq!(b.n_imbalanced, 2);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn balance(
    x: ArrayView2<'_, f64>,
    treatment: &[f64],
    names: Option<&[String]>,
    opts: &BalanceOptions,
) -> Result<Balance> {
    opts.validate()?;
    let (n, p) = x.dim();
    check_len("treatment", treatment.len(), "X rows", n)?;
    if let Some(names) = names {
        check_len("X", p, "feature names", names.len())?;
    }
    let mut is_treated = Vec::with_capacity(n);
    for (i, &t) in treatment.iter().enumerate() {
        is_treated.push(label("treatment", i, t)?);
    }
    for ((i, j), &v) in x.indexed_iter() {
        if v.is_nan() {
            return Err(Error::Missing {
                arg: "X",
                index: i * p + j,
            });
        }
        if !v.is_finite() {
            return Err(Error::NonFinite {
                arg: "X",
                index: i * p + j,
                value: v,
            });
        }
    }
    let n_treated = is_treated.iter().filter(|&&t| t).count();
    let n_control = n - n_treated;
    if n_treated < 2 || n_control < 2 {
        return Err(Error::InsufficientData(format!(
            "treatment has {n_treated} treated and {n_control} control rows; a balance check needs \
             two rows in each arm"
        )));
    }
    let mut rows = Vec::with_capacity(p);
    for (j, col) in x.columns().into_iter().enumerate() {
        let (mut mt, mut mc) = (Moments::default(), Moments::default());
        for (&v, &t) in col.iter().zip(&is_treated) {
            if t { mt.push(v) } else { mc.push(v) }
        }
        let (vt, vc) = (mt.variance(1.0), mc.variance(1.0));
        let diff = mt.mean - mc.mean;
        let pooled = ((vt + vc) / 2.0).sqrt();
        let smd = if pooled > 0.0 {
            diff / pooled
        } else if diff == 0.0 {
            0.0
        } else {
            diff.signum() * f64::INFINITY
        };
        rows.push(BalanceRow {
            feature: names.map_or_else(|| format!("x{j}"), |n| n[j].clone()),
            mean_treated: mt.mean,
            mean_control: mc.mean,
            sd_treated: vt.sqrt(),
            sd_control: vc.sqrt(),
            smd,
            imbalanced: smd.abs() > opts.threshold,
        });
    }
    let n_imbalanced = rows.iter().filter(|r| r.imbalanced).count();
    Ok(Balance {
        rows,
        n_treated,
        n_control,
        threshold: opts.threshold,
        n_imbalanced,
    })
}
