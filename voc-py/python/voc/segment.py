"""Customer segments: value × voice, RFM, k-means, lifecycle stages, and a profile per segment.

Every function reads plain columns by name from a table — the output of
:meth:`voc.signals.EventLog.features` (a :class:`voc.Table`), a pandas or polars DataFrame, a pyarrow
table or a dict of columns — and returns a :class:`voc.Table` (``to_pandas()`` / ``to_polars()``)::

    >>> import voc
    >>> data = voc.sample.retailer(seed=7, customers=2_000)
    >>> log = voc.signals.EventLog(data.customers, orders=data.orders, returns=data.returns,
    ...                            tickets=data.tickets, surveys=data.surveys,
    ...                            mentions=data.mentions, churn=data.churn)
    >>> X = log.features("2025-01-01")
    >>> y = log.labels("2025-01-01", horizon_days=180)
    >>> seg = voc.segment.value_voice(X)
    >>> prof = voc.segment.profile(X, by=seg, churn=y["churned"])
    >>> "high-value active complainer" in list(prof["segment"])
    True

The columns the defaults read, the rules, the tie rule of the RFM scores and the k-means algorithm are
described in ``docs/segment.md``.
"""

from __future__ import annotations

from typing import Any, Sequence

from voc import _voc
from voc import _args
from voc._voc import KMeansModel, LifecycleResult, RfmResult, Standardized, Table, ValueVoiceResult

__all__ = [
    "KMeansModel",
    "Standardized",
    "ValueVoiceResult",
    "RfmResult",
    "LifecycleResult",
    "DEFAULT_VOICE_RULES",
    "DEFAULT_PLAYS",
    "DEFAULT_RFM_RULES",
    "value_voice",
    "rfm",
    "lifecycle",
    "profile",
    "matrix",
    "fit_kmeans",
    "standardize",
    "silhouette_score",
]

#: Voice rules (voice, condition), first match wins; the fallback voice is "silent". The core's defaults
#: (``voc_core::segment::VoiceRule::defaults``), read through the binding.
DEFAULT_VOICE_RULES: tuple[tuple[str, str], ...] = _voc.DEFAULT_VOICE_RULES

#: Retention plays (tier, voice, play), first match wins; "*" matches any tier or voice. The core's
#: defaults (``voc_core::segment::Play::defaults``).
DEFAULT_PLAYS: tuple[tuple[str, str, str], ...] = _voc.DEFAULT_PLAYS

#: RFM segments on the (R, F) scores with 5 bins: (name, (r_low, r_high), (f_low, f_high)). The core's
#: defaults (``voc_core::segment::RfmRule::defaults``).
DEFAULT_RFM_RULES: tuple[tuple[str, tuple[int, int], tuple[int, int]], ...] = _voc.DEFAULT_RFM_RULES


def value_voice(
    data: Any,
    *,
    value: Any = "monetary",
    quantiles: Sequence[float] | None = (0.5, 0.8),
    thresholds: Sequence[float] | None = None,
    tier_names: Sequence[str] = ("low", "mid", "high"),
    rules: Sequence[tuple[str, str]] | None = None,
    fallback: str = "silent",
    plays: Sequence[tuple[str, str, str]] | None = None,
) -> ValueVoiceResult:
    """Value tier × voice segment of each customer, with the recommended play.

    ``value`` names the value column (or is an array): cut by ``quantiles`` (numpy linear quantiles; a
    value ≥ a cut is in the tier above) or by fixed ``thresholds``. ``rules`` is an ordered list of
    ``(voice, "column op number [& ...]")``; the first rule that holds names the voice, otherwise
    ``fallback``. ``plays`` is an ordered list of ``(tier, voice, play)`` with ``"*"`` wildcards.
    Defaults: :data:`DEFAULT_VOICE_RULES`, :data:`DEFAULT_PLAYS` (they read the signals columns
    ``tickets_90d``, ``theme_price``, ``nps_last``).

    Returns a :class:`ValueVoiceResult`: its ``table`` has ``customer_id`` (when the input has it),
    ``value_tier``, ``voice``, ``segment`` and ``play``; ``cuts``, ``tiers``, ``voices``, ``segments``
    (every segment name, empty ones too) and ``plays`` (the play of each) are typed fields.

    >>> import voc
    >>> t = voc.segment.value_voice({"monetary": [900.0, 40.0, 60.0, 10.0],
    ...                              "tickets_90d": [3, 0, 0, 0], "theme_price": [0, 1, 0, 0],
    ...                              "nps_last": [float("nan"), 3, 10, float("nan")]})
    >>> list(t.table["segment"])
    ['high-value active complainer', 'low-value price-sensitive', 'mid-value promoter', 'low-value silent']
    >>> [round(c, 6) for c in t.cuts], t.n  # numpy's linear quantiles 0.5 and 0.8 of monetary
    ([50.0, 396.0], 4)
    """
    return _voc._segment_value_voice(
        data,
        value,
        None if quantiles is None else quantiles,
        None if thresholds is None else thresholds,
        _args.strings(tier_names, "tier_names"),
        None if rules is None else [(str(a), str(b)) for a, b in _args.tuples(rules, "rules", 2)],
        fallback,
        None if plays is None else [(str(a), str(b), str(c)) for a, b, c in _args.tuples(plays, "plays", 3)],
    )


def rfm(
    data: Any,
    *,
    recency: Any = "recency_days",
    frequency: Any = "frequency",
    monetary: Any = "monetary",
    bins: int = 5,
    rules: Sequence[tuple[str, tuple[int, int], tuple[int, int]]] | None = None,
) -> RfmResult:
    """RFM scores (1..bins) and named segments → :class:`RfmResult` (``table``: one row per customer with
    ``r``, ``f``, ``m``, ``rfm_score`` and ``segment``; ``segments``: every segment name).

    Scores are pandas ``qcut(rank(method="first"), bins)``: equal values are ranked in row order, so the
    bins hold equal counts; recency is ranked descending (recent = high score). Customers without a
    purchase (NaN recency) score 0 in the segment "No Purchases". ``rules`` are ``(name, (r_lo, r_hi),
    (f_lo, f_hi))``, first match wins (default :data:`DEFAULT_RFM_RULES`, which needs ``bins=5``).

    >>> import voc
    >>> t = voc.segment.rfm({"recency_days": [5.0, 300.0, float("nan"), 40.0, 10.0],
    ...                      "frequency": [12, 1, 0, 3, 8], "monetary": [900.0, 20.0, 0.0, 150.0, 400.0]})
    >>> list(t.table["rfm_score"])
    ['555', '111', '000', '222', '444']
    >>> t.table["segment"][0], t.n
    ('Champions', 5)
    """
    return _voc._segment_rfm(
        data,
        recency,
        frequency,
        monetary,
        bins,
        None
        if rules is None
        else [(_args.text(n, "rules"), _args.whole_pair(r, "rules"), _args.whole_pair(f, "rules"))
              for n, r, f in _args.tuples(rules, "rules", 3)],
    )


def lifecycle(
    data: Any,
    *,
    tenure: Any = "tenure_days",
    activity: Any = "days_since_activity",
    onboarding_days: float = 90,
    maturity_days: float = 365,
    dormant_days: float = 180,
) -> LifecycleResult:
    """Lifecycle stage → :class:`LifecycleResult` (``table``: a ``stage`` column; ``stages``: every stage name): onboarding (tenure < onboarding_days), dormant (no activity for dormant_days or
    never active), growth (tenure < maturity_days), maturity — first match wins.

    >>> import voc
    >>> t = voc.segment.lifecycle({"tenure_days": [30.0, 200.0, 800.0, 800.0],
    ...                            "days_since_activity": [5.0, 10.0, 20.0, 400.0]})
    >>> list(t.table["stage"])
    ['onboarding', 'growth', 'maturity', 'dormant']
    """
    return _voc._segment_lifecycle(data, tenure, activity, onboarding_days, maturity_days, dormant_days)


def profile(
    data: Any = None,
    /,
    *,
    by: Any,
    names: Sequence[str] | None = None,
    churn: Any = None,
    value: Any = "monetary",
    nps: Any = "nps_last",
    themes: Sequence[str] | str | None = "theme_",
    exclude_themes: Sequence[str] = ("praise",),
    confidence: float = 0.95,
    top_themes: int = 3,
    churn_interval: str = "wilson",
) -> Table:
    """One row per segment: size and share, churn rate with a Wilson interval, NPS with its interval
    (Rocks 2016 adjusted Wald), mean and total value, revenue at risk (Σ value × churn) and the top
    complaint themes.

    ``by`` is a segment result from this module (its table's ``segment`` column — ``stage`` for
    :func:`lifecycle` — and, when ``names`` is not given, its ``segments`` / ``stages`` so that empty
    segments get a row too, in that order; a :func:`value_voice` result adds each segment's ``play``), a column name of ``data`` or a column of segment labels. Plain labels
    are coded as every ``by=`` of voc (``voc.nps(..., by=)``): numbers by value, strings by code point,
    categories in category order, and the ``segment`` column keeps their dtype. ``data`` holds the other
    columns (row-aligned). ``churn`` is a column name or array of 0/1 labels or probabilities (e.g.
    ``log.labels(...)["churned"]``). ``themes`` is a prefix of theme-count columns (``"theme_"``: the
    signals' ``theme_{name}``, leaving out ``exclude_themes``, which are not complaints), a list of
    column names, or None. ``value`` and ``nps`` may be None to leave them out (``nps`` is also left out
    when its default column is absent; without ``data``, the default ``value`` column is left out).

    >>> import voc
    >>> data = {"monetary": [100.0, 50.0, 30.0, 10.0], "nps_last": [10, 3, float("nan"), 9],
    ...         "theme_refund": [2, 0, 1, 0], "store": ["a", "a", "a", "b"]}
    >>> p = voc.segment.profile(data, by="store", churn=[1, 0, 0, 1])
    >>> p["segment"], p["size"].tolist(), p["revenue_at_risk"].tolist(), p["top_themes"][0]
    (['a', 'b'], [3, 1], [100.0, 10.0], 'refund (3)')
    """
    return _voc._segment_profile(
        data,
        by,
        None if names is None else [str(n) for n in _args.names(names, "names")],
        churn,
        value,
        nps,
        themes,
        exclude_themes,
        confidence,
        top_themes,
        churn_interval,
    )


def matrix(profile: Table, /, *, by: ValueVoiceResult, values: str = "churn_rate") -> Table:
    """A value-tier × voice grid of one profile column, as a :class:`voc.Table`.

    ``by`` is the :func:`value_voice` result the profile was made from (its ``tiers`` and ``voices``). One row per tier from high to low: the ``value_tier`` column, then one column per voice
    (NaN where a cell has no segment row).

    >>> import voc
    >>> data = voc.sample.retailer(seed=7, customers=2_000)
    >>> log = voc.signals.EventLog(**data.tables())
    >>> X = log.features("2025-01-01")
    >>> seg = voc.segment.value_voice(X)
    >>> m = voc.segment.matrix(voc.segment.profile(X, by=seg), by=seg, values="size")
    >>> m.columns[0], list(m["value_tier"])
    ('value_tier', ['high', 'mid', 'low'])
    >>> int(sum(float(v) for c in m.columns[1:] for v in m[c] if v == v)) == len(X)
    True
    """
    return _voc._segment_matrix(profile, by, values)


def fit_kmeans(
    data: Any = None,
    /,
    *,
    x: Any = None,
    k: int,
    init: Any = "k-means++",
    n_init: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    seed: int = 0,
    algorithm: str = "auto",
    parallel: bool = True,
) -> KMeansModel:
    """k-means on the rows of a matrix → :class:`KMeansModel`.

    The matrix is ``x`` (2-D array-like or DataFrame of numbers), or the columns of ``data`` that ``x``
    names (a list of names), or ``data`` itself when ``x`` is not given.

    ``init`` is ``"k-means++"`` (scikit-learn's greedy variant, seeded; ``n_init`` starts, the lowest
    inertia wins) or an array of initial centres, shape (k, columns). From the same initial centres the
    labels and inertia equal scikit-learn's ``KMeans(init=centres, n_init=1)`` (same stopping rule:
    no label changes, or Σ centre shift² ≤ tol × mean column variance). ``algorithm`` is "lloyd" (every
    distance), "hamerly" (exact, with distance bounds that skip most distances once the centres settle)
    or "auto" (the default: Lloyd for up to 8 clusters on up to 8 columns, where it is the faster,
    Hamerly otherwise); all three give the same labels, centres and inertia from the same start, and the
    model's ``algorithm`` says which ran. Results do not depend on the number of threads.

    The model has ``labels``, ``centers``, ``inertia``, ``n_iter``, ``converged``, ``algorithm``, ``k``, ``n``,
    ``predict(x)``, ``summary()`` (one row per cluster: size, share and the centre), ``to_bytes()`` /
    ``from_bytes()`` and pickle.

    >>> import voc
    >>> fit = voc.segment.fit_kmeans(x=[[0.0], [0.2], [10.0], [10.2]], k=2, init=[[0.0], [10.0]])
    >>> fit.labels.tolist(), round(fit.inertia, 6), fit.predict([[9.0]]).tolist()
    ([0, 0, 1, 1], 0.04, [1])
    >>> fit.summary()["size"].tolist()
    [2, 2]
    >>> voc.segment.KMeansModel.from_bytes(fit.to_bytes()) == fit
    True
    """
    return _voc._segment_kmeans(data, x, k, init, n_init, max_iter, tol, seed, algorithm, parallel)


def standardize(data: Any = None, /, *, x: Any = None) -> Standardized:
    """z-scores per column as scikit-learn's ``StandardScaler`` (population std; constant columns keep
    scale 1) → :class:`Standardized`: ``values`` (the z-scores), ``mean``, ``scale``, ``n`` and
    ``transform(other)`` to scale other rows the same way. The matrix is read as by :func:`fit_kmeans`.

    >>> import voc
    >>> s = voc.segment.standardize(x=[[1.0, 5.0], [3.0, 5.0]])
    >>> s.values.tolist(), s.mean.tolist(), s.scale.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [2.0, 5.0], [1.0, 1.0])
    >>> s.transform([[4.0, 5.0]]).tolist()
    [[2.0, 0.0]]
    """
    return _voc._segment_standardize(data, x)


def silhouette_score(data: Any = None, /, *, x: Any = None, labels: Any) -> float:
    """Mean silhouette coefficient with Euclidean distances (as scikit-learn's ``silhouette_score``;
    exact, O(n²) — pass a sample for large data). The matrix is read as by :func:`fit_kmeans`;
    ``labels`` is a column (any label dtype) or a column name of ``data``.

    >>> import voc
    >>> round(voc.segment.silhouette_score(x=[[0.0], [1.0], [10.0], [11.0]], labels=[0, 0, 1, 1]), 6)
    0.899749
    """
    return _voc._segment_silhouette(data, x, labels)
