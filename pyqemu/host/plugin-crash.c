// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A plugin that crashes is named, and the others' results are kept.
 *
 * QEMU simply dies when a plugin faults, and every plugin's atexit output
 * is lost.  pyqemu's host knows which plugin's code each thread runs, and
 * for which event (plugin_cb_context, set around every call the host makes
 * into a plugin; the callbacks the engine's generated code calls directly
 * are found by the faulting address instead, and reported as "exec"), so a
 * fault there prints one line naming both, drops that plugin's own
 * atexit callback, runs the other plugins' atexit callbacks, and then dies
 * of the same signal, as QEMU would have.
 *
 * The handler's own code calls only async-signal-safe functions (write,
 * sigprocmask, signal, raise, _exit; setrlimit, a bare system call): the
 * line is built by hand in a static buffer, each plugin's code range is
 * recorded at install (plugin_note_code_range), not looked up with dladdr,
 * and the crashed plugin's atexit callback is skipped by a flag, not freed.
 * The other plugins' atexit callbacks are the exception, on purpose: they are
 * the plugins' own code, run so that their results are written.
 *
 * A SIGSEGV, SIGBUS, SIGILL or SIGFPE that a process sent is no fault: the
 * handler gives it to the guest (user-signal.c's cpu_signal_sent), as QEMU does.
 *
 * Layer: called by Python (host.h) to install the handler and by loader.c
 * (plugin_note_code_range); calls core.c, cpus-common.c and user-signal.c
 * (internal.h).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <signal.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "plugin.h"

static const char *crash_progname = "pyqemu";
static volatile sig_atomic_t crashing;
static char crash_stack[64 * 1024];

/*
 * Where a plugin's code lies: the span of the loadable segments of the
 * object that holds @sym (its qemu_plugin_install), recorded in @ctx.
 */
struct code_range_query {
    uintptr_t base;
    uintptr_t start, end;
};

static int code_range_of_object(struct dl_phdr_info *info, size_t size, void *opaque)
{
    struct code_range_query *q = opaque;
    uintptr_t start = UINTPTR_MAX, end = 0;

    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

        if (ph->p_type != PT_LOAD) {
            continue;
        }
        if (info->dlpi_addr + ph->p_vaddr < start) {
            start = info->dlpi_addr + ph->p_vaddr;
        }
        if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > end) {
            end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        }
    }
    if (q->base >= start && q->base < end) {
        q->start = start;
        q->end = end;
        return 1;
    }
    return 0;
}

void plugin_note_code_range(struct qemu_plugin_ctx *ctx, const void *sym)
{
    struct code_range_query q = { 0 };
    Dl_info at;

    if (!ctx->handle || !sym || !dladdr(sym, &at)) {
        return;
    }
    q.base = (uintptr_t)at.dli_fbase;
    if (dl_iterate_phdr(code_range_of_object, &q)) {
        ctx->code_start = q.start;
        ctx->code_end = q.end;
    }
}

/* ---- the handler: async-signal-safe from here on ---- */

static void die_of(int sig)
{
    sigset_t set;

    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);   /* blocked while its handler runs */
    raise(sig);
    _exit(128 + sig);
}

/* The plugin whose code holds the faulting instruction, if any. */
static struct qemu_plugin_ctx *plugin_at(const void *ucontext)
{
    const ucontext_t *uc = ucontext;
    uintptr_t pc;

#if defined(__x86_64__)
    pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    pc = (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return NULL;
#endif
    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        if (pc >= ctx->code_start && pc < ctx->code_end) {
            return ctx;
        }
    }
    return NULL;
}

/* A line being built in a fixed buffer, cut at its end. */
struct crash_line {
    char text[768];
    size_t len;
};

static void line_add(struct crash_line *line, const char *s)
{
    while (*s && line->len < sizeof(line->text)) {
        line->text[line->len++] = *s++;
    }
}

/* As printf's %p prints it: 0x and lowercase hex digits, "(nil)" for NULL. */
static void line_add_pointer(struct crash_line *line, const void *p)
{
    static const char digits[] = "0123456789abcdef";
    uintptr_t v = (uintptr_t)p;
    char buf[2 + 2 * sizeof(v) + 1];
    size_t i = sizeof(buf) - 1;

    if (!p) {
        line_add(line, "(nil)");
        return;
    }
    buf[i] = '\0';
    do {
        buf[--i] = digits[v & 0xf];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    line_add(line, &buf[i]);
}

/* strsignal's text for the signals the handler catches. */
static const char *signal_text(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "Segmentation fault";
    case SIGBUS:
        return "Bus error";
    case SIGILL:
        return "Illegal instruction";
    case SIGFPE:
        return "Floating point exception";
    default:
        return "Unknown signal";
    }
}

static void line_write(const struct crash_line *line)
{
    size_t done = 0;

    while (done < line->len) {
        ssize_t n = write(2, line->text + done, line->len - done);

        if (n <= 0) {
            return;
        }
        done += (size_t)n;
    }
}

/*
 * A host SIGBUS for a missing page of a file mapping, raised while the engine
 * runs guest code outside any plugin, is the guest's own: guest memory is host
 * memory at the same address, and an ELF segment (or a guest mmap) whose file
 * range runs past the end of its file faults on those pages as under Linux and
 * qemu-x86_64.  qemu 7.2 hands such a fault to the guest as SIGBUS (BUS_ADRERR);
 * a guest that left SIGBUS at its default (every program the loader tests
 * run) is killed, with qemu's line, and that is what happens here.
 * The engine cannot be resumed from this handler, so a guest SIGBUS handler is
 * not run: the guest dies as if it had none.
 */
static void guest_sigbus(int sig)
{
    static const char line[] = "qemu: uncaught target signal 7 (Bus error) - core dumped\n";
    struct rlimit none = { 0, 0 };
    ssize_t ignored = write(2, line, sizeof(line) - 1);

    (void)ignored;
    qemu_plugin_atexit_cb();
    setrlimit(RLIMIT_CORE, &none);   /* as runner.die_of_signal: no core file */
    die_of(sig);
}

static void plugin_crash_handler(int sig, siginfo_t *info, void *ucontext)
{
    struct qemu_plugin_ctx *ctx = plugin_cb_context.ctx;
    struct crash_line line = { .len = 0 };

    if (!crashing && cpu_signal_sent(sig, info, ucontext)) {
        return;
    }
    if (crashing) {
        die_of(sig);   /* a fault while reporting one: give up at once */
    }
    crashing = 1;
    if (!ctx) {
        /* called from the engine's generated code (plugin-gen.c, tb_site) */
        ctx = plugin_at(ucontext);
        if (!ctx && sig == SIGBUS && info->si_code == BUS_ADRERR && cpu_exec_running()) {
            guest_sigbus(sig);
        }
        plugin_cb_context.event = "exec";
    }
    line_add(&line, crash_progname);
    if (ctx) {
        line_add(&line, ": plugin ");
        line_add(&line, ctx->name ? ctx->name : "?");
        line_add(&line, " crashed in its ");
        line_add(&line, plugin_cb_context.event);
        line_add(&line, " callback (");
    } else {
        line_add(&line, ": internal error: ");
    }
    line_add(&line, signal_text(sig));
    line_add(&line, " at ");
    line_add_pointer(&line, info->si_addr);
    line_add(&line, ctx ? ")\n" : "\n");
    line_write(&line);
    plugin_cb_context.ctx = NULL;
    if (ctx) {
        ctx->crashed = true;    /* its atexit callback is skipped (core.c) */
    }
    qemu_plugin_atexit_cb();
    die_of(sig);
}

void plugin_crash_report_init(const char *progname)
{
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
    struct sigaction sa;
    stack_t stack = { .ss_sp = crash_stack, .ss_size = sizeof(crash_stack) };
    char *name = strdup(progname);

    if (name) {
        crash_progname = name;  /* else the report says "pyqemu" */
    }
    sigaltstack(&stack, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = plugin_crash_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
        sigaction(fatal[i], &sa, NULL);
    }
}
