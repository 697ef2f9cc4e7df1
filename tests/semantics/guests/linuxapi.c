// SPDX-License-Identifier: GPL-2.0-or-later
/* Signals, timers, pipes, sockets, shm, sched: what linux-test/signals-style programs
 * touch.  Each check prints one line; run natively, under qemu-x86_64 and pyqemu. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#define CHECK(name, expr) do { long r_ = (long)(expr); \
    printf("%-24s %s\n", name, r_ < 0 ? strerror(errno) : "ok"); } while (0)

static volatile int alarms, rt_hits, usr1_hits;
static void on_alarm(int sig) { alarms++; }
static void on_rt(int sig, siginfo_t *si, void *uc) { rt_hits += si->si_value.sival_int; }

static void test_itimer(void)
{
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, old;
    signal(SIGALRM, on_alarm);
    CHECK("setitimer", setitimer(ITIMER_REAL, &it, NULL));
    while (alarms < 3) { }
    memset(&it, 0, sizeof it);
    CHECK("setitimer-off", setitimer(ITIMER_REAL, &it, &old));
    CHECK("getitimer", getitimer(ITIMER_REAL, &old));
    printf("alarms>=3 %d\n", alarms >= 3);
}

static void test_posix_timer(void)
{
    struct sigaction sa = { 0 };
    struct sigevent sev = { 0 };
    struct itimerspec its = { { 0, 0 }, { 0, 5000000 } }, cur;
    timer_t t;
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, NULL);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN;
    sev.sigev_value.sival_int = 7;
    CHECK("timer_create", timer_create(CLOCK_REALTIME, &sev, &t));
    CHECK("timer_settime", timer_settime(t, 0, &its, NULL));
    while (!rt_hits) { }
    CHECK("timer_gettime", timer_gettime(t, &cur));
    printf("timer value after %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    CHECK("timer_getoverrun", timer_getoverrun(t));
    CHECK("timer_delete", timer_delete(t));
    printf("rt_hits %d\n", rt_hits);
    /* a timer whose sigevent is NULL: SIGALRM with the timer id as value */
    CHECK("timer_create-null", timer_create(CLOCK_MONOTONIC, NULL, &t));
    CHECK("timer_delete2", timer_delete(t));
    errno = 0;
    CHECK("timer_delete-bad", timer_delete(t));
}

static char altstack[65536];
static volatile int on_alt;
static void on_usr1(int sig)
{
    char here;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
    usr1_hits++;
}

static void test_sigaltstack(void)
{
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack }, old;
    struct sigaction sa = { 0 };
    CHECK("sigaltstack", sigaltstack(&ss, &old));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("handler on altstack %d\n", on_alt);
}

/* sigreturn-sigmask: a handler that blocks SIGUSR2; after return the mask is the old one */
static void on_usr2(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigprocmask(SIG_BLOCK, &s, NULL);
}

static void test_sigmask(void)
{
    sigset_t cur, pend;
    signal(SIGUSR2, on_usr2);
    raise(SIGUSR2);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("after sigreturn SIGINT blocked %d SIGUSR2 blocked %d\n", sigismember(&cur, SIGINT),
           sigismember(&cur, SIGUSR2));
    sigemptyset(&cur);
    sigaddset(&cur, SIGUSR1);
    sigprocmask(SIG_BLOCK, &cur, NULL);
    raise(SIGUSR1);
    CHECK("sigpending", sigpending(&pend));
    printf("pending SIGUSR1 %d\n", sigismember(&pend, SIGUSR1));
    {
        siginfo_t si;
        struct timespec ts = { 0, 0 };
        int s = sigtimedwait(&cur, &si, &ts);
        printf("sigtimedwait %d code %d\n", s, si.si_code);
        s = sigtimedwait(&cur, &si, &ts);
        printf("sigtimedwait-empty %d %s\n", s, strerror(errno));
    }
    {
        union sigval v = { .sival_int = 5 };
        int before = rt_hits;
        CHECK("sigqueue", sigqueue(getpid(), SIGRTMIN, v));
        printf("sigqueue value %d\n", rt_hits - before);
    }
    sigprocmask(SIG_UNBLOCK, &cur, NULL);
}

static sigjmp_buf jb;
static void on_segv(int sig, siginfo_t *si, void *uc) { siglongjmp(jb, 1); }

static void test_segv(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile int *)0 = 1;
        printf("no fault\n");
    } else {
        printf("segv caught\n");
    }
    signal(SIGSEGV, SIG_DFL);
}

static void test_pipe_select_poll(void)
{
    int fds[2], d;
    fd_set rs;
    struct timeval tv = { 0, 0 };
    struct pollfd pfd;
    char buf[8];
    CHECK("pipe", pipe(fds));
    CHECK("write", write(fds[1], "abc", 3));
    FD_ZERO(&rs);
    FD_SET(fds[0], &rs);
    printf("select %d\n", select(fds[0] + 1, &rs, NULL, NULL, &tv));
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    printf("poll %d revents %x\n", poll(&pfd, 1, 0), pfd.revents);
    d = dup(fds[0]);
    CHECK("dup", d);
    CHECK("dup2", dup2(d, 50));
    CHECK("dup3", dup3(d, 51, O_CLOEXEC));
    printf("read %zd\n", read(50, buf, sizeof buf));
    close(d); close(50); close(51); close(fds[0]); close(fds[1]);
    CHECK("pipe2", pipe2(fds, O_NONBLOCK));
    printf("read-empty %zd %s\n", read(fds[0], buf, 1), strerror(errno));
}

static void test_socket(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), c, a;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sin;
    char buf[16] = { 0 };
    int one = 1;
    CHECK("socket", s);
    CHECK("setsockopt", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    CHECK("bind", bind(s, (struct sockaddr *)&sin, sizeof sin));
    CHECK("getsockname", getsockname(s, (struct sockaddr *)&sin, &len));
    CHECK("listen", listen(s, 1));
    if (fork() == 0) {
        c = socket(AF_INET, SOCK_STREAM, 0);
        connect(c, (struct sockaddr *)&sin, sizeof sin);
        send(c, "hello", 5, 0);
        _exit(0);
    }
    a = accept(s, NULL, NULL);
    CHECK("accept", a);
    printf("recv %zd %s\n", recv(a, buf, sizeof buf, MSG_WAITALL), buf);
    wait(NULL);
    close(a); close(s);
    {
        int sv[2];
        CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        write(sv[0], "x", 1);
        printf("socketpair read %zd\n", read(sv[1], buf, 1));
    }
}

static void test_files(void)
{
    const char *name = "/tmp/pyqemu-linuxapi-file";
    struct utimbuf ub = { 1001, 1000 };
    struct timeval tv[2] = { { 2001, 0 }, { 2000, 0 } };
    struct stat st;
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    CHECK("open", fd);
    close(fd);
    CHECK("utime", utime(name, &ub));
    stat(name, &st);
    printf("utime times %ld %ld\n", (long)st.st_atime, (long)st.st_mtime);
    CHECK("utimes", utimes(name, tv));
    stat(name, &st);
    printf("utimes times %ld %ld\n", (long)st.st_atime, (long)st.st_mtime);
    CHECK("futimesat", syscall(SYS_futimesat, AT_FDCWD, name, tv));
    CHECK("unlink", unlink(name));
}

static void test_shm(void)
{
    int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    char *p;
    struct shmid_ds ds;
    CHECK("shmget", id);
    p = shmat(id, NULL, 0);
    CHECK("shmat", p == (void *)-1 ? -1 : 0);
    if (p != (void *)-1) {
        strcpy(p, "shared");
        printf("shm content %s\n", p);
        CHECK("shmctl-stat", shmctl(id, IPC_STAT, &ds));
        printf("shm size %zu nattch %lu\n", ds.shm_segsz, (unsigned long)ds.shm_nattch);
        CHECK("shmdt", shmdt(p));
    }
    CHECK("shmctl-rmid", shmctl(id, IPC_RMID, NULL));
}

static void test_sched(void)
{
    struct sched_param sp;
    struct timespec ts;
    CHECK("sched_getscheduler", sched_getscheduler(0));
    CHECK("sched_getparam", sched_getparam(0, &sp));
    CHECK("sched_get_priority_max", sched_get_priority_max(SCHED_FIFO));
    CHECK("sched_get_priority_min", sched_get_priority_min(SCHED_FIFO));
    CHECK("sched_rr_get_interval", sched_rr_get_interval(0, &ts));
    CHECK("getpriority", (errno = 0, getpriority(PRIO_PROCESS, 0), errno ? -1 : 0));
    CHECK("setpriority", setpriority(PRIO_PROCESS, 0, 1));
    CHECK("sched_yield", sched_yield());
}

static volatile int thread_sig;
static void on_thread_sig(int sig) { thread_sig++; }
static void *worker(void *arg) { while (!thread_sig) { } return NULL; }

static void test_threads(void)
{
    pthread_t th;
    signal(SIGUSR1, on_thread_sig);
    pthread_create(&th, NULL, worker, NULL);
    CHECK("pthread_kill", pthread_kill(th, SIGUSR1) ? -1 : 0);
    pthread_join(th, NULL);
    printf("thread signal %d\n", thread_sig);
    CHECK("tgkill", syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0));
}

static void test_time(void)
{
    struct timeval tv;
    struct timespec ts = { 0, 1000000 };
    struct rusage ru;
    CHECK("gettimeofday", gettimeofday(&tv, NULL));
    CHECK("nanosleep", nanosleep(&ts, NULL));
    CHECK("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
    CHECK("getrusage", getrusage(RUSAGE_SELF, &ru));
    CHECK("times", times(NULL));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_itimer();
    test_posix_timer();
    test_sigaltstack();
    test_sigmask();
    test_segv();
    test_pipe_select_poll();
    test_socket();
    test_files();
    test_shm();
    test_sched();
    test_threads();
    test_time();
    printf("done\n");
    return 0;
}
