/*
 * frame_ktest.c: in-kernel tests of the frame allocator on the real machine:
 * frames are RAM, never the kernel or a loader region, come back when
 * freed (one at a time, in a run, or scattered under a directory), and
 * injected failures fail cleanly. KTAP suite "frame".
 */
#include <stdint.h>
#include <string.h>

#include "kernel/frame.h"
#include "kernel/hotplug.h"
#include "kernel/ktest.h"
#include "kernel/options.h"
#include "kernel/paging.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/memmap.h"
#include "tests/ktest.h"

#define NR_TEST_FRAMES 256   /* pointers fit in one page: 256 * 8 bytes */

static bool overlaps(uint64_t addr, uint64_t start, uint64_t end)
{
	return addr + PAGE_SIZE > start && addr < end;
}

/* What frame_alloc() must never return. */
static bool forbidden(uint64_t addr)
{
	struct frame_stats s;

	frame_get_stats(&s);
	if (addr < PAGE_SIZE ||
	    overlaps(addr, ktest_boot_info()->kernel_start, ktest_boot_info()->kernel_end) ||
	    overlaps(addr, s.bitmap, s.bitmap + s.bitmap_pages * PAGE_SIZE))
		return true;
	for (uint32_t i = 0; i < ktest_boot_info()->nr_regions; i++)
		if (overlaps(addr, ktest_boot_info()->regions[i].start,
			     ktest_boot_info()->regions[i].end))
			return true;
	return false;
}

/* Is the frame all zero? */
static bool zeroed(const uint64_t *frame)
{
	for (uint32_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
		if (frame[i])
			return false;
	return true;
}

/*
 * Allocate a batch, check each frame, give all back: the counters balance
 * and the same number of frames is free again.
 */
static void frames_are_ram_and_come_back(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	struct frame_stats before, during, after;
	uint64_t **frames = frame_alloc();
	uint32_t n = 0;

	KT_ASSERT(t, frames != NULL);
	frame_get_stats(&before);
	for (; n < NR_TEST_FRAMES; n++) {
		uint64_t *f = frame_alloc();
		uint64_t a = (uint64_t)(uintptr_t)f;
		const struct mem_range *r;

		if (!f)
			break;
		frames[n] = f;
		r = memmap_find(map, a);
		KT_EXPECT(t, a % PAGE_SIZE == 0);
		KT_EXPECT(t, r && r->type == MEM_USABLE && a + PAGE_SIZE <= r->end);
		KT_EXPECT(t, !forbidden(a));
		KT_EXPECT(t, frame_is_allocated(f));
		KT_EXPECT(t, paging_is_mapped(a));
		KT_EXPECT(t, zeroed(f));
		f[0] = a;                          /* dirty it: must not leak */
	}
	KT_EXPECT_EQ(t, n, NR_TEST_FRAMES);
	frame_get_stats(&during);
	KT_EXPECT_EQ(t, during.allocated - before.allocated, n);
	KT_EXPECT_EQ(t, before.free - during.free, n);
	for (uint32_t i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, frames[i][0], (uint64_t)(uintptr_t)frames[i]);
		frame_free(frames[i]);
		KT_EXPECT(t, !frame_is_allocated(frames[i]));
	}
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.freed - before.freed, n);
	KT_EXPECT_EQ(t, after.free, before.free);
	KT_EXPECT_EQ(t, after.total - after.free, after.allocated - after.freed);
	KT_EXPECT_EQ(t, frame_count_in_use(), after.allocated - after.freed);
	KT_EXPECT_EQ(t, frame_count_free(), after.free);
	frame_free(frames);
}

/*
 * Once paging is up, every usable frame may be handed out, above 4 GiB too;
 * with the frames of the ranges added since (online DIMMs, which no
 * firmware map holds), and those are exactly the hotplug module's.
 */
static void limit_covers_all_ram(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	struct frame_stats s;

	frame_get_stats(&s);
	for (uint32_t i = 0; i < map->nr_ranges; i++)
		if (map->ranges[i].type == MEM_USABLE)
			KT_EXPECT(t, map->ranges[i].end <= s.mapped_limit);
	KT_EXPECT_EQ(t, s.added, hotplug_online_pages());
	KT_EXPECT_EQ(t, s.total, memmap_pages(map, MEM_USABLE) - s.excluded + s.added);
}

/*
 * The allocator keeps back exactly the usable pages that boot_info and its
 * own bitmap account for (forbidden() above), and no other: count the
 * usable pages of page 0, the kernel, the loader's regions and the bitmap,
 * each page once however many of them it lies in.
 */
static void excluded_is_exactly_the_forbidden_pages(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	struct frame_stats s;
	struct area { uint64_t start, end; } areas[2 + BOOT_REGIONS_MAX + 1];
	uint32_t nr_areas = 0;
	uint64_t pages = 0;

	frame_get_stats(&s);
	areas[nr_areas++] = (struct area){ 0, PAGE_SIZE };
	areas[nr_areas++] = (struct area){ ktest_boot_info()->kernel_start, ktest_boot_info()->kernel_end };
	for (uint32_t i = 0; i < ktest_boot_info()->nr_regions; i++)
		areas[nr_areas++] = (struct area){ ktest_boot_info()->regions[i].start,
						   ktest_boot_info()->regions[i].end };
	areas[nr_areas++] = (struct area){ s.bitmap, s.bitmap + s.bitmap_pages * PAGE_SIZE };
	for (uint32_t i = 0; i < nr_areas; i++) {
		for (uint64_t a = areas[i].start & ~(PAGE_SIZE - 1); a < areas[i].end; a += PAGE_SIZE) {
			const struct mem_range *r = memmap_find(map, a);
			bool seen = false;

			for (uint32_t j = 0; j < i && !seen; j++)
				seen = overlaps(a, areas[j].start, areas[j].end);
			pages += !seen && r && r->type == MEM_USABLE;
		}
	}
	KT_EXPECT_EQ(t, s.excluded, pages);
}

/*
 * The allocator manages `usable` RAM only: asked to start at a
 * `reclaimable` range (the firmware's and the loader's data, under UEFI),
 * it still hands out a usable frame. SeaBIOS maps have no reclaimable
 * RAM: skipped.
 */
static void reclaimable_is_never_handed_out(struct ktest *t)
{
	const struct memmap *map = memmap_get();
	uint64_t tried = 0;

	if (memmap_pages(map, MEM_RECLAIMABLE) == 0) {
		ktest_skip(t, "no reclaimable RAM in this map");
		return;
	}
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		const struct mem_range *got;
		void *f;

		if (r->type != MEM_RECLAIMABLE)
			continue;
		f = frame_alloc_from(r->start);
		KT_ASSERT(t, f != NULL);
		got = memmap_find(map, (uint64_t)(uintptr_t)f);
		KT_EXPECT(t, got && got->type == MEM_USABLE);
		frame_free(f);
		tried++;
	}
	KT_EXPECT(t, tried > 0);
}

/*
 * frame_alloc_from(a) hands out the first free frame at or above a, even
 * when a free frame lies just below a in the same bitmap word.
 */
static void alloc_from_starts_at_its_address(struct ktest *t)
{
	uint8_t *low = frame_alloc(), *high = frame_alloc(), *got;

	KT_ASSERT(t, low != NULL && high != NULL);
	frame_free(low);                    /* free, and below the start */
	got = frame_alloc_from((uint64_t)(uintptr_t)low + PAGE_SIZE);
	KT_ASSERT(t, got != NULL);
	KT_EXPECT(t, got > low);
	frame_free(got);
	frame_free(high);
}

static void contiguous_frames(struct ktest *t)
{
	struct frame_stats before, after;
	uint8_t *run;

	frame_get_stats(&before);
	run = frame_alloc_pages(16);
	KT_ASSERT(t, run != NULL);
	for (uint32_t i = 0; i < 16; i++) {
		KT_EXPECT(t, frame_is_allocated(run + i * PAGE_SIZE));
		KT_EXPECT(t, !forbidden((uint64_t)(uintptr_t)run + i * PAGE_SIZE));
		KT_EXPECT(t, zeroed((const uint64_t *)(run + i * PAGE_SIZE)));
	}
	frame_free_pages(run, 16);
	KT_EXPECT(t, frame_alloc_pages(0) == NULL);
	KT_EXPECT(t, frame_alloc_pages(before.free + 1) == NULL);
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.free, before.free);
	KT_EXPECT_EQ(t, after.allocated - before.allocated, 16);
	KT_EXPECT_EQ(t, after.failed - before.failed, 2);
}

/* 600 frames one at a time and a directory of two frames (4800 bytes of
 * addresses); a refusal part-way keeps nothing. */
static void scattered_frames(struct ktest *t)
{
	struct frame_stats before, after;
	void **dir;

	frame_get_stats(&before);
	KT_EXPECT_EQ(t, frame_dir_pages(600), 2);
	dir = frame_alloc_scattered(600);
	KT_ASSERT(t, dir != NULL);
	for (uint32_t i = 0; i < 600; i++) {
		uint64_t addr = (uint64_t)(uintptr_t)dir[i];

		KT_EXPECT(t, frame_is_allocated(dir[i]));
		KT_EXPECT(t, !forbidden(addr) && zeroed(dir[i]));
		KT_EXPECT(t, !overlaps(addr, (uintptr_t)dir, (uintptr_t)dir + 2 * PAGE_SIZE));
	}
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.allocated - before.allocated, 602);
	frame_free_scattered(dir, 600);
	frame_free_scattered(NULL, 600);                /* ignored */
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.free, before.free);
	KT_EXPECT_EQ(t, after.bad_frees, before.bad_frees);

	if (ktest_options()->fail_alloc_nth)
		return;                 /* the boot's own injection would interfere */
	frame_inject_failure(300, false);               /* the 299th frame */
	KT_EXPECT(t, frame_alloc_scattered(600) == NULL);
	frame_inject_failure(0, false);
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.free, before.free);
	KT_EXPECT_EQ(t, after.failed - before.failed, 1);
}

/* Frees of things that are not allocated frames are refused, counted. */
static void bad_frees_refused(struct ktest *t)
{
	struct frame_stats before, after;
	uint8_t *f = frame_alloc();

	KT_ASSERT(t, f != NULL);
	frame_get_stats(&before);
	frame_free((void *)(uintptr_t)ktest_boot_info()->kernel_start);  /* excluded */
	frame_free(f + 8);                                        /* unaligned */
	frame_free((void *)(uintptr_t)before.bitmap);             /* bookkeeping */
	frame_free((void *)(uintptr_t)(1ULL << 46));              /* not RAM */
	frame_free(NULL);                                         /* ignored */
	frame_free(f);
	frame_free(f);                                            /* double */
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.bad_frees - before.bad_frees, 5);
	KT_EXPECT_EQ(t, after.freed - before.freed, 1);
	KT_EXPECT_EQ(t, after.free, before.free + 1);
}

/* fail_alloc: the n-th call (or every n-th) gets NULL, the rest work. */
static void injected_failures(struct ktest *t)
{
	struct frame_stats before, after;
	void *f[6];

	if (ktest_options()->fail_alloc_nth) {
		ktest_skip(t, "fail_alloc is set for the whole boot");
		return;
	}
	frame_get_stats(&before);
	frame_inject_failure(3, false);
	for (int i = 0; i < 6; i++)
		f[i] = frame_alloc();
	KT_EXPECT(t, f[0] && f[1] && !f[2] && f[3] && f[4] && f[5]);
	for (int i = 0; i < 6; i++)
		frame_free(f[i]);

	frame_inject_failure(2, true);
	for (int i = 0; i < 6; i++)
		f[i] = frame_alloc();
	KT_EXPECT(t, f[0] && !f[1] && f[2] && !f[3] && f[4] && !f[5]);
	for (int i = 0; i < 6; i++)
		frame_free(f[i]);
	frame_inject_failure(1, false);
	KT_EXPECT(t, frame_alloc_pages(4) == NULL);
	frame_inject_failure(0, false);

	frame_get_stats(&after);
	KT_EXPECT_EQ(t, after.injected - before.injected, 5);
	KT_EXPECT_EQ(t, after.failed - before.failed, 5);
	KT_EXPECT_EQ(t, after.free, before.free);
}

KTEST_SUITE(frame,
	KTEST_CASE(frames_are_ram_and_come_back),
	KTEST_CASE(limit_covers_all_ram),
	KTEST_CASE(excluded_is_exactly_the_forbidden_pages),
	KTEST_CASE(reclaimable_is_never_handed_out),
	KTEST_CASE(alloc_from_starts_at_its_address),
	KTEST_CASE(contiguous_frames),
	KTEST_CASE(scattered_frames),
	KTEST_CASE(bad_frees_refused),
	KTEST_CASE(injected_failures));
