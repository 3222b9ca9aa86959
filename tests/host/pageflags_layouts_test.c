/*
 * pageflags_layouts_test.c: host-only tests of pageflags on the benchmark's
 * machine layouts (tests/bench/pageflags_layouts.h), too big for the
 * kernel's test suite: up to 1 TiB of RAM, 52-bit spreads, all-possible
 * maps of thousands of leaves.
 *
 * For every layout: the memory target holds (bytes <= 1.02 x one bit per
 * present page + 64 KiB), the edges of every RAM range take bits, their
 * neighbours outside the leaves do not, and destroy gives back every page.
 * Creation is also failed at its first, middle and last page.
 */
#include <stdint.h>
#include <stdlib.h>

#include "pageflags/pageflags.h"
#include "tests/bench/pageflags_layouts.h"
#include "tests/host/pageflags_host_source.h"
#include "tests/ktest.h"

static int make(const struct bench_layout *l, enum pageflags_mode mode,
		uint64_t possible_end_pfn, struct pageflags **map)
{
	struct pageflags_range_list list = { l->ranges, l->nr_ranges };
	struct pageflags_space space = {
		l->phys_bits, possible_end_pfn, pageflags_range_list_overlaps,
		NULL, &list,
	};

	return pageflags_create(map, mode, &space, &host_source);
}

/* Does any RAM range share the leaf of pfn? */
static int leaf_has_ram(const struct bench_layout *l, uint64_t pfn)
{
	struct pageflags_range_list list = { l->ranges, l->nr_ranges };
	uint64_t start = pfn & ~(PAGEFLAGS_LEAF_PFNS - 1);

	return pageflags_range_list_overlaps(&list, start, start + PAGEFLAGS_LEAF_PFNS);
}

/* The end of a layout's RAM: its possible end, as the kernel gives it. */
static uint64_t ram_end(const struct bench_layout *l)
{
	return l->ranges[l->nr_ranges - 1].end_pfn;
}

/* With the possible end known (the tree as tall as the RAM needs, as the
 * benchmark and the kernel make it) and not known (as tall as the width). */
static void layouts_meet_memory_target(struct ktest *t)
{
	for (size_t i = 0; i < 2 * NR_BENCH_LAYOUTS; i++) {
		const struct bench_layout *l = &bench_layouts[i / 2];
		uint64_t possible_end_pfn = i % 2 ? ram_end(l) : 0;
		struct pageflags *map;
		uint64_t bytes;

		src.nr_calls = src.fail_at = 0;
		KT_ASSERT(t, make(l, PAGEFLAGS_PRESENT_ONLY, possible_end_pfn, &map) == 0);
		bytes = pageflags_bytes(map);
		ktest_log(t, "%s, possible end 0x%llx: %llu bytes, target %llu", l->name,
			  (unsigned long long)possible_end_pfn,
			  (unsigned long long)bytes,
			  (unsigned long long)layout_bytes_target(l));
		KT_EXPECT(t, bytes <= layout_bytes_target(l));
		KT_EXPECT_EQ(t, src.nr_out * PAGE_SIZE, bytes);
		pageflags_destroy(map);
		KT_EXPECT_EQ(t, src.nr_out, 0);
	}
}

static void layouts_range_edges(struct ktest *t)
{
	for (size_t i = 0; i < NR_BENCH_LAYOUTS; i++) {
		const struct bench_layout *l = &bench_layouts[i];
		struct pageflags *map;
		uint64_t nr = 0;

		KT_ASSERT(t, make(l, PAGEFLAGS_PRESENT_ONLY, ram_end(l), &map) == 0);
		for (size_t r = 0; r < l->nr_ranges; r++) {
			uint64_t first = l->ranges[r].start_pfn;
			uint64_t last = l->ranges[r].end_pfn - 1;

			KT_EXPECT_EQ(t, pageflags_set(map, first), 0);
			KT_EXPECT_EQ(t, pageflags_set(map, last), 0);
			nr += first == last ? 1 : 2;
			/* just outside: a bit only if the leaf has RAM too */
			if (first > 0) {
				KT_EXPECT_EQ(t, pageflags_set(map, first - 1) == 0,
					     leaf_has_ram(l, first - 1));
				pageflags_clear(map, first - 1);
			}
			KT_EXPECT_EQ(t, pageflags_set(map, last + 1) == 0,
				     leaf_has_ram(l, last + 1));
			pageflags_clear(map, last + 1);
		}
		KT_EXPECT_EQ(t, pageflags_count(map), nr);
		KT_EXPECT_EQ(t, pageflags_next_set(map, 0), l->ranges[0].start_pfn);
		pageflags_destroy(map);
		KT_EXPECT_EQ(t, src.nr_out, 0);
	}
}

/* All-possible over the 1 TiB server: 14336 leaves, holes included. */
static void server_all_possible(struct ktest *t)
{
	const struct bench_layout *l = &bench_layouts[1];
	uint64_t end = ram_end(l);
	struct pageflags_stats st;
	struct pageflags *map;
	uint64_t calls;

	KT_ASSERT(t, make(l, PAGEFLAGS_ALL_POSSIBLE, end, &map) == 0);
	pageflags_stats(map, &st);
	KT_EXPECT_EQ(t, st.covered_pfns, (end + PAGEFLAGS_LEAF_PFNS - 1) &
		     ~(PAGEFLAGS_LEAF_PFNS - 1));
	calls = src.nr_calls;
	for (uint64_t pfn = 5; pfn < end; pfn += 1000003)
		KT_EXPECT_EQ(t, pageflags_set(map, pfn), 0);
	KT_EXPECT_EQ(t, src.nr_calls, calls);   /* sets never allocate */
	KT_EXPECT_EQ(t, pageflags_count(map), (end - 5 + 1000002) / 1000003);
	pageflags_destroy(map);
	KT_EXPECT_EQ(t, src.nr_out, 0);
}

/* Failing the first, a middle and the last page of each big create. */
static void layouts_create_failures(struct ktest *t)
{
	for (size_t i = 0; i < NR_BENCH_LAYOUTS; i++) {
		const struct bench_layout *l = &bench_layouts[i];
		struct pageflags *map;
		uint64_t nr_calls;

		src.nr_calls = src.fail_at = 0;
		KT_ASSERT(t, make(l, PAGEFLAGS_PRESENT_ONLY, 0, &map) == 0);
		nr_calls = src.nr_calls;        /* the header is one call */
		pageflags_destroy(map);
		for (uint64_t n = 1; n <= nr_calls; n += (nr_calls - 1) / 2 ? (nr_calls - 1) / 2 : 1) {
			src.nr_calls = 0;
			src.fail_at = n;
			KT_EXPECT_EQ(t, make(l, PAGEFLAGS_PRESENT_ONLY, 0, &map),
				     PAGEFLAGS_ERR_NO_MEMORY);
			KT_EXPECT(t, map == NULL);
			KT_EXPECT_EQ(t, src.nr_out, 0);
		}
		src.fail_at = 0;
	}
}

KTEST_SUITE(pageflags_layouts,
	KTEST_CASE(layouts_meet_memory_target),
	KTEST_CASE(layouts_range_edges),
	KTEST_CASE(server_all_possible),
	KTEST_CASE(layouts_create_failures));
