/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ymm_regs.h - asm text that moves ymm0-15 as a whole between memory and the
 * registers, for the guests that check what happens to them (ymm_signal.c,
 * ymm_inherit.c).  LOAD16/STORE16 take an operand that names 16 * 32 bytes
 * ("%[name]" of an "m" operand, or "0(%%reg)"); register i is at byte 32 * i.
 */
#ifndef YMM_REGS_H
#define YMM_REGS_H

#define LOAD16(src)                                                                        \
    "vmovdqu 0*32+" src ", %%ymm0\n\tvmovdqu 1*32+" src ", %%ymm1\n\t"                    \
    "vmovdqu 2*32+" src ", %%ymm2\n\tvmovdqu 3*32+" src ", %%ymm3\n\t"                    \
    "vmovdqu 4*32+" src ", %%ymm4\n\tvmovdqu 5*32+" src ", %%ymm5\n\t"                    \
    "vmovdqu 6*32+" src ", %%ymm6\n\tvmovdqu 7*32+" src ", %%ymm7\n\t"                    \
    "vmovdqu 8*32+" src ", %%ymm8\n\tvmovdqu 9*32+" src ", %%ymm9\n\t"                    \
    "vmovdqu 10*32+" src ", %%ymm10\n\tvmovdqu 11*32+" src ", %%ymm11\n\t"                \
    "vmovdqu 12*32+" src ", %%ymm12\n\tvmovdqu 13*32+" src ", %%ymm13\n\t"                \
    "vmovdqu 14*32+" src ", %%ymm14\n\tvmovdqu 15*32+" src ", %%ymm15\n\t"

#define STORE16(dst)                                                                       \
    "vmovdqu %%ymm0, 0*32+" dst "\n\tvmovdqu %%ymm1, 1*32+" dst "\n\t"                    \
    "vmovdqu %%ymm2, 2*32+" dst "\n\tvmovdqu %%ymm3, 3*32+" dst "\n\t"                    \
    "vmovdqu %%ymm4, 4*32+" dst "\n\tvmovdqu %%ymm5, 5*32+" dst "\n\t"                    \
    "vmovdqu %%ymm6, 6*32+" dst "\n\tvmovdqu %%ymm7, 7*32+" dst "\n\t"                    \
    "vmovdqu %%ymm8, 8*32+" dst "\n\tvmovdqu %%ymm9, 9*32+" dst "\n\t"                    \
    "vmovdqu %%ymm10, 10*32+" dst "\n\tvmovdqu %%ymm11, 11*32+" dst "\n\t"                \
    "vmovdqu %%ymm12, 12*32+" dst "\n\tvmovdqu %%ymm13, 13*32+" dst "\n\t"                \
    "vmovdqu %%ymm14, 14*32+" dst "\n\tvmovdqu %%ymm15, 15*32+" dst "\n\t"

/* the clobber list of an asm block that changes every ymm register */
#define ALL_YMM                                                                            \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",       \
    "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

#endif
