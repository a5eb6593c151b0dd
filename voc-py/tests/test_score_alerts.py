"""voc.anomaly.score_alerts: seasonal alerts on score series (NPS, CSAT, CES, mean sentiment)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import voc
from voc.errors import InvalidOptionError, MissingValueError, ScoreRangeError


def weekly_answers(weeks: int, seed: int, dip_week: float = 30.0, depth: float = 20.0,
                   drops: tuple[int, ...] = ()) -> pd.DataFrame:
    """NPS answers per week: true NPS 30 with a yearly dip (sd 6 weeks); `drops` weeks fall to -20."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-01-07")
    frames = []
    for w in range(weeks):
        pos = w % 52.18 - dip_week
        d = min(abs(pos), 52.18 - abs(pos))
        nps = 30.0 - depth * np.exp(-d * d / 72.0)
        if w in drops:
            nps = -20.0
        pro = (0.7 + nps / 100) / 2
        n = int(rng.integers(120, 200))
        kind = rng.choice(3, size=n, p=[pro, 0.3, 0.7 - pro])
        scores = np.array([10, 8, 3])[kind]
        frames.append(pd.DataFrame({"nps": scores, "date": start + pd.Timedelta(weeks=w)}))
    return pd.concat(frames, ignore_index=True)


def test_a_drop_is_flagged_and_the_seasonal_dip_is_not():
    weeks = 5 * 52 + 40
    drop = weeks - 5
    df = weekly_answers(weeks, 3, drops=(drop,))
    res = voc.anomaly.score_alerts(df, scores="nps", time="date", last=52)
    t = res.table.to_pandas()
    assert len(t) == 52 and (t.method == "farrington_flexible").all()
    alerts = t[t.alert]
    assert pd.Timestamp(alerts.period_start.iloc[-1]) == pd.Timestamp("2019-01-07") + pd.Timedelta(weeks=drop)
    row = t.set_index("period_start").loc[pd.Timestamp("2019-01-07") + pd.Timedelta(weeks=drop)]
    assert row.observed < row.lower and row.difference < -30
    assert abs(row.difference - (row.observed - row.expected)) < 1e-12
    assert np.isnan(row.upper)  # lower side only
    # The observed score is the week's NPS in points.
    week = df[df.date == pd.Timestamp("2019-01-07") + pd.Timedelta(weeks=drop)].nps
    assert abs(row.observed - 100 * ((week >= 9).mean() - (week <= 6).mean())) < 1e-9
    assert row.n == len(week)
    # The dip weeks of the last year (the bottom is week 30 of each year) are expected, not alerts.
    w = ((t.period_start - pd.Timestamp("2019-01-07")).dt.days // 7).to_numpy()
    pos = w % 52.18 - 30.0
    near_dip = np.minimum(np.abs(pos), 52.18 - np.abs(pos)) <= 3
    assert near_dip.sum() >= 6 and not t.alert[near_dip].any(), t[near_dip]
    assert res.n_alerts <= 3, t[t.alert]
    assert (res.side, res.metric, res.period, res.alpha) == ("lower", "nps", "week", 0.01)


def test_per_period_means_from_voc_nps_give_the_same_alerts():
    df = weekly_answers(2 * 52, 5, drops=(100,))
    df["store"] = np.where(np.arange(len(df)) % 3 == 0, "b", "a")
    direct = voc.anomaly.score_alerts(df, scores="nps", time="date", by="store", side="two-sided")
    weekly = voc.nps(df, scores="nps", by="store", period="week", time="date").table.to_pandas()
    via = voc.anomaly.score_alerts(weekly, means="nps", n="n", time="period_start", by="group",
                                   side="two-sided")
    a, b = direct.table.to_pandas(), via.table.to_pandas()
    assert len(a) == len(b) > 0
    assert (a.group == b.group).all() and (a.period == b.period).all()
    np.testing.assert_allclose(a.expected, b.expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.p_value, b.p_value, rtol=0, atol=1e-9)
    assert (a.alert == b.alert).all() and a.alert.any()
    assert via.metric == "means"


def test_sentiment_means_and_the_upper_side():
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-01-01", periods=40)
    time = np.repeat(days, 50)
    sentiment = rng.normal(0.1, 0.3, len(time))
    sentiment[-50:] += 0.5
    up = voc.anomaly.score_alerts(scores=sentiment, time=time, metric="mean", period="day", side="upper")
    t = up.table.to_pandas()
    assert t.alert.iloc[-1] and t.method.iloc[-1] == "trailing"
    assert np.isnan(t.lower).all()
    down = voc.anomaly.score_alerts(scores=sentiment, time=time, metric="mean", period="day")
    assert not down.table.to_pandas().alert.iloc[-1]


def test_bad_input_is_named():
    time = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    with pytest.raises(InvalidOptionError) as e:
        voc.anomaly.score_alerts(time=time)
    assert e.value.arg == "scores"
    with pytest.raises(InvalidOptionError):
        voc.anomaly.score_alerts(scores=[1] * 8, means=[1.0] * 8, n=[1] * 8, time=time)
    with pytest.raises(MissingValueError) as m:
        voc.anomaly.score_alerts(scores=[9, 8, np.nan, 3, 10, 9, 7, 2], time=time)
    assert (m.value.arg, m.value.index) == ("scores", 2)
    with pytest.raises(ScoreRangeError) as r:
        voc.anomaly.score_alerts(scores=[9, 8, 11, 3, 10, 9, 7, 2], time=time)
    assert (r.value.arg, r.value.index) == ("scores", 2)
    res = voc.anomaly.score_alerts(scores=[9, 8, np.nan, 3, 10, 9, 7, 2], time=time, missing="skip")
    assert (res.n, res.n_missing) == (7, 1)
    with pytest.raises(InvalidOptionError):
        voc.anomaly.score_alerts(scores=[9] * 8, time=time, side="both")


def test_result_pickles_and_is_json_ready():
    time = np.repeat(pd.date_range("2024-01-01", periods=10, freq="W-MON"), 20)
    scores = np.tile(np.r_[[10] * 9, [8] * 5, [2] * 6], 10)
    res = voc.anomaly.score_alerts(scores=scores, time=time)
    assert pickle.loads(pickle.dumps(res)) == res
    d = res.to_dict()
    assert d["n"] == 200 and d["side"] == "lower" and "expected" in d["table"]
    assert res.table.meta is None


def test_the_anomaly_chart_draws_the_score_band_below_the_expected_score():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import voc.plot

    time = np.repeat(pd.date_range("2024-01-01", periods=10, freq="W-MON"), 100)
    promoters = [50, 52, 49, 51, 50, 48, 52, 50, 51, 30]
    scores = np.concatenate([[10] * p + [8] * (70 - p) + [3] * 30 for p in promoters])
    res = voc.anomaly.score_alerts(scores=scores, time=time)
    ax = voc.plot.anomalies(res)
    t = res.table.to_pandas()
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(t.lower.min()) and band.max() == pytest.approx(t.expected.max())
    assert ax.get_ylabel() == "score"
    assert [len(line.get_xdata()) for line in ax.lines] == [len(t), len(t), 1]


def test_on_dask_from_the_merged_nps_states_per_week():
    dd = pytest.importorskip("dask.dataframe")
    df = weekly_answers(60, 4, drops=(55,))  # "date" is each week's Monday
    ddf = dd.from_pandas(df, npartitions=4)
    weekly = voc.dask.nps(ddf, "nps", by="date", scheduler="sync").table.to_pandas()
    via = voc.anomaly.score_alerts(weekly, means="nps", n="n", time="group").table.to_pandas()
    direct = voc.anomaly.score_alerts(df, scores="nps", time="date").table.to_pandas()
    assert len(via) == len(direct) == 60 - 4
    np.testing.assert_allclose(via.expected, direct.expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(via.observed, direct.observed, rtol=0, atol=1e-9)
    assert (via.alert == direct.alert).all() and via.alert.iloc[55 - 4]
