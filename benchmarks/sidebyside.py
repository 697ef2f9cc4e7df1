# SPDX-License-Identifier: GPL-2.0-or-later
"""What the side-by-side benchmarks share: which qemu and which pyqemu they run, and
timing a guest that reports its own loop.

Each benchmark (syscall_loop, syscall_cost, real_programs, mappings, threads, avx2_loop)
runs the same guest under qemu-x86_64 and under pyqemu in one run; these options say which
of each.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def add_emulator_arguments(parser: argparse.ArgumentParser, *, extra: bool = True) -> None:
    """--python/--pyqemu (which pyqemu), --qemu, and with @extra --extra (pyqemu options)."""
    parser.add_argument("--python", default=sys.executable,
                        help="the Python whose pyqemu runs (a venv's bin/python)")
    parser.add_argument("--pyqemu", help="the whole pyqemu command, instead of --python")
    parser.add_argument("--qemu", default=shutil.which("qemu-x86_64") or "qemu-x86_64")
    if extra:
        parser.add_argument("--extra", action="append", default=[],
                            help="an option for pyqemu before the guest (repeatable)")


def pyqemu_command(args: argparse.Namespace) -> list[str]:
    """The pyqemu command the options name, with its --extra options."""
    base = (shlex.split(args.pyqemu) if args.pyqemu
            else [args.python, "-m", "pyqemu.linux_user.main"])
    return base + list(getattr(args, "extra", []))


def build_musl_guest(name: str, out_dir: Path, *flags: str) -> Path:
    """benchmarks/<name>.c built static with musl-gcc into @out_dir; a missing musl-gcc ends
    the benchmark with one line."""
    compiler = shutil.which("musl-gcc")
    if compiler is None:
        sys.exit(f"{name}.py: musl-gcc is needed (apt-get install musl-tools)")
    guest = out_dir / name
    subprocess.run([compiler, "-O2", "-static", *flags, "-Wall", "-Werror",
                    str(Path(__file__).resolve().parent / f"{name}.c"), "-o", str(guest)],
                   check=True)
    return guest


def run_reporting_loop(command: list[str], script: str) -> tuple[float, float, str]:
    """Wall seconds, the seconds the guest measured itself (its stderr line "loop S") and
    its stdout; a failed run ends the benchmark with one line naming @script."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{script}: {shlex.join(command)} failed ({done.returncode}): "
                 f"{done.stderr.strip()[-500:]}")
    loop = next(float(line.split()[1]) for line in done.stderr.splitlines()
                if line.startswith("loop "))
    return wall, loop, done.stdout


def median_loops(commands: dict[str, list[str]], repeat: int,
                 script: str) -> dict[str, tuple[float, float]]:
    """Each command run @repeat times, interleaved: the median wall seconds and the median
    seconds the guest measured, by name.  Every run must print the same stdout (else the
    benchmark ends with one line naming @script)."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    outputs = set()
    for _ in range(repeat):
        for name, command in commands.items():
            wall, loop, out = run_reporting_loop(command, script)
            samples[name].append((wall, loop))
            outputs.add(out)
    if len(outputs) != 1:
        sys.exit(f"{script}: the emulators disagree: {sorted(outputs)}")
    return {name: (statistics.median(w for w, _ in runs), statistics.median(s for _, s in runs))
            for name, runs in samples.items()}


def guest_loop_medians(description: str, guest_name: str, rounds: int, script: str,
                       *cflags: str) -> tuple[argparse.Namespace, list[str],
                                              tuple[float, float], tuple[float, float]]:
    """The command line of a benchmark that runs one looping guest (--rounds, --repeat and
    the emulator options), the guest built with @cflags and run under both emulators
    interleaved: (args, the pyqemu command, qemu's and pyqemu's (wall, loop) medians)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--repeat", type=int, default=3)
    add_emulator_arguments(parser)
    args = parser.parse_args()
    pyqemu = pyqemu_command(args)
    with tempfile.TemporaryDirectory(prefix=f"pyqemu-{guest_name}-") as tmp:
        guest = str(build_musl_guest(guest_name, Path(tmp), *cflags))
        medians = median_loops({"qemu": [args.qemu, guest, str(args.rounds)],
                                "pyqemu": pyqemu + [guest, str(args.rounds)]},
                               args.repeat, script)
    return args, pyqemu, medians["qemu"], medians["pyqemu"]


def print_loop_ratios(args: argparse.Namespace, pyqemu: list[str], qemu: tuple[float, float],
                      mine: tuple[float, float], events: int, what: str) -> None:
    """The Markdown table of a guest_loop_medians benchmark: both emulators' (wall, loop)
    medians, pyqemu's ratios to qemu and its microseconds over qemu per @what (@events of
    them in the loop)."""
    (q_wall, q_loop), (p_wall, p_loop) = qemu, mine
    print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; median of {args.repeat}; "
          f"{events} {what}s; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    print("| qemu wall s | pyqemu wall s | wall ratio | qemu loop s | pyqemu loop s "
          f"| loop ratio | pyqemu us/{what} over qemu |")
    print("|--:|--:|--:|--:|--:|--:|--:|")
    print(f"| {q_wall:.3f} | {p_wall:.3f} | {p_wall / q_wall:.1f} | {q_loop:.3f} "
          f"| {p_loop:.3f} | {p_loop / q_loop:.1f} | {(p_loop - q_loop) / events * 1e6:.2f} |")
