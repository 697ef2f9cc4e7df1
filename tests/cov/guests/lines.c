// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lines.c: a guest whose covered source lines are known, for pyqemu-cov lcov.
 *
 * Run with no arguments.  Each line marked "hit" must be reported as run,
 * each marked "miss" as found but not run, and no other line may be in the
 * line table (built with -O0 -g).  "fn" marks the line a function is declared
 * on, and whether it runs.
 */
static int never_called(int x) {    // miss fn-miss
    return x * 3;                   // miss
}                                   // miss

static int twice(int x) {           // hit fn-hit
    return x * 2;                   // hit
}                                   // hit

int main(int argc, char **argv) {   // hit fn-hit
    int total = 0;                  // hit
    (void)argv;
    if (argc > 5) {                 // hit
        total = never_called(argc); // miss
    }
    total += twice(argc);           // hit
    return total == 2 ? 0 : 1;      // hit
}                                   // hit
