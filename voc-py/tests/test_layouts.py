"""One matrix reader (docs/conventions.md §7): every function taking a matrix or a table gives identical
results from C-ordered, Fortran-ordered, strided and byte-swapped numpy, nested lists, pandas, polars,
pyarrow and dicts of columns.

Functions taking a matrix or a table (``grep -n "matrix(\\|features(\\|table_columns" voc-py/src``):
``voc.risk.fit_logistic`` / ``LogisticModel.predict_proba`` / ``cross_validate`` / ``ChurnClassifier``,
``voc.retention.fit_cox`` / ``CoxModel.predict_log_partial_hazard`` / ``predict_partial_hazard``,
``voc.segment.fit_kmeans`` / ``KMeansModel.predict`` / ``standardize`` / ``Standardized.transform`` /
``silhouette_score``, ``voc.impact.key_drivers`` / ``correlation_matrix`` (tables) and
``contingency`` / ``chi_square`` / ``fisher_exact`` (2 × 2 tables).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import voc

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

NAMES = ["x0", "x1", "x2"]


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(60, 3))
    x[:, 2] = np.round(x[:, 2], 1)
    logit = 0.8 * x[:, 0] - 0.5 * x[:, 1]
    y = (rng.random(60) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    durations = np.round(rng.exponential(10.0, size=60) * np.exp(-0.4 * x[:, 0]), 3) + 0.1
    return x, y, durations


X, Y, DURATIONS = _data()
EVENTS = (np.arange(60) % 4 != 0).astype(np.float64)


def _strided(x: np.ndarray) -> np.ndarray:
    big = np.zeros((x.shape[0] * 2, x.shape[1] * 3))
    big[::2, ::3] = x
    view = big[::2, ::3]
    assert not view.flags.c_contiguous and not view.flags.f_contiguous
    return view


def layouts(x: np.ndarray, *, tables: bool = True, arrays: bool = True) -> dict[str, Any]:
    """The same matrix in every form a user may pass."""
    out: dict[str, Any] = {}
    if arrays:
        out.update(
            {
                "c": np.ascontiguousarray(x),
                "fortran": np.asfortranarray(x),
                "strided": _strided(x),
                "reversed_rows": np.ascontiguousarray(x[::-1])[::-1],
                "big_endian": x.astype(">f8"),
                "float32_exact": x.astype(np.float32) if np.all(x.astype(np.float32) == x) else x.copy(),
                "lists": x.tolist(),
            }
        )
    if tables:
        cols = {n: x[:, j].copy() for j, n in enumerate(NAMES[: x.shape[1]])}
        out.update(
            {
                "pandas": pd.DataFrame(cols),
                "pandas_fortran_block": pd.DataFrame(np.asfortranarray(x), columns=NAMES[: x.shape[1]]),
                "pandas_nullable": pd.DataFrame({k: pd.array(v, dtype="Float64") for k, v in cols.items()}),
                "polars": pl.DataFrame(cols),
                "pyarrow": pa.table(cols),
                "pyarrow_chunked": pa.concat_tables([pa.table(cols).slice(0, 25), pa.table(cols).slice(25)]),
                "dict": cols,
            }
        )
    return out


def _same(results: dict[str, Any]) -> None:
    ref_name, ref = next(iter(results.items()))
    for name, got in results.items():
        np.testing.assert_array_equal(np.asarray(got), np.asarray(ref), err_msg=f"{name} != {ref_name}")


CASES: dict[str, Callable[[Any], Any]] = {
    "risk.fit_logistic.coef": lambda x: voc.risk.fit_logistic(x=x, y=Y).coef,
    "risk.predict_proba": lambda x: voc.risk.fit_logistic(x=X, y=Y).predict_proba(x),
    "risk.cross_validate": lambda x: voc.risk.cross_validate(x=x, y=Y, k=3).table["roc_auc"],
    "risk.ChurnClassifier": lambda x: voc.risk.ChurnClassifier().fit(x, Y).predict_proba(x),
    "retention.fit_cox.coef": lambda x: voc.retention.fit_cox(durations=DURATIONS, events=EVENTS, covariates=x).coef,
    "retention.predict_log_partial_hazard": lambda x: voc.retention.fit_cox(
        durations=DURATIONS, events=EVENTS, covariates=X
    ).predict_log_partial_hazard(x),
    "retention.predict_partial_hazard": lambda x: voc.retention.fit_cox(
        durations=DURATIONS, events=EVENTS, covariates=X
    ).predict_partial_hazard(x),
    "segment.fit_kmeans": lambda x: voc.segment.fit_kmeans(x=x, k=3, seed=1).labels,
    "segment.fit_kmeans.inertia": lambda x: voc.segment.fit_kmeans(x=x, k=3, init=X[:3]).inertia,
    "segment.predict": lambda x: voc.segment.fit_kmeans(x=X, k=3, seed=1).predict(x),
    "segment.standardize": lambda x: voc.segment.standardize(x=x).values,
    "segment.transform": lambda x: voc.segment.standardize(x=X).transform(x),
    "segment.silhouette_score": lambda x: voc.segment.silhouette_score(x=x, labels=(X[:, 0] > 0).astype(int)),
}


# A list given as Cox ``covariates=`` is a list of columns (documented), not rows.
NOT_A_MATRIX = {("retention.fit_cox.coef", "lists")}


@pytest.mark.parametrize("case", list(CASES))
def test_every_layout_gives_identical_results(case: str) -> None:
    fn = CASES[case]
    _same({name: fn(x) for name, x in layouts(X).items() if (case, name) not in NOT_A_MATRIX})


def _table_with_outcome() -> np.ndarray:
    return np.column_stack([X[:, 0] * 2 + X[:, 1] + 0.1 * X[:, 2], X])


@pytest.mark.parametrize(
    "case",
    ["key_drivers", "correlation_matrix", "correlation_matrix_pairwise"],
)
def test_every_table_gives_identical_results(case: str) -> None:
    data = _table_with_outcome()
    global NAMES
    names = ["y", "a", "b", "c"]
    saved, NAMES = NAMES, names
    try:
        forms = layouts(data, arrays=False)
    finally:
        NAMES = saved
    if case == "key_drivers":
        results = {k: voc.impact.key_drivers(t, outcome="y").table["importance"] for k, t in forms.items()}
    elif case == "correlation_matrix":
        results = {k: voc.impact.correlation_matrix(t).pairs["estimate"] for k, t in forms.items()}
    else:
        results = {
            k: voc.impact.correlation_matrix(t, missing="pairwise", method="spearman").pairs["estimate"]
            for k, t in forms.items()
        }
    _same(results)


@pytest.mark.parametrize("fn", ["contingency", "chi_square", "fisher_exact"])
def test_two_by_two_tables_in_every_layout(fn: str) -> None:
    t = np.array([[12.0, 5.0], [3.0, 9.0]])
    forms = layouts(t, tables=False)
    forms["int"] = t.astype(np.int64)
    forms["fortran_int"] = np.asfortranarray(t.astype(np.int32))
    call = getattr(voc.impact, fn)
    results = {k: call(x).p_value for k, x in forms.items()}
    _same(results)


def test_cox_predict_on_a_dataframe_in_another_column_order() -> None:
    """A table's covariates are found by name: a DataFrame with the columns in another order (and an
    extra one) predicts as the training matrix."""
    df = pd.DataFrame(X, columns=NAMES)
    model = voc.retention.fit_cox(df.assign(t=DURATIONS, e=EVENTS), durations="t", events="e")
    shuffled = df[["x2", "x0", "x1"]].assign(extra=1.0)
    np.testing.assert_array_equal(model.predict_log_partial_hazard(shuffled), model.predict_log_partial_hazard(df))


def test_bool_columns_are_numbers_in_matrices() -> None:
    """A bool + float DataFrame (object dtype as one numpy array) reads as 0 / 1."""
    flags = X[:, 0] > 0
    df = pd.DataFrame({"flag": flags, "b": X[:, 1]})
    as_float = np.column_stack([flags.astype(np.float64), X[:, 1]])
    np.testing.assert_array_equal(
        voc.risk.fit_logistic(x=df, y=Y).coef, voc.risk.fit_logistic(x=as_float, y=Y).coef
    )
    np.testing.assert_array_equal(
        voc.risk.fit_logistic(x=df.to_numpy(), y=Y).coef, voc.risk.fit_logistic(x=as_float, y=Y).coef
    )
    np.testing.assert_array_equal(
        voc.segment.fit_kmeans(x=pl.from_pandas(df), k=2, seed=0).labels,
        voc.segment.fit_kmeans(x=as_float, k=2, seed=0).labels,
    )
    model = voc.retention.fit_cox(durations=DURATIONS, events=EVENTS > 0, covariates=df)
    ref = voc.retention.fit_cox(durations=DURATIONS, events=EVENTS, covariates=as_float)
    np.testing.assert_allclose(model.coef, ref.coef, rtol=0, atol=0)


@pytest.mark.parametrize(
    "bad,found",
    [
        (X.astype(np.complex128) + 1j, "complex"),
        (np.array([["1.5", "2"], ["3", "4"]]), "<U3"),
        (np.array([["1.5", 2.0], [3.0, 4.0]], dtype=object), "object"),
        (np.zeros((2, 2), dtype="datetime64[s]"), "datetime64"),
    ],
)
def test_non_numbers_in_a_matrix_are_a_dtype_error(bad: np.ndarray, found: str) -> None:
    for call in (
        lambda: voc.segment.fit_kmeans(x=bad, k=1),
        lambda: voc.risk.fit_logistic(x=bad, y=[0, 1] * (len(bad) // 2)),
        lambda: voc.retention.fit_cox(durations=np.arange(1.0, len(bad) + 1), covariates=bad),
    ):
        with pytest.raises(voc.DtypeError) as e:
            call()
        assert e.value.arg in ("x", "covariates")
        assert found.split("[")[0].lstrip("<") in str(e.value) or found in str(e.value)


def test_a_string_column_of_a_table_is_a_dtype_error_naming_it() -> None:
    df = pd.DataFrame({"a": X[:, 0], "s": ["1.0"] * len(X)})
    with pytest.raises(voc.DtypeError, match="'s'"):
        voc.segment.fit_kmeans(x=df, k=2)
    with pytest.raises(voc.DtypeError, match="'s'"):
        voc.retention.fit_cox(durations=DURATIONS, covariates=df)


@pytest.mark.parametrize("form", ["numpy", "pandas", "polars"])
def test_a_bad_matrix_cell_names_row_and_column(form: str) -> None:
    x = X.copy()
    x[7, 1] = np.nan
    data: Any = {"numpy": x, "pandas": pd.DataFrame(x, columns=NAMES), "polars": pl.DataFrame(dict(zip(NAMES, x.T)))}[
        form
    ]
    named = form != "numpy"
    cases = {
        "covariates": lambda: voc.retention.fit_cox(durations=DURATIONS, events=EVENTS, covariates=data),
        "x": lambda: voc.segment.fit_kmeans(x=data, k=2),
    }
    for arg, call in cases.items():
        with pytest.raises(voc.MissingValueError) as e:
            call()
        assert e.value.arg == arg
        assert e.value.index == (7, 1)
        assert "row 7" in str(e.value)
        # By name for a table; an array's column by its index (or the model's default name x1).
        assert '"x1"' in str(e.value) if named else ("column 1" in str(e.value) or '"x1"' in str(e.value))
    with pytest.raises(voc.MissingValueError) as e:
        voc.risk.fit_logistic(x=data, y=Y)
    assert e.value.arg == "x" and e.value.index == (7, 1) and "row 7" in str(e.value)
    x[7, 1] = np.inf
    with pytest.raises(voc.NonFiniteError) as e2:
        voc.segment.fit_kmeans(x=x, k=2)
    assert e2.value.index == (7, 1)
    model = voc.segment.fit_kmeans(x=X, k=2, seed=0)
    with pytest.raises(voc.NonFiniteError) as e3:
        model.predict(x)
    assert e3.value.index == (7, 1)
