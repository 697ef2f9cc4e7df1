#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 19's real programs under pyqemu beside qemu-x86_64, in one run.

`tar cf /dev/null /usr/include`, `find /usr/lib -name '*.so*'`, `ls -lR /usr/share/doc` and
a Python recursion a million deep on a thread (the host's dynamic binaries, their output to
/dev/null), each run under qemu-x86_64 and
pyqemu, interleaved, --repeat times; prints the median wall time of each and pyqemu's ratio
(the goal: within 2x). Each program is first run once under both with its output captured,
and the two outputs must be equal (stdout, stderr and status). Python writes its bytecode
cache as it would for an installed pyqemu (PYTHONDONTWRITEBYTECODE is dropped).

Usage: benchmarks/real_programs.py [--repeat 3] [--only NAME] [--python PY | --pyqemu "CMD"]
                                   [--qemu PATH] [--extra OPT]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time

from sidebyside import add_emulator_arguments, pyqemu_command

#: name -> the guest's command line
PROGRAMS: dict[str, list[str]] = {
    "tar": ["/usr/bin/tar", "cf", "/dev/null", "/usr/include"],
    "find": ["/usr/bin/find", "/usr/lib", "-name", "*.so*"],
    "ls": ["/usr/bin/ls", "-lR", "/usr/share/doc"],
    # Python 3.11 keeps its frames in 16 KiB chunks, one mmap each: a recursion a million
    # deep makes 13,000 live mappings (patch 0029), here on a thread with a 512 MiB stack
    "python-recursion": ["/usr/bin/python3", "-c", (
        "import sys, threading; sys.setrecursionlimit(10**8); "
        "threading.stack_size(512 * 1024 * 1024)\n"
        "def f(n): return 0 if n == 0 else 1 + f(n - 1)\n"
        "t = threading.Thread(target=lambda: print(f(10**6))); t.start(); t.join()")],
}
#: issue 19's bound on pyqemu's wall time over qemu's
BOUND = 2.0
#: the runs' environment: the C locale, and Python's bytecode cached as an installed
#: pyqemu has it (PYTHONDONTWRITEBYTECODE would recompile every module on every start)
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "LC_ALL": "C"}


def run(command: list[str], capture: bool) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """Wall seconds and the result; output to /dev/null unless captured."""
    sink = subprocess.PIPE if capture else subprocess.DEVNULL
    start = time.perf_counter()
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
                          timeout=1800, check=False, env=ENV)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", choices=sorted(PROGRAMS),
                        help="run only this program (repeatable)")
    add_emulator_arguments(parser)
    args = parser.parse_args()
    pyqemu = pyqemu_command(args)
    emulators = {"qemu": [args.qemu], "pyqemu": pyqemu}
    names = args.only or list(PROGRAMS)
    rows = []
    failed = False
    for name in names:
        guest = PROGRAMS[name]
        outputs = {}
        for emulator, command in emulators.items():
            _, done = run(command + guest, capture=True)
            outputs[emulator] = (done.returncode, done.stdout, done.stderr)
        if outputs["qemu"] != outputs["pyqemu"]:
            failed = True
            print(f"real_programs.py: {name}: the outputs differ "
                  f"(status {outputs['qemu'][0]} / {outputs['pyqemu'][0]}, "
                  f"{len(outputs['qemu'][1])} / {len(outputs['pyqemu'][1])} bytes)",
                  file=sys.stderr)
        times: dict[str, list[float]] = {emulator: [] for emulator in emulators}
        for _ in range(args.repeat):
            for emulator, command in emulators.items():
                times[emulator].append(run(command + guest, capture=False)[0])
        q, p = (statistics.median(times[e]) for e in ("qemu", "pyqemu"))
        line = shlex.join(guest)
        rows.append((name if "\n" in line else line, q, p, len(outputs["qemu"][1])))
    print(f"pyqemu: {shlex.join(pyqemu)}; qemu: {args.qemu}; median of {args.repeat}; "
          f"{os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    print("| program | output bytes | qemu s | pyqemu s | pyqemu/qemu |")
    print("|---|--:|--:|--:|--:|")
    for guest_line, q, p, size in rows:
        mark = " (over)" if p > BOUND * q else ""
        print(f"| `{guest_line}` | {size} | {q:.2f} | {p:.2f} | {p / q:.1f}{mark} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
