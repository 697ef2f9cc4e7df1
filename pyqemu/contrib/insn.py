# SPDX-License-Identifier: GPL-2.0-or-later
"""Count executed instructions: the Python twin of tests/plugin/insn.c.

``inline`` counts with C inline operations (Python runs at translation
only); without it a Python callback runs before every instruction.
Output: ``insns: N``.
"""

from __future__ import annotations

from pyqemu.plugins import api

qemu_plugin_version = 0


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    inline = any(a.partition("=")[0] == "inline" and a.partition("=")[2] in ("", "on", "true")
                 for a in args)
    count = api.Counter()

    def on_insn(_vcpu: int, _udata: object) -> None:
        count[0] += 1

    def on_trans(_pid: int, tb: api.Tb) -> None:
        for insn in tb.insns:
            if inline:
                api.register_vcpu_insn_exec_inline(insn, api.INLINE_ADD_U64, count, 1)
            else:
                api.register_vcpu_insn_exec_cb(insn, on_insn)

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, lambda _pid, _u: api.outs(f"insns: {count.value}\n"))
    return 0
