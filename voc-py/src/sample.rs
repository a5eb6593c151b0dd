//! `voc.sample`: seeded simulated data as tables.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use voc_core::followup::Trigger;
use voc_core::sample::{
    self, ACQUISITION, CAMPAIGN_GROUPS, CATEGORIES, CHANNELS, CHURN_REASONS, FOLLOWUP_ACTIONS,
    FOLLOWUP_OUTCOMES, PLATFORMS, REGIONS, RetailerOptions, SEGMENTS, SurveyOptions, TEAMS, THEMES,
    TICKET_CHANNELS, TIERS,
};
use voc_core::signals::{DAY, SurveyKind};
use voc_core::time::NAT;

use crate::error::{BindError, IntoPy, to_py};
use crate::table::{Table, TableBuilder};

/// Simulated survey responses of a fashion retailer (12 months; NPS, CSAT, CES, segment, channel, time,
/// weight) and the fields of each planted change. Wrapped by `voc.sample.surveys` and
/// `voc.sample.survey_changes`.
#[pyfunction]
#[pyo3(name = "_surveys", signature = (*, seed=2026, responses=200_000, year=2025))]
pub fn surveys(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] seed: i64,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] responses: i64,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] year: i64,
) -> PyResult<(Table, Bound<'_, PyList>)> {
    let seed = whole(py, "seed", seed, 0, i64::MAX)? as u64;
    let responses = whole(py, "responses", responses, 0, i64::MAX)? as usize;
    let year = whole(py, "year", year, 1, 9_999)? as i32;
    let opts = SurveyOptions::default()
        .responses(responses)
        .seed(seed)
        .year(year);
    let s = crate::guard::detach(py, "voc.sample.surveys", || sample::surveys(&opts)).py_err(py)?;
    let segment: Vec<&str> = s.segment.iter().map(|&c| SEGMENTS[c as usize]).collect();
    let channel: Vec<&str> = s.channel.iter().map(|&c| CHANNELS[c as usize]).collect();
    // Microseconds: a unit pandas, polars and Arrow all take.
    let time = PyArray1::from_vec(py, s.time)
        .call_method1("astype", ("datetime64[s]",))?
        .call_method1("astype", ("datetime64[us]",))?;
    let columns: Vec<(&str, Py<PyAny>)> = vec![
        ("time", time.unbind()),
        ("segment", PyList::new(py, segment)?.into_any().unbind()),
        ("channel", PyList::new(py, channel)?.into_any().unbind()),
        ("nps", PyArray1::from_vec(py, s.nps).into_any().unbind()),
        ("csat", PyArray1::from_vec(py, s.csat).into_any().unbind()),
        ("ces", PyArray1::from_vec(py, s.ces).into_any().unbind()),
        (
            "weight",
            PyArray1::from_vec(py, s.weight).into_any().unbind(),
        ),
    ];
    let planted = PyList::empty(py);
    for p in &s.planted {
        let d = PyDict::new(py);
        d.set_item("description", &p.description)?;
        d.set_item("channel", CHANNELS[p.channel as usize])?;
        d.set_item("from_month", &p.from_month)?;
        d.set_item("latent_shift", p.shift)?;
        planted.append(d)?;
    }
    let (names, cols): (Vec<String>, Vec<Py<PyAny>>) =
        columns.into_iter().map(|(n, c)| (n.to_string(), c)).unzip();
    let table = Table::from_columns("survey sample".into(), names, cols, responses, None);
    Ok((table, planted))
}

/// Simulated fashion retailer: a dict of tables (customers, orders, returns, tickets, surveys, mentions,
/// churn, truth, campaign, campaign_truth, cases, cases_truth, followup_surveys, fixes) and the
/// planted effects. Wrapped by `voc.sample.retailer`.
#[pyfunction]
#[pyo3(name = "_retailer", signature = (*, seed=7, customers=20_000, start_day=19_723, days=730, fix_day=Some(540), slow_refund_rate=0.30, slow_refund_rate_fixed=0.05, churn_odds_ratio=4.0, holdout=0.0, campaign_day=Some(240), campaign_window=90, campaign_share=1.0, followup_day=Some(365), followup_holdout=0.2, followup_sla_hours=48.0, followup_window=90))]
#[allow(clippy::too_many_arguments)]
pub fn retailer<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] seed: i64,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] customers: i64,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] start_day: i64,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] days: i64,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<i64>)] fix_day: Option<i64>,
    #[pyo3(from_py_with = crate::convert_args::real)] slow_refund_rate: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] slow_refund_rate_fixed: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] churn_odds_ratio: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] holdout: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<i64>)] campaign_day: Option<i64>,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] campaign_window: i64,
    #[pyo3(from_py_with = crate::convert_args::real)] campaign_share: f64,
    #[pyo3(from_py_with = crate::convert_args::opt_whole::<i64>)] followup_day: Option<i64>,
    #[pyo3(from_py_with = crate::convert_args::real)] followup_holdout: f64,
    #[pyo3(from_py_with = crate::convert_args::real)] followup_sla_hours: f64,
    #[pyo3(from_py_with = crate::convert_args::whole::<i64>)] followup_window: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let seed = whole(py, "seed", seed, 0, i64::MAX)? as u64;
    let customers = whole(py, "customers", customers, 0, i64::MAX)? as usize;
    let days = whole(py, "days", days, 0, i64::from(u32::MAX))? as u32;
    let fix_day = fix_day
        .map(|d| whole(py, "fix_day", d, 0, i64::from(u32::MAX)).map(|d| d as u32))
        .transpose()?;
    let campaign_day = campaign_day
        .map(|d| whole(py, "campaign_day", d, 0, i64::from(u32::MAX)).map(|d| d as u32))
        .transpose()?;
    let campaign_window = whole(
        py,
        "campaign_window",
        campaign_window,
        0,
        i64::from(u32::MAX),
    )? as u32;
    let followup_day = followup_day
        .map(|d| whole(py, "followup_day", d, 0, i64::from(u32::MAX)).map(|d| d as u32))
        .transpose()?;
    let followup_window = whole(
        py,
        "followup_window",
        followup_window,
        0,
        i64::from(u32::MAX),
    )? as u32;
    let opts = RetailerOptions::default()
        .followup_day(followup_day)
        .followup_holdout(followup_holdout)
        .followup_sla_hours(followup_sla_hours)
        .followup_window(followup_window)
        .customers(customers)
        .seed(seed)
        .start_day(start_day)
        .days(days)
        .fix_day(fix_day)
        .slow_refund_rate(slow_refund_rate)
        .slow_refund_rate_fixed(slow_refund_rate_fixed)
        .churn_odds_ratio(churn_odds_ratio)
        .holdout(holdout)
        .campaign_day(campaign_day)
        .campaign_window(campaign_window)
        .campaign_share(campaign_share);
    let r =
        crate::guard::detach(py, "voc.sample.retailer", || sample::retailer(&opts)).py_err(py)?;
    let out = PyDict::new(py);
    let codes = |v: &[u8]| {
        v.iter()
            .map(|&c| c as usize)
            .collect::<Vec<_>>()
            .into_iter()
    };

    let c = r.customers;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", c.id.clone());
    t.times("signup", c.signup)?;
    t.labels("tier", codes(&c.tier), &TIERS)?;
    t.labels("region", codes(&c.region), &REGIONS)?;
    t.labels("channel", codes(&c.channel), &ACQUISITION)?;
    t.numbers("holdout", c.holdout);
    out.set_item("customers", t.finish("retailer customers", None))?;

    let o = r.orders;
    let mut t = TableBuilder::new(py);
    t.numbers("order_id", o.id);
    t.numbers("customer_id", o.customer);
    t.times("time", o.time)?;
    t.numbers("amount", o.amount);
    t.labels("category", codes(&o.category), &CATEGORIES)?;
    t.numbers("returnable", o.returnable);
    out.set_item("orders", t.finish("retailer orders", None))?;

    let rt = r.returns;
    let mut t = TableBuilder::new(py);
    t.numbers("order_id", rt.order);
    t.numbers("customer_id", rt.customer);
    t.times("requested", rt.requested)?;
    t.times("received", rt.received)?;
    t.times("refunded", rt.refunded)?;
    t.numbers("amount", rt.amount);
    out.set_item("returns", t.finish("retailer returns", None))?;

    let tk = r.tickets;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", tk.customer);
    t.times("time", tk.time)?;
    t.labels("channel", codes(&tk.channel), &TICKET_CHANNELS)?;
    t.labels("theme", tk.theme.iter().map(|&x| x as usize), &THEMES)?;
    let text: Vec<Option<String>> = tk.text.into_iter().map(Some).collect();
    t.strings("text", &text)?;
    t.times("resolved", tk.resolved)?;
    t.numbers("csat", tk.csat);
    out.set_item("tickets", t.finish("retailer tickets", None))?;

    let s = r.surveys;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", s.customer);
    t.times("time", s.time)?;
    let kinds = ["nps", "csat", "ces"];
    let kind = s.kind.iter().map(|k| match k {
        SurveyKind::Nps => 0,
        SurveyKind::Csat => 1,
        SurveyKind::Ces => 2,
    });
    t.labels("kind", kind.collect::<Vec<_>>().into_iter(), &kinds)?;
    t.numbers("score", s.score);
    t.strings("verbatim", &s.verbatim)?;
    out.set_item("surveys", t.finish("retailer survey answers", None))?;

    let m = r.mentions;
    let mut t = TableBuilder::new(py);
    // Anonymous posters have no id: NaN, as pandas shows an integer column with gaps.
    let ids: Vec<f64> = m
        .customer
        .iter()
        .map(|c| c.map_or(f64::NAN, |x| x as f64))
        .collect();
    t.numbers("customer_id", ids);
    t.times("time", m.time)?;
    t.labels("platform", codes(&m.platform), &PLATFORMS)?;
    t.labels("theme", m.theme.iter().map(|&x| x as usize), &THEMES)?;
    let text: Vec<Option<String>> = m.text.into_iter().map(Some).collect();
    t.strings("text", &text)?;
    t.numbers("sentiment", m.sentiment);
    out.set_item("mentions", t.finish("retailer social mentions", None))?;

    let ch = r.churn;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", ch.customer);
    t.times("time", ch.time)?;
    t.labels("reason", codes(&ch.reason), &CHURN_REASONS)?;
    out.set_item("churn", t.finish("retailer churn-survey answers", None))?;

    let tr = r.truth;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", c.id);
    let churned: Vec<bool> = tr.churn_time.iter().map(|&x| x != NAT).collect();
    t.numbers("churned", churned);
    t.times("churn_time", tr.churn_time)?;
    t.numbers("slow_refunds", tr.slow_refunds);
    t.numbers("base_churn_prob", tr.base_churn_prob);
    t.numbers("satisfaction", tr.satisfaction);
    out.set_item("truth", t.finish("retailer truth", None))?;

    let has_campaign = r.planted.campaign.is_some();
    let cp = r.campaign;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", cp.customer);
    t.numbers("treated", cp.treated);
    t.times("time", cp.time)?;
    t.numbers("churned", cp.churned);
    let table = t.finish("retailer retention campaign", None);
    out.set_item("campaign", has_campaign.then_some(table))?;

    let ct = tr.campaign;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", ct.customer);
    t.labels("group", codes(&ct.group), &CAMPAIGN_GROUPS)?;
    t.numbers("p_churn_control", ct.p_churn_control);
    t.numbers("p_churn_call", ct.p_churn_call);
    t.numbers("effect", ct.effect);
    let table = t.finish("retailer campaign truth", None);
    out.set_item("campaign_truth", has_campaign.then_some(table))?;

    let has_loop = r.planted.followup.is_some();
    let cs = r.cases;
    // Held-out triggers have no team, action or outcome: a missing label.
    let maybe = |v: &[Option<u8>]| {
        v.iter()
            .map(|c| c.map_or(usize::MAX, usize::from))
            .collect::<Vec<_>>()
            .into_iter()
    };
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", cs.customer);
    let trigger = cs.trigger.iter().map(|k| match k {
        Trigger::Detractor => 0,
        Trigger::Alert => 1,
        Trigger::Ticket => 2,
        Trigger::Social => 3,
    });
    t.labels(
        "trigger",
        trigger.collect::<Vec<_>>().into_iter(),
        Trigger::NAMES,
    )?;
    t.numbers("trigger_row", cs.trigger_row);
    t.times("time", cs.time)?;
    t.numbers("holdout", cs.holdout);
    t.times("opened", cs.opened)?;
    t.times("contacted", cs.contacted)?;
    t.times("closed", cs.closed)?;
    t.labels("team", maybe(&cs.team), &TEAMS)?;
    t.labels("action", maybe(&cs.action), &FOLLOWUP_ACTIONS)?;
    t.labels("outcome", maybe(&cs.outcome), &FOLLOWUP_OUTCOMES)?;
    t.numbers("cost", cs.cost);
    t.numbers("next_nps", cs.next_nps);
    t.numbers("churned", cs.churned);
    let table = t.finish("retailer follow-up cases", None);
    out.set_item("cases", has_loop.then_some(table))?;

    let ft = tr.followup;
    let mut t = TableBuilder::new(py);
    t.numbers("customer_id", ft.customer);
    t.numbers("p_fast", ft.p_fast);
    t.numbers("p_recover_slow", ft.p_recover_slow);
    t.numbers("p_recover_fast", ft.p_recover_fast);
    t.numbers("p_churn_slow", ft.p_churn_slow);
    t.numbers("p_churn_fast", ft.p_churn_fast);
    let table = t.finish("retailer follow-up truth", None);
    out.set_item("cases_truth", has_loop.then_some(table))?;

    let fs = r.followup_surveys;
    let mut t = TableBuilder::new(py);
    let n_answers = fs.customer.len();
    t.numbers("customer_id", fs.customer);
    t.times("time", fs.time)?;
    t.labels("kind", std::iter::repeat_n(0, n_answers), &kinds)?;
    t.numbers("score", fs.score);
    t.strings("verbatim", &vec![None::<String>; n_answers])?;
    let table = t.finish("retailer follow-up survey answers", None);
    out.set_item("followup_surveys", has_loop.then_some(table))?;

    let fx = r.fixes;
    let mut t = TableBuilder::new(py);
    let wrap = |v: Vec<String>| v.into_iter().map(Some).collect::<Vec<_>>();
    t.strings("id", &wrap(fx.id))?;
    t.strings("themes", &wrap(fx.theme))?;
    t.times("rollout", fx.rollout)?;
    t.strings("holdout", &fx.holdout)?;
    t.numbers("cost", fx.cost);
    out.set_item("fixes", t.finish("retailer fixes", None))?;

    let p = PyDict::new(py);
    let planted = r.planted;
    p.set_item("description", planted.description)?;
    let day = |d: i64| -> PyResult<Bound<'py, PyAny>> { numpy_day(py, d) };
    p.set_item("fix_date", planted.fix_day.map(day).transpose()?)?;
    p.set_item("slow_refund_rate", planted.slow_refund_rate)?;
    p.set_item("holdout", planted.holdout)?;
    p.set_item("slow_refund_rate_fixed", planted.slow_refund_rate_fixed)?;
    p.set_item("churn_odds_ratio", planted.churn_odds_ratio)?;
    p.set_item("nps_penalty", planted.nps_penalty)?;
    p.set_item("slow_after_days", planted.slow_after_days)?;
    let campaign = match planted.campaign {
        None => None,
        Some(c) => {
            let d = PyDict::new(py);
            d.set_item("description", c.description)?;
            d.set_item("date", day(c.day)?)?;
            d.set_item("window_days", c.window_days)?;
            d.set_item("share", c.share)?;
            d.set_item("call_share", c.call_share)?;
            d.set_item("save_slow_refund", c.save_slow_refund)?;
            d.set_item("save_price_sensitive", c.save_price_sensitive)?;
            d.set_item("save_high_value_silent", c.save_high_value_silent)?;
            d.set_item("promoter_harm", c.promoter_harm)?;
            d.set_item("save_other", c.save_other)?;
            d.set_item("odds_ratio_slow_refund", c.odds_ratio_slow_refund)?;
            d.set_item("odds_ratio_price_sensitive", c.odds_ratio_price_sensitive)?;
            d.set_item("odds_ratio_promoter", c.odds_ratio_promoter)?;
            Some(d)
        }
    };
    p.set_item("campaign", campaign)?;
    let followup = match planted.followup {
        None => None,
        Some(f) => {
            let d = PyDict::new(py);
            d.set_item("description", f.description)?;
            d.set_item("first_date", day(f.first_day)?)?;
            d.set_item("end_date", day(f.end_day)?)?;
            d.set_item("holdout", f.holdout)?;
            d.set_item("sla_hours", f.sla_hours)?;
            d.set_item("window_days", f.window_days)?;
            let teams = PyDict::new(py);
            let fast = PyDict::new(py);
            for (k, team) in TEAMS.iter().enumerate() {
                teams.set_item(*team, f.team_contact_hours[k])?;
                fast.set_item(*team, f.team_p_fast[k])?;
            }
            d.set_item("team_contact_hours", teams)?;
            d.set_item("team_p_fast", fast)?;
            d.set_item("reach", f.reach)?;
            d.set_item("answer_rate", f.answer_rate)?;
            d.set_item("recover_lift", f.recover_lift)?;
            d.set_item("churn_save", f.churn_save)?;
            d.set_item("alert_days", f.alert_days)?;
            Some(d)
        }
    };
    p.set_item("followup", followup)?;
    out.set_item("planted", p)?;
    out.set_item("start", numpy_day(py, r.start.div_euclid(DAY))?)?;
    out.set_item("end", numpy_day(py, r.end.div_euclid(DAY))?)?;
    out.set_item("seed", seed)?;
    Ok(out)
}

/// A whole-number option in `min..=max` (a voc error naming `arg` otherwise, never Python's
/// `OverflowError`).
fn whole(py: Python<'_>, arg: &'static str, value: i64, min: i64, max: i64) -> PyResult<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(to_py(
            py,
            BindError::Core(voc_core::Error::option(
                arg,
                value,
                format!("expected a whole number in {min}..={max}"),
            )),
        ))
    }
}

/// A day number as `numpy.datetime64(..., "D")`.
fn numpy_day(py: Python<'_>, day: i64) -> PyResult<Bound<'_, PyAny>> {
    py.import("numpy")?.getattr("datetime64")?.call1((day, "D"))
}
