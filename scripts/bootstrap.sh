#!/usr/bin/env bash
# Creates .venv (if missing), installs the build/test dependencies and builds voc into it (release).
# Needs only cargo, python3 (>= 3.11) and pip. Sourced by demo.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
stamp="$venv/.requirements-installed"
if [ ! -f "$stamp" ] || [ "$root/requirements-dev.txt" -nt "$stamp" ] || [ "$root/requirements-peers.txt" -nt "$stamp" ]; then
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -r "$root/requirements-dev.txt"
  python -m pip install --quiet --no-deps -r "$root/requirements-peers.txt"
  touch "$stamp"
fi
(cd "$root/voc-py" && maturin develop --release --quiet)
