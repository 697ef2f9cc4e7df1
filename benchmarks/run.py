#!/usr/bin/env python3
"""Benchmark runner: native vs qemu-x86_64 vs pyqemu-x86_64, with the same plugin .so files.

Mirrors no QEMU file (QEMU keeps no benchmark harness in its tree); it measures what QEMU's
linux-user/main.c and its plugins cost next to ours. For every workload (a program and its
arguments) and every plugin configuration it runs the program natively (no-plugin rows only),
under qemu-x86_64 and under pyqemu, repetitions interleaved so that a slow minute on the
machine hits every column alike. Each run is timed (wall clock and CPU), its peak RSS is read
from wait4's rusage (taken by a tiny C launcher, see LAUNCHER_SOURCE), its stdout is checked
against the native run's, and a plugin's output (log or drcov file) must exist, so a broken
emulator or an ignored plugin shows as FAIL, never as a fast time. The report is a Markdown
table (results/latest.md, also printed), the raw samples (results/latest.json) and, when
matplotlib is installed, PNG bar charts.

Usage: python3 benchmarks/run.py [--quick] [--repeat N] [--only W[,W]] [--configs C[,C]]
       [--out DIR] [--cache-dir DIR] [--build-dir DIR] [--qemu PATH] [--pyqemu "CMD"]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_OUT_DIR = BENCH_DIR / "results"
DEFAULT_BUILD_DIR = REPO_ROOT / "build"
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pyqemu-bench"
PYQEMU_MAIN_MODULE = "pyqemu.linux_user.main"
ENGINE_VARIABLE = "PYQEMU_ENGINE"  # pyqemu/host's engine choice: auto, built, stock or a path

DEFAULT_REPEAT = 3
DEFAULT_TIMEOUT = 900.0
QUICK_CPUBOUND_ROUNDS = 40  # the default is 530 rounds, about 1 s natively
QUICK_SYSCALLS_ROUNDS = 20000  # the default is 280000 rounds, about 0.3 s natively
SHA256_INPUT_BYTES = 20 * 1000 * 1000
PYTHON_SNIPPET = "import json; print(sum(range(10**6)))"
GUEST_CFLAGS = ("-O2", "-static", "-Wall", "-Werror")
RUNNERS = ("native", "qemu", "pyqemu")


# ---------------------------------------------------------------------------------------------
# Workloads and plugin configurations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """A guest program with its arguments, ready to run (absolute paths only)."""

    name: str
    description: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class PluginConfig:
    """One plugin configuration: which .so (relative to the build dir) and its arguments.

    output says how to check that the plugin really ran: "log" (its qemu_plugin_outs text,
    collected with -d plugin -D <file>, must not be empty), "drcov" (the file named by its
    filename= argument must be a drcov file) or "" (no plugin).
    """

    name: str
    description: str
    library: str | None
    args: tuple[str, ...] = ()
    output: str = ""


CONFIGS: dict[str, PluginConfig] = {
    config.name: config
    for config in (
        PluginConfig("none", "no plugin", None),
        PluginConfig(
            "drcov", "contrib drcov, coverage file", "contrib/plugins/libdrcov.so", (), "drcov"
        ),
        PluginConfig("bb", "tests/plugin bb: exec callback per block", "tests/plugin/libbb.so",
                     (), "log"),
        PluginConfig("insn", "tests/plugin insn: inline add per instruction",
                     "tests/plugin/libinsn.so", ("inline",), "log"),
        PluginConfig("mem", "tests/plugin mem: callback per memory access",
                     "tests/plugin/libmem.so", (), "log"),
    )
}


class GuestCache:
    """Compiles benchmark guests and makes input files in a cache dir, reusing earlier builds.

    A compiled guest's file name carries a hash of its source and compile command, so an edited
    source is rebuilt and an unchanged one is not.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def compile_musl(self, name: str, source_text: str) -> Path:
        """Return the path of `source_text` built with musl-gcc -O2 -static, compiling if needed."""
        compiler = shutil.which("musl-gcc")
        if compiler is None:
            raise SystemExit("run.py: musl-gcc not found (apt-get install musl-tools)")
        command_key = " ".join((compiler, *GUEST_CFLAGS))
        digest = hashlib.sha256((command_key + "\0" + source_text).encode()).hexdigest()[:12]
        executable = self.directory / f"{name}-{digest}"
        if executable.exists():
            return executable
        source = self.directory / f"{name}-{digest}.c"
        source.write_text(source_text)
        partial = executable.with_suffix(".part")
        completed = subprocess.run(
            [compiler, *GUEST_CFLAGS, str(source), "-o", str(partial)],
            capture_output=True, text=True, check=False,
        )
        if completed.returncode != 0:
            raise SystemExit(f"run.py: compiling {name} failed:\n{completed.stderr}")
        partial.rename(executable)  # atomic: an interrupted build never looks finished
        return executable

    def data_file(self, size: int) -> Path:
        """Return a file of `size` pseudo-random bytes, the same bytes on every machine."""
        path = self.directory / f"data-{size}.bin"
        if not path.exists() or path.stat().st_size != size:
            partial = path.with_suffix(".part")
            partial.write_bytes(random.Random(20240611).randbytes(size))
            partial.rename(path)
        return path


def system_binary(name: str) -> str:
    """Return the real ELF file behind a system command (shims and symlinks resolved).

    /usr/bin first: a PATH entry such as a pyenv shim is a shell script, which an emulator
    cannot load.
    """
    for directory in ("/usr/bin", "/bin"):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate.resolve())
    raise SystemExit(f"run.py: /usr/bin/{name} not found")


WorkloadBuilder = Callable[[GuestCache, bool], tuple[str, ...]]


def _build_cpubound(cache: GuestCache, quick: bool) -> tuple[str, ...]:
    program = cache.compile_musl("cpubound", (BENCH_DIR / "cpubound.c").read_text())
    return (str(program), str(QUICK_CPUBOUND_ROUNDS)) if quick else (str(program),)


def _build_syscalls(cache: GuestCache, quick: bool) -> tuple[str, ...]:
    program = cache.compile_musl("syscalls", (BENCH_DIR / "syscalls.c").read_text())
    return (str(program), str(QUICK_SYSCALLS_ROUNDS)) if quick else (str(program),)


def _build_startup_musl(cache: GuestCache, quick: bool) -> tuple[str, ...]:
    return (str(cache.compile_musl("return0", "int main(void) { return 0; }\n")),)


def _build_startup_true(cache: GuestCache, quick: bool) -> tuple[str, ...]:
    return (system_binary("true"),)


def _build_sha256sum(cache: GuestCache, quick: bool) -> tuple[str, ...]:
    return (system_binary("sha256sum"), str(cache.data_file(SHA256_INPUT_BYTES)))


def _build_python3(cache: GuestCache, quick: bool) -> tuple[str, ...]:
    return (system_binary("python3"), "-c", PYTHON_SNIPPET)


# name -> (description, builder); the order here is the order of the table's rows.
WORKLOADS: dict[str, tuple[str, WorkloadBuilder]] = {
    "cpubound": ("benchmarks/cpubound.c, musl static (--quick: 40 rounds)", _build_cpubound),
    "syscalls": ("benchmarks/syscalls.c, musl static (--quick: 20000 rounds)", _build_syscalls),
    "startup-true": ("/bin/true (dynamic glibc): start-up and exit", _build_startup_true),
    "startup-musl": ("musl static `int main(void) { return 0; }`", _build_startup_musl),
    "sha256sum": ("/usr/bin/sha256sum of a 20 MB file (dynamic glibc)", _build_sha256sum),
    "python3": (f'/usr/bin/python3 -c "{PYTHON_SNIPPET}"', _build_python3),
}


# ---------------------------------------------------------------------------------------------
# Running and measuring
# ---------------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One run: wall-clock seconds, user+system CPU seconds, peak RSS in KiB."""

    seconds: float
    cpu_seconds: float
    max_rss_kib: int


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


@dataclass(frozen=True)
class RunOutcome:
    sample: Sample
    status: int  # exit status, or -N for death by signal N
    timed_out: bool
    stdout: bytes
    stderr: bytes


def guest_env() -> dict[str, str]:
    """The environment of every run, native or emulated: small and the same for all three.

    Both emulators hand their own environment to the guest, so nothing pyqemu-specific
    (PYTHONPATH...) may be in it.
    """
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/"),
    }
    # Which engine pyqemu loads (pyqemu/host); given to every runner so the guests' environments
    # stay identical.
    if ENGINE_VARIABLE in os.environ:
        env[ENGINE_VARIABLE] = os.environ[ENGINE_VARIABLE]
    return env


def loaded_engine(pyqemu: Sequence[str]) -> str:
    """The libunicorn file pyqemu's host loads, asked of pyqemu's own interpreter.

    Only answerable when pyqemu is started by this Python (the default command).
    """
    if not pyqemu or pyqemu[0] != sys.executable:
        return "unknown (custom --pyqemu command)"
    probe = (
        f"import sys; sys.path.append({str(REPO_ROOT)!r}); import pyqemu.host; "
        "print(*sorted({line.split()[-1] for line in open('/proc/self/maps') "
        "if 'libunicorn' in line}))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               env=guest_env(), cwd=tempfile.gettempdir(), check=False,
                               timeout=300)
    return completed.stdout.strip() or "unknown (pyqemu.host did not load)"


# Why a C launcher and not os.wait4 here: Python starts children with vfork, and Linux carries
# the peak RSS of the address space a process leaves at execve into its ru_maxrss. A child of
# this runner therefore reports at least the runner's own ~20 MiB, even for a 100 KiB guest.
# The launcher is a tiny static musl program: its fork()ed child leaves only the launcher's
# few pages behind at execve, so the wait4 rusage it passes on is the command's own.
LAUNCHER_SOURCE = r"""/* Fork and exec a command; write its status, time and rusage to a file. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec start, end;
    struct rusage usage;
    int status;

    if (argc < 3) {
        fprintf(stderr, "usage: launcher REPORT-FILE COMMAND [ARG...]\n");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 127;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    if (wait4(child, &status, 0, &usage) < 0) {
        perror("wait4");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) {
        perror(argv[1]);
        return 127;
    }
    fprintf(report, "%d %.6f %.6f %ld\n", status,
            (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9,
            (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
            usage.ru_maxrss);
    return fclose(report) == 0 ? 0 : 127;
}
"""


def run_once(
    command: Sequence[str], scratch: Path, timeout: float, launcher: Path
) -> RunOutcome:
    """Run command in scratch (stdin /dev/null) under the launcher; read back its measurement.

    stdout/stderr go to files, not pipes, so no reader thread can slow the run or deadlock;
    the launcher gets its own session so a timeout kills the whole tree.
    """
    timed_out = threading.Event()

    def kill_on_timeout(pid: int) -> None:
        timed_out.set()
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    out_path, err_path = scratch / "stdout", scratch / "stderr"
    report_path = scratch / "launcher.report"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [str(launcher), str(report_path), *command], stdin=subprocess.DEVNULL, stdout=out,
            stderr=err, cwd=scratch, env=guest_env(), start_new_session=True,
        )
        # Not reaped until wait() returns, so the pid cannot be reused under the timer.
        timer = threading.Timer(timeout, kill_on_timeout, (process.pid,))
        timer.start()
        try:
            launcher_status = process.wait()
        finally:
            timer.cancel()
    stdout, stderr = out_path.read_bytes(), err_path.read_bytes()
    if timed_out.is_set() or launcher_status != 0 or not report_path.exists():
        return RunOutcome(Sample(timeout, 0.0, 0), -signal.SIGKILL, timed_out.is_set(), stdout,
                          stderr)
    wait_status, seconds, cpu_seconds, max_rss_kib = report_path.read_text().split()
    return RunOutcome(
        Sample(float(seconds), float(cpu_seconds), int(max_rss_kib)),
        os.waitstatus_to_exitcode(int(wait_status)), False, stdout, stderr,
    )


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
    """How to start each runner, where the plugins are, and the measuring launcher."""

    qemu: tuple[str, ...]
    pyqemu: tuple[str, ...]
    build_dir: Path
    launcher: Path


def plugin_options(config: PluginConfig, build_dir: Path, scratch: Path) -> list[str]:
    """Emulator options for config: -d plugin -D <log> -plugin <lib>[,arg=...]."""
    if config.library is None:
        return []
    spec = str(build_dir / config.library)
    arguments = list(config.args)
    if config.output == "drcov":
        arguments.append(f"filename={scratch / 'coverage.drcov'}")
    # arg= is the only form QEMU 5.2 knows; 7.2 accepts it with a deprecation warning.
    spec += "".join(f",arg={argument}" for argument in arguments)
    return ["-d", "plugin", "-D", str(scratch / "plugin.log"), "-plugin", spec]


def check_plugin_output(config: PluginConfig, scratch: Path) -> tuple[str, str]:
    """Return (summary of the plugin's output, failure text or "")."""
    if config.output == "log":
        log = scratch / "plugin.log"
        text = log.read_text(errors="replace").strip() if log.exists() else ""
        if not text:
            return "", "plugin wrote no output to its -D log"
        return text.splitlines()[0], ""
    if config.output == "drcov":
        coverage = scratch / "coverage.drcov"
        data = coverage.read_bytes() if coverage.exists() else b""
        if not data.startswith(b"DRCOV VERSION"):
            return "", "no drcov file written"
        for line in data.split(b"\n"):
            if line.startswith(b"BB Table:"):
                return line.decode(errors="replace").strip(), ""
        return "", "drcov file has no BB Table"
    return "", ""


def measure(
    cell: Cell, workload: Workload, config: PluginConfig, emulators: Emulators, timeout: float
) -> None:
    """Run the cell once more and record the sample, or the reason it failed."""
    with tempfile.TemporaryDirectory(prefix="pyqemu-bench-") as scratch_name:
        scratch = Path(scratch_name)
        options = plugin_options(config, emulators.build_dir, scratch)
        prefix = {"native": (), "qemu": emulators.qemu, "pyqemu": emulators.pyqemu}[cell.runner]
        outcome = run_once([*prefix, *options, *workload.argv], scratch, timeout,
                           emulators.launcher)
        if outcome.timed_out:
            cell.failure = f"timed out after {timeout:.0f} s"
        elif outcome.status != 0:
            tail = outcome.stderr.decode(errors="replace").strip().splitlines()[-3:]
            cell.failure = f"exit status {outcome.status}: " + " / ".join(tail)
        elif cell.stdout is not None and outcome.stdout != cell.stdout:
            cell.failure = "stdout differs between repetitions"
        else:
            summary, failure = check_plugin_output(config, scratch)
            cell.failure = failure
            cell.plugin_output = cell.plugin_output or summary
        if cell.stdout is None:
            cell.stdout = outcome.stdout
        cell.samples.append(outcome.sample)


def run_all(
    workloads: Sequence[Workload], configs: Sequence[PluginConfig], emulators: Emulators,
    repeat: int, timeout: float,
) -> list[Cell]:
    """Run every cell `repeat` times, one repetition of everything after another.

    Within a (workload, config) the runners' order rotates each repetition, so none of them
    always goes first (warm page cache) or last.
    """
    cells: list[Cell] = []
    for workload in workloads:
        for config in configs:
            runners = RUNNERS if config.library is None else RUNNERS[1:]
            cells.extend(Cell(workload.name, config.name, runner) for runner in runners)
    by_key = {(c.workload, c.config, c.runner): c for c in cells}
    workload_by_name = {w.name: w for w in workloads}
    for repetition in range(repeat):
        for workload in workloads:
            for config in configs:
                runners = [c.runner for c in cells
                           if (c.workload, c.config) == (workload.name, config.name)]
                shift = repetition % len(runners)
                for runner in runners[shift:] + runners[:shift]:
                    cell = by_key[(workload.name, config.name, runner)]
                    if cell.failure:
                        continue  # once broken, don't spend more time on it
                    measure(cell, workload_by_name[workload.name], config, emulators, timeout)
                    last = cell.samples[-1].seconds
                    state = f"FAIL ({cell.failure})" if cell.failure else f"{last:.3f} s"
                    print(f"[{repetition + 1}/{repeat}] {workload.name:<12} {config.name:<5} "
                          f"{runner:<6} {state}", file=sys.stderr, flush=True)
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


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def _command_output(command: Sequence[str]) -> str:
    try:
        completed = subprocess.run(list(command), capture_output=True, text=True, check=False,
                                   timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def machine_facts(emulators: Emulators, repeat: int, quick: bool) -> dict[str, str]:
    """Date, machine, versions and commit, for the report's header."""
    cpu_model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, IndexError, ValueError):
        pass
    commit = _command_output(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"])
    if commit and _command_output(["git", "-C", str(REPO_ROOT), "status", "--porcelain",
                                   "--untracked-files=no"]):
        commit += " + uncommitted changes"
    qemu_version = _command_output([*emulators.qemu, "--version"]).splitlines()
    load = os.getloadavg()
    return {
        "date": time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime()),
        "machine": f"{cpu_model}, {os.cpu_count()} cores{memory}, Linux {platform.release()}",
        "load average at start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "qemu": qemu_version[0] if qemu_version else "unknown",
        "pyqemu": f"commit {commit or 'unknown'}; command: {shlex.join(emulators.pyqemu[:3])}",
        "pyqemu engine": f"{ENGINE_VARIABLE}={os.environ.get(ENGINE_VARIABLE, '(unset)')}, "
                         f"loads {loaded_engine(emulators.pyqemu)}",
        "python": f"{platform.python_version()} ({sys.executable})",
        "repetitions": f"{repeat}, interleaved{' (--quick)' if quick else ''}",
    }


def _seconds_text(cell: Cell | None) -> str:
    if cell is None:
        return "—"
    if not cell.ok:
        return "FAIL"
    spread = cell.spread_percent()
    text = f"{cell.median():.3f}"
    return text if spread is None or len(cell.samples) < 2 else f"{text} ±{spread:.0f}%"


def _mib_text(cell: Cell | None) -> str:
    rss = cell.peak_rss_mib() if cell is not None else None
    return "—" if rss is None else f"{rss:.0f}"


def _ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


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


TABLE_COLUMNS = ("workload", "config", "native s", "qemu s", "pyqemu s", "pyqemu/qemu",
                 "pyqemu/qemu CPU", "qemu/native", "qemu MiB", "pyqemu MiB")


def markdown_report(cells: Sequence[Cell], facts: dict[str, str], plots: Sequence[str],
                    plot_note: str) -> str:
    """The whole results/latest.md: header facts, the table, failures, goals, plots."""
    by_key = {(c.workload, c.config, c.runner): c for c in cells}
    rows = list(dict.fromkeys((c.workload, c.config) for c in cells))
    lines = ["# pyqemu benchmark results", ""]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    lines += ["", "| " + " | ".join(TABLE_COLUMNS) + " |",
              "|" + "|".join("---" if i < 2 else "--:" for i in range(len(TABLE_COLUMNS))) + "|"]
    for workload, config in rows:
        native = by_key.get((workload, "none", "native"))
        qemu = by_key.get((workload, config, "qemu"))
        pyqemu = by_key.get((workload, config, "pyqemu"))
        row_native = by_key.get((workload, config, "native"))
        cells_text = [
            workload, config, _seconds_text(row_native), _seconds_text(qemu),
            _seconds_text(pyqemu), _ratio_text(ratio(pyqemu, qemu)),
            _ratio_text(ratio(pyqemu, qemu, cpu=True)), _ratio_text(ratio(qemu, native)),
            _mib_text(qemu), _mib_text(pyqemu),
        ]
        lines.append("| " + " | ".join(cells_text) + " |")
    lines += ["", "Times are the median wall-clock seconds of the repetitions, ± half their "
              "min–max range. pyqemu/qemu is the ratio of those medians, pyqemu/qemu CPU the "
              "ratio of median user+system CPU seconds (steadier when the machine is shared). "
              "qemu/native divides by the no-plugin native time. MiB is the peak RSS of the "
              "emulator process (wait4 rusage)."]
    workloads = dict.fromkeys(c.workload for c in cells)
    configs = dict.fromkeys(c.config for c in cells)
    lines += ["", "Workloads: " + "; ".join(f"**{w}**: {WORKLOADS[w][0]}" for w in workloads)
              + ".", "", "Configs: " + "; ".join(f"**{c}**: {CONFIGS[c].description}"
                                                 for c in configs) + "."]
    failures = [c for c in cells if c.failure]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [f"- {c.workload}/{c.config}/{c.runner}: {c.failure}" for c in failures]
    lines += ["", "## Goals (issue 11)", ""]
    for config, goal in (("drcov", 1.5), ("insn", 2.0)):
        value = ratio(by_key.get(("cpubound", config, "pyqemu")),
                      by_key.get(("cpubound", config, "qemu")))
        verdict = "not measured" if value is None else (
            f"{value:.2f}× — {'met' if value <= goal else 'not met'}")
        lines.append(f"- cpubound with {config}: pyqemu ≤ {goal}× qemu: {verdict}")
    lines.append("- ≥ 50× faster than Qiling's Python-hook coverage: not measured yet (TODO)")
    plugin_lines = [c for c in cells if c.plugin_output and c.ok]
    if plugin_lines:
        lines += ["", "## Plugin output (first run of each cell)", ""]
        lines += [f"- {c.workload}/{c.config}/{c.runner}: `{c.plugin_output}`"
                  for c in plugin_lines]
    lines += ["", "## Plots", ""]
    lines += [f"![{name}]({name})" for name in plots] or [plot_note]
    return "\n".join(lines) + "\n"


def write_plots(cells: Sequence[Cell], out_dir: Path) -> tuple[list[str], str]:
    """Draw ratios.png and times.png; return (file names, note). Needs matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "Plots skipped: matplotlib is not installed (`pip install matplotlib`)."
    by_key = {(c.workload, c.config, c.runner): c for c in cells}
    workloads = list(dict.fromkeys(c.workload for c in cells))
    configs = list(dict.fromkeys(c.config for c in cells))
    width = 0.8 / max(len(configs), 1)

    figure, axes = plt.subplots(figsize=(max(6, 1.6 * len(workloads)), 4.5))
    for index, config in enumerate(configs):
        values = [ratio(by_key.get((w, config, "pyqemu")), by_key.get((w, config, "qemu")))
                  for w in workloads]
        positions = [i + (index - (len(configs) - 1) / 2) * width for i in range(len(workloads))]
        bars = axes.bar(positions, [v or 0 for v in values], width, label=config)
        axes.bar_label(bars, labels=["" if v is None else f"{v:.1f}" for v in values],
                       fontsize="x-small")
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_xticks(range(len(workloads)), workloads)
    axes.set_ylabel("pyqemu time / qemu time (log)")
    axes.set_title("pyqemu / qemu-x86_64 wall time, same plugin .so (1 = parity)")
    axes.legend(title="plugin", fontsize="small")
    figure.tight_layout()
    figure.savefig(out_dir / "ratios.png", dpi=100)
    plt.close(figure)

    columns = min(3, len(workloads))
    rows = (len(workloads) + columns - 1) // columns
    figure, grid = plt.subplots(rows, columns, figsize=(4.5 * columns, 3.6 * rows), squeeze=False)
    for slot, workload in enumerate(workloads):
        axes = grid[slot // columns][slot % columns]
        for offset, runner in ((-0.2, "qemu"), (0.2, "pyqemu")):
            medians, lows, highs = [], [], []
            for config in configs:
                cell = by_key.get((workload, config, runner))
                median = cell.median() if cell is not None else None
                times = [s.seconds for s in cell.samples] if cell is not None else []
                medians.append(median or 0)
                lows.append((median - min(times)) if median else 0)
                highs.append((max(times) - median) if median else 0)
            axes.bar([i + offset for i in range(len(configs))], medians, 0.4, label=runner,
                     yerr=[lows, highs], capsize=2)
        native = by_key.get((workload, "none", "native"))
        if native is not None and native.ok:
            axes.axhline(native.median() or 0, color="black", linestyle="--", linewidth=0.8,
                         label="native")
        axes.set_xticks(range(len(configs)), configs)
        axes.set_title(workload)
        axes.set_ylabel("seconds (median, min–max)")
        axes.legend(fontsize="x-small")
    for slot in range(len(workloads), rows * columns):
        grid[slot // columns][slot % columns].set_visible(False)
    figure.tight_layout()
    figure.savefig(out_dir / "times.png", dpi=100)
    plt.close(figure)
    return ["ratios.png", "times.png"], ""


def json_report(cells: Sequence[Cell], facts: dict[str, str]) -> str:
    records = []
    for cell in cells:
        record = asdict(cell)
        record["stdout"] = (cell.stdout or b"").decode(errors="replace")
        record["median_seconds"] = cell.median()
        records.append(record)
    return json.dumps({"facts": facts, "cells": records}, indent=1) + "\n"


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


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
        description="Time native, qemu-x86_64 and pyqemu-x86_64 with the same plugins.")
    parser.add_argument("--quick", action="store_true",
                        help="one repetition, fewer cpubound/syscalls rounds")
    parser.add_argument("--repeat", type=int, help=f"repetitions (default {DEFAULT_REPEAT}, "
                        "--quick: 1)")
    parser.add_argument("--only", metavar="W[,W]", help="workloads: " + ", ".join(WORKLOADS))
    parser.add_argument("--configs", metavar="C[,C]", help="configs: " + ", ".join(CONFIGS))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR,
                        help="where latest.md, latest.json and the plots go")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR,
                        help="compiled guests and input files (default %(default)s)")
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR,
                        help="meson build dir holding the plugin .so files")
    parser.add_argument("--qemu", default="qemu-x86_64", help="the reference emulator")
    parser.add_argument("--pyqemu", help="command starting pyqemu (default: python -m "
                        f"{PYQEMU_MAIN_MODULE})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds one run may take (default %(default)s)")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else DEFAULT_REPEAT)
    if repeat < 1:
        raise SystemExit("run.py: --repeat must be at least 1")
    configs = [CONFIGS[name] for name in _choose(args.configs, list(CONFIGS), "config")]
    qemu = shutil.which(args.qemu)
    if qemu is None:
        raise SystemExit(f"run.py: {args.qemu} not found (apt-get install qemu-user)")
    build_dir = args.build_dir.resolve()
    ensure_plugins(configs, build_dir)
    pyqemu = tuple(shlex.split(args.pyqemu)) if args.pyqemu else default_pyqemu_command()
    cache = GuestCache(args.cache_dir.resolve())
    emulators = Emulators((qemu,), pyqemu, build_dir,
                          cache.compile_musl("launcher", LAUNCHER_SOURCE))
    workloads = []
    for name in _choose(args.only, list(WORKLOADS), "workload"):
        description, build = WORKLOADS[name]
        workloads.append(Workload(name, description, build(cache, args.quick)))

    facts = machine_facts(emulators, repeat, args.quick)
    cells = run_all(workloads, configs, emulators, repeat, args.timeout)
    facts["load average at end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())

    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    plots, plot_note = write_plots(cells, out_dir)
    report = markdown_report(cells, facts, plots, plot_note)
    (out_dir / "latest.md").write_text(report)
    (out_dir / "latest.json").write_text(json_report(cells, facts))
    print(report)
    return 1 if any(c.failure for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
