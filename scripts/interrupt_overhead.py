"""Workloads for measuring the cost of the interrupt checks (docs/reliability/interrupts.md).

    RAYON_NUM_THREADS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        python scripts/interrupt_overhead.py kmeans     # and kmeans0 (the same without the call), lmg, lmg0

The difference of the two instruction counts is the call's; compare it between two builds.
"""

import sys

import numpy as np

import voc

what = sys.argv[1]
rng = np.random.default_rng(0)
if what.startswith("kmeans"):
    x = rng.normal(size=(100_000, 8)) + rng.integers(0, 8, 100_000)[:, None] * 2.0
    if what == "kmeans":
        voc.segment.fit_kmeans(x=x, k=8, n_init=3, seed=1)
elif what.startswith("lmg"):
    n, p = 20_000, 16
    common = rng.normal(size=n)
    cols = {f"d{j}": rng.normal(size=n) + 0.4 * common for j in range(p)}
    cols["y"] = sum(0.1 * (j % 4) * cols[f"d{j}"] for j in range(p)) + rng.normal(size=n)
    if what == "lmg":
        for _ in range(3):
            voc.impact.key_drivers(cols, outcome="y", drivers=[f"d{j}" for j in range(p)], method="lmg")
