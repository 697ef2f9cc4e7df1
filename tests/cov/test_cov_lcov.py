# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov lcov: covered blocks mapped to source lines and functions through DWARF.

guests/lines.c marks each line it expects in the line table as "hit" or "miss", and each
function's line as "fn-hit" or "fn-miss"; the guest is built with -O0 -g as a static
non-PIE program (module base 0x400000) and as a dynamic PIE (base wherever the emulator
loads it), run with drcov under pyqemu and under real qemu-x86_64, and the tracefile must
say exactly what the marks say.  genhtml (Debian's lcov) must then turn it into a report
that counts the same hit lines and functions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cov_cli_runs import GUESTS_DIR, run_cov
from harness import plugin_spec, run_pyqemu, run_qemu
from prerequisites import missing

LINES_SOURCE = GUESTS_DIR / "lines.c"
MARK = re.compile(r"//\s*(hit|miss)\b(?:\s+fn-(hit|miss))?")
DEBUG_FLAGS = ("-O0", "-g")
EMULATORS = {"pyqemu": run_pyqemu, "qemu": run_qemu}


def source_marks() -> tuple[dict[int, int], dict[int, int]]:
    """(line -> expected hits, function line -> expected hits) from the source's marks."""
    lines, functions = {}, {}
    for number, text in enumerate(LINES_SOURCE.read_text().splitlines(), 1):
        match = MARK.search(text)
        if match:
            lines[number] = 1 if match.group(1) == "hit" else 0
            if match.group(2):
                functions[number] = 1 if match.group(2) == "hit" else 0
    return lines, functions


def read_tracefile(path: Path) -> dict[str, dict[str, dict]]:
    """SF path -> {"DA": {line: hits}, "FN": {name: line}, "FNDA": {name: hits}, ...}."""
    records: dict[str, dict[str, dict]] = {}
    current: dict[str, dict] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        if key == "SF":
            current = records.setdefault(value, {"DA": {}, "FN": {}, "FNDA": {}, "totals": {}})
        elif key == "DA":
            number, hits = value.split(",")
            current["DA"][int(number)] = int(hits)
        elif key == "FN":
            number, name = value.split(",", 1)
            current["FN"][name] = int(number)
        elif key == "FNDA":
            hits, name = value.split(",", 1)
            current["FNDA"][name] = int(hits)
        elif key in ("LF", "LH", "FNF", "FNH"):
            current["totals"][key] = int(value)
    return records


def lines_tracefile(emulator: str, flavor: str, cov_guest: Callable[..., Path],
                    drcov_plugin: Path, tmp_path: Path, fmt: str = "drcov2") -> Path:
    """Runs guests/lines.c (flavor, -O0 -g) under emulator with drcov; its lcov tracefile."""
    guest = cov_guest("lines", flavor, DEBUG_FLAGS)
    coverage = tmp_path / "lines.drcov"
    result = EMULATORS[emulator]([guest], plugins=[plugin_spec(drcov_plugin,
                                                               f"filename={coverage}",
                                                               f"format={fmt}")])
    assert result.returncode == 0, result.describe()
    info = tmp_path / "lines.info"
    done = run_cov("lcov", "-o", info, coverage)
    assert done.returncode == 0, done.stderr
    # a QEMU 7.0 layout file is recognised and said so; ours is read as it is
    assert ("QEMU 7.0's layout" in done.stderr) == (fmt == "qemu7"), done.stderr
    return info


@pytest.mark.parametrize("fmt", ["drcov2", "qemu7"])
@pytest.mark.parametrize("flavor", ["musl-static", "gcc-pie"])
@pytest.mark.parametrize("emulator", list(EMULATORS))
def test_tracefile_says_what_the_source_marks_say(emulator: str, flavor: str, fmt: str,
                                                  cov_guest: Callable[..., Path],
                                                  drcov_plugin: Path, tmp_path: Path) -> None:
    """qemu7: QEMU 7.0's layout (absolute truncated starts, one module), which pyqemu-cov
    places back into the program from its ELF headers: the same lines as drcov2."""
    info = lines_tracefile(emulator, flavor, cov_guest, drcov_plugin, tmp_path, fmt)
    records = read_tracefile(info)
    record = records[str(LINES_SOURCE)]
    expected_lines, expected_functions = source_marks()
    assert record["DA"] == expected_lines
    assert {line: record["FNDA"][name] for name, line in record["FN"].items()} == \
        expected_functions
    assert record["totals"] == {"LF": len(expected_lines), "LH": sum(expected_lines.values()),
                                "FNF": len(expected_functions),
                                "FNH": sum(expected_functions.values())}


def genhtml_counts(index_html: str, item: str) -> tuple[int, int]:
    """(hit, found) from the header table of genhtml's index.html for Lines or Functions."""
    match = re.search(rf'headerItem">{item}:</td>\s*<td class="headerCovTableEntry">(\d+)</td>'
                      rf'\s*<td class="headerCovTableEntry">(\d+)</td>', index_html)
    assert match, f"no {item} row in genhtml's index.html"
    return int(match.group(1)), int(match.group(2))


def test_genhtml_reports_the_hit_lines(cov_guest: Callable[..., Path], drcov_plugin: Path,
                                       tmp_path: Path) -> None:
    genhtml = shutil.which("genhtml")
    if genhtml is None:
        missing("genhtml (apt-get install lcov)")
    info = lines_tracefile("pyqemu", "musl-static", cov_guest, drcov_plugin, tmp_path)
    html = tmp_path / "html"
    done = subprocess.run([genhtml, "--output-directory", str(html), str(info)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    index = (html / "index.html").read_text()
    expected_lines, expected_functions = source_marks()
    assert genhtml_counts(index, "Lines") == (sum(expected_lines.values()), len(expected_lines))
    assert genhtml_counts(index, "Functions") == (sum(expected_functions.values()),
                                                  len(expected_functions))
    source_page = next(html.rglob("lines.c.gcov.html")).read_text()
    # genhtml marks each hit line lineCov and each missed one lineNoCov
    assert source_page.count('class="lineCov"') == sum(expected_lines.values())
    assert source_page.count('class="lineNoCov"') == \
        len(expected_lines) - sum(expected_lines.values())


def test_summary_names_the_functions_that_ran(cov_guest: Callable[..., Path],
                                              drcov_plugin: Path, tmp_path: Path) -> None:
    guest = cov_guest("lines", "musl-static", DEBUG_FLAGS)
    coverage = tmp_path / "lines.drcov"
    run_pyqemu([guest], plugins=[plugin_spec(drcov_plugin, f"filename={coverage}")])
    done = run_cov("summary", coverage, "--elf", guest)
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split(f"functions hit in {guest.name}:", 1)[1].splitlines()[1:]
    hit = {name.strip() for name in listed}
    assert {"main", "twice"} <= hit
    assert "never_called" not in hit
    module_line = next(line for line in done.stdout.splitlines() if line.endswith(str(guest)))
    assert re.search(r"\d+/\d+ functions", module_line), done.stdout
