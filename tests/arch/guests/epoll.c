// SPDX-License-Identifier: GPL-2.0-or-later
/* epoll with 64-bit user data: struct epoll_event is 12 bytes (packed) on x86_64 and
 * 16 bytes on aarch64 and riscv64, so an emulator on an x86_64 host has to convert it
 * both ways (epoll_ctl reads one, epoll_pwait writes an array of them). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(void)
{
    int fds[2][2];
    struct epoll_event ev, out[4];
    int ep = epoll_create1(EPOLL_CLOEXEC);

    if (ep < 0 || pipe(fds[0]) || pipe(fds[1])) {
        perror("setup");
        return 1;
    }
    for (int i = 0; i < 2; i++) {
        ev.events = EPOLLIN | (i ? EPOLLET : 0);
        ev.data.u64 = 0x1122334455667700ull + i;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i][0], &ev)) {
            perror("epoll_ctl");
            return 1;
        }
    }
    printf("idle: %d\n", epoll_wait(ep, out, 4, 0));
    if (write(fds[0][1], "a", 1) != 1 || write(fds[1][1], "b", 1) != 1) {
        return 1;
    }
    int n = epoll_wait(ep, out, 4, 1000);
    printf("ready: %d\n", n);
    for (int i = 0; i < n; i++) {
        printf("events 0x%x data 0x%llx\n", (unsigned)out[i].events,
               (unsigned long long)out[i].data.u64);
    }
    ev.events = EPOLLIN;     /* the first pipe still holds its byte: ready again */
    ev.data.u64 = 0xdeadbeefcafef00dull;
    if (epoll_ctl(ep, EPOLL_CTL_MOD, fds[0][0], &ev)) {
        perror("epoll_ctl mod");
    }
    n = epoll_wait(ep, out, 4, 0);
    printf("after mod: %d\n", n);
    for (int i = 0; i < n; i++) {
        printf("events 0x%x data 0x%llx\n", (unsigned)out[i].events,
               (unsigned long long)out[i].data.u64);
    }
    n = epoll_wait(ep, out, 0, 0);
    printf("bad maxevents: %d errno %d\n", n, errno);
    return 0;
}
