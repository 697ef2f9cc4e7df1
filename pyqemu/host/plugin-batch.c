// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Batched events (pyqemu's own, issue 22): a plugin's executed blocks and
 * memory accesses appended to a per-vCPU buffer by C, and handed to the
 * plugin a buffer at a time, so that a Python plugin pays for one call per
 * buffer instead of one per event.
 *
 * Delivery keeps execution order as the plugin sees it: a vCPU's buffer is
 * delivered when it is full and, partly filled, before any other callback
 * of the same plugin on that vCPU (core.c and plugin-gen.c call
 * plugin_batch_flush_ctx first: syscalls, vCPU exit, tb_trans, its other
 * exec and memory callbacks), and at atexit; a plugin's block and memory
 * batches are delivered together (blocks first).  On pyqemu's engine a
 * block whose one callback is a batch's appends its vaddr in its generated
 * code, without a call (engine patch 0026: a store through the vCPU
 * buffer's position, and a call of plugin_batch_tb_full only when the
 * buffer fills up); other appends are C calls, from plugin-gen.c's sites or
 * from the hooks on the stock engine.
 *
 * Layer: the bottom of the plugin side, beside core.c (called by core.c,
 * plugin-gen.c and api.c); calls nothing of the host.
 */
#include <stdio.h>
#include <stdlib.h>

#include "plugin.h"

/*
 * The tb_trans callback of a plugin with batches and no tb_trans callback of
 * its own: the host gives blocks their appends only when some plugin
 * translates them (core.c, after the tb_trans callbacks).
 */
void plugin_batch_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    (void)tb;
}

struct plugin_batch *plugin_batch_new(struct qemu_plugin_ctx *ctx, bool mem)
{
    struct plugin_batch *batch = calloc(1, sizeof(*batch));

    if (!batch) {
        abort();
    }
    batch->ctx = ctx;
    batch->mem = mem;
    return batch;
}

/* Give @buf arrays of the batch's capacity (one slot more), empty. */
static void batch_vcpu_size(struct plugin_batch *batch, struct plugin_batch_vcpu *buf)
{
    free(buf->vaddrs);
    free(buf->infos);
    buf->vaddrs = malloc((batch->capacity + 1) * sizeof(*buf->vaddrs));
    buf->infos = batch->mem ? malloc((batch->capacity + 1) * sizeof(*buf->infos)) : NULL;
    if (!buf->vaddrs || (batch->mem && !buf->infos)) {
        abort();
    }
    buf->capacity = batch->capacity;
    buf->append.pos = buf->vaddrs;
    buf->append.end = buf->vaddrs + batch->capacity;
}

/* The vCPU's buffer, made at its first use; NULL past PLUGIN_BATCH_MAX_VCPUS. */
static struct plugin_batch_vcpu *batch_vcpu(struct plugin_batch *batch, unsigned int index)
{
    struct plugin_batch_vcpu *buf;

    if (index >= PLUGIN_BATCH_MAX_VCPUS) {
        return NULL;
    }
    buf = batch->vcpus[index];
    if (buf) {
        return buf;
    }
    buf = calloc(1, sizeof(*buf));
    if (!buf) {
        abort();
    }
    batch_vcpu_size(batch, buf);
    /* only this vCPU's thread fills in its slot */
    batch->vcpus[index] = buf;
    return buf;
}

/* Hand the vCPU's buffer to the plugin (a dropped batch's is discarded). */
static void batch_deliver(struct plugin_batch *batch, unsigned int index)
{
    struct plugin_batch_vcpu *buf = index < PLUGIN_BATCH_MAX_VCPUS ? batch->vcpus[index] : NULL;
    struct plugin_cb_context saved = plugin_cb_context;
    size_t n;

    if (!buf || buf->busy || buf->append.pos == buf->vaddrs) {
        return;
    }
    n = (size_t)(buf->append.pos - buf->vaddrs);
    if (batch->ctx && batch->cb) {
        /* a delivery may come inside another callback (a batch registered from
           tb_trans): that callback's context comes back afterwards */
        plugin_cb_context.ctx = batch->ctx;
        plugin_cb_context.event = batch->mem ? "mem_batch" : "tb_batch";
        buf->busy = true;
        buf->append.pos = buf->append.end;     /* no C append while the plugin reads it */
        batch->cb(batch->ctx->id, index, buf->vaddrs, buf->infos, n);
        plugin_cb_context = saved;
        buf->busy = false;
    }
    buf->append.pos = buf->vaddrs;
    if (buf->capacity != batch->capacity) {
        batch_vcpu_size(batch, buf);    /* registered anew with another capacity from its callback */
    }
}

/* Deliver @ctx's partly filled buffers of this vCPU: blocks, then accesses. */
void plugin_batch_flush_ctx(struct qemu_plugin_ctx *ctx, unsigned int vcpu_index)
{
    if (ctx->tb_batch) {
        batch_deliver(ctx->tb_batch, vcpu_index);
    }
    if (ctx->mem_batch) {
        batch_deliver(ctx->mem_batch, vcpu_index);
    }
}

/* Every vCPU's (atexit, a new registration, reset and uninstall). */
void plugin_batch_flush_ctx_all(struct qemu_plugin_ctx *ctx)
{
    for (unsigned int i = 0; i < PLUGIN_BATCH_MAX_VCPUS; i++) {
        if ((ctx->tb_batch && ctx->tb_batch->vcpus[i]) ||
            (ctx->mem_batch && ctx->mem_batch->vcpus[i])) {
            plugin_batch_flush_ctx(ctx, i);
        }
    }
}

/*
 * (Re)register: what is buffered goes to the old callback, then the new
 * callback and capacity hold (a buffer being delivered takes the new
 * capacity once its delivery is over).
 */
void plugin_batch_set(struct plugin_batch *batch, plugin_batch_cb_t cb, size_t capacity,
                      enum qemu_plugin_mem_rw rw)
{
    if (batch->ctx) {
        plugin_batch_flush_ctx_all(batch->ctx);
    }
    batch->cb = cb;
    batch->rw = rw;
    if (capacity == batch->capacity) {
        return;
    }
    batch->capacity = capacity;
    for (unsigned int i = 0; i < PLUGIN_BATCH_MAX_VCPUS; i++) {
        struct plugin_batch_vcpu *buf = batch->vcpus[i];

        if (buf && !buf->busy) {
            batch_vcpu_size(batch, buf);
        }
    }
}

/* reset / uninstall: deliver what is left, then take no more (blocks may still append). */
void plugin_batch_drop(struct qemu_plugin_ctx *ctx)
{
    plugin_batch_flush_ctx_all(ctx);
    if (ctx->tb_batch) {
        ctx->tb_batch->ctx = NULL;
        ctx->tb_batch = NULL;
    }
    if (ctx->mem_batch) {
        ctx->mem_batch->ctx = NULL;
        ctx->mem_batch = NULL;
    }
}

/* A full buffer: the plugin gets it with the other batch of the same plugin. */
static void batch_full(struct plugin_batch *batch, unsigned int vcpu_index)
{
    if (batch->ctx) {
        plugin_batch_flush_ctx(batch->ctx, vcpu_index);
    } else {
        batch->vcpus[vcpu_index]->append.pos = batch->vcpus[vcpu_index]->vaddrs;
    }
}

/* Append one event (a memory batch's with its @info); a full buffer is delivered. */
static void batch_append(struct plugin_batch *batch, unsigned int vcpu_index, uint64_t vaddr,
                         uint32_t info)
{
    struct plugin_batch_vcpu *buf = batch_vcpu(batch, vcpu_index);

    if (!buf || buf->append.pos >= buf->append.end) {
        return;
    }
    if (buf->infos) {
        buf->infos[buf->append.pos - buf->vaddrs] = info;
    }
    *buf->append.pos++ = vaddr;
    if (buf->append.pos == buf->append.end) {
        batch_full(batch, vcpu_index);
    }
}

void plugin_batch_append_tb(struct plugin_batch *batch, unsigned int vcpu_index, uint64_t vaddr)
{
    batch_append(batch, vcpu_index, vaddr, 0);
}

/* Called by the generated code for a block whose one callback is a batch's: @udata is it. */
void plugin_batch_tb_exec(unsigned int vcpu_index, void *udata)
{
    const struct qemu_plugin_dyn_cb *cb = udata;

    plugin_batch_append_tb(cb->userp, vcpu_index, cb->f.imm);
}

/*
 * Where the generated code of the vCPU's blocks appends to @batch (engine
 * patch 0026), the buffer made now if need be; NULL past the last vCPU.
 */
uc_tb_append *plugin_batch_append_state(struct plugin_batch *batch, unsigned int vcpu_index)
{
    struct plugin_batch_vcpu *buf = batch_vcpu(batch, vcpu_index);

    return buf ? &buf->append : NULL;
}

/* Called by the generated code when its append filled the buffer: @udata is the batch. */
void plugin_batch_tb_full(unsigned int vcpu_index, void *udata)
{
    batch_full(udata, vcpu_index);
}

/* A memory callback (PLUGIN_CB_MEM_BATCH's f.mem): @udata is the batch. */
void plugin_batch_mem_exec(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                           uint64_t vaddr, void *udata)
{
    batch_append(udata, vcpu_index, vaddr, info);
}

/*
 * How many times each distinct value occurs in @values (a batch): written to
 * @keys and @counts (room for @n each) in order of first occurrence; returns
 * how many distinct values there are, or SIZE_MAX without memory.  For Python
 * plugins (api.tally), whose Counter.update costs ~70 ns an item where this
 * costs a few: a block batch holds few distinct vaddrs.
 */
size_t plugin_batch_tally(const uint64_t *values, size_t n, uint64_t *keys, uint64_t *counts)
{
    size_t cap = 1024, mask, distinct = 0;
    uint32_t *slots = calloc(cap, sizeof(*slots));   /* 1 + index into keys, 0: empty */

    if (!slots) {
        return SIZE_MAX;
    }
    mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = values[i];
        size_t h = (size_t)((v * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;

        while (slots[h] && keys[slots[h] - 1] != v) {
            h = (h + 1) & mask;
        }
        if (slots[h]) {
            counts[slots[h] - 1]++;
            continue;
        }
        keys[distinct] = v;
        counts[distinct] = 1;
        slots[h] = (uint32_t)++distinct;
        if (distinct * 2 > cap) {
            /* half full: twice the slots, filled again from keys */
            uint32_t *grown = calloc(cap * 2, sizeof(*grown));

            if (!grown) {
                free(slots);
                return SIZE_MAX;
            }
            free(slots);
            slots = grown;
            cap *= 2;
            mask = cap - 1;
            for (size_t k = 0; k < distinct; k++) {
                h = (size_t)((keys[k] * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
                while (slots[h]) {
                    h = (h + 1) & mask;
                }
                slots[h] = (uint32_t)(k + 1);
            }
        }
    }
    free(slots);
    return distinct;
}
