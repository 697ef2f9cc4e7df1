// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tablelookup.c - engine micro-benchmark: a loop whose every iteration
 * loads from a 1 KiB table at a data-dependent index (a CRC-32 step), the
 * inner loop of checksums, hashes and decoders.
 *
 * Build: musl-gcc -O2 -static tablelookup.c -o tablelookup
 * Usage: tablelookup <iterations>; prints "tablelookup <checksum>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t table[256];

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000UL;
    uint32_t crc = 0xffffffffu;

    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t value = byte;

        for (int bit = 0; bit < 8; bit++) {
            value = (value & 1) ? (value >> 1) ^ 0xedb88320u : value >> 1;
        }
        table[byte] = value;
    }
    for (unsigned long i = 0; i < iterations; i++) {
        crc = table[(crc ^ (uint32_t)i) & 0xff] ^ (crc >> 8);
    }
    printf("tablelookup %08x\n", (unsigned)~crc);
    return 0;
}
