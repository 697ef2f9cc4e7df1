/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a process sees of the signals it ignores, handles or blocks, where
 * an emulator that catches every host signal itself answers otherwise:
 *   inherited   the actions it starts with (run it with some signals ignored,
 *               as nohup and a shell's background job do)
 *   child-exit  a read() blocked on a pipe while a child exits (SIGCHLD's
 *               default action ignores it: the read goes on)
 *   restart     a read() blocked while a repeating SIGALRM is handled with
 *               SA_RESTART (the read goes on) or, with "no-restart", without
 *               (EINTR)
 *   ignored-child  SIGCHLD set to SIG_IGN: the exited child is reaped by the
 *               kernel, wait() finds none
 *   blocked-wait   SIGCHLD blocked, then taken by sigtimedwait
 *   blocked-read   a read() blocked while a child sends SIGUSR1, which the
 *               process blocks and handles: the read goes on, the signal
 *               waits, and runs its handler once unblocked
 *   stops       SIGTSTP at its default, raised, then raised while blocked and
 *               unblocked: the process stops each time (the test continues it)
 *   exec        SIGINT ignored and SIGUSR1 blocked, then execve of
 *               /bin/grep on /proc/self/status: what the new program inherits
 * Each prints its results.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int handled;

static void on_alarm(int sig)
{
    (void)sig;
    handled++;
}

static const char *action_name(int sig)
{
    struct sigaction sa;

    sigaction(sig, NULL, &sa);
    return sa.sa_handler == SIG_IGN ? "ignore" : sa.sa_handler == SIG_DFL ? "default" : "handler";
}

static int inherited(void)
{
    int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGUSR1, SIGCHLD, SIGTERM};

    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        printf("%d %s\n", sigs[i], action_name(sigs[i]));
    }
    return 0;
}

/* a child that writes one byte to @fd after @usec (or only exits, fd -1) */
static pid_t child_after(int fd, useconds_t usec)
{
    pid_t pid = fork();

    if (pid == 0) {
        usleep(usec);
        if (fd >= 0) {
            write(fd, "x", 1);
        }
        _exit(0);
    }
    return pid;
}

static void read_and_print(int fd)
{
    char byte;
    long got = read(fd, &byte, 1);

    printf("read %ld%s%s\n", got, got < 0 ? " " : "", got < 0 ? strerror(errno) : "");
}

static int child_exit(void)
{
    int fds[2];

    pipe(fds);
    child_after(-1, 200000);
    child_after(fds[1], 600000);
    read_and_print(fds[0]);
    while (wait(NULL) > 0) {
    }
    return 0;
}

static int restart(int with_restart)
{
    struct sigaction sa;
    /* repeating: one of them interrupts the read however late it blocks */
    struct itimerval timer = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    int fds[2];

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = with_restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    pipe(fds);
    child_after(fds[1], 500000);
    setitimer(ITIMER_REAL, &timer, NULL);
    read_and_print(fds[0]);
    setitimer(ITIMER_REAL, &off, NULL);
    printf("handled %s\n", handled ? "yes" : "no");
    while (wait(NULL) > 0) {
    }
    return 0;
}

static int ignored_child(void)
{
    pid_t pid;
    int status;

    signal(SIGCHLD, SIG_IGN);
    pid = child_after(-1, 0);
    usleep(300000);
    printf("wait %s\n", waitpid(pid, &status, 0) == pid ? "reaped it" : strerror(errno));
    return 0;
}

static int blocked_wait(void)
{
    struct timespec limit = {5, 0};
    siginfo_t info;
    sigset_t set;
    int sig;

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    child_after(-1, 100000);
    sig = sigtimedwait(&set, &info, &limit);
    printf("sigtimedwait %d code %d\n", sig, sig > 0 ? info.si_code : errno);
    return 0;
}

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static int blocked_read(void)
{
    struct sigaction sa;
    sigset_t set, pending;
    int fds[2];
    pid_t parent = getpid();

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;    /* without SA_RESTART: only the mask keeps the read going */
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pipe(fds);
    if (fork() == 0) {
        usleep(200000);
        kill(parent, SIGUSR1);
        usleep(300000);
        write(fds[1], "x", 1);
        _exit(0);
    }
    read_and_print(fds[0]);
    sigpending(&pending);
    printf("pending %d handled %d\n", sigismember(&pending, SIGUSR1), handled);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("unblocked: handled %d\n", handled);
    while (wait(NULL) > 0) {
    }
    return 0;
}

static int stops(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    printf("before\n");
    raise(SIGTSTP);
    printf("continued\n");
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGTSTP);
    printf("blocked\n");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("continued again\n");
    return 0;
}

static int exec_inherits(void)
{
    sigset_t set;

    signal(SIGINT, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    fflush(stdout);
    execl("/bin/grep", "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", (char *)NULL);
    return 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(mode, "inherited")) {
        return inherited();
    }
    if (!strcmp(mode, "child-exit")) {
        return child_exit();
    }
    if (!strcmp(mode, "restart") || !strcmp(mode, "no-restart")) {
        return restart(!strcmp(mode, "restart"));
    }
    if (!strcmp(mode, "ignored-child")) {
        return ignored_child();
    }
    if (!strcmp(mode, "blocked-wait")) {
        return blocked_wait();
    }
    if (!strcmp(mode, "blocked-read")) {
        return blocked_read();
    }
    if (!strcmp(mode, "stops")) {
        return stops();
    }
    if (!strcmp(mode, "exec")) {
        return exec_inherits();
    }
    return 2;
}
