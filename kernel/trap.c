/*
 * trap.c: the GDT (with a TSS), the IDT, and what happens on a CPU
 * exception or a panic.
 *
 * Every exception is fatal: the handler prints the vector and its name,
 * the error code, RIP, CR2 (the faulting address, meaningful for #PF) and
 * the registers, then exits QEMU with EXIT_PANIC. Double faults, NMIs and
 * machine checks run on their own stack (IST1), so even a kernel stack
 * overflow ends in a readable report instead of a triple fault.
 */
#include <stdarg.h>
#include <stdint.h>

#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/segments.h"
#include "kernel/x86.h"

struct trap_frame {                 /* as trap_entry.S builds it */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;                /* 0, or 1..7: switch to that IST stack */
	uint8_t type_attr;          /* 0x8e: present, ring 0, interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t zero;
} __attribute__((packed));

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct descriptor_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t trap_stubs[32];

static struct idt_entry idt[256];   /* only the exceptions and trap_set_gate()'s */
static struct tss tss;
static uint8_t ist1_stack[16384] __attribute__((aligned(16)));
/* null, code, data, the TSS (two slots): kernel/segments.h */
static uint64_t gdt[5];

static const char *const vector_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 floating point", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating point",
	"#VE virtualization", "#CP control protection", "reserved 22",
	"reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

void trap_init(void)
{
	uint64_t tss_base = (uintptr_t)&tss;
	struct descriptor_ptr gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	struct descriptor_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	gdt[1] = 0x00af9a000000ffffULL;            /* 64-bit code */
	gdt[2] = 0x00cf92000000ffffULL;            /* data */
	gdt[3] = (sizeof(tss) - 1) | ((tss_base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((tss_base >> 24) & 0xff) << 56);
	gdt[4] = tss_base >> 32;
	tss.ist[0] = (uintptr_t)(ist1_stack + sizeof(ist1_stack));
	tss.iomap_base = sizeof(tss);
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	__asm__ volatile("ltr %w0" : : "r"(TSS_SEL));

	for (int v = 0; v < 32; v++)
		trap_set_gate((uint8_t)v, trap_stubs[v]);
	idt[2].ist = idt[8].ist = idt[18].ist = 1;     /* NMI, #DF, #MC: own stack */
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_set_gate(uint8_t vector, uint64_t handler)
{
	idt[vector].offset_low = handler & 0xffff;
	idt[vector].selector = KERNEL_CS;
	idt[vector].ist = 0;
	idt[vector].type_attr = 0x8e;       /* present, ring 0, interrupt gate */
	idt[vector].offset_mid = (handler >> 16) & 0xffff;
	idt[vector].offset_high = handler >> 32;
}

void trap_handler(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	kprintf("\n# exception: vector=%llu name=\"%s\" error_code=0x%llx rip=0x%llx cr2=0x%llx\n",
		(unsigned long long)f->vector, vector_names[f->vector & 31],
		(unsigned long long)f->error_code, (unsigned long long)f->rip,
		(unsigned long long)cr2);
	kprintf("# regs: rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx,
		(unsigned long long)f->rsi, (unsigned long long)f->rdi);
	kprintf("# regs: rbp=0x%llx rsp=0x%llx rflags=0x%llx cs=0x%llx cr3=0x%llx\n",
		(unsigned long long)f->rbp, (unsigned long long)f->rsp,
		(unsigned long long)f->rflags, (unsigned long long)f->cs,
		(unsigned long long)read_cr3());
	kprintf("# verdict: panic reason=exception exit=0x%x\n", EXIT_PANIC);
	qemu_exit(EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	kprintf("\n# panic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n# verdict: panic reason=panic exit=0x%x\n", EXIT_PANIC);
	qemu_exit(EXIT_PANIC);
}

void qemu_exit(uint32_t code)
{
	outl(0xf4, code);           /* isa-debug-exit, if QEMU has one */
	halt_forever();             /* otherwise: the verdict is printed */
}
