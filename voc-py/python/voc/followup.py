"""Closing the loop: follow-up cases opened for detractors, churn alerts, complaint tickets and social posts.

How fast were customers contacted, how fast were their cases closed, and how many were contacted within the
service level (SLA)? Times to first contact and to close are Kaplan–Meier curves in hours, with open cases
censored at ``as_of`` (equal to lifelines ``KaplanMeierFitter``); SLA attainment is a share with a Wilson
interval (equal to ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``). See
``docs/followup.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from voc import _voc
from voc._voc import (
    CoverageResult,
    EventLog,
    FixesResult,
    LoopMetricsResult,
    RecoveryResult,
    SlaOutcomesResult,
)

__all__ = [
    "CoverageResult", "FixesResult", "LoopMetricsResult", "RecoveryResult", "SlaOutcomesResult", "coverage",
    "fixes", "loop_metrics", "recovery", "sla_outcomes",
]


def loop_metrics(
    data: Any = None,
    /,
    *,
    opened: Any,
    contacted: Any,
    closed: Any,
    by: Any = None,
    period: Literal["day", "week", "month", "quarter", "year"] | None = None,
    as_of: Any = None,
    sla_hours: float = 48.0,
    percentiles: Sequence[float] = (0.5, 0.9),
    confidence: float = 0.95,
    missing: Literal["error", "skip"] = "error",
) -> LoopMetricsResult:
    """Time to first contact and to close, and SLA attainment, of follow-up cases, optionally by group.

    ``opened``, ``contacted`` and ``closed`` are time columns (``datetime64``, dates, Arrow timestamps or
    integer seconds); a missing ``contacted`` (NaT) means not contacted yet (or never, when the case is
    closed), a missing ``closed`` means the case is still open. ``by`` groups the cases (team, channel,
    trigger, month). ``as_of`` is when the data was extracted: open clocks are censored there (default:
    the latest time in the three columns). A case is *due* for the SLA once it was contacted, closed, or
    open for longer than ``sla_hours``; ``sla_rate`` is the share of due cases contacted within it.
    ``percentiles`` are shares of cases done (0.9: the time by which 90% were contacted / closed).

    With ``period=`` (``"week"``, ``"month"``, ...), ``trend`` is SLA attainment per group and period of
    opening, with the change from the group's previous period, its two-proportion z test and the
    Holm-adjusted p-value — the trend table of ``voc.csat(..., period=)``.

    A contact or closing before opening, or a closing before the first contact, is an error naming the
    column and the row. A missing ``opened`` or ``by`` follows ``missing=`` (``n_missing``; by reason in
    ``skipped``).

    >>> import numpy as np, voc
    >>> t = lambda *h: np.array([np.datetime64("2025-01-01T00") + np.timedelta64(x, "h") if x is not None
    ...                          else np.datetime64("NaT") for x in h], dtype="datetime64[s]")
    >>> m = voc.followup.loop_metrics(opened=t(0, 0, 0, 10), contacted=t(2, 60, None, None),
    ...                               closed=t(5, 61, None, None), by=["a", "a", "b", "b"], as_of="2025-01-04")
    >>> m.table.to_pandas()[["group", "cases", "sla_met", "sla_due", "contact_p50"]]
      group  cases  sla_met  sla_due  contact_p50
    0     a      2      1.0      2.0          2.0
    1     b      2      0.0      2.0          inf
    >>> w = voc.followup.loop_metrics(opened=t(0, 200), contacted=t(2, 300), closed=t(5, 301), period="week")
    >>> w.trend.to_pandas()[["period", "sla_met", "sla_due", "sla_rate", "previous", "change"]]
         period  sla_met  sla_due  sla_rate   previous  change
    0  2025-W01      1.0      1.0       1.0       NaN     NaN
    1  2025-W02      0.0      1.0       0.0  2025-W01    -1.0
    """
    return _voc._followup_loop_metrics(
        data, opened=opened, contacted=contacted, closed=closed, by=by, period=period, as_of=as_of,
        sla_hours=sla_hours, percentiles=percentiles, confidence=confidence, missing=missing,
    )


def coverage(
    data: Any = None,
    /,
    *,
    time: Any,
    has_case: Any,
    contacted: Any = None,
    by: Any = None,
    as_of: Any = None,
    sla_hours: float = 48.0,
    confidence: float = 0.95,
    missing: Literal["error", "skip"] = "error",
) -> CoverageResult:
    """How many triggers got a follow-up case, and how many were contacted within the SLA of the trigger.

    One row per trigger (a detractor answer, a churn alert, a complaint ticket, a social post): ``time``
    when it fired, ``has_case`` (bool or 0/1) whether a case was opened for it, ``contacted`` the first
    contact of that case (NaT: none), ``by`` the trigger kind, team or channel. ``coverage`` is the share
    of triggers with a case; ``in_sla_rate`` the share of *due* triggers (contacted, or older than
    ``sla_hours`` at ``as_of``) contacted within ``sla_hours`` of the trigger. Both carry Wilson
    intervals, equal to ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``. Missing times,
    flags and labels follow ``missing=``; a contact without a case or before its trigger is an error.

    >>> import numpy as np, voc
    >>> t0 = np.datetime64("2025-01-01T00", "s"); h = np.timedelta64(1, "h")
    >>> c = voc.followup.coverage(time=[t0, t0, t0, t0 + 100 * h], has_case=[True, True, False, False],
    ...                           contacted=[t0 + 10 * h, t0 + 90 * h, None, None], by=["nps", "nps", "alert", "alert"],
    ...                           as_of=t0 + 120 * h)
    >>> c.table.to_pandas()[["group", "triggers", "coverage", "in_sla_met", "in_sla_due", "in_sla_pending"]]
       group  triggers  coverage  in_sla_met  in_sla_due  in_sla_pending
    0  alert         2       0.0         0.0         1.0               1
    1    nps         2       1.0         1.0         2.0               0
    """
    return _voc._followup_coverage(
        data, time=time, has_case=has_case, contacted=contacted, by=by, as_of=as_of, sla_hours=sla_hours,
        confidence=confidence, missing=missing,
    )


def sla_outcomes(
    data: Any = None,
    /,
    *,
    outcome: Any,
    opened: Any,
    closed: Any,
    covariates: Sequence[Any] | None = None,
    holdout: Any = None,
    sla_hours: float = 48.0,
    reference: Literal["within", "later", "never"] = "never",
    confidence: float = 0.95,
    missing: Literal["error", "skip"] = "error",
) -> SlaOutcomesResult:
    """Churn or spend of customers whose case was closed within the SLA, later, or never — adjusted.

    One row per customer (or trigger): ``outcome`` (churned 0/1, spend, ...), ``opened`` and ``closed``
    (the case's times; NaT ``opened``: no case, NaT ``closed``: not closed; pass first-contact times as
    ``closed`` to classify by the contact SLA), ``covariates`` (column names, e.g. tenure and spend
    before the trigger). A customer is *within* when the case closed within ``sla_hours`` of opening,
    *later* when after, *never* otherwise.

    ``table`` gives the mean outcome per class. ``comparisons`` compares each class with ``reference``:
    the plain ``difference`` of means, and the inverse-propensity-weighted ``estimate`` — a logistic
    propensity of the class given the covariates (maximum likelihood), weights 1/e and 1/(1 − e),
    normalised (Hajek) means, a robust (HC0 sandwich) standard error with the propensities taken as
    known, and a normal interval. ``balance`` shows each covariate's standardised mean difference before
    and after weighting. Observational: the estimate removes the covariates' confounding, not an
    unmeasured one. With ``holdout`` (1 / True: the trigger was held out of the follow-up by a
    randomised design, so it has no case), ``holdout`` is the intention-to-treat estimate, eligible −
    held out (Newcombe's interval for a 0/1 outcome, Welch's otherwise).

    >>> import numpy as np, voc
    >>> t0 = np.datetime64("2025-01-01T00", "s"); h = np.timedelta64(1, "h"); nat = np.datetime64("NaT")
    >>> r = voc.followup.sla_outcomes(outcome=[0, 0, 1, 0, 1, 1], opened=[t0] * 4 + [nat] * 2,
    ...                               closed=[t0 + h, t0 + 2 * h, t0 + 100 * h, t0 + 90 * h, nat, nat])
    >>> r.comparisons.to_pandas()[["class", "reference", "n", "n_reference", "difference", "estimate"]]
        class reference  n  n_reference  difference  estimate
    0  within     never  2            2        -1.0      -1.0
    1   later     never  2            2        -0.5      -0.5
    """
    return _voc._followup_sla_outcomes(
        data, outcome=outcome, opened=opened, closed=closed, covariates=covariates, holdout=holdout,
        sla_hours=sla_hours, reference=reference, confidence=confidence, missing=missing,
    )


def recovery(
    data: Any = None,
    /,
    *,
    log: EventLog,
    customers: Any,
    trigger: Any,
    opened: Any,
    contacted: Any,
    closed: Any,
    by: Any = None,
    repurchase_days: int = 90,
    confidence: float = 0.95,
    missing: Literal["error", "skip"] = "error",
) -> RecoveryResult:
    """Did the follow-up win the customer back? Recovery of detractors and repurchase after closing.

    ``log`` is the :class:`voc.signals.EventLog` holding the customers' survey answers and orders; the case
    roles are columns: ``customers`` (ids of the log's customers), ``trigger`` (``"detractor"``,
    ``"alert"``, ``"ticket"`` or ``"social"``), ``opened``, ``contacted`` and ``closed`` (times; NaT = not
    yet), and ``by`` (team, channel, ...). For each closed case opened by a detractor answer, the first NPS
    answer after the closing says whether the customer recovered (7 or more; ``promoted_rate``: 9 or more),
    and, paired with the last answer at or before the opening, how NPS changed (mean per-customer change
    of −100 / 0 / +100 scores with a t interval, as ``scipy.stats.ttest_rel``). For each closed case whose
    ``repurchase_days`` window ended by the log's last event, ``repurchase_rate`` is the share who ordered
    within it. Shares have Wilson intervals. Observational, not the effect of the call: only a randomised
    holdout of triggers measures that (``voc.impact.holdout``).

    Unknown customers, a contact or closing before the opening and a closing before the first contact are
    errors naming the column and row (``missing="skip"`` leaves such rows out, counted in ``n_missing``
    and by reason in ``skipped``).

    >>> import numpy as np, voc
    >>> day = np.timedelta64(1, "D"); t0 = np.datetime64("2025-01-01", "s")
    >>> log = voc.signals.EventLog(
    ...     customers={"customer_id": [1, 2], "signup": [t0, t0]},
    ...     surveys={"customer_id": [1, 1, 2, 2], "time": [t0 + day, t0 + 9 * day, t0 + day, t0 + 9 * day],
    ...              "kind": ["nps"] * 4, "score": [3, 9, 5, 6]},
    ...     orders={"customer_id": [1, 2], "time": [t0 + 10 * day, t0 + 40 * day], "amount": [10.0, 8.0]})
    >>> r = voc.followup.recovery(log=log, customers=[1, 2], trigger=["detractor", "detractor"],
    ...                           opened=[t0 + day] * 2, contacted=[t0 + 2 * day] * 2, closed=[t0 + 3 * day] * 2,
    ...                           repurchase_days=10)
    >>> r.table.to_pandas()[["detractor_cases", "answered", "recovered", "nps_change", "repurchase_rate"]]
       detractor_cases  answered  recovered  nps_change  repurchase_rate
    0                2         2        1.0       100.0              0.5
    """
    return _voc._followup_recovery(
        data, log=log, customers=customers, trigger=trigger, opened=opened, contacted=contacted, closed=closed,
        by=by, repurchase_days=repurchase_days, confidence=confidence, missing=missing,
    )


def fixes(
    register: Any,
    /,
    *,
    texts: Any,
    customers: Any,
    themes: Any = "theme",
    time: Any = "time",
    contact: Any = None,
    signup: Any = "signup",
    churn_time: Any = "churn_time",
    as_of: Any = None,
    window_days: int = 90,
    clv: float = 0.0,
    cost_per_contact: float = 0.0,
    horizon_months: float = 12.0,
    se: Literal["hc1", "HC1", "pooled", "nonrobust"] = "hc1",
    confidence: float = 0.95,
) -> FixesResult:
    """Root cause → fix → effect: what each fix of a register did, one row per fix.

    ``register`` is a table with one row per fix: ``id``, ``themes`` (the theme it addresses, or a list of
    themes), ``rollout`` (date), and optionally ``cost`` (the fix's cost), ``holdout`` (the name of a
    0/1 column of ``customers`` marking the customers held out of the fix at random) or ``rollout_group``
    (the name of a 0/1 column marking the customers who got the fix at the rollout, the others later).
    ``texts`` holds the texts that mention themes (tickets, chats, comments, posts): ``themes`` per text
    (a name, a list of names such as ``ThemeMatcher.tag(...)`` gives, or None), ``time``, and ``contact``
    (0/1: a support contact that costs money; default: every text). ``customers`` holds ``signup`` and
    ``churn_time`` (NaT: not churned). ``as_of`` is the end of the data (default: just after the latest
    time given). For a fix rolled out at ``r`` the windows are ``window_days`` before and after ``r``:

    - the themes' mention rate (share of texts mentioning any of them) before and after:
      ``voc.impact.before_after`` (rates, the z test of the change, and the rate ratio after ÷ before with
      its Katz interval), counted as ``ThemeMatcher.mention_rates`` counts;
    - the contacts on the themes before and after, ``contacts_avoided = before − after``, and
      ``voc.impact.rate_ratio`` of contacts per day after ÷ before;
    - the churn effect on customers at risk at the start of a window (signed up before it, not churned
      before it): ``voc.impact.holdout`` (fix against held out, after the rollout) with a holdout,
      ``voc.impact.diff_in_diff`` (HC1 by default) with rollout groups, ``voc.impact.before_after``
      (observational) with neither;
    - ``voc.impact.roi`` of the fall in churn (with its interval) over the customers the fix reached at
      ``clv``, the contacts avoided per day over ``horizon_months`` (none when contacts rose) at
      ``cost_per_contact``, and the fix's cost.

    Each number equals the named ``voc.impact`` function's output on the same counts.

    >>> import numpy as np, pandas as pd, voc
    >>> day = lambda d: np.datetime64("2025-01-01") + np.timedelta64(d, "D")
    >>> texts = pd.DataFrame({"theme": ["refund", None, "refund", None, None, "refund", None, None],
    ...                       "time": [day(d) for d in (10, 20, 30, 40, 110, 120, 130, 140)]})
    >>> churn = [day(150), None, None, None, day(120), day(170), day(130), None]
    >>> customers = pd.DataFrame({"signup": [day(0)] * 8, "held_out": [0, 0, 0, 0, 1, 1, 1, 1],
    ...                           "churn_time": pd.to_datetime(churn)})
    >>> register = pd.DataFrame({"id": ["refund_sync"], "themes": ["refund"], "rollout": [day(100)],
    ...                          "holdout": ["held_out"], "cost": [400.0]})
    >>> r = voc.followup.fixes(register, texts=texts, customers=customers, as_of=day(200), clv=500.0)
    >>> r.table.to_pandas()[["id", "rate_before", "rate_after", "contacts_avoided", "churn_estimate"]]
                id  rate_before  rate_after  contacts_avoided  churn_estimate
    0  refund_sync          0.5        0.25               1.0            -0.5
    >>> r.table.to_pandas()[["churn_method", "churn_value", "net_benefit", "roi"]]
      churn_method  churn_value  net_benefit  roi
    0      holdout       1000.0        600.0  1.5
    """
    return _voc._followup_fixes(
        register, texts=texts, customers=customers, themes=themes, time=time, contact=contact, signup=signup,
        churn_time=churn_time, as_of=as_of, window_days=window_days, clv=clv, cost_per_contact=cost_per_contact,
        horizon_months=horizon_months, se=se, confidence=confidence,
    )
