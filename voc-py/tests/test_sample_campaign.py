"""The simulator's randomised retention campaign (issue 18, item 4) and the Done-when check on it: an
uplift model fitted on half of the campaign, judged on the other half, saves more customers in the top
10% than a ranking by churn risk, and its uplift by decile tracks the planted truth.

Run as a script for the numbers quoted in docs/uplift.md:
``PYTHONPATH=voc-py/python python voc-py/tests/test_sample_campaign.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import voc
from voc import errors

# Features the uplift and risk models read, as of the campaign day (the signals pipeline).
CAMPAIGN_FEATURES = [
    "tenure_days", "recency_days", "frequency", "monetary", "aov", "orders_90d", "orders_180d",
    "refund_delay_max_days", "refunds_pending", "returns", "tickets_30d", "tickets_90d", "theme_refund",
    "theme_price", "repeat_theme_max_90d", "nps_last", "nps_mean", "has_nps", "days_since_ticket",
    "days_since_survey", "days_since_activity", "surveys", "mentions", "ces_mean", "csat_mean",
]


def campaign_frame(data: voc.sample.RetailerData) -> pd.DataFrame:
    """One row per campaign participant: the features as of the campaign day (missing values filled as
    an analyst would: no answer yet is a neutral score plus a flag, no event yet is a long time ago),
    the arm, the outcome and the planted truth."""
    day = data.planted.campaign.date
    log = voc.signals.EventLog(**data.tables())
    X = log.features(day).to_pandas()
    X["has_nps"] = X["nps_last"].notna().astype(float)
    for c in ("nps_last", "nps_mean"):
        X[c] = X[c].fillna(7.0)
    for c in ("ces_mean", "csat_mean"):
        X[c] = X[c].fillna(X[c].mean())
    for c in ("days_since_ticket", "days_since_survey", "days_since_activity", "recency_days"):
        X[c] = X[c].fillna(730.0)
    for c in ("refund_delay_max_days", "aov"):
        X[c] = X[c].fillna(0.0)
    camp = data.campaign.to_pandas()
    truth = data.campaign_truth.to_pandas()
    df = camp.merge(truth, on="customer_id").merge(X[["customer_id", *CAMPAIGN_FEATURES]], on="customer_id")
    df["stayed"] = (~df["churned"].astype(bool)).astype(int)
    df["called"] = df["treated"].astype(int)
    return df


@dataclass
class Check:
    n_fit: int
    n_eval: int
    k: int
    saves_uplift: float
    saves_risk: float
    difference: float
    ci: tuple[float, float]
    true_saves_uplift: float
    true_saves_risk: float
    true_difference: float
    true_ci: tuple[float, float]
    spearman_observed: float
    spearman_predicted: float
    qini: float
    qini_ci: tuple[float, float]
    true_deciles: list[float]
    observed_deciles: list[float]


def _saves(stayed: np.ndarray, called: np.ndarray, members: np.ndarray) -> float:
    """Customers the call keeps among ``members`` if all of them are called, from the randomised arms:
    ``len(members) × (stay rate called − stay rate held out)``."""
    s, c = stayed[members], called[members]
    return len(s) * (s[c == 1].mean() - s[c == 0].mean())


def campaign_check(seed: int = 11, customers: int = 100_000, resamples: int = 2_000) -> Check:
    """Fit a T-learner on a random half of the campaign; on the other half compare calling the top 10% by
    predicted uplift with calling the top 10% by churn risk (the control-arm model's churn probability)."""
    from scipy.stats import spearmanr

    data = voc.sample.retailer(seed=seed, customers=customers)
    df = campaign_frame(data)
    rng = np.random.default_rng(seed)
    fit = rng.random(len(df)) < 0.5
    a, b = df[fit].reset_index(drop=True), df[~fit].reset_index(drop=True)
    model = voc.uplift.fit_t_learner(a, x=CAMPAIGN_FEATURES, outcome="stayed", treatment="called")
    pred = model.predict(b).to_pandas()
    uplift = pred["uplift"].to_numpy()
    risk = 1.0 - pred["p_control"].to_numpy()
    k = len(b) // 10
    top_u = np.argsort(-uplift, kind="stable")[:k]
    top_r = np.argsort(-risk, kind="stable")[:k]
    stayed, called = b["stayed"].to_numpy(), b["called"].to_numpy()
    effect = b["effect"].to_numpy()
    su, sr = _saves(stayed, called, top_u), _saves(stayed, called, top_r)
    tu, tr = effect[top_u].sum(), effect[top_r].sum()
    # Bootstrap over held-out customers, within each arm (the arms keep their sizes); the rankings are
    # fixed (the model was fitted on the other half), so membership of each top 10% travels with the row.
    in_u = np.zeros(len(b), bool)
    in_u[top_u] = True
    in_r = np.zeros(len(b), bool)
    in_r[top_r] = True
    arms = [np.flatnonzero(called == 1), np.flatnonzero(called == 0)]
    boot = np.random.default_rng(seed + 1)
    diffs, tdiffs = np.empty(resamples), np.empty(resamples)
    for i in range(resamples):
        idx = np.concatenate([boot.choice(arm, len(arm)) for arm in arms])
        s, c, u, r = stayed[idx], called[idx], in_u[idx], in_r[idx]
        rate = lambda m: s[m & (c == 1)].mean() - s[m & (c == 0)].mean()  # noqa: E731
        diffs[i] = k * (rate(u) - rate(r))
        e = effect[idx]
        tdiffs[i] = e[u].sum() - e[r].sum()
    ci = tuple(np.quantile(diffs, [0.025, 0.975]))
    tci = tuple(np.quantile(tdiffs, [0.025, 0.975]))
    # Uplift by decile of the predicted uplift: observed (arm difference of stay rates), predicted (mean)
    # and planted (mean true effect).
    deciles = voc.uplift.uplift_by_percentile(outcome=stayed, treatment=called, uplift=uplift, bins=10).to_pandas()
    observed = deciles["uplift"].to_numpy()[:10]
    order = np.argsort(-uplift, kind="stable")
    true_dec = [effect[part].mean() for part in np.array_split(order, 10)]
    pred_dec = [uplift[part].mean() for part in np.array_split(order, 10)]
    qini = voc.uplift.qini_auc(outcome=stayed, treatment=called, uplift=uplift, resamples=1_000, seed=seed)
    return Check(
        n_fit=len(a), n_eval=len(b), k=k, saves_uplift=su, saves_risk=sr, difference=su - sr,
        ci=(float(ci[0]), float(ci[1])), true_saves_uplift=float(tu), true_saves_risk=float(tr),
        true_difference=float(tu - tr), true_ci=(float(tci[0]), float(tci[1])),
        spearman_observed=float(spearmanr(observed, true_dec).statistic),
        spearman_predicted=float(spearmanr(pred_dec, true_dec).statistic), qini=qini.estimate,
        qini_ci=(qini.ci_low, qini.ci_high), true_deciles=[round(float(x), 4) for x in true_dec],
        observed_deciles=[round(float(x), 4) for x in observed],
    )


@pytest.fixture(scope="module")
def check() -> Check:
    pytest.importorskip("scipy")
    return campaign_check()


def test_uplift_ranking_saves_more_than_risk_ranking_in_the_top_decile(check):
    # Observed outcomes of the held-out randomised half, stratified bootstrap interval of the difference.
    assert check.difference > 0
    assert check.ci[0] > 0, check
    # The truth agrees: the planted effects of the customers each ranking picks.
    assert check.true_difference > 0 and check.true_ci[0] > 0, check
    assert check.true_saves_uplift > 1.3 * check.true_saves_risk, check


def test_uplift_by_decile_tracks_the_planted_truth(check):
    # Deciles of the estimated uplift: the planted effect falls with them (rank correlation of the mean
    # estimate per decile with the mean true effect per decile).
    assert check.spearman_predicted > 0.8, check
    # The top decile holds the customers the call moves, in truth and in the held-out arms.
    assert check.true_deciles[0] > 3 * max(check.true_deciles[1:]), check
    assert check.observed_deciles[0] > max(check.observed_deciles[1:]), check
    # The ranking beats random on the held-out half (bootstrap interval of the Qini coefficient).
    assert check.qini_ci[0] > 0, check


# ---------------------------------------------------------------- the campaign's surface


@pytest.fixture(scope="module")
def data() -> voc.sample.RetailerData:
    return voc.sample.retailer(seed=3, customers=4_000)


def test_campaign_tables_columns_and_truth(data):
    c, t = data.campaign.to_pandas(), data.campaign_truth.to_pandas()
    assert list(c.columns) == ["customer_id", "treated", "time", "churned"]
    assert list(t.columns) == ["customer_id", "group", "p_churn_control", "p_churn_call", "effect"]
    assert c["treated"].dtype == bool and c["churned"].dtype == bool
    assert (c["customer_id"].to_numpy() == t["customer_id"].to_numpy()).all()
    p = data.planted.campaign
    assert (c["time"] == pd.Timestamp(p.date)).all()
    assert str(p.date) == "2024-08-28" and p.window_days == 90 and p.call_share == 0.5
    assert set(t["group"]) <= {"slow_refund", "price_sensitive", "high_value_silent", "recent_promoter", "other"}
    np.testing.assert_allclose(t["effect"], t["p_churn_control"] - t["p_churn_call"], atol=1e-15)
    # Participants were active on the campaign day: signed up, with an order, not yet churned.
    cust = data.customers.to_pandas().set_index("customer_id")
    truth = data.truth.to_pandas().set_index("customer_id")
    day = pd.Timestamp(p.date)
    ids = c["customer_id"]
    assert (cust.loc[ids, "signup"] < day).all()
    gone = truth.loc[ids, "churn_time"]
    assert (gone.isna() | (gone > day)).all()
    orders = data.orders.to_pandas()
    assert set(ids) <= set(orders.loc[orders["time"] < day, "customer_id"])
    assert 0.45 < c["treated"].mean() < 0.55


def test_campaign_leaves_every_other_table_unchanged(data):
    off = voc.sample.retailer(seed=3, customers=4_000, campaign_day=None)
    assert off.campaign is None and off.campaign_truth is None and off.planted.campaign is None
    for name in ("customers", "orders", "returns", "tickets", "surveys", "mentions", "churn", "truth"):
        pd.testing.assert_frame_equal(getattr(data, name).to_pandas(), getattr(off, name).to_pandas())
    later = voc.sample.retailer(seed=3, customers=4_000, campaign_day=300, campaign_window=60, campaign_share=0.5)
    assert str(later.planted.campaign.date) == "2024-10-27"
    pd.testing.assert_frame_equal(data.orders.to_pandas(), later.orders.to_pandas())
    assert 0.4 < len(later.campaign) / len(voc.sample.retailer(seed=3, customers=4_000, campaign_day=300).campaign) < 0.6


def test_campaign_is_deterministic(data):
    again = voc.sample.retailer(seed=3, customers=4_000)
    pd.testing.assert_frame_equal(data.campaign.to_pandas(), again.campaign.to_pandas())
    pd.testing.assert_frame_equal(data.campaign_truth.to_pandas(), again.campaign_truth.to_pandas())


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"days": 300}, "campaign_day"),
        ({"campaign_day": 10}, "campaign_day"),
        ({"campaign_day": 700}, "campaign_day"),
        ({"campaign_day": -1}, "campaign_day"),
        ({"campaign_window": 0}, "campaign_window"),
        ({"campaign_window": 366}, "campaign_window"),
        ({"campaign_share": 1.5}, "campaign_share"),
        ({"campaign_share": float("nan")}, "campaign_share"),
    ],
)
def test_bad_campaign_options_name_the_argument(kwargs, arg):
    with pytest.raises(errors.InputError) as info:
        voc.sample.retailer(customers=10, **kwargs)
    assert info.value.arg == arg
    assert isinstance(info.value, ValueError)


def test_a_short_run_without_a_campaign_still_works():
    d = voc.sample.retailer(customers=50, days=60, fix_day=None, campaign_day=None, followup_day=None)
    assert d.campaign is None and len(d.customers) == 50


if __name__ == "__main__":
    r = campaign_check()
    for field, value in vars(r).items():
        print(f"{field:>20}: {value}")
