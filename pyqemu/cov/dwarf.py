# SPDX-License-Identifier: GPL-2.0-or-later
"""Debug facts of one ELF module for coverage: line table, functions, image base.

Plays the part of the DWARF readers behind coverage tools (gcov's notes,
llvm-cov's debug map): from ``.debug_line`` the address range each source
line covers, from ``DW_TAG_subprogram`` entries the functions with their
declaration lines, and from ``.symtab`` (else ``.dynsym``) the functions of
a module without DWARF.  Addresses are ELF virtual addresses; ``image_base`` is the vaddr a
drcov module offset of 0 stands for.  drcov.c (and DynamoRIO) give offsets
from the lowest address the file is mapped at, which holds the page of the
first PT_LOAD: 0x400000 for a classic static executable, 0 for PIE programs
and shared objects (their load bias falls out by subtracting the base).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError
from elftools.dwarf.die import DIE
from elftools.elf.elffile import ELFFile

PAGE_SIZE = 4096


@dataclass(frozen=True)
class LineSpan:
    """Addresses [start, end) come from source line `line` of `file` (end == start: one point)."""

    start: int
    end: int
    file: str
    line: int


@dataclass(frozen=True)
class Function:
    """A function: its address ranges and, with DWARF, where it is declared."""

    name: str
    ranges: tuple[tuple[int, int], ...]
    file: str | None = None
    line: int = 0


@dataclass
class DebugInfo:
    """What one module's ELF file (and its separate debug file, if any) tells."""

    image_base: int
    lines: list[LineSpan] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)


def image_base(elf: ELFFile) -> int:
    """The vaddr of a module's offset 0: the page of the lowest PT_LOAD."""
    loads = [seg["p_vaddr"] for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD"]
    return min(loads) & ~(PAGE_SIZE - 1) if loads else 0


def load(path: str | os.PathLike[str], *, with_dwarf: bool = True) -> DebugInfo | None:
    """Reads the debug facts of an ELF file; None when it is missing or not ELF.

    with_dwarf: read the line table and DWARF functions (slow for big files); without
    it, or when the file has no DWARF, functions come from .symtab (else .dynsym).
    """
    try:
        with open(path, "rb") as stream:
            elf = ELFFile(stream)
            info = DebugInfo(image_base=image_base(elf))
            if with_dwarf and elf.get_section_by_name(".debug_line") is not None:
                _read_dwarf(elf, info)
            if not info.functions:
                info.functions = _symtab_functions(elf)
            return info
    except (OSError, ELFError, ValueError):
        return None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="surrogateescape") if isinstance(value, bytes) else value


def _file_table(lineprog, comp_dir: str) -> dict[int, str]:
    """File index (as rows and DW_AT_decl_file use it) -> absolute or best-effort path.

    DWARF 5 numbers files and directories from 0 (entry 0 is the unit itself);
    earlier versions from 1, directory 0 being the compilation directory.
    """
    version = lineprog["version"]
    dirs = [_text(d) for d in lineprog["include_directory"]]
    table = {}
    for position, entry in enumerate(lineprog["file_entry"]):
        index = position if version >= 5 else position + 1
        dir_index = entry.dir_index
        if version >= 5:
            directory = dirs[dir_index] if dir_index < len(dirs) else comp_dir
        else:
            directory = comp_dir if dir_index == 0 else dirs[dir_index - 1]
        path = os.path.join(comp_dir, directory, _text(entry.name))
        table[index] = os.path.normpath(path)
    return table


def _read_dwarf(elf: ELFFile, info: DebugInfo) -> None:
    dwarf = elf.get_dwarf_info()
    file_tables: dict[int, dict[int, str]] = {}
    for cu in dwarf.iter_CUs():
        top = cu.get_top_DIE()
        comp_dir_attr = top.attributes.get("DW_AT_comp_dir")
        comp_dir = _text(comp_dir_attr.value) if comp_dir_attr else ""
        lineprog = dwarf.line_program_for_CU(cu)
        if lineprog is None:
            continue
        files = _file_table(lineprog, comp_dir)
        file_tables[cu.cu_offset] = files
        _read_line_rows(lineprog, files, info.lines)
    for cu in dwarf.iter_CUs():
        for die in cu.iter_DIEs():
            if die.tag == "DW_TAG_subprogram":
                function = _function_of(dwarf, die, file_tables)
                if function is not None:
                    info.functions.append(function)


def _read_line_rows(lineprog, files: dict[int, str], out: list[LineSpan]) -> None:
    """Each row covers the addresses up to the next row of its sequence."""
    previous = None
    for entry in lineprog.get_entries():
        state = entry.state
        if state is None:
            continue
        if previous is not None and previous.line > 0 and previous.file in files:
            out.append(LineSpan(previous.address, max(state.address, previous.address),
                                files[previous.file], previous.line))
        previous = None if state.end_sequence else state


def _origin(die: DIE) -> DIE:
    """The DIE that holds a concrete instance's name and declaration."""
    for attr in ("DW_AT_abstract_origin", "DW_AT_specification"):
        if attr in die.attributes:
            return _origin(die.get_DIE_from_attribute(attr))
    return die


def _function_of(dwarf, die: DIE, file_tables: dict[int, dict[int, str]]) -> Function | None:
    ranges = _die_ranges(dwarf, die)
    if not ranges:
        return None   # a declaration, or an abstract instance of an inline function
    origin = _origin(die)
    name_attr = origin.attributes.get("DW_AT_name")
    if name_attr is None:
        return None
    files = file_tables.get(origin.cu.cu_offset, {})
    file_attr = origin.attributes.get("DW_AT_decl_file")
    line_attr = origin.attributes.get("DW_AT_decl_line")
    return Function(name=_text(name_attr.value), ranges=tuple(ranges),
                    file=files.get(file_attr.value) if file_attr else None,
                    line=line_attr.value if line_attr else 0)


def _die_ranges(dwarf, die: DIE) -> list[tuple[int, int]]:
    attrs = die.attributes
    if "DW_AT_low_pc" in attrs and "DW_AT_high_pc" in attrs:
        low = attrs["DW_AT_low_pc"].value
        high = attrs["DW_AT_high_pc"]
        # DWARF 4+: a constant high_pc is a length, an address one is the end.
        end = high.value if high.form == "DW_FORM_addr" else low + high.value
        return [(low, end)] if end > low else []
    if "DW_AT_ranges" not in attrs or attrs["DW_AT_ranges"].form != "DW_FORM_sec_offset":
        return []
    range_lists = dwarf.range_lists()
    if range_lists is None:
        return []
    cu_base = die.cu.get_top_DIE().attributes.get("DW_AT_low_pc")
    base = cu_base.value if cu_base else 0
    ranges = []
    for entry in range_lists.get_range_list_at_offset(attrs["DW_AT_ranges"].value, cu=die.cu):
        if hasattr(entry, "base_address"):
            base = entry.base_address
        elif getattr(entry, "is_absolute", False):
            ranges.append((entry.begin_offset, entry.end_offset))
        else:
            ranges.append((base + entry.begin_offset, base + entry.end_offset))
    return [(lo, hi) for lo, hi in ranges if hi > lo]


def _symtab_functions(elf: ELFFile) -> list[Function]:
    symtab = elf.get_section_by_name(".symtab") or elf.get_section_by_name(".dynsym")
    if symtab is None or not hasattr(symtab, "iter_symbols"):
        return []
    functions = {}
    for sym in symtab.iter_symbols():
        if sym["st_info"]["type"] == "STT_FUNC" and sym["st_value"] and sym.name:
            start = sym["st_value"]
            functions.setdefault(sym.name, Function(sym.name, ((start, start + sym["st_size"]),)))
    return list(functions.values())
