#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 19's syscall loop, pyqemu against qemu-x86_64 in the same run.

Builds benchmarks/syscall_loop.c (musl, static) and runs it under qemu-x86_64 and pyqemu,
interleaved, repeated: 200,000 rounds of getppid, write to /dev/null, lseek and
clock_gettime (800,000 syscalls). Reports the median wall time of each whole run and the
seconds the guest measured around its loop, with pyqemu's ratios to qemu (the goal:
within 3x). These four calls are served by pyqemu's C host (pyqemu/host/syscall.c);
`--extra -strace` would send them all through Python again.

Usage: benchmarks/syscall_loop.py [--rounds 200000] [--repeat 3]
                                  [--python PY | --pyqemu "CMD"] [--qemu PATH]
--python runs pyqemu as `PY -m pyqemu.linux_user.main` (e.g. another checkout's
.venv/bin/python, for a before/after pair); the default is this interpreter.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from pathlib import Path

from sidebyside import add_emulator_arguments, build_musl_guest, median_loops, pyqemu_command


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=3)
    add_emulator_arguments(parser)
    args = parser.parse_args()
    pyqemu = pyqemu_command(args)
    with tempfile.TemporaryDirectory(prefix="pyqemu-syscalls-") as tmp:
        guest = str(build_musl_guest("syscall_loop", Path(tmp)))
        medians = median_loops({"qemu": [args.qemu, guest, str(args.rounds)],
                                "pyqemu": pyqemu + [guest, str(args.rounds)]},
                               args.repeat, "syscall_loop.py")
        (q_wall, q_loop), (p_wall, p_loop) = medians["qemu"], medians["pyqemu"]
        print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; median of {args.repeat}; "
              f"{4 * args.rounds} syscalls; {os.cpu_count()} CPUs; "
              f"load {os.getloadavg()[0]:.1f}")
        print("| qemu wall s | pyqemu wall s | wall ratio | qemu loop s | pyqemu loop s "
              "| loop ratio | pyqemu us/syscall over qemu |")
        print("|--:|--:|--:|--:|--:|--:|--:|")
        per_call = (p_loop - q_loop) / (4 * args.rounds) * 1e6
        print(f"| {q_wall:.3f} | {p_wall:.3f} | {p_wall / q_wall:.1f} | {q_loop:.3f} "
              f"| {p_loop:.3f} | {p_loop / q_loop:.1f} | {per_call:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
