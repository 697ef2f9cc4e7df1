#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: batched events (issue 22) against the C plugins and per-event Python callbacks.

Mirrors no QEMU file.  Under pyqemu on benchmarks/cpubound.c (musl static), each
configuration below runs with its plugin; runs are interleaved (one of each, then
again) so that a slow minute on a shared machine hits all alike, each is timed
(wall clock, and CPU from wait4), and the counts they print must be equal (blocks
with blocks, accesses with accesses), so a plugin that counts nothing cannot win:

  C bb            tests/plugin/bb.c: a C callback per executed block
  Py per-block    tests/plugin/pybatch.py percb: a Python callback per executed block
  Py batch        tests/plugin/pybatch.py blocks: register_vcpu_tb_exec_batch, and
                  collections.Counter.update(pcs) on each batch
  Py batch tally  the same with Counter.update(api.tally(pcs)): counted in C first
  C mem           tests/plugin/mem.c: a C callback per memory access
  Py mem batch    tests/plugin/pybatch.py mem: register_vcpu_mem_batch, len() of each

Prints a Markdown table with the median times and the ratios to the C plugin of
the same kind (goal of issue 22: a batch within 3x of C), then what
``Counter.update`` costs this Python alone, without any emulation, per item of a
65,536-item memoryview of 'Q' like a batch's, and so for the run's blocks.  ``--check`` makes the
exit status 1 when a batch is above the goal.

Usage: python3 benchmarks/python_batch.py [--rounds N] [--repeat N] [--configs A,B] [--check]
"""

from __future__ import annotations

import argparse
import array
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# benchmarks/ is this script's folder, first on sys.path
from python_plugin import Sample
from python_plugin import run_once as timed_run

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PYBATCH = REPO_ROOT / "tests" / "plugin" / "pybatch.py"
GOAL = 3.0
# name -> (plugin spec, with {lib} for the C plugins' directory; the C baseline; kind)
CONFIGS = {
    "C bb": ("{lib}/libbb.so", "C bb", "blocks"),
    "Py per-block": (f"{PYBATCH},arg=percb", "C bb", "blocks"),
    "Py batch": (f"{PYBATCH},arg=blocks", "C bb", "blocks"),
    "Py batch tally": (f"{PYBATCH},arg=blocks,arg=tally", "C bb", "blocks"),
    "C mem": ("{lib}/libmem.so", "C mem", "mem"),
    "Py mem batch": (f"{PYBATCH},arg=mem", "C mem", "mem"),
}
COUNT = {"blocks": re.compile(r"^bb's: (\d+)", re.M),
         "mem": re.compile(r"^mem accesses: (\d+)", re.M)}


def build(tmp: Path) -> Path:
    """cpubound (musl static) and the C plugins, compiled into tmp."""
    for tool in ("musl-gcc", "gcc"):
        if shutil.which(tool) is None:
            sys.exit(f"python_batch.py: {tool} is needed")
    guest = tmp / "cpubound"
    subprocess.run(["musl-gcc", "-O2", "-static", "-o", str(guest),
                    str(BENCH_DIR / "cpubound.c")], check=True)
    for name in ("bb", "mem"):
        subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-fPIC", "-shared",
                        f"-I{REPO_ROOT / 'include' / 'qemu'}", "-o", str(tmp / f"lib{name}.so"),
                        str(REPO_ROOT / "tests" / "plugin" / f"{name}.c")], check=True)
    return guest


def run_once(spec: str, kind: str, guest: Path, rounds: int, log: Path) -> tuple[Sample, int]:
    """One timed run (python_plugin.py's) and the block or access count the plugin logged."""
    sample = timed_run(spec, guest, rounds, log)
    match = COUNT[kind].search(sample.plugin_log)
    if match is None:
        sys.exit(f"python_batch.py: {spec}: no count in its output")
    return sample, int(match.group(1))


def counter_alone(repeat: int = 60) -> float:
    """Seconds per item of Counter.update on a batch-like view: 65,536 vaddrs of 2,000
    blocks (cpubound's hot loop has fewer), no emulation at all."""
    blocks = [0x401000 + 0x35 * (i * 7919 % 2000) for i in range(65536)]
    view = memoryview(array.array("Q", blocks)).toreadonly()
    hits: Counter[int] = Counter()
    start = time.perf_counter()
    for _ in range(repeat):
        hits.update(view)
    return (time.perf_counter() - start) / (repeat * len(blocks))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40,
                        help="cpubound rounds (40: 68 M blocks, 118 M accesses; "
                             "start-up weighs on fewer)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated, from: {', '.join(CONFIGS)}")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {GOAL}x")
    args = parser.parse_args()
    names = args.configs.split(",")
    for name in list(names):
        baseline = CONFIGS[name][1]
        if baseline not in names:
            names.insert(0, baseline)
    with tempfile.TemporaryDirectory(prefix="pyqemu-batch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        guest = build(tmp)
        samples: dict[str, list[tuple[Sample, int]]] = {name: [] for name in names}
        for _ in range(args.repeat):
            for name in names:
                spec, _baseline, kind = CONFIGS[name]
                samples[name].append(run_once(spec.format(lib=tmp), kind, guest, args.rounds,
                                              tmp / "plugin.log"))
    counts = {kind: {count for name in names if CONFIGS[name][2] == kind
                     for _sample, count in samples[name]} for kind in COUNT}
    for kind, seen in counts.items():
        if len(seen) > 1:
            sys.exit(f"python_batch.py: the plugins' {kind} counts differ: {sorted(seen)}")
    wall = {name: statistics.median(s.wall for s, _ in group) for name, group in samples.items()}
    cpu = {name: statistics.median(s.cpu for s, _ in group) for name, group in samples.items()}
    totals = {kind: next(iter(seen)) for kind, seen in counts.items() if seen}
    print(f"cpubound {args.rounds} rounds, median of {args.repeat}, pyqemu with each plugin; "
          + ", ".join(f"{kind}: {total}" for kind, total in totals.items()) + "\n")
    print("| plugin | wall s | CPU s | / C (wall) | / C (CPU) |")
    print("|---|--:|--:|--:|--:|")
    worst = 0.0
    for name in names:
        baseline = CONFIGS[name][1]
        ratio = wall[name] / wall[baseline]
        if "batch" in name:
            worst = max(worst, ratio)
        print(f"| {name} | {wall[name]:.2f} | {cpu[name]:.2f} | {ratio:.2f} | "
              f"{cpu[name] / cpu[baseline]:.2f} |")
    verdict = "met" if worst <= GOAL else "NOT met"
    print(f"\ngoal: batch ≤ {GOAL}x C: {verdict} (worst {worst:.2f}x)")
    blocks = totals.get("blocks", 0)
    if blocks and "C bb" in cpu:
        per_item = counter_alone()
        print(f"Counter.update alone ({platform.python_implementation()} "
              f"{platform.python_version()}, no emulation): {per_item * 1e9:.0f} ns an item, "
              f"{per_item * blocks:.2f} s for {blocks} blocks = "
              f"{per_item * blocks / cpu['C bb']:.1f}x C bb's CPU time")
    return 1 if args.check and worst > GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
