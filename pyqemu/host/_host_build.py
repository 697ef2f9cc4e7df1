#!/usr/bin/env python3
"""Generate the C source of the cffi extension ``pyqemu.host._host``.

cffi's API mode, out of line: this script writes the C file that Meson
compiles together with core.c, loader.c, api.c and cpu-exec.c.  The
declarations Python may use are read from the headers, so they are written
once: host.h's section between CDEF BEGIN and CDEF END, and, in a build
with plugins, the whole plugin API of include/qemu/qemu-plugin.h (run
through the C preprocessor), which Python plugins call like C ones do.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import cffi

MODULE = "pyqemu.host._host"
_MARKED = re.compile(r"/\* CDEF BEGIN \*/(.*)/\* CDEF END \*/", re.S)

# The engine's x86 register ids Python needs, by name; cffi takes their
# values from unicorn/x86.h at compile time ("...").
X86_REGISTERS = (
    "RAX RBX RCX RDX RSI RDI RBP RSP R8 R9 R10 R11 R12 R13 R14 R15 RIP EFLAGS "
    "FS_BASE GS_BASE FPCW MXCSR " + " ".join(f"XMM{i}" for i in range(16))
).split()

# What a plugin defines, not the host: left out of the host's declarations.
_PLUGIN_SIDE = re.compile(r"^\s*(extern int qemu_plugin_version;|int qemu_plugin_install\([^;]*;)",
                          re.M | re.S)


def cdef_from_header(header: str) -> str:
    """The cffi declarations of host.h, with its marked Python callbacks."""
    match = _MARKED.search(header)
    if match is None:
        raise SystemExit("_host_build: host.h has no CDEF BEGIN/END section")
    text = match.group(1).replace('/* cffi: extern "Python+C" */', 'extern "Python+C"')
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def cdef_from_plugin_header(path: Path) -> str:
    """qemu-plugin.h as cffi reads it: preprocessed, without the standard headers."""
    compiler = shlex.split(os.environ.get("CC", "cc"))
    with tempfile.TemporaryDirectory() as stubs:
        for name in ("inttypes.h", "stdbool.h", "stddef.h", "stdint.h"):
            Path(stubs, name).touch()   # cffi knows these types already
        text = subprocess.run(
            [*compiler, "-E", "-P", "-nostdinc", f"-I{stubs}", "-D__attribute__(x)=", str(path)],
            check=True, capture_output=True, text=True).stdout
    return _PLUGIN_SIDE.sub("", text)


def build(header_path: Path, output: Path, plugin_header: Path | None) -> None:
    ffi = cffi.FFI()
    ffi.cdef(cdef_from_header(header_path.read_text()))
    ffi.cdef("".join(f"#define UC_X86_REG_{name} ...\n" for name in X86_REGISTERS))
    source = '#include "host.h"\n#include <unicorn/unicorn.h>\n'
    if plugin_header is not None:
        ffi.cdef(cdef_from_plugin_header(plugin_header))
        ffi.cdef("void free(void *);")   # for qemu_plugin_insn_disas's string
        source += '#include <stdlib.h>\n#include "qemu-plugin.h"\n'
    ffi.set_source(MODULE, source)
    ffi.emit_c_code(str(output))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host_header", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--plugin-api", type=Path, help="include/qemu/qemu-plugin.h")
    args = parser.parse_args()
    build(args.host_header, args.output, args.plugin_api)
