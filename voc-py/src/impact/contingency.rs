//! Bindings: contingency tables: relative risk, odds ratio, chi-square with Cramér's V, Fisher's exact test.
//!
//! Results cross as flat dicts (`voc.impact` wraps them in a small frozen, picklable result class); the
//! helpers here flatten the core's intervals, ratios and tests the same way for every function.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::impact::contingency::{self as core, Ratio, Table2x2, TableOptions, ZeroCells};
use voc_core::stats::{Interval, Share, TestResult};

use crate::error::IntoPy;

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_two_by_two, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_chi_square, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_fisher_exact, m)?)?;
    Ok(())
}

/// `{p}_low`, `{p}_high`, `{p}_method` (and `level`).
pub(super) fn put_ci(d: &Bound<'_, PyDict>, p: &str, ci: &Interval) -> PyResult<()> {
    d.set_item(format!("{p}_low"), ci.low)?;
    d.set_item(format!("{p}_high"), ci.high)?;
    d.set_item(format!("{p}_method"), ci.method.name())?;
    d.set_item("confidence", ci.level)?;
    Ok(())
}

/// A ratio: `{p}`, its interval, `{p}_log_se`, `{p}_p_value`, `{p}_haldane`.
pub(super) fn put_ratio(d: &Bound<'_, PyDict>, p: &str, r: &Ratio) -> PyResult<()> {
    d.set_item(p, r.estimate)?;
    put_ci(d, &format!("{p}_ci"), &r.ci)?;
    d.set_item(format!("{p}_log_se"), r.log_se)?;
    d.set_item(format!("{p}_p_value"), r.p_value)?;
    d.set_item(format!("{p}_haldane"), r.haldane)?;
    Ok(())
}

/// A test of a difference: `{p}`, `{p}_se`, `{p}_statistic`, `{p}_df`, `{p}_p_value`, interval.
pub(super) fn put_test(d: &Bound<'_, PyDict>, p: &str, t: &TestResult) -> PyResult<()> {
    d.set_item(p, t.difference)?;
    d.set_item(format!("{p}_se"), t.se)?;
    d.set_item(format!("{p}_statistic"), t.statistic)?;
    d.set_item(format!("{p}_df"), t.df)?;
    d.set_item(format!("{p}_p_value"), t.p_value)?;
    put_ci(d, &format!("{p}_ci"), &t.ci)
}

/// A proportion: `{p}`, `{p}_n`, `{p}_events` and its interval.
pub(super) fn put_share(d: &Bound<'_, PyDict>, p: &str, s: &Share) -> PyResult<()> {
    d.set_item(p, s.estimate)?;
    d.set_item(format!("{p}_events"), s.successes)?;
    d.set_item(format!("{p}_n"), s.n)?;
    put_ci(d, &format!("{p}_ci"), &s.ci)
}

fn put_chi(d: &Bound<'_, PyDict>, c: &core::ChiSquare) -> PyResult<()> {
    d.set_item("chi2", c.statistic)?;
    d.set_item("chi2_df", c.df)?;
    d.set_item("chi2_p_value", c.p_value)?;
    d.set_item("yates", c.yates)?;
    d.set_item("cramers_v", c.cramers_v)?;
    d.set_item("n", c.n)?;
    d.set_item("expected", c.expected.clone())?;
    Ok(())
}

fn put_fisher(d: &Bound<'_, PyDict>, f: &core::Fisher) -> PyResult<()> {
    d.set_item("fisher_odds_ratio", f.odds_ratio)?;
    d.set_item("fisher_p_value", f.p_two_sided)?;
    d.set_item("fisher_p_less", f.p_less)?;
    d.set_item("fisher_p_greater", f.p_greater)?;
    Ok(())
}

/// Everything about a 2×2 table into `d` (shared with the outcome bindings).
pub(super) fn put_two_by_two(d: &Bound<'_, PyDict>, r: &core::TwoByTwo) -> PyResult<()> {
    let t = r.table;
    d.set_item("table", vec![vec![t.a, t.b], vec![t.c, t.d]])?;
    d.set_item("risk_exposed", r.risk_exposed)?;
    d.set_item("risk_unexposed", r.risk_unexposed)?;
    put_test(d, "risk_difference", &r.risk_difference)?;
    put_ratio(d, "risk_ratio", &r.risk_ratio)?;
    put_ratio(d, "odds_ratio", &r.odds_ratio)?;
    put_chi(d, &r.chi_square)?;
    put_fisher(d, &r.fisher)
}

/// Risk difference, risk ratio, odds ratio, chi-square and Fisher of a 2×2 table.
#[pyfunction]
#[pyo3(signature = (cells, confidence, yates, zero_cells))]
fn _impact_two_by_two<'py>(
    py: Python<'py>,
    cells: [f64; 4],
    confidence: f64,
    yates: bool,
    zero_cells: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let zero = zero_cells.parse::<ZeroCells>().py_err(py)?;
    let opts = TableOptions::default()
        .confidence(confidence)
        .yates(yates)
        .zero_cells(zero);
    let t = Table2x2::new(cells[0], cells[1], cells[2], cells[3]).py_err(py)?;
    let r = core::two_by_two(&t, &opts).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("zero_cells", zero_cells)?;
    put_two_by_two(&d, &r)?;
    Ok(d)
}

/// Chi-square test and Cramér's V of an r×c table (a numpy array of any layout, a DataFrame or nested
/// lists), read as a view.
#[pyfunction]
#[pyo3(signature = (table, yates))]
fn _impact_chi_square<'py>(
    py: Python<'py>,
    table: &Bound<'py, PyAny>,
    yates: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let arr = crate::matrix::matrix(table, "table")?;
    let view = arr.as_array();
    let c = py.detach(|| core::chi_square(view, yates)).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("rows", c.rows)?;
    d.set_item("cols", c.cols)?;
    put_chi(&d, &c)?;
    Ok(d)
}

/// Fisher's exact test of a 2×2 table.
#[pyfunction]
#[pyo3(signature = (cells,))]
fn _impact_fisher_exact<'py>(py: Python<'py>, cells: [f64; 4]) -> PyResult<Bound<'py, PyDict>> {
    let t = Table2x2::new(cells[0], cells[1], cells[2], cells[3]).py_err(py)?;
    let f = core::fisher_exact(&t).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("table", vec![vec![t.a, t.b], vec![t.c, t.d]])?;
    put_fisher(&d, &f)?;
    Ok(d)
}
