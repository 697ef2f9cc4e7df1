#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install what is needed, build,
# check style, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q "$@"
