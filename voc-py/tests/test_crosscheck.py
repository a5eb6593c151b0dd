"""Live cross-checks against brute force (numpy / pandas), scipy and statsmodels, at 1e-9."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from _helpers import TOL, assert_close
from hypothesis import given
from hypothesis import strategies as hs

import voc

Z95 = st.norm.ppf(0.975)

nps_lists = hs.lists(hs.integers(0, 10), min_size=1, max_size=300)
confidences = hs.sampled_from([0.8, 0.9, 0.95, 0.99])


def brute_nps(x: np.ndarray, w: np.ndarray | None = None):
    """NPS pieces by counting: (nps points, p+, p-, variance, n_eff)."""
    x = np.asarray(x)
    w = np.ones(len(x)) if w is None else np.asarray(w, dtype=float)
    total = w.sum()
    pro = w[x >= 9].sum() / total
    det = w[x <= 6].sum() / total
    n_eff = total**2 / (w**2).sum()
    var = (pro + det) - (pro - det) ** 2
    return 100 * (pro - det), pro, det, var, n_eff


# ---------------------------------------------------------------- NPS by counting


@given(nps_lists)
def test_nps_matches_counting(xs):
    x = np.array(xs)
    r = voc.nps(x)
    nps, pro, det, var, n = brute_nps(x)
    assert r.n == len(x)
    assert (r.promoters, r.passives, r.detractors) == ((x >= 9).sum(), ((x == 7) | (x == 8)).sum(), (x <= 6).sum())
    assert r.distribution == np.bincount(x, minlength=11).tolist()
    assert_close(r.nps, nps)
    assert_close(r.share_promoters, pro)
    assert_close(r.share_detractors, det)
    assert_close(r.share_passives, 1 - pro - det)
    assert_close(r.variance, 10_000 * var)  # points²
    assert_close(r.se, 100 * math.sqrt(var / n))
    assert_close(r.mean, x.mean())
    if len(x) > 1:
        assert_close(r.sd, x.std(ddof=1))
    else:
        assert math.isnan(r.sd)


@given(nps_lists, confidences)
def test_nps_wald_interval_is_the_r_nps_formula(xs, conf):
    # Rocks (2016) / R package NPS: nps ± z·sqrt(((p+ + p-) − (p+ − p-)^2) / n), clipped to ±100
    x = np.array(xs)
    r = voc.nps(x, interval="wald", confidence=conf)
    nps, pro, det, var, n = brute_nps(x)
    z = st.norm.ppf(0.5 + conf / 2)
    half = 100 * z * math.sqrt(((pro + det) - (pro - det) ** 2) / n)
    assert_close(r.ci[0], max(nps - half, -100.0))
    assert_close(r.ci[1], min(nps + half, 100.0))
    assert r.confidence == conf


@given(nps_lists, confidences)
def test_nps_adjusted_wald_interval(xs, conf):
    # Rocks (2016) adjusted Wald: add 3/4 to promoters and detractors and 3 to n
    x = np.array(xs)
    r = voc.nps(x, confidence=conf)
    n = len(x)
    pro = ((x >= 9).sum() + 0.75) / (n + 3)
    det = ((x <= 6).sum() + 0.75) / (n + 3)
    z = st.norm.ppf(0.5 + conf / 2)
    center = 100 * (pro - det)
    half = 100 * z * math.sqrt(((pro + det) - (pro - det) ** 2) / (n + 3))
    assert_close(r.ci[0], max(center - half, -100.0))
    assert_close(r.ci[1], min(center + half, 100.0))
    assert_close(r.nps, 100 * ((x >= 9).mean() - (x <= 6).mean()))  # the estimate itself is not adjusted


def test_nps_known_value():
    # 6 promoters, 2 passives, 2 detractors of 10
    r = voc.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 10], interval="wald")
    assert_close(r.nps, 40.0)
    assert_close(r.se, 100 * math.sqrt(0.64 / 10))
    assert_close(r.ci[0], 40 - 100 * Z95 * 0.08 * math.sqrt(10))
    t = voc.nps_test(r)
    assert_close(t.statistic, 0.4 / math.sqrt(0.064))
    assert_close(t.p_value, 2 * st.norm.sf(0.4 / math.sqrt(0.064)))


@given(nps_lists, nps_lists, confidences)
def test_nps_compare_is_the_two_sample_wald_test(xa, xb, conf):
    a, b = np.array(xa), np.array(xb)
    na, pa_, da, va, n1 = brute_nps(a)
    nb, pb, db, vb, n2 = brute_nps(b)
    se = math.sqrt(va / n1 + vb / n2)
    if se == 0:
        with pytest.raises(voc.InsufficientDataError):
            voc.compare(voc.nps(a), voc.nps(b), confidence=conf)
        return
    t = voc.compare(voc.nps(a), voc.nps(b), confidence=conf)
    diff = (pa_ - da) - (pb - db)
    z = st.norm.ppf(0.5 + conf / 2)
    assert_close(t.estimate, 100 * diff)
    assert_close(t.se, 100 * se)
    assert_close(t.statistic, diff / se)
    assert_close(t.p_value, 2 * st.norm.sf(abs(diff / se)))
    assert_close(t.ci[0], 100 * (diff - z * se))
    assert_close(t.ci[1], 100 * (diff + z * se))
    assert t.significant == (t.p_value < 1 - conf)


@given(nps_lists, hs.floats(-100, 100).filter(lambda v: v == 0 or abs(v) > 1e-100))
def test_nps_one_sample_test(xs, null):
    x = np.array(xs)
    nps, pro, det, var, n = brute_nps(x)
    r = voc.nps(x)
    if var == 0:
        with pytest.raises(voc.InsufficientDataError):
            voc.nps_test(r, null)
        return
    t = voc.nps_test(r, null)
    se = math.sqrt(var / n)
    z = ((pro - det) - null / 100) / se
    assert_close(t.estimate, nps - null)
    assert_close(t.se, 100 * se)
    assert_close(t.statistic, z)
    assert_close(t.p_value, 2 * st.norm.sf(abs(z)))


def test_bootstrap_interval_is_close_to_wald_for_large_samples(rng):
    x = rng.integers(0, 11, 5000)
    wald = voc.nps(x, interval="wald")
    boot = voc.nps(x, interval="bootstrap", resamples=4000, seed=3)
    assert boot.nps == wald.nps
    assert abs(boot.ci[0] - wald.ci[0]) < 0.6
    assert abs(boot.ci[1] - wald.ci[1]) < 0.6


# ---------------------------------------------------------------- weighted NPS


@given(hs.lists(hs.tuples(hs.integers(0, 10), hs.floats(0.01, 100)), min_size=1, max_size=200))
def test_weighted_nps_matches_numpy(pairs):
    x = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs])
    r = voc.nps(x, weights=w, interval="wald")
    nps, pro, det, var, n_eff = brute_nps(x, w)
    assert r.weighted is True
    assert r.n == len(x)
    assert (r.promoters, r.detractors) == ((x >= 9).sum(), (x <= 6).sum())  # raw counts
    assert_close(r.weight_sum, w.sum())
    assert_close(r.n_eff, n_eff)
    assert_close(r.nps, nps)
    assert_close(r.share_promoters, pro)
    assert_close(r.share_detractors, det)
    assert_close(r.mean, np.average(x, weights=w))
    assert_close(r.se, 100 * math.sqrt(var / n_eff))
    half = 100 * Z95 * math.sqrt(var / n_eff)
    assert_close(r.ci[0], max(nps - half, -100))
    assert_close(r.ci[1], min(nps + half, 100))


def test_weights_of_one_equal_unweighted_and_scaling_does_not_matter(nps_scores):
    plain = voc.nps(nps_scores)
    ones = voc.nps(nps_scores, weights=np.ones(len(nps_scores)))
    tripled = voc.nps(nps_scores, weights=np.full(len(nps_scores), 3.0))
    for r in (ones, tripled):
        for field in ("nps", "se", "variance", "mean", "sd", "n_eff", "share_promoters"):
            assert_close(getattr(r, field), getattr(plain, field), what=field)
        assert_close(r.ci[0], plain.ci[0]) and assert_close(r.ci[1], plain.ci[1])
    assert_close(tripled.weight_sum, 3.0 * len(nps_scores))


def test_zero_weight_rows_do_not_count_in_shares(nps_scores):
    w = np.where(np.arange(len(nps_scores)) % 2 == 0, 1.0, 0.0)
    r = voc.nps(nps_scores, weights=w)
    assert_close(r.nps, voc.nps(nps_scores[::2]).nps)
    assert_close(r.n_eff, len(nps_scores[::2]))


def test_weighted_grouped_nps_vs_pandas(nps_scores, segments, rng):
    w = rng.uniform(0.1, 5.0, len(nps_scores))
    t = voc.nps(nps_scores, by=segments, weights=w).table
    df = pd.DataFrame({"x": nps_scores, "g": segments, "w": w})
    df["pro"] = (df.x >= 9) * df.w
    df["det"] = (df.x <= 6) * df.w
    agg = df.groupby("g", sort=True).agg(pro=("pro", "sum"), det=("det", "sum"), w=("w", "sum"))
    expected = 100 * (agg.pro - agg.det) / agg.w
    assert t["group"] == agg.index.tolist()
    np.testing.assert_allclose(t["nps"], expected.to_numpy(), rtol=TOL, atol=TOL)


# ---------------------------------------------------------------- grouped and trend vs pandas


def _pandas_nps(df: pd.DataFrame, keys) -> pd.DataFrame:
    out = df.groupby(keys, sort=True)["x"].agg(
        n="size",
        nps=lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()),
        mean="mean",
        promoters=lambda s: int((s >= 9).sum()),
    )
    return out


def test_grouped_nps_vs_pandas_groupby(nps_scores, segments):
    t = voc.nps(nps_scores, by=segments).table
    ref = _pandas_nps(pd.DataFrame({"x": nps_scores, "g": segments}), "g")
    assert t["group"] == ref.index.tolist()
    np.testing.assert_array_equal(t["n"], ref["n"].to_numpy())
    np.testing.assert_array_equal(t["promoters"], ref["promoters"].to_numpy())
    np.testing.assert_allclose(t["nps"], ref["nps"].to_numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(t["mean"], ref["mean"].to_numpy(), rtol=TOL, atol=TOL)


@given(hs.lists(hs.tuples(hs.integers(0, 10), hs.integers(-3, 3)), min_size=1, max_size=200))
def test_grouped_nps_vs_pandas_integer_labels(pairs):
    x = np.array([p[0] for p in pairs])
    g = np.array([p[1] for p in pairs])
    t = voc.nps(x, by=g).table
    ref = _pandas_nps(pd.DataFrame({"x": x, "g": g}), "g")
    assert t["group"].tolist() == ref.index.tolist()
    np.testing.assert_array_equal(t["n"], ref["n"].to_numpy())
    np.testing.assert_allclose(t["nps"], ref["nps"].to_numpy(), rtol=TOL, atol=TOL)


def test_grouped_csat_ces_vs_pandas(rng, segments):
    c = rng.integers(1, 6, len(segments))
    e = rng.integers(1, 8, len(segments))
    df = pd.DataFrame({"c": c, "e": e, "g": segments})
    tc = voc.csat(c, by=segments).table
    te = voc.ces(e, by=segments).table
    gb = df.groupby("g", sort=True)
    np.testing.assert_allclose(tc["satisfied"], gb["c"].apply(lambda s: (s >= 4).mean()).to_numpy(), rtol=TOL)
    np.testing.assert_allclose(tc["sd"], gb["c"].std(ddof=1).to_numpy(), rtol=TOL)
    np.testing.assert_allclose(te["mean"], gb["e"].mean().to_numpy(), rtol=TOL)
    np.testing.assert_allclose(te["easy"], gb["e"].apply(lambda s: (s >= 5).mean()).to_numpy(), rtol=TOL)
    np.testing.assert_allclose(te["high_effort"], gb["e"].apply(lambda s: (s <= 3).mean()).to_numpy(), rtol=TOL)


def test_monthly_trend_vs_pandas_periods(nps_scores, times_2024):
    t = voc.nps(nps_scores, period="month", time=times_2024, interval="wald").table
    df = pd.DataFrame({"x": nps_scores, "p": pd.Series(times_2024).dt.to_period("M")})
    ref = _pandas_nps(df, "p")
    assert t["period"] == [str(p) for p in ref.index]
    assert list(pd.DatetimeIndex(t["period_start"])) == [p.start_time for p in ref.index]
    np.testing.assert_array_equal(t["n"], ref["n"].to_numpy())
    np.testing.assert_allclose(t["nps"], ref["nps"].to_numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("period,freq", [("day", "D"), ("week", "W-SUN"), ("quarter", "Q"), ("year", "Y")])
def test_other_periods_vs_pandas(nps_scores, times_2024, period, freq):
    t = voc.nps(nps_scores, period=period, time=times_2024).table
    df = pd.DataFrame({"x": nps_scores, "p": pd.Series(times_2024).dt.to_period(freq)})
    ref = _pandas_nps(df, "p")
    assert list(pd.DatetimeIndex(t["period_start"])) == [p.start_time for p in ref.index]
    if period == "week":
        expected = ["%04d-W%02d" % p.start_time.isocalendar()[:2] for p in ref.index]
    elif period == "quarter":
        expected = [f"{p.year}-Q{p.quarter}" for p in ref.index]
    else:
        expected = [str(p) for p in ref.index]
    assert t["period"] == expected
    np.testing.assert_array_equal(t["n"], ref["n"].to_numpy())
    np.testing.assert_allclose(t["nps"], ref["nps"].to_numpy(), rtol=TOL, atol=TOL)


def test_trend_rows_equal_single_results_and_changes_equal_compare(nps_scores, times_2024):
    t = voc.nps(nps_scores, period="month", time=times_2024).table
    months = pd.Series(times_2024).dt.to_period("M").astype(str).to_numpy()
    prev = None
    for i, label in enumerate(t["period"]):
        r = voc.nps(nps_scores[months == label])
        for col in ("n", "nps", "se", "ci_low", "ci_high", "mean", "share_promoters"):
            assert t[col][i] == r.to_dict()[col], (label, col)
        if prev is not None:
            c = voc.compare(r, prev)
            assert_close(t["change"][i], c.estimate)
            assert_close(t["change_se"][i], c.se)
            assert_close(t["statistic"][i], c.statistic)
            assert_close(t["p_value"][i], c.p_value)
            assert_close(t["change_ci_low"][i], c.ci[0])
            assert_close(t["change_ci_high"][i], c.ci[1])
            assert t["significant"][i] == c.significant
        prev = r


def test_weighted_trend_rows_equal_weighted_single_results(nps_scores, times_2024, rng):
    w = rng.uniform(0.1, 3.0, len(nps_scores))
    t = voc.nps(nps_scores, weights=w, period="month", time=times_2024).table
    months = pd.Series(times_2024).dt.to_period("M").astype(str).to_numpy()
    for i, label in enumerate(t["period"]):
        sel = months == label
        nps, _, _, var, n_eff = brute_nps(nps_scores[sel], w[sel])
        assert_close(t["nps"][i], nps)
        assert_close(t["n_eff"][i], n_eff)
        assert_close(t["se"][i], 100 * math.sqrt(var / n_eff))


def test_grouped_trend_vs_pandas(nps_scores, segments, times_2024):
    t = voc.nps(nps_scores, by=segments, period="quarter", time=times_2024).table
    df = pd.DataFrame({"x": nps_scores, "g": segments, "p": pd.Series(times_2024).dt.to_period("Q")})
    ref = _pandas_nps(df, ["g", "p"])
    assert list(zip(t["group"], t["period"])) == [(g, f"{p.year}-Q{p.quarter}") for g, p in ref.index]
    np.testing.assert_array_equal(t["n"], ref["n"].to_numpy())
    np.testing.assert_allclose(t["nps"], ref["nps"].to_numpy(), rtol=TOL, atol=TOL)


def test_ces_trend_change_is_welch(rng, times_2024):
    e = rng.integers(1, 8, len(times_2024))
    t = voc.ces(e, period="quarter", time=times_2024).table
    q = pd.Series(times_2024).dt.to_period("Q").to_numpy()
    quarters = sorted(set(q))
    for i in range(1, len(quarters)):
        cur, before = e[q == quarters[i]], e[q == quarters[i - 1]]
        ref = st.ttest_ind(cur, before, equal_var=False)
        assert_close(t["statistic"][i], ref.statistic)
        assert_close(t["p_value"][i], ref.pvalue)
        assert_close(t["change"][i], cur.mean() - before.mean())


# ---------------------------------------------------------------- CSAT intervals vs scipy


@given(hs.lists(hs.integers(1, 5), min_size=1, max_size=400), confidences)
def test_csat_wilson_and_clopper_pearson_vs_scipy(xs, conf):
    x = np.array(xs)
    k, n = int((x >= 4).sum()), len(x)
    top = int((x == 5).sum())
    w = voc.csat(x, confidence=conf)
    ref = st.binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    assert_close(w.satisfied, k / n)
    assert_close(w.satisfied_ci[0], ref.low)
    assert_close(w.satisfied_ci[1], ref.high)
    ref_top = st.binomtest(top, n).proportion_ci(confidence_level=conf, method="wilson")
    assert_close(w.top_box_ci[0], ref_top.low)
    assert_close(w.top_box_ci[1], ref_top.high)
    cp = voc.csat(x, confidence=conf, interval="clopper_pearson")
    ref = st.binomtest(k, n).proportion_ci(confidence_level=conf, method="exact")
    assert_close(cp.satisfied_ci[0], ref.low)
    assert_close(cp.satisfied_ci[1], ref.high)
    cc = voc.csat(x, confidence=conf, interval="wilson_cc")
    ref = st.binomtest(k, n).proportion_ci(confidence_level=conf, method="wilsoncc")
    assert_close(cc.satisfied_ci[0], ref.low)
    assert_close(cc.satisfied_ci[1], ref.high)


@given(hs.integers(1, 3000).flatmap(lambda n: hs.tuples(hs.integers(0, n), hs.just(n))), confidences)
def test_proportion_ci_vs_scipy(kn, conf):
    k, n = kn
    for ours, theirs in (("wilson", "wilson"), ("wilson_cc", "wilsoncc"), ("clopper_pearson", "exact")):
        r = voc.stats.proportion_ci(k, n, confidence=conf, interval=ours)
        lo, hi = r.ci_low, r.ci_high
        ref = st.binomtest(k, n).proportion_ci(confidence_level=conf, method=theirs)
        assert_close(lo, ref.low, what=ours)
        assert_close(hi, ref.high, what=ours)
    r = voc.stats.proportion_ci(k, n, confidence=conf, interval="wald")
    lo, hi = r.ci_low, r.ci_high
    p = k / n
    half = st.norm.ppf(0.5 + conf / 2) * math.sqrt(p * (1 - p) / n)
    assert_close(lo, max(p - half, 0.0))
    assert_close(hi, min(p + half, 1.0))


def test_csat_custom_threshold_vs_scipy(rng):
    x = rng.integers(1, 11, 700)
    r = voc.csat(x, scale=(1, 10), satisfied_from=8, interval="clopper_pearson")
    k = int((x >= 8).sum())
    ref = st.binomtest(k, len(x)).proportion_ci(method="exact")
    assert_close(r.satisfied, k / len(x))
    assert_close(r.satisfied_ci[0], ref.low)
    assert_close(r.satisfied_ci[1], ref.high)


# ---------------------------------------------------------------- means vs scipy.stats.t


@pytest.mark.parametrize("metric,lo,hi", [("csat", 1, 5), ("ces", 1, 7)])
@given(data=hs.data())
def test_mean_interval_vs_scipy_t(metric, lo, hi, data):
    xs = data.draw(hs.lists(hs.integers(lo, hi), min_size=2, max_size=300))
    conf = data.draw(confidences)
    x = np.array(xs, dtype=float)
    r = getattr(voc, metric)(x, confidence=conf)
    assert_close(r.mean, x.mean())
    assert_close(r.sd, x.std(ddof=1))
    sem = x.std(ddof=1) / math.sqrt(len(x))
    if sem == 0:
        assert r.mean_ci == (x.mean(), x.mean())
        return
    ref = st.t.interval(conf, len(x) - 1, loc=x.mean(), scale=sem)
    assert_close(r.mean_ci[0], ref[0])
    assert_close(r.mean_ci[1], ref[1])


# ---------------------------------------------------------------- Welch vs scipy


@pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")  # scipy, on constant samples
@given(hs.lists(hs.integers(1, 7), min_size=2, max_size=300), hs.lists(hs.integers(1, 7), min_size=2, max_size=300),
       confidences)
def test_ces_compare_vs_scipy_welch(xa, xb, conf):
    a, b = np.array(xa, dtype=float), np.array(xb, dtype=float)
    if a.std() == 0 and b.std() == 0:
        with pytest.raises(voc.InsufficientDataError):
            voc.compare(voc.ces(a), voc.ces(b))
        return
    t = voc.compare(voc.ces(a), voc.ces(b), confidence=conf)
    ref = st.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(conf)
    assert_close(t.estimate, a.mean() - b.mean())
    assert_close(t.statistic, ref.statistic)
    assert_close(t.p_value, ref.pvalue)
    assert_close(t.df, ref.df)
    assert_close(t.ci[0], ci.low)
    assert_close(t.ci[1], ci.high)
    assert_close(t.se, math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    assert t.method == "welch"


@given(
    hs.floats(-100, 100), hs.floats(0.01, 50), hs.integers(2, 100_000),
    hs.floats(-100, 100), hs.floats(0.01, 50), hs.integers(2, 100_000), confidences,
)
def test_welch_test_vs_scipy_from_stats(m1, s1, n1, m2, s2, n2, conf):
    t = voc.stats.welch_test(m1, s1, n1, m2, s2, n2, confidence=conf)
    ref = st.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    assert_close(t.statistic, ref.statistic)
    assert_close(t.p_value, ref.pvalue)
    v1, v2 = s1**2 / n1, s2**2 / n2
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    assert_close(t.df, df)
    half = st.t.ppf(0.5 + conf / 2, df) * math.sqrt(v1 + v2)
    assert_close(t.ci[0], (m1 - m2) - half)
    assert_close(t.ci[1], (m1 - m2) + half)


# ---------------------------------------------------------------- two proportions


@given(
    hs.integers(1, 2000).flatmap(lambda n: hs.tuples(hs.integers(0, n), hs.just(n))),
    hs.integers(1, 2000).flatmap(lambda n: hs.tuples(hs.integers(0, n), hs.just(n))),
    confidences,
)
def test_two_proportion_test_vs_statsmodels(a, b, conf):
    from statsmodels.stats.proportion import proportions_ztest

    (k1, n1), (k2, n2) = a, b
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        with pytest.raises(voc.InsufficientDataError):
            voc.stats.two_proportion_test(k1, n1, k2, n2, confidence=conf)
        return
    t = voc.stats.two_proportion_test(k1, n1, k2, n2, confidence=conf)
    stat, p = proportions_ztest([k1, k2], [n1, n2])
    assert_close(t.statistic, stat)
    assert_close(t.p_value, p)
    p1, p2 = k1 / n1, k2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = st.norm.ppf(0.5 + conf / 2)
    assert_close(t.estimate, p1 - p2)
    assert_close(t.se, se)
    assert_close(t.ci[0], p1 - p2 - z * se)
    assert_close(t.ci[1], p1 - p2 + z * se)


def test_csat_compare_is_the_two_proportion_test(rng):
    a, b = rng.integers(1, 6, 300), rng.integers(1, 6, 450)
    t = voc.compare(voc.csat(a), voc.csat(b))
    ref = voc.stats.two_proportion_test(int((a >= 4).sum()), len(a), int((b >= 4).sum()), len(b))
    assert t == ref
