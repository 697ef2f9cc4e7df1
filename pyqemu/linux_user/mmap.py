# SPDX-License-Identifier: GPL-2.0-or-later
"""Mirrors QEMU's linux-user/mmap.c: the guest's address space and its mmap family.

Guest memory is host memory at the same address (QEMU's guest_base = 0): every guest
mapping is a real host mapping made here through libc, and the guest's rights are kept
in a region list that the execution engine enforces. Listeners (the engine) hear about
every change so they can mirror the host pages.

The region list is the C host's (pyqemu/host/mmap.c's GuestMap), the one copy: this
module reads and changes it through cffi (regions merge there as Linux's VMAs do), and
the C host serves the plain cases of mmap, munmap, mprotect and brk on it without
Python (pyqemu/host/syscall-mmap.c's head says which).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from collections.abc import Callable, Iterator
from typing import Protocol

from pyqemu.errors import GuestFault

PAGE_SIZE = 4096
_PAGE_LOW = PAGE_SIZE - 1
#: first address above x86-64 user space (47-bit, less the last page, as Linux's TASK_SIZE)
TASK_SIZE = 0x7FFFFFFFF000
#: lowest address handed out without MAP_FIXED (Linux's default vm.mmap_min_addr is lower)
MMAP_MIN_ADDR = 0x10000
#: where qemu-x86_64 7.2 starts placing non-fixed mappings (TASK_UNMAPPED_BASE)
MMAP_BASE = 0x4000000000

PROT_NONE = 0x0
PROT_READ = 0x1
PROT_WRITE = 0x2
PROT_EXEC = 0x4
PROT_SEM = 0x8
_PROT_RWX = PROT_READ | PROT_WRITE | PROT_EXEC

MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_SHARED_VALIDATE = 0x03
MAP_TYPE = 0x0F
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_32BIT = 0x40
MAP_GROWSDOWN = 0x100
MAP_DENYWRITE = 0x800
MAP_EXECUTABLE = 0x1000
MAP_LOCKED = 0x2000
MAP_NORESERVE = 0x4000
MAP_POPULATE = 0x8000
MAP_NONBLOCK = 0x10000
MAP_STACK = 0x20000
MAP_HUGETLB = 0x40000
MAP_SYNC = 0x80000
MAP_FIXED_NOREPLACE = 0x100000
# flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK plus MAP_SYNC)
_VALIDATED_FLAGS = (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN
                    | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE
                    | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC | MAP_FIXED_NOREPLACE
                    | (0x3F << 26))
# guest flags passed on to the host mapping; placement flags are ours to choose, and
# MAP_HUGETLB is dropped so that every guest mapping is made of 4 KiB pages
_HOST_PASSED_FLAGS = (MAP_TYPE | MAP_ANONYMOUS | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE
                      | MAP_NONBLOCK | MAP_SYNC)
_RESERVE_FLAGS = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
#: Region.flags bit for Linux's VM_ACCOUNT: the mapping is charged to the commit limit
#: (accounted()). Linux merges neighbouring mappings only when it agrees, so a RELRO
#: piece (mapped writable, then made read-only) stays apart from the read-only segment
#: before it; /proc/self/maps shows them apart (syscall/proc_self.py).
REGION_ACCOUNT = 0x40000000

MREMAP_MAYMOVE = 1
MREMAP_FIXED = 2
MREMAP_DONTUNMAP = 4

_MAP_FAILED = (1 << 64) - 1


def _page_align(value: int) -> int:
    return (value + _PAGE_LOW) & ~_PAGE_LOW


def _neg_errno() -> int:
    return -(ctypes.get_errno() or errno.EINVAL)


# --- host libc, through ctypes ------------------------------------------------------------

class _IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
_libc.mmap.restype = ctypes.c_void_p
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.munmap.restype = ctypes.c_int
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_libc.mprotect.restype = ctypes.c_int
_libc.mremap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int,
                         ctypes.c_void_p]
_libc.mremap.restype = ctypes.c_void_p
for _name in ("process_vm_readv", "process_vm_writev"):
    getattr(_libc, _name).argtypes = [ctypes.c_int, ctypes.POINTER(_IoVec), ctypes.c_ulong,
                                      ctypes.POINTER(_IoVec), ctypes.c_ulong, ctypes.c_ulong]
    getattr(_libc, _name).restype = ctypes.c_ssize_t


def _host_mmap(addr: int, size: int, prot: int, flags: int, fd: int, offset: int) -> int:
    """Host mmap; the address, or -errno."""
    ctypes.set_errno(0)
    result = _libc.mmap(addr or None, size, prot, flags, fd, offset)
    if result == _MAP_FAILED:
        return _neg_errno()
    # NULL is a real address here: a fixed mapping at 0 (a privileged process may make
    # one, and qemu's guest_base lets any guest have one)
    return int(result or 0)


def _host_munmap(addr: int, size: int) -> int:
    return 0 if _libc.munmap(addr, size) == 0 else _neg_errno()


def _host_mprotect(addr: int, size: int, prot: int) -> int:
    return 0 if _libc.mprotect(addr, size, prot) == 0 else _neg_errno()


def _host_mremap(old: int, old_size: int, new_size: int, flags: int, new: int) -> int:
    result = _libc.mremap(old, old_size, new_size, flags, new or None)
    if result == _MAP_FAILED:
        return _neg_errno()
    return int(result or 0)


_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_libc.shmat.restype = ctypes.c_void_p
_libc.shmdt.argtypes = [ctypes.c_void_p]
_libc.shmdt.restype = ctypes.c_int
SHM_RDONLY, SHM_REMAP, SHM_EXEC = 0o10000, 0o40000, 0o100000


def _host_shmat(shmid: int, addr: int, flags: int) -> int:
    """Host shmat; the address, or -errno."""
    result = _libc.shmat(shmid, addr or None, flags)
    if result == _MAP_FAILED:
        return _neg_errno()
    return int(result or 0)


def _host_place(addr: int, size: int, prot: int, flags: int, fd: int, offset: int) -> int:
    """Map exactly at addr, never over anything already there; addr, or -errno (-EEXIST)."""
    result = _host_mmap(addr, size, prot, flags | MAP_FIXED_NOREPLACE, fd, offset)
    if result >= 0 and result != addr:
        # kernels before 4.17 take MAP_FIXED_NOREPLACE as a mere hint
        _host_munmap(result, size)
        return -errno.EEXIST
    return result


_copy_buffer: Callable[[bytes | bytearray, int, bool], bool] | None = None


def _guest_copy(buffer: bytes | bytearray, remote: int, to_remote: bool) -> bool:
    """Copy a Python buffer to guest memory at ``remote`` (to_remote) or fill it from there;
    False where a page has no backing.

    The C host's syscall_host_copy does what _host_copy does in one cffi call (ctypes'
    argument conversion made a guest read or write cost several microseconds, and
    syscalls left to Python make several); _host_copy where the host is not built.
    """
    global _copy_buffer
    if _copy_buffer is None:
        try:
            from pyqemu.host import ffi, lib
        except ImportError:
            def _copy_buffer(buffer: bytes | bytearray, remote: int, to_remote: bool) -> bool:
                holder = (ctypes.create_string_buffer(bytes(buffer), len(buffer)) if to_remote
                          else ctypes.create_string_buffer(len(buffer)))
                done = _host_copy(ctypes.addressof(holder), remote, len(buffer),
                                  to_remote=to_remote)
                if done and not to_remote:
                    buffer[:] = holder.raw
                return done
        else:
            host_copy, from_buffer = lib.syscall_host_copy, ffi.from_buffer

            def _copy_buffer(buffer: bytes | bytearray, remote: int, to_remote: bool) -> bool:
                return host_copy(from_buffer(buffer), remote, len(buffer), to_remote)
    return _copy_buffer(buffer, remote, to_remote)


def _host_copy(local: int, remote: int, size: int, *, to_remote: bool) -> bool:
    """Copy between a Python buffer and guest memory without risking SIGBUS.

    process_vm_readv/writev on our own pid report an unbacked page (a file mapping past
    its end, a page unmapped behind our back) as EFAULT instead of killing the emulator.
    """
    local_iov = _IoVec(local, size)
    remote_iov = _IoVec(remote, size)
    call = _libc.process_vm_writev if to_remote else _libc.process_vm_readv
    done = call(os.getpid(), ctypes.byref(local_iov), 1, ctypes.byref(remote_iov), 1, 0)
    if done == size:
        return True
    if done < 0 and ctypes.get_errno() in (errno.ENOSYS, errno.EPERM):
        # sandboxes that forbid the call: the access checks already passed, copy directly
        if to_remote:
            ctypes.memmove(remote, local, size)
        else:
            ctypes.memmove(local, remote, size)
        return True
    return False


def _host_obstacle_end(start: int, end: int) -> int:
    """End of the host mappings that overlap [start, end), from /proc/self/maps."""
    highest = 0
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        for line in maps:
            low_text, _, rest = line.partition("-")
            low, high = int(low_text, 16), int(rest.split(" ", 1)[0], 16)
            if low < end and high > start:
                highest = max(highest, high)
    return highest if highest > start else start + PAGE_SIZE


#: Highest guest address (QEMU's GUEST_ADDR_MAX for a 47-bit guest without reserved_va).
GUEST_ADDR_MAX = (1 << 47) - 1


def _guest_range_valid(start: int, length: int) -> bool:
    """QEMU's guest_range_valid_untagged: a length of 0 is never valid."""
    return 0 < length <= GUEST_ADDR_MAX + 1 and start <= GUEST_ADDR_MAX - length + 1


# --- the guest's view ---------------------------------------------------------------------

class Region:
    """One guest mapping, like a kernel VMA: [start, end) with the guest's rights.

    flags keeps MAP_SHARED/MAP_PRIVATE, MAP_ANONYMOUS, MAP_NORESERVE and REGION_ACCOUNT;
    path is the mapped file's host path ("" for anonymous memory) and offset the file
    offset of start.  A value: never changed once made, equal to a Region of the same
    fields (a plain class with what a frozen dataclass would give it, as the start path
    imports no ``dataclasses``).
    """

    __slots__ = ("start", "end", "prot", "flags", "path", "offset")

    def __init__(self, start: int, end: int, prot: int, flags: int, path: str = "",
                 offset: int = 0) -> None:
        self.start = start
        self.end = end
        self.prot = prot
        self.flags = flags
        self.path = path
        self.offset = offset

    def _fields(self) -> tuple[int, int, int, int, str, int]:
        return self.start, self.end, self.prot, self.flags, self.path, self.offset

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Region):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"Region(start={self.start:#x}, end={self.end:#x}, prot={self.prot}, "
                f"flags={self.flags:#x}, path={self.path!r}, offset={self.offset:#x})")

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def shared_file(self) -> bool:
        """A shared file mapping: the host may only write it when the guest may."""
        return self.flags & MAP_TYPE == MAP_SHARED and not self.flags & MAP_ANONYMOUS

    def clip(self, start: int, end: int) -> Region:
        start, end = max(start, self.start), min(end, self.end)
        offset = self.offset + (start - self.start) if self.path else 0
        return Region(start, end, self.prot, self.flags, self.path, offset)


class MemoryListener(Protocol):
    """Told about every change of the guest map (all ranges page aligned).

    Note: each call comes after the host memory has changed.  A listener with an
    ``engine_cpu`` attribute (a CPUState of the C host) does no more than the C host's
    cpu_mem_map_ptr/cpu_mem_unmap/cpu_mem_protect and cpu_flush_code on it, which the
    C host then also does itself for the calls it serves (pyqemu/host/syscall-mmap.c).
    """

    def on_map(self, start: int, size: int, prot: int) -> None: ...

    def on_unmap(self, start: int, size: int) -> None: ...

    def on_protect(self, start: int, size: int, prot: int) -> None: ...


def _host_prot(prot: int, flags: int) -> int:
    """Host rights for guest rights: readable always, writable unless a shared file.

    PROT_NONE stays PROT_NONE so a guard page stays a guard page for the host too.
    """
    if not prot & _PROT_RWX:
        return PROT_NONE
    host = prot & _PROT_RWX | PROT_READ
    if not (flags & MAP_TYPE == MAP_SHARED and not flags & MAP_ANONYMOUS):
        host |= PROT_WRITE
    return host


def guest_rights(prot: int) -> int:
    """The rights guest code has on a page mapped with prot, as listeners (the engine)
    are told: x86 pages that may be written or executed may also be read, and qemu 7.2
    maps them readable on the host, so an exec-only segment still holds readable program
    headers.  Syscall checks (access_ok) keep to prot itself, as qemu's page flags do,
    and Region.prot keeps what was asked, as /proc/self/maps shows it."""
    return prot | PROT_READ if prot & (PROT_WRITE | PROT_EXEC) else prot


def _region_flags(flags: int, prot: int) -> int:
    """Region.flags for a mapping made with the guest's flags and rights."""
    kind = MAP_SHARED if flags & MAP_TYPE in (MAP_SHARED, MAP_SHARED_VALIDATE) else MAP_PRIVATE
    return accounted(kind | flags & (MAP_ANONYMOUS | MAP_NORESERVE), prot)


def accounted(flags: int, prot: int) -> int:
    """Region flags with REGION_ACCOUNT added where giving prot makes Linux charge the
    mapping (private, writable, not MAP_NORESERVE); it is never taken away again."""
    if flags & MAP_TYPE == MAP_PRIVATE and prot & PROT_WRITE and not flags & MAP_NORESERVE:
        return flags | REGION_ACCOUNT
    return flags


class GuestMemory:
    """The guest address space: a sorted region list over real host mappings.

    Methods named target_* take raw syscall arguments and return a guest address or a
    negative errno, as QEMU's do; they never raise on bad guest input.
    """

    def __init__(self, mmap_base: int = MMAP_BASE) -> None:
        from pyqemu.host import ffi, lib

        self.mmap_base = mmap_base
        #: the sigtramp page signal handlers return to (QEMU's default_rt_sigreturn; the
        #: address space keeps it, as Linux's mm keeps its vDSO's), 0 when none is mapped
        self.sigtramp = 0
        self._ffi, self._lib = ffi, lib
        # the region list (mmap.c), with QEMU's mmap_next_start: default placements go
        # upward from there, holes below are only reused once the search wraps
        self._map = ffi.gc(lib.guest_map_new(mmap_base), lib.guest_map_free)
        if self._map == ffi.NULL:
            raise MemoryError("guest_map_new")
        self._found = ffi.new("GuestMapRegion[]", 64)
        # mmap.c's interned path pointers -> their text
        self._path_names: dict[int, str] = {}
        self._listeners: list[MemoryListener] = []
        # the map as listeners last heard it, while their calls are held back
        self._held: list[Region] | None = None
        # the brk area (mmap.c's, which serves brk too): start_brk, brk and brk_top,
        # the end of the pages mapped for brk
        self._brk_state = lib.guest_map_brk(self._map)
        # System V shared memory segments attached by the guest: address -> size
        self._shm_segments: dict[int, int] = {}

    @property
    def _next_start(self) -> int:
        return int(self._lib.guest_map_next_start(self._map))

    @_next_start.setter
    def _next_start(self, value: int) -> None:
        self._lib.guest_map_set_next_start(self._map, value)

    # -- listeners --------------------------------------------------------------------

    def add_listener(self, listener: MemoryListener) -> None:
        """Subscribe listener and replay the current map to it through on_map."""
        assert self._held is None, "listeners are added outside deferred_listeners()"
        self._listeners.append(listener)
        self._lib.guest_map_listen(self._map, self._engine_cpu(listener), True)
        for region in self.regions():
            listener.on_map(region.start, region.size, guest_rights(region.prot))

    def remove_listener(self, listener: MemoryListener) -> None:
        """Unsubscribe listener (a vCPU whose thread has ended)."""
        self._listeners.remove(listener)
        self._lib.guest_map_listen(self._map, self._engine_cpu(listener), False)

    def _engine_cpu(self, listener: MemoryListener) -> object:
        return getattr(listener, "engine_cpu", None) or self._ffi.NULL

    @contextlib.contextmanager
    def deferred_listeners(self) -> Iterator[None]:
        """Hold listener calls back; when the block ends, send only the net change.

        The loader reserves an image's whole span and then maps each segment over the
        reservation.  Heard step by step, every segment costs a listener an unmap, and
        the engine's unmap takes time in proportion to the size (it flushes page by
        page), which a hostile p_memsz makes as large as the address space.  Deferred,
        a new image reaches the listeners as one on_map per final region, and regions
        that changed are unmapped once, then mapped again.

        Note: listeners are not told of bytes written inside the block (the loader
        writes before any code has run), and none may be added meanwhile.  Nested
        blocks report when the outermost one ends.
        """
        if self._held is not None:
            yield
            return
        self._held = self.regions()
        self._lib.guest_map_hold(self._map, True)
        try:
            yield
        finally:
            before, self._held = self._held, None
            self._lib.guest_map_hold(self._map, False)
            self._report_change(before)

    def _report_change(self, before: list[Region]) -> None:
        """Bring listeners from the map before to the current one."""
        now = self.regions()
        after = set(now)
        gone = [region for region in before if region not in after]
        kept = set(before)
        new = [region for region in now if region not in kept]
        for listener in self._listeners:
            for region in gone:
                listener.on_unmap(region.start, region.size)
            for region in new:
                listener.on_map(region.start, region.size, guest_rights(region.prot))

    def make_current(self) -> None:
        """Make this address space the one the C host's syscalls check guest buffers
        against and serve mmap, munmap, mprotect and brk on (its region list is this one's);
        one per process, so the address space that takes it over leaves the previous
        one out."""
        self._lib.guest_map_use(self._map)

    @property
    def is_current(self) -> bool:
        return self._lib.guest_map_current() == self._map

    # -- region list --------------------------------------------------------------------

    def regions(self) -> list[Region]:
        return self._overlapping(0, 1 << 64)

    def find_region(self, addr: int) -> Region | None:
        found = self._overlapping(addr, addr + 1)
        return found[0] if found else None

    def _overlapping(self, start: int, end: int) -> list[Region]:
        """The regions overlapping [start, end), whole, from mmap.c's list."""
        end = min(end, (1 << 64) - 1)
        count = self._lib.guest_map_find(self._map, start, end, self._found, len(self._found))
        if count > len(self._found):
            self._found = self._ffi.new("GuestMapRegion[]", count * 2)
            count = self._lib.guest_map_find(self._map, start, end, self._found,
                                             len(self._found))
        return [Region(r.start, r.end, r.prot, r.flags, self._path_name(r.path), r.offset)
                for r in self._found[0:count]]

    def _path_name(self, path: object) -> str:
        key = int(self._ffi.cast("uintptr_t", path))
        if not key:
            return ""
        name = self._path_names.get(key)
        if name is None:
            name = self._path_names[key] = os.fsdecode(self._ffi.string(path))
        return name

    def _runs(self, start: int, end: int) -> list[tuple[int, int]]:
        """Contiguous guest-owned stretches inside [start, end)."""
        runs: list[tuple[int, int]] = []
        for region in self._overlapping(start, end):
            low, high = max(start, region.start), min(end, region.end)
            if runs and runs[-1][1] == low:
                runs[-1] = (runs[-1][0], high)
            else:
                runs.append((low, high))
        return runs

    def _gaps(self, start: int, end: int) -> list[tuple[int, int]]:
        """Stretches of [start, end) the guest does not own."""
        gaps, cursor = [], start
        for low, high in self._runs(start, end):
            if low > cursor:
                gaps.append((cursor, low))
            cursor = high
        if cursor < end:
            gaps.append((cursor, end))
        return gaps

    def _cut(self, start: int, end: int) -> None:
        """Drop [start, end) from the region list, splitting regions at its edges."""
        if self._lib.guest_map_cut(self._map, start, end) < 0:
            raise MemoryError("guest_map_cut")

    def _insert(self, region: Region) -> None:
        """Insert a region over a free range, merging with compatible neighbours."""
        path = os.fsencode(region.path) if region.path else self._ffi.NULL
        if self._lib.guest_map_insert(self._map, region.start, region.end, region.prot,
                                      region.flags, region.offset, path) < 0:
            raise MemoryError("guest_map_insert")

    def _record(self, region: Region) -> None:
        self._insert(region)
        if self._held is not None:
            return
        for listener in self._listeners:
            listener.on_map(region.start, region.size, guest_rights(region.prot))

    def _forget(self, start: int, end: int) -> None:
        runs = self._runs(start, end) if self._held is None else []
        self._cut(start, end)
        for low, high in runs:
            for listener in self._listeners:
                listener.on_unmap(low, high - low)

    # -- placement ------------------------------------------------------------------------

    def _search(self, low: int, high: int, size: int, place: Callable[[int], int]) -> int | None:
        """First fit in [low, high) where place() succeeds; None when nothing fits."""
        candidate = _page_align(low)
        while candidate + size <= high:
            blockers = self._overlapping(candidate, candidate + size)
            if blockers:
                candidate = blockers[-1].end
                continue
            result = place(candidate)
            if result != -errno.EEXIST:
                return result
            # the emulator itself lives there: step over its mappings
            candidate = _page_align(_host_obstacle_end(candidate, candidate + size))
        return None

    def _place_anywhere(self, hint: int, size: int, low_2g: bool,
                        place: Callable[[int], int]) -> int:
        """Non-fixed placement: at or above the hint, else upward from mmap_next_start."""
        if low_2g:  # Linux puts MAP_32BIT mappings in [1 GiB, 2 GiB)
            found = self._search(0x40000000, 0x80000000, size, place)
            return -errno.ENOMEM if found is None else found
        if hint:
            start = _page_align(hint)
            if MMAP_MIN_ADDR <= start and start + size <= TASK_SIZE:
                found = self._search(start, TASK_SIZE, size, place)
                if found is not None:
                    return found
        for low, high in ((self._next_start, TASK_SIZE), (self.mmap_base, TASK_SIZE),
                          (MMAP_MIN_ADDR, self.mmap_base)):
            found = self._search(low, high, size, place)
            if found is None:
                continue
            if found >= self.mmap_base:
                self._next_start = found + size
            return found
        return -errno.ENOMEM

    def _reserve_gaps(self, start: int, end: int) -> list[tuple[int, int]] | int:
        """Take the unowned parts of [start, end) with PROT_NONE placeholders.

        Returns the placeholders, or -ENOMEM when the host owns part of the range:
        the guest may replace its own mappings, never the emulator's.
        """
        taken: list[tuple[int, int]] = []
        for low, high in self._gaps(start, end):
            result = _host_place(low, high - low, PROT_NONE, _RESERVE_FLAGS, -1, 0)
            if result < 0:
                for done_low, done_high in taken:
                    _host_munmap(done_low, done_high - done_low)
                return -errno.ENOMEM if result == -errno.EEXIST else result
            taken.append((low, high))
        return taken

    # -- mmap family --------------------------------------------------------------------

    def target_mmap(self, addr: int, length: int, prot: int, flags: int, fd: int,
                    offset: int) -> int:
        """mmap(2) with Linux's argument checks; the guest address or -errno."""
        if offset & _PAGE_LOW or length <= 0 or addr < 0:
            return -errno.EINVAL
        map_type = flags & MAP_TYPE
        if map_type not in (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE):
            return -errno.EINVAL
        if map_type == MAP_SHARED_VALIDATE and flags & ~_VALIDATED_FLAGS:
            return -errno.EOPNOTSUPP
        size = _page_align(length)
        fixed = bool(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
        # qemu's order: a misaligned fixed address, then a range past the address
        # space, then what the host says about the file (EOVERFLOW, EACCES, ...)
        if fixed and addr & _PAGE_LOW:
            return -errno.EINVAL
        if fixed and addr < PAGE_SIZE:
            # the engine finds guest memory at the same host address and cannot take
            # a NULL one: page 0 is refused as Linux refuses it below vm.mmap_min_addr
            return -errno.EPERM
        if size > TASK_SIZE or (fixed and addr + size > TASK_SIZE):
            return -errno.ENOMEM
        anonymous = bool(flags & MAP_ANONYMOUS)
        if anonymous:
            fd, offset = -1, 0
        elif offset >= 1 << 63 or offset + size >= 1 << 63:
            return -errno.EOVERFLOW
        prot &= _PROT_RWX  # Linux's mmap ignores unknown bits such as PROT_SEM
        host_flags = flags & _HOST_PASSED_FLAGS
        if map_type == MAP_PRIVATE and not prot & PROT_WRITE:
            # the write right is only the emulator's: keep it out of commit accounting
            host_flags |= MAP_NORESERVE
        host_prot = _host_prot(prot, flags)

        def place(at: int) -> int:
            return _host_place(at, size, host_prot, host_flags, fd, offset)

        if fixed:
            if flags & MAP_FIXED_NOREPLACE:
                result = -errno.EEXIST if self._overlapping(addr, addr + size) else place(addr)
            else:
                result = self._map_over(addr, size, host_prot, host_flags, fd, offset)
        else:
            result = self._place_anywhere(addr, size, bool(flags & MAP_32BIT), place)
        if result < 0:
            return result
        path = "" if anonymous else self._fd_path(fd)
        self._record(Region(result, result + size, prot, _region_flags(flags, prot), path,
                            offset if path else 0))
        return result

    def _map_over(self, addr: int, size: int, host_prot: int, host_flags: int, fd: int,
                  offset: int) -> int:
        """MAP_FIXED: replace what the guest has in the range, take the rest if free."""
        end = addr + size
        if not self._overlapping(addr, end):
            result = _host_place(addr, size, host_prot, host_flags, fd, offset)
            return -errno.ENOMEM if result == -errno.EEXIST else result
        if fd >= 0:
            # surface EACCES/ENODEV/EBADF before the guest's old mapping is touched
            probe = _host_mmap(0, PAGE_SIZE, host_prot, host_flags, fd, offset)
            if probe < 0:
                return probe
            _host_munmap(probe, PAGE_SIZE)
        taken = self._reserve_gaps(addr, end)
        if isinstance(taken, int):
            return taken
        result = _host_mmap(addr, size, host_prot, host_flags | MAP_FIXED, fd, offset)
        if result != addr:
            # as on Linux, a failed MAP_FIXED may leave the old mapping gone
            _host_munmap(addr, size)
            self._forget(addr, end)
            return result if result < 0 else -errno.ENOMEM
        self._forget(addr, end)
        return addr

    @staticmethod
    def _fd_path(fd: int) -> str:
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return ""

    def target_shmat(self, shmid: int, addr: int, flags: int, size: int) -> int:
        """shmat(2) of a segment of size bytes: the guest address or -errno.

        The range is first taken with PROT_NONE placeholders (anywhere, or at addr
        over free or guest-owned pages only), then the segment replaces them.
        """
        if addr & _PAGE_LOW:
            return -errno.EINVAL
        size = _page_align(size)
        if size == 0 or size > TASK_SIZE or addr + size > TASK_SIZE:
            return -errno.EINVAL
        if addr:
            if self._overlapping(addr, addr + size) and not flags & SHM_REMAP:
                return -errno.EINVAL
            taken = self._reserve_gaps(addr, addr + size)
            if isinstance(taken, int):
                return -errno.EINVAL
            start = addr
        else:
            start = self._place_anywhere(0, size, False, lambda at: _host_place(
                at, size, PROT_NONE, _RESERVE_FLAGS, -1, 0))
            if start < 0:
                return start
            taken = [(start, start + size)]
        result = _host_shmat(shmid, start, flags | SHM_REMAP)
        if result != start:
            for low, high in taken:
                _host_munmap(low, high - low)
            return result if result < 0 else -errno.EINVAL
        prot = PROT_READ | (0 if flags & SHM_RDONLY else PROT_WRITE)
        prot |= PROT_EXEC if flags & SHM_EXEC else 0
        self._forget(start, start + size)
        self._record(Region(start, start + size, prot, MAP_SHARED))
        self._shm_segments[start] = size
        return start

    def target_shmdt(self, addr: int) -> int:
        """shmdt(2) of a segment the guest attached with shmat: 0 or -errno."""
        size = self._shm_segments.get(addr)
        if size is None:
            return -errno.EINVAL
        if _libc.shmdt(addr) != 0:
            return _neg_errno()
        del self._shm_segments[addr]
        self._forget(addr, addr + size)
        return 0

    def target_munmap(self, addr: int, length: int) -> int:
        """munmap(2): drops only guest-owned pages; 0 or -errno."""
        if addr & _PAGE_LOW or length <= 0 or addr < 0:
            return -errno.EINVAL
        end = addr + _page_align(length)
        if end > TASK_SIZE:
            return -errno.EINVAL
        for low, high in self._runs(addr, end):
            result = _host_munmap(low, high - low)
            if result < 0:
                return result
            self._forget(low, high)
        return 0

    def target_mprotect(self, addr: int, length: int, prot: int) -> int:
        """mprotect(2): the whole range must be mapped (else -ENOMEM); 0 or -errno."""
        if addr & _PAGE_LOW or addr < 0 or prot & ~(_PROT_RWX | PROT_SEM):
            return -errno.EINVAL
        if length == 0:
            return 0
        end = addr + _page_align(length)
        if length < 0 or end > TASK_SIZE:
            return -errno.ENOMEM
        pieces = [region.clip(addr, end) for region in self._overlapping(addr, end)]
        if sum(piece.size for piece in pieces) != end - addr:
            return -errno.ENOMEM
        prot &= _PROT_RWX
        for done, piece in enumerate(pieces):
            result = _host_mprotect(piece.start, piece.size, _host_prot(prot, piece.flags))
            if result < 0:
                for undo in pieces[:done]:
                    _host_mprotect(undo.start, undo.size, _host_prot(undo.prot, undo.flags))
                return result
        self._cut(addr, end)
        for piece in pieces:
            self._insert(Region(piece.start, piece.end, prot, accounted(piece.flags, prot),
                                piece.path, piece.offset))
        if self._held is not None:
            return 0
        for listener in self._listeners:
            listener.on_protect(addr, end - addr, guest_rights(prot))
        return 0

    def target_mremap(self, old_addr: int, old_size: int, new_size: int, flags: int,
                      new_addr: int) -> int:
        """mremap(2) on one guest mapping; the new address or -errno.

        Duplicating a shared mapping (old_size 0) is not supported: -EINVAL.
        """
        # qemu's first check: ranges outside the guest's address space are -ENOMEM
        if (not _guest_range_valid(old_addr, old_size)
                or (flags & MREMAP_FIXED and not _guest_range_valid(new_addr, new_size))
                or (not flags & MREMAP_MAYMOVE and not _guest_range_valid(old_addr, new_size))):
            return -errno.ENOMEM
        if flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) or old_addr & _PAGE_LOW:
            return -errno.EINVAL
        may_move = bool(flags & MREMAP_MAYMOVE)
        if flags & MREMAP_FIXED and not may_move:
            return -errno.EINVAL
        if flags & MREMAP_DONTUNMAP and (not may_move or old_size != new_size):
            return -errno.EINVAL
        old_len, new_len = _page_align(old_size), _page_align(new_size)
        if new_len <= 0 or old_len <= 0 or new_len > TASK_SIZE or old_len > TASK_SIZE:
            return -errno.EINVAL
        if flags & MREMAP_FIXED:
            if new_addr & _PAGE_LOW or new_addr < 0 or new_addr > TASK_SIZE - new_len:
                return -errno.EINVAL
            if new_addr < old_addr + old_len and old_addr < new_addr + new_len:
                return -errno.EINVAL
            if new_addr < PAGE_SIZE:
                return -errno.EPERM  # page 0, as in target_mmap
        region = self.find_region(old_addr)
        if region is None or region.end < old_addr + old_len:
            return -errno.EFAULT
        keep_old = bool(flags & MREMAP_DONTUNMAP)
        if flags & MREMAP_FIXED or keep_old:  # MREMAP_DONTUNMAP always moves
            fixed_at = new_addr if flags & MREMAP_FIXED else None
            return self._mremap_move(region, old_addr, old_len, new_len, fixed_at, keep_old)
        if new_len <= old_len:
            if new_len < old_len:
                result = self.target_munmap(old_addr + new_len, old_len - new_len)
                if result < 0:
                    return result
            return old_addr
        grow_from, grow_to = old_addr + old_len, old_addr + new_len
        if (region.end == grow_from and grow_to <= TASK_SIZE
                and not self._overlapping(grow_from, grow_to)):
            # the host grows in place only if it has nothing there either
            if _host_mremap(old_addr, old_len, new_len, 0, 0) == old_addr:
                offset = region.offset + (grow_from - region.start) if region.path else 0
                self._record(Region(grow_from, grow_to, region.prot, region.flags, region.path,
                                    offset))
                return old_addr
        if not may_move:
            return -errno.ENOMEM
        return self._mremap_move(region, old_addr, old_len, new_len, None, keep_old)

    def _mremap_move(self, region: Region, old_addr: int, old_len: int, new_len: int,
                     fixed_at: int | None, keep_old: bool) -> int:
        if fixed_at is None:
            target = self._place_anywhere(
                0, new_len, False,
                lambda at: _host_place(at, new_len, PROT_NONE, _RESERVE_FLAGS, -1, 0))
            if target < 0:
                return target
            placeholders = [(target, target + new_len)]
        else:
            target = fixed_at
            taken = self._reserve_gaps(target, target + new_len)
            if isinstance(taken, int):
                return taken
            placeholders = taken
        host_flags = MREMAP_MAYMOVE | MREMAP_FIXED | (MREMAP_DONTUNMAP if keep_old else 0)
        result = _host_mremap(old_addr, old_len, new_len, host_flags, target)
        if result != target:
            for low, high in placeholders:
                _host_munmap(low, high - low)
            return result if result < 0 else -errno.ENOMEM
        self._forget(target, target + new_len)
        if not keep_old:
            self._forget(old_addr, old_addr + old_len)
        moved = region.clip(old_addr, old_addr + old_len)
        self._record(Region(target, target + new_len, moved.prot, moved.flags, moved.path,
                            moved.offset))
        return target

    # -- brk --------------------------------------------------------------------------------

    def set_brk(self, start: int) -> None:
        """Start the brk area at the page after start (the loaded image's bss end)."""
        state = self._brk_state
        state.start_brk = state.brk = state.brk_top = _page_align(start)

    def target_brk(self, new_brk: int) -> int:
        """brk(2): the new break, or the current one when it cannot move (qemu 7.2's
        do_brk: pages are mapped as the break grows and never given back)."""
        state = self._brk_state
        if new_brk == 0 or new_brk < state.start_brk or state.start_brk == 0:
            return state.brk
        new_top = _page_align(new_brk)
        old_top = state.brk_top
        if new_top > TASK_SIZE:
            return state.brk
        if new_top > old_top:
            if self._overlapping(old_top, new_top):
                return state.brk
            flags = MAP_PRIVATE | MAP_ANONYMOUS
            rw = PROT_READ | PROT_WRITE
            if _host_place(old_top, new_top - old_top, rw, flags, -1, 0) < 0:
                return state.brk
            self._record(Region(old_top, new_top, rw, _region_flags(flags, rw)))
            state.brk_top = new_top
        # a lower break keeps its pages mapped, as qemu 7.2's do_brk keeps brk_page (Linux
        # unmaps them): the guest may still touch them, and they read as zero once the
        # break grows over them again
        if new_brk > state.brk and state.brk < old_top:
            # memory given back and taken again reads as zero, as under QEMU
            try:
                self.write_force(state.brk, bytes(min(new_brk, old_top) - state.brk))
            except GuestFault:
                pass  # the guest unmapped its own heap: nothing to clear
        state.brk = new_brk
        return new_brk

    # -- access from the emulator --------------------------------------------------------------

    def access_ok(self, addr: int, size: int, write: bool = False) -> bool:
        """True when the guest itself may read (or write) all of [addr, addr + size)."""
        if size == 0:
            return True
        if addr < 0 or size < 0 or addr + size > TASK_SIZE:
            return False
        return bool(self._lib.guest_map_access_ok(self._map, addr, size, write))

    def read(self, addr: int, size: int) -> bytes:
        """Bytes the guest may read; raises GuestFault otherwise."""
        if not self.access_ok(addr, size):
            raise GuestFault(addr, size)
        if size == 0:
            return b""
        buffer = bytearray(size)
        if not _guest_copy(buffer, addr, False):
            raise GuestFault(addr, size)
        return bytes(buffer)

    def write(self, addr: int, data: bytes) -> None:
        """Store bytes where the guest may write; raises GuestFault otherwise."""
        if not self.access_ok(addr, len(data), write=True):
            raise GuestFault(addr, len(data))
        self._store(addr, data)

    def write_force(self, addr: int, data: bytes) -> None:
        """Store bytes into guest-owned memory whatever the guest's rights (loader, kernel).

        Raises GuestFault when any byte is outside the guest's mappings.
        """
        size = len(data)
        if size == 0:
            return
        pieces = [region.clip(addr, addr + size)
                  for region in self._overlapping(addr, addr + size)]
        if addr < 0 or sum(piece.size for piece in pieces) != size:
            raise GuestFault(addr, size)
        locked = [piece for piece in pieces
                  if not _host_prot(piece.prot, piece.flags) & PROT_WRITE]
        opened: list[Region] = []
        try:
            for piece in locked:
                low, high = piece.start & ~_PAGE_LOW, _page_align(piece.end)
                if _host_mprotect(low, high - low, PROT_READ | PROT_WRITE) < 0:
                    raise GuestFault(piece.start, piece.size)
                opened.append(piece)
            self._store(addr, data)
        finally:
            for piece in opened:
                low, high = piece.start & ~_PAGE_LOW, _page_align(piece.end)
                _host_mprotect(low, high - low, _host_prot(piece.prot, piece.flags))

    def _store(self, addr: int, data: bytes) -> None:
        if not data:
            return
        if not _guest_copy(bytes(data), addr, True):
            raise GuestFault(addr, len(data))

    def read_cstring(self, addr: int, limit: int = 4096) -> bytes:
        """The NUL-terminated string at addr, without its NUL.

        At most limit bytes are returned: a result of exactly limit bytes means no NUL
        was found within them. Raises GuestFault on an unreadable byte before the NUL.
        """
        found = bytearray()
        cursor = addr
        while len(found) < limit:
            chunk = min(PAGE_SIZE - (cursor & _PAGE_LOW), limit - len(found))
            data = self.read(cursor, chunk)
            nul = data.find(b"\0")
            if nul >= 0:
                return bytes(found + data[:nul])
            found += data
            cursor += chunk
        return bytes(found)

    def close(self) -> None:
        """Unmap every guest mapping (tests, or a second guest in one process)."""
        if self.is_current:
            self._lib.guest_map_use(self._ffi.NULL)
        for region in self.regions():
            _host_munmap(region.start, region.size)
            self._forget(region.start, region.end)
        state = self._brk_state
        state.start_brk = state.brk = state.brk_top = 0
        self._next_start = self.mmap_base
