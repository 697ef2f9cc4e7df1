// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The C half of the plugin loader: plugin ids, the list of installed
 * plugins, the call to qemu_plugin_install, and reset/uninstall.
 *
 * Plays the part of the second half of QEMU's plugins/loader.c; the first
 * half (option parsing, dlopen and the version check) is Python, in
 * pyqemu/plugins/loader.py, which calls plugin_install_ctx() here.
 *
 * Layer: called by Python and api.c; calls core.c, plugin-batch.c, plugin-crash.c,
 * tb-maint.c (tb_flush) and cpus-common.c (the queue of work the execution loop runs).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The API level this host implements (QEMU 5.2: both 0). */
#define QEMU_PLUGIN_MIN_VERSION 0
#define QEMU_PLUGIN_CUR_VERSION QEMU_PLUGIN_VERSION

typedef int (*qemu_plugin_install_func_t)(qemu_plugin_id_t, const qemu_info_t *, int, char **);

int plugin_version_min(void)
{
    return QEMU_PLUGIN_MIN_VERSION;
}

int plugin_version_cur(void)
{
    return QEMU_PLUGIN_CUR_VERSION;
}

/* xorshift64*: ids look random but come from the ctx address, as in QEMU. */
static uint64_t xorshift64star(uint64_t x)
{
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x * UINT64_C(2685821657736338717);
}

static bool plugin_id_taken__locked(qemu_plugin_id_t id)
{
    for (struct qemu_plugin_ctx *ctx = plugin.ctxs; ctx; ctx = ctx->next) {
        if (ctx->id == id) {
            return true;
        }
    }
    return false;
}

static void plugin_ctx_append__locked(struct qemu_plugin_ctx *ctx)
{
    struct qemu_plugin_ctx **link = &plugin.ctxs;

    while (*link) {
        link = &(*link)->next;
    }
    *link = ctx;
}

static void plugin_ctx_remove__locked(struct qemu_plugin_ctx *ctx)
{
    for (struct qemu_plugin_ctx **link = &plugin.ctxs; *link; link = &(*link)->next) {
        if (*link == ctx) {
            *link = ctx->next;
            return;
        }
    }
}

/*
 * Give a dlopen'ed plugin an id, put it at the end of the list and call its
 * qemu_plugin_install.  argv must outlive the plugin (Python keeps it).
 * Returns install's result; on failure the caller reports it and uninstalls.
 */
int plugin_install_ctx(void *handle, void *install_fn, int argc, char **argv,
                       const char *target_name, const char *name, uint64_t *id_out)
{
    qemu_plugin_install_func_t install = (qemu_plugin_install_func_t)install_fn;
    struct qemu_plugin_ctx *ctx = calloc(1, sizeof(*ctx));
    qemu_info_t info = { 0 };
    uint64_t seed;
    int rc;

    if (!ctx) {
        abort();
    }
    ctx->handle = handle;
    ctx->name = strdup(name);   /* NULL without memory: reports then say "?" */
    plugin_note_code_range(ctx, install_fn);
    plugin_lock();
    seed = (uint64_t)(uintptr_t)ctx;
    do {
        seed = xorshift64star(seed);
    } while (seed == 0 || plugin_id_taken__locked(seed));
    ctx->id = seed;
    *id_out = ctx->id;
    plugin_ctx_append__locked(ctx);

    info.target_name = target_name;
    info.version.min = QEMU_PLUGIN_MIN_VERSION;
    info.version.cur = QEMU_PLUGIN_CUR_VERSION;
    info.system_emulation = false;

    ctx->installing = true;
    PLUGIN_CALL(ctx, "install", rc = install(ctx->id, &info, argc, argv));
    ctx->installing = false;
    plugin_unlock();
    return rc;
}

/* Unsubscribe everything, then run the plugin's reset or uninstall callback. */
static void plugin_reset_destroy__locked(struct qemu_plugin_ctx *ctx)
{
    qemu_plugin_simple_cb_t cb = ctx->pending_cb;
    qemu_plugin_id_t id = ctx->id;

    plugin_batch_drop(ctx);     /* what it buffered, before its reset/uninstall callback */
    for (int ev = 0; ev < QEMU_PLUGIN_EV_MAX; ev++) {
        plugin_unregister_cb__locked(ctx, ev);
    }
    ctx->pending_cb = NULL;
    if (ctx->resetting) {
        if (cb) {
            cb(id);
        }
        ctx->resetting = false;
        return;
    }
    if (ctx->installing) {
        fprintf(stderr, "Calling qemu_plugin_uninstall from the install function is a bug. "
                        "Instead, return !0 from the install function.\n");
        abort();
    }
    plugin_ctx_remove__locked(ctx);
    if (cb) {
        cb(id);
    }
    if (ctx->handle && dlclose(ctx->handle) != 0) {
        fprintf(stderr, "warning: plugin_reset_destroy: %s\n", dlerror());
    }
    free(ctx->name);
    free(ctx);
}

/*
 * Run from the execution loop with the vCPU stopped, as QEMU's
 * async_safe_run_on_cpu work: flush the code (so no block still holds the
 * plugin's callbacks) unless a flush came since the request
 * (@flush_count: tb_flush_count then), then finish every pending reset and
 * uninstall.
 */
static void plugin_flush_destroy(CPUState *cpu, uintptr_t flush_count)
{
    struct qemu_plugin_ctx *ctx, *next;

    if (tb_flush_count() == (unsigned int)flush_count) {
        tb_flush(cpu);
    }
    plugin_lock();
    for (ctx = plugin.ctxs; ctx; ctx = next) {
        next = ctx->next;
        if (ctx->resetting || ctx->uninstalling) {
            plugin_reset_destroy__locked(ctx);
        }
    }
    plugin_unlock();
}

void plugin_reset_uninstall(uint64_t id, void *cb, bool reset)
{
    struct qemu_plugin_ctx *ctx;

    plugin_lock();
    ctx = plugin_id_to_ctx_locked(id);
    if (ctx->uninstalling || (reset && ctx->resetting)) {
        plugin_unlock();
        return;
    }
    ctx->resetting = reset;
    ctx->uninstalling = !reset;
    ctx->pending_cb = (qemu_plugin_simple_cb_t)cb;
    if (current_cpu) {
        /* from a callback: the plugin keeps its callbacks until the flush */
        async_safe_run_on_cpu(current_cpu, plugin_flush_destroy, tb_flush_count());
    } else {
        plugin_reset_destroy__locked(ctx);
    }
    plugin_unlock();
}
