/*
 * memory_ktest.c: in-kernel tests of the normalised firmware memory map of this
 * machine: the normaliser's promises hold, and the kernel image lies in
 * RAM. KTAP suite "memory".
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel/ktest.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/memmap.h"
#include "tests/ktest.h"

/* The kernel's map obeys the normaliser's promises. */
static void real_map_is_normal(struct ktest *t)
{
	const struct memmap *map = memmap_get();

	KT_ASSERT(t, map != NULL);
	KT_EXPECT(t, map->firmware_entries > 0);
	KT_EXPECT(t, map->nr_ranges > 0);
	KT_EXPECT(t, memmap_pages(map, MEM_USABLE) > 0);
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];

		KT_EXPECT(t, r->start < r->end);
		KT_EXPECT(t, r->end <= 1ULL << map->phys_bits);
		if (mem_type_is_ram(r->type))
			KT_EXPECT(t, r->start % PAGE_SIZE == 0 &&
				     r->end % PAGE_SIZE == 0);
		if (i > 0)
			KT_EXPECT(t, map->ranges[i - 1].end < r->start ||
				     (map->ranges[i - 1].end == r->start &&
				      map->ranges[i - 1].type != r->type));
	}
}

/* Every page of the kernel image lies in RAM (usable or reclaimable). */
static void kernel_in_ram(struct ktest *t)
{
	const struct memmap *map = memmap_get();

	KT_ASSERT(t, map != NULL);
	KT_EXPECT(t, ktest_boot_info()->kernel_start < ktest_boot_info()->kernel_end);
	for (uint64_t a = ktest_boot_info()->kernel_start; a < ktest_boot_info()->kernel_end;
	     a += PAGE_SIZE) {
		const struct mem_range *r = memmap_find(map, a);

		KT_ASSERT(t, r != NULL && mem_type_is_ram(r->type));
	}
}

KTEST_SUITE(memory, KTEST_CASE(real_map_is_normal), KTEST_CASE(kernel_in_ram));
