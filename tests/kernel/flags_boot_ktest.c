/*
 * flags_boot_ktest.c: in-kernel tests of the page flags over the real machine
 * (suite "flags_boot"): the two boot maps agree with the sections, a set
 * where memory may exist works, a set where it cannot is refused with the
 * right error, and building a map gives back every frame, also when the
 * frame allocator fails part-way.
 */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/pageflags_boot.h"
#include "kernel/frame.h"
#include "kernel/ktest.h"
#include "kernel/memory_boot.h"
#include "kernel/options.h"
#include "kernel/portable/memmap.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "tests/ktest.h"

/*
 * Is the boot map there? Only a failed build leaves it NULL, and that boot
 * has already printed "# pageflags-error:" and counted a boot error, so its
 * verdict fails; the cases over the map are skipped rather than failed a
 * second time (fail_alloc= makes such a boot on purpose).
 */
static bool have_boot_map(struct ktest *t, const struct pageflags *map)
{
	if (!map)
		ktest_skip(t, "the boot could not build this map (# pageflags-error:)");
	return map != NULL;
}

/* A leaf exists in the present map exactly where a present section is. */
static void present_leaves_follow_sections(struct ktest *t)
{
	struct pageflags *map = boot_flags_present;
	uint64_t end = max_possible_pfn();

	if (!have_boot_map(t, map))
		return;
	for (uint64_t pfn = 0; pfn < end; pfn += PAGEFLAGS_LEAF_PFNS) {
		uint64_t leaf_end = pfn + PAGEFLAGS_LEAF_PFNS;
		int want_leaf = pfn_range_present(pfn, leaf_end);
		int r = pageflags_test_and_set(map, pfn);

		if (want_leaf) {
			KT_EXPECT_EQ(t, r, 0);
			KT_EXPECT_EQ(t, pageflags_test(map, pfn), 1);
			KT_EXPECT_EQ(t, pageflags_test_and_clear(map, pfn), 1);
		} else {
			KT_EXPECT_EQ(t, r, PAGEFLAGS_ERR_NOT_PRESENT);
			KT_EXPECT_EQ(t, pageflags_test(map, pfn), 0);
		}
		if (ktest_failed(t)) {
			ktest_log(t, "at pfn 0x%llx", (unsigned long long)pfn);
			return;
		}
	}
	KT_EXPECT_EQ(t, pageflags_count(map), 0);
}

/* Every pfn below max_possible_pfn can be set in the all map, without a
 * single allocation; past the width, nothing can. */
static void all_map_sets_never_allocate(struct ktest *t)
{
	struct pageflags *map = boot_flags_all;
	uint64_t end = max_possible_pfn(), before = frame_count_in_use(), n = 0;
	uint64_t limit = kernel_sections.end_pfn;

	if (!have_boot_map(t, map))
		return;
	for (uint64_t pfn = 0; pfn < end; pfn += 4099) {     /* a prime stride */
		KT_EXPECT_EQ(t, pageflags_set(map, pfn), 0);
		n++;
	}
	KT_EXPECT_EQ(t, pageflags_set(map, end - 1), 0);
	KT_EXPECT_EQ(t, frame_count_in_use(), before);
	KT_EXPECT_EQ(t, pageflags_count(map), n + ((end - 1) % 4099 != 0));
	KT_EXPECT_EQ(t, pageflags_next_set(map, end - 1), end - 1);
	KT_EXPECT_EQ(t, pageflags_set(map, limit), PAGEFLAGS_ERR_RANGE);
	KT_EXPECT_EQ(t, pageflags_test(map, limit), PAGEFLAGS_ERR_RANGE);
	pageflags_clear_all(map);
	KT_EXPECT_EQ(t, pageflags_count(map), 0);
}

/* Every valid pfn of every RAM range can be flagged in the present map. */
static void ram_is_covered_by_present_leaves(struct ktest *t)
{
	const struct memmap *mm = memmap_get();
	struct pageflags *map = boot_flags_present;

	if (!have_boot_map(t, map))
		return;
	KT_ASSERT(t, mm != NULL);
	for (uint32_t i = 0; i < mm->nr_ranges; i++) {
		const struct mem_range *r = &mm->ranges[i];
		uint64_t first = r->start >> PAGE_SHIFT, last = (r->end >> PAGE_SHIFT) - 1;

		if (!mem_type_is_ram(r->type) || r->end - r->start < PAGE_SIZE)
			continue;
		KT_EXPECT(t, pfn_valid(first) && pfn_valid(last));
		KT_EXPECT_EQ(t, pageflags_set(map, first), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, last), 0);
	}
	pageflags_clear_all(map);
}

/* The cases that build maps of their own count on every allocation
 * working but the ones they fail on purpose: not so under fail_alloc=. */
static bool boot_injects_failures(struct ktest *t)
{
	if (ktest_options()->fail_alloc_nth)
		ktest_skip(t, "fail_alloc is set for the whole boot");
	return ktest_options()->fail_alloc_nth != 0;
}

/* A new map and its destruction balance the frame allocator. */
static void create_and_destroy_give_back_every_frame(struct ktest *t)
{
	if (boot_injects_failures(t))
		return;
	for (int mode = PAGEFLAGS_PRESENT_ONLY; mode <= PAGEFLAGS_ALL_POSSIBLE; mode++) {
		uint64_t before = frame_count_in_use();
		struct pageflags *map = NULL;
		struct pageflags_stats st;

		KT_ASSERT(t, flags_create(&map, (enum pageflags_mode)mode) == 0);
		pageflags_stats(map, &st);
		KT_EXPECT_EQ(t, frame_count_in_use() - before, st.bytes / PAGE_SIZE);
		pageflags_destroy(map);
		KT_EXPECT_EQ(t, frame_count_in_use(), before);
	}
}

/*
 * Which allocations of a create to fail: all of them on a small map. On
 * a big one (the all-possible map of a 1 TiB hotplug machine has 16408
 * leaves, and failing at point n costs n allocations, so trying every
 * point costs the square of the map) a sample whose cost grows with the
 * map: the first and last few, each side of every boundary between kinds
 * of allocation (the header, inner nodes, leaves: whichever order create
 * takes them in, a boundary falls at one of these counts), and points
 * spread evenly between.
 */
#define EVERY_POINT_UP_TO 256
#define SPREAD_POINTS     48

static bool failure_point_sampled(uint64_t nth, uint64_t calls,
				  const struct pageflags_stats *st)
{
	const uint64_t edges[] = {
		1, 1 + st->nr_inner, 1 + st->nr_leaves, st->nr_inner,
		st->nr_leaves, calls,
	};

	if (calls <= EVERY_POINT_UP_TO || nth <= 4 || nth + 4 > calls)
		return true;
	for (unsigned int i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (nth + 2 >= edges[i] && nth <= edges[i] + 2)
			return true;
	return nth % (calls / SPREAD_POINTS) == 0;
}

/* The frame allocator failing at points of create: an error, no leak. */
static void create_fails_cleanly_at_every_allocation(struct ktest *t)
{
	struct pageflags *probe = NULL;
	struct pageflags_stats st;
	uint64_t calls, tried = 0;

	if (boot_injects_failures(t))
		return;
	KT_ASSERT(t, flags_create(&probe, PAGEFLAGS_ALL_POSSIBLE) == 0);
	pageflags_stats(probe, &st);
	pageflags_destroy(probe);
	/* one allocation for the header, however many pages, one per other */
	calls = 1 + st.nr_inner + st.nr_leaves;

	for (uint64_t nth = 1; nth <= calls; nth++) {
		uint64_t before = frame_count_in_use();
		struct pageflags *map = (struct pageflags *)1;

		if (!failure_point_sampled(nth, calls, &st))
			continue;
		tried++;
		frame_inject_failure(nth, false);
		KT_EXPECT_EQ(t, flags_create(&map, PAGEFLAGS_ALL_POSSIBLE),
			     PAGEFLAGS_ERR_NO_MEMORY);
		frame_inject_failure(0, false);
		KT_EXPECT(t, map == NULL);
		KT_EXPECT_EQ(t, frame_count_in_use(), before);
		if (ktest_failed(t)) {
			ktest_log(t, "failing allocation %llu of %llu",
				  (unsigned long long)nth, (unsigned long long)calls);
			return;
		}
	}
	/* One past the last point: the create succeeds. */
	frame_inject_failure(calls + 1, false);
	KT_EXPECT_EQ(t, flags_create(&probe, PAGEFLAGS_ALL_POSSIBLE), 0);
	frame_inject_failure(0, false);
	pageflags_destroy(probe);
	ktest_log(t, "%llu of %llu failure points tried, each gave every frame back",
		  (unsigned long long)tried, (unsigned long long)calls);
}

KTEST_SUITE(flags_boot,
	KTEST_CASE(present_leaves_follow_sections),
	KTEST_CASE(all_map_sets_never_allocate),
	KTEST_CASE(ram_is_covered_by_present_leaves),
	KTEST_CASE(create_and_destroy_give_back_every_frame),
	KTEST_CASE(create_fails_cleanly_at_every_allocation));
