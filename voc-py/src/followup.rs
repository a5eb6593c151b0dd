//! `voc.followup`: follow-up case metrics (time to first contact and to close, SLA attainment), read
//! from the case columns and computed by `voc_core::followup`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::{Deserialize, Serialize};
use voc_core::Error;
use voc_core::followup::{self as core, LoopOptions};

use crate::convert;
use crate::error::{IntoPy, raise_named};
use crate::retention::{
    Label, coded, curve_rows, label_column, labels_fit, labels_list, result_html,
};
use crate::signals::{cutoff_seconds, read_times};
use crate::table::{Table, TableBuilder};

#[derive(Clone, Serialize, Deserialize)]
struct LoopInner {
    metrics: core::LoopMetrics,
    labels: Option<Vec<Label>>,
    as_of: i64,
    n_missing: usize,
    skipped: Vec<core::LeftOut>,
    period: Option<String>,
    trend: Option<Vec<core::SlaTrendRow>>,
}

impl crate::pickle::Checked for LoopInner {
    fn check(&self) -> Result<(), String> {
        labels_fit(self.metrics.groups.len(), self.labels.as_deref())
    }
}

/// Follow-up metrics per group (see `voc.followup.loop_metrics`): `table` (one row per group),
/// `curves(kind)` (the Kaplan–Meier table of time to contact or to close), `sla_hours`, `as_of`,
/// `confidence`, `n`, `n_missing`.
#[pyclass(frozen, module = "voc._voc")]
pub struct LoopMetricsResult {
    inner: LoopInner,
}

crate::pickled!(LoopMetricsResult);

impl LoopMetricsResult {
    fn rows(&self) -> Vec<usize> {
        (0..self.inner.metrics.groups.len()).collect()
    }

    fn by_column(&self, b: &mut TableBuilder<'_>, rows: &[usize]) -> PyResult<()> {
        if let Some(labels) = &self.inner.labels {
            label_column(b, "group", labels, rows)?;
        }
        Ok(())
    }
}

fn pct_name(p: f64) -> String {
    let v = 100.0 * p;
    if v.fract() == 0.0 {
        format!("p{v:.0}")
    } else {
        format!("p{v}").replace('.', "_")
    }
}

#[pymethods]
impl LoopMetricsResult {
    /// Group labels in order (None without `by`).
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        self.inner
            .labels
            .as_ref()
            .map(|l| labels_list(py, l))
            .transpose()
    }
    /// The service level used, hours to first contact.
    #[getter]
    fn sla_hours(&self) -> f64 {
        self.inner.metrics.sla_hours
    }
    /// Confidence level of every interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.metrics.confidence
    }
    /// The observation time (seconds since 1970): open clocks are censored here.
    #[getter]
    fn as_of(&self) -> i64 {
        self.inner.as_of
    }
    /// Cases used (all groups).
    #[getter]
    fn n(&self) -> u64 {
        self.inner.metrics.groups.iter().map(|g| g.cases).sum()
    }
    /// Cases left out under `missing="skip"` (a missing opening time or group label).
    #[getter]
    fn n_missing(&self) -> usize {
        self.inner.n_missing
    }
    /// Cases left out under `missing="skip"`, one row per reason (`reason`, `n`, `first`).
    #[getter]
    fn skipped(&self, py: Python<'_>) -> PyResult<Table> {
        crate::followup_outcomes::skipped_table(py, &self.inner.skipped)
    }
    /// The period of the SLA trend ("week", "month", ...), None without `period=`.
    #[getter]
    fn period(&self) -> Option<String> {
        self.inner.period.clone()
    }
    /// SLA attainment per group and period of opening, with the change from the group's previous
    /// period (as the survey metrics' trend tables): group, period, period_start, sla_met, sla_due,
    /// sla_rate, sla_ci_low, sla_ci_high, previous, change, change_se, change_ci_low, change_ci_high,
    /// statistic, p_value, significant, p_adjusted (Holm), significant_adjusted. None without `period=`.
    #[getter]
    fn trend(&self, py: Python<'_>) -> PyResult<Option<Table>> {
        let Some(rows) = &self.inner.trend else {
            return Ok(None);
        };
        let c = self.inner.metrics.confidence;
        let nan = f64::NAN;
        let mut b = TableBuilder::new(py);
        if let Some(labels) = &self.inner.labels {
            let codes: Vec<usize> = rows.iter().map(|r| r.group as usize).collect();
            label_column(&mut b, "group", labels, &codes)?;
        }
        let labels: Vec<Option<&str>> = rows.iter().map(|r| Some(r.label.as_str())).collect();
        b.strings("period", &labels)?;
        b.times(
            "period_start",
            rows.iter()
                .map(|r| r.start_day.saturating_mul(86_400))
                .collect(),
        )?;
        b.field("sla_met", rows, |r| r.rate.successes);
        b.field("sla_due", rows, |r| r.rate.n);
        b.field("sla_rate", rows, |r| r.rate.estimate);
        b.field("sla_ci_low", rows, |r| r.rate.ci.low);
        b.field("sla_ci_high", rows, |r| r.rate.ci.high);
        let previous: Vec<Option<&str>> = rows.iter().map(|r| r.previous.as_deref()).collect();
        b.strings("previous", &previous)?;
        b.field("change", rows, |r| r.change.map_or(nan, |t| t.difference));
        b.field("change_se", rows, |r| r.change.map_or(nan, |t| t.se));
        b.field("change_ci_low", rows, |r| {
            r.change.map_or(nan, |t| t.ci.low)
        });
        b.field("change_ci_high", rows, |r| {
            r.change.map_or(nan, |t| t.ci.high)
        });
        b.field("statistic", rows, |r| r.change.map_or(nan, |t| t.statistic));
        b.field("p_value", rows, |r| r.change.map_or(nan, |t| t.p_value));
        b.field("significant", rows, |r| r.significant(c));
        b.field("p_adjusted", rows, |r| r.p_adjusted.unwrap_or(nan));
        b.field("significant_adjusted", rows, |r| r.significant_adjusted(c));
        Ok(Some(b.finish("sla trend", None)))
    }
    /// One row per group: cases, contacted, closed, open; `sla_met` of `sla_due` cases contacted within
    /// the SLA with the share `sla_rate` and its Wilson interval (`sla_ci_low`, `sla_ci_high`), and
    /// `sla_pending` (open, not yet past the SLA); then, for time to contact and to close (hours,
    /// Kaplan–Meier), each requested percentile with its interval (`contact_p50`,
    /// `contact_p50_ci_low`, ...; `inf` when too few cases are done to reach it).
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let g = &self.inner.metrics.groups;
        let mut b = TableBuilder::new(py);
        self.by_column(&mut b, &self.rows())?;
        b.field("cases", g, |x| x.cases);
        b.field("contacted", g, |x| x.contacted);
        b.field("closed", g, |x| x.closed);
        b.field("open", g, |x| x.cases - x.closed);
        b.field("sla_met", g, |x| x.sla.map_or(0.0, |s| s.successes));
        b.field("sla_due", g, |x| x.sla.map_or(0.0, |s| s.n));
        b.field("sla_pending", g, |x| x.sla_pending);
        b.field("sla_rate", g, |x| x.sla.map_or(f64::NAN, |s| s.estimate));
        b.field("sla_ci_low", g, |x| x.sla.map_or(f64::NAN, |s| s.ci.low));
        b.field("sla_ci_high", g, |x| x.sla.map_or(f64::NAN, |s| s.ci.high));
        for (prefix, which) in [("contact", 0usize), ("close", 1)] {
            let count = g
                .iter()
                .map(|x| x.contact_percentiles.len().max(x.close_percentiles.len()))
                .max()
                .unwrap_or(0);
            for k in 0..count {
                let pick = |x: &core::GroupLoop| -> Option<core::Percentile> {
                    let v = if which == 0 {
                        &x.contact_percentiles
                    } else {
                        &x.close_percentiles
                    };
                    v.get(k).copied()
                };
                let Some(p) = g.iter().find_map(pick).map(|p| p.p) else {
                    continue;
                };
                let name = format!("{prefix}_{}", pct_name(p));
                b.field(&name, g, |x| pick(x).map_or(f64::NAN, |p| p.hours));
                b.field(&format!("{name}_ci_low"), g, |x| {
                    pick(x).map_or(f64::NAN, |p| p.low)
                });
                b.field(&format!("{name}_ci_high"), g, |x| {
                    pick(x).map_or(f64::NAN, |p| p.high)
                });
            }
        }
        Ok(b.finish("loop metrics", None))
    }
    /// The Kaplan–Meier table of time to first contact (`kind="contact"`) or to close
    /// (`kind="close"`), hours, one block of rows per group: group, time, at_risk, events, censored,
    /// survival, variance, ci_low, ci_high (as `voc.retention.kaplan_meier(...).table`).
    #[pyo3(signature = (kind="close"))]
    fn curves(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::text)] kind: &str,
    ) -> PyResult<Table> {
        let pick = match kind {
            "contact" => |g: &core::GroupLoop| g.time_to_contact.clone(),
            "close" => |g: &core::GroupLoop| g.time_to_close.clone(),
            other => {
                return Err(Error::option(
                    "kind",
                    other,
                    "expected \"contact\" or \"close\"",
                ))
                .py_err(py);
            }
        };
        let curves: Vec<(usize, voc_core::retention::KmCurve)> = self
            .inner
            .metrics
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| pick(g).map(|c| (i, c)))
            .collect();
        let rows: Vec<usize> = curves
            .iter()
            .flat_map(|(g, c)| std::iter::repeat_n(*g, c.time.len()))
            .collect();
        let mut b = TableBuilder::new(py);
        self.by_column(&mut b, &rows)?;
        curve_rows(&mut b, &curves.iter().map(|(_, c)| c).collect::<Vec<_>>());
        Ok(b.finish("loop curves", None))
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
        d.set_item("period", self.period())?;
        d.set_item(
            "table",
            Bound::new(py, self.table(py)?)?.call_method0("to_dict")?,
        )?;
        if let Some(t) = self.trend(py)? {
            d.set_item("trend", Bound::new(py, t)?.call_method0("to_dict")?)?;
        }
        crate::results::json_dict(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(
            py,
            "LoopMetricsResult",
            &self.to_dict(py)?,
            Some(self.table(py)?),
        )
    }
    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .metrics
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let name = self
                    .inner
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(i))
                    .map_or(String::new(), |l| format!("{}: ", l.show()));
                let sla = g
                    .sla
                    .map_or("n/a".to_string(), |s| format!("{:.1}%", 100.0 * s.estimate));
                format!("{name}cases={}, sla={sla}", g.cases)
            })
            .collect();
        format!(
            "LoopMetricsResult({}; SLA {} h)",
            parts.join("; "),
            self.inner.metrics.sla_hours
        )
    }
}

/// The column a role names (a column name of `data` or a column itself).
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

/// A time role as seconds since 1970 (NaT → `NAT`: "not yet"), in place when it already is.
fn time_role<'py>(
    data: Option<&Bound<'py, PyAny>>,
    role: &Bound<'py, PyAny>,
    arg: &'static str,
) -> PyResult<crate::convert::Buf<'py, i64>> {
    read_times(&required(data, role, arg)?, arg)
}

/// Follow-up metrics (see `voc.followup.loop_metrics`): each role a column name of `data` or a column.
#[pyfunction]
#[pyo3(signature = (data, *, opened, contacted, closed, by, period, as_of, sla_hours, percentiles, confidence, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _followup_loop_metrics(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    opened: &Bound<'_, PyAny>,
    contacted: &Bound<'_, PyAny>,
    closed: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::opt_text)] period: Option<&str>,
    as_of: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] sla_hours: f64,
    #[pyo3(from_py_with = crate::convert_args::reals)] percentiles: Vec<f64>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<LoopMetricsResult> {
    let options = LoopOptions::default()
        .sla_hours(sla_hours)
        .percentiles(percentiles)
        .confidence(confidence);
    options.validate().py_err(py)?;
    let policy = convert::missing_policy(missing).py_err(py)?;
    let period = period
        .map(str::parse::<voc_core::time::Period>)
        .transpose()
        .py_err(py)?;
    let (opened, contacted, closed) = (
        time_role(data, opened, "opened")?,
        time_role(data, contacted, "contacted")?,
        time_role(data, closed, "closed")?,
    );
    let by = convert::lookup(data, by, "by")?;
    let (codes, labels) = match by {
        Some(by) => {
            let c = coded(&by, "by")?;
            let mut codes = c.codes;
            for &i in &c.nulls {
                if let Some(v) = codes.get_mut(i) {
                    *v = core::MISSING_GROUP;
                }
            }
            (codes, Some(c.labels))
        }
        None => (vec![0; opened.as_slice().len()], None),
    };
    let names: Vec<String> = match &labels {
        Some(l) if !l.is_empty() => l.iter().map(Label::show).collect(),
        Some(_) => vec!["none".to_string()],
        None => vec!["all".to_string()],
    };
    let as_of = as_of
        .filter(|t| !t.is_none())
        .map(|t| cutoff_seconds(t, "as_of"))
        .transpose()?;
    let input = core::LoopInput {
        groups: &codes,
        opened: opened.as_slice(),
        contacted: contacted.as_slice(),
        closed: closed.as_slice(),
        as_of,
    };
    let report = crate::guard::detach(py, "voc.followup.loop_metrics", || {
        core::loop_metrics(&names, input, policy, period, &options)
    })
    .map_err(|e| e.renamed("groups", "by"))
    .py_err(py)?;
    Ok(LoopMetricsResult {
        inner: LoopInner {
            metrics: report.metrics,
            labels,
            as_of: report.as_of,
            n_missing: report.n_missing as usize,
            skipped: report
                .skipped
                .into_iter()
                .map(|s| s.renamed("groups", "by"))
                .collect(),
            period: period.map(|p| p.name().to_owned()),
            trend: report.trend,
        },
    })
}

// ---------------------------------------------------------------- recovery

#[derive(Clone, Serialize, Deserialize)]
struct RecoveryInner {
    recovery: core::Recovery,
    labels: Option<Vec<Label>>,
    n_cases: usize,
    skipped: Vec<core::LeftOut>,
}

impl crate::pickle::Checked for RecoveryInner {
    fn check(&self) -> Result<(), String> {
        labels_fit(self.recovery.groups.len(), self.labels.as_deref())
    }
}

/// Recovery after follow-up cases (see `voc.followup.recovery`): `table` (one row per group),
/// `repurchase_days`, `confidence`, `n` (cases used), `n_missing` and `skipped` (rows left out, by
/// reason).
#[pyclass(frozen, module = "voc._voc")]
pub struct RecoveryResult {
    inner: RecoveryInner,
}

crate::pickled!(RecoveryResult);

#[pymethods]
impl RecoveryResult {
    /// Group labels in order (None without `by`).
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        self.inner
            .labels
            .as_ref()
            .map(|l| labels_list(py, l))
            .transpose()
    }
    /// Days after closing in which an order counts as a repurchase.
    #[getter]
    fn repurchase_days(&self) -> u32 {
        self.inner.recovery.options.repurchase_days
    }
    /// Confidence level of every interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.recovery.options.confidence
    }
    /// Cases used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n_cases
    }
    /// Case rows left out under `missing="skip"` (bad or missing values; by reason in `skipped`).
    #[getter]
    fn n_missing(&self) -> u64 {
        self.inner.skipped.iter().map(|s| s.rows).sum()
    }
    /// Case rows left out under `missing="skip"`, one row per reason (`reason`, `n`, `first`).
    #[getter]
    fn skipped(&self, py: Python<'_>) -> PyResult<Table> {
        crate::followup_outcomes::skipped_table(py, &self.inner.skipped)
    }
    /// One row per group: `detractor_cases` (closed cases opened by a detractor answer), `answered`
    /// (with an NPS answer after closing), `recovered` / `recovered_rate` with its Wilson interval
    /// (answers at 7 or more), `promoted_rate` (9 or more), the paired NPS change (`pairs`,
    /// `nps_before`, `nps_after`, `nps_change`, its t interval and `nps_change_p_value`), and
    /// `repurchase_eligible` / `repurchase_rate` with its Wilson interval.
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let g = &self.inner.recovery.groups;
        let nan = f64::NAN;
        let mut b = TableBuilder::new(py);
        if let Some(labels) = &self.inner.labels {
            label_column(&mut b, "group", labels, &(0..g.len()).collect::<Vec<_>>())?;
        }
        b.field("detractor_cases", g, |x| x.cases);
        b.field("answered", g, |x| x.answered);
        b.field("recovered", g, |x| x.recovered.map_or(0.0, |s| s.successes));
        b.field("recovered_rate", g, |x| {
            x.recovered.map_or(nan, |s| s.estimate)
        });
        b.field("recovered_ci_low", g, |x| {
            x.recovered.map_or(nan, |s| s.ci.low)
        });
        b.field("recovered_ci_high", g, |x| {
            x.recovered.map_or(nan, |s| s.ci.high)
        });
        b.field("promoted_rate", g, |x| {
            x.promoted.map_or(nan, |s| s.estimate)
        });
        b.field("promoted_ci_low", g, |x| {
            x.promoted.map_or(nan, |s| s.ci.low)
        });
        b.field("promoted_ci_high", g, |x| {
            x.promoted.map_or(nan, |s| s.ci.high)
        });
        b.field("pairs", g, |x| x.nps_change.map_or(0, |c| c.n));
        b.field("nps_before", g, |x| x.nps_change.map_or(nan, |c| c.before));
        b.field("nps_after", g, |x| x.nps_change.map_or(nan, |c| c.after));
        b.field("nps_change", g, |x| {
            x.nps_change.map_or(nan, |c| c.estimate)
        });
        b.field("nps_change_ci_low", g, |x| {
            x.nps_change.map_or(nan, |c| c.ci_low)
        });
        b.field("nps_change_ci_high", g, |x| {
            x.nps_change.map_or(nan, |c| c.ci_high)
        });
        b.field("nps_change_p_value", g, |x| {
            x.nps_change.map_or(nan, |c| c.p_value)
        });
        b.field("repurchase_eligible", g, |x| x.repurchase_eligible);
        b.field("repurchase_rate", g, |x| {
            x.repurchase.map_or(nan, |s| s.estimate)
        });
        b.field("repurchase_ci_low", g, |x| {
            x.repurchase.map_or(nan, |s| s.ci.low)
        });
        b.field("repurchase_ci_high", g, |x| {
            x.repurchase.map_or(nan, |s| s.ci.high)
        });
        Ok(b.finish("recovery", None))
    }
    /// Headline fields and the table's columns as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("groups", self.groups(py)?)?;
        d.set_item("repurchase_days", self.repurchase_days())?;
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
            "RecoveryResult",
            &self.to_dict(py)?,
            Some(self.table(py)?),
        )
    }
    fn __repr__(&self) -> String {
        let g = &self.inner.recovery.groups;
        let answered: u64 = g.iter().map(|x| x.answered).sum();
        let recovered: f64 = g
            .iter()
            .map(|x| x.recovered.map_or(0.0, |s| s.successes))
            .sum();
        format!(
            "RecoveryResult(groups={}, answered={answered}, recovered={recovered})",
            g.len()
        )
    }
}

/// Reads the trigger column: labels "detractor", "alert", "ticket", "social" (and their aliases).
fn triggers(obj: &Bound<'_, PyAny>) -> PyResult<Vec<core::Trigger>> {
    let py = obj.py();
    let c = coded(obj, "trigger")?;
    if let Some(&index) = c.nulls.first() {
        return Err(Error::Missing {
            arg: "trigger",
            index,
        })
        .py_err(py);
    }
    let kinds = c
        .labels
        .iter()
        .map(|l| match l {
            Label::Str(s) => s.parse::<core::Trigger>(),
            other => Err(Error::option(
                "trigger",
                other.show(),
                "expected \"detractor\", \"alert\", \"ticket\" or \"social\"",
            )),
        })
        .collect::<Result<Vec<_>, Error>>()
        .py_err(py)?;
    Ok(c.codes.iter().map(|&k| kinds[k as usize]).collect())
}

/// Recovery (see `voc.followup.recovery`): the cases' roles are column names of `data` or columns.
#[pyfunction]
#[pyo3(signature = (data, *, log, customers, trigger, opened, contacted, closed, by, repurchase_days, confidence, missing))]
#[allow(clippy::too_many_arguments)]
pub fn _followup_recovery(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    log: PyRef<'_, crate::signals::EventLog>,
    customers: &Bound<'_, PyAny>,
    trigger: &Bound<'_, PyAny>,
    opened: &Bound<'_, PyAny>,
    contacted: &Bound<'_, PyAny>,
    closed: &Bound<'_, PyAny>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<u32>)] repurchase_days: u32,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<RecoveryResult> {
    let options = core::RecoveryOptions::default()
        .repurchase_days(repurchase_days)
        .confidence(confidence);
    options.validate().py_err(py)?;
    let policy = crate::signals::policy(py, missing)?;
    let (ids, _) =
        crate::signals::read_ids(&required(data, customers, "customers")?, "customers", false)?;
    let trigger = triggers(&required(data, trigger, "trigger")?)?;
    let (opened, contacted, closed) = (
        time_role(data, opened, "opened")?,
        time_role(data, contacted, "contacted")?,
        time_role(data, closed, "closed")?,
    );
    let by = match convert::lookup(data, by, "by")? {
        Some(b) => {
            let c = coded(&b, "by")?;
            if let Some(&index) = c.nulls.first() {
                return Err(Error::Missing { arg: "by", index }).py_err(py);
            }
            Some(c)
        }
        None => None,
    };
    let strs = ids.strs();
    let cases = core::Cases {
        customer: ids.ids(&strs),
        trigger: &trigger,
        opened: opened.as_slice(),
        contacted: contacted.as_slice(),
        closed: closed.as_slice(),
        team: by.as_ref().map(|c| c.codes.as_slice()),
        action: None,
        outcome: None,
        cost: None,
    };
    let name = |e: Error| {
        e.renamed("cases.customer", "customers")
            .renamed("cases.trigger", "trigger")
            .renamed("cases.opened", "opened")
            .renamed("cases.contacted", "contacted")
            .renamed("cases.closed", "closed")
            .renamed("cases.team", "by")
    };
    let event_log = log.log.clone();
    let n_groups = by.as_ref().map_or(1, |c| c.labels.len().max(1));
    let (recovery, n_cases, skipped) = crate::guard::detach(py, "voc.followup.recovery", || {
        let case_log = core::CaseLog::new(&event_log, cases, policy)?;
        let skipped = core::LeftOut::from_skipped(case_log.skipped())
            .into_iter()
            .map(|s| {
                s.renamed("cases.customer", "customers")
                    .renamed("cases.trigger", "trigger")
                    .renamed("cases.opened", "opened")
                    .renamed("cases.contacted", "contacted")
                    .renamed("cases.closed", "closed")
                    .renamed("cases.team", "by")
            })
            .collect::<Vec<_>>();
        let r = core::recovery(&event_log, &case_log, case_log.team(), n_groups, &options)?;
        Ok((r, case_log.len(), skipped))
    })
    .map_err(name)
    .py_err(py)?;
    Ok(RecoveryResult {
        inner: RecoveryInner {
            recovery,
            labels: by.map(|c| c.labels),
            n_cases,
            skipped,
        },
    })
}

/// Registers the follow-up functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_followup_loop_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(_followup_recovery, m)?)?;
    m.add_class::<LoopMetricsResult>()?;
    m.add_class::<RecoveryResult>()?;
    Ok(())
}
