// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Plugin core: the global state, callback registration and the dispatch of
 * events to plugins.  Plays the part of QEMU's plugins/core.c: each plugin
 * holds at most one callback per event, the callbacks of one event form a
 * list with the newest registration first, and a mask records which events
 * have any subscriber so that the emulator can skip the rest.
 *
 * A plugin with batched events (plugin-batch.c) gets its partly filled
 * buffers before each of its other callbacks on the same vCPU, and every
 * translated block is given the batches' appends once the tb_trans
 * callbacks have run.
 *
 * Every vCPU reads the event lists while others may register callbacks: see
 * struct qemu_plugin_state for how the lists are kept safe without a lock
 * on the readers' side.
 *
 * Layer: the bottom of the plugin side, called by everything that raises an
 * event; calls only cpus-common.c (cpu_index_of, async_safe_run_on_cpu) and
 * plugin-batch.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu.h"

struct qemu_plugin_state plugin = { .log_fd = -1 };
__thread struct plugin_cb_context plugin_cb_context;

static const char *const plugin_event_names[QEMU_PLUGIN_EV_MAX] = {
    "vcpu_init", "vcpu_exit", "tb_trans", "vcpu_idle", "vcpu_resume",
    "vcpu_syscall", "vcpu_syscall_ret", "flush", "atexit",
};

static void __attribute__((constructor)) plugin_init(void)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&plugin.lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

void plugin_lock(void)
{
    pthread_mutex_lock(&plugin.lock);
}

void plugin_unlock(void)
{
    pthread_mutex_unlock(&plugin.lock);
}

struct qemu_plugin_ctx *plugin_id_to_ctx_locked(qemu_plugin_id_t id)
{
    struct qemu_plugin_ctx *ctx;

    for (ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        if (ctx->id == id) {
            return ctx;
        }
    }
    fprintf(stderr, "plugin: invalid plugin id %" PRIu64 "\n", id);
    abort();
}

static void plugin_mask_update__locked(void)
{
    uint32_t mask = 0;

    for (int ev = 0; ev < QEMU_PLUGIN_EV_MAX; ev++) {
        if (plugin.cb_lists[ev]) {
            mask |= 1u << ev;
        }
    }
    __atomic_store_n(&plugin.mask, mask, __ATOMIC_RELAXED);
}

/* Safe work: no vCPU is in guest code, so none still walks a retired node. */
static void plugin_cb_reclaim(CPUState *cpu, uintptr_t unused)
{
    struct qemu_plugin_cb *cb, *next;

    (void)cpu;
    (void)unused;
    plugin_lock();
    cb = plugin.retired;
    plugin.retired = NULL;
    plugin_unlock();
    for (; cb; cb = next) {
        next = cb->retire_next;
        free(cb);
    }
}

void plugin_unregister_cb__locked(struct qemu_plugin_ctx *ctx, enum qemu_plugin_event ev)
{
    struct qemu_plugin_cb *cb = ctx->callbacks[ev];
    struct qemu_plugin_cb **link;

    if (!cb) {
        return;
    }
    for (link = &plugin.cb_lists[ev]; *link; link = &(*link)->next) {
        if (*link == cb) {
            qatomic_rcu_set(link, cb->next);
            break;
        }
    }
    ctx->callbacks[ev] = NULL;
    plugin_mask_update__locked();
    /* a vCPU may be at this node now: its next link stays until the safe work frees it */
    cb->retire_next = plugin.retired;
    plugin.retired = cb;
    async_safe_run_on_cpu(current_cpu, plugin_cb_reclaim, 0);
}

/*
 * Register, replace or (func == NULL) remove ctx's callback for ev.  A new
 * callback goes to the head of the event's list, so the plugin that
 * subscribed last is called first, as in QEMU.
 */
static void do_plugin_register_cb(qemu_plugin_id_t id, enum qemu_plugin_event ev,
                                  void *func, void *udata)
{
    struct qemu_plugin_ctx *ctx;

    plugin_lock();
    ctx = plugin_id_to_ctx_locked(id);
    /* a plugin that is on its way out takes no new subscriptions */
    if (ctx->uninstalling) {
        plugin_unlock();
        return;
    }
    if (func) {
        struct qemu_plugin_cb *cb = ctx->callbacks[ev];

        if (cb) {
            /* in place, as QEMU: a vCPU calling it now gets the old or the new one */
            __atomic_store_n(&cb->f.generic, func, __ATOMIC_RELAXED);
            __atomic_store_n(&cb->udata, udata, __ATOMIC_RELAXED);
        } else {
            cb = calloc(1, sizeof(*cb));
            if (!cb) {
                abort();
            }
            cb->ctx = ctx;
            cb->f.generic = func;
            cb->udata = udata;
            cb->next = plugin.cb_lists[ev];
            qatomic_rcu_set(&plugin.cb_lists[ev], cb);
            ctx->callbacks[ev] = cb;
            plugin_mask_update__locked();
        }
    } else {
        plugin_unregister_cb__locked(ctx, ev);
    }
    plugin_unlock();
}

void plugin_register_cb(qemu_plugin_id_t id, enum qemu_plugin_event ev, void *func)
{
    do_plugin_register_cb(id, ev, func, NULL);
}

void plugin_register_cb_udata(qemu_plugin_id_t id, enum qemu_plugin_event ev,
                              void *func, void *udata)
{
    do_plugin_register_cb(id, ev, func, udata);
}

/*
 * Callbacks may uninstall their own plugin, which unlinks and frees the
 * node: keep the next pointer before each call.
 */
void plugin_vcpu_cb__simple(CPUState *cpu, enum qemu_plugin_event ev)
{
    struct qemu_plugin_cb *cb, *next;
    unsigned int index = cpu_index_of(cpu);

    for (cb = qatomic_rcu_read(&plugin.cb_lists[ev]); cb; cb = next) {
        next = qatomic_rcu_read(&cb->next);
        if (plugin_ctx_batched(cb->ctx)) {
            plugin_batch_flush_ctx(cb->ctx, index);
        }
        PLUGIN_CALL(cb->ctx, plugin_event_names[ev], cb->f.vcpu_simple(cb->ctx->id, index));
    }
}

void plugin_cb__simple(enum qemu_plugin_event ev)
{
    struct qemu_plugin_cb *cb, *next;

    for (cb = qatomic_rcu_read(&plugin.cb_lists[ev]); cb; cb = next) {
        next = qatomic_rcu_read(&cb->next);
        PLUGIN_CALL(cb->ctx, plugin_event_names[ev], cb->f.simple(cb->ctx->id));
    }
}

/*
 * Called by Python, on no vCPU's guest code: the vCPU counts as in guest
 * code meanwhile, so that no safe work frees the lists under the loop.
 */
void qemu_plugin_vcpu_init_hook(CPUState *cpu)
{
    cpu_exec_start(cpu);
    plugin_vcpu_cb__simple(cpu, QEMU_PLUGIN_EV_VCPU_INIT);
    cpu_exec_end(cpu);
}

/* A vCPU that leaves delivers every plugin's buffers: its index may be reused. */
void qemu_plugin_vcpu_exit_hook(CPUState *cpu)
{
    cpu_exec_start(cpu);    /* as qemu_plugin_vcpu_init_hook */
    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        if (plugin_ctx_batched(ctx) && !ctx->crashed) {
            plugin_batch_flush_ctx(ctx, cpu_index_of(cpu));
        }
    }
    plugin_vcpu_cb__simple(cpu, QEMU_PLUGIN_EV_VCPU_EXIT);
    cpu_exec_end(cpu);
}

void qemu_plugin_flush_cb(void)
{
    plugin_cb__simple(QEMU_PLUGIN_EV_FLUSH);
}

void qemu_plugin_atexit_cb(void)
{
    struct qemu_plugin_cb *cb, *next;

    /* every plugin's batches are delivered, also to plugins without an atexit callback */
    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        if (plugin_ctx_batched(ctx) && !ctx->crashed) {
            plugin_batch_flush_ctx_all(ctx);
        }
    }
    for (cb = qatomic_rcu_read(&plugin.cb_lists[QEMU_PLUGIN_EV_ATEXIT]); cb; cb = next) {
        next = qatomic_rcu_read(&cb->next);
        if (cb->ctx->crashed) {
            continue;   /* its plugin faulted (plugin-crash.c): its state is not to be trusted */
        }
        PLUGIN_CALL(cb->ctx, "atexit", cb->f.udata(cb->ctx->id, cb->udata));
    }
}

/*
 * The batches' appends on a new block: its vaddr before the block's other
 * callbacks (so a plugin's own exec callback on the block finds the block
 * delivered), and every access of its instructions.
 */
static void plugin_batch_instrument(struct qemu_plugin_tb *tb)
{
    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        if (ctx->tb_batch) {
            struct qemu_plugin_dyn_cb dyn = {
                .ctx = ctx, .type = PLUGIN_CB_BATCH, .userp = ctx->tb_batch, .f.imm = tb->vaddr,
            };
            struct dyn_cb_array *cbs = &tb->exec_cbs;

            dyn_cb_array_push(cbs, &dyn);
            memmove(cbs->data + 1, cbs->data, (cbs->n - 1) * sizeof(*cbs->data));
            cbs->data[0] = dyn;
        }
        if (ctx->mem_batch) {
            struct qemu_plugin_dyn_cb dyn = {
                .ctx = ctx, .type = PLUGIN_CB_MEM_BATCH, .rw = ctx->mem_batch->rw,
                .userp = ctx->mem_batch, .f.mem = plugin_batch_mem_exec,
            };

            for (size_t i = 0; i < tb->n; i++) {
                dyn_cb_array_push(&tb->insns[i].mem_cbs, &dyn);
            }
        }
    }
}

void qemu_plugin_tb_trans_cb(CPUState *cpu, struct qemu_plugin_tb *tb)
{
    struct qemu_plugin_cb *cb, *next;
    unsigned int index = cpu_index_of(cpu);

    for (cb = qatomic_rcu_read(&plugin.cb_lists[QEMU_PLUGIN_EV_VCPU_TB_TRANS]); cb; cb = next) {
        next = qatomic_rcu_read(&cb->next);
        if (plugin_ctx_batched(cb->ctx) && cb->f.vcpu_tb_trans != plugin_batch_tb_trans) {
            plugin_batch_flush_ctx(cb->ctx, index);
        }
        /* the callbacks registered on tb now belong to cb->ctx */
        PLUGIN_CALL(cb->ctx, "tb_trans", cb->f.vcpu_tb_trans(cb->ctx->id, tb));
    }
    plugin_batch_instrument(tb);
}

void qemu_plugin_vcpu_syscall(CPUState *cpu, int64_t num, uint64_t a1, uint64_t a2,
                              uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                              uint64_t a7, uint64_t a8)
{
    struct qemu_plugin_cb *cb, *next;
    unsigned int index = cpu_index_of(cpu);

    for (cb = qatomic_rcu_read(&plugin.cb_lists[QEMU_PLUGIN_EV_VCPU_SYSCALL]); cb; cb = next) {
        next = qatomic_rcu_read(&cb->next);
        if (plugin_ctx_batched(cb->ctx)) {
            plugin_batch_flush_ctx(cb->ctx, index);
        }
        PLUGIN_CALL(cb->ctx, "vcpu_syscall",
                    cb->f.vcpu_syscall(cb->ctx->id, index, num, a1, a2, a3, a4, a5, a6, a7, a8));
    }
}

void qemu_plugin_vcpu_syscall_ret(CPUState *cpu, int64_t num, int64_t ret)
{
    struct qemu_plugin_cb *cb, *next;
    unsigned int index = cpu_index_of(cpu);

    cb = qatomic_rcu_read(&plugin.cb_lists[QEMU_PLUGIN_EV_VCPU_SYSCALL_RET]);
    for (; cb; cb = next) {
        next = qatomic_rcu_read(&cb->next);
        if (plugin_ctx_batched(cb->ctx)) {
            plugin_batch_flush_ctx(cb->ctx, index);
        }
        PLUGIN_CALL(cb->ctx, "vcpu_syscall_ret",
                    cb->f.vcpu_syscall_ret(cb->ctx->id, index, num, ret));
    }
}

/* QEMU's qemu_plugin_vcpu_mem_cb: one access of @insn, after it happened. */
void qemu_plugin_vcpu_mem_cb(unsigned int vcpu_index, const struct qemu_plugin_insn *insn,
                             uint64_t vaddr, qemu_plugin_meminfo_t info)
{
    unsigned int rw = (info & TRACE_MEM_RMW) ? QEMU_PLUGIN_MEM_RW :
                      (info & TRACE_MEM_ST) ? QEMU_PLUGIN_MEM_W : QEMU_PLUGIN_MEM_R;

    for (size_t i = 0; i < insn->mem_cbs.n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &insn->mem_cbs.data[i];

        if (!(cb->rw & rw)) {
            continue;
        }
        if (cb->type == PLUGIN_CB_MEM_BATCH) {
            plugin_batch_mem_exec(vcpu_index, info, vaddr, cb->userp);
            continue;
        }
        if (cb->type != PLUGIN_CB_MEM_INLINE && plugin_ctx_batched(cb->ctx)) {
            plugin_batch_flush_ctx(cb->ctx, vcpu_index);
        }
        switch (cb->type) {
        case PLUGIN_CB_MEM_REGULAR:
            PLUGIN_CALL(cb->ctx, "mem", cb->f.mem(vcpu_index, info, vaddr, cb->userp));
            break;
        case PLUGIN_CB_MEM_HADDR:
            PLUGIN_CALL(cb->ctx, "mem_haddr",
                        cb->f.mem_haddr(vcpu_index, info, vaddr, (void *)(uintptr_t)vaddr,
                                        cb->userp));
            break;
        default:
            *(uint64_t *)cb->userp += cb->f.imm;
            break;
        }
    }
}

void dyn_cb_array_push(struct dyn_cb_array *arr, const struct qemu_plugin_dyn_cb *cb)
{
    if (arr->n == arr->cap) {
        size_t cap = arr->cap ? arr->cap * 2 : 2;
        struct qemu_plugin_dyn_cb *data = realloc(arr->data, cap * sizeof(*data));

        if (!data) {
            abort();
        }
        arr->data = data;
        arr->cap = cap;
    }
    arr->data[arr->n++] = *cb;
}

void dyn_cb_array_free(struct dyn_cb_array *arr)
{
    free(arr->data);
    arr->data = NULL;
    arr->n = arr->cap = 0;
}

void plugin_set_log_fd(int fd)
{
    plugin.log_fd = fd;
}

/* qemu_log_mask(CPU_LOG_PLUGIN, ...): written only when -d plugin is on. */
void plugin_log(const char *text)
{
    size_t len = strlen(text);

    if (plugin.log_fd < 0) {
        return;
    }
    while (len > 0) {
        ssize_t done = write(plugin.log_fd, text, len);

        if (done <= 0) {
            return;
        }
        text += done;
        len -= (size_t)done;
    }
}

int plugin_count(void)
{
    int n = 0;

    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        n++;
    }
    return n;
}
