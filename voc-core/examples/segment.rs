//! Customer segments of a simulated retailer: computes the signals of its 20,000 customers as of
//! 2025-01-01 and the churn of the 180 days after, keeps the active buyers (an order before the cutoff,
//! no churn-survey answer yet) and segments them four ways, each with a profile per segment (size,
//! churn with a Wilson interval, NPS, value, revenue at risk, top complaint themes):
//!
//! - **value × voice**: value tiers of the spend crossed with what the customer says (complaints, price
//!   tickets, the latest NPS answer), with the recommended play of each cell;
//! - **RFM**: recency, frequency and monetary scores and the named R–F segments;
//! - **k-means**: [`Fit`] on a standardised `ndarray` matrix of five behaviour and experience signals,
//!   the centres read back in the signals' units, the silhouette of a subsample, [`Predict`] on the
//!   rows, and the model saved as bytes and read back;
//! - **lifecycle stages** from tenure and days since the last activity.
//!
//! `cargo run --release -p voc-core --example segment`

use std::time::Instant;

use ndarray::{Array2, ShapeBuilder, s};
use voc_core::sample::{RetailerOptions, THEMES, retailer};
use voc_core::segment::{
    KMeans, KMeansOptions, LifecycleOptions, ProfileInput, ProfileOptions, RfmOptions, Stage,
    ValueVoiceOptions, lifecycle, profile, rfm, silhouette_score, standardize, value_voice,
};
use voc_core::signals::{DAY, FeatureOptions, Features};
use voc_core::time::{date_string, days_from_civil};
use voc_core::{Error, Fit, Predict};

/// Days after the cutoff in which a customer without an order (or with a churn-survey answer) churned.
const HORIZON_DAYS: u32 = 180;

/// The k-means signals (the spend on a log scale, so that a few big spenders do not make a cluster).
const KMEANS_SIGNALS: [&str; 5] = [
    "recency_days",
    "frequency",
    "monetary",
    "tickets_90d",
    "refunds_pending",
];

/// Number of k-means clusters.
const CLUSTERS: usize = 5;

/// The active buyers' columns that every segmentation reads.
struct Active {
    features: Features,
    /// Rows of `features` kept.
    keep: Vec<usize>,
    /// Churned within the horizon (0/1), per kept row.
    churn: Vec<f64>,
    /// Spend before the cutoff, per kept row.
    monetary: Vec<f64>,
    /// Latest NPS answer (NaN: none), per kept row.
    nps: Vec<f64>,
    /// Ticket counts per theme, per kept row.
    themes: Vec<(String, Vec<f64>)>,
}

impl Active {
    /// One signal over the kept rows.
    fn column(&self, name: &str) -> voc_core::Result<Vec<f64>> {
        let all = self
            .features
            .column(name)
            .ok_or_else(|| Error::InsufficientData(format!("no signal named {name}")))?;
        Ok(self
            .keep
            .iter()
            .map(|&i| all.get(i).copied().unwrap_or(f64::NAN))
            .collect())
    }

    /// The profile of each segment, printed largest first (empty segments left out).
    fn print_profiles(
        &self,
        title: &str,
        segment: &[u32],
        names: &[String],
    ) -> voc_core::Result<()> {
        let themes: Vec<(&str, &[f64])> = self
            .themes
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let input = ProfileInput {
            churn: Some(&self.churn),
            value: Some(&self.monetary),
            nps: Some(&self.nps),
            themes: &themes,
            ..ProfileInput::new(segment, names)
        };
        let mut rows = profile(&input, &ProfileOptions::default().top_themes(2))?;
        rows.retain(|r| r.size > 0);
        rows.sort_by_key(|r| std::cmp::Reverse(r.size));
        println!("\n{title}");
        println!(
            "{:<36}{:>7}{:>7}{:>8}{:>16}{:>8}{:>9}{:>12}   top themes",
            "segment", "size", "share", "churn", "95% CI", "NPS", "value", "at risk"
        );
        for r in &rows {
            let ci = r.churn_ci.map_or(String::new(), |c| {
                format!("[{:.1}, {:.1}]", 100.0 * c.low, 100.0 * c.high)
            });
            let nps = if r.nps_n > 0 {
                format!("{:+.0}", r.nps)
            } else {
                "-".to_string()
            };
            let themes: Vec<String> = r
                .top_themes
                .iter()
                .map(|(n, c)| format!("{n} ({c})"))
                .collect();
            println!(
                "{:<36}{:>7}{:>6.1}%{:>7.1}%{ci:>16}{nps:>8}{:>9.0}{:>12.0}   {}",
                r.name,
                r.size,
                100.0 * r.share,
                100.0 * r.churn_rate,
                r.mean_value,
                r.revenue_at_risk,
                themes.join(", ")
            );
        }
        Ok(())
    }
}

fn active() -> voc_core::Result<Active> {
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
    let column = |name: &str| features.column(name).unwrap_or_default();
    let (frequency, left) = (column("frequency"), column("churn_event"));
    let keep: Vec<usize> = (0..features.rows())
        .filter(|&i| frequency.get(i).is_some_and(|&v| v > 0.0) && left.get(i) == Some(&0.0))
        .collect();
    let churn = keep
        .iter()
        .map(|&i| f64::from(u8::from(labels.churned.get(i).copied().unwrap_or(false))))
        .collect();
    let mut out = Active {
        features,
        keep,
        churn,
        monetary: Vec::new(),
        nps: Vec::new(),
        themes: Vec::new(),
    };
    out.monetary = out.column("monetary")?;
    out.nps = out.column("nps_last")?;
    for theme in THEMES {
        let counts = out.column(&format!("theme_{theme}"))?;
        out.themes.push((theme.to_string(), counts));
    }
    let churned = out.churn.iter().sum::<f64>();
    println!(
        "{} active buyers, {:.1}% of them churned in the next {HORIZON_DAYS} days",
        out.keep.len(),
        100.0 * churned / out.keep.len() as f64
    );
    Ok(out)
}

/// Value × voice: tiers of the spend crossed with the voice rules on the signals.
fn value_by_voice(a: &Active) -> voc_core::Result<()> {
    let (tickets, price) = (a.column("tickets_90d")?, a.column("theme_price")?);
    let columns = [
        ("tickets_90d", &tickets[..]),
        ("theme_price", &price[..]),
        ("nps_last", &a.nps[..]),
    ];
    let vv = value_voice(&a.monetary, &columns, &ValueVoiceOptions::default())?;
    println!(
        "\nvalue tiers cut at a spend of {}",
        vv.cuts
            .iter()
            .map(|c| format!("{c:.0}"))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    a.print_profiles(
        "value × voice (default tiers and voice rules)",
        &vv.segment,
        &vv.segment_names,
    )?;
    println!("\nplays of the high-value cells:");
    for (name, play) in vv.segment_names.iter().zip(&vv.plays) {
        if name.starts_with("high") {
            println!("  {name:<36}{play}");
        }
    }
    Ok(())
}

/// RFM scores (5 bins) and the named R–F segments.
fn rfm_segments(a: &Active) -> voc_core::Result<()> {
    let (recency, frequency) = (a.column("recency_days")?, a.column("frequency")?);
    let out = rfm(&recency, &frequency, &a.monetary, &RfmOptions::default())?;
    let (codes, names) = out.codes();
    a.print_profiles("RFM segments (5 bins)", &codes, &names)
}

/// k-means on standardised signals: fit, read the centres, predict, save and reload.
fn clusters(a: &Active) -> voc_core::Result<()> {
    let columns = KMEANS_SIGNALS
        .iter()
        .map(|&name| {
            let v = a.column(name)?;
            Ok(if name == "monetary" {
                v.iter().map(|x| x.ln_1p()).collect()
            } else {
                v
            })
        })
        .collect::<voc_core::Result<Vec<Vec<f64>>>>()?;
    let n = a.keep.len();
    // Column-major, as the signals are stored; standardize and k-means read any layout.
    let x = Array2::from_shape_fn((n, KMEANS_SIGNALS.len()).f(), |(i, j)| {
        columns
            .get(j)
            .and_then(|c| c.get(i))
            .copied()
            .unwrap_or(f64::NAN)
    });
    let (z, scaling) = standardize(x.view())?;
    let started = Instant::now();
    let fit = KMeansOptions::default()
        .k(CLUSTERS)
        .n_init(4)
        .seed(3)
        .fit(z.view())?;
    println!(
        "\nk-means, k = {CLUSTERS}, on {} standardised signals of {n} buyers: inertia {:.1}, \
         {} iterations ({}converged) in {:.2?}",
        KMEANS_SIGNALS.len(),
        fit.inertia,
        fit.iterations,
        if fit.converged { "" } else { "not " },
        started.elapsed()
    );
    // Silhouette of every 8th row (the score compares all pairs of rows).
    let sub = z.slice(s![..;8, ..]);
    let sub_labels: Vec<u32> = fit.labels.iter().step_by(8).copied().collect();
    println!(
        "silhouette on {} rows: {:.3}",
        sub.nrows(),
        silhouette_score(sub, &sub_labels)?
    );
    // The centres in the signals' units (the spend back from its log scale; every signal is ≥ 0, so a
    // rounding error below 0 is shown as 0).
    println!(
        "\n{:<10}{:>14}{:>11}{:>10}{:>13}{:>17}",
        "cluster", "recency days", "orders", "spend", "tickets 90d", "refunds pending"
    );
    let mut names = Vec::with_capacity(CLUSTERS);
    for (c, centre) in fit.centers.outer_iter().enumerate() {
        let v: Vec<f64> = centre
            .iter()
            .zip(scaling.means.iter().zip(&scaling.scales))
            .map(|(z, (m, s))| (z * s + m).max(0.0))
            .collect();
        let at = |j: usize| v.get(j).copied().unwrap_or(f64::NAN);
        println!(
            "{:<10}{:>14.0}{:>11.1}{:>10.0}{:>13.2}{:>17.2}",
            c,
            at(0),
            at(1),
            at(2).exp_m1(),
            at(3),
            at(4)
        );
        names.push(format!("cluster {c}"));
    }
    a.print_profiles("k-means clusters", &fit.labels, &names)?;

    // Predict labels the rows with the nearest centre; the saved bytes give the same model back.
    let predicted = fit.predict(z.view())?;
    let moved = predicted
        .iter()
        .zip(&fit.labels)
        .filter(|(p, l)| p != l)
        .count();
    let bytes = fit.to_bytes();
    let reloaded = KMeans::from_bytes(&bytes)?;
    println!(
        "\npredict on the fitted rows: {moved} of {n} labels differ from the fit; the model saves as \
         {} bytes and reloads {}",
        bytes.len(),
        if reloaded == fit && reloaded.predict(z.view())? == predicted {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    Ok(())
}

/// Lifecycle stages from tenure and days since the last activity.
fn stages(a: &Active) -> voc_core::Result<()> {
    let tenure = a.column("tenure_days")?;
    let since = a.column("days_since_activity")?;
    let s = lifecycle(&tenure, &since, &LifecycleOptions::default())?;
    let codes: Vec<u32> = s.iter().map(|&st| st as u32).collect();
    let names: Vec<String> = Stage::NAMES.iter().map(|n| n.to_string()).collect();
    a.print_profiles(
        "lifecycle stages (onboarding < 90 days, dormant after 180 days without activity, mature from 365)",
        &codes,
        &names,
    )
}

fn main() -> voc_core::Result<()> {
    let started = Instant::now();
    let a = active()?;
    value_by_voice(&a)?;
    rfm_segments(&a)?;
    clusters(&a)?;
    stages(&a)?;
    println!("\n(simulated and segmented in {:.2?})", started.elapsed());
    Ok(())
}
