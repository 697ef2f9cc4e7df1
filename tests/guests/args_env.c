// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * args_env.c - prints what the process was started with: argc and argv, a few
 * environment variables, the size of the environment, and auxiliary-vector
 * entries (getauxval(3)) either as values or as checks against the program's
 * own ELF header, so that nothing depends on where the program was loaded.
 *
 * Environment variables printed (value or "(unset)"): PYQEMU_TEST_VALUE,
 * PYQEMU_TEST_EMPTY, PYQEMU_TEST_UNSET, LC_ALL. Non-printable bytes in strings
 * are shown as \xNN.
 *
 * Expected status: 0
 * Expected stdout (abridged, for `args_env one "two words"` with
 * PYQEMU_TEST_VALUE=42 PYQEMU_TEST_EMPTY= LC_ALL=C):
 *   argc=3
 *   argv[0]=<the path it was run as>
 *   argv[1]=one
 *   argv[2]=two words
 *   env PYQEMU_TEST_VALUE=42
 *   ...
 *   AT_PAGESZ=4096
 *   AT_EXECFN=<the path it was run as>
 *   AT_ENTRY is _start: 1
 *   ...
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;
extern char _start[];               /* entry point, from crt1.o (glibc and musl) */
extern const Elf64_Ehdr __ehdr_start; /* this executable's ELF header, from the linker */

static void print_escaped(const char *label, const char *text)
{
    fputs(label, stdout);
    if (text == NULL) {
        fputs("(unset)\n", stdout);
        return;
    }
    for (const unsigned char *byte = (const unsigned char *)text; *byte != '\0'; byte++) {
        if (*byte >= 0x20 && *byte < 0x7f && *byte != '\\') {
            putchar(*byte);
        } else {
            printf("\\x%02x", *byte);
        }
    }
    putchar('\n');
}

static void print_auxv(void)
{
    const Elf64_Phdr *own_phdrs =
        (const Elf64_Phdr *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);

    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    print_escaped("AT_EXECFN=", (const char *)getauxval(AT_EXECFN));
    print_escaped("AT_PLATFORM=", (const char *)getauxval(AT_PLATFORM));
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_PHNUM is e_phnum: %d\n", getauxval(AT_PHNUM) == __ehdr_start.e_phnum);
    printf("AT_PHDR is own program headers: %d\n", getauxval(AT_PHDR) == (uintptr_t)own_phdrs);
    printf("AT_ENTRY is _start: %d\n", getauxval(AT_ENTRY) == (uintptr_t)_start);
    printf("AT_BASE is zero: %d\n", getauxval(AT_BASE) == 0);
    printf("AT_FLAGS=%lu\n", getauxval(AT_FLAGS));
    printf("AT_UID matches: %d\n", getauxval(AT_UID) == (unsigned long)getuid());
    printf("AT_EUID matches: %d\n", getauxval(AT_EUID) == (unsigned long)geteuid());
    printf("AT_GID matches: %d\n", getauxval(AT_GID) == (unsigned long)getgid());
    printf("AT_EGID matches: %d\n", getauxval(AT_EGID) == (unsigned long)getegid());
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_RANDOM is set: %d\n", getauxval(AT_RANDOM) != 0);
}

int main(int argc, char **argv)
{
    static const char *const shown_variables[] = {
        "PYQEMU_TEST_VALUE", "PYQEMU_TEST_EMPTY", "PYQEMU_TEST_UNSET", "LC_ALL",
    };
    char label[64];
    char exe_path[4096];
    int environment_size = 0;

    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        snprintf(label, sizeof(label), "argv[%d]=", i);
        print_escaped(label, argv[i]);
    }
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);

    for (size_t i = 0; i < sizeof(shown_variables) / sizeof(shown_variables[0]); i++) {
        snprintf(label, sizeof(label), "env %s=", shown_variables[i]);
        print_escaped(label, getenv(shown_variables[i]));
    }
    for (char **entry = environ; *entry != NULL; entry++) {
        environment_size++;
    }
    printf("environment entries=%d\n", environment_size);

    print_auxv();

    ssize_t length = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
    if (length < 0) {
        perror("readlink /proc/self/exe");
        return 1;
    }
    exe_path[length] = '\0';
    print_escaped("/proc/self/exe -> ", exe_path);
    return 0;
}
