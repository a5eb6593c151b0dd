"""Helpers shared by the side-by-side benchmark scripts: timing, machine facts and number formatting."""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def median_time(fn: Callable[[], Any], repeat: int, *, warmup: bool = True) -> float:
    """Median wall time of `repeat` calls (after one untimed warm-up call unless `warmup=False`), with the
    garbage collector paused."""
    if warmup:
        fn()
    times = []
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(times)


def fmt_time(s: float) -> str:
    """Seconds as s, ms or µs."""
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def cpu_model() -> str:
    """The CPU model name (Linux), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg() -> str:
    """The 1, 5 and 15-minute load averages."""
    try:
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "n/a"


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    except (ImportError, OSError):
        return float("nan")


# ------------------------------------------------------------------------- shared by the model benches
# (bench_risk.py, bench_uplift.py): arguments, thread caps, the correlated feature matrix, the
# alternating timer, and the report.


def model_bench_args(description: str, *, quick_help: str) -> argparse.ArgumentParser:
    """The arguments every model bench takes (each script adds its own): --quick, --repeat, --rows,
    --features, --no-tight, --threads, --seed."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help=quick_help)
    p.add_argument("--repeat", type=int, default=None, help="timed calls per workload (default 5, quick 3)")
    p.add_argument("--rows", type=int, default=None, help="rows of the fit workload (default 1M)")
    p.add_argument("--features", type=int, default=20, help="features of the fit workload (default 20)")
    p.add_argument(
        "--no-tight",
        action="store_true",
        help="skip the information row with scikit-learn at tol 1e-10 (the slowest part of a full run)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="cap voc (RAYON_NUM_THREADS) and BLAS (OMP/OPENBLAS_NUM_THREADS) threads; default: all cores",
    )
    p.add_argument("--seed", type=int, default=42)
    return p


def cap_threads(threads: int | None) -> None:
    """Caps voc's (rayon) and the BLAS threads; must run before voc and numpy start their pools."""
    if threads is not None:
        for var in ("RAYON_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(threads)


def correlated_features(rng: Any, n: int, p: int) -> Any:
    """`n` × `p` standardised features (mean 0, population SD 1), C-ordered, where neighbouring features
    share a common part (signals of one kind move together); draws `n · p` normals from `rng`."""
    import numpy as np

    z = rng.standard_normal((n, p))
    z[:, 1:] += 0.4 * z[:, :-1]
    z -= z.mean(axis=0)
    z /= z.std(axis=0)
    return np.ascontiguousarray(z)


@dataclass
class Row:
    """One row of a bench report: a workload timed in voc and in its peer."""

    workload: str
    voc_s: float
    peer: str
    peer_s: float
    agreement: str

    @property
    def ratio(self) -> float:
        return self.peer_s / self.voc_s


def alternate(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median wall time of each function over `repeat` rounds (one untimed warm-up call each first); in
    every round the functions run one after the other, so load from other processes hits them alike."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            for k, fn in enumerate(fns):
                t0 = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t0)
            gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return [statistics.median(t) for t in times]


def print_report(rows: list[Row], *, libraries: str, notes: list[str]) -> None:
    """The machine, the libraries (`libraries`: their versions), `notes` (one line each: run, load,
    fairness) and the rows as a Markdown table."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print()
    print(f"- machine: {cpu_model()}; os.cpu_count() = {os.cpu_count()}, usable = {affinity}; {platform.platform()}")
    print(f"- python {platform.python_version()}, {libraries}")
    print(f"- threads: voc {os.environ.get('RAYON_NUM_THREADS', 'all cores')}, "
          f"BLAS {os.environ.get('OPENBLAS_NUM_THREADS', 'default (all cores)')}")
    for line in notes:
        print(f"- {line}")
    print()
    print("| workload | voc median | peer | peer median | peer / voc | agreement |")
    print("|---|---:|---|---:|---:|---|")
    for r in rows:
        print(f"| {r.workload} | {fmt_time(r.voc_s)} | {r.peer} | {fmt_time(r.peer_s)} | {r.ratio:.1f}× "
              f"| {r.agreement} |")
