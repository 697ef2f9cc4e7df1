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
PARENT_IGNORES = (signal.SIGHUP, signal.SIGINT, signal.SIGUSR1)
#: the catchable standard signals: each run starts with them at their default or ignored
#: as the test says, not as the test runner left them (a background job's SIGINT/SIGQUIT)
STANDARD = [sig for sig in signal.valid_signals()
            if 0 < sig < signal.SIGRTMIN and sig not in (signal.SIGKILL, signal.SIGSTOP)]


def _dispositions(ignored: tuple[int, ...]) -> None:
    for sig in STANDARD:
        signal.signal(sig, signal.SIG_IGN if sig in ignored else signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _start(prefix: list[str], argv: list[str | os.PathLike[str]],
           ignored: tuple[int, ...] = ()) -> subprocess.Popen[str]:
    # a process group of its own under this one: not orphaned, so the kernel stops it on
    # SIGTSTP (it discards job-control stops in an orphaned group, as a CI runner's is)
    return subprocess.Popen([*prefix, *map(os.fspath, argv)], env=guest_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: _dispositions(ignored), process_group=0)


def _run(prefix: list[str], argv: list[str | os.PathLike[str]],
         ignored: tuple[int, ...] = ()) -> tuple[int, str]:
    """(status, stdout) of argv under prefix (an emulator, or none), its signals at their
    default but ``ignored``; stderr (pyqemu's -strace) is shown only on a failure."""
    process = _start(prefix, argv, ignored)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, f"{prefix + list(map(str, argv))}: {err[-2000:]}"
    return process.returncode, out


def _emulators() -> tuple[list[str], list[str]]:
    require_pyqemu()
    return [qemu_path()], list(pyqemu_command())


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
    qemu, pyqemu = _emulators()
    native = _run([], [guest, mode])
    assert native == (0, premise)
    assert _run(qemu, [guest, mode]) == native
    assert _run(pyqemu + (["-strace"] if path == "python" else []), [guest, mode]) == native


def test_actions_start_as_the_parent_left_them(guest: Path) -> None:
    qemu, pyqemu = _emulators()
    native = _run([], [guest, "inherited"], PARENT_IGNORES)
    assert "1 ignore\n2 ignore\n3 default\n" in native[1] and "10 ignore\n" in native[1]
    assert _run(qemu, [guest, "inherited"], PARENT_IGNORES) == native
    assert _run(pyqemu, [guest, "inherited"], PARENT_IGNORES) == native


def _stopped_twice(prefix: list[str], guest: Path) -> tuple[int, str]:
    """Run the guest's "stops" case; each time the process stops, continue it."""
    process = _start(prefix, [guest, "stops"])
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
    qemu, pyqemu = _emulators()
    native = _stopped_twice([], guest)
    assert native == (0, "before\ncontinued\nblocked\ncontinued again\n")
    assert _stopped_twice(qemu, guest) == native
    assert _stopped_twice(pyqemu, guest) == native


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
