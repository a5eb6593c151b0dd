//! `voc.nps`, `voc.csat`, `voc.ces`: read the columns, compute (single, by group or by period) and
//! convert the output.

use super::*;

// ---------------------------------------------------------------- one-shot functions

enum Computed<O> {
    Single(O),
    Grouped(Vec<(u32, O)>),
    Trend(Vec<TrendRow<O>>),
}

#[allow(clippy::too_many_arguments)]
fn compute<M: Metric, S: voc_core::metrics::Score>(
    scale: Scale,
    scores: &[S],
    groups: Option<&[u32]>,
    weights: Option<&[f64]>,
    times: Option<(&[i64], TimeUnit)>,
    period: Option<Period>,
    missing: MissingPolicy,
    opts: &M::Options,
) -> Result<Computed<M::Output>, Error> {
    let batch = Batch {
        scores,
        groups,
        weights,
        missing,
    };
    match (period, times) {
        (Some(p), Some((t, unit))) => Ok(Computed::Trend(trend::<M, S>(
            scale, batch, t, unit, p, opts,
        )?)),
        (None, None) => {
            let mut state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
            state.update_batch(batch)?;
            if groups.is_some() {
                Ok(Computed::Grouped(state.finish_groups(opts)?))
            } else {
                Ok(Computed::Single(state.finish(opts)?))
            }
        }
        (Some(p), None) => Err(Error::InvalidOption {
            name: "time",
            value: "None".into(),
            reason: format!(
                "period={:?} needs time= (one timestamp per score)",
                p.name()
            ),
        }),
        (None, Some(_)) => Err(Error::InvalidOption {
            name: "period",
            value: "None".into(),
            reason: "time= needs period= (\"day\", \"week\", \"month\", \"quarter\" or \"year\")"
                .into(),
        }),
    }
}

/// Reads the columns, applies the null policy, computes, and converts the output.
#[allow(clippy::too_many_arguments)]
fn run<M: PyMetric>(
    py: Python<'_>,
    scale: Scale,
    data: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    missing: &str,
    opts: &M::Options,
) -> PyResult<Py<PyAny>> {
    let (table, scores) = convert::single_column(py, data, scores, "scores")?;
    let by = convert::role(table.as_ref(), by, "by")?;
    let time = convert::role(table.as_ref(), time, "time")?;
    let weights = convert::role(table.as_ref(), weights, "weights")?;
    let (by, time, weights) = (by.as_ref(), time.as_ref(), weights.as_ref());
    let policy = convert::missing_policy(missing).py_err(py)?;
    let period = period.map(str::parse::<Period>).transpose().py_err(py)?;
    let scores = convert::numbers(&scores, "scores")?;
    if scores.data.len() == 0 {
        return Err(Error::Empty {
            arg: "scores",
            what: "no responses to summarise",
        })
        .py_err(py);
    }
    // Integer keys, unweighted, no period: counted from the key column as it is (no code array) —
    // as offsets from the smallest key when they span a direct table, else hashed in the same pass.
    if let Some(b) = by
        && weights.is_none()
        && time.is_none()
        && period.is_none()
        && let Some(int_keys) = convert::int_keys(b, "by")?
    {
        let (keys, base) = match &int_keys {
            IntKeys::Spanned { keys, base, .. } => (keys, Some(*base)),
            IntKeys::Sparse(keys) => (keys, None),
        };
        check_len(py, scores.data.len(), "by", keys.len())?;
        convert::check_nulls(policy, &[("scores", &scores.nulls)]).py_err(py)?;
        let scores = scores.nulls_as_nan();
        let (rows, sorted_keys) = with_numbers!(&scores, s => with_int_keys!(keys, k => crate::guard::detach(py, &format!("voc.{}", M::NAME), || {
            let mut state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
            let sorted_keys = match base {
                Some(base) => {
                    state.update_keyed(s, k, base, policy)?;
                    None
                }
                None => Some(state.update_by_keys(s, k, policy)?),
            };
            Ok((state.finish_groups(opts)?, sorted_keys))
        }), Err(Error::InvalidOption { name: "by", value: "float".into(), reason: "group labels must be integers".into() })))
        .py_err(py)?;
        let labels = match (sorted_keys, int_keys) {
            (Some(keys), _) => Labels::Int(keys),
            (None, IntKeys::Spanned { labels, .. }) => labels,
            (None, IntKeys::Sparse(_)) => Labels::Int(Vec::new()),
        };
        let table = grouped_table::<M>(py, &rows, &labels)?;
        let outputs = rows.iter().map(|(_, o)| o);
        return grouped_result::<M>(py, table, outputs, None, M::confidence(opts), 0, 0);
    }
    // An unordered Arrow string dictionary without nulls: counted by its keys as they are, then the
    // counts moved to the labels' sorted order.
    if let Some(b) = by
        && weights.is_none()
        && time.is_none()
        && period.is_none()
        && let Some((keys, map, labels)) = convert::dictionary_column(b, "by")?
    {
        check_len(py, scores.data.len(), "by", keys.len())?;
        convert::check_nulls(policy, &[("scores", &scores.nulls)]).py_err(py)?;
        let scores = scores.nulls_as_nan();
        let n_labels = labels.len();
        let rows = with_numbers!(&scores, s => with_int_keys!(&keys, k => crate::guard::detach(py, &format!("voc.{}", M::NAME), || {
            let mut state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
            state.update_keyed(s, k, 0, policy)?;
            state.regroup(&map, n_labels)?.finish_groups(opts)
        }), Err(Error::InvalidOption { name: "by", value: "float".into(), reason: "group labels must be integers".into() })))
        .py_err(py)?;
        let table = grouped_table::<M>(py, &rows, &labels)?;
        let outputs = rows.iter().map(|(_, o)| o);
        return grouped_result::<M>(py, table, outputs, None, M::confidence(opts), 0, 0);
    }
    // Object labels (a numpy object array, a pandas object column), unweighted, no period: counted by
    // object identity in one pass, each distinct object's label read once, the counts then moved to the
    // labels. What that pass does not settle (a bad score, many distinct objects) takes the general
    // path below, which reports it as it always has.
    if let Some(b) = by
        && weights.is_none()
        && time.is_none()
        && period.is_none()
        && scores.nulls.is_empty()
        && let Some(objects) = convert::object_array(b, "by")?
        && let Some(result) = by_objects::<M>(py, scale, &scores.data, &objects, policy, opts)?
    {
        return Ok(result);
    }
    let groups: Option<Column<Groups<'_>>> = by.map(|b| convert::groups(b, "by")).transpose()?;
    let labels = groups.as_ref().map(|g| g.data.labels.clone());
    let weights = weights
        .map(|w| convert::numbers(w, "weights"))
        .transpose()?;
    let times: Option<Column<Times<'_>>> = time.map(|t| convert::times(t, "time")).transpose()?;
    // The common case — scores by an integer column, unweighted, no period — reads the key column as it
    // is: no code array is built.
    if let Some(Column {
        data: Groups {
            codes: Codes::Keyed(keys, base),
            ..
        },
        nulls,
    }) = &groups
        && nulls.is_empty()
        && weights.is_none()
        && times.is_none()
        && period.is_none()
    {
        check_len(py, scores.data.len(), "by", keys.len())?;
        convert::check_nulls(policy, &[("scores", &scores.nulls)]).py_err(py)?;
        let scores = scores.nulls_as_nan();
        let base = *base;
        let rows = with_numbers!(&scores, s => with_int_keys!(keys, k => crate::guard::detach(py, &format!("voc.{}", M::NAME), || {
            let mut state = SurveyState::<M>::with_scale(scale.min, scale.max)?;
            state.update_keyed(s, k, base, policy)?;
            state.finish_groups(opts)
        }), Err(Error::InvalidOption { name: "by", value: "float".into(), reason: "group labels must be integers".into() })))
        .py_err(py)?;
        let table = grouped_table::<M>(py, &rows, &labels.unwrap_or(Labels::Int(Vec::new())))?;
        let outputs = rows.iter().map(|(_, o)| o);
        return grouped_result::<M>(py, table, outputs, None, M::confidence(opts), 0, 0);
    }
    let codes = groups.map(|g| Column {
        data: g.data.codes.into_dense(),
        nulls: g.nulls,
    });
    let unit = times.as_ref().map(|t| t.data.unit).unwrap_or_default();
    let p = prepare(py, policy, "by", scores, codes, weights, times)?;
    let time_slice = p.times.as_ref().map(|t| t.as_slice());
    let missing_times = time_slice.map_or(0, |t| t.iter().filter(|&&v| v == NAT).count());
    let (group_slice, weight_slice) = (
        p.groups.as_deref(),
        p.weights.as_ref().map(|w| w.as_slice()),
    );
    let computed = with_numbers!(&p.scores, s => crate::guard::detach(py, &format!("voc.{}", M::NAME), || {
        compute::<M, _>(scale, s, group_slice, weight_slice, time_slice.map(|t| (t, unit)), period, policy, opts)
    }))
    .py_err(py)?;
    let missing_group = p.dropped as u64;
    let missing_time = if period.is_some() {
        missing_times as u64
    } else {
        0
    };

    match computed {
        Computed::Single(out) => M::wrap(py, out),
        Computed::Grouped(rows) => {
            let table = grouped_table::<M>(py, &rows, &labels.unwrap_or(Labels::Int(Vec::new())))?;
            let outputs = rows.iter().map(|(_, o)| o);
            grouped_result::<M>(
                py,
                table,
                outputs,
                None,
                M::confidence(opts),
                missing_group,
                0,
            )
        }
        Computed::Trend(rows) => {
            let period = period.unwrap_or(Period::Month);
            let period_name = period.name();
            let confidence = M::confidence(opts);
            let mut cols = Columns::default();
            // A period whose metric is undefined (zero total weight) keeps its row: the metric's
            // columns are NaN (counts 0) and `undefined_reason` says why.
            let template: Option<Row> = rows.iter().find_map(|r| r.result.as_ref().map(M::row));
            for r in &rows {
                let mut row: Row = Vec::new();
                if let Some(l) = &labels {
                    row.push(("group", label_value(l, r.group)));
                }
                row.push(("period", r.label.clone().into()));
                row.push(("period_start", Value::Day(r.start_day)));
                match &r.result {
                    Some(result) => row.extend(M::row(result)),
                    None => row.extend(
                        template
                            .iter()
                            .flatten()
                            .map(|(name, v)| (*name, undefined_value(v))),
                    ),
                }
                row.push(("previous", Value::Str(r.previous.clone())));
                let t = r.change.as_ref();
                row.push(("change", t.map(|t| t.difference).into()));
                row.push(("change_se", t.map(|t| t.se).into()));
                row.push(("change_ci_low", t.map(|t| t.ci.low).into()));
                row.push(("change_ci_high", t.map(|t| t.ci.high).into()));
                row.push(("statistic", t.map(|t| t.statistic).into()));
                row.push(("p_value", t.map(|t| t.p_value).into()));
                row.push(("significant", r.significant(confidence).into()));
                row.push(("p_adjusted", r.p_adjusted.into()));
                row.push((
                    "significant_adjusted",
                    r.significant_adjusted(confidence).into(),
                ));
                row.push(("undefined_reason", Value::Str(r.undefined_reason.clone())));
                cols.push(row);
            }
            let kind = match &labels {
                Some(_) => format!("{} by group and {period_name}", M::NAME),
                None => format!("{} by {period_name}", M::NAME),
            };
            let table = cols.into_table(py, kind, None)?;
            let outputs = rows.iter().filter_map(|r| r.result.as_ref());
            grouped_result::<M>(
                py,
                table,
                outputs,
                Some(period),
                confidence,
                missing_group,
                missing_time,
            )
        }
    }
}

/// Grouped results by an object label column, counted by object identity
/// (`SurveyState::update_by_identities`): `None` when the general path must decide (a bad or missing
/// score, more distinct objects than the identity pass counts, no label at all), so that every error
/// and count is the general path's.
fn by_objects<M: PyMetric>(
    py: Python<'_>,
    scale: Scale,
    scores: &Numbers<'_>,
    objects: &Bound<'_, numpy::PyArray1<Py<PyAny>>>,
    policy: MissingPolicy,
    opts: &M::Options,
) -> PyResult<Option<Py<PyAny>>> {
    use numpy::PyArrayMethods;
    let view = objects.readonly();
    let Ok(slice) = view.as_slice() else {
        return Ok(None);
    };
    if slice.len() != scores.len() {
        return Ok(None);
    }
    // The objects' addresses are only hash keys, read on several threads while the GIL is held.
    let ptr = |i: usize| slice[i].as_ptr() as usize;
    let counted = with_numbers!(scores, s => SurveyState::<M>::with_scale(scale.min, scale.max)
    .ok()
    .and_then(|mut state| match state.update_by_identities(s, ptr, policy) {
        Ok(Some(ids)) => Some((state, ids)),
        _ => None,
    }));
    let Some((state, ids)) = counted else {
        return Ok(None);
    };
    let (codes, labels, nulls) =
        convert::object_labels(py, &ids.first, |r| slice[r].bind(py).clone(), "by")?;
    if labels.len() == 0 {
        return Ok(None);
    }
    if policy == MissingPolicy::Error
        && let Some(index) = nulls
            .iter()
            .filter_map(|&d| ids.first.get(d).copied())
            .min()
    {
        return Err(Error::Missing { arg: "by", index }).py_err(py);
    }
    // The rows of missing labels (None, NaN) belong to no group: left out, and counted.
    let mut map: Vec<Option<u32>> = codes.into_iter().map(Some).collect();
    for &d in &nulls {
        if let Some(m) = map.get_mut(d) {
            *m = None;
        }
    }
    let (rows, dropped) = crate::guard::detach(py, &format!("voc.{}", M::NAME), || {
        let (state, dropped) = state.regroup_dropping(&map, labels.len())?;
        Ok::<_, Error>((state.finish_groups(opts)?, dropped))
    })
    .py_err(py)?;
    let table = grouped_table::<M>(py, &rows, &labels)?;
    let outputs = rows.iter().map(|(_, o)| o);
    grouped_result::<M>(py, table, outputs, None, M::confidence(opts), dropped, 0).map(Some)
}

/// The value of a metric's column in a row where the metric is undefined.
fn undefined_value(v: &Value) -> Value {
    match v {
        Value::F64(_) => Value::F64(f64::NAN),
        Value::U64(_) => Value::U64(0),
        Value::I64(_) => Value::I64(0),
        Value::Bool(_) => Value::Bool(false),
        Value::Str(_) => Value::Str(None),
        Value::Day(d) => Value::Day(*d),
    }
}

fn scale_of(py: Python<'_>, scale: (i32, i32)) -> PyResult<Scale> {
    Scale::new(scale.0, scale.1).py_err(py)
}

/// Net Promoter Score (promoters 9–10 minus detractors 0–6, in points) with its confidence interval.
///
/// `scores` is any column of 0–10 answers (numpy, pandas, polars, pyarrow, list). With `by=` the result
/// is a `GroupedResult` whose `table` has one row per group; with `period=` and `time=` its `table` is a
/// trend comparing each period with the previous one (Wald z-test; `p_adjusted` /
/// `significant_adjusted` apply Holm's correction across the table's tests); `n`, `n_missing`,
/// `n_missing_group` and `n_missing_time` count the responses used and the rows left out. `interval` is "adjusted_wald" (Rocks 2016, default), "wald" (as R's
/// NPS package) or "bootstrap" (`resamples`, `seed`). `weights` gives a weighted NPS with Kish effective
/// n. `missing="skip"` leaves NaN/None/null rows out and counts them in `.n_missing`.
///
/// >>> import voc
/// >>> r = voc.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 10])
/// >>> r.nps, r.promoters, r.detractors
/// (40.0, 6, 2)
/// >>> [round(x, 2) for x in voc.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 10], interval="wald").ci]
/// [-9.58, 89.58]
/// >>> g = voc.nps([9, 10, 3, 8, None], by=["web", "app", "web", "app", "app"], missing="skip")
/// >>> g.table["group"], g.table["nps"].tolist(), (g.n, g.n_missing)
/// (['app', 'web'], [50.0, 0.0], (4, 1))
#[pyfunction]
#[pyo3(signature = (data=None, /, *, scores=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval="adjusted_wald", resamples=2000, seed=0, missing="error"))]
#[allow(clippy::too_many_arguments)]
pub fn nps(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::opt_text)] period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
    #[pyo3(from_py_with = crate::convert_args::whole::<usize>)] resamples: usize,
    #[pyo3(from_py_with = crate::convert_args::whole::<u64>)] seed: u64,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<Py<PyAny>> {
    let opts = NpsOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<NpsInterval>().py_err(py)?)
        .resamples(resamples)
        .seed(seed);
    run::<Nps>(
        py,
        Nps::default_scale(),
        data,
        scores,
        by,
        period,
        time,
        weights,
        missing,
        &opts,
    )
}

/// CSAT: share satisfied (top-2-box by default), top-box share and mean score, with intervals.
///
/// `scale` is (min, max), default (1, 5); `satisfied_from` the lowest satisfied point (default max − 1).
/// Shares use `interval` = "wilson" (default), "wilson_cc", "clopper_pearson" or "wald"; the mean a
/// Student-t interval. `by=`, `period=`/`time=`, `weights=` and `missing=` work as in `nps`.
///
/// >>> import voc
/// >>> r = voc.csat([5, 4, 4, 3, 1, 5, 2, 4])
/// >>> r.satisfied, r.top_box, r.mean
/// (0.625, 0.25, 3.5)
/// >>> [round(x, 4) for x in r.satisfied_ci]
/// [0.3057, 0.8632]
#[pyfunction]
#[pyo3(signature = (data=None, /, *, scores=None, scale=(1, 5), satisfied_from=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval="wilson", missing="error"))]
#[pyo3(
    text_signature = "(data=None, /, *, scores=None, scale=(1, 5), satisfied_from=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval='wilson', missing='error')"
)]
#[allow(clippy::too_many_arguments)]
pub fn csat(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole_pair::<i32>)] scale: (i32, i32),
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] satisfied_from: Option<i32>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::opt_text)] period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<Py<PyAny>> {
    let opts = CsatOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<ShareInterval>().py_err(py)?)
        .satisfied_from(satisfied_from);
    run::<Csat>(
        py,
        scale_of(py, scale)?,
        data,
        scores,
        by,
        period,
        time,
        weights,
        missing,
        &opts,
    )
}

/// CES (2.0): mean effort score with its Student-t interval, share easy and share high effort.
///
/// `scale` is (min, max), default (1, 7); "easy" is `easy_from`..max (default 5–7) and "high effort"
/// min..`hard_to` (default 1–3). `by=`, `period=`/`time=`, `weights=` and `missing=` work as in `nps`.
///
/// >>> import voc
/// >>> r = voc.ces([7, 6, 5, 5, 2, 4, 6, 1])
/// >>> r.mean, r.easy, r.high_effort
/// (4.5, 0.625, 0.25)
#[pyfunction]
#[pyo3(signature = (data=None, /, *, scores=None, scale=(1, 7), easy_from=None, hard_to=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval="wilson", missing="error"))]
#[pyo3(
    text_signature = "(data=None, /, *, scores=None, scale=(1, 7), easy_from=None, hard_to=None, by=None, period=None, time=None, weights=None, confidence=0.95, interval='wilson', missing='error')"
)]
#[allow(clippy::too_many_arguments)]
pub fn ces(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::whole_pair::<i32>)] scale: (i32, i32),
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] easy_from: Option<i32>,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<i32>)] hard_to: Option<i32>,
    by: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::opt_text)] period: Option<&str>,
    time: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert_args::real)] confidence: f64,
    #[pyo3(from_py_with = crate::convert_args::text)] interval: &str,
    #[pyo3(from_py_with = crate::convert_args::text)] missing: &str,
) -> PyResult<Py<PyAny>> {
    let opts = CesOptions::default()
        .confidence(confidence)
        .interval(interval.parse::<ShareInterval>().py_err(py)?)
        .easy_from(easy_from)
        .hard_to(hard_to);
    run::<Ces>(
        py,
        scale_of(py, scale)?,
        data,
        scores,
        by,
        period,
        time,
        weights,
        missing,
        &opts,
    )
}
