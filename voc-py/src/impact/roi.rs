//! Bindings: return on investment of a VoC program: churn value, cost-to-serve savings, payback, what-if.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::impact::roi::{self as core, ClassValue, RoiInputs, Shift};

use crate::error::IntoPy;

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_impact_roi, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_what_if, m)?)?;
    Ok(())
}

fn pair(d: &Bound<'_, PyDict>, p: &str, v: Option<(f64, f64)>) -> PyResult<()> {
    d.set_item(format!("{p}_low"), v.map(|x| x.0))?;
    d.set_item(format!("{p}_high"), v.map(|x| x.1))?;
    Ok(())
}

/// Value, net benefit, ROI and payback.
#[pyfunction]
#[pyo3(signature = (churn_reduction, churn_reduction_ci, customers, clv, contacts_avoided, cost_per_contact, program_cost, horizon_months))]
#[allow(clippy::too_many_arguments)]
fn _impact_roi<'py>(
    py: Python<'py>,
    churn_reduction: f64,
    churn_reduction_ci: Option<(f64, f64)>,
    customers: f64,
    clv: f64,
    contacts_avoided: f64,
    cost_per_contact: f64,
    program_cost: f64,
    horizon_months: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let i = RoiInputs::default()
        .churn_reduction(churn_reduction)
        .churn_reduction_ci(churn_reduction_ci)
        .customers(customers)
        .clv(clv)
        .contacts_avoided(contacts_avoided)
        .cost_per_contact(cost_per_contact)
        .program_cost(program_cost)
        .horizon_months(horizon_months);
    let r = core::roi(&i).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("churn_reduction", churn_reduction)?;
    pair(&d, "churn_reduction_ci", churn_reduction_ci)?;
    d.set_item("customers", customers)?;
    d.set_item("clv", clv)?;
    d.set_item("contacts_avoided", contacts_avoided)?;
    d.set_item("cost_per_contact", cost_per_contact)?;
    d.set_item("program_cost", program_cost)?;
    d.set_item("horizon_months", horizon_months)?;
    d.set_item("customers_retained", r.customers_retained)?;
    d.set_item("churn_value", r.churn_value)?;
    pair(&d, "churn_value_ci", r.churn_value_ci)?;
    d.set_item("cost_savings", r.cost_savings)?;
    d.set_item("benefit", r.benefit)?;
    d.set_item("net_benefit", r.net_benefit)?;
    pair(&d, "net_benefit_ci", r.net_benefit_ci)?;
    d.set_item("roi", r.roi)?;
    pair(&d, "roi_ci", r.roi_ci)?;
    d.set_item("payback_months", r.payback_months)?;
    Ok(d)
}

/// What-if: move a share of one NPS class to another.
#[pyfunction]
#[pyo3(signature = (classes, shift, share))]
fn _impact_what_if<'py>(
    py: Python<'py>,
    classes: [(f64, f64, f64); 3],
    shift: &str,
    share: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let s = shift.parse::<Shift>().py_err(py)?;
    let c = classes.map(|(n, arpu, churn)| ClassValue { n, arpu, churn });
    let w = core::what_if(&c, s, share).py_err(py)?;
    let d = PyDict::new(py);
    d.set_item("shift", shift)?;
    d.set_item("share", share)?;
    d.set_item("moved", w.moved)?;
    let names = ["detractor", "passive", "promoter"];
    for (k, name) in names.iter().enumerate() {
        d.set_item(format!("{name}_n_before"), c[k].n)?;
        d.set_item(format!("{name}_n_after"), w.after_n[k])?;
        d.set_item(format!("{name}_arpu"), c[k].arpu)?;
        d.set_item(format!("{name}_churn"), c[k].churn)?;
    }
    d.set_item("nps_before", w.nps_before)?;
    d.set_item("nps_after", w.nps_after)?;
    d.set_item("nps_change", w.nps_after - w.nps_before)?;
    d.set_item("revenue_before", w.revenue_before)?;
    d.set_item("revenue_after", w.revenue_after)?;
    d.set_item("revenue_change", w.revenue_change)?;
    Ok(d)
}
