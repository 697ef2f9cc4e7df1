// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The API a plugin calls: every name of plugins/qemu-plugins.symbols.
 * Plays the part of QEMU's plugins/api.c; most functions hand off to core.c
 * or fill in the per-block and per-instruction callback arrays that
 * plugin-gen.c runs.  The host is built with hidden visibility, so these are
 * the only qemu_plugin_* names it exports (tests check the dynamic table).
 *
 * Also pyqemu's own registration of batched events (plugin_register_batch),
 * hidden like the loader's hooks: Python plugins reach it through cffi.
 *
 * Layer: the top of the plugin side, called by plugins; calls loader.c, core.c,
 * plugin-batch.c, cpus-common.c (the vCPU list), disas.c and plugin-symbols.c.
 */
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

/* plugin-symbols.c, and the loader's hook below: for the QEMU 7.2 level */
const char *plugin_lookup_symbol(uint64_t addr);
void plugin_load_symbols(const char *path, uint64_t load_bias);
void plugin_set_image_info(const char *path, uint64_t start_code, uint64_t end_code,
                           uint64_t entry);

#define API __attribute__((visibility("default")))
/*
 * The names 5.2 listed but QEMU never defined: exported by the 5.2-level host
 * only (QEMU 6.1 took them out of the list, so the 7.2 level hides them).
 */
#if QEMU_PLUGIN_API_LEVEL >= 702
#define API_52_ONLY
#else
#define API_52_ONLY API
#endif

#ifdef CONFIG_PLUGIN

/* ---- life cycle ---- */

API void qemu_plugin_uninstall(qemu_plugin_id_t id, qemu_plugin_simple_cb_t cb)
{
    plugin_reset_uninstall(id, (void *)cb, false);
}

API void qemu_plugin_reset(qemu_plugin_id_t id, qemu_plugin_simple_cb_t cb)
{
    plugin_reset_uninstall(id, (void *)cb, true);
}

/* ---- per-plugin events ---- */

API void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_INIT, (void *)cb);
}

API void qemu_plugin_register_vcpu_exit_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_EXIT, (void *)cb);
}

API void qemu_plugin_register_vcpu_idle_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_IDLE, (void *)cb);
}

API void qemu_plugin_register_vcpu_resume_cb(qemu_plugin_id_t id,
                                             qemu_plugin_vcpu_simple_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_RESUME, (void *)cb);
}

API void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                               qemu_plugin_vcpu_tb_trans_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_TB_TRANS, (void *)cb);
}

API void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t id,
                                              qemu_plugin_vcpu_syscall_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_SYSCALL, (void *)cb);
}

API void qemu_plugin_register_vcpu_syscall_ret_cb(qemu_plugin_id_t id,
                                                  qemu_plugin_vcpu_syscall_ret_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_SYSCALL_RET, (void *)cb);
}

API void qemu_plugin_register_flush_cb(qemu_plugin_id_t id, qemu_plugin_simple_cb_t cb)
{
    plugin_register_cb(id, QEMU_PLUGIN_EV_FLUSH, (void *)cb);
}

API void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                        void *userdata)
{
    plugin_register_cb_udata(id, QEMU_PLUGIN_EV_ATEXIT, (void *)cb, userdata);
}

/*
 * Batched events (plugin-batch.c): @cb gets @capacity block vaddrs (@mem
 * false) or accesses of kind @rw at a time.  A second registration of the
 * same kind replaces the callback and capacity.  Blocks translated before it
 * do not append: a plugin registers its batches at install.  A plugin without
 * a tb_trans callback is given an empty one, as blocks get their appends
 * when some plugin translates them; its own replaces it.  Returns 0, or
 * -1 for a capacity of 0.
 */
int plugin_register_batch(uint64_t id, bool mem, void *cb, size_t capacity, int rw)
{
    struct qemu_plugin_ctx *ctx;
    struct plugin_batch **slot;

    if (!capacity || !cb) {
        return -1;
    }
    plugin_lock();
    ctx = plugin_id_to_ctx_locked(id);
    if (!ctx->uninstalling) {
        slot = mem ? &ctx->mem_batch : &ctx->tb_batch;
        if (!*slot) {
            *slot = plugin_batch_new(ctx, mem);
        }
        plugin_batch_set(*slot, (plugin_batch_cb_t)cb, capacity, (enum qemu_plugin_mem_rw)rw);
        if (!ctx->callbacks[QEMU_PLUGIN_EV_VCPU_TB_TRANS]) {
            /* blocks get their appends when translated for a tb_trans subscriber */
            plugin_register_cb(id, QEMU_PLUGIN_EV_VCPU_TB_TRANS, (void *)plugin_batch_tb_trans);
        }
    }
    plugin_unlock();
    return 0;
}

/* ---- dynamic callbacks, registered from a tb_trans callback ---- */

API void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
                                              qemu_plugin_vcpu_udata_cb_t cb,
                                              enum qemu_plugin_cb_flags flags, void *userdata)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_REGULAR, .userp = userdata, .f.regular = cb,
    };

    (void)flags;
    if (cb) {
        dyn_cb_array_push(&tb->exec_cbs, &dyn);
    }
}

API void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
                                                  enum qemu_plugin_op op, void *ptr,
                                                  uint64_t imm)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_INLINE, .userp = ptr, .f.imm = imm,
    };

    if (op == QEMU_PLUGIN_INLINE_ADD_U64 && ptr) {
        dyn_cb_array_push(&tb->exec_cbs, &dyn);
    }
}

API void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                                qemu_plugin_vcpu_udata_cb_t cb,
                                                enum qemu_plugin_cb_flags flags, void *userdata)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_REGULAR, .userp = userdata, .f.regular = cb,
    };

    (void)flags;
    if (cb) {
        dyn_cb_array_push(&insn->exec_cbs, &dyn);
    }
}

API void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                    enum qemu_plugin_op op, void *ptr,
                                                    uint64_t imm)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_INLINE, .userp = ptr, .f.imm = imm,
    };

    if (op == QEMU_PLUGIN_INLINE_ADD_U64 && ptr) {
        dyn_cb_array_push(&insn->exec_cbs, &dyn);
    }
}

API void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                          qemu_plugin_vcpu_mem_cb_t cb,
                                          enum qemu_plugin_cb_flags flags,
                                          enum qemu_plugin_mem_rw rw, void *userdata)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_MEM_REGULAR, .rw = rw, .userp = userdata, .f.mem = cb,
    };

    (void)flags;
    if (cb) {
        dyn_cb_array_push(&insn->mem_cbs, &dyn);
    }
}

/* Listed but never defined in 5.2: pyqemu's meaning is a mem callback with the host address. */
API_52_ONLY void qemu_plugin_register_vcpu_mem_haddr_cb(struct qemu_plugin_insn *insn,
                                                qemu_plugin_vcpu_mem_haddr_cb_t cb,
                                                enum qemu_plugin_cb_flags flags,
                                                enum qemu_plugin_mem_rw rw, void *userdata)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_MEM_HADDR, .rw = rw, .userp = userdata, .f.mem_haddr = cb,
    };

    (void)flags;
    if (cb) {
        dyn_cb_array_push(&insn->mem_cbs, &dyn);
    }
}

API void qemu_plugin_register_vcpu_mem_inline(struct qemu_plugin_insn *insn,
                                              enum qemu_plugin_mem_rw rw,
                                              enum qemu_plugin_op op, void *ptr, uint64_t imm)
{
    struct qemu_plugin_dyn_cb dyn = {
        .ctx = plugin_cb_context.ctx,
        .type = PLUGIN_CB_MEM_INLINE, .rw = rw, .userp = ptr, .f.imm = imm,
    };

    if (op == QEMU_PLUGIN_INLINE_ADD_U64 && ptr) {
        dyn_cb_array_push(&insn->mem_cbs, &dyn);
    }
}

/* ---- block and instruction introspection ---- */

API size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb)
{
    return tb->n;
}

API uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb)
{
    return tb->vaddr;
}

API struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx)
{
    if (idx >= tb->n) {
        return NULL;
    }
    return &tb->insns[idx];
}

API const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn)
{
    return insn->data;
}

API size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn)
{
    return insn->size;
}

API uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn)
{
    return insn->vaddr;
}

API void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn)
{
    return insn->haddr;
}

API char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn)
{
    return plugin_disas_insn(insn);
}

/* ---- memory access information (bit layout of QEMU's trace/mem-internal.h) ---- */

#define TRACE_MEM_SZ_SHIFT_MASK 0xf
#define TRACE_MEM_SE (1u << 4)
#define TRACE_MEM_BE (1u << 5)
#define TRACE_MEM_ST (1u << 6)

API unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info)
{
    return info & TRACE_MEM_SZ_SHIFT_MASK;
}

API bool qemu_plugin_mem_is_sign_extended(qemu_plugin_meminfo_t info)
{
    return !!(info & TRACE_MEM_SE);
}

API bool qemu_plugin_mem_is_big_endian(qemu_plugin_meminfo_t info)
{
    return !!(info & TRACE_MEM_BE);
}

API bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info)
{
    return !!(info & TRACE_MEM_ST);
}

/* ---- hardware addresses: user mode has none ---- */

API struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info, uint64_t vaddr)
{
    (void)info;
    (void)vaddr;
    return NULL;
}

API bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr)
{
    (void)haddr;
    return false;
}

/* Declared by 5.2 but left out of its export list: defined, not exported. */
uint64_t qemu_plugin_hwaddr_device_offset(const struct qemu_plugin_hwaddr *haddr)
{
    (void)haddr;
    return 0;
}

/* Listed but never defined in 5.2: no RAM address space in user mode. */
API_52_ONLY uint64_t qemu_plugin_hwaddr_to_raddr(const struct qemu_plugin_hwaddr *haddr)
{
    (void)haddr;
    return 0;
}

/* Listed but never defined in 5.2: guest memory lives at guest_base 0. */
API_52_ONLY uint64_t qemu_plugin_ram_addr_from_host(void *haddr)
{
    return (uint64_t)(uintptr_t)haddr;
}

/* ---- vCPUs and output ---- */

API void qemu_plugin_vcpu_for_each(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb)
{
    if (!cb) {
        return;
    }
    for (CPUState *cpu = plugin_first_cpu(); cpu; cpu = cpu_next(cpu)) {
        cb(id, cpu_index_of(cpu));
    }
}

API int qemu_plugin_n_vcpus(void)
{
    return -1;
}

API int qemu_plugin_n_max_vcpus(void)
{
    return -1;
}

API void qemu_plugin_outs(const char *string)
{
    plugin_log(string);
}

/* ---- the program being run (QEMU 7.0's coverage helpers, in 7.2's list) ---- */

/* Set by the ELF loader (pyqemu/plugins/loader.py) once the program is mapped. */
static struct {
    char *path;             /* the name given on the command line (bprm->filename) */
    uint64_t start_code;    /* bounds of the program's executable segments */
    uint64_t end_code;
    uint64_t entry;         /* where the guest starts: the interpreter's entry if any */
} plugin_image;

void plugin_set_image_info(const char *path, uint64_t start_code, uint64_t end_code,
                           uint64_t entry)
{
    free(plugin_image.path);
    plugin_image.path = path ? strdup(path) : NULL;
    plugin_image.start_code = start_code;
    plugin_image.end_code = end_code;
    plugin_image.entry = entry;
}

#if QEMU_PLUGIN_API_LEVEL >= 702

API uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr)
{
    (void)haddr;
    return 0;
}

API const char *qemu_plugin_hwaddr_device_name(const struct qemu_plugin_hwaddr *h)
{
    (void)h;
    return "Invalid";
}

API const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn)
{
    const char *name = plugin_lookup_symbol(insn->vaddr);

    return name[0] ? name : NULL;
}

/* qapi_bool_parse()'s words; anything else is not parsed (false), as in 7.2. */
API bool qemu_plugin_bool_parse(const char *name, const char *val, bool *ret)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };

    if (!name || !val) {
        return false;
    }
    for (size_t i = 0; i < 4; i++) {
        if (!strcmp(val, yes[i]) || !strcmp(val, no[i])) {
            *ret = !strcmp(val, yes[i]);
            return true;
        }
    }
    return false;
}

API const char *qemu_plugin_path_to_binary(void)
{
    return plugin_image.path ? strdup(plugin_image.path) : NULL;
}

API uint64_t qemu_plugin_start_code(void)
{
    return plugin_image.start_code;
}

API uint64_t qemu_plugin_end_code(void)
{
    return plugin_image.end_code;
}

API uint64_t qemu_plugin_entry_code(void)
{
    return plugin_image.entry;
}

#endif /* QEMU_PLUGIN_API_LEVEL >= 702 */

#endif /* CONFIG_PLUGIN */
