"""Pickling of states, results, tables and errors; thread safety; the GIL is released on heavy calls."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import pickle
import sys
import threading
import time

import numpy as np
import pytest
from _helpers import assert_tables_equal

import voc
import voc.errors

PROTOCOLS = list(range(pickle.HIGHEST_PROTOCOL + 1))


def _roundtrip(obj, protocol=pickle.HIGHEST_PROTOCOL):
    return pickle.loads(pickle.dumps(obj, protocol=protocol))


# ---------------------------------------------------------------- states


def _states(rng):
    x = rng.integers(0, 11, 500)
    plain = voc.NpsState()
    plain.update(x)
    grouped = voc.NpsState()
    grouped.update(x, by=x % 4)
    weighted = voc.NpsState()
    weighted.update(x, weights=rng.uniform(0.1, 3.0, len(x)), by=x % 3)
    skipped = voc.NpsState()
    skipped.update(np.where(x == 5, np.nan, x), missing="skip")
    csat = voc.CsatState(scale=(1, 10))
    csat.update(np.clip(x, 1, 10), by=x % 2)
    ces = voc.CesState()
    ces.update(np.clip(x, 1, 7), weights=np.ones(len(x)))
    return {"plain": plain, "grouped": grouped, "weighted": weighted, "skipped": skipped, "csat": csat,
            "ces": ces, "empty": voc.NpsState(), "empty csat": voc.CsatState()}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("name", ["plain", "grouped", "weighted", "skipped", "csat", "ces", "empty", "empty csat"])
def test_state_pickle_roundtrip(rng, name, protocol):
    s = _states(rng)[name]
    back = _roundtrip(s, protocol)
    assert type(back) is type(s)
    assert back == s
    assert back is not s
    assert back.to_bytes() == s.to_bytes()
    assert (back.n, back.groups, back.scale) == (s.n, s.groups, s.scale)
    if s.n:
        assert back.finish() == s.finish()
        assert_tables_equal(back.finish_groups(), s.finish_groups())


@pytest.mark.parametrize("name", ["plain", "grouped", "weighted", "csat", "ces", "empty"])
def test_from_bytes_to_bytes(rng, name):
    s = _states(rng)[name]
    b = s.to_bytes()
    assert isinstance(b, bytes)
    back = type(s).from_bytes(b)
    assert back == s
    assert back.to_bytes() == b


def test_pickled_state_keeps_working(rng):
    s = _states(rng)["grouped"]
    back = _roundtrip(s)
    back.update([10, 10], by=[7, 7])
    s.update([10, 10], by=[7, 7])
    assert back == s
    assert back.groups == 8


def test_copy_and_deepcopy_are_independent(rng):
    s = _states(rng)["plain"]
    for c in (copy.copy(s), copy.deepcopy(s)):
        assert c == s
        c.update([10])
        assert c.n == s.n + 1


# ---------------------------------------------------------------- results, tables


def _results(rng):
    x = rng.integers(0, 11, 300)
    t = np.datetime64("2024-01-01", "s") + rng.integers(0, 365 * 86400, 300).astype("timedelta64[s]")
    return {
        "nps": voc.nps(x),
        "nps wald 90": voc.nps(x, interval="wald", confidence=0.9),
        "nps bootstrap": voc.nps(x, interval="bootstrap", seed=3),
        "nps weighted": voc.nps(x, weights=rng.uniform(0.5, 2, 300)),
        "csat": voc.csat(np.clip(x, 1, 5)),
        "csat single": voc.csat([3]),
        "ces": voc.ces(np.clip(x, 1, 7), easy_from=6),
        "test": voc.compare(voc.nps(x[:150]), voc.nps(x[150:])),
        "welch": voc.stats.welch_test(1.0, 2.0, 30, 1.5, 1.0, 40),
        "nps_test": voc.nps_test(voc.nps(x), 10.0),
    }


@pytest.mark.parametrize("protocol", [0, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize(
    "name", ["nps", "nps wald 90", "nps bootstrap", "nps weighted", "csat", "csat single", "ces", "test", "welch",
             "nps_test"])
def test_result_pickle_roundtrip(rng, name, protocol):
    r = _results(rng)[name]
    back = _roundtrip(r, protocol)
    assert type(back) is type(r)
    assert back == r
    assert repr(back) == repr(r)
    assert str(back.to_dict()) == str(r.to_dict())  # str so that NaN compares equal


def test_result_pickle_is_exact_for_many_inputs():
    """Every float survives pickling bit for bit (Python floats and voc states do; results must too)."""
    rng = np.random.default_rng(5)
    changed = []
    for i in range(100):
        x = rng.integers(0, 11, int(rng.integers(4, 500)))
        results = [voc.nps(x, confidence=0.9), voc.csat(np.clip(x, 1, 5)), voc.ces(np.clip(x, 1, 7))]
        try:
            results.append(voc.compare(voc.nps(x), voc.nps(x[::2])))
        except voc.InsufficientDataError:
            pass  # both samples in one NPS class: the test is undefined
        for r in results:
            back = _roundtrip(r)
            if back != r:
                d1, d2 = r.to_dict(), back.to_dict()
                changed.append({k: (d1[k], d2[k]) for k in d1 if str(d1[k]) != str(d2[k])})
    assert changed == [], f"{len(changed)} of 400 results changed by pickling, e.g. {changed[:2]}"


def _tables(rng):
    x = rng.integers(0, 11, 400)
    seg = np.array(["a", "b", "c"])[rng.integers(0, 3, 400)]
    t = np.datetime64("2024-01-01", "s") + rng.integers(0, 365 * 86400, 400).astype("timedelta64[s]")
    t_nat = t.copy()
    t_nat[3] = np.datetime64("NaT")
    return {
        "grouped str": voc.nps(x, by=seg).table,
        "grouped int": voc.csat(np.clip(x, 1, 5), by=x % 3).table,
        "trend": voc.nps(x, period="month", time=t).table,
        "grouped trend": voc.ces(np.clip(x, 1, 7), by=seg, period="quarter", time=t).table,
        "skipped time": voc.nps(x, period="month", time=t_nat, missing="skip").table,
        "empty": voc.NpsState().finish_groups(),
    }


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("name", ["grouped str", "grouped int", "trend", "grouped trend", "skipped time", "empty"])
def test_table_pickle_roundtrip(rng, name, protocol):
    t = _tables(rng)[name]
    back = _roundtrip(t, protocol)
    assert type(back) is voc.Table
    assert back.kind == t.kind
    assert back.meta == t.meta
    assert repr(back) == repr(t)
    assert_tables_equal(back, t)
    for col in t.columns:
        if isinstance(t[col], np.ndarray):
            np.testing.assert_array_equal(back[col], t[col])
            assert back[col].dtype == t[col].dtype


def test_table_meta_survives_pickle():
    t = voc.Table("user", {"a": np.arange(3)}, {"source": "crm"})
    assert _roundtrip(t).meta == {"source": "crm"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_grouped_result_pickles_with_its_counts(rng, protocol):
    x = rng.integers(0, 11, 400)
    t = np.datetime64("2024-01-01", "s") + rng.integers(0, 365 * 86400, 400).astype("timedelta64[s]")
    t[3] = np.datetime64("NaT")
    r = voc.nps(x, period="month", time=t, missing="skip")
    assert (r.n, r.n_missing, r.n_missing_time, r.period, r.metric) == (399, 1, 1, "month", "nps")
    back = _roundtrip(r, protocol)
    assert type(back) is voc.GroupedResult and back == r
    import json

    assert json.dumps(back.to_dict()) == json.dumps(r.to_dict())


# ---------------------------------------------------------------- errors


ERROR_CLASSES = [getattr(voc.errors, n) for n in voc.errors.__all__]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_pickles(cls, protocol):
    for e in (cls("plain message"), cls("scores[4] = 11 is outside", "scores", 4, 11.0),
              cls("weights[0] is missing", "weights", 0, None)):
        back = _roundtrip(e, protocol)
        assert type(back) is cls
        assert str(back) == str(e)
        assert (back.message, back.arg, back.index, back.value) == (e.message, e.arg, e.index, e.value)
        assert back.args == e.args


def _raised():
    calls = {
        "ScoreRangeError": lambda: voc.nps([1, 11]),
        "NonFiniteError": lambda: voc.nps([1.0, float("inf")]),
        "MissingValueError": lambda: voc.nps([1.0, float("nan")]),
        "EmptyInputError": lambda: voc.nps([]),
        "LengthMismatchError": lambda: voc.nps([1, 2], by=[1]).table,
        "InvalidOptionError": lambda: voc.nps([1], confidence=2.0),
        "DtypeError": lambda: voc.nps(["a"]),
        "IncompatibleError": lambda: voc.CsatState().merge(voc.CsatState(scale=(1, 7))),
        "DecodeError": lambda: voc.NpsState.from_bytes(b"junk"),
        "InsufficientDataError": lambda: voc.stats.welch_test(1, 1, 1, 1, 1, 1),
        "InputError": lambda: voc.nps([1], weights=[-1.0]),
    }
    out = {}
    for name, call in calls.items():
        try:
            call()
        except voc.VocError as e:
            out[name] = e
    return out


@pytest.mark.parametrize("name", list(_raised()))
def test_raised_errors_pickle(name):
    e = _raised()[name]
    assert type(e).__name__ == name
    back = _roundtrip(e)
    assert type(back) is type(e)
    assert str(back) == str(e)
    assert (back.arg, back.index, back.value) == (e.arg, e.index, e.value)


# ---------------------------------------------------------------- threads


def test_same_call_from_eight_threads(rng):
    x = rng.integers(0, 11, 200_000)
    g = rng.integers(0, 20, len(x))
    w = rng.uniform(0.5, 2.0, len(x))
    ref = voc.nps(x, weights=w, interval="bootstrap", seed=1)
    ref_table = voc.nps(x, by=g).table

    def work(_):
        return voc.nps(x, weights=w, interval="bootstrap", seed=1), voc.nps(x, by=g).table

    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(16)))
    for r, t in results:
        assert r == ref
        assert_tables_equal(t, ref_table)


def test_eight_threads_update_one_shared_state(rng):
    batches = [(rng.integers(0, 11, 20_000), rng.integers(0, 5, 20_000)) for _ in range(8)]
    shared = voc.NpsState()
    barrier = threading.Barrier(8)

    def work(i):
        x, g = batches[i]
        barrier.wait()
        for chunk_x, chunk_g in zip(np.array_split(x, 10), np.array_split(g, 10)):
            shared.update(chunk_x, by=chunk_g)
            _ = shared.n  # concurrent reads too
        return i

    with cf.ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(work, range(8))) == list(range(8))
    sequential = voc.NpsState()
    for x, g in batches:
        sequential.update(x, by=g)
    assert shared == sequential
    assert shared.n == 8 * 20_000


def test_threads_merge_partial_states(rng):
    x = rng.integers(0, 11, 80_000)
    chunks = np.array_split(x, 8)
    total = voc.NpsState()

    def work(chunk):
        s = voc.NpsState()
        s.update(chunk)
        total.merge(s)

    with cf.ThreadPoolExecutor(8) as pool:
        list(pool.map(work, chunks))
    whole = voc.NpsState()
    whole.update(x)
    assert total == whole


def test_concurrent_finish_and_update(rng):
    s = voc.NpsState()
    s.update(rng.integers(0, 11, 1000))
    stop = threading.Event()
    errors = []

    def reader():
        while not stop.is_set():
            try:
                r = s.finish()
                assert r.n >= 1000
                s.to_bytes()
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
                return

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    for _ in range(200):
        s.update(rng.integers(0, 11, 100))
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert s.n == 1000 + 200 * 100


def _progress_during(call, attempts=5):
    """Whether a pure-Python thread advanced while `call` ran, well inside the call's time window.

    With the GIL held for the whole call the helper thread cannot run between the first and the last
    quarter of the call (the switch interval is set to 1 ms), so any tick in the middle half proves that
    the call released the GIL. Returns (proof found, longest call seen).
    """
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    longest = 0.0
    try:
        for _ in range(attempts):
            ticks: list[float] = []
            stop = threading.Event()

            def counter():
                while not stop.is_set():
                    ticks.append(time.perf_counter())

            th = threading.Thread(target=counter)
            th.start()
            time.sleep(0.02)
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
            stop.set()
            th.join()
            span = t1 - t0
            longest = max(longest, span)
            if span < 0.02:
                continue  # too short to tell apart from a GIL hand-over
            lo, hi = t0 + span / 4, t1 - span / 4
            if any(lo < t < hi for t in ticks):
                return True, longest
    finally:
        sys.setswitchinterval(old)
    return False, longest


def test_nps_releases_the_gil():
    x = np.random.default_rng(0).integers(0, 11, 20_000_000).astype(np.int8)
    w = np.ones(len(x))  # the weighted path makes the call long enough to observe
    ok, longest = _progress_during(lambda: voc.nps(x, weights=w))
    assert longest >= 0.02, "call too fast to observe; make the input larger"
    assert ok, "a Python thread made no progress while voc.nps ran"


def test_state_update_releases_the_gil():
    x = np.random.default_rng(1).integers(0, 11, 20_000_000).astype(np.int8)
    w = np.ones(len(x))

    def call():
        voc.NpsState().update(x, weights=w)

    ok, longest = _progress_during(call)
    assert longest >= 0.02
    assert ok, "a Python thread made no progress while NpsState.update ran"


def test_impact_calls_from_eight_threads(rng):
    """Correlation, key drivers and theme impact give the same answer from many threads at once."""
    n = 50_000
    x = rng.normal(size=n)
    y = 0.3 * x + rng.normal(size=n)
    data = {"y": y, "a": x, "b": rng.normal(size=n), "c": x + rng.normal(size=n)}
    flags = {"theme_refund": rng.integers(0, 2, n), "theme_price": rng.integers(0, 2, n),
             "churned": rng.integers(0, 2, n), "value": rng.uniform(10, 100, n)}

    def work(_):
        return (
            voc.impact.correlation(x=x, y=y, method="spearman").to_dict(),
            voc.impact.key_drivers(data, outcome="y", drivers=["a", "b", "c"], resamples=100, seed=3).table.to_dict(),
            voc.impact.theme_impact(flags, churned="churned", value="value").to_dict(),
        )

    ref = work(None)
    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(16)))
    for r in results:
        assert r[0] == ref[0]
        for got, want in zip(r[1:], ref[1:]):
            assert got.keys() == want.keys()
            for k in want:
                np.testing.assert_array_equal(np.asarray(got[k]), np.asarray(want[k]))


def test_spearman_releases_the_gil():
    r = np.random.default_rng(2)
    x, y = r.normal(size=10_000_000), r.normal(size=10_000_000)
    ok, longest = _progress_during(lambda: voc.impact.correlation(x=x, y=y, method="spearman"))
    assert longest >= 0.02, "call too fast to observe; make the input larger"
    assert ok, "a Python thread made no progress while the Spearman correlation ran"
