/*
 * sections_boot_ktest.c: in-kernel tests of the section table built at boot
 * (kernel_sections) against the real machine: the firmware memory map, the
 * frame allocator and the SRAT. They run after sections_boot(), as
 * the KTAP suite "sections_boot".
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel/portable/acpi.h"
#include "kernel/frame.h"
#include "kernel/hotplug.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/memmap.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "tests/ktest.h"

#define NR_TEST_FRAMES 64

/* Every section agrees with the map's usable + reclaimable RAM. */
static void table_matches_memmap(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	uint64_t bad = 0;

	KT_ASSERT(t, map != NULL && kernel_sections.root != NULL);
	if (sections_check_memmap(&kernel_sections, map, &bad) != 0) {
		const struct section *s = sections_get(&kernel_sections, bad);

		ktest_fail(t, __FILE__, __LINE__,
			   "section %llu disagrees with the map (pages=%u flags=0x%x)",
			   (unsigned long long)bad, s ? s->nr_pages : 0,
			   s ? s->flags : 0);
	}
}

/* The counters say what a walk over the sections finds. */
static void counts_agree(struct ktest *t)
{
	const struct section_table *st = &kernel_sections;
	const struct memmap *map = memmap_get();
	uint64_t present = 0, possible = 0, pages = 0;

	for (uint64_t nr = sections_next(st, 0); nr < st->nr_sections;
	     nr = sections_next(st, nr + 1)) {
		const struct section *s = sections_get(st, nr);

		possible++;
		if (s->flags & SECTION_PRESENT)
			present++;
		pages += s->nr_pages;
	}
	KT_EXPECT_EQ(t, present, st->nr_present);
	KT_EXPECT_EQ(t, possible, st->nr_possible);
	/* RAM of the firmware map, and the online DIMMs', which it lacks. */
	KT_EXPECT_EQ(t, pages, memmap_pages(map, MEM_USABLE) +
			       memmap_pages(map, MEM_RECLAIMABLE) + hotplug_online_pages());
	KT_EXPECT(t, st->nr_present > 0);
}

/* The first and last page of every RAM range is valid; around it, gaps. */
static void ram_edges_are_valid(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	uint64_t ram_end = 0;

	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t first = r->start >> PAGE_SHIFT, last = (r->end >> PAGE_SHIFT) - 1;

		if (!mem_type_is_ram(r->type))
			continue;
		KT_EXPECT(t, pfn_valid(first));
		KT_EXPECT(t, pfn_valid(last));
		KT_EXPECT(t, pfn_range_present(first, last + 1));
		KT_EXPECT(t, pfn_range_possible(last, last + 1));
		ram_end = r->end >> PAGE_SHIFT;
	}
	KT_EXPECT(t, max_possible_pfn() >= ram_end);
	KT_EXPECT(t, !pfn_valid(kernel_sections.end_pfn));
	KT_EXPECT(t, !pfn_valid(~0ull));
	KT_EXPECT(t, !pfn_range_possible(max_possible_pfn() + (1ull << PFN_SUBSECTION_SHIFT),
					 ~0ull));
}

/* A section-sized range query answers what the section's flags say. */
static void range_queries_match_flags(struct ktest *t)
{
	const struct section_table *st = &kernel_sections;
	uint64_t last = pfn_to_section_nr(st, max_possible_pfn()) + 2;

	if (last > st->nr_sections)
		last = st->nr_sections;
	for (uint64_t nr = 0; nr < last; nr++) {
		const struct section *s = sections_get(st, nr);
		uint32_t flags = s ? s->flags : 0;
		uint64_t start = section_nr_to_pfn(st, nr), end = section_nr_to_pfn(st, nr + 1);

		if (pfn_range_present(start, end) != !!(flags & SECTION_PRESENT) ||
		    pfn_range_possible(start, end) !=
		    !!(flags & (SECTION_PRESENT | SECTION_HOTPLUG))) {
			ktest_fail(t, __FILE__, __LINE__,
				   "section %llu: range queries disagree with flags 0x%x",
				   (unsigned long long)nr, flags);
			return;
		}
	}
}

/* Frames the allocator hands out are valid pfns. */
static void allocated_frames_are_valid(struct ktest *t)
{
	void **frames = frame_alloc();
	uint32_t n = 0;

	KT_ASSERT(t, frames != NULL);
	while (n < NR_TEST_FRAMES && (frames[n] = frame_alloc()) != NULL)
		n++;
	KT_EXPECT(t, n > 0);
	for (uint32_t i = 0; i < n; i++) {
		KT_EXPECT(t, pfn_valid((uint64_t)(uintptr_t)frames[i] >> PAGE_SHIFT));
		frame_free(frames[i]);
	}
	KT_EXPECT(t, pfn_valid((uint64_t)(uintptr_t)frames >> PAGE_SHIFT));
	frame_free(frames);
}

/* Nodes and hotplug follow the SRAT (or are node 0, without one). */
static void sections_follow_srat(struct ktest *t)
{
	const struct section_table *st = &kernel_sections;
	const struct acpi_info *ai = &kernel_acpi;

	ktest_log(t, "srat=%d entries=%u warnings=%u", ai->have_srat ? 1 : 0,
		  ai->nr_srat_mem, ai->nr_warnings);
	for (uint64_t nr = sections_next(st, 0); nr < st->nr_sections;
	     nr = sections_next(st, nr + 1)) {
		const struct section *s = sections_get(st, nr);

		if (!ai->have_srat) {
			KT_EXPECT_EQ(t, s->node, 0);
			KT_EXPECT(t, !(s->flags & SECTION_HOTPLUG));
		}
	}
	for (uint32_t i = 0; ai->have_srat && i < ai->nr_srat_mem; i++) {
		const struct acpi_srat_mem *m = &ai->srat_mem[i];
		uint64_t first = m->start >> PAGE_SHIFT, last = (m->end - 1) >> PAGE_SHIFT;
		const struct section *s;

		if (!m->enabled || m->start == m->end || !m->hotplug ||
		    last >= st->end_pfn)
			continue;
		KT_EXPECT(t, pfn_range_possible(first, first + 1));
		KT_EXPECT(t, pfn_range_possible(last, last + 1));
		s = sections_get(st, pfn_to_section_nr(st, last));
		KT_EXPECT(t, s && (s->flags & SECTION_HOTPLUG));
		KT_EXPECT(t, max_possible_pfn() > last);
	}
}

KTEST_SUITE(sections_boot,
	KTEST_CASE(table_matches_memmap),
	KTEST_CASE(counts_agree),
	KTEST_CASE(ram_edges_are_valid),
	KTEST_CASE(range_queries_match_flags),
	KTEST_CASE(allocated_frames_are_valid),
	KTEST_CASE(sections_follow_srat));
