//! `voc.retention`: Kaplan–Meier curves and the log-rank test.

use super::*;
use crate::error::raise_named;

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
    fn curve(&self, py: Python<'_>, group: Option<&Bound<'_, PyAny>>) -> PyResult<&core::KmCurve> {
        let idx = match (group, &self.inner.labels) {
            (None, None) => 0,
            (None, Some(_)) => {
                return Err(raise_named(
                    py,
                    "InputError",
                    "the curves are grouped: pass group=<label>".into(),
                    Some("group"),
                ));
            }
            (Some(g), labels) => {
                let labels = labels.as_deref().unwrap_or(&[]);
                let found = labels.iter().position(|l| match l {
                    Label::Int(v) => g.extract::<i64>().is_ok_and(|x| x == *v),
                    Label::Str(s) => g.extract::<String>().is_ok_and(|x| &x == s),
                });
                found.ok_or_else(|| {
                    raise_named(py, "UnknownIdError", format!("no group {g}"), Some("group"))
                })?
            }
        };
        self.inner
            .km
            .curves
            .get(idx)
            .ok_or_else(|| raise_named(py, "UnknownIdError", "no such curve".into(), Some("group")))
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
        let c = self.curve(py, group)?;
        let v: Vec<f64> = times.iter().map(|&t| c.survival_at(t)).collect();
        Ok(pyfloat_list(py, &v))
    }
    /// First time with S(t) ≤ q (inf if never), as lifelines `qth_survival_time`.
    #[pyo3(signature = (q, /, group=None))]
    fn percentile(
        &self,
        py: Python<'_>,
        q: f64,
        group: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<f64> {
        Ok(self.curve(py, group)?.percentile(q))
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
        .detach(|| {
            core::kaplan_meier(
                d,
                e,
                codes.as_deref(),
                &KmOptions::default().confidence(confidence),
            )
        })
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
