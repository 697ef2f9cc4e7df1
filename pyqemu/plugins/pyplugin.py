# SPDX-License-Identifier: GPL-2.0-or-later
"""Loading plugins written in Python: ``-plugin tool.py,arg=...`` or ``-plugin pkg.module``.

The Python counterpart of plugin_load (pyqemu/plugins/loader.py, which calls
this module): the module takes the place of the shared object, its ``qemu_plugin_version`` (0 when
absent) is checked the same way, and its ``qemu_plugin_install(id, info,
args)`` is called through the same C ``plugin_install_ctx``, so the plugin
gets an id, a place in the list and every event like a C plugin.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType
from typing import Any

from pyqemu.errors import PluginError
from pyqemu.plugins.plugin import QemuPluginDesc, QemuPluginList


def is_python_plugin(path: str) -> bool:
    """A ``.py`` file, or a dotted module name that Python can import."""
    if path.endswith(".py"):
        return True
    if "/" in path or path.endswith(".so") or os.path.exists(path):
        return False
    try:
        return importlib.util.find_spec(path) is not None
    except (ImportError, ValueError):
        return False


def _import(path: str) -> ModuleType:
    if path.endswith(".py"):
        if not os.path.exists(path):
            raise PluginError(f"{path}: No such file or directory")
        name = "pyqemu_plugin_" + os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(path)


def python_plugin_load(desc: QemuPluginDesc, head: QemuPluginList, target_name: str) -> None:
    """Import a Python plugin, check its API version and install it."""
    from pyqemu.host import ffi, lib
    from pyqemu.plugins import api

    try:
        try:
            module = _import(desc.path)
        except PluginError:
            raise
        except Exception as exc:  # the plugin's own import failed: say which and why
            raise PluginError(f"{type(exc).__name__}: {exc}") from None
        install = getattr(module, "qemu_plugin_install", None)
        if not callable(install):
            raise PluginError("'qemu_plugin_install': not defined by the module")
        version = getattr(module, "qemu_plugin_version", api.QEMU_PLUGIN_VERSION)
        vmin, vcur = lib.plugin_version_min(), lib.plugin_version_cur()
        if version < vmin:
            raise PluginError(f"plugin requires API version {version}, but this QEMU supports "
                              f"only a minimum version of {vmin}")
        if version > vcur:
            raise PluginError(f"plugin requires API version {version}, but this QEMU supports "
                              f"only up to version {vcur}")
    except PluginError as exc:
        raise PluginError(f"Could not load plugin {desc.path}: {exc}") from None

    failure: list[BaseException] = []

    def trampoline(plugin_id: int, info: Any, _argc: int, _argv: Any) -> int:
        api.plugin_names[plugin_id] = desc.path
        view = {
            "target_name": ffi.string(info.target_name).decode(),
            "version": {"min": info.version.min, "cur": info.version.cur},
            "system_emulation": bool(info.system_emulation),
        }
        try:
            return int(install(plugin_id, view, list(desc.argv)) or 0)
        except Exception as exc:  # noqa: BLE001 - reported by the loader as one line
            failure.append(exc)
            return -1

    c_install = ffi.callback("int(uint64_t, const qemu_info_t *, int, char **)", trampoline)
    c_target = ffi.new("char[]", target_name.encode())
    plugin_id = ffi.new("uint64_t *")
    head.keepalive.extend([c_install, c_target, module])
    c_name = ffi.new("char[]", desc.path.encode())
    head.keepalive.append(c_name)
    rc = lib.plugin_install_ctx(ffi.NULL, c_install, 0, ffi.NULL, c_target, c_name, plugin_id)
    if rc != 0:
        lib.plugin_reset_uninstall(plugin_id[0], ffi.NULL, False)
        if failure:
            raise PluginError(f"Could not load plugin {desc.path}: qemu_plugin_install raised "
                              f"{type(failure[0]).__name__}: {failure[0]}")
        raise PluginError(
            f"Could not load plugin {desc.path}: qemu_plugin_install returned error code {rc}")
