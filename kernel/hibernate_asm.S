/*
 * hibernate_asm.S: the CPU state a hibernation saves, the way back into
 * the saved kernel, and the copy routine a resume relocates into a safe
 * page (kernel/hibernate.c, docs/hibernation.md).
 *
 * struct hib_cpu (kernel/hibernate.c), byte offsets:
 *   0 rbx  8 rbp  16 r12  24 r13  32 r14  40 r15  48 rsp  56 rip
 *   64 rflags  72 cr0  80 cr3  88 cr4  96 efer  104 gdtr (10 bytes)
 *   120 idtr (10 bytes)  136 tr (2 bytes)
 */
#include "kernel/segments.h"

#define MSR_EFER 0xc0000080

	.text
/*
 * int hib_save(struct hib_cpu *c): like setjmp. Saves the callee-saved
 * registers, the stack pointer and return address of its caller, the flags,
 * CR0, CR3, CR4, EFER, GDTR, IDTR and TR; returns 0. hib_resume_entry
 * makes it return a second time, with 1.
 */
	.global hib_save
hib_save:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 48(%rdi)
	movq (%rsp), %rax
	movq %rax, 56(%rdi)
	pushfq
	popq %rax
	movq %rax, 64(%rdi)
	movq %cr0, %rax
	movq %rax, 72(%rdi)
	movq %cr3, %rax
	movq %rax, 80(%rdi)
	movq %cr4, %rax
	movq %rax, 88(%rdi)
	movl $MSR_EFER, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, 96(%rdi)
	sgdt 104(%rdi)
	sidt 120(%rdi)
	str 136(%rdi)
	xorl %eax, %eax
	ret

/*
 * hib_resume_entry: the copy routine jumps here once every saved page is
 * back, on its own page tables, with no stack and R14 = the value for
 * hib_resume_value (the boot kernel's measurements). Everything hib_save() saved is
 * in RAM again: reload it and return 1 from hib_save().
 */
	.global hib_resume_entry
hib_resume_entry:
	leaq hib_cpu_saved(%rip), %rdi
	movq %r14, hib_resume_value(%rip)
	movq 80(%rdi), %rax
	movq %rax, %cr3
	movq 88(%rdi), %rax
	movq %rax, %cr4
	movq 72(%rdi), %rax
	movq %rax, %cr0
	movl $MSR_EFER, %ecx
	movl 96(%rdi), %eax
	movl 100(%rdi), %edx
	wrmsr
	lgdt 104(%rdi)
	movq 48(%rdi), %rsp
	load_kernel_segments
	/* The saved GDT marks the TSS busy: ltr wants it available. */
	movzwl 136(%rdi), %eax
	testl %eax, %eax
	jz 2f
	movq 106(%rdi), %rdx
	andb $0xfd, 5(%rdx,%rax)
	ltr %ax
2:	lidt 120(%rdi)
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	pushq 64(%rdi)
	popfq
	movl $1, %eax
	jmpq *56(%rdi)

/*
 * The copy routine, position independent, copied into a safe page:
 *   RDI = first list page, RSI = CR3 of its page tables, RDX = where to
 *   jump when done, R14 passed through.
 * A list page: u64 next page (0 at the end), u64 count, then count pairs
 * {u64 destination, u64 source} of 4 KiB pages. No stack, no memory but
 * the list, the pages and the code.
 */
	.global hib_copy_start, hib_copy_end
hib_copy_start:
	movq %rsi, %cr3
	movq %rdi, %r11
	movq %rdx, %r13
	cld
3:	testq %r11, %r11
	jz 6f
	movq 8(%r11), %r12
	leaq 16(%r11), %r8
4:	testq %r12, %r12
	jz 5f
	movq (%r8), %rdi
	movq 8(%r8), %rsi
	movl $512, %ecx
	rep movsq
	addq $16, %r8
	decq %r12
	jmp 4b
5:	movq (%r11), %r11
	jmp 3b
6:	jmpq *%r13
hib_copy_end:

	.section .note.GNU-stack, "", @progbits
