/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blocking syscalls with two threads (tests/linux_user/test_fast_syscalls.py;
 * benchmarks/handoff.c is the futex half): a thread blocked in read() on a
 * pipe while the main thread maps and unmaps memory (calls that need every
 * other thread out of guest code) and only then writes what it reads, then
 * poll() and close() from the second thread while the main one waits in
 * pthread_join.  Prints what each step saw.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAPPINGS 40

static int pipe_fds[2];

static void *reader(void *arg)
{
    char buf[64] = {0};
    struct pollfd pfd = {.fd = pipe_fds[0], .events = POLLIN};
    ssize_t n = read(pipe_fds[0], buf, sizeof(buf) - 1);

    printf("read %zd \"%s\"\n", n, n > 0 ? buf : "");
    printf("poll %d revents %#x\n", poll(&pfd, 1, 50), pfd.revents);
    printf("close %d\n", close(pipe_fds[0]));
    return arg;
}

int main(void)
{
    pthread_t thread;
    long mapped = 0;

    if (pipe(pipe_fds) != 0) {
        perror("pipe");
        return 1;
    }
    pthread_create(&thread, NULL, reader, NULL);
    usleep(20000);      /* let the reader block first */
    for (int i = 0; i < MAPPINGS; i++) {
        char *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);

        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        p[0] = (char)i;
        mapped += p[0];
        munmap(p, 1 << 16);
    }
    printf("mapped %d, sum %ld\n", MAPPINGS, mapped);
    if (write(pipe_fds[1], "after the mappings", strlen("after the mappings")) < 0) {
        perror("write");
        return 1;
    }
    pthread_join(thread, NULL);
    printf("joined\n");
    return 0;
}
