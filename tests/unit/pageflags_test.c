/*
 * pageflags_test.c: the portable test suites of the pageflags library.
 *
 * Built twice: into the kernel (suites run at boot, KTAP on COM1) and into
 * the host program build/host/pageflags (TAP, under ASan and UBSan). So it
 * uses only ktest.h and pageflags.h, keeps every map under ~300 pages and
 * puts nothing big on the stack.
 *
 * Pages come from ktest_pages_alloc() through `src`, a page source that
 * counts what is outstanding, notices a run given back twice, in part or
 * never handed out, and can be told to fail its N-th allocation.
 *
 * Suite pageflags:      every operation in both modes, edges, errors.
 * Suite pageflags_seed: one case for each defect of the 2005 proposal
 *                       (docs/pageflags.md lists them).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pageflags/pageflags.h"
#include "tests/ktest.h"

#define LEAF     PAGEFLAGS_LEAF_PFNS        /* pfns per leaf: 32768 */
#define PAGE     PAGE_SIZE
#define NONE     PAGEFLAGS_NO_PFN
#define ERANGE_  PAGEFLAGS_ERR_RANGE
#define ENOTPR_  PAGEFLAGS_ERR_NOT_PRESENT
#define ENOMEM_  PAGEFLAGS_ERR_NO_MEMORY
#define EINVAL_  PAGEFLAGS_ERR_INVALID
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ROOT_SLOTS 480  /* leaves a one-page header's root holds (docs/pageflags.md) */

/* ------------------------------------------------ the counting page source */

#define TRACK_MAX 512   /* runs one case may hold at once */

static struct {
	uint64_t nr_calls;        /* alloc_pages calls so far */
	uint64_t fail_at;         /* 0: never fail; N: the N-th call fails */
	uint64_t nr_bad_frees;    /* runs given back that were not out as such */
	uint64_t nr_untracked;    /* allocations beyond TRACK_MAX */
	uint64_t nr_pages_out;    /* pages out now */
	uint32_t nr_out;          /* runs out now */
	struct { void *pages; uint64_t nr_pages; } out[TRACK_MAX];
} src;

static void *src_alloc(void *ctx, uint64_t nr_pages)
{
	void *pages;

	(void)ctx;
	src.nr_calls++;
	if (src.fail_at && src.nr_calls == src.fail_at)
		return NULL;
	if (src.nr_out == TRACK_MAX) {
		src.nr_untracked++;
		return NULL;
	}
	pages = ktest_pages_alloc(nr_pages);
	if (pages) {
		src.out[src.nr_out].pages = pages;
		src.out[src.nr_out++].nr_pages = nr_pages;
		src.nr_pages_out += nr_pages;
	}
	return pages;
}

/* A run comes back whole: the same address and length it went out with. */
static void src_free(void *ctx, void *pages, uint64_t nr_pages)
{
	(void)ctx;
	for (uint32_t i = 0; i < src.nr_out; i++) {
		if (src.out[i].pages == pages && src.out[i].nr_pages == nr_pages) {
			src.out[i] = src.out[--src.nr_out];
			src.nr_pages_out -= nr_pages;
			ktest_pages_free(pages, nr_pages);
			return;
		}
	}
	src.nr_bad_frees++;
}

static const struct page_source test_source = { src_alloc, src_free, NULL };

/* Start a case with no page out and no failure planned. */
static void src_reset(void)
{
	src.nr_calls = 0;
	src.fail_at = 0;
	src.nr_bad_frees = 0;
	src.nr_untracked = 0;
	src.nr_pages_out = 0;
	src.nr_out = 0;
}

/* Every page came back exactly once. */
static void expect_no_leak(struct ktest *t)
{
	KT_EXPECT_EQ(t, src.nr_out, 0);
	KT_EXPECT_EQ(t, src.nr_bad_frees, 0);
	KT_EXPECT_EQ(t, src.nr_untracked, 0);
}

/* ------------------------------------------------------ layouts and maps */

/* A small machine: low RAM, RAM from 1 MiB to 384 MiB, 128 MiB at 4 GiB.
 * Leaves 0, 1, 2 and 32. */
static const struct pageflags_range small_ram[] = {
	{ 0x0, 0x9f },
	{ 0x100, 0x18000 },
	{ 0x100000, 0x108000 },
};

/* One leaf each at pfn 0, 2^31, 2^32, 2^36 and the top of 52 bits. */
static const struct pageflags_range sparse52_ram[] = {
	{ 0, LEAF },
	{ 1ull << 31, (1ull << 31) + LEAF },
	{ 1ull << 32, (1ull << 32) + LEAF },
	{ 1ull << 36, (1ull << 36) + LEAF },
	{ (1ull << 40) - LEAF, 1ull << 40 },
};

struct layout {
	unsigned int phys_bits;
	const struct pageflags_range *ranges;
	size_t nr_ranges;
	uint64_t possible_end_pfn;
};

static const struct layout small = { 40, small_ram, ARRAY_SIZE(small_ram), 0 };

/* 128 leaves of RAM in a reach of 900: they pay for a second header page,
 * so the root is a table of all 900 leaves over two pages. */
static const struct pageflags_range two_page_ram[] = { { 0, 128 * LEAF } };
static const struct layout two_page_header = { 40, two_page_ram, 1, 900 * LEAF };
static const struct layout sparse52 = {
	52, sparse52_ram, ARRAY_SIZE(sparse52_ram), 0
};

/* Make a map over `layout`; the result of pageflags_create() in *err. */
static struct pageflags *make_map_err(const struct layout *layout,
				      enum pageflags_mode mode, int *err)
{
	struct pageflags_range_list list = { layout->ranges, layout->nr_ranges };
	struct pageflags_space space = {
		layout->phys_bits, layout->possible_end_pfn,
		pageflags_range_list_overlaps, NULL, &list,
	};
	struct pageflags *map;

	*err = pageflags_create(&map, mode, &space, &test_source);
	return map;
}

static struct pageflags *make_map(struct ktest *t, const struct layout *layout,
				  enum pageflags_mode mode)
{
	int err;
	struct pageflags *map = make_map_err(layout, mode, &err);

	KT_EXPECT_EQ(t, err, 0);
	return map;
}

static void expect_stats(struct ktest *t, const struct pageflags *map,
			 uint64_t nr_leaves, uint64_t nr_inner)
{
	struct pageflags_stats st;

	pageflags_stats(map, &st);
	KT_EXPECT_EQ(t, st.nr_leaves, nr_leaves);
	KT_EXPECT_EQ(t, st.nr_inner, nr_inner);
	KT_EXPECT_EQ(t, st.bytes, (1 + nr_leaves + nr_inner) * PAGE);
	KT_EXPECT_EQ(t, st.covered_pfns, nr_leaves * LEAF);
	KT_EXPECT_EQ(t, pageflags_bytes(map), st.bytes);
}

/* Pages of the map's header: what it holds besides leaves and nodes. */
static uint64_t header_pages(const struct pageflags *map)
{
	struct pageflags_stats st;

	pageflags_stats(map, &st);
	return st.bytes / PAGE - st.nr_leaves - st.nr_inner;
}

/* Is `page` one of the single pages the map holds (a leaf or a node)? */
struct find_page { const void *page; bool found; };

static int find_run(void *ctx, void *pages, uint64_t nr_pages)
{
	struct find_page *f = ctx;

	f->found |= nr_pages == 1 && pages == f->page;
	return 0;
}

static bool map_holds_page(struct pageflags *map, const void *page)
{
	struct find_page f = { page, false };

	pageflags_for_each_page(map, find_run, &f);
	return f.found;
}

/* Set each pfn of a list, then expect exactly those to be found in order. */
static void expect_walk(struct ktest *t, struct pageflags *map,
			const uint64_t *pfns, size_t nr)
{
	struct pageflags_iter it;
	uint64_t pfn;
	size_t i = 0;

	pageflags_for_each_set(pfn, it, map) {
		KT_ASSERT(t, i < nr);
		KT_EXPECT_EQ(t, pfn, pfns[i]);
		i++;
	}
	KT_EXPECT_EQ(t, i, nr);
	KT_EXPECT_EQ(t, pageflags_count(map), nr);
}

/* ------------------------------------------------------ suite pageflags */

static void error_strings(struct ktest *t)
{
	/* the errors are negative, and named as the kernel report prints them */
	KT_EXPECT(t, PAGEFLAGS_ERR_RANGE < 0 && PAGEFLAGS_ERR_NOT_PRESENT < 0 &&
		     PAGEFLAGS_ERR_NO_MEMORY < 0 && PAGEFLAGS_ERR_INVALID < 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(PAGEFLAGS_OK), "ok") == 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(ERANGE_), "out-of-range") == 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(ENOTPR_), "not-present") == 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(ENOMEM_), "out-of-memory") == 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(EINVAL_), "invalid-argument") == 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(-99), "unknown-error") == 0);
	KT_EXPECT(t, strcmp(pageflags_strerror(1), "unknown-error") == 0);
	KT_EXPECT(t, strcmp(pageflags_mode_name(PAGEFLAGS_PRESENT_ONLY),
			    "present") == 0);
	KT_EXPECT(t, strcmp(pageflags_mode_name(PAGEFLAGS_ALL_POSSIBLE), "all") == 0);
}

static void create_rejects_bad_arguments(struct ktest *t)
{
	struct pageflags_range_list list = { small_ram, ARRAY_SIZE(small_ram) };
	struct pageflags_space space = {
		40, 0, pageflags_range_list_overlaps, NULL, &list,
	};
	struct page_source no_alloc = { NULL, src_free, NULL };
	struct page_source no_free = { src_alloc, NULL, NULL };
	struct pageflags *map = (struct pageflags *)&list;

	src_reset();
	KT_EXPECT_EQ(t, pageflags_create(NULL, PAGEFLAGS_PRESENT_ONLY, &space,
					 &test_source), EINVAL_);
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, NULL,
					 &test_source), EINVAL_);
	KT_EXPECT(t, map == NULL);
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 NULL), EINVAL_);
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 &no_alloc), EINVAL_);
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 &no_free), EINVAL_);
	KT_EXPECT_EQ(t, pageflags_create(&map, (enum pageflags_mode)7, &space,
					 &test_source), EINVAL_);
	space.phys_bits = PAGEFLAGS_MIN_PHYS_BITS - 1;
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 &test_source), EINVAL_);
	space.phys_bits = PAGEFLAGS_MAX_PHYS_BITS + 1;
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 &test_source), EINVAL_);
	space.phys_bits = 40;
	space.possible_end_pfn = (1ull << 28) + 1;      /* past the width */
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_ALL_POSSIBLE, &space,
					 &test_source), EINVAL_);
	space.possible_end_pfn = 0;
	space.range_present = NULL;
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 &test_source), EINVAL_);
	KT_EXPECT(t, map == NULL);
	KT_EXPECT_EQ(t, src.nr_calls, 0);
	expect_no_leak(t);
}

/* The width decides the limit and how many inner nodes one leaf needs. */
static void height_follows_width(struct ktest *t)
{
	static const struct {
		unsigned int phys_bits;
		uint64_t nr_inner;      /* inner nodes above one leaf */
	} widths[] = {
		{ 27, 0 }, { 28, 0 }, { 35, 0 }, { 36, 1 }, { 40, 1 },
		{ 44, 1 }, { 45, 2 }, { 46, 2 }, { 48, 2 }, { 52, 2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
		uint64_t limit = 1ull << (widths[i].phys_bits - 12);
		uint64_t top = limit - 1;
		/* the last pfn of the width is present */
		struct pageflags_range top_ram[] = { { top, limit } };
		struct layout layout = { widths[i].phys_bits, top_ram, 1, 0 };
		struct pageflags *map;

		src_reset();
		map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
		KT_ASSERT(t, map != NULL);
		KT_EXPECT_EQ(t, pageflags_pfn_limit(map), limit);
		expect_stats(t, map, 1, widths[i].nr_inner);
		KT_EXPECT_EQ(t, pageflags_set(map, top), 0);
		KT_EXPECT_EQ(t, pageflags_test(map, top), 1);
		KT_EXPECT_EQ(t, pageflags_set(map, limit), ERANGE_);
		KT_EXPECT_EQ(t, pageflags_test(map, limit), ERANGE_);
		KT_EXPECT_EQ(t, pageflags_next_set(map, 0), top);
		if (top >= LEAF)
			KT_EXPECT_EQ(t, pageflags_set(map, 0), ENOTPR_);
		pageflags_destroy(map);
		expect_no_leak(t);
	}
}

/*
 * Given a possible end, the tree is as tall as that reach needs, whatever
 * the width: up to 480 leaves the root holds them (no inner level), one
 * more leaf takes a level. The map reaches whole root slots and no more:
 * a grow past that is out of range, as a grow past the width.
 */
static void height_follows_possible_end(struct ktest *t)
{
	static const struct {
		unsigned int phys_bits;
		uint64_t possible_end_pfn;
		uint64_t nr_inner;      /* inner nodes above one leaf */
		uint64_t reach_pfn;     /* first pfn grow may not cover */
	} ends[] = {
		{ 40, 1, 0, LEAF },
		{ 40, 48 * LEAF + 5, 0, 49 * LEAF },            /* a 6 GiB machine */
		{ 40, ROOT_SLOTS * LEAF, 0, ROOT_SLOTS * LEAF },
		{ 40, ROOT_SLOTS * LEAF + 1, 1, 512 * LEAF },
		{ 46, 14336 * LEAF, 1, 14336 * LEAF },          /* 1792 GiB */
		{ 52, 3 * LEAF, 0, 3 * LEAF },
		{ 52, ROOT_SLOTS * 512 * LEAF, 1, ROOT_SLOTS * 512 * LEAF },
		{ 52, ROOT_SLOTS * 512 * LEAF + 1, 2, 512 * 512 * LEAF },
		{ 52, 0, 2, 1ull << 40 },                       /* not known: the width */
	};

	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		uint64_t reach = ends[i].reach_pfn;
		uint64_t top = (ends[i].possible_end_pfn ? ends[i].possible_end_pfn :
				reach) - 1;
		struct pageflags_range top_ram[] = { { top, top + 1 } };
		struct layout layout = { ends[i].phys_bits, top_ram, 1,
					 ends[i].possible_end_pfn };
		struct pageflags *map;

		src_reset();
		map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
		KT_ASSERT(t, map != NULL);
		expect_stats(t, map, 1, ends[i].nr_inner);
		KT_EXPECT_EQ(t, pageflags_test_and_set(map, top), 0);
		KT_EXPECT_EQ(t, pageflags_test(map, top), 1);
		KT_EXPECT_EQ(t, pageflags_next_set(map, 0), top);
		KT_EXPECT_EQ(t, pageflags_grow(map, reach - 1, reach), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, reach - 1), 0);
		if (reach < pageflags_pfn_limit(map)) {
			/* beyond the reach, inside the width: no leaf, ever */
			KT_EXPECT_EQ(t, pageflags_grow(map, reach - 1, reach + 1),
				     ERANGE_);
			KT_EXPECT_EQ(t, pageflags_set(map, reach), ENOTPR_);
			KT_EXPECT_EQ(t, pageflags_test(map, reach), 0);
			KT_EXPECT_EQ(t, pageflags_clear(map, reach), 0);
		}
		KT_EXPECT_EQ(t, pageflags_test(map, pageflags_pfn_limit(map)), ERANGE_);
		KT_EXPECT_EQ(t, pageflags_set(map, UINT64_MAX), ERANGE_);
		KT_EXPECT_EQ(t, pageflags_count(map), top == reach - 1 ? 1 : 2);
		pageflags_destroy(map);
		expect_no_leak(t);
	}
}

/*
 * A map with no inner level answers tests from root[leaf_nr], and a test
 * through a cursor leaves the cursor alone; sets and clears through a
 * cursor remember their leaf. Leaves 0, 1, 2 and 32 of `small`, reach 40
 * leaves.
 */
static void direct_root_lookups(struct ktest *t)
{
	struct layout layout = small;
	struct pageflags_cursor cursor;
	struct pageflags *map;
	uint64_t end = 40 * LEAF;

	layout.possible_end_pfn = end;
	src_reset();
	map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 4, 0);     /* no inner node: the root holds the leaves */

	cursor = pageflags_cursor_start(map);
	KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, 32 * LEAF + 9), 0);
	KT_EXPECT_EQ(t, cursor.leaf_nr, 32);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 0), 0);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 32 * LEAF + 9), 1);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 3 * LEAF), 0); /* absent */
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, end - 1), 0);  /* last slot */
	KT_EXPECT_EQ(t, cursor.leaf_nr, 32);                    /* tests left it */
	KT_EXPECT_EQ(t, pageflags_test(map, 32 * LEAF + 9), 1);

	/* sets and clears on both sides of every edge */
	KT_EXPECT_EQ(t, pageflags_set(map, 0), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 3 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 3 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 33 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 33 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, end - 1), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, end), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test(map, end), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_test(map, UINT64_MAX), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_clear(map, 3 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 3 * LEAF - 1), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, 33 * LEAF - 1), 1);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, 33 * LEAF - 1), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, 33 * LEAF - 1), 0);
	{
		static const uint64_t want[] = { 0, 3 * LEAF - 1, 32 * LEAF + 9 };

		expect_walk(t, map, want, ARRAY_SIZE(want));
	}

	/* hotplug inside the reach: the root slot fills, tests see it */
	KT_EXPECT_EQ(t, pageflags_grow(map, end - 1, end), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, end - 1), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, end - 1), 1);
	KT_EXPECT_EQ(t, pageflags_grow(map, end, end + 1), ERANGE_);
	expect_stats(t, map, 5, 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Every one-bit operation on a present-only map, on and off the leaves. */
static void present_only_operations(struct ktest *t)
{
	struct pageflags *map;
	uint64_t hole = 0x9f;           /* not RAM, but inside leaf 0 */
	uint64_t absent = 5 * LEAF;     /* no leaf */

	src_reset();
	map = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 4, 1);

	KT_EXPECT_EQ(t, pageflags_test(map, 0x1234), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 0x1234), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 0x1234), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, 0x1235), 0);
	KT_EXPECT_EQ(t, pageflags_test_and_set(map, 0x1234), 1);
	KT_EXPECT_EQ(t, pageflags_test_and_set(map, 0x1235), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 0x1235), 1);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, 0x1235), 1);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, 0x1235), 0);
	KT_EXPECT_EQ(t, pageflags_clear(map, 0x1234), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 0x1234), 0);

	/* A leaf is all or nothing: holes inside a present leaf have bits. */
	KT_EXPECT_EQ(t, pageflags_set(map, hole), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, hole), 1);

	/* No leaf: reads give 0, clears succeed, sets fail. */
	KT_EXPECT_EQ(t, pageflags_test(map, absent), 0);
	KT_EXPECT_EQ(t, pageflags_clear(map, absent), 0);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, absent), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, absent), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test_and_set(map, absent), ENOTPR_);

	/* Beyond the width: every operation says so. */
	KT_EXPECT_EQ(t, pageflags_test(map, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_set(map, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_clear(map, UINT64_MAX), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_test_and_set(map, 1ull << 40), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 1ull << 28), NONE);
	KT_EXPECT_EQ(t, pageflags_count(map), 1);

	expect_stats(t, map, 4, 1);     /* nothing allocated by the above */
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* All-possible: every pfn below possible_end_pfn has a leaf, holes too. */
static void all_possible_operations(struct ktest *t)
{
	struct layout layout = small;
	struct pageflags *map;
	uint64_t calls, nr = 0;

	layout.possible_end_pfn = 40 * LEAF + 123;   /* leaves 0..40 */
	src_reset();
	map = make_map(t, &layout, PAGEFLAGS_ALL_POSSIBLE);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 41, 0);    /* the root holds the 41 leaves */

	/* A set never allocates and never fails below possible_end_pfn. */
	calls = src.nr_calls;
	for (uint64_t pfn = 3; pfn < layout.possible_end_pfn; pfn += 997) {
		KT_EXPECT_EQ(t, pageflags_test_and_set(map, pfn), 0);
		nr++;
	}
	KT_EXPECT_EQ(t, pageflags_set(map, layout.possible_end_pfn - 1), 0);
	KT_EXPECT_EQ(t, src.nr_calls, calls);
	KT_EXPECT_EQ(t, pageflags_count(map), nr + 1);
	KT_EXPECT_EQ(t, pageflags_test(map, 4), 0);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, 3), 1);
	KT_EXPECT_EQ(t, pageflags_clear(map, 3 + 997), 0);
	KT_EXPECT_EQ(t, pageflags_count(map), nr - 1);

	/* Past the last possible leaf there is nothing; past the width, range. */
	KT_EXPECT_EQ(t, pageflags_set(map, 41 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test(map, 41 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 1ull << 28), ERANGE_);

	pageflags_clear_all(map);
	KT_EXPECT_EQ(t, pageflags_count(map), 0);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 0), NONE);
	expect_stats(t, map, 41, 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* With a range_possible callback, all-possible leaves follow it. */
static bool possible_below_8_or_from_30(void *ctx, uint64_t start, uint64_t end)
{
	(void)ctx;
	return start < 8 * LEAF || end > 30 * LEAF;
}

static void all_possible_asks_range_possible(struct ktest *t)
{
	struct pageflags_range_list list = { small_ram, ARRAY_SIZE(small_ram) };
	struct pageflags_space space = {
		40, 34 * LEAF, pageflags_range_list_overlaps,
		possible_below_8_or_from_30, &list,
	};
	struct pageflags *map;

	src_reset();
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_ALL_POSSIBLE, &space,
					 &test_source), 0);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 8 + 4, 0);         /* leaves 0..7 and 30..33 */
	KT_EXPECT_EQ(t, pageflags_set(map, 8 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 8 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 29 * LEAF + 77), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 30 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 34 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 34 * LEAF), ENOTPR_);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Possible: leaves 0..7 and 8000..8009 of a 40-bit width (8192 leaves). */
static bool possible_low_and_high(void *ctx, uint64_t start, uint64_t end)
{
	(void)ctx;
	return start < 8 * LEAF || (end > 8000 * LEAF && start < 8010 * LEAF);
}

/* possible_end_pfn 0 means "not known": the tree reaches the whole width,
 * and all-possible leaves follow range_possible all the way up. */
static void all_possible_unknown_end(struct ktest *t)
{
	struct pageflags_range_list list = { small_ram, ARRAY_SIZE(small_ram) };
	struct pageflags_space space = {
		40, 0, pageflags_range_list_overlaps, possible_low_and_high, &list,
	};
	struct pageflags *map;

	src_reset();
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_ALL_POSSIBLE, &space,
					 &test_source), 0);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 8 + 10, 2);        /* one inner node for each group */
	KT_EXPECT_EQ(t, pageflags_set(map, 7 * LEAF + 9), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 8 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 8000 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 8010 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 8010 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, (1ull << 28) - 1), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_count(map), 3);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Bits on both sides of word, leaf and inner-node boundaries. */
static void boundary_edges(struct ktest *t)
{
	static const struct pageflags_range ram[] = {
		{ 0, 3 * LEAF },                           /* leaves 0-2 */
		{ (1ull << 24) - LEAF, (1ull << 24) + LEAF },  /* across a node */
	};
	static const uint64_t pfns[] = {
		0, 63, 64, LEAF - 1, LEAF, 2 * LEAF - 64, 2 * LEAF - 1,
		2 * LEAF, 3 * LEAF - 1, (1ull << 24) - 1, 1ull << 24,
		(1ull << 24) + LEAF - 1,
	};
	struct layout layout = { 40, ram, ARRAY_SIZE(ram), 0 };
	struct pageflags *map;

	src_reset();
	map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 5, 2);     /* the pfn 2^24 starts a second node */
	for (size_t i = 0; i < ARRAY_SIZE(pfns); i++) {
		KT_EXPECT_EQ(t, pageflags_test(map, pfns[i]), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, pfns[i]), 0);
		KT_EXPECT_EQ(t, pageflags_test(map, pfns[i]), 1);
	}
	KT_EXPECT_EQ(t, pageflags_set(map, 3 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, (1ull << 24) - LEAF - 1), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, (1ull << 24) + LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test(map, 65), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, LEAF + 1), 0);
	expect_walk(t, map, pfns, ARRAY_SIZE(pfns));

	/* next_set from each pfn and from just after it */
	for (size_t i = 0; i < ARRAY_SIZE(pfns); i++) {
		uint64_t after = i + 1 < ARRAY_SIZE(pfns) ? pfns[i + 1] : NONE;

		KT_EXPECT_EQ(t, pageflags_next_set(map, pfns[i]), pfns[i]);
		KT_EXPECT_EQ(t, pageflags_next_set(map, pfns[i] + 1), after);
	}
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Iteration finds bits across absent subtrees and survives clearing. */
static void iterate_and_clear(struct ktest *t)
{
	static const uint64_t pfns[] = {
		5, LEAF - 7, (1ull << 31) + 1, (1ull << 31) + LEAF - 1,
		(1ull << 32) + 64, (1ull << 36) + 1000, (1ull << 40) - 1,
	};
	struct pageflags_iter it;
	struct pageflags *map;
	uint64_t pfn, nr = 0;

	src_reset();
	map = make_map(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(pfns); i++)
		KT_EXPECT_EQ(t, pageflags_set(map, pfns[i]), 0);
	expect_walk(t, map, pfns, ARRAY_SIZE(pfns));

	/* Start part-way: inside a word, at a leaf with nothing, past all. */
	KT_EXPECT_EQ(t, pageflags_next_set(map, 6), LEAF - 7);
	KT_EXPECT_EQ(t, pageflags_next_set(map, LEAF - 6), (1ull << 31) + 1);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 1ull << 37), (1ull << 40) - 1);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 1ull << 40), NONE);
	it = pageflags_iter_start(map, (1ull << 31) + 2);
	KT_EXPECT_EQ(t, pageflags_iter_next(&it), (1ull << 31) + LEAF - 1);
	KT_EXPECT_EQ(t, pageflags_iter_next(&it), (1ull << 32) + 64);

	/* Clear every bit as the walk returns it. */
	pageflags_for_each_set(pfn, it, map) {
		KT_EXPECT_EQ(t, pfn, pfns[nr]);
		KT_EXPECT_EQ(t, pageflags_test_and_clear(map, pfn), 1);
		nr++;
	}
	KT_EXPECT_EQ(t, nr, ARRAY_SIZE(pfns));
	KT_EXPECT_EQ(t, pageflags_count(map), 0);
	it = pageflags_iter_start(map, 0);
	KT_EXPECT_EQ(t, pageflags_iter_next(&it), NONE);
	KT_EXPECT_EQ(t, pageflags_iter_next(&it), NONE);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* A dense leaf: every bit set, counted, walked and cleared. */
static void dense_leaf(struct ktest *t)
{
	struct pageflags_iter it;
	struct pageflags *map;
	uint64_t pfn, expect = LEAF;

	src_reset();
	map = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	for (pfn = LEAF; pfn < 2 * LEAF; pfn++)
		KT_EXPECT_EQ(t, pageflags_set(map, pfn), 0);
	KT_EXPECT_EQ(t, pageflags_count(map), LEAF);
	pageflags_for_each_set(pfn, it, map) {
		if (pfn != expect)
			break;
		expect++;
	}
	KT_EXPECT_EQ(t, expect, 2 * LEAF);
	pageflags_clear_all(map);
	KT_EXPECT_EQ(t, pageflags_count(map), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, LEAF + 99), 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* pfns above 2^31 and up to 2^40 in a sparse 52-bit space. */
static void sparse_52_bit_layout(struct ktest *t)
{
	struct pageflags *map;

	src_reset();
	map = make_map(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	/* five leaves; second-level nodes under root slots 0, 8, 127;
	 * first-level nodes for leaf numbers 0, 2^16, 2^17, 2^21, 2^25-1 */
	expect_stats(t, map, 5, 3 + 5);
	for (size_t i = 0; i < ARRAY_SIZE(sparse52_ram); i++) {
		uint64_t first = sparse52_ram[i].start_pfn;
		uint64_t last = sparse52_ram[i].end_pfn - 1;

		KT_EXPECT_EQ(t, pageflags_set(map, first), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, last), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, first - 1), first ? ENOTPR_ : ERANGE_);
		KT_EXPECT_EQ(t, pageflags_set(map, last + 1),
			     last + 1 < (1ull << 40) ? ENOTPR_ : ERANGE_);
	}
	KT_EXPECT_EQ(t, pageflags_count(map), 10);

	/* The leaves themselves, in order, absent subtrees skipped. */
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 0), 0);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 1), 0);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, LEAF), 1ull << 31);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, (1ull << 31) + LEAF), 1ull << 32);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, (1ull << 36) + 1), 1ull << 36);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, (1ull << 36) + LEAF), (1ull << 40) - LEAF);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, (1ull << 40) - 1), (1ull << 40) - LEAF);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 1ull << 40), NONE);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 1), LEAF - 1);
	KT_EXPECT_EQ(t, pageflags_next_set(map, LEAF), 1ull << 31);
	KT_EXPECT_EQ(t, pageflags_next_set(map, (1ull << 36) + LEAF),
		     (1ull << 40) - LEAF);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Grow adds leaves (and nodes) for a new range, in a present-only map. */
static void grow_adds_leaves(struct ktest *t)
{
	struct pageflags *map;
	uint64_t base = 1ull << 25;     /* 128 GiB: a new first-level node */

	src_reset();
	map = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_set(map, 0x77), 0);
	/* Look up the new pfns first: nothing may remember them as absent. */
	KT_EXPECT_EQ(t, pageflags_set(map, base), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test(map, base + 2 * LEAF), 0);

	KT_EXPECT_EQ(t, pageflags_grow(map, base + 1, base + 2 * LEAF + 1), 0);
	expect_stats(t, map, 4 + 3, 1 + 1);
	KT_EXPECT_EQ(t, pageflags_set(map, base), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, base + 2 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, base + 3 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test(map, 0x77), 1);

	/* Growing what exists, or nothing, takes no page. */
	KT_EXPECT_EQ(t, pageflags_grow(map, 0, 3 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_grow(map, 9, 9), 0);
	expect_stats(t, map, 7, 2);

	/* Bad ranges. */
	KT_EXPECT_EQ(t, pageflags_grow(map, 10, 9), EINVAL_);
	KT_EXPECT_EQ(t, pageflags_grow(map, 0, (1ull << 28) + 1), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_grow(map, 1ull << 28, UINT64_MAX), ERANGE_);
	expect_stats(t, map, 7, 2);
	KT_EXPECT_EQ(t, pageflags_count(map), 3);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Shrink gives back the leaves (and nodes) grow added, once the space no
 * longer calls them present; leaves of memory still present stay. */
static void shrink_gives_back_leaves(struct ktest *t)
{
	uint64_t base = 1ull << 25;     /* 128 GiB: a new first-level node */
	const struct pageflags_range with_one[] = {
		{ 0x0, 0x9f }, { 0x100, 0x18000 }, { 0x100000, 0x108000 },
		{ base + LEAF, base + LEAF + 1 },
	};
	struct pageflags_range_list boot = { small_ram, ARRAY_SIZE(small_ram) };
	struct pageflags_range_list one = { with_one, ARRAY_SIZE(with_one) };
	struct pageflags *map;
	uint32_t out;

	src_reset();
	map = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_set(map, 0x77), 0);
	KT_EXPECT_EQ(t, pageflags_grow(map, base, base + 3 * LEAF), 0);
	expect_stats(t, map, 4 + 3, 1 + 1);
	KT_EXPECT_EQ(t, pageflags_set(map, base), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, base + LEAF + 5), 0);
	out = src.nr_out;

	/* Bad arguments change nothing. */
	KT_EXPECT_EQ(t, pageflags_shrink(map, 10, 9, pageflags_range_list_overlaps, &boot),
		     EINVAL_);
	KT_EXPECT_EQ(t, pageflags_shrink(map, 0, 1, NULL, &boot), EINVAL_);
	KT_EXPECT_EQ(t, pageflags_shrink(map, 0, (1ull << 28) + 1,
					 pageflags_range_list_overlaps, &boot), ERANGE_);
	expect_stats(t, map, 7, 2);

	/* One leaf of the new range is still present: it and its node stay. */
	KT_EXPECT_EQ(t, pageflags_shrink(map, base, base + 3 * LEAF,
					 pageflags_range_list_overlaps, &one), 0);
	expect_stats(t, map, 4 + 1, 1 + 1);
	KT_EXPECT_EQ(t, src.nr_out, out - 2);
	KT_EXPECT_EQ(t, pageflags_test(map, base), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, base), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_test(map, base + LEAF + 5), 1);

	/* All gone: the leaf and the node go back; boot leaves stay, and a
	 * range outside the shrink keeps its leaves whatever the space says. */
	KT_EXPECT_EQ(t, pageflags_shrink(map, base, base + 3 * LEAF,
					 pageflags_range_list_overlaps, &boot), 0);
	expect_stats(t, map, 4, 1);
	KT_EXPECT_EQ(t, src.nr_out, out - 4);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 3 * LEAF), 0x100000);
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 0x108000), NONE);
	KT_EXPECT_EQ(t, pageflags_shrink(map, 0, 0x108000,
					 pageflags_range_list_overlaps, &boot), 0);
	KT_EXPECT_EQ(t, pageflags_shrink(map, 9, 9,
					 pageflags_range_list_overlaps, &boot), 0);
	expect_stats(t, map, 4, 1);
	/* An empty range meets no leaf, even inside one the space no
	 * longer calls present. */
	{
		struct pageflags_range_list nothing = { NULL, 0 };

		KT_EXPECT_EQ(t, pageflags_shrink(map, 9, 9,
						 pageflags_range_list_overlaps, &nothing), 0);
		expect_stats(t, map, 4, 1);
	}
	KT_EXPECT_EQ(t, pageflags_test(map, 0x77), 1);
	KT_EXPECT_EQ(t, pageflags_count(map), 1);

	/* Grow again after a shrink: the same leaves come back. */
	KT_EXPECT_EQ(t, pageflags_grow(map, base, base + 3 * LEAF), 0);
	expect_stats(t, map, 7, 2);
	KT_EXPECT_EQ(t, pageflags_test(map, base + LEAF + 5), 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* The last run pageflags_for_each_page() lists: the map's header. */
static int keep_run(void *ctx, void *pages, uint64_t nr_pages)
{
	(void)nr_pages;
	*(void **)ctx = pages;
	return 0;
}

static const void *last_run(struct pageflags *map)
{
	void *last = NULL;

	pageflags_for_each_page(map, keep_run, &last);
	return last;
}

/*
 * The plain one-bit operations write nothing but the bit: the header (and
 * with it the root) is the same bytes before and after them, so readers
 * may share a map. A cursor stays good across grow and clear_all, which
 * keep every leaf where it is. On `small` with the whole width to reach
 * (one inner level) and with 40 leaves to reach (none).
 */
static void plain_ops_leave_the_header(struct ktest *t)
{
	static uint8_t before[PAGE_SIZE];
	static const uint64_t pfns[] = {
		0, 0x9e, 0x9f, 0x100, LEAF - 1, LEAF, 3 * LEAF, 0x100000 + 7,
		0x108000, 40 * LEAF, 1ull << 28, UINT64_MAX,
	};
	struct layout layouts[2] = { small, small };
	struct pageflags_cursor cursor;
	struct pageflags *map;
	const void *header;

	layouts[1].possible_end_pfn = 40 * LEAF;        /* no inner level */
	for (unsigned int l = 0; l < 2; l++) {
		src_reset();
		map = make_map(t, &layouts[l], PAGEFLAGS_PRESENT_ONLY);
		KT_ASSERT(t, map != NULL);
		expect_stats(t, map, 4, l == 0 ? 1 : 0);
		KT_ASSERT(t, header_pages(map) == 1);
		header = last_run(map);
		memcpy(before, header, sizeof(before));
		for (size_t i = 0; i < ARRAY_SIZE(pfns); i++) {
			(void)pageflags_test_and_set(map, pfns[i]);
			(void)pageflags_test(map, pfns[i]);
			(void)pageflags_set(map, pfns[i]);
			(void)pageflags_test_and_clear(map, pfns[i]);
			(void)pageflags_clear(map, pfns[i]);
		}
		KT_EXPECT(t, memcmp(before, header, sizeof(before)) == 0);

		cursor = pageflags_cursor_start(map);
		KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, 0x100000 + 7), 0);
		KT_EXPECT_EQ(t, pageflags_grow(map, 5 * LEAF, 6 * LEAF), 0);
		KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 0x100000 + 7), 1);
		pageflags_clear_all(map);
		KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 0x100000 + 7), 0);
		KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, 0x100000 + 8), 0);
		KT_EXPECT_EQ(t, pageflags_test(map, 0x100000 + 8), 1);
		KT_EXPECT_EQ(t, cursor.leaf_nr, 0x100000 / LEAF);
		pageflags_destroy(map);
		expect_no_leak(t);
	}
}

/*
 * On a map with inner levels, a cursor keeps the leaf it used (issue 4:
 * repeated lookups in the same leaf do not walk the tree): its leaf_nr and
 * leaf are that leaf's number and one of the map's own pages, and they
 * stay through tests elsewhere, also of absent leaves; only a real leaf
 * ever becomes the cursor's.
 */
static void cursor_skips_walk(struct ktest *t)
{
	struct pageflags_cursor cursor;
	struct pageflags *map;
	uint64_t pfn = 0x100000 + 42;   /* leaf 32 */
	uint64_t *leaf;

	src_reset();
	map = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 4, 1);     /* one inner level */
	cursor = pageflags_cursor_start(map);
	KT_EXPECT_EQ(t, cursor.leaf_nr, NONE);
	KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, pfn), 0);
	KT_EXPECT_EQ(t, cursor.leaf_nr, pfn / LEAF);
	KT_EXPECT(t, map_holds_page(map, cursor.leaf));
	leaf = cursor.leaf;
	KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, pfn + 1), 0);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, pfn + 1), 1);
	KT_EXPECT_EQ(t, pageflags_cursor_test_and_clear(&cursor, pfn), 1);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, pfn), 0);
	KT_EXPECT(t, cursor.leaf == leaf);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 3 * LEAF), 0);   /* absent */
	KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, 3 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_cursor_clear(&cursor, 3 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, cursor.leaf_nr, pfn / LEAF);    /* never the zero leaf */
	KT_EXPECT(t, cursor.leaf == leaf);
	KT_EXPECT_EQ(t, pageflags_test(map, pfn + 1), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, pfn), 0);
	/* another leaf moves the cursor */
	KT_EXPECT_EQ(t, pageflags_cursor_test_and_set(&cursor, 5), 0);
	KT_EXPECT_EQ(t, cursor.leaf_nr, 0);
	KT_EXPECT(t, cursor.leaf != leaf && map_holds_page(map, cursor.leaf));
	KT_EXPECT_EQ(t, pageflags_cursor_clear(&cursor, 5), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 5), 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* Make the map of `layout` with the N-th allocation failing, for every N. */
static void expect_create_fails_cleanly(struct ktest *t,
					const struct layout *layout,
					enum pageflags_mode mode)
{
	struct pageflags *map;
	uint64_t nr_calls;
	int err;

	src_reset();
	map = make_map(t, layout, mode);
	KT_ASSERT(t, map != NULL);
	/* one call for the header, however long, and one per other page */
	nr_calls = pageflags_bytes(map) / PAGE - header_pages(map) + 1;
	KT_EXPECT_EQ(t, src.nr_calls, nr_calls);
	pageflags_destroy(map);
	for (uint64_t n = 1; n <= nr_calls; n++) {
		src_reset();
		src.fail_at = n;
		map = make_map_err(layout, mode, &err);
		KT_EXPECT_EQ(t, err, ENOMEM_);
		KT_EXPECT(t, map == NULL);
		expect_no_leak(t);
		if (ktest_failed(t)) {
			ktest_log(t, "failing allocation %llu of %llu",
				  (unsigned long long)n,
				  (unsigned long long)nr_calls);
			return;
		}
	}
}

static void create_fails_at_every_allocation(struct ktest *t)
{
	struct layout all = small;

	all.possible_end_pfn = 20 * LEAF;
	expect_create_fails_cleanly(t, &small, PAGEFLAGS_PRESENT_ONLY);
	expect_create_fails_cleanly(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	expect_create_fails_cleanly(t, &all, PAGEFLAGS_ALL_POSSIBLE);
}

/*
 * The leaves pay for the root: every PAGEFLAGS_LEAVES_PER_ROOT_PAGE (128)
 * leaves buy the header one more page of 512 root slots, and the tree
 * takes no inner level where that root reaches. Reach 900 leaves (480
 * slots in the first header page, 420 in the second): 127 leaves keep a
 * one-page header and one inner level; 128 leaves make a two-page header
 * whose root is a table of all 900 leaves. The second page's slots work
 * like the first's, and the header goes back to the source whole.
 */
static void root_grows_with_leaves(struct ktest *t)
{
	static const struct pageflags_range ram127[] = { { 0, 127 * LEAF } };
	const struct layout fewer = { 40, ram127, 1, 900 * LEAF };
	uint64_t top = 899 * LEAF + 77;         /* under a second-page slot */
	struct pageflags *map;

	src_reset();
	map = make_map(t, &fewer, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, header_pages(map), 1);
	expect_stats(t, map, 127, 1);   /* one inner node */
	pageflags_destroy(map);
	expect_no_leak(t);

	src_reset();
	map = make_map(t, &two_page_header, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, header_pages(map), 2);
	{
		struct pageflags_stats st;

		pageflags_stats(map, &st);      /* no inner node: a root of 900 leaves */
		KT_EXPECT_EQ(t, st.nr_leaves, 128);
		KT_EXPECT_EQ(t, st.nr_inner, 0);
	}
	KT_EXPECT_EQ(t, src.nr_calls, 1 + 128);        /* the header is one run */
	KT_EXPECT_EQ(t, pageflags_bytes(map), (2 + 128) * PAGE);
	KT_EXPECT_EQ(t, src.nr_pages_out, 2 + 128);
	/* within the memory target: 1.02 x one bit per present page + 64 KiB */
	KT_EXPECT(t, pageflags_bytes(map) <= 128 * LEAF / 8 * 102 / 100 + 65536);

	KT_EXPECT_EQ(t, pageflags_set(map, 128 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, top), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, top), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_grow(map, top, top + 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, top), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, top), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, top + 1), 0);
	KT_EXPECT_EQ(t, pageflags_grow(map, top, 900 * LEAF + 1), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_test(map, 900 * LEAF), 0);  /* past the reach */
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 128 * LEAF), 899 * LEAF);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 0), 128 * LEAF - 1);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 128 * LEAF), top);
	KT_EXPECT_EQ(t, pageflags_count(map), 2);
	KT_EXPECT_EQ(t, pageflags_bytes(map), (2 + 129) * PAGE);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/* What pageflags_for_each_page() showed: runs, pages, and the order. */
struct page_list {
	uint64_t nr_runs, nr_pages, stop_after;
	bool all_out;           /* every run is one the source handed out */
	bool header_last;
	const void *header;
};

static int list_run(void *ctx, void *pages, uint64_t nr_pages)
{
	struct page_list *l = ctx;
	bool out = false;

	for (uint32_t i = 0; i < src.nr_out; i++)
		out |= src.out[i].pages == pages && src.out[i].nr_pages == nr_pages;
	l->all_out &= out;
	l->header_last = pages == l->header;
	l->nr_runs++;
	l->nr_pages += nr_pages;
	return l->nr_runs == l->stop_after ? 42 : 0;
}

/*
 * Every page the map holds is listed once, as the run the source gave
 * (the header, whatever its length, last), and nothing else: the zero
 * pages are no map's. A nonzero result stops the walk and comes back.
 */
static void every_page_is_listed(struct ktest *t)
{
	const struct layout *layouts[] = { &small, &sparse52, &two_page_header };

	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		struct page_list l = { 0, 0, 0, true, false, NULL };
		struct pageflags *map;

		src_reset();
		map = make_map(t, layouts[i], PAGEFLAGS_PRESENT_ONLY);
		KT_ASSERT(t, map != NULL);
		l.header = map;
		KT_EXPECT_EQ(t, pageflags_for_each_page(map, list_run, &l), 0);
		KT_EXPECT_EQ(t, l.nr_runs, src.nr_out);
		KT_EXPECT_EQ(t, l.nr_pages, pageflags_bytes(map) / PAGE);
		KT_EXPECT(t, l.all_out);
		KT_EXPECT(t, l.header_last);

		l = (struct page_list){ 0, 0, 2, true, false, map };
		KT_EXPECT_EQ(t, pageflags_for_each_page(map, list_run, &l), 42);
		KT_EXPECT_EQ(t, l.nr_runs, 2);
		pageflags_destroy(map);
		expect_no_leak(t);
	}
}

/* A header of two pages is one allocation: failing it fails the create. */
static void root_pages_fail_cleanly(struct ktest *t)
{
	expect_create_fails_cleanly(t, &two_page_header, PAGEFLAGS_PRESENT_ONLY);
}

static void grow_fails_at_every_allocation(struct ktest *t)
{
	uint64_t base = 3ull << 36;    /* new nodes at two levels */
	uint64_t nr_pages = 3 + 2;                  /* three leaves, two nodes */
	struct pageflags *map;

	src_reset();
	map = make_map(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_set(map, 1ull << 36), 0);
	for (uint64_t n = 1; n <= nr_pages + 1; n++) {
		uint32_t out = src.nr_out;
		int err;

		src.fail_at = src.nr_calls + n;
		err = pageflags_grow(map, base + 1, base + 2 * LEAF + 5);
		if (n <= nr_pages) {
			KT_EXPECT_EQ(t, err, ENOMEM_);
			KT_EXPECT_EQ(t, src.nr_out, out);
			expect_stats(t, map, 5, 8);
			KT_EXPECT_EQ(t, pageflags_set(map, base), ENOTPR_);
		} else {
			KT_EXPECT_EQ(t, err, 0);
			expect_stats(t, map, 5 + 3, 8 + nr_pages - 3);
			KT_EXPECT_EQ(t, pageflags_set(map, base), 0);
		}
	}
	KT_EXPECT_EQ(t, pageflags_test(map, 1ull << 36), 1);
	KT_EXPECT_EQ(t, pageflags_count(map), 2);
	src.fail_at = 0;
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Absent leaves and subtrees read as 0 bits: a set fails with not-present,
 * a clear succeeds and changes nothing (here or in any other map, which
 * shares the same zero pages), iteration, counts and bytes skip them, and
 * destroy gives back only the map's own pages (src notices any other).
 * Hotplug then gives the pfn a real leaf.
 */
static void zero_leaf_stands_for_absent(struct ktest *t)
{
	struct layout layouts[2] = { small, sparse52 };
	uint64_t absent[2] = { 3 * LEAF + 5, (1ull << 38) + 7 };

	for (unsigned int i = 0; i < 2; i++) {
		struct pageflags_cursor cursor;
		struct pageflags *map, *other;
		uint64_t pfn = absent[i];

		src_reset();
		map = make_map(t, &layouts[i], PAGEFLAGS_PRESENT_ONLY);
		other = make_map(t, &layouts[i], PAGEFLAGS_PRESENT_ONLY);
		KT_ASSERT(t, map != NULL && other != NULL);
		cursor = pageflags_cursor_start(map);
		KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, 1), 0); /* leaf 0 is there */
		KT_EXPECT_EQ(t, pageflags_test(map, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, pfn), ENOTPR_);
		KT_EXPECT_EQ(t, pageflags_test_and_set(map, pfn), ENOTPR_);
		KT_EXPECT_EQ(t, pageflags_clear(map, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_test_and_clear(map, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, pfn), ENOTPR_);
		KT_EXPECT_EQ(t, pageflags_cursor_test_and_set(&cursor, pfn), ENOTPR_);
		KT_EXPECT_EQ(t, pageflags_cursor_clear(&cursor, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_cursor_test_and_clear(&cursor, pfn), 0);
		KT_EXPECT_EQ(t, cursor.leaf_nr, 0);         /* never the zero leaf */
		for (uint64_t p = pfn & ~(LEAF - 1); p < (pfn | (LEAF - 1)); p += 61)
			KT_EXPECT_EQ(t, pageflags_test(other, p), 0);

		/* iteration, counting and clear_all step over it */
		KT_EXPECT_EQ(t, pageflags_next_set(map, 2), NONE);
		KT_EXPECT_EQ(t, pageflags_next_leaf(map, 3 * LEAF),
			     i == 0 ? 32 * LEAF : 1ull << 31);
		KT_EXPECT_EQ(t, pageflags_count(map), 1);
		pageflags_clear_all(map);
		KT_EXPECT_EQ(t, pageflags_count(map), 0);
		KT_EXPECT_EQ(t, pageflags_count(other), 0);
		KT_EXPECT_EQ(t, pageflags_bytes(map) + pageflags_bytes(other),
			     src.nr_pages_out * PAGE);

		/* hotplug replaces the zero pages on the way with real ones */
		KT_EXPECT_EQ(t, pageflags_grow(map, pfn, pfn + 1), 0);
		KT_EXPECT_EQ(t, pageflags_set(map, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_next_set(map, 0), pfn);
		KT_EXPECT_EQ(t, pageflags_next_leaf(map, pfn), pfn & ~(LEAF - 1));
		KT_EXPECT_EQ(t, pageflags_test(map, pfn + LEAF), 0);    /* next leaf */
		KT_EXPECT_EQ(t, pageflags_test(other, pfn), 0);
		KT_EXPECT_EQ(t, pageflags_next_set(other, 0), NONE);
		KT_EXPECT_EQ(t, pageflags_bytes(map) + pageflags_bytes(other),
			     src.nr_pages_out * PAGE);
		pageflags_destroy(map);
		pageflags_destroy(other);
		expect_no_leak(t);
	}
}

/* Maps of both modes and several shapes give back exactly their pages. */
static void destroy_returns_every_page(struct ktest *t)
{
	struct layout all = sparse52;
	struct pageflags *a, *b, *c;

	all.possible_end_pfn = 10 * LEAF;
	src_reset();
	a = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	b = make_map(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	c = make_map(t, &all, PAGEFLAGS_ALL_POSSIBLE);
	KT_ASSERT(t, a && b && c);
	KT_EXPECT_EQ(t, pageflags_grow(b, 1ull << 39, (1ull << 39) + 1), 0);
	KT_EXPECT_EQ(t, src.nr_pages_out, (pageflags_bytes(a) + pageflags_bytes(b) +
				      pageflags_bytes(c)) / PAGE);
	pageflags_destroy(b);
	pageflags_destroy(a);
	pageflags_destroy(c);
	pageflags_destroy(NULL);
	expect_no_leak(t);
}

KTEST_SUITE(pageflags,
	KTEST_CASE(error_strings),
	KTEST_CASE(create_rejects_bad_arguments),
	KTEST_CASE(height_follows_width),
	KTEST_CASE(height_follows_possible_end),
	KTEST_CASE(direct_root_lookups),
	KTEST_CASE(root_grows_with_leaves),
	KTEST_CASE(root_pages_fail_cleanly),
	KTEST_CASE(every_page_is_listed),
	KTEST_CASE(present_only_operations),
	KTEST_CASE(all_possible_operations),
	KTEST_CASE(all_possible_asks_range_possible),
	KTEST_CASE(all_possible_unknown_end),
	KTEST_CASE(boundary_edges),
	KTEST_CASE(iterate_and_clear),
	KTEST_CASE(dense_leaf),
	KTEST_CASE(sparse_52_bit_layout),
	KTEST_CASE(grow_adds_leaves),
	KTEST_CASE(shrink_gives_back_leaves),
	KTEST_CASE(plain_ops_leave_the_header),
	KTEST_CASE(cursor_skips_walk),
	KTEST_CASE(zero_leaf_stands_for_absent),
	KTEST_CASE(create_fails_at_every_allocation),
	KTEST_CASE(grow_fails_at_every_allocation),
	KTEST_CASE(destroy_returns_every_page));

/* ------------------------------------------------- suite pageflags_seed */

/*
 * A range_present callback that answers from a range list and records
 * whether every question was about whole leaves (or whole subtrees),
 * given as pfns: start and end on leaf boundaries, end exclusive.
 */
struct recorder {
	struct pageflags_range_list list;
	uint64_t nr_calls;
	uint64_t nr_misaligned;
};

static bool recording_overlaps(void *ctx, uint64_t start, uint64_t end)
{
	struct recorder *r = ctx;

	r->nr_calls++;
	if (start % LEAF || end % LEAF || start >= end)
		r->nr_misaligned++;
	return pageflags_range_list_overlaps(&r->list, start, end);
}

/*
 * Defect: pfn_valid_range(i, i + BITS_PER_PAGE) passed the leaf index i
 * where a pfn was meant. Memory only in leaf 5: the library must ask about
 * pfns [5 * 32768, 6 * 32768), not [5, 32773), and make leaf 5 only.
 */
static void seed_index_passed_as_pfn(struct ktest *t)
{
	static const struct pageflags_range ram[] = { { 5 * LEAF, 6 * LEAF } };
	struct recorder rec = { { ram, 1 }, 0, 0 };
	struct pageflags_space space = { 40, 0, recording_overlaps, NULL, &rec };
	struct pageflags *map;

	src_reset();
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
					 &test_source), 0);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT(t, rec.nr_calls > 0);
	KT_EXPECT_EQ(t, rec.nr_misaligned, 0);
	expect_stats(t, map, 1, 1);
	KT_EXPECT_EQ(t, pageflags_set(map, 5 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 6 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 5), ENOTPR_);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Defect: the range check looked only at the two endpoints, and the
 * exclusive end belongs to the next leaf. Memory strictly inside leaf 1
 * must give leaf 1; memory starting exactly at the end of leaf 2 must not
 * give leaf 2.
 */
static void seed_endpoint_only_range_check(struct ktest *t)
{
	static const struct pageflags_range ram[] = {
		{ LEAF + 100, LEAF + 200 },     /* touches neither endpoint */
		{ 3 * LEAF, 4 * LEAF },         /* starts at leaf 2's end */
	};
	struct pageflags_range_list list = { ram, 2 };
	struct layout layout = { 40, ram, 2, 0 };
	struct pageflags *map;

	KT_EXPECT(t, pageflags_range_list_overlaps(&list, LEAF, 2 * LEAF));
	KT_EXPECT(t, !pageflags_range_list_overlaps(&list, 2 * LEAF, 3 * LEAF));
	KT_EXPECT(t, pageflags_range_list_overlaps(&list, 2 * LEAF, 3 * LEAF + 1));
	KT_EXPECT(t, !pageflags_range_list_overlaps(&list, LEAF + 200, 3 * LEAF));
	KT_EXPECT(t, pageflags_range_list_overlaps(&list, LEAF + 199, LEAF + 200));

	src_reset();
	map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 2, 1);
	KT_EXPECT_EQ(t, pageflags_set(map, LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 2 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 3 * LEAF - 1), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, 3 * LEAF), 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Defect: pfn_valid(start) named variables that did not exist, so the
 * patch never compiled. Every build compiles this file and the library
 * with -Wall -Werror (kernel and host); this case calls every entry point
 * of pageflags.h by its name, so a missing or renamed one fails the build.
 */
static void seed_every_entry_point_exists(struct ktest *t)
{
	struct pageflags_range_list list = { small_ram, ARRAY_SIZE(small_ram) };
	struct pageflags_space space = {
		40, 4 * LEAF, pageflags_range_list_overlaps,
		pageflags_range_list_overlaps, &list,  /* leaves 0-2; reach 0-3 */
	};
	struct pageflags_stats st;
	struct pageflags_cursor cursor;
	struct pageflags_iter it;
	struct pageflags *map;
	uint64_t pfn, seen = 0;

	src_reset();
	KT_EXPECT_EQ(t, pageflags_create(&map, PAGEFLAGS_ALL_POSSIBLE, &space,
					 &test_source), 0);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_grow(map, 3 * LEAF, 4 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 7), 0);
	KT_EXPECT_EQ(t, pageflags_test_and_set(map, 8), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 8), 1);
	KT_EXPECT_EQ(t, pageflags_clear(map, 8), 0);
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, 7), 1);
	cursor = pageflags_cursor_start(map);
	KT_EXPECT_EQ(t, pageflags_cursor_set(&cursor, 3 * LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_cursor_test_and_set(&cursor, 3 * LEAF + 1), 0);
	KT_EXPECT_EQ(t, pageflags_cursor_test_and_clear(&cursor, 3 * LEAF + 1), 1);
	KT_EXPECT_EQ(t, pageflags_cursor_clear(&cursor, 3 * LEAF + 1), 0);
	KT_EXPECT_EQ(t, pageflags_cursor_test(&cursor, 3 * LEAF), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, 4 * LEAF), 0);     /* past the reach */
	KT_EXPECT_EQ(t, pageflags_next_leaf(map, 0), 0);
	KT_EXPECT_EQ(t, pageflags_for_each_page(map, find_run, &(struct find_page){ 0 }), 0);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 0), 3 * LEAF);
	it = pageflags_iter_start(map, 0);
	KT_EXPECT_EQ(t, pageflags_iter_next(&it), 3 * LEAF);
	it.word_pfn = 3 * LEAF;
	it = pageflags_iter_next_leaf(it);
	KT_EXPECT_EQ(t, it.word_pfn, 3 * LEAF);
	KT_EXPECT_EQ(t, it.bits, 1);
	it.word_pfn = 4 * LEAF;
	it = pageflags_iter_next_leaf(it);
	KT_EXPECT(t, it.leaf == NULL);
	pageflags_for_each_set(pfn, it, map)
		seen += pfn < 4 * LEAF;         /* every set pfn is in the reach */
	KT_EXPECT_EQ(t, seen, pageflags_count(map));
	pageflags_stats(map, &st);
	KT_EXPECT_EQ(t, st.bytes, pageflags_bytes(map));
	KT_EXPECT_EQ(t, pageflags_pfn_limit(map), 1ull << 28);
	KT_EXPECT(t, pageflags_strerror(0) && pageflags_mode_name(map->mode));
	pageflags_clear_all(map);
	KT_EXPECT_EQ(t, pageflags_count(map), 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Defect: valid_section_nr(pfn >> PAGES_PER_SECTION) shifted by a count
 * (32768) where the shift (15) was meant. Leaves 1 and 3 only: each pfn
 * must land in its own leaf, at its own bit.
 */
static void seed_shift_not_count(struct ktest *t)
{
	static const struct pageflags_range ram[] = {
		{ LEAF, 2 * LEAF }, { 3 * LEAF, 4 * LEAF },
	};
	struct layout layout = { 40, ram, 2, 0 };
	uint64_t pfn = 3 * LEAF + 64 * 3 + 5;
	struct pageflags *map;

	KT_EXPECT_EQ(t, PAGEFLAGS_LEAF_PFNS, 1ull << PAGEFLAGS_LEAF_SHIFT);
	KT_EXPECT_EQ(t, PAGEFLAGS_LEAF_PFNS, PAGE_SIZE * 8);
	src_reset();
	map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_set(map, LEAF - 1), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 2 * LEAF - 1), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 2 * LEAF), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_set(map, pfn), 0);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 2 * LEAF), pfn);
	KT_EXPECT_EQ(t, pageflags_test(map, pfn - 1), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, pfn + 1), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, pfn - LEAF), 0);
	KT_EXPECT_EQ(t, pageflags_count(map), 3);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Defect: free_dyn_pageflags tested pagemap[i] (the table's address plus
 * i) where (*pagemap)[i] (the i-th leaf) was meant, so it freed NULLs and
 * missed pages. Every page must come back exactly once, from every level,
 * and nothing that was not handed out may be given back.
 */
static void seed_free_tests_the_slot(struct ktest *t)
{
	struct pageflags *map;

	src_reset();
	map = make_map(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, src.nr_pages_out, 14);
	pageflags_destroy(map);
	expect_no_leak(t);

	/* a map with no leaf at all: only the header */
	{
		struct layout empty = { 52, NULL, 0, 0 };

		map = make_map(t, &empty, PAGEFLAGS_PRESENT_ONLY);
		KT_ASSERT(t, map != NULL);
		KT_EXPECT_EQ(t, src.nr_pages_out, 1);
		KT_EXPECT_EQ(t, pageflags_next_set(map, 0), NONE);
		pageflags_destroy(map);
		expect_no_leak(t);
	}
}

/*
 * Defect: MAX_MAPNR was MAX_PHYSADDR_BITS - PAGE_SHIFT, a number of bits
 * (28 for 40 bits) used as a number of pages. The limit is 2^28 pfns.
 */
static void seed_max_pfn_is_a_page_count(struct ktest *t)
{
	struct pageflags *map;

	src_reset();
	map = make_map(t, &small, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_pfn_limit(map), 1ull << 28);
	KT_EXPECT_EQ(t, pageflags_test(map, 28), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 29), 0);         /* not past the end */
	KT_EXPECT_EQ(t, pageflags_test(map, (1ull << 28) - 1), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 1ull << 28), ERANGE_);
	KT_EXPECT_EQ(t, pageflags_grow(map, (1ull << 28) - 1, 1ull << 28), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, (1ull << 28) - 1), 0);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Defect: pfns were int, which wraps past 2^31 pfns (8 TiB). Bits at 2^31,
 * 2^32 + 7 and 2^40 - 1 must stay apart from their 32-bit truncations,
 * which are set too and all lie in leaf 0.
 */
static void seed_pfns_are_64_bit(struct ktest *t)
{
	static const uint64_t pfns[] = {
		0, 7, 0x7fff, 1ull << 31, (1ull << 32) + 7, (1ull << 40) - 1,
	};
	struct pageflags *map;

	src_reset();
	map = make_map(t, &sparse52, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	KT_EXPECT_EQ(t, pageflags_set(map, 1ull << 31), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, 0), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, (1ull << 31) + (1ull << 32)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(pfns); i++)
		KT_EXPECT_EQ(t, pageflags_set(map, pfns[i]), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, (uint32_t)((1ull << 32) + 7) + 1), 0);
	KT_EXPECT_EQ(t, pageflags_test(map, (1ull << 32) + 8), 0);
	expect_walk(t, map, pfns, ARRAY_SIZE(pfns));
	KT_EXPECT_EQ(t, pageflags_test_and_clear(map, (1ull << 40) - 1), 1);
	KT_EXPECT_EQ(t, pageflags_test(map, 0x7fff), 1);
	pageflags_destroy(map);
	expect_no_leak(t);
}

/*
 * Defect: the top level was one kmalloc of a pointer per leaf, which caps
 * memory near 2 TiB (2^29 pfns) and for 52 bits would need 256 MiB in one
 * piece. Here memory sits at 4 PiB - 1 GiB and 2 PiB: the map takes single
 * 4 KiB pages only, a handful of them.
 */
static void seed_no_top_level_cap(struct ktest *t)
{
	static const struct pageflags_range ram[] = {
		{ 1ull << 39, (1ull << 39) + LEAF },
		{ (1ull << 40) - (1ull << 18), (1ull << 40) - (1ull << 18) + LEAF },
	};
	struct layout layout = { 52, ram, 2, 0 };
	struct pageflags *map;

	src_reset();
	map = make_map(t, &layout, PAGEFLAGS_PRESENT_ONLY);
	KT_ASSERT(t, map != NULL);
	expect_stats(t, map, 2, 4);
	KT_EXPECT_EQ(t, src.nr_pages_out, 7);
	KT_EXPECT_EQ(t, pageflags_set(map, (1ull << 39) + 3), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, (1ull << 40) - (1ull << 18)), 0);
	KT_EXPECT_EQ(t, pageflags_set(map, 1ull << 29), ENOTPR_);
	KT_EXPECT_EQ(t, pageflags_next_set(map, 0), (1ull << 39) + 3);
	pageflags_destroy(map);
	expect_no_leak(t);
}

KTEST_SUITE(pageflags_seed,
	KTEST_CASE(seed_index_passed_as_pfn),
	KTEST_CASE(seed_endpoint_only_range_check),
	KTEST_CASE(seed_every_entry_point_exists),
	KTEST_CASE(seed_shift_not_count),
	KTEST_CASE(seed_free_tests_the_slot),
	KTEST_CASE(seed_max_pfn_is_a_page_count),
	KTEST_CASE(seed_pfns_are_64_bit),
	KTEST_CASE(seed_no_top_level_cap));
