"""voc.signals and voc.sample.retailer: the binding surface, input kinds, the bad-input matrix, threads,
pickling, determinism and the planted cause."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import voc

D = np.datetime64


def _dt(*days: str) -> np.ndarray:
    return np.array(days, dtype="datetime64[s]")


@pytest.fixture(scope="module")
def data() -> voc.sample.RetailerData:
    return voc.sample.retailer(seed=7, customers=6_000)


@pytest.fixture(scope="module")
def log(data: voc.sample.RetailerData) -> voc.signals.EventLog:
    return voc.signals.EventLog(**data.tables())


def small() -> dict[str, dict[str, object]]:
    """A hand-made base: two customers, a few events each."""
    return {
        "customers": {"customer_id": np.array([10, 20]), "signup": _dt("2025-01-01", "2025-01-02")},
        "orders": {
            "order_id": np.array([1, 2, 3]),
            "customer_id": np.array([10, 10, 20]),
            "time": _dt("2025-01-05", "2025-02-01", "2025-01-09"),
            "amount": np.array([50.0, 20.0, 80.0]),
        },
        "returns": {
            "order_id": np.array([1]),
            "customer_id": np.array([10]),
            "requested": _dt("2025-01-08"),
            "received": _dt("2025-01-10"),
            "refunded": _dt("2025-01-30"),
            "amount": np.array([50.0]),
        },
        "tickets": {
            "customer_id": np.array([10, 10, 20]),
            "time": _dt("2025-01-15", "2025-01-20", "2025-01-25"),
            "theme": np.array(["refund", "refund", "delivery"]),
            "resolved": np.array(["2025-01-30", "NaT", "2025-01-26"], dtype="datetime64[s]"),
            "csat": np.array([1.0, np.nan, 4.0]),
        },
        "surveys": {
            "customer_id": np.array([10, 10, 20]),
            "time": _dt("2025-01-06", "2025-02-05", "2025-01-12"),
            "kind": np.array(["nps", "NPS", "csat"]),
            "score": np.array([9, 3, 4]),
        },
        "mentions": {
            "customer_id": np.array([10.0, np.nan]),
            "time": _dt("2025-01-21", "2025-01-22"),
            "sentiment": np.array([-0.8, 0.5]),
        },
        "churn": {"customer_id": np.array([20]), "time": _dt("2025-03-01")},
    }


def build(tables: dict[str, dict[str, object]], **kw: object) -> voc.signals.EventLog:
    t = dict(tables)
    customers = t.pop("customers")
    return voc.signals.EventLog(customers, **t, **kw)


# --- values on a hand-made base (every number checked by hand) ---


def test_hand_computed_features() -> None:
    log = build(small())
    f = log.features("2025-02-10").to_dict()
    assert list(f["customer_id"]) == [10, 20]
    assert list(f["frequency"]) == [2.0, 1.0]
    assert list(f["monetary"]) == [70.0, 80.0]
    assert list(f["recency_days"]) == [9.0, 32.0]
    assert list(f["refund_delay_max_days"])[0] == 20.0
    assert list(f["tickets_unresolved"]) == [1.0, 0.0]
    assert list(f["repeat_theme_max_30d"]) == [2.0, 1.0]
    assert list(f["theme_refund"]) == [2.0, 0.0]
    assert list(f["nps_drop"])[0] == 6.0 and list(f["nps_flip"]) == [1.0, 0.0]
    assert list(f["csat_mean"])[1] == 4.0
    assert list(f["mentions"]) == [1.0, 0.0]
    assert list(f["sentiment_mean"])[0] == -0.8
    assert log.anonymous_mentions == 1
    assert log.themes == ["delivery", "refund"]


def test_cutoff_kinds_agree() -> None:
    log = build(small())
    ref = log.features("2025-02-10").to_pandas()
    for cutoff in [D("2025-02-10"), pd.Timestamp("2025-02-10"), int(D("2025-02-10", "s").astype(np.int64)),
                   __import__("datetime").datetime(2025, 2, 10)]:
        pd.testing.assert_frame_equal(log.features(cutoff).to_pandas(), ref)


def test_labels_and_horizon_guard() -> None:
    log = build(small())
    y = log.labels("2025-01-20", horizon_days=30).to_dict()
    # Customer 10 orders on 02-01 (in the horizon); 20 does not.
    assert list(y["customer_id"]) == [10, 20]
    assert list(y["churned"]) == [False, True]
    with pytest.raises(voc.InvalidOptionError, match="horizon"):
        log.labels("2025-01-20", horizon_days=365)


# --- input kinds ---


def test_pandas_polars_arrow_and_dicts_agree(data: voc.sample.RetailerData, log: voc.signals.EventLog) -> None:
    ref = log.features("2025-01-01").to_pandas()
    pdf = {k: v.to_pandas() for k, v in data.tables().items()}
    plf = {k: v.to_polars() for k, v in data.tables().items()}
    arrow = {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in pdf.items()}
    for tables in (pdf, plf, arrow):
        got = voc.signals.EventLog(**tables).features("2025-01-01").to_pandas()
        pd.testing.assert_frame_equal(got, ref)


def test_string_ids(data: voc.sample.RetailerData) -> None:
    tables = {k: v.to_pandas() for k, v in data.tables().items()}
    for name, df in tables.items():
        ids = df["customer_id"]
        tables[name] = df.assign(customer_id=ids.map(lambda x: None if pd.isna(x) else f"C{int(x):07d}"))
    got = voc.signals.EventLog(**tables).features("2025-01-01").to_pandas()
    ref = voc.signals.EventLog(**data.tables()).features("2025-01-01").to_pandas()
    assert list(got["customer_id"]) == [f"C{i:07d}" for i in ref["customer_id"]]
    pd.testing.assert_frame_equal(got.drop(columns="customer_id"), ref.drop(columns="customer_id"))


def test_options_change_columns(log: voc.signals.EventLog) -> None:
    t = log.features("2025-01-01", windows=[7, 28], silence_days=30, theme_counts=False)
    assert "orders_7d" in t.columns and "orders_change_28d" in t.columns
    assert not any(c.startswith("theme_") for c in t.columns)


def test_convenience_function_matches_log(data: voc.sample.RetailerData, log: voc.signals.EventLog) -> None:
    a = voc.signals.features(cutoff="2025-01-01", **data.tables()).table.to_pandas()
    pd.testing.assert_frame_equal(a, log.features("2025-01-01").to_pandas())


# --- bad input: a clear error naming the argument, position and value ---


def with_change(table: str, column: str, value: object) -> dict[str, dict[str, object]]:
    t = small()
    t[table] = {**t[table], column: value}
    return t


@pytest.mark.parametrize(
    "table, column, value, error, message",
    [
        ("orders", "customer_id", np.array([10, 99, 20]), voc.UnknownIdError,
         "orders.customer[1] = \"99\" is not a customer id in customers.id"),
        ("orders", "amount", np.array([50.0, -1.0, 80.0]), voc.InputError,
         "orders.amount[1] = -1 is invalid: amounts must not be negative"),
        ("orders", "amount", np.array([50.0, np.inf, 80.0]), voc.NonFiniteError, "orders.amount[1] = inf"),
        ("orders", "amount", np.array([50.0, np.nan, 80.0]), voc.MissingValueError, "orders.amount[1]"),
        ("orders", "time", np.array(["2025-01-05", "NaT", "2025-01-09"], dtype="datetime64[s]"),
         voc.MissingValueError, "orders.time[1]"),
        ("orders", "amount", np.array(["a", "b", "c"]), voc.DtypeError, "orders.amount"),
        ("orders", "amount", np.array([1.0, 2.0]), voc.LengthMismatchError, "orders.amount has 2 values"),
        ("surveys", "score", np.array([9, 11, 4]), voc.ScoreRangeError,
         "surveys.score[1] = 11 is outside the NPS scale 0..=10"),
        ("surveys", "score", np.array([9, 3, 4.5]), voc.ScoreRangeError, "surveys.score[2] = 4.5 is not a whole"),
        ("surveys", "kind", np.array(["nps", "nps", "effort"]), voc.InvalidOptionError, "effort"),
        ("tickets", "csat", np.array([1.0, 7.0, 4.0]), voc.ScoreRangeError, "tickets.csat[1] = 7"),
        ("tickets", "resolved", np.array(["2025-01-01", "NaT", "NaT"], dtype="datetime64[s]"), voc.InputError,
         "resolved before it was opened"),
        ("returns", "refunded", _dt("2025-01-09"), voc.InputError, "refund was paid before the return was received"),
        ("returns", "order_id", np.array([3]), voc.UnknownIdError, "not an order of the same customer"),
        ("returns", "amount", np.array([51.0]), voc.InputError, "the refund is larger than its order"),
        ("returns", "requested", _dt("2025-01-04"), voc.InputError, "requested before its order"),
        ("customers", "customer_id", np.array([10, 10]), voc.UnknownIdError, "repeats an earlier id"),
    ],
)
def test_bad_input_matrix(table: str, column: str, value: object, error: type, message: str) -> None:
    with pytest.raises(error) as exc:
        build(with_change(table, column, value))
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_unknown_id_is_also_a_key_error_with_fields() -> None:
    with pytest.raises(KeyError) as exc:
        build(with_change("orders", "customer_id", np.array([10, 99, 20])))
    e = exc.value
    assert isinstance(e, voc.VocError) and e.arg == "orders.customer" and e.index == 1


def test_missing_column_and_wrong_table_type() -> None:
    t = small()
    t["orders"] = {k: v for k, v in t["orders"].items() if k != "amount"}
    with pytest.raises(voc.ColumnNotFoundError, match="amount") as exc:
        build(t)
    assert isinstance(exc.value, KeyError) and exc.value.arg == "orders" and exc.value.value == "amount"
    with pytest.raises(voc.DtypeError, match="orders"):
        voc.signals.EventLog(small()["customers"], orders=[1, 2, 3])


def test_skip_policy_reports_every_left_out_row() -> None:
    t = with_change("orders", "customer_id", np.array([10, 99, 98]))
    t["surveys"] = {**t["surveys"], "score": np.array([9, 11, 4])}
    log = build(t, missing="skip")
    assert log.n_missing == 3
    assert isinstance(log.skipped, voc.Table)
    assert log.skipped.to_pandas().to_dict("records") == [
        {"table": "orders", "reason": "orders.customer is not a customer id in customers.id", "n": 2, "first": 1},
        {"table": "surveys", "reason": "surveys.score outside the NPS scale", "n": 1, "first": 1},
    ]
    assert list(log.features("2025-02-10")["frequency"]) == [1.0, 0.0]
    assert build(small()).n_missing == 0 and len(build(small()).skipped) == 0
    with pytest.raises(voc.InvalidOptionError, match="missing"):
        build(small(), missing="drop")
    with pytest.raises(TypeError):
        build(small(), on_invalid="skip")


def test_features_function_reports_rows_left_out() -> None:
    t = with_change("orders", "customer_id", np.array([10, 99, 98]))
    customers = t.pop("customers")
    f = voc.signals.features(customers, cutoff="2025-02-10", missing="skip", **t)
    assert isinstance(f, voc.signals.Features) and isinstance(f.table, voc.Table)
    assert (f.n, f.n_missing, f.anonymous_mentions) == (2, 2, 1)
    assert f.to_dict() == {"n": 2, "n_missing": 2, "anonymous_mentions": 1}
    assert "voc Features" in f._repr_html_()
    assert list(f.table["frequency"]) == [1.0, 0.0]
    assert f.table.meta is None
    with pytest.raises(voc.UnknownIdError):
        voc.signals.features(customers, cutoff="2025-02-10", **t)


def test_mentions_error_names_the_callers_row() -> None:
    # Anonymous mentions come before the bad row: the error still names row 3 of the table passed.
    t = small()
    t["mentions"] = {
        "customer_id": np.array([np.nan, 10.0, np.nan, 99.0]),
        "time": _dt("2025-01-21", "2025-01-22", "2025-01-23", "2025-01-24"),
    }
    with pytest.raises(voc.UnknownIdError) as exc:
        build(t)
    assert exc.value.index == 3 and "[3]" in str(exc.value)
    assert "on_invalid" not in str(exc.value)
    log = build(t, missing="skip")
    assert log.n_missing == 1 and list(log.skipped["first"]) == [3]
    assert log.anonymous_mentions == 2


def test_features_and_labels_tables_have_no_meta(log: voc.signals.EventLog) -> None:
    assert log.features("2025-01-01").meta is None
    assert log.labels("2025-01-01", horizon_days=180).meta is None


@pytest.mark.parametrize(
    "kw, match",
    [({"windows": []}, "windows"), ({"windows": [30, 30]}, "repeat"), ({"silence_days": 0}, "silence_days")],
)
def test_bad_feature_options(kw: dict[str, object], match: str) -> None:
    with pytest.raises(voc.InvalidOptionError, match=match):
        build(small()).features("2025-02-10", **kw)


def test_bad_cutoff() -> None:
    log = build(small())
    for bad in ["not a date", None, np.datetime64("NaT")]:
        with pytest.raises(voc.InvalidOptionError, match="cutoff"):
            log.features(bad)


# --- threads and pickling ---


def test_features_from_threads_agree(log: voc.signals.EventLog) -> None:
    ref = log.features("2025-01-01").to_pandas()
    out: list[pd.DataFrame] = []

    def work() -> None:
        out.append(log.features("2025-01-01").to_pandas())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(out) == 4
    for df in out:
        pd.testing.assert_frame_equal(df, ref)


def test_results_and_sample_pickle(data: voc.sample.RetailerData, log: voc.signals.EventLog) -> None:
    t = log.features("2025-01-01")
    back = pickle.loads(pickle.dumps(t))
    pd.testing.assert_frame_equal(back.to_pandas(), t.to_pandas())
    d = pickle.loads(pickle.dumps(data))
    pd.testing.assert_frame_equal(d.orders.to_pandas(), data.orders.to_pandas())


# --- the simulator ---


def test_retailer_is_deterministic_and_seeded() -> None:
    a = voc.sample.retailer(seed=3, customers=3_000)
    b = voc.sample.retailer(seed=3, customers=3_000)
    c = voc.sample.retailer(seed=4, customers=3_000)
    for name in a.tables():
        pd.testing.assert_frame_equal(getattr(a, name).to_pandas(), getattr(b, name).to_pandas())
    assert not a.orders.to_pandas().equals(c.orders.to_pandas())


def test_retailer_tables_plug_into_signals_and_show_the_planted_cause(
    data: voc.sample.RetailerData, log: voc.signals.EventLog
) -> None:
    assert log.n_events == data.n_events - log.anonymous_mentions
    X = log.features("2025-01-01").to_pandas()
    y = log.labels("2025-01-01", horizon_days=180).to_pandas()
    df = X.merge(y, on="customer_id")
    df = df[df.frequency > 0]
    slow = df.refund_delay_max_days >= 9
    k1, n1 = df.churned[slow].sum(), slow.sum()
    k2, n2 = df.churned[~slow].sum(), (~slow).sum()
    test = voc.stats.two_proportion_test(k1, n1, k2, n2, confidence=0.99)
    assert test.ci[0] > 0.05
    # Price complaints stay rare; refund complaints dominate tickets.
    themes = data.tickets.to_pandas().theme.value_counts(normalize=True)
    assert themes.idxmax() == "refund"
    assert (data.mentions.to_pandas().theme == "price").mean() < 0.05


def test_retailer_planted_is_typed() -> None:
    d = voc.sample.retailer(seed=1, customers=300, holdout=0.2)
    p = d.planted
    assert isinstance(p, voc.sample.Planted)
    assert p.churn_odds_ratio == 4.0 and p.holdout == 0.2 and isinstance(p.description, str)
    assert p.fix_date == np.datetime64("2024-01-01") + np.timedelta64(540, "D")
    assert voc.sample.retailer(seed=1, customers=300, fix_day=None).planted.fix_date is None
    assert p.to_dict()["slow_refund_rate"] == 0.30 and "voc Planted" in p._repr_html_()
    with pytest.raises(AttributeError):
        p.holdout = 0.5  # type: ignore[misc]
    assert d.n_events == sum(len(t) for k, t in d.tables().items() if k != "customers")
    assert d.to_dict()["n_events"] == d.n_events and "voc RetailerData" in d._repr_html_()


def test_survey_sample_is_a_table_and_changes_are_typed() -> None:
    t = voc.sample.surveys(seed=1, responses=500)
    assert isinstance(t, voc.Table) and t.meta is None
    changes = voc.sample.survey_changes(year=2024)
    assert all(isinstance(c, voc.sample.PlantedChange) for c in changes)
    assert [(c.channel, c.from_month) for c in changes] == [("app", "2024-07"), ("call_center", "2024-10")]
    assert changes[0].latent_shift < 0 and changes[0].to_dict()["channel"] == "app"


def test_retailer_bad_options() -> None:
    with pytest.raises(voc.InvalidOptionError, match="customers"):
        voc.sample.retailer(customers=0)
    with pytest.raises(voc.InvalidOptionError, match="slow_refund_rate"):
        voc.sample.retailer(slow_refund_rate=1.5)


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda log: log.features("2025-02-10", windows=[-30]), "windows"),
        (lambda log: log.features("2025-02-10", silence_days=-1), "silence_days"),
        (lambda log: log.features("2025-02-10", silence_days=2**40), "silence_days"),
        (lambda log: log.labels("2025-02-10", horizon_days=-5), "horizon_days"),
        (lambda log: log.features(2**70), "cutoff"),
    ],
)
def test_out_of_range_numbers_are_voc_errors(call, arg) -> None:
    with pytest.raises(voc.InvalidOptionError, match=arg) as exc:
        call(build(small()))
    assert exc.value.arg == arg


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda: voc.sample.retailer(seed=-1, customers=10), "seed"),
        (lambda: voc.sample.retailer(customers=-5), "customers"),
        (lambda: voc.sample.retailer(customers=10, fix_day=-1), "fix_day"),
        (lambda: voc.sample.surveys(seed=-1, responses=10), "seed"),
        (lambda: voc.sample.surveys(responses=-10), "responses"),
        (lambda: voc.sample.survey_changes(year=2**40), "year"),
    ],
)
def test_sample_out_of_range_numbers_are_voc_errors(call, arg) -> None:
    with pytest.raises(voc.InvalidOptionError, match=arg) as exc:
        call()
    assert exc.value.arg == arg
