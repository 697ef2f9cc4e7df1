#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 23's AVX2 loop, pyqemu against qemu-x86_64 in the same run.

Builds benchmarks/avx2_loop.c (musl, static, -mavx2 -mfma) and runs it under qemu-x86_64
(whose default CPU, max, has AVX2) and pyqemu (the engine's own model, which executes AVX2:
engine patch 0018), interleaved, repeated: ROUNDS passes of 256-bit integer and FMA3 float
arithmetic over 16 KiB that stays in the L1 cache.  Reports the median wall time of each
whole run and the CPU seconds the guest measured around its loop, with pyqemu's ratios to
qemu (the goal: within 2x).  Both emulators must print the same checksum.

Usage: benchmarks/avx2_loop.py [--rounds 10000] [--repeat 3]
                               [--python PY | --pyqemu "CMD"] [--qemu PATH]
"""

from __future__ import annotations

import os
import shlex
import sys

from sidebyside import guest_loop_medians


def main() -> int:
    args, pyqemu, (q_wall, q_loop), (p_wall, p_loop) = guest_loop_medians(
        __doc__.split("\n\n")[0], "avx2_loop", 10000, "avx2_loop.py", "-mavx2", "-mfma")
    print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; median of {args.repeat}; "
          f"{args.rounds} rounds; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.1f}")
    print("| qemu wall s | pyqemu wall s | wall ratio | qemu loop CPU s "
          "| pyqemu loop CPU s | loop ratio |")
    print("|--:|--:|--:|--:|--:|--:|")
    print(f"| {q_wall:.3f} | {p_wall:.3f} | {p_wall / q_wall:.2f} | {q_loop:.3f} "
          f"| {p_loop:.3f} | {p_loop / q_loop:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
