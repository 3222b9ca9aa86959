/*
 * cpu_ktest.c: in-kernel tests of the CPU's address widths (CPUID 0x80000008),
 * decoded from known values and read on this machine. KTAP suite "cpu".
 */
#include <stdint.h>

#include "kernel/cpu.h"
#include "tests/ktest.h"

static void decodes_widths(struct ktest *t)
{
	struct cpu_info c;

	cpu_decode_widths(0x80000008, 0x3028, &c);          /* qemu64 */
	KT_EXPECT(t, c.from_cpuid);
	KT_EXPECT_EQ(t, c.phys_bits, 40);
	KT_EXPECT_EQ(t, c.virt_bits, 48);
	cpu_decode_widths(0x80000008, 0x392e, &c);          /* phys-bits=46, LA57 */
	KT_EXPECT_EQ(t, c.phys_bits, 46);
	KT_EXPECT_EQ(t, c.virt_bits, 57);
	cpu_decode_widths(0x80000004, 0x3028, &c);          /* leaf missing */
	KT_EXPECT(t, !c.from_cpuid);
	KT_EXPECT_EQ(t, c.phys_bits, CPU_PHYS_BITS_FALLBACK);
	KT_EXPECT_EQ(t, c.virt_bits, CPU_VIRT_BITS_FALLBACK);
	cpu_decode_widths(0x80000008, 0, &c);               /* leaf reports 0 */
	KT_EXPECT(t, !c.from_cpuid);
	KT_EXPECT_EQ(t, c.phys_bits, 36);
	cpu_decode_widths(0x80000008, 0x303f, &c);          /* 63: clamped */
	KT_EXPECT_EQ(t, c.phys_bits, 52);
	cpu_decode_widths(0x80000008, 0x3018, &c);          /* 24: clamped */
	KT_EXPECT_EQ(t, c.phys_bits, 32);
}

static void this_cpu(struct ktest *t)
{
	const struct cpu_info *c = cpu_get();

	ktest_log(t, "phys_bits=%u virt_bits=%u", c->phys_bits, c->virt_bits);
	KT_EXPECT(t, c->phys_bits >= 32 && c->phys_bits <= 52);
	KT_EXPECT(t, c->virt_bits == 48 || c->virt_bits == 57);
}

KTEST_SUITE(cpu, KTEST_CASE(decodes_widths), KTEST_CASE(this_cpu));
