/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine boundary: the only code that knows what pyqemu's patches add
 * to Unicorn 2.1.4 (subprojects/unicorn/NNNN-*.patch).  Each entry point is
 * looked up once, by engine_init, into the one struct `engine`; a field left
 * NULL means the stock engine (the wheel's), and the host falls back to
 * hooks.  Every other file calls the patches' functions through `engine`
 * alone and includes no other declaration of them.
 *
 * Layer: the bottom; calls nothing of the host.
 */
#ifndef PYQEMU_HOST_ENGINE_H
#define PYQEMU_HOST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

/* patch 0005: stop a running engine at its next block start, from any thread or handler */
typedef uc_err (*uc_emu_stop_async_fn)(uc_engine *uc);

/*
 * patch 0006: hand the engine the host's record of each block it translates
 * (translated returns it), kept with the translation.
 */
typedef void *(*tb_translated_fn)(void *opaque, uint64_t pc, uint32_t size);
typedef void (*tb_exec_fn)(void *opaque, void *data);
typedef uc_err (*uc_tb_instrument_fn)(uc_engine *uc, tb_translated_fn translated,
                                      tb_exec_fn exec, void *opaque);

/*
 * patch 0007: for each site of a translated block (its start, each
 * instruction's start, after each memory access), the generated code calls
 * fill->fn and adds fill->imm to *fill->counter, as the host says (tb_site).
 */
enum { UC_TB_SITE_BLOCK, UC_TB_SITE_INSN, UC_TB_SITE_LOAD, UC_TB_SITE_STORE, UC_TB_SITE_RMW };
#define UC_TB_SITE_CALLS_HELPERS 1u
typedef struct uc_tb_site_fill {
    void *fn;
    void *udata;
    uint32_t info;
    uint64_t *counter;
    uint64_t imm;
    void *helper_data;
    void **block_slot;
    void *block_value;
    struct uc_tb_append *append;    /* patch 0026: a block site's append, without a call */
    uint64_t append_value;
    void *append_full;
    void *append_udata;
} uc_tb_site_fill;
/*
 * patch 0026: the generated code of a block filled with fill->append does
 * `*append->pos++ = append_value`, then calls append_full(vcpu_index,
 * append_udata) when pos reaches end; the host keeps pos and end.
 */
typedef struct uc_tb_append {
    uint64_t *pos;
    uint64_t *end;
} uc_tb_append;
typedef void (*tb_site_fn)(void *opaque, void *data, int kind, uint64_t pc, uint32_t flags,
                           uc_tb_site_fill *fill);
typedef void (*tb_helper_mem_fn)(void *opaque, void *helper_data, uint64_t vaddr, uint32_t info);
typedef uc_err (*uc_tb_instrument_sites_fn)(uc_engine *uc, tb_site_fn site,
                                            tb_helper_mem_fn helper_mem, uint32_t vcpu_index);

/* patch 0008: translate for parallel execution (CF_PARALLEL): atomics as one access */
typedef uc_err (*uc_tb_sites_parallel_fn)(uc_engine *uc, bool parallel);

/* patch 0010: the x86 instructions the engine executes, by the CPUID table's features */
typedef uc_err (*uc_x86_cpuid_features_fn)(uc_engine *uc, const uint32_t *entries,
                                           size_t count);

/* patch 0027: x86 guest code at the privilege level of @cs and @ss (user mode) */
typedef uc_err (*uc_x86_user_mode_fn)(uc_engine *uc, uint16_t cs, uint16_t ss);
/* patch 0027: the error code of the x86 exception that stopped the engine last */
typedef uc_err (*uc_x86_error_code_fn)(uc_engine *uc, uint32_t *code);

/*
 * patch 0024: called on the engine's thread around 0020's one-instruction
 * atomic step while other engines run (start true before it, false after),
 * so that the host runs it in an exclusive section.
 */
typedef void (*uc_cb_exclusive_step_t)(uc_engine *uc, bool start);
typedef uc_err (*uc_exclusive_step_fn)(uc_cb_exclusive_step_t cb);

/* The patched engine's entry points; NULL where the running engine lacks the patch. */
struct pyqemu_engine {
    uc_emu_stop_async_fn stop_async;                /* 0005 */
    uc_tb_instrument_fn tb_instrument;              /* 0006, used only with 0005 and 0007 */
    uc_tb_instrument_sites_fn tb_sites;             /* 0007 */
    uc_tb_sites_parallel_fn tb_parallel;            /* 0008 */
    uc_x86_cpuid_features_fn x86_cpuid_features;    /* 0010 */
    uc_exclusive_step_fn exclusive_step;            /* 0024 */
    uc_x86_user_mode_fn x86_user_mode;              /* 0027 */
    uc_x86_error_code_fn x86_error_code;            /* 0027 */
};

extern struct pyqemu_engine engine;

/* Fill `engine` from the loaded engine library (once; later calls return at once). */
void engine_init(void);

/*
 * Make this thread's copy of the engine's thread-local state now.  The
 * library is loaded at run time, so glibc makes a thread's copy (with
 * malloc) at its first use, which a signal handler's uc_emu_stop_async must
 * not be (a host signal on a new thread inside malloc hung the process).
 */
void engine_thread_init(void);

#endif
