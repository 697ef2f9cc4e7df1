#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Print the Python files of one package folder, for its meson.build.

meson-python installs only what ``py.install_sources`` lists; the folders'
meson.build files keep explicit lists (as scipy does), and
tests/build/test_install_lists.py checks them against the tree.
"""

from __future__ import annotations

import sys
from pathlib import Path


def python_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.py"))


if __name__ == "__main__":
    for name in python_files(Path(sys.argv[1])):
        print(f"  '{name}',")
