//! Lifecycle stages from tenure and activity.
//!
//! In order, first match wins (thresholds in days, configurable):
//! 1. **onboarding** — tenure < `onboarding_days` (default 90);
//! 2. **dormant** — no activity for `dormant_days` or more (default 180), or never active;
//! 3. **growth** — tenure < `maturity_days` (default 365);
//! 4. **maturity** — otherwise.
//!
//! The signals columns are `tenure_days` and `days_since_activity` (NaN: never active).

use crate::error::{Error, Result, check_len};

/// A lifecycle stage; its code (`stage as u32`) follows the declaration order, as [`Stage::NAMES`].
///
/// ```
/// use voc_core::segment::Stage;
/// assert_eq!(Stage::Dormant.name(), "dormant");
/// assert_eq!("growth".parse::<Stage>()?, Stage::Growth);
/// assert_eq!(Stage::NAMES, ["onboarding", "growth", "maturity", "dormant"]);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Stage {
    /// New customer, still within the onboarding window.
    Onboarding,
    /// Active, past onboarding, not yet mature.
    Growth,
    /// Active long-standing customer.
    Maturity,
    /// No activity for the dormancy window.
    Dormant,
}

crate::named_enum!(Stage, "stage", {
    Onboarding => "onboarding",
    Growth => "growth",
    Maturity => "maturity",
    Dormant => "dormant",
});

/// Lifecycle thresholds (days).
///
/// ```
/// use voc_core::segment::LifecycleOptions;
/// assert!(LifecycleOptions::default().validate().is_ok());
/// let bad = LifecycleOptions::default().onboarding_days(400.0);
/// assert!(bad.validate().is_err()); // onboarding must end before maturity starts
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LifecycleOptions {
    /// Tenure below which a customer is onboarding (default 90).
    pub onboarding_days: f64,
    /// Tenure from which an active customer is mature (default 365).
    pub maturity_days: f64,
    /// Days without activity from which a customer is dormant (default 180).
    pub dormant_days: f64,
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        LifecycleOptions {
            onboarding_days: 90.0,
            maturity_days: 365.0,
            dormant_days: 180.0,
        }
    }
}

impl LifecycleOptions {
    /// Checks: all positive and finite, onboarding ≤ maturity.
    ///
    /// ```
    /// use voc_core::segment::LifecycleOptions;
    /// assert!(LifecycleOptions::default().dormant_days(0.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("onboarding_days", self.onboarding_days),
            ("maturity_days", self.maturity_days),
            ("dormant_days", self.dormant_days),
        ] {
            if !(v > 0.0) || !v.is_finite() {
                return Err(Error::option(name, v, "must be finite and > 0"));
            }
        }
        if self.onboarding_days > self.maturity_days {
            return Err(Error::option(
                "onboarding_days",
                self.onboarding_days,
                format!("must not exceed maturity_days = {}", self.maturity_days),
            ));
        }
        Ok(())
    }
}

crate::setters!(LifecycleOptions {
    onboarding_days: f64,
    maturity_days: f64,
    dormant_days: f64
});

/// The stage of each customer (see the module docs).
///
/// ```
/// use voc_core::segment::{lifecycle, LifecycleOptions, Stage};
/// let tenure = [30.0, 200.0, 800.0, 800.0, 500.0];
/// let since = [f64::NAN, 10.0, 20.0, 400.0, f64::NAN];
/// let s = lifecycle(&tenure, &since, &LifecycleOptions::default())?;
/// assert_eq!(s, vec![Stage::Onboarding, Stage::Growth, Stage::Maturity, Stage::Dormant, Stage::Dormant]);
/// assert!(lifecycle(&[-1.0], &[0.0], &LifecycleOptions::default()).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn lifecycle(
    tenure_days: &[f64],
    days_since_activity: &[f64],
    opts: &LifecycleOptions,
) -> Result<Vec<Stage>> {
    opts.validate()?;
    check_len(
        "tenure_days",
        tenure_days.len(),
        "days_since_activity",
        days_since_activity.len(),
    )?;
    tenure_days
        .iter()
        .zip(days_since_activity)
        .enumerate()
        .map(|(i, (&t, &a))| {
            if t.is_nan() {
                return Err(Error::Missing {
                    arg: "tenure_days",
                    index: i,
                });
            }
            if !t.is_finite() || t < 0.0 {
                return Err(Error::InvalidValue {
                    arg: "tenure_days",
                    index: i,
                    value: t,
                    reason: "must be finite and ≥ 0",
                });
            }
            if a.is_infinite() || a < 0.0 {
                return Err(Error::InvalidValue {
                    arg: "days_since_activity",
                    index: i,
                    value: a,
                    reason: "must be finite and ≥ 0 (NaN: never active)",
                });
            }
            Ok(if t < opts.onboarding_days {
                Stage::Onboarding
            } else if a.is_nan() || a >= opts.dormant_days {
                Stage::Dormant
            } else if t < opts.maturity_days {
                Stage::Growth
            } else {
                Stage::Maturity
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_inclusive_where_documented() -> Result<()> {
        let o = LifecycleOptions::default();
        let s = lifecycle(&[90.0, 89.999, 365.0, 364.0], &[180.0, 0.0, 179.9, 0.0], &o)?;
        assert_eq!(
            s,
            vec![
                Stage::Dormant,
                Stage::Onboarding,
                Stage::Maturity,
                Stage::Growth
            ]
        );
        assert!(lifecycle(&[1.0], &[], &o).is_err());
        assert!(lifecycle(&[f64::NAN], &[1.0], &o).is_err());
        Ok(())
    }
}
