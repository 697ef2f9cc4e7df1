# SPDX-License-Identifier: GPL-2.0-or-later
"""PNG charts of a run: ratios.png, qiling.png, times.png and scaling.png (matplotlib, Agg).

Mirrors no QEMU part. Each chart is drawn only from cells that succeeded; a missing or failed
cell is a gap, never a zero-height bar passed off as a result. Without matplotlib nothing is
drawn and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from suite.cells import Cell
from suite.report import CellIndex, ratio
from suite.scaling import Scaling

RUNNER_COLOURS = {"native": "tab:gray", "qemu": "tab:blue", "pyqemu": "tab:orange",
                  "qiling": "tab:green"}


def _ratio_label(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _grouped_bars(axes: Any, groups: Sequence[str], series: dict[str, list[float | None]],
                  label: Callable[[float], str] = _ratio_label) -> None:
    """Bars of several series side by side per group; None values leave a gap."""
    width = 0.8 / max(len(series), 1)
    for index, (name, values) in enumerate(series.items()):
        positions = [i + (index - (len(series) - 1) / 2) * width for i in range(len(groups))]
        shown = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
        if not shown:
            continue
        bars = axes.bar([p for p, _ in shown], [v for _, v in shown], width, label=name)
        axes.bar_label(bars, labels=[label(v) for _, v in shown],
                       fontsize="x-small")
    axes.set_xticks(range(len(groups)), groups)


def _ratios_chart(plt: Any, cells: Sequence[Cell], out_dir: Path) -> None:
    index = CellIndex(cells)
    workloads = list(dict.fromkeys(c.workload for c in cells))
    configs = list(dict.fromkeys(c.config for c in cells))
    series = {config: [ratio(index.get(w, config, "pyqemu"), index.get(w, config, "qemu"))
                       for w in workloads] for config in configs}
    figure, axes = plt.subplots(figsize=(max(7, 1.9 * len(workloads)), 4.8))
    _grouped_bars(axes, workloads, series)
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_ylabel("pyqemu time / qemu time (log)")
    axes.set_title("pyqemu / qemu-x86_64 wall time, same plugin .so (1 = parity)")
    axes.legend(title="plugin", fontsize="small")
    figure.tight_layout()
    figure.savefig(out_dir / "ratios.png", dpi=100)
    plt.close(figure)


def _qiling_chart(plt: Any, cells: Sequence[Cell], out_dir: Path) -> bool:
    index = CellIndex(cells)
    workloads = list(dict.fromkeys(c.workload for c in cells))
    configs = [c for c in dict.fromkeys(c.config for c in cells)
               if any(cell.runner == "qiling" and cell.config == c for cell in cells)]
    series = {config: [ratio(index.get(w, config, "qiling"), index.get(w, config, "pyqemu"))
                       for w in workloads] for config in configs}
    if not any(v is not None for values in series.values() for v in values):
        return False
    figure, axes = plt.subplots(figsize=(max(7, 1.9 * len(workloads)), 4.8))
    _grouped_bars(axes, workloads, series)
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_ylabel("Qiling time / pyqemu time (log)")
    axes.set_title("How many times faster pyqemu is than Qiling 1.4 (1 = parity)")
    axes.legend(title="row (Qiling: plain / drcov ext. / Python hook)", fontsize="small")
    figure.tight_layout()
    figure.savefig(out_dir / "qiling.png", dpi=100)
    plt.close(figure)
    return True


def _times_chart(plt: Any, cells: Sequence[Cell], out_dir: Path) -> None:
    index = CellIndex(cells)
    workloads = list(dict.fromkeys(c.workload for c in cells))
    configs = list(dict.fromkeys(c.config for c in cells))
    runners = [r for r in ("qemu", "pyqemu", "qiling") if any(c.runner == r for c in cells)]
    columns = min(3, len(workloads))
    rows = (len(workloads) + columns - 1) // columns
    figure, grid = plt.subplots(rows, columns, figsize=(5 * columns, 3.8 * rows), squeeze=False)
    width = 0.8 / len(runners)
    for slot, workload in enumerate(workloads):
        axes = grid[slot // columns][slot % columns]
        for number, runner in enumerate(runners):
            offset = (number - (len(runners) - 1) / 2) * width
            xs, medians, lows, highs = [], [], [], []
            for position, config in enumerate(configs):
                cell = index.get(workload, config, runner)
                median = cell.median() if cell is not None else None
                if median is None or cell is None:
                    continue
                times = [s.seconds for s in cell.samples]
                xs.append(position + offset)
                medians.append(median)
                lows.append(median - min(times))
                highs.append(max(times) - median)
            if xs:
                axes.bar(xs, medians, width, label=runner, yerr=[lows, highs], capsize=2,
                         color=RUNNER_COLOURS[runner])
        native = index.get(workload, "none", "native")
        if native is not None and native.ok:
            axes.axhline(native.median() or 0, color="black", linestyle="--", linewidth=0.8,
                         label="native")
        axes.set_yscale("log")
        axes.set_xticks(range(len(configs)), configs, fontsize="small")
        axes.set_title(workload)
        axes.set_ylabel("seconds (median, min–max; log)")
        axes.legend(fontsize="x-small")
    for slot in range(len(workloads), rows * columns):
        grid[slot // columns][slot % columns].set_visible(False)
    figure.tight_layout()
    figure.savefig(out_dir / "times.png", dpi=100)
    plt.close(figure)


def _scaling_chart(plt: Any, scaling: Scaling, out_dir: Path) -> bool:
    if scaling.failure or not scaling.fits:
        return False
    figure, axes = plt.subplots(figsize=(7, 4.8))
    xs = [p.instructions / 1e6 for p in scaling.points]
    for runner, fit in scaling.fits.items():
        colour = RUNNER_COLOURS[runner]
        ys = [p.median(runner) or 0.0 for p in scaling.points]
        axes.plot(xs, ys, "o", color=colour)
        line_x = [0.0, max(xs)]
        axes.plot(line_x, [fit.intercept + fit.slope * x * 1e6 for x in line_x], "-",
                  color=colour, label=f"{runner}: {fit.slope * 1e9:.2f} ns/insn + "
                  f"{fit.intercept * 1000:.0f} ms (r²={fit.r_squared:.3f})")
    axes.set_xlabel("guest instructions (millions; cpubound at 1, 2, 4, ... rounds)")
    axes.set_ylabel("wall seconds (median)")
    axes.set_title("Time against guest instruction count, no plugin")
    axes.legend(fontsize="small")
    axes.set_xlim(left=0)
    axes.set_ylim(bottom=0)
    figure.tight_layout()
    figure.savefig(out_dir / "scaling.png", dpi=100)
    plt.close(figure)
    return True


def write_plots(cells: Sequence[Cell], scaling: Scaling | None,
                out_dir: Path) -> tuple[list[str], str]:
    """Draw the charts into out_dir; return (file names, note). Needs matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], ("Plots skipped: matplotlib is not installed (`pip install matplotlib`, or "
                    "`pip install -e .[bench]`).")
    names = []
    if cells:
        _ratios_chart(plt, cells, out_dir)
        names.append("ratios.png")
        if _qiling_chart(plt, cells, out_dir):
            names.append("qiling.png")
        _times_chart(plt, cells, out_dir)
        names.append("times.png")
    if scaling is not None and _scaling_chart(plt, scaling, out_dir):
        names.append("scaling.png")
    return names, ""
