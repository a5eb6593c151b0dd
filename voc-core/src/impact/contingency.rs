//! Contingency tables: relative risk, odds ratio, chi-square with Cramér's V, Fisher's exact test.
//!
//! A 2×2 table follows statsmodels' `Table2x2` layout:
//!
//! |            | event | no event |
//! |------------|-------|----------|
//! | exposed    | `a`   | `b`      |
//! | unexposed  | `c`   | `d`      |
//!
//! so the risk ratio is `a/(a+b) ÷ c/(c+d)` and the odds ratio `ad/bc`. In VoC terms "exposed" is, for
//! example, "raised the refund theme" and "event" is "churned".
//!
//! | Statistic | Method | Reference |
//! |-----------|--------|-----------|
//! | risk ratio CI | Katz log: ln RR ± z·√(1/a − 1/(a+b) + 1/c − 1/(c+d)) | statsmodels `Table2x2.riskratio_confint` |
//! | odds ratio CI | Woolf logit: ln OR ± z·√(1/a + 1/b + 1/c + 1/d) | statsmodels `Table2x2.oddsratio_confint` |
//! | risk difference CI | unpooled Wald | statsmodels `confint_proportions_2indep(method="wald")` |
//! | chi-square | Pearson, Yates-corrected for 2×2 unless turned off | `scipy.stats.chi2_contingency` |
//! | Cramér's V | √(χ²/(n·(min(r,c) − 1))), uncorrected χ² | `scipy.stats.contingency.association` |
//! | Fisher's exact | hypergeometric sums in log space | `scipy.stats.fisher_exact` |

use crate::error::{Error, Result};
use crate::stats::check;
use crate::stats::dist::{chi2_sf, normal_quantile};
use crate::stats::{Interval, Method, check_confidence};
use ndarray::{Array2, ArrayView2};

/// What to do when a 2×2 table has an empty cell (the log-scale intervals need all four cells).
///
/// ```
/// use voc_core::impact::contingency::ZeroCells;
/// assert_eq!("shift".parse::<ZeroCells>()?, ZeroCells::Haldane);
/// assert_eq!(ZeroCells::Error.to_string(), "error");
/// assert!("ignore".parse::<ZeroCells>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ZeroCells {
    /// An empty cell is an [`Error::InsufficientData`] naming the cell (the default: no silent fix).
    #[default]
    Error,
    /// Haldane–Anscombe: add 0.5 to every cell when any cell is zero (statsmodels `Table2x2(table + 0.5)`;
    /// its `shift_zeros=True` replaces only the zero cells, which gives other numbers).
    Haldane,
}

crate::named_enum!(ZeroCells, "zero_cells", {
    Error => "error",
    Haldane => "haldane" | "shift",
});

/// Options of [`risk_ratio`], [`odds_ratio`] and [`two_by_two`].
///
/// ```
/// use voc_core::impact::contingency::{TableOptions, ZeroCells};
/// let o = TableOptions::default().confidence(0.9).zero_cells(ZeroCells::Haldane);
/// assert!(o.yates && o.validate().is_ok());
/// assert!(TableOptions::default().confidence(1.5).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TableOptions {
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
    /// Yates continuity correction of the chi-square of a 2×2 table (default true, as scipy).
    pub yates: bool,
    /// Empty cells in the log-scale intervals (default [`ZeroCells::Error`]).
    pub zero_cells: ZeroCells,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            confidence: 0.95,
            yates: true,
            zero_cells: ZeroCells::Error,
        }
    }
}

impl TableOptions {
    /// Turns the Yates correction on or off.
    ///
    /// ```
    /// assert!(!voc_core::impact::contingency::TableOptions::default().yates(false).yates);
    /// ```
    pub fn yates(mut self, yates: bool) -> Self {
        self.yates = yates;
        self
    }

    /// Checks the options (the confidence level lies in (0, 1)).
    ///
    /// ```
    /// assert!(voc_core::impact::contingency::TableOptions::default().confidence(f64::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_confidence(self.confidence).map(|_| ())
    }
}

crate::setters!(TableOptions {
    confidence: f64,
    zero_cells: ZeroCells
});

/// Counts of a 2×2 table (see the module docs for the layout).
///
/// ```
/// use voc_core::impact::contingency::Table2x2;
/// let t = Table2x2::new(30.0, 70.0, 10.0, 90.0)?;
/// assert_eq!(t.total(), 200.0);
/// assert!(Table2x2::new(-1.0, 1.0, 1.0, 1.0).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Table2x2 {
    /// Exposed, event.
    pub a: f64,
    /// Exposed, no event.
    pub b: f64,
    /// Unexposed, event.
    pub c: f64,
    /// Unexposed, no event.
    pub d: f64,
}

impl Table2x2 {
    /// A table from its four counts; each must be finite and non-negative.
    ///
    /// ```
    /// use voc_core::impact::contingency::Table2x2;
    /// assert!(Table2x2::new(1.0, f64::NAN, 1.0, 1.0).is_err());
    /// assert_eq!(Table2x2::new(1.0, 2.0, 3.0, 4.0)?.d, 4.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(a: f64, b: f64, c: f64, d: f64) -> Result<Self> {
        check_counts("table", &[a, b, c, d])?;
        Ok(Table2x2 { a, b, c, d })
    }

    /// A table from a 2 × 2 matrix [[a, b], [c, d]] (any layout); another shape is an
    /// [`Error::InvalidOption`] on `table`.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::impact::contingency::Table2x2;
    /// assert_eq!(Table2x2::from_matrix(array![[1.0, 2.0], [3.0, 4.0]].view())?.c, 3.0);
    /// assert!(Table2x2::from_matrix(array![[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]].view()).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn from_matrix(table: ArrayView2<'_, f64>) -> Result<Self> {
        if table.dim() != (2, 2) {
            return Err(Error::option(
                "table",
                format!("shape {:?}", table.dim()),
                "a 2x2 table is needed; use chi_square() for r x c",
            ));
        }
        let cell = |i: usize, j: usize| table.get((i, j)).copied().unwrap_or(f64::NAN);
        Table2x2::new(cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1))
    }

    /// A table from events and group sizes: `k1` of `n1` exposed, `k2` of `n2` unexposed.
    ///
    /// ```
    /// use voc_core::impact::contingency::Table2x2;
    /// let t = Table2x2::from_rates(30.0, 100.0, 10.0, 100.0)?;
    /// assert_eq!((t.b, t.d), (70.0, 90.0));
    /// assert!(Table2x2::from_rates(30.0, 20.0, 1.0, 5.0).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn from_rates(k1: f64, n1: f64, k2: f64, n2: f64) -> Result<Self> {
        check_counts("counts", &[k1, n1, k2, n2])?;
        for (k, n, arg) in [(k1, n1, "k1"), (k2, n2, "k2")] {
            if k > n {
                return Err(Error::option(
                    arg,
                    k,
                    format!("events exceed the group size {n}"),
                ));
            }
        }
        Table2x2::new(k1, n1 - k1, k2, n2 - k2)
    }

    /// Sum of the four cells.
    ///
    /// ```
    /// use voc_core::impact::contingency::Table2x2;
    /// assert_eq!(Table2x2::new(1.0, 2.0, 3.0, 4.0)?.total(), 10.0);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn total(&self) -> f64 {
        self.a + self.b + self.c + self.d
    }

    /// The same table with the groups swapped (exposed ↔ unexposed).
    ///
    /// ```
    /// use voc_core::impact::contingency::Table2x2;
    /// let t = Table2x2::new(1.0, 2.0, 3.0, 4.0)?.swapped();
    /// assert_eq!((t.a, t.b, t.c, t.d), (3.0, 4.0, 1.0, 2.0));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn swapped(&self) -> Self {
        Table2x2 {
            a: self.c,
            b: self.d,
            c: self.a,
            d: self.b,
        }
    }

    /// The table the log-scale intervals use: unchanged, Haldane-shifted, or an error for a zero cell.
    fn for_logs(&self, zero: ZeroCells) -> Result<(Table2x2, bool)> {
        let cells = [("a", self.a), ("b", self.b), ("c", self.c), ("d", self.d)];
        match cells.iter().find(|(_, v)| *v == 0.0) {
            None => Ok((*self, false)),
            Some(_) if zero == ZeroCells::Haldane => Ok((
                Table2x2 {
                    a: self.a + 0.5,
                    b: self.b + 0.5,
                    c: self.c + 0.5,
                    d: self.d + 0.5,
                },
                true,
            )),
            Some((name, _)) => Err(Error::InsufficientData(format!(
                "cell {name} of the 2x2 table is zero, so the log-scale ratio and its interval are \
                 undefined; set zero_cells to haldane (ZeroCells::Haldane) to add 0.5 to every cell"
            ))),
        }
    }
}

fn check_counts(arg: &'static str, values: &[f64]) -> Result<()> {
    for (index, &value) in values.iter().enumerate() {
        check_count(arg, index, value)?;
    }
    Ok(())
}

fn check_count(arg: &'static str, index: usize, value: f64) -> Result<()> {
    check::non_negative(arg, index, value, "counts cannot be negative")
}

/// The 2×2 table as an ndarray, for [`chi_square`].
fn as_array(t: &Table2x2) -> Array2<f64> {
    ndarray::arr2(&[[t.a, t.b], [t.c, t.d]])
}

/// A ratio (risk ratio or odds ratio) with its interval.
///
/// ```
/// use voc_core::impact::contingency::{risk_ratio, Table2x2, TableOptions};
/// let r = risk_ratio(&Table2x2::new(20.0, 80.0, 10.0, 90.0)?, &TableOptions::default())?;
/// assert!(!r.haldane && r.p_value < 0.1 && r.ci.method.name() == "log_wald");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ratio {
    /// The estimate.
    pub estimate: f64,
    /// Standard error of its logarithm.
    pub log_se: f64,
    /// Interval (method [`Method::LogWald`]).
    pub ci: Interval,
    /// Two-sided Wald p-value of ln ratio = 0.
    pub p_value: f64,
    /// Whether 0.5 was added to every cell (Haldane–Anscombe).
    pub haldane: bool,
}

fn log_ratio(estimate: f64, log_se: f64, level: f64, haldane: bool) -> Ratio {
    let (ci, p_value) = log_wald(estimate, log_se, level);
    Ratio {
        estimate,
        log_se,
        ci,
        p_value,
        haldane,
    }
}

/// The log-Wald interval of a ratio `estimate` whose logarithm has standard error `log_se`, and the
/// two-sided Wald p-value of ln ratio = 0.
pub(crate) fn log_wald(estimate: f64, log_se: f64, level: f64) -> (Interval, f64) {
    let z = normal_quantile(0.5 + 0.5 * level);
    let l = estimate.ln();
    let ci = Interval {
        low: (l - z * log_se).exp(),
        high: (l + z * log_se).exp(),
        level,
        method: Method::LogWald,
    };
    (ci, crate::stats::dist::normal_two_sided_p(l / log_se))
}

/// Risk ratio `a/(a+b) ÷ c/(c+d)` with the Katz log interval, as statsmodels
/// `Table2x2(t).riskratio` and `riskratio_confint(alpha)` (tolerance 1e-12 relative).
///
/// ```
/// use voc_core::impact::contingency::{risk_ratio, Table2x2, TableOptions};
/// let rr = risk_ratio(&Table2x2::new(30.0, 70.0, 10.0, 90.0)?, &TableOptions::default())?;
/// assert!((rr.estimate - 3.0).abs() < 1e-12 && rr.ci.contains(3.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn risk_ratio(t: &Table2x2, opts: &TableOptions) -> Result<Ratio> {
    opts.validate()?;
    let (s, haldane) = t.for_logs(opts.zero_cells)?;
    let (n1, n2) = (s.a + s.b, s.c + s.d);
    let rr = (s.a / n1) / (s.c / n2);
    let se = (1.0 / s.a - 1.0 / n1 + 1.0 / s.c - 1.0 / n2)
        .max(0.0)
        .sqrt();
    Ok(log_ratio(rr, se, opts.confidence, haldane))
}

/// Odds ratio `ad/bc` with the Woolf logit interval, as statsmodels `Table2x2(t).oddsratio` and
/// `oddsratio_confint(alpha)` (tolerance 1e-12 relative).
///
/// ```
/// use voc_core::impact::contingency::{odds_ratio, Table2x2, TableOptions, ZeroCells};
/// let or = odds_ratio(&Table2x2::new(30.0, 70.0, 10.0, 90.0)?, &TableOptions::default())?;
/// assert!((or.estimate - 30.0 * 90.0 / 700.0).abs() < 1e-12);
/// // A zero cell is an error unless the Haldane correction is asked for.
/// let zero = Table2x2::new(0.0, 10.0, 5.0, 5.0)?;
/// assert!(odds_ratio(&zero, &TableOptions::default()).is_err());
/// assert!(odds_ratio(&zero, &TableOptions::default().zero_cells(ZeroCells::Haldane))?.haldane);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn odds_ratio(t: &Table2x2, opts: &TableOptions) -> Result<Ratio> {
    opts.validate()?;
    let (s, haldane) = t.for_logs(opts.zero_cells)?;
    let or = (s.a * s.d) / (s.b * s.c);
    let se = (1.0 / s.a + 1.0 / s.b + 1.0 / s.c + 1.0 / s.d).sqrt();
    Ok(log_ratio(or, se, opts.confidence, haldane))
}

/// Everything about a 2×2 table at once; see [`two_by_two`].
///
/// ```
/// use voc_core::impact::contingency::{two_by_two, Table2x2, TableOptions};
/// let r = two_by_two(&Table2x2::new(5.0, 5.0, 5.0, 5.0)?, &TableOptions::default())?;
/// assert_eq!((r.risk_ratio.estimate, r.fisher.p_two_sided), (1.0, 1.0));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TwoByTwo {
    /// The counts (as given, before any Haldane shift).
    pub table: Table2x2,
    /// Event rate of the exposed row, a/(a+b).
    pub risk_exposed: f64,
    /// Event rate of the unexposed row, c/(c+d).
    pub risk_unexposed: f64,
    /// Risk difference with its unpooled Wald interval.
    pub risk_difference: crate::stats::TestResult,
    /// Risk ratio (Katz log interval).
    pub risk_ratio: Ratio,
    /// Odds ratio (Woolf logit interval).
    pub odds_ratio: Ratio,
    /// Pearson chi-square (Yates-corrected when asked).
    pub chi_square: ChiSquare,
    /// Fisher's exact test.
    pub fisher: Fisher,
}

/// Risk difference, ratio, odds ratio, chi-square and Fisher's test of a 2×2 table.
///
/// ```
/// use voc_core::impact::contingency::{two_by_two, Table2x2, TableOptions};
/// let r = two_by_two(&Table2x2::new(30.0, 70.0, 10.0, 90.0)?, &TableOptions::default())?;
/// assert!((r.risk_difference.difference - 0.2).abs() < 1e-12);
/// assert!(r.fisher.p_two_sided < 0.01 && r.chi_square.p_value < 0.01);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn two_by_two(t: &Table2x2, opts: &TableOptions) -> Result<TwoByTwo> {
    opts.validate()?;
    let level = opts.confidence;
    let (n1, n2) = (t.a + t.b, t.c + t.d);
    if !(n1 > 0.0) || !(n2 > 0.0) {
        return Err(Error::Empty {
            arg: if n1 > 0.0 { "unexposed" } else { "exposed" },
            what: "each row of the 2x2 table needs at least one observation",
        });
    }
    let risk_difference = crate::stats::two_proportion_test(
        t.a,
        n1,
        t.c,
        n2,
        &crate::stats::TestOptions { confidence: level },
    )?;
    Ok(TwoByTwo {
        table: *t,
        risk_exposed: t.a / n1,
        risk_unexposed: t.c / n2,
        risk_difference,
        risk_ratio: risk_ratio(t, opts)?,
        odds_ratio: odds_ratio(t, opts)?,
        chi_square: chi_square(as_array(t).view(), opts.yates)?,
        fisher: fisher_exact(t)?,
    })
}

/// Pearson's chi-square test of independence with Cramér's V; see [`chi_square`].
///
/// ```
/// let c = voc_core::impact::contingency::chi_square(ndarray::array![[10.0, 10.0], [10.0, 10.0]].view(), false)?;
/// assert_eq!((c.statistic, c.cramers_v, c.df), (0.0, 0.0, 1));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChiSquare {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Total count.
    pub n: f64,
    /// χ² statistic (Yates-corrected when `yates` and the table has one degree of freedom).
    pub statistic: f64,
    /// Degrees of freedom, (r − 1)(c − 1).
    pub df: usize,
    /// P(χ²_df > statistic).
    pub p_value: f64,
    /// Whether the Yates correction was applied.
    pub yates: bool,
    /// Cramér's V from the uncorrected statistic, in 0..=1.
    pub cramers_v: f64,
    /// Expected counts under independence, row-major (`rows × cols`).
    pub expected: Vec<f64>,
}

/// Chi-square test of an r×c table (rows × columns of counts, any memory layout: C, Fortran or
/// strided), as `scipy.stats.chi2_contingency(observed, correction=yates)`; Cramér's V as
/// `scipy.stats.contingency.association(observed, method="cramer")` (tolerance 1e-12).
///
/// The Yates correction (scipy's default) applies only when the table has one degree of freedom. A
/// zero expected count (an empty row or column) is an error, as in scipy. A bad count is reported at
/// its row-major position.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::contingency::chi_square;
/// // scipy.stats.chi2_contingency([[10, 20, 30], [20, 20, 10]])
/// let table = array![[10.0, 20.0, 30.0], [20.0, 20.0, 10.0]];
/// let r = chi_square(table.view(), true)?;
/// assert_eq!(r.df, 2);
/// assert!((r.statistic - 12.52777777777778).abs() < 1e-12);
/// // The same table stored column-major (Fortran order) gives the same test.
/// let fortran = table.t().as_standard_layout().into_owned();
/// assert_eq!(chi_square(fortran.t(), true)?, r);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn chi_square(observed: ArrayView2<'_, f64>, yates: bool) -> Result<ChiSquare> {
    // `iter()` walks the table in logical row-major order whatever its layout.
    for (index, &value) in observed.iter().enumerate() {
        check_count("observed", index, value)?;
    }
    let (rows, cols) = observed.dim();
    if rows == 0 || cols == 0 {
        return Err(Error::Empty {
            arg: "observed",
            what: "a chi-square test needs a table",
        });
    }
    let mut row_sums = vec![0.0; rows];
    let mut col_sums = vec![0.0; cols];
    for (row, sum) in observed.rows().into_iter().zip(row_sums.iter_mut()) {
        for (&v, c) in row.iter().zip(col_sums.iter_mut()) {
            *sum += v;
            *c += v;
        }
    }
    let n: f64 = row_sums.iter().sum();
    if let Some(r) = row_sums.iter().position(|&s| s == 0.0) {
        return Err(Error::InsufficientData(format!(
            "row {r} of the table is empty, so an expected count is zero"
        )));
    }
    if let Some(c) = col_sums.iter().position(|&s| s == 0.0) {
        return Err(Error::InsufficientData(format!(
            "column {c} of the table is empty, so an expected count is zero"
        )));
    }
    let df = (rows - 1) * (cols - 1);
    let expected: Vec<f64> = row_sums
        .iter()
        .flat_map(|&r| col_sums.iter().map(move |&c| r * c / n))
        .collect();
    let pearson = |correct: bool| -> f64 {
        observed
            .iter()
            .zip(&expected)
            .map(|(&o, &e)| {
                let mut diff = o - e;
                if correct {
                    // scipy: move each observed count up to 0.5 towards its expected count.
                    diff = diff.signum() * (diff.abs() - diff.abs().min(0.5));
                }
                diff * diff / e
            })
            .sum()
    };
    let applied = yates && df == 1;
    let raw = pearson(false);
    let (statistic, p_value) = if df == 0 {
        (0.0, 1.0)
    } else {
        let s = if applied { pearson(true) } else { raw };
        (s, chi2_sf(s, df as f64))
    };
    let k = rows.min(cols) as f64 - 1.0;
    let cramers_v = if k > 0.0 {
        (raw / (n * k)).sqrt().min(1.0)
    } else {
        0.0
    };
    Ok(ChiSquare {
        rows,
        cols,
        n,
        statistic,
        df,
        p_value,
        yates: applied,
        cramers_v,
        expected,
    })
}

/// Fisher's exact test of a 2×2 table; see [`fisher_exact`].
///
/// ```
/// use voc_core::impact::contingency::{fisher_exact, Table2x2};
/// let f = fisher_exact(&Table2x2::new(0.0, 0.0, 3.0, 4.0)?)?;
/// assert!(f.odds_ratio.is_nan() && f.p_two_sided == 1.0); // an empty row, as scipy
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Fisher {
    /// Sample odds ratio ad/bc (∞ when bc = 0 < ad; NaN when a row or column is empty), as scipy.
    pub odds_ratio: f64,
    /// Two-sided p: the probability of tables no more likely than the observed one.
    pub p_two_sided: f64,
    /// P(A ≤ a): evidence that the exposed have fewer events (scipy `alternative="less"`).
    pub p_less: f64,
    /// P(A ≥ a) (scipy `alternative="greater"`).
    pub p_greater: f64,
}

/// Most steps [`fisher_exact`] walks through the distribution of cell `a` given the margins (2²⁵): the
/// walk covers ±39 standard deviations around the mode (every table whose probability is not an exact
/// zero in double precision), so the limit is reached only when that standard deviation exceeds about
/// 430,000, i.e. for tables of roughly 10¹² customers. Such a table raises [`Error::TooLarge`]
/// (use [`chi_square`]).
pub const MAX_FISHER_STEPS: f64 = 33_554_432.0;

/// ln of relative probabilities below which a term is an exact zero in double precision (e⁻⁷⁴⁶ < 2⁻¹⁰⁷⁴).
const LN_ZERO: f64 = -746.0;

/// Tail sums of a unimodal discrete distribution given by its ratios of consecutive probabilities, walked
/// outward from the `mode` (where the relative log-probability is 0) to `lo` and `hi` or until a term
/// underflows: O(steps) time and O(1) memory. `up(x)` is ln P(x + 1)/P(x), `down(x)` ln P(x − 1)/P(x).
fn unimodal_tails(
    (lo, hi, mode, obs): (f64, f64, f64, f64),
    up: impl Fn(f64) -> f64,
    down: impl Fn(f64) -> f64,
) -> Tails {
    // The observed relative log-probability (−∞ once it underflows).
    let mut l_obs = 0.0;
    let mut x = mode;
    while x != obs {
        l_obs += if obs > x { up(x) } else { down(x) };
        x += if obs > x { 1.0 } else { -1.0 };
        if l_obs < LN_ZERO {
            l_obs = f64::NEG_INFINITY;
            break;
        }
    }
    let cut = l_obs + 1e-7_f64.ln_1p();
    let (mut total, mut less, mut greater, mut two) = (0.0, 0.0, 0.0, 0.0);
    let mut add = |x: f64, l: f64| {
        let e = l.exp();
        total += e;
        if x <= obs {
            less += e;
        }
        if x >= obs {
            greater += e;
        }
        if l <= cut {
            two += e;
        }
    };
    add(mode, 0.0);
    let (mut x, mut l) = (mode, 0.0);
    while x < hi {
        l += up(x);
        x += 1.0;
        if l < LN_ZERO {
            break;
        }
        add(x, l);
    }
    let (mut x, mut l) = (mode, 0.0);
    while x > lo {
        l += down(x);
        x -= 1.0;
        if l < LN_ZERO {
            break;
        }
        add(x, l);
    }
    Tails {
        two_sided: (two / total).min(1.0),
        less: (less / total).min(1.0),
        greater: (greater / total).min(1.0),
    }
}

/// Fisher's exact test, as `scipy.stats.fisher_exact(table, alternative)` (tolerance 1e-12 relative).
///
/// The conditional distribution of `a` given the margins is hypergeometric; its probabilities are
/// summed in log space relative to the mode, so tables with thousands of customers neither overflow
/// nor lose the small tail. The two-sided p sums the tables whose probability is at most the observed
/// one's × (1 + 1e-7), the tie rule of R's `fisher.test` (scipy uses 1e-14; the two agree unless two
/// tables' probabilities differ by less than one part in 10⁷). Cost: O(sd) time, where sd is the
/// standard deviation of `a` given the margins (at most √N / 2), and O(1) memory; bounded by
/// [`MAX_FISHER_STEPS`].
///
/// ```
/// use voc_core::impact::contingency::{fisher_exact, Table2x2};
/// // scipy.stats.fisher_exact([[8, 2], [1, 5]])
/// let f = fisher_exact(&Table2x2::new(8.0, 2.0, 1.0, 5.0)?)?;
/// assert!((f.p_two_sided - 0.03496503496503495).abs() < 1e-14);
/// assert_eq!(f.odds_ratio, 20.0);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn fisher_exact(t: &Table2x2) -> Result<Fisher> {
    check_counts("table", &[t.a, t.b, t.c, t.d])?;
    for (i, v) in [t.a, t.b, t.c, t.d].into_iter().enumerate() {
        if v.fract() != 0.0 {
            return Err(Error::NotWhole {
                arg: "table",
                index: i,
                value: v,
            });
        }
    }
    let (n1, n2, m) = (t.a + t.b, t.c + t.d, t.a + t.c);
    if n1 == 0.0 || n2 == 0.0 || m == 0.0 || t.b + t.d == 0.0 {
        return Ok(Fisher {
            odds_ratio: f64::NAN,
            p_two_sided: 1.0,
            p_less: 1.0,
            p_greater: 1.0,
        });
    }
    let odds_ratio = if t.b > 0.0 && t.c > 0.0 {
        t.a * t.d / (t.b * t.c)
    } else {
        f64::INFINITY
    };
    // The walk covers ±39 standard deviations of cell a around its mode: bound that, not the support.
    let big_n = n1 + n2;
    let sd = (n1 * n2 * m * (big_n - m) / (big_n * big_n * (big_n - 1.0))).sqrt();
    if !(80.0 * sd <= MAX_FISHER_STEPS) || !big_n.is_finite() {
        return Err(Error::too_large(
            "table",
            t.total(),
            "about 10^12 customers (MAX_FISHER_STEPS)",
            "too large for Fisher's exact test (the distribution of the table given its margins is too \
             wide to sum); use the chi-square test",
        ));
    }
    let lo = (m - n2).max(0.0);
    let hi = n1.min(m);
    let mode = (((m + 1.0) * (n1 + 1.0)) / (big_n + 2.0))
        .floor()
        .clamp(lo, hi);
    // pmf(x+1)/pmf(x) = (n1 − x)(m − x) / ((x + 1)(n2 − m + x + 1)), and its inverse one step down.
    let tails = unimodal_tails(
        (lo, hi, mode, t.a),
        |x| ((n1 - x) * (m - x)).ln() - ((x + 1.0) * (n2 - m + x + 1.0)).ln(),
        |x| (x * (n2 - m + x)).ln() - ((n1 - x + 1.0) * (m - x + 1.0)).ln(),
    );
    Ok(Fisher {
        odds_ratio,
        p_two_sided: tails.two_sided,
        p_less: tails.less,
        p_greater: tails.greater,
    })
}

/// P-values of an observation at position `obs` of a discrete distribution given by relative
/// log-probabilities (any constant offset).
struct Tails {
    /// Sum of the probabilities no larger than the observed one × (1 + 1e-7) (the "minlike" rule).
    pub two_sided: f64,
    /// P(X ≤ obs).
    pub less: f64,
    /// P(X ≥ obs).
    pub greater: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_tails_sum_like_the_closed_form() {
        // 2x2 [[3, 1], [1, 3]]: P(a = k) ∝ C(4, k) C(4, 4 − k) = 1, 16, 36, 16, 1 (of 70).
        let f = fisher_exact(&Table2x2::new(3.0, 1.0, 1.0, 3.0).unwrap()).unwrap();
        assert!((f.p_greater - 17.0 / 70.0).abs() < 1e-15);
        assert!((f.p_less - 69.0 / 70.0).abs() < 1e-15);
        assert!((f.p_two_sided - 34.0 / 70.0).abs() < 1e-15);
    }

    #[test]
    fn fisher_on_a_hundred_and_sixty_million_customers_takes_constant_memory_and_little_time() {
        // Formerly "too large" (over 2^25 possible tables) and ~0.5 GB; now a walk of ±39 sd.
        let t = std::time::Instant::now();
        let f = fisher_exact(&Table2x2::new(4e7, 4e7, 4e7, 4e7).unwrap()).unwrap();
        assert_eq!(f.p_two_sided, 1.0);
        assert!((f.p_less - 0.5).abs() < 1e-3 && (f.p_greater - 0.5).abs() < 1e-3);
        let g = fisher_exact(&Table2x2::new(4e7 + 20_000.0, 4e7, 4e7, 4e7).unwrap()).unwrap();
        // scipy 1.17: fisher_exact([[40_020_000, 4e7], [4e7, 4e7]]).pvalue; the two differ by 2.3e-8
        // relative (scipy is 3e-10 off at two million customers, see above).
        assert!(
            (g.p_two_sided / 0.11394119875284497 - 1.0).abs() < 1e-7,
            "{}",
            g.p_two_sided
        );
        assert!(t.elapsed().as_secs_f64() < 2.0);
    }

    #[test]
    fn fisher_on_two_million_customers_matches_fifty_digit_arithmetic() {
        // The hypergeometric recurrence summed in 50-digit decimal arithmetic (Python `decimal`,
        // the same minlike rule): 6.8017994017094267e-42. scipy 1.17 gives 6.80179940381e-42 (3e-10 off).
        let f = fisher_exact(&Table2x2::new(12_000.0, 988_000.0, 10_000.0, 990_000.0).unwrap())
            .unwrap();
        let exact = 6.801_799_401_709_426e-42;
        assert!(
            (f.p_two_sided - exact).abs() / exact < 1e-12,
            "{:e}",
            f.p_two_sided
        );
    }

    #[test]
    fn yates_is_applied_only_with_one_degree_of_freedom() {
        // Margins too wide for the exact test are an error, not an overflow.
        let huge = Table2x2::new(1e300, 1.0, 1.0, 1e300).unwrap();
        assert!(matches!(
            fisher_exact(&huge),
            Err(Error::TooLarge { arg: "table", .. })
        ));
        assert!(fisher_exact(&Table2x2::new(1e13, 1e13, 1e13, 1e13).unwrap()).is_err());
        let c = chi_square(ndarray::array![[10.0, 20.0], [30.0, 20.0]].view(), true).unwrap();
        assert!(c.yates);
        let r = chi_square(
            ndarray::array![[10.0, 20.0, 30.0], [20.0, 20.0, 10.0]].view(),
            true,
        )
        .unwrap();
        assert!(!r.yates);
        assert!(chi_square(ndarray::array![[1.0, 0.0], [2.0, 0.0]].view(), true).is_err());
    }
}
