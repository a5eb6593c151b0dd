"""voc demo: an NPS / CSAT / CES report by segment and month on simulated survey data, then the churn
signals of a simulated fashion retailer whose refunds are slow, what each complaint theme costs in NPS points,
whom a retention call saves, and how the follow-up of complaining customers closes the loop.

Run from a fresh clone with ``bash scripts/demo.sh`` (it builds voc into .venv first), or, with voc
installed, ``python examples/demo.py [--responses N] [--customers N] [--seed S] [--out DIR]``.
Besides the printed output it writes ``DIR/report.md`` (the findings in plain words) and PNG figures
(default ``report/``; ``--out ""`` skips them; the figures need matplotlib).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any
from pathlib import Path

import numpy as np
import pandas as pd

import voc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import Report  # noqa: E402


HOLDOUT = 0.2  # share of customers kept on the old refund process after the fix (a randomised control group)
PROGRAM_COST = 150_000.0  # assumed yearly cost of the refund fix (warehouse automation, staff)
COST_PER_CONTACT = 6.0  # assumed cost of one support ticket


def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def pval(p: float) -> str:
    """A p-value for print: two significant digits, or its floor when it underflows."""
    return "< 1e-300" if p == 0 else f"{p:.2g}"


def span(low: float | None, high: float | None, fmt: str = ",.0f", why: str = "no interval") -> str:
    """An interval for print, or why there is none (an ROI's bounds are None when it has no interval)."""
    if low is None or high is None:
        return f"[{why}]"
    return f"[{low:{fmt}}, {high:{fmt}}]"


def roi_text(r: voc.impact.RoiResult) -> str:
    """The ROI and payback for print; each undefined number says why."""
    if r.estimate is None:
        roi = "ROI undefined (the program costs nothing)"
    else:
        roi = f"ROI {r.estimate:.1f}x {span(r.ci_low, r.ci_high, '.1f', 'no interval: the churn reduction has none')}"
    if r.payback_months is None:
        payback = f"no payback (the benefit, {r.benefit:,.0f} a year, is not positive)"
    else:
        payback = f"payback {r.payback_months:.1f} months"
    return f"{roi}, {payback}"


def hours(x: float) -> str:
    """A time in hours for print; "never" when the share of cases is not reached (an infinite percentile)."""
    return f"{x:.1f}" if np.isfinite(x) else "never"


def rule(title: str) -> None:
    print(f"\n{title}\n{'-' * len(title)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--alpha", type=float, default=0.05, help="family-wise error rate (Holm) for flagged changes")
    parser.add_argument("--customers", type=int, default=100_000, help="customers of the simulated retailer")
    parser.add_argument("--out", default="report", help='folder for report.md and the figures ("" for none)')
    args = parser.parse_args()
    report = Report(args.out or None)
    survey_report(args, report)
    data, log = churn_signals(args, report)
    value_voice(log, report)
    alerts = churn_risk(log, report)
    retention(data, log, alerts, report)
    rates = complaint_themes(data, report)
    churn_drivers(data, log, report)
    fix_impact(data, log, rates, report)
    themes_to_score(data, report)
    who_to_call(data, log, report)
    closing_loop(data, log, report)
    written = report.write("What our customers told us: VoC report on the simulated fashion retailer")
    if written is not None:
        print(f"\nreport written to {written} ({len(report.figures)} figures)")


def survey_report(args: argparse.Namespace, report: Report) -> None:
    started = time.perf_counter()
    data = voc.sample.surveys(seed=args.seed, responses=args.responses)
    nps, csat, ces = data["nps"], data["csat"], data["ces"]
    segment, channel, when, weight = data["segment"], data["channel"], data["time"], data["weight"]
    print(f"voc {voc.__version__} demo: {len(data):,} simulated survey responses of a fashion retailer, "
          f"{str(np.min(when))[:10]} to {str(np.max(when))[:10]} (seed {args.seed})")

    rule("Overall (95% confidence intervals)")
    n = voc.nps(nps)
    nw = voc.nps(nps, weights=weight)
    c = voc.csat(csat)
    e = voc.ces(ces)
    print(f"NPS            {n.nps:+6.1f}  [{n.ci[0]:+.1f}, {n.ci[1]:+.1f}]  {n.method}, n={n.n:,}  "
          f"(promoters {pct(n.share_promoters)}, detractors {pct(n.share_detractors)})")
    print(f"NPS, weighted  {nw.nps:+6.1f}  [{nw.ci[0]:+.1f}, {nw.ci[1]:+.1f}]  Kish n_eff={nw.n_eff:,.0f} "
          "(survey weights undo the over-sampling of VIPs)")
    print(f"CSAT           {pct(c.satisfied)} satisfied (4-5)  [{pct(c.satisfied_ci[0])}, {pct(c.satisfied_ci[1])}]  "
          f"{c.method}; mean {c.mean:.2f}")
    mean_ci = span(*e.mean_ci, fmt=".2f") if e.mean_ci is not None else "[no interval: fewer than 2 answers]"
    print(f"CES            mean {e.mean:.2f}  {mean_ci}  t; "
          f"easy (5-7) {pct(e.easy)}, high effort (1-3) {pct(e.high_effort)}")

    rule("NPS by segment")
    seg = voc.nps(nps, by=segment).table
    print(f"{'segment':<10}{'n':>9}{'NPS':>8}   95% CI            promoters  detractors")
    for i in range(len(seg)):
        print(f"{seg['group'][i]:<10}{seg['n'][i]:>9,}{seg['nps'][i]:>+8.1f}   "
              f"[{seg['ci_low'][i]:+6.1f}, {seg['ci_high'][i]:+6.1f}]   {pct(seg['share_promoters'][i])}     "
              f"{pct(seg['share_detractors'][i])}")
    vip = voc.nps(nps[np.asarray(segment) == "vip"])
    new = voc.nps(nps[np.asarray(segment) == "new"])
    t = voc.compare(vip, new)
    print(f"VIP vs new: {t.estimate:+.1f} points [{t.ci[0]:+.1f}, {t.ci[1]:+.1f}], z={t.statistic:.1f}, "
          f"p={t.p_value:.2g} (Wald test, Rocks 2016)")

    rule("NPS by month")
    monthly = voc.nps(nps, period="month", time=when).table
    print(f"{'month':<9}{'n':>8}{'NPS':>8}   95% CI            change   p")
    for i in range(len(monthly)):
        ch = monthly["change"][i]
        change = "" if np.isnan(ch) else f"{ch:+6.1f}   {monthly['p_value'][i]:.3f}"
        print(f"{monthly['period'][i]:<9}{monthly['n'][i]:>8,}{monthly['nps'][i]:>+8.1f}   "
              f"[{monthly['ci_low'][i]:+6.1f}, {monthly['ci_high'][i]:+6.1f}]   {change}")

    flagged = []
    for name, table in (
        ("NPS", voc.nps(nps, by=channel, period="month", time=when).table),
        ("CSAT satisfied", voc.csat(csat, by=channel, period="month", time=when).table),
        ("CES mean", voc.ces(ces, by=channel, period="month", time=when).table),
    ):
        tests = int(np.count_nonzero(~np.isnan(table["p_value"])))
        for i in np.flatnonzero(table["p_adjusted"] < args.alpha).tolist():
            flagged.append((name, table["group"][i], table["period"][i], table["previous"][i],
                            table["change"][i], table["change_ci_low"][i], table["change_ci_high"][i],
                            table["p_adjusted"][i], tests))
    rule(f"Significant month-over-month changes by channel (Holm-adjusted p < {args.alpha})")
    if not flagged:
        print("none")
    for name, ch, month, prev, change, lo, hi, p, tests in flagged:
        scale = 100 if name.startswith("CSAT") else 1
        unit = " pts" if name != "CES mean" else ""
        print(f"{name:<15}{ch:<12}{prev} -> {month}: {scale * change:+6.2f}{unit} "
              f"[{scale * lo:+.2f}, {scale * hi:+.2f}]  adjusted p={p:.1e}  ({tests} tests)")

    rule("What was planted in the simulation")
    planted = voc.sample.survey_changes(year=2025)
    for p in planted:
        found = any(f[1] == p.channel and f[2] == p.from_month for f in flagged)
        print(f"- {p.from_month} {p.channel}: {p.description}  -> {'found' if found else 'NOT found'}")
    print(f"\n(report computed in {time.perf_counter() - started:.2f} s)")
    report.survey(n, nw, monthly, flagged, planted, args.alpha)


# Yes/no signals a CX manager reads: (label, feature, test on the feature's values). Experience signals
# are causes a team can act on; behaviour signals are symptoms of leaving already under way.
FLAGS: dict[str, list[tuple[str, str, Callable[[Any], Any]]]] = {
    "experience": [
        ("refund paid >= 9 days after warehouse receipt", "refund_delay_max_days", lambda v: v >= 9),
        ("raised a refund ticket", "theme_refund", lambda v: v >= 1),
        ("2+ tickets on one theme in the last 90 days", "repeat_theme_max_90d", lambda v: v >= 2),
        ("latest NPS answer is a detractor (0-6)", "nps_last", lambda v: v <= 6),
        ("promoter turned detractor (last two NPS answers)", "nps_flip", lambda v: v == 1),
        ("raised a delivery ticket", "theme_delivery", lambda v: v >= 1),
        ("raised a size/fit ticket", "theme_size_fit", lambda v: v >= 1),
        ("ticket still unresolved", "tickets_unresolved", lambda v: v >= 1),
    ],
    "behaviour": [
        ("silent: no order or feedback in 90 days", "silent", lambda v: v == 1),
        ("fewer orders in the last 180 days than the 180 before", "orders_change_180d", lambda v: v < 0),
    ],
}


def churn_signals(args: argparse.Namespace, report: Report) -> tuple[voc.sample.RetailerData, voc.signals.EventLog]:
    started = time.perf_counter()
    # A random 20% of customers is held out of the refund fix, so its effect can be measured.
    data = voc.sample.retailer(seed=args.seed, customers=args.customers, holdout=HOLDOUT)
    log = voc.signals.EventLog(**data.tables())
    cutoff, horizon = "2025-01-01", 180
    X = log.features(cutoff)
    y = np.asarray(log.labels(cutoff, horizon_days=horizon)["churned"])
    buyers = np.asarray(X["frequency"]) > 0
    rule(f"Churn signals of a simulated fashion retailer ({args.customers:,} customers, {log.n_events:,} events)")
    print(f"As of {cutoff}: {int(buyers.sum()):,} customers with an order; churned = no order (or a churn-survey "
          f"answer) in the next {horizon} days.")
    base = y[buyers]
    share = voc.stats.proportion_ci(int(base.sum()), len(base))
    lo, hi = share.ci_low, share.ci_high
    print(f"Churn rate {pct(base.mean())} [{pct(lo)}, {pct(hi)}] (Wilson 95%)\n")
    best = None
    for kind, flags in FLAGS.items():
        print(f"{kind + ' signals':<56}{'customers':>10}{'churn if yes':>14}{'if no':>9}{'ratio':>7}   "
              "difference, 95% CI")
        rows = []
        for label, name, test in flags:
            if name not in X.columns:
                continue
            v = np.asarray(X[name])[buyers]
            # Undefined values (no answer, no return) are "no".
            yes = test(np.nan_to_num(v, nan=np.inf if name == "nps_last" else -np.inf))
            k1, n1 = int(base[yes].sum()), int(yes.sum())
            k2, n2 = int(base[~yes].sum()), int((~yes).sum())
            if n1 == 0 or n2 == 0:
                continue
            t = voc.stats.two_proportion_test(k1, n1, k2, n2)
            rows.append((k1 / n1 / (k2 / n2), label, n1, k1 / n1, k2 / n2, t))
        rows.sort(key=lambda r: -r[0])
        for ratio, label, n1, r1, r2, t in rows:
            print(f"  {label:<54}{n1:>10,}{pct(r1):>14}{pct(r2):>9}{ratio:>7.2f}   "
                  f"{100 * t.estimate:+5.1f} pts [{100 * t.ci[0]:+.1f}, {100 * t.ci[1]:+.1f}]")
        if kind == "experience" and rows:
            best = rows[0]
        print()
    planted = data.planted
    print(f"Planted: {planted.description} (odds ratio {planted.churn_odds_ratio:g}; "
          f"fix on {planted.fix_date}).")
    if best is not None:
        print(f"Strongest experience signal found: {best[1]!r} -> churn {best[0]:.2f}x as likely "
              f"(+{100 * best[5].estimate:.1f} points).")
    print(f"\n(simulated and analysed in {time.perf_counter() - started:.2f} s)")
    report.signals(float(base.mean()), (lo, hi), best, planted, horizon)
    return data, log


def value_voice(log: voc.signals.EventLog, report: Report) -> None:
    cutoff = "2025-01-01"
    X = log.features(cutoff)
    y = log.labels(cutoff, horizon_days=180)
    seg = voc.segment.value_voice(X)
    prof = voc.segment.profile(X, by=seg, churn=y["churned"])
    rule(f"Value x voice segments as of {cutoff}: churn rate in the next 180 days and revenue at risk")
    churn = voc.segment.matrix(prof, by=seg, values="churn_rate").to_pandas().set_index("value_tier")
    risk = voc.segment.matrix(prof, by=seg, values="revenue_at_risk").to_pandas().set_index("value_tier")
    size = voc.segment.matrix(prof, by=seg, values="size").to_pandas().set_index("value_tier")
    cells = churn.map(lambda v: "-" if np.isnan(v) else f"{100 * v:.0f}%") + size.map(lambda v: f" ({int(v):,})")
    print("churn rate (customers):")
    print(cells.to_string())
    print("\nrevenue at risk (value of the customers who churned):")
    print(risk.map(lambda v: f"{v:,.0f}").to_string())
    top = prof.to_pandas().sort_values("revenue_at_risk", ascending=False).head(3)
    print("\nlargest revenue at risk, with the recommended play:")
    for r in top.itertuples():
        print(f"  {r.segment:<28} {r.revenue_at_risk:>12,.0f}  churn {pct(r.churn_rate)}  -> {r.play}")
    report.value_voice(prof, seg)


# Signals the churn model reads: experience signals (what the retailer can fix) and behaviour signals.
EXPERIENCE = [
    "refund_delay_max_days", "refunds_pending", "theme_refund", "repeat_theme_max_90d", "tickets_unresolved",
    "nps_last", "nps_drop", "ces_mean", "ticket_csat_mean", "theme_delivery", "theme_size_fit", "theme_quality",
]
BEHAVIOUR = ["recency_days", "silent"]
MODEL_FEATURES = EXPERIENCE + BEHAVIOUR


def churn_risk(log: voc.signals.EventLog, report: Report) -> pd.DataFrame:
    train_at, test_at, today = "2024-07-01", "2025-01-01", "2025-07-01"

    def active(cutoff: str) -> tuple[pd.DataFrame, pd.Series]:
        X = log.features(cutoff).to_pandas()
        y = log.labels(cutoff, horizon_days=180).to_pandas()["churned"]
        keep = (X["frequency"] > 0) & (X["churn_event"] == 0)  # customers still with us
        return X[keep].reset_index(drop=True), y[keep].reset_index(drop=True)

    X, y = active(train_at)
    model = voc.risk.fit_logistic(X, x=MODEL_FEATURES, y=y, missing="impute_mean")
    rule(f"Churn risk model (logistic regression, L2, trained on {train_at} with 180-day labels)")
    coefs = model.summary().to_pandas().iloc[1:].sort_values("coef_std", ascending=False)
    print("signals that raise churn risk most (standardised coefficient; odds ratio per unit):")
    for r in coefs.head(6).itertuples():
        kind = "experience" if r.term in EXPERIENCE else "behaviour"
        print(f"  {r.term:<24}{r.coef_std:+7.3f}   OR {r.odds_ratio:6.3f}   ({kind})")
    Xt, yt = active(test_at)
    p = model.predict_proba(Xt)
    ev = voc.risk.evaluate(y=yt, scores=p)
    lift = voc.risk.lift(y=yt, scores=p).to_pandas()
    print(f"\nOn a later cutoff ({test_at}, {len(yt):,} active customers): ROC AUC {ev.roc_auc:.3f}, "
          f"average precision {ev.average_precision:.3f}, Brier {ev.brier:.3f}; "
          f"top decile churns {lift['lift'][0]:.2f}x the average rate.")
    Xn, _ = active(today)
    alerts = voc.risk.alerts(Xn, model=model, value="monetary", save_rate=0.3, contact_cost=8.0, capacity=10).to_pandas()
    print(f"\nAlert list at {today} (expected value of a call = value x p x 30% saved - 8), top 10:")
    for r in alerts.itertuples():
        why = "; ".join(x for x in (r.reason_1, r.reason_2, r.reason_3) if isinstance(x, str))
        print(f"  customer {r.customer_id:>7}  p={r.probability:.2f}  value {r.value:7.0f}  EV {r.expected_value:6.0f}  "
              f"because: {why}")
    full = voc.risk.alerts(Xn, model=model, value="monetary", save_rate=0.3, contact_cost=8.0, reasons=5,
                           capacity=1000).to_pandas()
    first = [next((f for f in row if isinstance(f, str) and f in EXPERIENCE), None)
             for row in full[[f"reason_{k}_feature" for k in range(1, 6)]].itertuples(index=False)]
    shares = pd.Series(first).value_counts(normalize=True).head(4)
    print(f"\nAmong the {len(full):,} most valuable calls, the experience signal behind the risk: "
          + ", ".join(f"{k} {100 * v:.0f}%" for k, v in shares.items()))
    report.risk(ev, lift, test_at, shares)
    return full


def nps_class(score: float) -> str:
    if np.isnan(score):
        return "no answer"
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def retention(data: voc.sample.RetailerData, log: voc.signals.EventLog, alerts: pd.DataFrame, report: Report) -> None:
    end = str(data.end)
    X = log.features(end).to_pandas()
    X = X[X["frequency"] > 0]
    # A customer has lapsed when the last order is more than 180 days before the end of the data; their
    # relationship lasted from sign-up to that order. The others are censored at the end of the data.
    lapsed = (X["recency_days"] > 180).to_numpy()
    duration = np.where(lapsed, X["tenure_days"] - X["recency_days"], X["tenure_days"]).astype(float)
    cls = [nps_class(v) for v in X["nps_last"]]
    km = voc.retention.kaplan_meier(durations=duration, events=lapsed, by=cls)
    test = voc.retention.logrank_test(durations=duration, events=lapsed, by=cls)
    rule("Customer survival by NPS class (Kaplan-Meier, log(-log) 95% CI; lapsed = no order in the last 180 days)")
    print(f"{'class':<12}{'customers':>10}{'still buying at 1 year':>26}{'at 2 years':>14}{'median months':>16}")
    km_rows = []
    for g in ["promoter", "passive", "detractor", "no answer"]:
        s1, s2 = km.survival_at([365.0, 730.0], group=g)
        n = cls.count(g)
        km_rows.append((g, n, float(s1), float(s2)))
        med = km.percentile(0.5, group=g)
        print(f"{g:<12}{n:>10,}{pct(s1):>26}{pct(s2):>14}{(med / 30.44 if np.isfinite(med) else float('inf')):>16.1f}")
    print(f"log-rank test across the classes: chi2 = {test.statistic:.1f} on {test.df} df, p = {test.p_value:.2g}")
    report.retention(km, test, km_rows)

    today = "2025-07-01"
    orders = data.orders.to_pandas()
    orders = orders[orders["time"] < np.datetime64(today)]
    rfm = voc.retention.rfm_summary(orders, customers="customer_id", time="time", monetary="amount",
                                    observation_end=today).to_pandas()
    rule(f"Customer value at {today} (BG/NBD + Gamma-Gamma, 12-month CLV, 1% monthly discount)")
    try:
        bg = voc.retention.fit_bgnbd(rfm, max_iter=2000)
    except voc.ConvergenceError as e:
        # The simulated churn is not BG/NBD-shaped; on some samples the likelihood peaks on the boundary.
        print(f"BG/NBD did not converge on this sample ({e}); CLV left out")
        return
    repeat = rfm[rfm["frequency"] > 0]
    gg = voc.retention.fit_gamma_gamma(repeat)
    clv = voc.retention.customer_lifetime_value(repeat, bgnbd=bg, gamma_gamma=gg, periods=12)
    clv = pd.Series(np.asarray(clv), index=repeat["customer"].to_numpy())
    at_risk = alerts.assign(clv=alerts["customer_id"].map(clv)).dropna(subset=["clv"])
    print(f"BG/NBD {bg}")
    print(f"12-month CLV of {len(clv):,} repeat buyers: total {clv.sum():,.0f}, median {clv.median():,.0f}")
    print(f"The {len(at_risk):,} customers of the alert list hold {at_risk['clv'].sum():,.0f} of CLV; "
          f"weighted by their churn probability, {(at_risk['clv'] * at_risk['probability']).sum():,.0f} is at risk.")


def complaint_themes(data: voc.sample.RetailerData, report: Report) -> pd.DataFrame:
    tickets, mentions = data.tickets.to_pandas(), data.mentions.to_pandas()
    texts = pd.concat([tickets["text"], mentions["text"]], ignore_index=True)
    channel = ["ticket"] * len(tickets) + ["social"] * len(mentions)
    when = pd.concat([tickets["time"], mentions["time"]], ignore_index=True)
    rates = voc.text.themes().mention_rates(texts, by=channel, time=when, period="quarter").table.to_pandas()
    fix = pd.Timestamp(data.planted.fix_date)
    rule(f"Complaint themes in ticket and social texts (Chinese and English), by quarter; refunds fixed {fix.date()}")
    refund = rates[rates["theme"] == "refund"]
    print(f"{'channel':<8}{'quarter':<9}{'texts':>7}{'refund mentions':>17}   95% CI            change vs previous, Holm p")
    for r in refund.itertuples():
        change = "" if np.isnan(r.change) else f"{100 * r.change:+6.1f} pts, p={r.p_adjusted:.1g}"
        print(f"{r.group:<8}{r.period:<9}{r.texts:>7,}{pct(r.rate):>17}   [{pct(r.ci_low)}, {pct(r.ci_high)}]   {change}")
    top = rates.groupby("theme")["mentions"].sum()
    price_share = top.get("price", 0) / max(1, len(texts))
    print(f"price is mentioned in {pct(price_share)} of texts; "
          f"most mentioned themes: {', '.join(top.drop(index=[t for t in top.index if '.' in t]).nlargest(3).index)}")
    report.themes(rates, fix)
    return rates


def churn_drivers(data: voc.sample.RetailerData, log: voc.signals.EventLog, report: Report) -> None:
    """Themes ranked by the churn they explain; outcomes by NPS class."""
    cutoff, horizon = "2025-01-01", 180
    X = log.features(cutoff).to_pandas()
    churned = np.asarray(log.labels(cutoff, horizon_days=horizon)["churned"])
    buyers = (X["frequency"] > 0).to_numpy()
    frame = X[buyers].assign(churned=churned[buyers])
    rule(f"Which complaint themes drive churn (customers as of {cutoff}, churn in the next {horizon} days)")
    themes = voc.impact.theme_impact(frame, churned="churned", value="monetary").to_pandas()
    print(f"{'theme':<12}{'raised by':>10}{'churn if raised':>17}{'if not':>8}{'risk ratio, 95% CI':>24}"
          f"{'excess churners':>17}{'revenue at risk':>17}")
    for r in themes.head(6).itertuples():
        print(f"{r.theme:<12}{r.n_raised:>10,}{pct(r.rate_raised):>17}{pct(r.rate_not):>8}"
              f"{r.risk_ratio:>9.2f} [{r.risk_ratio_ci_low:.2f}, {r.risk_ratio_ci_high:.2f}]"
              f"{r.excess_churners:>17,.0f}{r.excess_revenue:>17,.0f}")
    top = themes.iloc[0]
    print(f"Top churn theme: {top.theme!r} (risk ratio {top.risk_ratio:.2f}, Fisher p adjusted (Holm) "
          f"{pval(top.p_adjusted)}).")

    rule("Key drivers of churn: each signal's share of the explained variance (Shapley / LMG, exact)")
    # No refund yet means no wait; theme columns count tickets on the theme.
    drivers = {name: name for name in frame.columns if name.startswith("theme_") and name != "theme_praise"}
    drivers.update(refund_delay_max_days="refund_delay_max_days", refunds_pending="refunds_pending",
                   tickets_unresolved="tickets_unresolved", repeat_theme_max_90d="repeat_theme_max_90d")
    inputs = frame[list(drivers)].fillna(0.0).assign(churned=frame["churned"].astype(float))
    kd = voc.impact.key_drivers(inputs, outcome="churned", drivers=list(drivers), resamples=200, seed=1)
    k = kd.table.to_pandas().sort_values("rank")
    print(f"R² = {kd.r2:.4f} [{kd.r2_ci_low:.4f}, {kd.r2_ci_high:.4f}] "
          f"(linear probability model, {kd.n:,} customers; bootstrap 95% intervals, {kd.resamples} resamples)")
    print(f"{'driver':<24}{'share of R²':>12}   95% CI            sign")
    for r in k.head(6).itertuples():
        print(f"{r.driver:<24}{pct(r.share):>12}   [{pct(r.share_ci_low)}, {pct(r.share_ci_high)}]   {'+' if r.sign > 0 else '-'}")

    rule(f"Outcomes by NPS class (latest answer before {cutoff}; spend in the next {horizon} days)")
    orders = revenue_after(data, cutoff, horizon)
    frame = frame.assign(spend_next=frame["customer_id"].map(orders).fillna(0.0).to_numpy())
    answered = frame[frame["nps_last"].notna()]
    classes = voc.impact.outcome_by_class(answered, nps="nps_last", churned="churned", spend="spend_next")
    c = classes.table.to_pandas()
    print(f"{'class':<11}{'customers':>10}{'churn, 95% CI':>26}{'ARPU, 95% CI':>28}")
    for r in c.to_dict("records"):
        print(f"{r['group']:<11}{r['n']:>10,}{pct(r['churn_rate']):>9} [{pct(r['churn_rate_ci_low'])}, "
              f"{pct(r['churn_rate_ci_high'])}]{r['arpu']:>12.2f} [{r['arpu_ci_low']:.2f}, {r['arpu_ci_high']:.2f}]")
    ratio = voc.impact.class_ratio(answered, numerator="promoter", denominator="detractor", nps="nps_last",
                                   churned="churned", spend="spend_next")
    print(f"Promoters spend {ratio.estimate:.2f}x what detractors spend [{ratio.ci_low:.2f}, {ratio.ci_high:.2f}] "
          "(delta method on the log ratio).")
    shift = voc.impact.what_if(classes, shift="detractors_to_passives", share=0.2)
    print(f"What if 20% of detractors became passives: NPS {shift.nps_before:+.1f} -> {shift.nps_after:+.1f}, "
          f"retained revenue +{shift.revenue_change:,.0f} over {horizon} days.")
    report.drivers(themes, kd, classes, ratio, shift)


def revenue_after(data: voc.sample.RetailerData, start: str, days: int) -> pd.Series:
    """Revenue per customer in the `days` after `start`."""
    orders = data.orders.to_pandas()
    t0 = pd.Timestamp(start)
    window = orders[(orders["time"] >= t0) & (orders["time"] < t0 + pd.Timedelta(days=days))]
    return window.groupby("customer_id")["amount"].sum()


def fix_impact(data: voc.sample.RetailerData, log: voc.signals.EventLog, rates: pd.DataFrame, report: Report) -> None:
    """The refund fix measured against the customers held out of it, and what it is worth."""
    fix = data.planted.fix_date
    horizon = 180
    X = log.features(fix).to_pandas()
    churned = np.asarray(log.labels(fix, horizon_days=horizon)["churned"])
    held = data.customers.to_pandas().set_index("customer_id").loc[X["customer_id"], "holdout"].to_numpy()
    active = ((X["frequency"] > 0) & (X["churn_event"] == 0)).to_numpy()
    # The fix acts on refunds: customers whose return reached the warehouse in the 60 days after it are the
    # ones it can reach (the return was sent before either arm's refund speed could matter).
    returns = data.returns.to_pandas()
    t0 = pd.Timestamp(fix)
    window = returns[(returns["received"] >= t0) & (returns["received"] < t0 + pd.Timedelta(days=60))]
    reached = active & X["customer_id"].isin(window["customer_id"]).to_numpy()
    rule(f"The refund fix of {fix}: complaint volume before and after, and churn against a random {HOLDOUT:.0%} holdout")
    # Refund complaints, first and second half of 2025 (the fix came at the turn): volume per day (Poisson
    # rate ratio) and share of tickets (two proportions).
    refund = rates[rates["theme"] == "refund"].set_index(["group", "period"])
    halves = {"before": ["2025-Q1", "2025-Q2"], "after": ["2025-Q3", "2025-Q4"]}
    days = {"before": 181.0, "after": 184.0}
    volumes = []
    for channel in ("social", "ticket"):
        m = {h: float(refund.loc[[(channel, q) for q in qs], "mentions"].sum()) for h, qs in halves.items()}
        n = {h: float(refund.loc[[(channel, q) for q in qs], "texts"].sum()) for h, qs in halves.items()}
        rr = voc.impact.rate_ratio(m["after"], days["after"], m["before"], days["before"])
        volumes.append((channel, m["before"] / days["before"], m["after"] / days["after"], rr))
        print(f"{channel} refund complaints per day: {m['before'] / days['before']:.1f} in H1 2025 -> "
              f"{m['after'] / days['after']:.1f} in H2, {100 * (rr.estimate - 1):+.0f}% "
              f"[{100 * (rr.ci_low - 1):+.0f}%, {100 * (rr.ci_high - 1):+.0f}%] (Poisson rate ratio, Wald-log)")
        if channel == "ticket":
            ba = voc.impact.before_after((m["before"], n["before"]), (m["after"], n["after"]))
            print(f"  share of tickets about refunds: {pct(ba.rate_before)} -> {pct(ba.rate_after)}, "
                  f"{100 * ba.estimate:+.1f} pts [{100 * ba.ci_low:+.1f}, {100 * ba.ci_high:+.1f}], "
                  f"p={pval(ba.p_value)}")
    print(f"Churn in the {horizon} days after the fix, fixed vs held out:")
    results = {}
    for label, rows in [("all active customers", active), ("customers with a return in the 60 days after the fix", reached)]:
        t, c = rows & ~held, rows & held
        h = voc.impact.holdout((int(churned[t].sum()), int(t.sum())), (int(churned[c].sum()), int(c.sum())))
        results[label] = h
        print(f"{label}: churn {pct(h.rate_treated)} with the fix (n={int(h.n_treated):,}) vs {pct(h.rate_control)} held out "
              f"(n={int(h.n_control):,}); difference {100 * h.estimate:+.1f} pts "
              f"[{100 * h.ci_low:+.1f}, {100 * h.ci_high:+.1f}] (Newcombe), p={pval(h.p_value)}")
    h = results["customers with a return in the 60 days after the fix"]
    # Refund tickets avoided per reached customer, from the same two arms.
    tickets = data.tickets.to_pandas()
    after = tickets[(tickets["time"] >= t0) & (tickets["time"] < t0 + pd.Timedelta(days=horizon))
                    & (tickets["theme"].astype(str) == "refund")]
    per = after.groupby("customer_id").size()
    n_tickets = X["customer_id"].map(per).fillna(0).to_numpy()
    avoided = n_tickets[reached & held].mean() - n_tickets[reached & ~held].mean()
    # Customers the fix reaches in a year: six 60-day windows' worth.
    yearly = 6.0 * reached.sum()
    # Revenue a year per reached customer (spend to date over tenure, at least a month).
    value = (X["monetary"] / X["tenure_days"].clip(lower=30) * 365).to_numpy()[reached].mean()
    r = voc.impact.roi(holdout=h, customers=yearly, clv=value, contacts_avoided=avoided * yearly,
                       cost_per_contact=COST_PER_CONTACT, program_cost=PROGRAM_COST)
    print(f"Per year about {yearly:,.0f} customers send a return; each is worth about {value:,.0f} a year.")
    print(f"Value of the churn reduction {r.churn_value:,.0f} {span(r.churn_value_ci_low, r.churn_value_ci_high)}"
          f" + refund tickets avoided {r.cost_savings:,.0f} - program cost {PROGRAM_COST:,.0f} = net "
          f"{r.net_benefit:,.0f} {span(r.net_benefit_ci_low, r.net_benefit_ci_high)}; {roi_text(r)}.")
    base = h.rate_control
    plan = voc.impact.sample_size(base, h.rate_treated, ratio=HOLDOUT / (1 - HOLDOUT))
    print(f"Planning the next holdout: to detect {pct(base)} -> {pct(h.rate_treated)} with 80% power at 5%, "
          f"{plan.n_treated:,.0f} treated and {plan.n_control:,.0f} held-out customers (Cohen's h).")
    report.fix(str(fix), volumes, results, r, PROGRAM_COST, plan)


LINK_DAYS = 60  # an NPS answer is linked to its verbatim and to the customer's tickets of the 60 days before it
WINDOW_DAYS = 182  # the half year before the fix against the half year from the fix
SCORE_RESAMPLES = 500  # bootstrap resamples behind the theme impact and score change intervals


def answer_themes(data: voc.sample.RetailerData, matcher: voc.text.ThemeMatcher) -> tuple[pd.DataFrame, list[str]]:
    """One row per NPS answer (``score``, ``time``) with a column per top-level theme of the taxonomy: True
    when the answer's verbatim, or the text of one of the customer's tickets in the ``LINK_DAYS`` before the
    answer, mentions the theme. Returns the frame and the themes mentioned at least once."""
    surveys = data.surveys.to_pandas()
    answers = surveys[surveys["kind"] == "nps"].reset_index(drop=True)
    tickets = data.tickets.to_pandas()
    said = matcher.indicators(answers["verbatim"].fillna("").tolist()).to_pandas()
    wrote = matcher.indicators(tickets["text"].tolist()).to_pandas()
    themes = [name for name in said.columns if "." not in name]  # top-level themes (children roll up into them)
    pairs = (answers[["customer_id", "time"]].assign(answer=np.arange(len(answers)))
             .merge(tickets[["customer_id", "time"]].assign(ticket=np.arange(len(tickets))), on="customer_id",
                    suffixes=("", "_ticket")))
    recent = pairs[(pairs["time_ticket"] <= pairs["time"])
                   & (pairs["time_ticket"] > pairs["time"] - pd.Timedelta(days=LINK_DAYS))]
    linked = said[themes].to_numpy() > 0
    np.logical_or.at(linked, recent["answer"].to_numpy(), wrote[themes].to_numpy()[recent["ticket"].to_numpy()] > 0)
    frame = pd.DataFrame(linked, columns=themes)
    frame["score"], frame["time"] = answers["score"].to_numpy(), answers["time"].to_numpy()
    return frame, [name for name in themes if frame[name].any()]


def discover(matcher: voc.text.ThemeMatcher, texts: list[str], most: int = 6) -> voc.text.DiscoveredTopics | None:
    """Topics of the texts no theme tags: the most topics (up to ``most``) whose three heaviest terms differ
    from topic to topic (templated or repeated texts support only a few), or None when there is nothing to
    model."""
    for k in range(most, 1, -1):
        try:
            found = matcher.discover_topics(texts, n_topics=k, examples=1)
        except (voc.errors.InvalidOptionError, voc.errors.InsufficientDataError):
            continue  # more topics than the untagged texts have terms (or texts)
        labels = {frozenset(str(label).split(" / ")) for label in found.table["label"]}
        if len(labels) == k:
            return found
    return None


def themes_to_score(data: voc.sample.RetailerData, report: Report) -> None:
    """From themes to the score: NPS points per theme before the fix (removal impact and Shapley values), why
    the NPS moved between the half year before the fix and the half year after it, seasonal alerts on weekly
    refund mentions, and the topics of the texts the taxonomy does not tag."""
    if data.planted.fix_date is None:
        return
    started = time.perf_counter()
    fix = pd.Timestamp(data.planted.fix_date)
    window = pd.Timedelta(days=WINDOW_DAYS)
    matcher = voc.text.themes()
    answers, themes = answer_themes(data, matcher)
    when = answers["time"]
    before = ((when >= fix - window) & (when < fix)).to_numpy()
    after = ((when >= fix) & (when < fix + window)).to_numpy()
    rule("From themes to the score: what each complaint theme costs in NPS points, and why the NPS moved")
    print(f"Each NPS answer is linked to the themes of its verbatim and of the customer's tickets in the {LINK_DAYS} "
          "days before it (default taxonomy; a parent theme counts its children).")
    impact = voc.impact.theme_score_impact(answers[before], scores="score", themes=themes,
                                           resamples=SCORE_RESAMPLES, seed=1)
    t = impact.table.to_pandas().sort_values("shapley")
    t = t[t["mentions"] > 0]
    several = int((answers.loc[before, themes].sum(axis=1) > 1).sum())
    mentioning = int(before.sum()) - impact.n_no_theme
    no_theme = "no answer without a theme" if impact.score_no_theme is None else f"{impact.score_no_theme:+.1f}"
    print(f"The half year before the fix ({(fix - window).date()} to {(fix - pd.Timedelta(days=1)).date()}): NPS "
          f"{impact.score:+.1f} over {impact.n:,} answers; {no_theme} among the {impact.n_no_theme:,} that mention no "
          f"theme. {mentioning:,} answers mention a theme, {several:,} of them several.")
    print(f"{'theme':<11}{'answers':>9}{'NPS if mentioned':>18}{'if not':>8}{'removal impact, 95% CI':>30}"
          f"{'Shapley':>9}{'Holm p':>9}")
    for r in t.itertuples():
        print(f"{r.theme:<11}{r.mentions:>9,}{r.score_mentioned:>+18.1f}{r.score_rest:>+8.1f}"
              f"{r.removal_impact:>+12.2f} "
              f"[{r.removal_ci_low:+6.2f}, {r.removal_ci_high:+6.2f}]{r.shapley:>+11.2f}{pval(r.p_adjusted):>9}")
    top, by_removal = t.iloc[0], t.sort_values("removal_impact").iloc[0]
    print(f"Costs the most NPS points: {top.theme!r} by Shapley value ({top.shapley:+.2f} of the "
          f"{impact.score - (impact.score_no_theme or 0.0):+.1f} points between all answers and those without a "
          f"theme; {impact.shapley_method}), {by_removal.theme!r} by removal impact "
          f"({by_removal.removal_impact:+.2f}). "
          f"Ranking by Shapley value: {', '.join(t['theme'])}.")

    both = before | after
    period = np.where(before, "before the fix", "fix period")[both]
    change = voc.impact.score_change(answers[both].assign(period=period), scores="score", themes=themes, by="period",
                                     resamples=SCORE_RESAMPLES, seed=1)
    c = change.table.to_pandas()
    c["theme"] = c["theme"].fillna("(no theme)")
    c = c[(c["share_before"] > 0) | (c["share_after"] > 0)].sort_values("total", ascending=False)
    print(f"\nWhy the NPS moved: {change.score_before:+.1f} in the half year before the fix -> "
          f"{change.score_after:+.1f} "
          f"in the half year from it, {change.change:+.1f} points {span(change.ci_low, change.ci_high, '+.1f')} "
          f"(an answer with m themes counts 1/m to each; Kitagawa's mix and rate parts add up to the change)")
    print(f"{'part':<12}{'share before':>13}{'after':>8}{'mix':>8}{'rate':>8}{'total, 95% CI':>26}")
    for r in c.itertuples():
        print(f"{r.theme:<12}{pct(r.share_before):>13}{pct(r.share_after):>8}{r.mix:>+8.2f}{r.rate:>+8.2f}"
              f"{r.total:>+10.2f} [{r.total_ci_low:+6.2f}, {r.total_ci_high:+6.2f}]")
    themed = c[c["theme"] != "(no theme)"].set_index("theme")["total"]
    gains = themed[themed > 0].sum()
    lead = themed.idxmax()
    print(f"Largest part of a theme: {lead!r}, {themed[lead]:+.2f} points ({100 * themed[lead] / gains:.0f}% of the "
          f"themes' positive parts, {100 * themed[lead] / change.change:.0f}% of the change); "
          f"ranking: {', '.join(themed.sort_values(ascending=False).index)}.")

    tickets, mentions = data.tickets.to_pandas(), data.mentions.to_pandas()
    texts = pd.concat([tickets["text"], mentions["text"]], ignore_index=True)
    channel = ["ticket"] * len(tickets) + ["social"] * len(mentions)
    posted = pd.concat([tickets["time"], mentions["time"]], ignore_index=True)
    state = matcher.mention_state(texts=texts, by=channel, time=posted, period="week")
    try:
        # The share of texts: mentions against the week's texts (the offset), so that a growing customer base
        # does not look like an outbreak.
        alerts, per_text = state.seasonal_alerts(per_text=True), True
    except voc.errors.InputError:
        # A week without texts in a channel has no share (small samples): monitor the counts instead.
        alerts, per_text = state.seasonal_alerts(), False
    a = alerts.table.to_pandas()
    refund = a[a["theme"] == "refund"]
    what = "share of texts about refunds" if per_text else "count of refund mentions (a week had no texts)"
    print(f"\nIs this week's {what} unusual for the season? (Farrington flexible, one-sided "
          f"alpha {alerts.alpha:g}; a trailing baseline where there is less than a year of history)")
    for ch, rows in refund.groupby("group", sort=True):
        hit = rows[rows["alert"]]
        after_fix = int((hit["period_start"] >= fix).sum())
        line = f"  {ch:<7} {len(rows):>4} weeks evaluated, {len(hit):>3} alerts ({after_fix} after the fix)"
        if len(hit):
            worst = hit.loc[hit["ratio"].idxmax()]
            line += (f", {hit['period'].iloc[0]} to {hit['period'].iloc[-1]}; largest {worst.period}: "
                     f"{worst.observed:.0f} mentions, {worst.expected:.0f} expected (alert above {worst.upper:.0f})")
        print(line)

    everything = pd.concat([texts, data.surveys.to_pandas()["verbatim"].dropna()], ignore_index=True)
    # Tag once and hand only the untagged texts to the topic search (which fits several topic counts).
    tagged = matcher.indicators(everything.tolist()).to_pandas().to_numpy().any(axis=1)
    found = discover(matcher, everything[~tagged].tolist())
    if found is None:
        print("\nWhat are we missing? Every text is tagged by a theme, or too few are left to model.")
    else:
        print(f"\nWhat are we missing? {found.n_untagged:,} of {len(everything):,} texts (tickets, posts, verbatims) are "
              f"tagged by no theme; their {found.n_topics} topics (TF-IDF + NMF, jieba for Chinese):")
        for r in found.table.to_pandas().itertuples():
            print(f"  {r.label:<28} {r.documents:>7,} texts ({pct(r.share)})  terms: {r.terms}; e.g. {r.examples!r}")
    print(f"\n(computed in {time.perf_counter() - started:.2f} s)")
    report.themes_to_score(impact, change, alerts, per_text, found, len(everything), fix, LINK_DAYS, several,
                           mentioning)


CALL_COST = 8.0  # assumed cost of one retention call
BUDGET = 0.1  # the calls the team can make: a tenth of the customers scored
TARGET_RESAMPLES = 100  # bootstrap refits behind the interval of a call list's expected saves (100 is the minimum)

# Signals the uplift model reads as of the campaign day: refund experience, price, value and silence, voice.
UPLIFT_FEATURES = [
    "tenure_days", "recency_days", "frequency", "monetary", "aov", "orders_90d", "orders_180d",
    "refund_delay_max_days", "refunds_pending", "returns", "tickets_30d", "tickets_90d", "theme_refund",
    "theme_price", "repeat_theme_max_90d", "nps_last", "nps_mean", "has_nps", "days_since_ticket",
    "days_since_survey", "days_since_activity", "surveys", "mentions", "ces_mean", "csat_mean",
]


def campaign_frame(data: voc.sample.RetailerData, log: voc.signals.EventLog) -> pd.DataFrame:
    """The campaign's participants with their signals as of the campaign day. Gaps are filled as an analyst
    would: no NPS answer yet is a neutral 7 plus a flag, no event yet is two years ago. ``value`` is the
    customer's revenue a year (spend to date over tenure, at least a month): what a save keeps."""
    campaign = data.planted.campaign
    assert campaign is not None and data.campaign is not None and data.campaign_truth is not None
    X = log.features(campaign.date).to_pandas()
    X["has_nps"] = X["nps_last"].notna().astype(float)
    X[["nps_last", "nps_mean"]] = X[["nps_last", "nps_mean"]].fillna(7.0)
    X[["ces_mean", "csat_mean"]] = X[["ces_mean", "csat_mean"]].fillna(X[["ces_mean", "csat_mean"]].mean())
    days = ["days_since_ticket", "days_since_survey", "days_since_activity", "recency_days"]
    X[days] = X[days].fillna(730.0)
    X[["refund_delay_max_days", "aov"]] = X[["refund_delay_max_days", "aov"]].fillna(0.0)
    df = (data.campaign.to_pandas().merge(data.campaign_truth.to_pandas(), on="customer_id")
          .merge(X[["customer_id", *UPLIFT_FEATURES]], on="customer_id"))
    df["stayed"] = (~df["churned"].astype(bool)).astype(int)
    df["called"] = df["treated"].astype(int)
    df["value"] = df["monetary"] / df["tenure_days"].clip(lower=30) * 365
    return df


def list_saves(test: pd.DataFrame, ids: Any) -> tuple[int, voc.impact.HoldoutResult | None, float, float, pd.Series]:
    """What a call list delivered in the randomised test: its size, the stay rate called - held out among its
    customers (Newcombe; None when an arm has no one on the list, or when everyone on the list stayed or everyone
    left, where the z test has no variance), the planted saves and value saved, and who is
    on it by planted group."""
    on = test.set_index("customer_id").loc[list(ids)]
    arm = [on[on["called"] == a]["stayed"] for a in (1, 0)]
    h = None
    if len(arm[0]) and len(arm[1]):
        try:
            h = voc.impact.holdout((int(arm[0].sum()), len(arm[0])), (int(arm[1].sum()), len(arm[1])))
        except voc.errors.InsufficientDataError:
            pass  # everyone stayed (or left) in both arms: no variance for the test
    return len(on), h, float(on["effect"].sum()), float((on["effect"] * on["value"]).sum()), \
        on["group"].value_counts(normalize=True)


def who_to_call(data: voc.sample.RetailerData, log: voc.signals.EventLog, report: Report) -> None:
    """Who to call: the churn model's alert list against the uplift model's call list (voc.uplift.target),
    learned from the randomised retention call and judged on customers the models did not see."""
    campaign = data.planted.campaign
    if campaign is None:
        return
    df = campaign_frame(data, log)
    rule(f"Who to call: risk vs uplift (the randomised retention call of {campaign.date}, churn in the next "
         f"{campaign.window_days} days)")
    called = df["called"].to_numpy() == 1
    churned = 1 - df["stayed"].to_numpy()
    overall = voc.impact.holdout((int(churned[called].sum()), int(called.sum())),
                                 (int(churned[~called].sum()), int((~called).sum())))
    print(f"{len(df):,} active customers, {int(called.sum()):,} called at random: churn {pct(overall.rate_treated)} "
          f"called vs {pct(overall.rate_control)} held out, {100 * overall.estimate:+.1f} pts "
          f"[{100 * overall.ci_low:+.1f}, {100 * overall.ci_high:+.1f}] (Newcombe)")
    bal = voc.uplift.balance(df, treatment="called", x=UPLIFT_FEATURES)
    smd = np.abs(bal.table["smd"]).max()
    print(f"Balance: {bal.n_imbalanced} of {len(UPLIFT_FEATURES)} signals with |SMD| > 0.1 (largest {smd:.3f})")
    # Fit on a random half; everything below is measured on the other half.
    fit = np.random.default_rng(0).random(len(df)) < 0.5
    train, test = df[fit].reset_index(drop=True), df[~fit].reset_index(drop=True)
    model = voc.uplift.fit_t_learner(train, x=UPLIFT_FEATURES, outcome="stayed", treatment="called")
    uplift = model.predict_uplift(test)
    stayed, treat = test["stayed"].to_numpy(), test["called"].to_numpy()
    qini = voc.uplift.qini_auc(outcome=stayed, treatment=treat, uplift=uplift, resamples=1000, seed=1)
    print(f"T-learner fitted on {len(train):,} customers; on the other {len(test):,}: Qini coefficient "
          f"{qini.estimate:.3f} [{qini.ci_low:.3f}, {qini.ci_high:.3f}] (stratified bootstrap, 1,000 resamples)")
    deciles = voc.uplift.uplift_by_percentile(outcome=stayed, treatment=treat, uplift=uplift, bins=10).to_pandas()
    effect = test["effect"].to_numpy()
    # The planted effect per decile of the same ranking (rows in the order the deciles cut them).
    order = np.argsort(-np.asarray(uplift), kind="stable")
    true_dec = [float(effect[part].mean()) for part in np.array_split(order, 10)]
    print("Uplift by decile of the predicted uplift (stay rate called - held out, Newcombe 95%; planted truth):")
    for r, t in zip(deciles.iloc[:10].itertuples(), true_dec):
        print(f"  {r.percentile:>7}  {100 * r.uplift:+6.1f} pts [{100 * r.ci_low:+6.1f}, {100 * r.ci_high:+6.1f}]"
              f"   truth {100 * t:+5.1f} pts")

    # Two call lists for the same budget, each ranked by the expected value of a call. By risk (today's alert
    # list): value x churn probability x a constant save rate - cost, from a churn model of the customers who
    # were not called. By uplift: value x the call's own effect - cost (voc.uplift.target), with the reasons
    # behind each customer's uplift and a bootstrap interval on the list's expected saves and net value.
    k = int(BUDGET * len(test))
    held_out = train[train["called"] == 0]
    churn_model = voc.risk.fit_logistic(held_out, x=UPLIFT_FEATURES, y=1 - held_out["stayed"])
    by_risk = voc.risk.alerts(test, model=churn_model, value="value", contact_cost=CALL_COST, capacity=k)
    target = voc.uplift.target(test, model=model, value="value", contact_cost=CALL_COST, budget=BUDGET,
                               training=train, outcome="stayed", treatment="called",
                               resamples=TARGET_RESAMPLES, seed=1)
    calls = target.table.to_pandas()
    print(f"\nA budget of {k:,} calls ({BUDGET:.0%}), each costing {CALL_COST:.0f}; a save keeps the customer's "
          "yearly revenue:")
    print(f"The uplift list (voc.uplift.target: value x uplift - cost, break-even rule) expects "
          f"{target.expected_saves:,.0f} saves {span(target.saves_ci_low, target.saves_ci_high)} and a net value of "
          f"{target.expected_net_value:,.0f} {span(target.net_value_ci_low, target.net_value_ci_high)} "
          f"(bootstrap refit, {target.resamples} resamples: the model's estimation error only).")
    print("Its first calls, and why the call moves them:")
    for r in calls.head(3).itertuples():
        print(f"  customer {r.customer_id:>7}  stays {pct(r.p_treated)} if called vs {pct(r.p_control)} if not; "
              f"value {r.value:,.0f}, net {r.net_value:,.0f}; because: {r.reason_1}; {r.reason_2}")
    rows = []
    print("What each list delivered in the held-out half of the test (stay rate called - held out among its "
          "customers x its size, Newcombe 95%):")
    for label, ids in (("churn risk", by_risk["customer_id"]), ("uplift", calls["customer_id"])):
        n, h, truth, value_truth, groups = list_saves(test, ids)
        saves = (n * h.estimate, n * h.ci_low, n * h.ci_high) if h is not None else (np.nan, np.nan, np.nan)
        rows.append((label, *saves, truth, n, value_truth))
        measured = (f"{saves[0]:6.0f} saves [{saves[1]:.0f}, {saves[2]:.0f}]" if h is not None
                    else "saves not measurable (an arm of the list is empty, or all or none of it stayed)")
        print(f"  by {label:<10} {n:>6,} calls: {measured}; planted "
              f"truth {truth:.0f} saves, {value_truth:,.0f} of yearly revenue kept; "
              + ", ".join(f"{g} {100 * v:.0f}%" for g, v in groups.head(3).items()))
    everyone = voc.uplift.target(test, model=model, value="value", contact_cost=CALL_COST)
    print(f"Without a budget the break-even rule would call {len(everyone.table):,} of {everyone.n:,} customers "
          f"(expected saves {everyone.expected_saves:,.0f}, net value {everyone.expected_net_value:,.0f}).")
    print(f"Price-sensitive customers leave whatever is done (planted save share {campaign.save_price_sensitive:.0%}); "
          f"slow-refund customers are the ones the call moves (planted {campaign.save_slow_refund:.0%}).")
    curve = voc.uplift.qini_curve(outcome=stayed, treatment=treat, uplift=uplift)
    report.uplift(str(campaign.date), overall, bal, qini, deciles, true_dec, rows, campaign, target, everyone,
                  curve, CALL_COST)


SLA_TARGET = 0.9  # the agreed share of cases contacted within the SLA (the target line of the trend figure)
# What the follow-up's outcome comparison adjusts for: the customer as of the loop's start (before any trigger)
# and the kind of trigger.
LOOP_COVARIATES = ["tenure_days", "frequency", "monetary", "tickets_90d", "returns", "trigger_alert",
                   "trigger_ticket"]


def loop_cases(data: voc.sample.RetailerData, log: voc.signals.EventLog) -> pd.DataFrame:
    """One row per trigger of the follow-up period (``data.cases``), with ``fast`` (contacted within the SLA of
    the case's opening; never for a held-out trigger or an unreached customer) and the covariates of
    ``LOOP_COVARIATES``: the customer's signals as of the loop's first day (0 for a customer who signed up
    later) and 0/1 indicators of the trigger kind (a detractor answer is the reference)."""
    f = data.planted.followup
    assert f is not None and data.cases is not None
    cases = data.cases.to_pandas()
    sla = np.timedelta64(int(round(f.sla_hours * 3600)), "s")
    cases["fast"] = (~cases["holdout"]) & ((cases["contacted"] - cases["opened"]) <= sla)
    X = log.features(f.first_date).to_pandas()
    signals = [c for c in LOOP_COVARIATES if not c.startswith("trigger_")]
    before = cases[["customer_id"]].merge(X[["customer_id", *signals]], on="customer_id", how="left")
    cases[signals] = before[signals].fillna(0.0).clip(lower=0.0).to_numpy()
    for kind in ("alert", "ticket"):
        cases[f"trigger_{kind}"] = (cases["trigger"].astype(str) == kind).astype(float)
    return cases


def closing_loop(data: voc.sample.RetailerData, log: voc.signals.EventLog, report: Report) -> None:
    """Closing the loop (voc.followup): how fast each team contacted and closed the follow-up cases and how many
    within the SLA (Kaplan-Meier, Wilson), the triggers that got a case, the detractors won back, churn by SLA
    class (observational with IPW, and the randomised holdout of triggers) against the planted truth, and the
    refund fix of the register measured with ``voc.followup.fixes``."""
    f = data.planted.followup
    if f is None or data.cases is None or data.cases_truth is None or data.followup_surveys is None:
        return
    started = time.perf_counter()
    cases = loop_cases(data, log)
    truth = data.cases_truth.to_pandas()
    held = cases["holdout"].to_numpy()
    opened = cases[~held]
    rule(f"Closing the loop: follow-up cases of detractors, complaint tickets and churn alerts from {f.first_date} "
         f"(SLA: first contact within {f.sla_hours:.0f} h)")
    m = voc.followup.loop_metrics(opened, opened="opened", contacted="contacted", closed="closed", by="team",
                                  period="month", as_of=data.end, sla_hours=f.sla_hours)
    t = m.table.to_pandas()
    print(f"{len(cases):,} triggers, {len(opened):,} cases opened ({int(held.sum()):,} triggers held out at random: "
          "no case). Hours from opening (Kaplan-Meier, open cases censored; median [95% CI]):")
    print(f"{'team':<7}{'cases':>7}{'open':>6}{'first contact, median':>27}{'90%':>8}{'close, median':>17}"
          f"{'contacted within SLA, 95% CI':>34}{'planted':>9}")
    for r in t.itertuples():
        # A percentile is inf when too few cases are done to reach it (the unreached are never contacted).
        print(f"{r.group:<7}{r.cases:>7,}{r.open:>6,}{hours(r.contact_p50):>10} [{hours(r.contact_p50_ci_low):>6}, "
              f"{hours(r.contact_p50_ci_high):>6}]{hours(r.contact_p90):>8}{hours(r.close_p50):>17}"
              f"{pct(r.sla_rate):>14} [{pct(r.sla_ci_low)}, {pct(r.sla_ci_high)}]{pct(f.team_p_fast[r.group]):>9}")
    trend = m.trend.to_pandas() if m.trend is not None else pd.DataFrame()
    moved = trend[trend["significant_adjusted"].fillna(False).astype(bool)] if len(trend) else trend
    print(f"SLA attainment per team and month: {len(trend):,} team-months, {len(moved)} significant changes from "
          f"the previous month (Holm-adjusted)")

    cov = voc.followup.coverage(time=cases["time"], has_case=~held, contacted=cases["contacted"],
                                by=cases["trigger"].astype(str), as_of=data.end, sla_hours=f.sla_hours)
    c = cov.table.to_pandas()
    print(f"\nTrigger coverage (Wilson 95%): share of triggers with a case, and contacted within {f.sla_hours:.0f} h "
          "of the trigger")
    for r in c.itertuples():
        print(f"  {r.group:<10}{r.triggers:>7,} triggers  with a case {pct(r.coverage)} [{pct(r.coverage_ci_low)}, "
              f"{pct(r.coverage_ci_high)}]  contacted within the SLA {pct(r.in_sla_rate)} [{pct(r.in_sla_ci_low)}, "
              f"{pct(r.in_sla_ci_high)}]")

    # Recovery: the answer to the survey sent after the case, against the triggering answer (the survey
    # answers are those two, so a later organic answer does not stand in for the follow-up survey).
    trig = cases.loc[cases["trigger"] == "detractor", "trigger_row"].to_numpy()
    surveys = pd.concat([data.surveys.to_pandas().iloc[trig], data.followup_surveys.to_pandas()], ignore_index=True)
    answers_log = voc.signals.EventLog(**{**data.tables(), "surveys": surveys})
    done = cases[~held & cases["closed"].notna()].copy()
    done["speed"] = np.where(done["fast"], "within SLA", "later")
    rec = voc.followup.recovery(done, log=answers_log, customers="customer_id", trigger="trigger", opened="opened",
                                contacted="contacted", closed="closed", by="speed")
    rt = rec.table.to_pandas().set_index("group")
    tr = truth.set_index("customer_id")
    print("\nDetractors won back: the answer to the survey after the case (7+ = recovered; Wilson 95%), and the "
          "NPS change against the triggering answer (paired t)")
    rec_rows = []
    for speed, col in (("within SLA", "p_recover_fast"), ("later", "p_recover_slow")):
        if speed not in rt.index:
            continue
        r = rt.loc[speed]
        rows = done[(done["speed"] == speed) & (done["trigger"] == "detractor") & done["next_nps"].notna()]
        planted = float(tr.loc[rows["customer_id"], col].mean()) if len(rows) else float("nan")
        rec_rows.append((speed, r, planted))
        print(f"  contacted {speed:<11}{int(r.answered):>6,} answered  recovered {pct(r.recovered_rate)} "
              f"[{pct(r.recovered_ci_low)}, {pct(r.recovered_ci_high)}] (planted {pct(planted)}); NPS "
              f"{r.nps_before:+.0f} -> {r.nps_after:+.0f}, {r.nps_change:+.1f} "
              f"[{r.nps_change_ci_low:+.1f}, {r.nps_change_ci_high:+.1f}]")

    # Churn in the 90 days after the trigger by contact-SLA class: observational (IPW on the covariates as of
    # the loop's start) and the randomised holdout of triggers.
    out = voc.followup.sla_outcomes(cases, outcome=cases["churned"].astype(float), opened="opened",
                                    closed="contacted", covariates=LOOP_COVARIATES, holdout="holdout",
                                    sla_hours=f.sla_hours)
    d_churn = (truth["p_churn_fast"] - truth["p_churn_slow"]).to_numpy()
    planted_fast = float(d_churn.mean())
    planted_case = float((truth["p_fast"].to_numpy() * d_churn).mean())
    tab = out.table.to_pandas().set_index("class")
    print(f"\nChurn in the {f.window_days} days after the trigger by first contact: "
          + ", ".join(f"{k} {pct(tab.loc[k, 'mean'])} (n={int(tab.loc[k, 'n']):,})" for k in tab.index))
    comp = out.comparisons.to_pandas()
    bal = out.balance.to_pandas()
    for r in comp.to_dict("records"):
        smd = bal.loc[bal["class"] == r["class"], ["smd_before", "smd_after"]].abs().max()
        print(f"  {r['class']} vs {r['reference']}: {100 * r['difference']:+.1f} pts unadjusted, "
              f"{100 * r['estimate']:+.1f} pts [{100 * r['ci_low']:+.1f}, {100 * r['ci_high']:+.1f}] weighted (IPW, "
              f"Hajek, HC0; largest |SMD| {smd['smd_before']:.3f} before weighting, {smd['smd_after']:.3f} after) - observational")
    print(f"  planted effect of a contact within the SLA on churn: {100 * planted_fast:+.1f} pts")
    ho = out.holdout.to_pandas().iloc[0] if out.holdout is not None else None
    saved = None
    if ho is not None:
        n_cases = float(ho["n_treated"])
        saved = (-n_cases * ho["estimate"], -n_cases * ho["ci_high"], -n_cases * ho["ci_low"])
        print(f"Randomised holdout ({f.holdout:.0%} of triggers get no case): churn {pct(ho['treated_mean'])} with a "
              f"case vs {pct(ho['control_mean'])} held out, {100 * ho['estimate']:+.1f} pts "
              f"[{100 * ho['ci_low']:+.1f}, {100 * ho['ci_high']:+.1f}] ({ho['method']}, p={pval(ho['p_value'])}); "
              f"planted {100 * planted_case:+.1f} pts. Customers kept by the {n_cases:,.0f} cases: {saved[0]:,.0f} "
              f"[{saved[1]:,.0f}, {saved[2]:,.0f}].")

    fix = fix_register(data)
    if fix is not None:
        r = fix.table.to_pandas().iloc[0]
        print(f"\nThe refund fix from the register ({r['id']}, rolled out {pd.Timestamp(r['rollout']).date()}, "
              f"{fix.window_days} days before vs after; voc.followup.fixes):")
        print(f"  tickets about refunds {pct(r['rate_before'])} -> {pct(r['rate_after'])}, rate ratio "
              f"{r['rate_ratio']:.2f} [{r['rate_ratio_ci_low']:.2f}, {r['rate_ratio_ci_high']:.2f}], "
              f"p={pval(r['rate_p_value'])}; contacts {r['contacts_before']:,.0f} -> {r['contacts_after']:,.0f} "
              f"({r['contacts_avoided']:,.0f} avoided)")
        print(f"  churn with the fix vs held out ({r['churn_method']}): {100 * r['churn_estimate']:+.1f} pts "
              f"[{100 * r['churn_ci_low']:+.1f}, {100 * r['churn_ci_high']:+.1f}] over {r['customers']:,.0f} customers; "
              f"net benefit {r['net_benefit']:,.0f} {span(r['net_benefit_ci_low'], r['net_benefit_ci_high'])} "
              f"on a cost of {r['cost']:,.0f}: ROI {r['roi']:.1f}x "
              f"{span(r['roi_ci_low'], r['roi_ci_high'], '.1f')}")
    print(f"\n(computed in {time.perf_counter() - started:.2f} s)")
    report.closing_loop(f, m, cov, rec_rows, out, planted_fast, planted_case, saved, fix, SLA_TARGET)


def fix_register(data: voc.sample.RetailerData) -> voc.followup.FixesResult | None:
    """The register's fixes (``data.fixes``) measured on the tickets (each a contact costing
    ``COST_PER_CONTACT``) and the customers' churn: a save is worth a customer's yearly revenue (the mean
    revenue of the customers who ordered in the year before the first fix). None without a register."""
    if data.fixes is None or len(data.fixes) == 0:
        return None
    register = data.fixes.to_pandas()
    customers = data.customers.to_pandas()
    customers["churn_time"] = data.truth.to_pandas()["churn_time"].to_numpy()
    orders = data.orders.to_pandas()
    start = pd.Timestamp(register["rollout"].min())
    year = orders[(orders["time"] >= start - pd.Timedelta(days=365)) & (orders["time"] < start)]
    clv = float(year["amount"].sum() / max(1, year["customer_id"].nunique()))
    return voc.followup.fixes(register, texts=data.tickets.to_pandas(), customers=customers, as_of=data.end,
                              clv=clv, cost_per_contact=COST_PER_CONTACT)


if __name__ == "__main__":
    main()
