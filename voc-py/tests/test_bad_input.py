"""The bad-input matrix: each bad input raises its specific voc error (also a ValueError) naming the
argument, the position and the value; nothing crashes; failing state updates change nothing."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from _helpers import check_input_error

import voc

NAN, INF = float("nan"), float("inf")


# ---------------------------------------------------------------- bad scores


SCORE_CASES = [
    # (id, function, kwargs, bad value, error class)
    ("nps +inf", voc.nps, {}, INF, voc.NonFiniteError),
    ("nps -inf", voc.nps, {}, -INF, voc.NonFiniteError),
    ("nps 11", voc.nps, {}, 11, voc.ScoreRangeError),
    ("nps -1", voc.nps, {}, -1, voc.ScoreRangeError),
    ("nps 7.5", voc.nps, {}, 7.5, voc.ScoreRangeError),
    ("nps 1e300", voc.nps, {}, 1e300, voc.ScoreRangeError),
    ("csat 0", voc.csat, {}, 0, voc.ScoreRangeError),
    ("csat 6", voc.csat, {}, 6, voc.ScoreRangeError),
    ("csat 2.5", voc.csat, {}, 2.5, voc.ScoreRangeError),
    ("csat inf", voc.csat, {}, INF, voc.NonFiniteError),
    ("csat 11 on 1-10", voc.csat, {"scale": (1, 10)}, 11, voc.ScoreRangeError),
    ("ces 8", voc.ces, {}, 8, voc.ScoreRangeError),
    ("ces 0", voc.ces, {}, 0, voc.ScoreRangeError),
    ("ces 7.5", voc.ces, {}, 7.5, voc.ScoreRangeError),
    ("ces -inf", voc.ces, {}, -INF, voc.NonFiniteError),
]


@pytest.mark.parametrize("position", [0, 3, 9])
@pytest.mark.parametrize("case", SCORE_CASES, ids=[c[0] for c in SCORE_CASES])
def test_bad_score_in_float_array(case, position):
    _, f, kw, bad, cls = case
    x = np.full(10, 3.0)
    x[position] = bad
    with pytest.raises(cls) as ei:
        f(x, **kw)
    check_input_error(ei.value, cls, "scores", position, float(bad))


@pytest.mark.parametrize("case", SCORE_CASES, ids=[c[0] for c in SCORE_CASES])
def test_bad_score_in_list(case):
    _, f, kw, bad, cls = case
    with pytest.raises(cls) as ei:
        f([3, 4, bad, 5], **kw)
    check_input_error(ei.value, cls, "scores", 2, float(bad))


@pytest.mark.parametrize(
    "f,bad", [(voc.nps, 11), (voc.nps, -1), (voc.csat, 0), (voc.csat, 6), (voc.ces, 8), (voc.ces, 0)]
)
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", ">i4", "float32"])
def test_bad_integer_score_far_into_a_long_array(f, bad, dtype):
    # long enough for the vectorised / byte-histogram paths; the first bad value is reported
    x = np.full(20_000, 3, dtype=dtype)
    x[12_345] = bad
    x[15_000] = bad
    with pytest.raises(voc.ScoreRangeError) as ei:
        f(x)
    check_input_error(ei.value, voc.ScoreRangeError, "scores", 12_345, float(bad))


@pytest.mark.parametrize("dtype,bad", [("uint8", 255), ("int8", -128), ("uint8", 11), ("uint64", 2**64 - 1),
                                       ("int64", -(2**62))])
def test_extreme_integer_scores(dtype, bad):
    x = np.array([5, 5, bad, 5], dtype=dtype)
    with pytest.raises(voc.ScoreRangeError) as ei:
        voc.nps(x)
    err = ei.value
    assert (err.arg, err.index) == ("scores", 2)
    assert err.value == float(np.array(bad, dtype=dtype))
    assert "scores[2]" in str(err)


@pytest.mark.parametrize("container", ["pandas", "polars", "pyarrow", "pyarrow chunked", "pandas Int8"])
def test_bad_score_in_dataframe_columns(container):
    data = [3, 4, 11, 5, 6]
    value = {
        "pandas": lambda: pd.Series(data),
        "pandas Int8": lambda: pd.Series(data, dtype="Int8"),
        "polars": lambda: pl.Series(data),
        "pyarrow": lambda: pa.array(data),
        "pyarrow chunked": lambda: pa.chunked_array([data[:2], data[2:]]),
    }[container]()
    with pytest.raises(voc.ScoreRangeError) as ei:
        voc.nps(value)
    check_input_error(ei.value, voc.ScoreRangeError, "scores", 2, 11.0)


def test_score_error_messages_name_the_scale():
    with pytest.raises(voc.ScoreRangeError, match=r"scores\[1\] = 11 is outside the NPS scale 0..=10"):
        voc.nps([1, 11])
    with pytest.raises(voc.ScoreRangeError, match=r"CSAT scale 1..=5"):
        voc.csat([6])
    with pytest.raises(voc.ScoreRangeError, match=r"CES scale 1..=7"):
        voc.ces([8])
    with pytest.raises(voc.ScoreRangeError, match="not a whole number"):
        voc.nps([7.5])


@pytest.mark.parametrize("f", [voc.nps, voc.csat, voc.ces])
def test_nan_is_a_missing_value(f):
    with pytest.raises(voc.MissingValueError) as ei:
        f([3.0, NAN, 4.0])
    check_input_error(ei.value, voc.MissingValueError, "scores", 1, None)
    assert "missing" in str(ei.value) and 'missing="skip"' in str(ei.value)
    r = f([3.0, NAN, 4.0], missing="skip")
    assert (r.n, r.n_missing) == (2, 1)


# ---------------------------------------------------------------- empty input


EMPTY_VALUES = {
    "list": lambda: [],
    "int8 array": lambda: np.array([], dtype=np.int8),
    "float array": lambda: np.array([], dtype=float),
    "pandas": lambda: pd.Series([], dtype="float64"),
    "pandas Int64": lambda: pd.Series([], dtype="Int64"),
    "polars": lambda: pl.Series([], dtype=pl.Int64),
    "pyarrow": lambda: pa.array([], pa.int64()),
    "pyarrow chunked": lambda: pa.chunked_array([], pa.int64()),
}


@pytest.mark.parametrize("name", list(EMPTY_VALUES))
@pytest.mark.parametrize("f", [voc.nps, voc.csat, voc.ces])
def test_empty_input(f, name):
    with pytest.raises(voc.EmptyInputError) as ei:
        f(EMPTY_VALUES[name]())
    check_input_error(ei.value, voc.EmptyInputError, "scores")
    assert "empty" in str(ei.value)


def test_all_missing_is_empty():
    with pytest.raises(voc.EmptyInputError):
        voc.nps([NAN, NAN], missing="skip")
    with pytest.raises(voc.EmptyInputError):
        voc.nps(pa.array([None, None], pa.int64()), missing="skip")


def test_zero_total_weight_is_empty():
    with pytest.raises(voc.EmptyInputError):
        voc.nps([1, 9], weights=[0.0, 0.0])


def test_empty_state():
    for s in (voc.NpsState(), voc.CsatState(), voc.CesState()):
        with pytest.raises(voc.EmptyInputError):
            s.finish()
        s.update([])  # an empty batch is fine and changes nothing
        assert s.n == 0


# ---------------------------------------------------------------- length mismatch


@pytest.mark.parametrize("f", [voc.nps, voc.csat, voc.ces])
@pytest.mark.parametrize("arg", ["by", "weights", "time"])
@pytest.mark.parametrize("other_len", [2, 4])
def test_length_mismatch(f, arg, other_len):
    scores = [3, 4, 5]
    kw = {
        "by": {"by": ["a"] * other_len},
        "weights": {"weights": [1.0] * other_len},
        "time": {"time": np.arange(other_len).astype("datetime64[s]"), "period": "day"},
    }[arg]
    with pytest.raises(voc.LengthMismatchError) as ei:
        f(scores, **kw)
    check_input_error(ei.value, voc.LengthMismatchError, arg)
    msg = str(ei.value)
    assert f"{arg} has {other_len} values" in msg and "scores has 3" in msg


def test_length_mismatch_on_state_update():
    s = voc.NpsState()
    with pytest.raises(voc.LengthMismatchError) as ei:
        s.update([1, 2, 3], by=[0, 1])
    check_input_error(ei.value, voc.LengthMismatchError, "by")
    with pytest.raises(voc.LengthMismatchError) as ei:
        s.update([1, 2, 3], weights=[1.0])
    check_input_error(ei.value, voc.LengthMismatchError, "weights")


# ---------------------------------------------------------------- dtypes


DTYPE_CASES = {
    "list of str": lambda: ["9", "10"],
    "numpy str": lambda: np.array(["9", "10"]),
    "numpy bytes": lambda: np.array([b"9", b"10"]),
    "list of bool": lambda: [True, False],
    "numpy bool": lambda: np.array([True, False]),
    "numpy object": lambda: np.array([object(), 1], dtype=object),
    "list of objects": lambda: [object(), object()],
    "numpy complex": lambda: np.array([1 + 0j]),
    "numpy datetime64": lambda: np.array(["2024-01-01"], "datetime64[D]"),
    "numpy timedelta64": lambda: np.array([1], "timedelta64[s]"),
    "pandas string": lambda: pd.Series(["9"], dtype="string"),
    "pandas bool": lambda: pd.Series([True]),
    "pandas categorical": lambda: pd.Series([9, 10]).astype("category"),
    "polars String": lambda: pl.Series(["9"]),
    "polars Boolean": lambda: pl.Series([True]),
    "pyarrow string": lambda: pa.array(["9"]),
    "pyarrow bool": lambda: pa.array([True]),
    "pyarrow decimal": lambda: pa.array([9], pa.decimal128(5, 0)),
    "pyarrow list": lambda: pa.array([[9]]),
    "pandas DataFrame": lambda: pd.DataFrame({"a": [9]}),
    "scalar int": lambda: 9,
    "scalar float": lambda: 9.0,
    "string": lambda: "9",
}


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_wrong_score_dtype(name):
    with pytest.raises(voc.DtypeError) as ei:
        voc.nps(DTYPE_CASES[name]())
    err = ei.value
    assert isinstance(err, TypeError) and isinstance(err, ValueError) and isinstance(err, voc.InputError)
    assert err.arg == "scores"
    assert str(err).startswith("scores has dtype ")


@pytest.mark.parametrize("arg", ["scores", "weights", "by", "time"])
def test_two_dimensional_columns(arg):
    two_d = np.ones((3, 2))
    kw = {"scores": np.ones(3), "period": "day", "time": np.arange(3)}
    if arg == "scores":
        kw["scores"] = two_d
    elif arg == "time":
        kw["time"] = np.zeros((3, 2), "datetime64[s]")
    elif arg == "by":
        kw["by"] = np.ones((3, 2), dtype=int)
    else:
        kw["weights"] = two_d
    scores = kw.pop("scores")
    with pytest.raises(voc.InputError) as ei:
        voc.nps(scores, **kw)
    assert ei.value.arg == arg
    assert "one-dimensional" in str(ei.value)


def test_wrong_weights_dtype():
    for bad in (["a", "b"], [True, False], pa.array(["x", "y"])):
        with pytest.raises(voc.DtypeError) as ei:
            voc.nps([1, 2], weights=bad)
        assert ei.value.arg == "weights"


def test_wrong_by_dtype():
    # Float labels are labels (docs/conventions.md §4, tests/test_labels.py); dates and complex are not.
    for bad in (np.array(["2024-01-01", "2024-01-02"], "datetime64[D]"), np.array([1 + 1j, 2])):
        with pytest.raises(voc.DtypeError) as ei:
            voc.nps([1, 2], by=bad).table
        assert ei.value.arg == "by"


def test_wrong_time_dtype():
    for bad in ([1.5, 2.0], ["2024-01-01", "2024-01-02"], [True, False], np.array([1, 2], "timedelta64[s]"),
                pa.array(["a", "b"]), pa.array([1.0, 2.0]), np.array([1, 2**64 - 1], dtype=np.uint64)):
        with pytest.raises(voc.DtypeError) as ei:
            voc.nps([1, 2], period="day", time=bad).table
        assert ei.value.arg == "time"


def test_wrong_state_update_dtypes():
    s = voc.NpsState()
    with pytest.raises(voc.DtypeError):
        s.update(["a"])
    with pytest.raises(voc.DtypeError):
        s.update([1], weights=["a"])
    with pytest.raises(voc.DtypeError):
        s.update([1], by=["a"])


# ---------------------------------------------------------------- nulls


NULL_SCORES = {
    "list None": lambda: [3, 4, None, 5, None],
    "pandas Int8": lambda: pd.Series([3, 4, None, 5, None], dtype="Int8"),
    "pandas Float64 NA": lambda: pd.Series([3, 4, None, 5, None], dtype="Float64"),
    "pandas arrow int64": lambda: pd.Series([3, 4, None, 5, None], dtype="int64[pyarrow]"),
    "pandas float NaN": lambda: pd.Series([3, 4, None, 5, None], dtype="float64"),
    "polars Int64": lambda: pl.Series([3, 4, None, 5, None]),
    "polars Float64": lambda: pl.Series([3.0, 4.0, None, 5.0, None]),
    "pyarrow": lambda: pa.array([3, 4, None, 5, None]),
    "pyarrow chunked": lambda: pa.chunked_array([[3, 4], [None, 5, None]]),
    "pyarrow sliced": lambda: pa.array([None, 1, 3, 4, None, 5, None])[2:],
    "polars chunked": lambda: pl.concat([pl.Series([3, 4]), pl.Series([None, 5, None])], rechunk=False),
}


@pytest.mark.parametrize("name", list(NULL_SCORES))
def test_nulls_in_scores_raise_with_position(name):
    with pytest.raises(voc.MissingValueError) as ei:
        voc.nps(NULL_SCORES[name]())
    check_input_error(ei.value, voc.MissingValueError, "scores", 2, None)


@pytest.mark.parametrize("name", list(NULL_SCORES))
def test_nulls_in_scores_are_skipped(name):
    r = voc.nps(NULL_SCORES[name](), missing="skip")
    assert r == voc.nps([3, 4, 5]) or (r.n, r.distribution) == (3, voc.nps([3, 4, 5]).distribution)
    assert r.n == 3
    assert r.nps == voc.nps([3, 4, 5]).nps


@pytest.mark.parametrize("name", list(NULL_SCORES))
def test_skipped_nulls_are_counted_as_missing(name):
    # `missing` is documented as the rows left out under missing="skip", whatever the column type
    r = voc.nps(NULL_SCORES[name](), missing="skip")
    assert r.n_missing == 2


def test_skipped_null_weights_are_counted_as_missing():
    for w in ([1.0, NAN, 2.0], pa.array([1.0, None, 2.0]), pl.Series([1.0, None, 2.0]),
              pd.Series([1.0, None, 2.0], dtype="Float64")):
        r = voc.nps([9, 10, 3], weights=w, missing="skip")
        assert (r.n, r.n_missing) == (2, 1)


@pytest.mark.parametrize(
    "value",
    [pd.Series(["a", None, "b"]), pd.Categorical(["a", None, "b"]), pl.Series(["a", None, "b"]),
     pl.Series(["a", None, "b"]).cast(pl.Categorical), pa.array(["a", None, "b"]),
     pa.array(["a", None, "b"]).dictionary_encode(), pd.Series([1, None, 2], dtype="Int64"),
     np.array(["a", None, "b"], dtype=object), np.array(["a", np.nan, "b"], dtype=object), ["a", None, "b"]],
    ids=["pandas object", "pandas categorical", "polars", "polars categorical", "pyarrow", "pyarrow dictionary",
         "pandas Int64", "numpy object None", "numpy object NaN", "list None"],
)
def test_nulls_in_by(value):
    with pytest.raises(voc.MissingValueError) as ei:
        voc.nps([9, 10, 3], by=value).table
    check_input_error(ei.value, voc.MissingValueError, "by", 1, None)
    r = voc.nps([9, 10, 3], by=value, missing="skip")
    t = r.table
    assert int(t["n"].sum()) == 2
    assert len(t) == 2
    assert t.meta is None
    assert (r.n, r.n_missing, r.n_missing_group, r.n_missing_time) == (2, 1, 1, 0)


@pytest.mark.parametrize(
    "value",
    [pd.Series([pd.Timestamp("2024-01-01"), pd.NaT, pd.Timestamp("2024-02-01")]),
     pl.Series([pd.Timestamp("2024-01-01"), None, pd.Timestamp("2024-02-01")]),
     pa.array([1704067200, None, 1706745600], pa.timestamp("s")),
     pa.array([19723, None, 19754], pa.date32()),
     pa.array([1704067200, None, 1706745600], pa.int64())],
    ids=["pandas NaT", "polars null", "pyarrow timestamp", "pyarrow date32", "pyarrow int"],
)
def test_nulls_in_time(value):
    with pytest.raises(voc.MissingValueError) as ei:
        voc.nps([9, 10, 3], period="month", time=value).table
    check_input_error(ei.value, voc.MissingValueError, "time", 1, None)
    r = voc.nps([9, 10, 3], period="month", time=value, missing="skip")
    t = r.table
    assert t["period"] == ["2024-01", "2024-02"]
    assert t["n"].tolist() == [1, 1]
    assert t.meta is None
    assert (r.n, r.n_missing, r.n_missing_group, r.n_missing_time, r.period) == (2, 1, 0, 1, "month")


def test_numpy_nat_in_time_names_the_time_argument():
    t = np.array(["2024-01-01", "NaT", "2024-02-01"], "datetime64[s]")
    with pytest.raises(voc.MissingValueError) as ei:
        voc.nps([9, 10, 3], period="month", time=t).table
    check_input_error(ei.value, voc.MissingValueError, "time", 1, None)


def test_numpy_nat_in_time_is_skipped():
    t = np.array(["2024-01-01", "NaT", "2024-02-01"], "datetime64[ns]")
    r = voc.nps([9, 10, 3], period="month", time=t, missing="skip")
    assert r.table["period"] == ["2024-01", "2024-02"]
    assert r.table["n"].tolist() == [1, 1]
    assert r.n_missing_time == 1 and r.n_missing == 1


def test_results_without_dropped_rows_count_none():
    for r in (voc.nps([9, 10, 3], by=["a", "b", "a"]), voc.nps([9, 10, 3], by=["a", "b", "a"], missing="skip"),
              voc.nps([9, 10, 3], period="day", time=[0, 1, 2], missing="skip")):
        assert r.table.meta is None
        assert (r.n, r.n_missing, r.n_missing_group, r.n_missing_time) == (3, 0, 0, 0)


def test_skipped_scores_are_counted_in_their_group():
    t = voc.nps(pa.array([9, None, 3, None, 10]), by=["a", "a", "b", "b", "b"], missing="skip").table
    assert t["group"] == ["a", "b"]
    assert t["n"].tolist() == [1, 2]
    assert t["n_missing"].tolist() == [1, 1]
    t = voc.nps([9.0, NAN, 3.0, NAN, 10.0], by=["a", "a", "b", "b", "b"], missing="skip").table
    assert t["n_missing"].tolist() == [1, 1]


def test_first_null_across_columns_is_reported():
    with pytest.raises(voc.MissingValueError) as ei:
        voc.nps(pa.array([1, 2, 3, None]), by=pa.array(["a", None, "b", "c"]), weights=pa.array([1.0, 1.0, None, 1.0])).table
    check_input_error(ei.value, voc.MissingValueError, "by", 1, None)


# ---------------------------------------------------------------- weights


@pytest.mark.parametrize(
    "bad,cls,value",
    [(-1.0, voc.InputError, -1.0), (-1e-300, voc.InputError, -1e-300), (INF, voc.NonFiniteError, INF),
     (-INF, voc.NonFiniteError, -INF), (NAN, voc.MissingValueError, None)],
    ids=["negative", "tiny negative", "+inf", "-inf", "nan"],
)
@pytest.mark.parametrize("f", [voc.nps, voc.csat, voc.ces])
def test_bad_weights(f, bad, cls, value):
    w = [1.0, 2.0, bad, 1.0]
    with pytest.raises(cls) as ei:
        f([3, 4, 5, 5], weights=w)
    check_input_error(ei.value, cls, "weights", 2, value)
    if cls is voc.InputError:
        assert "non-negative" in str(ei.value)


def test_bad_weights_with_groups():
    with pytest.raises(voc.InputError) as ei:
        voc.nps([3, 4, 5], by=["a", "b", "a"], weights=[1.0, -2.0, 1.0]).table
    check_input_error(ei.value, voc.InputError, "weights", 1, -2.0)


# ---------------------------------------------------------------- options


BAD_CONFIDENCES = [0.0, 1.0, 1.5, -0.5, NAN, INF]


@pytest.mark.parametrize("conf", BAD_CONFIDENCES)
def test_bad_confidence_everywhere(conf):
    calls = [
        lambda: voc.nps([1, 9], confidence=conf),
        lambda: voc.nps([1, 9], by=[0, 1], confidence=conf).table,
        lambda: voc.nps([1, 9], period="day", time=[0, 1], confidence=conf).table,
        lambda: voc.csat([1, 5], confidence=conf),
        lambda: voc.ces([1, 7], confidence=conf),
        lambda: voc.compare(voc.nps([1, 9]), voc.nps([1, 10, 9]), confidence=conf),
        lambda: voc.nps_test(voc.nps([1, 9]), confidence=conf),
        lambda: voc.stats.proportion_ci(1, 2, confidence=conf),
        lambda: voc.stats.two_proportion_test(1, 2, 1, 3, confidence=conf),
        lambda: voc.stats.welch_test(1, 1, 5, 2, 1, 5, confidence=conf),
        lambda: voc.NpsState().finish(confidence=conf),
        lambda: voc.CsatState().finish(confidence=conf),
        lambda: voc.CesState().finish_groups(confidence=conf),
    ]
    for call in calls:
        with pytest.raises(voc.InvalidOptionError) as ei:
            call()
        check_input_error(ei.value, voc.InvalidOptionError, "confidence")
        assert "confidence = " in str(ei.value)


@pytest.mark.parametrize(
    "call,arg,value",
    [
        (lambda: voc.nps([1], interval="wilson"), "interval", "wilson"),
        (lambda: voc.nps([1], interval="Wald"), "interval", "Wald"),
        (lambda: voc.csat([1], interval="adjusted_wald"), "interval", "adjusted_wald"),
        (lambda: voc.ces([1], interval="bogus"), "interval", "bogus"),
        (lambda: voc.NpsState().finish(interval="bogus"), "interval", "bogus"),
        (lambda: voc.nps([1], missing="drop"), "missing", "drop"),
        (lambda: voc.NpsState().update([1], missing="drop"), "missing", "drop"),
        (lambda: voc.nps([1, 2], period="month").table, "time", "None"),
        (lambda: voc.nps([1, 2], time=[0, 1]), "period", "None"),
        (lambda: voc.nps([1, 2], period="fortnight", time=[0, 1]).table, "period", "fortnight"),
        (lambda: voc.csat([1, 2], period="hour", time=[0, 1]).table, "period", "hour"),
        (lambda: voc.csat([1, 2], satisfied_from=6), "satisfied_from", "6"),
        (lambda: voc.csat([1, 2], satisfied_from=0), "satisfied_from", "0"),
        (lambda: voc.csat([1, 2], scale=(1, 10), satisfied_from=11), "satisfied_from", "11"),
        (lambda: voc.CsatState().finish(satisfied_from=9), "satisfied_from", "9"),
        (lambda: voc.ces([1, 2], hard_to=5, easy_from=5), "hard_to", "5"),
        (lambda: voc.ces([1, 2], hard_to=6, easy_from=3), "hard_to", "6"),
        (lambda: voc.ces([1, 2], hard_to=5), "hard_to", "5"),
        (lambda: voc.ces([1, 2], easy_from=8), "easy_from", "8"),
        (lambda: voc.ces([1, 2], hard_to=0), "hard_to", "0"),
        (lambda: voc.csat([1, 2], scale=(5, 1)), "scale", "(5, 1)"),
        (lambda: voc.csat([1, 2], scale=(3, 3)), "scale", "(3, 3)"),
        (lambda: voc.ces([1, 2], scale=(0, 200)), "scale", "(0, 200)"),
        (lambda: voc.CsatState(scale=(5, 1)), "scale", "(5, 1)"),
        (lambda: voc.CesState(scale=(2, 2)), "scale", "(2, 2)"),
        (lambda: voc.nps([1, 2], interval="bootstrap", resamples=10), "resamples", "10"),
        (lambda: voc.nps_test(voc.nps([1, 9]), null=150.0), "null", "150"),
        (lambda: voc.stats.proportion_ci(5, 3), "successes", "5"),
        (lambda: voc.stats.proportion_ci(-1, 3), "successes", "-1"),
    ],
)
def test_invalid_options(call, arg, value):
    with pytest.raises(voc.InvalidOptionError) as ei:
        call()
    check_input_error(ei.value, voc.InvalidOptionError, arg)
    assert f"{arg} = {value}" in str(ei.value)


def test_unknown_proportion_interval_names_the_interval_argument():
    with pytest.raises(voc.InvalidOptionError) as ei:
        voc.stats.proportion_ci(1, 2, interval="bogus")
    check_input_error(ei.value, voc.InvalidOptionError, "interval")
    assert "bogus" in str(ei.value)


def test_insufficient_data():
    with pytest.raises(voc.InsufficientDataError):
        voc.compare(voc.nps([9, 9]), voc.nps([10, 10]))  # both zero variance
    with pytest.raises(voc.InsufficientDataError):
        voc.nps_test(voc.nps([10, 10]))
    with pytest.raises(voc.InsufficientDataError):
        voc.compare(voc.ces([3]), voc.ces([4, 5]))
    with pytest.raises(voc.InsufficientDataError):
        voc.stats.welch_test(1, 1, 1, 2, 1, 5)
    with pytest.raises(voc.InsufficientDataError):
        voc.stats.two_proportion_test(0, 5, 0, 5)
    with pytest.raises(voc.EmptyInputError):
        voc.stats.proportion_ci(0, 0)
    with pytest.raises(voc.EmptyInputError):
        voc.stats.two_proportion_test(0, 0, 1, 2)


def test_compare_needs_results_of_one_metric():
    with pytest.raises(voc.IncompatibleError) as ei:
        voc.compare(voc.nps([1, 9]), voc.csat([1, 5]))
    assert "NpsResult" in str(ei.value) and "CsatResult" in str(ei.value)
    with pytest.raises(voc.IncompatibleError):
        voc.compare(voc.ces([1, 5]), [1, 2])
    with pytest.raises(TypeError):
        voc.nps_test(voc.csat([1, 5]))


def test_invalid_group_ids_on_state_update():
    for groups, index, value in (([0, -1], 1, -1.0), ([0, 1.5], 1, 1.5), ([2**24, 0], 0, float(2**24)),
                                 ([0, NAN], 1, NAN)):
        with pytest.raises(voc.InputError) as ei:
            voc.NpsState().update([1, 2], by=groups)
        assert ei.value.arg == "by"
        assert ei.value.index == index
        if not math.isnan(value):
            assert ei.value.value == value
    with pytest.raises(voc.MissingValueError) as ei:
        voc.NpsState().update([1, 2], by=pa.array([0, None]))
    check_input_error(ei.value, voc.MissingValueError, "by", 1, None)


# ---------------------------------------------------------------- states: merge and bytes


def test_merge_of_different_scales():
    with pytest.raises(voc.IncompatibleError) as ei:
        voc.CsatState().merge(voc.CsatState(scale=(1, 7)))
    assert "1..=5" in str(ei.value) and "1..=7" in str(ei.value)
    with pytest.raises(voc.IncompatibleError):
        voc.CesState(scale=(1, 5)).merge(voc.CesState())


def test_merge_of_different_metrics_is_refused():
    with pytest.raises((TypeError, voc.IncompatibleError)):
        voc.CsatState().merge(voc.CesState())
    with pytest.raises((TypeError, voc.IncompatibleError)):
        voc.NpsState().merge(voc.CsatState(scale=(0, 10)))


def _state_bytes():
    s = voc.NpsState()
    s.update(np.arange(11), by=[0, 1, 2] * 3 + [0, 1], weights=np.linspace(1, 2, 11))
    return s.to_bytes()


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"VOCT", b"VOCT\x02\x00", b"\x00" * 64, b"VOCT\xff\xff" + b"\x00" * 40],
    ids=["empty", "garbage", "magic only", "unknown version", "zeros", "future version"],
)
@pytest.mark.parametrize("cls", [voc.NpsState, voc.CsatState, voc.CesState])
def test_from_bytes_rejects_garbage(cls, data):
    with pytest.raises(voc.DecodeError) as ei:
        cls.from_bytes(data)
    assert "cannot decode" in str(ei.value)


def test_from_bytes_rejects_every_truncation_and_trailing_bytes():
    b = _state_bytes()
    for i in range(len(b)):
        with pytest.raises(voc.DecodeError):
            voc.NpsState.from_bytes(b[:i])
    with pytest.raises(voc.DecodeError, match="checksum"):
        voc.NpsState.from_bytes(b + b"\x00")


def test_from_bytes_of_another_metric():
    c = voc.CsatState()
    c.update([1, 2, 3])
    # Bytes of another kind of state are a decode error (as the bytes of any other object are).
    with pytest.raises(voc.DecodeError, match="CSAT tally cannot become a NPS state"):
        voc.NpsState.from_bytes(c.to_bytes())
    with pytest.raises(voc.DecodeError):
        voc.CesState.from_bytes(c.to_bytes())


def test_from_bytes_survives_corrupted_bytes():
    """Single-byte corruptions either decode or raise a voc error; never a crash or a panic."""
    b = _state_bytes()
    outcomes = set()
    for i in range(len(b)):
        for v in (0x00, 0x01, 0x80, 0xFF):
            bb = bytearray(b)
            bb[i] = v
            try:
                s = voc.NpsState.from_bytes(bytes(bb))
            except voc.VocError as e:
                outcomes.add(type(e).__name__)
                continue
            outcomes.add("decoded")
            assert s.n >= 0 and s.groups >= 1
            s.to_bytes()
            repr(s)
    assert "DecodeError" in outcomes


def test_from_bytes_wrong_type():
    with pytest.raises(TypeError):
        voc.NpsState.from_bytes("not bytes")


# ---------------------------------------------------------------- all-or-nothing updates


def _filled_state(cls=voc.NpsState, **kw):
    s = cls(**kw)
    hi = 10 if cls is voc.NpsState else 5
    s.update(np.arange(1, hi + 1), by=np.arange(hi) % 2)
    return s


NPS_BAD_UPDATES = {
    "score out of range at the end": lambda s: s.update(np.r_[np.full(5000, 9), 11]),
    "int8 out of range": lambda s: s.update(np.r_[np.full(5000, 9, np.int8), np.int8(-1)]),
    "not whole": lambda s: s.update([9.0, 7.5]),
    "inf": lambda s: s.update([9.0, INF]),
    "nan under error": lambda s: s.update([9.0, NAN]),
    "null under error": lambda s: s.update(pa.array([9, None])),
    "bad score with new groups": lambda s: s.update([9, 11], by=[7, 8]),
    "bad score with weights": lambda s: s.update([9, 11], weights=[1.0, 2.0]),
    "negative weight": lambda s: s.update([9, 10], weights=[1.0, -1.0]),
    "nan weight": lambda s: s.update([9, 10], weights=[1.0, NAN]),
    "inf weight with groups": lambda s: s.update([9, 10], weights=[1.0, INF], by=[5, 6]),
    "bad group id": lambda s: s.update([9, 10], by=[3, -1]),
    "huge group id": lambda s: s.update([9, 10], by=[3, 2**24]),
    "length mismatch groups": lambda s: s.update([9, 10], by=[3]),
    "length mismatch weights": lambda s: s.update([9, 10], weights=[1.0, 1.0, 1.0]),
    "strings": lambda s: s.update(["9"]),
    "bad missing option": lambda s: s.update([9], missing="nope"),
}


@pytest.mark.parametrize("name", list(NPS_BAD_UPDATES))
@pytest.mark.parametrize("weighted", [False, True])
def test_failed_update_leaves_state_unchanged(name, weighted):
    s = _filled_state()
    if weighted:
        s.update([10, 0], weights=[0.5, 2.0])
    before = s.to_bytes()
    n, groups = s.n, s.groups
    with pytest.raises(voc.VocError):
        NPS_BAD_UPDATES[name](s)
    assert s.to_bytes() == before
    assert (s.n, s.groups) == (n, groups)
    s.update([10])  # still usable
    assert s.n == n + 1


@pytest.mark.parametrize("cls", [voc.CsatState, voc.CesState])
def test_failed_csat_ces_update_leaves_state_unchanged(cls):
    s = _filled_state(cls)
    before = s.to_bytes()
    for bad in ([1, 2, 0], [1, 99], [1.0, 2.5], [1.0, NAN]):
        with pytest.raises(voc.InputError):
            s.update(bad, by=[4] * len(bad))
    assert s.to_bytes() == before


# ---------------------------------------------------------------- extreme timestamps


def test_extreme_timestamps_are_not_merged_into_one_period():
    """Two timestamps ~5e16 years apart must not share a week: an error or two rows, never a silent merge."""
    t = np.array([-(2**63) + 1, 2**63 - 1], dtype="datetime64[D]")
    for period in ("day", "week", "month", "quarter", "year"):
        try:
            table = voc.nps([1, 9], period=period, time=t).table
        except voc.InputError:
            continue
        assert len(table) == 2, (period, table["period"], table["n"])


# ---------------------------------------------------------------- no crashes, no hangs


@pytest.mark.parametrize("null", [1e-300, -1e-300, 2.850170365707213e-267, 1e-160])
def test_tiny_test_statistic_gives_p_one_not_a_panic(null):
    # z = (nps - null) / se is ~1e-300 here; its two-sided p-value is 1 (scipy: 2 * norm.sf(1e-300) == 1.0)
    r = voc.nps([9, 1, 0, 9])  # NPS exactly 0
    t = voc.nps_test(r, null)
    assert t.p_value == pytest.approx(1.0, abs=1e-12)
    assert t.significant is False


def _run_isolated(code: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)


def test_bad_input_matrix_never_crashes_the_interpreter():
    code = """
        import numpy as np, pyarrow as pa, voc
        bad = [[float("nan")], [float("inf")], [11], [-1], [7.5], [], ["x"], [True], [None], [[1, 2]],
               np.zeros((2, 2)), pa.array([None], pa.int64()), object(), None, {}, set(), b"abc", 3]
        n = 0
        for f in (voc.nps, voc.csat, voc.ces):
            for x in bad:
                try:
                    f(x)
                except (voc.VocError, TypeError, ValueError):
                    n += 1
        for x in bad:
            for kw in ({"by": x}, {"weights": x}, {"time": x, "period": "day"}):
                try:
                    voc.nps([1], **kw)
                except (voc.VocError, TypeError, ValueError):
                    n += 1
        print(n)
    """
    out = _run_isolated(code)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) > 90


def test_t_quantile_with_large_degrees_of_freedom_returns():
    """Welch's test and t intervals for tens of millions of responses must return (and match scipy)."""
    code = """
        import voc, scipy.stats as st
        for n in (1e6, 1e7, 1e8):
            t = voc.stats.welch_test(3.0, 1.0, n, 3.001, 1.1, n)
            ref = st.ttest_ind_from_stats(3.0, 1.0, n, 3.001, 1.1, n, equal_var=False)
            assert abs(t.statistic - ref.statistic) < 1e-9 * abs(ref.statistic), (n, t, ref)
            assert abs(t.p_value - ref.pvalue) < 1e-9, (n, t.p_value, ref.pvalue)
            print("ok", n, flush=True)
    """
    try:
        out = _run_isolated(code, timeout=15)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"welch_test did not return within 15 s; completed: {e.stdout!r}")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("ok") == 3


def test_clopper_pearson_with_large_n_returns():
    code = """
        import voc, scipy.stats as st
        for k, n in ((50, 10_000_000), (9_999_995, 10_000_000), (1, 1_000_000_000)):
            r = voc.stats.proportion_ci(k, n, interval="clopper_pearson"); lo, hi = r.ci_low, r.ci_high
            ref_lo, ref_hi = st.beta.ppf(0.025, k, n - k + 1), st.beta.ppf(0.975, k + 1, n - k)
            assert abs(lo / ref_lo - 1) < 1e-6 and abs(hi / ref_hi - 1) < 1e-6, (k, n, lo, hi, ref_lo, ref_hi)
            print("ok", k, n, flush=True)
    """
    try:
        out = _run_isolated(code, timeout=15)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"proportion_ci(clopper_pearson) did not return within 15 s; completed: {e.stdout!r}")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("ok") == 3


def test_welch_std_whose_square_overflows_is_named_with_its_value():
    # The variance is std²: an overflow is reported on the std given, never as `std1 = inf`.
    for kwargs, arg in (((1.0, 1e200, 10, 2.0, 1.0, 10), "std1"), ((1.0, 1.0, 10, 2.0, -1e160, 10), "std2")):
        with pytest.raises(voc.InputError) as e:
            voc.stats.welch_test(*kwargs)
        assert e.value.arg == arg
        assert "inf" not in str(e.value)
        assert ("1e200" in str(e.value)) or ("-1e160" in str(e.value))
    with pytest.raises(voc.InputError) as e:
        voc.stats.welch_test(1.0, float("nan"), 10, 2.0, 1.0, 10)
    assert e.value.arg == "std1"
