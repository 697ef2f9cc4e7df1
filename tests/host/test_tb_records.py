# SPDX-License-Identifier: GPL-2.0-or-later
"""The host's records of translated blocks do not pile up (issue 21).

A W^X JIT (jit_cycles.c) rewrites one function 20,000 times, each round
an mprotect to read-execute and back; each round's block, translated under
a tb_trans plugin, gets a record that the next mprotect drops.  Those
records used to be freed only at a flush (never, in this program): about
0.5 kB a round.  Now tb-maint.c frees a dropped record as soon as every
vCPU's engine has dropped its code and no vCPU points into it.

The guest reads the emulator's VmRSS itself (/proc/self/status passes
through) after 2,000 rounds and at the end.  The engine's code buffer grows
by itself as it translates (about 6 MB here, with or without plugins), so
what is compared is the growth under the bb plugin against the growth
without any plugin: with the old host the difference was about 9 MB.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu

ROUNDS, CHECKPOINT = 20000, 2000
SLACK_KB = 3000


@pytest.fixture(scope="module")
def jit_cycles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jit_cycles") / "jit_cycles"
    return compile_guest(Path(__file__).with_name("jit_cycles.c"), out, "musl-static")


def rss_growth_kb(stdout: str) -> int:
    """VmRSS at the end minus VmRSS at the checkpoint, from the guest's two lines."""
    values = [int(v) for v in re.findall(r"^rss (\d+)$", stdout, re.M)]
    assert len(values) == 2, stdout
    return values[1] - values[0]


def test_dropped_records_are_freed(jit_cycles: Path, plugin_lib) -> None:
    argv = [jit_cycles, str(ROUNDS), str(CHECKPOINT)]
    native = run_native(argv)
    bare = run_pyqemu(argv)
    counted = run_pyqemu(argv, plugins=[str(plugin_lib("bb"))], extra=["-d", "plugin"])
    assert native.returncode == bare.returncode == counted.returncode == 0, counted.stderr
    expected = f"sum {ROUNDS * (ROUNDS + 1) // 2}\n"
    assert native.stdout.endswith(expected)
    assert bare.stdout.endswith(expected) and counted.stdout.endswith(expected)
    # bb's atexit line: each round's call ran a block (its records were live, not stale)
    blocks = re.search(r"bb's: (\d+)", counted.stderr)
    assert blocks and int(blocks.group(1)) > ROUNDS, counted.stderr
    extra = rss_growth_kb(counted.stdout) - rss_growth_kb(bare.stdout)
    assert extra < SLACK_KB, f"records of dropped blocks kept: {extra} kB more than without plugins"
