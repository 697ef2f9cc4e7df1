# SPDX-License-Identifier: GPL-2.0-or-later
"""Registering Python callbacks does not grow memory (issue 21).

Each Python API registration used to allocate a cffi callback (executable memory and
the Python objects behind it) kept until the process ended, so a plugin that registers
again and again (a tb_trans callback replaced, the same exec callback put on block
after block) grew without end.  Now each plugin and event has one C callback, reused;
a registration only replaces the Python callable it calls, as C replaces the function.
"""

from __future__ import annotations

from pathlib import Path

from harness import run_pyqemu

REGISTRATIONS = 10_000

PYTHON_REGISTERS_AGAIN = '''
import tracemalloc

from pyqemu.plugins import api


def qemu_plugin_install(plugin_id, info, args):
    n = int(args[0])
    state = {"blocks": 0, "exec": 0, "exec_growth": None}

    def on_exec(_vcpu, userdata):
        state["exec"] += userdata

    def on_trans(_pid, tb):
        state["blocks"] += 1
        if state["exec_growth"] is None:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(n):
                api.register_vcpu_tb_exec_cb(tb, on_exec, api.CB_NO_REGS, 1)
            state["exec_growth"] = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()

    def on_exit(_pid, _udata):
        api.outs(f"atexit: blocks {state['blocks'] > 0}, exec calls {state['exec']}\\n")
        api.outs(f"growth: {growth} {state['exec_growth']}\\n")

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(n):
        api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
        api.register_vcpu_syscall_cb(plugin_id, lambda *args: None)
        api.register_atexit_cb(plugin_id, on_exit)
    growth = tracemalloc.get_traced_memory()[0] - before
    return 0
'''


def test_ten_thousand_registrations_do_not_grow_memory(guest_builder, tmp_path: Path) -> None:
    program = guest_builder.build("hello", "musl-static")
    plugin = tmp_path / "again.py"
    plugin.write_text(PYTHON_REGISTERS_AGAIN)
    log = tmp_path / "plugin.log"
    result = run_pyqemu([str(program)], plugins=[f"{plugin},arg={REGISTRATIONS}"],
                        extra=["-d", "plugin", "-D", str(log)])
    assert result.returncode == 0, result.stderr
    lines = log.read_text().splitlines()
    # C keeps one callback per plugin and event: the last atexit registered runs once,
    # and the block the exec callback went on 10,000 times runs it 10,000 times a pass
    assert len(lines) == 2 and lines[0].startswith("atexit: blocks True, exec calls ")
    exec_calls = int(lines[0].split()[-1])
    assert exec_calls > 0 and exec_calls % REGISTRATIONS == 0
    per_event, per_block = (int(n) for n in lines[1].split()[1:])
    # a cffi callback and its Python objects cost hundreds of bytes: 30,000 and 10,000 of
    # them are megabytes; what stays is a few objects
    assert per_event < 64 * 1024, f"{per_event} bytes kept by {3 * REGISTRATIONS} registrations"
    assert per_block < 64 * 1024, f"{per_block} bytes kept by {REGISTRATIONS} registrations"
