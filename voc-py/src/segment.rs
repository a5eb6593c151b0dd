//! `voc.segment`: columns in (numpy, pandas, polars, pyarrow, lists), segment tables and k-means out.
//! The column lookup by name lives in `python/voc/segment.py`; this file converts and calls.

use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::Predict;
use voc_core::segment::{
    self as core, Algorithm, KMeansOptions, LifecycleOptions, Play, ProfileInput, ProfileOptions,
    RfmOptions, RfmRule, Tiers, ValueVoiceOptions, VoiceRule,
};
use voc_core::stats::ShareInterval;

use crate::convert::{Buf, numbers};
use crate::error::{IntoPy, raise_named};
use crate::matrix::matrix;
use crate::table::{Table, TableBuilder};

/// Registers the segment functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_segment_value_voice, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_rfm, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_lifecycle, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_profile, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_kmeans, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_standardize, m)?)?;
    m.add_function(wrap_pyfunction!(_segment_silhouette, m)?)?;
    m.add_class::<KMeansResult>()?;
    Ok(())
}

/// A float column (nulls as NaN).
fn floats<'py>(obj: &Bound<'py, PyAny>, arg: &'static str) -> PyResult<Buf<'py, f64>> {
    Ok(numbers(obj, arg)?.nulls_as_nan().into_f64())
}

/// Non-negative integer codes (segment or cluster ids).
fn codes(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Vec<u32>> {
    let col = numbers(obj, arg)?;
    let bad = || {
        raise_named(
            obj.py(),
            "InputError",
            format!("{arg} must be non-negative integer codes without nulls"),
            Some(arg),
        )
    };
    if !col.nulls.is_empty() {
        return Err(bad());
    }
    let ints = col.data.into_i64().ok_or_else(bad)?;
    ints.as_slice()
        .iter()
        .map(|&v| u32::try_from(v).map_err(|_| bad()))
        .collect()
}

/// Value × voice: per-row codes and the names, cuts and plays.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (value, columns, quantiles, thresholds, tier_names, rules, fallback, plays))]
fn _segment_value_voice<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    quantiles: Option<Vec<f64>>,
    thresholds: Option<Vec<f64>>,
    tier_names: Vec<String>,
    rules: Option<Vec<(String, String)>>,
    fallback: String,
    plays: Option<Vec<(String, String, String)>>,
) -> PyResult<Bound<'py, PyDict>> {
    let value = floats(value, "value")?;
    let mut cols: Vec<(String, Buf<'py, f64>)> = Vec::new();
    for (k, v) in columns.iter() {
        cols.push((k.extract()?, floats(&v, "voice column")?));
    }
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
    let out = py
        .detach(|| core::value_voice(vs, &named, &opts))
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
    bins: u8,
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
    let out = py.detach(|| core::rfm(rs, fs, ms, &opts)).py_err(py)?;
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
    onboarding_days: f64,
    maturity_days: f64,
    dormant_days: f64,
) -> PyResult<(Bound<'py, PyArray1<u32>>, Vec<&'static str>)> {
    let (t, a) = (floats(tenure, "tenure")?, floats(activity, "activity")?);
    let opts = LifecycleOptions::default()
        .onboarding_days(onboarding_days)
        .maturity_days(maturity_days)
        .dormant_days(dormant_days);
    let (ts, as_) = (t.as_slice(), a.as_slice());
    let stages = py.detach(|| core::lifecycle(ts, as_, &opts)).py_err(py)?;
    let codes: Vec<u32> = stages.iter().map(|s| *s as u32).collect();
    Ok((PyArray1::from_vec(py, codes), core::Stage::NAMES.to_vec()))
}

/// The profile table.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (segment, names, churn, value, nps, themes, confidence, top_themes, churn_interval))]
fn _segment_profile<'py>(
    py: Python<'py>,
    segment: &Bound<'py, PyAny>,
    names: Vec<String>,
    churn: Option<&Bound<'py, PyAny>>,
    value: Option<&Bound<'py, PyAny>>,
    nps: Option<&Bound<'py, PyAny>>,
    themes: &Bound<'py, PyDict>,
    confidence: f64,
    top_themes: usize,
    churn_interval: &str,
) -> PyResult<Table> {
    let seg = codes(segment, "segment")?;
    let churn = churn.map(|c| floats(c, "churn")).transpose()?;
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
    let rows = py.detach(|| core::profile(&input, &opts)).py_err(py)?;
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
    t.strings("segment", &names_col)?;
    t.numbers(
        "size",
        rows.iter().map(|r| r.size as i64).collect::<Vec<_>>(),
    );
    t.numbers("share", col(&|r| r.share));
    t.numbers("churned", col(&|r| r.churned));
    t.numbers("churn_rate", col(&|r| r.churn_rate));
    t.numbers("churn_low", col(&|r| r.churn_ci.map_or(nan, |c| c.low)));
    t.numbers("churn_high", col(&|r| r.churn_ci.map_or(nan, |c| c.high)));
    t.numbers(
        "nps_n",
        rows.iter().map(|r| r.nps_n as i64).collect::<Vec<_>>(),
    );
    t.numbers("nps", col(&|r| r.nps));
    t.numbers("nps_low", col(&|r| r.nps_ci.map_or(nan, |c| c.low)));
    t.numbers("nps_high", col(&|r| r.nps_ci.map_or(nan, |c| c.high)));
    t.numbers("mean_value", col(&|r| r.mean_value));
    t.numbers("total_value", col(&|r| r.total_value));
    t.numbers("revenue_at_risk", col(&|r| r.revenue_at_risk));
    t.strings("top_themes", &themes_col)?;
    Ok(t.finish("segment profile", None))
}

/// A fitted k-means clustering (see `voc.segment.kmeans`).
#[pyclass(frozen, module = "voc._voc")]
pub struct KMeansResult {
    inner: core::KMeans,
}

crate::core_pickled!(KMeansResult, core::KMeans);

#[pymethods]
impl KMeansResult {
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

    /// Nearest centre of each row of `x` (lowest index on a tie).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let arr = matrix(x, "x")?;
        let view = arr.as_array();
        let labels = py.detach(|| self.inner.predict(view)).py_err(py)?;
        Ok(PyArray1::from_vec(
            py,
            labels.into_iter().map(i64::from).collect(),
        ))
    }

    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("labels", self.labels(py))?;
        d.set_item("centers", self.centers(py))?;
        d.set_item("inertia", self.inner.inertia)?;
        d.set_item("n_iter", self.inner.iterations)?;
        d.set_item("converged", self.inner.converged)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "KMeansResult(k={}, rows={}, inertia={:.6}, n_iter={}, converged={})",
            self.inner.k(),
            self.inner.labels.len(),
            self.inner.inertia,
            self.inner.iterations,
            self.inner.converged
        )
    }
}

/// k-means: from given centres (`init`) or k-means++ with `n_init` starts.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (x, k, init, n_init, max_iter, tol, seed, algorithm, parallel))]
fn _segment_kmeans(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    k: usize,
    init: Option<&Bound<'_, PyAny>>,
    n_init: usize,
    max_iter: usize,
    tol: f64,
    seed: u64,
    algorithm: &str,
    parallel: bool,
) -> PyResult<KMeansResult> {
    let arr = matrix(x, "x")?;
    let init_arr = init.map(|i| matrix(i, "init")).transpose()?;
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
    let fit = py
        .detach(|| match init {
            Some(c) => core::kmeans_from(view, c, &opts),
            None => core::kmeans(view, &opts),
        })
        .py_err(py)?;
    Ok(KMeansResult { inner: fit })
}

/// z-scores per column with the means and scales.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn _segment_standardize<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<f64>, Vec<f64>)> {
    let arr = matrix(x, "x")?;
    let view = arr.as_array();
    let (z, s) = py.detach(|| core::standardize(view)).py_err(py)?;
    Ok((PyArray2::from_owned_array(py, z), s.means, s.scales))
}

/// Mean silhouette coefficient.
#[pyfunction]
fn _segment_silhouette(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let arr = matrix(x, "x")?;
    let view = arr.as_array();
    let labels = codes(labels, "labels")?;
    py.detach(|| core::silhouette_score(view, &labels))
        .py_err(py)
}
