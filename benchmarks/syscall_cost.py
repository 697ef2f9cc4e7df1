#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The cost of each common syscall under pyqemu beside qemu-x86_64, in one run (issue 19:
"every other syscall at most 3 us over qemu").

Builds benchmarks/syscall_cost.c (musl, static) and runs it under qemu-x86_64 and pyqemu,
interleaved, --repeat times: each case (openat+close, the stat family, readlink, getdents64,
mmap, signals, dup, pipes, polls with a zero timeout...) runs --rounds times inside the
guest, between two clock_gettime calls, so start-up does not count. Prints a markdown
table of the median microseconds per round under each emulator and pyqemu's delta, marks
the rounds more than 3 us over qemu, and checks that both emulators gave each case the same
result. getppid, served by the C host (pyqemu/host/syscall.c), is the reference row.

Usage: benchmarks/syscall_cost.py [--rounds 5000] [--repeat 3] [--case NAME ...]
                                  [--python PY | --pyqemu "CMD"] [--qemu PATH] [--extra OPT]
(`--extra -strace` sends every call through Python, for a before/after of the C path).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from sidebyside import add_emulator_arguments, build_musl_guest, pyqemu_command

#: issue 19's bound on what a syscall may cost over qemu
BOUND_US = 3.0


def run_once(command: list[str]) -> dict[str, tuple[float, str]]:
    """Case -> (microseconds per round, its check value), from one run of the guest."""
    with tempfile.TemporaryDirectory(prefix="pyqemu-syscall-cost-") as work:
        done = subprocess.run([arg.replace("{dir}", work) for arg in command],
                              capture_output=True, text=True, timeout=1800,
                              stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f"syscall_cost.py: {shlex.join(command)} failed ({done.returncode}): "
                 f"{done.stderr.strip()[-500:]}")
    cases = {}
    for line in done.stdout.splitlines():
        name, cost, check = line.split("\t")
        cases[name] = (float(cost), check)
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", action="append", default=[],
                        help="run only this case (repeatable; names as the table prints)")
    add_emulator_arguments(parser)
    args = parser.parse_args()
    pyqemu = pyqemu_command(args)
    with tempfile.TemporaryDirectory(prefix="pyqemu-syscall-cost-") as tmp:
        guest = str(build_musl_guest("syscall_cost", Path(tmp)))
        tail = [guest, "{dir}", str(args.rounds), *args.case]
        samples: dict[str, dict[str, list[float]]] = {"qemu": {}, "pyqemu": {}}
        checks: dict[str, dict[str, set[str]]] = {"qemu": {}, "pyqemu": {}}
        for _ in range(args.repeat):
            for name, command in (("qemu", [args.qemu]), ("pyqemu", pyqemu)):
                for case, (cost, check) in run_once(command + tail).items():
                    samples[name].setdefault(case, []).append(cost)
                    checks[name].setdefault(case, set()).add(check)
    differ = [case for case in checks["qemu"] if checks["qemu"][case] != checks["pyqemu"][case]]
    print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; median of {args.repeat}; "
          f"{args.rounds} rounds a case; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.1f}")
    print("| syscall round | qemu us | pyqemu us | delta us |")
    print("|---|--:|--:|--:|")
    over = []
    for case, costs in samples["qemu"].items():
        q = statistics.median(costs)
        p = statistics.median(samples["pyqemu"][case])
        mark = ""
        if p - q > BOUND_US:
            over.append(case)
            mark = " (over)"
        print(f"| {case} | {q:.2f} | {p:.2f} | {p - q:.2f}{mark} |")
    print(f"{len(over)} of {len(samples['qemu'])} rounds over {BOUND_US:g} us: "
          f"{', '.join(over) or 'none'}")
    if differ:
        print(f"results differ from qemu's: {', '.join(differ)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
