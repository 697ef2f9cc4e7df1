"""Plugins written in Python give the same results as their C twins.

``-plugin pyqemu.contrib.bb`` (a module) or ``-plugin path/to/tool.py``
loads a Python plugin through the same registry as a C one; inline counters
run in C.  Each example in pyqemu/contrib is compared with the C plugin of
the same name on the same guests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import run_pyqemu

REPO = Path(__file__).resolve().parents[2]
TWINS = [("bb", ""), ("bb", ",arg=inline"), ("insn", ""), ("insn", ",arg=inline")]


def _plugin_output(result) -> str:
    assert result.returncode == 0, result.stderr
    return "".join(line + "\n" for line in result.stderr.splitlines()
                   if line.startswith(("bb's:", "insns:")))


@pytest.mark.parametrize("name,args", TWINS, ids=[f"{n}{a}" for n, a in TWINS])
@pytest.mark.parametrize("guest", ["loop", "hello"])
def test_python_twin_matches_c_plugin(guest_builder, plugin_lib, name: str, args: str,
                                      guest: str) -> None:
    program = str(guest_builder.build(guest, "musl-static"))
    c_run = run_pyqemu([program], plugins=[f"{plugin_lib(name)}{args}"], extra=["-d", "plugin"])
    py_run = run_pyqemu([program], plugins=[f"pyqemu.contrib.{name}{args}"],
                        extra=["-d", "plugin"])
    assert _plugin_output(py_run) == _plugin_output(c_run) != ""


def test_plugin_given_as_a_file_path(guest_builder) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    result = run_pyqemu([program], plugins=[str(REPO / "pyqemu" / "contrib" / "insn.py")],
                        extra=["-d", "plugin"])
    assert _plugin_output(result).startswith("insns: ")


def test_python_plugin_errors_are_one_line(tmp_path: Path, guest_builder) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    broken = tmp_path / "broken.py"
    broken.write_text("def qemu_plugin_install(plugin_id, info, args):\n"
                      "    raise RuntimeError('no luck')\n")
    result = run_pyqemu([program], plugins=[str(broken)])
    assert result.returncode == 1
    assert result.stderr.strip() == (f"pyqemu-x86_64: Could not load plugin {broken}: "
                                     "qemu_plugin_install raised RuntimeError: no luck")
    too_new = tmp_path / "too_new.py"
    too_new.write_text("qemu_plugin_version = 9\n"
                       "def qemu_plugin_install(plugin_id, info, args):\n    return 0\n")
    result = run_pyqemu([program], plugins=[str(too_new)])
    assert result.returncode == 1
    assert "plugin requires API version 9, but this QEMU supports only up to version 0" in \
        result.stderr


def test_exception_in_a_callback_names_plugin_and_event(tmp_path: Path, guest_builder) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    plugin = tmp_path / "raiser.py"
    plugin.write_text(
        "from pyqemu.plugins import api\n"
        "def qemu_plugin_install(plugin_id, info, args):\n"
        "    def on_trans(pid, tb):\n"
        "        raise ValueError('bad block')\n"
        "    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)\n"
        "    return 0\n")
    result = run_pyqemu([program], plugins=[str(plugin)])
    assert result.returncode == 0   # the guest runs on
    assert f"pyqemu: {plugin}: tb_trans callback raised ValueError: bad block" in result.stderr
    assert "Traceback" not in result.stderr
