"""The binding surface: public names, frozen results, repr / HTML / dict forms, tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from _helpers import assert_close

import voc
import voc.errors
import voc.metrics
import voc.stats

EXAMPLE = [10, 9, 9, 8, 7, 6, 3, 10, 9, 10]  # 6 promoters, 2 passives, 2 detractors: NPS 40


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("module", [voc, voc.metrics, voc.stats, voc.errors], ids=lambda m: m.__name__)
def test_every_public_name_exists(module):
    names = module.__all__
    assert len(names) == len(set(names)), "duplicates in __all__"
    missing = [n for n in names if not hasattr(module, n)]
    assert missing == []


def test_expected_public_names_are_listed():
    expected_top = {
        "nps", "csat", "ces", "compare", "nps_test", "NpsState", "CsatState", "CesState", "NpsResult",
        "CsatResult", "CesResult", "TestResult", "Table", "VocError", "InputError", "ScoreRangeError",
        "NonFiniteError", "MissingValueError", "EmptyInputError", "LengthMismatchError", "InvalidOptionError",
        "DtypeError", "IncompatibleError", "DecodeError", "InsufficientDataError", "errors", "metrics", "stats",
        "__version__",
    }
    assert expected_top <= set(voc.__all__)
    assert {"nps", "csat", "ces", "compare", "nps_test", "NpsState", "CsatState", "CesState", "NpsResult",
            "CsatResult", "CesResult", "TestResult", "Table"} <= set(voc.metrics.__all__)
    assert {"proportion_ci", "two_proportion_test", "welch_test", "TestResult"} <= set(voc.stats.__all__)


def test_submodules_reexport_the_same_objects():
    for name in voc.metrics.__all__:
        if name in voc.__all__:
            assert getattr(voc.metrics, name) is getattr(voc, name), name
    assert voc.stats.TestResult is voc.TestResult
    for name in voc.errors.__all__:
        assert getattr(voc, name) is getattr(voc.errors, name), name


def test_version_is_a_dotted_string():
    assert isinstance(voc.__version__, str)
    assert len(voc.__version__.split(".")) >= 2


@pytest.mark.parametrize(
    "cls",
    [voc.NpsResult, voc.CsatResult, voc.CesResult, voc.NpsState, voc.CsatState, voc.CesState, voc.TestResult,
     voc.Table],
    ids=lambda c: c.__name__,
)
def test_classes_live_in_voc__voc(cls):
    assert cls.__module__ == "voc._voc"


def test_exception_tree():
    E = voc.errors
    input_errors = [E.ScoreRangeError, E.NonFiniteError, E.MissingValueError, E.EmptyInputError,
                    E.LengthMismatchError, E.InvalidOptionError, E.DtypeError, E.IncompatibleError,
                    E.DecodeError, E.InsufficientDataError]
    for cls in input_errors:
        assert issubclass(cls, E.InputError), cls
        assert issubclass(cls, E.VocError), cls
        assert issubclass(cls, ValueError), cls
    assert issubclass(E.InputError, ValueError)
    assert issubclass(E.DtypeError, TypeError)
    assert issubclass(E.ConvergenceError, E.VocError)
    assert issubclass(E.ConvergenceError, ArithmeticError)
    assert not issubclass(E.ConvergenceError, ValueError)
    assert not issubclass(E.VocError, ValueError)


def test_exception_attributes_default_to_none():
    e = voc.VocError("boom")
    assert (str(e), e.message, e.arg, e.index, e.value) == ("boom", "boom", None, None, None)
    e = voc.ScoreRangeError("scores[3] = 11 is outside", "scores", 3, 11.0)
    assert (e.arg, e.index, e.value) == ("scores", 3, 11.0)


def test_errors_docstring_example():
    with pytest.raises(voc.ScoreRangeError) as ei:
        voc.nps([9, 11])
    assert (ei.value.arg, ei.value.index, ei.value.value) == ("scores", 1, 11.0)


def test_functions_have_docstrings_and_keyword_only_options():
    for f in (voc.nps, voc.csat, voc.ces, voc.compare, voc.nps_test, voc.stats.proportion_ci,
              voc.stats.two_proportion_test, voc.stats.welch_test):
        assert f.__doc__ and len(f.__doc__) > 20, f
    with pytest.raises(TypeError):
        voc.nps(EXAMPLE, None)  # by= is keyword-only
    with pytest.raises(TypeError):
        voc.stats.proportion_ci(1, 2, 0.9)  # confidence is keyword-only


# ---------------------------------------------------------------- frozen results


def _results():
    return {
        "nps": voc.nps(EXAMPLE),
        "csat": voc.csat([1, 2, 3, 4, 5, 5]),
        "ces": voc.ces([1, 2, 3, 4, 5, 6, 7]),
        "test": voc.compare(voc.nps(EXAMPLE), voc.nps([0, 5, 9, 10, 8])),
        "state": voc.NpsState(),
        "table": voc.nps(EXAMPLE, by=[0, 1] * 5).table,
    }


@pytest.mark.parametrize("key", ["nps", "csat", "ces", "test", "state", "table"])
def test_results_are_frozen(key):
    obj = _results()[key]
    existing = {"nps": "nps", "csat": "satisfied", "ces": "mean", "test": "p_value", "state": "n",
                "table": "kind"}[key]
    before = getattr(obj, existing)
    with pytest.raises(AttributeError):
        setattr(obj, existing, 1)
    with pytest.raises(AttributeError):
        obj.brand_new_attribute = 1
    assert getattr(obj, existing) == before


# ---------------------------------------------------------------- NpsResult


def test_nps_result_fields():
    r = voc.nps(EXAMPLE)
    assert r.nps == pytest.approx(40.0, abs=1e-12)
    assert (r.n, r.n_missing, r.detractors, r.passives, r.promoters) == (10, 0, 2, 2, 6)
    assert (r.share_detractors, r.share_passives, r.share_promoters) == pytest.approx((0.2, 0.2, 0.6))
    assert r.distribution == [0, 0, 0, 1, 0, 0, 1, 1, 1, 3, 3]
    assert r.weighted is False
    assert r.weight_sum == 10.0 and r.n_eff == 10.0
    assert_close(r.mean, 8.1)
    assert_close(r.sd, float(np.std(EXAMPLE, ddof=1)))
    assert_close(r.variance, 10_000 * (0.8 - 0.4**2))
    assert_close(r.se, 100 * math.sqrt((0.8 - 0.16) / 10))
    assert r.method == "adjusted_wald"
    assert r.confidence == 0.95
    assert isinstance(r.ci, tuple) and len(r.ci) == 2
    assert r.ci[0] < r.nps < r.ci[1]


def test_nps_repr_is_readable():
    assert repr(voc.nps(EXAMPLE)) == (
        "NpsResult(nps=40.00, ci=(-12.59, 74.12) [adjusted_wald 95%], n=10, promoters=60.0%, detractors=20.0%)"
    )
    assert "[wald 90%]" in repr(voc.nps(EXAMPLE, interval="wald", confidence=0.9))


def test_nps_to_dict():
    r = voc.nps(EXAMPLE)
    d = r.to_dict()
    assert isinstance(d, dict)
    expected = {
        "n": r.n, "n_missing": r.n_missing, "n_eff": r.n_eff, "nps": r.nps, "se": r.se, "ci_low": r.ci[0],
        "ci_high": r.ci[1], "detractors": r.detractors, "passives": r.passives, "promoters": r.promoters,
        "share_detractors": r.share_detractors, "share_passives": r.share_passives,
        "share_promoters": r.share_promoters, "mean": r.mean, "distribution": r.distribution,
    }
    for k, v in expected.items():
        assert d[k] == v, k
    assert isinstance(d["n"], int) and isinstance(d["nps"], float)


def test_nps_repr_html():
    r = voc.nps(EXAMPLE)
    html = r._repr_html_()
    assert html.startswith("<p><b>voc NpsResult</b></p><table>")
    assert html.endswith("</table>")
    for key in r.to_dict():
        assert f"<th>{key}</th>" in html
    assert "<td>40.0</td>" in html


# ---------------------------------------------------------------- CSAT / CES


def test_csat_result_fields_and_forms():
    r = voc.csat([1, 2, 3, 4, 5, 5])
    assert_close(r.satisfied, 0.5)
    assert_close(r.top_box, 2 / 6)
    assert r.satisfied_from == 4
    assert r.method == "wilson" and r.confidence == 0.95
    assert r.satisfied_ci[0] < 0.5 < r.satisfied_ci[1]
    assert r.top_box_ci[0] < 2 / 6 < r.top_box_ci[1]
    lo, hi = r.mean_ci
    assert lo < r.mean < hi
    assert r.distribution == [1, 1, 1, 1, 2]
    assert repr(r) == "CsatResult(satisfied=50.00%, ci=(18.76%, 81.24%) [wilson 95%], mean=3.333, n=6)"
    d = r.to_dict()
    assert d["satisfied"] == r.satisfied
    assert (d["satisfied_ci_low"], d["satisfied_ci_high"]) == r.satisfied_ci
    assert (d["top_box_ci_low"], d["top_box_ci_high"]) == r.top_box_ci
    assert (d["mean_ci_low"], d["mean_ci_high"]) == r.mean_ci
    assert d["sd"] == r.sd and d["n"] == 6 and d["distribution"] == r.distribution
    html = r._repr_html_()
    assert "voc CsatResult" in html and "<th>satisfied</th>" in html


def test_csat_custom_scale_and_threshold():
    r = voc.csat([1, 7, 9, 10, 10], scale=(1, 10), satisfied_from=9)
    assert r.satisfied_from == 9
    assert_close(r.satisfied, 3 / 5)
    assert_close(r.top_box, 2 / 5)
    assert len(r.distribution) == 10


def test_ces_result_fields_and_forms():
    r = voc.ces([1, 2, 3, 4, 5, 6, 7])
    assert (r.easy_from, r.hard_to) == (5, 3)
    assert_close(r.mean, 4.0)
    assert_close(r.easy, 3 / 7)
    assert_close(r.high_effort, 3 / 7)
    assert r.method == "wilson"
    assert repr(r) == "CesResult(mean=4.000, ci=(2.002, 5.998), easy=42.9%, high_effort=42.9%, n=7)"
    d = r.to_dict()
    assert (d["mean_ci_low"], d["mean_ci_high"]) == r.mean_ci
    assert (d["easy_ci_low"], d["easy_ci_high"]) == r.easy_ci
    assert (d["high_effort_ci_low"], d["high_effort_ci_high"]) == r.high_effort_ci
    assert "voc CesResult" in r._repr_html_()


def test_ces_default_cutoffs_on_other_scales():
    assert (voc.ces([1, 5], scale=(1, 5)).easy_from, voc.ces([1, 5], scale=(1, 5)).hard_to) == (4, 2)
    r = voc.ces([1, 10], scale=(1, 10))
    assert r.hard_to < r.easy_from
    r = voc.ces([1, 2, 6, 7], easy_from=6, hard_to=2)
    assert (r.easy_from, r.hard_to) == (6, 2)
    assert_close(r.easy, 0.5) and assert_close(r.high_effort, 0.5)


def test_single_response_has_no_mean_interval():
    for r in (voc.csat([4]), voc.ces([4])):
        assert r.mean_ci is None
        assert math.isnan(r.sd)
        assert math.isnan(r.to_dict()["mean_ci_low"])
    assert "ci=n/a" in repr(voc.ces([4]))


def test_share_interval_methods_are_named():
    for m in ("wilson", "wilson_cc", "clopper_pearson", "wald"):
        assert voc.csat([1, 4, 5], interval=m).method == m
        assert voc.ces([1, 4, 5], interval=m).method == m
    assert voc.csat([1, 4, 5], interval="exact").method == "clopper_pearson"


# ---------------------------------------------------------------- tests


def test_test_result_fields_and_forms():
    t = voc.compare(voc.nps(EXAMPLE), voc.nps([0, 5, 9, 10, 8]))
    assert t.df is None
    assert t.method == "wald"
    assert t.confidence == 0.95
    assert t.significant == (t.p_value < 0.05)
    assert t.ci[0] < t.estimate < t.ci[1]
    d = t.to_dict()
    assert d == {"estimate": t.estimate, "se": t.se, "statistic": t.statistic, "df": None,
                 "p_value": t.p_value, "ci_low": t.ci_low, "ci_high": t.ci_high, "confidence": 0.95, "method": "wald",
                 "significant": t.significant}
    assert repr(t).startswith("TestResult(estimate=")
    w = voc.stats.welch_test(1.0, 1.0, 10, 2.0, 1.5, 12)
    assert w.method == "welch" and isinstance(w.df, float)
    assert ", df=" in repr(w)
    tiny = voc.stats.welch_test(0.0, 1.0, 50, 1.0, 1.0, 50)
    assert "e-" in repr(tiny)  # p-values below 1e-4 in scientific notation


def test_significant_follows_confidence():
    a, b = voc.nps([10] * 29 + [0] * 21), voc.nps([10] * 21 + [0] * 29)
    t95 = voc.compare(a, b)
    t80 = voc.compare(a, b, confidence=0.8)
    assert 0.05 < t95.p_value < 0.2
    assert t95.significant is False and t80.significant is True
    assert t80.confidence == 0.8
    assert t80.p_value == t95.p_value
    assert (t80.ci[1] - t80.ci[0]) < (t95.ci[1] - t95.ci[0])


def test_compare_uses_confidence_of_first_result():
    a = voc.nps(EXAMPLE, confidence=0.9)
    b = voc.nps([0, 5, 9, 10, 8])
    assert voc.compare(a, b).confidence == 0.9
    assert voc.nps_test(a).confidence == 0.9


def test_nps_test_default_null_is_zero():
    r = voc.nps(EXAMPLE)
    assert voc.nps_test(r) == voc.nps_test(r, 0.0)
    assert_close(voc.nps_test(r).estimate, 40.0)
    assert_close(voc.nps_test(r, 30.0).estimate, 10.0)


# ---------------------------------------------------------------- tables


def test_grouped_table_api(nps_scores, segments):
    t = voc.nps(nps_scores, by=segments).table
    assert isinstance(t, voc.Table)
    assert t.kind == "nps by group"
    assert len(t) == 5
    assert t.columns[0] == "group"
    assert t["group"] == sorted(set(segments.tolist()))
    assert isinstance(t["nps"], np.ndarray) and t["nps"].dtype == np.float64
    assert t["n"].dtype == np.int64
    assert int(t["n"].sum()) == len(nps_scores)
    with pytest.raises(voc.ColumnNotFoundError, match="no such column") as exc:
        t["nope"]
    assert isinstance(exc.value, KeyError) and exc.value.value == "nope" and exc.value.arg == "key"
    d = t.to_dict()
    assert list(d) == t.columns
    assert repr(t).startswith('Table(kind="nps by group", rows=5, columns=["group", "n"')


def test_grouped_table_columns():
    t = voc.nps(EXAMPLE, by=[0, 1] * 5).table
    assert t.columns == ["group", "n", "n_missing", "n_eff", "nps", "se", "ci_low", "ci_high", "detractors",
                         "passives", "promoters", "share_detractors", "share_passives", "share_promoters", "mean"]
    assert t["group"].tolist() == [0, 1]
    c = voc.csat([1, 2, 3, 4, 5, 5], by=["b", "a", "b", "a", "b", "a"]).table
    assert c.columns == ["group", "n", "n_missing", "n_eff", "satisfied", "satisfied_ci_low", "satisfied_ci_high",
                         "top_box", "top_box_ci_low", "top_box_ci_high", "mean", "mean_ci_low", "mean_ci_high",
                         "sd"]
    assert c["group"] == ["a", "b"]
    e = voc.ces([1, 2, 3, 4, 5, 6], by=[1, 1, 1, 2, 2, 2]).table
    assert e.columns == ["group", "n", "n_missing", "n_eff", "mean", "mean_ci_low", "mean_ci_high", "sd", "easy",
                         "easy_ci_low", "easy_ci_high", "high_effort", "high_effort_ci_low",
                         "high_effort_ci_high"]


def test_table_row_matches_single_result(nps_scores, segments):
    t = voc.nps(nps_scores, by=segments).table
    for i, label in enumerate(t["group"]):
        single = voc.nps(nps_scores[segments == label]).to_dict()
        for col in t.columns[1:]:
            assert t[col][i] == single[col], (label, col)


def test_table_to_pandas_and_polars(nps_scores, segments):
    t = voc.nps(nps_scores, by=segments).table
    df = t.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == t.columns
    assert df["group"].tolist() == t["group"]
    np.testing.assert_array_equal(df["nps"].to_numpy(), t["nps"])
    pdf = t.to_polars()
    assert isinstance(pdf, pl.DataFrame)
    assert pdf.columns == t.columns
    assert pdf["group"].to_list() == t["group"]
    np.testing.assert_array_equal(pdf["ci_high"].to_numpy(), t["ci_high"])


def test_table_repr_html_escapes_labels():
    t = voc.nps([1, 9, 10], by=["<b>&", "x", "x"]).table
    html = t._repr_html_()
    assert "&lt;b&gt;&amp;" in html
    assert "<b>&" not in html.replace("<b>voc", "")
    assert "<th>nps</th>" in html
    assert "2 rows" in html


def test_table_repr_html_truncates_long_tables():
    t = voc.nps(np.arange(100) % 11, by=np.arange(100)).table
    html = t._repr_html_()
    assert html.count("<tr>") == 31  # header + 30 rows
    assert "70 more rows" in html


TREND_COLUMNS = ["period", "period_start", "n", "n_missing", "n_eff", "nps", "se", "ci_low", "ci_high", "detractors",
                 "passives", "promoters", "share_detractors", "share_passives", "share_promoters", "mean",
                 "previous", "change", "change_se", "change_ci_low", "change_ci_high", "statistic", "p_value",
                 "significant", "p_adjusted", "significant_adjusted", "undefined_reason"]


def test_trend_table_columns(nps_scores, times_2024):
    t = voc.nps(nps_scores, period="month", time=times_2024).table
    assert t.kind == "nps by month"
    assert t.columns == TREND_COLUMNS
    assert len(t) == 12
    assert t["period"] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert t["period_start"].dtype == np.dtype("datetime64[D]")
    assert t["period_start"].tolist()[0].isoformat() == "2024-01-01"
    assert t["previous"] == [None] + t["period"][:-1]
    assert math.isnan(t["change"][0]) and math.isnan(t["p_value"][0])
    assert t["significant"].dtype == np.bool_
    assert not t["significant"][0]
    np.testing.assert_allclose(t["change"][1:], np.diff(t["nps"]), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(t["significant"][1:], t["p_value"][1:] < 0.05)


def test_trend_with_groups_puts_group_first(nps_scores, segments, times_2024):
    t = voc.nps(nps_scores, by=segments, period="quarter", time=times_2024).table
    assert t.kind == "nps by group and quarter"
    assert t.columns == ["group"] + TREND_COLUMNS
    assert len(t) == 5 * 4
    assert t["group"] == sorted(t["group"])
    for g in set(t["group"]):
        rows = [i for i, x in enumerate(t["group"]) if x == g]
        assert [t["period"][i] for i in rows] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
        assert t["previous"][rows[0]] is None


def test_csat_and_ces_trends(rng, times_2024):
    c = voc.csat(rng.integers(1, 6, 1000), period="year", time=times_2024).table
    assert c.kind == "csat by year"
    assert c["period"] == ["2024"]
    assert "satisfied" in c.columns and "change" in c.columns
    e = voc.ces(rng.integers(1, 8, 1000), period="month", time=times_2024).table
    assert e.kind == "ces by month"
    assert len(e) == 12
    np.testing.assert_allclose(e["change"][1:], np.diff(e["mean"]), rtol=1e-9, atol=1e-9)
    assert np.all(np.isfinite(e["statistic"][1:]))


def test_trend_to_pandas(nps_scores, times_2024):
    df = voc.nps(nps_scores, period="month", time=times_2024).table.to_pandas()
    assert list(df.columns) == TREND_COLUMNS
    assert len(df) == 12
    assert pd.api.types.is_datetime64_any_dtype(df["period_start"])


# ---------------------------------------------------------------- intervals


def test_nps_interval_methods():
    x = [10] * 40 + [8] * 30 + [2] * 30
    for m in ("wald", "adjusted_wald", "bootstrap"):
        r = voc.nps(x, interval=m)
        assert r.method == m
        assert r.ci[0] < r.nps < r.ci[1]
        assert -100 <= r.ci[0] and r.ci[1] <= 100
    assert voc.nps(x, interval="wald").ci != voc.nps(x).ci


def test_bootstrap_is_seeded():
    x = [10] * 401 + [8] * 303 + [2] * 297
    a = voc.nps(x, interval="bootstrap", seed=7)
    assert a == voc.nps(x, interval="bootstrap", seed=7)
    assert len({voc.nps(x, interval="bootstrap", seed=s).ci for s in range(5)}) > 1
    assert a.ci != voc.nps(x, interval="bootstrap", seed=7, resamples=500).ci


def test_interval_is_clipped_to_scale():
    r = voc.nps([10, 10, 10], interval="wald")
    assert r.ci == (100.0, 100.0)
    r = voc.nps([10, 10, 10])
    assert r.ci[1] <= 100.0
    r = voc.nps([0, 10], confidence=0.999, interval="wald")
    assert r.ci == (-100.0, 100.0)


def test_results_compare_equal_by_value():
    assert voc.nps(EXAMPLE) == voc.nps(list(EXAMPLE))
    assert voc.nps(EXAMPLE) != voc.nps(EXAMPLE, confidence=0.9)
    assert voc.nps(EXAMPLE) != voc.csat([1, 2])
    assert voc.nps(EXAMPLE) != "NpsResult"
