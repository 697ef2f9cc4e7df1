# SPDX-License-Identifier: GPL-2.0-or-later
"""The workbench the error-path tests build their bad inputs with.

The inputs are made at test time from real programs: a libc-free guest that exits with
status 3 (built with gcc -nostdlib), /bin/true with its PT_INTERP rewritten, and plugins
built from tests/errors/bad_plugin.c with -D flags.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from prerequisites import missing

ERRORS_DIR = Path(__file__).resolve().parent
REPO_ROOT = ERRORS_DIR.parents[1]
PLUGIN_INCLUDE = REPO_ROOT / "include" / "qemu"
HOST_TRUE = "/bin/true"

# exits with status 3 through exit_group, the way every C runtime ends a process
TINY_SOURCE = """\
    .globl _start
    .text
_start:
    mov $231, %eax
    mov $3, %edi
    syscall
"""
PHDR_SIZE = 56
PHDR_FIELDS = {"p_type": (0, "<I"), "p_flags": (4, "<I"), "p_offset": (8, "<Q"),
               "p_vaddr": (16, "<Q"), "p_filesz": (32, "<Q"), "p_memsz": (40, "<Q")}


class Workbench:
    """Builds the files a case needs in one directory; names are the cases' own."""

    def __init__(self, root: Path, bb_plugin: Path) -> None:
        self.root = root
        self.bb_plugin = bb_plugin
        self._plugins: dict[str, Path] = {}
        if shutil.which("gcc") is None:
            missing("gcc, needed to build the error-path inputs (apt-get install gcc)")
        self.tiny = Path(self.assemble("tiny", TINY_SOURCE))
        # /bin/true's PT_INTERP has room for 27 characters: files it names live here
        self.short_dir = Path(tempfile.mkdtemp(prefix="pqe", dir="/tmp"))

    def assemble(self, name: str, source: str) -> str:
        """A libc-free static program from assembly source (gcc -nostdlib)."""
        source_path = self.root / f"{name}.S"
        source_path.write_text(source, encoding="ascii")
        out = self.root / name
        subprocess.run(["gcc", "-nostdlib", "-static", "-o", str(out), str(source_path)],
                       check=True, capture_output=True, timeout=120)
        return str(out)

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, data: bytes, mode: int = 0o755) -> str:
        out = self.root / name
        out.write_bytes(data)
        out.chmod(mode)
        return str(out)

    def tiny_with(self, name: str, *, ehdr: dict[int, tuple[str, int]] | None = None,
                  phdrs: dict[tuple[int, str], int] | None = None,
                  length: int | None = None) -> str:
        """A copy of the tiny guest with header fields changed.

        ehdr maps an offset to (struct format, value); phdrs maps (index, field name) to a
        value; length truncates the copy.
        """
        data = bytearray(self.tiny.read_bytes())
        for offset, (fmt, value) in (ehdr or {}).items():
            struct.pack_into(fmt, data, offset, value)
        phoff, = struct.unpack_from("<Q", data, 32)
        for (index, field), value in (phdrs or {}).items():
            at, fmt = PHDR_FIELDS[field]
            struct.pack_into(fmt, data, phoff + index * PHDR_SIZE + at, value)
        return self.write(name, bytes(data[:length] if length is not None else data))

    def true_with_interp(self, name: str, interp: bytes) -> str:
        """/bin/true whose PT_INTERP path is replaced in place (it must fit)."""
        data = Path(HOST_TRUE).read_bytes()
        start = data.index(b"/lib64/ld-linux-x86-64.so.2\0")
        old_len = len(b"/lib64/ld-linux-x86-64.so.2\0")
        assert len(interp) <= old_len
        return self.write(name, data[:start] + interp.ljust(old_len, b"\0")
                          + data[start + old_len:])

    def true_patched(self, name: str, edits: list[tuple[int, bytes]]) -> str:
        data = bytearray(Path(HOST_TRUE).read_bytes())
        for offset, value in edits:
            data[offset:offset + len(value)] = value
        return self.write(name, bytes(data))

    def short_file(self, name: str, data: bytes) -> str:
        """A file whose path is short enough to replace /bin/true's PT_INTERP in place."""
        out = self.short_dir / name
        out.write_bytes(data)
        out.chmod(0o755)
        return str(out)

    def comma_plugin(self) -> str:
        """A copy of the bb plugin whose file name holds a comma: <dir>/lib,bb.so."""
        out = self.root / "lib,bb.so"
        if not out.exists():
            shutil.copyfile(self.bb_plugin, out)
        return str(out)

    def close(self) -> None:
        shutil.rmtree(self.short_dir, ignore_errors=True)

    def bad_plugin(self, variant: str, *defines: str) -> str:
        """lib<variant>.so built from bad_plugin.c with the given -D definitions."""
        if variant not in self._plugins:
            out = self.root / f"lib{variant}.so"
            subprocess.run(["gcc", "-Wall", "-Werror", "-fPIC", "-shared",
                            f"-I{PLUGIN_INCLUDE}", *(f"-D{d}" for d in defines),
                            "-o", str(out), str(ERRORS_DIR / "bad_plugin.c")],
                           check=True, capture_output=True, timeout=120)
            self._plugins[variant] = out
        return str(self._plugins[variant])
