/*
 * trap_entry.S: the first instructions of every CPU exception.
 *
 * Each of the 32 stubs makes the stack look the same: it pushes a zero
 * where the CPU pushes no error code, then the vector number, then jumps to
 * trap_common, which saves the general registers as a struct trap_frame
 * (kernel/trap.c) and calls trap_handler(frame).
 */
	.text

.altmacro

/* Vectors 8, 10-14, 17, 21, 29 and 30 come with an error code. */
.macro stub v
	.balign 16
trap_stub_\v:
	.if !((\v == 8) || (\v == 10) || (\v == 11) || (\v == 12) || (\v == 13) || (\v == 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
.endm

	.set i, 0
	.rept 32
	stub %i
	.set i, i + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call trap_handler        /* exceptions are fatal: it does not return */
1:	cli
	hlt
	jmp 1b

/* The stubs' addresses, for trap_init() to put in the IDT. */
	.section .rodata
	.balign 8
	.global trap_stubs
trap_stubs:
	.set i, 0
	.macro stubaddr v
	.quad trap_stub_\v
	.endm
	.rept 32
	stubaddr %i
	.set i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
