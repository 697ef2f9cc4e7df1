"""The C host exports exactly the qemu_plugin_* names of plugins/qemu-plugins.symbols.

QEMU links the emulator with --dynamic-list so plugins see the listed API
and nothing else; pyqemu's extension is built with hidden visibility and the
generated list, and its dynamic symbol table is read here with pyelftools.
"""

from __future__ import annotations

import re
from pathlib import Path

from elftools.elf.elffile import ELFFile

from pyqemu.host import _host

REPO = Path(__file__).resolve().parents[2]


def listed_names() -> set[str]:
    text = (REPO / "plugins" / "qemu-plugins.symbols").read_text()
    return set(re.findall(r"\b(qemu_plugin_\w+)\s*;", text))


def defined_dynamic_symbols(path: str) -> set[str]:
    with open(path, "rb") as f:
        dynsym = ELFFile(f).get_section_by_name(".dynsym")
        return {sym.name for sym in dynsym.iter_symbols()
                if sym["st_shndx"] != "SHN_UNDEF" and sym.name}


def test_host_exports_exactly_the_listed_api() -> None:
    exported = defined_dynamic_symbols(_host.__file__)
    plugin_api = {name for name in exported if name.startswith("qemu_plugin_")}
    assert plugin_api == listed_names()
    assert len(plugin_api) == 38


def test_host_exports_nothing_else_but_the_module_init() -> None:
    exported = defined_dynamic_symbols(_host.__file__)
    others = {name for name in exported if not name.startswith("qemu_plugin_")}
    assert others == {"PyInit__host"}


def test_device_offset_is_defined_but_not_exported() -> None:
    # 5.2 declares qemu_plugin_hwaddr_device_offset but leaves it out of the list
    assert "qemu_plugin_hwaddr_device_offset" not in defined_dynamic_symbols(_host.__file__)
