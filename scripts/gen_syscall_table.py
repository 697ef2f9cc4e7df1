#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write README.md's syscall table from the syscall layer's own rows.

One line per syscall name of the three guests (x86_64, aarch64, riscv64): its
number on each, and how pyqemu serves it, read from ``SYSCALL_TABLE`` and
``guest_table`` (pyqemu/linux_user/syscall/): passed to the host, a special
implementation (named), ENOSYS without a log line, or no row at all (ENOSYS and
``Unsupported syscall: N`` with ``-d unimp``).  The table sits between the
README's ``syscall-table`` markers; tests/linux_user/test_syscall_table.py fails
when it is not what this script writes, and tests/linux_user/test_syscall_probe.py
checks it against qemu-<arch> 7.2.

Run: ``python3 scripts/gen_syscall_table.py`` (rewrites README.md) or
``--check`` (status 1 when README.md is not current).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
BEGIN = "<!-- syscall-table:begin (scripts/gen_syscall_table.py writes this part) -->"
END = "<!-- syscall-table:end -->"
ARCHES = ("x86_64", "aarch64", "riscv64")
NO_ROW = "ENOSYS, logged by `-d unimp` (qemu 7.2: the same)"


def _describe(row: object) -> str:
    """How one row serves its syscall, in a table cell."""
    from pyqemu.linux_user.syscall import DIFFERS_FROM_QEMU, process

    impl = getattr(row, "impl", None)
    if impl is None:
        return "host"
    if impl is process.do_enosys:
        return "ENOSYS, no log (qemu 7.2: the same)"
    name = f"`{impl.__module__.rsplit('.', 1)[-1]}.{impl.__name__}`"
    reason = DIFFERS_FROM_QEMU.get(impl.__name__)
    return f"{name}: {reason}" if reason else name


def arch_rows(arch: str) -> dict[str, tuple[int, str]]:
    """Syscall name -> (number, how pyqemu serves it) for one guest."""
    import importlib

    from pyqemu.linux_user.syscall import SYSCALL_TABLE, guest_table

    names = importlib.import_module(f"pyqemu.linux_user.{arch}.syscall_nr").SYSCALL_NAMES
    if arch == "x86_64":
        served = {number: _describe(row) for number, row in SYSCALL_TABLE.items()}
    else:
        served = {number: _describe(row) for number, (_host, row) in guest_table(arch).items()}
    return {name: (number, served.get(number, NO_ROW)) for number, name in names.items()}


def render() -> str:
    """The README section between the markers (markers included)."""
    per_arch = {arch: arch_rows(arch) for arch in ARCHES}
    x86 = per_arch["x86_64"]
    # x86_64's order, then the names only the generic-ABI guests have, in their order
    names = sorted({name for rows in per_arch.values() for name in rows},
                   key=lambda name: (x86[name][0] if name in x86 else 1 << 20 | min(
                       rows[name][0] for rows in per_arch.values() if name in rows), name))
    counts = {arch: (sum(1 for _n, how in rows.values() if how != NO_ROW), len(rows))
              for arch, rows in per_arch.items()}
    lines = [BEGIN, "",
             "Served rows / syscall numbers: " + ", ".join(
                 f"{arch} {served} of {total}" for arch, (served, total) in counts.items())
             + ". \"host\": passed to the host kernel once its arguments are checked; a name:",
             "the function that serves it.", "",
             "| syscall | x86_64 | aarch64 | riscv64 | pyqemu |",
             "|---|--:|--:|--:|---|"]
    for name in names:
        numbers = [str(per_arch[a][name][0]) if name in per_arch[a] else "—" for a in ARCHES]
        hows = {a: per_arch[a][name][1] for a in ARCHES if name in per_arch[a]}
        if len(set(hows.values())) == 1:
            how = next(iter(hows.values()))
        else:
            groups: dict[str, list[str]] = {}
            for arch, text in hows.items():
                groups.setdefault(text, []).append(arch)
            how = "; ".join(f"{'/'.join(arches)}: {text}" for text, arches in groups.items())
        lines.append(f"| `{name}` | {' | '.join(numbers)} | {how} |")
    lines += ["", END]
    return "\n".join(lines)


def replace_section(readme: str, section: str) -> str:
    """readme with the text between the markers replaced by section."""
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    return readme[:start] + section + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when README.md's table is not current")
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    text = args.readme.read_text()
    new = replace_section(text, render())
    if args.check:
        if new != text:
            print(f"{args.readme}'s syscall table is stale: run scripts/gen_syscall_table.py",
                  file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
