"""Side-by-side timings of voc.segment against scikit-learn and pandas on the same data.

Every workload runs in voc and in its peer on the same arrays in the same process; results are checked to
agree before anything is timed (k-means from the same initial centres: identical labels, inertia to 1e-9;
RFM: identical scores; silhouette: 1e-9). Each timing is the median of ``--repeat`` calls (after one
warm-up) measured with ``time.perf_counter`` around the whole call. Run from the repository root::

    .venv/bin/python benches/python/bench_segment.py            # k-means on 1M × 8, k = 8
    .venv/bin/python benches/python/bench_segment.py --quick    # small sizes, for a CI smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed calls per workload (default 5, quick 2)")
    p.add_argument("--rows", type=int, default=None, help="k-means rows (default 1,000,000)")
    p.add_argument("--threads", type=int, default=None, help="cap voc (rayon) and scikit-learn (OpenMP) threads")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--seeds", type=int, default=11, help="k-means++ seeds whose median inertias are compared")
    return p.parse_args()


ARGS = parse_args()
if ARGS.threads is not None:
    os.environ["RAYON_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402

import voc  # noqa: E402
from _bench import median_time  # noqa: E402


def fmt(s: float) -> str:
    return f"{s:.2f} s" if s >= 1 else f"{s * 1e3:.1f} ms"


ROWS: list[tuple[str, float, str, float]] = []


def row(workload: str, t_voc: float, peer: str, t_peer: float) -> None:
    ROWS.append((workload, t_voc, peer, t_peer))
    print(f"{workload:<44} voc {fmt(t_voc):>10}   {peer:<34} {fmt(t_peer):>10}   peer/voc {t_peer / t_voc:5.2f}x", flush=True)


def blobs(n: int, d: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 4.0, (k, d))
    return centres[rng.integers(0, k, n)] + rng.normal(0.0, 1.5, (n, d))


def bench_kmeans(n: int, repeat: int) -> None:
    d, k = 8, 8
    x = blobs(n, d, k, ARGS.seed)
    init = x[np.random.default_rng(ARGS.seed + 1).choice(n, k, replace=False)]
    ours = voc.segment.fit_kmeans(x=x, k=k, init=init)
    for algorithm in ("lloyd", "elkan"):
        ref = KMeans(n_clusters=k, init=init, n_init=1, algorithm=algorithm).fit(x)
        assert np.array_equal(ours.labels, ref.labels_), f"labels differ from scikit-learn ({algorithm})"
        assert abs(ours.inertia - ref.inertia_) <= 1e-9 * ref.inertia_, "inertia differs"
    label = f"k-means k=8, {n:,} × 8, same init ({ours.n_iter} it)"
    t_voc = median_time(lambda: voc.segment.fit_kmeans(x=x, k=k, init=init), repeat)
    for algorithm in ("lloyd", "elkan"):
        t = median_time(lambda: KMeans(n_clusters=k, init=init, n_init=1, algorithm=algorithm).fit(x), repeat)
        row(label, t_voc, f"sklearn KMeans(algorithm={algorithm!r})", t)
    t_lloyd = median_time(lambda: voc.segment.fit_kmeans(x=x, k=k, init=init, algorithm="lloyd"), repeat)
    t = median_time(lambda: KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd").fit(x), repeat)
    row(f"k-means (voc algorithm='lloyd'), {n:,} × 8", t_lloyd, "sklearn KMeans(algorithm='lloyd')", t)
    # k-means++ start + iterations; the random draws differ, so one seed compares two draws, not two
    # methods: the inertias are compared as medians over seeds (voc-py/tests/test_kmeans_seeds.py
    # asserts it over 21 seeds on smaller data).
    seeds = range(ARGS.seeds)
    a = [voc.segment.fit_kmeans(x=x, k=k, seed=s).inertia for s in seeds]
    b = [KMeans(n_clusters=k, n_init=1, random_state=s).fit(x).inertia_ for s in seeds]
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"   k-means++ median inertia over {len(a)} seeds: voc {ma:.6g} vs sklearn {mb:.6g} "
          f"(voc / sklearn {ma / mb:.4f}; ranges voc {min(a):.6g}–{max(a):.6g}, sklearn {min(b):.6g}–{max(b):.6g})")
    t_voc = median_time(lambda: voc.segment.fit_kmeans(x=x, k=k, seed=1), repeat)
    t = median_time(lambda: KMeans(n_clusters=k, n_init=1, random_state=1).fit(x), repeat)
    row(f"k-means++ + fit, k=8, {n:,} × 8", t_voc, "sklearn KMeans(init='k-means++')", t)


def bench_rfm(n: int, repeat: int) -> None:
    rng = np.random.default_rng(ARGS.seed)
    df = pd.DataFrame(
        {
            "recency_days": rng.integers(0, 365, n).astype(float),
            "frequency": rng.integers(1, 20, n).astype(float),
            "monetary": np.round(rng.gamma(2.0, 60.0, n), 2),
        }
    )

    def pandas_rfm() -> pd.DataFrame:
        q = list(range(1, 6))
        return pd.DataFrame(
            {
                "r": pd.qcut(df["recency_days"].rank(method="first", ascending=False), 5, labels=q).astype(int),
                "f": pd.qcut(df["frequency"].rank(method="first"), 5, labels=q).astype(int),
                "m": pd.qcut(df["monetary"].rank(method="first"), 5, labels=q).astype(int),
            }
        )

    ours = voc.segment.rfm(df).table
    ref = pandas_rfm()
    for c in "rfm":
        assert np.array_equal(ours[c], ref[c].to_numpy()), f"RFM {c} scores differ from pandas"
    row(f"RFM scores + segments, {n:,} customers", median_time(lambda: voc.segment.rfm(df), repeat), "pandas qcut(rank('first')) ×3", median_time(pandas_rfm, repeat))


def bench_silhouette(n: int, repeat: int) -> None:
    x = blobs(n, 8, 4, ARGS.seed)
    labels = voc.segment.fit_kmeans(x=x, k=4, seed=0).labels
    a = voc.segment.silhouette_score(x=x, labels=labels)
    b = silhouette_score(x, labels)
    assert abs(a - b) <= 1e-9, (a, b)
    row(f"silhouette, {n:,} × 8", median_time(lambda: voc.segment.silhouette_score(x=x, labels=labels), repeat), "sklearn silhouette_score", median_time(lambda: silhouette_score(x, labels), repeat))


def main() -> None:
    repeat = ARGS.repeat or (2 if ARGS.quick else 5)
    n = ARGS.rows or (50_000 if ARGS.quick else 1_000_000)
    print(f"voc {voc.__version__}, scikit-learn {sklearn.__version__}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"{platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; median of {repeat}")
    bench_kmeans(n, repeat)
    bench_rfm(100_000 if ARGS.quick else 1_000_000, repeat)
    bench_silhouette(2_000 if ARGS.quick else 10_000, repeat)
    print(f"load at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
