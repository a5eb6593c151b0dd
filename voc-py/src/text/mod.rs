//! `voc.text`: theme matching, mention rates and alerts, top negative keywords, sentiment, reason shares
//! and topic discovery. Texts come as lists, numpy arrays, or pandas / polars / pyarrow string columns.

use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use voc_core::stats::{Adjustment, ShareInterval};
use voc_core::text::{
    self as core, ChannelLabels, MentionOptions, MentionSettings, MentionStateBatch, Normalizer,
    SentimentLang, Sets, Taxonomy,
};
use voc_core::time::Period;
use voc_core::{Error, Fit, Predict};

use crate::convert::{self, Labels};
use crate::error::IntoPy;
use crate::state::Shared;
use crate::table::{Columns, Table, Value};

mod rates;
mod reasons;
mod sentiment;
mod state;
mod themes;
mod topics;

use crate::convert::texts::dtype_err;
pub use crate::convert::texts::{text_arg, texts, texts_role};
pub use rates::MentionRatesResult;
pub(crate) use rates::channel_value;
use rates::{mention_options, mention_table};
pub use state::MentionState;
pub use themes::ThemeMatcher;
pub use topics::TopicModel;

/// Registers the text functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ThemeMatcher>()?;
    m.add_function(wrap_pyfunction!(text_normalize, m)?)?;
    m.add_function(wrap_pyfunction!(sentiment::text_polarity, m)?)?;
    m.add_function(wrap_pyfunction!(sentiment::text_sentiment, m)?)?;
    m.add_function(wrap_pyfunction!(reasons::text_reason_shares, m)?)?;
    m.add_function(wrap_pyfunction!(text_sample_tickets, m)?)?;
    m.add_function(wrap_pyfunction!(topics::text_fit_topics, m)?)?;
    m.add_class::<TopicModel>()?;
    m.add_class::<topics::TopicSharesResult>()?;
    m.add_class::<topics::DiscoveredTopics>()?;
    m.add_class::<sentiment::PolarityResult>()?;
    m.add_class::<MentionState>()?;
    m.add_class::<MentionRatesResult>()?;
    m.add("DEFAULT_RETAIL_TAXONOMY", core::DEFAULT_RETAIL)?;
    Ok(())
}

fn lang_of(py: Python<'_>, lang: &str) -> PyResult<SentimentLang> {
    lang.parse::<SentimentLang>().py_err(py)
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

/// The normalised form of a text (case and full-width folding; same number of characters).
///
/// >>> import voc
/// >>> voc.text.normalize("ＲＥＦＵＮＤ 退款")  # full-width folded, lower-cased, same length
/// 'refund 退款'
#[pyfunction(name = "text_normalize")]
#[pyo3(signature = (text, /, *, lowercase=true, width=true))]
fn text_normalize(
    #[pyo3(from_py_with = crate::convert_args::py_str)] text: Bound<'_, PyString>,
    #[pyo3(from_py_with = crate::convert_args::flag)] lowercase: bool,
    #[pyo3(from_py_with = crate::convert_args::flag)] width: bool,
) -> PyResult<String> {
    let text = text_arg(&text, "text", None)?;
    Ok(Normalizer { lowercase, width }.normalize(&text))
}

/// Seeded synthetic support tickets ("zh" or "en") for examples and benchmarks; `n` is at most
/// 10,000,000 (voc-core's `text::MAX_TICKETS`; more is a `LimitError`), and Ctrl-C stops the call.
///
/// >>> import voc
/// >>> len(voc.text.sample_tickets(3, seed=1, lang="en")), voc.text.sample_tickets(3, seed=1) == voc.text.sample_tickets(3, seed=1)
/// (3, True)
#[pyfunction(name = "text_sample_tickets")]
#[pyo3(signature = (n, /, *, seed=42, lang="zh"))]
fn text_sample_tickets(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] n: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::text)] lang: &str,
) -> PyResult<Vec<String>> {
    let lang = lang.parse::<core::Lang>().py_err(py)?;
    crate::guard::detach(py, "voc.text.sample_tickets", || {
        core::sample_tickets(n, seed, lang)
    })
    .py_err(py)
}
