# SPDX-License-Identifier: GPL-2.0-or-later
"""Cells and their schedule: every (workload, config, runner), repetitions interleaved.

Mirrors no QEMU part. A cell is one workload under one plugin configuration on one runner
(native, qemu-x86_64, pyqemu or Qiling). Repetition 1 of every cell runs before repetition 2
of any, and within a row the runners' order rotates, so a slow minute on a shared machine
hits every column alike. A run that exits non-zero, times out, prints other stdout than the
native run, or whose plugin left no output fails its cell; a failed cell is not run again.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from suite.configs import PluginConfig, check_plugin_output, plugin_options
from suite.measure import Sample, run_once
from suite.qiling_column import qiling_command
from suite.workloads import BENCH_DIR, Workload

REPO_ROOT = BENCH_DIR.parent
PYQEMU_MAIN_MODULE = "pyqemu.linux_user.main"
RUNNERS = ("native", "qemu", "pyqemu", "qiling")


@dataclass
class Cell:
    """All runs of one (workload, config, runner), plus what was checked about them."""

    workload: str
    config: str
    runner: str
    samples: list[Sample] = field(default_factory=list)
    stdout: bytes | None = None  # of the first run; later runs must print the same
    plugin_output: str = ""  # first line of the plugin's log, or the drcov BB Table line
    failure: str = ""

    def median(self) -> float | None:
        """Median wall-clock seconds, or None when the cell failed."""
        return statistics.median(s.seconds for s in self.samples) if self.ok else None

    def median_cpu(self) -> float | None:
        """Median user+system CPU seconds, or None when the cell failed."""
        return statistics.median(s.cpu_seconds for s in self.samples) if self.ok else None

    def spread_percent(self) -> float | None:
        """Half the min..max range, in percent of the median."""
        median = self.median()
        if median is None or median <= 0:
            return None
        times = [s.seconds for s in self.samples]
        return (max(times) - min(times)) / 2 / median * 100

    def peak_rss_mib(self) -> float | None:
        return max(s.max_rss_kib for s in self.samples) / 1024 if self.ok else None

    @property
    def ok(self) -> bool:
        return not self.failure and bool(self.samples)


def default_pyqemu_command() -> tuple[str, ...]:
    """`python -m pyqemu.linux_user.main` when pyqemu is installed, else run from this checkout.

    From a bare checkout the module is started through runpy with the repository root put on
    sys.path inside the process, not through PYTHONPATH, which the guest would inherit.
    """
    if importlib.util.find_spec("pyqemu") is not None:
        return (sys.executable, "-m", PYQEMU_MAIN_MODULE)
    bootstrap = (
        f"import runpy, sys; sys.path.insert(0, {str(REPO_ROOT)!r}); "
        f"runpy.run_module({PYQEMU_MAIN_MODULE!r}, run_name='__main__', alter_sys=True)"
    )
    return (sys.executable, "-c", bootstrap)


@dataclass(frozen=True)
class Emulators:
    """How to start each runner, where the plugins are, and the measuring launcher.

    qiling_venv is None when the Qiling column is off (no venv, or --no-qiling).
    """

    qemu: tuple[str, ...]
    pyqemu: tuple[str, ...]
    build_dir: Path
    launcher: Path
    timeout: float
    qiling_venv: Path | None = None
    qiling_rootfs: Path | None = None
    qiling_timeout: float = 300.0


def command_for(cell: Cell, workload: Workload, config: PluginConfig, emulators: Emulators,
                scratch: Path) -> list[str]:
    """The full command line of one run of cell."""
    if cell.runner == "native":
        return list(workload.argv)
    if cell.runner == "qiling":
        assert emulators.qiling_venv is not None and emulators.qiling_rootfs is not None
        output = scratch / ("coverage.drcov" if config.qiling_mode == "drcov" else "plugin.log")
        return [*qiling_command(emulators.qiling_venv, config.qiling_mode,
                                emulators.qiling_rootfs, output), *workload.argv]
    prefix = emulators.qemu if cell.runner == "qemu" else emulators.pyqemu
    options = plugin_options(config, cell.runner, emulators.build_dir, scratch)
    return [*prefix, *options, *workload.argv]


def measure(cell: Cell, workload: Workload, config: PluginConfig, emulators: Emulators) -> None:
    """Run the cell once more and record the sample, or the reason it failed."""
    timeout = emulators.qiling_timeout if cell.runner == "qiling" else emulators.timeout
    with tempfile.TemporaryDirectory(prefix="pyqemu-bench-") as scratch_name:
        scratch = Path(scratch_name)
        command = command_for(cell, workload, config, emulators, scratch)
        outcome = run_once(command, scratch, timeout, emulators.launcher)
        if outcome.timed_out:
            cell.failure = f"timed out after {timeout:.0f} s"
        elif outcome.status != 0:
            lines = outcome.stderr.decode(errors="replace").strip().splitlines()
            tail = [line.strip() for line in lines if line.strip()][-3:]
            cell.failure = f"exit status {outcome.status}: " + " / ".join(tail)
        elif cell.stdout is not None and outcome.stdout != cell.stdout:
            cell.failure = "stdout differs between repetitions"
        elif cell.runner != "native":
            summary, failure = check_plugin_output(config, scratch)
            cell.failure = failure
            cell.plugin_output = cell.plugin_output or summary
        if cell.stdout is None:
            cell.stdout = outcome.stdout
        cell.samples.append(outcome.sample)


def make_cells(workloads: Sequence[Workload], configs: Sequence[PluginConfig],
               emulators: Emulators) -> list[Cell]:
    """Every cell of the table: native and Qiling only where the configuration has them."""
    cells: list[Cell] = []
    for workload in workloads:
        for config in configs:
            if config.name in workload.skip_configs:
                continue
            for runner in RUNNERS:
                if runner == "native" and config.library is not None:
                    continue
                if runner == "qiling" and (emulators.qiling_venv is None or workload.skip_qiling
                                           or not config.qiling_mode):
                    continue
                cells.append(Cell(workload.name, config.name, runner))
    return cells


def run_all(workloads: Sequence[Workload], configs: Sequence[PluginConfig], emulators: Emulators,
            repeat: int) -> list[Cell]:
    """Run every cell `repeat` times, one repetition of everything after another.

    Within a (workload, config) the runners' order rotates each repetition, so none of them
    always goes first (warm page cache) or last.
    """
    cells = make_cells(workloads, configs, emulators)
    workload_by_name = {w.name: w for w in workloads}
    config_by_name = {c.name: c for c in configs}
    rows = list(dict.fromkeys((c.workload, c.config) for c in cells))
    for repetition in range(repeat):
        for workload_name, config_name in rows:
            row = [c for c in cells if (c.workload, c.config) == (workload_name, config_name)]
            shift = repetition % len(row)
            for cell in row[shift:] + row[:shift]:
                if cell.failure:
                    continue  # once broken, don't spend more time on it
                measure(cell, workload_by_name[workload_name], config_by_name[config_name],
                        emulators)
                last = cell.samples[-1].seconds
                state = f"FAIL ({cell.failure[:80]})" if cell.failure else f"{last:.3f} s"
                print(f"[{repetition + 1}/{repeat}] {workload_name:<12} {config_name:<5} "
                      f"{cell.runner:<6} {state}", file=sys.stderr, flush=True)
    check_outputs_agree(cells)
    return cells


def check_outputs_agree(cells: Sequence[Cell]) -> None:
    """Fail every emulated cell whose stdout differs from the native run's (or qemu's)."""
    for cell in cells:
        if cell.runner == "native" or not cell.ok:
            continue
        reference = next(
            (c for c in cells if c.workload == cell.workload and c.runner == "native" and c.ok),
            None,
        ) or next(
            (c for c in cells if c.workload == cell.workload and c.runner == "qemu" and c.ok
             and c is not cell),
            None,
        )
        if reference is not None and reference.stdout != cell.stdout:
            cell.failure = f"stdout differs from the {reference.runner} run"


def run_failed(cells: Sequence[Cell]) -> bool:
    """Whether the run as a whole failed: any native, qemu or pyqemu cell failed.

    A Qiling cell that fails says why in the report but does not fail the run: Qiling not
    running a program is a finding about Qiling.
    """
    return any(c.failure for c in cells if c.runner != "qiling")
