# SPDX-License-Identifier: GPL-2.0-or-later
"""contrib/plugins/drcov.c under an emulator: the file it writes, checked strictly.

Mirrors how QEMU 7.0's drcov output is consumed (Lighthouse reading a drcov v2 file), on
guests whose layout is known: static musl, static glibc and dynamic PIE glibc. Each file
must parse with drcov_format's strict reader, list the guest under its real path with a
block at main, list libc and ld.so for dynamic guests and nothing of the emulator's own.

Documented QEMU 7.2 behaviour these tests accept on purpose:
- A guest that dies of a signal never reaches the plugins' atexit callbacks, so drcov
  writes no file under qemu (CRASH_WRITES_FILE); pyqemu runs atexit on every exit path.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from contrib_runs import Emulator, PluginRun
from drcov_format import DrcovFile, DrcovModule, parse_drcov
from elftools.elf.elffile import ELFFile
from harness import plugin_spec

GUEST_STDOUT = "start\nsum 12497500\n"
STATIC_FLAVORS = ("musl-static", "gcc-static")
ALL_FLAVORS = (*STATIC_FLAVORS, "gcc-pie")
# Files a dynamic glibc guest runs code in, besides itself.
GLIBC_RUNTIME = {"libc.so.6", "ld-linux-x86-64.so.2"}
# Whether a guest that dies of a signal leaves a drcov file (see the module docstring).
CRASH_WRITES_FILE = {"qemu": False, "pyqemu": True}
DEFAULT_FILE_NAME = "file.drcov.trace"


def run_drcov(
    emulator: Emulator,
    plugin: Path,
    guest: Path,
    tmp_path: Path,
    *args: str,
    guest_args: Sequence[str] = (),
    cwd: Path | None = None,
    spec: str | None = None,
) -> PluginRun:
    """Run guest with drcov given args (5.2's arg= form unless spec is given whole)."""
    return emulator.run(
        [guest, *guest_args],
        plugins=[spec if spec is not None else plugin_spec(plugin, *args)],
        log_path=tmp_path / "plugin.log",
        cwd=cwd,
    )


def assert_guest_ran(run: PluginRun) -> None:
    assert run.result.returncode == 0, run.result.describe()
    assert run.result.stdout == GUEST_STDOUT, run.result.describe()


def coverage(
    emulator: Emulator, plugin: Path, guest: Path, tmp_path: Path, *args: str
) -> DrcovFile:
    """Run guest under drcov with args and return the strictly parsed file."""
    out = tmp_path / f"cov-{len(list(tmp_path.glob('cov-*')))}.drcov"
    run = run_drcov(emulator, plugin, guest, tmp_path, f"filename={out}", *args)
    assert_guest_ran(run)
    return parse_drcov(out.read_bytes(), module_relative="format=qemu7" not in args)


def link_base(guest: Path) -> int:
    """The link-time address of file offset 0 (0x400000 for non-PIE, 0 for PIE)."""
    with guest.open("rb") as stream:
        first_load = next(s for s in ELFFile(stream).iter_segments() if s["p_type"] == "PT_LOAD")
        return first_load["p_vaddr"] - first_load["p_offset"]


def symbol_address(guest: Path, name: str) -> int:
    """The link-time address of a function, from nm."""
    listing = subprocess.run(
        ["nm", "--defined-only", str(guest)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(rf"^([0-9a-f]+) [Tt] {re.escape(name)}$", listing, re.MULTILINE)
    assert match, f"no {name} in nm output of {guest}"
    return int(match[1], 16)


def elf_entry(guest: Path) -> int:
    with guest.open("rb") as stream:
        return ELFFile(stream).header["e_entry"]


def text_bounds(guest: Path) -> tuple[int, int]:
    """Link-time bounds of the executable segments' file contents."""
    with guest.open("rb") as stream:
        text = [
            s
            for s in ELFFile(stream).iter_segments()
            if s["p_type"] == "PT_LOAD" and s["p_flags"] & 1  # PF_X
        ]
    return min(s["p_vaddr"] for s in text), max(s["p_vaddr"] + s["p_filesz"] for s in text)


def guest_module(cov: DrcovFile, guest: Path) -> DrcovModule:
    matches = [m for m in cov.modules if m.path == os.path.realpath(guest)]
    assert len(matches) == 1, cov.modules
    return matches[0]


@pytest.fixture
def drcov(build_plugin: Callable[..., Path]) -> Path:
    return build_plugin("drcov")


@pytest.mark.parametrize("flavor", ALL_FLAVORS)
def test_guest_module_has_real_path_entry_and_block_at_main(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
    flavor: str,
) -> None:
    guest = build_guest("coverage", flavor)
    cov = coverage(emulator, drcov, guest, tmp_path)
    module = guest_module(cov, guest)
    starts = {start for start, _ in cov.blocks_in(module)}
    for function in ("main", "hot_function"):
        assert symbol_address(guest, function) - link_base(guest) in starts, function
    assert module.entry == module.base + elf_entry(guest) - link_base(guest)


@pytest.mark.parametrize("flavor", ALL_FLAVORS)
def test_only_files_the_guest_ran_code_in_are_listed(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
    flavor: str,
) -> None:
    guest = build_guest("coverage", flavor)
    cov = coverage(emulator, drcov, guest, tmp_path)
    expected = {guest.name} if flavor in STATIC_FLAVORS else {guest.name, *GLIBC_RUNTIME}
    assert sorted(m.basename for m in cov.modules) == sorted(expected)
    # Every listed module holds blocks, modules come by address, blocks come once each.
    assert {b.mod_id for b in cov.blocks} == {m.id for m in cov.modules}
    assert [m.base for m in cov.modules] == sorted(m.base for m in cov.modules)
    records = [(b.mod_id, b.start, b.size) for b in cov.blocks]
    assert len(records) == len(set(records))


def test_dynamic_runtime_modules_have_blocks_at_their_entry(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    cov = coverage(emulator, drcov, build_guest("coverage", "gcc-pie"), tmp_path)
    loader = cov.module_named("ld-linux-x86-64.so.2")
    # The first guest instruction is ld.so's entry point, so a block starts there.
    assert loader.entry - loader.base in {start for start, _ in cov.blocks_in(loader)}
    assert len(cov.blocks_in(cov.module_named("libc.so.6"))) > 50


def test_translated_blocks_include_executed_ones(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    guest = build_guest("coverage", "musl-static")
    executed = coverage(emulator, drcov, guest, tmp_path)
    translated = coverage(emulator, drcov, guest, tmp_path, "exec=off")
    assert executed.coverage_by_path() <= translated.coverage_by_path()
    assert len(executed.blocks) > 100
    # exec=on is the default and can be spelled out.
    spelled = coverage(emulator, drcov, guest, tmp_path, "exec=on")
    assert spelled.coverage_by_path() == executed.coverage_by_path()


@pytest.mark.parametrize("flavor", ["musl-static", "gcc-pie"])
def test_qemu7_format_puts_everything_under_the_main_program(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
    flavor: str,
) -> None:
    guest = build_guest("coverage", flavor)
    relative = coverage(emulator, drcov, guest, tmp_path)
    absolute = coverage(emulator, drcov, guest, tmp_path, "format=qemu7")

    assert len(absolute.modules) == 1
    (module,) = absolute.modules
    assert module.path == os.path.realpath(guest)
    main_base = guest_module(relative, guest).base
    bias = main_base - link_base(guest)
    text_start, text_end = text_bounds(guest)
    assert (module.base, module.end) == (text_start + bias, text_end + bias)
    assert module.entry == elf_entry(guest) + bias
    assert {b.mod_id for b in absolute.blocks} == {0}
    # Same blocks, as absolute addresses truncated to 32 bits, libraries included.
    bases = {m.id: m.base for m in relative.modules}
    expected = {((bases[b.mod_id] + b.start) & 0xFFFFFFFF, b.size) for b in relative.blocks}
    assert {(b.start, b.size) for b in absolute.blocks} == expected
    assert (symbol_address(guest, "main") + bias) & 0xFFFFFFFF in {b.start for b in absolute.blocks}


def test_jit_code_belongs_to_no_module(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    # drcov2 drops blocks outside every file mapping; QEMU 7.0's layout keeps them.
    guest = build_guest("jit_call", "musl-static")
    files = {fmt: tmp_path / f"jit-{fmt}.drcov" for fmt in ("drcov2", "qemu7")}
    jit_addresses = set()
    for fmt, out in files.items():
        run = run_drcov(emulator, drcov, guest, tmp_path, f"filename={out}", f"format={fmt}")
        assert run.result.returncode == 0, run.result.describe()
        match = re.fullmatch(r"jit (0x[0-9a-f]+) sum 4200\n", run.result.stdout)
        assert match, run.result.describe()
        jit_addresses.add(int(match[1], 16))
    (jit,) = jit_addresses
    relative = parse_drcov(files["drcov2"].read_bytes())
    assert [m.path for m in relative.modules] == [os.path.realpath(guest)]
    assert all(not m.base <= jit < m.end for m in relative.modules)
    absolute = parse_drcov(files["qemu7"].read_bytes(), module_relative=False)
    jit_code_size = 6  # mov eax, 42; ret
    assert (jit & 0xFFFFFFFF, jit_code_size) in {(b.start, b.size) for b in absolute.blocks}
    assert len(absolute.blocks) == len(relative.blocks) + 1


def test_forked_child_does_not_overwrite_the_file(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    # The child exits after the parent and runs atexit too; only the parent writes.
    guest = build_guest("fork_late_child", "musl-static")
    out = tmp_path / "fork.drcov"
    run = run_drcov(emulator, drcov, guest, tmp_path, f"filename={out}")
    assert run.result.returncode == 0, run.result.describe()
    assert run.result.stdout == "parent\nchild 7\n"
    cov = parse_drcov(out.read_bytes())
    starts = {start for start, _ in cov.blocks_in(guest_module(cov, guest))}
    assert symbol_address(guest, "main") - link_base(guest) in starts
    assert symbol_address(guest, "child_only") - link_base(guest) not in starts


def test_pid_in_the_file_name_gives_each_process_its_file(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    # "%p" is the process id, as in LLVM_PROFILE_FILE: the parent and the child it forks
    # write a file each; pyqemu-cov merges the set, given as a directory or a pattern.
    from pyqemu.cov.cli import main as cov_main

    guest = build_guest("fork_late_child", "musl-static")
    out_dir = tmp_path / "per-process"
    out_dir.mkdir()
    run = run_drcov(emulator, drcov, guest, tmp_path, f"filename={out_dir}/run.%p.drcov")
    assert run.result.returncode == 0, run.result.describe()
    assert run.result.stdout == "parent\nchild 7\n"
    files = sorted(out_dir.iterdir())
    assert len(files) == 2 and all(re.fullmatch(r"run\.\d+\.drcov", f.name) for f in files)
    main, child_only = (symbol_address(guest, name) - link_base(guest)
                        for name in ("main", "child_only"))
    starts = []
    for path in files:
        cov = parse_drcov(path.read_bytes())
        starts.append({start for start, _ in cov.blocks_in(guest_module(cov, guest))})
    assert all(main in s for s in starts)
    assert sorted(child_only in s for s in starts) == [False, True]
    for given in (str(out_dir), f"{out_dir}/run.*.drcov"):
        merged = tmp_path / "merged.drcov"
        assert cov_main(["merge", "-o", str(merged), given]) == 0
        cov = parse_drcov(merged.read_bytes())
        both = {start for start, _ in cov.blocks_in(guest_module(cov, guest))}
        assert {main, child_only} <= both
        assert both == starts[0] | starts[1]


def test_qemu_72_argument_syntax_is_accepted(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    # QEMU 6.1+ passes "name=value" directly and turns "arg=flag" into "flag=on".
    guest = build_guest("coverage", "musl-static")
    out = tmp_path / "direct.drcov"
    run = run_drcov(emulator, drcov, guest, tmp_path, spec=f"{drcov},filename={out},exec=off")
    assert_guest_ran(run)
    direct = parse_drcov(out.read_bytes())
    assert (
        direct.coverage_by_path()
        == coverage(emulator, drcov, guest, tmp_path, "exec=off").coverage_by_path()
    )


def test_default_file_name_is_relative_to_the_starting_directory(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    guest = build_guest("coverage", "musl-static")
    workdir = tmp_path / "work"
    workdir.mkdir()
    assert_guest_ran(run_drcov(emulator, drcov, guest, tmp_path, cwd=workdir))
    assert [p.name for p in workdir.iterdir()] == [DEFAULT_FILE_NAME]
    parse_drcov((workdir / DEFAULT_FILE_NAME).read_bytes())

    # The guest changes to / before exit; the relative name still lands in workdir.
    run = run_drcov(
        emulator, drcov, guest, tmp_path, "filename=rel.drcov", guest_args=["chdir"], cwd=workdir
    )
    assert_guest_ran(run)
    guest_module(parse_drcov((workdir / "rel.drcov").read_bytes()), guest)


def test_guest_killed_by_signal(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    guest = build_guest("null_write", "musl-static")
    out = tmp_path / "crash.drcov"
    run = run_drcov(emulator, drcov, guest, tmp_path, f"filename={out}")
    assert run.result.returncode == -11, run.result.describe()
    assert run.result.stdout == "storing to NULL\n"
    if CRASH_WRITES_FILE[emulator.name]:
        guest_module(parse_drcov(out.read_bytes()), guest)
    else:
        assert "uncaught target signal 11" in run.result.stderr
        assert not out.exists()


def test_unwritable_file_fails_before_the_guest_runs(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    guest = build_guest("coverage", "musl-static")
    out = tmp_path / "missing-dir" / "t.drcov"
    run = run_drcov(emulator, drcov, guest, tmp_path, f"filename={out}")
    assert run.result.returncode == 1, run.result.describe()
    assert run.result.stdout == ""
    assert f"drcov: cannot open {out}: No such file or directory\n" in run.result.stderr


@pytest.mark.parametrize("bad_arg", ["bogus", "exec=maybe", "format=drcov3", "filename="])
def test_bad_arguments_fail_before_the_guest_runs(
    emulator: Emulator,
    drcov: Path,
    build_guest: Callable[[str, str], Path],
    tmp_path: Path,
    bad_arg: str,
) -> None:
    run = run_drcov(emulator, drcov, build_guest("coverage", "musl-static"), tmp_path, bad_arg)
    assert run.result.returncode == 1, run.result.describe()
    assert run.result.stdout == ""
    assert re.search(
        rf"^option parsing failed: {re.escape(bad_arg)}(=on)?$", run.result.stderr, re.MULTILINE
    ), run.result.stderr
