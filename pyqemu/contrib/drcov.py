# SPDX-License-Identifier: GPL-2.0-or-later
"""Block coverage in DynamoRIO's drcov format: the Python twin of contrib/plugins/drcov.c.

Same arguments and the same file, byte for byte in the usual case:

- ``filename=<path>`` (default ``file.drcov.trace``, relative to the
  directory the emulator started in; ``%p`` is the process id, a file per
  process);
- ``exec=on|off``: record executed blocks (on, the default) or translated ones;
- ``format=drcov2|qemu7``: one module per mapped file with block starts
  relative to their module (DynamoRIO's layout), or QEMU 7.0's single-module
  layout.

The module table comes from /proc/self/maps (pyqemu/contrib/_modules.py,
drcov.c's rules).  Python runs when a block is translated and at exit; with
``exec=on`` each translation owns one cell of a C counter array that an
inline add bumps, so executing a block runs no Python: at exit the blocks
whose cell is non-zero are the executed ones, in the order they were first
translated (the order the C plugin records them, since a block runs right
after its translation).  A guest's forked child runs the atexit callback
too; without ``%p`` only the process that installed the plugin writes the file,
with it every process writes its own.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from pyqemu.contrib._args import arg_value, parse_bool
from pyqemu.contrib._modules import ModuleTable, read_elf_facts
from pyqemu.plugins import api

qemu_plugin_version = 0

DEFAULT_FILE_NAME = "file.drcov.trace"
CELLS_PER_CHUNK = 4096
UINT16_MAX = 0xFFFF


@dataclass(frozen=True)
class Block:
    module: int   # index in the module table, or -1
    start: int    # offset from the module's base, or the vaddr
    size: int     # bytes, at most 65535


class Coverage:
    """Translations, the C cells counting their executions, and the file writer."""

    def __init__(self, record_translations: bool, output_format: str) -> None:
        self.table = ModuleTable()
        self.record_translations = record_translations
        self.output_format = output_format
        self.translations: list[Block] = []
        self.chunks: list[api.Counter] = []

    def translate(self, tb: api.Tb) -> None:
        vaddr = tb.vaddr
        size = sum(insn.size for insn in tb.insns)
        module = self.table.module_for(vaddr)
        start = vaddr - self.table.modules[module].base if module >= 0 else vaddr
        slot = len(self.translations)
        self.translations.append(Block(module, start, min(size, UINT16_MAX)))
        if not self.record_translations:
            if slot % CELLS_PER_CHUNK == 0:
                self.chunks.append(api.Counter(CELLS_PER_CHUNK))
            api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64,
                                             self.chunks[slot // CELLS_PER_CHUNK], 1,
                                             slot % CELLS_PER_CHUNK)

    def covered(self) -> list[Block]:
        """Distinct recorded blocks, in the order first recorded."""
        seen: dict[Block, None] = {}
        for slot, block in enumerate(self.translations):
            if self.record_translations or \
                    self.chunks[slot // CELLS_PER_CHUNK][slot % CELLS_PER_CHUNK]:
                seen.setdefault(block, None)
        return list(seen)

    def _in_module(self, block: Block) -> bool:
        if block.module < 0:
            return False
        module = self.table.modules[block.module]
        return block.start + block.size <= module.end - module.base

    def render(self) -> bytes:
        self.table.scan()   # modules may have grown since they were first seen
        blocks = self.covered()
        if self.output_format == "qemu7":
            return self._render_qemu7(blocks)
        return self._render_drcov2(blocks)

    def _render_drcov2(self, blocks: list[Block]) -> bytes:
        modules = self.table.modules
        used: list[int] = []
        for block in blocks:
            if self._in_module(block) and block.module not in used:
                used.append(block.module)
        used.sort(key=lambda index: (modules[index].base, index))
        out_id = {index: n for n, index in enumerate(used)}
        text = [_header(len(used))]
        for n, index in enumerate(used):
            module = modules[index]
            entry = read_elf_facts(module).entry
            text.append(f"{n}, {module.base:#x}, {module.end:#x}, {entry:#x}, {module.path}\n")
        written = [b for b in blocks if self._in_module(b)]
        text.append(f"BB Table: {len(written)} bbs\n")
        return "".join(text).encode(errors="surrogateescape") + b"".join(
            _bb_entry(b.start, b.size, out_id[b.module]) for b in written)

    def _render_qemu7(self, blocks: list[Block]) -> bytes:
        modules = self.table.modules
        main = None
        for block in blocks:
            if self._in_module(block) and (main is None or
                                           modules[block.module].base < main.base):
                main = modules[block.module]
        base = end = entry = 0
        if main is not None:
            facts = read_elf_facts(main)
            entry = facts.entry
            base = facts.text_start if facts.text_end else main.base
            end = facts.text_end if facts.text_end else main.end
        path = main.path if main is not None else "(null)"
        text = [_header(1), f"0, {base:#x}, {end:#x}, {entry:#x}, {path}\n",
                f"BB Table: {len(blocks)} bbs\n"]
        entries = []
        for block in blocks:
            vaddr = block.start + (modules[block.module].base if block.module >= 0 else 0)
            entries.append(_bb_entry(vaddr, block.size, 0))
        return "".join(text).encode(errors="surrogateescape") + b"".join(entries)


def _header(n_modules: int) -> str:
    return ("DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\n"
            f"Module Table: version 2, count {n_modules}\n"
            "Columns: id, base, end, entry, path\n")


def _bb_entry(start: int, size: int, module_id: int) -> bytes:
    """DynamoRIO's bb_entry_t, little-endian: u32 start, u16 size, u16 module id."""
    return (start & 0xFFFFFFFF).to_bytes(4, "little") + size.to_bytes(2, "little") + \
        (module_id & 0xFFFF).to_bytes(2, "little")


def _parse_args(args: list[str]) -> tuple[str, bool, str] | None:
    """(file name, record translations, format), or None after printing the bad argument."""
    name, record_translations, output_format = DEFAULT_FILE_NAME, False, "drcov2"
    for arg in args:
        is_file, value = arg_value(arg, "filename")
        if is_file and value:
            name = value
            continue
        is_exec, value = arg_value(arg, "exec")
        exec_on = parse_bool(value) if is_exec else None
        if exec_on is not None:
            record_translations = not exec_on
            continue
        is_format, value = arg_value(arg, "format")
        if is_format and value in ("drcov2", "qemu7"):
            output_format = value
            continue
        sys.stderr.write(f"option parsing failed: {arg}\n")
        return None
    return name, record_translations, output_format


def expand_pid(path: str, pid: int) -> str:
    """The file name with every ``%p`` replaced by the process id (LLVM_PROFILE_FILE's)."""
    return path.replace("%p", str(pid))


def _prepare_output(name: str) -> str | None:
    """The absolute output path, checked writable; leaves no file that was not there."""
    try:
        path = os.path.join(os.getcwd(), name)
        mine = expand_pid(path, os.getpid())
        try:
            os.close(os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666))
            os.unlink(mine)
        except FileExistsError:
            # emptied now: a run that never reaches exit leaves no stale data
            os.close(os.open(mine, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC))
        return path
    except OSError as exc:
        sys.stderr.write(f"drcov: cannot open {name}: {exc.strerror}\n")
        return None


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    parsed = _parse_args(args)
    if parsed is None:
        return -1
    name, record_translations, output_format = parsed
    path = _prepare_output(name)
    if path is None:
        return -1
    installing_pid = os.getpid()
    coverage = Coverage(record_translations, output_format)

    def on_syscall(*_args: int) -> None:
        coverage.table.syscall_generation += 1   # any syscall may change the mappings

    def on_exit(_pid: int, _udata: object) -> None:
        if "%p" not in path and os.getpid() != installing_pid:
            return   # a forked child of the guest
        try:
            with open(expand_pid(path, os.getpid()), "wb") as f:
                f.write(coverage.render())
        except OSError as exc:
            sys.stderr.write(f"drcov: cannot write {name}: {exc.strerror}\n")

    api.register_vcpu_tb_trans_cb(plugin_id, lambda _pid, tb: coverage.translate(tb))
    api.register_vcpu_syscall_cb(plugin_id, on_syscall)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
