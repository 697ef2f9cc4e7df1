# SPDX-License-Identifier: GPL-2.0-or-later
"""Broken pyqemu-x86_64s for tests/mutants/test_mutants.py: each starts the real pyqemu with
one thing a user relies on taken away, so that the suite can show it would notice.

Usage: python mutant_pyqemu.py drop-plugins|drop-stdout <pyqemu options and guest...>

- drop-plugins: every `-plugin SPEC` option is left out (and QEMU_PLUGIN too), so the guest
  runs without the plugins it was given;
- drop-stdout: the guest runs as asked, but its standard output goes to /dev/null.

(The third mutant, an emulator that runs nothing, is /bin/false itself.)
"""

from __future__ import annotations

import os
import sys

PYQEMU = (sys.executable, "-m", "pyqemu.linux_user.main")


def without_plugins(args: list[str]) -> list[str]:
    kept: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in ("-plugin", "--plugin"):
            skip_next = True
        elif arg.startswith(("-plugin=", "--plugin=")):
            continue
        else:
            kept.append(arg)
    return kept


def main(argv: list[str]) -> None:
    kind, args = argv[1], argv[2:]
    if kind == "drop-plugins":
        args = without_plugins(args)
        os.environ.pop("QEMU_PLUGIN", None)
    elif kind == "drop-stdout":
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    else:
        raise SystemExit(f"mutant_pyqemu: unknown mutant {kind!r}")
    os.execv(PYQEMU[0], [*PYQEMU, *args])


if __name__ == "__main__":
    main(sys.argv)
