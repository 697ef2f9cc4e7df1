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
 * Layer: called by Python (host.h) to install the handler; calls core.c and
 * cpus-common.c.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"

static const char *crash_progname = "pyqemu";
static volatile sig_atomic_t crashing;
static char crash_stack[64 * 1024];

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
    const void *pc;
    Dl_info at, base;

#if defined(__x86_64__)
    pc = (const void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    pc = (const void *)uc->uc_mcontext.pc;
#else
    (void)uc;
    return NULL;
#endif
    if (!dladdr(pc, &at)) {
        return NULL;
    }
    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        void *sym = ctx->handle ? dlsym(ctx->handle, "qemu_plugin_install") : NULL;

        if (sym && dladdr(sym, &base) && base.dli_fbase == at.dli_fbase) {
            return ctx;
        }
    }
    return NULL;
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
    char line[768];
    int len;

    if (crashing) {
        die_of(sig);   /* a fault while reporting one: give up at once */
    }
    crashing = 1;
    if (!ctx) {
        /* called from the engine's generated code (cpu-exec.c, tb_site) */
        ctx = plugin_at(ucontext);
        if (!ctx && sig == SIGBUS && info->si_code == BUS_ADRERR && cpu_exec_running()) {
            guest_sigbus(sig);
        }
        plugin_cb_context.event = "exec";
    }
    if (ctx) {
        len = snprintf(line, sizeof(line), "%s: plugin %s crashed in its %s callback (%s at %p)\n",
                       crash_progname, ctx->name ? ctx->name : "?", plugin_cb_context.event,
                       strsignal(sig), info->si_addr);
    } else {
        len = snprintf(line, sizeof(line), "%s: internal error: %s at %p\n", crash_progname,
                       strsignal(sig), info->si_addr);
    }
    if (len > 0) {
        ssize_t ignored = write(2, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line));
        (void)ignored;
    }
    plugin_cb_context.ctx = NULL;
    if (ctx) {
        plugin_unregister_cb__locked(ctx, QEMU_PLUGIN_EV_ATEXIT);
    }
    qemu_plugin_atexit_cb();
    die_of(sig);
}

void plugin_crash_report_init(const char *progname)
{
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
    struct sigaction sa;
    stack_t stack = { .ss_sp = crash_stack, .ss_size = sizeof(crash_stack) };

    crash_progname = strdup(progname);
    sigaltstack(&stack, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = plugin_crash_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
        sigaction(fatal[i], &sa, NULL);
    }
}
