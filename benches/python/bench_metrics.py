"""Side-by-side timings of voc survey metrics against numpy, pandas and polars on the same data.

Every workload is computed by voc and by its peer(s) on the same arrays in the same process; the results
are checked to agree (to 1e-9) before anything is timed. Each timing is the median of ``--repeat`` calls
measured with ``time.perf_counter`` around the whole call (Python overhead, input conversion and result
construction included). Run from the repository root::

    .venv/bin/python benches/python/bench_metrics.py            # full size (100M / 10M rows)
    .venv/bin/python benches/python/bench_metrics.py --quick    # small sizes, for a CI smoke run

See benches/python/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TOL = 1e-9

# Share (in %) of each NPS answer 0..=10 (mostly 7-10 with a tail down to 0); same as the Rust bench.
NPS_PERCENT = [3, 1, 1, 2, 2, 4, 5, 10, 18, 22, 32]
CSAT_PERCENT = [5, 8, 17, 40, 30]  # 1..=5
CES_PERCENT = [4, 6, 10, 15, 25, 25, 15]  # 1..=7


# Workload groups, in the order they run: ungrouped NPS, NPS by int keys, NPS by string labels, grouped
# CSAT/CES, NPS trend.
WORKLOADS = ("nps", "grouped", "strings", "csat_ces", "trend")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (2M / 500k rows) for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed calls per workload (default 7, quick 3)")
    p.add_argument("--rows", type=int, default=None, help="rows of the ungrouped NPS workload (default 100M)")
    p.add_argument("--grouped-rows", type=int, default=None, help="rows of the grouped workloads (default 10M)")
    p.add_argument("--groups", type=int, default=1000, help="number of groups (default 1000)")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="cap voc (RAYON_NUM_THREADS) and polars (POLARS_MAX_THREADS) threads; default: all cores",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--only",
        nargs="+",
        choices=WORKLOADS,
        default=None,
        help="run only these workload groups (default: all): " + ", ".join(WORKLOADS),
    )
    return p.parse_args(argv)


ARGS = parse_args()
if ARGS.threads is not None:
    # Must be set before voc (rayon) and polars start their thread pools.
    os.environ["RAYON_NUM_THREADS"] = str(ARGS.threads)
    os.environ["POLARS_MAX_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

import voc  # noqa: E402
from _bench import cpu_model, fmt_time, loadavg, median_time, peak_rss_mb  # noqa: E402


# ---------------------------------------------------------------------------------------------- data


def draw(rng: np.random.Generator, n: int, percent: list[int], low: int) -> np.ndarray:
    """n int8 answers low..low+len(percent)-1 with the given distribution."""
    p = np.asarray(percent, dtype=np.float64)
    out = np.empty(n, dtype=np.int8)
    step = 10_000_000  # in chunks, to keep the int64/float64 temporaries of `choice` small
    for i in range(0, n, step):
        m = min(step, n - i)
        out[i : i + m] = rng.choice(len(percent), size=m, p=p / p.sum()) + low
    return out


# ---------------------------------------------------------------------------------------------- timing


def close(name: str, a: Any, b: Any) -> None:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.allclose(a, b, rtol=0.0, atol=TOL):
        diff = np.max(np.abs(a - b)) if a.shape == b.shape else f"shapes {a.shape} vs {b.shape}"
        raise AssertionError(f"{name}: voc and peer disagree (max abs diff {diff})")


@dataclass
class Row:
    workload: str
    voc_s: float
    peer: str
    peer_s: float
    nbytes: int | None = None
    target: float | None = None  # required peer/voc ratio
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.peer_s / self.voc_s


def gbps(nbytes: int | None, s: float) -> str:
    return "" if nbytes is None else f"{nbytes / s / 1e9:.2f}"


# ---------------------------------------------------------------------------------------------- workloads


def bench_nps(s: np.ndarray, repeat: int) -> list[Row]:
    """(a) NPS over int8 scores: voc.nps vs numpy counting (with and without range validation)."""
    n = s.size

    def numpy_fast():
        pro = np.count_nonzero(s >= 9)
        det = np.count_nonzero(s <= 6)
        return 100.0 * (pro - det) / n, pro / n, det / n

    def numpy_checked():
        lo, hi = s.min(), s.max()
        if lo < 0 or hi > 10:
            raise ValueError("scores outside 0..10")
        pro = np.count_nonzero(s >= 9)
        det = np.count_nonzero(s <= 6)
        return 100.0 * (pro - det) / n, pro / n, det / n

    r = voc.nps(s)
    ref = numpy_checked()
    close("nps", [r.nps, r.share_promoters, r.share_detractors], ref)
    close("nps (unchecked)", ref, numpy_fast())
    assert r.n == n

    t_voc = median_time(lambda: voc.nps(s), repeat)
    t_checked = median_time(numpy_checked, repeat)
    t_fast = median_time(numpy_fast, repeat)
    label = f"NPS, {n:,} int8 scores"
    return [
        Row(label, t_voc, "numpy count_nonzero + min/max check", t_checked, s.nbytes, 2.0),
        Row(label, t_voc, "numpy count_nonzero, no range check", t_fast, s.nbytes, 2.0),
    ]


def grouped_shares_pandas(df: pd.DataFrame, cols: dict[str, Callable[[pd.Series], pd.Series]]) -> pd.DataFrame:
    s = df["s"]
    return df[["g"]].assign(**{k: f(s) for k, f in cols.items()}).groupby("g").mean()


def bench_grouped_nps(s: np.ndarray, keys: np.ndarray, repeat: int, sparse_keys: np.ndarray) -> list[Row]:
    """(b) NPS by group: voc.nps(s, by=keys).table vs pandas (and polars) groupby."""
    n = s.size
    df = pd.DataFrame({"s": s, "g": keys})  # built outside the timed region (favours the peers)
    pdf = pl.DataFrame({"s": s, "g": keys})

    # Candidate idiomatic pandas formulations; the fastest is the headline peer.
    def pd_bool_mean():
        return grouped_shares_pandas(df, {"pro": lambda x: x >= 9, "det": lambda x: x <= 6})

    def pd_value_counts():
        counts = df.groupby("g")["s"].value_counts().unstack(fill_value=0)
        total = counts.sum(axis=1)
        pro = counts.loc[:, counts.columns >= 9].sum(axis=1) / total
        det = counts.loc[:, counts.columns <= 6].sum(axis=1) / total
        return pd.DataFrame({"pro": pro, "det": det})

    def pl_group_by():
        return (
            pdf.group_by("g")
            .agg((pl.col("s") >= 9).mean().alias("pro"), (pl.col("s") <= 6).mean().alias("det"))
            .sort("g")
        )

    t = voc.nps(s, by=keys).table
    order = np.argsort(t["group"])
    v_groups = np.asarray(t["group"])[order]
    v_pro = np.asarray(t["share_promoters"])[order]
    v_det = np.asarray(t["share_detractors"])[order]
    for name, fn in [("pandas bool mean", pd_bool_mean), ("pandas value_counts", pd_value_counts)]:
        out = fn()
        close(f"grouped nps groups ({name})", v_groups, out.index.to_numpy())
        close(f"grouped nps promoters ({name})", v_pro, out["pro"].to_numpy())
        close(f"grouped nps detractors ({name})", v_det, out["det"].to_numpy())
    out = pl_group_by()
    close("grouped nps groups (polars)", v_groups, out["g"].to_numpy())
    close("grouped nps promoters (polars)", v_pro, out["pro"].to_numpy())
    close("grouped nps detractors (polars)", v_det, out["det"].to_numpy())

    t_voc = median_time(lambda: voc.nps(s, by=keys).table, repeat)
    t_bool = median_time(pd_bool_mean, repeat)
    t_vc = median_time(pd_value_counts, repeat)
    t_pl = median_time(pl_group_by, repeat)
    nbytes = s.nbytes + keys.nbytes
    groups = len(v_groups)
    label = f"NPS by group, {n:,} rows × {groups:,} groups"
    candidates = sorted([(t_bool, "pandas groupby bool-column mean"), (t_vc, "pandas groupby value_counts")])
    (best_pd, best_name), (other_pd, other_name) = candidates
    rows = [
        Row(label, t_voc, best_name + " (fastest pandas)", best_pd, nbytes, 10.0),
        Row(label, t_voc, other_name, other_pd, nbytes),
        Row(label, t_voc, "polars group_by (info)", t_pl, nbytes),
    ]

    # Sparse int32 keys (hash factorisation inside voc instead of a lookup table).
    t2 = voc.nps(s, by=sparse_keys).table
    df2 = pd.DataFrame({"s": s, "g": sparse_keys})
    out2 = grouped_shares_pandas(df2, {"pro": lambda x: x >= 9, "det": lambda x: x <= 6})
    o2 = np.argsort(t2["group"])
    close("sparse keys groups", np.asarray(t2["group"])[o2], out2.index.to_numpy())
    close("sparse keys promoters", np.asarray(t2["share_promoters"])[o2], out2["pro"].to_numpy())
    t_voc2 = median_time(lambda: voc.nps(s, by=sparse_keys).table, repeat)
    t_pd2 = median_time(
        lambda: grouped_shares_pandas(df2, {"pro": lambda x: x >= 9, "det": lambda x: x <= 6}), repeat
    )
    rows.append(
        Row(
            f"NPS by group, sparse int32 keys, {n:,} rows",
            t_voc2,
            "pandas groupby bool-column mean",
            t_pd2,
            nbytes,
            5.0,
        )
    )
    return rows


def bench_string_labels(s: np.ndarray, keys: np.ndarray, repeat: int) -> list[Row]:
    """NPS by string labels: object-dtype strings, a pandas Categorical and an Arrow dictionary column.

    Each form is compared with pandas grouping the same form (object strings by object strings, the
    categorical and the dictionary by a pandas categorical: pandas' dictionary-encoded column).
    """
    import pyarrow as pa

    n = s.size
    names = np.array([f"store-{i:05d}" for i in range(int(keys.max()) + 1)], dtype=object)
    objects = names[keys]  # one Python str object per distinct label, as pandas and numpy build them
    categorical = pd.Series(pd.Categorical(objects))
    dictionary = pa.array(objects).dictionary_encode()
    cols = {"pro": lambda x: x >= 9, "det": lambda x: x <= 6}
    df_obj = pd.DataFrame({"s": s, "g": objects})
    df_cat = pd.DataFrame({"s": s, "g": categorical})

    def pd_obj():
        return grouped_shares_pandas(df_obj, cols)

    def pd_cat():
        return df_cat[["g"]].assign(**{k: f(df_cat["s"]) for k, f in cols.items()}).groupby("g", observed=True).mean()

    want = pd_obj()
    for label, by in [("object strings", objects), ("categorical", categorical), ("arrow dictionary", dictionary)]:
        t = voc.nps(s, by=by).table
        assert list(t["group"]) == list(want.index), f"{label}: groups differ"
        close(f"{label} promoters", t["share_promoters"], want["pro"].to_numpy())
        close(f"{label} detractors", t["share_detractors"], want["det"].to_numpy())
    close("categorical peer", pd_cat()["pro"].to_numpy(), want["pro"].to_numpy())

    t_obj = median_time(lambda: voc.nps(s, by=objects).table, repeat)
    t_cat = median_time(lambda: voc.nps(s, by=categorical).table, repeat)
    t_dict = median_time(lambda: voc.nps(s, by=dictionary).table, repeat)
    t_pd_obj = median_time(pd_obj, repeat)
    t_pd_cat = median_time(pd_cat, repeat)
    groups = len(want)
    return [
        Row(f"NPS by string labels (object dtype), {n:,} rows × {groups:,}", t_obj,
            "pandas groupby bool-column mean (object column)", t_pd_obj, None, 10.0),
        Row(f"NPS by string labels (pandas Categorical), {n:,} rows × {groups:,}", t_cat,
            "pandas groupby(observed=True) bool-column mean (categorical)", t_pd_cat, None, 10.0),
        Row(f"NPS by string labels (Arrow dictionary), {n:,} rows × {groups:,}", t_dict,
            "pandas groupby(observed=True) bool-column mean (categorical)", t_pd_cat, None, 10.0),
    ]


def bench_csat_ces(s5: np.ndarray, s7: np.ndarray, keys: np.ndarray, repeat: int) -> list[Row]:
    """(c) CSAT (1-5) and CES (1-7) by group vs pandas groupby."""
    n = s5.size
    df5 = pd.DataFrame({"s": s5, "g": keys})
    df7 = pd.DataFrame({"s": s7, "g": keys})

    def pd_csat():
        return grouped_shares_pandas(
            df5, {"sat": lambda x: x >= 4, "top": lambda x: x == 5, "mean": lambda x: x.astype(np.float64)}
        )

    def pd_ces():
        return grouped_shares_pandas(
            df7, {"easy": lambda x: x >= 5, "hard": lambda x: x <= 3, "mean": lambda x: x.astype(np.float64)}
        )

    t = voc.csat(s5, by=keys).table
    o = np.argsort(t["group"])
    out = pd_csat()
    close("csat groups", np.asarray(t["group"])[o], out.index.to_numpy())
    close("csat satisfied", np.asarray(t["satisfied"])[o], out["sat"].to_numpy())
    close("csat top box", np.asarray(t["top_box"])[o], out["top"].to_numpy())
    close("csat mean", np.asarray(t["mean"])[o], out["mean"].to_numpy())

    t = voc.ces(s7, by=keys).table
    o = np.argsort(t["group"])
    out = pd_ces()
    close("ces groups", np.asarray(t["group"])[o], out.index.to_numpy())
    close("ces easy", np.asarray(t["easy"])[o], out["easy"].to_numpy())
    close("ces high effort", np.asarray(t["high_effort"])[o], out["hard"].to_numpy())
    close("ces mean", np.asarray(t["mean"])[o], out["mean"].to_numpy())

    nbytes = s5.nbytes + keys.nbytes
    return [
        Row(
            f"CSAT by group (info), {n:,} rows",
            median_time(lambda: voc.csat(s5, by=keys).table, repeat),
            "pandas groupby mean (satisfied, top box, mean)",
            median_time(pd_csat, repeat),
            nbytes,
        ),
        Row(
            f"CES by group (info), {n:,} rows",
            median_time(lambda: voc.ces(s7, by=keys).table, repeat),
            "pandas groupby mean (easy, high effort, mean)",
            median_time(pd_ces, repeat),
            nbytes,
        ),
    ]


def bench_trend(s: np.ndarray, ts: np.ndarray, repeat: int) -> list[Row]:
    """(c) NPS by calendar month (voc also tests each month against the previous one)."""
    n = s.size
    df = pd.DataFrame({"s": s, "t": ts})

    def pd_trend():
        month = df["t"].dt.to_period("M")
        return df[[]].assign(m=month, pro=df["s"] >= 9, det=df["s"] <= 6).groupby("m").mean()

    def pd_trend_grouper():
        return (
            df[["t"]]
            .assign(pro=df["s"] >= 9, det=df["s"] <= 6)
            .groupby(pd.Grouper(key="t", freq="MS"))
            .mean()
        )

    t = voc.nps(s, period="month", time=ts).table
    out = pd_trend()
    out2 = pd_trend_grouper()
    assert list(t["period"]) == [str(p) for p in out.index], "month labels differ"
    close("trend promoters", t["share_promoters"], out["pro"].to_numpy())
    close("trend detractors", t["share_detractors"], out["det"].to_numpy())
    close("trend promoters (Grouper)", t["share_promoters"], out2["pro"].to_numpy())

    t_voc = median_time(lambda: voc.nps(s, period="month", time=ts).table, repeat)
    t_a = median_time(pd_trend, repeat)
    t_b = median_time(pd_trend_grouper, repeat)
    best, name = min((t_a, "pandas groupby dt.to_period('M')"), (t_b, "pandas groupby Grouper(freq='MS')"))
    return [
        Row(
            f"NPS by month (info), {n:,} rows, {len(out)} months",
            t_voc,
            name + " (fastest pandas)",
            best,
            s.nbytes + ts.nbytes,
        )
    ]


# ---------------------------------------------------------------------------------------------- report


def main() -> int:
    args = ARGS
    repeat = args.repeat or (3 if args.quick else 7)
    rows_nps = args.rows or (2_000_000 if args.quick else 100_000_000)
    rows_grouped = args.grouped_rows or (500_000 if args.quick else 10_000_000)
    load_start = loadavg()
    started = time.perf_counter()

    only = set(args.only or WORKLOADS)
    rng = np.random.default_rng(args.seed)
    # Drawn whatever runs, so that every column is the same in any selection.
    s_big = draw(rng, rows_nps, NPS_PERCENT, 0)
    s = draw(rng, rows_grouped, NPS_PERCENT, 0)
    keys = rng.integers(0, args.groups, rows_grouped, dtype=np.int32)
    ids = rng.choice(np.iinfo(np.int32).max, size=args.groups, replace=False).astype(np.int32)
    sparse_keys = ids[keys]
    s5 = draw(rng, rows_grouped, CSAT_PERCENT, 1)
    s7 = draw(rng, rows_grouped, CES_PERCENT, 1)
    start = np.datetime64("2024-01-01T00:00:00", "ns")
    two_years_ns = np.int64(731 * 86_400 * 1_000_000_000)
    ts = start + rng.integers(0, two_years_ns, rows_grouped).astype("timedelta64[ns]")

    rows: list[Row] = []
    if "nps" in only:
        rows += bench_nps(s_big, repeat)
    del s_big
    if "grouped" in only:
        rows += bench_grouped_nps(s, keys, repeat, sparse_keys)
    if "strings" in only:
        rows += bench_string_labels(s, keys, repeat)
    if "csat_ces" in only:
        rows += bench_csat_ces(s5, s7, keys, repeat)
    if "trend" in only:
        rows += bench_trend(s, ts, repeat)

    elapsed = time.perf_counter() - started
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print()
    print(f"- machine: {cpu_model()}; os.cpu_count() = {os.cpu_count()}, usable = {affinity}; {platform.platform()}")
    print(
        f"- python {platform.python_version()}, voc {voc.__version__}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, polars {pl.__version__}"
    )
    print(
        f"- threads: voc {os.environ.get('RAYON_NUM_THREADS', 'all cores')}, "
        f"polars {os.environ.get('POLARS_MAX_THREADS', 'all cores')}, numpy/pandas 1"
    )
    print(f"- {'quick' if args.quick else 'full'} run, median of {repeat} calls; total {elapsed:.0f} s")
    print(f"- load average at start: {load_start}; at end: {loadavg()}; peak RSS {peak_rss_mb():.0f} MB")
    print("- all results agreed with the peers to 1e-9 before timing")
    print()
    print("| workload | voc median | peer | peer median | peer / voc | voc GB/s | target | met |")
    print("|---|---:|---|---:|---:|---:|---|---|")
    for r in rows:
        target = f"≥ {r.target:g}×" if r.target else ""
        met = ("yes" if r.ratio >= r.target else "no") if r.target else ""
        print(
            f"| {r.workload} | {fmt_time(r.voc_s)} | {r.peer} | {fmt_time(r.peer_s)} | {r.ratio:.1f}× "
            f"| {gbps(r.nbytes, r.voc_s)} | {target} | {met} |"
        )
    if "nps" in only:
        nps_row = rows[0]
        speed = nps_row.nbytes / nps_row.voc_s / 1e9 if nps_row.nbytes else 0.0
        print()
        print(f"NPS throughput target (≥ 5 GB/s on int8): {speed:.2f} GB/s → {'met' if speed >= 5 else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
