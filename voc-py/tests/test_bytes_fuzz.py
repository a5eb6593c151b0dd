"""Byte forms and pickles are trustworthy (issue 16, item 4).

Every class with a byte form (``to_bytes`` / ``from_bytes``) or a pickle state (``_from_state``) is
found by introspection of ``voc._voc`` and must have a factory below. For each: the round trip is bit
exact; every sampled single-bit flip, every sampled truncation and the bytes of every other class raise
``voc.DecodeError`` (never a panic, never a silent load); and a forged payload whose checksum was
recomputed either fails with ``DecodeError`` or loads into an object whose methods do not panic.
"""

from __future__ import annotations

import pickle
import struct

import numpy as np
import pytest

import voc
import voc._voc as _voc

# Classes whose pickle is built from Python objects (tables, specs) rather than a voc byte form: their
# state is whatever pickle itself checks, and their constructors validate what they are given.
COMPOSITE = {"Table", "ThemeMatcher", "CorrelationMatrix"}

RNG = np.random.default_rng(16)


def _tx():
    return {
        "id": [1, 1, 2, 1, 3, 3, 2],
        "date": np.array(["2024-01-01", "2024-01-05", "2024-01-03", "2024-01-10", "2024-02-01", "2024-02-20",
                          "2024-03-01"], dtype="datetime64[D]"),
    }


def _logistic():
    df = {"refund_delay_days": [1.0, 14.0, 3.0, 20.0, 2.0, 9.0, 0.0, 12.0],
          "tickets": [0.0, 3.0, 1.0, 4.0, 0.0, 1.0, 1.0, 2.0],
          "churned": [0, 1, 0, 1, 0, 1, 0, 1]}
    return voc.risk.fit_logistic(df, y="churned", C=0.5)


def _mention_state():
    m = voc.text.themes({"refund": ["退款", "refund*"], "refund.slow": {"keywords": ["退款慢", "slow refund"]}})
    return m.mention_state(texts=["退款慢", "refund please", "hello", "slow refund!"], by=["店铺", "email", "店铺", "chat"])


def _nps_state():
    s = voc.NpsState()
    s.update([0, 7, 9, 10, 10, 3], by=[0, 1, 0, 1, 2, 2])
    return s


Y = [1, 1, 0, 1, 0, 0, 0, 0]
P = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
KD = {"nps": [9, 7, 3, 10, 6, 8, 2, 9, 5, 7], "speed": [5, 4, 2, 5, 3, 4, 1, 4, 3, 4],
      "price": [4, 3, 2, 5, 3, 3, 2, 5, 2, 4], "support": [5, 3, 1, 4, 4, 4, 2, 5, 3, 3]}
DOCS = ["refund slow money back", "refund money late again", "login password fails",
        "password reset login broken", "refund money please", "login fails password"] * 3

FACTORIES = {
    # states
    "NpsState": _nps_state,
    "CsatState": lambda: (s := voc.CsatState(), s.update([1, 5, 4, 4], weights=[1.0, 2.0, 0.5, 1.0]))[0],
    "CesState": lambda: (s := voc.CesState(), s.update([1, 7, 6]))[0],
    "OutcomeState": lambda: voc.impact.outcome_state(nps=[9, 3, 10, 7], churned=[0, 1, 0, 1]),
    "MentionState": _mention_state,
    # models
    "LogisticModel": _logistic,
    "CoxModel": lambda: voc.retention.fit_cox({"x": [2.0, 0.5, 1.0, 1.5, -0.3, 0.0, 0.7, -1.0], "t": list(range(1, 9)),
                                               "e": [1, 1, 0, 1, 1, 0, 1, 1]}, durations="t", events="e"),
    "BgNbdModel": lambda: voc.retention.BgNbdModel(0.24, 4.41, 0.79, 2.43),
    "GammaGammaModel": lambda: voc.retention.GammaGammaModel(6.25, 3.74, 15.44),
    "KMeansModel": lambda: voc.segment.fit_kmeans(x=[[0.0], [0.2], [10.0], [10.2]], k=2, init=[[0.0], [10.0]]),
    "TopicModel": lambda: voc.text.fit_topics(texts=DOCS, n_topics=2, seed=1),
    "Standardized": lambda: voc.segment.standardize([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]]),
    # results
    "NpsResult": lambda: voc.nps([0, 7, 9, 10, 10, 3]),
    "CsatResult": lambda: voc.csat([1, 5, 4, 4]),
    "CesResult": lambda: voc.ces([1, 7, 6, 5]),
    "TestResult": lambda: voc.stats.welch_test(1.0, 2.0, 30, 1.5, 1.0, 40),
    "ProportionInterval": lambda: voc.stats.proportion_ci(7, 50),
    "PolarityResult": lambda: voc.text.polarity("The refund was fast, thanks!"),
    "KaplanMeierResult": lambda: voc.retention.kaplan_meier(durations=[5.0, 8.0, 12.0, 20.0, 3.0, 9.0],
                                                            events=[1, 0, 1, 1, 1, 0], by=[1, 1, 2, 2, 1, 2]),
    "LogRankResult": lambda: voc.retention.logrank_test(durations=[5.0, 8.0, 12.0, 20.0, 3.0, 4.0, 6.0, 7.0],
                                                        events=[1, 1, 1, 0, 1, 1, 0, 1], by=[0, 0, 0, 0, 1, 1, 1, 1]),
    "CohortResult": lambda: voc.retention.cohort_retention(customers=_tx()["id"], time=_tx()["date"],
                                                           observation_end="2024-03-31"),
    "EvaluationResult": lambda: voc.risk.evaluate(y=Y, scores=P, threshold=0.55),
    "ConfusionResult": lambda: voc.risk.confusion(y=Y, scores=P, threshold=0.55),
    "PrecisionThresholdResult": lambda: voc.risk.threshold_for_precision(y=Y, scores=P, target=1.0),
    "CrossValidationResult": lambda: voc.risk.cross_validate({"x": RNG.normal(size=40)}, y=[0, 1] * 20, k=4),
    "CorrelationResult": lambda: voc.impact.correlation(x=[1, 2, 3, 4, 5], y=[2, 1, 4, 3, 5]),
    "KeyDriversResult": lambda: voc.impact.key_drivers(KD, outcome="nps", drivers=["speed", "price", "support"]),
    "DriverQuadrantsResult": lambda: voc.impact.driver_quadrants(KD, outcome="nps",
                                                                 drivers=["speed", "price", "support"]),
    "OutcomeByClassResult": lambda: voc.impact.outcome_by_class(by=[10, 9, 2, 10], churned=[0, 1, 1, 0]),
    "ClassRatioResult": lambda: voc.impact.class_ratio(nps=[9, 10, 3, 2], spend=[30.0, 50.0, 20.0, 20.0],
                                                       numerator="promoter", denominator="detractor"),
    "ContingencyResult": lambda: voc.impact.contingency([[30, 70], [10, 90]]),
    "ChiSquareResult": lambda: voc.impact.chi_square([[10, 20, 30], [20, 20, 10]]),
    "FisherResult": lambda: voc.impact.fisher_exact([[8, 2], [1, 5]]),
    "BeforeAfterResult": lambda: voc.impact.before_after((120, 1000), (80, 1000)),
    "RateRatioResult": lambda: voc.impact.rate_ratio(90, 30, 300, 30),
    "HoldoutResult": lambda: voc.impact.holdout((80, 1000), (120, 1000)),
    "DiffInDiffResult": lambda: voc.impact.diff_in_diff(cells=[(0.30, 0.21, 500), (0.22, 0.17, 500),
                                                               (0.31, 0.21, 500), (0.30, 0.21, 500)]),
    "SampleSizeResult": lambda: voc.impact.sample_size(0.20, 0.16),
    "RoiResult": lambda: voc.impact.roi(holdout=voc.impact.holdout((80, 1000), (120, 1000)), customers=50_000,
                                        clv=300, program_cost=150_000),
    "WhatIfResult": lambda: voc.impact.what_if({"detractor": (300, 80, 0.3), "passive": (300, 100, 0.15),
                                                "promoter": (400, 130, 0.08)}, share=0.1),
}
# voc.followup
FACTORIES["LoopMetricsResult"] = lambda: voc.followup.loop_metrics(
    opened=[0, 0, 3600], contacted=[1800, -9223372036854775808, 7200], closed=[3600, -9223372036854775808, 9000],
    by=["a", "b", "a"], as_of=200000)
FACTORIES["RecoveryResult"] = lambda: voc.followup.recovery(
    log=voc.signals.EventLog(customers={"customer_id": [1, 2], "signup": [0, 0]},
                             surveys={"customer_id": [1, 1, 2, 2], "time": [3600, 900000, 3600, 900000],
                                      "kind": ["nps"] * 4, "score": [3, 9, 5, 6]}),
    customers=[1, 2], trigger=["detractor", "detractor"], opened=[7200, 7200], contacted=[9000, 9000],
    closed=[10000, 10000], by=["x", "y"])
FACTORIES["FixesResult"] = lambda: voc.followup.fixes(
    {"id": ["f"], "themes": ["refund"], "rollout": [100 * 86400], "holdout": ["held"], "cost": [400.0]},
    texts={"theme": ["refund", None, "refund", None, None, "refund", None, None],
           "time": [d * 86400 for d in (10, 20, 30, 40, 110, 120, 130, 140)]},
    customers={"signup": [0] * 8, "held": [0, 0, 0, 0, 1, 1, 1, 1],
               "churn_time": np.array([150 * 86400, "NaT", "NaT", "NaT", 120 * 86400, 170 * 86400, 130 * 86400,
                                       "NaT"], dtype="datetime64[s]")},
    as_of=200 * 86400, clv=500.0)
FACTORIES["CoverageResult"] = lambda: voc.followup.coverage(
    time=[0, 0, 3600], has_case=[True, False, True], contacted=[1800, -9223372036854775808, 7200], by=["a", "b", "a"])
FACTORIES["SlaOutcomesResult"] = lambda: voc.followup.sla_outcomes(
    outcome=[1.0, 0.0, 2.0, 3.0, 1.0, 0.0], opened=[0, 0, 0, 0, -9223372036854775808, -9223372036854775808],
    closed=[3600, 7200, 400000, 500000, -9223372036854775808, -9223372036854775808],
    covariates=[[0.5, 1.0, 0.2, 3.0, 0.4, 2.0]], holdout=[0, 0, 0, 0, 1, 1])
# voc.uplift
_UY, _UT, _US = [1, 0, 1, 0, 1, 1, 0, 1], [1, 0, 0, 1, 1, 0, 0, 1], [0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.4, 0.7]
FACTORIES.update({
    "UpliftModel": lambda: voc.uplift.fit_t_learner(
        {"d": [1.0, 14, 3, 20, 2, 9, 0, 12, 5, 16, 7, 11], "y": [1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0],
         "t": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]}, outcome="y", treatment="t"),
    "UpliftScore": lambda: voc.uplift.qini_auc(outcome=_UY, treatment=_UT, uplift=_US),
    "UpliftAtKResult": lambda: voc.uplift.uplift_at_k(outcome=_UY, treatment=_UT, uplift=_US, k=1.0),
})


def _byte_classes():
    out = []
    for name in sorted(dir(_voc)):
        cls = getattr(_voc, name)
        if isinstance(cls, type) and name not in COMPOSITE and (
                "_from_state" in cls.__dict__ or "from_bytes" in cls.__dict__):
            out.append(name)
    return out


BYTE_CLASSES = _byte_classes()
_CACHE: dict[str, object] = {}


def _obj(name):
    if name not in _CACHE:
        _CACHE[name] = FACTORIES[name]()
    return _CACHE[name]


def _state(obj):
    """(loader, bytes) from the pickle protocol: what `pickle.loads` calls, with what."""
    loader, args = obj.__reduce__()[:2]
    assert len(args) == 1 and isinstance(args[0], bytes)
    return loader, args[0]


def _fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _reseal(body: bytes) -> bytes:
    return body + struct.pack("<Q", _fnv1a(body))


def _is_panic(e: BaseException) -> bool:
    return type(e).__name__ == "PanicException"


def _rejects(loader, data, what):
    try:
        loader(data)
    except voc.DecodeError:
        return
    except BaseException as e:  # noqa: BLE001 - a panic is a BaseException
        pytest.fail(f"{what}: {type(e).__name__}: {e}")
    pytest.fail(f"{what}: loaded silently")


def _positions(n, k, seed):
    if n <= k:
        return list(range(n))
    rng = np.random.default_rng(seed)
    picked = set(rng.choice(n, size=k, replace=False).tolist()) | {0, n - 1, n - 8, n - 9}
    return sorted(p for p in picked if 0 <= p < n)


def test_every_byte_class_has_a_factory():
    assert set(BYTE_CLASSES) == set(FACTORIES), (
        f"missing factories: {sorted(set(BYTE_CLASSES) - set(FACTORIES))}; "
        f"stale: {sorted(set(FACTORIES) - set(BYTE_CLASSES))}")
    for name in BYTE_CLASSES:
        assert type(_obj(name)).__name__ == name


@pytest.mark.parametrize("name", BYTE_CLASSES)
def test_round_trip_is_bit_exact(name):
    obj = _obj(name)
    loader, data = _state(obj)
    back = loader(data)
    assert type(back) is type(obj)
    assert back == obj
    assert _state(back)[1] == data
    assert pickle.loads(pickle.dumps(obj)) == obj
    if hasattr(obj, "to_bytes"):
        b = obj.to_bytes()
        assert type(obj).from_bytes(b).to_bytes() == b


@pytest.mark.parametrize("name", BYTE_CLASSES)
def test_every_sampled_bit_flip_is_rejected(name):
    loader, data = _state(_obj(name))
    for i, pos in enumerate(_positions(len(data), 160, hash(name) % 1000)):
        for bit in (i % 8, (i + 3) % 8):
            flipped = bytearray(data)
            flipped[pos] ^= 1 << bit
            _rejects(loader, bytes(flipped), f"{name}: flip of byte {pos} bit {bit}")


@pytest.mark.parametrize("name", BYTE_CLASSES)
def test_every_sampled_truncation_is_rejected(name):
    loader, data = _state(_obj(name))
    for n in _positions(len(data), 200, 7):
        _rejects(loader, data[:n], f"{name}: cut to {n} of {len(data)} bytes")
    _rejects(loader, data + b"\x00", f"{name}: one byte appended")
    _rejects(loader, b"", f"{name}: empty")


@pytest.mark.parametrize("name", BYTE_CLASSES)
def test_bytes_of_every_other_class_are_rejected(name):
    loader, _ = _state(_obj(name))
    for other in BYTE_CLASSES:
        if other != name:
            _rejects(loader, _state(_obj(other))[1], f"{name} given the bytes of a {other}")


def _exercise(obj):
    """Reads every property and calls the argument-free public methods: none may panic."""
    for attr in dir(type(obj)):
        if attr.startswith("_") and attr not in ("_repr_html_",):
            continue
        try:
            v = getattr(obj, attr)
            if callable(v) and attr not in ("update", "merge", "fit", "from_bytes"):
                v()
        except BaseException as e:  # noqa: BLE001
            if _is_panic(e) or not isinstance(e, Exception):
                raise AssertionError(f"{type(obj).__name__}.{attr}: {type(e).__name__}: {e}") from e
    repr(obj)


@pytest.mark.parametrize("name", BYTE_CLASSES)
def test_forged_payloads_fail_cleanly_or_load_harmlessly(name):
    """A payload changed behind a recomputed checksum (what a forger can do): a DecodeError, or an object
    whose every method answers with a value or a VocError; never a panic."""
    loader, data = _state(_obj(name))
    body = data[:-8]
    rng = np.random.default_rng(len(data))
    for pos in _positions(len(body), 60, 3):
        for v in (body[pos] ^ 0x01, body[pos] ^ 0x80, 0xFF, 0x00):
            forged = bytearray(body)
            forged[pos] = v
            try:
                obj = loader(_reseal(bytes(forged)))
            except voc.DecodeError:
                continue
            except BaseException as e:  # noqa: BLE001
                pytest.fail(f"{name}: forged byte {pos} = {v}: {type(e).__name__}: {e}")
            _exercise(obj)
    del rng


def test_forged_topic_model_with_huge_n_topics_is_rejected():
    m = _obj("TopicModel")
    data = m.to_bytes()
    body = bytearray(data[:-8])
    n = struct.pack("<Q", m.n_topics)
    at = bytes(body).index(n, 6)
    body[at:at + 8] = struct.pack("<Q", 2 ** 61)
    with pytest.raises(voc.DecodeError, match="topic model"):
        voc.text.TopicModel.from_bytes(_reseal(bytes(body)))
    with pytest.raises(voc.DecodeError):
        voc.text.TopicModel._from_state(_reseal(bytes(body)))


def test_bgnbd_rejects_foreign_bytes_and_names_them():
    with pytest.raises(voc.DecodeError, match="Gamma-Gamma model, not of a BG/NBD model"):
        voc.retention.BgNbdModel._from_state(_obj("GammaGammaModel").to_bytes())
    with pytest.raises(voc.DecodeError, match="bytes of a voc result"):
        voc.retention.BgNbdModel._from_state(_state(_obj("NpsResult"))[1])
    with pytest.raises(voc.DecodeError, match="NPS / CSAT / CES state"):
        voc.retention.BgNbdModel.from_bytes(_nps_state().to_bytes())


def test_result_pickles_name_the_class_they_hold():
    km = _state(_obj("KaplanMeierResult"))[1]
    with pytest.raises(voc.DecodeError, match="bytes of a KaplanMeierResult, not of a CohortResult"):
        voc.retention.CohortResult._from_state(km)


def test_result_pickles_from_another_release_are_named():
    loader, data = _state(_obj("NpsResult"))
    body = bytearray(data[:-8])
    at = bytes(body).index(voc.__version__.encode())
    body[at:at + 1] = b"9"
    with pytest.raises(voc.DecodeError, match="pickled by voc 9"):
        loader(_reseal(bytes(body)))


def test_a_flip_in_mention_channel_names_is_detected():
    s = _obj("MentionState")
    data = s.to_bytes()
    at = data.index("店铺".encode())
    flipped = bytearray(data)
    flipped[at + 1] ^= 0x01
    with pytest.raises(voc.DecodeError):
        voc.text.MentionState.from_bytes(bytes(flipped))


def test_every_bit_flip_of_a_risk_model_is_rejected():
    data = _obj("LogisticModel").to_bytes()
    for pos in range(len(data)):
        flipped = bytearray(data)
        flipped[pos] ^= 1 << (pos % 8)
        _rejects(voc.risk.LogisticModel.from_bytes, bytes(flipped), f"flip at byte {pos}")
