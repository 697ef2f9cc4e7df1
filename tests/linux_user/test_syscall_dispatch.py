# SPDX-License-Identifier: GPL-2.0-or-later
"""do_syscall against the real host kernel and a real GuestMemory: pass-through I/O, the
guest-pointer checks (-EFAULT, never a host access outside guest memory), memory calls,
/proc/self/exe, and the -ENOSYS path with QEMU's -d unimp lines."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyqemu.linux_user.mmap import GuestMemory
from pyqemu.linux_user.qemu import TaskState
from pyqemu.linux_user.syscall import SYSCALL_TABLE, do_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

PROT_READ, PROT_WRITE = 1, 2
MAP_PRIVATE_ANON = 0x02 | 0x20
PAGE = 4096
O_RDONLY, O_DIRECTORY, O_CLOEXEC = 0, 0o200000, 0o2000000
AT_FDCWD = -100


class IdleCpu:
    """A CpuState for calls that never touch registers."""

    def get_fs_base(self) -> int:
        return 0

    def set_fs_base(self, value: int) -> None:
        raise AssertionError("not expected here")

    def get_gs_base(self) -> int:
        return 0

    def set_gs_base(self, value: int) -> None:
        raise AssertionError("not expected here")

    def read_reg(self, name: str) -> int:
        return 0

    def write_reg(self, name: str, value: int) -> None:
        raise AssertionError("not expected here")


@pytest.fixture
def log_lines() -> list[str]:
    return []


@pytest.fixture
def task(guest_memory: GuestMemory, log_lines: list[str]) -> TaskState:
    return TaskState(mem=guest_memory, cpu=IdleCpu(), exe_path="/usr/bin/true",
                     log_write=log_lines.append)


def call(task: TaskState, num: int, *args: int) -> int:
    padded = list(args) + [0] * (6 - len(args))
    return do_syscall(task, num, *padded)


def guest_alloc(task: TaskState, size: int = 2 * PAGE, prot: int = PROT_READ | PROT_WRITE) -> int:
    addr = call(task, nr.TARGET_NR_mmap, 0, size, prot, MAP_PRIVATE_ANON, -1 & 0xFFFFFFFF, 0)
    assert addr > 0, f"guest mmap failed: {addr}"
    return addr


def put_string(task: TaskState, addr: int, text: str | bytes) -> int:
    data = text.encode() if isinstance(text, str) else text
    task.mem.write(addr, data + b"\0")
    return addr


@pytest.fixture
def host_pipe() -> Iterator[tuple[int, int]]:
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        try:
            os.close(fd)
        except OSError:
            pass


class TestPassThroughIo:
    def test_write_then_read_through_a_pipe(self, task: TaskState,
                                            host_pipe: tuple[int, int]) -> None:
        read_fd, write_fd = host_pipe
        buf = guest_alloc(task)
        task.mem.write(buf, b"guest bytes")
        assert call(task, nr.TARGET_NR_write, write_fd, buf, 11) == 11
        assert call(task, nr.TARGET_NR_read, read_fd, buf + 100, 64) == 11
        assert task.mem.read(buf + 100, 11) == b"guest bytes"

    def test_writev_and_readv_use_every_iovec(self, task: TaskState,
                                              host_pipe: tuple[int, int]) -> None:
        read_fd, write_fd = host_pipe
        buf = guest_alloc(task)
        task.mem.write(buf + 512, b"abc")
        task.mem.write(buf + 600, b"defg")
        task.mem.write(buf, struct.pack("<QQQQ", buf + 512, 3, buf + 600, 4))
        assert call(task, nr.TARGET_NR_writev, write_fd, buf, 2) == 7
        task.mem.write(buf + 64, struct.pack("<QQQQ", buf + 1024, 2, buf + 2048, 10))
        assert call(task, nr.TARGET_NR_readv, read_fd, buf + 64, 2) == 7
        assert task.mem.read(buf + 1024, 2) == b"ab"
        assert task.mem.read(buf + 2048, 5) == b"cdefg"

    def test_open_fstat_lseek_close_a_real_file(self, task: TaskState, tmp_path: Path) -> None:
        target = tmp_path / "data.bin"
        target.write_bytes(b"x" * 1234)
        buf = guest_alloc(task)
        path = put_string(task, buf, str(target))
        fd = call(task, nr.TARGET_NR_openat, AT_FDCWD & 0xFFFFFFFF, path, O_RDONLY | O_CLOEXEC)
        assert fd >= 0, fd
        try:
            assert call(task, nr.TARGET_NR_fstat, fd, buf + 1024) == 0
            st_size = struct.unpack_from("<q", task.mem.read(buf + 1024 + 48, 8))[0]
            assert st_size == 1234
            assert call(task, nr.TARGET_NR_lseek, fd, 10, os.SEEK_END) == 1244
        finally:
            assert call(task, nr.TARGET_NR_close, fd) == 0
        assert call(task, nr.TARGET_NR_close, fd) == -errno.EBADF

    def test_getdents64_lists_a_directory(self, task: TaskState, tmp_path: Path) -> None:
        for name in ("alpha", "beta", "gamma"):
            (tmp_path / name).write_text(name)
        buf = guest_alloc(task)
        path = put_string(task, buf, str(tmp_path))
        fd = call(task, nr.TARGET_NR_openat, AT_FDCWD & 0xFFFFFFFF, path, O_RDONLY | O_DIRECTORY)
        assert fd >= 0, fd
        try:
            names = set()
            while (size := call(task, nr.TARGET_NR_getdents64, fd, buf + PAGE, PAGE)) > 0:
                data = task.mem.read(buf + PAGE, size)
                offset = 0
                while offset < size:
                    reclen = struct.unpack_from("<H", data, offset + 16)[0]
                    names.add(data[offset + 19:offset + reclen].split(b"\0")[0].decode())
                    offset += reclen
            assert size == 0
        finally:
            os.close(fd)
        assert names == {".", "..", "alpha", "beta", "gamma"}

    def test_pipe2_returns_two_working_fds(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        assert call(task, nr.TARGET_NR_pipe2, buf, O_CLOEXEC) == 0
        read_fd, write_fd = struct.unpack("<ii", task.mem.read(buf, 8))
        try:
            os.write(write_fd, b"ok")
            assert os.read(read_fd, 2) == b"ok"
        finally:
            os.close(read_fd)
            os.close(write_fd)

    def test_fcntl_getfd_sees_cloexec(self, task: TaskState, host_pipe: tuple[int, int]) -> None:
        read_fd, _ = host_pipe
        assert call(task, nr.TARGET_NR_fcntl, read_fd, 2, 1) == 0  # F_SETFD FD_CLOEXEC
        assert call(task, nr.TARGET_NR_fcntl, read_fd, 1) == 1  # F_GETFD
        assert call(task, nr.TARGET_NR_fcntl, read_fd, 1234, 0) == -errno.EINVAL

    def test_fionread_counts_pending_pipe_bytes(self, task: TaskState,
                                                host_pipe: tuple[int, int]) -> None:
        read_fd, write_fd = host_pipe
        os.write(write_fd, b"12345")
        buf = guest_alloc(task)
        assert call(task, nr.TARGET_NR_ioctl, read_fd, 0x541B, buf) == 0
        assert struct.unpack("<i", task.mem.read(buf, 4))[0] == 5

    def test_unknown_ioctl_is_enosys_and_logged_like_qemu(self, task: TaskState,
                                                          log_lines: list[str]) -> None:
        task.unimp_log = True
        assert call(task, nr.TARGET_NR_ioctl, 0, 0x5499, 0) == -errno.ENOSYS
        assert log_lines == ["Unsupported ioctl: cmd=0x5499\n"]

    def test_out_ioctl_reports_the_hosts_error_before_efault(self, task: TaskState,
                                                             host_pipe: tuple[int, int]) -> None:
        # QEMU runs TCGETS on a host struct first: a pipe is not a tty, whatever the pointer.
        read_fd, _ = host_pipe
        assert call(task, nr.TARGET_NR_ioctl, read_fd, 0x5401, 0) == -errno.ENOTTY
        assert call(task, nr.TARGET_NR_ioctl, read_fd, 0x5414, 0) == -errno.EFAULT  # TIOCSWINSZ

    def test_failed_call_leaves_output_struct_alone(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, b"\xaa" * 144)
        assert call(task, nr.TARGET_NR_fstat, 987, buf) == -errno.EBADF
        assert task.mem.read(buf, 144) == b"\xaa" * 144
        assert call(task, nr.TARGET_NR_clock_gettime, 99, 0) == -errno.EINVAL

    def test_f_getfl_hides_o_largefile_like_qemu(self, task: TaskState, tmp_path: Path) -> None:
        (tmp_path / "f").write_text("x")
        fd = os.open(tmp_path / "f", os.O_RDONLY)
        try:
            assert fcntl.fcntl(fd, fcntl.F_GETFL) & 0o100000  # the host kernel sets it
            assert call(task, nr.TARGET_NR_fcntl, fd, 3) & 0o100000 == 0
        finally:
            os.close(fd)

    def test_wait4_stores_status_only_for_a_reaped_child(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, b"\xee" * 4)
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        assert call(task, nr.TARGET_NR_wait4, pid, buf, 0, 0) == pid
        assert os.waitstatus_to_exitcode(struct.unpack("<i", task.mem.read(buf, 4))[0]) == 7
        task.mem.write(buf, b"\xee" * 4)
        # the child is reaped: waiting for it again fails (not -1: the test process may have
        # other children, such as multiprocessing's resource tracker)
        assert call(task, nr.TARGET_NR_wait4, pid, buf, 1, 0) == -errno.ECHILD
        assert task.mem.read(buf, 4) == b"\xee" * 4

    def test_futex_wake_and_wait_on_guest_words(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        task.mem.write(buf, struct.pack("<i", 5))
        assert call(task, nr.TARGET_NR_futex, buf, 1 | 128, 1) == 0  # FUTEX_WAKE_PRIVATE
        assert call(task, nr.TARGET_NR_futex, buf, 0 | 128, 4) == -errno.EAGAIN  # value differs
        assert call(task, nr.TARGET_NR_futex, buf + 2, 1, 1) == -errno.EINVAL
        assert call(task, nr.TARGET_NR_futex, buf, 2, 0) == -errno.ENOSYS  # FUTEX_FD
        # FUTEX_UNLOCK_PI goes to the host, as under qemu 7.2: a word this thread does
        # not own (test_fast_syscalls.py compares every command with qemu)
        assert call(task, nr.TARGET_NR_futex, buf, 7, 0) == -errno.EPERM

    def test_futex_on_emulator_memory_is_efault(self, task: TaskState) -> None:
        word = ctypes.c_int(0)
        assert call(task, nr.TARGET_NR_futex, ctypes.addressof(word), 1, 1) == -errno.EFAULT

    def test_clock_gettime_and_uname_fill_guest_structs(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        assert call(task, nr.TARGET_NR_clock_gettime, 1, buf) == 0
        seconds, nanoseconds = struct.unpack("<qq", task.mem.read(buf, 16))
        assert seconds >= 0 and 0 <= nanoseconds < 1_000_000_000
        assert call(task, nr.TARGET_NR_uname, buf) == 0
        assert task.mem.read(buf, 5) == b"Linux"
        assert task.mem.read(buf + 4 * 65, 7) == b"x86_64\0"


class TestGuestPointerChecks:
    def test_read_into_python_object_memory_is_efault(self, task: TaskState,
                                                      host_pipe: tuple[int, int]) -> None:
        read_fd, write_fd = host_pipe
        os.write(write_fd, b"must not land in the emulator")
        victim = ctypes.create_string_buffer(b"untouched", 64)
        assert call(task, nr.TARGET_NR_read, read_fd, ctypes.addressof(victim), 32) \
            == -errno.EFAULT
        assert victim.value == b"untouched"
        assert os.read(read_fd, 64) == b"must not land in the emulator"

    def test_write_from_python_object_memory_is_efault(self, task: TaskState,
                                                       host_pipe: tuple[int, int]) -> None:
        _, write_fd = host_pipe
        secret = b"emulator secret"
        assert call(task, nr.TARGET_NR_write, write_fd, id(secret), len(secret)) \
            == -errno.EFAULT

    def test_read_into_read_only_guest_page_is_efault(self, task: TaskState,
                                                      host_pipe: tuple[int, int]) -> None:
        # The host page is writable (the emulator may write it) but the guest's is not.
        read_fd, write_fd = host_pipe
        os.write(write_fd, b"data")
        page = guest_alloc(task, PAGE, PROT_READ)
        assert call(task, nr.TARGET_NR_read, read_fd, page, 4) == -errno.EFAULT
        assert task.mem.read(page, 4) == b"\0\0\0\0"

    def test_buffer_running_off_the_end_of_guest_memory_is_efault(self, task: TaskState,
                                                                 host_pipe: tuple[int, int]
                                                                 ) -> None:
        _, write_fd = host_pipe
        page = guest_alloc(task, PAGE)
        assert call(task, nr.TARGET_NR_munmap, page + PAGE, PAGE) == 0
        assert call(task, nr.TARGET_NR_write, write_fd, page + PAGE - 8, 16) == -errno.EFAULT
        assert call(task, nr.TARGET_NR_write, write_fd, page + PAGE - 8, 8) == 8

    def test_path_outside_guest_memory_is_efault(self, task: TaskState) -> None:
        path = ctypes.create_string_buffer(b"/etc/hostname")
        assert call(task, nr.TARGET_NR_open, ctypes.addressof(path), O_RDONLY) == -errno.EFAULT
        assert call(task, nr.TARGET_NR_open, 0, O_RDONLY) == -errno.EFAULT

    def test_stat_result_outside_guest_memory_is_efault(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        path = put_string(task, buf, "/")
        victim = ctypes.create_string_buffer(256)
        assert call(task, nr.TARGET_NR_stat, path, ctypes.addressof(victim)) == -errno.EFAULT
        assert victim.raw == b"\0" * 256

    def test_iovec_pointing_outside_guest_memory_is_efault(self, task: TaskState,
                                                           host_pipe: tuple[int, int]) -> None:
        read_fd, write_fd = host_pipe
        os.write(write_fd, b"abc")
        victim = ctypes.create_string_buffer(16)
        buf = guest_alloc(task)
        task.mem.write(buf, struct.pack("<QQ", ctypes.addressof(victim), 16))
        assert call(task, nr.TARGET_NR_readv, read_fd, buf, 1) == -errno.EFAULT
        assert victim.raw == b"\0" * 16

    def test_path_without_nul_within_path_max_is_enametoolong(self, task: TaskState) -> None:
        buf = guest_alloc(task, 3 * PAGE)
        task.mem.write(buf, b"a" * (2 * PAGE))
        assert call(task, nr.TARGET_NR_access, buf, 0) == -errno.ENAMETOOLONG

    def test_empty_buffer_needs_no_guest_memory(self, task: TaskState,
                                                host_pipe: tuple[int, int]) -> None:
        _, write_fd = host_pipe
        assert call(task, nr.TARGET_NR_write, write_fd, 0, 0) == 0


class TestUnimplemented:
    def test_unknown_number_is_enosys_and_logged_like_qemu(self, task: TaskState,
                                                           log_lines: list[str]) -> None:
        task.unimp_log = True
        assert call(task, 999, 1, 2, 3) == -errno.ENOSYS
        assert log_lines == ["Unsupported syscall: 999\n"]

    def test_unknown_number_is_silent_without_d_unimp(self, task: TaskState,
                                                      log_lines: list[str]) -> None:
        assert call(task, 999) == -errno.ENOSYS
        assert log_lines == []

    def test_only_the_low_32_bits_of_the_number_count(self, task: TaskState) -> None:
        assert call(task, (1 << 32) | nr.TARGET_NR_getpid) == os.getpid()
        assert call(task, (1 << 64) - 1) == -errno.ENOSYS

    def test_rseq_and_clone3_are_enosys_with_qemus_log_line(self, task: TaskState,
                                                            log_lines: list[str]) -> None:
        task.unimp_log = True
        assert call(task, nr.TARGET_NR_rseq) == -errno.ENOSYS
        assert call(task, nr.TARGET_NR_clone3) == -errno.ENOSYS
        assert log_lines == ["Unsupported syscall: 334\n", "Unsupported syscall: 435\n"]

    def test_set_robust_list_is_enosys_without_log(self, task: TaskState,
                                                   log_lines: list[str]) -> None:
        task.unimp_log = True
        assert call(task, nr.TARGET_NR_set_robust_list, 0x1000, 24) == -errno.ENOSYS
        assert log_lines == []

    def test_membarrier_answers_as_the_host(self, task: TaskState) -> None:
        # MEMBARRIER_CMD_QUERY: the commands the host kernel offers, as qemu passes it on
        libc = ctypes.CDLL(None, use_errno=True)
        host = libc.syscall(nr.TARGET_NR_membarrier, 0, 0, 0)
        assert host > 0
        assert call(task, nr.TARGET_NR_membarrier, 0, 0) == host

    def test_every_row_has_a_known_syscall_number(self) -> None:
        assert set(SYSCALL_TABLE) <= set(nr.SYSCALL_NAMES)
        assert nr.TARGET_NR_read in SYSCALL_TABLE and nr.TARGET_NR_exit_group in SYSCALL_TABLE


class TestMemoryCalls:
    def test_mmap_write_munmap_round_trip(self, task: TaskState) -> None:
        addr = guest_alloc(task, 3 * PAGE)
        assert task.mem.access_ok(addr, 3 * PAGE, True)
        task.mem.write(addr + PAGE, b"hello")
        assert call(task, nr.TARGET_NR_mprotect, addr, PAGE, PROT_READ) == 0
        assert not task.mem.access_ok(addr, 1, True)
        assert call(task, nr.TARGET_NR_munmap, addr, 3 * PAGE) == 0
        assert not task.mem.access_ok(addr + PAGE, 1)

    def test_mremap_grows_a_mapping(self, task: TaskState) -> None:
        addr = guest_alloc(task, PAGE)
        task.mem.write(addr, b"keep")
        new = call(task, nr.TARGET_NR_mremap, addr, PAGE, 4 * PAGE, 1)  # MREMAP_MAYMOVE
        assert new > 0
        assert task.mem.read(new, 4) == b"keep"
        assert task.mem.access_ok(new, 4 * PAGE, True)

    def test_brk_grows_from_the_start_set_by_the_loader(self, task: TaskState) -> None:
        start = guest_alloc(task, PAGE)
        call(task, nr.TARGET_NR_munmap, start, PAGE)
        task.mem.set_brk(start)
        assert call(task, nr.TARGET_NR_brk, 0) == start
        assert call(task, nr.TARGET_NR_brk, start + 3 * PAGE) == start + 3 * PAGE
        task.mem.write(start + 2 * PAGE, b"heap")
        assert call(task, nr.TARGET_NR_brk, 0) == start + 3 * PAGE

    def test_madvise_dontneed_zeroes_a_private_guest_page(self, task: TaskState) -> None:
        addr = guest_alloc(task, PAGE)
        task.mem.write(addr, b"dirty")
        assert call(task, nr.TARGET_NR_madvise, addr, PAGE, 4) == 0
        assert task.mem.read(addr, 5) == b"\0" * 5

    def test_madvise_outside_guest_memory_does_nothing_but_succeeds(self, task: TaskState
                                                                     ) -> None:
        victim = ctypes.create_string_buffer(b"alive", 3 * PAGE)
        page = (ctypes.addressof(victim) + PAGE - 1) & ~(PAGE - 1)
        ctypes.memmove(page, b"alive", 5)
        assert call(task, nr.TARGET_NR_madvise, page, PAGE, 4) == 0
        assert ctypes.string_at(page, 5) == b"alive"


class TestProcSelfExe:
    def test_readlink_answers_the_guest_program(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        path = put_string(task, buf, "/proc/self/exe")
        length = call(task, nr.TARGET_NR_readlink, path, buf + 512, 256)
        assert length == len("/usr/bin/true")
        assert task.mem.read(buf + 512, length) == b"/usr/bin/true"

    def test_readlinkat_truncates_to_the_buffer(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        path = put_string(task, buf, f"/proc/{os.getpid()}/exe")
        assert call(task, nr.TARGET_NR_readlinkat, AT_FDCWD & 0xFFFFFFFF, path, buf + 512, 4) == 4
        assert task.mem.read(buf + 512, 4) == b"/usr"

    def test_readlink_into_python_memory_is_efault(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        path = put_string(task, buf, "/proc/self/exe")
        victim = ctypes.create_string_buffer(64)
        assert call(task, nr.TARGET_NR_readlink, path, ctypes.addressof(victim), 64) \
            == -errno.EFAULT
        assert call(task, nr.TARGET_NR_readlink, path, buf + 512, 0) == -errno.EINVAL

    def test_open_proc_self_exe_opens_the_guest_program(self, task: TaskState) -> None:
        buf = guest_alloc(task)
        path = put_string(task, buf, "/proc/self/exe")
        fd = call(task, nr.TARGET_NR_open, path, O_RDONLY)
        assert fd >= 0, fd
        try:
            assert os.fstat(fd).st_ino == os.stat("/usr/bin/true").st_ino
        finally:
            os.close(fd)

    def test_other_links_pass_through(self, task: TaskState, tmp_path: Path) -> None:
        (tmp_path / "link").symlink_to("target-name")
        buf = guest_alloc(task)
        path = put_string(task, buf, str(tmp_path / "link"))
        length = call(task, nr.TARGET_NR_readlink, path, buf + 512, 256)
        assert task.mem.read(buf + 512, length) == b"target-name"
