"""Census of NaN and infinities in voc's results over the fuzz corpus (issue 16).

Calls every public function with the inputs of the hypothesis suite ``voc-py/tests/test_fuzz_api.py``,
enumerated rather than sampled: its valid base call; every option replaced by every hostile scalar; every
column argument by every hostile column (each kind at each length); every positional argument by both.
For each call that returns (rather than raising), it lists the non-finite floats of the result (fields of
results, nested results and arrays, Table columns) and prints them grouped by function and (owner, field),
marking those that ``EXPLAINED`` (``voc-py/tests/_nonfinite.py``) does not account for.

    PYTHONPATH=voc-py/python python scripts/nan_census.py [--all] [function-substring ...]

Exit status 1 when some group is unexplained. ``--all`` lists explained groups too.
"""

from __future__ import annotations

import collections
import os
import sys
import time
import warnings
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "voc-py", "tests"))

import test_fuzz_api as fz  # noqa: E402
from _nonfinite import is_explained, nonfinite  # noqa: E402


def corpus(full: str) -> list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
    """(argument, value description, args, kwargs) of every call the census makes for `full`."""
    args, kwargs = fz.BASE[full]()
    out = [("<base>", "", args, kwargs)]
    columns = [(f"{k}:{n}", fz.hostile_column(k, n, n // 2)) for k in fz.COLUMN_KINDS for n in fz.COLUMN_SIZES]
    scalars = [(repr(v)[:30], v) for v in fz.HOSTILE_SCALAR_VALUES + fz.EDGE_SCALAR_VALUES]
    for arg in fz.option_params(full):
        for desc, v in scalars:
            a, kw = fz.BASE[full]()
            out.append((arg, desc, a, {**kw, arg: v}))
    for arg in fz.column_params(full):
        for desc, v in columns + scalars:
            a, kw = fz.BASE[full]()
            out.append((arg, desc, a, {**kw, arg: v}))
    for i in fz.positional_params(full):
        for desc, v in scalars + columns:
            a, kw = fz.BASE[full]()
            a = tuple(v if j == i else x for j, x in enumerate(a))
            out.append((f"#{i}", desc, a, kw))
    # Each column of a table given positionally (a dict of columns), by every kind of column at the
    # table's length: the degenerate but valid tables (a constant column, one class, no NPS answers).
    for i, a0 in enumerate(args):
        if isinstance(a0, dict):
            for col, v in a0.items():
                n = len(v)
                for k in fz.COLUMN_KINDS:
                    a, kw = fz.BASE[full]()
                    table = {**a[i], col: fz.hostile_column(k, n, n // 2)}
                    a = tuple(table if j == i else x for j, x in enumerate(a))
                    out.append((f"#{i}[{col}]", f"{k}:{n}", a, kw))
    return out


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    functions = [f for f in fz.FUNCTIONS if not wanted or any(w in f for w in wanted)]
    # (function, owner, field) → [count, explained, example]
    groups: dict[tuple[str, str, str], list[Any]] = {}
    calls = returned = 0
    slow = []
    for full in functions:
        fn = fz.resolve(full)
        t0 = time.perf_counter()
        for arg, desc, a, kw in corpus(full):
            calls += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = fn(*a, **kw)
            except KeyboardInterrupt:
                raise
            except BaseException:  # noqa: BLE001 (errors are the other tests' business)
                continue
            returned += 1
            seen = set()
            for f in nonfinite(result, full):
                key = (full, f.owner, f.field)
                g = groups.setdefault(key, [0, True, f"{arg}={desc}"])
                if key not in seen:
                    g[0] += 1
                    seen.add(key)
                g[1] = g[1] and is_explained(f)
        dt = time.perf_counter() - t0
        if dt > 5:
            slow.append((full, round(dt, 1)))
    bad = 0
    by_fn: dict[str, list[tuple[str, str, list[Any]]]] = collections.defaultdict(list)
    for (full, owner, field), g in sorted(groups.items()):
        by_fn[full].append((owner, field, g))
    for full, rows in by_fn.items():
        lines = []
        for owner, field, (count, explained, example) in rows:
            if not explained:
                bad += 1
            if show_all or not explained:
                mark = "ok " if explained else "!! "
                lines.append(f"  {mark}{owner}.{field}: {count} calls (e.g. {example})")
        if lines:
            print(full)
            print("\n".join(lines))
    print(f"\n{calls} calls, {returned} returned, {len(groups)} (function, field) groups with NaN/inf, "
          f"{bad} unexplained")
    if slow:
        print("slow functions (s):", slow)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
