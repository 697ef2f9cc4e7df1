# SPDX-License-Identifier: GPL-2.0-or-later
"""What the test suite needs from the machine, and what happens when a piece is missing.

Tests compare pyqemu with references: native runs, qemu-<arch> 7.2, programs built by
Debian's compilers. On a developer's machine a test whose reference is missing skips with the
reason (`missing()`), and the run's summary counts the skips by reason. Under CI (`CI=true`,
as `.ci/run` runs) and with `scripts/run-tests.sh --require` (`PYQEMU_REQUIRE=1`) nothing may
be missing: `check_session()` ends the run at collection with one line naming every missing
piece, and a `missing()` call that still happens is a failure, not a skip.

The engine is a prerequisite too: pyqemu's own patched Unicorn is expected unless the run asks
for the wheel's (`PYQEMU_ENGINE=stock`, as `scripts/run-tests.sh --engine stock` sets).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

#: Either variable set to a true value makes every missing reference a failure.
REQUIRE_VARIABLES = ("CI", "PYQEMU_REQUIRE")
_TRUE = ("1", "true", "yes", "on")


def required() -> bool:
    """Whether this run must have every reference (CI, or --require)."""
    return any(os.environ.get(name, "").strip().lower() in _TRUE for name in REQUIRE_VARIABLES)


def missing(reason: str) -> None:
    """End the calling test because something it needs is not on this machine.

    reason: what is missing and how to install it ("qemu-riscv64 (apt-get install qemu-user)").
    Skips on a developer's machine; fails under CI or --require, where nothing may be missing.
    """
    if required():
        pytest.fail(f"missing: {reason}", pytrace=False)
    pytest.skip(reason)


def import_or_missing(name: str, install: str = "scripts/install-deps.sh") -> ModuleType:
    """Import module name, or missing() with the install hint: pytest.importorskip that fails
    under CI."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(f"Python module {name} ({install}; {exc})")
        raise  # missing() never returns


@dataclass(frozen=True)
class Prerequisite:
    """One thing the suite needs: its name, the fix, and a check that it is there."""

    name: str
    install: str
    present: Callable[[], bool]

    def describe(self) -> str:
        return f"{self.name} ({self.install})"


def tool(name: str) -> str | None:
    """The path of a program, preferring the one installed beside this Python (the venv's
    meson and ninja, whose Python has pyqemu's build dependencies), or None."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which(name)


def _program(name: str, install: str) -> Prerequisite:
    return Prerequisite(name, install, lambda: tool(name) is not None)


def _file(path: str, install: str) -> Prerequisite:
    return Prerequisite(path, install, lambda: Path(path).exists())


def _module(name: str, install: str) -> Prerequisite:
    def importable() -> bool:
        try:
            return importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            return False

    return Prerequisite(f"Python module {name}", install, importable)


_APT = "apt-get install "
_PIP = "scripts/install-deps.sh installs it into .venv"

#: The machine's side: references, compilers and tools the tests compare with or build with.
MACHINE: tuple[Prerequisite, ...] = (
    _program("qemu-x86_64", _APT + "qemu-user"),
    _program("qemu-aarch64", _APT + "qemu-user"),
    _program("qemu-riscv64", _APT + "qemu-user"),
    _program("gcc", _APT + "gcc"),
    _file("/usr/lib/x86_64-linux-gnu/libc.a", _APT + "libc6-dev"),
    _program("musl-gcc", _APT + "musl-tools"),
    _program("aarch64-linux-gnu-gcc", _APT + "gcc-aarch64-linux-gnu"),
    _program("riscv64-linux-gnu-gcc", _APT + "gcc-riscv64-linux-gnu"),
    _file("/usr/aarch64-linux-gnu/lib/libc.a", _APT + "libc6-dev-arm64-cross"),
    _file("/usr/riscv64-linux-gnu/lib/libc.a", _APT + "libc6-dev-riscv64-cross"),
    _file("/usr/lib/x86_64-linux-gnu/libcapstone.so.4", _APT + "libcapstone4"),
    _file("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", _APT + "linux-libc-dev"),
    _program("as", _APT + "binutils"),
    _program("objcopy", _APT + "binutils"),
    _program("genhtml", _APT + "lcov"),
    _program("meson", _PIP),
    _module("atheris", _PIP),
    _module("dask.distributed", _PIP),
    _module("capstone", _PIP),
    _module("elftools", _PIP),
)


def absent(prerequisites: Sequence[Prerequisite] = MACHINE) -> list[Prerequisite]:
    """The prerequisites this machine lacks."""
    return [item for item in prerequisites if not item.present()]


def expected_engine() -> str:
    """'stock' when the run asks for the unicorn wheel's engine, else 'patched'."""
    return "stock" if os.environ.get("PYQEMU_ENGINE", "").strip() == "stock" else "patched"


def needs_patched_engine(reason: str) -> None:
    """Skip the calling test on a stock-engine run: it checks what only pyqemu's patched engine
    does (reason says what). For one parameter of a test; a whole test takes the
    patched_engine(reason) marker instead (tests/conftest.py)."""
    if expected_engine() == "stock":
        pytest.skip(f"needs pyqemu's patched engine (stock engine run): {reason}")


def loaded_engine() -> tuple[str, str]:
    """('patched' | 'stock', library path) of the engine pyqemu loads in this environment.

    Asked of a child interpreter started outside the repository, so that the engine is
    chosen exactly as a pyqemu run chooses it (PYQEMU_ENGINE, the editable install).
    Raises RuntimeError with pyqemu's own message when pyqemu.host does not import.
    """
    probe = ("import pyqemu.host as h; "
             "print('patched' if h.engine_patches else 'stock', h.engine_library)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=tempfile.gettempdir(), timeout=120, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"pyqemu.host does not import: {last}")
    kind, _, library = done.stdout.strip().partition(" ")
    return kind, library


def pyqemu_problem(command: Sequence[str]) -> str | None:
    """Why `command -version` (pyqemu-x86_64 as the tests start it) fails, or None."""
    try:
        done = subprocess.run([*command, "-version"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"pyqemu-x86_64 does not start ({' '.join(command)}: {exc})"
    if done.returncode != 0 or "pyqemu" not in done.stdout:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return (f"pyqemu-x86_64 does not start ({' '.join(command)} -version: "
                f"status {done.returncode}, {last})")
    return None


def session_problems(pyqemu_command: Sequence[str]) -> list[str]:
    """Everything that makes this machine unfit for a run that must not skip."""
    problems = [f"missing: {item.describe()}" for item in absent()]
    if not os.environ.get("PYQEMU"):
        # An explicit PYQEMU is a wrapper or a mutant, judged by the tests themselves.
        problem = pyqemu_problem(pyqemu_command)
        if problem:
            problems.append(problem)
    try:
        kind, library = loaded_engine()
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        problems.append(str(exc))
    else:
        if kind != expected_engine():
            problems.append(
                f"wrong engine: pyqemu loads the {kind} engine ({library}) where the "
                f"{expected_engine()} one is expected (build it with scripts/install-deps.sh, "
                f"or run scripts/run-tests.sh --engine stock)")
    return problems
