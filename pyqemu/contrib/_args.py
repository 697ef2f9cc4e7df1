# SPDX-License-Identifier: GPL-2.0-or-later
"""Argument helpers shared by the Python plugins: contrib/plugins/plugin-args.h in Python.

A plugin argument is ``key=value`` or a bare ``key`` (which means on), as
QEMU 7.2 passes them; booleans take on/off, true/false, yes/no.
"""

from __future__ import annotations

_TRUE = ("on", "true", "yes")
_FALSE = ("off", "false", "no")


def arg_value(arg: str, key: str) -> tuple[bool, str | None]:
    """Whether ``arg`` is ``key`` alone or ``key=...``, and the text after '=' (None if bare)."""
    if arg == key:
        return True, None
    if arg.startswith(key + "="):
        return True, arg[len(key) + 1:]
    return False, None


def parse_bool(value: str | None) -> bool | None:
    """on/true/yes -> True, off/false/no -> False, a bare key -> True, else None."""
    if value is None or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None
