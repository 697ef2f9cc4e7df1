# SPDX-License-Identifier: GPL-2.0-or-later
"""Strict reader for the drcov files contrib/plugins/drcov.c writes.

Mirrors the reading side of DynamoRIO's drcov log format as Lighthouse's drcov.py parses it
(drcov version 2, module table version 2 with the Linux columns), but rejects anything that
format allows loosely and the plugin never writes: every header line must be byte-exact, hex
fields are lowercase with a 0x prefix and no leading zeros, module lines must split on ", "
into exactly five fields (Lighthouse's rule, so the path is last and holds no ", "), ids run
0..N-1, and exactly N 8-byte records follow the "BB Table" line, each with a non-zero size and
a valid module id. With module_relative (drcov2 layout) every block must also lie inside its
module; QEMU 7.0's layout (format=qemu7) stores absolute, truncated starts instead.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

VERSION_LINE = b"DRCOV VERSION: 2\n"
FLAVOR_LINE = b"DRCOV FLAVOR: drcov-64\n"
COLUMNS_LINE = b"Columns: id, base, end, entry, path\n"
BLOCK_RECORD = struct.Struct("<IHH")  # DynamoRIO's bb_entry_t: start, size, mod_id

_DECIMAL = r"(?:0|[1-9][0-9]*)"
_HEX = r"0x(?:0|[1-9a-f][0-9a-f]*)"
_MODULE_TABLE_LINE = re.compile(rb"Module Table: version 2, count (" + _DECIMAL.encode() + rb")\n")
_BB_TABLE_LINE = re.compile(rb"BB Table: (" + _DECIMAL.encode() + rb") bbs\n")
_MODULE_LINE = re.compile(rf"({_DECIMAL}), ({_HEX}), ({_HEX}), ({_HEX}), (/.*)")


class DrcovFormatError(ValueError):
    """The data is not a drcov file as contrib/plugins/drcov.c writes them."""


@dataclass(frozen=True)
class DrcovModule:
    """One module table line: where a file was mapped, and its path."""

    id: int
    base: int
    end: int
    entry: int
    path: str

    @property
    def basename(self) -> str:
        """The file name without its directory, as Lighthouse matches modules."""
        return os.path.basename(self.path)


@dataclass(frozen=True)
class DrcovBlock:
    """One BB table record: start (module offset, or truncated address), size, module id."""

    start: int
    size: int
    mod_id: int


@dataclass(frozen=True)
class DrcovFile:
    """A whole parsed drcov file."""

    modules: tuple[DrcovModule, ...]
    blocks: tuple[DrcovBlock, ...]

    def module_named(self, basename: str) -> DrcovModule:
        """Return the only module whose file is called basename; KeyError if not exactly one."""
        found = [module for module in self.modules if module.basename == basename]
        if len(found) != 1:
            raise KeyError(f"{len(found)} modules named {basename!r}")
        return found[0]

    def blocks_in(self, module: DrcovModule) -> set[tuple[int, int]]:
        """Return the (start, size) pairs recorded for module."""
        return {(b.start, b.size) for b in self.blocks if b.mod_id == module.id}

    def coverage_by_path(self) -> set[tuple[str, int, int]]:
        """Return every block as (module path, start, size), comparable across runs."""
        paths = {module.id: module.path for module in self.modules}
        return {(paths[b.mod_id], b.start, b.size) for b in self.blocks}


def _take_line(data: bytes, pos: int, what: str) -> tuple[bytes, int]:
    end = data.find(b"\n", pos)
    if end < 0:
        raise DrcovFormatError(f"missing {what} line at byte {pos}")
    return data[pos : end + 1], end + 1


def _parse_module(line: bytes, expected_id: int) -> DrcovModule:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DrcovFormatError(f"module line is not UTF-8: {line!r}") from error
    text = text.removesuffix("\n")
    match = _MODULE_LINE.fullmatch(text)
    if match is None:
        raise DrcovFormatError(f"bad module line {text!r}")
    if len(text.split(", ")) != 5:
        raise DrcovFormatError(f"module line does not split into 5 fields on ', ': {text!r}")
    module = DrcovModule(
        id=int(match[1]),
        base=int(match[2], 16),
        end=int(match[3], 16),
        entry=int(match[4], 16),
        path=match[5],
    )
    if module.id != expected_id:
        raise DrcovFormatError(f"module id {module.id} where {expected_id} was due")
    if module.base >= module.end:
        raise DrcovFormatError(f"module {module.id} is empty: {text!r}")
    if module.entry and not module.base <= module.entry < module.end:
        raise DrcovFormatError(f"module {module.id} entry lies outside it: {text!r}")
    return module


def parse_drcov(data: bytes, *, module_relative: bool = True) -> DrcovFile:
    """Parse a drcov file's bytes.

    data: the whole file; module_relative: blocks hold offsets into their module (drcov2
    layout) and must lie inside it; False for QEMU 7.0's layout of absolute starts.
    Raises: DrcovFormatError at the first deviation.
    """
    pos = 0
    for expected, what in ((VERSION_LINE, "version"), (FLAVOR_LINE, "flavor")):
        line, pos = _take_line(data, pos, what)
        if line != expected:
            raise DrcovFormatError(f"{what} line {line!r}, expected {expected!r}")
    line, pos = _take_line(data, pos, "module table")
    table = _MODULE_TABLE_LINE.fullmatch(line)
    if table is None:
        raise DrcovFormatError(f"bad module table line {line!r}")
    line, pos = _take_line(data, pos, "columns")
    if line != COLUMNS_LINE:
        raise DrcovFormatError(f"columns line {line!r}, expected {COLUMNS_LINE!r}")
    modules = []
    for module_id in range(int(table[1])):
        line, pos = _take_line(data, pos, f"module {module_id}")
        modules.append(_parse_module(line, module_id))
    line, pos = _take_line(data, pos, "BB table")
    bb_table = _BB_TABLE_LINE.fullmatch(line)
    if bb_table is None:
        raise DrcovFormatError(f"bad BB table line {line!r}")
    n_blocks = int(bb_table[1])
    table_bytes = data[pos:]
    if len(table_bytes) != n_blocks * BLOCK_RECORD.size:
        raise DrcovFormatError(
            f"{len(table_bytes)} bytes of BB table for {n_blocks} records "
            f"({n_blocks * BLOCK_RECORD.size} expected)"
        )
    blocks = tuple(DrcovBlock(*fields) for fields in BLOCK_RECORD.iter_unpack(table_bytes))
    for index, block in enumerate(blocks):
        if block.size == 0:
            raise DrcovFormatError(f"block {index} has size 0")
        if block.mod_id >= len(modules):
            raise DrcovFormatError(f"block {index} names module {block.mod_id}")
        module = modules[block.mod_id]
        if module_relative and block.start + block.size > module.end - module.base:
            raise DrcovFormatError(
                f"block {index} at +{block.start:#x} ({block.size} bytes) overruns module "
                f"{module.id} ({module.end - module.base:#x} bytes)"
            )
    return DrcovFile(tuple(modules), blocks)


def read_drcov(path: Path, *, module_relative: bool = True) -> DrcovFile:
    """Read and parse the drcov file at path; see parse_drcov."""
    return parse_drcov(path.read_bytes(), module_relative=module_relative)
