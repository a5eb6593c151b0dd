"""k-means++ answers over seeds: voc's median inertia is no worse than scikit-learn's (issue 20).

One seed compares two random draws, not two methods (the benchmark once showed voc 17.7% worse on one
seed while the medians over 15 seeds were equal). Here both run ``n_init=1`` k-means++ from 21 seeds on
well-separated blobs and on uniform data (no cluster structure: many local optima), and the medians are
compared. On blobs both find the same optimum on most seeds, so the medians must agree to rounding. On
uniform data the local optima differ by seed; voc's median may not exceed scikit-learn's by more than a
tenth of scikit-learn's own interquartile range over the seeds (the noise of a median of 21 draws is
several times that), and it is printed with ``-s``.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from sklearn.cluster import KMeans

import voc

SEEDS = range(21)


def _blobs(n: int, d: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 4.0, (k, d))
    return centres[rng.integers(0, k, n)] + rng.normal(0.0, 1.5, (n, d))


CASES = {
    "blobs": (_blobs(2_000, 6, 8, 3), 8),
    "uniform": (np.random.default_rng(7).random((2_000, 3)), 6),
}


def _inertias(x: np.ndarray, k: int) -> tuple[list[float], list[float]]:
    ours = [voc.segment.fit_kmeans(x=x, k=k, seed=s).inertia for s in SEEDS]
    theirs = [float(KMeans(n_clusters=k, n_init=1, random_state=s).fit(x).inertia_) for s in SEEDS]
    return ours, theirs


@pytest.mark.parametrize("case", sorted(CASES))
def test_median_kmeans_plus_plus_inertia_is_no_worse_than_sklearn(case: str) -> None:
    x, k = CASES[case]
    ours, theirs = _inertias(x, k)
    assert len(ours) == len(theirs) >= 20
    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    q1, _, q3 = statistics.quantiles(theirs, n=4)
    print(f"{case}: median inertia voc {m_ours:.6g}, scikit-learn {m_theirs:.6g} (IQR {q3 - q1:.3g})")
    if case == "blobs":
        assert m_ours <= m_theirs * (1 + 1e-9)
    else:
        assert m_ours <= m_theirs + 0.1 * (q3 - q1)
    # Every voc run is a proper k-means++ fit: no seed far worse than scikit-learn's worst.
    assert max(ours) <= max(theirs) * 1.05
