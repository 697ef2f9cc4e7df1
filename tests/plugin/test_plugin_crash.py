# SPDX-License-Identifier: GPL-2.0-or-later
"""A plugin that crashes is named in one line and the other plugins' atexit
output is still written (QEMU dies and loses it); the exit status is QEMU's:
the emulator dies of the same signal.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from harness import run_pyqemu, run_qemu

REPO = Path(__file__).resolve().parents[2]
CRASHER = r"""
#include <qemu-plugin.h>
#include <stddef.h>
#include <string.h>
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
static int n;
static void boom(unsigned int vcpu, void *u) { if (++n == 100) *(volatile int *)NULL = 1; }
static void trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    qemu_plugin_register_vcpu_tb_exec_cb(tb, boom, QEMU_PLUGIN_CB_NO_REGS, NULL);
}
static void sys_boom(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1,
                     uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                     uint64_t a7, uint64_t a8)
{
    *(volatile int *)NULL = 1;
}
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (argc && strcmp(argv[0], "syscall") == 0)
        qemu_plugin_register_vcpu_syscall_cb(id, sys_boom);
    else
        qemu_plugin_register_vcpu_tb_trans_cb(id, trans);
    return 0;
}
"""


@pytest.fixture(scope="module")
def crasher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crasher")
    (out / "crash.c").write_text(CRASHER)
    subprocess.run(["gcc", "-Wall", "-Werror", "-shared", "-fPIC", f"-I{REPO}/include/qemu",
                    "-o", str(out / "libcrash.so"), str(out / "crash.c")], check=True)
    return out / "libcrash.so"


@pytest.mark.parametrize("arg,event", [("", "exec"), (",arg=syscall", "vcpu_syscall")])
def test_crashing_plugin_is_named_and_others_report(guest_builder, plugin_lib, crasher: Path,
                                                    arg: str, event: str) -> None:
    program = str(guest_builder.build("loop", "musl-static"))
    plugins = [str(plugin_lib("bb")), f"{crasher}{arg}"]
    ours = run_pyqemu([program], plugins=plugins, extra=["-d", "plugin"])
    theirs = run_qemu([program], plugins=plugins, extra=["-d", "plugin"])
    assert ours.returncode == theirs.returncode == -11
    lines = ours.stderr.splitlines()
    assert lines[0].startswith(f"pyqemu-x86_64: plugin {crasher} crashed in its {event} callback"
                               " (Segmentation fault")
    assert lines[1].startswith("bb's: ")   # the healthy plugin's atexit output
    assert "bb's: " not in theirs.stderr   # what qemu loses
    assert "Traceback" not in ours.stderr
