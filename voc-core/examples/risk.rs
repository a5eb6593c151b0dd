//! Churn risk on a simulated retailer: trains a logistic model on the signals of a past cutoff
//! (2024-07-01) with the churn of the 180 days after it ([`Fit`] on an `ndarray` matrix), checks it on a
//! later cutoff (2025-01-01: ROC AUC, average precision, Brier score, lift by decile) and lists the
//! customers most worth a call today (2025-07-01) with the reasons behind their risk.
//!
//! `cargo run --release -p voc-core --example risk`

use std::time::Instant;

use ndarray::{Array2, ShapeBuilder};
use voc_core::risk::{
    AlertOptions, LogisticOptions, Missing, RiskData, alerts, average_precision, brier_score, lift,
    roc_auc,
};
use voc_core::sample::{RetailerOptions, retailer};
use voc_core::signals::{DAY, EventLog, FeatureOptions};
use voc_core::time::days_from_civil;
use voc_core::{Fit, Predict};

/// Signals the model reads: experience signals (what the retailer can fix), then behaviour signals.
const FEATURES: [&str; 14] = [
    "refund_delay_max_days",
    "refunds_pending",
    "theme_refund",
    "repeat_theme_max_90d",
    "tickets_unresolved",
    "nps_last",
    "nps_drop",
    "ces_mean",
    "ticket_csat_mean",
    "theme_delivery",
    "theme_size_fit",
    "theme_quality",
    "recency_days",
    "silent",
];

const HORIZON_DAYS: u32 = 180;

/// The active customers at a cutoff (an order before it, no churn-survey answer yet).
struct Active {
    /// Model features, one row per active customer (Fortran-ordered: one column per signal).
    x: Array2<f64>,
    /// Customer row in the event log of each row of `x`.
    customers: Vec<u32>,
    /// Total spend before the cutoff (the value at stake in a call).
    monetary: Vec<f64>,
    /// Which rows of the log's features at this cutoff are kept.
    keep: Vec<usize>,
}

fn active(log: &EventLog, cutoff: i64) -> voc_core::Result<Active> {
    let f = log.features(&FeatureOptions::new(cutoff))?;
    let column = |name: &str| f.column(name).unwrap_or_default();
    let (frequency, left, monetary) = (
        column("frequency"),
        column("churn_event"),
        column("monetary"),
    );
    let keep: Vec<usize> = (0..f.rows())
        .filter(|&i| frequency.get(i).is_some_and(|&v| v > 0.0) && left.get(i) == Some(&0.0))
        .collect();
    let columns: Vec<&[f64]> = FEATURES.iter().map(|&name| column(name)).collect();
    let value = |j: usize, i: usize| {
        columns
            .get(j)
            .and_then(|c| c.get(i))
            .copied()
            .unwrap_or(f64::NAN)
    };
    // Column-major, as the features are stored; the fit reads any layout in place.
    let x = Array2::from_shape_fn((keep.len(), FEATURES.len()).f(), |(r, j)| {
        keep.get(r).map_or(f64::NAN, |&i| value(j, i))
    });
    Ok(Active {
        x,
        customers: keep
            .iter()
            .filter_map(|&i| f.customers.get(i).copied())
            .collect(),
        monetary: keep
            .iter()
            .map(|&i| monetary.get(i).copied().unwrap_or(0.0))
            .collect(),
        keep,
    })
}

/// 0/1 churn labels of the active rows: no order (or a churn-survey answer) within the horizon.
fn labels(log: &EventLog, cutoff: i64, a: &Active) -> voc_core::Result<Vec<f64>> {
    let churned = log.labels(cutoff, HORIZON_DAYS)?.churned;
    Ok(a.keep
        .iter()
        .map(|&i| f64::from(u8::from(churned.get(i).copied().unwrap_or(false))))
        .collect())
}

fn main() -> voc_core::Result<()> {
    let started = Instant::now();
    let data = retailer(&RetailerOptions::default().customers(20_000))?;
    let log = data.event_log()?;
    let day = |y, m, d| days_from_civil(y, m, d) * DAY;
    let (train_at, test_at, today) = (day(2024, 7, 1), day(2025, 1, 1), day(2025, 7, 1));

    // Train on a past cutoff with the churn that followed it.
    let train = active(&log, train_at)?;
    let y = labels(&log, train_at, &train)?;
    let names: Vec<String> = FEATURES.iter().map(|s| s.to_string()).collect();
    let model = LogisticOptions::default()
        .missing(Missing::ImputeMean)
        .fit(RiskData::new(train.x.view(), &y).names(&names))?;
    println!(
        "Trained on 2024-07-01: {} active customers, {:.1}% churned within {HORIZON_DAYS} days \
         ({} Newton iterations, pseudo-R² {:.3})",
        model.n,
        100.0 * model.n_positive as f64 / model.n as f64,
        model.convergence.iterations,
        model.pseudo_r2(),
    );
    let mut coefs: Vec<(&str, f64, f64)> = model
        .names
        .iter()
        .zip(model.coef_std.iter().zip(&model.coef))
        .map(|(n, (&s, &c))| (n.as_str(), s, c))
        .collect();
    coefs.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("signals that raise churn risk most (standardised coefficient; odds ratio per unit):");
    for (name, std, coef) in coefs.iter().take(5) {
        println!("  {name:<24}{std:+7.3}   OR {:6.3}", coef.exp());
    }

    // Score a later cutoff and compare with what happened.
    let test = active(&log, test_at)?;
    let yt = labels(&log, test_at, &test)?;
    let p = model.predict(test.x.view())?;
    let deciles = lift(&yt, &p, 10)?;
    let (top, top2) = (deciles.first(), deciles.get(1));
    println!(
        "\nScored on 2025-01-01 ({} active customers): ROC AUC {:.3}, average precision {:.3}, Brier {:.3}",
        yt.len(),
        roc_auc(&yt, &p)?,
        average_precision(&yt, &p)?,
        brier_score(&yt, &p)?,
    );
    if let (Some(a), Some(b)) = (top, top2) {
        println!(
            "top decile churns {:.0}% ({:.2}x the average); the top two deciles hold {:.0}% of the churners",
            100.0 * a.rate,
            a.lift,
            100.0 * b.cumulative_gain,
        );
    }

    // Who to call today: expected value of a call = spend × p × 30% saved − 8.
    let now = active(&log, today)?;
    let opts = AlertOptions::default()
        .save_rate(0.3)
        .contact_cost(8.0)
        .capacity(8);
    let list = alerts(&model, now.x.view(), &now.monetary, &opts)?;
    println!(
        "\nAlerts on 2025-07-01 ({} active customers), the {} calls worth most:",
        now.customers.len(),
        list.len()
    );
    for a in &list {
        let id = now
            .customers
            .get(a.row)
            .and_then(|&c| data.customers.id.get(c as usize))
            .copied()
            .unwrap_or_default();
        let why: Vec<&str> = a.reasons.iter().map(|r| r.text.as_str()).collect();
        println!(
            "  customer {id:>6}  p={:.2}  spend {:6.0}  EV {:5.0}  because: {}",
            a.probability,
            a.value,
            a.expected_value,
            why.join("; ")
        );
    }
    println!(
        "\n(simulated, trained and scored in {:.2?})",
        started.elapsed()
    );
    Ok(())
}
