"""voc.retention: live cross-checks against lifelines, statsmodels, lifetimes and pandas on the public
data sets in voc-core/tests/data, the bad-input matrix, DataFrame inputs and outputs, pickling."""

from __future__ import annotations

import doctest
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import voc
import voc.retention as vr

DATA = Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data"
warnings.filterwarnings("ignore", category=DeprecationWarning)


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return pd.read_csv(DATA / "rossi.csv")


@pytest.fixture(scope="module")
def waltons() -> pd.DataFrame:
    return pd.read_csv(DATA / "waltons_dataset.csv")


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def cdnow_tx() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def cdnow_raw() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None, names=["master_id", "id", "date", "cds", "spend"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    return raw


# ---------------------------------------------------------------- Kaplan–Meier and log-rank


def test_kaplan_meier_matches_lifelines_by_group(waltons):
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    km = vr.kaplan_meier(waltons["T"], waltons["E"], by=waltons["group"])
    assert km.groups == ["control", "miR-137"]
    table = km.table().to_pandas()
    for grp in km.groups:
        s = waltons[waltons["group"] == grp]
        kmf = KaplanMeierFitter().fit(s["T"], s["E"])
        mine = table[table["group"] == grp]
        times = mine["time"].to_numpy()
        np.testing.assert_allclose(mine["survival"], kmf.survival_function_.iloc[:, 0].loc[times], rtol=0, atol=1e-12)
        ci = kmf.confidence_interval_.loc[times]
        np.testing.assert_allclose(mine["ci_low"], ci.iloc[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(mine["ci_high"], ci.iloc[:, 1], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(mine["at_risk"], kmf.event_table.loc[times, "at_risk"])
        assert km.median[grp] == kmf.median_survival_time_
        med = km.medians().to_pandas().set_index("group").loc[grp]
        lo, hi = median_survival_times(kmf.confidence_interval_).iloc[0]
        assert (med["median_low"], med["median_high"]) == (lo, hi)
    assert km.survival_at([0.0, 1e9], group="control")[0] == 1.0


def test_logrank_matches_lifelines(waltons, rng):
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    a = waltons[waltons["group"] == "control"]
    b = waltons[waltons["group"] == "miR-137"]
    ref = logrank_test(a["T"], b["T"], a["E"], b["E"])
    mine = vr.logrank_test(waltons["T"], waltons["E"], waltons["group"])
    assert mine.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert mine.p_value == pytest.approx(ref.p_value, rel=1e-9)
    n = 600
    g = rng.choice(["a", "b", "c", "d"], n)
    t = np.round(rng.exponential(3.0, n), 1)
    e = (rng.random(n) < 0.7).astype(int)
    ref = multivariate_logrank_test(t, g, e)
    mine = vr.logrank_test(t, e, g)
    assert mine.df == 3
    assert mine.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert mine.p_value == pytest.approx(ref.p_value, rel=1e-8, abs=1e-15)
    assert mine.table().to_pandas()["n"].sum() == n


# ---------------------------------------------------------------- Cox


def test_cox_efron_matches_lifelines_on_rossi(rossi):
    from lifelines import CoxPHFitter

    ref = CoxPHFitter().fit(rossi, "week", "arrest")
    fit = vr.cox_ph(rossi, "week", "arrest")
    s = fit.summary().to_pandas().set_index("covariate")
    r = ref.summary
    for mine, theirs in [("coef", "coef"), ("se", "se(coef)"), ("z", "z"), ("p", "p"), ("exp_coef", "exp(coef)"), ("ci_low", "coef lower 95%"), ("ci_high", "coef upper 95%")]:
        np.testing.assert_allclose(s[mine].to_numpy(), r[theirs].loc[s.index].to_numpy(), rtol=1e-6, atol=1e-9)
    assert fit.log_likelihood == pytest.approx(ref.log_likelihood_, rel=1e-9)
    assert fit.concordance == pytest.approx(ref.concordance_index_, rel=1e-12)
    lr = ref.log_likelihood_ratio_test()
    assert fit.lr_test[0] == pytest.approx(lr.test_statistic, rel=1e-7)
    assert fit.lr_test[1] == 7
    np.testing.assert_allclose(fit.covariance, ref.variance_matrix_.to_numpy(), rtol=1e-5, atol=1e-10)


def test_cox_penalized_matches_lifelines(rossi):
    from lifelines import CoxPHFitter

    ref = CoxPHFitter(penalizer=0.1).fit(rossi, "week", "arrest", fit_options={"precision": 1e-12, "r_precision": 1e-15})
    fit = vr.cox_ph(rossi, "week", "arrest", penalizer=0.1)
    np.testing.assert_allclose(fit.coef, ref.params_.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref.standard_errors_.to_numpy(), rtol=1e-6)
    assert fit.log_likelihood == pytest.approx(ref.log_likelihood_, rel=1e-9)


def test_cox_breslow_matches_statsmodels(rossi):
    from statsmodels.duration.hazard_regression import PHReg

    cols = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    ref = PHReg(rossi["week"].to_numpy(float), rossi[cols].to_numpy(float), status=rossi["arrest"].to_numpy(float), ties="breslow").fit()
    fit = vr.cox_ph(rossi[cols].to_numpy(), rossi["week"], rossi["arrest"], names=cols, ties="breslow")
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-6)
    assert fit.log_likelihood == pytest.approx(ref.llf, rel=1e-10)
    assert fit.names == cols


def test_concordance_matches_lifelines(rng):
    from lifelines.utils import concordance_index

    t = rng.integers(0, 30, 500).astype(float)
    s = np.round(rng.normal(size=500), 1)
    e = (rng.random(500) < 0.6).astype(float)
    assert vr.concordance_index(t, s, e) == pytest.approx(concordance_index(t, -s, e), rel=1e-14)


def test_cox_polars_frame(rossi):
    pl = pytest.importorskip("polars")
    a = vr.cox_ph(pl.from_pandas(rossi), "week", "arrest")
    b = vr.cox_ph(rossi, "week", "arrest")
    assert a == b


def _gbsg2_numeric():
    from lifelines.datasets import load_gbsg2

    df = load_gbsg2()
    return df[["age", "tsize", "pnodes", "progrec", "estrec", "time", "cens"]].astype(float)


def test_cox_predict_log_hazard_any_layout_matches_lifelines_on_gbsg2():
    """Regression: a pandas DataFrame or a Fortran-ordered array was read in memory order (1461.6
    instead of lifelines' value on gbsg2)."""
    from lifelines import CoxPHFitter

    df = _gbsg2_numeric()
    x = df.drop(columns=["time", "cens"])
    ref = CoxPHFitter().fit(df, "time", "cens", fit_options={"precision": 1e-12, "r_precision": 1e-15})
    fit = vr.cox_ph(df, "time", "cens")
    np.testing.assert_allclose(fit.coef, ref.params_.loc[x.columns].to_numpy(), rtol=1e-6)
    want = ref.predict_log_partial_hazard(x).to_numpy() + float(ref._norm_mean.to_numpy() @ fit.coef)
    c = np.ascontiguousarray(x.to_numpy())
    base = fit.predict_log_hazard(c)
    np.testing.assert_allclose(base, c @ fit.coef, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(base, want, rtol=1e-6, atol=1e-6)
    assert abs(base[0] - want[0]) < 1e-6 and abs(base[0]) < 1.0
    for other in [x, np.asfortranarray(c), _strided(c)]:
        np.testing.assert_array_equal(fit.predict_log_hazard(other), base)


def _strided(a: np.ndarray) -> np.ndarray:
    """``a`` as every other row of a doubled array: a view with a row stride of two rows."""
    big = np.repeat(a, 2, axis=0)
    view = big[::2]
    assert not view.flags["C_CONTIGUOUS"] and not view.flags["F_CONTIGUOUS"]
    return view


def test_cox_layouts_give_identical_fits_and_predictions(rossi):
    pl = pytest.importorskip("polars")
    cols = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    t, e = rossi["week"].to_numpy(float), rossi["arrest"].to_numpy(float)
    c = np.ascontiguousarray(rossi[cols].to_numpy(float))
    base = vr.cox_ph(c, t, e, names=cols)
    pred = base.predict_log_hazard(c)
    inputs = [np.asfortranarray(c), _strided(c), rossi[cols], pl.from_pandas(rossi[cols])]
    for x in inputs:
        fit = vr.cox_ph(x, t, e, names=cols)
        np.testing.assert_array_equal(fit.coef, base.coef)
        np.testing.assert_array_equal(fit.se, base.se)
        assert fit.log_likelihood == base.log_likelihood
        np.testing.assert_array_equal(fit.predict_log_hazard(x), pred)
        np.testing.assert_array_equal(base.predict_log_hazard(x), pred)


# ---------------------------------------------------------------- BG/NBD, Gamma-Gamma, CLV


def test_bgnbd_matches_published_and_lifetimes(cdnow):
    from lifetimes import BetaGeoFitter

    m = vr.bgnbd_fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert [round(v, 3) for v in (m.r, m.alpha, m.a, m.b)] == [0.243, 4.414, 0.793, 2.426]
    ref = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for k, v in m.params.items():
        assert v == pytest.approx(ref.params_[k], rel=2e-6)
    np.testing.assert_allclose(m.se, ref.standard_errors_[["r", "alpha", "a", "b"]].to_numpy(), rtol=1e-5)
    at = vr.BgNbdModel(*ref.params_[["r", "alpha", "a", "b"]])
    x, tx, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    np.testing.assert_allclose(at.p_alive(x, tx, T), ref.conditional_probability_alive(x, tx, T), rtol=1e-12)
    for h in (1.0, 39.0, 104.0):
        np.testing.assert_allclose(
            at.expected_purchases(h, x, tx, T), ref.conditional_expected_number_of_purchases_up_to_time(h, x, tx, T), rtol=1e-10
        )
        assert at.expected_purchases_new(h) == pytest.approx(ref.expected_number_of_purchases_up_to_time(h), rel=1e-10)


def test_gamma_gamma_and_clv_match_lifetimes(cdnow, cdnow_tx):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    ret = cdnow_tx[cdnow_tx["x"] > 0]
    ref = GammaGammaFitter().fit(ret["x"], ret["zbar"])
    gg = vr.gamma_gamma_fit(cdnow_tx["x"], cdnow_tx["zbar"])
    assert gg.n == len(ret) and gg.n_skipped == len(cdnow_tx) - len(ret)
    for k, v in gg.params.items():
        assert v == pytest.approx(ref.params_[k], rel=1e-7)
    bgf = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    bg = vr.BgNbdModel(*bgf.params_[["r", "alpha", "a", "b"]])
    gg_at = vr.GammaGammaModel(*ref.params_[["p", "q", "v"]])
    np.testing.assert_allclose(gg_at.expected_spend(cdnow_tx["x"], cdnow_tx["zbar"]), ref.conditional_expected_average_profit(cdnow_tx["x"], cdnow_tx["zbar"]), rtol=1e-12)
    want = ref.customer_lifetime_value(bgf, cdnow_tx["x"], cdnow_tx["t_x"], cdnow_tx["T"], cdnow_tx["zbar"], time=6, discount_rate=0.02, freq="W")
    got = vr.customer_lifetime_value(bg, gg_at, cdnow_tx["x"], cdnow_tx["t_x"], cdnow_tx["T"], cdnow_tx["zbar"], periods=6, period_length=4.345, discount_rate=0.02)
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-9)


def test_summary_matches_lifetimes(cdnow_raw):
    from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

    ref = summary_data_from_transaction_data(cdnow_raw, "id", "date", monetary_value_col="spend", observation_period_end="1998-06-30", freq="D", freq_multiplier=7)
    mine = vr.summary_from_transactions(cdnow_raw, "id", "date", "spend", observation_end="1998-06-30", time_scale=7).to_pandas().set_index("customer")
    ref = ref.loc[mine.index]
    for c in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(mine[c], ref[c], rtol=1e-12, atol=1e-12)
    ref = calibration_and_holdout_data(cdnow_raw, "id", "date", calibration_period_end="1997-09-30", observation_period_end="1998-06-30", monetary_value_col="spend", freq="D", freq_multiplier=7)
    mine = vr.calibration_and_holdout(cdnow_raw, "id", "date", calibration_end="1997-09-30", observation_end="1998-06-30", monetary_col="spend", time_scale=7).to_pandas().set_index("customer")
    ref = ref.loc[mine.index]
    assert len(mine) == len(ref) == 2357
    for c in ref.columns:
        np.testing.assert_allclose(mine[c], ref[c], rtol=1e-12, atol=1e-12, err_msg=c)


def test_summary_seconds_and_string_ids():
    ts = pd.to_datetime(["2024-01-01 10:00", "2024-01-01 18:00", "2024-01-04 09:00", "2024-01-02 00:00"]).as_unit("s")
    t = vr.summary_from_transactions(pd.DataFrame({"c": ["x", "x", "x", "y"], "t": ts, "m": [1.0, 2.0, 5.0, 4.0]}), "c", "t", "m")
    d = t.to_dict()
    assert d["customer"] == ["x", "y"]
    assert d["frequency"].tolist() == [1.0, 0.0]
    assert d["recency"].tolist() == [3.0, 0.0]
    assert d["monetary_value"].tolist() == [5.0, 0.0]


# ---------------------------------------------------------------- cohorts


def test_cohorts_match_pandas(cdnow_raw):
    c = vr.cohort_retention(cdnow_raw["id"], cdnow_raw["date"])
    df = cdnow_raw[["id", "date"]].copy()
    df["month"] = df["date"].dt.to_period("M")
    first = df.groupby("id")["month"].transform("min")
    df["cohort"] = first.astype(str)
    df["k"] = (df["month"] - first).apply(lambda x: x.n)
    counts = df.groupby(["cohort", "k"])["id"].nunique().unstack(fill_value=0)
    assert c.cohorts == list(counts.index)
    active = c.active
    np.testing.assert_array_equal(active[:, : counts.shape[1]], counts.to_numpy())
    np.testing.assert_array_equal(c.size, active[:, 0])
    assert not np.isnan(c.retention[0, -1]) and np.isnan(c.retention[-1, -1])  # 1997-03 + 17 months > 1998-06
    # 12-month repurchase among customers first seen >= 365 days before the last order
    end = cdnow_raw["date"].max()
    fd = cdnow_raw.groupby("id")["date"].min()
    elig = fd[fd + pd.Timedelta(days=365) <= end].index
    j = cdnow_raw.merge(fd.rename("first"), left_on="id", right_index=True)
    rep = j[(j["date"] > j["first"]) & (j["date"] <= j["first"] + pd.Timedelta(days=365))]["id"].unique()
    assert c.repurchase_rate == pytest.approx(len(set(rep) & set(elig)) / len(elig), rel=1e-15)
    long = c.table().to_pandas()
    assert set(long.columns) == {"cohort", "months_since", "size", "active", "retention"}


# ---------------------------------------------------------------- bad input


def test_bad_survival_input():
    with pytest.raises(voc.InputError) as e:
        vr.kaplan_meier([1.0, -2.0], [1, 0])
    assert (e.value.arg, e.value.index, e.value.value) == ("durations", 1, -2.0)
    assert isinstance(e.value, ValueError)
    with pytest.raises(voc.InputError) as e:
        vr.kaplan_meier([1.0, 2.0], [1, 2])
    assert (e.value.arg, e.value.index) == ("events", 1)
    with pytest.raises(voc.NonFiniteError):
        vr.kaplan_meier([1.0, np.nan], [1, 0])
    with pytest.raises(voc.LengthMismatchError):
        vr.kaplan_meier([1.0, 2.0], [1])
    with pytest.raises(voc.EmptyInputError):
        vr.kaplan_meier([], [])
    with pytest.raises(voc.MissingValueError):
        vr.kaplan_meier(pytest.importorskip("pyarrow").array([1.0, None]), [1, 0])
    # all censored: documented behaviour — a flat curve with an infinite median
    km = vr.kaplan_meier([1.0, 2.0], [0, 0])
    assert km.median == np.inf
    with pytest.raises(voc.InsufficientDataError):
        vr.logrank_test([1.0, 2.0], [0, 0], [0, 1])
    with pytest.raises(voc.InsufficientDataError):
        vr.logrank_test([1.0, 2.0], [1, 1], [0, 0])


def test_bad_cox_input(rossi):
    t, e = rossi["week"], rossi["arrest"]
    with pytest.raises(voc.InsufficientDataError):
        vr.cox_ph(rossi[["age"]].to_numpy(), t, np.zeros(len(t)))
    x = rossi[["age", "prio"]].to_numpy(float)
    x[5, 1] = np.inf
    with pytest.raises(voc.NonFiniteError) as err:
        vr.cox_ph(x, t, e)
    assert err.value.index == 5 * 2 + 1
    df = rossi.assign(age2=2 * rossi["age"] + 1)
    with pytest.raises(voc.InputError) as err:
        vr.cox_ph(df[["week", "arrest", "age", "prio", "age2"]], "week", "arrest")
    assert err.value.arg == "covariates" and err.value.index == 2
    with pytest.raises(voc.InputError):
        vr.cox_ph(rossi.assign(c=1.0)[["week", "arrest", "c"]], "week", "arrest")
    sep = np.array([[4.0], [3.0], [2.0], [1.0]])
    with pytest.raises(voc.ConvergenceError):
        vr.cox_ph(sep, [1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1])
    with pytest.raises(voc.InvalidOptionError):
        vr.cox_ph(rossi, "week", "arrest", ties="exact")
    with pytest.raises(voc.InvalidOptionError):
        vr.cox_ph(rossi, "week", "arrest", penalizer=-1.0)
    with pytest.raises(voc.LengthMismatchError):
        vr.cox_ph(rossi[["age"]].to_numpy(), t[:10], e[:10])


def test_bad_clv_input(cdnow):
    with pytest.raises(voc.ScoreRangeError):  # NotWhole
        vr.bgnbd_fit([1.5], [1.0], [2.0])
    with pytest.raises(voc.InputError) as e:
        vr.bgnbd_fit([1, 2], [1.0, 5.0], [2.0, 4.0])
    assert (e.value.arg, e.value.index) == ("recency", 1)
    with pytest.raises(voc.InputError):
        vr.bgnbd_fit([0], [1.0], [2.0])
    with pytest.raises(voc.InsufficientDataError):
        vr.bgnbd_fit([0, 0], [0.0, 0.0], [2.0, 3.0])
    with pytest.raises(voc.ConvergenceError):
        vr.bgnbd_fit(cdnow["frequency"], cdnow["recency"], cdnow["T"], max_iter=2)
    with pytest.raises(voc.InputError):
        vr.gamma_gamma_fit([1, 2], [10.0, -1.0])
    with pytest.raises(voc.InvalidOptionError):
        vr.BgNbdModel(0.2, -1.0, 0.5, 2.0)


# ---------------------------------------------------------------- pickling, reprs, docstrings


def test_results_pickle(rossi, waltons, cdnow, cdnow_raw):
    objs = [
        vr.kaplan_meier(waltons["T"], waltons["E"], by=waltons["group"]),
        vr.logrank_test(waltons["T"], waltons["E"], waltons["group"]),
        vr.cox_ph(rossi, "week", "arrest"),
        vr.bgnbd_fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
        vr.GammaGammaModel(6.25, 3.74, 15.44),
        vr.cohort_retention(cdnow_raw["id"], cdnow_raw["date"]),
    ]
    for o in objs:
        back = pickle.loads(pickle.dumps(o))
        assert back == o
        assert type(o).__name__ in repr(o)


def test_model_pickles_are_the_core_byte_form(rossi, cdnow):
    fit = vr.cox_ph(rossi, "week", "arrest")
    bg = vr.bgnbd_fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    gg = vr.GammaGammaModel(6.25, 3.74, 15.44)
    for obj, magic in [(fit, b"VCOX"), (bg, b"VBGN"), (gg, b"VGGM")]:
        rebuild, state = obj.__reduce__()
        data = state[0]
        assert data[:4] == magic
        assert rebuild(*state) == obj
        with pytest.raises(voc.DecodeError):
            rebuild(data[:-1], *state[1:])
        flipped = bytes([data[0] ^ 1]) + data[1:]
        with pytest.raises(voc.DecodeError):
            rebuild(flipped, *state[1:])
    assert fit.__reduce__()[1][1] == fit.names
    with pytest.raises(voc.DecodeError):
        type(fit)._from_state(fit.__reduce__()[1][0], ["just one"])
    back = pickle.loads(pickle.dumps(fit))
    x = rossi[fit.names]
    np.testing.assert_array_equal(back.predict_log_hazard(x), fit.predict_log_hazard(x))


def test_docstrings():
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for f in [vr.cox_ph, vr.summary_from_transactions]:
        for test in doctest.DocTestFinder().find(f, f.__name__, globs={}):
            runner.run(test)
    r = runner.summarize(verbose=False)
    assert r.attempted > 0 and r.failed == 0
