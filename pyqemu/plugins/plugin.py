# SPDX-License-Identifier: GPL-2.0-or-later
"""The types the plugin loaders share: QEMU's ``struct qemu_plugin_desc`` and
``QemuPluginList`` (include/qemu/plugin.h), and what the host learns about the
loaded program.

They live below both loaders (loader.py for shared objects, pyplugin.py for
Python modules) so that neither loader imports the other's module for its types.
"""

from __future__ import annotations

from typing import Protocol


class QemuPluginDesc:
    """One ``-plugin`` entry: the path and the argv its install receives."""

    __slots__ = ("path", "argv")

    def __init__(self, path: str, argv: list[str] | None = None) -> None:
        self.path = path
        self.argv: list[str] = [] if argv is None else argv


class QemuPluginList:
    """The pending plugins, in command-line order (``QEMU_PLUGIN`` first)."""

    __slots__ = ("descs", "keepalive")

    def __init__(self) -> None:
        self.descs: list[QemuPluginDesc] = []
        #: C strings handed to the plugins; kept alive for the plugins' lifetime
        self.keepalive: list[object] = []


class LoadedImage(Protocol):
    """What the plugin host reads of a loaded program (linux_user's ImageInfo has it):
    the facts QEMU 7.2 keeps in TaskState's image_info for qemu_plugin_start_code and
    friends, and where the program and its interpreter were loaded."""

    path: str
    exec_path: str
    start_code: int
    end_code: int
    interp_entry: int
    load_bias: int
    interp_path: str
    interp_base: int
