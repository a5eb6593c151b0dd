"""Side-by-side timings of voc.impact.key_drivers against what a Python user would otherwise write.

Data: simulated survey, ``--rows`` respondents (default 100,000), 12 / 15 / 20 correlated 1–5 ratings
and a 0–10 outcome (seeded). Peers, on the same data in the same process:

* **numpy, all subsets vectorised**: the correlation matrix (``np.corrcoef``), then for each subset
  size one batched ``np.linalg.solve`` over all C(p, k) subsets, and the Shapley average — the fastest
  numpy formulation of exact LMG we know;
* **numpy, one least-squares fit per subset** on the rows (``np.linalg.lstsq`` with an intercept), which is
  what dominance-analysis and most notebook code do (12 drivers only: 4,096 fits);
* Johnson's relative weights with ``np.linalg.eigh``.

dominance-analysis (PyPI) is not timed: it pins bokeh 2.4.3 and imports plotly and cufflinks at import,
which do not install next to the other dependencies. Every peer's importances are checked against voc's
(1e-9) before timing. Each timing is the median of ``--repeat`` calls (the per-subset fit: one call),
Python call and input conversion included. Run from the repository root::

    .venv/bin/python benches/python/bench_drivers.py               # full sizes
    .venv/bin/python benches/python/bench_drivers.py --quick       # CI smoke run
    .venv/bin/python benches/python/bench_drivers.py --skip-lstsq  # without the slow per-subset fits
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import voc  # noqa: E402
from _bench import cpu_model, fmt_time, loadavg, median_time  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed calls per workload (default 5, quick 2)")
    p.add_argument("--rows", type=int, default=None, help="respondents (default 100,000; quick 5,000)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--skip-lstsq", action="store_true",
                   help="leave out the one-fit-per-subset row (minutes of numpy time under load)")
    return p.parse_args()


ARGS = parse_args()


def survey(n: int, p: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    cols = {f"q{j:02d}": np.clip(np.round(3 + f * (j % 3 + 1) / 2 + rng.normal(size=n)), 1, 5) for j in range(p)}
    X = np.column_stack(list(cols.values()))
    b = np.linspace(0.6, -0.2, p)
    y = np.clip(np.round(5 + X @ b / 2 + rng.normal(scale=1.5, size=n)), 0, 10)
    return {"nps": y, **cols}


def numpy_lmg(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Exact LMG, vectorised: R² of all subsets of each size by one batched solve on the correlations."""
    p = X.shape[1]
    R = np.corrcoef(np.column_stack([y, X]), rowvar=False)
    rxx, rxy = R[1:, 1:], R[1:, 0]
    r2 = {0: np.zeros(1)}
    subsets: dict[int, np.ndarray] = {0: np.zeros((1, 0), dtype=np.int64)}
    for k in range(1, p + 1):
        S = np.array(list(itertools.combinations(range(p), k)), dtype=np.int64)
        A = rxx[S[:, :, None], S[:, None, :]]
        b = rxy[S]
        beta = np.linalg.solve(A, b[..., None])[..., 0]
        r2[k] = np.einsum("ij,ij->i", beta, b)
        subsets[k] = S
    imp = np.zeros(p)
    for k in range(0, p + 1):
        S, v = subsets[k], r2[k]
        member = np.zeros((len(S), p), dtype=bool)
        if k:
            np.put_along_axis(member, S, True, axis=1)
        with_j = member.T @ v  # Σ R²(S) over S ∋ j of size k
        if k >= 1:
            imp += with_j / (p * math.comb(p - 1, k - 1))
        if k <= p - 1:
            imp -= (v.sum() - with_j) / (p * math.comb(p - 1, k))
    return imp


def lstsq_lmg(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """LMG the usual way: one least-squares fit with an intercept per subset, on the rows."""
    n, p = X.shape
    sst = float(((y - y.mean()) ** 2).sum())
    one = np.ones((n, 1))
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for S in itertools.combinations(range(p), k):
            A = np.hstack([one, X[:, S]])
            coef, res, *_ = np.linalg.lstsq(A, y, rcond=None)
            r2[S] = 1.0 - float(res[0]) / sst
    imp = np.zeros(p)
    for S, v in r2.items():
        s = len(S)
        for j in range(p):
            if j not in S:
                imp[j] += (r2[tuple(sorted(S + (j,)))] - v) / (p * math.comb(p - 1, s))
    return imp


def numpy_johnson(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    R = np.corrcoef(np.column_stack([y, X]), rowvar=False)
    vals, vecs = np.linalg.eigh(R[1:, 1:])
    lam = (vecs * np.sqrt(vals)) @ vecs.T
    beta = np.linalg.solve(lam, R[1:, 0])
    return (lam**2) @ beta**2


def row(workload: str, ours: float, peer: str, theirs: float) -> None:
    print(f"| {workload} | {fmt_time(ours)} | {peer} | {fmt_time(theirs)} | {theirs / ours:.1f}× |", flush=True)


def main() -> None:
    repeat = ARGS.repeat or (2 if ARGS.quick else 5)
    n = ARGS.rows or (5_000 if ARGS.quick else 100_000)
    sizes = (12, 15) if ARGS.quick else (12, 15, 20)
    print(f"voc {voc.__version__}, numpy {np.__version__}, Python {platform.python_version()}")
    print(f"{cpu_model()}, {os.cpu_count()} cores, load {loadavg()}; median of {repeat}; "
          f"threads {os.environ.get('RAYON_NUM_THREADS', 'all')}")
    print("| workload | voc | peer | peer time | peer / voc |")
    print("|---|---:|---|---:|---:|")
    for p in sizes:
        data = survey(n, p, ARGS.seed + p)
        drivers = [c for c in data if c != "nps"]
        y, X = data["nps"], np.column_stack([data[c] for c in drivers])
        ours = voc.impact.key_drivers(data, outcome="nps", drivers=drivers)
        ref = numpy_lmg(y, X)
        assert np.allclose(ours.table["importance"], ref, atol=1e-9, rtol=0), "numpy LMG differs"
        t_voc = median_time(lambda: voc.impact.key_drivers(data, outcome="nps", drivers=drivers), repeat)
        t_np = median_time(lambda: numpy_lmg(y, X), max(1, repeat if p < 20 else 1), warmup=p < 20)
        row(f"LMG, {p} drivers ({2**p:,} subsets), {n:,} rows", t_voc, "numpy, subsets batched", t_np)
        if p == 12 and not ARGS.quick and not ARGS.skip_lstsq:
            slow = lstsq_lmg(y, X)
            assert np.allclose(ours.table["importance"], slow, atol=1e-9, rtol=0), "lstsq LMG differs"
            t_slow = median_time(lambda: lstsq_lmg(y, X), 1, warmup=False)
            row(f"LMG, {p} drivers, {n:,} rows", t_voc, "numpy lstsq per subset", t_slow)
        j_ours = voc.impact.key_drivers(data, outcome="nps", drivers=drivers, method="johnson")
        assert np.allclose(j_ours.table["importance"], numpy_johnson(y, X), atol=1e-9, rtol=0), "Johnson differs"
        t_voc = median_time(lambda: voc.impact.key_drivers(data, outcome="nps", drivers=drivers, method="johnson"), repeat)
        t_np = median_time(lambda: numpy_johnson(y, X), repeat)
        row(f"Johnson, {p} drivers, {n:,} rows", t_voc, "numpy corrcoef + eigh", t_np)
    data = survey(n, 12, ARGS.seed)
    b = 20 if ARGS.quick else 200
    t = median_time(lambda: voc.impact.key_drivers(data, outcome="nps", method="both", resamples=max(b, 100), seed=1), 1 if not ARGS.quick else repeat)
    print(f"voc LMG + Johnson with {max(b, 100)} bootstrap replicates, 12 drivers, {n:,} rows: {fmt_time(t)}")
    print(f"load at end {loadavg()}")


if __name__ == "__main__":
    main()
