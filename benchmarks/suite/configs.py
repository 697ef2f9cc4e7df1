# SPDX-License-Identifier: GPL-2.0-or-later
"""Plugin configurations: which plugin each emulator loads and how its output is checked.

Mirrors no QEMU file; it builds the `-d plugin -D <log> -plugin <lib>,arg=...` options that
QEMU's linux-user/main.c and plugins/loader.c accept, the same for qemu-x86_64 and pyqemu. A
configuration also names what Qiling runs in its place (its plain run, its drcov coverage
extension, or a Python block hook), so a row compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PluginConfig:
    """One plugin configuration.

    library is a .so relative to the meson build dir, loaded by qemu-x86_64 and, unless
    python_plugin is set, by pyqemu; python_plugin is a Python plugin (module name) that pyqemu
    loads instead, qemu keeping the C twin in library. output says how to check that the
    plugin really ran: "log" (its qemu_plugin_outs text, collected with -d plugin -D <file>,
    must not be empty), "drcov" (the file named by its filename= argument must be a drcov file)
    or "" (no plugin). qiling_mode is what the Qiling column runs for this row ("plain",
    "drcov", "blocks") or "" for no Qiling cell.
    """

    name: str
    description: str
    library: str | None
    args: tuple[str, ...] = ()
    output: str = ""
    python_plugin: str = ""
    qiling_mode: str = ""


CONFIGS: dict[str, PluginConfig] = {
    config.name: config
    for config in (
        PluginConfig("none", "no plugin; Qiling: plain `ql.run()`", None, qiling_mode="plain"),
        PluginConfig("drcov", "contrib drcov, coverage file; Qiling: its drcov coverage "
                     "extension (`qiling.extensions.coverage`, a Python block hook)",
                     "contrib/plugins/libdrcov.so", (), "drcov", qiling_mode="drcov"),
        PluginConfig("bb", "tests/plugin bb: C exec callback per block",
                     "tests/plugin/libbb.so", (), "log"),
        PluginConfig("insn", "tests/plugin insn: inline add per instruction",
                     "tests/plugin/libinsn.so", ("inline",), "log"),
        PluginConfig("mem", "tests/plugin mem: C callback per memory access",
                     "tests/plugin/libmem.so", (), "log"),
        PluginConfig("pybb", "Python plugin pyqemu/contrib/bb.py: a Python exec callback per "
                     "block (qemu runs its C twin tests/plugin/libbb.so); Qiling: a Python "
                     "`hook_block` counting blocks", "tests/plugin/libbb.so", (), "log",
                     python_plugin="pyqemu.contrib.bb", qiling_mode="blocks"),
    )
}


def plugin_options(config: PluginConfig, runner: str, build_dir: Path,
                   scratch: Path) -> list[str]:
    """Emulator options for config: -d plugin -D <log> -plugin <lib or module>[,arg=...]."""
    if config.library is None:
        return []
    if runner == "pyqemu" and config.python_plugin:
        spec = config.python_plugin
    else:
        spec = str(build_dir / config.library)
    arguments = list(config.args)
    if config.output == "drcov":
        arguments.append(f"filename={scratch / 'coverage.drcov'}")
    # arg= is the only form QEMU 5.2 knows; 7.2 accepts it with a deprecation warning.
    spec += "".join(f",arg={argument}" for argument in arguments)
    return ["-d", "plugin", "-D", str(scratch / "plugin.log"), "-plugin", spec]


def check_plugin_output(config: PluginConfig, scratch: Path) -> tuple[str, str]:
    """Return (summary of the plugin's output, failure text or "").

    Qiling runs write the same files (plugin.log, coverage.drcov) through
    suite/qiling_guest.py, so one check serves every runner.
    """
    if config.output == "log":
        log = scratch / "plugin.log"
        text = log.read_text(errors="replace").strip() if log.exists() else ""
        if not text:
            return "", "plugin wrote no output to its -D log"
        return text.splitlines()[0], ""
    if config.output == "drcov":
        coverage = scratch / "coverage.drcov"
        data = coverage.read_bytes() if coverage.exists() else b""
        if not data.startswith(b"DRCOV VERSION"):
            return "", "no drcov file written"
        for line in data.split(b"\n"):
            if line.startswith(b"BB Table:"):
                return line.decode(errors="replace").strip(), ""
        return "", "drcov file has no BB Table"
    return "", ""
