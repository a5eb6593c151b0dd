"""Issue 16: a NaN or an infinity in a result is either impossible or explained by a documented field
(docs/reliability/values.md §3). One test per reproducer of the hostile-user run, plus the checker's own
tests (``_nonfinite.py``, shared with the fuzz suite and ``scripts/nan_census.py``)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import voc
from _nonfinite import EXPLAINED, nonfinite, unexplained
from voc import errors

sklearn_metrics = pytest.importorskip("sklearn.metrics")


# ---------------------------------------------------------------- voc.risk.evaluate / confusion


def test_precision_is_none_with_a_reason_when_nothing_is_flagged():
    y, s = [1, 0, 0, 1], [0.4, 0.3, 0.2, 0.1]
    e = voc.risk.evaluate(y=y, scores=s, threshold=0.5)
    assert e.precision is None
    assert e.undefined_reason == "no row is flagged (score >= threshold): precision is 0/0"
    # recall and F1 are defined (0), as scikit-learn's.
    assert e.recall == sklearn_metrics.recall_score(y, np.array(s) >= 0.5) == 0.0
    assert e.f1 == sklearn_metrics.f1_score(y, np.array(s) >= 0.5, zero_division=0.0) == 0.0
    d = e.to_dict()
    assert d["precision"] is None and d["undefined_reason"] == e.undefined_reason
    assert "precision=None" in repr(e)
    assert unexplained(e) == []


def test_confusion_rates_match_sklearn_where_defined_and_are_none_where_not():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        y = rng.integers(0, 2, n)
        s = rng.uniform(size=n)
        t = float(rng.uniform(0, 1.2))
        c = voc.risk.confusion(y=y, scores=s, threshold=t)
        pred = s >= t
        flagged, churners = pred.sum(), y.sum()
        if flagged:
            assert c.precision == pytest.approx(sklearn_metrics.precision_score(y, pred), abs=1e-15)
        else:
            assert c.precision is None
        if churners:
            assert c.recall == pytest.approx(sklearn_metrics.recall_score(y, pred), abs=1e-15)
        else:
            assert c.recall is None
        if flagged or churners:
            assert c.f1 == pytest.approx(sklearn_metrics.f1_score(y, pred), abs=1e-15)
        else:
            assert c.f1 is None
        assert (c.undefined_reason is None) == bool(flagged and churners)


def test_f1_is_zero_not_nan_when_no_flagged_row_churns():
    c = voc.risk.confusion(y=[1, 0, 0], scores=[0.1, 0.9, 0.8], threshold=0.5)
    assert (c.precision, c.recall, c.f1, c.undefined_reason) == (0.0, 0.0, 0.0, None)


@pytest.mark.parametrize("t", [math.inf, -math.inf, math.nan])
def test_a_threshold_must_be_finite(t):
    with pytest.raises(errors.InvalidOptionError) as e:
        voc.risk.evaluate(y=[0, 1], scores=[0.2, 0.7], threshold=t)
    assert e.value.arg == "threshold"


def test_brier_of_huge_scores_is_an_error_not_inf():
    with pytest.raises(errors.InputError) as e:
        voc.risk.evaluate(y=[0, 1, 0], scores=[0.1, 1e300, 0.2])
    assert e.value.arg == "scores" and e.value.index == 1


def test_threshold_top_k_rejects_infinite_scores():
    with pytest.raises(errors.NonFiniteError) as e:
        voc.risk.threshold_top_k([0.5, math.inf, 0.2], k=1)
    assert (e.value.arg, e.value.index) == ("scores", 1)


# ---------------------------------------------------------------- voc.segment.profile

SEG = {"seg": ["a", "a", "b", "b"], "nps_last": [9.0, 10.0, math.nan, math.nan], "monetary": [1.0, 2.0, 3.0, 4.0]}


def test_profile_nps_nan_is_explained_by_nps_n_zero():
    p = voc.segment.profile(SEG, by="seg", churn=[1, 0, 0, 1], themes=None)
    assert p["nps_n"].tolist() == [2, 0]
    assert math.isnan(p["nps"][1]) and math.isnan(p["nps_low"][1]) and p["nps"][0] == 100.0
    assert unexplained(p) == []


def test_profile_leaves_out_the_columns_of_inputs_not_given():
    p = voc.segment.profile(SEG, by="seg", nps=None, value=None, themes=None)
    assert p.columns == ["segment", "size", "share", "top_themes"]
    p = voc.segment.profile(SEG, by="seg", churn=[1, 0, 0, 1], nps=None, themes=None)
    assert "nps" not in p.columns and "nps_n" not in p.columns
    assert p["revenue_at_risk"].tolist() == [1.0, 4.0]
    p = voc.segment.profile(SEG, by="seg", themes=None)
    assert "revenue_at_risk" not in p.columns and "churn_rate" not in p.columns
    assert p["total_value"].tolist() == [3.0, 7.0]
    for t in (p, voc.segment.profile(SEG, by="seg", churn=[1, 0, 0, 1], themes=None)):
        assert unexplained(t) == []


def test_profile_total_that_overflows_is_a_limit_error():
    with pytest.raises(errors.LimitError) as e:
        voc.segment.profile({"seg": ["a", "a"], "monetary": [1.5e308, 1.5e308]}, by="seg", nps=None, themes=None)
    assert e.value.arg == "value"


# ---------------------------------------------------------------- overflow: roi, welch, power


def test_roi_overflow_names_the_argument():
    with pytest.raises(errors.LimitError) as e:
        voc.impact.roi(churn_reduction=0.02, customers=1e308, clv=300.0, program_cost=1000.0)
    assert e.value.arg == "customers"
    with pytest.raises(errors.InvalidOptionError) as e:
        voc.impact.roi(churn_reduction=0.02, customers=1000, clv=300.0, program_cost=1e-310)
    assert e.value.arg == "program_cost"


@pytest.mark.parametrize(("args", "arg"), [
    ((1e308, 0.5, 10, 1.4, 0.7, 12), "mean1"),  # t statistic (and interval) overflow
    ((1.0, 0.5, 10, -1e308, 0.7, 12), "mean2"),
    ((1e308, 1e150, 10, -1e308, 1e150, 12), "mean1"),  # the difference overflows
    ((1e308, 1e150, 10, -1.5e308, 1e150, 12), "mean2"),
])
def test_welch_overflow_names_the_mean(args, arg):
    with pytest.raises(errors.LimitError) as e:
        voc.stats.welch_test(*args)
    assert e.value.arg == arg


def test_sample_size_overflow_names_ratio():
    with pytest.raises(errors.LimitError) as e:
        voc.impact.sample_size(0.2, 0.25, ratio=1e308)
    assert e.value.arg == "ratio"
    with pytest.raises(errors.LimitError) as e:
        voc.impact.minimum_detectable_effect(0.2, 1000, ratio=1e308)
    assert e.value.arg == "ratio"


# ---------------------------------------------------------------- other sources found by the census


def test_correlation_matrix_pairs_say_why_they_are_undefined():
    data = {"nps": np.ones(10), "d1": np.arange(10.0), "d2": np.arange(10.0) ** 2}
    m = voc.impact.correlation_matrix(data)
    reasons = dict(zip(zip(m.pairs["a"], m.pairs["b"]), m.pairs["undefined_reason"]))
    assert reasons[("nps", "d1")] == "nps is constant over the pair's 10 complete rows"
    assert reasons[("d1", "d2")] is None
    assert math.isnan(m.pairs["estimate"][0])
    assert unexplained(m) == []


def test_class_ratio_without_spread_is_an_error_not_nan():
    data = {"seg": ["a", "b"] * 10, "spend": np.ones(20)}
    with pytest.raises(errors.InsufficientDataError, match="no defined standard error"):
        voc.impact.class_ratio(data, numerator="a", denominator="b", by="seg", spend="spend")
    data["spend"] = np.full(20, 1e-300)  # the variance underflows
    with pytest.raises(errors.InsufficientDataError, match="no defined standard error"):
        voc.impact.class_ratio(data, numerator="a", denominator="b", by="seg", spend="spend")


def test_csat_and_ces_expose_their_scale():
    assert voc.csat([1, 5, 4]).scale == (1, 5)
    assert voc.csat([1, 7, 4], scale=(1, 7)).scale == (1, 7)
    assert voc.ces([1, 7, 4]).scale == (1, 7)


# ---------------------------------------------------------------- the checker itself


def test_checker_finds_nested_non_finite_values_and_explains_only_documented_ones():
    e = voc.risk.evaluate(y=[1, 0, 0, 1], scores=[0.4, 0.3, 0.2, 0.1], threshold=0.05)
    assert list(nonfinite(e)) == []
    t = voc.Table("made up", {"x": np.array([1.0, math.nan])})
    (found,) = list(nonfinite(t))
    assert (found.owner, found.field, found.row) == ("Table[made up]", "x", 1)
    assert [(f.owner, f.field, f.row) for f in unexplained(t)] == [("Table[made up]", "x", 1)]
    # A row's undefined_reason explains it.
    t = voc.Table("made up", {"x": np.array([1.0, math.nan]), "undefined_reason": [None, "why"]})
    assert unexplained(t) == []
    # A nested table is found, with the result holding it.
    m = voc.impact.correlation_matrix({"a": np.ones(5), "b": np.arange(5.0)})
    owners = {(f.owner, f.parent is m) for f in nonfinite(m)}
    assert ("Table[correlation matrix]", True) in owners and ("Table[correlation pairs]", True) in owners
    assert [f.field for f in unexplained(np.array([1.0, math.inf]), "voc.f")] == ["<return>"]


def test_every_allowlist_entry_is_documented():
    doc = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "reliability", "values.md")).read()
    missing = sorted({f"{o}.{f}" for o, f in EXPLAINED if f"`{o}`" not in doc or f"`{f}`" not in doc})
    assert missing == [], f"document these allowlist entries in docs/reliability/values.md §3: {missing}"


def test_census_script_runs_on_one_function():
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(root, "voc-py", "python"),
                                                        os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, os.path.join(root, "scripts", "nan_census.py"), "voc.segment.profile"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 unexplained" in out.stdout
