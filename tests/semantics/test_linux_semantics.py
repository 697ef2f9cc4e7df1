# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 26, Linux side: the syscalls and signal paths that QEMU's linux-test and signals
tests lean on, compared line by line with a native run and with qemu-x86_64 7.2.

linuxapi.c covers interval and POSIX timers (SIGEV_SIGNAL with a value, the NULL sigevent,
an id that is gone), sigaltstack, the mask a handler changes being restored by sigreturn,
sigpending/sigtimedwait/sigqueue, a caught SIGSEGV, pipes with select/poll, dup/dup2/dup3,
TCP on loopback with a forked client, socketpair, utime/utimes/futimesat, System V shared
memory, the sched_* calls, pthread_kill/tgkill and the clocks.  Before, timer_create,
rt_sigtimedwait, shmget, utime and others answered ENOSYS (issue 26: signals.c:124,
linux-test.c:521), and siginfo lost the sender's value.
"""

from __future__ import annotations

from harness import run_native, run_pyqemu, run_qemu, strip_qemu_noise


def test_linuxapi_matches_native_and_qemu(semantics_guest) -> None:
    prog = semantics_guest("linuxapi")
    native = run_native([prog])
    qemu = run_qemu([prog])
    pyqemu = run_pyqemu([prog])
    assert native.returncode == 0, native.describe()
    assert native.stdout.endswith("done\n")
    assert qemu.returncode == 0 and qemu.stdout == native.stdout, qemu.describe()
    assert strip_qemu_noise(qemu.stderr) == ""
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert pyqemu.stdout == qemu.stdout


def test_signal_to_spinning_thread(semantics_guest) -> None:
    """pthread_kill to a thread spinning until its handler runs, 20 times over.

    Hung before: the next vCPU in line slept in an untimed wait while the spinning one kept
    the turn, a signal that came while no vCPU was in guest code stopped none, and a kick's
    stop landing before a run began ended the guest with SIGSEGV.
    """
    prog = semantics_guest("thread_signal")
    expected = run_qemu([prog])
    assert expected.stdout == "thread signal 1\n", expected.describe()
    for _ in range(3):
        result = run_pyqemu([prog], timeout=60)
        assert (result.returncode, result.stdout) == (0, expected.stdout), result.describe()


def test_vsyscall_page(semantics_guest) -> None:
    """qemu-x86_64 7.2 emulates the three vsyscall entries, as the kernel's
    vsyscall=emulate; another entry, or a pointer that faults, is SIGSEGV (caught, with
    an argument). Before, pyqemu killed the guest with SIGSEGV at the first call."""
    prog = semantics_guest("vsyscall")
    for argv in ([prog], [prog, "catch"]):
        native = run_native(argv)
        qemu = run_qemu(argv)
        pyqemu = run_pyqemu(argv)
        assert "gettimeofday 0 close 1\n" in qemu.stdout, qemu.describe()
        assert (qemu.returncode, qemu.stdout) == (native.returncode, native.stdout)
        assert (pyqemu.returncode, pyqemu.stdout) == (qemu.returncode, qemu.stdout), \
            pyqemu.describe()


def test_pagesize_option_as_qemu(semantics_guest) -> None:
    """-p / QEMU_PAGESIZE: qemu-x86_64 7.2 reads the value with atoi and wants a power of
    two, else "page size must be a power of two" and status 1. Was an unknown option."""
    prog = semantics_guest("thread_signal")
    for value in ("4096", "8192", "65536", "1234", "0", "abc", "-4096", " 16x"):
        qemu = run_qemu([prog], extra=["-p", value])
        pyqemu = run_pyqemu([prog], extra=["-p", value])
        expected = (qemu.returncode, qemu.stdout, strip_qemu_noise(qemu.stderr))
        assert (pyqemu.returncode, pyqemu.stdout, pyqemu.stderr) == expected, value
    env_qemu = run_qemu([prog], env={"QEMU_PAGESIZE": "1234"})
    env_pyqemu = run_pyqemu([prog], env={"QEMU_PAGESIZE": "1234"})
    assert env_qemu.returncode == 1 and env_qemu.stderr == "page size must be a power of two\n"
    assert (env_pyqemu.returncode, env_pyqemu.stderr) == (env_qemu.returncode, env_qemu.stderr)


def test_threads_mapping_code_and_cross_page_chains(semantics_guest) -> None:
    """vma-pthread and tb-link style guests (issue 26: both hung): four threads map, run
    and unmap code pages at once; 63 two-instruction blocks each jump to the next page."""
    for name in ("vma_threads", "tb_link"):
        prog = semantics_guest(name)
        qemu = run_qemu([prog])
        assert qemu.returncode == 0 and qemu.stdout.startswith("total "), qemu.describe()
        for _ in range(2):
            result = run_pyqemu([prog], timeout=120)
            assert (result.returncode, result.stdout) == (0, qemu.stdout), result.describe()
