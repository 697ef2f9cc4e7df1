#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark runner: native vs qemu-x86_64 vs pyqemu-x86_64 vs Qiling, same plugin .so files.

Mirrors no QEMU file (QEMU keeps no benchmark harness in its tree); it measures what QEMU's
linux-user/main.c and its plugins cost next to ours, and next to Qiling. This file is the
command line; the work is in benchmarks/suite/ (workloads, configs, measure, cells, qiling,
scaling, facts, report, plots). It writes results/latest.md (also printed), results/latest.json
(every sample) and, when matplotlib is installed, PNG charts.

Usage: python3 benchmarks/run.py [--quick] [--repeat N] [--only W[,W]] [--configs C[,C]]
       [--no-qiling] [--no-scaling] [--out DIR] [--cache-dir DIR] [--build-dir DIR]
       [--qemu PATH] [--pyqemu "CMD"] [--qiling-venv DIR] [--note TEXT]
       python3 benchmarks/run.py --setup-qiling     (creates benchmarks/.venv-qiling)
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from suite.cells import Emulators, default_pyqemu_command, run_all, run_failed
from suite.configs import CONFIGS, PluginConfig
from suite.facts import load_average, machine_facts
from suite.measure import LAUNCHER_SOURCE
from suite.plots import write_plots
from suite.qiling_column import DEFAULT_VENV, prepare_rootfs, qiling_version, setup_venv
from suite.report import json_report, markdown_report
from suite.scaling import run_scaling
from suite.workloads import BENCH_DIR, WORKLOADS, GuestCache, build_workloads

DEFAULT_OUT_DIR = BENCH_DIR / "results"
DEFAULT_BUILD_DIR = BENCH_DIR.parent / "build"
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pyqemu-bench"
DEFAULT_REPEAT = 3
DEFAULT_TIMEOUT = 900.0
DEFAULT_QILING_TIMEOUT = 300.0


def _choose(text: str | None, known: Sequence[str], what: str) -> list[str]:
    if text is None:
        return list(known)
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise SystemExit(f"run.py: unknown {what} {', '.join(unknown) or '(none given)'}; "
                         f"choose from {', '.join(known)}")
    return [name for name in known if name in chosen]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time native, qemu-x86_64, pyqemu-x86_64 and Qiling with the same plugins.")
    parser.add_argument("--quick", action="store_true",
                        help="one repetition, tiny inputs (every column still runs)")
    parser.add_argument("--repeat", type=int, help=f"repetitions (default {DEFAULT_REPEAT}, "
                        "--quick: 1)")
    parser.add_argument("--only", metavar="W[,W]", help="workloads: " + ", ".join(WORKLOADS))
    parser.add_argument("--configs", metavar="C[,C]", help="configs: " + ", ".join(CONFIGS))
    parser.add_argument("--no-qiling", action="store_true", help="leave the Qiling column out")
    parser.add_argument("--no-scaling", action="store_true",
                        help="leave the time-vs-instructions scaling runs out")
    parser.add_argument("--setup-qiling", action="store_true",
                        help="create the Qiling venv (--qiling-venv) and exit")
    parser.add_argument("--qiling-venv", type=Path, default=DEFAULT_VENV,
                        help="venv holding Qiling (default %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR,
                        help="where latest.md, latest.json and the plots go")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR,
                        help="compiled guests, input files, Qiling rootfs (default %(default)s)")
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR,
                        help="meson build dir holding the plugin .so files")
    parser.add_argument("--qemu", default="qemu-x86_64", help="the reference emulator")
    parser.add_argument("--pyqemu", help="command starting pyqemu (default: python -m "
                        "pyqemu.linux_user.main)")
    parser.add_argument("--note", default="", help="a line for the report's header (how the "
                        "machine was used, which pyqemu tree ran...)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds one run may take (default %(default)s)")
    parser.add_argument("--qiling-timeout", type=float, default=DEFAULT_QILING_TIMEOUT,
                        help="seconds one Qiling run may take (default %(default)s)")
    return parser.parse_args(argv)


def ensure_plugins(configs: Sequence[PluginConfig], build_dir: Path) -> None:
    """Build the plugins with ninja when some are missing; exit with the fix when impossible."""
    missing = [c.library for c in configs if c.library and not (build_dir / c.library).exists()]
    if missing and (build_dir / "build.ninja").exists():
        subprocess.run(["ninja", "-C", str(build_dir)], check=False, stdout=sys.stderr)
        missing = [m for m in missing if not (build_dir / m).exists()]
    if missing:
        raise SystemExit(f"run.py: plugins not built: {', '.join(missing)}; run `meson setup "
                         f"{build_dir} -Denable-plugins=true && ninja -C {build_dir}`")


def qiling_venv_or_note(args: argparse.Namespace) -> tuple[Path | None, str]:
    """The usable Qiling venv, or None and why the column is off."""
    if args.no_qiling:
        return None, "column off (--no-qiling)"
    venv = args.qiling_venv.resolve()
    if not qiling_version(venv):
        return None, (f"column off: no Qiling venv at {venv} (create it with `python3 "
                      "benchmarks/run.py --setup-qiling`)")
    return venv, ""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.setup_qiling:
        return setup_venv(args.qiling_venv.resolve())
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else DEFAULT_REPEAT)
    if repeat < 1:
        raise SystemExit("run.py: --repeat must be at least 1")
    configs = [CONFIGS[name] for name in _choose(args.configs, list(CONFIGS), "config")]
    qemu = shutil.which(args.qemu)
    if qemu is None:
        raise SystemExit(f"run.py: {args.qemu} not found (apt-get install qemu-user)")
    build_dir = args.build_dir.resolve()
    scaling_wanted = not args.no_scaling
    ensure_plugins([*configs, CONFIGS["insn"]] if scaling_wanted else configs, build_dir)
    pyqemu = tuple(shlex.split(args.pyqemu)) if args.pyqemu else default_pyqemu_command()
    cache = GuestCache(args.cache_dir.resolve())
    workloads = build_workloads(_choose(args.only, list(WORKLOADS), "workload"), cache,
                                args.quick)
    qiling_venv, qiling_note = qiling_venv_or_note(args)
    rootfs = cache.directory / "qiling-rootfs"
    if qiling_venv is not None:
        prepare_rootfs(rootfs, workloads)
    emulators = Emulators((qemu,), pyqemu, build_dir,
                          cache.compile_musl("launcher", LAUNCHER_SOURCE), args.timeout,
                          qiling_venv, rootfs, args.qiling_timeout)

    facts = machine_facts(emulators, repeat, args.quick, qiling_note, args.note)
    cells = run_all(workloads, configs, emulators, repeat)
    scaling = run_scaling(cache, emulators, repeat, args.quick) if scaling_wanted else None
    facts["load average at end"] = load_average()

    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    plots, plot_note = write_plots(cells, scaling, out_dir)
    report = markdown_report(cells, workloads, facts, scaling, plots, plot_note,
                             qiling_venv is not None)
    (out_dir / "latest.md").write_text(report)
    (out_dir / "latest.json").write_text(json_report(cells, facts, scaling))
    print(report)
    failed = run_failed(cells) or (scaling is not None and bool(scaling.failure))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
