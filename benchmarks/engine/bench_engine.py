#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Engine benchmarks for issue 7: native vs qemu-x86_64 vs pyqemu on two engines.

Compiles the micro-benchmarks in this directory and ``benchmarks/cpubound.c``
with ``musl-gcc -O2 -static`` into a temporary directory, then times each one
natively, under ``qemu-x86_64``, under pyqemu on the unicorn wheel's engine
(``PYQEMU_ENGINE=stock``) and under pyqemu on our patched engine, all in one
run, and prints a Markdown table with the ratios to qemu.

Times are CPU seconds (user + system) of the child: the machine is shared,
and CPU time is what the engines differ in.  A micro-benchmark is reported
as the cost of one iteration, (t(N) - t(1)) / N: t(1), the best of
``--repeat`` runs of one iteration, is the start-up (pyqemu needs about
0.2 s to start Python), and N is picked per configuration so that the
iterations take about TARGET_SECONDS; the median over ``--repeat`` runs is
kept.  cpubound is timed whole (best of ``--repeat``), as issue 7 states
its goal.

Usage: bench_engine.py [--engine PATH] [--repeat N] [--scale F] [--only NAME ...]
                       [--skip CONFIG ...] [--python CMD]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CPUBOUND_SOURCE = REPO / "benchmarks" / "cpubound.c"

# name -> iterations of the calibration runs; the timed runs do N and 2N, with N
# picked per configuration so that the N extra iterations take TARGET_SECONDS.
MICRO_ITERATIONS = {
    "storeload": 4_000_000,
    "callret": 4_000_000,
    "tablelookup": 4_000_000,
}
TARGET_SECONDS = 1.0
MAX_ITERATIONS = 2_000_000_000


@dataclass
class Config:
    """One way of running a guest program: a command prefix and extra env."""

    name: str
    prefix: list[str]
    env: dict[str, str]


def compile_guest(source: Path, out_dir: Path) -> Path:
    """musl-gcc -O2 -static, as the benchmark headers say."""
    binary = out_dir / source.stem
    subprocess.run(
        ["musl-gcc", "-O2", "-static", "-Wall", "-Werror", str(source), "-o", str(binary)],
        check=True,
    )
    return binary


def cpu_seconds(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run argv to completion; return its user+sys CPU time and its stdout."""
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        if child.stderr:
            child.stderr.close()
        out.seek(0)
        stdout = out.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{argv} exited {child.returncode}: {stderr.strip()[-500:]}")
    return usage.ru_utime + usage.ru_stime, stdout


def best_of(repeat: int, argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    results = [cpu_seconds(argv, env) for _ in range(repeat)]
    return min(t for t, _ in results), results[0][1]


def calibrate(argv: list[str], env: dict[str, str], probe: int) -> int:
    """Iterations N such that N more iterations take about TARGET_SECONDS.

    The probe grows until its extra iterations take a measurable 50 ms.
    """
    while True:
        once, _ = cpu_seconds(argv + [str(probe)], env)
        twice, _ = cpu_seconds(argv + [str(2 * probe)], env)
        extra = twice - once
        if extra >= 0.05 or probe * 4 > MAX_ITERATIONS:
            break
        probe *= 4
    per_iteration = max(extra, 1e-3) / probe
    return max(probe, min(MAX_ITERATIONS, int(TARGET_SECONDS / per_iteration)))


def engine_in_use(python: list[str], env: dict[str, str]) -> str:
    """Ask pyqemu (in a child, under env) which libunicorn.so.2 it loads."""
    probe = "import pyqemu.host as h; print(h.engine_library, *h.engine_patches)"
    done = subprocess.run(
        [*python, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def configs(engine: str | None, python: list[str]) -> list[Config]:
    base = dict(os.environ)
    base.pop("PYQEMU_ENGINE", None)
    pyqemu = [*python, "-m", "pyqemu.linux_user.main"]
    found = [Config("native", [], base)]
    if shutil.which("qemu-x86_64"):
        found.append(Config("qemu", ["qemu-x86_64"], base))
    found.append(Config("stock", pyqemu, base | {"PYQEMU_ENGINE": "stock"}))
    found.append(Config("ours", pyqemu, base | {"PYQEMU_ENGINE": engine or "built"}))
    return found


def ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "-"
    return f"{value / reference:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", help="our libunicorn.so.2 (default: the built one)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per measurement (median kept; best for start-up and cpubound)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the calibration iteration counts")
    parser.add_argument("--only", nargs="*", help="benchmark names to run")
    parser.add_argument("--skip", nargs="*", default=[], help="configs to leave out")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter command that runs pyqemu (e.g. 'python3 -S' with "
                             "PYTHONPATH naming another tree)")
    args = parser.parse_args()
    python = shlex.split(args.python)
    # Run every child outside the source tree: `python -m` and `-c` put the
    # working directory first on sys.path, where a repository's unbuilt
    # pyqemu/ would shadow the one under test.
    os.chdir(tempfile.gettempdir())

    if not shutil.which("musl-gcc"):
        print("bench_engine: musl-gcc not found", file=sys.stderr)
        return 1
    runs = [c for c in configs(args.engine, python) if c.name not in args.skip]
    for config in runs:
        if config.name in ("stock", "ours"):
            print(f"<!-- {config.name}: {engine_in_use(python, config.env)} -->")

    names = list(MICRO_ITERATIONS) + ["cpubound"]
    if args.only:
        names = [n for n in names if n in args.only]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        for name in names:
            source = CPUBOUND_SOURCE if name == "cpubound" else HERE / f"{name}.c"
            binary = compile_guest(source, Path(tmp))
            cells: dict[str, float | None] = {}
            for config in runs:
                argv = config.prefix + [str(binary)]
                if name == "cpubound":
                    cells[config.name], _ = best_of(args.repeat, argv, config.env)
                    continue
                n = calibrate(argv, config.env, int(MICRO_ITERATIONS[name] * args.scale))
                start_up, _ = best_of(args.repeat, argv + ["1"], config.env)
                samples = [cpu_seconds(argv + [str(n)], config.env) for _ in range(args.repeat)]
                per_iteration = sorted(max(t - start_up, 0.0) / n for t, _ in samples)
                cells[config.name] = per_iteration[len(per_iteration) // 2] * 1e9
                spread = f"{per_iteration[0] * 1e9:.3g}..{per_iteration[-1] * 1e9:.3g} ns"
                print(f"<!-- {name} {config.name}: N={n} ({spread}) {samples[0][1].strip()} -->",
                      flush=True)
            rows.append((name, cells))

    machine = f"{platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs"
    print(f"\nEngine benchmarks, {datetime.date.today()}, {machine}")
    print("(micro-benchmarks: ns per iteration; cpubound: CPU seconds for the whole run)\n")
    header = ["benchmark"] + [c.name for c in runs] + ["stock/qemu", "ours/qemu"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, cells in rows:
        values = [f"{cells[c.name]:.3g}" for c in runs]
        qemu = cells.get("qemu")
        print(
            "| " + " | ".join([name] + values
                             + [ratio(cells.get("stock"), qemu), ratio(cells.get("ours"), qemu)])
            + " |"
        )
    return 0


if __name__ == "__main__":
    start = time.monotonic()
    status = main()
    print(f"\n(took {time.monotonic() - start:.0f} s)", file=sys.stderr)
    sys.exit(status)
