# SPDX-License-Identifier: GPL-2.0-or-later
"""-strace lines of the calls qemu-x86_64 7.2 prints with printers of its own
(setitimer, getitimer, bind, accept, utime(s), chroot, acct, mknod(at), umount2, mount,
rt_(tg)sigqueueinfo, mlockall, settimeofday, clock_settime, syslog, futimesat, fallocate,
unshare, clock_adjtime, pidfd_send_signal, clock_nanosleep's flags, statx's STATX_ALL;
file modes with their type; an int an ioctl reads; an ioctl neither emulator knows),
compared line for line with qemu's for tests/linux_user/guests/strace_printers.c.

Before, pyqemu printed these calls' six raw registers (python3's signal.setitimer showed
as ``setitimer(0,4870560,...)``), file modes as bare octal (``0100644`` for
``S_IFREG|0644``), an unknown ioctl's argument in decimal, FIONBIO's int as a pointer,
clock_nanosleep's TIMER_ABSTIME by name (qemu prints 1) and its remainder as a pointer;
FICLONE (cp's first try) was no ioctl pyqemu knew: ENOSYS where qemu asks the host.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import compile_guest, run_pyqemu, run_qemu

GUEST = Path(__file__).parent / "guests" / "strace_printers.c"


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("strace-printers") / "strace_printers"
    return compile_guest(GUEST, out, "gcc-static")


def _calls(stderr: str) -> list[str]:
    """The -strace lines between the guest's two marker writes, without the pid."""
    lines = [re.sub(r"^\d+ ", "", line) for line in stderr.splitlines()]
    begin = next(i for i, line in enumerate(lines) if re.match(r"write\(1,0x\w+,6\)", line))
    end = next(i for i, line in enumerate(lines) if re.match(r"write\(1,0x\w+,4\)", line))
    return lines[begin + 1:end]


def test_printers_print_as_qemu(guest: Path) -> None:
    qemu = run_qemu([guest], extra=["-strace"])
    assert (qemu.returncode, qemu.stdout) == (0, "BEGIN\nEND\n"), qemu.describe()
    theirs = _calls(qemu.stderr)
    assert any(line.startswith("setitimer(ITIMER_REAL,{it_interval=") for line in theirs)
    ours = run_pyqemu([guest], extra=["-strace"])
    assert (ours.returncode, ours.stdout) == (0, qemu.stdout), ours.describe()
    assert _calls(ours.stderr) == theirs


def _signals(stderr: str) -> list[str]:
    """The "--- signal {siginfo} ---" lines, pids masked (they differ between runs)."""
    return [re.sub(r"si_pid=\d+", "si_pid=PID", re.sub(r"^\d+ ", "", line))
            for line in stderr.splitlines() if "--- " in line]


def test_taken_signals_print_as_qemu(tmp_path: Path) -> None:
    """A queued or timer signal's value prints as qemu's signed decimal, not a pointer."""
    program = compile_guest(GUEST.with_name("strace_siginfo.c"), tmp_path / "strace_siginfo",
                            "gcc-static")
    qemu = run_qemu([program], extra=["-strace"])
    assert (qemu.returncode, qemu.stdout) == (0, "6\n"), qemu.describe()
    theirs = _signals(qemu.stderr)
    assert any("si_code=SI_TIMER" in line for line in theirs), qemu.stderr[-2000:]
    ours = run_pyqemu([program], extra=["-strace"])
    assert (ours.returncode, ours.stdout) == (0, qemu.stdout), ours.describe()
    assert _signals(ours.stderr) == theirs
