"""Smoke test of benchmarks/run.py: its machinery, on a tiny workload, one repetition.

Mirrors no QEMU test; it checks the runner the benchmark README tells users to run: guests
compiled into its cache, native / qemu-x86_64 / pyqemu runs measured, a Markdown table and the
JSON samples written, and a broken emulator reported as FAIL rather than timed. It asserts
nothing about speed. The plugin is compiled here into a directory laid out like the meson
build dir, so no prior build is needed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import pyqemu_available, pyqemu_command

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = REPO_ROOT / "benchmarks" / "run.py"
WORKLOAD = "startup-musl"
CONFIGS = ("none", "insn")
RUNNER_TIMEOUT = 120


@pytest.fixture(scope="module")
def tools() -> None:
    for tool, package in (("gcc", "gcc"), ("musl-gcc", "musl-tools"),
                          ("qemu-x86_64", "qemu-user")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (apt-get install {package})")
    if not pyqemu_available():
        pytest.skip("pyqemu-x86_64 does not start (`-version` fails)")


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory, tools: None) -> Path:
    """A stand-in build dir holding tests/plugin/libinsn.so, compiled as meson would."""
    root = tmp_path_factory.mktemp("build")
    library = root / "tests" / "plugin" / "libinsn.so"
    library.parent.mkdir(parents=True)
    subprocess.run(
        ["gcc", "-Wall", "-Werror", "-fPIC", "-shared", f"-I{REPO_ROOT / 'include' / 'qemu'}",
         "-o", str(library), str(REPO_ROOT / "tests" / "plugin" / "insn.c")],
        check=True, capture_output=True, timeout=120,
    )
    return root


def run_runner(tmp: Path, build_dir: Path, pyqemu: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), "--quick", "--only", WORKLOAD, "--configs",
         ",".join(CONFIGS), "--out", str(tmp / "out"), "--cache-dir", str(tmp / "cache"),
         "--build-dir", str(build_dir), "--pyqemu", pyqemu],
        capture_output=True, text=True, timeout=RUNNER_TIMEOUT, check=False,
    )


def table_rows(markdown: str) -> tuple[list[str], list[list[str]]]:
    """Return (header cells, body rows) of the first Markdown table in the text."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(lines) >= 3, f"no table in:\n{markdown}"
    split = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return split[0], split[2:]


def test_runner_writes_table_with_positive_ratios(tmp_path: Path, build_dir: Path) -> None:
    completed = run_runner(tmp_path, build_dir, shlex.join(pyqemu_command()))
    assert completed.returncode == 0, completed.stderr

    markdown = (tmp_path / "out" / "latest.md").read_text()
    assert completed.stdout.strip() == markdown.strip()
    for fact in ("- date:", "- machine:", "- qemu: qemu-x86_64 version", "- pyqemu: commit"):
        assert fact in markdown
    header, rows = table_rows(markdown)
    assert header[:6] == ["workload", "config", "native s", "qemu s", "pyqemu s", "pyqemu/qemu"]
    assert "qemu MiB" in header and "pyqemu MiB" in header
    assert [row[:2] for row in rows] == [[WORKLOAD, config] for config in CONFIGS]
    for row in rows:
        assert len(row) == len(header)
        for column in ("qemu s", "pyqemu s", "pyqemu/qemu", "pyqemu/qemu CPU", "qemu MiB",
                       "pyqemu MiB"):
            assert re.fullmatch(r"\d+(\.\d+)?", row[header.index(column)]), (column, row)
            assert float(row[header.index(column)]) > 0, (column, row)
    assert re.fullmatch(r"\d+\.\d+", rows[0][header.index("native s")])

    report = json.loads((tmp_path / "out" / "latest.json").read_text())
    cells = {(c["config"], c["runner"]): c for c in report["cells"]}
    assert set(cells) == {("none", "native"), ("none", "qemu"), ("none", "pyqemu"),
                          ("insn", "qemu"), ("insn", "pyqemu")}
    for cell in cells.values():
        assert cell["failure"] == ""
        assert len(cell["samples"]) == 1
        assert cell["samples"][0]["seconds"] > 0
    # The plugin really ran in both emulators: its count reached the -D log.
    for runner in ("qemu", "pyqemu"):
        assert re.fullmatch(r"insns: [1-9]\d*", cells[("insn", runner)]["plugin_output"])

    if importlib.util.find_spec("matplotlib") is not None:
        for plot in ("ratios.png", "times.png"):
            assert (tmp_path / "out" / plot).read_bytes().startswith(b"\x89PNG")
    else:
        assert "matplotlib is not installed" in markdown


def test_runner_reports_broken_emulator_as_fail(tmp_path: Path, build_dir: Path) -> None:
    # /bin/false stands in for pyqemu: every run exits 1 and must never become a time.
    completed = run_runner(tmp_path, build_dir, shutil.which("false") or "/bin/false")
    assert completed.returncode == 1, completed.stderr

    markdown = (tmp_path / "out" / "latest.md").read_text()
    header, rows = table_rows(markdown)
    for row in rows:
        assert row[header.index("pyqemu s")] == "FAIL"
        assert row[header.index("pyqemu/qemu")] == "—"
        assert float(row[header.index("qemu s")]) > 0
    assert f"- {WORKLOAD}/none/pyqemu: exit status 1" in markdown
