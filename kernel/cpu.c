/*
 * cpu.c: the processor's address widths from CPUID (see cpu.h).
 */
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/x86.h"

#define CPUID_EXT_MAX    0x80000000
#define CPUID_ADDR_SIZES 0x80000008

static struct cpu_info info = {
	CPU_PHYS_BITS_FALLBACK, CPU_VIRT_BITS_FALLBACK, false
};

void cpu_decode_widths(uint32_t max_ext_leaf, uint32_t eax_80000008,
		       struct cpu_info *out)
{
	uint32_t phys = eax_80000008 & 0xff;
	uint32_t virt = (eax_80000008 >> 8) & 0xff;

	out->from_cpuid = max_ext_leaf >= CPUID_ADDR_SIZES && phys != 0;
	if (!out->from_cpuid) {
		phys = CPU_PHYS_BITS_FALLBACK;
		virt = CPU_VIRT_BITS_FALLBACK;
	}
	if (virt == 0)
		virt = CPU_VIRT_BITS_FALLBACK;
	if (phys < 32)
		phys = 32;
	if (phys > 52)
		phys = 52;
	out->phys_bits = phys;
	out->virt_bits = virt;
}

void cpu_init(void)
{
	uint32_t max_ext, eax = 0, ebx, ecx, edx;

	cpuid(CPUID_EXT_MAX, 0, &max_ext, &ebx, &ecx, &edx);
	if (max_ext >= CPUID_ADDR_SIZES)
		cpuid(CPUID_ADDR_SIZES, 0, &eax, &ebx, &ecx, &edx);
	cpu_decode_widths(max_ext, eax, &info);
}

const struct cpu_info *cpu_get(void)
{
	return &info;
}

void cpu_report(void)
{
	kprintf("# cpu: phys_bits=%u virt_bits=%u source=%s\n", info.phys_bits,
		info.virt_bits, info.from_cpuid ? "cpuid" : "fallback");
}
