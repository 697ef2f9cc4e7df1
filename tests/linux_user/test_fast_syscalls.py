# SPDX-License-Identifier: GPL-2.0-or-later
"""Pass-through syscalls served in C (issue 19; pyqemu/host/syscall.c): what the guest,
-strace and a plugin's syscall callbacks see stays qemu-x86_64 7.2's, and the C path is
really taken.

tests/linux_user/guests/fast_syscalls.c runs the benchmark's loop (getppid, write to
/dev/null, lseek, clock_gettime; here with a writev and a futex wake) with a kill() of
itself in the middle, whose handler makes syscalls of the same kinds, then calls the C
path must hand to Python (buffers without the rights the call needs, NULL pointers).
Compared with qemu: its stdout (every result), the syscall plugin's log
(tests/plugin/syscall.c: each call and result, in order) and the -strace lines.  A driver
that counts the calls reaching Python's do_syscall shows which ones the C host served.
tests/linux_user/guests/fast_plain_syscalls.c does the same for the plainly-typed calls,
and guests/fast_signal_state.c for rt_sigprocmask and rt_sigaction (the state C and Python
share), with a signal queued while blocked, an action installed and used, and the cases
Python answers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from harness import compile_guest, guest_env, run_pyqemu, run_qemu

from pyqemu.linux_user.x86_64 import syscall_nr as nr

GUEST = Path(__file__).resolve().parent / "guests" / "fast_syscalls.c"
ROUNDS = 20  # the guest's ROUNDS
#: calls whose result is this process's pid or tid, which differs between two runs
PID_RESULTS = {nr.TARGET_NR_getpid, nr.TARGET_NR_gettid, nr.TARGET_NR_set_tid_address}
PLUGIN_RET = re.compile(r"^syscall (\d+) ret (-?\d+)$")


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fast") / "fast_syscalls"
    return compile_guest(GUEST, out, "musl-static")


def plugin_log(stderr: str) -> list[str]:
    """The syscall plugin's log with pid and tid results replaced by PID."""
    lines = []
    for line in stderr.splitlines():
        match = PLUGIN_RET.match(line)
        if match and int(match.group(1)) in PID_RESULTS:
            line = f"syscall {match.group(1)} ret PID"
        lines.append(line)
    return lines


def test_results_and_plugin_syscall_sequence_are_qemus(guest: Path, plugin_lib) -> None:
    plugin = str(plugin_lib("syscall"))
    qemu = run_qemu([guest], plugins=[plugin], extra=["-d", "plugin"])
    pyqemu = run_pyqemu([guest], plugins=[plugin], extra=["-d", "plugin"])
    assert qemu.returncode == 0, qemu.describe()
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert "handled 1\n" in qemu.stdout
    assert pyqemu.stdout == qemu.stdout
    q_log, p_log = plugin_log(qemu.stderr), plugin_log(pyqemu.stderr)
    # the loop is in it, in order: each call followed by its result
    assert q_log.count(f"syscall {nr.TARGET_NR_getppid}") == ROUNDS
    assert p_log == q_log


TIME_VALUES = re.compile(r"tv_(n?sec) = \d+")
POINTER = re.compile(r"0x[0-9a-f]{16}")
SIGRETURN_ARGS = re.compile(r"^rt_sigreturn\(.*\) = ")


# tests/plugin/syscall.c's log, from a Python plugin: its callbacks are cffi callbacks
# that the C host calls, on the C path as on the Python one
PYTHON_SYSCALL_PLUGIN = """
from pyqemu.plugins import api

log = []


def qemu_plugin_install(plugin_id, info, args):
    def on_syscall(_pid, _vcpu, num, *_args):
        log.append(f"syscall {num}")

    def on_ret(_pid, _vcpu, num, ret):
        log.append(f"syscall {num} ret {ret}")

    def on_exit(_pid, _udata):
        calls = sum(not line.count(" ret ") for line in log)
        api.outs("".join(line + "\\n" for line in log) + f"syscalls: {calls}\\n")

    api.register_vcpu_syscall_cb(plugin_id, on_syscall)
    api.register_vcpu_syscall_ret_cb(plugin_id, on_ret)
    api.register_atexit_cb(plugin_id, on_exit, None)
    return 0
"""


def test_a_python_plugins_syscall_callbacks_see_qemus_sequence(guest: Path, tmp_path: Path,
                                                                plugin_lib) -> None:
    plugin = tmp_path / "pysyscall.py"
    plugin.write_text(PYTHON_SYSCALL_PLUGIN)
    qemu = run_qemu([guest], plugins=[str(plugin_lib("syscall"))], extra=["-d", "plugin"])
    pyqemu = run_pyqemu([guest], plugins=[str(plugin)], extra=["-d", "plugin"])
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert pyqemu.stdout == qemu.stdout
    q_log = plugin_log(qemu.stderr)
    assert q_log.count(f"syscall {nr.TARGET_NR_lseek}") == ROUNDS + 1
    assert plugin_log(pyqemu.stderr) == q_log
    # and the loop was served in C meanwhile
    calls, fast, _ = python_calls(tmp_path, ["-plugin", str(plugin), str(guest)])
    assert calls[nr.TARGET_NR_getppid] == 0 and fast >= 4 * ROUNDS


def test_a_signal_interrupting_a_blocked_read_in_c_is_qemus(guest: Path, tmp_path: Path,
                                                            plugin_lib) -> None:
    """read() on an empty pipe, served in C, blocks until the guest's SIGALRM (a host
    signal, caught by the host's handler) interrupts it: -EINTR, the handler's calls
    after read's result, as under qemu."""
    plugin = str(plugin_lib("syscall"))
    qemu = run_qemu([guest, "eintr"], plugins=[plugin], extra=["-d", "plugin"])
    pyqemu = run_pyqemu([guest, "eintr"], plugins=[plugin], extra=["-d", "plugin"])
    assert qemu.stdout == "blocked read -4\nhandled 1\n", qemu.describe()
    assert pyqemu.stdout == qemu.stdout, pyqemu.describe()
    assert f"syscall {nr.TARGET_NR_read} ret -4" in plugin_log(qemu.stderr)
    assert plugin_log(pyqemu.stderr) == plugin_log(qemu.stderr)
    calls, fast, _ = python_calls(tmp_path, [str(guest), "eintr"])
    assert calls[nr.TARGET_NR_read] == 0 and fast >= 1


def strace_lines(stderr: str) -> list[str]:
    """-strace lines with the process's pid (each line's first word, a signal's sender)
    replaced by PID and the clock's readings by their field names.

    Inside the signal handler (from the ``--- SIG`` line to rt_sigreturn) pointers read
    ADDR and rt_sigreturn's register arguments REGS: qemu 7.2 puts the handler's frame
    0x838 bytes lower on the stack than pyqemu's signal layer does (a difference of the
    signal frame, not of the syscall path; both run the handler at the same point).
    """
    lines, in_handler = [], False
    for line in stderr.splitlines():
        pid, _, rest = line.partition(" ")
        line = re.sub(rf"\b{pid}\b", "PID", rest) if pid.isdigit() else line
        line = re.sub(r"si_pid=\d+", "si_pid=PID", TIME_VALUES.sub(r"tv_\1", line))
        in_handler = in_handler or line.startswith("--- SIG")
        if in_handler:
            line = SIGRETURN_ARGS.sub("rt_sigreturn(REGS) = ", POINTER.sub("ADDR", line))
            in_handler = not line.startswith("rt_sigreturn")
        lines.append(line)
    return lines


def test_strace_lines_are_qemus(guest: Path) -> None:
    qemu = run_qemu([guest], extra=["-strace"])
    pyqemu = run_pyqemu([guest], extra=["-strace"])
    assert qemu.returncode == 0 and pyqemu.returncode == 0, pyqemu.describe()
    q_lines = strace_lines(qemu.stderr)
    assert sum(line.startswith("getppid()") for line in q_lines) == ROUNDS
    assert any(line.startswith("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER")
               for line in q_lines)
    assert strace_lines(pyqemu.stderr) == q_lines
    assert pyqemu.stdout == qemu.stdout


# Runs pyqemu's command line in this process with do_syscall counted; at exit_group it
# writes the numbers Python saw and the C host's count of calls it served.
DRIVER = """
import sys
from pyqemu.host import lib
from pyqemu.linux_user import cpu_loop, main

seen = []
real = cpu_loop.do_syscall

def counting(task, num, *args):
    seen.append(num & 0xFFFFFFFF)
    if num == 231:
        with open(sys.argv[1], "w") as f:
            f.write(repr((seen, lib.syscall_fast_count())))
    return real(task, num, *args)

cpu_loop.do_syscall = counting
sys.exit(main.main(["pyqemu-x86_64", *sys.argv[2:]]))
"""


def python_calls(tmp_path: Path, argv: list[str]) -> tuple[Counter[int], int, str]:
    """(syscall number -> calls Python served, calls C served, guest stdout)."""
    out = tmp_path / "calls"
    # on the stock engine the wheel's library is mapped first, as harness.python_module_command
    driver = ("import unicorn\n" if os.environ.get("PYQEMU_ENGINE", "").strip() == "stock"
              else "") + DRIVER
    run = subprocess.run([sys.executable, "-c", driver, str(out), *argv], env=guest_env(),
                         capture_output=True, text=True, timeout=300, check=False,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    seen, fast = eval(out.read_text())  # noqa: S307 - our own repr of a list and an int
    return Counter(seen), fast, run.stdout


def test_the_loop_is_served_in_c(guest: Path, tmp_path: Path, plugin_lib) -> None:
    # with a C plugin's syscall callbacks too: they are called from C on both paths
    calls, fast, stdout = python_calls(
        tmp_path, ["-plugin", str(plugin_lib("syscall")), str(guest)])
    assert "handled 1\n" in stdout
    # the loop's calls never reach Python ...
    assert calls[nr.TARGET_NR_getppid] == 0
    assert calls[nr.TARGET_NR_lseek] == 0
    # ... but those the C host cannot check pass on: the unmapped write() buffer, the
    # read() into a read-only page, clock_gettime's NULL and read-only timespec
    assert calls[nr.TARGET_NR_write] == 1
    assert calls[nr.TARGET_NR_read] == 1
    assert calls[nr.TARGET_NR_clock_gettime] == 2
    # writev's unmapped buffer and negative count; the unaligned futex word
    assert calls[nr.TARGET_NR_writev] == 2
    assert calls[nr.TARGET_NR_futex] == 1
    assert calls[nr.TARGET_NR_readv] == 0
    # kill, and what has no row in the C table, stay in Python; the handler's
    # rt_sigaction is served in C (syscall-signal.c)
    assert calls[nr.TARGET_NR_kill] == 1 and calls[nr.TARGET_NR_rt_sigreturn] == 1
    assert calls[nr.TARGET_NR_rt_sigaction] == 0
    assert fast >= 4 * ROUNDS


def test_strace_sends_every_call_to_python(guest: Path, tmp_path: Path) -> None:
    calls, fast, _ = python_calls(tmp_path, ["-strace", str(guest)])
    assert fast == 0
    assert calls[nr.TARGET_NR_getppid] == ROUNDS
    assert calls[nr.TARGET_NR_lseek] == ROUNDS + 1



def _walk_access_ok(regions: list, start: int, size: int, write: bool) -> bool:
    """access_ok by a walk of the region list, as the kernel's VMA walk answers it."""
    if size == 0:
        return True
    need, cursor = (2 if write else 1), start
    for region in regions:
        if region.end <= cursor or region.start >= start + size:
            continue
        if region.start > cursor or not region.prot & need:
            return False
        cursor = region.end
    return cursor >= start + size


def test_the_c_rights_check_answers_as_the_region_list(guest_memory) -> None:
    """Random mmap, mprotect, munmap and mremap over a few pages: after each, the C
    host's check of guest buffers (mmap.c's list, which syscall.c's table asks) gives
    the answer a walk of the regions gives, for every range of up to three pages, read
    and write."""
    import random

    page = 4096
    mem = guest_memory
    base = mem.target_mmap(0, 16 * page, 0, 0x22, -1, 0)  # a reserved stretch
    assert base > 0
    mem.make_current()
    rng = random.Random(19)
    for _ in range(150):
        at = base + rng.randrange(16) * page
        length = rng.randrange(1, 4) * page
        length = min(length, base + 16 * page - at)
        op = rng.randrange(4)
        if op == 0:
            mem.target_mmap(at, length, rng.randrange(8), 0x22 | 0x10, -1, 0)
        elif op == 1:
            mem.target_mprotect(at, length, rng.randrange(8))
        elif op == 2:
            mem.target_munmap(at, length)
        else:
            mem.target_mmap(at, length, rng.choice((1, 3, 2, 4)), 0x22 | 0x10, -1, 0)
        regions = mem.regions()
        for start in range(base - page, base + 17 * page, page // 2):
            for size in (0, 1, page, 3 * page - 1):
                for write in (False, True):
                    assert mem.access_ok(start, size, write) == \
                        _walk_access_ok(regions, start, size, write), (hex(start), size, write)


# --- the plainly-typed calls (syscall.c's syscall_fast_plain) ---

PLAIN_GUEST = Path(__file__).resolve().parent / "guests" / "fast_plain_syscalls.c"
PLAIN_REPEAT = 3  # the guest's REPEAT
#: calls the C host serves in every case the guest makes
PLAIN_IN_C = ("lstat", "newfstatat", "access", "faccessat", "readlinkat", "open", "chdir",
              "fchdir", "getdents", "dup", "dup2", "dup3", "pipe", "sysinfo", "getrusage",
              "getrlimit", "sched_yield", "nanosleep", "socket", "close", "openat", "lgetxattr",
              "fgetxattr", "llistxattr", "flistxattr")
#: calls it leaves to Python in the guest's python_calls(): how many of each
PLAIN_IN_PYTHON = {"stat": 5, "statx": 1, "readlink": 2, "wait4": 1, "getcwd": 1,
                   "getdents64": 1, "pipe2": 1, "fcntl": 2, "ioctl": 2, "uname": 1,
                   "prlimit64": 1, "ppoll": 1, "poll": 1, "select": 1, "kill": 1, "getxattr": 1,
                   "listxattr": 1}


@pytest.fixture(scope="module")
def plain_guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "fast_plain_syscalls"
    return compile_guest(PLAIN_GUEST, out, "musl-static")


def test_plain_calls_results_and_plugin_sequence_are_qemus(plain_guest: Path, tmp_path: Path,
                                                           plugin_lib) -> None:
    plugin = str(plugin_lib("syscall"))
    runs = []
    for name, run in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        work = tmp_path / name
        work.mkdir()
        runs.append(run([plain_guest, work], plugins=[plugin], extra=["-d", "plugin"]))
    qemu, pyqemu = runs
    assert qemu.returncode == 0, qemu.describe()
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert "readlink 11\n  text [/etc/passwd]\n" in qemu.stdout
    assert "stat too long -36\n" in qemu.stdout
    assert pyqemu.stdout == qemu.stdout
    q_log = plugin_log(qemu.stderr)
    assert q_log.count(f"syscall {nr.TARGET_NR_newfstatat}") == 3 * PLAIN_REPEAT
    assert plugin_log(pyqemu.stderr) == q_log


def test_plain_calls_strace_lines_are_qemus(plain_guest: Path, tmp_path: Path) -> None:
    runs = []
    for name, run in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        work = tmp_path / name
        work.mkdir()
        runs.append(run([plain_guest, work], extra=["-strace"]))
    qemu, pyqemu = runs
    assert qemu.returncode == 0 and pyqemu.returncode == 0, pyqemu.describe()
    q_lines = [line.replace(str(tmp_path / "qemu"), "DIR") for line in strace_lines(qemu.stderr)]
    p_lines = [line.replace(str(tmp_path / "pyqemu"), "DIR")
               for line in strace_lines(pyqemu.stderr)]
    assert sum(line.startswith("getdents64(") for line in q_lines) == 2 * PLAIN_REPEAT + 1
    assert p_lines == q_lines
    assert pyqemu.stdout == qemu.stdout


def test_plain_calls_are_served_in_c(plain_guest: Path, tmp_path: Path, plugin_lib) -> None:
    work = tmp_path / "work"
    work.mkdir()
    calls, fast, stdout = python_calls(
        tmp_path, ["-plugin", str(plugin_lib("syscall")), str(plain_guest), str(work)])
    assert "getdents64 1\n" in stdout and "select ro -14\n" in stdout
    for name in PLAIN_IN_C:
        assert calls[getattr(nr, f"TARGET_NR_{name}")] == 0, name
    for name, count in PLAIN_IN_PYTHON.items():
        assert calls[getattr(nr, f"TARGET_NR_{name}")] == count, name
    assert fast >= PLAIN_REPEAT * 70


def test_a_path_under_an_ld_prefix_stays_in_python(plain_guest: Path, tmp_path: Path) -> None:
    """With -L, Python's path() may redirect an absolute path: no path call is served in C."""
    work = tmp_path / "work"
    work.mkdir()
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    calls, fast, stdout = python_calls(tmp_path, ["-L", str(prefix), str(plain_guest),
                                                  str(work)])
    assert "stat 0\n" in stdout
    assert calls[nr.TARGET_NR_lstat] == PLAIN_REPEAT
    assert calls[nr.TARGET_NR_access] == 2 * PLAIN_REPEAT
    assert calls[nr.TARGET_NR_getrusage] == 0 and fast > 0


# --- rt_sigprocmask and rt_sigaction (syscall-signal.c): state shared with Python ---

SIGMASK_GUEST = Path(__file__).resolve().parent / "guests" / "fast_signal_state.c"
SIGMASK_ROUNDS = 50  # the guest's ROUNDS


@pytest.fixture(scope="module")
def sigmask_guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sigmask") / "fast_signal_state"
    return compile_guest(SIGMASK_GUEST, out, "musl-static")


def test_signal_state_results_and_plugin_sequence_are_qemus(sigmask_guest: Path,
                                                            plugin_lib) -> None:
    plugin = str(plugin_lib("syscall"))
    qemu = run_qemu([sigmask_guest], plugins=[plugin], extra=["-d", "plugin"])
    pyqemu = run_pyqemu([sigmask_guest], plugins=[plugin], extra=["-d", "plugin"])
    assert qemu.returncode == 0, qemu.describe()
    assert pyqemu.returncode == 0, pyqemu.describe()
    # the blocked signal waits, and runs as the mask lets it go
    assert "block again 0 old 200 handled 0\nunblock 0 old 200 handled 1\n" in qemu.stdout
    assert "usr2 handled 1\n" in qemu.stdout
    assert pyqemu.stdout == qemu.stdout
    q_log = plugin_log(qemu.stderr)
    assert q_log.count(f"syscall {nr.TARGET_NR_rt_sigprocmask}") >= 2 * SIGMASK_ROUNDS
    assert q_log.count(f"syscall {nr.TARGET_NR_rt_sigaction}") >= 2 * SIGMASK_ROUNDS
    assert plugin_log(pyqemu.stderr) == q_log


def test_signal_state_strace_lines_are_qemus(sigmask_guest: Path) -> None:
    qemu = run_qemu([sigmask_guest], extra=["-strace"])
    pyqemu = run_pyqemu([sigmask_guest], extra=["-strace"])
    assert qemu.returncode == 0 and pyqemu.returncode == 0, pyqemu.describe()
    q_lines = strace_lines(qemu.stderr)
    assert sum(line.startswith("--- SIGUSR1") for line in q_lines) == 2
    assert sum(line.startswith("--- SIGUSR2") for line in q_lines) == 1
    assert strace_lines(pyqemu.stderr) == q_lines
    assert pyqemu.stdout == qemu.stdout


def test_signal_state_is_served_in_c(sigmask_guest: Path, tmp_path: Path, plugin_lib) -> None:
    calls, fast, stdout = python_calls(
        tmp_path, ["-plugin", str(plugin_lib("syscall")), str(sigmask_guest)])
    assert "unblock 0 old 200 handled 1\n" in stdout
    # Python serves only the two unblocks of a queued signal, the bad how and size, the
    # unreadable set and the read-only old set; every other call (the rounds) is C's
    assert calls[nr.TARGET_NR_rt_sigprocmask] == 6
    # and of rt_sigaction: signals 65 and 0, the bad size, an action for SIGKILL, the
    # unreadable act and the read-only oldact
    assert calls[nr.TARGET_NR_rt_sigaction] == 6
    assert fast >= 4 * SIGMASK_ROUNDS


# --- futex waits, set_robust_list and execve (process.py's calls served in C) ---

PROCESS_GUEST = Path(__file__).resolve().parent / "guests" / "fast_process_syscalls.c"
RUN_OF_X = re.compile("x{64,}")


@pytest.fixture(scope="module")
def process_guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("process") / "fast_process_syscalls"
    return compile_guest(PROCESS_GUEST, out, "musl-static")


def test_process_calls_results_and_plugin_sequence_are_qemus(process_guest: Path,
                                                             plugin_lib) -> None:
    plugin = str(plugin_lib("syscall"))
    qemu = run_qemu([process_guest], plugins=[plugin], extra=["-d", "plugin"])
    pyqemu = run_pyqemu([process_guest], plugins=[plugin], extra=["-d", "plugin"])
    assert qemu.returncode == 0, qemu.describe()
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert "futex wait timeout 0 -110\n" in qemu.stdout
    assert "execve string over MAX_ARG_STRLEN -7\n" in qemu.stdout
    assert pyqemu.stdout == qemu.stdout
    q_log = plugin_log(qemu.stderr)
    assert q_log.count(f"syscall {nr.TARGET_NR_futex}") == 7
    assert plugin_log(pyqemu.stderr) == q_log


@pytest.mark.parametrize("mode", ["", "futex-commands"])
def test_process_calls_strace_lines_are_qemus(process_guest: Path, mode: str) -> None:
    """-strace of the calls, and of every futex command (a timeout printed as a struct
    where 7.2 prints one; the priority-inheritance ones run as under qemu)."""
    argv = [process_guest, mode] if mode else [process_guest]
    qemu = run_qemu(argv, extra=["-strace"])
    pyqemu = run_pyqemu(argv, extra=["-strace"])
    assert qemu.returncode == 0 and pyqemu.returncode == 0, pyqemu.describe()
    # the string over MAX_ARG_STRLEN as its length, so that a difference stays readable
    q_lines, p_lines = ([RUN_OF_X.sub(lambda m: f"x*{len(m.group())}", line)
                         for line in strace_lines(run.stderr)] for run in (qemu, pyqemu))
    q_text = "\n".join(q_lines)
    if mode:
        assert "FUTEX_LOCK_PI,5,{tv_sec,tv_nsec},NULL,0) = 0\n" in q_text
        assert "futex command 6 0\n  word owned 0\n" in qemu.stdout
    else:
        assert sum(line.startswith("execve(") for line in q_lines) == 3
        assert 'execve("/bin/true",{"x*131072",NULL}) = -1 errno=7' in q_text
    assert p_lines == q_lines
    assert pyqemu.stdout == qemu.stdout


def test_process_calls_are_served_in_c(process_guest: Path, tmp_path: Path,
                                       plugin_lib) -> None:
    calls, fast, stdout = python_calls(
        tmp_path, ["-plugin", str(plugin_lib("syscall")), str(process_guest)])
    assert "futex wait other value -11\n" in stdout
    # the empty bitset, the unaligned word and the unmapped timeout are Python's; the
    # three waits the kernel answers, and the two robust-list calls, C's
    assert calls[nr.TARGET_NR_futex] == 3
    assert calls[nr.TARGET_NR_set_robust_list] == calls[nr.TARGET_NR_get_robust_list] == 0
    # the unmapped argv and the string over MAX_ARG_STRLEN; the missing file is C's
    assert calls[nr.TARGET_NR_execve] == 2
    assert fast >= 6


@pytest.mark.parametrize("path", ["c", "python"])
def test_execve_of_strings_longer_than_path_max_is_qemus(process_guest: Path,
                                                         path: str) -> None:
    """An argument and an environment string longer than PATH_MAX reach the new program
    under qemu and on both of pyqemu's paths (-strace sends execve to Python, which once
    answered ENAMETOOLONG)."""
    extra = ["-strace"] if path == "python" else []
    qemu = run_qemu([process_guest, "exec-long"], extra=extra)
    pyqemu = run_pyqemu([process_guest, "exec-long"], extra=extra)
    assert (qemu.returncode, qemu.stdout) == (0, "10000 20000\n"), qemu.describe()
    assert (pyqemu.returncode, pyqemu.stdout) == (0, qemu.stdout), pyqemu.describe()


# --- blocking calls with two threads (the vCPUs run at once) ---

THREAD_GUEST = Path(__file__).resolve().parent / "guests" / "fast_thread_syscalls.c"
HANDOFF = Path(__file__).resolve().parents[2] / "benchmarks" / "handoff.c"
HANDOFF_ROUNDS = 200
STOCK_ENGINE = os.environ.get("PYQEMU_ENGINE", "").strip() == "stock"


@pytest.fixture(scope="module")
def thread_guests(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the read/mmap guest, benchmarks/handoff.c: two threads taking turns on a
    condition variable)."""
    out = tmp_path_factory.mktemp("thread")
    return (compile_guest(THREAD_GUEST, out / "fast_thread_syscalls", "musl-static",
                          ["-pthread"]),
            compile_guest(HANDOFF, out / "handoff", "musl-static", ["-pthread"]))


def test_thread_calls_results_are_qemus(thread_guests: tuple[Path, Path]) -> None:
    for argv in ([thread_guests[0]], [thread_guests[1], str(HANDOFF_ROUNDS)]):
        qemu = run_qemu(argv)
        pyqemu = run_pyqemu(argv)
        assert qemu.returncode == 0, qemu.describe()
        assert ('read 18 "after the mappings"\n' in qemu.stdout
                or f"handoffs={2 * HANDOFF_ROUNDS}\n" in qemu.stdout), qemu.stdout
        assert (pyqemu.returncode, pyqemu.stdout) == (0, qemu.stdout), pyqemu.describe()


def test_blocking_calls_of_two_threads_are_served_in_c(thread_guests: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    """With two vCPUs running at once, futex waits, read, poll and close stay in C, and
    the mmap/munmap calls Python serves in an exclusive section while the other thread
    is blocked in its read() in C neither wait for it nor let it run guest code (before,
    blocking calls went to Python whenever a second vCPU existed, and without the C
    host's section in Python's the guest hangs). On the stock engine the vCPUs take
    turns, and a vCPU blocked in C would keep the turn: they stay Python's there."""
    calls, fast, stdout = python_calls(tmp_path, [str(thread_guests[0])])
    assert stdout.endswith('read 18 "after the mappings"\npoll 0 revents 0\nclose 0\n'
                           'joined\n'), stdout
    assert calls[nr.TARGET_NR_mmap] >= 40 and calls[nr.TARGET_NR_munmap] >= 40
    handoff_calls, handoff_fast, _ = python_calls(
        tmp_path, [str(thread_guests[1]), str(HANDOFF_ROUNDS)])
    if STOCK_ENGINE:
        assert calls[nr.TARGET_NR_read] == 1 and calls[nr.TARGET_NR_poll] == 1
        assert handoff_calls[nr.TARGET_NR_futex] > HANDOFF_ROUNDS // 10
        return
    assert calls[nr.TARGET_NR_read] == calls[nr.TARGET_NR_poll] == 0
    assert calls[nr.TARGET_NR_close] == 0
    # futex calls left to Python: at most the thread's start and exit (clone's child
    # tid), none of the handoffs' waits
    assert handoff_calls[nr.TARGET_NR_futex] < HANDOFF_ROUNDS // 10
    assert handoff_fast >= HANDOFF_ROUNDS
