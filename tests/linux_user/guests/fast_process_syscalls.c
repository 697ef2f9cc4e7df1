// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The process calls pyqemu serves in C (pyqemu/host/syscall.c): futex waits,
 * set_robust_list and execve.  Without an argument it makes each kind once
 * with arguments the C path takes (a wait that times out at once, a wait
 * whose word differs, an execve of a missing file) and with arguments it
 * leaves to Python (an unaligned word, an empty bitset, an unmapped timeout,
 * an unmapped argv, a string longer than Linux's MAX_ARG_STRLEN), and prints
 * each result.  With "exec-long" it runs /bin/sh with an argument and an
 * environment string longer than PATH_MAX, which prints their lengths.  With
 * "futex-commands" it makes every futex command once on an unlocked word, with
 * a timeout and a NULL second word (the priority-inheritance ones take and
 * give back the lock), and prints each result.
 * musl, raw syscalls, so the plugins and -strace see only these calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAIT_BITSET_PRIVATE (9 | 128)
#define MAX_ARG_STRLEN (32 * 4096)

/* a result as the kernel gives it: -errno on failure (musl's syscall() sets errno) */
static void put(const char *what, long value)
{
    char line[80];

    if (value == -1) {
        value = -errno;
    }
    syscall(SYS_write, 1, line, snprintf(line, sizeof(line), "%s %ld\n", what, value));
}

/* a NUL-terminated string of @prefix and then @count copies of @fill */
static char *filled(const char *prefix, char fill, size_t count)
{
    size_t head = strlen(prefix);
    char *text = malloc(head + count + 1);

    memcpy(text, prefix, head);
    memset(text + head, fill, count);
    text[head + count] = 0;
    return text;
}

static int exec_long(void)
{
    char *args[] = {"sh", "-c", "printf '%s %s\\n' \"${#1}\" \"${#BIG}\"", "sh",
                    filled("", 'a', 10000), NULL};
    char *env[] = {filled("BIG=", 'b', 20000), NULL};

    put("execve long", syscall(SYS_execve, "/bin/sh", args, env));
    return 1;
}

static int futex_commands(void)
{
    struct timespec timeout = {1, 2};
    char what[40];
    int word = 0;

    for (int cmd = 0; cmd <= 14; cmd++) {
        snprintf(what, sizeof(what), "futex command %d", cmd);
        put(what, syscall(SYS_futex, &word, cmd | 128, 5, &timeout, NULL, 0));
        snprintf(what, sizeof(what), "  word %s", word ? "owned" : "0");
        put(what, 0);
        word = 0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct timespec zero = {0, 0}, bad = {0, 2000000000};
    char *args[] = {"true", NULL};
    char *env[] = {"A=1", NULL};
    int word = 1;

    if (argc > 1 && !strcmp(argv[1], "exec-long")) {
        return exec_long();
    }
    if (argc > 1 && !strcmp(argv[1], "futex-commands")) {
        return futex_commands();
    }
    put("futex wait timeout 0",
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &zero, NULL, 0));
    put("futex wait other value", syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0));
    put("futex wait bad timeout",
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0));
    put("futex wait_bitset past deadline",
        syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 1, &zero, NULL, -1));
    put("futex wait_bitset empty set",
        syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 1, &zero, NULL, 0));
    put("futex wait unaligned",
        syscall(SYS_futex, (char *)&word + 1, FUTEX_WAIT_PRIVATE, 1, &zero, NULL, 0));
    put("futex wait unmapped timeout",
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, (void *)8, NULL, 0));
    put("set_robust_list", syscall(SYS_set_robust_list, NULL, 24));
    put("get_robust_list", syscall(SYS_get_robust_list, 0, NULL, NULL));
    put("execve missing file", syscall(SYS_execve, "/nonexistent/true", args, env));
    put("execve unmapped argv", syscall(SYS_execve, "/bin/true", (char **)8, env));
    args[0] = filled("", 'x', MAX_ARG_STRLEN);
    put("execve string over MAX_ARG_STRLEN", syscall(SYS_execve, "/bin/true", args, env));
    return 0;
}
