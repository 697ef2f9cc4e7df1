// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strace_printers: calls whose -strace lines qemu-x86_64 7.2 prints with a printer of
 * its own (strace.c's print_<name>), with ordinary and unreadable arguments, between
 * two marker writes, so tests/linux_user/test_strace_printers.py can compare the lines
 * pyqemu prints with qemu's.  Every call fails or changes nothing lasting: paths lie
 * under /nonexistent, the timers are disarmed again, settimeofday gets an invalid
 * time.
 *
 * Expected status: 0
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <linux/fs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static struct itimerval itv = {{1, 2}, {3, 4}}, old;
static struct timeval tvs[2] = {{5, 6}, {7, 8}}, bad_tv = {5, 6000000};
static struct timezone tz = {60, 0};
static struct utimbuf ub = {9, 10};
static struct sockaddr_un sun = {AF_UNIX, "/nonexistent/sock"};
static struct sockaddr_in sin4;
static struct sockaddr_in6 sin6;
static struct sockaddr_nl snl;
static struct sockaddr_ll sll;
static socklen_t slen = sizeof(sun), all_ones = 0xffffffffu;
static struct timespec ts = {11, 12}, rem = {13, 14}, no_time;
static char buf[64];
static int one = 1, zero;
static siginfo_t sigqueued;
static struct statx stx;

static void sockets(void)
{
    int s = socket(AF_UNIX, SOCK_STREAM, 0);

    syscall(SYS_bind, s, &sun, sizeof(sun));
    syscall(SYS_bind, s, (void *)8, 16);
    syscall(SYS_accept, s, &sun, &slen);
    syscall(SYS_accept, s, NULL, NULL);
    syscall(SYS_accept, s, (void *)8, (void *)8);
    syscall(SYS_accept, s, &sun, &all_ones);
    sin4.sin_family = AF_INET;
    sin4.sin_port = htons(80);
    sin4.sin_addr.s_addr = htonl(0x7f000001);
    syscall(SYS_bind, s, &sin4, sizeof(sin4));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(8080);
    syscall(SYS_bind, s, &sin6, sizeof(sin6));
    snl.nl_family = AF_NETLINK;
    snl.nl_pid = 7;
    snl.nl_groups = 3;
    syscall(SYS_bind, s, &snl, sizeof(snl));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(0x0806);
    sll.sll_ifindex = 2;
    sll.sll_pkttype = PACKET_BROADCAST;
    sll.sll_halen = 6;
    for (int i = 0; i < 8; i++) {
        sll.sll_addr[i] = (unsigned char)(0x10 * i + 1);
    }
    syscall(SYS_bind, s, &sll, sizeof(sll));
    syscall(SYS_ioctl, s, FIONBIO, &one);
    syscall(SYS_ioctl, s, FIONBIO, &zero);
    syscall(SYS_ioctl, s, FIOASYNC, &zero);
    syscall(SYS_ioctl, s, FIONBIO, (void *)8);
    close(s);
}

static void timers(void)
{
    syscall(SYS_setitimer, ITIMER_REAL, &itv, &old);
    syscall(SYS_setitimer, ITIMER_REAL, NULL, NULL);     /* disarms */
    syscall(SYS_getitimer, ITIMER_REAL, &old);
    syscall(SYS_setitimer, ITIMER_VIRTUAL, &itv, NULL);
    syscall(SYS_setitimer, ITIMER_VIRTUAL, NULL, NULL);
    syscall(SYS_getitimer, ITIMER_PROF, &old);
    syscall(SYS_getitimer, 9, &old);
    syscall(SYS_setitimer, 77, NULL, NULL);
    syscall(SYS_setitimer, ITIMER_REAL, (void *)8, (void *)16);
    syscall(SYS_getitimer, ITIMER_REAL, (void *)8);
    syscall(SYS_settimeofday, &bad_tv, NULL);
    syscall(SYS_settimeofday, &bad_tv, &tz);
    syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts);
    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);  /* long past */
    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME | 2, &ts, NULL);
    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, &rem);
    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, (void *)8);
    syscall(SYS_nanosleep, &no_time, (void *)8);   /* 0: the remainder is not written */
}

static void files(void)
{
    syscall(SYS_utimes, "/nonexistent", tvs);
    syscall(SYS_utimes, "/nonexistent", NULL);
    syscall(SYS_utime, "/nonexistent", &ub);
    syscall(SYS_utime, "/nonexistent", NULL);
    syscall(SYS_chroot, "/nonexistent");
    syscall(SYS_acct, "/nonexistent");
    syscall(SYS_mknod, "/nonexistent/x", S_IFIFO | 0644, 0);
    syscall(SYS_mknod, "/nonexistent/x", 0, 0);
    syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/x", S_IFCHR | 0600, makedev(1, 3));
    syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/x", S_IFBLK | 0600, makedev(259, 70000));
    syscall(SYS_mknodat, AT_FDCWD, "/nonexistent/x", S_IFREG | 0755, 0);
    syscall(SYS_mkdir, "/nonexistent/x", 0);
    syscall(SYS_mkdir, "/nonexistent/x", S_IFDIR | 01777);
    syscall(SYS_openat, AT_FDCWD, "/nonexistent/x", O_CREAT | O_WRONLY, S_IFREG | 0644);
    syscall(SYS_chmod, "/nonexistent/x", S_IFLNK | 04755);
    syscall(SYS_creat, "/nonexistent/x", S_IFBLK);
    syscall(SYS_futimesat, AT_FDCWD, "/nonexistent", tvs);
    syscall(SYS_futimesat, AT_FDCWD, "/nonexistent", NULL);
    syscall(SYS_futimesat, 3, "/nonexistent", (void *)8);
    syscall(SYS_fallocate, 1, 0, 0, 65536);     /* a pipe: the host's error */
    syscall(SYS_fallocate, 1, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 4096, 8192);
    syscall(SYS_statx, AT_FDCWD, "/nonexistent", AT_SYMLINK_NOFOLLOW,
            STATX_BASIC_STATS | STATX_BTIME, &stx);
    syscall(SYS_umount2, "/nonexistent", MNT_DETACH);
    syscall(SYS_mount, "none", "/nonexistent", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
    syscall(SYS_mount, "none", "/nonexistent", NULL, MS_REMOUNT | MS_RELATIME | 0x40000000,
            NULL);
}

int main(void)
{
    write(1, "BEGIN\n", 6);
    timers();
    sockets();
    files();
    syscall(SYS_mlockall, 0x40);        /* EINVAL: no flag it knows */
    syscall(SYS_mlockall, MCL_ONFAULT); /* EINVAL: MCL_ONFAULT alone */
    sigqueued.si_signo = SIGUSR2;
    sigqueued.si_code = SI_QUEUE;
    sigqueued.si_pid = 1234;
    sigqueued.si_value.sival_int = -42;
    syscall(SYS_rt_sigqueueinfo, 0, SIGUSR2, &sigqueued);      /* pid 0: ESRCH */
    syscall(SYS_rt_sigqueueinfo, 0, SIGUSR2, (void *)8);
    syscall(SYS_rt_tgsigqueueinfo, 0, 0, SIGUSR2, &sigqueued);  /* EINVAL */
    syscall(SYS_unshare, 0);
    syscall(SYS_unshare, CLONE_IO | CLONE_NEWTIME);   /* EINVAL: CLONE_IO is clone's only */
    syscall(SYS_clock_adjtime, CLOCK_REALTIME, (void *)8);
    syscall(SYS_pidfd_send_signal, -1, 0, NULL, 0);
    syscall(SYS_syslog, 10, NULL, 0);
    syscall(SYS_syslog, 42, NULL, 0);
    syscall(SYS_syslog, 3, buf, 0);
    syscall(SYS_ioctl, 0, 0x1234, 5);
    syscall(SYS_ioctl, 0, 0x1234, 0x7f0000001000);
    syscall(SYS_ioctl, 0, 0x1234, 0);
    syscall(SYS_ioctl, 1, FICLONE, 0);  /* whatever the host answers for a pipe */
    write(1, "END\n", 4);
    return 0;
}
