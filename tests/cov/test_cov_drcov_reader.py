# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov's drcov reader: our files and DynamoRIO's v2 and v3 layouts, built from the spec.

The files here are written by hand from the format (DynamoRIO's drcovlib: header lines, a
module table whose Columns line names its fields, then `BB Table: N bbs` and N packed
{uint32 start; uint16 size; uint16 mod_id} records, or the -dump_text form), so each test
says what a real writer emits and what offset each block must end up at.
"""

from __future__ import annotations

import random
import struct

import pytest

from pyqemu.cov.drcov import Coverage, DrcovError, Module, parse, serialize


def bbs(*records: tuple[int, int, int]) -> bytes:
    """Packed BB table records from (start, size, mod_id) triples."""
    return b"".join(struct.pack("<IHH", *r) for r in records)


OURS = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 2\n"
        b"Columns: id, base, end, entry, path\n"
        b"0, 0x400000, 0x401000, 0x400100, /bin/prog\n"
        b"1, 0x7f0000000000, 0x7f0000100000, 0x0, /lib/libc.so.6\n"
        b"BB Table: 3 bbs\n" + bbs((0x100, 5, 0), (0x140, 7, 0), (0x2000, 9, 1)))

# DynamoRIO 2.x on Linux: version 2 table with no Columns line.
DYNAMORIO_V2_NO_COLUMNS = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov\n"
                           b"Module Table: version 2, count 1\n"
                           b"0, 0x400000, 0x402000, 0x400100, /bin/prog\n"
                           b"BB Table: 1 bbs\n" + bbs((0x1100, 4, 0)))

# DRCOV VERSION 3, module table version 4 (Linux): the program is split into two segment
# entries (containing_id 0); the second segment's blocks count from its own start.
DYNAMORIO_V3_TABLE4 = (
    b"DRCOV VERSION: 3\nDRCOV FLAVOR: drcov-64\nModule Table: version 4, count 3\n"
    b"Columns: id, containing_id, start, end, entry, offset, path\n"
    b"  0,   0, 0x0000555555554000, 0x0000555555555000, 0x0000555555555040, "
    b"0x0000000000000000, /bin/prog\n"
    b"  1,   0, 0x0000555555555000, 0x0000555555557000, 0x0000555555555040, "
    b"0x0000000000001000, /bin/prog\n"
    b"  2,   2, 0x00007ffff7dd3000, 0x00007ffff7dfc000, 0x00007ffff7dd4090, "
    b"0x0000000000000000, /lib/x86_64-linux-gnu/ld, odd.so\n"
    b"BB Table: 3 bbs\n" + bbs((0x40, 5, 1), (0x10, 3, 0), (0x90, 7, 2)))

# Module table version 3 (containing_id, no offset) and version 5 on Windows
# (preferred_base, checksum, timestamp before the path).
DYNAMORIO_V3_TABLE3 = (
    b"DRCOV VERSION: 3\nDRCOV FLAVOR: drcov\nModule Table: version 3, count 1\n"
    b"Columns: id, containing_id, start, end, entry, path\n"
    b"  0,   0, 0x0000000000400000, 0x0000000000401000, 0x0000000000400100, /bin/prog\n"
    b"BB Table: 1 bbs\n" + bbs((0x20, 2, 0)))
DYNAMORIO_V3_TABLE5_WINDOWS = (
    b"DRCOV VERSION: 3\nDRCOV FLAVOR: drcov\nModule Table: version 5, count 1\n"
    b"Columns: id, containing_id, start, end, entry, offset, preferred_base, checksum, "
    b"timestamp, path\n"
    b"  0,   0, 0x00007ff6d8a20000, 0x00007ff6d8a45000, 0x00007ff6d8a21400, 0x00000000, "
    b"0x0000000140000000, 0x0002f6a1, 0x5e2b7c4d, C:\\Windows\\System32\\notepad.exe\n"
    b"BB Table: 2 bbs\n" + bbs((0x1400, 12, 0), (0x1410, 3, 0)))

# drcov -dump_text: the BB table as text lines.
DYNAMORIO_TEXT_TABLE = (
    b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov\nModule Table: version 2, count 1\n"
    b"Columns: id, base, end, entry, path\n"
    b"  0, 0x0000000000400000, 0x0000000000401000, 0x0000000000400100, /bin/prog\n"
    b"BB Table: 2 bbs\nmodule id, start, size:\n"
    b"module[  0]: 0x0000000000000100,   5\nmodule[  0]: 0x0000000000000200,  12\n")


def test_reads_our_layout() -> None:
    cov = parse(OURS)
    assert set(cov.modules) == {"/bin/prog", "/lib/libc.so.6"}
    assert cov.blocks["/bin/prog"] == {(0x100, 5), (0x140, 7)}
    assert cov.blocks["/lib/libc.so.6"] == {(0x2000, 9)}
    assert cov.modules["/bin/prog"] == Module("/bin/prog", 0x400000, 0x401000, 0x400100)


def test_version_2_table_without_columns_line_uses_dynamorio_linux_columns() -> None:
    cov = parse(DYNAMORIO_V2_NO_COLUMNS)
    assert cov.modules["/bin/prog"].end == 0x402000
    assert cov.blocks["/bin/prog"] == {(0x1100, 4)}


def test_v3_segments_are_rebased_to_the_start_of_their_module() -> None:
    cov = parse(DYNAMORIO_V3_TABLE4)
    assert set(cov.modules) == {"/bin/prog", "/lib/x86_64-linux-gnu/ld, odd.so"}
    prog = cov.modules["/bin/prog"]
    assert (prog.base, prog.end) == (0x555555554000, 0x555555557000)
    # 0x40 in the segment at +0x1000 is 0x1040 in the module.
    assert cov.blocks["/bin/prog"] == {(0x1040, 5), (0x10, 3)}
    assert cov.blocks["/lib/x86_64-linux-gnu/ld, odd.so"] == {(0x90, 7)}


@pytest.mark.parametrize("data, path, blocks", [
    (DYNAMORIO_V3_TABLE3, "/bin/prog", {(0x20, 2)}),
    (DYNAMORIO_V3_TABLE5_WINDOWS, "C:\\Windows\\System32\\notepad.exe",
     {(0x1400, 12), (0x1410, 3)}),
    (DYNAMORIO_TEXT_TABLE, "/bin/prog", {(0x100, 5), (0x200, 12)}),
], ids=["table-version-3", "table-version-5-windows", "text-bb-table"])
def test_dynamorio_variants(data: bytes, path: str, blocks: set[tuple[int, int]]) -> None:
    cov = parse(data)
    assert list(cov.modules) == [path]
    assert cov.blocks[path] == blocks


@pytest.mark.parametrize("data", [OURS, DYNAMORIO_V3_TABLE4, DYNAMORIO_TEXT_TABLE],
                         ids=["ours", "v3", "text"])
def test_crlf_header_lines_read_the_same(data: bytes) -> None:
    header_end = data.index(b"BB Table:")
    header_end = data.index(b"\n", header_end) + 1
    body = data[header_end:]
    if body.startswith(b"module id"):
        body = body.replace(b"\n", b"\r\n")
    crlf = data[:header_end].replace(b"\n", b"\r\n") + body
    assert parse(crlf) == parse(data)


def test_serialized_coverage_reads_back_the_same() -> None:
    cov = parse(DYNAMORIO_V3_TABLE4)
    again = parse(serialize(cov))
    assert again.blocks == cov.blocks
    assert {p: (m.base, m.end) for p, m in again.modules.items()} == \
        {p: (m.base, m.end) for p, m in cov.modules.items()}


def test_merge_matches_modules_by_path_across_load_addresses() -> None:
    first = parse(OURS)
    moved = OURS.replace(b"0x7f0000000000, 0x7f0000100000", b"0x7f1234000000, 0x7f1234100000")
    second = parse(moved.replace(bbs((0x2000, 9, 1)), bbs((0x3000, 4, 1))))
    merged = Coverage()
    merged.merge(first)
    merged.merge(second)
    assert merged.blocks["/lib/libc.so.6"] == {(0x2000, 9), (0x3000, 4)}
    assert merged.blocks["/bin/prog"] == {(0x100, 5), (0x140, 7)}
    assert merged.n_blocks == 4


@pytest.mark.parametrize("damaged, message", [
    (OURS[:-4], "BB table is cut short: 2 of 3 blocks"),
    (b"hello\n", "not a drcov file"),
    (b"", "not a drcov file"),
    (OURS.replace(b"count 2", b"count 3"), "the module table says 3 modules but holds 2"),
    (OURS.replace(b"VERSION: 2", b"VERSION: 9"), "unsupported drcov version '9'"),
    (OURS.replace(b"0x400000, 0x401000", b"0x40zz00, 0x401000"), "bad module line"),
    (OURS.replace(bbs((0x2000, 9, 1)), bbs((0x2000, 9, 7))),
     "block 3 names module 7, which the table lacks"),
    (OURS.replace(b"Columns: id, base, end, entry, path", b"Columns: id, base, entry, path"),
     "the Columns line lacks end"),
    (OURS[:OURS.index(b"BB Table")], "file ends before 'BB Table:'"),
    (DYNAMORIO_TEXT_TABLE.replace(b"module[  0]: 0x0000000000000200,  12", b"module[0]: zz"),
     "bad block line"),
], ids=["cut-bb-table", "not-drcov", "empty", "count-too-big", "version", "bad-number",
        "unknown-module", "no-end-column", "no-bb-table", "bad-text-block"])
def test_damaged_files_are_errors(damaged: bytes, message: str) -> None:
    with pytest.raises(DrcovError, match=message.replace("(", r"\(")):
        parse(damaged)


@pytest.mark.parametrize("data", [DYNAMORIO_V3_TABLE4, DYNAMORIO_V3_TABLE5_WINDOWS,
                                  DYNAMORIO_TEXT_TABLE], ids=["v3", "windows", "text"])
def test_damaged_dynamorio_layouts_raise_only_drcov_errors(data: bytes) -> None:
    rng = random.Random(data[:80])
    tokens = (b",", b":", b"\n", b"\r", b" ", b"0x", b"module[", b"]", b"Columns: ",
              b"containing_id", b"\xff")
    refused = 0
    for _ in range(3000):
        damaged = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(damaged) or 1)
            kind = rng.randrange(3)
            if kind == 0 and damaged:
                damaged[at] = rng.randrange(256)
            elif kind == 1:
                damaged[at:at] = rng.choice(tokens)
            else:
                del damaged[at:at + rng.randrange(1, 8)]
        try:
            parse(bytes(damaged))
        except DrcovError:
            refused += 1
    assert refused > 300   # the mutations do damage the files
