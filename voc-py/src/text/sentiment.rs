//! `voc.text.polarity` and `voc.text.sentiment`.

use super::*;

/// Sentiment of one text as a dict (neg, neu, pos, compound).
///
/// >>> import voc
/// >>> voc.text.polarity("The refund was fast, thanks!")["compound"] > 0
/// True
#[pyfunction(name = "text_polarity")]
#[pyo3(signature = (text, /, *, lang="auto"))]
pub(super) fn text_polarity<'py>(
    py: Python<'py>,
    text: &str,
    lang: &str,
) -> PyResult<Bound<'py, PyDict>> {
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
pub(super) fn text_sentiment(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    lang: &str,
) -> PyResult<Table> {
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
