/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The C host's interface to Python: the one small surface through which
 * pyqemu's Python half drives the engine (cpu-exec.c) and the plugin
 * registry (core.c, loader.c).  Everything between CDEF BEGIN and CDEF END
 * is also read by _host_build.py as the cffi declarations, so it holds only
 * plain C declarations that cffi understands.
 */
#ifndef PYQEMU_HOST_H
#define PYQEMU_HOST_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* CDEF BEGIN */
typedef struct CPUState CPUState;

/* Why cpu_exec returned to Python (QEMU's EXCP_* in spirit). */
#define EXCP_SYSCALL_STOP 1   /* the syscall handler asked to stop (exit, signal) */
#define EXCP_SEGV 2           /* invalid or forbidden memory access; see fault_addr */
#define EXCP_ILL 3            /* invalid instruction */
#define EXCP_INTR 4           /* CPU exception or interrupt; see intno */
#define EXCP_ENGINE 5         /* the engine reported another error; see uc_err */
#define EXCP_SIGNAL 6         /* a host signal is pending for the guest; see cpu_signal_take */
#define EXCP_KICK 7           /* its exit request was set (qemu_cpu_kick, queued work) */

/* What the Python syscall handler tells the syscall hook to do next. */
#define SYSCALL_SET_RET 0     /* write the result into the return register */
#define SYSCALL_STOP 1        /* stop execution (no syscall_ret event) */
#define SYSCALL_REGS_SET 2    /* the handler replaced the registers (sigreturn) */

typedef struct {
    uint64_t fault_addr;
    int fault_write;          /* 0 read, 1 write, 2 fetch */
    int intno;
    int uc_err;
    uint64_t pc;
} cpu_exit_info;

/*
 * x86_64 -cpu: the model's CPUID answers for every vCPU created after this call
 * (target-x86_64.c).  entries: count rows of leaf, subleaf (0xffffffff: any), eax, ebx,
 * ecx, edx; a leaf above level/xlevel/xlevel2 answers as leaf `level`, QEMU's rule;
 * topology: leaf 0xb describes one thread of one core.  Returns 0, or -1 without memory.
 */
int cpu_x86_set_cpuid(const uint32_t *entries, size_t count, uint32_t level, uint32_t xlevel,
                      uint32_t xlevel2, bool topology);

/*
 * x86_64: the XSAVE components (CPUID leaf 0xd subleaf 0 EDX:EAX) of the -cpu table, 0 when
 * the model has no XSAVE, -1 without a table (the engine's own model).
 */
int64_t cpu_x86_xsave_components(void);

/*
 * x86_64: run @cpu's guest code in user mode, CS and SS loaded with @cs and @ss from the
 * GDT the vCPU's GDTR names, at their RPL (engine patch 0027; target-x86_64.c).  Returns
 * 0; 1 on an engine without the patch (the vCPU stays at CPL 0); -1 if the engine
 * refused the selectors.
 */
int cpu_x86_user_mode(CPUState *cpu, uint16_t cs, uint16_t ss);

/* x86_64: the error code of the exception that stopped @cpu last (patch 0027), else -1. */
int64_t cpu_x86_error_code(CPUState *cpu);

/* -cpu: the engine's CPU model (UC_CPU_*) for the vCPUs created after this call. */
void cpu_set_engine_model(int model);

/*
 * aarch64 -cpu: what MRS reads from the ID registers, for every vCPU created after
 * this call (target-aarch64.c).  entries: count rows of op0, op1, crn, crm, op2, value.
 * Returns 0, or -1 without memory.
 */
int cpu_aarch64_set_sysregs(const uint64_t *entries, size_t count);

/* The guest architecture ("x86_64", "aarch64", "riscv64"); -1 if unknown. */
int cpu_target_select(const char *name);
CPUState *cpu_create(unsigned int cpu_index);
void cpu_destroy(CPUState *cpu);
int cpu_mem_map_ptr(CPUState *cpu, uint64_t addr, uint64_t size, uint32_t perms, uint64_t host);
int cpu_mem_unmap(CPUState *cpu, uint64_t addr, uint64_t size);
int cpu_mem_protect(CPUState *cpu, uint64_t addr, uint64_t size, uint32_t perms);
int cpu_reg_read(CPUState *cpu, int regid, uint64_t *value);
int cpu_reg_write(CPUState *cpu, int regid, uint64_t value);
int cpu_exec(CPUState *cpu, cpu_exit_info *info);
/*
 * During a syscall of @cpu: how many bytes its pc lies before the instruction after the
 * syscall's (x86_64's syscall instruction: 2; a syscall made by interrupt: 0, the pc is
 * past it already), which a clone child starts at.
 */
unsigned int cpu_syscall_pc_advance(CPUState *cpu);
void cpu_flush_code(CPUState *cpu, uint64_t addr, uint64_t size);
/* Set the vCPU's exit request: cpu_exec returns EXCP_KICK at its next safe point. */
void qemu_cpu_kick(CPUState *cpu);
/* QEMU's async_run_on_cpu: fn(cpu, data) runs on the vCPU's thread at its next safe point. */
void async_run_on_cpu(CPUState *cpu, void (*fn)(CPUState *cpu, uintptr_t data), uintptr_t data);
/*
 * QEMU's async_safe_run_on_cpu: fn(cpu, data) runs once, in an exclusive
 * section, at the next safe point of a vCPU; cpu NULL kicks every vCPU.
 */
void async_safe_run_on_cpu(CPUState *cpu, void (*fn)(CPUState *cpu, uintptr_t data),
                           uintptr_t data);
/* QEMU's exclusive sections: no vCPU runs guest code between the two. */
void start_exclusive(void);
void end_exclusive(void);
/* Is this vCPU in guest code (between cpu_exec_start and cpu_exec_end)? */
bool cpu_in_guest(CPUState *cpu);
const char *cpu_strerror(int err);
int cpu_reg_read_bytes(CPUState *cpu, int regid, uint8_t *buf);
int cpu_reg_write_bytes(CPUState *cpu, int regid, const uint8_t *buf);
/* Registers i = 0..count-1 in buf + i * stride (buf: 64 bytes more, for a wider one). */
int cpu_reg_read_many(CPUState *cpu, const int *regids, size_t count, size_t stride,
                      uint8_t *buf);
int cpu_reg_write_many(CPUState *cpu, const int *regids, size_t count, size_t stride,
                       const uint8_t *buf);

/*
 * Pass-through syscalls served in C (syscall.c): on only when nothing needs to
 * see them in Python (no -strace; an x86_64 guest on an x86_64 host); how many
 * calls C has served.
 */
void syscall_fast_enable(bool on);
/* plain: no -L prefix, guest paths are host paths; exe: the guest program's path */
void syscall_fast_paths(bool plain, const char *exe);
uint64_t syscall_fast_count(void);

/*
 * A guest's address space (mmap.c): its one region list, which mmap.py's
 * GuestMemory reads and changes here and the syscalls served in C read and
 * change too.  A region: [start, end) with the guest's rights (prot), its
 * kind (MAP_SHARED or MAP_PRIVATE, | MAP_ANONYMOUS), the mapped file's path
 * (NULL: anonymous memory; the map's own copy) and the file offset of start.
 */
typedef struct GuestMap GuestMap;
typedef struct GuestMapRegion {
    uint64_t start, end, offset;
    int32_t prot, flags;
    const char *path;
} GuestMapRegion;
GuestMap *guest_map_new(uint64_t mmap_base);
void guest_map_free(GuestMap *map);
/* the regions overlapping [start, end): the first max into out; returns how many there are */
size_t guest_map_find(GuestMap *map, uint64_t start, uint64_t end, GuestMapRegion *out,
                      size_t max);
int guest_map_cut(GuestMap *map, uint64_t start, uint64_t end);     /* 0, or -1: no memory */
int guest_map_insert(GuestMap *map, uint64_t start, uint64_t end, int32_t prot, int32_t flags,
                     uint64_t offset, const char *path);             /* over a free range */
/* QEMU's mmap_next_start: default placements go upward from here */
uint64_t guest_map_next_start(GuestMap *map);
void guest_map_set_next_start(GuestMap *map, uint64_t next_start);
/* a listener: cpu's engine (NULL: one only Python can tell); held: listener calls held back */
void guest_map_listen(GuestMap *map, CPUState *cpu, bool on);
void guest_map_hold(GuestMap *map, bool held);
/* the brk area (mmap.py's set_brk, target_brk): start_brk, brk, and brk_top, the end of
 * the pages mapped for it; the map's own, read and written by Python and by C's brk */
typedef struct GuestBrk {
    uint64_t start_brk, brk, brk_top;
} GuestBrk;
GuestBrk *guest_map_brk(GuestMap *map);
/* the map syscalls of this process check and change (NULL: none) */
void guest_map_use(GuestMap *map);
GuestMap *guest_map_current(void);
bool guest_map_access_ok(GuestMap *map, uint64_t addr, uint64_t size, bool write);
/* syscall/host.py's call (the result or -errno) */
int64_t syscall_host(int64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5);
/* mmap.py's _host_copy in C: false where a page has no backing */
bool syscall_host_copy(void *local, uint64_t remote, uint64_t size, bool to_remote);

/* One guest struct sigaction, as x86_64's rt_sigaction lays it out (QEMU's target_sigaction). */
typedef struct target_sigaction {
    uint64_t handler, flags, restorer, mask;
} target_sigaction;
/*
 * A guest task's signal state that syscalls served in C read and change
 * (syscall-signal.c), shared with Python's signal code through this struct:
 * QEMU's TaskState signal_mask.  queued: the signals in the task's Python
 * queue (linux_user/qemu.py's PendingSignals), bit n-1 for signal n;
 * actions: its process's 64 actions, signal n's at [n - 1], shared by its
 * threads (QEMU's sigact_table; qemu.py's SigactTable).
 */
typedef struct TaskSignals {
    uint64_t mask;      /* the guest's blocked signals, bit n-1 for signal n */
    uint64_t queued;
    target_sigaction *actions;
} TaskSignals;
/* The task whose rt_sigprocmask and rt_sigaction calls on @cpu C serves (NULL: Python). */
void cpu_set_task_signals(CPUState *cpu, TaskSignals *signals);

/* Host signals meant for the guest (linux-user/signal.c's host_signal_handler). */
int cpu_signal_catch(int sig);
/* the signals the host ignored when cpu_signal_catch came (the guest starts so, as qemu) */
uint64_t cpu_signal_inherited_ignored(void);
void cpu_signal_sync_host(const target_sigaction *actions, int sig);
void cpu_signal_mask_changed(TaskSignals *ts, uint64_t old);
long cpu_signal_execve(const char *path, uint64_t argv, uint64_t envp, uint64_t guest_mask);
int cpu_signal_take(uint8_t *info);   /* fills 128 bytes of siginfo */
void cpu_signal_wait(void);
int cpu_signal_wait_for(int64_t timeout_ns);
/* Is a vCPU running guest code (inside the engine) on this process now? */
bool cpu_exec_running(void);

/* The plugin side: install, events that Python raises, logging. */
int plugin_install_ctx(void *handle, void *install_fn, int argc, char **argv,
                       const char *target_name, const char *name, uint64_t *id_out);
void plugin_crash_report_init(const char *progname);
void plugin_reset_uninstall(uint64_t id, void *cb, bool reset);
void qemu_plugin_vcpu_init_hook(CPUState *cpu);
void qemu_plugin_vcpu_exit_hook(CPUState *cpu);
void qemu_plugin_atexit_cb(void);
void qemu_plugin_flush_cb(void);
/* The first thread: translate for parallel execution (CF_PARALLEL) and flush. */
void cpu_enable_parallel(void);
/* May the vCPUs run guest code at once (the engine has patches 0005-0008, 0020, 0024)? */
bool cpu_runs_parallel(void);
/* A new guest thread's host thread, before it takes host signals: see engine_thread_init. */
void cpu_thread_init(void);
void plugin_set_log_fd(int fd);
int plugin_count(void);
int plugin_version_min(void);
int plugin_version_cur(void);
/*
 * Batched events (api.c, plugin-batch.c): cb is
 * void(uint64_t id, unsigned int vcpu_index, const uint64_t *vaddrs,
 *      const uint32_t *infos, size_t n); infos is NULL for blocks (mem false).
 */
int plugin_register_batch(uint64_t id, bool mem, void *cb, size_t capacity, int rw);
/* The distinct values of a batch and their counts (plugin-batch.c); SIZE_MAX: no memory. */
size_t plugin_batch_tally(const uint64_t *values, size_t n, uint64_t *keys, uint64_t *counts);

/* Implemented in Python (pyqemu/accel/cpu.py) and called by the syscall hook. */
/* cffi: extern "Python+C" */ int pyqemu_syscall(CPUState *cpu, int64_t num, uint64_t *args,
                                                 int64_t *ret);
/* CDEF END */

#endif
