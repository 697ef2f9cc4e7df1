#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Print where the engine (unicorn) and disassembler (capstone) wheels keep
their headers and shared libraries, for meson.build.

Output: one line per item, ``<package>_inc <dir>`` / ``<package>_lib <file>``.
Both wheels ship headers under ``<pkg>/include`` and the library under
``<pkg>/lib``; the C host compiles against the first and links the second.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

LIBRARIES = {"unicorn": "libunicorn.so.2", "capstone": "libcapstone.so"}


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"find_engine: python package '{name}' is not installed")
    return Path(spec.origin).parent


def main() -> int:
    for name, libname in LIBRARIES.items():
        root = package_dir(name)
        lib = root / "lib" / libname
        inc = root / "include"
        if not lib.exists() or not inc.is_dir():
            raise SystemExit(f"find_engine: {name} wheel lacks {lib} or {inc}")
        print(f"{name}_inc {inc}")
        print(f"{name}_lib {lib}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
