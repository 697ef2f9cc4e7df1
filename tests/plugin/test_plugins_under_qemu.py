# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the example plugins under real qemu-x86_64 to prove they are correct plugins.

Mirrors QEMU's own use of tests/plugin: the plugins run against a real guest and
their reports must be sane and agree with each other (inline and callback
counts, block and instruction totals, syscall logs). Later differential tests
run the same plugins under pyqemu.

Known QEMU 7.2 behaviour these tests accept on purpose:
- A block whose last instruction crosses a 4 KiB page reports that
  instruction but never runs its per-instruction instrumentation, so
  per-instruction counts fall short of block totals by the executions of such
  blocks (allapi counts them as tb_page_cross_exec).
- Memory callbacks filtered to loads ("r") see stores only, and those filtered
  to stores ("w") see every access, so only the unfiltered count is checked
  exactly.
- The version error reads "Could not load plugin <path>: plugin requires ..."
  instead of 5.2's "TCG plugin <path> requires ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from harness import RunResult, plugin_spec, run_qemu

REPO_ROOT = Path(__file__).resolve().parents[2]

GUEST_SOURCE = r"""
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    volatile int table[64] = {0};
    long sum = 0;

    write(1, "hello\n", 6);
    close(-1);
    for (int i = 0; i < 5000; i++) {
        table[i & 63] += i;
        if (i % 3) {
            sum += table[(i * 7) & 63];
        } else {
            sum -= i;
        }
    }
    printf("%ld\n", sum);
    return 0;
}
"""
GUEST_STDOUT = "hello\n212913081\n"

SYSCALL_WRITE = 1
SYSCALL_CLOSE = 3
SYSCALL_EXIT_GROUP = 231
EBADF = 9

# Every line allapi prints, in order.
ALLAPI_KEYS = (
    "target_name",
    "version_min",
    "version_cur",
    "system_emulation",
    "n_vcpus",
    "n_max_vcpus",
    "stale_api",
    "vcpu_for_each_install",
    "vcpu_for_each_exit",
    "vcpu_init",
    "vcpu_exit",
    "vcpu_idle",
    "vcpu_resume",
    "tb_trans",
    "flush",
    "syscall",
    "syscall_ret",
    "tb_exec_cb",
    "tb_exec_inline",
    "tb_insns_cb",
    "tb_insns_inline",
    "tb_page_cross_exec",
    "insn_exec_cb",
    "insn_exec_inline",
    "mem_cb",
    "mem_inline",
    "mem_haddr_cb",
    "mem_loads",
    "mem_stores",
    "mem_sign_extended",
    "mem_big_endian",
    "mem_bytes",
    "get_hwaddr_nonnull",
    "hwaddr_is_io",
    "hwaddr_to_raddr_nonzero",
    "mem_haddr_null",
    "mem_haddr_ram_addr_mismatch",
    "tb_empty",
    "tb_vaddr_mismatch",
    "tb_get_insn_oob_nonnull",
    "insn_data_null",
    "insn_size_bad",
    "insn_vaddr_gap",
    "insn_haddr_null",
    "insn_data_mismatch",
    "insn_disas_empty",
    "insn_ram_addr_mismatch",
)
# allapi checks that count faults: each must stay 0.
ALLAPI_FAULT_COUNTERS = (
    "tb_empty",
    "tb_vaddr_mismatch",
    "tb_get_insn_oob_nonnull",
    "insn_data_null",
    "insn_size_bad",
    "insn_vaddr_gap",
    "insn_haddr_null",
    "insn_data_mismatch",
    "insn_disas_empty",
    "get_hwaddr_nonnull",
    "hwaddr_is_io",
    "mem_big_endian",
)
# Names 5.2 exports but never defines; real QEMU lacks them.
STALE_API_NAMES = frozenset(
    {
        "qemu_plugin_register_vcpu_mem_haddr_cb",
        "qemu_plugin_ram_addr_from_host",
        "qemu_plugin_hwaddr_to_raddr",
    }
)
EXPORTED_SYMBOLS_FILE = REPO_ROOT / "plugins" / "qemu-plugins.symbols"
ALL_PLUGIN_SOURCES = (
    ("tests/plugin", "empty"),
    ("tests/plugin", "bb"),
    ("tests/plugin", "insn"),
    ("tests/plugin", "mem"),
    ("tests/plugin", "syscall"),
    ("tests/plugin", "allapi"),
    ("tests/plugin", "badversion"),
    ("contrib/plugins", "empty"),
)


class QemuRun:
    """One finished qemu-x86_64 run and what its plugins wrote to the -D log."""

    def __init__(self, result: RunResult, log: str) -> None:
        self.result = result
        self.log = log

    def assert_guest_ran(self) -> None:
        assert self.result.returncode == 0, self.result.describe()
        assert self.result.stdout == GUEST_STDOUT, self.result.describe()


@pytest.fixture(scope="module")
def guest(musl_guest: Callable[[str], Path]) -> Path:
    return musl_guest(GUEST_SOURCE)


@pytest.fixture
def run_plugin(guest: Path, tmp_path: Path) -> Callable[..., QemuRun]:
    """Returns run(plugin, *args, options="") -> QemuRun, running the guest.

    The plugin gets args in 5.2's "arg=x" form (see harness.plugin_spec), which
    7.2 hands over as "x=on"; options is raw -plugin text appended after them.
    """
    run_count = 0

    def run(plugin: Path, *args: str, options: str = "") -> QemuRun:
        nonlocal run_count
        run_count += 1
        log_path = tmp_path / f"plugin-{run_count}.log"
        spec = plugin_spec(plugin, *args) + options
        result = run_qemu([guest], plugins=[spec], extra=["-d", "plugin", "-D", str(log_path)])
        log = log_path.read_text() if log_path.exists() else ""
        return QemuRun(result, log)

    return run


def parse_report(log: str) -> dict[str, str]:
    """Maps each `name: value` line of a plugin log to its value."""
    return dict(line.split(": ", 1) for line in log.splitlines() if ": " in line)


def bb_counts(run: QemuRun) -> tuple[int, int]:
    run.assert_guest_ran()
    match = re.fullmatch(r"bb's: (\d+), insns: (\d+)\n", run.log)
    assert match, run.log
    return int(match[1]), int(match[2])


def insn_count(run: QemuRun) -> int:
    run.assert_guest_ran()
    match = re.fullmatch(r"insns: (\d+)\n", run.log)
    assert match, run.log
    return int(match[1])


def mem_counts(run: QemuRun) -> dict[str, int]:
    run.assert_guest_ran()
    assert re.fullmatch(r"mem accesses: \d+\n(io accesses: \d+\n)?", run.log), run.log
    return {name: int(value) for name, value in parse_report(run.log).items()}


def allapi_report(run: QemuRun) -> dict[str, str]:
    run.assert_guest_ran()
    report = parse_report(run.log)
    assert tuple(report) == ALLAPI_KEYS, run.log
    return report


def exported_api_names() -> set[str]:
    """The names plugins/qemu-plugins.symbols exports (5.2's list: 38 names)."""
    text = EXPORTED_SYMBOLS_FILE.read_text()
    return set(re.findall(r"^\s+(\w+);$", text, re.MULTILINE))


@pytest.mark.parametrize(("source_dir", "name"), ALL_PLUGIN_SOURCES)
def test_every_plugin_builds_with_werror(
    plugin_so: Callable[..., Path], source_dir: str, name: str
) -> None:
    library = plugin_so(name, source_dir)
    with library.open("rb") as stream:
        symbols = ELFFile(stream).get_section_by_name(".dynsym")
        defined = {sym.name for sym in symbols.iter_symbols() if sym["st_shndx"] != "SHN_UNDEF"}
    assert {"qemu_plugin_version", "qemu_plugin_install"} <= defined


def test_allapi_references_every_exported_name(plugin_so: Callable[..., Path]) -> None:
    with plugin_so("allapi").open("rb") as stream:
        symbols = ELFFile(stream).get_section_by_name(".dynsym")
        undefined = {
            sym.name: sym["st_info"]["bind"]
            for sym in symbols.iter_symbols()
            if sym["st_shndx"] == "SHN_UNDEF" and sym.name.startswith("qemu_plugin_")
        }
    exported = exported_api_names()
    assert len(exported) == 38
    assert set(undefined) == exported
    assert "qemu_plugin_hwaddr_device_offset" not in undefined
    assert {name for name, bind in undefined.items() if bind == "STB_WEAK"} == STALE_API_NAMES


@pytest.mark.parametrize("source_dir", ["tests/plugin", "contrib/plugins"])
def test_empty_plugin_runs_guest_and_prints_nothing(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun], source_dir: str
) -> None:
    run = run_plugin(plugin_so("empty", source_dir))
    run.assert_guest_ran()
    assert run.log == ""


def test_bb_inline_counts_equal_callback_counts(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    bb = plugin_so("bb")
    bbs, insns = bb_counts(run_plugin(bb))
    assert 1000 < bbs < insns
    assert bb_counts(run_plugin(bb, "inline")) == (bbs, insns)
    # 7.2's own spelling, which 5.2 would refuse.
    assert bb_counts(run_plugin(bb, options=",inline=on")) == (bbs, insns)


def test_bb_rejects_unknown_option(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    run = run_plugin(plugin_so("bb"), "bogus")
    assert run.result.returncode == 1
    assert re.search(r"^option parsing failed: bogus(=on)?$", run.result.stderr, re.MULTILINE)
    assert run.result.stdout == ""


def test_insn_inline_count_equals_callback_count(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    insn = plugin_so("insn")
    count = insn_count(run_plugin(insn))
    assert count > 10_000
    assert insn_count(run_plugin(insn, "inline")) == count


def test_bb_insns_equal_insn_count_but_for_page_crossing_blocks(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    _, bb_insns = bb_counts(run_plugin(plugin_so("bb")))
    insns = insn_count(run_plugin(plugin_so("insn")))
    page_cross_execs = int(allapi_report(run_plugin(plugin_so("allapi")))["tb_page_cross_exec"])
    assert bb_insns - insns == page_cross_execs


def test_mem_inline_counts_equal_callback_counts(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    mem = plugin_so("mem")
    all_accesses = mem_counts(run_plugin(mem))["mem accesses"]
    assert all_accesses > 5000  # the guest's loop alone makes over 13000
    assert mem_counts(run_plugin(mem, "inline"))["mem accesses"] == all_accesses
    for only in ("r", "w"):
        counted = mem_counts(run_plugin(mem, "cb", only))["mem accesses"]
        assert 0 < counted <= all_accesses
        assert mem_counts(run_plugin(mem, "inline", only))["mem accesses"] == counted


def test_mem_haddr_finds_no_io_in_user_mode(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    mem = plugin_so("mem")
    all_accesses = mem_counts(run_plugin(mem))["mem accesses"]
    counts = mem_counts(run_plugin(mem, "cb", "rw", "haddr"))
    assert counts == {"mem accesses": all_accesses, "io accesses": 0}


def test_syscall_log_pairs_each_call_with_its_return(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    run = run_plugin(plugin_so("syscall"))
    run.assert_guest_ran()
    lines = run.log.splitlines()
    calls = [line for line in lines if re.fullmatch(r"syscall -?\d+", line)]
    assert lines[-1] == f"syscalls: {len(calls)}"
    assert lines[-2] == f"syscall {SYSCALL_EXIT_GROUP}"  # exit_group never returns
    assert f"syscall {SYSCALL_WRITE} ret 6" in lines
    assert f"syscall {SYSCALL_CLOSE} ret -{EBADF}" in lines
    # Single-threaded guest: every call but the last is followed by its return.
    for call, after in zip(lines[:-2], lines[1:-1], strict=True):
        if call in calls:
            assert re.fullmatch(rf"{call} ret -?\d+", after), (call, after)


def test_allapi_reports_consistent_values(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    report = allapi_report(run_plugin(plugin_so("allapi")))
    number = {key: int(value) for key, value in report.items() if value.lstrip("-").isdigit()}
    expected = {
        "target_name": "x86_64",
        "system_emulation": "0",
        "n_vcpus": "-1",
        "n_max_vcpus": "-1",
        "stale_api": "absent",
        "vcpu_for_each_install": "0",
        "vcpu_for_each_exit": "1",
        "vcpu_init": "1",
        "vcpu_exit": "0",
        "vcpu_idle": "0",
        "vcpu_resume": "0",
        "flush": "0",
    }
    assert {key: report[key] for key in expected} == expected
    assert number["version_min"] <= 0 <= number["version_cur"]
    assert all(number[key] == 0 for key in ALLAPI_FAULT_COUNTERS), report
    # Under real QEMU the weakly referenced names are missing.
    stale = (
        "mem_haddr_cb",
        "hwaddr_to_raddr_nonzero",
        "mem_haddr_null",
        "mem_haddr_ram_addr_mismatch",
        "insn_ram_addr_mismatch",
    )
    assert all(report[key] == "n/a" for key in stale)

    assert number["syscall_ret"] == number["syscall"] - 1 > 0
    assert 0 < number["tb_trans"] < number["tb_exec_cb"] == number["tb_exec_inline"]
    assert number["tb_insns_cb"] == number["tb_insns_inline"] > number["tb_exec_cb"]
    assert number["insn_exec_cb"] == number["insn_exec_inline"]
    assert number["tb_insns_inline"] - number["insn_exec_inline"] == number["tb_page_cross_exec"]
    assert number["mem_cb"] == number["mem_inline"] == number["mem_loads"] + number["mem_stores"]
    assert number["mem_stores"] > 5000  # the loop stores 5000 times
    assert number["mem_cb"] <= number["mem_bytes"] <= 16 * number["mem_cb"]


def test_allapi_syscall_and_mem_counts_match_the_single_purpose_plugins(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    report = allapi_report(run_plugin(plugin_so("allapi")))
    syscall_log = run_plugin(plugin_so("syscall")).log
    assert f"syscalls: {report['syscall']}\n" in syscall_log
    assert mem_counts(run_plugin(plugin_so("mem")))["mem accesses"] == int(report["mem_cb"])
    assert bb_counts(run_plugin(plugin_so("bb"))) == (
        int(report["tb_exec_cb"]),
        int(report["tb_insns_cb"]),
    )


@pytest.mark.parametrize(
    ("argument", "for_each_at_exit"),
    [
        # The plugin stays loaded: the atexit callback that the reset callback
        # registers again prints the summary, and the id is still valid there.
        ("reset", "1"),
        # The uninstall callback prints the only summary, with the id retired.
        ("uninstall", "n/a"),
    ],
)
def test_allapi_reset_and_uninstall_stop_callbacks_after_1000_blocks(
    plugin_so: Callable[..., Path],
    run_plugin: Callable[..., QemuRun],
    argument: str,
    for_each_at_exit: str,
) -> None:
    allapi = plugin_so("allapi")
    full = allapi_report(run_plugin(allapi))
    run = run_plugin(allapi, argument)
    run.assert_guest_ran()
    first_line, _, summary = run.log.partition("\n")
    assert first_line == f"{argument}_cb: 1"
    report = parse_report(summary)
    assert tuple(report) == ALLAPI_KEYS
    assert report["vcpu_for_each_exit"] == for_each_at_exit
    assert 1000 <= int(report["tb_exec_cb"]) < int(full["tb_exec_cb"])
    assert int(report["syscall"]) < int(full["syscall"])


def test_badversion_is_refused_before_the_guest_runs(
    plugin_so: Callable[..., Path], run_plugin: Callable[..., QemuRun]
) -> None:
    library = plugin_so("badversion")
    run = run_plugin(library)
    assert run.result.returncode == 1
    assert run.result.stdout == ""
    # 5.2 wording, or 7.2's rewording of the same check.
    path = re.escape(str(library))
    wording = rf"(TCG plugin {path}|Could not load plugin {path}: plugin)"
    limit = r"requires API version 99, but this QEMU supports only up to version \d+"
    stderr = run.result.stderr
    assert re.search(rf"^qemu-x86_64: {wording} {limit}$", stderr, re.MULTILINE), stderr
    assert "installed despite" not in stderr
