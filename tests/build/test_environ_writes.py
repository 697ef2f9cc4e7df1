# SPDX-License-Identifier: GPL-2.0-or-later
"""No module of pyqemu/ passes state through the process environment (issue 21).

The plugin API level used to travel from the -plugin-api handler to pyqemu.host as
``os.environ["QEMU_PLUGIN_API"]``; it is now Options.plugin_api, handed to
pyqemu.host.load.  Reading QEMU_* variables stays (they are the command line's
inputs, as in QEMU); writing the environment is allowed only where listed here,
with the reason.  The source is read with ``ast``: every assignment or deletion of
``os.environ[...]``, every call of a mutating ``os.environ`` method, and every
``os.putenv``/``os.unsetenv`` counts, wherever it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "pyqemu"

#: (file under pyqemu/, variable): why it may be written
ALLOWED = {
    ("host/__init__.py", "LIBUNICORN_PATH"):
        "the unicorn package finds its library only there; set around its import, then "
        "put back",
}
MUTATORS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def _is_os_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _key(node: ast.Subscript) -> str:
    return node.slice.value if isinstance(node.slice, ast.Constant) else "<computed>"


def environ_writes(source: str) -> list[tuple[int, str]]:
    """(line, variable) for each write to the environment in source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Subscript) and _is_os_environ(node.value)
                and isinstance(node.ctx, (ast.Store, ast.Del))):
            found.append((node.lineno, _key(node)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            first = node.args[0] if node.args else None
            name = (first.value if isinstance(first, ast.Constant) else "<computed>")
            if _is_os_environ(func.value) and func.attr in MUTATORS:
                found.append((node.lineno, name))
            elif (isinstance(func.value, ast.Name) and func.value.id == "os"
                  and func.attr in ("putenv", "unsetenv")):
                found.append((node.lineno, name))
    return found


def test_the_scan_sees_every_kind_of_write() -> None:
    source = ("import os\nos.environ['A'] = '1'\ndel os.environ['B']\n"
              "os.environ.update(C='1')\nos.environ.setdefault('D', '1')\n"
              "os.putenv('E', '1')\nos.environ[name] = v\nx = os.environ.get('F')\n")
    assert environ_writes(source) == [(2, "A"), (3, "B"), (4, "<computed>"), (5, "D"),
                                      (6, "E"), (7, "<computed>")]


def test_no_module_writes_the_environment() -> None:
    writes = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR).as_posix()
        for line, name in environ_writes(path.read_text()):
            if (relative, name) not in ALLOWED:
                writes.append(f"pyqemu/{relative}:{line}: writes os.environ[{name!r}]")
    assert not writes, "\n".join(writes)


def test_the_plugin_api_level_is_not_an_environment_variable_inside() -> None:
    """QEMU_PLUGIN_API is read by the command line's option table and by pyqemu.run's
    default, nowhere else (pyqemu.host in particular never reads it)."""
    readers = sorted(path.relative_to(PACKAGE_DIR).as_posix()
                     for path in PACKAGE_DIR.rglob("*.py")
                     if '"QEMU_PLUGIN_API"' in path.read_text())
    assert readers == ["embed.py", "linux_user/main.py"]
