//! Times the simulator, the event log and the features at a given size (a quick look; the criterion
//! bench `benches/benches/signals.rs` is the measurement of record).
//!
//! `cargo run --release -p voc-core --example retailer_timing -- 1000000`

use std::time::Instant;

use voc_core::sample::{RetailerOptions, retailer};
use voc_core::signals::{DAY, FeatureOptions};

fn main() -> voc_core::Result<()> {
    let n = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let t = Instant::now();
    let r = retailer(&RetailerOptions::default().customers(n))?;
    println!(
        "simulate {n} customers, {} events: {:?}",
        r.events(),
        t.elapsed()
    );
    let t = Instant::now();
    let log = r.event_log()?;
    println!("event log: {:?}", t.elapsed());
    let cutoff = r.start + 365 * DAY;
    let t = Instant::now();
    let f = log.features(&FeatureOptions::new(cutoff))?;
    println!("features {} x {}: {:?}", f.rows(), f.cols(), t.elapsed());
    let t = Instant::now();
    let y = log.labels(cutoff, 180)?;
    let churned = y.churned.iter().filter(|&&b| b).count();
    println!(
        "labels: {:?}, churn rate {:.3}",
        t.elapsed(),
        churned as f64 / y.churned.len() as f64
    );
    Ok(())
}
