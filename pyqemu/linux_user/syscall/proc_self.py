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
    __slots__ = ("start", "end", "perms", "private", "offset", "dev", "inode", "path")

    def __init__(self, line: bytes) -> None:
        fields = line.split(b" ", 5)
        start, end = fields[0].split(b"-")
        self.start = int(start, 16)
        self.end = int(end, 16)
        self.perms = fields[1]
        self.private = fields[1][3:4] == b"p"
        self.offset = int(fields[2], 16)
        self.dev = fields[3]
        self.inode = int(fields[4])
        self.path = fields[5].lstrip(b" ") if len(fields) > 5 else b""


def _maps_line(start: int, end: int, prot: int, private: bool, offset: int, dev: bytes,
               inode: int, path: bytes) -> bytes:
    head = b"%x-%x %c%c%c%c %08x %s %d" % (
        start, end,
        ord("r") if prot & PROT_READ else ord("-"),
        ord("w") if prot & PROT_WRITE else ord("-"),
        ord("x") if prot & PROT_EXEC else ord("-"),
        ord("p") if private else ord("s"),
        offset, dev, inode)
    # printf's "%*s" with a negative width pads as wide, to the left
    return head + b" " * abs(MAPS_PATH_COLUMN - len(head)) + path + b"\n"


def _guest_runs(task: TaskState, start: int, end: int) -> list[tuple[int, int, int]]:
    """The guest's pages in [start, end) as (start, end, prot of the first page) runs.

    A run is what one of qemu's host mappings would hold: qemu maps guest pages without
    the host's PROT_EXEC, so a run goes on while the guest's read and write rights stay
    the same (a library's read-only and executable segments make one run).
    """
    runs: list[tuple[int, int, int]] = []
    host_rights = PROT_READ | PROT_WRITE
    for region in task.mem.regions():
        low, high = max(region.start, start), min(region.end, end)
        if low >= high:
            continue
        if (runs and runs[-1][1] == low
                and (runs[-1][2] ^ region.prot) & host_rights == 0):
            runs[-1] = (runs[-1][0], high, runs[-1][2])
        else:
            runs.append((low, high, region.prot))
    if start <= TARGET_VSYSCALL_PAGE < end:
        runs.append((TARGET_VSYSCALL_PAGE, TARGET_VSYSCALL_PAGE + PAGE_SIZE, PROT_EXEC))
    return runs


class _Run:
    """Guest pages that one of qemu's host mappings would hold, in host mapping entry."""

    __slots__ = ("start", "end", "prot", "entry", "offset")

    def __init__(self, start: int, end: int, prot: int, entry: _HostMap) -> None:
        self.start = start
        self.end = end
        self.prot = prot    # the guest's rights at start, which qemu prints
        self.entry = entry
        self.offset = entry.offset + (start - entry.start) if entry.inode else entry.offset

    def continues_into(self, entry: _HostMap, start: int, prot: int) -> bool:
        """Whether guest pages from start in entry lie in this run's host mapping under
        qemu: the emulator's host mappings part where its engine's execute right changes,
        qemu's do not."""
        prev = self.entry
        return (self.end == start and prev is not entry
                and prev.perms[:2] + prev.perms[3:] == entry.perms[:2] + entry.perms[3:]
                and (prev.dev, prev.inode, prev.path) == (entry.dev, entry.inode, entry.path)
                and (self.prot ^ prot) & (PROT_READ | PROT_WRITE) == 0
                and (not entry.inode
                     or self.offset + start - self.start == entry.offset + start - entry.start))


def open_self_maps(task: TaskState) -> bytes:
    """The host's mappings that hold guest pages, with the guest's rights, then [vsyscall].

    qemu prints each host mapping whose pages are all guest pages, with the rights of the
    guest's first page; its host mappings carry the guest's read and write rights, so they
    end where those change. The emulator's host mappings here do not (the engine maps guest
    memory readable and writable, and executable where the guest may execute), so each is
    cut where the guest's read or write rights change (_guest_runs) and joined to the one
    before where only the engine's execute right parted them (_Run.continues_into).
    """
    stack_limit = task.image.stack_limit if task.image is not None else 0
    with open("/proc/self/maps", "rb") as maps:
        host_maps = [_HostMap(line.rstrip(b"\n")) for line in maps]
    runs: list[_Run] = []
    for entry in host_maps:
        for start, end, prot in _guest_runs(task, entry.start, entry.end):
            if runs and runs[-1].continues_into(entry, start, prot):
                runs[-1].end = end
            else:
                runs.append(_Run(start, end, prot, entry))
    out = [_maps_line(run.start, run.end, run.prot, run.entry.private, run.offset,
                      run.entry.dev, run.entry.inode,
                      b"[stack]" if run.start == stack_limit else run.entry.path)
           for run in runs]
    out.append(_maps_line(TARGET_VSYSCALL_PAGE, TARGET_VSYSCALL_PAGE + PAGE_SIZE, PROT_EXEC,
                          True, 0, b"00:00", 0, b"[vsyscall]"))
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
