// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's translation-time hooks (QEMU's accel/tcg/translator.c and
 * tb_gen_code): a block the engine translates, or on the stock engine runs
 * for the first time, is decoded with capstone, cut where QEMU 7.2 would
 * have ended its blocks, and handed to the plugins' tb_trans callbacks
 * (qemu_plugin_tb_trans_cb), once per record.
 *
 * - the stock engine's blocks may run on across a page boundary where QEMU
 *   7.2 ends its blocks, so an engine block is cut into the blocks QEMU would
 *   have made; the later ones start at an instruction hook (the global one,
 *   or one hook on that address alone: plugin-gen.c); ours ends them there
 *   itself (patch 0017), and the instruction QEMU drops at the cut is read
 *   after the engine block (decode_dropped_insn);
 * - on our engine (patch 0006) tb_translated gives the engine the record it
 *   keeps with its translation; on the stock engine the global block hook
 *   (hook_block) looks the record up by address;
 * - a block translated again whose bytes changed drops the records of its
 *   range, so plugins see a new translation (hook_edge_generated).
 *
 * Each looks up, makes or drops records under tb_lock (tb-maint.c): other
 * vCPUs translate at the same time.
 *
 * Layer: called by cpu-exec.c (which installs these hooks); calls
 * plugin-gen.c, tb-maint.c, cpus-common.c (cpu.h), core.c (plugin.h).
 */
#define _GNU_SOURCE         /* process_vm_readv */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

/*
 * Split [pc, pc + size) into instructions (capstone), into cpu->decoded.
 * Guest code is readable host memory at its guest address.
 */
static size_t decode_engine_block(CPUState *cpu, uint64_t pc, uint32_t size)
{
    const uint8_t *code = (const uint8_t *)(uintptr_t)pc;
    size_t left = size, n = 0;
    uint64_t addr = pc;

    while (left > 0) {
        struct qemu_plugin_insn *insn;
        const uint8_t *p = code;
        size_t avail = left, len;
        uint64_t a = addr;

        if (n == cpu->decoded_cap) {
            cpu->decoded_cap = cpu->decoded_cap ? cpu->decoded_cap * 2 : 64;
            cpu->decoded = realloc(cpu->decoded, cpu->decoded_cap * sizeof(*cpu->decoded));
            if (!cpu->decoded) {
                abort();
            }
        }
        insn = &cpu->decoded[n++];
        memset(insn, 0, sizeof(*insn));
        if (cs_disasm_iter(cpu->cs, &p, &avail, &a, cpu->cs_insn)) {
            len = cpu->cs_insn->size;
            target->note_memop(insn, cpu->cs_insn);
        } else {
            len = left;   /* what the engine accepted but capstone did not */
        }
        insn->vaddr = addr;
        insn->haddr = (void *)(uintptr_t)addr;
        insn->size = len;
        memcpy(insn->data, code, len < PLUGIN_INSN_MAX_BYTES ? len : PLUGIN_INSN_MAX_BYTES);
        code += len;
        addr += len;
        left -= len;
    }
    return n;
}

/*
 * Let the plugins instrument the block at @vaddr of @n decoded instructions.
 * With @partial, the last of them is the start of an instruction QEMU began
 * to decode and dropped (target_ops.partial_insn_bytes): plugins see it when
 * the block is translated, it never runs, and it is gone afterwards.
 */
static struct qemu_plugin_tb *tb_gen_one(CPUState *cpu, uint64_t vaddr, uint32_t size,
                                         const struct qemu_plugin_insn *insns, size_t n,
                                         bool partial)
{
    struct qemu_plugin_tb *tb = calloc(1, sizeof(*tb));

    if (!tb) {
        abort();
    }
    tb->vaddr = vaddr;
    tb->size = size;
    tb->n = n;
    tb->insns = malloc((n ? n : 1) * sizeof(*tb->insns));
    if (!tb->insns) {
        abort();
    }
    if (n) {
        memcpy(tb->insns, insns, n * sizeof(*tb->insns));
    }

    qemu_plugin_tb_trans_cb(cpu, tb);
    if (partial) {
        tb->n--;
        dyn_cb_array_free(&tb->insns[tb->n].exec_cbs);
        dyn_cb_array_free(&tb->insns[tb->n].mem_cbs);
    }
    plugin_gen_tb_end(tb);
    tb_hash_insert(tb);
    return tb;
}

/*
 * Does QEMU's translator end a block that started at @start before @insn (not
 * its first) because of the page: when the instruction's last byte is on
 * another page, or, on targets with a page_lookahead, when it starts that
 * close to the page's end and reaches it.
 */
static bool tb_page_ends_before(uint64_t start, const struct qemu_plugin_insn *insn)
{
    uint64_t last = insn->vaddr + insn->size - 1;
    uint64_t offset = insn->vaddr & ~TARGET_PAGE_MASK;

    if (target->page_lookahead && offset > TARGET_PAGE_SIZE - target->page_lookahead) {
        last++;
    }
    return (last & TARGET_PAGE_MASK) != (start & TARGET_PAGE_MASK);
}

/*
 * Our engine (patch 0017) ends a block before a later instruction that
 * reaches another page, as QEMU 7.2 does, so the instruction QEMU began to
 * decode there and dropped is not in the engine block: when the block's
 * @last instruction does not end a block by itself and the one after it
 * reaches past the page of @start, that one is read into @next (its bytes on
 * the next page only as far as they can be read: process_vm_readv reports
 * what it could not read instead of faulting).
 */
static bool decode_dropped_insn(CPUState *cpu, uint64_t start,
                                const struct qemu_plugin_insn *last,
                                struct qemu_plugin_insn *next)
{
    uint64_t addr = last->vaddr + last->size;
    uint64_t page_end = (start & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
    uint8_t buf[PLUGIN_INSN_MAX_BYTES];
    struct iovec local = { buf, sizeof(buf) }, remote[2];
    const uint8_t *p = buf;
    uint64_t a = addr;
    size_t avail, on_page;
    ssize_t got;

    if (!target->insn_ends_block || addr >= page_end || target->insn_ends_block(last)) {
        return false;
    }
    on_page = page_end - addr < sizeof(buf) ? (size_t)(page_end - addr) : sizeof(buf);
    remote[0] = (struct iovec){ (void *)(uintptr_t)addr, on_page };
    remote[1] = (struct iovec){ (void *)(uintptr_t)page_end, sizeof(buf) - on_page };
    got = process_vm_readv(getpid(), &local, 1, remote, on_page < sizeof(buf) ? 2 : 1, 0);
    if (got < (ssize_t)on_page) {
        return false;
    }
    avail = (size_t)got;
    if (!cs_disasm_iter(cpu->cs, &p, &avail, &a, cpu->cs_insn)) {
        return false;       /* not a whole instruction within what could be read */
    }
    if (addr + cpu->cs_insn->size <= page_end) {
        return false;       /* on the page: the block ended for another reason */
    }
    memset(next, 0, sizeof(*next));
    next->vaddr = addr;
    next->haddr = (void *)(uintptr_t)addr;
    next->size = cpu->cs_insn->size;
    memcpy(next->data, buf, next->size);
    return true;
}

/*
 * Translate the engine block [pc, pc + size) into the blocks QEMU 7.2
 * makes of it: each ends before the first later instruction that does not
 * lie wholly on the page of the block's first byte.  (The engine also ends
 * blocks at 512 instructions or about a page of bytes; counted from the
 * engine block's start, so a rare straight run of 4 KiB of code may be cut
 * where QEMU would not.)  A tail that was already translated as a block
 * of its own, and keyed the same, is reused, as QEMU finds a block by its
 * address.  Returns the first block; the others follow by split_next.
 */
static struct qemu_plugin_tb *tb_gen_code(CPUState *cpu, uint64_t pc, uint32_t size)
{
    size_t n = decode_engine_block(cpu, pc, size);
    struct qemu_plugin_tb *head = NULL, **link = &head;
    size_t first = 0;

    if (n == 0) {
        return tb_gen_one(cpu, pc, size, NULL, 0, false);   /* an empty engine block */
    }
    while (first < n) {
        uint64_t start = cpu->decoded[first].vaddr;
        uint32_t left = (uint32_t)(pc + size - start);
        struct qemu_plugin_tb *tb = first ? tb_lookup(start, left) : NULL;
        size_t end = first + 1;

        if (tb) {
            *link = tb;
            break;
        }
        bool partial = false;
        struct qemu_plugin_insn after, *cut = NULL;

        while (end < n && !tb_page_ends_before(start, &cpu->decoded[end])) {
            end++;
        }
        if (end < n) {
            cut = &cpu->decoded[end];
        } else if (target->partial_insn_bytes &&
                   decode_dropped_insn(cpu, start, &cpu->decoded[n - 1], &after)) {
            cut = &after;
        }
        if (cut && target->partial_insn_bytes) {
            /* cut follows as the block's dropped instruction; room is kept */
            uint64_t page_end = (start & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
            size_t bytes = target->partial_insn_bytes(cut, page_end);

            if (bytes) {
                struct qemu_plugin_insn *copy = calloc(end - first + 1, sizeof(*copy));

                if (!copy) {
                    abort();
                }
                memcpy(copy, cpu->decoded + first, (end - first) * sizeof(*copy));
                copy[end - first].vaddr = cut->vaddr;
                copy[end - first].haddr = cut->haddr;
                copy[end - first].size = bytes;
                memcpy(copy[end - first].data, cut->data, bytes);
                tb = tb_gen_one(cpu, start, left, copy, end - first + 1, true);
                free(copy);
                partial = true;
            }
        }
        if (!partial) {
            tb = tb_gen_one(cpu, start, left, cpu->decoded + first, end - first, false);
        }
        *link = tb;
        link = &tb->split_next;
        first = end;
    }
    return head;
}

/*
 * The engine translated a block again (its code was written, or the cache
 * was flushed): if the bytes changed, plugins must see a new translation.
 */
void hook_edge_generated(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;

    (void)uc;
    (void)prev;
    tb_lock();
    tb = tb_lookup(cur->pc, cur->size);
    if (tb && tb_code_changed(tb)) {
        tb_invalidate_code_changed(cpu, cur->pc, cur->pc + cur->size);
    }
    tb_unlock();
}

/* Can the vCPU fetch here (x86-64: a canonical address; see target-<arch>.c)? */
static inline bool pc_is_canonical(uint64_t pc)
{
    return target->pc_valid(pc);
}

/* A block at a non-canonical address: the engine would run the low 48 bits;
 * the CPU faults (QEMU: SIGSEGV). */
static void tb_fault_noncanonical(CPUState *cpu, uc_engine *uc, uint64_t pc)
{
    cpu->exit_reason = EXCP_SEGV;
    cpu->stop.fault_addr = pc;
    cpu->stop.fault_write = 2;
    uc_emu_stop(uc);
}

/* The block hook of the non-canonical range only: normal code never calls it. */
void hook_noncanonical(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    (void)size;
    plugin_store_done(opaque);
    tb_fault_noncanonical(opaque, uc, pc);
}

void hook_block(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;
    uint64_t writable;

    plugin_store_done(cpu);
    if (!pc_is_canonical(pc)) {
        tb_fault_noncanonical(cpu, uc, pc);
        return;
    }
    if (!tb_may_start(cpu, uc)) {
        return;
    }
    if (!(plugin_mask_has(EV_BIT(QEMU_PLUGIN_EV_VCPU_TB_TRANS)))) {
        return;
    }
    writable = page_writable_mask(pc, pc + size);
    tb_lock();
    tb = tb_lookup(pc, size);
    if (!tb) {
        tb = tb_gen_code(cpu, pc, size);
    }
    page_protect_code(cpu, pc, pc + size, writable);
    tb_unlock();
    tb_enter(cpu, uc, tb);
}

/*
 * uc_tb_instrument: the engine translated [pc, pc + size); give it the
 * block's record, and watch its pages once there are threads (user-exec.c).
 */
void *tb_translated(void *opaque, uint64_t pc, uint32_t size)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;
    uint64_t writable;

    if (!pc_is_canonical(pc)) {
        return NULL;    /* hook_noncanonical faults it */
    }
    writable = page_writable_mask(pc, pc + size);
    tb_lock();
    if (!cpu->instrumented) {
        /* no plugin translates blocks: the engine tells only for the watch */
        page_protect_code(cpu, pc, pc + size, writable);
        tb_unlock();
        return NULL;
    }
    tb = tb_lookup(pc, size);
    if (tb && tb_code_changed(tb)) {
        tb_invalidate_code_changed(cpu, pc, pc + size);
        tb = NULL;
    }
    if (!tb) {
        tb = tb_gen_code(cpu, pc, size);
    }
    page_protect_code(cpu, pc, pc + size, writable);
    tb_unlock();
    return tb;
}
