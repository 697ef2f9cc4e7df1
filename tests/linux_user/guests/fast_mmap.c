/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mmap, munmap, mprotect and brk, in the cases pyqemu's C host serves
 * (pyqemu/host/mmap.c) and those it leaves to Python, for
 * tests/linux_user/test_fast_mmap.py: every result is printed (addresses
 * relative to the first mapping), faults are caught and printed, and code is
 * written, protected, run, rewritten and unmapped so that stale translations
 * would show.  Run under qemu-x86_64 and pyqemu, the output must be the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define ROUNDS 20

static sigjmp_buf jump;
static volatile uintptr_t fault_at;

static void on_segv(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    fault_at = (uintptr_t)info->si_addr;
    siglongjmp(jump, 1);
}

static long raw(long nr, long a, long b, long c, long d, long e, long f)
{
    return syscall(nr, a, b, c, d, e, f);
}

static long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    long r = raw(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);

    return r == -1 ? -errno : r;
}

static long sys_ret(long r)
{
    return r == -1 ? -errno : r;
}

/* 1 when a write of one byte at @p faults (the fault address must be @p) */
static int write_faults(volatile char *p)
{
    fault_at = 0;
    if (sigsetjmp(jump, 1)) {
        return fault_at == (uintptr_t)p ? 1 : 2;
    }
    *p = 1;
    return 0;
}

static int read_faults(volatile char *p)
{
    fault_at = 0;
    if (sigsetjmp(jump, 1)) {
        return fault_at == (uintptr_t)p ? 1 : 2;
    }
    (void)*p;
    return 0;
}

/* mov eax, imm32; ret */
static void put_code(unsigned char *p, uint32_t value)
{
    p[0] = 0xB8;
    memcpy(p + 1, &value, 4);
    p[5] = 0xC3;
}

/*
 * The same through read(): the host kernel writes the code, not guest code,
 * so only the emulator's own invalidation can drop what it translated there.
 */
static void load_code(unsigned char *p, uint32_t value)
{
    unsigned char text[6];
    int fds[2];

    put_code(text, value);
    if (pipe(fds) || write(fds[1], text, 6) != 6 || read(fds[0], p, 6) != 6) {
        printf("pipe failed\n");
    }
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    struct sigaction sa;
    long first, r;
    long maps[ROUNDS];
    int devnull;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    devnull = open("/dev/null", O_WRONLY);

    /* placement: each new anonymous mapping, relative to the first */
    first = sys_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("first %s\n", first > 0 ? "ok" : "failed");
    for (int i = 0; i < ROUNDS; i++) {
        maps[i] = sys_mmap(NULL, (size_t)(i % 3 + 1) * PAGE, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap %d at %ld\n", i, maps[i] - first);
    }
    /* a fresh page reads as zero, writes where writable, faults where not */
    for (int i = 0; i < ROUNDS; i += 5) {
        volatile char *p = (volatile char *)maps[i];

        printf("page %d reads %d write faults %d\n", i, p[0], write_faults(p));
    }
    /* mprotect of mapped ranges: read-only, none, back; a range across two mappings */
    printf("mprotect ro %ld\n", sys_ret(mprotect((void *)maps[0], PAGE, PROT_READ)));
    printf("write faults %d\n", write_faults((char *)maps[0]));
    printf("mprotect none %ld\n", sys_ret(mprotect((void *)maps[0], PAGE, PROT_NONE)));
    /*
     * the syscalls' check of guest buffers sees the change (a load from the page is
     * left out: the stock engine reads a PROT_NONE host page itself and dies, main's
     * f335764 too)
     */
    printf("write from none %ld\n", sys_ret(write(devnull, (void *)maps[0], 1)));
    printf("mprotect rw %ld\n", sys_ret(mprotect((void *)maps[0], PAGE, PROT_READ | PROT_WRITE)));
    printf("write faults %d\n", write_faults((char *)maps[0]));
    printf("mprotect across %ld\n",
           sys_ret(mprotect((void *)maps[3], 2 * PAGE, PROT_READ | PROT_WRITE)));
    /*
     * the cases Python answers: misaligned, bad bits, unmapped (a length of 0 is
     * left out: qemu 7.2 says ENOMEM, pyqemu 0, as Linux)
     */
    /* (musl's mprotect rounds the address down: the raw call) */
    printf("mprotect misaligned %ld\n",
           sys_ret(raw(SYS_mprotect, maps[0] + 1, PAGE, PROT_READ, 0, 0, 0)));
    printf("mprotect bad prot %ld\n", sys_ret(mprotect((void *)maps[0], PAGE, 0x40)));
    printf("mprotect unmapped %ld\n", sys_ret(mprotect((void *)0x10000, PAGE, PROT_READ)));
    /* munmap: one page from the middle of a three-page mapping, then the rest */
    printf("munmap middle %ld\n", sys_ret(munmap((char *)maps[2] + PAGE, PAGE)));
    printf("read faults %d\n", read_faults((char *)maps[2] + PAGE));
    printf("read faults %d\n", read_faults((char *)maps[2] + 2 * PAGE));
    printf("munmap rest %ld\n", sys_ret(munmap((void *)maps[2], 3 * PAGE)));
    printf("read faults %d\n", read_faults((char *)maps[2]));
    printf("munmap again %ld\n", sys_ret(munmap((void *)maps[2], 3 * PAGE)));
    printf("munmap misaligned %ld\n", sys_ret(munmap((char *)maps[4] + 8, PAGE)));
    printf("munmap empty %ld\n", sys_ret(munmap((void *)maps[4], 0)));
    /* the next placement after a hole */
    r = sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap after hole at %ld\n", r - first);
    /* the cases Python answers: a hint, MAP_FIXED over a mapping, shared, bad offset */
    /*
     * (the hint far above: where a later placement meets the hinted page, qemu 7.2
     * takes the host kernel's choice, pyqemu the next free page above)
     */
    r = sys_mmap((void *)(maps[5] + 4096 * PAGE), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
    printf("mmap hint at %ld\n", r - first);
    r = sys_mmap((void *)maps[5], PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap fixed at %ld\n", r - first);
    r = sys_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("mmap shared at %ld\n", r - first);
    printf("mmap bad offset %ld\n", sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
                                             -1, 100));
    printf("mmap empty %ld\n", sys_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

    /*
     * a shared file mapping (made in Python), one page of it made writable and then
     * unmapped in C: a store reaches the file, the other page stays read-only
     */
    {
        int fd = (int)syscall(SYS_memfd_create, "fast_mmap", 0);
        char *file;
        char back = 0;

        if (fd < 0 || ftruncate(fd, 2 * PAGE) != 0) {
            printf("memfd failed\n");
        }
        file = (char *)sys_mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
        printf("file mprotect %ld\n",
               sys_ret(mprotect(file + PAGE, PAGE, PROT_READ | PROT_WRITE)));
        printf("file write faults %d %d\n", write_faults(file), write_faults(file + PAGE));
        file[PAGE] = 'x';
        r = pread(fd, &back, 1, PAGE);
        printf("file reads back %ld %c\n", r, back);
        printf("file munmap %ld\n", sys_ret(munmap(file, 2 * PAGE)));
        printf("file read faults %d\n", read_faults(file + PAGE));
        close(fd);
    }

    /* code: written, made executable, run; rewritten, run again; unmapped, mapped again */
    {
        unsigned char *code = (unsigned char *)sys_mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
                                                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int (*fn)(void) = (int (*)(void))code;

        put_code(code, 11);
        printf("mprotect rx %ld\n", sys_ret(mprotect(code, PAGE, PROT_READ | PROT_EXEC)));
        printf("code says %d\n", fn());
        printf("mprotect rw %ld\n", sys_ret(mprotect(code, PAGE, PROT_READ | PROT_WRITE)));
        load_code(code, 22);
        printf("mprotect rx %ld\n", sys_ret(mprotect(code, PAGE, PROT_READ | PROT_EXEC)));
        printf("code says %d\n", fn());
        printf("munmap code %ld\n", sys_ret(munmap(code, PAGE)));
        /* mapped again writable and executable: only munmap's invalidation helps */
        r = sys_mmap(code, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        printf("mapped again %d\n", r == (long)code);
        load_code(code, 33);
        printf("code says %d\n", fn());
    }

    /* brk: grow, write, shrink (qemu 7.2 keeps the pages), grow again (reads as zero) */
    {
        long start = raw(SYS_brk, 0, 0, 0, 0, 0, 0);
        long grown = raw(SYS_brk, start + 3 * PAGE, 0, 0, 0, 0, 0);
        volatile char *heap = (volatile char *)start;

        printf("brk grow %ld\n", grown - start);
        heap[2 * PAGE] = 7;
        printf("brk shrink %ld\n", raw(SYS_brk, start + PAGE, 0, 0, 0, 0, 0) - start);
        printf("brk read faults %d\n", read_faults(heap + 2 * PAGE));
        printf("brk grow again %ld\n", raw(SYS_brk, start + 3 * PAGE, 0, 0, 0, 0, 0) - start);
        printf("brk reads %d\n", heap[2 * PAGE]);
        /* within a page it keeps: the bytes above the break read as zero again */
        heap[PAGE + 8] = 9;
        printf("brk shrink in page %ld\n", raw(SYS_brk, start + PAGE + 4, 0, 0, 0, 0, 0) - start);
        printf("brk grow in page %ld\n", raw(SYS_brk, start + 3 * PAGE, 0, 0, 0, 0, 0) - start);
        printf("brk reads again %d\n", heap[PAGE + 8]);
        printf("brk below start %ld\n", raw(SYS_brk, start - PAGE, 0, 0, 0, 0, 0) - start);
    }

    /* many rounds of the served cases, for the count of calls served in C */
    for (int i = 0; i < ROUNDS; i++) {
        long p = sys_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);

        if (mprotect((void *)p, PAGE, PROT_READ) || munmap((void *)p, 2 * PAGE)) {
            printf("round %d failed\n", i);
        }
    }
    printf("done\n");
    return 0;
}
