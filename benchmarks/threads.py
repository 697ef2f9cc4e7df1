#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 24's measure: a CPU-bound job on 1 and on 2 guest threads, qemu-x86_64 and pyqemu.

Builds benchmarks/threads.c (musl, static) and runs it with 1 and with 2 threads under
qemu-x86_64 and pyqemu, interleaved, repeated. The job is the same total work either way,
so an emulator that runs its vCPUs in parallel on a 2-core machine takes about half the
time with 2 threads. Reports the median wall time of each whole run and the seconds the
guest measured around its threads, and each emulator's 2-thread/1-thread ratio (issue 24's
goal for pyqemu: at most 0.65, qemu's own figure beside it).

Usage: benchmarks/threads.py [--rounds 300000000] [--repeat 3]
                             [--python PY | --pyqemu "CMD"] [--qemu PATH]
--python runs pyqemu as `PY -m pyqemu.linux_user.main` (e.g. another checkout's
.venv/bin/python, for a before/after pair); the default is this interpreter.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from sidebyside import add_emulator_arguments, build_musl_guest, pyqemu_command, run_reporting_loop

THREADS = (1, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300000000)
    parser.add_argument("--repeat", type=int, default=3)
    add_emulator_arguments(parser, extra=False)
    args = parser.parse_args()
    pyqemu = pyqemu_command(args)
    emulators = (("qemu", [args.qemu]), ("pyqemu", pyqemu))
    with tempfile.TemporaryDirectory(prefix="pyqemu-threads-") as tmp:
        guest = str(build_musl_guest("threads", Path(tmp), "-pthread"))
        samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            for name, command in emulators:
                for n in THREADS:
                    wall, loop, out = run_reporting_loop(
                        command + [guest, str(n), str(args.rounds)], "threads.py")
                    if out != f"threads={n} rounds={args.rounds}\n":
                        sys.exit(f"threads.py: {name} with {n} threads printed {out!r}")
                    samples.setdefault((name, n), []).append((wall, loop))
        print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; median of {args.repeat}; "
              f"{args.rounds} rounds; {os.cpu_count()} CPUs; "
              f"load {os.getloadavg()[0]:.1f}")
        print("| emulator | 1 thread wall s | 2 threads wall s | wall 2/1 "
              "| 1 thread loop s | 2 threads loop s | loop 2/1 |")
        print("|---|--:|--:|--:|--:|--:|--:|")
        for name, _ in emulators:
            wall1, loop1 = (statistics.median(s[i] for s in samples[(name, 1)]) for i in (0, 1))
            wall2, loop2 = (statistics.median(s[i] for s in samples[(name, 2)]) for i in (0, 1))
            print(f"| {name} | {wall1:.3f} | {wall2:.3f} | {wall2 / wall1:.2f} "
                  f"| {loop1:.3f} | {loop2:.3f} | {loop2 / loop1:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
