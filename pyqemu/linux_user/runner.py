"""Run one guest program: the second half of QEMU's linux-user/main.c main(),
its cpu_loop (linux-user/x86_64/cpu_loop.c) and its exit paths
(linux-user/exit.c, and the fatal-signal path of linux-user/signal.c).

Unlike QEMU 7.2, the plugins' atexit callbacks run on every way out: a
normal exit, a fatal guest signal, and an error of the emulator itself.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import sys
from typing import TYPE_CHECKING

from pyqemu.errors import PyqemuError

if TYPE_CHECKING:
    from pyqemu.linux_user.main import Options

# CPU exceptions (x86 vector numbers) and the guest signal each raises in user mode.
_X86_EXCEPTION_SIGNALS = {
    0: signal.SIGFPE,    # divide error
    1: signal.SIGTRAP,   # debug
    3: signal.SIGTRAP,   # int3
    4: signal.SIGSEGV,   # into
    5: signal.SIGSEGV,   # bound
    6: signal.SIGILL,    # invalid opcode
    13: signal.SIGSEGV,  # general protection (privileged instructions, hlt)
    14: signal.SIGSEGV,  # page fault
    16: signal.SIGFPE,   # x87 error
    17: signal.SIGBUS,   # alignment check
    19: signal.SIGFPE,   # SIMD floating point
}


class GuestSignal(Exception):
    """The guest is to die of a signal (no guest handler takes it yet)."""

    def __init__(self, sig: int) -> None:
        super().__init__(f"guest signal {sig}")
        self.sig = sig


def _write_err(text: str) -> None:
    data = text.encode(errors="replace")
    while data:
        data = data[os.write(2, data):]


def run_atexit() -> None:
    """QEMU's qemu_plugin_atexit_cb, run once per process."""
    from pyqemu.host import lib

    if not getattr(run_atexit, "done", False):
        run_atexit.done = True  # type: ignore[attr-defined]
        lib.qemu_plugin_atexit_cb()


def die_of_signal(sig: int) -> None:
    """End the emulator the way qemu-x86_64 ends when the guest dies of sig."""
    if sig not in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT):
        _write_err(f"qemu: uncaught target signal {sig} ({signal.strsignal(sig)})"
                   " - core dumped\n")
    run_atexit()
    sys.stdout.flush()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)


def _setup_logging(opts: Options) -> int:
    """-d/-D: where qemu_log output goes; returns its fd."""
    from pyqemu.host import lib

    log_fd = 2
    if opts.log_file:
        log_fd = os.open(opts.log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    lib.plugin_set_log_fd(log_fd if "plugin" in opts.log_items else -1)
    return log_fd


def run_program(opts: Options, prog: str, environ: dict[str, str]) -> int:
    """Load plugins, create the vCPU, load the program and run it to its end."""
    from pyqemu.accel.cpu import REGS_SET, SET_RET, STOP, X86CPU, SyscallResult
    from pyqemu.host import lib
    from pyqemu.linux_user.elfload import load_elf_binary
    from pyqemu.linux_user.main import target_environ
    from pyqemu.linux_user.mmap import GuestMemory
    from pyqemu.linux_user.qemu import GuestExit, TaskState
    from pyqemu.linux_user.syscall import do_syscall
    from pyqemu.plugins.loader import QemuPluginList, qemu_plugin_load_list, qemu_plugin_opt_parse

    try:
        log_fd = _setup_logging(opts)
        plugins = QemuPluginList()
        for optstr in opts.plugin_opts:
            qemu_plugin_opt_parse(optstr, plugins)
        qemu_plugin_load_list(plugins, opts.target)

        mem = GuestMemory()
        cpu = X86CPU(0)
        mem.add_listener(cpu)
        cpu.vcpu_init()

        exec_path = opts.program[0]
        guest_argv = list(opts.program)
        if opts.argv0 is not None:
            guest_argv[0] = opts.argv0
        image = load_elf_binary(exec_path, guest_argv, target_environ(opts, environ), mem,
                                ld_prefix=opts.ld_prefix, stack_size=opts.stack_size,
                                exec_path=exec_path)
    except PyqemuError as exc:
        _write_err(f"{prog}: {exc}\n")
        run_atexit()
        return exc.exit_status

    cpu.write_reg("rip", image.interp_entry)
    cpu.write_reg("rsp", image.start_stack)
    task = TaskState(mem=mem, cpu=cpu, exe_path=os.path.abspath(image.path),
                     argv=guest_argv, image=image,
                     strace=opts.strace or "strace" in opts.log_items,
                     unimp_log="unimp" in opts.log_items)
    if log_fd != 2:
        task.log_write = lambda text: os.write(log_fd, text.encode(errors="replace"))
    exit_status: list[int] = []

    def handle_syscall(num: int, args: tuple[int, ...]) -> SyscallResult:
        try:
            ret = do_syscall(task, num, *args)
        except GuestExit as exc:
            exit_status.append(exc.status & 0xFF)
            return SyscallResult(STOP)
        if ret is None:
            return SyscallResult(REGS_SET)
        ret &= 2**64 - 1
        return SyscallResult(SET_RET, ret - 2**64 if ret >= 2**63 else ret)

    cpu.syscall_handler = handle_syscall
    try:
        while True:
            reason = cpu.exec()
            if reason == lib.EXCP_SYSCALL_STOP and exit_status:
                run_atexit()
                return exit_status[0]
            raise GuestSignal(_signal_of_exit(reason, cpu))
    except GuestSignal as exc:
        die_of_signal(exc.sig)
    except PyqemuError as exc:
        _write_err(f"{prog}: {exc}\n")
        run_atexit()
        return exc.exit_status
    return 1


def _signal_of_exit(reason: int, cpu: object) -> int:
    from pyqemu.host import lib

    info = cpu.exit_info  # type: ignore[attr-defined]
    if reason == lib.EXCP_SEGV:
        return signal.SIGSEGV
    if reason == lib.EXCP_ILL:
        return signal.SIGILL
    if reason == lib.EXCP_INTR:
        return _X86_EXCEPTION_SIGNALS.get(info.intno, signal.SIGSEGV)
    if reason == lib.EXCP_ENGINE:
        # an engine stop with no error is hlt or another privileged instruction
        return signal.SIGSEGV if info.uc_err == 0 else signal.SIGILL
    raise PyqemuError(f"unexpected stop of the vCPU ({reason}) at {info.pc:#x}"
                      f" ({os.strerror(errno.EFAULT)})")
