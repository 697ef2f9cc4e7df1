// SPDX-License-Identifier: GPL-2.0-or-later
/* cmpxchg b/w/l/q: register and memory destinations, locked, equal and not: what lands
 * in RAX, the destination and the flags. */
#include <stdio.h>
#include <stdint.h>
int main(void)
{
    static const uint64_t v[] = {0, 1, 0xffffffff, 0x100000001ull, 0xdeadbeefcafebabeull};
    for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
        uint64_t mem = v[i], rax = v[j], f, src = 0x1111111122222222ull;
        __asm__ volatile("cmpxchgq %3,%1\npushf\npop %2" : "+a"(rax), "+m"(mem), "=r"(f) : "r"(src) : "cc");
        printf("q mem %lx rax %lx f %lx\n", mem, rax, f & 0x8d5);
        union { uint64_t q; uint32_t l[2]; } m = { .q = v[i] };
        rax = v[j];
        __asm__ volatile("cmpxchgl %k3,%1\npushf\npop %2" : "+a"(rax), "+m"(m.l[0]), "=r"(f) : "r"(src) : "cc");
        printf("l mem %lx rax %lx f %lx\n", m.q, rax, f & 0x8d5);
        uint64_t reg = v[i]; rax = v[j];
        __asm__ volatile("cmpxchgl %k3,%k1\npushf\npop %2" : "+a"(rax), "+r"(reg), "=r"(f) : "r"(src) : "cc");
        printf("lr reg %lx rax %lx f %lx\n", reg, rax, f & 0x8d5);
        reg = v[i]; rax = v[j];
        __asm__ volatile("cmpxchgw %w3,%w1\npushf\npop %2" : "+a"(rax), "+r"(reg), "=r"(f) : "r"(src) : "cc");
        printf("wr reg %lx rax %lx f %lx\n", reg, rax, f & 0x8d5);
        m.q = v[i]; rax = v[j];
        __asm__ volatile("lock cmpxchgl %k3,%1\npushf\npop %2" : "+a"(rax), "+m"(m.l[0]), "=r"(f) : "r"(src) : "cc");
        printf("lockl mem %lx rax %lx f %lx\n", m.q, rax, f & 0x8d5);
    }
    return 0;
}
