//! Business impact on a simulated retailer whose refund fix was rolled out with a 20% holdout group:
//! churn and spend in the next 180 days by NPS class (an [`OutcomeState`] updated in two batches and
//! merged through [`State`], as Dask or Spark partitions would be), complaint themes ranked by the
//! churn they add ([`theme_impact`] on an `ndarray` matrix of theme counts), the effect of the fix
//! (churn of the treated against the held-out customers, before/after and difference-in-differences)
//! and the programme's ROI with its interval.
//!
//! `cargo run --release -p voc-core --example impact`

use std::collections::HashMap;
use std::time::Instant;

use ndarray::{Array2, ShapeBuilder};
use voc_core::impact::{
    DidOptions, EffectOptions, NPS_CLASSES, OutcomeBatch, OutcomeOptions, OutcomeState, Outcomes,
    RoiInputs, ThemeOptions, before_after, diff_in_diff, holdout, nps_classes_with,
    proportion_cell, roi, theme_impact,
};
use voc_core::sample::{RetailerOptions, THEMES, retailer};
use voc_core::signals::{DAY, EventLog, FeatureOptions, Features};
use voc_core::time::{date_string, days_from_civil};
use voc_core::{MissingPolicy, State};

/// Days after 2025-01-01 in which a customer without an order (or with a churn-survey answer) churned.
const HORIZON_DAYS: u32 = 180;
/// Churn horizon of the fix's effect (to the end of the data).
const FIX_HORIZON_DAYS: u32 = 90;
/// Share of customers the simulator holds out of the refund fix.
const HOLDOUT: f64 = 0.2;
/// Cost of one support contact, and what the fix to the refund pipeline cost (assumed).
const COST_PER_CONTACT: f64 = 6.0;
const PROGRAM_COST: f64 = 30_000.0;

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A p-value: three decimals, or scientific below 0.001.
fn p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

/// The customers still buying at a cutoff (an order before it, no churn-survey answer yet): their
/// features, whether they churned in the horizon, and their log rows.
struct Active {
    features: Features,
    /// Rows of `features` kept.
    keep: Vec<usize>,
    /// Log row (customer) of each kept row.
    customers: Vec<usize>,
    /// 0/1 churn in the horizon of each kept row.
    churned: Vec<f64>,
}

impl Active {
    fn at(log: &EventLog, cutoff: i64) -> voc_core::Result<Active> {
        let features = log.features(&FeatureOptions::new(cutoff))?;
        let labels = log.labels(cutoff, HORIZON_DAYS)?;
        let (frequency, left) = (
            column(&features, "frequency"),
            column(&features, "churn_event"),
        );
        let keep: Vec<usize> = (0..features.rows())
            .filter(|&i| frequency.get(i).is_some_and(|&v| v > 0.0) && left.get(i) == Some(&0.0))
            .collect();
        let customers = keep
            .iter()
            .filter_map(|&i| features.customers.get(i).map(|&c| c as usize))
            .collect();
        let churned = keep
            .iter()
            .map(|&i| f64::from(u8::from(labels.churned.get(i).copied().unwrap_or(false))))
            .collect();
        Ok(Active {
            features,
            keep,
            customers,
            churned,
        })
    }

    /// A feature column over the kept rows (NaN where missing).
    fn column(&self, name: &str) -> Vec<f64> {
        let all = column(&self.features, name);
        self.keep
            .iter()
            .map(|&i| all.get(i).copied().unwrap_or(f64::NAN))
            .collect()
    }
}

fn column<'a>(f: &'a Features, name: &str) -> &'a [f64] {
    f.column(name).unwrap_or_default()
}

/// Per customer row: the sum of `value(i)` over the events `i` whose time lies in `[from, from + length)`.
fn per_customer(
    n: usize,
    row: &HashMap<i64, usize>,
    customer: &[i64],
    time: &[i64],
    from: i64,
    length: i64,
    value: impl Fn(usize) -> f64,
) -> Vec<f64> {
    let to = from + length;
    let mut out = vec![0.0; n];
    for (i, (id, &t)) in customer.iter().zip(time).enumerate() {
        if (from..to).contains(&t)
            && let Some(slot) = row.get(id).and_then(|&r| out.get_mut(r))
        {
            *slot += value(i);
        }
    }
    out
}

fn main() -> voc_core::Result<()> {
    let started = Instant::now();
    let data = retailer(
        &RetailerOptions::default()
            .customers(20_000)
            .holdout(HOLDOUT),
    )?;
    let log = data.event_log()?;
    let n = data.customers.id.len();
    let row: HashMap<i64, usize> = data
        .customers
        .id
        .iter()
        .enumerate()
        .map(|(r, &id)| (id, r))
        .collect();
    let held_out = |c: usize| data.customers.holdout.get(c).copied().unwrap_or(false);
    let day = |y, m, d| days_from_civil(y, m, d) * DAY;
    let before = day(2025, 1, 1);

    // 1. Churn and spend in the next 180 days by NPS class, from two batches merged.
    let now = Active::at(&log, before)?;
    let spend_all = per_customer(
        n,
        &row,
        &data.orders.customer,
        &data.orders.time,
        before,
        i64::from(HORIZON_DAYS) * DAY,
        |i| data.orders.amount.get(i).copied().unwrap_or(0.0),
    );
    let spend: Vec<f64> = now
        .customers
        .iter()
        .map(|&c| spend_all.get(c).copied().unwrap_or(0.0))
        .collect();
    let codes = nps_classes_with(&now.column("nps_last"), MissingPolicy::Skip)?;
    let names: Vec<String> = NPS_CLASSES.iter().map(|s| s.to_string()).collect();
    let half = codes.len() / 2;
    let batch = |from: usize, to: usize| {
        let r = from..to;
        OutcomeBatch::new(
            codes.get(r.clone()).unwrap_or_default(),
            Outcomes::default()
                .churned(now.churned.get(r.clone()).unwrap_or_default())
                .spend(spend.get(r).unwrap_or_default()),
        )
    };
    let mut first = OutcomeState::new(&names)?;
    State::update(&mut first, batch(0, half))?;
    let mut second = first.empty_like();
    State::update(&mut second, batch(half, codes.len()))?;
    // Ship the second part as bytes, as a worker would, and merge it in.
    let shipped = <OutcomeState as State>::from_bytes(&State::to_bytes(&second))?;
    State::merge(&mut first, &shipped)?;
    let classes = State::finish(&first, &OutcomeOptions::default())?;
    println!(
        "{} customers, {} of them buying on {}; {} with an NPS answer. Next {HORIZON_DAYS} days:",
        n,
        now.customers.len(),
        date_string(before / DAY),
        first.customers(),
    );
    println!(
        "{:<11}{:>10}{:>26}{:>30}",
        "class", "customers", "churn, 95% CI", "spend per customer, 95% CI"
    );
    for c in &classes.classes {
        let churn = c.churn.map_or("-".into(), |s| {
            format!(
                "{} [{}, {}]",
                pct(s.estimate),
                pct(s.ci.low),
                pct(s.ci.high)
            )
        });
        let spend = c.spend.map_or("-".into(), |m| match m.ci {
            Some(ci) => format!("{:.1} [{:.1}, {:.1}]", m.summary.mean, ci.low, ci.high),
            None => format!("{:.1}", m.summary.mean),
        });
        println!("{:<11}{:>10}{churn:>26}{spend:>30}", c.name, c.n);
    }
    if let Some(t) = classes.churn_test {
        println!(
            "churn × class: chi² = {:.1} on {} df, p = {}, Cramér's V = {:.3}",
            t.statistic,
            t.df,
            p(t.p_value),
            t.cramers_v
        );
    }

    // 2. Complaint themes ranked by the churn they add (ticket counts per theme before the cutoff).
    let columns: Vec<Vec<f64>> = THEMES
        .iter()
        .map(|t| now.column(&format!("theme_{t}")))
        .collect();
    let flags = Array2::from_shape_fn((now.customers.len(), THEMES.len()).f(), |(i, j)| {
        columns
            .get(j)
            .and_then(|c| c.get(i))
            .copied()
            .unwrap_or(0.0)
    });
    let monetary: Vec<f64> = now
        .column("monetary")
        .iter()
        .map(|v| if v.is_finite() { *v } else { 0.0 })
        .collect();
    let themes = theme_impact(
        &THEMES,
        flags.view(),
        &now.churned,
        Some(&monetary),
        &ThemeOptions::default(),
    )?;
    println!(
        "\nComplaint themes by the churn they add (value = spend before {}):",
        date_string(before / DAY)
    );
    println!(
        "{:<10}{:>10}{:>16}{:>8}{:>24}{:>10}{:>16}{:>10}",
        "theme",
        "raised by",
        "churn if raised",
        "if not",
        "risk ratio, 95% CI",
        "excess",
        "excess revenue",
        "Holm p"
    );
    for t in themes.iter().filter(|t| t.n_raised > 0).take(5) {
        let rate = |r: Option<f64>| r.map_or("-".into(), pct);
        let rr = t.risk_ratio.map_or("-".into(), |r| {
            format!("{:.2} [{:.2}, {:.2}]", r.estimate, r.ci.low, r.ci.high)
        });
        println!(
            "{:<10}{:>10}{:>16}{:>8}{rr:>24}{:>10.0}{:>16.0}{:>10}",
            t.theme,
            t.n_raised,
            rate(t.rate_raised),
            rate(t.rate_not),
            t.excess_churners,
            t.excess_revenue,
            p(t.p_adjusted),
        );
    }

    // 3. The fix. The simulator held 20% of customers out of it at random (their refunds stayed slow),
    // so among the customers who returned something after the fix — the ones it can reach — the
    // held-out group is a control group. Churn: no order in the 90 days after 2025-10-01.
    let fix = data.planted.fix_day.map_or(day(2025, 6, 24), |d| d * DAY);
    let after = day(2025, 10, 1);
    let window = after - fix;
    let returners = |from: i64, to: i64| {
        let mut out = vec![false; n];
        for (id, &t) in data.returns.customer.iter().zip(&data.returns.requested) {
            if (from..to).contains(&t)
                && let Some(slot) = row.get(id).and_then(|&r| out.get_mut(r))
            {
                *slot = true;
            }
        }
        out
    };
    // (churned, customers) of the treated and of the held-out returners of [cutoff − window, cutoff).
    let split = |cutoff: i64| -> voc_core::Result<[(f64, f64); 2]> {
        let reached = returners(cutoff - window, cutoff);
        let labels = log.labels(cutoff, FIX_HORIZON_DAYS)?;
        let mut out = [(0.0, 0.0); 2];
        for (&c, &churned) in labels.customers.iter().zip(&labels.churned) {
            let c = c as usize;
            if reached.get(c).copied().unwrap_or(false)
                && let Some(cell) = out.get_mut(usize::from(held_out(c)))
            {
                cell.0 += f64::from(u8::from(churned));
                cell.1 += 1.0;
            }
        }
        Ok(out)
    };
    let [treated, control] = split(after)?;
    // The same window before the fix, when both groups had slow refunds.
    let [treated_before, control_before] = split(fix)?;
    let effect = EffectOptions::default();
    let h = holdout(treated, control, &effect)?;
    println!(
        "\nRefunds fixed on {} for all but a random {:.0}% of customers. Churn (no order in the \
         {FIX_HORIZON_DAYS} days after {})\nof the customers with a return in the {} days after the fix:",
        date_string(fix / DAY),
        100.0 * HOLDOUT,
        date_string(after / DAY),
        window / DAY,
    );
    println!(
        "  treated {} of {:.0} [{}, {}], held out {} of {:.0} [{}, {}]",
        pct(h.treated.estimate),
        treated.1,
        pct(h.treated.ci.low),
        pct(h.treated.ci.high),
        pct(h.control.estimate),
        control.1,
        pct(h.control.ci.low),
        pct(h.control.ci.high),
    );
    println!(
        "  holdout effect {:+.1} pts [{:+.1}, {:+.1}] (Newcombe), p = {}; relative reduction {} [{}, {}]",
        100.0 * h.difference,
        100.0 * h.ci.low,
        100.0 * h.ci.high,
        p(h.p_value),
        pct(h.relative_reduction),
        pct(h.relative_reduction_ci.low),
        pct(h.relative_reduction_ci.high),
    );
    let ba = before_after(treated_before, treated, &effect)?;
    println!(
        "  the treated against their own {} days before the fix: {} -> {} ({:+.1} pts [{:+.1}, {:+.1}], p = {})",
        window / DAY,
        pct(ba.before.estimate),
        pct(ba.after.estimate),
        100.0 * ba.change.difference,
        100.0 * ba.change.ci.low,
        100.0 * ba.change.ci.high,
        p(ba.change.p_value),
    );
    let cell = |(k, n): (f64, f64)| proportion_cell(k, n);
    let did = diff_in_diff(
        &[
            cell(treated_before)?,
            cell(treated)?,
            cell(control_before)?,
            cell(control)?,
        ],
        &DidOptions::default(),
    )?;
    println!(
        "  difference-in-differences (held out {} -> {}): {:+.1} pts [{:+.1}, {:+.1}], p = {}",
        pct(control_before.0 / control_before.1),
        pct(control.0 / control.1),
        100.0 * did.difference,
        100.0 * did.ci.low,
        100.0 * did.ci.high,
        p(did.p_value),
    );

    // 4. What the fix is worth per quarter of returns: retained customers valued at a year of the
    // spend of the treated returners who stayed, plus the refund tickets it avoided.
    let reached = returners(fix, after);
    let refund_tickets = per_customer(
        n,
        &row,
        &data.tickets.customer,
        &data.tickets.time,
        fix,
        window,
        |i| f64::from(u8::from(data.tickets.theme.get(i) == Some(&0))),
    );
    let spend_after = per_customer(
        n,
        &row,
        &data.orders.customer,
        &data.orders.time,
        after,
        i64::from(FIX_HORIZON_DAYS) * DAY,
        |i| data.orders.amount.get(i).copied().unwrap_or(0.0),
    );
    let labels = log.labels(after, FIX_HORIZON_DAYS)?;
    let (mut tickets, mut stayed) = ([(0.0_f64, 0.0_f64); 2], (0.0_f64, 0.0_f64));
    for (&c, &churned) in labels.customers.iter().zip(&labels.churned) {
        let c = c as usize;
        if !reached.get(c).copied().unwrap_or(false) {
            continue;
        }
        if let Some(t) = tickets.get_mut(usize::from(held_out(c))) {
            t.0 += refund_tickets.get(c).copied().unwrap_or(0.0);
            t.1 += 1.0;
        }
        if !churned && !held_out(c) {
            stayed.0 += spend_after.get(c).copied().unwrap_or(0.0);
            stayed.1 += 1.0;
        }
    }
    let [t, c] = tickets;
    let customers = treated.1 + control.1;
    let avoided = customers * (c.0 / c.1 - t.0 / t.1).max(0.0);
    let value = 365.0 / f64::from(FIX_HORIZON_DAYS) * stayed.0 / stayed.1.max(1.0);
    let r = roi(&RoiInputs::default()
        .with_holdout(&h)
        .customers(customers)
        .clv(value)
        .contacts_avoided(avoided)
        .cost_per_contact(COST_PER_CONTACT)
        .program_cost(PROGRAM_COST)
        .horizon_months(window as f64 / DAY as f64 / 30.44))?;
    println!(
        "\nROI of the fix for these {customers:.0} customers (a retained customer is worth a year of \
         spend, {value:.0};\n{avoided:.0} refund tickets avoided at {COST_PER_CONTACT} each; the fix cost \
         {PROGRAM_COST}):",
    );
    let ci = |c: Option<(f64, f64)>| c.map_or("-".into(), |(lo, hi)| format!("[{lo:.0}, {hi:.0}]"));
    println!(
        "  {:.0} customers retained, churn value {:.0} {}, contact savings {:.0}",
        r.customers_retained,
        r.churn_value,
        ci(r.churn_value_ci),
        r.cost_savings
    );
    println!(
        "  net benefit {:.0} {}, ROI {} {}, payback {}",
        r.net_benefit,
        ci(r.net_benefit_ci),
        r.roi.map_or("-".into(), |x| format!("{x:.2}x")),
        r.roi_ci
            .map_or("-".into(), |(lo, hi)| format!("[{lo:.2}x, {hi:.2}x]")),
        r.payback_months
            .map_or("never".into(), |m| format!("{m:.1} months")),
    );
    println!("\n(simulated and analysed in {:.2?})", started.elapsed());
    Ok(())
}
