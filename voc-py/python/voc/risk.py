"""Churn risk: a logistic-regression model, its evaluation, thresholds and an alert list with reasons.

Train on the signals at a past cutoff with the labels of the horizon after it, check it on a later cutoff,
then score customers today and say who to call and why::

    >>> import voc
    >>> data = voc.sample.retailer(seed=7, customers=5_000)
    >>> log = voc.signals.EventLog(**data.tables())
    >>> X = log.features("2024-10-01"); y = log.labels("2024-10-01", horizon_days=180)
    >>> model = voc.risk.fit(X, y, impute="mean")
    >>> model.converged
    True
    >>> later = log.features("2025-01-01")
    >>> auc = voc.risk.roc_auc(log.labels("2025-01-01", horizon_days=180), model.predict_proba(later))
    >>> 0.5 < auc < 1
    True

The model is scikit-learn's `LogisticRegression` objective (``C · Σ loss + penalty``, intercept not
penalised) fitted by Newton's method with a line search (proximal Newton for L1 / elastic net); features
are standardised first by default and the scaling is stored with the model. Without a penalty it reports
standard errors, z, p-values and intervals as statsmodels ``Logit`` does. See ``docs/risk.md``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from voc import _voc
from voc._voc import RiskModel, Table
from voc.errors import DtypeError, InvalidOptionError, LengthMismatchError

__all__ = [
    "RiskModel",
    "fit",
    "roc_auc",
    "evaluate",
    "calibration",
    "lift",
    "confusion",
    "cross_validate",
    "alerts",
    "threshold_for_precision",
    "threshold_top_k",
]

_ID = "customer_id"
# Arguments read as one vector (not columns of X), named as they are in messages.
_VECTORS = ("y", "scores", "p", "value", "sample_weight")


def _as_dict(X: Any) -> dict[str, Any]:
    if isinstance(X, Table):
        return dict(X.to_dict())
    if isinstance(X, dict):
        return X
    mod = type(X).__module__.split(".")[0]
    if mod in ("pandas", "polars") and hasattr(X, "columns"):
        return {str(c): X[c] for c in X.columns}
    if hasattr(X, "column_names"):  # pyarrow.Table
        return {c: X[c] for c in X.column_names}
    raise DtypeError(f"X has type {type(X).__name__}; expected a table, DataFrame, dict or 2-D array", "X")


def _float_column(col: Any, name: str) -> np.ndarray:
    try:
        if hasattr(col, "to_numpy") and type(col).__module__.startswith("pandas"):
            out = col.to_numpy(dtype="float64", na_value=np.nan)
        elif hasattr(col, "to_numpy") and type(col).__module__.startswith("polars"):
            out = col.cast(float).to_numpy()
        elif hasattr(col, "to_numpy"):  # pyarrow
            out = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
        else:
            out = np.asarray(col, dtype=np.float64)
    except Exception as e:  # numpy, pandas, polars and pyarrow each raise their own conversion errors
        what = name if name in _VECTORS else f"column {name!r} of X"
        raise DtypeError(f"{what} cannot be read as numbers ({e})", name) from None
    if out.ndim != 1:
        raise DtypeError(f"column {name!r} of X is not one-dimensional", name)
    return np.ascontiguousarray(out, dtype=np.float64)


def _design(X: Any, names: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Feature names and the float64 matrix (rows × features) of ``X`` (``customer_id`` is an id, not a
    feature). A 2-D array keeps its memory layout (C, Fortran or strided: the core reads it in place);
    the columns of a table or DataFrame are gathered into one Fortran-ordered matrix."""
    if isinstance(X, np.ndarray) or isinstance(X, (list, tuple)):
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise DtypeError(f"X must be two-dimensional, got shape {arr.shape}", "X")
        given = [f"x{j}" for j in range(arr.shape[1])] if names is None else list(names)
        if len(given) != arr.shape[1]:
            raise LengthMismatchError(
                f"X has {arr.shape[1]} columns but the model has {len(given)} features", "X"
            )
        return given, arr
    data = _as_dict(X)
    if names is None:
        names = [c for c in data if c != _ID]
    missing = [n for n in names if n not in data]
    if missing:
        raise InvalidOptionError(f"X lacks the model's feature columns {missing}", "X")
    cols = [_float_column(data[n], n) for n in names]
    rows = len(cols[0]) if cols else len(next(iter(data.values()), ()))
    out = np.empty((rows, len(cols)), dtype=np.float64, order="F")
    for j, (name, col) in enumerate(zip(names, cols)):
        if len(col) != rows:
            raise LengthMismatchError(
                f"column {name!r} of X has {len(col)} values but column {names[0]!r} has {rows}", name
            )
        out[:, j] = col
    return list(names), out


def _vector(v: Any, arg: str) -> np.ndarray:
    if isinstance(v, Table):
        cols = [c for c in v.columns if c != _ID]
        if len(cols) != 1:
            raise InvalidOptionError(f"{arg} is a table with columns {v.columns}; pass one column", arg)
        v = v[cols[0]]
    return _float_column(v, arg)


def fit(
    X: Any,
    y: Any,
    *,
    sample_weight: Any = None,
    penalty: str = "l2",
    C: float = 1.0,
    l1_ratio: float | None = None,
    class_weight: Any = None,
    standardize: bool = True,
    impute: str = "error",
    max_iter: int = 100,
    tol: float = 1e-10,
    confidence: float = 0.95,
) -> RiskModel:
    """Fits the churn model.

    ``X``: a ``voc.Table`` (e.g. ``EventLog.features``), pandas / polars DataFrame, pyarrow table, dict of
    columns or 2-D array; a ``customer_id`` column is ignored. ``y``: 0/1 or bool labels (or the
    ``EventLog.labels`` table). ``penalty``: "l2" (default), "l1", "elasticnet" (with ``l1_ratio``) or
    "none" (maximum likelihood, with standard errors and p-values). ``class_weight``: None, "balanced" or
    ``{0: w0, 1: w1}``. ``impute="mean"`` fills NaN features with the training mean (stored with the
    model); by default NaN is an error naming the row and column.

    >>> import voc
    >>> X = {"refund_delay_days": [1.0, 14.0, 3.0, 20.0, 2.0, 9.0, 0.0, 12.0]}
    >>> m = voc.risk.fit(X, [0, 1, 0, 1, 0, 0, 0, 1])
    >>> m.converged, bool(m.predict_proba(X)[3] > m.predict_proba(X)[0])
    (True, True)
    """
    names, x = _design(X)
    yv = _vector(y, "y")
    w = None if sample_weight is None else _vector(sample_weight, "sample_weight")
    return _voc.fit_logistic(
        x, names, yv, sample_weight=w, penalty=penalty, C=C, l1_ratio=l1_ratio,
        class_weight=class_weight, standardize=standardize, impute=impute, max_iter=max_iter, tol=tol,
        confidence=confidence,
    )


def roc_auc(y: Any, scores: Any) -> float:
    """ROC AUC with ties counted half (equal to ``sklearn.metrics.roc_auc_score``).

    >>> import voc
    >>> voc.risk.roc_auc([1, 1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])  # 14 of the 15 churner / stayer pairs ranked right
    0.9333333333333333
    """
    return _voc.roc_auc(_vector(y, "y"), _vector(scores, "scores"))


def evaluate(y: Any, p: Any, *, threshold: float = 0.5) -> dict[str, float]:
    """ROC AUC, average precision, Brier score, and the confusion matrix at ``threshold`` with its
    precision, recall, F1 and accuracy (NaN where undefined).

    >>> import voc
    >>> e = voc.risk.evaluate([1, 1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], threshold=0.55)
    >>> e["true_positives"], e["false_positives"], round(e["precision"], 4), e["recall"]
    (3, 1, 0.75, 1.0)
    """
    yv, pv = _vector(y, "y"), _vector(p, "p")
    auc, ap, brier = _voc.score_metrics(yv, pv)
    out: dict[str, float] = {"roc_auc": auc, "average_precision": ap, "brier": brier}
    out.update(_voc.confusion(yv, pv, threshold))
    return out


def calibration(y: Any, p: Any, *, bins: int = 10) -> Table:
    """Calibration table: mean predicted vs observed churn (Wilson 95% CI) per probability bin.

    >>> import voc
    >>> t = voc.risk.calibration([1, 1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], bins=2)
    >>> t["n"].tolist(), t["observed"].tolist()  # 0 of 4 churned below 0.5, 3 of 4 above
    ([4, 4], [0.0, 0.75])
    """
    return _voc.calibration(_vector(y, "y"), _vector(p, "p"), bins)


def lift(y: Any, scores: Any, *, groups: int = 10) -> Table:
    """Lift and cumulative gains by score group (deciles by default, highest scores first).

    >>> import voc
    >>> t = voc.risk.lift([1, 1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], groups=4)  # 3 churners in 8: the top quarter holds 2
    >>> t["churners"].tolist(), [round(float(x), 4) for x in t["cumulative_gain"]]
    ([2, 1, 0, 0], [0.6667, 1.0, 1.0, 1.0])
    """
    return _voc.lift(_vector(y, "y"), _vector(scores, "scores"), groups)


def confusion(y: Any, scores: Any, threshold: float) -> dict[str, int]:
    """Confusion matrix at ``threshold`` (score ≥ threshold flags a churner).

    >>> import voc
    >>> voc.risk.confusion([1, 1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], 0.55)
    {'true_positives': 3, 'false_positives': 1, 'true_negatives': 4, 'false_negatives': 0}
    """
    c = _voc.confusion(_vector(y, "y"), _vector(scores, "scores"), threshold)
    return {k: c[k] for k in ("true_positives", "false_positives", "true_negatives", "false_negatives")}


def threshold_for_precision(y: Any, scores: Any, target: float) -> tuple[float, float, float] | None:
    """Lowest threshold whose precision reaches ``target``: (threshold, precision, recall), or None.

    >>> import voc
    >>> voc.risk.threshold_for_precision([1, 1, 0, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], 1.0)  # the top two are both churners
    (0.8, 1.0, 0.6666666666666666)
    """
    return _voc.threshold_for_precision(_vector(y, "y"), _vector(scores, "scores"), target)


def threshold_top_k(scores: Any, k: int) -> float:
    """Threshold that flags the ``k`` highest scores (the team's capacity).

    >>> import voc
    >>> voc.risk.threshold_top_k([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], 3)
    0.7
    """
    return _voc.threshold_top_k(_vector(scores, "scores"), k)


def cross_validate(X: Any, y: Any, *, k: int = 5, seed: int = 0, **options: Any) -> Table:
    """Stratified, seeded k-fold cross-validation; one row per fold with its AUC, plus ``meta`` holding the
    pooled out-of-fold AUC and the out-of-fold probabilities. Options are those of :func:`fit`.

    >>> import numpy as np, voc
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200); y = (rng.random(200) < 1 / (1 + np.exp(-2 * x))).astype(float)
    >>> cv = voc.risk.cross_validate({"x": x}, y, k=4)
    >>> cv["n"].tolist(), 0.7 < cv.meta["pooled_roc_auc"] < 1
    ([50, 50, 50, 50], True)
    """
    names, x = _design(X)
    options.pop("confidence", None)
    w = options.pop("sample_weight", None)
    fold, prob, aucs, pooled = _voc.cross_validate(
        x, names, _vector(y, "y"), k=k, seed=seed,
        sample_weight=None if w is None else _vector(w, "sample_weight"), **options,
    )
    sizes = np.bincount(np.asarray(fold), minlength=k)
    return Table(
        "cross-validation",
        {"fold": np.arange(k), "n": sizes, "roc_auc": np.asarray(aucs)},
        {"pooled_roc_auc": pooled, "out_of_fold_probability": np.asarray(prob), "fold": np.asarray(fold),
         "k": k, "seed": seed},
    )


def alerts(
    model: RiskModel,
    X: Any,
    *,
    value: Any,
    save_rate: float = 0.3,
    contact_cost: float = 5.0,
    capacity: int | None = None,
    min_probability: float | None = None,
    reasons: int = 3,
) -> Table:
    """Who to call: customers whose expected value of a contact (``value × p × save_rate −
    contact_cost``) is positive, ranked by it and cut at ``capacity``, each with the signals that raise
    their risk most, in words (e.g. "waited 24 days for a refund").

    ``value`` is a column of ``X`` (by name, e.g. ``"monetary"``) or an array of customer values.

    >>> import voc
    >>> X = {"customer_id": [11, 12, 13, 14], "refund_delay_days": [20.0, 1.0, 15.0, 0.0],
    ...      "monetary": [500.0, 900.0, 80.0, 300.0]}
    >>> m = voc.risk.fit({k: X[k] for k in ("refund_delay_days",)}, [1, 0, 1, 0], C=0.5)
    >>> a = voc.risk.alerts(m, X, value="monetary", contact_cost=5.0, capacity=2)
    >>> a["customer_id"].tolist()  # ranked by value x p x 30% - 5: the big spenders first
    [11, 12]
    """
    data_ids = None
    if not isinstance(X, np.ndarray):
        d = _as_dict(X)
        if _ID in d:
            data_ids = np.asarray(d[_ID])
        if isinstance(value, str):
            value = d[value]
    elif isinstance(value, str):
        raise InvalidOptionError("value names a column, but X is an array; pass the values", "value")
    out = model._alerts(X, _vector(value, "value"), save_rate=save_rate, contact_cost=contact_cost,
                        capacity=capacity, min_probability=min_probability, reasons=reasons)
    rows = np.asarray(out.pop("row"), dtype=np.int64)
    columns: dict[str, Any] = {}
    columns[_ID] = data_ids[rows] if data_ids is not None else rows
    for key, col in out.items():
        columns[key] = np.asarray(col) if not key.startswith("reason") else list(col)
    meta = {"save_rate": save_rate, "contact_cost": contact_cost, "capacity": capacity}
    return Table("churn alerts", columns, meta)
