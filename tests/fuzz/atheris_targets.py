#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Coverage-guided fuzzing (atheris, i.e. libFuzzer for Python) of pyqemu's input parsers.

Mirrors no QEMU file: it is the in-process counterpart of tests/fuzz/elf_differential.py.
Each target feeds libFuzzer's inputs to one parser, whose code atheris instruments so
that inputs reaching new branches are kept and mutated further:

- elf: linux_user/elfload.py's header stage, as qemu's load_elf_binary begins: open the
  file with linuxload.c's checks, parse the ELF and program headers, read PT_INTERP
  (the mapping stage needs the guest's address space: the differential fuzz covers it);
- options: linux_user/main.py's parse_args (argv and QEMU_* variables);
- plugin-opts: plugins/loader.py's qemu_plugin_opt_parse (the -plugin QemuOpts syntax);
- drcov: cov/drcov.py's parse.

Only pyqemu's own errors may come out (a LoadError, a UsageError, a DrcovError: the
front ends print those as one line); anything else is a crash, which libFuzzer saves
as crash-<sha1> under -artifact_prefix.  The target selfcheck fails on purpose on the
input "boom", so a test can see that a crash is noticed.

Usage: atheris_targets.py TARGET CORPUS_DIR [libFuzzer flags, e.g. -runs=2000 -seed=1
       or -max_total_time=600]
An empty CORPUS_DIR first receives the target's seed inputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from pyqemu.cov.drcov import BB_RECORD, DrcovError
    from pyqemu.cov.drcov import parse as parse_drcov
    from pyqemu.errors import PyqemuError
    from pyqemu.linux_user import elfload
    from pyqemu.linux_user.main import Options, parse_args
    from pyqemu.plugins.loader import QemuPluginList, qemu_plugin_opt_parse

EM_X86_64 = 62
PT_LOAD, PT_INTERP = 1, 3


def tiny_elf(interp: bytes = b"/lib64/ld-linux-x86-64.so.2\0") -> bytes:
    """An ET_EXEC with one PT_LOAD and a PT_INTERP: every header field a seed needs."""
    phoff, phnum = 64, 2
    interp_at = phoff + phnum * 56
    size = interp_at + len(interp)
    header = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, EM_X86_64,
                         1, 0x400078, phoff, 0, 0, 64, 56, phnum, 64, 0, 0)
    load = struct.pack("<IIQQQQQQ", PT_LOAD, 5, 0, 0x400000, 0x400000, size, size, 0x1000)
    interp_phdr = struct.pack("<IIQQQQQQ", PT_INTERP, 4, interp_at, 0x400000 + interp_at,
                              0x400000 + interp_at, len(interp), len(interp), 1)
    return header + load + interp_phdr + interp


def _drcov_seed() -> bytes:
    return (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 2\n"
            b"Columns: id, base, end, entry, path\n"
            b"0, 0x400000, 0x401000, 0x400100, /bin/a\n"
            b"1, 0x500000, 0x501000, 0x0, /lib/b\n"
            b"BB Table: 2 bbs\n" + BB_RECORD.pack(16, 4, 0) + BB_RECORD.pack(32, 8, 1))


# ---- the targets ------------------------------------------------------------------------------

def fuzz_elf(data: bytes) -> None:
    fd = os.memfd_create("fuzz-elf", os.MFD_CLOEXEC)
    try:
        os.write(fd, data)
        try:
            source = elfload._open_executable(f"/proc/self/fd/{fd}", "fuzz-elf")
        except PyqemuError:
            return
        try:
            _ehdr, phdrs = elfload._parse_headers(source, EM_X86_64)
            elfload._read_interp_name(source, phdrs)
        except PyqemuError:
            pass
        finally:
            os.close(source.fd)
    finally:
        os.close(fd)


def _words(data: bytes) -> list[str]:
    return [os.fsdecode(word) for word in data.split(b"\0")]


def fuzz_options(data: bytes) -> None:
    if not data:
        return
    words = _words(data[1:])
    environ = dict(word.split("=", 1) for word in words if word.startswith("QEMU_")
                   and "=" in word)
    argv = [word for word in words if not word.startswith("QEMU_")]
    with contextlib.redirect_stdout(io.StringIO()):  # usage texts, -cpu help
        try:
            parse_args(argv, environ, Options(), plugins_enabled=bool(data[0] & 1))
        except PyqemuError:
            pass
        except SystemExit as leaving:  # -cpu help lists the models and exits 1, as qemu
            if leaving.code != 1:
                raise


def fuzz_plugin_opts(data: bytes) -> None:
    try:
        qemu_plugin_opt_parse(os.fsdecode(data), QemuPluginList())
    except PyqemuError:
        pass


def fuzz_drcov(data: bytes) -> None:
    try:
        parse_drcov(data)
    except DrcovError:
        pass


def fuzz_selfcheck(data: bytes) -> None:
    if data.startswith(b"boom"):
        raise RuntimeError("selfcheck: the harness reports an exception")


TARGETS: dict[str, tuple[Callable[[bytes], None], list[bytes]]] = {
    "elf": (fuzz_elf, [tiny_elf(), tiny_elf(b"x\0"), tiny_elf()[:64], b"\x7fELF"]),
    "options": (fuzz_options, [b"\x01-s\x001M\0-d\0plugin\0prog",
                               b"\x01-plugin\0/x.so,arg=a,,b\0-L\0/\0-U\0A,B\0prog",
                               b"\x00QEMU_STACK_SIZE=1k\0QEMU_LOG=strace\0-cpu\0max\0prog"]),
    "plugin-opts": (fuzz_plugin_opts, [b"/x.so,arg=a,arg=b", b"file=lib,,bb.so,inline=on",
                                       b"arg=x", b",", b"file="]),
    "drcov": (fuzz_drcov, [_drcov_seed()]),
    "selfcheck": (fuzz_selfcheck, [b"boo", b"boom"]),
}


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] not in TARGETS:
        sys.exit(f"usage: {argv[0]} {{{'|'.join(TARGETS)}}} CORPUS_DIR [libFuzzer flags]")
    target, seeds = TARGETS[argv[1]]
    corpus = Path(argv[2])
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for seed in seeds:
            (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    atheris.Setup([argv[0], str(corpus), *argv[3:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
