/*
 * snapshot_ktest.c: the KTAP suite "snapshot", run in the kernel only (it
 * needs real frames, page-flag maps over the real pfn space and the
 * identity map).
 *
 *   cycle                  what the boot step snapshot_boot() did with the
 *                          options kmain gave it (snapshot=SIZE,
 *                          snapshot_corrupt=KIND, fail_alloc=N): every
 *                          page verified, or the refusal the damage asks
 *                          for with RAM unchanged, and no frame leaked;
 *   every_damage_refused   each kind of damage on a small image is refused
 *                          for its own reason, with RAM left as it was;
 *   alloc_failure_is_clean a frame refused at each point of a snapshot
 *                          aborts it with every frame given back and the
 *                          workload untouched;
 *   map_pages_forbidden    every page of the three page-flag maps is in
 *                          the forbidden map, so neither a snapshot nor a
 *                          restore can touch one;
 *   copy_is_fused          the snapshot copies every data page through
 *                          crc32c_copy(), the one pass that copies and
 *                          checksums together, and nothing else does.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/frame.h"
#include "kernel/memory_boot.h"
#include "kernel/ktest.h"
#include "kernel/options.h"
#include "kernel/portable/crc32c.h"
#include "kernel/snapshot_boot.h"
#include "tests/ktest.h"

#define SMALL_PAGES 600   /* two pfn list pages: 600 > 512 */

static void cycle(struct ktest *t)
{
	const struct kernel_options *o = ktest_options();
	const struct snapshot_result *r = snapshot_boot_result();
	const struct snapshot_cycle *c = &r->cycle;

	if (o->snapshot_bytes == 0) {
		ktest_skip(t, "snapshot=0");
		return;
	}
	/* The step ran, with the options kmain parsed. */
	KT_ASSERT(t, r->ran);
	KT_EXPECT_EQ(t, r->bytes, o->snapshot_bytes);
	KT_EXPECT_EQ(t, r->corrupt, o->snapshot_corrupt);
	KT_EXPECT_EQ(t, r->fail_nth, o->fail_alloc_nth);
	KT_EXPECT_EQ(t, r->fail_every, o->fail_alloc_every);
	KT_EXPECT_EQ(t, c->nr_pages, (o->snapshot_bytes + PAGE_SIZE - 1) / PAGE_SIZE);

	KT_EXPECT_EQ(t, c->frames_leaked, 0);
	if (c->error) {
		/* Only running out of memory may stop it, and cleanly. */
		KT_EXPECT_EQ(t, c->error, SNAPSHOT_ERR_NO_MEMORY);
		if (c->stage && strcmp(c->stage, "workload") && strcmp(c->stage, "maps"))
			KT_EXPECT_EQ(t, c->verified, c->nr_pages);
		KT_EXPECT(t, r->problem == NULL);
		/* Without injected failures, the machine is too small for
		 * the size asked: say so rather than pass. */
		if (!o->fail_alloc_nth)
			ktest_skip(t, "not enough memory for this snapshot= size");
		return;
	}
	KT_EXPECT_EQ(t, c->refused, snapshot_expected_refusal(o->snapshot_corrupt));
	if (c->refused)
		KT_EXPECT(t, c->ram_unchanged);
	else
		KT_EXPECT_EQ(t, c->verified, c->nr_pages);
	/* The step judged it as this suite does (it failed the boot if not). */
	if (r->problem)
		ktest_log(t, "the boot step failed: %s", r->problem);
	KT_EXPECT(t, r->problem == NULL);
}

static void every_damage_refused(struct ktest *t)
{
	uint64_t before = frame_count_in_use();
	uint64_t fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);

	for (uint32_t kind = CORRUPT_NONE; kind <= CORRUPT_MEMMAP; kind++) {
		struct snapshot_workload w;
		struct snapshot_image img;
		struct snapimg_error err;
		const char *stage;
		uint64_t fp, cycles;

		KT_ASSERT(t, workload_create(&w, SMALL_PAGES, kind, &stage) ==
			     SNAPSHOT_OK);
		if (snapshot_take(&img, &w, fingerprint, &stage) != SNAPSHOT_OK) {
			ktest_fail(t, __FILE__, __LINE__, "snapshot stopped at %s",
				   stage);
			workload_destroy(&w);
			return;
		}
		fp = snapshot_damage(&img, kind, fingerprint);
		workload_scramble(&w);
		KT_EXPECT_EQ(t, snapshot_restore(&img, fp, &err, &cycles),
			     snapshot_expected_refusal(kind));
		if (kind == CORRUPT_NONE) {
			KT_EXPECT_EQ(t, workload_verify(&w), SMALL_PAGES);
		} else {
			KT_EXPECT(t, workload_is_poison(&w));
			ktest_log(t, "%s: refused reason=%s field=%s problem=%s",
				  snapshot_corrupt_names[kind],
				  snapimg_strerror(err.status), err.field,
				  err.problem);
		}
		snapshot_release(&img);
		workload_destroy(&w);
	}
	KT_EXPECT_EQ(t, frame_count_in_use(), before);
}

/*
 * Count the allocation calls of one good snapshot, then make each of
 * several of them fail in turn: the first (a map page), the second, one
 * in the middle of the safe pages, the last safe page, the index's
 * directory and its last page. Each must stop at its own step.
 */
static void alloc_failure_is_clean(struct ktest *t)
{
	uint64_t before = frame_count_in_use();
	uint64_t fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	struct snapshot_workload w;
	struct snapshot_image img;
	const char *stage;
	uint64_t in_use, calls, index_calls;

	KT_ASSERT(t, workload_create(&w, SMALL_PAGES, 7, &stage) == SNAPSHOT_OK);
	in_use = frame_count_in_use();
	if (snapshot_take(&img, &w, fingerprint, &stage) != SNAPSHOT_OK) {
		ktest_fail(t, __FILE__, __LINE__, "snapshot stopped at %s", stage);
		workload_destroy(&w);
		return;
	}
	/* Every frame was its own call, except the index's directory and
	 * each map's header: one call each, however many frames. The index
	 * comes last: its directory, then its pages. */
	calls = frame_count_in_use() - in_use - (frame_dir_pages(img.index_pages) - 1) -
		(img.safe->header_pages - 1) - (img.forbidden->header_pages - 1);
	index_calls = 1 + img.index_pages;
	KT_EXPECT(t, img.index_pages >= 2);     /* SMALL_PAGES > 512 */
	snapshot_release(&img);

	struct { uint64_t call; const char *stage; } points[] = {
		{ 1, "maps" },
		{ 2, "maps" },
		{ calls / 2, "safe_pages" },
		{ calls - index_calls, "safe_pages" },
		{ calls - index_calls + 1, "index" },
		{ calls, "index" },
	};
	for (size_t k = 0; k < sizeof(points) / sizeof(points[0]); k++) {
		frame_inject_failure(points[k].call, false);
		KT_EXPECT_EQ(t, snapshot_take(&img, &w, fingerprint, &stage),
			     SNAPSHOT_ERR_NO_MEMORY);
		frame_inject_failure(0, false);
		ktest_log(t, "allocation %llu of %llu refused: stopped at %s",
			  (unsigned long long)points[k].call,
			  (unsigned long long)calls, stage);
		KT_EXPECT(t, !strcmp(stage, points[k].stage));
		KT_EXPECT_EQ(t, frame_count_in_use(), in_use);
		KT_EXPECT_EQ(t, workload_verify(&w), SMALL_PAGES);
	}
	workload_destroy(&w);
	KT_EXPECT_EQ(t, frame_count_in_use(), before);
}

/* Pages of a map seen, and how many of them are not forbidden. */
struct forbidden_count {
	struct pageflags *forbidden;
	uint64_t allowed, seen;
};

/* Count a run of a map's pages; for pageflags_for_each_page(). */
static int count_allowed(void *ctx, void *pages, uint64_t nr_pages)
{
	struct forbidden_count *c = ctx;

	uint64_t first_pfn = (uint64_t)(uintptr_t)pages >> PAGE_SHIFT;  /* identity map */

	for (uint64_t i = 0; i < nr_pages; i++)
		c->allowed += pageflags_test(c->forbidden, first_pfn + i) != 1;
	c->seen += nr_pages;
	return 0;
}

static void map_pages_forbidden(struct ktest *t)
{
	uint64_t fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	struct snapshot_workload w;
	struct snapshot_image img;
	const char *stage;
	struct pageflags *maps[3];

	KT_ASSERT(t, workload_create(&w, SMALL_PAGES, 3, &stage) == SNAPSHOT_OK);
	if (snapshot_take(&img, &w, fingerprint, &stage) != SNAPSHOT_OK) {
		ktest_fail(t, __FILE__, __LINE__, "snapshot stopped at %s", stage);
		workload_destroy(&w);
		return;
	}
	maps[0] = w.to_save;
	maps[1] = img.safe;
	maps[2] = img.forbidden;
	for (size_t i = 0; i < 3; i++) {
		struct forbidden_count c = { img.forbidden, 0, 0 };

		KT_EXPECT_EQ(t, pageflags_for_each_page(maps[i], count_allowed, &c), 0);
		KT_EXPECT_EQ(t, c.seen, pageflags_bytes(maps[i]) / PAGE_SIZE);
		KT_EXPECT_EQ(t, c.allowed, 0);
	}
	snapshot_release(&img);
	workload_destroy(&w);
}

/*
 * The bytes crc32c_copy() saw during one snapshot are exactly the image's
 * data bytes: each saved page went through the fused copy once (a copy
 * followed by a separate crc32c() would leave the count at 0), and the
 * restore, which checks the whole image before copying, adds none.
 */
static void copy_is_fused(struct ktest *t)
{
	uint64_t fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	struct snapshot_workload w;
	struct snapshot_image img;
	struct snapimg_error err;
	const char *stage;
	uint64_t before, cycles;

	KT_ASSERT(t, workload_create(&w, SMALL_PAGES, 11, &stage) == SNAPSHOT_OK);
	before = crc32c_copied_bytes();
	if (snapshot_take(&img, &w, fingerprint, &stage) != SNAPSHOT_OK) {
		ktest_fail(t, __FILE__, __LINE__, "snapshot stopped at %s", stage);
		workload_destroy(&w);
		return;
	}
	KT_EXPECT_EQ(t, crc32c_copied_bytes() - before,
		     img.layout.nr_pages * PAGE_SIZE);
	KT_EXPECT_EQ(t, img.layout.nr_pages, SMALL_PAGES);
	before = crc32c_copied_bytes();
	workload_scramble(&w);
	KT_EXPECT_EQ(t, snapshot_restore(&img, fingerprint, &err, &cycles),
		     SNAPIMG_OK);
	KT_EXPECT_EQ(t, crc32c_copied_bytes() - before, 0);
	KT_EXPECT_EQ(t, workload_verify(&w), SMALL_PAGES);
	snapshot_release(&img);
	workload_destroy(&w);
}

KTEST_SUITE(snapshot,
	KTEST_CASE(cycle),
	KTEST_CASE(every_damage_refused),
	KTEST_CASE(alloc_failure_is_clean),
	KTEST_CASE(map_pages_forbidden),
	KTEST_CASE(copy_is_fused));
