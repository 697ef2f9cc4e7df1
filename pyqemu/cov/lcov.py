# SPDX-License-Identifier: GPL-2.0-or-later
"""Write an lcov tracefile (the format of lcov's geninfo, read by genhtml).

One record per source file:
``TN:`` test name, ``SF:`` source path, ``FN:<line>,<name>`` and
``FNDA:<hits>,<name>`` per function, ``FNF:``/``FNH:`` functions found and
hit, ``DA:<line>,<hits>`` per line, ``LF:``/``LH:`` lines found and hit,
then ``end_of_record``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyqemu.cov.source_map import SourceFile

# geninfo accepts only word characters in a test name.
_TEST_NAME_BAD = re.compile(r"\W")


def record(source: SourceFile, test_name: str = "") -> str:
    """The tracefile record of one source file."""
    out = [f"TN:{_TEST_NAME_BAD.sub('_', test_name)}", f"SF:{source.path}"]
    functions = sorted(source.functions.items(), key=lambda item: (item[1][0], item[0]))
    out += [f"FN:{line},{name}" for name, (line, _hits) in functions]
    out += [f"FNDA:{hits},{name}" for name, (_line, hits) in functions]
    out += [f"FNF:{len(functions)}", f"FNH:{source.functions_hit}"]
    out += [f"DA:{line},{hits}" for line, hits in sorted(source.lines.items())]
    out += [f"LF:{len(source.lines)}", f"LH:{source.lines_hit}", "end_of_record"]
    return "\n".join(out) + "\n"


def tracefile(sources: Iterable[SourceFile], test_name: str = "") -> str:
    """The whole tracefile: one record per source file, sorted by path."""
    return "".join(record(s, test_name) for s in sorted(sources, key=lambda s: s.path))
