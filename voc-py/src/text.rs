//! `voc.text`: theme matching, mention rates and alerts, top negative keywords, sentiment, reason shares
//! and topic discovery. Texts come as lists, numpy arrays, or pandas / polars / pyarrow string columns.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use pyo3_arrow::input::AnyArray;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use voc_core::stats::{Adjustment, ShareInterval};
use voc_core::text::{
    self as core, MentionCounts, MentionOptions, Normalizer, SentimentLang, Sets, Taxonomy,
};
use voc_core::time::Period;
use voc_core::{Error, Fit};

use crate::convert::{self, Labels};
use crate::error::{BindError, IntoPy};
use crate::table::{Columns, Table, Value};

/// Registers the text functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ThemeMatcher>()?;
    m.add_function(wrap_pyfunction!(text_normalize, m)?)?;
    m.add_function(wrap_pyfunction!(text_polarity, m)?)?;
    m.add_function(wrap_pyfunction!(text_sentiment, m)?)?;
    m.add_function(wrap_pyfunction!(text_reason_shares, m)?)?;
    m.add_function(wrap_pyfunction!(text_sample_tickets, m)?)?;
    m.add_function(wrap_pyfunction!(text_topics, m)?)?;
    m.add_class::<TopicModel>()?;
    m.add_class::<MentionState>()?;
    m.add("DEFAULT_RETAIL_TAXONOMY", core::DEFAULT_RETAIL)?;
    Ok(())
}

/// Texts read from a Python column; nulls (None, NaN, Arrow nulls) read as empty texts.
pub struct Texts {
    data: TextData,
    /// Sorted positions of nulls.
    pub nulls: Vec<usize>,
}

enum TextData {
    Owned(Vec<String>),
    Arrow(Vec<ArrayRef>),
}

impl Texts {
    /// The texts as string slices ("" for nulls).
    pub fn strs(&self) -> Vec<&str> {
        match &self.data {
            TextData::Owned(v) => v.iter().map(String::as_str).collect(),
            TextData::Arrow(chunks) => {
                let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
                for c in chunks {
                    for i in 0..c.len() {
                        out.push(string_at(c, i).unwrap_or(""));
                    }
                }
                out
            }
        }
    }
}

fn string_at(values: &ArrayRef, i: usize) -> Option<&str> {
    if values.is_null(i) {
        return None;
    }
    match values.data_type() {
        DataType::Utf8 => Some(values.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(values.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(values.as_string_view().value(i)),
        _ => None,
    }
}

fn dtype_err(py: Python<'_>, arg: &'static str, found: String) -> PyErr {
    crate::error::to_py(
        py,
        BindError::Dtype {
            arg,
            found,
            expected: "text (str)",
        },
    )
}

/// Reads a text column: Arrow string columns (polars, pyarrow, pandas string[pyarrow]) without a Python
/// object per row; lists, numpy arrays and object columns item by item.
pub fn texts(obj: &Bound<'_, PyAny>, arg: &'static str) -> PyResult<Texts> {
    let py = obj.py();
    if obj.is_instance_of::<PyString>() {
        return Err(dtype_err(
            py,
            arg,
            "str (a single text; pass a list of texts)".into(),
        ));
    }
    let is_numpy = obj.hasattr("__array_interface__").unwrap_or(false);
    let exports = !is_numpy
        && (obj.hasattr("__arrow_c_stream__").unwrap_or(false)
            || obj.hasattr("__arrow_c_array__").unwrap_or(false));
    if exports
        && let Ok(any) = obj.extract::<AnyArray>()
        && let Ok(chunked) = any.into_chunked_array()
    {
        let (chunks, field) = chunked.into_inner();
        match field.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                let mut nulls = Vec::new();
                let mut base = 0;
                for c in &chunks {
                    for i in 0..c.len() {
                        if c.is_null(i) {
                            nulls.push(base + i);
                        }
                    }
                    base += c.len();
                }
                return Ok(Texts {
                    data: TextData::Arrow(chunks),
                    nulls,
                });
            }
            DataType::Null => {
                let n: usize = chunks.iter().map(|c| c.len()).sum();
                return Ok(Texts {
                    data: TextData::Owned(vec![String::new(); n]),
                    nulls: (0..n).collect(),
                });
            }
            DataType::Dictionary(..) | DataType::LargeBinary | DataType::Binary => {}
            other => return Err(dtype_err(py, arg, format!("arrow {other}"))),
        }
    }
    // Object columns and sequences, item by item.
    let seq = if obj.hasattr("tolist").unwrap_or(false) {
        obj.call_method0("tolist")?
    } else {
        obj.clone()
    };
    let mut out = Vec::new();
    let mut nulls = Vec::new();
    let iter = seq.try_iter().map_err(|_| {
        dtype_err(
            py,
            arg,
            seq.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )
    })?;
    for (i, item) in iter.enumerate() {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push(s.to_str()?.to_owned());
        } else if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            nulls.push(i);
            out.push(String::new());
        } else {
            let t = item.get_type().name()?.to_string();
            return Err(dtype_err(py, arg, format!("{t} at position {i}")));
        }
    }
    Ok(Texts {
        data: TextData::Owned(out),
        nulls,
    })
}

fn lang_of(py: Python<'_>, lang: &str) -> PyResult<SentimentLang> {
    lang.parse::<SentimentLang>().py_err(py)
}

/// A compiled theme taxonomy: keyword patterns (Chinese and English) with exclusions, matched by one
/// Aho–Corasick automaton. Build it with `voc.text.themes()`.
#[pyclass(frozen, module = "voc._voc")]
pub struct ThemeMatcher {
    inner: core::ThemeMatcher,
}

type ThemeSpec = (String, String, Vec<String>, Vec<String>);

impl ThemeMatcher {
    /// Theme sets of `texts` counted per channel × period (the shared first half of `mention_rates`).
    #[allow(clippy::too_many_arguments)]
    fn count_mentions(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        channel: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        period: Option<&str>,
        rollup: bool,
        missing: &str,
    ) -> PyResult<MentionData> {
        let policy = convert::missing_policy(missing).py_err(py)?;
        let period = match (period, time.is_some()) {
            (Some(p), true) => Some(p.parse::<Period>().py_err(py)?),
            (None, true) => Some(Period::Month),
            (Some(_), false) => {
                return Err(Error::InvalidOption {
                    name: "time",
                    value: "None".into(),
                    reason: "period= needs time= (one timestamp per text)".into(),
                })
                .py_err(py);
            }
            (None, false) => None,
        };
        let t = self::texts(texts, "texts")?;
        let n = t.strs().len();
        let ch = channel.map(|c| convert::groups(c, "channel")).transpose()?;
        let tm = time.map(|x| convert::times(x, "time")).transpose()?;
        let mut time_nulls: Vec<usize> = Vec::new();
        let periods: Option<Vec<i64>> = match (&tm, period) {
            (Some(x), Some(p)) => {
                let v = x.data.values.as_slice();
                voc_core_check_len(py, n, "time", v.len())?;
                time_nulls = x.nulls.clone();
                time_nulls.extend(
                    v.iter()
                        .enumerate()
                        .filter(|&(_, &t)| t == i64::MIN)
                        .map(|(i, _)| i),
                );
                time_nulls.sort_unstable();
                time_nulls.dedup();
                Some(
                    v.iter()
                        .map(|&s| {
                            if s == i64::MIN {
                                0
                            } else {
                                p.index(x.data.unit.day(s))
                            }
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        let ch_nulls: Vec<usize> = ch.as_ref().map(|c| c.nulls.clone()).unwrap_or_default();
        convert::check_nulls(
            policy,
            &[
                ("texts", &t.nulls),
                ("channel", &ch_nulls),
                ("time", &time_nulls),
            ],
        )
        .py_err(py)?;
        let (labels, codes): (Option<Labels>, Option<Vec<u32>>) = match ch {
            Some(c) => (Some(c.data.labels), Some(c.data.codes.into_dense())),
            None => (None, None),
        };
        if let Some(c) = &codes {
            voc_core_check_len(py, n, "channel", c.len())?;
        }
        let mut keep = vec![true; n];
        for &i in t.nulls.iter().chain(&ch_nulls).chain(&time_nulls) {
            if let Some(k) = keep.get_mut(i) {
                *k = false;
            }
        }
        let dropped = keep.iter().filter(|&&k| !k).count();
        let strs = t.strs();
        let parents: Vec<Option<usize>> = self
            .inner
            .taxonomy()
            .themes()
            .iter()
            .map(|x| x.parent)
            .collect();
        let counts = py
            .detach(|| {
                let (strs, codes, periods) = if dropped > 0 {
                    (
                        convert::compact_slice(&strs, &keep),
                        codes.as_deref().map(|c| convert::compact_slice(c, &keep)),
                        periods.as_deref().map(|p| convert::compact_slice(p, &keep)),
                    )
                } else {
                    (strs, codes, periods)
                };
                let sets = self.inner.themes_batch(&strs, rollup);
                let mut counts = MentionCounts::new(parents.len());
                counts.update(&sets, codes.as_deref(), periods.as_deref())?;
                Ok::<_, Error>(counts)
            })
            .py_err(py)?;
        let themes = self
            .inner
            .taxonomy()
            .themes()
            .iter()
            .map(|x| (x.id.clone(), x.label.clone()))
            .collect();
        Ok(MentionData {
            themes,
            parents,
            period: period.map(|p| p.name().to_owned()),
            channels: labels.map(|l| match l {
                Labels::Int(v) => ChannelNames::Int(v),
                Labels::Str(v) => ChannelNames::Str(v),
            }),
            dropped: dropped as u64,
            counts,
        })
    }

    fn sets(&self, py: Python<'_>, strs: &[&str], rollup: bool) -> Sets {
        py.detach(|| self.inner.themes_batch(strs, rollup))
    }

    fn id(&self, t: u32) -> String {
        self.inner.theme_id(t as usize).to_owned()
    }
}

#[pymethods]
impl ThemeMatcher {
    /// Compiles themes given as `(id, label, keywords, exclude)` tuples (parents first; dotted ids make
    /// a hierarchy), or the default retail taxonomy when `themes` is None, or the taxonomy text format
    /// when `themes` is a str.
    #[new]
    #[pyo3(signature = (themes=None, *, lowercase=true, width=true))]
    fn new(
        py: Python<'_>,
        themes: Option<&Bound<'_, PyAny>>,
        lowercase: bool,
        width: bool,
    ) -> PyResult<Self> {
        let taxonomy = match themes {
            None => Taxonomy::parse(core::DEFAULT_RETAIL).py_err(py)?,
            Some(t) if t.is_instance_of::<PyString>() => {
                Taxonomy::parse(t.extract::<&str>()?).py_err(py)?
            }
            Some(t) => {
                let specs: Vec<ThemeSpec> = t.extract()?;
                let mut tax = Taxonomy::new();
                for (id, label, kw, ex) in &specs {
                    let kw: Vec<&str> = kw.iter().map(String::as_str).collect();
                    let ex: Vec<&str> = ex.iter().map(String::as_str).collect();
                    tax.add(id, label, &kw, &ex).py_err(py)?;
                }
                tax
            }
        };
        let normalizer = Normalizer { lowercase, width };
        let inner = py
            .detach(|| core::ThemeMatcher::with_normalizer(taxonomy, normalizer))
            .py_err(py)?;
        Ok(ThemeMatcher { inner })
    }

    /// Theme ids, in taxonomy order (parents before children).
    #[getter]
    fn themes(&self) -> Vec<String> {
        self.inner
            .taxonomy()
            .themes()
            .iter()
            .map(|t| t.id.clone())
            .collect()
    }

    /// Themes as `(id, label, keywords, exclude)` tuples (what the constructor takes).
    fn spec(&self) -> Vec<ThemeSpec> {
        self.inner
            .taxonomy()
            .themes()
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    t.label.clone(),
                    t.keywords.clone(),
                    t.exclude.clone(),
                )
            })
            .collect()
    }

    /// The taxonomy as a table: id, label, parent, depth, keywords, exclude.
    fn taxonomy<'py>(&self, py: Python<'py>) -> PyResult<Table> {
        let tax = self.inner.taxonomy();
        let mut cols = Columns::default();
        for (i, t) in tax.themes().iter().enumerate() {
            cols.push(vec![
                ("theme", Value::from(t.id.as_str())),
                ("label", Value::from(t.label.as_str())),
                (
                    "parent",
                    Value::Str(t.parent.map(|p| tax.themes()[p].id.clone())),
                ),
                ("depth", Value::U64(tax.depth(i) as u64)),
                ("keywords", Value::from(t.keywords.join(", "))),
                ("exclude", Value::from(t.exclude.join(", "))),
            ]);
        }
        cols.into_table(py, "taxonomy".into(), None)
    }

    /// Matches in one text: a list of `(theme, keyword, start, end)`, character offsets into `text`.
    fn find(&self, text: &str) -> Vec<(String, String, usize, usize)> {
        self.inner
            .find(text)
            .into_iter()
            .map(|m| {
                let kw = self
                    .inner
                    .keyword(m.keyword as usize)
                    .map(|k| k.pattern.clone())
                    .unwrap_or_default();
                (self.id(m.theme), kw, m.start, m.end)
            })
            .collect()
    }

    /// Every match in many texts: one row per match with the text's position, theme, keyword pattern,
    /// character offsets and the matched text.
    fn matches(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Table> {
        let t = self::texts(texts, "texts")?;
        let strs = t.strs();
        let found = py.detach(|| self.inner.find_batch(&strs));
        let n = found.len();
        let mut row = Vec::with_capacity(n);
        let mut theme = Vec::with_capacity(n);
        let mut keyword = Vec::with_capacity(n);
        let mut start = Vec::with_capacity(n);
        let mut end = Vec::with_capacity(n);
        let mut matched = Vec::with_capacity(n);
        let ids = self.themes();
        // Byte position of every character of the current text (matches come in text order).
        let mut cur = usize::MAX;
        let mut bounds: Vec<usize> = Vec::new();
        for (i, m) in found {
            row.push(i as i64);
            theme.push(ids.get(m.theme as usize).cloned().unwrap_or_default());
            keyword.push(
                self.inner
                    .keyword(m.keyword as usize)
                    .map(|k| k.pattern.clone())
                    .unwrap_or_default(),
            );
            start.push(m.start as i64);
            end.push(m.end as i64);
            let text = strs.get(i).copied().unwrap_or("");
            if i != cur {
                cur = i;
                bounds.clear();
                bounds.extend(text.char_indices().map(|(b, _)| b));
                bounds.push(text.len());
            }
            let piece = match (bounds.get(m.start), bounds.get(m.end)) {
                (Some(&a), Some(&b)) => text.get(a..b).unwrap_or(""),
                _ => "",
            };
            matched.push(piece.to_owned());
        }
        let names = ["text", "theme", "keyword", "start", "end", "matched"]
            .map(String::from)
            .to_vec();
        let cols: Vec<Py<PyAny>> = vec![
            PyArray1::from_vec(py, row).into_any().unbind(),
            PyList::new(py, theme)?.into_any().unbind(),
            PyList::new(py, keyword)?.into_any().unbind(),
            PyArray1::from_vec(py, start).into_any().unbind(),
            PyArray1::from_vec(py, end).into_any().unbind(),
            PyList::new(py, matched)?.into_any().unbind(),
        ];
        Ok(Table::from_columns(
            "theme matches".into(),
            names,
            cols,
            n,
            None,
        ))
    }

    /// Themes of each text as a list of lists of theme ids (`rollup`: parents of matched themes too).
    #[pyo3(signature = (texts, *, rollup=true))]
    fn tag<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        rollup: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let t = self::texts(texts, "texts")?;
        let strs = t.strs();
        let sets = self.sets(py, &strs, rollup);
        // One Python string per theme, shared by every row.
        let ids: Vec<Bound<'py, PyString>> =
            self.themes().iter().map(|s| PyString::new(py, s)).collect();
        let out = PyList::empty(py);
        for i in 0..sets.len() {
            let row = PyList::new(py, sets.row(i).iter().filter_map(|&x| ids.get(x as usize)))?;
            out.append(row)?;
        }
        Ok(out)
    }

    /// One 0/1 indicator column per theme (a table with one row per text).
    #[pyo3(signature = (texts, *, rollup=true))]
    fn indicators(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        rollup: bool,
    ) -> PyResult<Table> {
        let t = self::texts(texts, "texts")?;
        let strs = t.strs();
        let sets = self.sets(py, &strs, rollup);
        let k = self.inner.n_themes();
        let mut cols = vec![vec![false; sets.len()]; k];
        for i in 0..sets.len() {
            for &x in sets.row(i) {
                if let Some(c) = cols.get_mut(x as usize) {
                    c[i] = true;
                }
            }
        }
        let columns = cols
            .into_iter()
            .map(|c| PyArray1::from_vec(py, c).into_any().unbind())
            .collect();
        Ok(Table::from_columns(
            "theme indicators".into(),
            self.themes(),
            columns,
            sets.len(),
            None,
        ))
    }

    /// Mention rate of every theme per channel × period: texts, mentions, rate with its interval
    /// (Wilson by default), share of voice among sibling themes, change from the previous period with
    /// a two-proportion z-test, p-values adjusted over the table (`adjust="holm"`, "bh" or None) and the
    /// alert rule (rate rose, adjusted p < `alert_alpha`, at least `min_mentions` mentions).
    #[pyo3(signature = (texts, *, channel=None, time=None, period=None, rollup=true, confidence=0.95,
        interval="wilson", alert_alpha=0.01, adjust=Some("holm"), min_mentions=5, missing="error"),
        text_signature = "(self, texts, *, channel=None, time=None, period=None, rollup=True, confidence=0.95, interval='wilson', alert_alpha=0.01, adjust='holm', min_mentions=5, missing='error')")]
    #[allow(clippy::too_many_arguments)]
    fn mention_rates(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        channel: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        period: Option<&str>,
        rollup: bool,
        confidence: f64,
        interval: &str,
        alert_alpha: f64,
        adjust: Option<&str>,
        min_mentions: u64,
        missing: &str,
    ) -> PyResult<Table> {
        let opts = mention_options(py, confidence, interval, alert_alpha, adjust, min_mentions)?;
        self.count_mentions(py, texts, channel, time, period, rollup, missing)?
            .table(py, &opts, adjust)
    }

    /// Mergeable mention counts of `texts` (same arguments as `mention_rates`): a
    /// :class:`MentionState` to merge with the states of other batches or workers and finish into the
    /// same table `mention_rates` gives on all the texts at once.
    #[pyo3(signature = (texts, *, channel=None, time=None, period=None, rollup=true, missing="error"),
        text_signature = "(self, texts, *, channel=None, time=None, period=None, rollup=True, missing='error')")]
    #[allow(clippy::too_many_arguments)]
    fn mention_state(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        channel: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        period: Option<&str>,
        rollup: bool,
        missing: &str,
    ) -> PyResult<MentionState> {
        let data = self.count_mentions(py, texts, channel, time, period, rollup, missing)?;
        Ok(MentionState {
            inner: Mutex::new(data),
        })
    }

    /// Top keywords among negative texts: for each keyword, negative texts mentioning it, all texts
    /// mentioning it, its share of negative texts with an interval, and the share of its texts that are
    /// negative. `negative` is a boolean column; when None, a text is negative when its sentiment
    /// compound is at most `threshold` (VADER's convention −0.05).
    #[pyo3(signature = (texts, *, negative=None, lang="auto", threshold=-0.05, top=20, confidence=0.95, interval="wilson"),
        text_signature = "(self, texts, *, negative=None, lang='auto', threshold=-0.05, top=20, confidence=0.95, interval='wilson')")]
    #[allow(clippy::too_many_arguments)]
    fn top_keywords(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        negative: Option<Vec<bool>>,
        lang: &str,
        threshold: f64,
        top: usize,
        confidence: f64,
        interval: &str,
    ) -> PyResult<Table> {
        let method = interval.parse::<ShareInterval>().py_err(py)?;
        let lang = lang_of(py, lang)?;
        if !threshold.is_finite() {
            return Err(Error::InvalidOption {
                name: "threshold",
                value: threshold.to_string(),
                reason: "must be finite".into(),
            })
            .py_err(py);
        }
        let t = self::texts(texts, "texts")?;
        let strs = t.strs();
        if let Some(neg) = &negative {
            voc_core_check_len(py, strs.len(), "negative", neg.len())?;
        }
        let nk = self.inner.keywords().len();
        let rows = py
            .detach(|| {
                let neg = negative.unwrap_or_else(|| {
                    core::polarity_batch(&strs, lang)
                        .iter()
                        .map(|p| p.compound <= threshold)
                        .collect()
                });
                let kw = self.inner.keywords_batch(&strs);
                core::top_keywords(&kw, nk, &neg, top, confidence, method)
            })
            .py_err(py)?;
        let mut cols = Columns::default();
        for r in rows {
            let k = self.inner.keyword(r.keyword as usize);
            cols.push(vec![
                ("keyword", Value::from(k.map_or("", |k| k.pattern.as_str()))),
                (
                    "theme",
                    Value::from(k.map_or(String::new(), |k| self.id(k.theme))),
                ),
                ("negative_mentions", Value::U64(r.negative_mentions)),
                ("mentions", Value::U64(r.mentions)),
                (
                    "share_of_negative",
                    Value::F64(r.share_of_negative.estimate),
                ),
                ("ci_low", Value::F64(r.share_of_negative.ci.low)),
                ("ci_high", Value::F64(r.share_of_negative.ci.high)),
                ("negative_rate", Value::F64(r.negative_rate)),
            ]);
        }
        cols.into_table(py, "top negative keywords".into(), None)
    }

    /// Clause-level sentiment of each theme in each text: one row per (text, theme) with the mean
    /// compound of the clauses that mention it.
    #[pyo3(signature = (texts, *, lang="auto"))]
    fn theme_sentiment(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        lang: &str,
    ) -> PyResult<Table> {
        let lang = lang_of(py, lang)?;
        let t = self::texts(texts, "texts")?;
        let strs = t.strs();
        let rows: Vec<(usize, core::ThemeSentiment)> = py.detach(|| {
            let mut out = Vec::new();
            let mut scratch = core::Scratch::default();
            let mut found = Vec::new();
            for (i, s) in strs.iter().enumerate() {
                self.inner.find_with(s, &mut scratch, &mut found);
                for ts in core::theme_sentiment_of(s, &found, lang) {
                    out.push((i, ts));
                }
            }
            out
        });
        let mut cols = Columns::default();
        for (i, r) in rows {
            cols.push(vec![
                ("text", Value::I64(i as i64)),
                ("theme", Value::from(self.id(r.theme))),
                ("compound", Value::F64(r.compound)),
                ("clauses", Value::U64(u64::from(r.clauses))),
            ]);
        }
        cols.into_table(py, "theme sentiment".into(), None)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let n = self.inner.normalizer();
        let kwargs = PyDict::new(py);
        kwargs.set_item("lowercase", n.lowercase)?;
        kwargs.set_item("width", n.width)?;
        let rebuild = py.import("voc.text")?.getattr("_rebuild_matcher")?;
        PyTuple::new(
            py,
            [
                rebuild,
                (self.spec(), n.lowercase, n.width)
                    .into_pyobject(py)?
                    .into_any(),
            ],
        )
    }

    fn __len__(&self) -> usize {
        self.inner.n_themes()
    }

    fn __repr__(&self) -> String {
        format!(
            "ThemeMatcher({} themes, {} keywords)",
            self.inner.n_themes(),
            self.inner.keywords().len()
        )
    }
}

trait IntervalName {
    fn interval_name(&self) -> &'static str;
}
impl IntervalName for MentionOptions {
    fn interval_name(&self) -> &'static str {
        match self.interval {
            ShareInterval::Wilson => "wilson",
            ShareInterval::WilsonCc => "wilson_cc",
            ShareInterval::ClopperPearson => "clopper_pearson",
            ShareInterval::Wald => "wald",
        }
    }
}

fn voc_core_check_len(py: Python<'_>, n: usize, arg: &'static str, len: usize) -> PyResult<()> {
    if n != len {
        return Err(Error::LengthMismatch {
            arg,
            len,
            other: "texts",
            other_len: n,
        })
        .py_err(py);
    }
    Ok(())
}

fn label_value(labels: &Labels, code: u32) -> Value {
    match labels {
        Labels::Int(v) => Value::I64(v.get(code as usize).copied().unwrap_or_default()),
        Labels::Str(v) => Value::Str(v.get(code as usize).cloned()),
    }
}

/// The normalised form of a text (case and full-width folding; same number of characters).
///
/// >>> import voc
/// >>> voc.text.normalize("ＲＥＦＵＮＤ 退款")  # full-width folded, lower-cased, same length
/// 'refund 退款'
#[pyfunction(name = "text_normalize")]
#[pyo3(signature = (text, /, *, lowercase=true, width=true))]
fn text_normalize(text: &str, lowercase: bool, width: bool) -> String {
    Normalizer { lowercase, width }.normalize(text)
}

/// Sentiment of one text as a dict (neg, neu, pos, compound).
///
/// >>> import voc
/// >>> voc.text.polarity("The refund was fast, thanks!")["compound"] > 0
/// True
#[pyfunction(name = "text_polarity")]
#[pyo3(signature = (text, /, *, lang="auto"))]
fn text_polarity<'py>(py: Python<'py>, text: &str, lang: &str) -> PyResult<Bound<'py, PyDict>> {
    let p = core::polarity(text, lang_of(py, lang)?);
    let d = PyDict::new(py);
    d.set_item("neg", p.neg)?;
    d.set_item("neu", p.neu)?;
    d.set_item("pos", p.pos)?;
    d.set_item("compound", p.compound)?;
    Ok(d)
}

/// Sentiment of many texts: a table with neg, neu, pos, compound per text.
///
/// >>> import voc
/// >>> [round(float(x), 4) for x in voc.text.sentiment(["great service", "refund is slow and terrible"])["compound"]]
/// [0.6249, -0.4767]
#[pyfunction(name = "text_sentiment")]
#[pyo3(signature = (texts, /, *, lang="auto"))]
fn text_sentiment(py: Python<'_>, texts: &Bound<'_, PyAny>, lang: &str) -> PyResult<Table> {
    let lang = lang_of(py, lang)?;
    let t = self::texts(texts, "texts")?;
    let strs = t.strs();
    let ps = py.detach(|| core::polarity_batch(&strs, lang));
    let n = ps.len();
    let pick = |f: fn(&core::Polarity) -> f64| ps.iter().map(f).collect::<Vec<f64>>();
    let names = ["neg", "neu", "pos", "compound"].map(String::from).to_vec();
    let cols = vec![
        PyArray1::from_vec(py, pick(|p| p.neg)).into_any().unbind(),
        PyArray1::from_vec(py, pick(|p| p.neu)).into_any().unbind(),
        PyArray1::from_vec(py, pick(|p| p.pos)).into_any().unbind(),
        PyArray1::from_vec(py, pick(|p| p.compound))
            .into_any()
            .unbind(),
    ];
    Ok(Table::from_columns(
        "sentiment".into(),
        names,
        cols,
        n,
        None,
    ))
}

/// Share of respondents giving each reason, with intervals. `reasons` holds one reason (str) or a list
/// of reasons (multi-select) per respondent; None is a respondent with no reason.
///
/// >>> import voc
/// >>> t = voc.text.reason_shares([["price", "refund"], "refund", None, "size"])
/// >>> t["reason"], t["count"].tolist(), t["share"].tolist()
/// (['price', 'refund', 'size'], [1, 2, 1], [0.25, 0.5, 0.25])
#[pyfunction(name = "text_reason_shares")]
#[pyo3(signature = (reasons, /, *, confidence=0.95, interval="wilson"))]
fn text_reason_shares(
    py: Python<'_>,
    reasons: &Bound<'_, PyAny>,
    confidence: f64,
    interval: &str,
) -> PyResult<Table> {
    let method = interval.parse::<ShareInterval>().py_err(py)?;
    let mut labels: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, u32> = Default::default();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let seq = if reasons.hasattr("tolist").unwrap_or(false) {
        reasons.call_method0("tolist")?
    } else {
        reasons.clone()
    };
    let mut code = |s: &str| -> u32 {
        *index.entry(s.to_owned()).or_insert_with(|| {
            labels.push(s.to_owned());
            (labels.len() - 1) as u32
        })
    };
    for (i, item) in seq.try_iter()?.enumerate() {
        let item = item?;
        if item.is_none() || item.extract::<f64>().is_ok_and(f64::is_nan) {
            rows.push(Vec::new());
        } else if let Ok(s) = item.cast::<PyString>() {
            rows.push(vec![code(s.to_str()?)]);
        } else if let Ok(list) = item.extract::<Vec<String>>() {
            rows.push(list.iter().map(|s| code(s)).collect());
        } else {
            let t = item.get_type().name()?.to_string();
            return Err(dtype_err(py, "reasons", format!("{t} at position {i}")));
        }
    }
    // Report reasons in sorted order.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
    let mut rank = vec![0u32; labels.len()];
    for (r, &o) in order.iter().enumerate() {
        rank[o] = r as u32;
    }
    let rows: Vec<Vec<u32>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(|c| rank[c as usize]).collect())
        .collect();
    let sets = Sets::from_rows(&rows).py_err(py)?;
    let shares = core::reason_shares(&sets, labels.len(), confidence, method).py_err(py)?;
    let mut cols = Columns::default();
    for (r, s) in order.iter().zip(shares) {
        cols.push(vec![
            ("reason", Value::from(labels[*r].as_str())),
            ("count", Value::U64(s.successes as u64)),
            ("n", Value::U64(s.n as u64)),
            ("share", Value::F64(s.estimate)),
            ("ci_low", Value::F64(s.ci.low)),
            ("ci_high", Value::F64(s.ci.high)),
        ]);
    }
    cols.into_table(py, "reason shares".into(), None)
}

/// Seeded synthetic support tickets ("zh" or "en") for examples and benchmarks.
///
/// >>> import voc
/// >>> len(voc.text.sample_tickets(3, seed=1, lang="en")), voc.text.sample_tickets(3, seed=1) == voc.text.sample_tickets(3, seed=1)
/// (3, True)
#[pyfunction(name = "text_sample_tickets")]
#[pyo3(signature = (n, /, *, seed=42, lang="zh"))]
fn text_sample_tickets(py: Python<'_>, n: usize, seed: u64, lang: &str) -> PyResult<Vec<String>> {
    let lang = lang.parse::<core::Lang>().py_err(py)?;
    Ok(py.detach(|| core::sample_tickets(n, seed, lang)))
}

/// Topics found by TF-IDF + NMF: top terms per topic, each document's topic and weights.
#[pyclass(frozen, module = "voc._voc")]
pub struct TopicModel {
    inner: core::TopicModel,
}

#[pymethods]
impl TopicModel {
    /// Pickles as the core's versioned, checksummed byte form.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        let state = pyo3::types::PyBytes::new(py, &self.inner.to_bytes());
        Ok((
            py.get_type::<TopicModel>().getattr("_from_state")?,
            (state,),
        ))
    }
    /// Rebuilds a model from its pickled state; anything else is a `voc.DecodeError`.
    #[staticmethod]
    fn _from_state(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        Ok(TopicModel {
            inner: core::TopicModel::from_bytes(data).py_err(py)?,
        })
    }
    /// Equal when every field is equal bit for bit.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<TopicModel>()
            .is_ok_and(|o| o.get().inner.to_bytes() == self.inner.to_bytes())
    }
    /// Number of topics.
    #[getter]
    fn n_topics(&self) -> usize {
        self.inner.n_topics
    }
    /// Terms (columns of `components`).
    #[getter]
    fn vocabulary(&self) -> Vec<String> {
        self.inner.vocabulary.clone()
    }
    /// Iterations run.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.iterations
    }
    /// Whether the tolerance was met before `max_iter`.
    #[getter]
    fn converged(&self) -> bool {
        self.inner.converged
    }
    /// Frobenius norm of X − W·H.
    #[getter]
    fn reconstruction_err(&self) -> f64 {
        self.inner.reconstruction_err
    }
    /// Topic of each document (largest weight), −1 for a document without any known term.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        let l: Vec<i64> = self
            .inner
            .labels()
            .into_iter()
            .map(|x| x.map_or(-1, |t| t as i64))
            .collect();
        PyArray1::from_vec(py, l)
    }
    /// Document-topic weights W (documents × topics).
    #[getter]
    fn doc_topic<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        Ok(self.inner.w.to_pyarray(py))
    }
    /// Topic-term weights H (topics × terms).
    #[getter]
    fn components<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        Ok(self.inner.h.to_pyarray(py))
    }
    /// The `n` heaviest terms of every topic: a table of topic, rank, term, weight.
    #[pyo3(signature = (n=10))]
    fn top_terms(&self, py: Python<'_>, n: usize) -> PyResult<Table> {
        let mut cols = Columns::default();
        for t in 0..self.inner.n_topics {
            for (r, (term, w)) in self.inner.top_terms(t, n).into_iter().enumerate() {
                cols.push(vec![
                    ("topic", Value::I64(t as i64)),
                    ("rank", Value::I64(r as i64 + 1)),
                    ("term", Value::from(term)),
                    ("weight", Value::F64(w)),
                ]);
            }
        }
        cols.into_table(py, "topic terms".into(), None)
    }
    fn __repr__(&self) -> String {
        let heads: Vec<String> = (0..self.inner.n_topics.min(5))
            .map(|t| {
                let terms: Vec<&str> = self
                    .inner
                    .top_terms(t, 3)
                    .into_iter()
                    .map(|x| x.0)
                    .collect();
                format!("{t}: {}", terms.join(" "))
            })
            .collect();
        format!(
            "TopicModel(n_topics={}, terms={}, iterations={}, converged={}; {}{})",
            self.inner.n_topics,
            self.inner.vocabulary.len(),
            self.inner.iterations,
            self.inner.converged,
            heads.join("; "),
            if self.inner.n_topics > 5 { "; ..." } else { "" }
        )
    }
}

/// Topic discovery: tokenise (jieba for Chinese, Unicode words + stop words otherwise), TF-IDF (as
/// scikit-learn's defaults), then NMF with multiplicative updates from a seeded random start.
///
/// >>> import voc
/// >>> tm = voc.text.topics(voc.text.sample_tickets(200, seed=1, lang="en"), 3, seed=0)
/// >>> tm.n_topics, tm.converged
/// (3, True)
#[pyfunction(name = "text_topics")]
#[pyo3(signature = (texts, /, n_topics=10, *, lang="auto", seed=0, max_iter=200, tol=1e-4, min_df=2,
    max_df=0.95, max_features=10_000))]
#[allow(clippy::too_many_arguments)]
fn text_topics(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    n_topics: usize,
    lang: &str,
    seed: u64,
    max_iter: usize,
    tol: f64,
    min_df: usize,
    max_df: f64,
    max_features: usize,
) -> PyResult<TopicModel> {
    let opts = core::TopicOptions::default()
        .n_topics(n_topics)
        .max_iter(max_iter)
        .tol(tol)
        .seed(seed)
        .tfidf(
            core::TfidfOptions::default()
                .min_df(min_df)
                .max_df(max_df)
                .max_features(max_features)
                .lang(lang_of(py, lang)?),
        );
    let t = self::texts(texts, "texts")?;
    let strs = t.strs();
    let inner = py.detach(|| opts.fit(&strs[..])).py_err(py)?;
    Ok(TopicModel { inner })
}

// ---- Mergeable mention counts (Dask / Spark partitions) ----

/// Options of the mention table, checked once.
fn mention_options(
    py: Python<'_>,
    confidence: f64,
    interval: &str,
    alert_alpha: f64,
    adjust: Option<&str>,
    min_mentions: u64,
) -> PyResult<MentionOptions> {
    let opts = MentionOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<ShareInterval>().py_err(py)?)
        .alert_alpha(alert_alpha)
        .adjust(
            adjust
                .map(str::parse::<Adjustment>)
                .transpose()
                .py_err(py)?,
        )
        .min_mentions(min_mentions);
    opts.validate().py_err(py)?;
    Ok(opts)
}

/// Channel labels in code order, as read from one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum ChannelNames {
    Int(Vec<i64>),
    Str(Vec<String>),
}

impl ChannelNames {
    fn len(&self) -> usize {
        match self {
            ChannelNames::Int(v) => v.len(),
            ChannelNames::Str(v) => v.len(),
        }
    }
}

/// Mention counts with what is needed to finish them into a table: theme ids, labels and parents,
/// the period, the channel labels (codes are per batch; merging aligns them by label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct MentionData {
    themes: Vec<(String, String)>,
    parents: Vec<Option<usize>>,
    period: Option<String>,
    channels: Option<ChannelNames>,
    dropped: u64,
    #[serde(skip, default = "empty_counts")]
    counts: MentionCounts,
}

fn empty_counts() -> MentionCounts {
    MentionCounts::new(0)
}

const MENTION_STATE_VERSION: u16 = 1;

impl MentionData {
    fn incompatible(what: String) -> Error {
        Error::Incompatible(format!("mention states differ in {what}"))
    }

    /// Adds `other`, aligning its channel codes to ours by label (new labels are appended).
    fn merge(&mut self, other: &MentionData) -> Result<(), Error> {
        if self.themes != other.themes || self.parents != other.parents {
            return Err(Self::incompatible(
                "their themes (made by different matchers)".into(),
            ));
        }
        if self.period != other.period {
            return Err(Self::incompatible(format!(
                "their period ({:?} and {:?})",
                self.period, other.period
            )));
        }
        let (merged_names, map) = match (&self.channels, &other.channels) {
            (None, None) => (None, None),
            (Some(a), Some(b)) => {
                let (names, map) = union_names(a, b)?;
                (Some(names), Some(map))
            }
            _ => {
                return Err(Self::incompatible(
                    "having a channel (one was counted with channel=, the other without)".into(),
                ));
            }
        };
        let aligned = match &map {
            Some(m) => other.counts.remap_channels(m)?,
            None => other.counts.clone(),
        };
        self.counts.merge(&aligned)?;
        self.channels = merged_names;
        self.dropped += other.dropped;
        Ok(())
    }

    /// The counts with channel codes renumbered into sorted label order (as `mention_rates` numbers
    /// them), and the sorted labels.
    fn sorted(&self) -> Result<(MentionCounts, Option<Labels>), Error> {
        let Some(names) = &self.channels else {
            return Ok((self.counts.clone(), None));
        };
        let mut order: Vec<usize> = (0..names.len()).collect();
        match names {
            ChannelNames::Int(v) => order.sort_unstable_by_key(|&i| v.get(i).copied()),
            ChannelNames::Str(v) => order.sort_unstable_by(|&a, &b| v.get(a).cmp(&v.get(b))),
        }
        let mut rank = vec![0u32; names.len()];
        for (r, &old) in order.iter().enumerate() {
            if let Some(x) = rank.get_mut(old) {
                *x = r as u32;
            }
        }
        let labels = match names {
            ChannelNames::Int(v) => {
                Labels::Int(order.iter().filter_map(|&i| v.get(i).copied()).collect())
            }
            ChannelNames::Str(v) => {
                Labels::Str(order.iter().filter_map(|&i| v.get(i).cloned()).collect())
            }
        };
        Ok((self.counts.remap_channels(&rank)?, Some(labels)))
    }

    fn table(
        &self,
        py: Python<'_>,
        opts: &MentionOptions,
        adjust: Option<&str>,
    ) -> PyResult<Table> {
        let period = self
            .period
            .as_deref()
            .map(str::parse::<Period>)
            .transpose()
            .py_err(py)?;
        let (counts, labels) = self.sorted().py_err(py)?;
        let rows = py
            .detach(|| counts.finish(&self.parents, opts))
            .py_err(py)?;
        let mut cols = Columns::default();
        for r in rows {
            let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(18);
            if let Some(l) = &labels {
                row.push(("channel", label_value(l, r.channel)));
            }
            if let (Some(p), Some(ix)) = (period, r.period) {
                row.push(("period", Value::from(p.label(ix))));
                row.push(("period_start", Value::Day(p.start_day(ix))));
            }
            let th = self.themes.get(r.theme as usize);
            row.push(("theme", Value::from(th.map_or("", |x| x.0.as_str()))));
            row.push(("label", Value::from(th.map_or("", |x| x.1.as_str()))));
            row.push(("texts", Value::U64(r.texts)));
            row.push(("mentions", Value::U64(r.mentions)));
            row.push(("rate", Value::F64(r.rate)));
            row.push(("ci_low", Value::F64(r.ci.low)));
            row.push(("ci_high", Value::F64(r.ci.high)));
            row.push(("share_of_voice", Value::F64(r.share_of_voice)));
            if period.is_some() {
                row.push(("previous_rate", Value::F64(r.previous_rate)));
                row.push(("change", Value::F64(r.change)));
                row.push(("p_value", Value::F64(r.p_value)));
                row.push(("p_adjusted", Value::F64(r.p_adjusted)));
                row.push(("alert", Value::Bool(r.alert)));
            }
            cols.push(row);
        }
        let meta = PyDict::new(py);
        meta.set_item("dropped", self.dropped)?;
        meta.set_item("interval", opts.interval_name())?;
        meta.set_item("confidence", opts.confidence)?;
        meta.set_item("alert_alpha", opts.alert_alpha)?;
        meta.set_item("adjust", adjust)?;
        meta.set_item("min_mentions", opts.min_mentions)?;
        cols.into_table(py, "theme mention rates".into(), Some(meta.unbind()))
    }

    /// Byte form: version, the metadata (bincode), then the core counts' own versioned byte form.
    fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let meta = bincode::serialize(self).map_err(|e| Error::Decode {
            what: "mention state",
            reason: e.to_string(),
        })?;
        let mut out = Vec::with_capacity(meta.len() + 64);
        out.extend_from_slice(b"VOCS");
        out.extend_from_slice(&MENTION_STATE_VERSION.to_le_bytes());
        out.extend_from_slice(&(meta.len() as u64).to_le_bytes());
        out.extend_from_slice(&meta);
        out.extend_from_slice(&self.counts.to_bytes());
        Ok(out)
    }

    fn from_bytes(data: &[u8]) -> Result<MentionData, Error> {
        let fail = |reason: String| Error::Decode {
            what: "mention state",
            reason,
        };
        let head = data.get(..14).ok_or_else(|| fail("too short".into()))?;
        if head.get(..4) != Some(b"VOCS".as_slice()) {
            return Err(fail("not a voc mention state (bad magic)".into()));
        }
        let version = u16::from_le_bytes([head[4], head[5]]);
        if version != MENTION_STATE_VERSION {
            return Err(fail(format!(
                "unsupported version {version} (this build reads {MENTION_STATE_VERSION})"
            )));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&head[6..14]);
        let len = usize::try_from(u64::from_le_bytes(len)).map_err(|e| fail(e.to_string()))?;
        let rest = &data[14..];
        let (meta, counts) = (rest.get(..len), rest.get(len..));
        let (Some(meta), Some(counts)) = (meta, counts) else {
            return Err(fail("truncated".into()));
        };
        let mut out: MentionData = bincode::deserialize(meta).map_err(|e| fail(e.to_string()))?;
        out.counts = MentionCounts::from_bytes(counts)?;
        if out.counts.n_themes() != out.themes.len() || out.parents.len() != out.themes.len() {
            return Err(fail("counts and themes disagree".into()));
        }
        if let Some(names) = &out.channels
            && out
                .counts
                .channels()
                .last()
                .is_some_and(|&c| c as usize >= names.len())
        {
            return Err(fail("a channel code has no label".into()));
        }
        Ok(out)
    }
}

/// The labels of `a` followed by those of `b` not in `a`, and the code map of `b` into them.
fn union_names(a: &ChannelNames, b: &ChannelNames) -> Result<(ChannelNames, Vec<u32>), Error> {
    fn union<T: Clone + Eq + std::hash::Hash>(a: &[T], b: &[T]) -> (Vec<T>, Vec<u32>) {
        let mut names = a.to_vec();
        let mut pos: std::collections::HashMap<T, u32> = a
            .iter()
            .enumerate()
            .map(|(i, x)| (x.clone(), i as u32))
            .collect();
        let map = b
            .iter()
            .map(|x| {
                *pos.entry(x.clone()).or_insert_with(|| {
                    names.push(x.clone());
                    names.len() as u32 - 1
                })
            })
            .collect();
        (names, map)
    }
    match (a, b) {
        (ChannelNames::Int(x), ChannelNames::Int(y)) => {
            let (n, m) = union(x, y);
            Ok((ChannelNames::Int(n), m))
        }
        (ChannelNames::Str(x), ChannelNames::Str(y)) => {
            let (n, m) = union(x, y);
            Ok((ChannelNames::Str(n), m))
        }
        // An empty batch reads as either kind.
        (x, y) if y.len() == 0 => Ok((x.clone(), Vec::new())),
        (x, y) if x.len() == 0 => Ok((y.clone(), (0..y.len() as u32).collect())),
        _ => Err(MentionData::incompatible(
            "the type of their channel labels (integers and strings)".into(),
        )),
    }
}

/// Mergeable theme mention counts per channel × period, from `ThemeMatcher.mention_state(texts, ...)`:
/// merge the states of batches or workers (in any order), then `finish` gives the table
/// `mention_rates` gives on all the texts at once. Pickles; `to_bytes` / `from_bytes` for Spark.
#[pyclass(frozen, module = "voc._voc")]
pub struct MentionState {
    inner: Mutex<MentionData>,
}

impl MentionState {
    fn snapshot(&self) -> PyResult<MentionData> {
        self.inner
            .lock()
            .map(|g| g.clone())
            .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("mention state lock poisoned"))
    }
}

#[pymethods]
impl MentionState {
    /// Adds the counts of `other` (same matcher and period; channels are aligned by label).
    fn merge(&self, py: Python<'_>, other: &Bound<'_, MentionState>) -> PyResult<()> {
        let theirs = other.get().snapshot()?;
        let mut ours = self.snapshot()?;
        ours.merge(&theirs).py_err(py)?;
        let mut guard = self.inner.lock().map_err(|_| {
            pyo3::exceptions::PyRuntimeError::new_err("mention state lock poisoned")
        })?;
        *guard = ours;
        Ok(())
    }

    /// The mention-rate table (same columns and options as `ThemeMatcher.mention_rates`).
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", alert_alpha=0.01, adjust=Some("holm"), min_mentions=5),
        text_signature = "(self, *, confidence=0.95, interval='wilson', alert_alpha=0.01, adjust='holm', min_mentions=5)")]
    fn finish(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        alert_alpha: f64,
        adjust: Option<&str>,
        min_mentions: u64,
    ) -> PyResult<Table> {
        let opts = mention_options(py, confidence, interval, alert_alpha, adjust, min_mentions)?;
        self.snapshot()?.table(py, &opts, adjust)
    }

    /// Texts counted so far.
    #[getter]
    fn texts(&self) -> PyResult<u64> {
        Ok(self.snapshot()?.counts.texts())
    }

    /// Versioned byte form; `from_bytes` reads it back on any platform.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let bytes = self.snapshot()?.to_bytes().py_err(py)?;
        Ok(pyo3::types::PyBytes::new(py, &bytes))
    }

    /// Reads a state written by `to_bytes`.
    #[classmethod]
    fn from_bytes(
        _cls: &Bound<'_, pyo3::types::PyType>,
        py: Python<'_>,
        data: pyo3::pybacked::PyBackedBytes,
    ) -> PyResult<Self> {
        let inner = MentionData::from_bytes(&data).py_err(py)?;
        Ok(MentionState {
            inner: Mutex::new(inner),
        })
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        Ok((
            py.get_type::<MentionState>().getattr("from_bytes")?,
            (self.to_bytes(py)?,),
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<MentionState>() {
            Ok(o) => Ok(self.snapshot()? == o.get().snapshot()?),
            Err(_) => Ok(false),
        }
    }

    fn __repr__(&self) -> PyResult<String> {
        let d = self.snapshot()?;
        Ok(format!(
            "MentionState(themes={}, channels={}, period={}, texts={})",
            d.themes.len(),
            d.channels.as_ref().map_or(0, ChannelNames::len),
            d.period.as_deref().unwrap_or("None"),
            self.texts()?
        ))
    }
}
