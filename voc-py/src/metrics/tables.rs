//! How a metric's result appears in a table: its row, its details, the one-row-per-group table.

use super::*;

fn base_row(r: &voc_core::metrics::Responses) -> Row {
    vec![
        ("n", r.n.into()),
        ("n_missing", r.missing.into()),
        ("n_eff", r.n_eff.into()),
    ]
}

fn common_details(r: &voc_core::metrics::Responses, ci: &Interval) -> Row {
    vec![
        ("confidence", ci.level.into()),
        ("method", ci.method.name().into()),
        ("weighted", r.weighted.into()),
        ("weight_sum", r.weight_sum.into()),
    ]
}

fn share_row(
    row: &mut Row,
    name: &'static str,
    low: &'static str,
    high: &'static str,
    s: &voc_core::stats::Share,
) {
    row.push((name, s.estimate.into()));
    row.push((low, s.ci.low.into()));
    row.push((high, s.ci.high.into()));
}

impl PyMetric for Nps {
    const NAME: &'static str = "nps";
    fn confidence(opts: &NpsOptions) -> f64 {
        opts.confidence
    }
    fn row(r: &voc_core::metrics::NpsResult) -> Row {
        let mut row = base_row(&r.responses);
        row.extend([
            ("nps", r.nps.into()),
            ("se", r.se.into()),
            ("ci_low", r.ci.low.into()),
            ("ci_high", r.ci.high.into()),
            ("detractors", r.detractors.into()),
            ("passives", r.passives.into()),
            ("promoters", r.promoters.into()),
            ("share_detractors", r.share_detractors.into()),
            ("share_passives", r.share_passives.into()),
            ("share_promoters", r.share_promoters.into()),
            ("mean", r.responses.mean.into()),
        ]);
        row
    }
    fn details(r: &voc_core::metrics::NpsResult) -> Row {
        let mut row = vec![
            ("variance", r.variance.into()),
            ("sd", r.responses.sd.into()),
        ];
        row.extend(common_details(&r.responses, &r.ci));
        row
    }
    fn wrap(py: Python<'_>, out: voc_core::metrics::NpsResult) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, NpsResult { inner: out })?.into_any())
    }
    fn responses(out: &voc_core::metrics::NpsResult) -> &voc_core::metrics::Responses {
        &out.responses
    }
}

impl PyMetric for Csat {
    const NAME: &'static str = "csat";
    fn confidence(opts: &CsatOptions) -> f64 {
        opts.confidence
    }
    fn row(r: &voc_core::metrics::CsatResult) -> Row {
        let mut row = base_row(&r.responses);
        share_row(
            &mut row,
            "satisfied",
            "satisfied_ci_low",
            "satisfied_ci_high",
            &r.satisfied,
        );
        share_row(
            &mut row,
            "top_box",
            "top_box_ci_low",
            "top_box_ci_high",
            &r.top_box,
        );
        row.push(("mean", r.responses.mean.into()));
        row.push(("mean_ci_low", r.mean_ci.map(|c| c.low).into()));
        row.push(("mean_ci_high", r.mean_ci.map(|c| c.high).into()));
        row.push(("sd", r.responses.sd.into()));
        row
    }
    fn details(r: &voc_core::metrics::CsatResult) -> Row {
        let mut row = vec![("satisfied_from", Value::I64(r.satisfied_from.into()))];
        row.extend(common_details(&r.responses, &r.satisfied.ci));
        row
    }
    fn wrap(py: Python<'_>, out: voc_core::metrics::CsatResult) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, CsatResult { inner: out })?.into_any())
    }
    fn responses(out: &voc_core::metrics::CsatResult) -> &voc_core::metrics::Responses {
        &out.responses
    }
}

impl PyMetric for Ces {
    const NAME: &'static str = "ces";
    fn confidence(opts: &CesOptions) -> f64 {
        opts.confidence
    }
    fn row(r: &voc_core::metrics::CesResult) -> Row {
        let mut row = base_row(&r.responses);
        row.push(("mean", r.responses.mean.into()));
        row.push(("mean_ci_low", r.mean_ci.map(|c| c.low).into()));
        row.push(("mean_ci_high", r.mean_ci.map(|c| c.high).into()));
        row.push(("sd", r.responses.sd.into()));
        share_row(&mut row, "easy", "easy_ci_low", "easy_ci_high", &r.easy);
        share_row(
            &mut row,
            "high_effort",
            "high_effort_ci_low",
            "high_effort_ci_high",
            &r.high_effort,
        );
        row
    }
    fn details(r: &voc_core::metrics::CesResult) -> Row {
        let mut row = vec![
            ("easy_from", Value::I64(r.easy_from.into())),
            ("hard_to", Value::I64(r.hard_to.into())),
        ];
        row.extend(common_details(&r.responses, &r.easy.ci));
        row
    }
    fn wrap(py: Python<'_>, out: voc_core::metrics::CesResult) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, CesResult { inner: out })?.into_any())
    }
    fn responses(out: &voc_core::metrics::CesResult) -> &voc_core::metrics::Responses {
        &out.responses
    }
}

/// One row per group, labelled.
pub(super) fn grouped_table<M: PyMetric>(
    py: Python<'_>,
    rows: &[(u32, M::Output)],
    labels: &Labels,
) -> PyResult<Table> {
    let mut cols = Columns::default();
    for (code, out) in rows {
        let mut row: Row = vec![("group", label_value(labels, *code))];
        row.extend(M::row(out));
        cols.push(row);
    }
    cols.into_table(py, format!("{} by group", M::NAME), None)
}

/// The typed result of a grouped or trend call: the table, and the counts of responses used and left
/// out (rows whose score, group label or time was missing, under `missing="skip"`).
#[allow(clippy::too_many_arguments)]
pub(super) fn grouped_result<'a, M: PyMetric>(
    py: Python<'_>,
    table: Table,
    outputs: impl Iterator<Item = &'a M::Output>,
    period: Option<Period>,
    confidence: f64,
    missing_group: u64,
    missing_time: u64,
) -> PyResult<Py<PyAny>>
where
    M::Output: 'a,
{
    let (mut n, mut missing_scores) = (0u64, 0u64);
    for out in outputs {
        let r = M::responses(out);
        n += r.n;
        missing_scores += r.missing;
    }
    let result = GroupedResult::new(
        py,
        table,
        M::NAME.to_owned(),
        period.map(|p| p.name().to_owned()),
        confidence,
        n,
        missing_scores + missing_group + missing_time,
        missing_group,
        missing_time,
    )?;
    Ok(Py::new(py, result)?.into_any())
}
