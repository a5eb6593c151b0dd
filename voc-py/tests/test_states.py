"""Mergeable states: merge == one big update in any order, finish == the one-shot functions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from _helpers import assert_close, assert_tables_equal
from hypothesis import given
from hypothesis import strategies as hs

import voc

STATES = [
    (voc.NpsState, {}, voc.nps, 0, 10),
    (voc.CsatState, {}, voc.csat, 1, 5),
    (voc.CesState, {}, voc.ces, 1, 7),
    (voc.CsatState, {"scale": (1, 10)}, voc.csat, 1, 10),
]
IDS = ["nps", "csat", "ces", "csat 1-10"]


def _data(rng, lo, hi, n=900, groups=4):
    return rng.integers(lo, hi + 1, n), rng.integers(0, groups, n)


@pytest.mark.parametrize("cls,kw,f,lo,hi", STATES, ids=IDS)
def test_properties_of_a_new_state(cls, kw, f, lo, hi):
    s = cls(**kw)
    assert s.n == 0
    assert s.groups == 1
    assert s.scale == (lo, hi)
    assert repr(s) == f"{cls.__name__}(scale=({lo}, {hi}), n=0, groups=1, weighted=False)"
    assert s == cls(**kw)
    assert s != voc.NpsState() or cls is voc.NpsState


@pytest.mark.parametrize("cls,kw,f,lo,hi", STATES, ids=IDS)
def test_finish_equals_one_shot(rng, cls, kw, f, lo, hi):
    x, _ = _data(rng, lo, hi)
    s = cls(**kw)
    s.update(x)
    one_shot_kw = {"scale": kw["scale"]} if "scale" in kw else {}
    assert s.finish() == f(x, **one_shot_kw)
    assert s.n == len(x)


def test_finish_options_match_one_shot_options(nps_scores):
    s = voc.NpsState()
    s.update(nps_scores)
    assert s.finish(confidence=0.9, interval="wald") == voc.nps(nps_scores, confidence=0.9, interval="wald")
    assert s.finish(interval="bootstrap", seed=5, resamples=300) == voc.nps(
        nps_scores, interval="bootstrap", seed=5, resamples=300)
    c = voc.CsatState()
    x = np.clip(nps_scores, 1, 5)
    c.update(x)
    assert c.finish(satisfied_from=3, interval="clopper_pearson") == voc.csat(x, satisfied_from=3,
                                                                             interval="clopper_pearson")
    e = voc.CesState()
    y = np.clip(nps_scores, 1, 7)
    e.update(y)
    assert e.finish(easy_from=6, hard_to=2, confidence=0.8) == voc.ces(y, easy_from=6, hard_to=2, confidence=0.8)


@pytest.mark.parametrize("cls,kw,f,lo,hi", STATES, ids=IDS)
def test_merge_in_any_order_equals_one_update(rng, cls, kw, f, lo, hi):
    x, g = _data(rng, lo, hi)
    whole = cls(**kw)
    whole.update(x, by=g)
    cuts = [0, 100, 350, 351, 900]
    parts = []
    for a, b in itertools.pairwise(cuts):
        p = cls(**kw)
        p.update(x[a:b], by=g[a:b])
        parts.append(p)
    for order in itertools.permutations(range(len(parts))):
        acc = cls(**kw)
        for i in order:
            acc.merge(cls.from_bytes(parts[i].to_bytes()))
        assert acc == whole, order
        assert acc.to_bytes() == whole.to_bytes()
    # tree-shaped merge
    left, right = cls.from_bytes(parts[0].to_bytes()), cls.from_bytes(parts[2].to_bytes())
    left.merge(parts[1])
    right.merge(parts[3])
    right.merge(left)
    assert right == whole


def test_sequential_updates_equal_one_update(nps_scores):
    whole = voc.NpsState()
    whole.update(nps_scores)
    s = voc.NpsState()
    for chunk in np.array_split(nps_scores, 7):
        s.update(chunk)
    assert s == whole


@given(hs.lists(hs.lists(hs.tuples(hs.integers(0, 10), hs.integers(0, 5)), max_size=40), min_size=1, max_size=6),
       hs.randoms(use_true_random=False))
def test_merge_is_associative_and_commutative(batches, random):
    whole = voc.NpsState()
    parts = []
    for batch in batches:
        x = np.array([b[0] for b in batch], dtype=np.int64)
        g = np.array([b[1] for b in batch], dtype=np.int64)
        whole.update(x, by=g)
        p = voc.NpsState()
        p.update(x, by=g)
        parts.append(p)
    random.shuffle(parts)
    acc = voc.NpsState()
    for p in parts:
        acc.merge(p)
    assert acc == whole
    assert acc.n == sum(len(b) for b in batches)


def test_empty_state_is_the_identity(nps_scores):
    s = voc.NpsState()
    s.update(nps_scores, by=nps_scores % 3)
    before = s.to_bytes()
    s.merge(voc.NpsState())
    assert s.to_bytes() == before
    e = voc.NpsState()
    e.merge(s)
    assert e == s


def test_merge_with_itself_doubles(nps_scores):
    s = voc.NpsState()
    s.update(nps_scores)
    s.merge(s)
    twice = voc.NpsState()
    twice.update(np.concatenate([nps_scores, nps_scores]))
    assert s == twice


def test_merge_leaves_the_other_state_alone(nps_scores):
    a, b = voc.NpsState(), voc.NpsState()
    a.update(nps_scores[:10])
    b.update(nps_scores[10:])
    before = b.to_bytes()
    a.merge(b)
    assert b.to_bytes() == before
    assert a.n == len(nps_scores)


def test_weighted_merge_equals_weighted_update(nps_scores, rng):
    w = rng.uniform(0.1, 4.0, len(nps_scores))
    g = nps_scores % 3
    whole = voc.NpsState()
    whole.update(nps_scores, weights=w, by=g)
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        chunks = np.array_split(np.arange(len(nps_scores)), 3)
        acc = voc.NpsState()
        for i in order:
            p = voc.NpsState()
            p.update(nps_scores[chunks[i]], weights=w[chunks[i]], by=g[chunks[i]])
            acc.merge(p)
        a, b = acc.finish(), whole.finish()
        assert a.n == b.n and a.distribution == b.distribution
        for field in ("nps", "se", "weight_sum", "n_eff", "mean", "sd"):
            assert_close(getattr(a, field), getattr(b, field), what=field)
        ta, tb = acc.finish_groups(), whole.finish_groups()
        assert_tables_equal(ta, tb, exact=False)
    assert whole.finish() == voc.nps(nps_scores, weights=w) or math.isclose(
        whole.finish().nps, voc.nps(nps_scores, weights=w).nps, rel_tol=1e-12)
    assert "weighted=True" in repr(whole)


def test_unweighted_merged_into_weighted_counts_with_weight_one(nps_scores, rng):
    w = rng.uniform(0.5, 2.0, 500)
    a = voc.NpsState()
    a.update(nps_scores[:500], weights=w)
    b = voc.NpsState()
    b.update(nps_scores[500:])
    a.merge(b)
    ref = voc.nps(nps_scores, weights=np.concatenate([w, np.ones(500)]))
    r = a.finish()
    assert r.weighted and r.n == 1000
    for field in ("nps", "se", "weight_sum", "n_eff", "mean"):
        assert_close(getattr(r, field), getattr(ref, field), what=field)
    # and the other way round
    c = voc.NpsState()
    c.update(nps_scores[500:])
    c.update(nps_scores[:500], weights=w)
    assert_close(c.finish().nps, ref.nps)


@pytest.mark.parametrize("cls,kw,f,lo,hi", STATES, ids=IDS)
def test_finish_groups_equals_one_shot_by_codes(rng, cls, kw, f, lo, hi):
    x, g = _data(rng, lo, hi, groups=6)
    s = cls(**kw)
    s.update(x, by=g)
    one_shot_kw = {"scale": kw["scale"]} if "scale" in kw else {}
    t = s.finish_groups()
    ref = f(x, by=g, **one_shot_kw).table
    assert t.kind == ref.kind
    assert_tables_equal(t, ref)
    assert t["group"].tolist() == list(range(6))


def test_finish_groups_options(nps_scores):
    g = nps_scores % 4
    s = voc.NpsState()
    s.update(nps_scores, by=g)
    assert_tables_equal(s.finish_groups(interval="wald", confidence=0.9),
                        voc.nps(nps_scores, by=g, interval="wald", confidence=0.9).table)
    c = voc.CsatState()
    x = np.clip(nps_scores, 1, 5)
    c.update(x, by=g)
    assert_tables_equal(c.finish_groups(satisfied_from=5), voc.csat(x, by=g, satisfied_from=5).table)


def test_finish_groups_skips_unused_ids():
    s = voc.NpsState()
    s.update([9, 10, 3], by=[0, 5, 5])
    assert s.groups == 6
    t = s.finish_groups()
    assert t["group"].tolist() == [0, 5]
    assert t["n"].tolist() == [1, 2]
    assert s.finish().n == 3  # finish() pools all groups


def test_group_codes_accept_column_types(nps_scores):
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    g = nps_scores % 3
    ref = voc.NpsState()
    ref.update(nps_scores, by=g)
    for codes in (g.tolist(), g.astype(np.uint8), g.astype(float), pd.Series(g), pl.Series(g), pa.array(g),
                  g.astype(">i4")):
        s = voc.NpsState()
        s.update(nps_scores, by=codes)
        assert s == ref


def test_state_update_with_weights_and_missing(nps_scores, rng):
    x = nps_scores.astype(float)
    x[:7] = np.nan
    w = rng.uniform(0.5, 1.5, len(x))
    s = voc.NpsState()
    s.update(x, weights=w, missing="skip")
    r = s.finish()
    ref = voc.nps(x, weights=w, missing="skip")
    assert (r.n, r.n_missing) == (len(x) - 7, 7)
    assert r == ref


def test_state_missing_counts_per_group():
    s = voc.NpsState()
    s.update([9.0, math.nan, 3.0, math.nan, math.nan], by=[0, 0, 1, 1, 1], missing="skip")
    t = s.finish_groups()
    assert t["n_missing"].tolist() == [1, 2]
    assert s.finish().n_missing == 3


def test_states_are_independent():
    a, b = voc.NpsState(), voc.NpsState()
    a.update([10])
    assert b.n == 0


def test_large_group_ids():
    s = voc.NpsState()
    s.update([9, 1], by=[0, 100_000])
    assert s.groups == 100_001
    t = s.finish_groups()
    assert t["group"].tolist() == [0, 100_000]
    assert voc.NpsState.from_bytes(s.to_bytes()) == s
    # Group ids are dense codes: one that would size the state far beyond the batch is a LimitError.
    with pytest.raises(voc.LimitError) as e:
        s.update([9, 1], by=[0, 2_000_000])
    assert e.value.arg == "by"
    with pytest.raises(voc.InputError) as e:
        s.update([9, 1], by=[0, 10**12])
    assert e.value.arg == "by" and e.value.index == 1
    assert s.groups == 100_001
