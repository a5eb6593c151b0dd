"""The simulator's closed loop (issue 17, item 4) and the register of fixes (item 3).

- The follow-up cases, the held-out triggers and the answers after the case are consistent with the
  event tables, and every other table is the same with or without the loop.
- Done-when: the planted recovery and churn effects of a contact within the SLA are recovered within
  their 95% intervals by ``voc.followup.recovery`` and ``voc.impact.holdout`` on the holdout column, and
  the holdout estimate is unbiased over 20 seeds.
- ``voc.followup.fixes``: each number equals the ``voc.impact`` function's output on the same counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import voc
from voc import errors

SLA = np.timedelta64(48, "h")


def frames(data: voc.sample.RetailerData) -> tuple[pd.DataFrame, pd.DataFrame]:
    cases = data.cases.to_pandas()
    truth = data.cases_truth.to_pandas()
    assert (cases["customer_id"].to_numpy() == truth["customer_id"].to_numpy()).all()
    cases["fast"] = (~cases["holdout"]) & (cases["contacted"] - cases["opened"] <= SLA)
    return cases, truth


@pytest.fixture(scope="module")
def data() -> voc.sample.RetailerData:
    return voc.sample.retailer(seed=3, customers=20_000)


def test_cases_point_at_their_triggers_and_held_out_rows_have_no_case(data):
    cases, _ = frames(data)
    assert data.cases.columns == [
        "customer_id", "trigger", "trigger_row", "time", "holdout", "opened", "contacted", "closed", "team",
        "action", "outcome", "cost", "next_nps", "churned",
    ]
    assert set(cases["trigger"].astype(str)) == {"detractor", "alert", "ticket"}
    assert cases["customer_id"].is_unique
    surveys, tickets, orders = (t.to_pandas() for t in (data.surveys, data.tickets, data.orders))
    for kind, table, col in (("detractor", surveys, "time"), ("ticket", tickets, "time")):
        rows = cases[cases["trigger"] == kind]
        hit = table.iloc[rows["trigger_row"].to_numpy()]
        assert (hit["customer_id"].to_numpy() == rows["customer_id"].to_numpy()).all()
        assert (hit[col].to_numpy() == rows["time"].to_numpy()).all()
    detractors = surveys.iloc[cases.loc[cases["trigger"] == "detractor", "trigger_row"]]
    assert (detractors["kind"] == "nps").all() and (detractors["score"] <= 6).all()
    alerts = cases[cases["trigger"] == "alert"]
    last = orders.iloc[alerts["trigger_row"].to_numpy()]
    assert (last["customer_id"].to_numpy() == alerts["customer_id"].to_numpy()).all()
    assert (last["time"].to_numpy() + np.timedelta64(60, "D") == alerts["time"].to_numpy()).all()
    held = cases["holdout"].to_numpy()
    assert 0.17 < held.mean() < 0.23
    assert cases.loc[held, ["opened", "contacted", "closed"]].isna().all().all()
    assert cases.loc[held, ["team", "action", "outcome"]].isna().all().all()
    assert (cases.loc[held, "cost"] == 0).all() and (cases.loc[~held, "cost"] > 0).all()
    assert cases.loc[~held, "opened"].notna().all()
    # Answers after the case are the follow-up survey rows.
    answers = data.followup_surveys.to_pandas()
    assert cases["next_nps"].notna().sum() == len(answers)
    assert set(answers["kind"].astype(str)) == {"nps"}
    # Without the loop, every other table is the same.
    off = voc.sample.retailer(seed=3, customers=20_000, followup_day=None)
    assert off.cases is None and off.cases_truth is None and off.followup_surveys is None
    assert off.planted.followup is None and data.planted.followup is not None
    for name in ("customers", "orders", "returns", "tickets", "surveys", "mentions", "churn", "truth", "campaign",
                 "fixes"):
        pd.testing.assert_frame_equal(getattr(off, name).to_pandas(), getattr(data, name).to_pandas())


def test_loop_metrics_recover_the_planted_team_speeds(data):
    cases, _ = frames(data)
    opened = cases[~cases["holdout"]]
    m = voc.followup.loop_metrics(opened, opened="opened", contacted="contacted", closed="closed", by="team",
                                  as_of=data.end)
    t = m.table.to_pandas().set_index("group")
    planted = data.planted.followup.team_p_fast
    for team, p in planted.items():
        assert t.loc[team, "sla_ci_low"] <= p <= t.loc[team, "sla_ci_high"], (team, p, t.loc[team])
    assert t.loc["north", "sla_rate"] > t.loc["west", "sla_rate"] + 0.3
    assert t.loc["north", "contact_p50"] < t.loc["west", "contact_p50"]


def _recovery_estimates(data: voc.sample.RetailerData) -> dict[str, tuple[float, float, float, float]]:
    """(estimate, ci_low, ci_high, truth) of each planted effect of the loop on one simulated retailer."""
    cases, truth = frames(data)
    fast, held = cases["fast"].to_numpy(), cases["holdout"].to_numpy()
    churned = cases["churned"].to_numpy()
    det = (cases["trigger"] == "detractor").to_numpy()
    answered = cases["next_nps"].notna().to_numpy()
    recovered = (cases["next_nps"] >= 7).to_numpy()
    out = {}

    def counts(y: np.ndarray, keep: np.ndarray) -> tuple[float, float]:
        return float(y[keep].sum()), float(keep.sum())

    h = voc.impact.holdout(counts(recovered, det & answered & fast), counts(recovered, det & answered & held))
    d_rec = (truth["p_recover_fast"] - truth["p_recover_slow"]).to_numpy()
    out["recovery"] = (h.estimate, h.ci_low, h.ci_high, d_rec[det].mean())
    h = voc.impact.holdout(counts(churned, fast), counts(churned, held))
    d_churn = (truth["p_churn_fast"] - truth["p_churn_slow"]).to_numpy()
    out["churn"] = (h.estimate, h.ci_low, h.ci_high, d_churn.mean())
    # The case as such (intention to treat): every case against every held-out trigger.
    h = voc.impact.holdout(counts(churned, ~held), counts(churned, held))
    out["case"] = (h.estimate, h.ci_low, h.ci_high, (truth["p_fast"].to_numpy() * d_churn).mean())
    return out


def test_planted_effects_of_fast_contact_are_recovered_within_their_intervals(data):
    est = _recovery_estimates(data)
    planted = data.planted.followup
    assert planted.recover_lift == 0.35 and planted.churn_save == 0.3
    for name, (e, lo, hi, truth) in est.items():
        assert lo <= truth <= hi, (name, e, lo, hi, truth)
    assert est["recovery"][1] > 0 and est["churn"][2] < 0  # both effects are detected


def test_recovery_of_detractors_contacted_within_the_sla(data):
    """``voc.followup.recovery`` on the simulated cases, with the answers to the survey after the case and
    the triggering answers as the survey answers: the share recovered within the SLA and later each
    contain its planted probability. (With every organic answer too, the first answer after closing is
    sometimes a later organic one, which carries no recovery effect.)"""
    cases, truth = frames(data)
    trig = cases.loc[cases["trigger"] == "detractor", "trigger_row"].to_numpy()
    surveys = pd.concat([data.surveys.to_pandas().iloc[trig], data.followup_surveys.to_pandas()], ignore_index=True)
    tables = {**data.tables(), "surveys": surveys}
    log = voc.signals.EventLog(**tables)
    done = cases[~cases["holdout"] & cases["closed"].notna()].copy()
    done["speed"] = np.where(done["fast"], "within_sla", "later")
    r = voc.followup.recovery(done, log=log, customers="customer_id", trigger="trigger", opened="opened",
                              contacted="contacted", closed="closed", by="speed")
    t = r.table.to_pandas().set_index("group")
    tr = truth.set_index("customer_id")
    for speed, col in (("within_sla", "p_recover_fast"), ("later", "p_recover_slow")):
        rows = done[(done["speed"] == speed) & (done["trigger"] == "detractor") & done["next_nps"].notna()]
        want = tr.loc[rows["customer_id"], col].mean()
        assert t.loc[speed, "answered"] == len(rows)
        assert t.loc[speed, "recovered_ci_low"] <= want <= t.loc[speed, "recovered_ci_high"], (speed, want)
    assert t.loc["within_sla", "recovered_rate"] > t.loc["later", "recovered_rate"] + 0.1


def test_the_holdout_estimate_is_unbiased_over_seeds():
    """Over 20 seeds the mean holdout estimate of the case's effect on churn lies within three Monte
    Carlo standard errors of the mean truth, and the 95% interval covers the truth in most seeds."""
    errors_, covered = [], 0
    for seed in range(20):
        d = voc.sample.retailer(seed=100 + seed, customers=4_000, campaign_day=None)
        e, lo, hi, truth = _recovery_estimates(d)["case"]
        errors_.append(e - truth)
        covered += lo <= truth <= hi
    err = np.array(errors_)
    mc = err.std(ddof=1) / np.sqrt(len(err))
    assert abs(err.mean()) < 3 * mc, (err.mean(), mc)
    assert covered >= 16, covered


def test_followup_options_are_checked():
    base = {"customers": 50}
    with pytest.raises(errors.InvalidOptionError, match="followup_day"):
        voc.sample.retailer(**base, days=300, campaign_day=None)
    with pytest.raises(errors.InvalidOptionError, match="followup_holdout"):
        voc.sample.retailer(**base, followup_holdout=1.5)
    with pytest.raises(errors.InvalidOptionError, match="followup_sla_hours"):
        voc.sample.retailer(**base, followup_sla_hours=0.0)
    with pytest.raises(errors.InvalidOptionError, match="followup_window"):
        voc.sample.retailer(**base, followup_window=0)
    with pytest.raises(errors.InputError, match="followup_day"):
        voc.sample.retailer(**base, followup_day=-1)


# ---------------------------------------------------------------------------------------------- fixes


@pytest.fixture(scope="module")
def fixed() -> voc.sample.RetailerData:
    return voc.sample.retailer(seed=5, customers=8_000, holdout=0.3)


def _customers(data: voc.sample.RetailerData) -> pd.DataFrame:
    c = data.customers.to_pandas()
    c["churn_time"] = data.truth.to_pandas()["churn_time"].to_numpy()
    return c


def test_the_registered_refund_fix_equals_the_impact_functions(fixed):
    reg = fixed.fixes.to_pandas()
    assert reg.to_dict("list") == {
        "id": ["refund_sync"], "themes": ["refund"], "rollout": [pd.Timestamp(fixed.planted.fix_date)],
        "holdout": ["holdout"], "cost": [60_000.0],
    }
    tickets = fixed.tickets.to_pandas()
    customers = _customers(fixed)
    r = voc.followup.fixes(reg, texts=tickets, customers=customers, as_of=fixed.end, clv=200.0,
                           cost_per_contact=6.0)
    assert r.n == 1 and r.window_days == 90 and r.confidence == 0.95
    row = r.table.to_pandas().iloc[0]
    # Brute-force counts, then the impact functions.
    rollout = pd.Timestamp(fixed.planted.fix_date)
    w = pd.Timedelta(days=90)
    t = tickets["time"]
    before, after = tickets[(t >= rollout - w) & (t < rollout)], tickets[(t >= rollout) & (t < rollout + w)]
    k_b, k_a = float((before["theme"] == "refund").sum()), float((after["theme"] == "refund").sum())
    ba = voc.impact.before_after((k_b, len(before)), (k_a, len(after)))
    assert (row["rate_before"], row["rate_after"], row["rate_p_value"]) == (ba.rate_before, ba.rate_after, ba.p_value)
    assert (row["rate_ratio"], row["rate_ratio_ci_low"], row["rate_ratio_ci_high"]) == (
        ba.ratio, ba.ratio_ci_low, ba.ratio_ci_high)
    rr = voc.impact.rate_ratio(k_a, 90, k_b, 90)
    assert (row["contact_ratio"], row["contact_ratio_ci_low"], row["contact_ratio_ci_high"]) == (
        rr.estimate, rr.ci_low, rr.ci_high)
    assert row["contacts_avoided"] == k_b - k_a > 0
    ct = customers["churn_time"]
    at_risk = (customers["signup"] < rollout) & (ct.isna() | (ct >= rollout))
    churned = ct.notna() & (ct < rollout + w)
    held = customers["holdout"].astype(bool)
    cell = lambda m: (float((churned & at_risk & m).sum()), float((at_risk & m).sum()))  # noqa: E731
    h = voc.impact.holdout(cell(~held), cell(held))
    assert row["churn_method"] == "holdout"
    assert (row["churn_estimate"], row["churn_ci_low"], row["churn_ci_high"], row["churn_p_value"]) == (
        h.estimate, h.ci_low, h.ci_high, h.p_value)
    assert row["customers"] == h.n_treated
    roi = voc.impact.roi(holdout=h, customers=h.n_treated, clv=200.0, contacts_avoided=(k_b - k_a) / 90 * 365.25,
                         cost_per_contact=6.0, program_cost=60_000.0)
    assert (row["churn_value"], row["cost_savings"], row["net_benefit"], row["roi"], row["payback_months"]) == (
        roi.churn_value, roi.cost_savings, roi.net_benefit, roi.estimate, roi.payback_months)
    assert (row["net_benefit_ci_low"], row["net_benefit_ci_high"]) == (roi.net_benefit_ci_low, roi.net_benefit_ci_high)


def test_rollout_groups_give_the_difference_in_differences(fixed):
    customers = _customers(fixed)
    rng = np.random.default_rng(0)
    customers["first_wave"] = rng.random(len(customers)) < 0.5
    reg = pd.DataFrame({"id": ["a", "b"], "themes": [["refund", "returns"], "delivery"],
                        "rollout": pd.to_datetime(["2025-03-01", "2025-04-01"]),
                        "rollout_group": ["first_wave", None]})
    tickets = fixed.tickets.to_pandas()
    r = voc.followup.fixes(reg, texts=tickets, customers=customers, as_of=fixed.end, se="pooled", confidence=0.9)
    t = r.table.to_pandas()
    assert list(t["churn_method"]) == ["did", "before_after"]
    rollout, w = pd.Timestamp("2025-03-01"), pd.Timedelta(days=90)
    ct = customers["churn_time"]
    g = customers["first_wave"]

    def cell(start: pd.Timestamp, m: pd.Series) -> list[float]:
        at = (customers["signup"] < start) & (ct.isna() | (ct >= start)) & m
        y = (ct.notna() & (ct < start + w))[at].astype(float)
        return [y.mean(), y.var(ddof=1), float(len(y))]

    cells = [cell(rollout - w, g), cell(rollout, g), cell(rollout - w, ~g), cell(rollout, ~g)]
    d = voc.impact.diff_in_diff(cells=cells, se="pooled", confidence=0.9)
    assert abs(t.loc[0, "churn_estimate"] - d.estimate) < 1e-15
    assert abs(t.loc[0, "churn_ci_low"] - d.ci_low) < 1e-12 and abs(t.loc[0, "churn_p_value"] - d.p_value) < 1e-12
    # Several themes: a text counts once when it mentions any of them.
    tt = tickets["time"]
    b = tickets[(tt >= rollout - w) & (tt < rollout)]
    assert t.loc[0, "mentions_before"] == b["theme"].isin(["refund", "returns"]).sum()
    assert t.loc[0, "texts_before"] == len(b)
    # Pickle and the result's surface.
    import pickle
    assert pickle.loads(pickle.dumps(r)) == r
    assert r.to_dict()["n"] == 2 and "refund" not in repr(r) and "a: mentions" in repr(r)


def test_bad_registers_are_errors_naming_the_column(fixed):
    customers = _customers(fixed)
    tickets = fixed.tickets.to_pandas()
    reg = fixed.fixes.to_pandas()
    call = lambda reg, **kw: voc.followup.fixes(reg, texts=tickets, customers=customers, **kw)  # noqa: E731
    with pytest.raises(errors.ColumnNotFoundError):
        call(reg.drop(columns="themes"))
    with pytest.raises(errors.ColumnNotFoundError):
        call(reg.assign(holdout="no_such_column"))
    with pytest.raises(errors.DtypeError, match=r"register.themes\[0\]"):
        call(reg.assign(themes=[3]))
    with pytest.raises(errors.InvalidOptionError, match="not both"):
        call(reg.assign(rollout_group="holdout"))
    with pytest.raises(errors.InvalidOptionError, match="window_days"):
        call(reg, window_days=400)
    with pytest.raises(errors.InputError, match="register.cost"):
        call(reg.assign(cost=-1.0))
    with pytest.raises(errors.InvalidOptionError, match="se"):
        call(reg, se="robust")
