"""Plugin API levels: a plugin built for QEMU 7.2 (version 1) runs under qemu 7.2 and pyqemu alike.

pyqemu's default host implements QEMU 7.2's plugin API (QEMU_PLUGIN_VERSION
1, minimum 0, as qemu-x86_64 7.2); ``-plugin-api 5.2`` or
``QEMU_PLUGIN_API=5.2`` loads the host with exactly QEMU 5.2's API, which
refuses a version-1 plugin with QEMU's "version too new" line (or, when the
plugin calls a function 5.2 lacks, at dlopen, as QEMU 5.2 would).
tests/plugin/codeinfo.c asks for the 7.2 header (QEMU_PLUGIN_API_LEVEL
702) and prints what qemu_plugin_path_to_binary, start_code, end_code,
entry_code, insn_symbol, bool_parse and the hwaddr pair answer; its whole
log must be the same under both emulators.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from harness import PLUGIN_CFLAGS, PLUGIN_INCLUDE_DIR, guest_env, run_pyqemu, run_qemu
from prerequisites import missing

REPO = Path(__file__).resolve().parents[2]
CODEINFO_ARGS = "inline=on,quiet=n,verbose=yes,level=maybe"


def logged_run(runner, tmp_path: Path, name: str, argv: list[str], plugins: list[str],
               extra: tuple[str, ...] = (), env: dict[str, str] | None = None):
    """A run with the plugins' output in its own -D file; returns (result, log text)."""
    log = tmp_path / f"{name}.log"
    result = runner(argv, plugins=plugins, extra=[*extra, "-d", "plugin", "-D", str(log)],
                    env=env)
    return result, log.read_text() if log.exists() else ""


@pytest.mark.parametrize("flavor", ["musl-static", "gcc-pie"])
def test_version1_plugin_gives_qemu_72s_output(guest_builder, plugin_lib, tmp_path: Path,
                                               flavor: str) -> None:
    program = str(guest_builder.build("hello", flavor))
    spec = f"{plugin_lib('codeinfo')},{CODEINFO_ARGS}"
    q, q_log = logged_run(run_qemu, tmp_path, "qemu", [program], [spec])
    p, p_log = logged_run(run_pyqemu, tmp_path, "pyqemu", [program], [spec])
    assert (p.returncode, p.stdout) == (q.returncode, q.stdout) == (0, "hello, world\n")
    assert p_log == q_log
    # the answers are there, not empty: version 1 loaded, the 7.2 functions ran
    assert "install: version 1, info 0..1\n" in q_log
    assert f"binary {program}\n" in q_log and " main\n" in q_log
    assert "install: bool level=maybe -> not parsed\n" in q_log


@pytest.fixture(scope="module")
def bb_version1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/plugin/bb.c built against the 7.2 header: version 1, only 5.2 functions."""
    if shutil.which("gcc") is None:
        missing("gcc, needed to build the plugins (apt-get install gcc)")
    library = tmp_path_factory.mktemp("level702") / "libbb.so"
    subprocess.run(["gcc", *PLUGIN_CFLAGS, "-DQEMU_PLUGIN_API_LEVEL=702",
                    f"-I{PLUGIN_INCLUDE_DIR}", "-o", str(library),
                    str(REPO / "tests" / "plugin" / "bb.c")], check=True)
    return library


def test_the_52_host_refuses_a_version1_plugin(guest_builder, bb_version1: Path,
                                               plugin_lib) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    plugin = str(bb_version1)
    expected = (f"pyqemu-x86_64: Could not load plugin {plugin}: plugin requires API version 1, "
                "but this QEMU supports only up to version 0\n")
    by_option = run_pyqemu([program], plugins=[plugin], extra=["-plugin-api", "5.2"])
    by_env = run_pyqemu([program], plugins=[plugin], env=guest_env(QEMU_PLUGIN_API="5.2"))
    for result in (by_option, by_env):
        assert (result.returncode, result.stdout, result.stderr) == (1, "", expected)
    # a plugin that calls a 7.2 function fails earlier, at dlopen, as under QEMU 5.2
    codeinfo = str(plugin_lib("codeinfo"))
    result = run_pyqemu([program], plugins=[codeinfo], extra=["-plugin-api", "5.2"])
    assert result.returncode == 1
    assert result.stderr.startswith(f"pyqemu-x86_64: Could not load plugin {codeinfo}: ")
    assert result.stderr.endswith(": undefined symbol: qemu_plugin_bool_parse\n")


def test_a_version1_plugin_of_52_functions_runs_like_under_qemu(guest_builder, bb_version1: Path,
                                                                tmp_path: Path) -> None:
    program = str(guest_builder.build("loop", "musl-static"))
    spec = f"{bb_version1},inline"
    q, q_log = logged_run(run_qemu, tmp_path, "qemu", [program], [spec])
    p, p_log = logged_run(run_pyqemu, tmp_path, "pyqemu", [program], [spec])
    assert p.returncode == q.returncode == 0
    assert p_log == q_log != ""


@pytest.mark.parametrize("level", ["5.2", "7.2"])
def test_a_52_plugin_runs_under_both_levels(guest_builder, plugin_lib, tmp_path: Path,
                                            level: str) -> None:
    program = str(guest_builder.build("loop", "musl-static"))
    spec = f"{plugin_lib('bb')},inline"
    q, q_log = logged_run(run_qemu, tmp_path, "qemu", [program], [spec])
    p, p_log = logged_run(run_pyqemu, tmp_path, "pyqemu", [program], [spec],
                          extra=("-plugin-api", level))
    assert p.returncode == q.returncode == 0
    assert p_log == q_log != ""


def test_an_unknown_level_is_a_usage_error(guest_builder) -> None:
    result = run_pyqemu([str(guest_builder.build("hello", "musl-static"))],
                        extra=["-plugin-api", "6.0"])
    assert result.returncode == 1
    assert result.stderr == "pyqemu: plugin API level '6.0' is not supported (5.2, 7.2)\n"


PYTHON_CODEINFO = '''
from pyqemu.plugins import api

qemu_plugin_version = 1


def qemu_plugin_install(plugin_id, info, args):
    names = set()

    def on_trans(_pid, tb):
        names.update(insn.symbol for insn in tb.insns if insn.symbol)

    def on_exit(_pid, _udata):
        api.outs(f"exit: entry {api.entry_code():#x} start_code {api.start_code():#x} "
                 f"end_code {api.end_code():#x} binary {api.path_to_binary()}\\n"
                 f"symbols: {len(names)} functions ran\\n"
                 + "".join(f"  {name}\\n" for name in sorted(names)))

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
'''


def test_python_plugin_reads_the_72_facts_like_its_c_twin(guest_builder, plugin_lib,
                                                          tmp_path: Path) -> None:
    program = str(guest_builder.build("hello", "musl-static"))
    python_plugin = tmp_path / "codeinfo.py"
    python_plugin.write_text(PYTHON_CODEINFO)
    _c, c_log = logged_run(run_pyqemu, tmp_path, "c", [program], [str(plugin_lib("codeinfo"))])
    _p, p_log = logged_run(run_pyqemu, tmp_path, "py", [program], [str(python_plugin)])
    c_tail = c_log[c_log.index("exit: "):]
    assert p_log == c_tail
    assert "  main\n" in p_log
