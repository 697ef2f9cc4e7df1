// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * abort.c - dies of SIGABRT sent to itself with raise(3), whose default action
 * terminates the process (and would dump core).
 *
 * Expected status: signal SIGABRT
 * Expected stdout: "raising SIGABRT\n"
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
    static const char note[] = "raising SIGABRT\n";

    if (write(STDOUT_FILENO, note, sizeof(note) - 1) != sizeof(note) - 1) {
        return 1;
    }
    raise(SIGABRT);
    return 2; /* not reached */
}
