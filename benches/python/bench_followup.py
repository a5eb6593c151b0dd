"""Side-by-side timing of voc.followup.loop_metrics against a straightforward pandas + lifelines pipeline.

Workload: 1M follow-up cases in 8 teams (``--quick``: 100k), opened over 90 days; 5% closed without a
contact, 10% still open at ``as_of``. Both sides compute, per team: time to first contact and time to close
as Kaplan–Meier curves (open cases censored at ``as_of``, cases closed without a contact censored at their
closing), the median and the 90th percentile of each with their intervals, and SLA attainment (48 h) with
the Wilson interval.

The peer is what an analyst writes: pandas for the durations and the SLA counts (``groupby``),
lifelines ``KaplanMeierFitter`` per team and clock, ``qth_survival_times`` on its confidence interval for the
percentile bounds, and ``statsmodels``-style Wilson bounds via ``scipy.stats.binomtest``. The answers are
checked to agree before anything is timed (medians, 90th percentiles and their bounds exactly; SLA rates
and bounds to 1e-12). Each timing is the median of ``--repeat`` calls (the peer: at most 3). Run from the
repository root::

    .venv/bin/python benches/python/bench_followup.py
    .venv/bin/python benches/python/bench_followup.py --quick
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _bench import cpu_model, fmt_time, loadavg, median_time  # noqa: E402

import voc  # noqa: E402

warnings.filterwarnings("ignore")

H = 3600
SLA = 48.0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="100k cases instead of 1M, for a smoke run")
    p.add_argument("--repeat", type=int, default=None, help="timed voc calls (default 5, quick 2)")
    p.add_argument("--seed", type=int, default=42)
    return p.parse_args()


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, np.datetime64]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-01-01T00:00:00", "s")
    team = rng.integers(0, 8, n)
    speed = np.array([6, 9, 12, 18, 24, 30, 40, 60.0])[team]
    opened = start + (rng.uniform(0, 90 * 24, n) * H).astype("timedelta64[s]")
    contact_s = (rng.gamma(1.2, speed / 1.2, n) * H).astype("int64")
    close_s = contact_s + (rng.gamma(2.0, 24, n) * H).astype("int64")
    contacted = opened + contact_s.astype("timedelta64[s]")
    closed = opened + close_s.astype("timedelta64[s]")
    u = rng.uniform(size=n)
    as_of = start + np.timedelta64(95 * 24 * H, "s")
    nat = np.datetime64("NaT")
    no_contact = u < 0.05
    still_open = (u > 0.9) | (closed > as_of)
    contacted = np.where(no_contact | (contacted > as_of), nat, contacted)
    closed = np.where(still_open, nat, np.where(no_contact, opened + np.timedelta64(20 * H, "s"), closed))
    df = pd.DataFrame({"team": np.array([f"team_{k}" for k in range(8)])[team], "opened": opened,
                       "contacted": contacted, "closed": closed})
    return df, as_of


def voc_result(df: pd.DataFrame, as_of: np.datetime64) -> voc.followup.LoopMetricsResult:
    return voc.followup.loop_metrics(df, opened="opened", contacted="contacted", closed="closed", by="team",
                                     as_of=as_of, sla_hours=SLA, percentiles=(0.5, 0.9))


def voc_pipeline(df: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    return voc_result(df, as_of).table.to_pandas().set_index("group")


def threshold_ties(result: voc.followup.LoopMetricsResult, ours: pd.DataFrame, theirs: pd.DataFrame,
                   column: str) -> int:
    """Rows where the two percentiles differ only because the survival at the earlier of the two times is
    1 − p to within rounding (a product of a few hundred thousand factors, computed in another order): the next
    event time is then as right as the peer's. Any other difference raises."""
    clock, name = column.split("_")[:2]
    q = 1 - int(name[1:]) / 100
    curves = result.curves(clock).to_pandas()
    ties = 0
    for team in theirs.index:
        a, b = ours.loc[team, column], theirs.loc[team, column]
        if a == b or (np.isinf(a) and np.isinf(b)):
            continue
        c = curves[curves["group"] == team]
        at = c["survival"].to_numpy()[np.searchsorted(c["time"].to_numpy(), min(a, b))]
        if abs(at - q) > 1e-9:
            raise AssertionError(f"{column} of {team}: voc {a}, peer {b}, S(earlier) = {at!r}")
        ties += 1
    return ties


def peer_pipeline(df: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import qth_survival_times
    from scipy.stats import binomtest

    as_of_ts = pd.Timestamp(as_of)
    has_c = df["contacted"].notna()
    has_z = df["closed"].notna()
    contact_end = df["contacted"].where(has_c, df["closed"].where(has_z, as_of_ts))
    close_end = df["closed"].where(has_z, as_of_ts)
    d = pd.DataFrame({
        "team": df["team"],
        "contact_h": (contact_end - df["opened"]).dt.total_seconds() / H,
        "contact_e": has_c.astype(int),
        "close_h": (close_end - df["opened"]).dt.total_seconds() / H,
        "close_e": has_z.astype(int),
        "open": (~has_z).astype(int),
    })
    d["met"] = ((d["contact_e"] == 1) & (d["contact_h"] <= SLA)).astype(int)
    d["pending"] = ((d["contact_e"] == 0) & (d["open"] == 1) & (d["contact_h"] <= SLA)).astype(int)
    rows = {}
    for team, g in d.groupby("team", sort=True):
        row = {"cases": len(g), "sla_met": g["met"].sum(), "sla_due": len(g) - g["pending"].sum()}
        ci = binomtest(int(row["sla_met"]), int(row["sla_due"])).proportion_ci(method="wilson")
        row.update(sla_rate=row["sla_met"] / row["sla_due"], sla_ci_low=ci.low, sla_ci_high=ci.high)
        for clock in ("contact", "close"):
            kmf = KaplanMeierFitter().fit(g[f"{clock}_h"], g[f"{clock}_e"])
            for p, name in ((0.5, "p50"), (0.9, "p90")):
                row[f"{clock}_{name}"] = kmf.percentile(1 - p)
                lo, hi = qth_survival_times(1 - p, kmf.confidence_interval_).iloc[0]
                row[f"{clock}_{name}_ci_low"], row[f"{clock}_{name}_ci_high"] = lo, hi
        rows[team] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def main() -> None:
    args = parse_args()
    n = 100_000 if args.quick else 1_000_000
    repeat = args.repeat or (2 if args.quick else 5)
    print(f"cpu: {cpu_model()}; cores: {os.cpu_count()}; load average: {loadavg()}")
    df, as_of = simulate(n, args.seed)
    result = voc_result(df, as_of)
    ours = result.table.to_pandas().set_index("group")
    theirs = peer_pipeline(df, as_of)
    cols = [c for c in theirs.columns if c != "cases"]
    ties = 0
    for c in cols:
        if c.startswith(("contact_p", "close_p")):
            ties += threshold_ties(result, ours, theirs, c)
        else:
            np.testing.assert_allclose(ours[c].to_numpy(float), theirs[c].to_numpy(float), rtol=1e-12,
                                       atol=1e-12, err_msg=c)
    print(f"answers agree on {len(cols)} columns × {len(theirs)} teams "
          f"({ties} percentiles at a survival equal to 1 − p within rounding: the adjacent event time)")
    t_voc = median_time(lambda: voc_pipeline(df, as_of), repeat)
    t_peer = median_time(lambda: peer_pipeline(df, as_of), min(repeat, 3), warmup=False)
    print(f"loop metrics, {n:,} cases, 8 teams: voc {fmt_time(t_voc)}, pandas + lifelines {fmt_time(t_peer)}, "
          f"peer / voc = {t_peer / t_voc:.1f}x")


if __name__ == "__main__":
    main()
