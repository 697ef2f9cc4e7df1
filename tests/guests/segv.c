// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segv.c - dies of an uncaught SIGSEGV by storing to address 0.
 *
 * The message goes out with write(2) first, because stdio buffers would be lost
 * when the process dies.
 *
 * Expected status: signal SIGSEGV
 * Expected stdout: "storing to NULL\n"
 */
#include <unistd.h>

int main(void)
{
    static const char note[] = "storing to NULL\n";
    volatile int *null_pointer = (volatile int *)0;

    if (write(STDOUT_FILENO, note, sizeof(note) - 1) != sizeof(note) - 1) {
        return 1;
    }
    *null_pointer = 42;
    return 0; /* not reached */
}
