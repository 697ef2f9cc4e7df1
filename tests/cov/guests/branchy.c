// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * branchy.c: a tiny guest whose coverage depends on its input, for corpus runs.
 *
 * Reads up to 16 bytes from the file named by argv[1], or from stdin without
 * one.  Which branches run depends on the bytes: a "FUZ" prefix opens nested
 * branches, every byte picks one of eight cases, and the input "HANG" makes
 * the guest spin forever (for the timeout test).
 * Expected status: the score (0-127).
 */
#include <fcntl.h>
#include <unistd.h>

static int weigh(unsigned char byte)
{
    switch (byte % 8) {
    case 0: return 1;
    case 1: return byte > 128 ? 3 : 5;
    case 2: return byte / 3;
    case 3: return byte ^ 0x55;
    case 4: return byte & 7 ? 11 : 13;
    case 5: return (byte << 1) + 17;
    case 6: return byte > 200 ? 19 : 23;
    default: return 29;
    }
}

int main(int argc, char **argv)
{
    unsigned char buf[16];
    int fd = argc > 1 ? open(argv[1], O_RDONLY) : 0;
    long n, i;
    int score = 0;

    if (fd < 0) {
        return 2;
    }
    n = read(fd, buf, sizeof(buf));
    if (n == 4 && buf[0] == 'H' && buf[1] == 'A' && buf[2] == 'N' && buf[3] == 'G') {
        for (;;) {
            __asm__ volatile("");
        }
    }
    if (n > 0 && buf[0] == 'F') {
        score += 1;
        if (n > 1 && buf[1] == 'U') {
            score += 2;
            if (n > 2 && buf[2] == 'Z') {
                score += 4;
            }
        }
    }
    for (i = 0; i < n; i++) {
        score += weigh(buf[i]);
    }
    return score & 0x7f;
}
