"""What voc.dask costs on data that fits one process: grouped NPS from per-partition states merged as
bytes, against the single call voc.nps(scores, by=segment).table on the same rows.

    python benches/python/bench_dask.py [--rows N] [--partitions P] [--quick]

Dask is for data that does not fit one process (or lives in a cluster already); on in-memory data the
single call is faster, and this script says by how much (median of repeated calls, data persisted first).
"""

from __future__ import annotations

import argparse

import _bench

import voc
import voc.dask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small data, threads only (CI smoke run)")
    args = parser.parse_args()
    import dask.dataframe as dd

    rows = 50_000 if args.quick else args.rows
    s = voc.sample.surveys(seed=1, responses=rows).to_pandas()
    df = dd.from_pandas(s, npartitions=args.partitions).persist(scheduler="threads")
    want = voc.nps(s["nps"], by=s["segment"]).table
    got = voc.dask.nps(df, "nps", by="segment", scheduler="threads").table
    assert got.to_dict()["nps"].tolist() == want.to_dict()["nps"].tolist()
    one = _bench.median_time(lambda: voc.nps(s["nps"], by=s["segment"]).table, args.repeat)
    thr = _bench.median_time(lambda: voc.dask.nps(df, "nps", by="segment", scheduler="threads").table, args.repeat)
    print(f"{rows:,} answers, NPS by segment, {args.partitions} partitions (medians of {args.repeat})")
    print(f"  voc.nps (one call)                     {_bench.fmt_time(one)}")
    print(f"  voc.dask.nps, threads                  {_bench.fmt_time(thr)}   ratio {thr / one:.1f}x")
    if args.quick:
        return
    import distributed

    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster):
        ddf = dd.from_pandas(s, npartitions=args.partitions).persist()
        distributed.wait(ddf)
        dist = _bench.median_time(lambda: voc.dask.nps(ddf, "nps", by="segment").table, args.repeat)
    print(f"  voc.dask.nps, LocalCluster(2 procs)    {_bench.fmt_time(dist)}   ratio {dist / one:.1f}x")


if __name__ == "__main__":
    main()
