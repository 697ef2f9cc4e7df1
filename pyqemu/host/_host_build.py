#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the C source of the cffi extension ``pyqemu.host._host``.

cffi's API mode, out of line: this script writes the C file that Meson
compiles together with the host's C files (meson.build's host_sources).  The
declarations Python may use are read from the headers, so they are written
once: host.h's section between CDEF BEGIN and CDEF END, and, in a build
with plugins, the whole plugin API of include/qemu/qemu-plugin.h (run
through the C preprocessor at the host's API level: 702 for ``_host``, 502
for ``_host52``), which Python plugins call like C ones do.
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
    "CS SS DS ES FS_BASE GS_BASE LDTR GDTR IDTR FPCW FPSW FPTAG MXCSR "
    + " ".join(f"XMM{i}" for i in range(16))
    + " " + " ".join(f"YMM{i}" for i in range(16))
    + " " + " ".join(f"FP{i}" for i in range(8)) + " " + " ".join(f"ST{i}" for i in range(8))
).split()

# The aarch64 and riscv64 register ids Python needs (unicorn/arm64.h, unicorn/riscv.h).
ARM64_REGISTERS = (
    [f"X{i}" for i in range(31)] + [f"Q{i}" for i in range(32)]
    + "SP PC NZCV TPIDR_EL0 FPCR FPSR".split()
)
RISCV_REGISTERS = [f"X{i}" for i in range(32)] + [f"F{i}" for i in range(32)] + ["PC", "FCSR"]

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


# The loader's hooks for the QEMU 7.2 level's program facts (api.c,
# plugin-symbols.c); hidden symbols, called by pyqemu/plugins/loader.py.
IMAGE_HOOKS = """
void plugin_set_image_info(const char *path, uint64_t start_code, uint64_t end_code,
                           uint64_t entry);
void plugin_load_symbols(const char *path, uint64_t load_bias);
"""


def cdef_from_plugin_header(path: Path, api_level: str = "502") -> str:
    """qemu-plugin.h as cffi reads it: preprocessed, without the standard headers."""
    compiler = shlex.split(os.environ.get("CC", "cc"))
    with tempfile.TemporaryDirectory() as stubs:
        for name in ("inttypes.h", "stdbool.h", "stddef.h", "stdint.h"):
            Path(stubs, name).touch()   # cffi knows these types already
        text = subprocess.run(
            [*compiler, "-E", "-P", "-nostdinc", f"-I{stubs}", "-D__attribute__(x)=",
             f"-DQEMU_PLUGIN_API_LEVEL={api_level}", str(path)],
            check=True, capture_output=True, text=True).stdout
    return _PLUGIN_SIDE.sub("", text)


def build(header_path: Path, output: Path, plugin_header: Path | None,
          module: str = MODULE, api_level: str = "702") -> None:
    ffi = cffi.FFI()
    ffi.cdef(cdef_from_header(header_path.read_text()))
    ffi.cdef("".join(f"#define UC_X86_REG_{name} ...\n" for name in X86_REGISTERS))
    ffi.cdef("".join(f"#define UC_ARM64_REG_{name} ...\n" for name in ARM64_REGISTERS))
    ffi.cdef("".join(f"#define UC_RISCV_REG_{name} ...\n" for name in RISCV_REGISTERS))
    # the engine's declarations come through its boundary header, engine.h, alone
    source = '#include "host.h"\n#include "engine.h"\n'
    if plugin_header is not None:
        ffi.cdef(cdef_from_plugin_header(plugin_header, api_level))
        ffi.cdef(IMAGE_HOOKS)
        source += IMAGE_HOOKS
        ffi.cdef("void free(void *);")   # for qemu_plugin_insn_disas's string
        source += '#include <stdlib.h>\n#include "qemu-plugin.h"\n'
    ffi.set_source(module, source)
    ffi.emit_c_code(str(output))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host_header", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--plugin-api", type=Path, help="include/qemu/qemu-plugin.h")
    parser.add_argument("--module", default=MODULE, help="the extension's full name")
    parser.add_argument("--api-level", default="702", choices=["502", "702"],
                        help="QEMU_PLUGIN_API_LEVEL: 502 (QEMU 5.2) or 702 (QEMU 7.2)")
    args = parser.parse_args()
    build(args.host_header, args.output, args.plugin_api, args.module, args.api_level)
