# SPDX-License-Identifier: GPL-2.0-or-later
"""drcov files in QEMU 7.0's layout, placed back into their program.

QEMU 7.0's contrib drcov plugin (and contrib/plugins/drcov.c with
``format=qemu7``) writes one module, the main program, whose base and end
are the bounds of its executable segments (the loader's start_code and
end_code), and under it every executed block with its absolute guest
address truncated to 32 bits, shared libraries and the dynamic loader
included.  Read as ordinary drcov, those starts would be taken as offsets
from the module's base, so every block would land in the wrong place.

This module recognises the layout (one module, blocks that do not fit in
it) and rebases it: each start gets back its upper 32 bits from the
module's base, the blocks inside the program's code are kept, their
offsets counted from the image's first page as drcov.c's own files count
them (read from the program's ELF headers: the load bias is base minus the
vaddr of the first executable segment), and the rest, whose module the
file does not name, are counted as left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from pyqemu.cov.drcov import Coverage, DrcovError, Module

PAGE_SIZE = 4096
LOW32 = 1 << 32


@dataclass(frozen=True)
class Rebased:
    """A QEMU 7.0 layout file read into drcov.c's layout."""

    coverage: Coverage
    kept: int       # blocks inside the program's code
    left_out: int   # blocks elsewhere (libraries, loader, vDSO): no module to put them in


def looks_like_qemu7(cov: Coverage) -> bool:
    """Whether cov, read as ordinary drcov, is one module with blocks that do not fit in it."""
    if len(cov.modules) != 1:
        return False
    (path, module), = cov.modules.items()
    return any(offset + size > module.size for offset, size in cov.blocks.get(path, ()))


def _segments(path: str) -> tuple[bool, int, int, int]:
    """(position independent, first page, end of the last PT_LOAD, first executable vaddr)."""
    try:
        with open(path, "rb") as stream:
            elf = ELFFile(stream)
            loads = [seg for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD"]
            pie = elf["e_type"] == "ET_DYN"
    except (OSError, ELFError) as exc:
        raise DrcovError(f"QEMU 7.0 layout: cannot read the program {path} "
                         f"to place its blocks: {getattr(exc, 'strerror', None) or exc}") from None
    code = [seg["p_vaddr"] for seg in loads if seg["p_flags"] & 1]   # PF_X
    if not code:
        raise DrcovError(f"QEMU 7.0 layout: {path} has no executable segment")
    first_page = min(seg["p_vaddr"] for seg in loads) & ~(PAGE_SIZE - 1)
    end = max(seg["p_vaddr"] + seg["p_memsz"] for seg in loads)
    return pie, first_page, end, min(code)


def rebase(cov: Coverage) -> Rebased:
    """cov (one module in QEMU 7.0's layout) with image-relative offsets in that module.

    Raises: DrcovError when the program's ELF file cannot be read.
    """
    (path, module), = cov.modules.items()
    pie, first_page, image_end, code_vaddr = _segments(path)
    bias = 0
    if pie:
        bias = (module.base & ~(PAGE_SIZE - 1)) - (code_vaddr & ~(PAGE_SIZE - 1))
    image_base = bias + first_page
    high = module.base & ~(LOW32 - 1)
    out = Coverage()
    out.add_module(Module(path, image_base, max(bias + image_end, module.end), module.entry))
    kept = left_out = 0
    for start32, size in cov.blocks.get(path, ()):
        address = high | start32
        if address < module.base:       # the code crosses a 4 GiB line
            address += LOW32
        if module.base <= address < module.end:
            out.blocks[path].add((address - image_base, size))
            kept += 1
        else:
            left_out += 1
    return Rebased(out, kept, left_out)
