# SPDX-License-Identifier: GPL-2.0-or-later
"""Run pyqemu-cov from the tests: in this process through main(), or as a console command.

The helper half of tests/cov/conftest.py (a module of its own, so that test files can
import it by a name no other test folder uses).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pyqemu.cov.cli import main

GUESTS_DIR = Path(__file__).resolve().parent / "guests"
CLI_TIMEOUT = 300


@dataclass(frozen=True)
class CliResult:
    """What one pyqemu-cov command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cov(*args: str | Path) -> CliResult:
    """Runs pyqemu-cov's main() with args in this process (no Python start-up per call).

    An exception escaping main() fails the test, as it would be a traceback for the user.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        returncode = main([str(a) for a in args])
    return CliResult(returncode, out.getvalue(), err.getvalue())


def run_cov_process(*args: str | Path, timeout: float = CLI_TIMEOUT) -> CliResult:
    """Runs `python -m pyqemu.cov.cli` with args in a subprocess, as a user runs it."""
    done = subprocess.run([sys.executable, "-m", "pyqemu.cov.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return CliResult(done.returncode, done.stdout, done.stderr)
