// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * noncanonical_call.c - calls a non-canonical address whose low 48 bits are code.
 *
 * Bits 63..47 of an x86-64 address must all be equal; fetching from any other
 * address faults (QEMU: SIGSEGV), even when its low 48 bits name mapped code
 * (0x401000 is the text of a non-PIE static program).  An engine that drops
 * the high bits would run that code instead.
 *
 * Expected status: signal SIGSEGV
 * Expected stdout: "calling 0x8000000000401000\n"
 */
#include <stdio.h>

int main(void)
{
    void (*target)(void) = (void (*)(void))0x8000000000401000UL;

    printf("calling %p\n", (void *)target);
    fflush(stdout);
    target();
    puts("the call returned");
    return 3;
}
