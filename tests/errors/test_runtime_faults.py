# SPDX-License-Identifier: GPL-2.0-or-later
"""Faults while the guest runs, each compared with qemu-x86_64 7.2: a jump to unmapped
memory, an illegal instruction, a privileged one (in, at CPL 3), a load from a file
mapping's page past the end of the file (SIGBUS), memory exhaustion, a thousand forks,
SIGKILL and SIGTERM from outside (with SIGTERM, pyqemu still writes bb's line and drcov's
file), and pause() waiting for a signal (a pyqemu bug, kept as a strict xfail until it is
fixed).

pyqemu must end with qemu's status and message, never with a Python traceback, and
with a plugin loaded it writes the plugin's atexit output where qemu 7.2 skips it
(a fatal signal), as the error-path table says.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import harness
import pytest
from error_inputs import Workbench
from error_paths import Ending, assert_no_traceback, run_pyqemu, run_qemu_tty

JUMP_TO_UNMAPPED = "int main(void) { ((void (*)(void))0xdead0000UL)(); return 0; }\n"
ILLEGAL_INSTRUCTION = 'int main(void) { __asm__ volatile("ud2"); return 0; }\n'
# lscpu's VMware backdoor probe without a handler: #GP in user mode (engine patch 0027)
PRIVILEGED_INSTRUCTION = ('int main(void) { __asm__ volatile("mov $0x564D5868, %eax\\n'
                          'mov $0x5658, %dx\\nin %dx, %eax"); return 0; }\n')
# two pages of a one-page file: the second page has no file behind it (issue 25)
TOUCH_PAST_EOF = r"""
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    int fd = open(argv[0], O_RDONLY);
    off_t size = lseek(fd, 0, SEEK_END);
    volatile char *p = mmap(0, size + 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p[1] != 'E')   /* the file's own page reads fine */
        return 1;
    return p[(size + 4095) / 4096 * 4096 + 16];
}
"""

# 1 TiB at once, then 1 GiB at a time until the address space runs out; then give one
# back and take it again: each failure must be ENOMEM, and the emulator must go on
MEMORY_EXHAUSTION = r"""
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#define GIB (1UL << 30)
static char *chunks[4096];
int main(void)
{
    int n;
    void *p = mmap(0, 1UL << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("1 TiB: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
    for (n = 0; n < 4096; n++) {
        chunks[n] = mmap(0, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (chunks[n] == MAP_FAILED)
            break;
        chunks[n][0] = 1;
        chunks[n][GIB - 1] = 2;
    }
    printf("1 GiB at a time: %s\n", n < 4096 ? strerror(errno) : "never failed");
    if (n == 0 || munmap(chunks[n - 1], GIB) != 0)
        return 1;
    p = mmap(0, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("after munmap: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
    return 0;
}
"""
MEMORY_EXHAUSTION_OUTPUT = ("1 TiB: Out of memory\n1 GiB at a time: Out of memory\n"
                            "after munmap: mapped\n")
ADDRESS_SPACE_LIMIT = 16 << 30

# every child exits at once; the parent reaps them all
THOUSAND_FORKS = r"""
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#define N 1000
int main(void)
{
    int started = 0, reaped = 0, status;
    for (int i = 0; i < N; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(7);
        if (pid < 0) {
            perror("fork");
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++)
        if (wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7)
            reaped++;
    printf("%d of %d children reaped\n", reaped, N);
    return reaped == N ? 0 : 1;
}
"""

# blocked in nanosleep when the signal comes from outside
SLEEPER = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) { puts("ready"); fflush(stdout); for (;;) sleep(1000); }
"""

# pause() until SIGALRM: returns -1 with EINTR once the handler has run
PAUSE_UNTIL_ALARM = r"""
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }
int main(void)
{
    signal(SIGALRM, on_alarm);
    alarm(1);
    int result = pause();
    printf("pause: %d (%s), %d alarm\n", result, strerror(errno), (int)alarms);
    return 0;
}
"""


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], str]:
    """guest(name, source) -> a static musl program built from source (once)."""
    directory = tmp_path_factory.mktemp("fault-guests")
    built: dict[str, str] = {}

    def build(name: str, source: str) -> str:
        if name not in built:
            src = directory / f"{name}.c"
            src.write_text(source, encoding="utf-8")
            built[name] = str(harness.compile_guest(src, directory / name, "musl-static"))
        return built[name]

    return build


def _bb_lines(ending: Ending) -> list[str]:
    return [line for line in ending.stderr.splitlines() if line.startswith("bb's: ")]


@pytest.mark.parametrize("name,source,sig", [
    ("jump_to_unmapped", JUMP_TO_UNMAPPED, signal.SIGSEGV),
    ("illegal_instruction", ILLEGAL_INSTRUCTION, signal.SIGILL),
    pytest.param("privileged_instruction", PRIVILEGED_INSTRUCTION, signal.SIGSEGV,
                 marks=pytest.mark.patched_engine("user mode (CPL 3): engine patch 0027")),
    ("touch_past_eof", TOUCH_PAST_EOF, signal.SIGBUS),
], ids=["jump_to_unmapped", "illegal_instruction", "privileged_instruction",
        "touch_past_eof"])
def test_fatal_guest_fault_ends_like_qemu(guest, bench: Workbench, name: str, source: str,
                                          sig: signal.Signals) -> None:
    program = guest(name, source)
    options = ["-plugin", str(bench.bb_plugin), "-d", "plugin"]
    qemu = run_qemu_tty([*options, program])
    ours = run_pyqemu([*options, program])
    line = f"PROG: uncaught target signal {int(sig)} ({signal.strsignal(sig)}) - core dumped"
    assert (qemu.returncode, qemu.messages) == (-sig, [line]), qemu.describe()
    assert (ours.returncode, ours.messages) == (-sig, [line]), ours.describe()
    assert_no_traceback(ours)
    # qemu 7.2 re-raises the signal without running atexit; pyqemu runs it first
    assert _bb_lines(qemu) == []
    assert len(_bb_lines(ours)) == 1, ours.describe()


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def test_memory_exhaustion_gives_the_guest_enomem(guest) -> None:
    program = guest("memory_exhaustion", MEMORY_EXHAUSTION)
    qemu = run_qemu_tty([program], preexec=_limit_address_space)
    ours = run_pyqemu([program], preexec=_limit_address_space)
    assert (qemu.returncode, qemu.stdout.replace("\r", "")) == (0, MEMORY_EXHAUSTION_OUTPUT)
    assert (ours.returncode, ours.stdout) == (0, MEMORY_EXHAUSTION_OUTPUT), ours.describe()
    assert_no_traceback(ours)


def test_a_thousand_forks_are_all_reaped(guest) -> None:
    program = guest("thousand_forks", THOUSAND_FORKS)
    qemu = run_qemu_tty([program], timeout=120)
    ours = run_pyqemu([program], timeout=120)
    expected = "1000 of 1000 children reaped\n"
    assert (qemu.returncode, qemu.stdout.replace("\r", "")) == (0, expected), qemu.describe()
    assert (ours.returncode, ours.stdout) == (0, expected), ours.describe()
    assert_no_traceback(ours)


def _killed_after_ready(command: list[str], sig: signal.Signals) -> Ending:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=harness.guest_env(),
                               start_new_session=True)
    assert process.stdout is not None
    try:
        first = process.stdout.readline()
        if first != b"ready\n":
            process.kill()
            _out, err = process.communicate()
            pytest.fail(f"{' '.join(command)}: the guest did not start ({first!r}):\n"
                        f"{err.decode(errors='replace')[-3000:]}")
        time.sleep(0.2)
        os.kill(process.pid, sig)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return Ending(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def test_pause_waits_for_a_signal_like_qemu(guest) -> None:
    program = guest("pause_until_alarm", PAUSE_UNTIL_ALARM)
    qemu = run_qemu_tty([program])
    ours = run_pyqemu([program])
    expected = "pause: -1 (Interrupted system call), 1 alarm\n"
    assert (qemu.returncode, qemu.stdout.replace("\r", "")) == (0, expected), qemu.describe()
    assert (ours.returncode, ours.stdout) == (0, expected), ours.describe()


def test_sigkill_from_outside_ends_like_qemu(guest) -> None:
    program = guest("sleeper", SLEEPER)
    qemu_path = harness.qemu_path()
    harness.require_pyqemu()
    qemu = _killed_after_ready([qemu_path, program], signal.SIGKILL)
    ours = _killed_after_ready([*harness.pyqemu_command(), program], signal.SIGKILL)
    assert qemu.returncode == ours.returncode == -signal.SIGKILL
    assert ours.stderr == qemu.stderr == "", ours.describe()


def test_sigterm_from_outside_ends_like_qemu(guest, bench: Workbench, plugin_lib,
                                             tmp_path: Path) -> None:
    """qemu 7.2 dies of SIGTERM at once, its plugins' atexit skipped; pyqemu dies of it
    too, after the atexit callbacks: bb's line, and drcov's file, are written."""
    program = guest("sleeper", SLEEPER)
    harness.require_pyqemu()
    coverage = {name: tmp_path / f"{name}.drcov" for name in ("qemu", "pyqemu")}

    def options(name: str) -> list[str]:
        drcov = harness.plugin_spec(plugin_lib("drcov"), f"filename={coverage[name]}")
        return ["-d", "plugin", "-plugin", str(bench.bb_plugin), "-plugin", drcov]

    qemu = _killed_after_ready([harness.qemu_path(), *options("qemu"), program],
                               signal.SIGTERM)
    ours = _killed_after_ready([*harness.pyqemu_command(), *options("pyqemu"), program],
                               signal.SIGTERM)
    assert qemu.returncode == ours.returncode == -signal.SIGTERM
    assert (qemu.messages, ours.messages) == ([], []), ours.describe()
    assert_no_traceback(ours)
    assert _bb_lines(qemu) == [] and not coverage["qemu"].exists(), qemu.describe()
    assert len(_bb_lines(ours)) == 1, ours.describe()
    written = coverage["pyqemu"].read_bytes()
    assert written.startswith(b"DRCOV VERSION: 2\n") and program.encode() in written
    assert b"BB Table: 0 bbs" not in written


def test_table_names_the_runtime_rows() -> None:
    doc = Path(__file__).resolve().parents[2] / "README.md"
    table = doc.read_text(encoding="utf-8")
    for row in ("jump to unmapped memory", "illegal instruction", "1 TiB", "1000 children",
                "SIGKILL", "SIGTERM", "`pause()`"):
        assert row in table, row
