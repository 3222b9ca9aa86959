/*
 * pageflags_fuzz.c: libFuzzer differential target for pageflags.
 *
 * The input chooses a width, a mode, a small RAM layout near interesting
 * boundaries (leaf and node edges, 2^31, 2^32, the top of the width), an
 * allocation that fails, and then a list of operations. Every operation
 * runs on a real map and on a reference model (the set bits as a sorted
 * array, the leaves that exist as a sorted array), and every result must
 * agree: return values, errors, next-set answers, counts, the leaves and
 * inner nodes the map holds, and the pages it gives back. One-bit
 * operations go through a cursor kept across them, or through none, as
 * the input says. The map also grows (pageflags_grow, as memory is hot
 * added: the model's leaves gain the range's, or, when an allocation the
 * input makes fail fails, nothing changes at all: leaves, bits, pages) and
 * shrinks (pageflags_shrink, as memory is hot removed: the leaves meeting
 * the range that the input's present test rejects go, with their bits and
 * the inner nodes left empty; the rest stays). Only the public interface is used: the model knows the
 * documented memory cost (a one-page header of 480 root slots, one more
 * page of 512 per 128 leaves, the fewest inner levels of 512 slots that
 * fit) and checks it through pageflags_stats() and the page source.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pageflags/pageflags.h"
#include "tests/host/pageflags_host_source.h"

#define LEAF       PAGEFLAGS_LEAF_PFNS
#define MAX_BITS   256          /* set bits the model keeps */
#define MAX_LEAVES 768          /* leaves a map may hold */
#define BIG_LEAVES 128          /* a big range: 128 to 191 leaves, enough
				   to pay for a second header page */
#define BIG_REACH  700          /* a big all-possible map: up to 700 leaves */
#define MAX_RANGES 4
#define SLOT_SHIFT 9            /* 512 slots in an inner node, or a header page */
#define SLOTS      (1u << SLOT_SHIFT)
#define ROOT_SLOTS 480          /* root slots in a header's first page */
#define LEAVES_PER_ROOT_PAGE 128 /* leaves that pay for one more header page */

/* A disagreement: say where, then crash so libFuzzer keeps the input. */
#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "pageflags_fuzz: line %d: %s\n",     \
				__LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

/* ---------------------------------------------------- input bytes */

struct input {
	const uint8_t *data;
	size_t size;
};

static uint64_t take(struct input *in, unsigned int nr_bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < nr_bytes && in->size; i++, in->size--)
		v = v << 8 | *in->data++;
	return v;
}

/* ---------------------------------------------------- the model */

static struct {
	uint64_t limit;                 /* first out-of-range pfn */
	uint64_t reach;                 /* grow may not pass this pfn */
	unsigned int inner_levels;
	uint64_t header_pages;
	uint64_t bits[MAX_BITS];        /* set pfns, sorted */
	size_t nr_bits;
	uint64_t leaves[MAX_LEAVES];    /* leaf numbers that exist, sorted */
	size_t nr_leaves;
} model;

/* Index of the first element >= v in a sorted array. */
static size_t lower_bound(const uint64_t *a, size_t n, uint64_t v)
{
	size_t lo = 0;

	while (lo < n) {
		size_t mid = (lo + n) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			n = mid;
	}
	return lo;
}

static bool contains(const uint64_t *a, size_t n, uint64_t v)
{
	size_t i = lower_bound(a, n, v);

	return i < n && a[i] == v;
}

/* Insert v into a sorted array with room; false if it was there. */
static bool insert(uint64_t *a, size_t *n, uint64_t v)
{
	size_t i = lower_bound(a, *n, v);

	if (i < *n && a[i] == v)
		return false;
	memmove(&a[i + 1], &a[i], (*n - i) * sizeof(*a));
	a[i] = v;
	(*n)++;
	return true;
}

static bool erase(uint64_t *a, size_t *n, uint64_t v)
{
	size_t i = lower_bound(a, *n, v);

	if (i == *n || a[i] != v)
		return false;
	memmove(&a[i], &a[i + 1], (*n - i - 1) * sizeof(*a));
	(*n)--;
	return true;
}

/* Inner nodes the model's leaves need: distinct prefixes at each level. */
static uint64_t model_inner(void)
{
	uint64_t nr = 0;

	for (unsigned int level = 1; level <= model.inner_levels; level++) {
		unsigned int shift = SLOT_SHIFT * level;

		for (size_t i = 0; i < model.nr_leaves; i++)
			if (i == 0 || model.leaves[i] >> shift !=
				      model.leaves[i - 1] >> shift)
				nr++;
	}
	return nr;
}

/*
 * The tree's shape for a possible end (0: the whole width) and the leaves
 * the map is made with: the fewest inner levels whose root slots, each
 * over `span` leaves, fit a header of 1 + leaves / 128 pages (480 slots
 * in the first, 512 in each further one); the map reaches whole root
 * slots.
 */
static void model_geometry(uint64_t possible_end_pfn)
{
	uint64_t end = possible_end_pfn ? possible_end_pfn : model.limit;
	uint64_t nr_leaf_nrs = (end + LEAF - 1) / LEAF, span = 1, root_slots;
	uint64_t max_pages = 1 + model.nr_leaves / LEAVES_PER_ROOT_PAGE;

	model.inner_levels = 0;
	for (;;) {
		root_slots = (nr_leaf_nrs + span - 1) / span;
		model.header_pages = 1;
		if (root_slots > ROOT_SLOTS)
			model.header_pages += (root_slots - ROOT_SLOTS +
					       SLOTS - 1) / SLOTS;
		if (model.header_pages <= max_pages)
			break;
		model.inner_levels++;
		span *= SLOTS;
	}
	model.reach = root_slots * span * LEAF;
}

/* ---------------------------------------------------- choosing pfns */

/* A pfn near an interesting place of a width-`limit` space. */
static uint64_t pick_pfn(struct input *in)
{
	static const uint64_t anchors[] = {
		0, LEAF, 2 * LEAF, 1ull << 24, 1ull << 31, 1ull << 32,
		1ull << 33, 1ull << 36,
	};
	unsigned int how = (unsigned int)take(in, 1);
	int64_t delta = (int8_t)take(in, 1) * (int64_t)(how & 0x80 ? LEAF / 4 : 1);
	uint64_t base;

	switch (how & 7) {
	case 0:
		return take(in, 8);                     /* anything, often out */
	case 1:
		base = model.limit;                     /* the top of the width */
		break;
	case 2:
		if (model.nr_bits)                      /* a set bit */
			return model.bits[take(in, 1) % model.nr_bits] + (how >> 3 & 1);
		base = 0;
		break;
	case 3:
		if (model.nr_leaves) {                  /* inside a leaf */
			base = model.leaves[take(in, 1) % model.nr_leaves] * LEAF;
			break;
		}
		/* fall through */
	default:
		base = anchors[take(in, 1) % (sizeof(anchors) / sizeof(anchors[0]))];
		break;
	}
	return base + (uint64_t)delta;
}

/* ---------------------------------------------------- one run */

static bool in_leaf(uint64_t pfn)
{
	return pfn < model.limit && contains(model.leaves, model.nr_leaves, pfn / LEAF);
}

/* The first pfn of the first leaf at or after pfn's, or PAGEFLAGS_NO_PFN. */
static uint64_t model_next_leaf(uint64_t pfn)
{
	size_t i = lower_bound(model.leaves, model.nr_leaves, pfn / LEAF);

	return i < model.nr_leaves ? model.leaves[i] * LEAF : PAGEFLAGS_NO_PFN;
}

/* Add the leaves meeting [start, end) to the model; false if too many. */
static bool model_add_leaves(uint64_t start, uint64_t end, bool dry_run)
{
	size_t nr = model.nr_leaves;

	for (uint64_t leaf = start / LEAF; start < end && leaf <= (end - 1) / LEAF; leaf++) {
		if (contains(model.leaves, model.nr_leaves, leaf))
			continue;
		if (++nr > MAX_LEAVES)
			return false;
		if (!dry_run)
			insert(model.leaves, &model.nr_leaves, leaf);
	}
	return true;
}

/*
 * The cursor the one-bit operations share when the input asks for it: it
 * holds nothing, or a leaf that exists, never an absent one.
 */
static struct pageflags_cursor cursor;

static void check_cursor(struct pageflags *map)
{
	CHECK(cursor.map == map);
	if (cursor.leaf_nr == PAGEFLAGS_NO_PFN)
		return;
	CHECK(contains(model.leaves, model.nr_leaves, cursor.leaf_nr));
	CHECK(cursor.leaf != NULL);
}

/* The leaves the map holds are the model's, leaf for leaf. */
static void check_leaves(struct pageflags *map)
{
	uint64_t pfn = 0;

	for (size_t i = 0; i < model.nr_leaves; i++) {
		CHECK(pageflags_next_leaf(map, pfn) == model.leaves[i] * LEAF);
		pfn = (model.leaves[i] + 1) * LEAF;
	}
	CHECK(pfn >= model.limit || pageflags_next_leaf(map, pfn) == PAGEFLAGS_NO_PFN);
}

static void check_stats(const struct pageflags *map)
{
	struct pageflags_stats st;

	pageflags_stats(map, &st);
	CHECK(st.nr_leaves == model.nr_leaves);
	CHECK(st.nr_inner == model_inner());
	CHECK(st.bytes == (model.header_pages + st.nr_leaves + st.nr_inner) *
			  PAGE_SIZE);
	CHECK(src.nr_out == model.header_pages + st.nr_leaves + st.nr_inner);
}

static void check_all_bits(struct pageflags *map)
{
	struct pageflags_iter it;
	uint64_t pfn;
	size_t i = 0;

	pageflags_for_each_set(pfn, it, map) {
		CHECK(i < model.nr_bits && pfn == model.bits[i]);
		i++;
	}
	CHECK(i == model.nr_bits);
	CHECK(pageflags_count(map) == model.nr_bits);
}

static int expected_error(uint64_t pfn, int absent)
{
	if (pfn >= model.limit)
		return PAGEFLAGS_ERR_RANGE;
	return in_leaf(pfn) ? 0 : absent;
}

/* The one-bit operations, by the op numbers of run_op(). */
enum { OP_SET = 0, OP_CLEAR = 1, OP_TEST = 2, OP_TEST_AND_SET = 3,
       OP_TEST_AND_CLEAR = 4 };

/* One-bit operation `op` on pfn, through the shared cursor or with none. */
static int bit_op(struct pageflags *map, bool via_cursor, uint64_t pfn,
		  unsigned int op)
{
	struct pageflags_cursor *c = &cursor;
	int r = 0;

	switch (op) {
	case OP_SET:
		r = via_cursor ? pageflags_cursor_set(c, pfn) : pageflags_set(map, pfn);
		break;
	case OP_CLEAR:
		r = via_cursor ? pageflags_cursor_clear(c, pfn) : pageflags_clear(map, pfn);
		break;
	case OP_TEST:
		r = via_cursor ? pageflags_cursor_test(c, pfn) : pageflags_test(map, pfn);
		break;
	case OP_TEST_AND_SET:
		r = via_cursor ? pageflags_cursor_test_and_set(c, pfn) :
				 pageflags_test_and_set(map, pfn);
		break;
	case OP_TEST_AND_CLEAR:
		r = via_cursor ? pageflags_cursor_test_and_clear(c, pfn) :
				 pageflags_test_and_clear(map, pfn);
		break;
	}
	check_cursor(map);
	return r;
}

/*
 * The present test shrink is given: a leaf stays when it meets the RAM
 * ranges and the input's salt keeps it (every leaf whose number plus the
 * salt is a multiple of 4 goes), or never when the salt says the whole
 * range is gone. The model asks the same function.
 */
static struct {
	const struct pageflags_range_list *ram;
	unsigned int salt;
	uint64_t start, end;            /* the range shrink was given */
} shrink_ctx;

static bool leaf_stays(uint64_t leaf_pfn)
{
	if (shrink_ctx.salt & 0x40)
		return false;
	return pageflags_range_list_overlaps((void *)shrink_ctx.ram, leaf_pfn,
					     leaf_pfn + LEAF) &&
	       (leaf_pfn / LEAF + shrink_ctx.salt) % 4 != 0;
}

static bool shrink_present(void *ctx, uint64_t start_pfn, uint64_t end_pfn)
{
	(void)ctx;
	/* asked about whole leaves meeting the range, nothing else */
	CHECK(start_pfn % LEAF == 0 && end_pfn == start_pfn + LEAF);
	CHECK(start_pfn < shrink_ctx.end && shrink_ctx.start < end_pfn);
	return leaf_stays(start_pfn);
}

/* The model's shrink of [start, end): the leaves that go, their bits. */
static void model_shrink(uint64_t start, uint64_t end)
{
	/* an empty range meets no leaf */
	for (size_t i = 0; start < end && i < model.nr_leaves;) {
		uint64_t first = model.leaves[i] * LEAF;
		size_t b;

		if (first >= end || first + LEAF <= start || leaf_stays(first)) {
			i++;
			continue;
		}
		b = lower_bound(model.bits, model.nr_bits, first);
		while (b < model.nr_bits && model.bits[b] < first + LEAF)
			erase(model.bits, &model.nr_bits, model.bits[b]);
		erase(model.leaves, &model.nr_leaves, model.leaves[i]);
	}
}

static void run_op(struct pageflags *map, struct input *in)
{
	unsigned int byte = (unsigned int)take(in, 1);
	unsigned int op = byte % 10;
	bool via_cursor = (byte / 10) & 1;
	uint64_t pfn = pick_pfn(in);
	bool was = contains(model.bits, model.nr_bits, pfn);
	int err, r;

	switch (op) {
	case OP_SET:
	case OP_TEST_AND_SET:
		err = expected_error(pfn, PAGEFLAGS_ERR_NOT_PRESENT);
		if (!err && !was && model.nr_bits == MAX_BITS)
			return;
		r = bit_op(map, via_cursor, pfn, op);
		CHECK(r == (err ? err : op == OP_SET ? 0 : was));
		if (!err)
			insert(model.bits, &model.nr_bits, pfn);
		break;
	case OP_CLEAR:
	case OP_TEST_AND_CLEAR:
		err = expected_error(pfn, 0);
		r = bit_op(map, via_cursor, pfn, op);
		CHECK(r == (err ? err : op == OP_CLEAR ? 0 : was));
		erase(model.bits, &model.nr_bits, pfn);
		break;
	case OP_TEST:
		err = expected_error(pfn, 0);
		CHECK(bit_op(map, via_cursor, pfn, op) ==
		      (err ? err : was));
		/* a leaf's first pfn is one exactly where the model has it */
		CHECK(pageflags_next_leaf(map, pfn) ==
		      (pfn < model.limit ? model_next_leaf(pfn) : PAGEFLAGS_NO_PFN));
		break;
	case 5: {       /* next set */
		size_t i = lower_bound(model.bits, model.nr_bits, pfn);

		CHECK(pageflags_next_set(map, pfn) ==
		      (i < model.nr_bits ? model.bits[i] : PAGEFLAGS_NO_PFN));
		break;
	}
	case 6:
		CHECK(pageflags_count(map) == model.nr_bits);
		break;
	case 7: {       /* grow, perhaps with a failing page */
		uint64_t end = pfn + take(in, 1) * (LEAF / 16) - 8;
		uint64_t out = src.nr_out;

		if (pfn > end) {
			CHECK(pageflags_grow(map, pfn, end) == PAGEFLAGS_ERR_INVALID);
			break;
		}
		if (end > model.reach) {
			CHECK(pageflags_grow(map, pfn, end) == PAGEFLAGS_ERR_RANGE);
			break;
		}
		if (!model_add_leaves(pfn, end, true))
			break;
		src.fail_at = take(in, 1) & 1 ? src.nr_calls + 1 + take(in, 1) % 4 : 0;
		r = pageflags_grow(map, pfn, end);
		if (r == 0)
			model_add_leaves(pfn, end, false);
		else
			CHECK(r == PAGEFLAGS_ERR_NO_MEMORY && src.nr_out == out);
		src.fail_at = 0;
		check_stats(map);
		check_leaves(map);
		if (r)
			check_all_bits(map);    /* all or nothing: the bits too */
		break;
	}
	case 8:
		pageflags_clear_all(map);
		model.nr_bits = 0;
		break;
	default:
		if (byte / 10 < 20) {
			check_all_bits(map);
			break;
		}
		/* shrink (op 9 from byte 200 on) */
		{
			uint64_t n = take(in, 1);       /* 1: an empty range */
			uint64_t end = n == 1 ? pfn : pfn + n * (LEAF / 16) - 8;
			uint64_t calls = src.nr_calls;
			static const struct pageflags_range_list none = { NULL, 0 };

			shrink_ctx.salt = (unsigned int)take(in, 1);
			shrink_ctx.start = pfn;
			shrink_ctx.end = end;
			if (!shrink_ctx.ram)
				shrink_ctx.ram = &none;
			if (pfn > end) {
				CHECK(pageflags_shrink(map, pfn, end, shrink_present, NULL) ==
				      PAGEFLAGS_ERR_INVALID);
				break;
			}
			if ((shrink_ctx.salt & 0x3f) == 0x3f) {
				CHECK(pageflags_shrink(map, pfn, end, NULL, NULL) ==
				      PAGEFLAGS_ERR_INVALID);
				check_stats(map);
				break;
			}
			if (end > model.reach || end > model.limit) {
				CHECK(pageflags_shrink(map, pfn, end, shrink_present, NULL) ==
				      PAGEFLAGS_ERR_RANGE);
				check_stats(map);
				break;
			}
			CHECK(pageflags_shrink(map, pfn, end, shrink_present, NULL) == 0);
			CHECK(src.nr_calls == calls);   /* giving back allocates nothing */
			model_shrink(pfn, end);
			if (cursor.leaf_nr != PAGEFLAGS_NO_PFN &&
			    !contains(model.leaves, model.nr_leaves, cursor.leaf_nr))
				cursor = pageflags_cursor_start(map);
			check_stats(map);
			check_leaves(map);
			check_all_bits(map);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int widths[] = { 27, 28, 36, 40, 44, 46, 52 };
	struct input in = { data, size };
	struct pageflags_range ranges[MAX_RANGES];
	struct pageflags_range_list list = { ranges, 0 };
	struct pageflags_space space = { 0 };
	enum pageflags_mode mode;
	struct pageflags *map;
	size_t nr_ranges = take(&in, 1) % (MAX_RANGES + 1);
	int err;

	memset(&model, 0, sizeof(model));
	memset(&src, 0, sizeof(src));
	space.phys_bits = widths[take(&in, 1) % (sizeof(widths) / sizeof(widths[0]))];
	model.limit = 1ull << (space.phys_bits - 12);
	mode = take(&in, 1) & 1 ? PAGEFLAGS_ALL_POSSIBLE : PAGEFLAGS_PRESENT_ONLY;

	/* RAM: a few ranges of up to 3 leaves (or, now and then, a big one,
	 * so that a header of more than one page is made), clipped to the
	 * width. */
	for (size_t i = 0; i < nr_ranges; i++) {
		uint64_t start = pick_pfn(&in), len = take(&in, 2) % (3 * LEAF) + 1;

		if ((take(&in, 1) & 7) == 7)
			len = (BIG_LEAVES + take(&in, 1) % 64) * LEAF;
		if (len > model.limit / 2)
			len = model.limit / 2;

		if (start >= model.limit)
			start = model.limit - len % LEAF - 1;
		ranges[list.nr_ranges].start_pfn = start;
		ranges[list.nr_ranges].end_pfn = start + len < model.limit ?
						 start + len : model.limit;
		list.nr_ranges++;
	}
	space.range_present = pageflags_range_list_overlaps;
	space.ctx = &list;
	shrink_ctx.ram = &list;
	if (mode == PAGEFLAGS_ALL_POSSIBLE) {
		space.possible_end_pfn = take(&in, 2) % (16 * LEAF);
		if ((take(&in, 1) & 7) == 7)    /* past one header page */
			space.possible_end_pfn += take(&in, 2) % BIG_REACH * LEAF;
		if (take(&in, 1) & 1)   /* possible = the RAM ranges */
			space.range_possible = pageflags_range_list_overlaps;
		/* 0 is "not known": the whole width, which the RAM ranges
		 * must then bound where it is wider than a big map. */
		if (space.possible_end_pfn == 0 && model.limit / LEAF > BIG_REACH)
			space.range_possible = pageflags_range_list_overlaps;
	} else if (take(&in, 1) & 1) {  /* possible end = the end of RAM */
		for (size_t i = 0; i < list.nr_ranges; i++)
			if (ranges[i].end_pfn > space.possible_end_pfn)
				space.possible_end_pfn = ranges[i].end_pfn;
	}
	/* The model's leaves, as create must make them. */
	if (mode == PAGEFLAGS_PRESENT_ONLY) {
		for (size_t i = 0; i < list.nr_ranges; i++)
			model_add_leaves(ranges[i].start_pfn, ranges[i].end_pfn, false);
	} else {
		/* Every leaf below the possible end (the width where it is 0),
		 * or those range_possible, the RAM ranges, meets. */
		uint64_t end = space.possible_end_pfn ? space.possible_end_pfn : model.limit;

		if (!space.range_possible)
			model_add_leaves(0, end, false);
		for (size_t i = 0; space.range_possible && i < list.nr_ranges; i++)
			if (ranges[i].start_pfn < end)
				model_add_leaves(ranges[i].start_pfn, ranges[i].end_pfn < end ?
						 ranges[i].end_pfn : end, false);
	}
	model_geometry(space.possible_end_pfn);

	src.fail_at = take(&in, 1) % 32;        /* 0: no failure */
	err = pageflags_create(&map, mode, &space, &host_source);
	if (space.possible_end_pfn > model.limit) {
		CHECK(err == PAGEFLAGS_ERR_INVALID && src.nr_calls == 0);
		return 0;
	}
	if (err) {
		CHECK(err == PAGEFLAGS_ERR_NO_MEMORY && map == NULL);
		CHECK(src.fail_at && src.nr_out == 0);
		return 0;
	}
	src.fail_at = 0;
	check_stats(map);
	check_leaves(map);
	cursor = pageflags_cursor_start(map);
	while (in.size)
		run_op(map, &in);
	check_all_bits(map);
	check_stats(map);
	pageflags_destroy(map);
	CHECK(src.nr_out == 0);
	return 0;
}
