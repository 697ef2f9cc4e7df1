# SPDX-License-Identifier: GPL-2.0-or-later
"""The host's signal dispositions follow the guest's actions, as qemu's do_sigaction sets
them (pyqemu/host/user-signal.c), checked against a native run and qemu-x86_64 7.2 with
tests/linux_user/guests/signal_dispositions.c.

Before, pyqemu caught every host signal itself, whatever the guest's action, so: a read
blocked while a child exited failed with EINTR (SIGCHLD's default action ignores it); a
handler's SA_RESTART did not restart the read; SIGCHLD set to SIG_IGN did not reap the
children; signals ignored by the emulator's parent (nohup, a shell's background job)
started at their default; and a program the guest exec'd inherited none of its blocked
or ignored signals.
"""

from __future__ import annotations

import os
import signal
import subprocess
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
    ("exec", "SigBlk:\t0000000000000200\nSigIgn:\t0000000000000002\n"),
])
def test_guest_sees_what_linux_and_qemu_give(guest: Path, mode: str, premise: str) -> None:
    native = run_native([guest, mode])
    assert (native.returncode, native.stdout) == (0, premise), native.describe()
    qemu = run_qemu([guest, mode])
    assert (qemu.returncode, qemu.stdout) == (0, native.stdout), qemu.describe()
    ours = run_pyqemu([guest, mode])
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


SENT_GUEST = GUEST.with_name("sent_fault_signals.c")


@pytest.fixture(scope="module")
def sent_guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sent-fault-signals") / "sent_fault_signals"
    return compile_guest(SENT_GUEST, out, "gcc-pie")


def test_fault_signals_a_process_sends_are_the_guests(sent_guest: Path) -> None:
    """SIGSEGV, SIGBUS, SIGILL and SIGFPE from kill, raise and sigqueue reach the guest's
    handler as natively and under qemu, which takes only a real fault (si_code > 0) as
    one; pyqemu took them for a crash of its own."""
    mode = "handled"
    native = run_native([sent_guest, mode])
    assert native.returncode == 0 and native.stdout.count("\n") >= 4, native.describe()
    qemu = run_qemu([sent_guest, mode])
    assert (qemu.returncode, qemu.stdout) == (0, native.stdout), qemu.describe()
    ours = run_pyqemu([sent_guest, mode])
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, native.stdout, ""), \
        ours.describe()


def test_sent_sigsegv_kills_as_under_qemu(sent_guest: Path) -> None:
    native = run_native([sent_guest, "default"])
    assert (native.returncode, native.stdout) == (-signal.SIGSEGV, ""), native.describe()
    qemu = run_qemu([sent_guest, "default"])
    assert (qemu.returncode, qemu.stdout) == (native.returncode, ""), qemu.describe()
    ours = run_pyqemu([sent_guest, "default"])
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        qemu.returncode, "", qemu.stderr), ours.describe()
