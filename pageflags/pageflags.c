/*
 * pageflags.c: dynamic page flags, a radix tree of bitmap pages.
 *
 * A map is a header (bookkeeping and the root: one page,
 * or a few contiguous ones) and a tree below the root. Numbers used throughout:
 *
 *   pfn        page frame number: physical address >> 12
 *   leaf_nr    pfn >> 15: which 32768-pfn leaf holds the pfn's bit
 *   level      0 for a leaf, l > 0 for an inner node whose children are
 *              at level l - 1; a level-l subtree covers 512^l leaves
 *
 * The root's slots hold subtrees of level inner_levels. The height is fixed
 * when the map is made, from the pfns it must reach (those below the
 * space's possible_end_pfn, or the whole width when that is 0) and from
 * the leaves it will have. It is the fewest inner levels (9 bits of
 * leaf_nr each) whose root fits the header the leaves pay for: the first
 * page holds PAGEFLAGS_ROOT_SLOTS slots, and every
 * PAGEFLAGS_LEAVES_PER_ROOT_PAGE leaves buy one more page of 512 slots
 * (1/128 of the leaves' own bytes). So a machine with up to 60 GiB of
 * reach, or a big machine whose reach is mostly RAM (1 TiB in 1.75 TiB),
 * needs no inner level: the root is a table of leaves indexed by leaf_nr,
 * and a lookup is one load before the word. (Every root slot holds its
 * child's address less slot * 4096, pageflags.h says why: this file
 * reads and writes them only through pageflags_root_child() and
 * pageflags_root_slot().) Only sparse spaces, where
 * the leaves are too few to pay for a table over the whole reach, get
 * inner levels.
 *
 * No slot is ever NULL: an absent leaf or subtree points at the shared
 * read-only zero node of its level (pageflags.h), so lookups need no NULL
 * check, and everything that frees, counts or iterates compares with the
 * zero node instead.
 *
 * The one-bit operations are inline in pageflags.h. This file builds and
 * frees the tree, and walks it for iteration, counting and clearing.
 *
 * Pages are allocated only in pageflags_create() and pageflags_grow(), and
 * both work in two passes over the same walk: the first counts the pages
 * that are missing, then all of them are taken from the source at once
 * (given back if any one fails), then the second pass links them in. So
 * a failure never leaves half a tree or a leaked page behind.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pageflags/pageflags.h"

#define WORDS_PER_LEAF  (PAGEFLAGS_LEAF_PFNS / 64)      /* 512 */
#define WORD_OF(pfn)    (((pfn) >> 6) & (WORDS_PER_LEAF - 1))  /* in its leaf */

_Static_assert(sizeof(struct pageflags) + PAGEFLAGS_ROOT_SLOTS * sizeof(void *) <=
	       PAGE_SIZE, "the map header and its root must fit a page");
_Static_assert((PAGEFLAGS_ROOT_SLOTS << (2 * PAGEFLAGS_SLOT_SHIFT)) >=
	       1ull << (PAGEFLAGS_MAX_PHYS_BITS - PAGE_SHIFT -
			PAGEFLAGS_LEAF_SHIFT),
	       "two inner levels reach every leaf of the widest space");
_Static_assert(WORDS_PER_LEAF * sizeof(uint64_t) == PAGE_SIZE,
	       "a leaf is one page of bits");
_Static_assert(PAGEFLAGS_SLOTS * sizeof(void *) == PAGE_SIZE,
	       "an inner node is one page of pointers");
_Static_assert(sizeof(pageflags_zero_inner) / sizeof(pageflags_zero_inner[0]) >= 2,
	       "a zero node for every inner level");

/*
 * The zero pages (pageflags.h): what an absent leaf or subtree points at.
 * Read-only and shared by every map; level-l zero nodes point at the zero
 * node of level l - 1, down to the zero leaf.
 */
const uint64_t pageflags_zero_leaf[WORDS_PER_LEAF]
	__attribute__((aligned(PAGE_SIZE))) = { 0 };
void *const pageflags_zero_inner[2][PAGEFLAGS_SLOTS]
	__attribute__((aligned(PAGE_SIZE))) = {
	{ [0 ... PAGEFLAGS_SLOTS - 1] = (void *)pageflags_zero_leaf },
	{ [0 ... PAGEFLAGS_SLOTS - 1] = (void *)pageflags_zero_inner[0] },
};

/* The zero node of `level`: the zero leaf at 0, a zero inner node above. */
static void *zero_node(unsigned int level)
{
	return level ? (void *)pageflags_zero_inner[level - 1] :
		       (void *)pageflags_zero_leaf;
}

static const char *const error_names[] = {
	[PAGEFLAGS_OK] = "ok",
	[PAGEFLAGS_ERR_RANGE] = "out-of-range",
	[PAGEFLAGS_ERR_NOT_PRESENT] = "not-present",
	[PAGEFLAGS_ERR_NO_MEMORY] = "out-of-memory",
	[PAGEFLAGS_ERR_INVALID] = "invalid-argument",
};

const char *pageflags_error_name(int err)
{
	unsigned int e = err < 0 ? (unsigned int)-err : (unsigned int)err;

	if (e >= sizeof(error_names) / sizeof(error_names[0]))
		return "unknown-error";
	return error_names[e];
}

const char *pageflags_mode_name(enum pageflags_mode mode)
{
	return mode == PAGEFLAGS_ALL_POSSIBLE ? "all" : "present";
}

bool pageflags_range_list_overlaps(void *list, uint64_t start_pfn,
				   uint64_t end_pfn)
{
	const struct pageflags_range_list *l = list;

	/* Every range is compared as a whole: [a, b) meets [start, end)
	 * exactly when a < end and start < b. */
	for (size_t i = 0; i < l->nr_ranges; i++)
		if (l->ranges[i].start_pfn < end_pfn &&
		    start_pfn < l->ranges[i].end_pfn)
			return true;
	return false;
}

/* Leaves covered by a subtree of `level`. */
static uint64_t level_span(unsigned int level)
{
	return 1ull << (PAGEFLAGS_SLOT_SHIFT * level);
}

/*
 * The first leaf whose number is at least *leaf_nr, or NULL. On success
 * *leaf_nr is that leaf's number. An absent subtree is stepped over in one
 * move; when a node runs out of slots the walk starts again from the root
 * at the next subtree, so the cost follows the nodes that exist.
 */
static uint64_t *next_leaf(const struct pageflags *map, uint64_t *leaf_nr)
{
	uint64_t nr = *leaf_nr;

	while (nr < map->walk_end_pfn[map->inner_levels] >> PAGEFLAGS_LEAF_SHIFT) {
		void *const *node = NULL;       /* child's parent; NULL: the root */
		unsigned int level = map->inner_levels;  /* of child */
		unsigned int shift = PAGEFLAGS_SLOT_SHIFT * level;
		void *child = pageflags_root_child(map, nr >> shift);

		for (;;) {
			if (child == zero_node(level)) {
				nr = ((nr >> shift) + 1) << shift;
				if (!node || ((nr >> shift) & (PAGEFLAGS_SLOTS - 1)) == 0)
					break;  /* past a root slot or a node's last
						   slot: from the root again */
			} else if (level == 0) {
				*leaf_nr = nr;
				return child;
			} else {
				node = child;
				level--;
				shift -= PAGEFLAGS_SLOT_SHIFT;
			}
			child = node[(nr >> shift) & (PAGEFLAGS_SLOTS - 1)];
		}
	}
	return NULL;
}

/* ----------------------------------------------------- building the tree */

/*
 * Which leaves a create or grow wants: those whose pfns meet
 * [start_pfn, end_pfn) and, for a create, that the space calls present
 * (present-only) or possible (all-possible).
 */
enum want_kind { WANT_PRESENT, WANT_POSSIBLE, WANT_ALL };

struct want {
	enum want_kind kind;
	uint64_t start_pfn, end_pfn;
	const struct pageflags_space *space;    /* NULL for WANT_ALL */
};

/* Does the subtree over pfns [start, end) hold any wanted leaf? */
static bool wanted(const struct want *want, uint64_t start, uint64_t end)
{
	if (start < want->start_pfn)
		start = want->start_pfn;
	if (end > want->end_pfn)
		end = want->end_pfn;
	if (start >= end)
		return false;
	switch (want->kind) {
	case WANT_PRESENT:
		return want->space->range_present(want->space->ctx, start, end);
	case WANT_POSSIBLE:
		return !want->space->range_possible ||
		       want->space->range_possible(want->space->ctx, start, end);
	case WANT_ALL:
		break;
	}
	return true;
}

/*
 * Pages taken from the source ahead of linking, chained through their first
 * word. pool_take() zeroes each page, so the source need not.
 */
struct page_pool {
	void *head;
};

static void pool_drain(const struct page_source *source,
		       struct page_pool *pool)
{
	while (pool->head) {
		void *page = pool->head;

		pool->head = *(void **)page;
		source->free_pages(source->ctx, page, 1);
	}
}

static int pool_fill(const struct page_source *source,
		     struct page_pool *pool, uint64_t nr_pages)
{
	for (uint64_t i = 0; i < nr_pages; i++) {
		void *page = source->alloc_pages(source->ctx, 1);

		if (!page) {
			pool_drain(source, pool);
			return -PAGEFLAGS_ERR_NO_MEMORY;
		}
		*(void **)page = pool->head;
		pool->head = page;
	}
	return 0;
}

static void *pool_take(struct page_pool *pool)
{
	void *page = pool->head;

	pool->head = *(void **)page;
	memset(page, 0, PAGE_SIZE);
	return page;
}

/*
 * One pass of building: with pool == NULL it only counts the pages the
 * wanted leaves are missing (nr_leaves, nr_inner) and writes nothing; with
 * a pool it also links them into map.
 */
struct build {
	struct pageflags *map;          /* NULL when only counting */
	const struct want *want;
	struct page_pool *pool;
	uint64_t nr_leaves, nr_inner;   /* pages missing */
};

/*
 * Walk the subtree in *slot (level `level`, first leaf first_leaf) and give
 * every wanted leaf a page, with the inner nodes on its way. An absent
 * subtree is walked through its zero node; a new inner node's slots point
 * at the zero node below until they are filled.
 */
static void populate(struct build *b, void **slot, unsigned int level,
		     uint64_t first_leaf)
{
	uint64_t span = level_span(level);
	void **children;

	if (!wanted(b->want, first_leaf << PAGEFLAGS_LEAF_SHIFT,
		    (first_leaf + span) << PAGEFLAGS_LEAF_SHIFT))
		return;
	if (*slot == zero_node(level)) {
		if (level == 0)
			b->nr_leaves++;
		else
			b->nr_inner++;
		if (b->pool) {
			*slot = pool_take(b->pool);
			if (level == 0) {
				b->map->nr_leaves++;
			} else {
				b->map->nr_inner++;
				for (unsigned int i = 0; i < PAGEFLAGS_SLOTS; i++)
					((void **)*slot)[i] = zero_node(level - 1);
			}
		}
	}
	if (level == 0)
		return;
	children = *slot;
	for (unsigned int i = 0; i < PAGEFLAGS_SLOTS; i++)
		populate(b, &children[i], level - 1,
			 first_leaf + i * (span / PAGEFLAGS_SLOTS));
}

/*
 * Count the leaves and inner nodes a tree of `inner_levels` with
 * `root_slots` empty root slots would need for `want`.
 */
static void count_missing(struct build *b, unsigned int inner_levels,
			  uint64_t root_slots)
{
	uint64_t span = level_span(inner_levels);

	for (uint64_t i = 0; i < root_slots; i++) {
		void *slot = zero_node(inner_levels);

		populate(b, &slot, inner_levels, i * span);
	}
}

/* Count, take and link the pages the wanted leaves need: all or nothing. */
static int populate_map(struct pageflags *map, const struct want *want)
{
	uint64_t span = level_span(map->inner_levels);
	struct page_pool pool = { NULL };
	struct build b = { map, want, NULL, 0, 0 };
	int err;

	for (uint64_t i = 0; i < map->root_slots; i++) {
		void *child = pageflags_root_child(map, i);

		populate(&b, &child, map->inner_levels, i * span);
	}
	err = pool_fill(&map->source, &pool, b.nr_leaves + b.nr_inner);
	if (err)
		return err;
	b.pool = &pool;
	for (uint64_t i = 0; i < map->root_slots; i++) {
		void *child = pageflags_root_child(map, i);

		populate(&b, &child, map->inner_levels, i * span);
		map->root[i] = pageflags_root_slot(child, i);
	}
	return 0;
}

/* --------------------------------------------------------- the interface */

static bool source_ok(const struct page_source *source)
{
	return source && source->alloc_pages && source->free_pages;
}

static bool space_ok(const struct pageflags_space *space)
{
	return space && space->range_present &&
	       space->phys_bits >= PAGEFLAGS_MIN_PHYS_BITS &&
	       space->phys_bits <= PAGEFLAGS_MAX_PHYS_BITS &&
	       space->possible_end_pfn <=
		       1ull << (space->phys_bits - PAGE_SHIFT);
}

/* Leaf numbers a map must reach to cover every pfn below end_pfn. */
static uint64_t leaf_nrs_below(uint64_t end_pfn)
{
	return (end_pfn + PAGEFLAGS_LEAF_PFNS - 1) >> PAGEFLAGS_LEAF_SHIFT;
}

/* Root slots a tree of `inner_levels` needs to reach nr_leaf_nrs leaves. */
static uint64_t root_slots_for(uint64_t nr_leaf_nrs, unsigned int inner_levels)
{
	uint64_t span = level_span(inner_levels);

	return (nr_leaf_nrs + span - 1) / span;
}

/* Header pages for a root of root_slots slots: the first page holds
 * PAGEFLAGS_ROOT_SLOTS of them, every further page 512. */
static uint64_t header_pages_for(uint64_t root_slots)
{
	if (root_slots <= PAGEFLAGS_ROOT_SLOTS)
		return 1;
	return 1 + (root_slots - PAGEFLAGS_ROOT_SLOTS + PAGEFLAGS_SLOTS - 1) /
		   PAGEFLAGS_SLOTS;
}

/*
 * The fewest inner levels for a map that must reach nr_leaf_nrs leaf
 * numbers and will hold nr_leaves leaves: the first whose root fits a
 * header of 1 + nr_leaves / PAGEFLAGS_LEAVES_PER_ROOT_PAGE pages.
 */
static unsigned int choose_levels(uint64_t nr_leaf_nrs, uint64_t nr_leaves)
{
	uint64_t max_pages = 1 + nr_leaves / PAGEFLAGS_LEAVES_PER_ROOT_PAGE;
	unsigned int levels = 0;

	while (header_pages_for(root_slots_for(nr_leaf_nrs, levels)) > max_pages)
		levels++;
	return levels;
}

/* The levels whose root fits one header page, whatever the leaves. */
static unsigned int one_page_levels(uint64_t nr_leaf_nrs)
{
	return choose_levels(nr_leaf_nrs, 0);
}

/* Set the tree's shape in a zeroed header: every root slot empty. */
static void set_geometry(struct pageflags *map, unsigned int phys_bits,
			 uint64_t nr_leaf_nrs, unsigned int inner_levels,
			 uint64_t header_pages)
{
	map->phys_bits = phys_bits;
	map->pfn_limit = 1ull << (phys_bits - PAGE_SHIFT);
	map->inner_levels = inner_levels;
	map->root_slots = root_slots_for(nr_leaf_nrs, inner_levels);
	map->header_pages = header_pages;
	/* The reach: every leaf the root slots lead to, but not past the
	 * width, where a walk would find the zero leaf and the answer is
	 * out-of-range. (The root slots do not get past it: a tree has inner
	 * levels only where the width holds whole root slots of them.) */
	map->walk_end_pfn[inner_levels] =
		(map->root_slots * level_span(inner_levels)) << PAGEFLAGS_LEAF_SHIFT;
	if (map->walk_end_pfn[inner_levels] > map->pfn_limit)
		map->walk_end_pfn[inner_levels] = map->pfn_limit;
	for (uint64_t i = 0; i < map->root_slots; i++)
		map->root[i] = pageflags_root_slot(zero_node(inner_levels), i);
}

int pageflags_create(struct pageflags **mapp, enum pageflags_mode mode,
		     const struct pageflags_space *space,
		     const struct page_source *source)
{
	struct pageflags *map;
	struct want want = { WANT_PRESENT, 0, 0, space };
	struct build count = { NULL, &want, NULL, 0, 0 };
	uint64_t pfn_limit, nr_leaf_nrs, header_pages;
	unsigned int levels;
	int err;

	if (!mapp)
		return -PAGEFLAGS_ERR_INVALID;
	*mapp = NULL;
	if (!source_ok(source) || !space_ok(space) ||
	    (mode != PAGEFLAGS_PRESENT_ONLY && mode != PAGEFLAGS_ALL_POSSIBLE))
		return -PAGEFLAGS_ERR_INVALID;

	/* Which leaves: present ones anywhere in the width, or every possible
	 * one below the possible end. */
	pfn_limit = 1ull << (space->phys_bits - PAGE_SHIFT);
	nr_leaf_nrs = leaf_nrs_below(space->possible_end_pfn ?
				     space->possible_end_pfn : pfn_limit);
	want.end_pfn = pfn_limit;
	if (mode == PAGEFLAGS_ALL_POSSIBLE) {
		want.kind = WANT_POSSIBLE;
		want.end_pfn = space->possible_end_pfn;
	}

	/* Count the leaves on a tree whose root fits one page, then pick the
	 * height those leaves pay for. */
	levels = one_page_levels(nr_leaf_nrs);
	count_missing(&count, levels, root_slots_for(nr_leaf_nrs, levels));
	levels = choose_levels(nr_leaf_nrs, count.nr_leaves);
	header_pages = header_pages_for(root_slots_for(nr_leaf_nrs, levels));

	map = source->alloc_pages(source->ctx, header_pages);
	if (!map)
		return -PAGEFLAGS_ERR_NO_MEMORY;
	memset(map, 0, header_pages * PAGE_SIZE);
	set_geometry(map, space->phys_bits, nr_leaf_nrs, levels, header_pages);
	map->mode = mode;
	map->possible_end_pfn = space->possible_end_pfn;
	map->source = *source;

	err = populate_map(map, &want);
	if (err) {
		source->free_pages(source->ctx, map, header_pages);
		return err;
	}
	*mapp = map;
	return 0;
}

int pageflags_grow(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn)
{
	struct want want = { WANT_ALL, start_pfn, end_pfn, NULL };

	if (start_pfn > end_pfn)
		return -PAGEFLAGS_ERR_INVALID;
	if (end_pfn > map->walk_end_pfn[map->inner_levels])  /* the reach */
		return -PAGEFLAGS_ERR_RANGE;
	return populate_map(map, &want);
}

/* Visit the subtree in `node` (level `level`), children first; zero nodes
 * are not the map's and are skipped. */
static int visit_subtree(void *node, unsigned int level, pageflags_pages_fn fn,
			 void *ctx)
{
	int err;

	if (node == zero_node(level))
		return 0;
	if (level > 0)
		for (unsigned int i = 0; i < PAGEFLAGS_SLOTS; i++)
			if ((err = visit_subtree(((void **)node)[i], level - 1,
						 fn, ctx)) != 0)
				return err;
	return fn(ctx, node, 1);
}

int pageflags_for_each_page(struct pageflags *map, pageflags_pages_fn fn,
			    void *ctx)
{
	uint64_t header_pages = map->header_pages;
	int err;

	for (uint64_t i = 0; i < map->root_slots; i++)
		if ((err = visit_subtree(pageflags_root_child(map, i), map->inner_levels,
					 fn, ctx)) != 0)
			return err;
	return fn(ctx, map, header_pages);
}

/* Give a run back to the source (ctx); for pageflags_for_each_page(). */
static int free_run(void *ctx, void *pages, uint64_t nr_pages)
{
	const struct page_source *source = ctx;

	source->free_pages(source->ctx, pages, nr_pages);
	return 0;
}

void pageflags_destroy(struct pageflags *map)
{
	struct page_source source;

	if (!map)
		return;
	source = map->source;   /* the header holds it, and goes last */
	pageflags_for_each_page(map, free_run, &source);
}

void pageflags_clear_all(struct pageflags *map)
{
	uint64_t leaf_nr = 0;
	uint64_t *leaf;

	while ((leaf = next_leaf(map, &leaf_nr)) != NULL) {
		memset(leaf, 0, PAGE_SIZE);
		leaf_nr++;
	}
}

uint64_t pageflags_count(struct pageflags *map)
{
	uint64_t leaf_nr = 0, count = 0;
	const uint64_t *leaf;

	while ((leaf = next_leaf(map, &leaf_nr)) != NULL) {
		for (unsigned int w = 0; w < WORDS_PER_LEAF; w++)
			count += (uint64_t)__builtin_popcountll(leaf[w]);
		leaf_nr++;
	}
	return count;
}

uint64_t pageflags_bytes(const struct pageflags *map)
{
	return (map->header_pages + map->nr_leaves + map->nr_inner) * PAGE_SIZE;
}

void pageflags_stats(const struct pageflags *map, struct pageflags_stats *stats)
{
	stats->nr_leaves = map->nr_leaves;
	stats->nr_inner = map->nr_inner;
	stats->bytes = pageflags_bytes(map);
	stats->covered_pfns = map->nr_leaves * PAGEFLAGS_LEAF_PFNS;
}

uint64_t pageflags_pfn_limit(const struct pageflags *map)
{
	return map->pfn_limit;
}

/* ------------------------------------------------------------ iteration */

struct pageflags_iter pageflags_iter_start(struct pageflags *map, uint64_t pfn)
{
	struct pageflags_iter it = { map, NULL, 0, 0 };
	uint64_t leaf_nr = pfn >> PAGEFLAGS_LEAF_SHIFT;

	if (pfn >= map->pfn_limit)
		return it;
	it.leaf = next_leaf(map, &leaf_nr);
	if (!it.leaf)
		return it;
	if (leaf_nr != pfn >> PAGEFLAGS_LEAF_SHIFT)
		pfn = leaf_nr << PAGEFLAGS_LEAF_SHIFT;
	it.word_pfn = pfn & ~63ull;
	it.bits = it.leaf[WORD_OF(pfn)] & (~0ull << (pfn & 63));
	return it;
}

struct pageflags_iter pageflags_iter_next_leaf(struct pageflags_iter it)
{
	uint64_t leaf_nr = it.word_pfn >> PAGEFLAGS_LEAF_SHIFT;

	it.bits = 0;
	it.leaf = next_leaf(it.map, &leaf_nr);
	if (it.leaf) {
		it.word_pfn = leaf_nr << PAGEFLAGS_LEAF_SHIFT;
		it.bits = it.leaf[0];
	}
	return it;
}

uint64_t pageflags_next_leaf(struct pageflags *map, uint64_t pfn)
{
	uint64_t leaf_nr = pfn >> PAGEFLAGS_LEAF_SHIFT;

	if (pfn >= map->pfn_limit || !next_leaf(map, &leaf_nr))
		return PAGEFLAGS_NO_PFN;
	return leaf_nr << PAGEFLAGS_LEAF_SHIFT;
}

uint64_t pageflags_next_set(struct pageflags *map, uint64_t pfn)
{
	struct pageflags_iter it = pageflags_iter_start(map, pfn);

	return pageflags_iter_next(&it);
}
