# SPDX-License-Identifier: GPL-2.0-or-later
"""``pyqemu-cov``: the command line over drcov coverage files.

    pyqemu-cov summary FILE... [--elf BINARY]     modules, blocks, functions hit
    pyqemu-cov merge -o OUT FILE...               union of runs, as one drcov file
                                                  (FILE: a file, a directory of them, or a
                                                  quoted pattern such as 'run.*.drcov')
    pyqemu-cov lcov -o OUT.info FILE...           lcov tracefile from DWARF line tables
                                                  (these three: --layout auto|drcov|qemu7)
    pyqemu-cov run [--jobs N] [-o OUT] [--timeout S] [--plugin SO] [--cluster ADDRESS]
                   TARGET [ARGS...] -- INPUT...   one run per input (stdin, or @@ in ARGS)

Every problem is one line, ``pyqemu-cov: <file>: <what is wrong>``, and exit status 1.
"""

from __future__ import annotations

import argparse
import glob
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from pyqemu.cov import drcov, lcov, qemu7
from pyqemu.cov.corpus import CorpusError, CorpusJob, Progress, expand_inputs, find_plugin
from pyqemu.cov.drcov import Coverage, DrcovError
from pyqemu.cov.source_map import SourceMapper

PROG = "pyqemu-cov"


class CliError(Exception):
    """One line for the user; main prints it after the program name and exits 1."""


LAYOUTS = ("auto", "drcov", "qemu7")


def read_one(path: Path, layout: str = "auto") -> Coverage:
    """One file's coverage; layout qemu7 (or auto, when the file has it) rebases QEMU 7.0's."""
    cov = drcov.read(path)
    if layout == "drcov" or (layout == "auto" and not qemu7.looks_like_qemu7(cov)):
        return cov
    if len(cov.modules) != 1:
        raise DrcovError(f"not QEMU 7.0's layout: {len(cov.modules)} modules, not one")
    rebased = qemu7.rebase(cov)
    (program,) = rebased.coverage.modules
    print(f"{PROG}: {path}: QEMU 7.0's layout: {rebased.kept} blocks in {program}, "
          f"{rebased.left_out} outside it (libraries, loader) left out", file=sys.stderr)
    return rebased.coverage


GLOB_CHARS = frozenset("*?[")


def expand_files(given: Sequence[Path]) -> list[Path]:
    """The coverage files named: a directory stands for its files (sorted by name), a
    pattern that names no file for the files it matches (drcov's "%p" sets, such as
    'run.*.drcov', quoted from the shell); CliError when nothing matches."""
    files: list[Path] = []
    for path in given:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file())
            if not inside:
                raise CliError(f"{path}: no files in this directory")
            files.extend(inside)
        elif not path.exists() and GLOB_CHARS & set(str(path)):
            matches = sorted(Path(m) for m in glob.glob(str(path)) if os.path.isfile(m))
            if not matches:
                raise CliError(f"{path}: no file matches")
            files.extend(matches)
        else:
            files.append(path)
    return files


def load_all(files: Sequence[Path], layout: str = "auto") -> Coverage:
    """The merged coverage of files; CliError naming the first unreadable one."""
    cov = Coverage()
    for path in expand_files(files):
        try:
            cov.merge(read_one(path, layout))
        except OSError as exc:
            raise CliError(f"{path}: {exc.strerror or exc}") from None
        except DrcovError as exc:
            raise CliError(f"{path}: {exc}") from None
    return cov


def covered_bytes(blocks: set[tuple[int, int]]) -> int:
    """Bytes covered by (offset, size) blocks, each byte once.

    Blocks overlap where one run's block starts inside another's (a jump into the
    middle of a translated block makes a block of its own), so the sizes are not added.
    """
    total = 0
    end = -1
    for start, size in sorted(blocks):
        if start + size <= end:
            continue
        total += start + size - max(start, end)
        end = start + size
    return total


def print_summary(cov: Coverage, n_files: int, elf: Path | None, out: TextIO) -> None:
    """Modules with their blocks and bytes, and functions hit where symbols are known."""
    mapper = SourceMapper()
    functions = {m.path: m for m in mapper.module_functions(cov)}
    print(f"{n_files} file(s), {len(cov.modules)} module(s), {cov.n_blocks} blocks", file=out)
    for path, blocks in sorted(cov.blocks.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        size = covered_bytes(blocks)
        known = functions.get(path)
        funcs = f"{len(known.hit)}/{known.total} functions" if known else "-"
        print(f"  {len(blocks):7d} blocks {size:9d} bytes {funcs:>17}  {path}", file=out)
    if elf is not None:
        wanted = os.path.realpath(elf)
        known = next((m for p, m in functions.items() if os.path.realpath(p) == wanted), None)
        hit, total = (known.hit, known.total) if known else ([], 0)
        print(f"functions hit in {elf.name}: {len(hit)} of {total}", file=out)
        for name in hit:
            print(f"  {name}", file=out)


def cmd_summary(args: argparse.Namespace) -> int:
    files = expand_files(args.files)
    print_summary(load_all(files, args.layout), len(files), args.elf, sys.stdout)
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    files = expand_files(args.files)
    cov = load_all(files, args.layout)
    _write_drcov(cov, args.output)
    print(f"merged {len(files)} file(s): {len(cov.modules)} module(s), "
          f"{cov.n_blocks} blocks -> {args.output}")
    return 0


def _write_drcov(cov: Coverage, path: Path) -> None:
    try:
        drcov.write(cov, path)
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None
    except DrcovError as exc:
        raise CliError(f"{path}: {exc}") from None


def cmd_lcov(args: argparse.Namespace) -> int:
    cov = load_all(args.files, args.layout)
    sources = SourceMapper().source_files(cov)
    if not sources:
        raise CliError("no module of the coverage has DWARF line tables (build with -g)")
    kept = [s for s in sources.values() if args.keep_missing or os.path.isfile(s.path)]
    if not kept:
        raise CliError(f"none of the {len(sources)} source files named by the line tables "
                       "exists here (--keep-missing writes them anyway)")
    try:
        args.output.write_text(lcov.tracefile(kept, args.test_name))
    except OSError as exc:
        raise CliError(f"{args.output}: {exc.strerror or exc}") from None
    lines_hit = sum(s.lines_hit for s in kept)
    lines = sum(len(s.lines) for s in kept)
    funcs_hit = sum(s.functions_hit for s in kept)
    funcs = sum(len(s.functions) for s in kept)
    print(f"{len(kept)} source file(s): lines hit {lines_hit} of {lines}, "
          f"functions hit {funcs_hit} of {funcs} -> {args.output}")
    if len(kept) < len(sources):
        print(f"left out {len(sources) - len(kept)} source file(s) not found here "
              "(--keep-missing keeps them)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise CliError("--jobs must be at least 1")
    if args.timeout is not None and args.timeout <= 0:
        raise CliError("--timeout must be positive")
    try:
        job = CorpusJob(tuple(args.target), str(find_plugin(args.plugin)), args.timeout)
        inputs = expand_inputs(args.inputs)
        if not inputs:
            raise CorpusError("no inputs (give them after '--')")
        progress = Progress(len(inputs), "runs")
        try:
            if args.cluster:
                from pyqemu.cov.cluster import run_on_cluster

                cov, stats = run_on_cluster(args.cluster, job, inputs, progress)
            else:
                from pyqemu.cov.corpus import run_corpus

                cov, stats = run_corpus(job, inputs, args.jobs, progress)
        finally:
            progress.close()
    except CorpusError as exc:
        raise CliError(str(exc)) from None
    print(stats.describe())
    if stats.no_coverage == stats.runs:
        raise CliError(f"no run wrote coverage; first: {stats.first_problem}")
    if args.output is not None:
        _write_drcov(cov, args.output)
    print_summary(cov, stats.runs - stats.no_coverage, None, sys.stdout)
    return 0


def _add_layout_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layout", choices=LAYOUTS, default="auto",
                        help="qemu7: QEMU 7.0 drcov files (absolute starts, one module); "
                        "auto (default) recognises them")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Read, merge and map drcov coverage.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_sum = sub.add_parser("summary", help="modules, blocks and functions hit")
    p_sum.add_argument("files", nargs="+", type=Path)
    _add_layout_option(p_sum)
    p_sum.add_argument("--elf", type=Path, help="also list the functions hit in this binary")
    p_sum.set_defaults(func=cmd_summary)

    p_merge = sub.add_parser("merge", help="merge runs into one drcov file")
    p_merge.add_argument("-o", "--output", type=Path, required=True)
    p_merge.add_argument("files", nargs="+", type=Path)
    _add_layout_option(p_merge)
    p_merge.set_defaults(func=cmd_merge)

    p_lcov = sub.add_parser("lcov", help="write an lcov tracefile (for genhtml)")
    p_lcov.add_argument("-o", "--output", type=Path, required=True)
    p_lcov.add_argument("--test-name", default="", help="the TN: of every record")
    p_lcov.add_argument("--keep-missing", action="store_true",
                        help="also write source files that do not exist here")
    p_lcov.add_argument("files", nargs="+", type=Path)
    _add_layout_option(p_lcov)
    p_lcov.set_defaults(func=cmd_lcov)

    p_run = sub.add_parser("run", help="run a target over a corpus and merge the coverage",
                           usage=f"{PROG} run [options] TARGET [ARGS...] -- INPUT...")
    p_run.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                       help="runs at a time (default: the number of CPUs)")
    p_run.add_argument("-o", "--output", type=Path, help="write the merged drcov file here")
    p_run.add_argument("--timeout", type=float, help="seconds before a run is killed")
    p_run.add_argument("--plugin", help="libdrcov.so to use (default: the one meson built)")
    p_run.add_argument("--cluster", metavar="ADDRESS", help="Dask scheduler to run on")
    p_run.add_argument("target", help="the program; @@ in its arguments is the input file")
    p_run.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p_run.set_defaults(func=cmd_run)
    return parser


def die_of_sigpipe() -> NoReturn:
    """Leave as coreutils do when the reader of stdout has gone (``| head``): killed by
    SIGPIPE, status 141 in the shell, no message.

    Python ignores SIGPIPE and raises BrokenPipeError instead; stdout is pointed at
    /dev/null first so that nothing left in its buffer fails again on the way out.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
    os._exit(128 + signal.SIGPIPE)  # not reached: the signal is not blocked


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    inputs: list[str] | None = None
    if argv and argv[0] == "run" and "--" in argv:
        cut = argv.index("--")
        argv, inputs = argv[:cut], argv[cut + 1:]
    args = parser.parse_args(argv)
    if args.command == "run":
        if inputs is None:
            parser.error("run: give the inputs after '--'")
        args.target = [args.target, *args.args]
        args.inputs = inputs
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return status
    except BrokenPipeError:
        die_of_sigpipe()
    except CliError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
