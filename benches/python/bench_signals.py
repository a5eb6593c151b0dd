"""Side-by-side timing of voc churn-signal features against the pandas reference on the same data.

voc (``voc.signals.EventLog(...)`` then ``log.features(cutoff)``) and the pandas pipeline of
``benches/python/signals_pandas.py`` (filter to the cutoff, ``groupby("customer_id")``, join) compute the
same feature table from the same pandas DataFrames in the same process. Before anything is timed, the two
outputs are checked to agree (same rows, columns and NaN positions; values to 1e-9) and the largest
absolute difference is printed. Each timing is the median of ``--repeat`` calls measured with
``time.perf_counter`` around the whole call (input conversion and result construction included), with the
garbage collector paused; the agreement check is the untimed warm-up. Run from the repository root::

    .venv/bin/python benches/python/bench_signals.py            # 1M customers (about 10M events)
    .venv/bin/python benches/python/bench_signals.py --quick    # 20k customers, for a CI smoke run

The data are ``voc.sample.retailer(seed=..., customers=...)`` (the simulated retailer) when it is
available, else random tables from ``signals_pandas.random_tables`` with ``--events`` rows; ``--random``
forces the random tables. The cutoff is the last midnight at least 180 days before the end of the data.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from typing import Any

TOL = 1e-9
EVENT_TABLES = ("orders", "returns", "tickets", "surveys", "mentions", "churn")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="20k customers (200k events) for a smoke run")
    p.add_argument("--customers", type=int, default=None, help="customers (default 1,000,000; quick 20,000)")
    p.add_argument(
        "--events", type=int, default=None, help="event rows of the random tables (default 10 per customer)"
    )
    p.add_argument("--repeat", type=int, default=3, help="timed calls per workload (default 3)")
    p.add_argument("--random", action="store_true", help="use random tables even if voc.sample.retailer exists")
    p.add_argument(
        "--threads", type=int, default=None, help="cap voc's threads (RAYON_NUM_THREADS); default: all cores"
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--rss-only",
        action="store_true",
        help="only measure the peak RSS of voc's part (EventLog build + features), without the pandas run",
    )
    return p.parse_args(argv)


ARGS = parse_args()
if ARGS.threads is not None:
    os.environ["RAYON_NUM_THREADS"] = str(ARGS.threads)  # before voc starts its thread pool

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import voc  # noqa: E402
from _bench import cpu_model, fmt_time, loadavg, median_time, peak_rss_mb  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import signals_pandas as ref  # noqa: E402

# ---------------------------------------------------------------------------------------------- data


def as_pandas(table: Any) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    return pd.DataFrame(table)


def load_tables(customers: int, events: int | None, seed: int, force_random: bool) -> tuple[dict, str]:
    """The seven tables as pandas DataFrames, and where they came from."""
    retailer = getattr(getattr(voc, "sample", None), "retailer", None)
    if retailer is not None and not force_random:
        data = retailer(seed=seed, customers=customers)
        tables = {name: as_pandas(getattr(data, name)) for name in ("customers", *EVENT_TABLES)}
        return tables, f"voc.sample.retailer(seed={seed}, customers={customers:,})"
    n_events = events if events is not None else 10 * customers
    tables = ref.random_tables(customers, n_events, seed)
    return tables, f"signals_pandas.random_tables({customers:,}, {n_events:,}, seed={seed})"


def pick_cutoff(tables: dict) -> pd.Timestamp:
    """The last midnight at least 180 days before the latest event, so a 180-day label horizon is known."""
    latest = max(
        pd.Timestamp(tables[name][col].max())
        for name in EVENT_TABLES
        for col in ref.TABLES[name][1]
        if col in tables[name] and pd.notna(tables[name][col].max())
    )
    return (latest - pd.Timedelta(days=180)).floor("D")


# ---------------------------------------------------------------------------------------------- memory


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def voc_peak_rss_mb(build: Any, cutoff: pd.Timestamp) -> float | None:
    """Peak RSS added by voc's part alone (EventLog build + features), in MB; None where Linux's
    /proc/self/clear_refs is not available. The data are already loaded: the peak is reset to the current
    RSS (``echo 5 > /proc/self/clear_refs``), voc runs, and the new peak minus the RSS before it is voc's
    own memory (the log, the feature matrix and every temporary)."""
    import gc

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    before = _status_kb("VmRSS")
    log = build()
    features = log.features(cutoff)
    peak = _status_kb("VmHWM")
    del features, log
    gc.collect()
    if before is None or peak is None:
        return None
    return (peak - before) / 1024


# ---------------------------------------------------------------------------------------------- timing


def compare(got: pd.DataFrame, want: pd.DataFrame) -> float:
    """Checks voc's table against the reference; returns the largest absolute difference."""
    if list(got.columns) != ["customer_id", *want.columns]:
        raise AssertionError(f"columns differ:\n voc: {list(got.columns)}\n pandas: {list(want.columns)}")
    if list(got["customer_id"]) != list(want.index):
        raise AssertionError("rows differ (customers or their order)")
    a = got[list(want.columns)].to_numpy(dtype=np.float64)
    b = want.to_numpy(dtype=np.float64)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        cols = [c for j, c in enumerate(want.columns) if (np.isnan(a[:, j]) != np.isnan(b[:, j])).any()]
        raise AssertionError(f"NaN positions differ in {cols}")
    ok = np.isnan(a) | np.isclose(a, b, rtol=TOL, atol=TOL)
    if not ok.all():
        cols = [c for j, c in enumerate(want.columns) if not ok[:, j].all()]
        raise AssertionError(f"values differ beyond {TOL} in {cols}")
    diff = np.abs(a - b)
    return float(np.nanmax(diff)) if diff.size and not np.isnan(diff).all() else 0.0


# ---------------------------------------------------------------------------------------------- main


def main() -> int:
    args = ARGS
    customers = args.customers or (20_000 if args.quick else 1_000_000)
    repeat = max(1, args.repeat)
    load_start = loadavg()
    started = time.perf_counter()

    t0 = time.perf_counter()
    tables, source = load_tables(customers, args.events, args.seed, args.random)
    t_data = time.perf_counter() - t0
    n_events = sum(len(tables[name]) for name in EVENT_TABLES)
    cutoff = pick_cutoff(tables)
    events = {name: tables[name] for name in EVENT_TABLES}

    def voc_build():
        return voc.signals.EventLog(tables["customers"], **events)

    def pandas_features():
        return ref.features(**tables, cutoff=cutoff)

    rss = voc_peak_rss_mb(voc_build, cutoff)
    rss_text = (
        "not measured (no /proc/self/clear_refs)"
        if rss is None
        else f"{rss:,.0f} MB ({rss / (customers / 1e6):,.0f} MB per million customers)"
    )
    if args.rss_only:
        print(f"- data: {source} ({t_data:.1f} s); {n_events:,} events; cutoff {cutoff.date()}")
        print(f"- load average: {loadavg()}")
        print(f"- voc peak RSS (EventLog build + features, above the loaded data): {rss_text}")
        return 0

    # Agreement first (these calls are also the untimed warm-up).
    log = voc_build()
    got = log.features(cutoff)
    want = pandas_features()
    max_diff = compare(got.to_pandas(), want)
    rows, cols = want.shape

    t_build = median_time(voc_build, repeat, warmup=False)
    t_feat = median_time(lambda: log.features(cutoff), repeat, warmup=False)
    t_feat_pd = median_time(lambda: log.features(cutoff).to_pandas(), repeat, warmup=False)
    t_pandas = median_time(pandas_features, repeat, warmup=False)
    t_voc = t_build + t_feat

    elapsed = time.perf_counter() - started
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print()
    print(f"- machine: {cpu_model()}; os.cpu_count() = {os.cpu_count()}, usable = {affinity}; {platform.platform()}")
    print(f"- python {platform.python_version()}, voc {voc.__version__}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"- threads: voc {os.environ.get('RAYON_NUM_THREADS', 'all cores')}, pandas 1")
    print(f"- data: {source} ({t_data:.1f} s); cutoff {cutoff.date()}; {rows:,} rows × {cols} features")
    print(f"- {'quick' if args.quick else 'full'} run, median of {repeat} calls; total {elapsed:.0f} s")
    print(f"- load average at start: {load_start}; at end: {loadavg()}; peak RSS {peak_rss_mb():.0f} MB")
    print(f"- voc peak RSS (EventLog build + features, above the loaded data): {rss_text}")
    print(f"- voc and pandas agreed before timing: max abs diff {max_diff:.3g} (tolerance {TOL:g}, NaNs identical)")
    print()
    print(
        "| rows | events | voc EventLog build | voc features | voc total | "
        "voc features + to_pandas | pandas reference | pandas / voc total |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {rows:,} | {n_events:,} | {fmt_time(t_build)} | {fmt_time(t_feat)} | {fmt_time(t_voc)} | "
        f"{fmt_time(t_feat_pd)} | {fmt_time(t_pandas)} | {t_pandas / t_voc:.1f}× |"
    )
    print()
    print(f"pandas / voc features alone (log built once, features at many cutoffs): {t_pandas / t_feat:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
