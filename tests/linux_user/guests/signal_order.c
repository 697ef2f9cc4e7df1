/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which of several pending signals runs first when the mask lets them all
 * go at once.  The process sends itself five signals while it blocks them,
 * in an order unlike their numbers (SIGRTMIN+1, SIGTERM, SIGUSR2, SIGRTMIN,
 * SIGUSR1), then unblocks them with one sigprocmask.  Linux (and qemu) take
 * the lowest number first: with handlers that block nothing, each taken
 * signal's frame goes on top of the previous one, so the handlers run from
 * the highest number down; with handlers that block all five, one runs at a
 * time, from the lowest number up.  Prints the order each way.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define COUNT 5

static volatile int order[COUNT];
static volatile int taken;

static void on_signal(int sig)
{
    if (taken < COUNT) {
        order[taken++] = sig;
    }
}

static void round_of(const char *name, int *sigs, int handler_blocks_all)
{
    struct sigaction sa;
    sigset_t block;

    sigemptyset(&block);
    for (int i = 0; i < COUNT; i++) {
        sigaddset(&block, sigs[i]);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    if (handler_blocks_all) {
        sa.sa_mask = block;
    }
    for (int i = 0; i < COUNT; i++) {
        sigaction(sigs[i], &sa, NULL);
    }
    taken = 0;
    sigprocmask(SIG_BLOCK, &block, NULL);
    for (int i = 0; i < COUNT; i++) {
        kill(getpid(), sigs[i]);
    }
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("%s:", name);
    for (int i = 0; i < taken; i++) {
        printf(" %d", order[i]);
    }
    printf("\n");
}

int main(void)
{
    int sigs[COUNT] = {SIGRTMIN + 1, SIGTERM, SIGUSR2, SIGRTMIN, SIGUSR1};

    round_of("nested", sigs, 0);
    round_of("one at a time", sigs, 1);
    return 0;
}
