//! `voc.retention`: Kaplan–Meier, log-rank, Cox PH, cohorts, BG/NBD, Gamma-Gamma, CLV and the
//! transaction summary. Converts and calls `voc_core::retention`.

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use serde::{Deserialize, Serialize};
use voc_core::MissingPolicy;
use voc_core::retention::{
    self as core, BgNbdOptions, CohortOptions, CoxOptions, GammaGammaOptions, KmOptions,
    SummaryOptions, Ties,
};
use voc_core::time::TimeUnit;

use crate::convert::{self, Buf, Column, Labels, Times};
use crate::error::IntoPy;
use crate::table::{Columns, Table, Value};

/// Registers the retention functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kaplan_meier, m)?)?;
    m.add_function(wrap_pyfunction!(logrank_test, m)?)?;
    m.add_function(wrap_pyfunction!(cox_ph, m)?)?;
    m.add_function(wrap_pyfunction!(concordance_index, m)?)?;
    m.add_function(wrap_pyfunction!(bgnbd_fit, m)?)?;
    m.add_function(wrap_pyfunction!(gamma_gamma_fit, m)?)?;
    m.add_function(wrap_pyfunction!(customer_lifetime_value, m)?)?;
    m.add_function(wrap_pyfunction!(rfm_summary, m)?)?;
    m.add_function(wrap_pyfunction!(calibration_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_retention, m)?)?;
    m.add_class::<KaplanMeierResult>()?;
    m.add_class::<LogRankResult>()?;
    m.add_class::<CoxResult>()?;
    m.add_class::<BgNbdModel>()?;
    m.add_class::<GammaGammaModel>()?;
    m.add_class::<CohortResult>()?;
    Ok(())
}

// ---------------------------------------------------------------- inputs

/// A group or customer label as stored in results (serialisable for pickling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Label {
    Int(i64),
    Str(String),
}

impl Label {
    fn value(&self) -> Value {
        match self {
            Label::Int(v) => Value::I64(*v),
            Label::Str(s) => Value::Str(Some(s.clone())),
        }
    }
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self {
            Label::Int(v) => v.into_pyobject(py)?.into_any(),
            Label::Str(s) => s.into_pyobject(py)?.into_any(),
        })
    }
}

/// Reads a float column; nulls are an error.
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    let col = convert::numbers(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(obj.py())?;
    Ok(col.data.into_f64())
}

/// Reads labels into dense codes over the labels that occur (in sorted label order); nulls are an error.
fn codes(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<(Vec<u32>, Vec<Label>)> {
    let py = obj.py();
    let col = convert::groups(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(py)?;
    let labels = col.data.labels;
    let mut codes = col.data.codes.into_dense();
    let k = match &labels {
        Labels::Int(v) => v.len(),
        Labels::Str(v) => v.len(),
    };
    let mut used = vec![false; k];
    for &c in &codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    let mut remap = vec![u32::MAX; k];
    let mut out = Vec::new();
    for (i, u) in used.iter().enumerate() {
        if *u {
            remap[i] = out.len() as u32;
            out.push(match &labels {
                Labels::Int(v) => Label::Int(v.get(i).copied().unwrap_or_default()),
                Labels::Str(v) => Label::Str(v.get(i).cloned().unwrap_or_default()),
            });
        }
    }
    for c in &mut codes {
        *c = remap.get(*c as usize).copied().unwrap_or(0);
    }
    Ok((codes, out))
}

/// Reads timestamps; nulls (NaT) are an error.
fn times<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Times<'py>> {
    let col: Column<Times<'_>> = convert::times(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(obj.py())?;
    Ok(col.data)
}

/// One timestamp (a one-element column) expressed in `unit` (floored).
fn instant(obj: &Bound<'_, PyAny>, arg: &'static str, unit: TimeUnit) -> PyResult<i64> {
    let t = times(obj, arg)?;
    let Some(&v) = t.values.as_slice().first() else {
        return Err(voc_core::Error::Empty {
            arg,
            what: "no timestamp",
        })
        .py_err(obj.py());
    };
    let num = i128::from(v) * i128::from(unit.per_day());
    let den = i128::from(t.unit.per_day());
    Ok(num.div_euclid(den) as i64)
}

fn pyfloat_list<'py>(py: Python<'py>, v: &[f64]) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v)
}

fn labels_list<'py>(py: Python<'py>, labels: &[Label]) -> PyResult<Bound<'py, PyList>> {
    let items: Vec<Bound<'py, PyAny>> = labels
        .iter()
        .map(|l| l.to_py(py))
        .collect::<PyResult<_>>()?;
    PyList::new(py, items)
}

// ---------------------------------------------------------------- Kaplan–Meier

#[derive(Clone, Serialize, Deserialize)]
struct KmInner {
    km: core::KaplanMeier,
    labels: Option<Vec<Label>>,
}

/// Kaplan–Meier curves (one per group): `table()` gives the survival table with the log(−log)
/// interval, `medians()` the median survival with its interval; as lifelines `KaplanMeierFitter`.
#[pyclass(frozen, module = "voc._voc")]
pub struct KaplanMeierResult {
    inner: KmInner,
}

crate::pickled!(KaplanMeierResult);

impl KaplanMeierResult {
    fn curve(&self, group: Option<&Bound<'_, PyAny>>) -> PyResult<&core::KmCurve> {
        let idx = match (group, &self.inner.labels) {
            (None, None) => 0,
            (None, Some(_)) => {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "the curves are grouped: pass group=<label>",
                ));
            }
            (Some(g), labels) => {
                let labels = labels.as_deref().unwrap_or(&[]);
                let found = labels.iter().position(|l| match l {
                    Label::Int(v) => g.extract::<i64>().is_ok_and(|x| x == *v),
                    Label::Str(s) => g.extract::<String>().is_ok_and(|x| &x == s),
                });
                found
                    .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(format!("no group {g}")))?
            }
        };
        self.inner
            .km
            .curves
            .get(idx)
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err("no such curve"))
    }
}

#[pymethods]
impl KaplanMeierResult {
    /// Group labels (None without groups).
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        self.inner
            .labels
            .as_ref()
            .map(|l| labels_list(py, l))
            .transpose()
    }
    /// Confidence level of the intervals.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.km.confidence
    }
    /// Median survival (ungrouped), or a dict label → median.
    #[getter]
    fn median<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner.labels {
            None => Ok(self
                .inner
                .km
                .curves
                .first()
                .map_or(f64::NAN, |c| c.median)
                .into_pyobject(py)?
                .into_any()),
            Some(labels) => {
                let d = PyDict::new(py);
                for (l, c) in labels.iter().zip(&self.inner.km.curves) {
                    d.set_item(l.to_py(py)?, c.median)?;
                }
                Ok(d.into_any())
            }
        }
    }
    /// Survival table: a row per group and distinct time (time, at_risk, events, censored, survival,
    /// variance (Greenwood), ci_low, ci_high).
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let mut cols = Columns::default();
        for (g, c) in self.inner.km.curves.iter().enumerate() {
            for i in 0..c.time.len() {
                let mut row = Vec::with_capacity(9);
                if let Some(l) = self.inner.labels.as_ref().and_then(|l| l.get(g)) {
                    row.push(("group", l.value()));
                }
                row.extend([
                    ("time", Value::F64(c.time[i])),
                    ("at_risk", Value::U64(c.at_risk[i])),
                    ("events", Value::U64(c.events[i])),
                    ("censored", Value::U64(c.censored[i])),
                    ("survival", Value::F64(c.survival[i])),
                    ("variance", Value::F64(c.variance[i])),
                    ("ci_low", Value::F64(c.ci_low[i])),
                    ("ci_high", Value::F64(c.ci_high[i])),
                ]);
                cols.push(row);
            }
        }
        cols.into_table(py, "kaplan_meier".into(), None)
    }
    /// Median survival per group with its interval (median_low, median_high), n and events.
    fn medians(&self, py: Python<'_>) -> PyResult<Table> {
        let mut cols = Columns::default();
        for (g, c) in self.inner.km.curves.iter().enumerate() {
            let mut row = Vec::with_capacity(6);
            if let Some(l) = self.inner.labels.as_ref().and_then(|l| l.get(g)) {
                row.push(("group", l.value()));
            }
            row.extend([
                ("n", Value::U64(c.n)),
                ("events", Value::U64(c.n_events)),
                ("median", Value::F64(c.median)),
                ("median_low", Value::F64(c.median_low)),
                ("median_high", Value::F64(c.median_high)),
            ]);
            cols.push(row);
        }
        cols.into_table(py, "kaplan_meier_medians".into(), None)
    }
    /// S(t) at the given times (step function), for one group (`group=` when grouped).
    #[pyo3(signature = (times, /, group=None))]
    fn survival_at<'py>(
        &self,
        py: Python<'py>,
        times: Vec<f64>,
        group: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let c = self.curve(group)?;
        let v: Vec<f64> = times.iter().map(|&t| c.survival_at(t)).collect();
        Ok(pyfloat_list(py, &v))
    }
    /// First time with S(t) ≤ q (inf if never), as lifelines `qth_survival_time`.
    #[pyo3(signature = (q, /, group=None))]
    fn percentile(&self, q: f64, group: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
        Ok(self.curve(group)?.percentile(q))
    }
    /// Medians and counts as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("groups", self.groups(py)?)?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("median", self.median(py)?)?;
        d.set_item(
            "medians",
            self.medians(py)?
                .into_pyobject(py)?
                .call_method0("to_dict")?,
        )?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .km
            .curves
            .iter()
            .enumerate()
            .map(|(g, c)| {
                let name = match self.inner.labels.as_ref().and_then(|l| l.get(g)) {
                    Some(Label::Int(v)) => format!("{v}: "),
                    Some(Label::Str(s)) => format!("{s:?}: "),
                    None => String::new(),
                };
                format!(
                    "{name}n={}, events={}, median={} [{}, {}]",
                    c.n, c.n_events, c.median, c.median_low, c.median_high
                )
            })
            .collect();
        format!(
            "KaplanMeierResult({}; log(-log) {:.0}% CI)",
            parts.join("; "),
            100.0 * self.inner.km.confidence
        )
    }
}

/// Kaplan–Meier survival with right censoring (lifelines `KaplanMeierFitter`), optionally by group.
///
/// >>> import voc
/// >>> km = voc.retention.kaplan_meier([5.0, 8.0, 12.0, 20.0], [1, 0, 1, 1])  # 8.0 is censored
/// >>> km.survival_at([10.0, 15.0]).tolist(), km.median
/// ([0.75, 0.375], 12.0)
#[pyfunction]
#[pyo3(signature = (durations, events, /, *, by=None, confidence=0.95))]
pub fn kaplan_meier(
    py: Python<'_>,
    durations: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    confidence: f64,
) -> PyResult<KaplanMeierResult> {
    let d = floats(durations, "durations")?;
    let e = floats(events, "events")?;
    let groups = by.map(|b| codes(b, "by")).transpose()?;
    let (codes, labels) = match groups {
        Some((c, l)) => (Some(c), Some(l)),
        None => (None, None),
    };
    let (d, e) = (d.as_slice(), e.as_slice());
    let km = py
        .detach(|| core::kaplan_meier(d, e, codes.as_deref(), KmOptions { confidence }))
        .py_err(py)?;
    Ok(KaplanMeierResult {
        inner: KmInner { km, labels },
    })
}

// ---------------------------------------------------------------- log-rank

#[derive(Clone, Serialize, Deserialize)]
struct LogRankInner {
    lr: core::LogRank,
    labels: Vec<Label>,
}

/// Log-rank test result: statistic (χ², k − 1 df), p-value, observed and expected events per group.
#[pyclass(frozen, module = "voc._voc")]
pub struct LogRankResult {
    inner: LogRankInner,
}

crate::pickled!(LogRankResult);

#[pymethods]
impl LogRankResult {
    /// χ² statistic.
    #[getter]
    fn statistic(&self) -> f64 {
        self.inner.lr.statistic
    }
    /// Degrees of freedom (groups − 1).
    #[getter]
    fn df(&self) -> usize {
        self.inner.lr.df
    }
    /// p-value.
    #[getter]
    fn p_value(&self) -> f64 {
        self.inner.lr.p_value
    }
    /// Group labels.
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        labels_list(py, &self.inner.labels)
    }
    /// Per group: n, observed and expected events.
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let mut cols = Columns::default();
        let lr = &self.inner.lr;
        for (g, l) in self.inner.labels.iter().enumerate() {
            cols.push(vec![
                ("group", l.value()),
                ("n", Value::U64(lr.n.get(g).copied().unwrap_or(0))),
                (
                    "observed",
                    Value::F64(lr.observed.get(g).copied().unwrap_or(f64::NAN)),
                ),
                (
                    "expected",
                    Value::F64(lr.expected.get(g).copied().unwrap_or(f64::NAN)),
                ),
            ]);
        }
        cols.into_table(py, "logrank".into(), None)
    }
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("statistic", self.statistic())?;
        d.set_item("df", self.df())?;
        d.set_item("p_value", self.p_value())?;
        d.set_item("groups", self.groups(py)?)?;
        d.set_item("observed", self.inner.lr.observed.clone())?;
        d.set_item("expected", self.inner.lr.expected.clone())?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "LogRankResult(statistic={:.4}, df={}, p_value={:.4e})",
            self.inner.lr.statistic, self.inner.lr.df, self.inner.lr.p_value
        )
    }
}

/// Log-rank test that the groups share a survival function (lifelines `multivariate_logrank_test`).
///
/// >>> import voc
/// >>> t = voc.retention.logrank_test([5.0, 8.0, 12.0, 20.0, 3.0, 4.0, 6.0, 7.0], [1, 0, 1, 1, 1, 1, 1, 0], ["a"] * 4 + ["b"] * 4)
/// >>> round(t.statistic, 4), t.df, round(t.p_value, 4)
/// (1.8707, 1, 0.1714)
#[pyfunction]
#[pyo3(signature = (durations, events, groups, /))]
pub fn logrank_test(
    py: Python<'_>,
    durations: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
    groups: &Bound<'_, PyAny>,
) -> PyResult<LogRankResult> {
    let d = floats(durations, "durations")?;
    let e = floats(events, "events")?;
    let (c, labels) = codes(groups, "groups")?;
    let (ds, es) = (d.as_slice(), e.as_slice());
    let lr = py.detach(|| core::logrank_test(ds, es, &c)).py_err(py)?;
    Ok(LogRankResult {
        inner: LogRankInner { lr, labels },
    })
}

// ---------------------------------------------------------------- Cox

#[derive(Clone)]
struct CoxInner {
    fit: core::CoxPh,
    names: Vec<String>,
}

/// A fitted Cox proportional-hazards model: `summary()` as lifelines' `summary` (coef, exp(coef), se,
/// z, p, intervals), log-likelihood, likelihood-ratio test and concordance.
#[pyclass(frozen, module = "voc._voc")]
pub struct CoxResult {
    inner: CoxInner,
}

/// Pickles as the core's versioned byte form and the covariate names.
#[pymethods]
impl CoxResult {
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>, Vec<String>))> {
        let state = PyBytes::new(py, &self.inner.fit.to_bytes());
        let rebuild = py.get_type::<CoxResult>().getattr("_from_state")?;
        Ok((rebuild, (state, self.inner.names.clone())))
    }
    /// Rebuilds a result from its pickled state.
    #[staticmethod]
    fn _from_state(py: Python<'_>, data: &[u8], names: Vec<String>) -> PyResult<Self> {
        let fit = core::CoxPh::from_bytes(data).py_err(py)?;
        if names.len() != fit.coef.len() {
            return Err(voc_core::Error::Decode {
                what: "Cox model",
                reason: format!("{} names for {} covariates", names.len(), fit.coef.len()),
            })
            .py_err(py);
        }
        Ok(CoxResult {
            inner: CoxInner { fit, names },
        })
    }
    /// Equal when the names and every field are equal bit for bit.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<CoxResult>().is_ok_and(|o| {
            let o = &o.get().inner;
            o.names == self.inner.names && o.fit.to_bytes() == self.inner.fit.to_bytes()
        })
    }
}

#[pymethods]
impl CoxResult {
    /// Covariate names.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names.clone()
    }
    /// Coefficients (log hazard ratios).
    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.coef)
    }
    /// Standard errors.
    #[getter]
    fn se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.se)
    }
    /// Hazard ratios exp(coef).
    #[getter]
    fn hazard_ratio<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.hazard_ratio)
    }
    /// Two-sided p-values of the Wald tests.
    #[getter]
    fn p_value<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.fit.p_value)
    }
    /// Covariance matrix of the coefficients.
    #[getter]
    fn covariance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let p = self.inner.fit.coef.len();
        PyArray1::from_slice(py, &self.inner.fit.covariance).reshape([p, p])
    }
    /// Partial log-likelihood (minus the penalty when penalised, as lifelines `log_likelihood_`).
    #[getter]
    #[allow(clippy::misnamed_getters)] // lifelines' log_likelihood_ includes the penalty
    fn log_likelihood(&self) -> f64 {
        self.inner.fit.penalized_log_likelihood
    }
    /// Partial log-likelihood at β = 0.
    #[getter]
    fn null_log_likelihood(&self) -> f64 {
        self.inner.fit.null_log_likelihood
    }
    /// Likelihood-ratio test against β = 0: (statistic, df, p_value).
    #[getter]
    fn lr_test(&self) -> (f64, usize, f64) {
        let f = &self.inner.fit;
        (f.lr_statistic, f.lr_df, f.lr_p_value)
    }
    /// Harrell's concordance index.
    #[getter]
    fn concordance(&self) -> f64 {
        self.inner.fit.concordance
    }
    /// Subjects.
    #[getter]
    fn n(&self) -> usize {
        self.inner.fit.n
    }
    /// Observed events.
    #[getter]
    fn n_events(&self) -> usize {
        self.inner.fit.n_events
    }
    /// Newton–Raphson iterations.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.fit.iterations
    }
    /// Ties method ("efron" or "breslow").
    #[getter]
    fn ties(&self) -> &'static str {
        self.inner.fit.ties.name()
    }
    /// L2 penalty.
    #[getter]
    fn penalizer(&self) -> f64 {
        self.inner.fit.penalizer
    }
    /// Confidence level.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.fit.confidence
    }
    /// Coefficient table: covariate, coef, exp_coef, se, z, p, ci_low, ci_high, exp_ci_low, exp_ci_high.
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let f = &self.inner.fit;
        let mut cols = Columns::default();
        for (j, name) in self.inner.names.iter().enumerate() {
            cols.push(vec![
                ("covariate", Value::Str(Some(name.clone()))),
                ("coef", Value::F64(f.coef[j])),
                ("exp_coef", Value::F64(f.hazard_ratio[j])),
                ("se", Value::F64(f.se[j])),
                ("z", Value::F64(f.z[j])),
                ("p", Value::F64(f.p_value[j])),
                ("ci_low", Value::F64(f.ci_low[j])),
                ("ci_high", Value::F64(f.ci_high[j])),
                ("exp_ci_low", Value::F64(f.ci_low[j].exp())),
                ("exp_ci_high", Value::F64(f.ci_high[j].exp())),
            ]);
        }
        cols.into_table(py, "cox_ph".into(), None)
    }
    /// Linear predictor x·β of each row of a 2-D array (the log partial hazard up to a constant).
    fn predict_log_hazard<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = crate::matrix::matrix(x, "x")?;
        let x = x.as_array();
        let v = py
            .detach(|| self.inner.fit.linear_predictor(x))
            .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Fit statistics as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let f = &self.inner.fit;
        d.set_item("names", self.names())?;
        d.set_item("coef", f.coef.clone())?;
        d.set_item("se", f.se.clone())?;
        d.set_item("log_likelihood", self.log_likelihood())?;
        d.set_item("lr_test", self.lr_test())?;
        d.set_item("concordance", f.concordance)?;
        d.set_item("n", f.n)?;
        d.set_item("n_events", f.n_events)?;
        d.set_item("ties", self.ties())?;
        d.set_item("penalizer", f.penalizer)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let f = &self.inner.fit;
        let coefs: Vec<String> = self
            .inner
            .names
            .iter()
            .zip(&f.coef)
            .map(|(n, c)| format!("{n}={c:.4}"))
            .collect();
        format!(
            "CoxResult({}; ties={}, n={}, events={}, loglik={:.4}, concordance={:.4})",
            coefs.join(", "),
            self.ties(),
            f.n,
            f.n_events,
            f.penalized_log_likelihood,
            f.concordance
        )
    }
}

/// Cox proportional hazards (Efron ties as lifelines `CoxPHFitter`, or Breslow as statsmodels `PHReg`).
#[pyfunction]
#[pyo3(signature = (covariates, durations, events, /, *, names=None, ties="efron", penalizer=0.0, confidence=0.95, max_iter=50, tol=1e-9))]
#[allow(clippy::too_many_arguments)]
pub fn cox_ph(
    py: Python<'_>,
    covariates: &Bound<'_, PyAny>,
    durations: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
    names: Option<Vec<String>>,
    ties: &str,
    penalizer: f64,
    confidence: f64,
    max_iter: usize,
    tol: f64,
) -> PyResult<CoxResult> {
    let x = crate::matrix::matrix(covariates, "covariates")?;
    let x = x.as_array();
    let p = x.ncols();
    let d = floats(durations, "durations")?;
    let e = floats(events, "events")?;
    let names = names.unwrap_or_else(|| (0..p).map(|j| format!("x{j}")).collect());
    if names.len() != p {
        return Err(voc_core::Error::LengthMismatch {
            arg: "names",
            len: names.len(),
            other: "covariates (columns)",
            other_len: p,
        })
        .py_err(py);
    }
    let opts = CoxOptions::default()
        .ties(parse_ties(ties).py_err(py)?)
        .penalizer(penalizer)
        .confidence(confidence)
        .max_iter(max_iter)
        .tol(tol);
    let (d, e) = (d.as_slice(), e.as_slice());
    let fit = py.detach(|| core::cox_ph(x, d, e, &opts)).py_err(py)?;
    Ok(CoxResult {
        inner: CoxInner { fit, names },
    })
}

/// The ties method in any letter case (as the binding always accepted).
fn parse_ties(ties: &str) -> voc_core::Result<Ties> {
    ties.parse()
        .or_else(|e| ties.to_ascii_lowercase().parse().map_err(|_| e))
}

/// Harrell's concordance index of risk scores (higher score = earlier event), as lifelines
/// `concordance_index(durations, -scores, events)`.
///
/// >>> import voc
/// >>> voc.retention.concordance_index([5.0, 8.0, 12.0, 20.0], [0.9, 0.5, 0.4, 0.1], [1, 1, 1, 1])  # higher score, longer survival
/// 1.0
#[pyfunction]
#[pyo3(signature = (durations, scores, events, /))]
pub fn concordance_index(
    py: Python<'_>,
    durations: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let d = floats(durations, "durations")?;
    let s = floats(scores, "scores")?;
    let e = floats(events, "events")?;
    let (d, s, e) = (d.as_slice(), s.as_slice(), e.as_slice());
    py.detach(|| core::concordance_index(d, s, e)).py_err(py)
}

// ---------------------------------------------------------------- BG/NBD and Gamma-Gamma

/// Pickling through the core's versioned byte form, and bit-exact equality, for a model class holding
/// its core model in `inner`.
macro_rules! model_pickle {
    ($cls:ident, $core:ident) => {
        #[pymethods]
        impl $cls {
            fn __reduce__<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
                let state = PyBytes::new(py, &self.inner.to_bytes());
                Ok((py.get_type::<$cls>().getattr("_from_state")?, (state,)))
            }
            /// Rebuilds a model from its pickled state (the core byte form).
            #[staticmethod]
            fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                Ok($cls {
                    inner: core::$core::from_bytes(data).py_err(py)?,
                })
            }
            /// Equal when every field is equal bit for bit (so NaN fields compare equal to themselves).
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$cls>()
                    .is_ok_and(|o| o.get().inner.to_bytes() == self.inner.to_bytes())
            }
        }
    };
}

/// A BG/NBD model (Fader, Hardie & Lee 2005): fitted by `voc.retention.bgnbd_fit`, or built from
/// parameters `BgNbdModel(r, alpha, a, b)`.
#[pyclass(frozen, module = "voc._voc")]
pub struct BgNbdModel {
    inner: core::BgNbd,
}

model_pickle!(BgNbdModel, BgNbd);

struct Rfm<'py> {
    x: Buf<'py, f64>,
    tx: Buf<'py, f64>,
    t: Buf<'py, f64>,
}

impl Rfm<'_> {
    fn slices(&self) -> (&[f64], &[f64], &[f64]) {
        (self.x.as_slice(), self.tx.as_slice(), self.t.as_slice())
    }
}

fn rfm<'py>(
    frequency: &Bound<'py, PyAny>,
    recency: &Bound<'py, PyAny>,
    t: &Bound<'py, PyAny>,
) -> PyResult<Rfm<'py>> {
    Ok(Rfm {
        x: floats(frequency, "frequency")?,
        tx: floats(recency, "recency")?,
        t: floats(t, "T")?,
    })
}

#[pymethods]
impl BgNbdModel {
    #[new]
    fn new(py: Python<'_>, r: f64, alpha: f64, a: f64, b: f64) -> PyResult<Self> {
        Ok(BgNbdModel {
            inner: core::BgNbd::new(r, alpha, a, b).py_err(py)?,
        })
    }
    /// Gamma shape of purchase rates.
    #[getter]
    fn r(&self) -> f64 {
        self.inner.r
    }
    /// Gamma scale of purchase rates (time units).
    #[getter]
    fn alpha(&self) -> f64 {
        self.inner.alpha
    }
    /// Beta shape a of the drop-out probability.
    #[getter]
    fn a(&self) -> f64 {
        self.inner.a
    }
    /// Beta shape b of the drop-out probability.
    #[getter]
    fn b(&self) -> f64 {
        self.inner.b
    }
    /// Parameters as a dict.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("r", self.inner.r)?;
        d.set_item("alpha", self.inner.alpha)?;
        d.set_item("a", self.inner.a)?;
        d.set_item("b", self.inner.b)?;
        Ok(d)
    }
    /// Standard errors of (r, alpha, a, b) (NaN when built from parameters).
    #[getter]
    fn se(&self) -> (f64, f64, f64, f64) {
        let s = self.inner.se;
        (s[0], s[1], s[2], s[3])
    }
    /// Log-likelihood at the estimate.
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.inner.log_likelihood
    }
    /// Customers fitted on.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }
    /// Optimiser iterations.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.iterations
    }
    /// Parameter table (param, value, se, ci_low, ci_high at 95%).
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let m = &self.inner;
        param_table(
            py,
            "bgnbd",
            &[("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b", m.b)],
            &m.se,
        )
    }
    /// P(alive) per customer, as lifetimes `conditional_probability_alive`.
    #[pyo3(signature = (frequency, recency, T, /))]
    #[allow(non_snake_case)]
    fn p_alive<'py>(
        &self,
        py: Python<'py>,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        T: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let d = rfm(frequency, recency, T)?;
        let (x, tx, t) = d.slices();
        let v = py.detach(|| self.inner.p_alive(x, tx, t)).py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Expected repeat purchases in the next `horizon` time units, as lifetimes
    /// `conditional_expected_number_of_purchases_up_to_time`.
    #[pyo3(signature = (horizon, frequency, recency, T, /))]
    #[allow(non_snake_case)]
    fn expected_purchases<'py>(
        &self,
        py: Python<'py>,
        horizon: f64,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        T: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let d = rfm(frequency, recency, T)?;
        let (x, tx, t) = d.slices();
        let v = py
            .detach(|| self.inner.expected_purchases(horizon, x, tx, t))
            .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Expected repeat purchases of a new customer in `horizon` time units.
    fn expected_purchases_new(&self, py: Python<'_>, horizon: f64) -> PyResult<f64> {
        self.inner.expected_purchases_new(horizon).py_err(py)
    }
    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "BgNbdModel(r={:.4}, alpha={:.4}, a={:.4}, b={:.4}, n={}, loglik={:.3})",
            m.r, m.alpha, m.a, m.b, m.n, m.log_likelihood
        )
    }
}

fn param_table(py: Python<'_>, kind: &str, params: &[(&str, f64)], se: &[f64]) -> PyResult<Table> {
    let z = 1.959963984540054;
    let mut cols = Columns::default();
    for ((name, v), s) in params.iter().zip(se) {
        cols.push(vec![
            ("param", Value::Str(Some((*name).to_owned()))),
            ("value", Value::F64(*v)),
            ("se", Value::F64(*s)),
            ("ci_low", Value::F64(v - z * s)),
            ("ci_high", Value::F64(v + z * s)),
        ]);
    }
    cols.into_table(py, kind.into(), None)
}

/// Fits the BG/NBD model by maximum likelihood (lifetimes `BetaGeoFitter`).
///
/// >>> import voc
/// >>> o = voc.sample.retailer(seed=7, customers=2_000).orders.to_pandas()
/// >>> s = voc.retention.summary_from_transactions(o, "customer_id", "time", observation_end="2025-07-01")
/// >>> bg = voc.retention.bgnbd_fit(s["frequency"], s["recency"], s["T"], max_iter=2000)
/// >>> bg.n, round(bg.r, 2), bool(0 < bg.p_alive([2.0], [30.0], [38.0])[0] < 1)
/// (1998, 1.12, True)
#[pyfunction]
#[pyo3(signature = (frequency, recency, T, /, *, max_iter=500, tol=1e-10))]
#[allow(non_snake_case)]
pub fn bgnbd_fit(
    py: Python<'_>,
    frequency: &Bound<'_, PyAny>,
    recency: &Bound<'_, PyAny>,
    T: &Bound<'_, PyAny>,
    max_iter: usize,
    tol: f64,
) -> PyResult<BgNbdModel> {
    let d = rfm(frequency, recency, T)?;
    let (x, tx, t) = d.slices();
    let inner = py
        .detach(|| {
            let opts = BgNbdOptions::default().max_iter(max_iter).tol(tol);
            core::BgNbd::fit(x, tx, t, &opts)
        })
        .py_err(py)?;
    Ok(BgNbdModel { inner })
}

/// A Gamma-Gamma spend model: fitted by `voc.retention.gamma_gamma_fit`, or `GammaGammaModel(p, q, v)`.
#[pyclass(frozen, module = "voc._voc")]
pub struct GammaGammaModel {
    inner: core::GammaGamma,
}

model_pickle!(GammaGammaModel, GammaGamma);

#[pymethods]
impl GammaGammaModel {
    #[new]
    fn new(py: Python<'_>, p: f64, q: f64, v: f64) -> PyResult<Self> {
        Ok(GammaGammaModel {
            inner: core::GammaGamma::new(p, q, v).py_err(py)?,
        })
    }
    /// Shape p of spend per transaction.
    #[getter]
    fn p(&self) -> f64 {
        self.inner.p
    }
    /// Shape q of the rate distribution.
    #[getter]
    fn q(&self) -> f64 {
        self.inner.q
    }
    /// Scale v of the rate distribution.
    #[getter]
    fn v(&self) -> f64 {
        self.inner.v
    }
    /// Parameters as a dict.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("p", self.inner.p)?;
        d.set_item("q", self.inner.q)?;
        d.set_item("v", self.inner.v)?;
        Ok(d)
    }
    /// Standard errors of (p, q, v).
    #[getter]
    fn se(&self) -> (f64, f64, f64) {
        let s = self.inner.se;
        (s[0], s[1], s[2])
    }
    /// Log-likelihood at the estimate.
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.inner.log_likelihood
    }
    /// Customers used (with a repeat purchase).
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }
    /// Customers skipped (no repeat purchase).
    #[getter]
    fn n_skipped(&self) -> usize {
        self.inner.n_skipped
    }
    /// Population mean spend per transaction p·v/(q − 1).
    #[getter]
    fn mean_spend(&self) -> f64 {
        self.inner.mean_spend()
    }
    /// Parameter table (param, value, se, ci_low, ci_high at 95%).
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let m = &self.inner;
        param_table(
            py,
            "gamma_gamma",
            &[("p", m.p), ("q", m.q), ("v", m.v)],
            &m.se,
        )
    }
    /// Expected spend per transaction given history, as lifetimes `conditional_expected_average_profit`.
    #[pyo3(signature = (frequency, monetary, /))]
    fn expected_spend<'py>(
        &self,
        py: Python<'py>,
        frequency: &Bound<'py, PyAny>,
        monetary: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = floats(frequency, "frequency")?;
        let m = floats(monetary, "monetary")?;
        let v = self
            .inner
            .expected_spend(x.as_slice(), m.as_slice())
            .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "GammaGammaModel(p={:.4}, q={:.4}, v={:.4}, n={}, mean_spend={:.4})",
            m.p,
            m.q,
            m.v,
            m.n,
            m.mean_spend()
        )
    }
}

/// Fits the Gamma-Gamma spend model on customers with repeat purchases (lifetimes `GammaGammaFitter`).
///
/// >>> import voc
/// >>> o = voc.sample.retailer(seed=7, customers=2_000).orders.to_pandas()
/// >>> s = voc.retention.summary_from_transactions(o, "customer_id", "time", "amount", observation_end="2025-07-01")
/// >>> repeat = s["frequency"] > 0
/// >>> gg = voc.retention.gamma_gamma_fit(s["frequency"][repeat], s["monetary_value"][repeat])
/// >>> gg.n, round(gg.p, 2)
/// (1583, 5.15)
#[pyfunction]
#[pyo3(signature = (frequency, monetary, /, *, max_iter=500, tol=1e-10))]
pub fn gamma_gamma_fit(
    py: Python<'_>,
    frequency: &Bound<'_, PyAny>,
    monetary: &Bound<'_, PyAny>,
    max_iter: usize,
    tol: f64,
) -> PyResult<GammaGammaModel> {
    let x = floats(frequency, "frequency")?;
    let m = floats(monetary, "monetary")?;
    let (x, m) = (x.as_slice(), m.as_slice());
    let inner = py
        .detach(|| {
            let opts = GammaGammaOptions::default().max_iter(max_iter).tol(tol);
            core::GammaGamma::fit(x, m, &opts)
        })
        .py_err(py)?;
    Ok(GammaGammaModel { inner })
}

/// Discounted CLV over `periods` periods of `period_length` time units (lifetimes
/// `GammaGammaFitter.customer_lifetime_value`).
///
/// >>> import voc
/// >>> bg = voc.retention.BgNbdModel(0.24, 4.41, 0.79, 2.43)
/// >>> gg = voc.retention.GammaGammaModel(6.25, 3.74, 15.44)
/// >>> clv = voc.retention.customer_lifetime_value(bg, gg, [1, 5], [20.0, 35.0], [38.0, 38.0], [40.0, 62.0], periods=12)
/// >>> bool(clv[1] > clv[0] > 0)  # more purchases, more value
/// True
#[pyfunction]
#[pyo3(signature = (bgnbd, gamma_gamma, frequency, recency, T, monetary, /, *, periods=12, period_length=30.0, discount_rate=0.01))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn customer_lifetime_value<'py>(
    py: Python<'py>,
    bgnbd: &BgNbdModel,
    gamma_gamma: &GammaGammaModel,
    frequency: &Bound<'py, PyAny>,
    recency: &Bound<'py, PyAny>,
    T: &Bound<'py, PyAny>,
    monetary: &Bound<'py, PyAny>,
    periods: u32,
    period_length: f64,
    discount_rate: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let d = rfm(frequency, recency, T)?;
    let m = floats(monetary, "monetary")?;
    let (x, tx, t) = d.slices();
    let m = m.as_slice();
    let (bg, gg) = (&bgnbd.inner, &gamma_gamma.inner);
    let v = py
        .detach(|| core::clv(bg, gg, x, tx, t, m, periods, period_length, discount_rate))
        .py_err(py)?;
    Ok(PyArray1::from_vec(py, v))
}

// ---------------------------------------------------------------- transactions

fn summary_rows(cols: &mut Columns, labels: &[Label], s: &core::RfmSummary, i: usize) {
    cols.push(vec![
        (
            "customer",
            labels
                .get(s.customer[i] as usize)
                .map_or(Value::I64(0), Label::value),
        ),
        ("frequency", Value::F64(s.frequency[i])),
        ("recency", Value::F64(s.recency[i])),
        ("T", Value::F64(s.t[i])),
        ("monetary_value", Value::F64(s.monetary[i])),
    ]);
}

/// Frequency / recency / T / monetary value per customer from transactions (lifetimes
/// `summary_data_from_transaction_data(freq="D", freq_multiplier=time_scale)`).
#[pyfunction]
#[pyo3(signature = (customers, times, monetary=None, /, *, observation_end=None, time_scale=1.0))]
pub fn rfm_summary(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    times: &Bound<'_, PyAny>,
    monetary: Option<&Bound<'_, PyAny>>,
    observation_end: Option<&Bound<'_, PyAny>>,
    time_scale: f64,
) -> PyResult<Table> {
    let (c, labels) = codes(customers, "customers")?;
    let t = self::times(times, "times")?;
    let m = monetary.map(|m| floats(m, "monetary")).transpose()?;
    let end = observation_end
        .map(|e| instant(e, "observation_end", t.unit))
        .transpose()?;
    let opts = SummaryOptions {
        unit: t.unit,
        time_scale,
        observation_end: end,
    };
    let (ts, ms) = (t.values.as_slice(), m.as_ref().map(|m| m.as_slice()));
    let s = py
        .detach(|| core::rfm_summary(&c, ts, ms, opts))
        .py_err(py)?;
    let mut cols = Columns::default();
    for i in 0..s.customer.len() {
        summary_rows(&mut cols, &labels, &s, i);
    }
    cols.into_table(py, "rfm_summary".into(), None)
}

/// Calibration summary and hold-out outcomes (lifetimes `calibration_and_holdout_data`).
#[pyfunction]
#[pyo3(signature = (customers, times, monetary=None, /, *, calibration_end, observation_end, time_scale=1.0))]
pub fn calibration_holdout(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    times: &Bound<'_, PyAny>,
    monetary: Option<&Bound<'_, PyAny>>,
    calibration_end: &Bound<'_, PyAny>,
    observation_end: &Bound<'_, PyAny>,
    time_scale: f64,
) -> PyResult<Table> {
    let (c, labels) = codes(customers, "customers")?;
    let t = self::times(times, "times")?;
    let m = monetary.map(|m| floats(m, "monetary")).transpose()?;
    let cal = instant(calibration_end, "calibration_end", t.unit)?;
    let end = instant(observation_end, "observation_end", t.unit)?;
    let opts = SummaryOptions {
        unit: t.unit,
        time_scale,
        observation_end: Some(end),
    };
    let (ts, ms) = (t.values.as_slice(), m.as_ref().map(|m| m.as_slice()));
    let ch = py
        .detach(|| core::calibration_holdout(&c, ts, ms, cal, opts))
        .py_err(py)?;
    let mut cols = Columns::default();
    let s = &ch.calibration;
    for i in 0..s.customer.len() {
        cols.push(vec![
            (
                "customer",
                labels
                    .get(s.customer[i] as usize)
                    .map_or(Value::I64(0), Label::value),
            ),
            ("frequency_cal", Value::F64(s.frequency[i])),
            ("recency_cal", Value::F64(s.recency[i])),
            ("T_cal", Value::F64(s.t[i])),
            ("monetary_value_cal", Value::F64(s.monetary[i])),
            ("frequency_holdout", Value::F64(ch.frequency_holdout[i])),
            ("monetary_value_holdout", Value::F64(ch.monetary_holdout[i])),
            ("duration_holdout", Value::F64(ch.duration_holdout)),
        ]);
    }
    cols.into_table(py, "calibration_holdout".into(), None)
}

// ---------------------------------------------------------------- cohorts

/// Cohort retention: `retention` / `active` matrices (cohort × months since acquisition), sizes,
/// `table()` in long form and `repurchase()` rates.
#[pyclass(frozen, module = "voc._voc")]
pub struct CohortResult {
    inner: core::CohortRetention,
}

crate::pickled!(CohortResult);

#[pymethods]
impl CohortResult {
    /// Cohort labels "YYYY-MM".
    #[getter]
    fn cohorts(&self) -> Vec<String> {
        self.inner.label.clone()
    }
    /// Customers per cohort.
    #[getter]
    fn size<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, &self.inner.size)
    }
    /// Share of each cohort active k months after acquisition (NaN where not yet observed).
    #[getter]
    fn retention<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let r = self.inner.cohort.len();
        PyArray1::from_slice(py, &self.inner.retention).reshape([r, self.inner.n_offsets])
    }
    /// Customers of each cohort active k months after acquisition.
    #[getter]
    fn active<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<u64>>> {
        let r = self.inner.cohort.len();
        PyArray1::from_slice(py, &self.inner.active).reshape([r, self.inner.n_offsets])
    }
    /// Repurchase rate over all eligible customers.
    #[getter]
    fn repurchase_rate(&self) -> f64 {
        self.inner.overall_repurchase_rate
    }
    /// Window of the repurchase rate in days.
    #[getter]
    fn repurchase_window_days(&self) -> i64 {
        self.inner.repurchase_window_days
    }
    /// Long form: cohort, months_since, size, active, retention (observed cells only).
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let c = &self.inner;
        let mut cols = Columns::default();
        for (r, label) in c.label.iter().enumerate() {
            for k in 0..c.n_offsets {
                let i = r * c.n_offsets + k;
                if c.retention[i].is_nan() {
                    continue;
                }
                cols.push(vec![
                    ("cohort", Value::Str(Some(label.clone()))),
                    ("months_since", Value::U64(k as u64)),
                    ("size", Value::U64(c.size[r])),
                    ("active", Value::U64(c.active[i])),
                    ("retention", Value::F64(c.retention[i])),
                ]);
            }
        }
        cols.into_table(py, "cohort_retention".into(), None)
    }
    /// Per cohort: size, eligible, repurchased, repurchase_rate.
    fn repurchase(&self, py: Python<'_>) -> PyResult<Table> {
        let c = &self.inner;
        let mut cols = Columns::default();
        for (r, label) in c.label.iter().enumerate() {
            cols.push(vec![
                ("cohort", Value::Str(Some(label.clone()))),
                ("size", Value::U64(c.size[r])),
                ("eligible", Value::U64(c.repurchase_eligible[r])),
                ("repurchased", Value::U64(c.repurchased[r])),
                ("repurchase_rate", Value::F64(c.repurchase_rate[r])),
            ]);
        }
        cols.into_table(py, "repurchase".into(), None)
    }
    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "CohortResult({} cohorts {}..{}, {} customers, {}-day repurchase rate {:.4})",
            c.label.len(),
            c.label.first().map_or("", String::as_str),
            c.label.last().map_or("", String::as_str),
            c.size.iter().sum::<u64>(),
            c.repurchase_window_days,
            c.overall_repurchase_rate
        )
    }
}

/// Cohort retention matrix (acquisition month × months since) and repurchase rate from orders.
#[pyfunction]
#[pyo3(signature = (customers, times, /, *, observation_end=None, repurchase_window_days=365))]
pub fn cohort_retention(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    times: &Bound<'_, PyAny>,
    observation_end: Option<&Bound<'_, PyAny>>,
    repurchase_window_days: i64,
) -> PyResult<CohortResult> {
    let (c, _labels) = codes(customers, "customers")?;
    let t = self::times(times, "times")?;
    let end = observation_end
        .map(|e| instant(e, "observation_end", t.unit))
        .transpose()?;
    let opts = CohortOptions {
        unit: t.unit,
        observation_end: end,
        repurchase_window_days,
    };
    let ts = t.values.as_slice();
    let inner = py
        .detach(|| core::cohort_retention(&c, ts, opts))
        .py_err(py)?;
    Ok(CohortResult { inner })
}
