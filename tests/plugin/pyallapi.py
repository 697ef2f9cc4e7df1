# SPDX-License-Identifier: GPL-2.0-or-later
"""pyallapi.py: tests/plugin/allapi.c's twin, written against the Python plugin API.

Calls every function of pyqemu.plugins.api that user mode can answer, the way
allapi.c calls the C API, and prints at exit the same "name: value" lines as
allapi.c, in its order, for each check the Python API can make: a test runs
both on the same guest and compares the lines.  Lines of C functions that
the Python API does not wrap (idle/resume callbacks, vcpu_for_each, hwaddr
queries, the three stale 5.2 names) are left out, not invented.

Arguments (bare or "name=on"): reset / uninstall, as allapi.c: qemu_plugin_reset
or qemu_plugin_uninstall from the 1000th block execution.
"""

from __future__ import annotations

import ctypes

from pyqemu.plugins import api

PAGE_MASK = ~0xFFF
CONTROL_AT_TB_EXEC = 1000

# callback counts, by allapi.c's report names
counts = {name: 0 for name in (
    "vcpu_init", "vcpu_exit", "tb_trans", "flush", "syscall", "syscall_ret",
    "tb_exec_cb", "tb_insns_cb", "insn_exec_cb", "mem_cb", "mem_loads", "mem_stores",
    "mem_sign_extended", "mem_big_endian", "mem_bytes",
    "tb_empty", "tb_vaddr_mismatch", "tb_get_insn_oob_nonnull", "insn_data_null",
    "insn_size_bad", "insn_vaddr_gap", "insn_haddr_null", "insn_data_mismatch",
    "insn_disas_empty")}
# inline counters, in C memory: one Counter with a cell per name
INLINE = ("tb_exec_inline", "tb_insns_inline", "tb_page_cross_exec", "insn_exec_inline",
          "mem_inline")
inline = api.Counter(len(INLINE))
cell = {name: index for index, name in enumerate(INLINE)}
state: dict[str, object] = {}


def option_is_on(arg: str, name: str) -> bool:
    return arg == name or arg in (f"{name}=on", f"{name}=true", f"{name}=yes")


def summary() -> str:
    info = state["info"]
    lines = [
        ("target_name", info["target_name"]),
        ("version_min", info["version"]["min"]),
        ("version_cur", info["version"]["cur"]),
        ("system_emulation", int(info["system_emulation"])),
        ("n_vcpus", api.n_vcpus()),
        ("n_max_vcpus", api.n_max_vcpus()),
    ]
    order = ("vcpu_init", "vcpu_exit", "tb_trans", "flush", "syscall", "syscall_ret",
             "tb_exec_cb", "tb_exec_inline", "tb_insns_cb", "tb_insns_inline",
             "tb_page_cross_exec", "insn_exec_cb", "insn_exec_inline", "mem_cb", "mem_inline",
             "mem_loads", "mem_stores", "mem_sign_extended", "mem_big_endian", "mem_bytes",
             "tb_empty", "tb_vaddr_mismatch", "tb_get_insn_oob_nonnull", "insn_data_null",
             "insn_size_bad", "insn_vaddr_gap", "insn_haddr_null", "insn_data_mismatch",
             "insn_disas_empty")
    lines += [(name, inline[cell[name]] if name in cell else counts[name]) for name in order]
    return "".join(f"{name}: {value}\n" for name, value in lines)


def plugin_exit(_plugin_id: int, _udata: object) -> None:
    api.outs(summary())


def on_reset(plugin_id: int) -> None:
    api.outs("reset_cb: 1\n")
    # the reset dropped the atexit callback too; the plugin lives on
    api.register_atexit_cb(plugin_id, plugin_exit)


def on_uninstall(_plugin_id: int) -> None:
    api.outs("uninstall_cb: 1\n")
    api.outs(summary())


def bump(name: str) -> None:
    counts[name] += 1


def tb_exec(_vcpu_index: int, n_insns: object) -> None:
    counts["tb_exec_cb"] += 1
    counts["tb_insns_cb"] += n_insns
    if counts["tb_exec_cb"] != CONTROL_AT_TB_EXEC:
        return
    if state["control"] == "reset":
        api.reset(state["id"], on_reset)
    elif state["control"] == "uninstall":
        api.uninstall(state["id"], on_uninstall)


def insn_exec(_vcpu_index: int, name: object) -> None:
    bump(name)   # the user data arrives intact: it names the counter


def mem_access(_vcpu_index: int, info: int, _vaddr: int, name: object) -> None:
    bump(name)
    bump("mem_stores" if api.mem_is_store(info) else "mem_loads")
    if api.mem_is_sign_extended(info):
        bump("mem_sign_extended")
    if api.mem_is_big_endian(info):
        bump("mem_big_endian")
    counts["mem_bytes"] += 1 << api.mem_size_shift(info)


def inspect_insn(insn: api.Insn, expected_vaddr: int) -> None:
    data, size, vaddr, haddr = insn.data, insn.size, insn.vaddr, insn.haddr
    if not data:
        bump("insn_data_null")
    if size == 0 or size > 15:
        bump("insn_size_bad")
    if vaddr != expected_vaddr:
        bump("insn_vaddr_gap")
    if not haddr:
        bump("insn_haddr_null")
    elif ctypes.string_at(haddr, size) != data:
        bump("insn_data_mismatch")
    if not insn.disas():
        bump("insn_disas_empty")


def vcpu_tb_trans(_plugin_id: int, tb: api.Tb) -> None:
    n_insns = tb.n_insns
    next_vaddr = tb.vaddr
    last_start = last_end = 0
    bump("tb_trans")
    if n_insns == 0:
        bump("tb_empty")
    if tb.get_insn(n_insns) is not None:
        bump("tb_get_insn_oob_nonnull")
    for i in range(n_insns):
        insn = tb.get_insn(i)
        inspect_insn(insn, next_vaddr)
        last_start = insn.vaddr
        last_end = next_vaddr = last_start + insn.size
        api.register_vcpu_insn_exec_cb(insn, insn_exec, api.CB_NO_REGS, "insn_exec_cb")
        api.register_vcpu_insn_exec_inline(insn, api.INLINE_ADD_U64, inline, 1,
                                           cell["insn_exec_inline"])
        api.register_vcpu_mem_cb(insn, mem_access, api.CB_NO_REGS, api.MEM_RW, "mem_cb")
        api.register_vcpu_mem_inline(insn, api.MEM_RW, api.INLINE_ADD_U64, inline, 1,
                                     cell["mem_inline"])
    if n_insns and (last_start & PAGE_MASK) != ((last_end - 1) & PAGE_MASK):
        api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, inline, 1,
                                         cell["tb_page_cross_exec"])
    api.register_vcpu_tb_exec_cb(tb, tb_exec, api.CB_NO_REGS, n_insns)
    api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, inline, 1, cell["tb_exec_inline"])
    api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, inline, n_insns,
                                     cell["tb_insns_inline"])


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    state.update(id=plugin_id, info=info, control=None)
    for arg in args:
        control = next((word for word in ("reset", "uninstall") if option_is_on(arg, word)),
                       None)
        if control is None:
            raise ValueError(f"unknown argument: {arg}")
        state["control"] = control
    api.register_vcpu_init_cb(plugin_id, lambda _pid, _vcpu: bump("vcpu_init"))
    api.register_vcpu_exit_cb(plugin_id, lambda _pid, _vcpu: bump("vcpu_exit"))
    api.register_vcpu_tb_trans_cb(plugin_id, vcpu_tb_trans)
    api.register_flush_cb(plugin_id, lambda _pid: bump("flush"))
    api.register_vcpu_syscall_cb(plugin_id, lambda *_args: bump("syscall"))
    api.register_vcpu_syscall_ret_cb(plugin_id, lambda *_args: bump("syscall_ret"))
    api.register_atexit_cb(plugin_id, plugin_exit)
    return 0
