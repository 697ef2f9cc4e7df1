// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall_cost.c - the cost of one round of each syscall a real program commonly
 * makes (issue 19: "every other syscall at most 3 us over qemu").  Each case runs
 * ROUNDS times between two raw clock_gettime calls; one line per case on stdout:
 * "<case> <microseconds per round> <check>", where <check> is the last round's
 * result (the same under every emulator, so a wrong answer shows as a mismatch).
 * Raw syscall(2) everywhere, so libc answers nothing itself.
 *
 * Build: musl-gcc -O2 -static syscall_cost.c -o syscall_cost
 * Usage: syscall_cost DIR [rounds] [case...]   (DIR: an empty writable directory;
 *        default 5000 rounds; no case: every case)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#define FUTEX_WAIT_PRIVATE 128  /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (linux/futex.h) */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define STATX_BASIC 0x7ffu

static long rounds = 5000;
static char link_path[4096];
static int file_fd, dir_fd, pipe_fds[2];
static long self_pid;
static void *page;
static long brk_base;
static uint32_t futex_word;
static char big[8192];

static double now_us(void)
{
    struct timespec ts;

    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* one round of each case; returns a value that shows the call's result */
static long c_getppid(long i) { (void)i; return syscall(SYS_getppid) > 0; }
static long c_openat_close(long i)
{
    long fd = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);

    (void)i;
    return syscall(SYS_close, fd) == 0 && fd >= 0;
}
static long c_newfstatat(long i)
{
    struct stat st;

    (void)i;
    return syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0) == 0 && st.st_size > 0;
}
static long c_fstatat_empty(long i)
{
    struct stat st;

    (void)i;
    return syscall(SYS_newfstatat, file_fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_size > 0;
}
static long c_stat(long i)
{
    struct stat st;

    (void)i;
    return syscall(SYS_stat, "/etc/passwd", &st) == 0 && st.st_size > 0;
}
static long c_lstat(long i)
{
    struct stat st;

    (void)i;
    return syscall(SYS_lstat, link_path, &st) == 0 && S_ISLNK(st.st_mode);
}
static long c_stat_enoent(long i)
{
    struct stat st;

    (void)i;
    return syscall(SYS_newfstatat, AT_FDCWD, "/no/such/file", &st, 0);
}
static long c_statx(long i)
{
    char buf[256];

    (void)i;
    return syscall(SYS_statx, AT_FDCWD, "/etc/passwd", 0, STATX_BASIC, buf);
}
static long c_statx_empty(long i)
{
    char buf[256];

    (void)i;
    return syscall(SYS_statx, file_fd, "", AT_EMPTY_PATH, STATX_BASIC, buf);
}
static long c_access(long i) { (void)i; return syscall(SYS_access, "/etc/passwd", R_OK); }
static long c_faccessat(long i)
{
    (void)i;
    return syscall(SYS_faccessat, AT_FDCWD, "/etc/passwd", R_OK);
}
static long c_readlink_exe(long i)
{
    char buf[4096];

    (void)i;
    return syscall(SYS_readlink, "/proc/self/exe", buf, sizeof(buf)) > 0;
}
static long c_readlink(long i)
{
    char buf[4096];

    (void)i;
    return syscall(SYS_readlink, link_path, buf, sizeof(buf));
}
static long c_getdents64(long i)
{
    (void)i;
    syscall(SYS_lseek, dir_fd, 0, SEEK_SET);
    return syscall(SYS_getdents64, dir_fd, big, sizeof(big)) > 0;
}
static long c_mmap_munmap(long i)
{
    long p = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);

    (void)i;
    return syscall(SYS_munmap, p, 4096) == 0 && p > 0;
}
static long c_mprotect(long i)
{
    return syscall(SYS_mprotect, page, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE);
}
static long c_brk(long i)
{
    return syscall(SYS_brk, brk_base + (i % 2 ? 0 : 4096)) - brk_base;
}
static long c_rt_sigaction(long i)
{
    struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } old;

    (void)i;
    return syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
}
static long c_rt_sigprocmask(long i)
{
    uint64_t set = 0, old;

    (void)i;
    return syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
}
static long c_ioctl_tcgets(long i)
{
    struct termios t;

    (void)i;
    return syscall(SYS_ioctl, file_fd, TCGETS, &t);
}
static long c_fcntl(long i)
{
    (void)i;
    return syscall(SYS_fcntl, file_fd, F_GETFL) + syscall(SYS_fcntl, file_fd, F_GETFD);
}
static long c_dup_close(long i)
{
    long fd = syscall(SYS_dup, file_fd);

    (void)i;
    return syscall(SYS_close, fd) == 0 && fd >= 0;
}
static long c_dup2(long i) { (void)i; return syscall(SYS_dup2, file_fd, 100); }
static long c_dup3(long i) { (void)i; return syscall(SYS_dup3, file_fd, 101, O_CLOEXEC); }
static long c_pipe2_close(long i)
{
    int fds[2];
    long r = syscall(SYS_pipe2, fds, O_CLOEXEC);

    (void)i;
    syscall(SYS_close, fds[0]);
    syscall(SYS_close, fds[1]);
    return r;
}
static long c_uname(long i)
{
    struct utsname u;

    (void)i;
    return syscall(SYS_uname, &u) == 0 && u.machine[0] == 'x';
}
static long c_getcwd(long i)
{
    char buf[4096];

    (void)i;
    return syscall(SYS_getcwd, buf, sizeof(buf)) > 0;
}
static long c_chdir(long i) { (void)i; return syscall(SYS_chdir, "."); }
static long c_sched_yield(long i) { (void)i; return syscall(SYS_sched_yield); }
static long c_nanosleep0(long i)
{
    struct timespec ts = {0, 0};

    (void)i;
    return syscall(SYS_nanosleep, &ts, NULL);
}
static long c_getrusage(long i)
{
    struct rusage ru;

    (void)i;
    return syscall(SYS_getrusage, RUSAGE_SELF, &ru);
}
static long c_sysinfo(long i)
{
    struct sysinfo si;

    (void)i;
    return syscall(SYS_sysinfo, &si) == 0 && si.mem_unit > 0;
}
static long c_prlimit64(long i)
{
    struct rlimit rl;

    (void)i;
    return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl);
}
static long c_futex_wait0(long i)
{
    struct timespec ts = {0, 0};

    (void)i;
    return syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}
static long c_poll0(long i)
{
    struct pollfd p = {pipe_fds[0], POLLIN, 0};

    (void)i;
    return syscall(SYS_poll, &p, 1, 0);
}
static long c_ppoll0(long i)
{
    struct pollfd p = {pipe_fds[0], POLLIN, 0};
    struct timespec ts = {0, 0};

    (void)i;
    return syscall(SYS_ppoll, &p, 1, &ts, NULL, 8);
}
static long c_select0(long i)
{
    fd_set r;
    struct timeval tv = {0, 0};

    (void)i;
    FD_ZERO(&r);
    FD_SET(pipe_fds[0], &r);
    return syscall(SYS_select, pipe_fds[0] + 1, &r, NULL, NULL, &tv);
}
static long c_socket_close(long i)
{
    long fd = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    (void)i;
    return syscall(SYS_close, fd) == 0 && fd >= 0;
}
static long c_kill0(long i) { (void)i; return syscall(SYS_kill, self_pid, 0); }
static long c_wait4(long i) { (void)i; return syscall(SYS_wait4, -1, NULL, WNOHANG, NULL); }

static const struct {
    const char *name;
    long (*run)(long);
} cases[] = {
    {"getppid", c_getppid},
    {"openat+close", c_openat_close},
    {"newfstatat", c_newfstatat},
    {"newfstatat(AT_EMPTY_PATH)", c_fstatat_empty},
    {"stat", c_stat},
    {"lstat", c_lstat},
    {"newfstatat(ENOENT)", c_stat_enoent},
    {"statx", c_statx},
    {"statx(AT_EMPTY_PATH)", c_statx_empty},
    {"access", c_access},
    {"faccessat", c_faccessat},
    {"readlink(/proc/self/exe)", c_readlink_exe},
    {"readlink", c_readlink},
    {"lseek+getdents64", c_getdents64},
    {"mmap+munmap", c_mmap_munmap},
    {"mprotect", c_mprotect},
    {"brk", c_brk},
    {"rt_sigaction", c_rt_sigaction},
    {"rt_sigprocmask", c_rt_sigprocmask},
    {"ioctl(TCGETS)", c_ioctl_tcgets},
    {"fcntl(GETFL)+fcntl(GETFD)", c_fcntl},
    {"dup+close", c_dup_close},
    {"dup2", c_dup2},
    {"dup3", c_dup3},
    {"pipe2+close+close", c_pipe2_close},
    {"uname", c_uname},
    {"getcwd", c_getcwd},
    {"chdir", c_chdir},
    {"sched_yield", c_sched_yield},
    {"nanosleep(0)", c_nanosleep0},
    {"getrusage", c_getrusage},
    {"sysinfo", c_sysinfo},
    {"prlimit64", c_prlimit64},
    {"futex(WAIT, timeout 0)", c_futex_wait0},
    {"poll(timeout 0)", c_poll0},
    {"ppoll(timeout 0)", c_ppoll0},
    {"select(timeout 0)", c_select0},
    {"socket+close", c_socket_close},
    {"kill(getpid(), 0)", c_kill0},
    {"wait4(ECHILD)", c_wait4},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: syscall_cost DIR [rounds] [case...]\n");
        return 2;
    }
    if (argc > 2) {
        rounds = strtol(argv[2], NULL, 10);
    }
    if (snprintf(link_path, sizeof(link_path), "%s/link", argv[1]) >= (int)sizeof(link_path)) {
        return 2;
    }
    symlink("/etc/passwd", link_path);
    file_fd = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
    dir_fd = syscall(SYS_openat, AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY);
    syscall(SYS_pipe2, pipe_fds, 0);
    self_pid = syscall(SYS_getpid);
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    brk_base = syscall(SYS_brk, 0);
    if (file_fd < 0 || dir_fd < 0 || page == MAP_FAILED || rounds <= 0) {
        return 2;
    }
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        double start, end;
        long check = 0;
        int wanted = argc <= 3;

        for (int a = 3; a < argc; a++) {
            wanted |= strcmp(argv[a], cases[c].name) == 0;
        }
        if (!wanted) {
            continue;
        }
        start = now_us();
        for (long i = 0; i < rounds; i++) {
            check = cases[c].run(i);
        }
        end = now_us();
        printf("%s\t%.3f\t%ld\n", cases[c].name, (end - start) / rounds, check);
    }
    unlink(link_path);
    return 0;
}
