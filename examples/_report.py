"""The demo's written report: each demo section hands its results to one method of :class:`Report`,
which words the finding for a VoC manager and draws its chart with ``voc.plot``; ``write`` saves
``report.md`` and the PNG figures into the output folder.

Kept apart from ``demo.py`` so the printed sections stay readable and new sections can add a method here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import voc
import voc.plot


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _signed(x: float) -> str:
    return f"{x:+.1f}"


def _span(low: float | None, high: float | None) -> str:
    """A 95% interval in words, or why there is none."""
    return "no interval" if low is None or high is None else f"95% interval {low:,.0f}–{high:,.0f}"


def _interval(low: float, high: float) -> str:
    """A 95% interval of amounts in words ("no interval" when a bound is undefined)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "no interval"
    return f"95% interval {low:,.0f} to {high:,.0f}"


def _hours(x: float) -> str:
    """A median in hours, or "not reached" (too few cases done to reach it)."""
    return f"{x:.1f}" if np.isfinite(x) else "not reached"


def _date(value: Any) -> str:
    """A date for the reader (YYYY-MM-DD)."""
    return str(np.datetime64(value, "D"))


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# Signals in words for the reader (the model's column names otherwise).
WORDS = {
    "nps_last": "a low latest NPS answer",
    "nps_drop": "a drop in NPS",
    "refund_delay_max_days": "slow refunds",
    "refunds_pending": "refunds still pending",
    "theme_refund": "refund tickets",
    "repeat_theme_max_90d": "repeat tickets on one theme",
    "tickets_unresolved": "unresolved tickets",
    "theme_delivery": "delivery tickets",
    "theme_size_fit": "size / fit tickets",
    "theme_quality": "quality tickets",
    "ces_mean": "high effort",
    "ticket_csat_mean": "low ticket CSAT",
    "monetary": "high spend",
    "tickets_90d": "recent tickets",
    "tickets_30d": "tickets this month",
    "frequency": "many orders",
    "recency_days": "time since the last order",
    "days_since_activity": "silence",
    "csat_mean": "low CSAT answers",
    "nps_mean": "low NPS answers",
}


class Report:
    """Collects findings (Markdown paragraphs) and figures; does nothing when ``out`` is None."""

    def __init__(self, out: str | Path | None) -> None:
        self.out = Path(out) if out else None
        self.sections: list[tuple[str, list[str]]] = []
        self.figures: list[str] = []
        if self.out is not None:
            import matplotlib

            matplotlib.use("Agg")  # files only, no display
            self.out.mkdir(parents=True, exist_ok=True)

    @property
    def enabled(self) -> bool:
        return self.out is not None

    def _section(self, title: str, paragraphs: list[str]) -> None:
        self.sections.append((title, paragraphs))

    def _save(self, ax: Any, name: str, alt: str) -> str:
        import matplotlib.pyplot as plt

        assert self.out is not None
        ax.figure.savefig(self.out / name, dpi=110)
        plt.close(ax.figure)
        self.figures.append(name)
        return f"![{alt}]({name})"

    # -- sections ------------------------------------------------------------------------------------

    def survey(self, overall: Any, weighted: Any, monthly: voc.Table, flagged: list[tuple[Any, ...]],
               planted: list[voc.sample.PlantedChange],
               alpha: float) -> None:
        """NPS overall, by month (figure) and the month-over-month changes that survive Holm's correction."""
        if not self.enabled:
            return
        periods, scores = list(monthly["period"]), np.asarray(monthly["nps"])
        lines = [
            f"Across {overall.n:,} answers the Net Promoter Score is **{_signed(overall.nps)}** "
            f"(95% interval {_signed(overall.ci[0])} to {_signed(overall.ci[1])}). Weighted to the customer base "
            f"(VIPs are over-sampled in the survey) it is {_signed(weighted.nps)}.",
            f"By month it moved between {_signed(scores.min())} and {_signed(scores.max())}: "
            f"{_signed(scores[0])} in {periods[0]}, {_signed(scores[-1])} in {periods[-1]}.",
        ]
        if flagged:
            items = []
            for name, ch, month, prev, change, lo, hi, _, _ in flagged:
                scale, unit = (100, " points") if name.startswith("CSAT") else (1, " points" if name == "NPS" else "")
                label = "CES mean (1-7, higher = easier)" if name == "CES mean" else name
                items.append(f"- {label} in the {ch} channel, {prev} → {month}: {scale * change:+.2f}{unit} "
                             f"(95% interval {scale * lo:+.2f} to {scale * hi:+.2f})")
            lines.append(f"Of the month-over-month changes by channel, {len(flagged)} are real at a family-wise "
                         f"error rate of {alpha:g} (Holm's correction over every test):\n\n" + "\n".join(items))
        else:
            lines.append("No month-over-month change by channel survives the correction for multiple testing.")
        found = [p for p in planted if any(f[1] == p.channel and f[2] == p.from_month for f in flagged)]
        lines.append(f"The simulation planted {len(planted)} changes; {len(found)} were found.")
        lines.append(self._save(voc.plot.nps_trend(monthly, title="NPS by month (95% interval)"), "nps_trend.png",
                                "NPS by month"))
        self._section("Customer loyalty: NPS by month", lines)

    def signals(self, churn_rate: float, ci: tuple[float, float], best: tuple[Any, ...] | None, planted: voc.sample.Planted,
                horizon: int) -> None:
        """Churn rate and the strongest experience signal."""
        if not self.enabled:
            return
        lines = [f"{_pct(churn_rate)} of the customers with an order churned in the {horizon} days after the "
                 f"cutoff (95% interval {_pct(ci[0])} to {_pct(ci[1])})."]
        if best is not None:
            ratio, label, n1, r1, r2, t = best
            lines.append(f"The strongest experience signal is **{label}**: {n1:,} customers, of whom "
                         f"{_pct(r1)} churned against {_pct(r2)} of the others — {ratio:.2f} times as likely "
                         f"({100 * t.estimate:+.1f} points, 95% interval {100 * t.ci[0]:+.1f} to "
                         f"{100 * t.ci[1]:+.1f}).")
        lines.append(f"What was planted: {planted.description}.")
        self._section("Why customers leave: churn signals", lines)

    def value_voice(self, prof: voc.Table, seg: voc.segment.ValueVoiceResult) -> None:
        """Churn by value tier × voice (figure) and the cells with most revenue at risk."""
        if not self.enabled:
            return
        p = prof.to_pandas().sort_values("revenue_at_risk", ascending=False).head(3)
        items = [f"- {r.segment}: {r.revenue_at_risk:,.0f} at risk, churn {_pct(r.churn_rate)} → {r.play}"
                 for r in p.itertuples()]
        lines = ["Where the revenue at risk sits (value of the customers who churned), with the recommended play:\n\n"
                 + "\n".join(items),
                 self._save(voc.plot.value_voice(prof, by=seg, title="Churn rate by value tier and voice"),
                            "value_voice.png", "Churn rate by value tier and voice")]
        self._section("Who matters most: value × voice", lines)

    def risk(self, evaluation: voc.risk.EvaluationResult, lift: Any, cutoff: str, shares: Any) -> None:
        """How well the churn model ranks customers (figure) and what drives the calls."""
        if not self.enabled:
            return
        top = float(lift["lift"].iloc[0])
        gain = float(lift["cumulative_gain"].iloc[1]) if len(lift) > 1 else float("nan")
        lines = [
            f"Checked on a later cutoff ({cutoff}), the churn model ranks customers with ROC AUC "
            f"{evaluation.roc_auc:.3f}: the 10% it scores highest churn {top:.2f} times as often as average, "
            f"and calling the top 20% would reach {_pct(gain)} of the churners.",
            "Behind the risk of the most valuable calls: "
            + ", ".join(f"{WORDS.get(k, k)} ({100 * v:.0f}%)" for k, v in shares.items()) + ".",
            self._save(voc.plot.gains(lift, title="Cumulative gains of the churn model"), "gains.png",
                       "Cumulative gains"),
        ]
        self._section("Who to call first: churn risk", lines)

    def retention(self, km: Any, test: Any, rows: list[tuple[str, int, float, float]]) -> None:
        """Survival by NPS class (figure) with the log-rank test."""
        if not self.enabled:
            return
        items = [f"- {g}: {_pct(s1)} still buying after one year, {_pct(s2)} after two ({n:,} customers)"
                 for g, n, s1, s2 in rows]
        lines = ["How long customers keep buying, by their last NPS answer:\n\n" + "\n".join(items),
                 f"The classes differ (log-rank χ² = {test.statistic:.1f} on {test.df} df, {_p(test.p_value)}).",
                 self._save(voc.plot.kaplan_meier(km, groups=[g for g, *_ in rows], time_scale=30.44,
                                                  time_label="months since sign-up",
                                                  title="Customers still buying, by NPS class (95% band)"),
                            "km_by_nps.png", "Kaplan-Meier curves by NPS class")]
        self._section("Loyalty pays: survival by NPS class", lines)

    def themes(self, rates: Any, fix: Any) -> None:
        """Refund mention rate per channel and quarter (figure) around the fix."""
        if not self.enabled:
            return
        refund = rates[rates["theme"] == "refund"]
        before = refund[refund["period_start"] < fix]
        after = refund[refund["period_start"] >= fix]
        items = []
        for ch in sorted(set(refund["group"])):
            b, a = before[before["group"] == ch], after[after["group"] == ch]
            if len(b) and len(a):
                rb = b["mentions"].sum() / b["texts"].sum()
                ra = a["mentions"].sum() / a["texts"].sum()
                items.append(f"- {ch}: {_pct(rb)} of texts mentioned refunds before, {_pct(ra)} after")
        lines = [f"Refunds were fixed on {fix.date()}. Share of texts mentioning refunds in the quarters starting "
                 "before the fix and after it:\n\n" + "\n".join(items),
                 self._save(voc.plot.mention_trend(rates, "refund", title="Texts mentioning refunds (95% interval)"),
                            "refund_mentions.png", "Refund mention rate by quarter")]
        self._section("Complaints: refund mentions around the fix", lines)

    def drivers(self, themes: Any, kd: Any, classes: Any, ratio: Any, shift: Any) -> None:
        """Themes ranked by excess churn; outcomes by NPS class."""
        if not self.enabled:
            return
        top = themes.iloc[0]
        rows = "\n".join(
            f"| {r.theme} | {r.n_raised:,} | {_pct(r.rate_raised)} | {_pct(r.rate_not)} | {r.risk_ratio:.2f} "
            f"({r.risk_ratio_ci_low:.2f}–{r.risk_ratio_ci_high:.2f}) | {r.excess_churners:,.0f} | {r.excess_revenue:,.0f} |"
            for r in themes.head(5).itertuples())
        c = classes.table.to_pandas().set_index("group")
        lines = [
            f"Customers who raised **{top.theme}** in a ticket churned {top.risk_ratio:.2f} times as often as those "
            f"who did not ({_pct(top.rate_raised)} vs {_pct(top.rate_not)}); it is the theme behind the most "
            "excess churn:\n\n| theme | raised by | churn if raised | if not | risk ratio (95%) | excess churners | "
            "revenue at risk |\n|---|---:|---:|---:|---:|---:|---:|\n" + rows,
            f"By NPS class, detractors churn at {_pct(c.loc['detractor', 'churn_rate'])} and promoters at "
            f"{_pct(c.loc['promoter', 'churn_rate'])}; promoters spend {ratio.estimate:.2f} times what detractors "
            f"spend over the next 180 days (95% interval {ratio.ci_low:.2f}–{ratio.ci_high:.2f}). "
            f"Moving a fifth of detractors to passives would lift NPS from {_signed(shift.nps_before)} to "
            f"{_signed(shift.nps_after)} and keep {shift.revenue_change:,.0f} more revenue.",
        ]
        k = kd.table.to_pandas().sort_values("rank")
        first = k.iloc[0]
        lines.append(
            f"Of the churn explained by complaint and refund signals, **{WORDS.get(first.driver, first.driver)}** "
            f"(`{first.driver}`) accounts for the largest "
            f"share, {_pct(first.share)} (95% interval {_pct(first.share_ci_low)}–{_pct(first.share_ci_high)}; "
            "Shapley-value regression over all subsets):")
        lines.append(self._save(voc.plot.drivers(kd.table, title="Key drivers of churn (R² importance, 95% interval)"),
                                "drivers.png", "Key drivers of churn"))
        self._section("What drives churn", lines)

    def fix(self, date: str, volumes: list[Any], results: dict[str, Any], roi: Any, cost: float, plan: Any) -> None:
        """The fix against its holdout, and its return."""
        if not self.enabled:
            return
        items = [f"- {label}: churn {_pct(h.rate_treated)} with the fix vs {_pct(h.rate_control)} held out, "
                 f"{100 * h.estimate:+.1f} points (95% interval {100 * h.ci_low:+.1f} to "
                 f"{100 * h.ci_high:+.1f}, {_p(h.p_value)})" for label, h in results.items()]
        vol = "; ".join(
            f"{channel} {before:.1f} → {after:.1f} a day ({100 * (rr.estimate - 1):+.0f}%, 95% interval "
            f"{100 * (rr.ci_low - 1):+.0f}% to {100 * (rr.ci_high - 1):+.0f}%)"
            for channel, before, after, rr in volumes)
        lines = [
            f"Refund complaints, first half of 2025 against the second: {vol} (Poisson rate ratios).",
            f"A random 20% of customers kept the old refund process after the fix of {date}. Churn in the next "
            "180 days:\n\n" + "\n".join(items),
            f"Over a year the fix is worth {roi.churn_value:,.0f} in retained customers "
            f"({_span(roi.churn_value_ci_low, roi.churn_value_ci_high)}) plus {roi.cost_savings:,.0f} in "
            f"refund tickets avoided, against an assumed cost of {cost:,.0f}: a net "
            f"{roi.net_benefit:,.0f} ({_span(roi.net_benefit_ci_low, roi.net_benefit_ci_high)}), "
            + (f"ROI {roi.estimate:.1f}x" if roi.estimate is not None else "no ROI (the fix costs nothing)")
            + (f", paid back in {roi.payback_months:.1f} months." if roi.payback_months is not None
               else f", never paid back: the benefit ({roi.benefit:,.0f} a year) is not positive."),
            f"To confirm an effect this size in the next test, hold out {plan.n_control:,.0f} customers against "
            f"{plan.n_treated:,.0f} treated (80% power, 5% level).",
        ]
        self._section("The refund fix: measured against a holdout, and what it is worth", lines)

    def uplift(self, date: str, overall: Any, balance: Any, qini: Any, deciles: Any, truth: list[float],
               lists: list[tuple[str, float, float, float, float, int, float]], campaign: voc.sample.PlantedCampaign,
               target: voc.uplift.TargetResult, everyone: voc.uplift.TargetResult, curve: voc.Table,
               cost: float) -> None:
        """Who to call: the randomised call's effect, the uplift model's quality (Qini and decile figures) and
        the saves of the risk-ranked and uplift-ranked call lists."""
        if not self.enabled:
            return
        lists_by = {label: rest for label, *rest in lists}
        us, ulo, uhi, ut, un, uv = lists_by["uplift"]
        rs, rlo, rhi, rt, rn, rv = lists_by["churn risk"]
        observed = np.asarray(deciles["uplift"])[:10]
        calls = target.table.to_pandas()
        first = calls["reason_1_feature"].value_counts(normalize=True)
        lines = [
            f"On {date} the retailer called a random half of its active customers. Churn in the next "
            f"{campaign.window_days} days was {_pct(overall.rate_treated)} among those called and "
            f"{_pct(overall.rate_control)} among those held out: {100 * overall.estimate:+.1f} points (95% interval "
            f"{100 * overall.ci_low:+.1f} to {100 * overall.ci_high:+.1f}). The arms are balanced "
            f"({balance.n_imbalanced} signals with a standardised mean difference above 0.1).",
            f"An uplift model (one churn model per arm) fitted on half of the campaign ranks the other half with a "
            f"Qini coefficient of {qini.estimate:.3f} (95% interval {qini.ci_low:.3f} to {qini.ci_high:.3f}; 0 is a "
            f"random ranking, 1 the perfect one); by decile, the stay-rate gain of the call runs from "
            f"{100 * observed[0]:+.1f} points in the top decile to {100 * observed[-1]:+.1f} in the bottom one "
            f"(planted truth {100 * truth[0]:+.1f} to {100 * truth[-1]:+.1f}).",
            self._save(voc.plot.qini(curve, score=qini, label="T-learner",
                                     title="Qini curve on the held-out half of the campaign"),
                       "qini.png", "Qini curve of the uplift model"),
            self._save(voc.plot.uplift_by_decile(deciles, title="Stay rate by decile of the predicted uplift (95%)"),
                       "uplift_by_decile.png", "Stay rate called and held out by decile of the predicted uplift"),
            f"Ranked by the expected value of the call (the customer's yearly revenue × the call's effect − its "
            f"cost of {cost:.0f}) and cut at the budget, the uplift list calls {un:,} of the {everyone.n:,} "
            "customers and expects "
            f"**{target.expected_saves:,.0f} saves** ({_span(target.saves_ci_low, target.saves_ci_high)}) and a net "
            f"value of {target.expected_net_value:,.0f} ({_span(target.net_value_ci_low, target.net_value_ci_high)}; "
            "a bootstrap refit of the model: its estimation error, not the chance in who stays). "
            "The first reason behind its calls: "
            + ", ".join(f"{WORDS.get(k, k)} ({100 * v:.0f}%)" for k, v in first.head(3).items()) + ". "
            f"Without a budget, the break-even rule would call {len(everyone.table):,} of the {everyone.n:,} "
            "customers.",
        ]
        if np.isfinite(us) and np.isfinite(rs):
            lines.append(
                f"In the held-out half of the test, the uplift list saved about **{us:.0f}** customers (95% interval "
                f"{ulo:.0f} to {uhi:.0f}; planted truth {ut:.0f}, keeping {uv:,.0f} of yearly revenue); the churn "
                f"model's alert list of {rn:,} calls (value × risk) saved {rs:.0f} ({rlo:.0f} to {rhi:.0f}; truth "
                f"{rt:.0f}, {rv:,.0f} of revenue).")
        else:
            lines.append(f"The lists are too small to measure their saves in the held-out half of the test "
                         f"(planted truth: {ut:.0f} saves by uplift, {rt:.0f} by risk).")
        self._section("Who to call: risk vs uplift", lines)

    def themes_to_score(self, impact: voc.impact.ThemeScoreImpactResult, change: voc.impact.ScoreChangeResult,
                        alerts: voc.anomaly.AlertsResult, per_text: bool, found: voc.text.DiscoveredTopics | None,
                        n_texts: int, fix: Any,
                        link_days: int, several: int, mentioning: int) -> None:
        """From themes to the score: NPS points per theme (figure), the change by theme (waterfall), seasonal
        alerts on refund mentions (figure) and the topics of untagged texts."""
        if not self.enabled:
            return
        import matplotlib.pyplot as plt

        t = impact.table.to_pandas()
        t = t[t["mentions"] > 0].sort_values("shapley")
        top, by_removal = t.iloc[0], t.sort_values("removal_impact").iloc[0]
        rows = "\n".join(
            f"| {r.theme} | {r.mentions:,} | {_signed(r.score_mentioned)} | {_signed(r.score_rest)} | "
            f"{r.removal_impact:+.2f} ({r.removal_ci_low:+.2f} to {r.removal_ci_high:+.2f}) | {r.shapley:+.2f} |"
            for r in t.itertuples())
        if by_removal.theme == top.theme:
            agree = (f"Leaving out the answers that mention it would also lift the score most: its removal impact is "
                     f"{by_removal.removal_impact:+.2f} points.")
        else:
            agree = (f"By removal impact, which counts an answer with several themes in full for each, "
                     f"**{by_removal.theme}** comes first ({by_removal.removal_impact:+.2f}); {several:,} of the "
                     f"{mentioning:,} answers with a theme mention several, and the Shapley value splits them "
                     "between their themes.")
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
        voc.plot.theme_score_impact(impact, value="shapley", ax=left, title="Shapley value (NPS points)")
        voc.plot.theme_score_impact(impact, value="removal_impact", ax=right, title="Removal impact (95% interval)")
        fig.suptitle(f"What each theme costs in NPS points, half year before the fix of {fix.date()}")
        lines = [
            f"Each NPS answer is linked to the themes of its verbatim and of the customer's support tickets in the "
            f"{link_days} days before it, tagged by the default taxonomy (a parent theme counts its children). In "
            "the half year before the refund fix the "
            f"NPS was {_signed(impact.score)} over {impact.n:,} answers. The theme that costs the most points is "
            f"**{top.theme}**: its Shapley value is {top.shapley:+.2f} points (its share of the gap between all "
            f"answers and those that mention no theme; the values add up to that gap exactly). " + agree,
            "| theme | answers | NPS if mentioned | if not | removal impact (95%) | Shapley |\n"
            "|---|---:|---:|---:|---:|---:|\n" + rows,
            self._save(left, "theme_score_impact.png", "NPS points per theme"),
        ]
        c = change.table.to_pandas()
        c["theme"] = c["theme"].fillna("(no theme)")
        themed = c[c["theme"] != "(no theme)"].set_index("theme")["total"]
        lead = str(themed.idxmax())
        gains = float(themed[themed > 0].sum())
        rest = float(c.loc[c["theme"] == "(no theme)", "total"].sum())
        interval = ("no interval" if change.ci_low is None or change.ci_high is None
                    else f"95% interval {change.ci_low:+.1f} to {change.ci_high:+.1f}")
        lines += [
            f"From the half year before the fix to the half year from it the NPS moved from "
            f"{_signed(change.score_before)} to {_signed(change.score_after)}, {change.change:+.1f} points "
            f"({interval}). Split by theme (a share part: fewer or more answers mention it; a rate part: their "
            f"score changed), **{lead}** has the largest part of a theme, {themed[lead]:+.2f} points "
            f"({100 * themed[lead] / gains:.0f}% of the themes' positive parts); {rest:+.2f} points fall on the answers "
            "that mention no theme.",
            self._save(voc.plot.score_waterfall(change, title="Why the NPS moved: change by theme (points)"),
                       "score_waterfall.png", "NPS change by theme"),
        ]
        a = alerts.table.to_pandas()
        refund = a[(a["theme"] == "refund")]
        items = []
        for ch, rows_ in refund.groupby("group", sort=True):
            hit = rows_[rows_["alert"]]
            if len(hit):
                items.append(f"- {ch}: {len(hit)} of {len(rows_)} weeks above the expected level "
                             f"({int((hit['period_start'] < fix).sum())} before the fix, "
                             f"{int((hit['period_start'] >= fix).sum())} after), from {hit['period'].iloc[0]} to "
                             f"{hit['period'].iloc[-1]}")
            else:
                items.append(f"- {ch}: no week above the expected level ({len(rows_)} weeks)")
        lines += [
            f"Is a week's {'share of texts about refunds' if per_text else 'count of refund mentions'} unusual for "
            "the season? Each week is compared with the same "
            f"weeks of earlier years (Farrington flexible; the trailing weeks where there is less than a year of "
            f"history), with a one-sided false-alarm rate of {alerts.alpha:g}:\n\n"
            + "\n".join(items),
            self._save(voc.plot.anomalies(alerts, group="ticket", theme="refund",
                                          title="Refund mentions in tickets per week: observed and expected"),
                       "refund_alerts.png", "Refund mentions per week with the seasonal expectation"),
        ]
        if found is not None:
            topics = "\n".join(f"- {r.label}: {r.documents:,} texts ({_pct(r.share)}), e.g. \"{r.examples}\""
                                for r in found.table.to_pandas().itertuples())
            lines.append(f"What are we missing? {found.n_untagged:,} of {n_texts:,} texts are tagged by no theme. "
                         f"Their topics:\n\n{topics}")
        plt.close(fig)
        self._section("From themes to the score", lines)

    def closing_loop(self, planted: voc.sample.PlantedFollowup, metrics: voc.followup.LoopMetricsResult,
                     coverage: voc.followup.CoverageResult, recovery: list[tuple[str, Any, float]],
                     outcomes: voc.followup.SlaOutcomesResult, planted_fast: float, planted_case: float,
                     saved: tuple[float, float, float] | None, fix: voc.followup.FixesResult | None,
                     target: float) -> None:
        """Closing the loop: time to first contact by team (figure), SLA attainment per month (figure), trigger
        coverage, recovery of detractors, churn by SLA class (IPW and the holdout) and the registered fix."""
        if not self.enabled:
            return
        t = metrics.table.to_pandas().sort_values("sla_rate", ascending=False)
        best, worst = t.iloc[0], t.iloc[-1]
        teams = "\n".join(
            f"| {r.group} | {r.cases:,} | {_hours(r.contact_p50)} | {_hours(r.close_p50)} | {_pct(r.sla_rate)} "
            f"({_pct(r.sla_ci_low)}–{_pct(r.sla_ci_high)}) | {_pct(planted.team_p_fast[r.group])} |"
            for r in t.itertuples())
        sla = f"{planted.sla_hours:.0f} hours"
        contact = voc.plot.time_to_close(metrics, kind="contact",
                                         title="Share of cases contacted by hours since opening (95% band)")
        contact.set_xlim(0, 5 * planted.sla_hours)  # the first days, where the teams differ
        lines = [
            f"From {planted.first_date} every detractor answer, complaint ticket and churn alert opens a follow-up "
            f"case (one per customer), except a random {planted.holdout:.0%} of triggers held out to measure what "
            f"the follow-up does. The service level: a first contact within {sla}. Times are Kaplan–Meier "
            "medians in hours from opening (open cases are censored, not dropped; a case closed without reaching "
            "the customer is censored at its closing); the SLA rate has a Wilson "
            "interval, next to the share each team's speed planted in the simulation:",
            "| team | cases | first contact (median h) | closed (median h) | contacted within the SLA (95%) | "
            "planted |\n|---|---:|---:|---:|---:|---:|\n" + teams,
            f"**{best.group}** contacts {_pct(best.sla_rate)} of its customers within the SLA, **{worst.group}** "
            f"{_pct(worst.sla_rate)}, {100 * (best.sla_rate - worst.sla_rate):.0f} points apart.",
            self._save(contact, "loop_time_to_contact.png", "Time to first contact by team"),
            self._save(voc.plot.sla_trend(metrics, target=target,
                                          title=f"Cases contacted within {sla}, by team and month (95%)"),
                       "loop_sla_trend.png", "SLA attainment by team and month"),
        ]
        c = coverage.table.to_pandas()
        lines.append("Of the triggers, " + "; ".join(
            f"{r.group}: {r.triggers:,}, {_pct(r.coverage)} with a case, {_pct(r.in_sla_rate)} contacted within "
            f"{sla} of the trigger" for r in c.itertuples()) + ".")
        if recovery:
            lines.append("Detractors won back (the answer to the survey after the case is 7 or more): " + "; ".join(
                f"contacted {speed}, {_pct(r.recovered_rate)} of {int(r.answered):,} answers (95% interval "
                f"{_pct(r.recovered_ci_low)}–{_pct(r.recovered_ci_high)}; planted {_pct(p)}), NPS "
                f"{r.nps_change:+.0f} points against the triggering answer" for speed, r, p in recovery) + ".")
        tab = outcomes.table.to_pandas().set_index("class")
        comp = outcomes.comparisons.to_pandas().set_index("class")
        text = (f"Churn in the {planted.window_days} days after the trigger was "
                + ", ".join(f"{_pct(tab.loc[k, 'mean'])} {'contacted ' + k if k != 'never' else 'never contacted'}"
                            for k in tab.index) + ".")
        if "within" in comp.index:
            w = comp.loc["within"]
            text += (f" Weighted for the customer's tenure, orders, spend, tickets and returns before the loop and "
                     f"the kind of trigger (inverse-propensity weights), a contact within the SLA goes with "
                     f"{100 * w['estimate']:+.1f} points of churn against none (95% interval "
                     f"{100 * w['ci_low']:+.1f} to {100 * w['ci_high']:+.1f}; planted {100 * planted_fast:+.1f}). "
                     "That comparison is observational.")
        if "within" in comp.index and "later" in comp.index:
            w, late = comp.loc["within"], comp.loc["later"]
            text += (f" A later contact goes with {100 * late['estimate']:+.1f} points (95% interval "
                     f"{100 * late['ci_low']:+.1f} to {100 * late['ci_high']:+.1f})")
            if w["ci_high"] < 0 <= late["ci_high"] and late["ci_low"] <= 0:
                text += ": the customers kept are those contacted within the SLA, so speed is where the gain is."
            else:
                text += "."
        lines.append(text)
        if outcomes.holdout is not None and saved is not None:
            h = outcomes.holdout.to_pandas().iloc[0]
            lines.append(
                f"The randomised holdout says how many customers the follow-up keeps: churn {_pct(h['treated_mean'])} "
                f"with a case against {_pct(h['control_mean'])} without, {100 * h['estimate']:+.1f} points (95% "
                f"interval {100 * h['ci_low']:+.1f} to {100 * h['ci_high']:+.1f}, {_p(h['p_value'])}; planted "
                f"{100 * planted_case:+.1f}): about **{saved[0]:,.0f} customers kept** by {h['n_treated']:,.0f} cases "
                f"(95% interval {saved[1]:,.0f} to {saved[2]:,.0f}).")
        if fix is not None:
            r = fix.table.to_pandas().iloc[0]
            roi = ("no ROI" if not np.isfinite(r["roi"]) else
                   f"ROI {r['roi']:.1f}x" + ("" if not np.isfinite(r["roi_ci_low"]) else
                                             f" (95% interval {r['roi_ci_low']:.1f}x to {r['roi_ci_high']:.1f}x)"))
            lines.append(
                f"The outer loop: the root cause of the refund complaints went to the register as fix "
                f"**{r['id']}** ({_date(r['rollout'])}, cost {r['cost']:,.0f}). In the {fix.window_days} days "
                f"after it {_pct(r['rate_after'])} of tickets were about refunds against {_pct(r['rate_before'])} "
                f"before (rate ratio {r['rate_ratio']:.2f}, 95% interval {r['rate_ratio_ci_low']:.2f} to "
                f"{r['rate_ratio_ci_high']:.2f}), {r['contacts_avoided']:,.0f} contacts avoided; churn "
                f"{100 * r['churn_estimate']:+.1f} points against the customers held out of the fix (95% interval "
                f"{100 * r['churn_ci_low']:+.1f} to {100 * r['churn_ci_high']:+.1f}); a net benefit of "
                f"{r['net_benefit']:,.0f} ({_interval(r['net_benefit_ci_low'], r['net_benefit_ci_high'])}), {roi}.")
        self._section("Closing the loop", lines)

    # -- output --------------------------------------------------------------------------------------

    def write(self, title: str) -> Path | None:
        """Writes ``report.md``; returns its path (None when disabled)."""
        if self.out is None:
            return None
        parts = [f"# {title}\n", f"voc {voc.__version__}. Every interval is 95%; every test names its method in "
                 "the printed output of `examples/demo.py`.\n"]
        for heading, paragraphs in self.sections:
            parts.append(f"## {heading}\n")
            parts.extend(p + "\n" for p in paragraphs)
        path = self.out / "report.md"
        path.write_text("\n".join(parts), encoding="utf-8")
        return path
