# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine boundary (issue 21): the patch series and the engine's version check.

subprojects/unicorn/ holds a ``git format-patch`` series against Unicorn 2.1.4's
sdist: every patch is a mail with a subject and a message, and they apply one by one,
in order, to the pristine source (checked here with ``git apply --check`` before each
is applied).  scripts/build_engine.py names the patch that does not apply, on one line.

Patch 0013 makes the library export ``pyqemu_engine_version()``; build_engine.py
computes the string from the series and records it in engine-build.json.  The built
engine must report the string its manifest records, which must be the one the series
in this tree gives; a copy of that engine whose string is changed in its bytes (a
real, loadable engine of another version) must make ``pyqemu-x86_64 /bin/true`` print
one line and exit with status 1, while the unchanged copy runs /bin/true.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from prerequisites import missing

REPO = Path(__file__).resolve().parents[2]
PATCH_DIR = REPO / "subprojects" / "unicorn"
TIMEOUT = 300
# the first import of pyqemu after a patch changed rebuilds the engine (editable install)
IMPORT_TIMEOUT = 1500


def build_engine() -> ModuleType:
    """scripts/build_engine.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("build_engine",
                                                  REPO / "scripts" / "build_engine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def series() -> list[Path]:
    return build_engine().patch_files(PATCH_DIR)


def meson_listed_patches() -> list[str]:
    text = (PATCH_DIR / "meson.build").read_text()
    block = text.split("patches = files(", 1)[1].split(")", 1)[0]
    return re.findall(r"'([^']+\.patch)'", block)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Unicorn 2.1.4's sdist unpacked, fetched through pip into the cache if absent."""
    if shutil.which("git") is None:
        missing("git (apt install git)")
    engine = build_engine()
    try:
        sdist = engine.fetch_sdist(engine.default_cache_dir())
    except engine.BuildError as error:
        missing(f"the Unicorn 2.1.4 sdist: {error}")
    stage = tmp_path_factory.mktemp("pristine")
    with tarfile.open(sdist) as archive:
        archive.extractall(stage, filter="data")
    return stage / f"unicorn-{engine.UNICORN_VERSION}"


def git_apply(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Not inside the repository of the tests: the tree is a plain directory.
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tree.parent))
    return subprocess.run(["git", "apply", *args], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)


def test_series_is_the_directory_and_meson_list_in_order() -> None:
    names = [path.name for path in series()]
    assert names == meson_listed_patches()
    assert [name[:4] for name in names] == [f"{n:04d}" for n in range(1, len(names) + 1)]
    assert "0013-engine-version.patch" in names


@pytest.mark.parametrize("patch", [path.name for path in series()])
def test_each_patch_is_a_format_patch_mail_with_a_message(patch: str) -> None:
    text = (PATCH_DIR / patch).read_text()
    head, separator, diff = text.partition("\n---\n")
    assert separator, "no '---' line between the message and the diff"
    assert head.startswith("From 0000000000000000000000000000000000000000 ")
    subject = re.search(r"^Subject: \[PATCH\] (.+)$", head, re.MULTILINE)
    assert subject is not None and len(subject.group(1)) >= 20
    body = head.split("\n\n", 1)[1].strip()
    # a message saying what the patch changes and why, not only a title
    assert len(body.splitlines()) >= 10 and "Why" in body
    diffs = re.findall(r"^diff .*$", diff, re.MULTILINE)
    assert diffs and all(line.startswith("diff --git a/") for line in diffs)


def test_series_applies_in_order_to_the_pristine_sdist(pristine: Path) -> None:
    for patch in series():
        check = git_apply(pristine, "--check", str(patch))
        assert check.returncode == 0, f"{patch.name}: {check.stderr}"
        applied = git_apply(pristine, str(patch))
        assert applied.returncode == 0, f"{patch.name}: {applied.stderr}"
    assert "const char *pyqemu_engine_version(void)" in (pristine / "src" / "uc.c").read_text()


def test_a_patch_that_does_not_apply_is_named_on_one_line(tmp_path: Path) -> None:
    engine = build_engine()
    try:
        sdist = engine.fetch_sdist(engine.default_cache_dir())
    except engine.BuildError as error:
        missing(f"the Unicorn 2.1.4 sdist: {error}")
    patches = series()
    broken = tmp_path / "patches"
    broken.mkdir()
    for patch in patches[:2]:
        shutil.copy(patch, broken / patch.name)
    # 0001 again, as the third patch: its changes are in the tree already
    shutil.copy(patches[0], broken / "0003-first-again.patch")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_engine.py"), "--sdist", str(sdist),
         "--out-dir", str(out), "--work-dir", str(tmp_path / "work"),
         "--patch-dir", str(broken)],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("build_engine: error: 0003-first-again.patch does not apply")
    assert not (out / "libunicorn.so.2").exists()


def built_engine() -> Path:
    """The library pyqemu builds and loads by default, asked of a child interpreter."""
    env = dict(os.environ, PYQEMU_ENGINE="built")
    env.pop("LIBUNICORN_PATH", None)
    done = subprocess.run(
        [sys.executable, "-c",
         "import pyqemu.host as h; print(h.engine_library); print(h.engine_kind)"],
        env=env, capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=IMPORT_TIMEOUT,
    )
    if "was not built" in done.stderr:
        missing("pyqemu's engine (scripts/install-deps.sh builds it)")
    assert done.returncode == 0, done.stderr
    library, kind = done.stdout.split()
    assert kind == "built"
    return Path(library)


def reported_version(library: Path) -> str:
    """pyqemu_engine_version() of a library, called in a child (nothing else loaded)."""
    probe = ("import ctypes, sys; f = ctypes.CDLL(sys.argv[1]).pyqemu_engine_version; "
             "f.restype = ctypes.c_char_p; print(f().decode())")
    done = subprocess.run([sys.executable, "-c", probe, str(library)], capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_built_engine_reports_the_version_of_this_series() -> None:
    library = built_engine()
    manifest = json.loads((library.parent / "engine-build.json").read_text())
    expected = build_engine().series_version(series())
    assert re.fullmatch(rf"2\.1\.4\+pyqemu\.{len(series())}\.[0-9a-f]{{8}}", expected)
    assert manifest["engine_version"] == expected
    assert reported_version(library) == expected
    assert sorted(manifest["patches"]) == [path.name for path in series()]


def test_stock_engine_has_no_version_and_stays_allowed() -> None:
    env = dict(os.environ, PYQEMU_ENGINE="stock")
    env.pop("LIBUNICORN_PATH", None)
    done = subprocess.run(
        [sys.executable, "-c",
         "import pyqemu.host as h; print(h.engine_kind, h.engine_version, len(h.engine_patches))"],
        env=env, capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["stock", "None", "0"]


def pyqemu_x86_64(engine: Path) -> subprocess.CompletedProcess[str]:
    """pyqemu-x86_64 /bin/true, the console script, on the engine in the directory engine."""
    script = Path(sys.executable).parent / "pyqemu-x86_64"
    command = [str(script)] if script.is_file() else [sys.executable, "-m",
                                                      "pyqemu.linux_user.main"]
    env = dict(os.environ, PYQEMU_ENGINE=str(engine))
    env.pop("LIBUNICORN_PATH", None)
    return subprocess.run([*command, "/bin/true"], env=env, capture_output=True, text=True,
                          cwd=tempfile.gettempdir(), timeout=TIMEOUT)


def test_engine_of_another_version_stops_pyqemu_with_one_line(tmp_path: Path) -> None:
    library = built_engine()
    version = reported_version(library)
    data = library.read_bytes()
    assert data.count(version.encode() + b"\0") == 1
    # the same engine, accepted while its version is this pyqemu's
    same = tmp_path / "same"
    same.mkdir()
    shutil.copy(library, same / "libunicorn.so.2")
    shutil.copy(library.parent / "engine-build.json", same / "engine-build.json")
    ran = pyqemu_x86_64(same)
    assert (ran.returncode, ran.stderr) == (0, "")
    # and with another version string of the same length in its bytes
    other_version = "0.0.0+pyqemu.0." + "0" * (len(version) - len("0.0.0+pyqemu.0."))
    assert len(other_version) == len(version) and other_version != version
    other = tmp_path / "other"
    other.mkdir()
    (other / "libunicorn.so.2").write_bytes(
        data.replace(version.encode() + b"\0", other_version.encode() + b"\0"))
    shutil.copy(library.parent / "engine-build.json", other / "engine-build.json")
    assert reported_version(other / "libunicorn.so.2") == other_version
    stopped = pyqemu_x86_64(other)
    assert stopped.returncode == 1
    assert stopped.stderr == (
        f"pyqemu: engine {other / 'libunicorn.so.2'} is version {other_version}, "
        f"this pyqemu needs {version} (rebuild with scripts/build_engine.py)\n")
    assert stopped.stdout == ""
