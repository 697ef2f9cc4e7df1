// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plainly-typed syscalls pyqemu's C host serves beside the pass-through
 * ones (pyqemu/host/syscall.c's syscall_fast_plain): paths, stat structs,
 * readlink, getdents, dup, pipes, fcntl, terminal ioctls, uname, limits,
 * polls.  Each is made REPEAT times as a real program makes it (the C path),
 * then once for each case the C host must leave to Python: an unreadable or
 * too long path, /proc/self/exe, an output struct without write rights, a
 * command or size Python refuses, a real signal.  Every result is printed,
 * with what the call wrote where that is the same in every run (a stat's
 * size and mode, a link's text, a directory's names count, the cwd), so a
 * changed answer shows in stdout.  Run in an empty directory it may write to
 * (argv[1]).  Built with musl, raw syscalls only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define REPEAT 3
#define AT_EMPTY 0x1000

/* a result as the kernel gives it: -errno on failure (musl's syscall() sets errno) */
static long put(const char *what, long value)
{
    char line[200];

    if (value == -1) {
        value = -errno;
    }
    syscall(SYS_write, 1, line, snprintf(line, sizeof(line), "%s %ld\n", what, value));
    return value;
}

static void put_text(const char *what, const char *text, long len)
{
    char line[4200];

    if (len < 0) {
        len = 0;
    }
    syscall(SYS_write, 1, line, snprintf(line, sizeof(line), "%s [%.*s]\n", what, (int)len,
                                         text));
}

static void put_stat(const char *what, long ret, const struct stat *st)
{
    char line[200];

    put(what, ret);
    if (ret == 0) {
        syscall(SYS_write, 1, line, snprintf(line, sizeof(line), "  size %ld mode %o\n",
                                             (long)st->st_size, (unsigned)st->st_mode));
    }
}

/* the C path's cases: each as an ordinary program makes it */
static void plain_calls(int file_fd, int dir_fd, const char *link, const char *file)
{
    struct stat st;
    char buf[4096], stx[256];
    struct termios tio;
    struct winsize ws;
    struct utsname uts;
    struct sysinfo si;
    struct rusage ru;
    struct rlimit rl;
    struct timespec zero = {0, 0};
    struct timeval tv = {0, 0};
    struct pollfd pfd = {file_fd, POLLIN, 0};
    fd_set set;
    long r;
    int fds[2], count = 0;

    put_stat("stat", syscall(SYS_stat, "/etc/passwd", &st), &st);
    put_stat("lstat", syscall(SYS_lstat, link, &st), &st);
    put_stat("newfstatat", syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0), &st);
    put_stat("newfstatat empty", syscall(SYS_newfstatat, file_fd, "", &st, AT_EMPTY), &st);
    put_stat("newfstatat enoent", syscall(SYS_newfstatat, AT_FDCWD, "/no/such", &st, 0), &st);
    put("statx", syscall(SYS_statx, AT_FDCWD, "/etc/passwd", 0, 0x7ff, stx));
    put("statx size", *(int64_t *)(stx + 40));
    put("statx empty", syscall(SYS_statx, file_fd, "", AT_EMPTY, 0x7ff, stx));
    put("access", syscall(SYS_access, "/etc/passwd", R_OK));
    put("access enoent", syscall(SYS_access, "/no/such", F_OK));
    put("faccessat", syscall(SYS_faccessat, AT_FDCWD, "/etc/passwd", W_OK | X_OK));
    r = put("readlink", syscall(SYS_readlink, link, buf, sizeof(buf)));
    put_text("  text", buf, r);
    r = put("readlink short", syscall(SYS_readlink, link, buf, 4));
    put_text("  text", buf, r);
    put("readlink einval", syscall(SYS_readlink, "/etc/passwd", buf, sizeof(buf)));
    r = put("readlinkat", syscall(SYS_readlinkat, AT_FDCWD, link, buf, sizeof(buf)));
    put_text("  text", buf, r);
    r = put("openat", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC));
    put("close", syscall(SYS_close, r));
    put("openat enoent", syscall(SYS_openat, AT_FDCWD, "/no/such", O_RDONLY));
    r = put("open", syscall(SYS_open, "/etc/passwd", O_RDONLY));
    put("close", syscall(SYS_close, r));
    r = put("getcwd", syscall(SYS_getcwd, buf, sizeof(buf)));
    put_text("  text", buf, r);
    put("getcwd erange", syscall(SYS_getcwd, buf, 1));
    put("chdir", syscall(SYS_chdir, "/etc"));
    put("fchdir", syscall(SYS_fchdir, dir_fd));
    syscall(SYS_lseek, dir_fd, 0, SEEK_SET);
    r = put("getdents64", syscall(SYS_getdents64, dir_fd, buf, sizeof(buf)) > 0);
    put("getdents64 einval", syscall(SYS_getdents64, dir_fd, buf, 8));
    syscall(SYS_lseek, dir_fd, 0, SEEK_SET);
    put("getdents", syscall(SYS_getdents, dir_fd, buf, sizeof(buf)) > 0);
    r = put("dup", syscall(SYS_dup, file_fd));
    put("close", syscall(SYS_close, r));
    put("dup2", syscall(SYS_dup2, file_fd, 60));
    put("dup3", syscall(SYS_dup3, file_fd, 61, O_CLOEXEC));
    put("dup3 einval", syscall(SYS_dup3, file_fd, file_fd, 0));
    put("fcntl getfd", syscall(SYS_fcntl, 61, F_GETFD));
    put("fcntl getfl", syscall(SYS_fcntl, file_fd, F_GETFL));
    put("fcntl dupfd", syscall(SYS_fcntl, file_fd, F_DUPFD_CLOEXEC, 70));
    put("fcntl badf", syscall(SYS_fcntl, 999, F_GETFD));
    put("pipe2", syscall(SYS_pipe2, fds, O_CLOEXEC | O_NONBLOCK));
    put("fcntl pipe getfl", syscall(SYS_fcntl, fds[0], F_GETFL));
    put("fcntl pipe size", syscall(SYS_fcntl, fds[0], F_GETPIPE_SZ));
    pfd.fd = fds[0];
    put("poll", syscall(SYS_poll, &pfd, 1, 0));
    put("ppoll", syscall(SYS_ppoll, &pfd, 1, &zero, NULL, 8));
    FD_ZERO(&set);
    FD_SET(fds[0], &set);
    put("select", syscall(SYS_select, fds[0] + 1, &set, NULL, NULL, &tv));
    put("close", syscall(SYS_close, fds[0]));
    put("close", syscall(SYS_close, fds[1]));
    put("pipe", syscall(SYS_pipe, fds));
    put("close", syscall(SYS_close, fds[0]));
    put("close", syscall(SYS_close, fds[1]));
    put("ioctl tcgets", syscall(SYS_ioctl, file_fd, TCGETS, &tio));
    put("ioctl tiocgwinsz", syscall(SYS_ioctl, file_fd, TIOCGWINSZ, &ws));
    put("ioctl fionread", syscall(SYS_ioctl, file_fd, FIONREAD, &count) == 0 && count > 0);
    put("uname", syscall(SYS_uname, &uts));
    put_text("  machine", uts.machine, strlen(uts.machine));
    put("sysinfo", syscall(SYS_sysinfo, &si));
    put("  mem_unit", si.mem_unit);
    put("getrusage", syscall(SYS_getrusage, RUSAGE_SELF, &ru));
    put("getrlimit", syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl));
    put("  cur", (long)rl.rlim_cur);
    put("prlimit64", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl));
    put("  cur", (long)rl.rlim_cur);
    put("prlimit64 null", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));
    put("sched_yield", syscall(SYS_sched_yield));
    put("nanosleep", syscall(SYS_nanosleep, &zero, NULL));
    r = put("socket", syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | 0x100, 0));
    put("close", syscall(SYS_close, r));
    put("kill 0", syscall(SYS_kill, syscall(SYS_getpid), 0));
    put("kill esrch", syscall(SYS_kill, 0x3ffffff0, 0));
    put("wait4 echild", syscall(SYS_wait4, -1, NULL, WNOHANG, NULL));
    put("getxattr", syscall(SYS_getxattr, "/etc/passwd", "user.pyqemu", buf, sizeof(buf)));
    put("lgetxattr", syscall(SYS_lgetxattr, link, "security.selinux", buf, sizeof(buf)));
    put("fgetxattr size", syscall(SYS_fgetxattr, file_fd, "user.pyqemu", NULL, 0));
    put("listxattr", syscall(SYS_listxattr, "/etc/passwd", buf, sizeof(buf)));
    put("llistxattr size", syscall(SYS_llistxattr, link, NULL, 0));
    put("flistxattr", syscall(SYS_flistxattr, file_fd, buf, sizeof(buf)));
    r = put("listxattr set", syscall(SYS_listxattr, file, buf, sizeof(buf)));
    put_text("  names", buf, r);
    r = put("getxattr set", syscall(SYS_getxattr, file, "user.b", buf, sizeof(buf)));
    put_text("  value", buf, r);
}

static void on_signal(int sig)
{
    (void)sig;
}

/* the cases the C host leaves to Python (their answers must not change either) */
static void python_calls(int file_fd, int dir_fd, char *edge, char *ro)
{
    static char long_path[5000];
    struct stat st;
    char buf[64];
    long r;
    int64_t sigset = 0;
    struct timespec zero = {0, 0};
    struct pollfd pfd = {file_fd, POLLIN, 0};
    struct rlimit rl = {1024, 1024};

    /* a path running into an unmapped page: EFAULT; one over two pages: served */
    memcpy(edge - 5, "/etc/", 5);
    put("stat edge", syscall(SYS_stat, edge - 5, &st));
    memcpy(edge - 4096 - 2, "/etc", 5);
    put("stat 2 pages", syscall(SYS_stat, edge - 4096 - 2, &st));
    memset(long_path, '/', sizeof(long_path) - 1);
    put("stat too long", syscall(SYS_stat, long_path, &st));
    put("stat null", syscall(SYS_stat, NULL, &st));
    put("stat ro buf", syscall(SYS_stat, "/etc/passwd", ro));
    put("stat enoent ro buf", syscall(SYS_stat, "/no/such", ro));
    put("statx ro buf", syscall(SYS_statx, AT_FDCWD, "/etc/passwd", 0, 0x7ff, ro));
    r = put("readlink exe", syscall(SYS_readlink, "/proc/self/exe", buf, sizeof(buf)) > 0);
    put("readlink bufsiz 0", syscall(SYS_readlink, "/etc/passwd", buf, 0));
    put("readlink ro buf", syscall(SYS_readlink, "/proc/self/cwd", ro, 16));
    r = put("openat exe", syscall(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY));
    put("close", syscall(SYS_close, r));
    put("getcwd ro", syscall(SYS_getcwd, ro, 64));
    put("getdents64 ro", syscall(SYS_getdents64, dir_fd, ro, 4096));
    put("pipe2 ro", syscall(SYS_pipe2, ro, 0));
    put("fcntl getlk null", syscall(SYS_fcntl, file_fd, F_GETLK, NULL));
    put("fcntl bad cmd", syscall(SYS_fcntl, file_fd, 12345, 0));
    put("ioctl tcgets ro", syscall(SYS_ioctl, file_fd, TCGETS, ro));
    put("ioctl unknown", syscall(SYS_ioctl, file_fd, 0x12345678, 0));
    put("uname ro", syscall(SYS_uname, ro));
    put("prlimit64 set", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL));
    put("ppoll sigsetsize", syscall(SYS_ppoll, &pfd, 1, &zero, &sigset, 4));
    put("poll too many", syscall(SYS_poll, &pfd, 0x7fffffff, 0));
    put("select ro", syscall(SYS_select, 1, ro, NULL, NULL, &zero));
    put("getxattr ro", syscall(SYS_getxattr, "/etc/passwd", "user.pyqemu", ro, 64));
    put("listxattr ro", syscall(SYS_listxattr, "/etc/passwd", ro, 64));
    put("wait4 rusage", syscall(SYS_wait4, -1, NULL, WNOHANG, ro));
    signal(SIGUSR1, on_signal);
    put("kill usr1", syscall(SYS_kill, syscall(SYS_getpid), SIGUSR1));
}

int main(int argc, char **argv)
{
    char link[4096], file[4096];
    char *pages, *ro;
    int file_fd, dir_fd;

    if (argc < 2 || snprintf(link, sizeof(link), "%s/link", argv[1]) >= (int)sizeof(link)) {
        return 2;
    }
    put("symlink", syscall(SYS_symlink, "/etc/passwd", link));
    snprintf(file, sizeof(file), "%s/file", argv[1]);
    put("creat", syscall(SYS_close, syscall(SYS_creat, file, 0600)));
    put("setxattr a", syscall(SYS_setxattr, file, "user.a", "1", 1, 0));
    put("setxattr b", syscall(SYS_setxattr, file, "user.b", "two", 3, 0));
    file_fd = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
    dir_fd = syscall(SYS_openat, AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY);
    /* two readable pages, then an unmapped one */
    pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (file_fd < 0 || dir_fd < 0 || pages == MAP_FAILED || ro == MAP_FAILED) {
        return 2;
    }
    munmap(pages + 2 * 4096, 4096);
    for (int i = 0; i < REPEAT; i++) {
        plain_calls(file_fd, dir_fd, link, file);
    }
    python_calls(file_fd, dir_fd, pages + 2 * 4096, ro);
    syscall(SYS_unlink, link);
    syscall(SYS_unlink, file);
    return 0;
}
