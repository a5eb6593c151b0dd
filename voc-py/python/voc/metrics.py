"""Survey metrics: NPS, CSAT and CES.

One-shot functions take a column of scores (numpy array, pandas / polars / pyarrow column, or list):

* ``nps(scores)`` → :class:`NpsResult`; ``nps(scores, by=segment)`` → :class:`GroupedResult` whose
  ``table`` has one row per segment; ``nps(scores, period="month", time=ts)`` → a :class:`GroupedResult`
  whose ``table`` is the trend, with the change from the previous period and its test (add ``by=`` for
  segment × month). ``n``, ``n_missing``, ``n_missing_group`` and ``n_missing_time`` count the responses
  used and the rows left out.
* ``csat`` and ``ces`` work the same way.
* ``compare(a, b)`` tests the difference of two results; ``nps_test(r, null)`` tests one NPS.

The state classes (:class:`NpsState`, :class:`CsatState`, :class:`CesState`) accumulate batches,
merge (across threads, processes or Dask/Spark partitions), pickle, and finish into the same results.
"""

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
    ces,
    compare,
    csat,
    nps,
    nps_test,
)

__all__ = [
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
]
