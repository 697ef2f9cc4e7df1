# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu on the patched engine: choosing it, and real guests running on it.

PYQEMU_ENGINE picks the engine pyqemu preloads (pyqemu/host/__init__.py); guests
that generate and rewrite code (tests/guests/jit.c) and the engine benchmarks
(at small sizes) must print what they print natively.  Last, a coarse check that
stores really stay on the fast path: a store loop at least 3x faster than on the
stock engine (measured: ~10x).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from harness import compile_guest, guest_env, run_native, run_pyqemu

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = {
    REPO / "benchmarks" / "engine" / "storeload.c": "200000",
    REPO / "benchmarks" / "engine" / "callret.c": "200000",
    REPO / "benchmarks" / "engine" / "tablelookup.c": "200000",
    REPO / "benchmarks" / "cpubound.c": "3",
}


def engine_pyqemu_loads(choice: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYQEMU_ENGINE=choice)
    env.pop("LIBUNICORN_PATH", None)
    return subprocess.run(
        [sys.executable, "-c",
         "import pyqemu.host as h; print(h.engine_library); print(*h.engine_patches)"],
        env=env, capture_output=True, text=True, cwd=tempfile.gettempdir(),
    )


def test_engine_variable_picks_the_library(our_engine, stock_engine):
    stock = engine_pyqemu_loads("stock")
    assert stock.returncode == 0, stock.stderr
    library, patches = stock.stdout.split("\n")[:2]
    assert Path(library).resolve() == stock_engine
    assert patches == ""
    ours = engine_pyqemu_loads(str(our_engine))
    assert ours.returncode == 0, ours.stderr
    library, patches = ours.stdout.split("\n")[:2]
    assert Path(library).resolve() == our_engine
    if (our_engine.parent / "engine-build.json").is_file():
        assert "0003-inline-exit-request-check.patch" in patches.split()
    ours_by_dir = engine_pyqemu_loads(str(our_engine.parent))
    assert Path(ours_by_dir.stdout.split("\n")[0]).resolve() == our_engine


def test_engine_variable_naming_nothing_fails_clearly(tmp_path):
    missing = engine_pyqemu_loads(str(tmp_path / "nowhere"))
    assert missing.returncode != 0
    assert "PYQEMU_ENGINE=" in missing.stderr and "libunicorn.so.2" in missing.stderr


# gcc-static: glibc's buffered stdout leaves no syscall between rewriting the RWX
# page and calling it, and its mappings once gave that page a RAM offset inside
# another region's (patch 0004)
@pytest.mark.parametrize("flavor", ["musl-static", "gcc-static", "gcc-pie"])
def test_jit_guest_runs_as_natively(flavor, our_engine, guest_builder):
    guest = guest_builder.build("jit", flavor)
    native = run_native([guest])
    emulated = run_pyqemu([guest], env=guest_env(PYQEMU_ENGINE=str(our_engine)))
    assert (emulated.returncode, emulated.stdout) == (native.returncode, native.stdout)
    assert "rwx mul(6, 9) = 54" in emulated.stdout


@pytest.mark.parametrize("source", sorted(BENCHMARKS), ids=lambda path: path.stem)
def test_benchmark_guest_runs_as_natively(source, our_engine, tmp_path):
    guest = compile_guest(source, tmp_path / source.stem, "musl-static")
    argv = [guest, BENCHMARKS[source]]
    native = run_native(argv)
    emulated = run_pyqemu(argv, env=guest_env(PYQEMU_ENGINE=str(our_engine)))
    assert native.returncode == 0
    assert (emulated.returncode, emulated.stdout) == (native.returncode, native.stdout)


def test_stores_stay_on_the_fast_path(run_scenario, our_engine, stock_engine):
    ours = run_scenario("store_loop_speed", our_engine)["seconds_per_iteration"]
    stock = run_scenario("store_loop_speed", stock_engine)["seconds_per_iteration"]
    assert ours * 3 < stock, f"ours {ours * 1e9:.1f} ns vs stock {stock * 1e9:.1f} ns per store"
