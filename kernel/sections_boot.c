/*
 * sections_boot.c: the kernel's ACPI findings and section table, at boot.
 *
 * sections_boot() runs once, after memory_boot() has the memory map,
 * the frame allocator and the kernel's page tables ready. It walks the
 * ACPI tables from the RSDP copy in boot_info (reading only memory that is
 * mapped and that the firmware map describes, never MMIO), then builds
 * kernel_sections (sections of 2^section_bits bytes, the option kmain
 * passes) over the CPU's physical address width from the map's RAM and
 * the SRAT, with pages from the frame allocator. The portable
 * work is in acpi.c and sections.c; this file only connects them to the
 * kernel and prints the report.
 */
#include <stdint.h>

#include "kernel/portable/acpi.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/frame.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/memmap.h"
#include "kernel/paging.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "kernel/timing.h"

struct section_table kernel_sections;
struct acpi_info kernel_acpi;

/*
 * acpi_map_fn for the kernel: firmware tables are identity mapped, so the
 * physical address is the pointer, once every page of the table is known
 * to be mapped and to lie in a non-MMIO range of the firmware map.
 */
static const void *map_firmware_tables(void *ctx, uint64_t phys_addr,
				       uint64_t len)
{
	const struct memmap *map = memmap_get();
	uint64_t end = phys_addr + len;

	(void)ctx;
	if (len == 0 || end < phys_addr || !map)
		return NULL;
	for (uint64_t page = phys_addr & ~(PAGE_SIZE - 1); page < end;
	     page += PAGE_SIZE) {
		const struct mem_range *r = memmap_find(map, page);

		if (!r || r->type == MEM_MMIO || !paging_is_mapped(page))
			return NULL;
	}
	return (const void *)(uintptr_t)phys_addr;
}

int sections_boot(const struct boot_info *bi, uint32_t section_bits)
{
	uint32_t phys_bits = cpu_get()->phys_bits;
	int err;

	acpi_parse(&kernel_acpi, bi->rsdp, bi->rsdp_len, map_firmware_tables, NULL);
	acpi_report(&kernel_acpi, kprintf);
	timing_mark("acpi");

	err = sections_init(&kernel_sections, section_bits, phys_bits, &frame_page_source);
	if (err == SECTIONS_OK)
		err = sections_build(&kernel_sections, memmap_get(), &kernel_acpi);
	if (err != SECTIONS_OK) {
		sections_free(&kernel_sections);
		kprintf("# sections-error: problem=\"%s\" bits=%u phys_bits=%u frames_in_use=%llu\n",
			sections_strerror(err), section_bits, phys_bits,
			(unsigned long long)frame_count_in_use());
		return -1;
	}
	sections_report(&kernel_sections, kprintf);
	timing_mark("sections");
	return 0;
}
