// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest's address space in C (QEMU's linux-user/mmap.c and its page
 * flags): the one region list of a guest (GuestMap), which mmap.py's
 * GuestMemory reads and changes through host.h, syscall-mmap.c changes for
 * the calls it serves, and the syscall paths check guest buffers against
 * (guest_map_range_ok: uaccess.c's access_ok).  Each map has a lock:
 * guest threads take turns on the engine today, but Python's calls and C's
 * may come from different threads.
 *
 * Layer: called by syscall-mmap.c, uaccess.c (internal.h) and Python
 * (host.h); calls libc only.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* The map whose rights the syscall paths check (one guest per process). */
static GuestMap *current_map;
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the region list ---- */

GuestMap *guest_map_new(uint64_t mmap_base)
{
    GuestMap *map = calloc(1, sizeof(*map));

    if (!map) {
        return NULL;
    }
    pthread_mutex_init(&map->lock, NULL);
    map->mmap_base = map->next_start = mmap_base;
    return map;
}

void guest_map_free(GuestMap *map)
{
    if (!map) {
        return;
    }
    pthread_mutex_lock(&current_lock);
    if (current_map == map) {
        current_map = NULL;
    }
    pthread_mutex_unlock(&current_lock);
    for (size_t i = 0; i < map->n_paths; i++) {
        free(map->paths[i]);
    }
    free(map->paths);
    free(map->r);
    free(map->listeners);
    pthread_mutex_destroy(&map->lock);
    free(map);
}

/* Index of the first region ending after @addr (n if none). */
size_t guest_map_first_ending_after(const GuestMap *map, uint64_t addr)
{
    size_t lo = 0, hi = map->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (map->r[mid].end > addr) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* Room for @more regions; false without memory. */
bool guest_map_reserve(GuestMap *map, size_t more)
{
    size_t cap = map->cap ? map->cap : 64;
    GuestMapRegion *grown;

    if (map->n + more <= map->cap) {
        return true;
    }
    while (cap < map->n + more) {
        cap *= 2;
    }
    grown = realloc(map->r, cap * sizeof(*grown));
    if (!grown) {
        return false;
    }
    map->r = grown;
    map->cap = cap;
    return true;
}

/* Region.clip: @region's part in [start, end), its file offset moved with it. */
GuestMapRegion guest_map_clip(const GuestMapRegion *region, uint64_t start, uint64_t end)
{
    GuestMapRegion piece = *region;

    piece.start = start > region->start ? start : region->start;
    piece.end = end < region->end ? end : region->end;
    if (piece.path) {
        piece.offset += piece.start - region->start;
    }
    return piece;
}

/*
 * Can @after merge onto the end of @before?  Adjacent, the same rights and
 * kind, and the same file at the offset that follows on, as Linux merges VMAs.
 */
static bool continues(const GuestMapRegion *after, const GuestMapRegion *before)
{
    return before->end == after->start && before->prot == after->prot &&
           before->flags == after->flags && before->path == after->path &&
           (!after->path || before->offset + (before->end - before->start) == after->offset);
}

/* GuestMemory._cut: drop [start, end), splitting the regions at its edges. */
bool guest_map_cut__locked(GuestMap *map, uint64_t start, uint64_t end)
{
    size_t first = guest_map_first_ending_after(map, start), last = first;
    GuestMapRegion kept[2];
    size_t n_kept = 0;

    while (last < map->n && map->r[last].start < end) {
        if (map->r[last].start < start) {
            kept[n_kept++] = guest_map_clip(&map->r[last], map->r[last].start, start);
        }
        if (map->r[last].end > end) {
            kept[n_kept++] = guest_map_clip(&map->r[last], end, map->r[last].end);
        }
        last++;
    }
    if (n_kept > last - first && !guest_map_reserve(map, n_kept - (last - first))) {
        return false;
    }
    memmove(&map->r[first + n_kept], &map->r[last], (map->n - last) * sizeof(*map->r));
    memcpy(&map->r[first], kept, n_kept * sizeof(*map->r));
    map->n = map->n - (last - first) + n_kept;
    return true;
}

/* GuestMemory._insert: @region over a free range, merged with fitting neighbours. */
bool guest_map_insert__locked(GuestMap *map, GuestMapRegion region)
{
    size_t index = guest_map_first_ending_after(map, region.start);

    if (index > 0 && continues(&region, &map->r[index - 1])) {
        region.start = map->r[index - 1].start;
        region.offset = map->r[index - 1].offset;
        index--;
        memmove(&map->r[index], &map->r[index + 1], (map->n - index - 1) * sizeof(*map->r));
        map->n--;
    }
    if (index < map->n && continues(&map->r[index], &region)) {
        region.end = map->r[index].end;
        map->r[index] = region;
        return true;
    }
    if (!guest_map_reserve(map, 1)) {
        return false;
    }
    memmove(&map->r[index + 1], &map->r[index], (map->n - index) * sizeof(*map->r));
    map->r[index] = region;
    map->n++;
    return true;
}

/* The interned copy of @path (NULL or "": anonymous memory, NULL). */
static const char *intern_locked(GuestMap *map, const char *path)
{
    char **grown;

    if (!path || !*path) {
        return NULL;
    }
    for (size_t i = 0; i < map->n_paths; i++) {
        if (strcmp(map->paths[i], path) == 0) {
            return map->paths[i];
        }
    }
    grown = realloc(map->paths, (map->n_paths + 1) * sizeof(*grown));
    if (!grown) {
        return NULL;
    }
    map->paths = grown;
    map->paths[map->n_paths] = strdup(path);
    return map->paths[map->n_paths] ? map->paths[map->n_paths++] : NULL;
}

/*
 * The regions overlapping [start, end), whole: the first @max go to @out;
 * returns how many there are.
 */
size_t guest_map_find(GuestMap *map, uint64_t start, uint64_t end, GuestMapRegion *out,
                      size_t max)
{
    size_t count = 0;

    pthread_mutex_lock(&map->lock);
    for (size_t i = guest_map_first_ending_after(map, start); i < map->n && map->r[i].start < end; i++) {
        if (count < max) {
            out[count] = map->r[i];
        }
        count++;
    }
    pthread_mutex_unlock(&map->lock);
    return count;
}

/* Drop [start, end) from the list; 0, or -1 without memory. */
int guest_map_cut(GuestMap *map, uint64_t start, uint64_t end)
{
    bool ok;

    pthread_mutex_lock(&map->lock);
    ok = guest_map_cut__locked(map, start, end);
    pthread_mutex_unlock(&map->lock);
    return ok ? 0 : -1;
}

/* Add a region over a free range (path NULL or "": anonymous); 0, or -1 without memory. */
int guest_map_insert(GuestMap *map, uint64_t start, uint64_t end, int32_t prot, int32_t flags,
                     uint64_t offset, const char *path)
{
    GuestMapRegion region = {start, end, 0, prot, flags, NULL};
    bool ok;

    pthread_mutex_lock(&map->lock);
    region.path = intern_locked(map, path);
    region.offset = region.path ? offset : 0;
    ok = (region.path || !path || !*path) && guest_map_insert__locked(map, region);
    pthread_mutex_unlock(&map->lock);
    return ok ? 0 : -1;
}

GuestBrk *guest_map_brk(GuestMap *map)
{
    return &map->brk;
}

uint64_t guest_map_next_start(GuestMap *map)
{
    return __atomic_load_n(&map->next_start, __ATOMIC_RELAXED);
}

void guest_map_set_next_start(GuestMap *map, uint64_t next_start)
{
    __atomic_store_n(&map->next_start, next_start, __ATOMIC_RELAXED);
}

/*
 * @cpu's engine hears of every change to @map (@on) or no longer does; a
 * NULL @cpu is a listener only Python can tell (served then in Python only).
 */
void guest_map_listen(GuestMap *map, CPUState *cpu, bool on)
{
    pthread_mutex_lock(&map->lock);
    if (!cpu) {
        map->python_only += on ? 1 : -1;
    } else if (on) {
        CPUState **grown = realloc(map->listeners, (map->n_listeners + 1) * sizeof(*grown));

        if (grown) {
            map->listeners = grown;
            map->listeners[map->n_listeners++] = cpu;
        } else {
            map->python_only++;     /* never served in C: the list would be wrong */
        }
    } else {
        for (size_t i = 0; i < map->n_listeners; i++) {
            if (map->listeners[i] == cpu) {
                map->listeners[i] = map->listeners[--map->n_listeners];
                break;
            }
        }
    }
    pthread_mutex_unlock(&map->lock);
}

/* Listener calls held back (deferred_listeners) while @held: served in Python only. */
void guest_map_hold(GuestMap *map, bool held)
{
    guest_map_listen(map, NULL, held);
}

/* Make @map (NULL: none) the one the syscall paths check guest buffers against. */
void guest_map_use(GuestMap *map)
{
    pthread_mutex_lock(&current_lock);
    current_map = map;
    pthread_mutex_unlock(&current_lock);
}

GuestMap *guest_map_current(void)
{
    return __atomic_load_n(&current_map, __ATOMIC_ACQUIRE);
}

/*
 * Does every page of [addr, addr + size) have all of @need's rights and, if
 * @direct, no file mapped?  (mmap.py's access_ok: an empty range always.)
 */
static bool map_range_has(GuestMap *map, uint64_t addr, uint64_t size, int need, bool direct)
{
    uint64_t cursor = addr;
    bool ok = false;

    if (size == 0) {
        return true;
    }
    if (!map || addr >= GUEST_TASK_SIZE || size > GUEST_TASK_SIZE - addr) {
        return false;
    }
    pthread_mutex_lock(&map->lock);
    for (size_t i = guest_map_first_ending_after(map, addr); i < map->n; i++) {
        if (map->r[i].start > cursor || (map->r[i].prot & need) != need ||
            (direct && map->r[i].path)) {
            break;
        }
        cursor = map->r[i].end;
        if (cursor >= addr + size) {
            ok = true;
            break;
        }
    }
    pthread_mutex_unlock(&map->lock);
    return ok;
}

bool guest_map_access_ok(GuestMap *map, uint64_t addr, uint64_t size, bool write)
{
    return map_range_has(map, addr, size, write ? PROT_WRITE : PROT_READ, false);
}

bool guest_map_range_ok(uint64_t addr, uint64_t size, int need, bool direct)
{
    return map_range_has(guest_map_current(), addr, size, need, direct);
}
