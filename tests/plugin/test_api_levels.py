# SPDX-License-Identifier: GPL-2.0-or-later
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

import re
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


# A plugin that looks up every name of the 7.2 list in the process, as a plugin's own calls
# are resolved (dlsym(RTLD_DEFAULT)), and reports what the host's environment says.
SYMBOL_PROBE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    char name[128], line[256];
    const char *level = getenv("QEMU_PLUGIN_API");
    FILE *names = argc ? fopen(argv[0], "r") : NULL;

    if (!names)
        return 1;
    snprintf(line, sizeof(line), "env %s\n", level ? level : "(unset)");
    qemu_plugin_outs(line);
    while (fscanf(names, "%127s", name) == 1) {
        if (dlsym(RTLD_DEFAULT, name)) {
            snprintf(line, sizeof(line), "found %s\n", name);
            qemu_plugin_outs(line);
        }
    }
    fclose(names);
    return 0;
}
"""


@pytest.mark.parametrize("level,symbols_file", [("5.2", "qemu-plugins.symbols"),
                                                ("7.2", "qemu-plugins-7.2.symbols")])
def test_the_level_reaches_the_host_without_the_environment(guest_builder, tmp_path: Path,
                                                            level: str,
                                                            symbols_file: str) -> None:
    """-plugin-api picks the host through Options and pyqemu.host.load, not os.environ:
    the plugin sees exactly that level's exports, and QEMU_PLUGIN_API stays unset in the
    emulator's environment (a level passed through os.environ would show there)."""
    if shutil.which("gcc") is None:
        missing("gcc, needed to build the plugins (apt-get install gcc)")
    (tmp_path / "probe.c").write_text(SYMBOL_PROBE)
    probe = tmp_path / "libprobe.so"
    subprocess.run(["gcc", *PLUGIN_CFLAGS, "-DQEMU_PLUGIN_API_LEVEL=502",
                    f"-I{PLUGIN_INCLUDE_DIR}", "-o", str(probe), str(tmp_path / "probe.c"),
                    "-ldl"], check=True)
    every_name = sorted(set(re.findall(r"\b(qemu_plugin_\w+)\s*;", (
        REPO / "plugins" / "qemu-plugins-7.2.symbols").read_text() + (
        REPO / "plugins" / "qemu-plugins.symbols").read_text())))
    (tmp_path / "names").write_text("\n".join(every_name) + "\n")
    expected = set(re.findall(r"\b(qemu_plugin_\w+)\s*;",
                              (REPO / "plugins" / symbols_file).read_text()))
    program = str(guest_builder.build("hello", "musl-static"))
    env = guest_env()
    env.pop("QEMU_PLUGIN_API", None)
    result, log = logged_run(run_pyqemu, tmp_path, level, [program],
                             [f"{probe},arg={tmp_path / 'names'}"],
                             extra=("-plugin-api", level), env=env)
    assert (result.returncode, result.stdout) == (0, "hello, world\n"), result.stderr
    lines = log.splitlines()
    assert lines[0] == "env (unset)"
    found = {line.split()[1] for line in lines[1:] if line.startswith("found ")}
    assert found == expected
    # the two lists differ, so the test tells the levels apart
    assert 0 < len(expected) < len(every_name)
