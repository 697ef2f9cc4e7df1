// SPDX-License-Identifier: GPL-2.0-or-later
/* Threads that map code pages, run them and unmap them while others do the same. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define THREADS 4
#define ROUNDS 300

static void *worker(void *arg)
{
    long id = (long)arg, sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        /* mov eax, imm32; ret */
        p[0] = 0xb8;
        int v = (int)(id * 1000 + i);
        memcpy(p + 1, &v, 4);
        p[5] = 0xc3;
        mprotect(p, 4096, PROT_READ | PROT_EXEC);
        sum += ((int (*)(void))p)();
        munmap(p, 4096);
    }
    return (void *)sum;
}

int main(void)
{
    pthread_t th[THREADS];
    long total = 0;
    for (long i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    printf("total %ld\n", total);
    return 0;
}
