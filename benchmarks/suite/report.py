# SPDX-License-Identifier: GPL-2.0-or-later
"""The report: results/latest.md (header facts, the ratio table, goals, scaling) and latest.json.

Mirrors no QEMU part. Times are medians of the interleaved repetitions with ± half their
min–max range; every ratio is median over median; failed cells show FAIL (Qiling's: why, in
short) and never get a ratio.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from suite.cells import Cell
from suite.configs import CONFIGS
from suite.scaling import Scaling
from suite.workloads import Workload

TABLE_COLUMNS = ("workload", "config", "native s", "qemu s", "pyqemu s", "qiling s",
                 "pyqemu/qemu", "pyqemu/qemu CPU", "qemu/native", "qiling/pyqemu", "qemu MiB",
                 "pyqemu MiB", "qiling MiB")
QILING_REASON_CHARS = 38
GOAL_QILING_SPEEDUP = 50.0
GOAL_WORKLOADS = ("cpubound", "membound")  # where the Qiling goal is judged


class CellIndex:
    """Cells by (workload, config, runner)."""

    def __init__(self, cells: Sequence[Cell]) -> None:
        self.by_key = {(c.workload, c.config, c.runner): c for c in cells}

    def get(self, workload: str, config: str, runner: str) -> Cell | None:
        return self.by_key.get((workload, config, runner))


def ratio(numerator: Cell | None, denominator: Cell | None, cpu: bool = False) -> float | None:
    """Median over median (wall clock, or CPU time), or None when either side is missing/failed."""
    if numerator is None or denominator is None:
        return None
    if cpu:
        top, bottom = numerator.median_cpu(), denominator.median_cpu()
    else:
        top, bottom = numerator.median(), denominator.median()
    if top is None or bottom is None or bottom <= 0:
        return None
    return top / bottom


def short_reason(failure: str) -> str:
    """A failure in a few words, for a table cell: its last line, cut."""
    text = failure
    if text.startswith("exit status") and ": " in text:
        status, _, stderr_tail = text.partition(": ")
        text = stderr_tail.split(" / ")[-1] or status
    last = text.replace("|", "/")
    return last if len(last) <= QILING_REASON_CHARS else last[:QILING_REASON_CHARS - 1] + "…"


def seconds_text(cell: Cell | None) -> str:
    if cell is None:
        return "—"
    if not cell.ok:
        return f"n/a: {short_reason(cell.failure)}" if cell.runner == "qiling" else "FAIL"
    spread = cell.spread_percent()
    text = f"{cell.median():.3f}"
    return text if spread is None or len(cell.samples) < 2 else f"{text} ±{spread:.0f}%"


def _mib_text(cell: Cell | None) -> str:
    rss = cell.peak_rss_mib() if cell is not None else None
    return "—" if rss is None else f"{rss:.0f}"


def _ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def table_lines(cells: Sequence[Cell]) -> list[str]:
    """The Markdown ratio table, one row per (workload, config)."""
    index = CellIndex(cells)
    lines = ["| " + " | ".join(TABLE_COLUMNS) + " |",
             "|" + "|".join("---" if i < 2 else "--:" for i in range(len(TABLE_COLUMNS))) + "|"]
    for workload, config in dict.fromkeys((c.workload, c.config) for c in cells):
        native = index.get(workload, "none", "native")
        qemu = index.get(workload, config, "qemu")
        pyqemu = index.get(workload, config, "pyqemu")
        qiling = index.get(workload, config, "qiling")
        row = [
            workload, config, seconds_text(index.get(workload, config, "native")),
            seconds_text(qemu), seconds_text(pyqemu), seconds_text(qiling),
            _ratio_text(ratio(pyqemu, qemu)), _ratio_text(ratio(pyqemu, qemu, cpu=True)),
            _ratio_text(ratio(qemu, native)), _ratio_text(ratio(qiling, pyqemu)),
            _mib_text(qemu), _mib_text(pyqemu), _mib_text(qiling),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def qiling_speedups(cells: Sequence[Cell]) -> list[tuple[str, str, float]]:
    """(workload, Qiling's way, Qiling time / pyqemu drcov time) for every measured pair.

    Qiling's ways of measuring coverage: its drcov extension (the drcov row) and a Python
    block hook (the pybb row); pyqemu's is the drcov plugin .so.
    """
    index = CellIndex(cells)
    found = []
    for workload in dict.fromkeys(c.workload for c in cells):
        pyqemu = index.get(workload, "drcov", "pyqemu")
        for config, way in (("pybb", "Python block hook"), ("drcov", "drcov extension")):
            value = ratio(index.get(workload, config, "qiling"), pyqemu)
            if value is not None:
                found.append((workload, way, value))
    return found


def goal_lines(cells: Sequence[Cell], qiling_on: bool) -> list[str]:
    index = CellIndex(cells)
    lines = ["## Goals (issue 11)", ""]
    for workload in ("cpubound", "cpubound-long"):
        for config, goal in (("drcov", 1.5), ("insn", 2.0)):
            value = ratio(index.get(workload, config, "pyqemu"),
                          index.get(workload, config, "qemu"))
            if value is None and workload != "cpubound":
                continue
            verdict = "not measured" if value is None else (
                f"{value:.2f}× — {'met' if value <= goal else 'not met'}")
            lines.append(f"- {workload} with {config}: pyqemu ≤ {goal}× qemu: {verdict}")
    speedups = qiling_speedups(cells)
    if not speedups:
        why = "Qiling column off" if not qiling_on else "no workload measured under both"
        lines.append(f"- pyqemu with drcov ≥ {GOAL_QILING_SPEEDUP:.0f}× faster than Qiling's "
                     f"coverage: not measured ({why})")
    for workload, way, value in speedups:
        # The goal is about translated code; on start-up-bound rows both pay mostly start-up.
        verdict = (f" (goal ≥ {GOAL_QILING_SPEEDUP:.0f}×: "
                   f"{'met' if value >= GOAL_QILING_SPEEDUP else 'not met'})"
                   if workload in GOAL_WORKLOADS else "")
        lines.append(f"- {workload}: pyqemu + drcov.so is {value:.1f}× faster than Qiling's "
                     f"{way}{verdict}")
    return lines


def scaling_lines(scaling: Scaling | None) -> list[str]:
    if scaling is None:
        return []
    lines = ["## Scaling: time against guest instructions (cpubound, no plugin)", ""]
    if scaling.failure:
        return lines + [f"Not measured: {scaling.failure}."]
    runners = list(scaling.fits) or ["native", "qemu", "pyqemu"]
    lines += ["| rounds | guest instructions | " + " | ".join(f"{r} s" for r in runners) + " |",
              "|--:|--:|" + "--:|" * len(runners)]
    for point in scaling.points:
        medians = [point.median(r) for r in runners]
        lines.append(f"| {point.rounds} | {point.instructions:,} | "
                     + " | ".join("—" if m is None else f"{m:.3f}" for m in medians) + " |")
    lines += ["", "Least-squares fit time = start-up + cost × instructions:", ""]
    for runner, fit in scaling.fits.items():
        lines.append(f"- {runner}: {fit.slope * 1e9:.2f} ns per guest instruction, start-up "
                     f"{fit.intercept * 1000:.0f} ms, r² = {fit.r_squared:.4f}")
    qemu, pyqemu = scaling.fits.get("qemu"), scaling.fits.get("pyqemu")
    if qemu is not None and pyqemu is not None and qemu.slope > 0:
        lines.append(f"- per-instruction cost pyqemu / qemu: {pyqemu.slope / qemu.slope:.2f}×")
    return lines


def markdown_report(cells: Sequence[Cell], workloads: Sequence[Workload],
                    facts: dict[str, str], scaling: Scaling | None, plots: Sequence[str],
                    plot_note: str, qiling_on: bool) -> str:
    """The whole results/latest.md."""
    lines = ["# pyqemu benchmark results", ""]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    lines += ["", *table_lines(cells)]
    lines += ["", "Times are the median wall-clock seconds of the repetitions, ± half their "
              "min–max range. pyqemu/qemu is the ratio of those medians, pyqemu/qemu CPU the "
              "ratio of median user+system CPU seconds (steadier when the machine is shared). "
              "qemu/native divides by the no-plugin native time; qiling/pyqemu is how many "
              "times faster pyqemu is than Qiling on the row. MiB is the peak RSS of the "
              "emulator process (wait4 rusage); for Qiling and pyqemu it includes the Python "
              "interpreter."]
    lines += ["", "Workloads: " + "; ".join(f"**{w.name}**: {w.description}" for w in workloads)
              + ".", "", "Configs: " + "; ".join(f"**{c}**: {CONFIGS[c].description}" for c in
                                                 dict.fromkeys(c.config for c in cells)) + "."]
    failures = [c for c in cells if c.failure and c.runner != "qiling"]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [f"- {c.workload}/{c.config}/{c.runner}: {c.failure}" for c in failures]
    qiling_failures = [c for c in cells if c.failure and c.runner == "qiling"]
    if qiling_failures:
        lines += ["", "## Qiling could not run (not a failure of the run)", ""]
        lines += [f"- {c.workload}/{c.config}: {c.failure}" for c in qiling_failures]
    lines += ["", *goal_lines(cells, qiling_on)]
    scaling_part = scaling_lines(scaling)
    if scaling_part:
        lines += ["", *scaling_part]
    plugin_lines = [c for c in cells if c.plugin_output and c.ok]
    if plugin_lines:
        lines += ["", "## Plugin output (first run of each cell)", ""]
        lines += [f"- {c.workload}/{c.config}/{c.runner}: `{c.plugin_output}`"
                  for c in plugin_lines]
    lines += ["", "## Plots", ""]
    lines += [f"![{name}]({name})" for name in plots] or [plot_note]
    return "\n".join(lines) + "\n"


def json_report(cells: Sequence[Cell], facts: dict[str, str], scaling: Scaling | None) -> str:
    records = []
    for cell in cells:
        record = asdict(cell)
        record["stdout"] = (cell.stdout or b"").decode(errors="replace")
        record["median_seconds"] = cell.median()
        records.append(record)
    return json.dumps({"facts": facts, "cells": records,
                       "scaling": asdict(scaling) if scaling is not None else None},
                      indent=1) + "\n"
