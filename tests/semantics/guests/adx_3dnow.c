// SPDX-License-Identifier: GPL-2.0-or-later
/* ADX (adcx, adox) and 3DNow! (pfadd, femms) (issue 26): their results and flags.  Run
 * under a -cpu model that has both bits, qemu-x86_64 7.2 and pyqemu execute them; under one
 * without them both raise SIGILL at the first.  stdout is unbuffered so the lines before a
 * SIGILL are seen. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    static const uint64_t values[] = {0, 1, 0x7fffffffffffffffull, 0xffffffffffffffffull};
    for (int carry = 0; carry < 2; carry++) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                uint64_t a = values[i], c = values[i], fl;
                __asm__ volatile("cmpq %4, %5\n\t"       /* CF = carry, OF = 0 */
                                 "adcx %3, %0\n\t"
                                 "adox %3, %1\n\t"
                                 "pushfq\n\tpopq %2"
                                 : "+r"(a), "+r"(c), "=r"(fl)
                                 : "r"(values[j]), "r"((uint64_t)carry), "r"((uint64_t)0)
                                 : "cc");
                printf("adx cf=%d %016llx+%016llx -> %016llx %016llx flags=%03llx\n", carry,
                       (unsigned long long)values[i], (unsigned long long)values[j],
                       (unsigned long long)a, (unsigned long long)c,
                       (unsigned long long)(fl & 0x8d5));
            }
        }
    }
    float x[2] = {1.5f, 2.0f}, y[2] = {0.25f, 3.0f};
    __asm__ volatile("movq %0, %%mm0\n\tmovq %1, %%mm1\n\tpfadd %%mm1, %%mm0\n\t"
                     "movq %%mm0, %0\n\tfemms" : "+m"(x) : "m"(y));
    printf("3dnow pfadd %g %g\n", x[0], x[1]);
    return 0;
}
