//! `voc.retention`: BG/NBD, Gamma-Gamma and customer lifetime value.

use super::*;

// ---------------------------------------------------------------- BG/NBD and Gamma-Gamma

/// A BG/NBD model (Fader, Hardie & Lee 2005): fitted by `voc.retention.bgnbd_fit`, or built from
/// parameters `BgNbdModel(r, alpha, a, b)`.
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

crate::core_pickled!(GammaGammaModel, core::GammaGamma);

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
        .detach(|| {
            let opts = core::ClvOptions::default()
                .periods(periods)
                .period_length(period_length)
                .discount_rate(discount_rate);
            core::clv(bg, gg, core::RfmData::new(x, tx, t), m, &opts)
        })
        .py_err(py)?;
    Ok(PyArray1::from_vec(py, v))
}
