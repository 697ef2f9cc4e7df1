# SPDX-License-Identifier: GPL-2.0-or-later
"""The guest's own /proc files: QEMU 7.2's fake opens in linux-user/syscall.c
(is_proc_myself, open_self_cmdline, open_self_stat, open_self_auxv, open_self_maps).

Opening /proc/self/NAME or /proc/<own pid>/NAME, for NAME cmdline, stat, auxv or maps,
gives the guest a memfd ("qemu-open", as qemu names it) filled with what the guest
process would see natively rather than what the emulator's process shows: its argv, a
stat line naming the guest program, its auxiliary vector and its own mappings with the
guest's rights. qemu matches the path as given (dirfd and flags play no part), and so
does this module.
"""

from __future__ import annotations

import bisect
import errno
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import SyscallError, read_guest

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

PROT_READ = 0x1
PROT_WRITE = 0x2
PROT_EXEC = 0x4
#: the x86_64 vsyscall page, which qemu 7.2 marks executable in every guest and lists last
TARGET_VSYSCALL_PAGE = 0xFFFFFFFFFF600000
PAGE_SIZE = 0x1000
#: column at which qemu's maps lines put the path (its dprintf "%*s" of 73 - count)
MAPS_PATH_COLUMN = 73
#: fields in qemu's /proc/self/stat line
STAT_FIELDS = 44


def is_proc_myself(path: bytes, entry: bytes) -> bool:
    """True when path is /proc/self/ENTRY or /proc/<this pid>/ENTRY (qemu's is_proc_myself)."""
    if not path.startswith(b"/proc/"):
        return False
    rest = path[len(b"/proc/"):]
    if rest.startswith(b"self/"):
        rest = rest[len(b"self/"):]
    elif rest[:1] in b"123456789" and rest[:1]:
        own = b"%d/" % os.getpid()
        if not rest.startswith(own):
            return False
        rest = rest[len(own):]
    else:
        return False
    return rest == entry


def start_boottime() -> int:
    """Clock ticks since boot now: qemu's ts->start_boottime, taken when it starts a program."""
    ticks = os.sysconf("SC_CLK_TCK")
    now = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
    seconds, nanoseconds = divmod(now, 1_000_000_000)
    return seconds * ticks + nanoseconds * ticks // 1_000_000_000


def open_self_cmdline(task: TaskState) -> bytes:
    """Each argv string with its NUL."""
    return b"".join(os.fsencode(arg) + b"\0" for arg in task.argv)


def open_self_stat(task: TaskState) -> bytes:
    """qemu's 44-field line: pid, (name), ppid, start time and stack; every other field 0."""
    name = os.fsencode(task.argv[0]).rsplit(b"/", 1)[-1] if task.argv else b""
    start_stack = task.image.start_stack if task.image is not None else 0
    fields = [b"0"] * STAT_FIELDS
    fields[0] = b"%d" % os.getpid()
    fields[1] = b"(%s)" % name[:15]
    fields[3] = b"%d" % os.getppid()
    fields[21] = b"%d" % task.start_boottime
    fields[27] = b"%d" % start_stack
    return b" ".join(fields) + b"\n"


def open_self_auxv(task: TaskState) -> bytes:
    """The auxiliary vector as it is now in guest memory."""
    if task.image is None or not task.image.auxv_len:
        return b""
    try:
        return read_guest(task, task.image.saved_auxv, task.image.auxv_len)
    except SyscallError:
        return b""      # qemu: lock_user failed, the file stays empty


class _HostMap:
    """One line of the host's /proc/self/maps."""

    __slots__ = ("start", "end", "private", "offset", "dev", "inode", "path")

    def __init__(self, line: bytes) -> None:
        fields = line.split(b" ", 5)
        start, end = fields[0].split(b"-")
        self.start = int(start, 16)
        self.end = int(end, 16)
        self.private = fields[1][3:4] == b"p"
        self.offset = int(fields[2], 16)
        self.dev = fields[3]
        self.inode = int(fields[4])
        self.path = fields[5].lstrip(b" ") if len(fields) > 5 else b""


def _maps_line(start: int, end: int, prot: int, entry: _HostMap, offset: int,
               path: bytes) -> bytes:
    head = b"%x-%x %c%c%c%c %08x %s %d" % (
        start, end,
        ord("r") if prot & PROT_READ else ord("-"),
        ord("w") if prot & PROT_WRITE else ord("-"),
        ord("x") if prot & PROT_EXEC else ord("-"),
        ord("p") if entry.private else ord("s"),
        offset, entry.dev, entry.inode)
    # printf's "%*s" with a negative width pads as wide, to the left
    return head + b" " * abs(MAPS_PATH_COLUMN - len(head)) + path + b"\n"


def _host_rights(prot: int) -> int:
    """The rights qemu 7.2 gives the host pages of guest pages with prot: read and write
    as the guest's, and read for execute."""
    return prot & (PROT_READ | PROT_WRITE) | (PROT_READ if prot & PROT_EXEC else 0)


def _qemu_mappings(task: TaskState) -> list[tuple[int, int, int, int]]:
    """The host mappings qemu would hold the guest's pages in, as (start, end, prot of the
    first page, offset): the guest's regions, joined where Linux would join qemu's host
    mappings of them (the same file at the following offset, or both anonymous, with the
    same host rights and flags)."""
    runs: list[tuple[int, int, int, int]] = []
    before = None
    for region in task.mem.regions():
        if (before is not None and runs and runs[-1][1] == region.start
                and _host_rights(before.prot) == _host_rights(region.prot)
                and (before.flags, before.path) == (region.flags, region.path)
                and (not region.path or before.offset + before.size == region.offset)):
            runs[-1] = (runs[-1][0], region.end, runs[-1][2], runs[-1][3])
        else:
            runs.append((region.start, region.end, region.prot,
                         region.offset if region.path else 0))
        before = region
    return runs


def open_self_maps(task: TaskState) -> bytes:
    """The guest's mappings as qemu lists them: its host mappings that hold guest pages,
    with the guest's rights at their first page, then qemu's [vsyscall] line.

    qemu reads its host's maps; the engine's host mappings here carry other rights, so the
    mappings are those qemu would have (_qemu_mappings), and the host's lines give only
    their device, inode and path.
    """
    stack_limit = task.image.stack_limit if task.image is not None else 0
    with open("/proc/self/maps", "rb") as maps:
        host_maps = [_HostMap(line.rstrip(b"\n")) for line in maps]
    starts = [entry.start for entry in host_maps]
    out: list[bytes] = []
    for start, end, prot, offset in _qemu_mappings(task):
        index = bisect.bisect_right(starts, start) - 1
        if index < 0 or host_maps[index].end <= start:
            continue
        entry = host_maps[index]
        out.append(_maps_line(start, end, prot, entry, offset,
                              b"[stack]" if start == stack_limit else entry.path))
    vsyscall = _HostMap(b"%x-%x --xp 00000000 00:00 0 [vsyscall]" % (
        TARGET_VSYSCALL_PAGE, TARGET_VSYSCALL_PAGE + PAGE_SIZE))
    # qemu marks the vsyscall page as a guest page, so the host's own line is listed too
    out.extend(_maps_line(entry.start, entry.end, PROT_EXEC, entry, entry.offset, entry.path)
               for entry in host_maps if entry.start == TARGET_VSYSCALL_PAGE)
    out.append(_maps_line(vsyscall.start, vsyscall.end, PROT_EXEC, vsyscall, 0,
                          vsyscall.path))
    return b"".join(out)


FAKES: tuple[tuple[bytes, Callable[[TaskState], bytes]], ...] = (
    (b"maps", open_self_maps),
    (b"stat", open_self_stat),
    (b"auxv", open_self_auxv),
    (b"cmdline", open_self_cmdline),
)


def fake_open(task: TaskState, path: bytes) -> int | None:
    """A memfd holding the file when path is one of the guest's own /proc files, else None."""
    fill = next((fill for entry, fill in FAKES if is_proc_myself(path, entry)), None)
    if fill is None:
        return None
    try:
        content = fill(task)
        fd = os.memfd_create("qemu-open", 0)
    except OSError as error:
        return -(error.errno or errno.EIO)
    try:
        os.write(fd, content)
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError as error:
        os.close(fd)
        return -(error.errno or errno.EIO)
    return fd
