"""voc.followup: loop metrics against lifelines (Kaplan–Meier of time to contact and to close) and scipy
(Wilson shares), the bad-input matrix, and the result's surface (Table, pickle, dict)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import voc

lifelines = pytest.importorskip("lifelines")
scipy_stats = pytest.importorskip("scipy.stats")

H = 3600
NAT = np.datetime64("NaT")


def cases(n: int = 400, seed: int = 1):
    """Random cases: opened over 30 days; some contacted (gamma hours), some closed after contact, some
    closed without contact, some open; times rounded to the minute so that ties occur."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-03-01T00:00:00", "s")
    opened = start + (rng.uniform(0, 30 * 24, n) * H).astype("timedelta64[s]")
    contact_h = np.round(rng.gamma(1.5, 20, n) * 60) / 60
    close_h = contact_h + np.round(rng.gamma(2.0, 30, n) * 60) / 60
    contacted = opened + (contact_h * H).astype("timedelta64[s]")
    closed = opened + (close_h * H).astype("timedelta64[s]")
    u = rng.uniform(size=n)
    as_of = start + np.timedelta64(33 * 24 * H, "s")
    contacted = np.where((u < 0.1) | (contacted > as_of), NAT, contacted)  # not (yet) contacted
    closed = np.where((u < 0.05) | (u > 0.85) | (closed > as_of), NAT, closed)  # never-contacted closed or open
    closed = np.where((u >= 0.05) & (u < 0.1), opened + np.timedelta64(5 * H, "s"), closed)  # closed, no contact
    team = rng.choice(["north", "south", "west"], n)
    return {"opened": opened, "contacted": contacted, "closed": closed, "team": team}, as_of


def clocks(d, as_of):
    """Durations (hours) and events the way the docs define them, computed independently with numpy."""
    o = d["opened"].astype("int64")
    c = d["contacted"]
    z = d["closed"]
    a = as_of.astype("int64")
    has_c, has_z = ~np.isnat(c), ~np.isnat(z)
    c_i, z_i = c.astype("int64"), z.astype("int64")
    contact_t = np.where(has_c, c_i - o, np.where(has_z, z_i - o, a - o)) / H
    close_t = np.where(has_z, z_i - o, a - o) / H
    return contact_t, has_c.astype(int), close_t, has_z.astype(int)


@pytest.mark.parametrize("kind", ["contact", "close"])
def test_curves_and_percentiles_equal_lifelines(kind):
    d, as_of = cases()
    m = voc.followup.loop_metrics(d, opened="opened", contacted="contacted", closed="closed", by="team",
                                  as_of=as_of, percentiles=[0.5, 0.75, 0.9])
    contact_t, contact_e, close_t, close_e = clocks(d, as_of)
    t, e = (contact_t, contact_e) if kind == "contact" else (close_t, close_e)
    curves = m.curves(kind).to_pandas()
    table = m.table.to_pandas().set_index("group")
    for team in ["north", "south", "west"]:
        sel = d["team"] == team
        kmf = lifelines.KaplanMeierFitter().fit(t[sel], e[sel])
        mine = curves[curves["group"] == team]
        sf = kmf.survival_function_.iloc[1:, 0]  # lifelines adds a row at t = 0
        ci = kmf.confidence_interval_.iloc[1:]
        if kmf.survival_function_.index[0] == 0 and (t[sel] == 0).any():
            sf, ci = kmf.survival_function_.iloc[:, 0], kmf.confidence_interval_
        np.testing.assert_allclose(mine["time"], sf.index.to_numpy(), rtol=0, atol=1e-9)
        np.testing.assert_allclose(mine["survival"], sf.to_numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(mine["ci_low"], ci.iloc[:, 0].to_numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(mine["ci_high"], ci.iloc[:, 1].to_numpy(), rtol=1e-9, atol=1e-12)
        for p, col in [(0.5, "p50"), (0.75, "p75"), (0.9, "p90")]:
            want = kmf.percentile(1 - p)
            lo, hi = lifelines.utils.qth_survival_times(1 - p, kmf.confidence_interval_).iloc[0]
            got = table.loc[team, [f"{kind}_{col}", f"{kind}_{col}_ci_low", f"{kind}_{col}_ci_high"]].to_numpy()
            np.testing.assert_allclose(got, [want, lo, hi], rtol=1e-12)


def test_sla_shares_equal_scipy_wilson():
    d, as_of = cases(seed=4)
    sla = 24.0
    m = voc.followup.loop_metrics(d, opened="opened", contacted="contacted", closed="closed", by="team",
                                  as_of=as_of, sla_hours=sla, confidence=0.9)
    contact_t, contact_e, _, _ = clocks(d, as_of)
    closed = ~np.isnat(d["closed"])
    table = m.table.to_pandas().set_index("group")
    for team in ["north", "south", "west"]:
        sel = d["team"] == team
        met = int(((contact_e == 1) & (contact_t <= sla))[sel].sum())
        pending = int(((contact_e == 0) & ~closed & (contact_t <= sla))[sel].sum())
        due = int(sel.sum()) - pending
        ci = scipy_stats.binomtest(met, due).proportion_ci(confidence_level=0.9, method="wilson")
        row = table.loc[team]
        assert (row["sla_met"], row["sla_due"], row["sla_pending"]) == (met, due, pending)
        assert row["sla_rate"] == pytest.approx(met / due, abs=1e-15)
        assert row["sla_ci_low"] == pytest.approx(ci.low, abs=1e-12)
        assert row["sla_ci_high"] == pytest.approx(ci.high, abs=1e-12)
        assert row["cases"] == sel.sum()
        assert row["open"] == (sel & ~closed).sum()


def test_default_as_of_is_the_latest_time_and_integer_seconds_work():
    m = voc.followup.loop_metrics(opened=[0, 0], contacted=[H, np.iinfo(np.int64).min],
                                  closed=[100 * H, np.iinfo(np.int64).min])
    assert m.as_of == 100 * H
    assert m.groups is None and m.n == 2
    row = m.table.to_pandas().iloc[0]
    assert (row["sla_met"], row["sla_due"], row["open"]) == (1, 2, 1)


def test_result_surface_pickle_dict_html():
    d, as_of = cases(n=60)
    m = voc.followup.loop_metrics(d, opened="opened", contacted="contacted", closed="closed", by="team",
                                  as_of=as_of)
    assert pickle.loads(pickle.dumps(m)) == m
    assert m.to_dict()["groups"] == ["north", "south", "west"]
    assert "LoopMetricsResult" in m._repr_html_()
    assert m.table.meta is None
    assert "sla=" in repr(m)
    assert set(m.curves("contact").columns) >= {"group", "time", "survival", "ci_low", "ci_high"}


def test_bad_input_names_argument_and_row():
    t = lambda *h: np.array([np.datetime64(int(x * H), "s") if x is not None else NAT for x in h],
                            dtype="datetime64[s]")
    with pytest.raises(voc.InputError) as e:
        voc.followup.loop_metrics(opened=t(0, 10), contacted=t(1, 5), closed=t(None, None))
    assert (e.value.arg, e.value.index) == ("contacted", 1)
    assert "before the case was opened" in str(e.value)
    with pytest.raises(voc.InputError) as e:
        voc.followup.loop_metrics(opened=t(0), contacted=t(5), closed=t(2))
    assert e.value.arg == "closed" and "before its first contact" in str(e.value)
    with pytest.raises(voc.LengthMismatchError):
        voc.followup.loop_metrics(opened=t(0, 1), contacted=t(5), closed=t(None, None))
    with pytest.raises(voc.MissingValueError) as e:
        voc.followup.loop_metrics(opened=t(0, None), contacted=t(1, None), closed=t(None, None))
    assert (e.value.arg, e.value.index) == ("opened", 1)
    with pytest.raises(voc.InputError) as e:
        voc.followup.loop_metrics(opened=t(0), contacted=t(1), closed=t(None), as_of="1970-01-01")
    assert "after as_of" in str(e.value)
    for kw in ({"sla_hours": 0.0}, {"sla_hours": float("nan")}, {"percentiles": [1.0]}, {"confidence": 1.5},
               {"missing": "pairwise"}):
        with pytest.raises(voc.InvalidOptionError):
            voc.followup.loop_metrics(opened=t(0), contacted=t(1), closed=t(None), **kw)
    m = voc.followup.loop_metrics(opened=t(0), contacted=t(1), closed=t(None))
    with pytest.raises(voc.InvalidOptionError):
        m.curves("open")
    with pytest.raises(voc.ColumnNotFoundError):
        voc.followup.loop_metrics({"o": t(0)}, opened="o", contacted="c", closed="o")


def test_skip_leaves_out_missing_rows_and_names_the_callers_row():
    t = lambda *h: np.array([np.datetime64(int(x * H), "s") if x is not None else NAT for x in h],
                            dtype="datetime64[s]")
    m = voc.followup.loop_metrics(opened=t(0, None, 0), contacted=t(1, None, 2), closed=t(None, None, 3),
                                  by=["a", "a", None], missing="skip")
    assert (m.n, m.n_missing) == (1, 2)
    assert m.skipped.to_pandas().values.tolist() == [["opened is missing", 1, 1], ["by is missing", 1, 2]]
    with pytest.raises(voc.InputError) as e:
        voc.followup.loop_metrics(opened=t(None, 0, 10), contacted=t(None, 1, 5), closed=t(None, None, None),
                                  missing="skip")
    assert (e.value.arg, e.value.index) == ("contacted", 2)


def test_the_guide_example_runs():
    import doctest
    import pathlib

    guide = pathlib.Path(__file__).resolve().parents[2] / "docs" / "followup.md"
    result = doctest.testfile(str(guide), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0


def recovery_data(seed: int = 7, n_customers: int = 300):
    """Customers with NPS answers and orders over a year, and follow-up cases opened on some answers."""
    rng = np.random.default_rng(seed)
    t0 = np.datetime64("2024-01-01", "s")
    day = np.timedelta64(86400, "s")
    ids = np.arange(100, 100 + n_customers)
    n_s = 4 * n_customers
    s_cust = rng.choice(ids, n_s)
    s_time = t0 + (rng.uniform(0, 360, n_s) * 86400).astype("timedelta64[s]")
    s_score = rng.integers(0, 11, n_s)
    n_o = 3 * n_customers
    o_cust = rng.choice(ids, n_o)
    o_time = t0 + (rng.uniform(0, 365, n_o) * 86400).astype("timedelta64[s]")
    log = voc.signals.EventLog(
        customers={"customer_id": ids, "signup": np.full(n_customers, t0)},
        surveys={"customer_id": s_cust, "time": s_time, "kind": ["nps"] * n_s, "score": s_score},
        orders={"customer_id": o_cust, "time": o_time, "amount": rng.uniform(5, 50, n_o)},
    )
    # Cases: on a random half of the answers; detractor answers give detractor cases.
    pick = rng.uniform(size=n_s) < 0.5
    c_cust, opened = s_cust[pick], s_time[pick]
    trigger = np.where(s_score[pick] <= 6, "detractor", rng.choice(["alert", "ticket", "social"], pick.sum()))
    contacted = opened + (rng.uniform(0.1, 3, pick.sum()) * 86400).astype("timedelta64[s]")
    closed = contacted + (rng.uniform(0, 10, pick.sum()) * 86400).astype("timedelta64[s]")
    closed = np.where(rng.uniform(size=pick.sum()) < 0.1, np.datetime64("NaT"), closed)
    team = rng.choice(["a", "b"], pick.sum())
    cases = {"customer": c_cust, "trigger": trigger, "opened": opened, "contacted": contacted, "closed": closed,
             "team": team}
    surveys = {"customer": s_cust, "time": s_time, "score": s_score}
    orders = {"customer": o_cust, "time": o_time}
    return log, cases, surveys, orders


def test_recovery_equals_a_brute_force_count_and_scipy():
    log, cases, surveys, orders = recovery_data()
    r = voc.followup.recovery(cases, log=log, customers="customer", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed", by="team", repurchase_days=60)
    table = r.table.to_pandas().set_index("group")
    last = max(surveys["time"].max(), orders["time"].max())
    window = np.timedelta64(60 * 86400, "s")
    points = lambda s: 100.0 if s >= 9 else (0.0 if s >= 7 else -100.0)
    for team in ["a", "b"]:
        after, before_p, after_p, bought, eligible, n_det = [], [], [], 0, 0, 0
        for i in np.flatnonzero(cases["team"] == team):
            c, o, z = cases["customer"][i], cases["opened"][i], cases["closed"][i]
            if np.isnat(z):
                continue
            if z + window <= last:
                eligible += 1
                mine = orders["time"][orders["customer"] == c]
                bought += int(((mine > z) & (mine <= z + window)).any())
            if cases["trigger"][i] != "detractor":
                continue
            n_det += 1
            sel = surveys["customer"] == c
            st, ss = surveys["time"][sel], surveys["score"][sel]
            order = np.lexsort((np.arange(len(st)), st))
            st, ss = st[order], ss[order]
            prior = ss[st <= o]
            later = ss[st > z]
            if len(later):
                after.append(later[0])
                if len(prior):
                    before_p.append(points(prior[-1]))
                    after_p.append(points(later[0]))
        row = table.loc[team]
        assert row["detractor_cases"] == n_det
        assert row["answered"] == len(after)
        rec = int(sum(a >= 7 for a in after))
        assert row["recovered"] == rec
        ci = scipy_stats.binomtest(rec, len(after)).proportion_ci(method="wilson")
        assert (row["recovered_ci_low"], row["recovered_ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
        assert row["pairs"] == len(before_p)
        tt = scipy_stats.ttest_rel(after_p, before_p)
        ci = tt.confidence_interval(0.95)
        assert row["nps_change"] == pytest.approx(np.mean(np.subtract(after_p, before_p)), abs=1e-12)
        assert row["nps_change_p_value"] == pytest.approx(tt.pvalue, rel=1e-9)
        assert (row["nps_change_ci_low"], row["nps_change_ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert row["repurchase_eligible"] == eligible
        assert row["repurchase_rate"] == pytest.approx(bought / eligible, abs=1e-15)
    assert pickle.loads(pickle.dumps(r)) == r
    assert r.n == len(cases["customer"]) and r.n_missing == 0 and len(r.skipped) == 0


def test_recovery_bad_cases_are_named_or_skipped():
    log, cases, _, _ = recovery_data(n_customers=50)
    bad = dict(cases)
    bad["customer"] = cases["customer"].copy()
    bad["customer"][3] = 99999
    with pytest.raises(voc.UnknownIdError) as e:
        voc.followup.recovery(bad, log=log, customers="customer", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed")
    assert (e.value.arg, e.value.index) == ("customers", 3)
    r = voc.followup.recovery(bad, log=log, customers="customer", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed", missing="skip")
    assert (r.n, r.n_missing) == (len(cases["customer"]) - 1, 1)
    skipped = r.skipped.to_pandas()
    assert skipped[["n", "first"]].values.tolist() == [[1, 3]]
    assert "not a customer id" in skipped["reason"][0]
    assert r.to_dict()["n_missing"] == 1
    bad = dict(cases)
    bad["trigger"] = cases["trigger"].copy()
    bad["trigger"][0] = "email"
    with pytest.raises(voc.InvalidOptionError) as e:
        voc.followup.recovery(bad, log=log, customers="customer", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed")
    assert e.value.arg == "trigger" and "email" in str(e.value)
    bad = dict(cases)
    bad["closed"] = cases["opened"] - np.timedelta64(1, "s")
    with pytest.raises(voc.InputError) as e:
        voc.followup.recovery(bad, log=log, customers="customer", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed")
    assert e.value.arg in ("closed", "contacted")
    with pytest.raises(voc.InvalidOptionError):
        voc.followup.recovery(cases, log=log, customers="customer", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed", repurchase_days=0)
