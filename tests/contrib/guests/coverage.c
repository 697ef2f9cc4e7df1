// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * coverage.c - a small guest with known code and data for the contrib plugins.
 *
 * Writes two lines with write(2), fails one close(2) with EBADF, runs a loop of
 * LOOP_COUNT iterations through hot_function() (loads and stores on a local
 * table), then exits with status 0. With "chdir" as its first argument it
 * first changes to "/", to check that plugins resolve relative output paths
 * against the directory the emulator started in.
 *
 * Expected status: 0
 * Expected stdout: "start\n" then "sum 12497500\n"
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOOP_COUNT 5000

static volatile long table[64];

__attribute__((noinline)) long hot_function(long i)
{
    table[i & 63] += i;
    return table[(i * 7) & 63] & 1 ? i : 0;
}

int main(int argc, char **argv)
{
    char line[64];
    long sum = 0;
    int len;

    if (argc > 1 && strcmp(argv[1], "chdir") == 0 && chdir("/") != 0) {
        return 2;
    }
    if (write(STDOUT_FILENO, "start\n", 6) != 6) {
        return 1;
    }
    close(-1);
    for (long i = 0; i < LOOP_COUNT; i++) {
        sum += i + (hot_function(i) & 0);
    }
    len = snprintf(line, sizeof(line), "sum %ld\n", sum);
    if (write(STDOUT_FILENO, line, (size_t)len) != len) {
        return 1;
    }
    return 0;
}
