//! Columns made ready for the core: lengths checked, the null policy applied, rows without a group
//! dropped.

use super::*;

/// Columns ready for the core. Nulls in scores and weights became NaN and nulls in times NaT, which the
/// core counts as missing (policy `Skip`) per group; rows whose group label is null are dropped, since
/// they belong to no group, and counted in `dropped`.
pub(super) struct Prepared<'py> {
    pub(super) scores: Numbers<'py>,
    pub(super) groups: Option<Vec<u32>>,
    pub(super) weights: Option<Buf<'py, f64>>,
    pub(super) times: Option<Buf<'py, i64>>,
    pub(super) dropped: usize,
}

pub(super) fn prepare<'py>(
    py: Python<'py>,
    policy: MissingPolicy,
    group_arg: &'static str,
    scores: Column<Numbers<'py>>,
    groups: Option<Column<Vec<u32>>>,
    weights: Option<Column<Numbers<'py>>>,
    times: Option<Column<Times<'py>>>,
) -> PyResult<Prepared<'py>> {
    let n = scores.data.len();
    if let Some(g) = &groups {
        check_len(py, n, group_arg, g.data.len())?;
    }
    if let Some(w) = &weights {
        check_len(py, n, "weights", w.data.len())?;
    }
    if let Some(t) = &times {
        check_len(py, n, "time", t.data.values.as_slice().len())?;
    }
    let empty: &[usize] = &[];
    convert::check_nulls(
        policy,
        &[
            ("scores", &scores.nulls),
            (group_arg, groups.as_ref().map_or(empty, |g| &g.nulls)),
            ("weights", weights.as_ref().map_or(empty, |w| &w.nulls)),
            ("time", times.as_ref().map_or(empty, |t| &t.nulls)),
        ],
    )
    .py_err(py)?;
    let mut prepared = Prepared {
        scores: scores.nulls_as_nan(),
        groups: None,
        weights: weights.map(|w| w.nulls_as_nan().into_f64()),
        times: None,
        dropped: 0,
    };
    let unit_times = times.map(Column::nulls_as_nat);
    let Some(groups) = groups else {
        prepared.times = unit_times.map(|t| t.values);
        return Ok(prepared);
    };
    if groups.nulls.is_empty() {
        prepared.groups = Some(groups.data);
        prepared.times = unit_times.map(|t| t.values);
        return Ok(prepared);
    }
    let mut keep = vec![true; n];
    for &i in &groups.nulls {
        keep[i] = false;
    }
    prepared.dropped = groups.nulls.len();
    prepared.scores = prepared.scores.compact(&keep);
    prepared.groups = Some(compact_slice(&groups.data, &keep));
    prepared.weights = prepared
        .weights
        .map(|w| Buf::Owned(compact_slice(w.as_slice(), &keep)));
    prepared.times = unit_times.map(|t| Buf::Owned(compact_slice(t.values.as_slice(), &keep)));
    Ok(prepared)
}
