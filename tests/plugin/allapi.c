// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * allapi.c: call every function of the plugin API and report what came back.
 *
 * Mirrors QEMU 5.2's plugin API as a whole (include/qemu/qemu-plugin.h and
 * plugins/qemu-plugins.symbols): it references all 38 exported names, uses
 * each one for real where user mode allows, and at exit prints one
 * "name: value" line per check, so a test can compare emulators line by line.
 *
 * Arguments (bare or in QEMU 7.2's "name=on" form):
 *   reset      call qemu_plugin_reset() from the 1000th block execution
 *   uninstall  call qemu_plugin_uninstall() from the 1000th block execution
 *
 * The three names that 5.2 lists but never declares are referenced weakly,
 * so the same .so also loads under QEMU releases without them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/*
 * Build-time checks of the header against the 5.2 ABI: a wrong layout, enum
 * value or callback signature fails the compile.
 */
#if __SIZEOF_POINTER__ == 8
_Static_assert(sizeof(qemu_info_t) == 32, "qemu_info_t size");
_Static_assert(offsetof(qemu_info_t, target_name) == 0, "target_name");
_Static_assert(offsetof(qemu_info_t, version.min) == 8, "version.min");
_Static_assert(offsetof(qemu_info_t, version.cur) == 12, "version.cur");
_Static_assert(offsetof(qemu_info_t, system_emulation) == 16, "system_emulation");
_Static_assert(offsetof(qemu_info_t, system.smp_vcpus) == 20, "smp_vcpus");
_Static_assert(offsetof(qemu_info_t, system.max_vcpus) == 24, "max_vcpus");
#endif
_Static_assert(sizeof(qemu_plugin_id_t) == 8, "qemu_plugin_id_t");
_Static_assert(sizeof(qemu_plugin_meminfo_t) == 4, "qemu_plugin_meminfo_t");
_Static_assert(QEMU_PLUGIN_VERSION == 0, "QEMU_PLUGIN_VERSION");
_Static_assert(QEMU_PLUGIN_CB_NO_REGS == 0 && QEMU_PLUGIN_CB_R_REGS == 1 &&
               QEMU_PLUGIN_CB_RW_REGS == 2, "enum qemu_plugin_cb_flags");
_Static_assert(QEMU_PLUGIN_MEM_R == 1 && QEMU_PLUGIN_MEM_W == 2 &&
               QEMU_PLUGIN_MEM_RW == 3, "enum qemu_plugin_mem_rw");
_Static_assert(QEMU_PLUGIN_INLINE_ADD_U64 == 0, "enum qemu_plugin_op");

#define SAME_TYPE(a, b) __builtin_types_compatible_p(a, b)
_Static_assert(SAME_TYPE(qemu_plugin_simple_cb_t, void (*)(uint64_t)),
               "qemu_plugin_simple_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_udata_cb_t, void (*)(uint64_t, void *)),
               "qemu_plugin_udata_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_simple_cb_t,
                         void (*)(uint64_t, unsigned int)),
               "qemu_plugin_vcpu_simple_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_udata_cb_t,
                         void (*)(unsigned int, void *)),
               "qemu_plugin_vcpu_udata_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_tb_trans_cb_t,
                         void (*)(uint64_t, struct qemu_plugin_tb *)),
               "qemu_plugin_vcpu_tb_trans_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_mem_cb_t,
                         void (*)(unsigned int, uint32_t, uint64_t, void *)),
               "qemu_plugin_vcpu_mem_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_mem_haddr_cb_t,
                         void (*)(unsigned int, uint32_t, uint64_t, void *,
                                  void *)),
               "qemu_plugin_vcpu_mem_haddr_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_syscall_cb_t,
                         void (*)(uint64_t, unsigned int, int64_t, uint64_t,
                                  uint64_t, uint64_t, uint64_t, uint64_t,
                                  uint64_t, uint64_t, uint64_t)),
               "qemu_plugin_vcpu_syscall_cb_t");
_Static_assert(SAME_TYPE(qemu_plugin_vcpu_syscall_ret_cb_t,
                         void (*)(uint64_t, unsigned int, int64_t, int64_t)),
               "qemu_plugin_vcpu_syscall_ret_cb_t");

/* Absent from real QEMU: resolve to NULL there instead of failing dlopen. */
#pragma weak qemu_plugin_register_vcpu_mem_haddr_cb
#pragma weak qemu_plugin_ram_addr_from_host
#pragma weak qemu_plugin_hwaddr_to_raddr

#define PAGE_MASK (~(uint64_t)0xfff)
#define CONTROL_AT_TB_EXEC 1000 /* when "reset"/"uninstall" act */

enum control_mode { CONTROL_NONE, CONTROL_RESET, CONTROL_UNINSTALL };

static qemu_plugin_id_t plugin_id;
static enum control_mode control_mode;
static bool stale_api;

/* What the install call saw. */
static const char *target_name;
static int version_min, version_cur;
static bool system_emulation;
static uint64_t vcpu_for_each_install, vcpu_for_each_exit;

/* Events. */
static uint64_t vcpu_init, vcpu_exit, vcpu_idle, vcpu_resume;
static uint64_t tb_trans, flush, syscall_entries, syscall_returns;

/* Execution: callback and inline counts of the same thing must agree. */
static uint64_t tb_exec_cb, tb_exec_inline, tb_insns_cb, tb_insns_inline;
static uint64_t tb_page_cross_exec;
static uint64_t insn_exec_cb, insn_exec_inline;

/* Memory accesses and their meminfo. */
static uint64_t mem_cb, mem_inline, mem_haddr_cb;
static uint64_t mem_loads, mem_stores, mem_sign_extended, mem_big_endian;
static uint64_t mem_bytes;
static uint64_t get_hwaddr_nonnull, hwaddr_is_io, hwaddr_to_raddr_nonzero;
static uint64_t mem_haddr_null, mem_haddr_ram_addr_mismatch;

/* Introspection done at translation time: each counts a fault (user mode has haddr). */
static uint64_t tb_empty, tb_vaddr_mismatch, tb_get_insn_oob_nonnull;
static uint64_t insn_data_null, insn_size_bad, insn_vaddr_gap, insn_haddr_null;
static uint64_t insn_data_mismatch, insn_disas_empty, insn_ram_addr_mismatch;

static void bump(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/*
 * True when @arg turns on the option @name: the bare word, as QEMU 5.2's
 * "arg=name" delivers it, or "name=on"/"name=true", as QEMU 7.2 rewrites it.
 */
static bool option_is_on(const char *arg, const char *name)
{
    size_t len = strlen(name);

    if (strncmp(arg, name, len) != 0) {
        return false;
    }
    arg += len;
    return !*arg || !strcmp(arg, "=on") || !strcmp(arg, "=true") ||
           !strcmp(arg, "=yes");
}

/* The report, built line by line and printed with one qemu_plugin_outs(). */
static char report_text[8192];
static size_t report_len;

static void report(const char *fmt, ...)
{
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(report_text + report_len, sizeof(report_text) - report_len,
                    fmt, ap);
    va_end(ap);
    if (len > 0 && report_len + len < sizeof(report_text)) {
        report_len += len;
    }
}

static void report_u64(const char *name, uint64_t value)
{
    report("%s: %" PRIu64 "\n", name, value);
}

/* A value that only means something when the three stale names exist. */
static void report_stale(const char *name, uint64_t value)
{
    if (stale_api) {
        report_u64(name, value);
    } else {
        report("%s: n/a\n", name);
    }
}

static void count_vcpu(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    bump(&vcpu_for_each_install);
}

static void count_vcpu_at_exit(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    bump(&vcpu_for_each_exit);
}

/*
 * Prints every check. @id_valid is false inside the uninstall callback, where
 * the id is already retired and must not be passed to the API any more.
 */
static void print_summary(bool id_valid)
{
    report_len = 0;

    report("target_name: %s\n", target_name);
    report("version_min: %d\n", version_min);
    report("version_cur: %d\n", version_cur);
    report("system_emulation: %d\n", system_emulation);
    report("n_vcpus: %d\n", qemu_plugin_n_vcpus());
    report("n_max_vcpus: %d\n", qemu_plugin_n_max_vcpus());
    report("stale_api: %s\n", stale_api ? "present" : "absent");
    report_u64("vcpu_for_each_install", vcpu_for_each_install);
    if (id_valid) {
        vcpu_for_each_exit = 0;
        qemu_plugin_vcpu_for_each(plugin_id, count_vcpu_at_exit);
        report_u64("vcpu_for_each_exit", vcpu_for_each_exit);
    } else {
        report("vcpu_for_each_exit: n/a\n");
    }

    report_u64("vcpu_init", vcpu_init);
    report_u64("vcpu_exit", vcpu_exit);
    report_u64("vcpu_idle", vcpu_idle);
    report_u64("vcpu_resume", vcpu_resume);
    report_u64("tb_trans", tb_trans);
    report_u64("flush", flush);
    report_u64("syscall", syscall_entries);
    report_u64("syscall_ret", syscall_returns);

    report_u64("tb_exec_cb", tb_exec_cb);
    report_u64("tb_exec_inline", tb_exec_inline);
    report_u64("tb_insns_cb", tb_insns_cb);
    report_u64("tb_insns_inline", tb_insns_inline);
    report_u64("tb_page_cross_exec", tb_page_cross_exec);
    report_u64("insn_exec_cb", insn_exec_cb);
    report_u64("insn_exec_inline", insn_exec_inline);

    report_u64("mem_cb", mem_cb);
    report_u64("mem_inline", mem_inline);
    report_stale("mem_haddr_cb", mem_haddr_cb);
    report_u64("mem_loads", mem_loads);
    report_u64("mem_stores", mem_stores);
    report_u64("mem_sign_extended", mem_sign_extended);
    report_u64("mem_big_endian", mem_big_endian);
    report_u64("mem_bytes", mem_bytes);
    report_u64("get_hwaddr_nonnull", get_hwaddr_nonnull);
    report_u64("hwaddr_is_io", hwaddr_is_io);
    report_stale("hwaddr_to_raddr_nonzero", hwaddr_to_raddr_nonzero);
    report_stale("mem_haddr_null", mem_haddr_null);
    report_stale("mem_haddr_ram_addr_mismatch", mem_haddr_ram_addr_mismatch);

    report_u64("tb_empty", tb_empty);
    report_u64("tb_vaddr_mismatch", tb_vaddr_mismatch);
    report_u64("tb_get_insn_oob_nonnull", tb_get_insn_oob_nonnull);
    report_u64("insn_data_null", insn_data_null);
    report_u64("insn_size_bad", insn_size_bad);
    report_u64("insn_vaddr_gap", insn_vaddr_gap);
    report_u64("insn_haddr_null", insn_haddr_null);
    report_u64("insn_data_mismatch", insn_data_mismatch);
    report_u64("insn_disas_empty", insn_disas_empty);
    report_stale("insn_ram_addr_mismatch", insn_ram_addr_mismatch);

    qemu_plugin_outs(report_text);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    print_summary(true);
}

static void on_reset(qemu_plugin_id_t id)
{
    qemu_plugin_outs("reset_cb: 1\n");
    /* The reset dropped the atexit callback too; the plugin lives on. */
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
}

static void on_uninstall(qemu_plugin_id_t id)
{
    qemu_plugin_outs("uninstall_cb: 1\n");
    /* Last chance: the atexit callback is gone and the code goes next. */
    print_summary(false);
}

static void vcpu_init_cb(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    bump(&vcpu_init);
}

static void vcpu_exit_cb(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    bump(&vcpu_exit);
}

static void vcpu_idle_cb(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    bump(&vcpu_idle);
}

static void vcpu_resume_cb(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    bump(&vcpu_resume);
}

static void flush_cb(qemu_plugin_id_t id)
{
    bump(&flush);
}

static void syscall_cb(qemu_plugin_id_t id, unsigned int vcpu_index,
                       int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
                       uint64_t a8)
{
    bump(&syscall_entries);
}

static void syscall_ret_cb(qemu_plugin_id_t id, unsigned int vcpu_idx,
                           int64_t num, int64_t ret)
{
    bump(&syscall_returns);
}

/* @userdata is the block's instruction count. */
static void tb_exec(unsigned int vcpu_index, void *userdata)
{
    uint64_t n_execs = __atomic_add_fetch(&tb_exec_cb, 1, __ATOMIC_RELAXED);

    __atomic_fetch_add(&tb_insns_cb, (uintptr_t)userdata, __ATOMIC_RELAXED);
    if (n_execs != CONTROL_AT_TB_EXEC) {
        return;
    }
    if (control_mode == CONTROL_RESET) {
        qemu_plugin_reset(plugin_id, on_reset);
    } else if (control_mode == CONTROL_UNINSTALL) {
        qemu_plugin_uninstall(plugin_id, on_uninstall);
    }
}

/* @userdata is the counter to bump, which proves it arrives intact. */
static void insn_exec(unsigned int vcpu_index, void *userdata)
{
    bump(userdata);
}

static void mem_access(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                       uint64_t vaddr, void *userdata)
{
    struct qemu_plugin_hwaddr *hwaddr = qemu_plugin_get_hwaddr(info, vaddr);

    bump(userdata);
    bump(qemu_plugin_mem_is_store(info) ? &mem_stores : &mem_loads);
    if (qemu_plugin_mem_is_sign_extended(info)) {
        bump(&mem_sign_extended);
    }
    if (qemu_plugin_mem_is_big_endian(info)) {
        bump(&mem_big_endian);
    }
    __atomic_fetch_add(&mem_bytes, (uint64_t)1 << qemu_plugin_mem_size_shift(info),
                       __ATOMIC_RELAXED);
    /* User mode has no hwaddr; both queries must cope with the NULL. */
    if (hwaddr) {
        bump(&get_hwaddr_nonnull);
    }
    if (qemu_plugin_hwaddr_is_io(hwaddr)) {
        bump(&hwaddr_is_io);
    }
    if (stale_api && qemu_plugin_hwaddr_to_raddr(hwaddr) != 0) {
        bump(&hwaddr_to_raddr_nonzero);
    }
}

static void mem_access_haddr(unsigned int vcpu_index,
                             qemu_plugin_meminfo_t info, uint64_t vaddr,
                             void *haddr, void *userdata)
{
    bump(userdata);
    if (!haddr) {
        bump(&mem_haddr_null);
    } else if (qemu_plugin_ram_addr_from_host(haddr) != vaddr) {
        bump(&mem_haddr_ram_addr_mismatch);
    }
}

/* Checks one instruction's accessors; @expected_vaddr is where it should be. */
static void inspect_insn(const struct qemu_plugin_insn *insn,
                         uint64_t expected_vaddr)
{
    const void *data = qemu_plugin_insn_data(insn);
    size_t size = qemu_plugin_insn_size(insn);
    uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
    void *haddr = qemu_plugin_insn_haddr(insn);
    char *disas = qemu_plugin_insn_disas(insn);

    if (!data) {
        bump(&insn_data_null);
    }
    if (size == 0 || size > 15) {
        bump(&insn_size_bad);
    }
    if (vaddr != expected_vaddr) {
        bump(&insn_vaddr_gap);
    }
    if (!haddr) {
        bump(&insn_haddr_null);
    } else {
        if (data && memcmp(haddr, data, size) != 0) {
            bump(&insn_data_mismatch);
        }
        if (stale_api && qemu_plugin_ram_addr_from_host(haddr) != vaddr) {
            bump(&insn_ram_addr_mismatch);
        }
    }
    if (!disas || !*disas) {
        bump(&insn_disas_empty);
    }
    free(disas);
}

static void instrument_insn(struct qemu_plugin_insn *insn)
{
    qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec,
                                           QEMU_PLUGIN_CB_NO_REGS,
                                           &insn_exec_cb);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                               &insn_exec_inline, 1);
    qemu_plugin_register_vcpu_mem_cb(insn, mem_access, QEMU_PLUGIN_CB_NO_REGS,
                                     QEMU_PLUGIN_MEM_RW, &mem_cb);
    qemu_plugin_register_vcpu_mem_inline(insn, QEMU_PLUGIN_MEM_RW,
                                         QEMU_PLUGIN_INLINE_ADD_U64,
                                         &mem_inline, 1);
    if (stale_api) {
        qemu_plugin_register_vcpu_mem_haddr_cb(insn, mem_access_haddr,
                                               QEMU_PLUGIN_CB_NO_REGS,
                                               QEMU_PLUGIN_MEM_RW,
                                               &mem_haddr_cb);
    }
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n_insns = qemu_plugin_tb_n_insns(tb);
    uint64_t next_vaddr = qemu_plugin_tb_vaddr(tb);
    uint64_t last_start = 0, last_end = 0;
    size_t i;

    bump(&tb_trans);
    if (n_insns == 0) {
        bump(&tb_empty);
    }
    if (qemu_plugin_tb_get_insn(tb, n_insns) != NULL) {
        bump(&tb_get_insn_oob_nonnull);
    }
    for (i = 0; i < n_insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

        inspect_insn(insn, next_vaddr);
        last_start = qemu_plugin_insn_vaddr(insn);
        last_end = last_start + qemu_plugin_insn_size(insn);
        next_vaddr = last_end;
        instrument_insn(insn);
    }
    if (n_insns > 0 && (last_start & PAGE_MASK) != ((last_end - 1) & PAGE_MASK)) {
        /* QEMU 7.2 skips such a block's last instruction's instrumentation. */
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                                 &tb_page_cross_exec, 1);
    }

    qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
                                         (void *)(uintptr_t)n_insns);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &tb_exec_inline, 1);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &tb_insns_inline, n_insns);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    static char target_copy[64];
    int i;

    for (i = 0; i < argc; i++) {
        if (option_is_on(argv[i], "reset")) {
            control_mode = CONTROL_RESET;
        } else if (option_is_on(argv[i], "uninstall")) {
            control_mode = CONTROL_UNINSTALL;
        } else {
            fprintf(stderr, "allapi: unknown argument: %s\n", argv[i]);
            return -1;
        }
    }

    plugin_id = id;
    stale_api = qemu_plugin_register_vcpu_mem_haddr_cb &&
                qemu_plugin_ram_addr_from_host && qemu_plugin_hwaddr_to_raddr;
    /* @info lives only during this call. */
    snprintf(target_copy, sizeof(target_copy), "%s",
             info->target_name ? info->target_name : "(null)");
    target_name = target_copy;
    version_min = info->version.min;
    version_cur = info->version.cur;
    system_emulation = info->system_emulation;
    /* No vCPU exists yet, so this must visit none. */
    qemu_plugin_vcpu_for_each(id, count_vcpu);

    qemu_plugin_register_vcpu_init_cb(id, vcpu_init_cb);
    qemu_plugin_register_vcpu_exit_cb(id, vcpu_exit_cb);
    qemu_plugin_register_vcpu_idle_cb(id, vcpu_idle_cb);
    qemu_plugin_register_vcpu_resume_cb(id, vcpu_resume_cb);
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_flush_cb(id, flush_cb);
    qemu_plugin_register_vcpu_syscall_cb(id, syscall_cb);
    qemu_plugin_register_vcpu_syscall_ret_cb(id, syscall_ret_cb);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
