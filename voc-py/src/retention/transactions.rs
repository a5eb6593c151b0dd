//! `voc.retention`: Transaction summaries (frequency / recency / T / monetary) and cohort retention.

use super::*;

// ---------------------------------------------------------------- transactions

/// Customer codes (in label order) and labels; a missing customer id is an error.
fn customer_codes(obj: &Bound<'_, PyAny>) -> PyResult<(Vec<u32>, Vec<Label>)> {
    let c = coded(obj, "customers")?;
    convert::check_nulls(MissingPolicy::Error, &[("customers", &c.nulls)]).py_err(obj.py())?;
    Ok((c.codes, c.labels))
}

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

/// Frequency / recency / T / monetary value per customer (see `voc.retention.rfm_summary`): each role
/// a column name of `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, customers, time, monetary, observation_end, time_scale))]
pub fn _retention_rfm_summary(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    customers: &Bound<'_, PyAny>,
    time: &Bound<'_, PyAny>,
    monetary: Option<&Bound<'_, PyAny>>,
    observation_end: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] time_scale: f64,
) -> PyResult<Table> {
    let customers = convert::required(data, customers, "customers")?;
    let time = convert::required(data, time, "time")?;
    let monetary = convert::lookup(data, monetary, "monetary")?;
    let (c, labels) = customer_codes(&customers)?;
    let t = self::times(&time, "time")?;
    let m = monetary.map(|m| floats(&m, "monetary")).transpose()?;
    let end = observation_end
        .map(|e| instant(e, "observation_end", t.unit))
        .transpose()?;
    let mut opts = SummaryOptions::default()
        .unit(t.unit)
        .time_scale(time_scale);
    opts.observation_end = end;
    let (ts, ms) = (t.values.as_slice(), m.as_ref().map(|m| m.as_slice()));
    let s = crate::guard::detach(py, "voc.retention.rfm_summary", || {
        core::rfm_summary(&c, ts, ms, &opts)
    })
    .py_err(py)?;
    let mut cols = Columns::default();
    for i in 0..s.customer.len() {
        summary_rows(&mut cols, &labels, &s, i);
    }
    cols.into_table(py, "rfm_summary".into(), None)
}

/// Calibration summary and hold-out outcomes (see `voc.retention.calibration_and_holdout`): each role
/// a column name of `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, customers, time, monetary, calibration_end, observation_end, time_scale))]
#[allow(clippy::too_many_arguments)]
pub fn _retention_calibration_holdout(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    customers: &Bound<'_, PyAny>,
    time: &Bound<'_, PyAny>,
    monetary: Option<&Bound<'_, PyAny>>,
    calibration_end: &Bound<'_, PyAny>,
    observation_end: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] time_scale: f64,
) -> PyResult<Table> {
    let customers = convert::required(data, customers, "customers")?;
    let time = convert::required(data, time, "time")?;
    let monetary = convert::lookup(data, monetary, "monetary")?;
    let (c, labels) = customer_codes(&customers)?;
    let t = self::times(&time, "time")?;
    let m = monetary.map(|m| floats(&m, "monetary")).transpose()?;
    let cal = instant(calibration_end, "calibration_end", t.unit)?;
    let end = instant(observation_end, "observation_end", t.unit)?;
    let opts = SummaryOptions::default()
        .unit(t.unit)
        .time_scale(time_scale)
        .observation_end(end);
    let (ts, ms) = (t.values.as_slice(), m.as_ref().map(|m| m.as_slice()));
    let ch = crate::guard::detach(py, "voc.retention.calibration_holdout", || {
        core::calibration_holdout(&c, ts, ms, cal, &opts)
    })
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
/// the repurchase rate, `table` (long form) and `repurchase` (rates per cohort).
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
    /// Customers (all cohorts).
    #[getter]
    fn n(&self) -> u64 {
        self.inner.size.iter().sum()
    }
    /// Long form: cohort, months_since, size, active, retention (observed cells only).
    #[getter]
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
    /// Per cohort: cohort, size, eligible, repurchased, repurchase_rate.
    #[getter]
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
    /// Headline fields as a dict (the matrices as nested lists).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("n", self.n())?;
        d.set_item("repurchase_rate", self.repurchase_rate())?;
        d.set_item("repurchase_window_days", self.repurchase_window_days())?;
        d.set_item("cohorts", self.cohorts())?;
        d.set_item("size", self.inner.size.clone())?;
        d.set_item("retention", self.retention(py)?.call_method0("tolist")?)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "CohortResult",
            &self.to_dict(py)?,
            Some(self.repurchase(py)?),
        )
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

/// Cohort retention (see `voc.retention.cohort_retention`): each role a column name of `data` or a
/// column.
#[pyfunction]
#[pyo3(signature = (data, *, customers, time, observation_end, repurchase_window_days))]
pub fn _retention_cohort_retention(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    customers: &Bound<'_, PyAny>,
    time: &Bound<'_, PyAny>,
    observation_end: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] repurchase_window_days: i64,
) -> PyResult<CohortResult> {
    let customers = convert::required(data, customers, "customers")?;
    let time = convert::required(data, time, "time")?;
    let (c, _labels) = customer_codes(&customers)?;
    let t = self::times(&time, "time")?;
    let end = observation_end
        .map(|e| instant(e, "observation_end", t.unit))
        .transpose()?;
    let mut opts = CohortOptions::default()
        .unit(t.unit)
        .repurchase_window_days(repurchase_window_days);
    opts.observation_end = end;
    let ts = t.values.as_slice();
    let inner = crate::guard::detach(py, "voc.retention.cohort_retention", || {
        core::cohort_retention(&c, ts, &opts)
    })
    .py_err(py)?;
    Ok(CohortResult { inner })
}
