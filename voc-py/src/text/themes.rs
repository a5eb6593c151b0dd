//! `ThemeMatcher`: a compiled theme taxonomy and what it finds in texts (matches, tags, indicators,
//! top negative keywords, theme sentiment).

use super::*;

/// A compiled theme taxonomy: keyword patterns (Chinese and English) with exclusions, matched by one
/// Aho–Corasick automaton. Build it with `voc.text.themes()`.
#[pyclass(frozen, module = "voc._voc")]
pub struct ThemeMatcher {
    pub(super) inner: core::ThemeMatcher,
}

type ThemeSpec = (String, String, Vec<String>, Vec<String>);

fn from_specs(py: Python<'_>, specs: &[ThemeSpec]) -> PyResult<Taxonomy> {
    let mut tax = Taxonomy::new();
    for (id, label, kw, ex) in specs {
        let kw: Vec<&str> = kw.iter().map(String::as_str).collect();
        let ex: Vec<&str> = ex.iter().map(String::as_str).collect();
        tax.add(id, label, &kw, &ex).py_err(py)?;
    }
    Ok(tax)
}

/// A `negative=` column: per text a bool, an integer 0/1 or a float 0.0/1.0 (docs/conventions.md §4).
fn negative_flags(py: Python<'_>, col: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    let seq = if col.hasattr("tolist").unwrap_or(false) {
        col.call_method0("tolist")?
    } else if col.hasattr("to_list").unwrap_or(false) {
        col.call_method0("to_list")?
    } else {
        col.clone()
    };
    let iter = seq.try_iter().map_err(|_| {
        dtype_err(
            py,
            "negative",
            seq.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )
    })?;
    let mut out = Vec::new();
    for (index, item) in iter.enumerate() {
        let item = item?;
        if let Ok(b) = item.extract::<bool>() {
            out.push(b);
            continue;
        }
        let Ok(v) = item.extract::<f64>() else {
            if item.is_none() {
                return Err(Error::Missing {
                    arg: "negative",
                    index,
                })
                .py_err(py);
            }
            let t = item.get_type().name()?.to_string();
            return Err(dtype_err(
                py,
                "negative",
                format!("{t} at position {index}"),
            ));
        };
        if v.is_nan() {
            return Err(Error::Missing {
                arg: "negative",
                index,
            })
            .py_err(py);
        }
        if v != 0.0 && v != 1.0 {
            return Err(Error::InvalidValue {
                arg: "negative",
                index,
                value: v,
                reason: "must be a bool, 0 or 1",
            })
            .py_err(py);
        }
        out.push(v == 1.0);
    }
    Ok(out)
}

impl ThemeMatcher {
    fn compile(py: Python<'_>, taxonomy: Taxonomy, lowercase: bool, width: bool) -> PyResult<Self> {
        let normalizer = Normalizer { lowercase, width };
        let inner = crate::guard::detach(py, "voc.text.ThemeMatcher", || {
            core::ThemeMatcher::with_normalizer(taxonomy, normalizer)
        })
        .py_err(py)?;
        Ok(ThemeMatcher { inner })
    }

    fn sets(&self, py: Python<'_>, strs: &[&str], rollup: bool) -> PyResult<Sets> {
        crate::guard::detach(py, "voc.text.ThemeMatcher.themes", || {
            self.inner.themes_batch(strs, rollup)
        })
        .py_err(py)
    }

    fn id(&self, t: u32) -> String {
        self.inner.theme_id(t as usize).to_owned()
    }
}

#[pymethods]
impl ThemeMatcher {
    /// Compiles themes given as `(id, label, keywords, exclude)` tuples (parents first; dotted ids make
    /// a hierarchy), or the default retail taxonomy when `taxonomy` is None, or the taxonomy text format
    /// when `taxonomy` is a str.
    #[new]
    #[pyo3(signature = (taxonomy=None, *, lowercase=true, width=true))]
    fn new(
        py: Python<'_>,
        taxonomy: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::flag)] lowercase: bool,
        #[pyo3(from_py_with = crate::convert_args::flag)] width: bool,
    ) -> PyResult<Self> {
        let taxonomy = match taxonomy {
            None => Taxonomy::parse(core::DEFAULT_RETAIL).py_err(py)?,
            Some(t) if t.is_instance_of::<PyString>() => {
                Taxonomy::parse(crate::convert_args::text_arg(t, "taxonomy")?).py_err(py)?
            }
            Some(t) => {
                let specs: Vec<ThemeSpec> = t.extract().map_err(|_| {
                    dtype_err(
                        py,
                        "taxonomy",
                        t.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                    )
                })?;
                from_specs(py, &specs)?
            }
        };
        ThemeMatcher::compile(py, taxonomy, lowercase, width)
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

    /// Matches in one text: a table of theme, keyword, start, end (character offsets into `text`).
    fn find(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Table> {
        let text = text_arg(text, "text", None)?;
        let found = self.inner.find(&text);
        let n = found.len();
        let (mut theme, mut keyword) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut start, mut end) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for m in found {
            theme.push(self.id(m.theme));
            keyword.push(
                self.inner
                    .keyword(m.keyword as usize)
                    .map(|k| k.pattern.clone())
                    .unwrap_or_default(),
            );
            start.push(m.start as i64);
            end.push(m.end as i64);
        }
        let names = ["theme", "keyword", "start", "end"]
            .map(String::from)
            .to_vec();
        let cols: Vec<Py<PyAny>> = vec![
            PyList::new(py, theme)?.into_any().unbind(),
            PyList::new(py, keyword)?.into_any().unbind(),
            PyArray1::from_vec(py, start).into_any().unbind(),
            PyArray1::from_vec(py, end).into_any().unbind(),
        ];
        Ok(Table::from_columns(
            "theme matches".into(),
            names,
            cols,
            n,
            None,
        ))
    }

    /// Every match in many texts: one row per match with the text's position, theme, keyword pattern,
    /// character offsets and the matched text.
    #[pyo3(signature = (data=None, /, *, texts=None))]
    fn matches(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Table> {
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let found = crate::guard::detach(py, "voc.text.ThemeMatcher.matches", || {
            self.inner.find_batch(&strs)
        })
        .py_err(py)?;
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
    #[pyo3(signature = (data=None, /, *, texts=None, rollup=true))]
    fn tag<'py>(
        &self,
        py: Python<'py>,
        data: Option<&Bound<'py, PyAny>>,
        texts: Option<&Bound<'py, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::flag)] rollup: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let sets = self.sets(py, &strs, rollup)?;
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
    #[pyo3(signature = (data=None, /, *, texts=None, rollup=true))]
    fn indicators(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::flag)] rollup: bool,
    ) -> PyResult<Table> {
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let sets = self.sets(py, &strs, rollup)?;
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

    /// Mention rate of every theme per group (`by=`, e.g. the channel) × period: texts, mentions, rate with its interval
    /// (Wilson by default), share of voice among sibling themes, change from the previous period with
    /// a two-proportion z-test, p-values adjusted over the table (`adjust="holm"`, "bh" or None) and the
    /// alert rule (rate rose, adjusted p < `alert_alpha`, at least `min_mentions` mentions).
    /// Takes the column of texts, or a table and `texts=` (and `by=`, `time=`) naming its columns.
    #[pyo3(signature = (data=None, /, *, texts=None, by=None, time=None, period=None, rollup=true, confidence=0.95,
        interval="wilson", alert_alpha=0.01, adjust=Some("holm"), min_mentions=5, missing="error"),
        text_signature = "(self, data=None, /, *, texts=None, by=None, time=None, period=None, rollup=True, confidence=0.95, interval='wilson', alert_alpha=0.01, adjust='holm', min_mentions=5, missing='error')")]
    #[allow(clippy::too_many_arguments)]
    fn mention_rates(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::opt_text)] period: Option<&str>,
        #[pyo3(from_py_with = crate::convert_args::flag)] rollup: bool,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::real)] alert_alpha: f64,
        #[pyo3(from_py_with = crate::convert_args::opt_text)] adjust: Option<&str>,
        #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] min_mentions: u64,
        #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    ) -> PyResult<MentionRatesResult> {
        let opts = mention_options(py, confidence, interval, alert_alpha, adjust, min_mentions)?;
        let state = self.count_mentions(py, data, texts, by, time, period, rollup, missing)?;
        mention_table(py, &state, &opts, adjust)
    }

    /// Mergeable mention counts of `texts` (same arguments as `mention_rates`): a
    /// :class:`MentionState` to merge with the states of other batches or workers and finish into the
    /// same table `mention_rates` gives on all the texts at once.
    #[pyo3(signature = (data=None, /, *, texts=None, by=None, time=None, period=None, rollup=true, missing="error"),
        text_signature = "(self, data=None, /, *, texts=None, by=None, time=None, period=None, rollup=True, missing='error')")]
    #[allow(clippy::too_many_arguments)]
    fn mention_state(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::opt_text)] period: Option<&str>,
        #[pyo3(from_py_with = crate::convert_args::flag)] rollup: bool,
        #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    ) -> PyResult<MentionState> {
        let state = self.count_mentions(py, data, texts, by, time, period, rollup, missing)?;
        Ok(MentionState {
            inner: Shared::new(state),
        })
    }

    /// Top keywords among negative texts: for each keyword, negative texts mentioning it, all texts
    /// mentioning it, its share of negative texts with an interval, and the share of its texts that are
    /// negative. `negative` is a boolean column; when None, a text is negative when its sentiment
    /// compound is at most `threshold` (VADER's convention −0.05). `texts` and `negative` are columns or
    /// column names of `data`.
    #[pyo3(signature = (data=None, /, *, texts=None, negative=None, lang="auto", threshold=-0.05, top=20, confidence=0.95, interval="wilson"),
        text_signature = "(self, data=None, /, *, texts=None, negative=None, lang='auto', threshold=-0.05, top=20, confidence=0.95, interval='wilson')")]
    #[allow(clippy::too_many_arguments)]
    fn top_keywords(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        negative: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
        #[pyo3(from_py_with = crate::convert_args::real)] threshold: f64,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] top: usize,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
    ) -> PyResult<Table> {
        let method = interval.parse::<ShareInterval>().py_err(py)?;
        let opts = voc_core::stats::IntervalOptions::default()
            .confidence(confidence)
            .method(method);
        let lang = lang_of(py, lang)?;
        if !threshold.is_finite() {
            return Err(Error::InvalidOption {
                name: "threshold",
                value: threshold.to_string(),
                reason: "must be finite".into(),
            })
            .py_err(py);
        }
        let (table, column) = convert::single_column(py, data, texts, "texts")?;
        let negative = convert::role(table.as_ref(), negative, "negative")?
            .map(|c| negative_flags(py, &c))
            .transpose()?;
        let t = self::texts(&column, "texts")?;
        let strs = t.strs(py);
        if let Some(neg) = &negative {
            voc_core_check_len(py, strs.len(), "negative", neg.len())?;
        }
        let nk = self.inner.keywords().len();
        let rows = crate::guard::detach(py, "voc.text.ThemeMatcher.top_keywords", || {
            let neg = match negative {
                Some(neg) => neg,
                None => core::polarity_batch(&strs, lang)?
                    .iter()
                    .map(|p| p.compound <= threshold)
                    .collect(),
            };
            let kw = self.inner.keywords_batch(&strs)?;
            core::top_keywords(&kw, nk, &neg, top, &opts)
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
    #[pyo3(signature = (data=None, /, *, texts=None, lang="auto"))]
    fn theme_sentiment(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
    ) -> PyResult<Table> {
        let lang = lang_of(py, lang)?;
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let rows: Vec<(usize, core::ThemeSentiment)> =
            crate::guard::detach_value(py, "voc.text.ThemeMatcher.theme_sentiment", || {
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
            })?;
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
        let rebuild = py.get_type::<ThemeMatcher>().getattr("_from_spec")?;
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

    /// Rebuilds a matcher from its `spec()` and normalisation (unpickling).
    #[staticmethod]
    fn _from_spec(
        py: Python<'_>,
        spec: Vec<ThemeSpec>,
        #[pyo3(from_py_with = crate::convert_args::flag)] lowercase: bool,
        #[pyo3(from_py_with = crate::convert_args::flag)] width: bool,
    ) -> PyResult<ThemeMatcher> {
        ThemeMatcher::compile(py, from_specs(py, &spec)?, lowercase, width)
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
