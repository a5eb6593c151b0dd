"""voc.uplift: missing values in the fits, and targeting (voc.uplift.target, net_value, voc.risk.alerts by
uplift): ranking by the expected value of the play, budgets, reasons, and the bootstrap-refit interval of
the list's saves and net value, with its coverage measured on simulated tests."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import voc
from voc.errors import (
    InvalidOptionError,
    LimitError,
    MissingValueError,
    VocError,
)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A randomised test whose effect grows with the refund wait; returns the table and the true uplift."""
    rng = np.random.default_rng(seed)
    delay = rng.normal(size=n)
    tenure = rng.normal(size=n)
    t = rng.integers(0, 2, n)
    base = -0.2 + 0.7 * tenure
    lift = 0.3 + 1.0 * delay
    y = (rng.random(n) < _sigmoid(base + t * lift)).astype(int)
    df = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "refund_delay_max_days": delay,
                       "tenure_days": tenure, "stayed": y, "called": t, "clv": 100.0 + 50 * rng.random(n)})
    return df, _sigmoid(base + lift) - _sigmoid(base)


FEATURES = ["refund_delay_max_days", "tenure_days"]
TRAIN, _ = simulate(3000, 1)
MODEL = voc.uplift.fit_t_learner(TRAIN, x=FEATURES, outcome="stayed", treatment="called")
TODAY, TODAY_TRUTH = simulate(400, 2)


# ---------------------------------------------------------------- missing values in the fits

@pytest.mark.parametrize("fit", [voc.uplift.fit_t_learner, voc.uplift.fit_class_transformation,
                                 voc.uplift.fit_x_learner])
def test_missing_skip_leaves_rows_out_and_counts_them(fit):
    df = TRAIN.copy()
    df.loc[3, "refund_delay_max_days"] = np.nan
    df.loc[10, "tenure_days"] = np.nan
    df["stayed"] = df["stayed"].astype(float)
    df.loc[20, "stayed"] = np.nan
    m = fit(df, x=FEATURES, outcome="stayed", treatment="called", missing="skip")
    whole = fit(df.drop(index=[3, 10, 20]), x=FEATURES, outcome="stayed", treatment="called")
    assert (m.missing, m.n_missing, m.n) == ("skip", 3, 2997)
    np.testing.assert_array_equal(m.predict_uplift(TODAY), whole.predict_uplift(TODAY))
    # The default names the first missing value (row and argument).
    with pytest.raises(MissingValueError) as e:
        fit(df, x=FEATURES, outcome="stayed", treatment="called")
    assert e.value.arg == "outcome" and e.value.index == 20


@pytest.mark.parametrize("fit", [voc.uplift.fit_t_learner, voc.uplift.fit_class_transformation,
                                 voc.uplift.fit_x_learner])
def test_missing_impute_mean_fills_with_the_reference_customer(fit):
    df = TRAIN.copy()
    df.loc[[3, 400], "refund_delay_max_days"] = np.nan
    m = fit(df, x=FEATURES, outcome="stayed", treatment="called", missing="impute_mean")
    mean = df["refund_delay_max_days"].mean()  # pandas skips NaN
    assert m.missing == "impute_mean" and m.n_missing == 0 and m.n == 3000
    assert m.reference[0] == pytest.approx(mean, rel=1e-14)
    filled = df.fillna({"refund_delay_max_days": m.reference[0]})
    by_hand = fit(filled, x=FEATURES, outcome="stayed", treatment="called")
    np.testing.assert_array_equal(m.predict_uplift(TODAY), by_hand.predict_uplift(TODAY))
    # A missing feature at prediction is the reference value.
    row = pd.DataFrame({"refund_delay_max_days": [np.nan], "tenure_days": [0.3]})
    same = pd.DataFrame({"refund_delay_max_days": [m.reference[0]], "tenure_days": [0.3]})
    assert m.predict_uplift(row)[0] == m.predict_uplift(same)[0]
    # The policy survives the byte form and pickle.
    for back in (voc.uplift.UpliftModel.from_bytes(m.to_bytes()), pickle.loads(pickle.dumps(m))):
        assert back.missing == "impute_mean"
        assert back.predict_uplift(row)[0] == m.predict_uplift(row)[0]


def test_missing_error_names_the_cell_and_a_bad_policy_is_an_option_error():
    df = TRAIN.copy()
    df.loc[7, "tenure_days"] = np.nan
    with pytest.raises(MissingValueError) as e:
        voc.uplift.fit_t_learner(df, x=FEATURES, outcome="stayed", treatment="called")
    assert e.value.arg == "x" and e.value.index == (7, 1)
    with pytest.raises(InvalidOptionError) as e:
        voc.uplift.fit_t_learner(df, x=FEATURES, outcome="stayed", treatment="called", missing="pairwise")
    assert e.value.arg == "missing"
    with pytest.raises(MissingValueError):  # skip does not make prediction forgive a NaN
        m = voc.uplift.fit_t_learner(df, x=FEATURES, outcome="stayed", treatment="called", missing="skip")
        m.predict_uplift(df)


# ---------------------------------------------------------------- targeting

def test_a_given_uplift_column_is_ranked_by_net_value():
    calls = pd.DataFrame({"customer_id": [101, 102, 103, 104, 105], "u": [0.10, 0.30, -0.05, 0.02, 0.2],
                          "clv": [100.0, 50.0, 500.0, 100.0, 40.0]})
    r = voc.uplift.target(calls, uplift="u", value="clv")
    t = r.table
    assert t["customer_id"].tolist() == [102, 101, 105]
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["net_value"].tolist() == [10.0, 5.0, 3.0]
    assert "p_treated" not in t.columns and "reason_1" not in t.columns
    assert r.n == 5 and r.expected_saves == pytest.approx(0.6) and r.expected_net_value == pytest.approx(18.0)
    assert r.saves_ci_low is None and r.method is None
    # Budgets: a count, a share of the customers scored; without break-even the losers follow.
    assert voc.uplift.target(calls, uplift="u", value="clv", budget=1).table["customer_id"].tolist() == [102]
    assert len(voc.uplift.target(calls, uplift="u", value="clv", budget=0.4).table) == 2
    everyone = voc.uplift.target(calls, uplift="u", value="clv", break_even=False)
    assert everyone.table["customer_id"].tolist() == [102, 101, 105, 104, 103]
    np.testing.assert_array_equal(
        voc.uplift.net_value(calls, uplift="u", value="clv"), calls["clv"] * calls["u"] - 5.0
    )


def test_a_budget_too_large_for_the_core_integer_names_budget():
    # It used to be read as `budget_count` (a usize) and the error named that internal argument.
    calls = {"u": [0.1, 0.2, 0.3], "clv": [10.0, 20.0, 30.0]}
    for big in (2**64, 2**64 - 1, 2**200, np.uint64(2**64 - 1)):  # all above the 3 rows scored
        with pytest.raises(LimitError) as e:
            voc.uplift.target(calls, uplift="u", value="clv", budget=big)
        assert e.value.arg == "budget" and "budget_count" not in str(e.value), str(e.value)
    for bad in (-1, -(2**64), 0, np.int8(-3)):
        with pytest.raises(InvalidOptionError) as e:
            voc.uplift.target(calls, uplift="u", value="clv", budget=bad)
        assert e.value.arg == "budget" and "budget_count" not in str(e.value), str(e.value)
    with pytest.raises(InvalidOptionError) as e:  # nor a share's internal name
        voc.uplift.target(calls, uplift="u", value="clv", budget=float("nan"))
    assert e.value.arg == "budget" and "budget_share" not in str(e.value)
    everyone = {"uplift": "u", "value": "clv", "break_even": False}
    assert len(voc.uplift.target(calls, **everyone, budget=np.int64(2)).table) == 2
    assert len(voc.uplift.target(calls, **everyone, budget=np.float32(0.5)).table) == 1
    # uplift_at_k's `k` is read the same way.
    kw = {"outcome": [1, 0, 1, 0], "treatment": [1, 0, 0, 1], "uplift": [0.9, 0.5, 0.4, 0.1]}
    for big in (2**64, 2**100):
        with pytest.raises(LimitError) as e:
            voc.uplift.uplift_at_k(**kw, k=big)
        assert e.value.arg == "k" and "k_count" not in str(e.value)
    for bad in (-1, "10%", None):
        with pytest.raises(InvalidOptionError) as e:
            voc.uplift.uplift_at_k(**kw, k=bad)
        assert e.value.arg == "k"


def test_bad_targeting_input_gets_clear_errors():
    calls = {"u": [0.1, 0.2, 0.3], "clv": [10.0, 20.0, 30.0]}
    with pytest.raises(LimitError) as e:  # a budget above n
        voc.uplift.target(calls, uplift="u", value="clv", budget=4)
    assert e.value.arg == "budget"
    for bad in (0, 1.5, 0.0, True, "10%"):
        with pytest.raises(InvalidOptionError) as e:
            voc.uplift.target(calls, uplift="u", value="clv", budget=bad)
        assert e.value.arg == "budget"
    with pytest.raises(InvalidOptionError) as e:  # neither a model nor a column
        voc.uplift.target(calls, value="clv")
    assert e.value.arg == "uplift"
    with pytest.raises(InvalidOptionError) as e:  # both
        voc.uplift.target(TODAY, model=MODEL, uplift=np.zeros(400), value="clv")
    assert e.value.arg == "uplift"
    with pytest.raises(InvalidOptionError) as e:  # an interval without a model
        voc.uplift.target(calls, uplift="u", value="clv", resamples=200)
    assert e.value.arg == "training"
    with pytest.raises(InvalidOptionError) as e:  # an interval without training data
        voc.uplift.target(TODAY, model=MODEL, value="clv", resamples=200)
    assert e.value.arg == "training"
    with pytest.raises(InvalidOptionError) as e:  # training roles without training data
        voc.uplift.target(TODAY, model=MODEL, value="clv", outcome="stayed")
    assert e.value.arg == "outcome"
    with pytest.raises(MissingValueError) as e:
        voc.uplift.target(calls, uplift=[0.1, np.nan, 0.2], value="clv")
    assert e.value.arg == "uplift" and e.value.index == 1
    with pytest.raises(VocError) as e:
        voc.uplift.target(calls, uplift=[0.1, 1.5, 0.2], value="clv")  # an uplift is in [-1, 1]
    assert e.value.arg == "uplift"
    with pytest.raises(InvalidOptionError) as e:
        voc.uplift.target(TODAY, model=MODEL, value="clv", resamples=20, training=TRAIN, outcome="stayed",
                          treatment="called")
    assert e.value.arg == "resamples"


def test_a_model_list_has_probabilities_reasons_and_the_customers_ids():
    r = voc.uplift.target(TODAY, model=MODEL, value="clv", budget=0.1, contact_cost=2.0)
    t = r.table.to_pandas()
    assert len(t) == 40 and r.n == 400
    p = MODEL.predict(TODAY).to_pandas()
    rows = [int(c[1:]) for c in t["customer_id"]]  # ids keep their dtype (strings)
    np.testing.assert_array_equal(t["uplift"], p["uplift"].to_numpy()[rows])
    np.testing.assert_array_equal(t["p_treated"], p["p_treated"].to_numpy()[rows])
    np.testing.assert_array_equal(t["p_control"], p["p_control"].to_numpy()[rows])
    np.testing.assert_array_equal(t["net_value"], TODAY["clv"].to_numpy()[rows] * t["uplift"] - 2.0)
    assert (np.diff(t["net_value"]) <= 0).all() and (t["net_value"] > 0).all()
    reasons = MODEL.reasons(TODAY).to_pandas()
    assert t["reason_1"].tolist() == reasons["reason_1"].to_numpy()[rows].tolist()
    # The long refund waits come first, and the reason says so.
    assert t["reason_1_feature"].iloc[0] == "refund_delay_max_days"
    assert t["reason_1"].iloc[0].startswith("waited ")
    # The class transformation predicts no arm probabilities: no such columns.
    ct = voc.uplift.fit_class_transformation(TRAIN, x=FEATURES, outcome="stayed", treatment="called")
    c = voc.uplift.target(TODAY, model=ct, value="clv", budget=5).table
    assert "p_treated" not in c.columns and len(c) == 5
    # net_value from a model is the score target ranks by, and threshold_top_k takes it.
    nv = voc.uplift.net_value(TODAY, model=MODEL, value="clv", contact_cost=2.0)
    assert voc.risk.threshold_top_k(scores=nv, k=40) == pytest.approx(t["net_value"].iloc[-1])


def test_the_interval_is_seeded_typed_and_pickles():
    kw = dict(model=MODEL, value="clv", budget=50, training=TRAIN, outcome="stayed", treatment="called",
              resamples=200, seed=4)
    r = voc.uplift.target(TODAY, **kw)
    assert r.method == "bootstrap_refit" and r.confidence == 0.95 and r.seed == 4 and r.resamples == 200
    assert r.saves_ci_low < r.expected_saves < r.saves_ci_high
    assert r.net_value_ci_low < r.expected_net_value < r.net_value_ci_high
    again = voc.uplift.target(TODAY, **kw)
    assert (again.saves_ci_low, again.net_value_ci_high) == (r.saves_ci_low, r.net_value_ci_high)
    other = voc.uplift.target(TODAY, **{**kw, "seed": 5})
    assert other.saves_ci_low != r.saves_ci_low
    wider = voc.uplift.target(TODAY, **{**kw, "confidence": 0.99})
    assert wider.saves_ci_low < r.saves_ci_low and wider.saves_ci_high > r.saves_ci_high
    d = r.to_dict()
    assert d["expected_saves"] == r.expected_saves and d["method"] == "bootstrap_refit"
    assert d["table"]["customer_id"][:2] == r.table["customer_id"][:2]
    assert "expected_net_value" in r._repr_html_()
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.saves_ci_high == r.saves_ci_high


def test_the_interval_covers_the_planted_saves_at_its_level():
    """Coverage of the 95% bootstrap-refit interval on 100 simulated tests: the true saves of each list
    (the planted effect of the customers on it) fall inside about 95% of the intervals."""
    today, truth = simulate(300, 99)
    hits_saves = hits_net = 0
    reps = 100
    for rep in range(reps):
        train, _ = simulate(1500, 1000 + rep)
        m = voc.uplift.fit_t_learner(train, x=FEATURES, outcome="stayed", treatment="called", penalty="none")
        r = voc.uplift.target(today, model=m, value="clv", budget=60, training=train, outcome="stayed",
                              treatment="called", resamples=200, seed=rep)
        rows = [int(c[1:]) for c in r.table["customer_id"]]
        saves = truth[rows].sum()
        net = (today["clv"].to_numpy()[rows] * truth[rows] - 5.0).sum()
        hits_saves += r.saves_ci_low <= saves <= r.saves_ci_high
        hits_net += r.net_value_ci_low <= net <= r.net_value_ci_high
    # Measured: see docs/uplift.md (targeting). At 95%, 100 intervals cover 90 or more with
    # probability 0.99.
    print(f"coverage saves {hits_saves}/{reps}, net value {hits_net}/{reps}")
    assert hits_saves >= 88 and hits_net >= 88
    assert hits_saves <= 100


# ---------------------------------------------------------------- alerts by uplift

def test_alerts_by_uplift_are_the_target_table():
    a = voc.risk.alerts(TODAY, model=MODEL, value="clv", capacity=20)
    t = voc.uplift.target(TODAY, model=MODEL, value="clv", budget=20).table
    assert a == t or a.to_pandas().equals(t.to_pandas())
    a = voc.risk.alerts(TODAY, model=MODEL, value="clv", capacity=0.05)
    assert len(a) == 20
    with pytest.raises(LimitError):  # a budget above n
        voc.risk.alerts(TODAY, model=MODEL, value="clv", capacity=401)
    col = voc.risk.alerts(TODAY, uplift=MODEL.predict_uplift(TODAY), value="clv", capacity=20)
    assert col["customer_id"] == t["customer_id"]
    with pytest.raises(InvalidOptionError) as e:
        voc.risk.alerts(TODAY, model=MODEL, value="clv", save_rate=0.5)
    assert e.value.arg == "save_rate"
    with pytest.raises(InvalidOptionError) as e:
        voc.risk.alerts(TODAY, model=MODEL, value="clv", min_probability=0.5)
    assert e.value.arg == "min_probability"
    risk = voc.risk.fit_logistic(TRAIN, x=FEATURES, y=1 - TRAIN["stayed"])
    with pytest.raises(InvalidOptionError) as e:
        voc.risk.alerts(TODAY, model=risk, uplift=np.zeros(400), value="clv")
    assert e.value.arg == "uplift"
    with pytest.raises(InvalidOptionError) as e:
        voc.risk.alerts(TODAY, value="clv")
    assert e.value.arg == "model"


def test_risk_ranked_alerts_are_unchanged():
    """value × p × save_rate − cost, ranked, cut at capacity, with the risk reasons: as before uplift."""
    risk = voc.risk.fit_logistic(TRAIN, x=FEATURES, y=1 - TRAIN["stayed"])
    a = voc.risk.alerts(TODAY, model=risk, value="clv", capacity=15).to_pandas()
    p = risk.predict_proba(TODAY)
    ev = TODAY["clv"].to_numpy() * p * 0.3 - 5.0
    order = sorted((i for i in range(400) if ev[i] > 0), key=lambda i: (-ev[i], i))[:15]
    assert a.columns.tolist() == ["customer_id", "probability", "value", "expected_value", "reason_1",
                                  "reason_1_feature", "reason_2", "reason_2_feature", "reason_3",
                                  "reason_3_feature"]
    assert a["customer_id"].tolist() == [f"c{i}" for i in order]
    np.testing.assert_array_equal(a["expected_value"], ev[order])
    np.testing.assert_array_equal(a["probability"], p[order])
    b = voc.risk.alerts(TODAY, model=risk, value="clv", capacity=15, save_rate=0.6).to_pandas()
    ev6 = TODAY["clv"].to_numpy() * p * 0.6 - 5.0
    np.testing.assert_allclose(b["expected_value"], np.sort(ev6)[::-1][:15])
