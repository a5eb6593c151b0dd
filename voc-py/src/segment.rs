//! `voc.segment`: columns in (numpy, pandas, polars, pyarrow, lists), segment tables and k-means out.
//! The column lookup by name lives in `python/voc/segment.py`; this file converts and calls.

use numpy::ndarray::Array2;
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use voc_core::Error;
use voc_core::Predict;
use voc_core::segment::{
    self as core, Algorithm, KMeansOptions, LifecycleOptions, Play, ProfileInput, ProfileOptions,
    RfmOptions, RfmRule, Tiers, ValueVoiceOptions, VoiceRule,
};
use voc_core::stats::ShareInterval;

use crate::convert::{Buf, Labels, groups, numbers, role};
use crate::error::IntoPy;
use crate::matrix::{check_cells, matrix, matrix_named};
use crate::table::{Table, TableBuilder, escape};

/// Registers the segment functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_segment_value_voice, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_rfm, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_lifecycle, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_profile, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_kmeans, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_standardize, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_silhouette, m)?)?;
    m.add_class::<KMeansModel>()?;
    m.add_class::<Standardized>()?;
    let py = m.py();
    let plays: Vec<(String, String, String)> = core::Play::defaults()
        .into_iter()
        .map(|p| (p.tier, p.voice, p.play))
        .collect();
    m.add("DEFAULT_PLAYS", PyTuple::new(py, plays)?)?;
    let rules: Vec<RuleTuple> = RfmRule::defaults()
        .into_iter()
        .map(|r| (r.name, r.r, r.f))
        .collect();
    m.add("DEFAULT_RFM_RULES", PyTuple::new(py, rules)?)?;
    let voices: Vec<(String, String)> = VoiceRule::defaults()
        .into_iter()
        .map(|r| {
            let when = r.when_text();
            (r.voice, when)
        })
        .collect();
    m.add("DEFAULT_VOICE_RULES", PyTuple::new(py, voices)?)?;
    Ok(())
}

/// A float column (nulls as NaN).
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// Segment or cluster labels through the one label coder (`crate::convert::groups`): dense codes over the
/// labels that occur, in label order (numbers by value, strings by code point, categories in category
/// order). A missing label is a `MissingValueError`.
fn label_codes(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<(Vec<u32>, Labels)> {
    let py = obj.py();
    let col = groups(obj, arg)?;
    if let Some(&index) = col.nulls.first() {
        return Err(Error::Missing { arg, index }).py_err(py);
    }
    let mut codes = col.data.codes.into_dense();
    // Keep only the labels that occur (integer ranges are coded by offset, with gaps).
    let labels = col.data.labels.only_used(&mut codes, &[]);
    Ok((codes, labels))
}

/// A float column of `data` (or given), looked up by the role rules.
fn data_floats<'py>(
    data: &Bound<'py, PyAny>,
    name: &str,
    arg: &'static str,
) -> PyResult<Buf<'py, f64>> {
    let key = PyString::new(data.py(), name).into_any();
    // invariant: `role` returns a column for a given value.
    let col = role(Some(data), Some(&key), arg)?.unwrap_or(key);
    floats(&col, arg)
}

/// Value × voice: per-row codes and the names, cuts and plays.
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
) -> PyResult<Bound<'py, PyDict>> {
    let value = floats(value, "value")?;
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
    let d = PyDict::new(py);
    d.set_item("tier", PyArray1::from_vec(py, out.tier))?;
    d.set_item("voice", PyArray1::from_vec(py, out.voice))?;
    d.set_item("segment", PyArray1::from_vec(py, out.segment))?;
    d.set_item("cuts", out.cuts)?;
    d.set_item("tier_names", out.tier_names)?;
    d.set_item("voice_names", out.voice_names)?;
    d.set_item("segment_names", out.segment_names)?;
    d.set_item("plays", out.plays)?;
    Ok(d)
}

/// An RFM rule from Python: (name, (r_low, r_high), (f_low, f_high)).
type RuleTuple = (String, (u8, u8), (u8, u8));

/// RFM scores, segment codes and names.
#[pyfunction]
#[pyo3(signature = (recency, frequency, monetary, bins, rules))]
fn _segment_rfm<'py>(
    py: Python<'py>,
    recency: &Bound<'py, PyAny>,
    frequency: &Bound<'py, PyAny>,
    monetary: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<u8>)] bins: u8,
    rules: Option<Vec<RuleTuple>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (r, f, m) = (
        floats(recency, "recency")?,
        floats(frequency, "frequency")?,
        floats(monetary, "monetary")?,
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
    let d = PyDict::new(py);
    d.set_item("r", PyArray1::from_vec(py, score(&out.r)))?;
    d.set_item("f", PyArray1::from_vec(py, score(&out.f)))?;
    d.set_item("m", PyArray1::from_vec(py, score(&out.m)))?;
    d.set_item("segment", PyArray1::from_vec(py, segment))?;
    d.set_item("names", names)?;
    Ok(d)
}

/// Lifecycle stage codes (index into `voc_core::segment::Stage::NAMES`).
#[pyfunction]
fn _segment_lifecycle<'py>(
    py: Python<'py>,
    tenure: &Bound<'py, PyAny>,
    activity: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::real)] onboarding_days: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] maturity_days: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] dormant_days: f64,
) -> PyResult<(Bound<'py, PyArray1<u32>>, Vec<&'static str>)> {
    let (t, a) = (floats(tenure, "tenure")?, floats(activity, "activity")?);
    let opts = LifecycleOptions::default()
        .onboarding_days(onboarding_days)
        .maturity_days(maturity_days)
        .dormant_days(dormant_days);
    let (ts, as_) = (t.as_slice(), a.as_slice());
    let stages = crate::guard::detach(py, "voc.segment.lifecycle", || {
        core::lifecycle(ts, as_, &opts)
    })
    .py_err(py)?;
    let codes: Vec<u32> = stages.iter().map(|s| *s as u32).collect();
    Ok((PyArray1::from_vec(py, codes), core::Stage::NAMES.to_vec()))
}

/// The profile table. `by` holds the segment labels; with `names`, labels are matched to them as
/// strings (every name gets a row, in that order), otherwise the labels that occur are the rows, in
/// label order and with their dtype.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (by, names, churn, value, nps, themes, confidence, top_themes, churn_interval))]
fn _segment_profile<'py>(
    py: Python<'py>,
    by: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::opt_texts)] names: Option<Vec<String>>,
    churn: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    nps: Option<&Bound<'py, PyAny>>,
    themes: &Bound<'py, PyDict>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] top_themes: usize,
    #[pyo3(from_py_with = crate::convert_args::text)] churn_interval: &str,
) -> PyResult<Table> {
    let (codes, labels) = label_codes(by, "by")?;
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
        .map(|c| crate::convert::numbers_or_bools(c, "churn").map(|c| c.nulls_as_nan().into_f64()))
        .transpose()?;
    let value = value.map(|c| floats(c, "value")).transpose()?;
    let nps = nps.map(|c| floats(c, "nps")).transpose()?;
    let mut theme_cols: Vec<(String, Buf<'py, f64>)> = Vec::new();
    for (k, v) in themes.iter() {
        theme_cols.push((k.extract()?, floats(&v, "theme counts")?));
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
    Ok(t.finish("segment profile", None))
}

/// A fitted k-means model (`voc.segment.fit_kmeans`): labels, centres, `predict`, `summary()`,
/// `to_bytes` / `from_bytes` and pickle (the core byte form).
#[pyclass(frozen, module = "voc._voc")]
pub struct KMeansModel {
    inner: core::KMeans,
}

crate::core_pickled!(KMeansModel, core::KMeans);

#[pymethods]
impl KMeansModel {
    /// Cluster of each row.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        PyArray1::from_vec(
            py,
            self.inner.labels.iter().map(|&l| i64::from(l)).collect(),
        )
    }

    /// Centres, shape (k, columns).
    #[getter]
    fn centers<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.inner.centers.to_pyarray(py)
    }

    /// Sum of squared distances to the nearest centre.
    #[getter]
    fn inertia(&self) -> f64 {
        self.inner.inertia
    }

    /// Iterations run.
    #[getter]
    fn n_iter(&self) -> usize {
        self.inner.iterations
    }

    /// Whether the stopping rule was met before `max_iter`.
    #[getter]
    fn converged(&self) -> bool {
        self.inner.converged
    }

    /// Number of clusters.
    #[getter]
    fn k(&self) -> usize {
        self.inner.k()
    }

    /// Rows the model was fitted on.
    #[getter]
    fn n(&self) -> usize {
        self.inner.labels.len()
    }

    /// Nearest centre of each row of `x` (lowest index on a tie).
    #[pyo3(signature = (x, /))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let (arr, names) = matrix_named(x, "x")?;
        let view = arr.as_array();
        // A NaN or infinite cell names its row and column.
        check_cells(py, view, "x", names.as_deref(), "")?;
        let labels = crate::guard::detach(py, "voc.segment.KMeansModel.predict", || {
            self.inner.predict(view)
        })
        .py_err(py)?;
        Ok(PyArray1::from_vec(
            py,
            labels.into_iter().map(i64::from).collect(),
        ))
    }

    /// One row per cluster: `cluster`, `size`, `share` and the centre's coordinates `center_0`,
    /// `center_1`, … (one per column of `x`).
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        let k = self.inner.k();
        let mut size = vec![0i64; k];
        for &l in &self.inner.labels {
            if let Some(s) = size.get_mut(l as usize) {
                *s += 1;
            }
        }
        let n = self.inner.labels.len().max(1) as f64;
        let mut t = TableBuilder::new(py);
        t.numbers("cluster", (0..k as i64).collect::<Vec<_>>());
        t.numbers(
            "share",
            size.iter().map(|&s| s as f64 / n).collect::<Vec<_>>(),
        );
        t.numbers("size", size);
        for j in 0..self.inner.cols() {
            t.numbers(
                &format!("center_{j}"),
                self.inner.centers.column(j).to_vec(),
            );
        }
        Ok(t.finish("k-means clusters", None))
    }

    /// The versioned, checksummed byte form; `from_bytes` reads it.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// A model from `to_bytes` output; anything else is a `voc.DecodeError`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<KMeansModel> {
        Ok(KMeansModel {
            inner: core::KMeans::from_bytes(data).py_err(py)?,
        })
    }

    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("k", self.inner.k())?;
        d.set_item("n", self.inner.labels.len())?;
        d.set_item("inertia", self.inner.inertia)?;
        d.set_item("n_iter", self.inner.iterations)?;
        d.set_item("converged", self.inner.converged)?;
        d.set_item("labels", self.labels(py))?;
        d.set_item("centers", self.centers(py))?;
        crate::results::json_dict(d)
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let m = &self.inner;
        let mut html = format!(
            "<p><b>voc KMeansModel</b></p><table><tr><th>k</th><td>{}</td></tr><tr><th>n</th><td>{}</td></tr><tr><th>inertia</th><td>{}</td></tr><tr><th>n_iter</th><td>{}</td></tr><tr><th>converged</th><td>{}</td></tr></table>",
            m.k(),
            m.labels.len(),
            m.inertia,
            m.iterations,
            m.converged
        );
        let t = Bound::new(py, self.summary(py)?)?;
        html.push_str(&t.call_method0("_repr_html_")?.extract::<String>()?);
        Ok(html)
    }

    fn __repr__(&self) -> String {
        format!(
            "KMeansModel(k={}, n={}, inertia={:.6}, n_iter={}, converged={})",
            self.inner.k(),
            self.inner.labels.len(),
            self.inner.inertia,
            self.inner.iterations,
            self.inner.converged
        )
    }
}

/// k-means: from given centres (`init` a matrix) or k-means++ with `n_init` starts (`init` =
/// `"k-means++"`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (x, k, init, n_init, max_iter, tol, seed, algorithm, parallel))]
fn _segment_kmeans(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] k: usize,
    init: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_init: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::text)] algorithm: &str,
    #[pyo3(from_py_with = crate::convert_args::flag)] parallel: bool,
) -> PyResult<KMeansModel> {
    let (arr, names) = matrix_named(x, "x")?;
    // A NaN or infinite cell names its row and column.
    check_cells(py, arr.as_array(), "x", names.as_deref(), "")?;
    let init_arr = match init.cast::<PyString>() {
        Ok(name) => {
            let name = name.to_str().map_err(|_| {
                crate::error::raise_named(
                    py,
                    "InvalidOptionError",
                    "init is not valid Unicode (it holds a lone surrogate)".into(),
                    Some("init"),
                )
            })?;
            if name != "k-means++" {
                return Err(Error::option(
                    "init",
                    name,
                    "expected \"k-means++\" or an array of centres (k × columns)",
                ))
                .py_err(py);
            }
            None
        }
        Err(_) => Some(matrix(init, "init")?),
    };
    let opts = KMeansOptions::default()
        .k(k)
        .n_init(n_init)
        .max_iter(max_iter)
        .tol(tol)
        .seed(seed)
        .algorithm(algorithm.parse::<Algorithm>().py_err(py)?)
        .parallel(parallel);
    let view = arr.as_array();
    let init = init_arr.as_ref().map(|a| a.as_array());
    let fit = crate::guard::detach(py, "voc.segment.fit_kmeans", || match init {
        Some(c) => core::kmeans_from(view, c, &opts),
        None => core::kmeans(view, &opts),
    })
    .py_err(py)?;
    Ok(KMeansModel { inner: fit })
}

/// Columns standardised to z-scores (`voc.segment.standardize`): the z-scores in `values`, the column
/// means and scales, and `transform` to apply the same scaling to other rows.
#[pyclass(frozen, module = "voc._voc")]
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Standardized {
    values: Array2<f64>,
    scaling: core::Scaling,
}

impl crate::pickle::Checked for Standardized {
    fn check(&self) -> Result<(), String> {
        let k = self.values.ncols();
        crate::pickle::same_len(
            "column scaling",
            k,
            &[self.scaling.means.len(), self.scaling.scales.len()],
        )
    }
}

#[pymethods]
impl Standardized {
    /// z-scores, shape (rows, columns).
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.values.to_pyarray(py)
    }

    /// Column means.
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.scaling.means)
    }

    /// Column scales (population standard deviation; 1 for a constant column).
    #[getter]
    fn scale<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.scaling.scales)
    }

    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.values.nrows()
    }

    /// The same scaling applied to other rows with the same columns.
    #[pyo3(signature = (x, /))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let arr = matrix(x, "x")?;
        let view = arr.as_array();
        let z = crate::guard::detach(py, "voc.segment.Standardized.transform", || {
            self.scaling.transform(view)
        })
        .py_err(py)?;
        Ok(PyArray2::from_owned_array(py, z))
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        let state = crate::pickle::dump(py, "Standardized", self)?;
        Ok((py.get_type::<Self>().getattr("_from_state")?, (state,)))
    }

    /// Rebuilds the scaling from its pickled state.
    #[staticmethod]
    fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        crate::pickle::load(py, "Standardized", data)
    }

    /// Equal when the z-scores and the scaling are the same bit for bit.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| crate::pickle::same(o.get(), self))
    }

    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("values", self.values(py))?;
        d.set_item("mean", self.mean(py))?;
        d.set_item("scale", self.scale(py))?;
        d.set_item("n", self.n())?;
        crate::results::json_dict(d)
    }

    fn _repr_html_(&self) -> String {
        let mut html = format!(
            "<p><b>voc Standardized</b> ({} rows)</p><table><tr><th>column</th><th>mean</th><th>scale</th></tr>",
            self.values.nrows()
        );
        for (j, (m, s)) in self
            .scaling
            .means
            .iter()
            .zip(&self.scaling.scales)
            .enumerate()
        {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&j.to_string()),
                m,
                s
            ));
        }
        html.push_str("</table>");
        html
    }

    fn __repr__(&self) -> String {
        format!(
            "Standardized(rows={}, columns={})",
            self.values.nrows(),
            self.values.ncols()
        )
    }
}

/// z-scores per column with the means and scales.
#[pyfunction]
fn _segment_standardize(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Standardized> {
    let arr = matrix(x, "x")?;
    let view = arr.as_array();
    let (values, scaling) =
        crate::guard::detach(py, "voc.segment.standardize", || core::standardize(view))
            .py_err(py)?;
    Ok(Standardized { values, scaling })
}

/// Mean silhouette coefficient; `labels` of any label dtype (coded by the one label coder).
#[pyfunction]
fn _segment_silhouette(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let arr = matrix(x, "x")?;
    let view = arr.as_array();
    let (labels, _) = label_codes(labels, "labels")?;
    crate::guard::detach(py, "voc.segment.silhouette", || {
        core::silhouette_score(view, &labels)
    })
    .py_err(py)
}
