"""voc segments demo: the value × voice matrix of a simulated fashion retailer, with churn rate and revenue
at risk per cell, the profile of every segment with its recommended retention play, RFM and lifecycle
segments, and k-means on standardised signals.

Run with voc installed: ``python examples/segments.py [--customers N] [--seed S]``. From another script,
``segment_report(X, y)`` prints the same report for signals ``X`` and labels ``y``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import voc

CUTOFF = "2025-01-01"
HORIZON_DAYS = 180


def rule(title: str) -> None:
    print(f"\n{title}\n{'-' * len(title)}")


def segment_report(X: voc.Table, y: voc.Table) -> None:
    """Prints the value × voice matrix, the segment profiles, RFM and lifecycle churn, and k-means."""
    seg = voc.segment.value_voice(X)
    prof = voc.segment.profile(X, by=seg, churn=y["churned"])
    cuts = seg.cuts
    rule(f"Value × voice at {CUTOFF}: churn in the next {HORIZON_DAYS} days (value tiers: monetary ≥ {cuts[0]:.0f} mid, ≥ {cuts[1]:.0f} high)")
    churn = voc.segment.matrix(prof, by=seg, values="churn_rate").to_pandas().set_index("value_tier")
    size = voc.segment.matrix(prof, by=seg, values="size").to_pandas().set_index("value_tier")
    risk = voc.segment.matrix(prof, by=seg, values="revenue_at_risk").to_pandas().set_index("value_tier")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print("churn rate (customers):")
        cells = churn.map(lambda v: "—" if np.isnan(v) else f"{100 * v:.1f}%") + size.map(lambda v: f" ({int(v):,})")
        print(cells.to_string())
        print("\nrevenue at risk (monetary value of the customers who churned):")
        print(risk.map(lambda v: f"{v:,.0f}").to_string())

    rule("Segment profiles (largest revenue at risk first; 95% Wilson CI for churn, adjusted-Wald CI for NPS)")
    df = prof.to_pandas()
    df = df[df["size"] > 0].sort_values("revenue_at_risk", ascending=False)
    for r in df.itertuples():
        nps = "   n/a" if np.isnan(r.nps) else f"{r.nps:+6.1f} [{r.nps_low:+.0f}, {r.nps_high:+.0f}]"
        print(
            f"{r.segment:<30} n={r.size:>6,} ({100 * r.share:4.1f}%)  churn {100 * r.churn_rate:5.1f}% "
            f"[{100 * r.churn_low:4.1f}, {100 * r.churn_high:4.1f}]  NPS {nps:<20} value {r.mean_value:7.0f}  "
            f"at risk {r.revenue_at_risk:>11,.0f}  themes: {r.top_themes or '—'}"
        )
        print(f"{'':<30} play: {r.play}")

    rule("RFM segments")
    rfm = voc.segment.rfm(X)
    p = voc.segment.profile(X, by=rfm, churn=y["churned"], themes=None).to_pandas()
    p = p[p["size"] > 0].sort_values("churn_rate")
    print(p[["segment", "size", "churn_rate", "churn_low", "churn_high", "mean_value", "revenue_at_risk"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    rule("Lifecycle stages")
    life = voc.segment.lifecycle(X)
    p = voc.segment.profile(X, by=life, churn=y["churned"], themes=None).to_pandas()
    print(p[["segment", "size", "churn_rate", "churn_low", "churn_high", "nps", "revenue_at_risk"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    rule("k-means (k = 5, k-means++ with 4 starts) on standardised behaviour signals")
    cols = ["recency_days", "frequency", "monetary", "tickets_90d", "refund_delay_max_days"]
    raw = X.to_pandas()[cols].fillna({"recency_days": 730.0, "refund_delay_max_days": 0.0}).to_numpy()
    z = voc.segment.standardize(x=raw).values
    fit = voc.segment.fit_kmeans(x=z, k=5, n_init=4, seed=7)
    sample = np.random.default_rng(0).choice(len(z), min(len(z), 3000), replace=False)
    sil = voc.segment.silhouette_score(x=z[sample], labels=fit.labels[sample])
    p = voc.segment.profile(X, by=[f"cluster {c}" for c in fit.labels], churn=y["churned"], themes=None).to_pandas()
    centres = pd.DataFrame(fit.centers, columns=cols).round(2)
    centres.insert(0, "segment", [f"cluster {c}" for c in range(5)])
    print(centres.merge(p[["segment", "size", "churn_rate"]], on="segment").to_string(index=False))
    print(f"inertia {fit.inertia:.1f}, {fit.n_iter} iterations, silhouette (3,000 sampled) {sil:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000, help="customers of the simulated retailer")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    data = voc.sample.retailer(seed=args.seed, customers=args.customers)
    log = voc.signals.EventLog(**data.tables())
    X = log.features(CUTOFF)
    y = log.labels(CUTOFF, horizon_days=HORIZON_DAYS)
    print(f"simulated retailer: {args.customers:,} customers, {len(X):,} signed up before {CUTOFF}")
    segment_report(X, y)
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
