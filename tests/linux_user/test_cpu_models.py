# SPDX-License-Identifier: GPL-2.0-or-later
"""-cpu on x86_64 (issue 18, point 2): the CPUID answers, messages and coverage of each
model against qemu-x86_64 7.2 run with the same -cpu.

cpuid_dump.c prints every CPUID leaf and subleaf a program reads (0, 1, 2, 4, 5, 6, 7.0-1,
0xb, 0xd, the extended leaves, the brand string, leaves past each range's top) and
AT_HWCAP; it runs under both emulators with the same model and the outputs must be equal,
as must stderr (qemu's warnings for the features its TCG drops) and the exit status.

Accepted difference, shown by test_qemu_answers_host_garbage_for_leaves_0x12_0x1c:
qemu-x86_64 7.2 in user mode leaves the registers of leaves 0x12 (SGX) and 0x1c (arch
LBR) unset, so a program reading them gets whatever its host stack held (it changes from
run to run); for a model whose level reaches them pyqemu answers zeros and those lines are
not compared.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import compile_guest, guest_env, plugin_spec, qemu_path, run_pyqemu, run_qemu
from prerequisites import missing

from pyqemu.cov import drcov
from pyqemu.linux_user.x86_64 import cpu_default, cpu_models

HERE = Path(__file__).resolve().parent

#: Every name pyqemu runs: the versioned models and their aliases.
cpu_models.cpu_table()
RUNNABLE = sorted({a for a, v in cpu_models.ALIASES_OF.items() if v in cpu_models.MODELS}
                  | set(cpu_models.MODELS))

NEEDS_AVX = pytest.mark.patched_engine(
    "the model has AVX, which the stock engine refuses (engine patch 0018 executes it)")


def _has_avx(name: str) -> bool:
    return bool(cpu_models.parse_cpu(name).features() & cpu_models.STOCK_ENGINE_LACKS)


#: the runnable names, those with AVX marked: the stock engine refuses them
RUNNABLE_PARAMS = [pytest.param(m, marks=NEEDS_AVX) if _has_avx(m) else m for m in RUNNABLE]

#: -cpu strings with properties and modifiers: qemu's parsing order (+/- after f=on|off, the
#: last f= wins), automatic levels, XSAVE components, AMD aliases, the TCG filter and its
#: warnings (MSR features, KVM's silently dropped ones), legacy spellings.
MODIFIED = [
    "Nehalem,+xsave", "Conroe,+xsaveopt", "Conroe,+xsave,+xsaveopt", "Opteron_G1,+bmi1",
    "Opteron_G1,+arat", "Conroe,+invtsc", "Opteron_G1,+xsave", "Opteron_G1,+svm",
    "Conroe,+ibpb", "Opteron_G1,+umip", "Conroe,+avx-vnni", "Nehalem,+pku",
    "Nehalem,+fsgsbase,+la57", "qemu64,+sse4.1,sse4.1=off", "qemu64,-sse4.1,sse4.1=on",
    "qemu64,level=3", "qemu64,family=6,model=15,stepping=3,vendor=GenuineIntel",
    "qemu64,model-id=Hello World", "qemu64,+kvm-hint-dedicated,+kvmclock", "qemu64,,+sse4.1",
    "qemu64,xlevel=0x80000004", "qemu64,+pdcm,+full-width-write",
    "qemu64,+arch-capabilities,+rdctl-no", "qemu64,+mds-no", "qemu64,sse4_1,pclmuldq,+sse3",
    "Westmere,-popcnt,+movbe,+bmi1,+bmi2,+adx,+xsave,+mpx", "Penryn,+xstore",
    "Denverton,+pku,-mpx", "Snowridge,-xsave", "core2duo,family=16,model=0x42",
    "phenom,vendor=GenuineIntel", "kvm64,+svm,+npt", "Nehalem-IBRS,-spec-ctrl",
    "Westmere,level=0x20", "Nehalem,min-level=2", "Nehalem,xlevel2=0xc0000002",
    "Conroe,sse4.1=on,sse4.1=off", "Conroe,sse4.1=yes", "qemu64,check=off,+x2apic",
    "qemu64,enforce", "qemu64,enforce=off,+x2apic",
    pytest.param("Skylake-Server-v4,-avx512f", marks=NEEDS_AVX),
    pytest.param("Icelake-Server,+avx512f,-pku", marks=NEEDS_AVX),
    "qemu64,xlevel=0x8000001e", "qemu64,vendor=HygonGenuine",
    pytest.param("EPYC-Rome,vendor=GenuineIntel", marks=NEEDS_AVX),
]

#: Leaves qemu-x86_64 7.2 answers with stale host registers (see the module docstring).
GARBAGE_LEAVES = (0x12, 0x1C)

_LINE = re.compile(r"^([0-9a-f]{8})\.([0-9a-f]{2}): ")


@pytest.fixture(scope="module")
def cpuid_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cpuid") / "cpuid_dump"
    return compile_guest(HERE / "cpuid_dump.c", out, "gcc-static")


def comparable(stdout: str) -> str:
    """The dump without the leaves qemu answers with host garbage, when in range."""
    level = 0
    kept = []
    for line in stdout.splitlines():
        m = _LINE.match(line)
        if m and int(m.group(1), 16) == 0:
            level = int(line.split()[1], 16)
        if m and int(m.group(1), 16) in GARBAGE_LEAVES and int(m.group(1), 16) <= level:
            continue
        kept.append(line)
    return "\n".join(kept)


def ours(stderr: str) -> str:
    """pyqemu's messages as qemu words them (pyqemu-x86_64: for qemu-x86_64:)."""
    return re.sub(r"^pyqemu-x86_64:", "qemu-x86_64:", stderr, flags=re.M)


def assert_same_cpu(cpu: str, guest: Path, env: dict[str, str] | None = None) -> str:
    extra = ["-cpu", cpu] if cpu else []
    qemu = run_qemu([guest], extra=extra, env=env or guest_env())
    mine = run_pyqemu([guest], extra=extra, env=env or guest_env())
    assert mine.returncode == qemu.returncode, mine.describe() + "\n" + qemu.describe()
    assert ours(mine.stderr) == qemu.stderr, mine.describe() + "\n" + qemu.describe()
    assert comparable(mine.stdout) == comparable(qemu.stdout)
    return qemu.stdout


@pytest.mark.parametrize("model", RUNNABLE_PARAMS)
def test_cpuid_of_each_model_matches_qemu(model: str, cpuid_dump: Path) -> None:
    out = assert_same_cpu(model, cpuid_dump)
    assert "00000001.00: " in out and "AT_HWCAP: " in out


@NEEDS_AVX
def test_without_cpu_the_model_is_qemus_default(cpuid_dump: Path) -> None:
    """No -cpu on either side: qemu-x86_64 7.2's default (max: AuthenticAMD, AVX2 in leaf
    7), which pyqemu loads from cpu_default.py instead of computing it."""
    out = assert_same_cpu("", cpuid_dump)
    leaf7 = next(line for line in out.splitlines() if line.startswith("00000007.00: "))
    assert int(leaf7.split()[2], 16) & 1 << 5      # AVX2
    assert out == assert_same_cpu(cpu_models.DEFAULT_MODEL, cpuid_dump)


def test_default_table_is_the_default_models() -> None:
    """cpu_default.py is what scripts/gen_cpu_model_data.py writes from cpu_models: the
    same table, levels and AT_HWCAP as parsing the default model."""
    cfg = cpu_models.parse_cpu(cpu_default.MODEL)
    table = cfg.cpuid_table()
    assert cpu_default.MODEL == cpu_models.DEFAULT_MODEL
    assert list(cpu_default.CPUID) == table.flat()
    assert (cpu_default.LEVEL, cpu_default.XLEVEL, cpu_default.XLEVEL2, cpu_default.TOPOLOGY) \
        == (table.level, table.xlevel, table.xlevel2, table.topology)
    assert cpu_default.HWCAP == cfg.hwcap()


@pytest.mark.parametrize("cpu", MODIFIED)
def test_cpuid_with_properties_matches_qemu(cpu: str, cpuid_dump: Path) -> None:
    assert_same_cpu(cpu, cpuid_dump)


def test_qemu_cpu_variable_is_the_same_as_the_option(cpuid_dump: Path) -> None:
    out = assert_same_cpu("", cpuid_dump, env=guest_env(QEMU_CPU="Westmere,+movbe"))
    assert "00000001.00: 000206c1 00000800 82d82203" in out      # Westmere's, with movbe


def test_qemu_answers_host_garbage_for_leaves_0x12_0x1c(cpuid_dump: Path) -> None:
    """Why GARBAGE_LEAVES are not compared: qemu's answer for them changes with nothing but
    the size of the environment, while every other leaf stays the same."""
    answers, others = set(), set()
    for pad in (1, 100, 1000):
        out = run_qemu([cpuid_dump], extra=["-cpu", "Westmere,level=0x20"],
                       env=guest_env(PAD="x" * pad)).stdout
        answers.add(tuple(line for line in out.splitlines()
                          if line.startswith(("00000012.00", "0000001c.00"))))
        others.add(comparable(out))
    assert len(answers) > 1 and len(others) == 1, answers


@pytest.mark.parametrize("cpu,features", [
    ("Haswell", "avx avx2 f16c fma"), ("SandyBridge-v2", "avx"), ("max", "avx avx2 f16c fma vaes"),
    ("Nehalem,+avx", "avx"), ("qemu64,+f16c,+fma", "f16c fma"),
])
def test_stock_engine_refuses_a_model_with_avx_in_one_line(cpu: str, features: str,
                                                           cpuid_dump: Path) -> None:
    """The unicorn wheel's engine has no AVX: a model that answers it is refused, never
    run with instructions that would be SIGILL (pyqemu's engine runs them all)."""
    qemu = run_qemu([cpuid_dump], extra=["-cpu", cpu])
    assert qemu.returncode == 0
    mine = run_pyqemu([cpuid_dump], extra=["-cpu", cpu], env=guest_env(PYQEMU_ENGINE="stock"))
    assert mine.returncode == 1 and mine.stdout == ""
    assert mine.stderr.splitlines() == [
        f"pyqemu-x86_64: CPU model '{cpu}' needs features the engine does not execute: "
        f"{features}"], mine.describe()


@pytest.mark.parametrize("cpu", ["486", "qemu32", "pentium3-v1", "base", "qemu64,-lm",
                                 "nonsense", "qemu64,+foo", "qemu64,foo=on",
                                 "qemu64,sse4.1=maybe", "Conroe,level=abc", "Conroe,=on",
                                 "qemu64,enforce,+x2apic", "qemu64,+x2apic,enforce,check=off"])
def test_refusals_are_qemus(cpu: str, cpuid_dump: Path) -> None:
    assert_same_cpu(cpu, cpuid_dump)


def test_cpu_help_lists_the_models_as_qemu() -> None:
    qemu = subprocess.run([qemu_path(), "-cpu", "help"], capture_output=True, text=True,
                          check=False)
    qemu_text = qemu.stdout
    mine = run_pyqemu([], extra=["-cpu", "help"])
    assert mine.returncode == qemu.returncode == 1, mine.describe()
    theirs = qemu_text.splitlines()
    listed = [line for line in mine.stdout.splitlines() if line.startswith("x86 ")]
    assert listed and all(line in theirs for line in listed)
    assert {line.split()[1] for line in listed} == set(RUNNABLE)
    flags = set(" ".join(mine.stdout.split("Recognized CPUID flags:")[1].split()).split())
    qemu_flags = set(" ".join(qemu_text.split("Recognized CPUID flags:")[1].split()).split())
    assert "sse4.1" in flags and flags <= qemu_flags
    width = [len(line) for line in mine.stdout.splitlines() if line.startswith("  ")]
    assert max(width) <= 75


POPCNT_SOURCE = r"""
#include <stdio.h>
int main(int argc, char **argv)
{
    unsigned long x = (unsigned long)argc << 40 | 7, n;
    (void)argv;
    __asm__ volatile("popcnt %1, %0" : "=r"(n) : "r"(x));
    printf("%lu\n", n);
    return 0;
}
"""


@pytest.mark.patched_engine("the stock engine decodes every instruction it has, whatever "
                             "the model; engine patch 0010 makes it follow the CPUID bits")
@pytest.mark.parametrize("cpu,runs", [("Nehalem", True), ("Conroe", False),
                                      ("Conroe,+popcnt", True), ("Nehalem,-popcnt", False)])
def test_instructions_follow_the_model(cpu: str, runs: bool, tmp_path: Path) -> None:
    """An instruction of a feature the model lacks is an invalid opcode, as under qemu."""
    src = tmp_path / "popcnt.c"
    src.write_text(POPCNT_SOURCE)
    guest = compile_guest(src, tmp_path / "popcnt", "gcc-static")
    qemu = run_qemu([guest], extra=["-cpu", cpu])
    mine = run_pyqemu([guest], extra=["-cpu", cpu])
    assert (qemu.returncode == 0) == runs, qemu.describe()
    assert (mine.returncode, mine.stdout) == (qemu.returncode, qemu.stdout), mine.describe()


AVX2_SOURCE = r"""
#include <stdio.h>
#include <cpuid.h>
int main(void)
{
    unsigned a, b, c, d, lo, hi;
    int x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8];
    __cpuid(1, a, b, c, d);
    if (c & bit_OSXSAVE) {              /* XGETBV is #UD without CR4.OSXSAVE */
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        printf("XCR0 %08x%08x\n", hi, lo);
    }
    fflush(stdout);
    __asm__ volatile("vmovdqu %1, %%ymm1\n\tvpaddd %%ymm1, %%ymm1, %%ymm2\n\t"
                     "vmovdqu %%ymm2, %0" : "=m"(y) : "m"(x) : "xmm1", "xmm2");
    printf("%d %d\n", y[0], y[7]);
    return 0;
}
"""


@pytest.mark.patched_engine("the stock engine has no AVX and decodes what it has whatever "
                             "the model; engine patches 0010 and 0018")
@pytest.mark.parametrize("cpu,runs", [("", True), ("Haswell", True), ("Skylake-Client", True),
                                      ("Nehalem", False), ("max,-avx2", False),
                                      ("SandyBridge", False), ("Westmere,+avx,+avx2", False),
                                      ("Westmere,+avx,+avx2,+xsave", True)])
def test_avx_follows_the_model(cpu: str, runs: bool, tmp_path: Path) -> None:
    """XCR0 (state components the model enables) and a 256-bit AVX2 instruction: SIGILL
    where the model lacks AVX2, as under qemu; XCR0 as qemu sets it for the model."""
    src = tmp_path / "avx2.c"
    src.write_text(AVX2_SOURCE)
    guest = compile_guest(src, tmp_path / "avx2", "gcc-static")
    extra = ["-cpu", cpu] if cpu else []
    qemu = run_qemu([guest], extra=extra)
    mine = run_pyqemu([guest], extra=extra)
    assert (qemu.returncode == 0) == runs, qemu.describe()
    assert (mine.returncode, mine.stdout) == (qemu.returncode, qemu.stdout), mine.describe()


@pytest.mark.patched_engine("the stock engine lacks patch 0022: a pending stop skips the "
                             "syscall hook behind the CPUID hook a -cpu model installs")
@pytest.mark.parametrize("cpu", ["", "Nehalem", "qemu64"])
def test_signal_to_a_spinning_thread_under_a_model(cpu: str, guest_builder) -> None:
    """A model's CPUID hook beside the syscall hook: a stop pending when a syscall runs (a
    signal for that thread) skipped the syscall before engine patch 0022, and
    thread_kill died of SIGSEGV under every -cpu model."""
    guest = guest_builder.build("thread_kill", "gcc-static")
    extra = ["-cpu", cpu] if cpu else []
    qemu = run_qemu([guest], extra=extra)
    assert qemu.returncode == 0, qemu.describe()
    for _run in range(3):
        mine = run_pyqemu([guest], extra=extra)
        assert (mine.returncode, mine.stdout) == (0, qemu.stdout), mine.describe()


def _blocks(path: Path) -> dict[str, set[tuple[int, int]]]:
    return drcov.read(path).blocks


OP_BUFFER = pytest.mark.patched_engine(
    "a long block ends where QEMU 7.2's TCG op buffer fills up (engine patch 0028)")


@OP_BUFFER
@pytest.mark.parametrize("model", ["Nehalem", "Westmere", pytest.param("", marks=NEEDS_AVX),
                                   pytest.param("Haswell", marks=NEEDS_AVX)])
def test_drcov_of_ls_has_qemus_blocks(model: str, plugin_lib: Callable[[str], Path],
                                      tmp_path: Path) -> None:
    """The issue's proof: /bin/ls -l /usr, same model and environment on both sides; ""
    is no -cpu, qemu's default (max), where glibc runs its AVX2 routines. libc has a
    straight stretch that qemu cuts in two where its TCG op buffer fills up (README)."""
    lib = plugin_lib("drcov")
    files = {}
    outs = {}
    for name, run in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        files[name] = tmp_path / f"{name}.drcov"
        result = run(["/bin/ls", "-l", "/usr"], extra=["-cpu", model] if model else [],
                     env=guest_env(),
                     plugins=[plugin_spec(lib, f"filename={files[name]}")])
        assert result.returncode == 0, result.describe()
        outs[name] = result.stdout
    assert outs["pyqemu"] == outs["qemu"]
    theirs, mine = _blocks(files["qemu"]), _blocks(files["pyqemu"])
    assert any("libc.so" in path for path in mine)
    assert mine == theirs


def _straight_line_source(statements: int) -> str:
    """A guest whose main is one straight stretch of loads, integer arithmetic and stores,
    with a scalar SSE line every tenth statement (volatile: nothing is folded away)."""
    lines = ["#include <stdio.h>", "volatile long a[1000];", "volatile double f[64];",
             "int main(void)", "{"]
    for i in range(statements):
        lines.append(f"    a[{i}] = a[{i * 7 % 1000}] * {i % 13 + 3} + (a[{i * 3 % 1000}] >> "
                     f"{i % 5 + 1});")
        if i % 10 == 0:
            lines.append(f"    f[{i % 64}] = f[{i * 5 % 64}] * 1.5 + f[{i * 3 % 64}];")
    lines += ['    printf("%ld %g\\n", a[5], f[3]);', "    return 0;", "}"]
    return "\n".join(lines) + "\n"


@OP_BUFFER
@pytest.mark.parametrize("flavor", ["gcc-static", "musl-static"])
def test_drcov_of_a_long_straight_stretch_has_qemus_cuts(
        flavor: str, plugin_lib: Callable[[str], Path], tmp_path: Path) -> None:
    """700 statements without a branch: qemu 7.2 cuts them into blocks where its TCG op
    buffer fills up (4000 ops, its plugin placeholders included), and so must pyqemu."""
    src = tmp_path / "straight.c"
    src.write_text(_straight_line_source(700))
    guest = compile_guest(src, tmp_path / "straight", flavor, ["-O1"])
    lib = plugin_lib("drcov")
    traces = {}
    for name, run in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        traces[name] = tmp_path / f"{name}.drcov"
        result = run([guest], env=guest_env(),
                     plugins=[plugin_spec(lib, f"filename={traces[name]}")])
        assert (result.returncode, result.stdout) == (0, "0 0\n"), result.describe()
    theirs, mine = _blocks(traces["qemu"]), _blocks(traces["pyqemu"])
    assert max(size for blocks in theirs.values() for _, size in blocks) > 500
    assert mine == theirs


SQLITE_SQL = (b"select 1.0/3; create table t(a); insert into t values(1),(2);\n"
              b"select sum(a)*1.5 from t;\n")


@OP_BUFFER
@pytest.mark.parametrize("argv,module", [
    (["/usr/bin/sqlite3"], "libsqlite3"),
    (["/usr/bin/sha256sum", "data"], "sha256sum"),
    (["/usr/bin/md5sum", "data"], "md5sum"),
    (["/bin/bzip2", "-c", "data"], "libbz2"),
])
def test_drcov_of_real_programs_has_qemus_blocks(argv: list[str], module: str,
                                                 plugin_lib: Callable[[str], Path],
                                                 tmp_path: Path) -> None:
    """Programs whose long straight stretches qemu cuts where its TCG op buffer fills up
    (sqlite3's in libsqlite3 and libc, the hash loops, bzip2's in libbz2), on data of their
    own: the same blocks in every module under Nehalem."""
    if not Path(argv[0]).is_file():
        missing(f"{argv[0]} (apt-get install {Path(argv[0]).name})")
    (tmp_path / "data").write_text("".join(f"{n * 7919 % 5003}\n" for n in range(5000)))
    lib = plugin_lib("drcov")
    runs = {}
    for name, run in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        trace = tmp_path / f"{name}.drcov"
        result = run(argv, extra=["-cpu", "Nehalem"], cwd=tmp_path, env=guest_env(),
                     stdin=SQLITE_SQL, plugins=[plugin_spec(lib, f"filename={trace}")])
        assert result.returncode == 0, result.describe()
        runs[name] = (result.stdout, _blocks(trace))
    assert runs["pyqemu"][0] == runs["qemu"][0]
    assert any(module in path for path in runs["qemu"][1])
    assert runs["pyqemu"][1] == runs["qemu"][1]


def _cc1() -> Path:
    """gcc's compiler proper, a large dynamic glibc program (gcc -print-prog-name=cc1)."""
    try:
        name = subprocess.run(["gcc", "-print-prog-name=cc1"], capture_output=True, text=True,
                              check=False).stdout.strip()
    except FileNotFoundError:
        name = ""
    if not Path(name).is_absolute() or not Path(name).is_file():
        missing("gcc's cc1 (apt-get install gcc)")
    return Path(name)


@OP_BUFFER
@pytest.mark.parametrize("model", ["Nehalem", "Westmere"])
def test_drcov_of_cc1_follows_qemu_wherever_the_environment_puts_argv(
        model: str, plugin_lib: Callable[[str], Path], tmp_path: Path) -> None:
    """cc1 looks its options up with strcmp, whose SSE4.2 variant takes one of 16 paths by
    the two strings' relative alignment: the address of argv's "-quiet" on the initial
    stack, which moves with the bytes of the environment. An environment one byte longer
    changes qemu's own libc blocks (bash's `_=` naming the emulator does, so runs from a
    shell differ in libc); with the same environment pyqemu runs qemu's blocks in every
    module, cc1's long straight stretches cut where qemu's TCG op buffer fills up."""
    lib = plugin_lib("drcov")
    (tmp_path / "t.c").write_text("int triple(int x) { return x * 3; }\n")
    qemus = []
    for pad in (0, 1):
        runs = {}
        for name, run in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
            trace = tmp_path / f"{name}{pad}.drcov"
            (tmp_path / "t.s").unlink(missing_ok=True)     # cc1 looks at an existing output
            result = run([_cc1(), "-quiet", "t.c", "-o", "t.s"], extra=["-cpu", model],
                         cwd=tmp_path, env=guest_env(PAD="x" * pad),
                         plugins=[plugin_spec(lib, f"filename={trace}")])
            assert result.returncode == 0, result.describe()
            runs[name] = (result.stdout, (tmp_path / "t.s").read_text(), _blocks(trace))
        theirs, mine = runs["qemu"][2], runs["pyqemu"][2]
        assert runs["pyqemu"][:2] == runs["qemu"][:2]
        assert any("libc.so" in path for path in mine)
        assert mine == theirs
        qemus.append(theirs)
    assert qemus[0] != qemus[1]
