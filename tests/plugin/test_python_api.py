# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python plugin API (pyqemu/plugins/api.py) answers what the C API answers.

tests/plugin/pyallapi.py calls the Python API the way tests/plugin/allapi.c
calls the C API (every event, exec and memory callbacks with user data,
inline operations on a Counter's cells, the meminfo helpers, instruction
data/haddr/disas, reset and uninstall); its report lines must equal
allapi.c's under qemu-x86_64 7.2 (the reference) and under pyqemu.  A
second plugin prints each translated instruction's address, bytes and
symbol, checked against the guest's ELF file with pyelftools.  Wrong
arguments to the API raise the exceptions its docstrings name.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from differential_sources import MEMOP_FLAGS_GUEST, MEMOP_FLAGS_STDOUT
from elftools.elf.elffile import ELFFile
from harness import PLUGIN_CFLAGS, PLUGIN_INCLUDE_DIR, run_pyqemu, run_qemu
from prerequisites import missing

PYALLAPI = Path(__file__).with_name("pyallapi.py")
MEMOPS_STDOUT = ("size=1 stores=1000 loads=1000 sum=128660\n"
                 "size=2 stores=1000 loads=1000 sum=4851500\n"
                 "size=4 stores=1000 loads=1000 sum=285213171500\n"
                 "size=8 stores=1000 loads=1000 sum=7493989779945004844\n")


def parse_report(log: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in log.splitlines() if ": " in line)


def logged(runner, tmp_path: Path, name: str, program: Path, spec: str,
           stdout: str) -> str:
    """The -d plugin log of a run that must end as the guest does natively."""
    log = tmp_path / f"{name}.log"
    result = runner([str(program)], plugins=[spec], extra=["-d", "plugin", "-D", str(log)])
    assert (result.returncode, result.stdout) == (0, stdout), result.stderr
    return log.read_text()


@pytest.fixture(scope="module")
def memop_flags(musl_guest) -> Path:
    return musl_guest(MEMOP_FLAGS_GUEST)


@pytest.mark.parametrize("guest", ["memops", "memop_flags"])
def test_python_allapi_reports_what_c_allapi_reports(guest_builder, plugin_lib, memop_flags,
                                                     tmp_path: Path, guest: str) -> None:
    program, stdout = ((guest_builder.build("memops", "musl-static"), MEMOPS_STDOUT)
                       if guest == "memops" else (memop_flags, MEMOP_FLAGS_STDOUT))
    c_spec = str(plugin_lib("allapi"))
    reference = parse_report(logged(run_qemu, tmp_path, "qemu", program, c_spec, stdout))
    c_report = parse_report(logged(run_pyqemu, tmp_path, "c", program, c_spec, stdout))
    py_log = logged(run_pyqemu, tmp_path, "py", program, str(PYALLAPI), stdout)
    py_report = parse_report(py_log)
    # every line the Python twin prints is one of allapi's, in allapi's order
    assert list(py_report) == [key for key in reference if key in py_report]
    assert len(py_report) == 35, py_log
    assert py_report == {key: reference[key] for key in py_report}
    assert py_report == {key: c_report[key] for key in py_report}
    # the values are real: accesses of 4 sizes seen, flags seen where the guest has them
    assert int(py_report["mem_cb"]) == int(py_report["mem_loads"]) + int(py_report["mem_stores"])
    assert int(py_report["insn_exec_cb"]) > 1000 and int(py_report["syscall"]) > 2
    if guest == "memops":
        assert int(py_report["mem_stores"]) >= 4000
        assert int(py_report["mem_bytes"]) >= 2 * 1000 * (1 + 2 + 4 + 8)
    else:
        assert int(py_report["mem_sign_extended"]) >= 40
        assert py_report["mem_big_endian"] == "20"


@pytest.mark.parametrize("control", ["reset", "uninstall"])
def test_python_reset_and_uninstall_act_as_the_c_api(guest_builder, plugin_lib, tmp_path: Path,
                                                      control: str) -> None:
    program = guest_builder.build("memops", "musl-static")
    full = parse_report(logged(run_pyqemu, tmp_path, "full", program, str(PYALLAPI),
                               MEMOPS_STDOUT))
    c_log = logged(run_qemu, tmp_path, "qemu", program, f"{plugin_lib('allapi')},{control}=on",
                   MEMOPS_STDOUT)
    py_log = logged(run_pyqemu, tmp_path, "py", program, f"{PYALLAPI},{control}=on",
                    MEMOPS_STDOUT)
    c_first, _, c_summary = c_log.partition("\n")
    py_first, _, py_summary = py_log.partition("\n")
    # the reset/uninstall callback ran once, and the summary is printed once after it
    assert py_first == c_first == f"{control}_cb: 1"
    assert py_log.count(f"{control}_cb") == 1 and py_log.count("tb_trans: ") == 1
    py_report, c_report = parse_report(py_summary), parse_report(c_summary)
    assert py_report == {key: c_report[key] for key in py_report}
    # the callbacks stopped soon after the 1000th block: fewer than a whole run
    assert 1000 <= int(py_report["tb_exec_cb"]) < int(full["tb_exec_cb"])
    assert int(py_report["syscall"]) < int(full["syscall"])


PYTHON_INSN_FACTS = '''
import ctypes

from pyqemu.plugins import api


def qemu_plugin_install(plugin_id, info, args):
    seen = {}

    def on_trans(_pid, tb):
        for insn in tb.insns:
            host = ctypes.string_at(insn.haddr, insn.size) if insn.haddr else b""
            seen[insn.vaddr] = (insn.data.hex(), host.hex(), insn.symbol or "-")

    def on_exit(_pid, _udata):
        api.outs("".join(f"{vaddr:#x} {data} {host} {symbol}\\n"
                         for vaddr, (data, host, symbol) in sorted(seen.items())))

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
'''


def test_python_insn_data_haddr_and_symbol_match_the_elf(guest_builder, tmp_path: Path) -> None:
    """Each instruction's bytes are the ELF's bytes at its address, haddr points at them,
    and its symbol is the FUNC symbol of the ELF's .symtab that covers it (None outside)."""
    program = guest_builder.build("hello", "musl-static")
    plugin = tmp_path / "insnfacts.py"
    plugin.write_text(PYTHON_INSN_FACTS)
    log = logged(run_pyqemu, tmp_path, "py", program, str(plugin), "hello, world\n")
    with open(program, "rb") as stream:
        elf = ELFFile(stream)
        assert elf.header.e_type == "ET_EXEC"   # static, not PIE: vaddrs are the ELF's
        segments = [(seg["p_vaddr"], seg.data()) for seg in elf.iter_segments()
                    if seg["p_type"] == "PT_LOAD"]
        functions = [(sym["st_value"], sym["st_value"] + sym["st_size"], sym.name)
                     for sym in elf.get_section_by_name(".symtab").iter_symbols()
                     if sym["st_info"]["type"] == "STT_FUNC" and sym["st_shndx"] != "SHN_UNDEF"]
    lines = log.splitlines()
    assert len(lines) > 100, log
    named = 0
    for line in lines:
        vaddr_text, data, host, symbol = line.split(" ")
        vaddr = int(vaddr_text, 16)
        size = len(data) // 2
        image = next(blob[vaddr - start:vaddr - start + size] for start, blob in segments
                     if start <= vaddr < start + len(blob))
        assert (data, host) == (image.hex(), image.hex()), line
        covering = {name for start, end, name in functions if start <= vaddr < end}
        if covering:
            assert symbol in covering, line
            named += 1
        else:
            assert symbol == "-", line
    assert named > len(lines) // 2
    assert any(line.endswith(" main") for line in lines)


PYTHON_BAD_CELL = '''
from pyqemu.plugins import api

counter = api.Counter(2)


def qemu_plugin_install(plugin_id, info, args):
    def on_trans(_pid, tb):
        api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, counter, 1, 1)
        api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, counter, 1, 2)

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, lambda _pid, _u: api.outs(
        f"cells {counter.values()} of {len(counter)}\\n"))
    return 0
'''


def test_an_inline_op_on_a_cell_past_the_counter_raises_index_error(guest_builder, plugin_lib,
                                                                     tmp_path: Path) -> None:
    """Counter.ptr refuses a cell past its end, where C would add to foreign memory."""
    program = guest_builder.build("hello", "musl-static")
    plugin = tmp_path / "badcell.py"
    plugin.write_text(PYTHON_BAD_CELL)
    log = tmp_path / "py.log"
    result = run_pyqemu([str(program)], plugins=[str(plugin)],
                        extra=["-d", "plugin", "-D", str(log)])
    assert (result.returncode, result.stdout) == (0, "hello, world\n")   # the guest runs on
    assert result.stderr == (f"pyqemu: {plugin}: tb_trans callback raised IndexError: "
                             "counter index 2 out of range 0..1\n")
    # cell 1 counted every block (as bb.c's inline count), cell 0 and the memory past it nothing
    bb_log = tmp_path / "bb.log"
    bb = run_pyqemu([str(program)], plugins=[f"{plugin_lib('bb')},inline=on"],
                    extra=["-d", "plugin", "-D", str(bb_log)])
    assert bb.returncode == 0
    blocks = int(bb_log.read_text().split("bb's: ")[1].split(",")[0])
    assert log.read_text() == f"cells [0, {blocks}] of 2\n" and blocks > 100


PYTHON_NOT_CALLABLE = '''
from pyqemu.plugins import api


def qemu_plugin_install(plugin_id, info, args):
    api.register_vcpu_tb_trans_cb(plugin_id, None)
    return 0
'''


def test_a_callback_that_is_not_callable_fails_the_install(guest_builder,
                                                           tmp_path: Path) -> None:
    program = guest_builder.build("hello", "musl-static")
    plugin = tmp_path / "notcallable.py"
    plugin.write_text(PYTHON_NOT_CALLABLE)
    result = run_pyqemu([str(program)], plugins=[str(plugin)])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"pyqemu-x86_64: Could not load plugin {plugin}: qemu_plugin_install "
                             "raised TypeError: the callback must be callable, not NoneType\n")


PYTHON_BOOL_PARSE = '''
from pyqemu.plugins import api


def qemu_plugin_install(plugin_id, info, args):
    for arg in args:
        name, value = arg.split("=", 1)
        parsed = api.bool_parse(name, value)
        answer = "not parsed" if parsed is None else str(int(parsed))
        api.outs(f"install: bool {name}={value} -> {answer}\\n")
    return 0
'''


def test_python_bool_parse_answers_as_qemu(guest_builder, plugin_lib, tmp_path: Path) -> None:
    """api.bool_parse on each argument, against codeinfo.c's lines under qemu-x86_64 7.2."""
    program = guest_builder.build("hello", "musl-static")
    plugin = tmp_path / "boolparse.py"
    plugin.write_text(PYTHON_BOOL_PARSE)
    args = "a=on,b=yes,c=true,d=y,e=off,f=no,g=false,h=n,i=maybe,j=ON,k="
    q_log = logged(run_qemu, tmp_path, "qemu", program, f"{plugin_lib('codeinfo')},{args}",
                   "hello, world\n")
    py_log = logged(run_pyqemu, tmp_path, "py", program, f"{plugin},{args}", "hello, world\n")
    reference = "".join(line + "\n" for line in q_log.splitlines()
                        if line.startswith("install: bool "))
    assert py_log == reference
    assert py_log.count(" -> 1\n") == 4 and py_log.count(" -> 0\n") == 4


C_INSTALL_RESULT = r"""
#include <qemu-plugin.h>
QEMU_PLUGIN_EXPORT int qemu_plugin_version = VERSION;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    return RC;
}
"""


@pytest.mark.parametrize("version,rc", [(-1, 0), (0, 3)])
def test_python_plugin_load_errors_read_as_qemus(guest_builder, tmp_path: Path, version: int,
                                                 rc: int) -> None:
    """A version below the minimum, an install returning non-zero: QEMU 7.2's lines for a
    C plugin that does the same, the path aside."""
    if shutil.which("gcc") is None:
        missing("gcc, needed to build the reference plugin (apt-get install gcc)")
    program = str(guest_builder.build("hello", "musl-static"))
    source = tmp_path / "result.c"
    source.write_text(C_INSTALL_RESULT)
    library = tmp_path / "libresult.so"
    subprocess.run(["gcc", *PLUGIN_CFLAGS, f"-DVERSION={version}", f"-DRC={rc}",
                    f"-I{PLUGIN_INCLUDE_DIR}", "-o", str(library), str(source)], check=True)
    plugin = tmp_path / "result.py"
    plugin.write_text(f"qemu_plugin_version = {version}\n"
                      f"def qemu_plugin_install(plugin_id, info, args):\n    return {rc}\n")
    q = run_qemu([program], plugins=[str(library)])
    p = run_pyqemu([program], plugins=[str(plugin)])
    assert (p.returncode, p.stdout) == (q.returncode, q.stdout) == (1, "")
    q_line = q.stderr.replace("qemu-x86_64: ", "").replace(str(library), "PLUGIN")
    p_line = p.stderr.replace("pyqemu-x86_64: ", "").replace(str(plugin), "PLUGIN")
    assert p_line == q_line and q_line.startswith("Could not load plugin PLUGIN: ")


@pytest.mark.parametrize("text,error", [
    ("import no_such_module_here\n",
     "ModuleNotFoundError: No module named 'no_such_module_here'"),
    ("def qemu_plugin_install(:\n", "SyntaxError: "),
    ("qemu_plugin_version = 1\n", "'qemu_plugin_install': not defined by the module"),
])
def test_python_plugin_that_cannot_load_is_named_with_the_reason(guest_builder, tmp_path: Path,
                                                                 text: str, error: str) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    plugin = tmp_path / "bad.py"
    plugin.write_text(text)
    result = run_pyqemu([program], plugins=[str(plugin)])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"pyqemu-x86_64: Could not load plugin {plugin}: {error}")
    assert result.stderr.count("\n") == 1


def test_a_missing_python_file_or_module_fails_like_a_missing_plugin(guest_builder,
                                                                     tmp_path: Path) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    absent = tmp_path / "absent.py"
    result = run_pyqemu([program], plugins=[str(absent)])
    assert (result.returncode, result.stderr) == (
        1, f"pyqemu-x86_64: Could not load plugin {absent}: {absent}: No such file or directory\n")
    # a dotted name that Python cannot import is no Python plugin: dlopen's answer, as QEMU's
    name = "no_such_package.module"
    q = run_qemu([program], plugins=[name])
    p = run_pyqemu([program], plugins=[name])
    assert (p.returncode, p.stdout) == (q.returncode, q.stdout) == (1, "")
    assert p.stderr.replace("pyqemu-x86_64: ", "") == q.stderr.replace("qemu-x86_64: ", "")
    assert f"Could not load plugin {name}: " in p.stderr
