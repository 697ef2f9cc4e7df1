// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hello.c - the smallest useful guest: one write(2) to stdout, then exit 0.
 *
 * Expected status: 0
 * Expected stdout: "hello, world\n"
 */
#include <unistd.h>

int main(void)
{
    static const char greeting[] = "hello, world\n";

    if (write(STDOUT_FILENO, greeting, sizeof(greeting) - 1) != sizeof(greeting) - 1) {
        return 1;
    }
    return 0;
}
