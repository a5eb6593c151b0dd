//! `voc.segment`'s tables: value × voice, RFM, lifecycle stages, the profile per segment and the
//! value × voice matrix. Every role is a column name of `data` or a column (`crate::convert`'s role
//! rules); the rows of the segment results keep `data`'s `customer_id` when it has one.

use super::*;
use crate::convert::{lookup, names_of, prefixed, required, role_list, table_names};
use crate::results::{LifecycleResult, RfmResult, ValueVoiceResult};
use pyo3::types::PyList;

/// Registers the table functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_segment_value_voice, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_rfm, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_lifecycle, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_profile, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_matrix, m)?)?;
    Ok(())
}

/// A table builder that starts with `data`'s `customer_id` column when it has one.
fn with_ids<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    n: usize,
) -> PyResult<TableBuilder<'py>> {
    let mut b = TableBuilder::new(py);
    if table_names(data)?.is_some_and(|names| names.iter().any(|c| c == ID)) {
        b.column(ID, n, data.get_item(ID)?);
    }
    Ok(b)
}

/// The id column a segment table keeps.
const ID: &str = "customer_id";

/// A segment result from its table and fields, by the class's own constructor (as pickle rebuilds it).
fn result<'py, R: pyo3::PyClass>(
    py: Python<'py>,
    parts: impl pyo3::call::PyCallArgs<'py>,
) -> PyResult<Bound<'py, R>> {
    Ok(py
        .get_type::<R>()
        .call_method1("_from_parts", parts)?
        .cast_into::<R>()?)
}

/// The roles of `profile`, resolved.
struct ProfileRoles<'py> {
    by: Bound<'py, PyAny>,
    names: Option<Vec<String>>,
    plays: Option<Vec<(String, String)>>,
    churn: Option<Bound<'py, PyAny>>,
    value: Option<Bound<'py, PyAny>>,
    nps: Option<Bound<'py, PyAny>>,
    themes: Vec<(String, Bound<'py, PyAny>)>,
}

impl<'py> ProfileRoles<'py> {
    /// `by` is a segment result of this module (its table's `segment` or `stage` column, and its
    /// segment names unless `names` are given), a column name of `data` or a column. `value`'s default
    /// `"monetary"` is left out without `data`; `nps` when it names a column `data` does not have.
    /// `themes` is a column prefix (leaving out `exclude`) or a list of column names.
    #[allow(clippy::too_many_arguments)]
    fn read(
        data: Option<&Bound<'py, PyAny>>,
        by: &Bound<'py, PyAny>,
        names: Option<Vec<String>>,
        churn: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        nps: Option<&Bound<'py, PyAny>>,
        themes: Option<&Bound<'py, PyAny>>,
        exclude: &[String],
    ) -> PyResult<Self> {
        let mut plays = None;
        let (by, names) = if let Ok(r) = by.cast::<LifecycleResult>() {
            let stages = r.get().stages.clone();
            (
                by.getattr("table")?.get_item("stage")?,
                names.or(Some(stages)),
            )
        } else if let Ok(r) = by.cast::<ValueVoiceResult>() {
            let r = r.get();
            plays = Some(
                r.segments
                    .iter()
                    .cloned()
                    .zip(r.plays.iter().cloned())
                    .collect(),
            );
            let segments = r.segments.clone();
            (
                by.getattr("table")?.get_item("segment")?,
                names.or(Some(segments)),
            )
        } else if let Ok(r) = by.cast::<RfmResult>() {
            let segments = r.get().segments.clone();
            (
                by.getattr("table")?.get_item("segment")?,
                names.or(Some(segments)),
            )
        } else {
            (required(data, by, "by")?, names)
        };
        let churn = lookup(data, churn, "churn")?;
        let value = match value.filter(|v| !v.is_none()) {
            Some(v) if data.is_none() && v.extract::<String>().is_ok_and(|s| s == "monetary") => {
                None
            }
            v => lookup(data, v, "value")?,
        };
        let nps = match nps.filter(|v| !v.is_none()) {
            Some(v) => match v.extract::<String>() {
                Ok(name) => {
                    let has = match data {
                        Some(d) => names_of(d)?.contains(&name),
                        None => false,
                    };
                    if has {
                        lookup(data, Some(v), "nps")?
                    } else {
                        None
                    }
                }
                Err(_) => lookup(data, Some(v), "nps")?,
            },
            None => None,
        };
        let themes = match themes.filter(|t| !t.is_none()) {
            None => Vec::new(),
            Some(t) if t.is_instance_of::<PyString>() => {
                let prefix = crate::convert::text_of(t, "themes")?;
                match data {
                    Some(d) => prefixed(d, prefix, exclude)?,
                    None => Vec::new(),
                }
            }
            Some(t) => {
                let (n, c) = role_list(data, t, "themes")?;
                n.into_iter().zip(c).collect()
            }
        };
        Ok(ProfileRoles {
            by,
            names,
            plays,
            churn,
            value,
            nps,
            themes,
        })
    }
}

/// A value-tier × voice grid of one `profile` column (see `voc.segment.matrix`): one row per tier from
/// high to low, one column per voice, NaN where a cell has no segment row.
#[pyfunction]
#[pyo3(signature = (profile, by, values))]
fn _segment_matrix<'py>(
    py: Python<'py>,
    profile: &Bound<'py, PyAny>,
    by: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] values: &str,
) -> PyResult<Table> {
    if !profile.is_instance_of::<Table>() {
        return Err(crate::error::raise_named(
            py,
            "DtypeError",
            "profile: expected the Table of voc.segment.profile".into(),
            Some("profile"),
        ));
    }
    let Ok(by) = by.cast::<ValueVoiceResult>() else {
        return Err(crate::error::raise_named(
            py,
            "DtypeError",
            "by: expected the result of voc.segment.value_voice".into(),
            Some("by"),
        ));
    };
    let by = by.get();
    let key = PyString::new(py, values).into_any();
    let column = required(Some(profile), &key, "values")?;
    let cells = floats(&column, "values")?;
    let seg = profile.get_item("segment")?;
    let segments: Vec<String> = seg
        .try_iter()?
        .map(|s| s.and_then(|s| s.str().map(|s| s.to_string())))
        .collect::<PyResult<_>>()?;
    let cell = |t: usize, v: usize| -> f64 {
        // Segments are tier-major: tier t, voice v is segment t × voices + v.
        by.segments
            .get(t * by.voices.len() + v)
            .and_then(|name| segments.iter().position(|s| s == name))
            .and_then(|i| cells.as_slice().get(i).copied())
            .unwrap_or(f64::NAN)
    };
    let mut b = TableBuilder::new(py);
    let tiers: Vec<usize> = (0..by.tiers.len()).rev().collect();
    let rows: Vec<Option<&str>> = tiers.iter().map(|&t| Some(by.tiers[t].as_str())).collect();
    b.strings("value_tier", &rows)?;
    for (v, voice) in by.voices.iter().enumerate() {
        b.numbers(
            voice,
            tiers.iter().map(|&t| cell(t, v)).collect::<Vec<f64>>(),
        );
    }
    Ok(b.finish("value × voice matrix", None))
}

/// Value × voice (see `voc.segment.value_voice`): the result with its table, one row per customer.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, value, quantiles, thresholds, tier_names, rules, fallback, plays))]
fn _segment_value_voice<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::opt_reals)] quantiles: Option<Vec<f64>>,
    #[pyo3(from_py_with = crate::convert_args::opt_reals)] thresholds: Option<Vec<f64>>,
    #[pyo3(from_py_with = crate::convert_args::texts)] tier_names: Vec<String>,
    rules: Option<Vec<(String, String)>>,
    #[pyo3(from_py_with = crate::convert_args::string)] fallback: String,
    plays: Option<Vec<(String, String, String)>>,
) -> PyResult<Bound<'py, ValueVoiceResult>> {
    let value = required(Some(data), value, "value")?;
    let value = floats(&value, "value")?;
    let tiers = match (quantiles, thresholds) {
        (_, Some(t)) => Tiers::Thresholds(t),
        (Some(q), None) => Tiers::Quantiles(q),
        (None, None) => Tiers::Quantiles(vec![0.5, 0.8]),
    };
    let defaults = ValueVoiceOptions::default();
    let voice_rules = match rules {
        Some(r) => r
            .iter()
            .map(|(v, w)| VoiceRule::parse(v, w))
            .collect::<Result<Vec<_>, _>>()
            .py_err(py)?,
        None => defaults.voice_rules,
    };
    let plays = match plays {
        Some(p) => p.iter().map(|(t, v, p)| Play::new(t, v, p)).collect(),
        None => defaults.plays,
    };
    // The columns the rules read, looked up in `data` (a missing one is a `ColumnNotFoundError`).
    let mut cols: Vec<(String, Buf<'py, f64>)> = Vec::new();
    for rule in &voice_rules {
        for name in rule.columns() {
            if !cols.iter().any(|(n, _)| n == name) {
                cols.push((name.to_owned(), data_floats(data, name, "rules")?));
            }
        }
    }
    let opts = ValueVoiceOptions::default()
        .tiers(tiers)
        .tier_names(tier_names)
        .voice_rules(voice_rules)
        .fallback_voice(fallback)
        .plays(plays);
    let named: Vec<(&str, &[f64])> = cols
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let vs = value.as_slice();
    let out = crate::guard::detach(py, "voc.segment.value_voice", || {
        core::value_voice(vs, &named, &opts)
    })
    .py_err(py)?;
    let n = out.segment.len();
    let mut b = with_ids(py, data, n)?;
    b.column(
        "value_tier",
        n,
        shared_strings(py, &out.tier, &out.tier_names)?,
    );
    b.column(
        "voice",
        n,
        shared_strings(py, &out.voice, &out.voice_names)?,
    );
    b.column(
        "segment",
        n,
        shared_strings(py, &out.segment, &out.segment_names)?,
    );
    b.column("play", n, shared_strings(py, &out.segment, &out.plays)?);
    let table = Py::new(py, b.finish("value × voice segments", None))?;
    result::<ValueVoiceResult>(
        py,
        (
            table,
            n as u64,
            out.cuts,
            out.tier_names,
            out.voice_names,
            out.segment_names,
            out.plays,
        ),
    )
}

/// RFM scores and segments (see `voc.segment.rfm`): the result with its table, one row per customer
/// (`r`, `f`, `m`, the core's `rfm_score` label and `segment`).
#[pyfunction]
#[pyo3(signature = (data, recency, frequency, monetary, bins, rules))]
fn _segment_rfm<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    recency: &Bound<'py, PyAny>,
    frequency: &Bound<'py, PyAny>,
    monetary: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<u8>)] bins: u8,
    rules: Option<Vec<RuleTuple>>,
) -> PyResult<Bound<'py, RfmResult>> {
    let recency = required(Some(data), recency, "recency")?;
    let frequency = required(Some(data), frequency, "frequency")?;
    let monetary = required(Some(data), monetary, "monetary")?;
    let (r, f, m) = (
        floats(&recency, "recency")?,
        floats(&frequency, "frequency")?,
        floats(&monetary, "monetary")?,
    );
    let opts = RfmOptions::default().bins(bins).rules(match rules {
        Some(rs) => rs.iter().map(|(n, r, f)| RfmRule::new(n, *r, *f)).collect(),
        None => RfmRule::defaults(),
    });
    let (rs, fs, ms) = (r.as_slice(), f.as_slice(), m.as_slice());
    let out =
        crate::guard::detach(py, "voc.segment.rfm", || core::rfm(rs, fs, ms, &opts)).py_err(py)?;
    // Python sees score 0 for a customer without a purchase, and dense codes whose names end with
    // "Other" and "No Purchases".
    let score = |s: &[Option<u8>]| s.iter().map(|v| v.unwrap_or(0)).collect::<Vec<u8>>();
    let (segment, names) = out.codes();
    let n = segment.len();
    let mut b = with_ids(py, data, n)?;
    b.numbers("r", score(&out.r));
    b.numbers("f", score(&out.f));
    b.numbers("m", score(&out.m));
    let (score_codes, score_labels) = out.score_codes();
    b.column(
        "rfm_score",
        n,
        shared_strings(py, &score_codes, &score_labels)?,
    );
    b.column("segment", n, shared_strings(py, &segment, &names)?);
    let table = Py::new(py, b.finish("rfm segments", None))?;
    result::<RfmResult>(py, (table, n as u64, u64::from(bins), names))
}

/// A list of strings `labels[codes[i]]` that shares one Python string per label (a customer-level
/// column of a few distinct names costs one reference per row, not one string); an out-of-range code
/// is `None`.
fn shared_strings<'py>(
    py: Python<'py>,
    codes: &[u32],
    labels: &[String],
) -> PyResult<Bound<'py, PyAny>> {
    let strs: Vec<Bound<'py, PyAny>> = labels
        .iter()
        .map(|l| PyString::new(py, l).into_any())
        .collect();
    let none = py.None().into_bound(py);
    let items = codes
        .iter()
        .map(|&c| strs.get(c as usize).unwrap_or(&none).clone());
    Ok(PyList::new(py, items)?.into_any())
}

/// Lifecycle stages (see `voc.segment.lifecycle`): the result with its table, one row per customer.
#[pyfunction]
#[pyo3(signature = (data, tenure, activity, onboarding_days, maturity_days, dormant_days))]
fn _segment_lifecycle<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    tenure: &Bound<'py, PyAny>,
    activity: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] onboarding_days: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] maturity_days: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] dormant_days: f64,
) -> PyResult<Bound<'py, LifecycleResult>> {
    let tenure = required(Some(data), tenure, "tenure")?;
    let activity = required(Some(data), activity, "activity")?;
    let (t, a) = (floats(&tenure, "tenure")?, floats(&activity, "activity")?);
    let opts = LifecycleOptions::default()
        .onboarding_days(onboarding_days)
        .maturity_days(maturity_days)
        .dormant_days(dormant_days);
    let (ts, as_) = (t.as_slice(), a.as_slice());
    let stages = crate::guard::detach(py, "voc.segment.lifecycle", || {
        core::lifecycle(ts, as_, &opts)
    })
    .py_err(py)?;
    let names: Vec<String> = core::Stage::NAMES.iter().map(|s| (*s).to_owned()).collect();
    let codes: Vec<u32> = stages.iter().map(|s| *s as u32).collect();
    let n = codes.len();
    let mut b = with_ids(py, data, n)?;
    b.column("stage", n, shared_strings(py, &codes, &names)?);
    let table = Py::new(py, b.finish("lifecycle stages", None))?;
    result::<LifecycleResult>(py, (table, n as u64, names))
}

/// The profile table. `by` holds the segment labels; with `names`, labels are matched to them as
/// strings (every name gets a row, in that order), otherwise the labels that occur are the rows, in
/// label order and with their dtype.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, by, names, churn, value, nps, themes, exclude_themes, confidence, top_themes, churn_interval))]
fn _segment_profile<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    by: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::opt_texts)] names: Option<Vec<String>>,
    churn: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    nps: Option<&Bound<'py, PyAny>>,
    themes: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::texts)] exclude_themes: Vec<String>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] top_themes: usize,
    #[pyo3(from_py_with = crate::convert_args::text)] churn_interval: &str,
) -> PyResult<Table> {
    let data = data.filter(|d| !d.is_none());
    let roles = ProfileRoles::read(data, by, names, churn, value, nps, themes, &exclude_themes)?;
    let ProfileRoles {
        by,
        names,
        plays,
        churn,
        value,
        nps,
        themes,
    } = roles;
    let (codes, labels) = label_codes(&by, "by")?;
    let as_text: Vec<String> = labels.texts();
    let (seg, names, int_labels) = match names {
        Some(names) => {
            let mut remap = Vec::with_capacity(as_text.len());
            for label in &as_text {
                match names.iter().position(|n| n == label) {
                    Some(i) => remap.push(i as u32),
                    None => {
                        return Err(Error::option(
                            "names",
                            label,
                            "this segment is in the data but not in names",
                        ))
                        .py_err(py);
                    }
                }
            }
            let seg: Vec<u32> = codes.iter().map(|&c| remap[c as usize]).collect();
            (seg, names, None)
        }
        None => (codes, as_text, Some(labels)),
    };
    // Churn flags: bool, 0/1 ints or floats.
    let churn = churn
        .map(|c| crate::convert::numbers_or_bools(&c, "churn").map(|c| c.nulls_as_nan().into_f64()))
        .transpose()?;
    let value = value.map(|c| floats(&c, "value")).transpose()?;
    let nps = nps.map(|c| floats(&c, "nps")).transpose()?;
    let mut theme_cols: Vec<(String, Buf<'py, f64>)> = Vec::new();
    for (k, v) in &themes {
        let col =
            floats(v, "themes").map_err(|e| crate::convert::column_error(py, e, "themes", k))?;
        theme_cols.push((k.clone(), col));
    }
    let theme_refs: Vec<(&str, &[f64])> = theme_cols
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let input = ProfileInput {
        segment: &seg,
        names: &names,
        churn: churn.as_ref().map(Buf::as_slice),
        value: value.as_ref().map(Buf::as_slice),
        nps: nps.as_ref().map(Buf::as_slice),
        themes: &theme_refs,
    };
    let opts = ProfileOptions::default()
        .confidence(confidence)
        .churn_interval(churn_interval.parse::<ShareInterval>().py_err(py)?)
        .top_themes(top_themes);
    let rows = crate::guard::detach(py, "voc.segment.profile", || core::profile(&input, &opts))
        .py_err(py)?;
    let col = |f: &dyn Fn(&core::SegmentProfile) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let nan = f64::NAN;
    let mut t = TableBuilder::new(py);
    let names_col: Vec<Option<&str>> = rows.iter().map(|r| Some(r.name.as_str())).collect();
    let themes_col: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            Some(
                r.top_themes
                    .iter()
                    .map(|(n, c)| format!("{n} ({c})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
        .collect();
    match int_labels {
        Some(labels) => {
            // The labels in their own dtype (one row per label, in label order).
            let codes: Vec<usize> = (0..rows.len()).collect();
            labels.column(&mut t, "segment", &codes)?;
        }
        None => {
            t.strings("segment", &names_col)?;
        }
    }
    t.numbers(
        "size",
        rows.iter().map(|r| r.size as i64).collect::<Vec<_>>(),
    );
    t.numbers("share", col(&|r| r.share));
    // Columns made from an input that was not given are left out (never a column of NaN); NaN in the
    // others means an empty segment (`size` 0) or no NPS answers (`nps_n` 0).
    let (has_churn, has_value) = (input.churn.is_some(), input.value.is_some());
    if has_churn {
        t.numbers("churned", col(&|r| r.churned));
        t.numbers("churn_rate", col(&|r| r.churn_rate));
        t.numbers("churn_low", col(&|r| r.churn_ci.map_or(nan, |c| c.low)));
        t.numbers("churn_high", col(&|r| r.churn_ci.map_or(nan, |c| c.high)));
    }
    if input.nps.is_some() {
        t.numbers(
            "nps_n",
            rows.iter().map(|r| r.nps_n as i64).collect::<Vec<_>>(),
        );
        t.numbers("nps", col(&|r| r.nps));
        t.numbers("nps_low", col(&|r| r.nps_ci.map_or(nan, |c| c.low)));
        t.numbers("nps_high", col(&|r| r.nps_ci.map_or(nan, |c| c.high)));
    }
    if has_value {
        t.numbers("mean_value", col(&|r| r.mean_value));
        t.numbers("total_value", col(&|r| r.total_value));
    }
    if has_churn && has_value {
        t.numbers("revenue_at_risk", col(&|r| r.revenue_at_risk));
    }
    t.strings("top_themes", &themes_col)?;
    if let Some(plays) = plays {
        // A value × voice result gives each segment its play.
        let play: Vec<Option<&str>> = rows
            .iter()
            .map(|r| {
                Some(
                    plays
                        .iter()
                        .find(|(s, _)| *s == r.name)
                        .map_or("", |(_, p)| p.as_str()),
                )
            })
            .collect();
        t.strings("play", &play)?;
    }
    Ok(t.finish("segment profile", None))
}
