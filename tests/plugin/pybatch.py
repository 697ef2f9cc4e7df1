# SPDX-License-Identifier: GPL-2.0-or-later
"""A Python plugin for tests/plugin/test_python_batch.py: batched events and their order.

Arguments (``name=on``), any mix:
  blocks   count executed blocks from ``register_vcpu_tb_exec_batch``
           (``collections.Counter.update``); ``percb`` counts them with a per-block
           exec callback instead, the reference the batch is compared with;
           ``tally`` counts each batch with ``Counter.update(api.tally(pcs))``;
           both ``blocks`` and ``percb``: the per-block callback checks that the
           batch has delivered its block first (``late: <n>`` counts those it had not)
  syscalls log, at each syscall, the last block seen so far (batch or callback)
  mem      count memory accesses from ``register_vcpu_mem_batch``; with ``stores``
           also the stores among them (a Python loop over the meminfo)
  capacity=N   the batches' capacity (default 65536)

At atexit it prints (``-d plugin``): ``bb's: <total>``, ``blocks: <distinct>``,
``block <pc> <count>`` per block (sorted), ``syscall <nr> after <pc>`` lines in
order, ``mem accesses: <n>`` (as tests/plugin/mem.c prints it), ``mem stores: <n>``
and ``batches: <n>, longest: <n>``.
"""

from __future__ import annotations

from collections import Counter

from pyqemu.plugins import api


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    opts = dict(arg.partition("=")[::2] for arg in args)
    capacity = int(opts.get("capacity", "65536"))
    counts: Counter[int] = Counter()
    last = [0]
    syscalls: list[str] = []
    mem = [0, 0]
    batches = [0, 0]   # how many, the longest
    late = [0]         # with blocks and percb: per-block callbacks the batch had not reached

    def on_blocks(_vcpu: int, pcs: memoryview) -> None:
        assert pcs.format == "Q" and pcs.readonly
        batches[0] += 1
        batches[1] = max(batches[1], len(pcs))
        counts.update(api.tally(pcs) if "tally" in opts else pcs)
        last[0] = pcs[-1]

    def on_block(_vcpu: int, pc: int) -> None:
        if "blocks" in opts:
            # both: the batch, flushed before this callback, ends with this very block
            late[0] += last[0] != pc
            return
        counts[pc] += 1
        last[0] = pc

    def on_trans(_pid: int, tb: api.Tb) -> None:
        api.register_vcpu_tb_exec_cb(tb, on_block, api.CB_NO_REGS, tb.vaddr)

    def on_syscall(_pid: int, _vcpu: int, num: int, *_args: int) -> None:
        syscalls.append(f"syscall {num} after {last[0]:#x}\n")

    def on_mem(_vcpu: int, vaddrs: memoryview, infos: memoryview) -> None:
        assert vaddrs.format == "Q" and infos.format == "I" and len(vaddrs) == len(infos)
        batches[0] += 1
        batches[1] = max(batches[1], len(vaddrs))
        mem[0] += len(vaddrs)
        if "stores" in opts:
            mem[1] += sum(1 for info in infos if api.mem_is_store(info))

    def on_exit(_pid: int, _udata: object) -> None:
        lines = []
        if "blocks" in opts or "percb" in opts:
            lines.append(f"bb's: {sum(counts.values())}\nblocks: {len(counts)}\n")
            lines += [f"block {pc:#x} {n}\n" for pc, n in sorted(counts.items())]
        lines += syscalls
        if "mem" in opts:
            lines.append(f"mem accesses: {mem[0]}\nmem stores: {mem[1]}\n")
        lines.append(f"batches: {batches[0]}, longest: {batches[1]}\n")
        if "blocks" in opts and "percb" in opts:
            lines.append(f"late: {late[0]}\n")
        api.outs("".join(lines))

    if "blocks" in opts:
        api.register_vcpu_tb_exec_batch(plugin_id, on_blocks, capacity=capacity)
    if "percb" in opts:
        api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    if "syscalls" in opts:
        api.register_vcpu_syscall_cb(plugin_id, on_syscall)
    if "mem" in opts:
        api.register_vcpu_mem_batch(plugin_id, on_mem, api.MEM_RW, capacity=capacity)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
