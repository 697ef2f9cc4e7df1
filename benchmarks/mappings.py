#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The mmap family with many live mappings, pyqemu against qemu-x86_64 in the same run.

Builds benchmarks/mappings.c (musl, static) and runs it under qemu-x86_64 and pyqemu at
1000, 2000 and 4000 mappings (issue 19), each run repeated, runs of the two emulators
interleaved. Reports, for each count, the median wall time of the whole run (start-up
included) and the seconds the guest itself measured across its mmap/mprotect/brk/munmap
phases, with pyqemu's ratio to qemu and each count's growth over the half count. The
goals: 2000 mappings under 0.5 s, twice as many in at most 2.5x that time.

Usage: benchmarks/mappings.py [--counts 1000,2000,4000] [--repeat 3]
                              [--python PY | --pyqemu "CMD"] [--qemu PATH]
--python runs pyqemu as `PY -m pyqemu.linux_user.main` (e.g. a venv holding a
non-editable install, /tmp/venv-rel/bin/python); the default is this interpreter.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sidebyside import add_emulator_arguments, build_musl_guest, pyqemu_command


def run_once(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, the guest's own seconds (sum of its phases) and its stdout."""
    env = dict(os.environ, MAPPINGS_TIMES="1")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"mappings.py: {shlex.join(command)} failed ({done.returncode}): "
                 f"{done.stderr.strip()[-500:]}")
    phases = sum(float(line.split()[1]) for line in done.stderr.splitlines()
                 if len(line.split()) == 3 and line.split()[2] == "s")
    return wall, phases, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="1000,2000,4000")
    parser.add_argument("--repeat", type=int, default=3)
    add_emulator_arguments(parser, extra=False)
    args = parser.parse_args()
    pyqemu = pyqemu_command(args)
    counts = [int(word) for word in args.counts.split(",")]
    with tempfile.TemporaryDirectory(prefix="pyqemu-mappings-") as tmp:
        guest = str(build_musl_guest("mappings", Path(tmp)))
        print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; "
              f"median of {args.repeat}; {os.cpu_count()} CPUs")
        print("| mappings | qemu wall s | pyqemu wall s | wall ratio | qemu guest s "
              "| pyqemu guest s | guest ratio | pyqemu growth |")
        print("|--:|--:|--:|--:|--:|--:|--:|--:|")
        previous: float | None = None
        for count in counts:
            samples: dict[str, list[tuple[float, float]]] = {"qemu": [], "pyqemu": []}
            outputs = set()
            for _ in range(args.repeat):
                for name, command in (("qemu", [args.qemu]), ("pyqemu", pyqemu)):
                    wall, phases, out = run_once(command + [guest, str(count)])
                    samples[name].append((wall, phases))
                    outputs.add(out)
            if len(outputs) != 1:
                sys.exit(f"mappings.py: the emulators disagree: {sorted(outputs)}")
            q_wall, q_guest = (statistics.median(s[i] for s in samples["qemu"]) for i in (0, 1))
            p_wall, p_guest = (statistics.median(s[i] for s in samples["pyqemu"])
                               for i in (0, 1))
            growth = f"{p_guest / previous:.2f}x" if previous else "-"
            previous = p_guest
            print(f"| {count} | {q_wall:.3f} | {p_wall:.3f} | {p_wall / q_wall:.1f} "
                  f"| {q_guest:.3f} | {p_guest:.3f} | {p_guest / q_guest:.1f} | {growth} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
