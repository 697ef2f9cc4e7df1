# SPDX-License-Identifier: GPL-2.0-or-later
"""C sources the differential plugin tests compile at test time.

Plays the part of the small hand-written guests and broken plugins of QEMU's
tests/tcg and tests/plugin: guests whose block layout is pinned by assembly
(page boundaries, a fault inside a block, accesses whose MemOp carries more
than a size), and plugins that each break one rule of the loader.
"""

from __future__ import annotations

# Two functions at page boundaries, called 100 times each:
# - cross_fn's third instruction (a 5-byte mov) starts 2 bytes before a page
#   ends, so it crosses into the next page;
# - edge_fn's first two instructions end exactly at a page end, and the rest
#   of the function lies on the next page.
# QEMU 7.2 ends a block before any later instruction not wholly on the page
# of the block's start, so both functions run as several blocks.
PAGE_CROSS_GUEST = r"""
#include <stdio.h>

extern int cross_fn(void);
extern int edge_fn(void);

__asm__(".text\n"
        ".p2align 12\n"
        ".skip 4096 - 6, 0xcc\n"
        "cross_fn:\n"
        "    xor %eax, %eax\n"
        "    inc %eax\n"
        "    mov $0x12345678, %ecx\n"
        "    add %ecx, %eax\n"
        "    ret\n"
        ".p2align 12\n"
        ".skip 4096 - 4, 0xcc\n"
        "edge_fn:\n"
        "    xor %eax, %eax\n"
        "    inc %eax\n"
        "    add $5, %eax\n"
        "    ret\n");

int main(void)
{
    long sum = 0;

    for (int i = 0; i < 100; i++) {
        sum += cross_fn() + edge_fn();
    }
    printf("sum=%ld\n", sum);
    return 0;
}
"""
PAGE_CROSS_STDOUT = "sum=30541990300\n"

# The third instruction of store_to_null's block stores to address 0; the
# SIGSEGV handler escapes with siglongjmp, 50 times.  The two instructions
# after the store never run.
FAULT_MID_BLOCK_GUEST = r"""
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define ROUNDS 50

extern int store_to_null(void);

__asm__(".text\n"
        "store_to_null:\n"
        "    xor %eax, %eax\n"
        "    inc %eax\n"
        "    movl %eax, 0\n"
        "    inc %eax\n"
        "    inc %eax\n"
        "    ret\n");

static sigjmp_buf recovery;
static volatile int faults;

static void on_segv(int signo)
{
    (void)signo;
    faults++;
    siglongjmp(recovery, 1);
}

int main(void)
{
    struct sigaction action;

    memset(&action, 0, sizeof(action));
    action.sa_handler = on_segv;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        if (sigsetjmp(recovery, 1) == 0) {
            store_to_null();
        }
    }
    printf("faults=%d\n", faults);
    return 0;
}
"""
FAULT_MID_BLOCK_STDOUT = "faults=50\n"

# Accesses whose MemOp says more than the size: sign-extending loads (movsx,
# movsxd, x87 loads of a 16-bit integer) and byte-swapped ones (movbe, load
# and store), each in a loop of 10.
MEMOP_FLAGS_GUEST = r"""
#include <stdint.h>
#include <stdio.h>

static volatile int8_t byte_value = -3;
static volatile int16_t word_value = -5;
static volatile int32_t dword_value = -7;
static volatile uint32_t swapped_value = 0x11223344;

int main(void)
{
    int64_t sum = 0;
    uint32_t swapped = 0;
    int32_t from_x87 = 0;

    for (int i = 0; i < 10; i++) {
        int64_t value;

        __asm__ volatile("movsbq %1, %0" : "=r"(value) : "m"(byte_value));
        sum += value;
        __asm__ volatile("movswq %1, %0" : "=r"(value) : "m"(word_value));
        sum += value;
        __asm__ volatile("movslq %1, %0" : "=r"(value) : "m"(dword_value));
        sum += value;
        __asm__ volatile("filds %1\n\tfistpl %0" : "=m"(from_x87) : "m"(word_value));
        sum += from_x87;
        __asm__ volatile("movbe %1, %0" : "=r"(swapped) : "m"(swapped_value));
        __asm__ volatile("movbe %1, %0" : "=m"(swapped_value) : "r"(swapped));
    }
    printf("sum=%lld swapped=%x\n", (long long)sum, (unsigned)swapped_value);
    return 0;
}
"""
MEMOP_FLAGS_STDOUT = "sum=-200 swapped=11223344\n"

# Accesses that QEMU's x86 translator leaves to C helpers (80-bit x87 loads and stores,
# fxsave/fxrstor, cmpxchg16b): the engine reports them from the helpers, not from the
# generated code, on behalf of the instruction that called the helper.
HELPER_MEM_GUEST = r"""
#include <stdint.h>
#include <stdio.h>

static long double extended = 1.5L;
static uint8_t fx_area[512] __attribute__((aligned(16)));
static unsigned __int128 pair __attribute__((aligned(16))) = 5;

int main(void)
{
    long double sum = 0;
    unsigned swaps = 0;

    for (int i = 0; i < 10; i++) {
        long double value;
        uint64_t lo = (uint64_t)pair, hi = (uint64_t)(pair >> 64);
        uint64_t new_lo = lo + 1, new_hi = hi;
        uint8_t swapped;

        __asm__ volatile("fldt %1\n\tfstpt %0" : "=m"(value) : "m"(extended));
        sum += value;
        __asm__ volatile("fxsave %0" : "=m"(fx_area));
        __asm__ volatile("fxrstor %0" : : "m"(fx_area));
        __asm__ volatile("lock cmpxchg16b %1\n\tsetz %0"
                         : "=q"(swapped), "+m"(pair), "+a"(lo), "+d"(hi)
                         : "b"(new_lo), "c"(new_hi) : "cc");
        swaps += swapped;
    }
    printf("sum=%d swaps=%u pair=%llu\n", (int)sum, swaps, (unsigned long long)pair);
    return 0;
}
"""
HELPER_MEM_STDOUT = "sum=15 swaps=10 pair=15\n"

# Plugins that each break one rule of QEMU's plugins/loader.c, by file name.
BAD_PLUGINS = {
    "noversion": r"""
#include <qemu-plugin.h>

/* no qemu_plugin_version */
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    return 0;
}
""",
    "oldversion": r"""
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = -1;

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    return 0;
}
""",
    "noinstall": r"""
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
""",
    "installfails": r"""
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    return 7;
}
""",
}
