"""Seeded simulated data for demos, tests and benchmarks.

``surveys(seed=2026, responses=200_000, year=2025)`` returns a :class:`voc.Table` of survey responses of
a fashion retailer (time, segment, channel, nps, csat, ces, weight) over 12 months. Two changes are
planted, described by ``survey_changes(year=2025)`` (a list of :class:`PlantedChange`): app NPS falls from
July (a slower refund flow), and call-centre effort rises from October.

``retailer(seed=7, customers=20_000)`` simulates a whole fashion e-commerce retailer over two years —
customers, orders, returns and refunds, support tickets (Chinese and English texts), survey answers,
social mentions and churn-survey answers — with a planted cause of churn: refunds that are slow after the
warehouse has received the return. Slow refunds raise refund tickets (often repeated) and complaints,
lower NPS and multiply the odds of churning; from the fix date they become rare. The truth (who churned
when, each customer's base churn probability) and the effect sizes (:class:`Planted`) come with the data.

The retailer also ran a **randomised retention campaign** (on 2024-08-28 by default): the customers active
that day were called or held out at random, and ``RetailerData.campaign`` says who churned in the 90 days
after. The call's effect is planted and heterogeneous (:class:`PlantedCampaign`): it saves most customers
waiting on a slow refund, some high-value silent customers, almost no price-sensitive ones, and slightly
raises churn for recent promoters; ``RetailerData.campaign_truth`` holds each participant's churn
probability under either arm and the true effect. It is the data for :mod:`voc.uplift` (see
``docs/uplift.md``).

The retailer also **closes the loop** (from 2024-12-31 by default): each customer's first detractor answer,
complaint ticket or churn alert opens a follow-up case (``RetailerData.cases``), except for a random 20%
holdout of triggers that get none. Teams contact at different speeds; a contact within the 48-hour SLA
raises the chance that the customer's next answer is 7 or more and lowers churn in the 90 days after the
trigger (:class:`PlantedFollowup`; each row's probabilities are in ``RetailerData.cases_truth``). The
answers to the survey sent after each case are ``RetailerData.followup_surveys``. The refund fix is
registered in ``RetailerData.fixes`` (for :func:`voc.followup.fixes`). See ``docs/followup.md``.

The same seed gives identical data everywhere.
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import asdict, dataclass
from typing import Any, TypedDict, cast

import numpy as np

from voc._voc import Table
from voc._voc import _retailer, _surveys
from voc.errors import DtypeError, InvalidOptionError

__all__ = [
    "surveys", "survey_changes", "retailer", "RetailerData", "Planted", "PlantedCampaign", "PlantedChange",
    "PlantedFollowup",
]


def _html(name: str, fields: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in fields.items())
    return f"<p><b>voc {name}</b></p><table>{rows}</table>"


@dataclass(frozen=True)
class PlantedChange:
    """A change planted in :func:`surveys`: from ``from_month`` (``"YYYY-MM"``) the answers of ``channel``
    move by ``latent_shift`` points of the latent score.

    >>> import voc
    >>> [c.channel for c in voc.sample.survey_changes()]
    ['app', 'call_center']
    """

    description: str
    channel: str
    from_month: str
    latent_shift: float

    def to_dict(self) -> dict[str, Any]:
        """All fields as a dict.

        >>> import voc
        >>> voc.sample.survey_changes()[0].to_dict()["from_month"]
        '2025-07'
        """
        return asdict(self)

    def _repr_html_(self) -> str:
        return _html("PlantedChange", self.to_dict())


def surveys(*, seed: int = 2026, responses: int = 200_000, year: int = 2025) -> Table:
    """Simulated survey responses of a fashion retailer (12 months of ``year``; time, segment, channel, nps,
    csat, ces, weight), with the changes of :func:`survey_changes` planted.

    >>> import voc
    >>> t = voc.sample.surveys(seed=1, responses=1_000)
    >>> len(t), t.columns
    (1000, ['time', 'segment', 'channel', 'nps', 'csat', 'ces', 'weight'])
    """
    table, _ = _surveys(seed=seed, responses=responses, year=year)
    return table


def survey_changes(*, year: int = 2025) -> list[PlantedChange]:
    """The changes :func:`surveys` plants in ``year`` (the same for every seed and size).

    >>> import voc
    >>> [(c.channel, c.from_month) for c in voc.sample.survey_changes(year=2025)]
    [('app', '2025-07'), ('call_center', '2025-10')]
    """
    _, changes = _surveys(seed=0, responses=1, year=year)
    return [PlantedChange(**c) for c in changes]


@dataclass(frozen=True)
class PlantedCampaign:
    """The randomised retention campaign planted in :func:`retailer`: its design and the call's effects.

    ``date`` is the campaign day; ``window_days`` the days after it in which churn is counted; ``share``
    the share of active customers (signed up, at least one order, not yet churned) who take part;
    ``call_share`` the share of them called (the rest are the control group). Each participant belongs to
    the first group that applies (``campaign_truth["group"]``):

    - ``slow_refund``: a slow refund (9+ days after receipt) of a return received before, paid or
      pending; the call removes ``save_slow_refund`` of their churn probability (the agent advances it);
    - ``price_sensitive``: an average order under 40 or a price ticket; at high risk, saved by
      ``save_price_sensitive`` (almost none);
    - ``high_value_silent``: 300+ spent in the year before and no ticket, answer or mention in the last
      45 days; saved by ``save_high_value_silent``;
    - ``recent_promoter``: latest NPS answer (in the last 90 days) 9 or 10; the call adds
      ``promoter_harm`` to their churn probability;
    - ``other``: saved by ``save_other``.

    The ``odds_ratio_*`` fields multiply the odds of churning in the window under control, against ``other``.

    >>> import voc
    >>> c = voc.sample.retailer(seed=1, customers=200).planted.campaign
    >>> str(c.date), c.window_days, c.save_slow_refund, c.promoter_harm
    ('2024-08-28', 90, 0.7, 0.04)
    """

    description: str
    date: np.datetime64
    window_days: int
    share: float
    call_share: float
    save_slow_refund: float
    save_price_sensitive: float
    save_high_value_silent: float
    promoter_harm: float
    save_other: float
    odds_ratio_slow_refund: float
    odds_ratio_price_sensitive: float
    odds_ratio_promoter: float

    def to_dict(self) -> dict[str, Any]:
        """All fields as a dict.

        >>> import voc
        >>> voc.sample.retailer(seed=1, customers=200).planted.campaign.to_dict()["call_share"]
        0.5
        """
        return asdict(self)

    def _repr_html_(self) -> str:
        return _html("PlantedCampaign", self.to_dict())


@dataclass(frozen=True)
class PlantedFollowup:
    """The closed loop planted in :func:`retailer`: follow-up cases, their speed and their effects.

    From ``first_date`` until ``end_date`` (``window_days`` before the end of the data), each customer's
    first detractor answer (NPS 0–6), complaint ticket or churn alert (``alert_days`` without an order)
    is a trigger; a share ``holdout`` of triggers, drawn at random, gets no case. A case goes to one of
    four teams at random; its first contact comes after an exponential time with the team's mean
    (``team_contact_hours``), unless the customer cannot be reached (probability ``1 − reach``), so the
    team's chance of a contact within ``sla_hours`` is ``team_p_fast``. A share ``answer_rate`` answers
    the survey sent after the case. A contact within the SLA (a late one changes nothing) turns a share
    ``recover_lift`` of the non-recovered into recovered (next NPS ≥ 7) and removes a share ``churn_save``
    of the churn probability in the ``window_days`` after the trigger.

    >>> import voc
    >>> f = voc.sample.retailer(seed=1, customers=200).planted.followup
    >>> str(f.first_date), f.holdout, f.sla_hours, f.recover_lift, f.churn_save
    ('2024-12-31', 0.2, 48.0, 0.35, 0.3)
    """

    description: str
    first_date: np.datetime64
    end_date: np.datetime64
    holdout: float
    sla_hours: float
    window_days: int
    team_contact_hours: dict[str, float]
    team_p_fast: dict[str, float]
    reach: float
    answer_rate: float
    recover_lift: float
    churn_save: float
    alert_days: int

    def to_dict(self) -> dict[str, Any]:
        """All fields as a dict.

        >>> import voc
        >>> voc.sample.retailer(seed=1, customers=200).planted.followup.to_dict()["team_contact_hours"]["north"]
        10.0
        """
        return asdict(self)

    def _repr_html_(self) -> str:
        return _html("PlantedFollowup", self.to_dict())


@dataclass(frozen=True)
class Planted:
    """The cause of churn planted in :func:`retailer` and its effect sizes.

    ``fix_date`` is the first day of the fix (None when there is none); ``slow_refund_rate`` and
    ``slow_refund_rate_fixed`` the shares of refunds that are slow before and after it; ``holdout`` the share
    of customers held out of the fix; ``churn_odds_ratio`` the odds ratio of churning after a slow refund;
    ``nps_penalty`` the NPS points lost in answers within 90 days of one; ``slow_after_days`` the days after
    receipt beyond which a refund counts as slow; ``campaign`` the retention campaign
    (:class:`PlantedCampaign`, None without one); ``followup`` the closed loop (:class:`PlantedFollowup`,
    None without one).

    >>> import voc
    >>> voc.sample.retailer(seed=1, customers=200).planted.churn_odds_ratio
    4.0
    """

    description: str
    fix_date: np.datetime64 | None
    slow_refund_rate: float
    slow_refund_rate_fixed: float
    churn_odds_ratio: float
    holdout: float
    nps_penalty: float
    slow_after_days: float
    campaign: PlantedCampaign | None
    followup: PlantedFollowup | None

    def to_dict(self) -> dict[str, Any]:
        """All fields as a dict.

        >>> import voc
        >>> sorted(voc.sample.retailer(seed=1, customers=200).planted.to_dict())[:4]
        ['campaign', 'churn_odds_ratio', 'description', 'fix_date']
        """
        return asdict(self)

    def _repr_html_(self) -> str:
        return _html("Planted", self.to_dict())


class RetailerTables(TypedDict):
    """The event tables of :meth:`RetailerData.tables`, by name (typed, so ``EventLog(**data.tables())``
    type-checks)."""

    customers: Table
    orders: Table
    returns: Table
    tickets: Table
    surveys: Table
    mentions: Table
    churn: Table


@dataclass(frozen=True)
class RetailerData:
    """A simulated retailer: one :class:`voc.Table` per source, the truth and the planted effects.

    Tables (columns as :mod:`voc.signals` expects them): ``customers`` (customer_id, signup, tier, region,
    channel, holdout), ``orders`` (order_id, customer_id, time, amount, category, returnable), ``returns``
    (order_id, customer_id, requested, received, refunded, amount), ``tickets`` (customer_id, time, channel,
    theme, text, resolved, csat), ``surveys`` (customer_id, time, kind, score, verbatim), ``mentions``
    (customer_id — NaN for anonymous posters —, time, platform, theme, text, sentiment), ``churn``
    (customer_id, time, reason) and ``truth`` (customer_id, churned, churn_time, slow_refunds,
    base_churn_prob, satisfaction). ``planted`` (:class:`Planted`) holds the effect sizes.

    ``campaign`` (customer_id, treated, time, churned: one row per participant of the retention campaign)
    and ``campaign_truth`` (customer_id, group, p_churn_control, p_churn_call, effect = p_churn_control −
    p_churn_call) are None without a campaign. The campaign is drawn on streams of its own, over the
    simulated lives: the event tables are the world without the call (a saved customer's later orders are
    not added), so read churn in the window from ``campaign``, not from the orders.

    ``cases`` (one row per trigger of the closed loop: customer_id, trigger — detractor, alert or ticket —,
    trigger_row — the 0-based row of ``surveys``, ``tickets`` or ``orders`` (an alert's last order) —,
    time, holdout, opened, contacted, closed, team, action, outcome, cost, next_nps, churned) and
    ``cases_truth`` (customer_id, p_fast, p_recover_slow, p_recover_fast, p_churn_slow, p_churn_fast)
    are None without a loop. A held-out row got no case: its opened, contacted and closed are NaT and its
    team, action and outcome missing. ``next_nps`` is the answer to the survey sent after the case (NaN:
    none); the same answers are ``followup_surveys`` (customer_id, time, kind, score, verbatim), to add
    to ``surveys`` when measuring recovery with :func:`voc.followup.recovery`. ``churned`` is churn in
    the window after the trigger under the arm the trigger got (like the campaign, the event tables are
    the world without the loop). ``fixes`` is the register of root-cause fixes (id, themes, rollout,
    holdout — the name of the ``customers`` column of the customers held out of the fix, or None —, cost)
    for :func:`voc.followup.fixes`.
    """

    customers: Table
    orders: Table
    returns: Table
    tickets: Table
    surveys: Table
    mentions: Table
    churn: Table
    truth: Table
    planted: Planted
    start: np.datetime64
    end: np.datetime64
    seed: int
    campaign: Table | None
    campaign_truth: Table | None
    cases: Table | None
    cases_truth: Table | None
    followup_surveys: Table | None
    fixes: Table

    def tables(self) -> RetailerTables:
        """The event tables by name, ready for ``voc.signals.EventLog(**data.tables())``.

        >>> import voc
        >>> sorted(voc.sample.retailer(seed=7, customers=200).tables())
        ['churn', 'customers', 'mentions', 'orders', 'returns', 'surveys', 'tickets']
        """
        return {
            "customers": self.customers,
            "orders": self.orders,
            "returns": self.returns,
            "tickets": self.tickets,
            "surveys": self.surveys,
            "mentions": self.mentions,
            "churn": self.churn,
        }

    @property
    def n_events(self) -> int:
        """Number of event rows (orders, returns, tickets, answers, mentions, churn answers).

        >>> import voc
        >>> d = voc.sample.retailer(seed=7, customers=200)
        >>> d.n_events == len(d.orders) + len(d.returns) + len(d.tickets) + len(d.surveys) + len(d.mentions) + len(d.churn)
        True
        """
        return sum(len(t) for t in (self.orders, self.returns, self.tickets, self.surveys, self.mentions, self.churn))

    def to_dict(self) -> dict[str, Any]:
        """The sizes, period, seed and planted effects as a dict (the tables are left out).

        >>> import voc
        >>> voc.sample.retailer(seed=7, customers=200).to_dict()["customers"]
        200
        """
        return {
            "seed": self.seed,
            "customers": len(self.customers),
            "n_events": self.n_events,
            "start": self.start,
            "end": self.end,
            "planted": self.planted.to_dict(),
        }

    def _repr_html_(self) -> str:
        fields = self.to_dict()
        fields.pop("planted")
        return _html("RetailerData", fields) + self.planted._repr_html_()

    def __repr__(self) -> str:
        return (
            f"RetailerData(seed={self.seed}, customers={len(self.customers)}, n_events={self.n_events}, "
            f"{self.start} to {self.end}, fix_date={self.planted.fix_date})"
        )

def retailer(
    *,
    seed: int = 7,
    customers: int = 20_000,
    start: Any = "2024-01-01",
    days: int = 730,
    fix_day: int | None = 540,
    slow_refund_rate: float = 0.30,
    slow_refund_rate_fixed: float = 0.05,
    churn_odds_ratio: float = 4.0,
    holdout: float = 0.0,
    campaign_day: int | None = 240,
    campaign_window: int = 90,
    campaign_share: float = 1.0,
    followup_day: int | None = 365,
    followup_holdout: float = 0.2,
    followup_sla_hours: float = 48.0,
    followup_window: int = 90,
) -> RetailerData:
    """Simulates a fashion e-commerce retailer (see the module docs).

    ``fix_day`` is the day (counted from ``start``) from which slow refunds become rare, or None for never.
    ``holdout`` is the share of customers held out of the fix at random (a control group: their refunds
    stay slow at the pre-fix rate); ``customers["holdout"]`` tells who. The holdout draws have a stream of
    their own: the other customers' data do not change with it.

    ``campaign_day`` (counted from ``start``; default 240, 2024-08-28) is the day of the randomised
    retention campaign, or None for none; churn is counted over ``campaign_window`` days after it, and
    ``campaign_share`` of the active customers take part (see :class:`PlantedCampaign`). The campaign needs
    30 days before it and its window must end within ``days``: a shorter run needs an earlier day or None.
    Its draws have streams of their own: every other table is the same with or without it.

    ``followup_day`` (counted from ``start``; default 365, 2024-12-31) is the first day on which
    detractor answers, complaint tickets and churn alerts open follow-up cases, or None for no closed
    loop; triggers run until ``followup_window`` days (the churn window after each) before the end.
    ``followup_holdout`` of the triggers get no case; ``followup_sla_hours`` is the service level of the
    first contact (see :class:`PlantedFollowup`). The loop's draws have streams of their own too.

    >>> import voc
    >>> d = voc.sample.retailer(seed=1, customers=2_000)
    >>> d.cases.columns[:4], d.fixes.columns
    (['customer_id', 'trigger', 'trigger_row', 'time'], ['id', 'themes', 'rollout', 'holdout', 'cost'])
    >>> voc.sample.retailer(seed=1, customers=200, followup_day=None).cases is None
    True

    >>> import voc
    >>> d = voc.sample.retailer(seed=1, customers=2_000)
    >>> d.campaign.columns, d.campaign_truth.columns[:2]
    (['customer_id', 'treated', 'time', 'churned'], ['customer_id', 'group'])
    >>> voc.sample.retailer(seed=1, customers=200, campaign_day=None).campaign is None
    True

    >>> import voc
    >>> data = voc.sample.retailer(seed=1, customers=1_000)
    >>> len(data.customers), data.planted.churn_odds_ratio
    (1000, 4.0)
    """
    if isinstance(start, (bool, int, float, complex)) or not isinstance(start, (str, np.datetime64, _dt.date)):
        raise DtypeError(f"start: expected a date (str, datetime or numpy datetime64), got {type(start).__name__}",
                         "start")
    try:
        start_day = int(np.datetime64(cast(Any, start), "D").astype(np.int64))
    except (ValueError, OverflowError, UnicodeError) as e:
        raise InvalidOptionError(f"start: {start!r:.60} is not a date ({e})", "start") from None
    d = _retailer(
        seed=seed,
        customers=customers,
        start_day=start_day,
        days=days,
        fix_day=fix_day,
        slow_refund_rate=slow_refund_rate,
        slow_refund_rate_fixed=slow_refund_rate_fixed,
        churn_odds_ratio=churn_odds_ratio,
        holdout=holdout,
        campaign_day=campaign_day,
        campaign_window=campaign_window,
        campaign_share=campaign_share,
        followup_day=followup_day,
        followup_holdout=followup_holdout,
        followup_sla_hours=followup_sla_hours,
        followup_window=followup_window,
    )
    p = d["planted"]
    campaign = None if p["campaign"] is None else PlantedCampaign(**p["campaign"])
    followup = None if p["followup"] is None else PlantedFollowup(**p["followup"])
    return RetailerData(**{**d, "planted": Planted(**{**p, "campaign": campaign, "followup": followup})})
