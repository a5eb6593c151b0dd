"""voc.impact (outcomes by class, contingency tables, theme impact, effect measurement, ROI): live
cross-checks against scipy and statsmodels, the planted refund cause of the simulator, the bad-input
matrix, pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.stats.contingency import association
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats import rates as sm_rates

import voc
from voc import impact

NAN = float("nan")
TABLES = [[30, 70, 10, 90], [8, 2, 1, 5], [12, 5, 7, 9], [250, 750, 120, 880], [2, 4998, 15, 4985], [7, 3, 3, 7]]


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


# ---------------------------------------------------------------- contingency


@pytest.mark.parametrize("t", TABLES)
def test_two_by_two_matches_statsmodels_and_scipy(t: list[int]) -> None:
    a, b, c, d = t
    r = impact.contingency([[a, b], [c, d]], confidence=0.9)
    ref = Table2x2(np.array([[a, b], [c, d]], dtype=float), shift_zeros=False)
    assert rel(r.risk_ratio, ref.riskratio) < 1e-12
    lo, hi = ref.riskratio_confint(alpha=0.1)
    assert rel(r.risk_ratio_ci_low, lo) < 1e-12 and rel(r.risk_ratio_ci_high, hi) < 1e-12
    lo, hi = ref.oddsratio_confint(alpha=0.1)
    assert rel(r.odds_ratio, ref.oddsratio) < 1e-12
    assert rel(r.odds_ratio_ci_low, lo) < 1e-12 and rel(r.odds_ratio_ci_high, hi) < 1e-12
    arr = np.array([[a, b], [c, d]])
    for alt, key in (("two-sided", "fisher_p_value"), ("less", "fisher_p_less"), ("greater", "fisher_p_greater")):
        assert rel(getattr(r, key), stats.fisher_exact(arr, alternative=alt).pvalue) < 1e-12
    chi = stats.chi2_contingency(arr)
    assert rel(r.chi2, chi.statistic) < 1e-12 and rel(r.chi2_p_value, chi.pvalue) < 1e-11
    assert rel(r.cramers_v, association(arr, method="cramer")) < 1e-12
    wlo, whi = confint_proportions_2indep(a, a + b, c, c + d, method="wald", alpha=0.1)
    assert abs(r.ci_low - wlo) < 1e-12 and abs(r.ci_high - whi) < 1e-12
    assert abs(r.estimate - (a / (a + b) - c / (c + d))) < 1e-12


def test_chi_square_r_by_c_matches_scipy_with_and_without_yates() -> None:
    obs = np.array([[10, 20, 30, 5], [20, 20, 10, 9], [3, 8, 14, 22]])
    r = impact.chi_square(obs)
    ref = stats.chi2_contingency(obs)
    assert rel(r.statistic, ref.statistic) < 1e-12 and rel(r.p_value, ref.pvalue) < 1e-11
    assert r.df == ref.dof and not r.yates
    assert rel(r.cramers_v, association(obs, method="cramer")) < 1e-12
    two = np.array([[12, 5], [7, 9]])
    assert rel(impact.chi_square(two, yates=False).statistic, stats.chi2_contingency(two, correction=False).statistic) < 1e-12


def test_chi_square_reads_every_layout_and_dataframe_alike() -> None:
    obs = np.array([[12.0, 30, 7], [25, 18, 9], [40, 3, 11], [6, 21, 14]])
    doubled = np.repeat(obs, 2, axis=0)
    doubled[1::2] = -1.0  # rows the strided view skips
    inputs = {
        "C": np.ascontiguousarray(obs),
        "Fortran": np.asfortranarray(obs),
        "strided": doubled[::2],
        "pandas": pd.DataFrame(obs, columns=["a", "b", "c"]),
        "polars": pl.DataFrame(obs, schema=["a", "b", "c"], orient="row"),
    }
    assert not inputs["strided"].flags.c_contiguous and inputs["Fortran"].flags.f_contiguous
    want = impact.chi_square(obs).to_dict()
    for name, table in inputs.items():
        got = impact.chi_square(table).to_dict()
        assert got.keys() == want.keys(), name
        for key, value in want.items():
            np.testing.assert_array_equal(np.asarray(got[key]), np.asarray(value), err_msg=f"{name} {key}")
    assert rel(want["statistic"], stats.chi2_contingency(obs).statistic) < 1e-12
    with pytest.raises(voc.InputError, match="two-dimensional"):
        impact.chi_square(np.array([1.0, 2.0, 3.0]))


def test_theme_impact_reads_theme_columns_of_every_layout_alike() -> None:
    i = np.arange(60)
    flags = np.column_stack([(i % 3 == 0) | (i % 5 == 0), i % 4, i % 2 == 1]).astype(float)
    churned = ((i % 3 == 0) | (i % 7 == 0)).astype(float)
    value = 10.0 + (i % 11)
    names = ["theme_refund", "theme_price", "theme_delivery"]
    doubled = np.repeat(flags, 2, axis=0)
    doubled[1::2] = -5.0

    def frame(m: np.ndarray) -> dict[str, object]:
        return {**{n: m[:, j] for j, n in enumerate(names)}, "churned": churned, "value": value}

    inputs = {
        "C": frame(np.ascontiguousarray(flags)),
        "Fortran": frame(np.asfortranarray(flags)),
        "strided": frame(doubled[::2]),
        "pandas": pd.DataFrame(frame(flags)),
        "polars": pl.DataFrame(frame(flags)),
    }
    want = impact.theme_impact(inputs["C"], churned="churned", value="value").to_dict()
    assert list(want["theme"]) != [] and set(want["theme"]) == {"refund", "price", "delivery"}
    for name, data in inputs.items():
        got = impact.theme_impact(data, churned="churned", value="value").to_dict()
        for key, col in want.items():
            np.testing.assert_array_equal(np.asarray(got[key]), np.asarray(col), err_msg=f"{name} {key}")
    with pytest.raises(voc.LengthMismatchError, match="themes"):
        impact.theme_impact({"theme_a": [1.0, 0.0, 1.0], "theme_b": [1.0, 0.0]}, churned=[1.0, 0.0])


def test_fisher_exact_on_a_large_table_stays_accurate() -> None:
    t = np.array([[120, 9880], [60, 9940]])
    r = impact.fisher_exact(t)
    assert rel(r.p_value, stats.fisher_exact(t).pvalue) < 1e-10
    assert rel(r.p_greater, stats.fisher_exact(t, alternative="greater").pvalue) < 1e-10


def test_zero_cells_error_unless_haldane_is_asked_for() -> None:
    with pytest.raises(voc.InsufficientDataError, match="haldane"):
        impact.contingency([[0, 10], [5, 5]])
    r = impact.contingency([[0, 10], [5, 5]], zero_cells="haldane")
    ref = Table2x2(np.array([[0.5, 10.5], [5.5, 5.5]]), shift_zeros=False)
    assert r.haldane and rel(r.odds_ratio, ref.oddsratio) < 1e-12
    # Fisher needs no correction.
    assert rel(impact.fisher_exact([[0, 10], [5, 5]]).p_value, stats.fisher_exact([[0, 10], [5, 5]]).pvalue) < 1e-12


# ---------------------------------------------------------------- effect measurement


def test_before_after_reuses_the_two_proportion_test() -> None:
    r = impact.before_after((120, 1000), (80, 1000))
    _, p = proportions_ztest([80, 120], [1000, 1000])
    lo, hi = confint_proportions_2indep(80, 1000, 120, 1000, method="wald")
    assert rel(r.p_value, p) < 1e-12
    assert abs(r.ci_low - lo) < 1e-12 and abs(r.ci_high - hi) < 1e-12
    assert abs(r.relative_change + 1 / 3) < 1e-12


@pytest.mark.parametrize("counts", [(90, 30, 300, 30), (12, 10.0, 30, 14.5), (40, 7, 41, 7)])
def test_rate_ratio_matches_statsmodels(counts: tuple[float, float, float, float]) -> None:
    c1, e1, c2, e2 = counts
    r = impact.rate_ratio(c1, e1, c2, e2)
    lo, hi = sm_rates.confint_poisson_2indep(c1, e1, c2, e2, method="wald-log", compare="ratio")
    assert rel(r.ci_low, lo) < 1e-12 and rel(r.ci_high, hi) < 1e-12
    assert rel(r.p_value, sm_rates.test_poisson_2indep(c1, e1, c2, e2, method="wald-log").pvalue) < 1e-10
    assert rel(r.p_value_exact, sm_rates.test_poisson_2indep(c1, e1, c2, e2, method="exact-cond").pvalue) < 1e-10


def test_holdout_matches_statsmodels_newcombe() -> None:
    h = impact.holdout((80, 1000), (120, 1000))
    lo, hi = confint_proportions_2indep(80, 1000, 120, 1000, method="newcomb", compare="diff")
    assert abs(h.ci_low - lo) < 1e-12 and abs(h.ci_high - hi) < 1e-12
    assert h.method == "newcombe"
    assert rel(h.p_value, proportions_ztest([80, 120], [1000, 1000])[1]) < 1e-12
    ref = Table2x2(np.array([[80, 920], [120, 880]], dtype=float), shift_zeros=False)
    rlo, rhi = ref.riskratio_confint()
    assert rel(h.relative_reduction_ci_low, 1 - rhi) < 1e-12 and rel(h.relative_reduction_ci_high, 1 - rlo) < 1e-12


@pytest.mark.parametrize(("treated", "control"), [((0, 40), (5, 40)), ((5, 10), (0, 7)), ((10, 10), (3, 7))])
def test_holdout_with_a_zero_cell_keeps_the_difference_and_shifts_the_ratio(
    treated: tuple[int, int], control: tuple[int, int]
) -> None:
    h = impact.holdout(treated, control)
    (kt, nt), (kc, nc) = treated, control
    lo, hi = confint_proportions_2indep(kt, nt, kc, nc, method="newcomb", compare="diff")
    assert abs(h.estimate - (kt / nt - kc / nc)) < 1e-14
    assert abs(h.ci_low - lo) < 1e-12 and abs(h.ci_high - hi) < 1e-12
    ref = Table2x2(np.array([[kt, nt - kt], [kc, nc - kc]], dtype=float) + 0.5, shift_zeros=False)
    rlo, rhi = ref.riskratio_confint()
    assert rel(h.relative_reduction, 1 - ref.riskratio) < 1e-12
    assert rel(h.relative_reduction_ci_low, 1 - rhi) < 1e-12 and rel(h.relative_reduction_ci_high, 1 - rlo) < 1e-12


@pytest.mark.parametrize("binary", [True, False])
def test_diff_in_diff_on_rows_matches_statsmodels_ols(binary: bool) -> None:
    rng = np.random.default_rng(5)
    n = 1200
    treated = rng.integers(0, 2, n).astype(float)
    after = rng.integers(0, 2, n).astype(float)
    if binary:
        y = rng.binomial(1, 0.25 - 0.08 * treated * after + 0.03 * after).astype(float)
    else:
        y = rng.lognormal(4 + 0.2 * treated * after, 0.7)
    X = np.column_stack([np.ones(n), treated, after, treated * after])
    plain = sm.OLS(y, X).fit()
    hc1 = sm.OLS(y, X).fit(cov_type="HC1")
    df = pd.DataFrame({"y": y, "treated": treated, "after": after})
    for se, fit in (("pooled", plain), ("hc1", hc1)):
        r = impact.diff_in_diff(df, y="y", treated="treated", after="after", se=se)
        assert rel(r.estimate, fit.params[3]) < 1e-10
        assert rel(r.se, fit.bse[3]) < 1e-10
        assert rel(r.p_value, fit.pvalues[3]) < 1e-9
        lo, hi = fit.conf_int()[3]
        assert abs(r.ci_low - lo) < 1e-10 and abs(r.ci_high - hi) < 1e-10


def test_sample_size_and_mde_match_statsmodels() -> None:
    s = impact.sample_size(0.20, 0.16, power=0.9, ratio=2.0)
    h = proportion_effectsize(0.16, 0.20)
    n = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.9, ratio=2.0)
    assert rel(s.n_treated, n) < 1e-6 and rel(s.n_control, 2 * n) < 1e-6
    c = impact.sample_size(0.20, 0.16, method="classic")
    ref = samplesize_proportions_2indep_onetail(-0.04, 0.20, 0.8, ratio=1.0, alpha=0.05, alternative="two-sided")
    assert rel(c.n_treated, ref) < 1e-12
    m = impact.minimum_detectable_effect(0.20, 2000)
    hh = NormalIndPower().solve_power(effect_size=None, nobs1=2000, alpha=0.05, power=0.8, ratio=1.0)
    assert rel(abs(m.effect_size), abs(hh)) < 1e-6 and m.p_treated < 0.2


# ---------------------------------------------------------------- outcomes by class


def test_outcome_by_class_matches_scipy_and_the_ratio_covers_a_bootstrap() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    nps = rng.integers(0, 11, n).astype(float)
    churned = rng.binomial(1, np.where(nps <= 6, 0.3, np.where(nps <= 8, 0.18, 0.1))).astype(float)
    spend = rng.lognormal(np.where(nps >= 9, 4.6, 4.2), 0.6)
    df = pl.DataFrame({"nps": nps, "churned": churned, "spend": spend})
    t = impact.outcome_by_class(df, nps="nps", churned="churned", spend="spend")
    out = t.table.to_pandas()
    assert list(out["group"]) == ["detractor", "passive", "promoter"]
    pro = spend[nps >= 9]
    lo, hi = stats.t.interval(0.95, len(pro) - 1, loc=pro.mean(), scale=stats.sem(pro))
    row = out.iloc[2]
    assert rel(row["arpu"], pro.mean()) < 1e-12 and rel(row["arpu_ci_low"], lo) < 1e-10 and rel(row["arpu_ci_high"], hi) < 1e-10
    det = churned[nps <= 6]
    ci = stats.binomtest(int(det.sum()), len(det)).proportion_ci(method="wilson")
    assert rel(out.iloc[0]["churn_rate_ci_low"], ci.low) < 1e-12
    codes = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))
    table = np.array([[((codes == k) & (churned == 1)).sum(), ((codes == k) & (churned == 0)).sum()] for k in range(3)])
    assert rel(t.statistic, stats.chi2_contingency(table).statistic) < 1e-12
    assert rel(t.p_value, stats.chi2_contingency(table).pvalue) < 1e-11
    assert rel(t.cramers_v, association(table, method="cramer")) < 1e-12

    r = impact.class_ratio(df, nps="nps", spend="spend", numerator="promoter", denominator="detractor")
    det_s = spend[nps <= 6]
    assert rel(r.estimate, pro.mean() / det_s.mean()) < 1e-12
    boot = np.array(
        [
            rng.choice(pro, len(pro)).mean() / rng.choice(det_s, len(det_s)).mean()
            for _ in range(2000)
        ]
    )
    blo, bhi = np.quantile(boot, [0.025, 0.975])
    # The delta-method interval agrees with a percentile bootstrap to a few per cent of its width.
    width = r.ci_high - r.ci_low
    assert abs(r.ci_low - blo) < 0.08 * width and abs(r.ci_high - bhi) < 0.08 * width

    rr = impact.class_ratio(df, nps="nps", churned="churned", measure="churn", numerator="detractor", denominator="promoter")
    k1, n1 = int(churned[nps <= 6].sum()), int((nps <= 6).sum())
    k2, n2 = int(churned[nps >= 9].sum()), int((nps >= 9).sum())
    ref = Table2x2(np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=float), shift_zeros=False)
    assert rr.contingency is not None
    assert rel(rr.contingency.risk_ratio, ref.riskratio) < 1e-12 and rel(rr.contingency.odds_ratio, ref.oddsratio) < 1e-12


def test_outcome_by_class_with_labels_and_fixed_names() -> None:
    data = {"seg": ["a", "b", "a", "c", "b", "a"], "churned": [1, 0, 0, 1, 1, 0]}
    t = impact.outcome_by_class(data, by="seg", churned="churned", names=["c", "b", "a"]).table
    assert list(t["n"]) == [1, 2, 3] and list(t["group"]) == ["c", "b", "a"]
    with pytest.raises(voc.InvalidOptionError, match=r"by\[3\] = \"c\""):
        impact.outcome_by_class(data, by="seg", churned="churned", names=["a", "b"])


# ---------------------------------------------------------------- theme impact


@pytest.fixture(scope="module")
def signals() -> tuple[voc.Table, voc.Table]:
    data = voc.sample.retailer(seed=7, customers=4_000)
    log = voc.signals.EventLog(**data.tables())
    return log.features("2025-01-01"), log.labels("2025-01-01", horizon_days=180)


def test_refund_theme_comes_out_on_top(signals: tuple[voc.Table, voc.Table]) -> None:
    X, y = signals
    t = impact.theme_impact(X, churned=y["churned"], value="monetary").to_pandas()
    assert t["theme"].iloc[0] == "refund"
    top = t.iloc[0]
    assert top["risk_ratio_ci_low"] > 1 and top["p_adjusted"] < 0.05
    # Cross-check one theme against scipy / statsmodels.
    raised = np.asarray(X["theme_refund"]) > 0
    churn = np.asarray(y["churned"], dtype=float)
    a, b = int(churn[raised].sum()), int((~raised).sum() - 0)
    k0 = int(churn[~raised].sum())
    n1, n0 = int(raised.sum()), int((~raised).sum())
    assert top["n_raised"] == n1 and top["n_not"] == n0 and b == n0
    tab = np.array([[a, n1 - a], [k0, n0 - k0]])
    assert rel(top["p_value"], stats.fisher_exact(tab).pvalue) < 1e-10
    assert rel(top["risk_ratio"], Table2x2(tab.astype(float), shift_zeros=False).riskratio) < 1e-12
    value = np.asarray(X["monetary"], dtype=float)
    assert np.isfinite(value).all()
    assert rel(top["excess_revenue"], (a / n1 - k0 / n0) * value[raised].sum()) < 1e-10
    assert rel(top["revenue_at_risk"], (value * churn)[raised].sum()) < 1e-10


# ---------------------------------------------------------------- ROI and what-if


def test_roi_from_a_holdout_and_what_if() -> None:
    h = impact.holdout((80, 1000), (120, 1000))
    r = impact.roi(holdout=h, customers=50_000, clv=300, contacts_avoided=10_000, cost_per_contact=4, program_cost=150_000)
    assert rel(r.churn_value, 0.04 * 50_000 * 300) < 1e-12
    assert r.churn_value_ci_low < r.churn_value < r.churn_value_ci_high
    assert rel(r.net_benefit, r.churn_value + 40_000 - 150_000) < 1e-12
    assert rel(r.payback_months, 150_000 / ((r.churn_value + 40_000) / 12)) < 1e-12
    w = impact.what_if(
        {"detractor": (300, 80, 0.3), "passive": (300, 100, 0.15), "promoter": (400, 130, 0.08)},
        shift="detractors_to_passives",
        share=0.1,
    )
    assert abs(w.nps_change - 3.0) < 1e-9
    assert abs(w.revenue_change - 30 * (100 * 0.85 - 80 * 0.7)) < 1e-9


def test_what_if_from_an_outcome_table() -> None:
    nps = [0, 3, 5, 7, 8, 8, 9, 10, 10, 10]
    t = impact.outcome_by_class(
        {"nps": nps, "churned": [1, 1, 0, 0, 1, 0, 0, 0, 1, 0], "spend": [5, 7, 9, 10, 12, 11, 20, 22, 18, 21]},
        nps="nps",
        churned="churned",
        spend="spend",
    )
    w = impact.what_if(t, shift="passives_to_promoters", share=1.0)
    assert impact.what_if(t.table, shift="passives_to_promoters", share=1.0) == w
    assert abs(w.nps_after - 40.0) < 1e-9 and abs(w.nps_before - 10.0) < 1e-9


# ---------------------------------------------------------------- bad input and pickling


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: impact.contingency([[1, NAN], [2, 3]]), voc.NonFiniteError, r"table\[1\] = NaN"),
        (lambda: impact.contingency([[1, -2], [2, 3]]), voc.InputError, r"table\[1\] = -2"),
        (lambda: impact.contingency([[1, 2, 3], [2, 3, 4]]), voc.InvalidOptionError, "2x2"),
        (lambda: impact.contingency("no table"), voc.DtypeError, "table"),
        (lambda: impact.chi_square([[1, 0], [2, 0]]), voc.InsufficientDataError, "column 1"),
        (lambda: impact.fisher_exact([[1.5, 2], [2, 3]]), voc.InputError, "whole"),
        (lambda: impact.holdout((5, 0), (3, 10)), voc.EmptyInputError, "treated"),
        (lambda: impact.holdout((11, 10), (3, 10)), voc.InputError, "exceed"),
        (lambda: impact.before_after((math.inf, 10), (3, 10)), voc.NonFiniteError, "before"),
        (lambda: impact.rate_ratio(0, 10, 5, 10), voc.InsufficientDataError, "both periods"),
        (lambda: impact.rate_ratio(3, -1, 5, 10), voc.InputError, r"counts\[1\]"),
        (lambda: impact.diff_in_diff(y=[1.0, 0.0], treated=[1.0], after=[0.0, 1.0]), voc.LengthMismatchError, "treated"),
        (lambda: impact.diff_in_diff(y=[1.0, NAN, 0, 1], treated=[1, 1, 0, 0], after=[0, 1, 0, 1]), voc.MissingValueError, r"y\[1\]"),
        (lambda: impact.diff_in_diff(y=[1.0, math.inf, 0, 1], treated=[1, 1, 0, 0], after=[0, 1, 0, 1]), voc.NonFiniteError, r"y\[1\]"),
        (lambda: impact.diff_in_diff(y=[1.0, 0, 0, 1], treated=[1, 2, 0, 0], after=[0, 1, 0, 1]), voc.InputError, r"treated\[1\] = 2"),
        (lambda: impact.diff_in_diff(y=[1.0, 0, 0], treated=[1, 1, 0], after=[0, 1, 0]), voc.InsufficientDataError, "control-after"),
        (lambda: impact.sample_size(0.2, 0.2), voc.InvalidOptionError, "no effect"),
        (lambda: impact.sample_size(0.2, 1.2), voc.InvalidOptionError, "p_treated"),
        (lambda: impact.sample_size(0.2, 0.1, power=1.5), voc.InvalidOptionError, "power"),
        (lambda: impact.outcome_by_class({"nps": [3, 11]}, nps="nps", churned=[0, 1]), voc.ScoreRangeError, r"scores\[1\] = 11"),
        (lambda: impact.outcome_by_class({"nps": [3, 9]}, nps="nps", churned=[0, 1, 1]), voc.LengthMismatchError, "churned"),
        (lambda: impact.outcome_by_class({"nps": [3, 9]}, nps="nps", churned=[0, 2]), voc.InputError, r"churned\[1\] = 2"),
        (lambda: impact.outcome_by_class({"nps": [3, 9]}, nps="nps", spend=[1.0, NAN]), voc.MissingValueError, r"spend\[1\]"),
        (lambda: impact.outcome_by_class({"nps": []}, nps="nps"), voc.EmptyInputError, "classes"),
        (lambda: impact.outcome_by_class({"nps": [3]}, nps="score"), voc.ColumnNotFoundError, "no such column"),
        (lambda: impact.class_ratio({"nps": [3, 9, 3, 9]}, nps="nps", spend=[1, 2, 3, 4], numerator="fan", denominator="detractor"), voc.InvalidOptionError, "no such class"),
        (lambda: impact.outcome_by_class(by=[1, 2], nps=[3, 9]), voc.InvalidOptionError, "exactly one"),
        (lambda: impact.outcome_by_class(by=["a", None], churned=[0, 1]), voc.MissingValueError, r"by\[1\]"),
        (lambda: impact.diff_in_diff(cells=[(1, 2, 3)] * 3), voc.InvalidOptionError, "four"),
        (lambda: impact.theme_impact({"theme_a": [1, 0]}, churned=[1, 0, 1]), voc.LengthMismatchError, "themes"),
        (lambda: impact.theme_impact({"theme_a": [1, -1]}, churned=[1, 0]), voc.InputError, r"themes\[1\] = -1"),
        (lambda: impact.theme_impact({"theme_a": [1, 0]}, churned=[1, NAN]), voc.MissingValueError, r"churned\[1\]"),
        (lambda: impact.theme_impact({"theme_a": [1, NAN]}, churned=[1, 0]), voc.MissingValueError, r"themes\[1\]"),
        (lambda: impact.theme_impact({"theme_a": [1, 0]}, churned=[1, 0], value=[2.0, NAN]), voc.MissingValueError, r"value\[1\]"),
        (lambda: impact.roi(churn_reduction=0.1, holdout=impact.holdout((8, 100), (12, 100))), voc.InvalidOptionError, "not both"),
        (lambda: impact.theme_impact({"x": [1, 0]}, churned=[1, 0]), voc.InvalidOptionError, "theme_"),
        (lambda: impact.roi(churn_reduction=NAN, customers=1), voc.InvalidOptionError, "churn_reduction"),
        (lambda: impact.roi(churn_reduction=0.1, customers=-1), voc.InvalidOptionError, "customers"),
        (lambda: impact.what_if({"detractor": (1, 1, 0.1), "passive": (1, 1, 0.1)}), voc.InvalidOptionError, "promoter"),
        (lambda: impact.what_if({"detractor": (1, 1, 1.5), "passive": (1, 1, 0.1), "promoter": (1, 1, 0.1)}), voc.InputError, "churn"),
    ],
)
def test_bad_input_names_the_argument_and_position(call, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        call()


def test_errors_are_value_errors_and_results_pickle() -> None:
    with pytest.raises(ValueError):
        impact.holdout((5, 0), (3, 10))
    r = impact.holdout((80, 1000), (120, 1000))
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.p_value == r.p_value and isinstance(back, impact.HoldoutResult)
    assert "estimate" in r.to_dict() and repr(r).startswith("HoldoutResult(estimate=-0.04")
    assert "<table>" in r._repr_html_()
    with pytest.raises(AttributeError):
        r.p_value = 0.0  # type: ignore[misc]
    t = impact.theme_impact({"theme_a": [1, 0, 1, 0], "theme_b": [0, 0, 1, 1]}, churned=[1, 0, 1, 0])
    assert pickle.loads(pickle.dumps(t)).to_dict()["theme"] == t.to_dict()["theme"]


def test_customers_without_an_answer_are_skipped_only_when_asked(signals: tuple[voc.Table, voc.Table]) -> None:
    X, y = signals
    with pytest.raises(voc.MissingValueError, match=r"scores\[\d+\]"):
        impact.outcome_by_class(X, nps="nps_last", churned=y["churned"])
    r = impact.outcome_by_class(X, nps="nps_last", churned=y["churned"], spend="monetary", missing="skip")
    t = r.table
    nps = np.asarray(X["nps_last"], dtype=float)
    assert sum(t["n"]) == r.n == int(np.isfinite(nps).sum())
    assert r.n_missing == int((~np.isfinite(nps)).sum()) > 0 and sum(t["n_missing"]) == 0
    churn = t.to_pandas().set_index("group")["churn_rate"]
    # The planted cause: detractors churn more than promoters.
    assert churn["detractor"] > churn["promoter"]


def test_diff_in_diff_from_cells_equals_rows_and_bad_pairs_are_named() -> None:
    y = np.array([1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1], dtype=float)
    treated = np.array([1] * 8 + [0] * 8, dtype=float)
    after = np.array([0, 0, 0, 0, 1, 1, 1, 1] * 2, dtype=float)
    rows = impact.diff_in_diff(y=y, treated=treated, after=after, se="pooled")
    cells = []
    for t, a in ((1, 0), (1, 1), (0, 0), (0, 1)):
        v = y[(treated == t) & (after == a)]
        cells.append((v.mean(), v.var(ddof=1), len(v)))
    c = impact.diff_in_diff(cells=cells, se="pooled")
    assert abs(c.estimate - rows.estimate) < 1e-15 and abs(c.se - rows.se) < 1e-15
    with pytest.raises(voc.InvalidOptionError, match="treated"):
        impact.holdout((1, 2, 3), (1, 2))  # type: ignore[arg-type]
    with pytest.raises(voc.InvalidOptionError, match="se"):
        impact.diff_in_diff(cells=cells, se="hc3")


def test_pyarrow_and_pandas_inputs_give_the_same_table() -> None:
    import pyarrow as pa

    cols = {"nps": [1.0, 9, 10, 7, 3, 8], "churned": [True, False, False, True, True, False], "spend": [1.0, 2, 3, 4, 5, 6]}
    a = impact.outcome_by_class(pa.table(cols), nps="nps", churned="churned", spend="spend").table.to_dict()
    b = impact.outcome_by_class(pd.DataFrame(cols), nps="nps", churned="churned", spend="spend").table.to_dict()
    for k in ("n", "churn_rate", "churn_rate_ci_low", "arpu"):
        np.testing.assert_array_equal(a[k], b[k])
    flags = {"theme_a": [1, 0, 1, 0, 1, 0], "churned": cols["churned"], "monetary": [5.0, 1, 2, 0, 4, 3]}
    ta = impact.theme_impact(pa.table(flags), churned="churned", value="monetary").to_dict()
    tb = impact.theme_impact(pl.DataFrame(flags), churned="churned", value="monetary").to_dict()
    assert ta["excess_revenue"][0] == tb["excess_revenue"][0]
