//! Topic discovery: `voc.text.topics` and the `TopicModel` class.

use super::*;

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
pub(super) fn text_topics(
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
