"""Linking VoC to business outcomes: correlations, outcomes by VoC class, theme impact, key drivers,
effect measurement (before/after, holdout, difference-in-differences, sample size) and ROI.

Methods, references and tolerances are described in ``docs/impact.md``.
"""

from __future__ import annotations

from typing import Any as _Any
from typing import Sequence as _Sequence

from voc import _voc
from voc import _args
from voc._voc import (
    BeforeAfterResult,
    ChiSquareResult,
    ClassRatioResult,
    ContingencyResult,
    CorrelationMatrix,
    CorrelationResult,
    DiffInDiffResult,
    DriverQuadrantsResult,
    FisherResult,
    HoldoutResult,
    KeyDriversResult,
    OutcomeByClassResult,
    OutcomeState,
    RateRatioResult,
    RoiResult,
    SampleSizeResult,
    ScoreChangeResult,
    Table,
    ThemeScoreImpactResult,
    WhatIfResult,
)

__all__: list[str] = []


# --- correlation ---


__all__ += ["CorrelationResult", "CorrelationMatrix", "correlation", "correlation_matrix"]


def correlation(
    data: _Any = None,
    /,
    *,
    x: _Any,
    y: _Any,
    method: str = "pearson",
    alternative: str = "two-sided",
    confidence: float = 0.95,
    variant: str = "b",
    missing: str = "error",
) -> CorrelationResult:
    """Correlation of two columns with its p-value and Fisher-z confidence interval.

    ``x`` and ``y`` are column names of ``data`` (a pandas / polars DataFrame, a :class:`voc.Table`, a
    pyarrow Table or a dict of columns) or columns themselves (numpy arrays, Series, pyarrow arrays,
    lists). ``method`` is ``"pearson"``, ``"spearman"`` (average ranks for ties), ``"kendall"`` (tau-b,
    or Stuart's tau-c with ``variant="c"``) or ``"point_biserial"`` (``x`` must be 0/1). Estimates and
    p-values match ``scipy.stats`` (``pearsonr``, ``spearmanr``, ``kendalltau``, ``pointbiserialr``)
    with the same ``alternative`` ("two-sided", "less", "greater"). A missing value (NaN, None, null) is
    a :class:`voc.MissingValueError` naming the argument and position, or with ``missing="skip"`` the
    pair is left out and counted in ``n_missing``; ``±inf`` is a :class:`voc.NonFiniteError`; a
    constant column is an :class:`voc.InsufficientDataError` (scipy returns NaN).

        >>> import voc
        >>> r = voc.impact.correlation(x=[1, 2, 3, 4, 5], y=[2, 1, 4, 3, 5])
        >>> round(r.estimate, 6), round(r.p_value, 6)
        (0.8, 0.104088)
        >>> voc.impact.correlation({"a": [1, 2, None, 4, 5, 6], "b": [2, 1, 4, 3, 5, 6]}, x="a", y="b",
        ...                        missing="skip").n_missing
        1
    """
    return _voc._impact_correlation(data, x, y, method, alternative, confidence, variant, missing)


def correlation_matrix(
    data: _Any,
    /,
    *,
    columns: _Sequence[str] | None = None,
    method: str = "pearson",
    missing: str = "error",
    alternative: str = "two-sided",
    variant: str = "b",
    confidence: float = 0.95,
) -> CorrelationMatrix:
    """Correlations of every pair of columns of a table, with p-values and pair counts.

    ``data`` is a :class:`voc.Table`, a pandas or polars DataFrame, a pyarrow Table or a dict of columns;
    ``columns`` picks and orders the columns (default: every numeric column). ``method`` is
    ``"pearson"``, ``"spearman"`` or ``"kendall"``. ``missing="error"`` (the default) raises on the first
    NaN or null, naming the column and row; ``missing="skip"`` leaves out every row with a missing value
    in any column (``n_missing`` says how many); ``missing="pairwise"`` uses, for each pair, the rows
    where both columns are present (``n`` says how many). ``pairs`` has each pair's ``estimate``,
    ``p_value``, Fisher-z interval at ``confidence`` (``ci_low``, ``ci_high``) and ``n``. A pair with fewer
    than 3 rows or a constant column has NaN estimate and p-value. Pairs are computed in parallel.

        >>> import voc
        >>> m = voc.impact.correlation_matrix({"nps": [9, 10, 3, 7, 8], "spend": [120, 150, 20, 60, 90],
        ...                                    "tickets": [0, 0, 4, 1, 1]}, method="spearman")
        >>> [round(float(v), 3) for v in m.pairs["estimate"]]
        [1.0, -0.949, -0.949]
        >>> m.estimate.to_pandas().set_index("column").loc["nps", "spend"]
        np.float64(1.0)
    """
    return _voc._impact_correlation_matrix(data, columns, method, missing, alternative, variant, confidence)


# --- end correlation ---

# --- key drivers ---


__all__ += ["KeyDriversResult", "DriverQuadrantsResult", "key_drivers", "driver_quadrants"]


def key_drivers(
    data: _Any,
    /,
    *,
    outcome: str,
    drivers: _Sequence[str] | None = None,
    method: str = "lmg",
    weights: _Any = None,
    resamples: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
    missing: str = "error",
) -> KeyDriversResult:
    """Key-driver analysis: how much of the outcome's explained variance (R²) each driver accounts for.

    ``method`` is ``"lmg"`` (Shapley-value regression / LMG, exact over all 2^p subsets, at most 20
    drivers; as R's relaimpo ``calc.relimp(type="lmg")``), ``"johnson"`` (Johnson's relative weights,
    identical to relaimpo's ``"genizi"``; as R's ``rwa``) or ``"both"`` (rows for each). ``data`` is a
    :class:`voc.Table`, pandas or polars DataFrame, pyarrow Table or dict of columns; ``outcome`` and
    ``drivers`` name its columns (``drivers=None``: every other column). ``weights`` (a column name or
    array) gives observation weights (as R's ``cov.wt``). ``resamples`` > 0 adds seeded percentile
    intervals from that many row resamples (100 to 100000). ``missing="skip"`` leaves out rows with a
    missing value (listwise; counted in ``n_missing``), ``"error"`` (default) raises naming the column
    and row.

    Returns a :class:`KeyDriversResult`: ``r2`` (with ``r2_ci_low`` / ``r2_ci_high``), ``n``,
    ``n_missing``, ``resamples``, ``seed``, and ``table``, one row per (method, driver):
    ``importance`` (R² units; sums to ``r2``), ``share`` (importance / R²), ``rank``, ``sign`` (sign of
    the driver's correlation with the outcome), the interval columns (NaN without resamples), ``r``
    (correlation), ``beta`` (standardised coefficient of the full model), ``first`` (R² alone) and
    ``last`` (R² lost when dropped).

    >>> import voc
    >>> data = {"nps": [9, 7, 3, 10, 6, 8, 2, 9, 5, 7], "speed": [5, 4, 2, 5, 3, 4, 1, 4, 3, 4],
    ...         "price": [4, 4, 3, 5, 2, 3, 2, 5, 2, 3], "support": [3, 4, 2, 4, 4, 3, 1, 5, 3, 3]}
    >>> kd = voc.impact.key_drivers(data, outcome="nps", drivers=["speed", "price", "support"])
    >>> list(kd.table["driver"]), [int(r) for r in kd.table["rank"]]
    (['speed', 'price', 'support'], [1, 3, 2])
    >>> round(float(kd.table["importance"].sum()), 12) == round(kd.r2, 12)
    True
    """
    return _voc._impact_key_drivers(data, outcome, drivers, weights, method, resamples, seed, confidence, missing)


def driver_quadrants(
    data: _Any,
    /,
    *,
    outcome: str,
    drivers: _Sequence[str] | None = None,
    method: str = "lmg",
    weights: _Any = None,
    performance: str = "mean",
    top_box: float | None = None,
    split: str = "median",
    missing: str = "error",
) -> DriverQuadrantsResult:
    """Importance × performance quadrants of the drivers (the classic key-driver chart).

    Importance is each driver's share of R² (``method`` ``"lmg"`` or ``"johnson"``, as
    :func:`key_drivers`); performance is the driver's (weighted) mean on its own scale, or with
    ``performance="top_box"`` the share of rows at or above ``top_box`` (e.g. 4 on a 1–5 scale). The
    lines (``importance_split``, ``performance_split``) are the median (``split="median"``) or mean over
    drivers; a value on a line counts as high. Quadrants: ``"fix first"`` (high importance, low
    performance), ``"maintain"`` (high, high), ``"low priority"`` (low, low), ``"overinvested"`` (low
    importance, high performance).

    >>> import voc
    >>> data = {"nps": [9, 7, 3, 10, 6, 8, 2, 9, 5, 7], "speed": [5, 4, 2, 5, 3, 4, 1, 4, 3, 4],
    ...         "price": [4, 4, 3, 5, 2, 3, 2, 5, 2, 3], "support": [3, 4, 2, 4, 4, 3, 1, 5, 3, 3]}
    >>> q = voc.impact.driver_quadrants(data, outcome="nps", drivers=["speed", "price", "support"])
    >>> list(q.table["quadrant"])
    ['maintain', 'overinvested', 'fix first']
    """
    return _voc._impact_driver_quadrants(data, outcome, drivers, weights, method, performance, top_box, split, missing)


# --- end key drivers ---

# --- outcomes, theme impact, effect measurement, ROI ---
# Methods, references and tolerances: docs/impact.md, "Outcomes by class, theme impact, effect
# measurement and ROI". The math lives in voc_core::impact::{contingency, outcome, theme, effect, roi}.


def outcome_by_class(
    data: _Any = None,
    /,
    *,
    by: _Any = None,
    nps: _Any = None,
    churned: _Any = None,
    spend: _Any = None,
    clv: _Any = None,
    repurchased: _Any = None,
    names: _Sequence[_Any] | None = None,
    confidence: float = 0.95,
    missing: str = "error",
) -> OutcomeByClassResult:
    """Churn (Wilson CI), ARPU and CLV (t CI) and repurchase (Wilson CI) per VoC class.

    Classes come from ``nps=`` (0-10 scores: detractor, passive, promoter) or ``by=`` (any labels,
    ordered and typed as ``voc.nps(..., by=)`` does: numbers by value and kept as numbers, strings by
    code point; ``names`` fixes their order and rejects other labels). Columns are names in ``data`` (a
    :class:`voc.Table`, pandas/polars DataFrame, pyarrow table or dict) or arrays. The result holds the
    ``table`` (one row per class, ``group`` first) and the chi-square test of churn × class
    (``statistic``, ``df``, ``p_value``, ``cramers_v``). With ``missing="skip"`` customers without a
    class (no NPS answer, no label) or with a missing outcome are left out and counted in ``n_missing``
    (per class in the table); by default they raise, naming the position.

    >>> import voc
    >>> r = voc.impact.outcome_by_class(by=[10, 9, 2, 10], churned=[0, 1, 1, 0])
    >>> r.table["group"].tolist(), r.table["churn_rate"].tolist()
    ([2, 9, 10], [1.0, 1.0, 0.0])
    >>> voc.impact.outcome_by_class(nps=[9, None, 3], churned=[0, 1, 1], missing="skip").n_missing
    1
    """
    state = outcome_state(data, by=by, nps=nps, churned=churned, spend=spend, clv=clv,
                          repurchased=repurchased, names=names, missing=missing)
    return state.finish(confidence=confidence)


def outcome_state(
    data: _Any = None,
    /,
    *,
    by: _Any = None,
    nps: _Any = None,
    churned: _Any = None,
    spend: _Any = None,
    clv: _Any = None,
    repurchased: _Any = None,
    names: _Sequence[_Any] | None = None,
    missing: str = "error",
) -> OutcomeState:
    """:func:`outcome_by_class` as a mergeable :class:`OutcomeState` of these rows (e.g. one partition):
    ``a.merge(b)``, ``to_bytes()`` / ``OutcomeState.from_bytes``, pickling, then ``finish(confidence=)``
    gives the result of :func:`outcome_by_class` on all rows. With ``by=`` labels, pass ``names`` so
    every part codes the classes alike (states of different classes refuse to merge).

    >>> import voc
    >>> a = voc.impact.outcome_state(nps=[9, 3, 10], churned=[0, 1, 0])
    >>> b = voc.impact.outcome_state(nps=[7, 2], churned=[0, 1])
    >>> a.merge(b)
    >>> a.finish().table["churn_rate"].tolist()
    [1.0, 0.0, 0.0]
    """
    return _voc._impact_outcome_state(
        data, by, nps, None if names is None else _args.names(names, "names"), churned, spend, clv, repurchased,
        missing,
    )


def class_ratio(
    data: _Any = None,
    /,
    *,
    numerator: _Any,
    denominator: _Any,
    measure: str = "spend",
    by: _Any = None,
    nps: _Any = None,
    churned: _Any = None,
    spend: _Any = None,
    clv: _Any = None,
    repurchased: _Any = None,
    names: _Sequence[_Any] | None = None,
    confidence: float = 0.95,
    missing: str = "error",
) -> ClassRatioResult:
    """Ratio of two classes' means (e.g. promoter ARPU / detractor ARPU), delta method on the log
    scale; for ``measure="churn"`` or ``"repurchase"`` also the 2x2 table's analysis
    (``contingency``: risk ratio (Katz), odds ratio (Woolf), chi-square and Fisher test).

    >>> import voc
    >>> r = voc.impact.class_ratio(nps=[9, 10, 3, 2], spend=[30.0, 50.0, 20.0, 20.0],
    ...                            numerator="promoter", denominator="detractor")
    >>> r.estimate
    2.0
    """
    return _voc._impact_class_ratio(
        data,
        by,
        nps,
        None if names is None else _args.names(names, "names"),
        churned,
        spend,
        clv,
        repurchased,
        measure,
        numerator,
        denominator,
        confidence,
        missing,
    )


def contingency(
    table: _Any, /, *, confidence: float = 0.95, yates: bool = True, zero_cells: str = "error"
) -> ContingencyResult:
    """Everything about a 2x2 table ``[[a, b], [c, d]]`` (rows exposed/unexposed, columns event/no event):
    risk difference (Wald interval and z test: ``estimate``, ``ci_low``, ``ci_high``, ``p_value``), risk
    ratio (Katz log), odds ratio (Woolf logit), chi-square (Yates by default) with Cramér's V, Fisher's
    exact test. ``zero_cells="haldane"`` adds 0.5 to every cell when one is zero; the default
    (``"error"``) raises. Larger tables: see :func:`chi_square`.

    >>> import voc
    >>> r = voc.impact.contingency([[30, 70], [10, 90]])
    >>> round(r.estimate, 2), round(r.risk_ratio, 2)
    (0.2, 3.0)
    """
    return _voc._impact_two_by_two(table, confidence, yates, zero_cells)


def chi_square(table: _Any, /, *, yates: bool = True) -> ChiSquareResult:
    """Pearson chi-square test of an r x c table with Cramér's V, as ``scipy.stats.chi2_contingency``
    (Yates correction for one degree of freedom unless ``yates=False``).

    >>> import voc
    >>> voc.impact.chi_square([[10, 20, 30], [20, 20, 10]]).df
    2
    """
    return _voc._impact_chi_square(table, yates)


def fisher_exact(table: _Any, /) -> FisherResult:
    """Fisher's exact test of a 2x2 table, as ``scipy.stats.fisher_exact`` (two-sided ``p_value``,
    ``p_less``, ``p_greater``).

    >>> import voc
    >>> round(voc.impact.fisher_exact([[8, 2], [1, 5]]).p_value, 4)
    0.035
    """
    return _voc._impact_fisher_exact(table)


def theme_impact(
    data: _Any,
    /,
    *,
    churned: _Any,
    themes: str | _Sequence[str] = "theme_",
    value: _Any = None,
    exclude: _Sequence[str] = ("praise",),
    confidence: float = 0.95,
    test: str = "fisher",
    adjust: str = "holm",
    zero_cells: str = "error",
) -> Table:
    """Churn of customers who raised each theme against those who did not, ranked by excess revenue.

    ``themes`` is a column prefix (default ``"theme_"``, the columns of ``EventLog.features``) or a list
    of column names; a value > 0 means raised. ``value`` (e.g. ``"monetary"``) weights revenue at risk.
    A missing value (NaN, null) in a theme, ``churned`` or ``value`` is a :class:`voc.MissingValueError`
    naming its position: nothing is filled in. ``zero_cells="error"`` (the default) leaves the risk
    ratio of a theme with an empty cell NaN; ``"haldane"`` adds 0.5 to that theme's cells.

    >>> import voc
    >>> t = voc.impact.theme_impact({"theme_refund": [1, 1, 0, 0, 1, 0], "theme_price": [0, 1, 1, 0, 0, 0]},
    ...                             churned=[1, 1, 0, 0, 1, 0])
    >>> list(t["theme"])
    ['refund', 'price']
    """
    return _voc._impact_theme_impact(data, themes, churned, value, exclude, confidence, test, adjust, zero_cells)


def before_after(
    before: tuple[float, float], after: tuple[float, float], /, *, confidence: float = 0.95
) -> BeforeAfterResult:
    """Change in a rate, each period given as (events, customers): ``estimate`` (after - before) with
    its Wald interval and pooled z test, Wilson intervals of each rate, ratio after/before (Katz).

    >>> import voc
    >>> r = voc.impact.before_after((120, 1000), (80, 1000))
    >>> round(r.estimate, 3), round(r.p_value, 4)
    (-0.04, 0.0029)
    """
    return _voc._impact_before_after(before, after, confidence)


def rate_ratio(
    count1: float, exposure1: float, count2: float, exposure2: float, /, *, confidence: float = 0.95
) -> RateRatioResult:
    """Poisson rate ratio (count1/exposure1) / (count2/exposure2), e.g. negative mentions per day after a
    fix vs before: Wald-log CI and p (statsmodels ``"wald-log"``), exact conditional p and CI.

    >>> import voc
    >>> round(voc.impact.rate_ratio(90, 30, 300, 30).estimate, 2)
    0.3
    """
    return _voc._impact_rate_ratio(count1, exposure1, count2, exposure2, confidence)


def holdout(
    treated: tuple[float, float], control: tuple[float, float], /, *, confidence: float = 0.95
) -> HoldoutResult:
    """Treated vs control churn, each (churned, customers): ``estimate`` (treated - control) with
    Newcombe's CI, pooled z ``p_value``, risk ratio (Katz) and relative reduction 1 - RR with its CI.

    >>> import voc
    >>> h = voc.impact.holdout((80, 1000), (120, 1000))
    >>> round(h.estimate, 3), round(h.relative_reduction, 3)
    (-0.04, 0.333)
    """
    return _voc._impact_holdout(treated, control, confidence)


def diff_in_diff(
    data: _Any = None,
    /,
    *,
    y: _Any = None,
    treated: _Any = None,
    after: _Any = None,
    cells: _Sequence[_Sequence[float]] | None = None,
    se: str = "hc1",
    confidence: float = 0.95,
) -> DiffInDiffResult:
    """Difference-in-differences (treated_after - treated_before) - (control_after - control_before).

    From rows (``y`` outcome, ``treated`` and ``after`` 0/1 flags) or from four ``cells`` (mean,
    ddof-1 variance, n) ordered treated-before, treated-after, control-before, control-after. The SE
    is HC1 (normal p; ``se="hc1"``) or the pooled OLS one (t with N - 4 df; ``se="pooled"``), as
    statsmodels OLS with an interaction term.

    >>> import voc
    >>> r = voc.impact.diff_in_diff(cells=[(0.30, 0.21, 500), (0.22, 0.17, 500), (0.31, 0.21, 500),
    ...                                    (0.30, 0.21, 500)])
    >>> round(r.estimate, 2)
    -0.07
    """
    return _voc._impact_diff_in_diff(data, cells, y, treated, after, se, confidence)


def sample_size(
    p_control: float,
    p_treated: float,
    /,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    method: str = "cohen_h",
) -> SampleSizeResult:
    """Treated customers (and ``ratio`` x as many controls) to detect ``p_treated`` vs ``p_control``.
    ``method="cohen_h"`` as statsmodels ``NormalIndPower`` with ``proportion_effectsize``;
    ``"classic"`` as ``samplesize_proportions_2indep_onetail``.

    >>> import voc
    >>> round(voc.impact.sample_size(0.20, 0.16).n_treated)
    1444
    """
    return _voc._impact_sample_size(p_control, p_treated, None, alpha, power, ratio, method)


def minimum_detectable_effect(
    p_control: float,
    n_treated: float,
    /,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    method: str = "cohen_h",
) -> SampleSizeResult:
    """The lowest treated rate (a fall from ``p_control``) that ``n_treated`` customers detect.

    >>> import voc
    >>> voc.impact.minimum_detectable_effect(0.20, 2000).p_treated < 0.2
    True
    """
    return _voc._impact_sample_size(p_control, None, n_treated, alpha, power, ratio, method)


def roi(
    *,
    churn_reduction: float | None = None,
    churn_reduction_ci: tuple[float, float] | None = None,
    holdout: HoldoutResult | None = None,
    customers: float = 0.0,
    clv: float = 0.0,
    contacts_avoided: float = 0.0,
    cost_per_contact: float = 0.0,
    program_cost: float = 0.0,
    horizon_months: float = 12.0,
) -> RoiResult:
    """Value of churn reduction (reduction x customers x CLV, CI carried from the reduction's CI),
    cost-to-serve savings, net benefit, ROI (``estimate``) and payback in months. ``holdout=`` takes the
    reduction and its CI from :func:`holdout` (control - treated).

    >>> import voc
    >>> h = voc.impact.holdout((80, 1000), (120, 1000))
    >>> r = voc.impact.roi(holdout=h, customers=50_000, clv=300, program_cost=150_000)
    >>> round(r.churn_value), round(r.estimate, 2)
    (600000, 3.0)
    """
    ci = None if churn_reduction_ci is None else _args.real_pair(churn_reduction_ci, "churn_reduction_ci")
    if holdout is not None and not isinstance(holdout, HoldoutResult):
        raise _args.DtypeError(f"holdout: expected a HoldoutResult (from voc.impact.holdout), got "
                               f"{type(holdout).__name__}", "holdout")
    return _voc._impact_roi(
        None if churn_reduction is None else churn_reduction,
        ci,
        holdout,
        customers,
        clv,
        contacts_avoided,
        cost_per_contact,
        program_cost,
        horizon_months,
    )



def what_if(
    data: _Any, /, *, shift: str = "detractors_to_passives", share: float = 0.1
) -> WhatIfResult:
    """Move ``share`` of one NPS class to another and report NPS and expected retained revenue
    (sum of n x ARPU x (1 - churn)) before and after.

    ``data`` is the result of :func:`outcome_by_class` with ``nps=`` (or its ``table``; needs ``arpu``
    and ``churn_rate``) or a dict ``{"detractor": (n, arpu, churn), "passive": ..., "promoter": ...}``.

    >>> import voc
    >>> w = voc.impact.what_if({"detractor": (300, 80, 0.3), "passive": (300, 100, 0.15),
    ...                         "promoter": (400, 130, 0.08)}, share=0.1)
    >>> round(w.nps_change, 6)
    3.0
    """
    return _voc._impact_what_if(data, shift, share)


__all__ += [
    "OutcomeByClassResult",
    "ClassRatioResult",
    "ContingencyResult",
    "ChiSquareResult",
    "FisherResult",
    "BeforeAfterResult",
    "RateRatioResult",
    "HoldoutResult",
    "DiffInDiffResult",
    "SampleSizeResult",
    "RoiResult",
    "WhatIfResult",
    "outcome_by_class",
    "outcome_state",
    "OutcomeState",
    "class_ratio",
    "contingency",
    "chi_square",
    "fisher_exact",
    "theme_impact",
    "before_after",
    "rate_ratio",
    "holdout",
    "diff_in_diff",
    "sample_size",
    "minimum_detectable_effect",
    "roi",
    "what_if",
]

# --- end outcomes, theme impact, effect measurement, ROI ---

# --- theme impact on a score, why the score moved ---
# Methods and definitions: docs/impact.md, "Theme impact on a score". The math lives in
# voc_core::impact::score_themes.

__all__ += ["ThemeScoreImpactResult", "ScoreChangeResult", "theme_score_impact", "score_change"]


def theme_score_impact(
    data: _Any = None,
    /,
    *,
    scores: _Any,
    themes: _Any,
    metric: str = "nps",
    satisfied_from: float = 4,
    resamples: int = 1000,
    shapley: str = "auto",
    permutations: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    missing: str = "error",
) -> ThemeScoreImpactResult:
    """How many points of NPS (CSAT, CES or any numeric score) each theme of the verbatims costs.

    ``scores`` is the score column (a name in ``data`` or a column). ``themes`` says which themes each
    answer mentions (a value > 0, or True): a table of indicator columns such as
    ``voc.text.themes().indicators(texts)``, a 2-D array, a list of column names of ``data``, or a
    column prefix of ``data``. ``metric`` is ``"nps"`` (answers 0-10 count +100, 0, -100: points),
    ``"csat"`` (percent of answers >= ``satisfied_from``), ``"ces"`` or ``"mean"`` (the mean answer).

    Per theme (the ``table``): ``mentions`` and ``share``; the score among the answers that mention it
    (``score_mentioned``) and among the rest (``score_rest``) with Student-t intervals, their
    ``difference`` with Welch's interval and ``p_value`` (``p_adjusted``: Holm over the themes);
    ``removal_impact`` = score of all answers - score without the answers that mention the theme
    (Thematic's definition; negative: the theme costs points) with a seeded percentile-bootstrap
    interval from ``resamples`` resamples (0: none); ``shapley``, the theme's share of
    ``score - score_no_theme`` (the values add up to it exactly), exact up to 15 themes
    (``shapley="auto"``; ``"exact"`` allows 20) and from ``permutations`` seeded random orders above
    (``"permutation"``), with its Monte Carlo standard error ``shapley_se`` (0 when exact). NaN in the
    table: a side with no answers (or one, for an interval), or no answer that mentions no theme (for
    ``shapley``). ``missing="skip"`` leaves out answers with a missing score or indicator
    (``n_missing``).

    >>> import voc
    >>> r = voc.impact.theme_score_impact(
    ...     scores=[2, 3, 10, 9, 6, 10, 9, 8],
    ...     themes={"refund": [1, 1, 0, 0, 1, 0, 0, 0], "delivery": [0, 1, 1, 0, 0, 0, 0, 0]},
    ...     resamples=0)
    >>> r.score, r.score_no_theme
    (12.5, 75.0)
    >>> t = r.table.to_pandas().set_index("theme")
    >>> t.loc["refund", "removal_impact"], t.loc["refund", "score_mentioned"]
    (np.float64(-67.5), np.float64(-100.0))
    >>> round(float(t["shapley"].sum()), 9) == r.score - r.score_no_theme
    True
    """
    return _voc._impact_theme_score_impact(
        data, scores, themes, metric, satisfied_from, resamples, shapley, permutations, seed, confidence, missing
    )


def score_change(
    data: _Any = None,
    /,
    *,
    scores: _Any,
    themes: _Any,
    by: _Any,
    metric: str = "nps",
    satisfied_from: float = 4,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    missing: str = "error",
) -> ScoreChangeResult:
    """Why the score moved: the change between consecutive groups of ``by`` (periods or segments, in
    label order) split per theme into a mix part and a rate part that add up to the change.

    ``scores``, ``themes`` and ``metric`` are read as in :func:`theme_score_impact`. Themes overlap, so
    an answer that mentions m themes counts 1/m towards each; answers that mention none form a last
    part (``theme`` None). Per part: ``share_before`` / ``share_after`` (they add up to 1 in each
    group), ``score_before`` / ``score_after``, ``mix`` = change of share x (the part's mean score -
    the mean of the two overall scores), ``rate`` = mean share x change of the part's score, and
    ``total`` = mix + rate; the totals of a pair add up to its ``change`` exactly. Intervals are
    seeded percentile-bootstrap intervals (each group resampled on its own; ``resamples=0``: none).
    With more than two groups the table holds every consecutive pair (a trend's "drivers of the
    change"); the headline fields are those of the last pair.

    >>> import voc
    >>> r = voc.impact.score_change(
    ...     scores=[2, 3, 10, 9, 4, 10, 9, 10],
    ...     themes={"refund": [1, 1, 0, 0, 1, 0, 0, 0]},
    ...     by=["2025-05", "2025-05", "2025-05", "2025-05", "2025-06", "2025-06", "2025-06", "2025-06"],
    ...     resamples=0)
    >>> r.score_before, r.score_after, r.change
    (0.0, 50.0, 50.0)
    >>> r.table["theme"], [round(float(x), 2) for x in r.table["mix"]], [round(float(x), 2) for x in r.table["rate"]]
    (['refund', None], [31.25, 18.75], [0.0, 0.0])
    """
    return _voc._impact_score_change(
        data, scores, themes, by, metric, satisfied_from, resamples, seed, confidence, missing
    )


# --- end theme impact on a score ---
