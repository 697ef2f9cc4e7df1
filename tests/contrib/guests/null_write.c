// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * null_write.c - dies of SIGSEGV by storing to address 0, after a little work.
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
