#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Line coverage of the whole suite (scripts/run-tests.sh --coverage; arguments go to pytest):
# - pyqemu/ with coverage.py, in every Python process the tests start (pytest itself, each
#   pyqemu-x86_64 run, its forked children, pyqemu-cov);
# - the C host with gcov.
# It uses a venv of its own (.venv-cov) whose C host is built with -Db_coverage=true in
# build-gcov, so .venv and its build stay as they are. The guests' environment is not touched:
# coverage starts from a .pth file in that venv, not from an environment variable (pyqemu
# hands its environment to the guest, and native runs would then differ).
# Goal (issue 20): 90% of the lines of pyqemu/linux_user/ and pyqemu/plugins/.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

PYQEMU_VENV=.venv-cov PYQEMU_BUILD_DIR=build-gcov PYQEMU_SETUP_ARGS=-Db_coverage=true \
  scripts/install-deps.sh
.venv-cov/bin/python -m pip install -q "coverage>=7.10"

data=$repo/.coverage-data
rm -rf "$data" && mkdir -p "$data"
find build-gcov -name '*.gcda' -delete
cat > "$data/rc" <<EOF
[run]
data_file = $data/.coverage
parallel = true
source = $repo/pyqemu
# _exit: save before os._exit (pyqemu ends that way); fork: a forked child keeps its own file
patch = _exit, fork
EOF

site=$(.venv-cov/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
pth=$site/zz_pyqemu_coverage.pth
# os._exit is first replaced by libc's exit(), so that gcov's own atexit handler writes the C
# host's counts; coverage.py's patch then wraps that and saves its data before it.
cat > "$pth" <<EOF
import os, ctypes, coverage; os._exit = ctypes.CDLL(None).exit; os.environ["COVERAGE_PROCESS_START"] = "$data/rc"; coverage.process_startup(); os.environ.pop("COVERAGE_PROCESS_START", None)
EOF
trap 'rm -f "$pth"' EXIT

status=0
.venv-cov/bin/python -m pytest -q -p no:cacheprovider "$@" || status=$?
rm -f "$pth"

echo "== coverage.py: pyqemu/ =="
.venv-cov/bin/python -m coverage combine -q --rcfile="$data/rc" "$data"
.venv-cov/bin/python -m coverage report --rcfile="$data/rc" --skip-empty \
  | tee "$data/python.txt"
for part in linux_user plugins; do
  .venv-cov/bin/python -m coverage report --rcfile="$data/rc" --include="$repo/pyqemu/$part/*" \
    --format=total | sed "s|^|pyqemu/$part/: |; s|\$|%|"
done | tee "$data/goal.txt"

echo "== gcov: the C host =="
lcov --quiet --capture --directory build-gcov --output-file "$data/host.info" \
  --include "$repo/pyqemu/host/*" >/dev/null 2>&1 || true
if [ -s "$data/host.info" ]; then
  lcov --list "$data/host.info" | tee "$data/host.txt"
else
  echo "no gcov data (was the host built with -Db_coverage=true in build-gcov?)"
fi
exit "$status"
