"""Grouped NPS on Spark from per-partition voc states (run by voc-py/tests/test_spark.py; see docs/scale.md).

Needs pyspark and Java 17: ``pip install pyspark`` then ``python examples/spark/nps_states.py``. Each
partition becomes one ``voc.NpsState`` (group codes from a label list found first), shipped to the driver
as its byte form, merged, finished and relabelled; the script asserts the table equals ``voc.nps(by=)``
on the same rows, bit for bit.
"""

from __future__ import annotations

import os
import sys

import pandas as pd
from pyspark.sql import SparkSession

import voc
import voc.dask


def main() -> None:
    # Spark's Python workers must run the interpreter that has voc installed (this one).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    pdf = voc.sample.surveys(seed=3, responses=20_000).to_pandas()[["nps", "segment"]]
    sdf = spark.createDataFrame(pdf).repartition(4)
    labels = sorted(r[0] for r in sdf.select("segment").distinct().collect())

    def to_states(batches):
        state = voc.NpsState()
        for b in batches:  # the pandas DataFrames of one partition
            codes = pd.Categorical(b["segment"], categories=labels).codes
            state.update(b["nps"], by=codes)
        yield pd.DataFrame({"state": [state.to_bytes()]})

    blobs = [r.state for r in sdf.mapInPandas(to_states, "state binary").collect()]
    merged = voc.NpsState.from_bytes(voc.dask.merge_states(voc.NpsState, blobs))
    table = merged.finish_groups().to_pandas()
    table["group"] = [labels[i] for i in table["group"]]
    want = voc.nps(pdf["nps"], by=pdf["segment"]).table.to_pandas()
    pd.testing.assert_frame_equal(table, want, check_exact=True)
    print(f"Spark: {len(blobs)} partition states merged; the table equals voc.nps(by=segment)")
    print(table[["group", "n", "nps", "ci_low", "ci_high"]].to_string(index=False))
    spark.stop()


if __name__ == "__main__":
    main()
