// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mmap, munmap, mprotect and brk served in C (the common cases of QEMU's
 * linux-user/mmap.c target_mmap, target_munmap, target_mprotect and
 * syscall.c's do_brk) on the guest's one region list (mmap.c's GuestMap,
 * which mmap.py's GuestMemory reads and changes too), and the engine side
 * of every mapping change, which Python's listener (accel/cpu.py's on_map,
 * on_unmap, on_protect) calls too: cpu_mem_map_ptr/unmap/protect and
 * cpu_flush_code.
 *
 * A call is served here only where the answer is the one mmap.py's
 * target_mmap/target_munmap/target_mprotect/target_brk gives, made the same
 * way: the vCPU is its process's only one and the map's only listener (the
 * engine changes here are then the ones its Python listener makes), no
 * listener calls are held back (deferred_listeners), and the arguments are
 * the plain case: mmap of private anonymous memory with no address, no
 * MAP_FIXED(_NOREPLACE) or MAP_32BIT, placed without meeting the
 * emulator's own mappings; munmap and mprotect of page-aligned ranges below
 * TASK_SIZE (mprotect: of mapped pages only); brk, unless its new pages
 * meet the emulator's own or its old ones cannot be cleared by a store.
 * Everything else, every error included, returns false before anything
 * changed and Python answers.
 *
 * Layer: called by syscall.c (internal.h) and Python (host.h); calls mmap.c,
 * tb-maint.c (internal.h), the engine (engine.h) and libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "internal.h"

#define PAGE_LOW (GUEST_PAGE_SIZE - 1)
#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)
#define PROT_SEM_BIT 0x8
#define MAP_TYPE_MASK 0x0F
#define MAP_FIXED_NOREPLACE_FLAG 0x100000
#define MAP_SYNC_FLAG 0x80000
/* mmap.py's _HOST_PASSED_FLAGS: the guest flags the host mapping keeps */
#define HOST_PASSED_FLAGS (MAP_TYPE_MASK | MAP_ANONYMOUS | MAP_LOCKED | MAP_NORESERVE | \
                           MAP_POPULATE | MAP_NONBLOCK | MAP_SYNC_FLAG)
/* mmap.py's MMAP_MIN_ADDR */
#define MMAP_MIN_ADDR 0x10000ull
#define UC_PROT_MASK 7

static uint64_t page_align(uint64_t value)
{
    return (value + PAGE_LOW) & ~(uint64_t)PAGE_LOW;
}

/* ---- the engine side of a change (mmap.py's listeners: accel/cpu.py's on_*) ---- */

int cpu_mem_map_ptr(CPUState *cpu, uint64_t addr, uint64_t size, uint32_t perms, uint64_t host)
{
    return uc_mem_map_ptr(cpu->uc, addr, size, perms, (void *)(uintptr_t)host);
}

int cpu_mem_unmap(CPUState *cpu, uint64_t addr, uint64_t size)
{
    return uc_mem_unmap(cpu->uc, addr, size);
}

int cpu_mem_protect(CPUState *cpu, uint64_t addr, uint64_t size, uint32_t perms)
{
    return uc_mem_protect(cpu->uc, addr, size, perms);
}

/*
 * Drop the translations of [addr, addr + size): host-side writes into code
 * and mapping changes (mprotect, munmap) must not leave stale blocks behind.
 */
void cpu_flush_code(CPUState *cpu, uint64_t addr, uint64_t size)
{
    uc_ctl_remove_cache(cpu->uc, addr, addr + size);
    tb_invalidate_phys_range(cpu, addr, addr + size);
    tb_reclaim(cpu, addr, addr + size);
}

/* mmap.py's REGION_ACCOUNT: Linux's VM_ACCOUNT, kept in a region's flags */
#define REGION_ACCOUNT 0x40000000

/* mmap.py's accounted: REGION_ACCOUNT added where @prot makes Linux charge the mapping. */
static int32_t accounted(int32_t flags, int prot)
{
    if ((flags & MAP_TYPE_MASK) == MAP_PRIVATE && (prot & PROT_WRITE) &&
        !(flags & MAP_NORESERVE)) {
        return flags | REGION_ACCOUNT;
    }
    return flags;
}

/* mmap.py's _host_prot: readable always, writable unless a shared file. */
static int host_prot(int prot, int flags)
{
    int host;

    if (!(prot & PROT_RWX)) {
        return PROT_NONE;
    }
    host = (prot & PROT_RWX) | PROT_READ;
    if (!((flags & MAP_TYPE_MASK) == MAP_SHARED && !(flags & MAP_ANONYMOUS))) {
        host |= PROT_WRITE;
    }
    return host;
}

/* mmap.py's guest_rights: what the engine is told. */
static uint32_t engine_rights(int prot)
{
    return (uint32_t)((prot & (PROT_WRITE | PROT_EXEC) ? prot | PROT_READ : prot) & UC_PROT_MASK);
}

/*
 * GuestMemory._search for a mapping placed by _host_place: the address, 0
 * where nothing fits in [low, high), 1 where the host said no (the emulator's
 * own mapping, no memory: Python searches again and answers).
 */
static uint64_t search_locked(GuestMap *map, uint64_t low, uint64_t high, uint64_t size,
                              int prot, int flags)
{
    uint64_t candidate = page_align(low);

    while (candidate + size <= high) {
        size_t i = guest_map_first_ending_after(map, candidate);
        void *got;

        if (i < map->n && map->r[i].start < candidate + size) {
            while (i + 1 < map->n && map->r[i + 1].start < candidate + size) {
                i++;
            }
            candidate = map->r[i].end;
            continue;
        }
        got = mmap((void *)(uintptr_t)candidate, size, prot, flags | MAP_FIXED_NOREPLACE_FLAG,
                   -1, 0);
        if (got == MAP_FAILED) {
            return 1;
        }
        if ((uintptr_t)got != candidate) {
            munmap(got, size);
            return 1;
        }
        return candidate;
    }
    return 0;
}

/* target_mmap's plain case: private anonymous memory, placed by the emulator. */
static bool mmap_fast(GuestMap *map, CPUState *cpu, const uint64_t *a, long *ret)
{
    int32_t prot = (int32_t)a[2] & PROT_RWX, flags = (int32_t)a[3];
    uint64_t size = page_align(a[1]), found = 0, old_next = map->next_start;
    int hflags = flags & HOST_PASSED_FLAGS;
    GuestMapRegion region;
    const uint64_t windows[3][2] = {{map->next_start, GUEST_TASK_SIZE},
                                    {map->mmap_base, GUEST_TASK_SIZE},
                                    {MMAP_MIN_ADDR, map->mmap_base}};

    if (a[0] || (flags & MAP_TYPE_MASK) != MAP_PRIVATE || !(flags & MAP_ANONYMOUS) ||
        (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE_FLAG | MAP_32BIT)) || (a[5] & PAGE_LOW) ||
        a[1] == 0 || a[1] > GUEST_TASK_SIZE) {
        return false;
    }
    if (!guest_map_reserve(map, 1)) {
        return false;
    }
    if (!(prot & PROT_WRITE)) {
        hflags |= MAP_NORESERVE;    /* as mmap.py: out of the host's commit accounting */
    }
    for (int w = 0; w < 3 && !found; w++) {
        found = search_locked(map, windows[w][0], windows[w][1], size,
                              host_prot(prot, flags), hflags);
        if (found == 1) {
            return false;
        }
    }
    if (!found) {
        return false;
    }
    region = (GuestMapRegion){found, found + size, 0, prot,
                              accounted(MAP_PRIVATE | MAP_ANONYMOUS | (flags & MAP_NORESERVE),
                                        prot), NULL};
    if (found >= map->mmap_base) {
        map->next_start = found + size;
    }
    guest_map_insert__locked(map, region);    /* cannot fail: room reserved */
    if (cpu_mem_map_ptr(cpu, found, size, engine_rights(prot), found) != 0) {
        /* undone: Python makes the same mapping and reports what fails */
        guest_map_cut__locked(map, found, found + size);
        munmap((void *)(uintptr_t)found, size);
        map->next_start = old_next;
        return false;
    }
    *ret = (long)found;
    return true;
}

/*
 * Unmap the guest-owned runs of [addr, end) from the host, the list and the
 * engine, as target_munmap does; 0 or -errno (the runs before a failure are
 * gone), 1 if the first run failed (nothing changed).  Needs room for one
 * region more.
 */
static long unmap_runs_locked(GuestMap *map, CPUState *cpu, uint64_t addr, uint64_t end)
{
    uint64_t cursor = addr;

    for (;;) {
        size_t i = guest_map_first_ending_after(map, cursor);
        uint64_t low, high;

        if (i >= map->n || map->r[i].start >= end) {
            return 0;
        }
        low = map->r[i].start > cursor ? map->r[i].start : cursor;
        while (i + 1 < map->n && map->r[i + 1].start == map->r[i].end &&
               map->r[i + 1].start < end) {
            i++;
        }
        high = map->r[i].end < end ? map->r[i].end : end;
        if (munmap((void *)(uintptr_t)low, high - low) != 0) {
            return cursor == addr ? 1 : -errno;
        }
        guest_map_cut__locked(map, low, high);    /* cannot fail: one region at most more, reserved */
        cpu_flush_code(cpu, low, high - low);
        cpu_mem_unmap(cpu, low, high - low);
        cursor = high;
    }
}

/* target_munmap for an aligned range below TASK_SIZE: each guest-owned run goes. */
static bool munmap_fast(GuestMap *map, CPUState *cpu, const uint64_t *a, long *ret)
{
    uint64_t addr = a[0], end;

    if ((addr & PAGE_LOW) || a[1] == 0 || a[1] > GUEST_TASK_SIZE || addr >= GUEST_TASK_SIZE) {
        return false;
    }
    end = addr + page_align(a[1]);
    if (end > GUEST_TASK_SIZE || !guest_map_reserve(map, 1)) {
        return false;
    }
    *ret = unmap_runs_locked(map, cpu, addr, end);
    return *ret != 1;   /* the first run failed: Python answers */
}

/*
 * May the C host store zeros over [start, end) itself, as target_brk's
 * write_force does?  All of it guest-owned, each page writable by the host.
 */
static bool host_writable_locked(GuestMap *map, uint64_t start, uint64_t end)
{
    uint64_t cursor = start;

    for (size_t i = guest_map_first_ending_after(map, start); cursor < end; i++) {
        if (i >= map->n || map->r[i].start > cursor ||
            !(host_prot(map->r[i].prot, map->r[i].flags) & PROT_WRITE)) {
            return false;
        }
        cursor = map->r[i].end;
    }
    return true;
}

/*
 * target_brk: the new break, or the current one when it cannot move; pages
 * are mapped as it grows, never given back (qemu 7.2's brk_page).
 */
static bool brk_fast(GuestMap *map, CPUState *cpu, uint64_t new_brk, long *ret)
{
    GuestBrk *b = &map->brk;
    uint64_t new_top, old_top = b->brk_top, zero_end;
    size_t i;

    if (new_brk == 0 || new_brk < b->start_brk || b->start_brk == 0 ||
        new_brk > GUEST_TASK_SIZE) {
        *ret = (long)b->brk;
        return true;
    }
    new_top = page_align(new_brk);
    zero_end = new_brk < old_top ? new_brk : old_top;
    /* what it gives back reads as zero when taken again: Python where C cannot store */
    if ((new_brk > b->brk && b->brk < old_top && !host_writable_locked(map, b->brk, zero_end)) ||
        !guest_map_reserve(map, 1)) {
        return false;
    }
    if (new_top > old_top) {
        void *got;

        i = guest_map_first_ending_after(map, old_top);
        if (i < map->n && map->r[i].start < new_top) {
            *ret = (long)b->brk;
            return true;
        }
        got = mmap((void *)(uintptr_t)old_top, new_top - old_top, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE_FLAG, -1, 0);
        if (got != (void *)(uintptr_t)old_top) {
            if (got != MAP_FAILED) {
                munmap(got, new_top - old_top);
            }
            return false;   /* the emulator's own mapping, no memory: Python's answer */
        }
        guest_map_insert__locked(map, (GuestMapRegion){old_top, new_top, 0, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS | REGION_ACCOUNT, NULL});
        if (cpu_mem_map_ptr(cpu, old_top, new_top - old_top, engine_rights(PROT_READ | PROT_WRITE),
                            old_top) != 0) {
            guest_map_cut__locked(map, old_top, new_top);
            munmap((void *)(uintptr_t)old_top, new_top - old_top);
            return false;
        }
        b->brk_top = new_top;
    }
    if (new_brk > b->brk && b->brk < old_top) {
        memset((void *)(uintptr_t)b->brk, 0, zero_end - b->brk);
    }
    b->brk = new_brk;
    *ret = (long)new_brk;
    return true;
}

/* target_mprotect of mapped pages: each piece keeps its kind, takes the new rights. */
static bool mprotect_fast(GuestMap *map, CPUState *cpu, const uint64_t *a, long *ret)
{
    uint64_t addr = a[0], end, cursor;
    int32_t prot = (int32_t)a[2];
    size_t first, count = 0;
    GuestMapRegion *pieces;

    if ((addr & PAGE_LOW) || (prot & ~(PROT_RWX | PROT_SEM_BIT)) || a[1] == 0 ||
        a[1] > GUEST_TASK_SIZE || addr >= GUEST_TASK_SIZE) {
        return false;
    }
    end = addr + page_align(a[1]);
    /* the cut keeps two pieces at most, the pieces come back: room for 2 more */
    if (end > GUEST_TASK_SIZE || !guest_map_reserve(map, 2)) {
        return false;
    }
    prot &= PROT_RWX;
    first = guest_map_first_ending_after(map, addr);
    for (cursor = addr; cursor < end && first + count < map->n; count++) {
        if (map->r[first + count].start > cursor) {
            break;
        }
        cursor = map->r[first + count].end;
    }
    if (cursor < end) {
        return false;           /* -ENOMEM: Python's */
    }
    pieces = malloc(count * sizeof(*pieces));
    if (!pieces) {
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        pieces[i] = guest_map_clip(&map->r[first + i], addr, end);
        if (mprotect((void *)(uintptr_t)pieces[i].start, pieces[i].end - pieces[i].start,
                     host_prot(prot, pieces[i].flags)) != 0) {
            for (size_t undo = 0; undo < i; undo++) {
                mprotect((void *)(uintptr_t)pieces[undo].start,
                         pieces[undo].end - pieces[undo].start,
                         host_prot(pieces[undo].prot, pieces[undo].flags));
            }
            free(pieces);
            return false;
        }
    }
    guest_map_cut__locked(map, addr, end);
    for (size_t i = 0; i < count; i++) {
        pieces[i].prot = prot;
        pieces[i].flags = accounted(pieces[i].flags, prot);
        guest_map_insert__locked(map, pieces[i]);
    }
    free(pieces);
    cpu_flush_code(cpu, addr, end - addr);
    cpu_mem_protect(cpu, addr, end - addr, engine_rights(prot));
    *ret = 0;
    return true;
}

/*
 * mmap, munmap, mprotect and brk on @cpu's guest (the map syscalls are checked
 * against) in C: syscall_fast's contract, the result in *@ret.
 */
bool syscall_fast_mmap(CPUState *cpu, int32_t num, const uint64_t *a, bool alone, long *ret)
{
    GuestMap *map = guest_map_current();
    bool done = false;

    if (!alone || !map) {
        return false;
    }
    pthread_mutex_lock(&map->lock);
    if (map->python_only || map->n_listeners != 1 || map->listeners[0] != cpu) {
        pthread_mutex_unlock(&map->lock);
        return false;
    }
    switch (num) {
    case SYS_mmap:
        done = mmap_fast(map, cpu, a, ret);
        break;
    case SYS_munmap:
        done = munmap_fast(map, cpu, a, ret);
        break;
    case SYS_mprotect:
        done = mprotect_fast(map, cpu, a, ret);
        break;
    case SYS_brk:
        done = brk_fast(map, cpu, a[0], ret);
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&map->lock);
    return done;
}
