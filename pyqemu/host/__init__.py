# SPDX-License-Identifier: GPL-2.0-or-later
"""The C host (``_host``): plugin core, plugin API and the engine loop.

Importing this package loads the engine and the disassembler.  ``load(level)``
then imports the cffi extension of that plugin API level (``_host`` for QEMU
7.2's, ``_host52`` for 5.2's) and makes its ``qemu_plugin_*`` exports visible
to plugins that are dlopen'ed later (a Python extension is loaded RTLD_LOCAL;
QEMU's plugins resolve the API against the emulator binary itself, which is
what RTLD_GLOBAL restores).  The level is an argument, given by whoever knows
it (``linux_user.run`` from its Options), never an environment variable; code
that reads ``pyqemu.host.lib`` before anyone chose gets the default, 7.2.

The engine is whichever ``libunicorn.so.2`` is loaded first: ``_host`` names
it only by SONAME, so preloading a file globally decides which one it binds
to.  ``PYQEMU_ENGINE`` picks that file:

- unset, empty or ``auto``: the engine pyqemu builds from Unicorn's source
  with its own patches (``scripts/build_engine.py``, installed as
  ``pyqemu/host/engine/libunicorn.so.2``), or the unicorn wheel's library
  when that build is absent;
- ``built``: the patched engine, and an ImportError when it is absent;
- ``stock``: the unicorn wheel's library, for comparison;
- a path to a ``libunicorn.so.2`` file, or to the directory holding one.

Before the extension is imported, the engine's version is checked (issue
21): pyqemu's engine exports ``pyqemu_engine_version()`` (patch 0013), a
string naming Unicorn's version and the patch series it was built from, and
``scripts/build_engine.py`` records the same string in the
``engine-build.json`` it installs beside the library.  This pyqemu's own
manifest (``engine/engine-build.json``) says which version it needs; its own
library, and any library that claims to be pyqemu's (it exports the
function, or has a manifest listing patches), must report exactly that, or
the import fails with EngineVersionError, which ``pyqemu-<target>`` prints
as one line.  A library without the function and without patches is the
stock engine (the unicorn wheel's) and is always accepted.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
import warnings
from typing import Any

from pyqemu.errors import PyqemuError

ENGINE_VARIABLE = "PYQEMU_ENGINE"
_ENGINE_SONAME = "libunicorn.so.2"
_DISASSEMBLER = ("capstone", "lib/libcapstone.so")
_MANIFEST = "engine-build.json"


class EngineVersionError(PyqemuError, ImportError):
    """The engine is a build of pyqemu's patch series other than this pyqemu's.

    An ImportError too: ``import pyqemu.host`` fails with it, as it fails when
    no engine can be found.
    """

    def __init__(self, library: str, found: str | None, needed: str | None) -> None:
        super().__init__(f"engine {library} is version {found or 'none'}, this pyqemu needs "
                         f"{needed or 'none'} (rebuild with scripts/build_engine.py)")
        self.library = library
        self.found = found
        self.needed = needed


def _wheel_library(package: str, relpath: str) -> str:
    """A shared library shipped inside an installed wheel."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(f"pyqemu needs the '{package}' package")
    return os.path.join(os.path.dirname(spec.origin), relpath)


@functools.cache
def _built_engine() -> str | None:
    """The patched engine installed beside this package, if it was built.

    In an editable install meson-python's loader maps the installed name to
    the file in the build directory, so this finds both.
    """
    beside = os.path.join(os.path.dirname(__file__), "engine", _ENGINE_SONAME)
    if os.path.isfile(beside):   # an installed wheel: no importlib.resources, no pathlib
        return beside
    import importlib.resources
    from pathlib import Path

    try:
        candidate = importlib.resources.files(__name__).joinpath("engine", _ENGINE_SONAME)
    except (ModuleNotFoundError, TypeError):
        return None
    if isinstance(candidate, Path) and candidate.is_file():
        return str(candidate)
    return None


def _engine_library() -> str:
    """The ``libunicorn.so.2`` that ``PYQEMU_ENGINE`` asks for (see the module doc)."""
    choice = os.environ.get(ENGINE_VARIABLE, "").strip()
    if choice == "stock":
        return _wheel_library("unicorn", "lib/" + _ENGINE_SONAME)
    if choice in ("", "auto", "built"):
        built = _built_engine()
        if built is not None:
            return built
        if choice == "built":
            raise ImportError(
                f"{ENGINE_VARIABLE}=built, but the patched engine was not built "
                f"(run scripts/build_engine.py, or reinstall pyqemu)"
            )
        return _wheel_library("unicorn", "lib/" + _ENGINE_SONAME)
    path = choice
    if os.path.isdir(path):
        path = os.path.join(path, _ENGINE_SONAME)
    if not os.path.isfile(path):
        raise ImportError(f"{ENGINE_VARIABLE}={choice}: no {_ENGINE_SONAME} there")
    return path


def _mapped_engines() -> list[str]:
    """The libunicorn.so.2 files this process has mapped, in load order."""
    try:
        with open("/proc/self/maps") as maps_file:
            maps = maps_file.read()
    except OSError:
        return []
    found: list[str] = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].endswith("/" + _ENGINE_SONAME):
            path = fields[5]
            if path not in found:
                found.append(path)
    return found


class _UnicornBinding:
    """A meta-path finder that has the unicorn Python package load ``library``.

    The package loads its library once, when imported, from $LIBUNICORN_PATH if that is
    set.  pyqemu itself never imports it (register ids come from the engine's header
    through cffi), so importing it here cost every start-up a tenth of its time
    (issue 19); instead its first import, by a test or a Python plugin, runs with the
    variable pointing at the engine this process loaded, which is then put back.
    """

    def __init__(self, library: str) -> None:
        self.library = library

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "unicorn":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module
        directory = os.path.dirname(self.library)

        def exec_with_engine(module: types.ModuleType) -> None:
            previous = os.environ.get("LIBUNICORN_PATH")
            os.environ["LIBUNICORN_PATH"] = directory
            try:
                exec_module(module)
            finally:
                if previous is None:
                    del os.environ["LIBUNICORN_PATH"]
                else:
                    os.environ["LIBUNICORN_PATH"] = previous

        spec.loader.exec_module = exec_with_engine  # type: ignore[method-assign]  # wrapped: unicorn must load our engine
        return spec


def _bind_python_package(library: str) -> None:
    """Have the unicorn Python package, when it is first imported, load the same file
    (see _UnicornBinding); nothing to do when it was imported before pyqemu.host."""
    if "unicorn" not in sys.modules:
        sys.meta_path.insert(0, _UnicornBinding(library))


def _manifest(library: str) -> dict:
    """engine-build.json beside an engine ({} when there is none or it is unreadable)."""
    try:
        with open(os.path.join(os.path.dirname(library), _MANIFEST)) as manifest_file:
            manifest = json.load(manifest_file)
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _engine_patches(library: str) -> tuple[str, ...]:
    """The pyqemu patches built into an engine (engine-build.json beside it)."""
    try:
        return tuple(_manifest(library)["patches"])
    except (KeyError, TypeError):
        return ()


def _reported_version(handle: ctypes.CDLL) -> str | None:
    """What the loaded engine's pyqemu_engine_version() returns; None without it."""
    try:
        function = handle.pyqemu_engine_version
    except AttributeError:
        return None
    function.argtypes = []
    function.restype = ctypes.c_char_p
    value = function()
    return value.decode(errors="replace") if value is not None else ""


def _check_engine_version(library: str, handle: ctypes.CDLL) -> tuple[str, str | None]:
    """The engine's kind and version; EngineVersionError when it is not this pyqemu's.

    Kinds: "built" (this pyqemu's own build), "patched" (another build of the
    same series, named by PYQEMU_ENGINE), "stock" (no pyqemu_engine_version
    and no patches: the wheel's library).
    """
    found = _reported_version(handle)
    own = _built_engine()
    needed = _manifest(own).get("engine_version") if own is not None else None
    if own is not None and os.path.realpath(library) == os.path.realpath(own):
        if found is None or found != needed:
            raise EngineVersionError(library, found, needed)
        return "built", found
    if found is None and not _engine_patches(library):
        return "stock", None
    # claims to be pyqemu's; without a build of its own this pyqemu cannot judge
    if needed is not None and found != needed:
        raise EngineVersionError(library, found, needed)
    return "patched", found


def _preload(path: str) -> ctypes.CDLL:
    """Load a shared library globally, so _host's DT_NEEDED matches it."""
    return ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_GLOBAL)


engine_library = _engine_library()
_loaded_first = _mapped_engines()
if _loaded_first and os.path.realpath(_loaded_first[0]) != os.path.realpath(engine_library):
    # The unicorn package was imported before this one and loaded its own
    # file; the dynamic linker binds _host's libunicorn.so.2 to the first one
    # loaded, so that file is the engine whatever PYQEMU_ENGINE says.
    if os.environ.get(ENGINE_VARIABLE, "").strip() not in ("", "auto"):
        warnings.warn(
            f"{ENGINE_VARIABLE} ignored: the unicorn package was imported first and "
            f"loaded {_loaded_first[0]}; import pyqemu.host before unicorn",
            RuntimeWarning, stacklevel=2,
        )
    engine_library = _loaded_first[0]
_engine = _preload(engine_library)
# e.g. ("built", "2.1.4+pyqemu.13.6c375d82"); ("stock", None) for the wheel's
engine_kind, engine_version = _check_engine_version(engine_library, _engine)
_libraries = [_engine, _preload(_wheel_library(*_DISASSEMBLER))]
_bind_python_package(engine_library)
# e.g. ("0001-store-fast-path-for-pages-without-code.patch", ...); () for stock
engine_patches = _engine_patches(engine_library)


# --- PYQEMU_HOST_BUILD: _host from another meson build (tests/sanitize/) ------
HOST_BUILD_VARIABLE = "PYQEMU_HOST_BUILD"


def _host_from_build(build_dir: str, module: str = "_host") -> types.ModuleType:
    """Import the extension ``module`` from ``<build_dir>/pyqemu/host/``.

    Lets one process run a differently built C host, e.g. one compiled with
    ``-Db_sanitize=address,undefined``, without reinstalling pyqemu.
    """
    import importlib.machinery
    from pathlib import Path

    folder = Path(build_dir) / "pyqemu" / "host"
    found = [folder / f"{module}{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    path = next((candidate for candidate in found if candidate.is_file()), None)
    spec = path and importlib.util.spec_from_file_location(f"{__name__}.{module}", path)
    if not spec or spec.loader is None:
        raise ImportError(f"{HOST_BUILD_VARIABLE}={build_dir}: no {module} extension in {folder}")
    extension = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = extension
    spec.loader.exec_module(extension)
    return extension


# --- plugin API level: which of the two hosts to load (issue 9) -----------------
# '_host' implements QEMU 7.2's plugin API (QEMU_PLUGIN_VERSION 1), '_host52'
# exactly QEMU 5.2's.  Whoever knows the level (the runner, from Options) calls
# load(level) once; a process holds one host, so it cannot change after that.
API_LEVEL_MODULES = {"7.2": "_host", "5.2": "_host52"}
DEFAULT_API_LEVEL = "7.2"


class HostLevelError(PyqemuError, ValueError):
    """A plugin API level that does not exist, or another level than the loaded one."""


class Host:
    """The loaded C host: its plugin API level and the cffi extension that implements it."""

    __slots__ = ("level", "module", "ffi", "lib")

    def __init__(self, level: str, module: types.ModuleType, ffi: Any, lib: Any) -> None:
        self.level = level
        self.module = module
        self.ffi = ffi
        self.lib = lib


_loaded: Host | None = None


def load(level: str = DEFAULT_API_LEVEL) -> Host:
    """Load the host that implements QEMU ``level``'s plugin API (idempotent).

    Imports the extension (or its twin from ``PYQEMU_HOST_BUILD``), then makes
    its ``qemu_plugin_*`` exports global for the plugins dlopen'ed later.
    Raises HostLevelError for an unknown level, or when this process already
    holds the host of another level (the two cannot live in one process: both
    export the same ``qemu_plugin_*`` names).
    """
    global _loaded
    if level not in API_LEVEL_MODULES:
        raise HostLevelError(f"plugin API level '{level}' is not supported "
                             f"({', '.join(sorted(API_LEVEL_MODULES))})")
    if _loaded is not None:
        if _loaded.level != level:
            raise HostLevelError(f"plugin API level {_loaded.level} is already loaded in this "
                                 f"process; level {level} needs a new process")
        return _loaded
    name = API_LEVEL_MODULES[level]
    build_dir = os.environ.get(HOST_BUILD_VARIABLE)
    module = (_host_from_build(build_dir, name) if build_dir
              else importlib.import_module(f"{__name__}.{name}"))
    _libraries.append(ctypes.CDLL(module.__file__,
                                  mode=os.RTLD_NOW | os.RTLD_GLOBAL | os.RTLD_NOLOAD))
    _loaded = Host(level, module, module.ffi, module.lib)
    # later reads of pyqemu.host.lib/ffi are plain attributes, not __getattr__ calls
    globals().update(ffi=_loaded.ffi, lib=_loaded.lib, plugin_api_level=level)
    return _loaded


def loaded() -> Host | None:
    """The host this process loaded, or None before load()."""
    return _loaded


def __getattr__(name: str) -> Any:
    """``lib``, ``ffi``, ``plugin_api_level``, ``_host``: the loaded host's, loading the
    default level (QEMU 7.2's) when nothing chose one (tests, scripts, pyqemu-cov)."""
    if name in ("lib", "ffi", "plugin_api_level", "_host"):
        host = load(_loaded.level if _loaded is not None else DEFAULT_API_LEVEL)
        return {"lib": host.lib, "ffi": host.ffi, "plugin_api_level": host.level,
                "_host": host.module}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["API_LEVEL_MODULES", "DEFAULT_API_LEVEL", "ENGINE_VARIABLE", "EngineVersionError",
           "Host", "HostLevelError", "engine_kind", "engine_library", "engine_patches",
           "engine_version", "ffi", "lib", "load", "loaded", "plugin_api_level"]
