# SPDX-License-Identifier: GPL-2.0-or-later
"""Tests of pyqemu/linux_user/mmap.py, the counterpart of QEMU's linux-user/mmap.c.

Every guest mapping is a real host mapping at the guest address, so the checks look at
the region list, at the host's /proc/self/maps and at the bytes themselves.
"""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

import harness
import pytest

from pyqemu.errors import GuestFault
from pyqemu.linux_user.mmap import (
    MAP_ANONYMOUS,
    MAP_FIXED,
    MAP_FIXED_NOREPLACE,
    MAP_PRIVATE,
    MAP_SHARED,
    MREMAP_DONTUNMAP,
    MREMAP_FIXED,
    MREMAP_MAYMOVE,
    PAGE_SIZE,
    PROT_EXEC,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
    TASK_SIZE,
    GuestMemory,
)

RW = PROT_READ | PROT_WRITE
ANON = MAP_PRIVATE | MAP_ANONYMOUS


def anon(mem: GuestMemory, pages: int, prot: int = RW, addr: int = 0, flags: int = 0) -> int:
    result = mem.target_mmap(addr, pages * PAGE_SIZE, prot, ANON | flags, -1, 0)
    assert result >= 0, os.strerror(-result)
    return result


def layout(mem: GuestMemory) -> list[tuple[int, int, int]]:
    return [(r.start, r.end, r.prot) for r in mem.regions()]


def host_maps() -> dict[int, tuple[int, str, str]]:
    """start -> (end, permissions, path) from the host's /proc/self/maps."""
    found = {}
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            low, high = (int(part, 16) for part in fields[0].split("-"))
            found[low] = (high, fields[1], fields[5].strip() if len(fields) > 5 else "")
    return found


class PageMirror:
    """A listener that keeps its own page -> prot map, as the engine would."""

    def __init__(self) -> None:
        self.pages: dict[int, int] = {}

    def on_map(self, start: int, size: int, prot: int) -> None:
        for page in range(start, start + size, PAGE_SIZE):
            assert page not in self.pages, f"on_map over mapped page {page:#x}"
            self.pages[page] = prot

    def on_unmap(self, start: int, size: int) -> None:
        for page in range(start, start + size, PAGE_SIZE):
            assert self.pages.pop(page, None) is not None, f"on_unmap of free page {page:#x}"

    def on_protect(self, start: int, size: int, prot: int) -> None:
        for page in range(start, start + size, PAGE_SIZE):
            assert page in self.pages, f"on_protect of free page {page:#x}"
            self.pages[page] = prot

    def agrees_with(self, mem: GuestMemory) -> bool:
        expected = {page: r.prot for r in mem.regions()
                    for page in range(r.start, r.end, PAGE_SIZE)}
        return expected == self.pages


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 48)  # 3 pages, byte i at offset i is i % 256
    return path


# --- placement --------------------------------------------------------------------------------


def test_anonymous_mappings_go_upward_from_mmap_base(guest_memory: GuestMemory) -> None:
    # the base's value itself is qemu's: test_placement_sequence_equals_qemus
    first = anon(guest_memory, 3)
    second = anon(guest_memory, 1)
    assert first == guest_memory.mmap_base and second == first + 3 * PAGE_SIZE
    assert guest_memory.target_munmap(first, 3 * PAGE_SIZE) == 0
    # like qemu 7.2's mmap_next_start, the hole below is not reused
    assert anon(guest_memory, 1) == second + PAGE_SIZE


def test_a_free_hint_is_honoured(guest_memory: GuestMemory) -> None:
    hint = guest_memory.mmap_base + 0x100000
    assert anon(guest_memory, 2, addr=hint) == hint
    # a taken hint moves the mapping up, past what is there
    assert anon(guest_memory, 2, addr=hint) == hint + 2 * PAGE_SIZE


def test_placement_steps_over_the_emulators_own_memory(guest_memory: GuestMemory) -> None:
    buffer = ctypes.create_string_buffer(b"host data", 64)
    host_page = ctypes.addressof(buffer) & ~(PAGE_SIZE - 1)
    placed = anon(guest_memory, 4, addr=host_page)
    assert not placed <= ctypes.addressof(buffer) < placed + 4 * PAGE_SIZE
    assert buffer.value == b"host data"


def test_map_fixed_never_replaces_host_memory(guest_memory: GuestMemory) -> None:
    buffer = ctypes.create_string_buffer(b"host data", 64)
    host_page = ctypes.addressof(buffer) & ~(PAGE_SIZE - 1)
    assert guest_memory.target_mmap(host_page, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0) == (
        -errno.ENOMEM)
    assert guest_memory.target_mmap(host_page, PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE,
                                    -1, 0) == -errno.EEXIST
    assert guest_memory.target_munmap(host_page, PAGE_SIZE) == 0  # not the guest's: no-op
    assert guest_memory.target_mprotect(host_page, PAGE_SIZE, PROT_NONE) == -errno.ENOMEM
    assert buffer.value == b"host data"
    assert guest_memory.regions() == []


def test_map_fixed_replaces_the_guests_own_mapping(guest_memory: GuestMemory) -> None:
    base = anon(guest_memory, 4)
    guest_memory.write(base, b"old" * 100)
    # covers the last two pages and two free pages after them
    at = base + 2 * PAGE_SIZE
    assert guest_memory.target_mmap(at, 4 * PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, -1, 0) == at
    assert layout(guest_memory) == [(base, at, RW), (at, at + 4 * PAGE_SIZE, PROT_READ)]
    assert guest_memory.read(base, 3) == b"old"
    assert guest_memory.read(at, 4) == bytes(4)
    assert guest_memory.target_mmap(base, PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0) == (
        -errno.EEXIST)


@pytest.mark.parametrize(("addr", "length", "flags", "fd", "offset", "expected"), [
    (0, 0, ANON, -1, 0, errno.EINVAL),                            # zero length
    (0, PAGE_SIZE, MAP_ANONYMOUS, -1, 0, errno.EINVAL),           # neither shared nor private
    (0, PAGE_SIZE, ANON, -1, 100, errno.EINVAL),                  # unaligned offset
    (0x7000001, PAGE_SIZE, ANON | MAP_FIXED, -1, 0, errno.EINVAL),  # unaligned fixed
    (0, 1 << 50, ANON, -1, 0, errno.ENOMEM),                      # more than user space
    (TASK_SIZE - PAGE_SIZE, 2 * PAGE_SIZE, ANON | MAP_FIXED, -1, 0, errno.ENOMEM),
    (0, PAGE_SIZE, MAP_PRIVATE, 987, 0, errno.EBADF),             # no such fd
])
def test_mmap_argument_errors(guest_memory: GuestMemory, addr: int, length: int, flags: int,
                              fd: int, offset: int, expected: int) -> None:
    assert guest_memory.target_mmap(addr, length, RW, flags, fd, offset) == -expected
    assert guest_memory.regions() == []


def test_huge_private_writable_mapping_is_enomem(guest_memory: GuestMemory) -> None:
    if Path("/proc/sys/vm/overcommit_memory").read_text().strip() == "1":
        pytest.skip("the host overcommits without limit (vm.overcommit_memory = 1)")
    assert guest_memory.target_mmap(0, 1 << 46, RW, ANON, -1, 0) == -errno.ENOMEM


def test_write_only_fd_cannot_be_mapped(guest_memory: GuestMemory, data_file: Path) -> None:
    fd = os.open(data_file, os.O_WRONLY)
    try:
        assert guest_memory.target_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0) == (
            -errno.EACCES)
    finally:
        os.close(fd)


# --- file mappings ----------------------------------------------------------------------------


def test_file_mapping_shows_in_host_maps_at_the_guest_address(
        guest_memory: GuestMemory, data_file: Path) -> None:
    fd = os.open(data_file, os.O_RDONLY)
    try:
        addr = guest_memory.target_mmap(0, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, PAGE_SIZE)
    finally:
        os.close(fd)
    assert addr == guest_memory.mmap_base
    end, _, path = host_maps()[addr]
    assert (end, path) == (addr + 2 * PAGE_SIZE, str(data_file))
    region = guest_memory.find_region(addr)
    assert region is not None
    assert (region.path, region.offset, region.prot) == (str(data_file), PAGE_SIZE, PROT_READ)
    assert guest_memory.read(addr, 2 * PAGE_SIZE) == data_file.read_bytes()[PAGE_SIZE:]
    # private: the emulator may patch it, the file stays as it was
    guest_memory.write_force(addr, b"patched")
    assert guest_memory.read(addr, 7) == b"patched"
    assert data_file.read_bytes()[PAGE_SIZE:PAGE_SIZE + 7] == bytes(range(7))


def test_shared_read_only_mapping_is_never_written(guest_memory: GuestMemory,
                                                   data_file: Path) -> None:
    fd = os.open(data_file, os.O_RDONLY)
    try:
        addr = guest_memory.target_mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0)
        assert guest_memory.target_mprotect(addr, PAGE_SIZE, RW) == -errno.EACCES
    finally:
        os.close(fd)
    with pytest.raises(GuestFault):
        guest_memory.write(addr, b"x")
    with pytest.raises(GuestFault):
        guest_memory.write_force(addr, b"x")
    assert data_file.read_bytes()[:1] == b"\0"


def test_shared_writable_mapping_writes_the_file(guest_memory: GuestMemory,
                                                 data_file: Path) -> None:
    fd = os.open(data_file, os.O_RDWR)
    try:
        addr = guest_memory.target_mmap(0, PAGE_SIZE, RW, MAP_SHARED, fd, 0)
    finally:
        os.close(fd)
    guest_memory.write(addr, b"shared!")
    assert guest_memory.target_munmap(addr, PAGE_SIZE) == 0
    assert data_file.read_bytes()[:7] == b"shared!"


def test_pages_past_the_end_of_the_file_fault_instead_of_crashing(
        guest_memory: GuestMemory, tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"tiny")
    fd = os.open(small, os.O_RDONLY)
    try:
        addr = guest_memory.target_mmap(0, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0)
    finally:
        os.close(fd)
    assert guest_memory.read(addr, 5) == b"tiny\0"
    with pytest.raises(GuestFault):  # natively SIGBUS; here the emulator must survive
        guest_memory.read(addr + PAGE_SIZE, 8)


# --- munmap, mprotect, mremap -----------------------------------------------------------------


def test_partial_munmap_and_mprotect_split_and_merge(guest_memory: GuestMemory) -> None:
    base = anon(guest_memory, 5)
    page = PAGE_SIZE
    assert guest_memory.target_mprotect(base + page, 2 * page, PROT_READ) == 0
    assert layout(guest_memory) == [(base, base + page, RW), (base + page, base + 3 * page,
                                    PROT_READ), (base + 3 * page, base + 5 * page, RW)]
    assert guest_memory.target_mprotect(base + page, 2 * page, RW) == 0
    assert layout(guest_memory) == [(base, base + 5 * page, RW)]
    assert guest_memory.target_munmap(base + 2 * page, page) == 0
    assert layout(guest_memory) == [(base, base + 2 * page, RW), (base + 3 * page,
                                    base + 5 * page, RW)]
    assert guest_memory.target_mprotect(base, 5 * page, PROT_READ) == -errno.ENOMEM
    assert guest_memory.target_mprotect(base + 1, page, PROT_READ) == -errno.EINVAL
    assert guest_memory.target_mprotect(base, page, 0x10) == -errno.EINVAL
    assert guest_memory.target_munmap(base + 1, page) == -errno.EINVAL
    assert guest_memory.target_munmap(base, 0) == -errno.EINVAL
    assert guest_memory.target_munmap(base, 5 * page) == 0
    assert guest_memory.regions() == []


def test_prot_none_stays_prot_none_on_the_host(guest_memory: GuestMemory) -> None:
    base = anon(guest_memory, 2, prot=PROT_NONE)
    end, perms, _ = host_maps()[base]
    assert (end, perms[:3]) == (base + 2 * PAGE_SIZE, "---")
    with pytest.raises(GuestFault):
        guest_memory.read(base, 1)
    guest_memory.write_force(base, b"loader")  # the kernel side may still write it
    assert host_maps()[base][1][:3] == "---"
    assert guest_memory.target_mprotect(base, PAGE_SIZE, PROT_READ) == 0
    assert guest_memory.read(base, 6) == b"loader"


def test_mremap_grows_in_place_moves_and_shrinks(guest_memory: GuestMemory) -> None:
    page = PAGE_SIZE
    base = anon(guest_memory, 2)
    guest_memory.write(base, b"keep me")
    assert guest_memory.target_mremap(base, 2 * page, 3 * page, 0, 0) == base
    assert layout(guest_memory) == [(base, base + 3 * page, RW)]
    anon(guest_memory, 1, addr=base + 3 * page, flags=MAP_FIXED)  # block growth in place
    assert guest_memory.target_mremap(base, 3 * page, 5 * page, 0, 0) == -errno.ENOMEM
    moved = guest_memory.target_mremap(base, 3 * page, 5 * page, MREMAP_MAYMOVE, 0)
    assert moved >= base + 4 * page
    assert guest_memory.read(moved, 7) == b"keep me"
    assert guest_memory.find_region(base) is None
    assert guest_memory.target_mremap(moved, 5 * page, page, 0, 0) == moved
    assert guest_memory.find_region(moved + page) is None
    target = moved + 64 * page
    assert guest_memory.target_mremap(moved, page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED,
                                      target) == target
    assert guest_memory.read(target, 7) == b"keep me"
    assert guest_memory.target_mremap(moved, page, page, 0, 0) == -errno.EFAULT
    assert guest_memory.target_mremap(target, page, page, MREMAP_FIXED, 0) == -errno.EINVAL
    # a new size of 0: qemu-x86_64 7.2's range check comes first (ENOMEM; Linux: EINVAL)
    assert guest_memory.target_mremap(target, page, 0, 0, 0) == -errno.ENOMEM


def test_mremap_dontunmap_moves_and_leaves_the_old_range_empty(
        guest_memory: GuestMemory) -> None:
    base = anon(guest_memory, 2)
    guest_memory.write(base, b"data")
    moved = guest_memory.target_mremap(base, 2 * PAGE_SIZE, 2 * PAGE_SIZE,
                                       MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0)
    if moved == -errno.EINVAL:
        pytest.skip("the host kernel has no MREMAP_DONTUNMAP (Linux < 5.7)")
    assert moved not in (base, base + PAGE_SIZE)
    assert guest_memory.read(moved, 4) == b"data"
    assert guest_memory.read(base, 4) == bytes(4)
    assert guest_memory.target_mremap(base, PAGE_SIZE, 2 * PAGE_SIZE,
                                      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0) == -errno.EINVAL


# --- brk ----------------------------------------------------------------------------------------


def test_brk_grows_shrinks_and_refuses_what_it_cannot_take(guest_memory: GuestMemory) -> None:
    start = guest_memory.mmap_base + 0x1000000
    guest_memory.set_brk(start - 100)
    assert guest_memory.target_brk(0) == start
    assert guest_memory.target_brk(start - 1) == start  # below the start: unchanged
    assert guest_memory.target_brk(start + 3 * PAGE_SIZE) == start + 3 * PAGE_SIZE
    guest_memory.write(start + 2 * PAGE_SIZE + 10, b"heap")
    assert guest_memory.target_brk(start + 2 * PAGE_SIZE) == start + 2 * PAGE_SIZE
    # the page stays mapped, as qemu 7.2's do_brk leaves it (tests/linux_user/
    # test_fast_mmap.py shows it against qemu)
    assert guest_memory.find_region(start + 2 * PAGE_SIZE) is not None
    assert guest_memory.target_brk(start + 3 * PAGE_SIZE) == start + 3 * PAGE_SIZE
    assert guest_memory.read(start + 2 * PAGE_SIZE + 10, 4) == bytes(4)
    anon(guest_memory, 1, addr=start + 4 * PAGE_SIZE, flags=MAP_FIXED)
    assert guest_memory.target_brk(start + 6 * PAGE_SIZE) == start + 3 * PAGE_SIZE


# --- access checks ------------------------------------------------------------------------------


def test_access_checks_follow_the_guest_rights(guest_memory: GuestMemory) -> None:
    base = anon(guest_memory, 3, prot=PROT_READ)
    assert guest_memory.target_mprotect(base + PAGE_SIZE, PAGE_SIZE, RW) == 0
    assert guest_memory.target_mprotect(base + 2 * PAGE_SIZE, PAGE_SIZE, PROT_EXEC) == 0
    assert guest_memory.access_ok(base, 2 * PAGE_SIZE)
    assert not guest_memory.access_ok(base, 2 * PAGE_SIZE, write=True)
    assert guest_memory.access_ok(base + PAGE_SIZE, PAGE_SIZE, write=True)
    assert not guest_memory.access_ok(base + 2 * PAGE_SIZE, 1)  # exec-only, as in qemu
    assert not guest_memory.access_ok(base - 1, 2)
    assert guest_memory.access_ok(base - 1, 0)
    with pytest.raises(GuestFault):
        guest_memory.write(base, b"x")
    guest_memory.write_force(base, b"forced")
    assert guest_memory.read(base, 6) == b"forced"
    with pytest.raises(GuestFault):
        guest_memory.write_force(base + 3 * PAGE_SIZE - 2, b"past the end")


def test_read_cstring_crosses_pages_and_stops_at_faults(guest_memory: GuestMemory) -> None:
    base = anon(guest_memory, 2)
    guest_memory.write(base + PAGE_SIZE - 3, b"abcdef\0tail")
    assert guest_memory.read_cstring(base + PAGE_SIZE - 3) == b"abcdef"
    assert guest_memory.read_cstring(base + PAGE_SIZE - 3, limit=4) == b"abcd"
    guest_memory.write(base + 2 * PAGE_SIZE - 2, b"no")
    with pytest.raises(GuestFault):
        guest_memory.read_cstring(base + 2 * PAGE_SIZE - 2)


# --- listeners ----------------------------------------------------------------------------------


def test_listener_sees_every_change(guest_memory: GuestMemory, data_file: Path) -> None:
    before = anon(guest_memory, 2)
    mirror = PageMirror()
    guest_memory.add_listener(mirror)  # replays the existing mapping
    assert mirror.agrees_with(guest_memory)
    base = anon(guest_memory, 6)
    guest_memory.target_mprotect(base + PAGE_SIZE, PAGE_SIZE, PROT_READ)
    guest_memory.target_munmap(base + 3 * PAGE_SIZE, PAGE_SIZE)
    anon(guest_memory, 3, prot=PROT_NONE, addr=base + 2 * PAGE_SIZE, flags=MAP_FIXED)
    fd = os.open(data_file, os.O_RDONLY)
    try:
        guest_memory.target_mmap(before, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0)
    finally:
        os.close(fd)
    moved = guest_memory.target_mremap(base, PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0)
    assert moved > 0
    guest_memory.set_brk(moved + 64 * PAGE_SIZE)
    guest_memory.target_brk(moved + 70 * PAGE_SIZE)
    guest_memory.target_brk(moved + 66 * PAGE_SIZE)
    assert mirror.agrees_with(guest_memory)
    guest_memory.close()
    assert mirror.pages == {}


def test_every_guest_region_is_a_host_mapping(guest_memory: GuestMemory,
                                              data_file: Path) -> None:
    anon(guest_memory, 4)
    fd = os.open(data_file, os.O_RDONLY)
    try:
        guest_memory.target_mmap(0, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0)
    finally:
        os.close(fd)
    host = host_maps()
    for region in guest_memory.regions():
        cursor = region.start
        while cursor < region.end:  # the host may split a guest region in several VMAs
            assert cursor in host, hex(cursor)
            cursor = host[cursor][0]
        assert cursor == region.end


# --- placement, against qemu-x86_64 ----------------------------------------------------------

PLACEMENT_GUEST = r"""
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static void *anon(void *hint, size_t pages) {
    return mmap(hint, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char **argv) {
    (void)argc;
    char *first = anon(NULL, 3), *second = anon(NULL, 1);
    printf("first %p\nsecond %p\n", first, second);
    munmap(first, 3 * 4096);
    printf("after munmap %p\n", anon(NULL, 1));
    char *hint = second + 0x100000, *honoured = anon(hint, 2);
    printf("hint %p\n", honoured);
    /* a taken hint: qemu 7.2 keeps what the host kernel gives (an ASLR address), so only
       whether the hint was used is compared */
    printf("taken hint reused: %d\n", anon(hint, 2) == hint);
    int fd = open(argv[0], O_RDONLY);
    printf("file %p\n", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0));
    printf("next %p\n", anon(NULL, 1));
    printf("brk %p\n", sbrk(0));
    return 0;
}
"""


def test_placement_sequence_equals_qemus(tmp_path: Path) -> None:
    """Where non-fixed mappings go (TASK_UNMAPPED_BASE, the hole left by munmap, a taken
    hint, a file) and where brk starts: the addresses qemu-x86_64 7.2 gives, exactly."""
    source = tmp_path / "placement.c"
    source.write_text(PLACEMENT_GUEST)
    program = str(harness.compile_guest(source, tmp_path / "placement", "musl-static"))
    qemu = harness.run_qemu([program])
    ours = harness.run_pyqemu([program])
    assert qemu.returncode == 0 and "file 0x" in qemu.stdout, qemu.describe()
    harness.assert_same_run(qemu, ours)
