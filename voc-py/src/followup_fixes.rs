//! `voc.followup.fixes`: the register of root-cause fixes and what each did, read from the register,
//! text and customer columns and computed by `voc_core::followup::fix_effects`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde::{Deserialize, Serialize};
use voc_core::Error;
use voc_core::followup::{
    Fix, FixCustomers, FixDesign, FixEffect, FixOptions, FixTexts, fix_effects,
};
use voc_core::impact::effect::DidSe;
use voc_core::text::Sets;
use voc_core::time::NAT;

use crate::convert;
use crate::error::{IntoPy, raise_named};
use crate::retention::result_html;
use crate::signals::{cutoff_seconds, read_times};
use crate::table::{Table, TableBuilder};

#[derive(Clone, Serialize, Deserialize)]
struct FixesInner {
    effects: Vec<FixEffect>,
    options: FixOptions,
}

impl crate::pickle::Checked for FixesInner {}

/// What each registered fix did (see `voc.followup.fixes`): `table` (one row per fix),
/// `window_days`, `confidence`, `n`.
#[pyclass(frozen, module = "voc._voc")]
pub struct FixesResult {
    inner: FixesInner,
}

crate::pickled!(FixesResult);

#[pymethods]
impl FixesResult {
    /// Days before and after each rollout compared.
    #[getter]
    fn window_days(&self) -> u32 {
        self.inner.options.window_days
    }
    /// Confidence level of every interval.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.options.confidence
    }
    /// Number of fixes.
    #[getter]
    fn n(&self) -> usize {
        self.inner.effects.len()
    }
    /// One row per fix: `id`, `rollout`; the themes' mention rate before and after
    /// (`texts_before`, `mentions_before`, `rate_before`, `texts_after`, `mentions_after`,
    /// `rate_after`), its ratio after ÷ before with the Katz interval (`rate_ratio`,
    /// `rate_ratio_ci_low`, `rate_ratio_ci_high`) and the z test of the change (`rate_p_value`);
    /// contacts (`contacts_before`, `contacts_after`, `contacts_avoided`, `contact_ratio` with its
    /// Wald-log interval; NaN when a count is zero); the churn effect (`churn_method`: holdout, did or
    /// before_after; `churn_estimate` = treated − control, the difference-in-differences or after −
    /// before, with `churn_ci_low`, `churn_ci_high`, `churn_p_value`), `customers` reached; the ROI
    /// (`cost`, `churn_value`, `cost_savings`, `net_benefit` with `net_benefit_ci_low` / `_high`,
    /// `roi` with `roi_ci_low` / `_high`, `payback_months`); `undefined_reason` says why a NaN is
    /// there (no contacts in a window, a fix that costs nothing, no positive benefit).
    #[getter]
    fn table(&self, py: Python<'_>) -> PyResult<Table> {
        let e = &self.inner.effects;
        let mut b = TableBuilder::new(py);
        let ids: Vec<Option<&str>> = e.iter().map(|x| Some(x.id.as_str())).collect();
        b.strings("id", &ids)?;
        b.times("rollout", e.iter().map(|x| x.rollout).collect())?;
        b.field("texts_before", e, |x| x.mentions.before.n);
        b.field("mentions_before", e, |x| x.mentions.before.successes);
        b.field("rate_before", e, |x| x.mentions.before.estimate);
        b.field("texts_after", e, |x| x.mentions.after.n);
        b.field("mentions_after", e, |x| x.mentions.after.successes);
        b.field("rate_after", e, |x| x.mentions.after.estimate);
        b.field("rate_ratio", e, |x| x.mentions.ratio.estimate);
        b.field("rate_ratio_ci_low", e, |x| x.mentions.ratio.ci.low);
        b.field("rate_ratio_ci_high", e, |x| x.mentions.ratio.ci.high);
        b.field("rate_p_value", e, |x| x.mentions.change.p_value);
        b.field("contacts_before", e, |x| x.contacts_before);
        b.field("contacts_after", e, |x| x.contacts_after);
        b.field("contacts_avoided", e, |x| x.contacts_avoided);
        b.field("contact_ratio", e, |x| {
            x.contacts.map_or(f64::NAN, |r| r.ratio)
        });
        b.field("contact_ratio_ci_low", e, |x| {
            x.contacts.map_or(f64::NAN, |r| r.ci.low)
        });
        b.field("contact_ratio_ci_high", e, |x| {
            x.contacts.map_or(f64::NAN, |r| r.ci.high)
        });
        let methods: Vec<Option<&str>> = e.iter().map(|x| Some(x.churn.method())).collect();
        b.strings("churn_method", &methods)?;
        b.field("churn_estimate", e, |x| x.churn.estimate().0);
        b.field("churn_ci_low", e, |x| x.churn.estimate().1);
        b.field("churn_ci_high", e, |x| x.churn.estimate().2);
        b.field("churn_p_value", e, |x| x.churn.estimate().3);
        b.field("customers", e, |x| x.customers);
        b.field("cost", e, |x| x.roi.inputs.program_cost);
        b.field("churn_value", e, |x| x.roi.churn_value);
        b.field("cost_savings", e, |x| x.roi.cost_savings);
        b.field("net_benefit", e, |x| x.roi.net_benefit);
        b.field("net_benefit_ci_low", e, |x| {
            x.roi.net_benefit_ci.map_or(f64::NAN, |c| c.0)
        });
        b.field("net_benefit_ci_high", e, |x| {
            x.roi.net_benefit_ci.map_or(f64::NAN, |c| c.1)
        });
        b.field("roi", e, |x| x.roi.roi.unwrap_or(f64::NAN));
        b.field("roi_ci_low", e, |x| x.roi.roi_ci.map_or(f64::NAN, |c| c.0));
        b.field("roi_ci_high", e, |x| x.roi.roi_ci.map_or(f64::NAN, |c| c.1));
        b.field("payback_months", e, |x| {
            x.roi.payback_months.unwrap_or(f64::NAN)
        });
        let why: Vec<Option<String>> = e.iter().map(FixEffect::undefined_reason).collect();
        b.strings("undefined_reason", &why)?;
        Ok(b.finish("fix effects", None))
    }
    /// Headline fields and the table's columns as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("n", self.n())?;
        d.set_item("window_days", self.window_days())?;
        d.set_item("confidence", self.confidence())?;
        d.set_item(
            "table",
            Bound::new(py, self.table(py)?)?.call_method0("to_dict")?,
        )?;
        crate::results::json_dict(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        result_html(py, "FixesResult", &self.to_dict(py)?, Some(self.table(py)?))
    }
    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .effects
            .iter()
            .map(|e| {
                let (d, lo, hi, _) = e.churn.estimate();
                format!(
                    "{}: mentions ×{:.2}, churn {:+.2} pts [{:+.2}, {:+.2}] ({})",
                    e.id,
                    e.mentions.ratio.estimate,
                    100.0 * d,
                    100.0 * lo,
                    100.0 * hi,
                    e.churn.method()
                )
            })
            .collect();
        format!("FixesResult({})", parts.join("; "))
    }
}

/// The cells of a column as Python objects (pyarrow, polars, pandas, numpy, lists); anything else is a
/// `DtypeError` naming `arg`.
fn cells<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let py = obj.py();
    let not_a_column = || {
        let found = obj
            .get_type()
            .name()
            .map_or_else(|_| "an object".to_string(), |n| n.to_string());
        raise_named(
            py,
            "DtypeError",
            format!("{arg}: expected a column (one value per row), got {found}"),
            Some(arg),
        )
    };
    let mut list = obj.clone();
    for method in ["to_pylist", "to_list", "tolist"] {
        if obj.hasattr(method).unwrap_or(false) {
            list = obj.call_method0(method).map_err(|_| not_a_column())?;
            break;
        }
    }
    match list.try_iter() {
        Ok(items) => items
            .collect::<PyResult<Vec<_>>>()
            .map_err(|_| not_a_column()),
        Err(_) => Err(not_a_column()),
    }
}

/// Theme names per cell: a name, a list of names, or nothing (None / NaN: no theme).
fn theme_cells(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Vec<Vec<String>>> {
    let py = obj.py();
    if obj.is_instance_of::<PyString>() {
        return Err(convert::texts::dtype_err(
            py,
            arg,
            "str (a single value; pass one per row)".into(),
        ));
    }
    let bad = |row: usize, found: String| {
        raise_named(
            py,
            "DtypeError",
            format!(
                "{arg}[{row}] is {found}; expected a theme name (str), a list of names, or None"
            ),
            Some(arg),
        )
    };
    let name = |item: &Bound<'_, PyAny>, row: usize| -> PyResult<String> {
        if item.is_instance_of::<PyString>() {
            Ok(convert_args_text(item, arg)?.to_string())
        } else {
            Err(bad(row, item.get_type().name()?.to_string()))
        }
    };
    cells(obj, arg)?
        .iter()
        .enumerate()
        .map(|(row, c)| {
            if c.is_none() || c.extract::<f64>().is_ok_and(f64::is_nan) {
                return Ok(Vec::new());
            }
            if c.is_instance_of::<PyString>() {
                return Ok(vec![name(c, row)?]);
            }
            match c.try_iter() {
                Ok(items) => items.map(|i| name(&i?, row)).collect(),
                Err(_) => Err(bad(row, c.get_type().name()?.to_string())),
            }
        })
        .collect()
}

fn convert_args_text<'a>(ob: &'a Bound<'_, PyAny>, arg: &str) -> PyResult<&'a str> {
    crate::convert_args::text_arg(ob, arg)
}

/// A 0/1 flag column (bools, 0/1 ints or floats); a missing or other value is an error naming it.
fn flags(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Vec<bool>> {
    let py = obj.py();
    let v = convert::numbers_or_bools(obj, arg)?
        .nulls_as_nan()
        .into_f64();
    v.as_slice()
        .iter()
        .enumerate()
        .map(|(index, &x)| {
            if x.is_nan() {
                Err(Error::Missing { arg, index }).py_err(py)
            } else if x == 0.0 || x == 1.0 {
                Ok(x == 1.0)
            } else {
                Err(Error::InvalidValue {
                    arg,
                    index,
                    value: x,
                    reason: "a flag must be true / false or 0 / 1",
                })
                .py_err(py)
            }
        })
        .collect()
}

/// A column of `table` by name (a `ColumnNotFoundError` when missing).
fn column<'py>(table: &Bound<'py, PyAny>, name: &str, arg: &str) -> PyResult<Bound<'py, PyAny>> {
    let n = PyString::new(table.py(), name).into_any();
    convert::required(Some(table), &n, arg)
}

/// What each registered fix did (see `voc.followup.fixes`).
#[pyfunction]
#[pyo3(signature = (register, *, texts, customers, themes, time, contact, signup, churn_time, as_of, window_days, clv, cost_per_contact, horizon_months, se, confidence))]
#[allow(clippy::too_many_arguments)]
pub fn _followup_fixes(
    py: Python<'_>,
    register: &Bound<'_, PyAny>,
    texts: &Bound<'_, PyAny>,
    customers: &Bound<'_, PyAny>,
    themes: &Bound<'_, PyAny>,
    time: &Bound<'_, PyAny>,
    contact: Option<&Bound<'_, PyAny>>,
    signup: &Bound<'_, PyAny>,
    churn_time: &Bound<'_, PyAny>,
    as_of: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<u32>)] window_days: u32,
    #[pyo3(from_py_with = crate::convert_args::real)] clv: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] cost_per_contact: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] horizon_months: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] se: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
) -> PyResult<FixesResult> {
    let options = FixOptions::default()
        .window_days(window_days)
        .clv(clv)
        .cost_per_contact(cost_per_contact)
        .horizon_months(horizon_months)
        .se(se.parse::<DidSe>().py_err(py)?)
        .confidence(confidence);
    options.validate().py_err(py)?;
    // The register.
    let names = convert::names_of(register)?;
    let ids = convert::texts::texts(&column(register, "id", "register")?, "register.id")?;
    let ids: Vec<String> = ids.strs(py).iter().map(|s| s.to_string()).collect();
    let fix_themes = theme_cells(&column(register, "themes", "register")?, "register.themes")?;
    let rollout = read_times(
        &column(register, "rollout", "register")?,
        "register.rollout",
    )?;
    let cost = if names.iter().any(|c| c == "cost") {
        convert::numbers(&column(register, "cost", "register")?, "register.cost")?
            .nulls_as_nan()
            .into_f64()
            .as_slice()
            .to_vec()
    } else {
        vec![0.0; ids.len()]
    };
    let design_column = |name: &str| -> PyResult<Option<Vec<Option<String>>>> {
        if !names.iter().any(|c| c == name) {
            return Ok(None);
        }
        let col = column(register, name, "register")?;
        let t = convert::texts::texts(&col, "register.groups")?;
        let strs = t.strs(py);
        Ok(Some(
            (0..strs.len())
                .map(|i| {
                    (t.nulls.binary_search(&i).is_err() && !strs[i].is_empty())
                        .then(|| strs[i].to_string())
                })
                .collect(),
        ))
    };
    let holdout_cols = design_column("holdout")?;
    let rollout_cols = design_column("rollout_group")?;
    let n_fix = ids.len();
    for (other, len) in [
        ("register.themes", fix_themes.len()),
        ("register.rollout", rollout.as_slice().len()),
        ("register.cost", cost.len()),
    ] {
        if len != n_fix {
            return Err(Error::LengthMismatch {
                arg: "register.id",
                len: n_fix,
                other,
                other_len: len,
            })
            .py_err(py);
        }
    }
    // The texts and their theme codes (names in first-seen order: register first).
    let text_themes = theme_cells(&convert::required(Some(texts), themes, "themes")?, "themes")?;
    let text_time = read_times(&convert::required(Some(texts), time, "time")?, "time")?;
    let contact = match contact.filter(|c| !c.is_none()) {
        Some(c) => Some(flags(
            &convert::required(Some(texts), c, "contact")?,
            "contact",
        )?),
        None => None,
    };
    let mut vocabulary: Vec<String> = Vec::new();
    let mut code = |name: &str| -> u32 {
        match vocabulary.iter().position(|v| v == name) {
            Some(i) => i as u32,
            None => {
                vocabulary.push(name.to_string());
                (vocabulary.len() - 1) as u32
            }
        }
    };
    let fix_codes: Vec<Vec<u32>> = fix_themes
        .iter()
        .map(|row| row.iter().map(|t| code(t)).collect())
        .collect();
    let rows: Vec<Vec<u32>> = text_themes
        .iter()
        .map(|row| row.iter().map(|t| code(t)).collect())
        .collect();
    let sets = Sets::from_rows(&rows).py_err(py)?;
    // The customers.
    let signup = read_times(
        &convert::required(Some(customers), signup, "signup")?,
        "signup",
    )?;
    let churn = read_times(
        &convert::required(Some(customers), churn_time, "churn_time")?,
        "churn_time",
    )?;
    let as_of = match as_of.filter(|a| !a.is_none()) {
        Some(a) => cutoff_seconds(a, "as_of")?,
        None => text_time
            .as_slice()
            .iter()
            .chain(churn.as_slice())
            .chain(signup.as_slice())
            .copied()
            .filter(|&t| t != NAT)
            .max()
            .map_or(NAT, |t| t + 1),
    };
    let mut fixes = Vec::with_capacity(n_fix);
    // Each flag column is read once, however many fixes name it.
    let mut group_names: Vec<String> = Vec::new();
    let mut group_flags: Vec<Vec<bool>> = Vec::new();
    for i in 0..n_fix {
        let pick = |cols: &Option<Vec<Option<String>>>| cols.as_ref().and_then(|c| c[i].clone());
        let groups = match (pick(&holdout_cols), pick(&rollout_cols)) {
            (Some(_), Some(_)) => {
                return Err(Error::option(
                    "register",
                    format!("fix {:?}", ids[i]),
                    "give a holdout or a rollout_group column, not both",
                ))
                .py_err(py);
            }
            (Some(h), None) => Some((FixDesign::Holdout, h)),
            (None, Some(g)) => Some((FixDesign::Rollout, g)),
            (None, None) => None,
        };
        let groups = match groups {
            Some((design, name)) => {
                let k = match group_names.iter().position(|g| *g == name) {
                    Some(k) => k,
                    None => {
                        group_flags.push(flags(
                            &column(customers, &name, "customers")?,
                            "customers.groups",
                        )?);
                        group_names.push(name);
                        group_flags.len() - 1
                    }
                };
                Some((design, k))
            }
            None => None,
        };
        fixes.push(Fix {
            id: ids[i].clone(),
            themes: fix_codes[i].clone(),
            rollout: rollout.as_slice()[i],
            cost: cost[i],
            groups,
        });
    }
    let contact_ref = contact.as_deref();
    let (text_time, signup, churn) = (
        text_time.as_slice().to_vec(),
        signup.as_slice().to_vec(),
        churn.as_slice().to_vec(),
    );
    let group_refs: Vec<&[bool]> = group_flags.iter().map(Vec::as_slice).collect();
    let effects = crate::guard::detach(py, "voc.followup.fixes", || {
        fix_effects(
            &fixes,
            FixTexts {
                themes: &sets,
                time: &text_time,
                contact: contact_ref,
            },
            FixCustomers {
                signup: &signup,
                churn: &churn,
                as_of,
                groups: &group_refs,
            },
            vocabulary.len().max(1),
            &options,
        )
    })
    .map_err(|e| {
        e.renamed("texts.time", "time")
            .renamed("texts.themes", "themes")
            .renamed("texts.contact", "contact")
            .renamed("customers.signup", "signup")
            .renamed("customers.churn", "churn_time")
            .renamed("fixes.themes", "register.themes")
            .renamed("fixes.rollout", "register.rollout")
            .renamed("fixes.cost", "register.cost")
    })
    .py_err(py)?;
    Ok(FixesResult {
        inner: FixesInner { effects, options },
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_followup_fixes, m)?)?;
    m.add_class::<FixesResult>()?;
    Ok(())
}
