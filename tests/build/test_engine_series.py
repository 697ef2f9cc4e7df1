"""The engine boundary (issue 21): the patch series.

subprojects/unicorn/ holds a ``git format-patch`` series against Unicorn 2.1.4's
sdist: every patch is a mail with a subject and a message, and they apply one by one,
in order, to the pristine source (checked here with ``git apply --check`` before each
is applied).  scripts/build_engine.py names the patch that does not apply, on one line.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
from prerequisites import missing

REPO = Path(__file__).resolve().parents[2]
PATCH_DIR = REPO / "subprojects" / "unicorn"
TIMEOUT = 300


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
