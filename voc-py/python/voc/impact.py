"""Linking VoC to business outcomes: correlations, outcomes by VoC class, theme impact, key drivers,
effect measurement (before/after, holdout, difference-in-differences, sample size) and ROI.

Methods, references and tolerances are described in ``docs/impact.md``.
"""

from __future__ import annotations

from collections.abc import Iterator as _Iterator
from collections.abc import Mapping as _Mapping
from typing import Any as _Any
from typing import NamedTuple as _NamedTuple
from typing import Sequence as _Sequence

import numpy as _np

from voc import _voc
from voc._columns import bool_as_float as _bool_as_float
from voc._columns import column as _column
from voc._columns import names as _names_of
from voc._voc import CorrelationResult, OutcomeState, Table
from voc.errors import InvalidOptionError as _InvalidOptionError

__all__: list[str] = []

# --- correlation ---


__all__ += ["CorrelationResult", "CorrelationMatrix", "correlation", "correlation_matrix"]


def correlation(
    x: _Any,
    y: _Any,
    method: str = "pearson",
    alternative: str = "two-sided",
    confidence: float = 0.95,
    variant: str = "b",
) -> CorrelationResult:
    """Correlation of two columns with its p-value and Fisher-z confidence interval.

    ``method`` is ``"pearson"``, ``"spearman"`` (average ranks for ties), ``"kendall"`` (tau-b, or
    Stuart's tau-c with ``variant="c"``) or ``"point_biserial"`` (``x`` must be 0/1). Estimates and
    p-values match ``scipy.stats`` (``pearsonr``, ``spearmanr``, ``kendalltau``, ``pointbiserialr``) with
    the same ``alternative`` ("two-sided", "less", "greater"). Columns may be numpy arrays, pandas or
    polars Series, pyarrow arrays or lists; NaN, infinities and nulls are errors naming the argument and
    position, and a constant column is an :class:`voc.InsufficientDataError` (scipy returns NaN).

        >>> import voc
        >>> r = voc.impact.correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
        >>> round(r.estimate, 6), round(r.p_value, 6)
        (0.8, 0.104088)
    """
    return _voc._impact_correlation(
        _bool_as_float(x), _bool_as_float(y), method, alternative, float(confidence), variant
    )


class CorrelationMatrix(_NamedTuple):
    """Result of :func:`correlation_matrix`: long-form pairs and three square tables."""

    #: One row per pair of columns (a, b, r, p, n), a before b in input order.
    pairs: Table
    #: Square table of coefficients: a ``column`` column, then one column per input column.
    r: Table
    #: Square table of p-values (same layout).
    p: Table
    #: Square table of complete rows per pair (same layout).
    n: Table

    def __repr__(self) -> str:
        return f"CorrelationMatrix(pairs={len(self.pairs)} rows; r, p, n: square tables)"


def _is_numeric(col: _Any) -> bool:
    dtype = getattr(col, "dtype", None)
    if dtype is None:
        typ = getattr(col, "type", None)  # pyarrow
        if typ is None:
            return True
        import pyarrow as pa

        return bool(pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ))
    kind = getattr(dtype, "kind", None)
    if kind is not None:
        return kind in "biuf"
    return bool(getattr(dtype, "is_numeric", lambda: False)())


def correlation_matrix(
    data: _Any,
    columns: _Sequence[str] | None = None,
    method: str = "pearson",
    missing: str = "error",
    alternative: str = "two-sided",
    variant: str = "b",
) -> CorrelationMatrix:
    """Correlations of every pair of columns of a table, with p-values and pair counts.

    ``data`` is a :class:`voc.Table`, a pandas or polars DataFrame, a pyarrow Table or a dict of columns;
    ``columns`` picks and orders the columns (default: every numeric column). ``method`` is
    ``"pearson"``, ``"spearman"`` or ``"kendall"``. ``missing="error"`` (the default) raises on the first
    NaN or null, naming the column and row; ``missing="pairwise"`` uses, for each pair, the rows where
    both columns are present (``n`` says how many). A pair with fewer than 3 complete rows or a constant
    column has NaN r and p. Pairs are computed in parallel.

        >>> import voc
        >>> m = voc.impact.correlation_matrix({"nps": [9, 10, 3, 7, 8], "spend": [120, 150, 20, 60, 90],
        ...                                    "tickets": [0, 0, 4, 1, 1]}, method="spearman")
        >>> [round(float(v), 3) for v in m.pairs["r"]]
        [1.0, -0.949, -0.949]
        >>> m.r.to_pandas().set_index("column").loc["nps", "spend"]
        np.float64(1.0)
    """
    names = _names_of(data)
    if columns is None:
        picked = [c for c in names if _is_numeric(data[c])]
    else:
        picked = [str(c) for c in columns]
        for c in picked:
            if c not in names:
                from voc.errors import ColumnNotFoundError

                raise ColumnNotFoundError(
                    f"columns = {c!r}: the table has no such column (columns: {names})", "columns", None, c
                )
    pairs, r, p, n = _voc._impact_correlation_matrix(
        picked, [data[c] for c in picked], method, missing, alternative, variant
    )
    return CorrelationMatrix(pairs, r, p, n)


# --- end correlation ---

# --- key drivers ---


__all__ += ["key_drivers", "driver_quadrants"]


def _kd_inputs(
    data: _Any, outcome: str, drivers: _Sequence[str] | None, weights: _Any
) -> tuple[_Any, dict[str, _Any], _Any]:
    names = _names_of(data)
    if drivers is None:
        skip = {outcome} | ({weights} if isinstance(weights, str) else set())
        drivers = [c for c in names if c not in skip]
    elif isinstance(drivers, str):
        raise _InvalidOptionError(
            f"invalid option drivers = {drivers!r}: give a list of column names", "drivers", None, drivers
        )
    drivers = [str(d) for d in drivers]
    if outcome in drivers:
        raise _InvalidOptionError(
            f"invalid option drivers: the outcome {outcome!r} cannot also be a driver", "drivers", None, outcome
        )
    y = _col(data, outcome, "outcome")
    cols = {d: _col(data, d, "drivers") for d in drivers}
    w = None if weights is None else _col(data, weights, "weights")
    return y, cols, w


def key_drivers(
    data: _Any,
    outcome: str,
    drivers: _Sequence[str] | None = None,
    *,
    method: str = "lmg",
    weights: _Any = None,
    bootstrap: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
    missing: str = "error",
) -> Table:
    """Key-driver analysis: how much of the outcome's explained variance (R²) each driver accounts for.

    ``method`` is ``"lmg"`` (Shapley-value regression / LMG, exact over all 2^p subsets, at most 20
    drivers; as R's relaimpo ``calc.relimp(type="lmg")``), ``"johnson"`` (Johnson's relative weights,
    identical to relaimpo's ``"genizi"``; as R's ``rwa``) or ``"both"`` (rows for each). ``data`` is a
    :class:`voc.Table`, pandas or polars DataFrame, pyarrow Table or dict of columns; ``outcome`` and
    ``drivers`` name its columns (``drivers=None``: every other column). ``weights`` (a column name or
    array) gives observation weights (as R's ``cov.wt``). ``bootstrap`` > 0 adds seeded percentile
    intervals from that many row resamples (100 to 100000). ``missing="skip"`` leaves out rows with a
    missing value (listwise), ``"error"`` (default) raises naming the column and row.

    Returns one row per (method, driver): ``importance`` (R² units; sums to ``r2``), ``share``
    (importance / R²), ``rank``, ``sign`` (sign of the driver's correlation with the outcome), the
    interval columns (NaN without bootstrap), ``r`` (correlation), ``beta`` (standardised coefficient
    of the full model), ``first`` (R² alone) and ``last`` (R² lost when dropped), and ``r2``. ``meta``
    holds ``r2`` with its interval, ``n``, ``missing``, ``resamples``, ``skipped`` and ``seed``.

    >>> import voc
    >>> data = {"nps": [9, 7, 3, 10, 6, 8, 2, 9, 5, 7], "speed": [5, 4, 2, 5, 3, 4, 1, 4, 3, 4],
    ...         "price": [4, 4, 3, 5, 2, 3, 2, 5, 2, 3], "support": [3, 4, 2, 4, 4, 3, 1, 5, 3, 3]}
    >>> kd = voc.impact.key_drivers(data, outcome="nps", drivers=["speed", "price", "support"])
    >>> list(kd["driver"]), [int(r) for r in kd["rank"]]
    (['speed', 'price', 'support'], [1, 3, 2])
    >>> round(float(kd["importance"].sum()), 12) == round(kd.meta["r2"], 12)
    True
    """
    y, cols, w = _kd_inputs(data, outcome, drivers, weights)
    return _voc._impact_key_drivers(y, cols, w, method, int(bootstrap), int(seed), float(confidence), missing)


def driver_quadrants(
    data: _Any,
    outcome: str,
    drivers: _Sequence[str] | None = None,
    *,
    method: str = "lmg",
    weights: _Any = None,
    performance: str = "mean",
    top_box: float | None = None,
    split: str = "median",
    missing: str = "error",
) -> Table:
    """Importance × performance quadrants of the drivers (the classic key-driver chart).

    Importance is each driver's share of R² (``method`` ``"lmg"`` or ``"johnson"``, as
    :func:`key_drivers`); performance is the driver's (weighted) mean on its own scale, or with
    ``performance="top_box"`` the share of rows at or above ``top_box`` (e.g. 4 on a 1–5 scale). The
    lines are the median (``split="median"``) or mean over drivers; a value on a line counts as high.
    Quadrants: ``"fix first"`` (high importance, low performance), ``"maintain"`` (high, high),
    ``"low priority"`` (low, low), ``"overinvested"`` (low importance, high performance).

    >>> import voc
    >>> data = {"nps": [9, 7, 3, 10, 6, 8, 2, 9, 5, 7], "speed": [5, 4, 2, 5, 3, 4, 1, 4, 3, 4],
    ...         "price": [4, 4, 3, 5, 2, 3, 2, 5, 2, 3], "support": [3, 4, 2, 4, 4, 3, 1, 5, 3, 3]}
    >>> q = voc.impact.driver_quadrants(data, outcome="nps", drivers=["speed", "price", "support"])
    >>> list(q["quadrant"])
    ['maintain', 'overinvested', 'fix first']
    """
    y, cols, w = _kd_inputs(data, outcome, drivers, weights)
    return _voc._impact_driver_quadrants(
        y, cols, w, method, performance, None if top_box is None else float(top_box), split, missing
    )


# --- end key drivers ---

# --- outcomes, theme impact, effect measurement, ROI ---
# Methods, references and tolerances: docs/impact.md, "Outcomes by class, theme impact, effect
# measurement and ROI". The math lives in voc_core::impact::{contingency, outcome, theme, effect, roi}.


_NPS_CLASSES = ["detractor", "passive", "promoter"]


class ImpactResult(_Mapping[str, _Any]):
    """A frozen result: fields as attributes (``r.p_value``) and as keys (``r["p_value"]``).

    ``to_dict()`` gives a plain dict; results pickle and compare equal field by field.
    """

    __slots__ = ("_kind", "_fields")

    def __init__(self, kind: str, fields: dict[str, _Any]) -> None:
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_fields", dict(fields))

    @property
    def kind(self) -> str:
        """What was computed ("holdout", "rate_ratio", ...)."""
        return self._kind

    def __getattr__(self, name: str) -> _Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{self._kind} result has no field {name!r}") from None

    def __setattr__(self, name: str, value: _Any) -> None:
        raise AttributeError("results are read-only")

    def __getitem__(self, key: str) -> _Any:
        return self._fields[key]

    def __iter__(self) -> _Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImpactResult):
            return NotImplemented
        return self._kind == other._kind and _same(self._fields, other._fields)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[_Any, ...]:
        return (ImpactResult, (self._kind, dict(self._fields)))

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._fields))

    def to_dict(self) -> dict[str, _Any]:
        """The fields as a plain dict."""
        return dict(self._fields)

    def __repr__(self) -> str:
        def fmt(v: _Any) -> str:
            return f"{v:.6g}" if isinstance(v, float) else repr(v)

        inner = ", ".join(f"{k}={fmt(v)}" for k, v in self._fields.items() if not isinstance(v, list))
        return f"ImpactResult[{self._kind}]({inner})"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in self._fields.items()
        )
        return f"<table><caption>{html.escape(self._kind)}</caption>{rows}</table>"


def _same(a: dict[str, _Any], b: dict[str, _Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for k, x in a.items():
        y = b[k]
        if isinstance(x, float) and isinstance(y, float) and x != x and y != y:
            continue
        if x != y:
            return False
    return True


def _result(kind: str, fields: dict[str, _Any]) -> ImpactResult:
    return ImpactResult(kind, fields)


def _col(data: _Any, name: _Any, arg: str) -> _Any:
    """A column by name from ``data``, or ``name`` itself when it is already a column; booleans as 0/1."""
    if name is None:
        return None
    if isinstance(name, str) and data is None:
        raise _InvalidOptionError(f"invalid option {arg} = {name!r}: a column name needs data", arg, None, name)
    return _bool_as_float(name if not isinstance(name, str) else _column(data, name, arg))


def _factorize(labels: _Any, names: _Sequence[str] | None, arg: str) -> tuple[_np.ndarray, list[str]]:
    arr = labels.to_numpy() if hasattr(labels, "to_numpy") else _np.asarray(labels)
    if arr.ndim != 1:
        raise _InvalidOptionError(f"invalid option {arg}: must be one column", arg)
    if len(arr) == 0:
        raise _InvalidOptionError(f"invalid option {arg}: is empty (no customers to compare)", arg)
    as_str = _np.array([str(v) for v in arr.tolist()], dtype=object)
    if names is None:
        order = sorted(set(as_str.tolist()))
    else:
        order = [str(n) for n in names]
    position = {n: i for i, n in enumerate(order)}
    codes = _np.empty(len(as_str), dtype=_np.uint32)
    for i, v in enumerate(as_str.tolist()):
        j = position.get(v)
        if j is None:
            raise _InvalidOptionError(
                f"invalid option {arg}: {arg}[{i}] = {v!r} is not one of the class names {order}", arg, i, v
            )
        codes[i] = j
    return codes, order


def _classes(
    data: _Any, classes: _Any, nps: _Any, names: _Sequence[str] | None, missing: str = "error"
) -> tuple[_np.ndarray, list[str]]:
    if (classes is None) == (nps is None):
        raise _InvalidOptionError("give exactly one of classes= (labels or codes) and nps= (0-10 scores)", "classes")
    if nps is not None:
        codes = _voc._impact_nps_classes(_col(data, nps, "nps"), missing)
        return _np.asarray(codes, dtype=_np.uint32), list(_NPS_CLASSES)
    return _factorize(_col(data, classes, "classes"), names, "classes")


def outcome_by_class(
    data: _Any = None,
    *,
    classes: _Any = None,
    nps: _Any = None,
    churned: _Any = None,
    spend: _Any = None,
    clv: _Any = None,
    repurchased: _Any = None,
    names: _Sequence[str] | None = None,
    confidence: float = 0.95,
    missing: str = "error",
) -> Table:
    """Churn (Wilson CI), ARPU and CLV (t CI) and repurchase (Wilson CI) per VoC class.

    Classes come from ``nps=`` (0-10 scores: detractor, passive, promoter) or ``classes=`` (any labels;
    ``names`` fixes their order and rejects unknown labels). Columns are names in ``data`` (a
    :class:`voc.Table`, pandas/polars DataFrame, pyarrow table or dict) or arrays. The chi-square test
    of churn × class and Cramér's V are in ``table.meta``. With ``missing="skip"`` customers without
    an NPS answer (NaN) and NaN outcomes are left out; by default they raise, naming the position.
    """
    state = outcome_state(data, classes=classes, nps=nps, churned=churned, spend=spend, clv=clv,
                          repurchased=repurchased, names=names, missing=missing)
    return state.finish(confidence=confidence)


def outcome_state(
    data: _Any = None,
    *,
    classes: _Any = None,
    nps: _Any = None,
    churned: _Any = None,
    spend: _Any = None,
    clv: _Any = None,
    repurchased: _Any = None,
    names: _Sequence[str] | None = None,
    missing: str = "error",
) -> OutcomeState:
    """:func:`outcome_by_class` as a mergeable :class:`OutcomeState` of these rows (e.g. one partition):
    ``a.merge(b)``, ``to_bytes()`` / ``OutcomeState.from_bytes``, pickling, then ``finish(confidence=)``
    gives the table of :func:`outcome_by_class` on all rows. With ``classes=`` labels, pass ``names`` so
    every part codes the classes alike (states of different classes refuse to merge).

    >>> import voc
    >>> a = voc.impact.outcome_state(nps=[9, 3, 10], churned=[0, 1, 0])
    >>> b = voc.impact.outcome_state(nps=[7, 2], churned=[0, 1])
    >>> a.merge(b)
    >>> list(a.finish()["churn_rate"])
    [1.0, 0.0, 0.0]
    """
    codes, order = _classes(data, classes, nps, names, missing)
    state = OutcomeState(order)
    state.update(
        codes,
        churned=_col(data, churned, "churned"),
        spend=_col(data, spend, "spend"),
        clv=_col(data, clv, "clv"),
        repurchased=_col(data, repurchased, "repurchased"),
        missing=missing,
    )
    return state


def class_ratio(
    data: _Any = None,
    *,
    numerator: str,
    denominator: str,
    measure: str = "spend",
    classes: _Any = None,
    nps: _Any = None,
    churned: _Any = None,
    spend: _Any = None,
    clv: _Any = None,
    repurchased: _Any = None,
    names: _Sequence[str] | None = None,
    confidence: float = 0.95,
    missing: str = "error",
) -> ImpactResult:
    """Ratio of two classes' means (e.g. promoter ARPU / detractor ARPU), delta method on the log
    scale; for ``measure="churn"`` or ``"repurchase"`` also the risk ratio (Katz), odds ratio (Woolf),
    chi-square and Fisher test of the 2x2 table."""
    codes, order = _classes(data, classes, nps, names, missing)
    d = _voc._impact_class_ratio(
        codes,
        order,
        _col(data, churned, "churned"),
        _col(data, spend, "spend"),
        _col(data, clv, "clv"),
        _col(data, repurchased, "repurchased"),
        measure,
        numerator,
        denominator,
        float(confidence),
        missing,
    )
    return _result("class_ratio", d)


def _bad_shape(shape: tuple[int, ...]) -> _InvalidOptionError:
    return _InvalidOptionError(
        f"invalid option table: must be a 2-D table with at least 2 rows and 2 columns, got shape {shape}",
        "table",
    )


def _cells(table: _Any) -> tuple[list[float], int]:
    arr = _np.asarray(table, dtype=_np.float64)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        raise _bad_shape(arr.shape)
    return arr.ravel().tolist(), int(arr.shape[1])


def _table_shape(table: _Any) -> None:
    """Checks the shape of an r x c table without copying it (numpy arrays, DataFrames, nested lists)."""
    shape = getattr(table, "shape", None)
    if shape is None:
        shape = _np.shape(table)
    shape = tuple(int(n) for n in shape)
    if len(shape) != 2 or shape[0] < 2 or shape[1] < 2:
        raise _bad_shape(shape)


def contingency(
    table: _Any, *, confidence: float = 0.95, yates: bool = True, zero_cells: str = "error"
) -> ImpactResult:
    """Everything about a 2x2 table ``[[a, b], [c, d]]`` (rows exposed/unexposed, columns event/no event):
    risk difference (Wald), risk ratio (Katz log), odds ratio (Woolf logit), chi-square (Yates by
    default) with Cramér's V, Fisher's exact test. ``zero_cells="haldane"`` adds 0.5 to every cell when
    one is zero; the default raises. Larger tables: see :func:`chi_square`."""
    cells, cols = _cells(table)
    if len(cells) != 4:
        raise _InvalidOptionError("invalid option table: contingency() takes a 2x2 table; use chi_square() for r x c", "table")
    return _result("contingency", _voc._impact_two_by_two(cells, float(confidence), bool(yates), zero_cells))


def chi_square(table: _Any, *, yates: bool = True) -> ImpactResult:
    """Pearson chi-square test of an r x c table with Cramér's V, as ``scipy.stats.chi2_contingency``
    (Yates correction for one degree of freedom unless ``yates=False``)."""
    _table_shape(table)
    return _result("chi_square", _voc._impact_chi_square(table, bool(yates)))


def fisher_exact(table: _Any) -> ImpactResult:
    """Fisher's exact test of a 2x2 table, as ``scipy.stats.fisher_exact`` (two-sided, less, greater)."""
    cells, _ = _cells(table)
    if len(cells) != 4:
        raise _InvalidOptionError("invalid option table: Fisher's exact test takes a 2x2 table", "table")
    return _result("fisher_exact", _voc._impact_fisher_exact(cells))


def theme_impact(
    data: _Any,
    *,
    churned: _Any,
    themes: str | _Sequence[str] = "theme_",
    value: _Any = None,
    exclude: _Sequence[str] = ("praise",),
    confidence: float = 0.95,
    test: str = "fisher",
    adjust: str = "holm",
    zero_cells: str = "haldane",
) -> Table:
    """Churn of customers who raised each theme against those who did not, ranked by excess revenue.

    ``themes`` is a column prefix (default ``"theme_"``, the columns of ``EventLog.features``) or a list
    of column names; a value > 0 means raised. ``value`` (e.g. ``"monetary"``) weights revenue at risk;
    NaN values count as 0.
    """
    names = _names_of(data)
    cols: dict[str, _Any] = {}
    if isinstance(themes, str):
        for c in names:
            if c.startswith(themes) and len(c) > len(themes) and c[len(themes) :] not in exclude:
                cols[c[len(themes) :]] = data[c]
        if not cols:
            raise _InvalidOptionError(
                f"invalid option themes = {themes!r}: no column starts with it (columns: {names})", "themes", None, themes
            )
    else:
        for c in themes:
            cols[str(c)] = _col(data, c, "themes")
    v = _col(data, value, "value")
    if v is not None:
        v = _np.nan_to_num(_np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v, dtype=_np.float64), nan=0.0)
    return _voc._impact_theme_impact(
        cols, _col(data, churned, "churned"), v, float(confidence), test, adjust, zero_cells
    )


def _pair(x: _Any, arg: str) -> tuple[float, float]:
    try:
        k, n = x
    except (TypeError, ValueError):
        raise _InvalidOptionError(f"invalid option {arg} = {x!r}: give (events, customers)", arg) from None
    return (float(k), float(n))


def before_after(before: tuple[float, float], after: tuple[float, float], *, confidence: float = 0.95) -> ImpactResult:
    """Change in a rate, each period given as (events, customers): pooled z test, Wald CI of the
    difference, Wilson CIs of each rate, ratio after/before (Katz)."""
    return _result("before_after", _voc._impact_before_after(_pair(before, "before"), _pair(after, "after"), float(confidence)))


def rate_ratio(
    count1: float, exposure1: float, count2: float, exposure2: float, *, confidence: float = 0.95
) -> ImpactResult:
    """Poisson rate ratio (count1/exposure1) / (count2/exposure2), e.g. negative mentions per day after a
    fix vs before: Wald-log CI and p (statsmodels ``"wald-log"``), exact conditional p and CI."""
    return _result(
        "rate_ratio", _voc._impact_rate_ratio(float(count1), float(exposure1), float(count2), float(exposure2), float(confidence))
    )


def holdout(treated: tuple[float, float], control: tuple[float, float], *, confidence: float = 0.95) -> ImpactResult:
    """Treated vs control churn, each (churned, customers): difference with Newcombe's CI, pooled z p,
    risk ratio (Katz) and relative reduction 1 - RR with its CI."""
    return _result("holdout", _voc._impact_holdout(_pair(treated, "treated"), _pair(control, "control"), float(confidence)))


def diff_in_diff(
    data: _Any = None,
    *,
    y: _Any = None,
    treated: _Any = None,
    after: _Any = None,
    cells: _Sequence[tuple[float, float, float]] | None = None,
    se: str = "hc1",
    confidence: float = 0.95,
) -> ImpactResult:
    """Difference-in-differences (treated_after - treated_before) - (control_after - control_before).

    From rows (``y`` outcome, ``treated`` and ``after`` 0/1 flags) or from four ``cells`` (mean,
    ddof-1 variance, n) ordered treated-before, treated-after, control-before, control-after. The SE
    is HC1 (normal p; ``se="hc1"``) or the pooled OLS one (t with N - 4 df; ``se="pooled"``), as
    statsmodels OLS with an interaction term.
    """
    if cells is not None:
        c: list[tuple[float, float, float]] = []
        for cell in cells:
            v = [float(x) for x in cell]
            if len(v) != 3:
                raise _InvalidOptionError("invalid option cells: give four (mean, variance, n) cells", "cells")
            c.append((v[0], v[1], v[2]))
        if len(c) != 4:
            raise _InvalidOptionError("invalid option cells: give four (mean, variance, n) cells", "cells")
        return _result("diff_in_diff", _voc._impact_diff_in_diff(c, None, None, None, se, float(confidence)))
    return _result(
        "diff_in_diff",
        _voc._impact_diff_in_diff(
            None, _col(data, y, "y"), _col(data, treated, "treated"), _col(data, after, "after"), se, float(confidence)
        ),
    )


def sample_size(
    p_control: float,
    p_treated: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    method: str = "cohen_h",
) -> ImpactResult:
    """Treated customers (and ``ratio`` x as many controls) to detect ``p_treated`` vs ``p_control``.
    ``method="cohen_h"`` as statsmodels ``NormalIndPower`` with ``proportion_effectsize``;
    ``"classic"`` as ``samplesize_proportions_2indep_onetail``."""
    return _result(
        "sample_size",
        _voc._impact_sample_size(float(p_control), float(p_treated), None, float(alpha), float(power), float(ratio), method),
    )


def minimum_detectable_effect(
    p_control: float,
    n_treated: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    method: str = "cohen_h",
) -> ImpactResult:
    """The lowest treated rate (a fall from ``p_control``) that ``n_treated`` customers detect."""
    return _result(
        "minimum_detectable_effect",
        _voc._impact_sample_size(float(p_control), None, float(n_treated), float(alpha), float(power), float(ratio), method),
    )


def roi(
    *,
    churn_reduction: float | None = None,
    churn_reduction_ci: tuple[float, float] | None = None,
    holdout: ImpactResult | None = None,
    customers: float = 0.0,
    clv: float = 0.0,
    contacts_avoided: float = 0.0,
    cost_per_contact: float = 0.0,
    program_cost: float = 0.0,
    horizon_months: float = 12.0,
) -> ImpactResult:
    """Value of churn reduction (reduction x customers x CLV, CI carried from the reduction's CI),
    cost-to-serve savings, net benefit, ROI and payback in months. ``holdout=`` takes the reduction and
    its CI from :func:`holdout` (control - treated)."""
    if holdout is not None:
        churn_reduction = -holdout["difference"]
        churn_reduction_ci = (-holdout["difference_ci_high"], -holdout["difference_ci_low"])
    if churn_reduction is None:
        raise _InvalidOptionError("invalid option churn_reduction: give churn_reduction= or holdout=", "churn_reduction")
    ci = None if churn_reduction_ci is None else (float(churn_reduction_ci[0]), float(churn_reduction_ci[1]))
    return _result(
        "roi",
        _voc._impact_roi(
            float(churn_reduction),
            ci,
            float(customers),
            float(clv),
            float(contacts_avoided),
            float(cost_per_contact),
            float(program_cost),
            float(horizon_months),
        ),
    )


def what_if(classes: _Any, *, shift: str = "detractors_to_passives", share: float = 0.1) -> ImpactResult:
    """Move ``share`` of one NPS class to another and report NPS and expected retained revenue
    (sum of n x ARPU x (1 - churn)) before and after.

    ``classes`` is the :func:`outcome_by_class` table (needs ``arpu`` and ``churn_rate``; NPS classes) or
    a dict ``{"detractor": (n, arpu, churn), "passive": ..., "promoter": ...}``.
    """
    if isinstance(classes, _Mapping) and not isinstance(classes, Table):
        rows = []
        for name in _NPS_CLASSES:
            if name not in classes:
                raise _InvalidOptionError(f"invalid option classes: missing class {name!r}", "classes", None, name)
            n, arpu, churn = classes[name]
            rows.append((float(n), float(arpu), float(churn)))
    else:
        cols = classes.to_dict() if hasattr(classes, "to_dict") else classes
        labels = [str(v) for v in list(cols["class"])]
        rows = []
        for name in _NPS_CLASSES:
            if name not in labels:
                raise _InvalidOptionError(f"invalid option classes: missing class {name!r}", "classes", None, name)
            i = labels.index(name)
            rows.append((float(cols["n"][i]), float(cols["arpu"][i]), float(cols["churn_rate"][i])))
    return _result("what_if", _voc._impact_what_if(rows, shift, float(share)))


__all__ += [
    "ImpactResult",
    "outcome_by_class",
    "outcome_state",
    "OutcomeState",
    "class_ratio",
    "contingency",
    "chi_square",
    "fisher_exact",
    "theme_impact",
    "before_after",
    "rate_ratio",
    "holdout",
    "diff_in_diff",
    "sample_size",
    "minimum_detectable_effect",
    "roi",
    "what_if",
]

# --- end outcomes, theme impact, effect measurement, ROI ---
