# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin API for plugins written in Python: QEMU's qemu-plugin.h, in Python.

Mirrors include/qemu/qemu-plugin.h function by function (the ``qemu_plugin_``
prefix dropped): a Python plugin is a module (or file) with
``qemu_plugin_install(id, info, args)``, and it registers the same events
with the same meaning as a C plugin.  Every call goes to the same C API that
C plugins call, so:

- inline operations run in C, on counters allocated in C (``Counter``), and
  Python reads them when it wants (at atexit, typically);
- Python code runs only where the plugin registered a Python callback
  (translation, block or instruction execution, memory access, syscalls...).

Wrong arguments raise at the call, not later in the run: TypeError for a
callback that is not callable, IndexError for a Counter cell past its end.

Example (the bb plugin)::

    from pyqemu.plugins import api

    def qemu_plugin_install(plugin_id, info, args):
        blocks, insns = api.Counter(), api.Counter()

        def on_trans(plugin_id, tb):
            api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, blocks, 1)
            api.register_vcpu_tb_exec_inline(tb, api.INLINE_ADD_U64, insns, tb.n_insns)

        api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
        api.register_atexit_cb(plugin_id, lambda plugin_id, _: api.outs(
            f"bb's: {blocks.value}, insns: {insns.value}\\n"))
        return 0
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from pyqemu.host import ffi, lib

#: the version a Python plugin gets when it declares no ``qemu_plugin_version``
#: (5.2's); a plugin that calls the QEMU 7.2 functions below declares 1
QEMU_PLUGIN_VERSION = 0

CB_NO_REGS, CB_R_REGS, CB_RW_REGS = 0, 1, 2
MEM_R, MEM_W, MEM_RW = 1, 2, 3
INLINE_ADD_U64 = 0

#: plugin id -> name, for error lines; set by the Python plugin loader
plugin_names: dict[int, str] = {}
# the plugin whose tb_trans callback runs now: owner of dynamic registrations
_translating: list[int] = [0]

# The C function pointers handed to the host: one cffi callback per plugin and event,
# made at the first registration and reused by every later one, as C keeps one
# callback per plugin and event (a registration replaces the last) and calls the
# per-block ones with a user-data word.  Each cffi callback is executable memory that
# cffi frees only with its Python object; C may call it until the process ends, so
# they live as long as the process, and their number is bounded by plugins x events.
_c_callbacks: dict[tuple[int, str], object] = {}
# The Python callback each per-plugin event calls now: (plugin id, event) -> callable.
# A registration replaces it, as C replaces the function; reset and uninstall drop it.
_event_cbs: dict[tuple[int, str], Callable[..., None]] = {}
# (callback, user data) of the per-block and per-instruction registrations, by the key
# C hands back as its user-data word; an equal registration reuses its key.
_exec_entries: dict[int, tuple[Callable[..., None], object]] = {}
_exec_keys: dict[tuple[object, ...], int] = {}
# plugins that asked to be uninstalled: C takes no new subscriptions from them and keeps
# calling the old ones until the uninstall completes, so their Python side stays too
_leaving: set[int] = set()
# user data compared by value (equal ones cannot be told apart); others by identity
_VALUE_TYPES = (int, str, bytes, bool, type(None))


def _c_callback(plugin_id: int, event: str, ctype: str,
                trampoline: Callable[..., None]) -> object:
    """The one C function pointer of ``plugin_id``'s ``event``, made on first use."""
    key = (plugin_id, event)
    c_cb = _c_callbacks.get(key)
    if c_cb is None:
        # setdefault: of two threads making it at once, both register the one kept
        c_cb = _c_callbacks.setdefault(
            key, ffi.callback(ctype, trampoline, onerror=_report(event, plugin_id)))
    return c_cb


def _event_callback(plugin_id: int, event: str, ctype: str, cb: Callable[..., None]) -> object:
    """Make ``cb`` what ``plugin_id``'s ``event`` calls; returns the C pointer to register."""
    _callable(cb)
    if plugin_id not in _leaving:
        _event_cbs[(plugin_id, event)] = cb

    def trampoline(*args: Any) -> None:
        _event_cbs[(plugin_id, event)](*args)

    return _c_callback(plugin_id, event, ctype, trampoline)


def _forget_plugin(plugin_id: int) -> None:
    """reset / uninstall: C dropped every callback of the plugin; drop their Python side."""
    for key in [key for key in _event_cbs if key[0] == plugin_id]:
        del _event_cbs[key]


def _exec_key(cb: Callable[..., None], userdata: object) -> Any:
    """The user-data word for a per-block registration of (cb, userdata)."""
    if isinstance(userdata, _VALUE_TYPES):
        lookup: tuple[object, ...] = (id(cb), type(userdata), userdata)
    else:
        lookup = (id(cb), id(userdata))
    key = _exec_keys.get(lookup)
    if key is None or _exec_entries[key][0] is not cb:
        key = len(_exec_entries) + 1
        _exec_entries[key] = (cb, userdata)   # keeps cb (and its id) alive
        _exec_keys[lookup] = key
    return ffi.cast("void *", key)


_reported: set[tuple[int, str]] = set()


def _report(event: str, plugin_id: int) -> Callable[..., None]:
    """cffi's onerror: one line naming the plugin and the event, no traceback.

    The line is written once per plugin and event; the guest runs on.
    """
    name = plugin_names.get(plugin_id, "python plugin")

    def onerror(exc_type: type, exc: BaseException, _tb: object) -> None:
        if (plugin_id, event) in _reported:
            return
        _reported.add((plugin_id, event))
        os.write(2, f"pyqemu: {name}: {event} callback raised "
                    f"{exc_type.__name__}: {exc}\n".encode())

    return onerror


class Counter:
    """uint64 counters in C memory, the targets of inline operations."""

    def __init__(self, n: int = 1) -> None:
        self._cells = ffi.new("uint64_t[]", n)
        self.n = n

    def __getitem__(self, index: int) -> int:
        return int(self._cells[index])

    def __setitem__(self, index: int, value: int) -> None:
        self._cells[index] = value

    def __len__(self) -> int:
        return self.n

    @property
    def value(self) -> int:
        return int(self._cells[0])

    def values(self) -> list[int]:
        return list(self._cells)

    def ptr(self, index: int = 0) -> Any:
        """The address of cell ``index``, for an inline operation's target.

        Raises: IndexError outside 0..n-1: C would add to memory past the cells.
        """
        if not 0 <= index < self.n:
            raise IndexError(f"counter index {index} out of range 0..{self.n - 1}")
        return self._cells + index


class Insn:
    """A translated instruction (``struct qemu_plugin_insn``)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    @property
    def vaddr(self) -> int:
        return int(lib.qemu_plugin_insn_vaddr(self.handle))

    @property
    def size(self) -> int:
        return int(lib.qemu_plugin_insn_size(self.handle))

    @property
    def data(self) -> bytes:
        return bytes(ffi.buffer(lib.qemu_plugin_insn_data(self.handle), self.size))

    @property
    def haddr(self) -> int:
        return int(ffi.cast("uintptr_t", lib.qemu_plugin_insn_haddr(self.handle)))

    def disas(self) -> str:
        text = lib.qemu_plugin_insn_disas(self.handle)
        try:
            return ffi.string(text).decode()
        finally:
            lib.free(text)


    @property
    def symbol(self) -> str | None:
        """The function symbol holding the instruction (QEMU 7.2 level), or None."""
        name = lib.qemu_plugin_insn_symbol(self.handle)
        return None if name == ffi.NULL else ffi.string(name).decode(errors="replace")


class Tb:
    """A translated block (``struct qemu_plugin_tb``), valid during tb_trans."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    @property
    def n_insns(self) -> int:
        return int(lib.qemu_plugin_tb_n_insns(self.handle))

    @property
    def vaddr(self) -> int:
        return int(lib.qemu_plugin_tb_vaddr(self.handle))

    def get_insn(self, index: int) -> Insn | None:
        handle = lib.qemu_plugin_tb_get_insn(self.handle, index)
        return None if handle == ffi.NULL else Insn(handle)

    @property
    def insns(self) -> list[Insn]:
        return [Insn(lib.qemu_plugin_tb_get_insn(self.handle, i)) for i in range(self.n_insns)]


# ---- per-plugin events ----

def _callable(cb: object) -> None:
    """Raises TypeError now, at registration, for a callback that is not callable.

    The callbacks that go through a trampoline would otherwise fail only when
    the event comes, as a reported error line in the middle of the run.
    """
    if not callable(cb):
        raise TypeError(f"the callback must be callable, not {type(cb).__name__}")


def register_vcpu_init_cb(plugin_id: int, cb: Callable[[int, int], None]) -> None:
    lib.qemu_plugin_register_vcpu_init_cb(plugin_id, _event_callback(
        plugin_id, "vcpu_init", "void(uint64_t, unsigned int)", cb))


def register_vcpu_exit_cb(plugin_id: int, cb: Callable[[int, int], None]) -> None:
    lib.qemu_plugin_register_vcpu_exit_cb(plugin_id, _event_callback(
        plugin_id, "vcpu_exit", "void(uint64_t, unsigned int)", cb))


def register_vcpu_tb_trans_cb(plugin_id: int, cb: Callable[[int, Tb], None]) -> None:
    def tb_trans(pid: int, tb: Any) -> None:
        _translating[0] = pid
        cb(pid, Tb(tb))

    _callable(cb)
    lib.qemu_plugin_register_vcpu_tb_trans_cb(plugin_id, _event_callback(
        plugin_id, "tb_trans", "void(uint64_t, struct qemu_plugin_tb *)", tb_trans))


def register_vcpu_syscall_cb(plugin_id: int, cb: Callable[..., None]) -> None:
    lib.qemu_plugin_register_vcpu_syscall_cb(plugin_id, _event_callback(
        plugin_id, "syscall", "void(uint64_t, unsigned int, int64_t, uint64_t, uint64_t, "
        "uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t)", cb))


def register_vcpu_syscall_ret_cb(plugin_id: int, cb: Callable[[int, int, int, int], None]) -> None:
    lib.qemu_plugin_register_vcpu_syscall_ret_cb(plugin_id, _event_callback(
        plugin_id, "syscall_ret", "void(uint64_t, unsigned int, int64_t, int64_t)", cb))


def register_flush_cb(plugin_id: int, cb: Callable[[int], None]) -> None:
    lib.qemu_plugin_register_flush_cb(plugin_id, _event_callback(
        plugin_id, "flush", "void(uint64_t)", cb))


def register_atexit_cb(plugin_id: int, cb: Callable[[int, Any], None],
                       userdata: object = None) -> None:
    def atexit(pid: int, _ptr: Any) -> None:
        cb(pid, userdata)

    _callable(cb)
    lib.qemu_plugin_register_atexit_cb(plugin_id, _event_callback(
        plugin_id, "atexit", "void(uint64_t, void *)", atexit), ffi.NULL)


# ---- registrations on a block or an instruction (from tb_trans) ----

def _exec_trampoline(vcpu_index: int, ptr: Any) -> None:
    cb, userdata = _exec_entries[int(ffi.cast("uintptr_t", ptr))]
    cb(vcpu_index, userdata)


def _mem_trampoline(vcpu_index: int, info: int, vaddr: int, ptr: Any) -> None:
    cb, userdata = _exec_entries[int(ffi.cast("uintptr_t", ptr))]
    cb(vcpu_index, info, vaddr, userdata)


def _exec_callback(event: str) -> object:
    return _c_callback(_translating[0], event, "void(unsigned int, void *)", _exec_trampoline)


def register_vcpu_tb_exec_cb(tb: Tb, cb: Callable[[int, Any], None], flags: int = CB_NO_REGS,
                             userdata: object = None) -> None:
    _callable(cb)
    lib.qemu_plugin_register_vcpu_tb_exec_cb(tb.handle, _exec_callback("tb_exec"), flags,
                                             _exec_key(cb, userdata))


def register_vcpu_tb_exec_inline(tb: Tb, op: int, counter: Counter, imm: int,
                                 index: int = 0) -> None:
    lib.qemu_plugin_register_vcpu_tb_exec_inline(tb.handle, op, counter.ptr(index), imm)


def register_vcpu_insn_exec_cb(insn: Insn, cb: Callable[[int, Any], None],
                               flags: int = CB_NO_REGS, userdata: object = None) -> None:
    _callable(cb)
    lib.qemu_plugin_register_vcpu_insn_exec_cb(insn.handle, _exec_callback("insn_exec"),
                                               flags, _exec_key(cb, userdata))


def register_vcpu_insn_exec_inline(insn: Insn, op: int, counter: Counter, imm: int,
                                   index: int = 0) -> None:
    lib.qemu_plugin_register_vcpu_insn_exec_inline(insn.handle, op, counter.ptr(index), imm)


def register_vcpu_mem_cb(insn: Insn, cb: Callable[[int, int, int, Any], None],
                         flags: int = CB_NO_REGS, rw: int = MEM_RW,
                         userdata: object = None) -> None:
    _callable(cb)
    c_cb = _c_callback(_translating[0], "mem", "void(unsigned int, uint32_t, uint64_t, void *)",
                       _mem_trampoline)
    lib.qemu_plugin_register_vcpu_mem_cb(insn.handle, c_cb, flags, rw, _exec_key(cb, userdata))


def register_vcpu_mem_inline(insn: Insn, rw: int, op: int, counter: Counter, imm: int,
                             index: int = 0) -> None:
    lib.qemu_plugin_register_vcpu_mem_inline(insn.handle, rw, op, counter.ptr(index), imm)


# ---- batched events (pyqemu's own): one Python call per buffer, not per event ----

_BATCH_CTYPE = "void(uint64_t, unsigned int, const uint64_t *, const uint32_t *, size_t)"
BATCH_CAPACITY = 65536


def _view(ptr: Any, n: int, size: int, fmt: str) -> memoryview:
    """A read-only memoryview of n C items at ptr (no copy)."""
    return memoryview(ffi.buffer(ptr, n * size)).cast(fmt).toreadonly()


def _release(*views: memoryview) -> None:
    """End the views: the C buffer is refilled after the callback.  A view still
    exported (an ndarray the plugin kept) cannot be released; it sees new data."""
    for view in views:
        try:
            view.release()
        except BufferError:
            pass


def _batch_capacity(capacity: int) -> int:
    if not isinstance(capacity, int) or capacity < 1:
        raise ValueError(f"batch capacity must be a positive int, not {capacity!r}")
    return capacity


def register_vcpu_tb_exec_batch(plugin_id: int, cb: Callable[[int, memoryview], None],
                                capacity: int = BATCH_CAPACITY) -> None:
    """Every executed block's vaddr, ``capacity`` at a time: ``cb(vcpu_index, pcs)``.

    The host appends each block's vaddr (``qemu_plugin_tb_vaddr``) to a
    per-vCPU buffer in C, without entering Python, and calls ``cb`` when it is
    full; a partly filled buffer comes before any other callback of this
    plugin on that vCPU (syscall, syscall return, vCPU exit, tb_trans, its
    other exec and memory callbacks) and before atexit, so the plugin sees
    its events in execution order.  ``pcs`` is a read-only memoryview of
    uint64 (format ``'Q'``) over the C buffer, valid during the call only
    (``numpy.frombuffer(pcs, dtype=numpy.uint64)`` wraps it without a copy;
    copy what you keep).  Register it from ``qemu_plugin_install``: blocks
    translated before do not append.  A second registration replaces the
    callback and capacity.
    """
    capacity = _batch_capacity(capacity)

    def deliver(pid: int, vcpu_index: int, vaddrs: Any, _infos: Any, n: int) -> None:
        pcs = _view(vaddrs, n, 8, "Q")
        try:
            cb(vcpu_index, pcs)
        finally:
            _release(pcs)

    _callable(cb)
    lib.plugin_register_batch(plugin_id, False, _event_callback(
        plugin_id, "tb_batch", _BATCH_CTYPE, deliver), capacity, 0)


def register_vcpu_mem_batch(plugin_id: int, cb: Callable[[int, memoryview, memoryview], None],
                            rw: int = MEM_RW, capacity: int = BATCH_CAPACITY) -> None:
    """Every memory access of kind ``rw``, ``capacity`` at a time:
    ``cb(vcpu_index, vaddrs, infos)``.

    ``vaddrs`` (uint64, format ``'Q'``) and ``infos`` (uint32 meminfo, format
    ``'I'``, read with ``mem_is_store`` etc.) are two read-only memoryviews of
    the same length, item i of each describing the i-th access; the same
    delivery rules and lifetime as ``register_vcpu_tb_exec_batch``, whose
    buffer (when the plugin has both) is delivered first.
    """
    capacity = _batch_capacity(capacity)

    def deliver(pid: int, vcpu_index: int, vaddrs: Any, infos: Any, n: int) -> None:
        addrs, meminfo = _view(vaddrs, n, 8, "Q"), _view(infos, n, 4, "I")
        try:
            cb(vcpu_index, addrs, meminfo)
        finally:
            _release(addrs, meminfo)

    _callable(cb)
    lib.plugin_register_batch(plugin_id, True, _event_callback(
        plugin_id, "mem_batch", _BATCH_CTYPE, deliver), capacity, rw)


_tally_scratch = threading.local()


def tally(values: memoryview) -> dict[int, int]:
    """How many times each distinct value occurs in ``values`` (uint64, e.g. a batch).

    Counted in C: ``counter.update(api.tally(pcs))`` gives what
    ``counter.update(pcs)`` gives (Counter adds a mapping's counts) at a few
    nanoseconds an item instead of ~70, as a batch of blocks holds few distinct
    vaddrs.  The dict is in order of first occurrence.
    """
    n = len(values)
    if n == 0:
        return {}
    source = ffi.from_buffer("uint64_t[]", values)
    # the output arrays, kept per thread (vCPUs deliver batches concurrently): made
    # anew for every call, zeroing them would cost more than the counting
    scratch = getattr(_tally_scratch, "arrays", None)
    if scratch is None or len(scratch[0]) < n:
        scratch = _tally_scratch.arrays = (ffi.new("uint64_t[]", n), ffi.new("uint64_t[]", n))
    keys, counts = scratch
    distinct = lib.plugin_batch_tally(source, n, keys, counts)
    if distinct == int(ffi.cast("size_t", -1)):
        raise MemoryError("tally: out of memory")
    return dict(zip(ffi.unpack(keys, distinct), ffi.unpack(counts, distinct), strict=True))


# ---- memory access information, vCPUs, output, life cycle ----

def mem_size_shift(info: int) -> int:
    return int(lib.qemu_plugin_mem_size_shift(info))


def mem_is_store(info: int) -> bool:
    return bool(lib.qemu_plugin_mem_is_store(info))


def mem_is_sign_extended(info: int) -> bool:
    return bool(lib.qemu_plugin_mem_is_sign_extended(info))


def mem_is_big_endian(info: int) -> bool:
    return bool(lib.qemu_plugin_mem_is_big_endian(info))


def n_vcpus() -> int:
    return int(lib.qemu_plugin_n_vcpus())


def n_max_vcpus() -> int:
    return int(lib.qemu_plugin_n_max_vcpus())


def outs(text: str) -> None:
    lib.qemu_plugin_outs(text.encode())


def _ending_callback(plugin_id: int, event: str, cb: Callable[[int], None] | None) -> Any:
    """The C pointer for reset's or uninstall's callback: when it runs, C has dropped
    every callback of the plugin, so their Python side goes first."""
    if cb is not None:
        _callable(cb)

    def ending(pid: int) -> None:
        _forget_plugin(pid)
        if cb is not None:
            cb(pid)

    # as C keeps the first of two resets (or uninstalls) asked for before it runs
    _event_cbs.setdefault((plugin_id, event), ending)
    return _c_callback(plugin_id, event, "void(uint64_t)",
                       lambda pid: _event_cbs.pop((pid, event), _no_callback)(pid))


def _no_callback(_pid: int) -> None:
    pass


def uninstall(plugin_id: int, cb: Callable[[int], None] | None = None) -> None:
    c_cb = _ending_callback(plugin_id, "uninstall", cb)
    _leaving.add(plugin_id)
    lib.qemu_plugin_uninstall(plugin_id, c_cb)


def reset(plugin_id: int, cb: Callable[[int], None] | None = None) -> None:
    lib.qemu_plugin_reset(plugin_id, _ending_callback(plugin_id, "reset", cb))


# ---- QEMU 7.2 level (QEMU_PLUGIN_VERSION 1): only with the default host ----

def path_to_binary() -> str | None:
    """The program's name as given to the emulator; None before it is loaded."""
    path = lib.qemu_plugin_path_to_binary()
    if path == ffi.NULL:
        return None
    try:
        return ffi.string(path).decode(errors="surrogateescape")
    finally:
        lib.free(ffi.cast("void *", path))


def start_code() -> int:
    return int(lib.qemu_plugin_start_code())


def end_code() -> int:
    return int(lib.qemu_plugin_end_code())


def entry_code() -> int:
    return int(lib.qemu_plugin_entry_code())


def bool_parse(name: str, value: str) -> bool | None:
    """QEMU's boolean words (on/yes/true/y, off/no/false/n); None for anything else."""
    result = ffi.new("bool *")
    if not lib.qemu_plugin_bool_parse(name.encode(), value.encode(), result):
        return None
    return bool(result[0])
