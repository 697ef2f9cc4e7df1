# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin header's default level is the default host's: QEMU 7.2 plugins build unmodified.

QEMU 7.2's own drcov plugin calls qemu_plugin_path_to_binary, start_code, end_code and
entry_code, and is built against qemu-plugin.h with no defines.  MODINFO (written here for
the test, in the way that plugin uses the four functions: at exit, for a one-module drcov
file) must build against include/qemu/qemu-plugin.h with -Wall -Werror and implicit
declarations as errors (gcc 14's default), declare version 1, and write the same file under
qemu-x86_64 7.2 and pyqemu.  The 5.2 level stays selectable: with
-DQEMU_PLUGIN_API_LEVEL=502 the same source does not build, as against QEMU 5.2's header.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from harness import PLUGIN_INCLUDE_DIR, plugin_spec, run_pyqemu, run_qemu

MODINFO = r"""
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct block { uint64_t start; uint16_t size; };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct block *blocks;
static size_t n_blocks, cap_blocks;
static FILE *out;

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, n - 1);
    uint64_t start = qemu_plugin_tb_vaddr(tb);

    pthread_mutex_lock(&lock);
    if (n_blocks == cap_blocks) {
        cap_blocks = cap_blocks ? 2 * cap_blocks : 256;
        blocks = realloc(blocks, cap_blocks * sizeof(*blocks));
    }
    blocks[n_blocks].start = start;
    blocks[n_blocks].size = qemu_plugin_insn_vaddr(last) + qemu_plugin_insn_size(last) - start;
    n_blocks++;
    pthread_mutex_unlock(&lock);
}

static void on_exit_write(qemu_plugin_id_t id, void *p)
{
    const char *path = qemu_plugin_path_to_binary();
    uint64_t start_code = qemu_plugin_start_code();
    uint64_t end_code = qemu_plugin_end_code();
    uint64_t entry = qemu_plugin_entry_code();
    size_t i;

    fprintf(out, "DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\n"
            "Module Table: version 2, count 1\nColumns: id, base, end, entry, path\n");
    fprintf(out, "0, 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", %s\n",
            start_code, end_code, entry, path);
    fprintf(out, "BB Table: %zu bbs\n", n_blocks);
    for (i = 0; i < n_blocks; i++) {
        uint32_t start = (uint32_t)blocks[i].start;
        uint16_t size = blocks[i].size, module = 0;
        fwrite(&start, 4, 1, out);
        fwrite(&size, 2, 1, out);
        fwrite(&module, 2, 1, out);
    }
    fclose(out);
    free((void *)path);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    const char *name = "modinfo.drcov";
    int i;

    for (i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "filename=", 9)) {
            name = argv[i] + 9;
        }
    }
    out = fopen(name, "wb");
    if (!out) {
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
    qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
    return 0;
}
"""

STRICT = ["-Wall", "-Werror", "-Werror=implicit-function-declaration", "-fPIC", "-shared"]


def build(tmp: Path, *defines: str) -> subprocess.CompletedProcess[str]:
    (tmp / "modinfo.c").write_text(MODINFO)
    return subprocess.run(["gcc", *STRICT, *defines, f"-I{PLUGIN_INCLUDE_DIR}", "-o",
                           str(tmp / "libmodinfo.so"), str(tmp / "modinfo.c")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LC_ALL": "C"})


@pytest.fixture(scope="module")
def modinfo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("modinfo")
    done = build(out)
    assert done.returncode == 0, done.stderr
    return out / "libmodinfo.so"


def exported_int(library: Path, name: str) -> int:
    with open(library, "rb") as handle:
        elf = ELFFile(handle)
        (symbol,) = elf.get_section_by_name(".dynsym").get_symbol_by_name(name)
        data = elf.get_section(symbol["st_shndx"])
        offset = symbol["st_value"] - data["sh_addr"] + data["sh_offset"]
        handle.seek(offset)
        return int.from_bytes(handle.read(4), "little", signed=True)


def test_a_72_plugin_builds_with_no_defines_as_version_1(modinfo: Path) -> None:
    assert exported_int(modinfo, "qemu_plugin_version") == 1


def test_the_52_level_is_still_selectable(tmp_path: Path) -> None:
    done = build(tmp_path, "-DQEMU_PLUGIN_API_LEVEL=502")
    assert done.returncode != 0
    for name in ("path_to_binary", "start_code", "end_code", "entry_code"):
        assert f"implicit declaration of function 'qemu_plugin_{name}'" in done.stderr


def read_file(path: Path) -> tuple[list[bytes], set[tuple[int, int]]]:
    """The header lines without the block count, and the blocks in the module's range."""
    head, table = path.read_bytes().split(b"\nBB Table: ", 1)
    lines = head.split(b"\n")
    _, start, end, _ = lines[4].split(b", ", 3)
    low, high = int(start, 16), int(end, 16)
    count, records = table.split(b" bbs\n", 1)
    assert len(records) == 8 * int(count)
    blocks = {(start, size) for start, size, _ in struct.iter_unpack("<IHH", records)}
    # glibc's start-up picks its routines by CPUID, so only the program's own blocks
    # are the same on both emulators for a dynamic guest; starts are cut to 32 bits
    return lines, {(start, size) for start, size in blocks
                   if (start - low) % (1 << 32) < high - low}


@pytest.mark.parametrize("flavor", ["musl-static", "gcc-pie"])
def test_a_72_plugin_writes_what_it_writes_under_qemu(guest_builder, modinfo: Path,
                                                      tmp_path: Path, flavor: str) -> None:
    program = str(guest_builder.build("hello", flavor))
    files = {}
    for name, runner in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        files[name] = tmp_path / f"{name}.drcov"
        result = runner([program], plugins=[plugin_spec(modinfo, f"filename={files[name]}")])
        assert (result.returncode, result.stdout) == (0, "hello, world\n"), result.stderr
    (q_head, q_blocks), (p_head, p_blocks) = (read_file(files[n]) for n in ("qemu", "pyqemu"))
    assert p_head == q_head
    assert q_head[4].endswith(b", " + program.encode())
    assert not q_head[4].startswith(b"0, 0x0, ")   # the code range is there
    assert p_blocks == q_blocks != set()
