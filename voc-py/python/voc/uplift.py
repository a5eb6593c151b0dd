"""Uplift: who is moved by a retention play, learned from a randomised test with a held-out control
group, and how well a ranking finds them.

A churn score says who is likely to leave, not whom a call would keep. The **uplift** of a customer is
the effect of the play on them, ``P(outcome | contacted) − P(outcome | held out)``, with ``outcome`` the
response the play aims for (1 = stayed). It is learned from a past randomised outreach (``treatment``:
1 = contacted, 0 = held out)::

    >>> import numpy as np, voc
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(4000, 2)); t = rng.integers(0, 2, 4000)
    >>> p = 1 / (1 + np.exp(-(-0.3 + 0.8 * x[:, 1] + t * 1.2 * x[:, 0])))
    >>> y = (rng.random(4000) < p).astype(int)
    >>> model = voc.uplift.fit_t_learner(x=x, outcome=y, treatment=t)
    >>> u = model.predict_uplift(x)
    >>> round(voc.uplift.qini_auc(outcome=y, treatment=t, uplift=u).estimate, 2) > 0.1
    True

Who to call: :func:`target` ranks customers by the expected value of the play, ``value × uplift −
contact_cost``, with a budget or the break-even rule, the signals behind each customer's uplift, and the
list's expected saves and net value with a bootstrap-refit interval (``voc.risk.alerts`` with an
``UpliftModel`` gives the same list).

The evaluation functions equal scikit-uplift 0.5.1's ``sklift.metrics`` on the same inputs (ties
included). Every function reads its roles as keyword arguments, each a column name of the optional
``data`` table or a column itself. See ``docs/uplift.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from voc import _voc
import numpy as np
import numpy.typing as npt

from voc._voc import BalanceResult, Table, TargetResult, UpliftAtKResult, UpliftModel, UpliftScore

__all__ = [
    "UpliftModel",
    "UpliftScore",
    "UpliftAtKResult",
    "BalanceResult",
    "TargetResult",
    "fit_t_learner",
    "fit_class_transformation",
    "fit_x_learner",
    "qini_curve",
    "uplift_curve",
    "perfect_qini_curve",
    "perfect_uplift_curve",
    "qini_auc",
    "uplift_auc",
    "uplift_at_k",
    "uplift_by_percentile",
    "balance",
    "target",
    "net_value",
]

#: Values of ``strategy=``.
Strategy = Literal["overall", "by_group"]
#: Values of ``penalty=`` (as ``voc.risk.fit_logistic``).
Penalty = Literal["l2", "l1", "elasticnet", "none"]
#: Values of ``missing=`` (as ``voc.risk.fit_logistic``).
MissingPolicy = Literal["error", "skip", "impute_mean"]


def _fit(
    method: str, data: Any, x: Any, outcome: Any, treatment: Any, missing: str, propensity: float | None,
    penalty: str, C: float, l1_ratio: float | None, standardize: bool, max_iter: int, tol: float,
) -> UpliftModel:
    return _voc._uplift_fit(
        method, data, x, outcome, treatment, missing=missing, propensity=propensity, penalty=penalty, C=C,
        l1_ratio=l1_ratio, standardize=standardize, max_iter=max_iter, tol=tol,
    )


def fit_t_learner(
    data: Any = None,
    /,
    *,
    x: Any = None,
    outcome: Any,
    treatment: Any,
    missing: MissingPolicy = "error",
    penalty: Penalty = "l2",
    C: float = 1.0,
    l1_ratio: float | None = None,
    standardize: bool = True,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> UpliftModel:
    """Fits the T-learner: one logistic response model per arm (``voc.risk.fit_logistic``'s model and
    options); the uplift is the difference of their probabilities.

    ``x``: the features, a list of column names of ``data`` or a matrix itself (without ``x``, every
    column of ``data`` but ``customer_id``, ``outcome`` and ``treatment``). ``outcome``: 0/1 or bool,
    1 = the response the play aims for (e.g. stayed). ``treatment``: 0/1 or bool, 1 = contacted. Both
    arms must be present and hold both outcomes.

    ``missing`` (as ``voc.risk.fit_logistic``): ``"error"`` (the default: a missing feature, outcome or
    treatment raises ``MissingValueError`` naming its row and column), ``"skip"`` (rows with one are
    left out and counted in ``model.n_missing``) or ``"impute_mean"`` (a missing feature is replaced by
    its mean over all training rows, ``model.reference``, at fit and at prediction, so that both arms'
    models fill it alike; outcome and treatment must be present). ``±inf`` is never missing.

    >>> import voc
    >>> df = {"refund_delay_days": [1, 14, 3, 20, 2, 9, 0, 12, 5, 16, 7, 11],
    ...       "stayed": [1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0],
    ...       "called": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]}
    >>> m = voc.uplift.fit_t_learner(df, outcome="stayed", treatment="called")
    >>> m.method, m.names, m.n_treated, m.n_control
    ('t_learner', ['refund_delay_days'], 6, 6)
    >>> bool(m.predict_uplift(df)[3] > m.predict_uplift(df)[6])  # long refund waits gain most from a call
    True
    """
    return _fit(
        "t_learner", data, x, outcome, treatment, missing, None, penalty, C, l1_ratio, standardize, max_iter, tol
    )


def fit_class_transformation(
    data: Any = None,
    /,
    *,
    x: Any = None,
    outcome: Any,
    treatment: Any,
    missing: MissingPolicy = "error",
    penalty: Penalty = "l2",
    C: float = 1.0,
    l1_ratio: float | None = None,
    standardize: bool = True,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> UpliftModel:
    """Fits the class transformation (Jaskowski & Jaroszewicz 2012): one logistic model of
    ``z = outcome·treatment + (1 − outcome)(1 − treatment)``; the uplift is ``2·P(z = 1) − 1``. The arms
    are weighted to equal totals (no weights when they are equal, as scikit-uplift's
    ``ClassTransformation``). Arguments as :func:`fit_t_learner`; the model predicts no arm
    probabilities.

    >>> import voc
    >>> df = {"refund_delay_days": [1, 14, 3, 20, 2, 9, 0, 12, 5, 16, 7, 11],
    ...       "stayed": [1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0],
    ...       "called": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]}
    >>> m = voc.uplift.fit_class_transformation(df, outcome="stayed", treatment="called")
    >>> m.method, bool(m.predict_uplift(df)[3] > m.predict_uplift(df)[6])
    ('class_transformation', True)
    """
    return _fit(
        "class_transformation", data, x, outcome, treatment, missing, None, penalty, C, l1_ratio, standardize,
        max_iter, tol,
    )


def fit_x_learner(
    data: Any = None,
    /,
    *,
    x: Any = None,
    outcome: Any,
    treatment: Any,
    missing: MissingPolicy = "error",
    propensity: float | None = None,
    penalty: Penalty = "l2",
    C: float = 1.0,
    l1_ratio: float | None = None,
    standardize: bool = True,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> UpliftModel:
    """Fits the X-learner (Künzel et al. 2019): the T-learner's response models impute each row's effect,
    a linear model per arm learns the imputed effects, and the two are mixed by the propensity
    ``P(contacted)``: ``τ(x) = g·τ₀(x) + (1 − g)·τ₁(x)``. ``propensity``: constant, as in a randomised
    test; None (the default) takes the share of treated rows. Other arguments as :func:`fit_t_learner`.

    >>> import voc
    >>> df = {"refund_delay_days": [1, 14, 3, 20, 2, 9, 0, 12, 5, 16, 7, 11],
    ...       "stayed": [1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0],
    ...       "called": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]}
    >>> m = voc.uplift.fit_x_learner(df, outcome="stayed", treatment="called")
    >>> m.method, m.propensity
    ('x_learner', 0.5)
    """
    return _fit(
        "x_learner", data, x, outcome, treatment, missing, propensity, penalty, C, l1_ratio, standardize, max_iter,
        tol,
    )


def qini_curve(data: Any = None, /, *, outcome: Any, treatment: Any, uplift: Any) -> Table:
    """The Qini curve of the ranking by ``uplift`` (``sklift.metrics.qini_curve``): a Table with
    ``targeted`` (rows ranked first; 0, then one point per distinct score) and ``value`` (extra
    responders among their treated, ``Y_t − Y_c·N_t/N_c``).

    >>> import voc
    >>> c = voc.uplift.qini_curve(outcome=[1, 0, 1, 0], treatment=[1, 0, 0, 1], uplift=[0.9, 0.5, 0.4, 0.1])
    >>> c["targeted"].tolist(), c["value"].tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 1.0, 0.5, 0.0])
    """
    return _voc._uplift_curve("qini", data, outcome, treatment, uplift)


def uplift_curve(data: Any = None, /, *, outcome: Any, treatment: Any, uplift: Any) -> Table:
    """The uplift curve of the ranking by ``uplift`` (``sklift.metrics.uplift_curve``): ``value`` is the
    difference in response rates among the rows ranked first × their number.

    >>> import voc
    >>> c = voc.uplift.uplift_curve(outcome=[1, 0, 1, 0], treatment=[1, 0, 0, 1], uplift=[0.9, 0.5, 0.4, 0.1])
    >>> c["value"].tolist()
    [0.0, 1.0, 2.0, 1.5, 0.0]
    """
    return _voc._uplift_curve("uplift", data, outcome, treatment, uplift)


def perfect_qini_curve(data: Any = None, /, *, outcome: Any, treatment: Any, negative_effect: bool = True) -> Table:
    """The perfect Qini curve (``sklift.metrics.perfect_qini_curve``): treated responders first and
    control responders last; without ``negative_effect``, the points (0, 0), (r, r), (n, r).

    >>> import voc
    >>> voc.uplift.perfect_qini_curve(outcome=[1, 0, 1, 0], treatment=[1, 0, 0, 1])["value"].tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    return _voc._uplift_curve("perfect_qini", data, outcome, treatment, None, negative_effect)


def perfect_uplift_curve(data: Any = None, /, *, outcome: Any, treatment: Any) -> Table:
    """The perfect uplift curve (``sklift.metrics.perfect_uplift_curve``).

    >>> import voc
    >>> voc.uplift.perfect_uplift_curve(outcome=[1, 0, 1, 0], treatment=[1, 0, 0, 1])["value"].tolist()
    [0.0, 1.0, 2.0, 1.5, 0.0]
    """
    return _voc._uplift_curve("perfect_uplift", data, outcome, treatment, None)


def qini_auc(
    data: Any = None,
    /,
    *,
    outcome: Any,
    treatment: Any,
    uplift: Any,
    negative_effect: bool = True,
    resamples: int | None = None,
    confidence: float = 0.95,
    seed: int = 0,
) -> UpliftScore:
    """The Qini coefficient (``sklift.metrics.qini_auc_score``): ``estimate`` is the area between the
    Qini curve and the random line over that of the perfect curve (0: random, 1: perfect), with the
    areas. ``negative_effect``: the perfect curve ranks control responders last (True) or ignores
    negative effects. With ``resamples`` (100 to 100,000), a seeded stratified bootstrap interval
    (``ci_low``, ``ci_high``, ``se``; the arms keep their sizes in every resample).

    >>> import voc
    >>> q = voc.uplift.qini_auc(outcome=[1, 0, 1, 0], treatment=[1, 0, 0, 1], uplift=[0.9, 0.5, 0.4, 0.1])
    >>> q.estimate, q.area, q.perfect_area, q.ci_low
    (0.8333333333333334, 2.5, 3.0, None)
    """
    return _voc._uplift_score(
        "qini", data, outcome, treatment, uplift, negative_effect=negative_effect, resamples=resamples, confidence=confidence, seed=seed
    )


def uplift_auc(data: Any = None, /, *, outcome: Any, treatment: Any, uplift: Any) -> UpliftScore:
    """AUUC, the normalised area under the uplift curve (``sklift.metrics.uplift_auc_score``).

    >>> import voc
    >>> voc.uplift.uplift_auc(outcome=[1, 0, 1, 0], treatment=[1, 0, 0, 1], uplift=[0.9, 0.5, 0.4, 0.1]).estimate
    1.0
    """
    return _voc._uplift_score("uplift", data, outcome, treatment, uplift)


def uplift_at_k(
    data: Any = None,
    /,
    *,
    outcome: Any,
    treatment: Any,
    uplift: Any,
    k: float = 0.3,
    strategy: Strategy = "overall",
) -> UpliftAtKResult:
    """Uplift among the ``k`` highest-ranked rows (``sklift.metrics.uplift_at_k``): ``k`` is a share of
    the rows (a float in (0, 1]) or a count (an int, 1 to n). ``strategy="overall"`` takes the top rows of
    all rows ranked together; ``"by_group"`` the top of each arm separately (k of each, or the share of
    each). A count above n (or above an arm with ``by_group``) is a ``LimitError``; top rows without a
    treated or a control row an ``InsufficientDataError``.

    >>> import voc
    >>> r = voc.uplift.uplift_at_k(outcome=[1, 0, 1, 0, 1, 0, 1, 1], treatment=[1, 0, 0, 1, 1, 0, 0, 1],
    ...                            uplift=[0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7], k=1.0)
    >>> r.estimate, r.n_treated, r.n_control
    (0.25, 4, 4)
    """
    return _voc._uplift_at_k(data, outcome, treatment, uplift, k=k, strategy=strategy)


def uplift_by_percentile(
    data: Any = None,
    /,
    *,
    outcome: Any,
    treatment: Any,
    uplift: Any,
    bins: int = 10,
    strategy: Strategy = "overall",
    interval: Literal["wilson", "wald"] = "wilson",
    confidence: float = 0.95,
) -> Table:
    """Response rates per arm and the uplift in ``bins`` bins of the ranking (deciles by default; the
    first bins one row larger, as ``numpy.array_split``), and a last row ``total``
    (``sklift.metrics.uplift_by_percentile(std=True, total=True)``): ``percentile``, ``n_treated``,
    ``n_control``, ``responders_*``, ``rate_treated``, ``rate_control``, ``uplift``, ``se_*``, and
    intervals: ``ci_low`` / ``ci_high`` for the uplift (Newcombe's hybrid score with ``interval="wilson"``,
    uplift ± z·se with ``"wald"``) and ``rate_*_ci_low`` / ``_high`` per arm. A rate is NaN exactly
    when its arm has no row in the bin (its count is 0).

    >>> import voc
    >>> t = voc.uplift.uplift_by_percentile(outcome=[1, 0, 1, 0, 1, 0, 1, 1], treatment=[1, 0, 0, 1, 1, 0, 0, 1],
    ...                                     uplift=[0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7], bins=2, strategy="by_group")
    >>> t["percentile"], t["uplift"].tolist()
    (['0-50', '50-100', 'total'], [0.5, 0.0, 0.25])
    """
    return _voc._uplift_by_percentile(
        data, outcome, treatment, uplift, bins=bins, strategy=strategy, interval=interval, confidence=confidence
    )


def balance(data: Any = None, /, *, treatment: Any, x: Any = None, threshold: float = 0.1) -> BalanceResult:
    """The balance check of a randomised test: each feature's standardised mean difference between the
    arms, ``(mean_t − mean_c) / √((sd_t² + sd_c²) / 2)`` (Austin 2009), flagged when |SMD| exceeds
    ``threshold``. ``x`` as in :func:`fit_t_learner` (without it, every column of ``data`` but
    ``customer_id`` and ``treatment``).

    >>> import voc
    >>> b = voc.uplift.balance({"tenure": [1, 2, 3, 2, 3, 4], "called": [1, 1, 1, 0, 0, 0]}, treatment="called")
    >>> b.table["smd"].tolist(), b.n_imbalanced
    ([-1.0], 1)
    """
    return _voc._uplift_balance(data, x, treatment, threshold=threshold)


def target(
    data: Any,
    /,
    *,
    model: UpliftModel | None = None,
    uplift: Any = None,
    value: Any,
    contact_cost: float = 5.0,
    budget: int | float | None = None,
    break_even: bool = True,
    reasons: int = 3,
    training: Any = None,
    outcome: Any = None,
    treatment: Any = None,
    resamples: int | None = None,
    confidence: float = 0.95,
    seed: int = 0,
) -> TargetResult:
    """Who to call: the customers of ``data`` ranked by the expected value of the play,
    ``value × uplift − contact_cost``, with the uplift from ``model`` (an :class:`UpliftModel`, scoring
    the model's feature columns of ``data``) or a given ``uplift`` column (a name in ``data`` or a column).

    ``budget``: at most this many customers, a count (an int, 1 to the number scored; more is a
    ``LimitError``) or a share of them (a float in (0, 1]); None: no limit. ``break_even``: only customers
    whose expected net value is positive (default True). ``value``: a column of ``data`` by name or an
    array. ``data``'s ``customer_id`` column, if any, identifies the rows (else row numbers).

    The ``table`` has one row per customer to call, best first: ``customer_id``, ``rank``, ``uplift``,
    ``p_treated`` / ``p_control`` (the probability of the outcome if called / not called; only when the
    model predicts the arms: T- and X-learner), ``value``, ``net_value``, and with a model ``reason_k`` /
    ``reason_k_feature``: the signals that raise the customer's uplift most, in words. The result holds
    ``expected_saves`` (the sum of the list's uplifts: customers kept by the calls, in expectation) and
    ``expected_net_value`` (the sum of the net values).

    **Interval** (``resamples``, 100 to 10,000, with ``training``: the table the model was fitted on,
    and its ``outcome`` and ``treatment`` columns): a seeded bootstrap that refits the model on resamples
    of its training data drawn within each arm and re-scores the list (held fixed), giving
    ``saves_ci_low`` / ``saves_ci_high`` and ``net_value_ci_low`` / ``net_value_ci_high``
    (``method="bootstrap_refit"``). It covers the model's estimation error; see ``docs/uplift.md``.

    >>> import voc
    >>> calls = {"customer_id": [101, 102, 103, 104], "uplift": [0.10, 0.30, -0.05, 0.02],
    ...          "clv": [100.0, 50.0, 500.0, 100.0]}
    >>> r = voc.uplift.target(calls, uplift="uplift", value="clv", contact_cost=5.0)
    >>> r.table["customer_id"].tolist(), r.table["net_value"].tolist()  # 103 would be annoyed by the call
    ([102, 101], [10.0, 5.0])
    >>> round(r.expected_saves, 2), r.expected_net_value
    (0.4, 15.0)
    """
    return _voc._uplift_target(
        data, model, uplift, value, contact_cost=contact_cost, break_even=break_even, reasons=reasons,
        training=training, outcome=outcome, treatment=treatment, resamples=resamples, confidence=confidence,
        seed=seed, budget=budget,
    )


def net_value(
    data: Any = None,
    /,
    *,
    model: UpliftModel | None = None,
    uplift: Any = None,
    value: Any,
    contact_cost: float = 5.0,
) -> npt.NDArray[np.float64]:
    """The expected net value of calling each customer, ``value × uplift − contact_cost``: the score
    :func:`target` ranks by, and one to pass to ``voc.risk.threshold_top_k(scores=...)``. The uplift
    comes from ``model`` (scoring the features of ``data``) or a given ``uplift`` column.

    >>> import voc
    >>> voc.uplift.net_value(uplift=[0.2, -0.05, 0.01], value=[100.0, 400.0, 100.0], contact_cost=5.0).tolist()
    [15.0, -25.0, -4.0]
    """
    return _voc._uplift_net_value(data, model, uplift, value, contact_cost=contact_cost)
