//! Topic discovery: `voc.text.fit_topics` and the `TopicModel` class.

use super::*;

/// The topic options of `fit_topics` and `discover_topics` (the same arguments, one reading);
/// `df` is `(min_df, max_df, max_features)`.
fn topic_options(
    py: Python<'_>,
    n_topics: usize,
    lang: &str,
    seed: u64,
    max_iter: usize,
    tol: f64,
    (min_df, max_df, max_features): (usize, f64, usize),
) -> PyResult<core::TopicOptions> {
    Ok(core::TopicOptions::default()
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
        ))
}

/// Topics found by TF-IDF + NMF: top terms per topic, each document's topic and weights.
#[pyclass(frozen, module = "voc._voc")]
pub struct TopicModel {
    inner: core::TopicModel,
}

crate::core_pickled!(TopicModel, core::TopicModel);

#[pymethods]
impl TopicModel {
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
    /// Documents fitted on.
    #[getter]
    fn n_docs(&self) -> usize {
        self.inner.n_docs()
    }
    /// Topic of each fitted document (largest weight), −1 for a document without any known term.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        PyArray1::from_vec(py, label_codes(self.inner.labels()))
    }
    /// Document-topic weights W of the fitted documents (documents × topics).
    #[getter]
    fn doc_topic<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        Ok(self.inner.w.to_pyarray(py))
    }
    /// Topic-term weights H (topics × terms).
    #[getter]
    fn components<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        Ok(self.inner.h.to_pyarray(py))
    }
    /// Document-topic weights of new texts (texts × topics): W for the fitted H, as scikit-learn's
    /// `NMF.transform` of the TF-IDF rows weighted with the fitted vocabulary and idf. Takes the
    /// column of texts, or a table and `texts=` naming its column.
    #[pyo3(signature = (data=None, /, *, texts=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        data: Option<&Bound<'py, PyAny>>,
        texts: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let w = crate::guard::detach(py, "voc.text.TopicModel.predict", || {
            self.inner.predict(&strs[..])
        })
        .py_err(py)?;
        Ok(w.to_pyarray(py))
    }
    /// Topic of each new text (its heaviest topic in `predict`), −1 for a text without any known term.
    #[pyo3(signature = (data=None, /, *, texts=None))]
    fn predict_topic<'py>(
        &self,
        py: Python<'py>,
        data: Option<&Bound<'py, PyAny>>,
        texts: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let w = crate::guard::detach(py, "voc.text.TopicModel.predict_topic", || {
            self.inner.predict(&strs[..])
        })
        .py_err(py)?;
        Ok(PyArray1::from_vec(py, label_codes(core::topic_labels(&w))))
    }
    /// One row per topic: topic, label (its three heaviest terms), top_terms (its `n_terms` heaviest,
    /// joined by ", "), documents (fitted documents whose heaviest topic it is) and share (of all
    /// fitted documents).
    #[pyo3(signature = (*, n_terms=10))]
    fn summary(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_terms: usize,
    ) -> PyResult<Table> {
        let mut cols = Columns::default();
        for s in self.inner.summary(n_terms) {
            cols.push(vec![
                ("topic", Value::I64(s.topic as i64)),
                ("label", Value::from(s.label)),
                ("top_terms", Value::from(s.terms.join(", "))),
                ("documents", Value::U64(s.documents as u64)),
                ("share", Value::F64(s.share)),
            ]);
        }
        cols.into_table(py, "topics".into(), None)
    }
    /// The `n` heaviest terms of every topic: a table of topic, rank, term, weight.
    #[pyo3(signature = (n=10))]
    fn top_terms(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n: usize,
    ) -> PyResult<Table> {
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
    /// Fit statistics and options as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let d = PyDict::new(py);
        d.set_item("n_topics", m.n_topics)?;
        d.set_item("n_docs", m.n_docs())?;
        d.set_item("terms", m.vocabulary.len())?;
        d.set_item("iterations", m.iterations)?;
        d.set_item("converged", m.converged)?;
        d.set_item("reconstruction_err", m.reconstruction_err)?;
        d.set_item("seed", m.options.seed)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let mut html = "<p><b>voc TopicModel</b></p><table>".to_string();
        for (k, v) in self.to_dict(py)?.iter() {
            html.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                crate::table::escape(&k.str()?.to_string()),
                crate::table::escape(&v.str()?.to_string())
            ));
        }
        html.push_str("</table>");
        let t = Bound::new(py, self.summary(py, 10)?)?;
        html.push_str(&t.call_method0("_repr_html_")?.extract::<String>()?);
        Ok(html)
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

fn label_codes(labels: Vec<Option<usize>>) -> Vec<i64> {
    labels
        .into_iter()
        .map(|x| x.map_or(-1, |t| t as i64))
        .collect()
}

/// Topic discovery: tokenise (jieba for Chinese, Unicode words + stop words otherwise), TF-IDF (as
/// scikit-learn's defaults), then NMF with multiplicative updates from a seeded random start. Takes the
/// column of texts, or a table and `texts=` naming its column.
///
/// >>> import voc
/// >>> tm = voc.text.fit_topics(voc.text.sample_tickets(200, seed=1, lang="en"), n_topics=3, seed=0)
/// >>> tm.n_topics, tm.converged, len(tm.summary())
/// (3, True, 3)
#[pyfunction(name = "text_fit_topics")]
#[pyo3(signature = (data=None, /, *, texts=None, n_topics=10, lang="auto", seed=0, max_iter=200, tol=1e-4,
    min_df=2, max_df=0.95, max_features=10_000))]
#[allow(clippy::too_many_arguments)]
pub(super) fn text_fit_topics(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    texts: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_topics: usize,
    #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] min_df: usize,
    #[pyo3(from_py_with = crate::convert_args::real)] max_df: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_features: usize,
) -> PyResult<TopicModel> {
    let opts = topic_options(
        py,
        n_topics,
        lang,
        seed,
        max_iter,
        tol,
        (min_df, max_df, max_features),
    )?;
    let t = texts_role(py, data, texts)?;
    let strs = t.strs(py);
    let inner =
        crate::guard::detach(py, "voc.text.fit_topics", || opts.fit(&strs[..])).py_err(py)?;
    Ok(TopicModel { inner })
}

/// Topic shares over time and topics of untagged texts (issue 19 item 4).
#[pymethods]
impl TopicModel {
    /// Topic shares per period (and group `by`) with intervals: each text's topic is its heaviest topic
    /// (`predict_topic`), and a topic's share of a group × period is the texts whose topic it is over
    /// all texts of the cell (texts without a known term count in the denominator), with a Wilson (or
    /// `interval=`) interval at `confidence`. `time` is one timestamp per text, bucketed by `period`.
    #[pyo3(signature = (data=None, /, *, texts=None, time=None, by=None, period="month", confidence=0.95,
        interval="wilson", missing="error"))]
    #[allow(clippy::too_many_arguments)]
    fn shares_over_time(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        time: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::text)] period: &str,
        #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
        #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
        #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
    ) -> PyResult<TopicSharesResult> {
        let method = interval.parse::<ShareInterval>().py_err(py)?;
        let opts = voc_core::stats::IntervalOptions::default()
            .confidence(confidence)
            .method(method);
        let period = period.parse::<Period>().py_err(py)?;
        let policy = convert::missing_policy(missing).py_err(py)?;
        let (table, texts) = convert::single_column(py, data, texts, "texts")?;
        let Some(time) = convert::role(table.as_ref(), time, "time")? else {
            return Err(Error::option(
                "time",
                "None",
                "time= is required (one timestamp per text)",
            ))
            .py_err(py);
        };
        let by = convert::role(table.as_ref(), by, "by")?;
        let t = self::texts(&texts, "texts")?;
        let n = t.len();
        let crate::anomaly::PeriodRows {
            periods,
            time_nulls,
            labels,
            codes,
            by_nulls,
        } = crate::anomaly::period_rows(&time, by.as_ref(), period, |arg, len| {
            voc_core_check_len(py, n, arg, len)
        })?;
        convert::check_nulls(
            policy,
            &[
                ("texts", &t.nulls),
                ("time", &time_nulls),
                ("by", &by_nulls),
            ],
        )
        .py_err(py)?;
        let (keep, dropped) = crate::anomaly::kept_rows(n, &[&t.nulls, &time_nulls, &by_nulls]);
        let strs = t.strs(py);
        let rows = crate::guard::detach(py, "voc.text.TopicModel.shares_over_time", || {
            let strs = convert::compact_slice(&strs, &keep);
            let periods = convert::compact_slice(&periods, &keep);
            let codes = codes.as_deref().map(|c| convert::compact_slice(c, &keep));
            let w = self.inner.predict(&strs[..])?;
            let topics = core::topic_labels(&w);
            core::topic_shares(
                &topics,
                self.inner.n_topics,
                Some(&periods),
                codes.as_deref(),
                &opts,
            )
        })
        .py_err(py)?;
        let names: Vec<String> = (0..self.inner.n_topics)
            .map(|t| {
                self.inner
                    .top_terms(t, core::LABEL_TERMS)
                    .into_iter()
                    .map(|x| x.0)
                    .collect::<Vec<_>>()
                    .join(" / ")
            })
            .collect();
        let mut cols = Columns::default();
        for r in rows {
            let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(10);
            if let Some(l) = &labels {
                row.push(("group", l.value(r.group)));
            }
            if let Some(ix) = r.period {
                row.push(("period", Value::from(period.label(ix))));
                row.push(("period_start", Value::Day(period.start_day(ix))));
            }
            row.push(("topic", Value::U64(r.topic as u64)));
            row.push((
                "label",
                Value::from(names.get(r.topic).map_or("", String::as_str)),
            ));
            row.push(("texts", Value::U64(r.texts)));
            row.push(("documents", Value::U64(r.documents)));
            row.push(("share", Value::F64(r.share)));
            row.push(("ci_low", Value::F64(r.ci.low)));
            row.push(("ci_high", Value::F64(r.ci.high)));
            cols.push(row);
        }
        let table = cols.into_table(py, "topic shares".into(), None)?;
        TopicSharesResult::new(
            py,
            table,
            (n - dropped) as u64,
            dropped as u64,
            confidence,
            interval.to_owned(),
            period.name().to_owned(),
        )
    }
}

crate::table_result_class!(
    /// Topic shares per group × period (`TopicModel.shares_over_time`): the `table` (group, period,
    /// period_start, topic, label, texts, documents, share, ci_low, ci_high) and the counts and options.
    TopicSharesResult {
        /// Texts used.
        n: u64,
        /// Texts left out as missing (`missing="skip"`).
        n_missing: u64,
        /// Level of the intervals.
        confidence: f64,
        /// Interval method ("wilson", ...).
        method: String,
        /// The period ("month", ...).
        period: String,
    }
);

#[pymethods]
impl ThemeMatcher {
    /// Topics of the texts no theme of this taxonomy tags ("what are we missing?"): TF-IDF + NMF on the
    /// untagged texts (jieba for Chinese), one row per topic with its label, its `n_terms` heaviest
    /// terms (joined by ", "), the untagged texts whose heaviest topic it is and their share, and up to
    /// `examples` example texts (the most typical first, joined by newlines).
    #[pyo3(signature = (data=None, /, *, texts=None, n_topics=8, n_terms=10, examples=3, lang="auto", seed=0,
        max_iter=200, tol=1e-4, min_df=2, max_df=0.95, max_features=10_000))]
    #[allow(clippy::too_many_arguments)]
    fn discover_topics(
        &self,
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        texts: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_topics: usize,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n_terms: usize,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] examples: usize,
        #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
        #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_iter: usize,
        #[pyo3(from_py_with = crate::convert_args::real)] tol: f64,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] min_df: usize,
        #[pyo3(from_py_with = crate::convert_args::real)] max_df: f64,
        #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] max_features: usize,
    ) -> PyResult<DiscoveredTopics> {
        if n_terms > core::MAX_TOPICS * 100 || examples > 1_000 {
            return Err(Error::option(
                if examples > 1_000 {
                    "examples"
                } else {
                    "n_terms"
                },
                n_terms.max(examples),
                "too many terms or examples per topic (at most 10,000 terms and 1,000 examples)",
            ))
            .py_err(py);
        }
        let opts = topic_options(
            py,
            n_topics,
            lang,
            seed,
            max_iter,
            tol,
            (min_df, max_df, max_features),
        )?;
        let t = texts_role(py, data, texts)?;
        let strs = t.strs(py);
        let out = crate::guard::detach(py, "voc.text.ThemeMatcher.discover_topics", || {
            core::untagged_topics(&self.inner, &strs[..], &opts, n_terms, examples)
        })
        .py_err(py)?;
        let mut cols = Columns::default();
        for tp in &out.topics {
            let ex: Vec<&str> = tp
                .examples
                .iter()
                .filter_map(|&i| strs.get(i).copied())
                .collect();
            cols.push(vec![
                ("topic", Value::U64(tp.summary.topic as u64)),
                ("label", Value::from(tp.summary.label.as_str())),
                ("terms", Value::from(tp.summary.terms.join(", ").as_str())),
                ("documents", Value::U64(tp.summary.documents as u64)),
                ("share", Value::F64(tp.summary.share)),
                ("examples", Value::from(ex.join("\n").as_str())),
            ]);
        }
        let table = cols.into_table(py, "discovered topics".into(), None)?;
        DiscoveredTopics::new(
            py,
            table,
            strs.len() as u64,
            out.untagged.len() as u64,
            out.model.n_topics as u64,
        )
    }
}

crate::table_result_class!(
    /// Topics of the texts a taxonomy does not tag (`ThemeMatcher.discover_topics`): the `table` (topic,
    /// label, terms, documents, share, examples) and the counts.
    DiscoveredTopics {
        /// Texts given.
        n: u64,
        /// Texts no theme tags (the topics' documents).
        n_untagged: u64,
        /// Topics fitted.
        n_topics: u64,
    }
);
