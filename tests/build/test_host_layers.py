# SPDX-License-Identifier: GPL-2.0-or-later
"""The C host's shape (issue 21): one job per file, no file over 700 lines,
no circle among its files (neither through ``#include "..."`` nor through
calls of each other's functions), each file saying at its top which layers
it may call, and one engine boundary: engine.h is the only file that includes
the engine's header, and only engine.h and engine.c name the entry points
pyqemu's engine patches add.

The checker reads C well enough for this tree (comments and strings
dropped, functions found at brace depth 0); it is run on the tree and on
small broken trees, which it must reject.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOST = REPO / "pyqemu" / "host"
MAX_LINES = 700
# the names the engine patches add; only the engine boundary may spell them
ENGINE_NAMES = ("uc_emu_stop_async", "uc_tb_instrument", "uc_tb_instrument_sites",
                "uc_tb_sites_parallel", "uc_x86_cpuid_features")
ENGINE_BOUNDARY = {"engine.h", "engine.c"}

_COMMENT_OR_STRING = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                                re.S)
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
_ENGINE_INCLUDE = re.compile(r"^\s*#\s*include\s*<unicorn/", re.M)
_ATTRIBUTE = re.compile(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_NOT_CALLS = {"if", "for", "while", "switch", "return", "sizeof", "defined", "__typeof__",
              "_Alignof", "offsetof"}


def strip(text: str) -> str:
    """C text without comments, string literals, attributes and preprocessor lines."""
    def blank(match: re.Match[str]) -> str:
        s = match.group(0)
        return '""' if s.startswith('"') else "' '" if s.startswith("'") else \
            "\n" * s.count("\n") or " "
    text = _COMMENT_OR_STRING.sub(blank, text)
    text = _ATTRIBUTE.sub(" ", text)
    return re.sub(r"^\s*#[^\n]*(\\\n[^\n]*)*", "", text, flags=re.M)


def functions(text: str) -> dict[str, tuple[bool, set[str]]]:
    """name -> (static?, names it calls) for each function defined in C @text."""
    code = strip(text)
    found: dict[str, tuple[bool, set[str]]] = {}
    depth, start, i = 0, 0, 0
    while i < len(code):
        c = code[i]
        if c == "{" and depth == 0:
            head = code[start:i]
            body_start = i
            depth = 1
            i += 1
            while i < len(code) and depth:
                depth += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
            match = re.search(r"\b([A-Za-z_]\w*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$", head)
            if match and "=" not in head and not re.search(r"\b(struct|union|enum)\s+\w*\s*$",
                                                          head):
                name = match.group(1)
                calls = {m.group(1) for m in _CALL.finditer(code[body_start:i])} - _NOT_CALLS
                found[name] = (bool(re.search(r"\bstatic\b", head)), calls - {name})
            start = i
            continue
        if c in ";}" and depth == 0:
            start = i + 1
        i += 1
    return found


def check_tree(host: Path) -> list[str]:
    """Everything wrong with the C files of @host, one line each."""
    problems: list[str] = []
    files = sorted(p for p in host.iterdir() if p.suffix in (".c", ".h"))
    texts = {p.name: p.read_text() for p in files}

    for name, text in texts.items():
        lines = text.count("\n")
        if name.endswith(".c") and lines > MAX_LINES:
            problems.append(f"{name}: {lines} lines (at most {MAX_LINES})")
        if name.endswith(".c") and "Layer:" not in text.split("*/", 1)[0]:
            problems.append(f"{name}: its top comment does not say its layer ('Layer:')")
        if name != "engine.h" and _ENGINE_INCLUDE.search(_COMMENT.sub(" ", text)):
            problems.append(f"{name}: includes the engine's own header (only engine.h may)")
        if name not in ENGINE_BOUNDARY:
            code = _COMMENT.sub(" ", text)   # strings stay: a dlsym by name counts
            for word in ENGINE_NAMES:
                if re.search(rf"\b{word}\b", code):
                    problems.append(f"{name}: names the engine patch entry point {word}")

    includes = {name: {inc for inc in _INCLUDE.findall(text) if inc in texts}
                for name, text in texts.items()}
    problems += [f"include circle: {' -> '.join(c)}" for c in circles(includes)]
    problems += [f"call circle: {' -> '.join(c)}" for c in circles(call_graph(texts))]
    return problems


def call_graph(texts: dict[str, str]) -> dict[str, set[str]]:
    """For each .c file of @texts (name -> C text), the other .c files whose functions it
    calls, directly or through a header's static inline function."""
    # who defines each function: a .c file (non-static), or a header's static inline
    defs = {name: functions(text) for name, text in texts.items()}
    owner = {fn: name for name, fs in defs.items() if name.endswith(".c")
             for fn, (static, _) in fs.items() if not static}
    inline_calls = {fn: calls for name, fs in defs.items() if name.endswith(".h")
                    for fn, (_, calls) in fs.items()}

    def reach(calls: set[str], seen: set[str]) -> set[str]:
        out = set()
        for fn in calls:
            if fn in owner:
                out.add(owner[fn])
            elif fn in inline_calls and fn not in seen:
                seen.add(fn)
                out |= reach(inline_calls[fn], seen)
        return out

    calls_between = {name: set() for name in texts if name.endswith(".c")}
    for name in calls_between:
        for _, calls in defs[name].values():
            calls_between[name] |= reach(calls, set())
        calls_between[name].discard(name)
    return calls_between


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected part of @graph with more than one node
    (or a node that reaches itself)."""
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_host_tree_has_one_job_per_file_and_no_circle() -> None:
    assert check_tree(HOST) == []


def test_the_extension_sees_the_engine_through_engine_h() -> None:
    """The cffi extension's own C source (pyqemu/host/_host_build.py) includes the engine's
    declarations through engine.h too, not unicorn.h."""
    source = (HOST / "_host_build.py").read_text()
    assert '#include "engine.h"' in source
    assert "<unicorn/" not in source


def test_host_files_are_parsed() -> None:
    """The checker sees the host's functions and their calls (else it proves nothing)."""
    fs = functions((HOST / "cpu-exec.c").read_text())
    assert fs["cpu_exec"][0] is False and "process_queued_cpu_work" in fs["cpu_exec"][1]
    assert fs["cpu_sync_hooks"][0] is True
    assert "plugin_init" in functions((HOST / "core.c").read_text())   # after __attribute__


def _write(tree: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tree / name).write_text(text)
    return tree


GOOD_TOP = "/*\n * A file.\n *\n * Layer: test.\n */\n"


@pytest.mark.parametrize("files,expected", [
    ({"a.c": GOOD_TOP + '#include "a.h"\nvoid a(void) { b(); }\n',
      "b.c": GOOD_TOP + "static int x;\nvoid b(void)\n{\n    if (x) {\n        a();\n    }\n}\n",
      "a.h": "void a(void);\n"},
     "call circle: a.c -> b.c -> a.c"),
    ({"a.c": GOOD_TOP + '#include "x.h"\n', "x.h": '#include "y.h"\n', "y.h": '#include "x.h"\n'},
     "include circle: x.h -> y.h -> x.h"),
    ({"big.c": GOOD_TOP + "int v;\n" * 700},
     "big.c: 705 lines (at most 700)"),
    ({"a.c": "/* no layer said */\nint f(void) { return 0; }\n"},
     "a.c: its top comment does not say its layer ('Layer:')"),
    ({"a.c": GOOD_TOP + "static void *p(void) { return dlsym(0, \"uc_emu_stop_async\"); }\n"},
     "a.c: names the engine patch entry point uc_emu_stop_async"),
    ({"a.c": GOOD_TOP + "#include <unicorn/unicorn.h>\nint x;\n"},
     "a.c: includes the engine's own header (only engine.h may)"),
    # a circle through a header's static inline function
    ({"a.c": GOOD_TOP + '#include "h.h"\nvoid a(void) { inl(); }\n',
      "b.c": GOOD_TOP + "void b(void) { a(); }\n",
      "h.h": "static inline void inl(void) { b(); }\n"},
     "call circle: a.c -> b.c -> a.c"),
])
def test_broken_trees_are_rejected(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert expected in check_tree(_write(tmp_path, files))


def test_one_way_calls_pass(tmp_path: Path) -> None:
    """A callback passed down is no circle: b.c calls a pointer, not a.c by name."""
    tree = _write(tmp_path, {
        "a.c": GOOD_TOP + "static void up(void) { }\nvoid a(void) { b(up); }\n",
        "b.c": GOOD_TOP + "void b(void (*fn)(void)) { fn(); }\n",
    })
    assert check_tree(tree) == []


# POSIX's async-signal-safe functions that the crash handler uses, and setrlimit (a bare
# system call in glibc: no lock, no allocation).
SIGNAL_SAFE = {"write", "_exit", "signal", "sigemptyset", "sigaddset", "sigprocmask", "raise",
               "setrlimit"}
# The host functions it may call: a read of one pointer (cpus-common.c), the plugins'
# own atexit callbacks, run on purpose so that their results are written (plugin-crash.c),
# and user-signal.c's queueing of a signal a process sent, which is the guest's host
# signal handler itself (atomics and a stop request only).
HANDLER_HOST_CALLS = {"cpu_exec_running", "qemu_plugin_atexit_cb", "cpu_signal_sent"}


def handler_calls(text: str, handler: str = "plugin_crash_handler") -> set[str]:
    """What @handler of C @text calls outside its file, through its own static functions."""
    fs = functions(text)
    seen, todo, outside = {handler}, [handler], set()
    while todo:
        for callee in fs[todo.pop()][1]:
            if callee in fs and fs[callee][0]:
                if callee not in seen:
                    seen.add(callee)
                    todo.append(callee)
            else:
                outside.add(callee)
    return outside


def test_crash_handler_calls_only_async_signal_safe_functions() -> None:
    """No stdio, malloc, dladdr or strsignal while a fault is reported (issue 21)."""
    outside = handler_calls((HOST / "plugin-crash.c").read_text())
    assert outside - SIGNAL_SAFE - HANDLER_HOST_CALLS == set()
    assert {"write", "_exit"} <= outside
    assert functions((HOST / "cpus-common.c").read_text())["cpu_exec_running"][1] == set()


def test_unsafe_crash_handler_is_rejected() -> None:
    text = ("static void plugin_crash_handler(int sig)\n{\n    char b[64];\n"
            "    snprintf(b, sizeof(b), \"%s\", strsignal(sig));\n    write(2, b, 1);\n}\n")
    assert handler_calls(text) - SIGNAL_SAFE - HANDLER_HOST_CALLS == {"snprintf", "strsignal"}
