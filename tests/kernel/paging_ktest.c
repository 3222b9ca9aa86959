/*
 * paging_ktest.c: in-kernel tests of the kernel's page tables: the NULL page is
 * unmapped and every RAM range is mapped, above 4 GiB too. KTAP suite
 * "paging".
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel/frame.h"
#include "kernel/paging.h"
#include "kernel/x86.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/memmap.h"
#include "tests/ktest.h"

/* Page 0 is unmapped; page 1 and the low 4 GiB are mapped. */
static void page0_unmapped(struct ktest *t)
{
	KT_EXPECT(t, !paging_is_mapped(0));
	KT_EXPECT(t, !paging_is_mapped(PAGE_SIZE - 1));
	KT_EXPECT(t, paging_is_mapped(PAGE_SIZE));
	KT_EXPECT(t, paging_is_mapped(0xfee00000));      /* LAPIC */
	KT_EXPECT(t, paging_is_mapped((4ULL << 30) - 1));
}

/*
 * Every RAM range is mapped, above 4 GiB too: check, and read, its first
 * and last byte (reads leave free memory as it was).
 */
static void all_ram_mapped(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	struct paging_stats ps;
	uint64_t high_pages = 0;

	KT_ASSERT(t, map != NULL);
	paging_get_stats(&ps);
	KT_EXPECT(t, ps.root == (read_cr3() & ~(PAGE_SIZE - 1)));
	KT_EXPECT(t, frame_is_allocated((void *)(uintptr_t)ps.root));
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];

		uint64_t first = r->start ? r->start : PAGE_SIZE;  /* not page 0 */

		if (!mem_type_is_ram(r->type) || first >= r->end)
			continue;
		KT_EXPECT(t, r->end <= ps.mapped_end);
		KT_ASSERT(t, paging_is_mapped(first));
		KT_ASSERT(t, paging_is_mapped(r->end - 1));
		(void)*(volatile uint8_t *)(uintptr_t)first;
		(void)*(volatile uint8_t *)(uintptr_t)(r->end - 1);
		if (r->start >= 4ULL << 30)
			high_pages += (r->end - r->start) / PAGE_SIZE;
	}
	ktest_log(t, "ram_pages_above_4g=%llu tables=%llu",
		  (unsigned long long)high_pages,
		  (unsigned long long)ps.table_pages);
}

KTEST_SUITE(paging, KTEST_CASE(page0_unmapped), KTEST_CASE(all_ram_mapped));
