"""Seasonal anomaly alerts: is this week's count of a theme (or of tickets, returns, complaints) unusual
for the season, or just Singles' Day?

For every period, the expected count comes from the same weeks of earlier years — the **Farrington
flexible** method of Noufaily et al. (2013), as R's ``surveillance::farringtonFlexible`` computes it: an
overdispersed Poisson GLM with a trend and a seasonal factor on reference windows of up to ``years``
earlier years, past outbreaks down-weighted, and an upper bound from the negative-binomial quantile at
the one-sided false-alarm rate ``alpha``. Where the history is shorter than a year, a trailing baseline of
the last ``fallback_window`` periods stands in (each row names its ``method``). A period is an alert when
the observed count exceeds the upper bound (and at least ``min_recent`` counts were seen in the last
``recent_periods`` periods).

* ``seasonal_alerts(df, counts="n", time="week", by="theme")`` → :class:`AlertsResult` (``.table``: one
  row per group × period with ``expected``, ``upper``, ``observed``, ``ratio``, ``p_value``, ``alert``).
* ``score_alerts(df, scores="nps", time="date")`` → :class:`ScoreAlertsResult`: the same baseline on a
  score per period (NPS, CSAT, CES, mean sentiment), from the answers or from a mean and its answers per
  period (e.g. the per-period table of ``voc.nps(period=...)``); a drop below the lower bound is the
  alert (``side="lower"``, the default), with the expected and observed score and their difference.
* ``MentionState.seasonal_alerts()`` (``voc.text``): the same on theme mention counts per channel, built
  from the mergeable mention state, so it runs per batch and on Dask (``voc.dask.mention_alerts``).
* ``voc.plot.anomalies(result)``: the chart with the expected band and the alerts.

See ``docs/anomaly.md`` for the method, its options and references.

>>> import numpy as np, pandas as pd, voc
>>> weeks = pd.date_range("2019-01-07", periods=6 * 52, freq="W-MON")
>>> season = 40 + 25 * np.exp(-((np.arange(312) % 52.18 - 45) ** 2) / 50)  # a yearly peak in November
>>> counts = np.random.default_rng(1).poisson(season)
>>> counts[-20] = 3 * season[-20]  # a spike in the last year
>>> res = voc.anomaly.seasonal_alerts(counts=counts, time=weeks, last=52)
>>> t = res.table.to_pandas()
>>> res.n_alerts, t[t.alert].period_start.dt.date.tolist() == [weeks[-20].date()]
(1, True)
"""

from __future__ import annotations

from typing import Any

from voc import _voc
from voc._voc import AlertsResult, ScoreAlertsResult, Table

from voc._args import Missing as _Missing
from voc._args import Period as _Period

__all__ = ["seasonal_alerts", "score_alerts", "AlertsResult", "ScoreAlertsResult", "Table"]


def seasonal_alerts(
    data: Any = None,
    /,
    *,
    counts: Any = None,
    time: Any = None,
    by: Any = None,
    population: Any = None,
    period: _Period = "week",
    alpha: float = 0.01,
    years: int = 5,
    half_window: int | None = None,
    seasonal_groups: int = 10,
    exclude_recent: int | None = None,
    reweight_threshold: float | None = 2.58,
    trend: bool = True,
    trend_p_value: float = 0.05,
    min_recent: float = 5.0,
    recent_periods: int = 4,
    fallback_window: int = 12,
    min_baseline: int = 4,
    last: int | None = None,
    missing: _Missing = "error",
) -> AlertsResult:
    """Seasonal anomaly alerts on counts per period (and per group ``by``).

    ``counts`` (≥ 0) and ``time`` (a date per row, bucketed by ``period``: ``"day"``, ``"week"``,
    ``"month"``, ``"quarter"`` or ``"year"``) are columns or column names of ``data``; rows of one group and
    period are added up, and a period without rows counts 0. ``population`` (e.g. texts or orders per
    period) is an offset: the rate per unit is monitored. ``alpha`` is the one-sided false-alarm rate of
    the upper bound; the other options are the Farrington flexible method's (``docs/anomaly.md``):
    ``years`` of baseline (``b``), ``half_window`` (``w``; 3, 1 for quarters), ``seasonal_groups``
    (``noPeriods``), ``exclude_recent`` (``pastWeeksNotIncluded``; half a year), ``reweight_threshold``
    (None: no down-weighting of past outbreaks), ``trend`` / ``trend_p_value``, ``min_recent`` /
    ``recent_periods`` (``limit54``), ``fallback_window`` / ``min_baseline`` (the trailing baseline for
    short histories) and ``last`` (evaluate only the last periods). A NaN count is a
    ``MissingValueError`` (``missing="skip"`` leaves the row out), a negative one an ``InputError``.

    >>> import pandas as pd, voc
    >>> res = voc.anomaly.seasonal_alerts(counts=[10, 12, 9, 11, 10, 13, 9, 10, 12, 31],
    ...                                   time=pd.date_range("2024-03-01", periods=10), period="day")
    >>> t = res.table.to_pandas()
    >>> t[["period", "expected", "upper", "alert", "method"]].tail(2).round(2).values.tolist()
    [['2024-03-09', 10.5, 19.0, False, 'trailing'], ['2024-03-10', 10.67, 20.0, True, 'trailing']]
    """
    return _voc.anomaly_seasonal_alerts(
        data,
        counts=counts,
        time=time,
        by=by,
        population=population,
        period=period,
        alpha=alpha,
        years=years,
        half_window=half_window,
        seasonal_groups=seasonal_groups,
        exclude_recent=exclude_recent,
        reweight_threshold=reweight_threshold,
        trend=trend,
        trend_p_value=trend_p_value,
        min_recent=min_recent,
        recent_periods=recent_periods,
        fallback_window=fallback_window,
        min_baseline=min_baseline,
        last=last,
        missing=missing,
    )


def score_alerts(
    data: Any = None,
    /,
    *,
    scores: Any = None,
    means: Any = None,
    n: Any = None,
    time: Any = None,
    by: Any = None,
    metric: str = "nps",
    satisfied_from: float = 4,
    side: str = "lower",
    period: str = "week",
    alpha: float = 0.01,
    years: int = 5,
    half_window: int | None = None,
    seasonal_groups: int = 10,
    exclude_recent: int | None = None,
    trend: bool = True,
    trend_p_value: float = 0.05,
    fallback_window: int = 12,
    min_baseline: int = 4,
    last: int | None = None,
    missing: str = "error",
) -> ScoreAlertsResult:
    """Seasonal alerts on a score per period (and per group ``by``): is this week's NPS unusually low?

    Give the answers, ``scores`` (one per row, counted as ``metric`` says: ``"nps"`` answers 0-10 count
    +100 / 0 / -100, so a period's score is its NPS in points; ``"csat"`` 100 when at least
    ``satisfied_from``; ``"ces"`` and ``"mean"`` the answer itself, e.g. a sentiment score per text), or
    a score and its answers per row, ``means`` and ``n`` (e.g. the table of ``voc.nps(df, scores=...,
    period="week")``, which merged mergeable states give per batch or on Dask). ``time`` is a date per
    row, bucketed by ``period``; rows of one group and period are pooled.

    The expected score of a period comes from the same weeks of earlier years (the Farrington flexible
    baseline of :func:`seasonal_alerts`: reference windows, a seasonal factor, a trend when significant),
    fitted to the period scores by weighted least squares (weights: answers), and the bound is the
    Student-t prediction bound at the false-alarm rate ``alpha``: ``side="lower"`` (a drop, the
    default), ``"upper"``, or ``"two-sided"`` (``alpha / 2`` in each tail). Where the history is shorter
    than a year, the answer-weighted mean of the last ``fallback_window`` periods stands in (``method``
    ``"trailing"``). Periods without answers get no row. See ``docs/anomaly.md``.

    >>> import numpy as np, pandas as pd, voc
    >>> weeks = pd.date_range("2024-01-01", periods=10, freq="W-MON")
    >>> promoters = [50, 52, 49, 51, 50, 48, 52, 50, 51, 30]  # of 100 answers; 30 detractors a week
    >>> scores = np.concatenate([[10] * p + [8] * (70 - p) + [3] * 30 for p in promoters])
    >>> res = voc.anomaly.score_alerts(scores=scores, time=np.repeat(weeks, 100))
    >>> t = res.table.to_pandas()
    >>> t[["period", "observed", "expected", "alert", "method"]].tail(2).round(1).values.tolist()
    [['2024-W09', 21.0, 20.2, False, 'trailing'], ['2024-W10', 0.0, 20.3, True, 'trailing']]
    >>> res.n_alerts, res.side
    (1, 'lower')
    """
    return _voc.anomaly_score_alerts(
        data,
        scores=scores,
        means=means,
        n=n,
        time=time,
        by=by,
        metric=metric,
        satisfied_from=satisfied_from,
        side=side,
        period=period,
        alpha=alpha,
        years=years,
        half_window=half_window,
        seasonal_groups=seasonal_groups,
        exclude_recent=exclude_recent,
        trend=trend,
        trend_p_value=trend_p_value,
        fallback_window=fallback_window,
        min_baseline=min_baseline,
        last=last,
        missing=missing,
    )
