// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscalls.c - system-call-heavy benchmark guest: the emulator's syscall path,
 * not its code generation, dominates.
 *
 * Each round makes four small system calls: write(2) of 16 bytes into a pipe,
 * read(2) of them back, getpid(2), and clock_gettime(2) through syscall(2) (libc
 * would otherwise answer from the vDSO natively without entering the kernel, but
 * not under an emulator without one, which would make the two runs incomparable).
 * The bytes read back are folded into a checksum, and the clock is checked to
 * never go backwards, so the output is deterministic.
 *
 * Build: musl-gcc -O2 -static syscalls.c -o syscalls (about 0.3 s natively on the
 * 2-core development machine with the default round count).
 * Usage: syscalls [rounds]   (default DEFAULT_ROUNDS)
 * Output: "rounds=<n> syscalls=<4n> checksum=<16 hex digits> clock_monotonic=1\n";
 * exit status 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ROUNDS 280000
#define MESSAGE_SIZE 16

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_ROUNDS;
    int pipe_fds[2];
    unsigned char message[MESSAGE_SIZE];
    unsigned char received[MESSAGE_SIZE];
    uint64_t checksum = 0xcbf29ce484222325ull;
    struct timespec previous = {0, 0};
    int clock_monotonic = 1;
    pid_t first_pid = getpid();

    if (rounds <= 0) {
        fprintf(stderr, "usage: syscalls [rounds > 0]\n");
        return 2;
    }
    if (pipe(pipe_fds) != 0) {
        perror("pipe");
        return 1;
    }
    for (long round = 0; round < rounds; round++) {
        struct timespec now;

        for (int i = 0; i < MESSAGE_SIZE; i++) {
            message[i] = (unsigned char)(round * 31 + i);
        }
        if (write(pipe_fds[1], message, sizeof(message)) != (ssize_t)sizeof(message) ||
            read(pipe_fds[0], received, sizeof(received)) != (ssize_t)sizeof(received)) {
            perror("pipe round trip");
            return 1;
        }
        if (memcmp(message, received, sizeof(message)) != 0 || getpid() != first_pid) {
            fprintf(stderr, "round %ld: wrong data or pid\n", round);
            return 1;
        }
        if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now) != 0) {
            perror("clock_gettime");
            return 1;
        }
        if (now.tv_sec < previous.tv_sec ||
            (now.tv_sec == previous.tv_sec && now.tv_nsec < previous.tv_nsec)) {
            clock_monotonic = 0;
        }
        previous = now;
        for (int i = 0; i < MESSAGE_SIZE; i++) {
            checksum = (checksum ^ received[i]) * 0x100000001b3ull;
        }
    }
    printf("rounds=%ld syscalls=%ld checksum=%016llx clock_monotonic=%d\n", rounds, rounds * 4,
           (unsigned long long)checksum, clock_monotonic);
    return 0;
}
