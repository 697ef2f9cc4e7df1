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

import os
import shlex
import sys

from sidebyside import guest_loop_medians


def main() -> int:
    args, pyqemu, (q_wall, q_loop), (p_wall, p_loop) = guest_loop_medians(
        __doc__.split("\n\n")[0], "syscall_loop", 200000, "syscall_loop.py")
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
