# SPDX-License-Identifier: GPL-2.0-or-later
"""The C host and the plugins built with sanitizers, and how to run pyqemu on such a build.

Plays the part of QEMU's `configure --enable-sanitizers` CI job: meson builds the whole
project (`pyqemu.host._host` and every plugin) with `-Db_sanitize=address,undefined` into
`build-asan/` (ASAN_UBSAN), or with `-Db_sanitize=thread` into `build-tsan/` (TSAN), at the
top of the checkout (gitignored, kept between runs so a rerun only recompiles what
changed), and pyqemu loads that `_host` when `PYQEMU_HOST_BUILD` names the build
(pyqemu/host/__init__.py).  Python itself is not instrumented, so the sanitizer runtimes
are preloaded, and leak checking is off (the interpreter keeps memory to the end on
purpose).  UBSan halts at its first report; ThreadSanitizer reports each race and goes on.
"""

from __future__ import annotations

import fcntl
import importlib.machinery
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prerequisites import tool

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 600.0
# a sitecustomize that takes LD_PRELOAD out of the environment pyqemu's children get
NO_INHERITED_PRELOAD = Path(__file__).resolve().parent / "tsan_site"


@dataclass(frozen=True)
class Sanitizers:
    """One kind of sanitizer build: its folder, meson's b_sanitize, the runtimes to preload,
    their options, and the first line of each of their reports."""

    build_dir: Path
    b_sanitize: str
    runtimes: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    report: re.Pattern[str]
    symbols: tuple[str, ...]    # what instrumented code calls in the runtimes
    # False: pyqemu's children (the editable install's rebuild, a guest's execve) run
    # without the preloaded runtimes (ThreadSanitizer's kills the pyenv shim that runs ninja)
    children_inherit_runtimes: bool = True

    @property
    def meson_options(self) -> tuple[str, ...]:
        # the engine is not ours to sanitize (and the editable install already built it)
        return ("-Denable-plugins=true", "-Dpatched-engine=false",
                f"-Db_sanitize={self.b_sanitize}")


ASAN_UBSAN = Sanitizers(
    REPO_ROOT / "build-asan", "address,undefined", ("libasan.so", "libubsan.so"),
    # leaks: CPython never frees some memory; the rest makes a report fatal and loud
    (("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0:symbolize=1"),
     ("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")),
    re.compile(r"==\d+==ERROR: \w+Sanitizer|: runtime error: |SUMMARY: \w+Sanitizer"
               r"|\w+Sanitizer:DEADLYSIGNAL|ASan cannot proceed"),
    ("__asan_report_", "__ubsan_handle_"))
# every race is reported (halt_on_error=0), with both stacks of a lock-order inversion
TSAN = Sanitizers(
    REPO_ROOT / "build-tsan", "thread", ("libtsan.so",),
    (("TSAN_OPTIONS", "halt_on_error=0:second_deadlock_stack=1"),),
    re.compile(r"WARNING: ThreadSanitizer|ThreadSanitizer:DEADLYSIGNAL|FATAL: ThreadSanitizer"),
    ("__tsan_func_entry", "__tsan_read"), children_inherit_runtimes=False)
BUILD_DIR = ASAN_UBSAN.build_dir
# what pyqemu's guest must not inherit from the emulator's own environment: a dynamic
# guest's ld.so would load the sanitizer runtime too
HOST_ONLY_VARIABLES = ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS",
                       "PYQEMU_HOST_BUILD", "PYTHONPATH")


class SanitizerUnavailable(Exception):
    """The compiler has no sanitizer runtimes, or meson is missing (a machine problem)."""


@dataclass(frozen=True)
class SanitizedBuild:
    """A finished sanitizer build: where it is, and the environment that runs on it."""

    build_dir: Path
    runtimes: tuple[Path, ...]
    sanitizers: Sanitizers = ASAN_UBSAN

    def plugin(self, name: str) -> Path:
        """lib<name>.so from this build (tests/plugin or contrib/plugins)."""
        for folder in ("tests/plugin", "contrib/plugins"):
            path = self.build_dir / folder / f"lib{name}.so"
            if path.is_file():
                return path
        raise FileNotFoundError(f"no lib{name}.so in {self.build_dir}")

    @property
    def host_extension(self) -> Path:
        """The _host extension (the plugin API level pyqemu loads by default)."""
        folder = self.build_dir / "pyqemu" / "host"
        return next(folder / f"_host{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                    if (folder / f"_host{suffix}").is_file())

    def environment(self, base: dict[str, str]) -> dict[str, str]:
        """base plus what runs pyqemu on this build with the runtimes preloaded."""
        env = dict(base)
        env["PYQEMU_HOST_BUILD"] = str(self.build_dir)
        env["LD_PRELOAD"] = ":".join(map(str, self.runtimes))
        env.update(self.sanitizers.options)
        if not self.sanitizers.children_inherit_runtimes:
            env["PYTHONPATH"] = str(NO_INHERITED_PRELOAD)
        return env

    def reports(self, stderr: str) -> list[str]:
        """The lines of stderr that start a report of this build's sanitizers."""
        return sanitizer_reports(stderr, self.sanitizers)


def instrumentation_problems(build: SanitizedBuild, base: dict[str, str]) -> list[str]:
    """What is wrong with build: a _host or plugin that does not call the runtimes, or a
    pyqemu that does not load this build's _host (with the runtime mapped) when
    PYQEMU_HOST_BUILD names it, or reports while doing so; base: the environment to add to.
    """
    problems = []
    for binary in (build.host_extension, build.plugin("bb")):
        symbols = subprocess.run(["nm", "-D", "--undefined-only", str(binary)], check=True,
                                 capture_output=True, text=True).stdout
        problems += [f"{binary} does not call {name}" for name in build.sanitizers.symbols
                     if name not in symbols]
    runtime = build.runtimes[0].name.split(".")[0]
    probe = ("import pyqemu.host as h, pathlib; print(h._host.__file__); "
             f"print({runtime!r} in pathlib.Path('/proc/self/maps').read_text())")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=build.environment(base), timeout=120, check=False)
    if shown.returncode != 0 or build.reports(shown.stderr):
        problems.append(f"the probe failed: {shown.stderr}")
    elif shown.stdout.splitlines() != [str(build.host_extension), "True"]:
        problems.append(f"pyqemu loaded another _host, or no {runtime}: {shown.stdout}")
    return problems


def _tool(name: str) -> str:
    found = tool(name)
    if found is None:
        raise SanitizerUnavailable(f"{name} is not installed (pip install meson ninja)")
    return found


def sanitizer_runtimes(sanitizers: Sanitizers = ASAN_UBSAN) -> tuple[Path, ...]:
    """The compiler's runtimes of sanitizers, e.g. libasan.so and libubsan.so
    (SanitizerUnavailable when absent)."""
    compiler = os.environ.get("CC", "cc")
    found = []
    for name in sanitizers.runtimes:
        try:
            answer = subprocess.run([compiler, f"-print-file-name={name}"], capture_output=True,
                                    text=True, check=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            raise SanitizerUnavailable(f"{compiler} does not run: {exc}") from exc
        path = Path(answer)
        if not path.is_absolute() or not path.exists():
            raise SanitizerUnavailable(f"{compiler} has no {name} (the libasan8, libubsan1 "
                                       "and libtsan2 packages come with gcc)")
        found.append(path.resolve())
    return tuple(found)


def build(sanitizers: Sanitizers = ASAN_UBSAN) -> SanitizedBuild:
    """Configure (once) and build the sanitizer build; a lock keeps concurrent test sessions
    from building the same directory at the same time.  Raises CalledProcessError when the
    build fails (that is a test failure, not a skip)."""
    build_dir = sanitizers.build_dir
    runtimes = sanitizer_runtimes(sanitizers)
    meson, ninja = _tool("meson"), _tool("ninja")
    lock_path = Path(tempfile.gettempdir()) / f"pyqemu-{build_dir.name}.lock"
    with open(lock_path, "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (build_dir / "build.ninja").is_file():
            # a directory left by an interrupted setup is configured afresh
            wipe = ["--wipe"] if build_dir.exists() else []
            subprocess.run([meson, "setup", *wipe, str(build_dir), *sanitizers.meson_options],
                           cwd=REPO_ROOT, check=True, capture_output=True, text=True,
                           timeout=BUILD_TIMEOUT)
        subprocess.run([ninja, "-C", str(build_dir)], cwd=REPO_ROOT, check=True,
                       capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    return SanitizedBuild(build_dir, runtimes, sanitizers)


def sanitizer_reports(stderr: str, sanitizers: Sanitizers = ASAN_UBSAN) -> list[str]:
    """The lines of stderr that start a report of sanitizers (AddressSanitizer or UBSan)."""
    return [line for line in stderr.splitlines() if sanitizers.report.search(line)]
