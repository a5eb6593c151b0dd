"""Retention and customer value: survival curves, cohorts, proportional hazards, BG/NBD and CLV.

Every function takes an optional table first (a pandas or polars DataFrame, a :class:`voc.Table`, a
pyarrow Table or a dict of columns) and its roles as keywords, each a column name of the table or a
column itself (numpy array, Series, list)::

    >>> import pandas as pd, voc.retention as vr
    >>> df = pd.DataFrame({"days": [5.0, 8.0, 12.0, 20.0], "churned": [True, False, True, True]})
    >>> vr.kaplan_meier(df, durations="days", events="churned").median
    12.0

* ``kaplan_meier(data, durations=, events=, by=)`` → :class:`KaplanMeierResult` (``table``,
  ``medians``, ``median``): Kaplan–Meier with Greenwood variance and the log(−log) interval, as lifelines
  ``KaplanMeierFitter``.
* ``logrank_test(data, durations=, events=, by=)`` → :class:`LogRankResult` (two or k groups).
* ``fit_cox(data, durations=, events=, covariates=)`` → :class:`CoxModel` (Efron or Breslow ties,
  optional L2 penalty), as lifelines ``CoxPHFitter`` / statsmodels ``PHReg``;
  ``concordance_index``.
* ``cohort_retention(data, customers=, time=)`` → :class:`CohortResult`: acquisition month × months
  since.
* ``rfm_summary(data, customers=, time=, monetary=)`` → frequency / recency / T / monetary value per
  customer, as lifetimes ``summary_data_from_transaction_data``; ``calibration_and_holdout``.
* ``fit_bgnbd(summary)`` → :class:`BgNbdModel` (``predict_p_alive``, ``predict_purchases``);
  ``fit_gamma_gamma(summary)`` → :class:`GammaGammaModel`; ``customer_lifetime_value(summary,
  bgnbd=, gamma_gamma=)``. Their roles default to the columns ``rfm_summary`` writes.

Events (``events=``, or lifelines' name ``event_observed=``) are ``True`` / 1 / 1.0 for an observed event
and ``False`` / 0 / 0.0 for a censored row; without ``events`` every event is observed. With
``missing="skip"`` rows with a missing duration, event, group or covariate are left out and counted in
``n_missing``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from voc import _voc
from voc._voc import (
    BgNbdModel,
    CohortResult,
    CoxModel,
    GammaGammaModel,
    KaplanMeierResult,
    LogRankResult,
    Table,
)

__all__ = [
    "kaplan_meier",
    "logrank_test",
    "fit_cox",
    "concordance_index",
    "cohort_retention",
    "rfm_summary",
    "calibration_and_holdout",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "customer_lifetime_value",
    "KaplanMeierResult",
    "LogRankResult",
    "CoxModel",
    "CohortResult",
    "BgNbdModel",
    "GammaGammaModel",
    "Table",
]

_Missing = Literal["error", "skip"]


def kaplan_meier(
    data: Any = None,
    /,
    *,
    durations: Any,
    events: Any = None,
    event_observed: Any = None,
    by: Any = None,
    confidence: float = 0.95,
    missing: _Missing = "error",
) -> KaplanMeierResult:
    """Kaplan–Meier survival with right censoring, as lifelines ``KaplanMeierFitter``, optionally by group.

    ``durations`` are non-negative times (days, weeks); ``events`` (alias ``event_observed``) are ``True``
    / 1 where the event (churn) was observed and ``False`` / 0 where the row is censored (default: every
    event observed). ``by`` groups the rows (ints, floats, strings, bools or categories; one curve per
    label, in label order). The result holds the survival table (``table``), the median survival per
    group (``medians``) and, for one curve, ``median`` with ``median_ci_low`` / ``median_ci_high``.

    >>> import voc
    >>> km = voc.retention.kaplan_meier(durations=[5.0, 8.0, 12.0, 20.0], events=[1, 0, 1, 1])  # 8.0 is censored
    >>> km.survival_at([10.0, 15.0]).tolist(), km.median
    ([0.75, 0.375], 12.0)
    >>> g = voc.retention.kaplan_meier(durations=[5.0, 8.0, 12.0, 20.0], events=[True, False, True, True], by=[1.0, 1.0, 2.0, 2.0])
    >>> g.groups, g.medians["median"].tolist()
    ([1.0, 2.0], [5.0, 12.0])
    """
    return _voc._retention_kaplan_meier(
        data, durations=durations, events=events, event_observed=event_observed, by=by, confidence=confidence,
        missing=missing,
    )


def logrank_test(
    data: Any = None,
    /,
    *,
    durations: Any,
    events: Any = None,
    event_observed: Any = None,
    by: Any,
    missing: _Missing = "error",
) -> LogRankResult:
    """Log-rank test that the groups of ``by`` share one survival function, as lifelines
    ``multivariate_logrank_test`` (χ² with k − 1 degrees of freedom; ``logrank_test`` for two groups).

    Roles as :func:`kaplan_meier`; ``table`` holds n, observed and expected events per group.

    >>> import voc
    >>> t = voc.retention.logrank_test(durations=[5.0, 8.0, 12.0, 20.0, 3.0, 4.0, 6.0, 7.0],
    ...                                events=[1, 0, 1, 1, 1, 1, 1, 0], by=["a"] * 4 + ["b"] * 4)
    >>> round(t.statistic, 4), t.df, round(t.p_value, 4)
    (1.8707, 1, 0.1714)
    """
    return _voc._retention_logrank_test(
        data, durations=durations, events=events, event_observed=event_observed, by=by, missing=missing
    )


def concordance_index(
    data: Any = None,
    /,
    *,
    durations: Any,
    scores: Any,
    events: Any = None,
    event_observed: Any = None,
) -> float:
    """Harrell's concordance index of risk ``scores`` (a higher score means an earlier event, as a
    hazard), as lifelines ``concordance_index(durations, -scores, events)``.

    >>> import voc
    >>> voc.retention.concordance_index(durations=[5.0, 8.0, 12.0, 20.0], scores=[0.9, 0.5, 0.4, 0.1])
    1.0
    """
    return _voc._retention_concordance_index(
        data, durations=durations, scores=scores, events=events, event_observed=event_observed
    )


def fit_cox(
    data: Any = None,
    /,
    *,
    durations: Any,
    events: Any = None,
    event_observed: Any = None,
    covariates: Any = None,
    ties: Literal["efron", "breslow"] = "efron",
    penalizer: float = 0.0,
    confidence: float = 0.95,
    max_iter: int = 50,
    tol: float = 1e-9,
    missing: _Missing = "error",
) -> CoxModel:
    """Cox proportional hazards by Newton–Raphson on the partial likelihood, as lifelines ``CoxPHFitter``.

    ``covariates`` is a list of column names of ``data`` (or of columns), a table (every column), or a
    2-D array (rows = subjects); without it every column of ``data`` that is not ``durations`` or
    ``events`` is a covariate (``data`` may also be the 2-D array itself). Bool columns count as 0/1.
    ``ties`` is ``"efron"`` (lifelines) or ``"breslow"`` (statsmodels ``PHReg`` default);
    ``penalizer`` is lifelines' L2 ``penalizer`` (on standardised coefficients). A missing covariate
    raises :class:`voc.MissingValueError` naming row and column (``missing="skip"`` leaves the row out);
    a constant or collinear column raises :class:`voc.InputError` naming the column; a fit that does
    not settle (e.g. perfect separation) raises :class:`voc.ConvergenceError`.

    >>> import pandas as pd, voc
    >>> df = pd.DataFrame({"x": [2.0, 0.5, 1.0, 1.5, -0.3, 0.0, 0.7, -1.0], "t": range(1, 9),
    ...                    "e": [True, True, True, False, True, True, False, True]})
    >>> model = voc.retention.fit_cox(df, durations="t", events="e")
    >>> model.names, round(float(model.coef[0]), 6)
    (['x'], 0.839287)
    >>> model.summary().columns[:4]
    ['covariate', 'coef', 'hazard_ratio', 'se']
    >>> round(float(model.predict_log_partial_hazard(df)[0]), 4)  # centred on the training mean
    1.217
    """
    return _voc._retention_fit_cox(
        data,
        durations=durations,
        events=events,
        event_observed=event_observed,
        covariates=covariates,
        ties=ties,
        penalizer=penalizer,
        confidence=confidence,
        max_iter=max_iter,
        tol=tol,
        missing=missing,
    )


def rfm_summary(
    data: Any = None,
    /,
    *,
    customers: Any,
    time: Any,
    monetary: Any = None,
    observation_end: Any = None,
    time_scale: float = 1.0,
) -> Table:
    """Frequency, recency, T and mean repeat spend per customer from transactions (one row per order).

    Same rules as lifetimes ``summary_data_from_transaction_data(freq="D", freq_multiplier=time_scale)``:
    transactions are taken to days, same-day purchases count once (their values summed), frequency is
    the number of purchase days minus one, recency and T are measured from the first purchase day (to
    the last purchase and to ``observation_end``), divided by ``time_scale`` (7 for weeks).
    ``observation_end`` is a date, datetime, string or numpy datetime64 (default: the last transaction).
    Columns: customer, frequency, recency, T, monetary_value (0 without ``monetary``) — the columns
    :func:`fit_bgnbd`, :func:`fit_gamma_gamma` and :func:`customer_lifetime_value` read by default.

    >>> import pandas as pd, voc
    >>> tx = pd.DataFrame({"id": [1, 1, 2, 1], "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03", "2024-01-10"]),
    ...                    "spend": [10.0, 20.0, 5.0, 30.0]})
    >>> s = voc.retention.rfm_summary(tx, customers="id", time="date", monetary="spend", observation_end="2024-01-31")
    >>> s["frequency"].tolist(), s["T"].tolist(), s["monetary_value"].tolist()
    ([2.0, 0.0], [30.0, 28.0], [25.0, 0.0])
    """
    return _voc._retention_rfm_summary(
        data,
        customers=customers,
        time=time,
        monetary=monetary,
        observation_end=observation_end,
        time_scale=time_scale,
    )


def calibration_and_holdout(
    data: Any = None,
    /,
    *,
    customers: Any,
    time: Any,
    monetary: Any = None,
    calibration_end: Any,
    observation_end: Any,
    time_scale: float = 1.0,
) -> Table:
    """Calibration summary plus hold-out purchases, as lifetimes ``calibration_and_holdout_data``.

    Columns: customer, frequency_cal, recency_cal, T_cal, monetary_value_cal, frequency_holdout,
    monetary_value_holdout, duration_holdout.

    >>> import pandas as pd, voc
    >>> tx = pd.DataFrame({"id": [1, 1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-10", "2024-01-03"])})
    >>> t = voc.retention.calibration_and_holdout(tx, customers="id", time="date", calibration_end="2024-01-31",
    ...                                           observation_end="2024-02-29")
    >>> t["frequency_cal"].tolist(), t["frequency_holdout"].tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    return _voc._retention_calibration_holdout(
        data,
        customers=customers,
        time=time,
        monetary=monetary,
        calibration_end=calibration_end,
        observation_end=observation_end,
        time_scale=time_scale,
    )


def cohort_retention(
    data: Any = None,
    /,
    *,
    customers: Any,
    time: Any,
    observation_end: Any = None,
    repurchase_window_days: int = 365,
) -> CohortResult:
    """Cohort retention matrix (acquisition month × months since acquisition) and repurchase rate.

    A customer's cohort is the month of their first order; ``retention[c, k]`` is the share of cohort
    ``c`` with an order in month ``c + k`` (NaN after ``observation_end``). ``repurchase_rate`` is the
    share of customers first seen at least ``repurchase_window_days`` before the end who ordered again
    on a later day within that window (365: the 12-month repurchase rate).

    >>> import numpy as np, voc
    >>> t = np.array(["2024-01-03", "2024-02-07", "2024-01-20", "2024-02-02"], dtype="datetime64[D]")
    >>> c = voc.retention.cohort_retention(customers=[1, 1, 2, 3], time=t, observation_end="2024-03-31")
    >>> c.cohorts, c.size.tolist(), c.n
    (['2024-01', '2024-02'], [2, 1], 3)
    """
    return _voc._retention_cohort_retention(
        data,
        customers=customers,
        time=time,
        observation_end=observation_end,
        repurchase_window_days=repurchase_window_days,
    )


def fit_bgnbd(
    data: Any = None,
    /,
    *,
    frequency: Any = "frequency",
    recency: Any = "recency",
    T: Any = "T",  # noqa: N803 (the model's name for the customer's age)
    max_iter: int = 500,
    tol: float = 1e-10,
) -> BgNbdModel:
    """Fits the BG/NBD model (Fader, Hardie & Lee 2005) by maximum likelihood, as lifetimes
    ``BetaGeoFitter``.

    ``frequency`` (repeat purchases), ``recency`` and ``T`` (age) default to the columns of
    :func:`rfm_summary`, so ``fit_bgnbd(rfm_summary(...))`` is the whole call.

    >>> import voc
    >>> o = voc.sample.retailer(seed=7, customers=2_000).orders
    >>> s = voc.retention.rfm_summary(o, customers="customer_id", time="time", observation_end="2025-07-01")
    >>> bg = voc.retention.fit_bgnbd(s, max_iter=2000)
    >>> bg.n, round(bg.r, 2), bool(0 < bg.predict_p_alive([2.0], [30.0], [38.0])[0] < 1)
    (1998, 1.12, True)
    """
    return _voc._retention_fit_bgnbd(
        data,
        frequency=frequency,
        recency=recency,
        T=T,
        max_iter=max_iter,
        tol=tol,
    )


def fit_gamma_gamma(
    data: Any = None,
    /,
    *,
    frequency: Any = "frequency",
    monetary: Any = "monetary_value",
    max_iter: int = 500,
    tol: float = 1e-10,
) -> GammaGammaModel:
    """Fits the Gamma-Gamma spend model on the customers with repeat purchases (others are skipped and
    counted in ``n_skipped``), as lifetimes ``GammaGammaFitter``.

    ``frequency`` and ``monetary`` (mean spend of the repeat purchases) default to the columns of
    :func:`rfm_summary`.

    >>> import voc
    >>> o = voc.sample.retailer(seed=7, customers=2_000).orders
    >>> s = voc.retention.rfm_summary(o, customers="customer_id", time="time", monetary="amount", observation_end="2025-07-01")
    >>> gg = voc.retention.fit_gamma_gamma(s)
    >>> gg.n, gg.n_skipped, round(gg.p, 2)
    (1583, 415, 5.15)
    """
    return _voc._retention_fit_gamma_gamma(
        data,
        frequency=frequency,
        monetary=monetary,
        max_iter=max_iter,
        tol=tol,
    )


def customer_lifetime_value(
    data: Any = None,
    /,
    *,
    bgnbd: BgNbdModel,
    gamma_gamma: GammaGammaModel,
    frequency: Any = "frequency",
    recency: Any = "recency",
    T: Any = "T",  # noqa: N803
    monetary: Any = "monetary_value",
    periods: int = 12,
    period_length: float = 30.0,
    discount_rate: float = 0.01,
) -> npt.NDArray[np.float64]:
    """Discounted customer lifetime value over ``periods`` periods of ``period_length`` time units, per
    customer, as lifetimes ``GammaGammaFitter.customer_lifetime_value``: expected spend per purchase
    (``gamma_gamma``) × expected purchases in each period (``bgnbd``), discounted at ``discount_rate``
    per period. The roles default to the columns of :func:`rfm_summary`.

    >>> import voc
    >>> bg = voc.retention.BgNbdModel(0.24, 4.41, 0.79, 2.43)
    >>> gg = voc.retention.GammaGammaModel(6.25, 3.74, 15.44)
    >>> clv = voc.retention.customer_lifetime_value(bgnbd=bg, gamma_gamma=gg, frequency=[1, 5], recency=[20.0, 35.0],
    ...                                             T=[38.0, 38.0], monetary=[40.0, 62.0], periods=12)
    >>> bool(clv[1] > clv[0] > 0)  # more purchases, more value
    True
    """
    return _voc._retention_customer_lifetime_value(
        data,
        bgnbd=bgnbd,
        gamma_gamma=gamma_gamma,
        frequency=frequency,
        recency=recency,
        T=T,
        monetary=monetary,
        periods=periods,
        period_length=period_length,
        discount_rate=discount_rate,
    )
