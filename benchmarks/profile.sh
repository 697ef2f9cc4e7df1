#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where pyqemu's time goes: perf (on-CPU samples, C level) and py-spy (Python level) on
# cpubound and syscalls, no plugin. Prints the top entries of each; the numbers quoted in
# benchmarks/README.md come from this script. Needs perf (linux-perf), py-spy
# (pip install py-spy, or .[bench]) and musl-gcc.
# Usage: benchmarks/profile.sh [OUT-DIR]    (PYQEMU="python -P -m pyqemu.linux_user.main")
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-$(mktemp -d /tmp/pyqemu-profile-XXXXXX)}
mkdir -p "$out"
read -r -a pyqemu <<< "${PYQEMU:-python3 -P -m pyqemu.linux_user.main}"
musl-gcc -O2 -static cpubound.c -o "$out/cpubound"
musl-gcc -O2 -static syscalls.c -o "$out/syscalls"
"${pyqemu[0]}" -c "import pyqemu.host as h; print('engine:', h.engine_library, h.engine_patches)"

summarize_pyspy() {  # collapsed stacks -> top self and inclusive Python functions
    python3 - "$1" <<'EOF'
import collections, sys
own, inclusive, total = collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip().rpartition(" ")
    frames = [f.split(" (")[0] + " (" + f.split("(")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
              for f in stack.split(";")]
    total += int(count)
    own[frames[-1]] += int(count)
    for frame in set(frames):
        inclusive[frame] += int(count)
for title, counter, top in (("self", own, 12), ("inclusive", inclusive, 20)):
    print(f"--- py-spy {title} ({total} samples)")
    for frame, count in counter.most_common(top):
        print(f"{100 * count / total:5.1f}%  {frame}")
EOF
}

for guest in "cpubound 64" "syscalls 100000"; do
    read -r name argument <<< "$guest"
    echo "=== $name $argument"
    perf record -q -e cpu-clock -F 999 -o "$out/$name.perf" -- \
        "${pyqemu[@]}" "$out/$name" "$argument" > /dev/null
    perf report -i "$out/$name.perf" --no-children --sort dso --stdio 2> /dev/null \
        | grep -E '^ +[0-9]' | head -6 || true  # head closing the pipe is not an error
    perf report -i "$out/$name.perf" --no-children --sort dso,symbol --stdio 2> /dev/null \
        | grep -E '^ +[0-9]' | head -12 || true
    py-spy record -r 500 --format raw -o "$out/$name.pyspy" -- \
        "${pyqemu[@]}" "$out/$name" "$argument" > /dev/null 2>&1
    summarize_pyspy "$out/$name.pyspy"
done
echo "profiles in $out"
