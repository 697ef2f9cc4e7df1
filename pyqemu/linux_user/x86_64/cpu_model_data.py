# SPDX-License-Identifier: GPL-2.0-or-later
"""The x86_64 models of qemu-x86_64 7.2, as it answers CPUID for them (written by
scripts/gen_cpu_model_data.py from tests/linux_user/cpuid_dump.c run under
qemu-x86_64 -cpu MODEL; see cpu_models.py).  Generated data: each model's vendor,
(family, model, stepping), level, xlevel, model-id, its features before TCG's
filter (the ones it answers plus the ones qemu warns it drops) and `-cpu help`'s
note."""

MODELS: dict[str, tuple] = {
    'Broadwell-v1': ('GenuineIntel', (6, 61, 2), 0xd, 0x80000008,
        'Intel Core Processor (Broadwell)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hle hypervisor invpcid "
        "lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge "
        "pni popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap smep sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xsave xsaveopt"),
    'Broadwell-v2': ('GenuineIntel', (6, 61, 2), 0xd, 0x80000008,
        'Intel Core Processor (Broadwell, no TSX)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm "
        "lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep sse sse2 sse4.1 sse4.2 "
        "ssse3 syscall tsc tsc-deadline x2apic xsave xsaveopt"),
    'Broadwell-v3': ('GenuineIntel', (6, 61, 2), 0xd, 0x80000008,
        'Intel Core Processor (Broadwell, IBRS)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hle hypervisor invpcid "
        "lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge "
        "pni popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap smep spec-ctrl "
        "sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xsave "
        "xsaveopt"),
    'Broadwell-v4': ('GenuineIntel', (6, 61, 2), 0xd, 0x80000008,
        'Intel Core Processor (Broadwell, no TSX, IBRS)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm "
        "lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xsave xsaveopt"),
    'Cascadelake-Server-v1': ('GenuineIntel', (6, 85, 6), 0xd, 0x80000008,
        'Intel Xeon Processor (Cascadelake)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512bw avx512cd "
        "avx512dq avx512f avx512vl avx512vnni bmi1 bmi2 clflush clflushopt clwb "
        "cmov cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hle hypervisor "
        "invpcid lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid "
        "pclmulqdq pdpe1gb pge pku pni popcnt pse pse36 rdrand rdseed rdtscp "
        "rtm sep smap smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall "
        "tsc tsc-deadline x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Cascadelake-Server-v2': ('GenuineIntel', (6, 85, 6), 0xd, 0x80000008,
        'Intel Xeon Processor (Cascadelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512bw avx512cd avx512dq avx512f avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fxsr hle hypervisor ibrs-all invpcid lahf-lm lm mca mce mds-no mmx "
        "movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt "
        "pse pse36 rdctl-no rdrand rdseed rdtscp rtm sep skip-l1dfl-vmentry "
        "smap smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline x2apic xgetbv1 xsave xsavec xsaveopt",
        '[ARCH_CAPABILITIES]'),
    'Cascadelake-Server-v3': ('GenuineIntel', (6, 85, 6), 0xd, 0x80000008,
        'Intel Xeon Processor (Cascadelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512bw avx512cd avx512dq avx512f avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fxsr hypervisor ibrs-all invpcid lahf-lm lm mca mce mds-no mmx movbe "
        "msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt pse "
        "pse36 rdctl-no rdrand rdseed rdtscp sep skip-l1dfl-vmentry smap smep "
        "spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline "
        "x2apic xgetbv1 xsave xsavec xsaveopt",
        '[ARCH_CAPABILITIES, no TSX]'),
    'Cascadelake-Server-v4': ('GenuineIntel', (6, 85, 6), 0xd, 0x80000008,
        'Intel Xeon Processor (Cascadelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512bw avx512cd avx512dq avx512f avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fxsr hypervisor ibrs-all invpcid lahf-lm lm mca mce mds-no mmx movbe "
        "msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt pse "
        "pse36 rdctl-no rdrand rdseed rdtscp sep skip-l1dfl-vmentry smap smep "
        "spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline "
        "x2apic xgetbv1 xsave xsavec xsaveopt",
        '[ARCH_CAPABILITIES, EPT switching, no TSX]'),
    'Cascadelake-Server-v5': ('GenuineIntel', (6, 85, 6), 0xd, 0x80000008,
        'Intel Xeon Processor (Cascadelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512bw avx512cd avx512dq avx512f avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fxsr hypervisor ibrs-all invpcid lahf-lm lm mca mce mds-no mmx movbe "
        "msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt pse "
        "pse36 rdctl-no rdrand rdseed rdtscp sep skip-l1dfl-vmentry smap smep "
        "spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline "
        "x2apic xgetbv1 xsave xsavec xsaveopt xsaves",
        '[ARCH_CAPABILITIES, EPT switching, XSAVES, no TSX]'),
    'Conroe-v1': ('GenuineIntel', (6, 15, 3), 0xa, 0x80000008,
        'Intel Celeron_4x0 (Conroe/Merom Class Core 2)',
        "apic clflush cmov cx8 de fpu fxsr hypervisor lahf-lm lm mca mce mmx "
        "msr mtrr nx pae pat pge pni pse pse36 sep sse sse2 ssse3 syscall tsc"),
    'Cooperlake-v1': ('GenuineIntel', (6, 85, 10), 0xd, 0x80000008,
        'Intel Xeon Processor (Cooperlake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512-bf16 avx512bw avx512cd avx512dq avx512f avx512vl avx512vnni "
        "bmi1 bmi2 clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu "
        "fsgsbase fxsr hle hypervisor ibrs-all invpcid lahf-lm lm mca mce "
        "mds-no mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku "
        "pni popcnt pschange-mc-no pse pse36 rdctl-no rdrand rdseed rdtscp rtm "
        "sep skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 "
        "ssse3 stibp syscall taa-no tsc tsc-deadline x2apic xgetbv1 xsave "
        "xsavec xsaveopt"),
    'Cooperlake-v2': ('GenuineIntel', (6, 85, 10), 0xd, 0x80000008,
        'Intel Xeon Processor (Cooperlake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512-bf16 avx512bw avx512cd avx512dq avx512f avx512vl avx512vnni "
        "bmi1 bmi2 clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu "
        "fsgsbase fxsr hle hypervisor ibrs-all invpcid lahf-lm lm mca mce "
        "mds-no mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku "
        "pni popcnt pschange-mc-no pse pse36 rdctl-no rdrand rdseed rdtscp rtm "
        "sep skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 "
        "ssse3 stibp syscall taa-no tsc tsc-deadline x2apic xgetbv1 xsave "
        "xsavec xsaveopt xsaves",
        '[XSAVES]'),
    'Denverton-v1': ('GenuineIntel', (6, 95, 1), 0x15, 0x80000008,
        'Intel Atom Processor (Denverton)',
        "3dnowprefetch aes apic arat arch-capabilities clflush clflushopt cmov "
        "cx16 cx8 de erms fpu fsgsbase fxsr hypervisor lahf-lm lm mca mce mmx "
        "monitor movbe mpx msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt "
        "pse pse36 rdctl-no rdrand rdseed rdtscp sep sha-ni skip-l1dfl-vmentry "
        "smap smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Denverton-v2': ('GenuineIntel', (6, 95, 1), 0x15, 0x80000008,
        'Intel Atom Processor (Denverton)',
        "3dnowprefetch aes apic arat arch-capabilities clflush clflushopt cmov "
        "cx16 cx8 de erms fpu fsgsbase fxsr hypervisor lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 "
        "rdctl-no rdrand rdseed rdtscp sep sha-ni skip-l1dfl-vmentry smap smep "
        "spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline "
        "x2apic xgetbv1 xsave xsavec xsaveopt",
        '[no MPX, no MONITOR]'),
    'Denverton-v3': ('GenuineIntel', (6, 95, 1), 0x15, 0x80000008,
        'Intel Atom Processor (Denverton)',
        "3dnowprefetch aes apic arat arch-capabilities clflush clflushopt cmov "
        "cx16 cx8 de erms fpu fsgsbase fxsr hypervisor lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 "
        "rdctl-no rdrand rdseed rdtscp sep sha-ni skip-l1dfl-vmentry smap smep "
        "spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline "
        "x2apic xgetbv1 xsave xsavec xsaveopt xsaves",
        '[XSAVES, no MPX, no MONITOR]'),
    'Dhyana-v1': ('HygonGenuine', (24, 0, 1), 0xd, 0x8000001e,
        'Hygon Dhyana Processor',
        "3dnowprefetch abm adx apic arat avx avx2 bmi1 bmi2 clflush clflushopt "
        "cmov cr8legacy cx16 cx8 de f16c fma fpu fsgsbase fxsr fxsr-opt "
        "hypervisor ibpb lahf-lm lm mca mce misalignsse mmx mmxext monitor "
        "movbe msr mtrr npt nrip-save nx osvw pae pat pdpe1gb pge pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep sse sse2 sse4.1 sse4.2 "
        "sse4a ssse3 svm syscall topoext tsc xgetbv1 xsave xsavec xsaveopt",
        '', 'EPYC-v1'),
    'Dhyana-v2': ('HygonGenuine', (24, 0, 1), 0xd, 0x8000001e,
        'Hygon Dhyana Processor',
        "3dnowprefetch abm adx apic arat avx avx2 bmi1 bmi2 clflush clflushopt "
        "cmov cr8legacy cx16 cx8 de f16c fma fpu fsgsbase fxsr fxsr-opt "
        "hypervisor ibpb lahf-lm lm mca mce misalignsse mmx mmxext monitor "
        "movbe msr mtrr npt nrip-save nx osvw pae pat pdpe1gb pge pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep sse sse2 sse4.1 sse4.2 "
        "sse4a ssse3 svm syscall topoext tsc xgetbv1 xsave xsavec xsaveopt "
        "xsaves",
        '[XSAVES]', 'EPYC-v1'),
    'EPYC-Milan-v1': ('AuthenticAMD', (25, 1, 1), 0xd, 0x8000001e,
        'AMD EPYC-Milan Processor',
        "3dnowprefetch abm adx aes amd-ssbd amd-stibp apic arat avx avx2 bmi1 "
        "bmi2 clflush clflushopt clwb clzero cmov cr8legacy cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fsrm fxsr fxsr-opt hypervisor ibpb ibrs invpcid "
        "lahf-lm lm mca mce misalignsse mmx mmxext monitor movbe msr mtrr npt "
        "nrip-save nx osvw pae pat pcid pclmulqdq pdpe1gb perfctr-core pge pku "
        "pni popcnt pse pse36 rdpid rdrand rdseed rdtscp sep sha-ni smap smep "
        "sse sse2 sse4.1 sse4.2 sse4a ssse3 svm svme-addr-chk syscall topoext "
        "tsc umip wbnoinvd xgetbv1 xsave xsavec xsaveerptr xsaveopt xsaves",
        '', 'EPYC-Milan-v1'),
    'EPYC-Rome-v1': ('AuthenticAMD', (23, 49, 0), 0xd, 0x8000001e,
        'AMD EPYC-Rome Processor',
        "3dnowprefetch abm adx aes amd-stibp apic arat avx avx2 bmi1 bmi2 "
        "clflush clflushopt clwb clzero cmov cr8legacy cx16 cx8 de f16c fma fpu "
        "fsgsbase fxsr fxsr-opt hypervisor ibpb lahf-lm lm mca mce misalignsse "
        "mmx mmxext monitor movbe msr mtrr npt nrip-save nx osvw pae pat "
        "pclmulqdq pdpe1gb perfctr-core pge pni popcnt pse pse36 rdpid rdrand "
        "rdseed rdtscp sep sha-ni smap smep sse sse2 sse4.1 sse4.2 sse4a ssse3 "
        "svm syscall topoext tsc umip wbnoinvd xgetbv1 xsave xsavec xsaveerptr "
        "xsaveopt xsaves",
        '', 'EPYC-Rome-v1'),
    'EPYC-Rome-v2': ('AuthenticAMD', (23, 49, 0), 0xd, 0x8000001e,
        'AMD EPYC-Rome Processor',
        "3dnowprefetch abm adx aes amd-ssbd amd-stibp apic arat avx avx2 bmi1 "
        "bmi2 clflush clflushopt clwb clzero cmov cr8legacy cx16 cx8 de f16c "
        "fma fpu fsgsbase fxsr fxsr-opt hypervisor ibpb ibrs lahf-lm lm mca mce "
        "misalignsse mmx mmxext monitor movbe msr mtrr npt nrip-save nx osvw "
        "pae pat pclmulqdq pdpe1gb perfctr-core pge pni popcnt pse pse36 rdpid "
        "rdrand rdseed rdtscp sep sha-ni smap smep sse sse2 sse4.1 sse4.2 sse4a "
        "ssse3 svm syscall topoext tsc umip wbnoinvd xgetbv1 xsave xsavec "
        "xsaveerptr xsaveopt xsaves",
        '', 'EPYC-Rome-v1'),
    'EPYC-v1': ('AuthenticAMD', (23, 1, 2), 0xd, 0x8000001e,
        'AMD EPYC Processor',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush "
        "clflushopt cmov cr8legacy cx16 cx8 de f16c fma fpu fsgsbase fxsr "
        "fxsr-opt hypervisor lahf-lm lm mca mce misalignsse mmx mmxext monitor "
        "movbe msr mtrr npt nrip-save nx osvw pae pat pclmulqdq pdpe1gb pge pni "
        "popcnt pse pse36 rdrand rdseed rdtscp sep sha-ni smap smep sse sse2 "
        "sse4.1 sse4.2 sse4a ssse3 svm syscall topoext tsc xgetbv1 xsave xsavec "
        "xsaveopt",
        '', 'EPYC-v1'),
    'EPYC-v2': ('AuthenticAMD', (23, 1, 2), 0xd, 0x8000001e,
        'AMD EPYC Processor (with IBPB)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush "
        "clflushopt cmov cr8legacy cx16 cx8 de f16c fma fpu fsgsbase fxsr "
        "fxsr-opt hypervisor ibpb lahf-lm lm mca mce misalignsse mmx mmxext "
        "monitor movbe msr mtrr npt nrip-save nx osvw pae pat pclmulqdq pdpe1gb "
        "pge pni popcnt pse pse36 rdrand rdseed rdtscp sep sha-ni smap smep sse "
        "sse2 sse4.1 sse4.2 sse4a ssse3 svm syscall topoext tsc xgetbv1 xsave "
        "xsavec xsaveopt",
        '', 'EPYC-v1'),
    'EPYC-v3': ('AuthenticAMD', (23, 1, 2), 0xd, 0x8000001e,
        'AMD EPYC Processor',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush "
        "clflushopt clzero cmov cr8legacy cx16 cx8 de f16c fma fpu fsgsbase "
        "fxsr fxsr-opt hypervisor ibpb lahf-lm lm mca mce misalignsse mmx "
        "mmxext monitor movbe msr mtrr npt nrip-save nx osvw pae pat pclmulqdq "
        "pdpe1gb perfctr-core pge pni popcnt pse pse36 rdrand rdseed rdtscp sep "
        "sha-ni smap smep sse sse2 sse4.1 sse4.2 sse4a ssse3 svm syscall "
        "topoext tsc xgetbv1 xsave xsavec xsaveerptr xsaveopt xsaves",
        '', 'EPYC-v1'),
    'Haswell-v1': ('GenuineIntel', (6, 60, 4), 0xd, 0x80000008,
        'Intel Core Processor (Haswell)',
        "abm aes apic arat avx avx2 bmi1 bmi2 clflush cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hle hypervisor invpcid lahf-lm lm mca mce "
        "mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt pse pse36 "
        "rdrand rdtscp rtm sep smep sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline x2apic xsave xsaveopt"),
    'Haswell-v2': ('GenuineIntel', (6, 60, 1), 0xd, 0x80000008,
        'Intel Core Processor (Haswell, no TSX)',
        "abm aes apic arat avx avx2 bmi1 bmi2 clflush cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt pse pse36 "
        "rdrand rdtscp sep smep sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline x2apic xsave xsaveopt"),
    'Haswell-v3': ('GenuineIntel', (6, 60, 4), 0xd, 0x80000008,
        'Intel Core Processor (Haswell, IBRS)',
        "abm aes apic arat avx avx2 bmi1 bmi2 clflush cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hle hypervisor invpcid lahf-lm lm mca mce "
        "mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt pse pse36 "
        "rdrand rdtscp rtm sep smep spec-ctrl sse sse2 sse4.1 sse4.2 ssse3 "
        "syscall tsc tsc-deadline x2apic xsave xsaveopt"),
    'Haswell-v4': ('GenuineIntel', (6, 60, 1), 0xd, 0x80000008,
        'Intel Core Processor (Haswell, no TSX, IBRS)',
        "abm aes apic arat avx avx2 bmi1 bmi2 clflush cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt pse pse36 "
        "rdrand rdtscp sep smep spec-ctrl sse sse2 sse4.1 sse4.2 ssse3 syscall "
        "tsc tsc-deadline x2apic xsave xsaveopt"),
    'Icelake-Server-v1': ('GenuineIntel', (6, 134, 0), 0xd, 0x80000008,
        'Intel Xeon Processor (Icelake)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512-vpopcntdq "
        "avx512bitalg avx512bw avx512cd avx512dq avx512f avx512vbmi avx512vbmi2 "
        "avx512vl avx512vnni bmi1 bmi2 clflush clflushopt clwb cmov cx16 cx8 de "
        "erms f16c fma fpu fsgsbase fxsr gfni hle hypervisor invpcid la57 "
        "lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq "
        "pdpe1gb pge pku pni popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap "
        "smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline umip vaes vpclmulqdq wbnoinvd x2apic xgetbv1 xsave xsavec "
        "xsaveopt"),
    'Icelake-Server-v2': ('GenuineIntel', (6, 134, 0), 0xd, 0x80000008,
        'Intel Xeon Processor (Icelake)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512-vpopcntdq "
        "avx512bitalg avx512bw avx512cd avx512dq avx512f avx512vbmi avx512vbmi2 "
        "avx512vl avx512vnni bmi1 bmi2 clflush clflushopt clwb cmov cx16 cx8 de "
        "erms f16c fma fpu fsgsbase fxsr gfni hypervisor invpcid la57 lahf-lm "
        "lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge "
        "pku pni popcnt pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl "
        "ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline umip vaes "
        "vpclmulqdq wbnoinvd x2apic xgetbv1 xsave xsavec xsaveopt",
        '[no TSX]'),
    'Icelake-Server-v3': ('GenuineIntel', (6, 134, 0), 0xd, 0x80000008,
        'Intel Xeon Processor (Icelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512-vpopcntdq avx512bitalg avx512bw avx512cd avx512dq avx512f "
        "avx512vbmi avx512vbmi2 avx512vl avx512vnni bmi1 bmi2 clflush "
        "clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase fxsr gfni "
        "hypervisor ibrs-all invpcid la57 lahf-lm lm mca mce mds-no mmx movbe "
        "msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt "
        "pschange-mc-no pse pse36 rdctl-no rdrand rdseed rdtscp sep "
        "skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 sse4.1 sse4.2 "
        "ssse3 syscall taa-no tsc tsc-deadline umip vaes vpclmulqdq wbnoinvd "
        "x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Icelake-Server-v4': ('GenuineIntel', (6, 106, 0), 0xd, 0x80000008,
        'Intel Xeon Processor (Icelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512-vpopcntdq avx512bitalg avx512bw avx512cd avx512dq avx512f "
        "avx512ifma avx512vbmi avx512vbmi2 avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fsrm fxsr gfni hypervisor ibrs-all invpcid la57 lahf-lm lm mca mce "
        "mds-no mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku "
        "pni popcnt pschange-mc-no pse pse36 rdctl-no rdpid rdrand rdseed "
        "rdtscp sep sha-ni skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall taa-no tsc tsc-deadline umip vaes "
        "vpclmulqdq wbnoinvd x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Icelake-Server-v5': ('GenuineIntel', (6, 106, 0), 0xd, 0x80000008,
        'Intel Xeon Processor (Icelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512-vpopcntdq avx512bitalg avx512bw avx512cd avx512dq avx512f "
        "avx512ifma avx512vbmi avx512vbmi2 avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fsrm fxsr gfni hypervisor ibrs-all invpcid la57 lahf-lm lm mca mce "
        "mds-no mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku "
        "pni popcnt pschange-mc-no pse pse36 rdctl-no rdpid rdrand rdseed "
        "rdtscp sep sha-ni skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall taa-no tsc tsc-deadline umip vaes "
        "vpclmulqdq wbnoinvd x2apic xgetbv1 xsave xsavec xsaveopt xsaves",
        '[XSAVES]'),
    'Icelake-Server-v6': ('GenuineIntel', (6, 106, 0), 0xd, 0x80000008,
        'Intel Xeon Processor (Icelake)',
        "3dnowprefetch abm adx aes apic arat arch-capabilities avx avx2 "
        "avx512-vpopcntdq avx512bitalg avx512bw avx512cd avx512dq avx512f "
        "avx512ifma avx512vbmi avx512vbmi2 avx512vl avx512vnni bmi1 bmi2 "
        "clflush clflushopt clwb cmov cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fsrm fxsr gfni hypervisor ibrs-all invpcid la57 lahf-lm lm mca mce "
        "mds-no mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku "
        "pni popcnt pschange-mc-no pse pse36 rdctl-no rdpid rdrand rdseed "
        "rdtscp sep sha-ni skip-l1dfl-vmentry smap smep spec-ctrl ssbd sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall taa-no tsc tsc-deadline umip vaes "
        "vpclmulqdq wbnoinvd x2apic xgetbv1 xsave xsavec xsaveopt xsaves",
        '[5-level EPT]'),
    'IvyBridge-v1': ('GenuineIntel', (6, 58, 9), 0xd, 0x80000008,
        'Intel Xeon E3-12xx v2 (Ivy Bridge)',
        "aes apic arat avx clflush cmov cx16 cx8 de erms f16c fpu fsgsbase fxsr "
        "hypervisor lahf-lm lm mca mce mmx msr mtrr nx pae pat pclmulqdq pge "
        "pni popcnt pse pse36 rdrand rdtscp sep smep sse sse2 sse4.1 sse4.2 "
        "ssse3 syscall tsc tsc-deadline x2apic xsave xsaveopt"),
    'IvyBridge-v2': ('GenuineIntel', (6, 58, 9), 0xd, 0x80000008,
        'Intel Xeon E3-12xx v2 (Ivy Bridge, IBRS)',
        "aes apic arat avx clflush cmov cx16 cx8 de erms f16c fpu fsgsbase fxsr "
        "hypervisor lahf-lm lm mca mce mmx msr mtrr nx pae pat pclmulqdq pge "
        "pni popcnt pse pse36 rdrand rdtscp sep smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xsave xsaveopt"),
    'KnightsMill-v1': ('GenuineIntel', (6, 133, 0), 0xd, 0x80000008,
        'Intel Xeon Phi Processor (Knights Mill)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512-4fmaps "
        "avx512-4vnniw avx512-vpopcntdq avx512cd avx512er avx512f avx512pf bmi1 "
        "bmi2 clflush cmov cx16 cx8 de erms f16c fma fpu fsgsbase fxsr "
        "hypervisor lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pclmulqdq "
        "pdpe1gb pge pni popcnt pse pse36 rdrand rdseed rdtscp sep smep ss sse "
        "sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xsave "
        "xsaveopt"),
    'Nehalem-v1': ('GenuineIntel', (6, 26, 3), 0xb, 0x80000008,
        'Intel Core i7 9xx (Nehalem Class Core i7)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pge pni popcnt pse pse36 sep sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc"),
    'Nehalem-v2': ('GenuineIntel', (6, 26, 3), 0xb, 0x80000008,
        'Intel Core i7 9xx (Nehalem Core i7, IBRS update)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pge pni popcnt pse pse36 sep spec-ctrl sse "
        "sse2 sse4.1 sse4.2 ssse3 syscall tsc"),
    'Opteron_G1-v1': ('AuthenticAMD', (15, 6, 1), 0x5, 0x80000008,
        'AMD Opteron 240 (Gen 1 Class Opteron)',
        "apic clflush cmov cx8 de fpu fxsr hypervisor lm mca mce mmx msr mtrr "
        "nx pae pat pge pni pse pse36 sep sse sse2 syscall tsc"),
    'Opteron_G2-v1': ('AuthenticAMD', (15, 6, 1), 0x5, 0x8000000a,
        'AMD Opteron 22xx (Gen 2 Class Opteron)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pge pni pse pse36 sep sse sse2 svm syscall tsc"),
    'Opteron_G3-v1': ('AuthenticAMD', (16, 2, 3), 0x5, 0x8000000a,
        'AMD Opteron 23xx (Gen 3 Class Opteron)',
        "abm apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca "
        "mce misalignsse mmx monitor msr mtrr nx pae pat pge pni popcnt pse "
        "pse36 rdtscp sep sse sse2 sse4a svm syscall tsc"),
    'Opteron_G4-v1': ('AuthenticAMD', (21, 1, 2), 0xd, 0x8000001a,
        'AMD Opteron 62xx class CPU',
        "3dnowprefetch abm aes apic avx clflush cmov cx16 cx8 de fma4 fpu fxsr "
        "hypervisor lahf-lm lm mca mce misalignsse mmx msr mtrr npt nrip-save "
        "nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdtscp sep sse "
        "sse2 sse4.1 sse4.2 sse4a ssse3 svm syscall tsc xop xsave"),
    'Opteron_G5-v1': ('AuthenticAMD', (21, 2, 0), 0xd, 0x8000001a,
        'AMD Opteron 63xx class CPU',
        "3dnowprefetch abm aes apic avx clflush cmov cx16 cx8 de f16c fma fma4 "
        "fpu fxsr hypervisor lahf-lm lm mca mce misalignsse mmx msr mtrr npt "
        "nrip-save nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdtscp "
        "sep sse sse2 sse4.1 sse4.2 sse4a ssse3 svm syscall tbm tsc xop xsave"),
    'Penryn-v1': ('GenuineIntel', (6, 23, 3), 0xa, 0x80000008,
        'Intel Core 2 Duo P9xxx (Penryn Class Core 2)',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pge pni pse pse36 sep sse sse2 sse4.1 ssse3 "
        "syscall tsc"),
    'SandyBridge-v1': ('GenuineIntel', (6, 42, 1), 0xd, 0x80000008,
        'Intel Xeon E312xx (Sandy Bridge)',
        "aes apic arat avx clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm "
        "lm mca mce mmx msr mtrr nx pae pat pclmulqdq pge pni popcnt pse pse36 "
        "rdtscp sep sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline "
        "x2apic xsave xsaveopt"),
    'SandyBridge-v2': ('GenuineIntel', (6, 42, 1), 0xd, 0x80000008,
        'Intel Xeon E312xx (Sandy Bridge, IBRS update)',
        "aes apic arat avx clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm "
        "lm mca mce mmx msr mtrr nx pae pat pclmulqdq pge pni popcnt pse pse36 "
        "rdtscp sep spec-ctrl sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline x2apic xsave xsaveopt"),
    'Skylake-Client-v1': ('GenuineIntel', (6, 94, 3), 0xd, 0x80000008,
        'Intel Core Processor (Skylake)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hle hypervisor invpcid "
        "lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge "
        "pni popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap smep sse sse2 "
        "sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave "
        "xsavec xsaveopt"),
    'Skylake-Client-v2': ('GenuineIntel', (6, 94, 3), 0xd, 0x80000008,
        'Intel Core Processor (Skylake, IBRS)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hle hypervisor invpcid "
        "lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge "
        "pni popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap smep spec-ctrl "
        "sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 "
        "xsave xsavec xsaveopt"),
    'Skylake-Client-v3': ('GenuineIntel', (6, 94, 3), 0xd, 0x80000008,
        'Intel Core Processor (Skylake, IBRS, no TSX)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm "
        "lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt"),
    'Skylake-Client-v4': ('GenuineIntel', (6, 94, 3), 0xd, 0x80000008,
        'Intel Core Processor (Skylake, IBRS, no TSX)',
        "3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov "
        "cx16 cx8 de erms f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm "
        "lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt xsaves",
        '[IBRS, XSAVES, no TSX]'),
    'Skylake-Server-v1': ('GenuineIntel', (6, 85, 4), 0xd, 0x80000008,
        'Intel Xeon Processor (Skylake)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512bw avx512cd "
        "avx512dq avx512f avx512vl bmi1 bmi2 clflush clflushopt clwb cmov cx16 "
        "cx8 de erms f16c fma fpu fsgsbase fxsr hle hypervisor invpcid lahf-lm "
        "lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge "
        "pku pni popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap smep sse "
        "sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave "
        "xsavec xsaveopt"),
    'Skylake-Server-v2': ('GenuineIntel', (6, 85, 4), 0xd, 0x80000008,
        'Intel Xeon Processor (Skylake, IBRS)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512bw avx512cd "
        "avx512dq avx512f avx512vl bmi1 bmi2 clflush clwb cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hle hypervisor invpcid lahf-lm lm mca mce "
        "mmx movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni "
        "popcnt pse pse36 rdrand rdseed rdtscp rtm sep smap smep spec-ctrl sse "
        "sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave "
        "xsavec xsaveopt"),
    'Skylake-Server-v3': ('GenuineIntel', (6, 85, 4), 0xd, 0x80000008,
        'Intel Xeon Processor (Skylake, IBRS, no TSX)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512bw avx512cd "
        "avx512dq avx512f avx512vl bmi1 bmi2 clflush clwb cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt"),
    'Skylake-Server-v4': ('GenuineIntel', (6, 85, 4), 0xd, 0x80000008,
        'Intel Xeon Processor (Skylake, IBRS, no TSX)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512bw avx512cd "
        "avx512dq avx512f avx512vl bmi1 bmi2 clflush clwb cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt",
        '[IBRS, EPT switching, no TSX]'),
    'Skylake-Server-v5': ('GenuineIntel', (6, 85, 4), 0xd, 0x80000008,
        'Intel Xeon Processor (Skylake, IBRS, no TSX)',
        "3dnowprefetch abm adx aes apic arat avx avx2 avx512bw avx512cd "
        "avx512dq avx512f avx512vl bmi1 bmi2 clflush clwb cmov cx16 cx8 de erms "
        "f16c fma fpu fsgsbase fxsr hypervisor invpcid lahf-lm lm mca mce mmx "
        "movbe msr mtrr nx pae pat pcid pclmulqdq pdpe1gb pge pku pni popcnt "
        "pse pse36 rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline x2apic xgetbv1 xsave xsavec "
        "xsaveopt xsaves",
        '[IBRS, XSAVES, EPT switching, no TSX]'),
    'Snowridge-v1': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (SnowRidge)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush "
        "clflushopt clwb cmov core-capability cx16 cx8 de erms fpu fsgsbase "
        "fxsr gfni hypervisor lahf-lm lm mca mce mmx monitor movbe movdir64b "
        "movdiri mpx msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse "
        "pse36 rdrand rdseed rdtscp sep sha-ni smap smep spec-ctrl "
        "split-lock-detect ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc "
        "tsc-deadline umip x2apic xgetbv1 xsave xsavec xsaveopt"),
    'Snowridge-v2': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (Snowridge, no MPX)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush "
        "clflushopt clwb cmov core-capability cx16 cx8 de erms fpu fsgsbase "
        "fxsr gfni hypervisor lahf-lm lm mca mce mmx monitor movbe movdir64b "
        "movdiri msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 "
        "rdrand rdseed rdtscp sep sha-ni smap smep spec-ctrl split-lock-detect "
        "ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline umip x2apic "
        "xgetbv1 xsave xsavec xsaveopt"),
    'Snowridge-v3': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (Snowridge, no MPX)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush "
        "clflushopt clwb cmov core-capability cx16 cx8 de erms fpu fsgsbase "
        "fxsr gfni hypervisor lahf-lm lm mca mce mmx monitor movbe movdir64b "
        "movdiri msr mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 "
        "rdrand rdseed rdtscp sep sha-ni smap smep spec-ctrl split-lock-detect "
        "ssbd sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline umip x2apic "
        "xgetbv1 xsave xsavec xsaveopt xsaves",
        '[XSAVES, no MPX]'),
    'Snowridge-v4': ('GenuineIntel', (6, 134, 1), 0x1b, 0x80000008,
        'Intel Atom Processor (Snowridge, no MPX)',
        "3dnowprefetch aes apic arat arch-capabilities cldemote clflush "
        "clflushopt clwb cmov cx16 cx8 de erms fpu fsgsbase fxsr gfni "
        "hypervisor lahf-lm lm mca mce mmx monitor movbe movdir64b movdiri msr "
        "mtrr nx pae pat pclmulqdq pdpe1gb pge pni popcnt pse pse36 rdrand "
        "rdseed rdtscp sep sha-ni smap smep spec-ctrl ssbd sse sse2 sse4.1 "
        "sse4.2 ssse3 syscall tsc tsc-deadline umip x2apic xgetbv1 xsave xsavec "
        "xsaveopt xsaves",
        '[no split lock detect, no core-capability]'),
    'Westmere-v1': ('GenuineIntel', (6, 44, 1), 0xb, 0x80000008,
        'Westmere E56xx/L56xx/X56xx (Nehalem-C)',
        "aes apic arat clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm "
        "mca mce mmx msr mtrr nx pae pat pclmulqdq pge pni popcnt pse pse36 sep "
        "sse sse2 sse4.1 sse4.2 ssse3 syscall tsc"),
    'Westmere-v2': ('GenuineIntel', (6, 44, 1), 0xb, 0x80000008,
        'Westmere E56xx/L56xx/X56xx (IBRS update)',
        "aes apic arat clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm "
        "mca mce mmx msr mtrr nx pae pat pclmulqdq pge pni popcnt pse pse36 sep "
        "spec-ctrl sse sse2 sse4.1 sse4.2 ssse3 syscall tsc"),
    'core2duo-v1': ('GenuineIntel', (6, 15, 11), 0xa, 0x80000008,
        'Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz',
        "acpi apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca "
        "mce mmx monitor msr mtrr nx pae pat pge pni pse pse36 sep ss sse sse2 "
        "ssse3 syscall tsc"),
    'kvm64-v1': ('GenuineIntel', (15, 6, 1), 0xd, 0x80000008,
        'Common KVM processor',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lm mca mce mmx msr "
        "mtrr nx pae pat pge pni pse pse36 sep sse sse2 syscall tsc"),
    'max': ('AuthenticAMD', (15, 107, 1), 0xd, 0x8000000a,
        'QEMU TCG CPU version 2.5+',
        "3dnow 3dnowext abm acpi adx aes apic arat avx avx2 bmi1 bmi2 clflush "
        "clflushopt clwb cmov cr8legacy cx16 cx8 de erms f16c fma fpu fsgsbase "
        "fxsr hypervisor la57 lahf-lm lm mca mce mmx mmxext monitor movbe mpx "
        "msr mtrr npt nx pae pat pclmulqdq pcommit pdpe1gb pge pks pku pni "
        "popcnt pse pse36 rdrand rdtscp sep smap smep ss sse sse2 sse4.1 sse4.2 "
        "sse4a ssse3 svm svme-addr-chk syscall tsc umip vaes vgif xgetbv1 xsave "
        "xsaveopt"),
    'phenom-v1': ('AuthenticAMD', (16, 2, 3), 0x5, 0x8000001a,
        'AMD Phenom(tm) 9550 Quad-Core Processor',
        "3dnow 3dnowext abm apic clflush cmov cx16 cx8 de fpu fxsr fxsr-opt "
        "hypervisor lahf-lm lm mca mce mmx mmxext monitor msr mtrr npt nx pae "
        "pat pdpe1gb pge pni popcnt pse pse36 rdtscp sep sse sse2 sse4a svm "
        "syscall tsc"),
    'qemu64-v1': ('AuthenticAMD', (15, 107, 1), 0xd, 0x8000000a,
        'QEMU Virtual CPU version 2.5+',
        "apic clflush cmov cx16 cx8 de fpu fxsr hypervisor lahf-lm lm mca mce "
        "mmx msr mtrr nx pae pat pge pni pse pse36 sep sse sse2 svm syscall tsc"),
}

#: the sets of cache leaves: leaf 2, leaf 4's subleaves, 0x80000005, 0x80000006,
#: 0x8000001d's subleaves (observed with vendor=GenuineIntel,level=0xd,xlevel=0x8000001e,check=off)
CACHES: dict[str, dict[str, tuple]] = {
    'legacy': {
        '2': (0x00000001, 0x00000000, 0x0000004d, 0x002c307d),
        '4': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000143, 0x03c0003f, 0x00000fff, 0x00000001),
            (0x00000163, 0x03c0003f, 0x00003fff, 0x00000006),
        ),
        '80000005': (0x01ff01ff, 0x01ff01ff, 0x40020140, 0x40020140),
        '80000006': (0x00000000, 0x42004200, 0x02008140, 0x00808140),
        '8000001d': (
            (0x00000121, 0x0040003f, 0x000001ff, 0x00000001),
            (0x00000122, 0x0040003f, 0x000001ff, 0x00000001),
            (0x00000043, 0x03c0003f, 0x000001ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00003fff, 0x00000006),
        ),
    },
    'EPYC-Milan-v1': {
        '2': (0x00000001, 0x00000000, 0x000000ff, 0x002c3080),
        '4': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000043, 0x01c0003f, 0x000003ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00007fff, 0x00000006),
        ),
        '80000005': (0x01ff01ff, 0x01ff01ff, 0x20080140, 0x20080140),
        '80000006': (0x00000000, 0x42004200, 0x02006140, 0x01008140),
        '8000001d': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000043, 0x01c0003f, 0x000003ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00007fff, 0x00000006),
        ),
    },
    'EPYC-Rome-v1': {
        '2': (0x00000001, 0x00000000, 0x0000004d, 0x002c3080),
        '4': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000043, 0x01c0003f, 0x000003ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00003fff, 0x00000006),
        ),
        '80000005': (0x01ff01ff, 0x01ff01ff, 0x20080140, 0x20080140),
        '80000006': (0x00000000, 0x42004200, 0x02006140, 0x00808140),
        '8000001d': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000043, 0x01c0003f, 0x000003ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00003fff, 0x00000006),
        ),
    },
    'EPYC-v1': {
        '2': (0x00000001, 0x00000000, 0x0000004b, 0x002cff80),
        '4': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x00c0003f, 0x000000ff, 0x00000001),
            (0x00000043, 0x01c0003f, 0x000003ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00001fff, 0x00000006),
        ),
        '80000005': (0x01ff01ff, 0x01ff01ff, 0x20080140, 0x40040140),
        '80000006': (0x00000000, 0x42004200, 0x02006140, 0x00408140),
        '8000001d': (
            (0x00000121, 0x01c0003f, 0x0000003f, 0x00000001),
            (0x00000122, 0x00c0003f, 0x000000ff, 0x00000001),
            (0x00000043, 0x01c0003f, 0x000003ff, 0x00000000),
            (0x00000163, 0x03c0003f, 0x00001fff, 0x00000006),
        ),
    },
}

#: unversioned names -> the version they stand for in user mode (v1), and qemu's
#: named aliases of later versions
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

#: what `-cpu help` says of a model whose line is not its model id
HELP: dict[str, str] = {
    'max': 'Enables all features supported by the accelerator in the current host',
}
