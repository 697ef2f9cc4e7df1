// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exit_group7.c - leaves through a raw exit_group(7) syscall, skipping libc's
 * exit path (no atexit handlers, no stdio flush), so only the write() before it
 * may reach stdout.
 *
 * Expected status: 7
 * Expected stdout: "calling exit_group(7)\n"
 */
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    static const char note[] = "calling exit_group(7)\n";

    if (write(STDOUT_FILENO, note, sizeof(note) - 1) != sizeof(note) - 1) {
        return 1;
    }
    syscall(SYS_exit_group, 7);
    return 2; /* not reached */
}
