# SPDX-License-Identifier: GPL-2.0-or-later
"""The rows of the README's error-path tables: each bad input, what qemu-x86_64 7.2 prints and
exits with, and what pyqemu does when it differs on purpose.

Messages are written as Ending.messages gives them: "PROG: " stands for the program-name
prefix (qemu-x86_64:, pyqemu-x86_64:, or the bare qemu:/pyqemu: of option errors), and
{prog}, {interp}, {plugin} and {dir} stand for paths a case makes.  An empty message
means the emulator printed nothing of its own (the guest ran).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from error_inputs import HOST_TRUE, Workbench

# what a case's maker returns: the emulator's arguments, and the names its message uses
Made = tuple[list[str], dict[str, str]]


@dataclass(frozen=True)
class ErrorCase:
    """One row: the input, qemu's ending, and pyqemu's where it differs on purpose.

    status is a returncode (-N: died of signal N).  with_plugin runs both emulators with
    the bb plugin and -d plugin: pyqemu must then print bb's atexit line exactly once;
    qemu_atexit records whether qemu 7.2 does.  first_line_only compares only the first
    message line (usage texts list different options).
    """

    name: str
    what: str
    make: Callable[[Workbench], Made]
    status: int
    message: str
    our_status: int | None = None
    our_message: str | None = None
    with_plugin: bool = True
    qemu_atexit: bool = True
    first_line_only: bool = False
    why: str = ""
    needs: Callable[[], str | None] = field(default=lambda: None)

    @property
    def ours(self) -> tuple[int, str]:
        return (self.status if self.our_status is None else self.our_status,
                self.message if self.our_message is None else self.our_message)


def prog(path: str, *options: str) -> Made:
    return [*options, path], {"prog": path}


EXEC_ERROR_WHY = ("qemu printf()s this line to stdout and _exit()s, so it is lost unless "
                  "stdout is a terminal, and skips atexit; pyqemu prints it on stderr and "
                  "runs atexit")


def _exec_error(name: str, what: str, make: Callable[[Workbench], Made], text: str) -> ErrorCase:
    return ErrorCase(name, what, make, 1, f"Error while loading {{prog}}: {text}",
                     our_message=f"PROG: Error while loading {{prog}}: {text}",
                     qemu_atexit=False, why=EXEC_ERROR_WHY)


def _elf_error(name: str, what: str, make: Callable[[Workbench], Made], text: str,
               **extra: object) -> ErrorCase:
    return ErrorCase(name, what, make, 255, f"PROG: {{prog}}: {text}", **extra)  # type: ignore[arg-type]


def _memory_total() -> int:
    total = 0
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            key, value = line.split(":", 1)
            if key in ("MemTotal", "SwapTotal"):
                total += int(value.split()[0]) * 1024
    return total


def _needs_overcommit_checks() -> str | None:
    with open("/proc/sys/vm/overcommit_memory", encoding="ascii") as mode:
        if mode.read().strip() == "1":
            return "vm.overcommit_memory=1 lets any mapping through"
    return None


BIG_BSS = (2 * _memory_total() + (1 << 30)) & ~((1 << 30) - 1)


def _interp_in_place(bench: Workbench, name: str, interp: str) -> Made:
    path = bench.true_with_interp(name, interp.encode())
    return [path], {"prog": path, "interp": interp}


def _phdr_index(path: str, p_type: int) -> tuple[int, bytes]:
    data = Path(path).read_bytes()
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    for index in range(phnum):
        if struct.unpack_from("<I", data, phoff + 56 * index)[0] == p_type:
            return phoff + 56 * index, data[phoff + 56 * index:][:56]
    raise LookupError(p_type)


def _two_interps(bench: Workbench) -> Made:
    _interp_at, entry = _phdr_index(HOST_TRUE, 3)
    note_at, _note = _phdr_index(HOST_TRUE, 4)
    return prog(bench.true_patched("two_interps", [(note_at, entry)]))


def _interp_not_terminated(bench: Workbench) -> Made:
    data = Path(HOST_TRUE).read_bytes()
    end = data.index(b"/lib64/ld-linux-x86-64.so.2\0") + len(b"/lib64/ld-linux-x86-64.so.2")
    return prog(bench.true_patched("interp_not_terminated", [(end, b"X")]))


def _truncated_interp(bench: Workbench) -> Made:
    interp = bench.short_file("hdr", bench.tiny.read_bytes()[:64])
    return _interp_in_place(bench, "interp_truncated", interp)


LOAD_CASES: list[ErrorCase] = [
    _exec_error("missing", "program does not exist",
                lambda b: prog(str(b.path("missing"))), "No such file or directory"),
    _exec_error("unreadable", "program not readable (mode 000)",
                lambda b: prog(b.write("unreadable", b.tiny.read_bytes(), 0o000)),
                "Permission denied"),
    _exec_error("not_executable", "program without an x bit",
                lambda b: prog(b.write("not_executable", b.tiny.read_bytes(), 0o644)),
                "Permission denied"),
    _exec_error("directory", "a directory", lambda b: prog(str(b.root)), "Permission denied"),
    _exec_error("empty", "a zero-length file", lambda b: prog(b.write("empty", b"")),
                "Exec format error"),
    _exec_error("script_no_interp", "script whose #! interpreter does not exist",
                lambda b: prog(b.write("script1", b"#!/nonexistent\n")), "Exec format error"),
    _exec_error("script", "script with a working #!/bin/sh (qemu runs no scripts)",
                lambda b: prog(b.write("script2", b"#!/bin/sh\nexit 5\n")),
                "Exec format error"),
    _exec_error("short_header", "ELF magic, file shorter than an ELF header",
                lambda b: prog(b.write("short", b.tiny.read_bytes()[:40])),
                "Exec format error"),
    _elf_error("header_only", "ELF header, program headers cut off (read as zeros)",
               lambda b: prog(b.tiny_with("header_only", length=64)),
               "Error mapping file: Invalid argument"),
    _elf_error("class32", "wrong class (ELFCLASS32)",
               lambda b: prog(b.tiny_with("class32", ehdr={4: ("<B", 1)})),
               "Invalid ELF image for this architecture"),
    _elf_error("big_endian", "wrong byte order", lambda b: prog(
        b.tiny_with("big_endian", ehdr={5: ("<B", 2)})), "Invalid ELF image for this architecture"),
    _elf_error("aarch64", "wrong machine (EM_AARCH64)", lambda b: prog(
        b.tiny_with("aarch64", ehdr={18: ("<H", 183)})), "Invalid ELF image for this architecture"),
    _elf_error("relocatable", "ET_REL object", lambda b: prog(
        b.tiny_with("relocatable", ehdr={16: ("<H", 1)})),
        "Invalid ELF image for this architecture"),
    _elf_error("phdrs_past_eof", "program headers past the end of the file", lambda b: prog(
        b.tiny_with("phdrs_past_eof", ehdr={32: ("<Q", 1 << 20)})),
        "Incomplete read of file header"),
    _elf_error("phoff_negative", "e_phoff beyond 2**63", lambda b: prog(
        b.tiny_with("phoff_negative", ehdr={32: ("<Q", 1 << 63)})),
        "Error reading file header: Invalid argument"),
    _elf_error("no_pt_load", "no PT_LOAD at all", lambda b: prog(
        b.tiny_with("no_pt_load", phdrs={(0, "p_type"): 0, (1, "p_type"): 0})),
        "Error mapping file: Invalid argument"),
    _elf_error("misaligned_segment", "p_offset and p_vaddr disagree modulo the page",
               lambda b: prog(b.tiny_with("misaligned", phdrs={(1, "p_offset"): 0x1001})),
               "Error mapping file: Invalid argument"),
    ErrorCase("overlapping_loads", "overlapping PT_LOADs (the later one wins, as in qemu)",
              lambda b: prog(b.tiny_with("overlap", phdrs={(0, "p_filesz"): 0x1010,
                                                           (0, "p_memsz"): 0x1010})), 3, ""),
    ErrorCase("huge_readonly_bss", "64 GiB bss on a read-only segment",
              lambda b: prog(b.tiny_with("rx64g", phdrs={(1, "p_memsz"): 64 << 30})),
              -11, "", qemu_atexit=False),
    ErrorCase("huge_bss", "writable bss larger than memory and swap",
              lambda b: prog(b.tiny_with("big_bss", phdrs={(1, "p_memsz"): BIG_BSS,
                                                           (1, "p_flags"): 7})),
              255, "cannot mmap brk: Cannot allocate memory", needs=_needs_overcommit_checks),
    ErrorCase("memsz_wraps", "p_vaddr + p_memsz wraps past 2**64",
              lambda b: prog(b.tiny_with("wraps", phdrs={(1, "p_memsz"): 2**64 - 0x1000})),
              -6, "PROG: ../../accel/tcg/translate-all.c:1380: page_set_flags: "
                  "Assertion `start < end' failed.", our_status=-11, our_message="",
              qemu_atexit=False,
              why="qemu aborts on an assertion; pyqemu goes on to clear the bss tail of "
                  "this read-only segment, where qemu's zero_bss store faults, and dies of "
                  "SIGSEGV as qemu does for a read-only bss"),
    ErrorCase("data_past_eof", "segment file bytes past the end of the file",
              lambda b: prog(b.tiny_with("past_eof", phdrs={(1, "p_offset"): 1 << 20})),
              -7, "PROG: uncaught target signal 7 (Bus error) - core dumped",
              qemu_atexit=False),
    ErrorCase("page_zero", "segment (and entry) at address 0",
              lambda b: prog(b.tiny_with("page0", ehdr={24: ("<Q", 0)},
                                         phdrs={(1, "p_vaddr"): 0})), 3, "",
              our_status=255, our_message="PROG: {prog}: Error mapping file: "
                                          "Operation not permitted",
              why="qemu moves the whole guest (guest_base) to give it page 0; pyqemu's "
                  "guest shares the emulator's address space and the engine cannot map 0"),
    ErrorCase("interp_missing", "PT_INTERP names a missing file",
              lambda b: _interp_in_place(b, "interp_missing", "/nonexistent/ld.so"),
              255, "PROG: Could not open '{interp}': No such file or directory"),
    ErrorCase("interp_relative", "PT_INTERP is a relative path",
              lambda b: _interp_in_place(b, "interp_relative", "ld-linux.so"),
              255, "PROG: Could not open '{interp}': No such file or directory"),
    ErrorCase("interp_directory", "PT_INTERP names a directory",
              lambda b: _interp_in_place(b, "interp_directory", "/tmp"),
              255, "PROG: {interp}: Error reading file header: Is a directory"),
    _elf_error("interp_not_terminated", "PT_INTERP without its NUL", _interp_not_terminated,
               "Invalid PT_INTERP entry"),
    _elf_error("two_interps", "two PT_INTERP entries", _two_interps,
               "Multiple PT_INTERP entries"),
    ErrorCase("interp_not_elf", "interpreter is a text file",
              lambda b: _interp_in_place(b, "interp_text", "/etc/passwd"),
              255, "PROG: {interp}: Invalid ELF image for this architecture"),
    ErrorCase("interp_empty", "interpreter is an empty file",
              lambda b: _interp_in_place(b, "interp_empty", "/dev/null"),
              255, "PROG: {interp}: Invalid ELF image for this architecture"),
    ErrorCase("interp_truncated", "interpreter cut after its ELF header", _truncated_interp,
              255, "PROG: {interp}: Error mapping file: Invalid argument"),
    ErrorCase("args_too_long", "arguments larger than the stack",
              lambda b: ([*prog(str(b.tiny), "-s", "4096")[0], "a" * 100_000, "b" * 100_000],
                         {"prog": str(b.tiny)}),
              255, "{prog}: Argument list too long"),
]

USAGE_LINE = "usage: PROG [options] program [arguments...]"

OPTION_CASES: list[ErrorCase] = [
    ErrorCase("stack_zero", "-s 0", lambda b: prog(str(b.tiny), "-s", "0"), 1, USAGE_LINE,
              with_plugin=False, first_line_only=True),
    ErrorCase("stack_not_a_number", "-s abc", lambda b: prog(str(b.tiny), "-s", "abc"), 1,
              USAGE_LINE, with_plugin=False, first_line_only=True),
    ErrorCase("stack_too_large", "-s 1048576M (1 TiB)",
              lambda b: prog(str(b.tiny), "-s", "1048576M"), 255,
              "mmap stack: Cannot allocate memory", needs=_needs_overcommit_checks),
    ErrorCase("unknown_option", "-bogus", lambda b: prog(str(b.tiny), "-bogus"), 1,
              "PROG: unknown option 'bogus'", with_plugin=False),
    ErrorCase("missing_argument", "-L without its argument", lambda b: (["-L"], {}), 1,
              "PROG: missing argument for option 'L'", with_plugin=False),
    ErrorCase("no_program", "no program at all", lambda b: ([], {}), 1,
              "PROG: no user program specified", with_plugin=False),
    ErrorCase("bad_log_item", "-d bogus", lambda b: prog(str(b.tiny), "-d", "bogus"), 1,
              "Log items (comma separated):", our_message="PROG: Log items (comma separated):",
              with_plugin=False, first_line_only=True,
              why="qemu lists its log items on stdout; pyqemu on stderr, and only the "
                  "items it has (plugin, unimp, strace)"),
    ErrorCase("plugin_empty", "-plugin ''", lambda b: prog(str(b.tiny), "-plugin", ""), 3,
              "", with_plugin=False),
    ErrorCase("plugin_file_empty", "-plugin file=",
              lambda b: prog(str(b.tiny), "-plugin", "file="), 1,
              "PROG: requires a non-empty argument", with_plugin=False),
    ErrorCase("plugin_comma_only", "-plugin ,", lambda b: prog(str(b.tiny), "-plugin", ","),
              1, "PROG: requires a non-empty argument", with_plugin=False),
    ErrorCase("plugin_no_file", "-plugin arg=foo",
              lambda b: prog(str(b.tiny), "-plugin", "arg=foo"), 1,
              "PROG: missing earlier '-plugin file=' option", with_plugin=False),
    ErrorCase("plugin_unknown_key", "-plugin <bb>,foo=bar (bb refuses the argument)",
              lambda b: ([*("-plugin", f"{b.bb_plugin},foo=bar", "-d", "plugin"), str(b.tiny)],
                         {"plugin": str(b.bb_plugin)}), 1,
              "option parsing failed: foo=bar\nPROG: Could not load plugin {plugin}: "
              "qemu_plugin_install returned error code -1", with_plugin=False),
    ErrorCase("plugin_path_with_commas", "-plugin <dir>/lib,,bb.so (a file named lib,bb.so)",
              lambda b: ([*("-plugin", b.comma_plugin().replace(",", ",,"), "-d", "plugin"),
                          str(b.tiny)], {}), 3, "", with_plugin=False),
    ErrorCase("plugin_path_single_comma", "-plugin <dir>/lib,bb.so",
              lambda b: (["-plugin", b.comma_plugin(), str(b.tiny)], {"dir": str(b.root)}),
              1, "PROG: Could not load plugin {dir}/lib: {dir}/lib.so: cannot open shared "
                 "object file: No such file or directory", with_plugin=False,
              why="qemu also warns that 'bb.so' is a deprecated short-form boolean option"),
]


def _bad(variant: str, *defines: str) -> Callable[[Workbench], Made]:
    def make(bench: Workbench) -> Made:
        path = bench.bad_plugin(variant, *defines)
        return ["-plugin", path, str(bench.tiny)], {"plugin": path}
    return make


def _plugin_file(name: str, data: bytes) -> Callable[[Workbench], Made]:
    def make(bench: Workbench) -> Made:
        path = bench.write(name, data, 0o644)
        return ["-plugin", path, str(bench.tiny)], {"plugin": path}
    return make


PLUGIN_CASES: list[ErrorCase] = [
    ErrorCase("plugin_missing", "plugin file does not exist",
              lambda b: (["-plugin", str(b.path("nowhere.so")), str(b.tiny)],
                         {"plugin": str(b.path("nowhere.so"))}), 1,
              "PROG: Could not load plugin {plugin}: {plugin}: cannot open shared object "
              "file: No such file or directory"),
    ErrorCase("plugin_not_elf", "plugin is a text file",
              _plugin_file("text.so", b"not a shared object\n" * 100), 1,
              "PROG: Could not load plugin {plugin}: {plugin}: invalid ELF header"),
    ErrorCase("plugin_too_short", "plugin is a 10-byte file",
              _plugin_file("short.so", b"0123456789"), 1,
              "PROG: Could not load plugin {plugin}: {plugin}: file too short"),
    ErrorCase("plugin_no_version", "no qemu_plugin_version", _bad("noversion", "NO_VERSION"), 1,
              "PROG: Could not load plugin {plugin}: plugin does not declare API version "
              "'qemu_plugin_version': {plugin}: undefined symbol: qemu_plugin_version"),
    ErrorCase("plugin_too_new", "qemu_plugin_version = 2",
              _bad("toonew", "PLUGIN_VERSION=2"), 1,
              "PROG: Could not load plugin {plugin}: plugin requires API version 2, but this "
              "QEMU supports only up to version 1"),
    ErrorCase("plugin_negative_version", "qemu_plugin_version = -1",
              _bad("negative", "PLUGIN_VERSION=-1"), 1,
              "PROG: Could not load plugin {plugin}: plugin requires API version -1, but this "
              "QEMU supports only a minimum version of 0"),
    ErrorCase("plugin_no_install", "no qemu_plugin_install", _bad("noinstall", "NO_INSTALL"), 1,
              "PROG: Could not load plugin {plugin}: 'qemu_plugin_install': {plugin}: "
              "undefined symbol: qemu_plugin_install"),
    ErrorCase("plugin_install_fails", "qemu_plugin_install returns 7",
              _bad("fails", "INSTALL_RESULT=7"), 1,
              "PROG: Could not load plugin {plugin}: qemu_plugin_install returned error code 7",
              why="qemu 7.2 still runs the failed plugin's atexit callback; pyqemu uninstalls "
                  "it first, as QEMU 5.2 does"),
]

ALL_CASES = LOAD_CASES + OPTION_CASES + PLUGIN_CASES  # + FIXED_CASES, below


def expand(text: str, names: dict[str, str]) -> str:
    return text.format(**names) if names else text


def doc_form(text: str) -> str:
    """The message as the README's error-path tables write it: <prog> for {prog}, and so on, and
    qemu's own name in its usage line."""
    for name in ("prog", "interp", "plugin", "dir"):
        text = text.replace("{" + name + "}", f"<{name}>")
    return text.replace("usage: PROG ", "usage: qemu-x86_64 ")


assert len({case.name for case in ALL_CASES}) == len(ALL_CASES), "case names must be unique"


# pyqemu bugs outside the loader, each found by these tests: the rows say what qemu does
# (what pyqemu should do); the tests expect them to fail until the bug is fixed.
EXIT_SOURCE = """\
    .globl _start
    .text
_start:
    mov $60, %eax       /* exit, from the only thread */
    mov $3, %edi
    syscall
"""

KNOWN_BUGS: list[tuple[ErrorCase, str]] = []


# Rows that were known pyqemu bugs, fixed since; kept as ordinary rows.
FIXED_CASES: list[ErrorCase] = [
    ErrorCase("stack_size_octal", "-s 077 (strtoul reads octal)",
               lambda b: prog(str(b.tiny), "-s", "077"), 3, "", with_plugin=False),
    ErrorCase("stack_size_unknown_suffix", "-s 1T (qemu reads 1 byte, so 128 KiB)",
               lambda b: prog(str(b.tiny), "-s", "1T"), 3, "", with_plugin=False),
    ErrorCase("lone_dash", "- as the program", lambda b: prog(str(b.tiny), "-"), 1,
               "PROG: unknown option ''", with_plugin=False),
    ErrorCase("unknown_cpu", "-cpu nonsense", lambda b: prog(str(b.tiny), "-cpu", "nonsense"),
               1, "PROG: unable to find CPU model 'nonsense'", with_plugin=False),
    ErrorCase("exit_from_only_thread", "exit (not exit_group) from the only thread",
               lambda b: prog(b.assemble("exit60", EXIT_SOURCE)), 3, ""),
    ErrorCase("non_canonical_entry", "e_entry not canonical (bits 63..47 differ)",
               lambda b: prog(b.tiny_with("noncanonical", ehdr={24: ("<Q", 0x0D00000000401000)})),
               -11, "PROG: uncaught target signal 11 (Segmentation fault) - core dumped",
               qemu_atexit=False),
]
ALL_CASES += FIXED_CASES
