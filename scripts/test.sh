#!/usr/bin/env bash
# Everything CI checks: formatting, lints, Rust tests (unit, property, reference, doc), the Python
# extension build, pytest, the stub check, the demo and a benchmark smoke run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step "voc-core features: none, each alone (clippy), and the lean dependency tree"
cargo clippy -p voc-core --no-default-features --quiet -- -D warnings
for feature in parallel random text zh sample serde; do
  cargo clippy -p voc-core --no-default-features --features "$feature" --quiet -- -D warnings
done
lean="$(cargo tree -p voc-core --no-default-features -e normal --prefix none)"
if grep -E '^(jieba-rs|zstd-sys|rayon|aho-corasick|serde|rand[a-z_]*) ' <<<"$lean"; then
  echo "the lean build (--no-default-features) must not depend on the crates above" >&2
  exit 1
fi
step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -p voc-core --no-deps --quiet
step "cargo test (voc-core, benches)"
# voc-py is a cdylib for Python; it is tested through pytest below.
cargo test --workspace --exclude voc-py --quiet
step "build and install the extension into .venv"
source "$root/scripts/bootstrap.sh"
step "cargo test (voc-py's own unit tests: the pickle envelope, the interrupt guard)"
# They link libpython, so they need an interpreter built with a shared library (Debian's is).
if python -c "import sys, sysconfig; sys.exit(0 if sysconfig.get_config_var('Py_ENABLE_SHARED') else 1)"; then
  PYO3_PYTHON="$(command -v python)" cargo test -p voc-py --lib --quiet
else
  echo "skipped: this Python has no shared libpython to link the test binary against"
fi
step "pytest"
python -m pytest -q voc-py/tests
step "stubtest"
(cd voc-py && python -m mypy.stubtest voc._voc --allowlist stubtest-allowlist.txt)
step "mypy --strict (the package, the typed usage file and examples)"
python -m mypy --strict --config-file voc-py/mypy.ini voc-py/python/voc voc-py/tests/typing_usage.py examples/*.py
step "demo"
python examples/demo.py --responses 50000 --customers 20000 > /dev/null
python examples/segments.py --customers 5000 > /dev/null
step "benchmark smoke"
python benches/python/bench_metrics.py --quick > /dev/null
python benches/python/bench_signals.py --quick > /dev/null
python benches/python/bench_text.py --quick > /dev/null
python benches/python/bench_segment.py --quick > /dev/null
python benches/python/bench_risk.py --quick > /dev/null
python benches/python/bench_retention.py --quick > /dev/null
python -W ignore benches/python/bench_dask.py --quick > /dev/null
python benches/python/bench_correlation.py --quick > /dev/null
python benches/python/bench_drivers.py --quick > /dev/null
python benches/python/bench_followup.py --quick > /dev/null
python benches/python/bench_uplift.py --quick > /dev/null
echo
echo "all checks passed"
