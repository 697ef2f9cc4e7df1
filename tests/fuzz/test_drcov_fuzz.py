# SPDX-License-Identifier: GPL-2.0-or-later
"""Damaged drcov files through pyqemu/cov/drcov.py's parse: only DrcovError may come out
(pyqemu-cov prints those as one line; anything else is a traceback for the user).

Seeded mutations of a valid file: bytes replaced, the file cut, tokens the reader looks
for inserted, stretches deleted.  The reader's known leaks are listed in KNOWN_LEAKS, each
with a minimal file in a regression test that fails once the leak is fixed.
"""

from __future__ import annotations

import random
import re
import struct

import pytest

from pyqemu.cov.drcov import BB_RECORD, DrcovError, parse

RUNS = 30_000
VALID = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 2\n"
         b"Columns: id, base, end, entry, path\n"
         b"0, 0x400000, 0x401000, 0x400100, /bin/a\n"
         b"1, 0x500000, 0x501000, 0x0, /lib/b\n"
         b"BB Table: 3 bbs\n"
         + BB_RECORD.pack(16, 4, 0) + BB_RECORD.pack(32, 8, 1) + BB_RECORD.pack(0, 2, 0))
TOKENS = (b",", b":", b"\n", b" ", b"0x", b"count", b"-1", b"99999999999", b"Columns: ",
          b"BB Table:", b"Module Table:", b"\xff", b"\0")


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        if not out:
            out = bytearray(b"D")
        kind = rng.randrange(4)
        at = rng.randrange(len(out))
        if kind == 0:
            out[at] = rng.randrange(256)
        elif kind == 1:
            del out[at:]
        elif kind == 2:
            out[at:at] = rng.choice(TOKENS)
        else:
            del out[at:at + rng.randrange(1, 10)]
    return bytes(out)


# reader bugs the fuzzer found (pyqemu/cov/drcov.py): exception type, message pattern,
# and the smallest file that shows it
KNOWN_LEAKS: dict[str, tuple[type[Exception], str, bytes]] = {
    "count not a number": (ValueError, r"invalid literal for int\(\)",
                           b"DRCOV VERSION: 2\nModule Table: version 2, count x\n"),
    "field not a number": (ValueError, r"invalid literal for int\(\)",
                           b"DRCOV VERSION: 2\nModule Table: version 2, count 1\n"
                           b"Columns: id, base, end, entry, path\n0, 0x4g, 0x5, 0x0, /a\n"),
    "no id column": (KeyError, r"'id'",
                     b"DRCOV VERSION: 2\nModule Table: version 2, count 1\n"
                     b"Columns: base, end, entry, path\n0x4, 0x5, 0x0, /a\n"),
    "no block count": (IndexError, r"list index out of range",
                       b"DRCOV VERSION: 2\nModule Table: version 2, count 0\nBB Table:\n"),
    "block count not a number": (ValueError, r"invalid literal for int\(\)",
                                 b"DRCOV VERSION: 2\nModule Table: version 2, count 0\n"
                                 b"BB Table: x bbs\n"),
}


def _known(exc: Exception) -> str | None:
    for name, (kind, pattern, _example) in KNOWN_LEAKS.items():
        if type(exc) is kind and re.search(pattern, str(exc)):
            return name
    return None


def test_the_valid_file_parses() -> None:
    coverage = parse(VALID)
    assert coverage.blocks == {"/bin/a": {(16, 4), (0, 2)}, "/lib/b": {(32, 8)}}


def test_damaged_files_raise_only_drcov_errors() -> None:
    rng = random.Random("drcov")
    refused = 0
    known: dict[str, int] = {}
    for number in range(RUNS):
        data = mutate(rng, VALID)
        try:
            parse(data)
        except DrcovError:
            refused += 1
        except Exception as exc:  # noqa: BLE001 - the failure under test
            name = _known(exc)
            if name is None:
                pytest.fail(f"run {number}: {data!r} raised {type(exc).__name__}: {exc}")
            known[name] = known.get(name, 0) + 1
    print(f"{refused} of {RUNS} damaged files refused; known leaks hit: {known}")
    assert refused > RUNS // 10  # the mutations do damage the file


@pytest.mark.parametrize("name", list(KNOWN_LEAKS))
def test_known_leak_is_a_drcov_error(name: str) -> None:
    _kind, _pattern, example = KNOWN_LEAKS[name]
    with pytest.raises(DrcovError):
        parse(example)


def test_record_layout_is_drcovs() -> None:
    assert BB_RECORD.size == 8 and BB_RECORD.format == struct.Struct("<IHH").format
