//! `voc.retention`: Kaplan–Meier, log-rank, Cox PH, cohorts, BG/NBD, Gamma-Gamma, CLV and the
//! transaction summary. Converts and calls `voc_core::retention`.

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use serde::{Deserialize, Serialize};
use voc_core::MissingPolicy;
use voc_core::retention::{
    self as core, BgNbdOptions, CohortOptions, CoxOptions, GammaGammaOptions, KmOptions,
    SummaryOptions, Ties,
};
use voc_core::time::TimeUnit;

use crate::convert::{self, Buf, Column, Labels, Times};
use crate::error::IntoPy;
use crate::table::{Columns, Table, Value};

mod clv;
mod cox;
mod km;
mod transactions;

use clv::{BgNbdModel, GammaGammaModel};
use cox::CoxResult;
use km::{KaplanMeierResult, LogRankResult};
use transactions::CohortResult;

/// Registers the retention functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(km::kaplan_meier, m)?)?;
    m.add_function(wrap_pyfunction!(km::logrank_test, m)?)?;
    m.add_function(wrap_pyfunction!(cox::cox_ph, m)?)?;
    m.add_function(wrap_pyfunction!(cox::concordance_index, m)?)?;
    m.add_function(wrap_pyfunction!(clv::bgnbd_fit, m)?)?;
    m.add_function(wrap_pyfunction!(clv::gamma_gamma_fit, m)?)?;
    m.add_function(wrap_pyfunction!(clv::customer_lifetime_value, m)?)?;
    m.add_function(wrap_pyfunction!(transactions::rfm_summary, m)?)?;
    m.add_function(wrap_pyfunction!(transactions::calibration_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(transactions::cohort_retention, m)?)?;
    m.add_class::<KaplanMeierResult>()?;
    m.add_class::<LogRankResult>()?;
    m.add_class::<CoxResult>()?;
    m.add_class::<BgNbdModel>()?;
    m.add_class::<GammaGammaModel>()?;
    m.add_class::<CohortResult>()?;
    Ok(())
}

// ---------------------------------------------------------------- inputs

/// A group or customer label as stored in results (serialisable for pickling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Label {
    Int(i64),
    Str(String),
}

impl Label {
    fn value(&self) -> Value {
        match self {
            Label::Int(v) => Value::I64(*v),
            Label::Str(s) => Value::Str(Some(s.clone())),
        }
    }
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self {
            Label::Int(v) => v.into_pyobject(py)?.into_any(),
            Label::Str(s) => s.into_pyobject(py)?.into_any(),
        })
    }
}

/// Reads a float column; nulls are an error.
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    let col = convert::numbers(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(obj.py())?;
    Ok(col.data.into_f64())
}

/// Reads labels into dense codes over the labels that occur (in sorted label order); nulls are an error.
fn codes(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<(Vec<u32>, Vec<Label>)> {
    let py = obj.py();
    let col = convert::groups(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(py)?;
    let labels = col.data.labels;
    let mut codes = col.data.codes.into_dense();
    let k = match &labels {
        Labels::Int(v) => v.len(),
        Labels::Str(v) => v.len(),
    };
    let mut used = vec![false; k];
    for &c in &codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    let mut remap = vec![u32::MAX; k];
    let mut out = Vec::new();
    for (i, u) in used.iter().enumerate() {
        if *u {
            remap[i] = out.len() as u32;
            out.push(match &labels {
                Labels::Int(v) => Label::Int(v.get(i).copied().unwrap_or_default()),
                Labels::Str(v) => Label::Str(v.get(i).cloned().unwrap_or_default()),
            });
        }
    }
    for c in &mut codes {
        *c = remap.get(*c as usize).copied().unwrap_or(0);
    }
    Ok((codes, out))
}

/// Reads timestamps; nulls (NaT) are an error.
fn times<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Times<'py>> {
    let col: Column<Times<'_>> = convert::times(obj, arg)?;
    convert::check_nulls(MissingPolicy::Error, &[(arg, &col.nulls)]).py_err(obj.py())?;
    Ok(col.data)
}

/// One timestamp (a one-element column) expressed in `unit` (floored).
fn instant(obj: &Bound<'_, PyAny>, arg: &'static str, unit: TimeUnit) -> PyResult<i64> {
    let t = times(obj, arg)?;
    let Some(&v) = t.values.as_slice().first() else {
        return Err(voc_core::Error::Empty {
            arg,
            what: "no timestamp",
        })
        .py_err(obj.py());
    };
    let num = i128::from(v) * i128::from(unit.per_day());
    let den = i128::from(t.unit.per_day());
    Ok(num.div_euclid(den) as i64)
}

fn pyfloat_list<'py>(py: Python<'py>, v: &[f64]) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v)
}

fn labels_list<'py>(py: Python<'py>, labels: &[Label]) -> PyResult<Bound<'py, PyList>> {
    let items: Vec<Bound<'py, PyAny>> = labels
        .iter()
        .map(|l| l.to_py(py))
        .collect::<PyResult<_>>()?;
    PyList::new(py, items)
}
