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

import sys

from sidebyside import guest_loop_medians, print_loop_ratios


def main() -> int:
    args, pyqemu, qemu, mine = guest_loop_medians(
        __doc__.split("\n\n")[0], "syscall_loop", 200000, "syscall_loop.py")
    print_loop_ratios(args, pyqemu, qemu, mine, 4 * args.rounds, "syscall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
