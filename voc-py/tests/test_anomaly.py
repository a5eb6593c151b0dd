"""voc.anomaly.seasonal_alerts, MentionState.seasonal_alerts, voc.dask.mention_alerts and
voc.plot.anomalies (issue 19 item 3); TopicModel.shares_over_time and ThemeMatcher.discover_topics
(item 4)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import voc
from voc.errors import InputError, InsufficientDataError, InvalidOptionError, MissingValueError

WEEKS = pd.date_range("2018-01-01", periods=7 * 52, freq="W-MON")


def _weekly(seed: int = 0, level: float = 60.0, n: int = 7 * 52) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = np.arange(n)
    d = np.abs((w % 52.1775) - 46)
    d = np.minimum(d, 52.1775 - d)
    mu = level * (1 + 1.5 * np.exp(-(d**2) / 72))  # a 2.5-fold yearly peak in November
    return rng.negative_binomial(mu / 0.5, 1 / 1.5).astype(float)  # variance 1.5 mu


def test_planted_spikes_alert_and_the_yearly_peak_does_not():
    counts = _weekly(1)
    spikes = [len(counts) - 40, len(counts) - 25, len(counts) - 3]
    for s in spikes:
        counts[s] = counts[s] * 2.5 + 30
    res = voc.anomaly.seasonal_alerts(counts=counts, time=WEEKS, last=52)
    t = res.table.to_pandas()
    assert len(t) == 52 and res.n_series == 1 and res.period == "week"
    assert (t.method == "farrington_flexible").all() and (t.years == 5).all()
    flagged = set(t.index[t.alert] + len(counts) - 52)
    assert set(spikes) <= flagged
    assert len(flagged) <= len(spikes) + 1
    assert res.n_alerts == int(t.alert.sum())
    assert np.allclose(t.ratio, t.observed / t.expected)
    assert (t.upper >= t.expected).all()
    assert list(t.period_start) == list(WEEKS[-52:])


def test_table_input_groups_and_population():
    a, b = _weekly(2, 40.0, 120), _weekly(3, 80.0, 120)
    df = pd.DataFrame(
        {
            "week": np.concatenate([WEEKS[:120], WEEKS[:120]]),
            "n": np.concatenate([a, b]),
            "store": ["b"] * 120 + ["a"] * 120,
            "orders": 1000.0,
        }
    )
    res = voc.anomaly.seasonal_alerts(df, counts="n", time="week", by="store", population="orders")
    t = res.table.to_pandas()
    assert list(dict.fromkeys(t.group)) == ["a", "b"]  # by label order
    assert res.n == 240 and res.n_missing == 0 and res.n_series == 2
    assert (t.groupby("group").size() == 116).all()
    # Rows of one group and period add up; a population per row adds up too.
    dup = pd.concat([df, df])
    t2 = voc.anomaly.seasonal_alerts(dup, counts="n", time="week", by="store", population="orders").table.to_pandas()
    assert np.allclose(t2.expected, 2 * t.expected) and (t2.alert == t.alert).all()


def test_bad_counts_are_errors_naming_the_row():
    counts = [3.0, 4.0, np.nan, 5.0, 4.0, 6.0]
    time = pd.date_range("2024-01-01", periods=6, freq="D")
    with pytest.raises(MissingValueError) as e:
        voc.anomaly.seasonal_alerts(counts=counts, time=time, period="day")
    assert e.value.arg == "counts" and e.value.index == 2
    res = voc.anomaly.seasonal_alerts(counts=counts + [5.0], time=pd.date_range("2024-01-01", periods=7),
                                      period="day", missing="skip")
    assert res.n_missing == 1 and res.n == 6
    with pytest.raises(InputError) as e:
        voc.anomaly.seasonal_alerts(counts=[3, 4, -1, 5, 4, 6], time=time, period="day")
    assert e.value.arg == "counts" and e.value.index == 2 and isinstance(e.value, ValueError)
    with pytest.raises(InsufficientDataError):
        voc.anomaly.seasonal_alerts(counts=[3, 4, 5], time=time[:3], period="day")
    with pytest.raises(InvalidOptionError) as e:
        voc.anomaly.seasonal_alerts(counts=[1.0] * 6, time=time, alpha=0.7)
    assert e.value.arg == "alpha"
    with pytest.raises(InvalidOptionError):
        voc.anomaly.seasonal_alerts(counts=[1.0] * 6)


def test_result_pickles_and_is_json_ready():
    res = voc.anomaly.seasonal_alerts(counts=_weekly(4, n=80), time=WEEKS[:80])
    back = pickle.loads(pickle.dumps(res))
    assert back == res and back.table.to_pandas().equals(res.table.to_pandas())
    d = res.to_dict()
    assert d["n_alerts"] == res.n_alerts and len(d["table"]["expected"]) == len(res.table)
    assert "AlertsResult" in res._repr_html_()


def _farrington_reference(y: np.ndarray, k: int, alpha: float = 0.01) -> tuple[float, float]:
    """Expected count and upper bound of week k by the published algorithm, fitted with statsmodels
    (weekly data, b = 5, w = 3, noPeriods = 10, 26 weeks left out, reweighting at 2.58, no trend)."""
    sm = pytest.importorskip("statsmodels.api")
    from scipy import stats

    def back(k: int, years: int) -> int:
        start = WEEKS[k] - pd.DateOffset(years=years)
        return int(np.argmin(np.abs((WEEKS - start).days)))

    refs = [back(k, y) for y in range(1, 6)]
    labels = np.full(k + 1, -1)
    for n, r in enumerate(refs):
        nxt = k - 3 if n == 0 else refs[n - 1] - 3
        gap = np.arange(r + 4, nxt)
        sizes = [len(gap) // 9 + (1 if b < len(gap) % 9 else 0) for b in range(9)]
        at = 0
        for b, size in enumerate(sizes):
            labels[gap[at : at + size]] = b + 1
            at += size
    for r in refs:
        labels[r - 3 : r + 4] = 0
    labels[k - 26 :] = -1
    used = np.flatnonzero(labels >= 0)
    x = pd.get_dummies(pd.Categorical(labels[used])).to_numpy(float)
    yy = y[used]
    fit = sm.GLM(yy, x, family=sm.families.Poisson()).fit(scale="X2")
    phi = max(fit.scale, 1.0)
    mu = fit.mu
    w_irls = mu
    xtwx_inv = np.linalg.inv(x.T @ (x * w_irls[:, None]))
    h = w_irls * np.einsum("ij,jk,ik->i", x, xtwx_inv, x)
    s = 1.5 * (yy ** (2 / 3) * mu ** (-1 / 6) - mu**0.5) / np.sqrt(phi * (1 - h))
    big = s > 2.58
    gamma = len(s) / np.sum(np.where(big, s**-2.0, 1.0))
    omega = np.where(big, gamma * s**-2.0, gamma)
    fit = sm.GLM(yy, x, family=sm.families.Poisson(), var_weights=omega).fit(scale="X2")
    phi = max(float(np.sum(omega * (yy - fit.mu) ** 2 / fit.mu) / (len(yy) - x.shape[1])), 1.0)
    mu0 = float(np.exp(fit.params[0]))
    if phi > 1:
        upper = stats.nbinom.ppf(1 - alpha, mu0 / (phi - 1), 1 / phi)
    else:
        upper = stats.poisson.ppf(1 - alpha, mu0)
    return mu0, float(upper)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_farrington_matches_a_statsmodels_fit_of_the_published_algorithm(seed):
    y = _weekly(seed)
    y[100] += 80  # a past outbreak to down-weight
    k = len(y) - 1
    res = voc.anomaly.seasonal_alerts(counts=y, time=WEEKS, last=1, trend=False)
    row = res.table.to_pandas().iloc[0]
    mu0, upper = _farrington_reference(y, k)
    assert row.expected == pytest.approx(mu0, rel=1e-6)
    assert row.upper == upper


def _texts(weeks: int, spike_week: int) -> pd.DataFrame:
    rows = []
    for w in range(weeks):
        n_refund = 5 + w % 3 + (25 if w == spike_week else 0)
        for ch in ("chat", "email"):
            rows += [("refund not received 退款", ch, WEEKS[w])] * (n_refund if ch == "chat" else 5)
            rows += [("thanks, all good", ch, WEEKS[w])] * 20
    return pd.DataFrame(rows, columns=["text", "channel", "time"])


def test_mention_state_alerts_merge_like_the_whole():
    df = _texts(60, 57)
    m = voc.text.themes()
    whole = m.mention_state(df, texts="text", by="channel", time="time", period="week")
    a = m.mention_state(df.iloc[::2], texts="text", by="channel", time="time", period="week")
    b = m.mention_state(df.iloc[1::2], texts="text", by="channel", time="time", period="week")
    a.merge(b)
    res = whole.seasonal_alerts()
    assert a.seasonal_alerts() == res
    t = res.table.to_pandas()
    hits = t[t.alert]
    assert hits[["group", "theme"]].drop_duplicates().values.tolist() == [["chat", "refund"]]
    assert set(hits.period_start) == {WEEKS[57]}
    assert res.n_series == 2 * len(m.themes) and res.n == len(df)
    per_text = whole.seasonal_alerts(per_text=True).table.to_pandas()
    assert (per_text.texts > 0).all()
    no_period = m.mention_state(df, texts="text")
    with pytest.raises(InvalidOptionError):
        no_period.seasonal_alerts()


def test_dask_mention_alerts_equal_the_single_process_result():
    dd = pytest.importorskip("dask.dataframe")
    df = _texts(40, 38)
    whole = voc.text.themes().mention_state(df, texts="text", by="channel", time="time", period="week")
    got = voc.dask.mention_alerts(dd.from_pandas(df, npartitions=3), "text", time="time", by="channel",
                                  scheduler="synchronous")
    assert got == whole.seasonal_alerts()


def test_anomaly_chart_draws_the_band_and_the_alerts():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import voc.plot

    df = _texts(40, 38)
    res = voc.text.themes().mention_state(df, texts="text", by="channel", time="time", period="week").seasonal_alerts()
    with pytest.raises(InvalidOptionError):
        voc.plot.anomalies(res)  # many series: pick one
    ax = voc.plot.anomalies(res, group="chat", theme="refund")
    observed, expected, alerts = ax.lines
    assert len(observed.get_xdata()) == 36 and len(alerts.get_xdata()) == 1
    assert len(ax.collections) == 1  # the band
    with pytest.raises(InvalidOptionError):
        voc.plot.anomalies(res, group="fax", theme="refund")


def test_topic_shares_over_time_match_pandas():
    texts = voc.text.sample_tickets(400, seed=3, lang="en")
    time = np.repeat(pd.date_range("2025-01-01", periods=4, freq="MS"), 100)
    tm = voc.text.fit_topics(texts, n_topics=4, seed=0)
    res = tm.shares_over_time(texts, time=time, period="month")
    t = res.table.to_pandas()
    assert len(t) == 16 and res.n == 400 and res.method == "wilson"
    topic = tm.predict_topic(texts)
    ref = pd.DataFrame({"m": time.month, "t": topic}).groupby("m").t.value_counts().unstack(fill_value=0)
    got = t.pivot(index="period", columns="topic", values="documents")
    assert (got.to_numpy() == ref.reindex(columns=range(4), fill_value=0).to_numpy()).all()
    assert ((t.ci_low <= t.share) & (t.share <= t.ci_high)).all()
    assert np.allclose(t.share, t.documents / t.texts)
    by = tm.shares_over_time(pd.DataFrame({"text": texts, "time": time, "ch": ["a", "b"] * 200}),
                             texts="text", time="time", by="ch")
    assert set(by.table.to_pandas().group) == {"a", "b"}


def test_discover_topics_on_untagged_texts_chinese_and_english():
    m = voc.text.themes({"refund": ["退款", "refund*"]})
    texts = (
        ["退款太慢了", "refund please"] * 5
        + ["app 闪退 登录 失败", "登录 失败 闪退", "app crash login", "login crash app again"] * 5
        + ["包裹 破损 盒子", "盒子 破损 包裹", "parcel box damaged", "damaged box parcel"] * 5
    )
    res = m.discover_topics(texts, n_topics=2, n_terms=5, examples=2, seed=0)
    assert res.n == len(texts) and res.n_untagged == 40 and res.n_topics == 2
    t = res.table.to_pandas()
    assert t.documents.sum() == 40
    for terms, ex in zip(t.terms, t.examples):
        examples = ex.split("\n")
        assert len(examples) == 2 and all("退款" not in e and "refund" not in e for e in examples)
        assert len(terms.split(", ")) == 5
    with pytest.raises(InsufficientDataError):
        m.discover_topics(["refund"] * 5 + ["hello"], n_topics=2)
