/*
 * pageflags.c: making, growing and freeing page-flags maps, and walking
 * them to iterate and count. pageflags_inline.h draws the structure and
 * holds the walk and the one-bit operations.
 *
 * The height. The root lives in the header: its first page has room for
 * ROOT_SLOTS slots, and every LEAVES_PER_ROOT_PAGE leaves the map is made
 * with pay for one more header page of 512 slots (1/128 of their bytes).
 * The tree takes the fewest inner levels whose root fits that header;
 * with none, the root is a direct table of leaves.
 *
 * Pages are given back, before destroy, only by shrink (prune()).
 * Pages are taken only by create and grow, in two passes of populate():
 * count the missing pages, take them all (or give them back and fail),
 * then link them in. A failure leaves nothing behind.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pageflags/pageflags.h"

#define ROOT_SLOTS            480  /* root slots in the header's first page */
#define LEAVES_PER_ROOT_PAGE  128  /* leaves that pay for a header page more */

_Static_assert(sizeof(struct pageflags) + ROOT_SLOTS * sizeof(void *) <= PAGE_SIZE,
	       "the header and its first root slots fit a page");
_Static_assert(PAGEFLAGS_LEAF_WORDS * sizeof(uint64_t) == PAGE_SIZE,
	       "a leaf is one page of bits");
_Static_assert(PAGEFLAGS_SLOTS * sizeof(void *) == PAGE_SIZE,
	       "an inner node is one page of pointers");
_Static_assert((ROOT_SLOTS << (PAGEFLAGS_MAX_LEVELS * PAGEFLAGS_SLOT_SHIFT)) >=
	       1ull << (PAGEFLAGS_MAX_PHYS_BITS - PAGE_SHIFT - PAGEFLAGS_LEAF_SHIFT),
	       "the deepest tree reaches every leaf of the widest space");

/* The zero pages: level-l zero nodes point at level l - 1, down to the leaf. */
const uint64_t pageflags_zero_leaf[PAGEFLAGS_LEAF_WORDS]
	__attribute__((aligned(PAGE_SIZE))) = { 0 };
void *const pageflags_zero_inner[PAGEFLAGS_MAX_LEVELS][PAGEFLAGS_SLOTS]
	__attribute__((aligned(PAGE_SIZE))) = {
	{ [0 ... PAGEFLAGS_SLOTS - 1] = (void *)pageflags_zero_leaf },
	{ [0 ... PAGEFLAGS_SLOTS - 1] = (void *)pageflags_zero_inner[0] },
};

static void *zero_node(unsigned int level)
{
	return level ? (void *)pageflags_zero_inner[level - 1] :
		       (void *)pageflags_zero_leaf;
}

/* Leaves under a subtree of `level`, as a shift of leaf_nr. */
static unsigned int level_shift(unsigned int level)
{
	return PAGEFLAGS_SLOT_SHIFT * level;
}

const char *pageflags_strerror(int err)
{
	switch (err) {
	case PAGEFLAGS_OK:              return "ok";
	case PAGEFLAGS_ERR_RANGE:       return "out-of-range";
	case PAGEFLAGS_ERR_NOT_PRESENT: return "not-present";
	case PAGEFLAGS_ERR_NO_MEMORY:   return "out-of-memory";
	case PAGEFLAGS_ERR_INVALID:     return "invalid-argument";
	}
	return "unknown-error";
}

const char *pageflags_mode_name(enum pageflags_mode mode)
{
	return mode == PAGEFLAGS_ALL_POSSIBLE ? "all" : "present";
}

bool pageflags_range_list_overlaps(void *list, uint64_t start_pfn,
				   uint64_t end_pfn)
{
	const struct pageflags_range_list *l = list;

	/* Whole ranges, not endpoints: [a, b) meets [start, end) iff
	 * a < end and start < b. */
	for (size_t i = 0; i < l->nr_ranges; i++)
		if (l->ranges[i].start_pfn < end_pfn && start_pfn < l->ranges[i].end_pfn)
			return true;
	return false;
}

/*
 * The first real leaf whose number is >= *leaf_nr, or NULL; *leaf_nr is
 * set to its number. Each step walks down until it meets a zero page and
 * skips the whole absent subtree under it.
 */
static uint64_t *next_leaf(const struct pageflags *map, uint64_t *leaf_nr)
{
	uint64_t nr = *leaf_nr, end = map->root_slots << level_shift(map->levels);

	while (nr < end) {
		unsigned int level = map->levels + 1;
		void *node;

		do {
			level--;
			node = pageflags_walk(map, nr << PAGEFLAGS_LEAF_SHIFT, level);
		} while (node != zero_node(level) && level > 0);
		if (node != zero_node(level)) {
			*leaf_nr = nr;
			return node;
		}
		nr = ((nr >> level_shift(level)) + 1) << level_shift(level);
	}
	return NULL;
}

/* ----------------------------------------------------- building the tree */

/* Which leaves a create or grow wants: those meeting [start_pfn, end_pfn)
 * for which fn says true of the part within it; fn NULL: all of them.
 * create asks the space's range_present or range_possible, grow asks no one. */
struct want {
	uint64_t start_pfn, end_pfn;
	pageflags_range_fn fn;
	void *ctx;
};

static bool wanted(const struct want *want, uint64_t start, uint64_t end)
{
	if (start < want->start_pfn)
		start = want->start_pfn;
	if (end > want->end_pfn)
		end = want->end_pfn;
	return start < end && (!want->fn || want->fn(want->ctx, start, end));
}

/*
 * One pass of building. Counting (pool == NULL) adds up the pages the
 * wanted leaves miss and writes nothing; linking takes them from the pool,
 * pages taken ahead and chained through their first word.
 */
struct build {
	struct pageflags *map;
	const struct want *want;
	void *pool;
	uint64_t nr_leaves, nr_inner;   /* pages missing */
};

/* Take nr pages into *pool, all or none. */
static int pool_fill(const struct page_source *source, void **pool, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++) {
		void *page = source->alloc_pages(source->ctx, 1);

		if (!page) {
			while ((page = *pool) != NULL) {
				*pool = *(void **)page;
				source->free_pages(source->ctx, page, 1);
			}
			return PAGEFLAGS_ERR_NO_MEMORY;
		}
		*(void **)page = *pool;
		*pool = page;
	}
	return 0;
}

/* A zeroed page from the pool. */
static void *pool_take(void **pool)
{
	void *page = *pool;

	*pool = *(void **)page;
	__builtin_memset(page, 0, PAGE_SIZE);
	return page;
}

/*
 * Give every wanted leaf under *slot (a subtree of `level` whose first
 * leaf is first_leaf) a page, with the inner nodes on its way. A new
 * inner node's slots point at the zero node below until filled.
 */
static void populate(struct build *b, void **slot, unsigned int level,
		     uint64_t first_leaf)
{
	uint64_t span = 1ull << level_shift(level);

	if (!wanted(b->want, first_leaf << PAGEFLAGS_LEAF_SHIFT,
		    (first_leaf + span) << PAGEFLAGS_LEAF_SHIFT))
		return;
	if (*slot == zero_node(level)) {
		if (level == 0)
			b->nr_leaves++;
		else
			b->nr_inner++;
		if (b->pool) {
			*slot = pool_take(&b->pool);
			if (level == 0)
				b->map->nr_leaves++;
			else
				b->map->nr_inner++;
			for (unsigned int i = 0; level > 0 && i < PAGEFLAGS_SLOTS; i++)
				((void **)*slot)[i] = zero_node(level - 1);
		}
	}
	for (unsigned int i = 0; level > 0 && i < PAGEFLAGS_SLOTS; i++)
		populate(b, &((void **)*slot)[i], level - 1,
			 first_leaf + i * (span / PAGEFLAGS_SLOTS));
}

/* One pass over root slots [0, nr_slots) of a tree of `levels`; root ==
 * NULL stands for an empty root (a create counting before it has one). */
static void populate_root(struct build *b, void **root, unsigned int levels,
			  uint64_t nr_slots)
{
	for (uint64_t i = 0; i < nr_slots; i++) {
		void *empty = zero_node(levels);

		populate(b, root ? &root[i] : &empty, levels, i << level_shift(levels));
	}
}

/* Count, take and link the pages the wanted leaves need: all or nothing. */
static int populate_map(struct pageflags *map, const struct want *want)
{
	struct build b = { map, want, NULL, 0, 0 };
	int err;

	populate_root(&b, map->root, map->levels, map->root_slots);
	err = pool_fill(&map->source, &b.pool, b.nr_leaves + b.nr_inner);
	if (!err)
		populate_root(&b, map->root, map->levels, map->root_slots);
	return err;
}

/* --------------------------------------------------------- the interface */

/* Root slots a tree of `levels` needs for nr_leaf_nrs leaf numbers. */
static uint64_t root_slots_for(uint64_t nr_leaf_nrs, unsigned int levels)
{
	return div_round_up(nr_leaf_nrs, 1ull << level_shift(levels));
}

/* Header pages for a root of nr_slots: ROOT_SLOTS in the first, 512 in
 * each further one. */
static uint64_t header_pages_for(uint64_t nr_slots)
{
	if (nr_slots <= ROOT_SLOTS)
		return 1;
	return 1 + div_round_up(nr_slots - ROOT_SLOTS, PAGEFLAGS_SLOTS);
}

/* The fewest levels whose root fits the header nr_leaves pay for. */
static unsigned int choose_levels(uint64_t nr_leaf_nrs, uint64_t nr_leaves)
{
	uint64_t max_pages = 1 + nr_leaves / LEAVES_PER_ROOT_PAGE;
	unsigned int levels = 0;

	while (header_pages_for(root_slots_for(nr_leaf_nrs, levels)) > max_pages)
		levels++;
	return levels;
}

static bool args_ok(enum pageflags_mode mode, const struct pageflags_space *space,
		    const struct page_source *source)
{
	return source && source->alloc_pages && source->free_pages &&
	       space && space->range_present &&
	       space->phys_bits >= PAGEFLAGS_MIN_PHYS_BITS &&
	       space->phys_bits <= PAGEFLAGS_MAX_PHYS_BITS &&
	       space->possible_end_pfn <= 1ull << (space->phys_bits - PAGE_SHIFT) &&
	       (mode == PAGEFLAGS_PRESENT_ONLY || mode == PAGEFLAGS_ALL_POSSIBLE);
}

int pageflags_create(struct pageflags **mapp, enum pageflags_mode mode,
		     const struct pageflags_space *space,
		     const struct page_source *source)
{
	struct want want = { 0, 0, NULL, NULL };
	struct build count = { NULL, &want, NULL, 0, 0 };
	struct pageflags *map;
	uint64_t pfn_limit, reach_end, nr_leaf_nrs, header_pages;
	unsigned int levels;
	int err;

	if (!mapp)
		return PAGEFLAGS_ERR_INVALID;
	*mapp = NULL;
	if (!args_ok(mode, space, source))
		return PAGEFLAGS_ERR_INVALID;

	/* The tree reaches the possible end, or the whole width where that
	 * is not known; it holds the present leaves, or the possible ones,
	 * within that reach. */
	pfn_limit = 1ull << (space->phys_bits - PAGE_SHIFT);
	reach_end = space->possible_end_pfn ? space->possible_end_pfn : pfn_limit;
	nr_leaf_nrs = div_round_up(reach_end, PAGEFLAGS_LEAF_PFNS);
	want.end_pfn = pfn_limit;
	want.fn = space->range_present;
	want.ctx = space->ctx;
	if (mode == PAGEFLAGS_ALL_POSSIBLE) {
		want.end_pfn = reach_end;
		want.fn = space->range_possible;        /* NULL: all are possible */
	}

	/* Count the leaves on a tree whose root fits one page, then take
	 * the height they pay for. */
	levels = choose_levels(nr_leaf_nrs, 0);
	populate_root(&count, NULL, levels, root_slots_for(nr_leaf_nrs, levels));
	levels = choose_levels(nr_leaf_nrs, count.nr_leaves);
	header_pages = header_pages_for(root_slots_for(nr_leaf_nrs, levels));

	map = source->alloc_pages(source->ctx, header_pages);
	if (!map)
		return PAGEFLAGS_ERR_NO_MEMORY;
	__builtin_memset(map, 0, header_pages * PAGE_SIZE);
	map->levels = levels;
	map->root_slots = root_slots_for(nr_leaf_nrs, levels);
	map->pfn_limit = pfn_limit;
	map->mode = mode;
	map->header_pages = header_pages;
	map->source = *source;
	for (uint64_t i = 0; i < map->root_slots; i++)
		map->root[i] = zero_node(levels);

	err = populate_map(map, &want);
	if (err) {
		source->free_pages(source->ctx, map, header_pages);
		return err;
	}
	*mapp = map;
	return 0;
}

/* The argument check of grow and shrink: [start_pfn, end_pfn) must be a
 * range (ERR_INVALID) within the tree's reach and the width (ERR_RANGE). */
static int range_check(const struct pageflags *map, uint64_t start_pfn,
		       uint64_t end_pfn)
{
	uint64_t reach = map->root_slots << pageflags_shift(map->levels);

	if (start_pfn > end_pfn)
		return PAGEFLAGS_ERR_INVALID;
	if (end_pfn > reach || end_pfn > map->pfn_limit)
		return PAGEFLAGS_ERR_RANGE;
	return 0;
}

int pageflags_grow(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn)
{
	struct want want = { start_pfn, end_pfn, NULL, NULL };
	int err = range_check(map, start_pfn, end_pfn);

	return err ? err : populate_map(map, &want);
}

/* What shrink gives back: leaves meeting [start_pfn, end_pfn) that the
 * space no longer calls present. */
struct prune {
	struct pageflags *map;
	uint64_t start_pfn, end_pfn;
	pageflags_range_fn range_present;
	void *ctx;
};

/*
 * Give back the unwanted leaves under *slot (a subtree of `level` whose
 * first leaf is first_leaf), then the node itself if no leaf is left
 * under it; the slot then points at the zero node.
 */
static void prune(const struct prune *p, void **slot, unsigned int level,
		  uint64_t first_leaf)
{
	uint64_t span = 1ull << level_shift(level);
	uint64_t start = first_leaf << PAGEFLAGS_LEAF_SHIFT;
	uint64_t end = (first_leaf + span) << PAGEFLAGS_LEAF_SHIFT;
	bool empty = true;

	if (*slot == zero_node(level) || end <= p->start_pfn || p->end_pfn <= start)
		return;
	if (level == 0) {
		if (p->range_present(p->ctx, start, end))
			return;
	} else {
		for (unsigned int i = 0; i < PAGEFLAGS_SLOTS; i++) {
			void **child = &((void **)*slot)[i];

			prune(p, child, level - 1, first_leaf + i * (span / PAGEFLAGS_SLOTS));
			if (*child != zero_node(level - 1))
				empty = false;
		}
		if (!empty)
			return;
	}
	p->map->source.free_pages(p->map->source.ctx, *slot, 1);
	*slot = zero_node(level);
	if (level == 0)
		p->map->nr_leaves--;
	else
		p->map->nr_inner--;
}

int pageflags_shrink(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn,
		     pageflags_range_fn range_present, void *ctx)
{
	struct prune p = { map, start_pfn, end_pfn, range_present, ctx };
	int err = range_check(map, start_pfn, end_pfn);

	if (!range_present)
		return PAGEFLAGS_ERR_INVALID;
	if (err)
		return err;
	if (start_pfn == end_pfn)
		return 0;               /* an empty range meets no leaf */
	for (uint64_t i = 0; i < map->root_slots; i++)
		prune(&p, &map->root[i], map->levels, i << level_shift(map->levels));
	return 0;
}

/* Visit the subtree `node` of `level`, children first; zero pages are
 * no map's and are skipped. */
static int visit(void *node, unsigned int level, pageflags_pages_fn fn, void *ctx)
{
	int err;

	if (node == zero_node(level))
		return 0;
	for (unsigned int i = 0; level > 0 && i < PAGEFLAGS_SLOTS; i++)
		if ((err = visit(((void **)node)[i], level - 1, fn, ctx)) != 0)
			return err;
	return fn(ctx, node, 1);
}

int pageflags_for_each_page(struct pageflags *map, pageflags_pages_fn fn, void *ctx)
{
	uint64_t header_pages = map->header_pages;  /* fn may free the header */
	int err;

	for (uint64_t i = 0; i < map->root_slots; i++)
		if ((err = visit(map->root[i], map->levels, fn, ctx)) != 0)
			return err;
	return fn(ctx, map, header_pages);
}

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
	uint64_t *leaf;

	for (uint64_t nr = 0; (leaf = next_leaf(map, &nr)) != NULL; nr++)
		__builtin_memset(leaf, 0, PAGE_SIZE);
}

uint64_t pageflags_count(struct pageflags *map)
{
	const uint64_t *leaf;
	uint64_t count = 0;

	for (uint64_t nr = 0; (leaf = next_leaf(map, &nr)) != NULL; nr++)
		for (unsigned int w = 0; w < PAGEFLAGS_LEAF_WORDS; w++)
			count += (uint64_t)__builtin_popcountll(leaf[w]);
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
	uint64_t nr = pfn >> PAGEFLAGS_LEAF_SHIFT;

	if (pfn >= map->pfn_limit || !(it.leaf = next_leaf(map, &nr)))
		return it;
	if (nr != pfn >> PAGEFLAGS_LEAF_SHIFT)
		pfn = nr << PAGEFLAGS_LEAF_SHIFT;       /* a later leaf: its start */
	it.word_pfn = pfn & ~63ull;
	it.bits = PAGEFLAGS_WORD(it.leaf, pfn) & (~0ull << (pfn & 63));
	return it;
}

struct pageflags_iter pageflags_iter_next_leaf(struct pageflags_iter it)
{
	uint64_t nr = it.word_pfn >> PAGEFLAGS_LEAF_SHIFT;

	it.bits = 0;
	it.leaf = next_leaf(it.map, &nr);
	if (it.leaf) {
		it.word_pfn = nr << PAGEFLAGS_LEAF_SHIFT;
		it.bits = it.leaf[0];
	}
	return it;
}

uint64_t pageflags_next_leaf(struct pageflags *map, uint64_t pfn)
{
	uint64_t nr = pfn >> PAGEFLAGS_LEAF_SHIFT;

	if (pfn >= map->pfn_limit || !next_leaf(map, &nr))
		return PAGEFLAGS_NO_PFN;
	return nr << PAGEFLAGS_LEAF_SHIFT;
}

uint64_t pageflags_next_set_leaves(struct pageflags *map, uint64_t pfn)
{
	struct pageflags_iter it = pageflags_iter_start(map, pfn);

	return pageflags_iter_next(&it);
}
