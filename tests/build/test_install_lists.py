# SPDX-License-Identifier: GPL-2.0-or-later
"""Every Python module of the package is listed in its folder's meson.build.

meson-python installs only the listed files, so a module left out would be
missing from the wheel while the source tree still works.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIRS = sorted(p.parent for p in (REPO / "pyqemu").rglob("__init__.py"))


@pytest.mark.parametrize("folder", PACKAGE_DIRS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_module_is_installed(folder: Path) -> None:
    build_file = folder / "meson.build"
    assert build_file.exists(), f"{folder} has no meson.build"
    listed = set(re.findall(r"'([\w.]+\.py)'", build_file.read_text()))
    present = {p.name for p in folder.glob("*.py")} - {"_host_build.py"}
    assert present - listed == set(), f"not installed: {sorted(present - listed)}"
    subdirs = {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
    referenced = set(re.findall(r"subdir\('([\w]+)'\)", build_file.read_text()))
    assert subdirs - referenced == set(), f"subpackages not built: {sorted(subdirs - referenced)}"
