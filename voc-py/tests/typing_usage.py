"""Typed use of the public surface, checked by ``mypy --strict`` (scripts/test.sh) and run by
``test_conventions.py::test_typing_usage_runs``: every annotation below must be what the stubs say, so a
stub that drifts from the code (or returns ``Any``) fails one of the two."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

import voc
import voc.impact
import voc.retention
import voc.risk
import voc.sample
import voc.segment
import voc.signals
import voc.stats
import voc.text


def metrics() -> None:
    scores = [10, 9, 3, 8, 7, 6, 10, 9]
    r: voc.NpsResult = voc.nps(scores)
    estimate: float = r.nps
    low, high = r.ci
    n: int = r.n
    g: voc.GroupedResult = voc.nps(scores, by=["a", "b"] * 4, missing="skip")
    table: voc.Table = g.table
    left_out: int = g.n_missing + g.n_missing_group + g.n_missing_time
    columns: list[str] = table.columns
    trend: voc.GroupedResult = voc.nps(scores, period="day", time=list(range(8)))
    period: str | None = trend.period
    c: voc.CsatResult = voc.csat([5, 4, 3, 1])
    satisfied: float = c.satisfied
    cg: voc.GroupedResult = voc.csat([5, 4, 3, 1], by=[1, 1, 2, 2])
    e: voc.CesResult = voc.ces([7, 6, 2, 5])
    mean: float = e.mean
    t: voc.TestResult = voc.compare(r, voc.nps([9, 9, 3, 1]))
    p: float = t.p_value
    state = voc.NpsState()
    state.update(scores)
    finished: voc.NpsResult = state.finish()
    d: dict[str, object] = r.to_dict()
    html: str = g._repr_html_()
    print(estimate, low, high, n, left_out, columns, period, satisfied, cg.metric, mean, p, finished.n, d, html[:0])


def stats() -> None:
    share: voc.stats.ProportionInterval = voc.stats.proportion_ci(30, 100)
    test: voc.TestResult = voc.stats.welch_test(5.0, 1.0, 30, 5.5, 1.2, 40)
    print(share.ci_low, share.estimate, test.statistic)


def text() -> None:
    m: voc.text.ThemeMatcher = voc.text.themes()
    rates: voc.text.MentionRatesResult = m.mention_rates(["退款太慢", "ok", "refund late"], by=["a", "a", "b"])
    rows: voc.Table = rates.table
    dropped: int = rates.n_missing
    method: str = rates.method
    adjust: str | None = rates.adjust
    pol: voc.text.PolarityResult = voc.text.polarity("great, thanks")
    compound: float = pol.compound
    print(len(rows), dropped, method, adjust, compound)


def segment() -> None:
    data = {"monetary": [900.0, 40.0, 60.0, 10.0], "tickets_90d": [3, 0, 0, 0], "theme_price": [0, 1, 0, 0],
            "nps_last": [float("nan"), 3.0, 10.0, float("nan")], "recency_days": [5.0, 30.0, 60.0, 90.0],
            "frequency": [5, 1, 2, 1], "tenure_days": [400.0, 30.0, 200.0, 800.0],
            "days_since_activity": [5.0, 10.0, 20.0, 400.0]}
    vv: voc.segment.ValueVoiceResult = voc.segment.value_voice(data)
    cuts: list[float] = vv.cuts
    plays: list[str] = vv.plays
    rfm: voc.segment.RfmResult = voc.segment.rfm(data, bins=2, rules=[])
    stages: voc.segment.LifecycleResult = voc.segment.lifecycle(data)
    names: list[str] = stages.stages
    prof: voc.Table = voc.segment.profile(data, by=vv)
    grid: voc.Table = voc.segment.matrix(prof, by=vv, values="size")
    km: voc.segment.KMeansModel = voc.segment.fit_kmeans(x=[[0.0], [0.2], [10.0], [10.2]], k=2, init=[[0.0], [10.0]])
    labels: npt.NDArray[np.int64] = km.labels
    print(cuts, plays, rfm.segments, names, len(prof), grid.columns, labels)


def impact() -> None:
    h: voc.impact.HoldoutResult = voc.impact.holdout((80, 1000), (120, 1000))
    n: float = h.n
    ba: voc.impact.BeforeAfterResult = voc.impact.before_after((120, 1000), (80, 1000))
    did: voc.impact.DiffInDiffResult = voc.impact.diff_in_diff(
        cells=[(0.30, 0.21, 500), (0.22, 0.17, 500), (0.31, 0.21, 500), (0.30, 0.21, 500)]
    )
    roi: voc.impact.RoiResult = voc.impact.roi(holdout=h, customers=50_000, clv=300, program_cost=150_000)
    estimate: float | None = roi.estimate
    w: voc.impact.WhatIfResult = voc.impact.what_if(
        {"detractor": (300, 80, 0.3), "passive": (300, 100, 0.15), "promoter": (400, 130, 0.08)}
    )
    change: float = w.nps_change
    kd: voc.impact.KeyDriversResult = voc.impact.key_drivers(
        {"y": [1.0, 2.0, 3.0, 4.0, 5.0, 7.0], "a": [1.0, 2.0, 2.0, 4.0, 5.0, 5.0], "b": [2.0, 1.0, 4.0, 3.0, 6.0, 5.0]},
        outcome="y", drivers=["a", "b"],
    )
    r2: float = kd.r2
    print(n, ba.n, did.n, estimate, change, r2)


def risk() -> None:
    x = {"days": [20.0, 1.0, 15.0, 0.0, 9.0, 2.0], "spend": [500.0, 900.0, 80.0, 300.0, 120.0, 700.0]}
    y = [1, 0, 1, 0, 1, 0]
    model: voc.risk.LogisticModel = voc.risk.fit_logistic(x, x=["days"], y=y, C=0.5)
    proba: npt.NDArray[np.float64] = model.predict_proba(x)
    summary: voc.Table = model.summary()
    auc: float = voc.risk.roc_auc(y=y, scores=proba)
    clf = voc.risk.ChurnClassifier(C=1.0).fit(np.asarray([[v] for v in x["days"]]), np.asarray(y))
    both: npt.NDArray[np.float64] = clf.predict_proba(np.asarray([[3.0], [18.0]]))
    print(proba, len(summary), auc, both)


def retention() -> None:
    km: voc.retention.KaplanMeierResult = voc.retention.kaplan_meier(durations=[5.0, 3.0, 8.0, 2.0], events=[1, 0, 1, 1])
    curve: voc.Table = km.table
    cox: voc.retention.CoxModel = voc.retention.fit_cox(
        {"t": [5.0, 3.0, 8.0, 2.0, 6.0, 4.0, 7.0, 1.0], "e": [1, 0, 1, 1, 0, 1, 1, 1],
         "x": [0.1, 0.4, -0.2, 0.9, 0.0, 0.5, -0.4, 0.3]},
        durations="t", events="e", covariates=["x"],
    )
    print(len(curve), cox.summary().columns)


def sample_and_signals() -> None:
    data: voc.sample.RetailerData = voc.sample.retailer(customers=200, seed=1)
    log = voc.signals.EventLog(**data.tables())
    features: voc.Table = log.features("2025-01-01")
    print(len(features))


def main() -> None:
    metrics()
    stats()
    text()
    segment()
    impact()
    risk()
    retention()
    sample_and_signals()


if __name__ == "__main__":
    main()
