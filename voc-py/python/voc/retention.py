"""Retention and customer value: survival curves, cohorts, proportional hazards, BG/NBD and CLV.

* ``kaplan_meier(durations, events, by=None)`` → :class:`KaplanMeierResult` (``table()``, ``medians()``):
  Kaplan–Meier with Greenwood variance and the log(−log) interval, as lifelines ``KaplanMeierFitter``.
* ``logrank_test(durations, events, groups)`` → :class:`LogRankResult` (two or k groups).
* ``cox_ph(df, "duration", "event")`` or ``cox_ph(X, durations, events)`` → :class:`CoxResult`
  (Efron or Breslow ties, optional L2 penalty), as lifelines ``CoxPHFitter`` / statsmodels ``PHReg``.
* ``cohort_retention(customers, times)`` → :class:`CohortResult`: acquisition month × months since.
* ``summary_from_transactions(df, "customer", "date", "spend")`` → frequency / recency / T / monetary
  value per customer, as lifetimes ``summary_data_from_transaction_data``; ``calibration_and_holdout``.
* ``bgnbd_fit(frequency, recency, T)`` → :class:`BgNbdModel` (``p_alive``, ``expected_purchases``);
  ``gamma_gamma_fit(frequency, monetary)`` → :class:`GammaGammaModel`; ``customer_lifetime_value``.

Tabular results are :class:`voc.Table` objects: ``.to_pandas()``, ``.to_polars()``, ``.to_dict()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from voc import _voc
from voc._voc import (
    BgNbdModel,
    CohortResult,
    CoxResult,
    GammaGammaModel,
    KaplanMeierResult,
    LogRankResult,
    Table,
    bgnbd_fit,
    concordance_index,
    customer_lifetime_value,
    gamma_gamma_fit,
    kaplan_meier,
    logrank_test,
)

__all__ = [
    "kaplan_meier",
    "logrank_test",
    "cox_ph",
    "concordance_index",
    "cohort_retention",
    "rfm_summary",
    "summary_from_transactions",
    "calibration_and_holdout",
    "bgnbd_fit",
    "gamma_gamma_fit",
    "customer_lifetime_value",
    "KaplanMeierResult",
    "LogRankResult",
    "CoxResult",
    "CohortResult",
    "BgNbdModel",
    "GammaGammaModel",
    "Table",
]


def _instant(value: Any) -> Any:
    """A single point in time as a one-element column (integers mean seconds since 1970-01-01 UTC)."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return np.array([value], dtype=np.int64)
    if hasattr(value, "to_datetime64"):  # pandas Timestamp
        value = value.to_datetime64()
    return np.array([np.datetime64(value, "ns")])


def _column(frame: Any, name: str) -> Any:
    return frame[name]


def _is_frame(obj: Any) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "__getitem__") and not isinstance(obj, np.ndarray)


def cox_ph(
    data: Any,
    durations: Any,
    events: Any,
    /,
    *,
    covariates: list[str] | None = None,
    names: list[str] | None = None,
    ties: str = "efron",
    penalizer: float = 0.0,
    confidence: float = 0.95,
    max_iter: int = 50,
    tol: float = 1e-9,
) -> CoxResult:
    """Cox proportional hazards by Newton–Raphson on the partial likelihood.

    ``data`` is a 2-D array of covariates (rows = subjects) with ``durations`` and ``events`` columns, or a
    pandas / polars DataFrame with ``durations`` and ``events`` naming its columns; the covariates are then
    ``covariates`` (default: every other column). ``ties`` is ``"efron"`` (lifelines) or ``"breslow"``
    (statsmodels ``PHReg`` default); ``penalizer`` is lifelines' L2 ``penalizer`` (on standardised
    coefficients). A constant or collinear column raises :class:`voc.InputError` naming the column;
    a fit that does not settle (e.g. perfect separation) raises :class:`voc.ConvergenceError`.

    >>> import numpy as np, voc
    >>> x = np.array([[2.0], [0.5], [1.0], [1.5], [-0.3], [0.0], [0.7], [-1.0]])
    >>> fit = voc.retention.cox_ph(x, np.arange(1.0, 9.0), [1, 1, 1, 0, 1, 1, 0, 1])
    >>> round(float(fit.coef[0]), 6)
    0.839287
    """
    if _is_frame(data) and isinstance(durations, str) and isinstance(events, str):
        cols = list(data.columns)
        chosen = covariates if covariates is not None else [c for c in cols if c not in (durations, events)]
        x = np.column_stack([np.asarray(_column(data, c), dtype=np.float64) for c in chosen]) if chosen else np.empty((len(data), 0))
        return _voc.cox_ph(
            np.ascontiguousarray(x),
            np.asarray(_column(data, durations), dtype=np.float64),
            np.asarray(_column(data, events), dtype=np.float64),
            names=[str(c) for c in chosen] if names is None else names,
            ties=ties,  # type: ignore[arg-type]
            penalizer=penalizer,
            confidence=confidence,
            max_iter=max_iter,
            tol=tol,
        )
    if names is None and _is_frame(data):
        names = [str(c) for c in data.columns]
    x = np.asarray(data, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    return _voc.cox_ph(
        x,  # any memory layout: the core reads rows and columns through a view
        durations,
        events,
        names=names,
        ties=ties,  # type: ignore[arg-type]
        penalizer=penalizer,
        confidence=confidence,
        max_iter=max_iter,
        tol=tol,
    )


def rfm_summary(
    customers: Any,
    times: Any,
    monetary: Any = None,
    /,
    *,
    observation_end: Any = None,
    time_scale: float = 1.0,
) -> Table:
    """Frequency, recency, T and mean repeat spend per customer from transaction columns.

    Same rules as lifetimes ``summary_data_from_transaction_data(freq="D", freq_multiplier=time_scale)``:
    transactions are taken to days, same-day purchases count once (their values summed), frequency is
    the number of purchase days minus one, recency and T are measured from the first purchase day (to
    the last purchase and to ``observation_end``), divided by ``time_scale`` (7 for weeks).
    ``observation_end`` is a date, datetime, string or numpy datetime64 (default: the last transaction).

    >>> import numpy as np, voc
    >>> t = np.array(["2024-01-01", "2024-01-05", "2024-01-03", "2024-01-10"], dtype="datetime64[D]")
    >>> s = voc.retention.rfm_summary([1, 1, 2, 1], t, [10.0, 20.0, 5.0, 30.0], observation_end="2024-01-31")
    >>> s["frequency"].tolist(), s["T"].tolist(), s["monetary_value"].tolist()
    ([2.0, 0.0], [30.0, 28.0], [25.0, 0.0])
    """
    return _voc.rfm_summary(customers, times, monetary, observation_end=_instant(observation_end), time_scale=time_scale)


def summary_from_transactions(
    transactions: Any,
    customer_col: str,
    datetime_col: str,
    monetary_col: str | None = None,
    *,
    observation_end: Any = None,
    time_scale: float = 1.0,
) -> Table:
    """:func:`rfm_summary` on the columns of a pandas / polars DataFrame (lifetimes' argument order).

    >>> import pandas as pd, voc
    >>> tx = pd.DataFrame({"id": [1, 1, 2, 1], "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03", "2024-01-10"])})
    >>> voc.retention.summary_from_transactions(tx, "id", "date").to_dict()["frequency"].tolist()
    [2.0, 0.0]
    """
    m = transactions[monetary_col] if monetary_col is not None else None
    return rfm_summary(
        transactions[customer_col],
        transactions[datetime_col],
        m,
        observation_end=observation_end,
        time_scale=time_scale,
    )


def calibration_and_holdout(
    transactions: Any,
    customer_col: str,
    datetime_col: str,
    *,
    calibration_end: Any,
    observation_end: Any,
    monetary_col: str | None = None,
    time_scale: float = 1.0,
) -> Table:
    """Calibration summary plus hold-out purchases, as lifetimes ``calibration_and_holdout_data``.

    Columns: customer, frequency_cal, recency_cal, T_cal, monetary_value_cal, frequency_holdout,
    monetary_value_holdout, duration_holdout.

    >>> import pandas as pd, voc
    >>> tx = pd.DataFrame({"id": [1, 1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-10", "2024-01-03"])})
    >>> t = voc.retention.calibration_and_holdout(tx, "id", "date", calibration_end="2024-01-31", observation_end="2024-02-29")
    >>> t["frequency_cal"].tolist(), t["frequency_holdout"].tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    m = transactions[monetary_col] if monetary_col is not None else None
    return _voc.calibration_holdout(
        transactions[customer_col],
        transactions[datetime_col],
        m,
        calibration_end=_instant(calibration_end),
        observation_end=_instant(observation_end),
        time_scale=time_scale,
    )


def cohort_retention(
    customers: Any,
    times: Any,
    /,
    *,
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
    >>> c = voc.retention.cohort_retention([1, 1, 2, 3], t, observation_end="2024-03-31")
    >>> c.cohorts, c.size.tolist()
    (['2024-01', '2024-02'], [2, 1])
    """
    return _voc.cohort_retention(
        customers,
        times,
        observation_end=_instant(observation_end),
        repurchase_window_days=repurchase_window_days,
    )
