//! Bindings: correlation with p-values and intervals: Pearson, Spearman, Kendall tau-b/tau-c, point-biserial, matrices.
//!
//! The matrix's columns are picked by name from the `data` table (default: every numeric column);
//! they are laid
//! side by side in one column-major matrix (one copy, as the null-to-NaN fill needs one anyway), and
//! the core reads its columns in place through an `ndarray` view.

use numpy::ndarray::{Array2, ShapeBuilder};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::impact::correlation::{
    self as core, Alternative, Correlation, CorrelationMethod, CorrelationOptions, KendallVariant,
};
use voc_core::{Error, MissingPolicy};

use crate::convert::{self, Buf, missing_policy, numbers_or_bools as numbers};
use crate::error::{IntoPy, raise_named};
use crate::table::{Table, TableBuilder};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CorrelationResult>()?;
    m.add_class::<CorrelationMatrix>()?;
    m.add_function(wrap_pyfunction!(_impact_correlation, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_correlation_matrix, m)?)?;
    Ok(())
}

/// A correlation coefficient with its p-value and confidence interval (see `voc.impact.correlation`).
#[pyclass(frozen, name = "CorrelationResult", module = "voc._voc")]
pub struct CorrelationResult {
    inner: Correlation,
}

crate::pickled!(CorrelationResult);

fn p_text(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

#[pymethods]
impl CorrelationResult {
    /// The coefficient (r, rho or tau).
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.estimate
    }
    /// Test statistic: t (n − 2 df) for pearson, spearman, point_biserial; z for kendall.
    #[getter]
    fn statistic(&self) -> f64 {
        self.inner.statistic
    }
    /// p-value under `alternative`.
    #[getter]
    fn p_value(&self) -> f64 {
        self.inner.p_value
    }
    /// Lower end of the Fisher-z interval.
    #[getter]
    fn ci_low(&self) -> f64 {
        self.inner.ci_low
    }
    /// Upper end of the Fisher-z interval.
    #[getter]
    fn ci_high(&self) -> f64 {
        self.inner.ci_high
    }
    /// The interval (low, high).
    #[getter]
    fn ci(&self) -> (f64, f64) {
        (self.inner.ci_low, self.inner.ci_high)
    }
    /// Confidence level of the interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence
    }
    /// Number of pairs used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }
    /// Pairs left out because x or y was missing (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.n_missing
    }
    /// "pearson", "spearman", "kendall" or "point_biserial".
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.name()
    }
    /// Kendall variant ("b" or "c"), else None.
    #[getter]
    fn variant(&self) -> Option<&'static str> {
        self.inner.variant.map(KendallVariant::name)
    }
    /// "two-sided", "less" or "greater".
    #[getter]
    fn alternative(&self) -> &'static str {
        self.inner.alternative.name()
    }
    /// How the p-value was computed: "t", "exact" or "normal".
    #[getter]
    fn p_method(&self) -> &'static str {
        self.inner.p_method.name()
    }
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("method", self.method())?;
        d.set_item("variant", self.variant())?;
        d.set_item("estimate", self.estimate())?;
        d.set_item("statistic", self.statistic())?;
        d.set_item("p_value", self.p_value())?;
        d.set_item("p_method", self.p_method())?;
        d.set_item("alternative", self.alternative())?;
        d.set_item("ci_low", self.ci_low())?;
        d.set_item("ci_high", self.ci_high())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let c = &self.inner;
        let name = match c.variant {
            Some(v) => format!("{} tau-{}", c.method.name(), v.name()),
            None => c.method.name().to_owned(),
        };
        format!(
            "CorrelationResult({name}: estimate={:.4}, ci=({:.4}, {:.4}) [{:.0}%], p_value={} ({}, {}), n={})",
            c.estimate,
            c.ci_low,
            c.ci_high,
            100.0 * c.confidence,
            p_text(c.p_value),
            c.p_method.name(),
            c.alternative.name(),
            c.n
        )
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        super::results::html("CorrelationResult", &self.to_dict(py)?)
    }
}

fn options(
    method: &str,
    alternative: &str,
    confidence: f64,
    variant: &str,
) -> Result<CorrelationOptions, Error> {
    let o = CorrelationOptions::default()
        .method(method.parse::<CorrelationMethod>()?)
        .alternative(alternative.parse::<Alternative>()?)
        .confidence(confidence)
        .variant(variant.parse::<KendallVariant>()?);
    o.validate()?;
    Ok(o)
}

fn column<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<(Buf<'py, f64>, Vec<usize>)> {
    let col = numbers(obj, arg)?;
    Ok((col.data.into_f64(), col.nulls))
}

/// Correlation of two columns (see `voc.impact.correlation`).
#[pyfunction]
#[pyo3(signature = (data, x, y, /, method, alternative, confidence, variant, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _impact_correlation(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] alternative: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] variant: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<CorrelationResult> {
    let o = options(method, alternative, confidence, variant)
        .and_then(|o| Ok(o.missing(missing_policy(missing)?)))
        .py_err(py)?;
    let (x, y) = (convert::given(data, x, "x")?, convert::given(data, y, "y")?);
    // Nulls are NaN: missing values the core rejects (naming the position) or leaves out.
    let xs = numbers(&x, "x")?.nulls_as_nan().into_f64();
    let ys = numbers(&y, "y")?.nulls_as_nan().into_f64();
    let (xs, ys) = (xs.as_slice(), ys.as_slice());
    let r = crate::guard::detach(py, "voc.impact.correlation", || core::correlate(xs, ys, &o))
        .py_err(py)?;
    Ok(CorrelationResult { inner: r })
}

/// Correlations of every pair of columns of a table (see `voc.impact.correlation_matrix`): long-form
/// `pairs` and square tables of estimates, p-values and pair counts.
#[pyclass(frozen, module = "voc._voc")]
pub struct CorrelationMatrix {
    /// One row per pair of columns (`a`, `b`, `estimate`, `p_value`, `ci_low`, `ci_high`, `n`), a before
    /// b in input order.
    #[pyo3(get)]
    pairs: Py<Table>,
    /// Square table of coefficients: a `column` column, then one column per input column.
    #[pyo3(get)]
    estimate: Py<Table>,
    /// Square table of p-values (same layout).
    #[pyo3(get)]
    p_value: Py<Table>,
    /// Square table of rows used per pair (same layout).
    #[pyo3(get)]
    n: Py<Table>,
    /// Rows left out listwise (`missing="skip"`; 0 otherwise).
    #[pyo3(get)]
    n_missing: usize,
    /// "pearson", "spearman" or "kendall".
    #[pyo3(get)]
    method: &'static str,
    /// "two-sided", "less" or "greater".
    #[pyo3(get)]
    alternative: &'static str,
    /// "error", "skip" (listwise) or "pairwise".
    #[pyo3(get)]
    missing: String,
    /// Level of the pairs' intervals.
    #[pyo3(get)]
    confidence: f64,
}

#[pymethods]
impl CorrelationMatrix {
    /// The fields as a plain dict (tables as Tables).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("pairs", self.pairs.clone_ref(py))?;
        d.set_item("estimate", self.estimate.clone_ref(py))?;
        d.set_item("p_value", self.p_value.clone_ref(py))?;
        d.set_item("n", self.n.clone_ref(py))?;
        d.set_item("n_missing", self.n_missing)?;
        d.set_item("method", self.method)?;
        d.set_item("alternative", self.alternative)?;
        d.set_item("missing", &self.missing)?;
        d.set_item("confidence", self.confidence)?;
        crate::results::json_dict(d)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "CorrelationMatrix({}, {} pairs, n_missing={}; estimate, p_value, n: square tables)",
            self.method,
            self.pairs.bind(py).len().unwrap_or(0),
            self.n_missing
        )
    }
    /// Equal when every field and every table is the same (floats bit for bit).
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(o) = other.cast::<Self>() else {
            return Ok(false);
        };
        let o = o.get();
        let scalars = self.n_missing == o.n_missing
            && self.method == o.method
            && self.alternative == o.alternative
            && self.missing == o.missing
            && self.confidence.to_bits() == o.confidence.to_bits();
        Ok(scalars
            && self.pairs.get().same(py, o.pairs.get())?
            && self.estimate.get().same(py, o.estimate.get())?
            && self.p_value.get().same(py, o.p_value.get())?
            && self.n.get().same(py, o.n.get())?)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let inner: String = self.estimate.call_method0(py, "_repr_html_")?.extract(py)?;
        Ok(format!(
            "<p>{} correlations (p-values in <code>.p_value</code>, pairs in <code>.pairs</code>)</p>{inner}",
            crate::table::escape(self.method)
        ))
    }
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, pyo3::types::PyTuple>)> {
        let args = (
            self.pairs.clone_ref(py),
            self.estimate.clone_ref(py),
            self.p_value.clone_ref(py),
            self.n.clone_ref(py),
            self.n_missing,
            self.method,
            self.alternative,
            self.missing.clone(),
            self.confidence,
        )
            .into_pyobject(py)?;
        Ok((py.get_type::<Self>().getattr("_from_parts")?, args))
    }
    /// Rebuilds a matrix from its parts (pickling).
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn _from_parts(
        py: Python<'_>,
        pairs: Py<Table>,
        estimate: Py<Table>,
        p_value: Py<Table>,
        n: Py<Table>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_missing: usize,
        #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
        #[pyo3(from_py_with = crate::convert_args::text)] alternative: &str,
        #[pyo3(from_py_with = crate::convert_args::string)] missing: String,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    ) -> PyResult<Self> {
        let o = options(method, alternative, confidence, "b").py_err(py)?;
        Ok(CorrelationMatrix {
            pairs,
            estimate,
            p_value,
            n,
            n_missing,
            method: o.method.name(),
            alternative: o.alternative.name(),
            missing,
            confidence: o.confidence,
        })
    }
}

/// Correlation matrix of the columns of a table: (pairs, r, p, n) tables (see
/// `voc.impact.correlation_matrix`). `columns` names them (default: every column the number reader
/// reads: bools, integers, floats).
#[pyfunction]
#[pyo3(signature = (data, columns, /, method, missing, alternative, variant, confidence))]
#[allow(clippy::too_many_arguments)]
pub fn _impact_correlation_matrix(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::opt_texts)] columns: Option<Vec<String>>,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] alternative: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] variant: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<CorrelationMatrix> {
    let all = convert::names_of(data)?;
    let names: Vec<String> = match columns {
        Some(c) => c,
        None => {
            let mut numeric = Vec::new();
            for name in all {
                let col = data.get_item(&name)?;
                if numbers(&col, "columns").is_ok() {
                    numeric.push(name);
                }
            }
            numeric
        }
    };
    let columns = names
        .iter()
        .map(|n| {
            convert::given(
                Some(data),
                &pyo3::types::PyString::new(py, n).into_any(),
                "columns",
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    let o = options(method, alternative, confidence, variant).py_err(py)?;
    let (policy, listwise) = match missing {
        "error" => (MissingPolicy::Error, false),
        "skip" => (MissingPolicy::Skip, true),
        "pairwise" => (MissingPolicy::Skip, false),
        other => {
            return Err(Error::option(
                "missing",
                format!("{other:?}"),
                "expected \"error\", \"skip\" (rows complete in every column) or \"pairwise\"",
            ))
            .py_err(py);
        }
    };
    let o = o.missing(policy).listwise(listwise);
    // One column-major buffer: column j is values[j * rows..(j + 1) * rows].
    let mut values: Vec<f64> = Vec::new();
    let mut rows: Option<usize> = None;
    for (j, (name, obj)) in names.iter().zip(&columns).enumerate() {
        let (buf, nulls) =
            column(obj, "columns").map_err(|e| convert::column_error(py, e, "columns", name))?;
        let start = values.len();
        values.extend_from_slice(buf.as_slice());
        let v = values.get_mut(start..).unwrap_or_default();
        for &i in &nulls {
            if let Some(x) = v.get_mut(i) {
                *x = f64::NAN;
            }
        }
        if let Some((row, &x)) = v
            .iter()
            .enumerate()
            .find(|(_, x)| x.is_infinite() || (policy == MissingPolicy::Error && x.is_nan()))
        {
            // The cell names its row and column (`.index == (row, column)`, `.arg == "columns"`).
            let hint = if x.is_nan() {
                "; pass missing=\"skip\" to leave out rows with a missing value, or missing=\"pairwise\" to \
                 use, for each pair, the rows where both are present"
            } else {
                ""
            };
            return Err(crate::error::raise_cell(
                py,
                "columns",
                (row, j),
                Some(name),
                x,
                hint,
            ));
        }
        if let Some(first) = rows
            && first != v.len()
        {
            return Err(raise_named(
                py,
                "LengthMismatchError",
                format!(
                    "length mismatch: column {name:?} has {} rows but column {:?} has {}",
                    v.len(),
                    names.first().map_or("", String::as_str),
                    first
                ),
                Some("columns"),
            ));
        }
        rows = Some(v.len());
    }
    let k = names.len().min(columns.len());
    let data = Array2::from_shape_vec((rows.unwrap_or(0), k).f(), values)
        .map_err(|e| Error::InsufficientData(e.to_string()))
        .py_err(py)?;
    let view = data.view();
    let m = crate::guard::detach(py, "voc.impact.correlation_matrix", || {
        core::correlation_matrix(view, names.get(..k).unwrap_or_default(), &o)
    })
    .py_err(py)?;
    let pair_names = |f: &dyn Fn(&core::MatrixPair) -> usize| -> Vec<Option<&str>> {
        m.pairs
            .iter()
            .map(|p| m.names.get(f(p)).map(String::as_str))
            .collect()
    };
    let mut pairs = TableBuilder::new(py);
    pairs.strings("a", &pair_names(&|p| p.a))?;
    pairs.strings("b", &pair_names(&|p| p.b))?;
    pairs.field("estimate", &m.pairs, |p| p.estimate);
    pairs.field("p_value", &m.pairs, |p| p.p_value);
    pairs.field("ci_low", &m.pairs, |p| p.ci_low);
    pairs.field("ci_high", &m.pairs, |p| p.ci_high);
    pairs.field("n", &m.pairs, |p| p.n as i64);
    let reasons: Vec<Option<&str>> = m
        .pairs
        .iter()
        .map(|p| p.undefined_reason.as_deref())
        .collect();
    pairs.strings("undefined_reason", &reasons)?;
    let square = |values: &dyn Fn(usize, usize) -> Option<f64>, kind: &str| -> PyResult<Table> {
        let mut t = TableBuilder::new(py);
        let labels: Vec<Option<&str>> = m.names.iter().map(|s| Some(s.as_str())).collect();
        t.strings("column", &labels)?;
        for (j, name) in m.names.iter().enumerate() {
            let col: Vec<f64> = (0..m.names.len())
                .map(|i| values(i, j).unwrap_or(f64::NAN))
                .collect();
            t.numbers(name, col);
        }
        Ok(t.finish(kind, None))
    };
    let r = square(
        &|i, j| m.estimate.get((i, j)).copied(),
        "correlation matrix",
    )?;
    let p = square(
        &|i, j| m.p_value.get((i, j)).copied(),
        "correlation p-values",
    )?;
    let n = {
        let mut t = TableBuilder::new(py);
        let labels: Vec<Option<&str>> = m.names.iter().map(|s| Some(s.as_str())).collect();
        t.strings("column", &labels)?;
        for (j, name) in m.names.iter().enumerate() {
            let col: Vec<i64> = m.n.column(j).iter().map(|&c| c as i64).collect();
            t.numbers(name, col);
        }
        t.finish("correlation pair counts", None)
    };
    Ok(CorrelationMatrix {
        pairs: Py::new(py, pairs.finish("correlation pairs", None))?,
        estimate: Py::new(py, r)?,
        p_value: Py::new(py, p)?,
        n: Py::new(py, n)?,
        n_missing: m.n_missing,
        method: o.method.name(),
        alternative: o.alternative.name(),
        missing: missing.to_owned(),
        confidence: o.confidence,
    })
}
