"""voc.impact against docs/conventions.md: labels coded as voc.nps codes them, n_missing, missing values,
the one zero_cells default, typed results."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest

import voc
from voc import impact

SCORES = [10, 9, 3, 8, 7, 1, 6, 10]
CHURNED = [0, 1, 1, 0, 1, 0, 0, 1]

LABELS = {
    "int": [10, 9, 2, 10, 2, 9, 9, 2],
    "int-sparse": [10_000_000, 9, 2, 10_000_000, 2, 9, 9, 2],
    "uint8": np.array([10, 9, 2, 10, 2, 9, 9, 2], dtype=np.uint8),
    "str": ["b", "a", "c", "a", "b", "c", "B", "a"],
    "float": np.array([1.0, 2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 2.0]),
    "bool": [True, False, True, True, False, False, True, True],
    "pandas-int": pd.Series([10, 9, 2, 10, 2, 9, 9, 2]),
    "pandas-str": pd.Series(["b", "a", "c", "a", "b", "c", "B", "a"]),
    "categorical": pd.Series(pd.Categorical(["lo", "hi", "hi", "mid", "lo", "mid", "hi", "lo"],
                                            categories=["lo", "mid", "hi"], ordered=True)),
}


def _nps_groups(by):
    try:
        return voc.nps(SCORES, by=by).table["group"], None
    except voc.VocError as e:
        return None, type(e)


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_labels_come_back_in_the_order_and_dtype_of_voc_nps(kind):
    by = LABELS[kind]
    want, error = _nps_groups(by)
    if error is not None:  # the same labels are refused the same way
        with pytest.raises(error):
            impact.outcome_by_class(by=by, churned=CHURNED)
        return
    got = impact.outcome_by_class(by=by, churned=CHURNED).table["group"]
    assert type(got) is type(want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
    else:
        assert list(got) == list(want)
    state = impact.outcome_state(by=by, churned=CHURNED)
    assert list(state.names) == list(want)
    again = impact.OutcomeState.from_bytes(state.to_bytes()).finish().table["group"]
    assert list(again) == list(want) and type(again) is type(want)


def test_int_labels_are_ints_in_value_order():
    t = impact.outcome_by_class(by=[10, 9, 2], churned=[0, 1, 1]).table
    assert t["group"].dtype.kind == "i" and t["group"].tolist() == [2, 9, 10]
    assert list(t["n"]) == [1, 1, 1] and list(t["churn_rate"]) == [1.0, 1.0, 0.0]
    r = impact.class_ratio(by=[10, 9, 2, 10, 2, 2], spend=[3.0, 1.0, 1.0, 5.0, 2.0, 3.0], numerator=10, denominator=2)
    assert (r.numerator, r.denominator, r.estimate) == ("10", "2", 2.0)
    fixed = impact.outcome_by_class(by=[10, 9, 2], churned=[0, 1, 1], names=[10, 9, 2, 7]).table
    assert fixed["group"].tolist() == [10, 9, 2, 7] and list(fixed["n"]) == [1, 1, 1, 0]
    with pytest.raises(voc.InvalidOptionError, match="integer names"):
        impact.outcome_by_class(by=[10, 9, 2], churned=[0, 1, 1], names=["10", "9", "2"])


def test_missing_rows_are_counted():
    r = impact.outcome_by_class(
        nps=[9, None, 3, 10, np.nan, 7], churned=[0, 1, 1, 0, 0, np.nan], spend=[5.0, 1.0, 2.0, np.nan, 3.0, 4.0],
        missing="skip",
    )
    # rows 1 and 4 have no NPS answer; row 3 (a promoter) misses spend, row 5 (a passive) misses churn
    assert (r.n, r.n_missing) == (2, 4)
    t = r.table
    assert list(t["group"]) == ["detractor", "passive", "promoter"]
    assert list(t["n"]) == [1, 0, 1] and list(t["n_missing"]) == [0, 1, 1]
    labels = impact.outcome_by_class(by=["a", None, "b", "a"], churned=[1, 0, 0, 1], missing="skip")
    assert list(labels.table["group"]) == ["a", "b"] and labels.n_missing == 1
    with pytest.raises(voc.MissingValueError, match=r"spend\[3\]"):
        impact.outcome_by_class(nps=[9, 3, 3, 10], churned=[0, 1, 1, 0], spend=[5.0, 1.0, 2.0, np.nan])
    # merged states add their counts
    a = impact.outcome_state(nps=[9, None], churned=[0, 1], missing="skip")
    b = impact.outcome_state(nps=[3, 10], churned=[1, np.nan], missing="skip")
    a.merge(b)
    assert (a.n, a.n_missing) == (2, 2) and a.finish().n_missing == 2


def test_correlation_nan_is_a_missing_value():
    with pytest.raises(voc.MissingValueError) as e:
        impact.correlation(x=[1.0, np.nan, 3.0, 4.0], y=[1.0, 2.0, 3.0, 5.0])
    assert (e.value.arg, e.value.index) == ("x", 1) and not isinstance(e.value, voc.NonFiniteError)
    r = impact.correlation(x=[1.0, np.nan, 3.0, 4.0, 5.0], y=[1.0, 2.0, 3.0, 5.0, 4.0], missing="skip")
    assert (r.n, r.n_missing) == (4, 1)


def test_zero_cells_default_is_error_everywhere():
    for f in (impact.contingency, impact.theme_impact):
        assert inspect.signature(f).parameters["zero_cells"].default == "error"
    with pytest.raises(voc.InsufficientDataError):
        impact.contingency([[0, 10], [5, 5]])
    # A theme whose table has an empty cell keeps the rest of the table: no risk ratio, unless asked.
    flags = {"theme_rare": [1, 0, 0, 0, 0, 0], "theme_common": [1, 1, 1, 0, 0, 0]}
    churned = [0, 1, 1, 0, 1, 0]
    t = impact.theme_impact(flags, churned=churned).to_pandas().set_index("theme")
    assert np.isnan(t.loc["rare", "risk_ratio"]) and np.isfinite(t.loc["common", "risk_ratio"])
    h = impact.theme_impact(flags, churned=churned, zero_cells="haldane").to_pandas().set_index("theme")
    assert np.isfinite(h.loc["rare", "risk_ratio"])


def test_theme_impact_never_fills_nan():
    flags = {"theme_a": [1, 0, 1, 0], "churned": [1, 0, 1, 0], "monetary": [5.0, 1.0, np.nan, 2.0]}
    with pytest.raises(voc.MissingValueError, match=r"value\[2\]") as e:
        impact.theme_impact(flags, churned="churned", value="monetary")
    assert (e.value.arg, e.value.index) == ("value", 2)


RESULTS = {
    "holdout": (lambda: impact.holdout((80, 1000), (120, 1000)), impact.HoldoutResult,
                ["estimate", "ci_low", "ci_high", "p_value", "method", "confidence", "n", "rate_treated"]),
    "before_after": (lambda: impact.before_after((120, 1000), (80, 1000)), impact.BeforeAfterResult,
                     ["estimate", "se", "statistic", "p_value", "ci_low", "ci_high", "confidence", "n"]),
    "diff_in_diff": (lambda: impact.diff_in_diff(cells=[(0.3, 0.21, 50), (0.2, 0.16, 50), (0.3, 0.21, 50), (0.3, 0.21, 50)]),
                     impact.DiffInDiffResult,
                     ["estimate", "se", "statistic", "df", "p_value", "ci_low", "ci_high", "confidence", "method", "n"]),
    "contingency": (lambda: impact.contingency([[30, 70], [10, 90]]), impact.ContingencyResult,
                    ["estimate", "se", "statistic", "p_value", "ci_low", "ci_high", "confidence", "n", "risk_ratio"]),
    "chi_square": (lambda: impact.chi_square([[10, 20], [20, 10]]), impact.ChiSquareResult,
                   ["statistic", "df", "p_value", "n", "cramers_v"]),
    "fisher_exact": (lambda: impact.fisher_exact([[8, 2], [1, 5]]), impact.FisherResult, ["estimate", "p_value"]),
    "rate_ratio": (lambda: impact.rate_ratio(90, 30, 300, 30), impact.RateRatioResult,
                   ["estimate", "ci_low", "ci_high", "p_value", "confidence", "method"]),
    "sample_size": (lambda: impact.sample_size(0.2, 0.16), impact.SampleSizeResult, ["n_treated", "method"]),
    "mde": (lambda: impact.minimum_detectable_effect(0.2, 2000), impact.SampleSizeResult, ["p_treated"]),
    "roi": (lambda: impact.roi(holdout=impact.holdout((80, 1000), (120, 1000)), customers=1000, clv=10, program_cost=100),
            impact.RoiResult, ["estimate", "ci_low", "ci_high", "churn_value"]),
    "what_if": (lambda: impact.what_if({"detractor": (3, 8, 0.3), "passive": (3, 10, 0.1), "promoter": (4, 13, 0.1)}),
                impact.WhatIfResult, ["nps_before", "nps_after", "revenue_change"]),
    "class_ratio": (lambda: impact.class_ratio(nps=[9, 10, 3, 2], spend=[3.0, 5.0, 2.0, 2.0], numerator="promoter",
                                               denominator="detractor"),
                    impact.ClassRatioResult, ["estimate", "ci_low", "ci_high", "p_value", "confidence", "n_missing"]),
    "outcome_by_class": (lambda: impact.outcome_by_class(nps=[9, 3, 7, 10], churned=[0, 1, 1, 0]),
                         impact.OutcomeByClassResult,
                         ["table", "statistic", "df", "p_value", "n", "n_missing", "confidence"]),
    "key_drivers": (lambda: impact.key_drivers({"y": [1.0, 2, 3, 4, 5, 7], "a": [1.0, 3, 2, 5, 4, 6], "b": [2.0, 1, 4, 3, 6, 5]},
                                               outcome="y"),
                    impact.KeyDriversResult, ["table", "r2", "n", "n_missing", "method", "confidence"]),
    "correlation_matrix": (lambda: impact.correlation_matrix({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3]}),
                           impact.CorrelationMatrix, ["pairs", "estimate", "p_value", "n", "n_missing"]),
}


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_results_are_typed_frozen_and_render(name):
    make, cls, fields = RESULTS[name]
    r = make()
    assert type(r) is cls and cls.__module__ == "voc._voc"
    d = r.to_dict()
    assert isinstance(d, dict)
    for f in fields:
        assert f in d and hasattr(r, f), f
    assert "p" not in d and not any(k.endswith("_p") for k in d)
    assert "<table" in r._repr_html_() or "<p>" in r._repr_html_()
    with pytest.raises(AttributeError):
        setattr(r, fields[0], 0.0)
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is cls and back.to_dict().keys() == d.keys()


def test_the_holdout_result_is_what_roi_reads():
    h = impact.holdout((80, 1000), (120, 1000))
    r = impact.roi(holdout=h, customers=50_000, clv=300)
    assert r.churn_reduction == -h.estimate
    assert (r.churn_reduction_ci_low, r.churn_reduction_ci_high) == (-h.ci_high, -h.ci_low)
    assert impact.roi(churn_reduction=-h.estimate, churn_reduction_ci=(-h.ci_high, -h.ci_low),
                      customers=50_000, clv=300) == r


def test_not_a_table_is_a_dtype_error_and_a_missing_column_is_column_not_found():
    with pytest.raises(voc.DtypeError):
        impact.correlation_matrix([1, 2, 3])
    with pytest.raises(voc.ColumnNotFoundError):
        impact.outcome_by_class({"nps": [9, 3]}, by="segment", churned=[0, 1])
    with pytest.raises(voc.ColumnNotFoundError):
        impact.correlation_matrix({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 4.0]}, columns=["a", "c"])


def test_every_public_function_has_an_example_that_runs():
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    functions = [n for n in impact.__all__ if inspect.isfunction(getattr(impact, n))]
    assert len(functions) == 21
    missing = [n for n in functions if ">>>" not in (getattr(impact, n).__doc__ or "")]
    assert not missing, f"no example in {missing}"
    for name in functions:
        for t in finder.find(getattr(impact, name), f"voc.impact.{name}", globs={}):
            runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.attempted >= len(functions) and result.failed == 0


def test_matrix_pairs_carry_the_interval_of_the_single_correlation():
    d = {"a": [1.0, 2.0, 3.0, 4.0, 5.0, 7.0], "b": [2.0, 1.0, 4.0, 3.0, 5.0, 6.0], "c": [9.0, 7.0, 8.0, 3.0, 1.0, 2.0]}
    m = impact.correlation_matrix(d, method="spearman", confidence=0.9)
    one = impact.correlation(d, x="b", y="c", method="spearman", confidence=0.9)
    assert m.confidence == 0.9
    assert (float(m.pairs["ci_low"][2]), float(m.pairs["ci_high"][2])) == (one.ci_low, one.ci_high)
