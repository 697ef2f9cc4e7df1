# SPDX-License-Identifier: GPL-2.0-or-later
"""README.md's syscall table is the one scripts/gen_syscall_table.py writes from the rows.

The table is never edited by hand: a row added to pyqemu/linux_user/syscall/ without
running the script fails here.  What the table says of qemu 7.2 is checked by
test_syscall_probe.py.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "gen_syscall_table.py"


def load_script():
    spec = importlib.util.spec_from_file_location("gen_syscall_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_is_what_the_rows_say() -> None:
    gen = load_script()
    readme = (REPO / "README.md").read_text()
    start, end = readme.index(gen.BEGIN), readme.index(gen.END) + len(gen.END)
    assert readme[start:end] == gen.render(), "run scripts/gen_syscall_table.py"


def test_every_number_of_every_guest_has_a_line() -> None:
    gen = load_script()
    section = gen.render()
    for arch in gen.ARCHES:
        rows = gen.arch_rows(arch)
        assert len(rows) > 300
        for name in rows:
            assert f"| `{name}` |" in section
    assert "| `close_range` | 436 | 436 | 436 | host |" in section
    assert "| `clone3` | 435 | 435 | 435 | ENOSYS, logged by `-d unimp`" in section


def test_check_mode_sees_a_stale_table(tmp_path: Path) -> None:
    gen = load_script()
    readme = (REPO / "README.md").read_text()
    stale = tmp_path / "README.md"
    stale.write_text(gen.replace_section(readme, gen.BEGIN + "\n| `read` | 0 | 63 | 63 | gone |\n"
                                         + gen.END))
    for path, status in ((REPO / "README.md", 0), (stale, 1)):
        done = subprocess.run([sys.executable, str(SCRIPT), "--check", "--readme", str(path)],
                              capture_output=True, text=True, cwd=REPO)
        assert done.returncode == status, done.stderr
