/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the execution side (QEMU's accel/tcg/internal.h) tell
 * each other, layer by layer.  Each file may call only the sections of the
 * layers below its own (see the comment at the top of each file):
 *
 *   cpu-exec.c        the execution loop, the engine's stop and syscall hooks
 *   translator.c      the engine's translation-time hooks: engine blocks to QEMU's blocks
 *   plugin-gen.c      which callbacks a block runs, and where (sites or hooks)
 *   tb-maint.c        the records of translated blocks: lookup, invalidation, flush
 *   syscall.c         pass-through syscalls served in C
 *   uaccess.c         guest memory rights and copies for the syscall paths
 *   user-exec.c       code written by one vCPU and run by another: watched pages
 *   syscall-mmap.c    mmap, munmap, mprotect and brk served in C; mapping changes' engine side
 *   mmap.c            the guest's region list
 *   user-signal.c     host signals caught for the guest
 *   cpus-common.c     vCPU list, stop requests, safe work (cpu.h)
 *   core.c            plugin callbacks and event dispatch (plugin.h)
 *   engine.c          the engine's patch entry points (engine.h)
 */
#ifndef PYQEMU_HOST_INTERNAL_H
#define PYQEMU_HOST_INTERNAL_H

#include "cpu.h"
#include "target.h"

/* ---- translator.c ---- */
void hook_block(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque);
void hook_noncanonical(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque);
void hook_edge_generated(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *opaque);
void *tb_translated(void *opaque, uint64_t pc, uint32_t size);

/* ---- plugin-gen.c ---- */
void plugin_gen_tb_end(struct qemu_plugin_tb *tb);
void tb_enter(CPUState *cpu, uc_engine *uc, struct qemu_plugin_tb *tb);
void unfold_insn_inline(const struct qemu_plugin_tb *tb, uint64_t pc);
bool tb_contains(const struct qemu_plugin_tb *tb, uint64_t pc);
void split_hooks_clear(CPUState *cpu);
void hook_code(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque);
void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
              void *opaque);
void tb_site(void *opaque, void *data, int kind, uint64_t pc, uint32_t flags,
             uc_tb_site_fill *fill);
void tb_helper_mem(void *opaque, void *helper_data, uint64_t vaddr, uint32_t info);

/* ---- tb-maint.c ---- */
/* the lock of the records' table: held to search or change it (see tb-maint.c) */
void tb_lock(void);
void tb_unlock(void);
bool tb_maint_init(CPUState *cpu);
struct qemu_plugin_tb *tb_lookup(uint64_t vaddr, uint32_t size);
void tb_hash_insert(struct qemu_plugin_tb *tb);
bool tb_code_changed(const struct qemu_plugin_tb *tb);
void tb_invalidate_phys_range(CPUState *cpu, uint64_t start, uint64_t end);
void tb_invalidate_code_changed(CPUState *cpu, uint64_t start, uint64_t end);
void tb_reclaim(CPUState *cpu, uint64_t done_start, uint64_t done_end);
void tb_records_clear(void);
void tb_flush(CPUState *cpu);
void tb_flush_request(CPUState *cpu);
unsigned int tb_flush_count(void);
/* ---- user-exec.c ---- */
bool page_watch_enabled(void);
void page_watch_enable(void);
void page_watch_sync(CPUState *cpu);
uint64_t page_writable_mask(uint64_t start, uint64_t end);
void page_protect_code(CPUState *cpu, uint64_t start, uint64_t end, uint64_t writable);
void hook_page_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                     void *opaque);
void page_watch_free(CPUState *cpu);
/* ---- syscall-mmap.c ---- */
/* mmap, munmap, mprotect, brk (@alone: no other vCPU) served in C: syscall_fast's contract */
bool syscall_fast_mmap(CPUState *cpu, int32_t num, const uint64_t *args, bool alone, long *ret);

/* ---- mmap.c ---- */
#define GUEST_PAGE_SIZE 4096ull
/* first address above x86-64 user space (mmap.py's TASK_SIZE) */
#define GUEST_TASK_SIZE 0x7FFFFFFFF000ull
/* host.h's GuestMap: what syscall-mmap.c changes, with lock held */
struct GuestMap {
    pthread_mutex_t lock;
    GuestMapRegion *r;          /* sorted, disjoint, merged when they continue each other */
    size_t n, cap;
    char **paths;               /* the mapped files' paths, interned: regions point here */
    size_t n_paths;
    uint64_t mmap_base, next_start;     /* QEMU's TASK_UNMAPPED_BASE, mmap_next_start */
    CPUState **listeners;       /* vCPUs whose engines hear of every change */
    size_t n_listeners;
    int python_only;            /* other listeners, or listener calls held back */
    GuestBrk brk;
};
/* has all of [addr, addr + size) the rights @need (1 read, 2 write), and no file if @direct? */
bool guest_map_range_ok(uint64_t addr, uint64_t size, int need, bool direct);
/* index of the first region ending after @addr (n if none) */
size_t guest_map_first_ending_after(const GuestMap *map, uint64_t addr);
/* room for @more regions; false without memory */
bool guest_map_reserve(GuestMap *map, size_t more);
/* @region's part in [start, end), its file offset moved with it (mmap.py's Region.clip) */
GuestMapRegion guest_map_clip(const GuestMapRegion *region, uint64_t start, uint64_t end);
/* GuestMemory._cut and _insert (merging) on a locked map; false without memory */
bool guest_map_cut__locked(GuestMap *map, uint64_t start, uint64_t end);
bool guest_map_insert__locked(GuestMap *map, GuestMapRegion region);

/* ---- uaccess.c ---- */
/* may the guest access all of [addr, addr + size) with rights @need (1 read, 2 write)? */
bool guest_range_ok(uint64_t addr, uint64_t size, int need);
/* the same, and no file is mapped there: direct loads and stores cannot fault */
bool guest_range_direct_ok(uint64_t addr, uint64_t size, int need);
/* the checks of args.py's kinds the fast paths take, as syscall.c uses them */
bool guest_iovec_ok(uint64_t addr, int32_t count, int need);
const char *guest_cstring(uint64_t addr, uint64_t limit);
bool guest_string_array_ok(uint64_t addr);
bool guest_out_ok(uint64_t addr, uint64_t size);
bool guest_fdset_ok(uint64_t addr, int32_t nfds);

/* ---- syscall-signal.c ---- */
/* rt_sigprocmask and rt_sigaction (@alone: no other vCPU) served in C: syscall_fast's contract */
bool syscall_fast_signal(CPUState *cpu, int32_t num, const uint64_t *args, bool alone,
                         long *ret);

/* ---- syscall.c ---- */
bool syscall_fast(CPUState *cpu, int64_t num, const uint64_t *args, int64_t *ret);

/* ---- user-signal.c (and Python, host.h) ---- */
/* the host's disposition of @sig as its guest action and the guest masks ask */
void cpu_signal_sync_host(const target_sigaction *actions, int sig);
/* @ts's mask changed from @old: the dispositions that depend on it follow */
void cpu_signal_mask_changed(TaskSignals *ts, uint64_t old);
/* around a host syscall made for the guest: the signals it blocks blocked on the host */
bool cpu_signal_guest_mask_enter(sigset_t *saved);
void cpu_signal_guest_mask_leave(const sigset_t *saved);
/* a fault signal a process sent (si_code <= 0) is queued for the guest: true (plugin-crash.c) */
bool cpu_signal_sent(int sig, siginfo_t *info, void *uc);
/* execve with the guest's mask as the host thread's (the new program inherits it) */
long cpu_signal_execve(const char *path, uint64_t argv, uint64_t envp, uint64_t guest_mask);

#endif
