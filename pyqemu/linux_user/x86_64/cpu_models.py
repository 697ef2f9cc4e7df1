# SPDX-License-Identifier: GPL-2.0-or-later
"""x86_64 CPU models: ``-cpu NAME[,+feat,-feat,feat=on|off,prop=value]`` and the CPUID
answers qemu-x86_64 7.2 gives for them.

glibc picks its string and memory routines from CPUID at start-up, so the model decides
which library code a guest runs; pyqemu answers every CPUID leaf as qemu-x86_64 7.2
answers it for the same model (the C host's CPUID hook serves the table made here) and
the engine executes the instructions of the model's features (engine patch 0010).

Everything here is a fact about qemu-x86_64 7.2 as observed with ``cpuid_dump`` and its
messages (feature names and where CPUID reports them, which features its TCG keeps,
each model's identity and feature list), or about the hardware (Intel SDM: the CPUID
leaves' layout, the XSAVE state components' sizes and offsets, the cache descriptors).

pyqemu's engine executes every instruction qemu-x86_64 7.2's TCG executes, AVX, AVX2,
FMA, F16C and VAES included (engine patch 0018), so every 64-bit model runs, ``max``
(qemu's default) among them.  The unicorn wheel's stock engine has none of those: there
a model that answers one of them is refused, in one line and with status 1, rather than
run with instructions that would be SIGILL.  The 32-bit models are refused as
qemu-x86_64 refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyqemu.errors import CpuModelError

EAX, EBX, ECX, EDX = range(4)


class CpuNotRunnable(CpuModelError):
    """The model needs what the engine cannot do; ``str()`` is the one line to print."""


@dataclass(frozen=True)
class FeatureWord:
    """One register of CPUID (or one MSR) holding feature bits, as qemu's warnings name it."""

    key: str                 # "CPUID.01H:ECX", "MSR(10AH)"
    leaf: int | None         # None: an MSR, which CPUID does not show
    subleaf: int
    reg: int
    bits: dict[str, int]     # feature name -> bit
    tcg: frozenset[str]      # the features qemu-x86_64 7.2's TCG keeps; others: warning
    depends: str | None = None   # MSR words: the CPUID feature that exposes the MSR
    silent: bool = False     # KVM's paravirtual features: dropped under TCG without a word


def _word(key: str, leaf: int | None, subleaf: int, reg: int, names: str, tcg: str = "",
          depends: str | None = None, silent: bool = False) -> FeatureWord:
    """``names``: "bit:name ..." pairs."""
    bits = {}
    for item in names.split():
        bit, name = item.split(":")
        bits[name] = int(bit)
    return FeatureWord(key, leaf, subleaf, reg, bits, frozenset(tcg.split()), depends, silent)


#: Feature words in the order qemu-x86_64 7.2 checks them (its warnings come in this order).
WORDS: tuple[FeatureWord, ...] = (
    _word("CPUID.01H:EDX", 1, 0, EDX,
          "0:fpu 1:vme 2:de 3:pse 4:tsc 5:msr 6:pae 7:mce 8:cx8 9:apic 11:sep 12:mtrr 13:pge "
          "14:mca 15:cmov 16:pat 17:pse36 18:pn 19:clflush 21:ds 22:acpi 23:mmx 24:fxsr "
          "25:sse 26:sse2 27:ss 28:ht 29:tm 30:ia64 31:pbe",
          "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush acpi "
          "mmx fxsr sse sse2 ss"),
    _word("CPUID.01H:ECX", 1, 0, ECX,
          "0:pni 1:pclmulqdq 2:dtes64 3:monitor 4:ds-cpl 5:vmx 6:smx 7:est 8:tm2 9:ssse3 "
          "10:cid 12:fma 13:cx16 14:xtpr 15:pdcm 17:pcid 18:dca 19:sse4.1 20:sse4.2 "
          "21:x2apic 22:movbe 23:popcnt 24:tsc-deadline 25:aes 26:xsave 28:avx 29:f16c "
          "30:rdrand 31:hypervisor",
          "pni pclmulqdq monitor ssse3 fma cx16 sse4.1 sse4.2 movbe popcnt aes xsave avx "
          "f16c rdrand hypervisor"),
    _word("CPUID.07H:EBX", 7, 0, EBX,
          "0:fsgsbase 1:tsc-adjust 2:sgx 3:bmi1 4:hle 5:avx2 7:smep 8:bmi2 9:erms 10:invpcid "
          "11:rtm 14:mpx 16:avx512f 17:avx512dq 18:rdseed 19:adx 20:smap 21:avx512ifma "
          "22:pcommit 23:clflushopt 24:clwb 25:intel-pt 26:avx512pf 27:avx512er 28:avx512cd "
          "29:sha-ni 30:avx512bw 31:avx512vl",
          "fsgsbase bmi1 avx2 smep bmi2 erms mpx adx smap pcommit clflushopt clwb"),
    _word("CPUID.07H:ECX", 7, 0, ECX,
          "1:avx512vbmi 2:umip 3:pku 5:waitpkg 6:avx512vbmi2 8:gfni 9:vaes 10:vpclmulqdq "
          "11:avx512vnni 12:avx512bitalg 14:avx512-vpopcntdq 16:la57 22:rdpid "
          "24:bus-lock-detect 25:cldemote 27:movdiri 28:movdir64b 30:sgxlc 31:pks",
          "umip pku vaes la57 pks"),
    _word("CPUID.07H:EDX", 7, 0, EDX,
          "2:avx512-4vnniw 3:avx512-4fmaps 4:fsrm 8:avx512-vp2intersect 10:md-clear "
          "14:serialize 16:tsx-ldtrk 19:arch-lbr 22:amx-bf16 23:avx512-fp16 24:amx-tile "
          "25:amx-int8 26:spec-ctrl 27:stibp 29:arch-capabilities 30:core-capability "
          "31:ssbd"),
    _word("CPUID.07H:EAX", 7, 1, EAX, "4:avx-vnni 5:avx512-bf16"),
    _word("CPUID.80000001H:EDX", 0x80000001, 0, EDX,
          "11:syscall 20:nx 22:mmxext 25:fxsr-opt 26:pdpe1gb 27:rdtscp 29:lm 30:3dnowext "
          "31:3dnow",
          "syscall nx mmxext pdpe1gb rdtscp lm 3dnowext 3dnow"),
    _word("CPUID.80000001H:ECX", 0x80000001, 0, ECX,
          "0:lahf-lm 1:cmp-legacy 2:svm 3:extapic 4:cr8legacy 5:abm 6:sse4a 7:misalignsse "
          "8:3dnowprefetch 9:osvw 10:ibs 11:xop 12:skinit 13:wdt 15:lwp 16:fma4 17:tce "
          "19:nodeid-msr 21:tbm 22:topoext 23:perfctr-core 24:perfctr-nb",
          "lahf-lm svm cr8legacy abm sse4a"),
    _word("CPUID.80000007H:EDX", 0x80000007, 0, EDX, "8:invtsc"),
    _word("CPUID.80000008H:EBX", 0x80000008, 0, EBX,
          "0:clzero 2:xsaveerptr 9:wbnoinvd 12:ibpb 14:ibrs 15:amd-stibp 24:amd-ssbd "
          "25:virt-ssbd 26:amd-no-ssb"),
    _word("CPUID.C0000001H:EDX", 0xC0000001, 0, EDX,
          "2:xstore 3:xstore-en 6:xcrypt 7:xcrypt-en 8:ace2 9:ace2-en 10:phe 11:phe-en "
          "12:pmm 13:pmm-en"),
    _word("CPUID.40000001H:EAX", 0x40000001, 0, EAX,
          "0:kvmclock 1:kvm-nopiodelay 2:kvm-mmu 4:kvm-asyncpf 5:kvm-steal-time 6:kvm-pv-eoi "
          "7:kvm-pv-unhalt 9:kvm-pv-tlb-flush 11:kvm-pv-ipi 12:kvm-poll-control "
          "13:kvm-pv-sched-yield 14:kvm-asyncpf-int 15:kvm-msi-ext-dest-id "
          "24:kvmclock-stable-bit", silent=True),
    _word("CPUID.40000001H:EDX", 0x40000001, 0, EDX, "0:kvm-hint-dedicated"),
    _word("CPUID.8000000AH:EDX", 0x8000000A, 0, EDX,
          "0:npt 1:lbrv 2:svm-lock 3:nrip-save 4:tsc-scale 5:vmcb-clean 6:flushbyasid "
          "7:decodeassists 10:pause-filter 12:pfthreshold 13:avic 15:v-vmsave-vmload 16:vgif "
          "28:svme-addr-chk",
          "npt vgif svme-addr-chk"),
    _word("CPUID.0DH:EAX", 0xD, 1, EAX, "0:xsaveopt 1:xsavec 2:xgetbv1 3:xsaves 4:xfd",
          "xsaveopt xgetbv1"),
    _word("CPUID.06H:EAX", 6, 0, EAX, "2:arat", "arat"),
    _word("MSR(10AH)", None, 0, 0,
          "0:rdctl-no 1:ibrs-all 2:rsba 3:skip-l1dfl-vmentry 4:ssb-no 5:mds-no "
          "6:pschange-mc-no 7:tsx-ctrl 8:taa-no", depends="arch-capabilities"),
    _word("MSR(CFH)", None, 0, 0, "5:split-lock-detect", depends="core-capability"),
    _word("MSR(345H)", None, 0, 0, "13:full-width-write", depends="pdcm"),
)

#: feature name -> its word
FEATURES: dict[str, FeatureWord] = {name: w for w in WORDS for name in w.bits}

#: Other spellings qemu-x86_64 7.2 accepts for a feature ('_' is read as '-' as well).
ALIASES = {"sse3": "pni", "pclmuldq": "pclmulqdq", "sse4-1": "sse4.1", "sse4-2": "sse4.2",
           "i64": "lm", "xd": "nx", "ffxsr": "fxsr-opt"}

#: Features whose instructions the stock engine (the unicorn wheel: QEMU 5.0's TCG) does
#: not have; pyqemu's engine has them all (patch 0018).  Every other feature qemu-x86_64
#: 7.2 keeps either has its instructions in both or is a fact without instructions (umip,
#: pks, vgif, ...).
STOCK_ENGINE_LACKS = frozenset({"avx", "avx2", "fma", "f16c", "vaes"})

#: the model qemu-x86_64 7.2 runs without -cpu (linux-user/x86_64's cpu_get_model)
DEFAULT_MODEL = "max"

#: Which qemu flags pyqemu does not model (Intel VT-x capabilities, SGX, processor trace):
#: refused with a message rather than answered wrongly.
UNMODELLED_PREFIXES = ("vmx-", "sgx", "intel-pt")

#: CPUID.1 EDX bits an AMD CPU repeats in CPUID.80000001H EDX.
AMD_ALIASES = 0x0183F3FF

VENDOR_INTEL = "GenuineIntel"
VENDOR_AMD = "AuthenticAMD"

#: XSAVE state components: number -> (feature that enables it, size, offset) (Intel SDM
#: vol. 1, 13.4: the standard-format layout).  x87 (0) and SSE (1) are always there.
XSAVE_COMPONENTS = {
    2: ("avx", 0x100, 0x240),
    3: ("mpx", 0x40, 0x3C0),
    4: ("mpx", 0x40, 0x400),
    5: ("avx512f", 0x40, 0x440),
    6: ("avx512f", 0x200, 0x480),
    7: ("avx512f", 0x400, 0x680),
    9: ("pku", 0x8, 0xA80),
}
XSAVE_LEGACY_SIZE = 0x240   # the legacy region (512 bytes) and the XSAVE header (64)

#: The cache descriptions qemu-x86_64 7.2 answers (CPUID leaves 2 and 4 for every vendor
#: but AMD, 0x80000005, 0x80000006 and 0x8000001d for every vendor) come in sets: the
#: legacy one most models share, and the EPYC families' own (cpu_model_data.CACHES).
#: qemu's paravirtual leaf under TCG: the highest such leaf and "TCGTCGTCGTCG"
LEAF_40000000 = (0x40000001, 0x54474354, 0x43544743, 0x47435447)


@dataclass(frozen=True)
class ModelDef:
    """One versioned model as qemu-x86_64 7.2 defines it (before TCG filters it)."""

    vendor: str
    family: int
    model: int
    stepping: int
    level: int
    xlevel: int
    model_id: str
    features: frozenset[str]
    note: str = ""          # what `-cpu help` adds after the model id ("[XSAVES, ...]")
    cache: str = "legacy"   # its set of cache descriptions (cpu_model_data.CACHES)


def _model(vendor: str, fms: tuple[int, int, int], level: int, xlevel: int, model_id: str,
           features: str, note: str = "", cache: str = "legacy") -> ModelDef:
    return ModelDef(vendor, *fms, level, xlevel, model_id, frozenset(features.split()), note,
                    cache)


# -- the models qemu-x86_64 7.2 runs in 64-bit mode (observed definitions) -----------------
MODELS: dict[str, ModelDef] = {}  # filled by cpu_model_table below

#: unversioned names -> the version they stand for in user mode (v1), and qemu's named
#: aliases of later versions
ALIASES_OF: dict[str, str] = {}

#: what `-cpu help` says of a model whose line is not its model id (max)
HELP: dict[str, str] = {}

#: cache description sets: name -> {"2": leaf 2, "4": leaf 4's subleaves, "80000005",
#: "80000006", "8000001d": its subleaves}, each register tuple as CPUID answers it
CACHES: dict[str, dict[str, tuple]] = {}

#: 32-bit models: qemu-x86_64 refuses them itself once the program is loaded
NO_LONG_MODE: tuple[str, ...] = ()


@dataclass
class CpuConfig:
    """A parsed ``-cpu`` argument: the model with its properties applied."""

    name: str
    vendor: str
    family: int
    model: int
    stepping: int
    min_level: int
    min_xlevel: int
    model_id: str
    requested: set[str]                  # features asked for, before TCG's filter
    cache: str = "legacy"
    level: int | None = None             # level=, xlevel=, xlevel2= given explicitly
    xlevel: int | None = None
    xlevel2: int | None = None
    warnings: list[str] = field(default_factory=list)
    long_mode: bool = True

    # -- what qemu computes from it ---------------------------------------------------
    def features(self) -> set[str]:
        """The features the CPU answers: requested ones TCG keeps (KVM's never)."""
        return {f for f in self.requested if f in FEATURES and f in FEATURES[f].tcg}

    def word(self, leaf: int, subleaf: int, reg: int, feats: set[str]) -> int:
        value = 0
        for w in WORDS:
            if w.leaf == leaf and w.subleaf == subleaf and w.reg == reg:
                for name, bit in w.bits.items():
                    if name in feats:
                        value |= 1 << bit
        return value

    def levels(self) -> tuple[int, int, int, int]:
        """(level, xlevel, xlevel2, highest subleaf of leaf 7): the model's minimums raised
        for the requested features' leaves, as qemu raises them, unless given."""
        req = {f for f in self.requested if f in FEATURES}
        words = {FEATURES[f].key for f in req}
        level, xlevel, xlevel2, func7 = self.min_level, self.min_xlevel, 0, 0
        if words & {"CPUID.01H:EDX", "CPUID.01H:ECX"}:
            level = max(level, 1)
        if "CPUID.06H:EAX" in words:
            level = max(level, 6)
        if words & {"CPUID.07H:EBX", "CPUID.07H:ECX", "CPUID.07H:EDX", "CPUID.07H:EAX"}:
            level = max(level, 7)
        if "CPUID.07H:EAX" in words:
            func7 = 1
        if "CPUID.0DH:EAX" in words:
            level = max(level, 0xD)
        if words & {"CPUID.80000001H:EDX", "CPUID.80000001H:ECX"}:
            xlevel = max(xlevel, 0x80000001)
        if "CPUID.80000007H:EDX" in words:
            xlevel = max(xlevel, 0x80000007)
        if "CPUID.80000008H:EBX" in words:
            xlevel = max(xlevel, 0x80000008)
        if "CPUID.8000000AH:EDX" in words or "svm" in req:
            xlevel = max(xlevel, 0x8000000A)
        if "CPUID.C0000001H:EDX" in words:
            xlevel2 = max(xlevel2, 0xC0000001)
        if self.level is not None:
            level = self.level
        if self.xlevel is not None:
            xlevel = self.xlevel
        if self.xlevel2 is not None:
            xlevel2 = self.xlevel2
        return level, xlevel, xlevel2, func7

    def hwcap(self) -> int:
        """AT_HWCAP: CPUID.1 EDX, as qemu-x86_64's elfload puts it in the aux vector."""
        return self.word(1, 0, EDX, self.features())

    def missing(self, lacks: frozenset[str]) -> list[str]:
        """Features the CPU would answer whose instructions the engine lacks."""
        return sorted(self.features() & lacks)

    def cpuid_table(self) -> CpuidTable:
        """Every leaf's answer, as qemu-x86_64 7.2 gives it for this CPU."""
        feats = self.features()
        level, xlevel, xlevel2, func7 = self.levels()
        vendor = self.vendor.encode().ljust(12, b"\0")[:12]
        v1 = int.from_bytes(vendor[0:4], "little")
        v2 = int.from_bytes(vendor[4:8], "little")
        v3 = int.from_bytes(vendor[8:12], "little")
        amd = self.vendor == VENDOR_AMD
        family, model = self.family, self.model
        version = ((0xF << 8 | (family - 0xF) << 20) if family > 0xF else family << 8) \
            | (model & 0xF) << 4 | (model >> 4 & 0xF) << 16 | (self.stepping & 0xF)
        t = CpuidTable(level, xlevel, xlevel2)

        def w(leaf: int, subleaf: int, reg: int) -> int:
            return self.word(leaf, subleaf, reg, feats)

        t.set(0, None, level, v1, v3, v2)
        ecx1 = w(1, 0, ECX) | ((1 << 27) if "xsave" in feats else 0)   # OSXSAVE: CR4 set
        t.set(1, None, version, 0x800, ecx1, w(1, 0, EDX))
        cache = CACHES[self.cache]
        # qemu answers the cache leaves 2 and 4 with zeros for an AMD vendor only
        t.set(2, None, *(cache["2"] if not amd else (0, 0, 0, 0)))
        for i, regs in enumerate(cache["4"] if not amd else ()):
            t.set(4, i, *regs)
        t.set(5, None, 0, 0, 3, 0)       # MONITOR/MWAIT: no sizes, EMX and IBE
        t.set(6, None, w(6, 0, EAX), 0, 0, 0)
        t.set(7, 0, func7, w(7, 0, EBX), w(7, 0, ECX), w(7, 0, EDX))
        t.set(7, 1, w(7, 1, EAX), 0, 0, 0)
        t.topology = True                # leaf 0xb: one thread, one core
        if "xsave" in feats:
            # qemu sizes the components from the features the model asks for, before its
            # TCG filter (AVX-512's are listed where TCG has no AVX-512); XCR0, and so the
            # size EBX gives, has only those of the features it keeps
            comps = [(i, size, off) for i, (feat, size, off) in XSAVE_COMPONENTS.items()
                     if feat in self.requested]
            mask = 0x3 | sum(1 << i for i, _s, _o in comps)
            size = max([XSAVE_LEGACY_SIZE] + [off + sz for _i, sz, off in comps])
            enabled = max([XSAVE_LEGACY_SIZE] + [off + sz for i, sz, off in comps
                                                 if XSAVE_COMPONENTS[i][0] in feats])
            compact = XSAVE_LEGACY_SIZE + sum(sz for _i, sz, _o in comps)
            t.set(0xD, 0, mask, enabled, size, 0)
            t.set(0xD, 1, w(0xD, 1, EAX), compact, 0, 0)
            for i, sz, off in comps:
                t.set(0xD, i, sz, off, 0, 0)
        t.set(0x40000000, None, *LEAF_40000000)
        t.set(0x80000000, None, xlevel, v1, v3, v2)
        edx81 = w(0x80000001, 0, EDX)
        if amd:
            edx81 = (edx81 & ~AMD_ALIASES) | (w(1, 0, EDX) & AMD_ALIASES)
        t.set(0x80000001, None, version, 0, w(0x80000001, 0, ECX), edx81)
        mid = self.model_id.encode()[:48].ljust(48, b"\0")
        for i in range(3):
            chunk = mid[16 * i:16 * i + 16]
            t.set(0x80000002 + i, None,
                  *(int.from_bytes(chunk[4 * j:4 * j + 4], "little") for j in range(4)))
        t.set(0x80000005, None, *cache["80000005"])
        t.set(0x80000006, None, *cache["80000006"])
        for i, regs in enumerate(cache["8000001d"]):
            t.set(0x8000001D, i, *regs)
        t.set(0x80000007, None, 0, 0, 0, w(0x80000007, 0, EDX))
        vbits = 57 if "la57" in feats else 48
        t.set(0x80000008, None, 40 | vbits << 8 if "lm" in feats else 36, w(0x80000008, 0, EBX),
              0, 0)
        if "svm" in feats:
            t.set(0x8000000A, None, 1, 0x10, 0, w(0x8000000A, 0, EDX))
        t.set(0xC0000000, None, xlevel2, 0, 0, 0)
        t.set(0xC0000001, None, 0, 0, 0, w(0xC0000001, 0, EDX))
        return t


@dataclass
class CpuidTable:
    """CPUID answers: (leaf, subleaf or None for every subleaf) -> (eax, ebx, ecx, edx).
    A leaf in range and not listed answers zeros; one out of range answers as the highest
    basic leaf (qemu's rule, Intel's behaviour); leaf 0xb echoes the level number."""

    level: int
    xlevel: int
    xlevel2: int
    entries: dict[tuple[int, int | None], tuple[int, int, int, int]] = field(default_factory=dict)
    topology: bool = False

    def set(self, leaf: int, subleaf: int | None, *regs: int) -> None:
        eax, ebx, ecx, edx = (r & 0xFFFFFFFF for r in regs)
        self.entries[(leaf, subleaf)] = (eax, ebx, ecx, edx)

    def answer(self, leaf: int, subleaf: int) -> tuple[int, int, int, int]:
        """What the CPU answers: the reference the C hook implements, for tests."""
        top = leaf & 0xC0000000
        limit = {0xC0000000: self.xlevel2, 0x40000000: 0x40000001,
                 0x80000000: self.xlevel}.get(top, self.level)
        if leaf > limit:
            leaf = self.level
        if leaf == 0xB and self.topology:
            if subleaf == 0:
                return (0, 1, 0x100, 0)
            if subleaf == 1:
                return (0, 1, 0x201, 0)
            return (0, 0, subleaf & 0xFF, 0)
        if (leaf, subleaf) in self.entries:
            return self.entries[(leaf, subleaf)]
        return self.entries.get((leaf, None), (0, 0, 0, 0))

    def flat(self) -> list[int]:
        """The entries for the C host: leaf, subleaf (0xffffffff: any), eax, ebx, ecx, edx."""
        out: list[int] = []
        for (leaf, subleaf), regs in sorted(self.entries.items(),
                                             key=lambda kv: (kv[0][0], kv[0][1] is None,
                                                             kv[0][1] or 0)):
            out += [leaf, 0xFFFFFFFF if subleaf is None else subleaf, *regs]
        return out


_TRUE = ("on", "yes", "true", "y")
_FALSE = ("off", "no", "false", "n")


def _canonical(name: str) -> str:
    name = name.replace("_", "-")
    return ALIASES.get(name, name)


def _parse_uint(typename: str, key: str, value: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        raise CpuModelError(f"can't apply global {typename}.{key}={value}: "
                            f"Parameter '{key}' expects uint64") from None


def parse_cpu(text: str, lacks: frozenset[str] = frozenset()) -> CpuConfig:
    """``-cpu NAME[,feature,...]`` read as qemu-x86_64 7.2 reads it; ``lacks``: the
    features whose instructions the engine does not execute (STOCK_ENGINE_LACKS for the
    stock engine).

    Properties (``feat=on|off``, ``feat``, ``level=``, ``model-id=``, ...) apply first, in
    order (the last one wins); then every ``+feat``, then every ``-feat`` (so ``-`` wins),
    with qemu's warning where one string mixes ``+f``/``-f`` and ``f=``.  Raises
    CpuModelError with qemu's message, CpuNotRunnable for a model the engine cannot run.
    """
    cpu_table()
    name, *tokens = text.split(",")
    resolved = ALIASES_OF.get(name, name)
    if resolved not in MODELS and resolved not in NO_LONG_MODE:
        raise CpuModelError(f"unable to find CPU model '{name}'")
    typename = f"{name}-x86_64-cpu"
    if resolved in NO_LONG_MODE:
        cfg = CpuConfig(name, VENDOR_INTEL, 0, 0, 0, 0, 0, "", set(), long_mode=False)
    else:
        d = MODELS[resolved]
        cfg = CpuConfig(name, d.vendor, d.family, d.model, d.stepping, d.level, d.xlevel,
                        d.model_id, set(d.features), d.cache)
    plus: list[str] = []
    minus: list[str] = []
    enforce = False
    check = True        # qemu's default: warn about what TCG drops
    props: list[tuple[str, str]] = []
    for tok in tokens:
        if not tok:
            continue
        if tok[0] in "+-":
            feat = _canonical(tok[1:])
            if feat not in FEATURES and not feat.startswith(UNMODELLED_PREFIXES):
                raise CpuModelError(f"Property '{typename}.{tok[1:]}' not found")
            (plus if tok[0] == "+" else minus).append(feat)
            continue
        key, _, value = tok.partition("=")
        if "=" not in tok:
            value = "on"
        props.append((key, value))
    for key, value in props:
        feat = _canonical(key)
        if feat in FEATURES or feat.startswith(UNMODELLED_PREFIXES):
            low = value.lower()
            if low not in _TRUE + _FALSE:
                raise CpuModelError(f"can't apply global {typename}.{key}={value}: "
                                    f"Parameter '{key}' expects 'on' or 'off'")
            for lst, sign in ((plus, "+"), (minus, "-")):
                if feat in lst:
                    cfg.warnings.append(f"Ambiguous CPU model string. Don't mix both "
                                        f"\"{sign}{key}\" and \"{key}={value}\"")
                    cfg.warnings.append("Compatibility of ambiguous CPU model strings "
                                        "won't be kept on future QEMU versions")
            _unmodelled(feat)
            (cfg.requested.add if low in _TRUE else cfg.requested.discard)(feat)
        elif key in ("check", "enforce"):
            low = value.lower()
            if low not in _TRUE + _FALSE:
                raise CpuModelError(f"can't apply global {typename}.{key}={value}: "
                                    f"Parameter '{key}' expects 'on' or 'off'")
            if key == "enforce":
                enforce = low in _TRUE
            else:
                check = low in _TRUE
        elif key == "level":
            cfg.level = _parse_uint(typename, key, value)
        elif key == "xlevel":
            cfg.xlevel = _parse_uint(typename, key, value)
        elif key == "xlevel2":
            cfg.xlevel2 = _parse_uint(typename, key, value)
        elif key == "min-level":
            cfg.min_level = _parse_uint(typename, key, value)
        elif key == "min-xlevel":
            cfg.min_xlevel = _parse_uint(typename, key, value)
        elif key == "family":
            cfg.family = _parse_uint(typename, key, value)
        elif key == "model":
            cfg.model = _parse_uint(typename, key, value)
        elif key == "stepping":
            cfg.stepping = _parse_uint(typename, key, value)
        elif key == "model-id":
            cfg.model_id = value
        elif key == "vendor":
            cfg.vendor = value
        else:
            raise CpuModelError(f"can't apply global {typename}.{key}={value}: "
                                f"Property '{typename}.{key}' not found")
    for feat in plus:
        _unmodelled(feat)
        cfg.requested.add(feat)
    for feat in minus:
        _unmodelled(feat)
        cfg.requested.discard(feat)
    if check or enforce:
        cfg.warnings += _filter_warnings(cfg.requested)
    if enforce and any(w.startswith("TCG doesn't") for w in cfg.warnings):
        # qemu prints its warnings (they print whatever check= says), then refuses
        raise CpuModelError("\n".join([*(f"warning: {w}" for w in cfg.warnings),
                                       "TCG doesn't support requested features"]))
    cfg.long_mode = cfg.long_mode and "lm" in cfg.requested
    missing = cfg.missing(lacks)
    if missing:
        raise CpuNotRunnable(f"CPU model '{text}' needs features the engine does not "
                             f"execute: {' '.join(missing)}")
    return cfg


def _unmodelled(feat: str) -> None:
    if feat.startswith(UNMODELLED_PREFIXES):
        raise CpuNotRunnable(f"CPU feature '{feat}' is not modelled by pyqemu")


def _filter_warnings(requested: set[str]) -> list[str]:
    """qemu's warnings for requested features its TCG drops, in its order."""
    out = []
    for w in WORDS:
        for name, bit in sorted(w.bits.items(), key=lambda kv: kv[1]):
            if name not in requested or name in w.tcg or w.silent:
                continue
            if w.depends and w.depends not in requested:
                out.insert(0, f"This feature depends on other features that were not "
                              f"requested: {w.key}.{name} [bit {bit}]")
            else:
                out.append(f"TCG doesn't support requested feature: {w.key}.{name} "
                           f"[bit {bit}]")
    return out


# -- `-cpu help` -------------------------------------------------------------------------

def help_text() -> str:
    """qemu-x86_64 7.2's listing, for the models pyqemu runs and the flags it reads."""
    cpu_table()
    lines = ["Available CPUs:"]
    names = sorted({a for a, v in ALIASES_OF.items() if v in MODELS} | set(MODELS))
    for n in names:
        if n in ALIASES_OF:
            target = ALIASES_OF[n]
            desc = ("(alias configured by machine type)" if target == f"{n}-v1"
                    else f"(alias of {target})")
        else:
            d = MODELS[n]
            desc = HELP.get(n) or d.model_id + (f" {d.note}" if d.note else "")
        lines.append(f"x86 {n:<20}  {desc}")
    lines.append("")
    lines.append("Recognized CPUID flags:")
    flags = sorted(f for f in FEATURES if not f.startswith(UNMODELLED_PREFIXES))
    line = ""
    for f in flags:
        if line and len(line) + 1 + len(f) > 75:
            lines.append(line)
            line = ""
        line = f"  {f}" if not line else f"{line} {f}"
    lines.append(line)
    return "\n".join(lines) + "\n\n"


def cpu_table() -> None:
    """Fill MODELS and friends once (the data is in cpu_model_data)."""
    if MODELS:
        return
    global NO_LONG_MODE
    from pyqemu.linux_user.x86_64 import cpu_model_data as data

    for name, args in data.MODELS.items():
        MODELS[name] = _model(*args)
    ALIASES_OF.update(data.ALIASES)
    HELP.update(data.HELP)
    CACHES.update(data.CACHES)
    NO_LONG_MODE = data.NO_LONG_MODE
