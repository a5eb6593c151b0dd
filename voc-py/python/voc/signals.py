"""Per-customer churn signals from multi-channel events, as of a cutoff.

Build an :class:`EventLog` once from the customer table and any event tables (pandas or polars
DataFrames, pyarrow tables, dicts of columns, or anything with ``__arrow_c_stream__``), then ask for
:meth:`EventLog.features` and :meth:`EventLog.labels` at any cutoff::

    >>> import voc
    >>> data = voc.sample.retailer(seed=7, customers=2_000)
    >>> log = voc.signals.EventLog(data.customers, orders=data.orders, returns=data.returns,
    ...                            tickets=data.tickets, surveys=data.surveys,
    ...                            mentions=data.mentions, churn=data.churn)
    >>> X = log.features("2025-01-01")
    >>> "refund_delay_max_days" in X.columns
    True
    >>> y = log.labels("2025-01-01", horizon_days=180)
    >>> len(y) == len(X)
    True

Features use only events strictly before the cutoff; labels only the horizon after it. Every row is
validated (unknown customer ids, refunds before their return, negative amounts, scores off their scale):
the first bad row raises an error naming the column, position and value, or with ``missing="skip"`` bad
rows are left out and counted in :attr:`EventLog.n_missing` (by table and reason in
:attr:`EventLog.skipped`). The columns expected in each table and every
feature's definition are in ``docs/signals.md``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal

from voc import _args
from voc._voc import EventLog, Table

__all__ = ["EventLog", "Features", "features"]


@dataclass(frozen=True)
class Features:
    """Churn signals at one cutoff (:func:`features`) and what was left out to compute them.

    ``table`` holds ``customer_id`` and one column per signal (see docs/signals.md); ``n`` is its number of
    rows (customers who had signed up before the cutoff); ``n_missing`` the event rows left out under
    ``missing="skip"``, by table and reason in ``skipped``; ``anonymous_mentions`` the mentions without a
    customer id, which no customer's signals count.
    """

    table: Table
    n: int
    n_missing: int
    anonymous_mentions: int
    skipped: Table

    def to_dict(self) -> dict[str, Any]:
        """The headline numbers as a dict (the tables are left out).

        >>> import voc
        >>> data = voc.sample.retailer(seed=7, customers=200)
        >>> sorted(voc.signals.features(data.customers, cutoff="2025-01-01", orders=data.orders).to_dict())
        ['anonymous_mentions', 'n', 'n_missing']
        """
        return {"n": self.n, "n_missing": self.n_missing, "anonymous_mentions": self.anonymous_mentions}

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in self.to_dict().items())
        return f"<p><b>voc Features</b></p><table>{rows}</table>" + self.table._repr_html_()


def features(
    customers: Any,
    *,
    cutoff: Any,
    orders: Any = None,
    returns: Any = None,
    tickets: Any = None,
    surveys: Any = None,
    mentions: Any = None,
    churn: Any = None,
    windows: tuple[int, ...] | list[int] = (30, 90, 180),
    silence_days: int = 90,
    theme_counts: bool = True,
    missing: Literal["error", "skip"] = "error",
) -> Features:
    """Builds an :class:`EventLog` and returns its features at ``cutoff`` (one call for one cutoff), with
    the rows left out under ``missing="skip"``.

    >>> import numpy as np, voc
    >>> customers = {"customer_id": [1, 2], "signup": np.array(["2025-01-01", "2025-01-01"], dtype="datetime64[s]")}
    >>> orders = {"customer_id": [1, 1, 2, 3],
    ...           "time": np.array(["2025-01-05", "2025-02-01", "2025-01-09", "2025-01-09"], dtype="datetime64[s]"),
    ...           "amount": [50.0, 20.0, 80.0, 10.0]}
    >>> f = voc.signals.features(customers, orders=orders, cutoff="2025-03-01", missing="skip")
    >>> f.table["monetary"].tolist(), f.n_missing
    ([70.0, 80.0], 1)
    """
    log = EventLog(
        customers,
        orders=orders,
        returns=returns,
        tickets=tickets,
        surveys=surveys,
        mentions=mentions,
        churn=churn,
        missing=missing,
    )
    table = log.features(cutoff, windows=_args.names(windows, "windows"), silence_days=silence_days, theme_counts=theme_counts)
    return Features(
        table=table,
        n=len(table),
        n_missing=log.n_missing,
        anonymous_mentions=log.anonymous_mentions,
        skipped=log.skipped,
    )
