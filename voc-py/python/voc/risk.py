"""Churn risk: a logistic-regression model, its evaluation, thresholds and an alert list with reasons.

Train on the signals at a past cutoff with the labels of the horizon after it, check it on a later cutoff,
then score customers today and say who to call and why::

    >>> import voc
    >>> data = voc.sample.retailer(seed=7, customers=5_000)
    >>> log = voc.signals.EventLog(**data.tables())
    >>> X = log.features("2024-10-01"); y = log.labels("2024-10-01", horizon_days=180)
    >>> model = voc.risk.fit_logistic(X, y=y, missing="impute_mean")
    >>> model.converged
    True
    >>> later = log.features("2025-01-01")
    >>> auc = voc.risk.roc_auc(y=log.labels("2025-01-01", horizon_days=180), scores=model.predict_proba(later))
    >>> 0.5 < auc < 1
    True

The model is scikit-learn's `LogisticRegression` objective (``C · Σ loss + penalty``, intercept not
penalised) fitted by Newton's method with a line search (proximal Newton for L1 / elastic net); features
are standardised first by default and the scaling is stored with the model. Without a penalty it reports
standard errors, z, p-values and intervals as statsmodels ``Logit`` does. :class:`ChurnClassifier` is the
same model as a scikit-learn estimator. See ``docs/risk.md``.

Every function that reads labels and scores takes them as keyword roles, each a column of the optional
``data`` table (by name) or a column itself: ``roc_auc(y=labels, scores=p)`` or
``roc_auc(df, y="churned", scores="p")``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, Literal

import numpy as np

from voc import _voc
from voc._voc import (
    ConfusionResult,
    CrossValidationResult,
    EvaluationResult,
    LogisticModel,
    PrecisionThresholdResult,
    Table,
)
from voc import uplift as _uplift
from voc._voc import UpliftModel
from voc.errors import InvalidOptionError

__all__ = [
    "LogisticModel",
    "EvaluationResult",
    "ConfusionResult",
    "PrecisionThresholdResult",
    "CrossValidationResult",
    "ChurnClassifier",
    "fit_logistic",
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

#: Values of ``missing=`` for the churn model.
MissingPolicy = Literal["error", "skip", "impute_mean"]
#: Values of ``penalty=``.
Penalty = Literal["l2", "l1", "elasticnet", "none"]


def fit_logistic(
    data: Any = None,
    /,
    *,
    x: Any = None,
    y: Any,
    weights: Any = None,
    missing: MissingPolicy = "error",
    penalty: Penalty = "l2",
    C: float = 1.0,
    l1_ratio: float | None = None,
    class_weight: str | dict[int, float] | None = None,
    standardize: bool = True,
    max_iter: int = 100,
    tol: float = 1e-10,
    confidence: float = 0.95,
) -> LogisticModel:
    """Fits the churn model (logistic regression) and returns a :class:`LogisticModel`.

    ``x``: the features, a list of column names of ``data``, or a matrix itself (a 2-D array of
    numbers, a ``voc.Table`` such as ``EventLog.features``, a pandas / polars DataFrame, a pyarrow table
    or a dict of columns). Without ``x``, every column of ``data`` is a feature except ``customer_id``
    and the columns named by ``y`` and ``weights``. ``y``: 0/1 or bool labels, a column name of ``data``
    or a column (the ``EventLog.labels`` table works too). ``weights``: case weights ≥ 0.

    ``missing``: ``"error"`` (the default: a missing feature, label or weight raises
    ``MissingValueError`` naming its row and column), ``"skip"`` (rows with one are left out and
    counted in ``model.n_missing``) or ``"impute_mean"`` (a missing feature is replaced by the training
    mean, stored with the model and used at prediction too; labels and weights must be present).

    ``penalty``: ``"l2"`` (default), ``"l1"``, ``"elasticnet"`` (with ``l1_ratio``) or ``"none"``
    (maximum likelihood, with standard errors and p-values in ``summary()``). ``C``: inverse penalty
    strength, as scikit-learn. ``class_weight``: None, ``"balanced"`` or ``{0: w0, 1: w1}``.
    ``confidence``: level of the coefficient intervals.

    >>> import voc
    >>> df = {"refund_delay_days": [1.0, 14.0, 3.0, 20.0, 2.0, 9.0, 0.0, 12.0],
    ...       "churned": [0, 1, 0, 1, 0, 0, 0, 1]}
    >>> m = voc.risk.fit_logistic(df, y="churned")
    >>> m.names, m.converged, bool(m.predict_proba(df)[3] > m.predict_proba(df)[0])
    (['refund_delay_days'], True, True)
    """
    return _voc.fit_logistic(
        data, x=x, y=y, weights=weights, missing=missing, penalty=penalty, C=C, l1_ratio=l1_ratio, class_weight=class_weight, standardize=standardize,
        max_iter=max_iter, tol=tol, confidence=confidence,
    )


def roc_auc(data: Any = None, /, *, y: Any, scores: Any) -> float:
    """ROC AUC with ties counted half (equal to ``sklearn.metrics.roc_auc_score``).

    >>> import voc
    >>> voc.risk.roc_auc(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])  # 14 of the 15 churner / stayer pairs ranked right
    0.9333333333333333
    """
    return _voc._risk_roc_auc(data, y, scores)


def evaluate(data: Any = None, /, *, y: Any, scores: Any, threshold: float = 0.5) -> EvaluationResult:
    """ROC AUC, average precision, Brier score, and the confusion matrix at ``threshold`` with its
    precision, recall, F1 and accuracy, as an :class:`EvaluationResult`. A rate that is 0/0 is None,
    never NaN, and ``undefined_reason`` says why: ``precision`` when no score reaches ``threshold``,
    ``recall`` (and ``f1`` if nothing is flagged either) without churners. ``f1`` is
    2·tp / (2·tp + fp + fn), 0 when no flagged row is a churner (as scikit-learn's ``f1_score``).

    >>> import voc
    >>> e = voc.risk.evaluate(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], threshold=0.55)
    >>> e.true_positives, e.false_positives, e.precision, e.recall
    (3, 1, 0.75, 1.0)
    >>> e = voc.risk.evaluate(y=[1, 0, 0, 1], scores=[0.4, 0.3, 0.2, 0.1], threshold=0.5)
    >>> e.precision, e.recall, e.f1, e.undefined_reason
    (None, 0.0, 0.0, 'no row is flagged (score >= threshold): precision is 0/0')
    """
    return _voc._risk_evaluate(data, y, scores, threshold)


def calibration(data: Any = None, /, *, y: Any, scores: Any, bins: int = 10) -> Table:
    """Calibration table: mean predicted vs observed churn (Wilson 95% CI) per probability bin
    (``scores`` are probabilities).

    >>> import voc
    >>> t = voc.risk.calibration(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], bins=2)
    >>> t["n"].tolist(), t["observed"].tolist()  # 0 of 4 churned below 0.5, 3 of 4 above
    ([4, 4], [0.0, 0.75])
    """
    return _voc._risk_calibration(data, y, scores, bins)


def lift(data: Any = None, /, *, y: Any, scores: Any, bins: int = 10) -> Table:
    """Lift and cumulative gains by score group (``bins=10``: deciles; group 1 holds the highest scores).

    >>> import voc
    >>> t = voc.risk.lift(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], bins=4)  # 3 churners in 8: the top quarter holds 2
    >>> t["churners"].tolist(), [round(float(x), 4) for x in t["cumulative_gain"]]
    ([2, 1, 0, 0], [0.6667, 1.0, 1.0, 1.0])
    """
    return _voc._risk_lift(data, y, scores, bins)


def confusion(data: Any = None, /, *, y: Any, scores: Any, threshold: float) -> ConfusionResult:
    """Confusion matrix at ``threshold`` (score ≥ threshold flags a churner) with its rates (a rate
    that is 0/0 is None and ``undefined_reason`` says why, as in :func:`evaluate`).

    >>> import voc
    >>> c = voc.risk.confusion(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], threshold=0.55)
    >>> c.true_positives, c.false_positives, c.true_negatives, c.false_negatives
    (3, 1, 4, 0)
    """
    return _voc._risk_confusion(data, y, scores, threshold)


def threshold_for_precision(data: Any = None, /, *, y: Any, scores: Any, target: float) -> PrecisionThresholdResult:
    """Lowest threshold whose precision reaches ``target``, with its precision and recall. ``found`` says
    whether any threshold reaches it (``threshold``, ``precision`` and ``recall`` are None if not). ``y``
    without a churner is an ``InsufficientDataError`` (every precision is 0 and the recall 0/0).

    >>> import voc
    >>> t = voc.risk.threshold_for_precision(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], target=1.0)
    >>> t.found, t.threshold, t.precision  # the top two are both churners
    (True, 0.8, 1.0)
    """
    return _voc._risk_threshold_for_precision(data, y, scores, target)


def threshold_top_k(data: Any = None, /, *, scores: Any = None, k: int) -> float:
    """Threshold that flags the ``k`` highest scores (the team's capacity). ``scores`` may be passed
    positionally: ``threshold_top_k(p, k=3)``.

    >>> import voc
    >>> voc.risk.threshold_top_k([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], k=3)
    0.7
    """
    return _voc._risk_threshold_top_k(data, scores, k)


def cross_validate(
    data: Any = None,
    /,
    *,
    x: Any = None,
    y: Any,
    weights: Any = None,
    k: int = 5,
    seed: int = 0,
    missing: MissingPolicy = "error",
    penalty: Penalty = "l2",
    C: float = 1.0,
    l1_ratio: float | None = None,
    class_weight: str | dict[int, float] | None = None,
    standardize: bool = True,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> CrossValidationResult:
    """Stratified, seeded k-fold cross-validation of :func:`fit_logistic` (same roles and options): a
    :class:`CrossValidationResult` with one row per fold in ``.table``, the pooled out-of-fold AUC and
    every row's out-of-fold probability and fold.

    >>> import numpy as np, voc
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200); y = (rng.random(200) < 1 / (1 + np.exp(-2 * x))).astype(float)
    >>> cv = voc.risk.cross_validate({"x": x}, y=y, k=4)
    >>> cv.table["n"].tolist(), 0.7 < cv.pooled_roc_auc < 1
    ([50, 50, 50, 50], True)
    """
    return _voc.cross_validate(
        data, x=x, y=y, weights=weights, k=k, seed=seed, missing=missing, penalty=penalty, C=C, l1_ratio=l1_ratio, class_weight=class_weight,
        standardize=standardize, max_iter=max_iter, tol=tol,
    )


def alerts(
    data: Any,
    /,
    *,
    model: LogisticModel | UpliftModel | None = None,
    value: Any,
    uplift: Any = None,
    save_rate: float | None = None,
    contact_cost: float = 5.0,
    capacity: int | float | None = None,
    min_probability: float | None = None,
    reasons: int = 3,
) -> Table:
    """Who to call: customers whose expected value of a contact (``value × p × save_rate −
    contact_cost``) is positive, ranked by it and cut at ``capacity``, each with the signals that raise
    their risk most, in words (e.g. "waited 24 days for a refund").

    ``data``: the customers' features (a table holding the model's feature columns, matched by name, or a
    2-D array with them in order); its ``customer_id`` column, if any, identifies the rows (else row
    numbers). ``value``: a column of ``data`` by name (e.g. ``"monetary"``) or an array of customer values.
    ``save_rate``: share of contacted would-be churners who stay (None: the core's default, 0.3).

    **By uplift.** With ``model`` an :class:`voc.uplift.UpliftModel`, or a given ``uplift`` column (and
    no model), customers are ranked by the expected value of the play, ``value × uplift − contact_cost``
    (the call's own effect replaces ``p × save_rate``), with the break-even rule (net > 0) and
    ``capacity`` as the budget (a count, or a share of the customers as a float; a count above their
    number is a ``LimitError``): the Table of ``voc.uplift.target(...).table``, whose reasons are the
    signals behind each customer's uplift. ``save_rate`` and ``min_probability`` belong to risk ranking
    and are errors there; :func:`voc.uplift.target` adds the list's expected saves and net value with an
    interval.

    >>> import voc
    >>> X = {"customer_id": [11, 12, 13, 14], "refund_delay_days": [20.0, 1.0, 15.0, 0.0],
    ...      "monetary": [500.0, 900.0, 80.0, 300.0]}
    >>> m = voc.risk.fit_logistic(X, x=["refund_delay_days"], y=[1, 0, 1, 0], C=0.5)
    >>> a = voc.risk.alerts(X, model=m, value="monetary", contact_cost=5.0, capacity=2)
    >>> a["customer_id"].tolist()  # ranked by value x p x 30% - 5: the big spenders first
    [11, 12]
    >>> X["uplift"] = [0.02, 0.0, 0.2, 0.05]
    >>> voc.risk.alerts(X, uplift="uplift", value="monetary")["customer_id"].tolist()  # value x uplift - 5
    [13, 14, 11]
    """
    if isinstance(model, UpliftModel) or (uplift is not None and model is None):
        for arg, given in (("save_rate", save_rate), ("min_probability", min_probability)):
            if given is not None:
                raise InvalidOptionError(
                    f"{arg} = {given!r} applies to risk ranking; ranking by uplift uses the call's own effect",
                    arg, value=given,
                )
        result: Table = _uplift.target(
            data, model=model, uplift=uplift, value=value, contact_cost=contact_cost, budget=capacity, reasons=reasons
        ).table
        return result
    if uplift is not None:
        raise InvalidOptionError(
            "uplift= with a churn model: rank by risk (model=) or by uplift (uplift= or an UpliftModel), not both",
            "uplift", value="a column",
        )
    if not isinstance(model, LogisticModel):
        raise InvalidOptionError(
            f"model = {model!r}: expected a LogisticModel (risk ranking) or an UpliftModel", "model", value=model
        )
    count: Any = capacity  # risk ranking takes a count: the binding rejects a share, naming capacity
    return model._alerts(data, value, save_rate=save_rate, contact_cost=contact_cost, capacity=count,
                         min_probability=min_probability, reasons=reasons)


_PARAMS = ("penalty", "C", "l1_ratio", "class_weight", "standardize", "missing", "max_iter", "tol", "confidence")


def _not_fitted() -> Exception:
    """The error of a call before ``fit``: an ``InvalidOptionError`` that is also scikit-learn's
    ``NotFittedError`` when scikit-learn is loaded (voc never imports it)."""
    message = "this ChurnClassifier is not fitted yet; call fit first"
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return InvalidOptionError(message, "self")
    cls: type[InvalidOptionError] = type("NotFittedError", (InvalidOptionError, sk.NotFittedError), {"__module__": __name__})
    return cls(message, "self")


class ChurnClassifier:
    """The churn model as a scikit-learn estimator (voc does not import scikit-learn): ``fit(X, y,
    sample_weight=None)``, ``predict_proba``, ``predict``, ``decision_function``, ``score`` (accuracy),
    ``get_params`` / ``set_params``; it works in ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``.
    The parameters are those of :func:`fit_logistic`. After ``fit``: ``model_`` (the
    :class:`LogisticModel`), ``classes_``, ``coef_``, ``intercept_``, ``n_iter_``, ``n_features_in_``,
    and ``feature_names_in_`` when fitted on a table.

    ``y`` may hold any two labels (``classes_`` sorted; the second is the churn class).

    >>> import numpy as np, voc
    >>> X = np.array([[1.0], [14.0], [3.0], [20.0], [2.0], [9.0], [0.0], [12.0]])
    >>> clf = voc.risk.ChurnClassifier(C=10.0).fit(X, np.array(["stay", "churn", "stay", "churn", "stay", "stay", "stay", "churn"]))
    >>> clf.classes_.tolist(), clf.predict(X[:2]).tolist()
    (['churn', 'stay'], ['stay', 'churn'])
    >>> clf.get_params()["C"]
    10.0
    """

    _estimator_type = "classifier"

    def __init__(
        self,
        *,
        penalty: Penalty = "l2",
        C: float = 1.0,
        l1_ratio: float | None = None,
        class_weight: str | dict[int, float] | None = None,
        standardize: bool = True,
        missing: MissingPolicy = "error",
        max_iter: int = 100,
        tol: float = 1e-10,
        confidence: float = 0.95,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.class_weight = class_weight
        self.standardize = standardize
        self.missing = missing
        self.max_iter = max_iter
        self.tol = tol
        self.confidence = confidence

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters, as scikit-learn's ``get_params``."""
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> ChurnClassifier:
        """Sets parameters, as scikit-learn's ``set_params``; an unknown name is an ``InvalidOptionError``."""
        for name, value in params.items():
            if name not in _PARAMS:
                raise InvalidOptionError(
                    f"invalid parameter {name!r} for ChurnClassifier (parameters: {list(_PARAMS)})", name
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != _DEFAULTS[k]}
        return "ChurnClassifier(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def __sklearn_tags__(self) -> Any:
        # Asked only by scikit-learn, which is then loaded: its tag classes are read, never imported.
        sk = sys.modules["sklearn.utils"]
        return sk.Tags(
            estimator_type="classifier",
            target_tags=sk.TargetTags(required=True),
            classifier_tags=sk.ClassifierTags(multi_class=False),
            input_tags=sk.InputTags(allow_nan=self.missing != "error"),
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ChurnClassifier:
        """Fits the model on features ``X`` (a 2-D array or a table, every column a feature) and labels
        ``y`` (two classes)."""
        labels, classes, target, column = _voc._risk_estimator_labels(y, sample_weight)
        if column:
            # scikit-learn's own warning class when it is loaded (voc never imports it).
            sk = sys.modules.get("sklearn.exceptions")
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected: y is read as its one column",
                sk.DataConversionWarning if sk is not None else UserWarning,
                stacklevel=2,
            )
        X, names = _voc._risk_estimator_input(X)
        model = fit_logistic(
            X if names is not None else None,
            x=names if names is not None else X,
            y=target,
            weights=sample_weight,
            **self.get_params(),
        )
        self.model_ = model
        self.classes_ = classes
        self.coef_ = np.array([model.coef], dtype=np.float64)
        self.intercept_ = np.array([model.intercept], dtype=np.float64)
        self.n_features_in_ = len(model.names)
        self.n_iter_ = np.array([model.iterations], dtype=np.int32)
        if names is not None:
            self.feature_names_in_ = np.array(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def _fitted(self) -> LogisticModel:
        model: LogisticModel | None = getattr(self, "model_", None)
        if model is None:
            raise _not_fitted()
        return model

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the churn class (``classes_[1]``) for each row."""
        model = self._fitted()
        return model.decision_function(_voc._risk_estimator_input(X, self.n_features_in_)[0])

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]`` (rows × 2)."""
        model = self._fitted()
        p = model.predict_proba(_voc._risk_estimator_input(X, self.n_features_in_)[0])
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The more likely class of each row."""
        eta = self.decision_function(X)
        return self.classes_[(eta > 0).astype(np.intp) if len(self.classes_) > 1 else np.zeros(len(eta), np.intp)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy (weighted by ``sample_weight``), as scikit-learn classifiers score."""
        right = (self.predict(X) == _voc._risk_estimator_labels(y)[0]).astype(np.float64)
        return float(np.average(right, weights=sample_weight))


_DEFAULTS = {name: ChurnClassifier().__dict__[name] for name in _PARAMS}
