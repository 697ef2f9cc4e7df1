# SPDX-License-Identifier: GPL-2.0-or-later
"""-cpu on aarch64 and riscv64 (issue 18, point 2).

aarch64: what user code learns about the CPU (AT_HWCAP, AT_HWCAP2, MRS of the ID
registers, CTR_EL0, DCZID_EL0) under qemu-aarch64 -cpu M and pyqemu-aarch64 -cpu M,
compared line for line (aarch64_idregs.c), and the refusals.  riscv64: AT_HWCAP and
which instructions run (floating point), model by model.

Accepted difference: the AArch32 ID registers (op0 3, op1 0, CRn 0, CRm 1-3) raise SIGILL
under qemu-aarch64 7.2 and read the engine's values under pyqemu (its MRS hook can answer a
read but not fault it); CRm 0's unallocated encodings likewise.  aarch64 programs have no
reason to read them; those lines are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from arch_harness import build_dir, compile_guest, run_pyqemu, run_qemu

HERE = Path(__file__).resolve().parent
MODELS = ["cortex-a35", "cortex-a53", "cortex-a57", "cortex-a72"]
_AARCH32_ID = re.compile(r"^S3_0_C0_C([123]_\d|0_[12347]) ")


@pytest.fixture(scope="module")
def idregs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_guest("aarch64", HERE / "aarch64_idregs.c", "static",
                         build_dir(tmp_path_factory))


def comparable(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if not _AARCH32_ID.match(line)]


@pytest.mark.parametrize("model", MODELS)
def test_id_registers_and_hwcaps_match_qemu(model: str, idregs: Path) -> None:
    qemu = run_qemu("aarch64", [str(idregs)], extra=["-cpu", model], exact_cpu=False)
    mine = run_pyqemu("aarch64", [str(idregs)], extra=["-cpu", model])
    assert (mine.returncode, mine.stderr) == (qemu.returncode, qemu.stderr) == (0, ""), (
        mine.describe())
    assert comparable(mine.stdout) == comparable(qemu.stdout)
    assert any(line.startswith("S3_0_C0_C0_0 ") for line in comparable(qemu.stdout))


def test_models_differ_where_qemus_do(idregs: Path) -> None:
    """The test above is only as good as the models' differences: MIDR, CTR."""
    outs = {model: run_pyqemu("aarch64", [str(idregs)], extra=["-cpu", model]).stdout
            for model in MODELS}
    assert len(set(outs.values())) == len(MODELS)


@pytest.mark.parametrize("model,lacking", [
    ("cortex-a76", "atomics fphp asimdhp asimdrdm lrcpc dcpop asimddp"),
    ("max", None), ("a64fx", None), ("neoverse-n1", None)])
def test_models_beyond_the_engine_are_refused(model: str, lacking: str | None,
                                              idregs: Path) -> None:
    mine = run_pyqemu("aarch64", [str(idregs)], extra=["-cpu", model])
    assert mine.returncode == 1 and mine.stdout == ""
    lines = mine.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"pyqemu-aarch64: CPU model '{model}' needs features the engine does not execute: ")
    if lacking:
        assert lines[0].endswith(lacking)
    assert run_qemu("aarch64", [str(idregs)], extra=["-cpu", model],
                    exact_cpu=False).returncode == 0


def test_unknown_model_is_refused_as_qemu(idregs: Path) -> None:
    qemu = run_qemu("aarch64", [str(idregs)], extra=["-cpu", "cortex-z9"], exact_cpu=False)
    mine = run_pyqemu("aarch64", [str(idregs)], extra=["-cpu", "cortex-z9"])
    assert qemu.returncode == mine.returncode == 1
    # the same message after the program-name prefix
    assert mine.stderr.split(": ", 1)[1] == qemu.stderr.split(": ", 1)[1]


FP_SOURCE = r"""
#include <elf.h>
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv)
{
    volatile double x = argc * 1.5;
    char **env = environ;

    (void)argv;
    while (*env) {
        env++;
    }
    for (Elf64_auxv_t *a = (Elf64_auxv_t *)(env + 1); a->a_type != AT_NULL; a++) {
        if (a->a_type == AT_HWCAP) {
            printf("AT_HWCAP %lx\n", (unsigned long)a->a_un.a_val);
        }
    }
    printf("%.2f\n", x * 3);
    return 0;
}
"""


@pytest.mark.parametrize("model", ["any", "rv64", "shakti-c", "sifive-u54", "sifive-e51"])
def test_riscv64_models_run_as_under_qemu(model: str, tmp_path: Path) -> None:
    """AT_HWCAP and floating point: sifive-e51 has no F/D, so glibc dies of SIGILL."""
    source = tmp_path / "fp.c"
    source.write_text(FP_SOURCE)
    guest = compile_guest("riscv64", source, "static", tmp_path)
    qemu = run_qemu("riscv64", [str(guest)], extra=["-cpu", model])
    mine = run_pyqemu("riscv64", [str(guest)], extra=["-cpu", model])
    assert (mine.returncode, mine.stdout) == (qemu.returncode, qemu.stdout), mine.describe()
    assert (qemu.returncode == 0) == (model != "sifive-e51")


def test_riscv64_rv128_is_refused(tmp_path: Path) -> None:
    mine = run_pyqemu("riscv64", ["/nonexistent"], extra=["-cpu", "x-rv128"])
    assert mine.returncode == 1 and mine.stderr.splitlines() == [
        "pyqemu-riscv64: CPU model 'x-rv128' needs features the engine does not execute: "
        "rv128"]
