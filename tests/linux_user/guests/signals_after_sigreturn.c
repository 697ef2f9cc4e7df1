// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signals that keep arriving while ordinary code runs, each handler returning
 * through rt_sigreturn: the state every signal interrupts must be resumed
 * exactly, wherever it lands (inside a function reached by an indirect call,
 * between its pushes and its return).
 *
 * The work is a fixed chain of indirect calls, so its result does not depend
 * on when the signals come; the process prints it and the number of rounds.
 * A signal frame saved with a stale RIP (the engine's earlier PC with the
 * registers and stack of a later point) makes the chain return into the
 * wrong place: a crash or another result.
 *
 * Usage: signals_after_sigreturn [rounds] [interval_us]
 * Output: "rounds=<n> result=<16 hex digits> signals=<yes|no>\n"
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t signals;

static void on_alarm(int sig)
{
    (void)sig;
    signals++;
}

/* Each step keeps values in callee-saved registers across a call, so a frame
 * resumed at the wrong instruction moves the stack under them. */
typedef uint64_t (*step_fn)(uint64_t, uint64_t);
static uint64_t mix(uint64_t a, uint64_t b);

__attribute__((noinline)) static uint64_t step_a(uint64_t x, uint64_t i)
{
    uint64_t keep1 = x ^ i, keep2 = x + 3 * i, keep3 = x * 7;
    uint64_t m = mix(keep1, keep2);

    return m ^ keep3 ^ (keep1 << 7) ^ (keep2 >> 3);
}

__attribute__((noinline)) static uint64_t step_b(uint64_t x, uint64_t i)
{
    uint64_t keep1 = x * 31 + i, keep2 = ~x, keep3 = i << 11;
    uint64_t m = mix(keep2, keep3);

    return m + keep1 - keep2 + keep3;
}

__attribute__((noinline)) static uint64_t mix(uint64_t a, uint64_t b)
{
    a ^= b * 0x9E3779B97F4A7C15ull;
    a ^= a >> 29;
    a *= 0xBF58476D1CE4E5B9ull;
    return a ^ (a >> 32);
}

static step_fn volatile steps[2] = {step_a, step_b};

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 3000000;
    long interval = argc > 2 ? atol(argv[2]) : 200;
    struct sigaction sa;
    struct itimerval timer = {{0, interval}, {0, interval}};
    uint64_t x = 0x0123456789ABCDEFull;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGALRM, &sa, NULL) != 0 || setitimer(ITIMER_REAL, &timer, NULL) != 0) {
        perror("signals_after_sigreturn: set-up");
        return 2;
    }
    for (long i = 0; i < rounds; i++) {
        x = steps[(x ^ (uint64_t)i) & 1](x, (uint64_t)i);
    }
    timer.it_value.tv_usec = timer.it_interval.tv_usec = 0;
    setitimer(ITIMER_REAL, &timer, NULL);
    printf("rounds=%ld result=%016llx signals=%s\n", rounds, (unsigned long long)x,
           signals > 1 ? "yes" : "no");
    return 0;
}
