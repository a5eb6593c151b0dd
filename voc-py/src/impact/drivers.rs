//! Bindings: key drivers: Shapley-value regression (LMG) and Johnson's relative weights, with bootstrap intervals.
//! The roles (`outcome=`, `drivers=`, `weights=`) are resolved against `data` here; this file converts
//! the columns, hands the core the driver columns as they are (read in place; quadrants lay them side
//! by side in one column-major matrix first), and builds the tables.

use numpy::ndarray::{Array2, ShapeBuilder};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use voc_core::Error;
use voc_core::impact::drivers::{
    self as core, DriverImportances, DriverMethod, KeyDriverOptions, KeyDrivers, Performance,
    QuadrantOptions, Split,
};

use super::results::{html, repr};
use crate::convert::{self, Buf, missing_policy, numbers_or_bools as numbers};
use crate::error::{IntoPy, core_to_py, raise_named};
use crate::table::{Table, TableBuilder};
use serde::{Deserialize, Serialize};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<KeyDriversResult>()?;
    m.add_class::<DriverQuadrantsResult>()?;
    m.add_function(wrap_pyfunction!(_impact_key_drivers, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_driver_quadrants, m)?)?;
    Ok(())
}

/// A float column (nulls as NaN).
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// The converted inputs: one column per driver.
struct Inputs<'py> {
    outcome: Buf<'py, f64>,
    names: Vec<String>,
    drivers: Vec<Buf<'py, f64>>,
    weights: Option<Buf<'py, f64>>,
}

impl<'py> Inputs<'py> {
    /// Resolves the roles: `outcome` and `weights` a column name of `data` or a column, `drivers` a
    /// list of column names of `data` (default: every column but the outcome and the weights).
    fn from_roles(
        data: &Bound<'py, PyAny>,
        outcome: &Bound<'py, PyAny>,
        drivers: Option<&Bound<'py, PyAny>>,
        weights: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let py = data.py();
        let all = convert::names_of(data)?;
        let outcome_name = outcome.extract::<String>().ok();
        let names: Vec<String> = match drivers.filter(|d| !d.is_none()) {
            None => {
                let weights_name = weights.and_then(|w| w.extract::<String>().ok());
                all.into_iter()
                    .filter(|c| {
                        Some(c) != outcome_name.as_ref() && Some(c) != weights_name.as_ref()
                    })
                    .collect()
            }
            Some(d) if d.is_instance_of::<PyString>() => {
                return Err(core_to_py(
                    py,
                    Error::option(
                        "drivers",
                        format!("{:?}", d.extract::<String>().unwrap_or_default()),
                        "give a list of column names",
                    ),
                ));
            }
            Some(d) => {
                let Ok(items) = d.try_iter() else {
                    return Err(raise_named(
                        py,
                        "DtypeError",
                        format!(
                            "drivers: expected a list of column names, got {}",
                            d.get_type().name()?
                        ),
                        Some("drivers"),
                    ));
                };
                let mut names = Vec::new();
                for item in items {
                    names.push(convert::text_of(&item?, "drivers")?.to_owned());
                }
                names
            }
        };
        if let Some(o) = &outcome_name
            && names.contains(o)
        {
            return Err(core_to_py(
                py,
                Error::option(
                    "drivers",
                    format!("{o:?}"),
                    "the outcome cannot also be a driver",
                ),
            ));
        }
        let y = convert::given(Some(data), outcome, "outcome")?;
        let cols = PyDict::new(py);
        for name in &names {
            let key = PyString::new(py, name).into_any();
            cols.set_item(name, convert::given(Some(data), &key, "drivers")?)?;
        }
        let w = convert::optional(Some(data), weights, "weights")?;
        Self::read(&y, &cols, w.as_ref())
    }

    fn read(
        outcome: &Bound<'py, PyAny>,
        drivers: &Bound<'py, PyDict>,
        weights: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let py = outcome.py();
        let outcome = floats(outcome, "outcome")?;
        let n = outcome.len();
        let mut names = Vec::with_capacity(drivers.len());
        let mut columns = Vec::with_capacity(drivers.len());
        for (k, v) in drivers.iter() {
            let name = k.extract::<String>()?;
            let col = floats(&v, "drivers")
                .map_err(|e| convert::column_error(py, e, "drivers", &name))?;
            names.push(name);
            if col.len() != n {
                return Err(core_to_py(
                    py,
                    Error::LengthMismatch {
                        arg: "drivers",
                        len: col.len(),
                        other: "outcome",
                        other_len: n,
                    },
                ));
            }
            columns.push(col);
        }
        Ok(Inputs {
            outcome,
            names,
            drivers: columns,
            weights: weights.map(|w| floats(w, "weights")).transpose()?,
        })
    }

    /// The driver columns, borrowed.
    fn columns(&self) -> Vec<&[f64]> {
        self.drivers.iter().map(|c| c.as_slice()).collect()
    }

    /// The drivers side by side in one `n × p` column-major matrix (one copy).
    fn matrix(&self, py: Python<'_>) -> PyResult<Array2<f64>> {
        let n = self.outcome.len();
        let mut values = Vec::with_capacity(n * self.drivers.len());
        for col in &self.drivers {
            values.extend_from_slice(col.as_slice());
        }
        Array2::from_shape_vec((n, self.drivers.len()).f(), values)
            .map_err(|e| core_to_py(py, Error::InsufficientData(e.to_string())))
    }

    /// A core error, with the driver's name and row where the core gives `row × p + column`.
    fn error(&self, py: Python<'_>, err: Error) -> PyErr {
        let p = self.names.len().max(1);
        let (index, value) = match &err {
            Error::Missing {
                arg: "drivers",
                index,
            } => (*index, None),
            Error::NonFinite {
                arg: "drivers",
                index,
                value,
            } => (*index, Some(*value)),
            _ => return core_to_py(py, err),
        };
        let (row, col) = (index / p, index % p);
        let name = self.names.get(col).map(String::as_str);
        let hint = if value.is_none() {
            "; pass missing=\"skip\" to leave missing rows out"
        } else {
            ""
        };
        // The cell: `.arg == "drivers"`, `.index == (row, column)`, the message naming the column.
        crate::error::raise_cell(
            py,
            "drivers",
            (row, col),
            name,
            value.unwrap_or(f64::NAN),
            hint,
        )
    }
}

/// Key-driver table: one row per (method, driver), plus metadata.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, outcome, drivers, weights, method, resamples, seed, confidence, missing))]
fn _impact_key_drivers<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    outcome: &Bound<'py, PyAny>,
    drivers: Option<&Bound<'py, PyAny>>,
    weights: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] resamples: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<KeyDriversResult> {
    let input = Inputs::from_roles(data, outcome, drivers, weights)?;
    let opts = KeyDriverOptions::default()
        .method(parse_method(method).py_err(py)?)
        .resamples(resamples)
        .seed(seed)
        .confidence(confidence)
        .missing(missing_policy(missing).py_err(py)?);
    let (x, names) = (input.columns(), &input.names);
    let (y, w) = (input.outcome.as_slice(), input.weights.as_deref());
    let kd = crate::guard::detach(py, "voc.impact.key_drivers", || {
        core::key_drivers_columns(y, &x, names, w, &opts)
    })
    .map_err(|e| input.error(py, e))?;
    Ok(KeyDriversResult {
        kd,
        method: opts.method.name().to_owned(),
        confidence: opts.confidence,
    })
}

/// The method as the Python API has always taken it (any letter case).
fn parse_method(method: &str) -> Result<DriverMethod, Error> {
    method.to_ascii_lowercase().parse()
}

fn table(py: Python<'_>, kd: &KeyDrivers) -> PyResult<Table> {
    let nan = f64::NAN;
    let rows: Vec<(&str, &core::DriverImportance)> = [&kd.lmg, &kd.johnson]
        .into_iter()
        .flatten()
        .flat_map(|m: &DriverImportances| m.drivers.iter().map(move |d| (m.method.name(), d)))
        .collect();
    let col = |f: &dyn Fn(&core::DriverImportance) -> f64| {
        rows.iter().map(|(_, d)| f(d)).collect::<Vec<f64>>()
    };
    let mut t = TableBuilder::new(py);
    let methods: Vec<Option<&str>> = rows.iter().map(|(m, _)| Some(*m)).collect();
    let names: Vec<Option<&str>> = rows.iter().map(|(_, d)| Some(d.driver.as_str())).collect();
    t.strings("method", &methods)?;
    t.strings("driver", &names)?;
    t.numbers("importance", col(&|d| d.importance));
    t.numbers("share", col(&|d| d.share));
    t.numbers(
        "rank",
        rows.iter().map(|(_, d)| d.rank as i64).collect::<Vec<_>>(),
    );
    t.numbers(
        "sign",
        rows.iter()
            .map(|(_, d)| i64::from(d.sign))
            .collect::<Vec<_>>(),
    );
    t.numbers("ci_low", col(&|d| d.ci.map_or(nan, |c| c.low)));
    t.numbers("ci_high", col(&|d| d.ci.map_or(nan, |c| c.high)));
    t.numbers("share_ci_low", col(&|d| d.share_ci.map_or(nan, |c| c.low)));
    t.numbers(
        "share_ci_high",
        col(&|d| d.share_ci.map_or(nan, |c| c.high)),
    );
    t.numbers("r", col(&|d| d.r));
    t.numbers("beta", col(&|d| d.beta));
    t.numbers("first", col(&|d| d.first));
    t.numbers("last", col(&|d| d.last));
    Ok(t.finish("key drivers", None))
}

/// Importance × performance quadrants: one row per driver, with the split lines in the metadata.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, outcome, drivers, weights, method, performance, top_box, split, missing))]
fn _impact_driver_quadrants<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    outcome: &Bound<'py, PyAny>,
    drivers: Option<&Bound<'py, PyAny>>,
    weights: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] performance: &str,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] top_box: Option<f64>,
    #[pyo3(from_py_with = crate::convert_args::text)] split: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<DriverQuadrantsResult> {
    let method = parse_method(method).py_err(py)?;
    if method == DriverMethod::Both {
        return Err(core_to_py(
            py,
            Error::option(
                "method",
                "both",
                "quadrants use one importance: \"lmg\" or \"johnson\"",
            ),
        ));
    }
    let perf = performance
        .to_ascii_lowercase()
        .parse::<Performance>()
        .py_err(py)?;
    let split = split.to_ascii_lowercase().parse::<Split>().py_err(py)?;
    let mut qopts = QuadrantOptions::default().performance(perf).split(split);
    if let Some(t) = top_box {
        qopts = qopts.top_box(t);
    }
    qopts.validate().py_err(py)?;
    let opts = KeyDriverOptions::default()
        .method(method)
        .missing(missing_policy(missing).py_err(py)?);
    let input = Inputs::from_roles(data, outcome, drivers, weights)?;
    let matrix = input.matrix(py)?;
    let (x, names) = (matrix.view(), &input.names);
    let (y, w) = (input.outcome.as_slice(), input.weights.as_deref());
    let (kd, chart) = crate::guard::detach(py, "voc.impact.driver_quadrants", || {
        let kd = core::key_drivers(y, x, names, w, &opts)?;
        let imp = match method {
            DriverMethod::Johnson => kd.johnson.as_ref(),
            _ => kd.lmg.as_ref(),
        }
        .ok_or_else(|| Error::InsufficientData("no importances".into()))?;
        let chart = core::driver_quadrants(imp, x, names, w, &qopts)?;
        Ok::<_, Error>((kd, chart))
    })
    .map_err(|e| input.error(py, e))?;
    Ok(DriverQuadrantsResult {
        chart,
        r2: kd.r2,
        n: kd.n,
        n_missing: kd.missing,
        method: method.name().to_owned(),
        performance: perf.name().to_owned(),
        top_box,
    })
}

/// Shared protocol of the table-bearing results: `to_dict`, repr, HTML, pickling, equality.
macro_rules! table_result {
    ($cls:ident) => {
        impl crate::pickle::Checked for $cls {}

        #[pymethods]
        impl $cls {
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                repr(stringify!($cls), &self.to_dict(py)?)
            }
            fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
                let table: String = Py::new(py, self.table(py)?)?
                    .call_method0(py, "_repr_html_")?
                    .extract(py)?;
                Ok(format!(
                    "{}{table}",
                    html(stringify!($cls), &self.to_dict(py)?)?
                ))
            }
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
                let state = crate::pickle::dump(py, stringify!($cls), self)?;
                Ok((py.get_type::<Self>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a result from its pickled state.
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                crate::pickle::load(py, stringify!($cls), data)
            }
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<Self>()
                    .is_ok_and(|o| crate::pickle::same(o.get(), self))
            }
        }
    };
}

/// A key-driver analysis (see `voc.impact.key_drivers`): the R² and its interval, and the `table` of
/// importances.
#[pyclass(frozen, module = "voc._voc")]
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyDriversResult {
    kd: KeyDrivers,
    method: String,
    confidence: f64,
}

#[pymethods]
impl KeyDriversResult {
    /// One row per (method, driver): `importance` (R² units; sums to `r2`), `share`, `rank`, `sign`,
    /// `ci_low` / `ci_high` and `share_ci_low` / `share_ci_high` (bootstrap; NaN without
    /// resamples), `r`, `beta`, `first` and `last`.
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        table(py, &self.kd)
    }
    /// R² of the full model.
    #[getter]
    fn r2(&self) -> f64 {
        self.kd.r2
    }
    /// Lower end of R²'s bootstrap interval (NaN without resamples).
    #[getter]
    fn r2_ci_low(&self) -> f64 {
        self.kd.r2_ci.map_or(f64::NAN, |c| c.low)
    }
    /// Upper end of R²'s bootstrap interval.
    #[getter]
    fn r2_ci_high(&self) -> f64 {
        self.kd.r2_ci.map_or(f64::NAN, |c| c.high)
    }
    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.kd.n
    }
    /// Rows left out (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.kd.missing
    }
    /// "lmg", "johnson" or "both".
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }
    /// Level of the bootstrap intervals.
    #[getter]
    fn confidence(&self) -> f64 {
        self.confidence
    }
    /// Bootstrap resamples drawn (0: no intervals).
    #[getter]
    fn resamples(&self) -> usize {
        self.kd.resamples
    }
    /// Resamples left out (a singular resample).
    #[getter]
    fn resamples_skipped(&self) -> usize {
        self.kd.skipped
    }
    /// Seed of the resamples.
    #[getter]
    fn seed(&self) -> u64 {
        self.kd.seed
    }
    /// The fields as a plain dict (`table` as a Table).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("table", self.table(py)?)?;
        d.set_item("r2", self.r2())?;
        d.set_item("r2_ci_low", self.r2_ci_low())?;
        d.set_item("r2_ci_high", self.r2_ci_high())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        d.set_item("method", self.method())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("resamples", self.resamples())?;
        d.set_item("resamples_skipped", self.resamples_skipped())?;
        d.set_item("seed", self.seed())?;
        crate::results::json_dict(d)
    }
}

table_result!(KeyDriversResult);

/// Importance × performance quadrants (see `voc.impact.driver_quadrants`): the `table` of drivers and
/// the split lines.
#[pyclass(frozen, module = "voc._voc")]
#[derive(Clone, Serialize, Deserialize)]
pub struct DriverQuadrantsResult {
    chart: core::QuadrantChart,
    r2: f64,
    n: usize,
    n_missing: usize,
    method: String,
    performance: String,
    top_box: Option<f64>,
}

#[pymethods]
impl DriverQuadrantsResult {
    /// One row per driver: `driver`, `importance` (share of R²), `performance`, `quadrant`.
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let d = &self.chart.drivers;
        let mut t = TableBuilder::new(py);
        let names: Vec<Option<&str>> = d.iter().map(|d| Some(d.driver.as_str())).collect();
        let quadrants: Vec<Option<&str>> = d.iter().map(|d| Some(d.quadrant.name())).collect();
        t.strings("driver", &names)?;
        t.field("importance", d, |d| d.importance);
        t.field("performance", d, |d| d.performance);
        t.strings("quadrant", &quadrants)?;
        Ok(t.finish("driver quadrants", None))
    }
    /// The importance line (median or mean importance over drivers).
    #[getter]
    fn importance_split(&self) -> f64 {
        self.chart.importance_split
    }
    /// The performance line.
    #[getter]
    fn performance_split(&self) -> f64 {
        self.chart.performance_split
    }
    /// "median" or "mean".
    #[getter]
    fn split(&self) -> &'static str {
        self.chart.split.name()
    }
    /// R² of the full model.
    #[getter]
    fn r2(&self) -> f64 {
        self.r2
    }
    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.n
    }
    /// Rows left out (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.n_missing
    }
    /// "lmg" or "johnson".
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }
    /// "mean" or "top_box".
    #[getter]
    fn performance(&self) -> &str {
        &self.performance
    }
    /// The top-box threshold (None for "mean").
    #[getter]
    fn top_box(&self) -> Option<f64> {
        self.top_box
    }
    /// The fields as a plain dict (`table` as a Table).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("table", self.table(py)?)?;
        d.set_item("importance_split", self.importance_split())?;
        d.set_item("performance_split", self.performance_split())?;
        d.set_item("split", self.split())?;
        d.set_item("r2", self.r2())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        d.set_item("method", self.method())?;
        d.set_item("performance", self.performance())?;
        d.set_item("top_box", self.top_box())?;
        crate::results::json_dict(d)
    }
}

table_result!(DriverQuadrantsResult);
