// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The quick-start sample: a tiny word-frequency counter whose branches
 * depend on its input, so that coverage changes from one input to another.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORDS 64

struct word { char text[32]; int count; };

static int classify(const char *w)
{
    if (isdigit((unsigned char)w[0]))
        return 1;             /* a number */
    if (isupper((unsigned char)w[0]))
        return 2;             /* a name */
    return 0;                 /* an ordinary word */
}

static int add_word(struct word *words, int n, const char *w)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(words[i].text, w) == 0) {
            words[i].count++;
            return n;
        }
    }
    if (n == MAX_WORDS)
        return n;
    snprintf(words[n].text, sizeof(words[n].text), "%s", w);
    words[n].count = 1;
    return n + 1;
}

int main(int argc, char **argv)
{
    struct word words[MAX_WORDS];
    int n = 0, kinds[3] = { 0, 0, 0 };

    for (int i = 1; i < argc; i++) {
        kinds[classify(argv[i])]++;
        n = add_word(words, n, argv[i]);
    }
    for (int i = 0; i < n; i++)
        printf("%-12s %d\n", words[i].text, words[i].count);
    printf("%d distinct, %d numbers, %d names, %d words\n", n, kinds[1], kinds[2], kinds[0]);
    return 0;
}
