# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu/ imports only downward: no import cycle anywhere, and no layer imports a higher one.

The graph is built from the source with ``ast``, not by importing: every ``import`` and
``from ... import`` counts, at module level, inside functions (lazy imports) and under
``if TYPE_CHECKING:`` alike, because each is a dependency of the module that writes it.

The layers, bottom to top (a module may import its own layer and the layers below):

    0 base        pyqemu.errors, pyqemu.version, pyqemu._config (made by meson)
    1 host        pyqemu.host          the C host and the engine, through cffi
    2 plugins     pyqemu.plugins       plugin loaders and the Python plugin API
    3 contrib     pyqemu.contrib       plugins written in Python, on plugins.api
    4 accel       pyqemu.accel         vCPUs on the engine (QEMU's accel/tcg)
    5 linux_user  pyqemu.linux_user    the emulator: loader, syscalls, signals, threads, run()
    6 front ends  pyqemu.embed, pyqemu.cov   pyqemu.run() and pyqemu-cov, on linux_user.run
    7 package     pyqemu (its __init__)      re-exports the front ends

Inside a layer only cycles are forbidden.  A failure prints the cycle or the upward
import with the file and line that make it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "pyqemu"

#: modules that exist only in the build (meson's configure_file)
GENERATED = ("pyqemu._config",)

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("pyqemu.errors", "pyqemu.version", "pyqemu._config")),
    ("host", ("pyqemu.host",)),
    ("plugins", ("pyqemu.plugins",)),
    ("contrib", ("pyqemu.contrib",)),
    ("accel", ("pyqemu.accel",)),
    ("linux_user", ("pyqemu.linux_user",)),
    ("front ends", ("pyqemu.embed", "pyqemu.cov")),
    ("package", ("pyqemu",)),
)

Graph = dict[str, dict[str, int]]   # module -> {imported module: line of the first import}


def modules_in(package_dir: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(name: str, known: set[str]) -> str | None:
    """The module an import of ``name`` runs last: the longest known prefix."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(source: str, module: str, is_package: bool, known: set[str],
               root: str = "pyqemu") -> dict[str, int]:
    """The modules of ``root`` that ``source`` imports anywhere in its text."""
    package = module if is_package else module.rpartition(".")[0]
    found: dict[str, int] = {}

    def add(target: str | None, line: int) -> None:
        if target is not None and target != module:
            found[target] = min(found.get(target, line), line)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == root or alias.name.startswith(root + "."):
                    add(_resolve(alias.name, known), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source_module = ".".join(base + ([node.module] if node.module else []))
            else:
                source_module = node.module or ""
            if source_module != root and not source_module.startswith(root + "."):
                continue
            for alias in node.names:
                submodule = f"{source_module}.{alias.name}"
                add(submodule if submodule in known else _resolve(source_module, known),
                    node.lineno)
    return found


def import_graph(package_dir: Path = PACKAGE_DIR) -> tuple[Graph, dict[str, Path]]:
    modules = modules_in(package_dir)
    known = set(modules) | set(GENERATED)
    graph: Graph = {name: {} for name in GENERATED}
    for name, path in modules.items():
        graph[name] = imports_of(path.read_text(), name, path.name == "__init__.py", known)
    return graph, modules


def find_cycle(graph: dict[str, dict[str, int]] | dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None when the graph has none."""
    state: dict[str, int] = {}     # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def layer_of(module: str) -> int:
    best, best_len = -1, -1
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best >= 0, f"{module} is in no layer: add it to LAYERS and the docstring"
    return best


def upward_imports(graph: Graph) -> list[tuple[str, str, int]]:
    """Every import of a module in a higher layer: (importer, imported, line)."""
    return [(src, dst, line) for src, targets in sorted(graph.items())
            for dst, line in sorted(targets.items()) if layer_of(dst) > layer_of(src)]


# ---- the checks on a made-up graph: they must fail on a tree with a circle ----

def test_find_cycle_finds_a_circle_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_lazy_and_type_checking_imports_are_edges() -> None:
    known = {"pyqemu.x", "pyqemu.y", "pyqemu.pkg", "pyqemu.pkg.z"}
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from pyqemu.y import Y\n"
              "def f():\n    from pyqemu.pkg import z\n    import pyqemu.pkg.z.inner\n"
              "from . import y\n")
    assert imports_of(source, "pyqemu.x", False, known) == {"pyqemu.y": 3, "pyqemu.pkg.z": 5}
    # two modules that import each other only inside functions still form a circle
    graph = {"pyqemu.x": imports_of("def f():\n    from pyqemu import y\n", "pyqemu.x", False,
                                    known),
             "pyqemu.y": imports_of("def g():\n    import pyqemu.x\n", "pyqemu.y", False,
                                    known)}
    assert find_cycle(graph) == ["pyqemu.x", "pyqemu.y", "pyqemu.x"]


def test_an_upward_import_is_reported() -> None:
    graph = {"pyqemu.plugins.loader": {"pyqemu.linux_user.elfload": 25},
             "pyqemu.linux_user.elfload": {}}
    assert upward_imports(graph) == [("pyqemu.plugins.loader", "pyqemu.linux_user.elfload", 25)]


# ---- the checks on pyqemu/ ----

def test_the_graph_sees_the_tree() -> None:
    graph, modules = import_graph()
    assert len(modules) > 50
    # a known lazy import and a known module-level one are both seen
    assert "pyqemu.host" in graph["pyqemu.linux_user.runner"]
    assert "pyqemu.plugins.plugin" in graph["pyqemu.plugins.loader"]


def test_no_import_cycle_in_pyqemu() -> None:
    graph, modules = import_graph()
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} -> {b}  ({modules[a].relative_to(PACKAGE_DIR.parent)}:{graph[a][b]})"
                 for a, b in zip(cycle, cycle[1:], strict=False)]
        raise AssertionError("import cycle:\n  " + "\n  ".join(steps))


def test_layers_import_only_downward() -> None:
    graph, modules = import_graph()
    upward = upward_imports(graph)
    assert not upward, "imports of a higher layer:\n  " + "\n  ".join(
        f"{modules[src].relative_to(PACKAGE_DIR.parent)}:{line}: {src} ({LAYERS[layer_of(src)][0]})"
        f" imports {dst} ({LAYERS[layer_of(dst)][0]})" for src, dst, line in upward)
