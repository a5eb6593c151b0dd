"""Side-by-side timings of voc.impact.theme_score_impact (removal impact + Shapley values) against pandas.

Data: ``--rows`` NPS answers (default 1,000,000) with ``--themes`` themes per answer (default 12; theme j
mentioned with probability 2–13 %, mentions lower the score), seeded, as a pandas DataFrame of the score
and one bool column per theme. The workload is the first screen of a text-analytics vendor: per theme the
removal impact (NPS of all answers − NPS without the answers that mention the theme) and the exact
Shapley decomposition of NPS(all) − NPS(no theme) over the themes (4,096 coalitions for 12 themes).

The pandas implementation is what a careful analyst writes:

* removal impact: for each theme, the NPS of the rows where the theme's column is False (a boolean mask
  per theme);
* Shapley: the answers' theme patterns as one integer code (``themes @ 2**j``), a ``groupby`` of the
  per-answer NPS values by code (count and sum), then for each of the 2^k coalitions the NPS of the
  patterns inside it (numpy over the distinct patterns), and the Shapley average over the coalitions.

Both sides run without bootstrap intervals (``resamples=0``); the bootstrap is timed on its own. The two
agree to 1e-9 before anything is timed. Each timing is the median of ``--repeat`` calls (Python call and
input conversion included). Run from the repository root::

    .venv/bin/python benches/python/bench_theme_impact.py            # 1M answers, 12 themes
    .venv/bin/python benches/python/bench_theme_impact.py --quick    # CI smoke run
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import voc  # noqa: E402
from _bench import cpu_model, fmt_time, loadavg, median_time  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--rows", type=int, default=None, help="answers (default 1,000,000; quick 20,000)")
    p.add_argument("--themes", type=int, default=12, help="themes (default 12)")
    p.add_argument("--repeat", type=int, default=None, help="timed calls (default 5; quick 1)")
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def simulate(n: int, k: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = np.linspace(0.02, 0.13, k)
    flags = rng.uniform(size=(n, k)) < p
    score = rng.integers(5, 11, n) - flags @ rng.integers(0, 3, k)
    df = pd.DataFrame({"nps": np.clip(score, 0, 10)})
    for j in range(k):
        df[f"t{j}"] = flags[:, j]
    return df


def pandas_theme_impact(df: pd.DataFrame, themes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Removal impacts and exact Shapley values, in pandas / numpy."""
    v = np.where(df["nps"] >= 9, 100.0, np.where(df["nps"] <= 6, -100.0, 0.0))
    values = pd.Series(v, index=df.index)
    score = values.mean()
    removal = np.array([score - values[~df[t]].mean() for t in themes])
    k = len(themes)
    code = df[themes].to_numpy(dtype=np.int64) @ (1 << np.arange(k, dtype=np.int64))
    g = values.groupby(code).agg(["count", "sum"])
    masks, cnt, tot = g.index.to_numpy(), g["count"].to_numpy(float), g["sum"].to_numpy()
    coalitions = np.arange(1 << k)
    inside = (masks[None, :] & ~coalitions[:, None]) == 0  # 2^k × patterns
    val = (inside @ tot) / (inside @ cnt)
    size = np.array([bin(s).count("1") for s in coalitions])
    w = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)])
    shapley = np.empty(k)
    for j in range(k):
        without = coalitions[(coalitions >> j) & 1 == 0]
        shapley[j] = np.sum(w[size[without]] * (val[without | (1 << j)] - val[without]))
    return removal, shapley


def main() -> None:
    a = parse_args()
    n = a.rows or (20_000 if a.quick else 1_000_000)
    repeat = a.repeat or (1 if a.quick else 5)
    k = a.themes
    print(f"voc {voc.__version__}, numpy {np.__version__}, pandas {pd.__version__}, Python {platform.python_version()}")
    print(f"CPU: {cpu_model()}; load average at start: {loadavg()}")
    df = simulate(n, k, a.seed)
    themes = [f"t{j}" for j in range(k)]

    def run_voc() -> voc.impact.ThemeScoreImpactResult:
        return voc.impact.theme_score_impact(df, scores="nps", themes=themes, resamples=0)

    r = run_voc()
    removal, shapley = pandas_theme_impact(df, themes)
    t = r.table
    assert np.allclose(t["removal_impact"], removal, rtol=0, atol=1e-9), (t["removal_impact"], removal)
    assert np.allclose(t["shapley"], shapley, rtol=0, atol=1e-9), (t["shapley"], shapley)
    print(f"{n:,} answers, {k} themes: voc and pandas agree to 1e-9 (removal impact and Shapley values)\n")
    t_voc = median_time(run_voc, repeat)
    t_pd = median_time(lambda: pandas_theme_impact(df, themes), repeat)
    print("| workload | voc | pandas | pandas / voc |")
    print("|---|---:|---:|---:|")
    print(f"| removal + exact Shapley, {k} themes, {n:,} answers | {fmt_time(t_voc)} | {fmt_time(t_pd)} "
          f"| {t_pd / t_voc:.1f}× |")
    boot = 200 if a.quick else 1000
    t_boot = median_time(
        lambda: voc.impact.theme_score_impact(df, scores="nps", themes=themes, resamples=boot), max(1, repeat // 2)
    )
    print(f"| the same with a {boot}-resample bootstrap of the removal impacts | {fmt_time(t_boot)} | — | — |")
    print(f"\nratio pandas / voc: {t_pd / t_voc:.1f}")
    print(f"load average at end: {loadavg()}")


if __name__ == "__main__":
    main()
