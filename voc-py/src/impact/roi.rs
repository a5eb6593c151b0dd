//! Bindings: return on investment of a VoC program: churn value, cost-to-serve savings, payback, what-if.

use pyo3::prelude::*;
use voc_core::Error;
use voc_core::impact::roi::{self as core, RoiInputs, Shift};

use super::effect::HoldoutResult;
use crate::error::{IntoPy, raise_named};
use crate::impact_result;
use crate::table::Table;
use pyo3::types::{PyBool, PyBytes, PyComplex, PyDict, PyMapping, PyString};

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RoiResult>()?;
    m.add_class::<WhatIfResult>()?;
    m.add_function(wrap_pyfunction!(_impact_roi, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_what_if, m)?)?;
    Ok(())
}

impact_result! {
    /// Value of a VoC programme (see `voc.impact.roi`): `estimate` is the ROI, net benefit ÷ programme
    /// cost, with the interval carried from the churn reduction's interval.
    RoiResult {
        /// ROI: net_benefit ÷ program_cost (None when the programme costs nothing).
        estimate: Option<f64>,
        /// Lower end of the ROI's interval (None without a churn-reduction interval).
        ci_low: Option<f64>,
        /// Upper end of the ROI's interval.
        ci_high: Option<f64>,
        /// Fall in the churn rate used.
        churn_reduction: f64,
        /// Lower end of its interval.
        churn_reduction_ci_low: Option<f64>,
        /// Upper end of its interval.
        churn_reduction_ci_high: Option<f64>,
        /// Customers the programme reaches.
        customers: f64,
        /// Value of a retained customer.
        clv: f64,
        /// Support contacts avoided.
        contacts_avoided: f64,
        /// Cost of one contact.
        cost_per_contact: f64,
        /// Programme cost.
        program_cost: f64,
        /// Horizon in months.
        horizon_months: f64,
        /// churn_reduction × customers.
        customers_retained: f64,
        /// churn_reduction × customers × clv.
        churn_value: f64,
        /// Lower end of its interval.
        churn_value_ci_low: Option<f64>,
        /// Upper end of its interval.
        churn_value_ci_high: Option<f64>,
        /// contacts_avoided × cost_per_contact.
        cost_savings: f64,
        /// churn_value + cost_savings.
        benefit: f64,
        /// benefit − program_cost.
        net_benefit: f64,
        /// Lower end of its interval.
        net_benefit_ci_low: Option<f64>,
        /// Upper end of its interval.
        net_benefit_ci_high: Option<f64>,
        /// Months until the benefit pays the cost (None when the benefit is not positive).
        payback_months: Option<f64>,
    }
}

impact_result! {
    /// NPS and expected retained revenue before and after moving a share of one NPS class to another
    /// (see `voc.impact.what_if`).
    WhatIfResult {
        /// The shift ("detractors_to_passives", ...).
        shift: String,
        /// Share of the class moved.
        share: f64,
        /// Customers moved.
        moved: f64,
        /// Customers per class before (detractors, passives, promoters).
        n_before: Vec<f64>,
        /// Customers per class after.
        n_after: Vec<f64>,
        /// ARPU per class.
        arpu: Vec<f64>,
        /// Churn rate per class.
        churn: Vec<f64>,
        /// NPS before, in points.
        nps_before: f64,
        /// NPS after, in points.
        nps_after: f64,
        /// nps_after − nps_before.
        nps_change: f64,
        /// Expected retained revenue before, Σ n × ARPU × (1 − churn).
        revenue_before: f64,
        /// The same after.
        revenue_after: f64,
        /// revenue_after − revenue_before.
        revenue_change: f64,
    }
}

fn low(v: Option<(f64, f64)>) -> Option<f64> {
    v.map(|x| x.0)
}

fn high(v: Option<(f64, f64)>) -> Option<f64> {
    v.map(|x| x.1)
}

/// Value, net benefit, ROI and payback; the churn reduction and its interval come from `holdout`
/// (through the core) or are given.
#[pyfunction]
#[pyo3(signature = (churn_reduction, churn_reduction_ci, holdout, customers, clv, contacts_avoided, cost_per_contact, program_cost, horizon_months))]
#[allow(clippy::too_many_arguments)]
fn _impact_roi(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::opt_real)] churn_reduction: Option<f64>,
    churn_reduction_ci: Option<(f64, f64)>,
    holdout: Option<PyRef<'_, HoldoutResult>>,
    #[pyo3(from_py_with = crate::convert_args::real)] customers: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] clv: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] contacts_avoided: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] cost_per_contact: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] program_cost: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] horizon_months: f64,
) -> PyResult<RoiResult> {
    let i = RoiInputs::default();
    let i = match (&holdout, churn_reduction) {
        (Some(h), None) if churn_reduction_ci.is_none() => i.with_holdout(&h.core),
        (None, Some(c)) => i.churn_reduction(c).churn_reduction_ci(churn_reduction_ci),
        (Some(_), _) => {
            return Err(Error::option(
                "holdout",
                "given",
                "give holdout= or churn_reduction= (with churn_reduction_ci=), not both",
            ))
            .py_err(py);
        }
        (None, None) => {
            return Err(Error::option(
                "churn_reduction",
                "None",
                "give churn_reduction= or holdout=",
            ))
            .py_err(py);
        }
    };
    let i = i
        .customers(customers)
        .clv(clv)
        .contacts_avoided(contacts_avoided)
        .cost_per_contact(cost_per_contact)
        .program_cost(program_cost)
        .horizon_months(horizon_months);
    let r = crate::guard::run(py, "voc.impact.roi", || core::roi(&i))?.py_err(py)?;
    let i = &r.inputs;
    Ok(RoiResult {
        estimate: r.roi,
        ci_low: low(r.roi_ci),
        ci_high: high(r.roi_ci),
        churn_reduction: i.churn_reduction,
        churn_reduction_ci_low: low(i.churn_reduction_ci),
        churn_reduction_ci_high: high(i.churn_reduction_ci),
        customers: i.customers,
        clv: i.clv,
        contacts_avoided: i.contacts_avoided,
        cost_per_contact: i.cost_per_contact,
        program_cost: i.program_cost,
        horizon_months: i.horizon_months,
        customers_retained: r.customers_retained,
        churn_value: r.churn_value,
        churn_value_ci_low: low(r.churn_value_ci),
        churn_value_ci_high: high(r.churn_value_ci),
        cost_savings: r.cost_savings,
        benefit: r.benefit,
        net_benefit: r.net_benefit,
        net_benefit_ci_low: low(r.net_benefit_ci),
        net_benefit_ci_high: high(r.net_benefit_ci),
        payback_months: r.payback_months,
    })
}

/// Labels, sizes, ARPUs and churn rates of the `what_if` classes, column by column.
type ClassColumns = (Vec<String>, Vec<f64>, Vec<f64>, Vec<f64>);

/// The classes of `what_if` as (label, n, ARPU, churn) rows: from an `outcome_by_class` result or its
/// table (`group`, `n`, `arpu`, `churn_rate`), or a dict `{label: (n, arpu, churn)}`.
fn what_if_classes(data: &Bound<'_, PyAny>) -> PyResult<ClassColumns> {
    let py = data.py();
    let dtype = |message: String, index: Option<usize>| {
        let e = raise_named(py, "DtypeError", message, Some("data"));
        if let Some(i) = index {
            // invariant: voc.errors instances take attributes; a failure leaves the error as it was.
            let _ = e.value(py).setattr("index", i);
        }
        e
    };
    let number = |v: &Bound<'_, PyAny>| -> PyResult<f64> {
        if v.is_instance_of::<PyBool>()
            || v.is_instance_of::<PyString>()
            || v.is_instance_of::<PyBytes>()
            || v.is_instance_of::<PyComplex>()
            || !v.hasattr("__float__")?
        {
            return Err(dtype(
                format!("data: expected a number, got {}", v.get_type().name()?),
                None,
            ));
        }
        v.extract::<f64>()
    };
    let data = match data.cast::<super::outcome::OutcomeByClassResult>() {
        Ok(r) => r.getattr("table")?,
        Err(_) => data.clone(),
    };
    let (mut labels, mut n, mut arpu, mut churn) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Ok(d) = data.cast::<PyMapping>() {
        for (i, (k, v)) in d
            .items()?
            .iter()
            .map(|kv| kv.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
            .collect::<PyResult<Vec<_>>>()?
            .into_iter()
            .enumerate()
        {
            labels.push(k.str()?.to_string());
            if v.is_instance_of::<PyString>()
                || v.is_instance_of::<PyBytes>()
                || v.is_instance_of::<PyDict>()
                || v.try_iter().is_err()
            {
                return Err(dtype(
                    format!(
                        "data[{i}]: expected a tuple of 3, got {}",
                        v.get_type().name()?
                    ),
                    Some(i),
                ));
            }
            let items: Vec<Bound<'_, PyAny>> = v.try_iter()?.collect::<PyResult<_>>()?;
            let [a, b, c] = items.as_slice() else {
                let e = raise_named(
                    py,
                    "InvalidOptionError",
                    format!(
                        "data[{i}]: expected a tuple of 3 items, got {}",
                        items.len()
                    ),
                    Some("data"),
                );
                let _ = e.value(py).setattr("index", i);
                return Err(e);
            };
            n.push(number(a)?);
            arpu.push(number(b)?);
            churn.push(number(c)?);
        }
        return Ok((labels, n, arpu, churn));
    }
    if !data.is_instance_of::<Table>() {
        return Err(dtype(
            format!(
                "data: expected an OutcomeByClassResult, its table or a dict of classes, got {}",
                data.get_type().name()?
            ),
            None,
        ));
    }
    for label in data.get_item("group")?.try_iter()? {
        labels.push(label?.str()?.to_string());
    }
    let column = |name: &str| -> PyResult<Vec<f64>> {
        let key = PyString::new(py, name).into_any();
        let col = crate::convert::required(Some(&data), &key, "data")?;
        Ok(crate::convert::numbers(&col, "data")?
            .nulls_as_nan()
            .into_f64()
            .as_slice()
            .to_vec())
    };
    Ok((labels, column("n")?, column("arpu")?, column("churn_rate")?))
}

/// What-if: move a share of one NPS class to another. The classes are rows of (label, n, ARPU, churn)
/// read by [`what_if_classes`], picked by label in the core.
#[pyfunction]
#[pyo3(signature = (data, shift, share))]
fn _impact_what_if(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] shift: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] share: f64,
) -> PyResult<WhatIfResult> {
    let (labels, n, arpu, churn) = what_if_classes(data)?;
    let s = shift.parse::<Shift>().py_err(py)?;
    let c = core::classes_by_label(&labels, &n, &arpu, &churn).py_err(py)?;
    let w =
        crate::guard::run(py, "voc.impact.what_if", || core::what_if(&c, s, share))?.py_err(py)?;
    Ok(WhatIfResult {
        shift: shift.to_owned(),
        share,
        moved: w.moved,
        n_before: c.iter().map(|x| x.n).collect(),
        n_after: w.after_n.to_vec(),
        arpu: c.iter().map(|x| x.arpu).collect(),
        churn: c.iter().map(|x| x.churn).collect(),
        nps_before: w.nps_before,
        nps_after: w.nps_after,
        nps_change: w.nps_change,
        revenue_before: w.revenue_before,
        revenue_after: w.revenue_after,
        revenue_change: w.revenue_change,
    })
}
