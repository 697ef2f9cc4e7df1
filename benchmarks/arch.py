#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The CPU-bound benchmark on every guest: benchmarks/cpubound.c compiled for x86_64,
aarch64 and riscv64 (static), timed under qemu-<arch> 7.2 and pyqemu-<arch>.

The counterpart, per architecture, of the cpubound row of benchmarks/run.py (which
belongs to x86_64 alone).  Runs are interleaved, the best of N kept, and the table
printed as Markdown (README's "Benchmarks per architecture").

    python3 benchmarks/arch.py [--runs 3] [--arg N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPILERS = {"x86_64": "gcc", "aarch64": "aarch64-linux-gnu-gcc",
             "riscv64": "riscv64-linux-gnu-gcc"}


def build(arch: str, out_dir: Path) -> Path | None:
    compiler = COMPILERS[arch]
    if shutil.which(compiler) is None or shutil.which(f"qemu-{arch}") is None:
        return None
    out = out_dir / f"cpubound-{arch}"
    subprocess.run([compiler, "-O2", "-static", "-o", str(out), str(HERE / "cpubound.c")],
                   check=True)
    return out


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--arg", nargs="*", default=[], help="arguments for cpubound")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for arch in COMPILERS:
            guest = build(arch, Path(tmp))
            if guest is None:
                print(f"{arch}: cross compiler or qemu-{arch} missing, skipped", file=sys.stderr)
                continue
            argv = [str(guest), *options.arg]
            qemu = [f"qemu-{arch}", *argv]
            module = "main" if arch == "x86_64" else arch
            pyqemu = [sys.executable, "-m", f"pyqemu.linux_user.{module}", *argv]
            best_q, best_p = float("inf"), float("inf")
            for _ in range(options.runs):
                best_q = min(best_q, timed(qemu))
                best_p = min(best_p, timed(pyqemu))
            rows.append((arch, best_q, best_p))
    print("| guest | qemu s | pyqemu s | pyqemu/qemu |")
    print("|---|--:|--:|--:|")
    for arch, q, p in rows:
        print(f"| {arch} | {q:.2f} | {p:.2f} | {p / q:.1f} |")


if __name__ == "__main__":
    main()
