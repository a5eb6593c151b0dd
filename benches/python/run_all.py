"""Run every side-by-side benchmark script in one go, one after the other, and keep their output.

The rows of docs/benchmarks.md are re-measured together with this script, so that every ratio comes from the
same machine state. Before and after each script it prints the load average; a run whose load rose well above
the number of cores is not a quiet run and should be repeated.

    .venv/bin/python benches/python/run_all.py --log bench_all.log          # full sizes (about 20 minutes)
    .venv/bin/python benches/python/run_all.py --quick                      # smoke sizes (about 1 minute)
    .venv/bin/python benches/python/run_all.py --only retention followup    # a subset, by script name

Each script is run with the same interpreter, from the repository root, with `--quick` passed through when
given. The exit status is non-zero if any script failed; the others still run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Every script, in the order of docs/benchmarks.md.
SCRIPTS = [
    "metrics",
    "text",
    "segment",
    "retention",
    "signals",
    "risk",
    "uplift",
    "dask",
    "correlation",
    "drivers",
    "followup",
    "theme_impact",
]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="pass --quick to every script (smoke sizes)")
    p.add_argument("--only", nargs="+", choices=SCRIPTS, help="run only these scripts")
    p.add_argument("--log", type=Path, help="also append everything printed to this file")
    args = p.parse_args()

    log = args.log.open("a", encoding="utf-8") if args.log else None

    def say(text: str) -> None:
        print(text, flush=True)
        if log is not None:
            log.write(text + "\n")
            log.flush()

    failed = []
    say(f"# run_all: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} CPUs, load average {load()}")
    for name in args.only or SCRIPTS:
        cmd = [sys.executable, str(HERE / f"bench_{name}.py")] + (["--quick"] if args.quick else [])
        say(f"\n## bench_{name}.py — load average before: {load()}")
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        say(proc.stdout.rstrip())
        if proc.returncode != 0:
            failed.append(name)
            say(proc.stderr.rstrip())
        say(f"## bench_{name}.py — exit {proc.returncode}, {time.perf_counter() - start:.0f} s, load average after: {load()}")
    say(f"\n# run_all done: {len(failed)} failed {failed if failed else ''}")
    if log is not None:
        log.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
