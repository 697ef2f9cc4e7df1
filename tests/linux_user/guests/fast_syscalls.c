// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pass-through syscalls pyqemu serves in C (pyqemu/host/syscall.c), mixed
 * with signals: ROUNDS rounds of getppid, write to /dev/null, lseek and
 * clock_gettime (the benchmark loop) plus a writev and a futex wake, and at
 * round SIGNAL_ROUND a kill() of
 * itself whose handler makes syscalls of the same kinds; then calls the C path
 * must leave to Python: a buffer without the rights the call needs (-EFAULT),
 * a read-only page as read()'s target, a NULL timespec.  With the argument
 * "eintr" it instead blocks in read() on an empty pipe until a timer's SIGALRM
 * (handler without SA_RESTART) interrupts it: -EINTR after the handler ran.
 * Each result is
 * printed, so a changed answer shows in stdout.  Built with musl, raw
 * syscalls only, so every syscall the plugins and -strace see is one of these.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 20
#define SIGNAL_ROUND 7

static int null_fd;
static volatile int handled;

static void handler(int sig)
{
    struct timespec ts;

    (void)sig;
    syscall(SYS_write, null_fd, "in handler", 10);
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    handled++;
}

/* a result as the kernel gives it: -errno on failure (musl's syscall() sets errno) */
static void put(const char *what, long value)
{
    char line[80];

    if (value == -1) {
        value = -errno;
    }
    syscall(SYS_write, 1, line, snprintf(line, sizeof(line), "%s %ld\n", what, value));
}

static int blocked_read(void)
{
    struct sigaction sa;
    /* repeating, so that a first expiry before read() has blocked (a loaded machine)
     * is followed by one that interrupts it */
    struct itimerval timer = {{0, 100000}, {0, 100000}};
    struct itimerval off = {{0, 0}, {0, 0}};
    long got;
    int fds[2];
    char byte;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigaction(SIGALRM, &sa, NULL);
    if (pipe(fds) != 0) {
        return 1;
    }
    null_fd = fds[1];
    setitimer(ITIMER_REAL, &timer, NULL);
    got = syscall(SYS_read, fds[0], &byte, 1);
    setitimer(ITIMER_REAL, &off, NULL);
    put("blocked read", got);
    put("handled", handled > 0);
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    struct timespec ts;
    char buf[16] = "0123456789abcdef";
    char *ro;
    long sum = 0;
    int word = 0;
    struct iovec iov[2] = {{buf, 4}, {buf + 4, 12}};

    if (argc > 1 && !strcmp(argv[1], "eintr")) {
        return blocked_read();
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigaction(SIGUSR1, &sa, NULL);
    null_fd = syscall(SYS_open, "/dev/null", 2 /* O_RDWR */);
    for (int i = 0; i < ROUNDS; i++) {
        sum += syscall(SYS_getppid) > 0;
        sum += syscall(SYS_write, null_fd, buf, sizeof(buf));
        sum += syscall(SYS_lseek, null_fd, 0, SEEK_SET);
        sum += syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
        sum += syscall(SYS_writev, null_fd, iov, 2);
        sum += syscall(SYS_futex, &word, 129 /* FUTEX_WAKE_PRIVATE */, 1, NULL, NULL, 0);
        if (i == SIGNAL_ROUND) {
            syscall(SYS_kill, syscall(SYS_getpid), SIGUSR1);
        }
    }
    put("sum", sum);
    put("handled", handled);
    ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    put("write from unmapped", syscall(SYS_write, null_fd, (char *)8, 4));
    put("read into read-only", syscall(SYS_read, null_fd, ro, 4));
    put("read zero bytes into read-only", syscall(SYS_read, null_fd, ro, 0));
    put("clock_gettime NULL", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
    put("clock_gettime read-only", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro));
    put("clock_gettime bad clock", syscall(SYS_clock_gettime, 12345, &ts));
    put("lseek bad fd", syscall(SYS_lseek, 999, 0, SEEK_SET));
    iov[0].iov_base = (char *)8;
    put("writev unmapped buffer", syscall(SYS_writev, null_fd, iov, 2));
    put("writev count -1", syscall(SYS_writev, null_fd, iov, -1));
    put("readv into read-only", syscall(SYS_readv, null_fd, (struct iovec *)ro, 1));
    put("futex wake unaligned", syscall(SYS_futex, (char *)&word + 1, 129, 1, NULL, NULL, 0));
    put("futex wake read-only", syscall(SYS_futex, ro, 129, 1, NULL, NULL, 0));
    put("gettimeofday NULL", syscall(SYS_gettimeofday, NULL, NULL));
    put("close", syscall(SYS_close, null_fd));
    put("close again", syscall(SYS_close, null_fd));
    return 0;
}
