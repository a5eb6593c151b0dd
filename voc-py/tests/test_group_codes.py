"""Group label coding on the fast paths: hashed sparse integer keys and string columns (in parallel
chunks), object columns coded once per distinct object, pandas categoricals read as their codes.
Each path must give exactly what the definition gives: labels sorted (or in category order), each row
in its label's group, missing labels left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import voc
from voc.errors import InputError

ROWS = 700_000  # more than one hashing chunk (2**18 rows)


def _reference(scores: np.ndarray, labels: list) -> tuple[list, list[int], list[int]]:
    """Groups in sorted label order with their promoter and detractor counts."""
    groups = sorted(set(labels))
    pro = {g: 0 for g in groups}
    det = {g: 0 for g in groups}
    for s, g in zip(scores.tolist(), labels):
        pro[g] += s >= 9
        det[g] += s <= 6
    return groups, [pro[g] for g in groups], [det[g] for g in groups]


def _check(result: voc.GroupedResult, scores: np.ndarray, labels: list) -> None:
    groups, pro, det = _reference(scores, labels)
    t = result.table
    assert list(t["group"]) == groups
    assert t["promoters"].tolist() == pro
    assert t["detractors"].tolist() == det


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.integers(0, 11, ROWS).astype(np.int8), rng.integers(0, 997, ROWS)


def test_sparse_int_keys_over_many_chunks(data):
    scores, keys = data
    ids = np.random.default_rng(4).choice(2**31 - 1, 997, replace=False).astype(np.int32) - 2**30
    sparse = ids[keys]
    r = voc.nps(scores, by=sparse)
    _check(r, scores, sparse.tolist())
    assert r.table["group"].dtype == np.int64
    # uint64 keys above 2**63 are an error naming the argument.
    with pytest.raises(InputError) as e:
        voc.nps([9, 9], by=np.array([1, 2**63], dtype=np.uint64))
    assert e.value.arg == "by"


def test_object_strings_shared_and_distinct_objects(data):
    scores, keys = data
    names = np.array([f"store-{i:04d}" for i in range(997)], dtype=object)
    shared = names[keys]  # one object per distinct label
    distinct = np.array(["".join(s) for s in shared], dtype=object)  # a new object per row
    assert shared[0] is not distinct[0] and shared[0] == distinct[0]
    for by in (shared, distinct, pd.Series(shared), pd.Series(shared, dtype="str")):
        _check(voc.nps(scores, by=by), scores, shared.tolist())


def test_object_columns_with_missing_and_mixed_objects():
    class Tag:
        calls = 0

        def __str__(self) -> str:
            Tag.calls += 1
            return "tag"

    tag = Tag()
    col = np.array(["b", None, tag, b"a", float("nan"), "b", tag, "", np.nan, "tag"], dtype=object)
    scores = np.array([10, 9, 8, 0, 5, 9, 10, 3, 7, 6], dtype=np.int8)
    r = voc.nps(scores, by=col, missing="skip")
    assert list(r.table["group"]) == ["", "a", "b", "tag"]
    assert r.table["n"].tolist() == [1, 1, 2, 3]
    assert (r.n, r.n_missing_group) == (7, 3)
    assert Tag.calls == 1  # each distinct object is read once
    with pytest.raises(InputError) as e:
        voc.nps(scores, by=col)
    assert e.value.arg == "by" and e.value.index == 1


@pytest.mark.parametrize(
    ("col", "labels", "dtype"),
    [
        ([True, None, False, True], [False, True], np.bool_),
        ([3, None, -2**40, 3], [-2**40, 3], np.int64),
        ([1.5, None, 2, float("nan")], [1.5, 2.0], np.float64),
        ([2**70, 1, None, 1], [1.0, float(2**70)], np.float64),  # too large for int64: floats
    ],
)
def test_object_numbers_and_booleans_keep_their_type(col, labels, dtype):
    by = np.array(col, dtype=object)
    r = voc.nps(np.full(len(col), 9, dtype=np.int8), by=by, missing="skip")
    assert list(r.table["group"]) == labels
    assert np.asarray(r.table["group"]).dtype == dtype


def test_lone_surrogate_names_its_first_row():
    col = np.array(["a", "b", "x\ud800", "a", "x\ud800"], dtype=object)
    with pytest.raises(InputError) as e:
        voc.nps([9] * 5, by=col)
    assert (e.value.arg, e.value.index) == ("by", 2)


def test_pandas_categorical_read_as_codes(data):
    scores, keys = data
    names = np.array([f"s{i:04d}" for i in range(997)], dtype=object)
    values = names[keys].astype(object)
    cats = list(reversed(names.tolist())) + ["unused"]
    cat = pd.Series(pd.Categorical(values, categories=cats))
    r = voc.nps(scores, by=cat)
    t = r.table
    # Category order, used categories only.
    assert list(t["group"]) == [c for c in cats if c != "unused"]
    groups, pro, _ = _reference(scores, values.tolist())
    by_label = dict(zip(groups, pro))
    assert t["promoters"].tolist() == [by_label[g] for g in t["group"]]
    # The Arrow form of the same column, marked ordered (so Arrow keeps the category order too), gives
    # the same table.
    arrow = voc.nps(scores, by=pa.array(cat.cat.as_ordered()))
    assert list(arrow.table["group"]) == list(t["group"])
    assert arrow.table["promoters"].tolist() == t["promoters"].tolist()


def test_pandas_categorical_with_missing_and_int_categories():
    cat = pd.Series(pd.Categorical([3, None, 1, 3, 1], categories=[3, 1]))
    r = voc.nps([10, 9, 0, 9, 10], by=cat, missing="skip")
    assert list(r.table["group"]) == [3, 1]
    assert r.table["n"].tolist() == [2, 2]
    assert r.n_missing_group == 1
    with pytest.raises(InputError) as e:
        voc.nps([10, 9, 0, 9, 10], by=cat)
    assert (e.value.arg, e.value.index) == ("by", 1)


def test_arrow_dictionary_with_nulls_is_read_as_codes(data):
    scores, keys = data
    names = np.array([f"s{i:04d}" for i in range(997)], dtype=object)
    values = names[keys].tolist()
    values[5] = None
    d = pa.array(values).dictionary_encode()
    r = voc.nps(scores, by=d, missing="skip")
    kept = [i for i, v in enumerate(values) if v is not None]
    _check(r, scores[kept], [values[i] for i in kept])
    assert r.n_missing_group == 1


def test_sparse_keys_one_pass_equals_dense_codes_for_every_metric():
    rng = np.random.default_rng(5)
    n = 300_000
    codes = rng.integers(0, 50, n)
    ids = rng.choice(2**40, 50, replace=False).astype(np.int64) - 2**39
    keys = ids[codes]
    rank = np.argsort(np.argsort(ids))  # dense codes in key order
    for f, lo, hi in ((voc.nps, 0, 11), (voc.csat, 1, 6), (voc.ces, 1, 8)):
        scores = rng.integers(lo, hi, n).astype(np.float64)
        scores[::97] = np.nan
        a = f(scores, by=keys, missing="skip")
        b = f(scores, by=rank[codes], missing="skip")
        assert list(a.table["group"]) == sorted(ids.tolist())
        assert a.table.to_pandas().drop(columns="group").equals(b.table.to_pandas().drop(columns="group"))
        assert (a.n, a.n_missing) == (b.n, b.n_missing)
    for by in (keys, pd.Series(keys)):
        bad = np.full(n, 9.0)
        bad[123_456] = 11.0
        with pytest.raises(InputError) as e:
            voc.nps(bad, by=by)
        assert (e.value.arg, e.value.index) == ("scores", 123_456)
        bad[123_456] = np.nan
        with pytest.raises(InputError) as e:
            voc.nps(bad, by=by)
        assert (e.value.arg, e.value.index) == ("scores", 123_456)


@pytest.mark.parametrize("key_type", [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32()])
@pytest.mark.parametrize("value_type", [pa.string(), pa.large_string()])
def test_arrow_dictionary_keys_counted_then_moved_to_label_order(key_type, value_type):
    # Repeated and unused dictionary values; labels are the sorted values the rows use.
    values = pa.array(["web", "app", "web", "store", "zzz-unused"], value_type)
    keys = pa.array([0, 1, 2, 3, 0, 2, 1, 1], key_type)
    col = pa.DictionaryArray.from_arrays(keys, values)
    scores = [10, 0, 9, 5, 6, 10, 9, 3]
    labels = [["web", "app", "web", "store", "zzz-unused"][k] for k in keys.to_pylist()]
    for f in (voc.nps, voc.csat, voc.ces):
        s = scores if f is voc.nps else [min(max(x // 2, 1), 5) for x in scores]
        got = f(s, by=col)
        want = f(s, by=np.array(labels, dtype=object))
        assert list(got.table["group"]) == ["app", "store", "web"]
        assert got.table.to_pandas().equals(want.table.to_pandas())
    # With a null row the general path reads it (and `missing=` applies).
    with_null = pa.DictionaryArray.from_arrays(pa.array([0, None, 1], key_type), values)
    r = voc.nps([9, 9, 0], by=with_null, missing="skip")
    assert list(r.table["group"]) == ["app", "web"] and r.n_missing_group == 1


def _same_result(a: voc.GroupedResult, b: voc.GroupedResult) -> None:
    x, y = a.table.to_pandas(), b.table.to_pandas()
    assert list(x.columns) == list(y.columns) and x.equals(y)
    assert [c.dtype for _, c in x.items()] == [c.dtype for _, c in y.items()]
    assert (a.n, a.n_missing, a.n_missing_group) == (b.n, b.n_missing, b.n_missing_group)


def _raised(f, *args, **kwargs) -> tuple:
    with pytest.raises(InputError) as e:
        f(*args, **kwargs)
    return type(e.value), e.value.arg, e.value.index, str(e.value)


def test_object_labels_counted_by_identity_equal_the_categorical_form():
    # Object columns are counted by object identity, then moved to the labels: distinct objects of
    # equal text must land in one group, None and NaN objects be missing labels, and every error name
    # the row the general path names. The pandas Categorical form of the same column is the reference.
    rng = np.random.default_rng(8)
    n = 600_000  # several hashing chunks
    first = [f"shop-{i:03d}" for i in range(300)]
    second = ["".join(s) for s in first]  # the same texts, other objects
    assert first[0] == second[0] and first[0] is not second[0]
    pool = np.array(first + second + [None, float("nan"), np.nan], dtype=object)
    col = pool[rng.integers(0, len(pool), n)]
    complete = pool[rng.integers(0, 600, n)]
    for f, lo, hi in ((voc.nps, 0, 11), (voc.csat, 1, 6), (voc.ces, 1, 8)):
        scores = rng.integers(lo, hi, n).astype(np.int8)
        cat = pd.Series(pd.Categorical(col))
        for by in (col, pd.Series(col)):
            _same_result(f(scores, by=by, missing="skip"), f(scores, by=cat, missing="skip"))
            # missing="error": the first missing label is named.
            assert _raised(f, scores, by=by) == _raised(f, scores, by=cat)
        complete_cat = pd.Series(pd.Categorical(complete))
        _same_result(f(scores, by=complete), f(scores, by=complete_cat))
        assert list(f(scores, by=complete).table["group"]) == first
        floats = scores.astype(np.float64)
        floats[::101] = np.nan
        _same_result(f(floats, by=col, missing="skip"), f(floats, by=cat, missing="skip"))
        assert _raised(f, floats, by=complete) == _raised(f, floats, by=complete_cat)
        # Scores out of range: named at the row the general path names (rows without a label left out
        # first under "skip"); one in a row without a label is left out with its row.
        missing_rows = np.flatnonzero(pd.isna(col))
        labelled_rows = np.flatnonzero(~pd.isna(col))
        for row, labelled in ((labelled_rows[-3], True), (missing_rows[-3], False), (labelled_rows[2], True)):
            bad = floats.copy()
            bad[row] = hi + 4
            want = _raised(f, bad, by=cat) if labelled else None
            for by in (col, pd.Series(col)):
                if labelled:
                    assert _raised(f, bad, by=by, missing="skip") == _raised(f, bad, by=cat, missing="skip")
                    assert _raised(f, bad, by=by) == want
                else:
                    _same_result(f(bad, by=by, missing="skip"), f(bad, by=cat, missing="skip"))
            bad_complete = scores.astype(np.float64)
            bad_complete[row] = lo - 1
            got = _raised(f, bad_complete, by=complete)
            assert got == _raised(f, bad_complete, by=complete_cat)
            assert (got[1], got[2]) == ("scores", row)


def test_object_labels_of_other_types_and_no_label_at_all():
    scores = np.array([9, 10, 0, 5, 9, 7], dtype=np.int8)
    big = 2**70
    for col in (
        [True, False, None, True, np.nan, False],
        [3, big, 3, None, -1, big],
        [1.5, 2, None, 1.5, float("nan"), 2.0],
        [None, None, float("nan"), None, np.nan, None],
    ):
        by = np.array(col, dtype=object)
        a = voc.nps(scores, by=by, missing="skip")
        b = voc.nps(scores, by=list(col), missing="skip")  # a list: the general path
        _same_result(a, b)
