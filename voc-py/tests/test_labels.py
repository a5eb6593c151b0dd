"""One label coder (docs/conventions.md §4): the same int / float / string / bool / categorical labels give
the same order and the same dtype in every function that groups.

Functions that group (``grep -n "by=" voc-py/python/voc/*.py``): ``voc.nps`` / ``csat`` / ``ces`` by=, their
trend tables (by= with time= and period=), ``NpsState.update(by=)`` (integer codes only, by design),
``voc.impact.outcome_by_class`` / ``class_ratio`` / ``outcome_state`` by=, ``voc.segment.profile`` by=,
``voc.retention.kaplan_meier`` / ``logrank_test`` by=, ``ThemeMatcher.mention_rates`` / ``mention_state``
by= (a state per part, merged in any order and through bytes or pickle), and ``voc.dask`` ``nps`` /
``outcome_by_class`` / ``mention_rates`` by=. No function is an exception.
"""

from __future__ import annotations

import math
import pickle

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


def _group_column(t: voc.Table) -> object:
    return _unique_in_order(list(t["group"])) if not isinstance(t["group"], np.ndarray) else _dedup_array(t["group"])


def _mentions(by: object) -> object:
    return _group_column(voc.text.themes().mention_rates(texts=TEXTS, by=by).table)


def _part(by: object, lo: int, hi: int) -> object:
    """Rows lo..hi of a label column of any kind (list, numpy, pandas, polars, pyarrow)."""
    if isinstance(by, pd.Series):
        return by.iloc[lo:hi]
    return by[lo:hi]  # type: ignore[index]


def _mention_state(by: object) -> object:
    """Two workers' states (each meeting only some labels, in its own order), the second through its
    byte form and the first through pickle, merged second-first, then finished."""
    m = voc.text.themes()
    first = m.mention_state(texts=TEXTS[:5], by=_part(by, 0, 5))
    second = m.mention_state(texts=TEXTS[5:], by=_part(by, 5, N))
    total = voc.text.MentionState.from_bytes(second.to_bytes())
    total.merge(pickle.loads(pickle.dumps(first)))
    assert total.texts == N
    return _group_column(total.finish().table)


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
    "mention_state": _mention_state,
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fn", list(GROUPING))
def test_same_order_and_dtype_everywhere(fn: str, kind: str) -> None:
    by, expected, dtype_kind = KINDS[kind]
    got, got_kind = _column(GROUPING[fn](by))
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


@pytest.mark.parametrize("fn", ["nps", "kaplan_meier", "segment_profile", "outcome_by_class", "mention_rates"])
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


ROUND_TRIP_KINDS = ["float", "float_integral", "bool", "cat_unordered", "cat_ordered", "cat_int", "polars_enum"]


@pytest.mark.parametrize("kind", ROUND_TRIP_KINDS)
def test_mention_state_bytes_and_pickle_keep_label_dtype_and_order(kind: str) -> None:
    by, expected, dtype_kind = KINDS[kind]
    m = voc.text.themes()
    state = m.mention_state(texts=TEXTS, by=by)
    for back in (voc.text.MentionState.from_bytes(state.to_bytes()), pickle.loads(pickle.dumps(state))):
        assert back == state and back.to_bytes() == state.to_bytes()
        got, got_kind = _column(_group_column(back.finish().table))
        assert got == expected and got_kind == dtype_kind, (got, got_kind)
    # The finished state is the table mention_rates gives, label column included.
    direct = m.mention_rates(texts=TEXTS, by=by).table
    assert list(state.finish().table["group"]) == list(direct["group"])
    assert np.asarray(state.finish().table["group"]).dtype == np.asarray(direct["group"]).dtype


def test_mention_states_of_other_categories_or_dtypes_do_not_merge() -> None:
    m = voc.text.themes()
    cats = m.mention_state(texts=TEXTS, by=pd.Series(pd.Categorical(CATS, categories=["c", "b", "a"])))
    before = cats.to_bytes()
    for other, needle in [
        (pd.Series(pd.Categorical(CATS, categories=["a", "b", "c"])), "two different given orders"),
        (pd.Series(pd.Categorical(CATS, categories=["c", "b", "a", "d"])), "3 and 4 categories"),
        (CATS, "given \\(category\\) order and in value order"),
        (pl.Series(CATS, dtype=pl.Enum(["a", "c", "b"])), "two different given orders"),
    ]:
        with pytest.raises(voc.IncompatibleError, match=needle):
            cats.merge(m.mention_state(texts=TEXTS, by=other))
        assert cats.to_bytes() == before
    # The same categories from pandas and from polars are one labelling.
    cats.merge(m.mention_state(texts=TEXTS, by=pl.Series(CATS, dtype=pl.Enum(["c", "b", "a"]))))
    assert cats.texts == 2 * N
    # Columns of two dtypes are two labellings, even where the values agree.
    ints = m.mention_state(texts=TEXTS, by=[1, 2, 3] * 4)
    for other, needle in [([1.0, 2.0, 3.0] * 4, "integers and floats"), ([True, False, True] * 4, "integers and booleans")]:
        with pytest.raises(voc.IncompatibleError, match=needle):
            ints.merge(m.mention_state(texts=TEXTS, by=other))


def test_mention_state_labels_keep_only_what_rows_use() -> None:
    # A sparse integer range is not stored label by label; labels left out as missing are not labels.
    m = voc.text.themes()
    small = m.mention_state(texts=TEXTS[:2], by=[0, 5])
    wide = m.mention_state(texts=TEXTS[:2], by=[0, 1_000_000])
    assert len(wide.to_bytes()) == len(small.to_bytes())
    t = m.mention_rates(texts=TEXTS, by=[2.5, float("nan"), 2.0] * 4, missing="skip")
    assert t.n_missing == 4
    assert _column(_group_column(t.table)) == ([2.0, 2.5], "f")


def test_dask_mention_rates_keep_label_dtype_and_category_order() -> None:
    dd = pytest.importorskip("dask.dataframe")
    cat = pd.Categorical(CATS, categories=["c", "b", "a"])
    df = pd.DataFrame({"text": TEXTS, "cat": cat, "f": [2.5, 1.0, 2.0] * 4, "b": [True, False, True] * 4})
    ddf = dd.from_pandas(df, npartitions=3)
    for col, want in (("cat", ["c", "b", "a"]), ("f", [1.0, 2.0, 2.5]), ("b", [False, True])):
        got = voc.dask.mention_rates(ddf, "text", by=col, scheduler="sync").table
        direct = voc.text.themes().mention_rates(df, texts="text", by=col).table
        assert list(_column(_group_column(got))[0]) == want, col
        assert list(got["group"]) == list(direct["group"]), col
        assert np.asarray(got["group"]).dtype == np.asarray(direct["group"]).dtype, col
