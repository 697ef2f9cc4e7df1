# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one guest program: ``run(options)``, the second half of QEMU's linux-user/main.c
main() in its steps (parse_cpu_option, qemu_plugin_load_list, cpu_init, loader_exec,
target_cpu_copy_regs, init_task_state, cpu_loop), and its exit paths (linux-user/exit.c,
and the fatal-signal path of linux-user/signal.c).

Unlike QEMU 7.2, the plugins' atexit callbacks run on every way out: a
normal exit, a fatal guest signal, and an error of the emulator itself.
"""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from pyqemu.errors import PyqemuError
from pyqemu.linux_user.options import Options, guest_base_environ, target_environ

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pyqemu.accel.cpu import X86CPU
    from pyqemu.linux_user.arch import TargetArch
    from pyqemu.linux_user.elfload import ImageInfo
    from pyqemu.linux_user.mmap import GuestMemory
    from pyqemu.linux_user.qemu import TaskState


# The cyclic garbage collector is paused while the emulator starts (pause_gc_at_start)
_gc_paused = False


def pause_gc_at_start() -> None:
    """Pause the garbage collector until the guest's first instruction (resume_gc).

    Start-up allocates a few hundred thousand objects (modules, classes, the syscall
    tables) and frees almost none, so the collections their allocations trigger find
    nothing and cost about a tenth of ``pyqemu-<target> /bin/true`` (issue 19).  The
    command line calls this first thing; the embedding API does not.
    """
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc(freeze: bool = True) -> None:
    """Where the guest starts: start-up's objects go to the collector's permanent
    generation (gc.freeze: later collections do not walk them again) and collection
    resumes, so a long run collects as before.  A no-op unless start-up paused it."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        if freeze:
            gc.freeze()
        gc.enable()


def _write_err(text: str) -> None:
    data = text.encode(errors="replace")
    while data:
        data = data[os.write(2, data):]


def report_error(prog: str, exc: PyqemuError) -> None:
    """One line for the user, in QEMU's words.

    QEMU prints "Error while loading" to stdout and then _exit()s, so the
    line is lost unless stdout is a terminal; pyqemu always shows it, on
    stderr.  Other messages keep QEMU's prefix (or its lack of one).
    """
    bare = not getattr(exc, "qemu_prefix", True) and getattr(exc, "stream", "") != "stdout"
    _write_err(f"{exc}\n" if bare else f"{prog}: {exc}\n")


# The plugins' atexit callbacks ran: once per process, on whichever way out comes first
# (a guest's forked child copies it unset, as it was while the guest ran, and runs its own)
_atexit_ran = False


def run_atexit() -> None:
    """QEMU's qemu_plugin_atexit_cb, run once per process."""
    global _atexit_ran
    from pyqemu.host import lib

    if not _atexit_ran:
        _atexit_ran = True
        lib.qemu_plugin_atexit_cb()


def die_of_signal(sig: int, uncaught_line: bool = True) -> None:
    """End the emulator the way qemu-x86_64 ends when the guest dies of sig
    (uncaught_line False: as qemu ends when it faults itself, without its line)."""
    if uncaught_line and sig not in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT):
        _write_err(f"qemu: uncaught target signal {sig} ({signal.strsignal(sig)})"
                   " - core dumped\n")
    run_atexit()
    sys.stdout.flush()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # libc's signal(), not Python's, which refuses in any thread but the main one: a
    # guest thread that dies of a signal ends the process from its own host thread
    ctypes.CDLL(None).signal(sig, ctypes.c_void_p(0))  # SIG_DFL
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)


def _setup_logging(opts: Options) -> int:
    """-d/-D: where qemu_log output goes; returns its fd."""
    from pyqemu.host import lib

    log_fd = 2
    if opts.log_file:
        try:
            log_fd = os.open(opts.log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as exc:
            raise PyqemuError(f"Error opening logfile {opts.log_file}: {exc.strerror}") from None
    lib.plugin_set_log_fd(log_fd if "plugin" in opts.log_items else -1)
    return log_fd


def _set_cpuid(flat: Sequence[int], level: int, xlevel: int, xlevel2: int,
               topology: bool) -> None:
    """The CPUID table every vCPU answers from (the engine executes its features)."""
    from pyqemu.host import ffi, lib

    if lib.cpu_x86_set_cpuid(ffi.new("uint32_t[]", list(flat)), len(flat) // 6, level, xlevel,
                             xlevel2, topology) != 0:
        raise MemoryError("cpu_x86_set_cpuid")


def _stock_engine() -> bool:
    """Whether the engine is the unicorn wheel's, without pyqemu's patches (no AVX, no
    CPUID-driven features): x86_64 models with AVX are refused there, and without -cpu
    it keeps its own model."""
    from pyqemu import host

    return host.engine_kind == "stock"


def _apply_cpu_model(cfg: Any, prog: str) -> int:
    """-cpu on x86_64: qemu's warnings for the features its TCG drops, the model's CPUID
    table for every vCPU to answer from, and the AT_HWCAP it gives (CPUID.1 EDX)."""
    for warning in cfg.warnings:
        sys.stderr.write(f"{prog}: warning: {warning}\n")
    table = cfg.cpuid_table()
    _set_cpuid(table.flat(), table.level, table.xlevel, table.xlevel2, table.topology)
    return cfg.hwcap()


def _apply_default_x86_model() -> int:
    """No -cpu on x86_64: qemu-x86_64 7.2's default model (max), from the table written
    out for it (cpu_default.py), so that start-up does not compute it; its AT_HWCAP."""
    from pyqemu.linux_user.x86_64 import cpu_default as cpu

    _set_cpuid(cpu.CPUID, cpu.LEVEL, cpu.XLEVEL, cpu.XLEVEL2, cpu.TOPOLOGY)
    return cpu.HWCAP


def _apply_aarch64_model(cfg: Any) -> tuple[int, int]:
    """-cpu on aarch64: the engine's core for it, qemu's ID register values for the C
    host's MRS hook, and the (AT_HWCAP, AT_HWCAP2) qemu-aarch64 gives it."""
    from pyqemu.host import ffi, lib

    flat = cfg.flat()
    lib.cpu_set_engine_model(cfg.engine_model)
    if lib.cpu_aarch64_set_sysregs(ffi.new("uint64_t[]", flat), len(flat) // 6) != 0:
        raise MemoryError("cpu_aarch64_set_sysregs")
    return cfg.hwcap, cfg.hwcap2


def parse_cpu_model(opts: Options) -> None:
    """-cpu NAME[,features] on x86_64 (NAME on aarch64, riscv64): the model as qemu 7.2
    reads it (raises PyqemuError with qemu's message for an unknown model or property, or
    with the features the engine lacks for a model it cannot run)."""
    if opts.cpu_model is None:
        return
    if opts.target == "aarch64":
        from pyqemu.linux_user.aarch64.cpu_models import parse_cpu
    elif opts.target == "riscv64":
        from pyqemu.linux_user.riscv64.cpu_models import parse_cpu
    elif opts.target == "x86_64":
        from pyqemu.linux_user.x86_64.cpu_models import STOCK_ENGINE_LACKS, parse_cpu

        lacks = STOCK_ENGINE_LACKS if _stock_engine() else frozenset()
        opts.cpu_config = parse_cpu(opts.cpu_model, lacks)
        return
    else:
        return
    # each raises pyqemu.errors.CpuModelError, a PyqemuError
    opts.cpu_config = parse_cpu(opts.cpu_model)


def parse_cpu_option(opts: Options, prog: str) -> bool:
    """-cpu read once the options are parsed (main.c's parse_cpu_option); False after
    printing qemu's message for a bad model, one prefixed line per line."""
    try:
        parse_cpu_model(opts)
    except PyqemuError as exc:
        sys.stderr.write("".join(f"{prog}: {line}\n" for line in str(exc).split("\n")))
        return False
    return True


def load_plugins(opts: Options) -> None:
    """qemu_plugin_load_list: every -plugin, in order; the first failure stops the run."""
    from pyqemu.plugins.loader import QemuPluginList, qemu_plugin_load_list, qemu_plugin_opt_parse

    plugins = QemuPluginList()
    for optstr in opts.plugin_opts:
        qemu_plugin_opt_parse(optstr, plugins)
    qemu_plugin_load_list(plugins, opts.target)


def cpu_init(opts: Options, prog: str) -> tuple[TargetArch, X86CPU, GuestMemory, int,
                                                 int | None]:
    """The target, its -cpu model, the guest address space and vCPU 0 (whose creation
    fires the plugins' vcpu_init); returns them with the AT_HWCAP/AT_HWCAP2 to give."""
    from pyqemu.accel.cpu import X86CPU
    from pyqemu.host import lib
    from pyqemu.linux_user import arch
    from pyqemu.linux_user.mmap import GuestMemory

    target = arch.select(opts.target)
    hwcap, hwcap2 = target.hwcap, target.hwcap2
    if opts.cpu_config is not None and target.name == "aarch64":
        hwcap, hwcap2 = _apply_aarch64_model(opts.cpu_config)
    elif opts.cpu_config is not None and target.name == "riscv64":
        lib.cpu_set_engine_model(opts.cpu_config.engine_model)
        hwcap = opts.cpu_config.hwcap
    elif opts.cpu_config is not None:
        hwcap = _apply_cpu_model(opts.cpu_config, prog)
    elif target.name == "x86_64" and not _stock_engine():
        hwcap = _apply_default_x86_model()
    mem = GuestMemory(mmap_base=target.mmap_base)
    cpu = X86CPU(0, target)
    mem.add_listener(cpu)
    cpu.vcpu_init()
    return target, cpu, mem, hwcap, hwcap2


def loader_exec(opts: Options, environ: dict[str, str], target: TargetArch, mem: GuestMemory,
                hwcap: int, hwcap2: int | None) -> tuple[ImageInfo, list[str]]:
    """Load the program (and its interpreter) with its stack, argv, environment and aux
    vector, tell the plugins about it, and map what qemu-<arch> maps next; returns the
    image and the guest's argv."""
    from pyqemu.linux_user import arch
    from pyqemu.linux_user.elfload import load_elf_binary
    from pyqemu.plugins.loader import qemu_plugin_image_loaded

    exec_path = opts.program[0]
    guest_argv = list(opts.program)
    if opts.argv0 is not None:
        guest_argv[0] = opts.argv0
    # QEMU's STACK_LOWER_LIMIT: never less than 32 pages
    stack_size = (max(opts.stack_size, 32 * 4096) + 4095) & ~4095
    image = load_elf_binary(exec_path, guest_argv, target_environ(opts, environ), mem,
                            ld_prefix=opts.ld_prefix, stack_size=stack_size,
                            exec_path=exec_path, machine=target.elf_machine,
                            hwcap=hwcap, hwcap2=hwcap2,
                            platform=target.platform,
                            before_tables=lambda mem: arch.map_sigtramp(target, mem))
    qemu_plugin_image_loaded(image)
    return image, guest_argv


def target_cpu_copy_regs(target: TargetArch, cpu: X86CPU, mem: GuestMemory,
                         image: ImageInfo) -> None:
    """The first instruction and the stack the loader laid out (QEMU's
    target_cpu_copy_regs with the loader's target_pt_regs), then the target's own set-up.
    It maps what qemu-<arch> maps next (x86_64: the IDT and the GDT, a page each), which
    puts later mappings (ld.so's, libc) at qemu's addresses."""
    cpu.write_reg(target.pc_reg, image.interp_entry)
    cpu.write_reg(target.sp_reg, image.start_stack)
    target.cpu_copy_regs(cpu, mem)


def init_task_state(opts: Options, target: TargetArch, cpu: X86CPU, mem: GuestMemory,
                    image: ImageInfo, guest_argv: list[str], log_fd: int) -> TaskState:
    """The first thread's TaskState and the process it starts (QEMU's init_task_state and
    the ts set-up in main())."""
    from pyqemu.linux_user.qemu import GuestProcess, TaskState
    from pyqemu.linux_user.signal import do_rt_sigreturn
    from pyqemu.linux_user.syscall.args import path_prefix
    from pyqemu.linux_user.syscall.proc_self import start_boottime
    from pyqemu.linux_user.thread import do_clone_thread

    process = GuestProcess(end_process=_end_process_from_thread)
    process.cpus.add(cpu)
    task = TaskState(mem=mem, cpu=cpu, exe_path=os.path.abspath(image.path),
                     argv=guest_argv, image=image,
                     strace=opts.strace or "strace" in opts.log_items,
                     unimp_log="unimp" in opts.log_items,
                     path_prefix=path_prefix(opts.ld_prefix), target=target, process=process)
    task.sigreturn = lambda: do_rt_sigreturn(task)
    task.clone_thread = lambda *a: do_clone_thread(task, *a)
    task.start_boottime = start_boottime()
    if log_fd != 2:
        task.log_write = lambda text: os.write(log_fd, text.encode(errors="replace"))
    return task


def cpu_loop_to_exit(task: TaskState) -> int:
    """Run the first thread's cpu_loop until the process exits; returns its status.

    Ends the process itself (never returns) when other threads still run guest code or
    when this is a guest's forked child, as QEMU's _exit does.
    """
    from pyqemu.linux_user.cpu_loop import ProcessExit, ThreadExit, cpu_loop
    from pyqemu.linux_user.thread import thread_exit

    resume_gc()
    emulator_pid = os.getpid()
    try:
        cpu_loop(task)
    except ThreadExit as exc:
        if not thread_exit(task):
            threading.Event().wait()   # the last thread ends the process
        status = exc.status
    except ProcessExit as exc:
        status = exc.status
    run_atexit()
    if len(task.process.cpus.cpus) > 1 or os.getpid() != emulator_pid:
        # other threads still run guest code, or this is a guest's forked
        # child: end like QEMU's _exit, without tearing the interpreter down
        sys.stdout.flush()
        os._exit(status)
    return status


def run_program(opts: Options, prog: str, environ: dict[str, str]) -> int:
    """The second half of QEMU's linux-user main(): logging, the plugins, the vCPU, the
    program, then the CPU loop; returns the exit status (or dies of the guest's signal)."""
    from pyqemu import host
    from pyqemu.linux_user.elfload import LoaderSignal
    from pyqemu.linux_user.signal import GuestSignal, host_signal_init

    # the host of the options' plugin API level; every later use of pyqemu.host.lib,
    # here and in the layers below, is this one (HostLevelError if another is loaded)
    lib = host.load(opts.plugin_api).lib
    lib.plugin_crash_report_init(prog.encode())
    try:
        log_fd = _setup_logging(opts)
        load_plugins(opts)
        target, cpu, mem, hwcap, hwcap2 = cpu_init(opts, prog)
        image, guest_argv = loader_exec(opts, environ, target, mem, hwcap, hwcap2)
        if opts.cpu_config is not None and not getattr(opts.cpu_config, "long_mode", True):
            # qemu-x86_64 checks once the program is loaded, with no prefix
            sys.stderr.write("The selected x86 CPU does not support 64 bit mode\n")
            run_atexit()
            return 1
    except LoaderSignal as exc:
        die_of_signal(exc.sig, exc.uncaught_line)
        return exc.exit_status
    except PyqemuError as exc:
        report_error(prog, exc)
        run_atexit()
        return exc.exit_status

    target_cpu_copy_regs(target, cpu, mem, image)
    host_signal_init()      # first: the task's actions start from what the host ignored
    task = init_task_state(opts, target, cpu, mem, image, guest_argv, log_fd)
    try:
        return cpu_loop_to_exit(task)
    except GuestSignal as exc:
        die_of_signal(exc.sig)
    except PyqemuError as exc:
        report_error(prog, exc)
        run_atexit()
        return exc.exit_status
    return 1


def run(opts: Options) -> int:
    """Run the program ``opts`` names to its end; returns its exit status, or dies of the
    guest's signal as qemu does.  The one entry point: the command line, pyqemu.run()
    and pyqemu-cov all come here (as ``pyqemu.linux_user.run``).

    A bug of pyqemu's own is one line and status 1, not a traceback (PYQEMU_DEBUG=1
    lets it through); the plugins' atexit callbacks run on that way out too.
    """
    prog = opts.prog or f"pyqemu-{opts.target}"
    try:
        if not parse_cpu_option(opts, prog):
            return 1
        environ = opts.environ if opts.environ is not None else guest_base_environ()
        return run_program(opts, prog, environ)
    except KeyboardInterrupt:
        return 130
    except PyqemuError as exc:  # before the run starts: pyqemu.host.EngineVersionError
        sys.stderr.write(f"pyqemu: {exc}\n")
        return exc.exit_status
    except Exception as exc:  # a pyqemu bug: one line, not a traceback
        if os.environ.get("PYQEMU_DEBUG"):
            raise
        sys.stderr.write(f"{prog}: internal error: {type(exc).__name__}: {exc} "
                         "(set PYQEMU_DEBUG=1 for a traceback)\n")
        run_atexit()
        return 1


def _end_process_from_thread(code: int) -> None:
    """A non-main thread ends the process: exit status, or -signal."""
    if code < 0:
        die_of_signal(-code)
    run_atexit()
    os._exit(code)
