# SPDX-License-Identifier: GPL-2.0-or-later
"""Count blocks and instructions: the Python twin of tests/plugin/bb.c.

Same arguments (``inline``; also 7.2's ``inline=on``) and the same output
line.  In inline mode the counting is done by C inline operations and Python
runs only at translation and at exit; otherwise a Python callback runs for
every executed block.
"""

from __future__ import annotations

from pyqemu.plugins import api

qemu_plugin_version = 0


def _is_on(arg: str, name: str) -> bool:
    key, _, value = arg.partition("=")
    return key == name and value in ("", "on", "true", "yes")


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    inline = False
    for arg in args:
        if _is_on(arg, "inline"):
            inline = True
        elif not _is_on(arg, "idle"):
            api.outs(f"option parsing failed: {arg}\n")
            return -1
    counts = api.Counter(2)   # blocks, instructions

    def on_exec(_vcpu: int, n_insns: int) -> None:
        counts[0] += 1
        counts[1] += n_insns

    def on_trans(_pid: int, tb: api.Tb) -> None:
        n = tb.n_insns
        if inline:
            api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, counts, 1, 0)
            api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, counts, n, 1)
        else:
            api.register_vcpu_tb_exec_cb(tb, on_exec, api.CB_NO_REGS, n)

    def on_exit(_pid: int, _udata: object) -> None:
        api.outs(f"bb's: {counts[0]}, insns: {counts[1]}\n")

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
