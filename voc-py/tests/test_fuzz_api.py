"""The standing fuzz suite (issue 16): every public function, hostile options and columns.

For every public function of ``voc`` and its submodules (found by introspection; a function without a
valid base call below fails ``test_every_public_function_is_fuzzed``), hypothesis replaces one option
or one column of a valid call with a generated hostile value — wrong types, negative / huge / fractional
numbers, NaN and infinities, bools where ints are meant, strings with lone surrogates, empty and
mismatched columns, 2-D arrays — and asserts that the call either

* raises a ``voc.errors.VocError`` subclass (an ``InputError`` names the argument in ``.arg``), or
* returns a valid result: no NaN or infinity in a returned float or array, a result's float fields, the
  results, arrays and Tables it holds, unless the result documents why (its ``undefined_reason``, or an
  entry of the allowlist ``EXPLAINED`` in ``_nonfinite.py``, keyed by result class and field, each
  documented in docs/reliability/values.md §3).

Profiles: ``VOC_FUZZ_PROFILE=ci`` (the default: a fixed number of examples per test, the suite runs in
about a minute) and ``VOC_FUZZ_PROFILE=long`` (many more examples per test, no deadline) for local
runs: ``VOC_FUZZ_PROFILE=long pytest voc-py/tests/test_fuzz_api.py``. See docs/reliability/values.md.
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import voc
from _nonfinite import unexplained
from voc import errors

settings.register_profile(
    "ci", max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
settings.register_profile("long", max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("VOC_FUZZ_PROFILE", "ci")
FUZZ = settings.get_profile(PROFILE)

MODULES = ["voc", "voc.metrics", "voc.stats", "voc.signals", "voc.risk", "voc.segment", "voc.retention",
           "voc.impact", "voc.text", "voc.sample", "voc.uplift", "voc.followup"]

# ---------------------------------------------------------------- valid base calls

RNG = np.random.default_rng(16)
SCORES = RNG.integers(0, 11, 60)
Y01 = np.array([0, 1] * 30)
P = RNG.uniform(0.01, 0.99, 60)
DUR = RNG.uniform(1, 50, 40)
EV = (RNG.uniform(size=40) < 0.7).astype(int)
GROUPS = np.array(["a", "b", "c"] * 20)
TIMES = np.datetime64("2024-01-01") + RNG.integers(0, 120, 60).astype("timedelta64[D]")
CUST = RNG.integers(0, 15, 60)
XMAT = RNG.normal(size=(40, 2))
TEXTS = ["refund was slow and the price too high", "delivery late", "great staff", "退款太慢了"] * 5


def _rfm() -> Any:
    o = voc.sample.retailer(seed=7, customers=600).orders
    return voc.retention.rfm_summary(o, customers="customer_id", time="time", monetary="amount",
                                     observation_end="2025-07-01")


RFM = _rfm()
BG = voc.retention.BgNbdModel(0.24, 4.41, 0.79, 2.43)
GG = voc.retention.GammaGammaModel(6.25, 3.74, 15.44)
RISK_DATA = {"customer_id": np.arange(40), "a": RNG.normal(size=40), "b": RNG.normal(size=40),
             "monetary": RNG.uniform(10, 900, 40)}
RISK_Y = (RISK_DATA["a"] + RNG.normal(size=40) > 0).astype(int)
LOGIT = voc.risk.fit_logistic(RISK_DATA, x=["a", "b"], y=RISK_Y)
SURVEY = {"nps": SCORES[:40].astype(float), "d1": RNG.normal(size=40), "d2": RNG.normal(size=40),
          "seg": GROUPS[:40], "churned": Y01[:40], "spend": RNG.uniform(1, 100, 40),
          "theme_price": (RNG.uniform(size=40) < 0.4).astype(int),
          "theme_delivery": (RNG.uniform(size=40) < 0.3).astype(int)}
SEG = {"customer_id": np.arange(40), "recency_days": RNG.uniform(1, 300, 40), "frequency": RNG.integers(1, 20, 40),
       "monetary": RNG.uniform(10, 900, 40), "tenure_days": RNG.uniform(1, 900, 40),
       "days_since_activity": RNG.uniform(1, 400, 40), "nps_last": SCORES[:40].astype(float),
       "churn": Y01[:40], "seg": GROUPS[:40], "tickets_90d": RNG.integers(0, 5, 40),
       "theme_price": (RNG.uniform(size=40) < 0.4).astype(int)}
ORDERS = {"customer_id": CUST, "time": TIMES, "amount": RNG.uniform(5, 50, 60)}
UP_T = np.array([0, 1] * 40)
UP_DATA = {"customer_id": np.arange(80), "a": RNG.normal(size=80), "b": RNG.normal(size=80),
           "clv": RNG.uniform(50, 500, 80)}
UP_Y = (UP_DATA["a"] * UP_T + RNG.normal(size=80) > 0).astype(int)
UP_U = RNG.uniform(-0.2, 0.4, 80)
UPLIFT = voc.uplift.fit_t_learner(UP_DATA, x=["a", "b"], outcome=UP_Y, treatment=UP_T)

Call = tuple[tuple[Any, ...], dict[str, Any]]


def base(*args: Any, **kwargs: Any) -> Call:
    return args, kwargs


BASE: dict[str, Callable[[], Call]] = {
    "voc.nps": lambda: base(SCORES),
    "voc.csat": lambda: base(SCORES % 5 + 1),
    "voc.ces": lambda: base(SCORES % 7 + 1),
    "voc.compare": lambda: base(voc.nps(SCORES[:30]), voc.nps(SCORES[30:])),
    "voc.nps_test": lambda: base(voc.nps(SCORES)),
    "voc.stats.proportion_ci": lambda: base(3, 10),
    "voc.stats.two_proportion_test": lambda: base(3, 10, 6, 12),
    "voc.stats.welch_test": lambda: base(1.0, 0.5, 10, 1.4, 0.7, 12),
    "voc.stats.adjust_p_values": lambda: base([0.01, 0.2, 0.03]),
    "voc.signals.features": lambda: base({"customer_id": np.arange(15), "signup": np.array(["2024-01-01"] * 15, dtype="datetime64[s]")}, cutoff="2024-03-01", orders=ORDERS),
    "voc.risk.fit_logistic": lambda: base(RISK_DATA, x=["a", "b"], y=RISK_Y),
    "voc.risk.roc_auc": lambda: base(y=Y01, scores=P),
    "voc.risk.evaluate": lambda: base(y=Y01, scores=P),
    "voc.risk.calibration": lambda: base(y=Y01, scores=P),
    "voc.risk.lift": lambda: base(y=Y01, scores=P),
    "voc.risk.confusion": lambda: base(y=Y01, scores=P, threshold=0.5),
    "voc.risk.threshold_for_precision": lambda: base(y=Y01, scores=P, target=0.5),
    "voc.risk.threshold_top_k": lambda: base(scores=P, k=5),
    "voc.risk.cross_validate": lambda: base(RISK_DATA, x=["a", "b"], y=RISK_Y, k=3),
    "voc.risk.alerts": lambda: base(RISK_DATA, model=LOGIT, value="monetary"),
    "voc.segment.value_voice": lambda: base(SEG),
    "voc.segment.rfm": lambda: base(SEG),
    "voc.segment.lifecycle": lambda: base(SEG),
    "voc.segment.profile": lambda: base(SEG, by="seg", churn="churn", themes=None),
    "voc.segment.matrix": lambda: base(voc.segment.profile(SEG, by=voc.segment.value_voice(SEG), churn="churn",
                                                           themes=None),
                                       by=voc.segment.value_voice(SEG), values="size"),
    "voc.segment.fit_kmeans": lambda: base(x=XMAT, k=2),
    "voc.segment.standardize": lambda: base(x=XMAT),
    "voc.segment.silhouette_score": lambda: base(x=XMAT, labels=Y01[:40]),
    "voc.retention.kaplan_meier": lambda: base(durations=DUR, events=EV),
    "voc.followup.recovery": lambda: base(
        log=voc.signals.EventLog(customers={"customer_id": [1, 2, 3], "signup": [0, 0, 0]},
                                 surveys={"customer_id": [1, 1, 2], "time": [3600, 900000, 3600],
                                          "kind": ["nps"] * 3, "score": [3, 9, 5]}),
        customers=np.array([1, 2, 3]), trigger=np.array(["detractor", "detractor", "alert"]),
        opened=np.array([7200, 7200, 7200]), contacted=np.array([9000, 9000, 9000]),
        closed=np.array([10000, 10000, 10000])),
    "voc.followup.fixes": lambda: base(
        {"id": ["f"], "themes": ["refund"], "rollout": np.array([100 * 86400], dtype="datetime64[s]"),
         "holdout": ["held"], "cost": [400.0]},
        texts={"theme": ["refund", None, "refund", None, None, "refund", None, None],
               "time": np.array([d * 86400 for d in (10, 20, 30, 40, 110, 120, 130, 140)], dtype="datetime64[s]")},
        customers={"signup": np.zeros(8, dtype="datetime64[s]"), "held": [0, 0, 0, 0, 1, 1, 1, 1],
                   "churn_time": np.array([150 * 86400, "NaT", "NaT", "NaT", 120 * 86400, 170 * 86400, 130 * 86400,
                                           "NaT"], dtype="datetime64[s]")},
        as_of=200 * 86400, clv=500.0),
    "voc.followup.loop_metrics": lambda: base(opened=np.arange(40) * 3600, contacted=np.arange(40) * 3600 + 7200,
                                              closed=np.arange(40) * 3600 + 90000, by=Y01[:40]),
    "voc.followup.coverage": lambda: base(time=np.arange(40) * 3600, has_case=Y01[:40],
                                          contacted=np.where(Y01[:40] == 1, np.arange(40) * 3600 + 7200,
                                                             np.iinfo(np.int64).min), by=np.arange(40) % 3),
    "voc.followup.sla_outcomes": lambda: base(outcome=Y01[:40], opened=np.where(np.arange(40) % 4 == 0,
                                                                               np.iinfo(np.int64).min, 0),
                                              closed=np.where(np.arange(40) % 4 == 0, np.iinfo(np.int64).min,
                                                              (np.arange(40) % 3) * 40 * 3600 + 3600),
                                              covariates=[DUR]),
    "voc.retention.logrank_test": lambda: base(durations=DUR, events=EV, by=Y01[:40]),
    "voc.retention.concordance_index": lambda: base(durations=DUR, scores=DUR[::-1], events=EV),
    "voc.retention.fit_cox": lambda: base(durations=DUR, events=EV, covariates={"x": XMAT[:, 0]}),
    "voc.retention.rfm_summary": lambda: base(customers=CUST, time=TIMES),
    "voc.retention.calibration_and_holdout": lambda: base(customers=CUST, time=TIMES, calibration_end="2024-03-01",
                                                          observation_end="2024-05-01"),
    "voc.retention.cohort_retention": lambda: base(customers=CUST, time=TIMES, repurchase_window_days=30),
    "voc.retention.fit_bgnbd": lambda: base(RFM, max_iter=2000),
    "voc.retention.fit_gamma_gamma": lambda: base(RFM),
    "voc.retention.customer_lifetime_value": lambda: base(RFM, bgnbd=BG, gamma_gamma=GG),
    "voc.impact.correlation": lambda: base(x=SURVEY["d1"], y=SURVEY["nps"]),
    "voc.impact.correlation_matrix": lambda: base({k: SURVEY[k] for k in ("nps", "d1", "d2")}),
    "voc.impact.key_drivers": lambda: base(SURVEY, outcome="nps", drivers=["d1", "d2"]),
    "voc.impact.driver_quadrants": lambda: base(SURVEY, outcome="nps", drivers=["d1", "d2"]),
    "voc.impact.outcome_by_class": lambda: base(SURVEY, nps="nps", churned="churned", spend="spend"),
    "voc.impact.outcome_state": lambda: base(SURVEY, nps="nps", churned="churned", spend="spend"),
    "voc.impact.class_ratio": lambda: base(SURVEY, numerator="a", denominator="b", by="seg", spend="spend"),
    "voc.impact.contingency": lambda: base([[10, 20], [15, 5]]),
    "voc.impact.chi_square": lambda: base([[10, 20], [15, 5]]),
    "voc.impact.fisher_exact": lambda: base([[10, 20], [15, 5]]),
    "voc.impact.theme_impact": lambda: base(SURVEY, churned="churned"),
    "voc.impact.theme_score_impact": lambda: base(SURVEY, scores="nps", themes="theme_", resamples=20),
    "voc.impact.score_change": lambda: base(SURVEY, scores="nps", themes="theme_", by="seg", resamples=20),
    "voc.impact.before_after": lambda: base((30, 100), (45, 100)),
    "voc.impact.rate_ratio": lambda: base(30, 100.0, 45, 120.0),
    "voc.impact.holdout": lambda: base((30, 100), (45, 100)),
    "voc.impact.diff_in_diff": lambda: base(cells=[[1.0, 2.0, 1.5], [1.2, 2.2, 1.4], [1.1, 3.0, 3.2], [1.0, 2.9, 3.1]]),
    "voc.impact.sample_size": lambda: base(0.2, 0.25),
    "voc.impact.minimum_detectable_effect": lambda: base(0.2, 1000),
    "voc.impact.roi": lambda: base(churn_reduction=0.02, customers=1000, clv=300.0, program_cost=1000.0),
    "voc.impact.what_if": lambda: base({"detractor": (300, 80, 0.3), "passive": (300, 100, 0.15),
                                        "promoter": (400, 130, 0.08)}),
    "voc.text.themes": lambda: base(),
    "voc.text.normalize": lambda: base("ＡＢＣ  x"),
    "voc.text.polarity": lambda: base("The refund was fast, thanks!"),
    "voc.text.sentiment": lambda: base(TEXTS),
    "voc.text.reason_shares": lambda: base(["price", "size", None, ["price", "fit"]]),
    "voc.text.sample_tickets": lambda: base(5),
    "voc.text.fit_topics": lambda: base(TEXTS, n_topics=2, min_df=1),
    "voc.sample.surveys": lambda: base(responses=200),
    "voc.sample.survey_changes": lambda: base(),
    "voc.sample.retailer": lambda: base(customers=50, days=60, fix_day=None, campaign_day=None, followup_day=None),
    "voc.uplift.fit_t_learner": lambda: base(UP_DATA, x=["a", "b"], outcome=UP_Y, treatment=UP_T),
    "voc.uplift.fit_class_transformation": lambda: base(UP_DATA, x=["a", "b"], outcome=UP_Y, treatment=UP_T),
    "voc.uplift.fit_x_learner": lambda: base(UP_DATA, x=["a", "b"], outcome=UP_Y, treatment=UP_T),
    "voc.uplift.qini_curve": lambda: base(outcome=UP_Y, treatment=UP_T, uplift=UP_U),
    "voc.uplift.uplift_curve": lambda: base(outcome=UP_Y, treatment=UP_T, uplift=UP_U),
    "voc.uplift.perfect_qini_curve": lambda: base(outcome=UP_Y, treatment=UP_T),
    "voc.uplift.perfect_uplift_curve": lambda: base(outcome=UP_Y, treatment=UP_T),
    "voc.uplift.qini_auc": lambda: base(outcome=UP_Y, treatment=UP_T, uplift=UP_U),
    "voc.uplift.uplift_auc": lambda: base(outcome=UP_Y, treatment=UP_T, uplift=UP_U),
    "voc.uplift.uplift_at_k": lambda: base(outcome=UP_Y, treatment=UP_T, uplift=UP_U, k=0.5),
    "voc.uplift.uplift_by_percentile": lambda: base(outcome=UP_Y, treatment=UP_T, uplift=UP_U, bins=4),
    "voc.uplift.balance": lambda: base(UP_DATA, x=["a", "b"], treatment=UP_T),
    "voc.uplift.target": lambda: base(UP_DATA, model=UPLIFT, value=UP_DATA["clv"], budget=10),
    "voc.uplift.net_value": lambda: base(uplift=UP_U, value=UP_DATA["clv"]),
}

# Functions not fuzzed, with the reason.
NOT_FUZZED: dict[str, str] = {}

MODULES.append("voc.anomaly")
BASE["voc.text.topics_over_time"] = lambda: base(
    texts=TEXTS, time=np.arange(len(TEXTS)) * 86_400 * 10, model=voc.text.fit_topics(TEXTS, n_topics=2, min_df=1))
BASE["voc.anomaly.seasonal_alerts"] = lambda: base(
    counts=(np.arange(60) % 7 + 10.0), time=np.arange(60) * 7 * 86_400 + 4 * 86_400)
BASE["voc.anomaly.score_alerts"] = lambda: base(
    scores=(np.arange(60) % 11.0), time=np.arange(60) * 7 * 86_400 + 4 * 86_400)

# Known failures still open: (function, argument) → what is missing. Each is a strict xfail: once the
# fix lands the case passes, pytest reports the XPASS as a failure, and the entry must be removed here.
XFAIL: dict[tuple[str, str], str] = {}


def public_functions() -> list[str]:
    names = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if callable(obj) and not inspect.isclass(obj):
                names.append(f"{module_name}.{name}")
    # voc re-exports voc.metrics: one name per function object.
    seen, out = set(), []
    for full in names:
        module_name, name = full.rsplit(".", 1)
        obj = getattr(importlib.import_module(module_name), name)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        out.append(full)
    return out


def resolve(full: str) -> Callable[..., Any]:
    module_name, name = full.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), name)


FUNCTIONS = [f for f in public_functions() if f in BASE]


def test_every_public_function_is_fuzzed():
    missing = [f for f in public_functions() if f not in BASE and f not in NOT_FUZZED]
    assert missing == [], f"add a valid base call for {missing} to BASE (or a reason to NOT_FUZZED)"


@pytest.mark.parametrize("full", FUNCTIONS)
def test_base_calls_are_valid(full):
    args, kwargs = BASE[full]()
    check_result(resolve(full)(*args, **kwargs), full)


# ---------------------------------------------------------------- hostile values

HOSTILE_SCALAR_VALUES: list[Any] = [
    -1, -(2**63), 2**64, 2**70, 0, 1.5, -0.5, 1e308, -1e308, float("nan"), float("inf"), float("-inf"),
    True, False, None, "nope", "", "\ud800", b"bytes", 1 + 2j, [], [1, 2], {}, np.int64(-3), np.float32(2.5),
    np.bool_(True), np.datetime64("NaT"), object(),
]
# Valid but degenerate values: where NaN and infinities come from (0/0, constant columns, one class).
EDGE_SCALAR_VALUES: list[Any] = [1, 2, 3, 10, 1e-300, 1e-9, 0.999999, 0.5]
HOSTILE_SCALARS = st.sampled_from(HOSTILE_SCALAR_VALUES + EDGE_SCALAR_VALUES)
COLUMN_SIZES = [0, 1, 3, 59, 60]
COLUMN_KINDS = ["nan", "inf", "str", "obj", "2d", "empty", "bool", "complex", "neg", "huge", "none_list",
                "surrogate", "zeros", "ones", "tiny", "alternating", "one_class"]


def hostile_column(kind: str, n: int, at: int = 0) -> Any:
    """A hostile column of `kind` and length `n` (`at`: where the NaN goes for kind "nan")."""
    if kind == "nan":
        a = np.ones(n)
        if n:
            a[at % n] = np.nan
        return a
    if kind == "inf":
        return np.full(n, np.inf)
    if kind == "str":
        return ["x"] * n
    if kind == "obj":
        return np.array([object()] * n, dtype=object)
    if kind == "2d":
        return np.ones((n, 2))
    if kind == "empty":
        return np.array([])
    if kind == "bool":
        return np.ones(n, dtype=bool)
    if kind == "complex":
        return np.ones(n, dtype=complex)
    if kind == "neg":
        return -np.arange(n, dtype=float)
    if kind == "huge":
        return np.full(n, 1e300)
    if kind == "none_list":
        return [None] * n
    if kind == "zeros":
        return np.zeros(n)
    if kind == "ones":
        return np.ones(n)
    if kind == "tiny":
        return np.full(n, 1e-300)
    if kind == "alternating":
        return (np.arange(n) % 2).astype(float)
    if kind == "one_class":
        return np.r_[np.zeros(max(n - 1, 0)), np.ones(min(n, 1))]
    assert kind == "surrogate", kind
    return ["\ud800"] * n


@st.composite
def hostile_columns(draw: st.DrawFn) -> Any:
    n = draw(st.sampled_from(COLUMN_SIZES))
    kind = draw(st.sampled_from([*COLUMN_KINDS, "scalar"]))
    if kind == "scalar":
        return draw(HOSTILE_SCALARS)
    return hostile_column(kind, n, draw(st.integers(0, max(n - 1, 0))))


def params_of(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []


def xfail_reason(full: str, arg: str) -> str | None:
    return XFAIL.get((full, arg)) or XFAIL.get((full, "*"))


def check_result(result: Any, full: str) -> None:
    """No NaN or infinity in the result (its fields, the tables, arrays and results it holds) unless its
    `undefined_reason` or an entry of `_nonfinite.EXPLAINED` explains it."""
    bad = unexplained(result, full)
    assert not bad, f"{full}() returned unexplained non-finite values: " + "; ".join(
        f"{f.owner}.{f.field}" + (f"[{f.row}]" if f.row is not None else "") + f" = {f.value}" for f in bad[:5]
    )


def check_error(exc: BaseException, full: str, arg: str) -> None:
    if isinstance(exc, errors.VocError):
        if isinstance(exc, errors.InputError) and not isinstance(exc, (errors.IncompatibleError,
                                                                      errors.InsufficientDataError,
                                                                      errors.DecodeError)):
            assert exc.arg is not None, f"{full}({arg}=...) raised {type(exc).__name__} without .arg: {exc}"
        return
    raise AssertionError(f"{full}({arg}=...) raised {type(exc).__module__}.{type(exc).__name__}: {exc}") from exc


# Warnings a voc call may raise on purpose (documented with the function). Any other warning a call
# raises (numpy's RuntimeWarning on an overflow, a DeprecationWarning, ...) is an error, and so fails the
# test like an exception that is not voc's.
VOC_WARNINGS: tuple[type[Warning], ...] = ()


def run(full: str, arg: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    fn = resolve(full)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for category in VOC_WARNINGS:
                warnings.simplefilter("default", category)
            result = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 (the point is to see every exception)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        check_error(exc, full, arg)
        return
    check_result(result, full)


def option_params(full: str) -> list[str]:
    out = []
    for p in params_of(resolve(full)):
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is not p.empty:
            out.append(p.name)
    return out


def cases(pairs: list[tuple[str, Any]]) -> list[Any]:
    """Parameters, the known failures of XFAIL marked as strict xfails (a fixed one fails as XPASS)."""
    out = []
    for full, arg in pairs:
        reason = xfail_reason(full, arg if isinstance(arg, str) else f"#{arg}")
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(full, arg, marks=marks))
    return out


CASES_OPTIONS = cases([(f, a) for f in FUNCTIONS for a in option_params(f)])


@pytest.mark.parametrize(("full", "arg"), CASES_OPTIONS)
@FUZZ
@given(value=HOSTILE_SCALARS)
def test_hostile_option(full, arg, value):
    args, kwargs = BASE[full]()
    kwargs = {**kwargs, arg: value}
    run(full, arg, args, kwargs)


def column_params(full: str) -> list[str]:
    """Keyword arguments the base call passes as columns (arrays or lists)."""
    args, kwargs = BASE[full]()
    return [k for k, v in kwargs.items() if isinstance(v, (np.ndarray, list))]


CASES_COLUMNS = cases([(f, a) for f in FUNCTIONS for a in column_params(f)])


@pytest.mark.parametrize(("full", "arg"), CASES_COLUMNS)
@FUZZ
@given(column=hostile_columns())
def test_hostile_column(full, arg, column):
    args, kwargs = BASE[full]()
    kwargs = {**kwargs, arg: column}
    run(full, arg, args, kwargs)


def positional_params(full: str) -> list[int]:
    args, _ = BASE[full]()
    return list(range(len(args)))


CASES_POSITIONAL = cases([(f, i) for f in FUNCTIONS for i in positional_params(f)])


@pytest.mark.parametrize(("full", "position"), CASES_POSITIONAL)
@FUZZ
@given(value=st.one_of(HOSTILE_SCALARS, hostile_columns()))
def test_hostile_positional(full, position, value):
    args, kwargs = BASE[full]()
    args = tuple(value if i == position else a for i, a in enumerate(args))
    run(full, f"#{position}", args, kwargs)
