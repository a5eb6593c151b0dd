"""voc.followup: trigger coverage (scipy Wilson), SLA attainment per period (the survey trend machinery, scipy,
Holm), churn and spend by SLA class with IPW (statsmodels Logit + WLS HC0, numpy), the holdout estimate
(voc.impact.holdout, scipy Welch), bad input, the result surface and the plots."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import voc

scipy_stats = pytest.importorskip("scipy.stats")
sm = pytest.importorskip("statsmodels.api")

H = 3600
NAT = np.datetime64("NaT")
T0 = np.datetime64("2025-03-03T00:00:00", "s")


def hours(*h):
    return np.array([T0 + np.timedelta64(int(x * H), "s") if x is not None else NAT for x in h],
                    dtype="datetime64[s]")


# ---------------------------------------------------------------- coverage


def triggers(n: int = 500, seed: int = 3):
    rng = np.random.default_rng(seed)
    time = T0 + (rng.uniform(0, 20 * 24, n) * H).astype("timedelta64[s]")
    has_case = rng.uniform(size=n) < 0.7
    delay = rng.gamma(1.3, 30, n)
    contacted = time + (delay * H).astype("timedelta64[s]")
    as_of = T0 + np.timedelta64(21 * 24 * H, "s")
    contacted = np.where(has_case & (rng.uniform(size=n) < 0.85) & (contacted <= as_of), contacted, NAT)
    kind = rng.choice(["alert", "detractor", "ticket"], n)
    return {"time": time, "has_case": has_case, "contacted": contacted, "kind": kind}, as_of


def test_coverage_equals_scipy_wilson():
    d, as_of = triggers()
    sla = 36.0
    c = voc.followup.coverage(d, time="time", has_case="has_case", contacted="contacted", by="kind", as_of=as_of,
                              sla_hours=sla, confidence=0.9)
    table = c.table.to_pandas().set_index("group")
    t = d["time"].astype("int64")
    contact_h = np.where(np.isnat(d["contacted"]), (as_of.astype("int64") - t) / H,
                         (d["contacted"].astype("int64") - t) / H)
    contacted = ~np.isnat(d["contacted"])
    for kind in ["alert", "detractor", "ticket"]:
        sel = d["kind"] == kind
        k, n = int(d["has_case"][sel].sum()), int(sel.sum())
        ci = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson")
        row = table.loc[kind]
        assert (row["triggers"], row["with_case"]) == (n, k)
        assert row["coverage"] == pytest.approx(k / n, abs=1e-15)
        assert (row["coverage_ci_low"], row["coverage_ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
        met = int((contacted & (contact_h <= sla))[sel].sum())
        pending = int((~contacted & (contact_h <= sla))[sel].sum())
        due = n - pending
        ci = scipy_stats.binomtest(met, due).proportion_ci(confidence_level=0.9, method="wilson")
        assert (row["in_sla_met"], row["in_sla_due"], row["in_sla_pending"]) == (met, due, pending)
        assert (row["in_sla_ci_low"], row["in_sla_ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert c.n == len(d["time"]) and c.n_missing == 0 and c.groups == ["alert", "detractor", "ticket"]
    assert pickle.loads(pickle.dumps(c)) == c
    assert c.to_dict()["n"] == c.n and "CoverageResult" in c._repr_html_() and "triggers=" in repr(c)


def test_coverage_bad_and_missing_input():
    with pytest.raises(voc.InputError) as e:
        voc.followup.coverage(time=hours(0, 0), has_case=[0, 1], contacted=hours(1, None))
    assert (e.value.arg, e.value.index) == ("contacted", 0)
    with pytest.raises(voc.InputError) as e:
        voc.followup.coverage(time=hours(0, 0), has_case=[1, 2])
    assert (e.value.arg, e.value.index) == ("has_case", 1)
    with pytest.raises(voc.MissingValueError) as e:
        voc.followup.coverage(time=hours(0, None), has_case=[1, 1])
    assert (e.value.arg, e.value.index) == ("time", 1)
    c = voc.followup.coverage(time=hours(0, None, 5), has_case=[1.0, 1.0, np.nan], by=["a", "a", None],
                              missing="skip")
    assert (c.n, c.n_missing) == (1, 2)
    assert c.skipped.to_pandas()["reason"].tolist() == ["time is missing", "has_case is missing"]


# ---------------------------------------------------------------- SLA trend


def cases(n: int = 800, seed: int = 5):
    rng = np.random.default_rng(seed)
    opened = T0 + (rng.uniform(0, 70 * 24, n) * H).astype("timedelta64[s]")
    team = rng.choice(["north", "south"], n)
    speed = np.where(team == "north", 20.0, 40.0) * np.where(opened > T0 + np.timedelta64(35 * 24 * H, "s"), 0.6, 1)
    contacted = opened + (rng.gamma(1.5, speed / 1.5) * H).astype("timedelta64[s]")
    closed = contacted + (rng.gamma(2.0, 24, n) * H).astype("timedelta64[s]")
    as_of = T0 + np.timedelta64(72 * 24 * H, "s")
    u = rng.uniform(size=n)
    contacted = np.where((u < 0.05) | (contacted > as_of), NAT, contacted)
    closed = np.where((u < 0.05), opened + np.timedelta64(3 * H, "s"), np.where(closed > as_of, NAT, closed))
    closed = np.where(np.isnat(contacted) & (u >= 0.05), NAT, closed)
    return {"opened": opened, "contacted": contacted, "closed": closed, "team": team}, as_of


@pytest.mark.parametrize("period", ["week", "month"])
def test_sla_trend_is_the_csat_trend_of_the_met_flags_and_equals_scipy(period):
    d, as_of = cases()
    m = voc.followup.loop_metrics(d, opened="opened", contacted="contacted", closed="closed", by="team",
                                  period=period, as_of=as_of, sla_hours=24.0)
    trend = m.trend.to_pandas()
    assert m.period == period
    # Independently: a case is due once contacted, closed or older than the SLA; met = contacted in 24 h.
    o = d["opened"].astype("int64")
    has_c, has_z = ~np.isnat(d["contacted"]), ~np.isnat(d["closed"])
    contact_h = (d["contacted"].astype("int64") - o) / H
    age_h = (as_of.astype("int64") - o) / H
    met = has_c & (contact_h <= 24.0)
    due = has_c | has_z | (age_h > 24.0)
    # The same table as voc.csat's trend on the 0/1 met flags of the due cases (satisfied_from=1).
    csat = voc.csat(np.where(met, 1, 0)[due], by=d["team"][due], time=d["opened"][due], period=period,
                    scale=(0, 1), satisfied_from=1).table.to_pandas()
    assert trend["period"].tolist() == csat["period"].tolist()
    np.testing.assert_array_equal(trend["sla_due"], csat["n"])
    np.testing.assert_allclose(trend["sla_rate"], csat["satisfied"], rtol=0, atol=1e-15)
    for col in ["change", "p_value", "p_adjusted"]:
        np.testing.assert_allclose(trend[col], csat[col], rtol=1e-12, equal_nan=True)
    for _, row in trend.iterrows():
        k, n = int(row["sla_met"]), int(row["sla_due"])
        assert (k, n) == (row["sla_met"], row["sla_due"])  # counts, not p · n with rounding error
        ci = scipy_stats.binomtest(k, n).proportion_ci(method="wilson")
        assert (row["sla_ci_low"], row["sla_ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
    # The two-proportion z test and Holm over all tests.
    tested = trend[trend["change"].notna()]
    assert len(tested) > 0
    from statsmodels.stats.multitest import multipletests
    np.testing.assert_allclose(tested["p_adjusted"], multipletests(tested["p_value"], method="holm")[1], rtol=1e-12)
    # Summed over periods, the trend is the table's SLA count.
    by_team = trend.groupby("group")[["sla_met", "sla_due"]].sum()
    table = m.table.to_pandas().set_index("group")
    np.testing.assert_array_equal(by_team["sla_met"], table["sla_met"])
    np.testing.assert_array_equal(by_team["sla_due"], table["sla_due"])
    assert pickle.loads(pickle.dumps(m)) == m
    assert m.to_dict()["trend"]["period"] == trend["period"].tolist()


def test_no_trend_without_period_and_bad_period():
    m = voc.followup.loop_metrics(opened=hours(0), contacted=hours(1), closed=hours(2))
    assert m.trend is None and m.period is None
    with pytest.raises(voc.InvalidOptionError) as e:
        voc.followup.loop_metrics(opened=hours(0), contacted=hours(1), closed=hours(2), period="fortnight")
    assert e.value.arg == "period"


# ---------------------------------------------------------------- outcomes by SLA class


def customers(n: int = 3000, seed: int = 11):
    """Tenure and past spend drive both fast closing and churn / spend: confounded on purpose."""
    rng = np.random.default_rng(seed)
    tenure = rng.gamma(2.0, 1.5, n)
    past = rng.lognormal(3.0, 0.6, n)
    held = rng.uniform(size=n) < 0.2
    lin = -0.5 + 0.4 * tenure + 0.01 * past
    fast = rng.uniform(size=n) < 1 / (1 + np.exp(-lin))
    never = rng.uniform(size=n) < 0.2
    opened = np.where(held, NAT, T0)
    close_h = np.where(fast, rng.uniform(1, 40, n), rng.uniform(60, 200, n))
    closed = np.where(held | never, NAT, T0 + (close_h * H).astype("timedelta64[s]"))
    p_churn = 1 / (1 + np.exp(-(0.3 - 0.5 * tenure - 0.6 * fast)))
    churned = (rng.uniform(size=n) < p_churn).astype(int)
    spend = past * 0.5 + 10 * fast + rng.normal(0, 5, n)
    return {"opened": opened, "closed": closed, "tenure": tenure, "past_spend": past, "churned": churned,
            "spend": spend, "holdout": held}


def reference_ipw(d, outcome, cls, ref, sla=48.0):
    """statsmodels Logit for the propensity, numpy for the Hajek estimate, statsmodels WLS (HC0) for its SE."""
    o, z = d["opened"], d["closed"]
    h = (z.astype("int64") - o.astype("int64")) / H
    klass = np.where(np.isnat(o) | np.isnat(z), "never", np.where(h <= sla, "within", "later"))
    sel = (klass == cls) | (klass == ref)
    t = (klass[sel] == cls).astype(float)
    x = np.column_stack([np.ones(sel.sum()), d["tenure"][sel], d["past_spend"][sel]])
    fit = sm.Logit(t, x).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
    e = fit.predict(x)
    y = np.asarray(d[outcome], dtype=float)[sel]
    w = np.where(t == 1, 1 / e, 1 / (1 - e))
    est = np.sum(w * y * t) / np.sum(w * t) - np.sum(w * y * (1 - t)) / np.sum(w * (1 - t))
    wls = sm.WLS(y, np.column_stack([np.ones_like(t), t]), weights=w).fit(cov_type="HC0")
    smd = {}
    for name in ["tenure", "past_spend"]:
        v = np.asarray(d[name], dtype=float)[sel]
        sd = np.sqrt((v[t == 1].var(ddof=1) + v[t == 0].var(ddof=1)) / 2)
        before = (v[t == 1].mean() - v[t == 0].mean()) / sd
        after = (np.average(v[t == 1], weights=w[t == 1]) - np.average(v[t == 0], weights=w[t == 0])) / sd
        smd[name] = (before, after)
    return est, wls.params[1], wls.bse[1], smd, y, t


@pytest.mark.parametrize("outcome", ["churned", "spend"])
def test_ipw_equals_statsmodels_and_numpy(outcome):
    d = customers()
    r = voc.followup.sla_outcomes(d, outcome=outcome, opened="opened", closed="closed",
                                  covariates=["tenure", "past_spend"], holdout="holdout")
    comp = r.comparisons.to_pandas().set_index("class")
    balance = r.balance.to_pandas()
    for cls in ["within", "later"]:
        est, wls_est, wls_se, smd, y, t = reference_ipw(d, outcome, cls, "never")
        row = comp.loc[cls]
        assert row["reference"] == "never" and row["method"] == "ipw_hajek"
        assert row["estimate"] == pytest.approx(est, abs=1e-9)
        assert row["estimate"] == pytest.approx(wls_est, abs=1e-9)
        assert row["se"] == pytest.approx(wls_se, rel=1e-7)
        z = scipy_stats.norm.ppf(0.975)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((est - z * wls_se, est + z * wls_se), abs=1e-8)
        assert row["p_value"] == pytest.approx(2 * scipy_stats.norm.sf(abs(est / wls_se)), rel=1e-6)
        assert row["difference"] == pytest.approx(y[t == 1].mean() - y[t == 0].mean(), abs=1e-12)
        assert (row["n"], row["n_reference"]) == ((t == 1).sum(), (t == 0).sum())
        mine = balance[balance["class"] == cls].set_index("covariate")
        for name, (before, after) in smd.items():
            assert mine.loc[name, "smd_before"] == pytest.approx(before, abs=1e-12)
            assert mine.loc[name, "smd_after"] == pytest.approx(after, abs=1e-9)
        # Weighting removes the imbalance in tenure that fast closing has.
        assert abs(mine.loc["tenure", "smd_after"]) < 0.1 < abs(mine.loc["tenure", "smd_before"])
    table = r.table.to_pandas().set_index("class")
    assert table["n"].sum() == len(d["spend"]) == r.n
    # The holdout estimate: eligible against held out.
    h = r.holdout.to_pandas().iloc[0]
    y = np.asarray(d[outcome], dtype=float)
    held = d["holdout"]
    if outcome == "churned":
        want = voc.impact.holdout((int(y[~held].sum()), int((~held).sum())), (int(y[held].sum()), int(held.sum())))
        assert (h["estimate"], h["ci_low"], h["ci_high"], h["p_value"]) == pytest.approx(
            (want.estimate, want.ci_low, want.ci_high, want.p_value), abs=1e-12)
        assert h["method"] == "newcombe" and r.binary
    else:
        t = scipy_stats.ttest_ind(y[~held], y[held], equal_var=False)
        ci = t.confidence_interval()
        assert h["p_value"] == pytest.approx(t.pvalue, rel=1e-9)
        assert (h["ci_low"], h["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert h["method"] == "welch" and not r.binary
    assert pickle.loads(pickle.dumps(r)) == r
    assert r.to_dict()["holdout"]["estimate"] == [h["estimate"]]
    assert "SlaOutcomesResult" in r._repr_html_() and "within vs never" in repr(r)


def test_outcomes_reference_option_and_unadjusted():
    d = customers(n=400)
    r = voc.followup.sla_outcomes(d, outcome="spend", opened="opened", closed="closed", reference="later")
    comp = r.comparisons.to_pandas()
    assert comp["class"].tolist() == ["within", "never"] and set(comp["reference"]) == {"later"}
    np.testing.assert_allclose(comp["estimate"], comp["difference"], rtol=0, atol=1e-12)
    assert len(r.balance) == 0 and r.holdout is None


def test_outcomes_bad_and_missing_input():
    with pytest.raises(voc.InputError) as e:
        voc.followup.sla_outcomes(outcome=[1, 0], opened=hours(0, 0), closed=hours(1, None), holdout=[1, 0])
    assert (e.value.arg, e.value.index) == ("opened", 0)
    with pytest.raises(voc.InputError) as e:
        voc.followup.sla_outcomes(outcome=[1, 0], opened=hours(5, 0), closed=hours(1, None))
    assert (e.value.arg, e.value.index) == ("closed", 0)
    with pytest.raises(voc.MissingValueError) as e:
        voc.followup.sla_outcomes(outcome=[1, np.nan, 0], opened=hours(0, 0, None), closed=hours(1, 90, None))
    assert (e.value.arg, e.value.index) == ("outcome", 1)
    r = voc.followup.sla_outcomes(outcome=[1, np.nan, 0, 1], opened=hours(0, 0, None, 0),
                                  closed=hours(1, 90, None, 100), missing="skip")
    assert (r.n, r.n_missing) == (3, 1)
    assert r.skipped.to_pandas()["reason"].tolist() == ["outcome is missing"]
    with pytest.raises(voc.InvalidOptionError) as e:
        voc.followup.sla_outcomes(outcome=[1], opened=hours(0), closed=hours(1), reference="sometimes")
    assert e.value.arg == "reference"
    cov = {"y": [1, 0, 1], "a": [1.0, 2.0, 3.0], "b": [1.0, np.nan, np.inf]}
    with pytest.raises(voc.MissingValueError) as e:
        voc.followup.sla_outcomes(cov, outcome="y", opened=hours(0, 0, 0), closed=hours(1, 90, 2), covariates=["a", "b"])
    assert (e.value.arg, e.value.index) == ("covariates", (1, 1)) and 'column "b"' in str(e.value)
    with pytest.raises(voc.NonFiniteError) as e:
        voc.followup.sla_outcomes(cov, outcome="y", opened=hours(0, 0, 0), closed=hours(1, 90, 2), covariates=["a", "b"],
                                  missing="skip")
    assert (e.value.arg, e.value.index) == ("covariates", (2, 1))
    with pytest.raises(voc.ColumnNotFoundError):
        voc.followup.sla_outcomes({"y": [1], "o": hours(0), "c": hours(1)}, outcome="y", opened="o", closed="c",
                                  covariates=["age"])


# ---------------------------------------------------------------- plots


def test_plots_draw_the_curves_and_the_trend():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import voc.plot

    d, as_of = cases(n=300)
    m = voc.followup.loop_metrics(d, opened="opened", contacted="contacted", closed="closed", by="team",
                                  period="month", as_of=as_of)
    ax = voc.plot.time_to_close(m, kind="contact")
    curves = m.curves("contact").to_pandas()
    north = curves[curves["group"] == "north"]
    np.testing.assert_allclose(ax.lines[0].get_ydata()[1:], 1 - north["survival"].to_numpy())
    assert [float(x) for x in ax.lines[-1].get_xdata()] == [48.0, 48.0]
    assert "first contact" in ax.get_title() and len(ax.collections) == 2
    ax = voc.plot.sla_trend(m, target=0.8)
    trend = m.trend.to_pandas()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 100 * trend[trend["group"] == "north"]["sla_rate"])
    assert [float(y) for y in ax.lines[-1].get_ydata()] == [80.0, 80.0]
    with pytest.raises(ValueError):
        voc.plot.sla_trend(voc.followup.loop_metrics(opened=hours(0), contacted=hours(1), closed=hours(2)))
    with pytest.raises(ValueError):
        voc.plot.time_to_close(m, kind="open")
