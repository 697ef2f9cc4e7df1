# SPDX-License-Identifier: GPL-2.0-or-later
"""x87 and SSE exception flags and the FPU state across signals (issue 18, point 1).

The guests are in tests/linux_user/fpu/ rather than tests/guests/, because qemu-x86_64 7.2
itself differs from the hardware on them, which the corpus does not allow:

- fpu_flags.c runs each x87 and SSE operation class (the SDM's exception tables: invalid,
  denormal, divide-by-zero, overflow, underflow, precision, the SNaN and QNaN cases, FZ,
  DAZ, suppressed precision) and prints the flags it raised and its result, then the flags
  a thread and a forked child start with.  qemu 7.2 never raises the denormal-operand flag
  (DE); the hardware does.
- fenv_threads.c uses <fenv.h> and long double in two threads: a worker inherits the
  rounding mode and flags, changes its own, and the main thread's stay as they were.
  qemu 7.2 agrees with the hardware here; it is here because of its link flags.
- fpu_traps.c unmasks one MXCSR exception at a time: the hardware takes #XM, Linux sends
  SIGFPE with the flag's si_code at the instruction, the destination unchanged; qemu 7.2
  never traps.
- fpu_signal.c changes the rounding, precision, x87 stack and an xmm register in a handler,
  edits the saved state in another, and prints what the handler saw and what the
  interrupted code resumed with.  Linux runs a handler with the initial FPU state
  (FCW 0x037f, MXCSR 0x1f80, empty stack, zero registers); qemu 7.2 runs it with the
  interrupted code's.

pyqemu must print what the native run prints, byte for byte; qemu must differ from it only
in the lines named above, which keeps the guests honest about what they measure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu, run_qemu

FPU_GUESTS = Path(__file__).parent / "fpu"
FLAVORS = ("gcc-static", "gcc-pie", "musl-static")
# the stock engine keeps no x87/SSE exception flags and never raises #XM
PATCH_0009 = "x87 and SSE exception flags come from engine patch 0009"
FLAG_CASES = 150        # operation lines of fpu_flags.c
FLAGS = ("IE", "DE", "ZE", "OE", "UE", "PE")


#: glibc's <fenv.h> functions live in libm, and compile_guest puts extra flags before the
#: source: -u makes the static link take them from libm.a all the same, --no-as-needed
#: keeps libm.so in a dynamic one (musl has them in libc and ignores both)
FENV_LINK = ("-Wl,-u,fesetround,-u,fegetround,-u,fetestexcept,-u,feclearexcept",
             "-Wl,--no-as-needed", "-lm")


def build(name: str, flavor: str, tmp_path: Path, extra: tuple[str, ...] = ()) -> str:
    out = tmp_path / f"{name}-{flavor}"
    return str(compile_guest(FPU_GUESTS / f"{name}.c", out, flavor, extra))


def run_three(program: str) -> tuple[str, str, str]:
    """stdout of the native, qemu-x86_64 and pyqemu runs, each checked for status 0."""
    outputs = []
    for runner in (run_native, run_qemu, run_pyqemu):
        result = runner([program], timeout=120)
        assert result.returncode == 0, result.describe()
        outputs.append(result.stdout)
    return outputs[0], outputs[1], outputs[2]


def flags_of(line: str) -> set[str]:
    """The flag column of an "x87 ..." / "sse ..." line: "DE|PE" -> {"DE", "PE"}."""
    column = line[27:40].strip()
    return set() if column == "-" else set(column.split("|"))


@pytest.mark.patched_engine(PATCH_0009)
@pytest.mark.parametrize("flavor", FLAVORS)
def test_exception_flags_are_the_hardware_flags(flavor: str, tmp_path: Path) -> None:
    native, qemu, pyqemu = run_three(build("fpu_flags", flavor, tmp_path))
    native_lines = native.splitlines()
    cases = [line for line in native_lines if line.startswith(("x87 ", "sse "))]
    assert len(cases) == FLAG_CASES, native
    # the guest measures something: every flag is raised by some case, and some raise none
    assert set().union(*map(flags_of, cases)) == set(FLAGS)
    assert any(not flags_of(line) for line in cases)
    assert native_lines[-2:] == ["thread: x87 ZE sse IE", "fork: x87 ZE sse IE"]
    # qemu 7.2 differs only by leaving DE out
    qemu_lines = qemu.splitlines()
    assert len(qemu_lines) == len(native_lines), qemu
    for mine, theirs in zip(native_lines, qemu_lines, strict=True):
        if mine != theirs:
            assert "DE" in flags_of(mine), (mine, theirs)
            assert flags_of(theirs) == flags_of(mine) - {"DE"}, (mine, theirs)
            assert mine[40:] == theirs[40:], (mine, theirs)
    assert pyqemu == native


@pytest.mark.patched_engine(PATCH_0009)
@pytest.mark.parametrize("flavor", FLAVORS)
def test_signal_handlers_save_and_restore_the_fpu_state(flavor: str, tmp_path: Path) -> None:
    native, qemu, pyqemu = run_three(build("fpu_signal", flavor, tmp_path))
    native_lines = native.splitlines()
    assert len(native_lines) == 9, native
    for label in ("default", "changed", "edited"):
        # Linux: the handler starts from the initial state, whatever it interrupted
        assert (f"{label}: handler ran with fcw=0x037f fsw=000000 mxcsr=0x1f80 "
                "xmm7=000000000000000000") in native_lines
        # the x87 stack and xmm7 of the interrupted code survive the handler's fninit
        assert any(line.startswith(f"{label}: after ") and "st=2.5,1.5 xmm7=7.25" in line
                   for line in native_lines), native
    # the handler's own rounding (0x0c7f / 0x7f80) never leaks; an edited frame does
    assert "changed: after fcw=0x027f mxcsr=0x5f80" in native
    assert "edited: after fcw=0x0a7f mxcsr=0x3f80" in native
    for mine, theirs in zip(native_lines, qemu.splitlines(), strict=True):
        if mine != theirs:
            assert "handler ran with" in mine, (mine, theirs)
    assert pyqemu == native


@pytest.mark.patched_engine(PATCH_0009)
@pytest.mark.parametrize("flavor", FLAVORS)
def test_fenv_and_long_double_in_two_threads(flavor: str, tmp_path: Path) -> None:
    native, qemu, pyqemu = run_three(build("fenv_threads", flavor, tmp_path, FENV_LINK))
    assert "worker start: round=upward flags=[divbyzero ]" in native
    assert "worker changed: round=towardzero flags=[divbyzero underflow inexact ]" in native
    assert "worker invalid: round=towardzero flags=[invalid ]" in native
    assert "main after join: round=upward flags=[divbyzero ]" in native
    assert qemu == native
    assert pyqemu == native


@pytest.mark.patched_engine(PATCH_0009)
@pytest.mark.parametrize("flavor", FLAVORS)
def test_unmasked_sse_exceptions_raise_sigfpe(flavor: str, tmp_path: Path) -> None:
    native, qemu, pyqemu = run_three(build("fpu_traps", flavor, tmp_path))
    assert native.splitlines()[-1] == "traps=11", native
    # one per si_code: FPE_FLTDIV, FLTINV, FLTOVF, FLTUND (underflow and denormal), FLTRES
    for code in (3, 4, 5, 6, 7):
        assert f"code={code} trapno=19 rip=si_addr:1" in native, native
    assert "SIGFPE" not in qemu and qemu.splitlines()[-1] == "traps=0", qemu
    assert pyqemu == native
