// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * files.c - file-system system calls on a scratch directory given as argv[1]
 * (which must exist and be empty): mkdir, open/creat, write/pwrite/writev,
 * read/pread/readv, lseek, ftruncate, fstat/stat/lstat, link, symlink, readlink,
 * rename, readdir (sorted), access, chdir/getcwd, expected failures with their
 * errno names, then unlink/rmdir everything again. Only paths relative to
 * argv[1], sizes, modes, link counts and errno names are printed, never times,
 * inode numbers or the scratch path itself.
 *
 * Expected status: 0 (1 with a message on stderr if a step fails unexpectedly)
 * Expected stdout: starts "umask old=" ... and ends "scratch dir empty again: 1\n"
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHECK(call)                                                            \
    do {                                                                       \
        if ((call) < 0) {                                                      \
            fprintf(stderr, "files: line %d: %s: %s\n", __LINE__, #call,        \
                    strerror(errno));                                          \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#define MAX_LISTED 32

static const char *errno_name(int number)
{
    switch (number) {
    case ENOENT:
        return "ENOENT";
    case EEXIST:
        return "EEXIST";
    case ENOTEMPTY:
        return "ENOTEMPTY";
    case ENOTDIR:
        return "ENOTDIR";
    case EISDIR:
        return "EISDIR";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case EPERM:
        return "EPERM";
    default:
        return "other";
    }
}

static void expect_failure(const char *what, int result)
{
    if (result >= 0) {
        printf("%s: unexpectedly succeeded\n", what);
        exit(1);
    }
    printf("%s: -1 %s\n", what, errno_name(errno));
}

static void print_stat(const char *label, const struct stat *info)
{
    const char *kind = S_ISREG(info->st_mode)   ? "file"
                       : S_ISDIR(info->st_mode) ? "dir"
                       : S_ISLNK(info->st_mode) ? "symlink"
                                                : "other";
    printf("%s: %s mode=%04o nlink=%lu", label, kind, (unsigned)(info->st_mode & 07777),
           (unsigned long)info->st_nlink);
    if (!S_ISDIR(info->st_mode)) {
        printf(" size=%lld", (long long)info->st_size);
    }
    putchar('\n');
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Prints the sorted entries of path (without "." and ".."); returns their number. */
static int list_directory(const char *path)
{
    char *names[MAX_LISTED];
    int count = 0;
    DIR *directory = opendir(path);
    struct dirent *entry;

    if (directory == NULL) {
        perror("opendir");
        exit(1);
    }
    while ((entry = readdir(directory)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) {
            continue;
        }
        if (count == MAX_LISTED) {
            fprintf(stderr, "files: too many entries in %s\n", path);
            exit(1);
        }
        names[count++] = strdup(entry->d_name);
    }
    closedir(directory);
    qsort(names, (size_t)count, sizeof(names[0]), compare_names);
    printf("list %s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf(" (%d)\n", count);
    return count;
}

static void write_and_read_back(void)
{
    static const char line[] = "the quick brown fox\n";
    char buffer[256];
    struct stat info;
    int fd;

    CHECK(fd = open("sub/alpha.txt", O_CREAT | O_WRONLY | O_TRUNC, 0666));
    for (int i = 0; i < 10; i++) {
        CHECK(write(fd, line, sizeof(line) - 1));
    }
    CHECK(pwrite(fd, "QUICK", 5, 4));
    struct iovec pieces[2] = {{.iov_base = "tail-", .iov_len = 5},
                              {.iov_base = "end\n", .iov_len = 4}};
    CHECK(writev(fd, pieces, 2));
    CHECK(fstat(fd, &info));
    print_stat("fstat sub/alpha.txt", &info);
    CHECK(close(fd));

    CHECK(fd = open("sub/alpha.txt", O_RDONLY));
    ssize_t got;
    CHECK(got = read(fd, buffer, 19));
    printf("read %zd: %.*s\n", got, (int)got, buffer);
    off_t end;
    CHECK(end = lseek(fd, 0, SEEK_END));
    printf("lseek end=%lld\n", (long long)end);
    CHECK(got = pread(fd, buffer, 9, end - 9));
    printf("pread %zd: %.*s", got, (int)got, buffer);
    char first[4], second[6];
    struct iovec targets[2] = {{.iov_base = first, .iov_len = sizeof(first)},
                               {.iov_base = second, .iov_len = sizeof(second)}};
    CHECK(lseek(fd, 20, SEEK_SET));
    CHECK(got = readv(fd, targets, 2));
    printf("readv %zd: [%.4s][%.6s]\n", got, first, second);
    CHECK(got = read(fd, buffer, 0));
    printf("read of 0 bytes=%zd\n", got);
    CHECK(lseek(fd, 0, SEEK_END));
    CHECK(got = read(fd, buffer, sizeof(buffer)));
    printf("read at end=%zd\n", got);
    CHECK(close(fd));
    expect_failure("read on closed fd", (int)read(fd, buffer, 1));
}

static void links_and_names(void)
{
    char target[64];
    struct stat info;
    int fd;

    CHECK(link("sub/alpha.txt", "sub/alpha.hard"));
    CHECK(stat("sub/alpha.txt", &info));
    print_stat("stat sub/alpha.txt after link", &info);

    CHECK(symlink("alpha.txt", "sub/alpha.sym"));
    ssize_t length;
    CHECK(length = readlink("sub/alpha.sym", target, sizeof(target) - 1));
    target[length] = '\0';
    printf("readlink sub/alpha.sym=%s\n", target);
    CHECK(lstat("sub/alpha.sym", &info));
    printf("lstat sub/alpha.sym: %s size=%lld\n", S_ISLNK(info.st_mode) ? "symlink" : "not symlink",
           (long long)info.st_size);
    CHECK(stat("sub/alpha.sym", &info));
    print_stat("stat sub/alpha.sym", &info);

    CHECK(fd = open("sub/beta.tmp", O_CREAT | O_WRONLY | O_EXCL, 0600));
    CHECK(write(fd, "0123456789abcdef", 16));
    CHECK(ftruncate(fd, 10));
    CHECK(close(fd));
    CHECK(rename("sub/beta.tmp", "sub/beta.txt"));
    CHECK(stat("sub/beta.txt", &info));
    print_stat("stat sub/beta.txt", &info);
    CHECK(chmod("sub/beta.txt", 0640));
    CHECK(stat("sub/beta.txt", &info));
    print_stat("stat sub/beta.txt after chmod", &info);
    CHECK(mkdir("sub/nested", 0777));
    CHECK(stat("sub", &info));
    print_stat("stat sub", &info);
}

static void expected_failures(void)
{
    struct stat info;

    expect_failure("stat missing", stat("sub/missing", &info));
    expect_failure("access missing", access("sub/missing", F_OK));
    expect_failure("open O_EXCL existing", open("sub/alpha.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    expect_failure("rmdir non-empty", rmdir("sub"));
    expect_failure("mkdir existing", mkdir("sub", 0755));
    expect_failure("open file as dir", open("sub/alpha.txt/x", O_RDONLY));
    expect_failure("unlink dir", unlink("sub/nested"));
    int fd;
    CHECK(fd = open("sub/alpha.txt", O_RDONLY));
    expect_failure("lseek bad whence", (int)lseek(fd, 0, 99));
    CHECK(close(fd));
    printf("access sub/alpha.txt R_OK|W_OK=%d\n", access("sub/alpha.txt", R_OK | W_OK));
}

static void working_directory(void)
{
    char path[4096];

    CHECK(chdir("sub"));
    if (getcwd(path, sizeof(path)) == NULL) {
        perror("getcwd");
        exit(1);
    }
    size_t length = strlen(path);
    printf("getcwd ends with /sub: %d\n", length >= 4 && strcmp(path + length - 4, "/sub") == 0);
    list_directory(".");
    CHECK(chdir(".."));
}

static void clean_up(const char *scratch)
{
    static const char *const files[] = {"sub/alpha.txt", "sub/alpha.hard", "sub/alpha.sym",
                                        "sub/beta.txt"};

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        CHECK(unlink(files[i]));
    }
    CHECK(rmdir("sub/nested"));
    CHECK(rmdir("sub"));
    printf("scratch dir empty again: %d\n", list_directory(scratch) == 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: files SCRATCH_DIR\n");
        return 2;
    }
    mode_t old_mask = umask(022);
    printf("umask old=%04o\n", (unsigned)old_mask & 0777);
    CHECK(chdir(argv[1]));
    CHECK(mkdir("sub", 0777));

    write_and_read_back();
    links_and_names();
    list_directory("sub");
    expected_failures();
    working_directory();
    clean_up(".");
    return 0;
}
