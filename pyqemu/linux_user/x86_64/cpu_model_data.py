"""The x86_64 models of qemu-x86_64 7.2, as it answers CPUID for them (observed with
tests/linux_user/cpuid_dump.c; see cpu_models.py).  Generated data: each model's vendor,
(family, model, stepping), level, xlevel, model-id, its features before TCG's filter
(the ones it answers plus the ones qemu warns it drops) and `-cpu help`'s note."""

MODELS: dict[str, tuple] = {
    'Conroe-v1': ('GenuineIntel', (6, 15, 3), 0xa, 0x80000008,
        'Intel Celeron_4x0 (Conroe/Merom Class Core 2)',
        "apic clflush cmov cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx msr mtrr "
        "nx pae pat pge pni pse pse36 sep sse sse2 ssse3 syscall tsc"),
    'Denverton-v1': ('GenuineIntel', (6, 95, 1), 0x15, 0x80000008,
        'Intel Atom Processor (Denverton)',
        "3dnowprefetch aes apic arat arch-capabilities clflush clflushopt cmov cx16 "
        "cx8 de erms fpu fsgsbase fxsr hypervisor lahf-lm lm mca mce mmx monitor movbe "
        "mpx msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdctl-no "
        "rdrand rdseed rdtscp sep sha-ni skip-l1dfl-vmentry smap smep spec-ctrl ssbd "
        "sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave "
        "xsavec xsaveopt"),
    'Denverton-v2': ('GenuineIntel', (6, 95, 1), 0x15, 0x80000008,
        'Intel Atom Processor (Denverton)',
        "3dnowprefetch aes apic arat arch-capabilities clflush clflushopt cmov cx16 "
        "cx8 de erms fpu fsgsbase fxsr hypervisor lahf-lm lm mca mce mmx movbe msr "
        "mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdctl-no rdrand "
        "rdseed rdtscp sep sha-ni skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt", '[no MPX, no MONITOR]'),
    'Denverton-v3': ('GenuineIntel', (6, 95, 1), 0x15, 0x80000008,
        'Intel Atom Processor (Denverton)',
        "3dnowprefetch aes apic arat arch-capabilities clflush clflushopt cmov cx16 "
        "cx8 de erms fpu fsgsbase fxsr hypervisor lahf-lm lm mca mce mmx movbe msr "
        "mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdctl-no rdrand "
        "rdseed rdtscp sep sha-ni skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt xsaves", '[XSAVES, no MPX, no MONITOR]'),
    'Nehalem-v1': ('GenuineIntel', (6, 26, 3), 0xb, 0x80000008,
        'Intel Core i7 9xx (Nehalem Class Core i7)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx msr "
        "mtrr nx pae pat pge pni popcnt pse pse36 sep sse sse2 sse4.1 sse4.2 ssse3 "
        "syscall tsc"),
    'Nehalem-v2': ('GenuineIntel', (6, 26, 3), 0xb, 0x80000008,
        'Intel Core i7 9xx (Nehalem Core i7, IBRS update)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx msr "
        "mtrr nx pae pat pge pni popcnt pse pse36 sep spec-ctrl sse sse2 sse4.1 sse4.2 "
        "ssse3 syscall tsc"),
    'Opteron_G1-v1': ('AuthenticAMD', (15, 6, 1), 0x5, 0x80000008,
        'AMD Opteron 240 (Gen 1 Class Opteron)',
        "apic clflush cmov cx8 de fpu fxsr hypervisor lm mca mce mmx msr mtrr nx pae "
        "pat pge pni pse pse36 sep sse sse2 syscall tsc"),
    'Opteron_G2-v1': ('AuthenticAMD', (15, 6, 1), 0x5, 0x8000000a,
        'AMD Opteron 22xx (Gen 2 Class Opteron)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx msr "
        "mtrr nx pae pat pge pni pse pse36 sep sse sse2 svm syscall tsc"),
    'Opteron_G3-v1': ('AuthenticAMD', (16, 2, 3), 0x5, 0x8000000a,
        'AMD Opteron 23xx (Gen 3 Class Opteron)',
        "abm apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "misalignsse mmx monitor msr mtrr nx pae pat pge pni popcnt pse pse36 rdtscp "
        "sep sse sse2 sse4a svm syscall tsc"),
    'Penryn-v1': ('GenuineIntel', (6, 23, 3), 0xa, 0x80000008,
        'Intel Core 2 Duo P9xxx (Penryn Class Core 2)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx msr "
        "mtrr nx pae pat pge pni pse pse36 sep sse sse2 sse4.1 ssse3 syscall tsc"),
    'Snowridge-v1': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (SnowRidge)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush clflushopt "
        "clwb cmov core-capability cx16 cx8 de erms fpu fsgsbase fxsr gfni hypervisor "
        "lahf-lm lm mca mce mmx monitor movbe movdir64b movdiri mpx msr mtrr nx pae "
        "pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdrand rdseed rdtscp sep "
        "sha-ni smap smep spec-ctrl split-lock-detect ssbd sse sse2 sse4.1 sse4.2 "
        "ssse3 syscall tsc tsc-deadline umip x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Snowridge-v2': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (Snowridge, no MPX)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush clflushopt "
        "clwb cmov core-capability cx16 cx8 de erms fpu fsgsbase fxsr gfni hypervisor "
        "lahf-lm lm mca mce mmx monitor movbe movdir64b movdiri msr mtrr nx pae pat "
        "pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdrand rdseed rdtscp sep sha-ni "
        "smap smep spec-ctrl split-lock-detect ssbd sse sse2 sse4.1 sse4.2 ssse3 "
        "syscall tsc tsc-deadline umip x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Snowridge-v3': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (Snowridge, no MPX)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush clflushopt "
        "clwb cmov core-capability cx16 cx8 de erms fpu fsgsbase fxsr gfni hypervisor "
        "lahf-lm lm mca mce mmx monitor movbe movdir64b movdiri msr mtrr nx pae pat "
        "pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdrand rdseed rdtscp sep sha-ni "
        "smap smep spec-ctrl split-lock-detect ssbd sse sse2 sse4.1 sse4.2 ssse3 "
        "syscall tsc tsc-deadline umip x2apic xgetbv1 xsave xsavec xsaveopt xsaves",
        '[XSAVES, no MPX]'),
    'Snowridge-v4': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (Snowridge, no MPX)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush clflushopt "
        "clwb cmov cx16 cx8 de erms fpu fsgsbase fxsr gfni hypervisor lahf-lm lm mca "
        "mce mmx monitor movbe movdir64b movdiri msr mtrr nx pae pat pclmulqdq pdpe1gb "
        "pge pni popcnt pse pse36 rdrand rdseed rdtscp sep sha-ni smap smep spec-ctrl "
        "ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline umip x2apic "
        "xgetbv1 xsave xsavec xsaveopt xsaves", '[no split lock detect, no core-capability]'),
    'Westmere-v1': ('GenuineIntel', (6, 44, 1), 0xb, 0x80000008,
        'Westmere E56xx/L56xx/X56xx (Nehalem-C)',
        "aes apic arat clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pclmulqdq pge pni popcnt pse pse36 sep sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall tsc"),
    'Westmere-v2': ('GenuineIntel', (6, 44, 1), 0xb, 0x80000008,
        'Westmere E56xx/L56xx/X56xx (IBRS update)',
        "aes apic arat clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pclmulqdq pge pni popcnt pse pse36 sep spec-ctrl sse "
        "sse2 sse4.1 sse4.2 ssse3 syscall tsc"),
    'core2duo-v1': ('GenuineIntel', (6, 15, 11), 0xa, 0x80000008,
        'Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz',
        "acpi apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx "
        "monitor msr mtrr nx pae pat pge pni pse pse36 sep ss sse sse2 ssse3 syscall "
        "tsc"),
    'kvm64-v1': ('GenuineIntel', (15, 6, 1), 0xd, 0x80000008,
        'Common KVM processor',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lm mca mce mmx msr mtrr nx "
        "pae pat pge pni pse pse36 sep sse sse2 syscall tsc"),
    'phenom-v1': ('AuthenticAMD', (16, 2, 3), 0x5, 0x8000001a,
        'AMD Phenom(tm) 9550 Quad-Core Processor',
        "3dnow 3dnowext abm apic clflush cmov cx16 cx8 de fpu fxsr fxsr-opt hypervisor "
        "lahf-lm lm mca mce mmx mmxext monitor msr mtrr npt nx pae pat pdpe1gb pge pni "
        "popcnt pse pse36 rdtscp sep sse sse2 sse4a svm syscall tsc"),
    'qemu64-v1': ('AuthenticAMD', (15, 107, 1), 0xd, 0x8000000a,
        'QEMU Virtual CPU version 2.5+',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx msr "
        "mtrr nx pae pat pge pni pse pse36 sep sse sse2 svm syscall tsc"),
}

#: unversioned and named aliases -> the versioned model (unversioned: v1 in user mode)
ALIASES: dict[str, str] = {
    '486': '486-v1',
    'Broadwell': 'Broadwell-v1',
    'Broadwell-IBRS': 'Broadwell-v3',
    'Broadwell-noTSX': 'Broadwell-v2',
    'Broadwell-noTSX-IBRS': 'Broadwell-v4',
    'Cascadelake-Server': 'Cascadelake-Server-v1',
    'Cascadelake-Server-noTSX': 'Cascadelake-Server-v3',
    'Conroe': 'Conroe-v1',
    'Cooperlake': 'Cooperlake-v1',
    'Denverton': 'Denverton-v1',
    'Dhyana': 'Dhyana-v1',
    'EPYC': 'EPYC-v1',
    'EPYC-IBPB': 'EPYC-v2',
    'EPYC-Milan': 'EPYC-Milan-v1',
    'EPYC-Rome': 'EPYC-Rome-v1',
    'Haswell': 'Haswell-v1',
    'Haswell-IBRS': 'Haswell-v3',
    'Haswell-noTSX': 'Haswell-v2',
    'Haswell-noTSX-IBRS': 'Haswell-v4',
    'Icelake-Server': 'Icelake-Server-v1',
    'Icelake-Server-noTSX': 'Icelake-Server-v2',
    'IvyBridge': 'IvyBridge-v1',
    'IvyBridge-IBRS': 'IvyBridge-v2',
    'KnightsMill': 'KnightsMill-v1',
    'Nehalem': 'Nehalem-v1',
    'Nehalem-IBRS': 'Nehalem-v2',
    'Opteron_G1': 'Opteron_G1-v1',
    'Opteron_G2': 'Opteron_G2-v1',
    'Opteron_G3': 'Opteron_G3-v1',
    'Opteron_G4': 'Opteron_G4-v1',
    'Opteron_G5': 'Opteron_G5-v1',
    'Penryn': 'Penryn-v1',
    'SandyBridge': 'SandyBridge-v1',
    'SandyBridge-IBRS': 'SandyBridge-v2',
    'Skylake-Client': 'Skylake-Client-v1',
    'Skylake-Client-IBRS': 'Skylake-Client-v2',
    'Skylake-Client-noTSX-IBRS': 'Skylake-Client-v3',
    'Skylake-Server': 'Skylake-Server-v1',
    'Skylake-Server-IBRS': 'Skylake-Server-v2',
    'Skylake-Server-noTSX-IBRS': 'Skylake-Server-v3',
    'Snowridge': 'Snowridge-v1',
    'Westmere': 'Westmere-v1',
    'Westmere-IBRS': 'Westmere-v2',
    'athlon': 'athlon-v1',
    'core2duo': 'core2duo-v1',
    'coreduo': 'coreduo-v1',
    'kvm32': 'kvm32-v1',
    'kvm64': 'kvm64-v1',
    'n270': 'n270-v1',
    'pentium': 'pentium-v1',
    'pentium2': 'pentium2-v1',
    'pentium3': 'pentium3-v1',
    'phenom': 'phenom-v1',
    'qemu32': 'qemu32-v1',
    'qemu64': 'qemu64-v1',
}

#: models the engine cannot run -> the features it lacks that they answer
REFUSED: dict[str, tuple[str, ...]] = {
    'Broadwell-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Broadwell-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'Broadwell-v3': ('avx', 'avx2', 'f16c', 'fma'),
    'Broadwell-v4': ('avx', 'avx2', 'f16c', 'fma'),
    'Cascadelake-Server-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Cascadelake-Server-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'Cascadelake-Server-v3': ('avx', 'avx2', 'f16c', 'fma'),
    'Cascadelake-Server-v4': ('avx', 'avx2', 'f16c', 'fma'),
    'Cascadelake-Server-v5': ('avx', 'avx2', 'f16c', 'fma'),
    'Cooperlake-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Cooperlake-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'Dhyana-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Dhyana-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'EPYC-Milan-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'EPYC-Rome-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'EPYC-Rome-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'EPYC-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'EPYC-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'EPYC-v3': ('avx', 'avx2', 'f16c', 'fma'),
    'Haswell-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Haswell-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'Haswell-v3': ('avx', 'avx2', 'f16c', 'fma'),
    'Haswell-v4': ('avx', 'avx2', 'f16c', 'fma'),
    'Icelake-Server-v1': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
    'Icelake-Server-v2': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
    'Icelake-Server-v3': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
    'Icelake-Server-v4': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
    'Icelake-Server-v5': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
    'Icelake-Server-v6': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
    'IvyBridge-v1': ('avx', 'f16c'),
    'IvyBridge-v2': ('avx', 'f16c'),
    'KnightsMill-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Opteron_G4-v1': ('avx',),
    'Opteron_G5-v1': ('avx', 'f16c', 'fma'),
    'SandyBridge-v1': ('avx',),
    'SandyBridge-v2': ('avx',),
    'Skylake-Client-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Client-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Client-v3': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Client-v4': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Server-v1': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Server-v2': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Server-v3': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Server-v4': ('avx', 'avx2', 'f16c', 'fma'),
    'Skylake-Server-v5': ('avx', 'avx2', 'f16c', 'fma'),
    'max': ('avx', 'avx2', 'f16c', 'fma', 'vaes'),
}

#: models without long mode: qemu-x86_64 refuses them
NO_LONG_MODE: tuple[str, ...] = (
    '486-v1',
    'athlon-v1',
    'coreduo-v1',
    'kvm32-v1',
    'n270-v1',
    'pentium-v1',
    'pentium2-v1',
    'pentium3-v1',
    'qemu32-v1',
    'base',
)
