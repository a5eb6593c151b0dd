"""Issue 16: no silent wrong answers, and every error is voc's (an ``errors.VocError`` naming the argument).

Each test is the reproducer of a reported case; see docs/reliability/values.md.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import voc
from voc import errors

DAYS = np.array(["2024-01-03", "2024-01-04", "2024-01-20", "2024-02-02"], dtype="datetime64[D]")


# ---------------------------------------------------------------- silently wrong


@pytest.mark.parametrize("fn", ["rfm_summary", "cohort_retention", "calibration_and_holdout"])
def test_nat_time_is_missing_not_1677(fn):
    t = np.array(["2024-01-03", "NaT", "2024-01-20", "2024-02-02"], dtype="datetime64[ns]")
    kw = {"calibration_end": "2024-01-25", "observation_end": "2024-03-01"} if fn == "calibration_and_holdout" else {}
    with pytest.raises(errors.MissingValueError) as e:
        getattr(voc.retention, fn)(customers=[1, 1, 2, 3], time=t, **kw)
    assert (e.value.arg, e.value.index) == ("time", 1)


def test_pandas_nat_time_is_missing():
    df = pd.DataFrame({"c": [1, 1, 2], "t": pd.to_datetime(["2024-01-03", None, "2024-01-20"])})
    with pytest.raises(errors.MissingValueError) as e:
        voc.retention.rfm_summary(df, customers="c", time="t")
    assert (e.value.arg, e.value.index) == ("time", 1)


def test_nat_observation_end_is_missing():
    with pytest.raises(errors.MissingValueError) as e:
        voc.retention.rfm_summary(customers=[1, 1, 2, 3], time=DAYS, observation_end=np.datetime64("NaT"))
    assert e.value.arg == "observation_end"


def test_observation_end_after_2262_is_right_or_an_error():
    # Days: representable, so the answer is computed (T counted to 2300), never an empty table.
    s = voc.retention.rfm_summary(customers=[1, 1, 2, 3], time=DAYS, observation_end="2300-01-01")
    assert len(s) == 3
    expected_t = float((np.datetime64("2300-01-01") - np.datetime64("2024-01-03")).astype(int))
    assert s["T"][0] == expected_t
    # Nanoseconds cannot hold 2300: an error naming the argument, not a wrapped-around date.
    with pytest.raises(errors.InvalidOptionError) as e:
        voc.retention.rfm_summary(
            customers=[1, 1, 2, 3], time=DAYS.astype("datetime64[ns]"), observation_end="2300-01-01"
        )
    assert e.value.arg == "observation_end"
    # A cohort matrix up to 2300 is beyond the documented span limit: an error, not a wrapped-around date.
    with pytest.raises(errors.LimitError):
        voc.retention.cohort_retention(customers=[1, 1, 2, 3], time=DAYS, observation_end="2300-01-01")
    c = voc.retention.cohort_retention(customers=[1, 1, 2, 3], time=DAYS, observation_end="2100-01-01")
    assert c.cohorts[0] == "2024-01"


def test_compare_csat_on_different_scales_is_an_error():
    a = voc.csat([1, 2, 3, 4, 5, 5], scale=(1, 5))
    b = voc.csat([1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10], scale=(1, 10))
    with pytest.raises(errors.IncompatibleError, match=r"1\.\.=5 and 1\.\.=10"):
        voc.compare(a, b)
    with pytest.raises(errors.IncompatibleError, match="satisfied"):
        voc.compare(a, voc.csat([1, 2, 3, 4, 5, 5], scale=(1, 5), satisfied_from=5))
    with pytest.raises(errors.IncompatibleError, match="scales"):
        voc.compare(voc.ces([1, 2, 7, 5], scale=(1, 7)), voc.ces([1, 2, 5, 4], scale=(1, 5)))
    # Same scale: a real test.
    assert 0 <= voc.compare(a, voc.csat([5, 5, 4, 1], scale=(1, 5))).p_value <= 1


def test_compare_survives_pickle_of_the_scale():
    a = voc.csat([1, 2, 3, 4, 5, 5], scale=(1, 5))
    b = pickle.loads(pickle.dumps(voc.csat([1, 2, 3, 9, 10], scale=(1, 10))))
    with pytest.raises(errors.IncompatibleError):
        voc.compare(a, b)


def test_mention_state_merge_rejects_other_rollup():
    m = voc.text.themes()
    texts = ["the price was too high", "delivery late and price high", "great staff"]
    s1 = m.mention_state(texts=texts, rollup=True)
    s2 = m.mention_state(texts=texts, rollup=False)
    with pytest.raises(errors.IncompatibleError, match="rollup"):
        s1.merge(s2)


def test_mentions_error_names_the_row_and_the_right_option():
    m = voc.text.themes()
    with pytest.raises(errors.MissingValueError) as e:
        m.mention_rates(texts=["a", "b", None, "c"])
    assert (e.value.arg, e.value.index) == ("texts", 2)
    assert 'missing="skip"' in str(e.value) and "on_invalid" not in str(e.value)
    with pytest.raises(errors.DtypeError, match="position 2"):
        m.mention_rates(texts=["a", "b", 3, "c"])


@pytest.mark.parametrize("level", [1 - 1e-16, 1.0, 0.0, -0.5, float("nan"), float("inf")])
def test_confidence_needs_a_representable_quantile(level):
    for call in (
        lambda: voc.csat([1, 2, 5, 5], confidence=level),
        lambda: voc.nps([1, 9, 10, 8, 7], confidence=level),
        lambda: voc.ces([1, 2, 7, 5], confidence=level),
        lambda: voc.stats.proportion_ci(3, 10, confidence=level),
    ):
        with pytest.raises(errors.InvalidOptionError) as e:
            call()
        assert e.value.arg == "confidence"


def test_high_confidence_is_finite():
    r = voc.csat([1, 2, 5, 5], confidence=1 - 1e-12)
    assert np.isfinite(r.ci).all() if hasattr(r, "ci") else True
    r = voc.stats.proportion_ci(3, 10, confidence=1 - 1e-12)
    lo, hi = r.ci_low, r.ci_high
    assert 0 <= lo < hi <= 1


def test_trend_with_a_zero_weight_period_reports_that_cell():
    t = np.array(["2024-01-01", "2024-01-02", "2024-02-01", "2024-02-02", "2024-03-01"], dtype="datetime64[D]")
    tab = voc.nps([9, 10, 1, 5, 10], weights=[1.0, 1.0, 0.0, 0.0, 1.0], period="month", time=t).table.to_pandas()
    assert tab["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert tab["nps"][0] == 100.0 and np.isnan(tab["nps"][1]) and tab["nps"][2] == 100.0
    assert pd.isna(tab["undefined_reason"][0]) and "zero total weight" in tab["undefined_reason"][1]
    assert tab["previous"][2] == "2024-01"  # compared with the last period that has a result
    # Every period at zero weight: nothing to report.
    with pytest.raises(errors.EmptyInputError):
        voc.nps([9, 10], weights=[0.0, 0.0], period="month", time=t[:2])


def test_km_percentile_and_survival_at_validate():
    km = voc.retention.kaplan_meier(durations=[5.0, 8.0, 12.0, 20.0], events=[1, 0, 1, 1])
    for q in (-0.1, 1.5, float("nan")):
        with pytest.raises(errors.InvalidOptionError) as e:
            km.percentile(q)
        assert e.value.arg == "q"
    assert km.percentile(0.5) == 12.0
    with pytest.raises(errors.MissingValueError) as e2:
        km.survival_at([1.0, np.nan])
    assert (e2.value.arg, e2.value.index) == ("times", 1)
    with pytest.raises(errors.DtypeError) as e3:
        km.survival_at("10")
    assert e3.value.arg == "times"


@pytest.mark.parametrize("tol", [float("inf"), float("nan"), 0.0, -1.0, 1.0, 1e308])
def test_tol_must_be_finite_and_positive(tol):
    s = voc.retention.rfm_summary(
        customers=[1, 1, 2, 3, 3, 3], time=np.array(["2024-01-01", "2024-02-01", "2024-01-05", "2024-01-02",
                                                     "2024-01-09", "2024-03-01"], dtype="datetime64[D]"))
    for fit in (voc.retention.fit_bgnbd, voc.retention.fit_gamma_gamma):
        with pytest.raises(errors.InvalidOptionError) as e:
            fit(s, tol=tol)
        assert e.value.arg == "tol"
    with pytest.raises(errors.InvalidOptionError) as e:
        voc.retention.fit_cox(durations=[1.0, 2.0, 3.0], events=[1, 0, 1], covariates={"x": [0.1, 0.5, 0.2]}, tol=tol)
    assert e.value.arg == "tol"


def test_reason_shares_rejects_a_single_str():
    with pytest.raises(errors.DtypeError) as e:
        voc.text.reason_shares("price")
    assert e.value.arg == "reasons"
    assert voc.text.reason_shares(["price"])["count"].tolist() == [1]


# ---------------------------------------------------------------- errors that are voc's

X = np.random.default_rng(0).normal(size=(30, 2))


@pytest.mark.parametrize(
    ("call", "arg", "cls"),
    [
        (lambda: voc.segment.fit_kmeans(x=X, k=1.5), "k", errors.InvalidOptionError),
        (lambda: voc.segment.fit_kmeans(x=X, k=-1), "k", errors.InvalidOptionError),
        (lambda: voc.segment.fit_kmeans(x=X, k=True), "k", errors.DtypeError),
        (lambda: voc.segment.fit_kmeans(x=X, k="2"), "k", errors.DtypeError),
        (lambda: voc.segment.fit_kmeans(x=X, k=2, seed=-1), "seed", errors.InvalidOptionError),
        (lambda: voc.segment.fit_kmeans(x=X, k=2, seed=2**64), "seed", errors.InvalidOptionError),
        (lambda: voc.segment.fit_kmeans(x=X, k=2, n_init=-3), "n_init", errors.InvalidOptionError),
        (lambda: voc.segment.fit_kmeans(x=X, k=2, parallel="yes"), "parallel", errors.DtypeError),
        (lambda: voc.nps([1, 9, 10], interval=1), "interval", errors.DtypeError),
        (lambda: voc.nps([1, 9, 10], confidence="high"), "confidence", errors.DtypeError),
        (lambda: voc.nps([1, 9, 10], interval="\ud800"), "interval", errors.InvalidOptionError),
        (lambda: voc.nps([1, 9, 10], interval="bootstrap", resamples=-5), "resamples", errors.InvalidOptionError),
        (lambda: voc.risk.calibration(y=[0, 1, 0, 1], scores=[0.1, 0.2, 0.3, 0.4], bins=-1), "bins",
         errors.InvalidOptionError),
        (lambda: voc.risk.calibration(y=[0, 1, 0, 1], scores=[0.1, 0.2, 0.3, 0.4], bins=2.5), "bins",
         errors.InvalidOptionError),
        (lambda: voc.retention.fit_bgnbd(frequency=[1], recency=[1.0], T=[2.0], max_iter=-1), "max_iter",
         errors.InvalidOptionError),
        (lambda: voc.stats.welch_test("a", 1, 5, 1, 1, 5), "mean1", errors.DtypeError),
        (lambda: voc.text.normalize("x", lowercase=1), "lowercase", errors.DtypeError),
    ],
)
def test_option_errors_are_vocs(call, arg, cls):
    with pytest.raises(cls) as e:
        call()
    assert isinstance(e.value, errors.VocError)
    assert e.value.arg == arg
    assert str(e.value).startswith(f"{arg}: ")


def test_integral_floats_are_whole_numbers():
    a = voc.segment.fit_kmeans(x=X, k=2.0, seed=np.int64(3))
    b = voc.segment.fit_kmeans(x=X, k=2, seed=3)
    assert a == b


def test_alerts_unknown_value_column_is_column_not_found():
    data = {"customer_id": [11, 12, 13, 14], "refund_delay_days": [20.0, 1.0, 15.0, 0.0],
            "monetary": [500.0, 900.0, 80.0, 300.0]}
    m = voc.risk.fit_logistic(data, x=["refund_delay_days"], y=[1, 0, 1, 0], C=0.5)
    with pytest.raises(errors.ColumnNotFoundError) as e:
        voc.risk.alerts(data, model=m, value="nope")
    assert e.value.arg == "value"
    with pytest.raises(errors.InvalidOptionError) as e2:
        voc.risk.alerts(data, model=m, value="monetary", reasons=-1)
    assert e2.value.arg == "reasons"


def test_the_argument_note_never_overrides_a_known_arg():
    e = errors.InvalidOptionError("bad", "confidence")
    e.add_note("while processing 'k'")
    assert e.arg == "confidence" and str(e) == "bad"
    e2 = errors.InvalidOptionError("bad")
    e2.add_note("while processing 'k'")
    assert e2.arg == "k" and str(e2) == "k: bad"
    assert pickle.loads(pickle.dumps(e2)).arg == "k"


def test_top_box_must_be_finite():
    data = {"nps": [9.0, 3, 7, 10, 6, 8], "d1": [1.0, 2, 3, 4, 2, 5], "d2": [2.0, 1, 4, 3, 5, 1]}
    with pytest.raises(errors.InvalidOptionError) as e:
        voc.impact.driver_quadrants(data, outcome="nps", drivers=["d1", "d2"], top_box=float("nan"))
    assert e.value.arg == "top_box"


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda: voc.impact.key_drivers({"y": [1.0, 2, 3], "a": [1.0, 2, 4]}, outcome="y", drivers=3), "drivers"),
        (lambda: voc.impact.theme_impact({"theme_a": [1, 0]}, churned=[1, 0], exclude=5), "exclude"),
        (lambda: voc.retention.rfm_summary(customers=[1], time=DAYS[:1], observation_end="not a date"),
         "observation_end"),
        (lambda: voc.retention.rfm_summary(customers=[1], time=DAYS[:1], observation_end=2**70), "observation_end"),
        (lambda: voc.sample.retailer(customers=10, start=5), "start"),
        (lambda: voc.impact.roi(churn_reduction_ci="ab"), "churn_reduction_ci"),
        (lambda: voc.impact.what_if(5), "data"),
        (lambda: voc.nps_test(5), "result"),
        (lambda: voc.text.normalize(5), "text"),
        (lambda: voc.text.reason_shares(5), "reasons"),
        (lambda: voc.segment.fit_kmeans(x=X, k=2, init="\ud800"), "init"),
        (lambda: voc.nps({"s": [9, 10]}, scores="\ud800"), "scores"),
    ],
)
def test_python_side_arguments_are_vocs(call, arg):
    with pytest.raises(errors.InputError) as e:
        call()
    assert e.value.arg == arg


@pytest.mark.parametrize("value", [np.complex128(1 + 2j), np.complex64(1), 1 + 0j])
def test_complex_numbers_are_not_cast_to_real(value: object) -> None:
    # numpy's __float__ would drop the imaginary part with only a ComplexWarning.
    with pytest.raises(errors.DtypeError) as e:
        voc.impact.before_after((value, 1000), (80, 1000))
    assert e.value.arg == "before"
    with pytest.raises(errors.DtypeError) as e:
        voc.impact.holdout((80, 1000), (value, 1000))
    assert e.value.arg == "control"
