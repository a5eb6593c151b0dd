//! `voc.uplift`: uplift models and the evaluation of uplift rankings. Columns arrive through the
//! risk module's readers (0/1 columns, numbers, feature matrices in any layout); the core does every
//! computation.

use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::{Deserialize, Serialize};
use voc_core::risk::{LogisticModel as CoreLogistic, LogisticOptions, Missing, Penalty};
use voc_core::stats::ShareInterval;
use voc_core::uplift::{
    self as core, AtKStrategy, AucScore, Curve, Learner, PercentileOptions, QiniBootstrapOptions,
    QiniInterval, TopK, UpliftAtK, UpliftData, UpliftMethod, UpliftModel as CoreModel,
    UpliftOptions,
};
use voc_core::{Error, Fit, Predict};

use crate::risk::{Features, RiskErr, features, floats, labels, x_error};
use crate::table::{Table, TableBuilder, fields_html};

/// Outcome, treatment and (when asked for) uplift, read as floats.
type Ranking<'py> = (
    crate::convert::Buf<'py, f64>,
    crate::convert::Buf<'py, f64>,
    Option<crate::convert::Buf<'py, f64>>,
);

/// Reads the three columns of a ranking evaluation.
fn columns<'py>(
    data: Option<&Bound<'py, PyAny>>,
    outcome: &Bound<'py, PyAny>,
    treatment: &Bound<'py, PyAny>,
    uplift: Option<&Bound<'py, PyAny>>,
) -> PyResult<Ranking<'py>> {
    let role = |v: &Bound<'py, PyAny>, arg: &str| crate::risk::roles::column(data, v, arg);
    Ok((
        labels(&role(outcome, "outcome")?, "outcome")?,
        labels(&role(treatment, "treatment")?, "treatment")?,
        uplift
            .map(|u| floats(&role(u, "uplift")?, "uplift"))
            .transpose()?,
    ))
}

fn curve_table(py: Python<'_>, c: Curve, what: &str) -> Table {
    let mut b = TableBuilder::new(py);
    b.numbers("targeted", c.targeted);
    b.numbers("value", c.value);
    b.finish(what, None)
}

/// The `_repr_html_` of a result from its `to_dict()` (values by their `repr()`).
fn html(name: &str, d: &Bound<'_, PyDict>) -> PyResult<String> {
    fields_html(name, d, true)
}

/// The points of an uplift or Qini curve (`kind`: `qini`, `uplift`, `perfect_qini`, `perfect_uplift`).
#[pyfunction]
#[pyo3(name = "_uplift_curve")]
#[pyo3(signature = (kind, data, outcome, treatment, uplift=None, negative_effect=true))]
pub fn uplift_curve_points(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::text)] kind: &str,
    data: Option<&Bound<'_, PyAny>>,
    outcome: &Bound<'_, PyAny>,
    treatment: &Bound<'_, PyAny>,
    uplift: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::flag)] negative_effect: bool,
) -> PyResult<Table> {
    let (y, t, u) = columns(data, outcome, treatment, uplift)?;
    let (y, t, u): (&[f64], &[f64], Option<&[f64]>) = (&y, &t, u.as_deref());
    let need =
        || u.ok_or_else(|| Error::option("uplift", "None", "the curve of a ranking needs uplift="));
    let c = crate::guard::detach(py, "voc.uplift.qini_curve", || match kind {
        "qini" => core::qini_curve(y, t, need()?),
        "uplift" => core::uplift_curve(y, t, need()?),
        "perfect_qini" => core::perfect_qini_curve(y, t, negative_effect),
        "perfect_uplift" => core::perfect_uplift_curve(y, t),
        other => Err(Error::option(
            "kind",
            other,
            "expected qini, uplift, perfect_qini or perfect_uplift",
        )),
    })
    .risk_err(py)?;
    Ok(curve_table(py, c, "uplift curve"))
}

/// What an [`UpliftScore`] holds: the area score of a curve, and the bootstrap interval if asked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreParts {
    /// `"qini"` or `"uplift"`.
    curve: String,
    /// The Qini score's perfect curve option (None for the uplift curve).
    negative_effect: Option<bool>,
    score: AucScore,
    interval: Option<QiniInterval>,
    seed: Option<u64>,
}

impl crate::pickle::Checked for ScoreParts {
    fn check(&self) -> Result<(), String> {
        match (self.curve.as_str(), self.negative_effect, &self.interval) {
            ("qini", Some(_), _) | ("uplift", None, None) => Ok(()),
            (c, ne, i) => Err(format!(
                "curve {c:?} with negative_effect {ne:?} and interval {}",
                i.is_some()
            )),
        }
    }
}

/// The normalised area under a Qini or uplift curve (the Qini coefficient, AUUC), with the areas
/// behind it and, for the Qini coefficient with `resamples`, a bootstrap interval.
#[pyclass(frozen, module = "voc._voc")]
pub struct UpliftScore {
    inner: ScoreParts,
}

crate::pickled!(UpliftScore);

#[pymethods]
impl UpliftScore {
    /// `(area − random_area) / (perfect_area − random_area)`: 0 for a random ranking, 1 for the
    /// perfect one (scikit-uplift's `qini_auc_score` / `uplift_auc_score`).
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.score.estimate
    }
    /// Area under the ranking's curve.
    #[getter]
    fn area(&self) -> f64 {
        self.inner.score.area
    }
    /// Area under the random line from (0, 0) to the curve's end.
    #[getter]
    fn random_area(&self) -> f64 {
        self.inner.score.random_area
    }
    /// Area under the perfect curve.
    #[getter]
    fn perfect_area(&self) -> f64 {
        self.inner.score.perfect_area
    }
    /// `"qini"` or `"uplift"`.
    #[getter]
    fn curve(&self) -> &str {
        &self.inner.curve
    }
    /// For the Qini coefficient: whether the perfect curve has negative effects (None for AUUC).
    #[getter]
    fn negative_effect(&self) -> Option<bool> {
        self.inner.negative_effect
    }
    /// Rows.
    #[getter]
    fn n(&self) -> usize {
        self.inner.score.arms.n()
    }
    /// Treated rows.
    #[getter]
    fn n_treated(&self) -> usize {
        self.inner.score.arms.n_treated
    }
    /// Control rows.
    #[getter]
    fn n_control(&self) -> usize {
        self.inner.score.arms.n_control
    }
    /// Lower bound of the bootstrap interval (None without `resamples`).
    #[getter]
    fn ci_low(&self) -> Option<f64> {
        self.inner.interval.map(|i| i.ci.low)
    }
    /// Upper bound of the bootstrap interval (None without `resamples`).
    #[getter]
    fn ci_high(&self) -> Option<f64> {
        self.inner.interval.map(|i| i.ci.high)
    }
    /// Standard deviation of the resampled coefficients (None without `resamples`).
    #[getter]
    fn se(&self) -> Option<f64> {
        self.inner.interval.map(|i| i.se)
    }
    /// Level of the interval (None without `resamples`).
    #[getter]
    fn confidence(&self) -> Option<f64> {
        self.inner.interval.map(|i| i.ci.level)
    }
    /// `"bootstrap"` with an interval, else None.
    #[getter]
    fn method(&self) -> Option<&'static str> {
        self.inner.interval.map(|_| "bootstrap")
    }
    /// Resamples whose coefficient was defined (None without `resamples`).
    #[getter]
    fn resamples(&self) -> Option<usize> {
        self.inner.interval.map(|i| i.resamples)
    }
    /// Resamples left out because no ranking could beat chance in them (None without `resamples`).
    #[getter]
    fn n_undefined(&self) -> Option<usize> {
        self.inner.interval.map(|i| i.n_undefined)
    }
    /// The seed of the resamples (None without `resamples`).
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.inner.seed
    }
    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("curve", self.curve())?;
        d.set_item("estimate", self.estimate())?;
        d.set_item("ci_low", self.ci_low())?;
        d.set_item("ci_high", self.ci_high())?;
        d.set_item("se", self.se())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("method", self.method())?;
        d.set_item("area", self.area())?;
        d.set_item("random_area", self.random_area())?;
        d.set_item("perfect_area", self.perfect_area())?;
        d.set_item("negative_effect", self.negative_effect())?;
        d.set_item("n", self.n())?;
        d.set_item("n_treated", self.n_treated())?;
        d.set_item("n_control", self.n_control())?;
        d.set_item("resamples", self.resamples())?;
        d.set_item("n_undefined", self.n_undefined())?;
        d.set_item("seed", self.seed())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("UpliftScore", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        let ci = match self.inner.interval {
            Some(i) => format!(", ci=({:.4}, {:.4})", i.ci.low, i.ci.high),
            None => String::new(),
        };
        format!(
            "UpliftScore(curve={:?}, estimate={:.6}{ci}, n={})",
            self.inner.curve,
            self.inner.score.estimate,
            self.n()
        )
    }
}

/// The Qini coefficient (`curve="qini"`) or AUUC (`curve="uplift"`); with `resamples` (Qini only) a
/// seeded stratified bootstrap interval.
#[pyfunction]
#[pyo3(name = "_uplift_score")]
#[pyo3(signature = (curve, data, outcome, treatment, uplift, *, negative_effect=true, resamples=None, confidence=0.95, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn uplift_score(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::text)] curve: &str,
    data: Option<&Bound<'_, PyAny>>,
    outcome: &Bound<'_, PyAny>,
    treatment: &Bound<'_, PyAny>,
    uplift: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::flag)] negative_effect: bool,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] resamples: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
) -> PyResult<UpliftScore> {
    let (y, t, u) = columns(data, outcome, treatment, Some(uplift))?;
    let (y, t, u): (&[f64], &[f64], &[f64]) = (&y, &t, u.as_deref().unwrap_or(&[]));
    let inner = crate::guard::detach(py, "voc.uplift.qini_auc", || -> voc_core::Result<_> {
        match (curve, resamples) {
            ("qini", None) => Ok(ScoreParts {
                curve: "qini".into(),
                negative_effect: Some(negative_effect),
                score: core::qini_auc(y, t, u, negative_effect)?,
                interval: None,
                seed: None,
            }),
            ("qini", Some(r)) => {
                let o = QiniBootstrapOptions::default()
                    .resamples(r)
                    .confidence(confidence)
                    .seed(seed)
                    .negative_effect(negative_effect);
                let i = core::qini_bootstrap(y, t, u, &o)?;
                Ok(ScoreParts {
                    curve: "qini".into(),
                    negative_effect: Some(negative_effect),
                    score: i.score,
                    interval: Some(i),
                    seed: Some(seed),
                })
            }
            ("uplift", None) => Ok(ScoreParts {
                curve: "uplift".into(),
                negative_effect: None,
                score: core::uplift_auc(y, t, u)?,
                interval: None,
                seed: None,
            }),
            ("uplift", Some(r)) => Err(Error::option(
                "resamples",
                r,
                "the bootstrap interval is offered for the Qini coefficient (qini_auc)",
            )),
            (other, _) => Err(Error::option("curve", other, "expected qini or uplift")),
        }
    })
    .risk_err(py)?;
    Ok(UpliftScore { inner })
}

/// What an [`UpliftAtKResult`] holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AtKParts {
    k: TopK,
    result: UpliftAtK,
}

crate::plain_checked!(AtKParts);

/// Uplift among the top-ranked rows (`voc.uplift.uplift_at_k`).
#[pyclass(frozen, module = "voc._voc")]
pub struct UpliftAtKResult {
    inner: AtKParts,
}

crate::pickled!(UpliftAtKResult);

#[pymethods]
impl UpliftAtKResult {
    /// Response rate of the treated minus that of the controls among the top rows.
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.result.estimate
    }
    /// Response rate of the treated among them.
    #[getter]
    fn rate_treated(&self) -> f64 {
        self.inner.result.rate_treated
    }
    /// Response rate of the controls among them.
    #[getter]
    fn rate_control(&self) -> f64 {
        self.inner.result.rate_control
    }
    /// Treated rows among them.
    #[getter]
    fn n_treated(&self) -> usize {
        self.inner.result.n_treated
    }
    /// Control rows among them.
    #[getter]
    fn n_control(&self) -> usize {
        self.inner.result.n_control
    }
    /// Rows among them.
    #[getter]
    fn n(&self) -> usize {
        self.inner.result.n_treated + self.inner.result.n_control
    }
    /// `"overall"` or `"by_group"`.
    #[getter]
    fn strategy(&self) -> &'static str {
        self.inner.result.strategy.name()
    }
    /// The `k` asked for: a count (int) or a share (float).
    #[getter]
    fn k<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self.inner.k {
            TopK::Count(c) => c.into_pyobject(py)?.into_any(),
            TopK::Share(s) => s.into_pyobject(py)?.into_any(),
        })
    }
    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("estimate", self.estimate())?;
        d.set_item("rate_treated", self.rate_treated())?;
        d.set_item("rate_control", self.rate_control())?;
        d.set_item("n", self.n())?;
        d.set_item("n_treated", self.n_treated())?;
        d.set_item("n_control", self.n_control())?;
        d.set_item("k", self.k(py)?)?;
        d.set_item("strategy", self.strategy())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("UpliftAtKResult", &self.to_dict(py)?)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "UpliftAtKResult(estimate={:.6}, k={}, strategy={:?}, n_treated={}, n_control={})",
            self.estimate(),
            self.k(py)?.repr()?,
            self.strategy(),
            self.n_treated(),
            self.n_control()
        ))
    }
}

/// Uplift at the top `k` (a count with `k_count`, else a share `k_share`).
#[pyfunction]
#[pyo3(name = "_uplift_at_k")]
#[pyo3(signature = (data, outcome, treatment, uplift, *, k=None, strategy="overall"))]
#[allow(clippy::too_many_arguments)]
pub fn uplift_at_k(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    outcome: &Bound<'_, PyAny>,
    treatment: &Bound<'_, PyAny>,
    uplift: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = opt_k)] k: Option<TopK>,
    #[pyo3(from_py_with = crate::convert_args::text)] strategy: &str,
) -> PyResult<UpliftAtKResult> {
    let strategy: AtKStrategy = strategy.parse().risk_err(py)?;
    let k = match k {
        Some(k) => k,
        None => {
            return Err::<UpliftAtKResult, Error>(Error::option(
                "k",
                "None",
                "give a count or a share",
            ))
            .risk_err(py);
        }
    };
    let (y, t, u) = columns(data, outcome, treatment, Some(uplift))?;
    let (y, t, u): (&[f64], &[f64], &[f64]) = (&y, &t, u.as_deref().unwrap_or(&[]));
    let result = crate::guard::detach(py, "voc.uplift.uplift_at_k", || {
        core::uplift_at_k(y, t, u, k, strategy)
    })
    .risk_err(py)?;
    Ok(UpliftAtKResult {
        inner: AtKParts { k, result },
    })
}

/// Response rates per arm and the uplift in bins of the ranking, with intervals, and a last row
/// `total`.
#[pyfunction]
#[pyo3(name = "_uplift_by_percentile")]
#[pyo3(signature = (data, outcome, treatment, uplift, *, bins=10, strategy="overall", interval="wilson", confidence=0.95))]
#[allow(clippy::too_many_arguments)]
pub fn uplift_by_percentile(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    outcome: &Bound<'_, PyAny>,
    treatment: &Bound<'_, PyAny>,
    uplift: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] bins: usize,
    #[pyo3(from_py_with = crate::convert_args::text)] strategy: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<Table> {
    let opts = (|| -> voc_core::Result<PercentileOptions> {
        Ok(PercentileOptions::default()
            .bins(bins)
            .strategy(strategy.parse()?)
            .interval(interval.parse::<ShareInterval>()?)
            .confidence(confidence))
    })()
    .risk_err(py)?;
    let (y, t, u) = columns(data, outcome, treatment, Some(uplift))?;
    let (y, t, u): (&[f64], &[f64], &[f64]) = (&y, &t, u.as_deref().unwrap_or(&[]));
    let r = crate::guard::detach(py, "voc.uplift.uplift_by_percentile", || {
        core::uplift_by_percentile(y, t, u, &opts)
    })
    .risk_err(py)?;
    let mut rows = r.bins;
    rows.push(r.total);
    let nan = f64::NAN;
    let mut b = TableBuilder::new(py);
    let labels: Vec<Option<&str>> = rows.iter().map(|r| Some(r.label.as_str())).collect();
    b.strings("percentile", &labels)?;
    b.field("n_treated", &rows, |r| r.n_treated as i64);
    b.field("n_control", &rows, |r| r.n_control as i64);
    b.field("responders_treated", &rows, |r| r.responders_treated as i64);
    b.field("responders_control", &rows, |r| r.responders_control as i64);
    b.field("rate_treated", &rows, |r| r.rate_treated);
    b.field("rate_control", &rows, |r| r.rate_control);
    b.field("uplift", &rows, |r| r.uplift);
    b.field("se_treated", &rows, |r| r.se_treated);
    b.field("se_control", &rows, |r| r.se_control);
    b.field("se_uplift", &rows, |r| r.se_uplift);
    b.field("ci_low", &rows, |r| r.ci_uplift.map_or(nan, |c| c.low));
    b.field("ci_high", &rows, |r| r.ci_uplift.map_or(nan, |c| c.high));
    b.field("rate_treated_ci_low", &rows, |r| {
        r.ci_treated.map_or(nan, |c| c.low)
    });
    b.field("rate_treated_ci_high", &rows, |r| {
        r.ci_treated.map_or(nan, |c| c.high)
    });
    b.field("rate_control_ci_low", &rows, |r| {
        r.ci_control.map_or(nan, |c| c.low)
    });
    b.field("rate_control_ci_high", &rows, |r| {
        r.ci_control.map_or(nan, |c| c.high)
    });
    Ok(b.finish("uplift by percentile", None))
}

crate::table_result_class!(
    /// The balance check of a randomised test (`voc.uplift.balance`): the `table` (one row per
    /// feature: `feature`, `mean_treated`, `mean_control`, `sd_treated`, `sd_control`, `smd`,
    /// `imbalanced`) and the counts.
    BalanceResult {
        /// Treated rows.
        n_treated: u64,
        /// Control rows.
        n_control: u64,
        /// |SMD| above it flags a feature.
        threshold: f64,
        /// Features flagged.
        n_imbalanced: u64,
    }
);

/// Standardised mean differences of the features between the arms.
#[pyfunction]
#[pyo3(name = "_uplift_balance")]
#[pyo3(signature = (data, x, treatment, *, threshold=0.1))]
pub fn uplift_balance<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    x: Option<&Bound<'py, PyAny>>,
    treatment: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] threshold: f64,
) -> PyResult<BalanceResult> {
    let src = crate::risk::roles::feature_source(py, data, x, &[Some(treatment)])?;
    let Features { names, x } = features(&src.x, src.names.as_deref(), &src.exclude, "x")?;
    let treatment = crate::risk::roles::column(data, treatment, "treatment")?;
    let t = labels(&treatment, "treatment")?;
    let (xv, t): (_, &[f64]) = (x.view(), &t);
    let opts = core::BalanceOptions::default().threshold(threshold);
    let r = crate::guard::detach(py, "voc.uplift.balance", || {
        core::balance(xv, t, Some(&names), &opts)
    })
    .map_err(|e| x_error(py, e, &names))?;
    let mut b = TableBuilder::new(py);
    let feats: Vec<Option<&str>> = r.rows.iter().map(|r| Some(r.feature.as_str())).collect();
    b.strings("feature", &feats)?;
    b.field("mean_treated", &r.rows, |r| r.mean_treated);
    b.field("mean_control", &r.rows, |r| r.mean_control);
    b.field("sd_treated", &r.rows, |r| r.sd_treated);
    b.field("sd_control", &r.rows, |r| r.sd_control);
    b.field("smd", &r.rows, |r| r.smd);
    b.field("imbalanced", &r.rows, |r| r.imbalanced);
    let table = b.finish("balance", None);
    BalanceResult::new(
        py,
        table,
        r.n_treated as u64,
        r.n_control as u64,
        r.threshold,
        r.n_imbalanced as u64,
    )
}

/// A fitted uplift model (`voc.uplift.fit_t_learner`, `fit_class_transformation`,
/// `fit_x_learner`).
#[pyclass(frozen, module = "voc._voc")]
pub struct UpliftModel {
    inner: CoreModel,
}

crate::core_pickled!(UpliftModel, CoreModel);

/// Fits an uplift model (`method`: `t_learner`, `class_transformation`, `x_learner`).
#[pyfunction]
#[pyo3(name = "_uplift_fit")]
#[pyo3(signature = (method, data, x, outcome, treatment, *, missing="error", propensity=None, penalty="l2", C=1.0, l1_ratio=None, standardize=true, max_iter=100, tol=1e-10))]
#[allow(clippy::too_many_arguments, non_snake_case)]
pub fn fit_uplift<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = crate::convert_args::text)] method: &str,
    data: Option<&Bound<'py, PyAny>>,
    x: Option<&Bound<'py, PyAny>>,
    outcome: &Bound<'py, PyAny>,
    treatment: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] propensity: Option<f64>,
    #[pyo3(from_py_with = crate::convert_args::text)] penalty: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] C: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] l1_ratio: Option<f64>,
    #[pyo3(from_py_with = crate::convert_args::flag)] standardize: bool,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
) -> PyResult<UpliftModel> {
    let opts = (|| -> voc_core::Result<UpliftOptions> {
        let mut logistic = LogisticOptions::default()
            .penalty(penalty.parse::<Penalty>()?)
            .c(C)
            .standardize(standardize)
            .max_iter(max_iter)
            .tol(tol)
            .missing(missing.parse::<Missing>()?);
        logistic.l1_ratio = l1_ratio;
        let o = UpliftOptions::default()
            .method(method.parse::<UpliftMethod>()?)
            .logistic(logistic)
            .propensity(propensity);
        o.validate()?;
        Ok(o)
    })()
    .risk_err(py)?;
    let src = crate::risk::roles::feature_source(py, data, x, &[Some(outcome), Some(treatment)])?;
    let Features { names, x } = features(&src.x, src.names.as_deref(), &src.exclude, "x")?;
    let (outcome, treatment) = (
        crate::risk::roles::column(data, outcome, "outcome")?,
        crate::risk::roles::column(data, treatment, "treatment")?,
    );
    let (y, t) = (
        labels(&outcome, "outcome")?,
        labels(&treatment, "treatment")?,
    );
    let (xv, y, t): (_, &[f64], &[f64]) = (x.view(), &y, &t);
    let model = crate::guard::detach(py, "voc.uplift.fit_t_learner", || {
        opts.fit(UpliftData::new(xv, y, t).names(&names))
    })
    .map_err(|e| x_error(py, e, &names))?;
    Ok(UpliftModel { inner: model })
}

fn parts(m: &CoreModel) -> Vec<(&'static str, &CoreLogistic)> {
    match &m.learner {
        Learner::TLearner { treated, control }
        | Learner::XLearner {
            treated, control, ..
        } => {
            vec![("treated", treated), ("control", control)]
        }
        Learner::ClassTransformation { model } => vec![("transformed", model)],
    }
}

impl UpliftModel {
    fn read<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Features<'py>> {
        features(x, Some(&self.inner.names), &[], "x")
    }
}

#[pymethods]
impl UpliftModel {
    /// `"t_learner"`, `"class_transformation"` or `"x_learner"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method().name()
    }
    /// Feature names.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names.clone()
    }
    /// The reference customer: the training mean of each feature.
    #[getter]
    fn reference(&self) -> Vec<f64> {
        self.inner.reference.clone()
    }
    /// Training rows.
    #[getter]
    fn n(&self) -> usize {
        self.inner.arms.n()
    }
    /// Treated training rows.
    #[getter]
    fn n_treated(&self) -> usize {
        self.inner.arms.n_treated
    }
    /// Control training rows.
    #[getter]
    fn n_control(&self) -> usize {
        self.inner.arms.n_control
    }
    /// The X-learner's propensity (None for the other learners).
    #[getter]
    fn propensity(&self) -> Option<f64> {
        match self.inner.learner {
            Learner::XLearner { propensity, .. } => Some(propensity),
            _ => None,
        }
    }
    /// The missing-value policy of the fit (`"error"`, `"skip"` or `"impute_mean"`).
    #[getter]
    fn missing(&self) -> &'static str {
        self.inner.missing.name()
    }
    /// Rows left out as missing (`missing="skip"`; 0 otherwise).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.n_missing
    }
    /// Whether every logistic model met its tolerance.
    #[getter]
    fn converged(&self) -> bool {
        parts(&self.inner)
            .iter()
            .all(|(_, m)| m.convergence.converged)
    }

    /// One row per model and term: `model` (`treated`, `control`, `transformed`, `effect_treated`,
    /// `effect_control`), `term`, `coef`, and for unpenalised logistic models `se`, `z`, `p_value`,
    /// `ci_low`, `ci_high` (NaN otherwise).
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        struct Row {
            model: &'static str,
            term: String,
            coef: f64,
            inf: Option<voc_core::risk::CoefInference>,
        }
        let mut rows = Vec::new();
        for (name, m) in parts(&self.inner) {
            for t in m.summary() {
                rows.push(Row {
                    model: name,
                    term: t.term,
                    coef: t.coef,
                    inf: t.inference,
                });
            }
        }
        if let Learner::XLearner {
            effect_treated,
            effect_control,
            ..
        } = &self.inner.learner
        {
            for (name, e) in [
                ("effect_treated", effect_treated),
                ("effect_control", effect_control),
            ] {
                let terms = std::iter::once(("(intercept)".to_string(), e.intercept))
                    .chain(self.inner.names.iter().cloned().zip(e.coef.iter().copied()));
                for (term, coef) in terms {
                    rows.push(Row {
                        model: name,
                        term,
                        coef,
                        inf: None,
                    });
                }
            }
        }
        let nan = f64::NAN;
        let mut b = TableBuilder::new(py);
        let models: Vec<Option<&str>> = rows.iter().map(|r| Some(r.model)).collect();
        let terms: Vec<Option<&str>> = rows.iter().map(|r| Some(r.term.as_str())).collect();
        b.strings("model", &models)?;
        b.strings("term", &terms)?;
        b.field("coef", &rows, |r| r.coef);
        b.field("se", &rows, |r| r.inf.map_or(nan, |c| c.se));
        b.field("z", &rows, |r| r.inf.map_or(nan, |c| c.z));
        b.field("p_value", &rows, |r| r.inf.map_or(nan, |c| c.p_value));
        b.field("ci_low", &rows, |r| r.inf.map_or(nan, |c| c.ci.0));
        b.field("ci_high", &rows, |r| r.inf.map_or(nan, |c| c.ci.1));
        Ok(b.finish("uplift model summary", None))
    }

    /// The predicted uplift of each row of `x` (a table with the model's feature columns, or a 2-D
    /// array with them in order).
    fn predict_uplift(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let f = self.read(x)?;
        let xv = f.x.view();
        let m = &self.inner;
        let u = crate::guard::detach(py, "voc.uplift.UpliftModel.predict_uplift", || {
            m.predict_uplift(xv)
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        Ok(PyArray1::from_vec(py, u).into_any().unbind())
    }

    /// A table with one row per row of `x`: `uplift`, and `p_treated`, `p_control` (the probability of
    /// the outcome if contacted / held out; NaN for the class transformation, which does not model
    /// the arms).
    fn predict(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Table> {
        let f = self.read(x)?;
        let xv = f.x.view();
        let m = &self.inner;
        let p = crate::guard::detach(py, "voc.uplift.UpliftModel.predict", || m.predict(xv))
            .map_err(|e| x_error(py, e, &m.names))?;
        let n = p.uplift.len();
        let mut b = TableBuilder::new(py);
        b.numbers("uplift", p.uplift);
        b.numbers("p_treated", p.treated.unwrap_or_else(|| vec![f64::NAN; n]));
        b.numbers("p_control", p.control.unwrap_or_else(|| vec![f64::NAN; n]));
        Ok(b.finish("uplift predictions", None))
    }

    /// Each feature's part in each row's uplift relative to the reference customer (rows × features);
    /// a row's parts plus `baseline` add up to its uplift.
    fn contributions(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let f = self.read(x)?;
        let xv = f.x.view();
        let m = &self.inner;
        let c = crate::guard::detach(py, "voc.uplift.UpliftModel.contributions", || {
            m.contributions(xv)
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        Ok(PyArray2::from_owned_array(py, c.values).into_any().unbind())
    }

    /// The uplift of the reference customer (the training means).
    #[getter]
    fn baseline(&self, py: Python<'_>) -> PyResult<f64> {
        let m = &self.inner;
        let r = ndarray_row(&m.reference);
        let c = crate::guard::detach(py, "voc.uplift.UpliftModel.baseline", || {
            m.contributions(r.view())
        })
        .risk_err(py)?;
        Ok(c.baseline)
    }

    /// The `reasons` features that raise each row's uplift the most, in words: a table with `row`,
    /// `uplift`, and `reason_k`, `reason_k_feature`, `reason_k_contribution` for k = 1..reasons
    /// (None / NaN where a row has fewer).
    #[pyo3(signature = (x, *, reasons=3))]
    fn reasons(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] reasons: usize,
    ) -> PyResult<Table> {
        let f = self.read(x)?;
        let xv = f.x.view();
        let m = &self.inner;
        let (list, u) = crate::guard::detach(py, "voc.uplift.UpliftModel.reasons", || {
            Ok::<_, Error>((m.reasons(xv, reasons)?, m.predict_uplift(xv)?))
        })
        .map_err(|e| x_error(py, e, &m.names))?;
        let mut b = TableBuilder::new(py);
        b.numbers("row", (0..list.len() as i64).collect());
        b.numbers("uplift", u);
        for k in 0..reasons {
            let text: Vec<Option<&str>> = list
                .iter()
                .map(|r| r.get(k).map(|r| r.text.as_str()))
                .collect();
            let feature: Vec<Option<&str>> = list
                .iter()
                .map(|r| r.get(k).map(|r| r.feature.as_str()))
                .collect();
            b.strings(&format!("reason_{}", k + 1), &text)?;
            b.strings(&format!("reason_{}_feature", k + 1), &feature)?;
            b.field(&format!("reason_{}_contribution", k + 1), &list, |r| {
                r.get(k).map_or(f64::NAN, |r| r.contribution)
            });
        }
        Ok(b.finish("uplift reasons", None))
    }

    /// The headline numbers as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("method", self.method())?;
        d.set_item("names", PyList::new(py, &self.inner.names)?)?;
        d.set_item("n", self.n())?;
        d.set_item("n_treated", self.n_treated())?;
        d.set_item("n_control", self.n_control())?;
        d.set_item("propensity", self.propensity())?;
        d.set_item("missing", self.missing())?;
        d.set_item("n_missing", self.n_missing())?;
        d.set_item("converged", self.converged())?;
        Ok(d)
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("UpliftModel", &self.to_dict(py)?)
    }

    fn __repr__(&self) -> String {
        format!(
            "UpliftModel(method={:?}, features={}, n_treated={}, n_control={}, missing={:?}, n_missing={})",
            self.method(),
            self.inner.names.len(),
            self.n_treated(),
            self.n_control(),
            self.missing(),
            self.n_missing()
        )
    }
}

fn ndarray_row(v: &[f64]) -> numpy::ndarray::Array2<f64> {
    numpy::ndarray::Array2::from_shape_fn((1, v.len()), |(_, j)| v[j])
}

/// Registers the uplift functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<UpliftModel>()?;
    m.add_class::<UpliftScore>()?;
    m.add_class::<UpliftAtKResult>()?;
    m.add_class::<BalanceResult>()?;
    m.add_function(wrap_pyfunction!(fit_uplift, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_curve_points, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_score, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_at_k, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_by_percentile, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_balance, m)?)?;
    m.add_class::<TargetResult>()?;
    m.add_function(wrap_pyfunction!(uplift_target, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_net_value, m)?)?;
    Ok(())
}

crate::table_result_class!(
    /// A call list ranked by the expected value of the play (`voc.uplift.target`): the `table` (one row
    /// per customer to call, best first: `customer_id`, `rank`, `uplift`, `p_treated` and `p_control`
    /// when the model predicts the arms, `value`, `net_value`, `reason_k` and `reason_k_feature`) and
    /// what the list is expected to deliver, with a bootstrap interval when one was asked for.
    TargetResult {
        /// Customers scored.
        n: u64,
        /// Expected saves: the sum of the list's uplifts.
        expected_saves: f64,
        /// Lower bound of the saves' interval (None without `resamples`).
        saves_ci_low: Option<f64>,
        /// Upper bound of the saves' interval.
        saves_ci_high: Option<f64>,
        /// Expected net value: the sum of the list's `value × uplift − contact_cost`.
        expected_net_value: f64,
        /// Lower bound of the net value's interval (None without `resamples`).
        net_value_ci_low: Option<f64>,
        /// Upper bound of the net value's interval.
        net_value_ci_high: Option<f64>,
        /// `"bootstrap_refit"` with an interval, else None.
        method: Option<String>,
        /// Level of the intervals (None without `resamples`).
        confidence: Option<f64>,
        /// Resamples whose refit succeeded and entered the interval (None without `resamples`; a
        /// resample whose refit fails, an arm with one outcome, is left out).
        resamples: Option<u64>,
        /// The seed of the resamples (None without `resamples`).
        seed: Option<u64>,
    }
);

/// Training data of a model for the interval: its features (by the model's names), outcome and
/// treatment.
type Training<'py> = (
    Features<'py>,
    crate::convert::Buf<'py, f64>,
    crate::convert::Buf<'py, f64>,
);

/// `None` or an `UpliftModel` (a `DtypeError` naming the argument otherwise).
fn opt_model<'py>(ob: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, UpliftModel>>> {
    if ob.is_none() {
        Ok(None)
    } else {
        crate::convert_args::instance::<UpliftModel>(ob).map(Some)
    }
}

/// A top-k option (`budget`, `k`): None, a count (an int) or a share (a float). A count too large for
/// the core's integer is above any number of rows: the core's `LimitError` for a count above n,
/// naming the option like every other bad value of it (never the count's own range).
fn top_k(ob: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Option<TopK>> {
    if ob.is_none() {
        return Ok(None);
    }
    let py = ob.py();
    let kind = ob
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let is_bool = ob.is_instance_of::<pyo3::types::PyBool>() || kind.starts_with("bool");
    let text = |v: PyResult<Bound<'_, pyo3::types::PyString>>| {
        v.map(|v| v.to_string()).unwrap_or_default()
    };
    let err = |e: Error| Err::<Option<TopK>, Error>(e).risk_err(py);
    if is_bool {
        return err(Error::option(
            arg,
            text(ob.repr()),
            "must be a count (int) or a share (float)",
        ));
    }
    if ob.is_instance_of::<pyo3::types::PyFloat>() || kind.starts_with("float") {
        return crate::convert_args::real(ob).map(|s| Some(TopK::Share(s)));
    }
    if ob.is_instance_of::<pyo3::types::PyInt>()
        || kind.starts_with("int")
        || kind.starts_with("uint")
    {
        return match crate::convert_args::whole::<usize>(ob) {
            Ok(c) => Ok(Some(TopK::Count(c))),
            Err(_) if ob.gt(0).unwrap_or(false) => err(Error::too_large(
                arg,
                text(ob.str()),
                "the number of rows",
                "a count cannot exceed the rows it is taken from",
            )),
            Err(_) => err(Error::option(
                arg,
                text(ob.str()),
                "a count must be at least 1",
            )),
        };
    }
    err(Error::option(
        arg,
        text(ob.repr()),
        "must be a count (int) or a share (float)",
    ))
}

/// `budget` of `voc.uplift.target` ([`top_k`]).
fn opt_budget(ob: &Bound<'_, PyAny>) -> PyResult<Option<TopK>> {
    top_k(ob, "budget")
}

/// `k` of `voc.uplift.uplift_at_k` ([`top_k`]).
fn opt_k(ob: &Bound<'_, PyAny>) -> PyResult<Option<TopK>> {
    top_k(ob, "k")
}

/// A role of the training data that the interval needs.
fn training_role<'a, 'py>(
    py: Python<'py>,
    v: Option<&'a Bound<'py, PyAny>>,
    arg: &'static str,
) -> PyResult<&'a Bound<'py, PyAny>> {
    v.filter(|v| !v.is_none()).ok_or_else(|| {
        crate::error::raise_named(
            py,
            "InvalidOptionError",
            format!("{arg} = None: the training data needs its {arg} column"),
            Some(arg),
        )
    })
}

/// The call list (`voc.uplift.target`, and `voc.risk.alerts` with an uplift): customers of `data`
/// ranked by `value × uplift − contact_cost`, the uplift from `model` or a given column.
#[pyfunction]
#[pyo3(name = "_uplift_target")]
#[pyo3(signature = (data, model, uplift, value, *, contact_cost=5.0, budget=None, break_even=true, reasons=3, training=None, outcome=None, treatment=None, resamples=None, confidence=0.95, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn uplift_target<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = opt_model)] model: Option<Bound<'py, UpliftModel>>,
    uplift: Option<&Bound<'py, PyAny>>,
    value: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] contact_cost: f64,
    #[pyo3(from_py_with = opt_budget)] budget: Option<TopK>,
    #[pyo3(from_py_with = crate::convert_args::flag)] break_even: bool,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] reasons: usize,
    training: Option<&Bound<'py, PyAny>>,
    outcome: Option<&Bound<'py, PyAny>>,
    treatment: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<usize>)] resamples: Option<usize>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
) -> PyResult<TargetResult> {
    let uplift = uplift.filter(|u| !u.is_none());
    let training = training.filter(|t| !t.is_none());
    let opts = (|| -> voc_core::Result<core::TargetOptions> {
        let o = core::TargetOptions::default()
            .contact_cost(contact_cost)
            .budget(budget)
            .break_even(break_even)
            .reasons(reasons)
            .resamples(resamples)
            .confidence(confidence)
            .seed(seed);
        o.validate()?;
        if model.is_some() == uplift.is_some() {
            return Err(Error::option(
                "uplift",
                if uplift.is_some() { "a column" } else { "None" },
                "give either model= (an UpliftModel) or uplift= (a column), not both or neither",
            ));
        }
        if training.is_some() && model.is_none() {
            return Err(Error::option(
                "training",
                "a table",
                "the interval refits a model: pass model= too",
            ));
        }
        if training.is_none() {
            for (arg, v) in [("outcome", outcome), ("treatment", treatment)] {
                if v.is_some_and(|v| !v.is_none()) {
                    return Err(Error::option(
                        arg,
                        "a column",
                        "outcome= and treatment= are the training data's columns: pass training= too",
                    ));
                }
            }
        }
        if resamples.is_some() && training.is_none() {
            return Err(Error::option(
                "training",
                "None",
                "the interval (resamples=) refits the model on its training data: pass training=, outcome= and treatment=",
            ));
        }
        Ok(o)
    })()
    .risk_err(py)?;
    let value = crate::risk::customer_values(data, value)?;
    let value: &[f64] = &value;
    let list = match &model {
        Some(m) => {
            let m = &m.get().inner;
            let f = features(data, Some(&m.names), &[], "x")?;
            let train: Option<Training<'py>> = match training {
                Some(tr) => {
                    let (o, t) = (
                        training_role(py, outcome, "outcome")?,
                        training_role(py, treatment, "treatment")?,
                    );
                    let tf = features(tr, Some(&m.names), &[], "training")?;
                    let o = labels(
                        &crate::risk::roles::column(Some(tr), o, "outcome")?,
                        "outcome",
                    )?;
                    let t = labels(
                        &crate::risk::roles::column(Some(tr), t, "treatment")?,
                        "treatment",
                    )?;
                    Some((tf, o, t))
                }
                None => None,
            };
            let xv = f.x.view();
            let tdata = train
                .as_ref()
                .map(|(tf, o, t)| UpliftData::new(tf.x.view(), o, t).names(&m.names));
            crate::guard::detach(py, "voc.uplift.target", || {
                core::target_model(m, xv, value, tdata, &opts)
            })
            .map_err(|e| x_error(py, e, &m.names))?
        }
        None => {
            // Checked above: without a model there is an uplift column.
            let Some(u) = uplift else {
                return Err::<TargetResult, Error>(Error::option("uplift", "None", "give uplift="))
                    .risk_err(py);
            };
            let u = floats(
                &crate::risk::roles::column(Some(data), u, "uplift")?,
                "uplift",
            )?;
            let u: &[f64] = &u;
            crate::guard::detach(py, "voc.uplift.target", || core::target(u, value, &opts))
                .risk_err(py)?
        }
    };
    let t = &list.targets;
    let mut b = TableBuilder::new(py);
    let rows: Vec<usize> = t.iter().map(|t| t.row).collect();
    crate::risk::customer_ids(&mut b, data, &rows)?;
    b.field("rank", t, |t| t.rank as i64);
    b.field("uplift", t, |t| t.uplift);
    let arms = model
        .as_ref()
        .is_some_and(|m| !matches!(m.get().inner.learner, Learner::ClassTransformation { .. }));
    if arms {
        b.field("p_treated", t, |t| t.p_treated.unwrap_or(f64::NAN));
        b.field("p_control", t, |t| t.p_control.unwrap_or(f64::NAN));
    }
    b.field("value", t, |t| t.value);
    b.field("net_value", t, |t| t.net_value);
    if model.is_some() {
        for k in 0..reasons {
            let text: Vec<Option<&str>> = t
                .iter()
                .map(|a| a.reasons.get(k).map(|r| r.text.as_str()))
                .collect();
            let feature: Vec<Option<&str>> = t
                .iter()
                .map(|a| a.reasons.get(k).map(|r| r.feature.as_str()))
                .collect();
            b.strings(&format!("reason_{}", k + 1), &text)?;
            b.strings(&format!("reason_{}_feature", k + 1), &feature)?;
        }
    }
    let table = b.finish("uplift targets", None);
    let i = list.interval;
    TargetResult::new(
        py,
        table,
        list.n as u64,
        list.expected_saves,
        i.map(|i| i.saves.low),
        i.map(|i| i.saves.high),
        list.expected_net_value,
        i.map(|i| i.net_value.low),
        i.map(|i| i.net_value.high),
        i.map(|_| "bootstrap_refit".to_string()),
        i.map(|i| i.saves.level),
        i.map(|i| i.resamples as u64),
        i.map(|i| i.seed),
    )
}

/// The expected net value of calling each customer, `value × uplift − contact_cost`
/// (`voc.uplift.net_value`).
#[pyfunction]
#[pyo3(name = "_uplift_net_value")]
#[pyo3(signature = (data, model, uplift, value, *, contact_cost=5.0))]
pub fn uplift_net_value<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = opt_model)] model: Option<Bound<'py, UpliftModel>>,
    uplift: Option<&Bound<'py, PyAny>>,
    value: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] contact_cost: f64,
) -> PyResult<Py<PyAny>> {
    let uplift = uplift.filter(|u| !u.is_none());
    let data = data.filter(|d| !d.is_none());
    let scores: Vec<f64> = match (&model, uplift, data) {
        (Some(m), None, Some(d)) => {
            let m = &m.get().inner;
            let f = features(d, Some(&m.names), &[], "x")?;
            let xv = f.x.view();
            crate::guard::detach(py, "voc.uplift.net_value", || m.predict_uplift(xv))
                .map_err(|e| x_error(py, e, &m.names))?
        }
        (None, Some(u), _) => {
            let u = crate::risk::roles::column(data, u, "uplift")?;
            floats(&u, "uplift")?.to_vec()
        }
        (Some(_), None, None) => {
            return Err::<_, Error>(Error::option(
                "data",
                "None",
                "a model scores the customers of data: pass their features",
            ))
            .risk_err(py);
        }
        _ => {
            return Err::<_, Error>(Error::option(
                "uplift",
                if uplift.is_some() { "a column" } else { "None" },
                "give either model= (an UpliftModel) or uplift= (a column), not both or neither",
            ))
            .risk_err(py);
        }
    };
    let value = match data {
        Some(d) => crate::risk::customer_values(d, value)?,
        None => floats(value, "value")?,
    };
    let value: &[f64] = &value;
    let v = core::net_value(&scores, value, contact_cost).risk_err(py)?;
    Ok(PyArray1::from_vec(py, v).into_any().unbind())
}
