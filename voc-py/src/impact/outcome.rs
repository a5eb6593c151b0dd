//! Bindings: outcomes by VoC class: churn, spend, CLV and repurchase per class, with ratios between classes.

use crate::state::Shared;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use pyo3::types::PyDict;
use voc_core::impact::outcome::{self as core, Measure, OutcomeOptions, Outcomes};
use voc_core::stats::Share;

use super::contingency::{put_ci, put_two_by_two};
use crate::convert::{Buf, missing_policy, numbers};
use crate::error::{IntoPy, raise_named};
use crate::table::{Table, TableBuilder};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_nps_classes, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_class_ratio, m)?)?;
    m.add_class::<OutcomeState>()?;
    Ok(())
}

fn floats<'py>(
    obj: Option<&Bound<'py, PyAny>>,
    arg: &'static str,
) -> PyResult<Option<Buf<'py, f64>>> {
    obj.map(|o| Ok(numbers(o, arg)?.nulls_as_nan().into_f64()))
        .transpose()
}

/// NPS class codes (0 detractor, 1 passive, 2 promoter) of 0–10 scores.
#[pyfunction]
#[pyo3(signature = (scores, missing))]
fn _impact_nps_classes<'py>(
    py: Python<'py>,
    scores: &Bound<'py, PyAny>,
    missing: &str,
) -> PyResult<Bound<'py, numpy::PyArray1<u32>>> {
    let policy = missing_policy(missing).py_err(py)?;
    let s = numbers(scores, "nps")?.nulls_as_nan().into_f64();
    let codes = core::nps_classes_with(s.as_slice(), policy).py_err(py)?;
    Ok(numpy::PyArray1::from_vec(py, codes))
}

struct Inputs<'py> {
    churned: Option<Buf<'py, f64>>,
    spend: Option<Buf<'py, f64>>,
    clv: Option<Buf<'py, f64>>,
    repurchased: Option<Buf<'py, f64>>,
}

impl<'py> Inputs<'py> {
    fn read(
        churned: Option<&Bound<'py, PyAny>>,
        spend: Option<&Bound<'py, PyAny>>,
        clv: Option<&Bound<'py, PyAny>>,
        repurchased: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Inputs {
            churned: floats(churned, "churned")?,
            spend: floats(spend, "spend")?,
            clv: floats(clv, "clv")?,
            repurchased: floats(repurchased, "repurchased")?,
        })
    }

    fn outcomes(&self) -> Outcomes<'_> {
        Outcomes {
            churned: self.churned.as_ref().map(Buf::as_slice),
            spend: self.spend.as_ref().map(Buf::as_slice),
            clv: self.clv.as_ref().map(Buf::as_slice),
            repurchased: self.repurchased.as_ref().map(Buf::as_slice),
        }
    }
}

/// Class codes as a slice.
fn code_slice<'a>(py: Python<'_>, codes: &'a PyReadonlyArray1<'_, u32>) -> PyResult<&'a [u32]> {
    codes
        .as_slice()
        .map_err(|e| raise_named(py, "InputError", format!("codes: {e}"), Some("codes")))
}

fn run(
    py: Python<'_>,
    codes: &PyReadonlyArray1<'_, u32>,
    names: &[String],
    inputs: &Inputs<'_>,
    confidence: f64,
    missing: &str,
) -> PyResult<core::OutcomeByClass> {
    let opts = OutcomeOptions::default()
        .confidence(confidence)
        .missing(missing_policy(missing).py_err(py)?);
    let codes = code_slice(py, codes)?;
    let o = inputs.outcomes();
    py.detach(|| core::outcome_by_class(codes, names, o, &opts))
        .py_err(py)
}

fn share_cols(b: &mut TableBuilder<'_>, p: &str, rows: &[Option<Share>]) {
    let get = |f: fn(&Share) -> f64| -> Vec<f64> {
        rows.iter()
            .map(|s| s.as_ref().map_or(f64::NAN, f))
            .collect()
    };
    b.numbers(p, get(|s| s.estimate));
    b.numbers(&format!("{p}_low"), get(|s| s.ci.low));
    b.numbers(&format!("{p}_high"), get(|s| s.ci.high));
}

fn mean_cols(b: &mut TableBuilder<'_>, p: &str, rows: &[Option<core::MeanCi>]) {
    let get = |f: fn(&core::MeanCi) -> f64| -> Vec<f64> {
        rows.iter()
            .map(|s| s.as_ref().map_or(f64::NAN, f))
            .collect()
    };
    b.numbers(p, get(|m| m.summary.mean));
    b.numbers(
        &format!("{p}_low"),
        get(|m| m.ci.map_or(f64::NAN, |c| c.low)),
    );
    b.numbers(
        &format!("{p}_high"),
        get(|m| m.ci.map_or(f64::NAN, |c| c.high)),
    );
    b.numbers(&format!("{p}_sd"), get(|m| m.summary.variance.sqrt()));
}

/// The outcomes-by-class table (columns for the outcomes present, in [`Outcomes`] order).
fn outcome_table(
    py: Python<'_>,
    out: &core::OutcomeByClass,
    names: &[String],
    present: [bool; 4],
    confidence: f64,
) -> PyResult<Table> {
    let c = &out.classes;
    let mut b = TableBuilder::new(py);
    let labels: Vec<&str> = names.iter().map(String::as_str).collect();
    b.labels("class", c.iter().map(|x| x.code as usize), &labels)?;
    b.field("n", c, |x| x.n);
    if present[0] {
        share_cols(
            &mut b,
            "churn_rate",
            &c.iter().map(|x| x.churn).collect::<Vec<_>>(),
        );
    }
    if present[1] {
        mean_cols(
            &mut b,
            "arpu",
            &c.iter().map(|x| x.spend).collect::<Vec<_>>(),
        );
    }
    if present[2] {
        mean_cols(&mut b, "clv", &c.iter().map(|x| x.clv).collect::<Vec<_>>());
    }
    if present[3] {
        share_cols(
            &mut b,
            "repurchase_rate",
            &c.iter().map(|x| x.repurchase).collect::<Vec<_>>(),
        );
    }
    let meta = PyDict::new(py);
    meta.set_item("confidence", confidence)?;
    meta.set_item("rate_interval", "wilson")?;
    meta.set_item("mean_interval", "t")?;
    if let Some(t) = &out.churn_test {
        meta.set_item("chi2", t.statistic)?;
        meta.set_item("chi2_df", t.df)?;
        meta.set_item("chi2_p_value", t.p_value)?;
        meta.set_item("cramers_v", t.cramers_v)?;
    }
    Ok(b.finish("outcome_by_class", Some(meta)))
}

/// Outcomes by class as a mergeable state (`voc.impact.OutcomeState`): update per partition, merge,
/// ship as bytes, finish into the table of `voc.impact.outcome_by_class`.
#[pyclass(frozen, module = "voc._voc")]
pub struct OutcomeState {
    inner: Shared<core::OutcomeState>,
}

impl OutcomeState {
    fn snapshot(&self) -> PyResult<core::OutcomeState> {
        self.inner.snapshot()
    }
}

crate::state::state_protocol!(OutcomeState, inner);

#[pymethods]
impl OutcomeState {
    #[new]
    fn new(py: Python<'_>, names: Vec<String>) -> PyResult<Self> {
        Ok(OutcomeState {
            inner: Shared::new(core::OutcomeState::new(&names).py_err(py)?),
        })
    }

    /// Class names, in code order.
    #[getter]
    fn names(&self) -> PyResult<Vec<String>> {
        Ok(self.snapshot()?.names().to_vec())
    }

    #[pyo3(signature = (codes, *, churned=None, spend=None, clv=None, repurchased=None, missing="error"))]
    #[allow(clippy::too_many_arguments)]
    fn update(
        &self,
        py: Python<'_>,
        codes: PyReadonlyArray1<'_, u32>,
        churned: Option<&Bound<'_, PyAny>>,
        spend: Option<&Bound<'_, PyAny>>,
        clv: Option<&Bound<'_, PyAny>>,
        repurchased: Option<&Bound<'_, PyAny>>,
        missing: &str,
    ) -> PyResult<()> {
        let policy = missing_policy(missing).py_err(py)?;
        let inputs = Inputs::read(churned, spend, clv, repurchased)?;
        let (codes, o) = (code_slice(py, &codes)?, inputs.outcomes());
        // The core checks the whole batch before it changes the state, so a failed update leaves
        // the state as it was.
        self.inner
            .apply(py, |state| state.update(codes, o, policy))?
            .py_err(py)
    }

    #[pyo3(signature = (*, confidence=0.95))]
    fn finish(&self, py: Python<'_>, confidence: f64) -> PyResult<Table> {
        let state = self.snapshot()?;
        let opts = OutcomeOptions::default().confidence(confidence);
        let out = state.finish(&opts).py_err(py)?;
        let present = [
            state.holds(0),
            state.holds(1),
            state.holds(2),
            state.holds(3),
        ];
        outcome_table(py, &out, state.names(), present, confidence)
    }

    fn __repr__(&self) -> PyResult<String> {
        let s = self.snapshot()?;
        Ok(format!(
            "OutcomeState(classes={:?}, customers={})",
            s.names(),
            s.customers()
        ))
    }
}

/// Ratio of two classes' means (delta method on the log scale), with the 2×2 table for rates.
#[pyfunction]
#[pyo3(signature = (codes, names, churned, spend, clv, repurchased, measure, numerator, denominator, confidence, missing))]
#[allow(clippy::too_many_arguments)]
fn _impact_class_ratio<'py>(
    py: Python<'py>,
    codes: PyReadonlyArray1<'py, u32>,
    names: Vec<String>,
    churned: Option<&Bound<'py, PyAny>>,
    spend: Option<&Bound<'py, PyAny>>,
    clv: Option<&Bound<'py, PyAny>>,
    repurchased: Option<&Bound<'py, PyAny>>,
    measure: &str,
    numerator: &str,
    denominator: &str,
    confidence: f64,
    missing: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let m = measure.parse::<Measure>().py_err(py)?;
    let inputs = Inputs::read(churned, spend, clv, repurchased)?;
    let out = run(py, &codes, &names, &inputs, confidence, missing)?;
    let r = core::class_ratio(&out, m, numerator, denominator).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("measure", measure)?;
    d.set_item("numerator", &r.numerator)?;
    d.set_item("denominator", &r.denominator)?;
    d.set_item("numerator_mean", r.numerator_summary.mean)?;
    d.set_item("numerator_n", r.numerator_summary.n)?;
    d.set_item("denominator_mean", r.denominator_summary.mean)?;
    d.set_item("denominator_n", r.denominator_summary.n)?;
    d.set_item("ratio", r.ratio)?;
    d.set_item("log_se", r.log_se)?;
    put_ci(&d, "ratio_ci", &r.ci)?;
    d.set_item("p_value", r.p_value)?;
    if let Some(t) = &r.table {
        put_two_by_two(&d, t)?;
    }
    Ok(d)
}
