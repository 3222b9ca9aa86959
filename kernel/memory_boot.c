/*
 * memory_boot.c: the order in which the physical memory model comes up (see
 * memory_boot.h). Later layers (ACPI, sections, page flags) build on it.
 */
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/frame.h"
#include "kernel/portable/memmap.h"
#include "kernel/memory_boot.h"
#include "kernel/paging.h"
#include "kernel/timing.h"

/* The kernel's map (large, so static; memmap_get() hands it out). */
static struct memmap kernel_map;
static bool kernel_map_ready;

const struct memmap *memmap_get(void)
{
	return kernel_map_ready ? &kernel_map : NULL;
}

int memory_boot(const struct boot_info *bi, uint64_t fail_nth, bool fail_every)
{
	const struct memmap *map;
	int rc;

	cpu_init();
	cpu_report();

	rc = memmap_from_boot_info(&kernel_map, bi, cpu_get()->phys_bits);
	kernel_map_ready = rc == MEMMAP_OK;
	if (rc != MEMMAP_OK) {
		kprintf("# memmap-error: problem=\"%s\" format=%u desc_size=%u bytes=%u\n",
			memmap_strerror(rc), bi->mmap_format,
			bi->mmap_desc_size, bi->mmap_bytes);
		return -1;
	}
	map = memmap_get();
	memmap_report(map, kprintf);
	timing_mark("memmap");

	if (frame_init(map, bi) != 0)
		return -1;
	frame_inject_failure(fail_nth, fail_every);
	timing_mark("frames");
	rc = paging_init(map);
	if (rc == 0)
		paging_report();
	frame_report();      /* on failure too: the counters show no leak */
	timing_mark("paging");
	return rc;
}
