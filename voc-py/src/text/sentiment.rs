//! `voc.text.polarity` and `voc.text.sentiment`.

use super::*;

/// The sentiment of one text: VADER's neg / neu / pos shares and the compound score in −1..1
/// (`estimate` is the compound score, the headline number).
#[pyclass(frozen, module = "voc._voc")]
pub struct PolarityResult {
    inner: core::Polarity,
}

crate::pickled!(PolarityResult);

#[pymethods]
impl PolarityResult {
    /// Share of negative valence.
    #[getter]
    fn neg(&self) -> f64 {
        self.inner.neg
    }
    /// Share of neutral tokens.
    #[getter]
    fn neu(&self) -> f64 {
        self.inner.neu
    }
    /// Share of positive valence.
    #[getter]
    fn pos(&self) -> f64 {
        self.inner.pos
    }
    /// Normalised sum of valences, in −1..1.
    #[getter]
    fn compound(&self) -> f64 {
        self.inner.compound
    }
    /// The headline number: the compound score.
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.compound
    }
    /// All fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("estimate", self.inner.compound)?;
        d.set_item("neg", self.inner.neg)?;
        d.set_item("neu", self.inner.neu)?;
        d.set_item("pos", self.inner.pos)?;
        d.set_item("compound", self.inner.compound)?;
        Ok(d)
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let mut html = "<p><b>voc PolarityResult</b></p><table>".to_string();
        for (k, v) in self.to_dict(py)?.iter() {
            html.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                crate::table::escape(&k.str()?.to_string()),
                crate::table::escape(&v.str()?.to_string())
            ));
        }
        html.push_str("</table>");
        Ok(html)
    }
    fn __repr__(&self) -> String {
        let p = &self.inner;
        format!(
            "PolarityResult(compound={:.4}, neg={:.3}, neu={:.3}, pos={:.3})",
            p.compound, p.neg, p.neu, p.pos
        )
    }
}

/// Sentiment of one text: a :class:`PolarityResult` (neg, neu, pos, compound).
///
/// >>> import voc
/// >>> voc.text.polarity("The refund was fast, thanks!").compound > 0
/// True
#[pyfunction(name = "text_polarity")]
#[pyo3(signature = (text, /, *, lang="auto"))]
pub(super) fn text_polarity(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::py_str)] text: Bound<'_, PyString>,
    #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
) -> PyResult<PolarityResult> {
    let lang = lang_of(py, lang)?;
    let text = text_arg(&text, "text", None)?;
    Ok(PolarityResult {
        inner: core::polarity(&text, lang),
    })
}

/// Sentiment of many texts: a table with neg, neu, pos, compound per text. Takes the column of texts,
/// or a table and `texts=` naming its column.
///
/// >>> import voc
/// >>> [round(float(x), 4) for x in voc.text.sentiment(["great service", "refund is slow and terrible"])["compound"]]
/// [0.6249, -0.4767]
/// >>> voc.text.sentiment({"review": ["great service"]}, texts="review")["compound"].round(4).tolist()
/// [0.6249]
#[pyfunction(name = "text_sentiment")]
#[pyo3(signature = (data=None, /, *, texts=None, lang="auto"))]
pub(super) fn text_sentiment(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    texts: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
) -> PyResult<Table> {
    let lang = lang_of(py, lang)?;
    let t = texts_role(py, data, texts)?;
    let strs = t.strs(py);
    let ps = crate::guard::detach(py, "voc.text.sentiment", || {
        core::polarity_batch(&strs, lang)
    })
    .py_err(py)?;
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
