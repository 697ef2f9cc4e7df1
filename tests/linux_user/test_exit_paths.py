# SPDX-License-Identifier: GPL-2.0-or-later
"""Every way the guest ends runs the plugins' atexit callbacks once (QEMU 7.2
skips them on fatal signals; pyqemu does better) and ends with the status
the shell would see under qemu-x86_64.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import run_pyqemu, run_qemu

SLEEPER = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) { puts("ready"); fflush(stdout); for (;;) pause(); }
"""


def _bb_line(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("bb's: ")]


@pytest.mark.parametrize("guest,status", [("hello", 0), ("exit_group7", 7), ("segv", -11),
                                          ("abort", -6)])
def test_atexit_runs_once_on_every_exit(guest_builder, plugin_lib, guest: str,
                                        status: int) -> None:
    program = guest_builder.build(guest, "musl-static")
    result = run_pyqemu([str(program)], plugins=[str(plugin_lib("bb"))], extra=["-d", "plugin"])
    assert result.returncode == status
    assert len(_bb_line(result.stderr)) == 1


def test_qemu_skips_atexit_on_a_fatal_signal(guest_builder, plugin_lib) -> None:
    program = guest_builder.build("segv", "musl-static")
    result = run_qemu([str(program)], plugins=[str(plugin_lib("bb"))], extra=["-d", "plugin"])
    assert result.returncode == -11
    assert _bb_line(result.stderr) == []   # the weakness pyqemu fixes


def test_sigterm_from_outside_still_writes_drcov(tmp_path: Path, plugin_lib) -> None:
    src = tmp_path / "sleeper.c"
    src.write_text(SLEEPER)
    program = tmp_path / "sleeper"
    subprocess.run(["gcc", "-O1", "-o", str(program), str(src)], check=True)
    coverage = tmp_path / "out.drcov"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyqemu.linux_user.main", "-plugin",
         f"{plugin_lib('drcov')},arg=filename={coverage}", str(program)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGTERM
    assert "Traceback" not in err
    data = coverage.read_bytes()
    assert data.startswith(b"DRCOV VERSION: 2\n")
    assert str(program).encode() in data
