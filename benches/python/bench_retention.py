"""Side-by-side timings of voc.retention against lifelines and lifetimes on the same data.

Workloads (full size; ``--quick`` divides them by 10 for a CI smoke run):

* Kaplan–Meier on 1M subjects (continuous durations and whole days, 60% events) — lifelines
  ``KaplanMeierFitter.fit``.
* Cox PH (Efron) on 100k × 10, continuous times and tied integer days — lifelines ``CoxPHFitter.fit``.
* BG/NBD fit on 100k simulated customers — lifetimes ``BetaGeoFitter.fit``.

Every workload is run by voc and by the peer on the same arrays in the same process, and the results are
checked to agree before anything is timed (survival to 1e-9, Cox coefficients to 1e-5 relative, BG/NBD
parameters to 1e-3 relative: lifetimes stops its optimiser early). Each timing is the median of
``--repeat`` calls (peers: at most 3) with ``time.perf_counter`` around the whole call; the process CPU
time (``getrusage``, all threads) is reported too, which is the fairer ratio on a shared, oversubscribed
machine. Run from the repository root::

    .venv/bin/python benches/python/bench_retention.py
    .venv/bin/python benches/python/bench_retention.py --quick
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import voc
import voc.retention as vr

warnings.filterwarnings("ignore")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="sizes / 10, for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed voc calls per workload (default 7, quick 3)")
    p.add_argument("--seed", type=int, default=42)
    return p.parse_args()


def timeit(f: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall time and median process CPU time (user + system, all threads) of `repeat` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        f()
        wall.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def quiet(f: Callable[[], Any]) -> Callable[[], Any]:
    def g() -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return f()

    return g


def simulate_bgnbd(rng: np.random.Generator, n: int, T: float = 39.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lam = rng.gamma(0.25, 1.0 / 4.0, n)
    p = rng.beta(0.8, 2.5, n)
    x = np.zeros(n)
    last = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-12))
        over = now[idx] > T
        alive[idx[over]] = False
        buy = idx[~over]
        x[buy] += 1
        last[buy] = now[buy]
        drop = rng.random(len(buy)) < p[buy]
        alive[buy[drop]] = False
    return x, np.round(last, 2), np.full(n, T)


def main() -> int:
    args = parse_args()
    scale = 10 if args.quick else 1
    repeat = args.repeat or (3 if args.quick else 7)
    peer_repeat = min(repeat, 3)
    rng = np.random.default_rng(args.seed)
    rows: list[tuple[str, str, tuple[float, float], tuple[float, float]]] = []

    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifetimes import BetaGeoFitter

    # Kaplan-Meier
    n = 1_000_000 // scale
    t = rng.exponential(365.0, n)
    e = (rng.random(n) < 0.6).astype(np.float64)
    mine = vr.kaplan_meier(durations=t, events=e)
    kmf = KaplanMeierFitter().fit(t, e)
    tab = mine.table.to_dict()
    ref = kmf.survival_function_.iloc[:, 0].loc[tab["time"]].to_numpy()
    assert np.max(np.abs(tab["survival"] - ref)) < 1e-9
    rows.append(
        (f"Kaplan–Meier, {n:,} subjects, continuous durations", "lifelines KaplanMeierFitter.fit",
         timeit(lambda: vr.kaplan_meier(durations=t, events=e), repeat), timeit(lambda: KaplanMeierFitter().fit(t, e), peer_repeat))
    )
    td_km = np.floor(t)
    tab = vr.kaplan_meier(durations=td_km, events=e).table.to_dict()
    ref = KaplanMeierFitter().fit(td_km, e).survival_function_.iloc[:, 0].loc[tab["time"]].to_numpy()
    assert np.max(np.abs(tab["survival"] - ref)) < 1e-9
    rows.append(
        (f"Kaplan–Meier, {n:,} subjects, whole days", "lifelines KaplanMeierFitter.fit",
         timeit(lambda: vr.kaplan_meier(durations=td_km, events=e), repeat), timeit(lambda: KaplanMeierFitter().fit(td_km, e), peer_repeat))
    )

    # Cox 100k x 10
    n, p = 100_000 // scale, 10
    x = rng.uniform(-1, 1, (n, p))
    beta = 0.1 * (np.arange(p) - 4.5)
    tc = rng.exponential(365.0 * np.exp(-(x @ beta)))
    cens = tc > 730.0
    ev = ((~cens) & (rng.random(n) < 0.8)).astype(np.float64)
    tc = np.minimum(tc, 730.0)
    td = np.floor(tc)
    names = [f"x{j}" for j in range(p)]
    for label, tt in [("continuous times", tc), ("tied integer days", td)]:
        df = pd.DataFrame(x, columns=names).assign(T=tt, E=ev)
        fit = vr.fit_cox(x, durations=tt, events=ev)
        ref = CoxPHFitter().fit(df, "T", "E")
        np.testing.assert_allclose(fit.coef, ref.params_.to_numpy(), rtol=1e-5, atol=1e-7)
        rows.append(
            (f"Cox PH (Efron), {n:,} × {p}, {label}", "lifelines CoxPHFitter.fit",
             timeit(lambda: vr.fit_cox(x, durations=tt, events=ev), repeat), timeit(lambda: CoxPHFitter().fit(df, "T", "E"), peer_repeat))
        )

    # BG/NBD 100k
    n = 100_000 // scale
    f, r, T = simulate_bgnbd(rng, n)
    m = vr.fit_bgnbd(frequency=f, recency=r, T=T)
    ref = quiet(lambda: BetaGeoFitter().fit(f, r, T))()
    for k in ["r", "alpha", "a", "b"]:
        v = getattr(m, k)
        assert abs(v / ref.params_[k] - 1) < 1e-3, (k, v, ref.params_[k])
    assert m.log_likelihood >= -n * quiet(lambda: ref._negative_log_likelihood(np.log(ref.params_[["r", "alpha", "a", "b"]].to_numpy()), f, r, T, np.ones(n), 0.0))() - 1e-6
    rows.append(
        (f"BG/NBD fit, {n:,} customers", "lifetimes BetaGeoFitter.fit",
         timeit(lambda: vr.fit_bgnbd(frequency=f, recency=r, T=T), repeat), timeit(quiet(lambda: BetaGeoFitter().fit(f, r, T)), peer_repeat))
    )

    import lifelines
    import lifetimes

    print(f"# voc {voc.__version__} · lifelines {lifelines.__version__} · lifetimes {lifetimes.__version__} · "
          f"Python {platform.python_version()} · numpy {np.__version__} · {platform.machine()}")
    print(f"# median of {repeat} voc calls / {peer_repeat} peer calls{' (quick sizes)' if args.quick else ''}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print()
    print("| workload | peer | voc wall | peer wall | speed-up (wall) | voc CPU | peer CPU | speed-up (CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for w, peer, a, b in rows:
        print(f"| {w} | {peer} | {a[0] * 1e3:,.1f} ms | {b[0] * 1e3:,.1f} ms | {b[0] / a[0]:,.1f}× "
              f"| {a[1] * 1e3:,.1f} ms | {b[1] * 1e3:,.1f} ms | {b[1] / max(a[1], 1e-9):,.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
