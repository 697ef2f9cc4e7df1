#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: a Python plugin that counts with inline operations vs its C twin, under pyqemu.

Mirrors no QEMU file; it measures issue 9's promise that a Python plugin which
uses only tb_trans callbacks and inline counters costs about what the C
plugin costs (goal: at most 1.3x), because Python then runs once per
translated block and never per executed block or instruction.

Pairs (both run under pyqemu on benchmarks/cpubound.c, musl static):
  bb-inline    tests/plugin/bb.c ``inline``   vs pyqemu/contrib/bb.py ``inline``
  insn-inline  tests/plugin/insn.c ``inline`` vs pyqemu/contrib/insn.py ``inline``

Runs are interleaved (C, Python, C, Python, ...) so a slow minute on a shared
machine hits both alike; each is timed (wall clock and CPU from wait4), and
the two plugins' outputs must be equal, so a plugin that counts nothing
cannot win.  Prints a Markdown table with the median times and the ratio;
``--check`` makes the exit status 1 when a ratio is above the goal.

Usage: python3 benchmarks/python_plugin.py [--rounds N] [--repeat N] [--check]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
GOAL = 1.3
PAIRS = {
    "bb-inline": ("bb", "inline"),
    "insn-inline": ("insn", "inline"),
}


@dataclass
class Sample:
    wall: float
    cpu: float
    plugin_log: str


def build(tmp: Path) -> tuple[Path, dict[str, Path]]:
    """cpubound (musl static) and the C plugins, compiled into tmp."""
    for tool in ("musl-gcc", "gcc"):
        if shutil.which(tool) is None:
            sys.exit(f"python_plugin.py: {tool} is needed")
    guest = tmp / "cpubound"
    subprocess.run(["musl-gcc", "-O2", "-static", "-o", str(guest),
                    str(BENCH_DIR / "cpubound.c")], check=True)
    plugins = {}
    for name, _args in PAIRS.values():
        plugins[name] = tmp / f"lib{name}.so"
        subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-fPIC", "-shared",
                        f"-I{REPO_ROOT / 'include' / 'qemu'}", "-o", str(plugins[name]),
                        str(REPO_ROOT / "tests" / "plugin" / f"{name}.c")], check=True)
    return guest, plugins


def run_once(spec: str, guest: Path, rounds: int, log: Path, attempts: int = 3) -> Sample:
    """One timed run; retried when the host failed to import (an editable
    install rebuilding under a concurrent edit), never when the guest failed."""
    for _ in range(attempts - 1):
        try:
            return _timed_run(spec, guest, rounds, log)
        except ImportError:
            time.sleep(5)
    return _timed_run(spec, guest, rounds, log)


def _timed_run(spec: str, guest: Path, rounds: int, log: Path) -> Sample:
    command = [sys.executable, "-m", "pyqemu.linux_user.main", "-d", "plugin", "-D", str(log),
               "-plugin", spec, str(guest), str(rounds)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        if b"ImportError" in stderr:
            raise ImportError(stderr.decode(errors="replace"))
        sys.exit(f"python_plugin.py: {' '.join(command)} failed:\n{stderr.decode()}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, log.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=530,
                        help="cpubound rounds (530, the default, is about 1 s natively)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pairs", default=",".join(PAIRS),
                        help=f"comma-separated, from: {', '.join(PAIRS)}")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {GOAL}x")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyqemu-pyplugin-bench-") as tmp_name:
        tmp = Path(tmp_name)
        guest, c_plugins = build(tmp)
        rows = []
        worst = 0.0
        for pair in args.pairs.split(","):
            name, plugin_args = PAIRS[pair]
            specs = {"C": f"{c_plugins[name]},{plugin_args}",
                     "Python": f"pyqemu.contrib.{name},{plugin_args}"}
            samples: dict[str, list[Sample]] = {"C": [], "Python": []}
            for _ in range(args.repeat):
                for who, spec in specs.items():
                    samples[who].append(run_once(spec, guest, args.rounds, tmp / f"{who}.log"))
            logs = {s.plugin_log for group in samples.values() for s in group}
            if len(logs) != 1 or not logs.pop().strip():
                sys.exit(f"python_plugin.py: {pair}: the plugins' outputs differ or are empty")
            wall = {who: statistics.median(s.wall for s in group)
                    for who, group in samples.items()}
            cpu = {who: statistics.median(s.cpu for s in group) for who, group in samples.items()}
            ratio = wall["Python"] / wall["C"]
            worst = max(worst, ratio)
            rows.append(f"| {pair} | {wall['C']:.2f} | {wall['Python']:.2f} | "
                        f"{cpu['C']:.2f} | {cpu['Python']:.2f} | {ratio:.2f} | "
                        f"{cpu['Python'] / cpu['C']:.2f} |")
    print(f"cpubound {args.rounds} rounds, median of {args.repeat}, pyqemu with each plugin\n")
    print("| pair | C wall s | Python wall s | C CPU s | Python CPU s | Python/C (wall) "
          "| Python/C (CPU) |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    print("\n".join(rows))
    verdict = "met" if worst <= GOAL else "NOT met"
    print(f"\ngoal: Python ≤ {GOAL}x C: {verdict} (worst {worst:.2f}x)")
    return 1 if args.check and worst > GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
