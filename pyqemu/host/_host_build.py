#!/usr/bin/env python3
"""Generate the C source of the cffi extension ``pyqemu.host._host``.

cffi's API mode, out of line: this script writes the C file that Meson
compiles together with core.c, loader.c, api.c and cpu-exec.c.  The
declarations Python may use are read from host.h, between its CDEF BEGIN
and CDEF END markers, so they are written once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import cffi

MODULE = "pyqemu.host._host"

# The engine's x86 register ids Python needs, by name; cffi takes their
# values from unicorn/x86.h at compile time ("...").
X86_REGISTERS = (
    "RAX RBX RCX RDX RSI RDI RBP RSP R8 R9 R10 R11 R12 R13 R14 R15 RIP EFLAGS "
    "FS_BASE GS_BASE FPCW MXCSR " + " ".join(f"XMM{i}" for i in range(16))
).split()
_MARKED = re.compile(r"/\* CDEF BEGIN \*/(.*)/\* CDEF END \*/", re.S)


def cdef_from_header(header: str) -> str:
    """The cffi declarations of host.h, with its marked Python callbacks."""
    match = _MARKED.search(header)
    if match is None:
        raise SystemExit("_host_build: host.h has no CDEF BEGIN/END section")
    text = match.group(1).replace('/* cffi: extern "Python+C" */', 'extern "Python+C"')
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def build(header_path: Path, output: Path) -> None:
    ffi = cffi.FFI()
    ffi.cdef(cdef_from_header(header_path.read_text()))
    ffi.cdef("".join(f"#define UC_X86_REG_{name} ...\n" for name in X86_REGISTERS))
    ffi.set_source(MODULE, '#include "host.h"\n#include <unicorn/unicorn.h>\n')
    ffi.emit_c_code(str(output))


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
