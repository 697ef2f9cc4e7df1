# SPDX-License-Identifier: GPL-2.0-or-later
"""The YMM registers' upper halves across signals, threads and fork (issue 23), against a
native run and qemu-x86_64 7.2.

- fpu/ymm_signal.c: the signal frame holds the XSAVE standard form with the YMM_Hi128
  component as Linux writes it (magic1, xfeatures and xstate_bv with bit 2, the interrupted
  code's upper halves at offset 576, magic2 after xstate_size, a 64-byte aligned area); the
  handler starts with every ymm register zero; what it leaves in its registers never
  reaches the interrupted code; what it writes into the frame does; xstate_bv or xfeatures
  without bit 2, or a frame without magic1, gives back zero upper halves, and xstate_bv
  without bit 1 zero lower halves.  The host's kernel saves more components than pyqemu
  models (AVX-512 and the like on this machine), so the guest prints their three low bits
  and whether xstate_size covers the YMM component, not the sizes themselves.
- fpu/ymm_inherit.c: a thread (raw clone with pthread's flags) and a forked child start with
  their parent's ymm0-15, all 256 bits, and the parent keeps its own.

pyqemu must print what the native run prints.  qemu-x86_64 7.2 (Debian's 7.2.22) writes the
same frame, but differs from Linux in two points, where pyqemu follows the kernel: its
handler starts with the interrupted code's registers instead of the initial state (as with
the x87/SSE state, test_fpu.py), and it loads the upper halves back from a frame whose
sw_reserved xfeatures lacks YMM (it reads only xstate_bv), where Linux gives them their
initial state, zero.  Threads and fork agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu, run_qemu

FPU_GUESTS = Path(__file__).parent / "fpu"
FLAVORS = ("gcc-static", "gcc-pie", "musl-static")
pytestmark = pytest.mark.patched_engine("AVX: patch 0018")

#: the cases of ymm_signal.c, in order
SIGNAL_CASES = ("clobbered", "upper halves written in the frame", "xstate_bv without YMM",
                "xstate_bv without SSE", "sw_reserved xfeatures without YMM",
                "magic1 cleared (an fxsave-only frame)")
#: the case where qemu 7.2 restores the frame's upper halves and Linux zeroes them
QEMU_KEEPS_UPPER = "sw_reserved xfeatures without YMM"
ZERO_LANE = "0" * 32


def _build(name: str, flavor: str, tmp_path: Path) -> str:
    return str(compile_guest(FPU_GUESTS / f"{name}.c", tmp_path / f"{name}-{flavor}", flavor,
                             ("-mavx2",)))


def _run_three(program: str) -> tuple[str, str, str]:
    """stdout of the native, qemu-x86_64 (-cpu max: AVX) and pyqemu runs, each status 0."""
    outputs = []
    for runner, extra in ((run_native, None), (run_qemu, ["-cpu", "max"]), (run_pyqemu, None)):
        result = runner([program], timeout=120) if extra is None else runner(
            [program], extra=extra, timeout=120)
        assert result.returncode == 0, result.describe()
        outputs.append(result.stdout)
    return outputs[0], outputs[1], outputs[2]


def _cases(text: str) -> dict[str, list[str]]:
    """The lines of each case, by its label."""
    cases: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith(" "):
            cases[line.rstrip(":")] = []
        else:
            cases[list(cases)[-1]].append(line.strip())
    return cases


def _regs(lines: list[str], what: str) -> list[tuple[str, str]]:
    """(upper, lower) hex of ymm0-15 from the lines "<what> ymmN <upper> <lower>"."""
    rows = [line.split()[-2:] for line in lines if line.startswith(f"{what} ymm")]
    assert len(rows) == 16, lines
    return [(upper, lower) for upper, lower in rows]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_signal_frames_carry_the_ymm_upper_halves(flavor: str, tmp_path: Path) -> None:
    native, qemu, pyqemu = _run_three(_build("ymm_signal", flavor, tmp_path))
    cases = _cases(native)
    assert tuple(cases) == SIGNAL_CASES, native
    for lines in cases.values():
        # the kernel's layout: both magic words, YMM in xfeatures and xstate_bv, aligned
        assert lines[0] == ("handler saw uc_flags&UC_FP_XSTATE=1 magic1=0x46505853 "
                            "extended=xstate_size+4 xfeatures&7=0x7 xstate_bv&7=0x7 "
                            "magic2=0x46505845 fpstate%64=0 covers_ymm=1"), lines
        assert _regs(lines, "handler started with") == [(ZERO_LANE, ZERO_LANE)] * 16
        frame_upper = [line.split()[-1] for line in lines if line.startswith("frame upper")]
        assert frame_upper == [upper for upper, _ in _regs(cases["clobbered"], "after")]
    # the guest measures something: the handler's all-ones registers never come back, a
    # written frame does, and each init rule zeroes the half it should
    clobbered = _regs(cases["clobbered"], "after")
    assert all(ZERO_LANE not in pair and "f" * 32 not in pair for pair in clobbered)
    written = _regs(cases["upper halves written in the frame"], "after")
    assert [lower for _, lower in written] == [lower for _, lower in clobbered]
    assert all(upper != old for (upper, _), (old, _) in zip(written, clobbered, strict=True))
    for label in ("xstate_bv without YMM", QEMU_KEEPS_UPPER,
                  "magic1 cleared (an fxsave-only frame)"):
        assert _regs(cases[label], "after") == [(ZERO_LANE, lower) for _, lower in clobbered]
    assert _regs(cases["xstate_bv without SSE"], "after") == [
        (upper, ZERO_LANE) for upper, _ in clobbered]
    assert pyqemu == native

    qemu_cases = _cases(qemu)
    assert tuple(qemu_cases) == SIGNAL_CASES, qemu
    for label in SIGNAL_CASES:
        mine = [line for line in cases[label] if not line.startswith("handler started with")]
        theirs = [line for line in qemu_cases[label]
                  if not line.startswith("handler started with")]
        if label == QEMU_KEEPS_UPPER:
            assert _regs(theirs, "after") == clobbered
            mine = [line for line in mine if not line.startswith("after ymm")]
            theirs = [line for line in theirs if not line.startswith("after ymm")]
        assert theirs == mine, label
    # qemu's handler starts with the interrupted code's registers, Linux's with zeros
    assert _regs(qemu_cases["clobbered"], "handler started with") == clobbered


@pytest.mark.parametrize("flavor", FLAVORS)
def test_threads_and_fork_children_inherit_the_whole_ymm_state(flavor: str,
                                                              tmp_path: Path) -> None:
    native, qemu, pyqemu = _run_three(_build("ymm_inherit", flavor, tmp_path))
    lines = native.splitlines()
    by_who: dict[str, list[str]] = {}
    for line in lines[:-1]:
        who, _, regs = line.partition(" ymm")
        by_who.setdefault(who, []).append(regs)
    assert list(by_who) == ["thread", "thread's parent", "fork child", "fork parent"], native
    assert by_who["thread"] == by_who["thread's parent"]
    assert by_who["fork child"] == by_who["fork parent"]
    assert by_who["thread"] != by_who["fork child"]     # two different fillings
    assert all(ZERO_LANE not in regs for regs in by_who["thread"] + by_who["fork child"])
    assert lines[-1] == "child status 0"
    assert qemu == native
    assert pyqemu == native
