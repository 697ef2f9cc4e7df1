# SPDX-License-Identifier: GPL-2.0-or-later
"""Every syscall number, under qemu-<arch> 7.2 and pyqemu: served alike, refused alike.

tests/linux_user/guests/syscall_probe.c calls each number from 0 to 460 with all
arguments -1 (numbers that would act even so are left out, the probe says why) and
prints "<nr> ok" or "<nr> <errno name>".  Both emulators run it with -d unimp, so
"Unsupported syscall: N" names the numbers each does not serve.  The lines, the errno
of every call and the other -d unimp lines (unknown ioctl, prctl, socket option) must
be the same, but for ACCEPTED: calls where qemu 7.2 goes on with memory it failed to
read or allocate (README, "Syscalls").

The numbers without a row in pyqemu's table must be exactly those qemu does not serve:
that is what README's syscall table (scripts/gen_syscall_table.py) says of them.
close_range, which glibc 2.34+, OpenSSH and Python's subprocess call, is run for real
by tests/linux_user/guests/close_range.c under the host, qemu and pyqemu.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu, run_qemu

from pyqemu.linux_user.syscall import SYSCALL_TABLE, guest_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "arch"))
import arch_harness  # noqa: E402  (tests/arch is not a package)

GUESTS = Path(__file__).resolve().parent / "guests"
LAST_NR = 460
UNSUPPORTED = re.compile(r"^Unsupported syscall: (\d+)$")

#: What the probe leaves out, as even a failing call would act (see its header).
SKIPPED = {"exit", "exit_group", "fork", "vfork", "pause", "rt_sigreturn", "vhangup", "sync"}
#: Syscall name -> why its errno for all -1 arguments may differ from qemu 7.2's.
ACCEPTED = {
    "nanosleep": "qemu ignores its failed copy of the request and sleeps on stack garbage",
    "getdents": "qemu cannot allocate a 4 GiB host buffer (ENOMEM); pyqemu: EBADF",
    "getdents64": "qemu cannot allocate a 4 GiB host buffer (ENOMEM); pyqemu: EBADF",
    "mq_getsetattr": "qemu ignores its failed copy of the attributes",
}


def parse(stdout: str, stderr: str) -> tuple[dict[int, str], set[int], list[str]]:
    """(number -> result, numbers logged as unsupported, the other -d unimp lines)."""
    results = {}
    for line in stdout.splitlines():
        number, result = line.split()
        results[int(number)] = result
    unsupported, other = set(), []
    for line in stderr.splitlines():
        match = UNSUPPORTED.match(line)
        if match:
            unsupported.add(int(match.group(1)))
        else:
            other.append(line)
    return results, unsupported, other


def served_numbers(arch: str) -> set[int]:
    """The numbers pyqemu's syscall table has a row for."""
    return set(SYSCALL_TABLE) if arch == "x86_64" else set(guest_table(arch))


def compare(arch: str, qemu, pyqemu) -> None:
    assert qemu.returncode == 0, qemu.describe() if hasattr(qemu, "describe") else qemu
    assert pyqemu.returncode == 0, pyqemu.stderr[-2000:]
    q_results, q_unsupported, q_other = parse(qemu.stdout, qemu.stderr)
    p_results, p_unsupported, p_other = parse(pyqemu.stdout, pyqemu.stderr)
    assert sorted(q_results) == sorted(p_results) == list(range(LAST_NR + 1))
    assert p_unsupported == q_unsupported
    assert p_other == q_other
    names = importlib.import_module(f"pyqemu.linux_user.{arch}.syscall_nr").SYSCALL_NAMES
    differing = {names.get(n, str(n)): (q_results[n], p_results[n]) for n in q_results
                 if q_results[n] != p_results[n]}
    assert set(differing) <= set(ACCEPTED), differing
    # a number has no row exactly when qemu does not serve it either; the numbers the
    # probe leaves out (exit, fork, pause, sync...) are all served by qemu
    probed = {n for n, result in q_results.items() if result != "skipped"}
    assert {n for n in names if n not in served_numbers(arch)} == q_unsupported & set(names)
    skipped = set(q_results) - probed
    assert skipped <= served_numbers(arch)
    assert {names[n] for n in skipped} == SKIPPED & set(names.values())
    assert q_unsupported - set(names) == set(range(LAST_NR + 1)) - set(names)
    # the probe reached the calls: most are served, and some of those fail
    assert sum(result == "ok" for result in p_results.values()) > 10
    assert len(q_unsupported) < LAST_NR // 2


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("syscall-probe") / "syscall_probe"
    return compile_guest(GUESTS / "syscall_probe.c", out, "gcc-static")


def test_x86_64_every_number_as_under_qemu(probe: Path) -> None:
    extra = ["-d", "unimp"]
    compare("x86_64", run_qemu([probe], extra=extra), run_pyqemu([probe], extra=extra,
                                                                  timeout=600))


@pytest.mark.parametrize("arch", arch_harness.ARCHES)
def test_generic_abi_every_number_as_under_qemu(arch: str,
                                                tmp_path_factory: pytest.TempPathFactory
                                                ) -> None:
    program = arch_harness.compile_guest(arch, GUESTS / "syscall_probe.c", "static",
                                         tmp_path_factory.mktemp(f"probe-{arch}"))
    qemu = arch_harness.run_qemu(arch, [str(program)], extra=["-d", "unimp"])
    pyqemu = arch_harness.run_pyqemu(arch, [str(program)], extra=["-d", "unimp"])
    compare(arch, qemu, pyqemu)


@pytest.mark.parametrize("flavor", ["gcc-static", "musl-static"])
def test_close_range_as_natively_and_under_qemu(flavor: str, tmp_path: Path) -> None:
    program = compile_guest(GUESTS / "close_range.c", tmp_path / "close_range", flavor)
    native, qemu, pyqemu = run_native([program]), run_qemu([program]), run_pyqemu([program])
    assert (pyqemu.returncode, pyqemu.stdout, pyqemu.stderr) == (
        qemu.returncode, qemu.stdout, qemu.stderr) == (native.returncode, native.stdout, "")
    assert "cloexec 3..6             0         3:cloexec" in pyqemu.stdout
    assert pyqemu.stdout.endswith("3:closed 4:closed 5:closed 6:closed 7:closed\n"
                                  "stdout still works\n")


def test_ipc_and_signal_waits_as_natively_and_under_qemu(tmp_path: Path) -> None:
    """System V IPC (shmat placed in the guest's memory, shared with a forked child),
    rt_sigtimedwait, rt_sigpending and timerfd, used as programs use them."""
    program = compile_guest(GUESTS / "ipc_signals.c", tmp_path / "ipc_signals", "gcc-static")
    native, qemu, pyqemu = run_native([program]), run_qemu([program]), run_pyqemu([program])
    assert (pyqemu.returncode, pyqemu.stdout, pyqemu.stderr) == (
        qemu.returncode, qemu.stdout, qemu.stderr) == (0, native.stdout, "")
    assert "seen shared, size 12388 attached 2" in pyqemu.stdout
    assert "sem: values 0 1, nsems 2 mode 600" in pyqemu.stdout


@pytest.mark.parametrize("arch", arch_harness.ARCHES)
def test_ipc_and_signal_waits_on_generic_abi_guests(arch: str, tmp_path: Path) -> None:
    """The same on aarch64 and riscv64, whose struct semid64_ds is not x86_64's."""
    program = arch_harness.compile_guest(arch, GUESTS / "ipc_signals.c", "static", tmp_path)
    qemu = arch_harness.run_qemu(arch, [str(program)])
    pyqemu = arch_harness.run_pyqemu(arch, [str(program)])
    assert (pyqemu.returncode, pyqemu.stdout, pyqemu.stderr) == (
        qemu.returncode, qemu.stdout, qemu.stderr)
    assert "sem: values 0 1, nsems 2 mode 600, otime set 1\n" in pyqemu.stdout
