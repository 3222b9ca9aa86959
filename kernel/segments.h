/*
 * segments.h: the kernel's segment selectors, and the one way to load
 * them. Both GDTs use this layout: boot_gdt (boot/entry.S), which the
 * kernel runs on from entry, and trap.c's, which adds the TSS. In long
 * mode the segments' bases and limits are ignored; CS must still be a
 * 64-bit code segment, and the data registers must hold valid selectors.
 */
#ifndef DYNFLAGS_SEGMENTS_H
#define DYNFLAGS_SEGMENTS_H

/* GDT slots: 0 null, 1 code, 2 data, 3-4 the TSS (16 bytes). */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL   0x18

#ifdef __ASSEMBLER__
/* Load DS, ES, SS, FS, GS with the data selector. Clobbers ax. */
.macro load_kernel_data_segments
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
.endm

/*
 * After an lgdt, in 64-bit mode: load CS with a far return (long mode
 * has no far jump to an immediate), then the data segments. Clobbers rax.
 */
.macro load_kernel_segments
	pushq $KERNEL_CS
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	load_kernel_data_segments
.endm
#endif

#endif
