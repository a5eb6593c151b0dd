"""Issue 16's small guarantees: lone surrogates in labels, settings checked on merge, bounded simulator
sizes, and panics raised as ``voc.errors.InternalError`` (docs/reliability/limits.md, values.md)."""

from __future__ import annotations

import numpy as np
import pytest

import voc
from voc import errors

BAD = "\ud800"  # a lone surrogate: a Python str that is not valid Unicode

# ---------------------------------------------------------------- lone surrogates in labels

TIMES = np.datetime64("2024-01-01") + np.array([0, 5, 40, 70, 3, 90], dtype="timedelta64[D]")


def _surrogate_error(call, arg: str, index: int) -> errors.InputError:
    with pytest.raises(errors.InputError) as info:
        call()
    e = info.value
    assert not isinstance(e, UnicodeError)
    assert e.arg == arg, e
    assert e.index == index, e
    assert "surrogate" in str(e), e
    return e


@pytest.mark.parametrize("position", [0, 3])
def test_rfm_summary_customers_with_a_lone_surrogate(position):
    customers = ["a", "b", "a", "c", "b", "c"]
    customers[position] = "x" + BAD
    _surrogate_error(lambda: voc.retention.rfm_summary(customers=customers, time=TIMES), "customers", position)


def test_cohort_retention_customers_with_a_lone_surrogate():
    customers = np.array(["a", "b", "a", BAD, "b", "c"], dtype=object)
    _surrogate_error(
        lambda: voc.retention.cohort_retention(customers=customers, time=TIMES, repurchase_window_days=30),
        "customers", 3,
    )


def test_logrank_by_with_a_lone_surrogate():
    by = ["a", "b"] * 10
    by[7] = BAD
    _surrogate_error(
        lambda: voc.retention.logrank_test(durations=np.arange(1.0, 21.0), events=[1, 0] * 10, by=by), "by", 7
    )


def test_grouped_metrics_read_labels_through_the_same_coder():
    # Every function that groups codes its labels through one reader: the same error everywhere.
    _surrogate_error(lambda: voc.nps([10, 9, 0], by=["a", BAD, "a"]), "by", 1)
    e = _surrogate_error(lambda: voc.nps([10, 9, 0], by=np.array(["a", "b", BAD], dtype=object)), "by", 2)
    assert e.value == 0xD800


def test_object_labels_whose_text_has_a_lone_surrogate():
    class Label:
        def __str__(self) -> str:
            return "label " + BAD

    _surrogate_error(lambda: voc.nps([10, 9, 0], by=["a", Label(), "a"]), "by", 1)


def test_valid_labels_still_read_after_the_fix():
    r = voc.retention.rfm_summary(customers=["é", "b", "é", "c", "b", "ü"], time=TIMES)
    assert len(r) == 4


# ---------------------------------------------------------------- settings on merge


def test_csat_states_on_other_scales_do_not_merge():
    a, b = voc.CsatState(), voc.CsatState(scale=(1, 7))
    a.update([5, 4])
    b.update([7])
    with pytest.raises(errors.IncompatibleError, match="scale"):
        a.merge(b)
    assert a.n == 2 and a.finish().estimate == pytest.approx(1.0)


def test_ces_states_on_other_scales_do_not_merge():
    a, b = voc.CesState(), voc.CesState(scale=(1, 5))
    a.update([7, 6])
    with pytest.raises(errors.IncompatibleError, match="scale"):
        a.merge(b)
    assert a.n == 2


def test_nps_states_of_weighted_and_unweighted_batches_merge_like_one_state():
    # A state's only setting is its scale (fixed for NPS); weights are data: an unweighted row counts with
    # weight 1, as when a weighted batch is added to a state that has unweighted rows.
    one = voc.NpsState()
    one.update([10, 9, 3, 7])
    one.update([0, 10, 8], weights=[2.5, 0.5, 1.0])
    a, b = voc.NpsState(), voc.NpsState()
    a.update([10, 9, 3, 7])
    b.update([0, 10, 8], weights=[2.5, 0.5, 1.0])
    a.merge(b)
    assert a == one
    assert a.finish().estimate == pytest.approx(one.finish().estimate)


@pytest.mark.parametrize("cls", [voc.NpsState, voc.CsatState, voc.CesState])
def test_a_state_merges_only_a_state_of_its_class(cls):
    for other in (voc.CesState() if cls is not voc.CesState else voc.NpsState(), None, b"bytes"):
        with pytest.raises(errors.DtypeError) as info:
            cls().merge(other)
        assert info.value.arg == "other"
    with pytest.raises(errors.DtypeError) as info:
        cls.from_bytes(3)
    assert info.value.arg == "data"


def test_an_outcome_state_merges_only_an_outcome_state():
    with pytest.raises(errors.DtypeError) as info:
        voc.impact.outcome_state(by=[1], churned=[0]).merge(voc.NpsState())
    assert info.value.arg == "other"


def test_outcome_states_with_other_label_kinds_classes_or_outcomes_do_not_merge():
    ints = voc.impact.outcome_state(by=[1, 2, 1], churned=[0, 1, 1])
    texts = voc.impact.outcome_state(by=["1", "2", "1"], churned=[0, 1, 1])
    with pytest.raises(errors.IncompatibleError, match="label kind"):
        ints.merge(texts)
    other = voc.impact.outcome_state(by=[1, 3, 1], churned=[0, 1, 1])
    with pytest.raises(errors.IncompatibleError, match="class names"):
        ints.merge(other)
    spend = voc.impact.outcome_state(by=[1, 2, 1], spend=[5.0, 6.0, 7.0])
    with pytest.raises(errors.IncompatibleError, match="outcomes"):
        ints.merge(spend)
    # Nothing changed; a state of the same settings merges.
    assert ints.n == 3
    ints.merge(voc.impact.outcome_state(by=[2], churned=[0], names=[1, 2]))
    assert ints.n == 4


# ---------------------------------------------------------------- simulator sizes


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda: voc.text.sample_tickets(10_000_001), "n"),
        (lambda: voc.text.sample_tickets(2**62), "n"),
        (lambda: voc.sample.surveys(responses=100_000_001), "responses"),
        (lambda: voc.sample.retailer(customers=10_000_001), "customers"),
        (lambda: voc.sample.retailer(days=3_651), "days"),
    ],
)
def test_simulator_sizes_are_bounded(call, arg):
    with pytest.raises(errors.LimitError) as info:
        call()
    assert info.value.arg == arg


def test_simulator_sizes_below_one_are_option_errors():
    with pytest.raises(errors.InvalidOptionError):
        voc.sample.surveys(responses=0)
    with pytest.raises(errors.InvalidOptionError):
        voc.sample.retailer(customers=0)
    assert voc.text.sample_tickets(0) == []


def test_sample_tickets_are_unchanged():
    a = voc.text.sample_tickets(50, seed=3, lang="en")
    assert a == voc.text.sample_tickets(50, seed=3, lang="en")
    assert len(a) == 50 and all(t.endswith(".") for t in a)


# ---------------------------------------------------------------- panics


@pytest.mark.parametrize("path", ["detach", "detach_bind", "detach_py", "detach_value", "run"])
def test_a_panic_inside_the_guard_is_an_internal_error(path):
    with pytest.raises(errors.InternalError) as info:
        voc._voc._guard_panic(path)
    e = info.value
    assert isinstance(e, errors.VocError) and isinstance(e, RuntimeError)
    assert not isinstance(e, ValueError)
    assert "voc._guard_panic" in str(e) and "deliberate panic" in str(e)
    # The interpreter and voc carry on.
    assert voc.nps([10, 0]).estimate == 0.0


def test_the_guard_test_hook_is_not_public():
    assert "_guard_panic" not in dir(voc)
    with pytest.raises(errors.InvalidOptionError):
        voc._voc._guard_panic("nope")


@pytest.mark.parametrize(
    "cls",
    [
        voc.risk.LogisticModel,
        voc.segment.KMeansModel,
        voc.text.TopicModel,
        voc.retention.BgNbdModel,
        voc.retention.GammaGammaModel,
        voc.retention.CoxModel,
        voc.uplift.UpliftModel,
    ],
)
@pytest.mark.parametrize("bad", [3, "bytes", None, [1, 2]])
def test_model_from_bytes_of_a_non_bytes_value_is_a_dtype_error(cls: type, bad: object) -> None:
    with pytest.raises(voc.errors.DtypeError) as e:
        cls.from_bytes(bad)
    assert e.value.arg == "data"


def test_table_column_names_are_read_as_text() -> None:
    with pytest.raises(voc.errors.InvalidOptionError, match="lone surrogate"):
        voc.Table("t", {"\ud800": [1.0]})
    with pytest.raises(voc.errors.DtypeError):
        voc.Table("t", {3: [1.0]})
