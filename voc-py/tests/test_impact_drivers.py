"""voc.impact.key_drivers / driver_quadrants: live cross-checks against a brute-force numpy LMG (least
squares on every subset, Shapley weights) and a numpy Johnson's relative weights (numpy.linalg.eigh),
the R fixture, every input type, the bad-input matrix, bootstrap determinism and threads.

dominance-analysis (PyPI) is not used as a peer: it pins bokeh 2.4.3 and imports plotly and cufflinks
at import time, which do not install cleanly next to the other test dependencies.
"""

from __future__ import annotations

import itertools
import json
import math
import pathlib
import pickle
import threading

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import voc

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data" / "drivers_golden.json"


# ---------------------------------------------------------------- peers


def brute_lmg(y: np.ndarray, X: np.ndarray, w: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """LMG from scratch: (weighted) least squares with an intercept on every subset."""
    n, p = X.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    sw = np.sqrt(w)
    ybar = np.average(y, weights=w)
    sst = float(np.sum(w * (y - ybar) ** 2))
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for S in itertools.combinations(range(p), k):
            A = np.column_stack([np.ones(n), X[:, S]]) * sw[:, None]
            coef, *_ = np.linalg.lstsq(A, y * sw, rcond=None)
            resid = y * sw - A @ coef
            r2[S] = 1.0 - float(resid @ resid) / sst
    imp = np.zeros(p)
    for S, v in r2.items():
        s = len(S)
        for j in range(p):
            if j not in S:
                T = tuple(sorted(S + (j,)))
                wt = math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
                imp[j] += wt * (r2[T] - v)
    return r2[tuple(range(p))], imp


def numpy_johnson(y: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    """Johnson (2000) relative weights, as rwa: Λ = R^{1/2}, β = Λ⁻¹ r, ε = Λ² β²."""
    R = np.corrcoef(np.column_stack([y, X]), rowvar=False)
    rxx, rxy = R[1:, 1:], R[1:, 0]
    vals, vecs = np.linalg.eigh(rxx)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    beta = np.linalg.solve(lam, rxy)
    return float(beta @ beta), (lam**2) @ beta**2


def survey(n: int, p: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    cols = {f"q{j:02d}": np.clip(np.round(3 + f * (j % 3 + 1) / 2 + rng.normal(size=n)), 1, 5) for j in range(p)}
    X = np.column_stack(list(cols.values()))
    b = np.linspace(0.6, -0.2, p)
    y = np.clip(np.round(5 + X @ b / 2 + rng.normal(scale=1.5, size=n)), 0, 10)
    return pd.DataFrame({"nps": y, **cols})


# ---------------------------------------------------------------- cross-checks


@pytest.mark.parametrize(("n", "p", "seed"), [(60, 1, 1), (80, 3, 2), (300, 6, 3), (500, 9, 4)])
def test_lmg_matches_brute_force_numpy(n: int, p: int, seed: int) -> None:
    df = survey(n, p, seed)
    drivers = [c for c in df.columns if c != "nps"]
    kd = voc.impact.key_drivers(df, outcome="nps", drivers=drivers)
    r2, imp = brute_lmg(df["nps"].to_numpy(), df[drivers].to_numpy())
    assert kd.r2 == pytest.approx(r2, abs=1e-10)
    np.testing.assert_allclose(kd.table["importance"], imp, atol=1e-10, rtol=0)
    np.testing.assert_allclose(kd.table["share"], imp / r2, atol=1e-9, rtol=0)
    assert kd.table["importance"].sum() == pytest.approx(r2, abs=1e-12)
    assert list(kd.table["driver"]) == drivers
    assert set(kd.table["method"]) == {"lmg"}


def test_weighted_lmg_matches_weighted_least_squares() -> None:
    df = survey(200, 5, 11)
    w = np.random.default_rng(5).gamma(2.0, size=200)
    drivers = list(df.columns[1:])
    kd = voc.impact.key_drivers(df, outcome="nps", drivers=drivers, weights=w)
    r2, imp = brute_lmg(df["nps"].to_numpy(), df[drivers].to_numpy(), w)
    np.testing.assert_allclose(kd.table["importance"], imp, atol=1e-10, rtol=0)
    assert kd.r2 == pytest.approx(r2, abs=1e-10)


def test_johnson_matches_numpy_eigh() -> None:
    df = survey(400, 12, 7)
    drivers = list(df.columns[1:])
    kd = voc.impact.key_drivers(df, outcome="nps", drivers=drivers, method="johnson")
    r2, eps = numpy_johnson(df["nps"].to_numpy(), df[drivers].to_numpy())
    np.testing.assert_allclose(kd.table["importance"], eps, atol=1e-10, rtol=0)
    assert kd.r2 == pytest.approx(r2, abs=1e-10)
    np.testing.assert_allclose(kd.table["share"].sum(), 1.0, atol=1e-12)


def test_matches_relaimpo_and_rwa_fixture() -> None:
    golden = json.loads(FIXTURE.read_text())
    for case in golden["cases"]:
        data = {k: np.asarray(v) for k, v in case["data"].items()}
        w = None if case["weights"] is None else np.asarray(case["weights"])
        kd = voc.impact.key_drivers(data, outcome=case["outcome"], drivers=case["drivers"], method="both", weights=w)
        df = kd.table.to_pandas()
        lmg, joh = df[df.method == "lmg"], df[df.method == "johnson"]
        np.testing.assert_allclose(lmg["importance"], case["lmg"], atol=1e-10, rtol=0, err_msg=case["name"])
        np.testing.assert_allclose(joh["importance"], case["genizi"], atol=1e-10, rtol=0, err_msg=case["name"])
        np.testing.assert_allclose(100 * joh["share"], case["rwa_rescaled"], atol=1e-8, rtol=0, err_msg=case["name"])
        assert kd.r2 == pytest.approx(case["r2"], abs=1e-10)
        np.testing.assert_array_equal(lmg["sign"], case["cor_sign"])


# ---------------------------------------------------------------- input types


def test_every_table_type_gives_the_same_answer() -> None:
    df = survey(150, 4, 3)
    drivers = list(df.columns[1:])
    want = voc.impact.key_drivers(df, outcome="nps", drivers=drivers).table["importance"]
    for data in (pl.from_pandas(df), pa.Table.from_pandas(df), {c: df[c].tolist() for c in df.columns}, voc.Table("t", {c: df[c].to_numpy() for c in df.columns})):
        got = voc.impact.key_drivers(data, outcome="nps", drivers=drivers).table["importance"]
        np.testing.assert_array_equal(got, want)
    # drivers=None: every other column
    np.testing.assert_array_equal(voc.impact.key_drivers(df, outcome="nps").table["importance"], want)
    # integer and boolean columns are read as numbers
    df2 = df.astype({c: "int64" for c in drivers})
    df2["flag"] = df2["q00"] > 3
    t = voc.impact.key_drivers(df2, outcome="nps").table
    assert list(t["driver"]) == drivers + ["flag"]


def test_method_both_and_table_output() -> None:
    df = survey(200, 5, 9)
    kd = voc.impact.key_drivers(df, outcome="nps", method="both")
    pdf = kd.table.to_pandas()
    assert list(pdf.columns) == [
        "method", "driver", "importance", "share", "rank", "sign", "ci_low", "ci_high", "share_ci_low",
        "share_ci_high", "r", "beta", "first", "last",
    ]
    assert list(pdf["method"]) == ["lmg"] * 5 + ["johnson"] * 5
    assert pdf["ci_low"].isna().all()
    assert isinstance(kd.table.to_polars(), pl.DataFrame)
    # first = r², and the table's r is the Pearson correlation
    r = [np.corrcoef(df["nps"], df[c])[0, 1] for c in df.columns[1:]]
    np.testing.assert_allclose(pdf["r"][:5], r, atol=1e-12)
    np.testing.assert_allclose(pdf["first"][:5], np.square(r), atol=1e-12)
    t2 = pickle.loads(pickle.dumps(kd))
    np.testing.assert_array_equal(t2.table["importance"], kd.table["importance"])
    assert t2 == kd and t2.r2 == kd.r2 and isinstance(kd, voc.impact.KeyDriversResult)
    assert kd.to_dict()["r2"] == kd.r2 and "r2=" in repr(kd) and "<table" in kd._repr_html_()


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    df = survey(300, 6, 21)
    a = voc.impact.key_drivers(df, outcome="nps", method="both", resamples=200, seed=5)
    b = voc.impact.key_drivers(df, outcome="nps", method="both", resamples=200, seed=5)
    c = voc.impact.key_drivers(df, outcome="nps", method="both", resamples=200, seed=6)
    np.testing.assert_array_equal(a.table["ci_low"], b.table["ci_low"])
    assert not np.array_equal(a.table["ci_low"], c.table["ci_low"])
    assert (a.table["ci_low"] <= a.table["ci_high"]).all() and (a.table["ci_low"] >= 0).all()
    assert a.r2_ci_low < a.r2 < a.r2_ci_high
    assert a.resamples == 200 and a.seed == 5
    # the 90% interval sits inside the 95% one (same replicates)
    n90 = voc.impact.key_drivers(df, outcome="nps", resamples=200, seed=5, confidence=0.9)
    lmg95 = a.table.to_pandas().query("method == 'lmg'")
    assert (n90.table["ci_low"] >= lmg95["ci_low"].to_numpy() - 1e-15).all()


def test_threads_give_identical_results() -> None:
    df = survey(2000, 8, 13)
    want = voc.impact.key_drivers(df, outcome="nps", method="both", resamples=100, seed=1).table["ci_high"]
    out: list[np.ndarray] = []

    def run() -> None:
        out.append(voc.impact.key_drivers(df, outcome="nps", method="both", resamples=100, seed=1).table["ci_high"])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 4
    for got in out:
        np.testing.assert_array_equal(got, want)


def test_quadrants() -> None:
    df = survey(400, 8, 17)
    q = voc.impact.driver_quadrants(df, outcome="nps")
    kd = voc.impact.key_drivers(df, outcome="nps")
    pdf = q.table.to_pandas()
    np.testing.assert_allclose(pdf["importance"], kd.table["share"], atol=1e-15)
    np.testing.assert_allclose(pdf["performance"], df.iloc[:, 1:].mean().to_numpy(), atol=1e-12)
    assert q.importance_split == pytest.approx(np.median(kd.table["share"]), abs=1e-15)
    assert q.performance_split == pytest.approx(np.median(pdf["performance"]), abs=1e-15)
    assert q.r2 == kd.r2 and q.n == 400 and q.split == "median" and q.method == "lmg"
    for _, row in pdf.iterrows():
        hi_i, hi_p = row.importance >= q.importance_split, row.performance >= q.performance_split
        want = {(True, False): "fix first", (True, True): "maintain", (False, False): "low priority", (False, True): "overinvested"}
        assert row.quadrant == want[(hi_i, hi_p)]
    tb = voc.impact.driver_quadrants(df, outcome="nps", performance="top_box", top_box=4, split="mean", method="johnson")
    np.testing.assert_allclose(tb.table["performance"], (df.iloc[:, 1:] >= 4).mean().to_numpy(), atol=1e-12)
    assert tb.importance_split == pytest.approx(1 / 8, abs=1e-12)  # mean of shares that sum to 1


# ---------------------------------------------------------------- bad input


def base() -> dict[str, list[float]]:
    return {
        "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "a": [1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 6.5],
        "b": [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 4.0],
    }


@pytest.mark.parametrize(("bad", "cls", "value"), [(float("nan"), voc.MissingValueError, None), (float("inf"), voc.NonFiniteError, math.inf), (-float("inf"), voc.NonFiniteError, -math.inf)])
def test_non_finite_driver_names_column_and_row(bad: float, cls: type, value: float | None) -> None:
    d = base()
    d["b"][4] = bad
    with pytest.raises(cls) as e:
        voc.impact.key_drivers(d, outcome="y", drivers=["a", "b"])
    assert isinstance(e.value, ValueError)
    assert 'drivers[row 4, column "b"]' in str(e.value)
    # The argument at fault is drivers; the cell is (row, column) (docs/conventions.md §6).
    assert (e.value.arg, e.value.index) == ("drivers", (4, 1))
    assert math.isnan(e.value.value) if value is None else e.value.value == value


def test_nan_outcome_and_skip() -> None:
    d = base()
    d["y"][2] = float("nan")
    with pytest.raises(voc.MissingValueError, match=r"outcome\[2\]"):
        voc.impact.key_drivers(d, outcome="y")
    t = voc.impact.key_drivers(d, outcome="y", missing="skip")
    assert (t.n, t.n_missing) == (6, 1)
    # pandas / pyarrow nulls are missing values too
    df = pd.DataFrame(base()).astype({"a": "Float64"})
    df.loc[3, "a"] = pd.NA
    with pytest.raises(voc.MissingValueError, match=r'drivers\[row 3, column "a"\]'):
        voc.impact.key_drivers(df, outcome="y")


def test_constant_collinear_and_shape_errors() -> None:
    d = base()
    d["k"] = [3.0] * 7
    with pytest.raises(voc.InvalidOptionError, match=r"k.*constant"):
        voc.impact.key_drivers(d, outcome="y", drivers=["a", "k"])
    d = base()
    d["a2"] = [2 * v - 1 for v in d["a"]]
    with pytest.raises(voc.InvalidOptionError, match=r"a2.*collinear"):
        voc.impact.key_drivers(d, outcome="y", drivers=["a", "b", "a2"])
    d = base()
    d["y"] = [5.0] * 7
    with pytest.raises(voc.InvalidOptionError, match=r"outcome.*constant"):
        voc.impact.key_drivers(d, outcome="y")
    # fewer rows than drivers + 2
    small = {k: v[:3] for k, v in base().items()}
    with pytest.raises(voc.InsufficientDataError, match="at least 4"):
        voc.impact.key_drivers(small, outcome="y")
    # more than the maximum drivers for LMG (Johnson takes them)
    big = survey(100, 21, 1)
    with pytest.raises(voc.InvalidOptionError, match="at most 20"):
        voc.impact.key_drivers(big, outcome="nps")
    assert len(voc.impact.key_drivers(big, outcome="nps", method="johnson").table) == 21


def test_names_and_options() -> None:
    d = base()
    with pytest.raises(voc.ColumnNotFoundError, match="no such column"):
        voc.impact.key_drivers(d, outcome="y", drivers=["a", "zzz"])
    with pytest.raises(KeyError, match="no such column"):
        voc.impact.key_drivers(d, outcome="nps")
    with pytest.raises(voc.InvalidOptionError, match="cannot also be a driver"):
        voc.impact.key_drivers(d, outcome="y", drivers=["y", "a"])
    with pytest.raises(voc.InvalidOptionError, match="list of column names"):
        voc.impact.key_drivers(d, outcome="y", drivers="a")  # type: ignore[arg-type]
    with pytest.raises(voc.InvalidOptionError, match="method"):
        voc.impact.key_drivers(d, outcome="y", method="ols")
    with pytest.raises(voc.InvalidOptionError, match="resamples"):
        voc.impact.key_drivers(d, outcome="y", resamples=10)
    with pytest.raises(voc.InvalidOptionError, match="confidence"):
        voc.impact.key_drivers(d, outcome="y", confidence=1.5)
    with pytest.raises(voc.InvalidOptionError, match="missing"):
        voc.impact.key_drivers(d, outcome="y", missing="drop")
    with pytest.raises(voc.InputError, match="weights"):
        voc.impact.key_drivers(d, outcome="y", weights=[1, 1, -1, 1, 1, 1, 1])
    with pytest.raises(voc.LengthMismatchError):
        voc.impact.key_drivers(d, outcome="y", weights=[1, 1])
    with pytest.raises(voc.InvalidOptionError, match="top_box"):
        voc.impact.driver_quadrants(d, outcome="y", performance="top_box")
    with pytest.raises(voc.InvalidOptionError, match="both"):
        voc.impact.driver_quadrants(d, outcome="y", method="both")
    with pytest.raises(voc.InvalidOptionError, match="split"):
        voc.impact.driver_quadrants(d, outcome="y", split="mode")
    with pytest.raises(voc.DtypeError, match="data must be a table"):
        voc.impact.key_drivers([1, 2, 3], outcome="y")
    with pytest.raises(voc.DtypeError, match="data must be a table"):
        voc.impact.theme_impact([1, 2, 3], churned=[1, 0, 1])


# ---------------------------------------------------------------- memory layouts


def layouts(a: np.ndarray, names: list[str]) -> dict[str, object]:
    """The same matrix as C-ordered, Fortran-ordered and strided (every other row) numpy columns, and as
    pandas and polars DataFrames."""
    c = np.ascontiguousarray(a)
    f = np.asfortranarray(a)
    big = np.full((2 * a.shape[0], a.shape[1]), 1e300)
    big[::2] = a
    s = big[::2]
    assert c.flags.c_contiguous and f.flags.f_contiguous and not s.flags.c_contiguous and not s.flags.f_contiguous
    return {
        "c": {n: c[:, j] for j, n in enumerate(names)},
        "fortran": {n: f[:, j] for j, n in enumerate(names)},
        "strided": {n: s[:, j] for j, n in enumerate(names)},
        "pandas": pd.DataFrame(f, columns=names),
        "polars": pl.DataFrame(c, schema=names),
    }


def assert_same_table(got: object, want: object) -> None:
    for key in ("r2", "n", "n_missing", "r2_ci_low", "r2_ci_high", "importance_split", "performance_split"):
        if hasattr(want, key):
            np.testing.assert_array_equal(getattr(got, key), getattr(want, key), err_msg=key)
    got, want = got.table, want.table  # type: ignore[attr-defined]
    assert got.columns == want.columns
    for col in want.columns:
        a, b = np.asarray(got[col]), np.asarray(want[col])
        if a.dtype.kind in "fiu":
            np.testing.assert_array_equal(a, b, err_msg=col)
        else:
            assert list(a) == list(b), col


def test_every_memory_layout_gives_identical_key_drivers() -> None:
    df = survey(300, 6, 23)
    names = list(df.columns)
    a = df.to_numpy(dtype=float, copy=True)
    a[17, 3] = np.nan  # a missing driver value, left out listwise
    ref = {n: np.ascontiguousarray(a[:, j]) for j, n in enumerate(names)}
    want = voc.impact.key_drivers(ref, outcome="nps", method="both", resamples=100, seed=4, missing="skip")
    assert want.n == 299 and want.n_missing == 1
    for layout, data in layouts(a, names).items():
        got = voc.impact.key_drivers(data, outcome="nps", method="both", resamples=100, seed=4, missing="skip")
        assert_same_table(got, want)
        q = voc.impact.driver_quadrants(data, outcome="nps", performance="top_box", top_box=4, missing="skip")
        assert_same_table(q, voc.impact.driver_quadrants(ref, outcome="nps", performance="top_box", top_box=4, missing="skip"))
        # the error names the same driver and row in every layout
        with pytest.raises(voc.MissingValueError, match=r'drivers\[row 17, column "q02"\]') as e:
            voc.impact.key_drivers(data, outcome="nps")
        assert e.value.arg == "drivers" and e.value.index[0] == 17, layout


def test_key_drivers_result_r2_is_the_former_table_metadata() -> None:
    # The R² the table's metadata used to hold (kd.meta["r2"]) is the typed attribute, and equals the sum
    # of the LMG importances and the full model's R² computed by numpy.
    df = survey(250, 4, 31)
    kd = voc.impact.key_drivers(df, outcome="nps")
    X = np.column_stack([np.ones(len(df)), df.iloc[:, 1:].to_numpy(dtype=float)])
    y = df["nps"].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    r2 = 1 - np.sum((y - X @ beta) ** 2) / np.sum((y - y.mean()) ** 2)
    assert kd.r2 == pytest.approx(r2, abs=1e-12)
    assert kd.r2 == pytest.approx(float(kd.table["importance"].sum()), abs=1e-12)
    assert kd.table.meta is None or "r2" not in (kd.table.meta or {})
    assert (kd.n, kd.n_missing, kd.method, kd.resamples) == (250, 0, "lmg", 0)
