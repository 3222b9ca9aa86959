/*
 * idle.c: a local-APIC timer that wakes a halted CPU (see idle.h).
 *
 * The kernel runs with interrupts off. While it waits for input it
 * executes `sti; hlt; cli`: sti takes effect only after the next
 * instruction, so an interrupt pending at that moment ends the hlt at once
 * and none is lost. The only interrupts that can come are this timer's
 * and the APIC's spurious vector: the legacy 8259 PICs are masked.
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel/idle.h"
#include "kernel/panic.h"
#include "kernel/x86.h"

#define MSR_APIC_BASE       0x1b
#define APIC_BASE_ENABLE    (1u << 11)
#define APIC_BASE_X2APIC    (1u << 10)
#define APIC_BASE_ADDR      0xfffff000ULL

/* xAPIC registers: byte offsets from the APIC base. */
#define APIC_EOI            0xb0
#define APIC_SVR            0xf0      /* spurious vector, bit 8 = enable */
#define APIC_LVT_TIMER      0x320
#define APIC_TIMER_INITIAL  0x380
#define APIC_TIMER_DIVIDE   0x3e0
#define LVT_MASKED          (1u << 16)
#define LVT_PERIODIC        (1u << 17)
#define DIVIDE_BY_16        0x3
#define TIMER_COUNT         100000    /* 1.6 ms at QEMU's 1 GHz APIC clock */

#define IDLE_TIMER_VECTOR   0x30
#define SPURIOUS_VECTOR     0xff

/* The EOI register's address, for the interrupt stub below. */
uint64_t idle_apic_eoi;
static volatile uint32_t *apic;

void idle_timer_stub(void);
void idle_spurious_stub(void);
__asm__(".text\n"
	"idle_timer_stub:\n"
	"	pushq %rax\n"
	"	movq idle_apic_eoi(%rip), %rax\n"
	"	movl $0, (%rax)\n"              /* end of interrupt */
	"	popq %rax\n"
	"	iretq\n"
	"idle_spurious_stub:\n"              /* spurious: no EOI */
	"	iretq\n");

static void apic_write(uint32_t reg, uint32_t value)
{
	apic[reg / 4] = value;
}

bool idle_start(void)
{
	uint32_t a, b, c, d;
	uint64_t base;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))                    /* no local APIC */
		return false;
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE) || (base & APIC_BASE_X2APIC))
		return false;                    /* off, or x2APIC (no MMIO) */
	apic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR);
	idle_apic_eoi = (uint64_t)(uintptr_t)(apic + APIC_EOI / 4);

	outb(0x21, 0xff);                        /* mask both 8259 PICs */
	outb(0xa1, 0xff);
	trap_set_gate(IDLE_TIMER_VECTOR, (uint64_t)(uintptr_t)idle_timer_stub);
	trap_set_gate(SPURIOUS_VECTOR, (uint64_t)(uintptr_t)idle_spurious_stub);
	apic_write(APIC_SVR, (1u << 8) | SPURIOUS_VECTOR);
	apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_16);
	apic_write(APIC_LVT_TIMER, LVT_PERIODIC | IDLE_TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, TIMER_COUNT);
	return true;
}

void idle_wait(void)
{
	if (apic)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	else
		__asm__ volatile("pause");
}

void idle_stop(void)
{
	if (!apic)
		return;
	apic_write(APIC_LVT_TIMER, LVT_MASKED | IDLE_TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, 0);
	apic = NULL;
}
