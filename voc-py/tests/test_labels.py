"""One label coder (docs/conventions.md §4): the same int / float / string / bool / categorical labels give
the same order and the same dtype in every function that groups.

Functions that group (``grep -n "by=" voc-py/python/voc/*.py``): ``voc.nps`` / ``csat`` / ``ces`` by=, their
trend tables (by= with time= and period=), ``NpsState.update(by=)`` (integer codes only, by design),
``voc.impact.outcome_by_class`` / ``class_ratio`` / ``outcome_state`` by=, ``voc.segment.profile`` by=,
``voc.retention.kaplan_meier`` / ``logrank_test`` by=, ``ThemeMatcher.mention_rates`` / ``mention_state``
by=, and ``voc.dask`` ``nps`` / ``outcome_by_class`` / ``mention_rates`` by=.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import voc

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

N = 12
SCORES = [10, 9, 2, 7, 8, 10, 3, 9, 6, 10, 0, 9]
CHURNED = [0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]
DURATIONS = [5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 3.0, 4.0, 2.0, 1.0]
TEXTS = ["refund slow", "fast delivery", "refund please", "ok"] * 3
CATS = ["b", "a", "c", "b", "a", "c", "b", "a", "c", "b", "a", "c"]


def _kinds() -> dict[str, tuple[object, list[object], str]]:
    """name → (label column, expected labels in order, expected numpy dtype kind)."""
    return {
        "int": ([10, 9, 2] * 4, [2, 9, 10], "i"),
        "int_numpy_u8": (np.array([10, 9, 2] * 4, dtype=np.uint8), [2, 9, 10], "i"),
        "float": ([2.5, 1.0, 2.0] * 4, [1.0, 2.0, 2.5], "f"),
        "float_integral": (np.array([2.0, 1.0, 2.0] * 4), [1.0, 2.0], "f"),
        "str": (CATS, ["a", "b", "c"], "O"),
        "bool": ([True, False, True] * 4, [False, True], "b"),
        "bool_numpy": (np.array([True, False, True] * 4), [False, True], "b"),
        "bool_pandas_nullable": (pd.Series([True, False, True] * 4, dtype="boolean"), [False, True], "b"),
        "int_pandas_nullable": (pd.Series([10, 9, 2] * 4, dtype="Int64"), [2, 9, 10], "i"),
        "float_polars": (pl.Series([2.5, 1.0, 2.0] * 4), [1.0, 2.0, 2.5], "f"),
        "str_arrow": (pa.array(CATS), ["a", "b", "c"], "O"),
        "cat_unordered": (pd.Series(pd.Categorical(CATS, categories=["c", "b", "a"])), ["c", "b", "a"], "O"),
        "cat_ordered": (
            pd.Series(pd.Categorical(CATS, categories=["c", "b", "a"], ordered=True)),
            ["c", "b", "a"],
            "O",
        ),
        "cat_int": (pd.Series(pd.Categorical([10, 9, 2] * 4, categories=[10, 2, 9])), [10, 2, 9], "i"),
        "polars_enum": (pl.Series(CATS, dtype=pl.Enum(["c", "b", "a"])), ["c", "b", "a"], "O"),
        "polars_categorical": (pl.Series(CATS, dtype=pl.Categorical), ["a", "b", "c"], "O"),
        "arrow_dictionary_ordered": (
            pa.DictionaryArray.from_arrays(pa.array([1, 0, 2] * 4, pa.int8()), pa.array(["c", "b", "a"]), ordered=True),
            ["c", "b", "a"],
            "O",
        ),
        "arrow_dictionary_unordered": (
            pa.DictionaryArray.from_arrays(pa.array([1, 0, 2] * 4, pa.int8()), pa.array(["c", "b", "a"])),
            ["a", "b", "c"],
            "O",
        ),
    }


KINDS = _kinds()


def _column(values: object) -> tuple[list[object], str]:
    """A label column of a result as (Python values, dtype kind: i / f / b / O)."""
    if isinstance(values, np.ndarray):
        kind = values.dtype.kind
        return values.tolist(), "i" if kind == "u" else kind
    if isinstance(values, pd.Series):
        return _column(values.to_numpy())
    items = list(values)  # type: ignore[call-overload]
    return items, "O"


def _as_list(labels: object) -> list[object]:
    if isinstance(labels, (pd.Series, pl.Series)):
        return labels.to_list()
    if isinstance(labels, (pa.Array, pa.ChunkedArray)):
        return labels.to_pylist()
    return list(np.asarray(labels).tolist())  # type: ignore[arg-type]


def _unique_in_order(values: list[object]) -> list[object]:
    out: list[object] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _nps(by: object) -> object:
    return voc.nps(SCORES, by=by).table["group"]


def _csat(by: object) -> object:
    return voc.csat([5, 4, 1, 3] * 3, by=by).table["group"]


def _ces(by: object) -> object:
    return voc.ces([7, 6, 1, 3] * 3, by=by).table["group"]


def _trend(by: object) -> object:
    time = np.array(["2024-01-15", "2024-02-15"] * 6, dtype="datetime64[D]")
    t = voc.nps(SCORES, by=by, time=time, period="month").table
    return _unique_in_order(list(t["group"])) if not isinstance(t["group"], np.ndarray) else _dedup_array(t["group"])


def _dedup_array(a: np.ndarray) -> np.ndarray:
    _, first = np.unique(a, return_index=True)
    return a[np.sort(first)]


def _km(by: object) -> object:
    return voc.retention.kaplan_meier(durations=DURATIONS, events=[True] * N, by=by).medians["group"]


def _logrank(by: object) -> object:
    return voc.retention.logrank_test(durations=DURATIONS, events=[1] * N, by=by).table["group"]


def _profile(by: object) -> object:
    return voc.segment.profile(by=by, churn=CHURNED)["segment"]


def _outcome(by: object) -> object:
    return voc.impact.outcome_by_class(by=by, churned=CHURNED).table["group"]


def _mentions(by: object) -> object:
    t = voc.text.themes().mention_rates(texts=TEXTS, by=by).table
    return _unique_in_order(list(t["group"])) if not isinstance(t["group"], np.ndarray) else _dedup_array(t["group"])


GROUPING = {
    "nps": _nps,
    "csat": _csat,
    "ces": _ces,
    "nps_trend": _trend,
    "kaplan_meier": _km,
    "logrank_test": _logrank,
    "segment_profile": _profile,
    "outcome_by_class": _outcome,
    "mention_rates": _mentions,
}

# The mention state keeps labels other than integers and strings as their text (its byte form has no
# float or bool label).
TEXT_STATES = {"mention_rates"}
# The mention state merges labels met in any order (one state per partition), so its table orders them
# itself: integers by value, other labels by their text (category order is not kept).
SORTED_STATES = {"mention_rates"}


def _text(v: object) -> str:
    return ("True" if v else "False") if isinstance(v, bool) else v if isinstance(v, str) else repr(v)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fn", list(GROUPING))
def test_same_order_and_dtype_everywhere(fn: str, kind: str) -> None:
    by, expected, dtype_kind = KINDS[kind]
    got, got_kind = _column(GROUPING[fn](by))
    if fn in SORTED_STATES:
        expected = sorted(expected) if dtype_kind == "i" else sorted(expected, key=_text)  # type: ignore[type-var]
    if fn in TEXT_STATES and dtype_kind in "fb":
        # Same order; the labels come back as their text.
        assert got == [_text(v) for v in expected]
        return
    assert got == expected, f"{fn} by {kind}: {got} != {expected}"
    assert got_kind == dtype_kind, f"{fn} by {kind}: dtype kind {got_kind} != {dtype_kind}"
    for v in got:
        if dtype_kind == "b":
            assert isinstance(v, bool)
        elif dtype_kind == "f":
            assert isinstance(v, float)
        elif dtype_kind == "i":
            assert isinstance(v, int) and not isinstance(v, bool)
        else:
            assert isinstance(v, str)


def test_float_labels_accepted_and_kept_as_floats() -> None:
    t = voc.nps([10, 9, 3, 8], by=[1.0, 2.0, 1.0, 2.0]).table
    assert t["group"].dtype == np.float64
    assert t["group"].tolist() == [1.0, 2.0]
    assert [round(x, 6) for x in t["nps"].tolist()] == [0.0, 50.0]


def test_bool_labels_come_back_as_bools() -> None:
    t = voc.nps([10, 9, 3, 8], by=[True, False, True, False]).table
    assert t["group"].dtype == np.bool_
    assert t["group"].tolist() == [False, True]


def test_one_and_one_point_zero_are_one_label_in_object_columns() -> None:
    # Python ints and floats mixed (an object column) are numbers: coded by value, kept as floats.
    t = voc.nps([10, 9, 3, 8], by=np.array([1, 2.0, 1.0, 2], dtype=object)).table
    assert t["group"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("fn", ["nps", "kaplan_meier", "segment_profile", "outcome_by_class"])
def test_nan_labels_follow_missing(fn: str) -> None:
    by = [2.5, float("nan"), 2.0] * 4
    call = GROUPING[fn]
    with pytest.raises(voc.MissingValueError) as e:
        call(by)
    assert e.value.arg == "by" and e.value.index == 1


def test_nan_labels_skipped_under_missing_skip() -> None:
    by = [2.5, float("nan"), 2.0] * 4
    t = voc.nps(SCORES, by=by, missing="skip").table
    assert t["group"].tolist() == [2.0, 2.5]
    assert int(np.sum(t["n"])) == 8
    km = voc.retention.kaplan_meier(durations=DURATIONS, events=[1] * N, by=by, missing="skip")
    assert km.groups == [2.0, 2.5]


def test_none_in_a_list_of_labels_is_missing() -> None:
    t = voc.nps(SCORES, by=[1, None, 2] * 4, missing="skip").table
    assert t["group"].tolist() == [1, 2]
    assert t["group"].dtype.kind == "i"


def test_results_agree_whatever_the_label_dtype() -> None:
    """The statistics do not depend on how the labels are spelled: int, float, str and categorical
    labels of one grouping give the same per-group numbers."""
    base = voc.nps(SCORES, by=[1, 2, 3] * 4).table["nps"]
    for by in ([1.0, 2.0, 3.0] * 4, ["1", "2", "3"] * 4, pd.Series(pd.Categorical(["x", "y", "z"] * 4))):
        got = voc.nps(SCORES, by=by).table["nps"]
        assert all(math.isclose(a, b) for a, b in zip(base, got))


def test_dask_labels_follow_the_coder() -> None:
    dd = pytest.importorskip("dask.dataframe")
    cat = pd.Categorical(CATS, categories=["c", "b", "a"])
    df = pd.DataFrame({"nps": SCORES, "cat": cat, "f": [2.5, 1.0, 2.0] * 4, "b": [True, False, True] * 4})
    ddf = dd.from_pandas(df, npartitions=2)
    for col in ("cat", "f", "b"):
        got = voc.dask.nps(ddf, "nps", by=col, scheduler="sync").table["group"]
        want = voc.nps(df["nps"], by=df[col]).table["group"]
        assert list(np.asarray(got).tolist()) == list(np.asarray(want).tolist()), col
        assert np.asarray(got).dtype.kind == np.asarray(want).dtype.kind or col == "cat", col


def test_documented_rule_matches() -> None:
    """docs/conventions.md §4 states the rule this file tests."""
    import pathlib

    doc = (pathlib.Path(__file__).parents[2] / "docs" / "conventions.md").read_text()
    assert "pandas categoricals" in doc and "polars `Enum`" in doc and "False < True" in doc
