/*
 * cpu.h: what the kernel needs to know about the processor's addressing.
 *
 * CPUID leaf 0x80000008 EAX gives the physical address width in bits 7:0
 * and the linear (virtual) address width in bits 15:8. When the leaf is
 * missing (or reports 0) we assume 36 and 48 bits, the widths every x86_64
 * processor supports. The port and register helpers live in kernel/x86.h.
 */
#ifndef DYNFLAGS_CPU_H
#define DYNFLAGS_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define CPU_PHYS_BITS_FALLBACK 36
#define CPU_VIRT_BITS_FALLBACK 48

struct cpu_info {
	uint32_t phys_bits;    /* physical address width, 32..52 */
	uint32_t virt_bits;    /* linear address width (48, or 57 with LA57) */
	bool from_cpuid;       /* false: the fallback widths were used */
};

/*
 * Decode the widths from the highest extended CPUID leaf and leaf
 * 0x80000008's EAX. Pure, so tests can feed it any value. The physical
 * width is clamped to 32..52, the range the memory map accepts.
 */
void cpu_decode_widths(uint32_t max_ext_leaf, uint32_t eax_80000008,
		       struct cpu_info *out);

/* Read CPUID once; cpu_get() returns the result afterwards. */
void cpu_init(void);
const struct cpu_info *cpu_get(void);

/* Print "# cpu: phys_bits=40 virt_bits=48" (docs/report-format.md). */
void cpu_report(void);

#endif
