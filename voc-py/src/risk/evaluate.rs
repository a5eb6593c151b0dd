//! Evaluation of churn scores on labelled data: AUC, the evaluation and confusion results, calibration,
//! lift, thresholds, and the cross-validation result.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::{Deserialize, Serialize};
use voc_core::risk::{self as core, Confusion, CrossValidation, Evaluation, PrecisionThreshold};

use super::RiskErr;
use super::read::{floats, labels};
use crate::table::{Table, TableBuilder, fields_html};

/// The `_repr_html_` of a result from its `to_dict()` (values by their `str()`).
fn html(name: &str, d: &Bound<'_, PyDict>) -> PyResult<String> {
    fields_html(name, d, false)
}

fn confusion_items(d: &Bound<'_, PyDict>, c: &Confusion) -> PyResult<()> {
    d.set_item("threshold", c.threshold)?;
    d.set_item("true_positives", c.true_positives)?;
    d.set_item("false_positives", c.false_positives)?;
    d.set_item("true_negatives", c.true_negatives)?;
    d.set_item("false_negatives", c.false_negatives)?;
    d.set_item("precision", c.precision())?;
    d.set_item("recall", c.recall())?;
    d.set_item("f1", c.f1())?;
    d.set_item("accuracy", c.accuracy())?;
    d.set_item("base_rate", c.base_rate())?;
    d.set_item("n", n_of(c))?;
    d.set_item("undefined_reason", c.undefined_reason())?;
    Ok(())
}

/// A rate as the repr shows it: 4 decimals, or None.
fn rate4(r: Option<f64>) -> String {
    r.map_or_else(|| "None".to_string(), |v| format!("{v:.4}"))
}

fn n_of(c: &Confusion) -> usize {
    c.true_positives + c.false_positives + c.true_negatives + c.false_negatives
}

/// Getters shared by the classes that hold a confusion matrix (`$c` reaches it from `self`).
macro_rules! confusion_getters {
    ($cls:ident, $c:ident => $get:expr) => {
        #[pymethods]
        impl $cls {
            /// Scores at or above it flag a churner.
            #[getter]
            fn threshold(&self) -> f64 {
                let $c = self;
                $get.threshold
            }
            /// Churners flagged.
            #[getter]
            fn true_positives(&self) -> usize {
                let $c = self;
                $get.true_positives
            }
            /// Stayers flagged.
            #[getter]
            fn false_positives(&self) -> usize {
                let $c = self;
                $get.false_positives
            }
            /// Stayers not flagged.
            #[getter]
            fn true_negatives(&self) -> usize {
                let $c = self;
                $get.true_negatives
            }
            /// Churners missed.
            #[getter]
            fn false_negatives(&self) -> usize {
                let $c = self;
                $get.false_negatives
            }
            /// Share of flagged customers who churn (None if none is flagged: 0/0).
            #[getter]
            fn precision(&self) -> Option<f64> {
                let $c = self;
                $get.precision()
            }
            /// Share of churners flagged (None without churners: 0/0).
            #[getter]
            fn recall(&self) -> Option<f64> {
                let $c = self;
                $get.recall()
            }
            /// Harmonic mean of precision and recall, 2·tp / (2·tp + fp + fn) (None without churners
            /// and flagged rows).
            #[getter]
            fn f1(&self) -> Option<f64> {
                let $c = self;
                $get.f1()
            }
            /// Share of rows classified correctly.
            #[getter]
            fn accuracy(&self) -> f64 {
                let $c = self;
                $get.accuracy()
            }
            /// Share of churners among all rows.
            #[getter]
            fn base_rate(&self) -> f64 {
                let $c = self;
                $get.base_rate()
            }
            /// Rows.
            #[getter]
            fn n(&self) -> usize {
                let $c = self;
                n_of(&$get)
            }
            /// Why `precision`, `recall` or `f1` is None (no row flagged, no churner); None when all
            /// are defined.
            #[getter]
            fn undefined_reason(&self) -> Option<String> {
                let $c = self;
                $get.undefined_reason()
            }
        }
    };
}

/// ROC AUC, average precision, Brier score, and the confusion matrix at a threshold with its rates.
#[pyclass(frozen, module = "voc._voc")]
pub struct EvaluationResult {
    inner: Evaluation,
}

crate::pickled!(EvaluationResult);
confusion_getters!(EvaluationResult, s => s.inner.confusion);

#[pymethods]
impl EvaluationResult {
    /// ROC AUC (ties count half).
    #[getter]
    fn roc_auc(&self) -> f64 {
        self.inner.roc_auc
    }
    /// Average precision.
    #[getter]
    fn average_precision(&self) -> f64 {
        self.inner.average_precision
    }
    /// Brier score.
    #[getter]
    fn brier(&self) -> f64 {
        self.inner.brier
    }
    /// The confusion matrix at the threshold.
    #[getter]
    fn confusion(&self) -> ConfusionResult {
        ConfusionResult {
            inner: self.inner.confusion,
        }
    }
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("roc_auc", self.inner.roc_auc)?;
        d.set_item("average_precision", self.inner.average_precision)?;
        d.set_item("brier", self.inner.brier)?;
        confusion_items(&d, &self.inner.confusion)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("EvaluationResult", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        let e = &self.inner;
        format!(
            "EvaluationResult(roc_auc={:.4}, average_precision={:.4}, brier={:.4}, threshold={}, precision={}, recall={}, n={})",
            e.roc_auc,
            e.average_precision,
            e.brier,
            e.confusion.threshold,
            rate4(e.confusion.precision()),
            rate4(e.confusion.recall()),
            n_of(&e.confusion)
        )
    }
}

/// A confusion matrix at a threshold (score ≥ threshold flags a churner) with its rates.
#[pyclass(frozen, module = "voc._voc")]
pub struct ConfusionResult {
    inner: Confusion,
}

crate::pickled!(ConfusionResult);
confusion_getters!(ConfusionResult, s => s.inner);

#[pymethods]
impl ConfusionResult {
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        confusion_items(&d, &self.inner)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("ConfusionResult", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "ConfusionResult(threshold={}, true_positives={}, false_positives={}, true_negatives={}, false_negatives={})",
            c.threshold, c.true_positives, c.false_positives, c.true_negatives, c.false_negatives
        )
    }
}

/// The lowest threshold whose precision reaches a target: `found` says whether one does; `threshold`,
/// `precision` and `recall` are None when none does.
#[pyclass(frozen, module = "voc._voc")]
pub struct PrecisionThresholdResult {
    inner: PrecisionThreshold,
}

crate::pickled!(PrecisionThresholdResult);

#[pymethods]
impl PrecisionThresholdResult {
    /// Whether some threshold reaches the target precision.
    #[getter]
    fn found(&self) -> bool {
        self.inner.found.is_some()
    }
    /// The precision asked for.
    #[getter]
    fn target(&self) -> f64 {
        self.inner.target
    }
    /// The lowest threshold reaching the target (None if none does).
    #[getter]
    fn threshold(&self) -> Option<f64> {
        self.inner.found.map(|t| t.threshold)
    }
    /// Precision at that threshold (None if none reaches the target).
    #[getter]
    fn precision(&self) -> Option<f64> {
        self.inner.found.map(|t| t.precision)
    }
    /// Recall at that threshold (None if none reaches the target).
    #[getter]
    fn recall(&self) -> Option<f64> {
        self.inner.found.map(|t| t.recall)
    }
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("found", self.found())?;
        d.set_item("target", self.target())?;
        d.set_item("threshold", self.threshold())?;
        d.set_item("precision", self.precision())?;
        d.set_item("recall", self.recall())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("PrecisionThresholdResult", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        match self.inner.found {
            Some(t) => format!(
                "PrecisionThresholdResult(found=True, target={}, threshold={}, precision={}, recall={})",
                self.inner.target, t.threshold, t.precision, t.recall
            ),
            None => format!(
                "PrecisionThresholdResult(found=False, target={})",
                self.inner.target
            ),
        }
    }
}

/// What cross-validation keeps: the core result and the seed.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct CvState {
    cv: CrossValidation,
    seed: u64,
}

/// Stratified k-fold cross-validation: one row per fold in `.table`, the pooled out-of-fold AUC and the
/// out-of-fold probability and fold of every row.
#[pyclass(frozen, module = "voc._voc")]
pub struct CrossValidationResult {
    inner: CvState,
}

crate::pickled!(CrossValidationResult);

impl crate::pickle::Checked for CvState {
    fn check(&self) -> Result<(), String> {
        crate::pickle::Checked::check(&self.cv)
    }
}

pub(super) fn cv_result(cv: CrossValidation, seed: u64) -> CrossValidationResult {
    CrossValidationResult {
        inner: CvState { cv, seed },
    }
}

#[pymethods]
impl CrossValidationResult {
    /// One row per fold: `fold`, `n` (rows in it) and `roc_auc`.
    #[getter]
    fn table(&self, py: Python<'_>) -> Table {
        let cv = &self.inner.cv;
        let k = cv.fold_auc.len();
        let mut sizes = vec![0i64; k];
        for f in cv.fold.iter().flatten() {
            if let Some(s) = sizes.get_mut(*f as usize) {
                *s += 1;
            }
        }
        let mut b = TableBuilder::new(py);
        b.numbers("fold", (0..k as i64).collect());
        b.numbers("n", sizes);
        b.numbers("roc_auc", cv.fold_auc.clone());
        b.finish("cross-validation", None)
    }
    /// ROC AUC of all out-of-fold probabilities pooled.
    #[getter]
    fn pooled_roc_auc(&self) -> f64 {
        self.inner.cv.pooled_auc
    }
    /// Out-of-fold churn probability of each row (NaN for a row left out as missing).
    #[getter]
    fn out_of_fold_probability<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, self.inner.cv.probability.clone())
    }
    /// Fold of each row (−1 for a row left out as missing).
    #[getter]
    fn fold<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        PyArray1::from_vec(
            py,
            self.inner
                .cv
                .fold
                .iter()
                .map(|f| f.map_or(-1, i64::from))
                .collect(),
        )
    }
    /// Number of folds.
    #[getter]
    fn k(&self) -> usize {
        self.inner.cv.fold_auc.len()
    }
    /// The seed of the fold assignment.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }
    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.cv.fold.iter().flatten().count()
    }
    /// Rows left out as missing (`missing="skip"`).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.cv.n_missing
    }
    /// The headline numbers as a dict (the per-row arrays are attributes).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("pooled_roc_auc", self.pooled_roc_auc())?;
        d.set_item("fold_roc_auc", self.inner.cv.fold_auc.clone())?;
        d.set_item("k", self.k())?;
        d.set_item("seed", self.seed())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html("CrossValidationResult", &self.to_dict(py)?)
    }
    fn __repr__(&self) -> String {
        format!(
            "CrossValidationResult(k={}, seed={}, pooled_roc_auc={:.4}, n={}, n_missing={})",
            self.k(),
            self.seed(),
            self.pooled_roc_auc(),
            self.n(),
            self.n_missing()
        )
    }
}

/// ROC AUC (ties half).
#[pyfunction]
pub fn roc_auc(py: Python<'_>, y: &Bound<'_, PyAny>, scores: &Bound<'_, PyAny>) -> PyResult<f64> {
    let (y, s) = (labels(y, "y")?, floats(scores, "scores")?);
    let (y, s): (&[f64], &[f64]) = (&y, &s);
    crate::guard::detach(py, "voc.risk.roc_auc", || core::roc_auc(y, s)).risk_err(py)
}

/// ROC AUC, average precision, Brier score and the confusion matrix at `threshold`.
#[pyfunction]
pub fn evaluate(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] threshold: f64,
) -> PyResult<EvaluationResult> {
    let (y, s) = (labels(y, "y")?, floats(scores, "scores")?);
    let (y, s): (&[f64], &[f64]) = (&y, &s);
    let inner = crate::guard::detach(py, "voc.risk.evaluate", || core::evaluate(y, s, threshold))
        .risk_err(py)?;
    Ok(EvaluationResult { inner })
}

/// Calibration table.
#[pyfunction]
pub fn calibration(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] bins: usize,
) -> PyResult<Table> {
    let (y, s) = (labels(y, "y")?, floats(scores, "scores")?);
    let rows = core::calibration(&y, &s, bins).risk_err(py)?;
    let mut b = TableBuilder::new(py);
    b.field("bin_low", &rows, |r| r.edges.0);
    b.field("bin_high", &rows, |r| r.edges.1);
    b.field("n", &rows, |r| r.n as i64);
    b.field("mean_predicted", &rows, |r| r.mean_predicted);
    b.field("observed", &rows, |r| r.observed);
    b.field("observed_ci_low", &rows, |r| r.observed_ci.0);
    b.field("observed_ci_high", &rows, |r| r.observed_ci.1);
    Ok(b.finish("calibration", None))
}

/// Lift and gains table.
#[pyfunction]
pub fn lift(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] bins: usize,
) -> PyResult<Table> {
    let (y, s) = (labels(y, "y")?, floats(scores, "scores")?);
    let rows = core::lift(&y, &s, bins).risk_err(py)?;
    let mut b = TableBuilder::new(py);
    b.field("group", &rows, |r| r.group as i64);
    b.field("n", &rows, |r| r.n as i64);
    b.field("score_low", &rows, |r| r.score_range.0);
    b.field("score_high", &rows, |r| r.score_range.1);
    b.field("churners", &rows, |r| r.positives as i64);
    b.field("rate", &rows, |r| r.rate);
    b.field("lift", &rows, |r| r.lift);
    b.field("cumulative_gain", &rows, |r| r.cumulative_gain);
    b.field("cumulative_lift", &rows, |r| r.cumulative_lift);
    Ok(b.finish("lift and gains", None))
}

/// Confusion matrix at a threshold.
#[pyfunction]
pub fn confusion(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] threshold: f64,
) -> PyResult<ConfusionResult> {
    let (y, s) = (labels(y, "y")?, floats(scores, "scores")?);
    let inner = core::confusion(&y, &s, threshold).risk_err(py)?;
    Ok(ConfusionResult { inner })
}

/// Lowest threshold reaching a target precision.
#[pyfunction]
pub fn threshold_for_precision(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] target: f64,
) -> PyResult<PrecisionThresholdResult> {
    let (y, s) = (labels(y, "y")?, floats(scores, "scores")?);
    let inner = core::threshold_for_precision(&y, &s, target).risk_err(py)?;
    Ok(PrecisionThresholdResult { inner })
}

/// Threshold flagging the k highest scores.
#[pyfunction]
pub fn threshold_top_k(
    py: Python<'_>,
    scores: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] k: usize,
) -> PyResult<f64> {
    let s = floats(scores, "scores")?;
    core::threshold_top_k(&s, k).risk_err(py)
}
