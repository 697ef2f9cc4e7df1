# SPDX-License-Identifier: GPL-2.0-or-later
"""The start path imports only what a run needs (issue 19: start-up within 40 ms of qemu).

`pyqemu-x86_64 /bin/true` is run in a child that records which modules the run added to
sys.modules (those site imported before it, e.g. meson-python's editable loader, are not
the start path's).  Modules that serve only an option or another entry point must stay out:
capstone's and unicorn's Python packages (the C host disassembles and binds the engine
itself), Dask and numpy (clusters only), pyelftools (pyqemu-cov only; the loader unpacks
ELF headers with struct), the embedding API and its tempfile/shutil, subprocess, argparse,
platform, pathlib, and the -strace printer; and `dataclasses` (with the `inspect`, `ast`,
`dis` and `tokenize` it imports): the start path's records are plain `__slots__` classes.
Not a timing test (benchmarks/startup.py times it).  The garbage collector, paused while
pyqemu starts, runs again afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import harness
import pytest

#: Never imported by `pyqemu-x86_64 /bin/true` (a prefix names the package and its modules)
NOT_ON_START_PATH = (
    "capstone", "unicorn", "dask", "distributed", "numpy", "elftools", "pyqemu.embed",
    "pyqemu.cov", "pyqemu.linux_user.strace", "tempfile", "shutil", "subprocess", "argparse",
    "platform", "importlib.resources", "pathlib", "urllib",
    "pyqemu.linux_user.x86_64.cpu_models", "dataclasses", "inspect", "ast", "dis", "tokenize",
)

DRIVER = """
import gc, sys
before = set(sys.modules)
out = sys.argv[1]
sys.argv = ["pyqemu-x86_64", *sys.argv[2:]]
from pyqemu.linux_user.main import main
status = main()
with open(out, "w") as listing:
    listing.write("\\n".join(sorted(set(sys.modules) - before)))
    listing.write("\\ngc-enabled" if gc.isenabled() else "")
sys.exit(status)
"""


def start_path_modules(tmp_path: Path, *args: str) -> set[str]:
    """The modules `pyqemu-x86_64 *args` imported (it must run to status 0)."""
    harness.require_pyqemu()
    out = tmp_path / "modules"
    run = subprocess.run([sys.executable, "-c", DRIVER, str(out), *args],
                         env=harness.guest_env(), capture_output=True, text=True,
                         timeout=120, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    return set(out.read_text().split())


def offenders(modules: set[str]) -> list[str]:
    return sorted(name for name in modules for banned in NOT_ON_START_PATH
                  if name == banned or name.startswith(banned + "."))


def test_true_imports_only_the_start_path(tmp_path: Path) -> None:
    modules = start_path_modules(tmp_path, "/bin/true")
    # it did run the guest: the engine, the loader and the syscall layer came in
    assert {"pyqemu.host", "pyqemu.linux_user.elfload", "pyqemu.linux_user.syscall"} <= modules
    assert offenders(modules) == []
    assert "gc-enabled" in modules


def test_the_collector_runs_again_when_the_run_ends_early(tmp_path: Path) -> None:
    """-version answers without a run; main() leaves the collector as it found it."""
    assert "gc-enabled" in start_path_modules(tmp_path, "-version")


@pytest.mark.parametrize(("option", "module"), [
    ("-strace", "pyqemu.linux_user.strace"),
    ("-cpu=qemu64", "pyqemu.linux_user.x86_64.cpu_models"),
])
def test_an_option_imports_what_it_needs(tmp_path: Path, option: str, module: str) -> None:
    """The lazy imports still happen when an option asks for them."""
    args = option.split("=")
    modules = start_path_modules(tmp_path, *args, "/bin/true")
    assert module in modules
