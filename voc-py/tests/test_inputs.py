"""Every supported column type gives the same answer as a plain int64 numpy array."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from _helpers import assert_tables_equal

import voc

NUMERIC_DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "float32",
                  "float64", ">i2", ">i4", ">i8", ">u4", ">f4", ">f8", "<i4", "longdouble"]


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_numpy_dtypes_give_identical_nps(nps_scores, dtype):
    ref = voc.nps(nps_scores)
    arr = nps_scores.astype(dtype)
    assert voc.nps(arr) == ref
    assert voc.nps(arr).to_dict() == ref.to_dict()


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint32", "int64", "float32", "float64", ">i4", ">f8"])
def test_numpy_dtypes_give_identical_csat_ces(rng, dtype):
    c = rng.integers(1, 6, 500)
    e = rng.integers(1, 8, 500)
    assert voc.csat(c.astype(dtype)) == voc.csat(c)
    assert voc.ces(e.astype(dtype)) == voc.ces(e)


def test_big_endian_array_is_read_by_value(nps_scores):
    be = nps_scores.astype(np.dtype(">i4"))
    assert be.dtype.byteorder == ">"
    r = voc.nps(be)
    assert r == voc.nps(nps_scores)
    assert r.n == len(nps_scores)
    # a byte-swap mistake would put values far outside 0..10 and fail loudly, so also check the counts
    assert r.distribution == np.bincount(nps_scores, minlength=11).tolist()


def _nps_variants(x: np.ndarray):
    chunks = np.array_split(x, 3)
    padded = np.concatenate([[5, 5, 5], x])
    return {
        "list": x.tolist(),
        "tuple": tuple(x.tolist()),
        "pandas int64": pd.Series(x),
        "pandas int8": pd.Series(x.astype(np.int8)),
        "pandas float": pd.Series(x.astype(float)),
        "pandas Int8": pd.Series(x, dtype="Int8"),
        "pandas Float64": pd.Series(x, dtype="Float64"),
        "pandas int64[pyarrow]": pd.Series(x, dtype="int64[pyarrow]"),
        "pandas arrow int8": pd.Series(x, dtype=pd.ArrowDtype(pa.int8())),
        "pandas arrow double": pd.Series(x, dtype=pd.ArrowDtype(pa.float64())),
        "pandas index": pd.Index(x),
        "polars Int64": pl.Series(x),
        "polars Int8": pl.Series(x).cast(pl.Int8),
        "polars UInt16": pl.Series(x).cast(pl.UInt16),
        "polars Float32": pl.Series(x).cast(pl.Float32),
        "polars several chunks": pl.concat([pl.Series(c) for c in chunks], rechunk=False),
        "pyarrow int64": pa.array(x),
        "pyarrow int8": pa.array(x, pa.int8()),
        "pyarrow uint64": pa.array(x, pa.uint64()),
        "pyarrow double": pa.array(x, pa.float64()),
        "pyarrow sliced (offset)": pa.array(padded)[3:],
        "pyarrow chunked": pa.chunked_array([pa.array(c) for c in chunks]),
        "pyarrow chunked int16": pa.chunked_array([pa.array(c, pa.int16()) for c in chunks]),
        "numpy strided": np.repeat(x, 2)[::2],
        "numpy reversed twice": x[::-1].copy()[::-1],
        "numpy column of 2-d": np.stack([x, x[::-1]], axis=1)[:, 0],
        "numpy fortran column": np.asfortranarray(np.stack([x, x], axis=1))[:, 1],
        "memoryview": memoryview(x.astype(np.int32)),
    }


@pytest.mark.parametrize(
    "name",
    list(_nps_variants(np.arange(3)).keys()),
)
def test_column_types_give_identical_nps(nps_scores, name):
    ref = voc.nps(nps_scores)
    value = _nps_variants(nps_scores)[name]
    assert voc.nps(value) == ref


def test_chunked_arrow_really_has_chunks(nps_scores):
    ca = pa.chunked_array([pa.array(c) for c in np.array_split(nps_scores, 3)])
    assert ca.num_chunks == 3
    s = pl.concat([pl.Series(c) for c in np.array_split(nps_scores, 3)], rechunk=False)
    assert s.n_chunks() == 3
    assert voc.nps(ca) == voc.nps(s) == voc.nps(nps_scores)


def test_strided_and_reversed_arrays(nps_scores):
    assert not nps_scores[::2].flags.c_contiguous
    assert voc.nps(nps_scores[::2]) == voc.nps(nps_scores[::2].copy())
    assert voc.nps(nps_scores[::-3]) == voc.nps(nps_scores[::-3].copy())
    assert voc.nps(nps_scores[::-1]) == voc.nps(nps_scores)  # order does not matter


def test_read_only_array_is_accepted_and_not_modified(nps_scores):
    ro = nps_scores.copy()
    ro.flags.writeable = False
    before = ro.copy()
    assert voc.nps(ro) == voc.nps(nps_scores)
    assert voc.csat(np.clip(ro, 1, 5)) == voc.csat(np.clip(nps_scores, 1, 5))
    np.testing.assert_array_equal(ro, before)
    s = voc.NpsState()
    s.update(ro, weights=np.ones(len(ro)), by=ro % 3)
    np.testing.assert_array_equal(ro, before)


def test_inputs_are_never_modified(nps_scores, segments):
    x = nps_scores.astype(float)
    x[::97] = np.nan
    w = np.linspace(0.5, 2.0, len(x))
    copies = (x.copy(), w.copy(), segments.copy())
    voc.nps(x, by=segments, weights=w, missing="skip").table
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(w, copies[1])
    np.testing.assert_array_equal(segments, copies[2])


@pytest.mark.parametrize("metric,lo,hi", [("csat", 1, 5), ("ces", 1, 7)])
def test_column_types_give_identical_csat_ces(rng, metric, lo, hi):
    f = getattr(voc, metric)
    x = rng.integers(lo, hi + 1, 400)
    ref = f(x)
    for value in (x.tolist(), pd.Series(x, dtype="Int16"), pl.Series(x), pa.array(x),
                  pa.chunked_array([x[:100], x[100:]]), x.astype(">i8")):
        assert f(value) == ref


def test_weights_column_types(nps_scores, rng):
    w = rng.uniform(0.2, 3.0, len(nps_scores))
    ref = voc.nps(nps_scores, weights=w)
    assert ref.weighted
    for value in (w.tolist(), pd.Series(w), pd.Series(w, dtype="Float64"), pl.Series(w), pa.array(w),
                  pa.chunked_array([w[:10], w[10:]]), w.astype(">f8"), np.repeat(w, 2)[::2]):
        assert voc.nps(nps_scores, weights=value) == ref
    ints = rng.integers(1, 4, len(nps_scores))
    assert voc.nps(nps_scores, weights=ints) == voc.nps(nps_scores, weights=ints.astype(float))


# ---------------------------------------------------------------- by=


def _by_variants(labels: np.ndarray):
    order = sorted(set(labels.tolist()), reverse=True)
    return {
        "numpy str": labels,
        "numpy object": labels.astype(object),
        "numpy bytes": labels.astype("S"),
        "list": labels.tolist(),
        "pandas object": pd.Series(labels),
        "pandas string": pd.Series(labels, dtype="string"),
        "pandas string[pyarrow]": pd.Series(labels, dtype="string[pyarrow]"),
        "pandas categorical": pd.Series(labels).astype("category"),
        "pandas Categorical": pd.Categorical(labels),
        "polars String": pl.Series(labels),
        "polars Categorical": pl.Series(labels).cast(pl.Categorical),
        "polars Enum": pl.Series(labels).cast(pl.Enum(order)),
        "pyarrow string": pa.array(labels),
        "pyarrow large_string": pa.array(labels, pa.large_string()),
        "pyarrow string_view": pa.array(labels, pa.string_view()),
        "pyarrow dictionary": pa.array(labels).dictionary_encode(),
        "pyarrow chunked dictionary": pa.chunked_array(
            [pa.array(c).dictionary_encode() for c in np.array_split(labels, 3)]
        ),
        "pyarrow chunked string": pa.chunked_array([pa.array(c) for c in np.array_split(labels, 4)]),
    }


@pytest.mark.parametrize("name", list(_by_variants(np.array(["a"])).keys()))
def test_by_string_like_columns_give_identical_tables(nps_scores, segments, name):
    ref = voc.nps(nps_scores, by=segments).table
    by = _by_variants(segments)[name]
    t = voc.nps(nps_scores, by=by).table
    if name == "polars Enum":
        # An Enum is an ordered categorical: groups follow its declared order, not the sorted labels.
        order = list(by.dtype.categories)
        assert t["group"] == [g for g in order if g in set(segments.tolist())]
        position = [ref["group"].index(g) for g in t["group"]]
        for col in ref.columns:
            if isinstance(ref[col], list):
                assert t[col] == [ref[col][i] for i in position]
            else:
                np.testing.assert_array_equal(t[col], np.asarray(ref[col])[position])
        return
    assert_tables_equal(t, ref)
    assert t["group"] == sorted(set(segments.tolist()))


def test_ordered_categoricals_keep_their_category_order_as_pandas_groupby(nps_scores, rng):
    order = ["low", "medium", "high"]
    labels = np.array(order)[rng.integers(0, 3, len(nps_scores))]
    cat = pd.Categorical(labels, categories=order, ordered=True)
    t = voc.nps(nps_scores, by=pd.Series(cat)).table
    assert t["group"] == order
    ref = pd.DataFrame({"s": nps_scores, "g": cat}).groupby("g", observed=True)["s"].count()
    assert t["group"] == [str(g) for g in ref.index]
    assert t["n"].tolist() == ref.tolist()
    # Unordered dictionaries (order of first appearance) are sorted like strings.
    t2 = voc.nps(nps_scores, by=pa.array(labels).dictionary_encode()).table
    assert t2["group"] == sorted(order)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", ">i4", "uint8", "uint16", "uint32", "uint64"])
def test_by_integer_dtypes(nps_scores, rng, dtype):
    codes = rng.integers(0, 6, len(nps_scores))
    ref = voc.nps(nps_scores, by=codes).table
    t = voc.nps(nps_scores, by=codes.astype(dtype)).table
    assert_tables_equal(t, ref)
    assert t["group"].tolist() == [0, 1, 2, 3, 4, 5]


def test_by_negative_and_sparse_integers(nps_scores, rng):
    labels = np.array([-7, 0, 3, 1_000_000_007])[rng.integers(0, 4, len(nps_scores))]
    t = voc.nps(nps_scores, by=labels).table
    assert t["group"].tolist() == [-7, 0, 3, 1_000_000_007]
    for value in (labels.tolist(), pd.Series(labels), pd.Series(labels, dtype="Int64"), pl.Series(labels),
                  pa.array(labels), pa.chunked_array([labels[:10], labels[10:]])):
        assert_tables_equal(voc.nps(nps_scores, by=value).table, t)


def test_by_booleans(nps_scores):
    flags = nps_scores % 2 == 0
    t = voc.nps(nps_scores, by=flags).table
    assert t["group"].tolist() == [0, 1]
    assert_tables_equal(voc.nps(nps_scores, by=pl.Series(flags)).table, t)
    assert_tables_equal(voc.nps(nps_scores, by=pa.array(flags)).table, t)


def test_by_with_weights_and_csat(rng, segments):
    x = rng.integers(1, 6, len(segments))
    w = rng.uniform(0.5, 2, len(segments))
    ref = voc.csat(x, by=segments, weights=w).table
    assert_tables_equal(voc.csat(pl.Series(x), by=pl.Series(segments).cast(pl.Categorical), weights=pa.array(w)).table,
                        ref)


# ---------------------------------------------------------------- time=


def _time_variants(t: np.ndarray):
    """`t` is datetime64[s] (whole seconds, 2024)."""
    ns = t.astype("datetime64[ns]")
    secs = t.astype(np.int64)
    return {
        "numpy datetime64[s]": t,
        "numpy datetime64[ns]": ns,
        "numpy datetime64[ms]": t.astype("datetime64[ms]"),
        "numpy datetime64[us]": t.astype("datetime64[us]"),
        "numpy datetime64[m] (floored)": t.astype("datetime64[m]"),
        "numpy datetime64[10s]": t.astype("datetime64[10s]"),
        "integer seconds": secs,
        "integer seconds int32 big-endian": secs.astype(">i4"),
        "integer seconds list": secs.tolist(),
        "pandas datetime": pd.Series(ns),
        "pandas DatetimeIndex": pd.DatetimeIndex(ns),
        "pandas datetime UTC": pd.Series(pd.to_datetime(secs, unit="s", utc=True)),
        "pandas timestamp[pyarrow]": pd.Series(ns).astype("timestamp[us][pyarrow]"),
        "polars Datetime(ns)": pl.Series(ns),
        "polars Datetime(us)": pl.Series(ns).cast(pl.Datetime("us")),
        "polars Datetime UTC": pl.Series(ns).dt.replace_time_zone("UTC"),
        "pyarrow timestamp[s]": pa.array(t),
        "pyarrow timestamp[ns, UTC]": pa.array(ns, pa.timestamp("ns", tz="UTC")),
        "pyarrow chunked timestamp": pa.chunked_array([pa.array(c) for c in np.array_split(t, 3)]),
        "pyarrow int64 seconds": pa.array(secs),
    }


@pytest.mark.parametrize("name", list(_time_variants(np.array(["2024-01-01"], "datetime64[s]")).keys()))
def test_time_columns_give_identical_trends(nps_scores, times_2024, name):
    ref = voc.nps(nps_scores, period="month", time=times_2024).table
    t = voc.nps(nps_scores, period="month", time=_time_variants(times_2024)[name]).table
    assert_tables_equal(t, ref)
    assert len(t) == 12


def _day_variants(days: np.ndarray):
    """`days` is datetime64[D]."""
    return {
        "numpy datetime64[D]": days,
        "polars Date": pl.Series(days.astype("datetime64[ms]")).cast(pl.Date),
        "pyarrow date32": pa.array(days, pa.date32()),
        "pyarrow date64": pa.array(days, pa.date64()),
        "pandas date32[pyarrow]": pd.Series(pa.array(days, pa.date32()), dtype=pd.ArrowDtype(pa.date32())),
        "pandas datetime64[s] midnight": pd.Series(days.astype("datetime64[s]")),
    }


@pytest.mark.parametrize("name", list(_day_variants(np.array(["2024-01-01"], "datetime64[D]")).keys()))
@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_date_columns_give_identical_trends(nps_scores, times_2024, name, period):
    days = times_2024.astype("datetime64[D]")
    ref = voc.nps(nps_scores, period=period, time=days.astype("datetime64[s]")).table
    t = voc.nps(nps_scores, period=period, time=_day_variants(days)[name]).table
    assert_tables_equal(t, ref)


def test_tz_aware_times_are_bucketed_in_utc(nps_scores, times_2024):
    ref = voc.nps(nps_scores, period="day", time=times_2024).table
    local = pd.Series(pd.to_datetime(times_2024.astype(np.int64), unit="s", utc=True)).dt.tz_convert("Asia/Tokyo")
    assert_tables_equal(voc.nps(nps_scores, period="day", time=local).table, ref)


@pytest.mark.parametrize("alias,name", [("D", "day"), ("W", "week"), ("M", "month"), ("MS", "month"),
                                        ("ME", "month"), ("Q", "quarter"), ("QS", "quarter"), ("QE", "quarter"),
                                        ("Y", "year"), ("YS", "year"), ("YE", "year")])
def test_period_aliases(nps_scores, times_2024, alias, name):
    assert_tables_equal(voc.nps(nps_scores, period=alias, time=times_2024).table,
                        voc.nps(nps_scores, period=name, time=times_2024).table)
    assert voc.nps(nps_scores, period=alias, time=times_2024).table.kind == f"nps by {name}"


def test_period_labels_and_starts():
    t = np.array(["2024-12-29", "2024-12-30", "2021-01-03", "1969-12-31", "2026-01-01"], "datetime64[D]")
    x = [9, 9, 9, 9, 9]
    w = voc.nps(x, period="week", time=t).table
    assert w["period"] == ["1970-W01", "2020-W53", "2024-W52", "2025-W01", "2026-W01"]
    iso = sorted({"%04d-W%02d" % d.isocalendar()[:2] for d in t.tolist()})
    assert w["period"] == iso
    assert [d.isoformat() for d in w["period_start"].tolist()] == [
        "1969-12-29", "2020-12-28", "2024-12-23", "2024-12-30", "2025-12-29"]
    q = voc.nps(x, period="quarter", time=t).table
    assert q["period"] == ["1969-Q4", "2021-Q1", "2024-Q4", "2026-Q1"]
    assert q["n"].tolist() == [1, 1, 2, 1]
    y = voc.nps(x, period="year", time=t).table
    assert y["period"] == ["1969", "2021", "2024", "2026"]
    assert y["n"].tolist() == [1, 1, 2, 1]
    d = voc.nps(x, period="day", time=t).table
    assert d["period"] == ["1969-12-31", "2021-01-03", "2024-12-29", "2024-12-30", "2026-01-01"]


def test_pre_epoch_seconds_floor_to_the_previous_day():
    t = np.array(["1969-12-31T23:59:59", "1970-01-01T00:00:00"], "datetime64[s]")
    r = voc.nps([0, 10], period="day", time=t).table
    assert r["period"] == ["1969-12-31", "1970-01-01"]
    assert voc.nps([0, 10], period="day", time=[-1, 0]).table["period"] == ["1969-12-31", "1970-01-01"]
    ns = t.astype("datetime64[ns]")
    assert voc.nps([0, 10], period="day", time=ns).table["period"] == ["1969-12-31", "1970-01-01"]


def test_numpy_backed_pandas_columns_are_read_through_numpy_not_arrow(monkeypatch, nps_scores):
    # numpy-backed pandas columns are read zero-copy through numpy; the Arrow export is not even called.
    calls = []

    def recording_export(self, *args, **kwargs):
        calls.append(self.dtype)
        raise RuntimeError("the Arrow export must not be used for numpy-backed columns")

    monkeypatch.setattr(pd.Series, "__arrow_c_stream__", recording_export, raising=False)
    for dtype in ("int8", "int64", "float64"):
        assert voc.nps(pd.Series(nps_scores.astype(dtype))) == voc.nps(nps_scores.astype(dtype))
    times = pd.Series(np.array(["2024-01-05", "2024-02-05"], dtype="datetime64[ns]"))
    assert voc.nps(pd.Series([9, 3]), period="month", time=times, by=pd.Series([1, 1])).table["n"].tolist() == [1, 1]
    assert calls == []
