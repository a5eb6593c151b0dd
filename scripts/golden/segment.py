#!/usr/bin/env python3
"""Golden fixtures for the segmentation of voc-core: k-means from given initial centres, RFM quantile
scores, standardisation and the silhouette score.

Run from the repository root:

    .venv/bin/python scripts/golden/segment.py

Writes ``voc-core/tests/data/segment_golden.json``, read by ``voc-core/tests/segment_reference.rs``. The
data come from ``numpy.random.default_rng(SEED)``; the versions used are recorded in the file.

Where each expected number comes from (the "peer"):

* k-means: ``sklearn.cluster.KMeans(n_clusters=k, init=<centres>, n_init=1, algorithm="lloyd")``:
  ``labels_``, ``inertia_``, ``cluster_centers_``, ``n_iter_``.
* RFM scores: ``pandas.qcut(s.rank(method="first", ascending=...), q, labels=1..q)`` — recency ranked
  descending, frequency and monetary ascending.
* Standardisation: ``sklearn.preprocessing.StandardScaler`` (``mean_``, ``scale_``).
* Silhouette: ``sklearn.metrics.silhouette_score`` (Euclidean).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

SEED = 20261124
OUT = Path(__file__).resolve().parents[2] / "voc-core" / "tests" / "data" / "segment_golden.json"


def kmeans_cases(rng: np.random.Generator) -> list[dict]:
    cases = []
    for n, d, k in [(300, 2, 3), (1200, 5, 6), (2500, 8, 8)]:
        centres = rng.normal(0.0, 4.0, (k, d))
        x = np.round(centres[rng.integers(0, k, n)] + rng.normal(0.0, 1.5, (n, d)), 6)
        init = x[rng.choice(n, k, replace=False)]
        fit = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd").fit(x)
        sc = StandardScaler().fit(x)
        cases.append(
            {
                "cols": d,
                "k": k,
                "x": x.ravel().tolist(),
                "init": init.ravel().tolist(),
                "labels": fit.labels_.tolist(),
                "inertia": float(fit.inertia_),
                "centers": fit.cluster_centers_.ravel().tolist(),
                "n_iter": int(fit.n_iter_),
                "silhouette": float(silhouette_score(x, fit.labels_)),
                "means": sc.mean_.tolist(),
                "scales": sc.scale_.tolist(),
            }
        )
    return cases


def rfm_cases(rng: np.random.Generator) -> list[dict]:
    cases = []
    for m, q in [(7, 5), (50, 5), (333, 4), (1000, 10)]:
        recency = rng.integers(0, 40, m).astype(float)
        frequency = rng.integers(1, 8, m).astype(float)
        monetary = np.round(rng.gamma(2.0, 40.0, m), 0)

        def score(v: np.ndarray, descending: bool) -> list[int]:
            r = pd.Series(v).rank(method="first", ascending=not descending)
            return pd.qcut(r, q, labels=list(range(1, q + 1))).astype(int).tolist()

        cases.append(
            {
                "bins": q,
                "recency": recency.tolist(),
                "frequency": frequency.tolist(),
                "monetary": monetary.tolist(),
                "r": score(recency, True),
                "f": score(frequency, False),
                "m": score(monetary, False),
            }
        )
    return cases


def main() -> None:
    rng = np.random.default_rng(SEED)
    doc = {
        "provenance": {
            "script": "scripts/golden/segment.py",
            "seed": SEED,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "kmeans": kmeans_cases(rng),
        "rfm": rfm_cases(rng),
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
