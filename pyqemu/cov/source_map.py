# SPDX-License-Identifier: GPL-2.0-or-later
"""Map covered blocks to source lines and functions (what gcov does from its notes files).

A line is hit when the address range one of its line-table rows covers meets
a covered block; every other line of the line table is reported with count
0.  A function is hit when one of its address ranges meets a covered block.
drcov records no execution counts, so a hit counts 1.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from pyqemu.cov import dwarf
from pyqemu.cov.drcov import Coverage


class CoveredRanges:
    """The covered bytes of one module as sorted, disjoint [start, end) vaddr intervals."""

    def __init__(self, blocks: set[tuple[int, int]], image_base: int) -> None:
        merged: list[list[int]] = []
        for offset, size in sorted(blocks):
            start, end = image_base + offset, image_base + offset + max(size, 1)
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def meets(self, start: int, end: int) -> bool:
        """Whether [start, end) (or the single address start, when end == start) is covered."""
        end = max(end, start + 1)
        at = bisect.bisect_right(self.ends, start)   # first interval ending after start
        return at < len(self.starts) and self.starts[at] < end


@dataclass
class SourceFile:
    """Coverage of one source file: line -> hits, function name -> (declaration line, hits)."""

    path: str
    lines: dict[int, int] = field(default_factory=dict)
    functions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def lines_hit(self) -> int:
        return sum(1 for hits in self.lines.values() if hits)

    @property
    def functions_hit(self) -> int:
        return sum(1 for _, hits in self.functions.values() if hits)


@dataclass
class ModuleFunctions:
    """Functions of one module (from DWARF or the symbol table) and which ran."""

    path: str
    hit: list[str]
    total: int


class SourceMapper:
    """Reads each module's debug facts once and maps coverage onto them."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, bool], dwarf.DebugInfo | None] = {}

    def debug_info(self, module_path: str, with_dwarf: bool = True) -> dwarf.DebugInfo | None:
        key = (module_path, with_dwarf)
        if key not in self._loaded:
            self._loaded[key] = dwarf.load(module_path, with_dwarf=with_dwarf)
        return self._loaded[key]

    def source_files(self, cov: Coverage) -> dict[str, SourceFile]:
        """Line and function coverage of every source file named by a module's line table."""
        files: dict[str, SourceFile] = {}
        for path in sorted(cov.modules):
            info = self.debug_info(path)
            if info is None or not info.lines:
                continue
            covered = CoveredRanges(cov.blocks.get(path, set()), info.image_base)
            for span in info.lines:
                source = files.setdefault(span.file, SourceFile(span.file))
                hit = 1 if covered.meets(span.start, span.end) else 0
                source.lines[span.line] = max(source.lines.get(span.line, 0), hit)
            for function in info.functions:
                if function.file is None:
                    continue
                source = files.setdefault(function.file, SourceFile(function.file))
                hit = 1 if any(covered.meets(lo, hi) for lo, hi in function.ranges) else 0
                line, hits = source.functions.get(function.name, (function.line, 0))
                source.functions[function.name] = (line, max(hits, hit))
        return files

    def module_functions(self, cov: Coverage) -> list[ModuleFunctions]:
        """Per module with a symbol table: the functions that ran, and how many there are.

        Symbols only (DWARF would be slow to read for a big library), DWARF when the
        module has no symbol table.
        """
        result = []
        for path in sorted(cov.modules):
            info = self.debug_info(path, with_dwarf=False)
            if info is not None and not info.functions:
                info = self.debug_info(path)
            if info is None or not info.functions:
                continue
            covered = CoveredRanges(cov.blocks.get(path, set()), info.image_base)
            names = {f.name for f in info.functions}
            hit = {f.name for f in info.functions
                   if any(covered.meets(lo, hi) for lo, hi in f.ranges)}
            result.append(ModuleFunctions(path, sorted(hit), len(names)))
        return result
