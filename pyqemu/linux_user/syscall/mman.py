# SPDX-License-Identifier: GPL-2.0-or-later
"""Memory-management syscalls: mirrors the brk/mmap/munmap/mprotect/mremap/madvise cases
of QEMU's linux-user/syscall.c, which hand the work to linux-user/mmap.c.

The guest's address space is ``task.mem`` (pyqemu/linux_user/mmap.py); none of
these calls may reach the host for a range the guest does not own.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import Addr, Fd, Int, Size, ULong, check_guest_range
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

PAGE_SIZE = 4096

#: Advice that only changes how the kernel pages a guest range; anything else
#: (MADV_REMOVE, MADV_HWPOISON, MADV_DONTFORK...) is accepted and ignored, as
#: QEMU 7.2 ignores every madvise.
MADV_PASSED_THROUGH = frozenset({
    0,  # MADV_NORMAL
    1,  # MADV_RANDOM
    2,  # MADV_SEQUENTIAL
    3,  # MADV_WILLNEED
    4,  # MADV_DONTNEED: glibc frees thread stacks and malloc arenas with it
    8,  # MADV_FREE
    14,  # MADV_HUGEPAGE
    15,  # MADV_NOHUGEPAGE
    16,  # MADV_DONTDUMP
    17,  # MADV_DODUMP
})


def do_brk(task: TaskState, new_brk: int) -> int:
    """brk: Linux semantics, current break on failure."""
    return task.mem.target_brk(new_brk)


def do_mmap(task: TaskState, addr: int, length: int, prot: int, flags: int, fd: int,
            offset: int) -> int:
    """mmap: placed and recorded by the guest memory map."""
    return task.mem.target_mmap(addr, length, prot, flags, fd, offset)


def do_munmap(task: TaskState, addr: int, length: int) -> int:
    """munmap of guest pages only."""
    return task.mem.target_munmap(addr, length)


def do_mprotect(task: TaskState, addr: int, length: int, prot: int) -> int:
    """mprotect of guest pages only."""
    return task.mem.target_mprotect(addr, length, prot)


def do_mremap(task: TaskState, old_addr: int, old_size: int, new_size: int, flags: int,
              new_addr: int) -> int:
    """mremap of a guest mapping."""
    return task.mem.target_mremap(old_addr, old_size, new_size, flags, new_addr)


def _is_guest_range(task: TaskState, addr: int, length: int) -> bool:
    return length > 0 and addr + length <= 1 << 64 and task.mem.access_ok(addr, length, False)


def do_madvise(task: TaskState, addr: int, length: int, advice: int) -> int:
    """madvise: passed to the host for guest ranges, otherwise ignored with success (QEMU 7.2).
    A length that rounds up to nothing or a range that wraps is -EINVAL, as in Linux."""
    if addr % PAGE_SIZE:
        return -errno.EINVAL
    aligned = (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) & (2**64 - 1)
    if (length and not aligned) or addr + aligned > 1 << 64:
        return -errno.EINVAL
    length = aligned
    if advice in MADV_PASSED_THROUGH and _is_guest_range(task, addr, length):
        return host_syscall(nr.TARGET_NR_madvise, addr, length, advice)
    return 0


#: msync flags (asm-generic/mman-common.h)
MS_ASYNC, MS_INVALIDATE, MS_SYNC = 1, 2, 4


def do_msync(task: TaskState, addr: int, length: int, flags: int) -> int:
    """msync of guest pages; unknown flags (or MS_ASYNC with MS_SYNC) are -EINVAL before
    anything else, a range the guest does not own is -ENOMEM, as in Linux."""
    if flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) or (flags & MS_ASYNC and flags & MS_SYNC):
        return -errno.EINVAL
    if addr % PAGE_SIZE:
        return -errno.EINVAL
    if length and not _is_guest_range(task, addr, length):
        return -errno.ENOMEM
    return host_syscall(nr.TARGET_NR_msync, addr, length, flags)


def do_mincore(task: TaskState, addr: int, length: int, vec: int) -> int:
    """mincore of guest pages; a range the guest does not own is -ENOMEM, as in Linux."""
    # QEMU's order: the range must be guest memory (-ENOMEM), then the vector
    # writable, then the host checks the alignment
    pages = (length + PAGE_SIZE - 1) // PAGE_SIZE
    if not _is_guest_range(task, addr & ~(PAGE_SIZE - 1), pages * PAGE_SIZE):
        return -errno.ENOMEM
    check_guest_range(task, vec, pages, True)
    return host_syscall(nr.TARGET_NR_mincore, addr, length, vec)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_brk: special(do_brk, Addr()),
    nr.TARGET_NR_mmap: special(do_mmap, Addr(), Size(), Int(), Int(), Fd(), ULong()),
    nr.TARGET_NR_munmap: special(do_munmap, Addr(), Size()),
    nr.TARGET_NR_mprotect: special(do_mprotect, Addr(), Size(), Int()),
    nr.TARGET_NR_mremap: special(do_mremap, Addr(), Size(), Size(), Int(), Addr()),
    nr.TARGET_NR_madvise: special(do_madvise, Addr(), Size(), Int()),
    nr.TARGET_NR_msync: special(do_msync, Addr(), Size(), Int()),
    nr.TARGET_NR_mincore: special(do_mincore, Addr(), Size(), Addr()),
    nr.TARGET_NR_mlock: host(Addr(), Size()),
    nr.TARGET_NR_munlock: host(Addr(), Size()),
    nr.TARGET_NR_munlockall: host(),
}
