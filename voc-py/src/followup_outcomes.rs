//! `voc.followup.coverage` and `voc.followup.sla_outcomes`: trigger coverage, and churn / spend by
//! SLA class with the inverse-propensity-weighted estimate, computed by `voc_core::followup`.

use numpy::ndarray::{Array2, ShapeBuilder};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::{Deserialize, Serialize};
use voc_core::followup::{self as core, LoopOptions};
use voc_core::{Error, MissingPolicy};

use crate::convert;
use crate::error::{IntoPy, raise_named};
use crate::retention::{Label, coded, label_column, labels_fit, labels_list, result_html};
use crate::signals::{cutoff_seconds, read_times};
use crate::table::{Table, TableBuilder};

/// Rows left out, one row per reason: `reason`, `n`, `first`.
pub(crate) fn skipped_table(py: Python<'_>, s: &[core::LeftOut]) -> PyResult<Table> {
    let mut b = TableBuilder::new(py);
    let reasons: Vec<Option<&str>> = s.iter().map(|s| Some(s.reason.as_str())).collect();
    b.strings("reason", &reasons)?;
    b.numbers("n", s.iter().map(|s| s.rows).collect::<Vec<u64>>());
    b.numbers(
        "first",
        s.iter().map(|s| s.first as u64).collect::<Vec<u64>>(),
    );
    Ok(b.finish("rows left out", None))
}

fn required<'py>(
    data: Option<&Bound<'py, PyAny>>,
    role: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Bound<'py, PyAny>> {
    convert::lookup(data, Some(role), arg)?.ok_or_else(|| {
        raise_named(
            role.py(),
            "InputError",
            format!("{arg} is required"),
            Some(arg),
        )
    })
}

fn times<'py>(
    data: Option<&Bound<'py, PyAny>>,
    role: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Vec<i64>> {
    Ok(read_times(&required(data, role, arg)?, arg)?
        .as_slice()
        .to_vec())
}

/// A 0/1 or bool column as f64, nulls as NaN.
fn flags<'py>(
    data: Option<&Bound<'py, PyAny>>,
    role: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<Vec<f64>> {
    let col = convert::numbers_or_bools(&required(data, role, arg)?, arg)?;
    Ok(col.nulls_as_nan().into_f64().as_slice().to_vec())
}

/// Group codes (missing labels marked), the labels, and the group names.
type Grouping = (Vec<u32>, Option<Vec<Label>>, Vec<String>);

/// Group codes with missing labels marked, and the labels.
fn group_codes(
    data: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    n: usize,
) -> PyResult<Grouping> {
    match convert::lookup(data, by, "by")? {
        Some(by) => {
            let c = coded(&by, "by")?;
            let mut codes = c.codes;
            for &i in &c.nulls {
                if let Some(v) = codes.get_mut(i) {
                    *v = core::MISSING_GROUP;
                }
            }
            let names = if c.labels.is_empty() {
                vec!["none".to_string()]
            } else {
                c.labels.iter().map(Label::show).collect()
            };
            Ok((codes, Some(c.labels), names))
        }
        None => Ok((vec![0; n], None, vec!["all".to_string()])),
    }
}

// ---------------------------------------------------------------- coverage

#[derive(Clone, Serialize, Deserialize)]
struct CoverageInner {
    report: core::CoverageReport,
    labels: Option<Vec<Label>>,
}

impl crate::pickle::Checked for CoverageInner {
    fn check(&self) -> Result<(), String> {
        labels_fit(self.report.groups.len(), self.labels.as_deref())
    }
}

/// Trigger coverage per group (see `voc.followup.coverage`): `table`, `sla_hours`, `as_of`,
/// `confidence`, `n`, `n_missing`, `skipped`.
#[pyclass(frozen, module = "voc._voc")]
pub struct CoverageResult {
    inner: CoverageInner,
}

crate::pickled!(CoverageResult);

#[pymethods]
impl CoverageResult {
    /// Group labels in order (None without `by`).
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        self.inner
            .labels
            .as_ref()
            .map(|l| labels_list(py, l))
            .transpose()
    }
    /// The service level used, hours from the trigger to the first contact.
    #[getter]
    fn sla_hours(&self) -> f64 {
        self.inner.report.sla_hours
    }
    /// Confidence level of every interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.report.confidence
    }
    /// The observation time (seconds since 1970).
    #[getter]
    fn as_of(&self) -> i64 {
        self.inner.report.as_of
    }
    /// Triggers used.
    #[getter]
    fn n(&self) -> u64 {
        self.inner.report.groups.iter().map(|g| g.triggers).sum()
    }
    /// Triggers left out under `missing="skip"`.
    #[getter]
    fn n_missing(&self) -> u64 {
        self.inner.report.n_missing
    }
    /// Triggers left out under `missing="skip"`, one row per reason.
    #[getter]
    fn skipped(&self, py: Python<'_>) -> PyResult<Table> {
        skipped_table(py, &self.inner.report.skipped)
    }
    /// One row per group: `triggers`, `with_case`, `coverage` (share with a case) with its Wilson
    /// interval, and `in_sla_met` of `in_sla_due` triggers contacted within the SLA (`in_sla_rate`,
    /// Wilson interval; `in_sla_pending`: not contacted, not yet past the SLA).
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let g = &self.inner.report.groups;
        let nan = f64::NAN;
        let mut b = TableBuilder::new(py);
        if let Some(labels) = &self.inner.labels {
            label_column(&mut b, "group", labels, &(0..g.len()).collect::<Vec<_>>())?;
        }
        b.field("triggers", g, |x| x.triggers);
        b.field("with_case", g, |x| x.coverage.map_or(0.0, |s| s.successes));
        b.field("coverage", g, |x| x.coverage.map_or(nan, |s| s.estimate));
        b.field("coverage_ci_low", g, |x| {
            x.coverage.map_or(nan, |s| s.ci.low)
        });
        b.field("coverage_ci_high", g, |x| {
            x.coverage.map_or(nan, |s| s.ci.high)
        });
        b.field("in_sla_met", g, |x| x.in_sla.map_or(0.0, |s| s.successes));
        b.field("in_sla_due", g, |x| x.in_sla.map_or(0.0, |s| s.n));
        b.field("in_sla_pending", g, |x| x.pending);
        b.field("in_sla_rate", g, |x| x.in_sla.map_or(nan, |s| s.estimate));
        b.field("in_sla_ci_low", g, |x| x.in_sla.map_or(nan, |s| s.ci.low));
        b.field("in_sla_ci_high", g, |x| x.in_sla.map_or(nan, |s| s.ci.high));
        Ok(b.finish("coverage", None))
    }
    /// Headline fields and the table's columns as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("groups", self.groups(py)?)?;
        d.set_item("sla_hours", self.sla_hours())?;
        d.set_item("as_of", self.as_of())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        d.set_item(
            "table",
            Bound::new(py, self.table(py)?)?.call_method0("to_dict")?,
        )?;
        crate::results::json_dict(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "CoverageResult",
            &self.to_dict(py)?,
            Some(self.table(py)?),
        )
    }
    fn __repr__(&self) -> String {
        let g = &self.inner.report.groups;
        let (k, n) = g.iter().fold((0.0, 0.0), |a, x| {
            x.coverage.map_or(a, |s| (a.0 + s.successes, a.1 + s.n))
        });
        format!(
            "CoverageResult(groups={}, triggers={n}, with_case={k}; SLA {} h)",
            g.len(),
            self.inner.report.sla_hours
        )
    }
}

/// Trigger coverage (see `voc.followup.coverage`).
#[pyfunction]
#[pyo3(signature = (data, *, time, has_case, contacted, by, as_of, sla_hours, confidence, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _followup_coverage(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    time: &Bound<'_, PyAny>,
    has_case: &Bound<'_, PyAny>,
    contacted: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    as_of: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] sla_hours: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<CoverageResult> {
    let options = LoopOptions::default()
        .sla_hours(sla_hours)
        .confidence(confidence);
    options.validate().py_err(py)?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let time = times(data, time, "time")?;
    let has_case = flags(data, has_case, "has_case")?;
    let contacted = match contacted.filter(|c| !c.is_none()) {
        Some(c) => times(data, c, "contacted")?,
        None => vec![voc_core::time::NAT; time.len()],
    };
    let (codes, labels, names) = group_codes(data, by, time.len())?;
    let as_of = as_of
        .filter(|t| !t.is_none())
        .map(|t| cutoff_seconds(t, "as_of"))
        .transpose()?;
    let input = core::TriggerInput {
        groups: &codes,
        time: &time,
        has_case: &has_case,
        contacted: &contacted,
        as_of,
    };
    let mut report = crate::guard::detach(py, "voc.followup.coverage", || {
        core::coverage(&names, input, policy, &options)
    })
    .map_err(|e| e.renamed("groups", "by"))
    .py_err(py)?;
    report.skipped = std::mem::take(&mut report.skipped)
        .into_iter()
        .map(|s| s.renamed("groups", "by"))
        .collect();
    Ok(CoverageResult {
        inner: CoverageInner { report, labels },
    })
}

// ---------------------------------------------------------------- outcomes by SLA class

#[derive(Clone, Serialize, Deserialize)]
struct OutcomesInner {
    outcomes: core::SlaOutcomes,
}

impl crate::pickle::Checked for OutcomesInner {
    fn check(&self) -> Result<(), String> {
        if self.outcomes.classes.len() == 3 {
            Ok(())
        } else {
            Err("an outcome table without its three classes".into())
        }
    }
}

/// Outcome by SLA class (see `voc.followup.sla_outcomes`): `table` (mean outcome per class),
/// `comparisons` (unadjusted and IPW estimates against the reference), `balance` (standardised
/// differences before and after weighting), `holdout` (the randomised holdout's estimate, or None),
/// `sla_hours`, `reference`, `confidence`, `binary`, `n`, `n_missing`, `skipped`.
#[pyclass(frozen, module = "voc._voc")]
pub struct SlaOutcomesResult {
    inner: OutcomesInner,
}

crate::pickled!(SlaOutcomesResult);

#[pymethods]
impl SlaOutcomesResult {
    /// The service level used, hours from opening.
    #[getter]
    fn sla_hours(&self) -> f64 {
        self.inner.outcomes.options.sla_hours
    }
    /// The class every other class is compared with.
    #[getter]
    fn reference(&self) -> &'static str {
        self.inner.outcomes.options.reference.name()
    }
    /// Confidence level of every interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.outcomes.options.confidence
    }
    /// Whether the outcome is 0/1 (then the holdout uses proportion methods).
    #[getter]
    fn binary(&self) -> bool {
        self.inner.outcomes.binary
    }
    /// Rows used.
    #[getter]
    fn n(&self) -> u64 {
        self.inner.outcomes.n
    }
    /// Rows left out under `missing="skip"`.
    #[getter]
    fn n_missing(&self) -> u64 {
        self.inner.outcomes.n_missing
    }
    /// Rows left out under `missing="skip"`, one row per reason.
    #[getter]
    fn skipped(&self, py: Python<'_>) -> PyResult<Table> {
        skipped_table(py, &self.inner.outcomes.skipped)
    }
    /// One row per class ("within", "later", "never"): `class`, `n`, `mean` outcome.
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let c = &self.inner.outcomes.classes;
        let mut b = TableBuilder::new(py);
        let names: Vec<Option<&str>> = c.iter().map(|x| Some(x.class.name())).collect();
        b.strings("class", &names)?;
        b.field("n", c, |x| x.n);
        b.field("mean", c, |x| x.mean);
        Ok(b.finish("outcome by sla class", None))
    }
    /// One row per class against the reference: `class`, `reference`, `n`, `n_reference`,
    /// `difference` (unadjusted), `estimate` (IPW, Hajek), `se` (robust HC0), `ci_low`, `ci_high`,
    /// `p_value`, `n_eff`, `n_eff_reference` (Kish), `max_weight`, `method` ("ipw_hajek").
    #[getter]
    fn comparisons(&self, py: Python<'_>) -> PyResult<Table> {
        let c = &self.inner.outcomes.comparisons;
        let mut b = TableBuilder::new(py);
        let class: Vec<Option<&str>> = c.iter().map(|x| Some(x.class.name())).collect();
        let reference: Vec<Option<&str>> = c.iter().map(|x| Some(x.reference.name())).collect();
        b.strings("class", &class)?;
        b.strings("reference", &reference)?;
        b.field("n", c, |x| x.n);
        b.field("n_reference", c, |x| x.n_reference);
        b.field("difference", c, |x| x.difference);
        b.field("estimate", c, |x| x.estimate);
        b.field("se", c, |x| x.se);
        b.field("ci_low", c, |x| x.ci.low);
        b.field("ci_high", c, |x| x.ci.high);
        b.field("p_value", c, |x| x.p_value);
        b.field("n_eff", c, |x| x.n_eff);
        b.field("n_eff_reference", c, |x| x.n_eff_reference);
        b.field("max_weight", c, |x| x.max_weight);
        let method: Vec<Option<&str>> = c.iter().map(|_| Some("ipw_hajek")).collect();
        b.strings("method", &method)?;
        Ok(b.finish("ipw comparisons", None))
    }
    /// Standardised mean differences of each covariate, per comparison: `class`, `covariate`,
    /// `smd_before`, `smd_after` (NaN when the covariate is constant in both classes).
    #[getter]
    fn balance(&self, py: Python<'_>) -> PyResult<Table> {
        let rows: Vec<(&core::IpwComparison, &core::Balance)> = self
            .inner
            .outcomes
            .comparisons
            .iter()
            .flat_map(|c| c.balance.iter().map(move |b| (c, b)))
            .collect();
        let mut b = TableBuilder::new(py);
        let class: Vec<Option<&str>> = rows.iter().map(|(c, _)| Some(c.class.name())).collect();
        let cov: Vec<Option<&str>> = rows
            .iter()
            .map(|(_, b)| Some(b.covariate.as_str()))
            .collect();
        b.strings("class", &class)?;
        b.strings("covariate", &cov)?;
        b.field("smd_before", &rows, |(_, x)| x.before.unwrap_or(f64::NAN));
        b.field("smd_after", &rows, |(_, x)| x.after.unwrap_or(f64::NAN));
        Ok(b.finish("covariate balance", None))
    }
    /// The randomised holdout's estimate (eligible − held out), one row: `n_treated`, `n_control`,
    /// `treated_mean`, `control_mean`, `estimate`, `ci_low`, `ci_high`, `p_value`, `method`
    /// ("newcombe" for a 0/1 outcome, "welch" otherwise); None without `holdout=`.
    #[getter]
    fn holdout(&self, py: Python<'_>) -> PyResult<Option<Table>> {
        let Some(h) = self.inner.outcomes.holdout else {
            return Ok(None);
        };
        let h = [h];
        let mut b = TableBuilder::new(py);
        b.field("n_treated", &h, |x| x.n_treated);
        b.field("n_control", &h, |x| x.n_control);
        b.field("treated_mean", &h, |x| x.treated_mean);
        b.field("control_mean", &h, |x| x.control_mean);
        b.field("estimate", &h, |x| x.estimate);
        b.field("ci_low", &h, |x| x.ci.low);
        b.field("ci_high", &h, |x| x.ci.high);
        b.field("p_value", &h, |x| x.p_value);
        b.strings("method", &[Some(h[0].ci.method.name())])?;
        Ok(Some(b.finish("holdout", None)))
    }
    /// Headline fields and the tables' columns as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("sla_hours", self.sla_hours())?;
        d.set_item("reference", self.reference())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item("binary", self.binary())?;
        d.set_item("n", self.n())?;
        d.set_item("n_missing", self.n_missing())?;
        for (name, t) in [
            ("table", Some(self.table(py)?)),
            ("comparisons", Some(self.comparisons(py)?)),
            ("balance", Some(self.balance(py)?)),
            ("holdout", self.holdout(py)?),
        ] {
            match t {
                Some(t) => d.set_item(name, Bound::new(py, t)?.call_method0("to_dict")?)?,
                None => d.set_item(name, py.None())?,
            }
        }
        crate::results::json_dict(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "SlaOutcomesResult",
            &self.to_dict(py)?,
            Some(self.comparisons(py)?),
        )
    }
    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .outcomes
            .comparisons
            .iter()
            .map(|c| {
                format!(
                    "{} vs {}: {:.4} [{:.4}, {:.4}]",
                    c.class, c.reference, c.estimate, c.ci.low, c.ci.high
                )
            })
            .collect();
        format!("SlaOutcomesResult({})", parts.join("; "))
    }
}

/// Covariates given as a list of column names of `data` (or columns), laid out column-major.
fn covariate_matrix(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    covariates: &Bound<'_, PyAny>,
    n: usize,
) -> PyResult<(Vec<String>, Array2<f64>)> {
    let (names, cols) = convert::role_list(data, covariates, "covariates")?;
    let mut values: Vec<f64> = Vec::with_capacity(n * cols.len());
    for (col, name) in cols.iter().zip(&names) {
        let v = convert::numbers_or_bools(col, "covariates")
            .map_err(|e| convert::column_error(py, e, "covariates", name))?
            .nulls_as_nan()
            .into_f64();
        let v = v.as_slice();
        if v.len() != n {
            return Err(Error::LengthMismatch {
                arg: "covariates",
                len: v.len(),
                other: "outcome",
                other_len: n,
            })
            .py_err(py);
        }
        values.extend_from_slice(v);
    }
    let x = Array2::from_shape_vec((n, cols.len()).f(), values)
        .map_err(|e| Error::Incompatible(format!("covariates: {e}")))
        .py_err(py)?;
    Ok((names, x))
}

/// Outcome by SLA class (see `voc.followup.sla_outcomes`).
#[pyfunction]
#[pyo3(signature = (data, *, outcome, opened, closed, covariates, holdout, sla_hours, reference, confidence, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _followup_sla_outcomes(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    outcome: &Bound<'_, PyAny>,
    opened: &Bound<'_, PyAny>,
    closed: &Bound<'_, PyAny>,
    covariates: Option<&Bound<'_, PyAny>>,
    holdout: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] sla_hours: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] reference: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<SlaOutcomesResult> {
    let options = core::OutcomeOptions::default()
        .sla_hours(sla_hours)
        .confidence(confidence)
        .reference(reference.parse::<core::SlaClass>().py_err(py)?);
    options.validate().py_err(py)?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let y = flags(data, outcome, "outcome")?;
    let opened = times(data, opened, "opened")?;
    let done = times(data, closed, "closed")?;
    let hold = match holdout.filter(|h| !h.is_none()) {
        Some(h) => Some(flags(data, h, "holdout")?),
        None => None,
    };
    let cov = match covariates.filter(|c| !c.is_none()) {
        Some(c) => Some(covariate_matrix(py, data, c, y.len())?),
        None => None,
    };
    // A bad covariate cell is named by row and column (the core names the flat position).
    if let Some((names, x)) = &cov {
        for (r, row) in x.rows().into_iter().enumerate() {
            let bad = row
                .iter()
                .enumerate()
                .find(|(_, v)| v.is_infinite() || (policy == MissingPolicy::Error && v.is_nan()));
            if let Some((c, &v)) = bad {
                let hint = if v.is_nan() {
                    "; pass missing=\"skip\" to leave the row out"
                } else {
                    ""
                };
                return Err(crate::error::raise_cell(
                    py,
                    "covariates",
                    (r, c),
                    names.get(c).map(String::as_str),
                    v,
                    hint,
                ));
            }
        }
    }
    let empty: Vec<String> = Vec::new();
    let input = core::OutcomeInput {
        opened: &opened,
        done: &done,
        outcome: &y,
        covariates: cov.as_ref().map(|(_, x)| x.view()),
        names: cov.as_ref().map_or(&empty, |(n, _)| n),
        holdout: hold.as_deref(),
    };
    let mut outcomes = crate::guard::detach(py, "voc.followup.sla_outcomes", || {
        core::sla_outcomes(input, policy, &options)
    })
    .map_err(|e| e.renamed("done", "closed"))
    .py_err(py)?;
    outcomes.skipped = std::mem::take(&mut outcomes.skipped)
        .into_iter()
        .map(|s| s.renamed("done", "closed"))
        .collect();
    Ok(SlaOutcomesResult {
        inner: OutcomesInner { outcomes },
    })
}

/// Registers the coverage and outcome functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_followup_coverage, m)?)?;
    m.add_function(wrap_pyfunction!(_followup_sla_outcomes, m)?)?;
    m.add_class::<CoverageResult>()?;
    m.add_class::<SlaOutcomesResult>()?;
    Ok(())
}
