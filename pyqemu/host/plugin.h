/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private header of the C host: the plugin state, callback records and the
 * translated-block records shared by core.c, loader.c, api.c and the
 * execution side (cpu-exec.c and the files of internal.h).
 *
 * It plays the part of QEMU's plugins/plugin.h and include/qemu/plugin.h:
 * the event enum, the per-plugin context, the per-event callback lists and
 * the dynamic (per-block, per-instruction) callback arrays.
 */
#ifndef PYQEMU_HOST_PLUGIN_H
#define PYQEMU_HOST_PLUGIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <capstone/capstone.h>

#include "config-host.h"
#include "engine.h"      /* the engine, only through its boundary */
#include "qemu-plugin.h"
#include "host.h"

/* Events a plugin subscribes to with one callback per plugin (QEMU's values). */
enum qemu_plugin_event {
    QEMU_PLUGIN_EV_VCPU_INIT,
    QEMU_PLUGIN_EV_VCPU_EXIT,
    QEMU_PLUGIN_EV_VCPU_TB_TRANS,
    QEMU_PLUGIN_EV_VCPU_IDLE,
    QEMU_PLUGIN_EV_VCPU_RESUME,
    QEMU_PLUGIN_EV_VCPU_SYSCALL,
    QEMU_PLUGIN_EV_VCPU_SYSCALL_RET,
    QEMU_PLUGIN_EV_FLUSH,
    QEMU_PLUGIN_EV_ATEXIT,
    QEMU_PLUGIN_EV_MAX,
};

union qemu_plugin_cb_sig {
    qemu_plugin_simple_cb_t simple;
    qemu_plugin_udata_cb_t udata;
    qemu_plugin_vcpu_simple_cb_t vcpu_simple;
    qemu_plugin_vcpu_udata_cb_t vcpu_udata;
    qemu_plugin_vcpu_tb_trans_cb_t vcpu_tb_trans;
    qemu_plugin_vcpu_mem_cb_t vcpu_mem;
    qemu_plugin_vcpu_syscall_cb_t vcpu_syscall;
    qemu_plugin_vcpu_syscall_ret_cb_t vcpu_syscall_ret;
    void *generic;
};

struct qemu_plugin_ctx;

/* One plugin's subscription to one event; also a node of that event's list. */
struct qemu_plugin_cb {
    struct qemu_plugin_ctx *ctx;
    union qemu_plugin_cb_sig f;
    void *udata;
    struct qemu_plugin_cb *next;
    struct qemu_plugin_cb *retire_next;     /* in plugin.retired, once unlinked */
};

/* One installed plugin (QEMU's struct qemu_plugin_ctx). */
struct qemu_plugin_ctx {
    void *handle;                       /* from dlopen, owned by the ctx */
    char *name;                         /* the -plugin path, for error reports */
    qemu_plugin_id_t id;
    struct qemu_plugin_cb *callbacks[QEMU_PLUGIN_EV_MAX];
    bool resetting;
    bool uninstalling;
    bool installing;
    bool crashed;                       /* faulted: its atexit callback is not run */
    uintptr_t code_start, code_end;     /* where its code is loaded, for the crash report */
    qemu_plugin_simple_cb_t pending_cb; /* reset/uninstall callback, run after the flush */
    struct plugin_batch *tb_batch;      /* its batched block and memory events, or NULL */
    struct plugin_batch *mem_batch;
    struct qemu_plugin_ctx *next;
};

/*
 * The host's global plugin state (QEMU's struct qemu_plugin_state).
 *
 * vCPUs run at once, and each reads the event lists and the mask without a
 * lock while any thread registers callbacks (QEMU: RCU lists).  A writer
 * holds the lock, fills a node in before it links it (qatomic_rcu_set), and
 * never frees a node it unlinks at once: it goes to @retired and is freed
 * by safe work (plugin_cb_reclaim), once no vCPU is in guest code, where
 * every read of the lists happens (cpu_exec_start..cpu_exec_end).
 */
struct qemu_plugin_state {
    struct qemu_plugin_ctx *ctxs;       /* in load order */
    struct qemu_plugin_cb *cb_lists[QEMU_PLUGIN_EV_MAX];
    struct qemu_plugin_cb *retired;     /* unlinked, freed once no vCPU can reach them */
    uint32_t mask;                      /* bit per event with a subscriber */
    pthread_mutex_t lock;               /* recursive: callbacks may register callbacks */
    int log_fd;                         /* -d plugin target, or -1 when plugin logging is off */
};

extern struct qemu_plugin_state plugin;

/* QEMU's qatomic_rcu_read/qatomic_rcu_set: a pointer published to readers without a lock */
#define qatomic_rcu_read(ptr) __atomic_load_n((ptr), __ATOMIC_ACQUIRE)
#define qatomic_rcu_set(ptr, val) __atomic_store_n((ptr), (val), __ATOMIC_RELEASE)

/* Does some plugin subscribe to @ev (a bit of EV_BIT)?  Read by every vCPU. */
static inline bool plugin_mask_has(uint32_t ev_bit)
{
    return __atomic_load_n(&plugin.mask, __ATOMIC_RELAXED) & ev_bit;
}

/* ---- dynamic callbacks: registered on one block or one instruction ---- */

enum plugin_dyn_cb_type {
    PLUGIN_CB_REGULAR,      /* vcpu_udata callback */
    PLUGIN_CB_INLINE,       /* *(uint64_t *)ptr += imm, done by the host */
    PLUGIN_CB_MEM_REGULAR,  /* vcpu_mem callback */
    PLUGIN_CB_MEM_HADDR,    /* vcpu_mem_haddr callback (pyqemu's meaning of the 5.2 name) */
    PLUGIN_CB_MEM_INLINE,
    PLUGIN_CB_BATCH,        /* append f.imm (the block's vaddr) to batch userp (plugin-batch.c) */
    PLUGIN_CB_MEM_BATCH,    /* append the access to batch userp */
};

struct qemu_plugin_dyn_cb {
    enum plugin_dyn_cb_type type;
    struct qemu_plugin_ctx *ctx;        /* the plugin that registered it */
    enum qemu_plugin_mem_rw rw;
    void *userp;
    union {
        qemu_plugin_vcpu_udata_cb_t regular;
        qemu_plugin_vcpu_mem_cb_t mem;
        qemu_plugin_vcpu_mem_haddr_cb_t mem_haddr;
        uint64_t imm;
    } f;
};

struct dyn_cb_array {
    struct qemu_plugin_dyn_cb *data;
    size_t n;
    size_t cap;
};

#define PLUGIN_INSN_MAX_BYTES 16

struct qemu_plugin_insn {
    uint64_t vaddr;
    void *haddr;
    size_t size;
    uint8_t data[PLUGIN_INSN_MAX_BYTES];
    struct dyn_cb_array exec_cbs;   /* regular, then inline, in registration order */
    struct dyn_cb_array mem_cbs;
    uint8_t ld_sign_shifts;         /* bit per size shift whose loads sign-extend (MO_SIGN) */
    bool mem_big_endian;            /* its accesses byte-swap (MO_BE: movbe) */
};

/*
 * A translated block as plugins see it, plus what the hooks do when it runs.
 *
 * QEMU 7.2 ends a block before any instruction that is not on the page of
 * the block's first byte; the engine's blocks run on across the page.  So
 * one engine block may hold several of these, chained by split_next, each
 * keyed by its start and the bytes left to the engine block's end.
 */
struct qemu_plugin_tb {
    uint64_t vaddr;
    uint32_t size;                  /* bytes from vaddr to the end of the engine's block */
    size_t n;                       /* instructions */
    struct qemu_plugin_insn *insns;
    struct dyn_cb_array exec_cbs;
    bool insn_hooks;                /* some insn has exec or mem callbacks: needs code hooks */
    bool mem_hooks;                 /* some insn has mem callbacks */
    uint64_t ready_serial;          /* 0, or the serial of a vCPU whose engine called every
                                       hook the chain's callbacks need: others that have
                                       the code and memory hooks too may skip the check
                                       (tb_enter) */
    bool folds;                     /* no plugin code runs inside it: its instructions'
                                       inline adds may be made at its start (tb_site) */
    /* the instructions' inline adds, summed per counter: what a whole run of the block adds */
    struct folded_add {
        uint64_t *ptr;
        uint64_t imm;
    } *folded;
    size_t n_folded;
    struct dyn_cb_array entry_cbs;  /* a cut block's callbacks at its first instruction (tb_site) */
    struct qemu_plugin_tb *split_next;  /* the block that follows on the next page, same engine block */
    struct qemu_plugin_tb *hash_next;   /* also the link of tb-maint.c's lists of removed ones */
    struct qemu_plugin_tb *page_next;   /* the next record in its first page's bucket */
    uint64_t drop_gen;                  /* when it was dropped (tb_invalidate_phys_range) */
};

/*
 * Which plugin's code this thread is running, and for which event: read by
 * the crash report (plugin-crash.c) and used to stamp the owner of the
 * callbacks a plugin registers from its tb_trans callback.
 */
struct plugin_cb_context {
    struct qemu_plugin_ctx *ctx;
    const char *event;
};
extern __thread struct plugin_cb_context plugin_cb_context
    __attribute__((tls_model("initial-exec")));

#define PLUGIN_CALL(owner, ev, call)                \
    do {                                            \
        plugin_cb_context.ctx = (owner);            \
        plugin_cb_context.event = (ev);             \
        call;                                       \
        plugin_cb_context.ctx = NULL;               \
    } while (0)

/* meminfo bits, as QEMU 5.2's trace/mem-internal.h lays them out */
#define TRACE_MEM_SE (1u << 4)
#define TRACE_MEM_BE (1u << 5)
#define TRACE_MEM_ST (1u << 6)
/* pyqemu's own bit: an atomic read-modify-write, read and written at once
   (QEMU 7.2's QEMU_PLUGIN_MEM_RW); the API's accessors do not look at it */
#define TRACE_MEM_RMW (1u << 7)

/* ---- batched events (plugin-batch.c) ---- */

/*
 * What a batch hands its plugin: @n block vaddrs (@infos NULL), or @n
 * accesses as parallel arrays of vaddr and meminfo.  Both arrays are the
 * vCPU's buffer, valid during the call only.
 */
typedef void (*plugin_batch_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index,
                                  const uint64_t *vaddrs, const uint32_t *infos, size_t n);

#define PLUGIN_BATCH_MAX_VCPUS 4096

/*
 * A vCPU's buffer, made at its first event or block and never freed: blocks
 * translated for the vCPU append to it inline (engine patch 0026) through
 * @append, whose pos is the next free slot of @vaddrs and end is
 * vaddrs + capacity (pos == end while it is delivered).
 */
struct plugin_batch_vcpu {
    uc_tb_append append;
    uint64_t *vaddrs;
    uint32_t *infos;                /* memory batches only */
    size_t capacity;                /* the batch's when they were made (they hold one more) */
    bool busy;                      /* being delivered */
};

/* One plugin's batch of one kind; never freed (blocks may still point at it). */
struct plugin_batch {
    struct qemu_plugin_ctx *ctx;    /* NULL once dropped: appends are then discarded */
    plugin_batch_cb_t cb;
    bool mem;
    enum qemu_plugin_mem_rw rw;     /* memory batches: which accesses */
    size_t capacity;
    struct plugin_batch_vcpu *vcpus[PLUGIN_BATCH_MAX_VCPUS];
};

void plugin_batch_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
struct plugin_batch *plugin_batch_new(struct qemu_plugin_ctx *ctx, bool mem);
void plugin_batch_set(struct plugin_batch *batch, plugin_batch_cb_t cb, size_t capacity,
                      enum qemu_plugin_mem_rw rw);
void plugin_batch_append_tb(struct plugin_batch *batch, unsigned int vcpu_index,
                            uint64_t vaddr);
void plugin_batch_tb_exec(unsigned int vcpu_index, void *udata);
uc_tb_append *plugin_batch_append_state(struct plugin_batch *batch, unsigned int vcpu_index);
void plugin_batch_tb_full(unsigned int vcpu_index, void *udata);
void plugin_batch_mem_exec(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                           uint64_t vaddr, void *udata);
void plugin_batch_flush_ctx(struct qemu_plugin_ctx *ctx, unsigned int vcpu_index);
void plugin_batch_flush_ctx_all(struct qemu_plugin_ctx *ctx);
void plugin_batch_drop(struct qemu_plugin_ctx *ctx);
size_t plugin_batch_tally(const uint64_t *values, size_t n, uint64_t *keys, uint64_t *counts);

/* Does a callback of @ctx have to deliver the plugin's batches first? */
static inline bool plugin_ctx_batched(const struct qemu_plugin_ctx *ctx)
{
    return ctx && (ctx->tb_batch || ctx->mem_batch);
}

/* ---- core.c ---- */
void plugin_lock(void);
void plugin_unlock(void);
struct qemu_plugin_ctx *plugin_id_to_ctx_locked(qemu_plugin_id_t id);
void plugin_register_cb(qemu_plugin_id_t id, enum qemu_plugin_event ev, void *func);
void plugin_register_cb_udata(qemu_plugin_id_t id, enum qemu_plugin_event ev,
                              void *func, void *udata);
void plugin_unregister_cb__locked(struct qemu_plugin_ctx *ctx, enum qemu_plugin_event ev);
void plugin_vcpu_cb__simple(CPUState *cpu, enum qemu_plugin_event ev);
void plugin_cb__simple(enum qemu_plugin_event ev);
void dyn_cb_array_push(struct dyn_cb_array *arr, const struct qemu_plugin_dyn_cb *cb);
void dyn_cb_array_free(struct dyn_cb_array *arr);
void plugin_log(const char *text);
void qemu_plugin_tb_trans_cb(CPUState *cpu, struct qemu_plugin_tb *tb);
void qemu_plugin_vcpu_syscall(CPUState *cpu, int64_t num, uint64_t a1, uint64_t a2,
                              uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                              uint64_t a7, uint64_t a8);
void qemu_plugin_vcpu_syscall_ret(CPUState *cpu, int64_t num, int64_t ret);
void qemu_plugin_vcpu_mem_cb(unsigned int vcpu_index, const struct qemu_plugin_insn *insn,
                             uint64_t vaddr, qemu_plugin_meminfo_t info);

/* ---- plugin-crash.c ---- */
void plugin_note_code_range(struct qemu_plugin_ctx *ctx, const void *sym);

/* ---- cpus-common.c: the vCPU list as plugins see it ---- */
CPUState *plugin_first_cpu(void);
CPUState *cpu_next(CPUState *cpu);
unsigned int cpu_index_of(const CPUState *cpu);

/* ---- disas.c ---- */
char *plugin_disas_insn(const struct qemu_plugin_insn *insn);

#endif
