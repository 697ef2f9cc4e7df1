# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu/host/disas-riscv.c against qemu-riscv64 7.2's own RISC-V disassembler.

QEMU prints RISC-V instructions for plugins with its own disassembler, not capstone;
pyqemu's disas-riscv.c reproduces that text.  Here qemu-riscv64 translates (without
running) a sweep of encodings (guests/rv_encodings.c: every 16-bit encoding, every 32-bit
opcode x funct3 x funct7, every CSR, every fence), tests/plugin/disas.c prints what
qemu_plugin_insn_disas says for each, and disas-riscv.c, compiled on its own into a shared
library, must say the same for every one.  It may decline (return 0, and pyqemu then
prints capstone's text) only for the vector extension, which qemu-riscv64's default CPU
does not run, and for encodings longer than 32 bits.

The execlog tests of test_plugins.py check the same text end to end, inside pyqemu.
"""

from __future__ import annotations

import ctypes
import subprocess
from collections.abc import Callable
from pathlib import Path

from arch_harness import compile_guest, guest_source, run_qemu

REPO_ROOT = Path(__file__).resolve().parents[2]
OPCODE_V = 0x57
OPCODE_LOAD_FP, OPCODE_STORE_FP = 0x07, 0x27
SCALAR_FP_WIDTHS = (1, 2, 3, 4)   # flh, flw, fld, flq (and their stores); the rest are vector


def declined_by_design(word: int, size: int) -> bool:
    """Vector instructions, and the first parcel of an encoding longer than 32 bits."""
    if size != 4:
        return False
    opcode, width = word & 0x7F, (word >> 12) & 7
    if opcode == OPCODE_V:
        return True
    if opcode in (OPCODE_LOAD_FP, OPCODE_STORE_FP) and width not in SCALAR_FP_WIDTHS:
        return True
    return (word & 0x1C) == 0x1C


def load_disassembler(tmp_path: Path) -> Callable[[int, bytes], str | None]:
    library = tmp_path / "libdisas-riscv.so"
    subprocess.run(["gcc", "-std=gnu11", "-O2", "-Wall", "-Werror", "-shared", "-fPIC",
                    "-o", str(library), str(REPO_ROOT / "pyqemu/host/disas-riscv.c")],
                   check=True, capture_output=True, text=True)
    lib = ctypes.CDLL(str(library))
    lib.riscv_disas_qemu.restype = ctypes.c_size_t
    lib.riscv_disas_qemu.argtypes = (ctypes.c_uint64, ctypes.c_char_p, ctypes.c_size_t,
                                     ctypes.c_char_p, ctypes.c_size_t)
    buffer = ctypes.create_string_buffer(256)

    def disas(pc: int, code: bytes) -> str | None:
        n = lib.riscv_disas_qemu(pc, code, len(code), buffer, len(buffer))
        return buffer.raw[:n].decode() if n else None

    return disas


def test_every_encoding_reads_as_qemu_prints_it(plugin_lib: Callable[[str], Path],
                                                tmp_path: Path) -> None:
    guest = compile_guest("riscv64", guest_source("rv_encodings"), "static", tmp_path)
    log = tmp_path / "disas.log"
    result = run_qemu("riscv64", [str(guest)], plugins=[str(plugin_lib("disas"))],
                      extra=["-d", "plugin", "-D", str(log)])
    assert result.returncode == 0, result.describe()
    assert result.stdout.startswith("translated ")
    disas = load_disassembler(tmp_path)
    seen: dict[tuple[int, str], tuple[int, str]] = {}
    for line in log.read_text().splitlines():
        vaddr, size, word, text = line.split("\t")
        if int(size) in (2, 4):
            seen.setdefault((int(size), word), (int(vaddr, 16), text))
    assert len(seen) > 150_000          # the sweep's encodings, and the guest's own code
    wrong, declined = [], []
    for (size, word), (vaddr, text) in seen.items():
        ours = disas(vaddr, int(word, 16).to_bytes(size, "little"))
        if ours is None:
            if not declined_by_design(int(word, 16), size):
                declined.append(f"{word}: qemu {text!r}")
        elif ours != text:
            wrong.append(f"{word} at {vaddr:#x}: qemu {text!r}, ours {ours!r}")
    assert not wrong, f"{len(wrong)} of {len(seen)} differ:\n" + "\n".join(wrong[:20])
    assert not declined, f"{len(declined)} declined:\n" + "\n".join(declined[:20])
