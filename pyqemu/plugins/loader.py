# SPDX-License-Identifier: GPL-2.0-or-later
"""Plugin loader: ``-plugin`` parsing, dlopen, the API version check, install.

Mirrors the first half of QEMU's plugins/loader.c (``qemu_plugin_opt_parse``,
``plugin_add``, ``qemu_plugin_load_list``, ``plugin_load``); the C half, which
allocates the plugin id, keeps the list of plugins and calls
``qemu_plugin_install``, is ``plugin_install_ctx`` in pyqemu/host/loader.c.

Option syntax is QemuOpts' (``,,`` escapes a comma; a first item without
``=`` is the file).  ``arg=<v>`` passes ``v`` verbatim, as 5.2 did; any other
``<name>=<value>`` is passed as the string ``name=value``, as QEMU 6.1 and
later do.  Error texts are those of qemu-x86_64 7.2, the reference that the
tests run beside pyqemu.
"""

from __future__ import annotations

import ctypes
import os

from pyqemu.errors import PluginError
from pyqemu.plugins.plugin import LoadedImage, QemuPluginDesc, QemuPluginList
from pyqemu.plugins.pyplugin import is_python_plugin, python_plugin_load

__all__ = ["PLUGIN_API_LEVELS", "QemuPluginDesc", "QemuPluginList", "plugin_add",
           "plugin_load", "qemu_plugin_image_loaded", "qemu_plugin_load_list",
           "qemu_plugin_opt_parse", "check_plugin_api", "split_qemu_opts"]


def split_qemu_opts(optstr: str) -> list[str]:
    """Split a QemuOpts string at single commas; ``,,`` stands for a comma."""
    items: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(optstr):
        ch = optstr[i]
        if ch == ",":
            if optstr.startswith(",,", i):
                current.append(",")
                i += 2
                continue
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    items.append("".join(current))
    return items


def plugin_add(name: str, value: str, head: QemuPluginList, desc: QemuPluginDesc | None
               ) -> QemuPluginDesc | None:
    """Apply one key=value of a ``-plugin`` option; returns the current desc."""
    if name == "file":
        if value == "":
            raise PluginError("requires a non-empty argument")
        for existing in head.descs:
            # the same path string names the same plugin: one install, joined argv
            if existing.path == value:
                return existing
        desc = QemuPluginDesc(value)
        head.descs.append(desc)
        return desc
    if desc is None:
        raise PluginError("missing earlier '-plugin file=' option")
    desc.argv.append(value if name == "arg" else f"{name}={value}")
    return desc


def qemu_plugin_opt_parse(optstr: str, head: QemuPluginList) -> None:
    """Parse one ``-plugin`` (or ``QEMU_PLUGIN``) value into ``head``.

    An empty value holds no option at all, so it loads nothing (as in QEMU).
    """
    desc: QemuPluginDesc | None = None
    if not optstr:
        return
    for index, item in enumerate(split_qemu_opts(optstr)):
        if "=" in item:
            name, value = item.split("=", 1)
        elif index == 0:
            name, value = "file", item
        else:
            # a bare flag, as QemuOpts reads it (7.2 warns and passes "flag=on")
            name, value = item, "on"
        desc = plugin_add(name, value, head, desc)


# ---- the plugin API level (issue 9) ----

PLUGIN_API_LEVELS = ("5.2", "7.2")


def check_plugin_api(level: str) -> str:
    """``level`` when it names a plugin API level pyqemu implements (``-plugin-api``).

    Only checks: the level is kept in Options, and the runner hands it to
    pyqemu.host.load, which loads the host of that level.
    Raises: ValueError for an unknown level.
    """
    if level not in PLUGIN_API_LEVELS:
        raise ValueError(f"plugin API level '{level}' is not supported "
                         f"({', '.join(PLUGIN_API_LEVELS)})")
    return level


def qemu_plugin_image_loaded(image: LoadedImage) -> None:
    """Tell the host about the program just loaded (QEMU 7.2's TaskState facts).

    Feeds qemu_plugin_path_to_binary/start_code/end_code/entry_code and the
    symbol tables of qemu_plugin_insn_symbol (the program's, then its
    interpreter's, as QEMU's load_symbols runs for each image).
    """
    from pyqemu.host import lib

    if not hasattr(lib, "plugin_set_image_info"):
        return   # a build without plugins
    lib.plugin_set_image_info(image.exec_path.encode(), image.start_code, image.end_code,
                              image.interp_entry)
    lib.plugin_load_symbols(image.path.encode(), image.load_bias)
    if image.interp_path:
        lib.plugin_load_symbols(image.interp_path.encode(), image.interp_base)


# ---- dlopen, as g_module_open(path, G_MODULE_BIND_LOCAL) does it ----

_libdl = ctypes.CDLL(None)
_dlopen = _libdl.dlopen
_dlopen.restype = ctypes.c_void_p
_dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
_dlsym = _libdl.dlsym
_dlsym.restype = ctypes.c_void_p
_dlsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_dlerror = _libdl.dlerror
_dlerror.restype = ctypes.c_char_p
_dlclose = _libdl.dlclose
_dlclose.argtypes = [ctypes.c_void_p]


def _dl_error() -> str:
    text = _dlerror()
    return text.decode(errors="replace") if text else "unknown error"


def g_module_path(path: str) -> str:
    """The file name g_module_open() hands to dlopen for path.

    A regular file is taken as it is; failing that, path + ".so" when that is a
    regular file; failing both, ".so" is added when the last component of path
    has no dot, and the dynamic linker searches (glib's libtool ".la" step is left out).
    """
    if os.path.isfile(path):
        return path
    with_suffix = path + ".so"
    if os.path.isfile(with_suffix) or "." not in os.path.basename(path):
        return with_suffix
    return path


def g_module_symbol(handle: int, name: str) -> int:
    _dlerror()
    address = _dlsym(handle, name.encode())
    if not address:
        raise PluginError(f"'{name}': {_dl_error()}")
    return address


def plugin_load(desc: QemuPluginDesc, head: QemuPluginList, target_name: str) -> None:
    """dlopen one plugin, check its API version and install it."""
    from pyqemu.host import ffi, lib

    try:
        handle = _dlopen(g_module_path(desc.path).encode(), os.RTLD_NOW | os.RTLD_LOCAL)
        if not handle:
            raise PluginError(_dl_error())
        try:
            install = g_module_symbol(handle, "qemu_plugin_install")
            try:
                version_addr = g_module_symbol(handle, "qemu_plugin_version")
            except PluginError as exc:
                raise PluginError(f"plugin does not declare API version {exc}") from None
            version = ctypes.c_int.from_address(version_addr).value
            vmin, vcur = lib.plugin_version_min(), lib.plugin_version_cur()
            if version < vmin:
                raise PluginError(
                    f"plugin requires API version {version}, but this QEMU supports only "
                    f"a minimum version of {vmin}")
            if version > vcur:
                raise PluginError(
                    f"plugin requires API version {version}, but this QEMU supports only "
                    f"up to version {vcur}")
        except PluginError:
            _dlclose(handle)
            raise
    except PluginError as exc:
        raise PluginError(f"Could not load plugin {desc.path}: {exc}") from None

    c_args = [ffi.new("char[]", arg.encode()) for arg in desc.argv]
    c_argv = ffi.new("char *[]", c_args + [ffi.NULL])
    c_target = ffi.new("char[]", target_name.encode())
    plugin_id = ffi.new("uint64_t *")
    head.keepalive.extend([c_args, c_argv, c_target])
    c_name = ffi.new("char[]", desc.path.encode())
    head.keepalive.append(c_name)
    rc = lib.plugin_install_ctx(ffi.cast("void *", handle), ffi.cast("void *", install),
                                len(c_args), c_argv, c_target, c_name, plugin_id)
    if rc != 0:
        lib.plugin_reset_uninstall(plugin_id[0], ffi.NULL, False)
        raise PluginError(
            f"Could not load plugin {desc.path}: qemu_plugin_install returned error code {rc}")


def qemu_plugin_load_list(head: QemuPluginList, target_name: str) -> None:
    """Load every pending plugin in order; the first failure stops the list.

    A ``.py`` file or an importable module name is a plugin written in
    Python (pyqemu/plugins/pyplugin.py); anything else is a shared object.
    """
    for desc in head.descs:
        if is_python_plugin(desc.path):
            python_plugin_load(desc, head, target_name)
        else:
            plugin_load(desc, head, target_name)
