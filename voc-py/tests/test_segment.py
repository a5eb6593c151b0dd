"""voc.segment: rules, ties, empty segments, bad input, pickling, threads, and live cross-checks against
pandas (RFM quantile scores), scikit-learn (KMeans from the same initial centres, StandardScaler,
silhouette_score) and scipy (Wilson interval)."""

from __future__ import annotations

import math
import pickle
import threading

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score as sk_silhouette
from sklearn.preprocessing import StandardScaler

import voc

NAN = float("nan")


@pytest.fixture(scope="module")
def signals() -> tuple[voc.Table, voc.Table]:
    data = voc.sample.retailer(seed=7, customers=4_000)
    log = voc.signals.EventLog(**data.tables())
    return log.features("2025-01-01"), log.labels("2025-01-01", horizon_days=180)


# ---------------------------------------------------------------- value × voice


def test_value_voice_rules_and_first_match() -> None:
    data = {
        "monetary": [900.0, 40.0, 60.0, 10.0, 500.0, 800.0],
        "tickets_90d": [3, 0, 0, 0, 2, 0],
        "theme_price": [1, 1, 0, 0, 0, 0],
        "nps_last": [2, 3, 10, NAN, 8, NAN],
    }
    r = voc.segment.value_voice(data)
    t = r.table
    # row 0: complaints win over price and the detractor score (first match)
    assert list(t["voice"]) == ["active complainer", "price-sensitive", "promoter", "silent", "active complainer", "silent"]
    assert t["segment"][5] == "high-value silent"
    assert t["play"][5] == "proactive check-in by the account owner"
    assert t["play"][1] == "targeted coupon"
    assert t.meta is None
    assert len(r.segments) == len(r.plays) == 3 * 6  # every tier × voice, empty ones too
    assert r.n == 6 and r.tiers == ["low", "mid", "high"]
    # numpy linear quantiles of the value column are the cuts
    assert r.cuts == pytest.approx(np.quantile(data["monetary"], [0.5, 0.8]).tolist(), abs=1e-12)


def test_value_voice_custom_rules_thresholds_and_plays() -> None:
    df = pd.DataFrame({"clv": [50.0, 150.0, 150.0, 3000.0], "discount_share": [0.9, 0.1, 0.6, 0.0], "csat": [5, 1, 2, 4]})
    t = voc.segment.value_voice(
        df,
        value="clv",
        quantiles=None,
        thresholds=[100.0, 1000.0],
        tier_names=["bronze", "silver", "gold"],
        rules=[("price-sensitive", "discount_share >= 0.5"), ("unhappy", "csat <= 2 and discount_share < 0.5")],
        fallback="quiet",
        plays=[("gold", "*", "call"), ("*", "price-sensitive", "coupon")],
    ).table
    assert list(t["segment"]) == ["bronze-value price-sensitive", "silver-value unhappy", "silver-value price-sensitive", "gold-value quiet"]
    assert list(t["play"]) == ["coupon", "", "coupon", "call"]


def test_value_voice_equal_values_share_a_tier() -> None:
    t = voc.segment.value_voice({"monetary": [0.0] * 6 + [1.0, 2.0, 3.0, 4.0], "tickets_90d": [0] * 10, "theme_price": [0] * 10, "nps_last": [NAN] * 10}).table
    assert set(t["value_tier"][:6]) == {"mid"}


def test_value_voice_bad_input() -> None:
    base = {"monetary": [1.0, NAN], "tickets_90d": [0, 0], "theme_price": [0, 0], "nps_last": [NAN, NAN]}
    with pytest.raises(voc.MissingValueError) as e:
        voc.segment.value_voice(base)
    assert e.value.arg == "value" and e.value.index == 1
    with pytest.raises(voc.ColumnNotFoundError):
        voc.segment.value_voice({"monetary": [1.0]})  # rule columns absent
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.value_voice({**base, "monetary": [1.0, 2.0]}, quantiles=[0.8, 0.5])
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.value_voice({**base, "monetary": [1.0, 2.0]}, rules=[("x", "tickets_90d >> 1")])
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.value_voice({**base, "monetary": [1.0, 2.0]}, tier_names=["a", "b"])
    with pytest.raises(voc.LengthMismatchError):
        voc.segment.value_voice({**base, "monetary": [1.0, 2.0]}, value=np.array([1.0, 2.0, 3.0]))


# ---------------------------------------------------------------- RFM


def _pandas_scores(values: np.ndarray, q: int, descending: bool) -> np.ndarray:
    s = pd.Series(values)
    ranks = s.rank(method="first", ascending=not descending)
    return pd.qcut(ranks, q, labels=list(range(1, q + 1))).astype(int).to_numpy()


@pytest.mark.parametrize("q", [2, 3, 4, 5, 7, 10])
def test_rfm_scores_match_pandas_qcut_of_first_rank(q: int) -> None:
    rng = np.random.default_rng(q)
    for m in list(range(2, 60)) + [101, 997, 1000]:
        recency = rng.integers(0, 30, m).astype(float)  # heavy ties
        frequency = rng.integers(1, 6, m).astype(float)
        monetary = np.round(rng.gamma(2.0, 50.0, m), 0)
        t = voc.segment.rfm({"recency_days": recency, "frequency": frequency, "monetary": monetary}, bins=q, rules=[]).table
        np.testing.assert_array_equal(t["r"], _pandas_scores(recency, q, True), err_msg=f"m={m}")
        np.testing.assert_array_equal(t["f"], _pandas_scores(frequency, q, False), err_msg=f"m={m}")
        np.testing.assert_array_equal(t["m"], _pandas_scores(monetary, q, False), err_msg=f"m={m}")


@pytest.mark.parametrize("q", [3, 5, 10])
def test_rfm_scores_of_continuous_values_and_signed_zeros_match_pandas(q: int) -> None:
    # Continuous spend (the radix-select path), whole days and counts (the counting path), wide whole
    # numbers (past the counting range), and -0.0 / 0.0, which pandas ranks as one value in row order.
    rng = np.random.default_rng(100 + q)
    m = 20_000
    recency = rng.integers(0, 365, m).astype(float)
    frequency = rng.integers(0, 4, m) * 1e6
    monetary = np.round(rng.gamma(2.0, 60.0, m), 2)
    monetary[rng.random(m) < 0.1] = 0.0
    monetary[rng.random(m) < 0.1] = -0.0
    t = voc.segment.rfm({"recency_days": recency, "frequency": frequency, "monetary": monetary}, bins=q, rules=[]).table
    np.testing.assert_array_equal(t["r"], _pandas_scores(recency, q, True))
    np.testing.assert_array_equal(t["f"], _pandas_scores(frequency, q, False))
    np.testing.assert_array_equal(t["m"], _pandas_scores(monetary, q, False))
    # Customers without a purchase are left out of the ranks, as pandas leaves NaN out.
    recency[::7] = NAN
    t = voc.segment.rfm({"recency_days": recency, "frequency": frequency, "monetary": monetary}, bins=q, rules=[]).table
    keep = ~np.isnan(recency)
    np.testing.assert_array_equal(t["m"][keep], _pandas_scores(monetary[keep], q, False))
    assert (t["m"][~keep] == 0).all()


def test_rfm_score_and_segment_columns_are_lists_of_strings() -> None:
    t = voc.segment.rfm({"recency_days": [5.0, 300.0, NAN, 40.0, 10.0, 6.0], "frequency": [12, 1, 0, 3, 8, 12],
                         "monetary": [900.0, 20.0, 0.0, 150.0, 400.0, 900.0]}).table
    assert isinstance(t["segment"], list) and all(isinstance(s, str) for s in t["segment"])
    assert isinstance(t["rfm_score"], list) and t["rfm_score"][2] == "000"
    assert (t["segment"][0], t["segment"][5]) == ("Champions", "Loyal Customers")


def test_rfm_segments_no_purchase_and_ties() -> None:
    t = voc.segment.rfm({"recency_days": [5.0, 300.0, NAN, 40.0, 10.0], "frequency": [12, 1, 0, 3, 8], "monetary": [900.0, 20.0, 0.0, 150.0, 400.0]}).table
    assert list(t["segment"]) == ["Champions", "Hibernating", "No Purchases", "Hibernating", "Loyal Customers"]
    assert list(t["rfm_score"]) == ["555", "111", "000", "222", "444"]
    # equal values are ranked in row order: three equal frequencies get three different scores
    t = voc.segment.rfm({"recency_days": [1.0, 2.0, 3.0], "frequency": [4, 4, 4], "monetary": [1.0, 1.0, 1.0]}, bins=3, rules=[]).table
    assert list(t["f"]) == [1, 2, 3]
    assert set(t["segment"]) == {"Other"}


def test_rfm_bad_input() -> None:
    with pytest.raises(voc.MissingValueError) as e:
        voc.segment.rfm({"recency_days": [1.0, 2.0], "frequency": [1, NAN], "monetary": [1.0, 1.0]})
    assert (e.value.arg, e.value.index) == ("frequency", 1)
    with pytest.raises(voc.InputError):
        voc.segment.rfm({"recency_days": [1.0, -2.0], "frequency": [1, 1], "monetary": [1.0, 1.0]})
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.rfm({"recency_days": [1.0], "frequency": [1], "monetary": [1.0]}, bins=4)  # default rules need 5
    with pytest.raises(voc.LengthMismatchError):
        voc.segment.rfm({"recency_days": [1.0], "frequency": [1, 2], "monetary": [1.0]})


# ---------------------------------------------------------------- lifecycle


def test_lifecycle_thresholds() -> None:
    t = voc.segment.lifecycle({"tenure_days": [30.0, 200.0, 800.0, 800.0, 500.0, 90.0], "days_since_activity": [NAN, 10.0, 20.0, 400.0, NAN, 180.0]}).table
    assert list(t["stage"]) == ["onboarding", "growth", "maturity", "dormant", "dormant", "dormant"]
    t = voc.segment.lifecycle({"tenure_days": [100.0], "days_since_activity": [100.0]}, onboarding_days=120, dormant_days=60).table
    assert list(t["stage"]) == ["onboarding"]
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.lifecycle({"tenure_days": [1.0], "days_since_activity": [1.0]}, onboarding_days=400)
    with pytest.raises(voc.MissingValueError):
        voc.segment.lifecycle({"tenure_days": [NAN], "days_since_activity": [1.0]})


# ---------------------------------------------------------------- profile


def test_profile_numbers_and_empty_segments() -> None:
    from scipy.stats import binomtest

    seg = voc.segment.value_voice({"monetary": [100.0] * 50 + [1.0] * 50, "tickets_90d": [0] * 100, "theme_price": [0] * 100, "nps_last": [10.0] * 30 + [NAN] * 70})
    churn = np.array([1] * 7 + [0] * 93)
    value = np.array([100.0] * 50 + [1.0] * 50)
    data = {"monetary": value, "nps_last": [10.0] * 30 + [NAN] * 70, "theme_refund": [1] * 100, "theme_praise": [9] * 100}
    p = voc.segment.profile(data, by=seg, churn=churn).to_pandas().set_index("segment")
    assert len(p) == 18  # every tier × voice
    hi = p.loc["high-value promoter"]
    assert hi["size"] == 30 and math.isclose(hi["share"], 0.3)
    ci = binomtest(7, 30).proportion_ci(method="wilson")
    assert math.isclose(hi["churn_rate"], 7 / 30) and math.isclose(hi["churn_low"], ci.low, rel_tol=1e-12) and math.isclose(hi["churn_high"], ci.high, rel_tol=1e-12)
    assert hi["revenue_at_risk"] == 700.0 and hi["mean_value"] == 100.0
    assert hi["nps"] == 100.0 and hi["nps_n"] == 30
    assert hi["top_themes"] == "refund (30)"  # praise is not a complaint
    empty = p.loc["low-value detractor"]
    assert empty["size"] == 0 and math.isnan(empty["churn_rate"]) and math.isnan(empty["nps"])
    assert p.loc["high-value silent", "play"] == "proactive check-in by the account owner"


def test_profile_nps_matches_voc_nps(signals: tuple[voc.Table, voc.Table]) -> None:
    X, y = signals
    seg = voc.segment.value_voice(X)
    p = voc.segment.profile(X, by=seg, churn=y["churned"]).to_pandas().set_index("segment")
    df = X.to_pandas()
    df["segment"] = list(seg.table["segment"])
    df["churned"] = y["churned"]
    for name, g in df.groupby("segment"):
        assert p.loc[name, "size"] == len(g)
        assert math.isclose(p.loc[name, "churn_rate"], g["churned"].mean(), rel_tol=1e-12)
        assert math.isclose(p.loc[name, "revenue_at_risk"], (g["monetary"] * g["churned"]).sum(), rel_tol=1e-9)
        answers = g["nps_last"].dropna().to_numpy()
        if len(answers):
            r = voc.nps(answers)
            assert math.isclose(p.loc[name, "nps"], r.nps, abs_tol=1e-9)
    assert p["size"].sum() == len(X)


def test_profile_accepts_label_columns_and_polars(signals: tuple[voc.Table, voc.Table]) -> None:
    X, y = signals
    seg = voc.segment.lifecycle(X)
    a = voc.segment.profile(X, by=seg, churn=y["churned"])
    b = voc.segment.profile(X.to_polars(), by=pl.Series(list(seg.table["stage"])), churn=pl.Series(y["churned"]), names=["onboarding", "growth", "maturity", "dormant"])
    assert list(a["segment"]) == list(b["segment"])
    np.testing.assert_array_equal(a["churn_rate"], b["churn_rate"])


def test_profile_bad_input() -> None:
    with pytest.raises(voc.InputError) as e:
        voc.segment.profile({"monetary": [1.0, 2.0]}, by=["a", "b"], churn=[0, 2])
    assert e.value.arg == "churn" and e.value.index == 1
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.profile({"monetary": [1.0]}, by=["a"], names=["b"])
    with pytest.raises(voc.LengthMismatchError):
        voc.segment.profile({"monetary": [1.0, 2.0]}, by=["a"])
    with pytest.raises(voc.ScoreRangeError):
        voc.segment.profile({"monetary": [1.0], "nps_last": [11.0]}, by=["a"])


# ---------------------------------------------------------------- k-means


def _blobs(n: int, d: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (k, d))
    return centres[rng.integers(0, k, n)] + rng.normal(0, 1.5, (n, d))


@pytest.mark.parametrize(("n", "d", "k", "seed"), [(500, 2, 3, 1), (3000, 8, 8, 2), (20000, 5, 6, 3), (50000, 8, 8, 4), (2000, 3, 12, 5)])
def test_kmeans_matches_sklearn_from_same_init(n: int, d: int, k: int, seed: int) -> None:
    x = _blobs(n, d, k, seed)
    init = x[np.random.default_rng(seed + 100).choice(n, k, replace=False)]
    for algorithm in ("auto", "hamerly", "lloyd"):
        ours = voc.segment.fit_kmeans(x=x, k=k, init=init, algorithm=algorithm)
        ref = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd").fit(x)
        np.testing.assert_array_equal(ours.labels, ref.labels_)
        assert math.isclose(ours.inertia, ref.inertia_, rel_tol=1e-9)
        np.testing.assert_allclose(ours.centers, ref.cluster_centers_, rtol=1e-9, atol=1e-9)
        assert ours.n_iter == ref.n_iter_


def test_kmeans_plusplus_is_seeded_and_thread_independent() -> None:
    x = _blobs(40_000, 4, 5, 9)
    a = voc.segment.fit_kmeans(x=x, k=5, n_init=3, seed=11)
    b = voc.segment.fit_kmeans(x=x, k=5, n_init=3, seed=11, parallel=False)
    assert a == b  # bit for bit, with and without threads
    c = voc.segment.fit_kmeans(x=x, k=5, n_init=3, seed=12)
    assert c.converged
    # k-means++ should find the planted clusters about as well as scikit-learn's own k-means++
    ref = KMeans(n_clusters=5, n_init=3, random_state=0).fit(x)
    assert a.inertia <= ref.inertia_ * 1.02
    np.testing.assert_array_equal(a.predict(x), a.labels)


def test_kmeans_pickle_threads_and_bad_input() -> None:
    x = _blobs(2000, 3, 3, 1)
    fit = voc.segment.fit_kmeans(x=x, k=3, seed=1)
    assert pickle.loads(pickle.dumps(fit)) == fit
    assert set(fit.to_dict()) == {"k", "n", "labels", "centers", "inertia", "n_iter", "converged", "algorithm"}
    out: list[voc.segment.KMeansModel] = []
    ts = [threading.Thread(target=lambda: out.append(voc.segment.fit_kmeans(x=x, k=3, seed=1))) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(o == fit for o in out)
    bad = x.copy()
    bad[7, 1] = np.nan
    with pytest.raises(voc.MissingValueError) as e:  # a NaN cell names its row and column
        voc.segment.fit_kmeans(x=bad, k=3)
    assert e.value.index == (7, 1)
    with pytest.raises(voc.InsufficientDataError):
        voc.segment.fit_kmeans(x=x[:2], k=3)
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.fit_kmeans(x=x, k=0)
    with pytest.raises(voc.LengthMismatchError):
        voc.segment.fit_kmeans(x=x, k=3, init=x[:2])
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.fit_kmeans(x=x, k=3, algorithm="elkan2")


@pytest.mark.parametrize(("n", "d", "k", "picked"), [(4000, 8, 8, "lloyd"), (4000, 8, 9, "hamerly"), (4000, 9, 4, "hamerly"), (40_000, 2, 3, "lloyd")])
def test_kmeans_auto_is_the_algorithm_it_picks(n: int, d: int, k: int, picked: str) -> None:
    x = _blobs(n, d, k, k + d)
    init = x[np.random.default_rng(7).choice(n, k, replace=False)]
    other = "hamerly" if picked == "lloyd" else "lloyd"
    for kwargs in ({"init": init}, {"n_init": 2, "seed": 3}):
        auto = voc.segment.fit_kmeans(x=x, k=k, **kwargs)  # the default is "auto"
        assert auto.algorithm == picked and auto.to_dict()["algorithm"] == picked
        assert auto == voc.segment.fit_kmeans(x=x, k=k, algorithm="auto", **kwargs)
        assert auto == voc.segment.fit_kmeans(x=x, k=k, algorithm=picked, **kwargs)  # bit for bit
        o = voc.segment.fit_kmeans(x=x, k=k, algorithm=other, **kwargs)
        assert o.algorithm == other and o != auto  # the same clustering, another scheme recorded
        np.testing.assert_array_equal(o.labels, auto.labels)
        np.testing.assert_array_equal(o.centers, auto.centers)
        assert (o.inertia, o.n_iter, o.converged) == (auto.inertia, auto.n_iter, auto.converged)
        back = pickle.loads(pickle.dumps(auto))
        assert back == auto and back.algorithm == picked
        assert voc.segment.KMeansModel.from_bytes(o.to_bytes()).algorithm == other
    with pytest.raises(voc.InvalidOptionError, match="auto, hamerly, lloyd"):
        voc.segment.fit_kmeans(x=x, k=k, algorithm="Auto")


def test_kmeans_pickle_is_the_core_byte_form_and_predicts_the_same() -> None:
    x = _blobs(600, 4, 3, 5)
    fit = voc.segment.fit_kmeans(x=x, k=3, n_init=2, seed=4)
    back = pickle.loads(pickle.dumps(fit))
    assert back == fit and type(back) is type(fit)
    np.testing.assert_array_equal(back.labels, fit.labels)
    np.testing.assert_array_equal(back.centers, fit.centers)
    assert (back.inertia, back.n_iter, back.converged, back.k) == (fit.inertia, fit.n_iter, fit.converged, fit.k)
    probe = _blobs(200, 4, 3, 6)
    np.testing.assert_array_equal(back.predict(probe), fit.predict(probe))
    assert repr(back) == repr(fit)
    # The pickled state is the core's versioned byte form (magic "VOCK").
    fn, (state,) = fit.__reduce__()
    assert state[:4] == b"VOCK"
    assert fn(state) == fit


def test_corrupted_kmeans_pickle_is_a_decode_error() -> None:
    fit = voc.segment.fit_kmeans(x=_blobs(300, 2, 3, 9), k=3, seed=2)
    _, (state,) = fit.__reduce__()
    data = pickle.dumps(fit)
    assert data.count(state) == 1
    for i in (0, 4, 6, len(state) // 2, len(state) - 1):
        bad = bytearray(state)
        bad[i] ^= 0x10
        with pytest.raises(voc.DecodeError):
            pickle.loads(data.replace(state, bytes(bad)))
    cls = type(fit)
    for junk in (b"", state[:10], state[:-8], state + b"\x00", b"VOCK" + bytes(40)):
        with pytest.raises(voc.DecodeError) as e:
            cls._from_state(junk)
        assert isinstance(e.value, voc.VocError)


def test_standardize_and_silhouette_match_sklearn() -> None:
    x = _blobs(1500, 4, 4, 8)
    x[:, 3] = 5.0  # a constant column keeps scale 1
    _s = voc.segment.standardize(x=x)
    z, mean, scale = _s.values, _s.mean, _s.scale
    sc = StandardScaler().fit(x)
    np.testing.assert_allclose(z, sc.transform(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scale, sc.scale_, rtol=1e-12)
    np.testing.assert_allclose(mean, sc.mean_, rtol=1e-12)
    labels = voc.segment.fit_kmeans(x=z, k=4, seed=3).labels
    assert math.isclose(voc.segment.silhouette_score(x=z, labels=labels), sk_silhouette(z, labels), rel_tol=1e-9, abs_tol=1e-9)
    labels[0] = 9  # a singleton cluster scores 0
    assert math.isclose(voc.segment.silhouette_score(x=z, labels=labels), sk_silhouette(z, labels), rel_tol=1e-9, abs_tol=1e-9)
    with pytest.raises(voc.InsufficientDataError):
        voc.segment.silhouette_score(x=z, labels=np.zeros(len(z), dtype=int))


def test_docstring_examples_pass() -> None:
    import doctest

    result = doctest.testmod(voc.segment, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_input_kinds_give_the_same_segments(signals: tuple[voc.Table, voc.Table]) -> None:
    import pyarrow as pa

    X, _ = signals
    ref = voc.segment.value_voice(X).table
    pdf = X.to_pandas()
    for data in (pdf, X.to_polars(), pa.Table.from_pandas(pdf), {c: pdf[c].tolist() for c in pdf.columns}):
        t = voc.segment.value_voice(data).table
        assert list(t["segment"]) == list(ref["segment"])
        r = voc.segment.rfm(data).table
        np.testing.assert_array_equal(r["r"], voc.segment.rfm(X).table["r"])


def _layouts(x: np.ndarray) -> list[object]:
    """The same matrix as C-ordered, Fortran-ordered, every other row of a doubled array, pandas and polars."""
    doubled = np.repeat(x, 2, axis=0)
    doubled[1::2] = np.nan  # never read
    cols = [f"c{j}" for j in range(x.shape[1])]
    return [
        np.ascontiguousarray(x),
        np.asfortranarray(x),
        doubled[::2],
        pd.DataFrame(x, columns=cols),
        pl.DataFrame({c: x[:, j] for j, c in enumerate(cols)}),
    ]


def test_every_layout_gives_identical_results() -> None:
    x = _blobs(600, 3, 4, 21)
    init = x[:4].copy()
    ref = voc.segment.fit_kmeans(x=x, k=4, n_init=2, seed=5)
    ref_from = voc.segment.fit_kmeans(x=x, k=4, init=init)
    _s = voc.segment.standardize(x=x)
    z_ref, mean_ref, scale_ref = _s.values, _s.mean, _s.scale
    sil_ref = voc.segment.silhouette_score(x=x, labels=ref.labels)
    assert not np.asfortranarray(x).flags.c_contiguous and not _layouts(x)[2].flags.c_contiguous  # type: ignore[attr-defined]
    for i, data in enumerate(_layouts(x)):
        fit = voc.segment.fit_kmeans(x=data, k=4, n_init=2, seed=5)
        assert fit == ref, f"layout {i}: kmeans"
        assert voc.segment.fit_kmeans(x=data, k=4, init=np.asfortranarray(init)) == ref_from, f"layout {i}: init"
        np.testing.assert_array_equal(ref.predict(data), ref.labels, err_msg=f"layout {i}: predict")
        _s = voc.segment.standardize(x=data)
        z, mean, scale = _s.values, _s.mean, _s.scale
        np.testing.assert_array_equal(z, z_ref, err_msg=f"layout {i}: standardize")
        np.testing.assert_array_equal(mean, mean_ref)
        np.testing.assert_array_equal(scale, scale_ref)
        assert voc.segment.silhouette_score(x=data, labels=ref.labels) == sil_ref, f"layout {i}: silhouette"


# ---------------------------------------------------------------- docs/conventions.md


def test_fit_kmeans_reads_named_columns_and_is_a_model() -> None:
    x = _blobs(400, 3, 3, 4)
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    fit = voc.segment.fit_kmeans(df, x=["a", "c"], k=3, seed=2)
    assert fit == voc.segment.fit_kmeans(x=x[:, [0, 2]], k=3, seed=2)
    assert fit == voc.segment.fit_kmeans(df[["a", "c"]], k=3, seed=2)  # data itself is the matrix
    assert isinstance(fit, voc.segment.KMeansModel)
    assert (fit.k, fit.n) == (3, 400) and isinstance(fit.inertia, float) and isinstance(fit.converged, bool)
    s = fit.summary()
    assert isinstance(s, voc.Table)
    assert s.columns == ["cluster", "share", "size", "center_0", "center_1"]
    assert s["size"].tolist() == np.bincount(fit.labels, minlength=3).tolist()
    np.testing.assert_array_equal(np.column_stack([s["center_0"], s["center_1"]]), fit.centers)
    back = voc.segment.KMeansModel.from_bytes(fit.to_bytes())
    assert back == fit and pickle.loads(pickle.dumps(fit)) == fit
    np.testing.assert_array_equal(back.predict(x[:, [0, 2]]), fit.labels)
    assert "KMeansModel" in fit._repr_html_() and "center_0" in fit._repr_html_()
    with pytest.raises(voc.DecodeError):
        voc.segment.KMeansModel.from_bytes(b"not a model")
    with pytest.raises(voc.ColumnNotFoundError):
        voc.segment.fit_kmeans(df, x=["a", "zz"], k=3)
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.fit_kmeans(x=x, k=3, init="random")


def test_standardized_is_a_typed_result() -> None:
    x = _blobs(200, 2, 3, 8)
    s = voc.segment.standardize(x=x)
    assert isinstance(s, voc.segment.Standardized)
    sc = StandardScaler().fit(x)
    np.testing.assert_allclose(s.values, sc.transform(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.transform(x[:5] + 1.0), sc.transform(x[:5] + 1.0), rtol=1e-12, atol=1e-12)
    assert s.n == 200 and set(s.to_dict()) == {"values", "mean", "scale", "n"}
    assert "Standardized" in s._repr_html_()
    df = pd.DataFrame(x, columns=[f"c{j}" for j in range(x.shape[1])])
    np.testing.assert_array_equal(voc.segment.standardize(df, x=list(df.columns)).values, s.values)


def test_silhouette_takes_label_columns_of_any_dtype() -> None:
    x = np.array([[0.0], [1.0], [10.0], [11.0]])
    ref = voc.segment.silhouette_score(x=x, labels=[0, 0, 1, 1])
    assert voc.segment.silhouette_score(x=x, labels=["b", "b", "a", "a"]) == ref
    assert voc.segment.silhouette_score(x=x, labels=[7, 7, 30, 30]) == ref
    data = {"v": [0.0, 1.0, 10.0, 11.0], "g": ["x", "x", "y", "y"]}
    assert voc.segment.silhouette_score(data, x=["v"], labels="g") == ref
    with pytest.raises(voc.ColumnNotFoundError):
        voc.segment.silhouette_score(data, x=["v"], labels="nope")


def test_profile_labels_come_back_as_voc_nps_by() -> None:
    scores = [10, 9, 3, 8, 7, 10]
    for by in (np.array([10, 2, 9, 2, 10, 9]), ["10", "2", "9", "2", "10", "9"], pd.Series([True, False, True, False, True, False])):
        p = voc.segment.profile({"nps_last": scores}, by=by, value=None)
        ref = voc.nps(scores, by=by).table
        assert list(p["segment"]) == list(ref["group"])
        assert np.asarray(p["segment"]).dtype.kind == np.asarray(ref["group"]).dtype.kind
        np.testing.assert_allclose(p["nps"], ref["nps"])
    p = voc.segment.profile({"nps_last": scores, "store": [10, 2, 9, 2, 10, 9]}, by="store", value=None)
    assert p["segment"].tolist() == [2, 9, 10]
    with pytest.raises(voc.ColumnNotFoundError):
        voc.segment.profile({"nps_last": scores}, by="store")
    with pytest.raises(voc.MissingValueError):
        voc.segment.profile({"monetary": [1.0, 2.0]}, by=["a", None])


def test_matrix_is_a_table(signals: tuple[voc.Table, voc.Table]) -> None:
    X, y = signals
    seg = voc.segment.value_voice(X)
    prof = voc.segment.profile(X, by=seg, churn=y["churned"])
    m = voc.segment.matrix(prof, by=seg, values="size")
    assert isinstance(m, voc.Table)
    assert m.columns == ["value_tier", *seg.voices]
    assert list(m["value_tier"]) == list(reversed(seg.tiers))
    assert np.nansum([np.asarray(m[c]) for c in m.columns[1:]]) == len(X)
    with pytest.raises(voc.ColumnNotFoundError):
        voc.segment.matrix(prof, by=seg, values="nope")


def test_defaults_are_the_cores() -> None:
    import voc._voc as core

    assert voc.segment.DEFAULT_PLAYS is core.DEFAULT_PLAYS
    assert voc.segment.DEFAULT_RFM_RULES is core.DEFAULT_RFM_RULES
    assert voc.segment.DEFAULT_VOICE_RULES is core.DEFAULT_VOICE_RULES
    assert isinstance(voc.segment.DEFAULT_PLAYS, tuple)
    # Passing the exported defaults explicitly gives what the core's own defaults give.
    data = voc.sample.retailer(seed=3, customers=1_500)
    X = voc.signals.EventLog(**data.tables()).features("2025-01-01")
    a = voc.segment.value_voice(X)
    b = voc.segment.value_voice(X, rules=voc.segment.DEFAULT_VOICE_RULES, plays=voc.segment.DEFAULT_PLAYS)
    assert list(a.table["segment"]) == list(b.table["segment"]) and list(a.table["play"]) == list(b.table["play"])
    assert a == b
    r1 = voc.segment.rfm(X)
    r2 = voc.segment.rfm(X, rules=voc.segment.DEFAULT_RFM_RULES)
    assert list(r1.table["segment"]) == list(r2.table["segment"]) and r1 == r2


def test_rules_are_parsed_by_the_core() -> None:
    data = {"monetary": [1.0, 2.0], "tickets": [0, 3], "nps_last": [9, 2]}
    t = voc.segment.value_voice(data, rules=[("loud", "tickets >= 2 and nps_last <= 6")]).table
    assert list(t["voice"]) == ["silent", "loud"]
    with pytest.raises(voc.InvalidOptionError):
        voc.segment.value_voice(data, rules=[("loud", "tickets >> 2")])
    with pytest.raises(voc.ColumnNotFoundError) as e:
        voc.segment.value_voice(data, rules=[("loud", "calls >= 2")])
    assert e.value.arg == "rules"


def test_binding_raises_only_through_error_rs() -> None:
    import pathlib

    files = sorted((pathlib.Path(__file__).parents[1] / "src" / "segment").glob("*.rs"))
    assert files
    for path in files:
        src = path.read_text()
        for name in ("PyValueError", "PyKeyError", "PyTypeError"):
            assert name not in src, path
