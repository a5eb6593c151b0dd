//! Bindings: outcomes by VoC class: churn, spend, CLV and repurchase per class, with ratios between classes.
//!
//! Classes come from 0–10 scores (`nps=`, the core's NPS classes) or from a label column (`by=`),
//! coded by the one label coder ([`crate::convert::groups`], as `voc.nps(by=)`): the same labels give
//! the same order and dtype.

use crate::state::Shared;
use pyo3::prelude::*;

use pyo3::types::PyDict;
use serde::{Deserialize, Serialize};
use voc_core::impact::outcome::{
    self as core, Measure, NO_CLASS, NPS_CLASSES, OutcomeOptions, Outcomes,
};
use voc_core::stats::Share;
use voc_core::{Error, MissingPolicy};

use super::contingency::ContingencyResult;
use super::results::{html, repr};
use crate::convert::{self, Buf, Labels, check_nulls, missing_policy, numbers};
use crate::error::IntoPy;
use crate::impact_result;
use crate::table::{Table, TableBuilder};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_outcome_state, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_class_ratio, m)?)?;
    m.add_class::<OutcomeState>()?;
    m.add_class::<OutcomeByClassResult>()?;
    m.add_class::<ClassRatioResult>()?;
    Ok(())
}

fn floats<'py>(
    obj: Option<&Bound<'py, PyAny>>,
    arg: &'static str,
) -> PyResult<Option<Buf<'py, f64>>> {
    obj.map(|o| Ok(convert::numbers_or_bools(o, arg)?.nulls_as_nan().into_f64()))
        .transpose()
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

/// Class codes per row ([`NO_CLASS`] for a row without a class) and the classes' state.
fn classes(
    py: Python<'_>,
    by: Option<&Bound<'_, PyAny>>,
    nps: Option<&Bound<'_, PyAny>>,
    names: Option<&Bound<'_, PyAny>>,
    policy: MissingPolicy,
) -> PyResult<(Vec<u32>, core::OutcomeState)> {
    match (by, nps) {
        (None, Some(scores)) => {
            let s = numbers(scores, "nps")?.nulls_as_nan().into_f64();
            let codes = crate::guard::run(py, "voc.impact.outcome_by_class", || {
                core::nps_classes_with(s.as_slice(), policy)
            })?
            .py_err(py)?;
            let names: Vec<String> = NPS_CLASSES.iter().map(|s| (*s).to_owned()).collect();
            Ok((codes, core::OutcomeState::new(&names).py_err(py)?))
        }
        (Some(by), None) => {
            let col = convert::groups(by, "by")?;
            check_nulls(policy, &[("by", &col.nulls)]).py_err(py)?;
            let labels = col.data.labels;
            let mut codes = col.data.codes.into_dense();
            for &i in &col.nulls {
                if let Some(c) = codes.get_mut(i) {
                    *c = NO_CLASS;
                }
            }
            let (codes, labels) = match names {
                Some(n) => fixed_labels(py, codes, &labels, n)?,
                None => used_labels(codes, &labels),
            };
            // The state keeps the labels' dtype (ints, floats, bools or strings).
            let state = match &labels {
                Labels::Int(v) => core::OutcomeState::with_integer_labels(v),
                Labels::Float(v) => core::OutcomeState::with_float_labels(v),
                Labels::Bool(v) => core::OutcomeState::with_bool_labels(v),
                Labels::Str(v) => core::OutcomeState::new(v),
            }
            .py_err(py)?;
            Ok((codes, state))
        }
        _ => Err(Error::option(
            "by",
            if by.is_some() {
                "given with nps="
            } else {
                "None"
            },
            "give exactly one of by= (a label column) and nps= (0-10 scores)",
        ))
        .py_err(py),
    }
}

fn label_count(labels: &Labels) -> usize {
    labels.len()
}

/// The labels rows use, in label order, with the codes renumbered.
fn used_labels(mut codes: Vec<u32>, labels: &Labels) -> (Vec<u32>, Labels) {
    let mut used = vec![false; label_count(labels)];
    for &c in &codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    let mut new = vec![NO_CLASS; used.len()];
    let mut next = 0u32;
    for (slot, &u) in new.iter_mut().zip(&used) {
        if u {
            *slot = next;
            next += 1;
        }
    }
    for c in &mut codes {
        *c = new.get(*c as usize).copied().unwrap_or(NO_CLASS);
    }
    let labels = labels.filter(&used);
    (codes, labels)
}

/// Where each label stands among the given names (`None` when it is not named).
fn positions<T: PartialEq>(labels: &[T], names: &[T]) -> Vec<Option<u32>> {
    labels
        .iter()
        .map(|x| names.iter().position(|y| y == x).map(|p| p as u32))
        .collect()
}

/// Codes renumbered into the order of `names` (the classes every part of a split table shares);
/// a label that is not one of them is an error naming its row.
fn fixed_labels(
    py: Python<'_>,
    mut codes: Vec<u32>,
    labels: &Labels,
    names: &Bound<'_, PyAny>,
) -> PyResult<(Vec<u32>, Labels)> {
    let not_names = |why: &str| Error::option("names", "given", why.to_owned());
    let (position, fixed): (Vec<Option<u32>>, Labels) = match labels {
        Labels::Int(v) => {
            let n: Vec<i64> = names
                .extract()
                .map_err(|_| not_names("the labels are integers: give integer names"))
                .py_err(py)?;
            (positions(v, &n), Labels::Int(n))
        }
        Labels::Float(v) => {
            let n: Vec<f64> = names
                .extract()
                .map_err(|_| not_names("the labels are floats: give float names"))
                .py_err(py)?;
            (positions(v, &n), Labels::Float(n))
        }
        Labels::Bool(v) => {
            let n: Vec<bool> = names
                .extract()
                .map_err(|_| not_names("the labels are booleans: give bool names"))
                .py_err(py)?;
            (positions(v, &n), Labels::Bool(n))
        }
        Labels::Str(v) => {
            let n: Vec<String> = names
                .extract()
                .map_err(|_| not_names("the labels are strings: give string names"))
                .py_err(py)?;
            (positions(v, &n), Labels::Str(n))
        }
    };
    for (row, c) in codes.iter_mut().enumerate() {
        if *c == NO_CLASS {
            continue;
        }
        match position.get(*c as usize).copied().flatten() {
            Some(p) => *c = p,
            None => {
                let label = labels.show(*c as usize);
                return Err(Error::option(
                    "by",
                    format!("by[{row}] = {label}"),
                    "not one of the class names given in names=",
                ))
                .py_err(py);
            }
        }
    }
    Ok((codes, fixed))
}

fn share_cols(b: &mut TableBuilder<'_>, p: &str, rows: &[Option<Share>]) {
    let get = |f: fn(&Share) -> f64| -> Vec<f64> {
        rows.iter()
            .map(|s| s.as_ref().map_or(f64::NAN, f))
            .collect()
    };
    b.numbers(p, get(|s| s.estimate));
    b.numbers(&format!("{p}_ci_low"), get(|s| s.ci.low));
    b.numbers(&format!("{p}_ci_high"), get(|s| s.ci.high));
}

fn mean_cols(b: &mut TableBuilder<'_>, p: &str, rows: &[Option<core::MeanCi>]) {
    let get = |f: fn(&core::MeanCi) -> f64| -> Vec<f64> {
        rows.iter()
            .map(|s| s.as_ref().map_or(f64::NAN, f))
            .collect()
    };
    b.numbers(p, get(|m| m.summary.mean));
    b.numbers(
        &format!("{p}_ci_low"),
        get(|m| m.ci.map_or(f64::NAN, |c| c.low)),
    );
    b.numbers(
        &format!("{p}_ci_high"),
        get(|m| m.ci.map_or(f64::NAN, |c| c.high)),
    );
    b.numbers(&format!("{p}_sd"), get(|m| m.summary.variance.sqrt()));
}

/// Outcomes by class (see `voc.impact.outcome_by_class`): the per-class `table` and the chi-square
/// test of churn × class.
#[pyclass(frozen, module = "voc._voc")]
#[derive(Clone, Serialize, Deserialize)]
pub struct OutcomeByClassResult {
    out: core::OutcomeByClass,
    /// The class labels in their dtype (ints, floats or bools); `None` for strings and NPS classes.
    labels: Option<Labels>,
    present: [bool; 4],
}

impl crate::pickle::Checked for OutcomeByClassResult {
    fn check(&self) -> Result<(), String> {
        match &self.labels {
            Some(v) => crate::pickle::same_len("class labels", self.out.classes.len(), &[v.len()]),
            None => Ok(()),
        }
    }
}

#[pymethods]
impl OutcomeByClassResult {
    /// One row per class: `group` (the labels, in the dtype of `by=`, or the NPS classes), `n`,
    /// `n_missing`, then for each outcome given its estimate and `_ci_low` / `_ci_high` (churn and
    /// repurchase rates: Wilson; ARPU and CLV: t, with `_sd`).
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let c = &self.out.classes;
        let mut b = TableBuilder::new(py);
        match &self.labels {
            Some(l) => {
                let codes: Vec<usize> = (0..c.len()).collect();
                l.column(&mut b, "group", &codes)?;
            }
            None => {
                let names: Vec<Option<&str>> = c.iter().map(|x| Some(x.name.as_str())).collect();
                b.strings("group", &names)?;
            }
        }
        b.field("n", c, |x| x.n);
        b.field("n_missing", c, |x| x.n_missing);
        let p = self.present;
        if p[0] {
            share_cols(
                &mut b,
                "churn_rate",
                &c.iter().map(|x| x.churn).collect::<Vec<_>>(),
            );
        }
        if p[1] {
            mean_cols(
                &mut b,
                "arpu",
                &c.iter().map(|x| x.spend).collect::<Vec<_>>(),
            );
        }
        if p[2] {
            mean_cols(&mut b, "clv", &c.iter().map(|x| x.clv).collect::<Vec<_>>());
        }
        if p[3] {
            share_cols(
                &mut b,
                "repurchase_rate",
                &c.iter().map(|x| x.repurchase).collect::<Vec<_>>(),
            );
        }
        Ok(b.finish("outcome_by_class", None))
    }
    /// Customers in a class.
    #[getter]
    fn n(&self) -> u64 {
        self.out.classes.iter().map(|c| c.n).sum()
    }
    /// Customers left out: without a class (`missing="skip"`: no NPS answer, no label) or with a
    /// missing outcome.
    #[getter]
    fn n_missing(&self) -> u64 {
        self.out.n_missing
    }
    /// Level of every interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.out.options.confidence
    }
    /// Chi-square statistic of churn × class (Yates for one degree of freedom); None without churn
    /// or with fewer than two classes.
    #[getter]
    fn statistic(&self) -> Option<f64> {
        self.out.churn_test.as_ref().map(|t| t.statistic)
    }
    /// Its degrees of freedom.
    #[getter]
    fn df(&self) -> Option<usize> {
        self.out.churn_test.as_ref().map(|t| t.df)
    }
    /// Its p-value.
    #[getter]
    fn p_value(&self) -> Option<f64> {
        self.out.churn_test.as_ref().map(|t| t.p_value)
    }
    /// Cramér's V of churn × class.
    #[getter]
    fn cramers_v(&self) -> Option<f64> {
        self.out.churn_test.as_ref().map(|t| t.cramers_v)
    }
    /// The fields as a plain dict (`table` as a Table).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("table", self.table(py)?)?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("statistic", self.statistic())?;
        d.set_item("df", self.df())?;
        d.set_item("p_value", self.p_value())?;
        d.set_item("cramers_v", self.cramers_v())?;
        crate::results::json_dict(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr("OutcomeByClassResult", &self.to_dict(py)?)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let table: String = Py::new(py, self.table(py)?)?
            .call_method0(py, "_repr_html_")?
            .extract(py)?;
        Ok(format!(
            "{}{table}",
            html("OutcomeByClassResult", &self.to_dict(py)?)?
        ))
    }
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        let state = crate::pickle::dump(py, "OutcomeByClassResult", self)?;
        Ok((py.get_type::<Self>().getattr("_from_state")?, (state,)))
    }
    /// Rebuilds a result from its pickled state.
    #[staticmethod]
    fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        crate::pickle::load(py, "OutcomeByClassResult", data)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| crate::pickle::same(o.get(), self))
    }
}

/// Outcomes by class as a mergeable state (`voc.impact.OutcomeState`): update per partition, merge,
/// ship as bytes, finish into the result of `voc.impact.outcome_by_class`.
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

/// The state of `voc.impact.outcome_state`: classes coded from `by=` or `nps=`, then the rows.
#[pyfunction]
#[pyo3(signature = (data, by, nps, names, churned, spend, clv, repurchased, missing))]
#[allow(clippy::too_many_arguments)]
fn _impact_outcome_state(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    nps: Option<&Bound<'_, PyAny>>,
    names: Option<&Bound<'_, PyAny>>,
    churned: Option<&Bound<'_, PyAny>>,
    spend: Option<&Bound<'_, PyAny>>,
    clv: Option<&Bound<'_, PyAny>>,
    repurchased: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<OutcomeState> {
    // Each role: a column name of `data` or a column.
    let by = convert::optional(data, by, "by")?;
    let nps = convert::optional(data, nps, "nps")?;
    let churned = convert::optional(data, churned, "churned")?;
    let spend = convert::optional(data, spend, "spend")?;
    let clv = convert::optional(data, clv, "clv")?;
    let repurchased = convert::optional(data, repurchased, "repurchased")?;
    let (by, nps, churned) = (by.as_ref(), nps.as_ref(), churned.as_ref());
    let (spend, clv, repurchased) = (spend.as_ref(), clv.as_ref(), repurchased.as_ref());
    let policy = missing_policy(missing).py_err(py)?;
    let (codes, state) = classes(py, by, nps, names, policy)?;
    let inputs = Inputs::read(churned, spend, clv, repurchased)?;
    let o = inputs.outcomes();
    let inner = Shared::new(state);
    inner
        .apply(py, |s| s.update(&codes, o, policy))?
        .py_err(py)?;
    Ok(OutcomeState { inner })
}

/// The class labels of a state in their dtype, or `None` for text labels.
fn typed_labels(s: &core::OutcomeState) -> Option<Labels> {
    s.integer_labels()
        .map(Labels::Int)
        .or_else(|| s.float_labels().map(Labels::Float))
        .or_else(|| s.bool_labels().map(Labels::Bool))
}

/// The class labels of a state as a Python list in their dtype.
fn names_list<'py>(py: Python<'py>, s: &core::OutcomeState) -> PyResult<Bound<'py, PyAny>> {
    Ok(match typed_labels(s) {
        Some(Labels::Int(v)) => v.into_pyobject(py)?.into_any(),
        Some(Labels::Float(v)) => v.into_pyobject(py)?.into_any(),
        Some(Labels::Bool(v)) => v.into_pyobject(py)?.into_any(),
        _ => s.names().to_vec().into_pyobject(py)?.into_any(),
    })
}

fn finish(
    py: Python<'_>,
    state: &core::OutcomeState,
    confidence: f64,
) -> PyResult<OutcomeByClassResult> {
    let opts = OutcomeOptions::default().confidence(confidence);
    let out = state.finish(&opts).py_err(py)?;
    Ok(OutcomeByClassResult {
        out,
        labels: typed_labels(state),
        present: [
            state.holds(0),
            state.holds(1),
            state.holds(2),
            state.holds(3),
        ],
    })
}

#[pymethods]
impl OutcomeState {
    /// Class labels, in code order, in their dtype (ints, floats, bools or strings).
    #[getter]
    fn names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.snapshot()?;
        names_list(py, &s)
    }

    /// Adds rows (e.g. one more batch) coded like this state's classes: `nps=` scores for a state of
    /// NPS classes, or `by=` labels (each one of the state's labels); the outcomes must be the ones the
    /// state holds. A failed update leaves the state as it was.
    #[pyo3(signature = (*, by=None, nps=None, churned=None, spend=None, clv=None, repurchased=None, missing="error"))]
    #[allow(clippy::too_many_arguments)]
    fn update(
        &self,
        py: Python<'_>,
        by: Option<&Bound<'_, PyAny>>,
        nps: Option<&Bound<'_, PyAny>>,
        churned: Option<&Bound<'_, PyAny>>,
        spend: Option<&Bound<'_, PyAny>>,
        clv: Option<&Bound<'_, PyAny>>,
        repurchased: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    ) -> PyResult<()> {
        let policy = missing_policy(missing).py_err(py)?;
        let mine = self.snapshot()?;
        let names = names_list(py, &mine)?;
        let names = by.is_some().then_some(&names);
        let (codes, theirs) = classes(py, by, nps, names, policy)?;
        if theirs.names() != mine.names() {
            return Err(Error::Incompatible(format!(
                "these rows' classes {:?} are not this state's {:?}",
                theirs.names(),
                mine.names()
            )))
            .py_err(py);
        }
        let inputs = Inputs::read(churned, spend, clv, repurchased)?;
        let o = inputs.outcomes();
        // The core checks the whole batch before it changes the state.
        self.inner
            .apply(py, |s| s.update(&codes, o, policy))?
            .py_err(py)
    }

    /// Customers counted so far.
    #[getter]
    fn n(&self) -> PyResult<u64> {
        Ok(self.snapshot()?.customers())
    }

    /// Customers left out so far.
    #[getter]
    fn n_missing(&self) -> PyResult<u64> {
        Ok(self.snapshot()?.missing())
    }

    /// The result of `voc.impact.outcome_by_class` on every row added so far.
    #[pyo3(signature = (*, confidence=0.95))]
    fn finish(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    ) -> PyResult<OutcomeByClassResult> {
        finish(py, &self.snapshot()?, confidence)
    }

    fn __repr__(&self) -> PyResult<String> {
        let s = self.snapshot()?;
        Ok(format!(
            "OutcomeState(classes={:?}, customers={}, missing={})",
            s.names(),
            s.customers(),
            s.missing()
        ))
    }
}

impact_result! {
    /// Ratio of two classes' means (see `voc.impact.class_ratio`): delta method on the log scale; for
    /// a rate (`measure="churn"` or `"repurchase"`) also the 2 × 2 table's analysis.
    ClassRatioResult {
        /// numerator mean ÷ denominator mean.
        estimate: f64,
        /// Lower end of its interval.
        ci_low: f64,
        /// Upper end of its interval.
        ci_high: f64,
        /// Standard error of the log ratio.
        log_se: f64,
        /// Two-sided p of the log ratio's Wald test.
        p_value: f64,
        /// Level of the interval.
        confidence: f64,
        /// "spend", "clv", "churn" or "repurchase".
        measure: String,
        /// The numerator class.
        numerator: String,
        /// The denominator class.
        denominator: String,
        /// Mean of the numerator class.
        numerator_mean: f64,
        /// Customers of the numerator class.
        numerator_n: f64,
        /// Mean of the denominator class.
        denominator_mean: f64,
        /// Customers of the denominator class.
        denominator_n: f64,
        /// Customers left out (`missing="skip"`).
        n_missing: u64,
        /// For a rate: the 2 × 2 table (numerator, denominator) × (event, no event).
        contingency: Option<ContingencyResult>,
    }
}

/// Ratio of two classes' means (delta method on the log scale), with the 2×2 table for rates.
#[pyfunction]
#[pyo3(signature = (data, by, nps, names, churned, spend, clv, repurchased, measure, numerator, denominator, confidence, missing))]
#[allow(clippy::too_many_arguments)]
fn _impact_class_ratio(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    nps: Option<&Bound<'_, PyAny>>,
    names: Option<&Bound<'_, PyAny>>,
    churned: Option<&Bound<'_, PyAny>>,
    spend: Option<&Bound<'_, PyAny>>,
    clv: Option<&Bound<'_, PyAny>>,
    repurchased: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] measure: &str,
    numerator: &Bound<'_, PyAny>,
    denominator: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<ClassRatioResult> {
    let m = measure.parse::<Measure>().py_err(py)?;
    let state = _impact_outcome_state(
        py,
        data,
        by,
        nps,
        names,
        churned,
        spend,
        clv,
        repurchased,
        missing,
    )?;
    let state = state.snapshot()?;
    let out = state
        .finish(&OutcomeOptions::default().confidence(confidence))
        .py_err(py)?;
    let (num, den) = (numerator.str()?.to_string(), denominator.str()?.to_string());
    let r = crate::guard::run(py, "voc.impact.class_ratio", || {
        core::class_ratio(&out, m, &num, &den)
    })?
    .py_err(py)?;
    Ok(ClassRatioResult {
        estimate: r.ratio,
        ci_low: r.ci.low,
        ci_high: r.ci.high,
        log_se: r.log_se,
        p_value: r.p_value,
        confidence: r.ci.level,
        measure: measure.to_owned(),
        numerator: r.numerator.clone(),
        denominator: r.denominator.clone(),
        numerator_mean: r.numerator_summary.mean,
        numerator_n: r.numerator_summary.n,
        denominator_mean: r.denominator_summary.mean,
        denominator_n: r.denominator_summary.n,
        n_missing: out.n_missing,
        contingency: r
            .table
            .as_ref()
            .map(|t| ContingencyResult::new(t, "haldane")),
    })
}
