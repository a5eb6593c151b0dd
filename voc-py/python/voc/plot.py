"""Charts of voc results with matplotlib (an optional extra: ``pip install "voc[plot]"``).

Each function takes the result (or its ``voc.Table`` / pandas / polars DataFrame / dict of columns), draws
on ``ax`` (a new figure when None) and returns the matplotlib ``Axes``; save it with
``ax.figure.savefig("nps.png")``.

* ``nps_trend(voc.nps(scores, period="month", time=t))``: score by period with its confidence band
  (one line per group with ``by=``); works for the CSAT / CES trend tables with ``value=``.
* ``kaplan_meier(voc.retention.kaplan_meier(df, durations=..., events=..., by=...))``: survival step curves
  with their bands.
* ``drivers(table)``: horizontal bars of driver importance (columns ``driver`` and ``importance`` or
  ``share``; optional ``ci_low`` / ``ci_high`` error bars and ``sign`` colouring).
* ``gains(voc.risk.lift(y=y, scores=p))`` / ``lift(...)``: cumulative gains curve, lift per score group.
* ``value_voice(profile, segments)``: value tier × voice heatmap of a profile column, values written in.
* ``mention_trend(rates, "refund")``: a theme's mention rate per channel and period with its band.
* ``qini(voc.uplift.qini_curve(...), perfect=voc.uplift.perfect_qini_curve(...))``: the Qini curve of an
  uplift ranking with the random line (and the perfect curve when given).
* ``uplift_by_decile(voc.uplift.uplift_by_percentile(...))``: response rate of each arm and the uplift per
  decile of the ranking, with their intervals.

>>> import matplotlib; matplotlib.use("Agg")
>>> import voc, voc.plot
>>> import numpy as np
>>> when = np.array(["2025-01-03", "2025-01-09", "2025-01-20", "2025-02-02", "2025-02-11", "2025-02-19",
...                  "2025-03-01", "2025-03-08"], dtype="datetime64[s]")
>>> t = voc.nps([10, 9, 3, 8, 10, 6, 9, 10], period="month", time=when)
>>> ax = voc.plot.nps_trend(t)
>>> ax.get_ylabel()
'NPS'
>>> [round(float(v), 1) for v in ax.lines[0].get_ydata()]
[33.3, 0.0, 100.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from voc._voc import KaplanMeierResult

__all__ = [
    "nps_trend",
    "kaplan_meier",
    "drivers",
    "gains",
    "lift",
    "value_voice",
    "mention_trend",
    "qini",
    "uplift_by_decile",
]

_INSTALL = 'voc.plot needs matplotlib: pip install "voc[plot]" (or pip install "matplotlib>=3.7")'


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # optional extra
        raise ImportError(_INSTALL) from e
    return plt


def _axes(ax: Any, figsize: tuple[float, float] = (7.0, 4.0)) -> Any:
    if ax is not None:
        return ax
    plt = _pyplot()
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def _columns(data: Any, arg: str) -> dict[str, np.ndarray]:
    """The columns of a voc.Table (or a result holding one in ``.table``), pandas / polars DataFrame, pyarrow
    table or dict as numpy arrays."""
    inner = getattr(data, "table", None)
    if inner is not None and hasattr(inner, "kind") and hasattr(inner, "to_dict"):  # a result with a table
        data = inner
    if hasattr(data, "to_dict") and hasattr(data, "kind") and hasattr(data, "meta"):  # voc.Table
        raw = dict(data.to_dict())
    elif hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, np.ndarray):
        raw = {str(c): data[c] for c in data.columns}
    elif hasattr(data, "column_names"):  # pyarrow.Table
        raw = {c: data[c] for c in data.column_names}
    elif isinstance(data, dict):
        raw = dict(data)
    else:
        raise TypeError(f"{arg} has type {type(data).__name__}; expected a voc.Table, DataFrame or dict of columns")
    out: dict[str, np.ndarray] = {}
    for k, v in raw.items():
        if hasattr(v, "to_numpy"):
            v = v.to_numpy()
        out[str(k)] = np.asarray(v)
    return out


def _need(cols: dict[str, np.ndarray], names: list[str], arg: str) -> None:
    missing = [n for n in names if n not in cols]
    if missing:
        raise ValueError(f"{arg} lacks the column(s) {missing}; it has {sorted(cols)}")


def _band_name(obj: Any) -> str:
    """ "95% CI band" when the result says its confidence level, else "CI band"."""
    level = getattr(obj, "confidence", None)
    return f"{100 * float(level):g}% CI band" if isinstance(level, (int, float)) else "CI band"


def _x_positions(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    return np.arange(len(labels), dtype=float), [str(v) for v in labels]


def nps_trend(
    table: Any,
    *,
    value: str | None = None,
    group: Any = None,
    band: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Score by period with its confidence band, from a ``period=`` trend table of
    :func:`voc.nps` / :func:`voc.csat` / :func:`voc.ces` (or any table with ``period``, the value column,
    ``ci_low`` and ``ci_high``).

    ``value`` is the column to plot (default: ``nps``, ``satisfied`` or ``mean``, whichever exists).
    With a ``group`` column (``by=``) each group is one line; ``group=`` picks one or a list of them.
    Periods without a value (NaN) leave a gap.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> t = {"period": ["2025-01", "2025-02"], "nps": [12.0, 18.5], "ci_low": [8.0, 14.0], "ci_high": [16.0, 23.0]}
    >>> ax = voc.plot.nps_trend(t)
    >>> ax.lines[0].get_ydata().tolist(), len(ax.collections)
    ([12.0, 18.5], 1)
    """
    cols = _columns(table, "table")
    if value is None:
        value = next((c for c in ("nps", "satisfied", "mean") if c in cols), "nps")
    _need(cols, ["period", value], "table")
    ax = _axes(ax)
    periods = sorted(set(str(p) for p in cols["period"]))
    x_of = {p: i for i, p in enumerate(periods)}
    if "group" in cols:
        names = list(dict.fromkeys(cols["group"].tolist()))
        if group is not None:
            wanted = group if isinstance(group, (list, tuple)) else [group]
            names = [g for g in names if g in wanted]
        selections: list[tuple[str | None, Any]] = [(str(g), cols["group"] == g) for g in names]
    else:
        selections = [(None, np.ones(len(cols["period"]), dtype=bool))]
    scale = 100.0 if value in ("satisfied", "dissatisfied", "easy", "high_effort") else 1.0
    for label, rows in selections:
        x = np.array([x_of[str(p)] for p in cols["period"][rows]], dtype=float)
        y = cols[value][rows].astype(float) * scale
        (line,) = ax.plot(x, y, marker="o", label=label)
        if band and "ci_low" in cols and "ci_high" in cols:
            lo = cols["ci_low"][rows].astype(float) * scale
            hi = cols["ci_high"][rows].astype(float) * scale
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xticks(np.arange(len(periods)), periods, rotation=45 if len(periods) > 6 else 0, ha="right" if len(periods) > 6 else "center")
    ax.set_xlabel("period")
    names_by_value = {"nps": "NPS", "satisfied": "CSAT satisfied (%)", "mean": "mean score"}
    ax.set_ylabel(names_by_value.get(value, value))
    if value == "nps":
        ax.axhline(0.0, color="0.6", linewidth=0.8)
    if selections[0][0] is not None:
        ax.legend(title="group", fontsize="small")
    ax.set_title(title if title is not None else f"{names_by_value.get(value, value)} by period, {_band_name(table)}")
    ax.grid(alpha=0.3)
    return ax


def kaplan_meier(
    result: Any,
    *,
    groups: list[Any] | None = None,
    band: bool = True,
    time_scale: float = 1.0,
    time_label: str = "time",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Kaplan–Meier survival curves (steps) with their confidence bands, from a
    :class:`voc.retention.KaplanMeierResult` or its ``table``.

    ``groups`` picks and orders the groups; ``time_scale`` divides the times (e.g. 30.44 to plot days as
    months, with ``time_label="months"``). Each curve starts at S(0) = 1.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> km = voc.retention.kaplan_meier(durations=[5.0, 8.0, 12.0, 20.0], events=[1, 0, 1, 1])
    >>> ax = voc.plot.kaplan_meier(km)
    >>> ax.lines[0].get_ydata().tolist()
    [1.0, 0.75, 0.75, 0.375, 0.0]
    """
    table = result.table if isinstance(result, KaplanMeierResult) else result
    cols = _columns(table, "result")
    _need(cols, ["time", "survival"], "result")
    ax = _axes(ax)
    if "group" in cols:
        names = list(dict.fromkeys(cols["group"].tolist())) if groups is None else list(groups)
        selections: list[tuple[str | None, Any]] = [(str(g), cols["group"] == g) for g in names]
    else:
        selections = [(None, np.ones(len(cols["time"]), dtype=bool))]
    for label, rows in selections:
        t = np.concatenate([[0.0], cols["time"][rows].astype(float) / time_scale])
        s = np.concatenate([[1.0], cols["survival"][rows].astype(float)])
        (line,) = ax.step(t, s, where="post", label=label)
        if band and "ci_low" in cols and "ci_high" in cols:
            lo = np.concatenate([[1.0], cols["ci_low"][rows].astype(float)])
            hi = np.concatenate([[1.0], cols["ci_high"][rows].astype(float)])
            ax.fill_between(t, lo, hi, step="post", color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel(time_label)
    ax.set_ylabel("survival probability S(t)")
    if selections[0][0] is not None:
        ax.legend(fontsize="small")
    ax.set_title(title if title is not None else f"Kaplan–Meier survival, {_band_name(result)}")
    ax.grid(alpha=0.3)
    return ax


def drivers(
    table: Any,
    *,
    value: str | None = None,
    top: int | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Horizontal bars of driver importance, largest at the top.

    ``table`` has a ``driver`` column and ``importance`` or ``share`` (or the column named by ``value``);
    optional ``ci_low`` / ``ci_high`` are drawn as error bars and an optional ``sign`` column (numbers or
    "+"/"-") colours the bars that lower the outcome differently. ``top`` keeps the largest ``top``.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc.plot
    >>> ax = voc.plot.drivers({"driver": ["refund slow", "late delivery"], "importance": [0.3, 0.1]})
    >>> [t.get_text() for t in ax.get_yticklabels()], [float(b.get_width()) for b in ax.patches]
    (['late delivery', 'refund slow'], [0.1, 0.3])
    """
    cols = _columns(table, "table")
    if value is None:
        value = next((c for c in ("importance", "share") if c in cols), "importance")
    _need(cols, ["driver", value], "table")
    v = cols[value].astype(float)
    order = np.argsort(-v, kind="stable")
    if top is not None:
        order = order[:top]
    order = order[::-1]  # barh draws bottom-up: largest last = on top
    names = [str(d) for d in cols["driver"][order]]
    ax = _axes(ax, figsize=(7.0, max(2.5, 0.4 * len(names) + 1.0)))
    colors = ["C0"] * len(order)
    if "sign" in cols:
        raw = cols["sign"][order]
        negative = [
            (str(s).strip() in ("-", "−", "negative")) if isinstance(s, str) else float(s) < 0 for s in raw
        ]
        colors = ["C3" if n else "C0" for n in negative]
    xerr = None
    if "ci_low" in cols and "ci_high" in cols:
        lo, hi = cols["ci_low"].astype(float)[order], cols["ci_high"].astype(float)[order]
        xerr = np.vstack([np.maximum(v[order] - lo, 0.0), np.maximum(hi - v[order], 0.0)])
    ax.barh(np.arange(len(order)), v[order], xerr=xerr, color=colors, capsize=3 if xerr is not None else 0)
    if "sign" in cols and len(set(colors)) > 1:
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color="C0", label="raises the outcome"), Patch(color="C3", label="lowers the outcome")],
                  loc="lower right", fontsize="small")
    ax.set_yticks(np.arange(len(order)), names)
    ax.set_xlabel(value)
    ax.set_ylabel("driver")
    ax.set_title(title if title is not None else "Driver importance" + (" with intervals" if xerr is not None else ""))
    ax.grid(axis="x", alpha=0.3)
    return ax


def gains(table: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """Cumulative gains curve from :func:`voc.risk.lift`: share of churners caught against share of
    customers contacted (highest scores first), with the random-targeting diagonal.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> t = voc.risk.lift(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], bins=4)
    >>> voc.plot.gains(t).lines[0].get_ydata().tolist()
    [0.0, 66.66666666666666, 100.0, 100.0, 100.0]
    """
    cols = _columns(table, "table")
    _need(cols, ["n", "cumulative_gain"], "table")
    n = cols["n"].astype(float)
    x = np.concatenate([[0.0], np.cumsum(n) / n.sum()]) * 100.0
    y = np.concatenate([[0.0], cols["cumulative_gain"].astype(float)]) * 100.0
    ax = _axes(ax, figsize=(5.0, 5.0))
    ax.plot(x, y, marker="o", label="model")
    ax.plot([0, 100], [0, 100], linestyle="--", color="0.5", label="random")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("customers contacted, highest risk first (%)")
    ax.set_ylabel("churners reached (%)")
    ax.legend(loc="lower right")
    ax.set_title(title if title is not None else "Cumulative gains")
    ax.grid(alpha=0.3)
    return ax


def lift(table: Any, *, cumulative: bool = False, ax: Any = None, title: str | None = None) -> Any:
    """Lift per score group from :func:`voc.risk.lift` (group 1 = highest scores) as bars, with the line
    lift = 1 (random targeting); ``cumulative=True`` plots the cumulative lift.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> t = voc.risk.lift(y=[1, 1, 0, 1, 0, 0, 0, 0], scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], bins=4)
    >>> [round(float(b.get_height()), 3) for b in voc.plot.lift(t).patches]
    [2.667, 1.333, 0.0, 0.0]
    """
    cols = _columns(table, "table")
    column = "cumulative_lift" if cumulative else "lift"
    _need(cols, ["group", column], "table")
    ax = _axes(ax)
    x, labels = _x_positions(cols["group"])
    ax.bar(x, cols[column].astype(float), color="C0")
    ax.axhline(1.0, linestyle="--", color="0.5")
    ax.set_xticks(x, labels)
    ax.set_xlabel("score group (1 = highest risk)")
    ax.set_ylabel("cumulative lift" if cumulative else "lift (churn rate / average)")
    ax.set_title(title if title is not None else ("Cumulative lift" if cumulative else "Lift by score group"))
    ax.grid(axis="y", alpha=0.3)
    return ax


def value_voice(
    profile: Any,
    /,
    *,
    by: Any = None,
    values: str = "churn_rate",
    fmt: str | None = None,
    cmap: str = "Reds",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Heatmap of the value tier × voice matrix of one profile column, with the values written in.

    ``profile`` is :func:`voc.segment.profile` output with ``by`` the :func:`voc.segment.value_voice`
    table it came from, or directly a matrix: the :class:`voc.Table` :func:`voc.segment.matrix` returns
    (``value_tier`` column, then one column per voice) or a pandas DataFrame (rows = tiers, columns =
    voices). ``fmt`` formats the cell text (default: percent for rates).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd, voc.plot
    >>> grid = pd.DataFrame({"silent": [0.25, 0.1], "complainer": [0.5, 0.2]}, index=["high", "low"])
    >>> ax = voc.plot.value_voice(grid)
    >>> [t.get_text() for t in ax.texts]
    ['25%', '50%', '10%', '20%']
    """
    grid = profile
    if by is not None:
        from voc.segment import matrix

        grid = matrix(profile, by=by, values=values)
    if hasattr(grid, "columns") and "value_tier" in list(grid.columns) and not hasattr(grid, "index"):
        voices = [c for c in grid.columns if c != "value_tier"]
        row_names = [str(t) for t in grid["value_tier"]]
        z = np.column_stack([np.asarray(grid[c], dtype=float) for c in voices]) if voices else np.zeros((len(row_names), 0))
    elif hasattr(grid, "index") and hasattr(grid, "columns"):
        voices = list(grid.columns)
        row_names = [str(r) for r in grid.index]
        z = np.asarray(grid.to_numpy(), dtype=float)
    else:
        raise TypeError("value_voice needs a profile table and by= its value_voice table, or a matrix")
    rate = values.endswith("rate") or values.startswith("share")
    if fmt is None:
        fmt = "{:.0%}" if rate else "{:,.0f}"
    ax = _axes(ax, figsize=(1.35 * z.shape[1] + 2.5, 0.9 * z.shape[0] + 1.5))
    masked = np.ma.masked_invalid(z)
    image = ax.imshow(masked, cmap=cmap, aspect="auto")
    finite = z[np.isfinite(z)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            text = "–" if not np.isfinite(z[i, j]) else fmt.format(z[i, j])
            dark = np.isfinite(z[i, j]) and z[i, j] > mid
            ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black")
    ax.set_xticks(np.arange(z.shape[1]), [str(c) for c in voices])
    ax.set_yticks(np.arange(z.shape[0]), row_names)
    ax.set_xlabel("voice")
    ax.set_ylabel("value tier")
    bar = ax.figure.colorbar(image, ax=ax, label=values.replace("_", " "))
    if rate:
        from matplotlib.ticker import PercentFormatter

        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title(title if title is not None else f"Value × voice: {values.replace('_', ' ')}")
    return ax


def mention_trend(
    rates: Any,
    theme: str,
    *,
    channels: list[Any] | None = None,
    band: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """One theme's mention rate (percent of texts) per period, one line per group (``channels``: the
    groups to draw), with its interval band, from ``ThemeMatcher.mention_rates(texts, by=..., time=...,
    period=...)``.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, voc, voc.plot
    >>> when = np.array(["2025-01-05", "2025-01-09", "2025-04-02", "2025-04-03"], dtype="datetime64[s]")
    >>> rates = voc.text.themes().mention_rates(["退款慢", "ok", "refund late", "great"], time=when, period="quarter")
    >>> voc.plot.mention_trend(rates, "refund").lines[0].get_ydata().tolist()
    [50.0, 50.0]
    """
    cols = _columns(rates, "rates")
    _need(cols, ["theme", "period", "rate"], "rates")
    keep = cols["theme"] == theme
    if not keep.any():
        raise ValueError(f"theme {theme!r} is not in rates; it has {sorted(set(cols['theme'].tolist()))}")
    ax = _axes(ax)
    periods = sorted(set(str(p) for p in cols["period"][keep]))
    x_of = {p: i for i, p in enumerate(periods)}
    if "group" in cols:
        names = list(dict.fromkeys(cols["group"][keep].tolist())) if channels is None else list(channels)
        selections: list[tuple[str | None, Any]] = [(str(c), keep & (cols["group"] == c)) for c in names]
    else:
        selections = [(None, keep)]
    for label, rows in selections:
        x = np.array([x_of[str(p)] for p in cols["period"][rows]], dtype=float)
        (line,) = ax.plot(x, cols["rate"][rows].astype(float) * 100, marker="o", label=label)
        if band and "ci_low" in cols and "ci_high" in cols:
            ax.fill_between(
                x,
                cols["ci_low"][rows].astype(float) * 100,
                cols["ci_high"][rows].astype(float) * 100,
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
    ax.set_xticks(np.arange(len(periods)), periods, rotation=45 if len(periods) > 6 else 0)
    ax.set_xlabel("period")
    ax.set_ylabel(f"texts mentioning {theme} (%)")
    if selections[0][0] is not None:
        ax.legend(title="channel", fontsize="small")
    ax.set_title(title if title is not None else f"Mention rate of {theme!r}, {_band_name(rates)}")
    ax.grid(alpha=0.3)
    return ax


def qini(
    curve: Any,
    *,
    perfect: Any = None,
    random: bool = True,
    score: Any = None,
    label: str = "model",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The Qini curve of an uplift ranking, from :func:`voc.uplift.qini_curve` (columns ``targeted`` and
    ``value``): extra responders among the contacted against customers contacted, highest predicted
    uplift first, with the random line (from (0, 0) to the curve's end, as scikit-uplift's) and, when
    given, the perfect curve (``perfect=`` :func:`voc.uplift.perfect_qini_curve`). ``score=`` a
    :func:`voc.uplift.qini_auc` result writes the Qini coefficient into the legend. To compare models,
    draw each on the same ``ax`` (with ``random=False`` after the first).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> y, t, u = [1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0], [0.9, 0.1, 0.2, 0.5, 0.8, 0.3]
    >>> ax = voc.plot.qini(voc.uplift.qini_curve(outcome=y, treatment=t, uplift=u),
    ...                    perfect=voc.uplift.perfect_qini_curve(outcome=y, treatment=t))
    >>> ax.lines[0].get_ydata().tolist(), [line.get_label() for line in ax.lines[:3]]
    ([0.0, 1.0, 2.0, 2.0, 2.0, 0.5, 1.0], ['model', 'random', 'perfect'])
    """
    cols = _columns(curve, "curve")
    _need(cols, ["targeted", "value"], "curve")
    x = cols["targeted"].astype(float)
    v = cols["value"].astype(float)
    ax = _axes(ax, figsize=(6.0, 4.5))
    if score is not None and getattr(score, "estimate", None) is not None:
        label = f"{label} (Qini coefficient {float(score.estimate):.3f})"
    ax.plot(x, v, label=label)
    if random and x.size:
        ax.plot([0.0, x[-1]], [0.0, v[-1]], linestyle="--", color="0.5", label="random")
    if perfect is not None:
        pc = _columns(perfect, "perfect")
        _need(pc, ["targeted", "value"], "perfect")
        ax.plot(pc["targeted"].astype(float), pc["value"].astype(float), linestyle=":", color="C2", label="perfect")
    ax.axhline(0.0, color="0.8", linewidth=0.8)
    ax.set_xlabel("customers contacted, highest predicted uplift first")
    ax.set_ylabel("extra responders among the contacted (Qini)")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title if title is not None else "Qini curve")
    ax.grid(alpha=0.3)
    return ax


def uplift_by_decile(table: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """Response rate of each arm (bars) and the uplift (points) per bin of the ranking, in percent, each
    with its interval, from :func:`voc.uplift.uplift_by_percentile` (deciles by default; bin 1 = the
    highest predicted uplift). The ``total`` row is drawn as the overall uplift (a dotted line). A bin
    without rows of an arm has no bar for it.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> t = voc.uplift.uplift_by_percentile(outcome=[1, 0, 1, 0, 1, 0, 1, 1], treatment=[1, 0, 0, 1, 1, 0, 0, 1],
    ...                                     uplift=[0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7], bins=2,
    ...                                     strategy="by_group")
    >>> ax = voc.plot.uplift_by_decile(t)
    >>> uplift = next(line for line in ax.lines if line.get_gid() == "uplift")
    >>> [float(b.get_height()) for b in ax.patches], [float(v) for v in uplift.get_ydata()]
    ([100.0, 50.0, 50.0, 50.0], [50.0, 0.0])
    """
    cols = _columns(table, "table")
    _need(cols, ["percentile", "rate_treated", "rate_control", "uplift"], "table")
    labels = [str(v) for v in cols["percentile"]]
    bins = np.array([lab != "total" for lab in labels])
    total = [i for i, lab in enumerate(labels) if lab == "total"]
    names = [lab for lab, keep in zip(labels, bins) if keep]
    x = np.arange(len(names), dtype=float)
    ax = _axes(ax, figsize=(max(6.0, 0.7 * len(names) + 2.5), 4.5))
    width = 0.38

    def column(name: str, rows: Any = bins) -> np.ndarray | None:
        return cols[name][rows].astype(float) * 100.0 if name in cols else None

    def whiskers(mid: np.ndarray, lo: np.ndarray | None, hi: np.ndarray | None) -> np.ndarray | None:
        if lo is None or hi is None:
            return None
        return np.vstack([np.maximum(mid - lo, 0.0), np.maximum(hi - mid, 0.0)])

    for arm, offset, color in (("treated", -width / 2, "C0"), ("control", width / 2, "C7")):
        rate = cols[f"rate_{arm}"][bins].astype(float) * 100.0
        err = whiskers(rate, column(f"rate_{arm}_ci_low"), column(f"rate_{arm}_ci_high"))
        ax.bar(x + offset, rate, width, yerr=err, color=color, capsize=2 if err is not None else 0,
               label=f"response rate, {'contacted' if arm == 'treated' else 'held out'}")
    uplift = cols["uplift"][bins].astype(float) * 100.0
    err = whiskers(uplift, column("ci_low"), column("ci_high"))
    drawn = ax.errorbar(x, uplift, yerr=err, color="C3", marker="o", linestyle="-", capsize=3, label="uplift")
    drawn.lines[0].set_gid("uplift")  # the line of the uplift values (the other lines are whisker caps)
    if total:
        overall = float(cols["uplift"][total[0]]) * 100.0
        ax.axhline(overall, color="C3", linestyle=":", linewidth=1.0, label=f"overall uplift {overall:.1f} pts")
    ax.axhline(0.0, color="0.5", linewidth=0.8)
    ax.set_xticks(x, names, rotation=45 if len(names) > 10 else 0)
    ax.set_xlabel("bin of the ranking (highest predicted uplift first)")
    ax.set_ylabel("percent / percentage points")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title if title is not None else "Response rate per arm and uplift by decile")
    ax.grid(axis="y", alpha=0.3)
    return ax
def anomalies(
    alerts: Any,
    *,
    group: Any = None,
    theme: str | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The anomaly chart of one series from ``voc.anomaly.seasonal_alerts`` or
    ``MentionState.seasonal_alerts``: the observed counts, the expected count with the band up to the
    alert threshold (``upper``), and the alerts marked. With several series, pick one by ``group`` and/or
    ``theme``. For ``voc.anomaly.score_alerts`` the band runs between its ``lower`` and ``upper`` bounds
    (the expected score on a side the alerts do not use) and the y axis is the score.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd, voc, voc.plot
    >>> res = voc.anomaly.seasonal_alerts(counts=[10, 12, 9, 11, 10, 13, 9, 10, 12, 31],
    ...                                   time=pd.date_range("2024-03-01", periods=10), period="day")
    >>> ax = voc.plot.anomalies(res)
    >>> [len(line.get_xdata()) for line in ax.lines], ax.get_legend_handles_labels()[1]
    ([6, 6, 1], ['expected band', 'observed', 'expected', 'alert'])
    """
    from voc.errors import InvalidOptionError

    cols = _columns(alerts, "alerts")
    scores = "lower" in cols  # voc.anomaly.score_alerts: bounds on either side
    _need(cols, ["period_start", "observed", "expected", "upper", "alert"], "alerts")
    keep = np.ones(len(cols["observed"]), dtype=bool)
    picked: list[str] = []
    for name, value in (("group", group), ("theme", theme)):
        if value is None:
            continue
        if name not in cols:
            raise InvalidOptionError(f"invalid option {name}: the alerts have no {name} column", name)
        keep &= cols[name] == value
        picked.append(str(value))
        if not keep.any():
            known = sorted({str(v) for v in cols[name].tolist()})
            raise InvalidOptionError(f"invalid option {name} = {value!r}: not in the alerts; they have {known}", name)
    series = set()
    for name in ("group", "theme"):
        if name in cols:
            series.add(name)
    keys = [tuple(cols[n][i] for n in sorted(series)) for i in np.flatnonzero(keep)]
    if len(set(keys)) > 1:
        given = {"group": group, "theme": theme}
        unpicked = [n for n in sorted(series) if given[n] is None]
        raise InvalidOptionError(
            f"invalid option {unpicked[0]}: the alerts hold {len(set(keys))} series; pick one with "
            f"{' and '.join(n + '=' for n in unpicked)}",
            unpicked[0],
        )
    ax = _axes(ax)
    x = np.asarray(cols["period_start"][keep])
    observed = cols["observed"][keep].astype(float)
    expected = cols["expected"][keep].astype(float)
    upper = cols["upper"][keep].astype(float)
    alert = cols["alert"][keep].astype(bool)
    lower = expected
    if scores:
        lower = np.where(np.isnan(lo := cols["lower"][keep].astype(float)), expected, lo)
        upper = np.where(np.isnan(upper), expected, upper)
    ax.fill_between(x, lower, upper, color="tab:blue", alpha=0.15, linewidth=0, label="expected band")
    ax.plot(x, observed, color="black", marker=".", linewidth=1, label="observed")
    ax.plot(x, expected, color="tab:blue", linestyle="--", linewidth=1.2, label="expected")
    ax.plot(x[alert], observed[alert], linestyle="none", marker="o", markersize=8, color="tab:red", label="alert")
    ax.set_xlabel("period")
    ax.set_ylabel("score" if scores else "count")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    what = " · ".join(picked)
    ax.set_title(title if title is not None else f"Seasonal alerts{': ' + what if what else ''}")
    return ax


__all__ += ["anomalies"]


# --- theme impact on a score (voc.impact.theme_score_impact, score_change) ---

__all__ += ["theme_score_impact", "score_waterfall"]


def theme_score_impact(
    result: Any, *, value: str = "shapley", ax: Any = None, title: str | None = None
) -> Any:
    """Horizontal bars of each theme's impact on the score, most costly first, with error bars.

    ``result`` is a :class:`voc.impact.ThemeScoreImpactResult` (or its table). ``value`` is
    ``"shapley"`` (error bars ± 1.96 × ``shapley_se``; none when exact) or ``"removal_impact"`` (error
    bars from ``removal_ci_low`` / ``removal_ci_high``). Negative bars (the theme costs points) are red.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> r = voc.impact.theme_score_impact(scores=[2, 3, 10, 9, 6, 10, 9, 8],
    ...                                   themes={"refund": [1, 1, 0, 0, 1, 0, 0, 0],
    ...                                           "delivery": [0, 1, 1, 0, 0, 0, 0, 0]}, resamples=0)
    >>> ax = voc.plot.theme_score_impact(r)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['delivery', 'refund']
    """
    cols = _columns(result, "result")
    _need(cols, ["theme", value], "result")
    est = cols[value].astype(float)
    keep = np.isfinite(est)
    order = np.argsort(est[keep])[::-1]  # most costly at the top of the chart
    names = np.asarray(cols["theme"])[keep][order]
    est = est[keep][order]
    err = None
    if value == "shapley" and "shapley_se" in cols:
        se = cols["shapley_se"].astype(float)[keep][order]
        err = 1.96 * se if np.any(se > 0) else None
    elif value == "removal_impact" and "removal_ci_low" in cols and "removal_ci_high" in cols:
        lo = cols["removal_ci_low"].astype(float)[keep][order]
        hi = cols["removal_ci_high"].astype(float)[keep][order]
        if np.isfinite(lo).all() and np.isfinite(hi).all():
            err = np.vstack([est - lo, hi - est])
    ax = _axes(ax)
    y = np.arange(len(names))
    colors = ["#c0392b" if v < 0 else "#2e86c1" for v in est]
    ax.barh(y, est, xerr=err, color=colors, capsize=3)
    ax.set_yticks(y, [str(n) for n in names])
    ax.axvline(0, color="black", linewidth=0.8)
    what = "Shapley contribution" if value == "shapley" else "removal impact"
    metric = getattr(result, "metric", "score")
    ax.set_xlabel(f"{what} ({metric} points)")
    ax.set_title(title if title is not None else f"Theme impact on {metric}")
    ax.grid(alpha=0.3, axis="x")
    return ax


def score_waterfall(result: Any, *, pair: int = -1, ax: Any = None, title: str | None = None) -> Any:
    """A waterfall of a score change by theme: the score before, one step per theme (and for the answers
    mentioning no theme), the score after.

    ``result`` is a :class:`voc.impact.ScoreChangeResult`; ``pair`` picks the pair of consecutive groups
    (default the last).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import voc, voc.plot
    >>> r = voc.impact.score_change(scores=[2, 3, 10, 9, 4, 10, 9, 10], themes={"refund": [1, 1, 0, 0, 1, 0, 0, 0]},
    ...                             by=[1, 1, 1, 1, 2, 2, 2, 2], resamples=0)
    >>> ax = voc.plot.score_waterfall(r)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['1', 'refund', '(no theme)', '2']
    """
    cols = _columns(result, "result")
    _need(cols, ["before", "after", "theme", "total", "score_before", "score_after", "share_before"], "result")
    pairs = list(dict.fromkeys(zip(cols["before"].tolist(), cols["after"].tolist())))
    before, after = pairs[pair]
    rows = np.flatnonzero([(b, a) == (before, after) for b, a in zip(cols["before"].tolist(), cols["after"].tolist())])
    share = cols["share_before"].astype(float)[rows]
    score = cols["score_before"].astype(float)[rows]
    start = float(np.nansum(share * np.where(np.isfinite(score), score, 0.0)))
    steps = cols["total"].astype(float)[rows]
    labels = ["(no theme)" if t is None else str(t) for t in np.asarray(cols["theme"], dtype=object)[rows]]
    ax = _axes(ax)
    level = start
    ax.bar(0, start, color="#7f8c8d")
    for i, s in enumerate(steps, start=1):
        ax.bar(i, s, bottom=level, color="#27ae60" if s >= 0 else "#c0392b")
        level += s
    ax.bar(len(steps) + 1, level, color="#7f8c8d")
    ax.set_xticks(np.arange(len(steps) + 2), [str(before), *labels, str(after)], rotation=45 if len(steps) > 5 else 0)
    ax.axhline(0, color="black", linewidth=0.8)
    metric = getattr(result, "metric", "score")
    ax.set_ylabel(f"{metric}")
    ax.set_title(title if title is not None else f"Why {metric} moved: {before} → {after}")
    ax.grid(alpha=0.3, axis="y")
    return ax


# --- closing the loop (voc.followup.loop_metrics) ---

__all__ += ["time_to_close", "sla_trend"]


def time_to_close(
    result: Any,
    *,
    kind: str = "close",
    groups: list[Any] | None = None,
    band: bool = True,
    sla: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Share of follow-up cases closed (``kind="close"``) or contacted (``kind="contact"``) by each hour
    since opening, one Kaplan–Meier curve per group (team) with its band: 1 − S(t), so open cases are
    censored rather than dropped. A dashed vertical line marks the SLA (``sla=False`` hides it).

    ``result`` is a :class:`voc.followup.LoopMetricsResult` (or the table of its ``curves(kind)``;
    then no SLA line); ``groups`` picks and orders the groups.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, voc, voc.plot
    >>> t = lambda *h: np.datetime64("2025-01-01T00", "s") + np.array(h) * np.timedelta64(1, "h")
    >>> m = voc.followup.loop_metrics(opened=t(0, 0, 0, 0), contacted=t(2, 4, 30, 60), closed=t(5, 10, 40, 90))
    >>> ax = voc.plot.time_to_close(m)
    >>> ax.lines[0].get_ydata().tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> [float(x) for x in ax.lines[1].get_xdata()]  # the SLA, 48 h
    [48.0, 48.0]
    """
    if kind not in ("close", "contact"):
        raise ValueError(f'kind must be "close" or "contact", got {kind!r}')
    curves = getattr(result, "curves", None)
    table = curves(kind) if callable(curves) else result
    cols = _columns(table, "result")
    _need(cols, ["time", "survival"], "result")
    ax = _axes(ax)
    if "group" in cols:
        names = list(dict.fromkeys(cols["group"].tolist())) if groups is None else list(groups)
        selections: list[tuple[str | None, Any]] = [(str(g), cols["group"] == g) for g in names]
    else:
        selections = [(None, np.ones(len(cols["time"]), dtype=bool))]
    for label, rows in selections:
        t = np.concatenate([[0.0], cols["time"][rows].astype(float)])
        done = 1.0 - np.concatenate([[1.0], cols["survival"][rows].astype(float)])
        (line,) = ax.step(t, done, where="post", label=label)
        if band and "ci_low" in cols and "ci_high" in cols:
            lo = 1.0 - np.concatenate([[1.0], cols["ci_high"][rows].astype(float)])
            hi = 1.0 - np.concatenate([[1.0], cols["ci_low"][rows].astype(float)])
            ax.fill_between(t, lo, hi, step="post", color=line.get_color(), alpha=0.2, linewidth=0)
    hours = getattr(result, "sla_hours", None)
    if sla and isinstance(hours, (int, float)):
        ax.axvline(float(hours), color="0.3", linestyle="--", linewidth=1.0, label=f"SLA {float(hours):g} h")
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel("hours since the case was opened")
    what = "closed" if kind == "close" else "contacted"
    ax.set_ylabel(f"share of cases {what}")
    if selections[0][0] is not None or (sla and isinstance(hours, (int, float))):
        ax.legend(fontsize="small")
    ax.set_title(title if title is not None else f"Time to {'close' if kind == 'close' else 'first contact'} "
                 f"(Kaplan–Meier), {_band_name(result)}")
    ax.grid(alpha=0.3)
    return ax


def sla_trend(
    result: Any,
    *,
    target: float | None = None,
    group: Any = None,
    band: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """SLA attainment per period (%) with its Wilson band, one line per group, and the target line.

    ``result`` is a :class:`voc.followup.LoopMetricsResult` computed with ``period=`` (its ``trend``) or
    a table with ``period``, ``sla_rate``, ``sla_ci_low`` and ``sla_ci_high`` (and ``group``); ``target``
    is the agreed share (e.g. 0.9), drawn as a dashed line; ``group=`` picks one group or a list.
    Periods whose change from the previous one is significant after Holm's correction
    (``significant_adjusted``) get a ring around their marker.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, voc, voc.plot
    >>> t = lambda *h: np.datetime64("2025-01-01T00", "s") + np.array(h) * np.timedelta64(1, "h")
    >>> m = voc.followup.loop_metrics(opened=t(0, 1, 200, 201), contacted=t(2, 3, 300, 210),
    ...                               closed=t(5, 6, 301, 220), period="week")
    >>> ax = voc.plot.sla_trend(m, target=0.9)
    >>> [float(y) for y in ax.lines[0].get_ydata()], [float(y) for y in ax.lines[1].get_ydata()]
    ([100.0, 50.0], [90.0, 90.0])
    """
    table = getattr(result, "trend", result)
    if table is None:
        raise ValueError("the result has no SLA trend: call voc.followup.loop_metrics(..., period='week' or 'month')")
    cols = _columns(table, "result")
    _need(cols, ["period", "sla_rate"], "result")
    ax = _axes(ax)
    periods = sorted(set(str(p) for p in cols["period"]))
    x_of = {p: i for i, p in enumerate(periods)}
    if "group" in cols:
        names = list(dict.fromkeys(cols["group"].tolist()))
        if group is not None:
            wanted = group if isinstance(group, (list, tuple)) else [group]
            names = [g for g in names if g in wanted]
        selections: list[tuple[str | None, Any]] = [(str(g), cols["group"] == g) for g in names]
    else:
        selections = [(None, np.ones(len(cols["period"]), dtype=bool))]
    for label, rows in selections:
        x = np.array([x_of[str(p)] for p in cols["period"][rows]], dtype=float)
        y = cols["sla_rate"][rows].astype(float) * 100.0
        (line,) = ax.plot(x, y, marker="o", label=label)
        if band and "sla_ci_low" in cols and "sla_ci_high" in cols:
            lo = cols["sla_ci_low"][rows].astype(float) * 100.0
            hi = cols["sla_ci_high"][rows].astype(float) * 100.0
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
        if "significant_adjusted" in cols:
            sig = cols["significant_adjusted"][rows].astype(bool)
            if sig.any():
                ax.scatter(x[sig], y[sig], s=140, facecolors="none", edgecolors=line.get_color(), linewidths=1.5)
    if target is not None:
        ax.plot([-0.5, len(periods) - 0.5], [100.0 * float(target)] * 2, color="0.3", linestyle="--",
                linewidth=1.0, label=f"target {100.0 * float(target):g}%")
    ax.set_xticks(np.arange(len(periods)), periods, rotation=45 if len(periods) > 6 else 0,
                  ha="right" if len(periods) > 6 else "center")
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_ylim(0.0, 102.0)
    ax.set_xlabel("period the case was opened")
    hours = getattr(result, "sla_hours", None)
    sla_text = f"contacted within {float(hours):g} h" if isinstance(hours, (int, float)) else "within the SLA"
    ax.set_ylabel(f"cases {sla_text} (%)")
    if selections[0][0] is not None or target is not None:
        ax.legend(fontsize="small")
    ax.set_title(title if title is not None else f"SLA attainment by period, {_band_name(result)}")
    ax.grid(alpha=0.3)
    return ax
