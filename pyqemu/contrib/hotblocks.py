# SPDX-License-Identifier: GPL-2.0-or-later
"""The most executed blocks: the Python twin of contrib/plugins/hotblocks.c.

Same argument (``inline[=on|off]``) and the same output, through
``qemu_plugin_outs`` (visible with ``-d plugin``)::

    collected <N> entries in the hash table
    pc, tcount, icount, ecount
    <pc>, <translations>, <instructions>, <executions>     (up to 20 lines)

Each distinct block (start address and instruction count) owns one cell of
a C counter array.  With ``inline`` the cell is bumped by an inline add, so
Python runs only when a block is translated; without it a Python callback
runs for every executed block, as the C plugin's callback does.
"""

from __future__ import annotations

import sys

from pyqemu.contrib._args import arg_value, parse_bool
from pyqemu.plugins import api

qemu_plugin_version = 0

TOP_BLOCKS = 20
CELLS_PER_CHUNK = 4096   # counters are allocated in C this many at a time


class BlockTable:
    """Blocks by (pc, n_insns): translation counts in Python, executions in C cells."""

    def __init__(self) -> None:
        self.index: dict[tuple[int, int], int] = {}
        self.trans_counts: list[int] = []
        self.chunks: list[api.Counter] = []

    def lookup_or_add(self, pc: int, n_insns: int) -> int:
        key = (pc, n_insns)
        slot = self.index.get(key)
        if slot is None:
            slot = len(self.trans_counts)
            if slot % CELLS_PER_CHUNK == 0:
                self.chunks.append(api.Counter(CELLS_PER_CHUNK))
            self.index[key] = slot
            self.trans_counts.append(0)
        return slot

    def cell(self, slot: int) -> tuple[api.Counter, int]:
        return self.chunks[slot // CELLS_PER_CHUNK], slot % CELLS_PER_CHUNK

    def exec_count(self, slot: int) -> int:
        chunk, index = self.cell(slot)
        return chunk[index]

    def report(self) -> str:
        rows = sorted(((-self.exec_count(slot), pc, n_insns, slot)
                       for (pc, n_insns), slot in self.index.items()))
        lines = [f"collected {len(rows)} entries in the hash table\n",
                 "pc, tcount, icount, ecount\n"]
        for negative_count, pc, n_insns, slot in rows[:TOP_BLOCKS]:
            lines.append(f"{pc:#016x}, {self.trans_counts[slot]}, {n_insns}, "
                         f"{-negative_count}\n")
        return "".join(lines)


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    do_inline = False
    for arg in args:
        is_inline, value = arg_value(arg, "inline")
        parsed = parse_bool(value) if is_inline else None
        if parsed is None:
            sys.stderr.write(f"option parsing failed: {arg}\n")
            return -1
        do_inline = parsed
    table = BlockTable()

    def on_exec(_vcpu: int, slot: int) -> None:
        chunk, index = table.cell(slot)
        chunk[index] += 1

    def on_trans(_pid: int, tb: api.Tb) -> None:
        slot = table.lookup_or_add(tb.vaddr, tb.n_insns)
        table.trans_counts[slot] += 1
        if do_inline:
            chunk, index = table.cell(slot)
            api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, chunk, 1, index)
        else:
            api.register_vcpu_tb_exec_cb(tb, on_exec, api.CB_NO_REGS, slot)

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, lambda _pid, _udata: api.outs(table.report()))
    return 0
