"""voc.dask on a two-process distributed cluster gives the single-process results.

Unweighted metrics and mention counts are integer tallies: the results are compared exactly (every
column bit for bit). Weighted metrics add float weights in a different order on each worker; their
compensated (Neumaier) sums are only guaranteed to agree to 1e-12 relative, which is what is asserted
(on this data they come out bit-identical). Churn features and labels are computed per customer from
that customer's events alone, so they are compared exactly.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

import voc  # noqa: E402
import voc.dask  # noqa: E402
from voc._voc import MentionState  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def surveys():
    return voc.sample.surveys(seed=11, responses=20_000).to_pandas()


def columns_equal(a, b, rel: float = 0.0) -> None:
    a, b = a.to_dict(), b.to_dict()
    assert list(a) == list(b)
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.dtype.kind == "f" and rel > 0:
            np.testing.assert_allclose(x, y, rtol=rel, atol=rel, equal_nan=True, err_msg=k)
        elif x.dtype.kind == "f":
            np.testing.assert_array_equal(x, y, err_msg=k)
        else:
            assert x.tolist() == y.tolist(), k


def test_nps_csat_ces_overall_and_by_segment_equal_single_process(client, surveys):
    df = dd.from_pandas(surveys, npartitions=7)
    assert voc.dask.nps(df, "nps") == voc.nps(surveys["nps"])
    assert voc.dask.csat(df, "csat") == voc.csat(surveys["csat"])
    assert voc.dask.ces(df, "ces") == voc.ces(surveys["ces"])
    for kind, fn in (("nps", voc.nps), ("csat", voc.csat), ("ces", voc.ces)):
        got_r = getattr(voc.dask, kind)(df, kind, by="segment")
        want_r = fn(surveys[kind], by=surveys["segment"])
        assert type(got_r) is voc.GroupedResult and got_r.metric == want_r.metric == kind
        assert (got_r.n, got_r.n_missing, got_r.confidence) == (want_r.n, want_r.n_missing, want_r.confidence)
        got, want = got_r.table, want_r.table
        assert len(got) == len(want) > 2
        columns_equal(got, want)


def test_options_pass_through_and_integer_groups(client, surveys):
    df = dd.from_pandas(surveys.assign(store=surveys.index % 5), npartitions=4)
    got = voc.dask.nps(df, "nps", by="store", interval="wald", confidence=0.9).table
    want = voc.nps(surveys["nps"], by=surveys.index % 5, interval="wald", confidence=0.9).table
    columns_equal(got, want)
    assert got["group"].tolist() == [0, 1, 2, 3, 4]


def test_weighted_nps_agrees_to_1e12(client, surveys):
    df = dd.from_pandas(surveys, npartitions=6)
    got = voc.dask.nps(df, "nps", weights="weight")
    want = voc.nps(surveys["nps"], weights=surveys["weight"])
    assert got.nps == pytest.approx(want.nps, rel=1e-12)
    assert got.ci == pytest.approx(want.ci, rel=1e-12)
    assert got.n_eff == pytest.approx(want.n_eff, rel=1e-12)
    columns_equal(
        voc.dask.nps(df, "nps", by="channel", weights="weight").table,
        voc.nps(surveys["nps"], by=surveys["channel"], weights=surveys["weight"]).table,
        rel=1e-12,
    )


def test_categorical_groups_use_known_categories(client, surveys):
    s = surveys.assign(segment=surveys["segment"].astype("category"))
    df = dd.from_pandas(s, npartitions=3)
    columns_equal(voc.dask.nps(df, "nps", by="segment").table, voc.nps(surveys["nps"], by=surveys["segment"]).table)


def test_missing_groups_raise_or_are_skipped_like_the_single_call(client):
    pdf = pd.DataFrame({"nps": [10, 9, 3, 7, 0, 10], "seg": ["a", None, "b", "a", "b", None]})
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(voc.MissingValueError):
        voc.dask.nps(df, "nps", by="seg").table
    got = voc.dask.nps(df, "nps", by="seg", missing="skip")
    want = voc.nps(pdf["nps"], by=pdf["seg"], missing="skip")
    columns_equal(got.table, want.table)
    assert (got.n, got.n_missing, got.n_missing_group) == (want.n, want.n_missing, want.n_missing_group) == (4, 2, 2)


def test_bad_scores_raise_the_voc_error(client):
    df = dd.from_pandas(pd.DataFrame({"nps": [10, 9, 11, 3]}), npartitions=2)
    with pytest.raises(voc.ScoreRangeError):
        voc.dask.nps(df, "nps")
    with pytest.raises(voc.InvalidOptionError):
        voc.dask.nps(df, "nps", split_every=1)


@pytest.fixture(scope="module")
def retailer():
    return voc.sample.retailer(seed=13, customers=4_000)


def texts_frame(data):
    t, m = data.tickets.to_pandas(), data.mentions.to_pandas()
    return pd.DataFrame(
        {
            "text": pd.concat([t["text"], m["text"]], ignore_index=True),
            "channel": ["ticket"] * len(t) + ["social"] * len(m),
            "time": pd.concat([t["time"], m["time"]], ignore_index=True),
        }
    )


def test_mention_rates_equal_single_process(client, retailer):
    texts = texts_frame(retailer).sample(frac=1.0, random_state=1).reset_index(drop=True)
    df = dd.from_pandas(texts, npartitions=5)
    matcher = voc.text.themes()
    got_r = voc.dask.mention_rates(df, "text", by="channel", time="time", period="quarter")
    want_r = matcher.mention_rates(texts["text"], by=texts["channel"], time=texts["time"], period="quarter")
    got, want = got_r.table, want_r.table
    assert len(got) == len(want) > 50
    columns_equal(got, want)
    assert type(got_r) is voc.text.MentionRatesResult
    fields = ("n", "n_missing", "confidence", "method", "alert_alpha", "adjust", "min_mentions")
    assert [getattr(got_r, f) for f in fields] == [getattr(want_r, f) for f in fields]
    plain = voc.dask.mention_rates(df, "text").table
    columns_equal(plain, matcher.mention_rates(texts["text"]).table)


def test_mention_state_merges_bytes_and_pickles(retailer):
    texts = texts_frame(retailer)
    m = voc.text.themes()
    half = len(texts) // 2
    a = m.mention_state(texts["text"][:half], by=texts["channel"][:half], time=texts["time"][:half])
    # The second half starts with channels in another order: codes are aligned by label.
    b = m.mention_state(texts["text"][half:], by=texts["channel"][half:], time=texts["time"][half:])
    assert a.texts + b.texts == len(texts)
    whole = m.mention_rates(texts["text"], by=texts["channel"], time=texts["time"]).table
    c = MentionState.from_bytes(a.to_bytes())
    assert c == a
    c.merge(b)
    columns_equal(c.finish().table, whole)
    d = pickle.loads(pickle.dumps(b))
    d.merge(a)
    columns_equal(d.finish().table, whole)
    assert "MentionState(themes=" in repr(d)


def test_mention_state_rejects_mismatches_and_corruption():
    m = voc.text.themes()
    a = m.mention_state(["退款慢"], by=["chat"])
    with pytest.raises(voc.IncompatibleError):
        a.merge(m.mention_state(["退款慢"]))  # one with channel, one without
    with pytest.raises(voc.IncompatibleError):
        a.merge(voc.text.themes({"x": ["x"]}).mention_state(["x"], by=["chat"]))
    with pytest.raises(voc.IncompatibleError):
        a.merge(m.mention_state(["a"], by=["chat"], time=np.array(["2025-01-01"], dtype="datetime64[s]")))
    with pytest.raises(voc.IncompatibleError):
        a.merge(m.mention_state(["a"], by=[1]))  # integer and string labels
    with pytest.raises(voc.IncompatibleError, match="rollup"):
        a.merge(m.mention_state(["退款慢"], by=["chat"], rollup=False))  # parent < child otherwise
    blob = bytearray(a.to_bytes())
    blob[-3] ^= 0xFF
    with pytest.raises(voc.DecodeError):
        MentionState.from_bytes(bytes(blob))
    with pytest.raises(voc.DecodeError):
        MentionState.from_bytes(b"VOCS")


def test_features_and_labels_equal_single_process(client, retailer):
    tables = {k: v.to_pandas() for k, v in retailer.tables().items()}
    log = voc.signals.EventLog(**retailer.tables())
    one = log.features("2025-01-01")
    want = one.to_pandas().sort_values("customer_id").reset_index(drop=True)
    ddfs = {k: dd.from_pandas(v, npartitions=3) for k, v in tables.items()}
    customers = ddfs.pop("customers")
    got = voc.dask.features(customers, cutoff="2025-01-01", npartitions=4, **ddfs)
    # A voc.Table like the single-process call (docs/conventions.md §5: no pandas frames).
    assert type(got) is voc.Table and got.kind == one.kind and got.meta is None
    assert got.columns == list(want.columns)
    assert len(got) == len(want) > 1000  # customers signed up before the cutoff
    pd.testing.assert_frame_equal(got.to_pandas(), want, check_exact=True, check_dtype=False)
    y = voc.dask.labels(customers, cutoff="2025-01-01", horizon_days=180, npartitions=4, **ddfs)
    one_y = log.labels("2025-01-01", horizon_days=180)
    assert type(y) is voc.Table and y.kind == one_y.kind
    want_y = one_y.to_pandas().sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(y.to_pandas(), want_y, check_exact=True, check_dtype=False)


@pytest.mark.parametrize("npartitions", [1, 2, 5])
def test_feature_columns_do_not_depend_on_npartitions(client, npartitions):
    # One string theme per customer: each partition sees only some of them (issue 16).
    rng = np.random.default_rng(3)
    n = 12
    customers = pd.DataFrame({"customer_id": np.arange(n), "signup": pd.Timestamp("2024-01-01")})
    tickets = pd.DataFrame({
        "customer_id": np.arange(n),
        "time": pd.Timestamp("2024-06-01") + pd.to_timedelta(rng.integers(0, 100, n), unit="D"),
        "theme": [f"t{(7 * i) % n:02d}" for i in range(n)],
        "resolved": pd.NaT,
    })
    tickets.loc[0, "theme"] = None
    want = voc.signals.EventLog(customers, tickets=tickets).features("2025-01-01").to_pandas()
    got = voc.dask.features(dd.from_pandas(customers, npartitions=2), tickets=dd.from_pandas(tickets, npartitions=3),
                            cutoff="2025-01-01", npartitions=npartitions)
    assert type(got) is voc.Table and got.columns == list(want.columns)
    pd.testing.assert_frame_equal(got.to_pandas(), want, check_exact=True, check_dtype=False)


def test_features_needs_dask_frames(client):
    customers = pd.DataFrame({"customer_id": [1], "signup": pd.Timestamp("2024-01-01")})
    with pytest.raises(voc.DtypeError, match="customers") as exc:
        voc.dask.features(customers, cutoff="2025-01-01")
    assert isinstance(exc.value, TypeError) and exc.value.arg == "customers"


def test_outcome_by_class_equals_single_process(client):
    rng = np.random.default_rng(5)
    n = 30_000
    pdf = pd.DataFrame({
        "nps": rng.integers(0, 11, n).astype(float),
        "churned": rng.integers(0, 2, n),
        "spend": rng.lognormal(4.0, 0.8, n),
        "tier": rng.choice(["gold", "silver", "bronze"], n),
    })
    pdf.loc[::97, "nps"] = np.nan  # customers without an answer are left out with missing="skip"
    df = dd.from_pandas(pdf, npartitions=6)
    got = voc.dask.outcome_by_class(df, nps="nps", churned="churned", spend="spend", missing="skip")
    want = voc.impact.outcome_by_class(pdf, nps="nps", churned="churned", spend="spend", missing="skip")
    # Counts and rates exactly; means and intervals to the rounding of partial sums.
    columns_equal(got.table, want.table, rel=1e-12)
    assert list(got.table["n"]) == list(want.table["n"]) and got.n_missing == want.n_missing > 0
    assert got.statistic == pytest.approx(want.statistic, rel=1e-12)
    by_tier = voc.dask.outcome_by_class(df, by="tier", churned="churned", spend="spend", missing="skip")
    single = voc.impact.outcome_by_class(pdf, by="tier", names=["bronze", "gold", "silver"],
                                         churned="churned", spend="spend")
    columns_equal(by_tier.table, single.table, rel=1e-12)
    # integer labels stay integers, in value order, as in memory
    pdf["store"] = rng.choice([10, 9, 2], n)
    by_store = voc.dask.outcome_by_class(dd.from_pandas(pdf, npartitions=6), by="store", churned="churned")
    assert by_store.table["group"].tolist() == [2, 9, 10]
    columns_equal(by_store.table, voc.impact.outcome_by_class(pdf, by="store", churned="churned").table, rel=1e-12)


def test_outcome_state_bytes_pickle_and_mismatch():
    a = voc.impact.outcome_state(nps=[9, 3, 10, 7], churned=[0, 1, 0, 1], spend=[50.0, 10.0, 80.0, 20.0])
    b = voc.impact.outcome_state(nps=[2, 8], churned=[1, 0], spend=[5.0, 40.0])
    assert voc.impact.OutcomeState.from_bytes(a.to_bytes()) == a
    assert pickle.loads(pickle.dumps(a)) == a
    merged = pickle.loads(pickle.dumps(a))
    merged.merge(b)
    want = voc.impact.outcome_by_class(nps=[9, 3, 10, 7, 2, 8], churned=[0, 1, 0, 1, 1, 0],
                                       spend=[50.0, 10.0, 80.0, 20.0, 5.0, 40.0])
    columns_equal(merged.finish().table, want.table, rel=1e-12)
    # A state without spend refuses to merge; a failed update keeps the state.
    c = voc.impact.outcome_state(nps=[9], churned=[0])
    with pytest.raises(voc.IncompatibleError):
        a.merge(c)
    before = a.to_bytes()
    with pytest.raises(voc.InputError):
        a.update(nps=[9], churned=[0.5], spend=[1.0])
    assert a.to_bytes() == before
    with pytest.raises(voc.DecodeError):
        voc.impact.OutcomeState.from_bytes(before[:-3])
