# SPDX-License-Identifier: GPL-2.0-or-later
"""What the ELF fuzzer taught pyqemu/linux_user/mmap.py, tested on GuestMemory itself with
a listener that records what an engine would be told.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_seeds import SeedToolMissing, build_seed
from prerequisites import missing

from pyqemu.linux_user.elfload import load_elf_binary
from pyqemu.linux_user.mmap import (
    MAP_ANONYMOUS,
    MAP_FIXED,
    MAP_FIXED_NOREPLACE,
    MAP_PRIVATE,
    PAGE_SIZE,
    PROT_EXEC,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
    GuestMemory,
    guest_rights,
)


class Recorder:
    """A MemoryListener that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int, int]] = []

    def on_map(self, start: int, size: int, prot: int) -> None:
        self.calls.append(("map", start, size, prot))

    def on_unmap(self, start: int, size: int) -> None:
        self.calls.append(("unmap", start, size, 0))

    def on_protect(self, start: int, size: int, prot: int) -> None:
        self.calls.append(("protect", start, size, prot))


@pytest.fixture
def memory() -> Iterator[GuestMemory]:
    mem = GuestMemory()
    try:
        yield mem
    finally:
        mem.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return build_seed("asm-nostdlib", tmp_path_factory.mktemp("tiny"))
    except SeedToolMissing as exc:
        missing(str(exc))


def test_loader_tells_the_engine_only_the_final_map(memory: GuestMemory, tiny: Path) -> None:
    # each segment mapped over the reservation used to reach the engine as an unmap,
    # whose cost grows with the size: a 64 TiB p_memsz took hours
    recorder = Recorder()
    memory.add_listener(recorder)
    load_elf_binary(str(tiny), [str(tiny)], [], memory)
    assert [call for call in recorder.calls if call[0] != "map"] == []
    told = sorted((start, size) for _kind, start, size, _prot in recorder.calls)
    assert told == sorted((region.start, region.size) for region in memory.regions())


def test_changes_inside_a_deferred_block_arrive_as_their_net_effect(
        memory: GuestMemory) -> None:
    recorder = Recorder()
    memory.add_listener(recorder)
    rw, anon = PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS
    kept = memory.target_mmap(0, PAGE_SIZE, PROT_EXEC, anon, -1, 0)  # no merging with the next
    changed = memory.target_mmap(0, 2 * PAGE_SIZE, rw, anon, -1, 0)
    recorder.calls.clear()
    with memory.deferred_listeners():
        gone = memory.target_mmap(0, PAGE_SIZE, rw, anon, -1, 0)
        assert memory.target_munmap(gone, PAGE_SIZE) == 0
        assert memory.target_mprotect(changed, PAGE_SIZE, PROT_READ) == 0
        assert recorder.calls == []
    assert ("unmap", changed, 2 * PAGE_SIZE, 0) in recorder.calls
    assert ("map", changed, PAGE_SIZE, PROT_READ) in recorder.calls
    assert ("map", changed + PAGE_SIZE, PAGE_SIZE, rw) in recorder.calls
    assert all(call[1] not in (kept, gone) for call in recorder.calls)


def test_page_zero_is_refused(memory: GuestMemory) -> None:
    # the engine finds guest memory at the same host address and cannot take NULL
    for flags in (MAP_FIXED, MAP_FIXED_NOREPLACE):
        assert memory.target_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | flags,
                                  -1, 0) == -errno.EPERM
    assert memory.find_region(0) is None


def test_a_misaligned_fixed_address_comes_before_a_range_too_large(
        memory: GuestMemory) -> None:
    flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED
    assert memory.target_mmap(0x10001, 1 << 62, PROT_READ, flags, -1, 0) == -errno.EINVAL
    assert memory.target_mmap(0x10000, 1 << 62, PROT_READ, flags, -1, 0) == -errno.ENOMEM


def test_executable_pages_are_readable_by_guest_code_only(memory: GuestMemory) -> None:
    # x86 has no exec-only pages (qemu maps them readable): the engine gets read rights;
    # syscalls keep to the guest's own prot, as qemu's page flags do
    assert guest_rights(PROT_EXEC) == PROT_EXEC | PROT_READ
    assert guest_rights(PROT_WRITE) == PROT_WRITE | PROT_READ
    assert guest_rights(PROT_NONE) == PROT_NONE
    recorder = Recorder()
    memory.add_listener(recorder)
    addr = memory.target_mmap(0, PAGE_SIZE, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    assert recorder.calls == [("map", addr, PAGE_SIZE, PROT_EXEC | PROT_READ)]
    assert not memory.access_ok(addr, 1)
    assert memory.find_region(addr).prot == PROT_EXEC
