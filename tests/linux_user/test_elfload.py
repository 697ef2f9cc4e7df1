# SPDX-License-Identifier: GPL-2.0-or-later
"""Tests of pyqemu/linux_user/elfload.py, the counterpart of QEMU's linux-user/elfload.c.

Real programs (built at test time in the harness flavors, plus /bin/true) are loaded into a
GuestMemory and checked against the files themselves (pyelftools) and against qemu-x86_64
7.2 running a probe that prints its own stack and auxv.

Accepted differences from qemu-x86_64 7.2 (everything else must be equal):
  1. The 16 AT_RANDOM bytes are random: only their address is compared.
  2. Files whose program headers lie past the end of the file: qemu 7.2 reads missing
     header bytes as zeros and then crashes; pyqemu refuses them with "Incomplete read of
     file header".  (Segment data past the end is mapped, as qemu maps it.)
  3. "Error while loading ..." lines: qemu 7.2 printf()s them to stdout and _exit()s, so
     they only appear when stdout is a terminal; these tests run qemu on a pty to see them.
"""

from __future__ import annotations

import os
import pty
import shutil
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import harness
import pytest
from elftools.elf.elffile import ELFFile

from pyqemu.errors import LoadError
from pyqemu.linux_user.elfload import (
    AT_BASE,
    AT_ENTRY,
    AT_EXECFN,
    AT_NULL,
    AT_PHDR,
    AT_PHNUM,
    AT_PLATFORM,
    AT_RANDOM,
    BRK_RESERVE,
    ElfImageError,
    ExecFileError,
    StackSetupError,
    load_elf_binary,
)
from pyqemu.linux_user.mmap import PAGE_SIZE, PROT_EXEC, GuestMemory

PROBE_FLAVORS = ("gcc-static", "gcc-static-pie", "gcc-pie", "gcc-nopie", "musl-static")
TRUE = "/bin/true"
HOST_INTERP = "/lib64/ld-linux-x86-64.so.2"
# AT_* keys in the order qemu-x86_64 7.2 writes them (no AT_SYSINFO_EHDR, no AT_HWCAP2)
QEMU_AUXV_ORDER = [3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 25, 23, 31, 15]


def page_align(value: int) -> int:
    return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)


@dataclass
class InitialStack:
    argv_addr: int
    argv: list[int]
    envp: list[int]
    auxv: list[tuple[int, int]]


def read_initial_stack(mem: GuestMemory, sp: int) -> InitialStack:
    """Walk argc, argv, envp and auxv from the entry rsp, as a C runtime does."""
    def word(addr: int) -> int:
        return int.from_bytes(mem.read(addr, 8), "little")

    argc = word(sp)
    argv = [word(sp + 8 * (1 + i)) for i in range(argc)]
    assert word(sp + 8 * (1 + argc)) == 0
    cursor, envp = sp + 8 * (2 + argc), []
    while word(cursor):
        envp.append(word(cursor))
        cursor += 8
    cursor += 8
    auxv = []
    while True:
        key, value = word(cursor), word(cursor + 8)
        cursor += 16
        if key == AT_NULL:
            break
        auxv.append((key, value))
    return InitialStack(sp + 8, argv, envp, auxv)


def check_segments(mem: GuestMemory, path: str, load_bias: int) -> int:
    """Every PT_LOAD's file bytes are in memory, its bss reads as zero; returns the count."""
    checked = 0
    with open(path, "rb") as stream:
        for segment in ELFFile(stream).iter_segments():
            if segment["p_type"] != "PT_LOAD":
                continue
            start = load_bias + segment["p_vaddr"]
            file_end = start + segment["p_filesz"]
            assert mem.read(start, segment["p_filesz"]) == segment.data(), hex(start)
            if segment["p_memsz"] > segment["p_filesz"]:
                # the bss, and the rest of its last page, read as zero
                zero_len = page_align(start + segment["p_memsz"]) - file_end
                assert mem.read(file_end, zero_len) == bytes(zero_len), hex(file_end)
            region = mem.find_region(start)
            assert region is not None
            want = ((1 if segment["p_flags"] & 4 else 0) | (2 if segment["p_flags"] & 2 else 0)
                    | (4 if segment["p_flags"] & 1 else 0))
            assert region.prot == want, hex(start)
            checked += 1
    return checked


def pt_interp(path: str) -> str | None:
    with open(path, "rb") as stream:
        for segment in ELFFile(stream).iter_segments():
            if segment["p_type"] == "PT_INTERP":
                return segment.get_interp_name()
    return None


# --- loading real programs --------------------------------------------------------------------


@pytest.mark.parametrize("flavor", PROBE_FLAVORS)
def test_segments_and_bss_match_the_file(flavor: str, layout_probe: Callable[[str], Path],
                                         guest_memory: GuestMemory) -> None:
    program = str(layout_probe(flavor))
    info = load_elf_binary(program, [program], [], guest_memory)
    assert check_segments(guest_memory, program, info.load_bias) >= 2
    if pt_interp(program):
        assert info.interp_base != 0
        assert check_segments(guest_memory, info.interp_path, info.interp_base) >= 2
    else:
        assert info.interp_base == 0
        assert info.interp_entry == info.entry


def test_bin_true_loads_with_its_interpreter(guest_memory: GuestMemory) -> None:
    info = load_elf_binary(TRUE, [TRUE], ["A=1"], guest_memory)
    assert check_segments(guest_memory, TRUE, info.load_bias) >= 2
    interp = pt_interp(TRUE)
    assert interp is not None
    assert info.interp_path == os.path.realpath(interp)
    region = guest_memory.find_region(info.interp_base)
    assert region is not None and region.path == os.path.realpath(interp)
    with open(info.interp_path, "rb") as stream:
        assert info.interp_entry == info.interp_base + ELFFile(stream).header["e_entry"]
    assert dict(read_initial_stack(guest_memory, info.start_stack).auxv)[AT_BASE] == (
        info.interp_base)


def test_pie_and_interpreter_are_placed_as_by_qemu(layout_probe: Callable[[str], Path],
                                                   guest_memory: GuestMemory) -> None:
    program = str(layout_probe("gcc-pie"))
    info = load_elf_binary(program, [program], [], guest_memory)
    assert info.load_addr == guest_memory.mmap_base  # its value: test_mmap.py, against qemu
    # stack guard right after the image and its 32 MiB brk reserve, the interpreter above
    guard = page_align(info.brk + BRK_RESERVE)
    guard_region = guest_memory.find_region(guard)
    assert guard_region is not None and guard_region.prot == 0
    stack = guest_memory.find_region(guard + PAGE_SIZE)
    assert stack is not None and stack.end == info.interp_base
    # the reserve was given back: the brk area is free again
    assert guest_memory.find_region(page_align(info.brk)) is None


def test_non_pie_loads_at_its_link_address(layout_probe: Callable[[str], Path],
                                           guest_memory: GuestMemory) -> None:
    program = str(layout_probe("gcc-nopie"))
    with open(program, "rb") as stream:
        first = min(s["p_vaddr"] for s in ELFFile(stream).iter_segments()
                    if s["p_type"] == "PT_LOAD")
    info = load_elf_binary(program, [program], [], guest_memory)
    assert info.load_bias == 0
    assert info.load_addr == first & ~(PAGE_SIZE - 1)
    guard = guest_memory.find_region(guest_memory.mmap_base)
    assert guard is not None and guard.prot == 0  # the stack is the first mmap


def test_initial_stack_holds_argv_envp_and_auxv(layout_probe: Callable[[str], Path],
                                                guest_memory: GuestMemory) -> None:
    program = str(layout_probe("musl-static"))
    argv = [program, "one", "", "three words"]
    envp = ["A=1", "EMPTY=", "LAST=x"]
    info = load_elf_binary(program, argv, envp, guest_memory, exec_path="probe-name")
    assert info.start_stack % 16 == 0
    stack = read_initial_stack(guest_memory, info.start_stack)
    assert [guest_memory.read_cstring(p).decode() for p in stack.argv] == argv
    assert [guest_memory.read_cstring(p).decode() for p in stack.envp] == envp
    assert [key for key, _ in stack.auxv] == QEMU_AUXV_ORDER
    auxv = dict(stack.auxv)
    assert guest_memory.read_cstring(auxv[AT_EXECFN]) == b"probe-name"
    assert guest_memory.read_cstring(auxv[AT_PLATFORM]) == b"x86_64"
    assert len(guest_memory.read(auxv[AT_RANDOM], 16)) == 16
    assert auxv[AT_ENTRY] == info.entry == info.interp_entry
    with open(program, "rb") as stream:
        elf = ELFFile(stream)
        assert auxv[AT_PHNUM] == elf.header["e_phnum"]
        stream.seek(elf.header["e_phoff"])
        table = stream.read(elf.header["e_phnum"] * elf.header["e_phentsize"])
    assert guest_memory.read(auxv[AT_PHDR], len(table)) == table
    assert info.saved_auxv + info.auxv_len == info.start_stack + 8 * (
        3 + len(argv) + len(envp)) + 16 * (len(QEMU_AUXV_ORDER) + 1)


@pytest.mark.parametrize("flavor", PROBE_FLAVORS)
def test_stack_and_auxv_equal_qemus(flavor: str, layout_probe: Callable[[str], Path],
                                    guest_memory: GuestMemory) -> None:
    program = str(layout_probe(flavor))
    argv = [program, "first", "second arg"]
    env = harness.guest_env(PROBE_VALUE="42")
    result = harness.run_qemu(argv, env=env)
    assert result.returncode == 0, result.describe()
    # qemu 7.2 hands the guest its own environment in reverse order (its envlist)
    envp = [f"{k}={v}" for k, v in reversed(env.items())]
    info = load_elf_binary(program, argv, envp, guest_memory)
    stack = read_initial_stack(guest_memory, info.start_stack)
    ours = [f"argv {stack.argv_addr:#x}"]
    ours += [f"arg {i} {p:#x}" for i, p in enumerate(stack.argv)]
    ours += [f"env {i} {p:#x}" for i, p in enumerate(stack.envp)]
    ours += [f"auxv {key} {value:#x}" for key, value in stack.auxv]
    assert ours == result.stdout.replace(" 0\n", " 0x0\n").splitlines()


def test_brk_starts_on_the_page_after_bss(layout_probe: Callable[[str], Path],
                                          guest_memory: GuestMemory) -> None:
    program = str(layout_probe("gcc-static"))
    info = load_elf_binary(program, [program], [], guest_memory)
    with open(program, "rb") as stream:
        bss_end = max(s["p_vaddr"] + s["p_memsz"] for s in ELFFile(stream).iter_segments()
                      if s["p_type"] == "PT_LOAD")
    assert info.brk == info.start_brk == bss_end
    start = guest_memory.target_brk(0)
    assert start == page_align(bss_end)
    assert guest_memory.target_brk(start + 10000) == start + 10000
    guest_memory.write(start + 9999, b"x")


def test_gnu_stack_decides_whether_the_stack_is_executable(
        tmp_path: Path, guest_memory: GuestMemory) -> None:
    source = tmp_path / "main.c"
    source.write_text("int main(void) { return 0; }\n", encoding="utf-8")
    plain = harness.compile_guest(source, tmp_path / "plain", "musl-static")
    execstack = harness.compile_guest(source, tmp_path / "execstack", "musl-static",
                                      ("-Wl,-z,execstack",))
    info = load_elf_binary(str(plain), ["plain"], [], guest_memory)
    region = guest_memory.find_region(info.start_stack)
    assert region is not None and not region.prot & PROT_EXEC
    guest_memory.close()
    info = load_elf_binary(str(execstack), ["execstack"], [], guest_memory)
    region = guest_memory.find_region(info.start_stack)
    assert region is not None and region.prot & PROT_EXEC


def test_ld_prefix_is_tried_first_for_the_interpreter(tmp_path: Path,
                                                      guest_memory: GuestMemory) -> None:
    interp = pt_interp(TRUE)
    assert interp is not None
    copy = tmp_path / interp.lstrip("/")
    copy.parent.mkdir(parents=True)
    shutil.copyfile(os.path.realpath(interp), copy)
    info = load_elf_binary(TRUE, [TRUE], [], guest_memory, ld_prefix=str(tmp_path))
    assert info.interp_path == str(copy)
    region = guest_memory.find_region(info.interp_base)
    assert region is not None and region.path == str(copy)
    guest_memory.close()
    # a prefix without the interpreter falls back to the host's, as qemu's path() does
    info = load_elf_binary(TRUE, [TRUE], [], guest_memory, ld_prefix=str(tmp_path / "none"))
    assert info.interp_path == os.path.realpath(interp)


def test_loader_leaves_no_file_descriptor_open(guest_memory: GuestMemory) -> None:
    before = sorted(os.listdir("/proc/self/fd"))
    load_elf_binary(TRUE, [TRUE], [], guest_memory)
    assert sorted(os.listdir("/proc/self/fd")) == before


# --- errors, compared with qemu-x86_64 7.2 -----------------------------------------------------


def run_qemu_on_tty(argv: list[str], extra: tuple[str, ...] = ()) -> tuple[int, str]:
    """Run qemu with stdout on a pseudo-terminal: its printf() lines survive _exit()."""
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([harness.qemu_path(), *extra, *argv], stdout=slave,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                   env=harness.guest_env())
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        returncode = process.wait(timeout=harness.DEFAULT_TIMEOUT)
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    return returncode, b"".join(chunks).decode().replace("\r\n", "\n")


def patched(source: str, out: Path, edits: list[tuple[int, bytes]], mode: int = 0o755) -> str:
    data = bytearray(Path(source).read_bytes())
    for offset, value in edits:
        data[offset:offset + len(value)] = value
    out.write_bytes(bytes(data))
    out.chmod(mode)
    return str(out)


def interp_patched(out: Path, interp: str) -> str:
    """A copy of /bin/true whose PT_INTERP names another file (it must fit in place)."""
    data = Path(TRUE).read_bytes()
    name = pt_interp(TRUE)
    assert name is not None and len(interp) <= len(name)
    at = data.index(name.encode() + b"\0")
    return patched(TRUE, out, [(at, interp.encode().ljust(len(name) + 1, b"\0"))])


def phdr_offsets(path: str) -> tuple[int, list[int]]:
    data = Path(path).read_bytes()
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    return phoff, [struct.unpack_from("<I", data, phoff + 56 * i)[0] for i in range(phnum)]


def make_case(case: str, tmp: Path) -> str:
    """Build the file for one error case; returns the path to give the loader."""
    out = tmp / case
    if case == "missing":
        return str(out)
    if case == "directory":
        out.mkdir()
        return str(out)
    if case == "not_executable":
        return patched(TRUE, out, [], mode=0o644)
    if case == "empty":
        out.write_bytes(b"")
        out.chmod(0o755)
        return str(out)
    if case == "script":
        out.write_text("#!/bin/sh\nexit 0\n")
        out.chmod(0o755)
        return str(out)
    if case == "short_elf":
        out.write_bytes(Path(TRUE).read_bytes()[:30])
        out.chmod(0o755)
        return str(out)
    if case == "class32":
        return patched(TRUE, out, [(4, b"\x01")])
    if case == "aarch64":
        return patched(TRUE, out, [(18, struct.pack("<H", 183))])
    if case == "i386":
        return patched(TRUE, out, [(18, struct.pack("<H", 3))])
    if case == "big_endian":
        return patched(TRUE, out, [(5, b"\x02")])
    if case == "relocatable":
        return patched(TRUE, out, [(16, struct.pack("<H", 1))])
    if case == "phdrs_past_eof":
        return patched(TRUE, out, [(32, struct.pack("<Q", os.path.getsize(TRUE) + 4096))])
    if case == "interp_not_terminated":
        name = pt_interp(TRUE)
        assert name is not None
        at = Path(TRUE).read_bytes().index(name.encode() + b"\0")
        return patched(TRUE, out, [(at + len(name), b"X")])
    if case == "two_interps":
        phoff, types = phdr_offsets(TRUE)
        entry = Path(TRUE).read_bytes()[phoff + 56 * types.index(3):][:56]
        return patched(TRUE, out, [(phoff + 56 * types.index(4), entry)])
    interp = {"interp_missing": "/lib64/ld-linux-x86-65.so.2", "interp_directory": "/tmp",
              "interp_not_elf": "/etc/passwd", "interp_empty": "/dev/null"}[case]
    return interp_patched(out, interp)


# case -> (error class, message with {p} for the path given)
ERROR_CASES: dict[str, tuple[type[LoadError], str]] = {
    "missing": (ExecFileError, "Error while loading {p}: No such file or directory"),
    "directory": (ExecFileError, "Error while loading {p}: Permission denied"),
    "not_executable": (ExecFileError, "Error while loading {p}: Permission denied"),
    "empty": (ExecFileError, "Error while loading {p}: Exec format error"),
    "script": (ExecFileError, "Error while loading {p}: Exec format error"),
    "short_elf": (ExecFileError, "Error while loading {p}: Exec format error"),
    "class32": (ElfImageError, "{p}: Invalid ELF image for this architecture"),
    "aarch64": (ElfImageError, "{p}: Invalid ELF image for this architecture"),
    "i386": (ElfImageError, "{p}: Invalid ELF image for this architecture"),
    "big_endian": (ElfImageError, "{p}: Invalid ELF image for this architecture"),
    "relocatable": (ElfImageError, "{p}: Invalid ELF image for this architecture"),
    "phdrs_past_eof": (ElfImageError, "{p}: Incomplete read of file header"),
    "interp_not_terminated": (ElfImageError, "{p}: Invalid PT_INTERP entry"),
    "two_interps": (ElfImageError, "{p}: Multiple PT_INTERP entries"),
    "interp_missing": (ElfImageError,
                       "Could not open '/lib64/ld-linux-x86-65.so.2': No such file or directory"),
    "interp_directory": (ElfImageError, "/tmp: Error reading file header: Is a directory"),
    "interp_not_elf": (ElfImageError, "/etc/passwd: Invalid ELF image for this architecture"),
    "interp_empty": (ElfImageError, "/dev/null: Invalid ELF image for this architecture"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_load_error_text_and_status(case: str, tmp_path: Path,
                                    guest_memory: GuestMemory) -> None:
    path = make_case(case, tmp_path)
    error_class, template = ERROR_CASES[case]
    with pytest.raises(error_class) as caught:
        load_elf_binary(path, [path], [], guest_memory)
    assert str(caught.value) == template.format(p=path)
    assert caught.value.exit_status == (1 if error_class is ExecFileError else 255)


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_load_error_equals_qemus(case: str, tmp_path: Path) -> None:
    path = make_case(case, tmp_path)
    error_class, template = ERROR_CASES[case]
    message = template.format(p=path)
    if error_class is ExecFileError:
        returncode, output = run_qemu_on_tty([path])
        assert (returncode, output) == (1, message + "\n")
    else:
        result = harness.run_qemu([path])
        assert (result.returncode, result.stdout, result.stderr) == (
            255, "", f"qemu-x86_64: {message}\n"), result.describe()


MISSING_INTERP = "Could not open '/lib64/ld-linux-x86-65.so.2': No such file or directory"


def test_missing_interpreter_is_named_without_the_prefix(tmp_path: Path,
                                                         guest_memory: GuestMemory) -> None:
    path = make_case("interp_missing", tmp_path)
    with pytest.raises(ElfImageError) as caught:
        load_elf_binary(path, [path], [], guest_memory, ld_prefix=str(tmp_path))
    assert str(caught.value) == MISSING_INTERP


def test_missing_interpreter_under_a_prefix_equals_qemus(tmp_path: Path) -> None:
    path = make_case("interp_missing", tmp_path)
    result = harness.run_qemu([path], extra=["-L", str(tmp_path)])
    assert (result.returncode, result.stderr) == (255, f"qemu-x86_64: {MISSING_INTERP}\n")


LONG_ARG = "a" * 100_000


def test_argument_list_too_long(layout_probe: Callable[[str], Path],
                                guest_memory: GuestMemory) -> None:
    program = str(layout_probe("musl-static"))
    with pytest.raises(StackSetupError) as caught:
        load_elf_binary(program, [program, LONG_ARG, LONG_ARG], [], guest_memory,
                        stack_size=4096)
    assert str(caught.value) == f"{program}: Argument list too long"
    assert caught.value.exit_status == 255 and caught.value.qemu_prefix is False


def test_argument_list_too_long_equals_qemus(layout_probe: Callable[[str], Path]) -> None:
    program = str(layout_probe("musl-static"))
    # qemu's -s 4096 means its 128 KiB minimum, as stack_size=4096 does for the loader
    result = harness.run_qemu([program, LONG_ARG, LONG_ARG], extra=["-s", "4096"])
    assert (result.returncode, result.stderr) == (255, f"{program}: Argument list too long\n")
