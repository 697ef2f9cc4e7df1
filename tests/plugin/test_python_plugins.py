# SPDX-License-Identifier: GPL-2.0-or-later
"""Plugins written in Python give the same results as their C twins.

``-plugin pyqemu.contrib.bb`` (a module) or ``-plugin path/to/tool.py``
loads a Python plugin through the same registry as a C one; inline counters
run in C.  Each example in pyqemu/contrib is compared with the C plugin of
the same name on the same guests.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import run_pyqemu

REPO = Path(__file__).resolve().parents[2]
# (plugin, arguments): each Python example against the C plugin of the same name
TWINS = [("bb", ""), ("bb", ",arg=inline"), ("insn", ""), ("insn", ",arg=inline"),
         ("hotblocks", ""), ("hotblocks", ",inline=on")]


def _plugin_output(result) -> str:
    assert result.returncode == 0, result.stderr
    return "".join(line + "\n" for line in result.stderr.splitlines()
                   if line.startswith(("bb's:", "insns:")))


def _logged(tmp_path: Path, name: str, program: str, spec: str) -> str:
    """The plugin's -d plugin output alone (a -D file), from a run that must succeed."""
    log = tmp_path / f"{name}.log"
    result = run_pyqemu([program], plugins=[spec], extra=["-d", "plugin", "-D", str(log)])
    assert result.returncode == 0, result.stderr
    return log.read_text()


# hotblocks without arguments makes a Python callback per block: hello covers it, and
# loop would take long, so that one pair is not generated.
TWIN_RUNS = [(name, args, guest) for name, args in TWINS for guest in ("loop", "hello")
             if not (name == "hotblocks" and not args and guest == "loop")]


@pytest.mark.parametrize("name,args,guest", TWIN_RUNS,
                         ids=[f"{guest}-{name}{args}" for name, args, guest in TWIN_RUNS])
def test_python_twin_matches_c_plugin(guest_builder, plugin_lib, tmp_path: Path, name: str,
                                      args: str, guest: str) -> None:
    program = str(guest_builder.build(guest, "musl-static"))
    c_output = _logged(tmp_path, "c", program, f"{plugin_lib(name)}{args}")
    py_output = _logged(tmp_path, "py", program, f"pyqemu.contrib.{name}{args}")
    assert py_output == c_output != ""


@dataclass
class DrcovFile:
    modules: list[str]                   # the module table's lines
    blocks: list[tuple[int, int, int]]   # (start, size, module id), in file order


def parse_drcov(data: bytes) -> DrcovFile:
    """drcov v2: text header and module table, then 8-byte bb_entry_t records."""
    head, sep, table = data.partition(b" bbs\n")
    assert sep, "no BB Table line"
    lines = head.decode().split("\n")
    assert lines[0] == "DRCOV VERSION: 2" and lines[-1].startswith("BB Table: ")
    count = int(lines[-1].removeprefix("BB Table: "))
    assert len(table) == 8 * count
    blocks = [struct.unpack_from("<IHH", table, 8 * i) for i in range(count)]
    return DrcovFile(lines[4:-1], blocks)


DRCOV_CASES = [("hello", "musl-static", ""), ("hello", "gcc-pie", ""),
               ("loop", "musl-static", ",exec=off"), ("hello", "gcc-pie", ",format=qemu7")]


@pytest.mark.parametrize("guest,flavor,args", DRCOV_CASES,
                         ids=[f"{g}-{f}{a}" for g, f, a in DRCOV_CASES])
def test_python_drcov_writes_the_c_plugins_file(guest_builder, plugin_lib, tmp_path: Path,
                                                guest: str, flavor: str, args: str) -> None:
    program = str(guest_builder.build(guest, flavor))
    files = {}
    for who, plugin in (("c", str(plugin_lib("drcov"))), ("py", "pyqemu.contrib.drcov")):
        files[who] = tmp_path / f"{who}.drcov"
        result = run_pyqemu([program], plugins=[f"{plugin},filename={files[who]}{args}"])
        assert result.returncode == 0, result.stderr
    c_file, py_file = parse_drcov(files["c"].read_bytes()), parse_drcov(files["py"].read_bytes())
    # the same module table, line for line, and the same set of blocks ...
    assert py_file.modules == c_file.modules and c_file.modules
    assert set(py_file.blocks) == set(c_file.blocks) and c_file.blocks
    # ... in the same order: the files are byte for byte the same
    assert files["py"].read_bytes() == files["c"].read_bytes()
    if flavor == "gcc-pie" and not args:
        paths = [module.split(", ", 4)[4] for module in c_file.modules]
        assert any(path.endswith("libc.so.6") for path in paths), paths


def test_python_drcov_writes_a_file_per_process_with_pid_in_the_name(plugin_lib,
                                                                     tmp_path: Path) -> None:
    # filename=...%p...: the parent and its forked child write a file each, as the C twin
    from harness import compile_guest

    guests = Path(__file__).resolve().parents[1] / "contrib" / "guests"
    program = str(compile_guest(guests / "fork_late_child.c", tmp_path / "fork", "musl-static"))
    files = {}
    for who, plugin in (("c", str(plugin_lib("drcov"))), ("py", "pyqemu.contrib.drcov")):
        out = tmp_path / who
        out.mkdir()
        result = run_pyqemu([program], plugins=[f"{plugin},filename={out}/cov.%p.drcov"])
        assert result.returncode == 0, result.stderr
        files[who] = sorted(f.read_bytes() for f in out.glob("cov.*.drcov"))
    assert files["py"] == files["c"] and len(files["c"]) == 2


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
    assert "plugin requires API version 9, but this QEMU supports only up to version 1" in \
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
