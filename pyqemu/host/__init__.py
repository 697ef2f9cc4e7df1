"""The C host (``_host``): plugin core, plugin API and the engine loop.

Importing this package loads the engine and the disassembler from their
wheels, then the cffi extension, and finally makes the extension's
``qemu_plugin_*`` exports visible to plugins that are dlopen'ed later (a
Python extension is loaded RTLD_LOCAL; QEMU's plugins resolve the API
against the emulator binary itself, which is what RTLD_GLOBAL restores).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
from pathlib import Path

_ENGINE_LIBRARIES = (("unicorn", "lib/libunicorn.so.2"), ("capstone", "lib/libcapstone.so"))


def _preload(package: str, relpath: str) -> ctypes.CDLL:
    """Load a wheel's shared library globally, so _host's DT_NEEDED matches it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(f"pyqemu needs the '{package}' package")
    path = Path(spec.origin).parent / relpath
    return ctypes.CDLL(str(path), mode=os.RTLD_NOW | os.RTLD_GLOBAL)


_libraries = [_preload(package, relpath) for package, relpath in _ENGINE_LIBRARIES]

from pyqemu.host import _host  # noqa: E402

_self = ctypes.CDLL(_host.__file__, mode=os.RTLD_NOW | os.RTLD_GLOBAL | os.RTLD_NOLOAD)
ffi = _host.ffi
lib = _host.lib

__all__ = ["ffi", "lib"]
