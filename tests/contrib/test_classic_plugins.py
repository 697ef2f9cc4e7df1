# SPDX-License-Identifier: GPL-2.0-or-later
"""The classic contrib plugins (hotblocks, hotpages, howvec, execlog, syscall) under an emulator.

Mirrors how QEMU's docs show these plugins in use (`-plugin lib<name>.so -d plugin`): each
report must be well formed, line for line, and agree with an independent count taken in the
same run by another plugin (tests/plugin's insn and mem, contrib's drcov). The guest is
static musl, whose execution does not depend on the emulated CPU model.

Documented QEMU 7.2 behaviour these tests accept on purpose:
- A block whose last instruction crosses a page runs no per-instruction callback for that
  instruction, so only counts taken the same way (per instruction) are compared exactly.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from contrib_runs import Emulator, PluginRun
from drcov_format import parse_drcov
from elftools.elf.elffile import ELFFile
from harness import plugin_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPORTED_SYMBOLS_FILE = REPO_ROOT / "plugins" / "qemu-plugins.symbols"
# Listed by 5.2 but defined by no real QEMU: a plugin must not need them.
STALE_API_NAMES = frozenset(
    {
        "qemu_plugin_register_vcpu_mem_haddr_cb",
        "qemu_plugin_ram_addr_from_host",
        "qemu_plugin_hwaddr_to_raddr",
    }
)
CLASSIC_PLUGINS = ("hotblocks", "hotpages", "howvec", "execlog", "syscall")
ALL_CONTRIB_PLUGINS = ("drcov", *CLASSIC_PLUGINS)

GUEST_STDOUT = "start\nsum 12497500\n"
LOOP_COUNT = 5000
SYS_WRITE, SYS_CLOSE, SYS_EXIT_GROUP = 1, 3, 231

HOTBLOCKS_HEADER = re.compile(
    r"collected (\d+) entries in the hash table\npc, tcount, icount, ecount"
)
HOTBLOCKS_ROW = re.compile(r"(0x[0-9a-f]{14,}), (\d+), (\d+), (\d+)")
HOTPAGES_HEADER = "Addr, RCPUs, Reads, WCPUs, Writes"
HOTPAGES_ROW = re.compile(r"(0x[0-9a-f]{14,}), 0x([0-9a-f]{4}), (\d+), 0x([0-9a-f]{4}), (\d+)")
HOWVEC_CLASS_ROW = re.compile(
    r"Class: (.{24,}?)\t(?:\((\d+) hits\)|(counted individually)|(not counted))"
)
HOWVEC_INSN_ROW = re.compile(r"Instr: (.{24,}?)\t\((\d+) hits\)\t\(op=(0x[0-9a-f]{6,})/(.+)\)")
EXECLOG_LINE = re.compile(
    r'(\d+), 0x([0-9a-f]+), 0x([0-9a-f]+), "([^"]*)"((?:, (?:load|store), 0x[0-9a-f]{8,})*)'
)
SYSCALL_HEADER = "syscall no.  calls  errors"
SYSCALL_ROW = re.compile(r"(-?\d+) +(\d+) +(\d+)")
INSN_COUNT_LINE = re.compile(r"insns: (\d+)")
MEM_COUNT_LINE = re.compile(r"mem accesses: (\d+)")


@pytest.fixture(scope="module")
def guest(build_guest: Callable[[str, str], Path]) -> Path:
    return build_guest("coverage", "musl-static")


@pytest.fixture
def run_plugins(emulator: Emulator, guest: Path, tmp_path: Path) -> Callable[..., PluginRun]:
    """Returns run(*specs) -> PluginRun: the guest under one -plugin option per spec."""
    runs = 0

    def run(*specs: str) -> PluginRun:
        nonlocal runs
        runs += 1
        done = emulator.run([guest], plugins=specs, log_path=tmp_path / f"plugins-{runs}.log")
        assert done.result.returncode == 0, done.result.describe()
        assert done.result.stdout == GUEST_STDOUT, done.result.describe()
        return done

    return run


def lines_matching(log: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    return [m for line in log.splitlines() if (m := pattern.fullmatch(line))]


def single_count(log: str, pattern: re.Pattern[str]) -> int:
    (match,) = lines_matching(log, pattern)
    return int(match[1])


def symbol_address(guest: Path, name: str) -> int:
    listing = subprocess.run(
        ["nm", "--defined-only", str(guest)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(rf"^([0-9a-f]+) [Tt] {re.escape(name)}$", listing, re.MULTILINE)
    assert match, f"no {name} in nm output of {guest}"
    return int(match[1], 16)


def exported_api_names() -> set[str]:
    text = EXPORTED_SYMBOLS_FILE.read_text()
    return set(re.findall(r"^\s+(\w+);$", text, re.MULTILINE))


# --- every plugin -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_CONTRIB_PLUGINS)
def test_plugin_uses_only_api_that_real_qemu_exports(
    build_plugin: Callable[..., Path], name: str
) -> None:
    with build_plugin(name).open("rb") as stream:
        symbols = list(ELFFile(stream).get_section_by_name(".dynsym").iter_symbols())
    defined = {s.name for s in symbols if s["st_shndx"] != "SHN_UNDEF"}
    used = {s.name for s in symbols if s["st_shndx"] == "SHN_UNDEF" and "qemu_plugin" in s.name}
    assert {"qemu_plugin_version", "qemu_plugin_install"} <= defined
    assert used, "a plugin that calls no API"
    assert used <= exported_api_names() - STALE_API_NAMES


@pytest.mark.parametrize(
    ("name", "bad_arg"),
    [
        ("hotblocks", "inline=maybe"),
        ("hotblocks", "bogus"),
        ("hotpages", "pagesize=1000"),
        ("hotpages", "sortby=size"),
        ("howvec", "count=nosuchclass"),
        ("howvec", "nosuchclass"),
        ("execlog", "bogus"),
        ("syscall", "bogus"),
    ],
)
def test_bad_arguments_fail_before_the_guest_runs(
    emulator: Emulator,
    build_plugin: Callable[..., Path],
    guest: Path,
    tmp_path: Path,
    name: str,
    bad_arg: str,
) -> None:
    spec = plugin_spec(build_plugin(name), bad_arg)
    run = emulator.run([guest], plugins=[spec], log_path=tmp_path / "plugin.log")
    assert run.result.returncode == 1, run.result.describe()
    assert run.result.stdout == ""
    assert re.search(
        rf"^option parsing failed: {re.escape(bad_arg)}(=on)?$", run.result.stderr, re.MULTILINE
    ), run.result.stderr


# --- hotblocks ----------------------------------------------------------------------------


def hotblocks_report(log: str) -> tuple[int, list[tuple[int, int, int, int]]]:
    header = HOTBLOCKS_HEADER.search(log)
    assert header, log
    body = log[header.end() + 1 :].splitlines()
    rows = [HOTBLOCKS_ROW.fullmatch(line) for line in body]
    assert all(rows), body
    return int(header[1]), [tuple(int(v, 0) for v in row.groups()) for row in rows]  # type: ignore[union-attr]


def test_hotblocks_lists_the_top_20_blocks_in_order(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun], guest: Path
) -> None:
    hotblocks = build_plugin("hotblocks")
    run = run_plugins(plugin_spec(hotblocks))
    n_entries, rows = hotblocks_report(run.log)
    assert len(rows) == min(20, n_entries)
    keys = [(-ecount, pc) for pc, _, _, ecount in rows]
    assert keys == sorted(keys)
    assert all(tcount == 1 and icount > 0 for _, tcount, icount, _ in rows)
    # hot_function is entered once per loop iteration, and nothing runs more often.
    assert (symbol_address(guest, "hot_function"), LOOP_COUNT) in {
        (pc, ecount) for pc, _, _, ecount in rows
    }
    assert rows[0][3] == LOOP_COUNT

    assert run_plugins(plugin_spec(hotblocks, "inline")).log == run.log
    assert run_plugins(plugin_spec(hotblocks, "inline=off")).log == run.log


def test_hotblocks_entries_are_the_distinct_translated_blocks(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun], tmp_path: Path
) -> None:
    cov_path = tmp_path / "translated.drcov"
    run = run_plugins(
        plugin_spec(build_plugin("hotblocks")),
        plugin_spec(build_plugin("drcov"), f"filename={cov_path}", "exec=off"),
    )
    n_entries, _ = hotblocks_report(run.log)
    assert n_entries == len(parse_drcov(cov_path.read_bytes()).blocks)


# --- hotpages -----------------------------------------------------------------------------


def hotpages_rows(log: str) -> list[tuple[int, int, int, int, int]]:
    lines = log.splitlines()
    assert lines[0] == HOTPAGES_HEADER, log
    rows = [HOTPAGES_ROW.fullmatch(line) for line in lines[1:]]
    assert all(rows), log
    return [
        (int(r[1], 16), int(r[2], 16), int(r[3]), int(r[4], 16), int(r[5]))  # type: ignore[index]
        for r in rows
    ]


def test_hotpages_accounts_for_every_access_by_page(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun]
) -> None:
    mem = build_plugin("mem", "tests/plugin")
    run = run_plugins(plugin_spec(build_plugin("hotpages")), plugin_spec(mem))
    accesses = single_count(run.log, MEM_COUNT_LINE)
    rows = hotpages_rows(run.log.replace(f"mem accesses: {accesses}\n", ""))
    assert 3 <= len(rows) < 50  # so no page is left out of the sums below
    assert sum(reads + writes for _, _, reads, _, writes in rows) == accesses
    assert all(page % 4096 == 0 for page, *_ in rows)
    # Single-threaded: vCPU 0 alone, and its bit is set exactly where it accessed.
    for _, rcpus, reads, wcpus, writes in rows:
        assert (rcpus, wcpus) == (int(reads > 0), int(writes > 0))
    totals = [reads + writes for _, _, reads, _, writes in rows]
    assert totals == sorted(totals, reverse=True)
    # The loop's table gets LOOP_COUNT stores and twice as many loads.
    assert any(reads >= 2 * LOOP_COUNT and writes >= LOOP_COUNT for *_, reads, _, writes in rows)


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("reads",), lambda row: (-row[2], row[0])),
        (("sortby=writes",), lambda row: (-row[4], row[0])),
        (("address",), lambda row: -row[0]),
        (("sortby=address",), lambda row: -row[0]),
    ],
)
def test_hotpages_sort_orders(
    build_plugin: Callable[..., Path],
    run_plugins: Callable[..., PluginRun],
    args: Sequence[str],
    key: Callable[[tuple[int, ...]], object],
) -> None:
    hotpages = build_plugin("hotpages")
    default_rows = hotpages_rows(run_plugins(plugin_spec(hotpages)).log)
    rows = hotpages_rows(run_plugins(plugin_spec(hotpages, *args)).log)
    assert rows == sorted(default_rows, key=key)


def test_hotpages_page_size_and_io_options(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun]
) -> None:
    hotpages = build_plugin("hotpages")
    small = hotpages_rows(run_plugins(plugin_spec(hotpages)).log)
    big = hotpages_rows(run_plugins(plugin_spec(hotpages, "pagesize=65536")).log)
    assert all(page % 65536 == 0 for page, *_ in big)
    merged: dict[int, int] = {}
    for page, _, reads, _, writes in small:
        merged[page & ~0xFFFF] = merged.get(page & ~0xFFFF, 0) + reads + writes
    assert {page: reads + writes for page, _, reads, _, writes in big} == merged
    # User mode has no device memory: tracking IO finds nothing.
    assert run_plugins(plugin_spec(hotpages, "io")).log == HOTPAGES_HEADER + "\n"


# --- howvec -------------------------------------------------------------------------------


def howvec_report(log: str) -> tuple[dict[str, str], list[tuple[str, int, int, str]]]:
    """Returns ({class: hit count or mode}, [(disassembly, hits, opcode, class)])."""
    lines = log.splitlines()
    assert lines[0] == "Instruction Classes:", log
    classes: dict[str, str] = {}
    at = 1
    while at < len(lines) and (row := HOWVEC_CLASS_ROW.fullmatch(lines[at])):
        classes[row[1].rstrip()] = row[2] or row[3] or row[4]
        at += 1
    insns = []
    if at < len(lines):
        assert lines[at] == "Individual Instructions:", log
        for line in lines[at + 1 :]:
            row = HOWVEC_INSN_ROW.fullmatch(line)
            assert row, line
            insns.append((row[1].rstrip(), int(row[2]), int(row[3], 16), row[4]))
    return classes, insns


def test_howvec_classes_add_up_to_the_instruction_count(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun]
) -> None:
    howvec = build_plugin("howvec")
    insn = build_plugin("insn", "tests/plugin")
    run = run_plugins(plugin_spec(howvec), plugin_spec(insn))
    insns = single_count(run.log, INSN_COUNT_LINE)
    classes, individual = howvec_report(re.sub(r"insns: \d+\n", "", run.log))
    assert individual == []
    assert sum(int(hits) for hits in classes.values()) == insns
    # The loop: a call, a return and a conditional branch per iteration, at least.
    assert int(classes["Calls and returns"]) >= 2 * LOOP_COUNT
    assert int(classes["Conditional branches"]) >= LOOP_COUNT
    assert "Unclassified" not in classes  # no hits, so not listed without verbose

    inline = run_plugins(plugin_spec(howvec, "inline"), plugin_spec(insn))
    assert inline.log == run.log


def test_howvec_counts_a_class_individually_or_not_at_all(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun]
) -> None:
    howvec = build_plugin("howvec")
    classes, _ = howvec_report(run_plugins(plugin_spec(howvec)).log)
    changed, individual = howvec_report(
        run_plugins(plugin_spec(howvec, "count=sys", "-simd", "verbose")).log
    )
    assert changed["System"] == "counted individually"
    assert changed["SSE/AVX"] == "not counted"
    assert changed["Unclassified"] == "0"  # verbose lists empty classes too
    # musl's syscall wrappers: one `syscall` encoding, once per system call.
    assert individual == [("syscall", int(classes["System"]), 0x050F, "System")]
    # The 7.2 spelling of the same options.
    seven_two = run_plugins(plugin_spec(howvec, "count=sys", "count=-simd", "verbose=on")).log
    assert howvec_report(seven_two) == (changed, individual)


# --- execlog ------------------------------------------------------------------------------


def test_execlog_logs_each_executed_instruction_once(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun], guest: Path
) -> None:
    insn = build_plugin("insn", "tests/plugin")
    run = run_plugins(plugin_spec(build_plugin("execlog")), plugin_spec(insn))
    insns = single_count(run.log, INSN_COUNT_LINE)
    lines = [line for line in run.log.splitlines() if not INSN_COUNT_LINE.fullmatch(line)]
    assert len(lines) == insns
    parsed = [EXECLOG_LINE.fullmatch(line) for line in lines]
    assert all(parsed), next(line for line, m in zip(lines, parsed, strict=True) if not m)
    with guest.open("rb") as stream:
        entry = ELFFile(stream).header["e_entry"]
    assert parsed[0] is not None and int(parsed[0][2], 16) == entry
    assert all(m[1] == "0" for m in parsed if m)

    # QEMU's x86 disassembler pads some mnemonics ("syscall "), so compare stripped.
    by_disas = {m[4].strip(): m for m in parsed if m}
    assert by_disas["syscall"][3] == "50f"  # 0f 05, read little-endian
    calls = [m for m in parsed if m and m[4].startswith("call")]
    assert len(calls) >= LOOP_COUNT
    assert all(", store, 0x" in m[5] for m in calls)  # the pushed return address
    assert sum(", load, " in line for line in lines) >= 2 * LOOP_COUNT
    assert sum(", store, " in line for line in lines) >= LOOP_COUNT
    hot = f"0x{symbol_address(guest, 'hot_function'):x}, "
    assert sum(line.startswith(f"0, {hot}") for line in lines) == LOOP_COUNT


# --- syscall ------------------------------------------------------------------------------


def test_syscall_table_counts_calls_and_errors(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun]
) -> None:
    log = run_plugins(plugin_spec(build_plugin("syscall"))).log
    lines = log.splitlines()
    assert lines[0] == SYSCALL_HEADER, log
    rows = [SYSCALL_ROW.fullmatch(line) for line in lines[1:]]
    assert all(rows), log
    table = {int(r[1]): (int(r[2]), int(r[3])) for r in rows if r}
    for line, (num, (calls, errors)) in zip(lines[1:], table.items(), strict=True):
        assert line == f"{num:<13}{calls:<6} {errors}"
    assert table[SYS_WRITE] == (2, 0)
    assert table[SYS_CLOSE] == (1, 1)  # close(-1): EBADF
    assert table[SYS_EXIT_GROUP] == (1, 0)
    order = [(-calls, num) for num, (calls, _) in table.items()]
    assert order == sorted(order)


def test_syscall_print_logs_each_call_and_return(
    build_plugin: Callable[..., Path], run_plugins: Callable[..., PluginRun]
) -> None:
    log = run_plugins(plugin_spec(build_plugin("syscall"), "print")).log
    lines = log.splitlines()
    assert SYSCALL_HEADER not in lines
    assert lines[-1] == f"syscall #{SYS_EXIT_GROUP}"  # exit_group never returns
    assert f"syscall #{SYS_CLOSE} returned -> -9" in lines
    assert lines.count(f"syscall #{SYS_WRITE} returned -> 6") == 1
    for call, after in zip(lines[:-1:2], lines[1:-1:2], strict=True):
        assert re.fullmatch(r"syscall #\d+", call), call
        assert after.startswith(f"{call} returned -> "), (call, after)
