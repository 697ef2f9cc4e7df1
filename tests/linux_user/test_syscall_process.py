# SPDX-License-Identifier: GPL-2.0-or-later
"""Process, thread and signal-state syscalls through do_syscall: arch_prctl on a CpuState,
exit/exit_group as GuestExit, set_tid_address, fork/clone in a real child process, execve
of /proc/self/exe, and the guest's sigaction/sigprocmask/sigaltstack tables."""

from __future__ import annotations

import errno
import os
import struct
import subprocess
import sys

import pytest

from pyqemu.linux_user.mmap import GuestMemory
from pyqemu.linux_user.qemu import GuestExit, TaskState
from pyqemu.linux_user.syscall import do_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

PAGE = 4096
ARCH_SET_GS, ARCH_SET_FS, ARCH_GET_FS, ARCH_GET_GS = 0x1001, 0x1002, 0x1003, 0x1004
SIGCHLD, SIGKILL, SIGUSR1 = 17, 9, 10
CLONE_VM, CLONE_VFORK = 0x100, 0x4000
CLONE_SETTLS, CLONE_PARENT_SETTID = 0x80000, 0x100000
CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID = 0x200000, 0x1000000


class FakeCpu:
    """The one fake allowed: a CpuState keeping registers and segment bases in a dict."""

    def __init__(self) -> None:
        self.regs: dict[str, int] = {"rsp": 0x7FFF0000}

    def get_fs_base(self) -> int:
        return self.regs.get("fs_base", 0)

    def set_fs_base(self, value: int) -> None:
        self.regs["fs_base"] = value

    def get_gs_base(self) -> int:
        return self.regs.get("gs_base", 0)

    def set_gs_base(self, value: int) -> None:
        self.regs["gs_base"] = value

    def read_reg(self, name: str) -> int:
        return self.regs.get(name, 0)

    def write_reg(self, name: str, value: int) -> None:
        self.regs[name] = value


@pytest.fixture
def cpu() -> FakeCpu:
    return FakeCpu()


@pytest.fixture
def task(guest_memory: GuestMemory, cpu: FakeCpu) -> TaskState:
    return TaskState(mem=guest_memory, cpu=cpu, exe_path="/bin/echo", log_write=lambda s: None)


def call(task: TaskState, num: int, *args: int) -> int:
    padded = [arg & 0xFFFFFFFFFFFFFFFF for arg in args] + [0] * (6 - len(args))
    return do_syscall(task, num, *padded)


def guest_alloc(task: TaskState, size: int = 2 * PAGE) -> int:
    addr = task.mem.target_mmap(0, size, 3, 0x22, -1, 0)
    assert addr > 0
    return addr


def run_in_child(body: object) -> tuple[int, bytes]:
    """Fork the test process, run body(write_fd) in the child, return (status, its output)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        code = 0
        try:
            body(write_fd)  # type: ignore[operator]
        except BaseException:
            code = 99
        os._exit(code)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 4096):
        chunks.append(chunk)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    return status, b"".join(chunks)


class TestArchPrctl:
    def test_set_and_get_fs_and_gs(self, task: TaskState, cpu: FakeCpu) -> None:
        buf = guest_alloc(task)
        assert call(task, nr.TARGET_NR_arch_prctl, ARCH_SET_FS, 0x12345000) == 0
        assert call(task, nr.TARGET_NR_arch_prctl, ARCH_SET_GS, 0x6789A000) == 0
        assert cpu.get_fs_base() == 0x12345000 and cpu.get_gs_base() == 0x6789A000
        assert call(task, nr.TARGET_NR_arch_prctl, ARCH_GET_FS, buf) == 0
        assert call(task, nr.TARGET_NR_arch_prctl, ARCH_GET_GS, buf + 8) == 0
        assert struct.unpack("<QQ", task.mem.read(buf, 16)) == (0x12345000, 0x6789A000)

    def test_get_into_non_guest_memory_is_efault(self, task: TaskState) -> None:
        holder = bytearray(8)
        assert call(task, nr.TARGET_NR_arch_prctl, ARCH_GET_FS, id(holder)) == -errno.EFAULT

    def test_other_codes_and_kernel_addresses_are_refused(self, task: TaskState,
                                                          cpu: FakeCpu) -> None:
        assert call(task, nr.TARGET_NR_arch_prctl, 0x9999, 0) == -errno.EINVAL
        assert call(task, nr.TARGET_NR_arch_prctl, ARCH_SET_FS, 0xFFFF800000000000) \
            == -errno.EPERM
        assert cpu.get_fs_base() == 0


class TestExitAndTid:
    def test_exit_group_raises_guest_exit(self, task: TaskState) -> None:
        with pytest.raises(GuestExit) as raised:
            call(task, nr.TARGET_NR_exit_group, 3)
        assert raised.value.status == 3 and raised.value.group

    def test_exit_raises_guest_exit_for_one_thread(self, task: TaskState) -> None:
        with pytest.raises(GuestExit) as raised:
            call(task, nr.TARGET_NR_exit, -1)
        assert raised.value.status == -1 and not raised.value.group

    def test_exit_group_is_printed_before_it_raises(self, task: TaskState) -> None:
        lines: list[str] = []
        task.strace, task.log_write = True, lines.append
        with pytest.raises(GuestExit):
            call(task, nr.TARGET_NR_exit_group, 7)
        assert lines == [f"{os.getpid()} exit_group(7)\n"]

    def test_set_tid_address_stores_and_returns_tid(self, task: TaskState) -> None:
        assert call(task, nr.TARGET_NR_set_tid_address, 0x4000001000) == os.getpid()
        assert task.clear_child_tid == 0x4000001000


class TestFork:
    def test_fork_runs_the_child_in_a_copy(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, b"parent")

        def child(write_fd: int) -> None:
            ret = call(task, nr.TARGET_NR_fork)
            if ret == 0:
                task.mem.write(buf, b"child!")
                os._exit(0)
            os.waitpid(ret, 0)
            os.write(write_fd, task.mem.read(buf, 6))

        status, output = run_in_child(child)
        assert os.waitstatus_to_exitcode(status) == 0
        assert output == b"parent"

    def test_clone_sets_child_and_parent_tids_and_tls(self, task: TaskState,
                                                      cpu: FakeCpu) -> None:
        buf = guest_alloc(task)
        flags = CLONE_CHILD_SETTID | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_SETTLS \
            | SIGCHLD

        def child(write_fd: int) -> None:
            ret = call(task, nr.TARGET_NR_clone, flags, 0x5000, buf, buf + 8, 0x7000)
            if ret == 0:
                ids = struct.unpack("<i4xi", task.mem.read(buf, 12))
                report = (os.getpid(), *ids, cpu.get_fs_base(), cpu.read_reg("rsp"),
                          task.clear_child_tid - buf)
                os.write(write_fd, repr(report).encode())
                os._exit(0)
            os.waitpid(ret, 0)
            os.write(write_fd, b"|" + repr((ret, *struct.unpack("<i", task.mem.read(buf, 4)))
                                           ).encode())

        status, output = run_in_child(child)
        assert os.waitstatus_to_exitcode(status) == 0
        child_part, parent_part = output.decode().split("|")
        pid, parent_tid_seen, child_tid_seen, fs_base, rsp, clear_offset = eval(child_part)
        assert parent_tid_seen == child_tid_seen == pid
        assert (fs_base, rsp, clear_offset) == (0x7000, 0x5000, 8)
        assert eval(parent_part) == (pid, pid)

    def test_vfork_style_clone_becomes_a_fork(self, task: TaskState) -> None:
        def child(write_fd: int) -> None:
            ret = call(task, nr.TARGET_NR_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0)
            if ret == 0:
                os._exit(42)
            _, status = os.waitpid(ret, 0)
            os.write(write_fd, str(os.waitstatus_to_exitcode(status)).encode())

        status, output = run_in_child(child)
        assert os.waitstatus_to_exitcode(status) == 0
        assert output == b"42"

    def test_thread_clone_goes_to_the_hook(self, task: TaskState) -> None:
        seen: list[tuple[int, ...]] = []
        task.clone_thread = lambda *args: seen.append(args) or 4321
        flags = 0x3D0F00  # glibc pthread_create's flags
        assert call(task, nr.TARGET_NR_clone, flags, 0x1000, 0x2000, 0x3000, 0x4000) == 4321
        assert seen == [(flags, 0x1000, 0x2000, 0x3000, 0x4000)]

    def test_thread_clone_without_a_hook_is_enosys(self, task: TaskState) -> None:
        assert call(task, nr.TARGET_NR_clone, 0x3D0F00, 0x1000, 0, 0, 0) == -errno.ENOSYS

    def test_clone_vm_without_thread_flags_is_einval(self, task: TaskState) -> None:
        assert call(task, nr.TARGET_NR_clone, CLONE_VM | SIGCHLD, 0, 0, 0, 0) == -errno.EINVAL


class TestExecve:
    def test_execve_of_proc_self_exe_runs_the_guest_program(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf + 256, b"/proc/self/exe\0")
        task.mem.write(buf + 512, b"echo\0")
        task.mem.write(buf + 768, b"from-execve\0")
        task.mem.write(buf, struct.pack("<QQQQ", buf + 512, buf + 768, 0, 0))
        def child(write_fd: int) -> None:
            os.dup2(write_fd, 1)
            ret = call(task, nr.TARGET_NR_execve, buf + 256, buf, buf + 24)
            os.write(2, f"execve returned {ret}\n".encode())

        status, output = run_in_child(child)
        assert os.waitstatus_to_exitcode(status) == 0
        assert output == b"from-execve\n"

    def test_execve_with_argv_outside_guest_memory_is_efault(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, b"/bin/echo\0")
        argv = bytes(16)
        assert call(task, nr.TARGET_NR_execve, buf, id(argv), 0) == -errno.EFAULT

    def test_execve_of_missing_program_is_enoent(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, b"/nonexistent/pyqemu-program\0")
        assert call(task, nr.TARGET_NR_execve, buf, 0, 0) == -errno.ENOENT


class TestSignalState:
    def test_rt_sigaction_stores_and_returns_the_old_action(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        mask = (1 << (SIGKILL - 1)) | (1 << 4)
        task.mem.write(buf, struct.pack("<QQQQ", 0x401000, 0x04000000, 0x402000, mask))
        assert call(task, nr.TARGET_NR_rt_sigaction, SIGUSR1, buf, buf + 64, 8) == 0
        assert task.mem.read(buf + 64, 32) == bytes(32)  # SIG_DFL before
        assert call(task, nr.TARGET_NR_rt_sigaction, SIGUSR1, 0, buf + 128, 8) == 0
        assert struct.unpack("<QQQQ", task.mem.read(buf + 128, 32)) \
            == (0x401000, 0x04000000, 0x402000, mask)  # sa_mask as given, as qemu 7.2 keeps it

    def test_rt_sigaction_rejects_bad_sizes_and_signals(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        assert call(task, nr.TARGET_NR_rt_sigaction, SIGUSR1, 0, buf, 4) == -errno.EINVAL
        assert call(task, nr.TARGET_NR_rt_sigaction, 65, 0, buf, 8) == -errno.EINVAL
        assert call(task, nr.TARGET_NR_rt_sigaction, SIGKILL, buf, 0, 8) == -errno.EINVAL
        assert call(task, nr.TARGET_NR_rt_sigaction, SIGKILL, 0, buf, 8) == 0
        assert call(task, nr.TARGET_NR_rt_sigaction, SIGUSR1, id(buf), 0, 8) == -errno.EFAULT
        assert all(task.get_sigaction(sig).handler == 0 for sig in range(1, 65))

    def test_rt_sigprocmask_block_unblock_setmask(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, struct.pack("<Q", 0b1010 | (1 << (SIGKILL - 1))))
        assert call(task, nr.TARGET_NR_rt_sigprocmask, 0, buf, 0, 8) == 0
        assert task.sigmask == 0b1010
        task.mem.write(buf, struct.pack("<Q", 0b0010))
        assert call(task, nr.TARGET_NR_rt_sigprocmask, 1, buf, buf + 8, 8) == 0
        assert task.sigmask == 0b1000
        assert struct.unpack("<Q", task.mem.read(buf + 8, 8))[0] == 0b1010
        assert call(task, nr.TARGET_NR_rt_sigprocmask, 7, buf, 0, 8) == -errno.EINVAL
        assert call(task, nr.TARGET_NR_rt_sigprocmask, 0, buf, 0, 16) == -errno.EINVAL
        assert task.sigmask == 0b1000

    def test_sigaltstack_set_then_read_back(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        assert call(task, nr.TARGET_NR_sigaltstack, 0, buf) == 0
        assert struct.unpack("<Qi4xQ", task.mem.read(buf, 24)) == (0, 2, 0)  # SS_DISABLE
        task.mem.write(buf, struct.pack("<Qi4xQ", 0x500000, 0, 8192))
        assert call(task, nr.TARGET_NR_sigaltstack, buf, buf + 32) == 0
        assert call(task, nr.TARGET_NR_sigaltstack, 0, buf + 64) == 0
        assert struct.unpack("<Qi4xQ", task.mem.read(buf + 64, 24)) == (0x500000, 0, 8192)
        task.mem.write(buf, struct.pack("<Qi4xQ", 0x600000, 0, 1024))
        assert call(task, nr.TARGET_NR_sigaltstack, buf, 0) == -errno.ENOMEM

    def test_sigaltstack_cannot_change_while_on_it(self, task: TaskState, cpu: FakeCpu) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, struct.pack("<Qi4xQ", 0x500000, 0, 8192))
        assert call(task, nr.TARGET_NR_sigaltstack, buf, 0) == 0
        cpu.write_reg("rsp", 0x501000)
        assert call(task, nr.TARGET_NR_sigaltstack, buf, buf + 32) == -errno.EPERM
        assert call(task, nr.TARGET_NR_sigaltstack, 0, buf + 32) == 0
        assert struct.unpack("<Qi4xQ", task.mem.read(buf + 32, 24)) == (0x500000, 1, 8192)

    def test_rt_sigreturn_calls_the_hook(self, task: TaskState) -> None:
        assert call(task, nr.TARGET_NR_rt_sigreturn) == -errno.ENOSYS
        task.sigreturn = lambda: 1234
        assert call(task, nr.TARGET_NR_rt_sigreturn) == 1234


def test_kill_and_getpid_pass_through(task: TaskState) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert call(task, nr.TARGET_NR_kill, child.pid, 15) == 0
        assert child.wait(timeout=10) == -15
    finally:
        child.kill()
    assert call(task, nr.TARGET_NR_getpid) == os.getpid()
    assert call(task, nr.TARGET_NR_kill, 2**22 + 12345, 0) == -errno.ESRCH
