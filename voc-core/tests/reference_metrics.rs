//! Reference tests of the survey metrics against golden values from named peers.
//!
//! The fixture `tests/data/metrics_golden.json` is written by `scripts/golden/metrics.py` (provenance in
//! `tests/data/README.md`): R package `NPS` (`nps`, `npvar`, `nps.test`, transcribed), Rocks (2016) for the
//! adjusted Wald interval, scipy (`binomtest(...).proportion_ci`, `t.interval`, `ttest_ind(equal_var=False)`),
//! statsmodels (`proportions_ztest`, `confint_proportions_2indep(method="wald")`) and brute-force numpy for
//! weighted data. Every result is recomputed here from the raw scores stored in the fixture.
//!
//! Tolerances (absolute; NPS compared on R's −1..1 scale, i.e. voc's points divided by 100):
//! * [`TIGHT`] = 1e-12 for counts-derived quantities, closed-form intervals (Wald, adjusted Wald, Wilson,
//!   Wilson-cc, Clopper–Pearson against `scipy.stats.beta.ppf`), z-tests, t intervals and Welch tests;
//! * [`LOOSE`] = 1e-9 for Clopper–Pearson against scipy's `binomtest`, whose bounds come from `brentq`
//!   with `xtol = 2e-12` (they differ from the closed form by up to ~4e-13), and for the p-values of
//!   z-tests (NPS one- and two-sample, two-proportion), where voc's normal tail is good to ~5e-11 only.
//!
//! Run with `--nocapture` to see the largest error met per quantity.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use serde::Deserialize;
use voc_core::metrics::{
    Batch, Ces, CesOptions, CesResult, CesState, Csat, CsatOptions, CsatResult, CsatState, Metric,
    Nps, NpsInterval, NpsOptions, NpsResult, NpsState, SurveyState, nps_test,
};
use voc_core::stats::{
    Interval, IntervalOptions, Method, ShareInterval, TestOptions, TestResult,
    dist::normal_quantile, proportion_interval, share, two_proportion_test,
};
use voc_core::{Error, MissingPolicy};

const FIXTURE: &str = include_str!("data/metrics_golden.json");
/// Absolute tolerance where the computation is closed-form on both sides.
const TIGHT: f64 = 1e-12;
/// Absolute tolerance against root-finder output (scipy's exact binomial interval), and for normal-theory
/// p-values: `voc_core::stats::dist::normal_two_sided_p` (statrs' normal survival function) differs from
/// scipy/R `2·(1 − Φ(|z|))` by up to ~5e-11, so z-test p-values are held to this tolerance.
const LOOSE: f64 = 1e-9;

// ------------------------------------------------------------------------------------------------
// Fixture schema
// ------------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Fixture {
    seed: u64,
    nps: Vec<NpsCase>,
    nps_pairs: Vec<NpsPair>,
    weighted_nps: Vec<WeightedNpsCase>,
    weighted_nps_pairs: Vec<Expected>,
    grouped_nps: GroupedNps,
    proportions: Vec<ProportionCase>,
    csat: Vec<CsatCase>,
    csat_compare: Vec<Expected>,
    ces: Vec<CesCase>,
    ces_welch: Vec<Expected>,
    two_proportion: Vec<Expected>,
}

#[derive(Deserialize)]
struct RNpsTest {
    nps_x: f64,
    nps_y: Option<f64>,
    delta: f64,
    int: [Option<f64>; 2],
    p_value: Option<f64>,
    se_hat: f64,
    n_x: u64,
}

#[derive(Deserialize)]
struct NpsLevel {
    level: f64,
    r_nps_test: Option<RNpsTest>,
    wald: [f64; 2],
    adjusted_wald: [f64; 2],
}

#[derive(Deserialize)]
struct NpsCase {
    name: String,
    #[serde(default)]
    scores: Vec<i64>,
    n: u64,
    #[serde(default)]
    missing: u64,
    distribution: Vec<u64>,
    detractors: u64,
    passives: u64,
    promoters: u64,
    share_detractors: f64,
    share_passives: f64,
    share_promoters: f64,
    mean: f64,
    sd: Option<f64>,
    nps: f64,
    variance: f64,
    se: f64,
    intervals: Vec<NpsLevel>,
    test_null_20: NullTest,
    #[serde(default)]
    group: u32,
}

#[derive(Deserialize)]
struct NullTest {
    null_points: f64,
    difference: f64,
    se: f64,
    statistic: Option<f64>,
    p_value: Option<f64>,
    ci: [f64; 2],
}

#[derive(Deserialize)]
struct NpsPair {
    a: String,
    b: String,
    level: f64,
    r_nps_test: RNpsTest,
}

#[derive(Deserialize)]
struct WeightedNpsCase {
    name: String,
    scores: Vec<i64>,
    weights: Vec<f64>,
    n: u64,
    weight_sum: f64,
    n_eff: f64,
    detractors: u64,
    passives: u64,
    promoters: u64,
    share_detractors: f64,
    share_passives: f64,
    share_promoters: f64,
    mean: f64,
    sd: f64,
    nps: f64,
    variance: f64,
    se: f64,
    intervals: Vec<NpsLevel>,
}

#[derive(Deserialize)]
struct GroupedNps {
    scores: Vec<Option<i64>>,
    groups: Vec<u32>,
    groups_expected: Vec<NpsCase>,
    total_expected: NpsCase,
}

/// A test of a difference (two-sample z, Welch t, or two-proportion z).
#[derive(Deserialize)]
struct Expected {
    #[serde(default)]
    a: Option<String>,
    #[serde(default)]
    b: Option<String>,
    #[serde(default)]
    k1: f64,
    #[serde(default)]
    n1: f64,
    #[serde(default)]
    k2: f64,
    #[serde(default)]
    n2: f64,
    level: f64,
    difference: f64,
    se: f64,
    statistic: f64,
    p_value: f64,
    #[serde(default)]
    df: Option<f64>,
    ci: [f64; 2],
}

#[derive(Deserialize)]
struct Cis {
    wilson: [f64; 2],
    wilson_cc: [f64; 2],
    clopper_pearson: Option<[f64; 2]>,
    clopper_pearson_beta: [f64; 2],
    wald: [f64; 2],
}

#[derive(Deserialize)]
struct ProportionCase {
    k: f64,
    n: f64,
    level: f64,
    #[serde(flatten)]
    ci: Cis,
}

#[derive(Deserialize)]
struct ShareExpected {
    estimate: f64,
    successes: f64,
    n: f64,
    ci: Cis,
}

#[derive(Deserialize)]
struct CsatCase {
    name: String,
    scale: [i32; 2],
    scores: Vec<i64>,
    weights: Option<Vec<f64>>,
    level: f64,
    satisfied_from_option: Option<i32>,
    satisfied_from: i32,
    n: u64,
    distribution: Vec<u64>,
    satisfied: ShareExpected,
    top_box: ShareExpected,
    mean: f64,
    sd: Option<f64>,
    n_eff: f64,
    weight_sum: f64,
    mean_ci: Option<[f64; 2]>,
}

#[derive(Deserialize)]
struct CesCase {
    name: String,
    scale: [i32; 2],
    scores: Vec<i64>,
    weights: Option<Vec<f64>>,
    level: f64,
    easy_from_option: Option<i32>,
    hard_to_option: Option<i32>,
    easy_from: i32,
    hard_to: i32,
    n: u64,
    distribution: Vec<u64>,
    easy: ShareExpected,
    high_effort: ShareExpected,
    mean: f64,
    sd: Option<f64>,
    n_eff: f64,
    weight_sum: f64,
    mean_ci: Option<[f64; 2]>,
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE)
        .unwrap_or_else(|e| panic!("tests/data/metrics_golden.json does not parse: {e}"))
}

// ------------------------------------------------------------------------------------------------
// Comparison helpers
// ------------------------------------------------------------------------------------------------

/// Asserts closeness and remembers the largest error met per quantity (printed when the test ends).
struct Checker {
    test: &'static str,
    worst: BTreeMap<&'static str, (f64, f64)>,
    checks: usize,
}

impl Checker {
    fn new(test: &'static str) -> Self {
        Checker {
            test,
            worst: BTreeMap::new(),
            checks: 0,
        }
    }

    /// `expected` of `None` (JSON null, i.e. NaN in the peer) requires `actual` to be NaN.
    fn close(
        &mut self,
        what: &'static str,
        ctx: &str,
        actual: f64,
        expected: impl Into<Option<f64>>,
        tol: f64,
    ) {
        self.checks += 1;
        let Some(expected) = expected.into() else {
            assert!(
                actual.is_nan(),
                "{ctx}: {what} = {actual:e}, expected NaN (null in the fixture)"
            );
            return;
        };
        let err = (actual - expected).abs();
        assert!(
            err <= tol,
            "{ctx}: {what} = {actual:.17e}, expected {expected:.17e} (|diff| = {err:.3e} > tol {tol:.0e})"
        );
        let slot = self.worst.entry(what).or_insert((0.0, tol));
        if err > slot.0 {
            slot.0 = err;
        }
    }

    fn interval(
        &mut self,
        what: &'static str,
        ctx: &str,
        ci: &Interval,
        expected: [f64; 2],
        tol: f64,
    ) {
        self.close(what, ctx, ci.low, expected[0], tol);
        self.close(what, ctx, ci.high, expected[1], tol);
    }

    fn exact<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        ctx: &str,
        actual: T,
        expected: T,
    ) {
        self.checks += 1;
        assert_eq!(actual, expected, "{ctx}: {what}");
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        println!(
            "[{}] {} checks; largest |error| per quantity:",
            self.test, self.checks
        );
        for (what, (err, tol)) in &self.worst {
            println!("  {what:<32} {err:.2e}  (tol {tol:.0e})");
        }
    }
}

/// Feeds integer scores to a state through one of the ten supported element types, chosen by `ty`, so that
/// every type is exercised across the fixture.
fn fill<M: Metric>(state: &mut SurveyState<M>, scores: &[i64], ty: usize) {
    fn conv<T>(scores: &[i64], f: impl Fn(i64) -> T) -> Vec<T> {
        scores.iter().map(|&s| f(s)).collect()
    }
    let r = match ty % 10 {
        0 => state.update(&conv(scores, |s| s as u8)),
        1 => state.update(&conv(scores, |s| s as i8)),
        2 => state.update(&conv(scores, |s| s as i16)),
        3 => state.update(&conv(scores, |s| s as u16)),
        4 => state.update(&conv(scores, |s| s as i32)),
        5 => state.update(&conv(scores, |s| s as u32)),
        6 => state.update(&conv(scores, |s| s)),
        7 => state.update(&conv(scores, |s| s as u64)),
        8 => state.update(&conv(scores, |s| s as f32)),
        _ => state.update(&conv(scores, |s| s as f64)),
    };
    r.unwrap_or_else(|e| panic!("update with element type #{ty} failed: {e}"));
}

fn nps_opts(level: f64, interval: NpsInterval) -> NpsOptions {
    NpsOptions::default().confidence(level).interval(interval)
}

const SHARE_METHODS: [(ShareInterval, Method); 4] = [
    (ShareInterval::Wilson, Method::Wilson),
    (ShareInterval::WilsonCc, Method::WilsonCc),
    (ShareInterval::ClopperPearson, Method::ClopperPearson),
    (ShareInterval::Wald, Method::Wald),
];

fn expected_ci(cis: &Cis, method: ShareInterval) -> ([f64; 2], f64) {
    match method {
        ShareInterval::Wilson => (cis.wilson, TIGHT),
        ShareInterval::WilsonCc => (cis.wilson_cc, TIGHT),
        ShareInterval::ClopperPearson => (cis.clopper_pearson_beta, TIGHT),
        ShareInterval::Wald => (cis.wald, TIGHT),
    }
}

// ------------------------------------------------------------------------------------------------
// NPS
// ------------------------------------------------------------------------------------------------

/// Checks one finished NPS (all levels, Wald and adjusted Wald) against an unweighted fixture case.
fn check_nps(c: &mut Checker, e: &NpsCase, ctx: &str, finish: impl Fn(&NpsOptions) -> NpsResult) {
    for lvl in &e.intervals {
        let ctx = format!("{ctx} @ {}", lvl.level);
        let wald = finish(&nps_opts(lvl.level, NpsInterval::Wald));
        let adj = finish(&nps_opts(lvl.level, NpsInterval::AdjustedWald));
        for r in [&wald, &adj] {
            c.exact("n", &ctx, r.responses.n, e.n);
            c.exact("missing", &ctx, r.responses.missing, e.missing);
            c.exact("weighted", &ctx, r.responses.weighted, false);
            c.exact(
                "distribution",
                &ctx,
                &r.responses.distribution,
                &e.distribution,
            );
            c.exact(
                "classes",
                &ctx,
                (r.detractors, r.passives, r.promoters),
                (e.detractors, e.passives, e.promoters),
            );
            c.close(
                "weight_sum (unweighted)",
                &ctx,
                r.responses.weight_sum,
                e.n as f64,
                0.0,
            );
            c.close(
                "n_eff (unweighted)",
                &ctx,
                r.responses.n_eff,
                e.n as f64,
                0.0,
            );
            c.close(
                "share_detractors",
                &ctx,
                r.share_detractors,
                e.share_detractors,
                TIGHT,
            );
            c.close(
                "share_passives",
                &ctx,
                r.share_passives,
                e.share_passives,
                TIGHT,
            );
            c.close(
                "share_promoters",
                &ctx,
                r.share_promoters,
                e.share_promoters,
                TIGHT,
            );
            c.close("mean", &ctx, r.responses.mean, e.mean, TIGHT);
            c.close("sd", &ctx, r.responses.sd, e.sd, TIGHT);
            c.close("nps (R nps)", &ctx, r.nps / 100.0, e.nps, TIGHT);
            c.close("variance (R npvar)", &ctx, r.variance, e.variance, TIGHT);
            c.close("se (R nps.se)", &ctx, r.se / 100.0, e.se, TIGHT);
        }
        c.exact(
            "wald method",
            &ctx,
            (wald.ci.method, wald.ci.level),
            (Method::Wald, lvl.level),
        );
        c.exact(
            "adjusted method",
            &ctx,
            (adj.ci.method, adj.ci.level),
            (Method::AdjustedWald, lvl.level),
        );
        c.interval(
            "Wald CI (R nps.test, clipped)",
            &ctx,
            &wald.ci.scaled_back(),
            lvl.wald,
            TIGHT,
        );
        c.interval(
            "adjusted Wald CI (Rocks 2016)",
            &ctx,
            &adj.ci.scaled_back(),
            lvl.adjusted_wald,
            TIGHT,
        );

        // One-sample test against 0: R nps.test(x, conf = level).
        let Some(r) = &lvl.r_nps_test else { continue };
        c.exact("R n.x", &ctx, r.n_x, e.n);
        c.close("R nps.x", &ctx, wald.nps / 100.0, r.nps_x, TIGHT);
        let t = nps_test(&wald, 0.0, &NpsOptions::default().confidence(lvl.level));
        if r.se_hat == 0.0 {
            // R divides by a zero SE (p = 0 or NaN); voc refuses instead.
            assert!(
                matches!(t, Err(Error::InsufficientData(_))),
                "{ctx}: zero-variance one-sample test gave {t:?}"
            );
            continue;
        }
        let t = t.unwrap_or_else(|e| panic!("{ctx}: nps_test failed: {e}"));
        check_against_r(c, &ctx, &t, r, wald.nps / 100.0);
        assert_eq!(t.df, None, "{ctx}: z test has no df");
    }

    // A null other than 0 (not in R; the same Wald formula).
    let res = finish(&nps_opts(0.95, NpsInterval::Wald));
    let n = &e.test_null_20;
    match nps_test(&res, n.null_points, &NpsOptions::default()) {
        Err(Error::InsufficientData(_)) => {
            assert_eq!(n.se, 0.0, "{ctx}: unexpected zero-variance error")
        }
        Err(err) => panic!("{ctx}: nps_test(null = 20) failed: {err}"),
        Ok(t) => {
            let ctx = format!("{ctx} null=20");
            c.close(
                "test vs 20: difference",
                &ctx,
                t.difference / 100.0,
                n.difference,
                TIGHT,
            );
            c.close("test vs 20: se", &ctx, t.se / 100.0, n.se, TIGHT);
            c.close(
                "test vs 20: statistic",
                &ctx,
                t.statistic,
                n.statistic,
                1e-9,
            );
            c.close("z-test p (vs 20)", &ctx, t.p_value, n.p_value, LOOSE);
            c.interval("test vs 20: ci", &ctx, &t.ci.scaled_back(), n.ci, TIGHT);
        }
    }
}

/// R reports |difference| and an interval around it (one-sample: upper bound first); voc reports the signed
/// difference `estimate − other` and its interval. `signed` is the signed difference on the −1..1 scale.
fn check_against_r(c: &mut Checker, ctx: &str, t: &TestResult, r: &RNpsTest, signed: f64) {
    c.close(
        "|difference| (R delta)",
        ctx,
        t.difference.abs() / 100.0,
        r.delta,
        TIGHT,
    );
    c.close(
        "difference sign",
        ctx,
        (t.difference / 100.0 - signed).abs(),
        0.0,
        TIGHT,
    );
    c.close("se (R se.hat)", ctx, t.se / 100.0, r.se_hat, TIGHT);
    c.close("z-test p (R p.value)", ctx, t.p_value, r.p_value, LOOSE);
    // statistic = difference / se; R's is |difference| / se.hat (the z in its pnorm call).
    c.close(
        "|statistic|",
        ctx,
        t.statistic.abs(),
        r.delta / r.se_hat,
        1e-9 * (1.0 + r.delta / r.se_hat),
    );
    // voc's statistic is signed: difference / se.
    let z = t.difference / t.se;
    c.close(
        "statistic = difference / se",
        ctx,
        t.statistic,
        z,
        TIGHT * (1.0 + z.abs()),
    );
    let (lo, hi) = (t.ci.low / 100.0, t.ci.high / 100.0);
    let [i0, i1] = [r.int[0].unwrap_or(f64::NAN), r.int[1].unwrap_or(f64::NAN)];
    let (r_lo, r_hi) = (i0.min(i1), i0.max(i1));
    if r.nps_y.is_some() && signed < 0.0 {
        // R's two-sample interval is around |a − b|; voc's around a − b < 0 is its mirror image.
        c.close("difference CI (R int, mirrored)", ctx, lo, -r_hi, TIGHT);
        c.close("difference CI (R int, mirrored)", ctx, hi, -r_lo, TIGHT);
    } else {
        c.close("CI (R int)", ctx, lo, r_lo, TIGHT);
        c.close("CI (R int)", ctx, hi, r_hi, TIGHT);
    }
}

trait ScaledBack {
    fn scaled_back(&self) -> Interval;
}
impl ScaledBack for Interval {
    /// Points → R's −1..1 scale.
    fn scaled_back(&self) -> Interval {
        Interval {
            low: self.low / 100.0,
            high: self.high / 100.0,
            ..*self
        }
    }
}

#[test]
fn nps_matches_r_package_and_rocks_2016() {
    let fx = fixture();
    let mut c = Checker::new("nps");
    assert!(fx.nps.len() >= 20, "fixture lost NPS cases");
    for (i, e) in fx.nps.iter().enumerate() {
        let mut state = NpsState::new();
        fill(&mut state, &e.scores, i);
        let ctx = format!("nps case {} (type #{})", e.name, i % 10);
        check_nps(&mut c, e, &ctx, |o| {
            state.finish(o).unwrap_or_else(|err| panic!("{ctx}: {err}"))
        });
    }
}

#[test]
fn nps_every_score_type_gives_the_same_state() {
    let fx = fixture();
    for e in fx.nps.iter().filter(|e| e.n >= 100) {
        let mut first = NpsState::new();
        fill(&mut first, &e.scores, 0);
        for ty in 1..10 {
            let mut other = NpsState::new();
            fill(&mut other, &e.scores, ty);
            assert_eq!(
                other.tally(),
                first.tally(),
                "{}: element type #{ty} tallies differently",
                e.name
            );
        }
    }
}

fn nps_result(fx: &Fixture, name: &str, level: f64) -> NpsResult {
    let e = fx
        .nps
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no NPS case {name}"));
    let mut s = NpsState::new();
    s.update(&e.scores)
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    s.finish(&nps_opts(level, NpsInterval::Wald))
        .unwrap_or_else(|err| panic!("{name}: {err}"))
}

#[test]
fn nps_two_sample_matches_r_nps_test() {
    let fx = fixture();
    let mut c = Checker::new("nps two-sample");
    for p in &fx.nps_pairs {
        let ctx = format!("nps.test({}, {}, conf = {})", p.a, p.b, p.level);
        let (a, b) = (
            nps_result(&fx, &p.a, p.level),
            nps_result(&fx, &p.b, p.level),
        );
        let r = &p.r_nps_test;
        c.close("R nps.x", &ctx, a.nps / 100.0, r.nps_x, TIGHT);
        c.close("R nps.y", &ctx, b.nps / 100.0, r.nps_y, TIGHT);
        let t = Nps::compare(&a, &b, &nps_opts(p.level, NpsInterval::Wald));
        if r.se_hat == 0.0 {
            assert!(
                matches!(t, Err(Error::InsufficientData(_))),
                "{ctx}: zero-variance pair gave {t:?}"
            );
            continue;
        }
        let t = t.unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let signed = r.nps_x - r.nps_y.unwrap_or(f64::NAN);
        check_against_r(&mut c, &ctx, &t, r, signed);
        c.exact(
            "method",
            &ctx,
            (t.ci.method, t.ci.level, t.df),
            (Method::Wald, p.level, None),
        );
    }
    // Swapping the samples mirrors the result exactly.
    let (a, b) = (
        nps_result(&fx, "retail_5000", 0.95),
        nps_result(&fx, "balanced_5000", 0.95),
    );
    let opts = nps_opts(0.95, NpsInterval::Wald);
    let (ab, ba) = (
        Nps::compare(&a, &b, &opts).ok(),
        Nps::compare(&b, &a, &opts).ok(),
    );
    let (ab, ba) = (ab.expect("ab"), ba.expect("ba"));
    assert_eq!(ab.difference, -ba.difference);
    assert_eq!((ab.se, ab.p_value), (ba.se, ba.p_value));
    assert_eq!((ab.ci.low, ab.ci.high), (-ba.ci.high, -ba.ci.low));
}

#[test]
fn weighted_nps_matches_brute_force() {
    let fx = fixture();
    let mut c = Checker::new("weighted nps");
    let mut results = BTreeMap::new();
    for (i, e) in fx.weighted_nps.iter().enumerate() {
        let mut state = NpsState::new();
        let r = match i % 3 {
            0 => state.update_weighted(&e.scores, &e.weights),
            1 => state.update_weighted(
                &e.scores.iter().map(|&s| s as f64).collect::<Vec<_>>(),
                &e.weights,
            ),
            _ => state.update_weighted(
                &e.scores.iter().map(|&s| s as u8).collect::<Vec<_>>(),
                &e.weights,
            ),
        };
        r.unwrap_or_else(|err| panic!("{}: {err}", e.name));
        for lvl in &e.intervals {
            let ctx = format!("weighted nps {} @ {}", e.name, lvl.level);
            let wald = state
                .finish(&nps_opts(lvl.level, NpsInterval::Wald))
                .expect("finish");
            let adj = state
                .finish(&nps_opts(lvl.level, NpsInterval::AdjustedWald))
                .expect("finish");
            for r in [&wald, &adj] {
                c.exact("n", &ctx, r.responses.n, e.n);
                c.exact("weighted", &ctx, r.responses.weighted, true);
                c.exact(
                    "classes",
                    &ctx,
                    (r.detractors, r.passives, r.promoters),
                    (e.detractors, e.passives, e.promoters),
                );
                c.close(
                    "weight_sum",
                    &ctx,
                    r.responses.weight_sum,
                    e.weight_sum,
                    TIGHT * e.weight_sum.max(1.0),
                );
                c.close(
                    "n_eff (Kish)",
                    &ctx,
                    r.responses.n_eff,
                    e.n_eff,
                    TIGHT * e.n_eff.max(1.0),
                );
                c.close(
                    "w share_detractors",
                    &ctx,
                    r.share_detractors,
                    e.share_detractors,
                    TIGHT,
                );
                c.close(
                    "w share_passives",
                    &ctx,
                    r.share_passives,
                    e.share_passives,
                    TIGHT,
                );
                c.close(
                    "w share_promoters",
                    &ctx,
                    r.share_promoters,
                    e.share_promoters,
                    TIGHT,
                );
                c.close("w mean", &ctx, r.responses.mean, e.mean, TIGHT);
                c.close("w sd", &ctx, r.responses.sd, e.sd, TIGHT);
                c.close("w nps", &ctx, r.nps / 100.0, e.nps, TIGHT);
                c.close("w variance", &ctx, r.variance, e.variance, TIGHT);
                c.close("w se", &ctx, r.se / 100.0, e.se, TIGHT);
            }
            c.interval("w Wald CI", &ctx, &wald.ci.scaled_back(), lvl.wald, TIGHT);
            c.interval(
                "w adjusted Wald CI",
                &ctx,
                &adj.ci.scaled_back(),
                lvl.adjusted_wald,
                TIGHT,
            );
        }
        results.insert(e.name.clone(), state);
    }
    for p in &fx.weighted_nps_pairs {
        let (a, b) = (
            p.a.as_deref().unwrap_or_default(),
            p.b.as_deref().unwrap_or_default(),
        );
        let ctx = format!("weighted compare {a} vs {b}");
        let opts = nps_opts(p.level, NpsInterval::Wald);
        let ra = results[a].finish(&opts).expect("finish a");
        let rb = results[b].finish(&opts).expect("finish b");
        let t = Nps::compare(&ra, &rb, &opts).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        check_test(&mut c, &ctx, &t, p, 100.0);
    }
}

fn check_test(c: &mut Checker, ctx: &str, t: &TestResult, e: &Expected, scale: f64) {
    c.close(
        "test: difference",
        ctx,
        t.difference / scale,
        e.difference,
        TIGHT,
    );
    c.close("test: se", ctx, t.se / scale, e.se, TIGHT);
    c.close(
        "test: statistic",
        ctx,
        t.statistic,
        e.statistic,
        TIGHT * (1.0 + e.statistic.abs()),
    );
    // z-tests (no df) use the normal tail, good to ~5e-11 in voc; t-tests are held to TIGHT.
    match t.df {
        Some(_) => c.close("t-test p", ctx, t.p_value, e.p_value, TIGHT),
        None => c.close("z-test p", ctx, t.p_value, e.p_value, LOOSE),
    }
    c.close("test: ci", ctx, t.ci.low / scale, e.ci[0], TIGHT);
    c.close("test: ci", ctx, t.ci.high / scale, e.ci[1], TIGHT);
    c.close("test: level", ctx, t.ci.level, e.level, 0.0);
    match (t.df, e.df) {
        (Some(a), Some(b)) => c.close("test: df", ctx, a, b, TIGHT * b.max(1.0)),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{ctx}: df presence"),
    }
}

#[test]
fn grouped_nps_with_missing_matches_per_group_subsets() {
    let fx = fixture();
    let g = &fx.grouped_nps;
    let mut c = Checker::new("grouped nps");
    let scores: Vec<f64> = g
        .scores
        .iter()
        .map(|s| s.map_or(f64::NAN, |v| v as f64))
        .collect();
    let mut state = NpsState::new();
    state
        .update_batch(
            Batch::new(&scores)
                .groups(&g.groups)
                .missing(MissingPolicy::Skip),
        )
        .expect("update");
    // The default policy refuses the same batch, naming the first missing row.
    let first_missing = g
        .scores
        .iter()
        .position(Option::is_none)
        .expect("fixture has missing rows");
    let mut strict = NpsState::new();
    assert_eq!(
        strict.update_batch(Batch::new(&scores).groups(&g.groups)),
        Err(Error::Missing {
            arg: "scores",
            index: first_missing
        })
    );
    assert_eq!(strict.tally(), NpsState::new().tally());

    let all = state
        .finish_groups(&NpsOptions::default())
        .expect("finish_groups");
    let ids: Vec<u32> = all.iter().map(|(id, _)| *id).collect();
    let expected_ids: Vec<u32> = g.groups_expected.iter().map(|e| e.group).collect();
    assert_eq!(
        ids, expected_ids,
        "groups with responses (the empty group 3 is left out)"
    );
    assert!(matches!(
        state.finish_group(3, &NpsOptions::default()),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        state.finish_group(99, &NpsOptions::default()),
        Err(Error::Empty { .. })
    ));
    for e in &g.groups_expected {
        let ctx = format!("group {}", e.group);
        check_nps(&mut c, e, &ctx, |o| {
            state.finish_group(e.group, o).expect("finish_group")
        });
    }
    let ctx = "all groups".to_string();
    check_nps(&mut c, &g.total_expected, &ctx, |o| {
        state.finish(o).expect("finish")
    });
}

// ------------------------------------------------------------------------------------------------
// Proportions
// ------------------------------------------------------------------------------------------------

#[test]
fn proportion_intervals_match_scipy_binomtest() {
    let fx = fixture();
    let mut c = Checker::new("proportions");
    assert!(fx.proportions.len() > 200);
    for e in &fx.proportions {
        let ctx = format!("k = {}, n = {}, level = {}", e.k, e.n, e.level);
        for (method, name) in SHARE_METHODS {
            let opts = IntervalOptions::default()
                .confidence(e.level)
                .method(method);
            let ci =
                proportion_interval(e.k, e.n, &opts).unwrap_or_else(|err| panic!("{ctx}: {err}"));
            c.exact("method", &ctx, (ci.method, ci.level), (name, e.level));
            let (exp, tol) = expected_ci(&e.ci, method);
            let what = match method {
                ShareInterval::Wilson => "Wilson (scipy)",
                ShareInterval::WilsonCc => "Wilson-cc (scipy)",
                ShareInterval::ClopperPearson => "Clopper-Pearson (beta.ppf)",
                ShareInterval::Wald => "Wald (formula)",
            };
            // Deliberate difference: with fewer than one (effective) success or failure the continuity
            // correction is undefined; voc then uses 0 (or 1) as that bound, where Newcombe's formula
            // gives a bound that can exclude the estimate.
            let fractional_cc = method == ShareInterval::WilsonCc
                && (e.k < 1.0 || e.n - e.k < 1.0)
                && e.k.fract() != 0.0;
            if fractional_cc {
                assert!(
                    ci.contains(e.k / e.n),
                    "{ctx}: Wilson-cc {ci:?} must contain the estimate"
                );
                if e.k < 1.0 {
                    assert_eq!(ci.low, 0.0, "{ctx}");
                }
                if e.n - e.k < 1.0 {
                    assert_eq!(ci.high, 1.0, "{ctx}");
                }
            } else {
                c.interval(what, &ctx, &ci, exp, tol);
            }
            if let (ShareInterval::ClopperPearson, Some(scipy)) = (method, e.ci.clopper_pearson) {
                c.interval("Clopper-Pearson (scipy brentq)", &ctx, &ci, scipy, LOOSE);
            }
            assert!(
                0.0 <= ci.low && ci.low <= ci.high && ci.high <= 1.0,
                "{ctx}: {ci:?} outside 0..1"
            );
            let s = share(e.k, e.n, &opts).expect("share");
            c.close("share estimate", &ctx, s.estimate, e.k / e.n, 0.0);
            assert_eq!(s.ci, ci);
        }
    }
}

#[test]
fn two_proportion_tests_match_statsmodels() {
    let fx = fixture();
    let mut c = Checker::new("two-proportion");
    for e in &fx.two_proportion {
        let ctx = format!("{}/{} vs {}/{} @ {}", e.k1, e.n1, e.k2, e.n2, e.level);
        let t = two_proportion_test(
            e.k1,
            e.n1,
            e.k2,
            e.n2,
            &TestOptions::default().confidence(e.level),
        )
        .unwrap_or_else(|err| panic!("{ctx}: {err}"));
        check_test(&mut c, &ctx, &t, e, 1.0);
        c.exact("method", &ctx, t.ci.method, Method::Wald);
    }
    // Both samples all successes: the pooled SE is 0 and statsmodels returns NaN; voc says why.
    assert!(matches!(
        two_proportion_test(5.0, 5.0, 9.0, 9.0, &TestOptions::default()),
        Err(Error::InsufficientData(_))
    ));
}

// ------------------------------------------------------------------------------------------------
// CSAT and CES
// ------------------------------------------------------------------------------------------------

fn check_share(
    c: &mut Checker,
    ctx: &str,
    what: &'static str,
    s: &voc_core::stats::Share,
    e: &ShareExpected,
    m: ShareInterval,
) {
    let tol_n = TIGHT * e.n.max(1.0);
    c.close(what, ctx, s.estimate, e.estimate, TIGHT);
    c.close("share successes", ctx, s.successes, e.successes, tol_n);
    c.close("share n", ctx, s.n, e.n, tol_n);
    let (exp, tol) = expected_ci(&e.ci, m);
    c.interval(what, ctx, &s.ci, exp, tol);
}

fn csat_state(e: &CsatCase, ty: usize) -> CsatState {
    let mut s = if e.scale == [1, 5] {
        CsatState::new()
    } else {
        CsatState::with_scale(e.scale[0], e.scale[1]).expect("scale")
    };
    match &e.weights {
        None => fill(&mut s, &e.scores, ty),
        Some(w) => s.update_weighted(&e.scores, w).expect("weighted update"),
    }
    s
}

fn ces_state(e: &CesCase, ty: usize) -> CesState {
    let mut s = if e.scale == [1, 7] {
        CesState::new()
    } else {
        CesState::with_scale(e.scale[0], e.scale[1]).expect("scale")
    };
    match &e.weights {
        None => fill(&mut s, &e.scores, ty),
        Some(w) => s.update_weighted(&e.scores, w).expect("weighted update"),
    }
    s
}

#[allow(clippy::too_many_arguments)]
fn check_responses(
    c: &mut Checker,
    ctx: &str,
    r: &voc_core::metrics::Responses,
    n: u64,
    dist: &[u64],
    weighted: bool,
    mean: f64,
    sd: Option<f64>,
    n_eff: f64,
    weight_sum: f64,
) {
    c.exact("n", ctx, r.n, n);
    c.exact("distribution", ctx, r.distribution.as_slice(), dist);
    c.exact("weighted", ctx, r.weighted, weighted);
    c.close("mean", ctx, r.mean, mean, TIGHT);
    c.close("sd (ddof 1 / Kish)", ctx, r.sd, sd, TIGHT);
    c.close("n_eff", ctx, r.n_eff, n_eff, TIGHT * n_eff.max(1.0));
    c.close(
        "weight_sum",
        ctx,
        r.weight_sum,
        weight_sum,
        TIGHT * weight_sum.max(1.0),
    );
}

fn check_mean_ci(
    c: &mut Checker,
    ctx: &str,
    ci: Option<Interval>,
    e: Option<[f64; 2]>,
    level: f64,
) {
    match (ci, e) {
        (Some(ci), Some(e)) => {
            c.exact(
                "mean ci method",
                ctx,
                (ci.method, ci.level),
                (Method::StudentT, level),
            );
            c.interval("mean t interval (scipy t.interval)", ctx, &ci, e, TIGHT);
        }
        (None, None) => {}
        (a, b) => panic!("{ctx}: mean_ci {a:?}, expected {b:?}"),
    }
}

#[test]
fn csat_matches_scipy() {
    let fx = fixture();
    let mut c = Checker::new("csat");
    let mut results: BTreeMap<String, CsatResult> = BTreeMap::new();
    for (i, e) in fx.csat.iter().enumerate() {
        let state = csat_state(e, i + 3);
        for (m, _) in SHARE_METHODS {
            let ctx = format!("csat {} {m:?}", e.name);
            let opts = CsatOptions::default()
                .confidence(e.level)
                .interval(m)
                .satisfied_from(e.satisfied_from_option);
            let r = state
                .finish(&opts)
                .unwrap_or_else(|err| panic!("{ctx}: {err}"));
            c.exact("satisfied_from", &ctx, r.satisfied_from, e.satisfied_from);
            check_responses(
                &mut c,
                &ctx,
                &r.responses,
                e.n,
                &e.distribution,
                e.weights.is_some(),
                e.mean,
                e.sd,
                e.n_eff,
                e.weight_sum,
            );
            check_share(
                &mut c,
                &ctx,
                "satisfied share",
                &r.satisfied,
                &e.satisfied,
                m,
            );
            check_share(&mut c, &ctx, "top-box share", &r.top_box, &e.top_box, m);
            check_mean_ci(&mut c, &ctx, r.mean_ci, e.mean_ci, e.level);
            if m == ShareInterval::Wilson {
                results.insert(e.name.clone(), r);
            }
        }
    }
    for p in &fx.csat_compare {
        let (a, b) = (
            p.a.as_deref().unwrap_or_default(),
            p.b.as_deref().unwrap_or_default(),
        );
        let ctx = format!("csat compare {a} vs {b}");
        let opts = CsatOptions::default().confidence(p.level);
        let t = Csat::compare(&results[a], &results[b], &opts)
            .unwrap_or_else(|err| panic!("{ctx}: {err}"));
        check_test(&mut c, &ctx, &t, p, 1.0);
    }
}

#[test]
fn ces_matches_scipy() {
    let fx = fixture();
    let mut c = Checker::new("ces");
    let mut results: BTreeMap<String, CesResult> = BTreeMap::new();
    for (i, e) in fx.ces.iter().enumerate() {
        let state = ces_state(e, i + 5);
        for (m, _) in SHARE_METHODS {
            let ctx = format!("ces {} {m:?}", e.name);
            let opts = CesOptions::default()
                .confidence(e.level)
                .interval(m)
                .easy_from(e.easy_from_option)
                .hard_to(e.hard_to_option);
            let r = state
                .finish(&opts)
                .unwrap_or_else(|err| panic!("{ctx}: {err}"));
            c.exact(
                "cut-offs",
                &ctx,
                (r.easy_from, r.hard_to),
                (e.easy_from, e.hard_to),
            );
            check_responses(
                &mut c,
                &ctx,
                &r.responses,
                e.n,
                &e.distribution,
                e.weights.is_some(),
                e.mean,
                e.sd,
                e.n_eff,
                e.weight_sum,
            );
            check_share(&mut c, &ctx, "easy share", &r.easy, &e.easy, m);
            check_share(
                &mut c,
                &ctx,
                "high-effort share",
                &r.high_effort,
                &e.high_effort,
                m,
            );
            check_mean_ci(&mut c, &ctx, r.mean_ci, e.mean_ci, e.level);
            if m == ShareInterval::Wilson {
                results.insert(e.name.clone(), r);
            }
        }
    }
    for p in &fx.ces_welch {
        let (a, b) = (
            p.a.as_deref().unwrap_or_default(),
            p.b.as_deref().unwrap_or_default(),
        );
        let ctx = format!("ces Welch {a} vs {b} @ {}", p.level);
        let opts = CesOptions::default().confidence(p.level);
        let t = Ces::compare(&results[a], &results[b], &opts)
            .unwrap_or_else(|err| panic!("{ctx}: {err}"));
        c.exact("method", &ctx, t.ci.method, Method::Welch);
        check_test(&mut c, &ctx, &t, p, 1.0);
    }
}

// ------------------------------------------------------------------------------------------------
// Literal values, checked by hand or quoted from the peers' documentation
// ------------------------------------------------------------------------------------------------

#[test]
fn documented_literals() {
    // scipy.stats.binomtest documentation: `binomtest(k=7, n=50).proportion_ci()` (method "exact")
    // = ConfidenceInterval(low=0.05819170033997342, high=0.26739600249700846).
    let cp = proportion_interval(
        7.0,
        50.0,
        &IntervalOptions::default().method(ShareInterval::ClopperPearson),
    )
    .expect("cp");
    assert!((cp.low - 0.05819170033997342).abs() < 1e-12, "{cp:?}");
    assert!((cp.high - 0.26739600249700846).abs() < 1e-12, "{cp:?}");

    // Wilson for 7/50 by hand (Newcombe 1998, method 3), z = 1.959963984540054:
    // centre (2·7 + z²)/(2(50 + z²)), half-width z·√(4·50·0.14·0.86 + z²)/(2(50 + z²)).
    let z = 1.959963984540054_f64;
    let centre = (14.0 + z * z) / (2.0 * (50.0 + z * z));
    let half = z * (4.0 * 50.0 * 0.14 * 0.86 + z * z).sqrt() / (2.0 * (50.0 + z * z));
    let w = proportion_interval(
        7.0,
        50.0,
        &IntervalOptions::default().method(ShareInterval::Wilson),
    )
    .expect("wilson");
    assert!(
        (w.low - (centre - half)).abs() < 1e-15 && (w.high - (centre + half)).abs() < 1e-15,
        "{w:?}"
    );
    assert!(
        (w.low - 0.06950833427016292).abs() < 1e-15 && (w.high - 0.26186193710585537).abs() < 1e-15
    );
    assert!((normal_quantile(0.975) - z).abs() < 1e-15);

    // NPS of 10,10,9,9,8,7,3,10,9,2: 6 promoters, 2 passives, 2 detractors -> 40 points;
    // npvar = (0.6 + 0.2) − 0.4² = 0.64; SE = 100·√(0.64/10); R nps.test p = 2(1 − Φ(0.4/0.2529822…)).
    let mut s = NpsState::new();
    s.update(&[10_u8, 10, 9, 9, 8, 7, 3, 10, 9, 2])
        .expect("update");
    let wald = s
        .finish(&nps_opts(0.95, NpsInterval::Wald))
        .expect("finish");
    assert!((wald.nps - 40.0).abs() < 1e-12 && (wald.variance - 0.64).abs() < 1e-15);
    let se = 100.0 * (0.064_f64).sqrt();
    assert!((wald.se - se).abs() < 1e-12);
    assert!(
        (wald.ci.low - (40.0 - z * se)).abs() < 1e-12
            && (wald.ci.high - (40.0 + z * se)).abs() < 1e-12
    );
    let t = nps_test(&wald, 0.0, &NpsOptions::default()).expect("test");
    // (voc's normal tail gives 0.11384629801153417 here, 4.9e-12 from R/scipy; see LOOSE.)
    assert!((t.p_value - 0.11384629800665813).abs() < LOOSE, "{t:?}");
    assert!(
        !t.significant(0.05),
        "NPS 40 from 10 answers is not significantly above 0"
    );
    // Adjusted Wald (Rocks 2016): promoters 6.75/13, detractors 2.75/13 -> NPS 4/13, var 9.5/13 − (4/13)².
    let adj = s
        .finish(&nps_opts(0.95, NpsInterval::AdjustedWald))
        .expect("finish");
    let (centre, var) = (4.0 / 13.0, 9.5 / 13.0 - (4.0_f64 / 13.0).powi(2));
    let half = z * (var / 13.0).sqrt();
    assert!(
        (adj.ci.low - 100.0 * (centre - half)).abs() < 1e-12,
        "{adj:?}"
    );
    assert!(
        (adj.ci.high - 100.0 * (centre + half)).abs() < 1e-12,
        "{adj:?}"
    );
    assert!(
        (adj.ci.low - -12.585579968808114).abs() < 1e-10
            && (adj.ci.high - 74.12404150726966).abs() < 1e-10
    );
}

#[test]
fn fixture_provenance_is_recorded() {
    let fx = fixture();
    assert_eq!(fx.seed, 20261101);
    let v: serde_json::Value = serde_json::from_str(FIXTURE).expect("json");
    assert_eq!(v["generator"], "scripts/golden/metrics.py");
    for peer in ["numpy", "scipy", "statsmodels"] {
        assert!(
            v["versions"][peer].is_string(),
            "fixture lacks the {peer} version"
        );
    }
}
