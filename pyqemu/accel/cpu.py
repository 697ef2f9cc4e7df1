# SPDX-License-Identifier: GPL-2.0-or-later
"""One vCPU on the engine: the Python face of pyqemu/host/cpu-exec.c.

Mirrors the part of QEMU's accel/tcg and hw/core/cpu.c that user mode needs:
creating a vCPU (and running the plugins' vcpu_init callbacks for it),
mirroring the guest address space into the engine, register access, and
``cpu_exec``, which runs guest code in C until something needs Python (a
syscall that stops, a fault, an interrupt).  The syscall hook in C calls
``pyqemu_syscall`` below, which dispatches to the task's syscall handler.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Sequence
from typing import Protocol

from pyqemu.host import ffi, lib

# Guest protection bits (PROT_*) map one to one onto the engine's UC_PROT_*.
UC_PROT_MASK = 7
# The engine's uc_x86_mmr (the value of LDTR, GDTR, IDTR): selector, base, limit, flags.
X86_MMR = struct.Struct("<HxxxxxxQII")
# The widest register value the engine writes (x86's zmm: 64 bytes).
REG_MAX_SIZE = 64



@functools.cache
def _register_ids(prefix: str) -> dict[str, int]:
    """Register ids by lower-case name, from the engine's header (through cffi)."""
    return {name[len(prefix):].lower(): getattr(lib, name)
            for name in dir(lib) if name.startswith(prefix)}


class CpuTarget(Protocol):
    """What a vCPU needs to know of its guest architecture (linux_user.arch.TargetArch
    has it): the engine's register names and the registers a new thread copies."""

    @property
    def name(self) -> str: ...
    @property
    def reg_prefix(self) -> str: ...
    @property
    def state_regs(self) -> tuple[str, ...]: ...
    @property
    def wide_regs(self) -> tuple[str, ...]: ...
    @property
    def wide_size(self) -> int: ...
    @property
    def xstate_features(self) -> Callable[[], int]: ...


def select_target(target: CpuTarget) -> None:
    """Make the C host run ``target``: its CPU code is built for every guest and runs
    one per process.  The vCPUs learn their target when they are made."""
    if lib.cpu_target_select(target.name.encode()) != 0:
        raise EngineError(f"the C host has no target {target.name}")

SyscallHandler = Callable[[int, tuple[int, ...]], "SyscallResult"]


class SyscallResult:
    """What a syscall handler tells the C hook (SYSCALL_* of host.h)."""

    __slots__ = ("action", "value")

    def __init__(self, action: int, value: int = 0) -> None:
        self.action = action
        self.value = value


SET_RET = lib.SYSCALL_SET_RET
STOP = lib.SYSCALL_STOP
REGS_SET = lib.SYSCALL_REGS_SET

# vCPUs by their C pointer, for the syscall hook to find its Python side.
_cpus: dict[int, X86CPU] = {}


class EngineError(RuntimeError):
    """The engine refused a request that should have worked (a pyqemu bug)."""


class X86CPU:
    """A vCPU of its target (x86_64, aarch64 or riscv64): QEMU's CPUState as far as
    user mode needs it.  The name stays from when x86_64 was the only guest."""

    def __init__(self, cpu_index: int, target: CpuTarget) -> None:
        self.cpu_index = cpu_index
        #: the guest architecture (select_target has made it the C host's)
        self.target = target
        self._regs = _register_ids(self.target.reg_prefix)
        self._cpu = lib.cpu_create(cpu_index)
        if self._cpu == ffi.NULL:
            raise EngineError("cannot create the engine")
        self._key = int(ffi.cast("uintptr_t", self._cpu))
        _cpus[self._key] = self
        self.syscall_handler: SyscallHandler | None = None
        #: an exception raised by Python while C was running, re-raised by exec
        self.pending_exception: BaseException | None = None
        self.exit_info = ffi.new("cpu_exit_info *")
        #: x86: the XSAVE state components of the guest's XCR0 (those Linux enables for
        #: the CPU model), which its signal frames hold; 0 on the other targets
        self.xstate_features = target.xstate_features()

    @property
    def handle(self) -> object:
        """The C CPUState pointer."""
        return self._cpu

    # ---- registers ----
    def read_reg(self, name: str) -> int:
        value = ffi.new("uint64_t *")
        self._check(lib.cpu_reg_read(self._cpu, self._regs[name], value), f"read {name}")
        return int(value[0])

    def write_reg(self, name: str, value: int) -> None:
        self._check(lib.cpu_reg_write(self._cpu, self._regs[name], value & (2**64 - 1)),
                    f"write {name}")

    def read_reg_bytes(self, name: str, size: int) -> bytes:
        buf = ffi.new("uint8_t[64]")
        self._check(lib.cpu_reg_read_bytes(self._cpu, self._regs[name], buf), f"read {name}")
        return bytes(ffi.buffer(buf, size))

    def write_reg_bytes(self, name: str, data: bytes) -> None:
        buf = ffi.new("uint8_t[64]", data)
        self._check(lib.cpu_reg_write_bytes(self._cpu, self._regs[name], buf),
                    f"write {name}")

    def read_regs_bytes(self, names: Sequence[str], stride: int) -> bytes:
        """Registers ``names`` in one call, each in a slot of ``stride`` bytes (zero past a
        register narrower than the slot)."""
        ids = ffi.new("int[]", [self._regs[name] for name in names])
        buf = ffi.new("uint8_t[]", len(names) * stride + REG_MAX_SIZE)
        self._check(lib.cpu_reg_read_many(self._cpu, ids, len(names), stride, buf),
                    f"read {', '.join(names)}")
        return bytes(ffi.buffer(buf, len(names) * stride))

    def write_regs_bytes(self, names: Sequence[str], stride: int, data: bytes) -> None:
        """Write registers ``names``, in order, from slots of ``stride`` bytes of ``data``."""
        ids = ffi.new("int[]", [self._regs[name] for name in names])
        buf = ffi.new("uint8_t[]", data.ljust(len(names) * stride + REG_MAX_SIZE, b"\0"))
        self._check(lib.cpu_reg_write_many(self._cpu, ids, len(names), stride, buf),
                    f"write {', '.join(names)}")

    def read_regs(self, names: Sequence[str]) -> list[int]:
        """The values of registers ``names`` (at most 8 bytes each), in one call."""
        data = self.read_regs_bytes(names, 8)
        return list(struct.unpack(f"<{len(names)}Q", data))

    def write_regs(self, names: Sequence[str], values: Sequence[int]) -> None:
        """Write registers ``names`` (at most 8 bytes each), in order, in one call."""
        self.write_regs_bytes(names, 8, struct.pack(f"<{len(names)}Q",
                                                    *(v & (2**64 - 1) for v in values)))

    def copy_state_from(self, other: X86CPU) -> None:
        """Registers a new thread inherits (QEMU's cpu_copy): all of user state, the
        FPU's included (Linux's clone copies the parent's FPU state, flags and all, and
        on x86 the whole of each YMM register)."""
        self.xstate_features = other.xstate_features
        for name in self.target.state_regs:
            self.write_reg(name, other.read_reg(name))
        for name in self.target.wide_regs:
            self.write_reg_bytes(name, other.read_reg_bytes(name, self.target.wide_size))
        if "ldtr" in self._regs:
            # x86: the descriptor tables are the process's, the LDT modify_ldt made too
            # (QEMU's cpu_copy copies them), and the thread runs in user mode as its parent
            for table in ("ldtr", "gdtr", "idtr"):
                self.write_reg_bytes(table, other.read_reg_bytes(table, X86_MMR.size))
            cs, ss = other.read_reg("cs"), other.read_reg("ss")
            if cs & 3 and lib.cpu_x86_user_mode(self._cpu, cs, ss) != 0:
                raise EngineError(f"cannot run a thread at CS {cs:#x}, SS {ss:#x}")
            self.write_regs(("ds", "es"), other.read_regs(("ds", "es")))

    def get_fs_base(self) -> int:
        return self.read_reg("fs_base")

    def set_fs_base(self, value: int) -> None:
        self.write_reg("fs_base", value)

    def get_gs_base(self) -> int:
        return self.read_reg("gs_base")

    def set_gs_base(self, value: int) -> None:
        self.write_reg("gs_base", value)

    # ---- memory: a MemoryListener of the guest address space ----
    @property
    def engine_cpu(self) -> object:
        """The CPUState whose engine on_map/on_unmap/on_protect change, and nothing
        more: the C host makes the same changes for the mmap calls it serves."""
        return self._cpu

    def on_map(self, start: int, size: int, prot: int) -> None:
        err = lib.cpu_mem_map_ptr(self._cpu, start, size, prot & UC_PROT_MASK, start)
        self._check(err, f"map {start:#x}+{size:#x}")

    def on_unmap(self, start: int, size: int) -> None:
        lib.cpu_flush_code(self._cpu, start, size)
        self._check(lib.cpu_mem_unmap(self._cpu, start, size), f"unmap {start:#x}+{size:#x}")

    def on_protect(self, start: int, size: int, prot: int) -> None:
        # code written while the page was not executable must be translated anew
        lib.cpu_flush_code(self._cpu, start, size)
        err = lib.cpu_mem_protect(self._cpu, start, size, prot & UC_PROT_MASK)
        self._check(err, f"protect {start:#x}+{size:#x}")

    def flush_code(self, start: int, size: int) -> None:
        lib.cpu_flush_code(self._cpu, start, size)

    # ---- execution ----
    def vcpu_init(self) -> None:
        """QEMU's qemu_plugin_vcpu_init_hook, run once the vCPU exists."""
        lib.qemu_plugin_vcpu_init_hook(self._cpu)

    def vcpu_exit(self) -> None:
        lib.qemu_plugin_vcpu_exit_hook(self._cpu)

    def exec(self) -> int:
        """Run guest code until it needs the caller; returns an EXCP_* code."""
        reason = lib.cpu_exec(self._cpu, self.exit_info)
        if self.pending_exception is not None:
            exc, self.pending_exception = self.pending_exception, None
            raise exc
        return reason

    def close(self) -> None:
        if self._cpu != ffi.NULL:
            _cpus.pop(self._key, None)
            lib.cpu_destroy(self._cpu)
            self._cpu = ffi.NULL

    @staticmethod
    def _check(err: int, what: str) -> None:
        if err != 0:
            raise EngineError(f"engine: {what}: {ffi.string(lib.cpu_strerror(err)).decode()}")


@ffi.def_extern()
def pyqemu_syscall(cpu_ptr: object, num: int, args: object, ret: object) -> int:
    """Called by the C syscall hook; no exception may cross back into C."""
    cpu = _cpus[int(ffi.cast("uintptr_t", cpu_ptr))]
    try:
        assert cpu.syscall_handler is not None
        result = cpu.syscall_handler(num, tuple(args[0:6]))
    except BaseException as exc:  # noqa: B036 - recorded, re-raised by X86CPU.exec
        cpu.pending_exception = exc
        return STOP
    ret[0] = result.value
    return result.action
