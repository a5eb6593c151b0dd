"""Churn-signal features and labels in plain pandas, written independently from ``docs/signals.md``.

This module is the reference that ``voc-py/tests/test_signals_crosscheck.py`` compares
``voc.signals.EventLog.features`` / ``labels`` against (to 1e-9), and the pandas baseline that
``benches/python/bench_signals.py`` times voc against. It is written the way a data scientist would write
it: filter each event table to the cutoff, ``groupby("customer_id")``, aggregate, and join the pieces onto
the customer rows. There are no per-customer Python loops.

- :func:`features` — one row per customer who signed up before the cutoff (index ``customer_id``, in
  customer-table order), columns named and ordered as voc names them.
- :func:`labels` — ``churned`` for the same rows over ``[cutoff, cutoff + horizon_days)``.
- :func:`random_tables` — valid random event tables with the documented column names (ties in time, events
  on both sides of typical cutoffs, missing optional times and values), for the cross-check and the
  benchmark.

Tables are pandas DataFrames (polars DataFrames and pyarrow tables are converted with ``to_pandas()``).
Times are datetimes (naive = UTC) or integer seconds since 1970-01-01; durations are in days
(seconds / 86400).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["features", "labels", "random_tables", "feature_names", "TABLES"]

DAY = pd.Timedelta(days=1)

#: Columns read from each table (others are ignored) and which of them are times.
TABLES: dict[str, tuple[list[str], list[str]]] = {
    "customers": (["customer_id", "signup"], ["signup"]),
    "orders": (["customer_id", "time", "amount"], ["time"]),
    "returns": (["customer_id", "requested", "received", "refunded", "amount"], ["requested", "received", "refunded"]),
    "tickets": (["customer_id", "time", "theme", "resolved", "csat", "sentiment"], ["time", "resolved"]),
    "surveys": (["customer_id", "time", "kind", "score"], ["time"]),
    "mentions": (["customer_id", "time", "sentiment"], ["time"]),
    "churn": (["customer_id", "time"], ["time"]),
}
OPTIONAL = {"tickets": {"csat", "sentiment"}, "mentions": {"sentiment"}}


# ---------------------------------------------------------------------------------------------- inputs


def _to_time(col: pd.Series) -> pd.Series:
    """Datetimes (naive = UTC, tz-aware converted to UTC) or integer seconds → naive datetime64."""
    if pd.api.types.is_datetime64_any_dtype(col):
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_convert("UTC").dt.tz_localize(None)
        return col
    if pd.api.types.is_integer_dtype(col) or pd.api.types.is_float_dtype(col):
        return pd.to_datetime(col, unit="s")
    return pd.to_datetime(col)


def _cutoff(value: Any) -> pd.Timestamp:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return pd.Timestamp(int(value), unit="s")
    t = pd.Timestamp(value)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return t


def _table(name: str, data: Any) -> pd.DataFrame:
    """The columns of one table as a pandas DataFrame (empty with those columns when the table is absent)."""
    cols, times = TABLES[name]
    if data is None:
        df = pd.DataFrame({c: pd.Series([], dtype="float64") for c in cols})
        for c in times:
            df[c] = pd.Series([], dtype="datetime64[ns]")
        df["customer_id"] = pd.Series([], dtype="object")
        if "theme" in df:
            df["theme"] = pd.Series([], dtype="object")
        if "kind" in df:
            df["kind"] = pd.Series([], dtype="object")
        return df
    if not isinstance(data, pd.DataFrame):
        data = data.to_pandas() if hasattr(data, "to_pandas") else pd.DataFrame(data)
    df = data[[c for c in cols if c in data.columns]].copy()
    for c in OPTIONAL.get(name, ()):
        if c not in df:
            df[c] = np.nan
    for c in times:
        df[c] = _to_time(df[c])
    return df


def _days(delta: pd.Series | pd.Timedelta) -> Any:
    """Timedeltas → days (seconds / 86400)."""
    if isinstance(delta, pd.Timedelta):
        return delta.total_seconds() / 86400
    return delta.dt.total_seconds() / 86400


def feature_names(windows: Sequence[int], themes: Sequence[str] = ()) -> list[str]:
    """Column names in voc's order for these windows (and theme names, when theme counts are on)."""
    w_long = max(windows)
    return [
        "tenure_days",
        "recency_days",
        "frequency",
        "monetary",
        "aov",
        *[f"orders_{w}d" for w in windows],
        f"orders_change_{w_long}d",
        f"spend_change_{w_long}d",
        "days_since_activity",
        "silent",
        "returns",
        "refund_delay_mean_days",
        "refund_delay_max_days",
        "refunds_pending",
        "refunded_amount",
        "tickets",
        *[f"tickets_{w}d" for w in windows],
        *[f"repeat_theme_max_{w}d" for w in windows],
        "tickets_unresolved",
        "resolution_days_median",
        "ticket_csat_mean",
        "days_since_ticket",
        "nps_last",
        "nps_mean",
        "nps_drop",
        "nps_flip",
        "nps_count",
        "csat_mean",
        "ces_mean",
        "surveys",
        "days_since_survey",
        "mentions",
        "sentiment_mean",
        f"sentiment_change_{w_long}d",
        "churn_event",
        *[f"theme_{t}" for t in themes],
    ]


# ---------------------------------------------------------------------------------------------- features


def features(
    customers: Any,
    orders: Any = None,
    returns: Any = None,
    tickets: Any = None,
    surveys: Any = None,
    mentions: Any = None,
    churn: Any = None,
    cutoff: Any = None,
    windows: Sequence[int] = (30, 90, 180),
    silence_days: int = 90,
    theme_counts: bool = True,
) -> pd.DataFrame:
    """Churn signals as of ``cutoff``: one row per customer with ``signup < cutoff``, in customer order.

    Only events strictly before the cutoff count; a resolution / refund time at or after it counts as not
    happened. Columns and definitions follow the feature table of ``docs/signals.md``.
    """
    if cutoff is None:
        raise ValueError("cutoff is required")
    windows = [int(w) for w in windows]
    if not windows or len(set(windows)) != len(windows) or min(windows) < 1:
        raise ValueError(f"windows must be distinct positive day counts, got {windows}")
    T = _cutoff(cutoff)
    W = max(windows) * DAY
    S = int(silence_days) * DAY

    cust = _table("customers", customers)
    o = _table("orders", orders)
    r = _table("returns", returns)
    tk = _table("tickets", tickets)
    sv = _table("surveys", surveys)
    mn = _table("mentions", mentions)
    ch = _table("churn", churn)
    mn = mn[mn["customer_id"].notna()]  # anonymous mentions are left out

    rows = cust[cust["signup"] < T]
    ids = pd.Index(rows["customer_id"].to_numpy(), name="customer_id")
    out = pd.DataFrame(index=ids)

    def per(s: pd.Series, fill: float = np.nan) -> pd.Series:
        """A per-customer series aligned to the output rows."""
        return s.reindex(ids, fill_value=fill).astype("float64")

    def count(df: pd.DataFrame) -> pd.Series:
        return per(df.groupby("customer_id").size(), 0.0)

    def since_last(df: pd.DataFrame) -> pd.Series:
        """Days from each customer's last event in ``df`` to the cutoff (NaN: none)."""
        last = df.groupby("customer_id")["time"].max().astype("datetime64[ns]").reindex(ids)
        return _days(T - last)

    out["tenure_days"] = _days(T - rows["signup"]).to_numpy()

    # Orders: recency, frequency, monetary value, windows and trend over the longest window.
    o = o[o["time"] < T]
    g = o.groupby("customer_id")
    out["recency_days"] = since_last(o)
    out["frequency"] = count(o)
    out["monetary"] = per(g["amount"].sum(), 0.0)
    out["aov"] = out["monetary"] / out["frequency"]  # 0 / 0 = NaN: no orders
    for w in windows:
        out[f"orders_{w}d"] = count(o[o["time"] >= T - w * DAY])
    recent = o[o["time"] >= T - W]
    before = o[(o["time"] >= T - 2 * W) & (o["time"] < T - W)]
    out[f"orders_change_{max(windows)}d"] = count(recent) - count(before)
    spend_recent = per(recent.groupby("customer_id")["amount"].sum(), 0.0)
    spend_before = per(before.groupby("customer_id")["amount"].sum(), 0.0)
    out[f"spend_change_{max(windows)}d"] = spend_recent - spend_before

    # Activity: the last order, ticket, survey answer or mention.
    tk = tk[tk["time"] < T]
    sv = sv[sv["time"] < T]
    mn = mn[mn["time"] < T]
    activity = pd.concat([d[["customer_id", "time"]] for d in (o, tk, sv, mn)], ignore_index=True)
    out["days_since_activity"] = since_last(activity)
    last_activity = activity.groupby("customer_id")["time"].max().astype("datetime64[ns]").reindex(ids)
    out["silent"] = (last_activity < T - S).astype("float64")  # NaT compares False: never active → 0

    # Returns and refunds.
    r = r[r["requested"] < T]
    paid = r["refunded"] < T  # NaT compares False: not paid
    received = r["received"] < T
    out["returns"] = count(r)
    delays = _days(r["refunded"] - r["received"])[paid & r["received"].notna()]
    waits = _days(T - r["received"])[received & ~paid]
    out["refund_delay_mean_days"] = per(delays.groupby(r["customer_id"]).mean())
    both = pd.concat([delays, waits])
    out["refund_delay_max_days"] = per(both.groupby(r["customer_id"].loc[both.index]).max())
    out["refunds_pending"] = count(r[received & ~paid])
    out["refunded_amount"] = per(r.loc[paid].groupby("customer_id")["amount"].sum(), 0.0)

    # Tickets.
    out["tickets"] = count(tk)
    for w in windows:
        out[f"tickets_{w}d"] = count(tk[tk["time"] >= T - w * DAY])
    themed = tk[tk["theme"].notna()]
    for w in windows:
        in_w = themed[themed["time"] >= T - w * DAY]
        per_theme = in_w.groupby(["customer_id", "theme"], observed=True).size()
        out[f"repeat_theme_max_{w}d"] = per(per_theme.groupby(level="customer_id").max(), 0.0)
    done = tk["resolved"] < T  # NaT compares False: unresolved
    out["tickets_unresolved"] = count(tk[~done])
    solved = tk[done]
    out["resolution_days_median"] = per(
        _days(solved["resolved"] - solved["time"]).groupby(solved["customer_id"]).median()
    )
    out["ticket_csat_mean"] = per(solved.groupby("customer_id")["csat"].mean())
    out["days_since_ticket"] = since_last(tk)

    # Survey answers, in time order (ties keep input row order).
    sv = sv.sort_values("time", kind="stable")
    kind = sv["kind"].astype("string").str.lower()
    nps = sv[kind == "nps"]
    from_end = nps.groupby("customer_id").cumcount(ascending=False)
    nps_last = per(nps[from_end == 0].set_index("customer_id")["score"])
    nps_prev = per(nps[from_end == 1].set_index("customer_id")["score"])
    out["nps_last"] = nps_last
    out["nps_mean"] = per(nps.groupby("customer_id")["score"].mean())
    out["nps_drop"] = nps_prev - nps_last
    out["nps_flip"] = ((nps_prev >= 9) & (nps_last <= 6)).astype("float64")
    out["nps_count"] = count(nps)
    out["csat_mean"] = per(sv[kind == "csat"].groupby("customer_id")["score"].mean())
    out["ces_mean"] = per(sv[kind == "ces"].groupby("customer_id")["score"].mean())
    out["surveys"] = count(sv)
    out["days_since_survey"] = since_last(sv)

    # Mentions, and sentiment over mentions and tickets.
    out["mentions"] = count(mn)
    sent = pd.concat(
        [tk[["customer_id", "time", "sentiment"]], mn[["customer_id", "time", "sentiment"]]], ignore_index=True
    )
    sent = sent[sent["sentiment"].notna()]
    out["sentiment_mean"] = per(sent.groupby("customer_id")["sentiment"].mean())
    sent_recent = per(sent[sent["time"] >= T - W].groupby("customer_id")["sentiment"].mean())
    sent_before = per(
        sent[(sent["time"] >= T - 2 * W) & (sent["time"] < T - W)].groupby("customer_id")["sentiment"].mean()
    )
    out[f"sentiment_change_{max(windows)}d"] = sent_recent - sent_before

    # Explicit churn before the cutoff.
    out["churn_event"] = ids.isin(ch.loc[ch["time"] < T, "customer_id"]).astype("float64")

    # Tickets per theme (every theme in the ticket table, sorted by name).
    themes: list[str] = []
    if theme_counts:
        all_themes = _table("tickets", tickets)["theme"].dropna()
        themes = sorted(str(t) for t in all_themes.unique())
        counts = themed.groupby(["customer_id", "theme"], observed=True).size().unstack("theme", fill_value=0)
        counts.columns = [str(c) for c in counts.columns]
        counts = counts.reindex(index=ids, columns=themes, fill_value=0).astype("float64")
        counts.columns = [f"theme_{t}" for t in themes]
        out = pd.concat([out, counts], axis=1)

    names = feature_names(windows, themes)
    assert list(out.columns) == names, (list(out.columns), names)
    return out.astype("float64")


# ---------------------------------------------------------------------------------------------- labels


def labels(
    customers: Any,
    orders: Any = None,
    returns: Any = None,
    tickets: Any = None,
    surveys: Any = None,
    mentions: Any = None,
    churn: Any = None,
    cutoff: Any = None,
    horizon_days: int = 180,
) -> pd.Series:
    """``churned`` for the rows of :func:`features`: no order in ``[T, T + H)`` or an explicit churn in it.

    Raises ``ValueError`` when the data do not reach ``T + H`` (latest event time plus one day).
    """
    if cutoff is None:
        raise ValueError("cutoff is required")
    T = _cutoff(cutoff)
    end = T + int(horizon_days) * DAY
    tables = {
        "orders": _table("orders", orders),
        "returns": _table("returns", returns),
        "tickets": _table("tickets", tickets),
        "surveys": _table("surveys", surveys),
        "mentions": _table("mentions", mentions),
        "churn": _table("churn", churn),
    }
    tables["mentions"] = tables["mentions"][tables["mentions"]["customer_id"].notna()]
    latest = [tables[name][c].max() for name, (_, times) in TABLES.items() if name != "customers" for c in times]
    latest = [t for t in latest if pd.notna(t)]
    if not latest or end > max(latest) + DAY:
        raise ValueError(f"horizon_days={horizon_days}: the horizon ends after the data; labels would be unknown")
    cust = _table("customers", customers)
    rows = cust[cust["signup"] < T]
    ids = pd.Index(rows["customer_id"].to_numpy(), name="customer_id")

    def in_horizon(df: pd.DataFrame) -> np.ndarray:
        return ids.isin(df.loc[(df["time"] >= T) & (df["time"] < end), "customer_id"])

    churned = ~in_horizon(tables["orders"]) | in_horizon(tables["churn"])
    return pd.Series(churned, index=ids, name="churned", dtype=bool)


# ---------------------------------------------------------------------------------------------- random data

THEMES = ["delivery", "refund", "sizing", "quality", "payment", "app"]


def random_tables(
    n_customers: int = 1000,
    n_events: int = 20_000,
    seed: int = 0,
    *,
    str_ids: bool = False,
    anonymous: bool = True,
    start: str = "2022-01-01",
    end: str = "2026-01-01",
) -> dict[str, pd.DataFrame]:
    """Valid random tables (customers, orders, returns, tickets, surveys, mentions, churn).

    About ``n_events`` event rows in all, spread unevenly over customers (some have none). Times fall on
    whole seconds at three times of day (midnight, 09:00, 14:30), so there are many ties and events exactly
    at midnight cutoffs and window edges. Sign-ups run from ``start`` to three months before ``end``, events
    from sign-up to ``end``, so cutoffs in 2024–2025 have events on both sides and customers who sign up
    after them. Some received / refunded / resolved times are NaT, some ticket CSAT and sentiments NaN,
    some tickets have no theme, and with ``anonymous`` some mentions have no customer (nullable ``Int64``
    ids, ``None`` for string ids). Every row satisfies the validation rules of ``docs/signals.md``.
    """
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start).value // 10**9
    t1 = pd.Timestamp(end).value // 10**9
    day = 86_400
    span_days = (t1 - t0) // day
    tod = np.array([0, 9 * 3600, 14 * 3600 + 1800])

    def secs(days: np.ndarray) -> np.ndarray:
        return days * day + tod[rng.integers(0, len(tod), len(days))]

    def as_time(s: np.ndarray) -> np.ndarray:
        return s.astype("datetime64[s]").astype("datetime64[ns]")

    n = int(n_customers)
    cid = rng.permutation(np.arange(1, 3 * n + 1))[:n].astype(np.int64)  # unique, not in table order
    signup = t0 + secs(rng.integers(0, span_days - 90, n))

    # Skewed activity: a gamma weight per customer; about a tenth of customers have (almost) none.
    weight = rng.gamma(0.7, 1.0, n)
    weight[rng.random(n) < 0.1] = 0.0
    if weight.sum() == 0:
        weight[:] = 1.0
    weight /= weight.sum()

    def who(k: int) -> np.ndarray:
        return rng.choice(n, size=k, p=weight)

    def after_signup(c: np.ndarray) -> np.ndarray:
        """A time between the customer's sign-up and the end of the data."""
        left = (t1 - signup[c]) // day
        return signup[c] + secs((rng.random(len(c)) * left).astype(np.int64)) - (signup[c] % day)

    e = int(n_events)
    n_orders, n_tickets, n_surveys, n_mentions = int(0.5 * e), int(0.15 * e), int(0.12 * e), int(0.1 * e)
    n_returns = min(int(0.08 * e), n_orders)
    n_churn = min(int(0.01 * e), n // 10)

    # Orders.
    oc = who(n_orders)
    o_time = after_signup(oc)
    o_amount = np.round(rng.lognormal(3.8, 0.8, n_orders), 2)
    o_amount[rng.random(n_orders) < 0.01] = 0.0
    order_id = rng.permutation(n_orders).astype(np.int64) + 10_000_000
    orders = pd.DataFrame(
        {"order_id": order_id, "customer_id": cid[oc], "time": as_time(o_time), "amount": o_amount}
    )

    # Returns of some orders: requested after the order, received after the request, refunded after both.
    pick = rng.permutation(n_orders)[:n_returns]
    rc = oc[pick]
    requested = o_time[pick] + day * rng.integers(0, 40, n_returns) + 3600 * rng.integers(0, 3, n_returns)
    received = requested + day * rng.integers(0, 15, n_returns)
    refunded = received + day * rng.integers(0, 30, n_returns) + 3600 * rng.integers(0, 3, n_returns)
    no_receipt = rng.random(n_returns) < 0.15
    no_refund = rng.random(n_returns) < 0.2
    received_ns = as_time(received)
    refunded_ns = as_time(refunded)
    received_ns[no_receipt] = np.datetime64("NaT")
    refunded_ns[no_refund] = np.datetime64("NaT")
    r_amount = np.floor(o_amount[pick] * rng.uniform(0.2, 1.0, n_returns) * 100) / 100
    returns = pd.DataFrame(
        {
            "order_id": order_id[pick],
            "customer_id": cid[rc],
            "requested": as_time(requested),
            "received": received_ns,
            "refunded": refunded_ns,
            "amount": r_amount,
        }
    )

    # Tickets: a theme (some none), resolved later or not at all, CSAT and sentiment sometimes missing.
    tc = who(n_tickets)
    t_time = after_signup(tc)
    theme = np.array(THEMES, dtype=object)[rng.integers(0, len(THEMES), n_tickets)]
    theme[rng.random(n_tickets) < 0.1] = None
    resolved = as_time(t_time + (day * rng.exponential(4.0, n_tickets)).astype(np.int64))
    resolved[rng.random(n_tickets) < 0.15] = np.datetime64("NaT")
    csat = rng.integers(1, 6, n_tickets).astype(np.float64)
    csat[rng.random(n_tickets) < 0.4] = np.nan
    t_sent = np.round(rng.uniform(-1, 1, n_tickets), 3)
    t_sent[rng.random(n_tickets) < 0.2] = np.nan
    tickets = pd.DataFrame(
        {
            "customer_id": cid[tc],
            "time": as_time(t_time),
            "theme": theme,
            "resolved": resolved,
            "csat": csat,
            "sentiment": t_sent,
        }
    )

    # Survey answers of all three kinds, whole scores on their scales.
    sc = who(n_surveys)
    kinds = np.array(["nps", "csat", "ces"], dtype=object)
    k = rng.choice(3, size=n_surveys, p=[0.6, 0.25, 0.15])
    high = np.array([10, 5, 7])[k]
    low = np.array([0, 1, 1])[k]
    score = low + (rng.random(n_surveys) * (high - low + 1)).astype(np.int64)
    surveys = pd.DataFrame(
        {"customer_id": cid[sc], "time": as_time(after_signup(sc)), "kind": kinds[k], "score": score}
    )

    # Social mentions; some anonymous.
    mc = who(n_mentions)
    m_sent = np.round(rng.uniform(-1, 1, n_mentions), 3)
    m_sent[rng.random(n_mentions) < 0.15] = np.nan
    m_ids: Any = pd.array(cid[mc], dtype="Int64")
    if anonymous:
        m_ids[rng.random(n_mentions) < 0.1] = pd.NA
    mentions = pd.DataFrame({"customer_id": m_ids, "time": as_time(after_signup(mc)), "sentiment": m_sent})

    # Explicit churn: a few customers, a handful of them twice.
    cc = rng.choice(n, size=n_churn, replace=False)
    cc = np.concatenate([cc, cc[: n_churn // 20]])
    churn = pd.DataFrame({"customer_id": cid[cc], "time": as_time(after_signup(cc))})

    customers = pd.DataFrame({"customer_id": cid, "signup": as_time(signup)})
    tables = {
        "customers": customers,
        "orders": orders,
        "returns": returns,
        "tickets": tickets,
        "surveys": surveys,
        "mentions": mentions,
        "churn": churn,
    }
    if str_ids:
        for df in tables.values():
            ids = df["customer_id"]
            names = "C" + ids.astype("Int64").astype("string").str.zfill(7)
            df["customer_id"] = names.astype(object).where(ids.notna(), None)
    return tables
