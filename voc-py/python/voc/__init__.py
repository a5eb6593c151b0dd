"""voc — Voice-of-Customer analytics with a Rust core.

Survey metrics with named, tested intervals and significance tests::

    >>> import voc
    >>> r = voc.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 10])
    >>> round(r.nps, 1)
    40.0

See ``voc.metrics`` (NPS, CSAT, CES: one-shot functions and mergeable states), ``voc.stats`` (intervals
and tests on summary numbers), ``voc.signals`` (per-customer churn signals from multi-channel events),
``voc.risk`` (churn model, evaluation, thresholds and alerts with reasons), ``voc.segment`` (value × voice,
RFM, k-means, lifecycle segments and their profiles), ``voc.retention`` (Kaplan–Meier, Cox, cohorts, BG/NBD
and Gamma-Gamma CLV), ``voc.impact`` (VoC linked to churn and revenue: correlations, key drivers,
effect measurement, ROI), ``voc.text`` (themes, mention rates, sentiment, topics), ``voc.sample`` (simulated
data), ``voc.errors`` (the exception tree), ``voc.plot`` (matplotlib charts) and ``voc.dask`` (the same
metrics, mention rates and churn signals on Dask).
"""

from voc import errors, impact, metrics, retention, risk, sample, segment, signals, stats, text
from voc import dask, plot  # optional extras (dask, matplotlib), imported on first use
from voc import anomaly, followup, uplift
from voc._voc import (
    CesResult,
    CesState,
    CsatResult,
    CsatState,
    GroupedResult,
    NpsResult,
    NpsState,
    Table,
    TestResult,
    __version__,
    ces,
    compare,
    csat,
    nps,
    nps_test,
)
from voc.errors import (
    ColumnNotFoundError,
    ConvergenceError,
    DecodeError,
    DtypeError,
    EmptyInputError,
    IncompatibleError,
    InputError,
    InsufficientDataError,
    InternalError,
    InvalidOptionError,
    LengthMismatchError,
    LimitError,
    MissingValueError,
    NonFiniteError,
    ScoreRangeError,
    UnknownIdError,
    VocError,
)

__all__ = [
    "__version__",
    "errors",
    "metrics",
    "stats",
    "sample",
    "signals",
    "risk",
    "text",
    "segment",
    "retention",
    "impact",
    "uplift",
    "followup",
    "anomaly",
    "plot",
    "dask",
    "nps",
    "csat",
    "ces",
    "compare",
    "nps_test",
    "NpsState",
    "CsatState",
    "CesState",
    "NpsResult",
    "CsatResult",
    "CesResult",
    "GroupedResult",
    "TestResult",
    "Table",
    "VocError",
    "InputError",
    "ScoreRangeError",
    "NonFiniteError",
    "MissingValueError",
    "EmptyInputError",
    "LengthMismatchError",
    "InvalidOptionError",
    "UnknownIdError",
    "ColumnNotFoundError",
    "DtypeError",
    "IncompatibleError",
    "DecodeError",
    "InsufficientDataError",
    "ConvergenceError",
    "LimitError",
    "InternalError",
]
