"""voc.impact.correlation and correlation_matrix: live cross-checks against scipy and the bad-input matrix."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy import stats

import voc

REL = 1e-12


def close(a: float, b: float, rel: float = REL, abs_: float = 1e-14) -> bool:
    return a == b or abs(a - b) <= rel * abs(b) + abs_


def datasets():
    rng = np.random.default_rng(7)
    for n in (5, 20, 33, 60, 500):
        x = rng.standard_normal(n)
        yield f"normal-{n}", x, 0.5 * x + rng.standard_normal(n)
        yield f"negative-{n}", x, -x + 2 * rng.standard_normal(n)
        yield f"likert-{n}", rng.integers(0, 11, n).astype(float), rng.integers(1, 6, n).astype(float)
    yield "independent-2000", rng.standard_normal(2000), rng.standard_normal(2000)


CASES = list(datasets())
ALTS = ["two-sided", "less", "greater"]


@pytest.mark.parametrize("name,x,y", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("alternative", ALTS)
def test_pearson_matches_scipy(name, x, y, alternative):
    ours = voc.impact.correlation(x=x, y=y, alternative=alternative, confidence=0.9)
    ref = stats.pearsonr(x, y, alternative=alternative)
    assert close(ours.estimate, ref.statistic)
    assert close(ours.p_value, ref.pvalue, 1e-11, 0)
    ci = ref.confidence_interval(0.9)
    assert close(ours.ci_low, ci.low, 1e-11) and close(ours.ci_high, ci.high, 1e-11)
    assert ours.n == len(x) and ours.method == "pearson" and ours.alternative == alternative


@pytest.mark.parametrize("name,x,y", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("alternative", ALTS)
def test_spearman_matches_scipy(name, x, y, alternative):
    ours = voc.impact.correlation(x=x, y=y, method="spearman", alternative=alternative)
    ref = stats.spearmanr(x, y, alternative=alternative)
    assert close(ours.estimate, ref.statistic)
    assert close(ours.p_value, ref.pvalue, 1e-11, 0)


@pytest.mark.parametrize("name,x,y", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("variant", ["b", "c"])
def test_kendall_matches_scipy(name, x, y, alternative, variant):
    ours = voc.impact.correlation(x=x, y=y, method="kendall", alternative=alternative, variant=variant)
    ref = stats.kendalltau(x, y, alternative=alternative, variant=variant)
    assert close(ours.estimate, ref.statistic)
    assert close(ours.p_value, ref.pvalue, 1e-11, 0)
    assert ours.variant == variant
    ties = len(np.unique(x)) < len(x) or len(np.unique(y)) < len(y)
    assert ours.p_method == ("normal" if ties or len(x) > 33 else "exact")


def test_point_biserial_matches_scipy():
    rng = np.random.default_rng(3)
    b = rng.integers(0, 2, 300)
    y = b * 0.4 + rng.standard_normal(300)
    ours = voc.impact.correlation(x=b.astype(bool), y=y, method="point_biserial")
    ref = stats.pointbiserialr(b, y)
    assert close(ours.estimate, ref.statistic) and close(ours.p_value, ref.pvalue, 1e-11, 0)
    with pytest.raises(voc.InputError, match=r"x\[2\] = 2 is invalid"):
        voc.impact.correlation(x=[0, 1, 2, 1], y=[1.0, 2.0, 3.0, 4.0], method="point_biserial")


@pytest.mark.parametrize(
    "convert",
    [
        list,
        np.asarray,
        lambda v: __import__("pandas").Series(v),
        lambda v: __import__("polars").Series(v),
        lambda v: __import__("pyarrow").array(v),
        lambda v: np.asarray(v, dtype=np.int32),
    ],
    ids=["list", "numpy", "pandas", "polars", "pyarrow", "int32"],
)
def test_input_types(convert):
    x = [1, 2, 3, 4, 5, 6]
    y = [2, 1, 4, 3, 6, 5]
    r = voc.impact.correlation(x=convert(x), y=convert(y), method="spearman")
    assert close(r.estimate, stats.spearmanr(x, y).statistic)


def test_result_object():
    r = voc.impact.correlation(x=[1, 2, 3, 4, 5], y=[2, 1, 4, 3, 5], method="kendall")
    assert "kendall tau-b" in repr(r) and "exact" in repr(r)
    assert pickle.loads(pickle.dumps(r)) == r
    d = r.to_dict()
    assert d["estimate"] == r.estimate and d["n"] == 5 and d["p_method"] == "exact"
    assert r.ci == (r.ci_low, r.ci_high)
    one = voc.impact.correlation(x=[1, 2, 3, 4, 5], y=[2, 1, 4, 3, 5], alternative="greater")
    assert one.ci_high == 1.0 and one.ci_low > -1.0


@pytest.mark.parametrize(
    "x,y,exc,pattern",
    [
        ([1.0, np.nan, 3.0], [1.0, 2.0, 3.0], voc.MissingValueError, r"x\[1\] is missing"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, np.inf], voc.NonFiniteError, r"y\[2\] = inf is not finite"),
        ([1.0, 2.0, 3.0], [1.0, -np.inf, 3.0], voc.NonFiniteError, r"y\[1\] = -inf"),
        ([1.0, 2.0, 3.0], [1.0, 2.0], voc.LengthMismatchError, r"y has 2 values but x has 3"),
        ([], [], voc.InsufficientDataError, r"at least 3 pairs"),
        ([1.0, 2.0], [2.0, 1.0], voc.InsufficientDataError, r"at least 3 pairs, got 2"),
        ([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0], voc.InsufficientDataError, r"x is constant"),
        ([1, None, 3], [1.0, 2.0, 3.0], voc.MissingValueError, r"x\[1\] is missing"),
    ],
)
@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_bad_input(x, y, exc, pattern, method):
    with pytest.raises(exc, match=pattern) as info:
        voc.impact.correlation(x=x, y=y, method=method)
    assert isinstance(info.value, ValueError)


def test_nulls_are_missing_values():
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(voc.MissingValueError, match=r"y\[1\] is missing") as info:
        voc.impact.correlation(x=[1.0, 2.0, 3.0], y=pa.array([1.0, None, 3.0]))
    assert (info.value.arg, info.value.index) == ("y", 1)


def test_bad_types_and_options():
    with pytest.raises(TypeError):
        voc.impact.correlation(x=["a", "b", "c"], y=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError):
        voc.impact.correlation(x=np.array(["1", "2", "3"]), y=[1.0, 2.0, 3.0])
    with pytest.raises(voc.InvalidOptionError, match="method"):
        voc.impact.correlation(x=[1, 2, 3], y=[1, 2, 3], method="cosine")
    with pytest.raises(voc.InvalidOptionError, match="alternative"):
        voc.impact.correlation(x=[1, 2, 3], y=[1, 2, 3], alternative="both")
    with pytest.raises(voc.InvalidOptionError, match="confidence"):
        voc.impact.correlation(x=[1, 2, 3], y=[3, 1, 2], confidence=95)
    with pytest.raises(voc.InvalidOptionError, match="variant"):
        voc.impact.correlation(x=[1, 2, 3], y=[3, 1, 2], method="kendall", variant="a")


def frame():
    rng = np.random.default_rng(11)
    n = 200
    nps = rng.integers(0, 11, n).astype(float)
    spend = 20 * nps + rng.normal(0, 30, n)
    tickets = rng.poisson(3, n).astype(float)
    return {"nps": nps, "spend": spend, "tickets": tickets}


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_matrix_matches_scipy(method):
    d = frame()
    m = voc.impact.correlation_matrix(d, method=method)
    assert m.pairs.columns == ["a", "b", "estimate", "p_value", "ci_low", "ci_high", "n", "undefined_reason"]
    assert list(m.pairs["a"]) == ["nps", "nps", "spend"] and list(m.pairs["b"]) == ["spend", "tickets", "tickets"]
    fn = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}[method]
    for a, b, r, p in zip(m.pairs["a"], m.pairs["b"], m.pairs["estimate"], m.pairs["p_value"]):
        ref = fn(d[a], d[b])
        assert close(r, ref.statistic) and close(p, ref.pvalue, 1e-11, 0)
    sq = m.estimate.to_pandas().set_index("column")
    assert sq.loc["nps", "nps"] == 1.0 and sq.loc["spend", "nps"] == sq.loc["nps", "spend"]
    assert m.n.to_pandas().set_index("column").loc["nps", "tickets"] == 200


def test_matrix_from_dataframes_and_missing_policy():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    d = frame()
    d["nps"][17] = np.nan
    df = pd.DataFrame({**d, "segment": ["a"] * 200})
    with pytest.raises(voc.MissingValueError, match=r'columns\[row 17, column "nps"\] is missing') as info:
        voc.impact.correlation_matrix(df)
    assert info.value.arg == "columns" and info.value.index == (17, 0)
    m = voc.impact.correlation_matrix(df, missing="pairwise")  # string column left out
    assert list(m.estimate.to_pandas()["column"]) == ["nps", "spend", "tickets"]
    keep = ~np.isnan(d["nps"])
    ref = stats.pearsonr(d["nps"][keep], d["spend"][keep])
    assert close(float(m.pairs["estimate"][0]), ref.statistic) and int(m.pairs["n"][0]) == 199
    mp = voc.impact.correlation_matrix(pl.from_pandas(df), columns=["spend", "nps"], missing="pairwise")
    assert list(mp.pairs["a"]) == ["spend"] and close(float(mp.pairs["estimate"][0]), ref.statistic)
    bad = pd.DataFrame({"a": [1.0, 2.0, np.inf], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(voc.NonFiniteError, match=r'columns\[row 2, column "a"\] = inf'):
        voc.impact.correlation_matrix(bad, missing="pairwise")
    with pytest.raises(voc.ColumnNotFoundError, match="no such column"):
        voc.impact.correlation_matrix(df, columns=["nps", "churn"])
    with pytest.raises(voc.InvalidOptionError, match="missing"):
        voc.impact.correlation_matrix(df, missing="drop")
    with pytest.raises(TypeError, match="column 'segment' of columns"):
        voc.impact.correlation_matrix(df, columns=["nps", "segment"], missing="pairwise")


def test_matrix_from_pyarrow_and_voc_tables():
    pa = pytest.importorskip("pyarrow")
    d = frame()
    ref = voc.impact.correlation_matrix(d, method="spearman")
    for data in (pa.table(d), ref.estimate):
        cols = ["nps", "spend", "tickets"]
        m = voc.impact.correlation_matrix(data, columns=cols, method="spearman")
        assert m.pairs.columns == ["a", "b", "estimate", "p_value", "ci_low", "ci_high", "n", "undefined_reason"] and len(m.pairs) == 3
    m = voc.impact.correlation_matrix(pa.table(d), method="spearman")
    assert np.array_equal(np.asarray(m.pairs["estimate"]), np.asarray(ref.pairs["estimate"]))


def test_matrix_constant_column_is_nan_not_an_error():
    m = voc.impact.correlation_matrix({"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0, 5.0, 5.0, 5.0], "c": [1.0, 3.0, 2.0, 4.0]})
    r = m.estimate.to_pandas().set_index("column")
    assert np.isnan(r.loc["a", "b"]) and r.loc["a", "c"] == pytest.approx(0.8)


def test_large_inputs_take_the_counting_and_radix_paths():
    rng = np.random.default_rng(5)
    n = 200_000
    x = rng.integers(1, 6, n).astype(float)
    y = x + rng.integers(0, 3, n)
    ours = voc.impact.correlation(x=x, y=y, method="spearman")
    ref = stats.spearmanr(x, y)
    assert close(ours.estimate, ref.statistic, 1e-11)
    xc = rng.standard_normal(n)
    yc = xc + rng.standard_normal(n)
    ours = voc.impact.correlation(x=xc, y=yc, method="spearman")
    assert close(ours.estimate, stats.spearmanr(xc, yc).statistic, 1e-11)


@pytest.mark.parametrize("func", [voc.impact.correlation, voc.impact.correlation_matrix], ids=lambda f: f.__name__)
def test_docstring_examples_pass(func):
    import doctest

    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(func, func.__name__, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_point_biserial_reads_boolean_columns_of_every_library():
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    flags = [True, False, True, False, True, True, False]
    y = [1.0, 2.0, 3.5, 1.0, 5.0, 4.0, 0.5]
    want = stats.pointbiserialr(flags, y)
    for col in (flags, np.array(flags), pd.Series(flags), pl.Series(flags), pa.array(flags)):
        r = voc.impact.correlation(x=col, y=y, method="point_biserial")
        assert r.estimate == pytest.approx(want.statistic, rel=1e-12, abs=1e-15)
        assert r.p_value == pytest.approx(want.pvalue, rel=1e-11)


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_every_memory_layout_gives_identical_matrices(method):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    d = frame()
    names = list(d)
    a = np.column_stack([d[n] for n in names])
    a[5, 1] = np.nan  # pairwise-complete rows for the pairs with "spend"
    c = np.ascontiguousarray(a)
    f = np.asfortranarray(a)
    big = np.full((2 * a.shape[0], a.shape[1]), -3.25)
    big[::2] = a
    s = big[::2]
    assert not s.flags.c_contiguous and not s.flags.f_contiguous
    inputs = {
        "c": {n: c[:, j] for j, n in enumerate(names)},
        "fortran": {n: f[:, j] for j, n in enumerate(names)},
        "strided": {n: s[:, j] for j, n in enumerate(names)},
        "pandas": pd.DataFrame(f, columns=names),
        "polars": pl.DataFrame(c, schema=names),
    }
    ref = {n: np.ascontiguousarray(a[:, j]) for j, n in enumerate(names)}
    want = voc.impact.correlation_matrix(ref, method=method, missing="pairwise")
    assert list(want.pairs["n"]) == [199, 200, 199]
    for layout, data in inputs.items():
        got = voc.impact.correlation_matrix(data, method=method, missing="pairwise")
        for part in ("pairs", "estimate", "p_value", "n"):
            g, w = getattr(got, part), getattr(want, part)
            assert g.columns == w.columns, layout
            for col in w.columns:
                gv, wv = np.asarray(g[col]), np.asarray(w[col])
                if wv.dtype.kind in "fiu":
                    np.testing.assert_array_equal(gv, wv, err_msg=f"{layout} {part} {col}")
                else:
                    assert list(gv) == list(wv)
        with pytest.raises(voc.MissingValueError, match=r'columns\[row 5, column "spend"\] is missing'):
            voc.impact.correlation_matrix(data, method=method)


def test_missing_values_are_skipped_and_counted_only_when_asked():
    x = [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, None]
    y = [2.0, 1.0, 3.0, 3.0, np.nan, 6.0, 7.0]
    with pytest.raises(voc.MissingValueError) as info:
        voc.impact.correlation(x=x, y=y)
    assert (info.value.arg, info.value.index) == ("x", 2)
    r = voc.impact.correlation({"x": x, "y": y}, x="x", y="y", missing="skip")
    ref = stats.pearsonr([1.0, 2.0, 4.0, 6.0], [2.0, 1.0, 3.0, 6.0])
    assert close(r.estimate, ref.statistic) and close(r.p_value, ref.pvalue, 1e-11, 0)
    assert (r.n, r.n_missing) == (4, 3) and r.to_dict()["n_missing"] == 3
    with pytest.raises(voc.NonFiniteError):
        voc.impact.correlation(x=[1.0, np.inf, 3.0, 4.0], y=[1.0, 2.0, 3.0, 4.0], missing="skip")
    with pytest.raises(voc.ColumnNotFoundError):
        voc.impact.correlation({"x": x}, x="x", y="nope")


def test_matrix_skip_is_listwise_and_pairwise_is_pair_by_pair():
    d = frame()
    d["nps"][3] = np.nan
    d["spend"][8] = np.nan
    listwise = voc.impact.correlation_matrix(d, missing="skip")
    pairwise = voc.impact.correlation_matrix(d, missing="pairwise")
    assert listwise.n_missing == 2 and list(listwise.pairs["n"]) == [198, 198, 198]
    assert pairwise.n_missing == 0 and list(pairwise.pairs["n"]) == [198, 199, 199]
    keep = ~(np.isnan(d["nps"]) | np.isnan(d["spend"]))
    ref = stats.pearsonr(d["spend"][keep], d["tickets"][keep])
    assert close(float(listwise.pairs["estimate"][2]), ref.statistic)
    assert close(float(listwise.pairs["p_value"][2]), ref.pvalue, 1e-11, 0)
    assert isinstance(listwise, voc.impact.CorrelationMatrix) and "n_missing" in listwise.to_dict()
    import pickle

    back = pickle.loads(pickle.dumps(listwise))
    assert back.n_missing == 2 and list(back.pairs["n"]) == [198, 198, 198]
