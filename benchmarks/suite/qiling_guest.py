# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one guest program under Qiling, the way its users run and measure coverage.

Mirrors no QEMU part: it is the Qiling column's stand-in for `qemu-x86_64 -plugin ...`. It is
executed by the Python of the Qiling venv (benchmarks/.venv-qiling), never imported by the
runner, so it needs nothing but Qiling. Modes:
  plain   `Qiling(argv, rootfs).run()`
  drcov   the same inside `qiling.extensions.coverage.utils.collect_coverage(ql, "drcov", F)`
  blocks  a Python `ql.hook_block` callback counting executed blocks and their bytes
The guest gets this process's environment. The exit status is the guest's; blocks mode writes
"blocks: N, bytes: M" to the log file, as a plugin's -D log would hold its count.

Usage: python qiling_guest.py MODE ROOTFS OUTPUT-FILE -- GUEST [ARG...]
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 5 or argv[3] != "--" or argv[0] not in ("plain", "drcov", "blocks"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    mode, rootfs, output_file, guest_argv = argv[0], argv[1], argv[2], argv[4:]

    from qiling import Qiling
    from qiling.const import QL_VERBOSE

    ql = Qiling(guest_argv, rootfs, env=dict(os.environ), verbose=QL_VERBOSE.DISABLED)
    if mode == "drcov":
        from qiling.extensions.coverage import utils as coverage

        with coverage.collect_coverage(ql, "drcov", output_file):
            ql.run()
    elif mode == "blocks":
        counts = [0, 0]

        def count_block(_ql: object, _address: int, size: int) -> None:
            counts[0] += 1
            counts[1] += size

        ql.hook_block(count_block)
        ql.run()
        with open(output_file, "w") as log:
            log.write(f"blocks: {counts[0]}, bytes: {counts[1]}\n")
    else:
        ql.run()
    sys.stdout.flush()
    return ql.os.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
