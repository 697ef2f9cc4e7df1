# SPDX-License-Identifier: GPL-2.0-or-later
"""The strict drcov reader (drcov_format.py) accepts the plugin's layout and nothing looser.

Like pyelftools' test_corrupt_files.py: one valid file built by hand, then one mutation per
rule the reader enforces, each of which must be refused. No emulator is needed.
"""

from __future__ import annotations

import struct

import pytest
from drcov_format import DrcovBlock, DrcovFormatError, parse_drcov

MODULE_LINES = (
    b"0, 0x400000, 0x406000, 0x40102b, /tmp/guest\n"
    b"1, 0x4000801000, 0x4000836000, 0x0, /usr/lib/x86_64-linux-gnu/libc.so.6\n"
)
BLOCKS = ((0x102B, 5, 0), (0x5FF0, 0x10, 0), (0x0, 1, 1))


def drcov_bytes(
    *,
    version: bytes = b"DRCOV VERSION: 2\n",
    flavor: bytes = b"DRCOV FLAVOR: drcov-64\n",
    table: bytes = b"Module Table: version 2, count 2\n",
    columns: bytes = b"Columns: id, base, end, entry, path\n",
    modules: bytes = MODULE_LINES,
    blocks: tuple[tuple[int, int, int], ...] = BLOCKS,
    bb_count: int | None = None,
    trailer: bytes = b"",
) -> bytes:
    count = len(blocks) if bb_count is None else bb_count
    records = b"".join(struct.pack("<IHH", *block) for block in blocks)
    return (
        version
        + flavor
        + table
        + columns
        + modules
        + f"BB Table: {count} bbs\n".encode()
        + records
        + trailer
    )


def test_valid_file_parses_to_its_modules_and_blocks() -> None:
    cov = parse_drcov(drcov_bytes())
    assert [(m.id, m.base, m.end, m.entry, m.basename) for m in cov.modules] == [
        (0, 0x400000, 0x406000, 0x40102B, "guest"),
        (1, 0x4000801000, 0x4000836000, 0, "libc.so.6"),
    ]
    assert cov.blocks == tuple(DrcovBlock(*block) for block in BLOCKS)
    assert cov.blocks_in(cov.module_named("libc.so.6")) == {(0, 1)}
    assert ("/tmp/guest", 0x5FF0, 0x10) in cov.coverage_by_path()


def test_empty_tables_parse() -> None:
    cov = parse_drcov(
        drcov_bytes(table=b"Module Table: version 2, count 0\n", modules=b"", blocks=())
    )
    assert cov.modules == () and cov.blocks == ()


def test_absolute_layout_skips_the_inside_module_check() -> None:
    outside = drcov_bytes(blocks=((0x40102B, 5, 0),))
    with pytest.raises(DrcovFormatError, match="overruns module 0"):
        parse_drcov(outside)
    assert parse_drcov(outside, module_relative=False).blocks[0].start == 0x40102B


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ({"version": b"DRCOV VERSION: 3\n"}, "version line"),
        ({"flavor": b"DRCOV FLAVOR: drcov\n"}, "flavor line"),
        ({"table": b"Module Table: 2\n"}, "module table line"),
        ({"table": b"Module Table: version 2, count 3\n"}, "bad module line"),
        ({"columns": b"Columns: id, base, end, entry, checksum, timestamp, path\n"}, "columns"),
        ({"modules": MODULE_LINES.replace(b"0x400000,", b"400000,")}, "bad module line"),
        ({"modules": MODULE_LINES.replace(b"0x400000,", b"0x0400000,")}, "bad module line"),
        ({"modules": MODULE_LINES.replace(b"0x406000", b"0x40600A")}, "bad module line"),
        ({"modules": MODULE_LINES.replace(b"/tmp/guest", b"guest")}, "bad module line"),
        ({"modules": MODULE_LINES.replace(b"/tmp/guest", b"/tmp/a, b")}, "5 fields"),
        ({"modules": MODULE_LINES.replace(b"1, 0x4000801000", b"2, 0x4000801000")}, "id 2"),
        ({"modules": MODULE_LINES.replace(b"0x406000", b"0x400000")}, "empty"),
        ({"modules": MODULE_LINES.replace(b"0x40102b", b"0x406000")}, "entry"),
        ({"bb_count": 4}, "bytes of BB table"),
        ({"trailer": b"\n"}, "bytes of BB table"),
        ({"blocks": ((0x102B, 0, 0),)}, "size 0"),
        ({"blocks": ((0x102B, 5, 2),)}, "names module 2"),
        ({"blocks": ((0x5FF8, 0x10, 0),)}, "overruns module 0"),
    ],
)
def test_each_deviation_is_refused(mutation: dict[str, object], message: str) -> None:
    with pytest.raises(DrcovFormatError, match=message):
        parse_drcov(drcov_bytes(**mutation))  # type: ignore[arg-type]


def test_truncated_header_is_refused() -> None:
    data = drcov_bytes()
    with pytest.raises(DrcovFormatError, match="missing"):
        parse_drcov(data[: data.index(b"BB Table")])
