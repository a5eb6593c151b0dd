//! Churn signals of a simulated retailer: builds the [`EventLog`](voc_core::signals::EventLog) from the
//! simulator's tables, computes every customer's signals as of 2025-01-01 and whether they churned in
//! the 180 days after, then compares the churn rate of customers with and without each signal (a slow
//! refund, repeat tickets, an NPS drop, ...). The simulator plants slow refunds as the cause of churn:
//! they lead the experience signals, behind only silence (a symptom of leaving already under way).
//!
//! `cargo run --release -p voc-core --example signals`

use std::time::Instant;

use voc_core::sample::{RetailerOptions, retailer};
use voc_core::signals::{DAY, FeatureOptions};
use voc_core::stats::{IntervalOptions, ShareInterval, TestOptions, share, two_proportion_test};
use voc_core::time::{date_string, days_from_civil};

/// Days after the cutoff in which a customer without an order (or with a churn-survey answer) churned.
const HORIZON_DAYS: u32 = 180;

/// A yes/no signal: what it means, the feature column, and the test on a value (a NaN, i.e. an
/// undefined value such as a delay without returns, never passes).
type Flag = (&'static str, &'static str, fn(f64) -> bool);

fn flags() -> [Flag; 8] {
    [
        (
            "refund paid 9+ days after the parcel arrived",
            "refund_delay_max_days",
            |v| v >= 9.0,
        ),
        ("raised a refund ticket", "theme_refund", |v| v >= 1.0),
        (
            "2+ tickets on one theme in 90 days",
            "repeat_theme_max_90d",
            |v| v >= 2.0,
        ),
        ("NPS answer dropped 3+ points", "nps_drop", |v| v >= 3.0),
        ("latest NPS answer a detractor (0-6)", "nps_last", |v| {
            v <= 6.0
        }),
        ("a ticket still unresolved", "tickets_unresolved", |v| {
            v >= 1.0
        }),
        ("raised a delivery ticket", "theme_delivery", |v| v >= 1.0),
        ("silent (no order or feedback in 90 days)", "silent", |v| {
            v == 1.0
        }),
    ]
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn main() -> voc_core::Result<()> {
    let started = Instant::now();
    let data = retailer(&RetailerOptions::default().customers(20_000))?;
    let log = data.event_log()?;
    let cutoff = days_from_civil(2025, 1, 1) * DAY;
    let features = log.features(&FeatureOptions::new(cutoff))?;
    let labels = log.labels(cutoff, HORIZON_DAYS)?;
    println!(
        "{} customers, {} events; {} signals for the {} who had signed up by {}",
        log.customers(),
        log.events(),
        features.cols(),
        features.rows(),
        date_string(cutoff / DAY),
    );

    // Customers with at least one order before the cutoff: the ones who can stop ordering.
    let buyers: Vec<usize> = features
        .column("frequency")
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|&(_, &f)| f > 0.0)
        .map(|(i, _)| i)
        .collect();
    let churned: Vec<bool> = buyers
        .iter()
        .map(|&i| labels.churned.get(i).copied().unwrap_or(false))
        .collect();
    let k = churned.iter().filter(|&&c| c).count();
    let rate = share(
        k as f64,
        buyers.len() as f64,
        &IntervalOptions::default().method(ShareInterval::Wilson),
    )?;
    println!(
        "{} customers with an order; churn in the next {HORIZON_DAYS} days: {} [{}, {}] (Wilson 95%)\n",
        buyers.len(),
        pct(rate.estimate),
        pct(rate.ci.low),
        pct(rate.ci.high),
    );

    let mut rows = Vec::new();
    for (label, column, test) in flags() {
        let Some(values) = features.column(column) else {
            continue;
        };
        // (with the signal, churned) counts among the buyers.
        let (mut n1, mut k1, mut n0, mut k0) = (0usize, 0usize, 0usize, 0usize);
        for (&i, &c) in buyers.iter().zip(&churned) {
            let yes = values.get(i).is_some_and(|&v| test(v));
            if yes {
                n1 += 1;
                k1 += usize::from(c);
            } else {
                n0 += 1;
                k0 += usize::from(c);
            }
        }
        if n1 == 0 || n0 == 0 {
            continue;
        }
        let t = two_proportion_test(
            k1 as f64,
            n1 as f64,
            k0 as f64,
            n0 as f64,
            &TestOptions::default(),
        )?;
        let (r1, r0) = (k1 as f64 / n1 as f64, k0 as f64 / n0 as f64);
        rows.push((label, n1, r1, r0, t));
    }
    rows.sort_by(|a, b| (b.2 / b.3).total_cmp(&(a.2 / a.3)));
    println!(
        "{:<46}{:>10}{:>14}{:>9}{:>7}   difference, 95% CI",
        "signal", "customers", "churn if yes", "if no", "ratio"
    );
    for (label, n1, r1, r0, t) in &rows {
        println!(
            "{label:<46}{n1:>10}{:>14}{:>9}{:>7.2}   {:+5.1} pts [{:+.1}, {:+.1}]",
            pct(*r1),
            pct(*r0),
            r1 / r0,
            100.0 * t.difference,
            100.0 * t.ci.low,
            100.0 * t.ci.high,
        );
    }
    println!(
        "\nPlanted: {} (odds ratio {}).",
        data.planted.description, data.planted.churn_odds_ratio
    );
    println!("(simulated and analysed in {:.2?})", started.elapsed());
    Ok(())
}
