"""Read drcov coverage files: ours (contrib/plugins/drcov.c) and DynamoRIO's.

The format: a text header (``DRCOV VERSION``, ``DRCOV FLAVOR``), a module
table whose ``Columns:`` line names the fields (DynamoRIO's versions 2 to 5
differ in which columns they write), then ``BB Table: N bbs`` and N packed
``{uint32 start; uint16 size; uint16 mod_id}`` records, starts relative to
their module's base.  This reader is lenient where DynamoRIO's files vary
and strict where a file is damaged (counts, truncated tables).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

BB_RECORD = struct.Struct("<IHH")


class DrcovError(ValueError):
    """The file is not a drcov file, or it is damaged."""


@dataclass(frozen=True)
class Module:
    id: int
    base: int
    end: int
    path: str
    entry: int = 0


@dataclass
class Coverage:
    """Blocks per module, keyed by module path so that runs can be merged."""

    modules: dict[str, Module] = field(default_factory=dict)
    blocks: dict[str, set[tuple[int, int]]] = field(default_factory=dict)

    def merge(self, other: Coverage) -> None:
        for path, module in other.modules.items():
            self.modules.setdefault(path, module)
            self.blocks.setdefault(path, set()).update(other.blocks.get(path, ()))

    @property
    def n_blocks(self) -> int:
        return sum(len(b) for b in self.blocks.values())


def _int(text: str) -> int:
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def _parse_module_line(columns: list[str], line: str) -> Module:
    values = [v.strip() for v in line.split(",", len(columns) - 1)]
    if len(values) != len(columns):
        raise DrcovError(f"module line has {len(values)} fields, expected {len(columns)}: {line!r}")
    row = dict(zip(columns, values, strict=True))
    base = row.get("base", row.get("start"))
    if base is None or "end" not in row or "path" not in row:
        raise DrcovError(f"module table lacks base/end/path columns: {columns}")
    return Module(id=_int(row["id"]), base=_int(base), end=_int(row["end"]), path=row["path"],
                  entry=_int(row.get("entry", "0")))


def parse(data: bytes) -> Coverage:
    """Parse a drcov file's bytes; any damage is a DrcovError."""
    try:
        return _parse(data)
    except (ValueError, KeyError, IndexError, struct.error) as exc:
        if isinstance(exc, DrcovError):
            raise
        raise DrcovError(f"damaged drcov file: {exc}") from None


def _parse(data: bytes) -> Coverage:
    pos = 0

    def next_line() -> str:
        nonlocal pos
        end = data.find(b"\n", pos)
        if end < 0:
            raise DrcovError("truncated header")
        line = data[pos:end].decode(errors="replace").rstrip("\r")
        pos = end + 1
        return line

    if not data.startswith(b"DRCOV VERSION:"):
        raise DrcovError("not a drcov file (no 'DRCOV VERSION' line)")
    next_line()
    line = next_line()
    if line.startswith("DRCOV FLAVOR:"):
        line = next_line()
    if not line.startswith("Module Table:"):
        raise DrcovError(f"expected 'Module Table:', got {line!r}")
    count_text = line.rsplit("count", 1)[-1] if "count" in line else line.split(":")[1]
    count = _int(count_text.strip())
    line = next_line()
    columns = ["id", "base", "end", "entry", "path"]
    if line.startswith("Columns:"):
        columns = [c.strip() for c in line[len("Columns:"):].split(",")]
        line = next_line()
    modules = []
    for _ in range(count):
        modules.append(_parse_module_line(columns, line))
        line = next_line()
    if not line.startswith("BB Table:"):
        raise DrcovError(f"expected 'BB Table:', got {line!r}")
    n_bbs = int(line.split(":")[1].split()[0])
    table = data[pos:]
    if len(table) < n_bbs * BB_RECORD.size:
        held = len(table) // BB_RECORD.size
        raise DrcovError(f"BB table holds {held} records, header says {n_bbs}")
    by_id = {m.id: m for m in modules}
    cov = Coverage()
    for m in modules:
        cov.modules.setdefault(m.path, m)
        cov.blocks.setdefault(m.path, set())
    for start, size, mod_id in BB_RECORD.iter_unpack(table[:n_bbs * BB_RECORD.size]):
        module = by_id.get(mod_id)
        if module is None:
            raise DrcovError(f"block refers to unknown module {mod_id}")
        cov.blocks[module.path].add((start, size))
    return cov


def read(path: str | Path) -> Coverage:
    return parse(Path(path).read_bytes())
