#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The long differential ELF fuzz run: mutants of two small programs under qemu-x86_64 7.2
and pyqemu, within a time bound, then a summary.

Mirrors no QEMU file; it is the long form of tests/fuzz/test_elf_fuzz.py (500 mutants in
CI) and uses the same code from tests/fuzz: elf_mutants (seeded mutations), pyqemu_driver
(one warm pyqemu process per worker, a fork per run) and elf_differential (outcomes,
accepted differences, the campaign).  A failure is reproduced from its seed, salt and
mutant number, and --keep saves the mutants worth a look.

The exit status is 0 when no run showed a Python traceback, a hang or a disagreement.

Usage: python3 benchmarks/fuzz_elf.py [--count N] [--salt S] [--time-limit SECONDS]
       [--workers N] [--timeout SECONDS] [--keep DIR] [--plugin SO]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "fuzz"))

from elf_differential import Summary, run_campaign  # noqa: E402
from elf_mutants import MUTATORS  # noqa: E402
from fuzz_seeds import SEEDS, SeedBuildError, build_seed  # noqa: E402

DEFAULT_COUNT = 10_000
DEFAULT_TIME_LIMIT = 30 * 60.0
# the same small, fixed environment for both emulators (and the guests)
ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC",
               "HOME": os.environ.get("HOME", "/"), "PYQEMU_DEBUG": "1"}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT,
                        help=f"mutants to run (default {DEFAULT_COUNT})")
    parser.add_argument("--salt", type=int, default=1,
                        help="picks the mutant sequence (CI uses 0; default 1)")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT,
                        help="stop after this many seconds (default 1800)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="runs side by side (default: one per CPU)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds one run may take before it counts as a hang")
    parser.add_argument("--keep", type=Path, help="copy the mutants worth a look here")
    parser.add_argument("--mutation", choices=sorted(MUTATORS), default="fields",
                        help="the mutator: field-aware strategies (fields, default) or "
                             "1-4 random bytes of the ELF and program headers "
                             "(header-bytes, issue 25's set)")
    parser.add_argument("--seed", choices=sorted(SEEDS), action="append",
                        help="seed program(s) to mutate (default: all)")
    parser.add_argument("--plugin", help="a -plugin string for both emulators (with -d plugin)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    if shutil.which("qemu-x86_64") is None:
        print("fuzz_elf: qemu-x86_64 is not installed", file=sys.stderr)
        return 2
    options = ["-plugin", args.plugin, "-d", "plugin"] if args.plugin else []
    last_report = [time.monotonic()]

    def progress(summary: Summary) -> None:
        if time.monotonic() - last_report[0] > 30:
            last_report[0] = time.monotonic()
            print(f"  ... {summary.total} mutants, {len(summary.tracebacks)} tracebacks, "
                  f"{len(summary.hangs)} hangs, {len(summary.disagreements)} disagreements",
                  flush=True)

    with tempfile.TemporaryDirectory(prefix="fuzz-seeds-") as tmp:
        try:
            seeds = {name: build_seed(name, Path(tmp)) for name in args.seed or SEEDS}
        except SeedBuildError as exc:
            print(f"fuzz_elf: {exc}", file=sys.stderr)
            return 2
        print(f"fuzzing {args.count} {args.mutation} mutants of {', '.join(seeds)} "
              f"(salt {args.salt}, "
              f"{args.workers} workers, {args.timeout:.0f} s per run, "
              f"at most {args.time_limit:.0f} s)", flush=True)
        summary = run_campaign(seeds, args.count, salt=args.salt, timeout=args.timeout,
                               workers=args.workers, time_limit=args.time_limit,
                               keep_dir=args.keep, env=ENVIRONMENT, options=options,
                               mutation=args.mutation, progress=progress)
    print(summary.report(limit=50))
    failed = summary.tracebacks or summary.hangs or summary.disagreements
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
