# SPDX-License-Identifier: GPL-2.0-or-later
"""The drcov module table from /proc/self/maps: the map-reading half of contrib/plugins/drcov.c.

In user mode the guest's file mappings appear in the emulator's own
/proc/self/maps at their guest addresses (guest_base 0), so a module is one
run of consecutive lines that map the same file (same device, inode and
path, file offsets not going back), spanning [lowest start, highest end).
A block outside every known module makes the table re-read the maps (a
library dlopen'ed late); an address in no file mapping is remembered as
foreign until the guest's next system call, so JIT code does not re-read
the maps for every block.  The rules are drcov.c's, line for line.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_FOREIGN_RANGES = 64
_NOT_FILES = ("/dev/zero", "/memfd:", "/SYSV")


@dataclass
class Module:
    """One file seen in /proc/self/maps."""

    base: int          # lowest mapped address
    end: int           # highest mapped address + 1
    base_offset: int   # file offset mapped at base
    dev: tuple[int, int]
    inode: int
    path: str
    live: bool = True  # present in the latest read of the maps


@dataclass
class MapLine:
    start: int
    end: int
    offset: int
    dev: tuple[int, int]
    inode: int
    path: str

    @property
    def is_file(self) -> bool:
        """A real file, not anonymous memory, [heap] or shared anonymous memory."""
        return self.inode != 0 and self.path.startswith("/") and \
            not self.path.startswith(_NOT_FILES)


def parse_map_line(text: str) -> MapLine | None:
    fields = text.rstrip("\n").split(None, 5)
    if len(fields) < 5:
        return None
    try:
        start, end = (int(x, 16) for x in fields[0].split("-"))
        major, minor = (int(x, 16) for x in fields[3].split(":"))
        offset, inode = int(fields[2], 16), int(fields[4])
    except ValueError:
        return None
    path = fields[5] if len(fields) == 6 else ""
    if path.endswith(" (deleted)") and len(path) > 10:
        path = path[:-10]
    return MapLine(start, end, offset, (major, minor), inode, path)


class ModuleTable:
    """Modules in the order first seen; lookups by address, newest mapping first."""

    def __init__(self) -> None:
        self.modules: list[Module] = []
        self.syscall_generation = 0
        self._foreign: list[tuple[int, int]] = []
        self._foreign_next = 0
        self._foreign_generation = 0

    def _merge(self, run: Module) -> None:
        for known in self.modules:
            if (known.base, known.dev, known.inode, known.path) == \
                    (run.base, run.dev, run.inode, run.path):
                known.live = True
                known.end = max(known.end, run.end)
                return
        self.modules.append(run)

    def _remember_foreign(self, start: int, end: int) -> None:
        if len(self._foreign) < MAX_FOREIGN_RANGES:
            self._foreign.append((start, end))
        else:
            self._foreign[self._foreign_next] = (start, end)
        self._foreign_next = (self._foreign_next + 1) % MAX_FOREIGN_RANGES

    def scan(self, addr: int | None = None) -> None:
        """Re-read /proc/self/maps; remember addr's range as foreign when no file holds it."""
        try:
            with open("/proc/self/maps") as maps:
                lines = maps.readlines()
        except OSError:
            return
        for module in self.modules:
            module.live = False
        run: Module | None = None
        run_last_offset = 0
        addr_seen = False
        for text in lines:
            line = parse_map_line(text)
            if line is None:
                continue
            if addr is not None and line.start <= addr < line.end:
                addr_seen = True
                if not line.is_file:
                    self._remember_foreign(line.start, line.end)
            if not line.is_file:
                if run is not None:
                    self._merge(run)
                    run = None
                continue
            if run is not None and (line.dev, line.inode, line.path) == \
                    (run.dev, run.inode, run.path) and line.offset >= run_last_offset:
                run.end = line.end
                run_last_offset = line.offset
                continue
            if run is not None:
                self._merge(run)
            run = Module(line.start, line.end, line.offset, line.dev, line.inode, line.path)
            run_last_offset = line.offset
        if run is not None:
            self._merge(run)
        if addr is not None and not addr_seen:
            self._remember_foreign(addr & ~0xFFF, (addr | 0xFFF) + 1)

    def find(self, addr: int) -> int:
        """Index of the live module holding addr, or -1."""
        for index in range(len(self.modules) - 1, -1, -1):
            module = self.modules[index]
            if module.live and module.base <= addr < module.end:
                return index
        return -1

    def _is_known_foreign(self, addr: int) -> bool:
        if self._foreign_generation != self.syscall_generation:
            return False
        return any(start <= addr < end for start, end in self._foreign)

    def module_for(self, addr: int) -> int:
        """The module holding addr, reading the maps again if needed."""
        index = self.find(addr)
        if index >= 0 or self._is_known_foreign(addr):
            return index
        if self._foreign_generation != self.syscall_generation:
            self._foreign.clear()
            self._foreign_next = 0
            self._foreign_generation = self.syscall_generation
        self.scan(addr)
        return self.find(addr)


_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PF_X = 1, 1


@dataclass
class ElfFacts:
    """What a module's ELF headers say, moved to where it is mapped; 0 when unknown."""

    entry: int = 0
    text_start: int = 0
    text_end: int = 0


def read_elf_facts(module: Module) -> ElfFacts:
    """The entry point and the bounds of the executable segments of module's file."""
    try:
        with open(module.path, "rb") as f:
            header = f.read(_EHDR.size)
            if len(header) != _EHDR.size or not header.startswith(b"\x7fELF") or header[4] != 2:
                return ElfFacts()
            fields = _EHDR.unpack(header)
            e_entry, e_phoff, e_phentsize, e_phnum = fields[4], fields[5], fields[9], fields[10]
            if e_phentsize != _PHDR.size:
                return ElfFacts()
            f.seek(e_phoff)
            table = f.read(e_phnum * _PHDR.size)
    except OSError:
        return ElfFacts()
    if len(table) != e_phnum * _PHDR.size:
        return ElfFacts()
    bias: int | None = None
    text_lo, text_hi = (1 << 64) - 1, 0
    for i in range(e_phnum):
        p_type, p_flags, p_offset, p_vaddr, _paddr, p_filesz, _memsz, _align = \
            _PHDR.unpack_from(table, i * _PHDR.size)
        if p_type != PT_LOAD:
            continue
        if bias is None:   # file offset base_offset sits at base
            bias = (module.base - module.base_offset - (p_vaddr - p_offset)) % (1 << 64)
        if p_flags & PF_X:
            text_lo = min(text_lo, p_vaddr)
            text_hi = max(text_hi, p_vaddr + p_filesz)
    if bias is None:
        return ElfFacts()
    facts = ElfFacts()
    entry = (e_entry + bias) % (1 << 64)
    if e_entry and module.base <= entry < module.end:
        facts.entry = entry
    if text_lo < text_hi:
        facts.text_start = (text_lo + bias) % (1 << 64)
        facts.text_end = (text_hi + bias) % (1 << 64)
    return facts
