# SPDX-License-Identifier: GPL-2.0-or-later
"""The most executed blocks from batched events: hotblocks with one Python call per batch.

The same output as contrib/plugins/hotblocks.c (``-d plugin``)::

    collected <N> entries in the hash table
    pc, tcount, icount, ecount
    <pc>, <translations>, <instructions>, <executions>     (up to 20 lines)

Executions are counted with ``collections.Counter.update`` on each batch of
block vaddrs (``api.register_vcpu_tb_exec_batch``), tallied in C first
(``api.tally``), so Python runs once per 65536 executed blocks (argument
``capacity=N`` changes that) and per distinct block in them, not once per
executed block as in pyqemu.contrib.hotblocks without ``inline``.  Translations are
counted by a tb_trans callback.  A batch carries vaddrs only: two blocks at
the same vaddr with different instruction counts (code rewritten in place)
share their executions, where hotblocks.c counts them apart.
"""

from __future__ import annotations

import sys
from collections import Counter

from pyqemu.contrib._args import arg_value
from pyqemu.plugins import api

qemu_plugin_version = 0

TOP_BLOCKS = 20


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    capacity = api.BATCH_CAPACITY
    for arg in args:
        is_capacity, value = arg_value(arg, "capacity")
        if not is_capacity or not (value or "").isdigit() or int(value) < 1:
            sys.stderr.write(f"option parsing failed: {arg}\n")
            return -1
        capacity = int(value)
    executions: Counter[int] = Counter()
    translations: Counter[tuple[int, int]] = Counter()   # (pc, n_insns) -> times

    def on_trans(_pid: int, tb: api.Tb) -> None:
        translations[(tb.vaddr, tb.n_insns)] += 1

    def on_exit(_pid: int, _udata: object) -> None:
        rows = sorted((-executions[pc], pc, n_insns, count)
                      for (pc, n_insns), count in translations.items())
        lines = [f"collected {len(rows)} entries in the hash table\n",
                 "pc, tcount, icount, ecount\n"]
        lines += [f"{pc:#016x}, {count}, {n_insns}, {-negative}\n"
                  for negative, pc, n_insns, count in rows[:TOP_BLOCKS]]
        api.outs("".join(lines))

    api.register_vcpu_tb_exec_batch(
        plugin_id, lambda _vcpu, pcs: executions.update(api.tally(pcs)), capacity=capacity)
    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
