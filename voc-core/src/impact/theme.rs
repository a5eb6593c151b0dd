//! Theme impact: churn of customers who raised a theme against those who did not, ranked.
//!
//! For each theme the customers split into raisers (flag or count > 0) and the rest. Per theme:
//! churn of each group, the risk ratio (Katz log interval), the risk difference (unpooled Wald
//! interval), a p-value (Fisher's exact test or the Yates chi-square) adjusted over the themes by
//! Holm's step-down, the customers and revenue at risk among raisers, and the excess attributable to
//! the theme, `(rate_raised − rate_not) × n_raised` customers and `(rate_raised − rate_not) × value of
//! the raisers`. Themes are ranked by excess revenue (excess churners when no value is given).

use super::contingency::{
    Ratio, Table2x2, TableOptions, ZeroCells, chi_square, fisher_exact, risk_ratio,
};
use crate::error::{Error, Result, check_len};
use crate::stats::check;
use crate::stats::check::labels;
use crate::stats::{
    Adjustment, Interval, NeumaierSum, TestOptions, adjust_p_values, check_confidence,
    two_proportion_test,
};
use ndarray::ArrayView2;

/// The test behind each theme's p-value.
///
/// ```
/// use voc_core::impact::theme::ThemeTest;
/// assert_eq!("chi2".parse::<ThemeTest>()?, ThemeTest::ChiSquare);
/// assert_eq!(ThemeTest::ChiSquare.to_string(), "chi_square");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ThemeTest {
    /// Fisher's exact test, two-sided (default).
    #[default]
    Fisher,
    /// Pearson chi-square with the Yates correction.
    ChiSquare,
}

crate::named_enum!(ThemeTest, "test", {
    Fisher => "fisher",
    ChiSquare => "chi_square" | "chi2" | "chisquare",
});

/// Options of [`theme_impact`].
///
/// ```
/// let o = voc_core::impact::theme::ThemeOptions::default();
/// assert_eq!(o.adjust, voc_core::stats::Adjustment::Holm);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ThemeOptions {
    /// Confidence level (default 0.95).
    pub confidence: f64,
    /// Test (default Fisher).
    pub test: ThemeTest,
    /// Adjustment over themes (default Holm).
    pub adjust: Adjustment,
    /// Empty cells: by default ([`ZeroCells::Error`], as everywhere) a theme with an empty cell
    /// (nobody churned after raising it, say) has no risk ratio (`None`) and the rest of the table
    /// stands; [`ZeroCells::Haldane`] adds 0.5 to every cell of such a theme's table instead.
    pub zero_cells: ZeroCells,
}

impl Default for ThemeOptions {
    fn default() -> Self {
        ThemeOptions {
            confidence: 0.95,
            test: ThemeTest::Fisher,
            adjust: Adjustment::Holm,
            zero_cells: ZeroCells::Error,
        }
    }
}

impl ThemeOptions {
    /// Checks the options (the confidence level lies in (0, 1)), returning the level.
    ///
    /// ```
    /// assert!(voc_core::impact::theme::ThemeOptions::default().confidence(1.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<f64> {
        check_confidence(self.confidence)
    }
}

crate::setters!(ThemeOptions {
    confidence: f64,
    test: ThemeTest,
    adjust: Adjustment,
    zero_cells: ZeroCells
});

/// The impact of one theme.
///
/// ```
/// use voc_core::impact::theme::{theme_impact, ThemeOptions};
/// let flags = ndarray::array![[1.0], [0.0]];
/// let r = theme_impact(&["a"], flags.view(), &[1.0, 0.0], Some(&[10.0, 5.0]), &ThemeOptions::default())?;
/// assert_eq!((r[0].revenue_at_risk, r[0].excess_revenue), (10.0, 10.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThemeImpact {
    /// Theme name.
    pub theme: String,
    /// Customers who raised it.
    pub n_raised: u64,
    /// Customers who did not.
    pub n_not: u64,
    /// Churners among raisers.
    pub churned_raised: u64,
    /// Churners among the rest.
    pub churned_not: u64,
    /// Churn rate of raisers (`None` when nobody raised the theme).
    pub rate_raised: Option<f64>,
    /// Churn rate of the rest (`None` when everybody raised it).
    pub rate_not: Option<f64>,
    /// rate_raised ÷ rate_not (Katz); `None` when a group is empty.
    pub risk_ratio: Option<Ratio>,
    /// rate_raised − rate_not (`None` when a group is empty).
    pub risk_difference: Option<f64>,
    /// Its unpooled Wald interval (`None` when a group is empty or neither group varies).
    pub risk_difference_ci: Option<Interval>,
    /// p-value of the chosen test (1 when a group is empty).
    pub p_value: f64,
    /// Adjusted over the themes.
    pub p_adjusted: f64,
    /// Value of the raisers (Σ value; equals `n_raised` when no value is given).
    pub value_raised: f64,
    /// Value of the raisers who churned (Σ value × churn).
    pub revenue_at_risk: f64,
    /// Excess churners attributable: (rate_raised − rate_not) × n_raised.
    pub excess_churners: f64,
    /// Excess revenue attributable: (rate_raised − rate_not) × value_raised.
    pub excess_revenue: f64,
}

/// Theme impact of the themes named `themes`, whose per-customer flags or counts are the columns of
/// `flags` (customers × themes, any memory layout; > 0 means raised), given per-customer churn (0/1) and
/// an optional value (e.g. spend or CLV). One pass per theme column (fastest when the columns are
/// contiguous, i.e. Fortran order); Fisher's test costs O(min(margins)) per theme. Results are sorted by
/// excess revenue, largest first.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::theme::{theme_impact, ThemeOptions};
/// // Columns: refund, price.
/// let flags = array![
///     [1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0],
///     [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0],
/// ];
/// let churned = [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
/// let r = theme_impact(&["refund", "price"], flags.view(), &churned, None, &ThemeOptions::default())?;
/// assert_eq!(r[0].theme, "refund");
/// assert!(r[0].rate_raised.is_some_and(|r| (r - 1.0).abs() < 1e-12));
/// assert!(r[0].rate_not.is_some_and(|r| (r - 0.2).abs() < 1e-12));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn theme_impact(
    themes: &[&str],
    flags: ArrayView2<'_, f64>,
    churned: &[f64],
    value: Option<&[f64]>,
    opts: &ThemeOptions,
) -> Result<Vec<ThemeImpact>> {
    check_len("themes", themes.len(), "flags", flags.ncols())?;
    let columns: Vec<_> = flags.columns().into_iter().collect();
    run(themes, churned, value, opts, |j| {
        check_len("churned", churned.len(), "themes", flags.nrows())?;
        let Some(col) = columns.get(j) else {
            return Err(Error::Empty {
                arg: "flags",
                what: "a theme name without a column",
            });
        };
        // A contiguous column (Fortran order) is read as a slice, any other through the view.
        match col.as_slice() {
            Some(col) => tally(col.iter().copied(), churned, value),
            None => tally(col.iter().copied(), churned, value),
        }
    })
}

/// [`theme_impact`] on separate theme columns (name, flags), read in place: what the Python binding
/// uses for DataFrame columns, which would otherwise be copied into one matrix first.
///
/// ```
/// use voc_core::impact::theme::{theme_impact, theme_impact_columns, ThemeOptions};
/// let refund = [1.0, 1.0, 0.0, 0.0];
/// let churned = [1.0, 0.0, 0.0, 1.0];
/// let o = ThemeOptions::default();
/// let a = theme_impact_columns(&[("refund", &refund[..])], &churned, None, &o)?;
/// let flags = ndarray::aview1(&refund).insert_axis(ndarray::Axis(1)); // 4 × 1, no copy
/// assert_eq!(a, theme_impact(&["refund"], flags, &churned, None, &o)?);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[doc(hidden)]
pub fn theme_impact_columns(
    themes: &[(&str, &[f64])],
    churned: &[f64],
    value: Option<&[f64]>,
    opts: &ThemeOptions,
) -> Result<Vec<ThemeImpact>> {
    let names: Vec<&str> = themes.iter().map(|t| t.0).collect();
    run(&names, churned, value, opts, |j| {
        let Some(&(_, col)) = themes.get(j) else {
            return Err(Error::Empty {
                arg: "themes",
                what: "a theme name without a column",
            });
        };
        check_len("churned", churned.len(), "themes", col.len())?;
        tally(col.iter().copied(), churned, value)
    })
}

/// Checks the shared inputs, tallies each theme (`column(j)` for the j-th name), tests, adjusts and
/// ranks.
fn run(
    themes: &[&str],
    churned: &[f64],
    value: Option<&[f64]>,
    opts: &ThemeOptions,
    mut column: impl FnMut(usize) -> Result<Tally>,
) -> Result<Vec<ThemeImpact>> {
    let level = opts.validate()?;
    if themes.is_empty() {
        return Err(Error::Empty {
            arg: "themes",
            what: "give at least one theme column",
        });
    }
    if churned.is_empty() {
        return Err(Error::Empty {
            arg: "churned",
            what: "no customers",
        });
    }
    labels("churned", churned)?;
    if let Some(v) = value {
        check_len("churned", churned.len(), "value", v.len())?;
        for (index, &x) in v.iter().enumerate() {
            missing("value", index, x)?;
            check::non_negative("value", index, x, "customer value cannot be negative")?;
        }
    }
    let test_opts = TestOptions { confidence: level };
    let mut out = Vec::with_capacity(themes.len());
    for (j, &name) in themes.iter().enumerate() {
        let Tally {
            n1,
            k1,
            n0,
            k0,
            val,
            risk,
        } = column(j)?;
        let rate = |k: u64, n: u64| (n > 0).then(|| k as f64 / n as f64);
        let (r1, r0) = (rate(k1, n1), rate(k0, n0));
        let diff = r1.zip(r0).map(|(r1, r0)| r1 - r0);
        let both = diff.is_some();
        let table = Table2x2::new(k1 as f64, (n1 - k1) as f64, k0 as f64, (n0 - k0) as f64)?;
        let (rr, ci, p) = if both {
            let rr = risk_ratio(
                &table,
                &TableOptions::default()
                    .confidence(level)
                    .zero_cells(opts.zero_cells),
            )
            .ok();
            let ci = two_proportion_test(k1 as f64, n1 as f64, k0 as f64, n0 as f64, &test_opts)
                .ok()
                .map(|t| t.ci);
            let p = match opts.test {
                ThemeTest::Fisher => fisher_exact(&table)?.p_two_sided,
                ThemeTest::ChiSquare => {
                    let cells = ndarray::arr2(&[[table.a, table.b], [table.c, table.d]]);
                    chi_square(cells.view(), true).map_or(1.0, |c| c.p_value)
                }
            };
            (rr, ci, p)
        } else {
            (None, None, 1.0)
        };
        let excess = diff.unwrap_or(0.0);
        out.push(ThemeImpact {
            theme: name.to_string(),
            n_raised: n1,
            n_not: n0,
            churned_raised: k1,
            churned_not: k0,
            rate_raised: r1,
            rate_not: r0,
            risk_ratio: rr,
            risk_difference: diff,
            risk_difference_ci: ci,
            p_value: p,
            p_adjusted: p,
            value_raised: val.value(),
            revenue_at_risk: risk.value(),
            excess_churners: excess * n1 as f64,
            excess_revenue: excess * val.value(),
        });
    }
    let p: Vec<f64> = out.iter().map(|t| t.p_value).collect();
    for (t, a) in out.iter_mut().zip(adjust_p_values(&p, opts.adjust)?) {
        t.p_adjusted = a;
    }
    out.sort_by(|a, b| {
        b.excess_revenue
            .total_cmp(&a.excess_revenue)
            .then(b.excess_churners.total_cmp(&a.excess_churners))
    });
    Ok(out)
}

/// NaN is a missing value: nothing is filled in (a NaN value is not 0).
fn missing(arg: &'static str, index: usize, x: f64) -> Result<()> {
    if x.is_nan() {
        return Err(Error::Missing { arg, index });
    }
    Ok(())
}

/// Counts and value sums of one theme column: raisers and churners among them, the rest and theirs.
struct Tally {
    n1: u64,
    k1: u64,
    n0: u64,
    k0: u64,
    val: NeumaierSum,
    risk: NeumaierSum,
}

/// One pass over a theme column (flags in row order), aligned with `churned` and `value`.
fn tally(
    flags: impl Iterator<Item = f64>,
    churned: &[f64],
    value: Option<&[f64]>,
) -> Result<Tally> {
    let (mut n1, mut k1, mut n0, mut k0) = (0_u64, 0_u64, 0_u64, 0_u64);
    let (mut val, mut risk) = (NeumaierSum::default(), NeumaierSum::default());
    for (index, (f, &c)) in flags.zip(churned).enumerate() {
        missing("themes", index, f)?;
        check::non_negative("themes", index, f, "theme counts cannot be negative")?;
        let churn = c == 1.0;
        if f > 0.0 {
            n1 += 1;
            k1 += u64::from(churn);
            let v = value.and_then(|v| v.get(index).copied()).unwrap_or(1.0);
            val.add(v);
            if churn {
                risk.add(v);
            }
        } else {
            n0 += 1;
            k0 += u64::from(churn);
        }
    }
    Ok(Tally {
        n1,
        k1,
        n0,
        k0,
        val,
        risk,
    })
}
