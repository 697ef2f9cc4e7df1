# SPDX-License-Identifier: GPL-2.0-or-later
"""Each C host exports exactly the qemu_plugin_* names of its API level's symbols file.

QEMU links the emulator with --dynamic-list so plugins see the listed API
and nothing else.  pyqemu builds the host twice from the same sources
(issue 9): ``_host`` at QEMU 7.2's level with plugins/qemu-plugins-7.2.symbols
and ``_host52`` at QEMU 5.2's with plugins/qemu-plugins.symbols, each with
hidden visibility and its generated list; their dynamic symbol tables are
read here with pyelftools.  The 7.2 list is also checked against the
functions the installed qemu-x86_64 7.2 defines, and both lists against
what include/qemu/qemu-plugin.h declares at each level.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from prerequisites import missing

REPO = Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "qemu" / "qemu-plugin.h"
# module, its symbols file, the header's QEMU_PLUGIN_API_LEVEL, how many names
HOSTS = [
    ("_host", "qemu-plugins-7.2.symbols", "702", 43),
    ("_host52", "qemu-plugins.symbols", "502", 38),
]
STALE_52_NAMES = {"qemu_plugin_register_vcpu_mem_haddr_cb", "qemu_plugin_ram_addr_from_host",
                  "qemu_plugin_hwaddr_to_raddr"}


def listed_names(symbols_file: str) -> list[str]:
    text = (REPO / "plugins" / symbols_file).read_text()
    return re.findall(r"\b(qemu_plugin_\w+)\s*;", text)


def defined_dynamic_symbols(path: str) -> set[str]:
    with open(path, "rb") as f:
        dynsym = ELFFile(f).get_section_by_name(".dynsym")
        return {sym.name for sym in dynsym.iter_symbols()
                if sym["st_shndx"] != "SHN_UNDEF" and sym.name}


def host_file(module: str) -> str:
    # Loading a module would bind its exports globally; only its path is needed.
    spec = importlib.util.find_spec(f"pyqemu.host.{module}")
    if spec is None or spec.origin is None:
        missing(f"pyqemu.host.{module} (scripts/install-deps.sh builds it)")
    return spec.origin


def header_functions(level: str) -> set[str]:
    """Function names qemu-plugin.h declares at an API level, by the C preprocessor."""
    text = subprocess.run(["cc", "-E", "-P", f"-DQEMU_PLUGIN_API_LEVEL={level}", str(HEADER)],
                          check=True, capture_output=True, text=True).stdout
    return set(re.findall(r"\b(qemu_plugin_\w+)\s*\(", text)) - {"qemu_plugin_install"}


@pytest.mark.parametrize("module,symbols_file,level,count", HOSTS, ids=[h[0] for h in HOSTS])
def test_host_exports_exactly_its_listed_api(module: str, symbols_file: str, level: str,
                                            count: int) -> None:
    exported = defined_dynamic_symbols(host_file(module))
    plugin_api = {name for name in exported if name.startswith("qemu_plugin_")}
    assert plugin_api == set(listed_names(symbols_file))
    assert len(plugin_api) == count


@pytest.mark.parametrize("module", [h[0] for h in HOSTS])
def test_host_exports_nothing_else_but_the_module_init(module: str) -> None:
    exported = defined_dynamic_symbols(host_file(module))
    others = {name for name in exported if not name.startswith("qemu_plugin_")}
    assert others == {f"PyInit_{module}"}


def test_device_offset_is_defined_but_not_exported() -> None:
    # 5.2 declares qemu_plugin_hwaddr_device_offset but leaves it out of the list
    assert "qemu_plugin_hwaddr_device_offset" not in defined_dynamic_symbols(host_file("_host52"))


def test_the_72_list_is_sorted_and_drops_the_stale_52_names() -> None:
    names = listed_names("qemu-plugins-7.2.symbols")
    assert names == sorted(names)
    assert not STALE_52_NAMES & set(names)
    assert STALE_52_NAMES <= set(listed_names("qemu-plugins.symbols"))
    text = (REPO / "plugins" / "qemu-plugins-7.2.symbols").read_text()
    assert text == "{\n" + "".join(f"  {name};\n" for name in names) + "};\n"


def test_header_declares_each_levels_list() -> None:
    assert header_functions("702") == set(listed_names("qemu-plugins-7.2.symbols"))
    # 5.2's header also declares device_offset, which its list leaves out
    assert header_functions("502") == set(listed_names("qemu-plugins.symbols")) | {
        "qemu_plugin_hwaddr_device_offset"}


def test_qemu_72_defines_every_name_of_the_72_list() -> None:
    qemu = shutil.which("qemu-x86_64")
    if qemu is None:
        missing("qemu-x86_64 (apt-get install qemu-user)")
    defined = defined_dynamic_symbols(qemu)
    if not any(name.startswith("qemu_plugin_") for name in defined):
        missing("a qemu-x86_64 that exports the plugin API (Debian's qemu-user 7.2)")
    not_defined = set(listed_names("qemu-plugins-7.2.symbols")) - defined
    assert not not_defined
    # and none of the names 5.2 listed without defining them
    assert not STALE_52_NAMES & defined
