#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build pyqemu's engine: Unicorn 2.1.4 from its PyPI sdist, with our patches.

Steps (issue 7, "Engine speed"):

1. find ``unicorn-2.1.4.tar.gz`` in the cache directory, or fetch it with
   ``pip download --no-binary :all: --no-deps unicorn==2.1.4`` (through pip
   and the package index, nothing else) and check its pinned SHA-256;
2. unpack it and apply ``subprojects/unicorn/NNNN-*.patch`` in name order
   (a ``git format-patch`` series, applied with ``git apply``, or ``patch``
   where git is missing), then write ``src/include/pyqemu_engine_version.h``
   with the series' version string (``series_version``), which patch 0013
   makes the library return from ``pyqemu_engine_version()``;
3. configure the bundled cmake project for the targets pyqemu emulates
   (``UNICORN_ARCH``: x86, aarch64, riscv) and build the shared library;
4. copy ``libunicorn.so.2`` and the public headers into ``--out-dir``, with
   ``engine-build.json``: the sdist's hash, each patch's hash and the
   version string, which pyqemu.host checks the library against at load.

The patched tree is kept in the work directory and only files whose
contents changed are rewritten, so a rebuild after editing one patch
recompiles only what that patch touches.  Once the sdist is cached the
build needs no network.

Usage: build_engine.py --out-dir DIR [--work-dir DIR] [--cache-dir DIR]
                       [--sdist FILE] [--jobs N] [--tests]
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PATCH_DIR = REPO / "subprojects" / "unicorn"

UNICORN_VERSION = "2.1.4"
SDIST_NAME = f"unicorn-{UNICORN_VERSION}.tar.gz"
SDIST_SHA256 = "00567a70e323f749b419cd86bee4f9115beab7ebba32194581c090cbb7c59cff"
# cmake's names for the targets: "aarch64" is its own entry ("arm" is AArch32),
# "riscv" builds riscv32 and riscv64 together.
UNICORN_ARCH = "x86;aarch64;riscv"
# Unicorn's own unit tests for those targets, plus the target-independent ones.
UNIT_TESTS = ("test_x86", "test_arm64", "test_riscv", "test_mem", "test_ctl")
LIBRARY = "libunicorn.so.2"
MANIFEST = "engine-build.json"
# Written into the patched tree; patch 0013's uc.c includes it.
VERSION_HEADER = Path("src") / "include" / "pyqemu_engine_version.h"


class BuildError(Exception):
    """A step failed; the message says which and what to do."""


def log(message: str) -> None:
    print(f"build_engine: {message}", file=sys.stderr, flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache_dir() -> Path:
    explicit = os.environ.get("PYQEMU_ENGINE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pyqemu" / "engine"


def fetch_sdist(cache_dir: Path) -> Path:
    """The cached sdist, downloaded through pip the first time."""
    cached = cache_dir / SDIST_NAME
    if cached.is_file():
        if sha256_of(cached) == SDIST_SHA256:
            return cached
        log(f"{cached} does not match the pinned SHA-256; fetching it again")
        cached.unlink()
    cache_dir.mkdir(parents=True, exist_ok=True)
    log(f"downloading {SDIST_NAME} with pip into {cache_dir}")
    with tempfile.TemporaryDirectory(prefix="pyqemu-engine-pip-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(f"unicorn=={UNICORN_VERSION} --hash=sha256:{SDIST_SHA256}\n")
        command = [
            sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
            "--disable-pip-version-check", "-d", str(cache_dir), "-r", str(requirements),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not cached.is_file():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BuildError(
            f"pip could not download {SDIST_NAME} (offline?).  Put the file in "
            f"{cache_dir} or pass --sdist FILE.\n{tail}"
        )
    if sha256_of(cached) != SDIST_SHA256:
        raise BuildError(f"{cached}: SHA-256 is not the pinned {SDIST_SHA256}")
    return cached


def patch_files(patch_dir: Path) -> list[Path]:
    return sorted(p for p in patch_dir.glob("[0-9][0-9][0-9][0-9]-*.patch") if p.is_file())


def series_version(patches: list[Path]) -> str:
    """The engine's version string: Unicorn's version and the series built in.

    "2.1.4+pyqemu.<number of patches>.<8 hex digits>", the digits the start
    of a SHA-256 over each patch's name and text in order, so that editing,
    adding or removing a patch gives another string.  The library returns it
    from pyqemu_engine_version() (patch 0013) and engine-build.json records
    it; pyqemu.host refuses a library whose string is not its build's.
    """
    digest = hashlib.sha256()
    for patch in patches:
        digest.update(patch.name.encode() + b"\0" + patch.read_bytes() + b"\0")
    return f"{UNICORN_VERSION}+pyqemu.{len(patches)}.{digest.hexdigest()[:8]}"


def apply_command(patch: Path) -> list[str]:
    """How to apply one patch of the series in the current directory.

    ``git apply`` (exact, no fuzz) when git is installed; GIT_CEILING_DIRECTORIES
    (see apply_series) keeps it from taking a repository around the work
    directory for the tree.  Otherwise GNU patch, which reads git's diffs,
    without fuzz either.
    """
    if shutil.which("git"):
        return ["git", "apply", "--whitespace=nowarn", str(patch.resolve())]
    if shutil.which("patch"):
        return ["patch", "-p1", "--batch", "--forward", "--fuzz=0", "--no-backup-if-mismatch",
                "--quiet", "-i", str(patch.resolve())]
    raise BuildError("neither git nor patch is installed (apt install git)")


def apply_series(tree: Path, patches: list[Path]) -> None:
    """Apply the patches in order; a failure names the patch, on one line."""
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tree.resolve().parent))
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(variable, None)
    applied: list[str] = []
    for patch in patches:
        done = subprocess.run(apply_command(patch), cwd=tree, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            detail = next((line.strip() for line in (done.stderr + done.stdout).splitlines()
                           if line.strip()), f"exit status {done.returncode}")
            detail = detail.removeprefix("error: ")
            after = f" after {applied[0][:4]}-{applied[-1][:4]}" if applied else ""
            raise BuildError(f"{patch.name} does not apply to {SDIST_NAME}{after}: {detail}")
        applied.append(patch.name)
        log(f"applied {patch.name}")


def write_version_header(tree: Path, version: str) -> None:
    (tree / VERSION_HEADER).write_text(
        "/* Written by pyqemu's scripts/build_engine.py from the patch series. */\n"
        f'#define PYQEMU_ENGINE_VERSION "{version}"\n'
    )


def unpack_and_patch(sdist: Path, patches: list[Path], stage: Path) -> Path:
    """Unpack the sdist into stage/ and apply the patches; return the tree."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        try:
            archive.extractall(stage, filter="data")
        except TypeError:  # a Python without extraction filters
            archive.extractall(stage)
    tree = stage / f"unicorn-{UNICORN_VERSION}"
    if not (tree / "src" / "CMakeLists.txt").is_file():
        raise BuildError(f"{sdist} does not hold src/CMakeLists.txt")
    apply_series(tree, patches)
    write_version_header(tree, series_version(patches))
    return tree


def sync_tree(source: Path, target: Path) -> int:
    """Make target hold source's files, rewriting only those that differ.

    Unchanged files keep their timestamps, so the build only recompiles what
    the patches changed.  Returns how many files were written.
    """
    written = 0
    wanted: set[Path] = set()
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        wanted.add(relative)
        destination = target / relative
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif not destination.is_file() or not filecmp.cmp(path, destination, shallow=False):
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            os.utime(destination)  # newer than any object built from the old file
            written += 1
    for path in sorted(target.rglob("*"), reverse=True):
        if path.relative_to(target) not in wanted:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    return written


def run_logged(command: list[str], log_path: Path, what: str) -> None:
    with log_path.open("a") as stream:
        stream.write(f"$ {' '.join(command)}\n")
        stream.flush()
        done = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise BuildError(f"{what} failed (full log: {log_path}):\n{tail}")


def build(tree: Path, build_dir: Path, jobs: int, tests: bool, log_path: Path) -> None:
    cmake = shutil.which("cmake")
    if cmake is None:
        raise BuildError("cmake not found: install cmake (apt install cmake, or pip install cmake)")
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        raise BuildError("no C compiler found (apt install gcc)")
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    if generator and (build_dir / "CMakeCache.txt").is_file():
        cache = (build_dir / "CMakeCache.txt").read_text(errors="replace")
        if "CMAKE_GENERATOR:INTERNAL=Ninja" not in cache:
            shutil.rmtree(build_dir)
    configure = [
        cmake, "-S", str(tree / "src"), "-B", str(build_dir), *generator,
        "-DCMAKE_BUILD_TYPE=Release",
        f"-DUNICORN_ARCH={UNICORN_ARCH}",
        "-DBUILD_SHARED_LIBS=ON",
        "-DUNICORN_LEGACY_STATIC_ARCHIVE=OFF",
        "-DUNICORN_INSTALL=OFF",
        f"-DUNICORN_BUILD_TESTS={'ON' if tests else 'OFF'}",
    ]
    # Unicorn's CMakeLists rewrites its config headers on every configure,
    # which rebuilds everything: configure only when the options change.
    stamp = build_dir / "pyqemu-configure.txt"
    if stamp.is_file() and stamp.read_text() == "\n".join(configure):
        log("configured already")
    else:
        log(f"configuring ({UNICORN_ARCH})")
        run_logged(configure, log_path, "cmake configure")
        stamp.write_text("\n".join(configure))
    targets = ["unicorn", *(UNIT_TESTS if tests else ())]
    log(f"building {', '.join(targets)} with {jobs} jobs")
    run_logged(
        [cmake, "--build", str(build_dir), "--parallel", str(jobs), "--target", *targets],
        log_path, "cmake build",
    )


def install(tree: Path, build_dir: Path, out_dir: Path, manifest: dict) -> Path:
    library = build_dir / LIBRARY
    if not library.is_file():
        raise BuildError(f"the build did not produce {library}")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / LIBRARY
    # Write beside and rename: a running pyqemu may have the old file mapped.
    partial = out_dir / (LIBRARY + ".partial")
    shutil.copy2(library, partial)
    os.replace(partial, target)
    headers = out_dir / "include" / "unicorn"
    if headers.exists():
        shutil.rmtree(headers)
    shutil.copytree(tree / "src" / "include" / "unicorn", headers)
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def run_unit_tests(build_dir: Path) -> bool:
    """Run Unicorn's own unit tests against the library just built."""
    env = dict(os.environ, LD_LIBRARY_PATH=str(build_dir))
    ok = True
    for name in UNIT_TESTS:
        done = subprocess.run([str(build_dir / name)], env=env, capture_output=True, text=True)
        lines = (done.stdout + done.stderr).strip().splitlines()
        log(f"{name}: {'ok' if done.returncode == 0 else 'FAILED'} ({lines[-1] if lines else ''})")
        ok = ok and done.returncode == 0
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", required=True, type=Path,
                        help="where libunicorn.so.2 and include/unicorn/ go")
    parser.add_argument("--work-dir", type=Path,
                        help="unpacked tree and cmake build (default: <cache-dir>/work)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="sdist cache (default: $PYQEMU_ENGINE_CACHE, "
                        "else ~/.cache/pyqemu/engine)")
    parser.add_argument("--sdist", type=Path, help=f"use this {SDIST_NAME} instead of the cache")
    parser.add_argument("--patch-dir", type=Path, default=PATCH_DIR)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--tests", action="store_true",
                        help="also build and run Unicorn's unit tests for x86, arm64, riscv")
    args = parser.parse_args()

    started = time.monotonic()
    cache_dir = args.cache_dir or default_cache_dir()
    work_dir = args.work_dir or cache_dir / "work"
    try:
        if args.sdist:
            sdist = args.sdist
            if not sdist.is_file():
                raise BuildError(f"{sdist}: no such file")
            if sha256_of(sdist) != SDIST_SHA256:
                raise BuildError(f"{sdist}: SHA-256 is not the pinned {SDIST_SHA256}")
        else:
            sdist = fetch_sdist(cache_dir)
        patches = patch_files(args.patch_dir)
        work_dir.mkdir(parents=True, exist_ok=True)
        staged = unpack_and_patch(sdist, patches, work_dir / "stage")
        tree = work_dir / "tree"
        changed = sync_tree(staged, tree)
        shutil.rmtree(work_dir / "stage")
        log(f"source tree {tree}: {changed} files updated")
        build_dir = work_dir / "build"
        log_path = work_dir / "build.log"
        log_path.write_text("")
        build(tree, build_dir, args.jobs, args.tests, log_path)
        manifest = {
            "unicorn": UNICORN_VERSION,
            "sdist_sha256": SDIST_SHA256,
            "arch": UNICORN_ARCH,
            "patches": {p.name: sha256_of(p) for p in patches},
            "engine_version": series_version(patches),
        }
        library = install(tree, build_dir, args.out_dir, manifest)
        log(f"installed {library} ({time.monotonic() - started:.0f} s)")
        if args.tests and not run_unit_tests(build_dir):
            raise BuildError("Unicorn's unit tests failed on the patched engine")
    except BuildError as error:
        log(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
