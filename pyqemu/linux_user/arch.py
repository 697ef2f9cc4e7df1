# SPDX-License-Identifier: GPL-2.0-or-later
"""The guest architectures and the one this process runs: the part of QEMU's build that
picks linux-user/<arch>/ and target/<arch>/ for each qemu-<arch> binary.

Each architecture package (``pyqemu/linux_user/<arch>/``) defines ``target.TARGET``, a
``TargetArch`` that holds everything the generic modules must know about it: ELF
machine and aux vector, registers, syscall numbers and ABI quirks, the signal frame,
the CPU exceptions.  The run selects one (``select``) and hands the object down: each
vCPU and each TaskState carries it (``task.target``), so generic code asks the task
instead of importing an architecture or reading a global; adding a guest is adding a
package and naming it in ``TARGETS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyqemu.linux_user.mmap import GuestMemory

#: The guests pyqemu runs, by QEMU's target name.
TARGETS = ("x86_64", "aarch64", "riscv64")


def _no_overrides() -> Mapping[str, Any]:
    return {}


def _no_xstate() -> int:
    return 0


def _no_cpu_copy_regs(cpu: Any, mem: GuestMemory) -> None:
    return None


class TargetArch:
    """One guest architecture, as linux-user/<arch>/ and target/<arch>/ describe it.

    Read-only once made (one per target, a module constant); a plain class, since the
    start path imports no ``dataclasses`` (issue 19).
    """

    __slots__ = ("name", "elf_machine", "hwcap", "hwcap2", "platform", "mmap_base", "reg_prefix",
                 "pc_reg", "sp_reg", "state_regs", "wide_regs", "wide_size", "syscall_nr",
                 "ret_reg", "clone_backwards", "sigaction_has_restorer",
                 "set_tls", "setup_rt_frame", "restore_rt_frame", "deliver_fault",
                 "sigtramp_code", "cpu_copy_regs", "cpu_models", "xstate_features",
                 "syscall_overrides")

    def __init__(self, *, name: str, elf_machine: int, hwcap: int, hwcap2: int | None,
                 platform: bytes | None, mmap_base: int, reg_prefix: str, pc_reg: str,
                 sp_reg: str, state_regs: tuple[str, ...], wide_regs: tuple[str, ...],
                 wide_size: int, syscall_nr: ModuleType, ret_reg: str,
                 clone_backwards: bool, sigaction_has_restorer: bool,
                 set_tls: Callable[[Any, int], None],
                 setup_rt_frame: Callable[..., None],
                 restore_rt_frame: Callable[[Any, Any], int],
                 deliver_fault: Callable[[Any, int], None],
                 sigtramp_code: bytes | None = None,
                 cpu_copy_regs: Callable[[Any, GuestMemory], None] = _no_cpu_copy_regs,
                 cpu_models: tuple[str, ...] = (),
                 xstate_features: Callable[[], int] = _no_xstate,
                 syscall_overrides: Callable[[], Mapping[str, Any]] = _no_overrides) -> None:
        self.name = name
        self.elf_machine = elf_machine
        #: AT_HWCAP, AT_HWCAP2 (None: not in the aux vector) and AT_PLATFORM (None: absent)
        self.hwcap = hwcap
        self.hwcap2 = hwcap2
        self.platform = platform
        #: where non-fixed mappings start (QEMU's TASK_UNMAPPED_BASE for the target)
        self.mmap_base = mmap_base
        #: the engine's register-id prefix in pyqemu.host.lib (UC_X86_REG_, ...)
        self.reg_prefix = reg_prefix
        self.pc_reg = pc_reg
        self.sp_reg = sp_reg
        #: registers a new thread copies from its parent (QEMU's cpu_copy), 8 bytes each
        self.state_regs = state_regs
        #: wide (vector) registers a new thread copies, and their size in bytes
        self.wide_regs = wide_regs
        self.wide_size = wide_size
        self.syscall_nr = syscall_nr
        #: the syscall's result register; a clone child gets 0 there
        self.ret_reg = ret_reg
        #: clone's arguments: (flags, newsp, parent_tid, tls, child_tid) instead of x86's order
        self.clone_backwards = clone_backwards
        #: struct sigaction has sa_restorer (SA_RESTORER exists)
        self.sigaction_has_restorer = sigaction_has_restorer
        self.set_tls = set_tls
        #: signal frames: setup_rt_frame(cpu, mem, sig, handler, restorer, siginfo, old_mask,
        #: stack_top, altstack, trapno, cr2) and restore_rt_frame(cpu, mem) -> mask
        self.setup_rt_frame = setup_rt_frame
        self.restore_rt_frame = restore_rt_frame
        #: a CPU exception as a guest signal: (task, reason) -> None (delivers or raises); the
        #: task is a qemu.TaskState, which carries this object (so it is not imported here)
        self.deliver_fault = deliver_fault
        #: the sigreturn trampoline QEMU 7.2 maps one page for (setup_sigtramp), or None
        self.sigtramp_code = sigtramp_code
        #: the first vCPU's set-up once the program is loaded, beyond its pc and stack
        #: (QEMU's target_cpu_copy_regs): x86_64 maps and loads the IDT and the GDT and
        #: enters user mode; (cpu, mem) -> None
        self.cpu_copy_regs = cpu_copy_regs
        #: CPU models -cpu accepts
        self.cpu_models = cpu_models
        #: x86: the XSAVE components of XCR0 for the CPU model (read as each vCPU is made)
        self.xstate_features = xstate_features
        #: syscall rows this architecture serves differently, by syscall name
        self.syscall_overrides = syscall_overrides


def get(name: str) -> TargetArch:
    """The architecture called ``name`` (a KeyError names the ones there are)."""
    if name not in TARGETS:
        raise KeyError(f"unknown target {name!r}; pyqemu runs {', '.join(TARGETS)}")
    module = importlib.import_module(f"pyqemu.linux_user.{name}.target")
    target: TargetArch = module.TARGET
    return target


def select(name: str) -> TargetArch:
    """The architecture called ``name``, made the C host's (one per process: the C
    host's CPU code is built for every target and runs one); the caller hands it on."""
    from pyqemu.accel.cpu import select_target

    target = get(name)
    select_target(target)
    return target


def map_sigtramp(target: TargetArch, mem: GuestMemory) -> None:
    """QEMU 7.2's sigtramp page: one page, written, then made read+exec (no vDSO); its
    address is where a handler without SA_RESTORER returns to (``mem.sigtramp``)."""
    from pyqemu.linux_user.mmap import MAP_ANONYMOUS, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE

    code = target.sigtramp_code
    if code is None:
        return
    page = mem.target_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    mem.write_force(page, code)
    mem.target_mprotect(page, 4096, PROT_READ | PROT_EXEC)
    mem.sigtramp = page
