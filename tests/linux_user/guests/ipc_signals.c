// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipc_signals: System V shared memory, message queues and semaphores, and the
 * signal-waiting calls (rt_sigpending, rt_sigtimedwait, signalfd) and timerfd, used as
 * programs use them; prints what each gives.  Private IPC objects only, removed at the end.
 *
 * Expected status: 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct message { long type; char text[16]; };

/* The result, and errno's name when it failed: errno is read after the call. */
static void report(const char *what, long ret)
{
    int err = errno;

    printf("%s %ld %s\n", what, ret, ret < 0 ? strerror(err) : "");
}

int main(void)
{
    int shm = shmget(IPC_PRIVATE, 3 * 4096 + 100, IPC_CREAT | 0600);
    char *one = shmat(shm, NULL, 0), *two = shmat(shm, NULL, SHM_RDONLY);
    struct shmid_ds ds;

    strcpy(one + 3 * 4096, "shared");
    printf("shm: distinct %d, seen %s, ", one != two, two + 3 * 4096);
    shmctl(shm, IPC_STAT, &ds);
    printf("size %zu attached %lu\n", (size_t)ds.shm_segsz, (unsigned long)ds.shm_nattch);
    if (fork() == 0) {
        strcpy(one, "from the child");
        _exit(0);
    }
    wait(NULL);
    printf("shm: after the child %s; ", two);
    printf("detach %d ", shmdt(two));
    printf("%d, ", shmdt(one));
    report("again", shmdt(one));
    shmctl(shm, IPC_RMID, NULL);

    int queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct message out = { 7, "hello" }, in;
    printf("msg: send %d, ", msgsnd(queue, &out, sizeof(out.text), 0));
    printf("receive %zd ", msgrcv(queue, &in, sizeof(in.text), 0, 0));
    printf("type %ld %s, ", in.type, in.text);
    report("empty", msgrcv(queue, &in, sizeof(in.text), 0, IPC_NOWAIT));
    msgctl(queue, IPC_RMID, NULL);

    int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    struct sembuf up = { 1, 2, 0 }, down = { 1, -1, IPC_NOWAIT };
    unsigned short values[2];
    semop(sem, &up, 1);
    semop(sem, &down, 1);
    struct semid_ds sem_ds;
    semctl(sem, 0, GETALL, values);
    semctl(sem, 0, IPC_STAT, &sem_ds);
    printf("sem: values %u %u, nsems %lu mode %o, otime set %d\n", values[0], values[1],
           (unsigned long)sem_ds.sem_nsems, (unsigned)sem_ds.sem_perm.mode,
           sem_ds.sem_otime != 0);
    semctl(sem, 0, IPC_RMID);

    sigset_t usr, pending;
    siginfo_t info;
    struct timespec none = { 0, 0 }, short_wait = { 0, 20000000 };
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR1);
    sigaddset(&usr, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr, NULL);
    printf("sigtimedwait: ");
    report("nothing", sigtimedwait(&usr, &info, &none));
    report("timed out", sigtimedwait(&usr, &info, &short_wait));
    raise(SIGUSR2);
    sigpending(&pending);
    printf("sigpending: USR1 %d USR2 %d\n", sigismember(&pending, SIGUSR1),
           sigismember(&pending, SIGUSR2));
    printf("sigtimedwait: got %d (SIGUSR2 %d) ", sigtimedwait(&usr, &info, NULL), SIGUSR2);
    printf("code %d\n", info.si_code);

    int timer = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec when = { { 0, 0 }, { 0, 1000000 } };
    unsigned long long ticks = 0;
    timerfd_settime(timer, 0, &when, NULL);
    printf("timerfd: read %zd ", read(timer, &ticks, sizeof(ticks)));
    printf("ticks %llu\n", ticks);
    return 0;
}
