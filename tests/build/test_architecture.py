# SPDX-License-Identifier: GPL-2.0-or-later
"""The README's architecture picture is drawn from the code, and stays so (issue 21).

The picture has two parts, both computed here from the source:

- the Python layers (tests/build/test_layers.py's LAYERS), top to bottom, each with its
  modules and the layers its modules import (read with ``ast``: every import counts);
- the C host's files (pyqemu/host/*.c) in rows: a file's row is the length of the
  longest chain of calls from it into other host files (tests/build/test_host_layers.py
  reads the calls), so every file calls only rows below its own.

The README holds the picture between two marker lines; the test fails when the text
there is not what the code gives.  After a change of layers or calls, rewrite it with
``python tests/build/test_architecture.py --write``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from test_host_layers import HOST, call_graph
from test_layers import LAYERS, import_graph, layer_of

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
BEGIN = "<!-- architecture picture: drawn by tests/build/test_architecture.py -->"
END = "<!-- end of the architecture picture -->"
WIDTH = 80


def python_rows() -> list[str]:
    """One line per layer, top first: its modules, then the lower layers it imports."""
    graph, modules = import_graph()
    rows = []
    for index in reversed(range(len(LAYERS))):
        name, _prefixes = LAYERS[index]
        members = sorted(m for m in modules if layer_of(m) == index)
        if not members:
            continue
        # packages by name only: a module added inside one leaves the picture as it is
        shown = ", ".join(sorted({".".join(m.split(".")[:2]) for m in members}))
        below = sorted({layer_of(dst) for src in members for dst in graph[src]} - {index},
                       reverse=True)
        arrow = ", ".join(LAYERS[i][0] for i in below) or "nothing of pyqemu"
        rows.append(f"  {name:<11} {shown}")
        rows.append(f"  {'':<11}   -> {arrow}")
    return rows


def host_rows() -> list[str]:
    """The C host's files in rows, the callers on top: row = longest call chain below."""
    texts = {p.name: p.read_text() for p in sorted(HOST.iterdir()) if p.suffix in (".c", ".h")}
    calls = call_graph(texts)
    depth: dict[str, int] = {}

    def level(name: str) -> int:
        if name not in depth:
            depth[name] = 1 + max((level(callee) for callee in calls[name]), default=-1)
        return depth[name]

    for name in calls:
        level(name)
    rows = []
    for row in reversed(range(max(depth.values()) + 1)):
        line = f"  {row:>2} "
        for name in sorted(n for n, d in depth.items() if d == row):
            if len(line) + 2 + len(name) > WIDTH:   # wrapped under the row's first name
                rows.append(line)
                line = " " * 5
            line += f" {name}"
        rows.append(line)
    return rows


def picture() -> str:
    lines = [
        "```text",
        "Python: the layers, top to bottom; '->' the layers that layer's modules import",
        "",
        *python_rows(),
        "",
        "C host (pyqemu/host/): each row calls only the rows below it",
        "",
        *host_rows(),
        "```",
    ]
    return "\n".join(lines) + "\n"


def readme_picture(text: str) -> str | None:
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN + "\n", 1)[1].split(END, 1)[0]


def test_the_picture_sees_the_tree() -> None:
    drawn = picture()
    for part in ("pyqemu.linux_user", "pyqemu.host", "pyqemu.embed", "cpu-exec.c", "engine.c",
                 "-> host, base"):
        assert part in drawn, part
    # engine.c calls nothing of the host: in the bottom row; cpu-exec.c, the engine's way
    # in, on top (its syscalls reach the translated blocks' invalidation: syscall-mmap.c)
    rows = host_rows()
    bottom = rows[[row.split()[0] for row in rows].index("0"):]
    assert any("engine.c" in row.split() for row in bottom)
    assert rows[0].split()[1:] == ["cpu-exec.c"]


def test_readme_shows_the_picture_the_code_gives() -> None:
    shown = readme_picture(README.read_text())
    assert shown is not None, f"README.md has no picture between {BEGIN!r} and {END!r}"
    assert shown == picture(), ("README's architecture picture is not what the code gives: "
                                "python tests/build/test_architecture.py --write")


def write() -> None:
    text = README.read_text()
    old = readme_picture(text)
    if old is None:
        raise SystemExit(f"README.md has no {BEGIN!r} ... {END!r} block")
    README.write_text(text.replace(BEGIN + "\n" + old + END, BEGIN + "\n" + picture() + END))


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write()
    else:
        sys.stdout.write(picture())
