"""voc.retention: live cross-checks against lifelines, statsmodels, lifetimes and pandas on the public
data sets in voc-core/tests/data, the input forms (table roles, arrays, bool / int / float events, float
labels, the event_observed alias), missing values, the bad-input matrix, pickling and byte forms."""

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
ROSSI = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


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


def _gbsg2_numeric() -> pd.DataFrame:
    from lifelines.datasets import load_gbsg2

    df = load_gbsg2()
    return df[["age", "tsize", "pnodes", "progrec", "estrec", "time", "cens"]].astype(float)


def _strided(a: np.ndarray) -> np.ndarray:
    """``a`` as every other row of a doubled array: a view with a row stride of two rows."""
    big = np.repeat(a, 2, axis=0)
    view = big[::2]
    assert not view.flags["C_CONTIGUOUS"] and not view.flags["F_CONTIGUOUS"]
    return view


# ---------------------------------------------------------------- Kaplan–Meier and log-rank


def test_kaplan_meier_matches_lifelines_by_group(waltons):
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    km = vr.kaplan_meier(waltons, durations="T", events="E", by="group")
    assert km.groups == ["control", "miR-137"]
    assert (km.n, km.n_missing, km.confidence) == (len(waltons), 0, 0.95)
    table = km.table.to_pandas()
    medians = km.medians.to_pandas().set_index("group")
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
        med = medians.loc[grp]
        assert med["median"] == kmf.median_survival_time_
        lo, hi = median_survival_times(kmf.confidence_interval_).iloc[0]
        assert (med["ci_low"], med["ci_high"]) == (lo, hi)
        assert km.percentile(0.5, group=grp) == kmf.median_survival_time_
    assert km.survival_at([0.0, 1e9], group="control")[0] == 1.0
    one = vr.kaplan_meier(waltons, durations="T", events="E")
    kmf = KaplanMeierFitter().fit(waltons["T"], waltons["E"])
    assert one.median == kmf.median_survival_time_
    lo, hi = median_survival_times(kmf.confidence_interval_).iloc[0]
    assert (one.median_ci_low, one.median_ci_high) == (lo, hi)
    with pytest.raises(voc.InputError, match="grouped"):
        km.median  # noqa: B018
    with pytest.raises(voc.UnknownIdError):
        km.survival_at([1.0], group="nope")


def test_logrank_matches_lifelines(waltons, rng):
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    a = waltons[waltons["group"] == "control"]
    b = waltons[waltons["group"] == "miR-137"]
    ref = logrank_test(a["T"], b["T"], a["E"], b["E"])
    mine = vr.logrank_test(waltons, durations="T", events="E", by="group")
    assert mine.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert mine.p_value == pytest.approx(ref.p_value, rel=1e-9)
    assert (mine.n, mine.n_missing, mine.method) == (len(waltons), 0, "logrank")
    n = 600
    g = rng.choice(["a", "b", "c", "d"], n)
    t = np.round(rng.exponential(3.0, n), 1)
    e = (rng.random(n) < 0.7).astype(int)
    ref = multivariate_logrank_test(t, g, e)
    mine = vr.logrank_test(durations=t, events=e, by=g)
    assert mine.df == 3
    assert mine.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert mine.p_value == pytest.approx(ref.p_value, rel=1e-8, abs=1e-15)
    table = mine.table.to_pandas()
    assert table["n"].sum() == n and list(table["group"]) == ["a", "b", "c", "d"]


def test_events_bool_int_and_float_give_identical_results(rossi):
    t = rossi["week"].to_numpy(float)
    forms = [
        rossi["arrest"].astype(bool),
        rossi["arrest"].astype(np.int64),
        rossi["arrest"].astype(float),
        rossi["arrest"].astype(bool).to_numpy(),
        rossi["arrest"].astype(bool).tolist(),
        rossi["arrest"].astype("boolean"),
    ]
    by = rossi["fin"]
    kms = [vr.kaplan_meier(durations=t, events=e, by=by) for e in forms]
    tests = [vr.logrank_test(durations=t, events=e, by=by) for e in forms]
    coxes = [vr.fit_cox(rossi[ROSSI], durations=t, events=e) for e in forms]
    cis = [vr.concordance_index(durations=t, scores=-rossi["age"].to_numpy(float), events=e) for e in forms]
    for km, test, cox, ci in zip(kms[1:], tests[1:], coxes[1:], cis[1:]):
        assert km == kms[0]
        assert test == tests[0]
        assert cox == coxes[0]
        assert ci == cis[0]
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    frame = pl.from_pandas(rossi.assign(arrest=rossi["arrest"].astype(bool)))
    assert vr.kaplan_meier(frame, durations="week", events="arrest", by="fin") == kms[0]
    assert vr.fit_cox(frame, durations="week", events="arrest") == coxes[0]
    arrow = pa.table({"week": t, "arrest": pa.array(rossi["arrest"].astype(bool))})
    assert vr.logrank_test(arrow, durations="week", events="arrest", by=by.to_numpy()) == tests[0]


def test_bool_events_from_a_lifelines_dataset_match_lifelines():
    from lifelines import KaplanMeierFitter
    from lifelines.datasets import load_dd

    dd = load_dd().assign(observed=lambda d: d["observed"].astype(bool))
    assert dd["observed"].dtype == bool
    km = vr.kaplan_meier(dd, durations="duration", event_observed="observed")
    kmf = KaplanMeierFitter().fit(dd["duration"], event_observed=dd["observed"])
    table = km.table.to_pandas()
    np.testing.assert_allclose(table["survival"], kmf.survival_function_.iloc[:, 0].loc[table["time"]], rtol=0, atol=1e-12)
    assert km.median == kmf.median_survival_time_


def test_float_labels_equal_int_labels(waltons):
    labels = np.where(waltons["group"] == "control", 1, 2)
    floats = labels.astype(float)
    km_i = vr.kaplan_meier(waltons, durations="T", events="E", by=labels)
    km_f = vr.kaplan_meier(waltons, durations="T", events="E", by=floats)
    assert km_i.groups == [1, 2] and km_f.groups == [1.0, 2.0]
    assert isinstance(km_f.groups[0], float) and isinstance(km_i.groups[0], int)
    ti, tf = km_i.table.to_pandas(), km_f.table.to_pandas()
    assert ti["group"].dtype == np.int64 and tf["group"].dtype == np.float64
    pd.testing.assert_frame_equal(ti.drop(columns="group"), tf.drop(columns="group"))
    np.testing.assert_array_equal(ti["group"], tf["group"])
    assert km_f.survival_at([30.0], group=2)[0] == km_i.survival_at([30.0], group=2.0)[0]
    lr_i = vr.logrank_test(waltons, durations="T", events="E", by=labels)
    lr_f = vr.logrank_test(waltons, durations="T", events="E", by=pd.Series(floats))
    assert (lr_f.statistic, lr_f.p_value, lr_f.df) == (lr_i.statistic, lr_i.p_value, lr_i.df)
    assert lr_f.groups == [1.0, 2.0]
    # what pandas gives after dropping NaN: a float column; the NaN row is missing
    with_nan = np.r_[floats, np.nan]
    t, e = np.r_[waltons["T"], 5.0], np.r_[waltons["E"], 1.0]
    with pytest.raises(voc.MissingValueError) as err:
        vr.logrank_test(durations=t, events=e, by=with_nan)
    assert (err.value.arg, err.value.index) == ("by", len(floats))
    skipped = vr.logrank_test(durations=t, events=e, by=with_nan, missing="skip")
    assert skipped.statistic == lr_i.statistic and skipped.n_missing == 1


def test_event_observed_alias(waltons):
    a = vr.kaplan_meier(waltons, durations="T", events="E")
    b = vr.kaplan_meier(waltons, durations="T", event_observed="E")
    assert a == b
    assert vr.logrank_test(waltons, durations="T", event_observed="E", by="group") == vr.logrank_test(
        waltons, durations="T", events="E", by="group"
    )
    with pytest.raises(voc.InvalidOptionError, match="event_observed"):
        vr.kaplan_meier(waltons, durations="T", events="E", event_observed="E")
    # without events, every event is observed (lifelines' default)
    everyone = vr.kaplan_meier(durations=waltons["T"])
    assert everyone == vr.kaplan_meier(durations=waltons["T"], events=np.ones(len(waltons)))


def test_table_roles_equal_array_roles(waltons, rossi, cdnow_raw):
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    arrays = vr.kaplan_meier(durations=waltons["T"].to_numpy(), events=waltons["E"].to_numpy(), by=waltons["group"].to_numpy())
    for data in (waltons, pl.from_pandas(waltons), pa.Table.from_pandas(waltons), {c: waltons[c].to_numpy() for c in waltons}):
        assert vr.kaplan_meier(data, durations="T", events="E", by="group") == arrays
    # a role may name a column of data or be a column itself, in one call
    assert vr.kaplan_meier(waltons, durations="T", events=waltons["E"].to_numpy(), by="group") == arrays
    lr = vr.logrank_test(durations=waltons["T"], events=waltons["E"], by=waltons["group"])
    assert vr.logrank_test(waltons, durations="T", events="E", by="group") == lr
    cox = vr.fit_cox(rossi, durations="week", events="arrest")
    assert cox.names == ROSSI
    assert vr.fit_cox(rossi, durations="week", events="arrest", covariates=ROSSI) == cox
    assert vr.fit_cox(durations=rossi["week"], events=rossi["arrest"], covariates=rossi[ROSSI]) == cox
    assert vr.fit_cox(rossi[ROSSI], durations=rossi["week"], events=rossi["arrest"]) == cox
    assert vr.fit_cox(pl.from_pandas(rossi), durations="week", events="arrest") == cox
    assert vr.fit_cox(pa.Table.from_pandas(rossi), durations="week", events="arrest") == cox
    x = rossi[ROSSI].to_numpy(float)
    unnamed = vr.fit_cox(x, durations=rossi["week"], events=rossi["arrest"])
    assert unnamed.names == [f"x{j}" for j in range(7)]
    np.testing.assert_array_equal(unnamed.coef, cox.coef)
    s = rossi["age"].to_numpy(float)
    assert vr.concordance_index(rossi, durations="week", scores="age", events="arrest") == vr.concordance_index(
        durations=rossi["week"], scores=s, events=rossi["arrest"]
    )
    c1 = vr.cohort_retention(cdnow_raw, customers="id", time="date")
    c2 = vr.cohort_retention(customers=cdnow_raw["id"].to_numpy(), time=cdnow_raw["date"].to_numpy())
    assert c1 == c2
    r1 = vr.rfm_summary(cdnow_raw, customers="id", time="date", monetary="spend").to_pandas()
    r2 = vr.rfm_summary(customers=cdnow_raw["id"], time=cdnow_raw["date"], monetary=cdnow_raw["spend"].to_numpy()).to_pandas()
    pd.testing.assert_frame_equal(r1, r2)
    with pytest.raises(voc.ColumnNotFoundError) as err:
        vr.kaplan_meier(waltons, durations="T", events="nope")
    assert (err.value.arg, err.value.value) == ("events", "nope")
    with pytest.raises(voc.ColumnNotFoundError):
        vr.fit_cox(rossi, durations="week", events="arrest", covariates=["age", "nope"])


def test_missing_skip_leaves_rows_out_and_counts_them(waltons, rossi):
    t = waltons["T"].to_numpy(float).copy()
    e = waltons["E"].to_numpy(float).copy()
    g = waltons["group"].to_numpy(object).copy()
    t[3], e[10], g[20] = np.nan, np.nan, None
    keep = np.ones(len(t), bool)
    keep[[3, 10, 20]] = False
    with pytest.raises(voc.MissingValueError) as err:
        vr.kaplan_meier(durations=t, events=e, by=g)
    assert (err.value.arg, err.value.index) == ("durations", 3)
    km = vr.kaplan_meier(durations=t, events=e, by=g, missing="skip")
    assert km.n_missing == 3 and km.n == keep.sum()
    want = vr.kaplan_meier(durations=t[keep], events=e[keep], by=g[keep])
    pd.testing.assert_frame_equal(km.table.to_pandas(), want.table.to_pandas())
    lr = vr.logrank_test(durations=t, events=e, by=g, missing="skip")
    assert lr.n_missing == 3 and lr.statistic == vr.logrank_test(durations=t[keep], events=e[keep], by=g[keep]).statistic
    df = rossi.copy()
    df["age"] = df["age"].astype(float)
    df.loc[6, "age"] = np.nan
    with pytest.raises(voc.MissingValueError) as err:
        vr.fit_cox(df, durations="week", events="arrest")
    col = [c for c in df.columns if c not in ("week", "arrest")].index("age")
    assert err.value.index == (6, col) and 'row 6, column "age"' in str(err.value)
    assert "missing=\"skip\"" in str(err.value)
    skipped = vr.fit_cox(df, durations="week", events="arrest", missing="skip")
    assert skipped.n_missing == 1 and skipped.n == len(df) - 1
    np.testing.assert_array_equal(skipped.coef, vr.fit_cox(df.drop(index=6), durations="week", events="arrest").coef)
    with pytest.raises(voc.InvalidOptionError):
        vr.kaplan_meier(durations=t, events=e, missing="drop")  # type: ignore[arg-type]


# ---------------------------------------------------------------- Cox


def test_cox_efron_matches_lifelines_on_rossi(rossi):
    from lifelines import CoxPHFitter

    ref = CoxPHFitter().fit(rossi, "week", "arrest")
    fit = vr.fit_cox(rossi, durations="week", events="arrest")
    s = fit.summary().to_pandas().set_index("covariate")
    r = ref.summary
    pairs = [
        ("coef", "coef"),
        ("se", "se(coef)"),
        ("z", "z"),
        ("p_value", "p"),
        ("hazard_ratio", "exp(coef)"),
        ("ci_low", "coef lower 95%"),
        ("ci_high", "coef upper 95%"),
        ("hazard_ratio_ci_low", "exp(coef) lower 95%"),
        ("hazard_ratio_ci_high", "exp(coef) upper 95%"),
    ]
    for mine, theirs in pairs:
        np.testing.assert_allclose(s[mine].to_numpy(), r[theirs].loc[s.index].to_numpy(), rtol=1e-6, atol=1e-9, err_msg=mine)
    assert fit.log_likelihood == pytest.approx(ref.log_likelihood_, rel=1e-9)
    assert fit.concordance == pytest.approx(ref.concordance_index_, rel=1e-12)
    lr = ref.log_likelihood_ratio_test()
    assert fit.lr_statistic == pytest.approx(lr.test_statistic, rel=1e-7)
    assert fit.lr_df == 7
    assert fit.lr_p_value == pytest.approx(lr.p_value, rel=1e-6, abs=1e-15)
    np.testing.assert_allclose(fit.covariance, ref.variance_matrix_.to_numpy(), rtol=1e-5, atol=1e-10)
    np.testing.assert_allclose(fit.mean, ref._norm_mean.loc[fit.names].to_numpy(), rtol=1e-12)


def test_cox_penalized_matches_lifelines(rossi):
    from lifelines import CoxPHFitter

    ref = CoxPHFitter(penalizer=0.1).fit(rossi, "week", "arrest", fit_options={"precision": 1e-12, "r_precision": 1e-15})
    fit = vr.fit_cox(rossi, durations="week", events="arrest", penalizer=0.1)
    np.testing.assert_allclose(fit.coef, ref.params_.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref.standard_errors_.to_numpy(), rtol=1e-6)
    assert fit.log_likelihood == pytest.approx(ref.log_likelihood_, rel=1e-9)


def test_cox_breslow_matches_statsmodels(rossi):
    from statsmodels.duration.hazard_regression import PHReg

    ref = PHReg(rossi["week"].to_numpy(float), rossi[ROSSI].to_numpy(float), status=rossi["arrest"].to_numpy(float), ties="breslow").fit()
    fit = vr.fit_cox(rossi, durations="week", events="arrest", covariates=ROSSI, ties="breslow")
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-6)
    assert fit.log_likelihood == pytest.approx(ref.llf, rel=1e-10)
    assert fit.names == ROSSI and fit.ties == "breslow"


def test_concordance_matches_lifelines(rng):
    from lifelines.utils import concordance_index

    t = rng.integers(0, 30, 500).astype(float)
    s = np.round(rng.normal(size=500), 1)
    e = (rng.random(500) < 0.6).astype(float)
    assert vr.concordance_index(durations=t, scores=s, events=e) == pytest.approx(concordance_index(t, -s, e), rel=1e-14)


@pytest.mark.parametrize("dataset", ["gbsg2", "rossi"])
def test_cox_predict_log_partial_hazard_matches_lifelines(dataset, rossi):
    """CoxModel.predict_log_partial_hazard is lifelines' (centred on the training means), for a
    DataFrame (columns picked by name), C-, Fortran-ordered and strided arrays. Regression: a DataFrame
    or a Fortran-ordered array was once read in memory order."""
    from lifelines import CoxPHFitter

    if dataset == "gbsg2":
        df, duration, event = _gbsg2_numeric(), "time", "cens"
    else:
        df, duration, event = rossi, "week", "arrest"
    ref = CoxPHFitter().fit(df, duration, event, fit_options={"precision": 1e-12, "r_precision": 1e-15})
    fit = vr.fit_cox(df, durations=duration, events=event)
    x = df[fit.names]
    np.testing.assert_allclose(fit.coef, ref.params_.loc[fit.names].to_numpy(), rtol=1e-6)
    want = ref.predict_log_partial_hazard(x).to_numpy()
    base = fit.predict_log_partial_hazard(df)  # the duration and event columns are not covariates
    np.testing.assert_allclose(base, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fit.predict_partial_hazard(df), ref.predict_partial_hazard(x).to_numpy(), rtol=1e-6)
    c = np.ascontiguousarray(x.to_numpy(float))
    np.testing.assert_allclose(base, (c - fit.mean) @ fit.coef, rtol=1e-12, atol=1e-12)
    for other in [x, x[fit.names[::-1]], c, np.asfortranarray(c), _strided(c)]:
        np.testing.assert_array_equal(fit.predict_log_partial_hazard(other), base)


def test_cox_layouts_give_identical_fits_and_predictions(rossi):
    pl = pytest.importorskip("polars")
    t, e = rossi["week"].to_numpy(float), rossi["arrest"].to_numpy(float)
    c = np.ascontiguousarray(rossi[ROSSI].to_numpy(float))
    base = vr.fit_cox(c, durations=t, events=e)
    pred = base.predict_log_partial_hazard(c)
    for x in [np.asfortranarray(c), _strided(c)]:
        fit = vr.fit_cox(x, durations=t, events=e)
        assert fit == base
        np.testing.assert_array_equal(fit.predict_log_partial_hazard(x), pred)
    named = vr.fit_cox(rossi[ROSSI], durations=t, events=e)
    for x in [rossi[ROSSI], pl.from_pandas(rossi[ROSSI]), c]:
        np.testing.assert_array_equal(named.predict_log_partial_hazard(x), pred)
    np.testing.assert_array_equal(named.coef, base.coef)


def test_cox_model_bytes_and_pickle_round_trip(rossi):
    fit = vr.fit_cox(rossi, durations="week", events="arrest", penalizer=0.05, ties="breslow")
    data = fit.to_bytes()
    assert data[:4] == b"VCOX"
    back = vr.CoxModel.from_bytes(data)
    assert back == fit and back.names == ROSSI and back.ties == "breslow"
    again = pickle.loads(pickle.dumps(fit))
    assert again == fit
    np.testing.assert_array_equal(again.predict_log_partial_hazard(rossi), fit.predict_log_partial_hazard(rossi))
    pd.testing.assert_frame_equal(again.summary().to_pandas(), fit.summary().to_pandas())
    with pytest.raises(voc.DecodeError):
        vr.CoxModel.from_bytes(data[:-1])


# ---------------------------------------------------------------- BG/NBD, Gamma-Gamma, CLV


def test_bgnbd_matches_published_and_lifetimes(cdnow):
    from lifetimes import BetaGeoFitter

    m = vr.fit_bgnbd(cdnow)
    assert [round(v, 3) for v in (m.r, m.alpha, m.a, m.b)] == [0.243, 4.414, 0.793, 2.426]
    ref = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for k in ["r", "alpha", "a", "b"]:
        assert getattr(m, k) == pytest.approx(ref.params_[k], rel=2e-6)
    np.testing.assert_allclose(m.se, ref.standard_errors_[["r", "alpha", "a", "b"]].to_numpy(), rtol=1e-5)
    s = m.summary().to_pandas().set_index("param")
    np.testing.assert_allclose(s["estimate"], [m.r, m.alpha, m.a, m.b])
    np.testing.assert_allclose(s["ci_low"], ref.summary["lower 95% bound"].loc[s.index], rtol=1e-4)
    at = vr.BgNbdModel(*ref.params_[["r", "alpha", "a", "b"]])
    x, tx, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    np.testing.assert_allclose(at.predict_p_alive(x, tx, T), ref.conditional_probability_alive(x, tx, T), rtol=1e-12)
    for h in (1.0, 39.0, 104.0):
        np.testing.assert_allclose(
            at.predict_purchases(h, x, tx, T), ref.conditional_expected_number_of_purchases_up_to_time(h, x, tx, T), rtol=1e-10
        )
        assert at.predict_purchases_new(h) == pytest.approx(ref.expected_number_of_purchases_up_to_time(h), rel=1e-10)
    assert vr.fit_bgnbd(frequency=x.to_numpy(), recency=tx.to_numpy(), T=T.to_numpy()) == m


def test_gamma_gamma_and_clv_match_lifetimes(cdnow, cdnow_tx):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    ret = cdnow_tx[cdnow_tx["x"] > 0]
    ref = GammaGammaFitter().fit(ret["x"], ret["zbar"])
    gg = vr.fit_gamma_gamma(cdnow_tx, frequency="x", monetary="zbar")
    assert gg.n == len(ret) and gg.n_skipped == len(cdnow_tx) - len(ret)
    for k in ["p", "q", "v"]:
        assert getattr(gg, k) == pytest.approx(ref.params_[k], rel=1e-7)
    bgf = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    bg = vr.BgNbdModel(*bgf.params_[["r", "alpha", "a", "b"]])
    gg_at = vr.GammaGammaModel(*ref.params_[["p", "q", "v"]])
    np.testing.assert_allclose(
        gg_at.predict_spend(cdnow_tx["x"], cdnow_tx["zbar"]), ref.conditional_expected_average_profit(cdnow_tx["x"], cdnow_tx["zbar"]), rtol=1e-12
    )
    want = ref.customer_lifetime_value(bgf, cdnow_tx["x"], cdnow_tx["t_x"], cdnow_tx["T"], cdnow_tx["zbar"], time=6, discount_rate=0.02, freq="W")
    got = vr.customer_lifetime_value(
        cdnow_tx, bgnbd=bg, gamma_gamma=gg_at, frequency="x", recency="t_x", T="T", monetary="zbar",
        periods=6, period_length=4.345, discount_rate=0.02,
    )
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-9)


def test_rfm_summary_feeds_the_models_by_default(cdnow_raw):
    s = vr.rfm_summary(cdnow_raw, customers="id", time="date", monetary="spend", observation_end="1998-06-30", time_scale=7)
    bg = vr.fit_bgnbd(s)
    gg = vr.fit_gamma_gamma(s)
    d = s.to_pandas()
    assert bg == vr.fit_bgnbd(frequency=d["frequency"], recency=d["recency"], T=d["T"])
    assert gg == vr.fit_gamma_gamma(frequency=d["frequency"], monetary=d["monetary_value"])
    clv = vr.customer_lifetime_value(s, bgnbd=bg, gamma_gamma=gg, periods=3, period_length=4.345)
    assert clv.shape == (len(d),) and bool((clv >= 0).all())


def test_summary_matches_lifetimes(cdnow_raw):
    from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

    ref = summary_data_from_transaction_data(cdnow_raw, "id", "date", monetary_value_col="spend", observation_period_end="1998-06-30", freq="D", freq_multiplier=7)
    mine = vr.rfm_summary(cdnow_raw, customers="id", time="date", monetary="spend", observation_end="1998-06-30", time_scale=7)
    mine = mine.to_pandas().set_index("customer")
    ref = ref.loc[mine.index]
    for c in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(mine[c], ref[c], rtol=1e-12, atol=1e-12)
    ref = calibration_and_holdout_data(cdnow_raw, "id", "date", calibration_period_end="1997-09-30", observation_period_end="1998-06-30", monetary_value_col="spend", freq="D", freq_multiplier=7)
    mine = vr.calibration_and_holdout(
        cdnow_raw, customers="id", time="date", monetary="spend", calibration_end="1997-09-30", observation_end="1998-06-30", time_scale=7
    ).to_pandas().set_index("customer")
    ref = ref.loc[mine.index]
    assert len(mine) == len(ref) == 2357
    for c in ref.columns:
        np.testing.assert_allclose(mine[c], ref[c], rtol=1e-12, atol=1e-12, err_msg=c)


def test_summary_seconds_and_string_ids():
    ts = pd.to_datetime(["2024-01-01 10:00", "2024-01-01 18:00", "2024-01-04 09:00", "2024-01-02 00:00"]).as_unit("s")
    t = vr.rfm_summary(pd.DataFrame({"c": ["x", "x", "x", "y"], "t": ts, "m": [1.0, 2.0, 5.0, 4.0]}), customers="c", time="t", monetary="m")
    d = t.to_dict()
    assert d["customer"] == ["x", "y"]
    assert d["frequency"].tolist() == [1.0, 0.0]
    assert d["recency"].tolist() == [3.0, 0.0]
    assert d["monetary_value"].tolist() == [5.0, 0.0]


# ---------------------------------------------------------------- cohorts


def test_cohorts_match_pandas(cdnow_raw):
    c = vr.cohort_retention(cdnow_raw, customers="id", time="date")
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
    assert c.n == cdnow_raw["id"].nunique()
    assert not np.isnan(c.retention[0, -1]) and np.isnan(c.retention[-1, -1])  # 1997-03 + 17 months > 1998-06
    # 12-month repurchase among customers first seen >= 365 days before the last order
    end = cdnow_raw["date"].max()
    fd = cdnow_raw.groupby("id")["date"].min()
    elig = fd[fd + pd.Timedelta(days=365) <= end].index
    j = cdnow_raw.merge(fd.rename("first"), left_on="id", right_index=True)
    rep = j[(j["date"] > j["first"]) & (j["date"] <= j["first"] + pd.Timedelta(days=365))]["id"].unique()
    assert c.repurchase_rate == pytest.approx(len(set(rep) & set(elig)) / len(elig), rel=1e-15)
    long = c.table.to_pandas()
    assert set(long.columns) == {"cohort", "months_since", "size", "active", "retention"}
    assert list(c.repurchase.columns) == ["cohort", "size", "eligible", "repurchased", "repurchase_rate"]


# ---------------------------------------------------------------- bad input


def test_bad_survival_input():
    with pytest.raises(voc.InputError) as e:
        vr.kaplan_meier(durations=[1.0, -2.0], events=[1, 0])
    assert (e.value.arg, e.value.index, e.value.value) == ("durations", 1, -2.0)
    assert isinstance(e.value, ValueError)
    with pytest.raises(voc.InputError) as e:
        vr.kaplan_meier(durations=[1.0, 2.0], events=[1, 2])
    assert (e.value.arg, e.value.index) == ("events", 1)
    with pytest.raises(voc.MissingValueError) as e:
        vr.kaplan_meier(durations=[1.0, np.nan], events=[1, 0])
    assert (e.value.arg, e.value.index) == ("durations", 1)
    with pytest.raises(voc.NonFiniteError):
        vr.kaplan_meier(durations=[1.0, np.inf], events=[1, 0])
    with pytest.raises(voc.LengthMismatchError):
        vr.kaplan_meier(durations=[1.0, 2.0], events=[1])
    with pytest.raises(voc.LengthMismatchError) as e:
        vr.kaplan_meier(durations=[1.0, 2.0], events=[1, 1], by=["a"])
    assert e.value.arg == "by"
    with pytest.raises(voc.EmptyInputError):
        vr.kaplan_meier(durations=[], events=[])
    with pytest.raises(voc.MissingValueError):
        vr.kaplan_meier(durations=pytest.importorskip("pyarrow").array([1.0, None]), events=[1, 0])
    with pytest.raises(voc.DtypeError):
        vr.kaplan_meier(durations=["a", "b"], events=[1, 0])
    # all censored: documented behaviour — a flat curve with an infinite median
    km = vr.kaplan_meier(durations=[1.0, 2.0], events=[0, 0])
    assert km.median == np.inf
    with pytest.raises(voc.InsufficientDataError):
        vr.logrank_test(durations=[1.0, 2.0], events=[0, 0], by=[0, 1])
    with pytest.raises(voc.InsufficientDataError):
        vr.logrank_test(durations=[1.0, 2.0], events=[1, 1], by=[0, 0])
    with pytest.raises(voc.MissingValueError):
        vr.concordance_index(durations=[1.0, 2.0], scores=[0.5, np.nan])


def test_bad_cox_input(rossi):
    t, e = rossi["week"], rossi["arrest"]
    with pytest.raises(voc.InsufficientDataError):
        vr.fit_cox(rossi[["age"]], durations=t, events=np.zeros(len(t)))
    x = rossi[["age", "prio"]].to_numpy(float)
    x[5, 1] = np.inf
    with pytest.raises(voc.NonFiniteError) as err:
        vr.fit_cox(x, durations=t, events=e)
    assert err.value.index == (5, 1) and 'covariates[row 5, column "x1"]' in str(err.value)
    x[5, 1] = np.nan
    with pytest.raises(voc.MissingValueError) as err:
        vr.fit_cox(np.asfortranarray(x), durations=t, events=e)
    assert err.value.index == (5, 1) and 'covariates[row 5, column "x1"]' in str(err.value)
    fit = vr.fit_cox(rossi, durations="week", events="arrest", covariates=["age", "prio"])
    bad = rossi[["age", "prio"]].astype(float)
    bad.loc[3, "prio"] = np.nan
    with pytest.raises(voc.MissingValueError) as err:
        fit.predict_log_partial_hazard(bad)
    assert err.value.index == 3 and "covariates['prio'][3]" in str(err.value)
    with pytest.raises(voc.ColumnNotFoundError):
        fit.predict_log_partial_hazard(rossi[["age"]])
    with pytest.raises(voc.LengthMismatchError):
        fit.predict_log_partial_hazard(np.ones((3, 3)))
    df = rossi.assign(age2=2 * rossi["age"] + 1)
    with pytest.raises(voc.InputError) as err:
        vr.fit_cox(df, durations="week", events="arrest", covariates=["age", "prio", "age2"])
    assert err.value.arg == "covariates" and err.value.index == 2
    with pytest.raises(voc.InputError):
        vr.fit_cox(rossi.assign(c=1.0), durations="week", events="arrest", covariates=["c"])
    with pytest.raises(voc.ConvergenceError):
        vr.fit_cox(np.array([[4.0], [3.0], [2.0], [1.0]]), durations=[1.0, 2.0, 3.0, 4.0], events=[1, 1, 1, 1])
    with pytest.raises(voc.InvalidOptionError):
        vr.fit_cox(rossi, durations="week", events="arrest", ties="exact")  # type: ignore[arg-type]
    with pytest.raises(voc.InvalidOptionError):
        vr.fit_cox(rossi, durations="week", events="arrest", penalizer=-1.0)
    with pytest.raises(voc.LengthMismatchError):
        vr.fit_cox(rossi[["age"]].to_numpy(), durations=t[:10], events=e[:10])
    with pytest.raises(voc.LengthMismatchError):
        vr.fit_cox(durations=t[:10], events=e[:10], covariates=[rossi["age"]])
    with pytest.raises(voc.InvalidOptionError, match="covariates"):
        vr.fit_cox(durations=t, events=e)


def test_bad_clv_input(cdnow):
    with pytest.raises(voc.ScoreRangeError):  # NotWhole
        vr.fit_bgnbd(frequency=[1.5], recency=[1.0], T=[2.0])
    with pytest.raises(voc.InputError) as e:
        vr.fit_bgnbd(frequency=[1, 2], recency=[1.0, 5.0], T=[2.0, 4.0])
    assert (e.value.arg, e.value.index) == ("recency", 1)
    with pytest.raises(voc.InputError):
        vr.fit_bgnbd(frequency=[0], recency=[1.0], T=[2.0])
    with pytest.raises(voc.InsufficientDataError):
        vr.fit_bgnbd(frequency=[0, 0], recency=[0.0, 0.0], T=[2.0, 3.0])
    with pytest.raises(voc.ConvergenceError):
        vr.fit_bgnbd(cdnow, max_iter=2)
    with pytest.raises(voc.InputError):
        vr.fit_gamma_gamma(frequency=[1, 2], monetary=[10.0, -1.0])
    with pytest.raises(voc.InvalidOptionError):
        vr.BgNbdModel(0.2, -1.0, 0.5, 2.0)
    with pytest.raises(voc.InvalidOptionError):
        vr.BgNbdModel(0.2, 1.0, 0.5, 2.0).summary(confidence=1.5)
    with pytest.raises(voc.DtypeError):  # the default role names need a table (data=None is not one)
        vr.fit_bgnbd()


# ---------------------------------------------------------------- pickling, reprs, docstrings


def test_results_pickle_and_render(rossi, waltons, cdnow, cdnow_raw):
    objs = [
        vr.kaplan_meier(waltons, durations="T", events="E", by="group"),
        vr.kaplan_meier(waltons, durations="T", events="E", by=np.where(waltons["group"] == "control", 1.0, 2.0)),
        vr.logrank_test(waltons, durations="T", events="E", by="group"),
        vr.fit_cox(rossi, durations="week", events="arrest"),
        vr.fit_bgnbd(cdnow),
        vr.GammaGammaModel(6.25, 3.74, 15.44),
        vr.cohort_retention(cdnow_raw, customers="id", time="date"),
    ]
    for o in objs:
        back = pickle.loads(pickle.dumps(o))
        assert back == o
        assert type(o).__name__ in repr(o)
        assert type(o).__name__ in o._repr_html_()
        assert isinstance(o.to_dict(), dict)


def test_model_pickles_are_the_core_byte_form(rossi, cdnow):
    fit = vr.fit_cox(rossi, durations="week", events="arrest")
    bg = vr.fit_bgnbd(cdnow)
    gg = vr.GammaGammaModel(6.25, 3.74, 15.44)
    for obj, magic in [(fit, b"VCOX"), (bg, b"VBGN"), (gg, b"VGGM")]:
        rebuild, state = obj.__reduce__()
        data = state[0]
        assert data[:4] == magic and data == obj.to_bytes()
        assert rebuild(*state) == obj == type(obj).from_bytes(data)
        with pytest.raises(voc.DecodeError):
            rebuild(data[:-1])
        flipped = bytes([data[0] ^ 1]) + data[1:]
        with pytest.raises(voc.DecodeError):
            type(obj).from_bytes(flipped)


def test_docstrings():
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for f in [vr.fit_cox, vr.rfm_summary, vr.kaplan_meier]:
        for test in doctest.DocTestFinder().find(f, f.__name__, globs={}):
            runner.run(test)
    r = runner.summarize(verbose=False)
    assert r.attempted > 0 and r.failed == 0
