# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded mutations of small ELF executables, for fuzzing QEMU's linux-user/elfload.c
counterpart (pyqemu/linux_user/elfload.py).

Pure Python and deterministic: mutant number i of a seed file is always the same bytes for
the same (seed, i), so a failure found in a long run is reproduced by its number alone.
Mutations aim where a loader looks: the ELF header, the program header table, the file's
length, and the header fields that carry sizes and addresses.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from dataclasses import dataclass

EHDR_SIZE = 64
PHDR_SIZE = 56
PAGE_SIZE = 4096

# (offset, struct format) of the ELF64 header fields, by the spec's names
EHDR_FIELDS: dict[str, tuple[int, str]] = {
    "e_type": (16, "<H"), "e_machine": (18, "<H"), "e_version": (20, "<I"),
    "e_entry": (24, "<Q"), "e_phoff": (32, "<Q"), "e_shoff": (40, "<Q"),
    "e_flags": (48, "<I"), "e_ehsize": (52, "<H"), "e_phentsize": (54, "<H"),
    "e_phnum": (56, "<H"), "e_shentsize": (58, "<H"), "e_shnum": (60, "<H"),
    "e_shstrndx": (62, "<H"),
}
# (offset inside one program header, struct format)
PHDR_FIELDS: dict[str, tuple[int, str]] = {
    "p_type": (0, "<I"), "p_flags": (4, "<I"), "p_offset": (8, "<Q"), "p_vaddr": (16, "<Q"),
    "p_paddr": (24, "<Q"), "p_filesz": (32, "<Q"), "p_memsz": (40, "<Q"), "p_align": (48, "<Q"),
}
PT_TYPES = (0, 1, 2, 3, 4, 6, 7, 0x6474E550, 0x6474E551, 0x6474E552, 0x60000000, 0xFFFFFFFF)


@dataclass(frozen=True)
class Mutant:
    """One mutated file: its bytes and what was done to the seed, for reports."""

    data: bytes
    steps: tuple[str, ...]


def _put(data: bytearray, at: int, fmt: str, value: int) -> bool:
    """Store value at at, unless an earlier truncation left no room; True if stored."""
    if at + struct.calcsize(fmt) > len(data):
        return False
    struct.pack_into(fmt, data, at, value)
    return True


def _interesting(rng: random.Random, size: int, file_size: int, width: int) -> int:
    """A value that tends to break size and address arithmetic."""
    top = (1 << (8 * width)) - 1
    choices = [0, 1, 2, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, file_size, file_size - 1,
               file_size + 1, file_size + PAGE_SIZE, 1 << 31, 1 << 32, 1 << 40, 1 << 46,
               1 << 47, (1 << 47) - PAGE_SIZE, 1 << 63, top, top - PAGE_SIZE + 1,
               0x400000, 0x10000, 0x7FFFFFFFF000, size, rng.getrandbits(8 * width)]
    return choices[rng.randrange(len(choices))] & top


class ElfMutator:
    """Produces mutants of one seed ELF; mutant(i) depends only on (seed bytes, salt, i)."""

    def __init__(self, seed: bytes, salt: int = 0) -> None:
        if len(seed) < EHDR_SIZE or seed[:4] != b"\x7fELF":
            raise ValueError("the seed must be an ELF file")
        self.seed = seed
        self.salt = salt
        self.phoff, = struct.unpack_from("<Q", seed, 32)
        self.phnum, = struct.unpack_from("<H", seed, 56)
        self._strategies: list[tuple[str, Callable[[random.Random, bytearray], str]]] = [
            ("flip_ehdr", self._flip_ehdr),
            ("flip_phdr", self._flip_phdr),
            ("bit_flip", self._bit_flip),
            ("ehdr_field", self._ehdr_field),
            ("phdr_field", self._phdr_field),
            ("phdr_type", self._phdr_type),
            ("truncate", self._truncate),
            ("duplicate_phdr", self._duplicate_phdr),
            ("swap_phdrs", self._swap_phdrs),
            ("phnum", self._phnum),
            ("random_bytes", self._random_bytes),
        ]

    def mutant(self, index: int) -> Mutant:
        """Mutant number index: one to three mutations stacked on the seed."""
        rng = random.Random(f"{self.salt}:{index}")
        data = bytearray(self.seed)
        steps = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            name, strategy = self._strategies[rng.randrange(len(self._strategies))]
            steps.append(f"{name}({strategy(rng, data)})")
        return Mutant(bytes(data), tuple(steps))

    # -- strategies: each edits data in place and returns a short description --------------

    def _table_span(self) -> tuple[int, int]:
        end = min(self.phoff + self.phnum * PHDR_SIZE, len(self.seed))
        return (self.phoff, end) if end > self.phoff else (EHDR_SIZE, EHDR_SIZE + PHDR_SIZE)

    def _flip_ehdr(self, rng: random.Random, data: bytearray) -> str:
        return self._flip_in(rng, data, 0, EHDR_SIZE)

    def _flip_phdr(self, rng: random.Random, data: bytearray) -> str:
        return self._flip_in(rng, data, *self._table_span())

    @staticmethod
    def _flip_in(rng: random.Random, data: bytearray, low: int, high: int) -> str:
        done = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            at = rng.randrange(low, min(high, len(data))) if len(data) > low else None
            if at is None:
                break
            data[at] ^= rng.randrange(1, 256)
            done.append(str(at))
        return ",".join(done)

    @staticmethod
    def _bit_flip(rng: random.Random, data: bytearray) -> str:
        if not data:
            return "empty"
        at = rng.randrange(min(len(data), 1024))
        bit = rng.randrange(8)
        data[at] ^= 1 << bit
        return f"{at}.{bit}"

    def _ehdr_field(self, rng: random.Random, data: bytearray) -> str:
        name = rng.choice(list(EHDR_FIELDS))
        offset, fmt = EHDR_FIELDS[name]
        value = _interesting(rng, EHDR_SIZE, len(data), struct.calcsize(fmt))
        if not _put(data, offset, fmt, value):
            return f"{name}:out-of-file"
        return f"{name}={value:#x}"

    def _phdr_field(self, rng: random.Random, data: bytearray) -> str:
        index = rng.randrange(max(self.phnum, 1))
        name = rng.choice(list(PHDR_FIELDS))
        offset, fmt = PHDR_FIELDS[name]
        at = self.phoff + index * PHDR_SIZE + offset
        if at + struct.calcsize(fmt) > len(data):
            return f"{index}.{name}:out-of-file"
        old, = struct.unpack_from(fmt, data, at)
        if rng.random() < 0.3:  # nudge rather than replace: off by a little
            value = (old + rng.choice((-PAGE_SIZE, -1, 1, PAGE_SIZE, 0x1000000)))
            value &= (1 << (8 * struct.calcsize(fmt))) - 1
        else:
            value = _interesting(rng, PHDR_SIZE, len(data), struct.calcsize(fmt))
        struct.pack_into(fmt, data, at, value)
        return f"{index}.{name}={value:#x}"

    def _phdr_type(self, rng: random.Random, data: bytearray) -> str:
        index = rng.randrange(max(self.phnum, 1))
        at = self.phoff + index * PHDR_SIZE
        if at + 4 > len(data):
            return f"{index}:out-of-file"
        value = rng.choice(PT_TYPES)
        _put(data, at, "<I", value)
        return f"{index}={value:#x}"

    def _truncate(self, rng: random.Random, data: bytearray) -> str:
        low, high = self._table_span()
        ranges = [(0, EHDR_SIZE), (EHDR_SIZE, high + 1), (high, len(data))]
        start, stop = ranges[rng.randrange(len(ranges))]
        length = rng.randrange(start, max(stop, start + 1))
        del data[length:]
        return str(length)

    def _duplicate_phdr(self, rng: random.Random, data: bytearray) -> str:
        if self.phnum < 2:
            return "skipped"
        src, dst = rng.sample(range(self.phnum), 2)
        entry = bytes(data[self.phoff + src * PHDR_SIZE:][:PHDR_SIZE])
        data[self.phoff + dst * PHDR_SIZE:self.phoff + dst * PHDR_SIZE + len(entry)] = entry
        return f"{src}->{dst}"

    def _swap_phdrs(self, rng: random.Random, data: bytearray) -> str:
        if self.phnum < 2:
            return "skipped"
        one, two = rng.sample(range(self.phnum), 2)
        a = self.phoff + one * PHDR_SIZE
        b = self.phoff + two * PHDR_SIZE
        if max(a, b) + PHDR_SIZE > len(data):
            return "out-of-file"
        first, second = bytes(data[a:a + PHDR_SIZE]), bytes(data[b:b + PHDR_SIZE])
        data[a:a + PHDR_SIZE], data[b:b + PHDR_SIZE] = second, first
        return f"{one}<->{two}"

    def _phnum(self, rng: random.Random, data: bytearray) -> str:
        value = max(0, self.phnum + rng.choice((-2, -1, 1, 2, 10, 1000, 0xFFFF - self.phnum)))
        value = min(value, 0xFFFF)
        return str(value) if _put(data, 56, "<H", value) else "out-of-file"

    @staticmethod
    def _random_bytes(rng: random.Random, data: bytearray) -> str:
        if not data:
            return "empty"
        at = rng.randrange(min(len(data), 1024))
        length = rng.randrange(1, 17)
        data[at:at + length] = rng.randbytes(length)
        return f"{at}+{length}"


class HeaderByteMutator:
    """The "header bytes" set: one to four bytes of the ELF header or the program header
    table replaced by other random values, nothing else touched (issue 25's set).

    Harsher on the loader than ElfMutator's field-aware strategies in one way: every byte
    of every program header is as likely to change, so flags, alignment and the high bytes
    of offsets and sizes change as often as the fields a loader checks first.  Same
    interface as ElfMutator: mutant(i) depends only on (seed bytes, salt, i).
    """

    def __init__(self, seed: bytes, salt: int = 0) -> None:
        if len(seed) < EHDR_SIZE or seed[:4] != b"\x7fELF":
            raise ValueError("the seed must be an ELF file")
        self.seed = seed
        self.salt = salt
        phoff, = struct.unpack_from("<Q", seed, 32)
        phnum, = struct.unpack_from("<H", seed, 56)
        table = range(phoff, min(phoff + phnum * PHDR_SIZE, len(seed)))
        self.offsets = sorted(set(range(EHDR_SIZE)) | set(table))

    def mutant(self, index: int) -> Mutant:
        rng = random.Random(f"header-bytes:{self.salt}:{index}")
        data = bytearray(self.seed)
        steps = []
        for at in sorted(rng.sample(self.offsets, rng.randint(1, 4))):
            value = rng.choice([v for v in range(256) if v != data[at]])
            steps.append(f"[{at}]{data[at]:#04x}->{value:#04x}")
            data[at] = value
        return Mutant(bytes(data), tuple(steps))


MUTATORS: dict[str, type[ElfMutator] | type[HeaderByteMutator]] = {
    "fields": ElfMutator, "header-bytes": HeaderByteMutator,
}
