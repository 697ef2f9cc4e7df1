// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall.c: log every guest system call and its result.
 *
 * In the spirit of QEMU's later tests/plugin/syscall.c (5.2 has none): each
 * call adds "syscall <num>" to a log, each return "syscall <num> ret <ret>".
 * The log is printed at exit, in call order, followed by "syscalls: N" (the
 * number of calls). Printing only at exit keeps the log out of the guest's
 * own output and in one piece.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;
static size_t log_len;
static size_t log_cap;
static uint64_t n_syscalls;

/* Appends one formatted line to the log; the caller holds log_lock. */
static void log_append(const char *fmt, ...)
{
    va_list ap;
    int len;

    for (;;) {
        va_start(ap, fmt);
        len = vsnprintf(log_text ? log_text + log_len : NULL,
                        log_cap - log_len, fmt, ap);
        va_end(ap);
        if (len < 0) {
            abort();
        }
        if (log_len + len < log_cap) {
            log_len += len;
            return;
        }
        log_cap = (log_cap + len + 1) * 2;
        log_text = realloc(log_text, log_cap);
        if (!log_text) {
            abort();
        }
    }
}

static void vcpu_syscall(qemu_plugin_id_t id, unsigned int vcpu_index,
                         int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
                         uint64_t a8)
{
    pthread_mutex_lock(&log_lock);
    n_syscalls++;
    log_append("syscall %" PRId64 "\n", num);
    pthread_mutex_unlock(&log_lock);
}

static void vcpu_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu_idx,
                             int64_t num, int64_t ret)
{
    pthread_mutex_lock(&log_lock);
    log_append("syscall %" PRId64 " ret %" PRId64 "\n", num, ret);
    pthread_mutex_unlock(&log_lock);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    pthread_mutex_lock(&log_lock);
    log_append("syscalls: %" PRIu64 "\n", n_syscalls);
    qemu_plugin_outs(log_text);
    pthread_mutex_unlock(&log_lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    qemu_plugin_register_vcpu_syscall_cb(id, vcpu_syscall);
    qemu_plugin_register_vcpu_syscall_ret_cb(id, vcpu_syscall_ret);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
