//! `voc.retention`: BG/NBD, Gamma-Gamma and customer lifetime value.

use super::*;

// ---------------------------------------------------------------- BG/NBD and Gamma-Gamma

/// A BG/NBD model (Fader, Hardie & Lee 2005): fitted by `voc.retention.fit_bgnbd`, or built from
/// parameters `BgNbdModel(r, alpha, a, b)`. `predict_p_alive`, `predict_purchases`,
/// `predict_purchases_new`, `summary()`, `to_bytes` / `from_bytes` and pickle (the core byte form).
#[pyclass(frozen, module = "voc._voc")]
pub struct BgNbdModel {
    inner: core::BgNbd,
}

crate::core_pickled!(BgNbdModel, core::BgNbd);

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
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] r: f64,
        #[pyo3(from_py_with = crate::convert_args::real)] alpha: f64,
        #[pyo3(from_py_with = crate::convert_args::real)] a: f64,
        #[pyo3(from_py_with = crate::convert_args::real)] b: f64,
    ) -> PyResult<Self> {
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
    /// Standard errors of r, alpha, a, b (NaN when built from parameters).
    #[getter]
    fn se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.se)
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
    /// Parameter table: param, estimate, se, ci_low, ci_high (Wald, at `confidence`), as lifetimes'
    /// `summary`.
    #[pyo3(signature = (*, confidence=0.95))]
    fn summary(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    ) -> PyResult<Table> {
        let rows = self.inner.summary(confidence).py_err(py)?;
        param_table(py, "bgnbd", &rows)
    }
    /// P(alive) per customer, as lifetimes `conditional_probability_alive`.
    #[pyo3(signature = (frequency, recency, T, /))]
    #[allow(non_snake_case)]
    fn predict_p_alive<'py>(
        &self,
        py: Python<'py>,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        T: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let d = rfm(frequency, recency, T)?;
        let (x, tx, t) = d.slices();
        let v = crate::guard::detach(py, "voc.retention.BgNbdModel.predict_p_alive", || {
            self.inner.p_alive(x, tx, t)
        })
        .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Expected repeat purchases in the next `horizon` time units, as lifetimes
    /// `conditional_expected_number_of_purchases_up_to_time`.
    #[pyo3(signature = (horizon, frequency, recency, T, /))]
    #[allow(non_snake_case)]
    fn predict_purchases<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = crate::convert_args::real)] horizon: f64,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        T: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let d = rfm(frequency, recency, T)?;
        let (x, tx, t) = d.slices();
        let v = crate::guard::detach(py, "voc.retention.BgNbdModel.predict_purchases", || {
            self.inner.expected_purchases(horizon, x, tx, t)
        })
        .py_err(py)?;
        Ok(PyArray1::from_vec(py, v))
    }
    /// Expected repeat purchases of a new customer in `horizon` time units, as lifetimes
    /// `expected_number_of_purchases_up_to_time`.
    #[pyo3(signature = (horizon, /))]
    fn predict_purchases_new(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] horizon: f64,
    ) -> PyResult<f64> {
        self.inner.expected_purchases_new(horizon).py_err(py)
    }
    /// Parameters and fit statistics as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let d = PyDict::new(py);
        d.set_item("r", m.r)?;
        d.set_item("alpha", m.alpha)?;
        d.set_item("a", m.a)?;
        d.set_item("b", m.b)?;
        d.set_item("se", m.se.to_vec())?;
        d.set_item("log_likelihood", m.log_likelihood)?;
        d.set_item("n", m.n)?;
        d.set_item("iterations", m.iterations)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "BgNbdModel",
            &self.to_dict(py)?,
            Some(self.summary(py, 0.95)?),
        )
    }
    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "BgNbdModel(r={:.4}, alpha={:.4}, a={:.4}, b={:.4}, n={}, loglik={:.3})",
            m.r, m.alpha, m.a, m.b, m.n, m.log_likelihood
        )
    }
}

/// The core's parameter rows as a Table (param, estimate, se, ci_low, ci_high).
fn param_table(py: Python<'_>, kind: &str, rows: &[core::ParamEstimate]) -> PyResult<Table> {
    let mut b = TableBuilder::new(py);
    let names: Vec<Option<&str>> = rows.iter().map(|r| Some(r.name)).collect();
    b.strings("param", &names)?;
    b.field("estimate", rows, |r| r.estimate);
    b.field("se", rows, |r| r.se);
    b.field("ci_low", rows, |r| r.ci_low);
    b.field("ci_high", rows, |r| r.ci_high);
    Ok(b.finish(kind, None))
}

/// Fits the BG/NBD model (see `voc.retention.fit_bgnbd`): each role a column name of `data` or a
/// column.
#[pyfunction]
#[pyo3(signature = (data, *, frequency, recency, T, max_iter, tol))]
#[allow(non_snake_case)]
pub fn _retention_fit_bgnbd(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    frequency: &Bound<'_, PyAny>,
    recency: &Bound<'_, PyAny>,
    T: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
) -> PyResult<BgNbdModel> {
    let frequency = convert::required(data, frequency, "frequency")?;
    let recency = convert::required(data, recency, "recency")?;
    let T = convert::required(data, T, "T")?;
    let d = rfm(&frequency, &recency, &T)?;
    let (x, tx, t) = d.slices();
    let inner = crate::guard::detach(py, "voc.retention.fit_bgnbd", || {
        let opts = BgNbdOptions::default().max_iter(max_iter).tol(tol);
        core::BgNbd::fit(x, tx, t, &opts)
    })
    .py_err(py)?;
    Ok(BgNbdModel { inner })
}

/// A Gamma-Gamma spend model: fitted by `voc.retention.fit_gamma_gamma`, or built from parameters
/// `GammaGammaModel(p, q, v)`. `predict_spend`, `summary()`, `to_bytes` / `from_bytes` and pickle (the
/// core byte form).
#[pyclass(frozen, module = "voc._voc")]
pub struct GammaGammaModel {
    inner: core::GammaGamma,
}

crate::core_pickled!(GammaGammaModel, core::GammaGamma);

#[pymethods]
impl GammaGammaModel {
    #[new]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] p: f64,
        #[pyo3(from_py_with = crate::convert_args::real)] q: f64,
        #[pyo3(from_py_with = crate::convert_args::real)] v: f64,
    ) -> PyResult<Self> {
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
    /// Standard errors of p, q, v (NaN when built from parameters).
    #[getter]
    fn se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        pyfloat_list(py, &self.inner.se)
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
    /// Parameter table: param, estimate, se, ci_low, ci_high (Wald, at `confidence`), as lifetimes'
    /// `summary`.
    #[pyo3(signature = (*, confidence=0.95))]
    fn summary(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    ) -> PyResult<Table> {
        let rows = self.inner.summary(confidence).py_err(py)?;
        param_table(py, "gamma_gamma", &rows)
    }
    /// Expected spend per transaction given history, as lifetimes `conditional_expected_average_profit`.
    #[pyo3(signature = (frequency, monetary, /))]
    fn predict_spend<'py>(
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
    /// Parameters and fit statistics as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let d = PyDict::new(py);
        d.set_item("p", m.p)?;
        d.set_item("q", m.q)?;
        d.set_item("v", m.v)?;
        d.set_item("se", m.se.to_vec())?;
        d.set_item("log_likelihood", m.log_likelihood)?;
        d.set_item("n", m.n)?;
        d.set_item("n_skipped", m.n_skipped)?;
        d.set_item("mean_spend", m.mean_spend())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "GammaGammaModel",
            &self.to_dict(py)?,
            Some(self.summary(py, 0.95)?),
        )
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

/// Fits the Gamma-Gamma model (see `voc.retention.fit_gamma_gamma`): each role a column name of
/// `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, frequency, monetary, max_iter, tol))]
pub fn _retention_fit_gamma_gamma(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    frequency: &Bound<'_, PyAny>,
    monetary: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
) -> PyResult<GammaGammaModel> {
    let frequency = convert::required(data, frequency, "frequency")?;
    let monetary = convert::required(data, monetary, "monetary")?;
    let x = floats(&frequency, "frequency")?;
    let m = floats(&monetary, "monetary")?;
    let (x, m) = (x.as_slice(), m.as_slice());
    let inner = crate::guard::detach(py, "voc.retention.fit_gamma_gamma", || {
        let opts = GammaGammaOptions::default().max_iter(max_iter).tol(tol);
        core::GammaGamma::fit(x, m, &opts)
    })
    .py_err(py)?;
    Ok(GammaGammaModel { inner })
}

/// Discounted CLV (see `voc.retention.customer_lifetime_value`): each role a column name of `data` or a
/// column.
#[pyfunction]
#[pyo3(signature = (data, *, bgnbd, gamma_gamma, frequency, recency, T, monetary, periods, period_length, discount_rate))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn _retention_customer_lifetime_value<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    bgnbd: &BgNbdModel,
    gamma_gamma: &GammaGammaModel,
    frequency: &Bound<'py, PyAny>,
    recency: &Bound<'py, PyAny>,
    T: &Bound<'py, PyAny>,
    monetary: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<u32>)] periods: u32,
    #[pyo3(from_py_with = crate::convert_args::real)] period_length: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] discount_rate: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let frequency = convert::required(data, frequency, "frequency")?;
    let recency = convert::required(data, recency, "recency")?;
    let T = convert::required(data, T, "T")?;
    let monetary = convert::required(data, monetary, "monetary")?;
    let d = rfm(&frequency, &recency, &T)?;
    let m = floats(&monetary, "monetary")?;
    let (x, tx, t) = d.slices();
    let m = m.as_slice();
    let (bg, gg) = (&bgnbd.inner, &gamma_gamma.inner);
    let v = crate::guard::detach(py, "voc.retention.customer_lifetime_value", || {
        let opts = core::ClvOptions::default()
            .periods(periods)
            .period_length(period_length)
            .discount_rate(discount_rate);
        core::clv(bg, gg, core::RfmData::new(x, tx, t), m, &opts)
    })
    .py_err(py)?;
    Ok(PyArray1::from_vec(py, v))
}
