# SPDX-License-Identifier: GPL-2.0-or-later
"""Mirrors QEMU's linux-user/elfload.c (with the exec checks of linuxload.c).

Loads an x86-64 ELF executable and its interpreter into a GuestMemory the way
qemu-x86_64 7.2 does: same placement (PIE at 0x4000000000, a 32 MiB brk reserve held
while the stack and interpreter are placed), same stack and auxv layout, and the same
error texts and exit statuses. Header fields keep the ELF spec's names.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import stat
import struct
from collections.abc import Callable

from pyqemu.errors import GuestFault, LoadError
from pyqemu.linux_user.mmap import (
    MAP_ANONYMOUS,
    MAP_FIXED,
    MAP_FIXED_NOREPLACE,
    MAP_NORESERVE,
    MAP_PRIVATE,
    PAGE_SIZE,
    PROT_EXEC,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
    GuestMemory,
)

EM_X86_64 = 62
#: AT_HWCAP qemu-x86_64 7.2 gives with its default CPU (-cpu max): CPUID.1 EDX
QEMU_MAX_HWCAP = 0x0FCBFBFD
#: AT_PLATFORM for x86-64
ELF_PLATFORM = b"x86_64"
#: qemu reads this much of a file before looking at it (BPRM_BUF_SIZE)
BPRM_BUF_SIZE = 1024
#: room kept free after the main image while the stack and interpreter are placed
BRK_RESERVE = 32 * 1024 * 1024
#: qemu never makes a guest stack smaller than this, whatever -s says
STACK_LOWER_LIMIT = 128 * 1024
_EHDR_SIZE = 64
_PHDR_SIZE = 56
_PAGE_LOW = PAGE_SIZE - 1
_PF_X, _PF_W, _PF_R = 1, 2, 4
_ET_EXEC, _ET_DYN = 2, 3
_PT_LOAD, _PT_INTERP, _PT_GNU_STACK = 1, 3, 0x6474E551
#: Elf64_Ehdr and Elf64_Phdr, little-endian, with the ELF spec's field names (struct
#: unpacks them: pyelftools' parsers cost a tenth of start-up to import, issue 19)
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_EHDR_FIELDS = ("e_ident", "e_type", "e_machine", "e_version", "e_entry", "e_phoff",
                "e_shoff", "e_flags", "e_ehsize", "e_phentsize", "e_phnum", "e_shentsize",
                "e_shnum", "e_shstrndx")
_PHDR = struct.Struct("<IIQQQQQQ")
_PHDR_FIELDS = ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz",
                "p_memsz", "p_align")
_U64 = (1 << 64) - 1  # qemu's abi_ulong arithmetic wraps here

AT_NULL = 0
AT_PHDR = 3
AT_PHENT = 4
AT_PHNUM = 5
AT_PAGESZ = 6
AT_BASE = 7
AT_FLAGS = 8
AT_ENTRY = 9
AT_UID = 11
AT_EUID = 12
AT_GID = 13
AT_EGID = 14
AT_PLATFORM = 15
AT_HWCAP = 16
AT_CLKTCK = 17
AT_SECURE = 23
AT_RANDOM = 25
AT_HWCAP2 = 26
AT_EXECFN = 31

_INVALID_IMAGE = "Invalid ELF image for this architecture"
_INCOMPLETE_HEADER = "Incomplete read of file header"


class ElfImageError(LoadError):
    """qemu's error_report() while loading an image: "qemu-x86_64: <msg>" on stderr.

    qemu then calls exit(-1), so the status is 255.
    """

    exit_status = 255


class ExecFileError(LoadError):
    """The main program cannot be opened or is not an ELF file.

    qemu 7.2's main() printf()s "Error while loading <path>: <strerror>" to stdout,
    with no program prefix, and leaves with _exit(1) (so the line is lost unless stdout
    is a terminal). The front end should print str(err) to stdout without a prefix.
    """

    exit_status = 1
    qemu_prefix = False
    stream = "stdout"


class ZeroBssError(LoadError):
    """The bss pages of a segment cannot be mapped: qemu 7.2's zero_bss perror()s
    "cannot mmap brk: <strerror>" bare on stderr and exits with status 255."""

    exit_status = 255
    qemu_prefix = False
    stream = "stderr"


class LoaderSignal(LoadError):
    """qemu 7.2 dies of a signal while it loads the image (its zero_bss storing into a
    page it cannot write): the emulator ends with that signal, printing qemu's
    "uncaught target signal" line only where qemu prints it."""

    def __init__(self, sig: int, uncaught_line: bool = False) -> None:
        super().__init__(f"loader killed by signal {sig}")
        self.sig = sig
        self.uncaught_line = uncaught_line
        self.exit_status = 128 + sig


class StackSetupError(LoadError):
    """Stack set-up failures, which qemu prints bare on stderr before exit(-1)."""

    exit_status = 255
    qemu_prefix = False
    stream = "stderr"


class ImageInfo:
    """What the loader leaves behind, like QEMU's struct image_info.

    brk and start_brk are the end of the bss (not page aligned); the brk area itself
    starts at the next page. path is the host path opened, exec_path the name given
    (AT_EXECFN and argv-independent); interp_path is the interpreter's host path.
    """

    __slots__ = ("load_bias", "load_addr", "start_code", "end_code", "start_data", "end_data",
                 "start_brk", "brk", "entry", "phdr", "phnum", "phent", "interp_base",
                 "interp_entry", "start_stack", "path", "exec_path", "interp_path", "saved_auxv",
                 "auxv_len", "stack_limit")

    def __init__(self, *, load_bias: int, load_addr: int, start_code: int, end_code: int,
                 start_data: int, end_data: int, start_brk: int, brk: int, entry: int, phdr: int,
                 phnum: int, phent: int, interp_base: int, interp_entry: int, start_stack: int,
                 path: str, exec_path: str, interp_path: str = "", saved_auxv: int = 0,
                 auxv_len: int = 0, stack_limit: int = 0) -> None:
        self.load_bias = load_bias
        self.load_addr = load_addr
        self.start_code = start_code
        self.end_code = end_code
        self.start_data = start_data
        self.end_data = end_data
        self.start_brk = start_brk
        self.brk = brk
        self.entry = entry
        self.phdr = phdr
        self.phnum = phnum
        self.phent = phent
        self.interp_base = interp_base
        self.interp_entry = interp_entry
        self.start_stack = start_stack
        self.path = path
        self.exec_path = exec_path
        self.interp_path = interp_path
        self.saved_auxv = saved_auxv
        self.auxv_len = auxv_len
        self.stack_limit = stack_limit


class _ImageSource:
    __slots__ = ("name", "fd", "header", "size")

    def __init__(self, name: str, fd: int, header: bytes, size: int) -> None:
        self.name = name  # as qemu names it in messages
        self.fd = fd
        # the first BPRM_BUF_SIZE bytes, zero padded like qemu's bprm buffer
        self.header = header
        self.size = size


class _LoadedImage:
    __slots__ = ("load_bias", "load_addr", "entry", "phdr", "phnum", "start_code", "end_code",
                 "start_data", "end_data", "brk", "interp_name", "exec_stack")

    def __init__(self, *, load_bias: int, load_addr: int, entry: int, phdr: int, phnum: int,
                 start_code: int, end_code: int, start_data: int, end_data: int, brk: int,
                 interp_name: str | None, exec_stack: bool) -> None:
        self.load_bias = load_bias
        self.load_addr = load_addr
        self.entry = entry
        self.phdr = phdr
        self.phnum = phnum
        self.start_code = start_code
        self.end_code = end_code
        self.start_data = start_data
        self.end_data = end_data
        self.brk = brk
        self.interp_name = interp_name
        self.exec_stack = exec_stack


def _page_align(value: int) -> int:
    return (value + _PAGE_LOW) & ~_PAGE_LOW


def _open_executable(path: str, name: str) -> _ImageSource:
    """Open the main program with linuxload.c's checks, or raise ExecFileError.

    qemu 7.2 texts (exit status 1, on stdout), e.g. for a missing file
    "Error while loading /nonexistent: No such file or directory"; a directory or a
    file without x bits gives "Permission denied", anything not ELF (scripts, empty
    files, files shorter than an ELF header) "Exec format error".
    """
    def fail(code: int) -> ExecFileError:
        return ExecFileError(f"Error while loading {name}: {os.strerror(code)}")

    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as err:
        raise fail(err.errno or errno.ENOENT) from None
    header, code = b"", 0
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o111:
            code = errno.EACCES
        else:
            header = os.pread(fd, BPRM_BUF_SIZE, 0)
            # qemu 7.2 reads the header twice and loses its file position when the first
            # read comes up short: a file under 64 bytes reads as zeros, so is not ELF
            if len(header) < _EHDR_SIZE or header[:4] != b"\x7fELF":
                code = errno.ENOEXEC
    except OSError as err:
        code = err.errno or errno.EIO
    if code:
        os.close(fd)
        raise fail(code)
    return _ImageSource(name, fd, header.ljust(BPRM_BUF_SIZE, b"\0"), info.st_size)


def _open_interpreter(name: str, ld_prefix: str) -> tuple[_ImageSource, str]:
    """Open PT_INTERP's file, under ld_prefix when it exists there (qemu's -L).

    qemu 7.2 texts (exit status 255): "Could not open '<name>': <strerror>" and
    "<name>: Error reading file header: <strerror>" (a directory: "Is a directory").
    Messages name the interpreter as PT_INTERP gives it, never with the prefix.
    """
    host_path = name
    if ld_prefix not in ("", "/") and name.startswith("/"):
        prefixed = os.path.join(ld_prefix, name.lstrip("/"))
        if os.access(prefixed, os.F_OK):
            host_path = prefixed
    try:
        fd = os.open(host_path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as err:
        raise ElfImageError(f"Could not open '{name}': {os.strerror(err.errno or 0)}") from None
    try:
        header = os.pread(fd, BPRM_BUF_SIZE, 0)
        size = os.fstat(fd).st_size
    except OSError as err:
        os.close(fd)
        raise ElfImageError(
            f"{name}: Error reading file header: {os.strerror(err.errno or 0)}") from None
    source = _ImageSource(name, fd, header.ljust(BPRM_BUF_SIZE, b"\0"), size)
    return source, os.path.realpath(host_path)


def _read_header_bytes(src: _ImageSource, offset: int, length: int) -> bytes:
    """Header bytes (program headers, PT_INTERP's path) as qemu 7.2 reads them.

    What lies within the first BPRM_BUF_SIZE bytes comes from the buffer read at open
    time, zero padded past the end of a short file; anything further is read from the
    file and must be there in full ("Incomplete read of file header").  An offset the
    kernel's pread refuses (past 2**63 - 1) is "Error reading file header: Invalid
    argument".
    """
    if offset + length <= BPRM_BUF_SIZE:
        return src.header[offset:offset + length]
    if offset + length >= 1 << 63:
        raise ElfImageError(
            f"{src.name}: Error reading file header: {os.strerror(errno.EINVAL)}")
    # never ask for more than the file holds: a hostile length must not become a
    # terabyte-sized buffer
    wanted = max(0, min(length, src.size - offset))
    try:
        data = os.pread(src.fd, wanted, offset) if wanted else b""
    except OSError as err:
        raise ElfImageError(f"{src.name}: Error reading file header: "
                            f"{os.strerror(err.errno or errno.EIO)}") from None
    if len(data) != length:
        raise ElfImageError(f"{src.name}: {_INCOMPLETE_HEADER}")
    return data


def _parse_headers(src: _ImageSource, machine: int) -> tuple[dict[str, int],
                                                              list[dict[str, int]]]:
    """The ELF header and program headers, after qemu's elf_check_ident/elf_check_ehdr.

    Wrong class, byte order, version, machine, type or header sizes all give qemu 7.2's
    "<name>: Invalid ELF image for this architecture" (exit status 255).  Each header is
    a dict of its fields by the spec's names, values as stored (e_ident as bytes).
    """
    ident = src.header[:16]
    if ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1 or ident[6] != 1:
        raise ElfImageError(f"{src.name}: {_INVALID_IMAGE}")
    ehdr = dict(zip(_EHDR_FIELDS, _EHDR.unpack_from(src.header), strict=True))
    if (ehdr["e_machine"] != machine or ehdr["e_type"] not in (_ET_EXEC, _ET_DYN)
            or ehdr["e_ehsize"] != _EHDR_SIZE or ehdr["e_phentsize"] != _PHDR_SIZE):
        raise ElfImageError(f"{src.name}: {_INVALID_IMAGE}")
    table = _read_header_bytes(src, ehdr["e_phoff"], ehdr["e_phnum"] * _PHDR_SIZE)
    phdrs = [dict(zip(_PHDR_FIELDS, fields, strict=True))
             for fields in _PHDR.iter_unpack(table)]
    return ehdr, phdrs


def _read_interp_name(src: _ImageSource, phdrs: list[dict[str, int]]) -> str | None:
    """PT_INTERP's path; qemu 7.2 rejects "Multiple PT_INTERP entries" and an
    "Invalid PT_INTERP entry" (not NUL terminated)."""
    found: str | None = None
    for phdr in phdrs:
        if phdr["p_type"] != _PT_INTERP:
            continue
        if found is not None:
            raise ElfImageError(f"{src.name}: Multiple PT_INTERP entries")
        if phdr["p_filesz"] == 0:
            raise ElfImageError(f"{src.name}: Invalid PT_INTERP entry")
        raw = _read_header_bytes(src, phdr["p_offset"], phdr["p_filesz"])
        if raw[-1] != 0:
            raise ElfImageError(f"{src.name}: Invalid PT_INTERP entry")
        found = os.fsdecode(raw[:-1].split(b"\0", 1)[0])
    return found


def _segment_prot(p_flags: int) -> int:
    return ((PROT_READ if p_flags & _PF_R else 0) | (PROT_WRITE if p_flags & _PF_W else 0)
            | (PROT_EXEC if p_flags & _PF_X else 0))


def _load_elf_image(src: _ImageSource, mem: GuestMemory, machine: int,
                    is_main: bool) -> _LoadedImage:
    """Reserve the image's span, then map each PT_LOAD from the file and zero its bss."""
    ehdr, phdrs = _parse_headers(src, machine)
    interp_name = _read_interp_name(src, phdrs) if is_main else None
    loads = [phdr for phdr in phdrs if phdr["p_type"] == _PT_LOAD]
    if not loads:
        # qemu 7.2 reserves from address -1 for such a file: an ET_EXEC fails with
        # EINVAL, an ET_DYN starts at a stray entry point and dies; refuse both alike
        raise ElfImageError(f"{src.name}: Error mapping file: {os.strerror(errno.EINVAL)}")
    stack_flags = [phdr["p_flags"] for phdr in phdrs if phdr["p_type"] == _PT_GNU_STACK]
    # the last PT_GNU_STACK decides, as in qemu 7.2; without one the stack is
    # executable, as glibc and old kernels assume
    exec_stack = bool(stack_flags[-1] & _PF_X) if stack_flags else True

    # qemu 7.2's span, in its 64-bit unsigned arithmetic: from the lowest p_vaddr's page
    # to the last byte of the highest segment (a wrapping segment wraps here too)
    low = min(phdr["p_vaddr"] & ~_PAGE_LOW for phdr in loads)
    last = max((phdr["p_vaddr"] + phdr["p_memsz"] - 1) & _U64 for phdr in loads)
    if is_main:
        # keep the brk area free while the stack and interpreter find their places
        last = (last + BRK_RESERVE) & _U64
    flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
    if ehdr["e_type"] == _ET_EXEC:
        flags |= MAP_FIXED_NOREPLACE
    load_addr = mem.target_mmap(low, (last - low + 1) & _U64, PROT_NONE, flags, -1, 0)
    if load_addr < 0:
        raise ElfImageError(f"{src.name}: Error mapping file: {os.strerror(-load_addr)}")
    load_bias = (load_addr - low) & _U64

    for phdr in loads:
        _map_segment(src, mem, phdr, load_bias)
    # like QEMU's start_code/end_code and start_data/end_data: executable and writable
    # segments, up to the end of their file bytes
    starts = [(load_bias + p["p_vaddr"]) & _U64 for p in loads]
    code = [(start, (start + p["p_filesz"]) & _U64)
            for start, p in zip(starts, loads, strict=True) if p["p_flags"] & _PF_X]
    data = [(start, (start + p["p_filesz"]) & _U64)
            for start, p in zip(starts, loads, strict=True) if p["p_flags"] & _PF_W]
    end_code = max((end for _, end in code), default=0)
    return _LoadedImage(
        load_bias=load_bias, load_addr=load_addr,
        entry=(ehdr["e_entry"] + load_bias) & _U64,
        phdr=(load_addr + ehdr["e_phoff"]) & _U64, phnum=ehdr["e_phnum"],
        start_code=min((start for start, _ in code), default=0), end_code=end_code,
        start_data=min((start for start, _ in data), default=end_code),
        end_data=max((end for _, end in data), default=end_code),
        brk=max((start + p["p_memsz"]) & _U64 for start, p in zip(starts, loads, strict=True)),
        interp_name=interp_name, exec_stack=exec_stack)


def _page_length(size: int) -> int:
    """qemu's TARGET_ELF_PAGELENGTH, wrapping at 2**64 as its abi_ulong does."""
    return ((size + _PAGE_LOW) & _U64) & ~_PAGE_LOW


def _map_segment(src: _ImageSource, mem: GuestMemory, phdr: dict[str, int],
                 load_bias: int) -> None:
    """Map one PT_LOAD privately over the reservation; its bss is zeroed or anonymous.

    Errors are qemu 7.2's.  The file bytes are a host file mapping at the guest address,
    as qemu and Linux map them: a segment whose file range runs past the end of the file
    loads, and the guest gets SIGBUS only when it touches the pages the file lacks
    (pyqemu/host/plugin-crash.c, guest_sigbus).
    """
    prot = _segment_prot(phdr["p_flags"])
    vaddr = (load_bias + phdr["p_vaddr"]) & _U64
    page_offset = vaddr & _PAGE_LOW
    page_start = vaddr - page_offset

    def failed(code: int) -> ElfImageError:
        return ElfImageError(f"{src.name}: Error mapping file: {os.strerror(code)}")

    if phdr["p_filesz"]:
        mapped = mem.target_mmap(page_start, _page_length(phdr["p_filesz"] + page_offset), prot,
                                 MAP_PRIVATE | MAP_FIXED, src.fd,
                                 (phdr["p_offset"] - page_offset) & _U64)
        if mapped < 0:
            raise failed(-mapped)
    if phdr["p_filesz"] < phdr["p_memsz"]:
        _zero_bss(src, mem, (vaddr + phdr["p_filesz"]) & _U64,
                  (vaddr + phdr["p_memsz"]) & _U64, prot)


def _zero_bss(src: _ImageSource, mem: GuestMemory, file_end: int, mem_end: int,
              prot: int) -> None:
    """Map whole bss pages after the file's last page, then clear the rest of that page.

    As qemu 7.2's zero_bss (a segment without file bytes included: its first partial
    page is cleared, not mapped): the anonymous pages go from the page after file_end
    to mem_end's page; failing to map them is "cannot mmap brk: <strerror>" (perror).
    qemu clears the tail with a plain store in its own code, so where that store would
    fault pyqemu ends as qemu does (_tail_fault).
    """
    anon_start, anon_end = _page_align(file_end), _page_align(mem_end)
    if anon_start < anon_end:
        mapped = mem.target_mmap(anon_start, anon_end - anon_start, prot,
                                 MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0)
        if mapped < 0:
            raise ZeroBssError(f"cannot mmap brk: {os.strerror(-mapped)}")
    if file_end & _PAGE_LOW:
        fault = _tail_fault(src, mem, file_end)
        if fault is not None:
            raise fault
        try:
            mem.write_force(file_end, bytes(_page_align(file_end) - file_end))
        except GuestFault:
            raise LoaderSignal(signal.SIGSEGV, uncaught_line=True) from None


def _tail_fault(src: _ImageSource, mem: GuestMemory, addr: int) -> LoaderSignal | None:
    """How qemu-x86_64 7.2 ends when zero_bss clears the page at addr, or None if the
    store succeeds (observed with mutants of a static musl program):

    - the page is still the image's PROT_NONE reservation (a segment without file bytes
      at an unaligned address): the guest is killed by SIGSEGV, with qemu's
      "uncaught target signal 11" line;
    - the page is mapped without PROT_WRITE (a read-only segment with a bss): qemu
      faults in its own code and dies of SIGSEGV, silently;
    - the page is a file page past the end of the file: qemu dies of SIGBUS, silently.
    """
    region = mem.find_region(addr)
    if region is None or not region.prot:
        return LoaderSignal(signal.SIGSEGV, uncaught_line=True)
    if not region.prot & PROT_WRITE:
        return LoaderSignal(signal.SIGSEGV)
    if region.path and not region.flags & MAP_ANONYMOUS:
        page = addr & ~_PAGE_LOW
        if region.offset + (page - region.start) >= _page_align(src.size):
            return LoaderSignal(signal.SIGBUS)
    return None


def _setup_arg_pages(mem: GuestMemory, stack_size: int, exec_stack: bool) -> tuple[int, int]:
    """Map the stack with a guard page below it; (lowest usable address, top)."""
    size = _page_align(max(stack_size, STACK_LOWER_LIMIT))
    prot = PROT_READ | PROT_WRITE | (PROT_EXEC if exec_stack else 0)
    base = mem.target_mmap(0, size + PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    if base < 0:
        # qemu 7.2: perror("mmap stack")
        raise StackSetupError(f"mmap stack: {os.strerror(-base)}")
    mem.target_mprotect(base, PAGE_SIZE, PROT_NONE)
    return base + PAGE_SIZE, base + PAGE_SIZE + size


class _StackStrings:
    __slots__ = ("lowest", "argv", "envp", "execfn")

    def __init__(self, lowest: int, argv: list[int], envp: list[int], execfn: int) -> None:
        self.lowest = lowest  # where the strings begin (qemu's bprm->p afterwards)
        self.argv = argv
        self.envp = envp
        self.execfn = execfn


def _copy_strings(mem: GuestMemory, name: str, limit: int, top: int, argv: list[str],
                  envp: list[str]) -> _StackStrings:
    """Put the strings at the top of the stack, as copy_elf_strings() does.

    From the top down (8 bytes below it): the exec name, the environment, the arguments;
    so in memory they read argv[0], ..., envp[0], ..., exec name. qemu 7.2 says
    "<name>: Argument list too long" on stderr when they do not fit.
    """
    texts = [os.fsencode(text) + b"\0" for text in (*argv, *envp, name)]
    blob = b"".join(texts)
    lowest = top - 8 - len(blob)
    if lowest < limit:
        raise StackSetupError(f"{name}: {os.strerror(errno.E2BIG)}")
    mem.write_force(lowest, blob)
    addresses, cursor = [], lowest
    for text in texts:
        addresses.append(cursor)
        cursor += len(text)
    return _StackStrings(lowest, addresses[:len(argv)], addresses[len(argv):-1], addresses[-1])


_libc = ctypes.CDLL(None)
_libc.getauxval.argtypes = [ctypes.c_ulong]
_libc.getauxval.restype = ctypes.c_ulong


def _create_elf_tables(mem: GuestMemory, name: str, limit: int, strings: _StackStrings,
                       main: _LoadedImage, interp: _LoadedImage | None,
                       hwcap: int, hwcap2: int | None = None,
                       platform: bytes | None = ELF_PLATFORM) -> tuple[int, int, int]:
    """Platform string, AT_RANDOM bytes, then argc/argv/envp/auxv; (sp, auxv, auxv_len).

    The order of entries is qemu-x86_64 7.2's; there is no AT_SYSINFO_EHDR (no vDSO)
    and, as in 7.2 for x86-64, no AT_HWCAP2.
    """
    sp = strings.lowest
    platform_addr = 0
    if platform is not None:
        text = platform + b"\0"
        sp -= (len(text) + 7) & ~7
        platform_addr = sp
        mem.write_force(platform_addr, text)
    sp &= ~15
    sp -= 16
    random_addr = sp
    mem.write_force(random_addr, os.urandom(16))

    auxv = [
        (AT_PHDR, main.phdr),
        (AT_PHENT, _PHDR_SIZE),
        (AT_PHNUM, main.phnum),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_BASE, interp.load_addr if interp else 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, main.entry),
        (AT_UID, os.getuid()),
        (AT_EUID, os.geteuid()),
        (AT_GID, os.getgid()),
        (AT_EGID, os.getegid()),
        (AT_HWCAP, hwcap),
        (AT_CLKTCK, os.sysconf("SC_CLK_TCK")),
        (AT_RANDOM, random_addr),
        (AT_SECURE, _libc.getauxval(AT_SECURE)),
        (AT_EXECFN, strings.execfn),
    ]
    if hwcap2 is not None:
        auxv.append((AT_HWCAP2, hwcap2))
    if platform is not None:
        auxv.append((AT_PLATFORM, platform_addr))
    auxv.append((AT_NULL, 0))
    words = [len(strings.argv), *strings.argv, 0, *strings.envp, 0]
    auxv_index = len(words)
    for key, value in auxv:
        words += [key, value]
    start = (sp - 8 * len(words)) & ~15  # rsp is 16-byte aligned at the entry point
    if start < limit:
        raise StackSetupError(f"{name}: {os.strerror(errno.E2BIG)}")
    mem.write_force(start, b"".join(word.to_bytes(8, "little") for word in words))
    return start, start + 8 * auxv_index, 16 * len(auxv)


def load_elf_binary(path: str, argv: list[str], envp: list[str], mem: GuestMemory, *,
                    ld_prefix: str = "/", stack_size: int = 8 * 1024 * 1024,
                    exec_path: str | None = None, machine: int = EM_X86_64,
                    hwcap: int = QEMU_MAX_HWCAP, hwcap2: int | None = None,
                    platform: bytes | None = ELF_PLATFORM,
                    before_tables: Callable[[GuestMemory], None] | None = None) -> ImageInfo:
    """Load the program at path (and its interpreter) and build its initial stack.

    path: host file to open; exec_path: the name the user gave (messages, AT_EXECFN),
    path by default; ld_prefix: qemu's -L, tried first for PT_INTERP; stack_size:
    qemu's -s (at least 128 KiB is used); machine: e_machine the files must have;
    hwcap, hwcap2, platform: AT_HWCAP (x86_64: qemu's CPUID.1 EDX), AT_HWCAP2 and
    AT_PLATFORM (None leaves the entry out); before_tables: maps what the target maps
    once the interpreter is placed (QEMU 7.2's sigtramp page).

    Note: the brk area is handed to mem.set_brk(); execution starts at
    ImageInfo.interp_entry with rsp = ImageInfo.start_stack.

    Raises: ExecFileError, ElfImageError or StackSetupError (all LoadError) with
    qemu-x86_64 7.2's text; each carries qemu's exit status.
    """
    name = exec_path if exec_path is not None else path
    with mem.deferred_listeners():
        return _load_program(path, name, argv, envp, mem, ld_prefix, stack_size, machine, hwcap,
                             hwcap2, platform, before_tables)


def _load_program(path: str, name: str, argv: list[str], envp: list[str], mem: GuestMemory,
                  ld_prefix: str, stack_size: int, machine: int, hwcap: int,
                  hwcap2: int | None = None, platform: bytes | None = ELF_PLATFORM,
                  before_tables: Callable[[GuestMemory], None] | None = None) -> ImageInfo:
    src = _open_executable(path, name)
    try:
        main = _load_elf_image(src, mem, machine, is_main=True)
    finally:
        os.close(src.fd)
    limit, top = _setup_arg_pages(mem, stack_size, main.exec_stack)
    strings = _copy_strings(mem, name, limit, top, argv, envp)

    interp: _LoadedImage | None = None
    interp_path = ""
    if main.interp_name is not None:
        interp_src, interp_path = _open_interpreter(main.interp_name, ld_prefix)
        try:
            interp = _load_elf_image(interp_src, mem, machine, is_main=False)
        finally:
            os.close(interp_src.fd)

    if before_tables is not None:
        before_tables(mem)
    start_stack, saved_auxv, auxv_len = _create_elf_tables(mem, name, limit, strings, main,
                                                           interp, hwcap, hwcap2, platform)
    # the stack and interpreter are placed: give the brk reserve back
    reserve_start = _page_align(main.brk)
    mem.target_munmap(reserve_start, _page_align(main.brk + BRK_RESERVE) - reserve_start)
    mem.set_brk(main.brk)
    return ImageInfo(
        load_bias=main.load_bias, load_addr=main.load_addr,
        start_code=main.start_code, end_code=main.end_code,
        start_data=main.start_data, end_data=main.end_data,
        start_brk=main.brk, brk=main.brk, entry=main.entry,
        phdr=main.phdr, phnum=main.phnum, phent=_PHDR_SIZE,
        interp_base=interp.load_addr if interp else 0,
        interp_entry=interp.entry if interp else main.entry,
        start_stack=start_stack, path=path, exec_path=name, interp_path=interp_path,
        saved_auxv=saved_auxv, auxv_len=auxv_len, stack_limit=limit,
    )
