# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one bad input under qemu-x86_64 7.2 and under pyqemu-x86_64, and compare how
each ended: exit status, message (without the program-name prefix), and whether the
plugins' atexit output was written.

qemu prints "Error while loading ..." with printf() and leaves with _exit(), so the
line only survives when stdout is a terminal: qemu runs with stdout on a pseudo-terminal
here.  pyqemu prints that line on stderr (a documented improvement).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import harness
import pytest
from prerequisites import missing

TIMEOUT = 60.0
# what tests/plugin/bb.c prints at exit when no guest code ran
ATEXIT_NO_CODE = "bb's: 0, insns: 0"
_PREFIX = re.compile(r"^(py)?qemu(-x86_64)?: ")
# lines that are a plugin's output, or qemu's noise, not the emulator's message
_NOT_MESSAGES = re.compile(r"^(bb's: |bad_plugin: |.*warning: |Please use )")
# what runs in the child between fork and exec (a resource limit, say)
Setup = Callable[[], None]


@dataclass(frozen=True)
class Ending:
    """How a run ended: returncode as subprocess gives it, and what it printed (for qemu,
    stdout is what its terminal showed)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[str]:
        """The emulator's own lines, prefix-free: "PROG: " replaces qemu-x86_64:,
        pyqemu-x86_64:, qemu: and pyqemu:; plugin output and warnings left out."""
        lines = self.stdout.splitlines() + self.stderr.splitlines()
        return [_PREFIX.sub("PROG: ", line) for line in lines if not _NOT_MESSAGES.match(line)]

    @property
    def first_message(self) -> str:
        return self.messages[0] if self.messages else ""

    def describe(self) -> str:
        return (f"returncode {self.returncode}\nstdout:\n{self.stdout[:2000]}\n"
                f"stderr:\n{self.stderr[:2000]}")


def run_qemu_tty(args: Sequence[str], *, env: dict[str, str] | None = None,
                 timeout: float = TIMEOUT, preexec: Setup | None = None) -> Ending:
    """Run qemu-x86_64 with stdout on a pseudo-terminal (missing() when qemu is missing)."""
    qemu = shutil.which("qemu-x86_64")
    if qemu is None:
        missing(harness.QEMU_MISSING_REASON)
    master, slave = pty.openpty()
    process = subprocess.Popen([qemu, *args], stdin=subprocess.DEVNULL, stdout=slave,
                               stderr=subprocess.PIPE, env=env or harness.guest_env(),
                               start_new_session=True, preexec_fn=_child_setup(preexec))
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the terminal has no writer left
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    try:
        _out, err = process.communicate(timeout=max(deadline - time.monotonic(), 1))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"qemu-x86_64 {' '.join(args)} ran past {timeout:.0f} s")
    text = b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")
    return Ending(process.returncode, text, err.decode(errors="replace"))


def run_pyqemu(args: Sequence[str], *, env: dict[str, str] | None = None,
               timeout: float = TIMEOUT, preexec: Setup | None = None) -> Ending:
    """Run pyqemu-x86_64 as a user would, in its own process."""
    harness.require_pyqemu()
    command = [*harness.pyqemu_command(), *args]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env or harness.guest_env(),
                               start_new_session=True, preexec_fn=_child_setup(preexec))
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"pyqemu-x86_64 {' '.join(args)} ran past {timeout:.0f} s")
    return Ending(process.returncode, out.decode(errors="replace"),
                  err.decode(errors="replace"))


def _child_setup(extra: Setup | None) -> Setup:
    """Between fork and exec: no core files (qemu then prints its signal line), then
    the caller's own set-up (a resource limit, say)."""
    import resource

    def setup() -> None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
        if extra is not None:
            extra()

    return setup


def assert_no_traceback(ending: Ending) -> None:
    assert "Traceback" not in ending.stderr, ending.describe()
    assert "internal error" not in ending.stderr, ending.describe()
