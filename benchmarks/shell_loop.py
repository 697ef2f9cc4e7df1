#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A shell loop starting 200 short programs, under qemu-x86_64 and pyqemu in the same run.

Issue 19 asks for "a shell loop starting 200 short programs" within 2x qemu.  Two ways to
run it, and only one of them compares like with like:

- ``guest-shell`` (the default, the issue's workload): the emulator runs
  ``/bin/sh -c 'for i in $(seq 200); do /bin/true; done'``.  The shell is emulated; its
  children are not: without binfmt_misc (this machine has none mounted, and an x86_64
  host never registers x86_64 there) a guest's execve is the host's execve under both
  emulators: qemu-x86_64 7.2's do_execve calls the host's, and so does pyqemu's
  (linux_user/syscall/process.py do_execve).  So the 200 /bin/true and seq run natively
  under both, and what is timed is the emulated shell's 200 forks, execs, waits and
  SIGCHLDs, plus one start-up of each emulator.
- ``each``: a native ``/bin/sh`` runs ``<emulator> /bin/true`` 200 times: 200 start-ups,
  so benchmarks/startup.py's figure times 200 (``--mode each``).

Both emulators run the same command in the same run, ``--runs`` times interleaved (after
one warm-up each); the medians of wall time and their ratio are printed, with the native
shell's time for scale.  A run that fails is reported and left out of the medians (on
2026-12-06 pyqemu's guest shell died of SIGSEGV in about one run in five, before and
after the start-up work: a bug of the fork/signal path, not of this benchmark).

Which pyqemu: as benchmarks/startup.py (``--python``; its docstring says how to make a
non-editable install to measure).

Usage: benchmarks/shell_loop.py [--python PY] [--runs 5] [--count 200]
                                [--mode guest-shell|each] [--qemu PATH]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

import startup


def command(mode: str, emulator: list[str] | None, count: int) -> list[str]:
    """The command line for one run of the loop (emulator None: all native)."""
    loop = f"for i in $(seq {count}); do /bin/true; done"
    if mode == "each":
        inner = shlex.join(emulator) + " " if emulator else ""
        return ["/bin/sh", "-c", f"for i in $(seq {count}); do {inner}/bin/true; done"]
    return [*(emulator or []), "/bin/sh", "-c", loop]


def timed(argv: list[str]) -> float | None:
    """Wall seconds of one run, or None when it fails (printed: a crash is a result too)."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=startup.environment(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=600, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(f"shell_loop.py: {argv[0]}: status {done.returncode}: "
              f"{done.stderr.decode(errors='replace').strip()[-300:]}", file=sys.stderr)
        return None
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable,
                        help="the Python whose pyqemu runs (e.g. /tmp/venv-rel/bin/python)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--mode", choices=("guest-shell", "each"), default="guest-shell")
    parser.add_argument("--qemu", default=shutil.which("qemu-x86_64") or "qemu-x86_64")
    args = parser.parse_args()
    startup.compile_editable(args.python)
    runs = {
        "native": command(args.mode, None, args.count),
        "qemu": command(args.mode, [args.qemu], args.count),
        "pyqemu": command(args.mode, startup.pyqemu_command(args.python), args.count),
    }
    for argv in runs.values():
        timed(argv)   # warm-up
    times: dict[str, list[float]] = {name: [] for name in runs}
    failed = dict.fromkeys(runs, 0)
    for _ in range(args.runs):
        for name, argv in runs.items():
            elapsed = timed(argv)
            if elapsed is None:
                failed[name] += 1
            else:
                times[name].append(elapsed)
    if not all(times.values()):
        sys.exit(f"shell_loop.py: no run succeeded: {failed}")
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.mode}, {args.count} programs: {shlex.join(runs['pyqemu'])}")
    print(f"median of {args.runs} (s): native {median['native']:.3f}, "
          f"qemu {median['qemu']:.3f}, pyqemu {median['pyqemu']:.3f}, "
          f"pyqemu/qemu {median['pyqemu'] / median['qemu']:.1f}")
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"load average {os.getloadavg()[0]:.1f}, {now}")
    if any(failed.values()):
        print(f"failed runs (left out of the medians): {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
