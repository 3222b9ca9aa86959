/*
 * sections_boot.h: the sections stage of the boot. sections_boot() parses
 * ACPI and builds the kernel's one section table; the helpers below are
 * how the rest of the kernel asks it about pfns.
 */
#ifndef DYNFLAGS_SECTIONS_BOOT_H
#define DYNFLAGS_SECTIONS_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "kernel/portable/acpi.h"
#include "kernel/portable/sections.h"

/*
 * The kernel's table and ACPI findings, built at boot by sections_boot()
 * (sections_boot.c) and read-only after. The functions below are what the
 * rest of the kernel calls.
 */
extern struct section_table kernel_sections;
extern struct acpi_info kernel_acpi;

/*
 * After memory_boot(): parse ACPI from boot_info's RSDP copy, build
 * kernel_sections (2^section_bits-byte sections, the CPU's physical width,
 * the memory map, the SRAT) with frames from the frame allocator, and print the
 * "# acpi:", "# srat:", "# section:" and "# sections:" lines. Returns 0, or
 * -1 after a "# sections-error:" line (every frame is given back then).
 */
int sections_boot(const struct boot_info *bi, uint32_t section_bits);

static inline bool pfn_valid(uint64_t pfn)
{
	return sections_pfn_valid(&kernel_sections, pfn);
}

static inline bool pfn_range_present(uint64_t start_pfn, uint64_t end_pfn)
{
	return sections_range_present(&kernel_sections, start_pfn, end_pfn);
}

static inline bool pfn_range_possible(uint64_t start_pfn, uint64_t end_pfn)
{
	return sections_range_possible(&kernel_sections, start_pfn, end_pfn);
}

static inline uint64_t max_possible_pfn(void)
{
	return kernel_sections.max_possible_pfn;
}

#endif
