// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Code written by one vCPU and run by another (QEMU's page_protect and
 * page_unprotect in accel/tcg/user-exec.c).  Each vCPU's engine has its own
 * cache of translations, and notices only its own stores to the code it
 * translated; QEMU's vCPUs share one cache, and a store by any of them to a
 * page with code drops that code for all.  So, once the process has threads:
 *
 * - a page that holds translated code and that the guest may write is
 *   watched (page_protect_code, at each translation): every vCPU's engine
 *   gets a write hook on it, so that its stores to it leave the fast path
 *   (engine patch 0001) and call hook_page_write; the translating vCPU adds
 *   its hook at once, the others at their next safe point (page_watch_sync),
 *   to which they are kicked;
 * - the first store to a watched page (page_unprotect_code) stops watching
 *   it and queues, on every other vCPU, the drop of that page's code from
 *   its engine (async_run_on_cpu: its exit request is set before the store
 *   is made, so it drops the code before its next block); the writer's own
 *   engine drops its code itself.  The block records stay: a translation
 *   made again finds their bytes changed (tb_code_changed).
 *
 * A page the guest cannot write needs no watch: making it writable
 * (mprotect) drops its code on every vCPU first (cpu_flush_code).
 *
 * The watched pages are kept under their own lock (taken inside tb_lock by
 * a translation, never the other way round).  Layer: called by cpu-exec.c
 * and translator.c; calls uaccess.c (guest_range_ok), cpus-common.c (cpu.h)
 * and the engine.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct {
    pthread_mutex_t lock;
    uint64_t *pages;    /* sorted page addresses */
    size_t n, cap;
    uint64_t gen;       /* changes so far; a vCPU whose watch_gen differs syncs its hooks */
    bool enabled;       /* the process has threads */
} watch = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Index of @page in the watched pages, or where it would go (*found: it is there). */
static size_t watch_find(uint64_t page, bool *found)
{
    size_t lo = 0, hi = watch.n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (watch.pages[mid] < page) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < watch.n && watch.pages[lo] == page;
    return lo;
}

static bool watched__locked(uint64_t page)
{
    bool found;

    watch_find(page, &found);
    return found;
}

bool page_watch_enabled(void)
{
    return __atomic_load_n(&watch.enabled, __ATOMIC_RELAXED);
}

void page_watch_enable(void)
{
    __atomic_store_n(&watch.enabled, true, __ATOMIC_RELAXED);
}

/* A vCPU's write hook on @page; false if the engine would not add it. */
static bool cpu_watch_add(CPUState *cpu, uint64_t page)
{
    if (cpu->n_watch == cpu->watch_cap) {
        size_t cap = cpu->watch_cap ? cpu->watch_cap * 2 : 8;
        uc_hook *hooks = realloc(cpu->watch_hooks, cap * sizeof(*hooks));
        uint64_t *pages;

        if (!hooks) {
            return false;
        }
        cpu->watch_hooks = hooks;
        pages = realloc(cpu->watch_pages, cap * sizeof(*pages));
        if (!pages) {
            return false;
        }
        cpu->watch_pages = pages;
        cpu->watch_cap = cap;
    }
    if (uc_hook_add(cpu->uc, &cpu->watch_hooks[cpu->n_watch], UC_HOOK_MEM_WRITE,
                    (void *)hook_page_write, cpu, page, page + TARGET_PAGE_SIZE - 1) != UC_ERR_OK) {
        return false;
    }
    cpu->watch_pages[cpu->n_watch++] = page;
    return true;
}

/* Make @cpu's write hooks those of the watched pages.  Under watch.lock. */
static void page_watch_sync__locked(CPUState *cpu)
{
    size_t kept = 0;

    for (size_t i = 0; i < cpu->n_watch; i++) {
        if (watched__locked(cpu->watch_pages[i])) {
            cpu->watch_hooks[kept] = cpu->watch_hooks[i];
            cpu->watch_pages[kept++] = cpu->watch_pages[i];
        } else {
            uc_hook_del(cpu->uc, cpu->watch_hooks[i]);
        }
    }
    cpu->n_watch = kept;
    for (size_t i = 0; i < watch.n; i++) {
        bool hooked = false;

        for (size_t j = 0; j < kept && !hooked; j++) {
            hooked = cpu->watch_pages[j] == watch.pages[i];
        }
        if (!hooked && !cpu_watch_add(cpu, watch.pages[i])) {
            break;      /* without memory: that page's stores go unseen by this vCPU */
        }
    }
    cpu->watch_gen = watch.gen;
}

/* At the vCPU's safe point: follow the changes to the watched pages. */
void page_watch_sync(CPUState *cpu)
{
    if (cpu->watch_gen == __atomic_load_n(&watch.gen, __ATOMIC_ACQUIRE)) {
        return;
    }
    pthread_mutex_lock(&watch.lock);
    page_watch_sync__locked(cpu);
    pthread_mutex_unlock(&watch.lock);
}

/*
 * Which pages of [start, end) the guest may write, bit i for the i-th (those
 * past the 64th count as writable), once there are threads.  Asked before
 * tb_lock: the region list's lock is never taken under it, since
 * syscall-mmap.c takes tb_lock (cpu_flush_code) under that one.  A change
 * of rights in between is no worry: making a page writable drops its code
 * in an exclusive section, which waits for this translation to end.
 */
uint64_t page_writable_mask(uint64_t start, uint64_t end)
{
    uint64_t mask = 0;
    unsigned int i = 0;

    if (!page_watch_enabled()) {
        return 0;
    }
    for (uint64_t page = start & TARGET_PAGE_MASK; page < end; page += TARGET_PAGE_SIZE, i++) {
        if (i >= 64) {
            break;
        }
        if (guest_range_ok(page, TARGET_PAGE_SIZE, 2)) {
            mask |= 1ull << i;
        }
    }
    return mask;
}

/*
 * @cpu translated code in [start, end): watch its pages that the guest may
 * write (@writable: page_writable_mask's answer).  Called from the engine's
 * translation, under tb_lock.
 */
void page_protect_code(CPUState *cpu, uint64_t start, uint64_t end, uint64_t writable)
{
    bool added = false;
    unsigned int i = 0;

    if (!page_watch_enabled() || end <= start) {
        return;
    }
    pthread_mutex_lock(&watch.lock);
    for (uint64_t page = start & TARGET_PAGE_MASK; page < end; page += TARGET_PAGE_SIZE, i++) {
        bool found;
        size_t at = watch_find(page, &found);

        if (found || (i < 64 && !(writable & (1ull << i)))) {
            continue;
        }
        if (watch.n == watch.cap) {
            size_t cap = watch.cap ? watch.cap * 2 : 16;
            uint64_t *pages = realloc(watch.pages, cap * sizeof(*pages));

            if (!pages) {
                break;
            }
            watch.pages = pages;
            watch.cap = cap;
        }
        memmove(watch.pages + at + 1, watch.pages + at, (watch.n - at) * sizeof(*watch.pages));
        watch.pages[at] = page;
        watch.n++;
        added = true;
    }
    if (added) {
        __atomic_store_n(&watch.gen, watch.gen + 1, __ATOMIC_RELEASE);
        /* this vCPU watches from its next store on; the others from their next block */
        page_watch_sync__locked(cpu);
        for (CPUState *c = cpu_list; c; c = c->next) {
            if (c != cpu) {
                qemu_cpu_kick(c);
            }
        }
    }
    pthread_mutex_unlock(&watch.lock);
}

/* The queued drop: another vCPU wrote the page's code (run in guest code: not with a flush). */
static void page_drop_code(CPUState *cpu, uintptr_t page)
{
    uc_ctl_remove_cache(cpu->uc, page, page + TARGET_PAGE_SIZE);
}

/* A store by @cpu to the watched @page: every other engine drops that page's code. */
static void page_unprotect_code(CPUState *cpu, uint64_t page)
{
    bool found;
    size_t at;

    pthread_mutex_lock(&watch.lock);
    at = watch_find(page, &found);
    if (found) {
        memmove(watch.pages + at, watch.pages + at + 1, (watch.n - at - 1) * sizeof(*watch.pages));
        watch.n--;
        __atomic_store_n(&watch.gen, watch.gen + 1, __ATOMIC_RELEASE);
        for (CPUState *c = cpu_list; c; c = c->next) {
            if (c != cpu) {
                async_run_on_cpu(c, page_drop_code, (uintptr_t)page);
            }
        }
    }
    pthread_mutex_unlock(&watch.lock);
}

/* UC_HOOK_MEM_WRITE on a watched page: called before the store is made. */
void hook_page_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                     void *opaque)
{
    uint64_t first = addr & TARGET_PAGE_MASK, last = (addr + (uint64_t)size - 1) & TARGET_PAGE_MASK;

    (void)uc;
    (void)type;
    (void)value;
    page_unprotect_code(opaque, first);
    if (last != first) {
        page_unprotect_code(opaque, last);
    }
}

void page_watch_free(CPUState *cpu)
{
    free(cpu->watch_hooks);
    free(cpu->watch_pages);
}
