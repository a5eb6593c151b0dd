"""Finding NaN and infinities in what voc returns (issue 16: "a NaN or inf in a result is either impossible
or explained by a documented field").

``nonfinite(result, function)`` walks a result — a float, a numpy array, a ``voc.Table``, a typed result
and the results, tables and arrays it holds — and yields one ``Found`` per non-finite float: the owner
(the result class name, ``Table[<kind>]`` for a table's column, the function's name for a float or array
it returns), the field, the value and, for a table, the row.

``unexplained(result, function)`` keeps those that nothing explains. A value is explained by the
``undefined_reason`` of its row or result when that is set, or by an entry of ``EXPLAINED``, the one
allowlist, keyed by (owner, field): each entry says why the value may be NaN or infinite and checks the
field that says so (a count of 0, ``resamples`` 0, a +inf that is the documented convention). Every entry
is documented in docs/reliability/values.md §3; ``test_fuzz_api.py`` asserts that no valid result of the
fuzz corpus holds an unexplained one, and ``scripts/nan_census.py`` counts what the corpus gives.
"""

from __future__ import annotations

import fnmatch
import inspect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

import voc


@dataclass(frozen=True)
class Found:
    owner: str  # result class name, "Table[<kind>]", or the function's name for a returned float / array
    field: str  # attribute or column ("<return>" for a returned float / array)
    value: float
    row: int | None  # row of a Table column, index in an array or list; None for a scalar field
    obj: Any  # the result or Table holding the field
    parent: Any = None  # the result holding that Table (None for a Table returned on its own)

    def key(self) -> tuple[str, str]:
        return (self.owner, self.field)


# A check receives what was found and says whether the result explains the value there.
Check = Callable[[Found], bool]


def cell(f: Found, column: str) -> Any:
    """The value of `column` in the row of `f` (a Table's row), or None."""
    t = f.obj
    if f.row is None or not isinstance(t, voc.Table) or column not in t.columns:
        return None
    return t[column][f.row]


def missing(v: Any) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and math.isnan(v))


def count_below(column: str, limit: int) -> Check:
    """The row's count `column` is below `limit` (e.g. `nps_n` 0, `n` < 2)."""
    return lambda f: (v := cell(f, column)) is not None and v < limit


def attr_below(name: str, limit: float) -> Check:
    return lambda f: (v := getattr(f.obj, name, None)) is not None and v < limit


def any_of(*checks: Check) -> Check:
    return lambda f: any(c(f) for c in checks)


def positive_inf(f: Found) -> bool:
    return f.value == math.inf


def zero_cell(f: Found) -> bool:
    """A cell of the theme's 2×2 table (churned or not × raised or not) is 0."""
    try:
        cr, nr, cn, nn = (cell(f, c) for c in ("churned_raised", "n_raised", "churned_not", "n_not"))
        return min(cr, nr - cr, cn, nn - cn) == 0
    except TypeError:
        return False


def not_yet_observed(f: Found) -> bool:
    """The NaN cells of each cohort's row of the retention matrix are the months after the end."""
    m = np.asarray(f.obj.retention, dtype=float)
    for row in m:
        bad = np.flatnonzero(np.isnan(row))
        if len(bad) and not (bad == np.arange(bad[0], len(row))).all():
            return False
    return True


def bootstrap_off(f: Found) -> bool:
    """No bootstrap interval: no resamples asked, or every resample left out (singular)."""
    r = f.parent if f.parent is not None else f.obj
    return r.resamples == 0 or r.resamples_skipped >= r.resamples


def pair_undefined(f: Found) -> bool:
    """A square correlation table's cell: the pair's row of `.pairs` gives its `undefined_reason`."""
    m = f.parent
    if m is None or f.row is None:
        return False
    row_name = f.obj["column"][f.row]
    pairs = m.pairs
    for a, b, why in zip(pairs["a"], pairs["b"], pairs["undefined_reason"]):
        if {a, b} == {row_name, f.field} and why is not None:
            return True
    return False


def echoed(_f: Found) -> bool:
    return True


# (owner, field) → (why, check); owners and fields may be fnmatch patterns. Keep in step with
# docs/reliability/values.md §3, which documents every entry.
EXPLAINED: dict[tuple[str, str], tuple[str, Check]] = {}


def explain(owners: list[str], fields: list[str], why: str, check: Check) -> None:
    for o in owners:
        for f in fields:
            EXPLAINED[(o, f)] = (why, check)


METRIC_RESULTS = ["NpsResult", "CsatResult", "CesResult"]
METRIC_TABLES = ["Table[nps *]", "Table[csat *]", "Table[ces *]"]
explain(METRIC_RESULTS, ["sd", "variance", "mean_ci_low", "mean_ci_high"],
        "ddof = 1 spread and the Student-t interval of the mean need two effective responses",
        any_of(attr_below("n", 2), attr_below("n_eff", 2)))
explain(METRIC_TABLES, ["sd", "variance", "mean_ci_low", "mean_ci_high"],
        "as for a single result, per row: `n` or `n_eff` below 2",
        any_of(count_below("n", 2), count_below("n_eff", 2)))
explain(METRIC_TABLES, ["change", "change_se", "change_ci_low", "change_ci_high", "statistic", "p_value",
                        "p_adjusted", "previous"],
        "no previous period with a result (the first one, or one whose metric is undefined)",
        lambda f: f.row == 0 or missing(cell(f, "previous")) or cell(f, "undefined_reason") is not None)
explain(["KaplanMeierResult", "Table[kaplan_meier_medians]"], ["median", "median_ci_low", "median_ci_high"],
        "+inf: the curve (or the interval's bound) never falls to one half (lifelines' convention)",
        positive_inf)
explain(["Table[loop metrics]"], ["contact_p*", "close_p*"],
        "+inf: too few cases are contacted / closed for the curve (or the bound) to reach the percentile",
        positive_inf)
explain(["Table[loop metrics]"], ["sla_rate", "sla_ci_low", "sla_ci_high"],
        "no case is due for the SLA yet (`sla_due` = 0)", count_below("sla_due", 1))
explain(["Table[recovery]"], ["recovered_rate", "recovered_ci_low", "recovered_ci_high", "promoted_rate",
                              "promoted_ci_low", "promoted_ci_high"],
        "no detractor answered after the closing (`answered` = 0)", count_below("answered", 1))
explain(["Table[recovery]"], ["nps_before", "nps_after", "nps_change", "nps_change_ci_low", "nps_change_ci_high",
                              "nps_change_p_value"],
        "fewer than two answer pairs (`pairs` < 2); the p-value also when every pair changed alike",
        lambda f: cell(f, "pairs") < 2 or (f.field == "nps_change_p_value" and cell(f, "nps_change_ci_low")
                                            == cell(f, "nps_change_ci_high")))
explain(["Table[recovery]"], ["repurchase_rate", "repurchase_ci_low", "repurchase_ci_high"],
        "no closed case's window ended by the last event (`repurchase_eligible` = 0)",
        count_below("repurchase_eligible", 1))
explain(["Table[sla trend]"], ["change", "change_se", "change_ci_low", "change_ci_high", "statistic", "p_value",
                               "p_adjusted"],
        "no previous period with due cases, or the test is undefined (no spread: every due case met, or none, "
        "in both periods)",
        lambda f: missing(cell(f, "previous")) or cell(f, "sla_rate") in (0.0, 1.0))
explain(["Table[coverage]"], ["coverage", "coverage_ci_low", "coverage_ci_high"],
        "no trigger in the group (`triggers` = 0)", count_below("triggers", 1))
explain(["Table[coverage]"], ["in_sla_rate", "in_sla_ci_low", "in_sla_ci_high"],
        "no trigger is due for the SLA yet (`in_sla_due` = 0)", count_below("in_sla_due", 1))
explain(["Table[outcome by sla class]"], ["mean"], "no customer in the class (`n` = 0)", count_below("n", 1))
explain(["Table[ipw comparisons]"], ["p_value"],
        "the weighted outcome has no spread in either class (`se` = 0)", lambda f: cell(f, "se") == 0.0)
explain(["Table[covariate balance]"], ["smd_before", "smd_after"],
        "the covariate is constant in both classes (pooled SD 0)", lambda f: True)
explain(["KeyDriversResult"], ["r2_ci_low", "r2_ci_high"],
        "bootstrap interval: NaN when `resamples` is 0 or every resample was singular "
        "(`resamples_skipped` = `resamples`)", bootstrap_off)
explain(["Table[key drivers]"], ["ci_low", "ci_high", "share_ci_low", "share_ci_high"],
        "as `KeyDriversResult.r2_ci_low`", bootstrap_off)
explain(["CohortResult"], ["retention"],
        "months after `observation_end` are not yet observed: NaN ends each cohort's row", not_yet_observed)
explain(["Table[repurchase]"], ["repurchase_rate"],
        "no customer of the cohort is `eligible` (their window ends after the data)", count_below("eligible", 1))
explain(["GammaGammaModel"], ["mean_spend"],
        "+inf: the population mean p·v/(q − 1) is infinite when q ≤ 1",
        lambda f: f.value == math.inf and f.obj.q <= 1)
explain(["Table[segment profile]"], ["nps", "nps_low", "nps_high"],
        "the segment has no NPS answers (`nps_n` = 0)", count_below("nps_n", 1))
explain(["Table[segment profile]"], ["share", "churn_rate", "churn_low", "churn_high", "mean_value"],
        "an empty segment (`size` = 0)", count_below("size", 1))
explain(["Table[outcome_by_class]"], ["churn_rate", "churn_rate_ci_low", "churn_rate_ci_high", "arpu"],
        "no customer in the class (`n` = 0)", count_below("n", 1))
explain(["Table[outcome_by_class]"], ["arpu_ci_low", "arpu_ci_high", "arpu_sd"],
        "the spread (ddof = 1) and the t interval need two customers (`n` < 2)", count_below("n", 2))
explain(["Table[theme_impact]"], ["rate_raised"], "no customer raised the theme (`n_raised` = 0)",
        count_below("n_raised", 1))
explain(["Table[theme_impact]"], ["rate_not"], "every customer raised the theme (`n_not` = 0)",
        count_below("n_not", 1))
explain(["Table[theme_impact]"], ["risk_ratio", "risk_ratio_ci_low", "risk_ratio_ci_high", "risk_difference",
                                  "risk_difference_ci_low", "risk_difference_ci_high"],
        "a cell of the theme's 2×2 table is 0 (`churned_raised`, `n_raised` − `churned_raised`, "
        "`churned_not` or `n_not` − `churned_not`): the log / Wald interval is undefined", zero_cell)
explain(["Table[correlation pairs]"], ["estimate", "p_value", "ci_low", "ci_high"],
        "the pair's `undefined_reason` (fewer than 3 complete rows, a constant column)",
        lambda f: cell(f, "undefined_reason") is not None)
explain(["CorrelationMatrix"], ["*"], "as the pair's `undefined_reason` in `.pairs`", pair_undefined)
explain(["Table[correlation matrix]", "Table[correlation p-values]"], ["*"],
        "as the pair's `undefined_reason` in `.pairs`", pair_undefined)
explain(["voc.stats.adjust_p_values"], ["<return>"],
        "a NaN p-value given is left out of the family and stays NaN", echoed)
# Identifiers and labels are the caller's, echoed unchanged (the label coder takes any number as a
# label); they are not computed values.
explain(["Table[churn alerts]", "Table[lifecycle stages]", "Table[rfm segments]",
         "Table[value × voice segments]"], ["customer_id"], "the caller's identifier, echoed", echoed)
explain(["Table[rfm_summary]", "Table[calibration_holdout]"], ["customer"], "the caller's identifier, echoed",
        echoed)
explain(["Table[segment profile]"], ["segment"], "the caller's segment label, echoed", echoed)
explain(["Table[* by *]"], ["group"], "the caller's group label, echoed", echoed)
explain(["Table[seasonal alerts]"], ["ratio"], "nothing was expected: a trailing baseline of zeros",
        lambda f: cell(f, "expected") == 0)
explain(["Table[score alerts]"], ["upper"], "a lower-side alert has no upper bound (`side` = \"lower\")",
        lambda f: f.parent is not None and f.parent.side == "lower")
explain(["Table[score alerts]"], ["lower"], "an upper-side alert has no lower bound (`side` = \"upper\")",
        lambda f: f.parent is not None and f.parent.side == "upper")


def _lookup(key: tuple[str, str]) -> tuple[str, Check] | None:
    if key in EXPLAINED:
        return EXPLAINED[key]
    for (o, f), entry in EXPLAINED.items():
        # "[" is literal in owners ("Table[kind]"): only "*" is a wildcard.
        if fnmatch.fnmatchcase(key[0], o.replace("[", "[[]")) and fnmatch.fnmatchcase(key[1], f):
            return entry
    return None


def is_explained(found: Found) -> bool:
    """Explained by the allowlist, or by the `undefined_reason` of its row or result."""
    if found.field == "undefined_reason":
        return True
    if isinstance(found.obj, voc.Table):
        if cell(found, "undefined_reason") is not None:
            return True
    elif getattr(found.obj, "undefined_reason", None) is not None:
        return True
    entry = _lookup(found.key())
    return entry is not None and entry[1](found)


def _float_array(v: Any) -> bool:
    return isinstance(v, np.ndarray) and v.dtype.kind in "fc"


def _walk_table(t: voc.Table, parent: Any = None) -> Iterator[Found]:
    owner = f"Table[{t.kind}]"
    for name in t.columns:
        col = t[name]
        if _float_array(col):
            for r in np.flatnonzero(~np.isfinite(col)):
                yield Found(owner, name, float(np.real(col[r])), int(r), t, parent)
        elif isinstance(col, list):
            for r, v in enumerate(col):
                if isinstance(v, float) and not math.isfinite(v):
                    yield Found(owner, name, v, r, t, parent)


def _public_values(obj: Any) -> Iterator[tuple[str, Any]]:
    cls = type(obj)
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(cls, name, None)
        if callable(attr) and not isinstance(attr, property) and type(attr).__name__ != "getset_descriptor":
            continue
        try:
            yield name, getattr(obj, name)
        except Exception:  # noqa: BLE001 (a getter that fails on a valid result is reported by its own test)
            continue


def _is_voc_object(v: Any) -> bool:
    return type(v).__module__.startswith("voc") and not isinstance(v, type)


def nonfinite(result: Any, function: str = "", depth: int = 0) -> Iterator[Found]:
    """Every non-finite float in `result` and in what it holds (results, Tables, arrays, tuples, lists,
    dicts); a float or array returned directly is owned by `function`."""
    if depth > 4:
        return
    if isinstance(result, (float, np.floating)):
        if not math.isfinite(float(result)):
            yield Found(function, "<return>", float(result), None, result)
        return
    if isinstance(result, voc.Table):
        yield from _walk_table(result)
        return
    if _float_array(result):
        for r in np.flatnonzero(~np.isfinite(np.ravel(result))):
            yield Found(function, "<return>", float(np.real(np.ravel(result)[r])), int(r), result)
        return
    if isinstance(result, (list, tuple)):
        for i, v in enumerate(result[:1000]):
            if isinstance(v, (float, np.floating)) and not math.isfinite(float(v)):
                yield Found(function, "<return>", float(v), i, result)
            elif _is_voc_object(v):
                yield from nonfinite(v, function, depth + 1)
        return
    if not _is_voc_object(result):
        return
    cls = type(result).__name__
    for name, value in _public_values(result):
        yield from _value(value, cls, name, result, function, depth)


def _value(value: Any, cls: str, name: str, obj: Any, function: str, depth: int) -> Iterator[Found]:
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            yield Found(cls, name, float(value), None, obj)
    elif isinstance(value, voc.Table):
        yield from _walk_table(value, obj)
    elif _float_array(value):
        flat = np.ravel(value)
        for r in np.flatnonzero(~np.isfinite(flat)):
            yield Found(cls, name, float(np.real(flat[r])), int(r), obj)
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value[:1000]):
            if isinstance(v, (float, np.floating)) and not math.isfinite(float(v)):
                yield Found(cls, name, float(v), i, obj)
            elif _is_voc_object(v) and not callable(v):
                yield from nonfinite(v, function, depth + 1)
    elif isinstance(value, dict):
        for k, v in list(value.items())[:1000]:
            if isinstance(v, (float, np.floating)) and not math.isfinite(float(v)):
                yield Found(cls, f"{name}[{k}]", float(v), None, obj)
    elif _is_voc_object(value) and not callable(value):
        yield from nonfinite(value, function, depth + 1)


def unexplained(result: Any, function: str = "") -> list[Found]:
    """The non-finite floats of `result` that neither `EXPLAINED` nor an `undefined_reason` accounts for."""
    return [f for f in nonfinite(result, function) if not is_explained(f)]


# --- voc.impact.theme_score_impact / score_change (issue 19) ---


def _no_welch(f: Found) -> bool:
    """Welch's test needs two answers on each side and some spread on one of them."""
    m, r = cell(f, "mentions"), cell(f, "rest")
    if m is None or r is None:
        return False
    if m < 2 or r < 2:
        return True
    return (cell(f, "score_mentioned_ci_low") == cell(f, "score_mentioned_ci_high")
            and cell(f, "score_rest_ci_low") == cell(f, "score_rest_ci_high"))


def _no_resamples(f: Found) -> bool:
    return f.parent is not None and f.parent.resamples == 0


def _no_answer_without_theme(f: Found) -> bool:
    return f.parent is not None and f.parent.score_no_theme is None


explain(["Table[theme_score_impact]"], ["score_mentioned"], "no answer mentions the theme (`mentions` = 0)",
        count_below("mentions", 1))
explain(["Table[theme_score_impact]"], ["score_rest", "removal_impact"],
        "every answer mentions the theme (`rest` = 0)", count_below("rest", 1))
explain(["Table[theme_score_impact]"], ["score_mentioned_ci_low", "score_mentioned_ci_high"],
        "the t interval needs two answers (`mentions` < 2)", count_below("mentions", 2))
explain(["Table[theme_score_impact]"], ["score_rest_ci_low", "score_rest_ci_high"],
        "the t interval needs two answers (`rest` < 2)", count_below("rest", 2))
explain(["Table[theme_score_impact]"], ["difference"], "a side is empty (`mentions` or `rest` = 0)",
        any_of(count_below("mentions", 1), count_below("rest", 1)))
explain(["Table[theme_score_impact]"], ["difference_ci_low", "difference_ci_high", "p_value", "p_adjusted"],
        "Welch's test needs two answers on each side (`mentions`, `rest`) and a side that varies", _no_welch)
explain(["Table[theme_score_impact]"], ["removal_ci_low", "removal_ci_high"],
        "no bootstrap (`resamples` = 0) or the removal impact is undefined (`rest` below 2)",
        any_of(_no_resamples, count_below("rest", 2)))
explain(["Table[theme_score_impact]"], ["shapley", "shapley_se"],
        "no answer mentions no theme (`score_no_theme` is None): the Shapley total is undefined",
        _no_answer_without_theme)
explain(["Table[score_change]"], ["score_before"], "no answer of the group before falls in the part "
        "(`share_before` = 0)", lambda f: cell(f, "share_before") == 0)
explain(["Table[score_change]"], ["score_after"], "no answer of the group after falls in the part "
        "(`share_after` = 0)", lambda f: cell(f, "share_after") == 0)
explain(["Table[score_change]"], ["mix_ci_low", "mix_ci_high", "rate_ci_low", "rate_ci_high", "total_ci_low",
                                  "total_ci_high"], "no bootstrap (`resamples` = 0)", _no_resamples)
