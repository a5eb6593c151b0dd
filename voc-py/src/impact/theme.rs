//! Bindings: theme impact: churn of customers who raised a theme against those who did not, ranked.

use pyo3::prelude::*;
use pyo3::types::PyString;
use voc_core::Error;
use voc_core::impact::contingency::ZeroCells;
use voc_core::impact::theme::{self as core, ThemeOptions, ThemeTest};
use voc_core::stats::Adjustment;

use crate::convert::{self, Buf, numbers_or_bools as numbers};
use crate::error::IntoPy;
use crate::table::{Table, TableBuilder};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_theme_impact, m)?)?;
    Ok(())
}

/// The theme columns: `themes` is a column prefix (every column of `data` starting with it, keyed by
/// the rest of the name, leaving out `exclude`) or a list of column names (or columns) of `data`.
pub(crate) fn theme_columns<'py>(
    data: &Bound<'py, PyAny>,
    themes: &Bound<'py, PyAny>,
    exclude: &[String],
) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let py = data.py();
    if let Ok(prefix) = themes.cast::<PyString>() {
        let prefix = convert::text_of(prefix.as_any(), "themes")?;
        let cols = convert::prefixed(data, prefix, exclude)?;
        if cols.is_empty() {
            let names = convert::names_of(data)?;
            return Err(Error::option(
                "themes",
                format!("{prefix:?}"),
                format!("no column starts with it (columns: {names:?})"),
            ))
            .py_err(py);
        }
        return Ok(cols);
    }
    let (names, cols) = convert::role_list(Some(data), themes, "themes")?;
    Ok(names.into_iter().zip(cols).collect())
}

/// Theme impact table, ranked by excess revenue.
#[pyfunction]
#[pyo3(signature = (data, themes, churned, value, exclude, confidence, test, adjust, zero_cells))]
#[allow(clippy::too_many_arguments)]
fn _impact_theme_impact<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    themes: &Bound<'py, PyAny>,
    churned: &Bound<'py, PyAny>,
    value: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::texts)] exclude: Vec<String>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] test: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] adjust: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] zero_cells: &str,
) -> PyResult<Table> {
    let opts = ThemeOptions::default()
        .confidence(confidence)
        .test(test.parse::<ThemeTest>().py_err(py)?)
        .adjust(adjust.parse::<Adjustment>().py_err(py)?)
        .zero_cells(zero_cells.parse::<ZeroCells>().py_err(py)?);
    let themes = theme_columns(data, themes, &exclude)?;
    let churned = convert::given(Some(data), churned, "churned")?;
    let value = convert::optional(Some(data), value, "value")?;
    let mut cols: Vec<(String, Buf<'py, f64>)> = Vec::new();
    for (k, v) in &themes {
        let col = numbers(v, "themes").map_err(|e| convert::column_error(py, e, "themes", k))?;
        cols.push((k.clone(), col.nulls_as_nan().into_f64()));
    }
    let churned = numbers(&churned, "churned")?.nulls_as_nan().into_f64();
    let value = value
        .map(|v| Ok::<_, PyErr>(numbers(&v, "value")?.nulls_as_nan().into_f64()))
        .transpose()?;
    let (cs, vs) = (churned.as_slice(), value.as_ref().map(Buf::as_slice));
    // The theme columns are read in place (copying them into one matrix would cost as much as the
    // whole computation); `theme_impact` on a matrix gives the same result.
    let named: Vec<(&str, &[f64])> = cols
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let out = crate::guard::detach(py, "voc.impact.theme_impact", || {
        core::theme_impact_columns(&named, cs, vs, &opts)
    })
    .py_err(py)?;
    let mut b = TableBuilder::new(py);
    let labels: Vec<Option<&str>> = out.iter().map(|t| Some(t.theme.as_str())).collect();
    b.strings("theme", &labels)?;
    b.field("n_raised", &out, |t| t.n_raised);
    b.field("n_not", &out, |t| t.n_not);
    b.field("churned_raised", &out, |t| t.churned_raised);
    b.field("churned_not", &out, |t| t.churned_not);
    b.field("rate_raised", &out, |t| t.rate_raised.unwrap_or(f64::NAN));
    b.field("rate_not", &out, |t| t.rate_not.unwrap_or(f64::NAN));
    b.field("risk_ratio", &out, |t| {
        t.risk_ratio.map_or(f64::NAN, |r| r.estimate)
    });
    b.field("risk_ratio_ci_low", &out, |t| {
        t.risk_ratio.map_or(f64::NAN, |r| r.ci.low)
    });
    b.field("risk_ratio_ci_high", &out, |t| {
        t.risk_ratio.map_or(f64::NAN, |r| r.ci.high)
    });
    b.field("risk_difference", &out, |t| {
        t.risk_difference.unwrap_or(f64::NAN)
    });
    b.field("risk_difference_ci_low", &out, |t| {
        t.risk_difference_ci.map_or(f64::NAN, |c| c.low)
    });
    b.field("risk_difference_ci_high", &out, |t| {
        t.risk_difference_ci.map_or(f64::NAN, |c| c.high)
    });
    b.field("p_value", &out, |t| t.p_value);
    b.field("p_adjusted", &out, |t| t.p_adjusted);
    b.field("value_raised", &out, |t| t.value_raised);
    b.field("revenue_at_risk", &out, |t| t.revenue_at_risk);
    b.field("excess_churners", &out, |t| t.excess_churners);
    b.field("excess_revenue", &out, |t| t.excess_revenue);
    Ok(b.finish("theme_impact", None))
}
