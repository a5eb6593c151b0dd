//! `voc.retention`: Kaplan–Meier curves and the log-rank test.

use super::*;

// ---------------------------------------------------------------- Kaplan–Meier

#[derive(Clone, Serialize, Deserialize)]
struct KmInner {
    km: core::KaplanMeier,
    labels: Option<Vec<Label>>,
}

/// Kaplan–Meier curves (one per group of `by`), as lifelines `KaplanMeierFitter`: `table` (the
/// survival table with the log(−log) interval), `medians` (median survival with its interval, per
/// group), `median` / `median_ci_low` / `median_ci_high` of an ungrouped curve, `survival_at` and
/// `percentile`.
#[pyclass(frozen, module = "voc._voc")]
pub struct KaplanMeierResult {
    inner: KmInner,
}

crate::pickled!(KaplanMeierResult);

impl crate::pickle::Checked for KmInner {
    fn check(&self) -> Result<(), String> {
        crate::pickle::Checked::check(&self.km)?;
        labels_fit(self.km.curves.len(), self.labels.as_deref())
    }
}

/// A pickled grouped result's invariant: one label per group, or no labels and one group.
pub(crate) fn labels_fit(groups: usize, labels: Option<&[Label]>) -> Result<(), String> {
    match labels {
        Some(l) => crate::pickle::same_len("group labels", groups, &[l.len()]),
        None if groups == 1 => Ok(()),
        None => Err(format!("{groups} groups without group labels")),
    }
}

/// The rows of Kaplan–Meier curves, one block per curve: time, at_risk, events, censored, survival,
/// variance (Greenwood), ci_low, ci_high (the group column, if any, is the caller's).
pub(crate) fn curve_rows<'a>(b: &mut TableBuilder<'_>, curves: &[&'a core::KmCurve]) {
    let cat = |f: &dyn Fn(&'a core::KmCurve) -> &'a [f64]| -> Vec<f64> {
        curves.iter().flat_map(|c| f(c).iter().copied()).collect()
    };
    let cat_u = |f: &dyn Fn(&'a core::KmCurve) -> &'a [u64]| -> Vec<u64> {
        curves.iter().flat_map(|c| f(c).iter().copied()).collect()
    };
    b.numbers("time", cat(&|c| &c.time));
    b.numbers("at_risk", cat_u(&|c| &c.at_risk));
    b.numbers("events", cat_u(&|c| &c.events));
    b.numbers("censored", cat_u(&|c| &c.censored));
    b.numbers("survival", cat(&|c| &c.survival));
    b.numbers("variance", cat(&|c| &c.variance));
    b.numbers("ci_low", cat(&|c| &c.ci_low));
    b.numbers("ci_high", cat(&|c| &c.ci_high));
}

impl KaplanMeierResult {
    fn curve(&self, py: Python<'_>, group: Option<&Bound<'_, PyAny>>) -> PyResult<&core::KmCurve> {
        let idx = match (group, &self.inner.labels) {
            (None, None) => 0,
            (None, Some(_)) => {
                return Err(raise_named(
                    py,
                    "InputError",
                    "the curves are grouped (by=): pass group=<label>, or read the medians table"
                        .into(),
                    Some("group"),
                ));
            }
            (Some(g), labels) => {
                let labels = labels.as_deref().unwrap_or(&[]);
                labels.iter().position(|l| l.matches(g)).ok_or_else(|| {
                    let known: Vec<String> = labels.iter().map(Label::show).collect();
                    raise_named(
                        py,
                        "UnknownIdError",
                        format!(
                            "group = {g}: no such group (groups: [{}])",
                            known.join(", ")
                        ),
                        Some("group"),
                    )
                })?
            }
        };
        self.inner
            .km
            .curves
            .get(idx)
            .ok_or_else(|| raise_named(py, "UnknownIdError", "no such curve".into(), Some("group")))
    }

    /// The one curve of an ungrouped result (an `InputError` for a grouped one).
    fn single(&self, py: Python<'_>) -> PyResult<&core::KmCurve> {
        self.curve(py, None)
    }

    /// Group label column for `rows` (per-row curve index), when grouped.
    fn by_column(&self, b: &mut TableBuilder<'_>, rows: &[usize]) -> PyResult<()> {
        if let Some(labels) = &self.inner.labels {
            label_column(b, "group", labels, rows)?;
        }
        Ok(())
    }
}

#[pymethods]
impl KaplanMeierResult {
    /// Group labels in order (None without `by`).
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
    /// Subjects used (all groups).
    #[getter]
    fn n(&self) -> u64 {
        self.inner.km.curves.iter().map(|c| c.n).sum()
    }
    /// Observed events (all groups).
    #[getter]
    fn n_events(&self) -> u64 {
        self.inner.km.curves.iter().map(|c| c.n_events).sum()
    }
    /// Rows left out as missing (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.km.n_missing
    }
    /// Median survival of an ungrouped curve (`inf` if the curve stays above 0.5); grouped curves:
    /// see `medians`.
    #[getter]
    fn median(&self, py: Python<'_>) -> PyResult<f64> {
        Ok(self.single(py)?.median)
    }
    /// Lower bound of the median's interval (ungrouped).
    #[getter]
    fn median_ci_low(&self, py: Python<'_>) -> PyResult<f64> {
        Ok(self.single(py)?.median_low)
    }
    /// Upper bound of the median's interval (ungrouped).
    #[getter]
    fn median_ci_high(&self, py: Python<'_>) -> PyResult<f64> {
        Ok(self.single(py)?.median_high)
    }
    /// Survival table: a row per group and distinct time (by, time, at_risk, events, censored,
    /// survival, variance (Greenwood), ci_low, ci_high).
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let curves: Vec<&core::KmCurve> = self.inner.km.curves.iter().collect();
        let rows: Vec<usize> = curves
            .iter()
            .enumerate()
            .flat_map(|(g, c)| std::iter::repeat_n(g, c.time.len()))
            .collect();
        let mut b = TableBuilder::new(py);
        self.by_column(&mut b, &rows)?;
        curve_rows(&mut b, &curves);
        Ok(b.finish("kaplan_meier", None))
    }
    /// Median survival per group with its interval: by, n, events, median, ci_low, ci_high.
    #[getter]
    fn medians(&self, py: Python<'_>) -> PyResult<Table> {
        let curves = &self.inner.km.curves;
        let rows: Vec<usize> = (0..curves.len()).collect();
        let mut b = TableBuilder::new(py);
        self.by_column(&mut b, &rows)?;
        b.field("n", curves, |c| c.n);
        b.field("events", curves, |c| c.n_events);
        b.field("median", curves, |c| c.median);
        b.field("ci_low", curves, |c| c.median_low);
        b.field("ci_high", curves, |c| c.median_high);
        Ok(b.finish("kaplan_meier_medians", None))
    }
    /// S(t) at the given times (step function), of one group (`group=` when grouped).
    #[pyo3(signature = (times, /, *, group=None))]
    fn survival_at<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = crate::convert_args::reals)] times: Vec<f64>,
        group: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let c = self.curve(py, group)?;
        let v = c.survival_at_times(&times).py_err(py)?;
        Ok(pyfloat_list(py, &v))
    }
    /// First time with S(t) ≤ q (inf if never), as lifelines `qth_survival_time`.
    #[pyo3(signature = (q, /, *, group=None))]
    fn percentile(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] q: f64,
        group: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<f64> {
        self.curve(py, group)?.percentile(q).py_err(py)
    }
    /// Headline fields (and the medians table's columns) as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("groups", self.groups(py)?)?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("n", self.n())?;
        d.set_item("n_events", self.n_events())?;
        d.set_item("n_missing", self.n_missing())?;
        if self.inner.labels.is_none() {
            d.set_item("median", self.median(py)?)?;
            d.set_item("median_ci_low", self.median_ci_low(py)?)?;
            d.set_item("median_ci_high", self.median_ci_high(py)?)?;
        }
        d.set_item(
            "medians",
            Bound::new(py, self.medians(py)?)?.call_method0("to_dict")?,
        )?;
        crate::results::json_dict(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "KaplanMeierResult",
            &self.to_dict(py)?,
            Some(self.medians(py)?),
        )
    }
    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .km
            .curves
            .iter()
            .enumerate()
            .map(|(g, c)| {
                let name = self
                    .inner
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(g))
                    .map_or(String::new(), |l| format!("{}: ", l.show()));
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

/// Kaplan–Meier (see `voc.retention.kaplan_meier`): each role a column name of `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, durations, events, event_observed, by, confidence, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _retention_kaplan_meier(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    durations: &Bound<'_, PyAny>,
    events: Option<&Bound<'_, PyAny>>,
    event_observed: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<KaplanMeierResult> {
    let (durations, events) = survival_roles(data, durations, events, event_observed)?;
    let by = convert::lookup(data, by, "by")?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let (d, e) = survival(&durations, events.as_ref())?;
    let n = d.as_slice().len();
    let (d, e, by, dropped) = match by {
        Some(by) => {
            let (d, e, by, dropped) = grouped(&by, n, policy, d, e)?;
            (d, e, Some(by), dropped)
        }
        None => (d, e, None, 0),
    };
    let (codes, labels) = match by {
        Some(c) => (Some(c.codes), Some(c.labels)),
        None => (None, None),
    };
    let (d, e) = (d.as_slice(), e.as_slice());
    let opts = KmOptions::default().confidence(confidence).missing(policy);
    let mut km = crate::guard::detach(py, "voc.retention.kaplan_meier", || {
        core::kaplan_meier(d, e, codes.as_deref(), &opts)
    })
    .py_err(py)?;
    km.n_missing += dropped;
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

/// Log-rank test result: statistic (χ², k − 1 df), p_value, n, n_missing, and `table` (by, n,
/// observed, expected events per group).
#[pyclass(frozen, module = "voc._voc")]
pub struct LogRankResult {
    inner: LogRankInner,
}

crate::pickled!(LogRankResult);

impl crate::pickle::Checked for LogRankInner {
    fn check(&self) -> Result<(), String> {
        crate::pickle::Checked::check(&self.lr)?;
        crate::pickle::same_len("group labels", self.lr.n.len(), &[self.labels.len()])
    }
}

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
    /// Subjects used (all groups).
    #[getter]
    fn n(&self) -> u64 {
        self.inner.lr.n.iter().sum()
    }
    /// Rows left out as missing (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.lr.n_missing
    }
    /// The test's name, "logrank".
    #[getter]
    fn method(&self) -> &'static str {
        "logrank"
    }
    /// Group labels in order.
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        labels_list(py, &self.inner.labels)
    }
    /// Per group: by, n, observed and expected events.
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let lr = &self.inner.lr;
        let rows: Vec<usize> = (0..self.inner.labels.len()).collect();
        let at = |v: &[f64], g: usize| v.get(g).copied().unwrap_or(f64::NAN);
        let mut b = TableBuilder::new(py);
        label_column(&mut b, "group", &self.inner.labels, &rows)?;
        b.numbers(
            "n",
            rows.iter()
                .map(|&g| lr.n.get(g).copied().unwrap_or(0))
                .collect(),
        );
        b.numbers(
            "observed",
            rows.iter().map(|&g| at(&lr.observed, g)).collect(),
        );
        b.numbers(
            "expected",
            rows.iter().map(|&g| at(&lr.expected, g)).collect(),
        );
        Ok(b.finish("logrank", None))
    }
    /// Headline fields as a dict (with the groups and their observed and expected events).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("method", self.method())?;
        d.set_item("statistic", self.statistic())?;
        d.set_item("df", self.df())?;
        d.set_item("p_value", self.p_value())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        d.set_item("groups", self.groups(py)?)?;
        d.set_item("observed", self.inner.lr.observed.clone())?;
        d.set_item("expected", self.inner.lr.expected.clone())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "LogRankResult",
            &self.to_dict(py)?,
            Some(self.table(py)?),
        )
    }
    fn __repr__(&self) -> String {
        let lr = &self.inner.lr;
        format!(
            "LogRankResult(statistic={:.4}, df={}, p_value={:.4e}, n={})",
            lr.statistic,
            lr.df,
            lr.p_value,
            lr.n.iter().sum::<u64>()
        )
    }
}

/// The log-rank test (see `voc.retention.logrank_test`): each role a column name of `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, durations, events, event_observed, by, missing))]
pub fn _retention_logrank_test(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    durations: &Bound<'_, PyAny>,
    events: Option<&Bound<'_, PyAny>>,
    event_observed: Option<&Bound<'_, PyAny>>,
    by: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<LogRankResult> {
    let (durations, events) = survival_roles(data, durations, events, event_observed)?;
    let by = convert::required(data, by, "by")?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let (d, e) = survival(&durations, events.as_ref())?;
    let n = d.as_slice().len();
    let (d, e, by, dropped) = grouped(&by, n, policy, d, e)?;
    let (ds, es, codes) = (d.as_slice(), e.as_slice(), &by.codes);
    let opts = LogRankOptions::default().missing(policy);
    let mut lr = crate::guard::detach(py, "voc.retention.logrank_test", || {
        core::logrank_test(ds, es, codes, &opts).map_err(|e| e.renamed("groups", "by"))
    })
    .py_err(py)?;
    lr.n_missing += dropped;
    Ok(LogRankResult {
        inner: LogRankInner {
            lr,
            labels: by.labels,
        },
    })
}
