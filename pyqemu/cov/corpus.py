# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a target once per corpus input under pyqemu with drcov, and merge the coverage.

Plays the part of a fuzzer's corpus replay (AFL's afl-showmap -C, drcov run
over a directory): each input goes to the target on stdin, or in place of
``@@`` in its arguments, as a file.  Each run is a forked child of this
process that reads pyqemu-x86_64's command line and calls the entry point it calls,
``pyqemu.linux_user.run`` (without an exec and Python's start-up; pyqemu.run would
fork once more) and leads its
own process group, so that up to N run side by side and a run past its
timeout is killed with everything it forked.  pyqemu's modules are imported
here first so that each fork starts warm (a run of a tiny static guest costs
tens of milliseconds, not the hundreds that imports would add).

``python -m pyqemu.cov.corpus SPEC.json`` runs the batch a spec file
describes; the cluster runner (cluster.py) starts it on each worker.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from pyqemu.cov import drcov
from pyqemu.cov.drcov import Coverage, DrcovError

INPUT_PLACEHOLDER = "@@"
PLUGIN_NAME = "libdrcov.so"
# Where a source checkout or an editable install keeps the plugins meson built.
PLUGIN_BUILD_DIRS = ("build/contrib/plugins", "build-python/contrib/plugins")
# The modules linux_user.run imports on first use; imported before forking so that each
# run's child starts warm.  A name missing here only makes runs slower.
WARM_MODULES = (
    "pyqemu._config", "pyqemu.host", "pyqemu.accel.cpu", "pyqemu.linux_user.main",
    "pyqemu.linux_user.options", "pyqemu.linux_user.runner", "pyqemu.linux_user.elfload",
    "pyqemu.linux_user.mmap", "pyqemu.plugins.plugin",
    "pyqemu.linux_user.qemu", "pyqemu.linux_user.signal", "pyqemu.linux_user.thread",
    "pyqemu.linux_user.x86_64.cpu_loop", "pyqemu.linux_user.x86_64.signal",
    "pyqemu.linux_user.x86_64.target", "pyqemu.plugins.loader", "pyqemu.plugins.pyplugin",
)


class CorpusError(Exception):
    """A corpus run cannot start or gave nothing; the text is for the user."""


@dataclass(frozen=True)
class CorpusJob:
    """What to run: the target's argv (``@@`` marks the input file) and the plugin."""

    target: tuple[str, ...]
    plugin: str
    timeout: float | None = None

    @property
    def uses_file(self) -> bool:
        return any(INPUT_PLACEHOLDER in arg for arg in self.target)


@dataclass
class RunStats:
    """How the runs of a corpus ended."""

    runs: int = 0
    exited: int = 0
    signalled: int = 0
    timed_out: int = 0
    no_coverage: int = 0
    first_problem: str = ""

    def add(self, other: RunStats) -> None:
        self.runs += other.runs
        self.exited += other.exited
        self.signalled += other.signalled
        self.timed_out += other.timed_out
        self.no_coverage += other.no_coverage
        self.first_problem = self.first_problem or other.first_problem

    def describe(self) -> str:
        parts = [f"{self.runs} runs", f"{self.exited} exited",
                 f"{self.signalled} killed by a signal", f"{self.timed_out} timed out"]
        if self.no_coverage:
            parts.append(f"{self.no_coverage} without coverage")
        return ", ".join(parts)


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, total: int, label: str, enabled: bool | None = None) -> None:
        self.total, self.done, self.label = total, 0, label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.monotonic()

    def update(self, count: int = 1) -> None:
        self.done += count
        if self.enabled:
            filled = self.WIDTH * self.done // max(self.total, 1)
            elapsed = time.monotonic() - self.started
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                             f"{self.done}/{self.total} {elapsed:.1f}s")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def find_plugin(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The drcov plugin: the given path, else the one meson built next to this checkout."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise CorpusError(f"{path}: no such plugin file")
        return path.resolve()
    roots = [Path(__file__).resolve().parents[2], Path.cwd()]
    for root in roots:
        for build_dir in PLUGIN_BUILD_DIRS:
            candidate = root / build_dir / PLUGIN_NAME
            if candidate.is_file():
                return candidate
    raise CorpusError(f"cannot find {PLUGIN_NAME} (build it with 'ninja -C build', "
                      "or give --plugin PATH)")


def expand_inputs(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Input files in the order given; a directory stands for its files, sorted by name."""
    inputs: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inputs.extend(sorted(p for p in path.iterdir() if p.is_file()))
        elif path.is_file():
            inputs.append(path)
        else:
            raise CorpusError(f"{path}: no such input file")
    return inputs


def warm_up() -> None:
    """Imports what a run needs, once, before the first fork.

    The host loaded is the one of the plugin API level the runs' command line gives
    (QEMU_PLUGIN_API, read by parse_command_line as in each run), so that the children
    find it loaded rather than another level.
    """
    try:
        from pyqemu import host
        from pyqemu.linux_user.main import parse_command_line

        opts = parse_command_line(["pyqemu-x86_64", "true"])
        if not isinstance(opts, int):   # else each run reports the bad option itself
            host.load(opts.plugin_api)
    except (ImportError, SystemExit):   # the runs meet the same error and report it
        pass
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue


def _plugin_spec(plugin: str, drcov_path: Path) -> str:
    # QemuOpts syntax: a comma inside a value is written twice.
    return f"{plugin.replace(',', ',,')},arg=filename={str(drcov_path).replace(',', ',,')}"


def _run_child(job: CorpusJob, item: Path | bytes, work: Path, index: int) -> None:
    """In the forked child: become pyqemu-x86_64 for one input; never returns.

    This is the command line's own way in, so a run is what `pyqemu-x86_64 -plugin
    libdrcov.so,arg=filename=... TARGET ARGS < INPUT` gives, minus Python's start-up.
    """
    code = 125
    try:
        os.setpgid(0, 0)
        from pyqemu.linux_user import run
        from pyqemu.linux_user.main import parse_command_line

        input_path = item if isinstance(item, Path) else work / f"{index}.input"
        if isinstance(item, bytes):
            input_path.write_bytes(item)
        if job.uses_file:
            argv = [a.replace(INPUT_PLACEHOLDER, str(input_path)) for a in job.target]
            stdin_fd = os.open(os.devnull, os.O_RDONLY)
        else:
            argv = list(job.target)
            stdin_fd = os.open(input_path, os.O_RDONLY)
        os.dup2(stdin_fd, 0)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.dup2(os.open(work / f"{index}.stderr", os.O_WRONLY | os.O_CREAT, 0o600), 2)
        # "%p": the target's forked children write their coverage too, a file each
        spec = _plugin_spec(job.plugin, work / f"{index}.%p.drcov")
        opts = parse_command_line(["pyqemu-x86_64", "-plugin", spec, *argv])
        code = opts if isinstance(opts, int) else run(opts)
    except BaseException as exc:  # noqa: BLE001 - reported on the run's stderr
        os.write(2, f"pyqemu-cov: {type(exc).__name__}: {exc}\n".encode(errors="replace"))
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


@dataclass
class _Running:
    index: int
    name: str
    deadline: float | None
    pidfd: int


def _finish(run: _Running, wait_status: int, work: Path, timed_out: bool, cov: Coverage,
            stats: RunStats) -> None:
    stderr_path = work / f"{run.index}.stderr"
    stats.runs += 1
    if timed_out:
        stats.timed_out += 1
    elif os.WIFSIGNALED(wait_status):
        stats.signalled += 1
    else:
        stats.exited += 1
    try:
        if timed_out:
            raise DrcovError("timed out")
        # pyqemu writes the file on every way out, an empty one when the target never ran;
        # one file per process of the run (the target and what it forked)
        run_cov = Coverage()
        for drcov_path in sorted(work.glob(f"{run.index}.*.drcov")):
            run_cov.merge(drcov.read(drcov_path))
        if not run_cov.n_blocks:
            errors = stderr_path.read_text(errors="replace").strip().splitlines() \
                if stderr_path.exists() else []
            raise DrcovError("no coverage written" + (f" ({errors[-1][:200]})" if errors else ""))
        cov.merge(run_cov)
    except (OSError, DrcovError) as exc:
        stats.no_coverage += 1
        stats.first_problem = stats.first_problem or f"{run.name}: {exc}"
    for leftover in work.glob(f"{run.index}.*"):
        leftover.unlink()


def run_corpus(job: CorpusJob, inputs: Sequence[Path | bytes], jobs: int = 1,
               progress: Progress | None = None) -> tuple[Coverage, RunStats]:
    """Runs job once per input, up to `jobs` at a time; the merged coverage and run stats.

    An input is a file (Path) or its bytes.  Note: forks; call from the main thread.
    """
    warm_up()
    cov, stats = Coverage(), RunStats()
    pending = list(enumerate(inputs))
    pending.reverse()
    running: dict[int, _Running] = {}
    with tempfile.TemporaryDirectory(prefix="pyqemu-cov-") as tmp:
        work = Path(tmp)
        try:
            while pending or running:
                while pending and len(running) < max(jobs, 1):
                    index, item = pending.pop()
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        _run_child(job, item, work, index)
                    try:
                        os.setpgid(pid, pid)   # also done by the child: whoever runs first
                    except OSError:
                        pass
                    deadline = time.monotonic() + job.timeout if job.timeout else None
                    name = str(item) if isinstance(item, Path) else f"input {index}"
                    running[pid] = _Running(index, name, deadline, os.pidfd_open(pid))
                _wait_some(running, work, cov, stats, progress)
        finally:
            for pid, run in running.items():
                _kill_group(pid)
                os.waitpid(pid, 0)
                os.close(run.pidfd)
    return cov, stats


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_some(running: dict[int, _Running], work: Path, cov: Coverage, stats: RunStats,
               progress: Progress | None) -> None:
    """Waits until at least one run ends or passes its deadline, and collects it."""
    deadlines = [r.deadline for r in running.values() if r.deadline is not None]
    wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
    ready, _, _ = select.select([r.pidfd for r in running.values()], [], [], wait)
    now = time.monotonic()
    for pid, run in list(running.items()):
        timed_out = run.pidfd not in ready and run.deadline is not None and now >= run.deadline
        if run.pidfd not in ready and not timed_out:
            continue
        if timed_out:
            _kill_group(pid)
        _, wait_status = os.waitpid(pid, 0)
        os.close(run.pidfd)
        del running[pid]
        _finish(run, wait_status, work, timed_out, cov, stats)
        if progress is not None:
            progress.update()


def run_spec_file(spec_path: Path) -> None:
    """The batch entry of cluster workers: run the spec's inputs, write coverage and stats."""
    spec = json.loads(spec_path.read_text())
    job = CorpusJob(tuple(spec["target"]), spec["plugin"], spec.get("timeout"))
    inputs = [Path(p) for p in spec["inputs"]]
    cov, stats = run_corpus(job, inputs, jobs=spec.get("jobs", 1))
    drcov.write(cov, spec["coverage"])
    Path(spec["stats"]).write_text(json.dumps(asdict(stats)))


if __name__ == "__main__":
    run_spec_file(Path(sys.argv[1]))
