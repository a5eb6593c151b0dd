//! Bindings: theme impact on a score (removal impact, Shapley values, per-theme scores) and the
//! mix / rate decomposition of a score change. The roles are resolved and converted here; the math is
//! `voc_core::impact::score_themes`.

use numpy::ndarray::ArrayView1;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use voc_core::impact::score_themes::{
    self as core, NO_GROUP, ScoreChange, ScoreMetric, ScoreThemeImpact, ScoreThemeOptions,
    ShapleyMethod, ThemeColumn,
};
use voc_core::stats::Interval;

use crate::convert::{self, Buf, Numbers, missing_policy, numbers_or_bools as numbers};
use crate::error::IntoPy;
use crate::table::TableBuilder;

/// Registers this part of `voc.impact`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ThemeScoreImpactResult>()?;
    m.add_class::<ScoreChangeResult>()?;
    m.add_function(wrap_pyfunction!(_impact_theme_score_impact, m)?)?;
    m.add_function(wrap_pyfunction!(_impact_score_change, m)?)?;
    Ok(())
}

/// One theme column as read: bytes (booleans) and integers in place, anything else as floats.
enum Held<'py> {
    Bytes(Buf<'py, u8>),
    Ints(Buf<'py, i64>),
    Floats(Buf<'py, f64>),
}

/// The theme columns and their names: separate columns of a table, or one matrix.
struct Themes<'py> {
    names: Vec<String>,
    columns: Vec<Held<'py>>,
    matrix: Option<numpy::PyReadonlyArray2<'py, f64>>,
}

impl Themes<'_> {
    /// The columns as the core reads them (no copy).
    fn view(&self) -> Vec<ThemeColumn<'_>> {
        if let Some(m) = &self.matrix {
            let a = m.as_array();
            return (0..a.ncols())
                .map(|j| ThemeColumn::F64(a.index_axis_move(numpy::ndarray::Axis(1), j)))
                .collect();
        }
        self.columns
            .iter()
            .map(|c| match c {
                Held::Bytes(b) => ThemeColumn::U8(b.as_slice()),
                Held::Ints(b) => ThemeColumn::I64(b.as_slice()),
                Held::Floats(b) => ThemeColumn::F64(ArrayView1::from(b.as_slice())),
            })
            .collect()
    }
}

/// Reads one named theme column (a column of a table role: errors name the column).
fn held<'py>(py: Python<'py>, name: &str, col: &Bound<'py, PyAny>) -> PyResult<Held<'py>> {
    let c = numbers(col, "themes").map_err(|e| convert::column_error(py, e, "themes", name))?;
    if !c.nulls.is_empty() {
        return Ok(Held::Floats(c.nulls_as_nan().into_f64()));
    }
    Ok(match c.data {
        Numbers::U8(b) => Held::Bytes(b),
        Numbers::I64(b) => Held::Ints(b),
        other => Held::Floats(other.into_f64()),
    })
}

/// The theme columns and names. `themes` is a column prefix of `data` (every column starting with
/// it, named by the rest), a list of column names of `data` (or columns), or itself a table of
/// indicator columns (e.g. `ThemeMatcher.indicators(texts)`) or a 2-D array (themes named by their
/// column number, read by the one matrix reader).
fn theme_columns<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    themes: &Bound<'py, PyAny>,
) -> PyResult<Themes<'py>> {
    let named: Vec<(String, Bound<'py, PyAny>)> = if themes.is_instance_of::<PyString>() {
        let Some(data) = data else {
            return Err(voc_core::Error::option(
                "themes",
                format!("{:?}", convert::text_of(themes, "themes")?),
                "a column prefix needs `data`; pass the indicator table itself",
            ))
            .py_err(py);
        };
        super::theme::theme_columns(data, themes, &[])?
    } else if themes.is_instance_of::<PyList>() || themes.is_instance_of::<PyTuple>() {
        let (names, cols) = convert::role_list(data, themes, "themes")?;
        names.into_iter().zip(cols).collect()
    } else if themes.cast::<numpy::PyUntypedArray>().is_err()
        && let Some((names, cols)) = crate::matrix::table_columns(themes)?
    {
        names.into_iter().zip(cols).collect()
    } else {
        let (m, _) = crate::matrix::matrix_named(themes, "themes")?;
        let k = m.as_array().ncols();
        return Ok(Themes {
            names: (0..k).map(|j| j.to_string()).collect(),
            columns: Vec::new(),
            matrix: Some(m),
        });
    };
    let mut names = Vec::with_capacity(named.len());
    let mut columns = Vec::with_capacity(named.len());
    for (name, col) in &named {
        columns.push(held(py, name, col)?);
        names.push(name.clone());
    }
    Ok(Themes {
        names,
        columns,
        matrix: None,
    })
}

/// The options shared by both functions.
#[allow(clippy::too_many_arguments)]
fn options(
    py: Python<'_>,
    metric: &str,
    satisfied_from: f64,
    resamples: usize,
    seed: u64,
    confidence: f64,
    missing: &str,
) -> PyResult<ScoreThemeOptions> {
    Ok(ScoreThemeOptions::default()
        .metric(metric.parse::<ScoreMetric>().py_err(py)?)
        .satisfied_from(satisfied_from)
        .resamples(resamples)
        .seed(seed)
        .confidence(confidence)
        .missing(missing_policy(missing).py_err(py)?))
}

/// The score column as floats (nulls as NaN).
fn scores_of<'py>(
    data: Option<&Bound<'py, PyAny>>,
    scores: &Bound<'py, PyAny>,
) -> PyResult<Buf<'py, f64>> {
    let col = convert::given(data, scores, "scores")?;
    Ok(numbers(&col, "scores")?.nulls_as_nan().into_f64())
}

fn low(ci: Option<Interval>) -> f64 {
    ci.map_or(f64::NAN, |c| c.low)
}

fn high(ci: Option<Interval>) -> f64 {
    ci.map_or(f64::NAN, |c| c.high)
}

fn nan(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// Theme impact on a score.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, scores, themes, metric, satisfied_from, resamples, shapley, permutations, seed, confidence, missing))]
fn _impact_theme_score_impact<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    scores: &Bound<'py, PyAny>,
    themes: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] metric: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] satisfied_from: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] resamples: usize,
    #[pyo3(from_py_with = crate::convert_args::text)] shapley: &str,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] permutations: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<ThemeScoreImpactResult> {
    let data = data.filter(|d| !d.is_none());
    let opts = options(
        py,
        metric,
        satisfied_from,
        resamples,
        seed,
        confidence,
        missing,
    )?
    .shapley(shapley.parse::<ShapleyMethod>().py_err(py)?)
    .permutations(permutations);
    // Integer scores without nulls are read in place (no float copy of the column).
    let col = convert::given(data, scores, "scores")?;
    let c = numbers(&col, "scores")?;
    let scores = match c.data {
        Numbers::I64(b) if c.nulls.is_empty() => Err(b),
        _ => Ok(c.nulls_as_nan().into_f64()),
    };
    let themes = theme_columns(py, data, themes)?;
    let cols = themes.view();
    let refs: Vec<&str> = themes.names.iter().map(String::as_str).collect();
    let scores: Result<&[f64], &[i64]> = match &scores {
        Ok(f) => Ok(f.as_slice()),
        Err(i) => Err(i.as_slice()),
    };
    let r = crate::guard::detach(py, "voc.impact.theme_score_impact", || match scores {
        Ok(f) => core::theme_score_impact_columns(f, &cols, &refs, &opts),
        Err(i) => core::theme_score_impact_int_columns(i, &cols, &refs, &opts),
    })
    .py_err(py)?;
    impact_result(py, &r)
}

fn impact_result(py: Python<'_>, r: &ScoreThemeImpact) -> PyResult<ThemeScoreImpactResult> {
    let t = &r.themes;
    let mut b = TableBuilder::new(py);
    let labels: Vec<Option<&str>> = t.iter().map(|x| Some(x.theme.as_str())).collect();
    b.strings("theme", &labels)?;
    b.field("mentions", t, |x| x.mentions);
    b.field("rest", t, |x| r.n - x.mentions);
    b.field("share", t, |x| x.share);
    b.field("score_mentioned", t, |x| nan(x.score_mentioned));
    b.field("score_mentioned_ci_low", t, |x| low(x.score_mentioned_ci));
    b.field("score_mentioned_ci_high", t, |x| high(x.score_mentioned_ci));
    b.field("score_rest", t, |x| nan(x.score_rest));
    b.field("score_rest_ci_low", t, |x| low(x.score_rest_ci));
    b.field("score_rest_ci_high", t, |x| high(x.score_rest_ci));
    b.field("difference", t, |x| nan(x.difference));
    b.field("difference_ci_low", t, |x| low(x.difference_ci));
    b.field("difference_ci_high", t, |x| high(x.difference_ci));
    b.field("p_value", t, |x| nan(x.p_value));
    b.field("p_adjusted", t, |x| nan(x.p_adjusted));
    b.field("removal_impact", t, |x| nan(x.removal_impact));
    b.field("removal_ci_low", t, |x| low(x.removal_ci));
    b.field("removal_ci_high", t, |x| high(x.removal_ci));
    b.field("shapley", t, |x| nan(x.shapley));
    b.field("shapley_se", t, |x| nan(x.shapley_se));
    ThemeScoreImpactResult::new(
        py,
        b.finish("theme_score_impact", None),
        r.metric.name().to_owned(),
        r.score,
        r.score_no_theme,
        r.n,
        r.n_missing,
        r.n_no_theme,
        r.shapley_method.name().to_owned(),
        r.permutations as u64,
        r.resamples as u64,
        r.seed,
        r.confidence,
    )
}

/// Why the score moved.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (data, scores, themes, by, metric, satisfied_from, resamples, seed, confidence, missing))]
fn _impact_score_change<'py>(
    py: Python<'py>,
    data: Option<&Bound<'py, PyAny>>,
    scores: &Bound<'py, PyAny>,
    themes: &Bound<'py, PyAny>,
    by: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = crate::convert_args::text)] metric: &str,
    #[pyo3(from_py_with = crate::convert_args::real)] satisfied_from: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] resamples: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<ScoreChangeResult> {
    let data = data.filter(|d| !d.is_none());
    let opts = options(
        py,
        metric,
        satisfied_from,
        resamples,
        seed,
        confidence,
        missing,
    )?;
    let scores = scores_of(data, scores)?;
    let themes = theme_columns(py, data, themes)?;
    let by = convert::given(data, by, "by")?;
    let groups = convert::groups(&by, "by")?;
    let labels = groups.data.labels.clone();
    let mut codes = groups.data.codes.into_dense();
    for &i in &groups.nulls {
        if let Some(c) = codes.get_mut(i) {
            *c = NO_GROUP;
        }
    }
    let cols = themes.view();
    let refs: Vec<&str> = themes.names.iter().map(String::as_str).collect();
    let scores = scores.as_slice();
    let r = crate::guard::detach(py, "voc.impact.score_change", || {
        core::score_change_columns(scores, &cols, &refs, &codes, &opts)
    })
    .py_err(py)?;
    change_result(py, &r, &labels)
}

fn change_result(
    py: Python<'_>,
    r: &ScoreChange,
    labels: &convert::Labels,
) -> PyResult<ScoreChangeResult> {
    let rows: Vec<(&core::ChangePair, &core::ChangePart)> = r
        .pairs
        .iter()
        .flat_map(|p| p.parts.iter().map(move |x| (p, x)))
        .collect();
    let mut b = TableBuilder::new(py);
    let before: Vec<usize> = rows.iter().map(|(p, _)| p.before as usize).collect();
    let after: Vec<usize> = rows.iter().map(|(p, _)| p.after as usize).collect();
    labels.column(&mut b, "before", &before)?;
    labels.column(&mut b, "after", &after)?;
    let themes: Vec<Option<&str>> = rows.iter().map(|(_, x)| x.theme.as_deref()).collect();
    b.strings("theme", &themes)?;
    b.field("share_before", &rows, |(_, x)| x.share_before);
    b.field("share_after", &rows, |(_, x)| x.share_after);
    b.field("score_before", &rows, |(_, x)| nan(x.score_before));
    b.field("score_after", &rows, |(_, x)| nan(x.score_after));
    b.field("mix", &rows, |(_, x)| x.mix);
    b.field("mix_ci_low", &rows, |(_, x)| low(x.mix_ci));
    b.field("mix_ci_high", &rows, |(_, x)| high(x.mix_ci));
    b.field("rate", &rows, |(_, x)| x.rate);
    b.field("rate_ci_low", &rows, |(_, x)| low(x.rate_ci));
    b.field("rate_ci_high", &rows, |(_, x)| high(x.rate_ci));
    b.field("total", &rows, |(_, x)| x.total);
    b.field("total_ci_low", &rows, |(_, x)| low(x.total_ci));
    b.field("total_ci_high", &rows, |(_, x)| high(x.total_ci));
    b.field("change", &rows, |(p, _)| p.change);
    let last = r.pairs.last();
    ScoreChangeResult::new(
        py,
        b.finish("score_change", None),
        r.metric.name().to_owned(),
        last.map_or(f64::NAN, |p| p.score_before),
        last.map_or(f64::NAN, |p| p.score_after),
        last.map_or(f64::NAN, |p| p.change),
        last.and_then(|p| p.change_ci).map(|c| c.low),
        last.and_then(|p| p.change_ci).map(|c| c.high),
        r.n,
        r.n_missing,
        r.resamples as u64,
        r.seed,
        r.confidence,
    )
}

crate::table_result_class!(
    /// Theme impact on a score (`voc.impact.theme_score_impact`): the `table` (one row per theme:
    /// `mentions`, `rest` (answers that do not mention it), `share`, the score among the answers that mention it and among the rest with
    /// intervals, their `difference` with Welch's interval and `p_value` (`p_adjusted`: Holm),
    /// `removal_impact` with its bootstrap interval, `shapley` and its Monte Carlo `shapley_se`) and
    /// the headline numbers.
    ThemeScoreImpactResult {
        /// "nps", "csat", "ces" or "mean".
        metric: String,
        /// Score of all answers used.
        score: f64,
        /// Score of the answers that mention no theme (None when every answer mentions one); the
        /// Shapley values add up to score − score_no_theme.
        score_no_theme: Option<f64>,
        /// Answers used.
        n: u64,
        /// Answers left out (`missing="skip"`).
        n_missing: u64,
        /// Answers that mention no theme.
        n_no_theme: u64,
        /// "exact" or "permutation".
        shapley_method: String,
        /// Permutations drawn (0 when exact).
        permutations: u64,
        /// Bootstrap resamples (0: no removal intervals).
        resamples: u64,
        /// Seed of the bootstrap and the permutations.
        seed: u64,
        /// Level of every interval.
        confidence: f64,
    }
);

crate::table_result_class!(
    /// Why the score moved (`voc.impact.score_change`): the `table` (one row per pair of consecutive
    /// groups and theme, the answers mentioning no theme last with `theme` None: shares and scores
    /// before and after, `mix`, `rate` and `total` with bootstrap intervals, and the pair's `change`)
    /// and the latest change (the last pair) as headline numbers.
    ScoreChangeResult {
        /// "nps", "csat", "ces" or "mean".
        metric: String,
        /// Score before, in the last pair.
        score_before: f64,
        /// Score after, in the last pair.
        score_after: f64,
        /// score_after − score_before, in the last pair (= Σ of its rows' `total`).
        change: f64,
        /// Lower end of the change's bootstrap interval (None without resamples).
        ci_low: Option<f64>,
        /// Upper end (None without resamples).
        ci_high: Option<f64>,
        /// Answers used.
        n: u64,
        /// Answers left out (`missing="skip"`).
        n_missing: u64,
        /// Bootstrap resamples (0: no intervals).
        resamples: u64,
        /// Seed of the bootstrap.
        seed: u64,
        /// Level of every interval.
        confidence: f64,
    }
);
