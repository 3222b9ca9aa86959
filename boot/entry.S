/*
 * entry.S: the kernel's two ways in, and the boot page tables they share.
 *
 *  _start32  GRUB's multiboot2 loader jumps here (named by the entry-address
 *            tag in the header below) in 32-bit protected mode, paging off,
 *            EAX = multiboot2 magic, EBX = physical address of the info.
 *            We enable PAE paging and long mode ourselves, then call
 *            multiboot2_main(magic, info) in 64-bit C.
 *  _start64  The ELF entry point. The project's GNU-EFI loader jumps here in
 *            64-bit mode after ExitBootServices, RDI = its struct boot_info.
 *            We adopt the boot_info while UEFI's page tables still map it,
 *            then switch to ours and call kmain().
 *
 * The boot page tables identity-map 0..4 GiB: 2 MiB pages, except the first
 * 2 MiB, which uses 4 KiB pages so that page 0 can stay unmapped and a NULL
 * dereference faults. kernel/paging.c later replaces them with tables that
 * cover all RAM.
 */

#include "kernel/segments.h"

#define MB2_MAGIC        0xe85250d6   /* header magic (the loader checks it) */
#define MB2_ARCH_I386    0
#define MB2_TAG_END      0
#define MB2_TAG_ENTRY    3

#define DEBUG_EXIT_PORT  0xf4         /* isa-debug-exit, as kernel/panic.h */
#define EXIT_PANIC       0x12         /* QEMU exits (0x12 << 1) | 1 = 37 */

#define CR0_PE           (1 << 0)
#define CR0_WP           (1 << 16)
#define CR0_PG           (1 << 31)
#define CR4_PAE          (1 << 5)
#define MSR_EFER         0xc0000080
#define EFER_LME         (1 << 8)

#define PTE_P            0x1
#define PTE_W            0x2
#define PTE_PS           0x80          /* 2 MiB page in a page directory */

#define BOOT_STACK_SIZE  65536

/* ------------------------------------------------- multiboot2 header --- */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8                       /* entry address: 32-bit code below */
	.short MB2_TAG_ENTRY, 0
	.long 12
	.long _start32
	.balign 8
	.short MB2_TAG_END, 0
	.long 8
mb2_header_end:

/* -------------------------------------------------- 32-bit entry ------ */
	.section .text.entry, "ax"
	.code32
	.global _start32
_start32:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, %edi                 /* multiboot2 magic -> 1st C argument */
	movl %ebx, %esi                 /* info address     -> 2nd C argument */

	/* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $KERNEL_CS, $start64_mb2

/*
 * No long mode: say so on COM1 (0x3f8), with a verdict line, and exit
 * QEMU through isa-debug-exit with the panic code (exit status 37). Only
 * a machine without that device gets past the out, and halts.
 */
no_long_mode:
	movl $no_long_mode_msg, %esi
1:	lodsb
	testb %al, %al
	jz 3f
	movw $0x3fd, %dx                /* line status: wait for THR empty */
	movb %al, %bl
2:	inb %dx, %al
	testb $0x20, %al
	jz 2b
	movw $0x3f8, %dx
	movb %bl, %al
	outb %al, %dx
	jmp 1b
3:	movw $DEBUG_EXIT_PORT, %dx
	movl $EXIT_PANIC, %eax
	outl %eax, %dx
4:	hlt
	jmp 4b

/* -------------------------------------------------- 64-bit paths ------ */
	.code64
start64_mb2:
	load_kernel_data_segments       /* CS was loaded by the ljmp */
	movl %edi, %edi                 /* upper halves are undefined after */
	movl %esi, %esi                 /* the switch: zero-extend */
	xorl %ebp, %ebp                 /* end of the frame chain for gdb */
	call multiboot2_main            /* never returns */
	jmp boot_halt

	.global _start64
_start64:
	cli
	cld
	movq $boot_stack_top, %rsp
	lgdt boot_gdt_ptr
	load_kernel_segments
	xorl %ebp, %ebp                 /* end of the frame chain for gdb */
	call efi_adopt_boot_info        /* rdi = loader's boot_info; returns ours */
	movq $boot_pml4, %rcx
	movq %rcx, %cr3
	movq %rax, %rdi
	call kmain                      /* never returns */

	.global boot_halt
boot_halt:
	cli
	hlt
	jmp boot_halt

	.section .rodata
no_long_mode_msg:
	.ascii "dynflags: this CPU has no long mode (x86_64); stopping\r\n"
	.asciz "# verdict: panic reason=no-long-mode exit=0x12\r\n"

	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code, ring 0 */
	.quad 0x00cf92000000ffff        /* 0x10: data, ring 0 */
boot_gdt_end:
	.balign 8
boot_gdt_ptr:                           /* read as 6 bytes in 32-bit mode, */
	.short boot_gdt_end - boot_gdt - 1  /* 10 bytes in 64-bit mode */
	.quad boot_gdt

/* -------------------------------------------------- page tables ------- */
	.section .data
	.balign 4096
	.global boot_pml4
boot_pml4:
	.quad boot_pdpt + PTE_P + PTE_W
	.fill 511, 8, 0
boot_pdpt:                              /* four page directories: 4 GiB */
	.quad boot_pd + 0x0000 + PTE_P + PTE_W
	.quad boot_pd + 0x1000 + PTE_P + PTE_W
	.quad boot_pd + 0x2000 + PTE_P + PTE_W
	.quad boot_pd + 0x3000 + PTE_P + PTE_W
	.fill 508, 8, 0
boot_pd:
	.quad boot_pt0 + PTE_P + PTE_W       /* 0..2 MiB in 4 KiB pages */
	.set phys, 0x200000
	.rept 2047
	.quad phys + PTE_P + PTE_W + PTE_PS
	.set phys, phys + 0x200000
	.endr
boot_pt0:
	.quad 0                              /* page 0: not present */
	.set phys, 0x1000
	.rept 511
	.quad phys + PTE_P + PTE_W
	.set phys, phys + 0x1000
	.endr

	.section .bss
	.balign 16
	.global boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
