//! `voc.text.reason_shares`: the share of respondents giving each reason.

use super::*;

/// Share of respondents giving each reason, with intervals. `reasons` holds one reason (str) or a list
/// of reasons (multi-select) per respondent; None is a respondent with no reason. Takes the column, or a
/// table and `reasons=` naming its column. One row per reason (sorted): reason, count, n, estimate
/// (the share), ci_low, ci_high.
///
/// >>> import voc
/// >>> t = voc.text.reason_shares([["price", "refund"], "refund", None, "size"])
/// >>> t["reason"], t["count"].tolist(), t["estimate"].tolist()
/// (['price', 'refund', 'size'], [1, 2, 1], [0.25, 0.5, 0.25])
/// >>> voc.text.reason_shares({"why": ["price", "size"]}, reasons="why")["count"].tolist()
/// [1, 1]
#[pyfunction(name = "text_reason_shares")]
#[pyo3(signature = (data=None, /, *, reasons=None, confidence=0.95, interval="wilson"))]
pub(super) fn text_reason_shares(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    reasons: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
) -> PyResult<Table> {
    let (_, reasons) = convert::single_column(py, data, reasons, "reasons")?;
    let reasons = &reasons;
    if reasons.is_instance_of::<PyString>() {
        // A single str is a sequence of letters: "price" would count p, r, i, c and e.
        return Err(dtype_err(
            py,
            "reasons",
            "a single str (pass one answer per respondent: a list of str)".into(),
        ));
    }
    let method = interval.parse::<ShareInterval>().py_err(py)?;
    let opts = voc_core::stats::IntervalOptions::default()
        .confidence(confidence)
        .method(method);
    let mut labels: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, u32> = Default::default();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let seq = if reasons.hasattr("tolist").unwrap_or(false) {
        reasons.call_method0("tolist")?
    } else {
        reasons.clone()
    };
    if seq.try_iter().is_err() {
        let t = seq.get_type().name()?.to_string();
        return Err(dtype_err(py, "reasons", format!("{t} (not a column)")));
    }
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
            rows.push(vec![code(&text_arg(s, "reasons", Some(i))?)]);
        } else if let Some(list) = reason_list(&item, i)? {
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
    let shares = crate::guard::run(py, "voc.text.reason_shares", || {
        core::reason_shares(&sets, labels.len(), &opts)
    })?
    .py_err(py)?;
    let mut cols = Columns::default();
    for (r, s) in order.iter().zip(shares) {
        cols.push(vec![
            ("reason", Value::from(labels[*r].as_str())),
            ("count", Value::U64(s.successes as u64)),
            ("n", Value::U64(s.n as u64)),
            ("estimate", Value::F64(s.estimate)),
            ("ci_low", Value::F64(s.ci.low)),
            ("ci_high", Value::F64(s.ci.high)),
        ]);
    }
    cols.into_table(py, "reason shares".into(), None)
}

/// The reasons of a multi-select answer (a list, tuple or array of str); `None` when `item` is not one.
fn reason_list(item: &Bound<'_, PyAny>, row: usize) -> PyResult<Option<Vec<String>>> {
    if item.is_instance_of::<PyString>() || item.extract::<f64>().is_ok() {
        return Ok(None);
    }
    let seq = if item.hasattr("tolist").unwrap_or(false) {
        item.call_method0("tolist")?
    } else {
        item.clone()
    };
    let Ok(iter) = seq.try_iter() else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for x in iter {
        let x = x?;
        let Ok(s) = x.cast::<PyString>() else {
            return Ok(None);
        };
        out.push(text_arg(s, "reasons", Some(row))?.into_owned());
    }
    Ok(Some(out))
}
