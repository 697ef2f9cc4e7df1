// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall_loop.c - issue 19's syscall loop: ROUNDS rounds of getppid, write of 16
 * bytes to /dev/null, lseek and clock_gettime (raw syscalls, so no vDSO answers
 * natively), 4 syscalls a round, 800,000 by default.  Prints the round count and
 * the seconds the loop itself took (on stderr: "loop <seconds> s"), so start-up
 * can be told apart from the syscalls.
 *
 * Build: musl-gcc -O2 -static syscall_loop.c -o syscall_loop
 * Usage: syscall_loop [rounds]   (default 200000)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    int fd = open("/dev/null", O_WRONLY);
    char buf[16] = "0123456789abcdef";
    struct timespec start, now, end;
    long ok = 0;

    if (fd < 0 || rounds <= 0) {
        return 2;
    }
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &start);
    for (long i = 0; i < rounds; i++) {
        ok += syscall(SYS_getppid) > 0;
        ok += syscall(SYS_write, fd, buf, sizeof(buf)) == sizeof(buf);
        ok += syscall(SYS_lseek, fd, 0, SEEK_SET) == 0;
        ok += syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now) == 0;
    }
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &end);
    printf("rounds=%ld syscalls=%ld ok=%ld\n", rounds, 4 * rounds, ok);
    fprintf(stderr, "loop %.6f s\n",
            (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    return ok == 4 * rounds ? 0 : 1;
}
