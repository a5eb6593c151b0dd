"""voc.impact.theme_score_impact and voc.impact.score_change (issue 19, items 1 and 2): brute-force pandas
cross-checks, the Shapley identity and subset enumeration, the change decomposition, the input forms,
errors, pickling, and the retailer simulator's planted refund problem."""

from __future__ import annotations

import itertools
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import voc
from voc import errors


def nps_values(s: np.ndarray) -> np.ndarray:
    return np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))


def simulate(n: int, k: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    flags = rng.uniform(size=(n, k)) < np.linspace(0.05, 0.3, k)
    score = np.clip(rng.integers(3, 11, n) - flags @ rng.integers(0, 3, k), 0, 10)
    df = pd.DataFrame({"nps": score.astype(float)})
    for j in range(k):
        df[f"t{j}"] = flags[:, j]
    return df


def brute_shapley(df: pd.DataFrame, themes: list[str]) -> np.ndarray:
    """Shapley values by enumerating every coalition of themes on the rows themselves (no patterns)."""
    v = pd.Series(nps_values(df["nps"].to_numpy()))
    k = len(themes)
    flags = df[themes].to_numpy()

    def value(s: tuple[int, ...]) -> float:
        outside = [j for j in range(k) if j not in s]
        keep = ~flags[:, outside].any(axis=1) if outside else np.ones(len(df), bool)
        return float(v[keep].mean())

    cache = {s: value(s) for r in range(k + 1) for s in itertools.combinations(range(k), r)}
    out = np.zeros(k)
    for j in range(k):
        for s, vs in cache.items():
            if j in s:
                continue
            with_j = tuple(sorted((*s, j)))
            w = math.factorial(len(s)) * math.factorial(k - len(s) - 1) / math.factorial(k)
            out[j] += w * (cache[with_j] - vs)
    return out


def test_removal_impact_and_theme_scores_equal_brute_force_pandas():
    df = simulate(5000, 6, 1)
    themes = [f"t{j}" for j in range(6)]
    r = voc.impact.theme_score_impact(df, scores="nps", themes=themes, resamples=0)
    v = pd.Series(nps_values(df["nps"].to_numpy()))
    assert abs(r.score - v.mean()) < 1e-12
    t = r.table.to_pandas().set_index("theme")
    for name in themes:
        m = df[name].to_numpy()
        assert t.loc[name, "mentions"] == m.sum()
        assert t.loc[name, "rest"] == (~m).sum()
        assert abs(t.loc[name, "share"] - m.mean()) < 1e-15
        assert abs(t.loc[name, "score_mentioned"] - v[m].mean()) < 1e-12
        assert abs(t.loc[name, "score_rest"] - v[~m].mean()) < 1e-12
        assert abs(t.loc[name, "removal_impact"] - (v.mean() - v[~m].mean())) < 1e-12
        assert abs(t.loc[name, "difference"] - (v[m].mean() - v[~m].mean())) < 1e-12


def test_welch_test_and_intervals_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    df = simulate(3000, 3, 2)
    v = nps_values(df["nps"].to_numpy())
    r = voc.impact.theme_score_impact(df, scores="nps", themes=["t0", "t1", "t2"], resamples=0, confidence=0.9)
    t = r.table.to_pandas().set_index("theme")
    for name in ["t0", "t1", "t2"]:
        m = df[name].to_numpy()
        w = stats.ttest_ind(v[m], v[~m], equal_var=False)
        assert abs(t.loc[name, "p_value"] - w.pvalue) < 1e-9
        ci = w.confidence_interval(0.9)
        assert abs(t.loc[name, "difference_ci_low"] - ci.low) < 1e-9
        assert abs(t.loc[name, "difference_ci_high"] - ci.high) < 1e-9
        lo, hi = stats.t.interval(0.9, m.sum() - 1, v[m].mean(), stats.sem(v[m]))
        assert abs(t.loc[name, "score_mentioned_ci_low"] - lo) < 1e-9
        assert abs(t.loc[name, "score_mentioned_ci_high"] - hi) < 1e-9


def test_csat_is_percent_satisfied_and_mean_is_the_mean_answer():
    df = pd.DataFrame({"csat": [5, 4, 3, 1, 2, 5], "a": [1, 1, 0, 0, 1, 0]})
    r = voc.impact.theme_score_impact(df, scores="csat", themes=["a"], metric="csat", resamples=0)
    assert r.score == pytest.approx(50.0)
    assert r.table["score_mentioned"][0] == pytest.approx(200 / 3)
    r = voc.impact.theme_score_impact(df, scores="csat", themes=["a"], metric="mean", resamples=0)
    assert r.score == pytest.approx(df.csat.mean())
    assert r.table["removal_impact"][0] == pytest.approx(df.csat.mean() - df.csat[df.a == 0].mean())


@pytest.mark.parametrize("k", [1, 4, 8, 10])
def test_shapley_equals_subset_enumeration_and_adds_up(k):
    df = simulate(2000, k, 10 + k)
    themes = [f"t{j}" for j in range(k)]
    r = voc.impact.theme_score_impact(df, scores="nps", themes=themes, resamples=0)
    assert r.shapley_method == "exact"
    sh = np.asarray(r.table["shapley"])
    assert abs(sh.sum() - (r.score - r.score_no_theme)) < 1e-12
    np.testing.assert_allclose(sh, brute_shapley(df, themes), rtol=0, atol=1e-10)
    assert (np.asarray(r.table["shapley_se"]) == 0).all()


def test_sampled_shapley_is_close_to_exact_and_adds_up():
    df = simulate(4000, 6, 3)
    themes = [f"t{j}" for j in range(6)]
    exact = voc.impact.theme_score_impact(df, scores="nps", themes=themes, resamples=0)
    mc = voc.impact.theme_score_impact(df, scores="nps", themes=themes, resamples=0, shapley="permutation",
                                       permutations=3000, seed=5)
    assert (mc.shapley_method, mc.permutations) == ("permutation", 3000)
    sh, se = np.asarray(mc.table["shapley"]), np.asarray(mc.table["shapley_se"])
    assert abs(sh.sum() - (mc.score - mc.score_no_theme)) < 1e-9
    assert (np.abs(sh - np.asarray(exact.table["shapley"])) < 5 * se + 1e-9).all()
    # Above 15 themes, auto samples.
    wide = simulate(500, 16, 4)
    r = voc.impact.theme_score_impact(wide, scores="nps", themes=[f"t{j}" for j in range(16)], resamples=0,
                                      permutations=50)
    assert r.shapley_method == "permutation"


def test_bootstrap_interval_is_seeded_and_covers_the_estimate():
    df = simulate(2000, 3, 6)
    a = voc.impact.theme_score_impact(df, scores="nps", themes=["t0", "t1", "t2"], resamples=300, seed=1)
    b = voc.impact.theme_score_impact(df, scores="nps", themes=["t0", "t1", "t2"], resamples=300, seed=1)
    assert a == b
    t = a.table.to_pandas()
    assert ((t.removal_ci_low < t.removal_impact) & (t.removal_impact < t.removal_ci_high)).all()
    c = voc.impact.theme_score_impact(df, scores="nps", themes=["t0", "t1", "t2"], resamples=300, seed=2)
    assert c.table["removal_ci_low"][0] != a.table["removal_ci_low"][0]


def test_theme_inputs_indicator_table_array_prefix_and_list_agree():
    texts = ["退款太慢了", "fast delivery, thanks", "refund still pending", "great dress", "退款慢，物流也慢",
             "love it", "delivery late again", "ok"]
    scores = [2, 10, 3, 9, 1, 10, 6, 8]
    m = voc.text.themes()
    ind = m.indicators(texts)
    a = voc.impact.theme_score_impact(scores=scores, themes=ind, resamples=0)
    assert a.table["theme"] == m.themes
    cols = ind.to_pandas()[["refund", "delivery"]]
    b = voc.impact.theme_score_impact(scores=scores, themes=cols, resamples=0)
    c = voc.impact.theme_score_impact(scores=scores, themes=cols.to_numpy(), resamples=0)
    assert c.table["theme"] == ["0", "1"]
    df = pd.DataFrame({"nps": scores, "th_refund": cols.refund, "th_delivery": cols.delivery})
    d = voc.impact.theme_score_impact(df, scores="nps", themes="th_", resamples=0)
    e = voc.impact.theme_score_impact(df, scores="nps", themes=["th_refund", "th_delivery"], resamples=0)
    assert d.table["theme"] == ["refund", "delivery"]
    for r in (c, d, e):
        np.testing.assert_array_equal(r.table["removal_impact"], b.table["removal_impact"])
        np.testing.assert_array_equal(r.table["shapley"], b.table["shapley"])
    # Fortran-ordered and strided arrays read the same.
    x = cols.to_numpy().astype(float)
    for arr in (np.asfortranarray(x), np.repeat(x, 2, axis=1)[:, ::2]):
        f = voc.impact.theme_score_impact(scores=scores, themes=arr, resamples=0)
        np.testing.assert_array_equal(f.table["shapley"], b.table["shapley"])


def test_missing_values_raise_or_are_skipped():
    df = pd.DataFrame({"nps": [9, None, 3, 10], "a": [1.0, 0.0, np.nan, 0.0]})
    with pytest.raises(errors.MissingValueError) as e:
        voc.impact.theme_score_impact(df, scores="nps", themes=["a"], resamples=0)
    assert e.value.arg == "scores" and e.value.index == 1
    r = voc.impact.theme_score_impact(df, scores="nps", themes=["a"], resamples=0, missing="skip")
    assert (r.n, r.n_missing, r.score) == (2, 2, 100.0)


def test_bad_input_is_a_voc_error_naming_the_argument():
    with pytest.raises(errors.InputError) as e:
        voc.impact.theme_score_impact(scores=[9, 11], themes={"a": [1, 0]}, resamples=0)
    assert e.value.arg == "scores"
    with pytest.raises(errors.InputError) as e:
        voc.impact.theme_score_impact(scores=[9, 7], themes={"a": [1, -1]}, resamples=0)
    assert e.value.arg == "themes"
    with pytest.raises(errors.InvalidOptionError) as e:
        voc.impact.theme_score_impact(scores=[9, 7], themes={"a": [1, 0]}, metric="net")
    assert e.value.arg == "metric"
    with pytest.raises(errors.InvalidOptionError):
        voc.impact.theme_score_impact(scores=[9, 7], themes={"a": [1, 0]}, resamples=3)
    with pytest.raises(errors.InputError):
        voc.impact.theme_score_impact(scores=[9, 7, 3], themes={"a": [1, 0]}, resamples=0)
    with pytest.raises(errors.InputError):
        voc.impact.theme_score_impact(scores=[9, 7], themes="a_", resamples=0)
    with pytest.raises(errors.InputError):
        voc.impact.score_change(scores=[9, 7], themes={"a": [1, 0]}, by=["x", "x"], resamples=0)


def test_undefined_parts_are_none_or_nan_not_wrong():
    r = voc.impact.theme_score_impact(scores=[9, 3, 10], themes={"a": [1, 1, 1]}, resamples=50)
    assert r.score_no_theme is None and r.n_no_theme == 0
    assert math.isnan(r.table["shapley"][0]) and math.isnan(r.table["removal_impact"][0])


def test_result_round_trips_pickle_and_to_dict():
    df = simulate(500, 2, 7)
    r = voc.impact.theme_score_impact(df, scores="nps", themes=["t0", "t1"], resamples=50)
    assert pickle.loads(pickle.dumps(r)) == r
    d = r.to_dict()
    assert d["score"] == r.score and d["table"]["theme"] == ["t0", "t1"]
    assert "ThemeScoreImpactResult" in r._repr_html_()
    c = voc.impact.score_change(df, scores="nps", themes=["t0", "t1"], by=np.arange(500) % 2, resamples=50)
    assert pickle.loads(pickle.dumps(c)) == c
    assert c.to_dict()["change"] == c.change


def fractional_decomposition(df: pd.DataFrame, themes: list[str], by: str) -> pd.DataFrame:
    """Brute force of the mix / rate decomposition between the two groups of `by`, in pandas."""
    v = nps_values(df["nps"].to_numpy())
    flags = df[themes].to_numpy(float)
    m = flags.sum(axis=1)
    part = np.column_stack([flags / np.where(m > 0, m, 1)[:, None], (m == 0).astype(float)])
    rows = []
    g0, g1 = sorted(df[by].unique())
    s = {g: v[df[by].to_numpy() == g].mean() for g in (g0, g1)}
    c = (s[g0] + s[g1]) / 2
    for j in range(len(themes) + 1):
        q, r = {}, {}
        for g in (g0, g1):
            sel = df[by].to_numpy() == g
            w = part[sel, j]
            q[g] = w.sum() / sel.sum()
            r[g] = (w * v[sel]).sum() / w.sum() if w.sum() > 0 else np.nan
        ra, rb = r[g0], r[g1]
        ra, rb = (rb if np.isnan(ra) else ra), (ra if np.isnan(rb) else rb)
        rows.append({"mix": (q[g1] - q[g0]) * ((ra + rb) / 2 - c), "rate": (q[g0] + q[g1]) / 2 * (rb - ra)})
    return pd.DataFrame(rows)


def test_change_decomposition_equals_brute_force_and_adds_up():
    df = simulate(4000, 4, 8)
    df["period"] = np.where(np.arange(4000) < 2000, "2025-05", "2025-06")
    df.loc[df.period == "2025-06", "t3"] = np.random.default_rng(1).uniform(size=2000) < 0.05
    themes = ["t0", "t1", "t2", "t3"]
    r = voc.impact.score_change(df, scores="nps", themes=themes, by="period", resamples=200, seed=3)
    t = r.table.to_pandas()
    assert r.table["theme"] == [*themes, None]
    assert (t.before == "2025-05").all() and (t.after == "2025-06").all()
    v = nps_values(df.nps.to_numpy())
    change = v[df.period == "2025-06"].mean() - v[df.period == "2025-05"].mean()
    assert abs(r.change - change) < 1e-12
    assert abs(t.total.sum() - change) < 1e-12
    brute = fractional_decomposition(df, themes, "period")
    np.testing.assert_allclose(t.mix, brute.mix, rtol=0, atol=1e-12)
    np.testing.assert_allclose(t.rate, brute.rate, rtol=0, atol=1e-12)
    assert abs(t.share_before.sum() - 1) < 1e-12 and abs(t.share_after.sum() - 1) < 1e-12
    assert r.ci_low < r.change < r.ci_high
    assert ((t.total_ci_low <= t.total) & (t.total <= t.total_ci_high)).all()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 7), st.integers(0, 2)), min_size=2, max_size=120))
def test_change_parts_add_up_to_the_change_for_any_data(rows):
    df = pd.DataFrame(rows, columns=["nps", "pattern", "g"])
    for j in range(3):
        df[f"t{j}"] = (df.pattern.to_numpy() >> j) & 1
    groups = sorted(df.g.unique())
    if len(groups) < 2:
        with pytest.raises(errors.InsufficientDataError):
            voc.impact.score_change(df, scores="nps", themes=["t0", "t1", "t2"], by="g", resamples=0)
        return
    r = voc.impact.score_change(df, scores="nps", themes=["t0", "t1", "t2"], by="g", resamples=0)
    t = r.table.to_pandas()
    v = nps_values(df.nps.to_numpy())
    for a, b in zip(groups, groups[1:]):
        part = t[(t.before == a) & (t.after == b)]
        change = v[df.g == b].mean() - v[df.g == a].mean()
        assert abs(part.total.sum() - change) < 1e-9
        assert abs(part.change.iloc[0] - change) < 1e-9


def test_score_change_over_several_periods_is_a_trend_view():
    df = simulate(3000, 3, 9)
    df["month"] = np.repeat([1, 2, 3], 1000)
    r = voc.impact.score_change(df, scores="nps", themes=["t0", "t1", "t2"], by="month", resamples=0)
    t = r.table.to_pandas()
    assert sorted(set(zip(t.before, t.after))) == [(1, 2), (2, 3)]
    assert t.before.dtype.kind == "i"
    assert r.ci_low is None and r.ci_high is None
    last = t[t.before == 2]
    assert abs(last.total.sum() - r.change) < 1e-12


# ---------------------------------------------------------------- the retailer simulator
#
# How NPS answers link to themes there: the simulator lowers the NPS of customers whose refund was slow
# recently, and those customers open refund tickets (often repeated); an NPS answer's verbatim is written
# by half of the detractors, about the slow refund if they were hurt, else about a random complaint theme.
# The link used here is the one a VoC team has in its helpdesk: the categories (`theme`) of the customer's
# support tickets in the 60 days before the answer. The answers' own verbatims, tagged by the default
# taxonomy, give the same answer (the last two tests): the simulator's refund complaints are tagged
# "refund" and no other complaint theme.

WINDOW_DAYS = 60


@pytest.fixture(scope="module")
def retailer_nps():
    d = voc.sample.retailer(seed=7)
    s = d.surveys.to_pandas()
    s = s[s.kind == "nps"].reset_index(drop=True)
    s["answer"] = np.arange(len(s))
    t = d.tickets.to_pandas()
    pairs = s[["answer", "customer_id", "time"]].merge(
        t[["customer_id", "time", "theme"]], on="customer_id", suffixes=("", "_ticket"))
    recent = pairs[(pairs.time_ticket <= pairs.time)
                   & (pairs.time_ticket > pairs.time - pd.Timedelta(days=WINDOW_DAYS))]
    themes = sorted(t.theme.unique())
    for name in themes:
        s[name] = s.answer.isin(recent.answer[recent.theme == name])
    s["period"] = np.where(s.time < pd.Timestamp(d.planted.fix_date), "1 before fix", "2 fix")
    return s, [name for name in themes if s[name].any()]


def test_retailer_refund_costs_the_most_nps_points_before_the_fix(retailer_nps):
    s, themes = retailer_nps
    before = s[s.period == "1 before fix"]
    r = voc.impact.theme_score_impact(before, scores="score", themes=themes, resamples=200)
    t = r.table.to_pandas().set_index("theme")
    assert t.shapley.idxmin() == "refund", t.shapley
    assert t.removal_impact.idxmin() == "refund", t.removal_impact
    # Far ahead of the next theme, and the interval excludes 0.
    assert t.loc["refund", "shapley"] < 5 * t.shapley.drop("refund").min()
    assert t.loc["refund", "removal_ci_high"] < 0
    assert t.loc["refund", "p_adjusted"] < 1e-6


def test_retailer_fix_period_change_is_attributed_mostly_to_refund(retailer_nps):
    s, themes = retailer_nps
    r = voc.impact.score_change(s, scores="score", themes=themes, by="period", resamples=200)
    t = r.table.to_pandas()
    assert r.change > 0 and r.ci_low > 0
    parts = t.set_index(t.theme.fillna("(no theme)"))
    theme_parts = parts.total.drop("(no theme)")
    assert theme_parts.idxmax() == "refund", parts.total
    assert theme_parts["refund"] > 0.5 * theme_parts[theme_parts > 0].sum()
    assert parts.loc["refund", "total_ci_low"] > 0
    # Refund answers became rarer (mix) and the change adds up.
    assert parts.loc["refund", "share_after"] < parts.loc["refund", "share_before"]
    assert abs(t.total.sum() - r.change) < 1e-9


@pytest.fixture(scope="module")
def retailer_verbatims():
    """The NPS answers with their verbatims tagged by the default taxonomy (top-level themes)."""
    d = voc.sample.retailer(seed=7)
    s = d.surveys.to_pandas()
    s = s[s.kind == "nps"].reset_index(drop=True)
    tags = voc.text.themes().indicators(s.verbatim.fillna("").tolist()).to_pandas()
    top = [c for c in tags.columns if "." not in c]
    df = pd.concat([s[["score", "time"]], tags[top]], axis=1)
    df["period"] = np.where(df.time < pd.Timestamp(d.planted.fix_date), "1 before fix", "2 fix")
    return df, top


def test_retailer_verbatims_refund_costs_the_most_nps_points_before_the_fix(retailer_verbatims):
    df, top = retailer_verbatims
    before = df[df.period == "1 before fix"]
    r = voc.impact.theme_score_impact(before, scores="score", themes=top, resamples=200)
    t = r.table.to_pandas().set_index("theme")
    assert t.shapley.idxmin() == "refund", t.shapley
    assert t.removal_impact.idxmin() == "refund", t.removal_impact
    assert t.loc["refund", "shapley"] < 1.5 * t.shapley.drop("refund").min()
    assert t.loc["refund", "removal_ci_high"] < t.removal_impact.drop("refund").min()
    assert t.loc["refund", "p_adjusted"] < 1e-6


def test_retailer_verbatims_fix_period_change_is_attributed_mostly_to_refund(retailer_verbatims):
    df, top = retailer_verbatims
    r = voc.impact.score_change(df, scores="score", themes=top, by="period", resamples=200)
    t = r.table.to_pandas()
    assert r.change > 0 and r.ci_low > 0
    parts = t.set_index(t.theme.fillna("(no theme)"))
    theme_parts = parts.total.drop("(no theme)")
    assert theme_parts.idxmax() == "refund", parts.total
    assert theme_parts["refund"] > 0.5 * theme_parts[theme_parts > 0].sum(), theme_parts
    assert parts.loc["refund", "total_ci_low"] > 0
    assert parts.loc["refund", "share_after"] < parts.loc["refund", "share_before"]
    assert abs(t.total.sum() - r.change) < 1e-9
