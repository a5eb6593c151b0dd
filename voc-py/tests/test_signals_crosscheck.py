"""Cross-check of ``voc.signals`` against the independent pandas pipeline ``benches/python/signals_pandas.py``.

On random event tables (several seeds, sizes, cutoffs, windows, silence thresholds, theme counts on and off,
pandas and polars input, integer and string customer ids) voc's features must equal the pandas reference to
1e-9 with identical NaN positions, identical column names and order, and rows in customer-table order; labels
must be equal. A small hand-computed example pins both implementations to ``docs/signals.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys

import numpy as np
import pytest

pytest.importorskip("pandas")

import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benches", "python"))

import signals_pandas as ref  # noqa: E402

import voc  # noqa: E402

TOL = 1e-9
EVENT_TABLES = ("orders", "returns", "tickets", "surveys", "mentions", "churn")


# ---------------------------------------------------------------------------------------------- helpers


def event_log(tables: dict, **kwargs):
    return voc.signals.EventLog(tables["customers"], **{k: tables[k] for k in EVENT_TABLES if k in tables}, **kwargs)


def voc_features(tables: dict, cutoff, **opts) -> pd.DataFrame:
    return event_log(tables).features(cutoff, **opts).to_pandas()


def assert_matches(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """voc's feature table (``customer_id`` column first) equals the reference (indexed by customer_id)."""
    assert list(got.columns) == ["customer_id", *want.columns], (
        f"columns differ:\n voc: {list(got.columns)}\n ref: {['customer_id', *want.columns]}"
    )
    assert len(got) == len(want), (len(got), len(want))
    assert list(got["customer_id"]) == list(want.index), "rows are not the customers with signup < cutoff, in order"
    problems = []
    for name in want.columns:
        a = got[name].to_numpy(dtype=np.float64)
        b = want[name].to_numpy(dtype=np.float64)
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        bad = (nan_a != nan_b) | (~nan_a & ~nan_b & ~np.isclose(a, b, rtol=TOL, atol=TOL))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            problems.append(
                f"{name}: {int(bad.sum())} rows differ, first customer {want.index[i]!r}: voc {a[i]!r}, pandas {b[i]!r}"
            )
    assert not problems, "voc and the pandas reference disagree:\n" + "\n".join(problems)


def voc_labels(tables: dict, cutoff, horizon_days: int) -> pd.Series:
    t = event_log(tables).labels(cutoff, horizon_days=horizon_days).to_pandas()
    assert list(t.columns) == ["customer_id", "churned"]
    return pd.Series(t["churned"].to_numpy(), index=pd.Index(t["customer_id"].to_numpy(), name="customer_id"))


def assert_labels_match(tables: dict, cutoff, horizon_days: int) -> None:
    got = voc_labels(tables, cutoff, horizon_days)
    want = ref.labels(**tables, cutoff=cutoff, horizon_days=horizon_days)
    assert list(got.index) == list(want.index)
    assert got.dtype == bool
    mismatch = np.flatnonzero(got.to_numpy() != want.to_numpy())
    assert mismatch.size == 0, f"{mismatch.size} labels differ, first customer {want.index[mismatch[0]]!r}"


# ---------------------------------------------------------------------------------------------- hand example

T = "2025-01-01"


def ts(*values: str | None) -> np.ndarray:
    return np.array([np.datetime64(v) if v is not None else np.datetime64("NaT") for v in values], dtype="M8[s]")


def hand_tables() -> dict:
    """Five customers; every value of EXPECTED below is worked out by hand from docs/signals.md."""
    customers = pd.DataFrame(
        {
            "customer_id": [4, 1, 3, 5, 2],
            "signup": ts("2023-01-01", "2024-01-01", "2025-01-01", "2022-01-01", "2024-12-01"),
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": [11, 12, 13, 14, 15, 16, 21, 22, 31],
            "customer_id": [1, 1, 1, 1, 1, 1, 2, 2, 3],
            "time": ts(
                "2024-12-31",
                "2024-12-02",  # exactly T - 30 days: inside the 30-day window
                "2024-10-03",  # exactly T - 90 days
                "2024-08-01",  # in [T - 180, T - 90)
                "2024-07-01",  # before T - 180
                "2025-01-01",  # at the cutoff: not counted
                "2024-12-10T12:00",
                "2025-01-15",
                "2025-01-05",
            ),
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 1000.0, 25.5, 12.0, 5.0],
        }
    )
    returns = pd.DataFrame(
        {
            "order_id": [12, 13, 14, 11, 11],
            "customer_id": [1, 1, 1, 1, 1],
            "requested": ts("2024-12-03", "2024-10-05", "2024-08-02", "2024-12-31T12:00", "2025-01-02"),
            "received": ts("2024-12-05", "2024-10-10", None, None, None),
            "refunded": ts("2024-12-15", "2025-01-10", None, "2024-12-31T18:00", None),
            "amount": [20.0, 15.0, 10.0, 5.0, 3.0],
        }
    )
    tickets = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 1, 2],
            "time": ts("2024-12-20", "2024-12-22", "2024-11-01", "2024-12-28", "2025-01-01", "2024-12-15T12:00"),
            "theme": ["refund", "refund", "delivery", None, "refund", "delivery"],
            "resolved": ts("2024-12-25", "2025-01-03", "2024-11-04", None, None, "2024-12-16"),
            "csat": [2.0, 1.0, 4.0, np.nan, np.nan, np.nan],
            "sentiment": [-0.5, -0.8, np.nan, 0.1, 1.0, 0.4],
        }
    )
    surveys = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 1, 1, 1, 2],
            # Two NPS answers at the same time: input order decides which is the latest.
            "time": ts(
                "2024-12-01T09:00",
                "2024-06-01",
                "2024-12-01T09:00",
                "2025-01-01",
                "2024-10-10",
                "2024-11-11",
                "2024-12-30",
                "2024-12-05",
            ),
            "kind": ["nps", "nps", "nps", "nps", "csat", "csat", "ces", "nps"],
            "score": [9, 10, 4, 0, 4, 5, 2, 7],
        }
    )
    mentions = pd.DataFrame(
        {
            "customer_id": pd.array([1, 1, None, 5], dtype="Int64"),
            "time": ts("2024-08-15", "2024-12-31T12:00", "2024-12-31", "2024-09-01"),
            "sentiment": [0.6, np.nan, -1.0, 0.2],
        }
    )
    churn = pd.DataFrame({"customer_id": [5, 2], "time": ts("2024-10-01", "2025-02-01")})
    return {
        "customers": customers,
        "orders": orders,
        "returns": returns,
        "tickets": tickets,
        "surveys": surveys,
        "mentions": mentions,
        "churn": churn,
    }


NAN = math.nan
# Rows: customers 4, 1, 5, 2 (customer 3 signs up at the cutoff). windows=(30, 90), silence_days=60.
EXPECTED = {
    "tenure_days": [731, 366, 1096, 31],
    "recency_days": [NAN, 1, NAN, 21.5],
    "frequency": [0, 5, 0, 1],
    "monetary": [0, 150, 0, 25.5],
    "aov": [NAN, 30, NAN, 25.5],
    "orders_30d": [0, 2, 0, 1],
    "orders_90d": [0, 3, 0, 1],
    "orders_change_90d": [0, 2, 0, 1],  # 3 in [T-90, T) minus 1 in [T-180, T-90)
    "spend_change_90d": [0, 20, 0, 25.5],  # 60 - 40
    "days_since_activity": [NAN, 0.5, 122, 16.5],
    "silent": [0, 0, 1, 0],
    "returns": [0, 4, 0, 0],
    "refund_delay_mean_days": [NAN, 10, NAN, NAN],
    "refund_delay_max_days": [NAN, 83, NAN, NAN],  # a refund pending since 2024-10-10
    "refunds_pending": [0, 1, 0, 0],
    "refunded_amount": [0, 25, 0, 0],
    "tickets": [0, 4, 0, 1],
    "tickets_30d": [0, 3, 0, 1],
    "tickets_90d": [0, 4, 0, 1],
    "repeat_theme_max_30d": [0, 2, 0, 1],
    "repeat_theme_max_90d": [0, 2, 0, 1],
    "tickets_unresolved": [0, 2, 0, 0],
    "resolution_days_median": [NAN, 4, NAN, 0.5],
    "ticket_csat_mean": [NAN, 3, NAN, NAN],
    "days_since_ticket": [NAN, 4, NAN, 16.5],
    "nps_last": [NAN, 4, NAN, 7],
    "nps_mean": [NAN, 23 / 3, NAN, 7],
    "nps_drop": [NAN, 5, NAN, NAN],
    "nps_flip": [0, 1, 0, 0],
    "nps_count": [0, 3, 0, 1],
    "csat_mean": [NAN, 4.5, NAN, NAN],
    "ces_mean": [NAN, 2, NAN, NAN],
    "surveys": [0, 6, 0, 1],
    "days_since_survey": [NAN, 2, NAN, 27],
    "mentions": [0, 2, 1, 0],
    "sentiment_mean": [NAN, -0.15, 0.2, 0.4],
    "sentiment_change_90d": [NAN, -1.0, NAN, NAN],  # mean(-0.5, -0.8, 0.1) - 0.6
    "churn_event": [0, 0, 1, 0],
    "theme_delivery": [0, 1, 0, 1],
    "theme_refund": [0, 2, 0, 0],
}
HAND_OPTS = {"windows": (30, 90), "silence_days": 60}


def expected_frame() -> pd.DataFrame:
    return pd.DataFrame(EXPECTED, index=pd.Index([4, 1, 5, 2], name="customer_id"), dtype=np.float64)


def test_reference_matches_hand_computed_example():
    got = ref.features(**hand_tables(), cutoff=T, **HAND_OPTS)
    assert_matches(got.reset_index(), expected_frame())


def test_voc_matches_hand_computed_example():
    assert_matches(voc_features(hand_tables(), T, **HAND_OPTS), expected_frame())


def test_hand_example_labels():
    tables = hand_tables()
    # Data end on 2025-02-01 (c2's churn event), so horizons up to 32 days are known.
    want30 = [True, False, True, False]  # c1 and c2 order in [T, T + 30)
    want32 = [True, False, True, True]  # c2's explicit churn on 2025-02-01 falls inside
    assert ref.labels(**tables, cutoff=T, horizon_days=30).tolist() == want30
    assert ref.labels(**tables, cutoff=T, horizon_days=32).tolist() == want32
    assert voc_labels(tables, T, 30).tolist() == want30
    assert voc_labels(tables, T, 32).tolist() == want32
    with pytest.raises(ValueError):
        ref.labels(**tables, cutoff=T, horizon_days=33)
    with pytest.raises(ValueError):
        event_log(tables).labels(T, horizon_days=33)


# ---------------------------------------------------------------------------------------------- random data

CASES = [
    # (customers, events, seed, cutoff, windows, silence_days, theme_counts)
    (40, 600, 1, "2025-01-01", (30, 90, 180), 90, True),
    (300, 6_000, 2, "2024-03-15", (7,), 30, True),
    (1_000, 25_000, 3, "2025-06-01", (180, 30, 365), 365, False),
    (2_000, 30_000, 4, "2023-11-20", (1, 14), 1, True),
    (5_000, 80_000, 5, "2025-09-30", (30, 90, 180), 90, True),
    # Enough customers before the cutoff for voc's multi-threaded path.
    (30_000, 300_000, 6, "2025-07-01", (30, 90, 180), 120, True),
]


@pytest.mark.parametrize("n, events, seed, cutoff, windows, silence, themes", CASES)
def test_features_match_reference(n, events, seed, cutoff, windows, silence, themes):
    tables = ref.random_tables(n, events, seed)
    opts = {"windows": windows, "silence_days": silence, "theme_counts": themes}
    assert_matches(voc_features(tables, cutoff, **opts), ref.features(**tables, cutoff=cutoff, **opts))


@pytest.mark.parametrize(
    "cutoff",
    [
        "2025-01-01",
        dt.datetime(2025, 1, 1),
        np.datetime64("2025-01-01T00:00:00"),
        pd.Timestamp("2025-01-01"),
        int(pd.Timestamp("2025-01-01").timestamp()),
    ],
    ids=["str", "datetime", "datetime64", "Timestamp", "int-seconds"],
)
def test_cutoff_forms(cutoff):
    tables = ref.random_tables(200, 4_000, 7)
    assert_matches(voc_features(tables, cutoff), ref.features(**tables, cutoff="2025-01-01"))


def test_cutoff_between_midnights():
    tables = ref.random_tables(500, 10_000, 8)
    cutoff = "2024-08-17T14:30:00"  # a time of day at which events happen: ties with the cutoff
    assert_matches(voc_features(tables, cutoff), ref.features(**tables, cutoff=cutoff))


def test_string_ids():
    tables = ref.random_tables(800, 15_000, 9, str_ids=True)
    assert isinstance(tables["customers"]["customer_id"].iloc[0], str)
    for cutoff in ("2024-06-01", "2025-03-01"):
        assert_matches(voc_features(tables, cutoff), ref.features(**tables, cutoff=cutoff))
        assert_labels_match(tables, cutoff, 180)


def test_polars_input():
    pl = pytest.importorskip("polars")
    for str_ids in (False, True):
        tables = ref.random_tables(600, 12_000, 10 + str_ids, str_ids=str_ids)
        pl_tables = {k: pl.from_pandas(v) for k, v in tables.items()}
        want = ref.features(**tables, cutoff="2025-02-01", windows=(14, 60))
        got = event_log(pl_tables).features("2025-02-01", windows=(14, 60))
        assert_matches(got.to_pandas(), want)
        assert_matches(got.to_polars().to_pandas(), want)
        assert_matches(voc_features(pl_tables, "2025-02-01", windows=(14, 60)), want)


def test_pyarrow_tables_and_time_zones():
    """pyarrow tables, and tz-aware times (converted to UTC), give the same features."""
    pa = pytest.importorskip("pyarrow")
    tables = ref.random_tables(400, 8_000, 17)
    want = ref.features(**tables, cutoff="2025-01-01")
    arrow = {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in tables.items()}
    assert_matches(voc_features(arrow, "2025-01-01"), want)
    zoned = {}
    for name, df in tables.items():
        df = df.copy()
        for col in ref.TABLES[name][1]:
            df[col] = df[col].dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai")
        zoned[name] = df
    assert_matches(voc_features(zoned, "2025-01-01"), want)


def test_time_units():
    """Times in seconds, milliseconds and microseconds give the same features as nanoseconds."""
    tables = ref.random_tables(400, 8_000, 12)
    want = ref.features(**tables, cutoff="2025-01-01")
    for unit in ("s", "ms", "us"):
        cast = {}
        for name, df in tables.items():
            df = df.copy()
            for col in ref.TABLES[name][1]:
                df[col] = df[col].astype(f"datetime64[{unit}]")
            cast[name] = df
        assert_matches(voc_features(cast, "2025-01-01"), want)


def test_categorical_themes():
    """Themes as a pandas categorical (with an unused category) give the same columns as strings."""
    tables = ref.random_tables(400, 8_000, 16)
    tickets = tables["tickets"].copy()
    tickets["theme"] = pd.Categorical(tickets["theme"], categories=[*reversed(ref.THEMES), "unused"])
    tables = {**tables, "tickets": tickets}
    assert_matches(voc_features(tables, "2025-01-01"), ref.features(**tables, cutoff="2025-01-01"))


def test_without_anonymous_mentions_and_with_missing_tables():
    tables = ref.random_tables(500, 9_000, 13, anonymous=False)
    assert_matches(voc_features(tables, "2025-01-01"), ref.features(**tables, cutoff="2025-01-01"))
    some = {k: tables[k] for k in ("customers", "orders", "surveys")}
    assert_matches(voc_features(some, "2025-01-01"), ref.features(**some, cutoff="2025-01-01"))
    only = {"customers": tables["customers"]}
    assert_matches(voc_features(only, "2025-01-01"), ref.features(**only, cutoff="2025-01-01"))


def test_no_rows_before_the_first_signup():
    tables = ref.random_tables(100, 2_000, 14)
    got = voc_features(tables, "2021-06-01")
    want = ref.features(**tables, cutoff="2021-06-01")
    assert len(want) == 0
    assert_matches(got, want)


def test_convenience_function_equals_event_log():
    tables = ref.random_tables(300, 5_000, 15)
    got = voc.signals.features(
        tables["customers"], **{k: tables[k] for k in EVENT_TABLES}, cutoff="2025-01-01", windows=(30, 60)
    ).table.to_pandas()
    assert_matches(got, ref.features(**tables, cutoff="2025-01-01", windows=(30, 60)))


@pytest.mark.parametrize(
    "n, events, seed, cutoff, horizon",
    [
        (50, 800, 21, "2025-01-01", 180),
        (1_000, 20_000, 22, "2024-04-01", 30),
        (3_000, 50_000, 23, "2025-07-04", 90),
        (30_000, 300_000, 24, "2025-03-01", 270),
    ],
)
def test_labels_match_reference(n, events, seed, cutoff, horizon):
    assert_labels_match(ref.random_tables(n, events, seed), cutoff, horizon)


def test_horizon_past_the_data_is_an_error_in_both():
    tables = ref.random_tables(200, 4_000, 25)
    latest = max(
        tables[name][col].max() for name in EVENT_TABLES for col in ref.TABLES[name][1] if col in tables[name]
    )
    # The horizon may end one day after the latest event, not one second later.
    cutoff = latest + pd.Timedelta(days=1) - pd.Timedelta(days=60)
    assert_labels_match(tables, cutoff, 60)
    late = cutoff + pd.Timedelta(seconds=1)
    with pytest.raises(ValueError):
        ref.labels(**tables, cutoff=late, horizon_days=60)
    with pytest.raises(ValueError):
        event_log(tables).labels(late, horizon_days=60)
