/*
 * pageflags.h: dynamic page flags, one bit per page frame number (pfn),
 * kept in a radix tree that allocates memory only where pages can exist.
 *
 * The library is freestanding and portable. It includes no kernel header:
 * it gets memory through a page source (struct page_source) and learns
 * which pfns exist through a pfn-space description (struct pageflags_space).
 * The same code builds into the kernel and into host programs.
 *
 * Shape (docs/pageflags.md has the picture):
 *   - a leaf is one 4 KiB page of bits: 32768 bits for 32768 pfns (128 MiB);
 *   - an inner node is one 4 KiB page of 512 pointers;
 *   - the root is an array of slots in the map's header: the header page
 *     holds PAGEFLAGS_ROOT_SLOTS of them, and a map with many leaves may
 *     have a header of several contiguous pages, one more page (512 more
 *     slots) for every PAGEFLAGS_LEAVES_PER_ROOT_PAGE leaves it has;
 *   - the tree's height follows the highest pfn that can hold memory
 *     (space->possible_end_pfn) or, when that is not given, the physical
 *     address width, up to 52 bits: it is the fewest inner levels whose
 *     root fits the header. With no inner level at all the root is a
 *     direct table of leaves, indexed by leaf number. Root slot i holds
 *     its child's address less i * 4096 (pageflags_root_slot());
 *   - an absent leaf or subtree is a pointer to a shared, read-only zero
 *     page (pageflags_zero_leaf, pageflags_zero_inner): "every bit below
 *     here is 0", with no NULL to check on the way down.
 *
 * Two modes:
 *   PAGEFLAGS_PRESENT_ONLY  leaves exist only where the space says memory is
 *                           present; pageflags_grow() adds leaves for memory
 *                           that appears later (hotplug).
 *   PAGEFLAGS_ALL_POSSIBLE  leaves exist for every possible pfn below
 *                           space->possible_end_pfn, holes included, so a
 *                           set there never allocates and never fails.
 *
 * Errors are values. Functions that can fail return an int: 0 or a
 * non-negative result on success, or the negative of an enum
 * pageflags_error. pageflags_error_name() names each one.
 *
 * The one-bit operations come in two kinds. pageflags_set(map, pfn) and
 * its kin find the pfn's leaf on every call. pageflags_cursor_set(&cursor,
 * pfn) and its kin go through a cursor, a small value the caller keeps
 * (on its stack, in registers) that remembers the last leaf it used: a run
 * of calls in one leaf walks the tree once. A map's header is never
 * written after create and grow, so calls that only read (tests,
 * iteration) may run at the same time; anything that writes bits, and
 * grow, must be serialised by the caller.
 */
#ifndef DYNFLAGS_PAGEFLAGS_H
#define DYNFLAGS_PAGEFLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pageflags/page.h"

#define PAGEFLAGS_LEAF_SHIFT    15      /* pfn -> leaf number */
#define PAGEFLAGS_LEAF_PFNS     (1ull << PAGEFLAGS_LEAF_SHIFT)  /* 32768 */
#define PAGEFLAGS_SLOT_SHIFT    9       /* 512 pointers per inner node */
#define PAGEFLAGS_SLOTS         (1u << PAGEFLAGS_SLOT_SHIFT)
#define PAGEFLAGS_ROOT_SLOTS    480     /* root slots in the header's first page */
#define PAGEFLAGS_LEAVES_PER_ROOT_PAGE 128  /* leaves that pay for one more
					       header page: 1/128 of their bytes */
#define PAGEFLAGS_MIN_PHYS_BITS 27      /* at least one whole leaf */
#define PAGEFLAGS_MAX_PHYS_BITS 52      /* the x86-64 architectural limit */
#define PAGEFLAGS_NO_PFN        UINT64_MAX  /* "no such pfn" from iteration */

enum pageflags_error {
	PAGEFLAGS_OK = 0,
	PAGEFLAGS_ERR_RANGE,        /* "out-of-range": pfn beyond the width */
	PAGEFLAGS_ERR_NOT_PRESENT,  /* "not-present": set where no leaf exists */
	PAGEFLAGS_ERR_NO_MEMORY,    /* "out-of-memory": the page source failed */
	PAGEFLAGS_ERR_INVALID,      /* "invalid-argument": a bad parameter */
};

enum pageflags_mode {
	PAGEFLAGS_PRESENT_ONLY,
	PAGEFLAGS_ALL_POSSIBLE,
};


/*
 * Does the pfn range [start_pfn, end_pfn) (end exclusive) hold at least one
 * pfn of the asked kind? The library asks about whole leaves and whole
 * subtrees, so an answer must consider every pfn of the range, not only
 * its endpoints. The range is never empty and never reaches past the width.
 */
typedef bool (*pageflags_range_fn)(void *ctx, uint64_t start_pfn,
				   uint64_t end_pfn);

/*
 * The pfn space a map covers.
 *   phys_bits         physical address width (CPUID 0x80000008 EAX[7:0]);
 *                     pfns from 2^(phys_bits - 12) up are out of range.
 *   possible_end_pfn  one past the highest pfn that could ever hold memory
 *                     (end of RAM or of hotpluggable ranges, the higher);
 *                     at most 2^(phys_bits - 12). All-possible maps have a
 *                     leaf for every pfn below it. Both modes size the tree
 *                     to reach it and no further (pageflags_grow() past it
 *                     is out of range); 0 means "not known": the tree then
 *                     reaches the whole width.
 *   range_present     required: is any pfn of the range present memory?
 *   range_possible    optional: could any pfn of the range ever be memory?
 *                     NULL means every pfn below possible_end_pfn is
 *                     possible (holes included, as the all-pages mode of
 *                     the original proposal).
 * The callbacks are asked only while pageflags_create() runs.
 */
struct pageflags_space {
	unsigned int phys_bits;
	uint64_t possible_end_pfn;
	pageflags_range_fn range_present;
	pageflags_range_fn range_possible;
	void *ctx;
};

/*
 * A sorted list of disjoint pfn ranges [start_pfn, end_pfn), and a
 * pageflags_range_fn over it (ctx = the list). Tests, the fuzzer, the
 * benchmark and any caller with a plain range list use this one helper.
 */
struct pageflags_range {
	uint64_t start_pfn;
	uint64_t end_pfn;       /* exclusive */
};

struct pageflags_range_list {
	const struct pageflags_range *ranges;
	size_t nr_ranges;
};

bool pageflags_range_list_overlaps(void *list, uint64_t start_pfn,
				   uint64_t end_pfn);

/*
 * A map. It lives in its header: header_pages contiguous pages from the
 * source, which also hold the root. Treat the fields as private; they are here only so
 * the one-bit operations below can be inline.
 */
struct pageflags {
	uint64_t pfn_limit;         /* 2^(phys_bits - 12): first out-of-range pfn */
	uint64_t walk_end_pfn[3];   /* [inner_levels]: one past the last pfn the
				       tree reaches; 0 for the other heights.
				       So pfn < walk_end_pfn[h] is at once the
				       range check and the choice of the walk
				       of height h (pageflags_leaf()) */
	unsigned int inner_levels;  /* levels of 512-slot nodes below the root: 0..2 */
	uint64_t root_slots;        /* at least 1; they fit the header */
	uint64_t header_pages;      /* 1, or more for a root of many slots */
	enum pageflags_mode mode;
	unsigned int phys_bits;
	uint64_t possible_end_pfn;
	uint64_t nr_leaves;         /* pages holding bits */
	uint64_t nr_inner;          /* pages holding pointers (root excluded) */
	struct page_source source;
	void *root[];               /* root_slots slots, up to the end of the
				       header (a flexible array, as the
				       compiler cannot see that an index
				       below root_slots keeps to them): slot
				       i is its child's address less i * 4096 */
};

/* Counts for reports: `# pageflags: mode=... leaves=N inner=M bytes=B ...`. */
struct pageflags_stats {
	uint64_t nr_leaves;
	uint64_t nr_inner;          /* inner nodes; the root is in the header */
	uint64_t bytes;             /* every page the map holds, header included */
	uint64_t covered_pfns;      /* pfns that have a leaf: nr_leaves * 32768 */
};

/* "ok", "out-of-range", "not-present", "out-of-memory", "invalid-argument";
 * takes an error with either sign. */
const char *pageflags_error_name(int err);

/* "present" or "all", as the kernel report writes the mode. */
const char *pageflags_mode_name(enum pageflags_mode mode);

/*
 * Build a map over `space` with pages from `source` (both are copied; the
 * space's callbacks are called only during this function). On success
 * *mapp is the map and the result is 0. On failure *mapp is NULL, every
 * page taken has been given back, and the result is -PAGEFLAGS_ERR_INVALID
 * or -PAGEFLAGS_ERR_NO_MEMORY.
 */
int pageflags_create(struct pageflags **mapp, enum pageflags_mode mode,
		     const struct pageflags_space *space,
		     const struct page_source *source);

/* Give every page of the map back to its source. NULL is allowed. */
void pageflags_destroy(struct pageflags *map);

/* Clear every bit; the leaves stay. */
void pageflags_clear_all(struct pageflags *map);

/*
 * Give [start_pfn, end_pfn) leaves (memory hotplug). All or nothing: on
 * -PAGEFLAGS_ERR_NO_MEMORY the map is as before and every page taken has
 * been given back. -PAGEFLAGS_ERR_RANGE if end_pfn is beyond the map's
 * reach (possible_end_pfn rounded up to whole root slots, or the width),
 * -PAGEFLAGS_ERR_INVALID if start_pfn > end_pfn.
 */
int pageflags_grow(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn);

/*
 * Call fn(ctx, pages, nr_pages) for every run of pages the map holds,
 * children before their parent: each leaf and inner node (one page each),
 * then the header (header_pages pages, last). Stops at the first nonzero
 * result and returns it; 0 when every run was visited. The shared zero
 * pages are no map's and are not visited. fn must not change the map
 * (pageflags_destroy() frees the pages this way, each once it has been
 * read for the last time).
 */
typedef int (*pageflags_pages_fn)(void *ctx, void *pages, uint64_t nr_pages);
int pageflags_for_each_page(struct pageflags *map, pageflags_pages_fn fn,
			    void *ctx);

/* Number of set bits (walks the leaves that exist). */
uint64_t pageflags_count(struct pageflags *map);

/* Bytes of every page the map holds, header included. */
uint64_t pageflags_bytes(const struct pageflags *map);

void pageflags_stats(const struct pageflags *map, struct pageflags_stats *stats);

/* The first out-of-range pfn: 2^(phys_bits - 12). */
uint64_t pageflags_pfn_limit(const struct pageflags *map);

/*
 * Iteration over set bits, skipping absent subtrees whole:
 *
 *     struct pageflags_iter it;
 *     uint64_t pfn;
 *     pageflags_for_each_set(pfn, it, map)
 *             use(pfn);
 *
 * Clearing the pfn just returned (or any earlier one) while iterating is
 * safe. Other changes to the 64 pfns around the current one may or may
 * not be seen; changes further on are seen.
 *
 * The iterator is passed by value to the out-of-line functions, so the
 * compiler can keep it in registers: the per-bit step is then as cheap as
 * a flat bitmap's.
 */
struct pageflags_iter {
	struct pageflags *map;
	const uint64_t *leaf;       /* leaf being walked; NULL when finished */
	uint64_t word_pfn;          /* pfn of bit 0 of the current word */
	uint64_t bits;              /* bits of that word not yet returned */
};

/* An iterator whose first pfn returned is the first set pfn >= pfn. */
struct pageflags_iter pageflags_iter_start(struct pageflags *map, uint64_t pfn);

/*
 * The iterator moved to the first present leaf at or after the leaf that
 * starts at it.word_pfn: word_pfn is then that leaf's first pfn and bits
 * its first word; leaf is NULL when there is none.
 */
struct pageflags_iter pageflags_iter_next_leaf(struct pageflags_iter it);

/* The next set pfn, or PAGEFLAGS_NO_PFN when there are no more. Words are
 * scanned here; only the step to another leaf is out of line. */
static inline uint64_t pageflags_iter_next(struct pageflags_iter *it)
{
	uint64_t bits = it->bits;

	while (!bits) {
		if (!it->leaf)
			return PAGEFLAGS_NO_PFN;
		it->word_pfn += 64;
		if (it->word_pfn & (PAGEFLAGS_LEAF_PFNS - 1)) {
			bits = it->leaf[(it->word_pfn >> 6) &
					(PAGEFLAGS_LEAF_PFNS / 64 - 1)];
		} else {
			*it = pageflags_iter_next_leaf(*it);
			bits = it->bits;
		}
	}
	it->bits = bits & (bits - 1);
	return it->word_pfn + (uint64_t)__builtin_ctzll(bits);
}

#define pageflags_for_each_set(pfn, it, map)                                 \
	for ((it) = pageflags_iter_start((map), 0);                          \
	     ((pfn) = pageflags_iter_next(&(it))) != PAGEFLAGS_NO_PFN;)

/*
 * The first pfn of the first leaf that exists at or after pfn's leaf, or
 * PAGEFLAGS_NO_PFN: to walk the leaves themselves (reports), skipping
 * absent subtrees whole.
 */
uint64_t pageflags_next_leaf(struct pageflags *map, uint64_t pfn);

/* The first set pfn at or after `pfn`, or PAGEFLAGS_NO_PFN. */
uint64_t pageflags_next_set(struct pageflags *map, uint64_t pfn);

/*
 * One-bit operations. Results:
 *   pageflags_test            1 or 0 (0 where no leaf), or -ERR_RANGE
 *   pageflags_set             0, or -ERR_RANGE, -ERR_NOT_PRESENT (no leaf)
 *   pageflags_clear           0 (also where no leaf), or -ERR_RANGE
 *   pageflags_test_and_set    the old bit, or as pageflags_set
 *   pageflags_test_and_clear  the old bit, or -ERR_RANGE
 * pageflags_cursor_test() and the other pageflags_cursor_*() give the same
 * results. They are inline: a flat bitmap is one load, and every
 * instruction added to that shows.
 */

/*
 * The zero pages. An absent leaf is not NULL: its slot points at
 * pageflags_zero_leaf, one shared read-only page of 0 bits. An absent
 * subtree of level l > 0 points at pageflags_zero_inner[l - 1], a shared
 * read-only node whose 512 slots all point at the zero node one level
 * down. So every slot of the tree leads to a leaf, and a test walks
 * root -> ... -> leaf -> word with no NULL check. The zero pages belong to
 * no map: they are never written, never freed and never counted in bytes.
 */
extern const uint64_t pageflags_zero_leaf[PAGEFLAGS_LEAF_PFNS / 64];
extern void *const pageflags_zero_inner[2][PAGEFLAGS_SLOTS];

/*
 * Root slot i holds its child's address less i * 4096, as a number. A
 * child is a page of 512 entries of 8 bytes (a leaf's words, a node's
 * slots), and root slot i's child holds entries 512 * i to 512 * i + 511
 * of the ones at its level (words of the map, or slots of the level
 * below). So entry x of the level is at root[i] + x * 8, with no mask to
 * keep x inside the child:
 *   no inner level    the word of pfn is at root[pfn >> 15] + (pfn >> 6) * 8,
 *                     as a flat bitmap's word is at words + (pfn >> 6) * 8;
 *   one inner level   the slot of leaf_nr is at root[leaf_nr >> 9] + leaf_nr * 8;
 *   two inner levels  the slot of node leaf_nr >> 9 is at
 *                     root[leaf_nr >> 18] + (leaf_nr >> 9) * 8.
 * A cursor keeps its leaf the same way. These two turn a child into its
 * root slot's value and back.
 */
static inline void *pageflags_root_slot(const void *child, uint64_t i)
{
	return (void *)((uintptr_t)child - (i << PAGE_SHIFT));
}

static inline void *pageflags_root_child(const struct pageflags *map, uint64_t i)
{
	return (void *)((uintptr_t)map->root[i] + (i << PAGE_SHIFT));
}

/* Entry x of the level below the root, under root slot x >> 9. */
static inline void *pageflags_root_entry(const struct pageflags *map, uint64_t x)
{
	return *(void *const *)((uintptr_t)map->root[x >> PAGEFLAGS_SLOT_SHIFT] +
				x * sizeof(void *));
}

/*
 * The leaf holding pfn's bit: a real leaf, pageflags_zero_leaf where it
 * is absent, or NULL past the tree's reach (where pfn may also be out of
 * range). One compare with walk_end_pfn[h] for each height h up to the
 * map's own picks the walk and checks the range at once. The walks are
 * written out (there are at most two inner levels), so every shift is a
 * constant; the root needs no mask (a pfn below walk_end_pfn keeps its
 * index below root_slots), and its slots need none below them (above).
 */
static inline uint64_t *pageflags_leaf(const struct pageflags *map, uint64_t pfn)
{
	uint64_t leaf_nr = pfn >> PAGEFLAGS_LEAF_SHIFT;
	void *const *node;
	uint64_t *leaf;

	if (pfn < map->walk_end_pfn[0]) {
		leaf = pageflags_root_child(map, leaf_nr);
	} else if (pfn < map->walk_end_pfn[1]) {
		leaf = pageflags_root_entry(map, leaf_nr);
	} else if (pfn < map->walk_end_pfn[2]) {
		node = pageflags_root_entry(map, leaf_nr >> PAGEFLAGS_SLOT_SHIFT);
		leaf = node[leaf_nr & (PAGEFLAGS_SLOTS - 1)];
	} else {
		return NULL;
	}
	/* No slot is NULL (pageflags.c keeps it so): telling the compiler
	 * lets a caller's NULL check cost nothing on the way from a walk.
	 * Host tests build with UBSan, which traps here if a slot ever is. */
	if (!leaf)
		__builtin_unreachable();
	return leaf;
}

/* The word of `leaf` that holds pfn's bit. */
static inline uint64_t *pageflags_word(uint64_t *leaf, uint64_t pfn)
{
	return &leaf[(pfn >> 6) & (PAGEFLAGS_LEAF_PFNS / 64 - 1)];
}

enum pageflags_op { PAGEFLAGS_OP_TEST, PAGEFLAGS_OP_SET, PAGEFLAGS_OP_CLEAR };

/* Do `op` on pfn's bit in `word`; the old bit. */
static inline int pageflags_apply(uint64_t *word, uint64_t pfn,
				  enum pageflags_op op)
{
	uint64_t old = *word;

	if (op == PAGEFLAGS_OP_SET)
		*word = old | 1ull << (pfn & 63);
	else if (op == PAGEFLAGS_OP_CLEAR)
		*word = old & ~(1ull << (pfn & 63));
	return (int)((old >> (pfn & 63)) & 1);
}

/* An op on a pfn the tree does not reach, or on an absent leaf (a set
 * fails; a test or clear finds 0 and writes nothing). */
static inline int pageflags_no_leaf(const struct pageflags *map, uint64_t pfn,
				    enum pageflags_op op)
{
	if (pfn >= map->pfn_limit)
		return -PAGEFLAGS_ERR_RANGE;
	return op == PAGEFLAGS_OP_SET ? -PAGEFLAGS_ERR_NOT_PRESENT : 0;
}

/*
 * A cursor: a map, and the last leaf a call through the cursor used. Make
 * one with pageflags_cursor_start() and keep it in a local variable, so
 * the compiler can hold it in registers. It stays good while the map
 * lives (grow and clear_all keep every leaf where it is); a map
 * destroyed leaves its cursors dangling.
 */
struct pageflags_cursor {
	struct pageflags *map;
	uint64_t leaf_nr;           /* the leaf it holds, or PAGEFLAGS_NO_PFN */
	uintptr_t words;            /* that leaf's word 0 less leaf_nr * 4096,
				       as an address: word (pfn >> 6) of the
				       leaf is at words + (pfn >> 6) * 8 */
};

static inline struct pageflags_cursor pageflags_cursor_start(struct pageflags *map)
{
	struct pageflags_cursor cursor = { map, PAGEFLAGS_NO_PFN, 0 };

	return cursor;
}

/*
 * Do `op` on pfn's bit through `cursor`: the old bit, or an error where
 * there is no leaf.
 *   - On a map with no inner level, a test is root[leaf_nr] -> word, with
 *     no branch but one compare with walk_end_pfn[0], which is both the
 *     range check and the choice of path (absent leaves are the zero leaf,
 *     so there is no NULL check), and no mask (the slot holds the leaf
 *     less leaf_nr * 4096). There is no tree to walk again, and the
 *     cursor is left alone.
 *   - Otherwise the cursor's leaf is tried first: a run of pfns in one leaf
 *     (walking memory in order) walks the tree once. It can only match an
 *     in-range pfn (the width is at least one whole leaf), and `words`
 *     already has the leaf's number taken off, so the word is one add
 *     away. Otherwise it walks (pageflags_leaf()). A test reads the zero
 *     leaf like any other, with no compare; the zero leaf is never
 *     written and never becomes the cursor's leaf.
 * The plain operations below call this with a fresh cursor: the compiler
 * sees that its leaf matches no pfn and drops that branch, and the
 * cursor's stores with it (and, for a test, the zero-leaf compare that
 * guards them), so a plain call writes nothing but the bit.
 */
static inline int pageflags_cursor_op(struct pageflags_cursor *cursor,
				      uint64_t pfn, enum pageflags_op op)
{
	const struct pageflags *map = cursor->map;
	uint64_t leaf_nr = pfn >> PAGEFLAGS_LEAF_SHIFT;
	uint64_t *leaf;

	if (op == PAGEFLAGS_OP_TEST && pfn < map->walk_end_pfn[0])
		return pageflags_apply((uint64_t *)((uintptr_t)map->root[leaf_nr] +
						    (pfn >> 6) * 8), pfn, op);
	if (__builtin_expect(leaf_nr == cursor->leaf_nr, 1))
		return pageflags_apply((uint64_t *)(cursor->words + (pfn >> 6) * 8),
				       pfn, op);
	leaf = pageflags_leaf(map, pfn);
	if (!leaf)
		return pageflags_no_leaf(map, pfn, op);
	if (leaf != pageflags_zero_leaf) {
		cursor->leaf_nr = leaf_nr;
		cursor->words = (uintptr_t)pageflags_root_slot(leaf, leaf_nr);
	} else if (op != PAGEFLAGS_OP_TEST) {
		return pageflags_no_leaf(map, pfn, op);
	}
	return pageflags_apply(pageflags_word(leaf, pfn), pfn, op);
}

/* A result of pageflags_cursor_op() for set and clear: 0 or the error. */
static inline int pageflags_no_old_bit(int old)
{
	return old < 0 ? old : 0;
}

static inline int pageflags_cursor_test(struct pageflags_cursor *cursor, uint64_t pfn)
{
	return pageflags_cursor_op(cursor, pfn, PAGEFLAGS_OP_TEST);
}

static inline int pageflags_cursor_test_and_set(struct pageflags_cursor *cursor,
						uint64_t pfn)
{
	return pageflags_cursor_op(cursor, pfn, PAGEFLAGS_OP_SET);
}

static inline int pageflags_cursor_test_and_clear(struct pageflags_cursor *cursor,
						  uint64_t pfn)
{
	return pageflags_cursor_op(cursor, pfn, PAGEFLAGS_OP_CLEAR);
}

static inline int pageflags_cursor_set(struct pageflags_cursor *cursor, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_cursor_op(cursor, pfn, PAGEFLAGS_OP_SET));
}

static inline int pageflags_cursor_clear(struct pageflags_cursor *cursor, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_cursor_op(cursor, pfn, PAGEFLAGS_OP_CLEAR));
}

/* `op` on pfn's bit with no cursor: the pfn's leaf is found afresh. */
static inline int pageflags_op(struct pageflags *map, uint64_t pfn,
			       enum pageflags_op op)
{
	struct pageflags_cursor cursor = pageflags_cursor_start(map);

	return pageflags_cursor_op(&cursor, pfn, op);
}

static inline int pageflags_test(struct pageflags *map, uint64_t pfn)
{
	return pageflags_op(map, pfn, PAGEFLAGS_OP_TEST);
}

static inline int pageflags_test_and_set(struct pageflags *map, uint64_t pfn)
{
	return pageflags_op(map, pfn, PAGEFLAGS_OP_SET);
}

static inline int pageflags_test_and_clear(struct pageflags *map, uint64_t pfn)
{
	return pageflags_op(map, pfn, PAGEFLAGS_OP_CLEAR);
}

static inline int pageflags_set(struct pageflags *map, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_op(map, pfn, PAGEFLAGS_OP_SET));
}

static inline int pageflags_clear(struct pageflags *map, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_op(map, pfn, PAGEFLAGS_OP_CLEAR));
}

#endif
