"""``pyqemu-cov``: summarise and merge drcov coverage files.

``pyqemu-cov summary FILE... [--elf BINARY]`` prints the modules, their block
counts and covered bytes (merged over all files) and, given the guest binary,
the functions whose first byte was executed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pyqemu.cov.drcov import Coverage, DrcovError, read


def functions_hit(elf_path: Path, cov: Coverage) -> tuple[list[str], int]:
    """Names of the binary's functions that start inside an executed block."""
    from elftools.elf.elffile import ELFFile

    module = next((m for p, m in cov.modules.items()
                   if os.path.realpath(p) == os.path.realpath(elf_path)), None)
    if module is None:
        return [], 0
    covered: set[int] = set()
    for start, size in cov.blocks[module.path]:
        covered.update(range(start, start + size))
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        symtab = elf.get_section_by_name(".symtab")
        if symtab is None:
            return [], 0
        # the module's base is the page of the first PT_LOAD; offsets count from it
        first_load = min(s["p_vaddr"] for s in elf.iter_segments() if s["p_type"] == "PT_LOAD")
        funcs = [(sym.name, sym["st_value"]) for sym in symtab.iter_symbols()
                 if sym["st_info"]["type"] == "STT_FUNC" and sym["st_value"] and sym.name]
    image_base = first_load & ~0xFFF
    hit = sorted({name for name, value in funcs if value - image_base in covered})
    return hit, len(funcs)


def summary(files: list[Path], elf: Path | None) -> int:
    cov = Coverage()
    for path in files:
        try:
            cov.merge(read(path))
        except (OSError, DrcovError) as exc:
            print(f"pyqemu-cov: {path}: {exc}", file=sys.stderr)
            return 1
    print(f"{len(files)} file(s), {len(cov.modules)} module(s), {cov.n_blocks} blocks")
    for path, blocks in sorted(cov.blocks.items(), key=lambda kv: -len(kv[1])):
        size = sum(s for _, s in blocks)
        print(f"  {len(blocks):7d} blocks {size:9d} bytes  {path}")
    if elf is not None:
        hit, total = functions_hit(elf, cov)
        print(f"functions hit in {elf.name}: {len(hit)} of {total}")
        for name in hit:
            print(f"  {name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyqemu-cov", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_sum = sub.add_parser("summary", help="modules, blocks and functions hit")
    p_sum.add_argument("files", nargs="+", type=Path)
    p_sum.add_argument("--elf", type=Path, help="guest binary, to name the functions hit")
    args = parser.parse_args(argv)
    return summary(args.files, args.elf)


if __name__ == "__main__":
    sys.exit(main())
