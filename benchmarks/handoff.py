#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two guest threads handing a turn to each other, pyqemu against qemu-x86_64 in one run.

Builds benchmarks/handoff.c (musl, static) and runs it under qemu-x86_64 and pyqemu,
interleaved, repeated: 20,000 rounds of a mutex and condition-variable handoff each way
(40,000 handoffs, each a futex wait in one thread ended by the other's wake). Reports the
median wall time of each whole run and the seconds the guest measured around its threads,
with pyqemu's ratios to qemu. With the vCPUs running at once, pyqemu's C host serves the
futex waits and wakes itself (pyqemu/host/syscall.c); on the stock engine the vCPUs take
turns and the waits go to Python.

Usage: benchmarks/handoff.py [--rounds 20000] [--repeat 3]
                             [--python PY | --pyqemu "CMD"] [--qemu PATH]
"""

from __future__ import annotations

import sys

from sidebyside import guest_loop_medians, print_loop_ratios


def main() -> int:
    args, pyqemu, qemu, mine = guest_loop_medians(
        __doc__.split("\n\n")[0], "handoff", 20000, "handoff.py", "-pthread")
    print_loop_ratios(args, pyqemu, qemu, mine, 2 * args.rounds, "handoff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
