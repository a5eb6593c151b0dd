//! A tour of the survey metrics from Rust: `cargo run --release -p voc-core --example quickstart`.

use voc_core::MissingPolicy;
use voc_core::metrics::{
    Batch, Ces, CesOptions, CsatOptions, CsatState, Metric, Nps, NpsInterval, NpsOptions, NpsState,
    Scale, trend,
};
use voc_core::sample::{CHANNELS, SEGMENTS, SurveyOptions, surveys};
use voc_core::time::{Period, TimeUnit};

fn main() -> Result<(), voc_core::Error> {
    let data = surveys(&SurveyOptions::default().responses(100_000))?;

    // One NPS, three interval methods.
    let mut state = NpsState::new();
    state.update(&data.nps)?;
    for interval in [
        NpsInterval::Wald,
        NpsInterval::AdjustedWald,
        NpsInterval::Bootstrap,
    ] {
        let r = state.finish(&NpsOptions::default().interval(interval))?;
        println!(
            "NPS {:+.2} [{:+.2}, {:+.2}] {}",
            r.nps,
            r.ci.low,
            r.ci.high,
            r.ci.method.name()
        );
    }

    // Weighted, and by segment in one pass (dense u32 group ids).
    let mut by_segment = NpsState::new();
    by_segment.update_batch(
        Batch::new(&data.nps)
            .groups(&data.segment)
            .weights(&data.weight),
    )?;
    for (g, r) in by_segment.finish_groups(&NpsOptions::default())? {
        println!(
            "{:<8} NPS {:+6.1} [{:+.1}, {:+.1}]  n_eff {:.0}",
            SEGMENTS[g as usize], r.nps, r.ci.low, r.ci.high, r.responses.n_eff
        );
    }

    // States merge: two halves give the same answer as the whole.
    let (a, b) = data.csat.split_at(50_000);
    let (mut left, mut right) = (CsatState::new(), CsatState::new());
    left.update(a)?;
    right.update(b)?;
    left.merge(&right)?;
    let csat = left.finish(&CsatOptions::default())?;
    println!(
        "CSAT satisfied {:.1}% [{:.1}%, {:.1}%]",
        100.0 * csat.satisfied.estimate,
        100.0 * csat.satisfied.ci.low,
        100.0 * csat.satisfied.ci.high
    );

    // CES by channel and month: the October rise in call-centre effort stands out.
    let rows = trend::<Ces, _>(
        Scale::new(1, 7)?,
        Batch::new(&data.ces)
            .groups(&data.channel)
            .missing(MissingPolicy::Skip),
        &data.time,
        TimeUnit::Seconds,
        Period::Month,
        &CesOptions::default(),
    )?;
    for r in &rows {
        let Some(c) = r.change.filter(|c| c.p_value < 1e-6) else {
            continue;
        };
        println!(
            "{} {}: CES {:+.2} vs {} (p = {:.1e})",
            CHANNELS[r.group as usize],
            r.label,
            c.difference,
            r.previous.as_deref().unwrap_or("-"),
            c.p_value
        );
    }

    // Two NPS results compared with the Wald test of Rocks (2016).
    let half = data.nps.len() / 2;
    let (mut first, mut second) = (NpsState::new(), NpsState::new());
    first.update(&data.nps[..half])?;
    second.update(&data.nps[half..])?;
    let opts = NpsOptions::default();
    let t = Nps::compare(&second.finish(&opts)?, &first.finish(&opts)?, &opts)?;
    println!(
        "second half − first half: {:+.2} points, p = {:.2e}",
        t.difference, t.p_value
    );
    Ok(())
}
