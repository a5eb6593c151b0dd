"""voc.plot: every chart renders to a PNG and draws the numbers it was given (Agg backend)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

import voc  # noqa: E402
import voc.plot  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def save_png(ax, path) -> tuple[int, int]:
    """Saves the figure, checks it is a PNG of plausible size and returns (width, height) in pixels."""
    ax.figure.savefig(path, dpi=80)
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 200 <= width <= 2000 and 150 <= height <= 2000
    assert len(data) > 5_000  # a blank canvas compresses to far less
    return width, height


def bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


@pytest.fixture(scope="module")
def surveys():
    return voc.sample.surveys(seed=3, responses=6_000).to_pandas()


@pytest.fixture(scope="module")
def retailer():
    data = voc.sample.retailer(seed=5, customers=3_000)
    log = voc.signals.EventLog(**data.tables())
    return data, log


def test_nps_trend_plots_the_table_values_and_ci_band(surveys, tmp_path):
    t = voc.nps(surveys["nps"], period="month", time=surveys["time"]).table
    ax = voc.plot.nps_trend(t)
    save_png(ax, tmp_path / "nps.png")
    assert len(ax.lines) == 2  # the trend and the zero line
    np.testing.assert_allclose(ax.lines[0].get_ydata(), t["nps"])
    assert ax.get_ylabel() == "NPS" and ax.get_xlabel() == "period"
    assert [x.get_text() for x in ax.get_xticklabels()] == list(t["period"])
    (band,) = bands(ax)
    ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    np.testing.assert_allclose([ys.min(), ys.max()], [np.min(t["ci_low"]), np.max(t["ci_high"])])


def test_nps_trend_one_line_per_group_and_csat_in_percent(surveys, tmp_path):
    t = voc.nps(surveys["nps"], by=surveys["channel"], period="quarter", time=surveys["time"]).table
    ax = voc.plot.nps_trend(t)
    groups = sorted(set(t["group"]))
    assert len(ax.lines) == len(groups) + 1
    assert len(bands(ax)) == len(groups)
    assert [x.get_text() for x in ax.get_legend().get_texts()] == [str(g) for g in groups]
    save_png(ax, tmp_path / "by_channel.png")
    c = voc.csat(surveys["csat"], period="quarter", time=surveys["time"]).table
    ax2 = voc.plot.nps_trend(c)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), 100 * np.asarray(c["satisfied"]))
    assert "CSAT" in ax2.get_ylabel()


def test_kaplan_meier_steps_start_at_one_with_bands(tmp_path):
    rng = np.random.default_rng(1)
    d = rng.exponential(100, 400)
    e = (rng.random(400) < 0.7).astype(float)
    g = np.where(rng.random(400) < 0.5, "a", "b")
    km = voc.retention.kaplan_meier(durations=d, events=e, by=g)
    ax = voc.plot.kaplan_meier(km, time_scale=30.0, time_label="months")
    save_png(ax, tmp_path / "km.png")
    assert len(ax.lines) == 2 and len(bands(ax)) == 2
    tab = km.table.to_pandas()
    a = tab[tab["group"] == "a"]
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xdata(), np.r_[0.0, a["time"] / 30.0])
    np.testing.assert_allclose(line.get_ydata(), np.r_[1.0, a["survival"]])
    assert ax.get_xlabel() == "months" and "survival" in ax.get_ylabel()
    ys = np.concatenate([p.vertices[:, 1] for p in bands(ax)[0].get_paths()])
    assert ys.min() == pytest.approx(np.nanmin(a["ci_low"]))


def test_drivers_sorted_bars_with_error_bars_and_sign_colours(tmp_path):
    table = {
        "driver": ["refund slow", "delivery late", "size", "price"],
        "importance": [0.12, 0.30, 0.05, 0.08],
        "ci_low": [0.08, 0.22, 0.01, 0.02],
        "ci_high": [0.16, 0.38, 0.09, 0.14],
        "sign": [1, 1, -1, 1],
    }
    ax = voc.plot.drivers(table)
    save_png(ax, tmp_path / "drivers.png")
    bars = ax.patches
    assert len(bars) == 4
    # largest at the top (barh draws bottom-up)
    assert [b.get_width() for b in bars] == [0.05, 0.08, 0.12, 0.30]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["size", "price", "refund slow", "delivery late"]
    assert bars[0].get_facecolor() != bars[1].get_facecolor()  # negative sign coloured apart
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["raises the outcome", "lowers the outcome"]
    assert len(ax.lines) + len(ax.collections) >= 1  # error bars drawn
    assert ax.get_xlabel() == "importance"


def test_drivers_accepts_a_dataframe_with_share_and_top(tmp_path):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"driver": list("abcde"), "share": [0.1, 0.4, 0.2, 0.25, 0.05]})
    ax = voc.plot.drivers(df, top=3)
    save_png(ax, tmp_path / "share.png")
    assert [b.get_width() for b in ax.patches] == [0.2, 0.25, 0.4]
    assert ax.get_xlabel() == "share"
    with pytest.raises(ValueError, match="driver"):
        voc.plot.drivers({"name": ["a"], "importance": [1.0]})


def test_gains_and_lift_draw_the_lift_table(tmp_path):
    rng = np.random.default_rng(2)
    p = rng.random(2_000)
    y = (rng.random(2_000) < p).astype(float)
    t = voc.risk.lift(y=y, scores=p)
    ax = voc.plot.gains(t)
    save_png(ax, tmp_path / "gains.png")
    model, diagonal = ax.lines
    np.testing.assert_allclose(model.get_ydata(), 100 * np.r_[0.0, t["cumulative_gain"]])
    assert model.get_xdata()[-1] == pytest.approx(100.0)
    np.testing.assert_allclose(diagonal.get_ydata(), [0, 100])
    ax2 = voc.plot.lift(t)
    save_png(ax2, tmp_path / "lift.png")
    assert [b.get_height() for b in ax2.patches] == pytest.approx(list(t["lift"]))
    ax3 = voc.plot.lift(t, cumulative=True)
    assert [b.get_height() for b in ax3.patches] == pytest.approx(list(t["cumulative_lift"]))


def test_value_voice_heatmap_writes_the_matrix(retailer, tmp_path):
    _, log = retailer
    X = log.features("2025-01-01")
    y = log.labels("2025-01-01", horizon_days=180)
    seg = voc.segment.value_voice(X)
    prof = voc.segment.profile(X, by=seg, churn=y["churned"])
    table = voc.segment.matrix(prof, by=seg, values="churn_rate")
    assert isinstance(table, voc.Table)
    grid = table.to_pandas().set_index("value_tier")
    ax = voc.plot.value_voice(prof, by=seg)
    save_png(ax, tmp_path / "vv.png")
    image = ax.images[0].get_array()
    np.testing.assert_allclose(np.ma.filled(image, np.nan), grid.to_numpy(), equal_nan=True)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == grid.size
    first = grid.to_numpy()[0, 0]
    assert texts[0] == ("–" if np.isnan(first) else f"{first:.0%}")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(grid.columns)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(grid.index)
    assert ax.get_ylabel() == "value tier"
    ax2 = voc.plot.value_voice(voc.segment.matrix(prof, by=seg, values="revenue_at_risk"), values="revenue_at_risk")
    assert "," in "".join(t.get_text() for t in ax2.texts) or all(len(t.get_text()) < 4 for t in ax2.texts)


def test_mention_trend_per_channel_with_bands(retailer, tmp_path):
    data, _ = retailer
    tickets = data.tickets.to_pandas()
    rates = voc.text.themes().mention_rates(
        tickets["text"], by=np.where(np.arange(len(tickets)) % 2 == 0, "chat", "email"),
        time=tickets["time"], period="quarter",
    ).table.to_pandas()
    ax = voc.plot.mention_trend(rates, "refund")
    save_png(ax, tmp_path / "refund.png")
    assert len(ax.lines) == 2 and len(bands(ax)) == 2
    chat = rates[(rates["theme"] == "refund") & (rates["group"] == "chat")]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 100 * chat["rate"].to_numpy())
    assert "refund" in ax.get_ylabel()
    with pytest.raises(ValueError, match="not in rates"):
        voc.plot.mention_trend(rates, "no-such-theme")


@pytest.fixture(scope="module")
def uplift_test():
    """A randomised test whose play helps customers with a high first feature, with the T-learner's
    uplift scores."""
    rng = np.random.default_rng(8)
    n = 6_000
    x = rng.normal(size=(n, 3))
    t = rng.integers(0, 2, n)
    eta = -0.2 + 0.5 * x[:, 1] + t * (0.9 * x[:, 0] + 0.1)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    u = voc.uplift.fit_t_learner(x=x, outcome=y, treatment=t).predict_uplift(x)
    return y, t, u


def test_qini_draws_the_curve_the_random_line_and_the_perfect_curve(uplift_test, tmp_path):
    y, t, u = uplift_test
    curve = voc.uplift.qini_curve(outcome=y, treatment=t, uplift=u)
    perfect = voc.uplift.perfect_qini_curve(outcome=y, treatment=t)
    score = voc.uplift.qini_auc(outcome=y, treatment=t, uplift=u)
    ax = voc.plot.qini(curve, perfect=perfect, score=score)
    save_png(ax, tmp_path / "qini.png")
    model, random, best = ax.lines[:3]
    np.testing.assert_array_equal(model.get_xdata(), curve["targeted"])
    np.testing.assert_array_equal(model.get_ydata(), curve["value"])
    # The random line joins (0, 0) to the curve's end, as scikit-uplift's.
    np.testing.assert_array_equal(random.get_xdata(), [0.0, curve["targeted"][-1]])
    np.testing.assert_array_equal(random.get_ydata(), [0.0, curve["value"][-1]])
    np.testing.assert_array_equal(best.get_ydata(), perfect["value"])
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == [f"model (Qini coefficient {score.estimate:.3f})", "random", "perfect"]
    assert score.estimate > 0.1  # the planted effect is found: the curve lies above the random line
    assert np.max(curve["value"]) > curve["value"][-1]
    assert "uplift" in ax.get_xlabel() and "Qini" in ax.get_ylabel()


def test_qini_compares_models_on_one_axes_and_reads_a_dict(uplift_test):
    y, t, u = uplift_test
    fig, ax = plt.subplots()
    first = voc.plot.qini(voc.uplift.qini_curve(outcome=y, treatment=t, uplift=u), label="T-learner", ax=ax)
    noise = np.random.default_rng(1).random(len(u))
    second = voc.plot.qini(
        voc.uplift.qini_curve(outcome=y, treatment=t, uplift=noise).to_pandas(), label="random scores",
        random=False, ax=ax,
    )
    assert first is ax and second is ax
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels == ["T-learner", "random", "random scores"]
    ax2 = voc.plot.qini({"targeted": [0, 2, 4], "value": [0.0, 1.5, 1.0]})
    np.testing.assert_array_equal(ax2.lines[1].get_ydata(), [0.0, 1.0])
    with pytest.raises(ValueError, match="targeted"):
        voc.plot.qini({"x": [0, 1], "value": [0.0, 1.0]})


def test_uplift_by_decile_draws_rates_uplift_and_intervals(uplift_test, tmp_path):
    y, t, u = uplift_test
    table = voc.uplift.uplift_by_percentile(outcome=y, treatment=t, uplift=u)
    ax = voc.plot.uplift_by_decile(table)
    save_png(ax, tmp_path / "deciles.png")
    tab = table.to_pandas()
    bins = tab[tab["percentile"] != "total"]
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights[:10], 100 * bins["rate_treated"])
    np.testing.assert_allclose(heights[10:], 100 * bins["rate_control"])
    uplift_line = next(line for line in ax.lines if line.get_gid() == "uplift")
    np.testing.assert_allclose(uplift_line.get_ydata(), 100 * bins["uplift"])
    overall = [line for line in ax.lines if "overall" in str(line.get_label())]
    assert len(overall) == 1
    np.testing.assert_allclose(overall[0].get_ydata(), 100 * tab["uplift"].iloc[-1])
    assert [x.get_text() for x in ax.get_xticklabels()] == list(bins["percentile"])
    # Interval whiskers: the uplift's and each arm's (error bar segments).
    segments = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    assert len(segments) == 3
    uplift_bars = np.array([seg[:, 1] for seg in segments[-1].get_segments()])
    np.testing.assert_allclose(np.sort(uplift_bars, axis=1), 100 * np.column_stack([bins["ci_low"], bins["ci_high"]]))
    # The ranking works: the first decile gains more than the last.
    assert bins["uplift"].iloc[0] > bins["uplift"].iloc[-1]
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "uplift" in legend and any(s.startswith("overall uplift") for s in legend)


def test_uplift_by_decile_leaves_an_empty_arm_without_a_bar():
    table = {
        "percentile": ["0-50", "50-100", "total"],
        "rate_treated": [0.5, float("nan"), 0.5],
        "rate_control": [0.25, 0.5, 0.4],
        "uplift": [0.25, float("nan"), 0.1],
    }
    ax = voc.plot.uplift_by_decile(table)
    heights = [b.get_height() for b in ax.patches]
    assert heights[0] == 50.0 and np.isnan(heights[1])
    with pytest.raises(ValueError, match="rate_control"):
        voc.plot.uplift_by_decile({"percentile": ["0-50"], "rate_treated": [0.5], "uplift": [0.1]})


def test_every_chart_draws_on_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    t = {"group": [1, 2], "n": [5, 5], "lift": [1.5, 0.5], "cumulative_gain": [0.75, 1.0]}
    assert voc.plot.lift(t, ax=axes[0]) is axes[0]
    assert voc.plot.gains(t, ax=axes[1]) is axes[1]
    assert len(fig.axes) == 2


def test_missing_matplotlib_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r"voc\[plot\]"):
        voc.plot.drivers({"driver": ["a"], "importance": [1.0]})
