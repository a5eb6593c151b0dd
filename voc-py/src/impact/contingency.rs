//! Bindings: contingency tables: relative risk, odds ratio, chi-square with Cramér's V, Fisher's exact test.

use pyo3::prelude::*;
use voc_core::impact::contingency::{self as core, Table2x2, TableOptions, ZeroCells};

use crate::error::IntoPy;
use crate::impact_result;

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ContingencyResult>()?;
    m.add_class::<ChiSquareResult>()?;
    m.add_class::<FisherResult>()?;
    m.add_function(wrap_pyfunction!(_impact_two_by_two, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_chi_square, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_fisher_exact, m)?)?;
    Ok(())
}

impact_result! {
    /// Everything about a 2×2 table (see `voc.impact.contingency`): the risk difference with its Wald
    /// interval and z test (`estimate`, `se`, `ci_low`, `ci_high`, `statistic`, `p_value`), the risk
    /// and odds ratios, the chi-square test with Cramér's V and Fisher's exact test.
    ContingencyResult {
        /// The table [[a, b], [c, d]] (rows exposed / unexposed, columns event / no event).
        table: Vec<Vec<f64>>,
        /// Customers in the table.
        n: f64,
        /// Level of every interval.
        confidence: f64,
        /// Risk difference, exposed − unexposed.
        estimate: f64,
        /// Its standard error (Wald).
        se: f64,
        /// z statistic of the risk difference.
        statistic: f64,
        /// Two-sided p of the z test.
        p_value: f64,
        /// Lower end of the Wald interval of the risk difference.
        ci_low: f64,
        /// Upper end of the Wald interval of the risk difference.
        ci_high: f64,
        /// Risk of the exposed, a / (a + b).
        risk_exposed: f64,
        /// Risk of the unexposed, c / (c + d).
        risk_unexposed: f64,
        /// Risk ratio (Katz log interval).
        risk_ratio: f64,
        /// Lower end of the risk ratio's interval.
        risk_ratio_ci_low: f64,
        /// Upper end of the risk ratio's interval.
        risk_ratio_ci_high: f64,
        /// p of the log risk ratio's Wald test.
        risk_ratio_p_value: f64,
        /// Odds ratio (Woolf logit interval).
        odds_ratio: f64,
        /// Lower end of the odds ratio's interval.
        odds_ratio_ci_low: f64,
        /// Upper end of the odds ratio's interval.
        odds_ratio_ci_high: f64,
        /// p of the log odds ratio's Wald test.
        odds_ratio_p_value: f64,
        /// Whether the ratios used the Haldane correction (0.5 added to every cell).
        haldane: bool,
        /// Chi-square statistic (Yates-corrected when `yates`).
        chi2: f64,
        /// Its degrees of freedom.
        chi2_df: usize,
        /// Its p-value.
        chi2_p_value: f64,
        /// Whether Yates' correction was applied.
        yates: bool,
        /// Cramér's V.
        cramers_v: f64,
        /// Sample odds ratio ad / bc (as `scipy.stats.fisher_exact`).
        fisher_odds_ratio: f64,
        /// Two-sided p of Fisher's exact test.
        fisher_p_value: f64,
        /// One-sided p (odds ratio < 1).
        fisher_p_less: f64,
        /// One-sided p (odds ratio > 1).
        fisher_p_greater: f64,
        /// What was done with empty cells ("error" or "haldane").
        zero_cells: String,
    }
}

impact_result! {
    /// Pearson's chi-square test of an r × c table with Cramér's V (see `voc.impact.chi_square`).
    ChiSquareResult {
        /// Chi-square statistic.
        statistic: f64,
        /// Degrees of freedom, (r − 1)(c − 1).
        df: usize,
        /// p-value.
        p_value: f64,
        /// Whether Yates' correction was applied (one degree of freedom only).
        yates: bool,
        /// Cramér's V.
        cramers_v: f64,
        /// Total count.
        n: f64,
        /// Rows of the table.
        rows: usize,
        /// Columns of the table.
        cols: usize,
        /// Expected counts under independence, row by row.
        expected: Vec<Vec<f64>>,
    }
}

impact_result! {
    /// Fisher's exact test of a 2×2 table (see `voc.impact.fisher_exact`).
    FisherResult {
        /// The table [[a, b], [c, d]].
        table: Vec<Vec<f64>>,
        /// Sample odds ratio ad / bc (scipy's statistic).
        estimate: f64,
        /// Two-sided p.
        p_value: f64,
        /// One-sided p (odds ratio < 1).
        p_less: f64,
        /// One-sided p (odds ratio > 1).
        p_greater: f64,
    }
}

fn rows(t: &Table2x2) -> Vec<Vec<f64>> {
    vec![vec![t.a, t.b], vec![t.c, t.d]]
}

impl ContingencyResult {
    /// The result of the core's 2×2 analysis.
    pub(super) fn new(r: &core::TwoByTwo, zero_cells: &str) -> Self {
        let (d, rr, or, c, f) = (
            &r.risk_difference,
            &r.risk_ratio,
            &r.odds_ratio,
            &r.chi_square,
            &r.fisher,
        );
        ContingencyResult {
            table: rows(&r.table),
            n: c.n,
            confidence: d.ci.level,
            estimate: d.difference,
            se: d.se,
            statistic: d.statistic,
            p_value: d.p_value,
            ci_low: d.ci.low,
            ci_high: d.ci.high,
            risk_exposed: r.risk_exposed,
            risk_unexposed: r.risk_unexposed,
            risk_ratio: rr.estimate,
            risk_ratio_ci_low: rr.ci.low,
            risk_ratio_ci_high: rr.ci.high,
            risk_ratio_p_value: rr.p_value,
            odds_ratio: or.estimate,
            odds_ratio_ci_low: or.ci.low,
            odds_ratio_ci_high: or.ci.high,
            odds_ratio_p_value: or.p_value,
            haldane: rr.haldane || or.haldane,
            chi2: c.statistic,
            chi2_df: c.df,
            chi2_p_value: c.p_value,
            yates: c.yates,
            cramers_v: c.cramers_v,
            fisher_odds_ratio: f.odds_ratio,
            fisher_p_value: f.p_two_sided,
            fisher_p_less: f.p_less,
            fisher_p_greater: f.p_greater,
            zero_cells: zero_cells.to_owned(),
        }
    }
}

/// Risk difference, risk ratio, odds ratio, chi-square and Fisher of a 2×2 table (a 2 × 2 numpy
/// array of any layout, a DataFrame or nested lists).
#[pyfunction]
#[pyo3(signature = (table, confidence, yates, zero_cells))]
fn _impact_two_by_two(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::flag)] yates: bool,
    #[pyo3(from_py_with = crate::convert_args::text)] zero_cells: &str,
) -> PyResult<ContingencyResult> {
    let zero = zero_cells.parse::<ZeroCells>().py_err(py)?;
    let opts = TableOptions::default()
        .confidence(confidence)
        .yates(yates)
        .zero_cells(zero);
    let t = two_by_two_cells(py, table)?;
    let r = crate::guard::run(py, "voc.impact.two_by_two", || core::two_by_two(&t, &opts))?
        .py_err(py)?;
    Ok(ContingencyResult::new(&r, zero_cells))
}

/// The four cells of a 2 × 2 table, read through the one matrix reader.
fn two_by_two_cells(py: Python<'_>, table: &Bound<'_, PyAny>) -> PyResult<Table2x2> {
    let arr = crate::matrix::matrix(table, "table")?;
    Table2x2::from_matrix(arr.as_array()).py_err(py)
}

/// Chi-square test and Cramér's V of an r×c table (a numpy array of any layout, a DataFrame or nested
/// lists), read as a view.
#[pyfunction]
#[pyo3(signature = (table, yates))]
fn _impact_chi_square(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::flag)] yates: bool,
) -> PyResult<ChiSquareResult> {
    let arr = crate::matrix::matrix(table, "table")?;
    let view = arr.as_array();
    let c = crate::guard::detach(py, "voc.impact.chi_square", || {
        core::chi_square(view, yates)
    })
    .py_err(py)?;
    Ok(ChiSquareResult {
        statistic: c.statistic,
        df: c.df,
        p_value: c.p_value,
        yates: c.yates,
        cramers_v: c.cramers_v,
        n: c.n,
        rows: c.rows,
        cols: c.cols,
        expected: c
            .expected
            .chunks(c.cols.max(1))
            .map(<[f64]>::to_vec)
            .collect(),
    })
}

/// Fisher's exact test of a 2×2 table.
#[pyfunction]
#[pyo3(signature = (table,))]
fn _impact_fisher_exact(py: Python<'_>, table: &Bound<'_, PyAny>) -> PyResult<FisherResult> {
    let t = two_by_two_cells(py, table)?;
    let f = crate::guard::detach(py, "voc.impact.fisher_exact", || core::fisher_exact(&t))
        .py_err(py)?;
    Ok(FisherResult {
        table: rows(&t),
        estimate: f.odds_ratio,
        p_value: f.p_two_sided,
        p_less: f.p_less,
        p_greater: f.p_greater,
    })
}
