//! Planning a holdout: sample size and minimum detectable effect of two proportions.

use crate::error::{Error, Result};
use crate::stats::dist::{normal_quantile, normal_two_sided_p};

/// How a two-proportion sample size is computed.
///
/// ```
/// use voc_core::impact::effect::PowerMethod;
/// assert_eq!("classic".parse::<PowerMethod>()?, PowerMethod::Classic);
/// assert_eq!(PowerMethod::default().to_string(), "cohen_h");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PowerMethod {
    /// Cohen's h = 2·asin√p₁ − 2·asin√p₂ with the normal power of both tails, as statsmodels
    /// `NormalIndPower().solve_power(proportion_effectsize(p1, p2), ...)` (the default).
    #[default]
    CohenH,
    /// The classic formula n₁ = ((z_{α/2}·σ₀ + z_β·σ₁)/Δ)², σ₀ at the pooled proportion and σ₁
    /// unpooled, as statsmodels `samplesize_proportions_2indep_onetail`.
    Classic,
}

crate::named_enum!(PowerMethod, "method", {
    CohenH => "cohen_h" | "cohen" | "arcsine",
    Classic => "classic" | "unpooled",
});

/// Planning inputs of a two-group (holdout) design.
///
/// ```
/// let d = voc_core::impact::effect::Design::default().power(0.9);
/// assert!(d.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Design {
    /// Two-sided significance level (default 0.05).
    pub alpha: f64,
    /// Power (default 0.8).
    pub power: f64,
    /// n₂/n₁: control customers per treated customer (default 1).
    pub ratio: f64,
    /// Method (default Cohen's h).
    pub method: PowerMethod,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            alpha: 0.05,
            power: 0.8,
            ratio: 1.0,
            method: PowerMethod::CohenH,
        }
    }
}

impl Design {
    /// Checks the options.
    ///
    /// ```
    /// use voc_core::impact::effect::Design;
    /// assert!(Design::default().power(1.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::option("alpha", self.alpha, "must lie in (0, 1)"));
        }
        if !(self.power > 0.0 && self.power < 1.0) {
            return Err(Error::option("power", self.power, "must lie in (0, 1)"));
        }
        if !(self.ratio > 0.0 && self.ratio.is_finite()) {
            return Err(Error::option("ratio", self.ratio, "must be positive"));
        }
        Ok(())
    }
}

crate::setters!(Design {
    alpha: f64,
    power: f64,
    ratio: f64,
    method: PowerMethod
});

/// A sample size or minimum detectable effect, with every input echoed.
///
/// ```
/// use voc_core::impact::effect::{sample_size, Design};
/// let s = sample_size(0.10, 0.12, &Design::default().ratio(2.0))?;
/// assert_eq!(s.n_control, 2.0 * s.n_treated);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SampleSize {
    /// Rate of the treated group (p₁).
    pub p_treated: f64,
    /// Rate of the control group (p₂, the baseline).
    pub p_control: f64,
    /// Treated customers needed (fractional; round up).
    pub n_treated: f64,
    /// Control customers, ratio × n_treated.
    pub n_control: f64,
    /// Cohen's h of the two rates.
    pub effect_size: f64,
    /// The design.
    pub design: Design,
}

fn norm_sf(x: f64) -> f64 {
    let half = 0.5 * normal_two_sided_p(x);
    if x >= 0.0 { half } else { 1.0 - half }
}

fn cohen_h(p1: f64, p2: f64) -> f64 {
    2.0 * p1.sqrt().asin() - 2.0 * p2.sqrt().asin()
}

/// Power of the two-sided normal test at standardised shift `x` = |h|·√ν (statsmodels `normal_power`).
fn normal_power(x: f64, crit: f64) -> f64 {
    norm_sf(crit - x) + (1.0 - norm_sf(-crit - x))
}

/// The shift x ≥ 0 with `normal_power(x) = power` (monotone in x: bisection then Newton polish).
fn solve_shift(power: f64, alpha: f64) -> Result<f64> {
    let crit = normal_quantile(1.0 - alpha / 2.0);
    if power <= alpha {
        return Err(Error::option(
            "power",
            power,
            "must exceed alpha (power at no effect)",
        ));
    }
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_power(mid, crit) < power {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}

fn check_p(name: &'static str, p: f64) -> Result<()> {
    if p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(Error::option(name, p, "must lie strictly between 0 and 1"))
    }
}

/// Treated customers needed to detect `p_treated` against `p_control` (and `ratio` × that many
/// controls), two-sided at `alpha` with the given power.
///
/// [`PowerMethod::CohenH`] matches statsmodels `NormalIndPower().solve_power(effect_size=
/// proportion_effectsize(p1, p2), alpha=alpha, power=power, ratio=ratio)` (1e-6 relative: statsmodels
/// stops its root search there; the power at our n matches `NormalIndPower().power` to 1e-12);
/// [`PowerMethod::Classic`] matches `samplesize_proportions_2indep_onetail(p1 − p2, p2, power, ratio,
/// alpha, alternative="two-sided")` to 1e-12.
///
/// ```
/// use voc_core::impact::effect::{sample_size, Design};
/// // Detect churn falling from 20% to 16%.
/// let s = sample_size(0.16, 0.20, &Design::default())?;
/// assert!(s.n_treated > 1400.0 && s.n_treated < 1500.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn sample_size(p_treated: f64, p_control: f64, design: &Design) -> Result<SampleSize> {
    design.validate()?;
    check_p("p_treated", p_treated)?;
    check_p("p_control", p_control)?;
    if p_treated == p_control {
        return Err(Error::option(
            "p_treated",
            p_treated,
            "equals p_control: no effect to detect",
        ));
    }
    let h = cohen_h(p_treated, p_control);
    let r = design.ratio;
    let n1 = match design.method {
        PowerMethod::CohenH => {
            let x = solve_shift(design.power, design.alpha)?;
            // ν = n1·r/(1 + r) and x = |h|·√ν.
            (x / h).powi(2) * (1.0 + r) / r
        }
        PowerMethod::Classic => classic_n(p_treated, p_control, design),
    };
    finite_sizes(SampleSize {
        p_treated,
        p_control,
        n_treated: n1,
        n_control: n1 * r,
        effect_size: h,
        design: *design,
    })
}

/// The sizes of `s` are finite, or the input that drives them past a double is named: `ratio` when it
/// is extreme (beyond 10⁻⁶..10⁶), else `n_treated` (given) or `p_treated` (the effect is too small).
fn finite_sizes(s: SampleSize) -> Result<SampleSize> {
    if s.n_treated.is_finite() && s.n_control.is_finite() {
        return Ok(s);
    }
    let r = s.design.ratio;
    let (arg, value) = if !(1e-6..=1e6).contains(&r) {
        ("ratio", r)
    } else if s.n_treated.is_finite() {
        ("n_treated", s.n_treated)
    } else {
        ("p_treated", s.p_treated)
    };
    Err(Error::too_large(
        arg,
        format!("{value:e}"),
        format!("{:e}", f64::MAX),
        "the number of customers needed in a group overflows a double",
    ))
}

fn classic_n(p1: f64, p2: f64, d: &Design) -> f64 {
    let r = d.ratio;
    let diff = p1 - p2;
    let pooled = (p1 + p2 * r) / (1.0 + r);
    let std_null = (pooled * (1.0 - pooled) * (1.0 + 1.0 / r)).sqrt();
    let std_alt = (p1 * (1.0 - p1) + p2 * (1.0 - p2) / r).sqrt();
    let crit = normal_quantile(1.0 - d.alpha / 2.0);
    let crit_power = normal_quantile(1.0 - d.power);
    ((crit * std_null - crit_power * std_alt).max(0.0) / diff).powi(2)
}

/// The smallest fall in a rate from `p_control` that `n_treated` treated customers (and `ratio` ×
/// as many controls) detect with the design's power; the result's `p_treated` is the detectable rate.
///
/// [`PowerMethod::CohenH`]: h solves statsmodels `NormalIndPower().solve_power(effect_size=None,
/// nobs1=n_treated, ...)`, and p₁ = sin²(asin√p₂ − h/2). [`PowerMethod::Classic`]: the p₁ at which
/// [`sample_size`] gives `n_treated` (bisection to 1e-14).
///
/// ```
/// use voc_core::impact::effect::{minimum_detectable_effect, sample_size, Design};
/// let d = Design::default();
/// let m = minimum_detectable_effect(0.20, 2000.0, &d)?;
/// assert!(m.p_treated < 0.20 && m.p_treated > 0.15);
/// let back = sample_size(m.p_treated, 0.20, &d)?;
/// assert!((back.n_treated - 2000.0).abs() < 1e-6);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn minimum_detectable_effect(
    p_control: f64,
    n_treated: f64,
    design: &Design,
) -> Result<SampleSize> {
    design.validate()?;
    check_p("p_control", p_control)?;
    if !(n_treated > 0.0 && n_treated.is_finite()) {
        return Err(Error::option("n_treated", n_treated, "must be positive"));
    }
    let r = design.ratio;
    let p1 = match design.method {
        PowerMethod::CohenH => {
            let x = solve_shift(design.power, design.alpha)?;
            let h = x / (n_treated * r / (1.0 + r)).sqrt();
            let angle = p_control.sqrt().asin() - h / 2.0;
            if angle <= 0.0 {
                return Err(Error::InsufficientData(format!(
                    "{n_treated} treated customers cannot detect any fall from {p_control} with this power"
                )));
            }
            angle.sin().powi(2)
        }
        PowerMethod::Classic => {
            // n(p1) falls as p1 moves away from p2: bisect p1 in (0, p2).
            let (mut lo, mut hi) = (0.0_f64, p_control);
            if classic_n(f64::MIN_POSITIVE, p_control, design) > n_treated {
                return Err(Error::InsufficientData(format!(
                    "{n_treated} treated customers cannot detect any fall from {p_control} with this power"
                )));
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if classic_n(mid, p_control, design) > n_treated {
                    hi = mid;
                } else {
                    lo = mid;
                }
                if hi - lo <= 1e-16 {
                    break;
                }
            }
            0.5 * (lo + hi)
        }
    };
    finite_sizes(SampleSize {
        p_treated: p1,
        p_control,
        n_treated,
        n_control: n_treated * r,
        effect_size: cohen_h(p1, p_control),
        design: *design,
    })
}
