//! Reference tests of the churn-risk module against golden values from named peers.
//!
//! The fixture `tests/data/risk_golden.json` is written by `scripts/golden/risk.py` (provenance in
//! `tests/data/README.md`): scikit-learn 1.9.1 (`LogisticRegression` with lbfgs / newton-cholesky for L2
//! and saga for L1 and elastic net; `roc_auc_score`, `average_precision_score`, `brier_score_loss`,
//! `calibration_curve`) and statsmodels 0.15.0 (`Logit`; `GLM` Binomial with frequency weights for
//! weighted fits). Every model is refitted here from the raw data stored in the fixture.
//!
//! Tolerances:
//! * [`COEF_TOL`] = 1e-6, relative above 1 and absolute below, for L2 fits (sklearn's own distance to the
//!   optimum, estimated in the script by a Newton step from its solution, is below 1e-7 in every case:
//!   lbfgs with `tol=1e-12` stops up to 8e-8 away);
//! * [`SPARSE_TOL`] = 1e-8 for L1 and elastic-net fits (saga with `tol=1e-12` stops within 4e-13 of the
//!   optimum found by polishing its solution with Newton steps on its active set), with the set of zero
//!   coefficients identical;
//! * [`POLISHED_TOL`] = 1e-9 for every penalised fit against sklearn's solution polished in the script
//!   by Newton steps on its active set (optimality conditions met to 1e-12): this separates voc's error
//!   from the solver's stopping point;
//! * [`INFERENCE_TOL`] = 1e-6 relative for statsmodels' estimates, standard errors, z, p-values,
//!   intervals, log-likelihoods, likelihood-ratio test and pseudo-R²;
//! * [`METRIC_TOL`] = 1e-12 absolute for AUC, average precision, Brier score and calibration bins.
//!
//! Run with `--nocapture` to see the largest error met per quantity.

// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use ndarray::{Array2, ShapeBuilder};
use serde::Deserialize;
use voc_core::Fit;
use voc_core::risk::{
    ClassWeight, LogisticModel, LogisticOptions, Penalty, RiskData, average_precision, brier_score,
    calibration, roc_auc,
};

const FIXTURE: &str = include_str!("data/risk_golden.json");
/// L2 coefficients and intercepts vs scikit-learn (relative above 1, absolute below).
const COEF_TOL: f64 = 1e-6;
/// L1 / elastic-net coefficients and intercepts vs scikit-learn's saga.
const SPARSE_TOL: f64 = 1e-8;
/// statsmodels `Logit` results (relative).
const INFERENCE_TOL: f64 = 1e-6;
/// Any penalised fit vs the sklearn solution polished by Newton steps (relative above 1).
const POLISHED_TOL: f64 = 1e-9;
/// Evaluation metrics vs scikit-learn (absolute).
const METRIC_TOL: f64 = 1e-12;

// ------------------------------------------------------------------------------------------------
// Fixture schema
// ------------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Fixture {
    versions: BTreeMap<String, String>,
    datasets: BTreeMap<String, Dataset>,
    sklearn: Vec<SkCase>,
    statsmodels: Vec<SmCase>,
    statsmodels_weighted: Vec<SmWeightedCase>,
    evaluation: Vec<EvalCase>,
}

#[derive(Deserialize)]
struct Dataset {
    names: Vec<String>,
    /// Columns.
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    sample_weight: Option<Vec<f64>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ClassWeightSpec {
    Named(String),
    Manual([f64; 2]),
}

#[derive(Deserialize)]
struct SkCase {
    name: String,
    dataset: String,
    penalty: String,
    l1_ratio: f64,
    c: f64,
    standardize: bool,
    class_weight: Option<ClassWeightSpec>,
    sample_weight: bool,
    /// The class weights sklearn applied (weighted class totals when sample weights are given).
    sklearn_class_weight: Option<[f64; 2]>,
    coef_std: Vec<f64>,
    intercept_std: f64,
    coef: Vec<f64>,
    intercept: f64,
    ref_error: f64,
    /// sklearn's solution (standardised scale) after Newton steps on its active set.
    polished_coef_std: Vec<f64>,
    polished_intercept_std: f64,
}

#[derive(Deserialize)]
struct SmCase {
    dataset: String,
    /// Intercept first, as in voc's `inference`.
    params: Vec<f64>,
    bse: Vec<f64>,
    tvalues: Vec<f64>,
    pvalues: Vec<f64>,
    conf_int: Vec<[f64; 2]>,
    llf: f64,
    llnull: f64,
    llr: f64,
    llr_pvalue: f64,
    prsquared: f64,
}

#[derive(Deserialize)]
struct SmWeightedCase {
    dataset: String,
    params: Vec<f64>,
    bse: Vec<f64>,
    tvalues: Vec<f64>,
    pvalues: Vec<f64>,
    conf_int: Vec<[f64; 2]>,
    llf: f64,
    llnull: f64,
    prsquared: f64,
}

#[derive(Deserialize)]
struct EvalCase {
    name: String,
    y: Vec<f64>,
    score: Option<Vec<f64>>,
    score_bits: Option<Vec<u64>>,
    roc_auc: f64,
    average_precision: f64,
    brier: f64,
    calibration_bins: Vec<usize>,
    calibration_n: Vec<usize>,
    prob_true: Vec<f64>,
    prob_pred: Vec<f64>,
}

impl EvalCase {
    fn scores(&self) -> Vec<f64> {
        match (&self.score, &self.score_bits) {
            (Some(s), _) => s.clone(),
            (None, Some(b)) => b.iter().map(|&v| f64::from_bits(v)).collect(),
            (None, None) => panic!("{}: no scores in the fixture", self.name),
        }
    }
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).expect("risk_golden.json parses")
}

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/// Largest error seen per quantity, printed at the end of a test.
#[derive(Default)]
struct Worst(BTreeMap<&'static str, (f64, String)>);

impl Worst {
    fn note(&mut self, what: &'static str, err: f64, case: &str) {
        let e = self.0.entry(what).or_insert((0.0, String::new()));
        if err > e.0 || e.1.is_empty() {
            *e = (err, case.to_string());
        }
    }
    fn print(&self, title: &str) {
        println!("{title}: largest error per quantity");
        for (what, (err, case)) in &self.0 {
            println!("  {what:28} {err:.3e}  ({case})");
        }
    }
}

/// `|got − want| / max(1, |want|)`: absolute below 1, relative above.
fn mixed_err(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs().max(1.0)
}

/// `|got − want| / |want|` (0 when both are 0).
fn rel_err(got: f64, want: f64) -> f64 {
    if got == want {
        0.0
    } else {
        (got - want).abs() / want.abs()
    }
}

#[allow(clippy::too_many_arguments)]
fn check(
    worst: &mut Worst,
    case: &str,
    what: &'static str,
    got: f64,
    want: f64,
    err: f64,
    tol: f64,
    failures: &mut Vec<String>,
) {
    worst.note(what, err, case);
    if !(err <= tol) {
        failures.push(format!(
            "{case}: {what}: voc {got:.17e} vs reference {want:.17e} (error {err:.3e} > {tol:e})"
        ));
    }
}

fn report(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Population SD of a column (to put raw-scale coefficients on a comparable scale).
fn population_sd(col: &[f64]) -> f64 {
    let n = col.len() as f64;
    let m = col.iter().sum::<f64>() / n;
    (col.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt()
}

/// The data set's columns as one Fortran-ordered matrix (rows × features), read in place by the fit.
fn columns(d: &Dataset) -> Array2<f64> {
    let n = d.y.len();
    let flat: Vec<f64> = d.x.iter().flatten().copied().collect();
    Array2::from_shape_vec((n, d.x.len()).f(), flat).expect("columns of equal length")
}

fn fit(
    x: &Array2<f64>,
    names: &[String],
    y: &[f64],
    w: Option<&[f64]>,
    opts: &LogisticOptions,
) -> voc_core::Result<LogisticModel> {
    let data = RiskData::new(x.view(), y).names(names);
    match w {
        Some(w) => opts.fit(data.sample_weight(w)),
        None => opts.fit(data),
    }
}

fn options(case: &SkCase) -> LogisticOptions {
    let penalty = match case.penalty.as_str() {
        "l2" => Penalty::L2,
        "l1" => Penalty::L1,
        "elasticnet" => Penalty::ElasticNet,
        other => panic!("{}: unknown penalty {other}", case.name),
    };
    let class_weight = match &case.class_weight {
        None => ClassWeight::None,
        // Both balance the (weighted) class totals.
        Some(ClassWeightSpec::Named(s)) if s == "balanced" => ClassWeight::Balanced,
        // sklearn was given row-count balanced weights explicitly: give voc the same weights.
        Some(ClassWeightSpec::Named(s)) if s == "balanced_rows" => {
            let [negative, positive] = case
                .sklearn_class_weight
                .expect("sklearn class weights stored");
            ClassWeight::Manual { negative, positive }
        }
        Some(ClassWeightSpec::Named(s)) => panic!("{}: unknown class weight {s}", case.name),
        Some(ClassWeightSpec::Manual([negative, positive])) => ClassWeight::Manual {
            negative: *negative,
            positive: *positive,
        },
    };
    let opts = LogisticOptions::default()
        .penalty(penalty)
        .c(case.c)
        .class_weight(class_weight)
        .standardize(case.standardize);
    if case.penalty == "elasticnet" {
        opts.l1_ratio(case.l1_ratio)
    } else {
        opts
    }
}

fn fit_case(fx: &Fixture, case: &SkCase) -> LogisticModel {
    let d = &fx.datasets[&case.dataset];
    let w = if case.sample_weight {
        Some(
            d.sample_weight
                .as_deref()
                .expect("dataset has sample weights"),
        )
    } else {
        None
    };
    let m = fit(&columns(d), &d.names, &d.y, w, &options(case))
        .unwrap_or_else(|e| panic!("{}: fit failed: {e}", case.name));
    assert!(
        m.convergence.converged,
        "{}: not converged: {:?}",
        case.name, m.convergence
    );
    m
}

// ------------------------------------------------------------------------------------------------
// Logistic regression vs scikit-learn
// ------------------------------------------------------------------------------------------------

/// Compares coefficients and intercepts on both scales, and coefficient × column SD (so that tiny
/// coefficients of columns on a large scale are still held to the tolerance), then the standardised
/// ones with the polished reference.
fn compare_sklearn(
    fx: &Fixture,
    case: &SkCase,
    m: &LogisticModel,
    tol: f64,
    worst: &mut Worst,
    failures: &mut Vec<String>,
) {
    let d = &fx.datasets[&case.dataset];
    let name = case.name.as_str();
    check(
        worst,
        name,
        "intercept",
        m.intercept,
        case.intercept,
        mixed_err(m.intercept, case.intercept),
        tol,
        failures,
    );
    check(
        worst,
        name,
        "intercept (standardised)",
        m.intercept_std,
        case.intercept_std,
        mixed_err(m.intercept_std, case.intercept_std),
        tol,
        failures,
    );
    for j in 0..case.coef.len() {
        let sd = population_sd(&d.x[j]);
        check(
            worst,
            name,
            "coef",
            m.coef[j],
            case.coef[j],
            mixed_err(m.coef[j], case.coef[j]),
            tol,
            failures,
        );
        check(
            worst,
            name,
            "coef (standardised)",
            m.coef_std[j],
            case.coef_std[j],
            mixed_err(m.coef_std[j], case.coef_std[j]),
            tol,
            failures,
        );
        check(
            worst,
            name,
            "coef x column SD",
            m.coef[j] * sd,
            case.coef[j] * sd,
            mixed_err(m.coef[j] * sd, case.coef[j] * sd),
            tol,
            failures,
        );
    }
    // The same solution polished by Newton steps (optimality conditions met to 1e-12).
    check(
        worst,
        name,
        "polished intercept (std)",
        m.intercept_std,
        case.polished_intercept_std,
        mixed_err(m.intercept_std, case.polished_intercept_std),
        POLISHED_TOL,
        failures,
    );
    for (j, &want) in case.polished_coef_std.iter().enumerate() {
        check(
            worst,
            name,
            "polished coef (std)",
            m.coef_std[j],
            want,
            mixed_err(m.coef_std[j], want),
            POLISHED_TOL,
            failures,
        );
    }
}

/// L2 fits (`l1_ratio = 0`) vs `sklearn.linear_model.LogisticRegression(solver="lbfgs", tol=1e-12)`
/// (`newton-cholesky` for one badly scaled raw case where lbfgs stops early): C ∈ {0.01, 1, 100},
/// standardised and raw features, `class_weight="balanced"` and manual class weights, sample weights.
#[test]
fn l2_matches_sklearn() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    let mut cases = 0;
    for case in fx.sklearn.iter().filter(|c| c.penalty == "l2") {
        assert!(
            case.ref_error < 1e-7,
            "{}: reference too far from its optimum",
            case.name
        );
        let m = fit_case(&fx, case);
        compare_sklearn(&fx, case, &m, COEF_TOL, &mut worst, &mut failures);
        cases += 1;
    }
    worst.print(&format!("L2 vs sklearn ({cases} cases)"));
    assert!(cases >= 10);
    report(&failures);
}

/// L1 and elastic-net (`l1_ratio = 0.5`) fits on standardised features vs
/// `sklearn.linear_model.LogisticRegression(solver="saga", tol=1e-12)`: equal zero patterns, values to
/// [`SPARSE_TOL`] (and to [`POLISHED_TOL`] against the polished solutions).
#[test]
fn l1_and_elastic_net_match_sklearn_saga() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    let mut cases = 0;
    let mut zeros = 0;
    for case in fx.sklearn.iter().filter(|c| c.penalty != "l2") {
        let m = fit_case(&fx, case);
        let want_zero: Vec<bool> = case.coef_std.iter().map(|&v| v == 0.0).collect();
        let got_zero: Vec<bool> = m.coef_std.iter().map(|&v| v == 0.0).collect();
        if want_zero != got_zero {
            failures.push(format!(
                "{}: zero pattern differs: voc {:?} vs sklearn {:?}",
                case.name, m.coef_std, case.coef_std
            ));
        }
        zeros += want_zero.iter().filter(|&&z| z).count();
        compare_sklearn(&fx, case, &m, SPARSE_TOL, &mut worst, &mut failures);
        cases += 1;
    }
    worst.print(&format!(
        "L1/EN vs sklearn saga ({cases} cases, {zeros} zero coefficients)"
    ));
    assert!(cases >= 6 && zeros >= 5);
    report(&failures);
}

// ------------------------------------------------------------------------------------------------
// Maximum likelihood vs statsmodels
// ------------------------------------------------------------------------------------------------

/// Unpenalised fits vs `statsmodels.api.Logit(y, add_constant(X)).fit(method="newton")`: `params`,
/// `bse`, `tvalues`, `pvalues`, `conf_int(0.05)`, `llf`, `llnull`, `llr`, `llr_pvalue`, `prsquared`,
/// with and without standardisation (voc maps standardised estimates and their covariance back).
/// Also the fitted probabilities vs `sigmoid(X · params)` from statsmodels' estimates.
#[test]
fn maximum_likelihood_matches_statsmodels() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    for case in &fx.statsmodels {
        let d = &fx.datasets[&case.dataset];
        for standardize in [true, false] {
            let label = format!(
                "{} ({})",
                case.dataset,
                if standardize { "standardised" } else { "raw" }
            );
            let opts = LogisticOptions::default()
                .penalty(Penalty::None)
                .standardize(standardize);
            let m = fit(&columns(d), &d.names, &d.y, None, &opts)
                .unwrap_or_else(|e| panic!("{label}: fit failed: {e}"));
            let inf = m.inference.as_ref().expect("inference for an ML fit");
            assert_eq!(inf.len(), case.params.len(), "{label}");
            let est: Vec<f64> = std::iter::once(m.intercept)
                .chain(m.coef.iter().copied())
                .collect();
            let mut rel = |what: &'static str, got: f64, want: f64| {
                check(
                    &mut worst,
                    &label,
                    what,
                    got,
                    want,
                    rel_err(got, want),
                    INFERENCE_TOL,
                    &mut failures,
                );
            };
            for k in 0..case.params.len() {
                rel("params", est[k], case.params[k]);
                rel("bse", inf[k].se, case.bse[k]);
                rel("tvalues", inf[k].z, case.tvalues[k]);
                rel("pvalues", inf[k].p_value, case.pvalues[k]);
                rel("conf_int low", inf[k].ci.0, case.conf_int[k][0]);
                rel("conf_int high", inf[k].ci.1, case.conf_int[k][1]);
            }
            rel("llf", m.log_likelihood, case.llf);
            rel("llnull", m.null_log_likelihood, case.llnull);
            let (stat, p) = m.lr_test.expect("LR test for an ML fit");
            rel("llr", stat, case.llr);
            rel("llr_pvalue", p, case.llr_pvalue);
            rel("prsquared", m.pseudo_r2(), case.prsquared);
            // Fitted probabilities: the evaluation cases "<dataset>_fitted" hold sigmoid(X · params)
            // rounded to 12 decimals.
            if let Some(e) = fx
                .evaluation
                .iter()
                .find(|e| e.name == format!("{}_fitted", case.dataset))
            {
                let p = m.predict_proba(columns(d).view()).expect("predict");
                let want = e.scores();
                let err = p
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                worst.note("predict_proba (abs)", err, &label);
                if !(err <= 1e-9) {
                    failures.push(format!(
                        "{label}: predict_proba differs from statsmodels' fit by {err:.3e}"
                    ));
                }
            }
        }
    }
    worst.print(&format!(
        "ML vs statsmodels ({} data sets x 2 scalings)",
        fx.statsmodels.len()
    ));
    report(&failures);
}

/// Weighted unpenalised fits vs `statsmodels.api.GLM(y, add_constant(X), family=Binomial(),
/// freq_weights=w).fit(method="newton")` (voc's sample weights are frequency weights): `params`, `bse`,
/// `tvalues`, `pvalues`, `conf_int(0.05)`, `llf`, `llnull`, `pseudo_rsquared("mcf")`.
#[test]
fn weighted_maximum_likelihood_matches_statsmodels_glm() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    for case in &fx.statsmodels_weighted {
        let d = &fx.datasets[&case.dataset];
        let w = d
            .sample_weight
            .as_deref()
            .expect("dataset has sample weights");
        for standardize in [true, false] {
            let label = format!(
                "{} weighted ({})",
                case.dataset,
                if standardize { "standardised" } else { "raw" }
            );
            let opts = LogisticOptions::default()
                .penalty(Penalty::None)
                .standardize(standardize);
            let m = fit(&columns(d), &d.names, &d.y, Some(w), &opts)
                .unwrap_or_else(|e| panic!("{label}: fit failed: {e}"));
            let inf = m.inference.as_ref().expect("inference for an ML fit");
            assert_eq!(inf.len(), case.params.len(), "{label}");
            let est: Vec<f64> = std::iter::once(m.intercept)
                .chain(m.coef.iter().copied())
                .collect();
            let mut rel = |what: &'static str, got: f64, want: f64| {
                check(
                    &mut worst,
                    &label,
                    what,
                    got,
                    want,
                    rel_err(got, want),
                    INFERENCE_TOL,
                    &mut failures,
                );
            };
            for k in 0..case.params.len() {
                rel("params", est[k], case.params[k]);
                rel("bse", inf[k].se, case.bse[k]);
                rel("tvalues", inf[k].z, case.tvalues[k]);
                rel("pvalues", inf[k].p_value, case.pvalues[k]);
                rel("conf_int low", inf[k].ci.0, case.conf_int[k][0]);
                rel("conf_int high", inf[k].ci.1, case.conf_int[k][1]);
            }
            rel("llf", m.log_likelihood, case.llf);
            rel("llnull", m.null_log_likelihood, case.llnull);
            rel("prsquared", m.pseudo_r2(), case.prsquared);
        }
    }
    worst.print(&format!(
        "weighted ML vs statsmodels GLM ({} data sets x 2 scalings)",
        fx.statsmodels_weighted.len()
    ));
    report(&failures);
}

// ------------------------------------------------------------------------------------------------
// Evaluation vs scikit-learn
// ------------------------------------------------------------------------------------------------

/// `sklearn.metrics.roc_auc_score`, `average_precision_score` and `brier_score_loss` on fitted scores,
/// the same scores rounded to 2 and 1 decimals (heavy ties) and a three-level score.
#[test]
fn auc_ap_brier_match_sklearn() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    for case in &fx.evaluation {
        let s = case.scores();
        let name = case.name.as_str();
        let auc = roc_auc(&case.y, &s).unwrap();
        let ap = average_precision(&case.y, &s).unwrap();
        let brier = brier_score(&case.y, &s).unwrap();
        for (what, got, want) in [
            ("roc_auc", auc, case.roc_auc),
            ("average_precision", ap, case.average_precision),
            ("brier", brier, case.brier),
        ] {
            check(
                &mut worst,
                name,
                what,
                got,
                want,
                (got - want).abs(),
                METRIC_TOL,
                &mut failures,
            );
        }
    }
    worst.print(&format!(
        "metrics vs sklearn ({} cases)",
        fx.evaluation.len()
    ));
    report(&failures);
}

fn compare_calibration(case: &EvalCase, worst: &mut Worst, failures: &mut Vec<String>) {
    let s = case.scores();
    let name = case.name.as_str();
    let t = calibration(&case.y, &s, 10).unwrap();
    // voc's bin k spans [k/10, (k+1)/10].
    let bins: Vec<usize> = t
        .iter()
        .map(|b| (b.edges.0 * 10.0).round() as usize)
        .collect();
    let counts: Vec<usize> = t.iter().map(|b| b.n).collect();
    if bins != case.calibration_bins || counts != case.calibration_n {
        failures.push(format!(
            "{name}: non-empty bins (index: rows) differ: voc {:?} vs sklearn {:?}",
            bins.iter().zip(&counts).collect::<Vec<_>>(),
            case.calibration_bins
                .iter()
                .zip(&case.calibration_n)
                .collect::<Vec<_>>()
        ));
        return;
    }
    for (k, b) in t.iter().enumerate() {
        for (what, got, want) in [
            ("prob_true", b.observed, case.prob_true[k]),
            ("prob_pred", b.mean_predicted, case.prob_pred[k]),
        ] {
            check(
                worst,
                name,
                what,
                got,
                want,
                (got - want).abs(),
                METRIC_TOL,
                failures,
            );
        }
    }
}

/// `sklearn.calibration.calibration_curve(y, p, n_bins=10, strategy="uniform")`: the non-empty bins,
/// their row counts, `prob_true` (observed rate) and `prob_pred` (mean probability), on fitted scores
/// and on scores rounded to 2 and 1 decimals (many values exactly on bin edges).
#[test]
fn calibration_matches_sklearn() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    for case in fx.evaluation.iter().filter(|c| c.name != "edges") {
        compare_calibration(case, &mut worst, &mut failures);
    }
    worst.print("calibration vs sklearn");
    report(&failures);
}

/// `calibration_curve` on values on and one ulp either side of its bin edges, which are
/// `numpy.linspace(0, 1, 11)`: for 3, 6 and 7 tenths these are `k * 0.1` (0.30000000000000004,
/// 0.6000000000000001, 0.7000000000000001), not the decimal `k / 10`; voc builds its edges the same way,
/// so a probability such as `3.0 * 0.1` falls in the same bin.
#[test]
fn calibration_matches_sklearn_at_linspace_edges() {
    let fx = fixture();
    let (mut worst, mut failures) = (Worst::default(), Vec::new());
    let case = fx
        .evaluation
        .iter()
        .find(|c| c.name == "edges")
        .expect("edges case");
    compare_calibration(case, &mut worst, &mut failures);
    worst.print("calibration at linspace edges");
    report(&failures);
}

/// The fixture's provenance is recorded.
#[test]
fn fixture_records_versions() {
    let fx = fixture();
    for k in ["scikit-learn", "statsmodels", "numpy"] {
        assert!(fx.versions.contains_key(k), "{k} version missing");
    }
}
