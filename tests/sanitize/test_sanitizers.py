# SPDX-License-Identifier: GPL-2.0-or-later
"""The C host under AddressSanitizer and UBSan (the sanitizer CI job of issue 10).

Mirrors QEMU's sanitizer CI build (configure --enable-sanitizers, then `make check`): a
representative subset of pyqemu's runs, each once on the normal host and once on the host
and plugins built with -Db_sanitize=address,undefined (tests/sanitize/sanitized_host.py).
Every sanitized run must print no sanitizer report and end exactly like the normal run:
status, guest output, plugin output (and the drcov file).  The subset covers every event
path of the host: block, instruction and memory callbacks and inline operations, syscalls,
reset and uninstall, the whole API (allapi), drcov, a Python plugin, threads, fork and
exec, signals, self-modifying code, a dynamic guest, a plugin that crashes and plugins that
fail to load; on both hosts (plugin API levels 7.2 and 5.2).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import harness
import pytest
from prerequisites import missing
from sanitized_host import (
    HOST_ONLY_VARIABLES,
    SanitizedBuild,
    SanitizerUnavailable,
    build,
    instrumentation_problems,
    sanitizer_reports,
)

RUN_TIMEOUT = 120.0
# the syscall plugin's lines for set_tid_address, getpid, gettid, getppid, fork, clone:
# they return process and thread ids, which differ from run to run
PROCESS_IDS = re.compile(r"^(syscall (?:218|39|186|110|57|56) ret) \d+$", re.M)
# where pyqemu starts placing the guest's mmaps (qemu's TASK_UNMAPPED_BASE): ASan's shadow
# memory holds that range, so under ASan they start above it; plugins that print such
# addresses (the stack, a JIT's pages) are compared with these addresses blanked
MMAP_BASE = 0x4000000000
HEX_ADDRESS = re.compile(r"0x[0-9a-f]{8,16}\b")


def _blank_mmap_addresses(text: str) -> str:
    return HEX_ADDRESS.sub(lambda m: "0x<mmap>" if int(m[0], 16) >= MMAP_BASE else m[0], text)


# a plugin whose 100th block callback writes through NULL, or with the argument "syscall"
# its first syscall callback (as tests/plugin/test_plugin_crash's)
CRASHER = r"""
#include <string.h>
#include <qemu-plugin.h>
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
static int blocks;
static void on_block(unsigned int vcpu, void *udata)
{
    if (++blocks == 100)
        *(volatile int *)0 = 1;
}
static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, NULL);
}
static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1,
                       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                       uint64_t a7, uint64_t a8)
{
    *(volatile int *)0 = 1;
}
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (argc && strcmp(argv[0], "syscall") == 0)
        qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
    else
        qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
    return 0;
}
"""

# a plugin with the two kinds of bug the job looks for, one per argument
FAULTY = r"""
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (argc && strcmp(argv[0], "overflow") == 0) {
        volatile char *buffer = malloc(8);
        buffer[8 + argc - 1] = 1;
        free((void *)buffer);
    } else if (argc && strcmp(argv[0], "signed") == 0) {
        volatile int big = INT_MAX;
        big += argc;
    }
    return 0;
}
"""


@dataclass(frozen=True)
class Case:
    """One run: a guest from tests/guests, the plugins (a build's lib<name>.so with its
    arguments, or a spec used as is: a Python plugin, a file made by the test), and what
    must match between the normal and the sanitized run."""

    name: str
    guest: str
    flavor: str = "musl-static"
    plugins: tuple[tuple[str, str], ...] = ()
    status: int = 0
    # threads take turns in an order the host scheduler picks: block counts vary
    same_plugin_output: bool = True
    drcov: bool = False
    extra: tuple[str, ...] = field(default=())


CASES = (
    Case("bb-insn-mem-syscall", "memops",
         plugins=(("bb", ""), ("insn", ""), ("mem", ""), ("syscall", ""))),
    Case("inline-counters", "loop", plugins=(("bb", "inline"), ("insn", "inline"),
                                             ("mem", "inline"))),
    Case("allapi-reset", "loop", plugins=(("allapi", "reset"),)),
    Case("allapi-uninstall", "loop", plugins=(("allapi", "uninstall"), ("bb", ""))),
    Case("drcov", "hello", plugins=(("drcov", ""),), drcov=True),
    Case("python-plugin", "hello", plugins=(("=pyqemu.contrib.bb", "inline"), ("insn", ""))),
    Case("threads", "pthreads", plugins=(("bb", ""), ("syscall", "")),
         same_plugin_output=False),
    Case("fork-exec", "forkexec", plugins=(("bb", "inline"),)),
    Case("signals", "catch_segv", plugins=(("insn", ""), ("mem", ""))),
    Case("self-modifying-code", "jit", plugins=(("bb", ""), ("hotblocks", ""))),
    Case("contrib-plugins", "loop", plugins=(("hotblocks", ""), ("hotpages", ""),
                                            ("howvec", ""))),
    Case("dynamic-guest", "hello", flavor="gcc-pie", plugins=(("execlog", ""),)),
    Case("plugin-api-5.2", "memops", plugins=(("bb", ""), ("mem", "inline")),
         extra=("-plugin-api", "5.2")),
    Case("guest-fault", "segv", plugins=(("bb", ""),), status=-11),
    Case("crashing-plugin", "loop", plugins=(("bb", ""), ("=CRASHER", "")), status=-11),
    Case("bad-version", "hello", plugins=(("bb", ""), ("badversion", "")), status=1),
    Case("install-fails", "hello", plugins=(("bb", ""), ("bb", "nonsense")), status=1),
)


@pytest.fixture(scope="module")
def sanitized() -> SanitizedBuild:
    try:
        return build()
    except SanitizerUnavailable as exc:
        missing(str(exc))
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"the sanitizer build failed: {' '.join(exc.cmd)}\n{exc.stdout}\n"
                    f"{exc.stderr}")


@pytest.fixture(scope="module")
def crasher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sanitize-crasher")
    (out / "crash.c").write_text(CRASHER, encoding="ascii")
    subprocess.run(["gcc", *harness.PLUGIN_CFLAGS, f"-I{harness.PLUGIN_INCLUDE_DIR}",
                    "-o", str(out / "libcrash.so"), str(out / "crash.c")], check=True)
    return out / "libcrash.so"


@dataclass(frozen=True)
class Outcome:
    """A run with its plugin paths replaced by <name>, and the drcov file it wrote."""

    result: harness.RunResult
    stdout: str
    stderr: str
    coverage: bytes


def _run(case: Case, program: Path, plugin_path: Callable[[str], Path], crasher: Path,
         tmp: Path, env: dict[str, str] | None) -> Outcome:
    specs, paths = [], {}
    coverage = tmp / "out.drcov"
    for name, args in case.plugins:
        if name == "=CRASHER":
            path = str(crasher)
        elif name.startswith("="):
            path = name[1:]
        else:
            path = paths[name] = str(plugin_path(name))
        plugin_args = [a for a in (args, f"filename={coverage}" if name == "drcov" else "") if a]
        specs.append(harness.plugin_spec(path, *plugin_args))
    result = harness.run_pyqemu(
        [str(program)], plugins=specs, timeout=RUN_TIMEOUT, env=env,
        extra=["-U", ",".join(HOST_ONLY_VARIABLES), "-d", "plugin", *case.extra])
    stdout, stderr = result.stdout, result.stderr
    for name, path in paths.items():
        stderr = stderr.replace(path, f"<{name}>")
    stderr = PROCESS_IDS.sub(r"\1 <id>", stderr.replace(str(coverage), "<drcov>"))
    stderr = _blank_mmap_addresses(stderr)
    data = coverage.read_bytes() if case.drcov else b""
    return Outcome(result, stdout, stderr, data)


def test_the_build_is_instrumented(sanitized: SanitizedBuild) -> None:
    """The sanitized _host and plugins call the sanitizer runtimes, and pyqemu loads that
    _host when PYQEMU_HOST_BUILD names the build."""
    assert not instrumentation_problems(sanitized, harness.guest_env())


@pytest.mark.parametrize("bug,report", [
    ("overflow", "ERROR: AddressSanitizer: heap-buffer-overflow"),
    ("signed", "runtime error: signed integer overflow"),
])
def test_a_sanitizer_report_is_caught(sanitized: SanitizedBuild, guest_builder, tmp_path: Path,
                                      bug: str, report: str) -> None:
    """A bug in C code the sanitized host runs is reported, and the job sees the report."""
    (tmp_path / "faulty.c").write_text(FAULTY, encoding="ascii")
    plugin = tmp_path / "libfaulty.so"
    subprocess.run(["gcc", *harness.PLUGIN_CFLAGS, "-fsanitize=address,undefined",
                    f"-I{harness.PLUGIN_INCLUDE_DIR}", "-o", str(plugin),
                    str(tmp_path / "faulty.c")], check=True)
    program = guest_builder.build("hello", "musl-static")
    result = harness.run_pyqemu(
        [str(program)], plugins=[harness.plugin_spec(plugin, bug)], timeout=RUN_TIMEOUT,
        env=sanitized.environment(harness.guest_env()),
        extra=["-U", ",".join(HOST_ONLY_VARIABLES)])
    assert result.returncode != 0, result.describe()
    assert any(report in line for line in sanitizer_reports(result.stderr)), result.describe()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_sanitized_run_matches_the_normal_run(case: Case, sanitized: SanitizedBuild,
                                              guest_builder, plugin_lib, crasher: Path,
                                              tmp_path: Path) -> None:
    program = guest_builder.build(case.guest, case.flavor)
    (tmp_path / "normal").mkdir()
    (tmp_path / "sanitized").mkdir()
    normal = _run(case, program, plugin_lib, crasher, tmp_path / "normal", None)
    checked = _run(case, program, sanitized.plugin, crasher, tmp_path / "sanitized",
                   sanitized.environment(harness.guest_env()))
    reports = sanitizer_reports(checked.result.stderr)
    assert not reports, f"sanitizer report:\n{checked.result.describe()}"
    assert normal.result.returncode == case.status, normal.result.describe()
    assert checked.result.returncode == case.status, checked.result.describe()
    assert "Traceback" not in checked.stderr, checked.result.describe()
    assert checked.stdout == normal.stdout
    if case.same_plugin_output:
        assert checked.stderr == normal.stderr, (
            f"--- normal ---\n{normal.result.describe()}\n"
            f"--- sanitized ---\n{checked.result.describe()}")
    else:  # the same report lines, with other counts
        def report_lines(text: str) -> set[str]:
            return {re.sub(r"\d+", "N", line) for line in text.splitlines()
                    if not line.startswith("syscall ")}
        assert report_lines(checked.stderr) == report_lines(normal.stderr), checked.stderr
    assert checked.coverage == normal.coverage
    if case.drcov:
        assert checked.coverage.startswith(b"DRCOV VERSION: 2\n")


@pytest.mark.parametrize("arg,event", [("", "exec"), ("syscall", "vcpu_syscall")])
def test_crash_report_from_the_signal_handler_under_asan(sanitized: SanitizedBuild,
                                                         guest_builder, plugin_lib,
                                                         crasher: Path, arg: str,
                                                         event: str) -> None:
    """The crash handler (pyqemu/host/plugin-crash.c), compiled with ASan, reports a plugin
    that writes through NULL: its line, the other plugin's atexit output, and the emulator
    dies of SIGSEGV as qemu-x86_64 does, with no sanitizer report from inside the handler.

    Two ways in: "exec" faults in a callback the engine's generated code calls (the
    handler finds the plugin by the faulting address), "vcpu_syscall" in one the host
    calls (found by plugin_cb_context, a thread-local read from the handler).

    ASan and the handler: ASan installs its own SIGSEGV/SIGBUS handler at start-up
    (handle_segv=1, its default), which lets a program install another one over it;
    plugin_crash_report_init does, so the fault reaches pyqemu's handler, not ASan's
    "SEGV on unknown address" report.  The handler runs on pyqemu's alternate stack and
    calls only async-signal-safe functions (tests/build/test_host_layers.py checks the
    list), so the runtime has nothing to object to.  The last run shows the test can
    tell: with handle_segv=2 (ASan keeps the signal to itself) ASan's report comes instead.
    """
    plugin = crasher   # not instrumented: qemu-x86_64 runs it too, for its exit status
    program = guest_builder.build("loop", "musl-static")
    crasher = harness.plugin_spec(plugin, arg) if arg else str(plugin)
    specs = [str(sanitized.plugin("bb")), crasher]
    env = sanitized.environment(harness.guest_env())
    extra = ["-U", ",".join(HOST_ONLY_VARIABLES), "-d", "plugin"]
    result = harness.run_pyqemu([str(program)], plugins=specs, timeout=RUN_TIMEOUT, env=env,
                                extra=extra)
    reference = harness.run_qemu([str(program)], plugins=[str(plugin_lib("bb")), crasher],
                                 timeout=RUN_TIMEOUT, extra=["-d", "plugin"])
    assert not sanitizer_reports(result.stderr), result.describe()
    assert result.returncode == reference.returncode == -11, result.describe()
    lines = result.stderr.splitlines()
    assert lines[0] == (f"pyqemu-x86_64: plugin {plugin} crashed in its {event} callback "
                        "(Segmentation fault at (nil))"), result.describe()
    assert len(lines) == 2 and lines[1].startswith("bb's: "), result.describe()
    assert int(lines[1].split()[-1]) > 0   # the count bb gathered before the crash
    # ASan keeping SIGSEGV to itself: its report, and none of the handler's output
    env["ASAN_OPTIONS"] += ":handle_segv=2"
    asan = harness.run_pyqemu([str(program)], plugins=specs, timeout=RUN_TIMEOUT, env=env,
                              extra=extra)
    assert "ERROR: AddressSanitizer: SEGV on unknown address" in asan.stderr, asan.describe()
    assert "crashed in its" not in asan.stderr and "bb's: " not in asan.stderr
