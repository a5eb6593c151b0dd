"""voc on Dask: survey metrics, theme mention rates and churn signals over a ``dask.dataframe``
(an optional extra: ``pip install "dask[dataframe]" distributed``).

The survey metrics and mention rates use voc's mergeable states: every partition is counted into a state
on its worker (:class:`voc.NpsState`, :class:`voc.CsatState`, :class:`voc.CesState`,
:class:`voc.text.MentionState`), the states travel as their versioned byte form (``to_bytes``), are
merged in a tree and finished once. Counts are integers, so the results are exactly those of the
single-process call on the same rows; weighted sums are compensated (Neumaier) and agree to ~1e-12.

* ``nps(df, "nps", by="segment", weights="weight")`` → :class:`voc.NpsResult`, or with ``by`` the same
  :class:`voc.GroupedResult` as ``voc.nps(scores, by=labels)``. ``csat`` and ``ces`` alike.
* ``mention_rates(df, "text", by="channel", time="time", period="quarter")`` → the result of
  ``voc.text.themes().mention_rates(...)``.
* ``features(customers, cutoff=..., orders=..., tickets=...)`` → per-customer churn signals as a
  :class:`voc.Table`: every table is shuffled by customer id into the same partitions so each partition
  holds whole customers, then :meth:`voc.signals.EventLog.features` runs per partition; ``labels(...)``
  likewise.

Everything works on any scheduler (threads, processes, ``distributed``); pass ``scheduler=`` or use a
``distributed.Client``. The PySpark pattern (``mapInPandas`` to states as bytes, merged with a grouped
aggregation) is in ``docs/scale.md``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

import voc
from voc._voc import CesState, CsatState, GroupedResult, NpsState, Table

__all__ = ["nps", "csat", "ces", "mention_rates", "outcome_by_class", "features", "labels", "merge_states"]

_INSTALL = 'voc.dask needs dask: pip install "dask[dataframe]" distributed'
_STATES: dict[str, Any] = {"nps": NpsState, "csat": CsatState, "ces": CesState}


def _dask() -> Any:
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError as e:  # optional extra
        raise ImportError(_INSTALL) from e
    return dask


def _new_state(kind: str, scale: tuple[int, int] | None) -> Any:
    cls = _STATES[kind]
    return cls() if kind == "nps" or scale is None else cls(scale)


def _survey_part(
    part: Any,
    kind: str,
    score: str,
    by: str | None,
    weights: str | None,
    labels: list[Any] | None,
    scale: tuple[int, int] | None,
    missing: str,
) -> bytes:
    """One partition's state as bytes (runs on a worker)."""
    import pandas as pd

    state = _new_state(kind, scale)
    if len(part):
        groups = None
        if by is not None:
            codes = pd.Categorical(part[by], categories=labels).codes.astype(np.int64)
            bad = np.flatnonzero(codes < 0)
            if len(bad):
                null = part[by].isna().to_numpy()
                if missing == "skip" and null[bad].all():
                    # Rows without a group are left out, as voc.nps(..., missing="skip") does.
                    part = part[~null]
                    codes = codes[~null]
                elif null[bad[0]]:
                    raise voc.MissingValueError(
                        f"{by}[{bad[0]}] of a partition is missing (pass missing='skip' to leave such rows out)",
                        by, int(bad[0]),
                    )
                else:
                    value = part[by].iloc[bad[0]]
                    raise voc.InputError(
                        f"{by}[{bad[0]}] of a partition = {value!r} is not among the labels found first", by,
                        int(bad[0]), value,
                    )
            groups = codes
        w = part[weights] if weights is not None else None
        state.update(part[score], weights=w, by=groups, missing=missing)
    return bytes(state.to_bytes())


def merge_states(cls: Any, blobs: list[bytes]) -> bytes:
    """Merges states given as bytes (of class ``cls``) into one, returned as bytes: the reduction step,
    usable from any engine (Dask, Spark, multiprocessing).

    >>> import voc
    >>> a, b = voc.NpsState(), voc.NpsState()
    >>> a.update([10, 9, 3]); b.update([7, 10])
    >>> merged = voc.dask.merge_states(voc.NpsState, [a.to_bytes(), b.to_bytes()])
    >>> voc.NpsState.from_bytes(merged).finish().nps == voc.nps([10, 9, 3, 7, 10]).nps
    True
    """
    if not blobs:
        raise voc.EmptyInputError("no states to merge")
    state = cls.from_bytes(blobs[0])
    for b in blobs[1:]:
        state.merge(cls.from_bytes(b))
    return bytes(state.to_bytes())


def _tree(dask: Any, cls: Any, parts: list[Any], split_every: int) -> Any:
    """Merges delayed byte states in a tree of fan-in ``split_every``."""
    merge = dask.delayed(merge_states, pure=True)
    while len(parts) > 1:
        parts = [merge(cls, parts[i : i + split_every]) for i in range(0, len(parts), split_every)]
    return parts[0]


def _labels(dask: Any, df: Any, by: str, scheduler: Any) -> list[Any]:
    """The labels of column ``by`` in the order of voc's label coder (docs/conventions.md §4): known
    categories in their category order, other values sorted (one pass over the data)."""
    col = df[by]
    cat = getattr(col, "cat", None)
    if cat is not None and getattr(cat, "known", False):
        return list(col.cat.categories)
    values = col.dropna().drop_duplicates().compute(scheduler=scheduler).tolist()
    return sorted(values)


def _survey(
    kind: str,
    df: Any,
    score: str,
    by: str | None,
    weights: str | None,
    scale: tuple[int, int] | None,
    missing: str,
    split_every: int,
    scheduler: Any,
    options: dict[str, Any],
) -> Any:
    dask = _dask()
    if split_every < 2:
        raise voc.InvalidOptionError(f"invalid option split_every: {split_every} must be at least 2", "split_every")
    cols = [score] + [c for c in (by, weights) if c is not None]
    labels = _labels(dask, df, by, scheduler) if by is not None else None
    part_state = dask.delayed(_survey_part, pure=True)
    parts = [part_state(p, kind, score, by, weights, labels, scale, missing) for p in df[cols].to_delayed()]
    cls = _STATES[kind]
    tree = _tree(dask, cls, parts, split_every)
    if by is None:
        (blob,) = dask.compute(tree, scheduler=scheduler)
        return cls.from_bytes(blob).finish(**options)
    # Rows without a group label (left out under missing="skip") are counted in the same graph.
    blob, no_group = dask.compute(tree, df[by].isna().sum() if missing == "skip" else 0, scheduler=scheduler)
    table = _relabel(cls.from_bytes(blob).finish_groups(**options), labels or [])
    no_group = int(no_group)
    n, left_out = int(np.sum(table["n"])), int(np.sum(table["n_missing"]))
    confidence = float(options.get("confidence", 0.95))
    return GroupedResult._from_parts(table, kind, None, confidence, n, left_out + no_group, no_group, 0)


def _relabel(table: Table, labels: list[Any]) -> Table:
    """Replaces the group ids (0..k) of ``finish_groups`` with the labels they stand for."""
    cols = dict(table.to_dict())
    ids = np.asarray(cols["group"], dtype=np.int64)
    picked = [labels[i] for i in ids]
    cols["group"] = np.asarray(picked) if picked and not isinstance(picked[0], str) else picked
    return Table(table.kind, cols)


def nps(
    df: Any,
    score: str,
    *,
    by: str | None = None,
    weights: str | None = None,
    missing: str = "error",
    split_every: int = 8,
    scheduler: Any = None,
    **options: Any,
) -> Any:
    """NPS of column ``score`` of a dask DataFrame, overall (:class:`voc.NpsResult`) or by column ``by``
    (the :class:`voc.GroupedResult` of ``voc.nps(scores, by=...)``: its ``table`` has one row per label,
    sorted), optionally
    weighted by column ``weights``. ``options`` go to ``finish`` (``confidence``, ``interval``, ...).

    >>> import pandas as pd, dask.dataframe as dd, voc.dask
    >>> df = dd.from_pandas(pd.DataFrame({"nps": [10, 9, 3, 7, 10, 0], "seg": list("aabbab")}), npartitions=3)
    >>> round(voc.dask.nps(df, "nps").nps, 4)  # 3 promoters, 2 detractors in 6
    16.6667
    >>> [round(float(x), 4) for x in voc.dask.nps(df, "nps", by="seg").table["nps"]]
    [100.0, -66.6667]
    """
    return _survey("nps", df, score, by, weights, None, missing, split_every, scheduler, options)


def csat(
    df: Any,
    score: str,
    *,
    by: str | None = None,
    weights: str | None = None,
    scale: tuple[int, int] = (1, 5),
    missing: str = "error",
    split_every: int = 8,
    scheduler: Any = None,
    **options: Any,
) -> Any:
    """CSAT of column ``score`` (as :func:`nps`; ``scale`` as in :func:`voc.csat`).

    >>> import pandas as pd, dask.dataframe as dd, voc.dask
    >>> df = dd.from_pandas(pd.DataFrame({"csat": [5, 4, 2, 5, 1]}), npartitions=2)
    >>> voc.dask.csat(df, "csat").satisfied
    0.6
    """
    return _survey("csat", df, score, by, weights, scale, missing, split_every, scheduler, options)


def ces(
    df: Any,
    score: str,
    *,
    by: str | None = None,
    weights: str | None = None,
    scale: tuple[int, int] = (1, 7),
    missing: str = "error",
    split_every: int = 8,
    scheduler: Any = None,
    **options: Any,
) -> Any:
    """CES of column ``score`` (as :func:`nps`; ``scale`` as in :func:`voc.ces`).

    >>> import pandas as pd, dask.dataframe as dd, voc.dask
    >>> df = dd.from_pandas(pd.DataFrame({"ces": [7, 6, 2, 5]}), npartitions=2)
    >>> voc.dask.ces(df, "ces").mean
    5.0
    """
    return _survey("ces", df, score, by, weights, scale, missing, split_every, scheduler, options)


def _mention_part(
    part: Any,
    matcher: Any,
    text: str,
    by: str | None,
    time: str | None,
    period: str | None,
    rollup: bool,
    missing: str,
) -> bytes:
    state = matcher.mention_state(
        part[text],
        by=part[by] if by is not None else None,
        time=part[time] if time is not None else None,
        period=period,
        rollup=rollup,
        missing=missing,
    )
    return bytes(state.to_bytes())


def mention_rates(
    df: Any,
    text: str,
    *,
    matcher: Any = None,
    by: str | None = None,
    time: str | None = None,
    period: str | None = None,
    rollup: bool = True,
    missing: str = "error",
    split_every: int = 8,
    scheduler: Any = None,
    **options: Any,
) -> voc.text.MentionRatesResult:
    """Theme mention rates of the texts in column ``text`` per group (``by``, e.g. the channel) × period:
    the result of ``matcher.mention_rates(df, texts=text, by=..., time=..., period=...)`` (``matcher`` defaults to
    ``voc.text.themes()``), computed from one :class:`voc.text.MentionState` per partition.
    ``options`` go to ``MentionState.finish`` (``confidence``, ``alert_alpha``, ``adjust``, ...).

    >>> import pandas as pd, dask.dataframe as dd, voc.dask
    >>> df = dd.from_pandas(pd.DataFrame({"text": ["退款太慢", "fast delivery", "refund please", "ok"],
    ...                                   "channel": ["chat", "chat", "email", "email"]}), npartitions=2)
    >>> t = voc.dask.mention_rates(df, "text", by="channel").table.to_pandas()
    >>> t[t.theme == "refund"][["group", "mentions", "texts"]].values.tolist()
    [['chat', 1, 2], ['email', 1, 2]]
    """
    dask = _dask()
    from voc._voc import MentionState

    if split_every < 2:
        raise voc.InvalidOptionError(f"invalid option split_every: {split_every} must be at least 2", "split_every")
    m = matcher if matcher is not None else voc.text.themes()
    cols = [text] + [c for c in (by, time) if c is not None]
    part_state = dask.delayed(_mention_part, pure=True)
    parts = [part_state(p, m, text, by, time, period, rollup, missing) for p in df[cols].to_delayed()]
    (blob,) = dask.compute(_tree(dask, MentionState, parts, split_every), scheduler=scheduler)
    return MentionState.from_bytes(blob).finish(**options)


def _outcome_part(pdf: Any, by: str | None, nps: str | None, names: list[Any] | None,
                  outcomes: dict[str, str | None], missing: str) -> bytes:
    state = voc.impact.outcome_state(pdf, by=by, nps=nps, names=names, missing=missing, **outcomes)
    return bytes(state.to_bytes())


def outcome_by_class(
    df: Any,
    *,
    nps: str | None = None,
    by: str | None = None,
    churned: str | None = None,
    spend: str | None = None,
    clv: str | None = None,
    repurchased: str | None = None,
    confidence: float = 0.95,
    missing: str = "error",
    split_every: int = 8,
    scheduler: Any = None,
) -> voc.impact.OutcomeByClassResult:
    """Churn, ARPU, CLV and repurchase per NPS class (``nps=`` a 0–10 score column) or per label
    (``by=``): the result of :func:`voc.impact.outcome_by_class`, from one
    :class:`voc.impact.OutcomeState` per partition, merged as bytes. Labels are found first (one
    pass, or the known categories), so every partition codes them alike; they keep their dtype.

    >>> import pandas as pd, dask.dataframe as dd, voc.dask
    >>> pdf = pd.DataFrame({"nps": [9, 3, 10, 7, 2, 8], "churned": [0, 1, 0, 0, 1, 1]})
    >>> r = voc.dask.outcome_by_class(dd.from_pandas(pdf, npartitions=2), nps="nps", churned="churned")
    >>> r.table.to_pandas()[["group", "n", "churn_rate"]].values.tolist()
    [['detractor', 2, 1.0], ['passive', 2, 0.5], ['promoter', 2, 0.0]]
    """
    dask = _dask()
    from voc._voc import OutcomeState

    if split_every < 2:
        raise voc.InvalidOptionError(f"invalid option split_every: {split_every} must be at least 2", "split_every")
    if (by is None) == (nps is None):
        raise voc.InvalidOptionError("give exactly one of by= (a label column) and nps= (a 0-10 score column)", "by")
    outcomes = {"churned": churned, "spend": spend, "clv": clv, "repurchased": repurchased}
    cols = [c for c in (nps, by, *outcomes.values()) if c is not None]
    names = _labels(dask, df, by, scheduler) if by is not None else None
    part_state = dask.delayed(_outcome_part, pure=True)
    parts = [part_state(p, by, nps, names, outcomes, missing) for p in df[cols].to_delayed()]
    (blob,) = dask.compute(_tree(dask, OutcomeState, parts, split_every), scheduler=scheduler)
    return OutcomeState.from_bytes(blob).finish(confidence=confidence)


_EVENT_TABLES = ("orders", "returns", "tickets", "surveys", "mentions", "churn")


def _co_partition(tables: dict[str, Any], id_col: str, npartitions: int | None) -> tuple[dict[str, list[Any]], int]:
    """Hash-partitions every table on the customer id into the same ``npartitions``, returning each
    table's delayed partitions. Equal ids must hash alike in every table, so numeric ids are cast to
    int64 and other ids to strings first; event rows without an id (anonymous social posts) belong to no
    customer and are left out."""
    for name, t in tables.items():
        if t is not None and not hasattr(t, "to_delayed"):
            raise voc.DtypeError(f"{name} must be a dask DataFrame (use dask.dataframe.from_pandas)", name)
    customers = tables["customers"]
    n = npartitions if npartitions is not None else customers.npartitions
    out: dict[str, list[Any]] = {}
    for name, t in tables.items():
        if t is None:
            continue
        if name != "customers":
            t = t[t[id_col].notnull()]
        if t[id_col].dtype.kind in "iufb":
            t = t.assign(**{id_col: t[id_col].astype("int64")})
        else:
            t = t.assign(**{id_col: t[id_col].astype(str)})
        out[name] = list(t.shuffle(on=id_col, npartitions=n).to_delayed())
    return out, n


def _signals_part(method: str, id_col: str, args: dict[str, Any], kwargs: dict[str, Any], **parts: Any) -> Any:
    customers = parts.pop("customers")
    if len(customers) == 0:
        return None
    log = voc.signals.EventLog(customers, **{k: v for k, v in parts.items() if v is not None}, **args)
    cutoff = kwargs.pop("cutoff")
    table = getattr(log, method)(cutoff, **kwargs)
    return table.kind, table.to_pandas()


def _per_customer(method: str, customers: Any, tables: dict[str, Any], id_col: str, npartitions: int | None,
                  args: dict[str, Any], kwargs: dict[str, Any], scheduler: Any) -> Any:
    dask = _dask()
    import pandas as pd

    parts, n = _co_partition({"customers": customers, **tables}, id_col, npartitions)
    task = dask.delayed(_signals_part, pure=True)
    results = [
        task(method, id_col, args, dict(kwargs), **{name: p[i] for name, p in parts.items()}) for i in range(n)
    ]
    done = [f for f in dask.compute(*results, scheduler=scheduler) if f is not None]
    if not done:
        raise voc.EmptyInputError("customers has no rows")
    kind = done[0][0]
    frames = [f for _, f in done]
    # Theme columns exist where a partition saw that theme: align columns, absent counts are zero
    # (`features` then puts them in the single-process order).
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    out = pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
    for c in columns:
        if c.startswith("theme_") and out[c].isna().any():
            out[c] = out[c].fillna(0)
    return kind, out.sort_values(id_col, kind="stable").reset_index(drop=True)


def _as_table(kind: str, frame: Any) -> Table:
    """The voc.Table of the single-process call from the concatenated partitions: numbers and times as
    numpy arrays, categoricals as they are, strings as lists (the column kinds a Table holds)."""
    import pandas as pd

    columns: dict[str, Any] = {}
    for c in frame.columns:
        col = frame[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            columns[str(c)] = col.array
        elif col.dtype == object:
            columns[str(c)] = col.tolist()
        else:
            columns[str(c)] = col.to_numpy()
    return Table(kind, columns)


def _theme_columns(tickets: Any, scheduler: Any) -> list[str]:
    """The theme columns one ``EventLog`` over every ticket gives, in its order. Each partition only sees
    the themes of its own customers, so without this the theme columns (and their order) would depend on
    ``npartitions``. The distinct themes go through voc's own label coder (a one-customer ``EventLog``),
    so the order is the single-process one by construction."""
    import pandas as pd

    if tickets is None or "theme" not in tickets.columns:
        return []
    themes = tickets["theme"].dropna().unique().compute(scheduler=scheduler)
    if len(themes) == 0:
        return []
    themes = pd.Series(themes, dtype=tickets["theme"].dtype).reset_index(drop=True)
    time = pd.Series(pd.Timestamp("2000-01-01"), index=themes.index)
    log = voc.signals.EventLog(
        {"customer_id": [0], "signup": [pd.Timestamp("2000-01-01")]},
        tickets={"customer_id": [0] * len(themes), "time": time, "resolved": time, "theme": themes},
    )
    return [f"theme_{t}" for t in log.themes]


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
    id_col: str = "customer_id",
    npartitions: int | None = None,
    windows: tuple[int, ...] | list[int] = (30, 90, 180),
    silence_days: int = 90,
    theme_counts: bool = True,
    missing: Literal["error", "skip"] = "error",
    scheduler: Any = None,
) -> Table:
    """Per-customer churn signals at ``cutoff`` from dask DataFrames (the columns of
    :class:`voc.signals.EventLog`): every table is shuffled on ``id_col`` into ``npartitions`` (default:
    those of ``customers``) so each partition holds whole customers with all their events,
    ``EventLog.features`` runs per partition, and the rows come back as one :class:`voc.Table` sorted by
    customer id — the table of the single-process call (same rows, columns and order) whatever
    ``npartitions`` (docs/conventions.md §5: no pandas frames; ``.to_pandas()`` gives one). ``missing="skip"`` leaves bad rows out per partition (see
    :class:`voc.signals.EventLog`).

    >>> import dask.dataframe as dd, voc, voc.dask
    >>> data = voc.sample.retailer(seed=7, customers=500)
    >>> t = {k: dd.from_pandas(v.to_pandas(), npartitions=2) for k, v in data.tables().items()}
    >>> X = voc.dask.features(t.pop("customers"), cutoff="2025-01-01", **t)
    >>> one = voc.signals.EventLog(**data.tables()).features("2025-01-01").to_pandas()
    >>> isinstance(X, voc.Table), len(X) == len(one), X.columns == list(one.columns)
    (True, True, True)
    >>> bool(X["monetary"].sum() == one["monetary"].sum())
    True
    """
    tables = {"orders": orders, "returns": returns, "tickets": tickets, "surveys": surveys,
              "mentions": mentions, "churn": churn}
    kwargs = {"cutoff": cutoff, "windows": list(windows), "silence_days": silence_days,
              "theme_counts": theme_counts}
    kind, out = _per_customer("features", customers, tables, id_col, npartitions, {"missing": missing},
                              kwargs, scheduler)
    if not theme_counts:
        return _as_table(kind, out)
    # Theme columns: those of the single-process call, in its order; a theme no partition counted is 0.
    themes = _theme_columns(tickets, scheduler)
    for c in themes:
        if c not in out.columns:
            out[c] = 0.0
    others = [c for c in out.columns if not c.startswith("theme_")]
    return _as_table(kind, out[others + themes + [c for c in out.columns if c.startswith("theme_") and c not in themes]])


def labels(
    customers: Any,
    *,
    cutoff: Any,
    horizon_days: int = 180,
    orders: Any = None,
    returns: Any = None,
    tickets: Any = None,
    surveys: Any = None,
    mentions: Any = None,
    churn: Any = None,
    id_col: str = "customer_id",
    npartitions: int | None = None,
    missing: Literal["error", "skip"] = "error",
    scheduler: Any = None,
) -> Table:
    """Churn labels in the ``horizon_days`` after ``cutoff`` (:meth:`voc.signals.EventLog.labels`),
    partitioned like :func:`features`; one :class:`voc.Table` sorted by customer id.

    >>> import dask.dataframe as dd, voc, voc.dask
    >>> data = voc.sample.retailer(seed=7, customers=500)
    >>> t = {k: dd.from_pandas(v.to_pandas(), npartitions=2) for k, v in data.tables().items()}
    >>> y = voc.dask.labels(t.pop("customers"), cutoff="2025-01-01", horizon_days=180, **t)
    >>> int(y["churned"].sum()) == int(voc.signals.EventLog(**data.tables()).labels("2025-01-01", horizon_days=180)["churned"].sum())
    True
    """
    tables = {"orders": orders, "returns": returns, "tickets": tickets, "surveys": surveys,
              "mentions": mentions, "churn": churn}
    kwargs = {"cutoff": cutoff, "horizon_days": horizon_days}
    kind, out = _per_customer("labels", customers, tables, id_col, npartitions, {"missing": missing},
                              kwargs, scheduler)
    return _as_table(kind, out)


def mention_alerts(
    df: Any,
    text: str,
    *,
    time: str,
    period: str = "week",
    matcher: Any = None,
    by: str | None = None,
    rollup: bool = True,
    missing: str = "error",
    split_every: int = 8,
    scheduler: Any = None,
    **options: Any,
) -> voc.anomaly.AlertsResult:
    """Seasonal anomaly alerts on the theme mentions of the texts in column ``text`` per group (``by``) ×
    ``period``: ``MentionState.seasonal_alerts(**options)`` on the merge of one
    :class:`voc.text.MentionState` per partition, the same result as on all the texts at once.

    >>> import numpy as np, pandas as pd, dask.dataframe as dd, voc.dask
    >>> days = pd.date_range("2024-01-01", periods=30)
    >>> texts = ["refund please" if i % 3 == 0 else "thanks" for i in range(300)]
    >>> texts[-10:] = ["refund please"] * 10  # the last day: every text asks for a refund
    >>> df = dd.from_pandas(pd.DataFrame({"text": texts, "time": np.repeat(days, 10)}), npartitions=3)
    >>> t = voc.dask.mention_alerts(df, "text", time="time", period="day").table.to_pandas()
    >>> t[t.alert][["theme", "period", "observed"]].values.tolist()
    [['refund', '2024-01-30', 10.0]]
    """
    dask = _dask()
    from voc._voc import MentionState

    if split_every < 2:
        raise voc.InvalidOptionError(f"invalid option split_every: {split_every} must be at least 2", "split_every")
    m = matcher if matcher is not None else voc.text.themes()
    cols = [text, time] + ([by] if by is not None else [])
    part_state = dask.delayed(_mention_part, pure=True)
    parts = [part_state(p, m, text, by, time, period, rollup, missing) for p in df[cols].to_delayed()]
    (blob,) = dask.compute(_tree(dask, MentionState, parts, split_every), scheduler=scheduler)
    return MentionState.from_bytes(blob).seasonal_alerts(**options)


__all__ += ["mention_alerts"]
