"""Side-by-side timings of voc.impact.correlation against scipy.stats on the same arrays.

* Pearson, 10M pairs: ``voc.impact.correlation(x=x, y=y)`` against ``scipy.stats.pearsonr``;
* Spearman, 10M continuous pairs: against ``scipy.stats.spearmanr``;
* Spearman, 10M Likert pairs (NPS 0–10 against CSAT 1–5, heavy ties): against ``scipy.stats.spearmanr``;
* Kendall tau-b, 1M pairs: against ``scipy.stats.kendalltau``.

Before timing, estimates are checked to agree with scipy (1e-10 relative). Each timing is the median of
``--repeat`` calls, Python call and input conversion included (numpy float64 arrays). Run from the
repository root::

    .venv/bin/python benches/python/bench_correlation.py            # full sizes
    .venv/bin/python benches/python/bench_correlation.py --quick    # CI smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed calls per workload (default 5, quick 2)")
    p.add_argument("--n", type=int, default=None, help="pairs for Pearson and Spearman (default 10,000,000)")
    p.add_argument("--kendall-n", type=int, default=None, help="pairs for Kendall (default 1,000,000)")
    return p.parse_args()


ARGS = parse_args()
REPEAT = ARGS.repeat or (2 if ARGS.quick else 5)
N = ARGS.n or (20_000 if ARGS.quick else 10_000_000)
NK = ARGS.kendall_n or (5_000 if ARGS.quick else 1_000_000)

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402

import voc  # noqa: E402
from _bench import cpu_model, fmt_time, loadavg, median_time  # noqa: E402


def row(workload: str, ours: float, peer: str, theirs: float) -> None:
    print(f"| {workload} | {fmt_time(ours)} | {peer} | {fmt_time(theirs)} | {theirs / ours:.1f}× |", flush=True)


def agree(a: float, b: float, what: str) -> None:
    if not abs(a - b) <= 1e-10 * max(abs(b), 1e-3):
        raise SystemExit(f"{what}: voc {a!r} and scipy {b!r} disagree")


def bench(name: str, x: np.ndarray, y: np.ndarray, method: str, peer: str, peer_fn) -> None:
    ours = voc.impact.correlation(x=x, y=y, method=method)
    agree(ours.estimate, float(peer_fn(x, y).statistic), name)
    t_ours = median_time(lambda: voc.impact.correlation(x=x, y=y, method=method), REPEAT)
    t_peer = median_time(lambda: peer_fn(x, y), REPEAT)
    row(name, t_ours, peer, t_peer)


def main() -> None:
    rng = np.random.default_rng(42)
    print(f"voc {voc.__version__}, scipy {scipy.__version__}, "
          f"Python {platform.python_version()}, {cpu_model()}, {os.cpu_count()} CPUs, load {loadavg()}")
    print("| workload | voc | peer | peer time | peer / voc |")
    print("|---|---:|---|---:|---:|")
    x = rng.standard_normal(N)
    y = 0.3 * x + rng.standard_normal(N)
    bench(f"Pearson, {N:,} pairs", x, y, "pearson", "scipy.stats.pearsonr", stats.pearsonr)
    bench(f"Spearman continuous, {N:,} pairs", x, y, "spearman", "scipy.stats.spearmanr", stats.spearmanr)
    nps = rng.integers(0, 11, N).astype(np.float64)
    csat = np.clip(np.round(nps / 2.5) + rng.integers(-1, 2, N), 1, 5).astype(np.float64)
    bench(f"Spearman Likert (0–10 vs 1–5), {N:,} pairs", nps, csat, "spearman", "scipy.stats.spearmanr",
          stats.spearmanr)
    bench(f"Kendall tau-b continuous, {NK:,} pairs", x[:NK], y[:NK], "kendall", "scipy.stats.kendalltau",
          stats.kendalltau)
    bench(f"Kendall tau-b Likert, {NK:,} pairs", nps[:NK], csat[:NK], "kendall", "scipy.stats.kendalltau",
          stats.kendalltau)
    print(f"threads: {os.environ.get('RAYON_NUM_THREADS', 'all')}; load at end {loadavg()}")


if __name__ == "__main__":
    main()
