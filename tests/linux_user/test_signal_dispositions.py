# SPDX-License-Identifier: GPL-2.0-or-later
"""The host's signal dispositions follow the guest's actions, as qemu's do_sigaction sets
them (pyqemu/host/user-signal.c), checked against a native run and qemu-x86_64 7.2 with
tests/linux_user/guests/signal_dispositions.c.

Before, pyqemu caught every host signal itself, whatever the guest's action, so: a read
blocked while a child exited failed with EINTR (SIGCHLD's default action ignores it); a
handler's SA_RESTART did not restart the read; SIGCHLD set to SIG_IGN did not reap the
children; signals ignored by the emulator's parent (nohup, a shell's background job)
started at their default; a program the guest exec'd inherited none of its blocked
or ignored signals; and a signal the guest blocked interrupted a blocked read with EINTR
(the host mask is now the guest's while a syscall made for it runs); and SIGTSTP at its
default killed the guest ("uncaught target signal 20") instead of stopping it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harness import (
    compile_guest,
    guest_env,
    pyqemu_command,
    qemu_path,
    require_pyqemu,
    run_native,
    run_pyqemu,
    run_qemu,
)

GUEST = Path(__file__).parent / "guests" / "signal_dispositions.c"
#: what the parent ignores in test_actions_start_as_the_parent_left_them (not SIGPIPE:
#: CPython ignores it itself, so pyqemu cannot tell whether the parent did; README)
PARENT_IGNORES = "HUP INT USR1"


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signal-dispositions") / "signal_dispositions"
    return compile_guest(GUEST, out, "gcc-pie")


@pytest.mark.parametrize("mode,premise", [
    ("child-exit", "read 1\n"),
    ("restart", "read 1\nhandled yes\n"),
    ("no-restart", "read -1 Interrupted system call\nhandled yes\n"),
    ("ignored-child", "wait No child processes\n"),
    ("blocked-wait", "sigtimedwait 17 code 1\n"),
    ("blocked-read", "read 1\npending 1 handled 0\nunblocked: handled 1\n"),
    ("exec", "SigBlk:\t0000000000000200\nSigIgn:\t0000000000000002\n"),
])
@pytest.mark.parametrize("path", ["c", "python"])
def test_guest_sees_what_linux_and_qemu_give(guest: Path, mode: str, premise: str,
                                             path: str) -> None:
    """Each case natively, under qemu and under pyqemu, whose syscalls the C host serves
    or, with -strace, Python (the host mask is the guest's on both while a call runs)."""
    native = run_native([guest, mode])
    assert (native.returncode, native.stdout) == (0, premise), native.describe()
    qemu = run_qemu([guest, mode])
    assert (qemu.returncode, qemu.stdout) == (0, native.stdout), qemu.describe()
    ours = run_pyqemu([guest, mode], extra=["-strace"] if path == "python" else [])
    assert (ours.returncode, ours.stdout) == (0, native.stdout), ours.describe()


def _with_ignored(prefix: list[str], guest: Path) -> str:
    """The guest's starting actions, started by a shell that ignores PARENT_IGNORES."""
    command = ["/bin/sh", "-c", f"trap '' {PARENT_IGNORES}; exec \"$@\"", "sh", *prefix,
               os.fspath(guest), "inherited"]
    done = subprocess.run(command, env=guest_env(), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_actions_start_as_the_parent_left_them(guest: Path) -> None:
    native = _with_ignored([], guest)
    assert "1 ignore\n2 ignore\n3 default\n" in native and "10 ignore\n" in native
    assert _with_ignored([qemu_path()], guest) == native
    require_pyqemu()
    assert _with_ignored(list(pyqemu_command()), guest) == native


def _stopped_twice(prefix: list[str], guest: Path) -> tuple[int, str]:
    """Run the guest's "stops" case; each time the process stops, continue it."""
    process = subprocess.Popen([*prefix, os.fspath(guest), "stops"], env=guest_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _stop in range(2):
            deadline = time.monotonic() + 60
            while (state := _state(process.pid)) != "T":
                assert state not in ("Z", "gone") and time.monotonic() < deadline, \
                    process.communicate(timeout=10)
                time.sleep(0.02)
            os.kill(process.pid, signal.SIGCONT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err[-2000:]
    return process.returncode, out


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_job_control_stops_stop_the_process(guest: Path) -> None:
    """SIGTSTP at its default stops the process, raised and when unblocked, and SIGCONT
    lets it go on, as natively and under qemu."""
    native = _stopped_twice([], guest)
    assert native == (0, "before\ncontinued\nblocked\ncontinued again\n")
    assert _stopped_twice([qemu_path()], guest) == native
    require_pyqemu()
    assert _stopped_twice(list(pyqemu_command()), guest) == native
