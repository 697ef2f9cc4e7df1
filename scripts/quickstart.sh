#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: install what pyqemu needs, build it and its
# plugins, then run the main job: drcov coverage of the bundled sample
# program under pyqemu-x86_64, printed as a short summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
out=${TMPDIR:-/tmp}/pyqemu-quickstart
mkdir -p "$out"
gcc -O0 -g -o "$out/sample" examples/sample.c
.venv/bin/pyqemu-x86_64 \
  -plugin ./build/contrib/plugins/libdrcov.so,arg=filename="$out/sample.drcov" \
  "$out/sample" hello World 42 hello again
echo
.venv/bin/pyqemu-cov summary "$out/sample.drcov" --elf "$out/sample"
