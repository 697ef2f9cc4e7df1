/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-plugin.h: the whole interface a TCG plugin sees.
 *
 * Mirrors QEMU 5.2's include/qemu/qemu-plugin.h: the same types, enum values,
 * callback signatures and functions, so a plugin built against QEMU 5.2 builds
 * and runs unchanged under pyqemu. Written for pyqemu from the API's facts.
 *
 * Lifetime in brief: the emulator dlopens the plugin, checks
 * qemu_plugin_version, calls qemu_plugin_install(), and from then on calls the
 * callbacks the plugin registered until the guest exits or the plugin is
 * uninstalled.
 */
#ifndef QEMU_PLUGIN_API_H
#define QEMU_PLUGIN_API_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Symbol visibility. A plugin is built with hidden symbols where possible;
 * only what it marks QEMU_PLUGIN_EXPORT (its version and install entry point)
 * must be visible to the emulator that loads it.
 */
#if defined _WIN32 || defined __CYGWIN__
  #ifdef BUILDING_DLL
    #define QEMU_PLUGIN_EXPORT __declspec(dllexport)
  #else
    #define QEMU_PLUGIN_EXPORT __declspec(dllimport)
  #endif
  #define QEMU_PLUGIN_LOCAL
#else
  #if __GNUC__ >= 4
    #define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
    #define QEMU_PLUGIN_LOCAL  __attribute__((visibility("hidden")))
  #else
    #define QEMU_PLUGIN_EXPORT
    #define QEMU_PLUGIN_LOCAL
  #endif
#endif

/**
 * typedef qemu_plugin_id_t - handle naming one installed plugin instance
 *
 * The emulator picks the value at load time. Pass it back unchanged to the
 * functions that take an id; its bits mean nothing to the plugin.
 */
typedef uint64_t qemu_plugin_id_t;

/*
 * API versioning. The plugin states the version of this header it was built
 * against; the loader refuses a plugin whose version is outside the range it
 * supports.
 */

/**
 * qemu_plugin_version - API version the plugin was built for
 *
 * Every plugin must define it, normally as
 *   QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
 * A plugin without it is not loaded.
 */
extern QEMU_PLUGIN_EXPORT int qemu_plugin_version;

/*
 * The API level this header declares, chosen by the plugin before it
 * includes the header.  702 (the default) is QEMU 7.2's, QEMU_PLUGIN_VERSION
 * 1: what pyqemu's default host exports, so a plugin written for QEMU 7.2
 * builds unmodified; it has qemu_plugin_path_to_binary(),
 * qemu_plugin_start_code()/end_code()/entry_code(), qemu_plugin_insn_symbol(),
 * qemu_plugin_bool_parse() and the hwaddr name/phys_addr pair, and not the
 * names 5.2 listed but never defined.  502 is exactly QEMU 5.2's API,
 * QEMU_PLUGIN_VERSION 0, for plugins that must also load on the 5.2 host
 * (-plugin-api 5.2): -DQEMU_PLUGIN_API_LEVEL=502, or a #define before the
 * #include, as pyqemu's own plugins are built.
 */
#ifndef QEMU_PLUGIN_API_LEVEL
#define QEMU_PLUGIN_API_LEVEL 702
#endif
#if QEMU_PLUGIN_API_LEVEL == 702
#define QEMU_PLUGIN_VERSION 1
#elif QEMU_PLUGIN_API_LEVEL == 502
#define QEMU_PLUGIN_VERSION 0
#else
#error "QEMU_PLUGIN_API_LEVEL must be 502 (QEMU 5.2) or 702 (QEMU 7.2)"
#endif

/**
 * typedef qemu_info_t - what the emulator tells the plugin at install time
 * @target_name: guest architecture name, e.g. "x86_64"
 * @version: @min is the oldest and @cur the newest API version this emulator
 *           accepts
 * @system_emulation: true for a full-system emulator, false in user mode
 * @system: vCPU counts, filled in only when @system_emulation is true
 */
typedef struct {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

/**
 * qemu_plugin_install() - entry point every plugin must define
 * @id: this instance's id; keep it for later calls
 * @info: facts about the emulator (see qemu_info_t)
 * @argc: number of plugin arguments
 * @argv: the plugin arguments, one string per "arg=" given on the command line
 *
 * Return: 0 when the plugin is ready; any other value makes the load fail and
 * the emulator exit.
 *
 * Note: @info is valid only while this function runs; copy what you need.
 * The @argv strings stay valid until the plugin is uninstalled.
 *
 * Note: do not call qemu_plugin_uninstall() from here; return non-zero instead.
 */
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv);

/*
 * Callback types. Callbacks tied to the plugin receive its id; callbacks
 * attached to translated code (the vcpu_udata and vcpu_mem kinds) do not.
 */
typedef void (*qemu_plugin_simple_cb_t)(qemu_plugin_id_t id);

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

typedef void (*qemu_plugin_vcpu_simple_cb_t)(qemu_plugin_id_t id,
                                             unsigned int vcpu_index);

typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
                                            void *userdata);

/**
 * qemu_plugin_uninstall() - remove this plugin from the running emulator
 * @id: the plugin's id
 * @cb: called once the plugin is fully detached, just before it is unloaded
 *
 * Every callback of the plugin is unregistered. When called from inside a
 * callback the work is deferred until the vCPUs are stopped, so more callbacks
 * may arrive before @cb runs.
 *
 * Note: once @cb returns, the plugin's code and data are gone; @cb is the last
 * chance to report results. Its atexit callback will not run. By the time @cb
 * runs the id is retired: @cb must not pass it to any API function.
 *
 * Note: calling this from qemu_plugin_install() is a bug and aborts the
 * emulator; return non-zero from install instead.
 */
void qemu_plugin_uninstall(qemu_plugin_id_t id, qemu_plugin_simple_cb_t cb);

/**
 * qemu_plugin_reset() - drop every callback but stay loaded
 * @id: the plugin's id
 * @cb: called once all callbacks are gone
 *
 * Like qemu_plugin_uninstall() except that the plugin is not unloaded: @cb
 * may register new callbacks.
 *
 * Note: when called from a callback the reset is deferred, as for
 * qemu_plugin_uninstall(). A second reset requested before the first one
 * completed is ignored.
 */
void qemu_plugin_reset(qemu_plugin_id_t id, qemu_plugin_simple_cb_t cb);

/**
 * qemu_plugin_register_vcpu_init_cb() - be told when a vCPU starts
 * @id: the plugin's id
 * @cb: called with the new vCPU's index
 *
 * Note: registering again replaces the previous callback; NULL removes it.
 * The same holds for every qemu_plugin_register_*_cb() that takes an @id.
 */
void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id,
                                       qemu_plugin_vcpu_simple_cb_t cb);

/**
 * qemu_plugin_register_vcpu_exit_cb() - be told when a vCPU is torn down
 * @id: the plugin's id
 * @cb: called with the departing vCPU's index
 *
 * Note: in user mode only a thread that exits while others remain tears its
 * vCPU down; the final exit of the process does not.
 */
void qemu_plugin_register_vcpu_exit_cb(qemu_plugin_id_t id,
                                       qemu_plugin_vcpu_simple_cb_t cb);

/**
 * qemu_plugin_register_vcpu_idle_cb() - be told when a vCPU goes to sleep
 * @id: the plugin's id
 * @cb: called with the vCPU's index
 *
 * Note: only system emulation idles vCPUs; in user mode @cb never runs.
 */
void qemu_plugin_register_vcpu_idle_cb(qemu_plugin_id_t id,
                                       qemu_plugin_vcpu_simple_cb_t cb);

/**
 * qemu_plugin_register_vcpu_resume_cb() - be told when a vCPU wakes up
 * @id: the plugin's id
 * @cb: called with the vCPU's index
 *
 * Note: only system emulation idles vCPUs; in user mode @cb never runs.
 */
void qemu_plugin_register_vcpu_resume_cb(qemu_plugin_id_t id,
                                         qemu_plugin_vcpu_simple_cb_t cb);

/*
 * Opaque handles valid only inside a translation callback (tb, insn) or a
 * memory callback (hwaddr). Never keep them past that call.
 */
struct qemu_plugin_tb;
struct qemu_plugin_insn;

/**
 * enum qemu_plugin_cb_flags - how a callback may use the guest registers
 * @QEMU_PLUGIN_CB_NO_REGS: neither reads nor writes them
 * @QEMU_PLUGIN_CB_R_REGS: reads them
 * @QEMU_PLUGIN_CB_RW_REGS: reads and writes them
 *
 * Note: the emulator may use this to skip syncing register state; declare
 * the weakest access that is true.
 */
enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

/**
 * enum qemu_plugin_mem_rw - which guest memory accesses to instrument
 * @QEMU_PLUGIN_MEM_R: loads
 * @QEMU_PLUGIN_MEM_W: stores
 * @QEMU_PLUGIN_MEM_RW: both (the values form a bit mask)
 */
enum qemu_plugin_mem_rw {
    QEMU_PLUGIN_MEM_R = 1,
    QEMU_PLUGIN_MEM_W,
    QEMU_PLUGIN_MEM_RW,
};

/**
 * typedef qemu_plugin_vcpu_tb_trans_cb_t - translation callback
 * @id: the plugin's id
 * @tb: the block just translated, for inspection and instrumentation
 *
 * Called once per translated block, before it first runs. This is the place
 * to attach execution and memory callbacks to the block and its instructions.
 */
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
                                               struct qemu_plugin_tb *tb);

/**
 * qemu_plugin_register_vcpu_tb_trans_cb() - watch block translation
 * @id: the plugin's id
 * @cb: called for each newly translated block
 *
 * Note: a block is translated once and may run many times; it is translated
 * again only after the code cache has been flushed.
 */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);

/**
 * qemu_plugin_register_vcpu_tb_exec_cb() - run a callback whenever a block runs
 * @tb: the block being translated
 * @cb: called with the vCPU index and @userdata each time the block is entered
 * @flags: the callback's use of guest registers
 * @userdata: passed unchanged to @cb
 *
 * Note: @cb runs before the block's first instruction, even if the block is
 * later left early.
 */
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
                                          qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags,
                                          void *userdata);

/**
 * enum qemu_plugin_op - operations that run inline in translated code
 * @QEMU_PLUGIN_INLINE_ADD_U64: add an immediate to a uint64_t in memory
 */
enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64,
};

/**
 * qemu_plugin_register_vcpu_tb_exec_inline() - update a counter whenever a
 * block runs
 * @tb: the block being translated
 * @op: the operation to perform
 * @ptr: the uint64_t the operation updates
 * @imm: the operand
 *
 * Cheaper than a callback: the update is done in place with no call out.
 *
 * Note: the update is not atomic; with several guest threads, concurrent
 * updates of one counter can be lost.
 */
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
                                              enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);

/**
 * qemu_plugin_register_vcpu_insn_exec_cb() - run a callback before an
 * instruction
 * @insn: the instruction, from qemu_plugin_tb_get_insn()
 * @cb: called with the vCPU index and @userdata each time @insn is about to run
 * @flags: the callback's use of guest registers
 * @userdata: passed unchanged to @cb
 */
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags,
                                            void *userdata);

/**
 * qemu_plugin_register_vcpu_insn_exec_inline() - update a counter before an
 * instruction
 * @insn: the instruction, from qemu_plugin_tb_get_insn()
 * @op: the operation to perform
 * @ptr: the uint64_t the operation updates
 * @imm: the operand
 *
 * Note: not atomic, as for qemu_plugin_register_vcpu_tb_exec_inline().
 */
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);

/*
 * Inspecting a block during its translation callback.
 */

/**
 * qemu_plugin_tb_n_insns() - number of guest instructions in a block
 * @tb: the block being translated
 */
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);

/**
 * qemu_plugin_tb_vaddr() - guest virtual address of a block's first
 * instruction
 * @tb: the block being translated
 */
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

/**
 * qemu_plugin_tb_get_insn() - one instruction of a block
 * @tb: the block being translated
 * @idx: the instruction's position, from 0
 *
 * Return: the instruction handle, or NULL when @idx is not below
 * qemu_plugin_tb_n_insns().
 *
 * Note: the handle is valid only during the translation callback.
 */
struct qemu_plugin_insn *
qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);

/**
 * qemu_plugin_insn_data() - the instruction's bytes
 * @insn: the instruction
 *
 * Return: a pointer to qemu_plugin_insn_size() bytes, as fetched from guest
 * memory at translation time.
 *
 * Note: the bytes belong to the emulator and live only as long as @insn.
 */
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);

/**
 * qemu_plugin_insn_size() - the instruction's length in bytes
 * @insn: the instruction
 */
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

/**
 * qemu_plugin_insn_vaddr() - the instruction's guest virtual address
 * @insn: the instruction
 */
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

/**
 * qemu_plugin_insn_haddr() - where the instruction sits in host memory
 * @insn: the instruction
 *
 * Return: the host pointer to the instruction's bytes in guest memory, or
 * NULL when the emulator cannot give one.
 */
void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);

/*
 * Memory accesses. A memory callback receives a qemu_plugin_meminfo_t that
 * describes the access; decode it only with the accessors below.
 */
typedef uint32_t qemu_plugin_meminfo_t;

struct qemu_plugin_hwaddr;

/**
 * qemu_plugin_mem_size_shift() - log2 of the access size in bytes
 * @info: the access description
 *
 * Return: 0 for a byte, 1 for 2 bytes, 2 for 4 bytes, 3 for 8 bytes.
 */
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);

/**
 * qemu_plugin_mem_is_sign_extended() - was the loaded value sign-extended?
 * @info: the access description
 */
bool qemu_plugin_mem_is_sign_extended(qemu_plugin_meminfo_t info);

/**
 * qemu_plugin_mem_is_big_endian() - was the access big-endian?
 * @info: the access description
 */
bool qemu_plugin_mem_is_big_endian(qemu_plugin_meminfo_t info);

/**
 * qemu_plugin_mem_is_store() - was the access a store?
 * @info: the access description
 *
 * Return: true for a store, false for a load.
 */
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);

/**
 * qemu_plugin_get_hwaddr() - physical-side details of a memory access
 * @info: the access description passed to the memory callback
 * @vaddr: the guest virtual address passed to the memory callback
 *
 * Return: a handle for the qemu_plugin_hwaddr_*() accessors, or NULL.
 *
 * Note: user mode has no physical address space and always returns NULL.
 * Call this only from inside a memory callback; the handle lasts no longer.
 */
struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info,
                                                  uint64_t vaddr);

/**
 * qemu_plugin_hwaddr_is_io() - did the access reach a device rather than RAM?
 * @haddr: a handle from qemu_plugin_get_hwaddr()
 *
 * Note: always false in user mode.
 */
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr);

/**
 * qemu_plugin_hwaddr_device_offset() - offset of the access inside its device
 * @haddr: a handle from qemu_plugin_get_hwaddr()
 *
 * Return: for RAM, the offset in the emulator's RAM space; 0 in user mode.
 *
 * Note: QEMU 5.2 declares this function but does not export it to plugins
 * (it is missing from qemu-plugins.symbols), so a plugin that calls it may
 * fail to load.
 */
#if QEMU_PLUGIN_API_LEVEL < 702
uint64_t qemu_plugin_hwaddr_device_offset(const struct qemu_plugin_hwaddr *haddr);
#endif

/**
 * typedef qemu_plugin_vcpu_mem_cb_t - memory access callback
 * @vcpu_index: the vCPU that made the access
 * @info: what kind of access it was (see the qemu_plugin_mem_*() accessors)
 * @vaddr: the guest virtual address accessed
 * @userdata: the value given at registration
 */
typedef void
(*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index,
                             qemu_plugin_meminfo_t info, uint64_t vaddr,
                             void *userdata);

/**
 * qemu_plugin_register_vcpu_mem_cb() - run a callback on an instruction's
 * memory accesses
 * @insn: the instruction, from qemu_plugin_tb_get_insn()
 * @cb: called once per matching access
 * @flags: the callback's use of guest registers
 * @rw: which accesses to report: loads, stores or both
 * @userdata: passed unchanged to @cb
 *
 * Note: @cb runs after the access has completed; an access that faults is
 * not reported.
 */
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                      qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags,
                                      enum qemu_plugin_mem_rw rw,
                                      void *userdata);

/**
 * qemu_plugin_register_vcpu_mem_inline() - update a counter on an
 * instruction's memory accesses
 * @insn: the instruction, from qemu_plugin_tb_get_insn()
 * @rw: which accesses to count: loads, stores or both
 * @op: the operation to perform
 * @ptr: the uint64_t the operation updates
 * @imm: the operand
 *
 * Note: not atomic, as for qemu_plugin_register_vcpu_tb_exec_inline().
 */
void qemu_plugin_register_vcpu_mem_inline(struct qemu_plugin_insn *insn,
                                          enum qemu_plugin_mem_rw rw,
                                          enum qemu_plugin_op op, void *ptr,
                                          uint64_t imm);

/*
 * System calls (user mode only).
 */

/**
 * typedef qemu_plugin_vcpu_syscall_cb_t - called before a guest system call
 * @id: the plugin's id
 * @vcpu_index: the vCPU making the call
 * @num: the guest's system call number
 * @a1: first argument
 * @a2: second argument
 * @a3: third argument
 * @a4: fourth argument
 * @a5: fifth argument
 * @a6: sixth argument
 * @a7: seventh argument (meaningless for most calls)
 * @a8: eighth argument (meaningless for most calls)
 */
typedef void
(*qemu_plugin_vcpu_syscall_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index,
                                 int64_t num, uint64_t a1, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5,
                                 uint64_t a6, uint64_t a7, uint64_t a8);

/**
 * qemu_plugin_register_vcpu_syscall_cb() - watch system calls as they start
 * @id: the plugin's id
 * @cb: called before each guest system call, exit and exit_group included
 */
void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t id,
                                          qemu_plugin_vcpu_syscall_cb_t cb);

/**
 * typedef qemu_plugin_vcpu_syscall_ret_cb_t - called after a guest system call
 * @id: the plugin's id
 * @vcpu_idx: the vCPU that made the call
 * @num: the guest's system call number
 * @ret: the value returned to the guest; a negative errno on failure
 */
typedef void
(*qemu_plugin_vcpu_syscall_ret_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_idx,
                                     int64_t num, int64_t ret);

/**
 * qemu_plugin_register_vcpu_syscall_ret_cb() - watch system calls as they end
 * @id: the plugin's id
 * @cb: called after each guest system call that returns
 *
 * Note: exit and exit_group never return, so they produce no call to @cb.
 */
void
qemu_plugin_register_vcpu_syscall_ret_cb(qemu_plugin_id_t id,
                                         qemu_plugin_vcpu_syscall_ret_cb_t cb);

/**
 * qemu_plugin_insn_disas() - the instruction in assembler syntax
 * @insn: the instruction
 *
 * Return: a newly allocated string; the caller frees it with free().
 *
 * Note: call it only during a translation or execution callback.
 */
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);

/**
 * qemu_plugin_vcpu_for_each() - call a function for every running vCPU
 * @id: the plugin's id
 * @cb: called with each vCPU's index; NULL does nothing
 *
 * Note: only vCPUs that have already started are visited, so during
 * qemu_plugin_install() there are none.
 */
void qemu_plugin_vcpu_for_each(qemu_plugin_id_t id,
                               qemu_plugin_vcpu_simple_cb_t cb);

/**
 * qemu_plugin_register_flush_cb() - be told when translated code is discarded
 * @id: the plugin's id
 * @cb: called after the code cache has been flushed
 *
 * Note: blocks run after a flush are translated again, so translation
 * callbacks fire for them again.
 */
void qemu_plugin_register_flush_cb(qemu_plugin_id_t id,
                                   qemu_plugin_simple_cb_t cb);

/**
 * qemu_plugin_register_atexit_cb() - be told when the emulator exits
 * @id: the plugin's id
 * @cb: called once as the guest program ends
 * @userdata: passed unchanged to @cb
 *
 * Note: the usual place to print results.
 */
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                    qemu_plugin_udata_cb_t cb, void *userdata);

/**
 * qemu_plugin_n_vcpus() - number of vCPUs the system was started with
 *
 * Return: the count in system emulation; -1 in user mode, where threads come
 * and go.
 */
int qemu_plugin_n_vcpus(void);

/**
 * qemu_plugin_n_max_vcpus() - most vCPUs the system may ever have
 *
 * Return: the limit in system emulation; -1 in user mode.
 */
int qemu_plugin_n_max_vcpus(void);

/**
 * qemu_plugin_outs() - write text to the emulator's log
 * @string: NUL-terminated text, written as is
 *
 * Note: the text appears only when plugin logging is on (-d plugin); it goes
 * to the -D file if one was given, else to stderr.
 */
void qemu_plugin_outs(const char *string);

/*
 * Listed in 5.2's qemu-plugins.symbols but never declared there; pyqemu
 * defines them.
 *
 * QEMU 5.2 exports these three names in its symbol list without declaring or
 * defining them anywhere. pyqemu gives them the meanings below so that the
 * exported list and the implemented API agree. Real QEMU (5.2 and later) does
 * not provide them: a plugin meant to load under both should reference them
 * weakly and check for NULL before calling.
 */

/**
 * typedef qemu_plugin_vcpu_mem_haddr_cb_t - memory callback with host address
 * @vcpu_index: the vCPU that made the access
 * @info: what kind of access it was (see the qemu_plugin_mem_*() accessors)
 * @vaddr: the guest virtual address accessed
 * @haddr: the host pointer at which the accessed guest memory lives
 * @userdata: the value given at registration
 */
typedef void
(*qemu_plugin_vcpu_mem_haddr_cb_t)(unsigned int vcpu_index,
                                   qemu_plugin_meminfo_t info, uint64_t vaddr,
                                   void *haddr, void *userdata);

/**
 * qemu_plugin_register_vcpu_mem_haddr_cb() - run a callback on an
 * instruction's memory accesses, with their host addresses
 * @insn: the instruction, from qemu_plugin_tb_get_insn()
 * @cb: called once per matching access
 * @flags: the callback's use of guest registers
 * @rw: which accesses to report: loads, stores or both
 * @userdata: passed unchanged to @cb
 *
 * Note: like qemu_plugin_register_vcpu_mem_cb(), @cb runs after the access
 * has completed. @haddr is valid only during the call.
 */
#if QEMU_PLUGIN_API_LEVEL < 702
void qemu_plugin_register_vcpu_mem_haddr_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_mem_haddr_cb_t cb,
                                            enum qemu_plugin_cb_flags flags,
                                            enum qemu_plugin_mem_rw rw,
                                            void *userdata);

/**
 * qemu_plugin_ram_addr_from_host() - guest address of a host pointer
 * @haddr: a host pointer into guest memory, e.g. from
 *         qemu_plugin_insn_haddr() or a qemu_plugin_vcpu_mem_haddr_cb_t
 *
 * Return: the guest address whose memory lives at @haddr. In user mode that
 * is @haddr minus the base at which guest memory is mapped, i.e. the guest
 * virtual address.
 */
uint64_t qemu_plugin_ram_addr_from_host(void *haddr);

/**
 * qemu_plugin_hwaddr_to_raddr() - RAM address of a memory access
 * @haddr: a handle from qemu_plugin_get_hwaddr()
 *
 * Return: 0 in user mode, like qemu_plugin_hwaddr_device_offset().
 */
uint64_t qemu_plugin_hwaddr_to_raddr(const struct qemu_plugin_hwaddr *haddr);
#endif /* QEMU_PLUGIN_API_LEVEL < 702: the three stale 5.2 names */

#if QEMU_PLUGIN_API_LEVEL >= 702
/*
 * Added after 5.2, present in QEMU 7.2 (QEMU_PLUGIN_VERSION 1).
 */

/**
 * qemu_plugin_hwaddr_phys_addr() - physical address of a memory access
 * @haddr: a handle from qemu_plugin_get_hwaddr()
 *
 * Return: the guest physical address; 0 in user mode, which has none.
 */
uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr);

/**
 * qemu_plugin_hwaddr_device_name() - name of the device behind an access
 * @h: a handle from qemu_plugin_get_hwaddr()
 *
 * Return: a string owned by the emulator; "Invalid" in user mode.
 */
const char *qemu_plugin_hwaddr_device_name(const struct qemu_plugin_hwaddr *h);

/**
 * qemu_plugin_insn_symbol() - the function symbol an instruction lies in
 * @insn: the instruction, from qemu_plugin_tb_get_insn()
 *
 * Return: the name of the STT_FUNC symbol of the program's or its
 * interpreter's .symtab whose [value, value + size) holds the instruction's
 * address, or NULL. The string is owned by the emulator.
 */
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);

/**
 * qemu_plugin_bool_parse() - parse a boolean plugin argument
 * @name: the argument's name, for the error message
 * @val: its value: on/yes/true/y or off/no/false/n
 * @ret: where the result goes
 *
 * Return: true when @ret was set; false for NULL @name or @val and for any
 * other value (@ret is then left alone).
 */
bool qemu_plugin_bool_parse(const char *name, const char *val, bool *ret);

/**
 * qemu_plugin_path_to_binary() - path of the program being run
 *
 * Return: a copy of the program's name as given to the emulator, which the
 * caller frees (g_free() or free()); NULL in system emulation. Note: call it
 * once the guest runs (a callback), not from qemu_plugin_install().
 */
const char *qemu_plugin_path_to_binary(void);

/**
 * qemu_plugin_start_code() - lowest address of the program's executable segments
 *
 * Return: the start of its code (user mode); 0 in system emulation.
 */
uint64_t qemu_plugin_start_code(void);

/**
 * qemu_plugin_end_code() - end of the program's executable segments
 *
 * Return: the end of its code (user mode); 0 in system emulation.
 */
uint64_t qemu_plugin_end_code(void);

/**
 * qemu_plugin_entry_code() - where the guest starts running
 *
 * Return: the entry point: the interpreter's when the program has one
 * (user mode); 0 in system emulation.
 */
uint64_t qemu_plugin_entry_code(void);
#endif /* QEMU_PLUGIN_API_LEVEL >= 702 */

#endif /* QEMU_PLUGIN_API_H */
