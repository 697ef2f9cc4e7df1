#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Engine benchmark for Unicorn's two TLB modes, through the Python binding.

pyqemu runs on the default (``UC_TLB_CPU``) mode; ``UC_TLB_VIRTUAL`` is the
mode Unicorn users pick for their own page tables, and the one where stock
2.1.4 refills the TLB on every mixed load/store to a page (patch 0002).
This times two raw x86-64 loops, with no operating system around them, on
the unicorn wheel's library and on the engines named (the binding loads
whichever ``LIBUNICORN_PATH`` names), in both modes, and prints CPU (process)
nanoseconds per iteration, which a busy machine blurs less than wall time:

- storeload: ``add [rsi + (i & 511) * 8], i`` (a load and a store on one page)
- callret: ``call f; f: ret`` (a stack store, a load, an indirect branch)

Usage: bench_tlb_modes.py [--engine [LABEL=]PATH ...] [--iterations N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CODE_ADDRESS = 0x100000
DATA_ADDRESS = 0x200000
STACK_TOP = 0x400000

# storeload: mov rcx,rdx; and ecx,0x1ff; add [rsi+rcx*8],rdx; add rdx,1; cmp rdx,rax; jb loop
STORELOAD = bytes.fromhex("4889d1" "81e1ff010000" "480114ce" "4883c201" "4839c2" "72ea")
# callret: loop: call f; add rdx,1; cmp rdx,rax; jb loop; jmp done; f: ret; done:
CALLRET = bytes.fromhex("e80b000000" "4883c201" "4839c2" "72f2" "eb01" "c3")

LOOPS = {"storeload": STORELOAD, "callret": CALLRET}


def child(loop: str, mode: str, iterations: int) -> float:
    """Run one loop in this process; return seconds per iteration."""
    import time

    from unicorn import UC_ARCH_X86, UC_MODE_64, UC_PROT_ALL, UC_TLB_CPU, UC_TLB_VIRTUAL, Uc
    from unicorn.x86_const import UC_X86_REG_RAX, UC_X86_REG_RDX, UC_X86_REG_RSI, UC_X86_REG_RSP

    code = LOOPS[loop]
    uc = Uc(UC_ARCH_X86, UC_MODE_64)
    uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL if mode == "virtual" else UC_TLB_CPU)
    uc.mem_map(CODE_ADDRESS, 0x1000, UC_PROT_ALL)
    uc.mem_map(DATA_ADDRESS, 0x1000, UC_PROT_ALL)
    uc.mem_map(STACK_TOP - 0x1000, 0x1000, UC_PROT_ALL)
    uc.mem_write(CODE_ADDRESS, code)

    def run(count: int) -> float:
        uc.reg_write(UC_X86_REG_RAX, count)
        uc.reg_write(UC_X86_REG_RDX, 0)
        uc.reg_write(UC_X86_REG_RSI, DATA_ADDRESS)
        uc.reg_write(UC_X86_REG_RSP, STACK_TOP - 0x100)
        start = time.process_time()
        uc.emu_start(CODE_ADDRESS, CODE_ADDRESS + len(code))
        return time.process_time() - start

    run(1000)  # translate and warm up
    # N such that N more iterations take about a quarter of a second
    per_iteration = max(run(2 * iterations) - run(iterations), 1e-4) / iterations
    count = max(iterations, min(500_000_000, int(0.25 / per_iteration)))
    once = min(run(count) for _ in range(3))
    twice = min(run(2 * count) for _ in range(3))
    return max(twice - once, 0.0) / count


def measure(engine: Path, loop: str, mode: str, iterations: int) -> float:
    env = dict(os.environ, LIBUNICORN_PATH=str(engine))
    done = subprocess.run(
        [sys.executable, __file__, "--child", loop, mode, str(iterations)],
        env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)["seconds"]


def wheel_library_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("unicorn")
    if spec is None or spec.origin is None:
        raise SystemExit("bench_tlb_modes: the unicorn package is not installed")
    return Path(spec.origin).parent / "lib"


def engine_dir(path: str) -> Path:
    directory = Path(path)
    if directory.is_file():
        directory = directory.parent
    if not (directory / "libunicorn.so.2").is_file():
        raise SystemExit(f"bench_tlb_modes: no libunicorn.so.2 in {directory}")
    return directory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", action="append", default=[], metavar="[LABEL=]PATH",
                        help="an engine to time beside stock (directory or file); repeatable")
    parser.add_argument("--iterations", type=int, default=1_000_000,
                        help="iterations of the calibration runs")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        loop, mode, count = args.child
        print(json.dumps({"seconds": child(loop, mode, int(count))}))
        return 0

    if not args.engine:
        parser.error("name at least one engine to compare with stock (--engine)")
    engines = {"stock": wheel_library_dir()}
    for spec in args.engine:
        label, _, path = spec.rpartition("=")
        engines[label or "ours"] = engine_dir(path)
    labels = list(engines)
    print("| loop | TLB mode | " + " | ".join(f"{name} ns/iter" for name in labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for loop in LOOPS:
        for mode in ("cpu", "virtual"):
            cells = [f"{measure(path, loop, mode, args.iterations) * 1e9:.1f}"
                     for path in engines.values()]
            print(f"| {loop} | {mode} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
