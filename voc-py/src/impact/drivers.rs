//! Bindings: key drivers: Shapley-value regression (LMG) and Johnson's relative weights, with bootstrap intervals.
//! Column lookup by name is in `python/voc/impact.py`; this file converts the columns, lays the
//! drivers side by side in one column-major matrix (one copy; the core reads its columns in place),
//! hands the core a view of it, and builds the tables.

use numpy::ndarray::{Array2, ArrayView2, ShapeBuilder};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::Error;
use voc_core::impact::drivers::{
    self as core, DriverImportances, DriverMethod, KeyDriverOptions, KeyDrivers, Performance,
    QuadrantOptions, Split,
};

use crate::convert::{Buf, missing_policy, numbers};
use crate::error::{IntoPy, core_to_py};
use crate::table::{Table, TableBuilder};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_key_drivers, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_driver_quadrants, m)?)?;
    Ok(())
}

/// A float column (nulls as NaN).
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// The converted inputs: the drivers as one `n × p` column-major matrix.
struct Inputs<'py> {
    outcome: Buf<'py, f64>,
    names: Vec<String>,
    drivers: Array2<f64>,
    weights: Option<Buf<'py, f64>>,
}

impl<'py> Inputs<'py> {
    fn read(
        outcome: &Bound<'py, PyAny>,
        drivers: &Bound<'py, PyDict>,
        weights: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let py = outcome.py();
        let outcome = floats(outcome, "outcome")?;
        let n = outcome.len();
        let mut names = Vec::with_capacity(drivers.len());
        let mut values = Vec::with_capacity(n * drivers.len());
        for (k, v) in drivers.iter() {
            names.push(k.extract::<String>()?);
            let col = floats(&v, "drivers")?;
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
            values.extend_from_slice(col.as_slice());
        }
        let drivers = Array2::from_shape_vec((n, names.len()).f(), values)
            .map_err(|e| core_to_py(py, Error::InsufficientData(e.to_string())))?;
        Ok(Inputs {
            outcome,
            names,
            drivers,
            weights: weights.map(|w| floats(w, "weights")).transpose()?,
        })
    }

    fn view(&self) -> ArrayView2<'_, f64> {
        self.drivers.view()
    }

    /// A core error, with the driver's name and row where the core gives `row × p + column`.
    fn error(&self, py: Python<'_>, err: Error) -> PyErr {
        let p = self.names.len().max(1);
        let (class, index, value) = match &err {
            Error::Missing {
                arg: "drivers",
                index,
            } => ("MissingValueError", *index, None),
            Error::NonFinite {
                arg: "drivers",
                index,
                value,
            } => ("NonFiniteError", *index, Some(*value)),
            _ => return core_to_py(py, err),
        };
        let (row, col) = (index / p, index % p);
        let name = self.names.get(col).map_or("?", String::as_str);
        let message = match value {
            None => format!(
                "drivers['{name}'][{row}] is missing (NaN or null); pass missing=\"skip\" to leave \
                 missing rows out"
            ),
            Some(v) => format!("drivers['{name}'][{row}] = {v} is not finite"),
        };
        let made = py
            .import("voc.errors")
            .and_then(|m| m.getattr(class))
            .and_then(|cls| cls.call1((message.clone(), name, row, value)));
        match made {
            Ok(instance) => PyErr::from_value(instance),
            Err(e) => e,
        }
    }
}

/// Key-driver table: one row per (method, driver), plus metadata.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (outcome, drivers, weights, method, resamples, seed, confidence, missing))]
fn _impact_key_drivers<'py>(
    py: Python<'py>,
    outcome: &Bound<'py, PyAny>,
    drivers: &Bound<'py, PyDict>,
    weights: Option<&Bound<'py, PyAny>>,
    method: &str,
    resamples: usize,
    seed: u64,
    confidence: f64,
    missing: &str,
) -> PyResult<Table> {
    let input = Inputs::read(outcome, drivers, weights)?;
    let opts = KeyDriverOptions::default()
        .method(parse_method(method).py_err(py)?)
        .resamples(resamples)
        .seed(seed)
        .confidence(confidence)
        .missing(missing_policy(missing).py_err(py)?);
    let (x, names) = (input.view(), &input.names);
    let (y, w) = (input.outcome.as_slice(), input.weights.as_deref());
    let kd = py
        .detach(|| core::key_drivers(y, x, names, w, &opts))
        .map_err(|e| input.error(py, e))?;
    table(py, &kd, &opts)
}

/// The method as the Python API has always taken it (any letter case).
fn parse_method(method: &str) -> Result<DriverMethod, Error> {
    method.to_ascii_lowercase().parse()
}

fn table(py: Python<'_>, kd: &KeyDrivers, opts: &KeyDriverOptions) -> PyResult<Table> {
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
    t.numbers("r2", col(&|_| kd.r2));
    let meta = PyDict::new(py);
    meta.set_item("r2", kd.r2)?;
    meta.set_item("r2_ci_low", kd.r2_ci.map_or(nan, |c| c.low))?;
    meta.set_item("r2_ci_high", kd.r2_ci.map_or(nan, |c| c.high))?;
    meta.set_item("n", kd.n)?;
    meta.set_item("missing", kd.missing)?;
    meta.set_item("method", opts.method.name())?;
    meta.set_item("resamples", kd.resamples)?;
    meta.set_item("skipped", kd.skipped)?;
    meta.set_item("seed", kd.seed)?;
    meta.set_item("confidence", opts.confidence)?;
    meta.set_item("interval", "percentile bootstrap")?;
    Ok(t.finish("key drivers", Some(meta)))
}

/// Importance × performance quadrants: one row per driver, with the split lines in the metadata.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (outcome, drivers, weights, method, performance, top_box, split, missing))]
fn _impact_driver_quadrants<'py>(
    py: Python<'py>,
    outcome: &Bound<'py, PyAny>,
    drivers: &Bound<'py, PyDict>,
    weights: Option<&Bound<'py, PyAny>>,
    method: &str,
    performance: &str,
    top_box: Option<f64>,
    split: &str,
    missing: &str,
) -> PyResult<Table> {
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
    let input = Inputs::read(outcome, drivers, weights)?;
    let (x, names) = (input.view(), &input.names);
    let (y, w) = (input.outcome.as_slice(), input.weights.as_deref());
    let (kd, chart) = py
        .detach(|| {
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
    let mut t = TableBuilder::new(py);
    let names: Vec<Option<&str>> = chart
        .drivers
        .iter()
        .map(|d| Some(d.driver.as_str()))
        .collect();
    let quadrants: Vec<Option<&str>> = chart
        .drivers
        .iter()
        .map(|d| Some(d.quadrant.name()))
        .collect();
    t.strings("driver", &names)?;
    t.numbers(
        "importance",
        chart
            .drivers
            .iter()
            .map(|d| d.importance)
            .collect::<Vec<_>>(),
    );
    t.numbers(
        "performance",
        chart
            .drivers
            .iter()
            .map(|d| d.performance)
            .collect::<Vec<_>>(),
    );
    t.strings("quadrant", &quadrants)?;
    let meta = PyDict::new(py);
    meta.set_item("importance_split", chart.importance_split)?;
    meta.set_item("performance_split", chart.performance_split)?;
    meta.set_item("split", chart.split.name())?;
    meta.set_item("method", method.name())?;
    meta.set_item("performance", perf.name())?;
    meta.set_item("top_box", top_box)?;
    meta.set_item("r2", kd.r2)?;
    meta.set_item("n", kd.n)?;
    Ok(t.finish("driver quadrants", Some(meta)))
}
