# SPDX-License-Identifier: GPL-2.0-or-later
"""The C host and the plugins built with AddressSanitizer and UBSan, and how to run pyqemu
on that build.

Plays the part of QEMU's `configure --enable-sanitizers` CI job: meson builds the whole
project (`pyqemu.host._host` and every plugin) with `-Db_sanitize=address,undefined` into
`build-asan/` at the top of the checkout (gitignored, kept between runs so a rerun only
recompiles what changed), and pyqemu loads that `_host` when `PYQEMU_HOST_BUILD` names the
build (pyqemu/host/__init__.py).  Python itself is not instrumented, so the sanitizer
runtimes are preloaded, and leak checking is off (the interpreter keeps memory to the end
on purpose).  UBSan halts at its first report.
"""

from __future__ import annotations

import fcntl
import importlib.machinery
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prerequisites import tool

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = REPO_ROOT / "build-asan"
SANITIZERS = "address,undefined"
# the engine is not ours to sanitize (and the editable install already built it)
MESON_OPTIONS = ("-Denable-plugins=true", "-Dpatched-engine=false", f"-Db_sanitize={SANITIZERS}")
RUNTIMES = ("libasan.so", "libubsan.so")
BUILD_TIMEOUT = 600.0
# what pyqemu's guest must not inherit from the emulator's own environment: a dynamic
# guest's ld.so would load the sanitizer runtime too
HOST_ONLY_VARIABLES = ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "PYQEMU_HOST_BUILD")
# the first line of every AddressSanitizer / UBSan report
REPORT = re.compile(r"==\d+==ERROR: \w+Sanitizer|: runtime error: |SUMMARY: \w+Sanitizer"
                    r"|\w+Sanitizer:DEADLYSIGNAL|ASan cannot proceed")


class SanitizerUnavailable(Exception):
    """The compiler has no sanitizer runtimes, or meson is missing (a machine problem)."""


@dataclass(frozen=True)
class SanitizedBuild:
    """A finished sanitizer build: where it is, and the environment that runs on it."""

    build_dir: Path
    runtimes: tuple[Path, ...]

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
        # leaks: CPython never frees some memory; the rest makes a report fatal and loud
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0:symbolize=1"
        env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
        return env


def _tool(name: str) -> str:
    found = tool(name)
    if found is None:
        raise SanitizerUnavailable(f"{name} is not installed (pip install meson ninja)")
    return found


def sanitizer_runtimes() -> tuple[Path, ...]:
    """The compiler's libasan.so and libubsan.so (SanitizerUnavailable when absent)."""
    compiler = os.environ.get("CC", "cc")
    found = []
    for name in RUNTIMES:
        try:
            answer = subprocess.run([compiler, f"-print-file-name={name}"], capture_output=True,
                                    text=True, check=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            raise SanitizerUnavailable(f"{compiler} does not run: {exc}") from exc
        path = Path(answer)
        if not path.is_absolute() or not path.exists():
            raise SanitizerUnavailable(f"{compiler} has no {name} (the libasan8/libubsan1 "
                                       "packages come with gcc)")
        found.append(path.resolve())
    return tuple(found)


def build(build_dir: Path = BUILD_DIR) -> SanitizedBuild:
    """Configure (once) and build the sanitizer build; a lock keeps concurrent test sessions
    from building the same directory at the same time.  Raises CalledProcessError when the
    build fails (that is a test failure, not a skip)."""
    runtimes = sanitizer_runtimes()
    meson, ninja = _tool("meson"), _tool("ninja")
    lock_path = Path(tempfile.gettempdir()) / f"pyqemu-{build_dir.name}.lock"
    with open(lock_path, "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (build_dir / "build.ninja").is_file():
            # a directory left by an interrupted setup is configured afresh
            wipe = ["--wipe"] if build_dir.exists() else []
            subprocess.run([meson, "setup", *wipe, str(build_dir), *MESON_OPTIONS],
                           cwd=REPO_ROOT, check=True, capture_output=True, text=True,
                           timeout=BUILD_TIMEOUT)
        subprocess.run([ninja, "-C", str(build_dir)], cwd=REPO_ROOT, check=True,
                       capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    return SanitizedBuild(build_dir, runtimes)


def sanitizer_reports(stderr: str) -> list[str]:
    """The lines of stderr that start a sanitizer report."""
    return [line for line in stderr.splitlines() if REPORT.search(line)]
