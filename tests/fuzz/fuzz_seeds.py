# SPDX-License-Identifier: GPL-2.0-or-later
"""The seed programs the ELF fuzzer mutates, compiled at run time.

Two small static executables that exit with status 3, so that "the guest ran" is easy to
tell from a loader error: a musl C program and a libc-free one written in assembly.
Both end with exit_group, the way every C runtime ends a process.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SEED_STATUS = 3

MUSL_SOURCE = "int main(void) { return 3; }\n"
ASM_SOURCE = """\
    .globl _start
    .text
_start:
    mov $231, %eax      /* exit_group */
    mov $3, %edi
    syscall
    hlt
"""

# name -> (compiler, source file name, source text, flags)
SEEDS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "musl-static": ("musl-gcc", "three.c", MUSL_SOURCE, ("-static", "-O2")),
    "asm-nostdlib": ("gcc", "three.S", ASM_SOURCE, ("-nostdlib", "-static")),
}


class SeedBuildError(RuntimeError):
    """A seed could not be built (its compiler is missing or failed)."""


class SeedToolMissing(SeedBuildError):
    """The seed's compiler is not installed (a machine problem, not a failed build)."""


def build_seed(name: str, out_dir: Path) -> Path:
    """Compile seed name into out_dir; returns the executable's path.

    Raises SeedBuildError when the compiler is missing or fails.
    """
    compiler, source_name, text, flags = SEEDS[name]
    compiler_path = shutil.which(compiler)
    if compiler_path is None:
        raise SeedToolMissing(f"{compiler} (needed for the {name} seed)")
    source = out_dir / source_name
    source.write_text(text, encoding="utf-8")
    output = out_dir / f"seed-{name}"
    done = subprocess.run([compiler_path, *flags, "-o", str(output), str(source)],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise SeedBuildError(f"building the {name} seed failed:\n{done.stderr}")
    return output
