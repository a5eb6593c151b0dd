//! Property tests of the survey-metric states: merge == whole, bounds, permutation invariance, unit weights,
//! the byte form, all-or-nothing updates, seeded bootstrap and empty inputs.
//!
//! Floating-point results are compared to 1e-12 relative to max(1, |x|) (NPS in points, shares, means,
//! n_eff, weight sums); integer counts are compared exactly. Case counts are kept small so that the
//! suite runs in a few seconds in a debug build.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use voc_core::metrics::{
    Batch, CesOptions, CesResult, CesState, CsatOptions, CsatResult, CsatState, Metric, MetricKind,
    NpsInterval, NpsOptions, NpsResult, NpsState, Scale, SurveyState, Tally,
};
use voc_core::stats::{Interval, IntervalOptions, ShareInterval, proportion_interval};
use voc_core::{Error, MissingPolicy};

const TOL: f64 = 1e-12;

/// `cases` per property unless `PROPTEST_CASES` asks for more (e.g. `PROPTEST_CASES=5000` for a deep run).
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    // No regression files are written next to the tests.
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ------------------------------------------------------------------------------------------------
// Comparing results
// ------------------------------------------------------------------------------------------------

/// Every number of a result, named, for comparisons.
trait Numbers {
    fn numbers(&self) -> Vec<(&'static str, f64)>;
    fn counts(&self) -> (u64, u64, Vec<u64>);
}

fn ci(name: &'static str, i: &Interval) -> [(&'static str, f64); 2] {
    [(name, i.low), (name, i.high)]
}

fn responses(r: &voc_core::metrics::Responses) -> Vec<(&'static str, f64)> {
    vec![
        ("weight_sum", r.weight_sum),
        ("n_eff", r.n_eff),
        ("mean", r.mean),
        ("sd", r.sd),
    ]
}

impl Numbers for NpsResult {
    fn numbers(&self) -> Vec<(&'static str, f64)> {
        let mut v = responses(&self.responses);
        v.extend([
            ("share_detractors", self.share_detractors),
            ("share_passives", self.share_passives),
            ("share_promoters", self.share_promoters),
            ("nps", self.nps),
            ("variance", self.variance),
            ("se", self.se),
        ]);
        v.extend(ci("ci", &self.ci));
        v
    }
    fn counts(&self) -> (u64, u64, Vec<u64>) {
        (
            self.responses.n,
            self.responses.missing,
            self.responses.distribution.clone(),
        )
    }
}

impl Numbers for CsatResult {
    fn numbers(&self) -> Vec<(&'static str, f64)> {
        let mut v = responses(&self.responses);
        for (name, s) in [("satisfied", &self.satisfied), ("top_box", &self.top_box)] {
            v.extend([(name, s.estimate), (name, s.successes), (name, s.n)]);
            v.extend(ci(name, &s.ci));
        }
        if let Some(m) = &self.mean_ci {
            v.extend(ci("mean_ci", m));
        }
        v
    }
    fn counts(&self) -> (u64, u64, Vec<u64>) {
        (
            self.responses.n,
            self.responses.missing,
            self.responses.distribution.clone(),
        )
    }
}

impl Numbers for CesResult {
    fn numbers(&self) -> Vec<(&'static str, f64)> {
        let mut v = responses(&self.responses);
        for (name, s) in [("easy", &self.easy), ("high_effort", &self.high_effort)] {
            v.extend([(name, s.estimate), (name, s.successes), (name, s.n)]);
            v.extend(ci(name, &s.ci));
        }
        if let Some(m) = &self.mean_ci {
            v.extend(ci("mean_ci", m));
        }
        v
    }
    fn counts(&self) -> (u64, u64, Vec<u64>) {
        (
            self.responses.n,
            self.responses.missing,
            self.responses.distribution.clone(),
        )
    }
}

fn same_numbers<R: Numbers>(a: &R, b: &R, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.counts(), b.counts(), "{}: counts", what);
    let (x, y) = (a.numbers(), b.numbers());
    prop_assert_eq!(x.len(), y.len(), "{}: shape (mean_ci presence)", what);
    for ((name, u), (_, v)) in x.iter().zip(&y) {
        let ok = (u.is_nan() && v.is_nan()) || (u - v).abs() <= TOL * u.abs().max(v.abs()).max(1.0);
        prop_assert!(ok, "{}: {} = {:e} vs {:e}", what, name, u, v);
    }
    Ok(())
}

/// Both results (or both errors of the same kind) agree.
fn same_outcome<R: Numbers>(
    a: &voc_core::Result<R>,
    b: &voc_core::Result<R>,
    what: &str,
) -> Result<(), TestCaseError> {
    match (a, b) {
        (Ok(a), Ok(b)) => same_numbers(a, b, what),
        (Err(e), Err(f)) => {
            prop_assert_eq!(
                std::mem::discriminant(e),
                std::mem::discriminant(f),
                "{}: {} vs {}",
                what,
                e,
                f
            );
            Ok(())
        }
        (a, b) => {
            prop_assert!(
                false,
                "{}: {:?} vs {:?}",
                what,
                a.as_ref().err(),
                b.as_ref().err()
            );
            Ok(())
        }
    }
}

/// Finishing every group and the total of two states gives the same results.
fn same_finished<M: Metric>(
    a: &SurveyState<M>,
    b: &SurveyState<M>,
    opts: &M::Options,
    what: &str,
) -> Result<(), TestCaseError>
where
    M::Output: Numbers,
{
    same_outcome(&a.finish(opts), &b.finish(opts), what)?;
    let groups = a.tally().groups().max(b.tally().groups()) as u32;
    for g in 0..groups {
        same_outcome(
            &a.finish_group(g, opts),
            &b.finish_group(g, opts),
            &format!("{what}, group {g}"),
        )?;
    }
    Ok(())
}

/// The integer part of two tallies: counts and missing per group.
fn same_counts(a: &Tally, b: &Tally) -> Result<(), TestCaseError> {
    let groups = a.groups().max(b.groups());
    for g in 0..groups {
        let (x, y) = (a.cell(g), b.cell(g));
        let empty_x = x.counts().is_empty() || x.counts().iter().all(|&c| c == 0);
        let empty_y = y.counts().is_empty() || y.counts().iter().all(|&c| c == 0);
        if !(empty_x && empty_y) {
            prop_assert_eq!(x.counts(), y.counts(), "group {} counts", g);
        }
        prop_assert_eq!(x.missing(), y.missing(), "group {} missing", g);
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Data
// ------------------------------------------------------------------------------------------------

/// One row: score (NaN = missing), weight (0 allowed), group id.
#[derive(Debug, Clone, Copy)]
struct Row {
    score: f64,
    weight: f64,
    group: u32,
}

fn rows(
    min: i32,
    max: i32,
    len: std::ops::Range<usize>,
    missing: bool,
) -> impl Strategy<Value = Vec<Row>> {
    let score = if missing {
        prop_oneof![9 => (min..=max).prop_map(f64::from), 1 => Just(f64::NAN)].boxed()
    } else {
        (min..=max).prop_map(f64::from).boxed()
    };
    let weight = prop_oneof![1 => Just(0.0), 1 => Just(1.0), 6 => 0.05f64..8.0];
    prop::collection::vec((score, weight, 0u32..5), len).prop_map(|v| {
        v.into_iter()
            .map(|(score, weight, group)| Row {
                score,
                weight,
                group,
            })
            .collect()
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Plain,
    Grouped,
    Weighted,
    GroupedWeighted,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Plain),
        Just(Shape::Grouped),
        Just(Shape::Weighted),
        Just(Shape::GroupedWeighted)
    ]
}

fn add<M: Metric>(state: &mut SurveyState<M>, rows: &[Row], shape: Shape) -> voc_core::Result<()> {
    let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let weights: Vec<f64> = rows.iter().map(|r| r.weight).collect();
    let groups: Vec<u32> = rows.iter().map(|r| r.group).collect();
    let batch = Batch::new(&scores).missing(MissingPolicy::Skip);
    let batch = match shape {
        Shape::Plain => batch,
        Shape::Grouped => batch.groups(&groups),
        Shape::Weighted => batch.weights(&weights),
        Shape::GroupedWeighted => batch.groups(&groups).weights(&weights),
    };
    state.update_batch(batch)
}

fn state_of<M: Metric>(scale: (i32, i32), rows: &[Row], shape: Shape) -> SurveyState<M> {
    let mut s = SurveyState::<M>::with_scale(scale.0, scale.1).expect("scale");
    add(&mut s, rows, shape).expect("valid rows");
    s
}

/// Cut points (sorted, deduplicated) in 0..=len.
fn cuts(len: usize, idx: &[Index]) -> Vec<usize> {
    let mut c: Vec<usize> = idx.iter().map(|i| i.index(len + 1)).collect();
    c.push(0);
    c.push(len);
    c.sort_unstable();
    c.dedup();
    c
}

/// A deterministic shuffle (xorshift) so that proptest shrinks on the seed.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

fn merge_property<M>(
    scale: (i32, i32),
    data: &[Row],
    shape: Shape,
    idx: &[Index],
    order: u64,
    opts: &M::Options,
) -> Result<(), TestCaseError>
where
    M: Metric + Clone + PartialEq + std::fmt::Debug,
    M::Output: Numbers,
{
    let whole = state_of::<M>(scale, data, shape);
    let c = cuts(data.len(), idx);
    let mut parts: Vec<SurveyState<M>> = c
        .windows(2)
        .map(|w| state_of::<M>(scale, &data[w[0]..w[1]], shape))
        .collect();
    shuffle(&mut parts, order);
    let mut merged = SurveyState::<M>::with_scale(scale.0, scale.1).expect("scale");
    for p in &parts {
        merged.merge(p).expect("same scale");
    }
    same_counts(whole.tally(), merged.tally())?;
    if matches!(shape, Shape::Plain | Shape::Grouped) {
        prop_assert_eq!(&whole, &merged);
    }
    same_finished(&whole, &merged, opts, "merged parts vs whole")?;
    // The empty state is an identity on both sides.
    let empty = SurveyState::<M>::with_scale(scale.0, scale.1).expect("scale");
    let mut left = empty.clone();
    left.merge(&whole).expect("merge");
    let mut right = whole.clone();
    right.merge(&empty).expect("merge");
    same_counts(left.tally(), whole.tally())?;
    same_counts(right.tally(), whole.tally())?;
    same_finished(&left, &whole, opts, "empty ∪ whole")?;
    same_finished(&right, &whole, opts, "whole ∪ empty")?;
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn nps_merge_of_any_split_equals_whole(
        data in rows(0, 10, 0..160, true), shape in shape(),
        idx in prop::collection::vec(any::<Index>(), 0..5), order in any::<u64>(),
        wald in any::<bool>(),
    ) {
        let interval = if wald { NpsInterval::Wald } else { NpsInterval::AdjustedWald };
        let opts = NpsOptions::default().interval(interval);
        merge_property::<voc_core::metrics::Nps>((0, 10), &data, shape, &idx, order, &opts)?;
    }

    #[test]
    fn csat_merge_of_any_split_equals_whole(
        data in rows(1, 5, 0..160, true), shape in shape(),
        idx in prop::collection::vec(any::<Index>(), 0..5), order in any::<u64>(),
    ) {
        merge_property::<voc_core::metrics::Csat>((1, 5), &data, shape, &idx, order, &CsatOptions::default())?;
    }

    #[test]
    fn ces_merge_of_any_split_equals_whole(
        data in rows(1, 7, 0..160, true), shape in shape(),
        idx in prop::collection::vec(any::<Index>(), 0..5), order in any::<u64>(),
    ) {
        let opts = CesOptions::default().interval(ShareInterval::ClopperPearson);
        merge_property::<voc_core::metrics::Ces>((1, 7), &data, shape, &idx, order, &opts)?;
    }

    #[test]
    fn custom_scale_csat_merge_of_any_split_equals_whole(
        data in rows(0, 10, 0..120, true), shape in shape(),
        idx in prop::collection::vec(any::<Index>(), 0..4), order in any::<u64>(),
    ) {
        let opts = CsatOptions::default().satisfied_from(Some(7)).interval(ShareInterval::WilsonCc);
        merge_property::<voc_core::metrics::Csat>((0, 10), &data, shape, &idx, order, &opts)?;
    }

    /// Rows in any order give the same state (exactly when unweighted) and the same results.
    #[test]
    fn permutation_invariance(data in rows(0, 10, 0..200, true), shape in shape(), order in any::<u64>()) {
        let a = state_of::<voc_core::metrics::Nps>((0, 10), &data, shape);
        let mut shuffled = data.clone();
        shuffle(&mut shuffled, order);
        let b = state_of::<voc_core::metrics::Nps>((0, 10), &shuffled, shape);
        same_counts(a.tally(), b.tally())?;
        if matches!(shape, Shape::Plain | Shape::Grouped) {
            prop_assert_eq!(a.tally(), b.tally());
        }
        same_finished(&a, &b, &NpsOptions::default(), "shuffled NPS")?;
        let (c, d) = (
            state_of::<voc_core::metrics::Ces>((0, 10), &data, shape),
            state_of::<voc_core::metrics::Ces>((0, 10), &shuffled, shape),
        );
        same_finished(&c, &d, &CesOptions::default(), "shuffled CES")?;
    }

    /// Weights of exactly 1 reproduce the unweighted results (only the `weighted` flag differs).
    #[test]
    fn unit_weights_equal_unweighted(data in rows(1, 5, 0..200, true), grouped in any::<bool>()) {
        let unit: Vec<Row> = data.iter().map(|r| Row { weight: 1.0, ..*r }).collect();
        let (plain, weighted) = if grouped { (Shape::Grouped, Shape::GroupedWeighted) } else { (Shape::Plain, Shape::Weighted) };
        let a = state_of::<voc_core::metrics::Csat>((1, 5), &unit, plain);
        let b = state_of::<voc_core::metrics::Csat>((1, 5), &unit, weighted);
        prop_assert!(b.tally().is_weighted() && !a.tally().is_weighted());
        same_counts(a.tally(), b.tally())?;
        for interval in [ShareInterval::Wilson, ShareInterval::WilsonCc, ShareInterval::ClopperPearson, ShareInterval::Wald] {
            same_finished(&a, &b, &CsatOptions::default().interval(interval), "CSAT unit weights")?;
        }
        let a = state_of::<voc_core::metrics::Nps>((0, 10), &unit.iter().map(|r| Row { score: r.score * 2.0, ..*r }).collect::<Vec<_>>(), plain);
        let b = state_of::<voc_core::metrics::Nps>((0, 10), &unit.iter().map(|r| Row { score: r.score * 2.0, ..*r }).collect::<Vec<_>>(), weighted);
        for interval in [NpsInterval::Wald, NpsInterval::AdjustedWald, NpsInterval::Bootstrap] {
            same_finished(&a, &b, &NpsOptions::default().interval(interval).resamples(200), "NPS unit weights")?;
        }
        if let Ok(r) = b.finish(&NpsOptions::default()) {
            prop_assert!(r.responses.weighted);
            prop_assert_eq!(r.responses.n_eff, r.responses.n as f64);
        }
    }

    /// A state that received unweighted and weighted batches equals one that received weight 1 for the
    /// unweighted rows, whatever the order of the batches and merges.
    #[test]
    fn mixing_unweighted_and_weighted_batches(a in rows(0, 10, 0..80, false), b in rows(0, 10, 0..80, false), first_weighted in any::<bool>()) {
        let ones: Vec<Row> = a.iter().map(|r| Row { weight: 1.0, ..*r }).collect();
        let mut mixed = NpsState::new();
        let mut reference = NpsState::new();
        if first_weighted {
            add(&mut mixed, &b, Shape::GroupedWeighted).expect("b");
            add(&mut mixed, &a, Shape::Grouped).expect("a");
        } else {
            add(&mut mixed, &a, Shape::Grouped).expect("a");
            add(&mut mixed, &b, Shape::GroupedWeighted).expect("b");
        }
        add(&mut reference, &ones, Shape::GroupedWeighted).expect("ones");
        add(&mut reference, &b, Shape::GroupedWeighted).expect("b");
        same_counts(mixed.tally(), reference.tally())?;
        same_finished(&mixed, &reference, &NpsOptions::default(), "mixed batches")?;
        // The same through merge: unweighted state ∪ weighted state, in both orders.
        let (sa, sb) = (state_of::<voc_core::metrics::Nps>((0, 10), &a, Shape::Grouped), state_of::<voc_core::metrics::Nps>((0, 10), &b, Shape::GroupedWeighted));
        let mut ab = sa.clone();
        ab.merge(&sb).expect("merge");
        let mut ba = sb.clone();
        ba.merge(&sa).expect("merge");
        same_finished(&ab, &reference, &NpsOptions::default(), "unweighted ∪ weighted")?;
        same_finished(&ba, &reference, &NpsOptions::default(), "weighted ∪ unweighted")?;
    }
}

// ------------------------------------------------------------------------------------------------
// Bounds
// ------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn nps_and_intervals_stay_in_bounds(data in rows(0, 10, 1..300, false), weighted in any::<bool>(), level in 0.5f64..0.999) {
        let shape = if weighted { Shape::Weighted } else { Shape::Plain };
        let s = state_of::<voc_core::metrics::Nps>((0, 10), &data, shape);
        let wald = match s.finish(&NpsOptions::default().confidence(level).interval(NpsInterval::Wald)) {
            Ok(r) => r,
            Err(Error::Empty { .. }) => {
                // Only when every weight is zero.
                prop_assert!(weighted && data.iter().all(|r| r.weight == 0.0));
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("finish: {e}"))),
        };
        let adj = s.finish(&NpsOptions::default().confidence(level).interval(NpsInterval::AdjustedWald)).expect("adj");
        let wider = s.finish(&NpsOptions::default().confidence((level + 1.0) / 2.0).interval(NpsInterval::Wald)).expect("wider");
        let wider_adj = s.finish(&NpsOptions::default().confidence((level + 1.0) / 2.0).interval(NpsInterval::AdjustedWald)).expect("wider");
        let eps = 1e-9;
        prop_assert!((-100.0..=100.0).contains(&wald.nps));
        let shares = wald.share_detractors + wald.share_passives + wald.share_promoters;
        prop_assert!((shares - 1.0).abs() < 1e-12, "shares sum to {}", shares);
        prop_assert!((wald.nps - 100.0 * (wald.share_promoters - wald.share_detractors)).abs() < 1e-9);
        prop_assert!((-eps..=1.0 + eps).contains(&wald.variance) && wald.se >= 0.0);
        prop_assert_eq!(wald.detractors + wald.passives + wald.promoters, wald.responses.n);
        for (name, r) in [("wald", &wald), ("adjusted", &adj), ("wider wald", &wider), ("wider adjusted", &wider_adj)] {
            prop_assert!(-100.0 <= r.ci.low && r.ci.low <= r.ci.high && r.ci.high <= 100.0, "{}: {:?}", name, r.ci);
        }
        // Wald is symmetric around the NPS (then clipped), so it contains it.
        prop_assert!(wald.ci.contains(wald.nps), "{:?} does not contain {}", wald.ci, wald.nps);
        // The adjusted interval contains the adjusted NPS 100·(P − D)/(n + 3) (not necessarily the raw NPS:
        // one promoter gives NPS 100 but an interval below 100).
        let n = wald.responses.n_eff;
        let centre = 100.0 * (wald.share_promoters - wald.share_detractors) * n / (n + 3.0);
        prop_assert!(adj.ci.low <= centre + eps && centre - eps <= adj.ci.high, "{:?} vs centre {}", adj.ci, centre);
        // A higher level gives a wider (nested) interval.
        prop_assert!(wider.ci.low <= wald.ci.low + eps && wald.ci.high <= wider.ci.high + eps);
        prop_assert!(wider_adj.ci.low <= adj.ci.low + eps && adj.ci.high <= wider_adj.ci.high + eps);
    }

    #[test]
    fn proportion_intervals_are_nested_and_contain_the_estimate(
        n in 1u32..2000, k_frac in 0.0f64..=1.0, level in 0.5f64..0.999, fractional in any::<bool>(), scale in 0.3f64..3.0,
    ) {
        let (k, n) = if fractional {
            // Effective (Kish) counts of weighted data: n_eff = (Σw)²/Σw² ≥ 1 whenever any weight is positive.
            let n = 1.0 + f64::from(n) * scale / 7.0;
            (k_frac * n, n)
        } else {
            ((k_frac * f64::from(n)).round(), f64::from(n))
        };
        let p = k / n;
        // Wilson-cc (continuity correction ±½) is only checked where a success and a failure can be
        // corrected away, k ≥ 1 and n − k ≥ 1: with a fractional 0 < k < 1 its bounds can exclude the estimate
        // (see the ignored `wilson_cc_with_a_fractional_success_count_contains_the_estimate`).
        let cc_defined = k == 0.0 || k == n || (k >= 1.0 && n - k >= 1.0);
        for m in [ShareInterval::Wilson, ShareInterval::WilsonCc, ShareInterval::ClopperPearson, ShareInterval::Wald] {
            if m == ShareInterval::WilsonCc && !cc_defined {
                continue;
            }
            let ci = proportion_interval(k, n, &IntervalOptions::default().confidence(level).method(m)).expect("interval");
            let wide = proportion_interval(k, n, &IntervalOptions::default().confidence((1.0 + level) / 2.0).method(m)).expect("interval");
            let eps = 1e-12;
            for i in [&ci, &wide] {
                prop_assert!(0.0 <= i.low && i.low <= i.high && i.high <= 1.0, "{:?}: {:?}", m, i);
                prop_assert!(i.low <= p + eps && p - eps <= i.high, "{:?}: {:?} misses p = {}", m, i, p);
            }
            prop_assert!(wide.low <= ci.low + eps && ci.high <= wide.high + eps, "{:?}: {:?} not inside {:?}", m, ci, wide);
            if k == 0.0 {
                prop_assert_eq!(ci.low, 0.0);
            }
            if k == n && m != ShareInterval::Wald {
                prop_assert_eq!(ci.high, 1.0);
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Byte form
// ------------------------------------------------------------------------------------------------

fn roundtrip<M: Metric + PartialEq + std::fmt::Debug>(
    s: &SurveyState<M>,
) -> Result<Vec<u8>, TestCaseError> {
    let bytes = s.to_bytes();
    let back = SurveyState::<M>::from_bytes(&bytes)
        .map_err(|e| TestCaseError::fail(format!("decode: {e}")))?;
    prop_assert_eq!(&back, s);
    prop_assert_eq!(back.to_bytes(), bytes.clone());
    Ok(bytes)
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn bytes_roundtrip_and_reject_damage(
        data in rows(1, 7, 0..120, true), shape in shape(), cut in any::<Index>(),
        flip_at in any::<Index>(), flip in 1u8..=255, extra in prop::collection::vec(any::<u8>(), 1..9),
    ) {
        let s = state_of::<voc_core::metrics::Ces>((1, 7), &data, shape);
        let bytes = roundtrip(&s)?;
        // Every proper prefix is an error, never a panic.
        let k = cut.index(bytes.len());
        let r = Tally::from_bytes(&bytes[..k]);
        prop_assert!(matches!(r, Err(Error::Decode { .. })), "prefix {} of {}: {:?}", k, bytes.len(), r.map(|_| ()));
        // Trailing bytes are an error.
        let mut longer = bytes.clone();
        longer.extend_from_slice(&extra);
        prop_assert!(matches!(CesState::from_bytes(&longer), Err(Error::Decode { .. })), "trailing bytes accepted");
        // A flipped byte decodes to some tally or fails with Decode; it never panics. As a state of the
        // metric, a changed metric tag is Incompatible.
        let mut bad = bytes.clone();
        let at = flip_at.index(bad.len());
        bad[at] ^= flip;
        match Tally::from_bytes(&bad) {
            Ok(_) | Err(Error::Decode { .. }) => {}
            Err(e) => return Err(TestCaseError::fail(format!("flip at {at}: unexpected {e:?}"))),
        }
        match CesState::from_bytes(&bad) {
            Ok(_) | Err(Error::Decode { .. }) | Err(Error::Incompatible(_)) => {}
            Err(e) => return Err(TestCaseError::fail(format!("flip at {at}: unexpected {e:?}"))),
        }
        if at < 6 {
            // Magic or version.
            prop_assert!(matches!(Tally::from_bytes(&bad), Err(Error::Decode { .. })), "bad header at {} accepted", at);
        }
    }

    #[test]
    fn nps_and_csat_bytes_roundtrip(data in rows(0, 10, 0..150, true), shape in shape()) {
        let nps = state_of::<voc_core::metrics::Nps>((0, 10), &data, shape);
        roundtrip(&nps)?;
        let csat = state_of::<voc_core::metrics::Csat>((0, 10), &data, shape);
        let bytes = roundtrip(&csat)?;
        // The same bytes are not an NPS state.
        let is_decode = matches!(NpsState::from_bytes(&bytes), Err(Error::Decode { .. }));
        prop_assert!(is_decode);
        // A decoded state keeps working: merging it with the original doubles every count.
        let mut twice = CsatState::from_bytes(&bytes).expect("decode");
        twice.merge(&csat).expect("merge");
        for g in 0..csat.tally().groups() {
            let doubled: Vec<u64> = csat.tally().cell(g).counts().iter().map(|c| 2 * c).collect();
            let cell = twice.tally().cell(g);
            prop_assert_eq!(cell.counts(), doubled.as_slice());
        }
    }

    /// Arbitrary bytes behind a valid header never panic the decoder.
    #[test]
    fn arbitrary_bytes_never_panic(tag in 0u8..5, min in -3i32..3, span in 0i32..12, groups in 0u64..4, body in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = b"VOCT".to_vec();
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.push(tag);
        bytes.extend_from_slice(&min.to_le_bytes());
        bytes.extend_from_slice(&(min + span).to_le_bytes());
        bytes.extend_from_slice(&groups.to_le_bytes());
        bytes.extend_from_slice(&body);
        match Tally::from_bytes(&bytes) {
            Ok(t) => prop_assert_eq!(Tally::from_bytes(&t.to_bytes()).expect("re-decode"), t),
            Err(Error::Decode { .. }) => {}
            Err(e) => return Err(TestCaseError::fail(format!("unexpected {e:?}"))),
        }
        prop_assert!(matches!(Tally::from_bytes(&body), Err(Error::Decode { .. }) | Ok(_)), "headerless bytes");
    }
}

#[test]
fn byte_form_header_is_checked() {
    let mut s = NpsState::new();
    s.update(&[10_u8, 9, 3]).expect("update");
    let bytes = s.to_bytes();
    assert_eq!(&bytes[..4], b"VOCT");
    let decode_err = |b: &[u8]| matches!(Tally::from_bytes(b), Err(Error::Decode { .. }));
    assert!(decode_err(&[]));
    let mut v = bytes.clone();
    v[4] = 2; // version 2
    assert!(decode_err(&v));
    let mut v = bytes.clone();
    v[6] = 9; // unknown metric tag
    assert!(decode_err(&v));
    let mut v = bytes.clone();
    v[7..11].copy_from_slice(&10_i32.to_le_bytes()); // min = max: not a scale
    assert!(decode_err(&v));
    let mut v = bytes.clone();
    v[15..23].copy_from_slice(&0_u64.to_le_bytes()); // zero groups
    assert!(decode_err(&v));
    let mut v = bytes.clone();
    v[15..23].copy_from_slice(&u64::MAX.to_le_bytes()); // absurd group count: no allocation, an error
    assert!(decode_err(&v));
    let mut v = bytes.clone();
    let flag = v.len() - 1;
    v[flag] = 7; // weight flag
    assert!(decode_err(&v));
}

// ------------------------------------------------------------------------------------------------
// All-or-nothing updates and the errors they name
// ------------------------------------------------------------------------------------------------

/// The error `update` must report for the first bad value (scale 0..=10, NPS, missing policy Error).
fn expected_error(index: usize, value: f64) -> Error {
    if value.is_nan() {
        Error::Missing {
            arg: "scores",
            index,
        }
    } else if !value.is_finite() {
        Error::NonFinite {
            arg: "scores",
            index,
            value,
        }
    } else if value.fract() != 0.0 && (0.0..=10.0).contains(&value) {
        Error::NotWhole {
            arg: "scores",
            index,
            value,
        }
    } else {
        Error::OutOfRange {
            arg: "scores",
            index,
            value,
            scale: "NPS",
            min: 0,
            max: 10,
        }
    }
}

fn bad_float() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(11.0),
        Just(-1.0),
        Just(1e300),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(3.5),
        Just(10.5),
        Just(-0.5),
        Just(11.5),
        (11i64..1000).prop_map(|v| v as f64),
    ]
}

proptest! {
    #![proptest_config(config(128))]

    /// Bad values anywhere: the state is unchanged and the error names the first bad row and its value.
    #[test]
    fn invalid_score_leaves_state_unchanged(
        prior in rows(0, 10, 0..30, false), good in prop::collection::vec(0u8..=10, 1..300),
        bad in prop::collection::vec((any::<Index>(), bad_float()), 1..4), shape in shape(), ty in 0usize..4,
    ) {
        let mut state = NpsState::new();
        add(&mut state, &prior, Shape::GroupedWeighted).expect("prior");
        let before = state.tally().clone();

        let mut scores: Vec<f64> = good.iter().map(|&v| f64::from(v)).collect();
        for (at, v) in &bad {
            let i = at.index(scores.len());
            scores[i] = *v;
        }
        let first = scores.iter().position(|v| !(v.fract() == 0.0 && (0.0..=10.0).contains(v))).expect("a bad value");
        let weights = vec![1.5; scores.len()];
        let groups: Vec<u32> = (0..scores.len() as u32).map(|i| i % 3).collect();

        let result = match ty {
            // f64 scores: every kind of bad value.
            0 | 1 => {
                let b = Batch::new(&scores);
                let b = match shape {
                    Shape::Plain => b,
                    Shape::Grouped => b.groups(&groups),
                    Shape::Weighted => b.weights(&weights),
                    Shape::GroupedWeighted => b.groups(&groups).weights(&weights),
                };
                let expected = expected_error(first, scores[first]);
                let r = state.update_batch(b);
                if let Err(e) = &r {
                    // NaN != NaN, so compare the rendered error for NonFinite/NaN values.
                    prop_assert_eq!(e.to_string(), expected.to_string());
                }
                r
            }
            // Integer element types, fast (u8) and generic (i32) paths: only out-of-range values exist.
            _ => {
                let ints: Vec<i32> = scores
                    .iter()
                    .map(|&v| if v.is_finite() && v.fract() == 0.0 && (-1000.0..=1000.0).contains(&v) { v as i32 } else { 77 })
                    .collect();
                let first = ints.iter().position(|v| !(0..=10).contains(v)).expect("bad");
                let expected = Error::OutOfRange { arg: "scores", index: first, value: f64::from(ints[first]), scale: "NPS", min: 0, max: 10 };
                let r = if ty == 2 {
                    let bytes: Vec<i16> = ints.iter().map(|&v| v as i16).collect();
                    match shape {
                        Shape::Plain => state.update(&bytes),
                        _ => state.update_batch(Batch::new(&bytes).groups(&groups)),
                    }
                } else {
                    match shape {
                        Shape::Plain => state.update(&ints),
                        _ => state.update_weighted(&ints, &weights),
                    }
                };
                prop_assert_eq!(r.clone(), Err(expected));
                r
            }
        };
        prop_assert!(result.is_err());
        prop_assert_eq!(state.tally(), &before, "state changed by a failed update");
    }

    /// u8 and i8 scores (the byte fast path): out-of-range values are found, with their index.
    #[test]
    fn byte_scores_out_of_range(good in prop::collection::vec(0u8..=10, 0..600), at in any::<Index>(), v in 11u8..=255) {
        let mut scores = good.clone();
        scores.push(10);
        let i = at.index(scores.len());
        scores[i] = v;
        let mut state = NpsState::new();
        state.update(&good).expect("good");
        let before = state.tally().clone();
        prop_assert_eq!(
            state.update(&scores),
            Err(Error::OutOfRange { arg: "scores", index: i, value: f64::from(v), scale: "NPS", min: 0, max: 10 })
        );
        let signed: Vec<i8> = scores.iter().map(|&s| s as i8).collect();
        prop_assert_eq!(
            state.update(&signed),
            Err(Error::OutOfRange { arg: "scores", index: i, value: f64::from(v as i8), scale: "NPS", min: 0, max: 10 })
        );
        prop_assert_eq!(state.tally(), &before);
        // The byte fast path counts like the generic one.
        let mut generic = NpsState::new();
        generic.update(&good.iter().map(|&s| u64::from(s)).collect::<Vec<_>>()).expect("good");
        prop_assert_eq!(generic.tally(), &before);
    }

    /// Bad weights: negative, infinite, NaN (policy Error) — named, state unchanged.
    #[test]
    fn invalid_weight_leaves_state_unchanged(scores in prop::collection::vec(1u8..=5, 1..200), at in any::<Index>(), kind in 0usize..3) {
        let mut state = CsatState::new();
        state.update(&[5_u8, 4]).expect("prior");
        let before = state.tally().clone();
        let mut weights = vec![1.0; scores.len()];
        let i = at.index(scores.len());
        let (value, expected) = match kind {
            0 => (-0.5, Error::InvalidValue { arg: "weights", index: i, value: -0.5, reason: "weights must be non-negative" }),
            1 => (f64::INFINITY, Error::NonFinite { arg: "weights", index: i, value: f64::INFINITY }),
            _ => (f64::NAN, Error::Missing { arg: "weights", index: i }),
        };
        weights[i] = value;
        prop_assert_eq!(state.update_weighted(&scores, &weights), Err(expected));
        prop_assert_eq!(state.tally(), &before);
        if kind == 2 {
            // Under Skip the row is left out and counted as missing.
            state.update_batch(Batch::new(&scores).weights(&weights).missing(MissingPolicy::Skip)).expect("skip");
            let r = state.finish(&CsatOptions::default()).expect("finish");
            prop_assert_eq!(r.responses.missing, 1);
            prop_assert_eq!(r.responses.n, 2 + scores.len() as u64 - 1);
        }
    }
}

#[test]
fn length_mismatch_and_bad_groups_leave_state_unchanged() {
    let mut s = NpsState::new();
    s.update(&[9_u8, 3]).expect("prior");
    let before = s.tally().clone();
    assert_eq!(
        s.update_weighted(&[9_u8, 10, 0], &[1.0, 2.0]),
        Err(Error::LengthMismatch {
            arg: "weights",
            len: 2,
            other: "scores",
            other_len: 3
        })
    );
    assert_eq!(
        s.update_batch(Batch::new(&[9_u8, 10]).groups(&[0])),
        Err(Error::LengthMismatch {
            arg: "groups",
            len: 1,
            other: "scores",
            other_len: 2
        })
    );
    let too_big = voc_core::metrics::MAX_GROUPS as u32;
    assert!(matches!(
        s.update_batch(Batch::new(&[9_u8, 10, 1]).groups(&[0, too_big, 1])),
        Err(Error::InvalidValue {
            arg: "groups",
            index: 1,
            ..
        })
    ));
    // A bad score after a valid grouped prefix still changes nothing (no groups are added either).
    assert!(
        s.update_batch(Batch::new(&[9_u8, 10, 11]).groups(&[0, 7, 1]))
            .is_err()
    );
    assert_eq!(s.tally(), &before);
    assert_eq!(s.tally().groups(), 1);
    // Scales that NPS is not defined on are refused.
    assert!(matches!(
        NpsState::with_scale(1, 10),
        Err(Error::InvalidOption { name: "scale", .. })
    ));
    assert!(matches!(
        CsatState::with_scale(5, 5),
        Err(Error::InvalidOption { name: "scale", .. })
    ));
}

/// Above the parallel threshold (2^20 rows) counting is split across threads: the result must equal
/// the merge of small chunks, and a single bad value at the very end must still be all-or-nothing.
#[test]
fn large_batches_count_like_small_ones() {
    let n: usize = (1 << 20) + 4099;
    let scores: Vec<u8> = (0..n).map(|i| ((i * 7919 + i / 13) % 11) as u8).collect();
    let mut big = NpsState::new();
    big.update(&scores).expect("big");
    let mut chunks = NpsState::new();
    for c in scores.chunks(100_003) {
        let mut part = NpsState::new();
        part.update(c).expect("chunk");
        chunks.merge(&part).expect("merge");
    }
    assert_eq!(big.tally(), chunks.tally());
    let mut wide: Vec<i32> = scores.iter().map(|&s| i32::from(s)).collect();
    let groups: Vec<u32> = (0..n as u32).map(|i| i % 4).collect();
    let mut grouped = NpsState::new();
    grouped
        .update_batch(Batch::new(&wide).groups(&groups))
        .expect("grouped");
    let total = grouped.finish(&NpsOptions::default()).expect("finish");
    assert_eq!(total.responses.distribution, big.tally().cell(0).counts());
    let last = wide.len() - 1;
    wide[last] = 12;
    let before = big.tally().clone();
    assert_eq!(
        big.update(&wide),
        Err(Error::OutOfRange {
            arg: "scores",
            index: last,
            value: 12.0,
            scale: "NPS",
            min: 0,
            max: 10
        })
    );
    let mut bytes = scores.clone();
    bytes[last] = 200;
    assert!(
        matches!(big.update(&bytes), Err(Error::OutOfRange { index, value, .. }) if index == last && value == 200.0)
    );
    assert_eq!(big.tally(), &before);
}

// ------------------------------------------------------------------------------------------------
// Bootstrap, empty inputs, options
// ------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn bootstrap_is_seeded(data in rows(0, 10, 1..200, false), seed in any::<u64>(), weighted in any::<bool>()) {
        let shape = if weighted { Shape::Weighted } else { Shape::Plain };
        let s = state_of::<voc_core::metrics::Nps>((0, 10), &data, shape);
        let opts = NpsOptions::default().interval(NpsInterval::Bootstrap).resamples(300).seed(seed);
        let (a, b) = (s.finish(&opts), s.clone().finish(&opts));
        match (&a, &b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.ci, b.ci);
                prop_assert_eq!(a.ci.method, voc_core::stats::Method::Bootstrap);
                prop_assert!(-100.0 <= a.ci.low && a.ci.low <= a.ci.high && a.ci.high <= 100.0, "{:?}", a.ci);
                // A decoded copy of the state bootstraps identically.
                let c = NpsState::from_bytes(&s.to_bytes()).expect("decode").finish(&opts).expect("finish");
                prop_assert_eq!(c.ci, a.ci);
                // One class only: every resample has the same NPS.
                if a.share_promoters == 1.0 || a.share_detractors == 1.0 || a.share_passives == 1.0 {
                    prop_assert_eq!((a.ci.low, a.ci.high), (a.nps, a.nps));
                }
            }
            (Err(Error::Empty { .. }), Err(Error::Empty { .. })) => prop_assert!(weighted),
            _ => prop_assert!(false, "{:?} / {:?}", a.as_ref().err(), b.as_ref().err()),
        }
    }
}

#[test]
fn bootstrap_is_close_to_wald_for_a_large_sample() {
    // 3000 answers, 1500 promoters, 900 passives, 600 detractors: NPS 30, SE = 100·√((0.7 − 0.09)/3000).
    let mut scores = vec![10_u8; 1500];
    scores.extend(vec![8_u8; 900]);
    scores.extend(vec![2_u8; 600]);
    let mut s = NpsState::new();
    s.update(&scores).expect("update");
    let boot = s
        .finish(
            &NpsOptions::default()
                .interval(NpsInterval::Bootstrap)
                .resamples(4000)
                .seed(7),
        )
        .expect("bootstrap");
    let wald = s
        .finish(&NpsOptions::default().interval(NpsInterval::Wald))
        .expect("wald");
    assert!((wald.se - 100.0 * (0.61_f64 / 3000.0).sqrt()).abs() < 1e-12);
    // Percentile bootstrap vs normal interval: equal up to Monte-Carlo error (~0.1 point here).
    assert!(
        (boot.ci.low - wald.ci.low).abs() < 0.5,
        "{:?} vs {:?}",
        boot.ci,
        wald.ci
    );
    assert!(
        (boot.ci.high - wald.ci.high).abs() < 0.5,
        "{:?} vs {:?}",
        boot.ci,
        wald.ci
    );
    let other = s
        .finish(
            &NpsOptions::default()
                .interval(NpsInterval::Bootstrap)
                .resamples(4000)
                .seed(8),
        )
        .expect("bootstrap");
    assert_ne!(
        boot.ci, other.ci,
        "a different seed should move a 4000-resample percentile interval"
    );
    assert!(matches!(
        s.finish(
            &NpsOptions::default()
                .interval(NpsInterval::Bootstrap)
                .resamples(99)
        ),
        Err(Error::InvalidOption {
            name: "resamples",
            ..
        })
    ));
}

#[test]
fn empty_states_finish_with_empty() {
    let empty = |r: &dyn std::fmt::Debug, ok: bool| assert!(ok, "expected Error::Empty, got {r:?}");
    let r = NpsState::new().finish(&NpsOptions::default());
    empty(&r, matches!(r, Err(Error::Empty { .. })));
    let r = CsatState::new().finish(&CsatOptions::default());
    empty(&r, matches!(r, Err(Error::Empty { .. })));
    let r = CesState::new().finish(&CesOptions::default());
    empty(&r, matches!(r, Err(Error::Empty { .. })));
    assert_eq!(
        NpsState::new()
            .finish_groups(&NpsOptions::default())
            .expect("no groups")
            .len(),
        0
    );
    // Rows that were all missing, or all weight zero, leave nothing to summarise either.
    let mut s = NpsState::new();
    s.update_batch(Batch::new(&[f64::NAN, f64::NAN]).missing(MissingPolicy::Skip))
        .expect("skip");
    assert!(matches!(
        s.finish(&NpsOptions::default()),
        Err(Error::Empty { .. })
    ));
    let mut s = CsatState::new();
    s.update_weighted(&[5_u8, 4], &[0.0, 0.0])
        .expect("zero weights");
    assert!(matches!(
        s.finish(&CsatOptions::default()),
        Err(Error::Empty { .. })
    ));
    // Updating with nothing changes nothing.
    let mut s = CesState::new();
    s.update::<u8>(&[]).expect("empty batch");
    assert_eq!(s.tally(), CesState::new().tally());
}

#[test]
fn invalid_options_are_errors() {
    let mut s = CesState::new();
    s.update(&[1_u8, 7, 4]).expect("update");
    for confidence in [0.0, 1.0, 95.0, f64::NAN, -0.1] {
        let r = s.finish(&CesOptions::default().confidence(confidence));
        assert!(
            matches!(
                r,
                Err(Error::InvalidOption {
                    name: "confidence",
                    ..
                })
            ),
            "{confidence}: {r:?}"
        );
    }
    let r = s.finish(&CesOptions::default().easy_from(Some(3)).hard_to(Some(4)));
    assert!(
        matches!(
            r,
            Err(Error::InvalidOption {
                name: "hard_to",
                ..
            })
        ),
        "{r:?}"
    );
    let r = s.finish(&CesOptions::default().easy_from(Some(8)));
    assert!(
        matches!(
            r,
            Err(Error::InvalidOption {
                name: "easy_from",
                ..
            })
        ),
        "{r:?}"
    );
    let mut c = CsatState::new();
    c.update(&[5_u8]).expect("update");
    let r = c.finish(&CsatOptions::default().satisfied_from(Some(0)));
    assert!(
        matches!(
            r,
            Err(Error::InvalidOption {
                name: "satisfied_from",
                ..
            })
        ),
        "{r:?}"
    );
    // One response: no t interval, sd NaN, but shares are defined.
    let one = c.finish(&CsatOptions::default()).expect("one response");
    assert!(one.mean_ci.is_none() && one.responses.sd.is_nan() && one.satisfied.estimate == 1.0);
    // Merging different scales or metrics is refused.
    let mut seven = CsatState::with_scale(1, 7).expect("scale");
    assert!(matches!(seven.merge(&c), Err(Error::Incompatible(_))));
    let tally = Tally::new(MetricKind::Ces, Scale::new(1, 7).expect("scale"));
    assert!(matches!(
        NpsState::from_tally(tally),
        Err(Error::Incompatible(_))
    ));
}

// ------------------------------------------------------------------------------------------------
// Known defects (ignored until fixed in voc-core; run with `--ignored`)
// ------------------------------------------------------------------------------------------------

/// The byte fast path maps `x` to bin `(x as u8).wrapping_sub(min as u8)`; when the scale runs past the
/// element type's maximum, low values wrap into the top bins and are counted instead of rejected.
#[test]
fn byte_scores_on_a_scale_past_the_type_range_are_rejected() {
    let mut s = CsatState::with_scale(250, 260).expect("11-point scale");
    let r = s.update(&[4_u8]);
    assert_eq!(
        r,
        Err(Error::OutOfRange {
            arg: "scores",
            index: 0,
            value: 4.0,
            scale: "CSAT",
            min: 250,
            max: 260
        })
    );
    let mut s = CsatState::with_scale(120, 130).expect("11-point scale");
    let r = s.update(&[-128_i8]);
    assert_eq!(
        r,
        Err(Error::OutOfRange {
            arg: "scores",
            index: 0,
            value: -128.0,
            scale: "CSAT",
            min: 120,
            max: 130
        })
    );
}

/// Decoded bytes are user input; counts whose sum overflows u64 make `finish` and `merge` panic
/// (debug) or wrap (release) instead of returning an error (e.g. `Error::Decode` from `from_bytes`).
#[test]
fn decoded_counts_that_overflow_do_not_panic() {
    let mut s = NpsState::new();
    s.update(&[10_u8, 9]).expect("update");
    let mut bytes = s.to_bytes();
    // Counts start after magic (4), version (2), tag (1), scale (8) and groups (8): points 9 and 10.
    let at = 4 + 2 + 1 + 8 + 8;
    bytes[at + 9 * 8..at + 10 * 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let outcome = std::panic::catch_unwind(|| match NpsState::from_bytes(&bytes) {
        Ok(state) => state.finish(&NpsOptions::default()).map(|_| ()),
        Err(e) => Err(e),
    });
    assert!(
        matches!(outcome, Ok(Err(_))),
        "expected an error, got {outcome:?}"
    );
}

/// Wilson-cc on effective (weighted) counts: with a success weight below one effective response the
/// continuity-corrected lower bound lies above the estimate, and intervals at increasing levels are not
/// nested. Weights 1000 and 1 on scores 1 and 5: satisfied share 1/1001, n_eff = 1001²/1000001 ≈ 1.002.
#[test]
fn wilson_cc_with_a_fractional_success_count_contains_the_estimate() {
    let mut s = CsatState::new();
    s.update_weighted(&[1_u8, 5], &[1000.0, 1.0])
        .expect("update");
    let mut previous: Option<Interval> = None;
    for confidence in [0.8, 0.9, 0.95, 0.99] {
        let r = s
            .finish(
                &CsatOptions::default()
                    .confidence(confidence)
                    .interval(ShareInterval::WilsonCc),
            )
            .expect("finish");
        let (p, ci) = (r.satisfied.estimate, r.satisfied.ci);
        // Currently 0.95 gives [0.10683706258418530, 0.9452874867408945] around p = 0.000999.
        assert!(
            ci.contains(p),
            "{confidence}: {ci:?} excludes the estimate {p}"
        );
        if let Some(prev) = previous {
            assert!(
                ci.low <= prev.low && prev.high <= ci.high,
                "{prev:?} is not inside {ci:?}"
            );
        }
        previous = Some(ci);
    }
}
