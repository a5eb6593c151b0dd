//! Retention and customer value on a simulated retailer: Kaplan–Meier survival of buying customers by
//! NPS class with the log-rank test (lapsed = no order in the last 180 days of the data), a Cox
//! proportional-hazards model of lapsing on a few signals ([`Fit`] on an `ndarray` matrix, hazard
//! ratios, and [`Predict`] of log partial hazards), then BG/NBD and Gamma-Gamma fitted on the orders
//! before 2025-07-01 (through [`Fit`]), their purchase forecast checked against the next 180 days, and
//! each repeat buyer's 12-month CLV.
//!
//! `cargo run --release -p voc-core --example retention`

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use ndarray::{Array2, ShapeBuilder, array};
use voc_core::impact::{NO_CLASS, NPS_CLASSES, nps_classes_with};
use voc_core::retention::{
    BgNbdOptions, ClvOptions, CoxData, CoxOptions, GammaGammaOptions, KmOptions, LogRankOptions,
    RfmData, SpendData, SummaryOptions, clv, kaplan_meier, logrank_test, rfm_summary,
};
use voc_core::sample::{RetailerOptions, retailer};
use voc_core::signals::{DAY, FeatureOptions};
use voc_core::time::{TimeUnit, date_string, days_from_civil};
use voc_core::{Fit, MissingPolicy, Predict};

/// Days without an order after which a customer has lapsed.
const LAPSE_DAYS: f64 = 180.0;
/// Forecast horizon of the BG/NBD check, days.
const FORECAST_DAYS: i64 = 180;
/// The Cox model's covariates.
const COVARIATES: [&str; 5] = [
    "slow refund (9+ days)",
    "detractor",
    "promoter",
    "no NPS answer",
    "gold tier",
];

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A p-value, with the ones that underflow to 0 shown as a bound.
fn p(p: f64) -> String {
    if p > 0.0 {
        format!("{p:.1e}")
    } else {
        "< 1e-300".into()
    }
}

/// Days, with `inf` (never reached) spelled out.
fn days(d: f64) -> String {
    if d.is_finite() {
        format!("{d:.0}")
    } else {
        "-".into()
    }
}

fn main() -> voc_core::Result<()> {
    let started = Instant::now();
    let data = retailer(&RetailerOptions::default().customers(20_000))?;
    let log = data.event_log()?;

    // 1. Survival by NPS class: from sign-up to the last order of a lapsed customer; the others are
    // censored at the end of the data.
    let f = log.features(&FeatureOptions::new(data.end))?;
    let column = |name: &str| f.column(name).unwrap_or_default();
    let (frequency, recency, tenure) = (
        column("frequency"),
        column("recency_days"),
        column("tenure_days"),
    );
    let keep: Vec<usize> = (0..f.rows())
        .filter(|&i| frequency.get(i).is_some_and(|&v| v > 0.0))
        .collect();
    let at = |c: &[f64], i: usize| c.get(i).copied().unwrap_or(f64::NAN);
    let lapsed: Vec<f64> = keep
        .iter()
        .map(|&i| f64::from(u8::from(at(recency, i) > LAPSE_DAYS)))
        .collect();
    let durations: Vec<f64> = keep
        .iter()
        .zip(&lapsed)
        .map(|(&i, &e)| at(tenure, i) - e * at(recency, i))
        .collect();
    let nps_all = column("nps_last");
    let nps: Vec<f64> = keep.iter().map(|&i| at(nps_all, i)).collect();
    // Classes 0..3 of the answer, 3 for no answer.
    let no_answer = NPS_CLASSES.len() as u32;
    let groups: Vec<u32> = nps_classes_with(&nps, MissingPolicy::Skip)?
        .into_iter()
        .map(|g| if g == NO_CLASS { no_answer } else { g })
        .collect();
    let km = kaplan_meier(&durations, &lapsed, Some(&groups), &KmOptions::default())?;
    let test = logrank_test(&durations, &lapsed, &groups, &LogRankOptions::default())?;
    println!(
        "{} customers with an order by {}; {} lapsed (no order in the last {LAPSE_DAYS} days)",
        keep.len(),
        date_string(data.end / DAY),
        lapsed.iter().filter(|&&e| e == 1.0).count(),
    );
    println!(
        "{:<11}{:>10}{:>28}{:>14}{:>20}",
        "class", "customers", "still buying at 1 year, CI", "at 18 months", "median, 95% CI (d)"
    );
    let names = NPS_CLASSES.iter().copied().chain(["no answer"]);
    for (name, c) in names.zip(&km.curves) {
        let year = c.time.partition_point(|&t| t <= 365.0);
        let ci = year
            .checked_sub(1)
            .map_or((1.0, 1.0), |j| (at(&c.ci_low, j), at(&c.ci_high, j)));
        println!(
            "{name:<11}{:>10}{:>28}{:>14}{:>20}",
            c.n,
            format!(
                "{} [{}, {}]",
                pct(c.survival_at(365.0)),
                pct(ci.0),
                pct(ci.1)
            ),
            pct(c.survival_at(547.0)),
            format!(
                "{} [{}, {}]",
                days(c.median),
                days(c.median_low),
                days(c.median_high)
            ),
        );
    }
    println!(
        "(\"-\": not reached)\nlog-rank test across the {} groups: chi² = {:.1} on {} df, p {}",
        km.curves.len(),
        test.statistic,
        test.df,
        if test.p_value > 0.0 {
            format!("= {}", p(test.p_value))
        } else {
            p(0.0)
        },
    );

    // 2. Cox proportional hazards of lapsing on a few signals (Fortran order, one column per signal;
    // the reference customer is a passive, silver or bronze, whose refunds were quick).
    let delay = column("refund_delay_max_days");
    let flag = |b: bool| f64::from(u8::from(b));
    let x = Array2::from_shape_fn((keep.len(), COVARIATES.len()).f(), |(r, j)| {
        let i = keep.get(r).copied().unwrap_or(usize::MAX);
        let score = nps.get(r).copied().unwrap_or(f64::NAN);
        let customer = f.customers.get(i).map_or(usize::MAX, |&c| c as usize);
        match j {
            0 => flag(at(delay, i) >= 9.0),
            1 => flag(score <= 6.0),
            2 => flag(score >= 9.0),
            3 => flag(score.is_nan()),
            _ => flag(data.customers.tier.get(customer) == Some(&0)),
        }
    });
    let cox = CoxOptions::default().fit(CoxData::new(x.view(), &durations, &lapsed))?;
    println!(
        "\nCox PH of lapsing ({} customers, {} lapsed, Efron ties, {} Newton iterations): \
         concordance {:.3}, LR chi² {:.0} on {} df",
        cox.n, cox.n_events, cox.iterations, cox.concordance, cox.lr_statistic, cox.lr_df
    );
    println!(
        "{:<24}{:>14}{:>18}{:>11}",
        "signal", "hazard ratio", "95% CI", "p"
    );
    for (j, name) in COVARIATES.iter().enumerate() {
        let get = |v: &[f64]| v.get(j).copied().unwrap_or(f64::NAN);
        println!(
            "{name:<24}{:>14.2}{:>18}{:>11}",
            get(&cox.hazard_ratio),
            format!(
                "[{:.2}, {:.2}]",
                get(&cox.ci_low).exp(),
                get(&cox.ci_high).exp()
            ),
            p(get(&cox.p_value)),
        );
    }
    // Log partial hazards of two gold customers: a promoter whose refunds were quick and a detractor
    // who waited for one.
    let profiles = array![[0.0, 0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0, 1.0]];
    let h = cox.predict(profiles.view())?;
    if let [calm, hurt] = h[..] {
        println!(
            "log partial hazard of a gold promoter with quick refunds {calm:+.2}, of a gold detractor who \
             waited for a refund {hurt:+.2} ({:.1}x the hazard)",
            (hurt - calm).exp()
        );
    }
    // And of every customer: the fifth with the highest predicted hazard against the lowest.
    let risk = cox.predict(x.view())?;
    let mut order: Vec<usize> = (0..risk.len()).collect();
    order.sort_by(|&a, &b| {
        risk.get(b)
            .copied()
            .unwrap_or(0.0)
            .total_cmp(&risk.get(a).copied().unwrap_or(0.0))
    });
    let fifth = order.len() / 5;
    let share = |rows: &[usize]| {
        rows.iter().map(|&r| at(&lapsed, r)).sum::<f64>() / rows.len().max(1) as f64
    };
    println!(
        "lapsed: {} of the fifth with the highest predicted hazard, {} of the lowest fifth",
        pct(share(order.get(..fifth).unwrap_or_default())),
        pct(share(order.get(order.len() - fifth..).unwrap_or_default())),
    );

    // 3. BG/NBD + Gamma-Gamma on the orders before 2025-07-01, in days.
    let today = days_from_civil(2025, 7, 1) * DAY;
    let code: HashMap<i64, u32> = data
        .customers
        .id
        .iter()
        .enumerate()
        .map(|(r, &id)| (id, r as u32))
        .collect();
    let (mut customers, mut times, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    let mut future: HashMap<u32, HashSet<i64>> = HashMap::new();
    for ((id, &t), &a) in data
        .orders
        .customer
        .iter()
        .zip(&data.orders.time)
        .zip(&data.orders.amount)
    {
        let Some(&c) = code.get(id) else { continue };
        if t < today {
            customers.push(c);
            times.push(t);
            amounts.push(a);
        } else if t < today + FORECAST_DAYS * DAY {
            future.entry(c).or_default().insert(t.div_euclid(DAY));
        }
    }
    let summary = SummaryOptions::default()
        .unit(TimeUnit::Seconds)
        .observation_end(today - 1);
    let rfm = rfm_summary(&customers, &times, Some(&amounts), &summary)?;
    let history = RfmData::new(&rfm.frequency, &rfm.recency, &rfm.t);
    let bg = match BgNbdOptions::default().max_iter(2000).fit(history) {
        Ok(bg) => bg,
        Err(e) => {
            // The simulated churn is not BG/NBD-shaped; on some samples the likelihood peaks on a boundary.
            println!("\nBG/NBD did not fit this sample ({e}); CLV left out");
            return Ok(());
        }
    };
    println!(
        "\nBG/NBD on {} customers' orders before {}: r {:.3}, alpha {:.1}, a {:.3}, b {:.3} \
         ({} iterations, log-likelihood {:.0})",
        bg.n,
        date_string(today / DAY),
        bg.r,
        bg.alpha,
        bg.a,
        bg.b,
        bg.iterations,
        bg.log_likelihood,
    );
    let expected = bg.predict((FORECAST_DAYS as f64, history))?;
    let actual: usize = rfm
        .customer
        .iter()
        .map(|c| future.get(c).map_or(0, HashSet::len))
        .sum();
    println!(
        "purchase days in the next {FORECAST_DAYS} days: {:.0} expected, {actual} observed",
        expected.iter().sum::<f64>()
    );

    // Gamma-Gamma and CLV on the repeat buyers.
    let repeat: Vec<usize> = (0..rfm.frequency.len())
        .filter(|&i| rfm.frequency.get(i).is_some_and(|&x| x > 0.0))
        .collect();
    let pick = |v: &[f64]| -> Vec<f64> {
        repeat
            .iter()
            .map(|&i| v.get(i).copied().unwrap_or(0.0))
            .collect()
    };
    let (fr, rr, tr, mr) = (
        pick(&rfm.frequency),
        pick(&rfm.recency),
        pick(&rfm.t),
        pick(&rfm.monetary),
    );
    let gg = GammaGammaOptions::default().fit(SpendData::new(&fr, &mr))?;
    let value = clv(
        &bg,
        &gg,
        RfmData::new(&fr, &rr, &tr),
        &mr,
        &ClvOptions::default(),
    )?;
    let mut sorted = value.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    let top: f64 = sorted.iter().rev().take(sorted.len() / 10).sum();
    let total: f64 = sorted.iter().sum();
    println!(
        "Gamma-Gamma: p {:.2}, q {:.2}, v {:.1}; mean spend per order {:.1}",
        gg.p,
        gg.q,
        gg.v,
        gg.mean_spend()
    );
    println!(
        "12-month CLV (1% monthly discount) of {} repeat buyers: total {total:.0}, median {median:.0}; \
         the top 10% hold {}",
        value.len(),
        pct(top / total),
    );
    println!("\n(simulated and analysed in {:.2?})", started.elapsed());
    Ok(())
}
