# SPDX-License-Identifier: GPL-2.0-or-later
"""Scaling: run time against guest instruction count, to show a constant per-instruction cost.

Mirrors no QEMU part. cpubound runs with several round counts; each count's guest instructions
are counted once with tests/plugin/libinsn.so (inline) under qemu-x86_64, then native, qemu and
pyqemu (no plugin) are timed, repetitions interleaved. A least-squares line time = start-up +
cost × instructions per runner gives the per-instruction cost (its slope) and the fixed
start-up (its intercept); a straight line (r² near 1) is the constant per-instruction cost.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from suite.cells import Emulators
from suite.configs import CONFIGS, plugin_options
from suite.measure import run_once
from suite.workloads import SCALING_ROUNDS, GuestCache

SCALING_RUNNERS = ("native", "qemu", "pyqemu")


@dataclass
class ScalingPoint:
    """One round count: its instruction count and every runner's wall times."""

    rounds: int
    instructions: int
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def median(self, runner: str) -> float | None:
        times = self.seconds.get(runner)
        return statistics.median(times) if times else None


@dataclass(frozen=True)
class Fit:
    """time = intercept + slope × instructions, least squares, and its r²."""

    intercept: float
    slope: float
    r_squared: float


@dataclass
class Scaling:
    points: list[ScalingPoint]
    fits: dict[str, Fit]
    failure: str = ""


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> Fit | None:
    """Least-squares line through (xs, ys); None with fewer than two distinct xs."""
    if len(xs) < 2 or len(set(xs)) < 2:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return Fit(intercept, slope, 1.0 - residual / total if total > 0 else 1.0)


def count_instructions(program: Path, rounds: int, emulators: Emulators) -> int | None:
    """Guest instructions of `program rounds`, from the insn plugin's -D log under qemu."""
    config = CONFIGS["insn"]
    with tempfile.TemporaryDirectory(prefix="pyqemu-scaling-") as scratch_name:
        scratch = Path(scratch_name)
        options = plugin_options(config, "qemu", emulators.build_dir, scratch)
        outcome = run_once([*emulators.qemu, *options, str(program), str(rounds)], scratch,
                           emulators.timeout, emulators.launcher)
        log = scratch / "plugin.log"
        text = log.read_text() if log.exists() else ""
    found = re.search(r"insns: (\d+)", text)
    return int(found.group(1)) if outcome.status == 0 and found else None


def run_scaling(cache: GuestCache, emulators: Emulators, repeat: int, quick: bool) -> Scaling:
    """Count, time and fit; a failed run ends the scaling with its reason."""
    program = cache.compile_bench_source("cpubound.c")
    points: list[ScalingPoint] = []
    for rounds in (int(text) for text in SCALING_ROUNDS.pick(quick)):
        instructions = count_instructions(program, rounds, emulators)
        if instructions is None:
            return Scaling(points, {}, f"counting instructions of {rounds} round(s) failed")
        points.append(ScalingPoint(rounds, instructions, {r: [] for r in SCALING_RUNNERS}))
    prefixes = {"native": (), "qemu": emulators.qemu, "pyqemu": emulators.pyqemu}
    for repetition in range(repeat):
        for point in points:
            shift = repetition % len(SCALING_RUNNERS)
            for runner in SCALING_RUNNERS[shift:] + SCALING_RUNNERS[:shift]:
                with tempfile.TemporaryDirectory(prefix="pyqemu-scaling-") as scratch_name:
                    outcome = run_once([*prefixes[runner], str(program), str(point.rounds)],
                                       Path(scratch_name), emulators.timeout,
                                       emulators.launcher)
                if outcome.status != 0:
                    return Scaling(points, {}, f"{runner} failed on {point.rounds} round(s): "
                                   f"exit status {outcome.status}")
                point.seconds[runner].append(outcome.sample.seconds)
                print(f"[{repetition + 1}/{repeat}] scaling {point.rounds:>3} rounds {runner:<6} "
                      f"{outcome.sample.seconds:.3f} s", file=sys.stderr, flush=True)
    fits: dict[str, Fit] = {}
    for runner in SCALING_RUNNERS:
        fit = fit_line([p.instructions for p in points],
                       [p.median(runner) or 0.0 for p in points])
        if fit is not None:
            fits[runner] = fit
    return Scaling(points, fits)
