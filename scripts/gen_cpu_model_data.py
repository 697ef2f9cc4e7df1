#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write pyqemu/linux_user/x86_64/cpu_model_data.py from what qemu-x86_64 7.2 answers.

For every model `qemu-x86_64 -cpu help` lists, tests/linux_user/cpuid_dump.c runs under
`qemu-x86_64 -cpu MODEL`; its CPUID leaves give the model's identity (vendor, family,
model, stepping, level, xlevel, brand string) and the features it answers, and qemu's
warnings name the features the model asks for that qemu's TCG drops.  Both together are
the model's definition before TCG's filter, which cpu_models.py filters again as qemu
does (so `+feat`/`-feat`, `check=off` and `enforce` behave as under qemu).  `-cpu help`
gives the aliases and the note after each model id.  Models qemu-x86_64 refuses for want
of long mode are listed apart.

It also writes cpu_default.py: the default model's table, which a run without -cpu
loads instead of computing it.

Run: ``python3 scripts/gen_cpu_model_data.py [--qemu qemu-x86_64]`` (rewrites the file;
it needs gcc to build the dump, statically).  tests/linux_user/test_cpu_models.py then
compares every model's whole dump with qemu's.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyqemu.linux_user.x86_64 import cpu_models  # noqa: E402

OUT = ROOT / "pyqemu/linux_user/x86_64/cpu_model_data.py"
DEFAULT = ROOT / "pyqemu/linux_user/x86_64/cpu_default.py"
DUMP = ROOT / "tests/linux_user/cpuid_dump.c"
_HELP = re.compile(r"^x86 (\S+)\s*(.*)$")
_ALIAS = re.compile(r"^\(alias of (\S+)\)$")
_WARN = re.compile(r"warning: (?:TCG doesn't support requested feature|This feature depends "
                   r"on other features that were not requested): (\S+)\.([^.\s]+) \[bit (\d+)\]")
_LEAF = re.compile(r"^([0-9a-f]{8})\.([0-9a-f]{2}): ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) "
                   r"([0-9a-f]{8})$")
NO_64 = "The selected x86 CPU does not support 64 bit mode"
#: properties that bring every cache leaf into range and into an Intel CPU's answers
CACHE_PROBE = "vendor=GenuineIntel,level=0xd,xlevel=0x8000001e,check=off"


def cpu_help(qemu: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """(models, aliases -> model, model -> the text after its id) from `-cpu help`."""
    models: list[str] = []
    aliases: dict[str, str] = {}
    text: dict[str, str] = {}
    # qemu-x86_64 exits with status 1 after printing the list
    out = subprocess.run([qemu, "-cpu", "help"], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        m = _HELP.match(line)
        if not m:
            continue
        name, desc = m.group(1), m.group(2).strip()
        alias = _ALIAS.match(desc)
        if alias:
            aliases[name] = alias.group(1)
        elif desc == "(alias configured by machine type)":
            aliases[name] = f"{name}-v1"       # user mode: the first version
        else:
            models.append(name)
            text[name] = desc
    return models, aliases, text


def leaves(stdout: str) -> dict[tuple[int, int], tuple[int, ...]]:
    out = {}
    for line in stdout.splitlines():
        m = _LEAF.match(line)
        if m:
            out[(int(m.group(1), 16), int(m.group(2), 16))] = tuple(
                int(m.group(i), 16) for i in range(3, 7))
    return out


def definition(regs: dict[tuple[int, int], tuple[int, ...]], stderr: str) -> tuple:
    """(vendor, (family, model, stepping), level, xlevel, model id, features)."""
    level, b, c, d = regs[(0, 0)]
    vendor = b"".join(r.to_bytes(4, "little") for r in (b, d, c)).decode()
    version = regs[(1, 0)][0]
    family = version >> 8 & 0xF
    if family == 0xF:
        family += version >> 20 & 0xFF
    model = (version >> 4 & 0xF) | (version >> 16 & 0xF) << 4
    stepping = version & 0xF
    xlevel = regs[(0x80000000, 0)][0]
    brand = b"".join(r.to_bytes(4, "little") for leaf in (0x80000002, 0x80000003, 0x80000004)
                     for r in regs[(leaf, 0)]).rstrip(b"\0").decode()
    features = set()
    for word in cpu_models.WORDS:
        if word.leaf is None:
            continue
        value = regs.get((word.leaf, word.subleaf), (0, 0, 0, 0))[word.reg]
        limit = xlevel if word.leaf & 0x80000000 else level
        if word.leaf & 0x40000000 or word.leaf > limit:
            continue
        features |= {name for name, bit in word.bits.items() if value >> bit & 1}
    for key, name, _bit in _WARN.findall(stderr):
        word = cpu_models.FEATURES.get(name)
        if word is None or word.key != key:
            raise SystemExit(f"gen_cpu_model_data: qemu names an unknown feature {key}.{name}")
        features.add(name)
    return vendor, (family, model, stepping), level, xlevel, brand, features


def cache_set(regs: dict[tuple[int, int], tuple[int, ...]]) -> dict[str, tuple]:
    """The cache leaves of a run with CACHE_PROBE: leaf 2, leaf 4 and 0x8000001d's
    subleaves up to the first empty one, 0x80000005 and 0x80000006."""
    def subleaves(leaf: int) -> tuple:
        out = []
        while regs.get((leaf, len(out)), (0,))[0] & 0x1F:      # cache type 0: no more
            out.append(regs[(leaf, len(out))])
        return tuple(out)

    return {"2": regs[(2, 0)], "4": subleaves(4), "80000005": regs[(0x80000005, 0)],
            "80000006": regs[(0x80000006, 0)], "8000001d": subleaves(0x8000001D)}


def hexed(value: tuple) -> str:
    """A register tuple in hex, as CPUID dumps show registers."""
    return "(" + ", ".join(f"{v:#010x}" for v in value) + ")"


def wrap(words: list[str], indent: str) -> list[str]:
    lines, line = [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > 78 - len(indent):
            lines.append(line + " ")
            line = ""
        line = f"{line} {w}" if line else w
    lines.append(line)
    return [f'{indent}"{chunk}"' for chunk in lines]


def write_default() -> None:
    """cpu_default.py: the default model's CPUID table as cpu_models computes it."""
    import importlib

    importlib.reload(importlib.import_module("pyqemu.linux_user.x86_64.cpu_model_data"))
    cpu_models.MODELS.clear()
    cfg = cpu_models.parse_cpu(cpu_models.DEFAULT_MODEL)
    table = cfg.cpuid_table()
    flat = table.flat()
    rows = [", ".join(f"{v:#010x}" for v in flat[i:i + 6]) for i in range(0, len(flat), 6)]
    lines = [
        "# SPDX-License-Identifier: GPL-2.0-or-later",
        '"""qemu-x86_64 7.2\'s default CPU model as cpu_models.py computes it, written by',
        "scripts/gen_cpu_model_data.py so that a run without -cpu does not compute it (issue",
        "19: start-up).  tests/linux_user/test_cpu_models.py checks that it is what",
        "cpu_models.parse_cpu(MODEL) gives and that a run without -cpu answers CPUID as",
        'qemu-x86_64 7.2 answers it without -cpu."""',
        "",
        f"MODEL = {cpu_models.DEFAULT_MODEL!r}",
        f"LEVEL, XLEVEL, XLEVEL2 = {table.level:#x}, {table.xlevel:#x}, {table.xlevel2:#x}",
        f"TOPOLOGY = {table.topology}",
        "#: AT_HWCAP: CPUID.1 EDX",
        f"HWCAP = {cfg.hwcap():#010x}",
        "#: leaf, subleaf (0xffffffff: any), eax, ebx, ecx, edx",
        "CPUID = (",
        *(f"    {row}," for row in rows),
        ")",
        "",
    ]
    DEFAULT.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-x86_64")
    args = parser.parse_args()
    models, aliases, text = cpu_help(args.qemu)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "cpuid_dump"
        subprocess.run(["gcc", "-static", "-O2", "-o", str(dump), str(DUMP)], check=True)
        defs: dict[str, tuple] = {}
        caches: dict[str, dict[str, tuple]] = {}
        no_long_mode: list[str] = []
        for name in models:
            run = subprocess.run([args.qemu, "-cpu", name, str(dump)], capture_output=True,
                                 text=True, check=False)
            if NO_64 in run.stderr:
                no_long_mode.append(name)
                continue
            if run.returncode != 0:
                raise SystemExit(f"gen_cpu_model_data: -cpu {name}: {run.stderr.strip()}")
            defs[name] = definition(leaves(run.stdout), run.stderr)
            # the model's cache descriptions, all of them in range and in Intel's leaves
            probe = subprocess.run([args.qemu, "-cpu", f"{name},{CACHE_PROBE}", str(dump)],
                                   capture_output=True, text=True, check=True)
            caches[name] = cache_set(leaves(probe.stdout))
    out = ['# SPDX-License-Identifier: GPL-2.0-or-later',
           '"""The x86_64 models of qemu-x86_64 7.2, as it answers CPUID for them (written by',
           'scripts/gen_cpu_model_data.py from tests/linux_user/cpuid_dump.c run under',
           'qemu-x86_64 -cpu MODEL; see cpu_models.py).  Generated data: each model\'s vendor,',
           '(family, model, stepping), level, xlevel, model-id, its features before TCG\'s',
           'filter (the ones it answers plus the ones qemu warns it drops) and `-cpu help`\'s',
           'note."""', "", "MODELS: dict[str, tuple] = {"]
    # each distinct set of cache leaves, named after the first model that has it
    cache_names: dict[str, str] = {}
    sets = {repr(c): c for c in caches.values()}
    for name in sorted(defs, key=lambda n: (repr(caches[n]) != repr(caches["qemu64-v1"]),
                                            not n.startswith("EPYC"), n)):
        cache_names.setdefault(repr(caches[name]), "legacy" if not cache_names else name)
    for name in sorted(defs):
        vendor, fms, level, xlevel, brand, features = defs[name]
        desc = text[name]
        note = desc[len(brand):].strip() if desc.startswith(brand) else ""
        cache = cache_names[repr(caches[name])]
        out.append(f"    {name!r}: ({vendor!r}, {fms}, {level:#x}, {xlevel:#x},")
        out.append(f"        {brand!r},")
        body = wrap(sorted(features), "        ")
        tail = ([repr(note)] if note or cache != "legacy" else []) + \
            ([repr(cache)] if cache != "legacy" else [])
        if tail:
            out += body[:-1] + [body[-1] + ","]
            out.append(f"        {', '.join(tail)}),")
        else:
            out += body[:-1] + [body[-1] + "),"]
    out.append("}")
    out += ["", "#: the sets of cache leaves: leaf 2, leaf 4's subleaves, 0x80000005, 0x80000006,",
            "#: 0x8000001d's subleaves (observed with " + CACHE_PROBE + ")",
            "CACHES: dict[str, dict[str, tuple]] = {"]
    for key, cname in sorted(cache_names.items(), key=lambda kv: kv[1] != "legacy"):
        out.append(f"    {cname!r}: {{")
        for leaf, regs in sets[key].items():
            if regs and isinstance(regs[0], tuple):
                out.append(f"        {leaf!r}: (")
                out += [f"            {hexed(r)}," for r in regs]
                out.append("        ),")
            else:
                out.append(f"        {leaf!r}: {hexed(regs)},")
        out.append("    },")
    out.append("}")
    out += ["", "#: unversioned names -> the version they stand for in user mode (v1), and qemu's",
            "#: named aliases of later versions", "ALIASES: dict[str, str] = {"]
    out += [f"    {a!r}: {v!r}," for a, v in sorted(aliases.items())]
    out += ["}", "", "#: models without long mode: qemu-x86_64 refuses them",
            "NO_LONG_MODE: tuple[str, ...] = ("]
    out += [f"    {n!r}," for n in no_long_mode]
    out += [")", "", "#: what `-cpu help` says of a model whose line is not its model id",
            "HELP: dict[str, str] = {"]
    out += [f"    {n!r}: {text[n]!r}," for n in sorted(defs)
            if not text[n].startswith(defs[n][4])]
    out += ["}", ""]
    OUT.write_text("\n".join(out))
    write_default()
    print(f"gen_cpu_model_data: {len(defs)} models, {len(aliases)} aliases, "
          f"{len(no_long_mode)} without long mode -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
