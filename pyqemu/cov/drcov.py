# SPDX-License-Identifier: GPL-2.0-or-later
"""The drcov file format: read and write it (the job of DynamoRIO's drcovlib).

Reads what contrib/plugins/drcov.c writes (``DRCOV VERSION: 2``, module table
version 2) and what DynamoRIO's drcov writes (``DRCOV VERSION: 2`` or ``3``,
module table versions 2 to 5).  A file is a text header, a module table whose
``Columns:`` line names its fields (DynamoRIO's versions add
``containing_id``, ``offset``, ``preferred_base``, and on Windows
``checksum`` and ``timestamp``), then ``BB Table: N bbs`` and N packed
little-endian ``{uint32 start; uint16 size; uint16 mod_id}`` records, or
(``drcov -dump_text``) a ``module id, start, size:`` line and N lines
``module[ id]: 0x..., size``.  Each block start counts from the base of the
module entry it names.

In memory, coverage is keyed by module path, so runs with different load
addresses merge: every entry of one path is rebased to the lowest base seen
for that path in the file, which is the start of the whole image (DynamoRIO's
per-segment entries of one module, and drcov.c's entries for a file whose
mappings were split, both end up relative to the image's first mapping).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

BB_RECORD = struct.Struct("<IHH")
SUPPORTED_VERSIONS = (2, 3)
# Columns of a version 2 module table that has no Columns: line (DynamoRIO on Linux).
DEFAULT_COLUMNS = ("id", "base", "end", "entry", "path")
_TEXT_BB_LINE = re.compile(r"module\[\s*(\d+)\]:\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*(\d+)\s*$")


class DrcovError(ValueError):
    """The file is not a drcov file, or it is damaged; the text says what is wrong."""


@dataclass(frozen=True)
class Module:
    """One module (a mapped file): where it sat in the run that recorded it."""

    path: str
    base: int
    end: int
    entry: int = 0

    @property
    def size(self) -> int:
        return self.end - self.base


@dataclass
class Coverage:
    """Covered blocks per module path, each an (offset from the module's base, size) pair."""

    modules: dict[str, Module] = field(default_factory=dict)
    blocks: dict[str, set[tuple[int, int]]] = field(default_factory=dict)

    def add_module(self, module: Module) -> None:
        """Adds module, or widens the known module of the same path to cover its extent."""
        known = self.modules.get(module.path)
        if known is None:
            self.modules[module.path] = module
        elif module.size > known.size:
            self.modules[module.path] = Module(known.path, known.base, known.base + module.size,
                                               known.entry or module.entry)
        self.blocks.setdefault(module.path, set())

    def merge(self, other: Coverage) -> None:
        """Union of other into self: modules matched by path, blocks by (offset, size)."""
        for path, module in other.modules.items():
            self.add_module(module)
            self.blocks[path].update(other.blocks.get(path, ()))

    @property
    def n_blocks(self) -> int:
        return sum(len(b) for b in self.blocks.values())


@dataclass(frozen=True)
class _Entry:
    """One row of a file's module table."""

    id: int
    start: int
    end: int
    entry: int
    path: str


class _Lines:
    """The text part of a drcov file, one line at a time, with line numbers for errors."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.number = 0

    def next(self, what: str) -> str:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise DrcovError(f"file ends before {what} (after line {self.number})")
        line = self.data[self.pos:end].decode("utf-8", errors="surrogateescape").rstrip("\r")
        self.pos = end + 1
        self.number += 1
        return line

    def error(self, message: str) -> DrcovError:
        return DrcovError(f"line {self.number}: {message}")


def _number(text: str) -> int:
    text = text.strip()
    return int(text, 16) if text.lower().startswith("0x") else int(text, 10)


def _header_value(lines: _Lines, line: str, key: str) -> str:
    if not line.startswith(key + ":"):
        raise lines.error(f"expected '{key}:', got {line[:60]!r}")
    return line[len(key) + 1:].strip()


def _module_table_header(lines: _Lines, line: str) -> tuple[int, int]:
    """(table version, module count) from 'Module Table: version V, count N' or ': N'."""
    text = _header_value(lines, line, "Module Table")
    match = re.fullmatch(r"version\s+(\d+)\s*,\s*count\s+(\d+)", text)
    if match:
        return int(match.group(1)), int(match.group(2))
    if text.isdigit():
        return 1, int(text)
    raise lines.error(f"cannot read the module table header {line!r}")


def _split_row(columns: list[str], line: str) -> dict[str, str]:
    """Splits a module line into its columns; only the path may hold commas."""
    values = line.split(",")
    extra = len(values) - len(columns)
    if extra < 0 or (extra > 0 and "path" not in columns):
        raise DrcovError(f"has {len(values)} fields where the Columns line names {len(columns)}")
    at = columns.index("path") if "path" in columns else 0
    if extra:
        values[at:at + extra + 1] = [",".join(values[at:at + extra + 1])]
    return dict(zip(columns, (v.strip() for v in values), strict=True))


def _parse_module(lines: _Lines, columns: list[str], line: str) -> _Entry:
    try:
        row = _split_row(columns, line)
        start = row.get("start", row.get("base"))
        return _Entry(id=_number(row["id"]), start=_number(start or ""),
                      end=_number(row["end"]), entry=_number(row.get("entry", "0")),
                      path=row["path"])
    except (DrcovError, ValueError) as exc:
        raise lines.error(f"bad module line {line[:80]!r}: {exc}") from None


def _read_columns(lines: _Lines, version: int, count: int) -> tuple[list[str], str]:
    """The table's columns and the first line after the Columns: line."""
    line = lines.next("the module table")
    if line.startswith("Columns:"):
        columns = [c.strip() for c in line[len("Columns:"):].split(",")]
        missing = [c for c in ("id", "end", "path") if c not in columns]
        if "start" not in columns and "base" not in columns:
            missing.append("base")
        if missing:
            raise lines.error(f"the Columns line lacks {', '.join(missing)}")
        return columns, lines.next("the module table") if count else lines.next("'BB Table:'")
    if version != 2:
        raise lines.error(f"module table version {version} without a Columns line")
    return list(DEFAULT_COLUMNS), line


def _read_blocks(lines: _Lines, count: int, by_id: dict[int, _Entry]) -> list[tuple[int, int, int]]:
    """The BB table: (module id, start, size) triples, binary or text."""
    table = lines.data[lines.pos:]
    if table.startswith(b"module id"):
        lines.next("the BB table")
        records = []
        for index in range(count):
            line = lines.next(f"block {index + 1} of {count}")
            match = _TEXT_BB_LINE.match(line.strip())
            if not match:
                raise lines.error(f"bad block line {line[:60]!r}")
            records.append((int(match.group(1)), _number(match.group(2)), int(match.group(3))))
    else:
        if len(table) < count * BB_RECORD.size:
            held = len(table) // BB_RECORD.size
            raise DrcovError(f"BB table is cut short: {held} of {count} blocks")
        records = [(mod_id, start, size) for start, size, mod_id
                   in BB_RECORD.iter_unpack(table[:count * BB_RECORD.size])]
    for number, (mod_id, _start, _size) in enumerate(records, 1):
        if mod_id not in by_id:
            raise DrcovError(f"block {number} names module {mod_id}, which the table lacks")
    return records


def parse(data: bytes) -> Coverage:
    """Parses a drcov file's bytes into Coverage.

    Raises: DrcovError with a one-line description of the first problem.
    """
    lines = _Lines(data)
    if not data.startswith(b"DRCOV VERSION:"):
        raise DrcovError("not a drcov file (it does not start with 'DRCOV VERSION:')")
    version_text = _header_value(lines, lines.next("the header"), "DRCOV VERSION")
    if not version_text.isdigit() or int(version_text) not in SUPPORTED_VERSIONS:
        raise lines.error(f"unsupported drcov version {version_text!r}")
    line = lines.next("the module table")
    if line.startswith("DRCOV FLAVOR:"):
        line = lines.next("the module table")
    table_version, count = _module_table_header(lines, line)
    columns, line = _read_columns(lines, table_version, count)
    entries: list[_Entry] = []
    for index in range(count):
        if index:
            line = lines.next(f"module {index + 1} of {count}")
        if line.startswith("BB Table:"):
            raise lines.error(f"the module table says {count} modules but holds {index}")
        entries.append(_parse_module(lines, columns, line))
    if count:
        line = lines.next("'BB Table:'")
    match = re.fullmatch(r"(\d+)\s*bbs", _header_value(lines, line, "BB Table"))
    if not match:
        raise lines.error(f"cannot read the block count in {line!r}")
    by_id = {e.id: e for e in entries}
    records = _read_blocks(lines, int(match.group(1)), by_id)
    return _coverage_of(entries, records)


def _coverage_of(entries: list[_Entry], records: list[tuple[int, int, int]]) -> Coverage:
    image_base: dict[str, int] = {}
    for entry in entries:
        image_base[entry.path] = min(entry.start, image_base.get(entry.path, entry.start))
    cov = Coverage()
    for entry in entries:
        base = image_base[entry.path]
        cov.add_module(Module(entry.path, base, max(entry.end, base), entry.entry))
    by_id = {e.id: e for e in entries}
    for mod_id, start, size in records:
        entry = by_id[mod_id]
        cov.blocks[entry.path].add((start + entry.start - image_base[entry.path], size))
    return cov


def read(path: str | Path) -> Coverage:
    """Reads one drcov file.  Raises: OSError, DrcovError."""
    return parse(Path(path).read_bytes())


def serialize(cov: Coverage) -> bytes:
    """The drcov v2 bytes of cov, in drcov.c's layout: modules by base, blocks sorted."""
    modules = sorted(cov.modules.values(), key=lambda m: (m.base, m.path))
    lines = ["DRCOV VERSION: 2", "DRCOV FLAVOR: drcov-64",
             f"Module Table: version 2, count {len(modules)}",
             "Columns: id, base, end, entry, path"]
    records = []
    for mod_id, module in enumerate(modules):
        lines.append(f"{mod_id}, {module.base:#x}, {module.end:#x}, {module.entry:#x}, "
                     f"{module.path}")
        for start, size in sorted(cov.blocks.get(module.path, ())):
            if not (0 <= start <= 0xFFFFFFFF and 0 <= size <= 0xFFFF):
                raise DrcovError(f"block {start:#x}+{size} of {module.path} does not fit drcov")
            records.append(BB_RECORD.pack(start, size, mod_id))
    lines.append(f"BB Table: {len(records)} bbs")
    text = "\n".join(lines) + "\n"
    return text.encode("utf-8", errors="surrogateescape") + b"".join(records)


def write(cov: Coverage, path: str | Path) -> None:
    """Writes cov as a drcov v2 file.  Raises: OSError, DrcovError."""
    Path(path).write_bytes(serialize(cov))
