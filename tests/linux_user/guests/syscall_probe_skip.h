/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The syscalls a probe that calls every number with wild arguments must not
 * make, whatever it probes (syscall_probe.c, tests/semantics/guests/errno_probe.c):
 * entries of a `static const long SKIP[]` initializer, included inside it.
 */
#ifdef SYS_exit
    SYS_exit,           /* ends the process whatever the argument */
#endif
    SYS_exit_group,     /* the same */
#ifdef SYS_fork
    SYS_fork,           /* takes no argument: would fork */
#endif
#ifdef SYS_vfork
    SYS_vfork,          /* the same */
#endif
#ifdef SYS_pause
    SYS_pause,          /* waits for a signal forever */
#endif
    SYS_rt_sigreturn,   /* restores registers from the stack: jumps anywhere */
    SYS_vhangup,        /* no argument: as root it hangs up the terminal */
    SYS_sync,           /* no argument: flushes every disk of the host */
